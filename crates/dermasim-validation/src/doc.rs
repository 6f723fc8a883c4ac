//! The generated part of `docs/validation.md`: the count of independent checks passing, then the
//! calibration data and the independent checks in two tables, from [`crate::cases`].

use std::fmt::Write as _;

use crate::calibrate::Fit;
use crate::cases::{Num, Role, Row};

/// The markers around the generated part of `docs/validation.md`.
pub const DOC_BEGIN: &str = "<!-- validation:begin (generated) -->";
/// See [`DOC_BEGIN`].
pub const DOC_END: &str = "<!-- validation:end -->";

/// The command that regenerates it.
pub const REGENERATE: &str = "DERMASIM_UPDATE_DOCS=1 cargo test --workspace --test validation_doc";

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn result(r: &Row) -> String {
    match &r.miss {
        None => "pass".to_string(),
        Some(by) => format!("**miss** ({by})"),
    }
}

/// The generated Markdown (without the markers): the count, the fits of the calibrated
/// parameters, the calibration rows and the independent checks.
pub fn markdown(rows: &[Row], fits: &[Fit]) -> String {
    let independent: Vec<&Row> = rows.iter().filter(|r| r.role == Role::Independent).collect();
    let calibration: Vec<&Row> = rows.iter().filter(|r| r.role != Role::Independent).collect();
    let passing = independent.iter().filter(|r| r.pass).count();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Generated from the validation runs (`crates/dermasim-validation`); do not edit by hand. Regenerate with \
`{REGENERATE}`. How to add a case: `docs/validation.md` § *Adding a case* below.\n"
    );
    let _ = writeln!(
        out,
        "**Independent checks passing: {passing} of {}** (the generated tables; the hand-written sections below \
hold the cases not yet moved into them).\n",
        independent.len()
    );
    let _ = writeln!(out, "### Fits of the calibrated parameters (`dermasim calibrate`)\n");
    let _ =
        writeln!(out, "| parameter | training dataset | fitted | uncertainty (data's spread) | today | today vs fit |");
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for f in fits {
        let within = if f.reproduces_today() { "within" } else { "**outside**" };
        let _ = writeln!(
            out,
            "| `{}` ({}) | `validation/training/{}` | {} | {} to {} | {} | {:+.1} % ({within}) |",
            f.parameter,
            f.unit,
            f.dataset_file,
            Num(f.value),
            Num(f.interval.0),
            Num(f.interval.1),
            Num(f.today),
            // No "-0.0 %" for a closed form equal to its fit.
            if f.today_offset().abs() < 5e-4 { 0.0 } else { 100.0 * f.today_offset() }
        );
    }
    let uncovered = crate::calibrate::uncovered();
    if !uncovered.is_empty() {
        let _ = writeln!(
            out,
            "\nCalibrated registry entries (`[C]`) without a training dataset yet (fitted by hand or in closed form \
inside their stage; their data are calibration all the same):\n"
        );
        for p in uncovered {
            let _ = writeln!(out, "- `{}`: {}", p.name, cell(p.provenance.text()));
        }
    }
    let _ = writeln!(out, "\n### Calibration data (used in fits: consistency checks, not validation)\n");
    let _ = writeln!(out, "| case | source | published | dermasim | parameter fitted | result |");
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for r in &calibration {
        let Role::Calibration { parameter } = &r.role else { continue };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&r.case),
            cell(&r.source),
            cell(&r.published),
            cell(&r.dermasim),
            cell(parameter),
            result(r)
        );
    }
    let _ = writeln!(out, "\n### Independent checks (no parameter fitted to them)\n");
    let _ = writeln!(out, "| case | source | published | dermasim | tolerance | result |");
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for r in &independent {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&r.case),
            cell(&r.source),
            cell(&r.published),
            cell(&r.dermasim),
            cell(&r.tolerance),
            result(r)
        );
    }
    out
}

/// `doc` with its generated part replaced by `generated`.
pub fn splice(doc: &str, generated: &str) -> Result<String, String> {
    let b = doc.find(DOC_BEGIN).ok_or("docs/validation.md has no generated part (begin marker)")?;
    let e = doc.find(DOC_END).ok_or("docs/validation.md has no generated part (end marker)")?;
    if e < b {
        return Err("docs/validation.md: the end marker comes before the begin marker".into());
    }
    Ok(format!("{}{DOC_BEGIN}\n{generated}{}", &doc[..b], &doc[e..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::within;

    #[test]
    fn the_count_is_of_independent_checks_only() {
        let rows = vec![
            within("a", "s", "p", 1.0, (0.0, 2.0), "u", "t", Role::Independent),
            within("b", "s", "p", 3.0, (0.0, 2.0), "u", "t", Role::Independent),
            within("c", "s", "p", 1.0, (0.0, 2.0), "u", "t", Role::Calibration { parameter: "x".into() }),
        ];
        let md = markdown(&rows, &[]);
        assert!(md.contains("Independent checks passing: 1 of 2"), "{md}");
        assert!(md.contains("**miss** (1.00 u over, 50 %)"), "{md}");
        let doc = format!("intro\n{DOC_BEGIN}\nold\n{DOC_END}\nrest\n");
        let new = splice(&doc, &md).unwrap();
        assert!(new.starts_with("intro\n") && new.ends_with(&format!("{DOC_END}\nrest\n")) && !new.contains("\nold\n"));
    }
}
