//! The calibration program: each calibrated parameter fitted to its training dataset.
//!
//! A [`Calibration`] names a parameter, its training dataset ([`crate::training`]) and a
//! *predictor*: the model run on the dataset's scenario, as a function of the parameter, giving
//! one value per measured value. [`fit`] minimises the sum of squared residuals, each in units
//! of its measurement's half-spread, with Brent's method (`argmin::solver::brent::BrentOpt`) on
//! the logarithm of the parameter within its search bounds; the same data always give the same
//! value (no random start). Its uncertainty is the refit with every measured value at the low end
//! of its spread and at the high end: the range of values the data allow (for several points read
//! from one statement it is a bound, not a confidence interval).
//!
//! What a fit changes: a parameter the registry holds as a number ([`Current::Registry`]) is
//! rewritten in its source file on request ([`rewrite_value`], `dermasim calibrate --write`);
//! a parameter the model derives at run time from its datum in closed form
//! ([`Current::Derived`], e.g. the skin stiffness from Donnelly's depth) is checked, not
//! written: the fit must reproduce the closed form.

use argmin::core::{CostFunction, Executor, State};
use argmin::solver::brent::BrentOpt;
use dermasim_core::channels::{self, Insertion, MechanicsParams, SkinResponse};
use dermasim_core::numbing::{self, NumbingParams};
use dermasim_core::params::{self, Distribution, Param};
use dermasim_core::scenario::Scenario;
use dermasim_core::series;

use serde::Serialize;

use crate::training::{self, Dataset};

/// The model as a function of the fitted parameter: one prediction per measured value, in the
/// dataset's order.
pub type Predictor = Box<dyn Fn(f64) -> Vec<f64>>;

/// Where today's value of a calibrated parameter lives.
#[derive(Clone, Copy, Debug)]
pub enum Current {
    /// A number in the registry (`dermasim_core::params`), in the source file named.
    Registry {
        /// The registry entry.
        param: &'static Param,
        /// Its source file, relative to the repository's root.
        file: &'static str,
    },
    /// Derived at run time from its datum by a closed form (nothing to write back).
    Derived {
        /// Today's value.
        value: fn() -> f64,
        /// The function that derives it.
        by: &'static str,
        /// The registry entry that holds its datum, if the datum is registered.
        datum: Option<&'static str>,
    },
}

impl Current {
    /// Today's value.
    pub fn value(&self) -> f64 {
        match self {
            Current::Registry { param, .. } => param.value,
            Current::Derived { value, .. } => value(),
        }
    }
}

/// One calibrated parameter and how it is fitted.
pub struct Calibration {
    /// Its name (`<stage>.<key>`; the registry's name for a registry entry).
    pub parameter: &'static str,
    /// Its unit.
    pub unit: &'static str,
    /// Where today's value lives.
    pub current: Current,
    /// Search bounds of the fit (> 0; the fit runs on the logarithm).
    pub search: (f64, f64),
    /// The model on the dataset's scenario.
    pub prepare: fn(&Dataset, &Scenario) -> Result<Predictor, String>,
}

