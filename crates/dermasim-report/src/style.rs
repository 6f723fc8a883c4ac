//! The one figure style every plot of dermasim uses: type sizes, colours, the legend, the
//! machine-readable marks of a figure's SVG, and the PNG export.
//!
//! # What a figure is made of
//!
//! Every figure is drawn once, as SVG (plotters' SVG backend plus exact SVG elements written
//! here). The PNG for slides and papers is that same SVG rasterised by `resvg` at
//! [`PNG_DPI`] (the `pHYs` chunk says so), with the shipped DejaVu Sans as the only font, so
//! the two files show the same picture and the text is laid out by a real shaping engine
//! (plotters' own bitmap text misplaces glyphs: "reticul ar dermis").
//!
//! # Rules of the style
//!
//! - Type: [`TICK_PX`] tick labels, [`AXIS_PX`] axis titles, [`LEGEND_PX`] legends,
//!   [`NOTE_PX`] annotations, in CSS px of a figure about 760 px wide, so that a figure printed
//!   across an A4 text column (~170 mm) has 9-11 pt text.
//! - Colours: series from the Okabe-Ito palette ([`PALETTE`]; safe for the common colour
//!   vision deficiencies), continuous scales in viridis ([`viridis`]). A band (e.g. the 5-95 %
//!   range of an uncertain result) is its series' colour at [`BAND_OPACITY`].
//! - Legends sit outside the plot area, in a strip above it ([`legend`]), never over data.
//! - Every figure's SVG has a `<title>`, a `<desc>` (the caption and the data file it was drawn
//!   from), one `<rect class="plot-area">` per panel carrying its axis ranges as `data-`
//!   attributes, and its legend as `<g class="legend">` with a `<rect class="legend-box">`:
//!   the structure tests (`tests/figures.rs`) read these, so a legend drawn over data or an
//!   axis running to round-off fails CI without a browser.

use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use plotters::style::{FontStyle, IntoFont, RGBColor, TextStyle};

/// Font family name the shipped font is registered under (and named in SVG text).
pub const FONT_FAMILY: &str = "DejaVu Sans";

/// DejaVu Sans (Bitstream Vera licence, `assets/fonts/LICENSE-DejaVu.txt`).
pub const FONT_TTF: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");

/// Tick labels, CSS px.
pub const TICK_PX: f64 = 14.0;
/// Axis titles, CSS px.
pub const AXIS_PX: f64 = 15.0;
/// Legend entries, CSS px.
pub const LEGEND_PX: f64 = 14.0;
/// Annotations inside a plot (layer names, markers), CSS px.
pub const NOTE_PX: f64 = 13.0;

/// Resolution of the PNG exports, dots per inch (print quality).
pub const PNG_DPI: f64 = 300.0;
/// CSS pixels per inch (the SVG's unit).
pub const CSS_PX_PER_IN: f64 = 96.0;

/// Opacity of a shaded band (5-95 % range) in its series' colour.
pub const BAND_OPACITY: f64 = 0.25;

/// plotters writes an SVG font size of `size / 1.24` for a font of `size` (its bitmap text
/// uses `size`); [`font`] takes the size wanted on the page and compensates.
const PLOTTERS_SVG_FONT_FACTOR: f64 = 1.24;

static FONT: std::sync::Once = std::sync::Once::new();

/// Registers the shipped font with plotters (once per process).
pub fn register_font() {
    FONT.call_once(|| {
        // The font is a constant of this crate: failure to parse it is a build defect, and
        // plotters then reports every text as a drawing error instead of panicking.
        let _ = plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, FONT_TTF);
    });
}

/// Text style in the shipped font, `px` CSS pixels high in the SVG.
pub(crate) fn font(px: f64) -> TextStyle<'static> {
    TextStyle::from((FONT_FAMILY, px * PLOTTERS_SVG_FONT_FACTOR).into_font()).color(&plotters::style::BLACK)
}

/// Series colours: Okabe & Ito (2008), "Color Universal Design", the palette recommended for
/// figures read by people with colour-vision deficiencies (blue, vermilion, bluish green,
/// reddish purple, orange, sky blue, black).
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];

