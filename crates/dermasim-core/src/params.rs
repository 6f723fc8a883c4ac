//! The parameter registry: every model constant that is taken from the literature, assumed or
//! calibrated, declared once with its unit, value, uncertainty, source and stage.
//!
//! A model constant is a [`Param`] (a `pub const` beside the model that uses it, with its
//! source in the doc comment) listed in its stage's `PARAMS` slice, which [`all`] gathers. A
//! model never reads the constant's `value` directly at run time: it reads
//! [`Parameters::get`] from the scenario's [`Parameters`], which holds the values a scenario
//! overrides (`[parameters.<stage>]` tables, `--set parameters.<stage>.<key>=…`) or an
//! uncertainty run samples, and falls back to the registry's value. With no override every
//! value is the registry's, so a run's numbers do not change.
//!
//! Numerical choices (grid sizes, tolerances, step counts) are not model constants and stay
//! out of the registry; they say so in their doc comments.
//!
//! `docs/models.md` carries the registry as generated tables ([`markdown`]); a test fails when
//! they drift.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

/// The pipeline stage whose model uses a parameter (also the first part of its name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Device kinematics → punctures (`punctures`, `device`).
    Punctures,
    /// Needle mechanics → channels (`channels`).
    Channels,
    /// Distinct holes, coverage (`pattern`).
    Pattern,
    /// Skin layers and site presets (`skin`).
    Skin,
    /// Resealing, barrier, redness (`healing`).
    Healing,
    /// The transport stage in the pipeline (`delivery`).
    Delivery,
    /// Permeant chemistry and transport material properties (`dermasim_transport::props`).
    Transport,
    /// Remodelling and outcomes over a series (`series`).
    Series,
    /// Virtual patients (`cohort`).
    Cohort,
    /// Safety screening (`safety`).
    Safety,
    /// Numbing-cream onset (`numbing`).
    Numbing,
    /// Session time (`procedure`).
    Procedure,
}

impl Stage {
    /// Every stage, in pipeline order.
    pub const ALL: [Stage; 12] = [
        Stage::Punctures,
        Stage::Channels,
        Stage::Pattern,
        Stage::Skin,
        Stage::Healing,
        Stage::Delivery,
        Stage::Transport,
        Stage::Series,
        Stage::Cohort,
        Stage::Safety,
        Stage::Numbing,
        Stage::Procedure,
    ];

    /// The stage's name: the first part of its parameters' names.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Punctures => "punctures",
            Stage::Channels => "channels",
            Stage::Pattern => "pattern",
            Stage::Skin => "skin",
            Stage::Healing => "healing",
            Stage::Delivery => "delivery",
            Stage::Transport => "transport",
            Stage::Series => "series",
            Stage::Cohort => "cohort",
            Stage::Safety => "safety",
            Stage::Numbing => "numbing",
            Stage::Procedure => "procedure",
        }
    }
}

/// Where a parameter's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "basis", content = "source", rename_all = "snake_case")]
pub enum Provenance {
    /// A published value: authors, year, journal and the reference's confidence tag
    /// (\[V\] verbatim, \[P\] paraphrased, \[S\] secondary).
    Literature(&'static str),
    /// An assumption `[A]`: why this value.
    Assumption(&'static str),
    /// A calibrated parameter `[C]`: the datum it is fitted to (that datum is then a
    /// calibration check, not an independent one).
    Calibrated(&'static str),
}

impl Provenance {
    /// The tag used in the docs: `L`, `[A]` or `[C]`.
    pub fn tag(self) -> &'static str {
        match self {
            Provenance::Literature(_) => "L",
            Provenance::Assumption(_) => "[A]",
            Provenance::Calibrated(_) => "[C]",
        }
    }

    /// The source, reason or calibration target.
    pub fn text(self) -> &'static str {
        match self {
            Provenance::Literature(s) | Provenance::Assumption(s) | Provenance::Calibrated(s) => s,
        }
    }
}

/// The uncertainty of a parameter: how an uncertainty or sensitivity run draws it. Every
/// distribution is bounded and has a closed-form quantile, so a quasi-random design in the
/// unit cube maps onto it exactly.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Distribution {
    /// Not drawn: the value is known well enough, or the parameter is a definition.
    Fixed,
    /// Uniform on `[lo, hi]`.
    Uniform {
        /// Lower bound.
        lo: f64,
        /// Upper bound.
        hi: f64,
    },
    /// `ln x` uniform on `[ln lo, ln hi]` (a factor-of uncertainty); `lo > 0`.
    LogUniform {
        /// Lower bound (> 0).
        lo: f64,
        /// Upper bound.
        hi: f64,
    },
    /// Triangular on `[lo, hi]` with its mode at the parameter's value.
    Triangular {
        /// Lower bound.
        lo: f64,
        /// Upper bound.
        hi: f64,
    },
}

