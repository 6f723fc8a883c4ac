//! `dermasim run` on a Franz-cell scenario (`[invitro]`): franz.csv, the Franz block of
//! summary.json and the human summary; a bad protocol exits 2 naming the field.

use std::process::Command;

/// The core's Franz-cell fixture over 8 h, sampled at 0.5, 1, 2, 4 and 8 h.
fn cell() -> String {
    include_str!("../../dermasim-core/tests/fixtures/franz-caffeine.toml")
        .replace("duration_h = 24", "duration_h = 8")
        .replace("sampling_times_h = [1.0, 2.5, 6.0, 12.0, 23.9]", "sampling_times_h = [0.5, 1, 2, 4, 8]")
}

fn run(dir: &std::path::Path, text: &str, out: &str) -> std::process::Output {
    let p = dir.join("cell.toml");
    std::fs::write(&p, text).unwrap();
    Command::new(env!("CARGO_BIN_EXE_dermasim"))
        .args(["run", p.to_str().unwrap(), "--out", dir.join(out).to_str().unwrap()])
        .output()
        .expect("the binary runs")
}

#[test]
fn run_writes_franz_csv_and_the_summary_block() {
    let dir = tempfile::TempDir::new().unwrap();
    let o = run(dir.path(), &cell(), "out");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("Franz cell at 8 h: receptor"), "{stdout}");
    let csv = std::fs::read_to_string(dir.path().join("out/franz.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows[0],
        "product,skin,time_h,receptor_concentration_ug_ml,cumulative_ug_per_cm2,cumulative_ug,fraction_of_applied"
    );
    // 5 samples of treated and of intact skin
    assert_eq!(rows.len(), 1 + 2 * 5);
    assert!(rows[1].starts_with("caffeine,treated,0.5,") && rows[10].starts_with("caffeine,intact,8,"), "{csv}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/summary.json")).unwrap()).unwrap();
    let f = &summary["delivery"]["caffeine"]["franz"];
    assert_eq!(f["receptor_volume_ml"], 5.0);
    assert_eq!(f["treated"].as_array().unwrap().len(), 5);
    // the CSV and the summary hold the same numbers (the same digits: serde_json, without its
    // float_roundtrip feature, parses a decimal to within a few ulp, e.g. 9.545665947712907 in
    // both files reads back as ...909, so the comparison allows 4 ulp)
    let last = rows[5].split(',').collect::<Vec<_>>();
    let c: f64 = last[3].parse().unwrap();
    let j = f["treated"][4]["receptor_concentration_ug_ml"].as_f64().unwrap();
    assert!((c - j).abs() <= 4.0 * f64::EPSILON * c.abs(), "{c} vs {j}");
    // excised skin: no clinical product cautions
    let codes: Vec<&str> =
        summary["safety"]["findings"].as_array().unwrap().iter().filter_map(|x| x["code"].as_str()).collect();
    assert!(!codes.iter().any(|c| c.starts_with("PRODUCT_")), "{codes:?}");
}

#[test]
fn a_bad_protocol_exits_2_naming_field_value_and_range() {
    let dir = tempfile::TempDir::new().unwrap();
    for (bad, field, words) in [
        ("receptor_volume_ml = 5.0", "receptor_volume_ml = 500", "allowed 0.2 to 100"),
        ("sampling_times_h = [0.5, 1, 2, 4, 8]", "sampling_times_h = [0.5, 1, 2, 4, 9]", "[4] = 9 h"),
        ("site = \"dermatomed-human\"", "site = \"cheek\"", "excised"),
    ] {
        let text = cell().replace(bad, field);
        let o = run(dir.path(), &text, "bad");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{field}: {err}");
        assert!(err.contains("invitro") && err.contains(words), "{field}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(!dir.path().join("bad").exists());
    }
}
