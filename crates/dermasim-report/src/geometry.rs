//! Plots of the punctures and channels: the puncture map, a skin cross-section drawn to scale,
//! and the channel-depth histogram.

use std::fmt::Write as _;

use dermasim_core::channels::Channel;
use dermasim_core::skin::LayerThickness;
use plotters::coord::Shift;
use plotters::prelude::*;

use plotters::coord::types::RangedCoordf64;

use crate::plot::{FONT_FAMILY, Figure, Plot, PlotError, err, font, hex, nice_step, render, short, viridis};
use crate::style::{AXIS_PX, AxisRange, NOTE_PX, TICK_PX, palette, plot_area, tick, xml_escape};

/// At most this many holes are drawn on the puncture map: a larger window is shown through a
/// centred square view that holds about this many (keeps the SVG under ~1 MB).
pub const MAX_DRAWN_HOLES: usize = 8000;

/// The square part of the window a map shows, µm from the window's corner.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MapView {
    /// Left edge, µm.
    pub x0_um: f64,
    /// Bottom edge, µm.
    pub y0_um: f64,
    /// Side, µm.
    pub side_um: f64,
}

impl MapView {
    /// The whole window if it holds at most `max_holes` punctures, else a centred square whose
    /// area share is `max_holes / count`.
    pub fn fitting(window_um: f64, count: usize, max_holes: usize) -> MapView {
        let side = if count <= max_holes {
            window_um
        } else {
            // Rounded down to a round length so the caption reads well.
            let raw = window_um * (max_holes as f64 / count as f64).sqrt();
            let step = nice_step(raw, 10.0);
            ((raw / step).floor() * step).max(step)
        };
        let x0 = 0.5 * (window_um - side);
        MapView { x0_um: x0, y0_um: x0, side_um: side }
    }

    /// Whether a point lies in the view (half-open, like the window).
    pub fn contains(&self, x_um: f64, y_um: f64) -> bool {
        (self.x0_um..self.x0_um + self.side_um).contains(&x_um)
            && (self.y0_um..self.y0_um + self.side_um).contains(&y_um)
    }
}

/// The puncture map: every hole in `view` drawn to scale as an ellipse (length along the
/// direction of travel × width across it), coloured by channel depth on a scale spanning the
/// depths of the window's channels (so that their spread shows), with a scale bar and a colour
/// bar on which the layers are marked. In the SVG each hole is one `<ellipse class="hole">`
/// element (holes smaller than a pixel keep a hairline outline so they stay visible), and the
/// colour bar is marked `<rect class="colour-scale" data-min data-max>` (µm).
#[allow(clippy::too_many_arguments)] // data, view, scale and labels; all needed
pub fn puncture_map(
    channels: &[Channel],
    window_um: f64,
    view: MapView,
    needle_length_um: f64,
    layers: &LayerThickness,
    id: &str,
    title: &str,
    caption: &str,
) -> Result<Plot, PlotError> {
    let scale = DepthScale::spanning(channels.iter().map(|c| c.depth_um), needle_length_um);
    let marks = channels
        .iter()
        .filter(|c| view.contains(c.x_um, c.y_um))
        .map(|c| Mark {
            x_um: c.x_um,
            y_um: c.y_um,
            length_um: c.length_um,
            width_um: c.width_um,
            direction_deg: c.direction_deg,
            t: scale.t(c.depth_um),
        })
        .collect();
    let bar = ColourBar::Depth { scale, needle_um: needle_length_um, layers: *layers };
    render(
        &MapFig { marks, view, window_um, bar, id },
        id,
        title,
        caption,
        "channels.csv (x_um, y_um, depth_um, width_um, length_um, direction_deg)",
    )
}

/// One distinct hole of a window: where it is, its largest opening, and how many punctures
/// made it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hole {
    /// Centre (its first puncture's), µm from the window's corner.
    pub x_um: f64,
    /// Centre, µm.
    pub y_um: f64,
    /// Largest opening length among its punctures, µm.
    pub length_um: f64,
    /// Largest opening width among its punctures, µm.
    pub width_um: f64,
    /// Direction of travel of its first puncture, degrees.
    pub direction_deg: f64,
    /// Punctures that made it.
    pub hits: u32,
}

/// The distinct holes of a window from the channels and the pattern stage's hole index of
/// every puncture (`PatternStats::hole_of`, same order as the channels).
pub fn distinct_holes(channels: &[Channel], hole_of: &[u32]) -> Vec<Hole> {
    let n = hole_of.iter().map(|&h| h as usize + 1).max().unwrap_or(0);
    let mut holes: Vec<Option<Hole>> = vec![None; n];
    for (c, &h) in channels.iter().zip(hole_of) {
        let slot = &mut holes[h as usize];
        match slot {
            None => {
                *slot = Some(Hole {
                    x_um: c.x_um,
                    y_um: c.y_um,
                    length_um: c.length_um,
                    width_um: c.width_um,
                    direction_deg: c.direction_deg,
                    hits: 1,
                })
            }
            Some(o) => {
                o.hits += 1;
                o.length_um = o.length_um.max(c.length_um);
                o.width_um = o.width_um.max(c.width_um);
            }
        }
    }
    holes.into_iter().flatten().collect()
}

