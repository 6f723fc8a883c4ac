//! End-to-end tests of `dermasim calibrate`: the fits are printed and nothing is written without
//! `--write`; an unknown parameter exits 2 naming it and the allowed ones; `--write` rewrites the
//! registry entry's value in its source file and nothing else, and leaves no temporary behind.

use std::path::Path;
use std::process::{Command, Output};

fn calibrate(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dermasim"))
        .arg("calibrate")
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

/// A source tree holding the real numbing.rs and the registry's marker file.
fn tree(dir: &Path) -> std::path::PathBuf {
    let src = dir.join("crates/dermasim-core/src");
    std::fs::create_dir_all(&src).unwrap();
    let real = concat!(env!("CARGO_MANIFEST_DIR"), "/../dermasim-core/src");
    for f in ["params.rs", "numbing.rs"] {
        std::fs::copy(Path::new(real).join(f), src.join(f)).unwrap();
    }
    src.join("numbing.rs")
}

#[test]
fn prints_every_fit_and_writes_nothing_by_default() {
    let dir = tempfile::TempDir::new().unwrap();
    let numbing = tree(dir.path());
    let before = std::fs::read(&numbing).unwrap();
    let o = calibrate(&[], dir.path());
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    for name in ["channels.skin_stiffness_n_per_um", "channels.rat_follow_through", "numbing.fat_innervation_ratio"] {
        assert!(out.contains(name), "{name} missing: {out}");
    }
    assert!(out.contains("within the fit's uncertainty") && !out.contains("OUTSIDE"), "{out}");
    assert!(out.contains("nothing written"), "{out}");
    assert_eq!(std::fs::read(&numbing).unwrap(), before);
    // Deterministic: the same bytes twice.
    assert_eq!(calibrate(&[], dir.path()).stdout, o.stdout);
}

#[test]
fn an_unknown_parameter_exits_2_naming_it_and_the_allowed_ones() {
    let dir = tempfile::TempDir::new().unwrap();
    let o = calibrate(&["--parameters", "numbing.fat_innervation_ratio,channels.nope"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("channels.nope") && err.contains("channels.rat_follow_through"), "{err}");
    assert!(o.stdout.is_empty());
    // --write outside a source tree: exit 2 before any fit.
    let o = calibrate(&["--write"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("source tree"), "{}", text(&o.stderr));
}

#[test]
fn write_replaces_the_value_line_and_nothing_else() {
    let dir = tempfile::TempDir::new().unwrap();
    let numbing = tree(dir.path());
    let before = std::fs::read_to_string(&numbing).unwrap();
    let inner = dir.path().join("crates");
    let o = calibrate(&["--parameters", "numbing.fat_innervation_ratio", "--write"], &inner);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains("numbing.fat_innervation_ratio = 0.4069 written into crates/dermasim-core/src/numbing.rs"),
        "{out}"
    );
    let after = std::fs::read_to_string(&numbing).unwrap();
    let changed: Vec<(&str, &str)> = before.lines().zip(after.lines()).filter(|(a, b)| a != b).collect();
    assert_eq!(changed, vec![("    value: 0.4,", "    value: 0.4069,")], "{changed:?}");
    assert_eq!(before.lines().count(), after.lines().count());
    let left: Vec<_> = std::fs::read_dir(numbing.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 2, "a temporary was left: {left:?}");
    // Writing again (with --source) gives the same file.
    let source = dir.path().to_str().unwrap();
    let o = calibrate(&["--parameters", "numbing.fat_innervation_ratio", "--write", "--source", source], dir.path());
    assert!(o.status.success());
    assert_eq!(std::fs::read_to_string(&numbing).unwrap(), after);
}

#[test]
fn write_sets_a_drawn_parameters_distribution_to_the_fits_uncertainty() {
    let dir = tempfile::TempDir::new().unwrap();
    let numbing = tree(dir.path());
    let before = std::fs::read_to_string(&numbing).unwrap();
    let o = calibrate(&["--parameters", "numbing.liposomal_sc_factor", "--write"], dir.path());
    assert!(o.status.success(), "{}", text(&o.stderr));
    let after = std::fs::read_to_string(&numbing).unwrap();
    let changed: Vec<(&str, &str)> = before.lines().zip(after.lines()).filter(|(a, b)| a != b).collect();
    assert_eq!(changed.len(), 2, "{changed:?}");
    assert_eq!(changed[0], ("    value: 43.9,", "    value: 53.8,"), "{changed:?}");
    assert!(changed[1].0.contains("LogUniform { lo: 25.0, hi: 80.0 }"), "{changed:?}");
    assert!(changed[1].1.contains("LogUniform { lo: 43.85, hi: 70.29 }"), "{changed:?}");
}
