//! `dermasim._dermasim`: the native half of the `dermasim` Python package. Glue only, like the
//! CLI: it takes scenario text, calls the core with the GIL released, and hands back plain
//! Python values (strings, lists, dicts); `dermasim/__init__.py` turns them into DataFrames.

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use dermasim_core::scenario::{self, ScenarioError};
use dermasim_core::sweep::{Cell, Sweep, parse_spec};

create_exception!(
    _dermasim,
    InvalidInput,
    PyValueError,
    "Invalid scenario, spec or option: args are (message, [(field, message), ...])."
);

/// The commit this extension was built from (`build.rs`).
const GIT_COMMIT: Option<&str> = option_env!("DERMASIM_GIT_COMMIT");

fn invalid(errors: &[ScenarioError]) -> PyErr {
    let message = errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("\n");
    let list: Vec<(String, String)> = errors.iter().map(|e| (e.field.clone(), e.message.clone())).collect();
    InvalidInput::new_err((message, list))
}

fn parse(text: &str, overrides: &[String]) -> PyResult<scenario::Scenario> {
    scenario::parse(text, overrides).map_err(|e| invalid(&e))
}

/// As `parse`, then the resource limits the CLI enforces before simulating
/// (`scenario::limits::check`): a scenario too large to run is an error, not a hang.
fn parse_bounded(text: &str, overrides: &[String]) -> PyResult<scenario::Scenario> {
    let s = parse(text, overrides)?;
    scenario::limits::check(&s).map_err(|e| invalid(&[e]))?;
    Ok(s)
}

/// The version of the core.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// The git commit the extension was built from, if known.
#[pyfunction]
fn git_commit() -> Option<&'static str> {
    GIT_COMMIT
}

/// JSON (an object) to TOML text: a scenario given as a Python dict.
#[pyfunction]
fn toml_from_json(json: &str) -> PyResult<String> {
    let v: toml::Value = serde_json::from_str(json).map_err(|e| InvalidInput::new_err((format!("scenario dict: {e}"), Vec::<(String, String)>::new())))?;
    toml::to_string(&v).map_err(|e| InvalidInput::new_err((format!("scenario dict: {e}"), Vec::<(String, String)>::new())))
}

/// Validates; returns (effective TOML, scenario SHA-256).
#[pyfunction]
fn validate(text: &str, overrides: Vec<String>) -> PyResult<(String, String)> {
    let s = parse(text, &overrides)?;
    let eff = scenario::effective::effective_toml(text, &s.overrides).map_err(|e| invalid(&[e]))?;
    Ok((eff, scenario::effective::sha256(&s)))
}

fn columns<'py>(py: Python<'py>, cols: Vec<(&str, Py<PyAny>)>) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in cols {
        d.set_item(k, v)?;
    }
    Ok(d)
}

fn list<'py, T: IntoPyObject<'py> + Clone>(py: Python<'py>, v: &[T]) -> PyResult<Py<PyAny>> {
    Ok(PyList::new(py, v.iter().cloned())?.into_any().unbind())
}

fn long_table<'py>(py: Python<'py>, t: &dermasim_report::series::LongTable) -> PyResult<Bound<'py, PyDict>> {
    let s = |f: fn(&dermasim_report::series::Row) -> String| t.rows.iter().map(f).collect::<Vec<_>>();
    let mut cols = vec![
        ("stage", list(py, &s(|r| r.stage.clone()))?),
        ("quantity", list(py, &s(|r| r.quantity.clone()))?),
        ("subject", list(py, &s(|r| r.subject.clone()))?),
        ("condition", list(py, &s(|r| r.condition.clone()))?),
        ("unit", list(py, &s(|r| r.unit.clone()))?),
        ("t", list(py, &t.rows.iter().map(|r| r.t).collect::<Vec<_>>())?),
        ("t_unit", list(py, &s(|r| r.t_unit.clone()))?),
    ];
    if t.rows.iter().any(|r| r.depth_um.is_some()) {
        cols.push(("depth_um", list(py, &t.rows.iter().map(|r| r.depth_um).collect::<Vec<_>>())?));
    }
    cols.push(("value", list(py, &t.rows.iter().map(|r| r.value).collect::<Vec<_>>())?));
    columns(py, cols)
}

