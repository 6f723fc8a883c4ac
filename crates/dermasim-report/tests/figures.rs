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

/// The figure style's checks of one figure (`id` names it in messages). With
/// `DERMASIM_FIGURE_DUMP=<dir>` set, the figure's PNG is also written there to be looked at.
fn check_style(id: &str, p: &dermasim_report::Plot) {
    if let Some(dir) = std::env::var_os("DERMASIM_FIGURE_DUMP") {
        let file = PathBuf::from(dir).join(format!("{}.png", id.replace(['/', ' ', '(', ')'], "_")));
        std::fs::write(&file, &p.png).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    }
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
            check_style(&format!("{name}/{}", p.id), p);
        }
        assert!(n >= 4, "{name}: {n} figures");
        // Axis titles present.
        let map = r.plots().find(|p| p.id == "puncture-map").expect("map");
        let t = texts(&map.svg);
        assert!(t.iter().any(|s| s == "x (mm)"), "{name}: map labels: {t:?}");
        let cs = elements(&map.svg, "rect", "colour-scale");
        assert_eq!(cs.len(), 1, "{name}: one colour scale");
        let (lo, hi) = (num(cs[0], "data-min"), num(cs[0], "data-max"));
        let n = o.channels.len();
        let holes = o.pattern.distinct_holes;
        if attr(cs[0], "data-unit").as_deref() == Some("punctures") {
            // Overlapping punctures: one disc per distinct hole, coloured by hits from 1 to the most.
            assert!(n as f64 >= 1.1 * holes as f64, "{name}: a hole map only for overlapping punctures");
            assert!(t.iter().any(|s| s == "per hole"), "{name}: hole map labels: {t:?}");
            let discs = map.svg.matches("<ellipse class=\"hole\"").count();
            assert!(discs <= holes && discs > 0, "{name}: {discs} discs for {holes} holes");
            let most = (0..holes as u32).map(|h| o.pattern.hole_of.iter().filter(|&&k| k == h).count()).max().unwrap();
            assert_eq!((lo, hi), (1.0, most as f64), "{name}: hits 1-{most}");
            // The depth-coloured close-up is still there.
            let close = r.plots().find(|p| p.id == "puncture-map-closeup").expect("close-up of the depths");
            assert!(texts(&close.svg).iter().any(|s| s == "depth (µm)"));
        } else {
            assert!((n as f64) < 1.1 * holes as f64, "{name}: overlapping punctures drawn as a hole map");
            assert!(t.iter().any(|s| s == "depth (µm)"), "{name}: map labels: {t:?}");
            // The map's colour scale spans the channels' depths, not 0 to the needle length.
            let depths = o.channels.iter().map(|c| c.depth_um);
            let (dmin, dmax) = depths.fold((f64::INFINITY, 0.0f64), |a, d| (a.0.min(d), a.1.max(d)));
            assert!(lo <= dmin && hi >= dmax, "{name}: scale {lo}-{hi} holds the depths {dmin}-{dmax}");
            assert!(hi - lo <= 2.0 * (dmax - dmin) + 20.0, "{name}: scale {lo}-{hi} for depths {dmin}-{dmax}");
        }
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

