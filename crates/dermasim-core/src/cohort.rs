//! A virtual cohort: the scenario's treatment series given to sampled patients, and what it
//! does for them on the indication's scale.
//!
//! Every patient `p` draws from its own stream `rng::stream(seed, Stage::Cohort, p, 0)`
//! (`docs/models.md §10.6` lists each distribution and its datum):
//!
//! * **epidermis thickness** factor `Normal(1, 0.18)`, clamped 0.5-1.6 (Chopra 2015): the same
//!   channels then reach less or more of the dermis;
//! * **wound-field radius** factor `LogNormal(0, 0.2)`, clamped 0.7-1.4: the model's most
//!   uncertain parameter, drawn per patient;
//! * **response** `h ~ LogNormal` with mean 1 and the log-SD calibrated on Dogra 2014's SD after;
//! * **age** the scenario's `patient.age_years` + `Normal(0, 6.2)` (Tirmizi 2021's SD), 18-90;
//! * **phototype** the scenario's if given, else drawn from a documented mix;
//! * **baseline severity** the scenario's (or the scale's default) + `Normal(0, SD)` of the
//!   scale; for acne scars the quantitative score moves with it (Dogra's mean and SD);
//! * **redness duration** factor `LogNormal(0, 0.3)`;
//! * **history** the scenario's `patient.conditions` (keloid tendency: scarring risk; a history
//!   of pigmentation: PIH risk; isotretinoin: no change, `series::history`);
//! * **a procedural scar** (tram-track, hypertrophic) with the series' scarring probability: one
//!   grade worse on the scale (`series::SCAR_PENALTY_GRADES`);
//! * **the raters**: grades and scores before and after are read by a rater with the scale's
//!   published error (`series::rater_sd`), independently before and after. The baseline spread
//!   drawn is the published (rated) spread less the rater's error, so that rated baselines
//!   have the published SD.
//!
//! The model's severities (`severity_*`) are the patient's true values; grades and scores
//! (`grade_*`, `score_*`) are as a rater records them: a patient can be rated worse after a
//! series that helped a little, as in a trial.
//!
//! Outcomes: the fractions worsening, unchanged and improving by 1, 2 and ≥ 3 grades on the
//! indication's scale, each with its Wilson 95 % interval for a trial of the cohort's size, and
//! the adverse-event rates (post-inflammatory hyperpigmentation, redness beyond 72 h). The
//! channels of one simulated session are shared by every patient (the device and protocol are
//! the scenario's). Results are the same for a seed whatever the thread count.

use std::collections::BTreeMap;

use rand::RngExt;
use rayon::prelude::*;
use serde::Serialize;

use crate::channels::Channel;
use crate::params::{Distribution, Param, Provenance};
use crate::rng::{Stage, standard_normal, stream};
use crate::scenario::Scenario;
use crate::scenario::patient::{Indication, Phototype};
use crate::series::{self, InjuryProfile, PatientInputs};

/// Most patients a cohort may have.
pub const MAX_PATIENTS: usize = 1_000_000;

// The population spreads a cohort draws its patients from. They are registry parameters
// (`cohort.*`): overridable per scenario (`[parameters.cohort]`), fixed in uncertainty runs
// (no output of `dermasim run` reads them; they are the patients' variability, not the model's
// uncertainty).

/// Coefficient of variation of epidermis thickness between patients. Chopra et al. 2015
/// (Aesthet Surg J 35:1007) \[P\]: facial epidermis 29.6-62.6 µm by histology; a range of about
/// ±2 SD around 46 µm gives a CV of 0.18.
pub const EPIDERMIS_CV: Param = Param {
    name: "cohort.epidermis_cv",
    unit: "1",
    value: 0.18,
    allowed: (0.0, 0.4),
    distribution: Distribution::Fixed,
    provenance: Provenance::Literature(
        "Chopra et al. 2015 (Aesthet Surg J 35:1007) [P]: facial epidermis 29.6-62.6 µm by histology, about ±2 SD around 46 µm; not drawn: only `dermasim cohort` reads it (a spread between patients, not a model uncertainty)",
    ),
    stage: crate::params::Stage::Cohort,
    description: "coefficient of variation of epidermis thickness between patients",
};

