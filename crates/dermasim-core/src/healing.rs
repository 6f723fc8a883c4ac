//! Healing stage, first hours and days: channel resealing, barrier recovery and redness.
//!
//! **Resealing in people** (`docs/models.md §7.1`). Each channel closes on one pore clock, a
//! log-logistic (Hill) closure calibrated on impedance measured in people:
//!
//! ```text
//! s(t) = 1 / (1 + (t / t50)^n),   t95 = t50 · 19^(1/n),
//! t95(d) = T95_PATCH · (d / d_patch)^α · f_conditions,   f = 1 occluded, 1/F_occl open, × NSAID
//! ```
//!
//! (T95_PATCH, n: the occluded patch study PMC8259462; F_occl: that study against Gupta 2011's
//! "within 2 h" without occlusion; α: Kalluri 2011, animal, labelled). Two readouts of the same
//! clock:
//!
//! * the **pores** (`channels_closed_h`, [`openness_curve`]): the channels' mean openness, what
//!   a dye or a drug still finds open; the transport stage takes its table;
//! * the **barrier** (`barrier_recovered_h`, what impedance and water loss read): the open area
//!   of all pores per cm², `Σ a_i s_i(t)`, falls below a detection level (5 % of the reference
//!   array's), so more needles and wider openings read as recovered later (Gupta 2011: resealing
//!   time grows with length, number and cross-section, and with occlusion). Hairless-rat skin
//!   (animal checks only) reads its barrier against its own water loss: recovered when the open
//!   area has fallen to the share Kalluri's 770 µm roller had left at its TEWL recovery.
//!
//! **Redness as a colorimeter reads it** (`docs/models.md §7.2`): Δa* (CIELAB a*, treated minus
//! untreated skin, Minolta Chroma Meter), `Δa*(t) = Δa*_max · E(t)`, resolved below a visible
//! Δa* (Babulak 1986). `E` is the share of the measured spot inside a red footprint, weighted by
//! its fading: a short neurogenic flush driven by the number of punctures and a dermal
//! inflammatory part driven by the dermal injury dose (punctures per cm² times their depth into
//! the dermis, torn channels counting more), lasting longer for deeper wounds:
//!
//! ```text
//! P_e = 1 − exp(−N / N_E)                    N  punctures per cm²
//! P_d = 1 − exp(−D / D_E)                    D  Σ (z/100 µm)(1 + k_torn·torn) per cm²
//! τ_d = τ_ref · (z̄ / z_ref)^β  (≥ τ_e)       z̄ mean depth below the epidermis of dermal channels
//! E(t) = (1 − P_d) P_e e^(−t/τ_e) + P_d e^(−t/τ_d)
//! ```
//!
//! τ_e and D_E are calibrated on Bal et al. 2008 (arrays on people, redness < 2 h), τ_ref on
//! the typical 1.5 mm roller session (24-72 h). The constants are in the parameter registry
//! ([`PARAMS`]); a run reads them through [`HealingModel::of`] from the scenario's
//! [`Parameters`], which also recomputes the calibrated quantities.

use std::sync::OnceLock;

use serde::Serialize;

use crate::channels::{Channel, SkinResponse, mean_depth_um};
use crate::device::Needle;
use crate::params::{Distribution, Param, Parameters, Provenance, Stage};
use crate::scenario::Scenario;
use crate::skin::{Mounting, Skin};

// ---------------------------------------------------------------------------------------------
// Registered parameters
// ---------------------------------------------------------------------------------------------

/// Mean micropore closure time under a patch (occluded), human, impedance, h: mean of abdomen
/// 63.09, upper arm 60.34 and volar forearm 58.29 h (PMC8259462, Brogden lab 2021, n = 35) \[V\].
/// Uncertainty: about two standard errors of the mean (SD ≈ 13-17 h, n = 35).
pub const PATCH_T95_H: Param = Param {
    name: "healing.patch_t95_h",
    unit: "h",
    value: (63.09 + 60.34 + 58.29) / 3.0,
    allowed: (20.0, 150.0),
    distribution: Distribution::Uniform { lo: 55.0, hi: 66.0 },
    provenance: Provenance::Literature(
        "PMC8259462 (Brogden lab 2021, n = 35, impedance under a patch): mean closure 63.09 / 60.34 / 58.29 h at abdomen / upper arm / forearm [V]",
    ),
    stage: Stage::Healing,
    description: "mean micropore closure time of the reference array under a patch, human",
};
/// Predicted closure half-life under a patch, human, h: mean of 25.86, 23.69 and 20.2 h
/// (PMC8259462) \[V\].
pub const PATCH_T50_H: Param = Param {
    name: "healing.patch_t50_h",
    unit: "h",
    value: (25.86 + 23.69 + 20.2) / 3.0,
    allowed: (5.0, 60.0),
    distribution: Distribution::Uniform { lo: 19.0, hi: 27.5 },
    provenance: Provenance::Literature(
        "PMC8259462: predicted closure half-life 25.86 / 23.69 / 20.2 h (abdomen / upper arm / forearm) [V]",
    ),
    stage: Stage::Healing,
    description: "closure half-life of the reference array under a patch, human (sets the Hill exponent n)",
};
/// Reported SD of the mean closure time, h (the smallest of the three sites, 13.13 h) \[V\]: the
/// tolerance of the V8 check, not a model constant.
pub const PATCH_T95_SD_H: f64 = 13.13;
/// Reported SD of the half-life, h (the smallest of the three, 11.99 h) \[V\]: V8's tolerance.
pub const PATCH_T50_SD_H: f64 = 11.99;

/// Needle length of the arrays of the patch study, µm. `[A]` not in the abstract: a typical
/// stainless-steel array of that lab, pressed by hand; the layout is the `array-600` preset
/// (11 × 11 at 600 µm, Donnelly's array) `[A]`.
pub const PATCH_NEEDLE_UM: Param = Param {
    name: "healing.patch_needle_um",
    unit: "µm",
    value: 750.0,
    allowed: (300.0, 1500.0),
    distribution: Distribution::Uniform { lo: 500.0, hi: 1000.0 },
    provenance: Provenance::Assumption(
        "the patch study's arrays are not described in its abstract: a typical hand-pressed stainless-steel array of that lab, array-600 layout",
    ),
    stage: Stage::Healing,
    description: "needle length of the reference array (PMC8259462), base 300 µm and tip 5 µm [A]",
};
/// Base width of those needles, µm `[A]` (not drawn: the length carries the uncertainty).
pub const PATCH_BASE_UM: f64 = 300.0;
/// Tip radius of those needles, µm. `[A]` sharp.
pub const PATCH_TIP_UM: f64 = 5.0;

/// Time for an unoccluded array's pores to reseal, human, impedance, h. `[C]` Gupta et al. 2011
/// (J Control Release, impedance spectroscopy in human subjects) \[V\]: "in the absence of
/// occlusion, all microneedle treated sites recovered barrier properties within 2 h"; 1.5 h,
/// read at the reference array (the patch study's), puts every array inside that bound.
pub const UNOCCLUDED_RESEALED_H: Param = Param {
    name: "healing.unoccluded_resealed_h",
    unit: "h",
    value: 1.5,
    allowed: (0.25, 4.0),
    distribution: Distribution::Uniform { lo: 0.75, hi: 2.0 },
    provenance: Provenance::Calibrated(
        "Gupta 2011 (J Control Release, human impedance) [V]: without occlusion all array sites recovered 'within 2 h', read as 1.5 h at the reference array",
    ),
    stage: Stage::Healing,
    description: "pore closure time of the reference array without occlusion (sets the occlusion factor)",
};

