//! `dermasim sensitivity`: Sobol indices of the headline outputs with respect to the parameter
//! registry's uncertain parameters. Writes `DIR/sensitivity.json`, `DIR/sensitivity.csv` and
//! `DIR/sensitivity.svg` (the first output's indices as bars with their 95 % intervals), all
//! or none (`crate::target::OutputFiles`).

use std::fmt::Write as _;
use std::path::PathBuf;

use dermasim_core::sensitivity::Sensitivity;
use dermasim_report::plot::{Bar, BarChart, bar_chart_of};

use crate::target::{Failure, OutputFiles};

/// The files a sensitivity run writes into its directory.
pub const FILES: [&str; 3] = ["sensitivity.json", "sensitivity.csv", "sensitivity.svg"];

/// Writes the three files into the prepared target, all or none. Returns their paths.
pub fn write(target: OutputFiles, s: &Sensitivity) -> Result<Vec<PathBuf>, Failure> {
    let failed = |e: &dyn std::fmt::Display| Failure { code: 4, message: e.to_string() };
    let json = serde_json::to_string_pretty(s).map_err(|e| failed(&e))? + "\n";
    let csv = dermasim_core::sensitivity::csv(s);
    let svg = plot(s).map_err(|e| failed(&e))?;
    target.commit(&[json.as_bytes(), csv.as_bytes(), svg.as_bytes()])
}

/// First-order and total indices of the first output, one pair of bars per input.
fn plot(s: &Sensitivity) -> Result<String, dermasim_report::plot::PlotError> {
    let o = &s.outputs[0];
    let mut bars = Vec::new();
    for i in &o.indices {
        let short = i.input.split_once('.').map_or(i.input.as_str(), |(_, k)| k);
        for (kind, e, color) in [("S", &i.first_order, 0), ("ST", &i.total, 1)] {
            bars.push(Bar {
                label: format!("{kind} {short}"),
                value: e.value,
                interval: Some((e.ci_low, e.ci_high)),
                color: Some(color),
            });
        }
    }
    let chart = BarChart {
        x_label: "registry parameter (S: first order, ST: total)".into(),
        y_label: "Sobol index".into(),
        bars,
        interval_label: format!("95 % bootstrap interval ({} resamples)", s.bootstrap),
        source: "sensitivity.csv".into(),
    };
    let caption = format!(
        "Sobol indices of {} with respect to the parameter registry's uncertain parameters: {} base samples, {} runs \
(Saltelli design; first order Saltelli 2010, total Jansen 1999).",
        o.output, s.samples, s.runs
    );
    Ok(bar_chart_of("sensitivity", &format!("Sensitivity of {}", o.output), &caption, &chart)?.svg)
}

/// A few lines for the terminal: per output, the inputs by total index.
pub fn human(s: &Sensitivity, files: &[PathBuf]) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "sensitivity: {} base samples, {} runs, {} inputs (total index S_T [95 % interval]; first order S)",
        s.samples,
        s.runs,
        s.inputs.len()
    );
    for o in &s.outputs {
        let _ = writeln!(t, "  {} (variance {:.3e})", o.output, o.variance);
        let mut idx: Vec<_> = o.indices.iter().collect();
        idx.sort_by(|a, b| b.total.value.total_cmp(&a.total.value));
        for i in idx.iter().take(5) {
            let _ = writeln!(
                t,
                "    {}: S_T {:.2} [{:.2}, {:.2}], S {:.2}",
                i.input, i.total.value, i.total.ci_low, i.total.ci_high, i.first_order.value
            );
        }
    }
    for f in files {
        let _ = writeln!(t, "  wrote {}", f.display());
    }
    t
}
