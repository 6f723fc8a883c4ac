//! Plot machinery: every figure is drawn once, as SVG, in the figure style of [`crate::style`];
//! the PNG (for slides and papers) is that SVG rasterised at 300 dpi, so both files show the
//! same picture with the shipped font.
//!
//! The generic charts other stages use ([`line_chart`], [`bar_chart`]) take plain data:
//! `(x, y)` series with labels, optional shaded bands (a 5-95 % range) and bar intervals.

use std::fmt;

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use crate::style::{
    AXIS_PX, AxisRange, BAND_OPACITY, Key, LegendItem, NOTE_PX, PNG_DPI, PngMeta, TICK_PX, palette, tick,
};
pub use crate::style::{FONT_FAMILY, FONT_TTF, register_font};
pub(crate) use crate::style::{font, hex, viridis};

/// A rendered plot.
#[derive(Clone, Debug, Serialize)]
pub struct Plot {
    /// File stem and HTML anchor, e.g. `puncture-map` (lowercase, `-`).
    pub id: String,
    /// Title shown above the figure.
    pub title: String,
    /// What the figure shows, in one or two sentences (also the image's alt text).
    pub caption: String,
    /// The data file (and selection) the figure is drawn from, e.g.
    /// `series.csv (stage transport, quantity flux)`; "" when it is not in a file.
    pub source: String,
    /// The SVG document (with `<title>`, `<desc>` and the marks of [`crate::style`]).
    pub svg: String,
    /// The same figure as PNG bytes, 300 dpi.
    #[serde(skip)]
    pub png: Vec<u8>,
}

/// A plot could not be drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct PlotError(pub String);

impl fmt::Display for PlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "plot: {}", self.0)
    }
}

impl std::error::Error for PlotError {}

pub(crate) fn err<E: fmt::Display>(e: E) -> String {
    e.to_string()
}

/// A figure: drawn by plotters on an SVG backend, plus exact SVG elements it returns (shapes
/// plotters cannot express, the legend, the plot-area marks), appended to the document.
pub(crate) trait Figure {
    /// Canvas size, CSS px.
    fn size(&self) -> (u32, u32);
    /// Draws on `root` and returns SVG elements to append.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<String, String>;
}

/// Renders a figure to SVG and to PNG at [`PNG_DPI`].
pub(crate) fn render(fig: &impl Figure, id: &str, title: &str, caption: &str, source: &str) -> Result<Plot, PlotError> {
    register_font();
    let (w, h) = fig.size();
    let wrap = |e: String| PlotError(format!("{id}: {e}"));
    let mut svg = String::new();
    let overlay = {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| wrap(err(e)))?;
        let o = fig.draw(&root).map_err(wrap)?;
        root.present().map_err(|e| wrap(err(e)))?;
        o
    };
    if !overlay.is_empty() {
        match svg.rfind("</svg>") {
            Some(i) => svg.insert_str(i, &overlay),
            None => return Err(wrap("SVG backend wrote no closing tag".into())),
        }
    }
    let svg = crate::style::annotate_svg(&svg, id, title, caption, source);
    let png = crate::style::svg_to_png(&svg, PNG_DPI, &PngMeta { title, caption, source }).map_err(wrap)?;
    Ok(Plot { id: id.into(), title: title.into(), caption: caption.into(), source: source.into(), svg, png })
}

/// A round step near `span / n` (1, 2 or 5 × 10^k).
pub(crate) fn nice_step(span: f64, n: f64) -> f64 {
    if !(span.is_finite() && span > 0.0) {
        return 1.0;
    }
    let raw = span / n;
    let p = 10f64.powf(raw.log10().floor());
    let m = raw / p;
    let k = if m < 1.5 {
        1.0
    } else if m < 3.5 {
        2.0
    } else if m < 7.5 {
        5.0
    } else {
        10.0
    };
    k * p
}

/// Line style of a series.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum LineStyle {
    /// Continuous line.
    #[default]
    Solid,
    /// Dashed line (by convention: the comparison, e.g. intact skin).
    Dashed,
}

