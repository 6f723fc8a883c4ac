//! Global sensitivity: first-order and total Sobol indices of the headline outputs with
//! respect to the registry's uncertain parameters.
//!
//! The design is Saltelli's: two independent `N × d` matrices `A` and `B` (the first and last
//! `d` columns of an Owen-scrambled `2d`-dimensional Sobol design) and, for each parameter `i`,
//! `A_B^(i)`: `A` with its column `i` taken from `B`; `N (d + 2)` model runs in all. The
//! estimators are those Saltelli et al. 2010 (Comput Phys Commun 181:259, table 2) recommend:
//!
//! * first order (Saltelli 2010, eq. (b)): `S_i = mean((f(B) − f̄) (f(A_B^(i)) − f(A))) / V`
//!   (`f(B)` centred on the pooled mean `f̄`: the same expectation, less variance);
//! * total (Jansen 1999): `S_Ti = mean((f(A) − f(A_B^(i)))²) / (2 V)`;
//!
//! with `V` the variance of `f(A)` and `f(B)` pooled. Confidence intervals come from a
//! bootstrap over the `N` rows (percentile intervals, resampling from a seeded ChaCha8
//! stream). The estimator is checked against the Ishigami function's analytic indices (tests
//! below).

use rand::RngExt;
use rayon::prelude::*;
use serde::Serialize;

use crate::Outcome;
use crate::params::Param;
use crate::scenario::Scenario;
use crate::uncertainty::{self, percentile};

/// Most base samples `N` of one sensitivity run.
pub const MAX_SAMPLES: usize = 4096;
/// Bootstrap resamples for the confidence intervals (a numerical choice).
pub const BOOTSTRAP: usize = 500;

/// One index with its 95 % bootstrap confidence interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// The estimate on all rows.
    pub value: f64,
    /// 2.5th percentile of the bootstrap.
    pub ci_low: f64,
    /// 97.5th percentile of the bootstrap.
    pub ci_high: f64,
}

/// The indices of one input for one output.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Indices {
    /// The input (a registry parameter's name).
    pub input: String,
    /// First-order index `S_i`.
    pub first_order: Estimate,
    /// Total index `S_Ti`.
    pub total: Estimate,
}

/// The indices of every input for one output.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutputIndices {
    /// The output (its `summary.json` path).
    pub output: String,
    /// Its variance over the design (0: no input moves it, and the indices are 0).
    pub variance: f64,
    /// One entry per input, in input order.
    pub indices: Vec<Indices>,
}

/// Model values on a Saltelli design: `f(A)`, `f(B)` and `f(A_B^(i))` for each input `i`.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluations {
    /// `f(A)`, `N` values.
    pub a: Vec<f64>,
    /// `f(B)`, `N` values.
    pub b: Vec<f64>,
    /// `f(A_B^(i))`, `d` rows of `N` values.
    pub ab: Vec<Vec<f64>>,
}

/// Rows of points in the unit cube.
pub type Matrix = Vec<Vec<f64>>;

/// The Saltelli design in the unit cube: `(A, B, [A_B^(i)])`, `N` rows of `d` columns each,
/// from an Owen-scrambled Sobol design of `2d` dimensions scrambled by `seed`.
pub fn design(n: usize, d: usize, seed: u64) -> (Matrix, Matrix, Vec<Matrix>) {
    let rows: Vec<Vec<f64>> = (0..n).map(|j| uncertainty::sobol_point(j, 2 * d, seed)).collect();
    let a: Vec<Vec<f64>> = rows.iter().map(|r| r[..d].to_vec()).collect();
    let b: Vec<Vec<f64>> = rows.iter().map(|r| r[d..].to_vec()).collect();
    let ab = (0..d)
        .map(|i| {
            a.iter()
                .zip(&b)
                .map(|(ra, rb)| {
                    let mut r = ra.clone();
                    r[i] = rb[i];
                    r
                })
                .collect()
        })
        .collect();
    (a, b, ab)
}

