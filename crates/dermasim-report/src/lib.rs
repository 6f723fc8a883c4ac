//! dermasim's report: plots and a self-contained HTML page of a run that a clinician or a
//! researcher reads in a minute, plus tidy CSV tables that the tools of the field read.
//!
//! # What it writes
//!
//! [`write()`] puts into a directory (the CLI's output directory, before it is moved into place):
//!
//! - `report.html`: one file, no network: plots inline as SVG, the font embedded, no
//!   external CSS or JavaScript;
//! - `patient.html`: the patient page alone (plain language, one printed page; [`patient`]),
//!   also the last section of `report.html`; not written for excised skin;
//! - `plots/<id>.svg` and `plots/<id>.png` for each plot (for slides and papers);
//! - `series.csv` and `profiles.csv`: long tables of every time series and depth profile
//!   ([`series`]), when the run has any;
//! - `fields/<product>.vti`: the 3-D concentration at the end of a `patch` transport run, as
//!   VTK image data for ParaView ([`vtk`], written by [`write_fields`]).
//!
//! [`cohort_html`] renders `cohort.html`, the page of a virtual cohort ([`cohort`]); the CLI
//! writes it beside `cohort.json`, both or neither.
//!
//! Everything else is pure: [`Report::from_outcome`] builds the page model, [`Report::to_html`]
//! renders it to a string, and the plot functions return [`Plot`] values (SVG text, PNG bytes).
//!
//! # Adding a stage
//!
//! A stage adds one function `fn section(o: &Outcome) -> Option<Section>` in [`sections`],
//! listed in [`sections::ALL`], which returns `None` while the stage's data is absent from the
//! [`Outcome`]. Its plots come from the generic charts ([`line_chart`], [`bar_chart`]) or the
//! ready-made ones in [`charts`] (delivery, recovery, the series, cohort grade change), which
//! take plain `(x, y)` series. Safety findings go in [`Report::findings`] (shown first). Time
//! series go in the [`series::LongTable`] via [`sections::series_tables`].

#![deny(missing_docs)]

pub mod bands;
pub mod charts;
pub mod cohort;
pub mod compare;
pub mod geometry;
pub mod patient;
pub mod plot;
pub mod sections;
pub mod series;
pub mod style;
pub mod vtk;

use std::fs;
use std::path::{Path, PathBuf};

use dermasim_core::Outcome;
use serde::Serialize;

pub use cohort::{CohortPage, cohort_html};
pub use compare::ComparePage;
pub use plot::{
    Band, Bar, BarChart, Floor, LineChart, LineStyle, Marker, Part, Plot, PlotError, Series, StackedBar,
    StackedBarChart, bar_chart, bar_chart_of, line_chart, stacked_bar_chart,
};

/// The HTML template (minijinja), embedded at build time.
const TEMPLATE: &str = include_str!("../templates/report.html");
/// The style sheet shared by the report and the cohort page (included inline).
const STYLE: &str = include_str!("../templates/style.css");

/// Renders the page template `text` with `page` bound to `key`, and `style`: the shared style
/// sheet with the font embedded.
fn render_page(name: &str, text: &str, key: &str, page: &impl Serialize) -> Result<String, ReportError> {
    let t = |e: minijinja::Error| ReportError(format!("template {name}: {e}"));
    let mut env = minijinja::Environment::new();
    env.add_template("style.css", STYLE).map_err(t)?;
    env.add_template(name, text).map_err(t)?;
    let style = env
        .get_template("style.css")
        .and_then(|s| s.render(minijinja::context! { font_base64 => base64(plot::FONT_TTF) }))
        .map_err(t)?;
    let ctx = minijinja::Value::from_iter([
        (key.to_string(), minijinja::Value::from_serialize(page)),
        ("style".to_string(), minijinja::Value::from(style)),
    ]);
    env.get_template(name).and_then(|p| p.render(ctx)).map_err(t)
}

/// A labelled number of a section, already formatted for reading.
#[derive(Clone, Debug, Serialize)]
pub struct KeyNumber {
    /// What it is.
    pub label: String,
    /// The number (formatted, with a band where there is one).
    pub value: String,
    /// Unit ("" for none).
    pub unit: String,
    /// A short explanation or the `summary.json` key.
    pub note: String,
}

