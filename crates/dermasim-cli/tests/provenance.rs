//! Provenance end to end: `--set` reaches the saved scenario, `summary.json` and the report.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dermasim")).args(args).output().expect("the binary runs")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("dermasim-prov-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    d
}

const SCENARIO: &str = r#"name = "Cheek roller"
description = "A clinic roller on the cheek"

[skin]
site = "cheek"

[device]
type = "dermaroller"
preset = "roller-192"
needle_length_mm = 1.5 # the file's length

[protocol]
setting = "office"
area_cm2 = 4
passes = [{ direction_deg = 0, count = 2 }]

[simulation]
seed = 5
transport = "off"
"#;

fn json(p: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn set_overrides_reach_the_saved_scenario_the_provenance_and_the_report_title() {
    let dir = tmp("set");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("in.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    let out = dir.join("out");
    let o = run(&[
        "run",
        file.to_str().unwrap(),
        "--set",
        "device.needle_length_mm=0.5",
        "--seed",
        "9",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // The saved scenario is the effective one, comments kept.
    let saved = std::fs::read_to_string(out.join("scenario.toml")).unwrap();
    assert!(saved.contains("needle_length_mm = 0.5 # the file's length"), "{saved}");
    assert!(saved.contains("seed = 9"), "{saved}");
    assert!(saved.contains("--set device.needle_length_mm=0.5"), "{saved}");

    let s = json(&out.join("summary.json"));
    let p = &s["provenance"];
    assert_eq!(p["overrides"], serde_json::json!(["device.needle_length_mm=0.5", "simulation.seed=9"]));
    assert_eq!(p["seed"], 9);
    assert_eq!(p["dermasim_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(p["scenario_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(p["thread_count_independent"], true);
    assert_eq!(s["scenario"]["needle_length_mm"], 0.5);

    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<h1>Cheek roller (device.needle_length_mm=0.5)</h1>"), "title");
    assert!(html.contains("effective scenario after --set device.needle_length_mm=0.5, --set simulation.seed=9"));

    // Running the saved scenario alone gives the same numbers and the same scenario hash.
    let again = dir.join("again");
    let o = run(&["run", out.join("scenario.toml").to_str().unwrap(), "--out", again.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let t = json(&again.join("summary.json"));
    assert_eq!(t["provenance"]["scenario_sha256"], p["scenario_sha256"]);
    assert_eq!(t["provenance"]["overrides"], serde_json::json!([]));
    assert_eq!(t["channels"], s["channels"]);
    assert_eq!(t["punctures"], s["punctures"]);
    let html = std::fs::read_to_string(again.join("report.html")).unwrap();
    assert!(html.contains("<h1>Cheek roller</h1>"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn without_overrides_the_scenario_is_saved_as_written() {
    let dir = tmp("plain");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("in.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    let out = dir.join("out");
    let o = run(&["run", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read_to_string(out.join("scenario.toml")).unwrap(), SCENARIO);
    let s = json(&out.join("summary.json"));
    // Built in this git checkout, the commit is known: 40 hex digits.
    if let Some(c) = s["provenance"]["git_commit"].as_str() {
        assert!(c.len() == 40 && c.chars().all(|ch| ch.is_ascii_hexdigit()), "{c}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