/// The map of distinct holes, for patterns whose punctures overlap (a pen stamping faster than
/// it moves on): one disc per distinct hole, drawn to scale with the largest opening of its
/// punctures, coloured by how many punctures made it (viridis over 1 to the most hits, one
/// step per count), with a scale bar. The SVG has one `<ellipse class="hole">` per distinct hole
/// and `<rect class="colour-scale" data-min data-max data-unit="punctures">`.
pub fn hole_map(
    holes: &[Hole],
    window_um: f64,
    view: MapView,
    id: &str,
    title: &str,
    caption: &str,
) -> Result<Plot, PlotError> {
    let max_hits = holes.iter().map(|h| h.hits).max().unwrap_or(1).max(1);
    let t = |hits: u32| if max_hits > 1 { f64::from(hits - 1) / f64::from(max_hits - 1) } else { 0.0 };
    let marks = holes
        .iter()
        .filter(|h| view.contains(h.x_um, h.y_um))
        .map(|h| Mark {
            x_um: h.x_um,
            y_um: h.y_um,
            length_um: h.length_um,
            width_um: h.width_um,
            direction_deg: h.direction_deg,
            t: t(h.hits),
        })
        .collect();
    render(
        &MapFig { marks, view, window_um, bar: ColourBar::Hits { max: max_hits }, id },
        id,
        title,
        caption,
        "punctures.csv (hole) and channels.csv (x_um, y_um, width_um, length_um)",
    )
}

/// The depth range a colour scale spans, µm: the data's range widened to round numbers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DepthScale {
    /// Shallow end, µm.
    pub lo_um: f64,
    /// Deep end, µm.
    pub hi_um: f64,
}

impl DepthScale {
    /// The range of the finite `depths`, widened to a round step (1, 2 or 5 × 10^k, about a
    /// fifth of the spread) and to at least 10 µm; `fallback_um` (the needle length) sets it when
    /// there is no depth.
    pub fn spanning(depths: impl Iterator<Item = f64>, fallback_um: f64) -> DepthScale {
        let (lo, hi) =
            depths.filter(|d| d.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |a, d| (a.0.min(d), a.1.max(d)));
        let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, fallback_um.max(1.0)) };
        let step = nice_step((hi - lo).max(10.0), 5.0);
        let mut a = (lo / step).floor() * step;
        let mut b = (hi / step).ceil() * step;
        if b - a < 10.0 {
            a = (0.5 * (a + b) - 5.0).max(0.0);
            b = a + 10.0;
        }
        if b <= a {
            b = a + step;
        }
        DepthScale { lo_um: a.max(0.0), hi_um: b }
    }

    /// Position of a depth on the scale, 0-1 (clamped).
    pub fn t(&self, depth_um: f64) -> f64 {
        ((depth_um - self.lo_um) / (self.hi_um - self.lo_um)).clamp(0.0, 1.0)
    }
}

/// Number of holes [`puncture_map`] draws for this view.
pub fn holes_in_view(channels: &[Channel], view: MapView) -> usize {
    channels.iter().filter(|c| view.contains(c.x_um, c.y_um)).count()
}

/// One ellipse of a map: position, opening and its place on the colour scale (0-1).
struct Mark {
    x_um: f64,
    y_um: f64,
    length_um: f64,
    width_um: f64,
    direction_deg: f64,
    t: f64,
}

/// What a map's colours mean.
enum ColourBar {
    /// Channel depth, with the layers marked.
    Depth { scale: DepthScale, needle_um: f64, layers: LayerThickness },
    /// Punctures per distinct hole, 1 to `max`.
    Hits { max: u32 },
}

struct MapFig<'a> {
    id: &'a str,
    marks: Vec<Mark>,
    view: MapView,
    window_um: f64,
    bar: ColourBar,
}