impl Distribution {
    /// The bounds `(lo, hi)` of the draws (`None` for [`Distribution::Fixed`]).
    pub fn bounds(self) -> Option<(f64, f64)> {
        match self {
            Distribution::Fixed => None,
            Distribution::Uniform { lo, hi }
            | Distribution::LogUniform { lo, hi }
            | Distribution::Triangular { lo, hi } => Some((lo, hi)),
        }
    }

    /// The value at probability `u` (clamped to `[0, 1]`); `mode` is the parameter's value
    /// (returned for [`Distribution::Fixed`], the triangle's peak).
    pub fn quantile(self, mode: f64, u: f64) -> f64 {
        let u = if u.is_nan() { 0.5 } else { u.clamp(0.0, 1.0) };
        match self {
            Distribution::Fixed => mode,
            Distribution::Uniform { lo, hi } => lo + u * (hi - lo),
            Distribution::LogUniform { lo, hi } => (lo.ln() + u * (hi.ln() - lo.ln())).exp(),
            Distribution::Triangular { lo, hi } => {
                if hi <= lo {
                    return lo;
                }
                let c = (mode - lo) / (hi - lo);
                if u < c {
                    lo + (u * (hi - lo) * (mode - lo)).sqrt()
                } else {
                    hi - ((1.0 - u) * (hi - lo) * (hi - mode)).sqrt()
                }
            }
        }
    }

    /// How the docs print it, e.g. `U(0.8, 0.95)`.
    pub fn describe(self) -> String {
        match self {
            Distribution::Fixed => "fixed".to_string(),
            Distribution::Uniform { lo, hi } => format!("U({lo}, {hi})"),
            Distribution::LogUniform { lo, hi } => format!("logU({lo}, {hi})"),
            Distribution::Triangular { lo, hi } => format!("Tri({lo}, {hi})"),
        }
    }
}

/// One model constant.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Param {
    /// `<stage>.<key>`, snake case, unique (e.g. `series.f_max`); the name a scenario
    /// overrides it by.
    pub name: &'static str,
    /// Unit, as the docs print it (`1` for dimensionless).
    pub unit: &'static str,
    /// The value the model uses when nothing overrides it.
    pub value: f64,
    /// What a scenario may set it to, inclusive: beyond this the model is not meant to work.
    pub allowed: (f64, f64),
    /// Its uncertainty (what uncertainty and sensitivity runs draw).
    pub distribution: Distribution,
    /// Source, assumption or calibration target.
    pub provenance: Provenance,
    /// The stage whose model uses it.
    pub stage: Stage,
    /// What it is, one line.
    pub description: &'static str,
}

impl Param {
    /// Whether uncertainty runs draw it.
    pub fn is_uncertain(&self) -> bool {
        self.distribution != Distribution::Fixed
    }

    /// The part of the name after the stage (`f_max` of `series.f_max`).
    pub fn key(&self) -> &'static str {
        self.name.split_once('.').map_or(self.name, |(_, k)| k)
    }
}

/// The registry's stage lists, in pipeline order. A stage that declares parameters adds its
/// `PARAMS` slice here.
static GROUPS: &[&[Param]] = &[
    crate::channels::PARAMS,
    crate::healing::PARAMS,
    crate::series::PARAMS,
    crate::cohort::PARAMS,
    crate::safety::PARAMS,
    crate::numbing::PARAMS,
    crate::procedure::PARAMS,
    // delivery joined last: the stages above keep their columns in an uncertainty run's design
    crate::delivery::PARAMS,
];