impl KeyNumber {
    /// A key number.
    pub fn new(
        label: impl Into<String>,
        value: impl Into<String>,
        unit: impl Into<String>,
        note: impl Into<String>,
    ) -> Self {
        KeyNumber { label: label.into(), value: value.into(), unit: unit.into(), note: note.into() }
    }
}

/// Where a section's numbers come from: a project document (by name and section) and what
/// it holds.
#[derive(Clone, Debug, Serialize)]
pub struct Source {
    /// Document and section, e.g. `docs/models.md §4 Needle mechanics → channels`.
    pub doc: String,
    /// What it gives.
    pub what: String,
}

impl Source {
    /// A source.
    pub fn new(doc: impl Into<String>, what: impl Into<String>) -> Self {
        Source { doc: doc.into(), what: what.into() }
    }
}

/// How serious a safety finding is (most serious first, so findings sort that way).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Do not treat as planned.
    Contraindicated,
    /// Proceed only after weighing it (or change the plan).
    Caution,
    /// Worth knowing.
    Info,
}

/// A safety finding, shown at the top of the report.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// How serious.
    pub severity: Severity,
    /// One line.
    pub title: String,
    /// Why, and what the evidence is.
    pub detail: String,
    /// The scenario field it concerns ("" for none).
    pub field: String,
    /// Where the rule comes from ("" for none).
    pub source: String,
}

/// One stage's part of the report.
#[derive(Clone, Debug, Serialize)]
pub struct Section {
    /// HTML anchor, e.g. `channels`.
    pub id: String,
    /// Heading.
    pub title: String,
    /// One or two sentences saying what the stage found, in plain words.
    pub lead: String,
    /// Plots, in reading order.
    pub plots: Vec<Plot>,
    /// Key numbers.
    pub numbers: Vec<KeyNumber>,
    /// Assumptions the numbers rest on, plain sentences.
    pub assumptions: Vec<String>,
    /// Documents holding the models and their sources.
    pub sources: Vec<Source>,
    /// Warnings from the stage (extrapolations, failures).
    pub warnings: Vec<String>,
}

impl Section {
    /// An empty section.
    pub fn new(id: impl Into<String>, title: impl Into<String>, lead: impl Into<String>) -> Section {
        Section {
            id: id.into(),
            title: title.into(),
            lead: lead.into(),
            plots: Vec::new(),
            numbers: Vec::new(),
            assumptions: Vec::new(),
            sources: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

/// The report of one run.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Page title: the scenario's name, followed by the `--set` overrides when there are any
    /// (the run's effective scenario, not the file's).
    pub title: String,
    /// The scenario's description.
    pub description: String,
    /// One line under the title: the overrides, seed, scenario hash and build (provenance).
    pub provenance: String,
    /// What was simulated, as label/value rows.
    pub scenario: Vec<KeyNumber>,
    /// Safety findings, most serious first (shown before everything else).
    pub findings: Vec<Finding>,
    /// "ok", "caution" or "contraindicated" (the most serious finding).
    pub verdict: String,
    /// Stage sections in pipeline order.
    pub sections: Vec<Section>,
    /// Plots that failed to draw, and why (the rest of the report is still written).
    pub plot_errors: Vec<String>,
    /// One line on uncertainty: what the ranges of an uncertainty run are, or how to get them
    /// ([`bands::line`]).
    pub uncertainty: bands::Line,
    /// The sensitivity analysis beside the report, when `dermasim sensitivity` wrote one into
    /// the report's directory ([`bands::sensitivity_in`]; set by [`fn@write`]).
    pub sensitivity: Option<bands::SensitivityLink>,
    /// dermasim version.
    pub version: String,
    /// [`dermasim_core::summary::DISCLAIMER`].
    pub disclaimer: String,
    /// The patient page (None for excised skin), written as `patient.html`.
    pub patient: Option<patient::PatientPage>,
    /// The patient page's block, rendered, shown last in the report.
    pub patient_html: Option<String>,
}

/// The report could not be written.
#[derive(Debug)]
pub struct ReportError(pub String);

impl std::fmt::Display for ReportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "report: {}", self.0)
    }
}