/// Palette colour `i` (wrapping).
pub fn palette(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Viridis (van der Walt & Smith, matplotlib's default colour map: perceptually uniform,
/// readable in grey and by the colour-blind), from its 9 samples at t = 0, 1/8, …, 1 and
/// interpolated linearly. `t` outside 0..1 is clamped; not a number gives the low end.
pub fn viridis(t: f64) -> RGBColor {
    const P: [(u8, u8, u8); 9] = [
        (68, 1, 84),
        (71, 45, 123),
        (59, 82, 139),
        (44, 114, 142),
        (33, 145, 140),
        (40, 174, 128),
        (94, 201, 98),
        (173, 220, 48),
        (253, 231, 37),
    ];
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let x = t * 8.0;
    let i = (x.floor() as usize).min(7);
    let f = x - i as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + f * (f64::from(b) - f64::from(a))).round() as u8;
    RGBColor(mix(P[i].0, P[i + 1].0), mix(P[i].1, P[i + 1].1), mix(P[i].2, P[i + 1].2))
}

/// `#rrggbb`.
pub fn hex(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// Escapes text for SVG/XML content and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            c => o.push(c),
        }
    }
    o
}

/// A number for a tick label: plain decimals without trailing zeros from 0.001 to 99 999,
/// otherwise a power of ten written as `10⁻⁶` (or `2×10⁸`), never `1e-6`.
pub fn tick(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 || !v.is_finite() {
        return if v.is_finite() { "0".into() } else { String::new() };
    }
    if (1e-3..1e5).contains(&a) {
        let s = format!("{v:.3}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        return if s == "-0" { "0".into() } else { s.into() };
    }
    let e = a.log10().floor() as i32;
    let m = v / 10f64.powi(e);
    let pow = format!("10{}", superscript(e));
    if (m.abs() - 1.0).abs() < 1e-9 {
        if m < 0.0 { format!("−{pow}") } else { pow }
    } else {
        let ms = format!("{m:.1}");
        let ms = ms.trim_end_matches('0').trim_end_matches('.');
        format!("{ms}×{pow}")
    }
}

/// An integer in Unicode superscript digits (`-6` → `⁻⁶`).
pub fn superscript(n: i32) -> String {
    const D: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let mut s = String::new();
    if n < 0 {
        s.push('⁻');
    }
    for c in n.unsigned_abs().to_string().chars() {
        s.push(D[c.to_digit(10).unwrap_or(0) as usize]);
    }
    s
}

/// What a legend entry shows beside its label.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Key {
    /// A line sample, solid or dashed.
    Line {
        /// Dashed (the comparison condition, e.g. intact skin).
        dashed: bool,
    },
    /// A filled swatch (a band, a bar, a layer).
    Swatch {
        /// Fill opacity.
        opacity: f64,
    },
}

/// One legend entry.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendItem {
    /// Label text.
    pub label: String,
    /// Colour.
    pub colour: RGBColor,
    /// Line or swatch.
    pub key: Key,
}

/// Width of a text in the shipped font at `px`, CSS px: the sum of the glyphs' advances and
/// kerning, as `resvg` lays the SVG text out (plotters' own `box_size` measures about a fifth
/// short, which let legend entries run into each other).
pub fn text_width(text: &str, px: f64) -> f64 {
    use ab_glyph::{Font, FontRef};
    static METRICS: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    let Some(font) = METRICS.get_or_init(|| FontRef::try_from_slice(FONT_TTF).ok()) else {
        return 0.6 * px * text.chars().count() as f64;
    };
    let k = px / f64::from(font.units_per_em().unwrap_or(2048.0));
    let mut units = 0.0;
    let mut prev = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = prev {
            units += f64::from(font.kern_unscaled(p, id));
        }
        units += f64::from(font.h_advance_unscaled(id));
        prev = Some(id);
    }
    k * units
}

/// Height a legend of `items` takes when laid out in rows no wider than `width` px (0 for no
/// item).
pub fn legend_height(items: &[LegendItem], width: f64) -> f64 {
    let rows = legend_rows(items, width).len();
    if rows == 0 { 0.0 } else { 8.0 + 22.0 * rows as f64 }
}

