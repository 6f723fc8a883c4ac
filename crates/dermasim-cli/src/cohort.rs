//! `dermasim cohort`: a virtual cohort of patients given the scenario's treatment series.
//! Writes `DIR/cohort.json` and `DIR/cohort.html` (the page, with the outcome chart), both
//! or neither (`crate::target::OutputFiles`).

use std::fmt::Write as _;
use std::path::PathBuf;

use dermasim_core::cohort::{self, CohortResult};
use dermasim_core::scenario::Scenario;

use crate::target::{Failure, OutputFiles};

/// The files a cohort writes into its directory.
pub const FILES: [&str; 2] = ["cohort.json", "cohort.html"];

/// Runs the cohort (errors name the option or field at fault).
pub fn run(s: &Scenario, patients: usize, seed: u64) -> Result<CohortResult, String> {
    cohort::run(s, patients, seed).map_err(|e| e.message)
}

/// Writes `cohort.json` and `cohort.html` into the prepared target, both or neither. Returns
/// their paths.
pub fn write(target: OutputFiles, result: &CohortResult) -> Result<Vec<PathBuf>, Failure> {
    // Everything is rendered before anything is put in place.
    let failed = |e: &dyn std::fmt::Display| Failure { code: 4, message: e.to_string() };
    let json = serde_json::to_string_pretty(result).map_err(|e| failed(&e))? + "\n";
    let html = dermasim_report::cohort_html(result).map_err(|e| failed(&e))?;
    target.commit(&[json.as_bytes(), html.as_bytes()])
}

/// A few lines for the terminal.
pub fn human(r: &CohortResult, files: &[PathBuf]) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}: {} virtual patients, {} sessions {} days apart, {} days after the last",
        r.scenario, r.patients, r.sessions, r.interval_days, r.follow_up_days
    );
    let _ = writeln!(o, "  {} on the {}", r.indication.name(), r.scale);
    let _ = writeln!(
        o,
        "  severity {:.2} ± {:.2} -> {:.2} ± {:.2} ({:.0} ± {:.0} % better); papillary collagen {:+.1} ± {:.1} %",
        r.severity_before.mean,
        r.severity_before.sd,
        r.severity_after.mean,
        r.severity_after.sd,
        r.improvement_pct.mean,
        r.improvement_pct.sd,
        r.collagen_change_pct.mean,
        r.collagen_change_pct.sd
    );
    let c = &r.outcomes;
    let p = |x: &dermasim_core::cohort::Proportion| {
        format!("{:.0} % ({:.0}-{:.0})", 100.0 * x.fraction, 100.0 * x.ci95[0], 100.0 * x.ci95[1])
    };
    let _ = writeln!(
        o,
        "  grades (95 % interval): worse {}, same {}, +1 {}, +2 {}, +3 or more {}",
        p(&c.worsened),
        p(&c.unchanged),
        p(&c.improved_1),
        p(&c.improved_2),
        p(&c.improved_3_or_more)
    );
    let _ = writeln!(
        o,
        "  adverse events: hyperpigmentation {}, redness beyond 72 h {}, procedural scar {}",
        p(&r.adverse_events.pih),
        p(&r.adverse_events.prolonged_erythema),
        p(&r.adverse_events.scarring)
    );
    for f in files {
        let _ = writeln!(o, "  wrote {}", f.display());
    }
    let _ = writeln!(o, "  {}", r.disclaimer);
    o
}