/// Every registered parameter, in pipeline order.
pub fn all() -> impl Iterator<Item = &'static Param> {
    GROUPS.iter().flat_map(|g| g.iter())
}

/// The registered parameter called `name`.
pub fn find(name: &str) -> Option<&'static Param> {
    all().find(|p| p.name == name)
}

/// The parameters an uncertainty run draws, in registry order (the order of a design's
/// columns).
pub fn uncertain() -> Vec<&'static Param> {
    all().filter(|p| p.is_uncertain()).collect()
}

/// A wrong parameter override.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ParamError {
    /// No registered parameter has this name.
    #[error("parameters.{name} is not a registered parameter: allowed {allowed}")]
    Unknown {
        /// The name given.
        name: String,
        /// The names of the stage's parameters (or the stages, if the stage is unknown).
        allowed: String,
    },
    /// The value is outside the parameter's allowed range.
    #[error("parameters.{name} = {value} {unit} is out of range: allowed {lo} to {hi} {unit}")]
    OutOfRange {
        /// The parameter.
        name: String,
        /// The value given.
        value: f64,
        /// Its unit.
        unit: &'static str,
        /// Lowest allowed.
        lo: f64,
        /// Highest allowed.
        hi: f64,
    },
}

/// The values a run uses for the registry's parameters: the registry's own, except those
/// overridden by the scenario or drawn by an uncertainty run. Empty (the default): every
/// value is the registry's.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Parameters {
    values: BTreeMap<&'static str, f64>,
}

impl Parameters {
    /// No override: every value is the registry's.
    pub fn new() -> Parameters {
        Parameters::default()
    }

    /// The value of `p` in this run.
    #[inline]
    pub fn get(&self, p: &Param) -> f64 {
        if self.values.is_empty() {
            return p.value;
        }
        self.values.get(p.name).copied().unwrap_or(p.value)
    }

    /// Sets the parameter `name` (`<stage>.<key>`), checking the name and the allowed range.
    pub fn set(&mut self, name: &str, value: f64) -> Result<(), ParamError> {
        let p =
            find(name).ok_or_else(|| ParamError::Unknown { name: name.to_string(), allowed: allowed_names(name) })?;
        let (lo, hi) = p.allowed;
        if !value.is_finite() || value < lo || value > hi {
            return Err(ParamError::OutOfRange { name: name.to_string(), value, unit: p.unit, lo, hi });
        }
        self.values.insert(p.name, value);
        Ok(())
    }

    /// Sets `p` without checks (for draws inside its distribution's bounds).
    pub fn set_unchecked(&mut self, p: &'static Param, value: f64) {
        self.values.insert(p.name, value);
    }

    /// Whether nothing is overridden.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The overridden values, by name.
    pub fn overrides(&self) -> impl Iterator<Item = (&'static str, f64)> + '_ {
        self.values.iter().map(|(k, v)| (*k, *v))
    }
}

/// What to list as allowed for an unknown name: the stage's parameters if the stage exists,
/// otherwise the stages that have parameters.
fn allowed_names(name: &str) -> String {
    let stage = name.split_once('.').map_or(name, |(s, _)| s);
    let in_stage: Vec<&str> = all().filter(|p| p.stage.name() == stage).map(|p| p.name).collect();
    if !in_stage.is_empty() {
        return in_stage.join(", ");
    }
    let mut stages: Vec<&str> = all().map(|p| p.stage.name()).collect();
    stages.dedup();
    format!("a name <stage>.<key> with stage one of {}", stages.join(", "))
}

/// The registry as Markdown tables, one per stage with parameters, for `docs/models.md`.
pub fn markdown() -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Generated from the registry (`dermasim_core::params`); do not edit by hand. Regenerate with \
`DERMASIM_UPDATE_DOCS=1 cargo test -p dermasim-core --test parameters_doc`. Basis: L literature (confidence \
tag in the source), [A] assumption, [C] calibrated (its target). A scenario overrides a value with \
`[parameters.<stage>]` `<key> = value` or `--set parameters.<stage>.<key>=value`, within *allowed*; \
uncertainty and sensitivity runs draw the *uncertainty* column."
    );
    for stage in Stage::ALL {
        let params: Vec<&Param> = all().filter(|p| p.stage == stage).collect();
        if params.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n#### `{}`\n", stage.name());
        let _ = writeln!(out, "| name | value | unit | uncertainty | allowed | basis | source / target | what |");
        let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
        for p in params {
            let cell = |s: &str| s.replace('|', "\\|");
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} to {} | {} | {} | {} |",
                p.name,
                p.value,
                p.unit,
                p.distribution.describe(),
                p.allowed.0,
                p.allowed.1,
                p.provenance.tag(),
                cell(p.provenance.text()),
                cell(p.description)
            );
        }
    }
    out
}

