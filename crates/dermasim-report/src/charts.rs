//! Ready-made charts for the stages, taking plain data: `(x, y)` series, with labels. Each
//! returns a [`Plot`] (SVG and PNG) that a [`crate::Section`] shows.

use plotters::style::RGBColor;

use crate::plot::{
    Band, Bar, BarChart, Floor, LineChart, Marker, Part, Plot, PlotError, Series, StackedBar, StackedBarChart,
    bar_chart_of, line_chart, stacked_bar_chart,
};
use crate::style::{palette, viridis};

/// Concentration against depth at several times (one curve per time), layer boundaries marked.
/// `profiles`: `(time_h, [(depth_um, concentration)])`; `layer_boundaries_um`: `(name, depth)`.
/// Logarithmic concentration axis (profiles span decades), down to `floor` when given.
pub fn delivery_profiles(
    id: &str,
    product: &str,
    profiles: &[(f64, Vec<(f64, f64)>)],
    unit: &str,
    layer_boundaries_um: &[(String, f64)],
    floor: Option<Floor>,
) -> Result<Plot, PlotError> {
    let series = profiles
        .iter()
        .enumerate()
        .map(|(i, (t, pts))| Series::new(format!("{} h", crate::plot::short(*t)), pts).color(i))
        .collect();
    let depth_max = profiles.iter().flat_map(|p| p.1.iter().map(|q| q.0)).fold(0.0, f64::max);
    let below_sc_um = layer_boundaries_um.first().map_or(0.0, |b| b.1);
    let resolved = floor.as_ref().map_or(0.0, |f| f.value);
    let coincide = match coinciding(profiles, below_sc_um, resolved) {
        Some((times, dev)) => format!(
            " Below the stratum corneum the curves at {} coincide (within {} %): the concentration in the living skin \
             hardly changes after {} h, and those curves are drawn on top of each other.",
            times_list(&times),
            crate::plot::short((100.0 * dev - 1e-9).ceil().max(1.0)),
            crate::plot::short(times[0])
        ),
        None => String::new(),
    };
    let chart = LineChart {
        x_label: "depth (µm)".into(),
        y_label: format!("concentration ({unit})"),
        series,
        log_y: true,
        x_markers: layer_boundaries_um
            .iter()
            .filter(|(_, d)| *d <= depth_max)
            .map(|(n, d)| Marker { at: *d, label: n.clone() })
            .collect(),
        y_floor: floor,
        source: format!("profiles.csv (quantity tissue_concentration, subject {product}, condition treated)"),
        ..Default::default()
    };
    line_chart(
        id,
        &format!("{product}: concentration in the skin by depth"),
        &format!(
            "Mean concentration in each plane of tissue at several times after application (log scale); dashed \
             lines mark where each layer ends (SC stratum corneum, VE viable epidermis, PD papillary dermis, RD \
             reticular dermis).{coincide}"
        ),
        &chart,
    )
}

/// Largest relative difference between profiles that counts as coinciding on the page (a few
/// pixels on a log axis spanning decades).
pub const COINCIDE_REL: f64 = 0.05;

/// The latest profiles that coincide with the last one below `from_um` (every depth where both
/// are at or above `floor`, within [`COINCIDE_REL`]): their times (at least two, earliest
/// first) and the largest relative difference; `None` when fewer than two coincide. Profiles
/// are compared point by point (they come from one grid).
pub fn coinciding(profiles: &[(f64, Vec<(f64, f64)>)], from_um: f64, floor: f64) -> Option<(Vec<f64>, f64)> {
    let (t_last, last) = profiles.last()?;
    let dev = |p: &[(f64, f64)]| -> Option<f64> {
        if p.len() != last.len() {
            return None;
        }
        let mut worst = 0.0f64;
        let mut compared = 0;
        for (&(d, a), &(_, b)) in p.iter().zip(last) {
            if d >= from_um && a.is_finite() && b.is_finite() && a >= floor.max(f64::MIN_POSITIVE) && b >= floor {
                worst = worst.max((a - b).abs() / b.abs().max(f64::MIN_POSITIVE));
                compared += 1;
            }
        }
        (compared > 0).then_some(worst)
    };
    let mut times = vec![*t_last];
    let mut worst = 0.0f64;
    for (t, p) in profiles.iter().rev().skip(1) {
        match dev(p) {
            Some(d) if d <= COINCIDE_REL => {
                times.insert(0, *t);
                worst = worst.max(d);
            }
            _ => break,
        }
    }
    (times.len() >= 2).then_some((times, worst))
}