/// Log-SD of the wound-field radius between patients (and our uncertainty about it). `[A]`.
pub const RADIUS_SIGMA: Param = Param {
    name: "cohort.radius_sigma",
    unit: "1",
    value: 0.2,
    allowed: (0.0, 1.0),
    distribution: Distribution::Fixed,
    provenance: Provenance::Assumption(
        "the wound field is the series model's main uncertain parameter; no between-patient datum; not drawn: only `dermasim cohort` reads it (a spread between patients, not a model uncertainty)",
    ),
    stage: crate::params::Stage::Cohort,
    description: "log-SD of the wound-field radius between patients",
};

/// SD of age around the scenario's patient, years. Tirmizi 2021 \[V\]: 30.92 ± 6.19 years.
pub const AGE_SD_YEARS: Param = Param {
    name: "cohort.age_sd_years",
    unit: "years",
    value: 6.19,
    allowed: (0.0, 20.0),
    distribution: Distribution::Fixed,
    provenance: Provenance::Literature(
        "Tirmizi 2021 [V]: age 30.92 ± 6.19 years (acne-scar trial); not drawn: only `dermasim cohort` reads it (a spread between patients, not a model uncertainty)",
    ),
    stage: crate::params::Stage::Cohort,
    description: "SD of age around the scenario's patient",
};

/// Log-SD of the redness duration between patients. `[A]`.
pub const REDNESS_SIGMA: Param = Param {
    name: "cohort.redness_sigma",
    unit: "1",
    value: 0.3,
    allowed: (0.0, 1.0),
    distribution: Distribution::Fixed,
    provenance: Provenance::Assumption(
        "no between-patient datum on how long needling redness lasts; not drawn: only `dermasim cohort` reads it (a spread between patients, not a model uncertainty)",
    ),
    stage: crate::params::Stage::Cohort,
    description: "log-SD of the redness duration between patients",
};

/// One phototype's share of the mix drawn when the scenario gives none. `[A]` a mixed clinic
/// population centred on III-IV (the trials: Lotfi III-IV, Dogra IV-V, Kenkel I-IV, Alster
/// I-V). The draw divides by the six shares' sum, so an override of one share need not keep
/// the sum at 1.
const fn phototype_share(name: &'static str, value: f64, description: &'static str) -> Param {
    Param {
        name,
        unit: "1",
        value,
        allowed: (0.0, 1.0),
        distribution: Distribution::Fixed,
        provenance: Provenance::Assumption(
            "a mixed clinic population centred on III-IV (the trials: Lotfi III-IV, Dogra IV-V, Kenkel I-IV, Alster I-V); not drawn: only `dermasim cohort` reads it (a spread between patients, not a model uncertainty)",
        ),
        stage: crate::params::Stage::Cohort,
        description,
    }
}

/// Phototype mix drawn when the scenario gives none, I to VI (the shares are `[A]`; the draw
/// divides by their sum).
pub const PHOTOTYPE_MIX: [(Phototype, Param); 6] = [
    (
        Phototype::I,
        phototype_share("cohort.phototype_i_share", 0.05, "share of phototype I when the scenario gives none"),
    ),
    (
        Phototype::II,
        phototype_share("cohort.phototype_ii_share", 0.15, "share of phototype II when the scenario gives none"),
    ),
    (
        Phototype::III,
        phototype_share("cohort.phototype_iii_share", 0.30, "share of phototype III when the scenario gives none"),
    ),
    (
        Phototype::IV,
        phototype_share("cohort.phototype_iv_share", 0.30, "share of phototype IV when the scenario gives none"),
    ),
    (
        Phototype::V,
        phototype_share("cohort.phototype_v_share", 0.15, "share of phototype V when the scenario gives none"),
    ),
    (
        Phototype::VI,
        phototype_share("cohort.phototype_vi_share", 0.05, "share of phototype VI when the scenario gives none"),
    ),
];

/// The cohort's registered parameters.
pub const PARAMS: &[Param] = &[
    EPIDERMIS_CV,
    RADIUS_SIGMA,
    AGE_SD_YEARS,
    REDNESS_SIGMA,
    PHOTOTYPE_MIX[0].1,
    PHOTOTYPE_MIX[1].1,
    PHOTOTYPE_MIX[2].1,
    PHOTOTYPE_MIX[3].1,
    PHOTOTYPE_MIX[4].1,
    PHOTOTYPE_MIX[5].1,
];

/// Truncation of the patients' epidermis factor (about ±3 SD of the registry's CV), so no
/// patient has a non-physical epidermis. A numerical choice of the draw.
pub const EPIDERMIS_FACTOR_RANGE: (f64, f64) = (0.5, 1.6);

