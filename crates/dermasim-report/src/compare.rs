//! `compare.html`: two or more plans side by side (`dermasim compare`, `docs/compare.md`).
//!
//! The page has the report's sections, one column per plan (the style sheet's `.pair` grid):
//! the safety verdicts and findings, what was simulated, each stage's lead and key numbers, and
//! its figures. Rows whose values differ between plans are highlighted (`class="differs"`).
//! Time courses are drawn again from each run's `series.csv` rows with one y range shared by
//! every plan ([`style::shared_y_range`]), so the columns can be read against each other; the
//! puncture maps and channel figures are each plan's own. The headline table on top is the
//! JSON diff ([`dermasim_core::compare::Comparison`]) in words.

use std::collections::BTreeMap;

use dermasim_core::Outcome;
use dermasim_core::compare::Comparison;
use serde::Serialize;

use crate::plot::{LineChart, Plot, Series, line_chart};
use crate::sections::{series_tables, sig};
use crate::series::LongTable;
use crate::{Finding, KeyNumber, Report, ReportError, render_page, style};

/// The page template (minijinja), embedded at build time.
const TEMPLATE: &str = include_str!("../templates/compare.html");

/// One plan's column head.
#[derive(Clone, Debug, Serialize)]
pub struct PlanHead {
    /// `A`, `B`, ...
    pub label: String,
    /// The scenario file as given.
    pub source: String,
    /// The report title of the run (name and overrides).
    pub title: String,
    /// The run's provenance line.
    pub provenance: String,
    /// Safety verdict: ok, caution or contraindicated.
    pub verdict: String,
    /// Safety findings, most serious first.
    pub findings: Vec<Finding>,
}

/// A row of values, one per plan ("" where a plan has none).
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// What it is.
    pub label: String,
    /// Per plan, formatted.
    pub values: Vec<String>,
    /// Per plan, the difference from the first plan ("" when not a number or the first).
    pub differences: Vec<String>,
    /// Whether the plans' values differ.
    pub differs: bool,
}

/// A figure per plan (`None` where the plan has no such figure).
#[derive(Clone, Debug, Serialize)]
pub struct FigureRow {
    /// Title shown above the row.
    pub title: String,
    /// What the figures show; says when the y axis is shared.
    pub caption: String,
    /// Per plan.
    pub plots: Vec<Option<Plot>>,
}

/// One stage's part of the comparison.
#[derive(Clone, Debug, Serialize)]
pub struct ComparedSection {
    /// HTML anchor (the report's section id).
    pub id: String,
    /// Heading.
    pub title: String,
    /// Each plan's lead sentence ("" where the plan has no such section).
    pub leads: Vec<String>,
    /// Key numbers, aligned by label.
    pub numbers: Vec<Row>,
    /// Figures, one column per plan.
    pub figures: Vec<FigureRow>,
    /// How many of its rows differ.
    pub differing: usize,
}

/// The comparison page.
#[derive(Clone, Debug, Serialize)]
pub struct ComparePage {
    /// Page title.
    pub title: String,
    /// The plans, in column order.
    pub plans: Vec<PlanHead>,
    /// CSS grid columns (`repeat(n, 1fr)`).
    pub grid: String,
    /// Headline outputs (the JSON diff).
    pub headlines: Vec<Row>,
    /// How many headlines differ.
    pub differing: usize,
    /// What was simulated, aligned by label.
    pub scenario: Vec<Row>,
    /// Stage sections in pipeline order.
    pub sections: Vec<ComparedSection>,
    /// Figures that failed to draw.
    pub plot_errors: Vec<String>,
    /// dermasim version.
    pub version: String,
    /// [`dermasim_core::summary::DISCLAIMER`].
    pub disclaimer: String,
}

