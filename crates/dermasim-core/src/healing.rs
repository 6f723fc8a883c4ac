//! Healing stage, first hours and days: channel resealing, barrier recovery and redness.
//!
//! Two clocks close a channel (literature.md §4 and §9.2):
//!
//! * the **water barrier** (TEWL, impedance) recovers within hours, whatever the depth
//!   (Kalluri 2011: 4-5 h for both 370 and 770 µm rollers);
//! * the **pore** a dye or a drug can still pass persists longer, and longer for deeper
//!   channels (Kalluri 2011: 12 h for 370 µm, 18 h for 770 µm; PMC8259462: mean closure
//!   58-63 h, half-life 20-26 h under a patch in humans).
//!
//! The pore clock of one channel of depth `d` is a log-logistic (Hill) closure,
//!
//! ```text
//! s(t) = 1 / (1 + (t / t50)^n),   t95 = t50 · 19^(1/n),
//! t95(d) = T95_KALLURI_770 · (d / d_770)^α · f_occlusion · f_nsaid
//! ```
//!
//! and the barrier clock a first-order recovery `b(t) = exp(−3 t / t95_barrier)` (95 % of the
//! deficit gone at `t95_barrier`). [`openness_curve`] averages the pore clock over the channels;
//! it is the `(t_h, 0..1)` table the transport stage takes.
//!
//! Redness (erythema, 0-1 scale: 0 none, 1 the maximum of a clinical erythema grade,
//! confluent deep red) has two parts: a short neurogenic/epidermal flush driven by the number of
//! punctures, and a dermal inflammatory part driven by the dermal injury dose (punctures per cm²
//! times their depth into the dermis, torn channels counting more), lasting longer for deeper
//! wounds:
//!
//! ```text
//! P_e = 1 − exp(−N / N_E)                    N  punctures per cm²
//! P_d = 1 − exp(−D / D_E)                    D  Σ (z/100 µm)(1 + k_torn·torn) per cm²
//! τ_d = T_D · (z̄ / 250 µm)^β  (≥ τ_e)        z̄ mean depth below the epidermis of dermal channels
//! E(t) = (1 − P_d) P_e e^(−t/τ_e) + P_d e^(−t/τ_d)
//! ```
//!
//! Redness is "resolved" when `E` falls below [`ERYTHEMA_VISIBLE`]. Every parameter names its
//! datum below and in `docs/models.md §7`.

use serde::Serialize;

use crate::channels::{Channel, SkinResponse, mean_depth_um};
use crate::device::Needle;
use crate::scenario::Scenario;
use crate::skin::{Mounting, Skin};

// ---------------------------------------------------------------------------------------------
// Barrier clock
// ---------------------------------------------------------------------------------------------

/// Time for 95 % of the barrier deficit to recover, unoccluded living human skin, h. `[C]`
/// Gupta et al. 2011 (J Control Release, impedance, n = human volunteers) \[V\]: "in the absence
/// of occlusion, all microneedle treated sites recovered barrier properties within 2 h"; 1.5 h
/// puts the model inside that bound whatever the geometry.
pub const BARRIER_T95_HUMAN_H: f64 = 1.5;

/// Barrier recovery time of hairless rat skin relative to human skin. `[C]` Kalluri et al.
/// 2011 (AAPS J 13:473) \[V\]: TEWL back "around 4 to 5 h after poration" (unoccluded, dermaroller)
/// → 4.5 h / 1.5 h. The reference has no datum to tell species from device (a roller's torn
/// channels vs Gupta's clean arrays) apart; the factor is put on the species.
pub const RAT_BARRIER_FACTOR: f64 = 3.0;

// ---------------------------------------------------------------------------------------------
// Pore clock
// ---------------------------------------------------------------------------------------------

/// Kalluri et al. 2011 \[V\]: calcein-visible pores of a 370 µm roller closed by 12 h (hairless rat,
/// unoccluded: the abstract adds "pore closure can be further delayed significantly under
/// occluded conditions").
pub const KALLURI_PORE_T95_370_H: f64 = 12.0;
/// Kalluri et al. 2011 \[V\]: pores of a 770 µm roller closed by 18 h.
pub const KALLURI_PORE_T95_770_H: f64 = 18.0;

