//! Validation suite, foundation stage: the published measurements of
//! cases V1-V6 (`docs/validation.md`), each against its scenario in `validation/` and the
//! tolerance the case states. `docs/validation.md` tabulates the same figures.

use dermasim_core::{Outcome, scenario, simulate};

fn run(text: &str) -> Outcome {
    let s = scenario::parse(text, &[]).unwrap_or_else(|e| panic!("{:?}", e));
    simulate(&s)
}

/// V1: one straight pass puts down needles / (π·d·w) holes per cm², exactly up to the counting
/// noise of the window's edges.
#[test]
fn v1_roller_geometry() {
    let o = run(include_str!("../../../validation/v1-roller-one-pass.toml"));
    let expected = 192.0 / (std::f64::consts::PI * 2.0 * 2.0);
    let p = &o.summary.punctures;
    assert!((p.nominal_density_per_cm2.unwrap() - expected).abs() < 1e-12);
    // Edge noise: each of the 8 rings of each stroke can gain or lose one puncture at the window
    // edge; the window is 30 mm, strokes are 20 mm wide, so at most 2 strokes x 8 rings x 24
    // needles... bound the relative error by 3 %.
    let rel = (p.density_per_cm2 - expected).abs() / expected;
    assert!(rel < 0.03, "V1: {} per cm2 vs {expected}", p.density_per_cm2);
}

/// V2: stamps = frequency × time and holes = stamps × needles (per unit area: f·n/(v·spacing)).
#[test]
fn v2_pen_geometry() {
    let o = run(include_str!("../../../validation/v2-pen.toml"));
    let stamps = o.punctures.pen_stamps as f64;
    let expected = 90.0 * o.punctures.pen_path_time_s;
    let lines = 4.0;
    assert!((stamps - expected).abs() <= lines, "V2: {stamps} stamps vs {expected}");
    let nominal = 90.0 * 12.0 / (1.0 * 0.25);
    let rel = (o.summary.punctures.density_per_cm2 - nominal).abs() / nominal;
    assert!(rel < 0.02, "V2: {} per cm2 vs {nominal}", o.summary.punctures.density_per_cm2);
    assert!((o.summary.punctures.nominal_density_per_cm2.unwrap() - nominal).abs() < 1e-9);
}

/// V3: Kalluri 2011, 770 µm roller on hairless rat: depth 152.5 ± 9.6 µm and round openings
/// of surface diameter 70.7 ± 9.9 µm, within 2 SD. The depth calibrates the rat's
/// follow-through and the diameter the openings' elastic recovery (issue #17 item 3), so both
/// are consistency checks. That the openings are round (no tear along the stroke, although the
/// drum slips) is not fitted: the loose rat skin follows most of the slip, within what its edge
/// stretches to (channels::tear_tolerance_um).
#[test]
fn v3_kalluri_roller_rat() {
    let o = run(include_str!("../../../validation/v3-kalluri-rat-roller.toml"));
    let c = &o.summary.channels;
    assert!((c.mean_depth_um - 152.5).abs() <= 2.0 * 9.6, "V3 depth {}", c.mean_depth_um);
    let diameter = o.channels.iter().map(|c| (c.width_um * c.length_um).sqrt()).sum::<f64>() / o.channels.len() as f64;
    assert!((diameter - 70.7).abs() <= 2.0 * 9.9, "V3 surface diameter {diameter}");
    assert!(c.mean_length_um < 1.1 * c.mean_width_um && c.torn_fraction == 0.0, "V3 round: {c:?}");
}

/// V4: Lam 2008, steel needle below 1 mm into excised pig skin: buried length < 50 %.
#[test]
fn v4_lam_pig_inequality() {
    for length in ["0.5", "0.7", "0.9"] {
        let text = include_str!("../../../validation/v4-lam-pig.toml")
            .replace("needle_length_mm = 0.9", &format!("needle_length_mm = {length}"));
        let o = run(&text);
        assert!(
            o.summary.channels.depth_fraction_mean < 0.5,
            "V4 at {length} mm: {}",
            o.summary.channels.depth_fraction_mean
        );
    }
}

/// V5: Donnelly 2011, 600 µm array by hand in living human skin: ~460 µm, within 20 %.
#[test]
fn v5_donnelly_array_human() {
    let o = run(include_str!("../../../validation/v5-donnelly-array.toml"));
    let d = o.summary.channels.mean_depth_um;
    assert!((d - 460.0).abs() / 460.0 <= 0.20, "V5 depth {d}");
}

/// V6: Sasaki 2019, pen at 0.5 and 1.5 mm in excised facial skin: depth close to the setting,
/// within 25 %.
#[test]
fn v6_sasaki_pen() {
    for (text, setting) in [
        (include_str!("../../../validation/v6-sasaki-pen-0.5.toml"), 500.0),
        (include_str!("../../../validation/v6-sasaki-pen-1.5.toml"), 1500.0),
    ] {
        let o = run(text);
        let d = o.summary.channels.mean_depth_um;
        assert!((d - setting).abs() / setting <= 0.25, "V6 at {setting} um: {d}");
    }
}
