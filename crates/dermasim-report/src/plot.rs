//! Plot machinery: one drawing routine renders both an SVG (for the HTML report and for
//! zooming) and a PNG (for slides and documents), with the shipped font so text is laid out
//! identically on every machine.
//!
//! The generic charts other stages use ([`line_chart`], [`bar_chart`]) take plain data:
//! `(x, y)` series with labels.

use std::fmt;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use serde::Serialize;

/// Font family name the shipped font is registered under (and named in SVG text).
pub const FONT_FAMILY: &str = "DejaVu Sans";

/// DejaVu Sans (Bitstream Vera licence, `assets/fonts/LICENSE-DejaVu.txt`).
pub const FONT_TTF: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");

static FONT: Once = Once::new();

/// Registers the shipped font with plotters (once per process).
pub fn register_font() {
    FONT.call_once(|| {
        // The font is a constant of this crate: failure to parse it is a build defect, and
        // plotters then reports every text as a drawing error instead of panicking.
        let _ = plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, FONT_TTF);
    });
}

/// A rendered plot.
#[derive(Clone, Debug, Serialize)]
pub struct Plot {
    /// File stem and HTML anchor, e.g. `puncture-map` (lowercase, `-`).
    pub id: String,
    /// Title shown above the figure.
    pub title: String,
    /// What the figure shows, in one or two sentences (also the image's alt text).
    pub caption: String,
    /// The SVG document.
    pub svg: String,
    /// The same figure as PNG bytes.
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

/// What a figure is being drawn for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Svg,
    Png,
}

/// A figure drawn by the same code on any backend.
pub(crate) trait Figure {
    /// Canvas size, px.
    fn size(&self) -> (u32, u32);
    /// Draws on `root`. For [`Target::Svg`] it may return SVG elements to append to the
    /// document (exact, sub-pixel shapes plotters cannot express).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, target: Target) -> Result<String, String>;
}

/// Renders a figure to SVG and PNG.
pub(crate) fn render(fig: &impl Figure, id: &str, title: &str, caption: &str) -> Result<Plot, PlotError> {
    register_font();
    let (w, h) = fig.size();
    let wrap = |e: String| PlotError(format!("{id}: {e}"));
    let mut svg = String::new();
    let overlay = {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| wrap(err(e)))?;
        let o = fig.draw(&root, Target::Svg).map_err(wrap)?;
        root.present().map_err(|e| wrap(err(e)))?;
        o
    };
    if !overlay.is_empty() {
        match svg.rfind("</svg>") {
            Some(i) => svg.insert_str(i, &overlay),
            None => return Err(wrap("SVG backend wrote no closing tag".into())),
        }
    }
    let mut buf = vec![0u8; (w as usize) * (h as usize) * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| wrap(err(e)))?;
        fig.draw(&root, Target::Png).map_err(wrap)?;
        root.present().map_err(|e| wrap(err(e)))?;
    }
    let png = encode_png(&buf, w, h).map_err(wrap)?;
    Ok(Plot { id: id.into(), title: title.into(), caption: caption.into(), svg, png })
}

fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut wr = enc.write_header().map_err(err)?;
        wr.write_image_data(rgb).map_err(err)?;
    }
    Ok(out)
}

/// Text style in the shipped font.
pub(crate) fn font(size: f64) -> TextStyle<'static> {
    TextStyle::from((FONT_FAMILY, size).into_font()).color(&BLACK)
}

/// Viridis, sampled at five points and interpolated linearly (perceptually ordered, readable
/// in grey and by the colour-blind).
pub(crate) fn viridis(t: f64) -> RGBColor {
    const P: [(u8, u8, u8); 5] = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)];
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let x = t * 4.0;
    let i = (x.floor() as usize).min(3);
    let f = x - i as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + f * (f64::from(b) - f64::from(a))).round() as u8;
    RGBColor(mix(P[i].0, P[i + 1].0), mix(P[i].1, P[i + 1].1), mix(P[i].2, P[i + 1].2))
}

/// Series colours (Okabe-Ito, colour-blind safe).
pub(crate) const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];

pub(crate) fn hex(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
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

/// A line chart of plain data.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineChart {
    /// x-axis label with unit, e.g. `time (h)`.
    pub x_label: String,
    /// y-axis label with unit.
    pub y_label: String,
    /// The series.
    pub series: Vec<Series>,
    /// Logarithmic y axis (non-positive values are left out).
    pub log_y: bool,
    /// Vertical marker lines.
    pub x_markers: Vec<Marker>,
    /// Fixed y range (`None`: from the data).
    pub y_range: Option<(f64, f64)>,
}

/// Renders a line chart. Empty series are skipped; a chart with no point at all is an error.
pub fn line_chart(id: &str, title: &str, caption: &str, chart: &LineChart) -> Result<Plot, PlotError> {
    render(&LineFig(chart), id, title, caption)
}

struct LineFig<'a>(&'a LineChart);

impl LineFig<'_> {
    fn points(&self, s: &Series) -> Vec<(f64, f64)> {
        s.points
            .iter()
            .filter(|(x, y)| x.is_finite() && y.is_finite() && (!self.0.log_y || *y > 0.0))
            .map(|&(x, y)| (x, if self.0.log_y { y.log10() } else { y }))
            .collect()
    }
}