impl Figure for MapFig<'_> {
    fn size(&self) -> (u32, u32) {
        (800, 680)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<String, String> {
        let (left, right) = root.split_horizontally(660);
        let v = self.view;
        let mm = 1000.0;
        let (x0, x1) = (v.x0_um / mm, (v.x0_um + v.side_um) / mm);
        let (y0, y1) = (v.y0_um / mm, (v.y0_um + v.side_um) / mm);
        let mut chart = ChartBuilder::on(&left)
            .margin(12)
            .x_label_area_size(54)
            .y_label_area_size(64)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(err)?;
        plain_mesh(&mut chart, "x (mm)", "y (mm)")?;
        let (px, py) = chart.plotting_area().get_pixel_range();
        let scale = f64::from(px.end - px.start) / v.side_um; // px per µm
        let to_px =
            |x: f64, y: f64| (f64::from(px.start) + (x - v.x0_um) * scale, f64::from(py.end) - (y - v.y0_um) * scale);
        let mut overlay = plot_area(
            f64::from(px.start),
            f64::from(py.start),
            f64::from(px.end),
            f64::from(py.end),
            AxisRange { min: x0, max: x1, log: false },
            AxisRange { min: y0, max: y1, log: false },
        );
        // Exact sub-pixel ellipses; one element per hole, clipped to the plot area.
        let clip = format!("clip-{}", self.id);
        let _ = write!(
            overlay,
            "<clipPath id=\"{clip}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath>\
             <g class=\"holes\" clip-path=\"url(#{clip})\" data-count=\"{}\">\
             <style>.hole{{stroke-width:0.8;fill-opacity:0.9}}</style>",
            px.start,
            py.start,
            px.end - px.start,
            py.end - py.start,
            self.marks.len()
        );
        for c in &self.marks {
            let (cx, cy) = to_px(c.x_um, c.y_um);
            let col = hex(viridis(c.t));
            let _ = write!(
                overlay,
                "<ellipse class=\"hole\" cx=\"{cx:.2}\" cy=\"{cy:.2}\" rx=\"{:.3}\" ry=\"{:.3}\" transform=\"rotate({:.1} {cx:.2} {cy:.2})\" fill=\"{col}\" stroke=\"{col}\"/>",
                0.5 * c.length_um * scale,
                0.5 * c.width_um * scale,
                -c.direction_deg,
            );
        }
        overlay.push_str("</g>");
        // Scale bar (about a fifth of the view, round length, bottom left) and, for a part of the
        // window, what part: after the holes so that holes never hide them.
        let bar_um = nice_step(v.side_um, 5.0);
        let (bx, by) = (v.x0_um + 0.05 * v.side_um, v.y0_um + 0.05 * v.side_um);
        let label =
            if bar_um >= 1000.0 { format!("{} mm", short(bar_um / 1000.0)) } else { format!("{} µm", short(bar_um)) };
        let (x0p, y0p) = to_px(bx, by);
        let bar_px = bar_um * scale;
        let _ = write!(
            overlay,
            "<g class=\"scale-bar\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"42\" fill=\"#ffffff\" \
             fill-opacity=\"0.9\"/><rect x=\"{x0p:.1}\" y=\"{:.1}\" width=\"{bar_px:.1}\" height=\"5\" fill=\"#000000\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-family=\"{FONT_FAMILY}\" font-size=\"{TICK_PX}\">{label}</text></g>",
            x0p - 8.0,
            y0p - 34.0,
            bar_px + 16.0,
            y0p - 5.0,
            x0p + 0.5 * bar_px,
            y0p - 12.0,
        );
        if v.side_um < self.window_um {
            let n =
                format!("{0} × {0} mm of the {1} × {1} mm window", short(v.side_um / mm), short(self.window_um / mm));
            let _ = write!(
                overlay,
                "<g class=\"view-note\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"22\" fill=\"#ffffff\" \
                 fill-opacity=\"0.9\"/><text x=\"{:.1}\" y=\"{:.1}\" font-family=\"{FONT_FAMILY}\" font-size=\"{NOTE_PX}\">{}</text></g>",
                f64::from(px.start) + 4.0,
                f64::from(py.start) + 4.0,
                crate::style::text_width(&n, NOTE_PX) + 10.0,
                f64::from(px.start) + 9.0,
                f64::from(py.start) + 20.0,
                xml_escape(&n)
            );
        }
        overlay.push_str(&match &self.bar {
            ColourBar::Depth { scale, needle_um, layers } => draw_colour_bar(&right, *scale, *needle_um, layers)?,
            ColourBar::Hits { max } => draw_hits_bar(&right, *max)?,
        });
        Ok(overlay)
    }
}