/// One labelled `(x, y)` series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// Points, in drawing order.
    pub points: Vec<(f64, f64)>,
    /// Solid or dashed.
    pub style: LineStyle,
    /// Colour index in the palette (`None`: the series' position).
    pub color: Option<usize>,
}

impl Series {
    /// A solid series.
    pub fn new(label: impl Into<String>, points: &[(f64, f64)]) -> Series {
        Series { label: label.into(), points: points.to_vec(), style: LineStyle::Solid, color: None }
    }

    /// The same series dashed.
    pub fn dashed(mut self) -> Series {
        self.style = LineStyle::Dashed;
        self
    }

    /// The same series in palette colour `i`.
    pub fn color(mut self, i: usize) -> Series {
        self.color = Some(i);
        self
    }
}

/// A labelled vertical line (a session, a layer boundary).
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    /// Position on the x axis.
    pub at: f64,
    /// Short label drawn beside it ("" for none).
    pub label: String,
}

/// A shaded band around a series: the range between a lower and an upper curve (e.g. the
/// 5-95 % range of an uncertain result), drawn in the colour of palette entry `color` at
/// [`crate::style::BAND_OPACITY`], under the lines.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Band {
    /// Legend label, e.g. `5-95 % range` ("" for none).
    pub label: String,
    /// `(x, lower, upper)`, in drawing order.
    pub points: Vec<(f64, f64, f64)>,
    /// Colour index in the palette (`None`: the band's position).
    pub color: Option<usize>,
}

/// The lowest value a logarithmic axis shows, and why: values below it are not drawn, and a
/// series entirely below it is named in the plot ("below the floor throughout").
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Floor {
    /// The floor, data units (> 0).
    pub value: f64,
    /// What it is, shown beside the floor line, e.g. `what the model resolves`.
    pub label: String,
}

/// A line chart of plain data.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineChart {
    /// x-axis label with unit, e.g. `time (h)`.
    pub x_label: String,
    /// y-axis label with unit.
    pub y_label: String,
    /// The series.
    pub series: Vec<Series>,
    /// Shaded bands, drawn under the series.
    pub bands: Vec<Band>,
    /// Logarithmic y axis (non-positive values are left out).
    pub log_y: bool,
    /// Log axes: the floor below which values are not drawn (`None`: the data's minimum).
    pub y_floor: Option<Floor>,
    /// Vertical marker lines.
    pub x_markers: Vec<Marker>,
    /// Fixed y range (`None`: from the data).
    pub y_range: Option<(f64, f64)>,
    /// The data file the series come from (shown in the caption and embedded in the files).
    pub source: String,
}

/// Renders a line chart. Empty series are skipped; a chart with no point at all is an error.
/// The legend goes in a strip above the plot area; a log axis starts at the floor (when set
/// and reached) or at the data's minimum, on a whole decade.
pub fn line_chart(id: &str, title: &str, caption: &str, chart: &LineChart) -> Result<Plot, PlotError> {
    render(&LineFig(chart), id, title, caption, &chart.source)
}

struct LineFig<'a>(&'a LineChart);

impl LineFig<'_> {
    fn floor(&self) -> f64 {
        match &self.0.y_floor {
            Some(f) if self.0.log_y && f.value > 0.0 => f.value,
            _ if self.0.log_y => f64::MIN_POSITIVE,
            _ => f64::NEG_INFINITY,
        }
    }

    /// Drawable points in axis units (log10 on a log axis), split into runs where values drop
    /// below the floor.
    fn runs(&self, s: &Series) -> Vec<Vec<(f64, f64)>> {
        let floor = self.floor();
        let mut runs = vec![Vec::new()];
        for &(x, y) in &s.points {
            if x.is_finite() && y.is_finite() && y >= floor && (!self.0.log_y || y > 0.0) {
                if let Some(r) = runs.last_mut() {
                    r.push((x, if self.0.log_y { y.log10() } else { y }));
                }
            } else if runs.last().is_some_and(|r| !r.is_empty()) {
                runs.push(Vec::new());
            }
        }
        runs.retain(|r| !r.is_empty());
        runs
    }

    fn ty(&self, y: f64) -> f64 {
        if self.0.log_y { y.max(self.floor()).log10() } else { y }
    }

    /// Whether a series has finite points but none at or above the floor.
    fn all_below_floor(&self, s: &Series) -> bool {
        self.0.y_floor.is_some()
            && s.points.iter().any(|p| p.0.is_finite() && p.1.is_finite())
            && self.runs(s).is_empty()
    }

    fn legend_items(&self) -> Vec<LegendItem> {
        let c = self.0;
        let mut items = Vec::new();
        for (i, s) in c.series.iter().enumerate() {
            if s.label.is_empty() {
                continue;
            }
            let label = if self.all_below_floor(s) {
                format!("{} (below the floor throughout)", s.label)
            } else {
                s.label.clone()
            };
            items.push(LegendItem {
                label,
                colour: palette(s.color.unwrap_or(i)),
                key: Key::Line { dashed: s.style == LineStyle::Dashed },
            });
        }
        for (i, b) in c.bands.iter().enumerate() {
            if !b.label.is_empty() {
                items.push(LegendItem {
                    label: b.label.clone(),
                    colour: palette(b.color.unwrap_or(i)),
                    key: Key::Swatch { opacity: BAND_OPACITY },
                });
            }
        }
        items
    }
}

