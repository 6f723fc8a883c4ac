//! Comparing plans: the headline outputs of two or more runs side by side, and how each
//! differs from the first (`dermasim compare`, `compare.json`; `docs/compare.md`).
//!
//! Pure: it reads the runs' [`Summary`]s, the numbers each stage computed once, and computes
//! nothing but differences. The headline outputs are those of a sweep's table
//! ([`crate::sweep::HEADLINES`], [`crate::sweep::DELIVERY_HEADLINES`] for every product of any
//! plan), so a comparison and a sweep name the same numbers the same way.

use serde::Serialize;
use serde_json::Value;

use crate::summary::Summary;
use crate::sweep::{DELIVERY_HEADLINES, HEADLINES, delivery_headline, headline};

/// Most plans one comparison takes (a side-by-side page stops being readable well before).
pub const MAX_PLANS: usize = 8;

/// One plan of a comparison: how to tell it apart and reproduce it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlanId {
    /// Column label: `A`, `B`, ...
    pub label: String,
    /// Where the plan came from (the scenario file, as given).
    pub source: String,
    /// The scenario's name.
    pub name: String,
    /// SHA-256 of the validated scenario (`provenance.scenario_sha256`).
    pub scenario_sha256: String,
    /// Seed.
    pub seed: u64,
    /// The overrides it was run with.
    pub overrides: Vec<String>,
}

/// One headline output across the plans.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HeadlineDiff {
    /// `summary.json` key, e.g. `healing.erythema_resolved_h` or `delivery.<product>.<key>`.
    pub key: String,
    /// The value per plan (`null` where a plan has no such number).
    pub values: Vec<Value>,
    /// Whether any plan's value differs from the first plan's (exactly: the same scenario and
    /// seed give the same bits, so any difference comes from the plans).
    pub differs: bool,
    /// Numbers: value minus the first plan's value, per plan (`null` for non-numbers or when
    /// either is missing; 0 for the first plan).
    pub difference: Vec<Option<f64>>,
    /// Numbers: the difference relative to the first plan's value, per plan (`null` when the
    /// first plan's value is 0 or missing).
    pub relative_difference: Vec<Option<f64>>,
}

/// What `compare.json` holds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// The plans, in column order; differences are taken from the first.
    pub plans: Vec<PlanId>,
    /// Every headline output, in the order of a sweep's columns.
    pub headlines: Vec<HeadlineDiff>,
    /// The keys of the headlines that differ, in the same order.
    pub differing: Vec<String>,
    /// dermasim version.
    pub dermasim_version: &'static str,
    /// Always present: dermasim informs, it does not prescribe.
    pub disclaimer: &'static str,
}

/// Column label of plan `i`: `A`, `B`, ... (`P9`, `P10`, ... beyond Z, which [`MAX_PLANS`]
/// never reaches).
pub fn label(i: usize) -> String {
    if i < 26 { char::from(b'A' + i as u8).to_string() } else { format!("P{}", i + 1) }
}

/// Compares runs given as (source, summary) pairs. The first plan is the reference.
pub fn compare(plans: &[(String, &Summary)]) -> Comparison {
    let json: Vec<Value> = plans.iter().map(|(_, s)| serde_json::to_value(s).unwrap_or_default()).collect();
    let mut headlines = Vec::new();
    for (key, _) in HEADLINES {
        headlines.push(diff(key, json.iter().map(|j| headline(j, key)).collect()));
    }
    // Products in the order of the first plan that has them.
    let mut products: Vec<&String> = Vec::new();
    for (_, s) in plans {
        for p in s.delivery.keys().chain(s.delivery_errors.iter().map(|e| &e.product)) {
            if !products.contains(&p) {
                products.push(p);
            }
        }
    }
    for p in products {
        for key in DELIVERY_HEADLINES {
            let values = json.iter().map(|j| delivery_headline(j, p, key)).collect();
            headlines.push(diff(&format!("delivery.{p}.{key}"), values));
        }
    }
    let differing = headlines.iter().filter(|h| h.differs).map(|h| h.key.clone()).collect();
    Comparison {
        plans: plans
            .iter()
            .enumerate()
            .map(|(i, (source, s))| PlanId {
                label: label(i),
                source: source.clone(),
                name: s.scenario.name.clone(),
                scenario_sha256: s.provenance.scenario_sha256.clone(),
                seed: s.provenance.seed,
                overrides: s.provenance.overrides.clone(),
            })
            .collect(),
        headlines,
        differing,
        dermasim_version: env!("CARGO_PKG_VERSION"),
        disclaimer: crate::summary::DISCLAIMER,
    }
}

fn diff(key: &str, values: Vec<Option<Value>>) -> HeadlineDiff {
    let first = values.first().cloned().flatten();
    let differs = values.iter().any(|v| *v != first);
    let x0 = first.as_ref().and_then(Value::as_f64);
    let difference: Vec<Option<f64>> = values.iter().map(|v| Some(v.as_ref()?.as_f64()? - x0?)).collect();
    let relative_difference = difference
        .iter()
        .map(|d| {
            let x0 = x0.filter(|x| *x != 0.0)?;
            Some(d.as_ref()? / x0.abs())
        })
        .collect();
    HeadlineDiff {
        key: key.to_string(),
        values: values.into_iter().map(|v| v.unwrap_or(Value::Null)).collect(),
        differs,
        difference,
        relative_difference,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::fixtures::FOREARM_ROLLER as PLAN;

    fn summary(set: &[&str]) -> Summary {
        let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
        let s = crate::scenario::parse(PLAN, &set).unwrap_or_else(|e| panic!("{}", e[0].message));
        crate::simulate(&s).summary
    }

    #[test]
    fn a_plan_against_itself_differs_nowhere() {
        let a = summary(&[]);
        let c = compare(&[("a.toml".into(), &a), ("a.toml".into(), &a)]);
        assert!(c.differing.is_empty(), "{:?}", c.differing);
        assert_eq!(c.plans[1].label, "B");
        let depth = c.headlines.iter().find(|h| h.key == "channels.mean_depth_um").unwrap();
        assert_eq!(depth.difference, vec![Some(0.0), Some(0.0)]);
    }

    #[test]
    fn longer_needles_differ_in_depth_and_the_difference_has_its_sign() {
        let a = summary(&[]);
        let b = summary(&["device.needle_length_mm=0.5"]);
        let c = compare(&[("a.toml".into(), &a), ("b.toml".into(), &b)]);
        assert!(c.differing.iter().any(|k| k == "channels.mean_depth_um"));
        let depth = c.headlines.iter().find(|h| h.key == "channels.mean_depth_um").unwrap();
        let d = depth.difference[1].unwrap();
        assert!(d < 0.0, "shorter needles in B: {d}");
        let rel = depth.relative_difference[1].unwrap();
        assert!((rel - d / a.channels.mean_depth_um).abs() < 1e-12);
        assert_eq!(c.plans[1].overrides, vec!["device.needle_length_mm=0.5".to_string()]);
        // A string headline: the verdict has no numeric difference.
        let verdict = c.headlines.iter().find(|h| h.key == "safety.verdict").unwrap();
        assert_eq!(verdict.difference, vec![None, None]);
    }
}
