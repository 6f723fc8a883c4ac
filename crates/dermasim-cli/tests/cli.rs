//! End-to-end tests of the `dermasim` binary: what a user types, what they get.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dermasim"))
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("dermasim-cli-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

const VALID: &str = r#"
[skin]
site = "cheek"

[device]
type = "dermaroller"
preset = "roller-192"
needle_length_mm = 1.0

[protocol]
setting = "office"
area_cm2 = 4
passes = [{ direction_deg = 0, count = 2 }, { direction_deg = 90, count = 2 }]

[simulation]
seed = 5
transport = "off"
"#;

fn scenario_file(name: &str, text: &str) -> PathBuf {
    let dir = tmp(name);
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("scenario.toml");
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn run_writes_the_outputs_and_a_human_summary() {
    let out = tmp("run-out");
    let ex = root().join("examples/home-roller-serum.toml");
    let o = run(&["run", ex.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["summary.json", "punctures.csv", "channels.csv"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    for key in ["total", "density_per_cm2", "distinct_density_per_cm2", "coverage_fraction"] {
        assert!(s["punctures"][key].is_number(), "punctures.{key}");
    }
    for key in ["mean_depth_um", "depth_fraction_mean"] {
        assert!(s["channels"][key].is_number(), "channels.{key}");
    }
    for layer in ["stratum_corneum", "viable_epidermis", "papillary_dermis", "reticular_dermis"] {
        let f = s["channels"]["reach"][layer].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&f), "reach.{layer} = {f}");
    }
    // One CSV row per simulated puncture.
    let rows = std::fs::read_to_string(out.join("channels.csv")).unwrap().lines().count() - 1;
    assert_eq!(rows as u64, s["punctures"]["simulated"].as_u64().unwrap());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("mean depth") && text.contains("not a medical device"), "{text}");
}

#[test]
fn same_seed_same_summary_whatever_the_thread_count() {
    let p = scenario_file("det", VALID);
    let (a, b) = (tmp("det-a"), tmp("det-b"));
    let o1 = run(&["run", p.to_str().unwrap(), "--out", a.to_str().unwrap(), "--threads", "1", "--quiet"]);
    let o2 = run(&["run", p.to_str().unwrap(), "--out", b.to_str().unwrap(), "--threads", "2", "--quiet"]);
    assert!(o1.status.success() && o2.status.success());
    for f in ["summary.json", "channels.csv", "punctures.csv"] {
        assert_eq!(std::fs::read(a.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap(), "{f} differs");
    }
    // A different seed gives different channels.
    let c = tmp("det-c");
    assert!(
        run(&["run", p.to_str().unwrap(), "--out", c.to_str().unwrap(), "--seed", "6", "--quiet"]).status.success()
    );
    assert_ne!(std::fs::read(a.join("channels.csv")).unwrap(), std::fs::read(c.join("channels.csv")).unwrap());
}

#[test]
fn a_non_empty_output_directory_needs_force_and_force_replaces_only_dermasim_outputs() {
    let p = scenario_file("force", VALID);
    let out = tmp("force-out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "x").unwrap();
    let o = run(&["run", p.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(out.join("keep.txt").exists(), "nothing is touched without --force");
    // Not a dermasim output: --force does not replace it either.
    let o = run(&["run", p.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet", "--force"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a dermasim output"), "{}", stderr(&o));
    assert!(out.join("keep.txt").exists());
    std::fs::remove_file(out.join("keep.txt")).unwrap();
    // An earlier output is replaced with --force only.
    assert!(run(&["run", p.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]).status.success());
    let o = run(&["run", p.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    let o = run(&["run", p.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet", "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("summary.json").exists());
}

#[test]
fn json_flag_prints_the_summary() {
    let p = scenario_file("json", VALID);
    let out = tmp("json-out");
    let o = run(&["run", p.to_str().unwrap(), "--out", out.to_str().unwrap(), "--json"]);
    assert!(o.status.success());
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is JSON");
    assert_eq!(s["scenario"]["seed"], 5);
}

/// Each kind of bad input: exit code 2, a message naming the field, no panic, no output.
#[test]
fn bad_files_are_refused_with_the_field_named() {
    let cases: &[(&str, String, &str)] = &[
        ("syntax", VALID.replace("site = \"cheek\"", "site = \"cheek"), "skin"),
        ("unknown key", VALID.replace("area_cm2 = 4", "area_cm2 = 4\nareas = 5"), "areas"),
        ("wrong type", VALID.replace("area_cm2 = 4", "area_cm2 = \"four\""), "area_cm2"),
        (
            "negative length",
            VALID.replace("needle_length_mm = 1.0", "needle_length_mm = -1.0"),
            "device.needle_length_mm",
        ),
        ("12 mm needle", VALID.replace("needle_length_mm = 1.0", "needle_length_mm = 12"), "0.05 to 3.5"),
        ("unknown site", VALID.replace("\"cheek\"", "\"elbow\""), "skin.site"),
        ("missing section", VALID.replace("[protocol]", "[protocolx]"), "protocol"),
        ("bad pass count", VALID.replace("count = 2 }, {", "count = 0 }, {"), "protocol.passes[0].count"),
    ];
    for (what, text, needle) in cases {
        let p = scenario_file(&format!("bad-{}", what.replace(' ', "-")), text);
        let out = tmp(&format!("bad-out-{}", what.replace(' ', "-")));
        let o = run(&["run", p.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{what}: {err}");
        assert!(err.contains(needle), "{what}: message does not name '{needle}': {err}");
        assert!(!err.contains("panicked"), "{what}: {err}");
        assert!(!out.exists(), "{what}: output written for a bad file");
    }
}

#[test]
fn set_overrides_are_validated_too() {
    let p = scenario_file("set", VALID);
    let out = tmp("set-out");
    let o = run(&["run", p.to_str().unwrap(), "--out", out.to_str().unwrap(), "--set", "device.needle_length_mm=9"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("device.needle_length_mm") && stderr(&o).contains("--set"), "{}", stderr(&o));
    let o = run(&[
        "run",
        p.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--set",
        "device.needle_length_mm=0.5",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["scenario"]["needle_length_mm"], 0.5);
}

/// Registry parameters are overridden by name; a wrong name or value exits 2 naming it.
#[test]
fn parameter_overrides_by_name() {
    let p = scenario_file("params", VALID);
    let out = tmp("params-out");
    let args = |set: &str| {
        vec![
            "run".to_string(),
            p.to_str().unwrap().to_string(),
            "--out".into(),
            out.to_str().unwrap().into(),
            "--set".into(),
            set.into(),
            "--json".into(),
        ]
    };
    let o = bin().args(args("parameters.procedure.preparation_min=500")).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    // miette wraps long messages: compare with the wrapping undone.
    let flat = |o: &Output| stderr(o).replace('│', " ").split_whitespace().collect::<Vec<_>>().join(" ");
    let err = flat(&o);
    assert!(err.contains("parameters.procedure.preparation_min") && err.contains("allowed 0 to 120 min"), "{err}");
    let o = bin().args(args("parameters.procedure.preparation_mins=5")).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        flat(&o).contains("allowed procedure.stroke_length_mm, procedure.stroke_overhead_s"),
        "lists the allowed names: {}",
        flat(&o)
    );
    assert!(!out.exists());
    let o = bin().args(args("parameters.procedure.preparation_min=25")).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["procedure"]["preparation_min"], 25.0);
    let _ = std::fs::remove_dir_all(p.parent().unwrap());
    let _ = std::fs::remove_dir_all(&out);
}

/// `--uncertainty N`: bands of the headline outputs, the same bits whatever the thread count;
/// without it, no `uncertainty` section.
#[test]
fn uncertainty_bands_are_deterministic() {
    let p = scenario_file("bands", VALID);
    let out = tmp("bands-out");
    let go = |threads: &str, n: &str| {
        let o = run(&[
            "run",
            p.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--force",
            "--threads",
            threads,
            "--uncertainty",
            n,
            "--json",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        o.stdout
    };
    let one = go("1", "16");
    assert_eq!(one, go("2", "16"), "same bands with 1 and 2 threads");
    let s: serde_json::Value = serde_json::from_slice(&one).unwrap();
    let b = &s["uncertainty"]["bands"]["procedure.total_min_band"];
    let (p5, p50, p95) = (b["p5"].as_f64().unwrap(), b["p50"].as_f64().unwrap(), b["p95"].as_f64().unwrap());
    assert!(p5 < p50 && p50 < p95, "{b}");
    assert!(
        p5 <= s["procedure"]["total_min"].as_f64().unwrap() && s["procedure"]["total_min"].as_f64().unwrap() <= p95
    );
    assert_eq!(s["uncertainty"]["samples"], 16);
    assert!(s["uncertainty"]["bands"]["channels.mean_depth_um_band"].is_object());
    let o = run(&["run", p.to_str().unwrap(), "--out", out.to_str().unwrap(), "--force", "--json"]);
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(s.get("uncertainty").is_none(), "no bands unless asked");
    let o = run(&["run", p.to_str().unwrap(), "--out", out.to_str().unwrap(), "--force", "--uncertainty", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--uncertainty = 0") && stderr(&o).contains("allowed 1 to 4096"), "{}", stderr(&o));
    // The human summary prints the bands to the precision they support.
    let o = run(&["run", p.to_str().unwrap(), "--out", out.to_str().unwrap(), "--force", "--uncertainty", "8"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("uncertainty (8 draws") && text.contains("procedure.total_min: "), "{text}");
    let _ = std::fs::remove_dir_all(p.parent().unwrap());
    let _ = std::fs::remove_dir_all(&out);
}

/// `dermasim sensitivity`: writes its three files; an unknown output exits 2 naming it and the
/// allowed ones, before anything is written; the same seed gives the same bytes whatever the
/// thread count.
#[test]
fn sensitivity_writes_indices_and_refuses_unknown_outputs() {
    let p = scenario_file("sens", VALID);
    let out = tmp("sens-out");
    let go = |threads: &str, outputs: &str| {
        run(&[
            "sensitivity",
            p.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--force",
            "--samples",
            "8",
            "--threads",
            threads,
            "--outputs",
            outputs,
            "--quiet",
        ])
    };
    let o = go("1", "procedure.total_min,channels.nonsense_um");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("\"channels.nonsense_um\"") && err.contains("procedure.total_min"), "{err}");
    assert!(!out.exists(), "nothing written for a refused request");
    let o = go("1", "procedure.total_min,procedure.duration_min");
    assert!(o.status.success(), "{}", stderr(&o));
    let read = |f: &str| std::fs::read(out.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    let (json, csv, svg) = (read("sensitivity.json"), read("sensitivity.csv"), read("sensitivity.svg"));
    let s: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(s["samples"], 8);
    let inputs = s["inputs"].as_array().unwrap();
    assert!(!inputs.is_empty());
    assert_eq!(s["runs"], 8 * (inputs.len() + 2));
    let outputs = s["outputs"].as_array().unwrap();
    assert_eq!(outputs.len(), 2);
    assert_eq!(outputs[0]["output"], "procedure.total_min");
    // Needling time depends on the procedure stage's stroke parameters alone: every other
    // input's runs give the same value bit for bit, so its total index is exactly 0.
    let duration = &outputs[1];
    assert_eq!(duration["output"], "procedure.duration_min");
    let total = |i: &serde_json::Value| i["total"]["value"].as_f64().unwrap();
    for i in duration["indices"].as_array().unwrap() {
        let name = i["input"].as_str().unwrap();
        if name == "procedure.stroke_length_mm" || name == "procedure.stroke_overhead_s" {
            assert!(total(i) > 0.0, "{i}");
        } else {
            assert_eq!(total(i), 0.0, "{i}");
        }
    }
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with("output,input,first_order,"));
    assert_eq!(csv.lines().count(), 1 + 2 * inputs.len(), "{csv}");
    assert!(String::from_utf8_lossy(&svg).contains("<svg"));
    let o = go("2", "procedure.total_min,procedure.duration_min");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(json, read("sensitivity.json"), "same seed, same bytes with 1 and 2 threads");
    assert_eq!(svg, read("sensitivity.svg"));
    let _ = std::fs::remove_dir_all(p.parent().unwrap());
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn schema_and_presets_print() {
    let o = run(&["schema"]);
    assert!(o.status.success());
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).expect("schema is JSON");
    assert!(s["properties"]["device"].is_object() || s.to_string().contains("needle_length_mm"));
    let o = run(&["presets"]);
    let t = String::from_utf8_lossy(&o.stdout);
    for name in ["forehead", "porcine-ear", "dermatomed-human", "hairless-rat", "roller-192", "pen-12", "pen-36"] {
        assert!(t.contains(name), "{name} missing from presets");
    }
}

#[test]
fn every_example_validates() {
    for entry in std::fs::read_dir(root().join("examples")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "toml") {
            let o = run(&["validate", p.to_str().unwrap()]);
            assert!(o.status.success(), "{}: {}", p.display(), stderr(&o));
        }
    }
}