/// The depth colour bar of the map: viridis over the scale's range, each layer the range
/// crosses named beside its part of the bar, the boundaries between them drawn as white lines.
/// Returns the SVG mark of the scale.
fn draw_colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: DepthScale,
    needle_um: f64,
    layers: &LayerThickness,
) -> Result<String, String> {
    let mut chart = ChartBuilder::on(area)
        .margin_top(12)
        .margin_bottom(66)
        .margin_left(40)
        .margin_right(8)
        .y_label_area_size(0)
        .right_y_label_area_size(50)
        .build_cartesian_2d(0.0..1.0, -s.hi_um..-s.lo_um)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_axis()
        .disable_mesh()
        .y_labels(6)
        .y_label_formatter(&|d| tick(-*d))
        .label_style(font(TICK_PX))
        .draw()
        .map_err(err)?;
    let n = 64;
    let span = s.hi_um - s.lo_um;
    chart
        .draw_series((0..n).map(|k| {
            let a = s.lo_um + span * k as f64 / n as f64;
            let b = s.lo_um + span * (k + 1) as f64 / n as f64;
            Rectangle::new([(0.0, -a), (1.0, -b)], viridis(s.t(0.5 * (a + b))).filled())
        }))
        .map_err(err)?;
    let (px, py) = chart.plotting_area().get_pixel_range();
    let (bx, by) = area.get_base_pixel();
    let y_of = |d: f64| f64::from(py.start) + f64::from(py.end - py.start) * (d - s.lo_um) / span;
    let b = layers.boundaries_um();
    let tops = [0.0, b[0], b[1], b[2], b[3]];
    let bottoms = [b[0], b[1], b[2], b[3], f64::INFINITY];
    let anchor = plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Right,
        plotters::style::text_anchor::VPos::Center,
    );
    for i in 0..5 {
        let (t, bo) = (tops[i].max(s.lo_um), bottoms[i].min(s.hi_um));
        if bo <= t {
            continue;
        }
        if tops[i] > s.lo_um {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(0.0, -tops[i]), (1.0, -tops[i])],
                    WHITE.stroke_width(2),
                )))
                .map_err(err)?;
        }
        // The layer's short name at the middle of its part of the bar, if there is room.
        if y_of(bo) - y_of(t) >= 14.0 {
            let y = 0.5 * (y_of(t) + y_of(bo));
            area.draw(&Text::new(
                LAYER_SHORT[i],
                (px.start - bx - 4, y.round() as i32 - by),
                font(NOTE_PX).color(&BLACK.mix(0.8)).pos(anchor),
            ))
            .map_err(err)?;
        }
    }
    if (s.lo_um..=s.hi_um).contains(&needle_um) {
        let y = y_of(needle_um).round() as i32 - by;
        area.draw(&PathElement::new(
            vec![(px.start - bx - 6, y), (px.end - bx, y)],
            ShapeStyle::from(&RGBColor(0, 90, 180)).stroke_width(2),
        ))
        .map_err(err)?;
    }
    let h = area.dim_in_pixel().1 as i32;
    area.draw(&Text::new("channel", (8, h - 50), font(AXIS_PX))).map_err(err)?;
    area.draw(&Text::new("depth (µm)", (8, h - 32), font(AXIS_PX))).map_err(err)?;
    Ok(format!(
        "<rect class=\"colour-scale\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"none\" \
         data-min=\"{}\" data-max=\"{}\" data-unit=\"µm\"/>",
        px.start,
        py.start,
        px.end - px.start,
        py.end - py.start,
        s.lo_um,
        s.hi_um
    ))
}

/// The hit-count colour bar of the hole map: one viridis step per count from 1 to `max`.
/// Returns the SVG mark of the scale.
fn draw_hits_bar<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, max: u32) -> Result<String, String> {
    let top = f64::from(max) + 0.5;
    let mut chart = ChartBuilder::on(area)
        .margin_top(12)
        .margin_bottom(66)
        .margin_left(40)
        .margin_right(8)
        .y_label_area_size(0)
        .right_y_label_area_size(50)
        .build_cartesian_2d(0.0..1.0, 0.5..top)
        .map_err(err)?;
    let step = nice_step(f64::from(max), 6.0).max(1.0);
    chart
        .configure_mesh()
        .disable_x_axis()
        .disable_mesh()
        .y_labels(((f64::from(max) / step).ceil() as usize + 1).min(12))
        .y_label_formatter(&|v| if (v - v.round()).abs() < 1e-6 && *v >= 1.0 { tick(v.round()) } else { String::new() })
        .label_style(font(TICK_PX))
        .draw()
        .map_err(err)?;
    let t = |k: u32| if max > 1 { f64::from(k - 1) / f64::from(max - 1) } else { 0.0 };
    chart
        .draw_series(
            (1..=max).map(|k| {
                Rectangle::new([(0.0, f64::from(k) - 0.5), (1.0, f64::from(k) + 0.5)], viridis(t(k)).filled())
            }),
        )
        .map_err(err)?;
    let (px, py) = chart.plotting_area().get_pixel_range();
    let h = area.dim_in_pixel().1 as i32;
    area.draw(&Text::new("punctures", (8, h - 50), font(AXIS_PX))).map_err(err)?;
    area.draw(&Text::new("per hole", (8, h - 32), font(AXIS_PX))).map_err(err)?;
    Ok(format!(
        "<rect class=\"colour-scale\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"none\" \
         data-min=\"1\" data-max=\"{max}\" data-unit=\"punctures\"/>",
        px.start,
        py.start,
        px.end - px.start,
        py.end - py.start,
    ))
}

/// Short names of the layers, top down (as in the captions).
const LAYER_SHORT: [&str; 5] = ["SC", "VE", "PD", "RD", "HD"];