/// Brogden et al. 2013 (Pharm Res 30:1947) \[V\]: naltrexone delivered for 7 days with
/// diclofenac vs 72 h with placebo (both under a patch, human).
pub const NSAID_CLOSURE_FACTOR: Param = Param {
    name: "healing.nsaid_closure_factor",
    unit: "1",
    value: 7.0 * 24.0 / 72.0,
    allowed: (1.0, 10.0),
    distribution: Distribution::LogUniform { lo: 1.5, hi: 3.5 },
    provenance: Provenance::Literature(
        "Brogden 2013 (Pharm Res 30:1947) [V]: naltrexone delivered 7 d with diclofenac vs 72 h with placebo, human, under a patch",
    ),
    stage: Stage::Healing,
    description: "lengthening of pore closure by a topical NSAID",
};

/// Openness (pore clock) below which the channels count as closed: 95 % of the openness gone;
/// also the barrier's detection level as a share of the reference array's open area. `[A]` the
/// definition of PMC8259462's "closure" read on its array.
pub const CLOSED_OPENNESS: Param = Param {
    name: "healing.closed_openness",
    unit: "1",
    value: 0.05,
    allowed: (0.01, 0.2),
    distribution: Distribution::Fixed,
    provenance: Provenance::Assumption(
        "definition: closed = 95 % of the openness gone (the t95 of PMC8259462); the same share of the reference array's open area is the barrier's detection level",
    ),
    stage: Stage::Healing,
    description: "openness below which pores count as closed, and the barrier's detection level",
};

/// Kalluri et al. 2011 (AAPS J 13:473) \[V\], hairless rat, unoccluded: calcein-visible pores of a
/// 370 µm roller closed by 12 h (animal datum, labelled).
pub const KALLURI_PORE_T95_370_H: Param = Param {
    name: "healing.kalluri_pore_t95_370_h",
    unit: "h",
    value: 12.0,
    allowed: (3.0, 48.0),
    distribution: Distribution::Fixed,
    provenance: Provenance::Literature(
        "Kalluri 2011 (AAPS J 13:473), hairless rat (animal): calcein pores of the 370 µm roller closed by 12 h [V]",
    ),
    stage: Stage::Healing,
    description: "pore closure, 370 µm roller, hairless rat (with the 770 µm datum: the depth exponent α)",
};
/// Kalluri et al. 2011 \[V\]: pores of a 770 µm roller closed by 18 h (animal datum, labelled).
pub const KALLURI_PORE_T95_770_H: Param = Param {
    name: "healing.kalluri_pore_t95_770_h",
    unit: "h",
    value: 18.0,
    allowed: (4.0, 72.0),
    distribution: Distribution::Fixed,
    provenance: Provenance::Literature(
        "Kalluri 2011, hairless rat (animal): calcein pores of the 770 µm roller closed by 18 h [V]",
    ),
    stage: Stage::Healing,
    description: "pore closure, 770 µm roller, hairless rat (α and the rat closure factor)",
};
/// Kalluri et al. 2011 \[V\]: TEWL showed the barrier regained "around 4 to 5 h after poration"
/// for both rollers (animal datum, labelled): the rat's barrier detection level.
pub const KALLURI_TEWL_RECOVERED_H: Param = Param {
    name: "healing.kalluri_tewl_recovered_h",
    unit: "h",
    value: 4.5,
    allowed: (1.0, 12.0),
    distribution: Distribution::Uniform { lo: 4.0, hi: 5.0 },
    provenance: Provenance::Literature(
        "Kalluri 2011, hairless rat (animal): TEWL back 'around 4 to 5 h after poration' for 370 and 770 µm [V]",
    ),
    stage: Stage::Healing,
    description: "rat barrier recovery of the 770 µm roller (calibrates the rat's barrier detection level)",
};

/// Redness of confluent, maximal post-needling erythema, Δa* (CIELAB a* measured with a
/// tristimulus colorimeter such as the Minolta Chroma Meter, treated minus untreated skin).
/// `[A]`: the 0-1 redness fraction of the model times this is the Δa* the instrument reads.
pub const DELTA_A_MAX: Param = Param {
    name: "healing.delta_a_max",
    unit: "Δa*",
    value: 10.0,
    allowed: (3.0, 20.0),
    distribution: Distribution::Uniform { lo: 6.0, hi: 14.0 },
    provenance: Provenance::Assumption(
        "confluent maximal post-needling erythema reads about Δa* 10 on a Minolta Chroma Meter (no published post-needling Δa* found)",
    ),
    stage: Stage::Healing,
    description: "Δa* of confluent maximal erythema (converts the 0-1 redness fraction to Δa*)",
};
/// Δa* below which redness counts as resolved (not visible). `[P]` Babulak et al. 1986 (J Soc
/// Cosmet Chem 37:475, Minolta Chroma Meter, 21 subjects): visually graded detergent erythema
/// read Δa* ≈ 1.4-2.6 over baseline; 2.0 is taken as just visible.
pub const ERYTHEMA_VISIBLE_DELTA_A: Param = Param {
    name: "healing.erythema_visible_delta_a",
    unit: "Δa*",
    value: 2.0,
    allowed: (0.5, 5.0),
    distribution: Distribution::Uniform { lo: 1.4, hi: 2.6 },
    provenance: Provenance::Literature(
        "Babulak 1986 (J Soc Cosmet Chem 37:475, Minolta Chroma Meter) [P]: just-visible erythema reads Δa* about 1.4-2.6 over baseline",
    ),
    stage: Stage::Healing,
    description: "Δa* below which redness counts as resolved",
};

/// Punctures per cm² whose flush footprints cover 63 % of the skin: the inverse of one
/// puncture's flush footprint (1 mm², a flare about 1.1 mm across). `[A]` no measured flare
/// size after a microneedle; the neurogenic flare of a needle prick is millimetres wide.
pub const FLUSH_DENSITY_SCALE_PER_CM2: Param = Param {
    name: "healing.flush_density_scale_per_cm2",
    unit: "1/cm²",
    value: 100.0,
    allowed: (10.0, 1000.0),
    distribution: Distribution::LogUniform { lo: 30.0, hi: 300.0 },
    provenance: Provenance::Assumption(
        "a flush footprint of about 1 mm² per puncture (the flare of a needle prick is millimetres wide; none measured after a microneedle)",
    ),
    stage: Stage::Healing,
    description: "punctures per cm² whose flush footprints cover 63 % of the skin",
};

/// Bal et al. 2008 (Eur J Pharm Sci 35:193, 18 volunteers, ventral forearm, skin redness
/// measured) \[V\]: after solid microneedle arrays of 200 and 400 µm "the irritation was minimal
/// and lasted less than 2 h": the bound every array's redness must meet.
pub const BAL_BOUND_H: Param = Param {
    name: "healing.bal_bound_h",
    unit: "h",
    value: 2.0,
    allowed: (1.0, 4.0),
    distribution: Distribution::Fixed,
    provenance: Provenance::Literature(
        "Bal 2008 (Eur J Pharm Sci 35:193, 18 volunteers, forearm, redness measured) [V]: after 200 and 400 µm arrays the irritation 'lasted less than 2 h'",
    ),
    stage: Stage::Healing,
    description: "upper bound of the redness of one press of a 400 µm array (calibrates the dermal footprint)",
};
/// Bal 2008's "less than 2 h", read as 1.5 h for the flush of one press of the array `[A]`.
pub const BAL_FLUSH_RESOLVED_H: Param = Param {
    name: "healing.bal_flush_resolved_h",
    unit: "h",
    value: 1.5,
    allowed: (0.25, 1.9),
    distribution: Distribution::Uniform { lo: 1.0, hi: 1.9 },
    provenance: Provenance::Calibrated(
        "Bal 2008 [V] 'less than 2 h', read as 1.5 h for the flush of one press of the array (121 needles on 0.44 cm², array-600 layout [A])",
    ),
    stage: Stage::Healing,
    description: "time the flush of one array press stays visible (sets the flush decay τ_e)",
};

