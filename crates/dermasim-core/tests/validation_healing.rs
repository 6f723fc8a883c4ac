//! Validation suite, healing stage: the published cases (`docs/validation.md`) V7-V9 and V13 (resealing,
//! barrier, redness; V14-V15, the treatment series, are in `validation_outcomes.rs`), each against its scenario in
//! `validation/` and the tolerance the case states. `docs/validation.md` tabulates the
//! same figures and says which data calibrate which parameters (those cases are consistency
//! checks, not independent validation).

use dermasim_core::healing::{self, ClosureConditions};
use dermasim_core::{Outcome, scenario, simulate};

fn run_with(text: &str, set: &[&str]) -> Outcome {
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    let s = scenario::parse(text, &set).unwrap_or_else(|e| panic!("{:?}", e));
    simulate(&s)
}

fn healing_of(o: &Outcome) -> &healing::Healing {
    o.healing.as_ref().expect("living skin heals")
}

const V7: &str = include_str!("../../../validation/v7-kalluri-closure.toml");
const V8: &str = include_str!("../../../validation/v8-patch-human-occluded.toml");
const ROLLER: &str = include_str!("../../../validation/v13-redness-roller.toml");
const PEN: &str = include_str!("../../../validation/v13-redness-pen.toml");

const HOME_PASSES: &str = "protocol.passes=[{direction_deg=0,count=2},{direction_deg=90,count=2}]";

/// V7: Kalluri 2011, rollers on hairless rat: pores closed by ~12 h (370 µm) and ~18 h (770 µm),
/// TEWL back in 4-5 h; within 50 %. (Calibration data of the pore depth exponent, the pore time
/// scale and the rat barrier factor: a consistency check.)
#[test]
fn v7_kalluri_rat_closure() {
    for (length, expected) in [("0.37", 12.0), ("0.77", 18.0)] {
        let o = run_with(V7, &[&format!("device.needle_length_mm={length}")]);
        let h = healing_of(&o);
        let rel = (h.channels_closed_h - expected).abs() / expected;
        assert!(rel <= 0.5, "V7 {length} mm: closed at {} h vs {expected} h", h.channels_closed_h);
        assert!((2.25..=7.5).contains(&h.barrier_recovered_h), "V7 barrier {} h vs 4-5 h", h.barrier_recovered_h);
        // The two clocks: the barrier is back before the pores close.
        assert!(h.barrier_recovered_h < h.channels_closed_h);
    }
}

/// V8: PMC8259462, human, under a patch: mean closure 58-63 h and half-life 20-26 h, within the
/// reported SD. (Calibration data of the Hill exponent and the occlusion factor.)
#[test]
fn v8_human_patch_lifetime() {
    let o = run_with(V8, &[]);
    let h = healing_of(&o);
    assert!(h.conditions.occluded);
    assert!((h.channels_closed_h - 60.6).abs() <= healing::PATCH_T95_SD_H, "V8 closure {} h", h.channels_closed_h);
    let half =
        healing::channels_half_open_h(&o.channels, &o.scenario.skin, h.conditions, healing::HealingModel::registry());
    assert!((half - 23.3).abs() <= healing::PATCH_T50_SD_H, "V8 half-life {half} h");
}

/// V9: Gupta 2011, human, unoccluded: every array's barrier recovered "within 2 h". Gupta
/// tested arrays (needle length, number and cross-section varied), so the check runs on arrays:
/// the reference array unoccluded (its 1.5 h is the calibration reading of the bound), the same
/// array with 500 and 1000 µm needles, and Bal 2008's 200 and 400 µm arrays (independent).
/// Dense rollers and pens are not arrays: [`dense_devices_against_sasaki_2019`].
#[test]
fn v9_unoccluded_barrier_human_arrays() {
    let bal = |l: &str| {
        format!(
            "[skin]\nsite = \"forearm\"\n[device]\ntype = \"stamp\"\npreset = \"array-600\"\nneedle_length_mm = {l}\n[protocol]\nsetting = \"office\"\narea_cm2 = 1\n[simulation]\nseed = 1\ntransport = \"off\"\n"
        )
    };
    let (b2, b4) = (bal("0.2"), bal("0.4"));
    let cases: [(&str, &[&str]); 5] = [
        (V8, &["products[0].occluded=false"]),
        (V8, &["products[0].occluded=false", "device.needle_length_mm=0.5"]),
        (V8, &["products[0].occluded=false", "device.needle_length_mm=1.0"]),
        (&b2, &[]),
        (&b4, &[]),
    ];
    for (text, set) in cases {
        let o = run_with(text, set);
        let h = healing_of(&o);
        assert!(!h.conditions.occluded);
        assert!(h.barrier_recovered_h <= 2.0, "V9 {set:?}: {} h", h.barrier_recovered_h);
    }
}

