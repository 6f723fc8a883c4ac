//! Numbing cream: the onset of topical anaesthesia, modelled with the transport engine.
//!
//! A numbing cream (EMLA: lidocaine 2.5 % + prilocaine 2.5 %; or lidocaine 4 %) is an infinite
//! donor on intact skin (the label's 1-2 g per 10 cm² is a film about 1-2 mm thick, which does
//! not deplete in hours). Each local anaesthetic diffuses through the stratum corneum, viable
//! epidermis and dermis with the coefficients of [`dermasim_transport::props`] (OSP / Dancik
//! 2013, in vivo: dermal clearance on), solved by the 1-D finite-volume engine
//! ([`dermasim_transport::solve`], [`Geometry::OneD`]). The skin is numb at depth `z` at time
//! `t` when the summed tissue concentration of the anaesthetics there reaches a threshold
//! `C_th` ([`THRESHOLD_MG_ML`]); EMLA's two bases count as equipotent (`[A]`).
//!
//! **Target depth.** The needles stimulate the nerve endings along their track down to their
//! tip, so the cream must numb the skin down to the channel depth the mechanics give
//! ([`crate::channels::mean_depth_um`]), capped at the bottom of the dermis (the transport
//! layers end there; [`target_depth_um`]).
//!
//! **Recommendation.** The application time after which the target depth is numb, rounded up
//! to 5 min, is `recommended_minutes`. Short home needles (≤ 0.5 mm) need none: the seed
//! article says "the smaller needles ... don't hurt so you don't need any anesthetic cream",
//! consistent with the untreated pain-threshold depth of 1.9 mm for a needle (Bjerring &
//! Arendt-Nielsen 1990 [V]); the model's time is still reported for them
//! (`model_minutes`).
//!
//! **Calibration** (`[C]`): `C_th` is set so that EMLA under occlusion on the forearm numbs the
//! epidermis and papillary dermis (where the free nerve endings end, transport.md §5.5) at
//! 60 min, the label's "at least 1 hour" for minor procedures [V]. The label's "at least 2
//! hours" for major dermal procedures is the check (validation case V16), not a fit.

use serde::Serialize;

use dermasim_transport::props::{self, ScHydration};
use dermasim_transport::{Bottom, Donor, Geometry, Layer, Resolution, TransportProblem};

use crate::channels::{Drive, mean_depth_um, worn_tip_radius_um};
use crate::scenario::Scenario;
use crate::skin::LayerThickness;

/// A numbing cream: its anaesthetic bases and their concentrations, mg/mL.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cream {
    /// Name as in `protocol.numbing.cream`.
    pub name: &'static str,
    /// (transport preset active, concentration mg/mL).
    pub actives: &'static [(&'static str, f64)],
    /// Where the composition comes from.
    pub source: &'static str,
}

/// EMLA: 25 mg lidocaine and 25 mg prilocaine base per gram, specific gravity 1.00 (EMLA label
/// [V], transport.md §5.1).
pub const EMLA: Cream = Cream {
    name: "emla",
    actives: &[("lidocaine", 25.0), ("prilocaine", 25.0)],
    source: "EMLA label: 25 mg of each base per gram, specific gravity 1.00 [V]",
};

/// Lidocaine 4 % (LMX4): 40 mg/g (transport.md §5.3 [V]). The liposomal vehicle's pH is not
/// in the reference: the lidocaine preset's vehicle pH (9, EMLA) is used, `[A]`.
pub const LIDOCAINE_4: Cream = Cream {
    name: "lidocaine-4",
    actives: &[("lidocaine", 40.0)],
    source: "LMX4 lidocaine 4 % (hospital leaflets, US Pharmacist 2009) [V]; vehicle pH [A]",
};

/// The cream of a `protocol.numbing.cream` name ("none" and unknown names: `None`).
pub fn cream(name: &str) -> Option<Cream> {
    match name {
        "emla" => Some(EMLA),
        "lidocaine-4" => Some(LIDOCAINE_4),
        _ => None,
    }
}

/// Threshold tissue concentration of anaesthetic base (lidocaine + prilocaine) for analgesia,
/// mg/mL. `[C]` calibrated so that occluded EMLA on the forearm numbs the epidermis and
/// papillary dermis in 60 min (EMLA label, minor procedures, "at least 1 hour" [V]); see
/// `calibration_reproduces_the_label_minor_procedure_time`.
pub const THRESHOLD_MG_ML: f64 = 0.5;

/// Needles up to this length need no numbing cream, mm: the seed article ("the smaller needles
/// on at-home dermarollers don't hurt so you don't need any anesthetic cream"; home needles
/// below 0.5 mm, Sci Rep 2022 [V]).
pub const NO_CREAM_UP_TO_MM: f64 = 0.5;

/// Longest application time the model looks at, min: EMLA analgesia "can be expected to
/// increase for up to 3 hours under occlusive dressing" (label [V]).
pub const MAX_MINUTES: f64 = 180.0;