/// Mean closure time of micropores under a patch, human, h: mean of abdomen 63.09, upper arm
/// 60.34 and volar forearm 58.29 h (PMC8259462, Brogden lab 2021, n = 35) \[V\].
pub const PATCH_T95_H: f64 = (63.09 + 60.34 + 58.29) / 3.0;
/// Predicted closure half-life under a patch, human, h: mean of 25.86, 23.69 and 20.2 h
/// (PMC8259462) \[V\].
pub const PATCH_T50_H: f64 = (25.86 + 23.69 + 20.2) / 3.0;
/// Reported SD of the mean closure time, h (the smallest of the three sites, 13.13 h) \[V\].
pub const PATCH_T95_SD_H: f64 = 13.13;
/// Reported SD of the half-life, h (the smallest of the three, 11.99 h) \[V\].
pub const PATCH_T50_SD_H: f64 = 11.99;

/// Needle length of the arrays used for the patch study, µm. `[A]` not in the excerpt; a
/// typical stainless-steel array of that lab, pressed by hand.
pub const PATCH_NEEDLE_UM: f64 = 750.0;
/// Tip radius of those needles, µm. `[A]` sharp.
pub const PATCH_TIP_UM: f64 = 5.0;

/// Brogden et al. 2013 (Pharm Res 30:1947) \[V\]: naltrexone delivered for 7 days with diclofenac
/// vs 72 h with placebo.
pub const NSAID_CLOSURE_FACTOR: f64 = 7.0 * 24.0 / 72.0;

/// Openness (pore clock) below which the channels count as closed: 95 % of the openness gone.
pub const CLOSED_OPENNESS: f64 = 0.05;

/// Mean channel depth of a Kalluri roller needle of `length_um` on hairless rat: Kalluri's
/// measured depth ratio, 152.5 µm / 770 µm \[V\] (animal), carried to the 370 µm roller `[A]`
/// (its depth was not measured). Used only for the rat pore clock's calibration.
pub fn kalluri_channel_depth_um(length_um: f64) -> f64 {
    length_um * crate::channels::KALLURI_DEPTH_UM / crate::channels::KALLURI_NEEDLE_UM
}

/// Depth exponent α of the pore closure time. `[C]` Kalluri 2011: 12 h vs 18 h for the channels
/// of the 370 and 770 µm rollers (56 and 152.5 µm deep by the mechanics): α = ln(18/12) /
/// ln(d770/d370) ≈ 0.40.
pub fn pore_depth_exponent() -> f64 {
    (KALLURI_PORE_T95_770_H / KALLURI_PORE_T95_370_H).ln()
        / (kalluri_channel_depth_um(770.0) / kalluri_channel_depth_um(370.0)).ln()
}

/// Hill exponent n of the pore closure curve. `[C]` PMC8259462: mean closure 60.6 h and half-life
/// 23.3 h give 19^(1/n) = t95/t50, n ≈ 3.1.
pub fn pore_hill_exponent() -> f64 {
    19f64.ln() / (PATCH_T95_H / PATCH_T50_H).ln()
}

/// Mean channel depth of the patch study's arrays by the mechanics, µm (`[A]` needle, see
/// [`PATCH_NEEDLE_UM`]).
pub fn patch_channel_depth_um() -> f64 {
    let needle = Needle { length_um: PATCH_NEEDLE_UM, diameter_um: 300.0, tip_radius_um: PATCH_TIP_UM };
    mean_depth_um(&needle, PATCH_TIP_UM, &crate::channels::donnelly_insertion(), SkinResponse::LIVING_HUMAN)
}

/// Occlusion multiplier of the closure times. `[C]` PMC8259462 (60.6 h under a patch, human) vs
/// Kalluri 2011 (18 h unoccluded at 152.5 µm, rat) carried to the patch channels' depth with
/// [`pore_depth_exponent`], taking rat and human pores to close alike (`[A]`): about 1.9. Used
/// for the barrier clock too (`[A]`; Gupta 2011 \[V\]: occluded sites "resealed more slowly").
pub fn occlusion_factor() -> f64 {
    let at_patch_depth = KALLURI_PORE_T95_770_H
        * (patch_channel_depth_um() / kalluri_channel_depth_um(770.0)).powf(pore_depth_exponent());
    PATCH_T95_H / at_patch_depth
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

    fn factor(self) -> f64 {
        (if self.occluded { occlusion_factor() } else { 1.0 }) * if self.nsaid { NSAID_CLOSURE_FACTOR } else { 1.0 }
    }
}

fn is_rat(skin: &Skin) -> bool {
    skin.site.starts_with("hairless-rat")
}