/// Truncation of the patients' wound-field factor (about ±1.7 log-SD). `[A]`: the series
/// model is calibrated for radii near the registry's; a numerical choice of the draw.
pub const RADIUS_FACTOR_RANGE: (f64, f64) = (0.7, 1.4);

/// Ages a drawn patient may have, years: the adults dermasim models (a definition).
pub const ADULT_AGE_RANGE_YEARS: (f64, f64) = (18.0, 90.0);

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

/// A fraction of the cohort with its 95 % interval for a trial of the cohort's size.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Proportion {
    /// Patients.
    pub count: usize,
    /// Fraction of the cohort.
    pub fraction: f64,
    /// Wilson score 95 % interval (Wilson 1927, J Am Stat Assoc 22:209).
    pub ci95: [f64; 2],
}

/// z of a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Wilson score interval of `k` successes in `n` trials at `z`.
pub fn wilson(k: usize, n: usize, z: f64) -> [f64; 2] {
    if n == 0 {
        return [0.0, 1.0];
    }
    let n = n as f64;
    let p = k as f64 / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt(); // [def] Wilson's formula
    let lo = if k == 0 { 0.0 } else { (centre - half).max(0.0) };
    let hi = if k as f64 >= n { 1.0 } else { (centre + half).min(1.0) };
    [lo, hi]
}

impl Proportion {
    fn of(count: usize, n: usize) -> Proportion {
        Proportion { count, fraction: count as f64 / n.max(1) as f64, ci95: wilson(count, n, Z95) }
    }
}

/// Grade-change outcome classes.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Outcomes {
    /// Grade after above grade before.
    pub worsened: Proportion,
    /// Same grade.
    pub unchanged: Proportion,
    /// One grade better.
    pub improved_1: Proportion,
    /// Two grades better.
    pub improved_2: Proportion,
    /// Three or more grades better.
    pub improved_3_or_more: Proportion,
}

/// Adverse-event rates over the series.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct AdverseEvents {
    /// Post-inflammatory hyperpigmentation.
    pub pih: Proportion,
    /// Redness of a session lasting beyond 72 h.
    pub prolonged_erythema: Proportion,
    /// A procedural (tram-track or hypertrophic) scar.
    pub scarring: Proportion,
}

/// One virtual patient.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Patient {
    /// Epidermis thickness, µm.
    pub epidermis_um: f64,
    /// Wound-field radius, µm.
    pub radius_um: f64,
    /// Response factor (1 typical).
    pub response: f64,
    /// Age, years.
    pub age_years: f64,
    /// Phototype.
    pub phototype: Phototype,
    /// Target-band activation of one session, 0-1.
    pub activation: f64,
    /// Papillary collagen change at the follow-up, %.
    pub collagen_change_pct: f64,
    /// Relative improvement, 0-1.
    pub improvement: f64,
    /// Severity before, on the scale.
    pub severity_before: f64,
    /// Severity after.
    pub severity_after: f64,
    /// Goodman & Baron quantitative score before (acne scars; the scale value otherwise).
    pub score_before: f64,
    /// The same after.
    pub score_after: f64,
    /// Grade before.
    pub grade_before: i32,
    /// Grade after.
    pub grade_after: i32,
    /// Had post-inflammatory hyperpigmentation.
    pub pih: bool,
    /// Had redness beyond 72 h.
    pub prolonged_erythema: bool,
    /// Had a procedural (tram-track or hypertrophic) scar.
    pub scarring: bool,
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
    /// What the series treats.
    pub indication: Indication,
    /// The scale outcomes are on.
    pub scale: &'static str,
    /// Its publication.
    pub scale_source: &'static str,
    /// Fraction of patients improved by at least one grade.
    pub improved_1_grade_or_more_fraction: f64,
    /// Fraction improved by at least two grades.
    pub improved_2_grades_or_more_fraction: f64,
    /// Worsened, unchanged, +1, +2, ≥ +3 grades, each with its 95 % interval.
    pub outcomes: Outcomes,
    /// Post-inflammatory hyperpigmentation and prolonged redness, with 95 % intervals.
    pub adverse_events: AdverseEvents,
    /// Fraction of patients by grade change (after − before: -2, -1, 0, ...), in increasing
    /// order; sums to 1. In JSON the keys are strings ("-2", "-1", "0": JSON object keys are).
    pub grade_change_distribution: BTreeMap<i32, f64>,
    /// Fraction of patients by grade before, in increasing order; sums to 1.
    pub grade_before_distribution: BTreeMap<i32, f64>,
    /// Fraction of patients by grade after, in increasing order; sums to 1.
    pub grade_after_distribution: BTreeMap<i32, f64>,
    /// Severity before on the scale.
    pub severity_before: MeanSd,
    /// Severity after.
    pub severity_after: MeanSd,
    /// Relative improvement per patient, %.
    pub improvement_pct: MeanSd,
    /// Goodman & Baron quantitative score before (acne scars; otherwise the scale value).
    pub score_before: MeanSd,
    /// The same after.
    pub score_after: MeanSd,
    /// Relative score change per patient, % (negative = better).
    pub score_change_pct: MeanSd,
    /// Papillary collagen change per patient, %.
    pub collagen_change_pct: MeanSd,
    /// Always present.
    pub disclaimer: &'static str,
}