impl Figure for LineFig<'_> {
    fn size(&self) -> (u32, u32) {
        (760, 420)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, _t: Target) -> Result<String, String> {
        let c = self.0;
        let all: Vec<(f64, f64)> = c.series.iter().flat_map(|s| self.points(s)).collect();
        if all.is_empty() {
            return Err("no finite point to draw".into());
        }
        let (mut x0, mut x1) = all.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| (a.0.min(p.0), a.1.max(p.0)));
        for m in &c.x_markers {
            x0 = x0.min(m.at);
            x1 = x1.max(m.at);
        }
        let (mut y0, mut y1) = match c.y_range {
            Some((a, b)) if c.log_y => (a.max(f64::MIN_POSITIVE).log10(), b.max(f64::MIN_POSITIVE).log10()),
            Some(r) => r,
            None => all.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| (a.0.min(p.1), a.1.max(p.1))),
        };
        if !c.log_y && c.y_range.is_none() {
            y0 = y0.min(0.0);
        }
        if x1 <= x0 {
            x1 = x0 + 1.0;
        }
        if y1 <= y0 {
            y1 = y0 + 1.0;
        }
        let pad = 0.05 * (y1 - y0);
        let (y0, y1) = if c.y_range.is_some() { (y0, y1) } else { (if c.log_y { y0 - pad } else { y0 }, y1 + pad) };
        let mut chart = ChartBuilder::on(root)
            .margin(14)
            .x_label_area_size(46)
            .y_label_area_size(76)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(err)?;
        let log = c.log_y;
        // Log axes: ticks on whole decades only, labelled with the plain number.
        let yfmt = move |v: &f64| {
            if !log {
                short(*v)
            } else if (v - v.round()).abs() < 1e-6 {
                short(10f64.powi(v.round() as i32))
            } else {
                String::new()
            }
        };
        let y_labels = if log { ((y1 - y0).ceil() as usize + 1).clamp(2, 12) } else { 10 };
        chart
            .configure_mesh()
            .y_labels(y_labels)
            .x_desc(c.x_label.as_str())
            .y_desc(c.y_label.as_str())
            .label_style(font(13.0))
            .axis_desc_style(font(14.0))
            .y_label_formatter(&yfmt)
            .x_label_formatter(&|v| short(*v))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .draw()
            .map_err(err)?;
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
                        font(11.0).color(&BLACK.mix(0.7)),
                    )))
                    .map_err(err)?;
            }
        }
        let mut labelled = false;
        for (i, s) in c.series.iter().enumerate() {
            let pts = self.points(s);
            if pts.is_empty() {
                continue;
            }
            let col = PALETTE[s.color.unwrap_or(i) % PALETTE.len()];
            let style = ShapeStyle::from(&col).stroke_width(2);
            let anno = match s.style {
                LineStyle::Solid => chart.draw_series(LineSeries::new(pts, style)).map_err(err)?,
                LineStyle::Dashed => chart.draw_series(DashedLineSeries::new(pts, 7, 5, style)).map_err(err)?,
            };
            if !s.label.is_empty() {
                labelled = true;
                let dashed = s.style == LineStyle::Dashed;
                anno.label(s.label.clone()).legend(move |(x, y)| {
                    let st = ShapeStyle::from(&col).stroke_width(2);
                    if dashed {
                        PathElement::new(vec![(x, y), (x + 8, y)], st)
                    } else {
                        PathElement::new(vec![(x, y), (x + 20, y)], st)
                    }
                });
            }
        }
        if labelled {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .label_font(font(12.0))
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.3))
                .draw()
                .map_err(err)?;
        }
        Ok(String::new())
    }
}

/// Short tick label: no trailing zeros, scientific beyond 1e5 or below 1e-3.
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

/// A bar chart of labelled values (negative values go below the zero line).
pub fn bar_chart(
    id: &str,
    title: &str,
    caption: &str,
    y_label: &str,
    bars: &[(String, f64)],
) -> Result<Plot, PlotError> {
    render(&BarFig { y_label, bars }, id, title, caption)
}

struct BarFig<'a> {
    y_label: &'a str,
    bars: &'a [(String, f64)],
}

impl Figure for BarFig<'_> {
    fn size(&self) -> (u32, u32) {
        (760, 420)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, _t: Target) -> Result<String, String> {
        let bars: Vec<&(String, f64)> = self.bars.iter().filter(|b| b.1.is_finite()).collect();
        if bars.is_empty() {
            return Err("no finite bar to draw".into());
        }
        let lo = bars.iter().map(|b| b.1).fold(0.0, f64::min);
        let hi = bars.iter().map(|b| b.1).fold(0.0, f64::max);
        let pad = 0.08 * (hi - lo).max(1e-9);
        let n = bars.len() as f64;
        let mut chart = ChartBuilder::on(root)
            .margin(14)
            .x_label_area_size(46)
            .y_label_area_size(76)
            .build_cartesian_2d(-0.5..n - 0.5, (lo - if lo < 0.0 { pad } else { 0.0 })..(hi + pad))
            .map_err(err)?;
        let names: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
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
            .y_desc(self.y_label)
            .label_style(font(13.0))
            .axis_desc_style(font(14.0))
            .y_label_formatter(&|v| short(*v))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, b)| {
                let x = i as f64;
                let col = if b.1 < 0.0 { PALETTE[0] } else { PALETTE[1] };
                Rectangle::new([(x - 0.35, 0.0), (x + 0.35, b.1)], col.filled())
            }))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(PathElement::new(vec![(-0.5, 0.0), (n - 0.5, 0.0)], BLACK.stroke_width(1))))
            .map_err(err)?;
        Ok(String::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_ends_and_middle() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert_eq!(viridis(0.5), RGBColor(33, 145, 140));
        assert_eq!(viridis(f64::NAN), RGBColor(68, 1, 84));
    }

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
}
