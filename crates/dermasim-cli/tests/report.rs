//! End-to-end test of the report: `dermasim run` on an example leaves a self-contained
//! `report.html` whose puncture map draws every puncture, plots as SVG and PNG, and long CSV
//! tables. With `/usr/bin/chromium` present it also opens the page headless
//! (`scripts/check-report-chromium`): no console error, every figure drawn, a screenshot.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dermasim-report-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Every value of `attr="..."` in the HTML.
fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let pat = format!("{attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&pat) {
        let v = &rest[i + pat.len()..];
        let end = v.find('"').unwrap_or(v.len());
        out.push(&v[..end]);
        rest = &v[end..];
    }
    out
}

#[test]
fn home_roller_report_is_complete_self_contained_and_draws_every_puncture() {
    let out = tmp("home");
    let example = root().join("examples/home-roller-serum.toml");
    let o = Command::new(env!("CARGO_BIN_EXE_dermasim"))
        .args(["run", example.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"])
        .output()
        .expect("the binary runs");
    assert!(o.status.success(), "run failed: {}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stdout.is_empty() && o.stderr.is_empty(), "--quiet prints nothing (no progress bar either)");

    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html written");
    // Self-contained: nothing is loaded from anywhere (plain-text citations may name URLs).
    for attr in ["src", "href"] {
        for v in attr_values(&html, attr) {
            assert!(!v.contains("://") && !v.starts_with("//"), "{attr}=\"{v}\" loads from outside");
        }
    }
    assert!(!html.contains("url(http") && !html.contains("@import"), "CSS loads from outside");
    assert!(!html.contains("<script") && !html.contains("<link"), "no external script or stylesheet");
    assert!(html.contains(dermasim_core::summary::DISCLAIMER), "disclaimer shown");
    assert!(html.contains("id=\"channels\"") && html.contains("id=\"delivery\""), "sections of the stages present");
    // Safety first: the example reuses a home roller and applies an unformulated serum, and the
    // screening's cautions come before everything else.
    let safety = html.find("id=\"safety\"").expect("safety section");
    assert!(safety < html.find("id=\"scenario\"").unwrap(), "safety before the scenario");
    assert!(html.contains("class=\"finding caution\""), "the example's cautions are shown");

    // The puncture map draws exactly the punctures of its window.
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let simulated = summary["punctures"]["simulated"].as_u64().unwrap() as usize;
    assert!(simulated > 100, "the example has punctures to draw: {simulated}");
    let svg = std::fs::read_to_string(out.join("plots/puncture-map.svg")).expect("map SVG");
    assert_eq!(svg.matches("<ellipse class=\"hole\"").count(), simulated, "one ellipse per puncture");
    let fig_start = html.find("id=\"fig-puncture-map\"").expect("map figure in the page");
    let fig = &html[fig_start..fig_start + html[fig_start..].find("</figure>").unwrap()];
    assert_eq!(fig.matches("<ellipse class=\"hole\"").count(), simulated, "the page shows the same map");
    assert!(fig.contains(&format!("({simulated} punctures)")), "the caption says how many");

    // Every plot exists as SVG and PNG.
    for id in ["puncture-map", "cross-section", "depth-histogram"] {
        let png = std::fs::read(out.join(format!("plots/{id}.png"))).expect("PNG written");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{id}.png is a PNG");
        assert!(out.join(format!("plots/{id}.svg")).exists());
    }
    // Long tables.
    let series = std::fs::read_to_string(out.join("series.csv")).expect("series.csv");
    assert!(series.starts_with("stage,quantity,subject,condition,unit,t,t_unit,value\n"));
    assert!(series.contains("transport,cumulative_delivered,niacinamide,treated,ug/cm2,"));
    assert!(series.contains("transport,cumulative_delivered,niacinamide,intact,ug/cm2,"));

    let chromium = Path::new("/usr/bin/chromium");
    if chromium.exists() {
        let shot = out.join("screenshot.png");
        let c = Command::new("bash")
            .arg(root().join("scripts/check-report-chromium"))
            .arg(out.join("report.html"))
            .arg(&shot)
            .output()
            .expect("the check script runs");
        assert!(
            c.status.success(),
            "headless Chromium check failed:\n{}\n{}",
            String::from_utf8_lossy(&c.stdout),
            String::from_utf8_lossy(&c.stderr)
        );
        assert!(shot.exists(), "screenshot taken");
    } else {
        println!("skipped the headless-Chromium check: /usr/bin/chromium not installed");
    }
    let _ = std::fs::remove_dir_all(&out);
}
