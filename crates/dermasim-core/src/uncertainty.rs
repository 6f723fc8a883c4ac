//! Uncertainty bands: the registry's parameter distributions propagated through the pipeline.
//!
//! An uncertainty run draws `N` parameter sets from the registry's distributions
//! ([`crate::params::Distribution`]) with an Owen-scrambled Sobol design (`sobol_burley`,
//! scrambled by the scenario's seed), runs the pipeline once per set, and reports the 5th, 50th
//! and 95th percentiles of each headline output ([`headline`]). Parameters the scenario itself
//! sets (`[parameters]`) are not drawn: the user fixed them. The scenario's own random streams
//! (needle depth scatter, roller phases) keep the scenario's seed in every draw: the bands are
//! the model's parameter uncertainty, not puncture-to-puncture scatter (that is in the
//! channels' own statistics).
//!
//! Each draw reuses every stage result of the central run that does not depend on a drawn
//! parameter and computes only what the headline outputs read ([`crate::simulate_draw`]); draws run in parallel and are collected in index
//! order, so the bands are the same bits whatever the thread count.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::Outcome;
use crate::params::{self, Param, Parameters};
use crate::scenario::Scenario;
use crate::summary::Summary;

/// Most draws of one uncertainty run (each is a pipeline run).
pub const MAX_SAMPLES: usize = 4096;

/// A 5-50-95 % band of one output.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Band {
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

impl Band {
    /// The band of `values` (finite ones; `None` if there are none). Percentiles interpolate
    /// linearly between order statistics (Hyndman & Fan type 7, the default of R and NumPy).
    pub fn of(values: &[f64]) -> Option<Band> {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        Some(Band { p5: percentile(&v, 0.05), p50: percentile(&v, 0.5), p95: percentile(&v, 0.95) })
    }

    /// Width `p95 − p5`.
    pub fn width(&self) -> f64 {
        self.p95 - self.p5
    }
}

/// Percentile `q` (0-1) of sorted `v` (type 7).
pub fn percentile(v: &[f64], q: f64) -> f64 {
    let h = (v.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// The `uncertainty` section of `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UncertaintySummary {
    /// Draws.
    pub samples: usize,
    /// The design: `sobol-owen` (Owen-scrambled Sobol, scrambled by `seed`).
    pub design: &'static str,
    /// Scramble seed (the scenario's).
    pub seed: u64,
    /// The drawn parameters, with their distributions, in design-column order.
    pub parameters: Vec<DrawnParameter>,
    /// `<output>_band` → its 5-50-95 % band, for every headline output ([`headline`]).
    pub bands: BTreeMap<String, Band>,
}

/// A parameter an uncertainty run draws.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DrawnParameter {
    /// Registry name.
    pub name: &'static str,
    /// Unit.
    pub unit: &'static str,
    /// Registry value.
    pub value: f64,
    /// Its distribution, e.g. `U(0.5, 2)`.
    pub distribution: String,
}

/// The parameters an uncertainty run of `scenario` draws: the registry's uncertain ones that
/// the scenario does not set itself.
pub fn drawn(scenario: &Scenario) -> Vec<&'static Param> {
    let fixed: Vec<&str> = scenario.parameters.overrides().map(|(n, _)| n).collect();
    params::uncertain().into_iter().filter(|p| !fixed.contains(&p.name)).collect()
}

/// The Owen-scrambled Sobol point `i` in `dims` dimensions (at most 256), scrambled by `seed`.
pub fn sobol_point(i: usize, dims: usize, seed: u64) -> Vec<f64> {
    let scramble = (seed ^ (seed >> 32)) as u32;
    (0..dims).map(|d| f64::from(sobol_burley::sample(i as u32, d as u32, scramble))).collect()
}

/// Most drawn parameters (`sobol_burley`'s dimensions).
pub const MAX_DIMENSIONS: usize = sobol_burley::NUM_DIMENSIONS as usize;

