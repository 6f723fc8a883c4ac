//! Validation suite, remodelling and outcomes (`docs/models.md §10`): the calibration data
//! (Lotfi 2013, Dogra 2014, Alam 2014, Garg, Dogra's PIH) reproduced as consistency checks, and
//! the independent checks (trials used in no fit), each against its scenario in `validation/`
//! with its tolerance. Known misses are pinned with their size so that a change to them is seen;
//! `docs/validation.md` tabulates the same figures.

use dermasim_core::cohort::{self, CohortResult, wilson};
use dermasim_core::scenario::patient::Indication;
use dermasim_core::series::{self, Series};
use dermasim_core::{scenario, simulate};

/// Lotfi's and Dogra's 1.5 mm roller, 5 sessions 30 days apart, 56 days follow-up.
const ROLLER: &str = include_str!("../../../validation/v14-lotfi-series.toml");
const EXCEED: &str = include_str!("../../../validation/outcomes-exceed-2018-pen.toml");
const MOHAMED_ALI: &str = include_str!("../../../validation/outcomes-mohamed-ali-2017-striae.toml");
const ALSTER: &str = include_str!("../../../validation/outcomes-alster-2020-striae.toml");

fn scenario_with(text: &str, set: &[&str]) -> scenario::Scenario {
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    scenario::parse(text, &set).unwrap_or_else(|e| panic!("{:?}", e))
}

fn series_of(text: &str, set: &[&str]) -> Series {
    simulate(&scenario_with(text, set)).series.expect("living skin")
}

fn cohort_of(text: &str, set: &[&str], n: usize) -> CohortResult {
    cohort::run(&scenario_with(text, set), n, 1).unwrap()
}

/// Z of a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

// ---------------------------------------------------------------------------------------------
// Calibration data, reproduced (consistency checks, not validation)
// ---------------------------------------------------------------------------------------------

/// V14: Lotfi 2013: papillary-dermis collagen +53.2 % 8 weeks after 5 monthly 1.5 mm roller
/// sessions (the calibration datum of the collagen gain), within 30 %.
#[test]
fn v14_lotfi_collagen() {
    let o = simulate(&scenario_with(ROLLER, &[]));
    let s = o.series.as_ref().unwrap();
    let c = s.response.collagen_change_pct;
    assert!((c - 53.2).abs() / 53.2 <= 0.3, "V14: collagen {c:+.1} % vs +53.2 %");
    let summary = o.summary.series.as_ref().unwrap();
    assert_eq!(summary.collagen_change_pct, c);
    assert!(
        s.elastin_change_band_pct[0] < 0.0 && s.elastin_change_band_pct[1] > 0.0,
        "elastin is a band of both signs"
    );
    assert_eq!(s.curve.first().map(|c| c.0), Some(0.0));
    assert!((s.curve.last().unwrap().0 - (4.0 * 30.0 + 56.0)).abs() < 1e-9);
}

/// V15: Dogra 2014: 11.73 ± 3.12 → 6.5 ± 2.71 one month after 5 monthly sessions. The typical
/// patient's mean calibrates the outcome scale and the SD after the response spread; the
/// cohort's mean after must lie inside the reported SD.
#[test]
fn v15_dogra_cohort() {
    let c = cohort_of(ROLLER, &["protocol.follow_up_days=30"], 2000);
    assert!((c.score_before.mean - 11.73).abs() < 0.3, "{:?}", c.score_before);
    assert!((c.score_after.mean - 6.5).abs() <= 2.71, "V15: after {:?} vs 6.5 ± 2.71", c.score_after);
    assert!((c.score_after.sd - 2.71).abs() <= 0.5, "V15: SD after {:?}", c.score_after);
    let s = series_of(ROLLER, &["protocol.follow_up_days=30"]);
    assert!((s.response.improvement - (1.0 - 6.5 / 11.73)).abs() < 1e-6);
}

/// Dogra 2014: PIH in 5 of 30 patients of phototypes IV-V (the calibration datum of the PIH
/// rate): a cohort of phototype IV on the same protocol lies inside its Wilson interval.
#[test]
fn dogra_pih_rate_is_reproduced() {
    let c = cohort_of(ROLLER, &["protocol.follow_up_days=30", "patient.phototype=IV"], 2000);
    let [lo, hi] = wilson(5, 30, Z95);
    let f = c.adverse_events.pih.fraction;
    assert!((lo..=hi).contains(&f), "PIH {f} outside Dogra's {lo:.3}-{hi:.3}");
}

// ---------------------------------------------------------------------------------------------
// Independent checks (data used in no fit)
// ---------------------------------------------------------------------------------------------