/// Every calibration `dermasim calibrate` runs, in pipeline order.
pub static CALIBRATIONS: &[Calibration] = &[
    Calibration {
        parameter: "channels.skin_stiffness_n_per_um",
        unit: "N/um",
        current: Current::Derived {
            value: || MechanicsParams::nominal().stiffness_n_per_um,
            by: "channels::skin_stiffness_n_per_um(DONNELLY_DEPTH_UM)",
            datum: None,
        },
        search: (1e-5, 1e-2),
        prepare: predict_donnelly_depth,
    },
    Calibration {
        parameter: "channels.rat_follow_through",
        unit: "1",
        current: Current::Derived {
            value: channels::rat_follow_through,
            by: "channels::rat_follow_through()",
            datum: None,
        },
        search: (0.01, 1.0),
        prepare: predict_kalluri_depth,
    },
    Calibration {
        parameter: "numbing.fat_innervation_ratio",
        unit: "1",
        current: Current::Registry {
            param: &numbing::FAT_INNERVATION_RATIO,
            file: "crates/dermasim-core/src/numbing.rs",
        },
        search: (0.05, 1.0),
        prepare: predict_bjerring_analgesia,
    },
    Calibration {
        parameter: "numbing.liposomal_sc_factor",
        unit: "1",
        current: Current::Registry {
            param: &numbing::LIPOSOMAL_SC_FACTOR,
            file: "crates/dermasim-core/src/numbing.rs",
        },
        search: (1.0, 1000.0),
        prepare: predict_lmx4_onset_ratio,
    },
    Calibration {
        parameter: "series.scarring_rate",
        unit: "1/h",
        current: Current::Derived {
            value: || series::calibration().scarring_rate,
            by: "series::calibrate from series.dogra_scarring_fraction",
            datum: Some("series.dogra_scarring_fraction"),
        },
        search: (1e-9, 1.0),
        prepare: predict_dogra_scarring,
    },
    Calibration {
        parameter: "series.pih_rate_iv",
        unit: "1/h",
        current: Current::Derived {
            value: || series::calibration().pih_rate_iv,
            by: "series::calibrate from series.dogra_pih_fraction",
            datum: Some("series.dogra_pih_fraction"),
        },
        search: (1e-9, 1.0),
        prepare: predict_dogra_pih,
    },
    Calibration {
        parameter: "series.collagen_gain_pct",
        unit: "%",
        current: Current::Derived {
            value: || series::calibration().collagen_gain_pct,
            by: "series::calibrate from series.lotfi_collagen_pct",
            datum: Some("series.lotfi_collagen_pct"),
        },
        search: (0.01, 1000.0),
        prepare: predict_lotfi_collagen,
    },
];

/// The names of every calibrated parameter, comma-separated (for error messages).
pub fn names() -> String {
    CALIBRATIONS.iter().map(|c| c.parameter).collect::<Vec<_>>().join(", ")
}

/// The calibration of `parameter`.
pub fn find(parameter: &str) -> Option<&'static Calibration> {
    CALIBRATIONS.iter().find(|c| c.parameter == parameter)
}

/// The mean channel depth of a scenario's device with the given mechanics: the expected depth of
/// its channels (needle-to-needle variability, capped at the needle and the bottom of the fat),
/// as `channels::mean_depth_band_um` computes it.
fn expected_depth_um(s: &Scenario, skin: SkinResponse, p: &MechanicsParams) -> f64 {
    let tip = channels::worn_tip_radius_um(&s.device.needle, s.device.uses);
    let cap = s.device.needle.length_um.min(s.skin.layers.total_um());
    let nominal = channels::mean_depth_with(&s.device.needle, tip, &Insertion::of_scenario(s), skin, p);
    channels::expected_capped_depth_um(nominal, cap)
}

fn predict_donnelly_depth(d: &Dataset, s: &Scenario) -> Result<Predictor, String> {
    let s = s.clone();
    let n = d.measured.len();
    Ok(Box::new(move |k| {
        let p = MechanicsParams { stiffness_n_per_um: k, speed_exponent: channels::speed_exponent() };
        vec![expected_depth_um(&s, SkinResponse::of(&s.skin), &p); n]
    }))
}

fn predict_kalluri_depth(d: &Dataset, s: &Scenario) -> Result<Predictor, String> {
    let s = s.clone();
    let n = d.measured.len();
    Ok(Box::new(move |phi| {
        let skin = SkinResponse { follow_through: phi, ..SkinResponse::of(&s.skin) };
        vec![expected_depth_um(&s, skin, &MechanicsParams::nominal()); n]
    }))
}

