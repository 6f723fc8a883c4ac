//! The page of a virtual cohort (`dermasim cohort`): `cohort.html`, self-contained like
//! `report.html` (same style sheet, font embedded, the chart inline as SVG, no network).
//!
//! It shows the cohort's size and seed, the protocol and the indication's scale, the outcome
//! chart (worse, unchanged, 1, 2, ≥ 3 grades better, each bar with its Wilson 95 % interval),
//! the same classes and the adverse-event rates in tables with their intervals, the
//! scores and the grade distributions, and the statement that dermasim informs and does not
//! prescribe.

use dermasim_core::cohort::{CohortResult, MeanSd, Proportion};
use serde::Serialize;

use crate::{KeyNumber, Plot, ReportError, Source, charts, plot};

/// The template of the page (minijinja), embedded at build time.
const TEMPLATE: &str = include_str!("../templates/cohort.html");

/// One row of the grade table: share of patients in a grade before and after.
#[derive(Clone, Debug, Serialize)]
pub struct GradeRow {
    /// Grade on the indication's scale.
    pub grade: String,
    /// Share before the series (%, formatted).
    pub before_pct: String,
    /// Share at the end of follow-up (%, formatted).
    pub after_pct: String,
}

/// One row of the outcome table: a class of patients, its share and 95 % interval.
#[derive(Clone, Debug, Serialize)]
pub struct OutcomeRow {
    /// The class ("worsened", "unchanged", "1 grade better", ...).
    pub label: String,
    /// Patients in it.
    pub count: usize,
    /// Share, % (formatted).
    pub pct: String,
    /// Wilson 95 % interval, % (formatted "lo–hi").
    pub ci95: String,
}

/// The page model of a cohort.
#[derive(Clone, Debug, Serialize)]
pub struct CohortPage {
    /// Page title (the scenario's name).
    pub title: String,
    /// The indication and its scale.
    pub scale: String,
    /// Who and what: size, seed, protocol.
    pub cohort: Vec<KeyNumber>,
    /// The grade-change chart (None if it could not be drawn; see `plot_error`).
    pub plot: Option<Plot>,
    /// Why the chart could not be drawn.
    pub plot_error: Option<String>,
    /// Outcome classes with 95 % intervals.
    pub outcomes: Vec<OutcomeRow>,
    /// Adverse events with 95 % intervals.
    pub adverse: Vec<OutcomeRow>,
    /// Outcome numbers (fractions, scores, collagen).
    pub numbers: Vec<KeyNumber>,
    /// Grade distribution before and after.
    pub grades: Vec<GradeRow>,
    /// Assumptions the numbers rest on.
    pub assumptions: Vec<String>,
    /// Documents holding the models.
    pub sources: Vec<Source>,
    /// dermasim version.
    pub version: String,
    /// The not-a-medical-device statement.
    pub disclaimer: String,
}

fn pct(f: f64) -> String {
    format!("{:.1}", 100.0 * f)
}

fn mean_sd(m: &MeanSd, digits: usize) -> String {
    format!("{:.digits$} ± {:.digits$}", m.mean, m.sd)
}

fn row(label: &str, p: &Proportion) -> OutcomeRow {
    OutcomeRow {
        label: label.to_string(),
        count: p.count,
        pct: pct(p.fraction),
        ci95: format!("{}–{}", pct(p.ci95[0]), pct(p.ci95[1])),
    }
}

