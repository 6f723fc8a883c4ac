//! Numbing cream: the onset of topical anaesthesia, modelled with the transport engine.
//!
//! **Transport.** A numbing cream (EMLA: lidocaine 2.5 % + prilocaine 2.5 %; or lidocaine 4 %)
//! is an infinite donor on intact skin (the label's 1-2.5 g per 10-25 cm² is a film about 1 mm
//! thick, which does not deplete in hours). Each local anaesthetic base diffuses through the
//! stratum corneum, viable epidermis and dermis of the scenario's skin with the coefficients of
//! [`dermasim_transport::props`] (OSP / Dancik 2013: partition, diffusivity, dermal clearance in
//! vivo; stratum corneum fully hydrated under occlusion, partially hydrated without), solved by
//! the 1-D finite-volume engine ([`dermasim_transport::solve`], `Geometry::OneD`, closed bottom).
//!
//! **Numb depth.** The skin is numb down to depth `z_n(t)`, the deepest point from the top of
//! the viable epidermis down to which the summed tissue concentration of the bases stays at or
//! above a threshold `C_th` ([`THRESHOLD_MG_ML`]); EMLA's two bases count as equipotent (`[A]`).
//! Dermal clearance makes `z_n(t)` level off: the plateau depth `z_max = z_n(180 min)` (the
//! label: analgesia "can be expected to increase for up to 3 hours under occlusive dressing"
//! \[V\]) is as deep as the cream can numb.
//!
//! **Target depth.** The needles stimulate the nerve endings along their track down to their
//! tip, so the cream must numb the skin down to the channel depth `z_c` from the mechanics
//! ([`crate::channels::scenario_mean_depth_um`], capped at the bottom of the dermis). Channels deeper than
//! the cream can reach are numbed as far as it can: the target is
//! `z_t = min(z_c, f·z_max)` with `f` = [`PLATEAU_FRACTION`] (`[A]`), and the note says how
//! much of the channel stays outside the cream's reach.
//!
//! **Recommendation.** `recommended_minutes` is the first time with `z_n(t) ≥ z_t`, rounded up
//! to 5 min. Needles of 0.5 mm or less need none: the seed article says "the smaller needles
//! on at-home dermarollers don't hurt so you don't need any anesthetic cream", consistent with
//! the untreated pain-threshold depth of 1.9 mm for a needle (Bjerring & Arendt-Nielsen 1990
//! \[V\]); the model's time is still reported for them (`model_minutes`).
//!
//! **Calibration** (`[C]`). `C_th` is set so that occluded EMLA on the forearm numbs the
//! epidermis and papillary dermis (where the free nerve endings end, transport.md §5.5) at
//! 60 min, the label's "at least 1 hour" for minor procedures \[V\]. The liposomal lidocaine 4 %
//! vehicle gets a stratum-corneum diffusivity factor ([`LIPOSOMAL_SC_FACTOR`]) set so that it
//! numbs the same depth without occlusion in 30 min ("within 20 to 30 minutes without
//! occlusion, against 60 min for EMLA", transport.md §5.3 \[V\]). The label's "at least 2 hours"
//! for major dermal procedures and Bjerring's maximum depth 30 min after a 90-min application
//! are checks (validation case V16), not fits.

use serde::Serialize;

use dermasim_transport::props::{self, ScHydration};
use dermasim_transport::{Bottom, Donor, Geometry, Layer, Resolution, TransportProblem};

use crate::channels::Channel;
use crate::scenario::Scenario;
use crate::scenario::vocabulary::NumbingCream;
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
    /// Multiplier of the stratum corneum diffusivity for the vehicle (1: none).
    pub sc_diffusivity_factor: f64,
}

/// EMLA: 25 mg lidocaine and 25 mg prilocaine base per gram, specific gravity 1.00 (EMLA label
/// \[V\], transport.md §5.1).
pub const EMLA: Cream = Cream {
    name: "emla",
    actives: &[("lidocaine", 25.0), ("prilocaine", 25.0)],
    source: "EMLA label: 25 mg of each base per gram, specific gravity 1.00 [V]",
    sc_diffusivity_factor: 1.0,
};

