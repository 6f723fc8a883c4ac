//! Visual regression without a browser: every bundled example is simulated and its report
//! built, and the structure of each figure's SVG is checked against the figure style
//! (`dermasim_report::style`): the legend outside every plot area, log axes that stop at what
//! the model resolves, colour scales spanning the data, the labels present, the caption's data
//! source, and PNG exports at 300 dpi of the SVG's size. A broken figure fails CI here; the
//! screenshots of `scripts/screenshot-reports` are for people.

use std::path::PathBuf;

use dermasim_report::Report;
use dermasim_report::style::{CSS_PX_PER_IN, PNG_DPI};

fn examples() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut v: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("examples/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    v.sort();
    assert!(v.len() >= 4, "the bundled examples: {}", v.len());
    v
}

/// `name="value"` of the first element starting with `tag` in `s`.
fn attr(el: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let i = el.find(&key)? + key.len();
    Some(el[i..i + el[i..].find('"')?].to_string())
}

fn num(el: &str, name: &str) -> f64 {
    attr(el, name).and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("{name} in {el}"))
}

/// Every element `<tag ...>` whose class is `class`.
fn elements<'a>(svg: &'a str, tag: &str, class: &str) -> Vec<&'a str> {
    let open = format!("<{tag} class=\"{class}\"");
    svg.match_indices(&open).map(|(i, _)| &svg[i..i + svg[i..].find('>').unwrap()]).collect()
}

#[derive(Debug, Clone, Copy)]
struct Rect {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

fn rect(el: &str) -> Rect {
    let (x, y) = (num(el, "x"), num(el, "y"));
    Rect { x0: x, y0: y, x1: x + num(el, "width"), y1: y + num(el, "height") }
}

fn overlaps(a: Rect, b: Rect) -> bool {
    a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1
}

/// The text content of every `<text>` element.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| Some(t[t.find('>')? + 1..t.find("</text>")?].trim().to_string()))
        .collect()
}