/// Extra injury of a torn (roller-slip or bent-needle) channel. `[A]` El-Domyati 2024 \[V\]:
/// rollers tend to more redness than pens at the same depth (qualitative, difference not
/// significant); 0.5 keeps it "somewhat more".
pub const TORN_EXTRA: Param = Param {
    name: "healing.torn_extra",
    unit: "1",
    value: 0.5,
    allowed: (0.0, 3.0),
    distribution: Distribution::Uniform { lo: 0.0, hi: 1.0 },
    provenance: Provenance::Assumption(
        "El-Domyati 2024 [V]: rollers tend to more redness than pens at the same depth (not significant): a torn channel injures 'somewhat more'",
    ),
    stage: Stage::Healing,
    description: "extra dermal injury of a torn channel",
};

/// Resolution time of the calibration scenario's redness, h. `[C]` the typical 0.5-1.5 mm
/// treatment fades within 24-72 h (PMC8008152 \[V\] "self-resolving within 72 hours"; pen page
/// \[S\] "about 24 hours"): the office 1.5 mm roller, 16 passes on the cheek, is put at the middle
/// of the band, 48 h.
pub const CALIBRATION_RESOLVED_H: Param = Param {
    name: "healing.calibration_resolved_h",
    unit: "h",
    value: 48.0,
    allowed: (12.0, 120.0),
    distribution: Distribution::Uniform { lo: 24.0, hi: 72.0 },
    provenance: Provenance::Calibrated(
        "a typical 0.5-1.5 mm session's redness self-resolves within 72 h (PMC8008152 [V]; pen page 'about 24 hours' [S]): the 16-pass 1.5 mm cheek roller put at 48 h",
    ),
    stage: Stage::Healing,
    description: "redness duration of the calibration roller session (sets the dermal decay τ_ref)",
};

/// Growth of the dermal redness decay time with the wound depth, τ ∝ z^β. `[A]` deeper wounds
/// inflame longer (clinic page \[S\]: "2-5 days" after deep treatments); β = 0.25 is checked, not
/// fitted, against that band (V13).
pub const DERMAL_DEPTH_EXPONENT: Param = Param {
    name: "healing.dermal_depth_exponent",
    unit: "1",
    value: 0.25,
    allowed: (0.0, 1.0),
    distribution: Distribution::Uniform { lo: 0.0, hi: 0.5 },
    provenance: Provenance::Assumption(
        "deeper wounds inflame longer (clinic page [S]: '2-5 days' after deep sessions); checked, not fitted, against V13",
    ),
    stage: Stage::Healing,
    description: "exponent β of the dermal redness decay time in the mean dermal depth",
};

/// The healing stage's registered parameters.
pub const PARAMS: &[Param] = &[
    PATCH_T95_H,
    PATCH_T50_H,
    PATCH_NEEDLE_UM,
    UNOCCLUDED_RESEALED_H,
    NSAID_CLOSURE_FACTOR,
    CLOSED_OPENNESS,
    KALLURI_PORE_T95_370_H,
    KALLURI_PORE_T95_770_H,
    KALLURI_TEWL_RECOVERED_H,
    DELTA_A_MAX,
    ERYTHEMA_VISIBLE_DELTA_A,
    FLUSH_DENSITY_SCALE_PER_CM2,
    BAL_BOUND_H,
    BAL_FLUSH_RESOLVED_H,
    TORN_EXTRA,
    CALIBRATION_RESOLVED_H,
    DERMAL_DEPTH_EXPONENT,
];

// ---------------------------------------------------------------------------------------------
// Calibration scenarios (run once per process through the punctures and channels stages)
// ---------------------------------------------------------------------------------------------

/// The redness calibration scenario: a 1.5 mm roller-192, 16 passes in four directions, on the
/// female cheek (the V13 roller).
pub const CALIBRATION_SCENARIO: &str = r#"
[skin]
site = "cheek"
sex = "female"
[device]
type = "dermaroller"
preset = "roller-192"
needle_length_mm = 1.5
[protocol]
setting = "office"
area_cm2 = 60
passes = [
  { direction_deg = 0, count = 4 },
  { direction_deg = 90, count = 4 },
  { direction_deg = 45, count = 4 },
  { direction_deg = 135, count = 4 },
]
[simulation]
seed = 1
transport = "off"
"#;

/// Bal et al. 2008's 400 µm array: one press of the `array-600` layout (`[A]`, not in the
/// abstract) on the ventral forearm.
pub const BAL_SCENARIO: &str = r#"
[skin]
site = "forearm"
[device]
type = "stamp"
preset = "array-600"
needle_length_mm = 0.4
[protocol]
setting = "office"
area_cm2 = 1
[simulation]
seed = 1
transport = "off"
"#;

fn dose_of(text: &str) -> InjuryDose {
    let s = crate::scenario::parse(text, &[]).expect("a calibration scenario is valid");
    let map = crate::punctures::generate(&s);
    let channels = crate::channels::form(&map, &s);
    InjuryDose::from_channels(&channels, map.window_cm2(), s.skin.layers.epidermis_um())
}

/// The injury dose of [`CALIBRATION_SCENARIO`] by the punctures and channels stages, computed once
/// per process.
pub fn calibration_dose() -> &'static InjuryDose {
    static DOSE: OnceLock<InjuryDose> = OnceLock::new();
    DOSE.get_or_init(|| dose_of(CALIBRATION_SCENARIO))
}

/// The injury dose of [`BAL_SCENARIO`], computed once per process.
pub fn bal_dose() -> &'static InjuryDose {
    static DOSE: OnceLock<InjuryDose> = OnceLock::new();
    DOSE.get_or_init(|| dose_of(BAL_SCENARIO))
}

// ---------------------------------------------------------------------------------------------
// The model with its calibrated quantities
// ---------------------------------------------------------------------------------------------

