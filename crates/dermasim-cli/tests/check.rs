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
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dermasim-check");
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
fn unknown_vocabulary_exits_2_naming_the_allowed_values() {
    let p = scenario("vocab", CLEAN);
    for set in [
        "patient.conditions=[\"pregancy\"]",
        "patient.conditions=[\"pregnancy (12 weeks)\"]",
        "patient.conditions=[\"isotretinoin (stopped 2 months ago)\"]",
        "protocol.numbing={cream=\"benzocaine\", minutes=30}",
    ] {
        let o = check(&p, &["--set", set]);
        assert_eq!(o.status.code(), Some(2), "{set}: {}", stdout(&o));
        // miette wraps long messages: compare with the line breaks and gutters removed.
        let err: String =
            String::from_utf8_lossy(&o.stderr).replace('│', " ").split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            err.contains("is not known: allowed none") || err.contains("is not known: allowed active-acne"),
            "{set}: {err}"
        );
    }
    // An old file's skin.conditions is an error pointing to patient.conditions.
    let old = scenario("old", &CLEAN.replace("site = \"cheek\"", "site = \"cheek\"\nconditions = [\"rosacea\"]"));
    let o = check(&old, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("patient.conditions"));
}

#[test]
fn natural_spellings_of_known_conditions_are_screened() {
    let p = scenario("alias", CLEAN);
    let o = check(&p, &["--set", "patient.conditions=[\"Pregnant.\"]"]);
    assert_eq!(o.status.code(), Some(3), "{}", stdout(&o));
    assert!(stdout(&o).contains("CONDITION_PREGNANCY"));
}

/// The over-treatment cases of issue #19: each gives caution or contraindicated, each finding
/// with a source.
#[test]
fn over_treatment_is_not_ok() {
    let pen = |len: f64, setting: &str| {
        format!(
            "[skin]\nsite = \"cheek\"\n[device]\ntype = \"dermapen\"\npreset = \"pen-12\"\nneedle_length_mm = \
             {len}\n[protocol]\nsetting = \"{setting}\"\narea_cm2 = 4\npen_path = {{ directions_deg = [0, 90] }}\n\
             numbing = {{ cream = \"emla\", minutes = 180 }}\n[simulation]\nwindow_mm = 10\n"
        )
    };
    let roller = "[skin]\nsite = \"cheek\"\n[device]\ntype = \"dermaroller\"\npreset = \"roller-192\"\n\
                  needle_length_mm = 1.5\n[protocol]\nsetting = \"office\"\narea_cm2 = 4\nsessions = 20\n\
                  interval_days = 3\nnumbing = { cream = \"emla\", minutes = 180 }\n[simulation]\nwindow_mm = 10\n";
    for (name, text, codes) in [
        ("pen-1.5-cheek", pen(1.5, "office"), &["CHANNELS_INTO_FAT", "OPENINGS_CONFLUENT", "OPENINGS_DENSE"][..]),
        ("pen-0.5-home", pen(0.5, "home"), &["HOME_CHANNELS_TOO_DEEP", "CHANNELS_INTO_FAT"][..]),
        ("roller-20x3d", roller.to_string(), &["SERIES_INTERVAL_SHORT", "SERIES_INTERVAL_BEFORE_REMODELLING"][..]),
    ] {
        let p = scenario(name, &text);
        let o = check(&p, &["--json"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
        assert!(matches!(o.status.code(), Some(1) | Some(3)), "{name}: {v:#}");
        assert_ne!(v["verdict"], "ok", "{name}");
        let found: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
        assert!(codes.iter().any(|c| found.contains(c)), "{name}: {found:?}");
        for f in v["findings"].as_array().unwrap() {
            assert!(!f["source"].as_str().unwrap().is_empty(), "{name}: {f}");
        }
    }
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
    let o = check(&p, &["--set", "patient.conditions=[\"anticoagulants\", \"active-acne\"]"]);
    assert_eq!(o.status.code(), Some(3), "{}", stdout(&o));
    let out = stdout(&o);
    let (c, k) = (out.find("CONTRAINDICATED").unwrap(), out.find("CAUTION").unwrap());
    assert!(c < k, "contraindicated findings come first:\n{out}");
    assert!(out.contains("CONDITION_ACTIVE_ACNE") && out.contains("patient.conditions[1]"));
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
    assert!(v["injury"]["channels"].as_u64().unwrap() > 0, "the injury numbers the rules read: {v:#}");
}

#[test]
fn invalid_input_exits_2() {
    let p = scenario("invalid", CLEAN);
    let o = check(&p, &["--set", "device.needle_length_mm=-1"]);
    assert_eq!(o.status.code(), Some(2));
    let o = check(&PathBuf::from("/nonexistent/scenario.toml"), &[]);
    assert_eq!(o.status.code(), Some(2));
}