/// `(S_i, S_Ti)` from the rows `rows` of the evaluations.
fn point(e: &Evaluations, i: usize, rows: &[usize]) -> (f64, f64, f64) {
    let n = rows.len() as f64;
    let mean = rows.iter().map(|&j| e.a[j] + e.b[j]).sum::<f64>() / (2.0 * n);
    let var = rows.iter().map(|&j| (e.a[j] - mean).powi(2) + (e.b[j] - mean).powi(2)).sum::<f64>() / (2.0 * n - 1.0);
    if var <= 0.0 || !var.is_finite() {
        return (0.0, 0.0, 0.0);
    }
    // f(B) centred on the pooled mean: the same expectation (E[f(A_B) − f(A)] = 0), far less
    // variance when the output's mean is large against its spread.
    let first = rows.iter().map(|&j| (e.b[j] - mean) * (e.ab[i][j] - e.a[j])).sum::<f64>() / n / var;
    let total = rows.iter().map(|&j| (e.a[j] - e.ab[i][j]).powi(2)).sum::<f64>() / (2.0 * n) / var;
    (first, total, var)
}

/// First-order and total indices of every input, with bootstrap intervals (`BOOTSTRAP`
/// resamples of the rows, drawn from a ChaCha8 stream keyed by `seed`).
pub fn indices(e: &Evaluations, inputs: &[String], seed: u64) -> (f64, Vec<Indices>) {
    let n = e.a.len();
    let all: Vec<usize> = (0..n).collect();
    let mut rng = crate::rng::stream(seed, crate::rng::Stage::Sensitivity, 0, 0);
    let resamples: Vec<Vec<usize>> =
        (0..BOOTSTRAP).map(|_| (0..n).map(|_| rng.random_range(0..n.max(1))).collect()).collect();
    let variance = point(e, 0, &all).2;
    let out = inputs
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let (s, st, _) = point(e, i, &all);
            let (mut fs, mut ft): (Vec<f64>, Vec<f64>) = resamples
                .iter()
                .map(|r| {
                    let (a, b, _) = point(e, i, r);
                    (a, b)
                })
                .unzip();
            fs.sort_by(f64::total_cmp);
            ft.sort_by(f64::total_cmp);
            let est = |v: f64, boot: &[f64]| Estimate {
                value: v,
                ci_low: percentile(boot, 0.025),
                ci_high: percentile(boot, 0.975),
            };
            Indices { input: name.clone(), first_order: est(s, &fs), total: est(st, &ft) }
        })
        .collect();
    (variance, out)
}

/// The result of `dermasim sensitivity`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sensitivity {
    /// Base samples `N`.
    pub samples: usize,
    /// Model runs: `N (d + 2)`.
    pub runs: usize,
    /// Design: `saltelli-sobol-owen`.
    pub design: &'static str,
    /// Estimators.
    pub estimators: &'static str,
    /// Bootstrap resamples for the 95 % intervals.
    pub bootstrap: usize,
    /// Scramble and bootstrap seed (the scenario's).
    pub seed: u64,
    /// The inputs: registry parameters with their distributions.
    pub inputs: Vec<uncertainty::DrawnParameter>,
    /// One entry per output.
    pub outputs: Vec<OutputIndices>,
}

/// A wrong sensitivity request.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SensitivityError {
    /// An output that is not a headline output of this scenario.
    #[error("output \"{name}\" is not a headline output of this scenario: allowed {allowed}")]
    UnknownOutput {
        /// The name given.
        name: String,
        /// The headline outputs.
        allowed: String,
    },
    /// No registered uncertain parameter to vary.
    #[error("no registered parameter is uncertain for this scenario (all fixed or set by the scenario)")]
    NoInputs,
}

/// The headline outputs `dermasim sensitivity` may analyse for the run `base`.
pub fn available_outputs(base: &Outcome) -> Vec<String> {
    uncertainty::headline(&base.summary).into_iter().map(|(k, _)| k).collect()
}