/// Sasaki 2019 (pen, face, human) \[V\]: after a 0.5 mm pen TEWL "remained slightly higher than
/// baseline throughout the 48-h evaluation period"; after 1.5 mm "the highest- and
/// longest-lasting values". The direction is reproduced (denser, deeper, wider pores read as
/// recovered later); the duration is a documented **miss**: the barrier clock (calibrated on
/// arrays) reads the 9000/cm² pen as recovered in 4-8 h, more than 40 h short. Pinned here.
#[test]
fn dense_devices_against_sasaki_2019() {
    let b = |l: &str| healing_of(&run_with(PEN, &[&format!("device.needle_length_mm={l}")])).barrier_recovered_h;
    let (p05, p15) = (b("0.5"), b("1.5"));
    assert!(p15 > p05, "1.5 mm pen {p15} h vs 0.5 mm {p05} h");
    assert!((3.0..6.0).contains(&p05), "0.5 mm pen barrier {p05} h (miss: Sasaki >= 48 h)");
    assert!((5.5..9.5).contains(&p15), "1.5 mm pen barrier {p15} h (miss: Sasaki >= 48 h)");
    // Rollers, 16 passes: longer needles, later barrier; all within hours.
    let r = |l: &str| healing_of(&run_with(ROLLER, &[&format!("device.needle_length_mm={l}")])).barrier_recovered_h;
    let (r10, r25) = (r("1.0"), r("2.5"));
    assert!(r25 > r10 && r25 < 6.0, "{r10} {r25}");
}

/// V13: redness within 24-72 h after typical office treatments (PMC8008152 [V] "within 72 hours";
/// the 24 h floor is a pen page [S]) and 2-5 days after deep dense ones (clinic page [S]), inside
/// each band. The 1.5 mm roller calibrates the dermal decay time; the other cases are checks.
/// The misses (home rollers, the 0.5 mm roller: Bal 2008's bound makes light sessions fade in
/// hours) are in `docs/validation.md` and [`v13_known_misses_stay_as_documented`]. The 1.0 mm
/// roller, a miss (21.5 h) before the openings model, passes since its channels tear in taut
/// human skin (slip ~570 µm beyond the ~210 µm the hole's edge takes; issue #17 item 3) and torn
/// channels injure more (`healing.torn_extra`, an assumption): a mechanism, not a fit to it.
#[test]
fn v13_redness_bands() {
    type Case<'a> = (&'a str, &'a str, Vec<&'a str>, (f64, f64));
    let cases: Vec<Case> = vec![
        ("1.5 mm roller", ROLLER, vec![], (24.0, 72.0)),
        ("1.0 mm roller", ROLLER, vec!["device.needle_length_mm=1.0"], (24.0, 72.0)),
        ("0.5 mm pen", PEN, vec!["device.needle_length_mm=0.5"], (24.0, 72.0)),
        ("1.0 mm pen", PEN, vec!["device.needle_length_mm=1.0"], (24.0, 72.0)),
        ("1.5 mm pen", PEN, vec!["device.needle_length_mm=1.5"], (24.0, 72.0)),
        ("2.5 mm roller", ROLLER, vec!["device.needle_length_mm=2.5"], (48.0, 120.0)),
        ("2.5 mm pen", PEN, vec!["device.needle_length_mm=2.5"], (48.0, 120.0)),
    ];
    for (name, text, set, (lo, hi)) in cases {
        let o = run_with(text, &set);
        let h = healing_of(&o);
        let t = h.erythema_resolved_h;
        assert!((lo..=hi).contains(&t), "V13 {name}: redness resolved at {t:.1} h, band {lo}-{hi} h");
        assert!(h.erythema_peak > 0.0 && h.erythema_peak <= 1.0);
        assert!(h.erythema_peak_delta_a > h.erythema_visible_delta_a);
    }
    // Longer roller needles never fade sooner.
    let mut last = 0.0;
    for l in ["0.5", "1.0", "1.5", "2.5"] {
        let t = healing_of(&run_with(ROLLER, &[&format!("device.needle_length_mm={l}")])).erythema_resolved_h;
        assert!(t >= last, "{l} mm roller fades sooner ({t} h < {last} h)");
        last = t;
    }
}

