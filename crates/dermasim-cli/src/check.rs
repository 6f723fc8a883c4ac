//! `dermasim check`: the safety screening alone, fast (no transport over the treated area).

use dermasim_core::safety::{self, Finding, ScreenContext, Severity};
use dermasim_core::scenario::Scenario;

/// Exit code when the worst finding is a caution.
pub const EXIT_CAUTION: u8 = 1;
/// Exit code when something is contraindicated.
pub const EXIT_CONTRAINDICATED: u8 = 3;

/// Screens a scenario: the findings and the exit code (0 nothing above info, 1 caution,
/// 3 contraindicated).
pub fn run(s: &Scenario) -> (Vec<Finding>, u8) {
    let findings = safety::screen(s, &ScreenContext::of(s));
    let code = match safety::verdict(&findings) {
        Severity::Info => 0,
        Severity::Caution => EXIT_CAUTION,
        Severity::Contraindicated => EXIT_CONTRAINDICATED,
    };
    (findings, code)
}

/// The findings grouped by severity, contraindicated first, for a terminal.
pub fn human(name: &str, findings: &[Finding]) -> String {
    let verdict = match safety::verdict(findings) {
        Severity::Info => "ok",
        s => s.name(),
    };
    let mut out = format!("{name}: safety verdict {verdict} ({} finding(s))\n", findings.len());
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
