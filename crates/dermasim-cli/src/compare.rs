//! `dermasim compare`: two or more plans run and shown side by side: `compare.json` (the
//! headline outputs and their differences, `dermasim_core::compare`) and `compare.html` (the
//! report's sections in columns, `dermasim_report::compare`). Glue only.

use std::fs;
use std::path::Path;

use dermasim_core::Outcome;
use dermasim_core::compare::Comparison;
use dermasim_report::ComparePage;

/// The files `compare` writes into its output directory.
pub const FILES: [&str; 2] = ["compare.json", "compare.html"];

/// Writes `compare.json` and `compare.html` into `dir`.
pub fn write(dir: &Path, plans: &[(String, &Outcome)], diff: &Comparison) -> Result<(), String> {
    let err = |p: &Path, e: &dyn std::fmt::Display| format!("cannot write {}: {e}", p.display());
    let json = serde_json::to_string_pretty(diff).map_err(|e| e.to_string())?;
    let p = dir.join(FILES[0]);
    fs::write(&p, json + "\n").map_err(|e| err(&p, &e))?;
    let page = ComparePage::new(plans, diff);
    let html = page.to_html().map_err(|e| e.to_string())?;
    let p = dir.join(FILES[1]);
    fs::write(&p, html).map_err(|e| err(&p, &e))?;
    Ok(())
}

/// The plans and the headline outputs that differ, for a terminal.
pub fn human(diff: &Comparison, out: &Path) -> String {
    let mut s = String::new();
    for p in &diff.plans {
        s.push_str(&format!("{}: {} ({})\n", p.label, p.name, p.source));
    }
    if diff.differing.is_empty() {
        s.push_str("\nNo headline output differs.\n");
    } else {
        s.push_str(&format!("\n{} of {} headline outputs differ:\n", diff.differing.len(), diff.headlines.len()));
        for h in diff.headlines.iter().filter(|h| h.differs) {
            let values: Vec<String> = h.values.iter().map(value).collect();
            s.push_str(&format!("  {}: {}\n", h.key, values.join(" | ")));
        }
    }
    s.push_str(&format!(
        "\nWrote {} and {}.\n{}\n",
        out.join(FILES[0]).display(),
        out.join(FILES[1]).display(),
        dermasim_core::summary::DISCLAIMER
    ));
    s
}

fn value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "-".into(),
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(x) if x.fract() != 0.0 => format!("{x:.4}"),
            _ => n.to_string(),
        },
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
