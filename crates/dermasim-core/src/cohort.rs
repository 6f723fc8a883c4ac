//! A virtual cohort: the scenario's treatment series given to sampled patients, and the
//! atrophic-scar outcomes it gives them.
//!
//! Each patient `p` draws from its own stream `rng::stream(seed, Stage::Cohort, p, 0)`:
//!
//! * **epidermis thickness** factor `e ~ Normal(1, 0.18)`, clamped to 0.5-1.6, scaling the
//!   scenario's epidermis (the same channels then reach less or more of the dermis);
//! * **healing rate** `h ~ LogNormal` with mean 1 and log-SD [`HEALING_RATE_SIGMA`], scaling the
//!   collagen (and elastin) response;
//! * **baseline scar score** `s0 ~ Normal(11.73, 3.12)` (Dogra 2014), at least
//!   [`MIN_BASELINE_SCORE`], and its Goodman & Baron grade.
//!
//! The channels of one simulated session are shared by every patient (the device and protocol
//! are the scenario's); the series is linear in the stimulus, so each patient costs a binary
//! search and a few multiplications. Results are the same for a seed whatever the thread count.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::channels::Channel;
use crate::healing::InjuryDose;
use crate::rng::{Stage, standard_normal, stream};
use crate::scenario::Scenario;
use crate::series::{
    self, DOGRA_BEFORE, DOGRA_BEFORE_SD, UnitResponse, collagen_gain_pct, grade, scar_collagen_scale_pct,
};

/// Most patients a cohort may have.
pub const MAX_PATIENTS: usize = 1_000_000;

/// Coefficient of variation of epidermis thickness between patients. `[P]` Chopra et al. 2015
/// (Aesthet Surg J 35:1007): facial epidermis 29.6-62.6 µm by histology; a range of about ±2 SD
/// around 46 µm gives a CV of 0.18.
pub const EPIDERMIS_CV: f64 = 0.18;

/// Log-SD of the healing rate between patients. `[C]` Dogra 2014: the SD of the score after the
/// series (2.71) with the SD before (3.12) carried through; see `docs/models.md §7`.
pub const HEALING_RATE_SIGMA: f64 = 0.55;

/// Lowest baseline score drawn (an atrophic scar worth treating). `[A]`.
pub const MIN_BASELINE_SCORE: f64 = 1.0;

/// A cohort that cannot be run.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct CohortError {
    /// The option or field at fault.
    pub field: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

/// Mean and standard deviation.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MeanSd {
    /// Mean.
    pub mean: f64,
    /// Standard deviation (population).
    pub sd: f64,
}

impl MeanSd {
    fn of(xs: &[f64]) -> MeanSd {
        let n = xs.len().max(1) as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
        MeanSd { mean, sd: var.sqrt() }
    }
}

/// One virtual patient.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Patient {
    /// Epidermis thickness, µm.
    pub epidermis_um: f64,
    /// Healing rate (1 = typical).
    pub healing_rate: f64,
    /// Session stimulus, 0-1.
    pub stimulus: f64,
    /// Collagen change at the follow-up, %.
    pub collagen_change_pct: f64,
    /// Scar score before.
    pub score_before: f64,
    /// Scar score at the follow-up.
    pub score_after: f64,
    /// Goodman & Baron grade before.
    pub grade_before: u8,
    /// Grade at the follow-up.
    pub grade_after: u8,
}

/// `cohort.json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CohortResult {
    /// Scenario name.
    pub scenario: String,
    /// Patients.
    pub patients: usize,
    /// Seed.
    pub seed: u64,
    /// Sessions.
    pub sessions: u32,
    /// Days between sessions.
    pub interval_days: f64,
    /// Days after the last session.
    pub follow_up_days: f64,
    /// Fraction of patients improved by at least one grade.
    pub improved_1_grade_or_more_fraction: f64,
    /// Fraction improved by at least two grades.
    pub improved_2_grades_or_more_fraction: f64,
    /// Fraction of patients by grade change (after − before: "-2", "-1", "0", ...); sums to 1.
    pub grade_change_distribution: BTreeMap<String, f64>,
    /// Fraction of patients by grade before ("1"-"4"); sums to 1.
    pub grade_before_distribution: BTreeMap<String, f64>,
    /// Fraction of patients by grade after; sums to 1.
    pub grade_after_distribution: BTreeMap<String, f64>,
    /// Continuous scar score before.
    pub score_before: MeanSd,
    /// Continuous scar score after.
    pub score_after: MeanSd,
    /// Relative score change per patient, %.
    pub score_change_pct: MeanSd,
    /// Collagen change per patient, %.
    pub collagen_change_pct: MeanSd,
    /// Grade bounds used (upper bounds of grades 1-3 on the continuous score; an assumption).
    pub grade_upper_bounds: [f64; 3],
    /// Always present.
    pub disclaimer: &'static str,
}