/// Formats a JSON value for reading: numbers to three significant figures (the page is read
/// side by side, often on a phone; the full values are in `compare.json`).
fn show(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "—".into(),
        serde_json::Value::Number(n) => n.as_f64().map(sig).unwrap_or_else(|| n.to_string()),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn signed(d: f64) -> String {
    if d > 0.0 { format!("+{}", sig(d)) } else { sig(d) }
}

/// Rows of label/value pairs aligned across plans: the n-th occurrence of a label in one plan
/// sits beside the n-th occurrence in another.
fn align(per_plan: &[Vec<KeyNumber>]) -> Vec<Row> {
    let mut keys: Vec<(String, usize)> = Vec::new();
    let mut cells: Vec<BTreeMap<(String, usize), String>> = Vec::new();
    for numbers in per_plan {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        let mut m = BTreeMap::new();
        for k in numbers {
            let n = seen.entry(&k.label).or_insert(0);
            let key = (k.label.clone(), *n);
            *n += 1;
            if !keys.contains(&key) {
                keys.push(key.clone());
            }
            let v = if k.unit.is_empty() { k.value.clone() } else { format!("{} {}", k.value, k.unit) };
            m.insert(key, v);
        }
        cells.push(m);
    }
    keys.into_iter()
        .map(|key| {
            let values: Vec<String> = cells.iter().map(|m| m.get(&key).cloned().unwrap_or_default()).collect();
            let differs = values.iter().any(|v| *v != values[0]);
            Row { label: key.0, differences: vec![String::new(); values.len()], values, differs }
        })
        .collect()
}

/// The time courses of a stage in `series.csv`, grouped into one chart per (subject, time
/// unit): for transport, the cumulative amount delivered per product; for the other stages
/// every quantity of the stage.
fn chart_groups(t: &LongTable, stage: &str) -> Vec<(String, String)> {
    let mut groups = Vec::new();
    for r in &t.rows {
        if r.stage != stage || (stage == "transport" && r.quantity != "cumulative_delivered") {
            continue;
        }
        let g = (r.subject.clone(), r.t_unit.clone());
        if !groups.contains(&g) {
            groups.push(g);
        }
    }
    groups
}

/// One line of a chart: label, unit, points.
type Line = (String, String, Vec<(f64, f64)>);

/// The lines of one chart, in table order.
fn lines(t: &LongTable, stage: &str, group: &(String, String)) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    for r in &t.rows {
        if r.stage != stage
            || (stage == "transport" && r.quantity != "cumulative_delivered")
            || (r.subject.as_str(), r.t_unit.as_str()) != (group.0.as_str(), group.1.as_str())
        {
            continue;
        }
        let label = if r.condition.is_empty() {
            r.quantity.replace('_', " ")
        } else {
            format!("{} ({})", r.quantity.replace('_', " "), r.condition)
        };
        match out.iter_mut().find(|l| l.0 == label) {
            Some(l) => l.2.push((r.t, r.value)),
            None => out.push((label, r.unit.clone(), vec![(r.t, r.value)])),
        }
    }
    out
}

/// Figures of one stage's time courses, one column per plan, on one shared y range.
fn time_course_rows(labels: &[String], tables: &[LongTable], stage: &str, errors: &mut Vec<String>) -> Vec<FigureRow> {
    let mut groups: Vec<(String, String)> = Vec::new();
    for t in tables {
        for g in chart_groups(t, stage) {
            if !groups.contains(&g) {
                groups.push(g);
            }
        }
    }
    let mut rows = Vec::new();
    for (gi, g) in groups.iter().enumerate() {
        let per_plan: Vec<Vec<Line>> = tables.iter().map(|t| lines(t, stage, g)).collect();
        // One colour per line label across the plans.
        let mut names: Vec<&str> = Vec::new();
        for l in per_plan.iter().flatten() {
            if !names.contains(&l.0.as_str()) {
                names.push(&l.0);
            }
        }
        let mut units: Vec<&str> = Vec::new();
        for l in per_plan.iter().flatten() {
            if !units.contains(&l.1.as_str()) {
                units.push(&l.1);
            }
        }
        let charts: Vec<LineChart> = per_plan
            .iter()
            .map(|ls| LineChart {
                x_label: format!("time ({})", g.1),
                y_label: units.join(", "),
                series: ls
                    .iter()
                    .map(|(label, _, pts)| {
                        let mut s = Series::new(label.clone(), pts);
                        s.color = names.iter().position(|n| n == label);
                        s
                    })
                    .collect(),
                source: format!(
                    "series.csv (stage {stage}{})",
                    if g.0.is_empty() { String::new() } else { format!(", subject {}", g.0) }
                ),
                ..LineChart::default()
            })
            .collect();
        let shared = style::shared_y_range(&charts.iter().collect::<Vec<_>>());
        let what = if g.0.is_empty() { stage.to_string() } else { format!("{stage}: {}", g.0) };
        let title = match stage {
            "transport" => format!("Cumulative amount delivered: {}", g.0),
            "healing" => "Recovery after a session".to_string(),
            "series" => "Over the treatment series".to_string(),
            _ => what.clone(),
        };
        let plots = charts
            .into_iter()
            .zip(labels)
            .map(|(mut c, label)| {
                if c.series.iter().all(|s| s.points.is_empty()) {
                    return None;
                }
                c.y_range = shared;
                let id = format!("compare-{}-{stage}-{gi}", label.to_lowercase());
                match line_chart(&id, &format!("{label}: {title}"), &format!("Plan {label}, {what}."), &c) {
                    Ok(p) => Some(p),
                    Err(e) => {
                        errors.push(format!("plan {label}, {what}: {e}"));
                        None
                    }
                }
            })
            .collect();
        rows.push(FigureRow {
            title,
            caption: "The same y axis in every column, so the plans can be read against each other.".into(),
            plots,
        });
    }
    rows
}

