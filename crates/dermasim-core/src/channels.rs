//! Needle mechanics → channels: how deep each needle really goes, and the hole it leaves.
//!
//! Skin deflects before it is pierced, and keeps deflecting as the needle advances, so a
//! channel is shorter than the needle. The model (equations and the datum behind every
//! parameter in `docs/models.md` §3):
//!
//! ```text
//! u_p   = U0(drive) · s_skin · (1 + (r_tip / R_C)²)        deflection before puncture, µm
//! depth = η(drive) · max(0, L − u_p) · ε,  ε ~ LogNormal(CV), capped at L
//! ```
//!
//! `U0` and `η` depend on how the needles are driven (hand-rolled drum, hand-pressed array,
//! motorised pen), `s_skin` on the skin (1 for living skin, more for excised skin), and the
//! tip-radius term follows Davis et al. 2004 (insertion force linear in the tip's interfacial
//! area, so a dull tip deflects the skin further before it pierces). Bent needles reach a
//! fraction of the depth and tear the skin.

use rand::RngExt;
use rayon::prelude::*;
use serde::Serialize;

use crate::device::{Device, DeviceKind, Needle};
use crate::punctures::{Puncture, PunctureMap, roller_entry};
use crate::rng::{Stage, standard_normal, stream};
use crate::skin::{Layer, LayerThickness, Skin};

/// Tip radius at which the tip's area term doubles the puncture deflection, µm. `[A]`: Davis
/// et al. 2004 (J Biomech 37:1155) found insertion force linear in the tip's interfacial area
/// over 0.1-3 N; the scale at which the area term dominates is not given in the reference.
pub const R_C_UM: f64 = 15.0;

/// Donnelly et al. 2011 (Pharm Res, PMC3016610) \[V\]: 600 µm microneedles pressed by hand into
/// living human skin reached about 460 µm (OCT).
pub const DONNELLY_NEEDLE_UM: f64 = 600.0;
/// See [`DONNELLY_NEEDLE_UM`].
pub const DONNELLY_DEPTH_UM: f64 = 460.0;
/// Tip radius of the Donnelly needles, µm. `[A]` not reported; a sharp moulded tip.
pub const DONNELLY_TIP_UM: f64 = 5.0;

/// Kalluri et al. 2011 (AAPS J 13:473) \[V\]: a 770 µm DermaRoller on hairless rat made channels
/// 152.5 ± 9.6 µm deep; needle tip radius 4 µm.
pub const KALLURI_NEEDLE_UM: f64 = 770.0;
/// See [`KALLURI_NEEDLE_UM`].
pub const KALLURI_DEPTH_UM: f64 = 152.5;
/// See [`KALLURI_NEEDLE_UM`].
pub const KALLURI_DEPTH_SD_UM: f64 = 9.6;
/// See [`KALLURI_NEEDLE_UM`].
pub const KALLURI_TIP_UM: f64 = 4.0;

/// Post-puncture efficiency of a hand-pressed array, η. `[A]`: the array's base stops on the
/// skin, so once pierced the needles go in with the press; all of Donnelly's shortfall is then
/// deflection, which calibrates [`u0_hand_um`].
pub const ETA_STAMP: f64 = 1.0;

/// Puncture deflection `U0` of hand drive (the deflection of an infinitely sharp tip), µm.
/// `[C]` calibrated on Donnelly 2011: 600 − 460 µm = U0 · (1 + (5/15)²), about 126 µm.
pub fn u0_hand_um() -> f64 {
    (DONNELLY_NEEDLE_UM - DONNELLY_DEPTH_UM / ETA_STAMP) / tip_factor(DONNELLY_TIP_UM)
}

/// Post-puncture efficiency of a hand-rolled drum, η. `[C]` calibrated on Kalluri 2011
/// (770 µm roller, 152.5 µm channels), with the hand-drive deflection of Donnelly and hairless
/// rat skin taken to deflect like human skin (`[A]`, s_skin = 1: the reference has no datum to
/// separate skin from drive). About 0.24: the drum spreads the hand's force over many needles
/// and rolls them through the skin.
pub fn eta_roller() -> f64 {
    KALLURI_DEPTH_UM / (KALLURI_NEEDLE_UM - u0_hand_um() * tip_factor(KALLURI_TIP_UM))
}