/// Depths sorted with suffix sums, for the dermal dose at any epidermis thickness.
struct DepthProfile {
    sorted: Vec<f64>,
    /// `suffix[i]` = Σ sorted[i..].
    suffix: Vec<f64>,
    window_cm2: f64,
}

impl DepthProfile {
    fn new(channels: &[Channel], window_cm2: f64) -> DepthProfile {
        let mut sorted: Vec<f64> = channels.iter().map(|c| c.depth_um).filter(|d| d.is_finite()).collect();
        sorted.sort_by(f64::total_cmp);
        let mut suffix = vec![0.0; sorted.len() + 1];
        for i in (0..sorted.len()).rev() {
            suffix[i] = suffix[i + 1] + sorted[i];
        }
        DepthProfile { sorted, suffix, window_cm2 }
    }

    /// Σ max(0, d − e) / 100 µm per cm².
    fn dermal_depth_dose(&self, epidermis_um: f64) -> f64 {
        if self.window_cm2 <= 0.0 {
            return 0.0;
        }
        let i = self.sorted.partition_point(|&d| d <= epidermis_um);
        let n = (self.sorted.len() - i) as f64;
        (self.suffix[i] - n * epidermis_um) / 100.0 / self.window_cm2
    }
}

fn distribution<I: Iterator<Item = i32>>(values: I, n: usize) -> BTreeMap<String, f64> {
    let mut counts: BTreeMap<i32, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    counts.into_iter().map(|(k, c)| (k.to_string(), c as f64 / n.max(1) as f64)).collect()
}

/// Samples the patients of a cohort given one session's channels.
pub fn patients(s: &Scenario, channels: &[Channel], window_cm2: f64, n: usize, seed: u64) -> Vec<Patient> {
    let p = &s.protocol;
    let unit: UnitResponse = series::unit_response(p.sessions, p.interval_days, p.follow_up_days);
    let per_stimulus = collagen_gain_pct() * unit.collagen_at_follow_up();
    let scar_scale = scar_collagen_scale_pct();
    let profile = DepthProfile::new(channels, window_cm2);
    let epidermis = s.skin.layers.epidermis_um();
    (0..n)
        .into_par_iter()
        .map(|i| {
            let mut rng = stream(seed, Stage::Cohort, i as u64, 0);
            let e = (1.0 + EPIDERMIS_CV * standard_normal(&mut rng)).clamp(0.5, 1.6);
            let sigma = HEALING_RATE_SIGMA;
            let h = (sigma * standard_normal(&mut rng) - 0.5 * sigma * sigma).exp();
            let s0 = (DOGRA_BEFORE + DOGRA_BEFORE_SD * standard_normal(&mut rng)).max(MIN_BASELINE_SCORE);
            let dose = InjuryDose {
                dermal_depth_dose_per_cm2: profile.dermal_depth_dose(epidermis * e),
                ..Default::default()
            };
            let stim = series::stimulus(&dose);
            let collagen = per_stimulus * stim * h;
            let s1 = s0 * (-collagen.max(0.0) / scar_scale).exp();
            Patient {
                epidermis_um: epidermis * e,
                healing_rate: h,
                stimulus: stim,
                collagen_change_pct: collagen,
                score_before: s0,
                score_after: s1,
                grade_before: grade(s0),
                grade_after: grade(s1),
            }
        })
        .collect()
}

/// Summarises patients into `cohort.json`.
pub fn summarise(s: &Scenario, patients: &[Patient], seed: u64) -> CohortResult {
    let n = patients.len();
    let nf = n.max(1) as f64;
    let change = |p: &Patient| i32::from(p.grade_after) - i32::from(p.grade_before);
    let before: Vec<f64> = patients.iter().map(|p| p.score_before).collect();
    let after: Vec<f64> = patients.iter().map(|p| p.score_after).collect();
    let rel: Vec<f64> = patients.iter().map(|p| 100.0 * (p.score_after / p.score_before - 1.0)).collect();
    let collagen: Vec<f64> = patients.iter().map(|p| p.collagen_change_pct).collect();
    CohortResult {
        scenario: s.name.clone(),
        patients: n,
        seed,
        sessions: s.protocol.sessions,
        interval_days: s.protocol.interval_days,
        follow_up_days: s.protocol.follow_up_days,
        improved_1_grade_or_more_fraction: patients.iter().filter(|p| change(p) <= -1).count() as f64 / nf,
        improved_2_grades_or_more_fraction: patients.iter().filter(|p| change(p) <= -2).count() as f64 / nf,
        grade_change_distribution: distribution(patients.iter().map(change), n),
        grade_before_distribution: distribution(patients.iter().map(|p| i32::from(p.grade_before)), n),
        grade_after_distribution: distribution(patients.iter().map(|p| i32::from(p.grade_after)), n),
        score_before: MeanSd::of(&before),
        score_after: MeanSd::of(&after),
        score_change_pct: MeanSd::of(&rel),
        collagen_change_pct: MeanSd::of(&collagen),
        grade_upper_bounds: series::GRADE_UPPER_BOUNDS,
        disclaimer: crate::summary::DISCLAIMER,
    }
}