/// The healing model of one run: the registered parameters as the scenario sets them and the
/// quantities calibrated from them, computed once.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HealingModel {
    /// Mean closure time of the reference array under a patch, h.
    pub patch_t95_h: f64,
    /// Hill exponent n of the closure curve. `[C]` PMC8259462: 19^(1/n) = t95/t50, n ≈ 3.1.
    pub hill_n: f64,
    /// Mean channel depth of the reference array by the mechanics, µm.
    pub patch_depth_um: f64,
    /// Depth exponent α of the closure time, t ∝ d^α. `[C]` Kalluri 2011 (animal datum,
    /// labelled: the only quantitative depth dependence found): 12 h vs 18 h at the channel
    /// depths of the 370 and 770 µm rollers. Gupta 2011 (human) supports the direction only.
    pub alpha: f64,
    /// Occlusion multiplier of the closure times. `[C]` the patch study (occluded, 60.6 h)
    /// against Gupta 2011 (unoccluded, within 2 h), both human impedance at the reference array:
    /// about 40.
    pub occlusion_factor: f64,
    /// NSAID multiplier.
    pub nsaid_factor: f64,
    /// Openness below which pores count as closed.
    pub closed_openness: f64,
    /// Pore closure of hairless rat skin relative to human skin at the same depth and
    /// conditions. `[C]` Kalluri 2011 (animal): the 770 µm rat roller's dye pores closed by 18 h
    /// unoccluded, against the human clock at that depth. Absorbs species and readout.
    pub rat_closure_factor: f64,
    /// Open pore area per cm² below which human barrier reads as recovered, cm²/cm²: the closed
    /// share of the reference array's open area just after needling.
    pub barrier_threshold_per_cm2: f64,
    /// Share of its initial open area at which rat skin's barrier reads as recovered. `[C]`
    /// Kalluri 2011 (animal): the 770 µm roller's pores' openness at its TEWL recovery.
    pub rat_barrier_share: f64,
    /// Δa* of confluent maximal redness.
    pub delta_a_max: f64,
    /// Δa* below which redness is resolved.
    pub visible_delta_a: f64,
    /// Flush footprint scale, punctures per cm².
    pub flush_scale_per_cm2: f64,
    /// Decay time of the flush, h. `[C]` Bal 2008 (one press of the 400 µm array).
    pub tau_epidermal_h: f64,
    /// Dermal injury (100-µm channel equivalents per cm²) whose red footprints cover 63 % of the
    /// skin. `[C]` Bal 2008: the smallest scale with which the 400 µm array's redness resolves by
    /// Bal's 2 h bound (a larger dermal footprint would keep it red longer).
    pub dermal_dose_scale: f64,
    /// Extra injury of a torn channel.
    pub torn_extra: f64,
    /// Decay time of the dermal redness at [`HealingModel::dermal_depth_ref_um`], h. `[C]` the
    /// calibration roller's redness resolves at `healing.calibration_resolved_h`.
    pub tau_dermal_ref_h: f64,
    /// Reference dermal depth, µm: the calibration scenario's mean depth below the epidermis.
    pub dermal_depth_ref_um: f64,
    /// β.
    pub dermal_depth_exponent: f64,
}

/// Mean channel depth of a Kalluri roller needle of `length_um` on hairless rat, by the
/// mechanics (770 µm → 152.5 µm, the mechanics' own animal calibration datum).
pub fn kalluri_channel_depth_um(length_um: f64) -> f64 {
    use crate::channels::{DEFAULT_STROKE_SPEED_MM_S, Insertion, kalluri_roller, rat_follow_through};
    let roller = kalluri_roller(length_um);
    let rat = SkinResponse { follow_through: rat_follow_through(), ..SkinResponse::LIVING_HUMAN };
    mean_depth_um(&roller.needle, roller.needle.tip_radius_um, &Insertion::of(&roller, DEFAULT_STROKE_SPEED_MM_S), rat)
}

/// The reference array's needle (the patch study's, `[A]`).
pub fn patch_needle(length_um: f64) -> Needle {
    Needle { length_um, diameter_um: PATCH_BASE_UM, tip_radius_um: PATCH_TIP_UM }
}

impl HealingModel {
    /// The model with the registry's values, computed once per process.
    pub fn registry() -> &'static HealingModel {
        static MODEL: OnceLock<HealingModel> = OnceLock::new();
        MODEL.get_or_init(|| HealingModel::compute(&Parameters::new()))
    }

    /// The model a run uses: the registry's values except those `p` overrides.
    pub fn of(p: &Parameters) -> HealingModel {
        if p.is_empty() { HealingModel::registry().clone() } else { HealingModel::compute(p) }
    }

    fn compute(p: &Parameters) -> HealingModel {
        let patch_t95_h = p.get(&PATCH_T95_H);
        let hill_n = 19f64.ln() / (patch_t95_h / p.get(&PATCH_T50_H)).max(1.0 + 1e-9).ln();
        let needle = patch_needle(p.get(&PATCH_NEEDLE_UM));
        let patch_depth_um =
            mean_depth_um(&needle, PATCH_TIP_UM, &crate::channels::donnelly_insertion(), SkinResponse::LIVING_HUMAN)
                .max(1.0);
        let (k370, k770) = (p.get(&KALLURI_PORE_T95_370_H), p.get(&KALLURI_PORE_T95_770_H));
        let (d370, d770) = (kalluri_channel_depth_um(370.0), kalluri_channel_depth_um(770.0));
        let alpha = if d770 > d370 && d370 > 0.0 { (k770 / k370).ln() / (d770 / d370).ln() } else { 0.0 };
        let closed_openness = p.get(&CLOSED_OPENNESS);
        // Open area of the reference array just after needling: 121 openings on its
        // 0.66 × 0.66 cm footprint.
        let w_um =
            crate::channels::opening_width_um(&needle, patch_depth_um, 1.0, crate::channels::opening_recovery(p));
        let n = f64::from(crate::channels::DONNELLY_NEEDLES);
        let side_cm = crate::channels::DONNELLY_PITCH_UM * n.sqrt() * 1e-4;
        let patch_area = n * std::f64::consts::PI * (0.5 * w_um * 1e-4).powi(2) / (side_cm * side_cm);
        let mut m = HealingModel {
            patch_t95_h,
            hill_n,
            patch_depth_um,
            alpha,
            occlusion_factor: patch_t95_h / p.get(&UNOCCLUDED_RESEALED_H),
            nsaid_factor: p.get(&NSAID_CLOSURE_FACTOR),
            closed_openness,
            rat_closure_factor: 1.0,
            barrier_threshold_per_cm2: closed_openness * patch_area,
            rat_barrier_share: closed_openness,
            delta_a_max: p.get(&DELTA_A_MAX),
            visible_delta_a: p.get(&ERYTHEMA_VISIBLE_DELTA_A),
            flush_scale_per_cm2: p.get(&FLUSH_DENSITY_SCALE_PER_CM2),
            tau_epidermal_h: 1.0,
            dermal_dose_scale: 1.0,
            torn_extra: p.get(&TORN_EXTRA),
            tau_dermal_ref_h: 1.0,
            dermal_depth_ref_um: calibration_dose().mean_dermal_depth_um.max(1.0),
            dermal_depth_exponent: p.get(&DERMAL_DEPTH_EXPONENT),
        };
        // Rat: the closure factor on Kalluri's 770 µm roller, then its barrier share at TEWL
        // recovery.
        let open = ClosureConditions::default();
        m.rat_closure_factor = k770 / m.pore_t95_h(d770, open, false);
        m.rat_barrier_share = m.pore_openness(d770, open, true, p.get(&KALLURI_TEWL_RECOVERED_H));
        // Redness: τ_e from the flush of Bal's array, then the dermal footprint scale and τ_ref
        // together (τ_ref depends on the scale through the calibration roller's peak).
        let visible = m.visible();
        let bal = bal_dose();
        let flush_peak = 1.0 - (-bal.punctures_per_cm2 / m.flush_scale_per_cm2).exp();
        let flush_h = p.get(&BAL_FLUSH_RESOLVED_H);
        m.tau_epidermal_h = if flush_peak > visible { flush_h / (flush_peak / visible).ln() } else { flush_h };
        let bound_h = p.get(&BAL_BOUND_H).max(flush_h);
        let at_bound = |scale: f64| -> f64 {
            let mut t = m.clone();
            t.set_dermal_scale(scale, p);
            t.erythema(bal).at(bound_h) - visible
        };
        // The Bal array's redness at the bound falls as the footprint scale grows: bisect on ln D_E.
        let (mut lo, mut hi) = (1.0f64.ln(), 1e9f64.ln());
        if at_bound(hi.exp()) > 0.0 {
            lo = hi;
        } else if at_bound(lo.exp()) <= 0.0 {
            hi = lo;
        }
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if at_bound(mid.exp()) > 0.0 { lo = mid } else { hi = mid }
        }
        m.set_dermal_scale(hi.exp(), p);
        m
    }

    /// Sets the dermal footprint scale and the dermal decay calibrated with it.
    fn set_dermal_scale(&mut self, scale: f64, p: &Parameters) {
        self.dermal_dose_scale = scale;
        let peak = 1.0 - (-calibration_dose().dermal_dose_per_cm2 / scale).exp();
        let visible = self.visible();
        let resolved = p.get(&CALIBRATION_RESOLVED_H);
        // The calibration roller's dermal redness crosses the visible level at `resolved` (its
        // flush has long faded); if its dermal peak is not visible, no decay time can make it so
        // and τ_ref keeps the calibration time as a floor.
        self.tau_dermal_ref_h = if peak > visible * (1.0 + 1e-9) { resolved / (peak / visible).ln() } else { resolved }
            .max(self.tau_epidermal_h);
    }

    /// Erythema just visible, on the model's 0-1 redness fraction (only the ratio of the two
    /// Δa* matters for when redness resolves).
    pub fn visible(&self) -> f64 {
        (self.visible_delta_a / self.delta_a_max).clamp(1e-6, 1.0)
    }

    /// Pore closure time (95 % of the openness gone) of one channel of `depth_um`, h:
    /// `t95 = T95_PATCH · (d / d_patch)^α · f_conditions` (× the rat factor on rat skin).
    pub fn pore_t95_h(&self, depth_um: f64, cond: ClosureConditions, rat: bool) -> f64 {
        let d = depth_um.max(1.0);
        let species = if rat { self.rat_closure_factor } else { 1.0 };
        self.patch_t95_h * (d / self.patch_depth_um).powf(self.alpha) * self.conditions_factor(cond) * species
    }

    fn conditions_factor(&self, c: ClosureConditions) -> f64 {
        (if c.occluded { 1.0 } else { 1.0 / self.occlusion_factor }) * if c.nsaid { self.nsaid_factor } else { 1.0 }
    }

    /// Openness (pore clock) of one channel at `t_h`.
    pub fn pore_openness(&self, depth_um: f64, cond: ClosureConditions, rat: bool, t_h: f64) -> f64 {
        let t50 = self.pore_t95_h(depth_um, cond, rat) / 19f64.powf(1.0 / self.hill_n);
        1.0 / (1.0 + (t_h.max(0.0) / t50).powf(self.hill_n))
    }

    /// The redness course a dose gives.
    pub fn erythema(&self, dose: &InjuryDose) -> Erythema {
        let tau_e = self.tau_epidermal_h;
        let tau_d = if dose.mean_dermal_depth_um > 0.0 {
            self.tau_dermal_ref_h
                * (dose.mean_dermal_depth_um / self.dermal_depth_ref_um).powf(self.dermal_depth_exponent)
        } else {
            0.0
        };
        Erythema {
            epidermal_peak: 1.0 - (-dose.punctures_per_cm2 / self.flush_scale_per_cm2).exp(),
            dermal_peak: 1.0 - (-dose.dermal_dose_per_cm2 / self.dermal_dose_scale).exp(),
            tau_epidermal_h: tau_e,
            tau_dermal_h: tau_d.max(tau_e),
            visible: self.visible(),
            delta_a_max: self.delta_a_max,
        }
    }

    /// The injury dose of `channels` in a window of `window_cm2` under this model (torn extra).
    pub fn dose(&self, channels: &[Channel], window_cm2: f64, epidermis_um: f64) -> InjuryDose {
        InjuryDose::with_torn_extra(channels, window_cm2, epidermis_um, self.torn_extra)
    }
}

