//! Validation suite, transport stage: `../shared/validation/cases.md` V12 through the whole
//! pipeline (V10 and V11 concern the chemistry alone: `crates/dermasim-transport/tests/props.rs`).

use dermasim_core::{scenario, simulate};

/// V12: Mohammed 2014, peptides through microneedle-treated excised human skin: "2 to 22 fold
/// signal improvement" in the skin at 1 and 24 h. Compared as the ratio of the amount in the
/// skin (treated / intact), what a fluorescence image of the skin measures.
#[test]
fn v12_peptide_enhancement_in_the_published_band() {
    let text = include_str!("../../../validation/v12-peptide-roller-excised.toml");
    for hours in ["1", "24"] {
        let s = scenario::parse(text, &[format!("simulation.duration_h={hours}")]).unwrap();
        let o = simulate(&s);
        let d = &o.delivery.products["palmitoyl-pentapeptide-4"];
        let r = d.skin_content_ratio.unwrap();
        assert!((2.0..=22.0).contains(&r), "V12 at {hours} h: skin-content ratio {r}");
        assert!(d.mass_balance_rel_error < 1e-9);
    }
}