/// Makes a plot's SVG ids unique on a page that shows the same figure of several plans.
fn relabel(mut p: Plot, label: &str) -> Plot {
    let prefix = label.to_lowercase();
    p.svg = p
        .svg
        .replace("id=\"clip-", &format!("id=\"clip-{prefix}-"))
        .replace("url(#clip-", &format!("url(#clip-{prefix}-"));
    p.id = format!("{prefix}-{}", p.id);
    p
}

impl ComparePage {
    /// Builds the page from the runs (source file, outcome), in column order, and their
    /// comparison ([`dermasim_core::compare::compare`] of the same runs).
    pub fn new(plans: &[(String, &Outcome)], diff: &Comparison) -> ComparePage {
        let reports: Vec<Report> = plans.iter().map(|(_, o)| Report::from_outcome(o)).collect();
        let labels: Vec<String> = diff.plans.iter().map(|p| p.label.clone()).collect();
        let mut plot_errors: Vec<String> = Vec::new();
        for (r, l) in reports.iter().zip(&labels) {
            plot_errors.extend(r.plot_errors.iter().map(|e| format!("plan {l}: {e}")));
        }
        let headlines = diff
            .headlines
            .iter()
            .map(|h| Row {
                label: h.key.clone(),
                values: h.values.iter().map(show).collect(),
                differences: h
                    .difference
                    .iter()
                    .enumerate()
                    .map(|(i, d)| match d {
                        Some(d) if i > 0 => signed(*d),
                        _ => String::new(),
                    })
                    .collect(),
                differs: h.differs,
            })
            .collect();
        let scenario = align(&reports.iter().map(|r| r.scenario.clone()).collect::<Vec<_>>());
        let tables: Vec<LongTable> = plans.iter().map(|(_, o)| series_tables(o).0).collect();
        let mut ids: Vec<(String, String)> = Vec::new();
        for r in &reports {
            for s in &r.sections {
                if !ids.iter().any(|(id, _)| *id == s.id) {
                    ids.push((s.id.clone(), s.title.clone()));
                }
            }
        }
        let sections = ids
            .into_iter()
            .map(|(id, title)| {
                let of = |r: &Report| r.sections.iter().find(|s| s.id == id).cloned();
                let secs: Vec<_> = reports.iter().map(of).collect();
                let leads = secs.iter().map(|s| s.as_ref().map(|s| s.lead.clone()).unwrap_or_default()).collect();
                let numbers = align(
                    &secs.iter().map(|s| s.as_ref().map(|s| s.numbers.clone()).unwrap_or_default()).collect::<Vec<_>>(),
                );
                let stage = match id.as_str() {
                    "delivery" => Some("transport"),
                    "healing" => Some("healing"),
                    "series" => Some("series"),
                    _ => None,
                };
                let figures = match stage {
                    Some(stage) => time_course_rows(&labels, &tables, stage, &mut plot_errors),
                    None => {
                        // Each plan's own figures (maps, cross-sections), matched by id.
                        let mut fig_ids: Vec<(String, String, String)> = Vec::new();
                        for p in secs.iter().flatten().flat_map(|s| &s.plots) {
                            if !fig_ids.iter().any(|f| f.0 == p.id) {
                                fig_ids.push((p.id.clone(), p.title.clone(), p.caption.clone()));
                            }
                        }
                        fig_ids
                            .into_iter()
                            .map(|(fid, ftitle, caption)| FigureRow {
                                title: ftitle,
                                caption,
                                plots: secs
                                    .iter()
                                    .zip(&labels)
                                    .map(|(s, l)| {
                                        s.as_ref()?.plots.iter().find(|p| p.id == fid).cloned().map(|p| relabel(p, l))
                                    })
                                    .collect(),
                            })
                            .collect()
                    }
                };
                let differing = numbers.iter().filter(|r: &&Row| r.differs).count();
                ComparedSection { id, title, leads, numbers, figures, differing }
            })
            .collect();
        ComparePage {
            title: format!(
                "Comparison: {}",
                reports.iter().zip(&labels).map(|(r, l)| format!("{l} {}", r.title)).collect::<Vec<_>>().join(" vs ")
            ),
            plans: reports
                .iter()
                .zip(&diff.plans)
                .map(|(r, p)| PlanHead {
                    label: p.label.clone(),
                    source: p.source.clone(),
                    title: r.title.clone(),
                    provenance: r.provenance.clone(),
                    verdict: r.verdict.clone(),
                    findings: r.findings.clone(),
                })
                .collect(),
            grid: format!("repeat({}, minmax(0, 1fr))", labels.len()),
            differing: diff.differing.len(),
            headlines,
            scenario,
            sections,
            plot_errors,
            version: diff.dermasim_version.to_string(),
            disclaimer: dermasim_core::summary::DISCLAIMER.to_string(),
        }
    }