/// Lidocaine 4 % liposomal (LMX4): 40 mg/g (transport.md §5.3 \[V\]). The vehicle's pH is not in
/// the reference: the lidocaine preset's (9, EMLA) is used, `[A]`.
pub const LIDOCAINE_4: Cream = Cream {
    name: "lidocaine-4-liposomal",
    actives: &[("lidocaine", 40.0)],
    source: "LMX4 lidocaine 4 % (hospital leaflets, US Pharmacist 2009) [V]; vehicle pH [A]",
    sc_diffusivity_factor: LIPOSOMAL_SC_FACTOR,
};

/// Liposomal vehicle: multiplier of the stratum-corneum diffusivity of lidocaine. `[C]`
/// calibrated so that unoccluded lidocaine 4 % numbs the forearm's epidermis and papillary
/// dermis in 30 min (LMX4 anaesthesia "within 20 to 30 minutes without occlusion, against 60
/// min for EMLA", transport.md §5.3 \[V\]); bisection gave 33.9.
pub const LIPOSOMAL_SC_FACTOR: f64 = 34.0;

/// Plain lidocaine creams: the base at 40, 50 or 70 mg/g in an ordinary cream or ointment
/// vehicle (no liposomes, no eutectic), specific gravity taken as 1.00 `[A]`; the vehicle's pH
/// is not in the reference, so the lidocaine preset's is used `[A]`.
pub const LIDOCAINE_4_PLAIN: Cream = Cream {
    name: "lidocaine-4",
    actives: &[("lidocaine", 40.0)],
    source: "lidocaine 4 % cream, 40 mg/g [V by definition of the strength]; vehicle [A]",
    sc_diffusivity_factor: 1.0,
};
/// See [`LIDOCAINE_4_PLAIN`].
pub const LIDOCAINE_5: Cream = Cream {
    name: "lidocaine-5",
    actives: &[("lidocaine", 50.0)],
    source: "lidocaine 5 % cream or ointment, 50 mg/g; vehicle [A]",
    sc_diffusivity_factor: 1.0,
};
/// See [`LIDOCAINE_4_PLAIN`].
pub const LIDOCAINE_7: Cream = Cream {
    name: "lidocaine-7",
    actives: &[("lidocaine", 70.0)],
    source: "lidocaine 7 % cream (compounded or prescription strengths), 70 mg/g; vehicle [A]",
    sc_diffusivity_factor: 1.0,
};

/// The model of a cream (`None` for no cream).
pub fn cream(c: NumbingCream) -> Option<Cream> {
    match c {
        NumbingCream::None => None,
        NumbingCream::Emla => Some(EMLA),
        NumbingCream::Lidocaine4Liposomal => Some(LIDOCAINE_4),
        NumbingCream::Lidocaine4 => Some(LIDOCAINE_4_PLAIN),
        NumbingCream::Lidocaine5 => Some(LIDOCAINE_5),
        NumbingCream::Lidocaine7 => Some(LIDOCAINE_7),
    }
}

/// Threshold tissue concentration of anaesthetic base (lidocaine + prilocaine) for analgesia,
/// mg/mL. `[C]` calibrated so that occluded EMLA on the forearm numbs the epidermis and
/// papillary dermis in 60 min (EMLA label, minor procedures, "at least 1 hour" \[V\]); bisection
/// gave 0.498.
pub const THRESHOLD_MG_ML: f64 = 0.5;

/// Needles up to this length need no numbing cream, mm: the seed article ("the smaller needles
/// on at-home dermarollers don't hurt so you don't need any anesthetic cream"; home needles
/// below 0.5 mm, Sci Rep 2022 \[V\]).
pub const NO_CREAM_UP_TO_MM: f64 = 0.5;

/// Longest application time the model looks at, min: EMLA analgesia "can be expected to
/// increase for up to 3 hours under occlusive dressing" (label \[V\]).
pub const MAX_MINUTES: f64 = 180.0;

/// Share of the plateau numb depth that counts as "as deep as the cream gets", `[A]` (the 95 %
/// convention of the healing stage's closure times).
pub const PLATEAU_FRACTION: f64 = 0.95;