/// Runs a cohort of `n` patients on a scenario: one session's punctures and channels (no
/// transport), then the patients. Seeded by `seed`.
pub fn run(s: &Scenario, n: usize, seed: u64) -> Result<CohortResult, CohortError> {
    if n == 0 || n > MAX_PATIENTS {
        return Err(CohortError {
            field: "--patients".into(),
            message: format!("--patients = {n} is out of range: allowed 1 to {MAX_PATIENTS}"),
        });
    }
    if !crate::healing::heals(&s.skin) {
        return Err(CohortError {
            field: "skin.mounting".into(),
            message: format!(
                "skin.mounting is a Franz cell (excised \"{}\" skin), which does not heal: a cohort needs living skin (skin.mounting = \"in-vivo\")",
                s.skin.site
            ),
        });
    }
    let punctures = crate::punctures::generate(s);
    let channels = crate::channels::form(&punctures, &s.device, &s.skin, s.simulation.seed);
    let ps = patients(s, &channels, punctures.window_cm2(), n, seed);
    Ok(summarise(s, &ps, seed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skin::Layer;

    fn ch(depth_um: f64) -> Channel {
        Channel {
            x_um: 0.0,
            y_um: 0.0,
            depth_um,
            width_um: 50.0,
            length_um: 50.0,
            direction_deg: 0.0,
            tilt_deg: 0.0,
            layer: Layer::PapillaryDermis,
            bent: false,
            torn: false,
        }
    }

    #[test]
    fn depth_profile_matches_the_direct_sum() {
        let channels: Vec<Channel> = [10.0, 80.0, 150.0, 300.0, 300.0, 1000.0].map(ch).to_vec();
        let prof = DepthProfile::new(&channels, 0.5);
        for e in [0.0, 50.0, 80.0, 100.0, 299.9, 300.0, 2000.0] {
            let direct = InjuryDose::from_channels(&channels, 0.5, e).dermal_depth_dose_per_cm2;
            assert!((prof.dermal_depth_dose(e) - direct).abs() < 1e-9, "{e}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]
        /// Grade-change, before and after distributions sum to 1, and the improved fractions are
        /// consistent with them, for any cohort size, seed and depth.
        #[test]
        fn cohort_fractions_sum_to_one(n in 1usize..300, seed in 0u64..1000, depth in 0.0f64..2000.0) {
            let text = "[skin]\nsite = \"cheek\"\n[device]\ntype = \"dermaroller\"\npreset = \"roller-192\"\n[protocol]\nsetting = \"office\"\narea_cm2 = 4\nsessions = 5\n";
            let s = crate::scenario::parse(text, &[]).unwrap();
            let channels: Vec<Channel> = (0..50).map(|_| ch(depth)).collect();
            let ps = patients(&s, &channels, 0.2, n, seed);
            let r = summarise(&s, &ps, seed);
            for d in [&r.grade_change_distribution, &r.grade_before_distribution, &r.grade_after_distribution] {
                proptest::prop_assert!((d.values().sum::<f64>() - 1.0).abs() < 1e-9);
            }
            let improved: f64 = r.grade_change_distribution.iter().filter(|(k, _)| k.parse::<i32>().unwrap() <= -1).map(|(_, v)| v).sum();
            proptest::prop_assert!((improved - r.improved_1_grade_or_more_fraction).abs() < 1e-9);
            proptest::prop_assert!(ps.iter().all(|p| p.score_after <= p.score_before && p.grade_after <= p.grade_before));
            proptest::prop_assert_eq!(r, summarise(&s, &patients(&s, &channels, 0.2, n, seed), seed));
        }
    }

    #[test]
    fn distributions_sum_to_one() {
        let d = distribution([-2, -1, -1, 0, 0, 0, 1].into_iter(), 7);
        assert!((d.values().sum::<f64>() - 1.0).abs() < 1e-12);
        assert_eq!(d["-1"], 2.0 / 7.0);
    }
}