const KEY_W: f64 = 26.0;
const KEY_GAP: f64 = 6.0;
const ITEM_GAP: f64 = 20.0;

fn legend_rows(items: &[LegendItem], width: f64) -> Vec<Vec<(usize, f64)>> {
    let mut rows: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut x = 0.0;
    for (i, it) in items.iter().enumerate() {
        let w = KEY_W + KEY_GAP + text_width(&it.label, LEGEND_PX);
        if rows.is_empty() || (x > 0.0 && x + w > width) {
            rows.push(Vec::new());
            x = 0.0;
        }
        if let Some(r) = rows.last_mut() {
            r.push((i, x));
        }
        x += w + ITEM_GAP;
    }
    rows
}

/// The legend as SVG: `items` in rows from (`x`, `y`), at most `width` px wide, inside
/// `<g class="legend">` with a `<rect class="legend-box">` around what it covers.
pub fn legend(items: &[LegendItem], x: f64, y: f64, width: f64) -> String {
    let rows = legend_rows(items, width);
    if rows.is_empty() {
        return String::new();
    }
    let mut body = String::new();
    let mut right: f64 = 0.0;
    for (r, row) in rows.iter().enumerate() {
        let cy = y + 15.0 + 22.0 * r as f64;
        for &(i, dx) in row {
            let it = &items[i];
            let c = hex(it.colour);
            let x0 = x + dx;
            match it.key {
                Key::Line { dashed } => {
                    let dash = if dashed { " stroke-dasharray=\"6 4\"" } else { "" };
                    let _ = write!(
                        body,
                        "<line x1=\"{x0:.1}\" y1=\"{cy:.1}\" x2=\"{:.1}\" y2=\"{cy:.1}\" stroke=\"{c}\" stroke-width=\"2.5\"{dash}/>",
                        x0 + KEY_W
                    );
                }
                Key::Swatch { opacity } => {
                    let _ = write!(
                        body,
                        "<rect x=\"{x0:.1}\" y=\"{:.1}\" width=\"{KEY_W}\" height=\"12\" fill=\"{c}\" fill-opacity=\"{opacity}\"/>",
                        cy - 6.0
                    );
                }
            }
            let tx = x0 + KEY_W + KEY_GAP;
            let _ = write!(
                body,
                "<text x=\"{tx:.1}\" y=\"{:.1}\" font-family=\"{FONT_FAMILY}\" font-size=\"{LEGEND_PX}\" fill=\"#000000\">{}</text>",
                cy + 0.35 * LEGEND_PX,
                xml_escape(&it.label)
            );
            right = right.max(tx + text_width(&it.label, LEGEND_PX) - x);
        }
    }
    let h = legend_height(items, width);
    format!(
        "<g class=\"legend\"><rect class=\"legend-box\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{h:.1}\" \
         fill=\"none\" stroke=\"none\"/>{body}</g>",
        right.min(width)
    )
}

/// Axis range of a panel for [`plot_area`]: `(min, max)` in data units, and whether the axis
/// is logarithmic.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AxisRange {
    /// Lower end, data units.
    pub min: f64,
    /// Upper end, data units.
    pub max: f64,
    /// Logarithmic axis.
    pub log: bool,
}

/// The invisible mark of a panel's plot area: its pixel box and axis ranges as `data-`
/// attributes (`data-x-min`, `data-x-max`, `data-y-min`, `data-y-max`, `data-y-scale`).
pub fn plot_area(x0: f64, y0: f64, x1: f64, y1: f64, x: AxisRange, y: AxisRange) -> String {
    format!(
        "<rect class=\"plot-area\" x=\"{x0:.1}\" y=\"{y0:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" \
         stroke=\"none\" data-x-min=\"{:e}\" data-x-max=\"{:e}\" data-x-scale=\"{}\" data-y-min=\"{:e}\" \
         data-y-max=\"{:e}\" data-y-scale=\"{}\"/>",
        x1 - x0,
        y1 - y0,
        x.min,
        x.max,
        if x.log { "log" } else { "linear" },
        y.min,
        y.max,
        if y.log { "log" } else { "linear" },
    )
}