/// Runs a scenario (GIL released). Returns a dict: `summary` (JSON text), `scenario_toml`
/// (the effective scenario), and column dicts `punctures`, `channels`, `series`, `profiles`.
#[pyfunction]
fn run<'py>(py: Python<'py>, text: &str, overrides: Vec<String>) -> PyResult<Bound<'py, PyDict>> {
    let s = parse_bounded(text, &overrides)?;
    let eff = scenario::effective::effective_toml(text, &s.overrides).map_err(|e| invalid(&[e]))?;
    let (outcome, summary, series, profiles) = py.detach(|| {
        let mut o = dermasim_core::simulate(&s);
        o.summary.provenance.git_commit = GIT_COMMIT.map(str::to_string);
        let summary = serde_json::to_string(&o.summary).unwrap_or_default();
        let (series, profiles) = dermasim_report::sections::series_tables(&o);
        (o, summary, series, profiles)
    });
    let o = &outcome;
    let p = &o.punctures.punctures;
    let punctures = columns(
        py,
        vec![
            ("x_um", list(py, &p.iter().map(|x| x.x_um).collect::<Vec<_>>())?),
            ("y_um", list(py, &p.iter().map(|x| x.y_um).collect::<Vec<_>>())?),
            ("direction_deg", list(py, &p.iter().map(|x| x.direction_deg).collect::<Vec<_>>())?),
            ("pass", list(py, &p.iter().map(|x| x.pass).collect::<Vec<_>>())?),
            ("needle", list(py, &p.iter().map(|x| x.needle).collect::<Vec<_>>())?),
            ("hole", list(py, &o.pattern.hole_of)?),
        ],
    )?;
    let c = &o.channels;
    let channels = columns(
        py,
        vec![
            ("x_um", list(py, &c.iter().map(|x| x.x_um).collect::<Vec<_>>())?),
            ("y_um", list(py, &c.iter().map(|x| x.y_um).collect::<Vec<_>>())?),
            ("depth_um", list(py, &c.iter().map(|x| x.depth_um).collect::<Vec<_>>())?),
            ("width_um", list(py, &c.iter().map(|x| x.width_um).collect::<Vec<_>>())?),
            ("length_um", list(py, &c.iter().map(|x| x.length_um).collect::<Vec<_>>())?),
            ("direction_deg", list(py, &c.iter().map(|x| x.direction_deg).collect::<Vec<_>>())?),
            ("tilt_deg", list(py, &c.iter().map(|x| x.tilt_deg).collect::<Vec<_>>())?),
            ("layer", list(py, &c.iter().map(|x| x.layer.name().to_string()).collect::<Vec<_>>())?),
            ("bent", list(py, &c.iter().map(|x| x.bent).collect::<Vec<_>>())?),
            ("torn", list(py, &c.iter().map(|x| x.torn).collect::<Vec<_>>())?),
            ("hole", list(py, &o.pattern.hole_of)?),
        ],
    )?;
    let d = PyDict::new(py);
    d.set_item("summary", summary)?;
    d.set_item("scenario_toml", eff)?;
    d.set_item("punctures", punctures)?;
    d.set_item("channels", channels)?;
    d.set_item("series", long_table(py, &series)?)?;
    d.set_item("profiles", long_table(py, &profiles)?)?;
    Ok(d)
}

/// The safety screening alone: the `safety` section of `summary.json`, as JSON text.
#[pyfunction]
fn check(text: &str, overrides: Vec<String>) -> PyResult<String> {
    let s = parse(text, &overrides)?;
    Ok(serde_json::to_string(&dermasim_core::safety::check(&s).summary).unwrap_or_default())
}

/// A virtual cohort (GIL released): `cohort.json` as JSON text.
#[pyfunction]
#[pyo3(signature = (text, overrides, patients, seed=None))]
fn cohort(py: Python<'_>, text: &str, overrides: Vec<String>, patients: usize, seed: Option<u64>) -> PyResult<String> {
    let s = parse_bounded(text, &overrides)?;
    let seed = seed.unwrap_or(s.simulation.seed);
    let r = py.detach(|| dermasim_core::cohort::run(&s, patients, seed));
    let r = r.map_err(|e| invalid(&[ScenarioError { field: e.field, message: e.message, span: None }]))?;
    Ok(serde_json::to_string(&r).unwrap_or_default())
}