/// Short names of the lower boundary of each layer and its depth, µm.
fn layer_marks(l: &LayerThickness) -> [(&'static str, f64); 4] {
    let b = l.boundaries_um();
    [("SC", b[0]), ("VE", b[1]), ("PD", b[2]), ("RD", b[3])]
}

const LAYER_COLOURS: [(u8, u8, u8); 5] =
    [(196, 160, 120), (242, 204, 170), (244, 170, 160), (226, 132, 128), (248, 228, 160)];
const LAYER_NAMES: [&str; 5] =
    ["stratum corneum", "viable epidermis", "papillary dermis", "reticular dermis", "hypodermis (fat)"];

/// A slab of skin seen from the side, layers and channels to the same scale in both directions:
/// channels whose centre lies within `slab_um / 2` of the window's middle line (y), drawn as
/// wedges of their opening width narrowing to their depth. The depth axis reaches below the
/// needle length and the dermis so that short and long needles can be compared at a glance.
pub fn cross_section(
    channels: &[Channel],
    window_um: f64,
    layers: &LayerThickness,
    needle_length_um: f64,
    id: &str,
    title: &str,
    caption_prefix: &str,
) -> Result<(Plot, CrossSection), PlotError> {
    let b = layers.boundaries_um();
    let depth_max = {
        let d =
            (b[3] + 300.0).max(needle_length_um * 1.15).max(channels.iter().map(|c| c.depth_um).fold(0.0, f64::max));
        let step = 250.0;
        (d / step).ceil() * step
    };
    let fig = SectionFig::new(channels, window_um, *layers, needle_length_um, depth_max);
    let info =
        CrossSection { width_um: fig.width_um, slab_um: fig.slab_um, channels: fig.cut.len(), depth_max_um: depth_max };
    let caption = format!(
        "{caption_prefix}{} channels within a {:.0} µm thick slab through the middle of the window, over {:.1} mm; \
         horizontal and vertical scales are equal.",
        info.channels,
        info.slab_um,
        info.width_um / 1000.0
    );
    Ok((
        render(&fig, id, title, &caption, "channels.csv (x_um, y_um, depth_um, width_um); the layers: summary.json")?,
        info,
    ))
}

/// What a cross-section shows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CrossSection {
    /// Width of the section, µm.
    pub width_um: f64,
    /// Thickness of the slab whose channels are drawn, µm.
    pub slab_um: f64,
    /// Channels drawn.
    pub channels: usize,
    /// Depth axis, µm.
    pub depth_max_um: f64,
}

/// Thickest slab whose channels a cross-section shows, µm.
pub const MAX_SLAB_UM: f64 = 3000.0;

struct SectionFig {
    cut: Vec<Channel>,
    x0_um: f64,
    width_um: f64,
    slab_um: f64,
    layers: LayerThickness,
    needle_um: f64,
    depth_max: f64,
    mean_depth_um: f64,
}

/// Plot area of the section, px: the figure (900 × 470) less the legend (230), margins (2 × 12),
/// and the label areas (64 left, 44 below). Checked against plotters' layout when drawn.
const SECTION_PX: (f64, f64) = (900.0 - 230.0 - 24.0 - 64.0, 470.0 - 24.0 - 44.0);

impl SectionFig {
    fn new(channels: &[Channel], window_um: f64, layers: LayerThickness, needle_um: f64, depth_max: f64) -> SectionFig {
        let width_um = (depth_max * SECTION_PX.0 / SECTION_PX.1).min(window_um);
        let x0_um = 0.5 * (window_um - width_um);
        // A slab holding about 12 channels (thin where channels are dense, so that they stay
        // apart), at most 3 mm thick (a thicker slab would stack channels from far apart).
        let density = channels.len() as f64 / (window_um * window_um).max(1.0);
        let slab_um = (12.0 / (density * width_um).max(1e-12)).clamp(1.0, MAX_SLAB_UM.min(window_um));
        let yc = 0.5 * window_um;
        let cut: Vec<Channel> = channels
            .iter()
            .filter(|c| (c.y_um - yc).abs() < 0.5 * slab_um && (x0_um..x0_um + width_um).contains(&c.x_um))
            .copied()
            .collect();
        let mean_depth_um = channels.iter().map(|c| c.depth_um).sum::<f64>() / channels.len().max(1) as f64;
        SectionFig { cut, x0_um, width_um, slab_um, layers, needle_um, depth_max, mean_depth_um }
    }
}

