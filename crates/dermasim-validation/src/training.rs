//! The training datasets: the data each calibrated parameter is fitted to, one TOML file per
//! parameter in `validation/training/` (format in `validation/training/README.md`), embedded at
//! build time so that a fit needs no files and gives the same numbers everywhere.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One training dataset (a file of `validation/training/`).
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    /// Short identifier (first author and year).
    pub id: String,
    /// The parameter it calibrates (a registry name, or a value derived at run time from its
    /// datum, see [`crate::calibrate::Current`]).
    pub parameter: String,
    /// The scenario the model runs for this dataset, relative to `validation/`.
    pub scenario: String,
    /// The study.
    pub study: Study,
    /// The measured values.
    pub measured: Vec<Measurement>,
}

/// Where the data come from.
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Study {
    /// Authors, year, journal.
    pub citation: String,
    /// The reference's confidence tag: V verbatim, P paraphrased, S secondary.
    pub confidence: String,
    /// Species, in vivo or excised, site, device.
    pub subjects: String,
    /// What the study found, in its words where possible.
    pub finding: String,
}

/// One measured value with its spread.
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Measurement {
    /// What was measured.
    pub quantity: String,
    /// Its unit.
    pub unit: String,
    /// The published value.
    pub value: f64,
    /// Low end of its spread.
    pub lo: f64,
    /// High end of its spread.
    pub hi: f64,
    /// What the spread is (SD, confidence interval, reading band `[A]`).
    pub spread: String,
    /// Conditions of this value that the model reads (e.g. `application_min`).
    #[serde(default)]
    pub conditions: BTreeMap<String, f64>,
}

impl Measurement {
    /// Half the width of the spread: the scale of a residual.
    pub fn half_width(&self) -> f64 {
        0.5 * (self.hi - self.lo)
    }

    /// The condition `key`.
    pub fn condition(&self, key: &str) -> Result<f64, String> {
        self.conditions.get(key).copied().ok_or_else(|| format!("{}: condition {key} missing", self.quantity))
    }
}

/// Every training dataset file: (file name in `validation/training/`, text).
pub const FILES: &[(&str, &str)] = &[
    (
        "donnelly-2011-skin-stiffness.toml",
        include_str!("../../../validation/training/donnelly-2011-skin-stiffness.toml"),
    ),
    (
        "kalluri-2011-rat-follow-through.toml",
        include_str!("../../../validation/training/kalluri-2011-rat-follow-through.toml"),
    ),
    (
        "bjerring-1990-analgesia-depth.toml",
        include_str!("../../../validation/training/bjerring-1990-analgesia-depth.toml"),
    ),
    ("lmx4-liposomal-onset.toml", include_str!("../../../validation/training/lmx4-liposomal-onset.toml")),
    ("dogra-2014-scarring.toml", include_str!("../../../validation/training/dogra-2014-scarring.toml")),
    ("dogra-2014-pih.toml", include_str!("../../../validation/training/dogra-2014-pih.toml")),
    ("lotfi-2013-collagen.toml", include_str!("../../../validation/training/lotfi-2013-collagen.toml")),
];

/// The scenarios the datasets run: (path relative to `validation/`, text).
pub const SCENARIOS: &[(&str, &str)] = &[
    ("v5-donnelly-array.toml", include_str!("../../../validation/v5-donnelly-array.toml")),
    ("v3-kalluri-rat-roller.toml", include_str!("../../../validation/v3-kalluri-rat-roller.toml")),
    ("v14-lotfi-series.toml", include_str!("../../../validation/v14-lotfi-series.toml")),
    (
        "training/bjerring-1990-forearm-emla.toml",
        include_str!("../../../validation/training/bjerring-1990-forearm-emla.toml"),
    ),
    ("training/lmx4-forearm.toml", include_str!("../../../validation/training/lmx4-forearm.toml")),
    ("training/dogra-2014-roller.toml", include_str!("../../../validation/training/dogra-2014-roller.toml")),
];

/// Reads a dataset's text, checking that every spread contains its value.
pub fn parse(file: &str, text: &str) -> Result<Dataset, String> {
    let d: Dataset = toml::from_str(text).map_err(|e| format!("validation/training/{file}: {e}"))?;
    if d.measured.is_empty() {
        return Err(format!("validation/training/{file}: no measured value"));
    }
    for m in &d.measured {
        if !(m.lo <= m.value && m.value <= m.hi && m.lo < m.hi) {
            return Err(format!(
                "validation/training/{file}: {}: value {} outside its spread {}..{}",
                m.quantity, m.value, m.lo, m.hi
            ));
        }
    }
    Ok(d)
}

/// Every dataset, parsed, in [`FILES`] order.
pub fn all() -> Result<Vec<(&'static str, Dataset)>, String> {
    FILES.iter().map(|(f, t)| parse(f, t).map(|d| (*f, d))).collect()
}

/// The dataset that calibrates `parameter`.
pub fn for_parameter(parameter: &str) -> Result<(&'static str, Dataset), String> {
    all()?
        .into_iter()
        .find(|(_, d)| d.parameter == parameter)
        .ok_or_else(|| format!("no training dataset calibrates {parameter}"))
}

/// A dataset's scenario, parsed.
pub fn scenario(d: &Dataset) -> Result<dermasim_core::scenario::Scenario, String> {
    let (_, text) = SCENARIOS
        .iter()
        .find(|(p, _)| *p == d.scenario)
        .ok_or_else(|| format!("{}: scenario validation/{} is not embedded (training::SCENARIOS)", d.id, d.scenario))?;
    dermasim_core::scenario::parse(text, &[]).map_err(|e| format!("{}: validation/{}: {e:?}", d.id, d.scenario))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dataset_parses_and_runs_its_scenario() {
        let all = all().unwrap();
        assert_eq!(all.len(), FILES.len());
        for (f, d) in &all {
            assert!(f.starts_with(&d.id), "{f}: id {} is not its file's prefix", d.id);
            scenario(d).unwrap();
            assert!(["V", "P", "S"].contains(&d.study.confidence.as_str()), "{f}: confidence tag");
        }
    }

    #[test]
    fn a_value_outside_its_spread_is_refused() {
        let text = FILES[0].1.replace("lo = 414.0", "lo = 470.0");
        let err = parse("x.toml", &text).unwrap_err();
        assert!(err.contains("outside its spread"), "{err}");
    }
}