/// Step of the recommendation, min (rounded up): a practical granularity, `[A]`.
pub const ROUND_TO_MIN: f64 = 5.0;

/// The `numbing` section of a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NumbingAssessment {
    /// Cream modelled (the scenario's, or EMLA when none is given).
    pub cream: String,
    /// Applied under occlusion.
    pub occluded: bool,
    /// Mean channel depth (mechanics, capped at the dermis), µm.
    pub channel_depth_um: f64,
    /// Deepest the cream numbs: the plateau depth after 180 min, µm.
    pub max_numb_depth_um: f64,
    /// Depth that must be numb: the channel depth, or 95 % of the plateau if that is shallower, µm.
    pub target_depth_um: f64,
    /// Time the model needs to numb the target depth, min (None: the model failed).
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

/// Mean depth of the channels the channels stage made, capped at the bottom of the dermis
/// (where the transport layers end), µm (0 without channels).
pub fn channel_depth_um(s: &Scenario, channels: &[Channel]) -> f64 {
    if channels.is_empty() {
        return 0.0;
    }
    let mean = channels.iter().map(|c| c.depth_um).sum::<f64>() / channels.len() as f64;
    mean.min(s.skin.layers.boundaries_um()[3])
}

/// Depth up to which channels need no cream, µm: the mean channel depth a hand-rolled
/// [`NO_CREAM_UP_TO_MM`] home roller (the `roller-192` drum with sharp 4 µm tips, Kalluri's
/// needle) makes in this skin, by the mechanics. The seed article's "the smaller needles on
/// at-home dermarollers don't hurt" is a statement about those channels; a pen set to the same
/// length goes a little deeper (its fast stroke deflects the skin less) and is not covered.
pub fn no_cream_depth_um(s: &Scenario) -> f64 {
    use crate::channels::{DEFAULT_STROKE_SPEED_MM_S, Insertion, SkinResponse, kalluri_roller, mean_depth_um};
    let roller = kalluri_roller(NO_CREAM_UP_TO_MM * 1000.0);
    let ins = Insertion::of(&roller, DEFAULT_STROKE_SPEED_MM_S);
    mean_depth_um(&roller.needle, roller.needle.tip_radius_um, &ins, SkinResponse::of(&s.skin))
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
    onset_with(cream, t, occluded, THRESHOLD_MG_ML, cream.sc_diffusivity_factor)
}

