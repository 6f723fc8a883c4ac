//! Numbing: the depth of analgesia under occluded EMLA (`numbing`; the checks of
//! `crates/dermasim-core/tests/validation_safety.rs`).

use dermasim_core::numbing;

use super::{Role, Row, scenario, within};

const THIGH: &str = "[skin]\nsite = \"thigh\"\n[device]\ntype = \"dermapen\"\npreset = \"pen-12\"\nneedle_length_mm = 1.5\n\
[protocol]\nsetting = \"office\"\narea_cm2 = 20\nnumbing = { cream = \"emla\", minutes = 60, occluded = true }\n";

/// Wahlgren & Quiding 2000: occluded EMLA on the thigh, a biopsy punch pushed in 1-mm steps about
/// 10 min after removal.
pub fn rows() -> Result<Vec<Row>, String> {
    let t = scenario(THIGH)?.skin.layers;
    let bottom = t.boundaries_um()[3];
    let depth = |app: f64| -> Result<f64, String> {
        let c = numbing::course(&numbing::EMLA, &t, true, app, app + 10.0)?;
        Ok(numbing::analgesia_depth_um(c.onset.depth_at(app + 10.0), bottom))
    };
    let source = "Wahlgren & Quiding 2000, J Am Acad Dermatol 42:584 [V]; human, thigh, occluded EMLA";
    let mut rows = Vec::new();
    for (app, published) in [(60.0, 2900.0), (120.0, 4500.0)] {
        rows.push(within(
            format!("depth of analgesia, {app} min application"),
            source,
            format!("{published} um (mean depth with acceptable pain)"),
            depth(app)?,
            (published - 1000.0, published + 1000.0),
            "um",
            "±1 mm (the punch's step)",
            Role::Independent,
        ));
    }
    for app in [180.0, 240.0] {
        rows.push(within(
            format!("depth of analgesia, {app} min application"),
            source,
            "≥ 6000 um (the deepest tried, in 5 of 5 subjects)",
            depth(app)?,
            (6000.0, f64::INFINITY),
            "um",
            "≥ 6 mm",
            Role::Independent,
        ));
    }
    Ok(rows)
}