/// Bjerring's depth of analgesia: the numb depth of the scenario's cream (the registry's threshold
/// and vasoconstriction) at each measurement's `at_min` after an application of
/// `application_min`, read through the needle-test mapping with the fitted fat ratio. The columns
/// are solved once; only the mapping depends on the ratio.
fn predict_bjerring_analgesia(d: &Dataset, s: &Scenario) -> Result<Predictor, String> {
    let n = s.protocol.numbing.as_ref().ok_or_else(|| format!("{}: the scenario has no numbing cream", d.id))?;
    let cream = numbing::cream(n.cream).ok_or_else(|| format!("{}: the scenario's cream is none", d.id))?;
    let t = s.skin.layers;
    let bottom = t.boundaries_um()[3];
    let numb: Vec<f64> = d
        .measured
        .iter()
        .map(|m| {
            let (app, at) = (m.condition("application_min")?, m.condition("at_min")?);
            Ok(numbing::course(&cream, &t, n.occluded, app, at)?.onset.depth_at(at))
        })
        .collect::<Result<_, String>>()?;
    Ok(Box::new(move |r| {
        let p = NumbingParams { fat_innervation_ratio: r, ..NumbingParams::REGISTRY };
        numb.iter().map(|z| numbing::analgesia_depth_in(&p, *z, bottom)).collect()
    }))
}

/// The LMX4 onset ratio: minutes until the scenario's liposomal cream (its occlusion) numbs the
/// epidermis and papillary dermis, over those of EMLA (occluded when the condition
/// `emla_occluded` is 1), with the registry's threshold and vasoconstriction. EMLA's onset is
/// solved once; each value of the factor solves the liposomal cream's column. A cream that never
/// numbs that deep within the model's horizon gives a ratio of 10 (far off any datum).
fn predict_lmx4_onset_ratio(d: &Dataset, s: &Scenario) -> Result<Predictor, String> {
    let n = s.protocol.numbing.as_ref().ok_or_else(|| format!("{}: the scenario has no numbing cream", d.id))?;
    let cream = numbing::cream(n.cream).ok_or_else(|| format!("{}: the scenario's cream is none", d.id))?;
    let occluded = n.occluded;
    let t = s.skin.layers;
    let z = t.boundaries_um()[2];
    let emla: Vec<f64> = d
        .measured
        .iter()
        .map(|m| {
            let occ = m.condition("emla_occluded")? > 0.5;
            numbing::onset(&numbing::EMLA, &t, occ)?
                .minutes_to(z)
                .ok_or_else(|| format!("{}: EMLA does not numb the papillary dermis", d.id))
        })
        .collect::<Result<_, String>>()?;
    Ok(Box::new(move |f| {
        let c = numbing::Cream { sc_diffusivity_factor: f, ..cream };
        let minutes = numbing::onset(&c, &t, occluded).ok().and_then(|o| o.minutes_to(z));
        emla.iter().map(|e| minutes.map_or(10.0, |m| m / e)).collect()
    }))
}

/// Dogra's scarring share: the scenario run through the pipeline (punctures, channels, healing,
/// series) gives the series' inflammation burden and the torn share of its channels; the
/// series' own `Calibration::scarring_probability` turns them into a probability for a given
/// rate (no history, relative risk 1).
fn predict_dogra_scarring(d: &Dataset, s: &Scenario) -> Result<Predictor, String> {
    let o = dermasim_core::simulate(s);
    let burden =
        o.series.as_ref().ok_or_else(|| format!("{}: the scenario has no series", d.id))?.response.inflammation_burden;
    let made: Vec<_> = o.channels.iter().filter(|c| c.depth_um.is_finite() && c.depth_um > 0.0).collect();
    let torn = made.iter().filter(|c| c.torn).count() as f64 / made.len().max(1) as f64;
    let n = d.measured.len();
    Ok(Box::new(move |rate| {
        let cal = series::Calibration { scarring_rate: rate, ..*series::calibration() };
        vec![cal.scarring_probability(burden, torn, 1.0); n]
    }))
}