/// The V13 misses, pinned so that a change in them is noticed. Bal 2008 (one press of a 400 µm
/// array on people: redness < 2 h) bounds the dermal footprint; a lighter injury cannot stay red
/// longer. The home rollers (4 passes: fewer punctures per cm² than Bal's press, channels 98 and
/// 204 µm) fade in under an hour against 3-6 h (a roller series of unstated needle length, Hong
/// Kong J Dermatol Venereol 2018); the 16-pass 0.5 mm roller (about twice Bal's dermal dose;
/// round holes: its slip stays within the tolerance) fades in about 3 h, against the 24 h floor
/// of a pen page [S].
#[test]
fn v13_known_misses_stay_as_documented() {
    let home = ["device.preset=roller-192-thin", HOME_PASSES];
    let t = |set: &[&str]| healing_of(&run_with(ROLLER, set)).erythema_resolved_h;
    let h15 = t(&[home[0], home[1], "device.needle_length_mm=0.15"]);
    let h25 = t(&[home[0], home[1], "device.needle_length_mm=0.25"]);
    assert!((0.5..1.5).contains(&h15), "0.15 mm home roller: {h15} h");
    assert!((0.5..1.5).contains(&h25) && h25 >= h15, "0.25 mm home roller: {h25} h");
    let r05 = t(&["device.needle_length_mm=0.5"]);
    assert!((2.0..4.5).contains(&r05), "0.5 mm roller: {r05} h");
}

/// Rollers' torn channels redden somewhat more than a pen's clean ones at the same depth and
/// density (El-Domyati 2024, qualitative).
#[test]
fn torn_roller_channels_redden_more_than_clean_ones() {
    let o = run_with(ROLLER, &[]);
    let torn = o.channels.iter().filter(|c| c.torn).count();
    assert!(torn > o.channels.len() / 2, "1.5 mm roller channels are mostly torn");
    let mut clean = o.channels.clone();
    clean.iter_mut().for_each(|c| c.torn = false);
    let epi = o.scenario.skin.layers.epidermis_um();
    let w = o.punctures.window_cm2();
    let e_torn = healing::Erythema::from_dose(&healing::InjuryDose::from_channels(&o.channels, w, epi));
    let e_clean = healing::Erythema::from_dose(&healing::InjuryDose::from_channels(&clean, w, epi));
    assert!(e_torn.resolved_h() > e_clean.resolved_h());
    assert!(e_torn.resolved_h() < 1.5 * e_clean.resolved_h());
}

/// Independent checks of the pore clock against data it was not calibrated on: Brogden 2013
/// (placebo: naltrexone delivered for 72 h, human, under a patch) and the P407 paper ("micropores
/// ... reseal by 48 h in humans"): under a patch the channels are mostly closed by 72 h; with
/// diclofenac they stay open several days.
#[test]
fn closure_checks_against_independent_human_data() {
    let o = run_with(V8, &[]);
    let h = healing_of(&o);
    let curve = &h.openness_curve;
    let at = |t: f64| dermasim_core::transport::openness_at(curve, t);
    assert!(at(72.0) < 0.1, "open {} at 72 h", at(72.0));
    assert!(at(24.0) > 0.3, "open {} at 24 h", at(24.0));
    let nsaid = ClosureConditions { occluded: true, nsaid: true };
    let closed = healing::channels_closed_h(&o.channels, &o.scenario.skin, nsaid, healing::HealingModel::registry());
    assert!((96.0..=240.0).contains(&closed), "with diclofenac: closed at {closed} h (Brogden 2013: ~7 d)");
}

/// Excised skin in a Franz cell does not heal: no healing section, channels stay open.
#[test]
fn excised_skin_does_not_heal() {
    let o = run_with(V7, &["skin.site=hairless-rat-excised"]);
    assert!(o.healing.is_none());
    assert!(o.summary.healing.is_none());
}

/// `recovery_days` and the interval note.
#[test]
fn interval_shorter_than_recovery_is_noted() {
    let o = run_with(PEN, &["device.needle_length_mm=2.5", "protocol.sessions=3", "protocol.interval_days=2"]);
    let s = o.summary.healing.as_ref().unwrap();
    let days = healing::recovery_days(&o.scenario, &o.channels, o.punctures.window_cm2());
    assert!((days - s.recovery_days).abs() < 1e-12);
    assert!(days > 2.0, "{days}");
    assert!(s.interval_note.as_deref().is_some_and(|n| n.contains("recovered")));
    let o = run_with(PEN, &["device.needle_length_mm=2.5", "protocol.sessions=3", "protocol.interval_days=28"]);
    assert!(o.summary.healing.as_ref().unwrap().interval_note.is_none());
}
