//! `dermasim check`: the safety screening alone, fast (no transport over the treated area).
//! The screening is `dermasim_core::safety::check`, the same stages and rules a run uses.

use dermasim_core::safety::{self, Finding, SafetySummary, Severity, Verdict};
use dermasim_core::scenario::Scenario;

/// Exit code when the worst finding is a caution.
pub const EXIT_CAUTION: u8 = 1;
/// Exit code when something is contraindicated.
pub const EXIT_CONTRAINDICATED: u8 = 3;

/// The exit code of a verdict: 0 ok, 1 caution, 3 contraindicated.
pub fn exit_code(v: Verdict) -> u8 {
    match v {
        Verdict::Ok => 0,
        Verdict::Caution => EXIT_CAUTION,
        Verdict::Contraindicated => EXIT_CONTRAINDICATED,
    }
}

/// Screens a scenario: the `safety` section (verdict, findings, injury numbers) and the exit
/// code.
pub fn run(s: &Scenario) -> (SafetySummary, u8) {
    let summary = safety::check(s).summary;
    let code = exit_code(summary.verdict);
    (summary, code)
}

/// The findings grouped by severity, contraindicated first, for a terminal.
pub fn human(name: &str, summary: &SafetySummary) -> String {
    let findings = &summary.findings;
    let mut out = format!("{name}: safety verdict {} ({} finding(s))\n", summary.verdict.name(), findings.len());
    for sev in [Severity::Contraindicated, Severity::Caution, Severity::Info] {
        let group: Vec<&Finding> = findings.iter().filter(|f| f.severity == sev).collect();
        if group.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{}:\n", sev.name().to_uppercase()));
        for f in group {
            out.push_str(&format!("  [{}] {} ({})\n      source: {}\n", f.code, f.message, f.field, f.source));
        }
    }
    out.push_str(&format!("\n{}\n", dermasim_core::summary::DISCLAIMER));
    out
}
