//! `dermasim cohort`: a virtual cohort of patients given the scenario's treatment series.
//! Writes `DIR/cohort.json` whole or not at all (a temporary file beside it, then a rename).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use dermasim_core::cohort::{self, CohortResult};
use dermasim_core::scenario::Scenario;

/// Where `cohort.json` goes in `dir`.
pub fn target(dir: &Path) -> PathBuf {
    dir.join("cohort.json")
}

/// Refuses to replace an existing `cohort.json` unless `force`.
pub fn check_target(dir: &Path, force: bool) -> Result<(), String> {
    if dir.exists() && !dir.is_dir() {
        return Err(format!("--out {} exists and is not a directory", dir.display()));
    }
    let file = target(dir);
    if file.exists() && !force {
        return Err(format!("{} exists: choose another --out or pass --force to replace it", file.display()));
    }
    Ok(())
}

/// Runs the cohort (errors name the option or field at fault).
pub fn run(s: &Scenario, patients: usize, seed: u64) -> Result<CohortResult, String> {
    cohort::run(s, patients, seed).map_err(|e| e.message)
}

/// Writes `cohort.json` into `dir` atomically.
pub fn write(dir: &Path, result: &CohortResult) -> Result<PathBuf, String> {
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let json = serde_json::to_string_pretty(result).map_err(|e| e.to_string())? + "\n";
    let file = target(dir);
    let tmp = dir.join(format!(".cohort.json.tmp-{}", std::process::id()));
    let result = fs::write(&tmp, json)
        .map_err(|e| format!("cannot write {}: {e}", tmp.display()))
        .and_then(|()| fs::rename(&tmp, &file).map_err(|e| format!("cannot move {} into place: {e}", file.display())));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map(|()| file)
}

/// A few lines for the terminal.
pub fn human(r: &CohortResult, file: &Path) -> String {
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
    let _ = writeln!(o, "  wrote {}", file.display());
    let _ = writeln!(o, "  {}", r.disclaimer);
    o
}