/// Step of the recommendation, min (rounded up): a practical granularity, `[A]`.
pub const ROUND_TO_MIN: f64 = 5.0;

/// The numbing section of a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NumbingAssessment {
    /// Cream modelled ("emla" or "lidocaine-4"; the scenario's, or EMLA when none is given).
    pub cream: String,
    /// Applied under occlusion.
    pub occluded: bool,
    /// Depth that must be numb (the channel depth, capped at the dermis), µm.
    pub target_depth_um: f64,
    /// Time the model needs to numb the target depth, min (None: not within [`MAX_MINUTES`]).
    pub model_minutes: Option<f64>,
    /// Recommended application time, min (0 when no cream is needed).
    pub recommended_minutes: f64,
    /// The scenario's application time, min (None: no cream).
    pub applied_minutes: Option<f64>,
    /// Depth numb at the scenario's application time, µm (None: no cream applied).
    pub numb_depth_um_at_applied: Option<f64>,
    /// Why the recommendation is what it is.
    pub note: String,
}

/// Depth the cream must numb for a scenario, µm: the mean channel depth from the mechanics,
/// capped at the bottom of the dermis.
pub fn target_depth_um(s: &Scenario) -> f64 {
    let tip = worn_tip_radius_um(&s.device.needle, s.device.uses);
    let depth = mean_depth_um(&s.device.needle, tip, Drive::of(&s.device.kind), s.skin.deflection_factor);
    depth.min(dermis_bottom_um(&s.skin.layers))
}

fn dermis_bottom_um(t: &LayerThickness) -> f64 {
    t.boundaries_um()[3]
}

/// Time course of the numb depth under a cream: `(t_min, numb depth µm)` every 5 min up to
/// [`MAX_MINUTES`] (plus t = 0).
#[derive(Clone, Debug, PartialEq)]
pub struct Onset {
    /// `(t_min, depth µm)`; depth is the deepest point from the surface down to which the
    /// tissue concentration is at or above the threshold (0: not numb).
    pub numb_depth: Vec<(f64, f64)>,
}

impl Onset {
    /// First time the numb depth reaches `depth_um`, min, interpolated between outputs.
    pub fn minutes_to(&self, depth_um: f64) -> Option<f64> {
        let mut prev = (0.0, 0.0);
        for &(t, d) in &self.numb_depth {
            if d >= depth_um {
                if t == 0.0 || d <= prev.1 {
                    return Some(t);
                }
                let f = ((depth_um - prev.1) / (d - prev.1)).clamp(0.0, 1.0);
                return Some(prev.0 + f * (t - prev.0));
            }
            prev = (t, d);
        }
        None
    }

    /// Numb depth at `t_min`, µm, interpolated.
    pub fn depth_at(&self, t_min: f64) -> f64 {
        let mut prev = (0.0, 0.0);
        for &(t, d) in &self.numb_depth {
            if t >= t_min {
                if t <= prev.0 {
                    return d;
                }
                let f = (t_min - prev.0) / (t - prev.0);
                return prev.1 + f * (d - prev.1);
            }
            prev = (t, d);
        }
        prev.1
    }
}

/// Runs the transport engine for each active of `cream` on intact, living skin with layers `t`
/// and returns the numb depth over time. `occluded`: fully hydrated stratum corneum (OSP
/// "fully hydrated", the occluded state), else partially hydrated.
pub fn onset(cream: &Cream, t: &LayerThickness, occluded: bool) -> Result<Onset, String> {
    let step_min = 5.0;
    let n = (MAX_MINUTES / step_min).round() as usize;
    let outputs: Vec<f64> = (1..=n).map(|i| i as f64 * step_min / 60.0).collect();
    let hydration = if occluded { ScHydration::Full } else { ScHydration::Partial };
    let mut total: Option<(Vec<f64>, Vec<Vec<f64>>)> = None;
    for (active, conc) in cream.actives {
        let p = props::preset(active).ok_or_else(|| format!("no transport preset for {active}"))?;
        let c = props::coefficients(&p, hydration, t.stratum_corneum_um, true).map_err(|e| e.to_string())?;
        let layer = |name: &str, thickness_um: f64, k: &props::LayerCoefficients| Layer {
            name: name.to_string(),
            thickness_um,
            diffusivity_um2_s: k.diffusivity_um2_s,
            partition: k.partition,
            clearance_per_s: k.clearance_per_s,
        };
        let problem = TransportProblem {
            layers: vec![
                layer("stratum_corneum", t.stratum_corneum_um, &c.stratum_corneum),
                layer("viable_epidermis", t.viable_epidermis_um, &c.viable_epidermis),
                layer("papillary_dermis", t.papillary_dermis_um, &c.dermis),
                layer("reticular_dermis", t.reticular_dermis_um, &c.dermis),
            ],
            donor: Donor::Infinite { concentration_mg_ml: *conc },
            bottom: Bottom::Closed,
            geometry: Geometry::OneD,
            duration_h: MAX_MINUTES / 60.0,
            output_times_h: outputs.clone(),
            resolution: Resolution::Normal,
        };
        let r = dermasim_transport::solve(&problem).map_err(|e| format!("{active}: {e}"))?;
        let depths = r.profiles.first().map(|p| p.depth_um.clone()).unwrap_or_default();
        let conc: Vec<Vec<f64>> = r.profiles.iter().map(|p| p.tissue_concentration_mg_ml.clone()).collect();
        total = Some(match total {
            None => (depths, conc),
            Some((d, mut acc)) => {
                for (a, b) in acc.iter_mut().zip(&conc) {
                    for (x, y) in a.iter_mut().zip(b) {
                        *x += y;
                    }
                }
                (d, acc)
            }
        });
    }
    let (depths, conc) = total.ok_or("cream without actives")?;
    let sc = t.stratum_corneum_um;
    let numb_depth = conc
        .iter()
        .enumerate()
        .map(|(i, profile)| (i as f64 * step_min, numb_depth_um(&depths, profile, sc)))
        .collect();
    Ok(Onset { numb_depth })
}