fn onset_with(
    cream: &Cream,
    t: &LayerThickness,
    occluded: bool,
    threshold: f64,
    sc_factor: f64,
) -> Result<Onset, String> {
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
        let mut sc = c.stratum_corneum;
        sc.diffusivity_um2_s *= sc_factor;
        let problem = TransportProblem {
            layers: vec![
                layer("stratum_corneum", t.stratum_corneum_um, &sc),
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
        .map(|(i, profile)| (i as f64 * step_min, numb_depth_um(&depths, profile, sc, threshold)))
        .collect();
    Ok(Onset { numb_depth })
}

/// Deepest depth below the stratum corneum down to which the concentration stays at or above
/// the threshold, µm (interpolated between cell centres; 0 if the first living cell is below).
fn numb_depth_um(depths: &[f64], conc: &[f64], sc_um: f64, threshold: f64) -> f64 {
    let mut last: Option<(f64, f64)> = None;
    for (&z, &c) in depths.iter().zip(conc) {
        if z < sc_um {
            continue;
        }
        if c < threshold {
            return match last {
                None => 0.0,
                Some((z0, c0)) => z0 + (c0 - threshold) / (c0 - c) * (z - z0),
            };
        }
        last = Some((z, c));
    }
    last.map(|(z, _)| z).unwrap_or(0.0)
}

/// The numbing assessment of a scenario and the channels the channels stage made; `None` for
/// excised skin (no nerves, no clearance).
pub fn assess(s: &Scenario, channels: &[Channel]) -> Option<NumbingAssessment> {
    if s.skin.mounting != crate::skin::Mounting::InVivo {
        return None;
    }
    let given = s.protocol.numbing.as_ref().filter(|n| n.cream != NumbingCream::None);
    let cr = given.and_then(|n| cream(n.cream)).unwrap_or(EMLA);
    let occluded = given.map(|n| n.occluded).unwrap_or(true);
    Some(assess_with(s, channels, &cr, occluded, given.map(|n| n.minutes)))
}

/// The assessment for a given cream and occlusion (`applied_minutes`: the scenario's time).
pub fn assess_with(
    s: &Scenario,
    channels: &[Channel],
    cr: &Cream,
    occluded: bool,
    applied_minutes: Option<f64>,
) -> NumbingAssessment {
    let channel = channel_depth_um(s, channels);
    let onset = onset(cr, &s.skin.layers, occluded);
    let max_numb = onset.as_ref().map(|o| o.depth_at(MAX_MINUTES)).unwrap_or(0.0);
    let target = channel.min(PLATEAU_FRACTION * max_numb);
    let model_minutes = onset.as_ref().ok().and_then(|o| if target > 0.0 { o.minutes_to(target) } else { None });
    let numb_at = onset.as_ref().ok().and_then(|o| applied_minutes.map(|m| o.depth_at(m)));
    let no_cream = no_cream_depth_um(s);
    let (recommended_minutes, note) = if channel <= no_cream {
        (
            0.0,
            format!(
                "channels about {channel:.0} um deep, no deeper than a {NO_CREAM_UP_TO_MM} mm home roller's \
({no_cream:.0} um): no numbing cream needed"
            ),
        )
    } else {
        match (&onset, model_minutes) {
            (Err(e), _) => (MAX_MINUTES, format!("numbing model failed ({e}); the label's longest time is used")),
            (Ok(_), None) => (
                MAX_MINUTES,
                format!("{} does not numb the skin{} within {MAX_MINUTES:.0} min", cr.name, occlusion_note(occluded)),
            ),
            (Ok(_), Some(m)) => {
                let rec = (m / ROUND_TO_MIN).ceil().max(1.0) * ROUND_TO_MIN;
                let note = if channel > target {
                    format!(
                        "{}{} numbs down to about {target:.0} um in {m:.0} min and no deeper; the channels reach \
{channel:.0} um, so their deepest part stays outside the cream's reach",
                        cr.name,
                        occlusion_note(occluded)
                    )
                } else {
                    format!(
                        "{}{} numbs the skin down to the channel depth ({channel:.0} um) in about {m:.0} min",
                        cr.name,
                        occlusion_note(occluded)
                    )
                };
                (rec, note)
            }
        }
    };
    NumbingAssessment {
        cream: cr.name.to_string(),
        occluded,
        channel_depth_um: channel,
        max_numb_depth_um: max_numb,
        target_depth_um: target,
        model_minutes,
        recommended_minutes,
        applied_minutes,
        numb_depth_um_at_applied: numb_at,
        note,
    }
}

fn occlusion_note(occluded: bool) -> &'static str {
    if occluded { " under occlusion" } else { " without occlusion" }
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
            hypodermis_um: p.hypodermis_um,
        }
    }

    /// The assessment with the channels the stages make (as `safety::check` runs them).
    fn assess_run(s: &Scenario) -> Option<NumbingAssessment> {
        crate::safety::check(s).numbing
    }

    fn scenario(site: &str, kind: &str, preset: &str, length_mm: f64, numbing: &str) -> Scenario {
        let text = format!(
            "[skin]\nsite = \"{site}\"\n[device]\ntype = \"{kind}\"\npreset = \"{preset}\"\n\
needle_length_mm = {length_mm}\n[protocol]\nsetting = \"office\"\narea_cm2 = 1\n{numbing}\n"
        );
        crate::scenario::parse(&text, &[]).unwrap_or_else(|e| panic!("{}", e[0].message))
    }

    #[test]
    fn calibration_reproduces_the_label_minor_procedure_time() {
        // [C] EMLA occluded, forearm, epidermis + papillary dermis: 60 min (tolerance: the 0.5
        // rounding of the fitted 0.498 mg/mL and the 5-min output step, ±3 min).
        let t = layers("forearm");
        let o = onset(&EMLA, &t, true).unwrap();
        let m = o.minutes_to(t.boundaries_um()[2]).unwrap();
        assert!((m - 60.0).abs() < 3.0, "{m}");
        // [C] lidocaine 4 % liposomal without occlusion: 30 min (±3 min).
        let o = onset(&LIDOCAINE_4, &t, false).unwrap();
        let m = o.minutes_to(t.boundaries_um()[2]).unwrap();
        assert!((m - 30.0).abs() < 3.0, "{m}");
    }

    #[test]
    fn numb_depth_grows_with_time_levels_off_and_occlusion_helps() {
        let t = layers("forearm");
        let o = onset(&EMLA, &t, true).unwrap();
        assert!(o.numb_depth.windows(2).all(|w| w[1].1 >= w[0].1 - 1e-9), "{:?}", o.numb_depth);
        assert!(o.depth_at(60.0) > t.boundaries_um()[1], "EMLA reaches the dermis within an hour");
        // Dermal clearance: the last hour adds less than the first hour after onset.
        assert!(o.depth_at(180.0) - o.depth_at(120.0) < o.depth_at(90.0) - o.depth_at(30.0));
        let open = onset(&EMLA, &t, false).unwrap();
        assert!(open.depth_at(60.0) < o.depth_at(60.0));
    }

    #[test]
    fn bjerring_maximum_depth_is_reached_after_90_to_120_min() {
        // Bjerring & Arendt-Nielsen 1990 [V]: the maximum depth was reached 30 min after a
        // 90-min application and throughout the hour after a 120-min one, i.e. at 120 min of
        // effect. The model's time to 95 % of its plateau must fall within 90-150 min.
        let t = layers("forearm");
        let o = onset(&EMLA, &t, true).unwrap();
        let m = o.minutes_to(PLATEAU_FRACTION * o.depth_at(MAX_MINUTES)).unwrap();
        assert!((90.0..=150.0).contains(&m), "{m}");
    }

    #[test]
    fn recommendation_follows_needle_length_and_cream() {
        let occl = "numbing = { cream = \"emla\", minutes = 60 }";
        // 0.5 mm: channels (~0.45 mm) inside the cream's reach; 2.0 mm: beyond its plateau.
        let short = assess_run(&scenario("forearm", "dermaroller", "roller-192", 0.5, occl)).unwrap();
        let long = assess_run(&scenario("forearm", "dermaroller", "roller-192", 2.0, occl)).unwrap();
        assert!(long.recommended_minutes > short.recommended_minutes, "{short:?} {long:?}");
        let lmx = "numbing = { cream = \"lidocaine-4\", minutes = 30, occluded = false }";
        let l = assess_run(&scenario("forearm", "dermaroller", "roller-192", 2.0, lmx)).unwrap();
        assert_ne!(l.recommended_minutes, long.recommended_minutes, "{l:?} {long:?}");
        assert!(l.recommended_minutes > 0.0);
    }

    #[test]
    fn short_needles_need_no_cream_and_deep_channels_are_capped() {
        let a = assess_run(&scenario("cheek", "dermaroller", "roller-192", 0.5, "")).unwrap();
        assert_eq!(a.recommended_minutes, 0.0);
        assert!(a.model_minutes.is_some_and(|m| m > 0.0), "the model time is still reported: {a:?}");
        assert!(a.note.contains("no numbing cream"));
        let pen = assess_run(&scenario("cheek", "dermapen", "pen-12", 2.0, "")).unwrap();
        assert!(pen.channel_depth_um > pen.target_depth_um, "{pen:?}");
        assert!(pen.recommended_minutes > 60.0 && pen.recommended_minutes < MAX_MINUTES, "{pen:?}");
        assert!(pen.note.contains("outside the cream's reach"));
    }

    #[test]
    fn excised_skin_has_no_numbing_section() {
        let s = scenario("dermatomed-human", "dermaroller", "roller-192", 1.0, "");
        assert!(assess_run(&s).is_none());
    }
}
