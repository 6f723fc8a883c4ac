//! Uncertainty bands in the report: when `summary.json` has an `uncertainty` section
//! (`dermasim run --uncertainty N`, [`dermasim_core::uncertainty`]), key numbers of the headline
//! outputs read "median (5th–95th percentile)" and the figures shade the 5-95 % range of the
//! plotted quantities that have one; without it, one line of the report says how to get them.
//! The bands are read as core writes them (`uncertainty.bands["<path>_band"]`), never
//! recomputed here.

use dermasim_core::Outcome;
use dermasim_core::uncertainty::{Band, format_with_band};

/// The band of the headline output at `path` (its `summary.json` path, e.g.
/// `healing.erythema_peak`), each percentile multiplied by `scale` (100 for a fraction shown in
/// %); `None` without an uncertainty run or without a band for `path`.
pub fn band(o: &Outcome, path: &str, scale: f64) -> Option<Band> {
    let b = o.summary.uncertainty.as_ref()?.bands.get(&format!("{path}_band"))?;
    Some(Band { p5: scale * b.p5, p50: scale * b.p50, p95: scale * b.p95 })
}

/// The band of `path` as [`band`], when it has a width (a range worth drawing).
pub fn spread(o: &Outcome, path: &str, scale: f64) -> Option<Band> {
    band(o, path, scale).filter(|b| !flat(b))
}

/// `p50 (p5–p95)`, each to the precision the band's width supports.
pub fn range(b: &Band) -> String {
    let f = |x: f64| format_with_band(x, Some(b));
    format!("{} ({}–{})", f(b.p50), f(b.p5), f(b.p95))
}

/// Whether a band has no width: every draw gave the same value (to 1e-9 of it), because no
/// drawn parameter moves this output.
pub fn flat(b: &Band) -> bool {
    b.width().abs() <= 1e-9 * b.p50.abs().max(f64::MIN_POSITIVE)
}

/// A key number's value: `p50 (p5–p95)` of the output at `path` in an uncertainty run (scaled
/// by `scale`), otherwise, or when the band has no width, `central`: the run's own value as the
/// section formats it.
pub fn value(o: &Outcome, path: &str, scale: f64, central: String) -> String {
    band(o, path, scale).filter(|b| !flat(b)).map_or(central, |b| range(&b))
}

/// A key number's note, prefixed with "median (5–95 %)" when its value is a band, or with "the
/// same in every draw" when the band has no width.
pub fn note(o: &Outcome, path: &str, note: impl Into<String>) -> String {
    let note = note.into();
    let head = match band(o, path, 1.0) {
        Some(b) if flat(&b) => "the same in every draw",
        Some(_) => "median (5–95 %)",
        None => return note,
    };
    if note.is_empty() { head.into() } else { format!("{head}; {note}") }
}

/// Legend label of a shaded band in a figure (the report's [`fn@line`] says over how many draws).
pub fn legend(what: &str) -> String {
    format!("{what}, 5–95 %")
}

/// The report's one line on uncertainty: what the ranges are, or how to get them.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Line {
    /// The text (before the command, when there is one).
    pub text: String,
    /// A command that computes the ranges ("" in an uncertainty run).
    pub command: String,
    /// The text after the command.
    pub after: String,
}

/// The report's one line on uncertainty: what the ranges of an uncertainty run are (how many
/// draws of how many parameters; the list is in `summary.json`, too long for the key results),
/// or how to get them.
pub fn line(o: &Outcome) -> Line {
    match &o.summary.uncertainty {
        Some(u) => Line {
            text: format!(
                "Ranges: numbers written \"a (b–c)\" are the median (a) and the 5–95 % range (b–c) of {} runs \
                 drawing {} uncertain model parameters from their distributions (Sobol design, seed {}; the \
                 parameters and distributions in summary.json, uncertainty.parameters); shaded areas in the figures are the same ranges. Curves and other \
                 numbers are the run with the parameters' central values.",
                u.samples,
                u.parameters.len(),
                u.seed
            ),
            command: String::new(),
            after: String::new(),
        },
        None => Line {
            text: "Ranges: none computed; the numbers are one run with the model parameters' central values.".into(),
            command: "dermasim run SCENARIO.toml --uncertainty 64".into(),
            after: "adds the 5–95 % range of the key numbers and shades it in the figures.".into(),
        },
    }
}