/// Dogra's PIH share: the scenario run through the pipeline gives the series' inflammation
/// burden and its patient's phototype; the series' own `Calibration::pih_probability` turns them
/// into a probability for a given rate of phototypes IV-V (no history, relative risk 1).
fn predict_dogra_pih(d: &Dataset, s: &Scenario) -> Result<Predictor, String> {
    let o = dermasim_core::simulate(s);
    let series = o.series.as_ref().ok_or_else(|| format!("{}: the scenario has no series", d.id))?;
    let (burden, phototype) = (series.response.inflammation_burden, series.phototype);
    let k = series::SeriesParams::of(&s.parameters);
    let n = d.measured.len();
    Ok(Box::new(move |rate| {
        let cal = series::Calibration { pih_rate_iv: rate, ..*series::calibration() };
        vec![cal.pih_probability(phototype, burden, 1.0, &k); n]
    }))
}

/// Lotfi's papillary collagen: the scenario run through the punctures, channels and healing
/// stages, then the series' response (`series::respond`, wired as `series::assess` wires it) with
/// the collagen gain set to the fitted value.
fn predict_lotfi_collagen(d: &Dataset, s: &Scenario) -> Result<Predictor, String> {
    let o = dermasim_core::simulate(s);
    let healing = o.healing.as_ref().ok_or_else(|| format!("{}: the scenario's skin does not heal", d.id))?;
    let model = series::Model::of(&s.parameters);
    let (p, layers) = (&s.protocol, &s.skin.layers);
    let profile = series::InjuryProfile::new(&o.channels, o.punctures.window_cm2());
    let bands =
        profile.bands(layers, layers.epidermis_um(), p.indication, model.params.influence_radius_um, &model.params);
    let days = series::session_days(p.sessions, p.interval_days);
    let redness = series::Redness::of(healing);
    let (indication, follow_up, torn) = (p.indication, p.follow_up_days, profile.torn_share());
    let patient = s.patient.clone();
    let n = d.measured.len();
    Ok(Box::new(move |gain| {
        let calibration = std::sync::Arc::new(series::Calibration { collagen_gain_pct: gain, ..*model.calibration });
        let m = series::Model { params: model.params, calibration };
        let who = series::PatientInputs {
            age_years: patient.age_years,
            phototype: patient.phototype,
            severity_before: series::baseline(indication, &patient),
            scar_types: &patient.scar_types,
            response: 1.0,
            redness_factor: 1.0,
            history: series::history(&patient.conditions, &m.params),
        };
        let r = series::respond(&m, indication, &days, follow_up, &bands, redness, torn, &who);
        vec![r.collagen_change_pct; n]
    }))
}

/// A measured value against the model at the fitted value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Residual {
    /// What was measured.
    pub quantity: String,
    /// Unit.
    pub unit: String,
    /// Published value.
    pub measured: f64,
    /// Its spread.
    pub spread: (f64, f64),
    /// The model at the fitted value.
    pub fitted: f64,
    /// The model at today's value.
    pub today: f64,
}

impl Residual {
    /// Model − measured at the fitted value.
    pub fn residual(&self) -> f64 {
        self.fitted - self.measured
    }
}

/// The result of one calibration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fit {
    /// The parameter.
    pub parameter: &'static str,
    /// Its unit.
    pub unit: &'static str,
    /// The training dataset's file (in `validation/training/`).
    pub dataset_file: &'static str,
    /// The dataset.
    pub dataset: Dataset,
    /// Fitted value.
    pub value: f64,
    /// Refit with every measured value at the low and at the high end of its spread, sorted.
    pub interval: (f64, f64),
    /// Today's value (registry or closed form).
    pub today: f64,
    /// Sum of squared residuals in units of the half-spreads, at the fit.
    pub cost: f64,
    /// One per measured value.
    pub residuals: Vec<Residual>,
    /// Whether the search bounds stopped the fit (the data ask for a value beyond them).
    pub at_bound: bool,
}