impl std::error::Error for ReportError {}

impl Report {
    /// Builds the report of a run: one section per stage whose data is in the outcome.
    pub fn from_outcome(o: &Outcome) -> Report {
        let mut plot_errors = Vec::new();
        let sections = sections::ALL.iter().filter_map(|f| f(o, &mut plot_errors)).collect();
        let mut findings = sections::findings(o);
        findings.sort_by_key(|f| f.severity);
        let verdict = o.summary.safety.verdict.name().to_string();
        let patient = patient::PatientPage::from_outcome(o);
        Report {
            verdict,
            title: title(o),
            description: o.scenario.description.clone(),
            provenance: provenance_line(&o.summary.provenance),
            scenario: sections::scenario_rows(o),
            findings,
            sections,
            plot_errors,
            uncertainty: bands::line(o),
            sensitivity: None,
            version: o.summary.dermasim_version.to_string(),
            disclaimer: dermasim_core::summary::DISCLAIMER.to_string(),
            patient_html: patient.as_ref().and_then(|p| p.block_html().ok()),
            patient,
        }
    }

    /// Every plot of the report.
    pub fn plots(&self) -> impl Iterator<Item = &Plot> {
        self.sections.iter().flat_map(|s| s.plots.iter())
    }

    /// The self-contained HTML page.
    pub fn to_html(&self) -> Result<String, ReportError> {
        render_page("report.html", TEMPLATE, "r", self)
    }
}

/// The page title: the scenario's name, and the overrides it was run with (not the seed, which
/// the provenance line names).
fn title(o: &Outcome) -> String {
    let set: Vec<&str> =
        o.scenario.overrides.iter().map(String::as_str).filter(|s| !s.starts_with("simulation.seed=")).collect();
    if set.is_empty() { o.scenario.name.clone() } else { format!("{} ({})", o.scenario.name, set.join(", ")) }
}

/// "Effective scenario: …; seed 1; scenario sha256 0123abcd…; dermasim 0.1.0, commit 89ab…".
fn provenance_line(p: &dermasim_core::summary::Provenance) -> String {
    let mut parts = Vec::new();
    if !p.overrides.is_empty() {
        parts.push(format!("effective scenario after --set {}", p.overrides.join(", --set ")));
    }
    parts.push(format!("seed {}", p.seed));
    parts.push(format!("scenario sha256 {}", &p.scenario_sha256[..p.scenario_sha256.len().min(12)]));
    let build = match &p.git_commit {
        Some(c) => format!("dermasim {}, commit {}", p.dermasim_version, &c[..c.len().min(12)]),
        None => format!("dermasim {}", p.dermasim_version),
    };
    parts.push(build);
    parts.join("; ")
}

/// Writes `report.html`, `patient.html` (living skin: the patient page, [`patient`]),
/// `plots/*.svg`, `plots/*.png`, and `series.csv` / `profiles.csv` (when the run has time series)
/// into `dir`, which must exist. Returns the files written.
pub fn write(dir: &Path, o: &Outcome) -> Result<Vec<PathBuf>, ReportError> {
    let mut report = Report::from_outcome(o);
    report.sensitivity = bands::sensitivity_in(dir);
    let mut written = Vec::new();
    let mut put = |p: PathBuf, bytes: &[u8]| -> Result<(), ReportError> {
        fs::write(&p, bytes).map_err(|e| ReportError(format!("cannot write {}: {e}", p.display())))?;
        written.push(p);
        Ok(())
    };
    let plots = dir.join("plots");
    fs::create_dir_all(&plots).map_err(|e| ReportError(format!("cannot create {}: {e}", plots.display())))?;
    for p in report.plots() {
        put(plots.join(format!("{}.svg", p.id)), p.svg.as_bytes())?;
        put(plots.join(format!("{}.png", p.id)), &p.png)?;
    }
    let (series, profiles) = sections::series_tables(o);
    if !series.is_empty() {
        put(dir.join("series.csv"), series.to_csv().as_bytes())?;
    }
    if !profiles.is_empty() {
        put(dir.join("profiles.csv"), profiles.to_csv().as_bytes())?;
    }
    put(dir.join("report.html"), report.to_html()?.as_bytes())?;
    if let Some(p) = &report.patient {
        put(dir.join("patient.html"), p.to_html()?.as_bytes())?;
    }
    Ok(written)
}

