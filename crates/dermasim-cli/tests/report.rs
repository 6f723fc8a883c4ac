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
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("dermasim-report-{name}"));
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

/// The patient page (#19): `patient.html` is written beside the report, in plain language (no
/// word of `dermasim_report::patient::FORBIDDEN_WORDS`), with the not-a-medical-device
/// statement, and it prints on one or two A4 pages in headless Chromium.
#[test]
fn patient_page_is_written_plain_and_prints_on_one_or_two_pages() {
    let out = tmp("patient");
    let example = root().join("examples/acne-scars-roller-office.toml");
    let o = Command::new(env!("CARGO_BIN_EXE_dermasim"))
        .args([
            "run",
            example.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
            "--set",
            "simulation.transport=\"off\"",
        ])
        .output()
        .expect("the binary runs");
    assert!(o.status.success(), "run failed: {}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.join("patient.html")).expect("patient.html written");
    assert!(html.contains(dermasim_core::summary::DISCLAIMER), "the statement");
    for h in ["What will be done", "What to expect", "What to avoid", "When to come back"] {
        assert!(html.contains(h), "{h}");
    }
    let body = &html[html.find("<body").unwrap()..];
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text.to_lowercase();
    for w in dermasim_report::patient::FORBIDDEN_WORDS {
        assert!(!text.contains(w), "patient.html says {w:?}");
    }
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("id=\"patient\""), "the report carries the page too");

    let chromium = Path::new("/usr/bin/chromium");
    if chromium.exists() {
        let shot = out.join("patient.png");
        let c = Command::new("bash")
            .arg(root().join("scripts/check-report-chromium"))
            .arg(out.join("patient.html"))
            .arg(&shot)
            .output()
            .expect("the check script runs");
        let stdout = String::from_utf8_lossy(&c.stdout);
        assert!(
            c.status.success(),
            "headless Chromium check failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&c.stderr)
        );
        let pages: Option<u32> = stdout
            .lines()
            .find(|l| l.starts_with("print:"))
            .and_then(|l| l.rsplit('(').next())
            .and_then(|l| l.split_whitespace().next())
            .and_then(|n| n.parse().ok());
        if let Some(n) = pages {
            assert!((1..=2).contains(&n), "patient.html prints on {n} A4 pages");
        }
    } else {
        println!("skipped the headless-Chromium check: /usr/bin/chromium not installed");
    }
    let _ = std::fs::remove_dir_all(&out);
}