impl Fit {
    /// Whether today's value lies within the fit's uncertainty.
    pub fn reproduces_today(&self) -> bool {
        self.interval.0 <= self.today && self.today <= self.interval.1
    }

    /// Today's value relative to the fit, − 1.
    pub fn today_offset(&self) -> f64 {
        self.today / self.value - 1.0
    }
}

struct Cost<'a> {
    predict: &'a dyn Fn(f64) -> Vec<f64>,
    targets: Vec<(f64, f64)>,
}

impl CostFunction for Cost<'_> {
    type Param = f64;
    type Output = f64;

    fn cost(&self, ln_x: &f64) -> Result<f64, argmin::core::Error> {
        let y = (self.predict)(ln_x.exp());
        Ok(self.targets.iter().zip(&y).map(|((v, h), y)| ((y - v) / h).powi(2)).sum())
    }
}

/// Minimises the squared residuals against `targets` (value, half-spread) over `search`;
/// returns the value and the cost.
fn minimise(
    predict: &dyn Fn(f64) -> Vec<f64>,
    targets: Vec<(f64, f64)>,
    search: (f64, f64),
) -> Result<(f64, f64), String> {
    let solver = BrentOpt::new(search.0.ln(), search.1.ln()).set_tolerance(f64::EPSILON.sqrt(), 1e-12);
    let res = Executor::new(Cost { predict, targets }, solver)
        .configure(|s| s.max_iters(200))
        .run()
        .map_err(|e| format!("the fit failed: {e}"))?;
    let state = res.state();
    let ln_x = *state.get_best_param().ok_or("the fit returned no value")?;
    Ok((ln_x.exp(), state.get_best_cost()))
}

/// Fits `c` to its training dataset.
pub fn fit(c: &Calibration) -> Result<Fit, String> {
    let (file, dataset) = training::for_parameter(c.parameter)?;
    let scenario = training::scenario(&dataset)?;
    let predict = (c.prepare)(&dataset, &scenario)?;
    let at = |pick: fn(&training::Measurement) -> f64| {
        let targets = dataset.measured.iter().map(|m| (pick(m), m.half_width())).collect();
        minimise(&*predict, targets, c.search)
    };
    let (value, cost) = at(|m| m.value)?;
    let (a, _) = at(|m| m.lo)?;
    let (b, _) = at(|m| m.hi)?;
    let today = c.current.value();
    let (fitted, now) = (predict(value), predict(today));
    let residuals = dataset
        .measured
        .iter()
        .zip(fitted.iter().zip(&now))
        .map(|(m, (f, t))| Residual {
            quantity: m.quantity.clone(),
            unit: m.unit.clone(),
            measured: m.value,
            spread: (m.lo, m.hi),
            fitted: *f,
            today: *t,
        })
        .collect();
    let near = |x: f64, b: f64| (x / b - 1.0).abs() < 1e-4;
    let at_bound = [value, a, b].iter().any(|x| near(*x, c.search.0) || near(*x, c.search.1));
    Ok(Fit {
        parameter: c.parameter,
        unit: c.unit,
        dataset_file: file,
        dataset,
        value,
        interval: (a.min(b), a.max(b)),
        today,
        cost,
        residuals,
        at_bound,
    })
}

/// The calibrations named in `names` (every one when empty), in pipeline order; an unknown name is
/// an error naming it and the allowed ones.
pub fn select(names: &[String]) -> Result<Vec<&'static Calibration>, String> {
    for n in names {
        if find(n).is_none() {
            return Err(format!("{n} is not a calibrated parameter: allowed {}", self::names()));
        }
    }
    Ok(CALIBRATIONS.iter().filter(|c| names.is_empty() || names.iter().any(|n| n == c.parameter)).collect())
}

