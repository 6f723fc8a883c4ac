//! End-to-end tests of `dermasim check`: exit codes 0 (ok), 1 (caution), 3 (contraindicated),
//! 2 (invalid input).

use std::path::PathBuf;
use std::process::{Command, Output};

const CLEAN: &str = r#"
name = "clean home roller"
[skin]
site = "cheek"
[device]
type = "dermaroller"
preset = "roller-192-thin"
needle_length_mm = 0.25
[protocol]
setting = "home"
area_cm2 = 4
passes = [{ direction_deg = 0, count = 2 }]
"#;

fn scenario(name: &str, text: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dermasim-check-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    let p = d.join(format!("{name}.toml"));
    std::fs::write(&p, text).expect("write scenario");
    p
}

fn check(path: &PathBuf, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dermasim")).arg("check").arg(path).args(extra).output().expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

#[test]
fn clean_scenario_exits_0() {
    let p = scenario("clean", CLEAN);
    let o = check(&p, &[]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&o).contains("verdict ok"), "{}", stdout(&o));
}

#[test]
fn unknown_condition_is_info_and_exits_0() {
    let p = scenario("info", CLEAN);
    let o = check(&p, &["--set", "skin.conditions=[\"freckles\"]"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("CONDITION_UNKNOWN"));
}

#[test]
fn caution_exits_1() {
    let p = scenario("caution", CLEAN);
    let o = check(&p, &["--set", "device.uses=3"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("CAUTION") && stdout(&o).contains("DEVICE_REUSED"));
}

#[test]
fn contraindication_exits_3_and_is_listed_first() {
    let p = scenario("contra", CLEAN);
    let o = check(&p, &["--set", "skin.conditions=[\"anticoagulants\", \"active-acne\"]"]);
    assert_eq!(o.status.code(), Some(3), "{}", stdout(&o));
    let out = stdout(&o);
    let (c, k) = (out.find("CONTRAINDICATED").unwrap(), out.find("CAUTION").unwrap());
    assert!(c < k, "contraindicated findings come first:\n{out}");
    assert!(out.contains("CONDITION_ACTIVE_ACNE") && out.contains("skin.conditions[1]"));
}

#[test]
fn json_output_has_the_verdict_and_findings() {
    let p = scenario("json", CLEAN);
    let o = check(&p, &["--json", "--set", "device.needle_length_mm=1.5"]);
    assert_eq!(o.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert_eq!(v["verdict"], "contraindicated");
    let f = &v["findings"][0];
    assert_eq!(f["code"], "NEEDLE_TOO_LONG");
    assert_eq!(f["severity"], "contraindicated");
    assert_eq!(f["field"], "device.needle_length_mm");
}

#[test]
fn invalid_input_exits_2() {
    let p = scenario("invalid", CLEAN);
    let o = check(&p, &["--set", "device.needle_length_mm=-1"]);
    assert_eq!(o.status.code(), Some(2));
    let o = check(&PathBuf::from("/nonexistent/scenario.toml"), &[]);
    assert_eq!(o.status.code(), Some(2));
}