impl Figure for SectionFig {
    fn size(&self) -> (u32, u32) {
        (900, 470)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<String, String> {
        let (left, right) = root.split_horizontally(900 - 230);
        let mm = 1000.0;
        let (x0, x1) = (self.x0_um, self.x0_um + self.width_um);
        let mut chart = ChartBuilder::on(&left)
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..(x1 - x0) / mm, -self.depth_max..0.0)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("across the skin (mm)")
            .y_desc("depth (µm)")
            .label_style(font(TICK_PX))
            .axis_desc_style(font(AXIS_PX))
            .x_label_formatter(&|x| short(*x))
            .y_label_formatter(&|d| short(-*d))
            .disable_mesh()
            .draw()
            .map_err(err)?;
        let (px, py) = chart.plotting_area().get_pixel_range();
        let (sx, sy) = (f64::from(px.end - px.start) / self.width_um, f64::from(py.end - py.start) / self.depth_max);
        // A window narrower than the section is stretched across (said in the caption).
        let full_width = self.width_um + 1.0 >= self.depth_max * SECTION_PX.0 / SECTION_PX.1;
        if full_width && (sx / sy - 1.0).abs() > 0.03 {
            return Err(format!("cross-section not to scale: {sx:.4} px/µm across, {sy:.4} down"));
        }
        let b = self.layers.boundaries_um();
        let tops = [0.0, b[0], b[1], b[2], b[3]];
        let bottoms = [b[0], b[1], b[2], b[3], self.depth_max];
        for i in 0..5 {
            let (t, bo) = (tops[i].min(self.depth_max), bottoms[i].min(self.depth_max));
            if bo > t {
                let (r, g, bl) = LAYER_COLOURS[i];
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(0.0, -t), ((x1 - x0) / mm, -bo)],
                        RGBColor(r, g, bl).filled(),
                    )))
                    .map_err(err)?;
            }
        }
        let dark = RGBColor(40, 30, 60);
        chart
            .draw_series(self.cut.iter().map(|c| {
                let x = (c.x_um - x0) / mm;
                let hw = 0.5 * c.width_um / mm;
                Polygon::new(vec![(x - hw, 0.0), (x + hw, 0.0), (x, -c.depth_um)], dark.mix(0.8).filled())
            }))
            .map_err(err)?;
        chart
            .draw_series(self.cut.iter().map(|c| {
                let x = (c.x_um - x0) / mm;
                let hw = 0.5 * c.width_um / mm;
                PathElement::new(vec![(x - hw, 0.0), (x, -c.depth_um), (x + hw, 0.0)], WHITE.mix(0.7).stroke_width(1))
            }))
            .map_err(err)?;
        // Mean depth of all channels of the window (not only those drawn), labelled.
        if self.mean_depth_um > 0.0 {
            let m = -self.mean_depth_um;
            let mc = RGBColor(20, 20, 20);
            chart
                .draw_series(DashedLineSeries::new([(0.0, m), ((x1 - x0) / mm, m)], 2, 3, mc.stroke_width(1)))
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("channels: {:.0} µm deep on average", self.mean_depth_um),
                    (0.99 * (x1 - x0) / mm, m - 0.008 * self.depth_max),
                    font(NOTE_PX).color(&mc).pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Right,
                        plotters::style::text_anchor::VPos::Top,
                    )),
                )))
                .map_err(err)?;
        }
        let needle = -self.needle_um;
        chart
            .draw_series(DashedLineSeries::new(
                [(0.0, needle), ((x1 - x0) / mm, needle)],
                8,
                5,
                ShapeStyle::from(&RGBColor(0, 90, 180)).stroke_width(2),
            ))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Text::new(
                format!("needle length {} mm", short(self.needle_um / mm)),
                (0.01 * (x1 - x0) / mm, needle - 0.01 * self.depth_max),
                font(NOTE_PX).color(&RGBColor(0, 70, 150)),
            )))
            .map_err(err)?;
        let (px, py) = chart.plotting_area().get_pixel_range();
        let mark = plot_area(
            f64::from(px.start),
            f64::from(py.start),
            f64::from(px.end),
            f64::from(py.end),
            AxisRange { min: 0.0, max: (x1 - x0) / mm, log: false },
            AxisRange { min: -self.depth_max, max: 0.0, log: false },
        );
        // Legend: layers with their thickness, then channels.
        let mut y = 20;
        let thick = [
            self.layers.stratum_corneum_um,
            self.layers.viable_epidermis_um,
            self.layers.papillary_dermis_um,
            self.layers.reticular_dermis_um,
        ];
        for i in 0..5 {
            let (r, g, bl) = LAYER_COLOURS[i];
            right.draw(&Rectangle::new([(8, y), (28, y + 16)], RGBColor(r, g, bl).filled())).map_err(err)?;
            right.draw(&Rectangle::new([(8, y), (28, y + 16)], BLACK.mix(0.3).stroke_width(1))).map_err(err)?;
            right.draw(&Text::new(LAYER_NAMES[i], (34, y), font(NOTE_PX))).map_err(err)?;
            let sub = if i < 4 { format!("{} µm", short(thick[i])) } else { format!("below {} µm", short(b[3])) };
            right.draw(&Text::new(sub, (34, y + 16), font(12.0).color(&BLACK.mix(0.6)))).map_err(err)?;
            y += 42;
        }
        right.draw(&Polygon::new(vec![(10, y), (26, y), (18, y + 18)], dark.filled())).map_err(err)?;
        right.draw(&Text::new("channel (to scale)", (34, y + 2), font(NOTE_PX))).map_err(err)?;
        y += 34;
        for (a, b) in [(8, 14), (19, 25)] {
            right
                .draw(&PathElement::new(
                    vec![(a, y + 8), (b, y + 8)],
                    ShapeStyle::from(&RGBColor(0, 90, 180)).stroke_width(2),
                ))
                .map_err(err)?;
        }
        right.draw(&Text::new("needle length", (34, y), font(NOTE_PX))).map_err(err)?;
        y += 26;
        for k in 0..4 {
            right
                .draw(&PathElement::new(vec![(8 + 5 * k, y + 8), (10 + 5 * k, y + 8)], BLACK.stroke_width(1)))
                .map_err(err)?;
        }
        right.draw(&Text::new("mean channel depth", (34, y), font(NOTE_PX))).map_err(err)?;
        Ok(mark)
    }
}