/// A value as the registry writes it: four significant digits, always a float literal.
pub fn literal(x: f64) -> String {
    let digits = 4 - 1 - x.abs().log10().floor() as i32;
    let s = if digits > 0 { format!("{x:.*}", digits as usize) } else { format!("{:.1}", x.round()) };
    let s = if s.contains('.') { s.trim_end_matches('0').to_string() } else { s };
    if s.ends_with('.') { format!("{s}0") } else { s }
}

/// `text` (a Rust source file) with the line of field `field` of the registry entry called
/// `name` replaced by `make(indent)`: the first line starting with `<field>:` after
/// `name: "<name>",`, within the same struct literal, on one line.
fn rewrite_field(text: &str, name: &str, field: &str, make: impl Fn(&str) -> String) -> Result<String, String> {
    let key = format!("name: \"{name}\",");
    let start = text.find(&key).ok_or_else(|| format!("{name}: no registry entry in this file"))?;
    let end = start + text[start..].find("};").ok_or_else(|| format!("{name}: its entry does not end"))?;
    let rel = text[start..end].find('\n').ok_or_else(|| format!("{name}: one-line entry"))?;
    let mut pos = start + rel + 1;
    let prefix = format!("{field}:");
    while pos < end {
        let line_end = pos + text[pos..].find('\n').unwrap_or(text.len() - pos);
        let line = &text[pos..line_end];
        let trimmed = line.trim_start();
        if trimmed.starts_with(&prefix) {
            if !trimmed.trim_end().ends_with(',') {
                return Err(format!("{name}: its {field} spans several lines"));
            }
            let indent = &line[..line.len() - trimmed.len()];
            return Ok(format!("{}{}{}", &text[..pos], make(indent), &text[line_end..]));
        }
        pos = line_end + 1;
    }
    Err(format!("{name}: no {field} field in its entry"))
}

/// `text` (a Rust source file) with the `value:` of the registry entry called `name` replaced by
/// `value`: the first `value:` field after `name: "<name>",`, within the same struct literal.
pub fn rewrite_value(text: &str, name: &str, value: f64) -> Result<String, String> {
    rewrite_field(text, name, "value", |indent| format!("{indent}value: {},", literal(value)))
}

/// `text` with the bounds of the registry entry `name`'s distribution replaced by `(lo, hi)`,
/// keeping its kind (`Distribution::Uniform { lo: …, hi: … }` and the like); a fixed
/// distribution is an error (whether a parameter is drawn is not the fit's decision).
pub fn rewrite_distribution(text: &str, name: &str, (lo, hi): (f64, f64)) -> Result<String, String> {
    let p = params::find(name).ok_or_else(|| format!("{name}: not a registry entry"))?;
    let kind = match p.distribution {
        Distribution::Fixed => return Err(format!("{name}: its distribution is fixed")),
        Distribution::Uniform { .. } => "Uniform",
        Distribution::LogUniform { .. } => "LogUniform",
        Distribution::Triangular { .. } => "Triangular",
    };
    rewrite_field(text, name, "distribution", |indent| {
        format!("{indent}distribution: Distribution::{kind} {{ lo: {}, hi: {} }},", literal(lo), literal(hi))
    })
}

/// The calibrated registry entries (`[C]`) that no training dataset covers yet: neither fitted
/// as a registry value nor the datum of a derived value.
pub fn uncovered() -> Vec<&'static Param> {
    let covered: Vec<&str> = CALIBRATIONS
        .iter()
        .filter_map(|c| match c.current {
            Current::Registry { param, .. } => Some(param.name),
            Current::Derived { datum, .. } => datum,
        })
        .collect();
    params::all()
        .filter(|p| matches!(p.provenance, params::Provenance::Calibrated(_)) && !covered.contains(&p.name))
        .collect()
}

