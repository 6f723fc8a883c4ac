//! The hostile cases of issue #22, end to end: what `dermasim` must never do (delete what is not
//! its own, leave temporaries behind, panic, run unbounded) and what it must say instead.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dermasim"))
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("dermasim-hard-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// `clean.toml` of the issue: a 0.25 mm roller at home on 4 cm² of cheek, no transport.
const CLEAN: &str = r#"
name = "clean"
[skin]
site = "cheek"
[device]
type = "dermaroller"
preset = "roller-192"
needle_length_mm = 0.25
[protocol]
setting = "home"
area_cm2 = 4
[simulation]
transport = "off"
"#;

/// A directory holding a scenario and unrelated files, as a user's project folder would.
fn project(name: &str) -> PathBuf {
    let d = tmp(name);
    std::fs::write(d.join("s.toml"), CLEAN).unwrap();
    std::fs::write(d.join("notes.txt"), "my notes").unwrap();
    std::fs::create_dir(d.join("data")).unwrap();
    std::fs::write(d.join("data/keep.csv"), "1,2").unwrap();
    d
}

fn untouched(d: &Path) {
    assert_eq!(std::fs::read_to_string(d.join("notes.txt")).unwrap(), "my notes");
    assert_eq!(std::fs::read_to_string(d.join("data/keep.csv")).unwrap(), "1,2");
    assert!(d.join("s.toml").exists());
}

/// Hidden temporaries left in `d`.
fn temporaries(d: &Path) -> Vec<String> {
    std::fs::read_dir(d)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.contains(".dermasim-tmp-") || n.contains(".dermasim-old-") || n.contains(".tmp-"))
        .collect()
}