/// Post-puncture efficiency of a motorised pen, η. `[C]` Sasaki 2019 (Aesthet Surg J Open
/// Forum, ex vivo facelift skin): channels "closely approximated" the 0.5 and 1.5 mm settings;
/// 0.95 with a band of 0.8-1.0.
pub const ETA_PEN: f64 = 0.95;

/// Puncture deflection of a pen's piston drive, µm. `[A]` fast (impact) insertion deflects the
/// skin far less than a slow press; no measured value in the reference.
pub const U0_PEN_UM: f64 = 20.0;

/// Needle-to-needle coefficient of variation of channel depth. `[C]` Kalluri 2011:
/// 9.6 / 152.5 µm = 0.063 (roller); used for every drive `[A]`.
pub const DEPTH_CV: f64 = KALLURI_DEPTH_SD_UM / KALLURI_DEPTH_UM;

/// Depth reached by a bent needle, as a fraction of a straight one's. `[A]` no quantitative
/// study exists (literature.md §3, "dull or bent needles"); bent needles enter obliquely.
pub const BENT_DEPTH_FACTOR: f64 = 0.3;
/// Widening of the opening a bent needle tears. `[A]` as [`BENT_DEPTH_FACTOR`].
pub const BENT_WIDTH_FACTOR: f64 = 3.0;

/// Growth of the tip radius with each previous use. `[A]` "needles become dull" is reported
/// without numbers (literature.md §1.1); 10 % per use makes wear visible in the depth.
pub const TIP_WEAR_PER_USE: f64 = 0.10;

/// Share of a roller needle's kinematic slip that tears the skin along the stroke (the rest is
/// taken up by the tissue moving with the needle). `[A]` 0.25, a round value that keeps the
/// geometric-mean opening of Kalluri's channels within their 2 SD; so Kalluri's width is not an
/// independent check of it.
pub const ROLLER_TEAR_FRACTION: f64 = 0.25;

/// A channel left by one puncture.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Channel {
    /// Position of the channel, µm (as its puncture).
    pub x_um: f64,
    /// Position of the channel, µm.
    pub y_um: f64,
    /// Depth, µm.
    pub depth_um: f64,
    /// Opening across the direction of travel, µm.
    pub width_um: f64,
    /// Opening along the direction of travel, µm (= width for pens and stamps).
    pub length_um: f64,
    /// Direction of travel, degrees.
    pub direction_deg: f64,
    /// Angle between the needle and the skin normal at entry, degrees.
    pub tilt_deg: f64,
    /// The deepest layer the channel reaches.
    pub layer: Layer,
    /// Made by a bent needle.
    pub bent: bool,
    /// Torn rather than cut (roller slip longer than the opening, or a bent needle).
    pub torn: bool,
}

/// How the needles are driven, for the mechanics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Drive {
    /// Hand-rolled drum.
    HandRolled,
    /// Hand-pressed array.
    HandPressed,
    /// Motor-driven piston.
    Motor,
}

impl Drive {
    /// The drive of a device.
    pub fn of(kind: &DeviceKind) -> Drive {
        match kind {
            DeviceKind::Dermaroller(_) => Drive::HandRolled,
            DeviceKind::Dermapen(_) => Drive::Motor,
            DeviceKind::Stamp(_) => Drive::HandPressed,
        }
    }

    fn u0_um(self) -> f64 {
        match self {
            Drive::HandRolled | Drive::HandPressed => u0_hand_um(),
            Drive::Motor => U0_PEN_UM,
        }
    }

    fn eta(self) -> f64 {
        match self {
            Drive::HandRolled => eta_roller(),
            Drive::HandPressed => ETA_STAMP,
            Drive::Motor => ETA_PEN,
        }
    }
}

