//! Parameter sweeps: a base scenario, axes over `--set` paths, and a design (a full grid of
//! lists and ranges, a scrambled Sobol sequence or a Latin hypercube) turned into numbered
//! points, each run in process and reduced to one row of inputs, headline outputs and
//! provenance (`docs/sweeps.md`).
//!
//! Point `i` is a pure function of the spec and `i`: its overrides come from the design, its
//! seed from `(base seed, i)` (or the base seed itself with `seeds = "common"`), so a point's row
//! is the same whether it runs alone, in a shard, in a resumed run or on another machine. No
//! I/O here: front ends read the spec and base files, write the table and draw progress.

use std::collections::BTreeMap;

use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::rng::{Stage, stream};
use crate::scenario::{self, Scenario, ScenarioError};

/// Most points a sweep may have (a row is ~1 kB in memory; a unit-cell point takes ~0.1-1 s).
pub const MAX_POINTS: usize = 10_000_000;
/// Most axes a design may have (Sobol: the generator's dimension limit).
pub const MAX_AXES: usize = 64;

/// A sweep file (`SPEC.toml`), as written.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SpecFile {
    /// `[sweep]`: the base scenario, the design and fixed overrides.
    pub sweep: SweepInput,
    /// `[[axis]]`: the swept values.
    #[serde(default)]
    pub axis: Vec<AxisInput>,
}

/// `[sweep]`
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SweepInput {
    /// A name for the table and reports.
    #[serde(default)]
    pub name: Option<String>,
    /// The base scenario file, relative to the spec file.
    pub base: String,
    /// Overrides applied to the base for every point, before the axes (`path=value`).
    #[serde(default)]
    pub set: Vec<String>,
    /// "grid" (default: every combination of the axes' lists), "sobol" or "lhs".
    #[serde(default)]
    pub design: Option<String>,
    /// Points of a Sobol or Latin-hypercube design.
    #[serde(default)]
    pub points: Option<usize>,
    /// "per_point" (default: point i's seed is drawn from (base seed, i)) or "common" (every
    /// point uses the base seed: common random numbers, so points differ by their axes alone).
    #[serde(default)]
    pub seeds: Option<String>,
}

/// `[[axis]]`: one swept path. A grid axis gives `values` or `range`; a Sobol or LHS axis gives
/// `min` and `max` (or `values`, picked by the design's uniform draw).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AxisInput {
    /// The scenario path, as for `--set` (`device.needle_length_mm`, `protocol.passes[0].count`).
    pub path: String,
    /// The values, in order.
    #[serde(default)]
    pub values: Option<Vec<toml::Value>>,
    /// `{ start, stop, step }`: start, start + step, … up to stop included.
    #[serde(default)]
    pub range: Option<RangeInput>,
    /// Lower bound of a Sobol/LHS axis.
    #[serde(default)]
    pub min: Option<f64>,
    /// Upper bound of a Sobol/LHS axis.
    #[serde(default)]
    pub max: Option<f64>,
    /// Sample the axis uniformly in log space (min > 0).
    #[serde(default)]
    pub log: bool,
    /// Round sampled values to integers (counts).
    #[serde(default)]
    pub integer: bool,
}

/// An inclusive range of a grid axis.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RangeInput {
    /// First value.
    pub start: f64,
    /// Last value (included when reached by whole steps).
    pub stop: f64,
    /// Step (> 0).
    pub step: f64,
}

/// How points are placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Design {
    /// Every combination of the axes' values; the first axis varies slowest.
    Grid,
    /// Owen-scrambled Sobol sequence (`sobol_burley`), scrambled by the base seed.
    Sobol,
    /// Latin hypercube: each axis cut into `points` equal strata, one point per stratum.
    Lhs,
}

/// Where each point's random seed comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Seeds {
    /// Point i draws its seed from (base seed, i).
    PerPoint,
    /// Every point uses the base seed.
    Common,
}

/// One value of an axis.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// A number.
    Float(f64),
    /// A whole number.
    Int(i64),
    /// Text.
    Str(String),
    /// A flag.
    Bool(bool),
}

impl Value {
    /// The value as `--set` reads it (TOML).
    pub fn to_toml(&self) -> String {
        match self {
            // `{:?}` keeps a decimal point (`1.0`), so TOML reads a float back.
            Value::Float(x) => format!("{x:?}"),
            Value::Int(i) => i.to_string(),
            Value::Str(s) => toml::Value::String(s.clone()).to_string(),
            Value::Bool(b) => b.to_string(),
        }
    }
}