// 1. --force never deletes what is not dermasim's.
#[test]
fn force_refuses_dot_dotdot_root_the_scenario_directory_and_foreign_directories() {
    let d = project("force-dot");
    let sub = d.join("sub");
    std::fs::create_dir(&sub).unwrap();
    for out in [".", "..", "/", "sub/.", "sub/..", "./"] {
        let o =
            bin().current_dir(&sub).args(["run", "../s.toml", "--out", out, "--force", "--quiet"]).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "--out {out}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"));
        untouched(&d);
    }
    // The scenario's own directory, by any name.
    let o =
        bin().current_dir(&sub).args(["run", "../s.toml", "--out", d.to_str().unwrap(), "--force"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("never replaces"), "{}", stderr(&o));
    untouched(&d);
    // A foreign directory: --force does not make it ours.
    let o = bin().current_dir(&d).args(["run", "s.toml", "--out", "data", "--force"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not a dermasim output"), "{}", stderr(&o));
    untouched(&d);
    assert!(temporaries(&d).is_empty(), "{:?}", temporaries(&d));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn force_replaces_an_earlier_output_but_not_a_file_added_to_it() {
    let d = project("force-own");
    let run = |extra: &[&str]| {
        bin().current_dir(&d).args(["run", "s.toml", "--out", "res", "--quiet"]).args(extra).output().unwrap()
    };
    assert!(run(&[]).status.success());
    assert!(d.join("res/.dermasim-output").is_file(), "the marker is written with every output");
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    let o = run(&["--force", "--seed", "9"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = std::fs::read_to_string(d.join("res/summary.json")).unwrap();
    assert!(s.contains("\"seed\": 9"), "the new output is in place");
    // A user's file inside the output: --force refuses rather than delete it.
    std::fs::write(d.join("res/my-analysis.txt"), "mine").unwrap();
    let o = run(&["--force"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("my-analysis.txt"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(d.join("res/my-analysis.txt")).unwrap(), "mine");
    assert!(temporaries(&d).is_empty(), "{:?}", temporaries(&d));
    untouched(&d);
    let _ = std::fs::remove_dir_all(&d);
}

/// A run long enough to be interrupted: transport on, a long simulated time.
fn slow(d: &Path) -> PathBuf {
    let p = d.join("slow.toml");
    let text = CLEAN
        .replace("transport = \"off\"", "transport = \"unit_cell\"\nduration_h = 720\nresolution = \"fine\"")
        + "[[products]]\nname = \"caffeine\"\nconcentration_mg_ml = 20\n";
    std::fs::write(&p, text).unwrap();
    p
}

/// Waits until a temporary appears in `d` (the run is writing), or panics.
fn wait_for_temporary(d: &Path, child: &mut std::process::Child) {
    let t0 = Instant::now();
    while temporaries(d).is_empty() {
        assert!(child.try_wait().unwrap().is_none(), "the run ended before it could be interrupted");
        assert!(t0.elapsed() < Duration::from_secs(60), "no temporary appeared");
        std::thread::sleep(Duration::from_millis(5));
    }
}

// 4. Temporaries are removed on signals, swept after SIGKILL; names are unpredictable.
#[test]
fn ctrl_c_and_sigterm_remove_the_temporary() {
    for signal in ["-INT", "-TERM"] {
        let d = tmp(&format!("signal{signal}"));
        let s = slow(&d);
        let mut child = bin()
            .args(["run", s.to_str().unwrap(), "--out", d.join("res").to_str().unwrap(), "--quiet"])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_for_temporary(&d, &mut child);
        let k = Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap();
        assert!(k.success());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(130), "{signal}");
        assert!(temporaries(&d).is_empty(), "{signal}: {:?}", temporaries(&d));
        assert!(!d.join("res").exists());
        let _ = std::fs::remove_dir_all(&d);
    }
}

#[test]
fn a_killed_runs_temporary_is_swept_by_the_next_run() {
    let d = tmp("sigkill");
    let s = slow(&d);
    let mut child =
        bin().args(["run", s.to_str().unwrap(), "--out", d.join("res").to_str().unwrap(), "--quiet"]).spawn().unwrap();
    wait_for_temporary(&d, &mut child);
    child.kill().unwrap(); // SIGKILL: no handler runs
    child.wait().unwrap();
    assert_eq!(temporaries(&d).len(), 1);
    // A look-alike made by someone else is not ours: left alone.
    std::fs::create_dir(d.join(".res.dermasim-tmp-theirs")).unwrap();
    std::fs::write(d.join(".res.dermasim-tmp-theirs/data"), "x").unwrap();
    // An old-style predictable name does not block a run.
    std::fs::create_dir(d.join(format!(".res.tmp-{}", std::process::id() + 1))).unwrap();
    let clean = d.join("clean.toml");
    std::fs::write(&clean, CLEAN).unwrap();
    let o = bin()
        .args(["run", clean.to_str().unwrap(), "--out", d.join("res").to_str().unwrap(), "--quiet"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let left = temporaries(&d);
    assert!(left.iter().all(|n| n.ends_with("theirs") || n.starts_with(".res.tmp-")), "{left:?}");
    assert!(d.join(".res.dermasim-tmp-theirs/data").exists());
    let _ = std::fs::remove_dir_all(&d);
}

// 2. Two runs into one new --out: the second is refused while the first is writing.
#[test]
fn a_second_run_into_the_same_out_is_refused_while_the_first_runs() {
    let d = tmp("race");
    let s = slow(&d);
    let out = d.join("res");
    let mut first =
        bin().args(["run", s.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]).spawn().unwrap();
    wait_for_temporary(&d, &mut first);
    let clean = d.join("clean.toml");
    std::fs::write(&clean, CLEAN).unwrap();
    let second =
        bin().args(["run", clean.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]).output().unwrap();
    assert_eq!(second.status.code(), Some(2), "{}", stderr(&second));
    assert!(stderr(&second).contains("another dermasim run"), "{}", stderr(&second));
    let _ = Command::new("kill").args(["-INT", &first.id().to_string()]).status();
    let _ = first.wait();
    let _ = std::fs::remove_dir_all(&d);
}

// 15. cohort: a directory in place of cohort.html is refused before anything is written.
#[test]
fn cohort_never_replaces_a_directory_and_writes_both_or_neither() {
    let d = tmp("cohort-dir");
    let s = d.join("s.toml");
    std::fs::write(&s, CLEAN).unwrap();
    let out = d.join("c");
    std::fs::create_dir_all(out.join("cohort.html")).unwrap();
    std::fs::write(out.join("cohort.json"), "{\"old\": 1}").unwrap();
    let o = bin()
        .args(["cohort", s.to_str().unwrap(), "--patients", "5", "--out", out.to_str().unwrap(), "--force"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is a directory"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(out.join("cohort.json")).unwrap(), "{\"old\": 1}");
    assert!(temporaries(&out).is_empty());
    let _ = std::fs::remove_dir_all(&d);
}

// 7. --threads is bounded.
#[test]
fn threads_are_bounded() {
    let d = tmp("threads");
    let s = d.join("s.toml");
    std::fs::write(&s, CLEAN).unwrap();
    for n in ["0", "8000", "100000"] {
        let o = bin()
            .args(["run", s.to_str().unwrap(), "--out", d.join("o").to_str().unwrap(), "--threads", n])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "--threads {n}: {}", stderr(&o));
        assert!(stderr(&o).contains("allowed 1 to"), "{}", stderr(&o));
    }
    let _ = std::fs::remove_dir_all(&d);
}

// 6. The scenario file is capped.
#[test]
fn an_endless_or_huge_scenario_file_is_refused_without_reading_it_whole() {
    let o = bin().args(["validate", "/dev/zero"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("larger than"), "{}", stderr(&o));
    let d = tmp("huge");
    let p = d.join("big.toml");
    std::fs::write(&p, format!("{CLEAN}\n# {}\n", "x".repeat(2 << 20))).unwrap();
    let o = bin().args(["validate", p.to_str().unwrap()]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&d);
}

// 8. A closed pipe ends quietly; a write error is exit 4 with a message.
#[test]
fn a_closed_pipe_is_quiet_and_a_full_disk_is_exit_4() {
    let mut child = bin().args(["schema"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    drop(child.stdout.take()); // the reader goes away at once
    let o = child.wait_with_output().unwrap();
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert_ne!(o.status.code(), Some(101));
    if Path::new("/dev/full").exists() {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let ex = root().join("examples/home-roller-serum.toml");
        for args in [vec!["check", ex.to_str().unwrap()], vec!["schema"], vec!["presets"]] {
            let o = bin().args(&args).stdout(full.try_clone().unwrap()).output().unwrap();
            assert_eq!(o.status.code(), Some(4), "{args:?}: {}", stderr(&o));
            assert!(stderr(&o).contains("cannot write to standard output"), "{}", stderr(&o));
        }
    }
}

// 16. Control characters in names never reach the terminal raw.
#[test]
fn terminal_escapes_in_names_are_shown_escaped() {
    let d = tmp("escape");
    let s = d.join("s.toml");
    let text = CLEAN.replace("name = \"clean\"", "name = \"x\\u001b]0;pwned\\u0007\\u001b[2J\"")
        + "[[products]]\nname = \"caf\\u001b[31mfeine\"\nconcentration_mg_ml = 20\n";
    std::fs::write(&s, text).unwrap();
    for args in [
        vec!["check", s.to_str().unwrap()],
        vec!["run", s.to_str().unwrap(), "--out", d.join("o").to_str().unwrap()],
        vec!["validate", s.to_str().unwrap(), "--set", "products[0].concentration_mg_ml=-1"],
    ] {
        let o = bin().args(&args).output().unwrap();
        for (what, bytes) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
            let t = String::from_utf8_lossy(bytes);
            assert!(!t.contains('\u{1b}') && !t.contains('\u{7}'), "{args:?} {what}: {t:?}");
        }
    }
    let _ = std::fs::remove_dir_all(&d);
}

// 17. An unwritable --out fails before simulating.
#[test]
fn an_unwritable_out_fails_before_the_simulation() {
    let d = tmp("unwritable");
    let s = slow(&d);
    // A file where the parent directory should be: nothing can be created under it.
    std::fs::write(d.join("file"), "x").unwrap();
    let o = bin().args(["run", s.to_str().unwrap(), "--out", d.join("file/res").to_str().unwrap()]).output().unwrap();
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot create"), "{}", stderr(&o));
    // A read-only parent (unless running as root, which may write anywhere).
    let ro = d.join("ro");
    std::fs::create_dir(&ro).unwrap();
    let mut perm = std::fs::metadata(&ro).unwrap().permissions();
    perm.set_readonly(true);
    std::fs::set_permissions(&ro, perm.clone()).unwrap();
    if std::fs::write(ro.join("probe"), "x").is_err() {
        let o = bin().args(["run", s.to_str().unwrap(), "--out", ro.join("res").to_str().unwrap()]).output().unwrap();
        assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
        assert!(stderr(&o).contains("before simulating"), "{}", stderr(&o));
    }
    #[allow(clippy::permissions_set_readonly_false)]
    perm.set_readonly(false);
    std::fs::set_permissions(&ro, perm).unwrap();
    let _ = std::fs::remove_dir_all(&d);
}

/// The issue's pen: 20 × 20 cartridge, 50 µm pitch, 200 Hz, 0.5 mm/s, 0.1 mm lines, 1 cm².
const DENSE_PEN: &str = r#"
[skin]
site = "cheek"
[device]
type = "dermapen"
cartridge = { rows = 20, columns = 20, pitch_um = 50 }
frequency_hz = 200
speed_mm_s = 0.5
needle_length_mm = 0.5
[protocol]
setting = "office"
area_cm2 = 1
pen_path = { line_spacing_mm = 0.1 }
"#;

// 5. Resources are estimated before simulating; check simulates only what it needs.
#[test]
fn a_run_beyond_the_limits_is_refused_up_front_with_the_numbers_and_check_still_screens() {
    let d = tmp("dense");
    let s = d.join("pen.toml");
    std::fs::write(&s, DENSE_PEN).unwrap();
    let out = d.join("o");
    for args in [
        vec!["run", s.to_str().unwrap(), "--out", out.to_str().unwrap()],
        vec!["validate", s.to_str().unwrap()],
        vec!["cohort", s.to_str().unwrap(), "--patients", "10", "--out", out.to_str().unwrap()],
    ] {
        let o = bin().args(&args).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains("punctures") && e.contains("MB of memory") && e.contains("MB of output"), "{e}");
    }
    assert!(!out.exists());
    // check screens it on a window small enough to stay fast and small.
    let o = bin().args(["check", s.to_str().unwrap()]).output().unwrap();
    assert!(matches!(o.status.code(), Some(0 | 1 | 3)), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&d);
}

// 9, 17. --set: bounded depth, the field named in every error.
#[test]
fn set_errors_are_bounded_and_name_the_field() {
    let d = tmp("set");
    let s = d.join("s.toml");
    std::fs::write(&s, CLEAN).unwrap();
    let deep = vec!["a"; 60_000].join(".") + "=1";
    let o = bin().args(["validate", s.to_str().unwrap(), "--set", &deep]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).len() < 2000, "the error does not echo the whole path");
    for (set, field) in [
        ("protocol.area_cm2=\"1.0\"", "protocol.area_cm2"),
        ("device.needles=1.5", "device.needles"),
        ("protocol.setting=3", "protocol.setting"),
        ("simulation.seed=-1", "simulation.seed"),
        ("protocol.passes=5", "protocol.passes"),
    ] {
        let o = bin().args(["validate", s.to_str().unwrap(), "--set", set]).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{set}");
        assert!(stderr(&o).contains(field), "{set}: {}", stderr(&o));
    }
    let _ = std::fs::remove_dir_all(&d);
}

// 10, 14. Product names: unique after normalisation, bounded length, checked before running.
#[test]
fn product_names_are_unique_after_normalisation_and_bounded() {
    let d = tmp("names");
    let s = d.join("s.toml");
    let product = |n: &str| format!("[[products]]\nname = \"{n}\"\nconcentration_mg_ml = 20\n");
    for names in [vec!["caffeine", "caffeine "], vec!["caffeine", "Caffeine"], vec![&"c".repeat(300)[..]]] {
        let text = CLEAN.to_string() + &names.iter().map(|n| product(n)).collect::<String>();
        std::fs::write(&s, text).unwrap();
        let o = bin().args(["validate", s.to_str().unwrap()]).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{names:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("products["), "{}", stderr(&o));
    }
    // A 250-character --out name is refused before simulating.
    std::fs::write(&s, CLEAN).unwrap();
    let out = d.join("o".repeat(250));
    let o = bin().args(["run", s.to_str().unwrap(), "--out", out.to_str().unwrap()]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("bytes long"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&d);
}

// 11. A product transport cannot take is an input error.
#[test]
fn an_untransportable_product_is_refused_by_validate() {
    let d = tmp("acid");
    let s = d.join("s.toml");
    let text = CLEAN.to_string()
        + "[[products]]\nname = \"x\"\nmolecular_weight_da = 300\nlog_kow = 1\nionisation = \"acid\"\nconcentration_mg_ml = 10\n";
    std::fs::write(&s, text).unwrap();
    let o = bin().args(["validate", s.to_str().unwrap()]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("products[0].pka"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&d);
}

// 13, 17. An empty window is warned; delivery and delivery_errors are always written.
#[test]
fn an_empty_window_is_warned_and_the_delivery_sections_are_always_written() {
    let d = tmp("empty");
    let s = d.join("s.toml");
    std::fs::write(&s, CLEAN.replace("transport = \"off\"", "transport = \"off\"\nwindow_mm = 1")).unwrap();
    let o =
        bin().args(["run", s.to_str().unwrap(), "--out", d.join("o").to_str().unwrap(), "--json"]).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning") && stderr(&o).contains("simulation.window_mm"), "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["delivery"], serde_json::json!({}));
    assert_eq!(j["delivery_errors"], serde_json::json!([]));
    let _ = std::fs::remove_dir_all(&d);
}
