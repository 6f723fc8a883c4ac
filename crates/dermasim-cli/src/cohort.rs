//! `dermasim cohort`: a virtual cohort of patients given the scenario's treatment series.
//! Writes `DIR/cohort.json` and `DIR/cohort.html` (the page, with the grade-change chart), both
//! or neither: each goes to a temporary file beside it, and they are renamed into place only
//! when both are complete.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use dermasim_core::cohort::{self, CohortResult};
use dermasim_core::scenario::Scenario;

/// The files a cohort writes into `dir`: `cohort.json`, `cohort.html`.
pub fn targets(dir: &Path) -> [PathBuf; 2] {
    [dir.join("cohort.json"), dir.join("cohort.html")]
}

/// Refuses to replace an existing `cohort.json` or `cohort.html` unless `force`.
pub fn check_target(dir: &Path, force: bool) -> Result<(), String> {
    if dir.exists() && !dir.is_dir() {
        return Err(format!("--out {} exists and is not a directory", dir.display()));
    }
    for file in targets(dir) {
        if file.exists() && !force {
            return Err(format!("{} exists: choose another --out or pass --force to replace it", file.display()));
        }
    }
    Ok(())
}

/// Runs the cohort (errors name the option or field at fault).
pub fn run(s: &Scenario, patients: usize, seed: u64) -> Result<CohortResult, String> {
    cohort::run(s, patients, seed).map_err(|e| e.message)
}

/// Writes `cohort.json` and `cohort.html` into `dir`, both or neither. Returns their paths.
pub fn write(dir: &Path, result: &CohortResult) -> Result<[PathBuf; 2], String> {
    // Everything is rendered before anything is written.
    let json = serde_json::to_string_pretty(result).map_err(|e| e.to_string())? + "\n";
    let html = dermasim_report::cohort_html(result).map_err(|e| e.to_string())?;
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let files = targets(dir);
    let tmp = |f: &Path| {
        let name = f.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        dir.join(format!(".{name}.tmp-{}", std::process::id()))
    };
    let tmps = [tmp(&files[0]), tmp(&files[1])];
    let written = [json.as_bytes(), html.as_bytes()]
        .iter()
        .zip(&tmps)
        .try_for_each(|(bytes, t)| fs::write(t, bytes).map_err(|e| format!("cannot write {}: {e}", t.display())))
        .and_then(|()| {
            tmps.iter().zip(&files).try_for_each(|(t, f)| {
                fs::rename(t, f).map_err(|e| format!("cannot move {} into place: {e}", f.display()))
            })
        });
    if written.is_err() {
        for t in &tmps {
            let _ = fs::remove_file(t);
        }
    }
    written.map(|()| files)
}

/// A few lines for the terminal.
pub fn human(r: &CohortResult, files: &[PathBuf]) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}: {} virtual patients, {} sessions {} days apart, {} days after the last",
        r.scenario, r.patients, r.sessions, r.interval_days, r.follow_up_days
    );
    let _ = writeln!(
        o,
        "  scar score {:.2} ± {:.2} -> {:.2} ± {:.2}; collagen {:+.1} ± {:.1} %",
        r.score_before.mean,
        r.score_before.sd,
        r.score_after.mean,
        r.score_after.sd,
        r.collagen_change_pct.mean,
        r.collagen_change_pct.sd
    );
    let _ = writeln!(
        o,
        "  improved >= 1 grade: {:.0} %, >= 2 grades: {:.0} %",
        100.0 * r.improved_1_grade_or_more_fraction,
        100.0 * r.improved_2_grades_or_more_fraction
    );
    for f in files {
        let _ = writeln!(o, "  wrote {}", f.display());
    }
    let _ = writeln!(o, "  {}", r.disclaimer);
    o
}