/// The type of an axis's column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// f64.
    Float,
    /// i64.
    Int,
    /// Text.
    Str,
    /// Boolean.
    Bool,
}

/// A validated axis.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Axis {
    /// Canonical scenario path.
    pub path: String,
    /// Column type.
    pub kind: Kind,
    /// Discrete values (grid axes; Sobol/LHS axes given as lists).
    pub values: Vec<Value>,
    /// Continuous bounds (Sobol/LHS).
    pub bounds: Option<(f64, f64)>,
    /// Log-uniform.
    pub log: bool,
}

/// One point: its index, seed, axis values and the overrides that make its scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Point {
    /// Index in the whole sweep.
    pub index: u64,
    /// Random seed.
    pub seed: u64,
    /// One value per axis.
    pub values: Vec<Value>,
    /// Every override, in order: the spec's `set`, the axes, then `simulation.seed`.
    pub overrides: Vec<String>,
}

/// A validated sweep: the base scenario, the axes and every point.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// Name.
    pub name: String,
    /// The base scenario text (as read).
    pub base_text: String,
    /// The base scenario with the spec's `set` applied.
    pub base: Scenario,
    /// Fixed overrides.
    pub set: Vec<String>,
    /// Design.
    pub design: Design,
    /// Seeds.
    pub seeds: Seeds,
    /// Axes.
    pub axes: Vec<Axis>,
    /// Every point, in index order.
    pub points: Vec<Point>,
    /// SHA-256 of the resolved spec: base scenario hash, set, design, seeds, axes, points.
    /// Shards and resumed runs must share it.
    pub spec_sha256: String,
    /// Product names of the base scenario (their delivery columns).
    pub products: Vec<String>,
}

fn err(field: &str, message: String) -> ScenarioError {
    ScenarioError { field: field.to_string(), message, span: None }
}

/// Parses a sweep file (syntax and field names; the values are checked by [`Sweep::new`]).
pub fn parse_spec(text: &str) -> Result<SpecFile, ScenarioError> {
    toml::from_str(text).map_err(|e| ScenarioError {
        field: String::new(),
        message: format!("sweep spec: {}", e.message()),
        span: e.span(),
    })
}

fn axis_value(field: &str, v: &toml::Value) -> Result<Value, ScenarioError> {
    Ok(match v {
        toml::Value::Float(x) => Value::Float(*x),
        toml::Value::Integer(i) => Value::Int(*i),
        toml::Value::String(s) => Value::Str(s.clone()),
        toml::Value::Boolean(b) => Value::Bool(*b),
        other => {
            return Err(err(field, format!("{field}: {other} is not a number, string or boolean")));
        }
    })
}

fn validate_axis(i: usize, a: &AxisInput, design: Design) -> Result<Axis, ScenarioError> {
    let field = format!("axis[{i}]");
    let sources = [a.values.is_some(), a.range.is_some(), a.min.is_some() || a.max.is_some()];
    if sources.iter().filter(|x| **x).count() != 1 {
        return Err(err(&field, format!("{field} ({}): give exactly one of values, range, or min and max", a.path)));
    }
    let list = |values: Vec<Value>| -> Result<Axis, ScenarioError> {
        if values.is_empty() {
            return Err(err(&field, format!("{field}.values ({}): empty list: allowed 1 or more values", a.path)));
        }
        let ints = values.iter().all(|v| matches!(v, Value::Int(_)));
        let nums = values.iter().all(|v| matches!(v, Value::Int(_) | Value::Float(_)));
        let (kind, values) = if ints {
            (Kind::Int, values)
        } else if nums {
            let as_f = values
                .into_iter()
                .map(|v| match v {
                    Value::Int(i) => Value::Float(i as f64),
                    v => v,
                })
                .collect();
            (Kind::Float, as_f)
        } else if values.iter().all(|v| matches!(v, Value::Str(_))) {
            (Kind::Str, values)
        } else if values.iter().all(|v| matches!(v, Value::Bool(_))) {
            (Kind::Bool, values)
        } else {
            return Err(err(
                &field,
                format!("{field}.values ({}): mixed types: allowed all numbers, all strings or all booleans", a.path),
            ));
        };
        Ok(Axis { path: a.path.clone(), kind, values, bounds: None, log: false })
    };
    if let Some(vs) = &a.values {
        let values = vs.iter().map(|v| axis_value(&format!("{field}.values"), v)).collect::<Result<Vec<_>, _>>()?;
        return list(values);
    }
    if let Some(r) = &a.range {
        if !(r.step.is_finite() && r.step > 0.0 && r.start.is_finite() && r.stop.is_finite() && r.stop >= r.start) {
            return Err(err(
                &format!("{field}.range"),
                format!(
                    "{field}.range ({}): start {}, stop {}, step {}: allowed step > 0 and stop >= start",
                    a.path, r.start, r.stop, r.step
                ),
            ));
        }
        let n = ((r.stop - r.start) / r.step + 1e-9).floor() as usize + 1;
        if n > MAX_POINTS {
            return Err(err(
                &format!("{field}.range"),
                format!("{field}.range ({}): {n} values: allowed at most {MAX_POINTS}", a.path),
            ));
        }
        let whole = [r.start, r.stop, r.step].iter().all(|x| x.fract() == 0.0);
        let values = (0..n)
            .map(|k| {
                let x = r.start + k as f64 * r.step;
                if whole { Value::Int(x as i64) } else { Value::Float(x) }
            })
            .collect();
        return list(values);
    }
    if design == Design::Grid {
        return Err(err(
            &field,
            format!(
                "{field} ({}): min/max needs design = \"sobol\" or \"lhs\"; a grid axis gives values or range",
                a.path
            ),
        ));
    }
    let (Some(min), Some(max)) = (a.min, a.max) else {
        return Err(err(&field, format!("{field} ({}): give both min and max", a.path)));
    };
    if !(min.is_finite() && max.is_finite() && max > min) || (a.log && min <= 0.0) {
        return Err(err(
            &field,
            format!(
                "{field} ({}): min {min}, max {max}: allowed finite min < max (and min > 0 with log = true)",
                a.path
            ),
        ));
    }
    let kind = if a.integer { Kind::Int } else { Kind::Float };
    Ok(Axis { path: a.path.clone(), kind, values: Vec::new(), bounds: Some((min, max)), log: a.log })
}