/// "9, 16 and 24 h".
fn times_list(times: &[f64]) -> String {
    let t: Vec<String> = times.iter().map(|t| crate::plot::short(*t)).collect();
    match t.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last} h", rest.join(", ")),
        Some((last, _)) => format!("{last} h"),
        None => String::new(),
    }
}

/// A treated-skin time course beside the intact-skin one (dashed), e.g. cumulative amount or
/// flux against time. `quantity` names the y axis with its unit.
/// `log_y` for quantities spanning decades (fluxes); non-positive values are then left out, and
/// so are values under `floor` (what the model resolves), the axis stopping there.
/// `source`: the data file and selection the curves come from; `bands`: shaded 5-95 % ranges
/// (an uncertainty run's, [`crate::bands`]).
#[allow(clippy::too_many_arguments)] // two curves, their labels, axis choices, bands and the source
pub fn delivery_time_course(
    id: &str,
    title: &str,
    caption: &str,
    quantity: &str,
    treated: &[(f64, f64)],
    intact: &[(f64, f64)],
    log_y: bool,
    floor: Option<Floor>,
    source: &str,
    bands: Vec<Band>,
) -> Result<Plot, PlotError> {
    let chart = LineChart {
        x_label: "time after application (h)".into(),
        y_label: quantity.into(),
        series: vec![
            Series::new("microneedled", treated).color(1),
            Series::new("intact skin", intact).dashed().color(0),
        ],
        bands,
        log_y,
        y_floor: floor,
        source: source.into(),
        ..Default::default()
    };
    line_chart(id, title, caption, &chart)
}

/// Recovery after a session against time (days): channel openness, barrier function and
/// redness, each on 0-1 (openness 1 = as made, barrier 1 = intact, redness on the healing
/// model's 0-1 scale). `bands`: shaded 5-95 % ranges (an uncertainty run's, [`crate::bands`]).
pub fn recovery(
    id: &str,
    openness: &[(f64, f64)],
    barrier: &[(f64, f64)],
    redness: &[(f64, f64)],
    bands: Vec<Band>,
) -> Result<Plot, PlotError> {
    let chart = LineChart {
        x_label: "time after the session (days)".into(),
        y_label: "fraction".into(),
        series: vec![
            Series::new("channels open", openness),
            Series::new("barrier function", barrier),
            Series::new("redness", redness),
        ],
        bands,
        y_range: Some((0.0, 1.05)),
        source: "series.csv (stage healing: channel_openness, barrier_function, erythema)".into(),
        ..Default::default()
    };
    line_chart(
        id,
        "Recovery after a session",
        "Channel openness (1 = as made), barrier function (1 = intact skin) and redness (0-1 scale; 0.05 is \
         just visible) against days after the session.",
        &chart,
    )
}

/// Collagen and the elastin band against months over a treatment series, sessions marked.
/// Values are changes from baseline in the caller's unit (`y_label`, e.g. `change from baseline
/// (%)`); the elastin band's edges are drawn dashed (the sources disagree on its sign).
/// `bands`: shaded 5-95 % ranges (an uncertainty run's, [`crate::bands`]).
pub fn collagen_series(
    id: &str,
    collagen: &[(f64, f64)],
    elastin_low: &[(f64, f64)],
    elastin_high: &[(f64, f64)],
    sessions_months: &[f64],
    y_label: &str,
    bands: Vec<Band>,
) -> Result<Plot, PlotError> {
    let chart = LineChart {
        x_label: "time from the first session (months)".into(),
        y_label: y_label.into(),
        series: vec![
            Series::new("collagen (papillary dermis)", collagen).color(1),
            Series::new("elastin, high edge", elastin_high).color(2).dashed(),
            Series::new("elastin, low edge", elastin_low).color(2).dashed(),
        ],
        bands,
        x_markers: sessions_months
            .iter()
            .enumerate()
            .map(|(i, m)| Marker { at: *m, label: if i == 0 { "session".into() } else { String::new() } })
            .collect(),
        source: "series.csv (stage series: collagen_change, elastin_change)".into(),
        ..Default::default()
    };
    line_chart(
        id,
        "Collagen and elastin over the series",
        "Modelled change in papillary-dermis collagen, and the band elastin may lie in (studies disagree on its \
         sign); vertical dashed lines mark the sessions.",
        &chart,
    )
}