fn distribution<I: Iterator<Item = i32>>(values: I, n: usize) -> BTreeMap<i32, f64> {
    let mut counts: BTreeMap<i32, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    counts.into_iter().map(|(k, c)| (k, c as f64 / n.max(1) as f64)).collect()
}

fn draw_phototype(u: f64, k: &crate::params::Parameters) -> Phototype {
    let total: f64 = PHOTOTYPE_MIX.iter().map(|(_, w)| k.get(w)).sum();
    // With the registry's shares the sum is 1 and `u` is used as drawn.
    let u = if total == 1.0 { u } else { u * total };
    let mut acc = 0.0;
    for (p, w) in &PHOTOTYPE_MIX {
        acc += k.get(w);
        if u < acc {
            return *p;
        }
    }
    Phototype::VI
}

/// One session's redness for the cohort's scenario, from the healing stage.
fn redness(s: &Scenario, channels: &[Channel], window_cm2: f64) -> series::Redness {
    crate::healing::assess(s, channels, window_cm2).as_ref().map(series::Redness::of).unwrap_or_default()
}

/// Samples the patients of a cohort given one session's channels.
pub fn patients(s: &Scenario, channels: &[Channel], window_cm2: f64, n: usize, seed: u64) -> Vec<Patient> {
    let p = &s.protocol;
    let indication = p.indication;
    let sc = series::scale(indication);
    let model = series::Model::of(&s.parameters);
    let (k, cal) = (&model.params, &*model.calibration);
    let days = series::session_days(p.sessions, p.interval_days);
    let profile = InjuryProfile::new(channels, window_cm2);
    let layers = s.skin.layers;
    let epidermis = layers.epidermis_um();
    let red = redness(s, channels, window_cm2);
    let base = series::baseline(indication, &s.patient);
    let history = series::history(&s.patient.conditions, k);
    // Raters: the published baseline SDs are of rated values; the true spread is what is left
    // after the rater's error (in quadrature).
    let rater = series::rater_sd(indication, k);
    let rater_points = series::goodman_baron_rater_sd_points(k);
    let true_sd = |published: f64, rater: f64| (published * published - rater * rater).max(0.0).sqrt();
    let baseline_sd = true_sd(sc.baseline_sd, rater);
    let q_mean = series::DOGRA_SCORE.0;
    let q_sd = true_sd(series::DOGRA_SCORE.1, rater_points);
    let points_per_grade = q_mean / series::GOODMAN_BARON.default_baseline;
    let grade_top = sc.range.1 + if indication == Indication::Striae { 0.0 } else { 0.49 }; // [def] still rounds to the top grade
    let spreads = &s.parameters;
    let (epidermis_cv, radius_sigma) = (spreads.get(&EPIDERMIS_CV), spreads.get(&RADIUS_SIGMA));
    let (age_sd, redness_sigma) = (spreads.get(&AGE_SD_YEARS), spreads.get(&REDNESS_SIGMA));
    (0..n)
        .into_par_iter()
        .map(|i| {
            let mut rng = stream(seed, Stage::Cohort, i as u64, 0);
            let e = (1.0 + epidermis_cv * standard_normal(&mut rng))
                .clamp(EPIDERMIS_FACTOR_RANGE.0, EPIDERMIS_FACTOR_RANGE.1);
            let rho =
                (radius_sigma * standard_normal(&mut rng)).exp().clamp(RADIUS_FACTOR_RANGE.0, RADIUS_FACTOR_RANGE.1);
            let sigma = cal.response_sigma;
            let h = (sigma * standard_normal(&mut rng) - 0.5 * sigma * sigma).exp();
            let age = (s.patient.age_years + age_sd * standard_normal(&mut rng))
                .clamp(ADULT_AGE_RANGE_YEARS.0, ADULT_AGE_RANGE_YEARS.1);
            let u: f64 = rng.random();
            let phototype = s.patient.phototype.unwrap_or_else(|| draw_phototype(u, &s.parameters));
            let z = standard_normal(&mut rng);
            let x0 = (base + baseline_sd * z).clamp(sc.range.0, grade_top);
            let redness = (redness_sigma * standard_normal(&mut rng)).exp();
            let u_pih: f64 = rng.random();
            let radius = k.influence_radius_um * rho;
            let bands = profile.bands(&layers, epidermis * e, indication, radius, k);
            let who = PatientInputs {
                age_years: age,
                phototype: Some(phototype),
                severity_before: x0,
                scar_types: &s.patient.scar_types,
                response: h,
                redness_factor: redness,
                history,
            };
            let r =
                series::respond(&model, indication, &days, p.follow_up_days, &bands, red, profile.torn_share(), &who);
            // Drawn last, so that the draws above keep their values.
            let u_scar: f64 = rng.random();
            let (z_before, z_after) = (standard_normal(&mut rng), standard_normal(&mut rng));
            let scarring = u_scar < r.scarring_probability;
            let penalty = if scarring { k.scar_penalty_grades } else { 0.0 };
            // True severity after: the remodelling's improvement, and a scar if one formed.
            let (severity_after, f_rated) = if indication == Indication::Striae {
                (r.severity_after, r.improvement - 0.25 * penalty) // [def] a striae class is a quarter of improvement
            } else {
                (r.severity_after + penalty, r.improvement)
            };
            // As rated: the true value plus the rater's error, independently before and after.
            let rated = |x: f64, z: f64| x + rater * z;
            let grade_before = series::grade(indication, rated(x0, z_before), None);
            let grade_after = if indication == Indication::Striae {
                series::grade(indication, x0, Some(f_rated))
            } else {
                series::grade(indication, rated(severity_after, z_after), None)
            };
            // The quantitative acne score moves with the grade (same z; Dogra's mean and SD
            // scaled to the baseline grade, `[A]`) and is rated with its own error; other scales
            // report their own (rated) value.
            let (score_before, score_after) = if indication == Indication::AcneScars {
                let q0 = ((q_mean + q_sd * z) * base / series::GOODMAN_BARON.default_baseline).max(1.0);
                let q1 = q0 * (1.0 - r.improvement) + penalty * points_per_grade;
                ((q0 + rater_points * z_before).max(0.0), (q1 + rater_points * z_after).max(0.0))
            } else if indication == Indication::Striae {
                (x0, x0 * (1.0 - f_rated))
            } else {
                (rated(x0, z_before).max(sc.range.0), rated(severity_after, z_after).max(sc.range.0))
            };
            Patient {
                epidermis_um: epidermis * e,
                radius_um: radius,
                response: h,
                age_years: age,
                phototype,
                activation: bands.target,
                collagen_change_pct: r.collagen_change_pct,
                improvement: r.improvement,
                severity_before: x0,
                severity_after,
                score_before,
                score_after,
                grade_before,
                grade_after,
                pih: u_pih < r.pih_probability,
                prolonged_erythema: r.prolonged_erythema,
                scarring,
            }
        })
        .collect()
}

