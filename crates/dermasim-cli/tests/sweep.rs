//! `dermasim sweep` and `sweep-merge` end to end: the table, shards, merging, resuming.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dermasim")).args(args).output().expect("the binary runs")
}

fn ok(o: &Output) {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn tmp(name: &str) -> PathBuf {
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("dermasim-sweep-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

const BASE: &str = r#"name = "Forearm stamp"
[skin]
site = "forearm"
papillary_dermis_um = 100
reticular_dermis_um = 100
[device]
type = "stamp"
preset = "array-600"
needle_length_mm = 0.15
needle_diameter_mm = 0.3
[protocol]
setting = "office"
area_cm2 = 1
[[products]]
name = "caffeine"
concentration_mg_ml = 10
[simulation]
seed = 11
window_mm = 1
duration_h = 0.01
transport = "unit_cell"
resolution = "coarse"
"#;

const SPEC: &str = r#"[sweep]
name = "stamp sweep"
base = "base.toml"
[[axis]]
path = "device.needle_length_mm"
values = [0.15, 0.2, 0.25]
[[axis]]
path = "products.0.concentration_mg_ml"
range = { start = 5, stop = 15, step = 5 }
"#;

fn setup(name: &str, spec: &str) -> (PathBuf, PathBuf) {
    let d = tmp(name);
    std::fs::write(d.join("base.toml"), BASE).unwrap();
    std::fs::write(d.join("spec.toml"), spec).unwrap();
    (d.join("spec.toml"), d)
}

fn sweep(spec: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["sweep", spec.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"];
    args.extend_from_slice(extra);
    run(&args)
}

fn bytes(dir: &Path) -> Vec<u8> {
    std::fs::read(dir.join("sweep.parquet")).unwrap()
}

#[test]
fn shards_merged_equal_the_unsharded_table_byte_for_byte() {
    let (spec, d) = setup("shards", SPEC);
    let whole = d.join("whole");
    ok(&sweep(&spec, &whole, &[]));
    let description: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(whole.join("sweep.json")).unwrap()).unwrap();
    assert_eq!(description["points"], 9);
    assert_eq!(description["rows"], 9);
    assert!(!whole.join("parts").exists(), "parts are removed when the table is complete");
    let mut shards = Vec::new();
    for k in 0..3 {
        let s = d.join(format!("shard-{k}"));
        ok(&sweep(&spec, &s, &["--shard", &format!("{k}/3"), "--threads", "1"]));
        shards.push(s);
    }
    assert!(bytes(&shards[0]) != bytes(&whole));
    let merged = d.join("merged");
    let mut args = vec!["sweep-merge"];
    args.extend(shards.iter().map(|s| s.to_str().unwrap()));
    args.extend(["--out", merged.to_str().unwrap()]);
    ok(&run(&args));
    assert!(bytes(&merged) == bytes(&whole), "merged shards = unsharded run");

    // A missing shard, a shard twice, a shard of another spec: refused.
    let o = run(&[
        "sweep-merge",
        shards[0].to_str().unwrap(),
        shards[1].to_str().unwrap(),
        "--out",
        d.join("m2").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("3 of 9 points are missing"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = run(&[
        "sweep-merge",
        shards[0].to_str().unwrap(),
        shards[0].to_str().unwrap(),
        "--out",
        d.join("m3").to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("more than one shard"));
    let (other_spec, _) = setup("shards-other", &SPEC.replace("0.25]", "0.3]"));
    let other = d.join("other-0");
    ok(&sweep(&other_spec, &other, &["--shard", "0/3"]));
    let o = run(&[
        "sweep-merge",
        other.to_str().unwrap(),
        shards[1].to_str().unwrap(),
        shards[2].to_str().unwrap(),
        "--out",
        d.join("m4").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("shards of different sweeps are not merged"));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn an_interrupted_sweep_resumes_and_a_complete_one_is_left_alone() {
    let (spec, d) = setup("resume", SPEC);
    let whole = d.join("whole");
    ok(&sweep(&spec, &whole, &[]));
    // Simulate an interruption: the finished points of a first part, no table yet.
    let resumed = d.join("resumed");
    ok(&sweep(&spec, &resumed, &["--shard", "0/1"]));
    let table = std::fs::read(resumed.join("sweep.parquet")).unwrap();
    std::fs::create_dir_all(resumed.join("parts")).unwrap();
    std::fs::rename(resumed.join("sweep.parquet"), resumed.join("parts/part-0000000000.parquet")).unwrap();
    let o = run(&["sweep", spec.to_str().unwrap(), "--out", resumed.to_str().unwrap()]);
    ok(&o);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("(0 computed, 9 resumed)"), "{text}");
    assert!(std::fs::read(resumed.join("sweep.parquet")).unwrap() == table);
    assert!(bytes(&resumed) == bytes(&whole));
    let o = run(&["sweep", spec.to_str().unwrap(), "--out", resumed.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("already complete"));
    // Another spec into the same directory needs --force.
    let (other, _) = setup("resume-other", &SPEC.replace("0.25]", "0.3]"));
    let o = sweep(&other, &resumed, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn bad_specs_and_shards_are_refused_with_the_field_named() {
    let (spec, d) = setup("bad", &SPEC.replace("values = [0.15, 0.2, 0.25]", "values = [0.15, 7]"));
    let o = sweep(&spec, &d.join("o"), &[]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("device.needle_length_mm") && e.contains("allowed 0.05 to 3.5"), "{e}");
    let (spec, d2) = setup("bad-shard", SPEC);
    let o = sweep(&spec, &d2.join("o"), &["--shard", "3/3"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("allowed 0 to N - 1 = 2"));
    let _ = std::fs::remove_dir_all(&d);
    let _ = std::fs::remove_dir_all(&d2);
}