#[test]
fn every_figure_of_every_example_follows_the_style() {
    for (name, text) in examples() {
        let s = dermasim_core::scenario::parse(&text, &[]).unwrap_or_else(|e| panic!("{name}: {}", e[0].message));
        let o = dermasim_core::simulate(&s);
        let r = Report::from_outcome(&o);
        assert!(r.plot_errors.is_empty(), "{name}: {:?}", r.plot_errors);
        let mut n = 0;
        for p in r.plots() {
            n += 1;
            let id = format!("{name}/{}", p.id);
            let svg = &p.svg;
            assert!(svg.contains("<title>") && svg.contains("<desc>"), "{id}: title and description");
            assert!(!p.source.is_empty() && svg.contains(&p.source.replace('"', "&quot;")), "{id}: data source named");
            let areas: Vec<Rect> = elements(svg, "rect", "plot-area").into_iter().map(rect).collect();
            assert!(!areas.is_empty(), "{id}: plot area marked");
            let (w, h) = (num(svg, "width"), num(svg, "height"));
            for a in &areas {
                assert!(a.x0 >= 0.0 && a.y0 >= 0.0 && a.x1 <= w && a.y1 <= h, "{id}: plot area inside the figure");
                assert!(a.x1 - a.x0 > 0.4 * w, "{id}: the plot area is most of the figure's width: {a:?}");
            }
            // The legend never covers a plot area.
            for lb in elements(svg, "rect", "legend-box") {
                let l = rect(lb);
                for a in &areas {
                    assert!(!overlaps(l, *a), "{id}: legend {l:?} over the plot area {a:?}");
                }
            }
            // Log axes stop at what the model resolves, not at round-off.
            for el in elements(svg, "rect", "plot-area") {
                if attr(el, "data-y-scale").as_deref() == Some("log") {
                    let (lo, hi) = (num(el, "data-y-min"), num(el, "data-y-max"));
                    assert!(lo >= 1e-12, "{id}: log axis down to {lo:e}");
                    assert!((hi / lo).log10() <= 12.5, "{id}: {:.0} decades", (hi / lo).log10());
                }
            }
            // No tick or label in e-notation: plain numbers or 10ⁿ.
            let t = texts(svg);
            for s in &t {
                let bad = s.char_indices().any(|(i, c)| {
                    c == 'e' && s[..i].ends_with(|d: char| d.is_ascii_digit()) && s[i + 1..].starts_with(['-', '+'])
                });
                assert!(!bad, "{id}: e-notation in {s:?}");
            }
            // PNG: 300 dpi, the SVG's size at that resolution.
            let dec = png::Decoder::new(std::io::Cursor::new(&p.png)).read_info().expect("a PNG");
            let info = dec.info();
            let k = PNG_DPI / CSS_PX_PER_IN;
            assert_eq!((info.width, info.height), ((w * k).round() as u32, (h * k).round() as u32), "{id}");
            assert_eq!(info.pixel_dims.map(|d| d.xppu), Some(11811), "{id}: pHYs 300 dpi");
        }
        assert!(n >= 4, "{name}: {n} figures");
        // Axis titles present.
        let map = r.plots().find(|p| p.id == "puncture-map").expect("map");
        let t = texts(&map.svg);
        assert!(t.iter().any(|s| s == "x (mm)") && t.iter().any(|s| s == "depth (µm)"), "{name}: map labels: {t:?}");
        // The map's colour scale spans the channels' depths, not 0 to the needle length.
        let cs = elements(&map.svg, "rect", "colour-scale");
        assert_eq!(cs.len(), 1, "{name}: one colour scale");
        let (lo, hi) = (num(cs[0], "data-min"), num(cs[0], "data-max"));
        let depths = o.channels.iter().map(|c| c.depth_um);
        let (dmin, dmax) = depths.fold((f64::INFINITY, 0.0f64), |a, d| (a.0.min(d), a.1.max(d)));
        assert!(lo <= dmin && hi >= dmax, "{name}: scale {lo}-{hi} holds the depths {dmin}-{dmax}");
        assert!(hi - lo <= 2.0 * (dmax - dmin) + 20.0, "{name}: scale {lo}-{hi} for depths {dmin}-{dmax}");
        // The dose figure: one bar per product and skin, each adding up to 100 % of its dose,
        // its segments inside the plot area.
        if !o.delivery.products.is_empty() {
            let dose = r.plots().find(|p| p.id == "delivery-dose").unwrap_or_else(|| panic!("{name}: dose figure"));
            let area = rect(elements(&dose.svg, "rect", "plot-area")[0]);
            let parts = elements(&dose.svg, "rect", "stack-part");
            let bars = 2 * o.delivery.products.len();
            for bar in 0..bars {
                let mine: Vec<&&str> =
                    parts.iter().filter(|el| attr(el, "data-bar") == Some(bar.to_string())).collect();
                let total: f64 = mine.iter().map(|el| num(el, "data-value")).sum();
                assert!((total - 100.0).abs() < 1e-6, "{name}: dose bar {bar} adds up to {total} %");
                for el in mine {
                    let p = rect(el);
                    assert!(p.x0 >= area.x0 - 0.01 && p.x1 <= area.x1 + 0.01, "{name}: dose segment outside: {el}");
                }
            }
            assert!(parts.iter().all(|el| num(el, "data-bar") < bars as f64), "{name}: {bars} dose bars");
        }
        // Key numbers never quote round-off.
        let html = r.to_html().unwrap();
        for w in html.split(|c: char| c.is_whitespace() || c == '(' || c == ')') {
            if let Some(i) = w.find("e-") {
                let exp: i32 = w[i + 2..].trim_end_matches(|c: char| !c.is_ascii_digit()).parse().unwrap_or(0);
                let mantissa_numeric = w[..i].parse::<f64>().is_ok();
                assert!(!(mantissa_numeric && exp > 9), "{name}: the page quotes {w}");
            }
        }
    }
}