/// Hill exponent n of the registry's pore closure curve (≈ 3.1).
pub fn pore_hill_exponent() -> f64 {
    HealingModel::registry().hill_n
}

/// Depth exponent α of the registry's pore closure time.
pub fn pore_depth_exponent() -> f64 {
    HealingModel::registry().alpha
}

/// Occlusion multiplier of the registry's closure times (about 40).
pub fn occlusion_factor() -> f64 {
    HealingModel::registry().occlusion_factor
}

/// Decay time of the dermal redness at the reference depth with the registry's values, h.
pub fn tau_dermal_ref_h() -> f64 {
    HealingModel::registry().tau_dermal_ref_h
}

/// What slows closure after a session.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct ClosureConditions {
    /// A product is left on under an occlusive dressing after needling.
    pub occluded: bool,
    /// A non-steroidal anti-inflammatory (diclofenac) is applied after needling.
    pub nsaid: bool,
}

impl ClosureConditions {
    /// The conditions a scenario sets: any product with `occluded = true` occludes (numbing
    /// cream comes off before needling and does not count); a product named "diclofenac" or
    /// "nsaid", or containing the ingredient class `nsaid`, counts as an NSAID.
    pub fn of(s: &Scenario) -> ClosureConditions {
        let nsaid = s.products.iter().any(|p| {
            let n = p.name.to_ascii_lowercase();
            n.contains("diclofenac")
                || n.contains("nsaid")
                || p.contains.contains(&crate::scenario::vocabulary::Ingredient::Nsaid)
        });
        ClosureConditions { occluded: s.products.iter().any(|p| p.occluded), nsaid }
    }
}

/// Whether a skin is hairless-rat skin (an animal preset, for the animal checks).
fn is_rat(skin: &Skin) -> bool {
    crate::channels::is_rat(skin)
}

/// Living skin heals; excised skin in a Franz cell does not.
pub fn heals(skin: &Skin) -> bool {
    skin.mounting == Mounting::InVivo
}

/// Up to this many channels (an even stride through the list) enter the mean openness.
/// Numerical choice, not a model constant.
const OPENNESS_SAMPLE: usize = 4000;

/// The channels as the clocks see them: depth and open area of an even sample, with the share
/// of all channels each stands for.
struct Pores<'m> {
    depths_um: Vec<f64>,
    areas_cm2: Vec<f64>,
    weight: f64,
    rat: bool,
    cond: ClosureConditions,
    model: &'m HealingModel,
}

impl<'m> Pores<'m> {
    fn new(channels: &[Channel], skin: &Skin, cond: ClosureConditions, model: &'m HealingModel) -> Pores<'m> {
        let stride = channels.len().div_ceil(OPENNESS_SAMPLE).max(1);
        let sample: Vec<&Channel> = channels.iter().step_by(stride).filter(|c| c.depth_um > 0.0).collect();
        Pores {
            depths_um: sample.iter().map(|c| c.depth_um).collect(),
            areas_cm2: sample.iter().map(|c| std::f64::consts::FRAC_PI_4 * c.width_um * c.length_um * 1e-8).collect(),
            weight: stride as f64,
            rat: is_rat(skin),
            cond,
            model,
        }
    }

    fn mean_openness(&self, t_h: f64) -> f64 {
        if self.depths_um.is_empty() {
            return 0.0;
        }
        self.depths_um.iter().map(|&d| self.model.pore_openness(d, self.cond, self.rat, t_h)).sum::<f64>()
            / self.depths_um.len() as f64
    }

    /// Open pore area per cm² of skin at `t_h` (what impedance and water loss see), cm²/cm².
    fn open_area_per_cm2(&self, t_h: f64, window_cm2: f64) -> f64 {
        self.depths_um
            .iter()
            .zip(&self.areas_cm2)
            .map(|(&d, &a)| a * self.model.pore_openness(d, self.cond, self.rat, t_h))
            .sum::<f64>()
            * self.weight
            / window_cm2
    }

    /// Open area per cm² at which the barrier reads as recovered: the human detection level, or
    /// for rat skin its share of the initial open area.
    fn barrier_level(&self, window_cm2: f64) -> f64 {
        if self.rat {
            self.model.rat_barrier_share * self.open_area_per_cm2(0.0, window_cm2)
        } else {
            self.model.barrier_threshold_per_cm2
        }
    }
}

/// First time at which `f` (decreasing) falls to `level`, h.
fn time_to(f: impl Fn(f64) -> f64, level: f64) -> f64 {
    if f(0.0) <= level {
        return 0.0;
    }
    let (mut lo, mut hi) = (0.0, 1.0);
    while f(hi) > level && hi < 1e6 {
        hi *= 2.0;
    }
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if f(mid) > level { lo = mid } else { hi = mid }
    }
    0.5 * (lo + hi)
}