/// Checks a sensitivity request on the run `base` before any work: every output named is a
/// headline output of this scenario and at least one parameter is drawn. Returns the outputs
/// to analyse (every headline output if `outputs` is empty).
pub fn check(base: &Outcome, outputs: &[String]) -> Result<Vec<String>, SensitivityError> {
    let available = available_outputs(base);
    for o in outputs {
        if !available.contains(o) {
            return Err(SensitivityError::UnknownOutput { name: o.clone(), allowed: available.join(", ") });
        }
    }
    if uncertainty::drawn(&base.scenario).is_empty() {
        return Err(SensitivityError::NoInputs);
    }
    Ok(if outputs.is_empty() { available } else { outputs.to_vec() })
}

/// Sobol indices of `outputs` (all headline outputs if empty) of the scenario's run `base`
/// with respect to the registry's uncertain parameters, from `samples` base samples. Runs
/// reuse every stage result of `base` that no varied parameter reaches; they run in parallel
/// and are collected in order (the result does not depend on the thread count).
pub fn analyse(base: &Outcome, outputs: &[String], samples: usize) -> Result<Sensitivity, SensitivityError> {
    let scenario = &base.scenario;
    let outputs = check(base, outputs)?;
    let drawn: Vec<&'static Param> = uncertainty::drawn(scenario);
    let d = drawn.len().min(uncertainty::MAX_DIMENSIONS / 2);
    let drawn = &drawn[..d];
    let seed = scenario.simulation.seed;
    let (a, b, ab) = design(samples, d, seed);
    let points: Vec<&Vec<f64>> = a.iter().chain(&b).chain(ab.iter().flatten()).collect();
    let values: Vec<Vec<f64>> = points
        .par_iter()
        .map(|u| {
            let s = Scenario { parameters: uncertainty::draw(scenario, drawn, u), ..scenario.clone() };
            let o = crate::simulate_draw(&s, base);
            let h = uncertainty::headline(&o.summary);
            outputs.iter().map(|k| h.iter().find(|(n, _)| n == k).map_or(f64::NAN, |(_, v)| *v)).collect()
        })
        .collect();
    let names: Vec<String> = drawn.iter().map(|p| p.name.to_string()).collect();
    let per_output = outputs
        .iter()
        .enumerate()
        .map(|(k, output)| {
            let col = |range: std::ops::Range<usize>| values[range].iter().map(|v| v[k]).collect::<Vec<f64>>();
            let e = Evaluations {
                a: col(0..samples),
                b: col(samples..2 * samples),
                ab: (0..d).map(|i| col((2 + i) * samples..(3 + i) * samples)).collect(),
            };
            let (variance, indices) = indices(&e, &names, seed);
            OutputIndices { output: output.clone(), variance, indices }
        })
        .collect();
    Ok(Sensitivity {
        samples,
        runs: samples * (d + 2),
        design: "saltelli-sobol-owen",
        estimators: "first order: Saltelli 2010; total: Jansen 1999",
        bootstrap: BOOTSTRAP,
        seed,
        inputs: drawn
            .iter()
            .map(|p| uncertainty::DrawnParameter {
                name: p.name,
                unit: p.unit,
                value: p.value,
                distribution: p.distribution.describe(),
            })
            .collect(),
        outputs: per_output,
    })
}