impl Axis {
    /// The value at uniform draw `u` in [0, 1).
    fn at(&self, u: f64) -> Value {
        if let Some((lo, hi)) = self.bounds {
            let x = if self.log { (lo.ln() + u * (hi.ln() - lo.ln())).exp() } else { lo + u * (hi - lo) };
            let x = x.clamp(lo, hi);
            return if self.kind == Kind::Int { Value::Int(x.round() as i64) } else { Value::Float(x) };
        }
        let n = self.values.len();
        self.values[((u * n as f64) as usize).min(n - 1)].clone()
    }
}

/// Latin-hypercube draws: `n` points × `d` axes, each axis's column a permutation of the
/// strata with a uniform jitter inside each, from the sweep's own random streams.
fn lhs(n: usize, d: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut u = vec![vec![0.0; d]; n];
    for j in 0..d {
        let mut rng = stream(seed, Stage::Sweep, j as u64, 1);
        let mut perm: Vec<usize> = (0..n).collect();
        // Fisher-Yates.
        for k in (1..n).rev() {
            let r = (rng.next_u64() % (k as u64 + 1)) as usize;
            perm.swap(k, r);
        }
        for (i, row) in u.iter_mut().enumerate() {
            let jitter: f64 = rng.random();
            row[j] = (perm[i] as f64 + jitter) / n as f64;
        }
    }
    u
}

impl Sweep {
    /// Validates a spec against its base scenario text and lays out every point. Every point's
    /// scenario is validated and checked against the resource limits (`scenario::limits`)
    /// here (in parallel), so a bad value or a point too large to run fails before anything
    /// runs.
    pub fn new(spec: &SpecFile, base_text: &str) -> Result<Sweep, Vec<ScenarioError>> {
        use rayon::prelude::*;
        let sweep = Sweep::layout(spec, base_text)?;
        let check = |i: usize| -> Result<(), Vec<ScenarioError>> {
            let s = sweep.scenario(i)?;
            scenario::limits::check(&s).map(|_| ()).map_err(|e| vec![e])
        };
        let bad = (0..sweep.len()).into_par_iter().find_map_first(|i| check(i).err().map(|e| (i, e)));
        if let Some((i, errors)) = bad {
            let p = &sweep.points[i];
            return Err(errors
                .into_iter()
                .map(|e| ScenarioError {
                    message: format!("point {i} ({}): {}", p.overrides.join(", "), e.message),
                    ..e
                })
                .collect());
        }
        Ok(sweep)
    }