/// Living skin heals; excised skin in a Franz cell does not.
pub fn heals(skin: &Skin) -> bool {
    skin.mounting == Mounting::InVivo
}

/// Barrier recovery time (95 % of the deficit gone), h.
pub fn barrier_recovered_h(skin: &Skin, cond: ClosureConditions) -> f64 {
    BARRIER_T95_HUMAN_H * if is_rat(skin) { RAT_BARRIER_FACTOR } else { 1.0 } * cond.factor()
}

/// Pore closure time (95 % of the openness gone) of one channel of `depth_um`, h.
pub fn pore_t95_h(depth_um: f64, cond: ClosureConditions) -> f64 {
    let d = depth_um.max(1.0);
    KALLURI_PORE_T95_770_H * (d / kalluri_channel_depth_um(770.0)).powf(pore_depth_exponent()) * cond.factor()
}

/// Openness (pore clock) of one channel at `t_h`.
pub fn pore_openness(depth_um: f64, cond: ClosureConditions, t_h: f64) -> f64 {
    let n = pore_hill_exponent();
    let t50 = pore_t95_h(depth_um, cond) / 19f64.powf(1.0 / n);
    1.0 / (1.0 + (t_h.max(0.0) / t50).powf(n))
}

/// Up to this many channels (an even stride through the list) enter the mean openness.
const OPENNESS_SAMPLE: usize = 4000;

fn sample_depths(channels: &[Channel]) -> Vec<f64> {
    let stride = channels.len().div_ceil(OPENNESS_SAMPLE).max(1);
    channels.iter().step_by(stride).filter(|c| c.depth_um > 0.0).map(|c| c.depth_um).collect()
}

fn mean_openness(depths: &[f64], cond: ClosureConditions, t_h: f64) -> f64 {
    if depths.is_empty() {
        return 0.0;
    }
    depths.iter().map(|&d| pore_openness(d, cond, t_h)).sum::<f64>() / depths.len() as f64
}

/// Time at which the mean openness of channels of these depths falls to `level`, h.
fn openness_time_h(depths: &[f64], cond: ClosureConditions, level: f64) -> f64 {
    if depths.is_empty() {
        return 0.0;
    }
    let (mut lo, mut hi) = (0.0, 1.0);
    while mean_openness(depths, cond, hi) > level && hi < 1e6 {
        hi *= 2.0;
    }
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if mean_openness(depths, cond, mid) > level { lo = mid } else { hi = mid }
    }
    0.5 * (lo + hi)
}

/// Time at which 95 % of the channels' mean openness is gone, h (0 without channels).
pub fn channels_closed_h(channels: &[Channel], cond: ClosureConditions) -> f64 {
    openness_time_h(&sample_depths(channels), cond, CLOSED_OPENNESS)
}

/// Time at which half of the channels' mean openness is gone (the closure half-life), h.
pub fn channels_half_open_h(channels: &[Channel], cond: ClosureConditions) -> f64 {
    openness_time_h(&sample_depths(channels), cond, 0.5)
}

/// Points in an openness table after t = 0.
const CURVE_POINTS: usize = 48;

/// Mean openness of the channels over time (pore clock): `(t_h, 0..1)`, strictly increasing
/// times from 0, 1 at t = 0, down to below 0.1 % at the last point. Empty for excised skin (it
/// does not heal: the channels stay open) and when there are no channels. This is the table
/// `dermasim_transport::Channel::openness` takes.
pub fn openness_curve(channels: &[Channel], skin: &Skin, cond: ClosureConditions) -> Vec<(f64, f64)> {
    if !heals(skin) {
        return Vec::new();
    }
    let depths = sample_depths(channels);
    if depths.is_empty() {
        return Vec::new();
    }
    let t_end = openness_time_h(&depths, cond, 1e-3).max(0.2);
    let t0 = t_end * 1e-3;
    let ratio = (t_end / t0).powf(1.0 / (CURVE_POINTS - 1) as f64);
    let mut curve = vec![(0.0, 1.0)];
    let mut t = t0;
    for _ in 0..CURVE_POINTS {
        curve.push((t, mean_openness(&depths, cond, t).clamp(0.0, 1.0)));
        t *= ratio;
    }
    curve
}

