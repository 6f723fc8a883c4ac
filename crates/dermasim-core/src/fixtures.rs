//! Scenario texts shared by the unit tests of several stages (test builds only).

/// A 1.0 mm office roller on the forearm, two passes over 4 cm², transport off, seed 3: a run
/// that takes milliseconds, for tests of what wraps the pipeline (sweeps, comparisons).
pub(crate) const FOREARM_ROLLER: &str = r#"name = "base"
[skin]
site = "forearm"
[device]
type = "dermaroller"
preset = "roller-192"
needle_length_mm = 1.0
[protocol]
setting = "office"
area_cm2 = 4
passes = [{ direction_deg = 0, count = 2 }]
[simulation]
seed = 3
transport = "off"
"#;