/// A sensitivity analysis found beside the report (`dermasim sensitivity` into the same
/// directory): what the report says of it before linking its files.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SensitivityLink {
    /// One sentence: the output the bar plot shows, its most influential parameter and the
    /// design (read from `sensitivity.json`).
    pub text: String,
}

/// The sensitivity analysis in `dir`, if `dir/sensitivity.json` exists and reads as one
/// (`None` otherwise: the report then says how to make one).
pub fn sensitivity_in(dir: &std::path::Path) -> Option<SensitivityLink> {
    sensitivity_of(&std::fs::read_to_string(dir.join("sensitivity.json")).ok()?)
}

/// The link for the text of a `sensitivity.json` (`None` if it does not read as one).
pub fn sensitivity_of(json: &str) -> Option<SensitivityLink> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    let first = v.get("outputs")?.as_array()?.first()?;
    let output = first.get("output")?.as_str()?;
    let top = first
        .get("indices")?
        .as_array()?
        .iter()
        .filter_map(|i| Some((i.get("input")?.as_str()?, i.get("total")?.get("value")?.as_f64()?)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let runs = v.get("runs").and_then(serde_json::Value::as_u64);
    let mut s = format!("Sobol indices of {output}");
    if let Some((p, st)) = top {
        s += &format!(" (most influential: {p}, total index {st:.2})");
    }
    if let Some(n) = runs {
        s += &format!(" from {n} runs");
    }
    s += ", in";
    Some(SensitivityLink { text: s })
}

/// The shaded band of a value read at the end of a curve (a cumulative amount at the end of the
/// run, collagen at follow-up): a strip 2 % of the x span wide ending at `x_end`, from p5 to p95,
/// in palette colour `color`.
pub fn at_end(b: &Band, x_start: f64, x_end: f64, label: String, color: usize) -> crate::plot::Band {
    let w = 0.02 * (x_end - x_start).abs().max(f64::MIN_POSITIVE);
    crate::plot::Band { label, points: vec![(x_end - w, b.p5, b.p95), (x_end, b.p5, b.p95)], color: Some(color) }
}

/// The shaded band of a time (when channels closed, when redness faded): the span of x from p5
/// to p95, across the y range `y0..y1`, in palette colour `color`.
pub fn span(b: &Band, y0: f64, y1: f64, label: String, color: usize) -> crate::plot::Band {
    crate::plot::Band { label, points: vec![(b.p5, y0, y1), (b.p95, y0, y1)], color: Some(color) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The link reads `sensitivity.json` as core writes it: the first output, its most
    /// influential input by total index, the number of runs.
    #[test]
    fn a_sensitivity_file_is_summarised_for_its_link() {
        use dermasim_core::sensitivity::{Estimate, Indices, OutputIndices, Sensitivity};
        let est = |v: f64| Estimate { value: v, ci_low: v - 0.1, ci_high: v + 0.1 };
        let idx = |name: &str, st: f64| Indices { input: name.into(), first_order: est(0.5 * st), total: est(st) };
        let s = Sensitivity {
            samples: 8,
            runs: 48,
            design: "sobol-owen",
            estimators: "saltelli",
            bootstrap: 100,
            seed: 1,
            inputs: Vec::new(),
            outputs: vec![OutputIndices {
                output: "procedure.total_min".into(),
                variance: 1.0,
                indices: vec![idx("procedure.preparation_min", 0.2), idx("procedure.stroke_s", 0.7)],
            }],
        };
        let link = sensitivity_of(&serde_json::to_string(&s).unwrap()).expect("reads");
        assert_eq!(
            link.text,
            "Sobol indices of procedure.total_min (most influential: procedure.stroke_s, total index 0.70) from 48 runs, in"
        );
        assert!(sensitivity_of("{}").is_none() && sensitivity_of("not json").is_none());
    }

    #[test]
    fn ranges_read_median_then_percentiles() {
        let b = Band { p5: 12.3456, p50: 20.0, p95: 31.0 };
        assert_eq!(range(&b), "20 (12–31)");
        let s = at_end(&b, 0.0, 24.0, "x".into(), 1);
        assert_eq!(s.points.len(), 2);
        assert!((s.points[0].0 - 23.52).abs() < 1e-9 && s.points[1].0 == 24.0);
        assert_eq!((s.points[0].1, s.points[0].2), (12.3456, 31.0));
        let t = span(&b, 0.0, 1.0, "t".into(), 0);
        assert_eq!(t.points, vec![(12.3456, 0.0, 1.0), (31.0, 0.0, 1.0)]);
    }
}