impl Figure for LineFig<'_> {
    fn size(&self) -> (u32, u32) {
        (760, 440)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<String, String> {
        let c = self.0;
        let floor = self.floor();
        let mut all: Vec<(f64, f64)> = c.series.iter().flat_map(|s| self.runs(s)).flatten().collect();
        for b in &c.bands {
            for &(x, lo, hi) in &b.points {
                for y in [lo, hi] {
                    if x.is_finite() && y.is_finite() && y >= floor && (!c.log_y || y > 0.0) {
                        all.push((x, if c.log_y { y.log10() } else { y }));
                    }
                }
            }
        }
        if all.is_empty() && !c.series.iter().any(|s| self.all_below_floor(s)) {
            return Err("no finite point to draw".into());
        }
        let xs = c.series.iter().flat_map(|s| s.points.iter().map(|p| p.0)).filter(|x| x.is_finite());
        let (mut x0, mut x1) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |a, x| (a.0.min(x), a.1.max(x)));
        for m in &c.x_markers {
            x0 = x0.min(m.at);
            x1 = x1.max(m.at);
        }
        for b in &c.bands {
            for &(x, lo, hi) in &b.points {
                if x.is_finite() && lo.is_finite() && hi.is_finite() {
                    x0 = x0.min(x);
                    x1 = x1.max(x);
                }
            }
        }
        let clipped = c
            .series
            .iter()
            .any(|s| s.points.iter().any(|p| p.0.is_finite() && p.1.is_finite() && p.1 < floor && c.y_floor.is_some()));
        let (mut y0, mut y1) = match c.y_range {
            Some((a, b)) if c.log_y => (a.max(f64::MIN_POSITIVE).log10(), b.max(f64::MIN_POSITIVE).log10()),
            Some(r) => r,
            None => all.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| (a.0.min(p.1), a.1.max(p.1))),
        };
        if c.y_range.is_none() {
            if c.log_y {
                // Whole decades; down to the floor when values were cut there.
                if clipped || !y0.is_finite() {
                    y0 = floor.log10();
                }
                if !y1.is_finite() {
                    y1 = y0 + 1.0;
                }
                y0 = y0.floor();
                y1 = y1.ceil().max(y0 + 1.0);
            } else {
                y0 = y0.min(0.0);
                y1 += 0.05 * (y1 - y0);
            }
        }
        if !(x0.is_finite() && x1.is_finite()) {
            (x0, x1) = (0.0, 1.0);
        }
        if !(y0.is_finite() && y1.is_finite()) {
            (y0, y1) = (0.0, 1.0);
        }
        if x1 <= x0 {
            x1 = x0 + 1.0;
        }
        if y1 <= y0 {
            y1 = y0 + 1.0;
        }
        let (w, _) = self.size();
        let items = self.legend_items();
        let left = 92.0;
        let legend_h = crate::style::legend_height(&items, f64::from(w) - left - 16.0);
        let (_, area) = root.split_vertically(legend_h.ceil() as u32);
        let mut chart = ChartBuilder::on(&area)
            .margin(12)
            .margin_right(22)
            .x_label_area_size(54)
            .y_label_area_size(left as u32 - 12)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(err)?;
        let log = c.log_y;
        // Log axes: ticks on whole decades only, labelled with the plain number.
        let yfmt = move |v: &f64| {
            if !log {
                tick(*v)
            } else if (v - v.round()).abs() < 1e-6 {
                tick(10f64.powi(v.round() as i32))
            } else {
                String::new()
            }
        };
        let y_labels = if log { ((y1 - y0).round() as usize + 1).clamp(2, 12) } else { 8 };
        chart
            .configure_mesh()
            .y_labels(y_labels)
            .x_labels(8)
            .x_desc(c.x_label.as_str())
            .y_desc(c.y_label.as_str())
            .label_style(font(TICK_PX))
            .axis_desc_style(font(AXIS_PX))
            .y_label_formatter(&yfmt)
            .x_label_formatter(&|v| tick(*v))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .draw()
            .map_err(err)?;
        for (i, b) in c.bands.iter().enumerate() {
            let pts: Vec<&(f64, f64, f64)> =
                b.points.iter().filter(|p| p.0.is_finite() && p.1.is_finite() && p.2.is_finite()).collect();
            if pts.len() < 2 {
                continue;
            }
            let mut poly: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, self.ty(p.2))).collect();
            poly.extend(pts.iter().rev().map(|p| (p.0, self.ty(p.1))));
            let col = palette(b.color.unwrap_or(i));
            chart.draw_series(std::iter::once(Polygon::new(poly, col.mix(BAND_OPACITY).filled()))).map_err(err)?;
        }
        for m in &c.x_markers {
            chart
                .draw_series(DashedLineSeries::new(
                    [(m.at, y0), (m.at, y1)],
                    4,
                    4,
                    ShapeStyle::from(&BLACK.mix(0.45)).stroke_width(1),
                ))
                .map_err(err)?;
            if !m.label.is_empty() {
                chart
                    .draw_series(std::iter::once(Text::new(
                        m.label.clone(),
                        (m.at, y1 - 0.02 * (y1 - y0)),
                        font(NOTE_PX).color(&BLACK.mix(0.7)),
                    )))
                    .map_err(err)?;
            }
        }
        let grey = RGBColor(90, 90, 90);
        if let Some(f) = &c.y_floor
            && log
            && clipped
        {
            let fy = f.value.log10();
            chart.draw_series(DashedLineSeries::new([(x0, fy), (x1, fy)], 2, 3, grey.stroke_width(1))).map_err(err)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("floor {}: {}", tick(f.value), f.label),
                    (x0 + 0.01 * (x1 - x0), fy + 0.02 * (y1 - y0)),
                    font(NOTE_PX).color(&grey).pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Left,
                        plotters::style::text_anchor::VPos::Bottom,
                    )),
                )))
                .map_err(err)?;
        }
        for (i, s) in c.series.iter().enumerate() {
            let col = palette(s.color.unwrap_or(i));
            let style = ShapeStyle::from(&col).stroke_width(2);
            for run in self.runs(s) {
                if run.len() == 1 {
                    chart.draw_series(std::iter::once(Circle::new(run[0], 3, col.filled()))).map_err(err)?;
                    continue;
                }
                match s.style {
                    LineStyle::Solid => chart.draw_series(LineSeries::new(run, style)).map_err(err)?,
                    LineStyle::Dashed => chart.draw_series(DashedLineSeries::new(run, 7, 5, style)).map_err(err)?,
                };
            }
        }
        let (px, py) = chart.plotting_area().get_pixel_range();
        let yr = |v: f64| if log { 10f64.powf(v) } else { v };
        let mut overlay = crate::style::plot_area(
            f64::from(px.start),
            f64::from(py.start),
            f64::from(px.end),
            f64::from(py.end),
            AxisRange { min: x0, max: x1, log: false },
            AxisRange { min: yr(y0), max: yr(y1), log },
        );
        overlay.push_str(&crate::style::legend(
            &items,
            f64::from(px.start),
            4.0,
            f64::from(w) - f64::from(px.start) - 16.0,
        ));
        Ok(overlay)
    }
}