/// Time at which 95 % of the channels' mean openness is gone (the pore clock: what a dye or a
/// drug still finds open), h (0 without channels).
pub fn channels_closed_h(channels: &[Channel], skin: &Skin, cond: ClosureConditions, m: &HealingModel) -> f64 {
    let p = Pores::new(channels, skin, cond, m);
    if p.depths_um.is_empty() {
        return 0.0;
    }
    time_to(|t| p.mean_openness(t), m.closed_openness)
}

/// Time at which half of the channels' mean openness is gone (the closure half-life), h.
pub fn channels_half_open_h(channels: &[Channel], skin: &Skin, cond: ClosureConditions, m: &HealingModel) -> f64 {
    let p = Pores::new(channels, skin, cond, m);
    if p.depths_um.is_empty() {
        return 0.0;
    }
    time_to(|t| p.mean_openness(t), 0.5)
}

/// Time until the barrier reads as recovered (the channels' open area per cm² below the
/// detection level), h.
pub fn barrier_recovered_h(
    channels: &[Channel],
    window_cm2: f64,
    skin: &Skin,
    cond: ClosureConditions,
    m: &HealingModel,
) -> f64 {
    let p = Pores::new(channels, skin, cond, m);
    if p.depths_um.is_empty() || window_cm2 <= 0.0 || !window_cm2.is_finite() {
        return 0.0;
    }
    time_to(|t| p.open_area_per_cm2(t, window_cm2), p.barrier_level(window_cm2))
}

/// Points in an openness table after t = 0. Numerical choice.
const CURVE_POINTS: usize = 48;

/// A log-spaced table of `f` from 0 to where it falls below `end_level` of its start.
fn curve(f: impl Fn(f64) -> f64, end_level: f64) -> Vec<(f64, f64)> {
    let f0 = f(0.0);
    if f0 <= 0.0 {
        return Vec::new();
    }
    let t_end = time_to(|t| f(t) / f0, end_level).max(0.2);
    let t0 = t_end * 1e-3;
    let ratio = (t_end / t0).powf(1.0 / (CURVE_POINTS - 1) as f64);
    let mut out = vec![(0.0, 1.0)];
    let mut t = t0;
    for _ in 0..CURVE_POINTS {
        out.push((t, (f(t) / f0).clamp(0.0, 1.0)));
        t *= ratio;
    }
    out
}

/// Mean channel openness over time (pore clock): `(t_h, 0..1)`, strictly increasing times from
/// 0, 1 at t = 0, down to below 0.1 % at the last point. Empty for excised skin (it does not
/// heal: the channels stay open) and when there are no channels. This is the table
/// `dermasim_transport::Channel::openness` takes.
pub fn openness_curve(channels: &[Channel], skin: &Skin, cond: ClosureConditions, m: &HealingModel) -> Vec<(f64, f64)> {
    if !heals(skin) {
        return Vec::new();
    }
    let p = Pores::new(channels, skin, cond, m);
    if p.depths_um.is_empty() {
        return Vec::new();
    }
    curve(|t| p.mean_openness(t), 1e-3)
}

/// The barrier deficit over time, `(t_h, 0..1)`: the channels' open area relative to just after
/// needling (1), down to below the recovered level; empty for excised skin or no channels.
pub fn barrier_curve(
    channels: &[Channel],
    window_cm2: f64,
    skin: &Skin,
    cond: ClosureConditions,
    m: &HealingModel,
) -> Vec<(f64, f64)> {
    if !heals(skin) || window_cm2 <= 0.0 {
        return Vec::new();
    }
    let p = Pores::new(channels, skin, cond, m);
    if p.depths_um.is_empty() {
        return Vec::new();
    }
    let s0 = p.open_area_per_cm2(0.0, window_cm2);
    let end = (p.barrier_level(window_cm2) / s0).clamp(1e-4, 0.5);
    curve(|t| p.open_area_per_cm2(t, window_cm2), end)
}

// ---------------------------------------------------------------------------------------------
// Erythema
// ---------------------------------------------------------------------------------------------

/// The injury a session leaves, per cm².
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct InjuryDose {
    /// Punctures per cm².
    pub punctures_per_cm2: f64,
    /// Dermal injury: Σ (depth below the epidermis / 100 µm)·(1 + torn extra) per cm².
    pub dermal_dose_per_cm2: f64,
    /// The same without the torn extra (what drives collagen), per cm².
    pub dermal_depth_dose_per_cm2: f64,
    /// Mean depth below the epidermis of the channels that reach the dermis, µm (0 if none).
    pub mean_dermal_depth_um: f64,
    /// Fraction of channels that reach the dermis.
    pub dermal_fraction: f64,
}

impl InjuryDose {
    /// The dose of `channels` in a window of `window_cm2`, with an epidermis `epidermis_um`
    /// thick (stratum corneum + viable epidermis), the registry's torn extra.
    pub fn from_channels(channels: &[Channel], window_cm2: f64, epidermis_um: f64) -> InjuryDose {
        InjuryDose::with_torn_extra(channels, window_cm2, epidermis_um, TORN_EXTRA.value)
    }

    /// As [`InjuryDose::from_channels`] with a given torn extra.
    pub fn with_torn_extra(channels: &[Channel], window_cm2: f64, epidermis_um: f64, torn_extra: f64) -> InjuryDose {
        if channels.is_empty() || window_cm2 <= 0.0 || !window_cm2.is_finite() {
            return InjuryDose::default();
        }
        let (mut dose, mut depth_dose, mut z_sum, mut n_dermal) = (0.0, 0.0, 0.0, 0usize);
        for c in channels {
            let z = (c.depth_um - epidermis_um).max(0.0);
            if z > 0.0 {
                n_dermal += 1;
                z_sum += z;
                depth_dose += z / 100.0;
                dose += z / 100.0 * if c.torn { 1.0 + torn_extra } else { 1.0 };
            }
        }
        InjuryDose {
            punctures_per_cm2: channels.len() as f64 / window_cm2,
            dermal_dose_per_cm2: dose / window_cm2,
            dermal_depth_dose_per_cm2: depth_dose / window_cm2,
            mean_dermal_depth_um: if n_dermal > 0 { z_sum / n_dermal as f64 } else { 0.0 },
            dermal_fraction: n_dermal as f64 / channels.len() as f64,
        }
    }
}

/// An erythema time course.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Erythema {
    /// Peak of the epidermal flush, 0-1.
    pub epidermal_peak: f64,
    /// Peak of the dermal part, 0-1.
    pub dermal_peak: f64,
    /// Decay time of the flush, h.
    pub tau_epidermal_h: f64,
    /// Decay time of the dermal part, h.
    pub tau_dermal_h: f64,
    /// Just-visible redness on the 0-1 scale.
    pub visible: f64,
    /// Δa* of confluent maximal redness (the 0-1 scale's 1).
    pub delta_a_max: f64,
}