/// Barrier recovery over time, `(t_h, deficit 0..1)` (1 just after needling); empty for excised
/// skin.
pub fn barrier_curve(skin: &Skin, cond: ClosureConditions) -> Vec<(f64, f64)> {
    if !heals(skin) {
        return Vec::new();
    }
    let t95 = barrier_recovered_h(skin, cond);
    (0..=40).map(|i| f64::from(i) * t95 / 20.0).map(|t| (t, (-3.0 * t / t95).exp())).collect()
}

// ---------------------------------------------------------------------------------------------
// Erythema
// ---------------------------------------------------------------------------------------------

/// Erythema just visible, on the 0-1 scale. `[A]`: the first step of a 0-4 clinical erythema
/// grade is 0.25; a fifth of it counts as faded.
pub const ERYTHEMA_VISIBLE: f64 = 0.05;

/// Punctures per cm² that bring the epidermal flush to 63 % of its maximum. `[A]` no datum;
/// one home-roller pass (≈ 15 per cm²) gives a faint flush, a dozen passes a full one.
pub const EPIDERMAL_DENSITY_SCALE_PER_CM2: f64 = 100.0;

/// Decay time of the epidermal flush, h. `[C]` Hong Kong J Dermatol Venereol 2018;26:52-57 \[V\]:
/// "transient pain, erythema and oedema for 3-6 hours"; the saturated flush (peak 1) fades at
/// the top of that band: 6 h / ln(1/0.05) = 2.003 h.
pub const TAU_EPIDERMAL_H: f64 = 2.003;

/// Dermal injury dose that brings the dermal redness to 63 % of its maximum, in 100-µm channel
/// equivalents per cm². `[A]` no datum: about what a 1.5 mm roller rolled 16 times leaves
/// (≈ 250 punctures per cm², ≈ 2.5 × 100 µm into the dermis).
pub const DERMAL_DOSE_SCALE: f64 = 1000.0;

/// Extra injury of a torn (roller-slip or bent-needle) channel. `[A]` El-Domyati 2024 \[V\]:
/// rollers tend to more redness than pens at the same depth (qualitative, difference not
/// significant); 0.5 keeps it "somewhat more".
pub const TORN_EXTRA: f64 = 0.5;

/// Reference dermal depth of [`TAU_DERMAL_REF_H`], µm: the mean depth below the epidermis of the
/// calibration scenario's channels (a 1.5 mm roller, 16 passes on the cheek: 1374 µm with the
/// living-human-skin mechanics of issue #17; it was 250 µm with the rat-calibrated roller).
pub const DERMAL_DEPTH_REF_UM: f64 = 1374.0;

/// Decay time of the dermal redness at [`DERMAL_DEPTH_REF_UM`], h. `[C]` the typical 0.5-1.5 mm
/// treatment fades within 24-72 h (PMC8008152 \[V\] "self-resolving within 72 hours"; pen page \[S\]
/// "about 24 hours"): the office 1.5 mm roller, 16 passes on the cheek, is put at the middle of
/// the band, 48 h.
pub const TAU_DERMAL_REF_H: f64 = 19.1;

/// Growth of the dermal redness decay time with the wound depth, τ ∝ z^β. `[A]` deeper wounds
/// inflame longer (clinic page \[S\]: "2-5 days" after deep treatments); β = 0.25 is checked, not
/// fitted, against that band (V13).
pub const DERMAL_DEPTH_EXPONENT: f64 = 0.25;

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
    /// thick (stratum corneum + viable epidermis).
    pub fn from_channels(channels: &[Channel], window_cm2: f64, epidermis_um: f64) -> InjuryDose {
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
                dose += z / 100.0 * if c.torn { 1.0 + TORN_EXTRA } else { 1.0 };
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
}

