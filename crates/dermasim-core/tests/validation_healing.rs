//! Validation suite, healing stage: `../shared/validation/cases.md` V7-V9 and V13 (resealing,
//! barrier, redness) and V14-V15 (the treatment series), each against its scenario in
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
    let half = healing::channels_half_open_h(&o.channels, h.conditions);
    assert!((half - 23.3).abs() <= healing::PATCH_T50_SD_H, "V8 half-life {half} h");
}

/// V9: Gupta 2011, human, unoccluded: barrier recovered within 2 h; tolerance ≤ 4 h, for every
/// device and depth.
#[test]
fn v9_unoccluded_barrier_human() {
    let cases: [(&str, &[&str]); 5] = [
        (ROLLER, &[]),
        (ROLLER, &["device.needle_length_mm=2.5"]),
        (PEN, &["device.needle_length_mm=0.5"]),
        (PEN, &["device.needle_length_mm=2.5"]),
        (V8, &["products[0].occluded=false"]),
    ];
    for (text, set) in cases {
        let o = run_with(text, set);
        let h = healing_of(&o);
        assert!(!h.conditions.occluded);
        assert!(h.barrier_recovered_h <= 4.0, "V9 {set:?}: {} h", h.barrier_recovered_h);
    }
}

/// V13: redness fades in 3-6 h after shallow home needling (0.15-0.25 mm roller), within 24-72 h
/// after typical office treatments (1.0-1.5 mm roller, 16 passes; 0.5 mm pen), and lasts 2-5
/// days after deep dense ones (2.5 mm pen), inside each band. The 1.5 mm roller calibrates the
/// dermal decay time (48 h, the middle of the band); the other cases are checks. Known misses
/// (a 0.5 mm roller and 1.0-1.5 mm pens) are in `docs/validation.md` and
/// [`v13_known_misses_stay_as_documented`].
#[test]
fn v13_redness_bands() {
    let home = ["device.preset=roller-192-thin", HOME_PASSES];
    type Case<'a> = (&'a str, &'a str, Vec<&'a str>, (f64, f64));
    let cases: Vec<Case> = vec![
        ("0.15 mm home roller", ROLLER, vec![home[0], home[1], "device.needle_length_mm=0.15"], (3.0, 6.0)),
        ("0.25 mm home roller", ROLLER, vec![home[0], home[1], "device.needle_length_mm=0.25"], (3.0, 6.0)),
        ("1.0 mm roller", ROLLER, vec!["device.needle_length_mm=1.0"], (24.0, 72.0)),
        ("1.5 mm roller", ROLLER, vec![], (24.0, 72.0)),
        ("0.5 mm pen", PEN, vec!["device.needle_length_mm=0.5"], (24.0, 72.0)),
        ("2.5 mm roller", ROLLER, vec!["device.needle_length_mm=2.5"], (48.0, 120.0)),
        ("2.5 mm pen", PEN, vec!["device.needle_length_mm=2.5"], (48.0, 120.0)),
    ];
    let mut last_roller = 0.0;
    for (name, text, set, (lo, hi)) in cases {
        let o = run_with(text, &set);
        let h = healing_of(&o);
        let t = h.erythema_resolved_h;
        assert!((lo..=hi).contains(&t), "V13 {name}: redness resolved at {t:.1} h, band {lo}-{hi} h");
        assert!(h.erythema_peak > 0.0 && h.erythema_peak <= 1.0);
        if text == ROLLER {
            assert!(t >= last_roller, "V13 {name}: deeper roller fades sooner");
            last_roller = t;
        }
    }
}