/// Short number for key numbers and labels: no trailing zeros, scientific beyond 1e5 or below
/// 1e-3 (axis ticks use [`crate::style::tick`]).
pub(crate) fn short(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if !(1e-3..1e5).contains(&a) {
        format!("{v:.0e}")
    } else {
        let s = format!("{v:.3}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" { "0".into() } else { s.into() }
    }
}

/// One bar of a [`BarChart`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bar {
    /// Label under the bar.
    pub label: String,
    /// Height.
    pub value: f64,
    /// An interval drawn as an error bar, `(low, high)` (e.g. a 95 % confidence interval).
    pub interval: Option<(f64, f64)>,
    /// Colour index in the palette (`None`: by sign, negative in palette 0, else palette 1).
    pub color: Option<usize>,
}

/// A bar chart of labelled values (negative values go below the zero line), with optional
/// intervals.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BarChart {
    /// x-axis title ("" for none).
    pub x_label: String,
    /// y-axis title with unit.
    pub y_label: String,
    /// The bars, left to right.
    pub bars: Vec<Bar>,
    /// What the error bars are, for the legend ("" for none).
    pub interval_label: String,
    /// The data file the bars come from.
    pub source: String,
}

/// A bar chart of labelled values (negative values go below the zero line).
pub fn bar_chart(
    id: &str,
    title: &str,
    caption: &str,
    y_label: &str,
    bars: &[(String, f64)],
) -> Result<Plot, PlotError> {
    let chart = BarChart {
        y_label: y_label.into(),
        bars: bars.iter().map(|(l, v)| Bar { label: l.clone(), value: *v, ..Default::default() }).collect(),
        ..Default::default()
    };
    bar_chart_of(id, title, caption, &chart)
}