impl Erythema {
    /// The course a dose gives.
    pub fn from_dose(dose: &InjuryDose) -> Erythema {
        let tau_d = if dose.mean_dermal_depth_um > 0.0 {
            TAU_DERMAL_REF_H * (dose.mean_dermal_depth_um / DERMAL_DEPTH_REF_UM).powf(DERMAL_DEPTH_EXPONENT)
        } else {
            0.0
        };
        Erythema {
            epidermal_peak: 1.0 - (-dose.punctures_per_cm2 / EPIDERMAL_DENSITY_SCALE_PER_CM2).exp(),
            dermal_peak: 1.0 - (-dose.dermal_dose_per_cm2 / DERMAL_DOSE_SCALE).exp(),
            tau_epidermal_h: TAU_EPIDERMAL_H,
            tau_dermal_h: tau_d.max(TAU_EPIDERMAL_H),
        }
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

    /// Time until redness falls below [`ERYTHEMA_VISIBLE`], h (0 if it never shows).
    pub fn resolved_h(&self) -> f64 {
        if self.peak() <= ERYTHEMA_VISIBLE {
            return 0.0;
        }
        let (mut lo, mut hi) = (0.0, 20.0 * self.tau_dermal_h.max(self.tau_epidermal_h));
        for _ in 0..80 {
            let mid = 0.5 * (lo + hi);
            if self.at(mid) > ERYTHEMA_VISIBLE { lo = mid } else { hi = mid }
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
    /// Barrier (TEWL) recovered, h.
    pub barrier_recovered_h: f64,
    /// 95 % of the channels' openness gone (pore clock), h.
    pub channels_closed_h: f64,
    /// Injury dose of the session.
    pub dose: InjuryDose,
    /// Redness course.
    pub erythema: Erythema,
    /// Peak redness, 0-1.
    pub erythema_peak: f64,
    /// Redness faded below [`ERYTHEMA_VISIBLE`], h.
    pub erythema_resolved_h: f64,
    /// Mean channel openness over time (pore clock), for the transport stage.
    pub openness_curve: Vec<(f64, f64)>,
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
    let cond = ClosureConditions::of(s);
    let dose = InjuryDose::from_channels(channels, window_cm2, s.skin.layers.epidermis_um());
    let erythema = Erythema::from_dose(&dose);
    Some(Healing {
        conditions: cond,
        barrier_recovered_h: barrier_recovered_h(&s.skin, cond),
        channels_closed_h: channels_closed_h(channels, cond),
        dose,
        erythema,
        erythema_peak: erythema.peak(),
        erythema_resolved_h: erythema.resolved_h(),
        openness_curve: openness_curve(channels, &s.skin, cond),
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
        // Kalluri: 12 h and 18 h at the channel depths of the 370 and 770 um rollers.
        assert!((pore_t95_h(kalluri_channel_depth_um(370.0), OPEN) - 12.0).abs() < 1e-9);
        assert!((pore_t95_h(kalluri_channel_depth_um(770.0), OPEN) - 18.0).abs() < 1e-9);
        // Patch, human, occluded: t95 and t50 of PMC8259462.
        let d = patch_channel_depth_um();
        assert!((pore_t95_h(d, OCCL) - PATCH_T95_H).abs() < 1e-9);
        let n = pore_hill_exponent();
        assert!((pore_openness(d, OCCL, PATCH_T50_H) - 0.5).abs() < 1e-9);
        assert!((2.5..3.5).contains(&n), "{n}");
        assert!((1.2..3.0).contains(&occlusion_factor()), "{}", occlusion_factor());
        assert!((0.3..0.7).contains(&pore_depth_exponent()), "{}", pore_depth_exponent());
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
        let c = openness_curve(&channels, &s.skin, OPEN);
        assert_eq!(c[0], (0.0, 1.0));
        assert!(c.windows(2).all(|w| w[1].0 > w[0].0 && w[1].1 <= w[0].1 + 1e-12));
        assert!(c.last().unwrap().1 < 2e-3);
        assert!(c.iter().all(|&(_, v)| (0.0..=1.0).contains(&v)));
        // The table reaches the closure time the summary reports.
        let closed = channels_closed_h(&channels, OPEN);
        assert!(c.last().unwrap().0 > closed);
    }

    #[test]
    fn occlusion_and_nsaid_slow_closure_deeper_channels_close_later() {
        for d in [5.0, 50.0, 200.0, 1000.0] {
            assert!(pore_t95_h(d, OCCL) > pore_t95_h(d, OPEN));
            assert!(pore_t95_h(d, ClosureConditions { occluded: false, nsaid: true }) > pore_t95_h(d, OPEN));
            assert!(pore_t95_h(d * 2.0, OPEN) > pore_t95_h(d, OPEN));
        }
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
        assert!((e.at(t) - ERYTHEMA_VISIBLE).abs() < 1e-6);
        assert!(e.at(t * 0.9) > ERYTHEMA_VISIBLE);
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
            proptest::prop_assert!(channels_closed_h(&c, OCCL) >= channels_closed_h(&c, OPEN));
            proptest::prop_assert!(pore_openness(depth, OCCL, t) >= pore_openness(depth, OPEN, t) - 1e-12);
        }
    }
}