    /// [`Sweep::new`] without validating every point's scenario (only each axis's first value):
    /// for workers given a spec that was validated once where the sweep started.
    pub fn layout(spec: &SpecFile, base_text: &str) -> Result<Sweep, Vec<ScenarioError>> {
        let s = &spec.sweep;
        let design = match s.design.as_deref().unwrap_or("grid") {
            "grid" => Design::Grid,
            "sobol" => Design::Sobol,
            "lhs" => Design::Lhs,
            other => {
                return Err(vec![err(
                    "sweep.design",
                    format!("sweep.design = \"{other}\" is not known: allowed grid, sobol, lhs"),
                )]);
            }
        };
        let seeds = match s.seeds.as_deref().unwrap_or("per_point") {
            "per_point" => Seeds::PerPoint,
            "common" => Seeds::Common,
            other => {
                return Err(vec![err(
                    "sweep.seeds",
                    format!("sweep.seeds = \"{other}\" is not known: allowed per_point, common"),
                )]);
            }
        };
        if spec.axis.is_empty() || spec.axis.len() > MAX_AXES {
            return Err(vec![err("axis", format!("{} axes: allowed 1 to {MAX_AXES}", spec.axis.len()))]);
        }
        let base = scenario::parse(base_text, &s.set).map_err(|es| {
            es.into_iter()
                .map(|e| ScenarioError { message: format!("base scenario: {}", e.message), ..e })
                .collect::<Vec<_>>()
        })?;
        let mut axes = Vec::new();
        for (i, a) in spec.axis.iter().enumerate() {
            let mut axis = validate_axis(i, a, design).map_err(|e| vec![e])?;
            // Canonical path, as `--set` reports it (`products[0].name`).
            let probe = scenario::parse(
                base_text,
                &[s.set.clone(), vec![format!("{}={}", a.path, axis.at(0.0).to_toml())]].concat(),
            )
            .map_err(|es| {
                es.into_iter()
                    .map(|e| ScenarioError { message: format!("axis[{i}] ({}): {}", a.path, e.message), ..e })
                    .collect::<Vec<_>>()
            })?;
            if let Some(p) = probe.overrides.last().and_then(|o| o.split_once('=')) {
                axis.path = p.0.to_string();
            }
            axes.push(axis);
        }
        let base_seed = base.simulation.seed;
        let draws: Vec<Vec<Value>> = match design {
            Design::Grid => {
                let n =
                    axes.iter().try_fold(1usize, |acc, a| acc.checked_mul(a.values.len())).filter(|n| *n <= MAX_POINTS);
                let Some(n) = n else {
                    return Err(vec![err("axis", format!("the grid has more than {MAX_POINTS} points"))]);
                };
                if s.points.is_some_and(|p| p != n) {
                    return Err(vec![err(
                        "sweep.points",
                        format!(
                            "sweep.points = {} but the grid has {n} points: leave points out of a grid",
                            s.points.unwrap_or(0)
                        ),
                    )]);
                }
                (0..n)
                    .map(|mut i| {
                        let mut v = vec![Value::Bool(false); axes.len()];
                        for (k, a) in axes.iter().enumerate().rev() {
                            v[k] = a.values[i % a.values.len()].clone();
                            i /= a.values.len();
                        }
                        v
                    })
                    .collect()
            }
            Design::Sobol | Design::Lhs => {
                let n = match s.points {
                    Some(n) if (1..=MAX_POINTS).contains(&n) => n,
                    other => {
                        return Err(vec![err(
                            "sweep.points",
                            format!(
                                "sweep.points = {}: a {design:?} design needs 1 to {MAX_POINTS} points",
                                other.map(|n| n.to_string()).unwrap_or("(missing)".into())
                            ),
                        )]);
                    }
                };
                if design == Design::Sobol && n > u32::MAX as usize {
                    return Err(vec![err("sweep.points", format!("sweep.points = {n}: allowed at most {}", u32::MAX))]);
                }
                let u: Vec<Vec<f64>> = if design == Design::Sobol {
                    // The scramble seed is the base seed folded to 32 bits.
                    let scramble = (base_seed ^ (base_seed >> 32)) as u32;
                    (0..n)
                        .map(|i| {
                            (0..axes.len())
                                .map(|d| f64::from(sobol_burley::sample(i as u32, d as u32, scramble)))
                                .collect()
                        })
                        .collect()
                } else {
                    lhs(n, axes.len(), base_seed)
                };
                u.iter().map(|row| axes.iter().zip(row).map(|(a, &x)| a.at(x)).collect()).collect()
            }
        };
        let points: Vec<Point> = draws
            .into_iter()
            .enumerate()
            .map(|(i, values)| {
                let seed = match seeds {
                    Seeds::Common => base_seed,
                    Seeds::PerPoint => stream(base_seed, Stage::Sweep, i as u64, 0).next_u64() >> 1,
                };
                let mut overrides = s.set.clone();
                overrides.extend(axes.iter().zip(&values).map(|(a, v)| format!("{}={}", a.path, v.to_toml())));
                overrides.push(format!("simulation.seed={seed}"));
                Point { index: i as u64, seed, values, overrides }
            })
            .collect();
        let products = base.products.iter().map(|p| p.name.clone()).collect();
        #[derive(Serialize)]
        struct Identity<'a> {
            base_sha256: String,
            set: &'a [String],
            design: Design,
            seeds: Seeds,
            axes: &'a [Axis],
            points: usize,
        }
        let identity = Identity {
            base_sha256: scenario::effective::sha256(&base),
            set: &s.set,
            design,
            seeds,
            axes: &axes,
            points: points.len(),
        };
        let json = serde_json::to_string(&identity).unwrap_or_default();
        let spec_sha256 = Sha256::digest(json.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        Ok(Sweep {
            name: s.name.clone().unwrap_or_else(|| base.name.clone()),
            base_text: base_text.to_string(),
            base,
            set: s.set.clone(),
            design,
            seeds,
            axes,
            points,
            spec_sha256,
            products,
        })
    }

