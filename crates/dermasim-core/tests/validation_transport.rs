//! Validation suite, transport stage: `../shared/validation/cases.md` V12 through the whole
//! pipeline (V10 and V11 concern the chemistry alone: `crates/dermasim-transport/tests/props.rs`).

use dermasim_core::{scenario, simulate};

/// V12: Mohammed 2014, peptides through microneedle-treated excised human skin: "2 to 22 fold
/// signal improvement" in the skin at 1 and 24 h. Compared as the ratio of the amount in the
/// skin (treated / intact), what a fluorescence image of the skin measures.
///
/// A documented miss since issue #17: the assumed 1.0 mm roller's channels reach about 0.83 mm
/// into excised skin with the human-calibrated mechanics (about 0.2 mm with the rat-calibrated
/// roller): at 1 h the ratio (about 107) lands 4.9x above the band, pinned here with its size; at
/// 24 h (about 3.1) it is inside. The study's device and passes are assumptions of the scenario,
/// not data.
#[test]
fn v12_peptide_enhancement_known_miss() {
    let text = include_str!("../../../validation/v12-peptide-roller-excised.toml");
    for (hours, band) in [("1", (80.0, 140.0)), ("24", (2.0, 22.0))] {
        let s = scenario::parse(text, &[format!("simulation.duration_h={hours}")]).unwrap();
        let o = simulate(&s);
        let d = &o.delivery.products["palmitoyl-pentapeptide-4"];
        let r = d.skin_content_ratio.unwrap();
        assert!((band.0..=band.1).contains(&r), "V12 at {hours} h: skin-content ratio {r}");
        assert!(d.mass_balance_rel_error < 1e-9);
    }
}