/// One y range for several linear line charts shown side by side (two plans compared), so
/// that equal heights mean equal values: from 0 (or the lowest value, when negative) to the
/// highest finite value of every series and band, plus 5 % headroom, as a single chart's own
/// range would be. `None` when no chart has a finite point (each then draws its own).
pub fn shared_y_range(charts: &[&crate::plot::LineChart]) -> Option<(f64, f64)> {
    let values = charts.iter().flat_map(|c| {
        c.series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .chain(c.bands.iter().flat_map(|b| b.points.iter().flat_map(|p| [p.1, p.2])))
    });
    let (lo, hi) =
        values.filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |a, v| (a.0.min(v), a.1.max(v)));
    if !(lo.is_finite() && hi.is_finite()) {
        return None;
    }
    let lo = lo.min(0.0);
    let hi = if hi > lo { hi + 0.05 * (hi - lo) } else { lo + 1.0 };
    Some((lo, hi))
}

/// Adds `<title>` and `<desc>` (caption and data source) right after the SVG's opening tag,
/// and the `dermasim-figure` class and `data-plot` id to it.
pub fn annotate_svg(svg: &str, id: &str, title: &str, caption: &str, source: &str) -> String {
    let Some(end) = svg.find('>') else { return svg.to_string() };
    let open = &svg[..end];
    let desc = if source.is_empty() { caption.to_string() } else { format!("{caption} Data: {source}") };
    format!(
        "{open} class=\"dermasim-figure\" data-plot=\"{}\" role=\"img\"><title>{}</title><desc>{}</desc>{}",
        xml_escape(id),
        xml_escape(title),
        xml_escape(&desc),
        &svg[end + 1..]
    )
}

fn fontdb() -> Arc<resvg::usvg::fontdb::Database> {
    static DB: OnceLock<Arc<resvg::usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = resvg::usvg::fontdb::Database::new();
        db.load_font_data(FONT_TTF.to_vec());
        db.set_sans_serif_family(FONT_FAMILY);
        Arc::new(db)
    })
    .clone()
}

/// Metadata written into a PNG (iTXt chunks: `Title`, `Description`, `Source`, `Software`).
#[derive(Clone, Debug, Default)]
pub struct PngMeta<'a> {
    /// The figure's title.
    pub title: &'a str,
    /// Its caption.
    pub caption: &'a str,
    /// The data file it was drawn from.
    pub source: &'a str,
}

/// Rasterises an SVG at `dpi` (the SVG's px being CSS px, 96 per inch) onto white, with the
/// shipped font only, and encodes it as an RGB PNG whose `pHYs` chunk states that resolution.
pub fn svg_to_png(svg: &str, dpi: f64, meta: &PngMeta<'_>) -> Result<Vec<u8>, String> {
    use resvg::{tiny_skia, usvg};
    let opt = usvg::Options { font_family: FONT_FAMILY.to_string(), fontdb: fontdb(), ..usvg::Options::default() };
    let tree = usvg::Tree::from_str(svg, &opt).map_err(|e| format!("SVG not readable for the PNG: {e}"))?;
    let scale = (dpi / CSS_PX_PER_IN) as f32;
    let size = tree.size();
    let (w, h) = ((size.width() * scale).round() as u32, (size.height() * scale).round() as u32);
    let mut pix = tiny_skia::Pixmap::new(w.max(1), h.max(1)).ok_or("PNG size out of range")?;
    pix.fill(tiny_skia::Color::WHITE);
    resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pix.as_mut());
    // Opaque white background: premultiplied RGBA is plain RGB.
    let rgb: Vec<u8> = pix.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
    encode_png(&rgb, pix.width(), pix.height(), dpi, meta)
}