    /// Points in the sweep.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// No points (never true of a validated sweep).
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The indices of shard `k` of `n` (every `n`-th point from `k`): a deterministic slice,
    /// e.g. one task of a Slurm array.
    pub fn shard(&self, k: usize, n: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.points.len()).filter(move |i| n > 0 && i % n == k)
    }

    /// Point `i`'s validated scenario.
    pub fn scenario(&self, i: usize) -> Result<Scenario, Vec<ScenarioError>> {
        scenario::parse(&self.base_text, &self.points[i].overrides)
    }

    /// The table's columns, in order: `point`, the axes, the headline outputs, provenance.
    pub fn columns(&self) -> Vec<Column> {
        let mut c = vec![Column { name: "point".into(), kind: ColumnKind::UInt }];
        c.extend(self.axes.iter().map(|a| Column {
            name: a.path.clone(),
            kind: match a.kind {
                Kind::Float => ColumnKind::Float,
                Kind::Int => ColumnKind::Int,
                Kind::Str => ColumnKind::Str,
                Kind::Bool => ColumnKind::Bool,
            },
        }));
        for (key, kind) in HEADLINES {
            c.push(Column { name: (*key).to_string(), kind: *kind });
        }
        for p in &self.products {
            for key in DELIVERY_HEADLINES {
                c.push(Column { name: format!("delivery.{p}.{key}"), kind: ColumnKind::Float });
            }
        }
        for (key, kind) in PROVENANCE {
            c.push(Column { name: (*key).to_string(), kind: *kind });
        }
        c
    }

    /// Runs point `i` and returns its row (one cell per [`Sweep::columns`] entry).
    /// `git_commit` is the front end's build commit, if known.
    pub fn run(&self, i: usize, git_commit: Option<&str>) -> Result<Vec<Cell>, Vec<ScenarioError>> {
        let s = self.scenario(i)?;
        let outcome = crate::simulate(&s);
        let mut summary = outcome.summary;
        summary.provenance.git_commit = git_commit.map(str::to_string);
        Ok(self.row(i, &summary))
    }

    /// The row of point `i` from its run's summary.
    pub fn row(&self, i: usize, summary: &crate::summary::Summary) -> Vec<Cell> {
        let p = &self.points[i];
        let json = serde_json::to_value(summary).unwrap_or_default();
        let mut row = vec![Cell::UInt(Some(p.index))];
        row.extend(p.values.iter().map(|v| match v {
            Value::Float(x) => Cell::Float(Some(*x)),
            Value::Int(x) => Cell::Int(Some(*x)),
            Value::Str(x) => Cell::Str(Some(x.clone())),
            Value::Bool(x) => Cell::Bool(Some(*x)),
        }));
        let cell = |v: Option<&serde_json::Value>, kind: ColumnKind| match kind {
            ColumnKind::Float => Cell::Float(v.and_then(serde_json::Value::as_f64)),
            ColumnKind::Int => Cell::Int(v.and_then(serde_json::Value::as_i64)),
            ColumnKind::UInt => Cell::UInt(v.and_then(serde_json::Value::as_u64)),
            ColumnKind::Bool => Cell::Bool(v.and_then(serde_json::Value::as_bool)),
            ColumnKind::Str => Cell::Str(v.map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))),
        };
        for (key, kind) in HEADLINES {
            row.push(cell(headline(&json, key).as_ref(), *kind));
        }
        for prod in &self.products {
            for key in DELIVERY_HEADLINES {
                row.push(cell(delivery_headline(&json, prod, key).as_ref(), ColumnKind::Float));
            }
        }
        let errors: Vec<String> =
            summary.delivery_errors.iter().map(|e| format!("{}: {}", e.product, e.error)).collect();
        let prov = &summary.provenance;
        row.push(Cell::UInt(Some(p.seed)));
        row.push(Cell::Str(Some(prov.scenario_sha256.clone())));
        row.push(Cell::Str(Some(p.overrides.join("; "))));
        row.push(Cell::Str((!errors.is_empty()).then(|| errors.join("; "))));
        row.push(Cell::Str(Some(prov.dermasim_version.to_string())));
        row.push(Cell::Str(prov.git_commit.clone()));
        row.push(Cell::Str(Some(self.spec_sha256.clone())));
        row
    }

    /// The spec's identity and layout, for the table's metadata.
    pub fn metadata(&self) -> BTreeMap<String, String> {
        let mut m = BTreeMap::new();
        m.insert("dermasim.sweep.name".into(), self.name.clone());
        m.insert("dermasim.sweep.spec_sha256".into(), self.spec_sha256.clone());
        m.insert("dermasim.sweep.points".into(), self.points.len().to_string());
        m.insert("dermasim.sweep.design".into(), format!("{:?}", self.design).to_lowercase());
        m.insert("dermasim.sweep.axes".into(), self.axes.iter().map(|a| a.path.clone()).collect::<Vec<_>>().join(", "));
        m.insert("dermasim.version".into(), env!("CARGO_PKG_VERSION").into());
        m
    }
}