/// One outcome class of a cohort: its label, share of patients (0-1) and 95 % interval (0-1).
#[derive(Clone, Debug, PartialEq)]
pub struct OutcomeClass {
    /// "worse", "unchanged", "1 better", ...
    pub label: String,
    /// Share of patients, 0-1.
    pub fraction: f64,
    /// 95 % interval of the share, 0-1.
    pub ci95: [f64; 2],
}

/// Cohort: the outcome classes (worse, unchanged, 1, 2, ≥ 3 grades better) as bars of the
/// share of patients (%), each with its 95 % interval as an error bar. Worse is vermilion,
/// unchanged sky blue, better blue (Okabe-Ito), so the classes read apart in grey too by
/// position. `scale` is named in the caption; `patients` is the trial size the intervals are for.
pub fn outcome_classes(id: &str, classes: &[OutcomeClass], scale: &str, patients: usize) -> Result<Plot, PlotError> {
    if classes.is_empty() {
        return Err(PlotError(format!("{id}: no class to draw")));
    }
    let bars = classes
        .iter()
        .enumerate()
        .map(|(i, c)| Bar {
            label: c.label.clone(),
            value: 100.0 * c.fraction,
            interval: Some((100.0 * c.ci95[0], 100.0 * c.ci95[1])),
            color: Some(match i {
                0 => 1,
                1 => 5,
                _ => 0,
            }),
        })
        .collect();
    let chart = BarChart {
        x_label: "change in grade from before the series to the end of follow-up".into(),
        y_label: "patients (%)".into(),
        bars,
        interval_label: format!("95 % interval for a trial of {patients} patients (Wilson)"),
        source: "cohort.json (outcomes)".into(),
    };
    bar_chart_of(
        id,
        "Outcome across the cohort",
        &format!(
            "Share of virtual patients whose grade on the {scale} got worse, stayed the same, or improved by 1, 2, or \
             3 or more grades, as a rater records it. Error bars: Wilson 95 % intervals for a trial of {patients} \
             patients (how much a real trial of that size could differ by chance, not the model's uncertainty)."
        ),
        &chart,
    )
}

/// One bar of the dose figure: a label (product and skin) and the dose balance's shares of the
/// applied dose, `(compartment key, fraction 0-1)` as `delivery.<p>.dose_balance.
/// fraction_of_applied` holds them (surface first).
#[derive(Clone, Debug, PartialEq)]
pub struct DoseBar {
    /// Label left of the bar, e.g. `microneedled`.
    pub label: String,
    /// `(key, fraction of the applied dose)`, in the balance's order.
    pub fractions: Vec<(String, f64)>,
}

/// Smallest share (%) of the applied dose that earns a compartment its legend entry in
/// [`dose_balance`]: under it the segment is narrower than a pixel.
pub const DOSE_LEGEND_MIN_PCT: f64 = 0.1;

/// Reading label and colour of a compartment of the dose balance. The skin layers run from
/// light to dark with depth (viridis, perceptually ordered); the film on the surface is orange,
/// what was wiped off grey, the channels' fluid sky blue, what the blood flow cleared vermilion
/// and the receptor reddish purple (Okabe-Ito).
pub fn dose_compartment(key: &str) -> (String, RGBColor) {
    match key {
        "on_surface" => ("on the surface".into(), palette(4)),
        "removed" => ("wiped off".into(), RGBColor(170, 170, 170)),
        "stratum_corneum" => ("stratum corneum".into(), viridis(0.86)),
        "viable_epidermis" => ("viable epidermis".into(), viridis(0.66)),
        "papillary_dermis" => ("papillary dermis".into(), viridis(0.46)),
        "reticular_dermis" => ("reticular dermis".into(), viridis(0.27)),
        "hypodermis" => ("hypodermis (fat)".into(), viridis(0.08)),
        "channel_fluid" => ("in the channels' fluid".into(), palette(5)),
        "cleared" => ("cleared by the blood".into(), palette(1)),
        "receptor" => ("receptor".into(), palette(3)),
        other => (other.replace('_', " "), RGBColor(110, 110, 110)),
    }
}