impl Erythema {
    /// The course a dose gives with the registry's values.
    pub fn from_dose(dose: &InjuryDose) -> Erythema {
        HealingModel::registry().erythema(dose)
    }

    /// Redness at `t_h` after needling, 0-1.
    pub fn at(&self, t_h: f64) -> f64 {
        let t = t_h.max(0.0);
        ((1.0 - self.dermal_peak) * self.epidermal_peak * (-t / self.tau_epidermal_h).exp()
            + self.dermal_peak * (-t / self.tau_dermal_h).exp())
        .clamp(0.0, 1.0)
    }

    /// Peak redness (just after needling), 0-1.
    pub fn peak(&self) -> f64 {
        self.at(0.0)
    }

    /// Redness at `t_h` as a colorimeter reads it, Δa* (treated minus untreated skin).
    pub fn delta_a_at(&self, t_h: f64) -> f64 {
        self.delta_a_max * self.at(t_h)
    }

    /// Time until Δa* falls below the visible level, h (0 if it never shows).
    pub fn resolved_h(&self) -> f64 {
        if self.peak() <= self.visible {
            return 0.0;
        }
        let (mut lo, mut hi) = (0.0, 20.0 * self.tau_dermal_h.max(self.tau_epidermal_h));
        for _ in 0..80 {
            let mid = 0.5 * (lo + hi);
            if self.at(mid) > self.visible { lo = mid } else { hi = mid }
        }
        0.5 * (lo + hi)
    }
}

// ---------------------------------------------------------------------------------------------
// The stage
// ---------------------------------------------------------------------------------------------

/// What the healing stage computes for one session.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Healing {
    /// Closure conditions.
    pub conditions: ClosureConditions,
    /// Barrier recovered (open pore area per cm² below the detection level: impedance and water
    /// loss back to baseline), h.
    pub barrier_recovered_h: f64,
    /// 95 % of the channels' mean openness gone (pore clock), h.
    pub channels_closed_h: f64,
    /// Injury dose of the session.
    pub dose: InjuryDose,
    /// Redness course.
    pub erythema: Erythema,
    /// Peak redness, 0-1.
    pub erythema_peak: f64,
    /// Peak redness as a colorimeter reads it, Δa* (CIELAB a*, treated minus untreated skin).
    pub erythema_peak_delta_a: f64,
    /// Δa* below which redness counts as resolved.
    pub erythema_visible_delta_a: f64,
    /// Redness faded below the visible Δa*, h.
    pub erythema_resolved_h: f64,
    /// Mean channel openness over time (pore clock), for the transport stage.
    pub openness_curve: Vec<(f64, f64)>,
    /// Barrier deficit over time, `(t_h, 0..1)` (open pore area relative to just after needling).
    pub barrier_curve: Vec<(f64, f64)>,
}

impl Healing {
    /// Days until the skin has recovered from the session: redness faded, channels closed and
    /// barrier back, whichever is last.
    pub fn recovery_days(&self) -> f64 {
        self.erythema_resolved_h.max(self.channels_closed_h).max(self.barrier_recovered_h) / 24.0
    }
}

/// Runs the healing stage on one session's channels (`window_cm2`: the area they were simulated
/// on). `None` for excised skin, which does not heal.
pub fn assess(s: &Scenario, channels: &[Channel], window_cm2: f64) -> Option<Healing> {
    if !heals(&s.skin) {
        return None;
    }
    let m = HealingModel::of(&s.parameters);
    let cond = ClosureConditions::of(s);
    let dose = m.dose(channels, window_cm2, s.skin.layers.epidermis_um());
    let erythema = m.erythema(&dose);
    Some(Healing {
        conditions: cond,
        barrier_recovered_h: barrier_recovered_h(channels, window_cm2, &s.skin, cond, &m),
        channels_closed_h: channels_closed_h(channels, &s.skin, cond, &m),
        dose,
        erythema,
        erythema_peak: erythema.peak(),
        erythema_peak_delta_a: erythema.delta_a_at(0.0),
        erythema_visible_delta_a: m.visible_delta_a,
        erythema_resolved_h: erythema.resolved_h(),
        openness_curve: openness_curve(channels, &s.skin, cond, &m),
        barrier_curve: barrier_curve(channels, window_cm2, &s.skin, cond, &m),
    })
}