/// A column's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    /// f64, null where the run has no such number.
    Float,
    /// i64.
    Int,
    /// u64.
    UInt,
    /// Text.
    Str,
    /// Boolean.
    Bool,
}

/// A column of the sweep table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Column {
    /// Name: `point`, a scenario path, a `summary.json` key, or a provenance name.
    pub name: String,
    /// Type.
    pub kind: ColumnKind,
}

/// One cell of a row; `None` is a null (the run has no such number, e.g. no healing of
/// excised skin).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    /// f64.
    Float(Option<f64>),
    /// i64.
    Int(Option<i64>),
    /// u64.
    UInt(Option<u64>),
    /// Text.
    Str(Option<String>),
    /// Boolean.
    Bool(Option<bool>),
}

/// Headline outputs: `summary.json` keys (`docs/outputs.md`) and their column types.
/// `safety.findings` is the number of findings.
pub const HEADLINES: &[(&str, ColumnKind)] = &[
    ("punctures.density_per_cm2", ColumnKind::Float),
    ("punctures.distinct_density_per_cm2", ColumnKind::Float),
    ("punctures.coverage_fraction", ColumnKind::Float),
    ("channels.mean_depth_um", ColumnKind::Float),
    ("channels.depth_fraction_mean", ColumnKind::Float),
    ("channels.torn_fraction", ColumnKind::Float),
    ("channels.reach.papillary_dermis", ColumnKind::Float),
    ("channels.reach.reticular_dermis", ColumnKind::Float),
    ("channels.reach.hypodermis", ColumnKind::Float),
    ("healing.erythema_peak", ColumnKind::Float),
    ("healing.erythema_resolved_h", ColumnKind::Float),
    ("healing.channels_closed_h", ColumnKind::Float),
    ("healing.barrier_recovered_h", ColumnKind::Float),
    ("healing.recovery_days", ColumnKind::Float),
    ("series.collagen_change_pct", ColumnKind::Float),
    ("series.elastin_change_pct", ColumnKind::Float),
    ("series.scar_score_change_pct", ColumnKind::Float),
    ("numbing.recommended_minutes", ColumnKind::Float),
    ("procedure.total_min", ColumnKind::Float),
    ("safety.verdict", ColumnKind::Str),
    ("safety.findings", ColumnKind::Int),
];

/// The value of headline `key` (one of [`HEADLINES`]) in a summary serialised as JSON; `None`
/// when the run has no such number. `safety.findings` is the number of findings. Read from the
/// JSON so that a renamed key gives `None` (a null column) instead of a wrong number.
pub fn headline(summary_json: &serde_json::Value, key: &str) -> Option<serde_json::Value> {
    let v = key.split('.').try_fold(summary_json, |v, k| v.get(k)).filter(|v| !v.is_null())?;
    if key == "safety.findings" { v.as_array().map(|a| serde_json::Value::from(a.len())) } else { Some(v.clone()) }
}

