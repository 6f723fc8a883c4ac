//! End-to-end tests of `dermasim cohort`: the files it writes (cohort.json, cohort.html), the
//! keys, the page (checked in headless Chromium when installed), determinism and errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dermasim"))
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("dermasim-cohort-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

fn scenario() -> String {
    root().join("validation/v14-lotfi-series.toml").display().to_string()
}

fn cohort_json(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("cohort.json")).expect("cohort.json written");
    serde_json::from_str(&text).expect("valid JSON")
}

#[test]
fn cohort_writes_the_documented_keys_and_fractions_sum_to_one() {
    let out = tmp("keys");
    let o = run(&["cohort", &scenario(), "--patients", "300", "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j = cohort_json(&out);
    assert_eq!(j["patients"], 300);
    for k in [
        "improved_1_grade_or_more_fraction",
        "improved_2_grades_or_more_fraction",
        "grade_change_distribution",
        "score_before",
        "score_after",
        "collagen_change_pct",
        "disclaimer",
    ] {
        assert!(!j[k].is_null(), "missing {k}");
    }
    for k in ["score_before", "score_after"] {
        assert!(j[k]["mean"].as_f64().is_some() && j[k]["sd"].as_f64().is_some(), "{k}");
    }
    for d in ["grade_change_distribution", "grade_before_distribution", "grade_after_distribution"] {
        let sum: f64 = j[d].as_object().unwrap().values().map(|v| v.as_f64().unwrap()).sum();
        assert!((sum - 1.0).abs() < 1e-9, "{d} sums to {sum}");
    }
    let one = j["improved_1_grade_or_more_fraction"].as_f64().unwrap();
    let two = j["improved_2_grades_or_more_fraction"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&one) && two <= one);
    // No temporary file left behind.
    let mut names: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect();
    names.sort();
    assert_eq!(names, vec!["cohort.html".to_string(), "cohort.json".to_string()]);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn same_seed_same_file_other_seed_other_numbers() {
    let (a, b, c) = (tmp("seed-a"), tmp("seed-b"), tmp("seed-c"));
    for (dir, seed) in [(&a, "5"), (&b, "5"), (&c, "6")] {
        let o = run(&["cohort", &scenario(), "--patients", "200", "--seed", seed, "--out", dir.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let read = |d: &Path| std::fs::read_to_string(d.join("cohort.json")).unwrap();
    assert_eq!(read(&a), read(&b));
    assert_ne!(read(&a), read(&c));
    let page = |d: &Path| std::fs::read_to_string(d.join("cohort.html")).unwrap();
    assert_eq!(page(&a), page(&b), "same seed, same page bytes");
    assert_eq!(cohort_json(&a)["seed"], 5);
    for d in [a, b, c] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn set_overrides_reach_the_cohort() {
    let out = tmp("set");
    let o = run(&[
        "cohort",
        &scenario(),
        "--patients",
        "50",
        "--set",
        "protocol.sessions=2",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success());
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["sessions"], 2);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn bad_patients_and_existing_file_are_refused() {
    let out = tmp("bad");
    let o = run(&["cohort", &scenario(), "--patients", "0", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--patients = 0"));
    assert!(!out.join("cohort.json").exists() && !out.join("cohort.html").exists());
    let ok = run(&["cohort", &scenario(), "--patients", "10", "--out", out.to_str().unwrap()]);
    assert!(ok.status.success());
    let again = run(&["cohort", &scenario(), "--patients", "10", "--out", out.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    // A leftover page alone is refused too.
    std::fs::remove_file(out.join("cohort.json")).unwrap();
    let page_only = run(&["cohort", &scenario(), "--patients", "10", "--out", out.to_str().unwrap()]);
    assert_eq!(page_only.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&page_only.stderr).contains("cohort.html"));
    let forced = run(&["cohort", &scenario(), "--patients", "10", "--out", out.to_str().unwrap(), "--force"]);
    assert!(forced.status.success());
    let excised = root().join("validation/v12-peptide-roller-excised.toml");
    let o = run(&["cohort", excised.to_str().unwrap(), "--patients", "10", "--out", out.to_str().unwrap(), "--force"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("skin.mounting"));
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn cohort_page_has_one_bar_per_group_the_numbers_and_no_external_resource() {
    let out = tmp("page");
    let o =
        run(&["cohort", &scenario(), "--patients", "300", "--seed", "9", "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j = cohort_json(&out);
    let html = std::fs::read_to_string(out.join("cohort.html")).expect("cohort.html written");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains(j["disclaimer"].as_str().unwrap()), "the not-a-medical-device statement");
    assert!(html.contains("not a medical device"));
    assert!(html.contains("<td class=\"num\">300</td>") && html.contains("<td class=\"num\">9</td>"), "size and seed");
    let pct = |k: &str| format!("{:.1} % of patients", 100.0 * j[k].as_f64().unwrap());
    assert!(html.contains(&pct("improved_1_grade_or_more_fraction")), "{}", pct("improved_1_grade_or_more_fraction"));
    assert!(html.contains(&pct("improved_2_grades_or_more_fraction")));
    // Self-contained: no URL to fetch, no script; the font is embedded.
    for bad in ["src=\"http", "href=\"http", "url(http", "<script", "<link", "<img"] {
        assert!(!html.contains(bad), "external resource or script: {bad}");
    }
    assert!(html.contains("url(data:font/ttf;base64,"));
    // The outcome chart: one bar per class (worse, unchanged, 1, 2, 3+ better), each with its
    // Wilson interval; bars are the filled rectangles in the class colours, the other rectangle
    // is the background (the figure style's invisible marks, `<rect class=...>`, aside).
    assert_eq!(html.matches("<svg").count(), 1);
    let svg = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()];
    let filled = |colour: &str| {
        svg.split("<rect").skip(1).filter(|r| r[..r.find('>').unwrap()].contains(&format!("fill=\"{colour}\""))).count()
    };
    let o = &j["outcomes"];
    let drawn = |k: &str| usize::from(o[k]["fraction"].as_f64().unwrap() > 0.0);
    // Zero-height bars may be left out by the drawing backend; every non-empty class is drawn.
    let better = ["improved_1", "improved_2", "improved_3_or_more"].iter().map(|k| drawn(k)).sum::<usize>();
    assert!(filled("#0072B2") >= better && filled("#0072B2") <= 3, "better bars");
    assert!(filled("#56B4E9") >= drawn("unchanged") && filled("#56B4E9") <= 1, "unchanged bar");
    assert!(filled("#D55E00") >= drawn("worsened") && filled("#D55E00") <= 1, "worse bar");
    let bars = filled("#0072B2") + filled("#56B4E9") + filled("#D55E00");
    assert_eq!(svg.matches("<rect").count() - svg.matches("<rect class=").count(), bars + 1);
    for label in ["worse", "unchanged", "1 better", "2 better", "3+ better"] {
        assert!(svg.contains(&format!("\n{label}\n")), "label of the bar {label}");
    }
    assert!(svg.contains("95 % interval for a trial of 300 patients"), "the intervals are named");
    // In a browser: no console error, the chart drawn (skipped without Debian's chromium).
    if Path::new("/usr/bin/chromium").exists() {
        let c = Command::new("bash")
            .arg(root().join("scripts/check-report-chromium"))
            .arg(out.join("cohort.html"))
            .arg(out.join("screenshot.png"))
            .output()
            .expect("the check script runs");
        let stdout = String::from_utf8_lossy(&c.stdout);
        assert!(
            c.status.success(),
            "headless Chromium check failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&c.stderr)
        );
        assert!(stdout.contains("figures=1 bad=0"), "{stdout}");
    } else {
        println!("skipped the headless-Chromium check: /usr/bin/chromium not installed");
    }
    let _ = std::fs::remove_dir_all(&out);
}