/// Writes `fields/<product>.vti` for every product whose treated-skin result holds a 3-D field
/// (transport mode `patch`) into `dir`, which must exist. Returns the files written (none, and
/// no `fields/` directory, when there is no field).
pub fn write_fields(dir: &Path, o: &Outcome) -> Result<Vec<PathBuf>, ReportError> {
    let fields: Vec<_> =
        o.delivery.products.iter().filter_map(|(name, d)| d.treated.field.as_ref().map(|f| (name, f))).collect();
    if fields.is_empty() {
        return Ok(Vec::new());
    }
    let sub = dir.join("fields");
    fs::create_dir_all(&sub).map_err(|e| ReportError(format!("cannot create {}: {e}", sub.display())))?;
    let mut written: Vec<PathBuf> = Vec::new();
    for (name, field) in fields {
        let stem = vtk::file_stem(name);
        // Two names that sanitise alike ("a b", "a_b") get a number.
        let mut p = sub.join(format!("{stem}.vti"));
        let mut k = 2;
        while written.contains(&p) {
            p = sub.join(format!("{stem}-{k}.vti"));
            k += 1;
        }
        vtk::write_file(&p, field)?;
        written.push(p);
    }
    Ok(written)
}

/// Standard base64 with padding (RFC 4648 §4), for data: URIs.
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n =
            (u32::from(c[0]) << 16) | (u32::from(*c.get(1).unwrap_or(&0)) << 8) | u32::from(*c.get(2).unwrap_or(&0));
        s.push(A[(n >> 18) as usize & 63] as char);
        s.push(A[(n >> 12) as usize & 63] as char);
        s.push(if c.len() > 1 { A[(n >> 6) as usize & 63] as char } else { '=' });
        s.push(if c.len() > 2 { A[n as usize & 63] as char } else { '=' });
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_rfc4648_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    fn outcome() -> Outcome {
        let text = r#"
name = "Test <roller>"
[skin]
site = "cheek"
[device]
type = "dermaroller"
preset = "roller-192"
needle_length_mm = 0.5
[protocol]
setting = "home"
area_cm2 = 1
passes = [{ direction_deg = 0, count = 2 }]
[simulation]
window_mm = 4
"#;
        let s = dermasim_core::scenario::parse(text, &[]).unwrap_or_else(|e| panic!("{}", e[0].message));
        dermasim_core::simulate(&s)
    }

    #[test]
    fn html_is_self_contained_escaped_and_has_every_section() {
        let o = outcome();
        let r = Report::from_outcome(&o);
        assert!(r.plot_errors.is_empty(), "{:?}", r.plot_errors);
        let html = r.to_html().unwrap();
        assert!(html.contains("Test &lt;roller&gt;"), "scenario name must be escaped");
        assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
        assert!(html.contains(dermasim_core::summary::DISCLAIMER));
        for s in &r.sections {
            assert!(html.contains(&format!("id=\"{}\"", s.id)), "section {}", s.id);
        }
        let holes = html.matches("<ellipse class=\"hole\"").count();
        assert_eq!(holes, o.punctures.punctures.len());
    }

    #[test]
    fn same_run_same_report_bytes() {
        let o = outcome();
        let a = Report::from_outcome(&o);
        let b = Report::from_outcome(&o);
        assert_eq!(a.to_html().unwrap(), b.to_html().unwrap());
        let pa: Vec<&[u8]> = a.plots().map(|p| p.png.as_slice()).collect();
        let pb: Vec<&[u8]> = b.plots().map(|p| p.png.as_slice()).collect();
        assert_eq!(pa, pb, "PNGs identical too (shipped font, no timestamps)");
    }
}