/// Whether `name` is a registry entry (else a value derived at run time).
pub fn is_registered(name: &str) -> bool {
    params::find(name).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_keep_four_significant_digits_and_stay_floats() {
        assert_eq!(literal(0.41234), "0.4123");
        assert_eq!(literal(43.91), "43.91");
        assert_eq!(literal(0.4), "0.4");
        assert_eq!(literal(12345.6), "12346.0");
        assert_eq!(literal(3.5e-4), "0.00035");
        assert_eq!(literal(2.0), "2.0");
    }

    #[test]
    fn rewrite_replaces_only_the_named_entry() {
        let text = "pub const A: Param = Param {\n    name: \"x.a\",\n    value: 1.0,\n};\npub const B: Param = Param {\n    name: \"x.b\",\n    unit: \"1\",\n    value: 5.0 / 30.0,\n    allowed: (0.0, 1.0),\n};\n";
        let out = rewrite_value(text, "x.b", 0.25).unwrap();
        assert!(out.contains("name: \"x.a\",\n    value: 1.0,"), "{out}");
        assert!(out.contains("    value: 0.25,\n    allowed"), "{out}");
        assert_eq!(out.len(), text.len() - "5.0 / 30.0".len() + "0.25".len());
        assert!(rewrite_value(text, "x.c", 1.0).unwrap_err().contains("x.c"));
        // A field missing from the named entry is not taken from the next one.
        let text2 = "Param {\n    name: \"x.a\",\n};\nParam {\n    name: \"x.b\",\n    value: 1.0,\n};\n";
        assert!(rewrite_value(text2, "x.a", 2.0).is_err());
    }

    #[test]
    fn rewrite_distribution_keeps_its_kind_and_refuses_a_fixed_one() {
        let p = &numbing::LIPOSOMAL_SC_FACTOR;
        let text = format!(
            "Param {{\n    name: \"{}\",\n    value: 1.0,\n    distribution: Distribution::LogUniform {{ lo: 25.0, hi: 80.0 }},\n}};\n",
            p.name
        );
        let out = rewrite_distribution(&text, p.name, (43.85464, 70.28664)).unwrap();
        assert!(out.contains("    distribution: Distribution::LogUniform { lo: 43.85, hi: 70.29 },\n"), "{out}");
        let fixed = numbing::FAT_INNERVATION_RATIO.name;
        assert!(rewrite_distribution(&text, fixed, (0.3, 0.6)).unwrap_err().contains("fixed"));
    }

    #[test]
    fn every_calibration_has_one_dataset_and_registered_names_are_registry_entries() {
        for c in CALIBRATIONS {
            training::for_parameter(c.parameter).unwrap();
            match c.current {
                Current::Registry { param, file } => {
                    assert_eq!(param.name, c.parameter);
                    assert!(is_registered(c.parameter));
                    assert!(file.ends_with(".rs"));
                    assert_eq!(param.unit, c.unit);
                }
                // A derived value may be registered later (as a datum or a value); its datum, when
                // named, is a registry entry calibrated on that dataset.
                Current::Derived { datum, .. } => {
                    if let Some(d) = datum {
                        let p = params::find(d).unwrap_or_else(|| panic!("{}: datum {d} not registered", c.parameter));
                        assert_eq!(p.provenance.tag(), "[C]", "{d}");
                    }
                }
            }
            assert!(c.search.0 > 0.0 && c.search.0 < c.current.value() && c.current.value() < c.search.1);
        }
        for (_, d) in training::all().unwrap() {
            assert!(find(&d.parameter).is_some(), "{}: no calibration fits {}", d.id, d.parameter);
        }
    }

    #[test]
    fn an_unknown_name_is_refused_with_the_allowed_ones() {
        let err = select(&["channels.nope".to_string()]).err().unwrap();
        assert!(err.contains("channels.nope") && err.contains("numbing.fat_innervation_ratio"), "{err}");
        assert_eq!(select(&[]).unwrap().len(), CALIBRATIONS.len());
    }
}