/// The parameter set of draw `i`: the scenario's, with each of `drawn` at its distribution's
/// quantile of the design point.
pub fn draw(scenario: &Scenario, drawn: &[&'static Param], u: &[f64]) -> Parameters {
    let mut set = scenario.parameters.clone();
    for (p, &u) in drawn.iter().zip(u) {
        set.set_unchecked(p, p.distribution.quantile(p.value, u));
    }
    set
}

/// The headline outputs of a run, by their `summary.json` path (the list: depth,
/// delivery per layer and as a fraction of the dose, resealing, redness, collagen, outcome
/// fractions, numbing minutes, procedure time):
/// * channel depth (mean);
/// * delivery per product: cumulative amount, skin content, share of the applied dose in the
///   skin, and per layer of the treated skin its amount
///   (`delivery.<p>.dose_balance.layers_ug_per_cm2.<layer>`) and its share of the applied dose
///   (`delivery.<p>.dose_balance.fraction_of_applied.<layer>`);
/// * healing: channels closed, barrier recovered, redness (peak on the 0-1 scale and as Δa*,
///   time to fade);
/// * series: collagen and elastin change, severity after, the outcome fractions (improvement,
///   PIH and procedural-scar probabilities);
/// * numbing minutes, procedure time (needling and total).
pub fn headline(s: &Summary) -> Vec<(String, f64)> {
    let mut out = vec![("channels.mean_depth_um".to_string(), s.channels.mean_depth_um)];
    for (name, d) in &s.delivery {
        out.push((format!("delivery.{name}.cumulative_ug_per_cm2"), d.cumulative_ug_per_cm2));
        out.push((format!("delivery.{name}.skin_content_ug_per_cm2"), d.skin_content_ug_per_cm2));
        if d.dose_balance.applied_ug_per_cm2 > 0.0 {
            out.push((
                format!("delivery.{name}.skin_fraction_of_dose"),
                d.skin_content_ug_per_cm2 / d.dose_balance.applied_ug_per_cm2,
            ));
        }
        let b = &d.dose_balance;
        for (layer, v) in &b.layers_ug_per_cm2 {
            out.push((format!("delivery.{name}.dose_balance.layers_ug_per_cm2.{layer}"), *v));
        }
        for (layer, v) in b.fraction_of_applied.iter().filter(|(k, _)| b.layers_ug_per_cm2.iter().any(|l| l.0 == *k)) {
            out.push((format!("delivery.{name}.dose_balance.fraction_of_applied.{layer}"), *v));
        }
    }
    if let Some(h) = &s.healing {
        out.push(("healing.channels_closed_h".into(), h.channels_closed_h));
        out.push(("healing.barrier_recovered_h".into(), h.barrier_recovered_h));
        out.push(("healing.erythema_peak".into(), h.erythema_peak));
        out.push(("healing.erythema_peak_delta_a".into(), h.erythema_peak_delta_a));
        out.push(("healing.erythema_resolved_h".into(), h.erythema_resolved_h));
    }
    if let Some(x) = &s.series {
        out.push(("series.collagen_change_pct".into(), x.collagen_change_pct));
        out.push(("series.elastin_change_pct".into(), x.elastin_change_pct));
        out.push(("series.improvement_fraction".into(), x.improvement_fraction));
        out.push(("series.severity_after".into(), x.severity_after));
        out.push(("series.pih_probability".into(), x.pih_probability));
        out.push(("series.scarring_probability".into(), x.scarring_probability));
    }
    if let Some(n) = &s.numbing {
        out.push(("numbing.recommended_minutes".into(), n.recommended_minutes));
    }
    if let Some(p) = &s.procedure {
        out.push(("procedure.duration_min".into(), p.duration_min));
        out.push(("procedure.total_min".into(), p.total_min));
    }
    out
}

/// Propagates the registry's uncertainty through the pipeline: `samples` draws around the
/// central run `base` (the scenario's own run). Draws run on rayon's pool; the result does not
/// depend on the thread count.
pub fn propagate(base: &Outcome, samples: usize) -> UncertaintySummary {
    let scenario = &base.scenario;
    let drawn = drawn(scenario);
    let dims = drawn.len().min(MAX_DIMENSIONS);
    let seed = scenario.simulation.seed;
    let runs: Vec<Vec<(String, f64)>> = (0..samples)
        .into_par_iter()
        .map(|i| {
            let u = sobol_point(i, dims, seed);
            let s = Scenario { parameters: draw(scenario, &drawn[..dims], &u), ..scenario.clone() };
            let o = crate::simulate_draw(&s, base);
            headline(&o.summary)
        })
        .collect();
    let mut values: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (k, _) in headline(&base.summary) {
        values.entry(k).or_default();
    }
    for run in runs {
        for (k, v) in run {
            values.entry(k).or_default().push(v);
        }
    }
    let bands = values.into_iter().filter_map(|(k, v)| Band::of(&v).map(|b| (format!("{k}_band"), b))).collect();
    UncertaintySummary {
        samples,
        design: "sobol-owen",
        seed,
        parameters: drawn[..dims]
            .iter()
            .map(|p| DrawnParameter {
                name: p.name,
                unit: p.unit,
                value: p.value,
                distribution: p.distribution.describe(),
            })
            .collect(),
        bands,
    }
}

/// `x` printed to the precision its band supports: the last digit shown is the one of about a
/// tenth of the band's width (at least one significant digit, at most six decimals); without a
/// band, or with a band of zero width, four significant digits.
pub fn format_with_band(x: f64, band: Option<&Band>) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let width = band.map(Band::width).filter(|w| *w > 0.0 && w.is_finite());
    let decimals = match width {
        Some(w) => -((w / 10.0).log10().floor()) as i32,
        None => {
            let mag = if x == 0.0 { 0 } else { x.abs().log10().floor() as i32 };
            3 - mag
        }
    };
    let decimals = decimals.clamp(0, 6) as usize;
    // Whole numbers coarser than 1: round to the band's digit, print without decimals.
    if let Some(w) = width {
        let step = 10f64.powf((w / 10.0).log10().floor());
        if step > 1.0 {
            return format!("{:.0}", (x / step).round() * step);
        }
    }
    format!("{x:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_a_known_sample() {
        let v: Vec<f64> = (0..=100).map(f64::from).collect();
        let b = Band::of(&v).unwrap();
        assert_eq!((b.p5, b.p50, b.p95), (5.0, 50.0, 95.0));
        let b = Band::of(&[3.0, f64::NAN, 1.0, 2.0]).unwrap();
        assert_eq!((b.p5, b.p50, b.p95), (1.1, 2.0, 2.9));
        assert!(Band::of(&[f64::NAN]).is_none());
    }

    #[test]
    fn printed_precision_follows_the_band() {
        let band = |lo: f64, hi: f64| Band { p5: lo, p50: 0.5 * (lo + hi), p95: hi };
        assert_eq!(format_with_band(84.10234, Some(&band(70.0, 100.0))), "84");
        assert_eq!(format_with_band(84.10234, Some(&band(83.0, 85.0))), "84.1");
        assert_eq!(format_with_band(3462.842, Some(&band(1000.0, 9000.0))), "3500");
        assert_eq!(format_with_band(0.012345, Some(&band(0.0120, 0.0125))), "0.01235");
        assert_eq!(format_with_band(84.10234, None), "84.10");
    }

    #[test]
    fn sobol_draws_fill_the_distribution() {
        let p = &crate::procedure::PREPARATION_MIN;
        let (lo, hi) = p.distribution.bounds().unwrap();
        let xs: Vec<f64> = (0..64).map(|i| p.distribution.quantile(p.value, sobol_point(i, 1, 7)[0])).collect();
        assert!(xs.iter().all(|x| (lo..=hi).contains(x)));
        // A 64-point Sobol design puts exactly one point in each 1/64 stratum of a dimension.
        let mut strata: Vec<usize> = xs.iter().map(|x| (((x - lo) / (hi - lo)) * 64.0) as usize).collect();
        strata.sort_unstable();
        strata.dedup();
        assert_eq!(strata.len(), 64);
        assert_ne!(sobol_point(3, 2, 7), sobol_point(3, 2, 8), "the seed scrambles");
    }
}
