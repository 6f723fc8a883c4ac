//! Session time (`procedure`; V17 of `crates/dermasim-core/tests/validation_safety.rs`).

use dermasim_core::procedure;

use super::{Role, Row, scenario, within};

/// V17: a full face (300 cm², `[A]`) needled in 20-30 min (the seed), tolerance 15-40 min.
pub fn rows() -> Result<Vec<Row>, String> {
    let roller = "[device]\ntype = \"dermaroller\"\npreset = \"roller-192\"\nneedle_length_mm = 1.5";
    // literature.md §1.1: "15 to 20 vertical, horizontal and oblique passes" [S]: 4 in each of 4 directions.
    let roller_16 = "passes = [{ direction_deg = 0, count = 4 }, { direction_deg = 90, count = 4 }, { direction_deg = 45, \
count = 4 }, { direction_deg = 135, count = 4 }]";
    let pen = |preset: &str| format!("[device]\ntype = \"dermapen\"\npreset = \"{preset}\"\nneedle_length_mm = 1.0");
    let cases = [
        ("roller-192, 16 passes", roller.to_string(), roller_16.to_string()),
        ("pen-36, crisscross", pen("pen-36"), "pen_path = { directions_deg = [0, 90] }".to_string()),
        ("pen-12, one direction", pen("pen-12"), "pen_path = { directions_deg = [0] }".to_string()),
        ("pen-12, crisscross", pen("pen-12"), "pen_path = { directions_deg = [0, 90] }".to_string()),
    ];
    let mut rows = Vec::new();
    for (name, device, protocol) in cases {
        let s = scenario(&format!(
            "[skin]\nsite = \"cheek\"\n{device}\n[protocol]\nsetting = \"office\"\narea_cm2 = {}\n{protocol}\n",
            procedure::FULL_FACE_CM2
        ))?;
        rows.push(within(
            format!("V17 full face, {name}: needling time"),
            "seed: 'the whole process takes around 20-30 minutes' [S]",
            "20-30 min",
            procedure::estimate(&s, None).duration_min,
            (15.0, 40.0),
            "min",
            "15-40 min",
            Role::Independent,
        ));
    }
    Ok(rows)
}
