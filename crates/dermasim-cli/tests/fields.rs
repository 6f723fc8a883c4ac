//! End-to-end test of the VTK export: a tiny `patch` run leaves `fields/<product>.vti` that
//! parses, and a `unit_cell` run leaves no `fields/` directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("dermasim-fields-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// A stamp on thin skin (15 + 60 + 200 µm) in a 1 mm window, coarse grid, 36 s of transport:
/// about 10⁵ cells, a few seconds.
fn run_tiny(out: &Path, mode: &str) -> Output {
    let scenario = root().join("validation/v8-patch-human-occluded.toml");
    Command::new(env!("CARGO_BIN_EXE_dermasim"))
        .args(["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"])
        .args(["--set", &format!("simulation.transport={mode}"), "--set", "simulation.resolution=coarse"])
        .args(["--set", "simulation.window_mm=1", "--set", "simulation.duration_h=0.01"])
        .args(["--set", "skin.stratum_corneum_um=15", "--set", "skin.viable_epidermis_um=60"])
        .args(["--set", "skin.papillary_dermis_um=100", "--set", "skin.reticular_dermis_um=100"])
        .args(["--set", "device.needle_length_mm=0.15"])
        // Openings as wide as the needle (no elastic recovery: Kalluri's 70.7 µm read as the
        // needle's full 137 µm shaft), the geometry this export test was written for: with the
        // recovered openings (about 14 µm) the grid refines to 7 µm and the solve undershoots
        // to -1.5e-4 mg/mL, beyond the noise bound below (a transport matter, reported).
        .args(["--set", "parameters.channels.kalluri_opening_um=140"])
        .output()
        .expect("the binary runs")
}

fn attr(text: &str, tag: &str, name: &str) -> String {
    let t = &text[text.find(&format!("<{tag} ")).unwrap_or_else(|| panic!("no <{tag}>"))..];
    let a = &t[t.find(&format!(" {name}=\"")).unwrap_or_else(|| panic!("no {tag}.{name}")) + name.len() + 3..];
    a[..a.find('"').unwrap()].to_string()
}

#[test]
fn patch_run_writes_a_vti_that_parses() {
    let out = tmp("patch");
    let o = run_tiny(&out, "patch");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let files: Vec<String> = std::fs::read_dir(out.join("fields"))
        .expect("fields/ written")
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(files, vec!["caffeine.vti".to_string()], "one file per product, no temporary left");
    let bytes = std::fs::read(out.join("fields/caffeine.vti")).unwrap();
    let marker = b"<AppendedData encoding=\"raw\">";
    let at = bytes.windows(marker.len()).position(|w| w == marker).expect("raw appended data");
    let us = at + bytes[at..].iter().position(|&b| b == b'_').unwrap();
    let head = String::from_utf8(bytes[..us].to_vec()).unwrap();
    assert_eq!(attr(&head, "VTKFile", "type"), "ImageData");
    assert_eq!(attr(&head, "VTKFile", "header_type"), "UInt64");
    let extent: Vec<usize> = attr(&head, "ImageData", "WholeExtent").split(' ').map(|v| v.parse().unwrap()).collect();
    let (nx, ny, nz) = (extent[1], extent[3], extent[5]);
    // 1 mm window at ≤ 10 µm: 100 cells a side; 275 µm of skin.
    assert_eq!((nx, ny), (100, 100));
    assert!((19..=4 * 19).contains(&nz), "nz = {nz}");
    let spacing: Vec<f64> = attr(&head, "ImageData", "Spacing").split(' ').map(|v| v.parse().unwrap()).collect();
    assert_eq!(&spacing[..2], &[10.0, 10.0]);
    let depth_um = spacing[2] * nz as f64;
    assert!((depth_um - 275.0).abs() < 1.0, "the image spans the skin: {depth_um} µm");
    let n = nx * ny * nz;
    let block = &bytes[us + 1..];
    assert_eq!(u64::from_le_bytes(block[..8].try_into().unwrap()), 4 * n as u64, "byte count = dimensions × 4");
    assert_eq!(&block[8 + 4 * n..], b"\n  </AppendedData>\n</VTKFile>\n");
    let c: Vec<f32> = block[8..8 + 4 * n].chunks(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    // non-negative up to the solver's noise: CG stops at rtol 1e-5 and the conservation
    // projection shifts every cell by a constant of that size, ~1e-6 of the 10 mg/mL donor
    // (measured −9.6e-6 mg/mL)
    assert!(c.iter().all(|v| v.is_finite() && *v >= -1e-4), "concentrations finite and non-negative");
    // The donor is 10 mg/mL: somewhere the skin holds some, nowhere more than K_max × donor.
    let max = c.iter().copied().fold(0.0f32, f32::max);
    assert!(max > 0.01, "max concentration {max} mg/mL");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn unit_cell_run_writes_no_fields() {
    let out = tmp("cell");
    let o = run_tiny(&out, "unit_cell");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.join("summary.json").is_file());
    assert!(!out.join("fields").exists());
    let _ = std::fs::remove_dir_all(&out);
}