/// The value of `delivery.<product>.<key>` (`key` one of [`DELIVERY_HEADLINES`]); `None` when
/// the product's transport was not computed. (Product names may hold dots, so this is not a
/// dotted-path lookup.)
pub fn delivery_headline(summary_json: &serde_json::Value, product: &str, key: &str) -> Option<serde_json::Value> {
    summary_json.get("delivery")?.get(product)?.get(key).filter(|v| !v.is_null()).cloned()
}

/// Per product `p` of the base scenario: `delivery.<p>.<key>` (µg/cm², µm; `null` when the
/// product's transport was not computed).
pub const DELIVERY_HEADLINES: &[&str] = &[
    "cumulative_ug_per_cm2",
    "intact_cumulative_ug_per_cm2",
    "enhancement_ratio",
    "skin_content_ug_per_cm2",
    "max_depth_um_above_threshold",
];

/// Provenance columns, after the outputs.
pub const PROVENANCE: &[(&str, ColumnKind)] = &[
    ("seed", ColumnKind::UInt),
    ("scenario_sha256", ColumnKind::Str),
    ("overrides", ColumnKind::Str),
    ("delivery_errors", ColumnKind::Str),
    ("dermasim_version", ColumnKind::Str),
    ("git_commit", ColumnKind::Str),
    ("spec_sha256", ColumnKind::Str),
];

#[cfg(test)]
mod tests {
    use super::*;

    use crate::fixtures::FOREARM_ROLLER as BASE;

    fn sweep(spec: &str) -> Result<Sweep, Vec<ScenarioError>> {
        Sweep::new(&parse_spec(spec).map_err(|e| vec![e])?, BASE)
    }

    const GRID: &str = r#"
[sweep]
base = "base.toml"
[[axis]]
path = "device.needle_length_mm"
values = [0.5, 1, 1.5]
[[axis]]
path = "protocol.passes.0.count"
range = { start = 1, stop = 4, step = 1 }
"#;

    #[test]
    fn a_point_too_large_to_run_is_refused_before_anything_runs() {
        let dense = r#"name = "dense pen"
[skin]
site = "forearm"
[device]
type = "dermapen"
cartridge = { rows = 20, columns = 20, pitch_um = 50 }
frequency_hz = 200
speed_mm_s = 0.5
needle_length_mm = 0.5
[protocol]
setting = "office"
area_cm2 = 1
pen_path = { line_spacing_mm = 0.1 }
"#;
        let spec = parse_spec(
            "[sweep]\nbase = \"b.toml\"\n[[axis]]\npath = \"device.needle_length_mm\"\nvalues = [0.5, 0.6]\n",
        )
        .unwrap();
        let Err(e) = Sweep::new(&spec, dense) else { panic!("a point beyond the limits is refused") };
        assert_eq!(e[0].field, "simulation.window_mm");
        assert!(e[0].message.starts_with("point 0 "), "{}", e[0].message);
        // Laid out without the checks (a worker's view), it still has its points.
        assert_eq!(Sweep::layout(&spec, dense).unwrap().len(), 2);
    }

    #[test]
    fn a_grid_is_every_combination_first_axis_slowest() {
        let s = sweep(GRID).unwrap();
        assert_eq!(s.len(), 12);
        assert_eq!(s.axes[0].kind, Kind::Float);
        assert_eq!(s.axes[1].kind, Kind::Int);
        assert_eq!(s.axes[1].path, "protocol.passes[0].count", "canonical path");
        assert_eq!(s.points[0].values, vec![Value::Float(0.5), Value::Int(1)]);
        assert_eq!(s.points[5].values, vec![Value::Float(1.0), Value::Int(2)]);
        assert_eq!(s.points[5].overrides[0], "device.needle_length_mm=1.0");
        let sc = s.scenario(5).unwrap();
        assert_eq!(sc.device.needle.length_um, 1000.0);
        assert_eq!(sc.protocol.passes[0].count, 2);
        assert_eq!(sc.simulation.seed, s.points[5].seed);
    }

    #[test]
    fn seeds_depend_on_base_seed_and_index_only() {
        let a = sweep(GRID).unwrap();
        let b = sweep(GRID).unwrap();
        assert_eq!(a.points, b.points);
        assert_eq!(a.spec_sha256, b.spec_sha256);
        let seeds: std::collections::BTreeSet<u64> = a.points.iter().map(|p| p.seed).collect();
        assert_eq!(seeds.len(), a.len(), "distinct per point");
        let common = sweep(&GRID.replace("base = \"base.toml\"", "base = \"base.toml\"\nseeds = \"common\"")).unwrap();
        assert!(common.points.iter().all(|p| p.seed == 3));
        assert_ne!(common.spec_sha256, a.spec_sha256);
        // Another base seed, other point seeds.
        let other = Sweep::new(&parse_spec(GRID).unwrap(), &BASE.replace("seed = 3", "seed = 4")).unwrap();
        assert_ne!(other.points[0].seed, a.points[0].seed);
        assert_ne!(other.spec_sha256, a.spec_sha256);
    }