    /// Every figure of the page.
    pub fn plots(&self) -> impl Iterator<Item = &Plot> {
        self.sections.iter().flat_map(|s| s.figures.iter().flat_map(|f| f.plots.iter().flatten()))
    }

    /// The self-contained HTML page.
    pub fn to_html(&self) -> Result<String, ReportError> {
        render_page("compare.html", TEMPLATE, "c", self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_numbers_read_to_three_significant_figures() {
        assert_eq!(show(&serde_json::json!(215.922)), "216");
        assert_eq!(show(&serde_json::json!(60.222)), "60.2");
        assert_eq!(show(&serde_json::json!(0.004378)), "0.00438");
        assert_eq!(show(&serde_json::json!("caution")), "caution");
        assert_eq!(signed(1229.732), "+1230");
        assert_eq!(signed(-0.5082), "-0.508");
    }

    fn outcome(set: &[&str]) -> Outcome {
        let text = r#"
name = "Plan"
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
        let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
        let s = dermasim_core::scenario::parse(text, &set).unwrap_or_else(|e| panic!("{}", e[0].message));
        dermasim_core::simulate(&s)
    }

    #[test]
    fn two_plans_side_by_side_with_differences_marked_and_shared_axes() {
        let a = outcome(&[]);
        let b = outcome(&["device.needle_length_mm=0.25"]);
        let plans = [("a.toml".to_string(), &a), ("b.toml".to_string(), &b)];
        let diff =
            dermasim_core::compare::compare(&plans.iter().map(|(s, o)| (s.clone(), &o.summary)).collect::<Vec<_>>());
        let page = ComparePage::new(&plans, &diff);
        assert!(page.plot_errors.is_empty(), "{:?}", page.plot_errors);
        let depth = page.headlines.iter().find(|r| r.label == "channels.mean_depth_um").unwrap();
        assert!(depth.differs && depth.differences[1].starts_with('-'), "{depth:?}");
        let healing = page.sections.iter().find(|s| s.id == "healing").unwrap();
        assert!(healing.differing > 0);
        // The healing time courses of both plans share one y range.
        let row = &healing.figures[0];
        let ranges: Vec<&str> = row
            .plots
            .iter()
            .map(|p| {
                let svg = &p.as_ref().unwrap().svg;
                let i = svg.find("data-y-min").unwrap();
                &svg[i..i + 60]
            })
            .collect();
        assert_eq!(ranges[0], ranges[1]);
        let html = page.to_html().unwrap();
        assert!(html.contains("class=\"differs\""));
        assert!(html.contains(dermasim_core::summary::DISCLAIMER));
        assert!(html.contains("needle_length_mm=0.25"), "plan B's title names its override");
        // Ids of figures shown once per plan stay unique on the page.
        let ids: Vec<&str> = page.plots().map(|p| p.id.as_str()).collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(ids.len(), unique.len());
    }
}