/// Summarises patients into `cohort.json`.
pub fn summarise(s: &Scenario, patients: &[Patient], seed: u64) -> CohortResult {
    let n = patients.len();
    let change = |p: &Patient| p.grade_after - p.grade_before;
    let count = |f: &dyn Fn(&Patient) -> bool| patients.iter().filter(|p| f(p)).count();
    let col = |f: &dyn Fn(&Patient) -> f64| -> Vec<f64> { patients.iter().map(f).collect() };
    let indication = s.protocol.indication;
    let sc = series::scale(indication);
    let outcomes = Outcomes {
        worsened: Proportion::of(count(&|p| change(p) > 0), n),
        unchanged: Proportion::of(count(&|p| change(p) == 0), n),
        improved_1: Proportion::of(count(&|p| change(p) == -1), n),
        improved_2: Proportion::of(count(&|p| change(p) == -2), n),
        improved_3_or_more: Proportion::of(count(&|p| change(p) <= -3), n),
    };
    CohortResult {
        scenario: s.name.clone(),
        patients: n,
        seed,
        sessions: s.protocol.sessions,
        interval_days: s.protocol.interval_days,
        follow_up_days: s.protocol.follow_up_days,
        indication,
        scale: sc.name,
        scale_source: sc.source,
        improved_1_grade_or_more_fraction: count(&|p| change(p) <= -1) as f64 / n.max(1) as f64,
        improved_2_grades_or_more_fraction: count(&|p| change(p) <= -2) as f64 / n.max(1) as f64,
        outcomes,
        adverse_events: AdverseEvents {
            pih: Proportion::of(count(&|p| p.pih), n),
            prolonged_erythema: Proportion::of(count(&|p| p.prolonged_erythema), n),
            scarring: Proportion::of(count(&|p| p.scarring), n),
        },
        grade_change_distribution: distribution(patients.iter().map(change), n),
        grade_before_distribution: distribution(patients.iter().map(|p| p.grade_before), n),
        grade_after_distribution: distribution(patients.iter().map(|p| p.grade_after), n),
        severity_before: MeanSd::of(&col(&|p| p.severity_before)),
        severity_after: MeanSd::of(&col(&|p| p.severity_after)),
        improvement_pct: MeanSd::of(&col(&|p| 100.0 * p.improvement)),
        score_before: MeanSd::of(&col(&|p| p.score_before)),
        score_after: MeanSd::of(&col(&|p| p.score_after)),
        score_change_pct: MeanSd::of(&col(&|p| {
            100.0 * (p.score_after - p.score_before) / p.score_before.max(1e-9) + 0.0 // [num] guard
        })),
        collagen_change_pct: MeanSd::of(&col(&|p| p.collagen_change_pct)),
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
    let channels = crate::channels::form(&punctures, s);
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
    fn wilson_interval_matches_known_values() {
        // 5 of 30 (Dogra's PIH): 0.073-0.336 (Wilson, z = 1.96).
        let [lo, hi] = wilson(5, 30, Z95);
        assert!((lo - 0.0734).abs() < 1e-3 && (hi - 0.3365).abs() < 1e-3, "{lo} {hi}");
        // 0 of 30: upper bound 0.114.
        let [lo, hi] = wilson(0, 30, Z95);
        assert!(lo == 0.0 && (hi - 0.1135).abs() < 1e-3, "{hi}");
        assert_eq!(wilson(10, 10, Z95)[1], 1.0);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        /// Distributions sum to 1, the outcome classes partition the cohort and agree with the
        /// improved fractions, intervals contain their fractions, and a cohort is the same for a
        /// seed, for any size, seed, depth and indication.
        #[test]
        fn cohort_fractions_are_consistent(n in 1usize..200, seed in 0u64..1000, depth in 0.0f64..2000.0, ind in 0usize..3) {
            let indication = Indication::ALL[ind].name();
            let text = format!("[skin]\nsite = \"cheek\"\n[device]\ntype = \"dermaroller\"\npreset = \"roller-192\"\n[protocol]\nsetting = \"office\"\nindication = \"{indication}\"\narea_cm2 = 4\nsessions = 5\n");
            let s = crate::scenario::parse(&text, &[]).unwrap();
            let channels: Vec<Channel> = (0..50).map(|_| ch(depth)).collect();
            let ps = patients(&s, &channels, 0.2, n, seed);
            let r = summarise(&s, &ps, seed);
            for d in [&r.grade_change_distribution, &r.grade_before_distribution, &r.grade_after_distribution] {
                proptest::prop_assert!((d.values().sum::<f64>() - 1.0).abs() < 1e-9);
            }
            let o = &r.outcomes;
            let classes = [o.worsened, o.unchanged, o.improved_1, o.improved_2, o.improved_3_or_more];
            proptest::prop_assert_eq!(classes.iter().map(|c| c.count).sum::<usize>(), n);
            for c in classes {
                proptest::prop_assert!(c.ci95[0] <= c.fraction + 1e-12 && c.fraction <= c.ci95[1] + 1e-12);
            }
            let one = o.improved_1.fraction + o.improved_2.fraction + o.improved_3_or_more.fraction;
            proptest::prop_assert!((one - r.improved_1_grade_or_more_fraction).abs() < 1e-9);
            // Only a procedural scar makes the true severity worse.
            proptest::prop_assert!(ps.iter().all(|p| p.scarring || p.severity_after <= p.severity_before + 1e-12));
            proptest::prop_assert_eq!(r, summarise(&s, &patients(&s, &channels, 0.2, n, seed), seed));
        }
    }
}