/// The V13 misses, pinned so that a change in them is noticed: a 0.5 mm roller (channels barely
/// reach the dermis in the mechanics) fades in hours, below the 24-72 h band; a dense 1.0-1.5 mm
/// pen (9000 punctures per cm²) lasts a little over 72 h.
#[test]
fn v13_known_misses_stay_as_documented() {
    let o = run_with(ROLLER, &["device.needle_length_mm=0.5"]);
    let t = healing_of(&o).erythema_resolved_h;
    assert!((5.0..12.0).contains(&t), "0.5 mm roller: {t} h");
    for (l, band) in [("1.0", (72.0, 85.0)), ("1.5", (80.0, 95.0))] {
        let o = run_with(PEN, &[&format!("device.needle_length_mm={l}")]);
        let t = healing_of(&o).erythema_resolved_h;
        assert!((band.0..band.1).contains(&t), "{l} mm pen: {t} h");
    }
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
    let at = |t: f64| dermasim_core::transport::sim::openness_at(curve, t);
    assert!(at(72.0) < 0.1, "open {} at 72 h", at(72.0));
    assert!(at(24.0) > 0.3, "open {} at 24 h", at(24.0));
    let nsaid = ClosureConditions { occluded: true, nsaid: true };
    let closed = healing::channels_closed_h(&o.channels, nsaid);
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

// ---------------------------------------------------------------------------------------------
// The series: V14, V15 and qualitative checks
// ---------------------------------------------------------------------------------------------

const SERIES: &str = include_str!("../../../validation/v14-lotfi-series.toml");

fn scenario_with(text: &str, set: &[&str]) -> scenario::Scenario {
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    scenario::parse(text, &set).unwrap_or_else(|e| panic!("{:?}", e))
}

/// V14: Lotfi 2013: papillary-dermis collagen +53.2 % 8 weeks after 5 monthly 1.5 mm roller
/// sessions, within 30 %. (Lotfi calibrates the collagen gain per session: a consistency check
/// of the simulated channels against the analytic calibration protocol.)
#[test]
fn v14_lotfi_collagen() {
    let o = run_with(SERIES, &[]);
    let s = o.series.as_ref().unwrap();
    let rel = (s.collagen_change_pct - 53.2).abs() / 53.2;
    assert!(rel <= 0.3, "V14: collagen {:+.1} % vs +53.2 %", s.collagen_change_pct);
    assert!(s.elastin_change_pct < 0.0);
    let summary = o.summary.series.as_ref().unwrap();
    assert_eq!(summary.collagen_change_pct, s.collagen_change_pct);
    assert_eq!(s.curve.first().map(|c| c.0), Some(0.0));
    assert!((s.curve.last().unwrap().0 - (4.0 * 30.0 + 56.0)).abs() < 1e-9);
}

/// V15: Dogra 2014: scar score 11.73 ± 3.12 → 6.5 ± 2.71 one month after 5 monthly sessions; the
/// cohort's mean after inside the reported SD. (Dogra's means calibrate the scar scale, its SD
/// after the spread of healing rates; the cohort mean is a check of the sampling around them.)
#[test]
fn v15_dogra_cohort() {
    let s = scenario_with(SERIES, &["protocol.follow_up_days=30"]);
    let c = dermasim_core::cohort::run(&s, 2000, 1).unwrap();
    assert!((c.score_before.mean - 11.73).abs() < 0.3, "{:?}", c.score_before);
    assert!((c.score_after.mean - 6.5).abs() <= 2.71, "V15: after {:?} vs 6.5 ± 2.71", c.score_after);
    assert!((c.score_after.sd - 2.71).abs() <= 0.5, "V15: SD after {:?}", c.score_after);
    let sum: f64 = c.grade_change_distribution.values().sum();
    assert!((sum - 1.0).abs() < 1e-12);
}

/// Improvement by grade against Sohag (6 monthly sessions: 70 % one grade) and Hong Kong 2018
/// (91.8 % improved ≥ 1 grade; sessions not in the excerpt, 5 monthly taken): the grade bounds
/// are an assumption, so these are loose checks; the figures are in docs/validation.md.
#[test]
fn grade_improvement_fractions_are_in_the_published_range() {
    let sohag = scenario_with(SERIES, &["protocol.sessions=6", "protocol.follow_up_days=30"]);
    let c = dermasim_core::cohort::run(&sohag, 2000, 1).unwrap();
    assert!((0.55..=0.95).contains(&c.improved_1_grade_or_more_fraction), "{}", c.improved_1_grade_or_more_fraction);
    let hk = scenario_with(SERIES, &["protocol.follow_up_days=30"]);
    let c = dermasim_core::cohort::run(&hk, 2000, 1).unwrap();
    // Pinned miss: the model gives about 0.69, below Hong Kong's 0.918.
    assert!((0.6..0.8).contains(&c.improved_1_grade_or_more_fraction), "{}", c.improved_1_grade_or_more_fraction);
}

/// The cohort is the same for a seed whatever the thread count.
#[test]
fn cohort_is_deterministic_for_a_seed() {
    let s = scenario_with(SERIES, &[]);
    let a = dermasim_core::cohort::run(&s, 500, 9).unwrap();
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let b = one.install(|| dermasim_core::cohort::run(&s, 500, 9).unwrap());
    assert_eq!(a, b);
    let c = dermasim_core::cohort::run(&s, 500, 10).unwrap();
    assert_ne!(a.score_after, c.score_after);
}

/// Zeitter 2014 (rats, 1 mm, 1 vs 4 sessions, 10 weeks): repeated sessions add up; Aust 2008:
/// collagen up at 6 months; El-Domyati 2015 (6 sessions 2 weeks apart, 3 months): collagen up,
/// elastin down; Exceed pen (4 sessions 30 days apart): day 150 at least day 90.
#[test]
fn series_qualitative_checks() {
    let at = |set: &[&str]| run_with(SERIES, set).series.unwrap();
    let one = at(&["device.needle_length_mm=1.0", "protocol.sessions=1", "protocol.follow_up_days=70"]);
    let four = at(&["device.needle_length_mm=1.0", "protocol.sessions=4", "protocol.follow_up_days=70"]);
    assert!(
        four.collagen_change_pct > 2.0 * one.collagen_change_pct,
        "{} vs {}",
        four.collagen_change_pct,
        one.collagen_change_pct
    );
    let aust = at(&["protocol.sessions=4", "protocol.follow_up_days=180"]);
    assert!(aust.collagen_change_pct > 10.0);
    let el = at(&["protocol.sessions=6", "protocol.interval_days=14", "protocol.follow_up_days=90"]);
    assert!(el.collagen_change_pct > 0.0 && el.elastin_change_pct < 0.0);
    let exceed = at(&["protocol.sessions=4", "protocol.interval_days=30", "protocol.follow_up_days=60"]);
    let day = |d: f64| exceed.curve.iter().find(|c| c.0 >= d).unwrap().1;
    assert!(day(150.0) >= day(90.0));
    assert!(exceed.collagen_i_share > 0.0 && exceed.collagen_i_share < 1.0);
}

/// Needles that stop in the epidermis induce little dermal collagen; deeper and denser needling
/// never less.
#[test]
fn collagen_grows_with_depth_and_density() {
    let home = at_home();
    assert!(home.collagen_change_pct < 1.0, "{}", home.collagen_change_pct);
    let mut last = home.collagen_change_pct;
    for l in ["0.5", "1.0", "1.5", "2.0", "2.5"] {
        let s = run_with(SERIES, &[&format!("device.needle_length_mm={l}")]).series.unwrap();
        assert!(s.collagen_change_pct >= last, "{l} mm: {} < {last}", s.collagen_change_pct);
        last = s.collagen_change_pct;
    }
    let sparse = run_with(SERIES, &[HOME_PASSES]).series.unwrap();
    let dense = run_with(SERIES, &[]).series.unwrap();
    assert!(dense.collagen_change_pct > sparse.collagen_change_pct);
}

fn at_home() -> dermasim_core::series::Series {
    run_with(SERIES, &["device.preset=roller-192-thin", "device.needle_length_mm=0.25", HOME_PASSES]).series.unwrap()
}