/// Where the applied dose went: one horizontal bar per product and skin (microneedled, intact),
/// split into the compartments of the dose balance as % of that bar's applied dose, so that
/// every bar spans 0-100 %. `duration_h` is the time of the balance (the end of the run);
/// `source` names the `summary.json` keys. Compartments are in the order of the first bar
/// that names them.
pub fn dose_balance(id: &str, bars: &[DoseBar], duration_h: f64, source: &str) -> Result<Plot, PlotError> {
    let mut keys: Vec<&str> = Vec::new();
    for b in bars {
        for (k, _) in &b.fractions {
            if !keys.contains(&k.as_str()) {
                keys.push(k);
            }
        }
    }
    let parts = keys
        .iter()
        .map(|k| {
            let (label, colour) = dose_compartment(k);
            Part { label, colour }
        })
        .collect();
    let bars = bars
        .iter()
        .map(|b| StackedBar {
            label: b.label.clone(),
            values: keys
                .iter()
                .map(|k| b.fractions.iter().find(|(n, _)| n == k).map_or(0.0, |(_, f)| 100.0 * f))
                .collect(),
        })
        .collect();
    let chart = StackedBarChart {
        x_label: "share of the applied dose (%)".into(),
        parts,
        bars,
        x_max: Some(100.0),
        value_unit: "%".into(),
        legend_min: DOSE_LEGEND_MIN_PCT,
        source: source.into(),
    };
    stacked_bar_chart(
        id,
        "Where the dose went",
        &format!(
            "Where the applied dose is {} h after application, as a share of it (each bar adds up to 100 %): \
             still on the surface, wiped off with the film, in the tissue of each skin layer, in the fluid of the \
             channels, cleared by the dermal blood flow or passed into the receptor. Compartments under {} % in \
             every bar are too thin to see and are left out of the legend.",
            crate::plot::short(duration_h),
            DOSE_LEGEND_MIN_PCT
        ),
        &chart,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ready_made_chart_draws() {
        let a = [(0.0, 0.1), (1.0, 0.5), (2.0, 0.9)];
        let b = [(0.0, 0.05), (1.0, 0.2), (2.0, 0.3)];
        let layers = vec![("SC".to_string(), 15.0), ("VE".to_string(), 75.0), ("deep".to_string(), 1e6)];
        let p = delivery_profiles("p", "caffeine", &[(1.0, vec![(5.0, 1.0), (50.0, 1e-4)])], "mg/mL", &layers, None)
            .unwrap();
        for decade in ["\n1\n", "\n0.1\n", "\n0.01\n", "\n0.001\n"] {
            assert!(p.svg.contains(decade), "log axis labels whole decades: {decade:?}");
        }
        assert!(!p.svg.contains("1e-0"), "no repeated or odd decade labels");
        assert!(p.svg.contains("\nSC\n") && !p.svg.contains("\ndeep\n"), "markers beyond the data are left out");
        assert!(!p.caption.contains("coincide"), "one profile coincides with nothing");
        delivery_time_course("c", "C", "", "amount (µg/cm²)", &a, &b, false, None, "", vec![]).unwrap();
        delivery_time_course("f", "F", "", "flux (µg/cm²/h)", &a, &b, true, None, "", vec![]).unwrap();
        recovery("r", &a, &b, &a, vec![]).unwrap();
        let s = collagen_series("s", &a, &b, &a, &[0.0, 1.0], "change (%)", vec![]).unwrap();
        assert_eq!(s.svg.matches("\nsession\n").count(), 1, "one label for all the session lines");
        let c = |l: &str, f: f64| OutcomeClass { label: l.into(), fraction: f, ci95: [f * 0.8, (f * 1.2).min(1.0)] };
        let o = outcome_classes(
            "o",
            &[c("worse", 0.02), c("unchanged", 0.2), c("1 better", 0.5), c("2 better", 0.25), c("3+ better", 0.03)],
            "test scale",
            300,
        )
        .unwrap();
        for label in ["\nworse\n", "\nunchanged\n", "\n1 better\n", "\n3+ better\n", "Wilson"] {
            assert!(o.svg.contains(label), "{label:?}");
        }
        assert!(outcome_classes("e", &[], "test scale", 1).is_err());
    }

    #[test]
    fn coinciding_profiles_are_found_below_the_stratum_corneum_only() {
        let prof = |scale: f64, sc: f64| vec![(5.0, sc), (50.0, scale * 1e-3), (500.0, scale * 2e-3)];
        let p =
            vec![(1.0, prof(1.5, 1e-6)), (9.0, prof(1.02, 1e-5)), (16.0, prof(1.01, 3e-5)), (24.0, prof(1.0, 5e-5))];
        let (times, dev) = coinciding(&p, 15.0, 1e-7).unwrap();
        assert_eq!(times, vec![9.0, 16.0, 24.0], "1 h is 50 % off; the SC (5 µm) is not compared");
        assert!((dev - 0.02).abs() < 1e-9, "{dev}");
        assert!(coinciding(&p, 0.0, 1e-7).is_none(), "with the SC, nothing coincides");
        assert!(coinciding(&p[..1], 15.0, 1e-7).is_none());
        assert_eq!(times_list(&times), "9, 16 and 24 h");
        let layers = vec![("SC".to_string(), 15.0)];
        let plot = delivery_profiles("p", "x", &p, "mg/mL", &layers, None).unwrap();
        assert!(plot.caption.contains("the curves at 9, 16 and 24 h coincide (within 2 %)"), "{}", plot.caption);
    }

    #[test]
    fn dose_bars_span_the_whole_dose() {
        let f = |v: &[(&str, f64)]| v.iter().map(|(k, x)| (k.to_string(), *x)).collect::<Vec<_>>();
        let bars = [
            DoseBar {
                label: "microneedled".into(),
                fractions: f(&[
                    ("on_surface", 0.1),
                    ("removed", 0.0),
                    ("stratum_corneum", 0.05),
                    ("reticular_dermis", 0.5),
                    ("cleared", 0.35),
                ]),
            },
            DoseBar {
                label: "intact skin".into(),
                fractions: f(&[("on_surface", 0.6), ("removed", 0.0), ("stratum_corneum", 0.4), ("cleared", 1e-12)]),
            },
        ];
        let p = dose_balance("dose", &bars, 24.0, "summary.json").unwrap();
        for label in [">microneedled<", "on the surface", "stratum corneum", ">50%<", ">60%<", "24 h"] {
            assert!(p.svg.contains(label) || p.caption.contains(label), "{label:?}");
        }
        assert!(!p.svg.contains(">wiped off<"), "nothing wiped off: no legend entry");
        // The segments of each bar end at 100 % of the axis.
        let area = p.svg.find("class=\"plot-area\"").unwrap();
        let x_of = |el: &str, k: &str| -> f64 {
            let i = el.find(&format!(" {k}=\"")).unwrap() + k.len() + 3;
            el[i..i + el[i..].find('"').unwrap()].parse().unwrap()
        };
        let area_el = &p.svg[area..area + p.svg[area..].find('>').unwrap()];
        let right = x_of(area_el, "x") + x_of(area_el, "width");
        for bar in 0..2 {
            let tag = format!("data-bar=\"{bar}\"");
            let ends = p.svg.match_indices(&tag).map(|(i, _)| {
                let el = &p.svg[i..i + p.svg[i..].find('>').unwrap()];
                x_of(el, "x") + x_of(el, "width")
            });
            let end = ends.fold(0.0, f64::max);
            assert!((end - right).abs() < 0.5, "bar {bar} ends at {end}, the axis at {right}");
        }
    }
}