/// Band of the post-puncture efficiency η of a drive, used for the depth band in outputs:
/// roller from Kalluri's ±2 SD (133.3-171.7 µm), pen from Sasaki's "closely approximated"
/// (0.8-1.0, `[A]` reading), hand-pressed array 0.8-1.0 `[A]`.
pub fn eta_band(drive: Drive) -> (f64, f64) {
    match drive {
        Drive::HandRolled => {
            let k = eta_roller() / KALLURI_DEPTH_UM;
            (k * (KALLURI_DEPTH_UM - 2.0 * KALLURI_DEPTH_SD_UM), k * (KALLURI_DEPTH_UM + 2.0 * KALLURI_DEPTH_SD_UM))
        }
        Drive::HandPressed | Drive::Motor => (0.8, 1.0),
    }
}

/// Band of the mean channel depth from [`eta_band`], µm.
pub fn mean_depth_band_um(needle: &Needle, tip_radius_um: f64, drive: Drive, deflection_factor: f64) -> (f64, f64) {
    let u_p = drive.u0_um() * deflection_factor * tip_factor(tip_radius_um);
    let free = (needle.length_um - u_p).max(0.0);
    let (lo, hi) = eta_band(drive);
    ((lo * free).min(needle.length_um), (hi * free).min(needle.length_um))
}

fn tip_factor(tip_radius_um: f64) -> f64 {
    1.0 + (tip_radius_um / R_C_UM).powi(2)
}

/// The tip radius after `uses` previous uses.
pub fn worn_tip_radius_um(needle: &Needle, uses: u32) -> f64 {
    (needle.tip_radius_um * (1.0 + TIP_WEAR_PER_USE * f64::from(uses))).min(0.5 * needle.diameter_um)
}

/// Mean channel depth for a needle, drive and skin, before variability, µm.
pub fn mean_depth_um(needle: &Needle, tip_radius_um: f64, drive: Drive, deflection_factor: f64) -> f64 {
    let u_p = drive.u0_um() * deflection_factor * tip_factor(tip_radius_um);
    (drive.eta() * (needle.length_um - u_p).max(0.0)).min(needle.length_um)
}

/// Turns punctures into channels.
pub fn form(map: &PunctureMap, device: &Device, skin: &Skin, seed: u64) -> Vec<Channel> {
    let drive = Drive::of(&device.kind);
    let tip = worn_tip_radius_um(&device.needle, device.uses);
    let mean = mean_depth_um(&device.needle, tip, drive, skin.deflection_factor);
    // Lognormal with mean 1 and the given CV.
    let sigma = (1.0 + DEPTH_CV * DEPTH_CV).ln().sqrt();
    let mu = -0.5 * sigma * sigma;
    let needles = device.kind.needles();
    let bent: Vec<bool> = (0..needles)
        .map(|i| {
            device.bent_fraction > 0.0
                && stream(seed, Stage::NeedleCondition, u64::from(i), 0).random::<f64>() < device.bent_fraction
        })
        .collect();
    map.punctures
        .par_iter()
        .enumerate()
        .map(|(i, p)| {
            let mut rng = stream(seed, Stage::Mechanics, i as u64, 0);
            let eps = (mu + sigma * standard_normal(&mut rng)).exp();
            let is_bent = bent.get(p.needle as usize).copied().unwrap_or(false);
            channel(p, device, &skin.layers, mean * eps, is_bent)
        })
        .collect()
}