/// Days until the skin has recovered from one session of this scenario (redness faded, channels
/// closed, barrier back): what the interval between sessions should at least be. 0 for excised
/// skin.
pub fn recovery_days(s: &Scenario, channels: &[Channel], window_cm2: f64) -> f64 {
    assess(s, channels, window_cm2).map(|h| h.recovery_days()).unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skin::Layer;

    fn ch(depth_um: f64, torn: bool) -> Channel {
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
            torn,
        }
    }

    const OPEN: ClosureConditions = ClosureConditions { occluded: false, nsaid: false };
    const OCCL: ClosureConditions = ClosureConditions { occluded: true, nsaid: false };

    #[test]
    fn calibrated_parameters_reproduce_their_data() {
        let m = HealingModel::registry();
        // Kalluri (rat, animal): 12 h and 18 h at the channel depths of the 370 and 770 um rollers.
        assert!((m.pore_t95_h(kalluri_channel_depth_um(370.0), OPEN, true) - 12.0).abs() < 1e-9);
        assert!((m.pore_t95_h(kalluri_channel_depth_um(770.0), OPEN, true) - 18.0).abs() < 1e-9);
        // Patch, human, occluded: t95 and t50 of PMC8259462.
        let d = m.patch_depth_um;
        assert!((m.pore_t95_h(d, OCCL, false) - PATCH_T95_H.value).abs() < 1e-9);
        let n = pore_hill_exponent();
        assert!((m.pore_openness(d, OCCL, false, PATCH_T50_H.value) - 0.5).abs() < 1e-9);
        assert!((2.5..3.5).contains(&n), "{n}");
        // Gupta, human, unoccluded: the same array within 2 h.
        assert!((m.pore_t95_h(d, OPEN, false) - UNOCCLUDED_RESEALED_H.value).abs() < 1e-9);
        assert!((30.0..50.0).contains(&occlusion_factor()), "{}", occlusion_factor());
        assert!((0.3..0.8).contains(&pore_depth_exponent()), "{}", pore_depth_exponent());
        assert!(m.rat_closure_factor > 1.0);
        // Rat barrier: the 770 um roller's pores at Kalluri's TEWL recovery (4.5 h).
        let share = m.pore_openness(kalluri_channel_depth_um(770.0), OPEN, true, 4.5);
        assert!((m.rat_barrier_share - share).abs() < 1e-12 && share > 0.05 && share < 1.0, "{share}");
        // Bal 2008: the flush of one press of the 400 um array is visible for 1.5 h, and the
        // array's whole redness ends at the 2 h bound (the dermal footprint's calibration).
        let bal = m.erythema(bal_dose());
        let flush = bal.epidermal_peak * (-1.5 / bal.tau_epidermal_h).exp();
        assert!((flush - m.visible()).abs() < 1e-9, "{flush}");
        assert!((bal.resolved_h() - 2.0).abs() < 1e-3, "{}", bal.resolved_h());
        assert!(bal.dermal_peak > 0.0 && bal.dermal_peak < m.visible(), "{:?}", bal);
        // The calibration roller resolves at 48 h.
        let cal = m.erythema(calibration_dose());
        assert!((cal.resolved_h() - 48.0).abs() < 0.05, "{}", cal.resolved_h());
    }

    #[test]
    fn openness_curve_is_a_valid_transport_table() {
        let skin = crate::skin::site_preset("cheek").map(|p| p.name).unwrap();
        let s = crate::scenario::parse(
            &format!(
                "[skin]\nsite = \"{skin}\"\n[device]\ntype = \"dermaroller\"\npreset = \"roller-192\"\nneedle_length_mm = 1.0\n[protocol]\nsetting = \"office\"\narea_cm2 = 4\n[simulation]\ntransport = \"off\"\n"
            ),
            &[],
        )
        .unwrap();
        let channels: Vec<Channel> = (0..50).map(|i| ch(100.0 + 10.0 * f64::from(i), i % 2 == 0)).collect();
        let m = HealingModel::registry();
        let c = openness_curve(&channels, &s.skin, OPEN, m);
        assert_eq!(c[0], (0.0, 1.0));
        assert!(c.windows(2).all(|w| w[1].0 > w[0].0 && w[1].1 <= w[0].1 + 1e-12));
        assert!(c.last().unwrap().1 < 2e-3);
        assert!(c.iter().all(|&(_, v)| (0.0..=1.0).contains(&v)));
        // The table reaches the closure time the summary reports.
        let closed = channels_closed_h(&channels, &s.skin, OPEN, m);
        assert!(c.last().unwrap().0 > closed);
    }

    #[test]
    fn occlusion_and_nsaid_slow_closure_deeper_channels_close_later() {
        let m = HealingModel::registry();
        for d in [5.0, 50.0, 200.0, 1000.0] {
            assert!(m.pore_t95_h(d, OCCL, false) > m.pore_t95_h(d, OPEN, false));
            let nsaid = ClosureConditions { occluded: false, nsaid: true };
            assert!(m.pore_t95_h(d, nsaid, false) > m.pore_t95_h(d, OPEN, false));
            assert!(m.pore_t95_h(d * 2.0, OPEN, false) > m.pore_t95_h(d, OPEN, false));
        }
    }

    fn cheek() -> Skin {
        crate::scenario::parse(
            "[skin]\nsite = \"cheek\"\n[device]\ntype = \"dermaroller\"\npreset = \"roller-192\"\n[protocol]\nsetting = \"office\"\narea_cm2 = 4\n",
            &[],
        )
        .unwrap()
        .skin
    }

    #[test]
    fn the_barrier_reads_recovered_later_for_more_and_wider_pores() {
        let skin = cheek();
        let pores = |n: usize, w: f64| -> Vec<Channel> {
            (0..n).map(|_| Channel { width_um: w, length_um: w, ..ch(500.0, false) }).collect()
        };
        let m = HealingModel::registry();
        let t = |c: &[Channel]| barrier_recovered_h(c, 1.0, &skin, OPEN, m);
        assert!(t(&pores(400, 100.0)) > t(&pores(100, 100.0)));
        assert!(t(&pores(100, 200.0)) > t(&pores(100, 100.0)));
        assert!(barrier_recovered_h(&pores(100, 100.0), 1.0, &skin, OCCL, m) > t(&pores(100, 100.0)));
        // The reference array reads as recovered when its pores close.
        assert!(m.barrier_threshold_per_cm2 > 0.0 && m.barrier_threshold_per_cm2 < 0.05);
        let b = barrier_curve(&pores(100, 100.0), 1.0, &skin, OPEN, m);
        assert_eq!(b[0], (0.0, 1.0));
        assert!(b.windows(2).all(|w| w[1].0 > w[0].0 && w[1].1 <= w[0].1 + 1e-12));
    }

    #[test]
    fn erythema_resolution_is_where_the_course_crosses_the_threshold() {
        let e = Erythema::from_dose(&InjuryDose {
            punctures_per_cm2: 250.0,
            dermal_dose_per_cm2: 900.0,
            dermal_depth_dose_per_cm2: 600.0,
            mean_dermal_depth_um: 250.0,
            dermal_fraction: 1.0,
        });
        let t = e.resolved_h();
        assert!((e.at(t) - e.visible).abs() < 1e-6);
        assert!(e.at(t * 0.9) > e.visible);
        assert!(e.peak() <= 1.0 && e.peak() > 0.5);
        // Nothing happens without punctures.
        assert_eq!(Erythema::from_dose(&InjuryDose::default()).resolved_h(), 0.0);
    }

    #[test]
    fn torn_channels_redden_more() {
        let clean: Vec<Channel> = (0..100).map(|_| ch(400.0, false)).collect();
        let torn: Vec<Channel> = (0..100).map(|_| ch(400.0, true)).collect();
        let a = Erythema::from_dose(&InjuryDose::from_channels(&clean, 1.0, 72.0));
        let b = Erythema::from_dose(&InjuryDose::from_channels(&torn, 1.0, 72.0));
        assert!(b.peak() > a.peak() && b.resolved_h() > a.resolved_h());
        // "somewhat": less than twice as long.
        assert!(b.resolved_h() < 2.0 * a.resolved_h());
    }

    proptest::proptest! {
        /// Deeper or denser needling never gives less redness at any time, nor an earlier fade;
        /// occlusion never speeds closure.
        #[test]
        fn redness_is_monotonic_in_depth_and_density(
            depth in 0.0f64..3000.0,
            extra_depth in 0.0f64..1000.0,
            n in 1usize..200,
            extra_n in 0usize..200,
            torn in proptest::bool::ANY,
            t in 0.0f64..200.0,
            epi in 20.0f64..150.0,
        ) {
            let make = |d: f64, k: usize| -> Vec<Channel> { (0..k).map(|_| ch(d, torn)).collect() };
            let e = |c: &[Channel]| Erythema::from_dose(&InjuryDose::from_channels(c, 1.0, epi));
            let base = e(&make(depth, n));
            for other in [e(&make(depth + extra_depth, n)), e(&make(depth, n + extra_n))] {
                proptest::prop_assert!(other.at(t) >= base.at(t) - 1e-12);
                proptest::prop_assert!(other.resolved_h() >= base.resolved_h() - 1e-6);
                proptest::prop_assert!(other.peak() >= base.peak() - 1e-12);
            }
            let c = make(depth.max(0.5), 3);
            let skin = cheek();
            let m = HealingModel::registry();
            proptest::prop_assert!(channels_closed_h(&c, &skin, OCCL, m) >= channels_closed_h(&c, &skin, OPEN, m));
            proptest::prop_assert!(m.pore_openness(depth, OCCL, false, t) >= m.pore_openness(depth, OPEN, false, t) - 1e-12);
        }
    }

    #[test]
    fn overrides_move_the_calibrated_quantities() {
        let mut p = Parameters::new();
        p.set("healing.unoccluded_resealed_h", 0.75).unwrap();
        let m = HealingModel::of(&p);
        assert!((m.occlusion_factor - 2.0 * occlusion_factor()).abs() < 1e-9);
        // A wider visible threshold: the calibrations still hold at their data.
        let mut p = Parameters::new();
        p.set("healing.erythema_visible_delta_a", 2.5).unwrap();
        let m = HealingModel::of(&p);
        assert!((m.erythema(bal_dose()).resolved_h() - 2.0).abs() < 1e-3);
        assert!((m.erythema(calibration_dose()).resolved_h() - 48.0).abs() < 0.05);
        assert_eq!(HealingModel::of(&Parameters::new()), *HealingModel::registry());
    }
}