/// Encodes RGB pixels as PNG with the resolution (`pHYs`, pixels per metre) and metadata.
pub fn encode_png(rgb: &[u8], w: u32, h: u32, dpi: f64, meta: &PngMeta<'_>) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let ppm = (dpi / 0.0254).round() as u32;
        enc.set_pixel_dims(Some(png::PixelDimensions { xppu: ppm, yppu: ppm, unit: png::Unit::Meter }));
        for (k, v) in [("Title", meta.title), ("Description", meta.caption), ("Source", meta.source)] {
            if !v.is_empty() {
                enc.add_itxt_chunk(k.to_string(), v.to_string()).map_err(|e| e.to_string())?;
            }
        }
        enc.add_itxt_chunk("Software".to_string(), format!("dermasim {}", env!("CARGO_PKG_VERSION")))
            .map_err(|e| e.to_string())?;
        let mut wr = enc.write_header().map_err(|e| e.to_string())?;
        wr.write_image_data(rgb).map_err(|e| e.to_string())?;
    }
    Ok(out)
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
    fn tick_labels_are_plain_numbers() {
        assert_eq!(tick(2.5), "2.5");
        assert_eq!(tick(100.0), "100");
        assert_eq!(tick(0.0), "0");
        assert_eq!(tick(0.001), "0.001");
        assert_eq!(tick(1e-6), "10⁻⁶");
        assert_eq!(tick(1e12), "10¹²");
        assert_eq!(tick(2e6), "2×10⁶");
        assert_eq!(tick(-1e-6), "−10⁻⁶");
    }

    #[test]
    fn legend_wraps_and_has_its_box() {
        let it = |l: &str| LegendItem { label: l.into(), colour: PALETTE[0], key: Key::Line { dashed: false } };
        let items = vec![it("microneedled skin"), it("intact skin"), it("a third, rather long label")];
        let one = legend_height(&items, 2000.0);
        let two = legend_height(&items, 300.0);
        assert!(two > one, "{one} {two}");
        let svg = legend(&items, 10.0, 5.0, 2000.0);
        assert!(svg.starts_with("<g class=\"legend\"><rect class=\"legend-box\""));
        assert_eq!(svg.matches("<text").count(), 3);
        assert!(legend(&[], 0.0, 0.0, 100.0).is_empty());
    }

    #[test]
    fn png_has_300_dpi_and_the_svg_size_times_the_scale() {
        let svg = r##"<svg width="96" height="48" viewBox="0 0 96 48" xmlns="http://www.w3.org/2000/svg"><rect x="0" y="0" width="48" height="48" fill="#000000"/></svg>"##;
        let png = svg_to_png(svg, PNG_DPI, &PngMeta { title: "t", caption: "µg/cm²", source: "s" }).unwrap();
        let dec = png::Decoder::new(std::io::Cursor::new(&png));
        let r = dec.read_info().unwrap();
        let info = r.info();
        assert_eq!((info.width, info.height), (300, 150));
        let d = info.pixel_dims.unwrap();
        assert_eq!((d.xppu, d.yppu, d.unit), (11811, 11811, png::Unit::Meter));
        assert!(info.utf8_text.iter().any(|t| t.keyword == "Description"));
    }
}

#[cfg(test)]
mod glyph_tests {
    use super::*;
    use ab_glyph::{Font, FontRef};

    /// Ink columns of a rendered text: for each pixel column, whether any pixel is darker
    /// than mid-grey.
    fn ink_columns(svg: &str) -> Vec<bool> {
        let png = svg_to_png(svg, CSS_PX_PER_IN, &PngMeta::default()).unwrap();
        let mut r = png::Decoder::new(std::io::Cursor::new(png)).read_info().unwrap();
        let mut buf = vec![0; r.output_buffer_size()];
        let info = r.next_frame(&mut buf).unwrap();
        let (w, h) = (info.width as usize, info.height as usize);
        (0..w).map(|x| (0..h).any(|y| buf[3 * (y * w + x)] < 128)).collect()
    }

    /// Blank runs between ink, as (start, length) in px.
    fn gaps(cols: &[bool]) -> (usize, usize, Vec<(usize, usize)>) {
        let first = cols.iter().position(|c| *c).unwrap();
        let last = cols.iter().rposition(|c| *c).unwrap();
        let mut runs = Vec::new();
        let mut x = first;
        while x <= last {
            if !cols[x] {
                let s = x;
                while !cols[x] {
                    x += 1;
                }
                runs.push((s, x - s));
            }
            x += 1;
        }
        (first, last, runs)
    }