/// Histogram of channel depths with the layer boundaries (and the needle length) marked.
pub fn depth_histogram(
    depths_um: &[f64],
    layers: &LayerThickness,
    needle_length_um: f64,
    id: &str,
    title: &str,
    caption: &str,
) -> Result<Plot, PlotError> {
    render(
        &HistFig { depths: depths_um, layers: *layers, needle_um: needle_length_um },
        id,
        title,
        caption,
        "channels.csv (depth_um)",
    )
}

struct HistFig<'a> {
    depths: &'a [f64],
    layers: LayerThickness,
    needle_um: f64,
}

/// Bin counts of `xs` over `[0, n·width)`; values outside are dropped.
pub(crate) fn bin_counts(xs: &[f64], width: f64, n: usize) -> Vec<usize> {
    let mut c = vec![0; n];
    for &x in xs {
        if x.is_finite() && x >= 0.0 {
            let i = (x / width).floor() as usize;
            if i < n {
                c[i] += 1;
            }
        }
    }
    c
}

impl Figure for HistFig<'_> {
    fn size(&self) -> (u32, u32) {
        (760, 420)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<String, String> {
        let dmax = self.depths.iter().copied().filter(|d| d.is_finite()).fold(0.0, f64::max);
        let xmax = (dmax.max(self.needle_um) * 1.08).max(1.0);
        let width = nice_step(xmax, 40.0);
        let n = (xmax / width).ceil() as usize;
        let xmax = n as f64 * width;
        let counts = bin_counts(self.depths, width, n);
        let cmax = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
        let mut chart = ChartBuilder::on(root)
            .margin(14)
            .margin_right(24)
            .x_label_area_size(46)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..xmax, 0.0..cmax * 1.18)
            .map_err(err)?;
        plain_mesh(&mut chart, "channel depth (µm)", "channels")?;
        chart
            .draw_series(counts.iter().enumerate().filter(|(_, c)| **c > 0).map(|(i, c)| {
                let a = i as f64 * width;
                Rectangle::new([(a, 0.0), (a + width, *c as f64)], palette(0).mix(0.85).filled())
            }))
            .map_err(err)?;
        let top = cmax * 1.18;
        let mut row = 0;
        for (name, d) in layer_marks(&self.layers) {
            if d < xmax {
                chart
                    .draw_series(DashedLineSeries::new([(d, 0.0), (d, top)], 5, 4, BLACK.mix(0.5).stroke_width(1)))
                    .map_err(err)?;
                chart
                    .draw_series(std::iter::once(Text::new(
                        format!("{name} ends"),
                        (d + 0.005 * xmax, top * (0.97 - 0.06 * f64::from(row))),
                        font(NOTE_PX).color(&BLACK.mix(0.7)),
                    )))
                    .map_err(err)?;
                row = (row + 1) % 3;
            }
        }
        let nc = RGBColor(0, 90, 180);
        chart
            .draw_series(DashedLineSeries::new(
                [(self.needle_um, 0.0), (self.needle_um, top)],
                8,
                5,
                nc.stroke_width(2),
            ))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Text::new(
                "needle".to_string(),
                (self.needle_um, top * 0.75),
                font(12.0).color(&nc).pos(plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Right,
                    plotters::style::text_anchor::VPos::Top,
                )),
            )))
            .map_err(err)?;
        let (px, py) = chart.plotting_area().get_pixel_range();
        Ok(plot_area(
            f64::from(px.start),
            f64::from(py.start),
            f64::from(px.end),
            f64::from(py.end),
            AxisRange { min: 0.0, max: xmax, log: false },
            AxisRange { min: 0.0, max: top, log: false },
        ))
    }
}

