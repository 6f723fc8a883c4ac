//! Numbing: the depth of analgesia under occluded EMLA (`numbing`; the checks of
//! `crates/dermasim-core/tests/validation_safety.rs`).

use dermasim_core::{numbing, safety};

use super::{Role, Row, scenario, within};

/// The numbing checks' scenario: occluded EMLA for 60 min before a treatment on `site`.
fn emla_scenario(
    site: &str,
    kind: &str,
    preset: &str,
    length_mm: f64,
) -> Result<dermasim_core::scenario::Scenario, String> {
    scenario(&format!(
        "[skin]\nsite = \"{site}\"\n[device]\ntype = \"{kind}\"\npreset = \"{preset}\"\nneedle_length_mm = {length_mm}\n\
[protocol]\nsetting = \"office\"\narea_cm2 = 20\nnumbing = {{ cream = \"emla\", minutes = 60, occluded = true }}\n"
    ))
}

/// Wahlgren & Quiding 2000: occluded EMLA on the thigh, a biopsy punch pushed in 1-mm steps about
/// 10 min after removal.
pub fn rows() -> Result<Vec<Row>, String> {
    let t = emla_scenario("thigh", "dermapen", "pen-12", 1.5)?.skin.layers;
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
    // V16: the recommendation against EMLA's label, minor (1.0 mm roller) and major (1.5 mm pen)
    // procedures on the forearm (the label names no site, [A]).
    let label = "EMLA label [V]; human";
    for (what, kind, preset, length, label_min) in [
        ("minor procedure: 1.0 mm roller", "dermaroller", "roller-192", 1.0, 60.0),
        ("major dermal procedure: 1.5 mm pen", "dermapen", "pen-12", 1.5, 120.0),
    ] {
        let n = safety::check(&emla_scenario("forearm", kind, preset, length)?)
            .numbing
            .ok_or("the numbing check gave no assessment")?;
        rows.push(within(
            format!("V16 EMLA time, {what}, forearm (recommended / label)"),
            label,
            format!("at least {label_min} min"),
            n.recommended_minutes / label_min,
            (0.75, 1.5),
            "× the label",
            "0.75-1.5× the label",
            Role::Independent,
        ));
    }
    // Systemic uptake of each base against the SmPC's fractions (factor 2).
    let smpc = "EMLA Cream 5 % SmPC §5.2 [V]; human";
    for (site, grams, area, minutes, published) in
        [("cheek", 10.0, 100.0, 120.0, 0.10), ("thigh", 60.0, 400.0, 180.0, 0.05)]
    {
        let t = emla_scenario(site, "dermapen", "pen-12", 1.5)?.skin.layers;
        let e = numbing::exposure(&numbing::EMLA, &t, true, minutes, grams, area, 35.0)?;
        for b in &e.bases {
            rows.push(within(
                format!("systemic uptake of {}, {site}, {grams} g on {area} cm² for {minutes} min", b.base),
                smpc,
                format!("about {} % of the dose", published * 100.0),
                b.systemic_mg / b.applied_mg / published,
                (0.5, 2.0),
                "× the published share",
                "factor 2",
                Role::Independent,
            ));
        }
    }
    Ok(rows)
}