/// Hong Kong J Dermatol Venereol 2018: 91.8 % of 36 roller patients improved by at least one
/// grade (sessions not in the excerpt: 5 monthly taken). The cohort's fraction lies inside the
/// Wilson 95 % interval of 33/36.
#[test]
fn hong_kong_2018_one_grade_or_more() {
    let c = cohort_of(ROLLER, &["protocol.follow_up_days=30"], 2000);
    let [lo, hi] = wilson(33, 36, Z95);
    let f = c.improved_1_grade_or_more_fraction;
    assert!((lo..=hi).contains(&f), "HK: {f:.3} outside {lo:.3}-{hi:.3}");
    // Most patients improve by 1-2 grades (the complaint was ~6 % by 2 or more).
    assert!(c.outcomes.improved_1.fraction + c.outcomes.improved_2.fraction > 0.7, "{:?}", c.outcomes);
    assert!(c.improved_2_grades_or_more_fraction > 0.15, "{}", c.improved_2_grades_or_more_fraction);
}

/// Tirmizi 2021 (Cureus, 50 patients): 3 sessions 4 weeks apart, Goodman & Baron grade III → II
/// (assessed after the 3rd session: one month taken).
#[test]
fn tirmizi_2021_grade_three_to_two() {
    let s = series_of(ROLLER, &["protocol.sessions=3", "protocol.interval_days=28", "protocol.follow_up_days=30"]);
    assert_eq!((s.response.grade_before, s.response.grade_after), (3, 2));
}

/// Vietnamese trial 2024 (31 patients, a roller every week for 3 months): Goodman & Baron grade
/// 3.29 ± 0.59 → 1.93 ± 0.58 one month and 1.77 ± 0.57 two months after. The cohort's mean
/// after lies inside the reported SD at both times (needle length not in the abstract: 1.5 mm).
#[test]
fn vietnam_2024_weekly_grade_course() {
    for (follow, mean, sd) in [("30", 1.93, 0.58), ("60", 1.77, 0.57)] {
        let set = [
            "protocol.sessions=12",
            "protocol.interval_days=7",
            "patient.baseline_severity=3.29",
            &format!("protocol.follow_up_days={follow}"),
        ];
        let c = cohort_of(ROLLER, &set, 2000);
        assert!((c.severity_after.mean - mean).abs() <= sd, "{follow} d: {:?} vs {mean} ± {sd}", c.severity_after);
    }
}

/// Sohag (10 patients, 6 monthly sessions): 7 of 10 improved by one Goodman & Baron grade. Its
/// ≥ 1-grade fraction (about 85 % as rated) lies inside the interval of 7/10 (39.7-89.2 %).
/// Pinned miss: the model gives about 43 % improving by two or more grades, above the Wilson
/// interval of 0/10 implied if the other 3 did not improve (upper bound 27.8 %).
#[test]
fn sohag_known_miss_stays_as_documented() {
    let c = cohort_of(ROLLER, &["protocol.sessions=6", "protocol.follow_up_days=30"], 2000);
    let one = c.improved_1_grade_or_more_fraction;
    let two = c.improved_2_grades_or_more_fraction;
    let [lo, hi] = wilson(7, 10, Z95);
    assert!((lo..=hi).contains(&one), "{one}");
    assert!((0.3..0.55).contains(&two), "{two}");
}

/// Ablon 2018 (Exceed pen, 4 sessions 30 days apart): Lemperle global wrinkle score improved by
/// 1.23 (99 % CI 1.11-1.34) at day 150. With the assumed 1.0 mm pen and baseline 3 the model's
/// mean improvement is about 1.22, inside the interval. (It was a miss at about 1.8 while the
/// series calibration's 1.5 mm roller made rat-depth channels of about 330 µm: with living-human
/// depths, issue #17, that roller wounds far more dermis per session, which lowers the
/// remodelling per unit of injury that every other protocol, this pen's included, inherits.)
/// "Side effects were minor": the pen's clean punctures make no tram-track scar.
#[test]
fn exceed_2018_improvement_inside_the_interval() {
    let c = cohort_of(EXCEED, &[], 2000);
    assert_eq!(c.indication, Indication::Rejuvenation);
    assert!(c.scale.contains("Lemperle"));
    let delta = c.severity_before.mean - c.severity_after.mean;
    assert!((1.11..=1.34).contains(&delta), "{delta}");
    assert_eq!(c.adverse_events.scarring.count, 0, "no scar among 48 ('side effects were minor')");
}