/// Bands (#23 item 3): with an `uncertainty` section, key numbers of the headline outputs read
/// "median (5th–95th)" and the figures of banded quantities shade the range, still in the style;
/// without it, one line says how to get them. The bands are made up here (0.8, 1 and 1.25 × the
/// central value of every headline output): what is tested is that the report shows what core
/// writes, not the propagation (core's own tests).
#[test]
fn an_uncertainty_run_shows_its_ranges_in_numbers_and_figures() {
    use dermasim_core::uncertainty::{Band, UncertaintySummary, headline};
    let (name, text) = examples().into_iter().find(|(n, _)| n == "acne-scars-roller-office").expect("example");
    let s = dermasim_core::scenario::parse(&text, &[]).unwrap();
    let mut o = dermasim_core::simulate(&s);
    let plain = Report::from_outcome(&o).to_html().unwrap();
    assert!(plain.contains("none computed") && plain.contains("--uncertainty 64"), "{name}: how to get ranges");
    let bands = headline(&o.summary)
        .into_iter()
        .map(|(k, v)| (format!("{k}_band"), Band { p5: 0.8 * v, p50: v, p95: 1.25 * v }))
        .collect();
    o.summary.uncertainty =
        Some(UncertaintySummary { samples: 16, design: "sobol-owen", seed: 1, parameters: Vec::new(), bands });
    let r = Report::from_outcome(&o);
    assert!(r.plot_errors.is_empty(), "{:?}", r.plot_errors);
    for p in r.plots() {
        check_style(&format!("{name} (bands)/{}", p.id), p);
    }
    let html = r.to_html().unwrap();
    assert!(html.contains("5–95 % range (b–c) of 16 runs"), "the ranges explained in one line");
    let numbers: Vec<_> = r.sections.iter().flat_map(|s| s.numbers.iter()).collect();
    let h = o.healing.as_ref().unwrap();
    let closed = numbers.iter().find(|k| k.label == "Channels closed (95 %)").expect("channels closed");
    assert!(closed.value.contains('(') && closed.value.contains('–'), "{}", closed.value);
    assert!(closed.note.starts_with("median (5–95 %)"), "{}", closed.note);
    let p50: f64 = closed.value.split(' ').next().unwrap().parse().unwrap();
    let central = h.channels_closed_h;
    assert!((p50 - central).abs() <= 0.05 * central, "{} vs {central}", closed.value);
    // Shaded bands: the amount delivered at the end, the three recovery times, collagen.
    let legend_of = |id: &str| -> Vec<String> {
        let p = r.plots().find(|p| p.id == id).unwrap_or_else(|| panic!("{id}"));
        let g = &p.svg[p.svg.find("<g class=\"legend\">").expect("legend")..];
        texts(&g[..g.find("</g>").unwrap()])
    };
    let ranged = |id: &str| legend_of(id).iter().filter(|t| t.ends_with(", 5–95 %")).count();
    assert_eq!(ranged("delivery-p0-cumulative"), 1);
    assert_eq!(ranged("recovery"), 3);
    assert_eq!(ranged("series"), 1);
    assert_eq!(ranged("delivery-p0-flux"), 0, "no band for the flux");
}

/// The cohort page's chart (#23 item 3) follows the figure style for every bundled example a
/// cohort can be run on (living skin), has its five classes, and the page renders.
#[test]
fn every_cohort_chart_follows_the_style() {
    let mut pages = 0;
    for (name, text) in examples() {
        let s = dermasim_core::scenario::parse(&text, &[]).unwrap();
        let Ok(r) = dermasim_core::cohort::run(&s, 60, 1) else { continue };
        let page = dermasim_report::CohortPage::new(&r);
        let plot = page.plot.as_ref().unwrap_or_else(|| panic!("{name}: cohort chart: {:?}", page.plot_error));
        check_style(&format!("{name}/cohort"), plot);
        let t = texts(&plot.svg);
        for class in ["worse", "unchanged", "3+ better"] {
            assert!(t.iter().any(|s| s == class), "{name}: cohort bar {class:?}: {t:?}");
        }
        assert!(page.to_html().unwrap().contains(&plot.id), "{name}: the page shows the chart");
        pages += 1;
    }
    assert!(pages >= 3, "cohort pages checked: {pages}");
}

/// The compare page's figures (#23 item 3: two plans side by side, their time courses redrawn
/// on a shared y range) follow the figure style, and the page renders.
#[test]
fn every_compare_figure_follows_the_style() {
    let all = examples();
    let pick = |n: &str| all.iter().find(|(name, _)| name == n).map(|(_, t)| t.clone()).expect("example");
    let outcomes: Vec<(String, dermasim_core::Outcome)> = ["home-roller-serum", "acne-scars-roller-office"]
        .iter()
        .map(|n| {
            (
                format!("examples/{n}.toml"),
                dermasim_core::simulate(&dermasim_core::scenario::parse(&pick(n), &[]).unwrap()),
            )
        })
        .collect();
    let summaries: Vec<(String, &dermasim_core::summary::Summary)> =
        outcomes.iter().map(|(n, o)| (n.clone(), &o.summary)).collect();
    let diff = dermasim_core::compare::compare(&summaries);
    let plans: Vec<(String, &dermasim_core::Outcome)> = outcomes.iter().map(|(n, o)| (n.clone(), o)).collect();
    let page = dermasim_report::ComparePage::new(&plans, &diff);
    let mut n = 0;
    for p in page.plots() {
        check_style(&format!("compare/{}", p.id), p);
        n += 1;
    }
    assert!(n >= 8, "compare figures: {n}");
    assert!(page.to_html().unwrap().contains("class=\"pair"), "two columns");
}