    #[test]
    fn sobol_and_lhs_cover_the_bounds() {
        for design in ["sobol", "lhs"] {
            let spec = format!(
                "[sweep]\nbase = \"b\"\ndesign = \"{design}\"\npoints = 64\n[[axis]]\npath = \"device.needle_length_mm\"\nmin = 0.25\nmax = 2.0\n[[axis]]\npath = \"protocol.passes[0].count\"\nmin = 1\nmax = 8\ninteger = true\n[[axis]]\npath = \"skin.site\"\nvalues = [\"cheek\", \"forehead\"]\n"
            );
            let s = sweep(&spec).unwrap();
            assert_eq!(s.len(), 64);
            let xs: Vec<f64> =
                s.points.iter().map(|p| if let Value::Float(x) = p.values[0] { x } else { f64::NAN }).collect();
            assert!(xs.iter().all(|x| (0.25..=2.0).contains(x)), "{design}");
            // Every eighth of the range holds 8 points (LHS exactly; Sobol, a (0,m,s)-net, too).
            for k in 0..8 {
                let lo = 0.25 + k as f64 * 1.75 / 8.0;
                let n = xs.iter().filter(|x| **x >= lo && **x < lo + 1.75 / 8.0).count();
                assert_eq!(n, 8, "{design} stratum {k}");
            }
            assert!(s.points.iter().all(|p| matches!(p.values[1], Value::Int(1..=8))));
            let cheek = s.points.iter().filter(|p| p.values[2] == Value::Str("cheek".into())).count();
            assert_eq!(cheek, 32, "{design}");
            s.scenario(7).unwrap();
        }
    }

    #[test]
    fn bad_specs_name_the_field_and_range() {
        let e = sweep(&GRID.replace("values = [0.5, 1, 1.5]", "values = [0.5, 9]")).unwrap_err();
        assert!(
            e[0].message.contains("point 4 (device.needle_length_mm=9.0") && e[0].message.contains("0.05 to 3.5"),
            "{}",
            e[0].message
        );
        assert_eq!(e[0].field, "device.needle_length_mm");
        let e = sweep(&GRID.replace("step = 1", "step = 0")).unwrap_err();
        assert!(e[0].message.contains("step > 0"), "{}", e[0].message);
        let e = sweep(&GRID.replace("values = [0.5, 1, 1.5]", "min = 0.5\nmax = 1")).unwrap_err();
        assert!(e[0].message.contains("sobol"), "{}", e[0].message);
        let e = sweep(&GRID.replace("base = \"base.toml\"", "base = \"b\"\ndesign = \"halton\"")).unwrap_err();
        assert_eq!(e[0].field, "sweep.design");
        let e = sweep(&GRID.replace("path = \"device.needle_length_mm\"", "path = \"device.colour\"")).unwrap_err();
        assert!(e[0].message.contains("axis[0]"), "{}", e[0].message);
        assert!(parse_spec("[sweep]\nbase = \"b\"\nbogus = 1").is_err());
    }

    #[test]
    fn rows_follow_the_columns_and_shards_partition_the_points() {
        let s = sweep(GRID).unwrap();
        let cols = s.columns();
        let row = s.run(5, Some("abc")).unwrap();
        assert_eq!(row.len(), cols.len());
        assert_eq!(row[0], Cell::UInt(Some(5)));
        assert_eq!(row[1], Cell::Float(Some(1.0)));
        let depth = cols.iter().position(|c| c.name == "channels.mean_depth_um").unwrap();
        assert!(matches!(row[depth], Cell::Float(Some(d)) if d > 100.0 && d < 1000.0));
        let heal = cols.iter().position(|c| c.name == "healing.recovery_days").unwrap();
        assert!(matches!(row[heal], Cell::Float(Some(_))));
        let git = cols.iter().position(|c| c.name == "git_commit").unwrap();
        assert_eq!(row[git], Cell::Str(Some("abc".into())));
        assert_eq!(s.run(5, Some("abc")).unwrap(), row, "deterministic");
        let mut all: Vec<usize> = (0..3).flat_map(|k| s.shard(k, 3).collect::<Vec<_>>()).collect();
        all.sort();
        assert_eq!(all, (0..12).collect::<Vec<_>>());
    }
}