/// Deepest depth below the stratum corneum down to which the concentration stays at or above
/// the threshold, µm (interpolated between cell centres; 0 if the first living cell is below).
fn numb_depth_um(depths: &[f64], conc: &[f64], sc_um: f64) -> f64 {
    let mut last: Option<(f64, f64)> = None;
    for (&z, &c) in depths.iter().zip(conc) {
        if z < sc_um {
            continue;
        }
        if c < THRESHOLD_MG_ML {
            return match last {
                None => 0.0,
                Some((z0, c0)) => z0 + (c0 - THRESHOLD_MG_ML) / (c0 - c) * (z - z0),
            };
        }
        last = Some((z, c));
    }
    last.map(|(z, _)| z).unwrap_or(0.0)
}

/// The numbing assessment of a scenario; `None` for excised skin (no nerves, no clearance).
pub fn assess(s: &Scenario) -> Option<NumbingAssessment> {
    if s.skin.mounting != crate::skin::Mounting::InVivo {
        return None;
    }
    let given = s.protocol.numbing.as_ref().filter(|n| n.cream != "none");
    let cr = given.and_then(|n| cream(&n.cream)).unwrap_or(EMLA);
    let occluded = given.map(|n| n.occluded).unwrap_or(true);
    let target = target_depth_um(s);
    let onset = onset(&cr, &s.skin.layers, occluded);
    let (model_minutes, numb_at) = match &onset {
        Ok(o) => (o.minutes_to(target), given.map(|n| o.depth_at(n.minutes))),
        Err(_) => (None, None),
    };
    let length_mm = s.device.needle.length_um / 1000.0;
    let (recommended_minutes, note) = if length_mm <= NO_CREAM_UP_TO_MM {
        (0.0, format!("{length_mm} mm needles: no numbing cream needed (short needles do not hurt)"))
    } else {
        match (&onset, model_minutes) {
            (Err(e), _) => (MAX_MINUTES, format!("numbing model failed ({e}); the label's longest time is used")),
            (_, Some(m)) => (
                (m / ROUND_TO_MIN).ceil().max(1.0) * ROUND_TO_MIN,
                format!("{} numbs the skin down to the channel depth ({target:.0} um) in about {m:.0} min", cr.name),
            ),
            (_, None) => (
                MAX_MINUTES,
                format!(
                    "{} does not numb the skin down to the channel depth ({target:.0} um) within {MAX_MINUTES:.0} min; \
expect pain at the deepest punctures",
                    cr.name
                ),
            ),
        }
    };
    Some(NumbingAssessment {
        cream: cr.name.to_string(),
        occluded,
        target_depth_um: target,
        model_minutes,
        recommended_minutes,
        applied_minutes: given.map(|n| n.minutes),
        numb_depth_um_at_applied: numb_at,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layers(site: &str) -> LayerThickness {
        let p = crate::skin::site_preset(site).unwrap();
        LayerThickness {
            stratum_corneum_um: p.stratum_corneum_um,
            viable_epidermis_um: p.viable_epidermis_um,
            papillary_dermis_um: crate::skin::PAPILLARY_DERMIS_UM,
            reticular_dermis_um: p.dermis_for(crate::skin::Sex::Unspecified) - crate::skin::PAPILLARY_DERMIS_UM,
        }
    }

    #[test]
    fn numb_depth_grows_with_time_and_occlusion_helps() {
        let t = layers("forearm");
        let o = onset(&EMLA, &t, true).unwrap();
        assert!(o.numb_depth.windows(2).all(|w| w[1].1 >= w[0].1 - 1e-9), "{:?}", o.numb_depth);
        assert!(o.depth_at(60.0) > t.boundaries_um()[1], "EMLA reaches the dermis within an hour");
        let open = onset(&EMLA, &t, false).unwrap();
        assert!(open.depth_at(60.0) < o.depth_at(60.0));
    }
}