/// Striae: Mohamed Ali 2017 (6 sessions 2 weeks apart, 3 months: ≥ 50 % better in 66.7 % of 15)
/// and Alster & Li 2020 (1-3 monthly sessions: all ≥ 50 % better, 28 % > 75 %). Pinned misses:
/// the roller (channels now about 95 % of the needle in living human skin, issue #17) gives about
/// a third of patients ≥ 50 % (was almost none with the rat-depth roller), half the trial's
/// 66.7 %; a 2 mm pen gives 2-4 % ≥ 50 % (2.45 % since the openings' elastic recovery, issue
/// #17; 3.6 % before), far below both trials.
#[test]
fn striae_known_misses_stay_as_documented() {
    let c = cohort_of(MOHAMED_ALI, &[], 2000);
    assert_eq!(c.indication, Indication::Striae);
    let half = c.outcomes.improved_2.fraction + c.outcomes.improved_3_or_more.fraction;
    assert!((0.2..0.45).contains(&half), "{half}");
    let c = cohort_of(ALSTER, &[], 2000);
    let half = c.outcomes.improved_2.fraction + c.outcomes.improved_3_or_more.fraction;
    assert!((0.015..0.10).contains(&half), "{half}");
    assert!(c.outcomes.improved_3_or_more.fraction < 0.1, "{:?}", c.outcomes);
}

/// Lotfi 2013: no side effect but pain and temporary redness in 30 patients of phototypes
/// III-IV (no PIH: Wilson upper bound 11.4 %). The model's cohort of half III, half IV lies
/// just inside.
#[test]
fn lotfi_no_pih_in_phototypes_three_and_four() {
    let iii = cohort_of(ROLLER, &["patient.phototype=III"], 2000).adverse_events.pih.fraction;
    let iv = cohort_of(ROLLER, &["patient.phototype=IV"], 2000).adverse_events.pih.fraction;
    let hi = wilson(0, 30, Z95)[1];
    assert!(0.5 * (iii + iv) <= hi, "{iii} {iv} vs {hi}");
}

/// Dogra 2014: tram-track scarring in 2 of 30 roller patients (the calibration datum of the
/// scarring rate): the cohort's rate lies inside its Wilson interval. The scars are the
/// mechanism by which a series can worsen a grade: some patients are now rated worse.
#[test]
fn dogra_scarring_rate_is_reproduced_and_some_patients_worsen() {
    let c = cohort_of(ROLLER, &["protocol.follow_up_days=30", "patient.phototype=IV"], 2000);
    let [lo, hi] = wilson(2, 30, Z95);
    let f = c.adverse_events.scarring.fraction;
    assert!((lo..=hi).contains(&f), "scarring {f} outside Dogra's {lo:.3}-{hi:.3}");
    assert!(c.outcomes.worsened.count > 0 && c.outcomes.worsened.fraction < 0.1, "{:?}", c.outcomes.worsened);
}

/// Lotfi 2013 (30 patients: no side effect but pain and temporary redness) and Hong Kong 2018
/// (36 patients: "no serious complications") saw no scar after roller series: the model's rate
/// on the roller protocol lies under both Wilson upper bounds (11.4 % and 9.6 %).
#[test]
fn roller_trials_without_scars() {
    let f = cohort_of(ROLLER, &[], 2000).adverse_events.scarring.fraction;
    for (n, name) in [(30, "Lotfi"), (36, "Hong Kong")] {
        let hi = wilson(0, n, Z95)[1];
        assert!(f <= hi, "{name}: scarring {f} above {hi}");
    }
}

/// History: a keloid tendency raises the scarring rate and the share rated worse; isotretinoin
/// changes no outcome (Mysore 2019); the same cohort otherwise.
#[test]
fn history_changes_outcomes_as_documented() {
    let none = cohort_of(ROLLER, &[], 2000);
    let keloid = cohort_of(ROLLER, &["patient.conditions=[\"keloid-tendency\"]"], 2000);
    let iso = cohort_of(ROLLER, &["patient.conditions=[\"isotretinoin\"]"], 2000);
    assert!(keloid.adverse_events.scarring.fraction > 2.0 * none.adverse_events.scarring.fraction);
    assert!(keloid.outcomes.worsened.fraction > none.outcomes.worsened.fraction);
    assert_eq!(iso.outcomes, none.outcomes);
    assert_eq!(iso.adverse_events, none.adverse_events);
}

/// New collagen turns over (half-life 3 years, assumed): one and two years after the roller
/// series the papillary collagen gain has fallen from its value 8 weeks after.
#[test]
fn collagen_gains_fade_after_the_series() {
    let at = |d: &str| series_of(ROLLER, &[&format!("protocol.follow_up_days={d}")]).response.collagen_change_pct;
    let (w8, y1, y2) = (at("56"), at("365"), at("730"));
    assert!(w8 > y1 && y1 > y2 && y2 > 0.5 * w8, "{w8} {y1} {y2}");
}