    /// Legends and labels are laid out with [`text_width`]: it must be the width the text
    /// takes when rendered (within a pixel or two), or legend entries run into each other.
    #[test]
    fn text_width_is_the_rendered_width() {
        for label in ["in the channels' fluid", "on the surface", "hypodermis (fat)", "W"] {
            let (x0, px) = (10.0, 14.0);
            let svg = format!(
                "<svg width=\"400\" height=\"40\" viewBox=\"0 0 400 40\" xmlns=\"http://www.w3.org/2000/svg\">\
                 <text x=\"{x0}\" y=\"25\" font-family=\"{FONT_FAMILY}\" font-size=\"{px}\">{label}</text></svg>"
            );
            let (first, last, _) = gaps(&ink_columns(&svg));
            let ink = (last + 1 - first) as f64;
            let w = text_width(label, px);
            // The advance box holds the ink plus the side bearings (a pixel or two at 14 px).
            assert!(w >= ink - 1.0 && w <= ink + 3.0, "{label}: text_width {w:.1} px, ink {ink} px");
        }
    }

    /// The PNG text bug ("reticul ar dermis", "needl e length") must not come back: a label
    /// rendered into a PNG spans exactly what the font's advances and kerning say (measured
    /// independently with ab_glyph), and the only wide gap is the word space, where it belongs.
    #[test]
    fn png_text_follows_the_fonts_glyph_advances() {
        let px = 40.0;
        for label in ["reticular dermis", "needle length", "mean channel depth"] {
            let x0 = 20.0;
            let svg = format!(
                "<svg width=\"700\" height=\"80\" viewBox=\"0 0 700 80\" xmlns=\"http://www.w3.org/2000/svg\">\
                 <text x=\"{x0}\" y=\"55\" font-family=\"{FONT_FAMILY}\" font-size=\"{px}\">{label}</text></svg>"
            );
            let (first, last, runs) = gaps(&ink_columns(&svg));
            // Expected ink boxes of each glyph from the font's own metrics.
            let font = FontRef::try_from_slice(FONT_TTF).unwrap();
            let k = px / f64::from(font.units_per_em().unwrap());
            let mut pen = 0.0;
            let mut prev = None;
            let mut boxes = Vec::new();
            for c in label.chars() {
                let id = font.glyph_id(c);
                if let Some(p) = prev {
                    pen += f64::from(font.kern_unscaled(p, id));
                }
                if let Some(o) = font.outline(id) {
                    boxes.push((c, pen + f64::from(o.bounds.min.x), pen + f64::from(o.bounds.max.x)));
                }
                pen += f64::from(font.h_advance_unscaled(id));
                prev = Some(id);
            }
            let start = x0 + k * boxes[0].1;
            let end = x0 + k * boxes.last().unwrap().2;
            assert!((first as f64 - start).abs() <= 1.5, "{label}: ink starts at {first}, font says {start:.1}");
            assert!((last as f64 + 1.0 - end).abs() <= 2.0, "{label}: ink ends at {last}, font says {end:.1}");
            // Each word space: between the ink of the glyph before ' ' and the one after.
            let mut spaces = Vec::new();
            let mut ink_index = 0;
            for c in label.chars() {
                if c == ' ' {
                    let (before, after) = (&boxes[ink_index - 1], &boxes[ink_index]);
                    spaces.push((x0 + k * before.2, k * (after.1 - before.2)));
                } else {
                    ink_index += 1;
                }
            }
            let narrowest = spaces.iter().map(|s| s.1).fold(f64::INFINITY, f64::min);
            for (at, width) in &spaces {
                assert!(
                    runs.iter().any(|r| (r.0 as f64 - at).abs() <= 2.0 && (r.1 as f64 - width).abs() <= 2.5),
                    "{label}: no gap of {width:.1} px at {at:.1}: {runs:?}"
                );
            }
            for r in &runs {
                let is_space = spaces.iter().any(|(at, _)| (r.0 as f64 - at).abs() <= 2.0);
                assert!(
                    is_space || (r.1 as f64) < 0.5 * narrowest,
                    "{label}: a gap of {} px inside a word at x = {}",
                    r.1,
                    r.0
                );
            }
        }
    }
}
