//! `dermasim presets` lists every vocabulary a scenario accepts: for each field validated
//! against a word list, the words the validation allows (read from its error message for an
//! unknown word) all appear in the listing, so the listing cannot fall behind the validation.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn presets_lists_every_vocabulary_the_scenario_accepts() {
    let o = Command::new(env!("CARGO_BIN_EXE_dermasim")).arg("presets").output().expect("the binary runs");
    assert!(o.status.success());
    let listing = String::from_utf8(o.stdout).unwrap();
    // The pen example has products and a numbing cream, so every field below exists.
    let text = std::fs::read_to_string(root().join("examples/dermapen-rejuvenation.toml")).unwrap();
    let fields = [
        "device.type",
        "protocol.setting",
        "protocol.numbing.cream",
        "skin.mounting",
        "skin.site",
        "device.preset",
        "simulation.transport",
        "simulation.resolution",
        "products[0].ionisation",
    ];
    for field in fields {
        let errors = dermasim_core::scenario::parse(&text, &[format!("{field}=\"no-such-word\"")])
            .err()
            .unwrap_or_else(|| panic!("{field}: an unknown word is refused"));
        let msg = errors.iter().map(|e| e.message.as_str()).find(|m| m.contains("allowed")).unwrap_or_else(|| {
            panic!(
                "{field}: the error names what is allowed: {:?}",
                errors.iter().map(|e| &e.message).collect::<Vec<_>>()
            )
        });
        let allowed = &msg[msg.find("allowed ").unwrap() + 8..];
        let allowed = allowed.split(" (").next().unwrap();
        let words: Vec<&str> = allowed.split(", ").map(|w| w.trim_matches(|c: char| c == '"' || c == '.')).collect();
        assert!(words.len() >= 2, "{field}: {msg}");
        for w in words {
            assert!(listing.contains(w), "{field}: `dermasim presets` does not list {w:?}");
        }
    }
    for section in ["Numbing creams", "Skin conditions", "Indication", "Phototype", "ScarType", "Sex", "Settings"] {
        assert!(listing.contains(section), "presets lists {section}");
    }
    for word in ["rosacea", "active-acne", "acne-scars", "striae", "lidocaine-4", "emla"] {
        assert!(listing.contains(word), "presets lists {word}");
    }
}

/// The run summary and the report say in words what a product without `dose_ul_per_cm2` is
/// (an infinite dose), and the summary's small texts read as English ("1 finding", "office").
#[test]
fn infinite_dose_is_said_and_small_texts_read_well() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dermasim-presets-test");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = dir.join("vitc.toml");
    std::fs::write(
        &scenario,
        r#"name = "vitamin C, no dose"
[skin]
site = "cheek"
[device]
type = "dermaroller"
preset = "roller-192"
needle_length_mm = 0.25
[protocol]
setting = "office"
area_cm2 = 1
passes = [{ direction_deg = 0, count = 1 }]
[[products]]
name = "ascorbic-acid"
concentration_mg_ml = 200
formulated_for_microneedling = true
[simulation]
window_mm = 3
duration_h = 2
"#,
    )
    .unwrap();
    let out = dir.join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_dermasim"))
        .args(["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout.contains("ascorbic-acid: no dose_ul_per_cm2 given: simulated as an infinite dose"), "{stdout}");
    assert!(stdout.contains("(office)") && !stdout.contains("(Office)"), "{stdout}");
    assert!(!stdout.contains(" 1 findings"), "{stdout}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.matches("simulated as an infinite dose").count() >= 2, "scenario row and delivery warning");
    let _ = std::fs::remove_dir_all(&dir);
}