/// The axes of the map and the histogram: labelled, short tick labels, faint major lines only.
fn plain_mesh<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    x_desc: &str,
    y_desc: &str,
) -> Result<(), String> {
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style(font(TICK_PX))
        .axis_desc_style(font(AXIS_PX))
        .x_label_formatter(&|x| short(*x))
        .y_label_formatter(&|y| short(*y))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(BLACK.mix(0.06))
        .draw()
        .map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dermasim_core::skin::Layer;

    fn ch(x: f64, y: f64, depth: f64) -> Channel {
        Channel {
            x_um: x,
            y_um: y,
            depth_um: depth,
            width_um: 40.0,
            length_um: 80.0,
            direction_deg: 30.0,
            tilt_deg: 0.0,
            layer: Layer::ViableEpidermis,
            bent: false,
            torn: false,
        }
    }

    fn layers() -> LayerThickness {
        LayerThickness {
            stratum_corneum_um: 15.0,
            viable_epidermis_um: 60.0,
            papillary_dermis_um: 200.0,
            reticular_dermis_um: 800.0,
            hypodermis_um: 4000.0,
        }
    }

    #[test]
    fn map_draws_one_ellipse_per_hole_in_view() {
        let chans: Vec<Channel> = (0..50).map(|i| ch(100.0 * i as f64 + 10.0, 2500.0, 100.0 + i as f64)).collect();
        let view = MapView::fitting(5000.0, chans.len(), MAX_DRAWN_HOLES);
        assert_eq!(view.side_um, 5000.0);
        let p = puncture_map(&chans, 5000.0, view, 250.0, &layers(), "m", "M", "").unwrap();
        assert_eq!(p.svg.matches("<ellipse class=\"hole\"").count(), 50);
        // A smaller view keeps only its holes.
        let v2 = MapView { x0_um: 0.0, y0_um: 2000.0, side_um: 1000.0 };
        assert_eq!(holes_in_view(&chans, v2), 10);
        let p2 = puncture_map(&chans, 5000.0, v2, 250.0, &layers(), "m", "M", "").unwrap();
        assert_eq!(p2.svg.matches("<ellipse class=\"hole\"").count(), 10);
    }

    #[test]
    fn hole_map_draws_one_disc_per_distinct_hole_coloured_by_hits() {
        // Three punctures into hole 0, one into hole 1, two into hole 2.
        let chans = vec![
            ch(100.0, 100.0, 500.0),
            ch(102.0, 100.0, 510.0),
            ch(101.0, 101.0, 505.0),
            ch(400.0, 400.0, 500.0),
            ch(700.0, 200.0, 500.0),
            ch(701.0, 200.0, 500.0),
        ];
        let holes = distinct_holes(&chans, &[0, 0, 0, 1, 2, 2]);
        assert_eq!(holes.iter().map(|h| h.hits).collect::<Vec<_>>(), [3, 1, 2]);
        assert_eq!((holes[0].x_um, holes[0].y_um), (100.0, 100.0), "the first puncture's centre");
        let p = hole_map(&holes, 1000.0, MapView::fitting(1000.0, 3, 100), "h", "H", "c").unwrap();
        assert_eq!(p.svg.matches("<ellipse class=\"hole\"").count(), 3);
        assert!(p.svg.contains("data-max=\"3\" data-unit=\"punctures\""));
        // Most hits at the top of viridis (yellow), one hit at its foot (purple).
        assert!(p.svg.contains(&format!("fill=\"{}\"", hex(viridis(1.0)))));
        assert!(p.svg.contains(&format!("fill=\"{}\"", hex(viridis(0.0)))));
    }

    #[test]
    fn ellipse_to_scale_and_oriented() {
        // One hole, 80 µm long along 30°, 40 µm wide, in a 1000 µm view.
        let chans = vec![ch(500.0, 500.0, 100.0)];
        let view = MapView { x0_um: 0.0, y0_um: 0.0, side_um: 1000.0 };
        let p = puncture_map(&chans, 1000.0, view, 250.0, &layers(), "m", "M", "").unwrap();
        let e = &p.svg[p.svg.find("<ellipse").unwrap()..];
        let attr = |name: &str| -> f64 {
            let i = e.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
            e[i..i + e[i..].find('"').unwrap()].parse().unwrap()
        };
        let ratio = attr("rx") / attr("ry");
        assert!((ratio - 2.0).abs() < 0.01, "rx/ry = {ratio}");
        assert!(e.contains("rotate(-30.0"), "{}", &e[..200]);
    }

    #[test]
    fn large_windows_are_viewed_through_a_centred_square() {
        let v = MapView::fitting(30_000.0, 81_000, 8000);
        // 30 mm × sqrt(8000 / 81000) = 9.43 mm, rounded down to 9 mm.
        assert!((v.side_um - 9000.0).abs() < 1e-6, "{v:?}");
        assert!((v.x0_um + 0.5 * v.side_um - 15_000.0).abs() < 1e-6);
    }

    #[test]
    fn histogram_bins() {
        assert_eq!(bin_counts(&[0.0, 9.9, 10.0, 35.0, -1.0, f64::NAN, 1e9], 10.0, 4), vec![2, 1, 0, 1]);
    }

    #[test]
    fn section_keeps_channels_of_the_slab_and_is_to_scale() {
        let chans: Vec<Channel> =
            (0..200).map(|i| ch(25.0 * i as f64, 2500.0 + (i % 2) as f64 * 2000.0, 150.0)).collect();
        let (p, info) = cross_section(&chans, 5000.0, &layers(), 500.0, "x", "X", "").unwrap();
        // Half the channels sit on the middle line, half 2 mm away (outside any slab < 4 mm).
        assert!(info.channels > 0 && info.channels <= 100, "{info:?}");
        assert_eq!(info.width_um, 5000.0f64.min(info.depth_max_um * SECTION_PX.0 / SECTION_PX.1));
        assert!(info.depth_max_um >= 1075.0 + 300.0);
        assert!(p.svg.contains("needle length 0.5 mm"));
        assert!(p.svg.contains("channels: 150 µm deep on average"));
    }
}