/// El-Domyati 2015 (6 sessions 2 weeks apart, 3 months from the start): collagen up, total
/// elastin down; Kenkel 2021 (4 monthly, 3 months after): total elastin unchanged. The model's
/// elastin band contains both a fall and no change; collagen rises.
#[test]
fn elastin_band_spans_the_disagreeing_studies() {
    let s = series_of(ROLLER, &["protocol.sessions=6", "protocol.interval_days=14", "protocol.follow_up_days=20"]);
    assert!(s.response.collagen_change_pct > 0.0);
    assert!(s.elastin_change_band_pct[0] < 0.0 && s.elastin_change_band_pct[1] > 0.0);
}

// ---------------------------------------------------------------------------------------------
// What the model must not do (the reproductions)
// ---------------------------------------------------------------------------------------------

/// Twenty 1.5 mm sessions every 3 days: every session after the first falls into unresolved
/// inflammation, so the series gives less than 5 monthly sessions (not +210 %), and a higher PIH
/// risk.
#[test]
fn sessions_every_three_days_add_injury_not_benefit() {
    let fast = series_of(ROLLER, &["protocol.sessions=20", "protocol.interval_days=3", "protocol.follow_up_days=56"]);
    let monthly = series_of(ROLLER, &[]);
    assert_eq!(fast.response.sessions_into_inflammation, 19);
    assert!(fast.response.collagen_change_pct < 0.5 * monthly.response.collagen_change_pct);
    assert!(fast.response.improvement < monthly.response.improvement);
    assert!(fast.response.pih_probability > 3.0 * monthly.response.pih_probability);
}

/// Weekly sessions do not beat monthly ones (same number, same follow-up after the last).
#[test]
fn weekly_does_not_beat_monthly() {
    let at = |i: &str| {
        series_of(
            ROLLER,
            &["protocol.sessions=4", &format!("protocol.interval_days={i}"), "protocol.follow_up_days=90"],
        )
    };
    let (w, m) = (at("7"), at("30"));
    assert!(w.response.improvement <= m.response.improvement);
    assert!(w.response.collagen_change_pct <= m.response.collagen_change_pct);
}

/// Needles that stop in the epidermis induce no dermal remodelling; longer pen needles give more
/// (dermis reached) until the lesion band is covered, then no more.
#[test]
fn pen_length_matters_then_saturates() {
    let home = series_of(
        ROLLER,
        &[
            "device.preset=roller-192-thin",
            // 0.1 mm: epidermal channels (a 0.25 mm home roller reaches the papillary dermis of
            // the cheek in living human skin, issue #17).
            "device.needle_length_mm=0.1",
            "protocol.passes=[{direction_deg=0,count=2},{direction_deg=90,count=2}]",
        ],
    );
    assert_eq!(home.response.collagen_change_pct, 0.0);
    assert_eq!(home.response.improvement, 0.0);
    let pen = |l: &str| series_of(EXCEED, &["protocol.indication=acne-scars", &format!("device.needle_length_mm={l}")]);
    let (a, b, c, d) = (pen("0.25"), pen("0.5"), pen("1.5"), pen("2.5"));
    assert!(
        b.response.improvement > a.response.improvement + 0.1,
        "{} {}",
        a.response.improvement,
        b.response.improvement
    );
    assert!(c.response.improvement >= b.response.improvement);
    assert!(c.response.reticular_collagen_change_pct > b.response.reticular_collagen_change_pct);
    assert!((d.response.improvement - c.response.improvement).abs() < 1e-9, "saturated past the band");
}

/// The scale follows the indication, and summary.json names it.
#[test]
fn each_indication_reports_on_its_own_scale() {
    for (ind, name) in [("acne-scars", "Goodman"), ("rejuvenation", "Lemperle"), ("striae", "striae")] {
        let o = simulate(&scenario_with(EXCEED, &[&format!("protocol.indication={ind}")]));
        let j = serde_json::to_value(&o.summary).unwrap();
        assert_eq!(j["series"]["indication"], ind);
        assert!(j["series"]["scale"]["name"].as_str().unwrap().contains(name), "{ind}");
        assert_eq!(
            o.series.unwrap().scale.name,
            series::scale(Indication::ALL.into_iter().find(|i| i.name() == ind).unwrap()).name
        );
    }
}

/// The cohort is the same for a seed whatever the thread count.
#[test]
fn cohort_is_deterministic_for_a_seed() {
    let s = scenario_with(ROLLER, &[]);
    let a = cohort::run(&s, 500, 9).unwrap();
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let b = one.install(|| cohort::run(&s, 500, 9).unwrap());
    assert_eq!(a, b);
    let c = cohort::run(&s, 500, 10).unwrap();
    assert_ne!(a.score_after, c.score_after);
}