/// Renders a [`BarChart`].
pub fn bar_chart_of(id: &str, title: &str, caption: &str, chart: &BarChart) -> Result<Plot, PlotError> {
    render(&BarFig(chart), id, title, caption, &chart.source)
}

struct BarFig<'a>(&'a BarChart);

impl Figure for BarFig<'_> {
    fn size(&self) -> (u32, u32) {
        (760, 440)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<String, String> {
        let c = self.0;
        let bars: Vec<&Bar> = c.bars.iter().filter(|b| b.value.is_finite()).collect();
        if bars.is_empty() {
            return Err("no finite bar to draw".into());
        }
        let ends = bars.iter().flat_map(|b| {
            let (l, h) = b.interval.unwrap_or((b.value, b.value));
            [b.value, l, h]
        });
        let lo = ends.clone().filter(|v| v.is_finite()).fold(0.0, f64::min);
        let hi = ends.filter(|v| v.is_finite()).fold(0.0, f64::max);
        let pad = 0.08 * (hi - lo).max(1e-9);
        let n = bars.len() as f64;
        let (w, _) = self.size();
        let items: Vec<LegendItem> = if c.interval_label.is_empty() {
            Vec::new()
        } else {
            vec![LegendItem { label: c.interval_label.clone(), colour: BLACK, key: Key::Line { dashed: false } }]
        };
        let legend_h = crate::style::legend_height(&items, f64::from(w) - 100.0);
        let (_, area) = root.split_vertically(legend_h.ceil() as u32);
        let (y0, y1) = (lo - if lo < 0.0 { pad } else { 0.0 }, hi + pad);
        let mut chart = ChartBuilder::on(&area)
            .margin(12)
            .margin_right(22)
            .x_label_area_size(54)
            .y_label_area_size(80)
            .build_cartesian_2d(-0.5..n - 0.5, y0..y1)
            .map_err(err)?;
        let names: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
        let xfmt = move |v: &f64| {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 {
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(bars.len() * 2 + 1)
            .x_label_formatter(&xfmt)
            .x_desc(c.x_label.as_str())
            .y_desc(c.y_label.as_str())
            .label_style(font(TICK_PX))
            .axis_desc_style(font(AXIS_PX))
            .y_label_formatter(&|v| tick(*v))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, b)| {
                let x = i as f64;
                let col = palette(b.color.unwrap_or(if b.value < 0.0 { 0 } else { 1 }));
                Rectangle::new([(x - 0.35, 0.0), (x + 0.35, b.value)], col.filled())
            }))
            .map_err(err)?;
        for (i, b) in bars.iter().enumerate() {
            if let Some((l, h)) = b.interval.filter(|(l, h)| l.is_finite() && h.is_finite()) {
                let x = i as f64;
                let st = BLACK.stroke_width(2);
                for seg in [[(x, l), (x, h)], [(x - 0.1, l), (x + 0.1, l)], [(x - 0.1, h), (x + 0.1, h)]] {
                    chart.draw_series(std::iter::once(PathElement::new(seg.to_vec(), st))).map_err(err)?;
                }
            }
        }
        chart
            .draw_series(std::iter::once(PathElement::new(vec![(-0.5, 0.0), (n - 0.5, 0.0)], BLACK.stroke_width(1))))
            .map_err(err)?;
        let (px, py) = chart.plotting_area().get_pixel_range();
        let mut overlay = crate::style::plot_area(
            f64::from(px.start),
            f64::from(py.start),
            f64::from(px.end),
            f64::from(py.end),
            AxisRange { min: -0.5, max: n - 0.5, log: false },
            AxisRange { min: y0, max: y1, log: false },
        );
        overlay.push_str(&crate::style::legend(
            &items,
            f64::from(px.start),
            4.0,
            f64::from(w) - f64::from(px.start) - 16.0,
        ));
        Ok(overlay)
    }
}

