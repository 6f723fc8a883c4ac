//! Fuzz target: any bytes as a scenario file, optionally followed by `--set` overrides.
//!
//! Input: the scenario text, then optionally a line `#--set` and one override per line. The
//! target parses and validates it (`scenario::parse`); for a valid scenario it checks the
//! resource limits (`scenario::limits::check`) and the warnings, and runs what `dermasim check`
//! runs (the safety screening with its context: punctures and channels on the screening window,
//! healing, numbing). Nothing may panic, overflow the stack or run unbounded.

#![no_main]

use dermasim_core::safety::{ScreenContext, screen, verdict};
use dermasim_core::scenario::{limits, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else { return };
    let (text, sets) = match input.split_once("\n#--set\n") {
        Some((t, rest)) => (t, rest.lines().map(str::to_string).collect::<Vec<_>>()),
        None => (input, Vec::new()),
    };
    let Ok(s) = parse(text, &sets) else { return };
    let within = limits::check(&s).is_ok();
    let _ = limits::warnings(&s);
    // `check` screens whatever the limits say (its window is bounded on its own).
    let findings = screen(&s, &ScreenContext::of(&s));
    let _ = verdict(&findings);
    let _ = within;
});
