//! The page of a virtual cohort (`dermasim cohort`): `cohort.html`, self-contained like
//! `report.html` (same style sheet, font embedded, the chart inline as SVG, no network).
//!
//! It shows the cohort's size and seed, the protocol, the grade-change bar chart (one bar per
//! change in grade), the fractions improved by one and two grades, the scores and the grade
//! distributions, and the statement that dermasim informs and does not prescribe.

use dermasim_core::cohort::{CohortResult, MeanSd};
use serde::Serialize;

use crate::{KeyNumber, Plot, ReportError, Source, charts, plot};

/// The template of the page (minijinja), embedded at build time.
const TEMPLATE: &str = include_str!("../templates/cohort.html");

/// One row of the grade table: share of patients in a grade before and after.
#[derive(Clone, Debug, Serialize)]
pub struct GradeRow {
    /// Goodman & Baron grade, "1"-"4".
    pub grade: String,
    /// Share before the series (%, formatted).
    pub before_pct: String,
    /// Share at the end of follow-up (%, formatted).
    pub after_pct: String,
}

/// The page model of a cohort.
#[derive(Clone, Debug, Serialize)]
pub struct CohortPage {
    /// Page title (the scenario's name).
    pub title: String,
    /// Who and what: size, seed, protocol.
    pub cohort: Vec<KeyNumber>,
    /// The grade-change chart (None if it could not be drawn; see `plot_error`).
    pub plot: Option<Plot>,
    /// Why the chart could not be drawn.
    pub plot_error: Option<String>,
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

impl CohortPage {
    /// Builds the page model.
    pub fn new(r: &CohortResult) -> CohortPage {
        let changes: Vec<(i32, f64)> =
            r.grade_change_distribution.iter().filter_map(|(k, v)| k.parse::<i32>().ok().map(|c| (c, *v))).collect();
        let (plot, plot_error) = match charts::grade_change("cohort-grade-change", &changes) {
            Ok(p) => (Some(p), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let cohort = vec![
            KeyNumber::new("Virtual patients", r.patients.to_string(), "", "patients"),
            KeyNumber::new("Seed", r.seed.to_string(), "", "seed: the same seed gives the same cohort"),
            KeyNumber::new("Sessions", r.sessions.to_string(), "", "sessions"),
            KeyNumber::new("Interval between sessions", plot::short(r.interval_days), "days", "interval_days"),
            KeyNumber::new("Follow-up after the last session", plot::short(r.follow_up_days), "days", "follow_up_days"),
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
            KeyNumber::new("Scar score before (mean ± SD)", mean_sd(&r.score_before, 2), "", "score_before"),
            KeyNumber::new("Scar score after (mean ± SD)", mean_sd(&r.score_after, 2), "", "score_after"),
            KeyNumber::new(
                "Change in scar score (mean ± SD)",
                mean_sd(&r.score_change_pct, 1),
                "%",
                "score_change_pct",
            ),
            KeyNumber::new(
                "Change in dermal collagen (mean ± SD)",
                mean_sd(&r.collagen_change_pct, 1),
                "%",
                "collagen_change_pct",
            ),
        ];
        let share = |d: &std::collections::BTreeMap<String, f64>, g: &str| pct(d.get(g).copied().unwrap_or(0.0));
        let grades = ["1", "2", "3", "4"]
            .iter()
            .map(|g| GradeRow {
                grade: (*g).to_string(),
                before_pct: share(&r.grade_before_distribution, g),
                after_pct: share(&r.grade_after_distribution, g),
            })
            .collect();
        let b = r.grade_upper_bounds;
        let assumptions = vec![
            format!(
                "Grades come from the continuous scar score with upper bounds {} / {} / {} for grades 1-3 \
                 (grade 4 above): an assumption, no published mapping is at hand.",
                plot::short(b[0]),
                plot::short(b[1]),
                plot::short(b[2])
            ),
            "Patients differ in epidermis thickness, healing rate and baseline score; every patient receives the \
             same channels (the scenario's device and protocol)."
                .to_string(),
        ];
        let sources = vec![Source::new(
            "docs/models.md §7 Healing, redness, collagen series and scar cohort",
            "the patient distributions (Chopra 2015, Dogra 2014) and the score-to-grade bounds",
        )];
        CohortPage {
            title: r.scenario.clone(),
            cohort,
            plot,
            plot_error,
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
        // One labelled bar per grade change from the largest improvement to the smallest.
        let lo: i32 = r.grade_change_distribution.keys().map(|k| k.parse::<i32>().unwrap()).min().unwrap();
        for c in lo..0 {
            assert!(html.contains(&format!("\n{} better\n", -c)), "bar for {c}");
        }
        assert_eq!(html, CohortPage::new(&r).to_html().unwrap(), "same cohort, same bytes");
    }
}