/// One part of a [`StackedBarChart`] (a kind of segment, e.g. a compartment of a dose), with
/// its colour; the parts are stacked left to right in their order.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// Legend label.
    pub label: String,
    /// Fill colour.
    pub colour: RGBColor,
}

/// One bar of a [`StackedBarChart`]: its label and one value per part, in the parts' order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StackedBar {
    /// Label left of the bar.
    pub label: String,
    /// Value of each part (negative values, round-off, are drawn as nothing).
    pub values: Vec<f64>,
}

/// Horizontal bars, each split into the parts it is made of (e.g. where a dose went, in % of
/// it). Each segment is written as `<rect class="stack-part" data-bar="i" data-part="label"
/// data-value="v">` so that tests can add a bar up without reading pixels. Segments wide
/// enough carry their value; parts under [`StackedBarChart::legend_min`] in every bar are
/// left out of the legend (they are not visible either).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StackedBarChart {
    /// x-axis title with unit.
    pub x_label: String,
    /// The parts, in stacking order.
    pub parts: Vec<Part>,
    /// The bars, top to bottom.
    pub bars: Vec<StackedBar>,
    /// Fixed x range `0..x_max` (`None`: to the longest bar plus 5 %).
    pub x_max: Option<f64>,
    /// Unit written after the value inside a segment (e.g. `%`).
    pub value_unit: String,
    /// Smallest value that earns a part its legend entry (in at least one bar).
    pub legend_min: f64,
    /// The data file the bars come from.
    pub source: String,
}

/// Renders a [`StackedBarChart`]. A chart without bars, or with a bar whose number of values
/// differs from the number of parts, is an error.
pub fn stacked_bar_chart(id: &str, title: &str, caption: &str, chart: &StackedBarChart) -> Result<Plot, PlotError> {
    if chart.bars.is_empty() {
        return Err(PlotError(format!("{id}: no bar to draw")));
    }
    if let Some(b) = chart.bars.iter().find(|b| b.values.len() != chart.parts.len()) {
        return Err(PlotError(format!(
            "{id}: bar {:?} has {} values for {} parts",
            b.label,
            b.values.len(),
            chart.parts.len()
        )));
    }
    render(&StackFig(chart), id, title, caption, &chart.source)
}

struct StackFig<'a>(&'a StackedBarChart);

/// Height of one bar's row, CSS px.
const STACK_ROW_PX: f64 = 46.0;
/// Width of the figure, CSS px.
const STACK_W: f64 = 760.0;