impl CohortPage {
    /// Builds the page model.
    pub fn new(r: &CohortResult) -> CohortPage {
        let o = &r.outcomes;
        let class = |label: &str, p: &Proportion| charts::OutcomeClass {
            label: label.into(),
            fraction: p.fraction,
            ci95: p.ci95,
        };
        let classes = [
            class("worse", &o.worsened),
            class("unchanged", &o.unchanged),
            class("1 better", &o.improved_1),
            class("2 better", &o.improved_2),
            class("3+ better", &o.improved_3_or_more),
        ];
        let (plot, plot_error) = match charts::outcome_classes("cohort-outcome", &classes, r.scale, r.patients) {
            Ok(p) => (Some(p), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let cohort = vec![
            KeyNumber::new("Virtual patients", r.patients.to_string(), "", "patients"),
            KeyNumber::new("Seed", r.seed.to_string(), "", "seed: the same seed gives the same cohort"),
            KeyNumber::new("Indication", r.indication.name(), "", "indication"),
            KeyNumber::new("Scale", r.scale, "", r.scale_source),
            KeyNumber::new("Sessions", r.sessions.to_string(), "", "sessions"),
            KeyNumber::new("Interval between sessions", plot::short(r.interval_days), "days", "interval_days"),
            KeyNumber::new("Follow-up after the last session", plot::short(r.follow_up_days), "days", "follow_up_days"),
        ];
        let outcomes = vec![
            row("worsened", &o.worsened),
            row("unchanged", &o.unchanged),
            row("1 grade better", &o.improved_1),
            row("2 grades better", &o.improved_2),
            row("3 or more grades better", &o.improved_3_or_more),
        ];
        let adverse = vec![
            row("post-inflammatory hyperpigmentation", &r.adverse_events.pih),
            row("redness beyond 72 h", &r.adverse_events.prolonged_erythema),
            row("procedural (tram-track) scar", &r.adverse_events.scarring),
        ];
        let numbers = vec![
            KeyNumber::new(
                "Improved by at least one grade",
                pct(r.improved_1_grade_or_more_fraction),
                "% of patients",
                "improved_1_grade_or_more_fraction",
            ),
            KeyNumber::new(
                "Improved by at least two grades",
                pct(r.improved_2_grades_or_more_fraction),
                "% of patients",
                "improved_2_grades_or_more_fraction",
            ),
            KeyNumber::new("Severity before (mean ± SD)", mean_sd(&r.severity_before, 2), "", "severity_before"),
            KeyNumber::new("Severity after (mean ± SD)", mean_sd(&r.severity_after, 2), "", "severity_after"),
            KeyNumber::new("Improvement (mean ± SD)", mean_sd(&r.improvement_pct, 1), "%", "improvement_pct"),
            KeyNumber::new("Scar score before (mean ± SD)", mean_sd(&r.score_before, 2), "", "score_before"),
            KeyNumber::new("Scar score after (mean ± SD)", mean_sd(&r.score_after, 2), "", "score_after"),
            KeyNumber::new(
                "Change in papillary collagen (mean ± SD)",
                mean_sd(&r.collagen_change_pct, 1),
                "%",
                "collagen_change_pct",
            ),
        ];
        let share = |d: &std::collections::BTreeMap<i32, f64>, g: i32| pct(d.get(&g).copied().unwrap_or(0.0));
        let keys: std::collections::BTreeSet<i32> =
            r.grade_before_distribution.keys().chain(r.grade_after_distribution.keys()).copied().collect();
        let grades = keys
            .into_iter()
            .map(|g| GradeRow {
                grade: g.to_string(),
                before_pct: share(&r.grade_before_distribution, g),
                after_pct: share(&r.grade_after_distribution, g),
            })
            .collect();
        let assumptions = vec![
            "Intervals are Wilson 95 % score intervals for a trial of the cohort's size: they show how much a real \
             trial of that many patients could differ by chance, not the model's uncertainty."
                .to_string(),
            "Patients differ in epidermis thickness, wound-field radius, response, age, phototype (when the scenario \
             gives none), baseline severity and redness duration; every patient receives the same channels (the \
             scenario's device and protocol)."
                .to_string(),
            "Striae grades are improvement quartiles (0 before; 1-3 better after: 25-50 %, 50-75 %, > 75 %)."
                .to_string(),
        ];
        let sources = vec![Source::new(
            "docs/models.md §10 Remodelling and outcomes",
            "the patient distributions, the scales and the calibration",
        )];
        CohortPage {
            title: r.scenario.clone(),
            scale: format!("{} — {}", r.indication.name(), r.scale),
            cohort,
            plot,
            plot_error,
            outcomes,
            adverse,
            numbers,
            grades,
            assumptions,
            sources,
            version: env!("CARGO_PKG_VERSION").to_string(),
            disclaimer: r.disclaimer.to_string(),
        }
    }

    /// The self-contained HTML page.
    pub fn to_html(&self) -> Result<String, ReportError> {
        crate::render_page("cohort.html", TEMPLATE, "c", self)
    }
}

/// `cohort.html` of a cohort, as a string (pure).
pub fn cohort_html(r: &CohortResult) -> Result<String, ReportError> {
    CohortPage::new(r).to_html()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result() -> CohortResult {
        // The V14 series (5 monthly sessions, 1.5 mm roller) under a name that needs escaping.
        let file = include_str!("../../../validation/v14-lotfi-series.toml");
        let text = file.replace("name = \"V14 Lotfi 2013 series, 1.5 mm roller\"", "name = \"Cohort <test>\"");
        let s = dermasim_core::scenario::parse(&text, &[]).unwrap_or_else(|e| panic!("{}", e[0].message));
        dermasim_core::cohort::run(&s, 200, 3).unwrap()
    }

    #[test]
    fn page_is_self_contained_and_shows_the_numbers() {
        let r = result();
        let page = CohortPage::new(&r);
        assert!(page.plot_error.is_none(), "{:?}", page.plot_error);
        let html = page.to_html().unwrap();
        assert!(html.contains("Cohort &lt;test&gt;"), "name escaped");
        assert!(html.contains(dermasim_core::summary::DISCLAIMER));
        assert!(html.contains("<svg") && html.contains("font/ttf;base64,"));
        assert!(!html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("url(http"));
        assert!(html.contains(&format!("<td class=\"num\">{}</td>", r.patients)));
        assert!(html.contains(&format!("<td class=\"num\">{}</td>", r.seed)));
        assert!(html.contains(&pct(r.improved_1_grade_or_more_fraction)));
        // One labelled bar per outcome class, with its interval named.
        for label in ["worse", "unchanged", "1 better", "2 better", "3+ better"] {
            assert!(html.contains(&format!("\n{label}\n")), "bar for {label}");
        }
        assert!(html.contains("95 % interval for a trial of 200 patients"));
        assert_eq!(html, CohortPage::new(&r).to_html().unwrap(), "same cohort, same bytes");
    }
}