/// The markers around the generated tables in `docs/models.md`.
pub const DOC_BEGIN: &str = "<!-- parameters:begin (generated) -->";
/// See [`DOC_BEGIN`].
pub const DOC_END: &str = "<!-- parameters:end -->";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_is_consistent() {
        let mut names = std::collections::BTreeSet::new();
        for p in all() {
            assert!(names.insert(p.name), "{} registered twice", p.name);
            let (stage, key) = p.name.split_once('.').unwrap_or_else(|| panic!("{}: no stage prefix", p.name));
            assert_eq!(stage, p.stage.name(), "{}: prefix is not its stage", p.name);
            assert!(
                !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{}: key not snake case",
                p.name
            );
            let (lo, hi) = p.allowed;
            assert!(lo <= p.value && p.value <= hi, "{}: value {} outside allowed {lo}..{hi}", p.name, p.value);
            if let Some((dlo, dhi)) = p.distribution.bounds() {
                assert!(dlo < dhi, "{}: empty distribution", p.name);
                assert!(lo <= dlo && dhi <= hi, "{}: distribution {dlo}..{dhi} beyond allowed {lo}..{hi}", p.name);
                assert!(dlo <= p.value && p.value <= dhi, "{}: value outside its distribution", p.name);
                if let Distribution::LogUniform { lo, .. } = p.distribution {
                    assert!(lo > 0.0, "{}: log-uniform needs lo > 0", p.name);
                }
            }
            assert!(!p.provenance.text().is_empty() && !p.description.is_empty() && !p.unit.is_empty(), "{}", p.name);
        }
        assert!(!names.is_empty());
    }

    #[test]
    fn quantiles_map_the_unit_interval_onto_the_bounds() {
        let d = [
            Distribution::Uniform { lo: 1.0, hi: 3.0 },
            Distribution::LogUniform { lo: 0.1, hi: 10.0 },
            Distribution::Triangular { lo: 0.0, hi: 4.0 },
        ];
        for d in d {
            let (lo, hi) = d.bounds().unwrap();
            assert!((d.quantile(1.0, 0.0) - lo).abs() < 1e-12, "{d:?}");
            assert!((d.quantile(1.0, 1.0) - hi).abs() < 1e-12, "{d:?}");
            let q: Vec<f64> = (0..=10).map(|i| d.quantile(1.0, i as f64 / 10.0)).collect();
            assert!(q.windows(2).all(|w| w[0] < w[1]), "{d:?}: {q:?}");
        }
        // Log-uniform median is the geometric mean; the triangle's CDF at its mode is c.
        assert!((Distribution::LogUniform { lo: 0.1, hi: 10.0 }.quantile(0.0, 0.5) - 1.0).abs() < 1e-12);
        assert!((Distribution::Triangular { lo: 0.0, hi: 4.0 }.quantile(1.0, 0.25) - 1.0).abs() < 1e-12);
        assert_eq!(Distribution::Fixed.quantile(7.0, 0.3), 7.0);
    }

    #[test]
    fn overrides_are_checked_by_name_and_range() {
        let p = all().next().expect("a registered parameter");
        let mut set = Parameters::new();
        assert_eq!(set.get(p), p.value);
        let err = set.set(p.name, p.allowed.1 + 1.0 + p.allowed.1.abs()).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(p.name) && msg.contains("allowed"), "{msg}");
        let err = set.set("nonsense.key", 1.0).unwrap_err().to_string();
        assert!(err.contains("nonsense.key") && err.contains("procedure"), "{err}");
        let mid = 0.5 * (p.allowed.0 + p.allowed.1);
        set.set(p.name, mid).unwrap();
        assert_eq!(set.get(p), mid);
        assert!(!set.is_empty());
    }
}