impl StackFig<'_> {
    fn legend_items(&self) -> Vec<LegendItem> {
        let c = self.0;
        c.parts
            .iter()
            .enumerate()
            .filter(|(k, _)| c.bars.iter().any(|b| b.values[*k] >= c.legend_min && b.values[*k] > 0.0))
            .map(|(_, p)| LegendItem { label: p.label.clone(), colour: p.colour, key: Key::Swatch { opacity: 1.0 } })
            .collect()
    }

    /// Width of the label column left of the bars, px: the longest label, at most a third of
    /// the figure.
    fn label_w(&self) -> f64 {
        let w = self.0.bars.iter().map(|b| crate::style::text_width(&b.label, TICK_PX)).fold(0.0, f64::max);
        (w + 18.0).clamp(60.0, STACK_W / 3.0)
    }

    fn legend_h(&self) -> f64 {
        crate::style::legend_height(&self.legend_items(), STACK_W - self.label_w() - 28.0)
    }
}

impl Figure for StackFig<'_> {
    fn size(&self) -> (u32, u32) {
        let h = self.legend_h() + 12.0 + STACK_ROW_PX * self.0.bars.len() as f64 + 54.0 + 8.0;
        (STACK_W as u32, h.ceil() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<String, String> {
        let c = self.0;
        let n = c.bars.len() as f64;
        let totals = c.bars.iter().map(|b| b.values.iter().filter(|v| v.is_finite() && **v > 0.0).sum::<f64>());
        let longest = totals.fold(0.0, f64::max);
        let x1 =
            c.x_max.filter(|m| m.is_finite() && *m > 0.0).unwrap_or(if longest > 0.0 { 1.05 * longest } else { 1.0 });
        let items = self.legend_items();
        let label_w = self.label_w();
        let (_, area) = root.split_vertically(self.legend_h().ceil() as u32);
        let mut chart = ChartBuilder::on(&area)
            .margin(12)
            .margin_right(22)
            .margin_bottom(8)
            .x_label_area_size(54)
            .y_label_area_size(label_w as u32)
            .build_cartesian_2d(0.0..x1, 0.0..n)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(6)
            .x_desc(c.x_label.as_str())
            .label_style(font(TICK_PX))
            .axis_desc_style(font(AXIS_PX))
            .x_label_formatter(&|v| tick(*v))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .draw()
            .map_err(err)?;
        let (px, py) = chart.plotting_area().get_pixel_range();
        let (px0, px1) = (f64::from(px.start), f64::from(px.end));
        let (py0, py1) = (f64::from(py.start), f64::from(py.end));
        let sx = (px1 - px0) / x1;
        let row = (py1 - py0) / n;
        let mut o = crate::style::plot_area(
            px0,
            py0,
            px1,
            py1,
            AxisRange { min: 0.0, max: x1, log: false },
            AxisRange { min: 0.0, max: n, log: false },
        );
        for (i, b) in c.bars.iter().enumerate() {
            let top = py0 + row * (i as f64 + 0.18);
            let h = row * 0.64;
            let mid = top + 0.5 * h;
            let _ = std::fmt::Write::write_fmt(
                &mut o,
                format_args!(
                    "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-family=\"{FONT_FAMILY}\" \
                     font-size=\"{TICK_PX}\" fill=\"#000000\">{}</text>",
                    px0 - 8.0,
                    mid + 0.35 * TICK_PX,
                    crate::style::xml_escape(&b.label)
                ),
            );
            let mut x = 0.0f64;
            for (&v, part) in b.values.iter().zip(&c.parts) {
                let w = if v.is_finite() && v > 0.0 { v } else { 0.0 };
                let (a, z) = (px0 + sx * x.min(x1), px0 + sx * (x + w).min(x1));
                x += w;
                let _ = std::fmt::Write::write_fmt(
                    &mut o,
                    format_args!(
                        "<rect class=\"stack-part\" data-bar=\"{i}\" data-part=\"{}\" data-value=\"{v:e}\" x=\"{a:.2}\" \
                         y=\"{top:.1}\" width=\"{:.2}\" height=\"{h:.1}\" fill=\"{}\"{}/>",
                        crate::style::xml_escape(&part.label),
                        z - a,
                        hex(part.colour),
                        if z - a >= 1.5 { " stroke=\"#ffffff\" stroke-width=\"0.75\"" } else { "" }
                    ),
                );
                let text = format!("{}{}", if w >= 10.0 { format!("{w:.0}") } else { format!("{w:.1}") }, c.value_unit);
                if w > 0.0 && z - a >= crate::style::text_width(&text, NOTE_PX) + 8.0 {
                    let RGBColor(r, g, bl) = part.colour;
                    let light = 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(bl) > 140.0;
                    let _ = std::fmt::Write::write_fmt(
                        &mut o,
                        format_args!(
                            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-family=\"{FONT_FAMILY}\" \
                             font-size=\"{NOTE_PX}\" fill=\"{}\">{}</text>",
                            0.5 * (a + z),
                            mid + 0.35 * NOTE_PX,
                            if light { "#000000" } else { "#ffffff" },
                            crate::style::xml_escape(&text)
                        ),
                    );
                }
            }
        }
        o.push_str(&crate::style::legend(&items, px0, 4.0, STACK_W - px0 - 16.0));
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps_are_round() {
        assert_eq!(nice_step(1000.0, 5.0), 200.0);
        assert_eq!(nice_step(30000.0, 6.0), 5000.0);
        assert!((nice_step(0.7, 7.0) - 0.1).abs() < 1e-12);
    }

    #[test]
    fn short_labels() {
        assert_eq!(short(2.5), "2.5");
        assert_eq!(short(100.0), "100");
        assert_eq!(short(0.0), "0");
        assert_eq!(short(2e6), "2e6");
    }

    #[test]
    fn line_chart_draws_svg_and_png() {
        let c = LineChart {
            x_label: "time (h)".into(),
            y_label: "amount (µg/cm²)".into(),
            series: vec![
                Series::new("treated", &[(0.0, 0.0), (1.0, 2.0), (2.0, 3.0)]),
                Series::new("intact", &[(0.0, 0.0), (1.0, 0.5), (2.0, 1.0)]).dashed(),
            ],
            ..Default::default()
        };
        let p = line_chart("t", "T", "c", &c).unwrap();
        assert!(p.svg.starts_with("<svg"), "{}", &p.svg[..50.min(p.svg.len())]);
        assert!(p.svg.contains("treated") && p.svg.contains("intact"));
        assert_eq!(&p.png[1..4], b"PNG");
    }

    #[test]
    fn empty_chart_is_an_error_not_a_panic() {
        let c = LineChart { series: vec![Series::new("x", &[(0.0, f64::NAN)])], ..Default::default() };
        assert!(line_chart("e", "E", "", &c).is_err());
        assert!(bar_chart("b", "B", "", "y", &[]).is_err());
    }

    #[test]
    fn bar_chart_with_negative_values() {
        let p = bar_chart("g", "G", "", "grade change", &[("a".into(), -1.0), ("b".into(), 0.5)]).unwrap();
        assert!(p.svg.contains("<rect"));
    }

    #[test]
    fn stacked_bars_keep_their_values_and_leave_invisible_parts_out_of_the_legend() {
        let part = |l: &str, i: usize| Part { label: l.into(), colour: crate::style::palette(i) };
        let c = StackedBarChart {
            x_label: "share (%)".into(),
            parts: vec![part("left", 0), part("middle", 1), part("trace", 2)],
            bars: vec![
                StackedBar { label: "one".into(), values: vec![60.0, 40.0, 0.0] },
                StackedBar { label: "two".into(), values: vec![10.0, 89.99, 0.01] },
            ],
            x_max: Some(100.0),
            value_unit: "%".into(),
            legend_min: 0.1,
            source: "test".into(),
        };
        let p = stacked_bar_chart("s", "S", "", &c).unwrap();
        assert_eq!(p.svg.matches("class=\"stack-part\"").count(), 6);
        assert!(p.svg.contains(">60%<") && p.svg.contains(">90%<"), "values inside wide segments");
        assert!(!p.svg.contains(">trace<"), "a part under 0.1 in every bar has no legend entry");
        assert!(p.svg.contains(">middle<") && p.svg.contains(">one<"));
        let bad = StackedBarChart { bars: vec![StackedBar { label: "x".into(), values: vec![1.0] }], ..c.clone() };
        assert!(stacked_bar_chart("b", "B", "", &bad).is_err());
        assert!(stacked_bar_chart("e", "E", "", &StackedBarChart { bars: vec![], ..c }).is_err());
    }
}
