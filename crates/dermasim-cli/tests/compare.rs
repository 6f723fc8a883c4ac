//! `dermasim compare`: two plans side by side, the JSON diff and the page.

use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dermasim")).args(args).output().expect("the binary runs")
}

const PLAN: &str = r#"name = "Cheek roller"

[skin]
site = "cheek"

[device]
type = "dermaroller"
preset = "roller-192"
needle_length_mm = 1.0

[protocol]
setting = "office"
area_cm2 = 4
passes = [{ direction_deg = 0, count = 2 }]

[simulation]
seed = 5
window_mm = 4
transport = "off"
"#;

fn json(p: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn plans(dir: &Path) -> (String, String) {
    let a = dir.join("long.toml");
    let b = dir.join("short.toml");
    std::fs::write(&a, PLAN).unwrap();
    std::fs::write(&b, PLAN.replace("needle_length_mm = 1.0", "needle_length_mm = 0.25")).unwrap();
    (a.to_str().unwrap().to_string(), b.to_str().unwrap().to_string())
}

#[test]
fn compare_writes_the_diff_and_the_side_by_side_page() {
    let dir = tempfile::TempDir::new().unwrap();
    let (a, b) = plans(dir.path());
    let out = dir.path().join("cmp");
    let o = run(&["compare", &a, &b, "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let d = json(&out.join("compare.json"));
    assert_eq!(d["plans"][0]["label"], "A");
    assert_eq!(d["plans"][1]["source"], b.as_str());
    let depth = d["headlines"].as_array().unwrap().iter().find(|h| h["key"] == "channels.mean_depth_um").unwrap();
    assert_eq!(depth["differs"], true);
    assert!(depth["difference"][1].as_f64().unwrap() < 0.0, "B's needles are shorter: {depth}");
    assert!(d["differing"].as_array().unwrap().iter().any(|k| k == "channels.mean_depth_um"));
    // The run of plan A alone gives the same headline number as column A.
    let single = dir.path().join("single");
    let r = run(&["run", &a, "--out", single.to_str().unwrap(), "--quiet"]);
    assert!(r.status.success());
    let s = json(&single.join("summary.json"));
    assert_eq!(depth["values"][0], s["channels"]["mean_depth_um"]);
    let html = std::fs::read_to_string(out.join("compare.html")).unwrap();
    assert!(html.contains("class=\"differs\"") && html.contains("class=\"pair\""));
    // On a phone the table's cells stack: each names its plan (a print stylesheet keeps the
    // safety findings and the scenario on one page).
    assert!(html.contains("data-label=\"B − A\""), "headline differences name their plans");
    assert!(html.contains("class=\"compare-page\""));
    assert!(html.contains(dermasim_core::summary::DISCLAIMER));
}

#[test]
fn a_plan_compared_with_itself_differs_nowhere_and_set_applies_to_every_plan() {
    let dir = tempfile::TempDir::new().unwrap();
    let (a, _) = plans(dir.path());
    let out = dir.path().join("cmp");
    let o = run(&["compare", &a, &a, "--set", "device.needle_length_mm=0.5", "--out", out.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let d: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(d["differing"].as_array().unwrap().len(), 0, "{}", d["differing"]);
    assert_eq!(d["plans"][1]["overrides"][0], "device.needle_length_mm=0.5");
    assert_eq!(d, json(&out.join("compare.json")));
}

#[test]
fn bad_input_is_refused_before_anything_is_written() {
    let dir = tempfile::TempDir::new().unwrap();
    let (a, b) = plans(dir.path());
    let out = dir.path().join("cmp");
    let o = run(&["compare", &a, &b, "--set", "device.needle_length_mm=9", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("device.needle_length_mm"));
    assert!(!out.exists());
    let o = run(&["compare", &a, "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "one plan is not a comparison");
    let many: Vec<&str> = std::iter::repeat_n(a.as_str(), 9).collect();
    let mut args = vec!["compare"];
    args.extend(many);
    args.extend(["--out", out.to_str().unwrap()]);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("allowed 2 to 8"));
    assert!(!out.exists());
}