/// The `sweep.base` path of a spec.
#[pyfunction]
fn spec_base(spec_text: &str) -> PyResult<String> {
    parse_spec(spec_text).map(|s| s.sweep.base).map_err(|e| invalid(&[e]))
}

/// A sweep laid out from its spec text and base scenario text.
#[pyclass(frozen, module = "dermasim._dermasim")]
struct SweepPlan {
    inner: Sweep,
}

#[pymethods]
impl SweepPlan {
    /// `validate`: check every point's scenario now (once, where the sweep starts; workers
    /// given the same texts can skip it).
    #[new]
    #[pyo3(signature = (spec_text, base_text, validate=true))]
    fn new(py: Python<'_>, spec_text: &str, base_text: &str, validate: bool) -> PyResult<SweepPlan> {
        let spec = parse_spec(spec_text).map_err(|e| invalid(&[e]))?;
        let inner = py
            .detach(|| if validate { Sweep::new(&spec, base_text) } else { Sweep::layout(&spec, base_text) })
            .map_err(|e| invalid(&e))?;
        Ok(SweepPlan { inner })
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// SHA-256 of the resolved spec.
    #[getter]
    fn spec_sha256(&self) -> String {
        self.inner.spec_sha256.clone()
    }

    /// The sweep's name.
    #[getter]
    fn name(&self) -> String {
        self.inner.name.clone()
    }

    /// `[(name, kind)]`, kind one of float, int, uint, str, bool.
    fn columns(&self) -> Vec<(String, String)> {
        self.inner
            .columns()
            .into_iter()
            .map(|c| (c.name, serde_json::to_value(c.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()))
            .collect()
    }

    /// The point indices of shard `k` of `n`.
    fn shard(&self, k: usize, n: usize) -> Vec<usize> {
        self.inner.shard(k, n).collect()
    }

    /// Point `i`'s overrides.
    fn overrides(&self, i: usize) -> PyResult<Vec<String>> {
        self.inner.points.get(i).map(|p| p.overrides.clone()).ok_or_else(|| {
            InvalidInput::new_err((format!("point {i} is out of range: allowed 0 to {}", self.inner.len().saturating_sub(1)), Vec::<(String, String)>::new()))
        })
    }

    /// Runs the points (in parallel, GIL released) and returns their columns:
    /// `{name: [value or None, ...]}` in the order of `indices`.
    fn run<'py>(&self, py: Python<'py>, indices: Vec<usize>) -> PyResult<Bound<'py, PyDict>> {
        use rayon::prelude::*;
        if let Some(bad) = indices.iter().find(|&&i| i >= self.inner.len()) {
            return Err(InvalidInput::new_err((
                format!("point {bad} is out of range: allowed 0 to {}", self.inner.len().saturating_sub(1)),
                Vec::<(String, String)>::new(),
            )));
        }
        let sweep = &self.inner;
        let rows: Result<Vec<Vec<Cell>>, Vec<ScenarioError>> =
            py.detach(|| indices.par_iter().map(|&i| sweep.run(i, GIT_COMMIT)).collect());
        let rows = rows.map_err(|e| invalid(&e))?;
        let d = PyDict::new(py);
        for (j, c) in sweep.columns().iter().enumerate() {
            let col = PyList::empty(py);
            for r in &rows {
                match &r[j] {
                    Cell::Float(v) => col.append(*v)?,
                    Cell::Int(v) => col.append(*v)?,
                    Cell::UInt(v) => col.append(*v)?,
                    Cell::Str(v) => col.append(v.as_deref())?,
                    Cell::Bool(v) => col.append(*v)?,
                }
            }
            d.set_item(&c.name, col)?;
        }
        Ok(d)
    }
}

/// The native module.
#[pymodule]
fn _dermasim(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("InvalidInput", m.py().get_type::<InvalidInput>())?;
    m.add("DISCLAIMER", dermasim_core::summary::DISCLAIMER)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add_function(wrap_pyfunction!(git_commit, m)?)?;
    m.add_function(wrap_pyfunction!(toml_from_json, m)?)?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(cohort, m)?)?;
    m.add_function(wrap_pyfunction!(spec_base, m)?)?;
    m.add_class::<SweepPlan>()?;
    Ok(())
}