fn channel(p: &Puncture, device: &Device, layers: &LayerThickness, depth: f64, bent: bool) -> Channel {
    let needle = &device.needle;
    // What lies beneath the fat (muscle fascia, bone, a Franz cell's receptor) stops the needle.
    let mut depth = depth.min(needle.length_um).min(layers.total_um());
    if bent {
        depth *= BENT_DEPTH_FACTOR;
    }
    let mut width = needle.width_at_um(depth);
    if bent {
        width = (width * BENT_WIDTH_FACTOR).min(needle.length_um);
    }
    let (tilt, length, torn) = match &device.kind {
        DeviceKind::Dermaroller(r) => {
            let entry = roller_entry(r, needle.length_um, depth);
            let tear = ROLLER_TEAR_FRACTION * entry.slip_um;
            (entry.entry_angle_deg, width + tear, tear > width || bent)
        }
        _ => (0.0, width, bent),
    };
    Channel {
        x_um: p.x_um,
        y_um: p.y_um,
        depth_um: depth,
        width_um: width,
        length_um: length,
        direction_deg: p.direction_deg,
        tilt_deg: tilt,
        layer: layers.layer_at_depth(depth),
        bent,
        torn,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needle(l: f64) -> Needle {
        Needle { length_um: l, diameter_um: 250.0, tip_radius_um: 4.0 }
    }

    #[test]
    fn calibration_reproduces_its_data() {
        let donnelly = Needle { length_um: 600.0, diameter_um: 300.0, tip_radius_um: DONNELLY_TIP_UM };
        assert!((mean_depth_um(&donnelly, 5.0, Drive::HandPressed, 1.0) - 460.0).abs() < 1e-9);
        let kalluri = Needle { length_um: 770.0, diameter_um: 140.0, tip_radius_um: 4.0 };
        assert!((mean_depth_um(&kalluri, 4.0, Drive::HandRolled, 1.0) - 152.5).abs() < 1e-9);
        assert!((eta_roller() - 0.24).abs() < 0.01, "{}", eta_roller());
    }

    #[test]
    fn depth_never_exceeds_length_and_grows_with_it() {
        let mut last = 0.0;
        for l in [50.0, 200.0, 500.0, 1000.0, 2000.0, 3500.0] {
            for d in [Drive::HandRolled, Drive::HandPressed, Drive::Motor] {
                let m = mean_depth_um(&needle(l), 4.0, d, 1.0);
                assert!(m <= l && m >= 0.0);
            }
            let m = mean_depth_um(&needle(l), 4.0, Drive::Motor, 1.0);
            assert!(m >= last);
            last = m;
        }
    }

    proptest::proptest! {
        /// Depth never exceeds the needle, never decreases with length, and never increases with
        /// a duller tip or a more compliant skin, for every drive.
        #[test]
        fn depth_is_bounded_and_monotonic(
            l in 50.0f64..3500.0,
            dl in 0.0f64..1000.0,
            tip in 0.5f64..60.0,
            dtip in 0.0f64..40.0,
            s in 1.0f64..6.0,
            drive in 0usize..3,
        ) {
            let drive = [Drive::HandRolled, Drive::HandPressed, Drive::Motor][drive];
            let n = |l: f64| Needle { length_um: l, diameter_um: 250.0, tip_radius_um: tip };
            let d = mean_depth_um(&n(l), tip, drive, s);
            proptest::prop_assert!((0.0..=l).contains(&d));
            proptest::prop_assert!(mean_depth_um(&n(l + dl), tip, drive, s) >= d);
            proptest::prop_assert!(mean_depth_um(&n(l), tip + dtip, drive, s) <= d);
            proptest::prop_assert!(mean_depth_um(&n(l), tip, drive, s + 0.5) <= d);
        }
    }

    #[test]
    fn deeper_needles_reach_deeper_layers() {
        let layers = LayerThickness {
            stratum_corneum_um: 16.8,
            viable_epidermis_um: 55.0,
            papillary_dermis_um: 200.0,
            reticular_dermis_um: 800.0,
            hypodermis_um: 4000.0,
        };
        let mut last = Layer::StratumCorneum;
        for l in [100.0, 250.0, 500.0, 1000.0, 1500.0, 2500.0, 3500.0] {
            let layer = layers.layer_at_depth(mean_depth_um(&needle(l), 4.0, Drive::HandRolled, 1.0));
            assert!(layer >= last, "{l} um reaches {layer:?}, shallower than {last:?}");
            last = layer;
        }
        assert!(last >= Layer::ReticularDermis);
    }

    #[test]
    fn duller_tips_and_excised_skin_give_shallower_channels() {
        let n = needle(1000.0);
        for d in [Drive::HandRolled, Drive::HandPressed, Drive::Motor] {
            assert!(mean_depth_um(&n, 20.0, d, 1.0) < mean_depth_um(&n, 4.0, d, 1.0));
            assert!(mean_depth_um(&n, 4.0, d, 4.0) < mean_depth_um(&n, 4.0, d, 1.0));
        }
    }
}