/// The indices as a tidy CSV table: `output,input,first_order,first_order_ci_low,…`.
pub fn csv(s: &Sensitivity) -> String {
    let mut t = String::from(
        "output,input,first_order,first_order_ci_low,first_order_ci_high,total,total_ci_low,total_ci_high\n",
    );
    for o in &s.outputs {
        for i in &o.indices {
            t.push_str(&format!(
                "{},{},{},{},{},{},{},{}\n",
                o.output,
                i.input,
                i.first_order.value,
                i.first_order.ci_low,
                i.first_order.ci_high,
                i.total.value,
                i.total.ci_low,
                i.total.ci_high
            ));
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// Ishigami & Homma 1990: `sin x1 + a sin² x2 + b x3⁴ sin x1`, `x ∈ [−π, π]³`.
    fn ishigami(x: &[f64]) -> f64 {
        let (a, b) = (7.0, 0.1);
        let x: Vec<f64> = x.iter().map(|u| -PI + 2.0 * PI * u).collect();
        x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
    }

    /// Analytic indices (Sobol' & Levitan 1999; Saltelli et al. 2008, ch. 4).
    fn analytic() -> ([f64; 3], [f64; 3]) {
        let (a, b): (f64, f64) = (7.0, 0.1);
        let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
        let v2 = a * a / 8.0;
        let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
        let v = v1 + v2 + v13;
        ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v])
    }

    fn evaluate(n: usize, seed: u64) -> Evaluations {
        let (a, b, ab) = design(n, 3, seed);
        Evaluations {
            a: a.iter().map(|r| ishigami(r)).collect(),
            b: b.iter().map(|r| ishigami(r)).collect(),
            ab: ab.iter().map(|m| m.iter().map(|r| ishigami(r)).collect()).collect(),
        }
    }

    #[test]
    fn ishigami_indices_match_the_analytic_ones() {
        let (s, st) = analytic();
        assert!((s[0] - 0.3139).abs() < 1e-3 && (s[1] - 0.4424).abs() < 1e-3 && (st[2] - 0.2437).abs() < 1e-3);
        let names: Vec<String> = ["x1", "x2", "x3"].iter().map(|s| s.to_string()).collect();
        let (var, idx) = indices(&evaluate(8192, 42), &names, 42);
        let v_exact = 7.0f64.powi(2) / 8.0 + 0.1 * PI.powi(4) / 5.0 + 0.01 * PI.powi(8) / 18.0 + 0.5;
        assert!((var - v_exact).abs() / v_exact < 0.02, "variance {var} vs {v_exact}");
        for (i, x) in idx.iter().enumerate() {
            assert!((x.first_order.value - s[i]).abs() < 0.03, "S{} = {:?} vs {}", i + 1, x.first_order, s[i]);
            assert!((x.total.value - st[i]).abs() < 0.03, "ST{} = {:?} vs {}", i + 1, x.total, st[i]);
            // The bootstrap interval covers the analytic value (within the design's own error).
            assert!(x.first_order.ci_low - 0.01 <= s[i] && s[i] <= x.first_order.ci_high + 0.01, "{x:?}");
            assert!(x.total.ci_low - 0.01 <= st[i] && st[i] <= x.total.ci_high + 0.01, "{x:?}");
            assert!(x.first_order.ci_low <= x.first_order.value && x.first_order.value <= x.first_order.ci_high);
        }
        // x3 acts only through its interaction with x1: no first-order effect, a total one.
        assert!(idx[2].first_order.value.abs() < 0.03 && idx[2].total.value > 0.2);
    }

    #[test]
    fn fewer_samples_wider_intervals_and_the_same_bits_for_a_seed() {
        let names: Vec<String> = ["x1", "x2", "x3"].iter().map(|s| s.to_string()).collect();
        let small = indices(&evaluate(256, 1), &names, 1).1;
        let large = indices(&evaluate(4096, 1), &names, 1).1;
        let w = |x: &Indices| x.total.ci_high - x.total.ci_low;
        assert!(w(&small[0]) > 2.0 * w(&large[0]), "{:?} vs {:?}", small[0].total, large[0].total);
        assert_eq!(small, indices(&evaluate(256, 1), &names, 1).1);
    }

    #[test]
    fn a_constant_output_has_zero_indices() {
        let e = Evaluations { a: vec![1.0; 16], b: vec![1.0; 16], ab: vec![vec![1.0; 16]] };
        let (var, idx) = indices(&e, &["x".to_string()], 0);
        assert_eq!(var, 0.0);
        assert_eq!(idx[0].first_order.value, 0.0);
        assert_eq!(idx[0].total.value, 0.0);
    }
}
