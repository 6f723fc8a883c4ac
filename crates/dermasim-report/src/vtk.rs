//! 3-D concentration fields as VTK XML image data (`.vti`), which ParaView and VisIt open.
//!
//! # The file
//!
//! - `<VTKFile type="ImageData" version="1.0" byte_order="LittleEndian" header_type="UInt64">`;
//! - one `<Piece>` whose extent is the whole image, with **cell data** `concentration_mg_ml`
//!   (Float32): one value per image cell, the concentration `C = K·u` in mg/mL (the tissue's,
//!   or the fluid's in a channel lumen);
//! - `Origin="0 0 0"` and `Spacing` in µm: x and y across the patch window, **z is depth below
//!   the skin surface** (pointing into the skin; in ParaView the surface is at z = 0, so flip the
//!   camera or scale z by −1 to see it on top);
//! - field data `time_h`: the time of the snapshot;
//! - the values in `<AppendedData encoding="raw">`: after the `_` marker, a UInt64
//!   little-endian byte count (`4·N`) then `N` Float32 little-endian values, x fastest, then y,
//!   then depth. The block is therefore `8 + 4·N` bytes.
//!
//! # Resampling in depth
//!
//! Image data needs uniform spacing, and the solver's depth grid is not uniform (fine in the
//! stratum corneum, coarse in the dermis). Laterally the field already comes on equal cells
//! (of the lateral resolution asked for; where the solver's cells grow away from the holes, each
//! equal cell holds the value of the solver cell containing its centre: `ConcentrationField`);
//! in depth the field is resampled onto `nz_image` uniform cells by **linear interpolation
//! between the solver's cell centres** (constant beyond the first and last centre). The
//! uniform spacing is the solver's finest `dz`, but never finer than a quarter of its mean
//! `dz` (numerical choice: at most 4× the solver's planes, so the file stays within 16 bytes per
//! cell of the field), rounded so that the image spans the whole depth exactly. A profile linear in
//! depth is reproduced exactly between the first and last centre; across a layer boundary,
//! where the concentration jumps with the partition coefficient, the interpolation smooths the
//! jump over one solver cell.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;

use dermasim_core::transport::ConcentrationField;

use crate::ReportError;

/// Largest ratio between the image's depth cells and the solver's planes (numerical choice).
pub const MAX_Z_REFINEMENT: usize = 4;

/// Name of the cell-data array.
pub const ARRAY_NAME: &str = "concentration_mg_ml";

/// The uniform depth grid of the image: `(nz_image, dz_um)`, `nz_image · dz_um` = total depth.
pub fn uniform_depth(field: &ConcentrationField) -> (usize, f64) {
    let zf = &field.z_faces_um;
    let depth = zf[zf.len() - 1] - zf[0];
    let finest = zf.windows(2).map(|w| w[1] - w[0]).fold(f64::INFINITY, f64::min);
    let nz_max = MAX_Z_REFINEMENT * field.nz.max(1);
    let nz = ((depth / finest).round() as usize).clamp(1, nz_max).max(field.nz.max(1));
    (nz, depth / nz as f64)
}

/// Where depth `z` falls between the solver's cell centres: `(k0, k1, w)` with the value
/// `(1 − w)·C[k0] + w·C[k1]`.
fn bracket(centres: &[f64], z: f64) -> (usize, usize, f32) {
    let n = centres.len();
    if n == 1 || z <= centres[0] {
        return (0, 0, 0.0);
    }
    if z >= centres[n - 1] {
        return (n - 1, n - 1, 0.0);
    }
    let k1 = centres.partition_point(|&c| c <= z).min(n - 1);
    let k0 = k1 - 1;
    let w = (z - centres[k0]) / (centres[k1] - centres[k0]);
    (k0, k1, w as f32)
}

/// The field resampled to the image's uniform depth cells (x fastest, then y, then depth).
pub fn resample(field: &ConcentrationField) -> Vec<f32> {
    let mut out = Vec::with_capacity(field.nx * field.ny * uniform_depth(field).0);
    for_each_plane(field, |plane| out.extend_from_slice(plane));
    out
}

/// Calls `f` with each resampled depth plane in turn (one plane in memory at a time).
fn for_each_plane(field: &ConcentrationField, mut f: impl FnMut(&[f32])) {
    let (nz, dz) = uniform_depth(field);
    let sxy = field.nx * field.ny;
    let centres: Vec<f64> = (0..field.nz).map(|k| field.z_centre_um(k)).collect();
    let c = &field.concentration_mg_ml;
    let mut plane = vec![0.0f32; sxy];
    for k in 0..nz {
        let z = field.z_faces_um[0] + (k as f64 + 0.5) * dz;
        let (k0, k1, w) = bracket(&centres, z);
        let (a, b) = (&c[k0 * sxy..(k0 + 1) * sxy], &c[k1 * sxy..(k1 + 1) * sxy]);
        for (p, (&a, &b)) in plane.iter_mut().zip(a.iter().zip(b)) {
            *p = if w == 0.0 { a } else { (1.0 - w) * a + w * b };
        }
        f(&plane);
    }
}

/// Writes the `.vti` document to `w`.
pub fn write_to(w: &mut impl Write, field: &ConcentrationField) -> std::io::Result<()> {
    let (nz, dz) = uniform_depth(field);
    let (nx, ny) = (field.nx, field.ny);
    let n = nx * ny * nz;
    let extent = format!("0 {nx} 0 {ny} 0 {nz}");
    let origin_z = field.z_faces_um[0];
    write!(
        w,
        "<?xml version=\"1.0\"?>\n\
         <VTKFile type=\"ImageData\" version=\"1.0\" byte_order=\"LittleEndian\" header_type=\"UInt64\">\n  \
         <ImageData WholeExtent=\"{extent}\" Origin=\"0 0 {origin_z}\" Spacing=\"{} {} {dz}\">\n    \
         <FieldData>\n      \
         <DataArray type=\"Float64\" Name=\"time_h\" NumberOfTuples=\"1\" format=\"ascii\">{}</DataArray>\n    \
         </FieldData>\n    \
         <Piece Extent=\"{extent}\">\n      \
         <CellData Scalars=\"{ARRAY_NAME}\">\n        \
         <DataArray type=\"Float32\" Name=\"{ARRAY_NAME}\" NumberOfComponents=\"1\" format=\"appended\" offset=\"0\"/>\n      \
         </CellData>\n    \
         </Piece>\n  \
         </ImageData>\n  \
         <AppendedData encoding=\"raw\">\n   _",
        field.dx_um, field.dy_um, field.time_h
    )?;
    w.write_all(&((4 * n) as u64).to_le_bytes())?;
    let mut result = Ok(());
    for_each_plane(field, |plane| {
        if result.is_ok() {
            let bytes: Vec<u8> = plane.iter().flat_map(|v| v.to_le_bytes()).collect();
            result = w.write_all(&bytes);
        }
    });
    result?;
    w.write_all(b"\n  </AppendedData>\n</VTKFile>\n")
}

/// The `.vti` document in memory (for tests and small fields).
pub fn to_bytes(field: &ConcentrationField) -> Vec<u8> {
    let mut v = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = write_to(&mut v, field);
    v
}

/// Writes `path` through a temporary file beside it and a rename (whole or nothing).
pub fn write_file(path: &Path, field: &ConcentrationField) -> Result<(), ReportError> {
    if field.nx == 0
        || field.ny == 0
        || field.nz == 0
        || field.concentration_mg_ml.len() != field.nx * field.ny * field.nz
    {
        return Err(ReportError(format!(
            "{}: field of {} values does not fit its grid {}×{}×{}",
            path.display(),
            field.concentration_mg_ml.len(),
            field.nx,
            field.ny,
            field.nz
        )));
    }
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let io = |e: std::io::Error, p: &Path| ReportError(format!("cannot write {}: {e}", p.display()));
    let result = fs::File::create(&tmp)
        .map_err(|e| io(e, &tmp))
        .and_then(|f| {
            let mut w = BufWriter::new(f);
            write_to(&mut w, field).and_then(|()| w.flush()).map_err(|e| io(e, &tmp))
        })
        .and_then(|()| fs::rename(&tmp, path).map_err(|e| io(e, path)));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A file name for a product's field: letters, digits, `-`, `_` and `.` kept, anything else
/// replaced by `_` (product names are free text).
pub fn file_stem(product: &str) -> String {
    let s: String =
        product.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    if s.is_empty() || s.starts_with('.') { format!("product{s}") } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(nx: usize, ny: usize, z_faces_um: Vec<f64>, f: impl Fn(usize, usize, usize) -> f32) -> ConcentrationField {
        let nz = z_faces_um.len() - 1;
        let mut c = Vec::new();
        for k in 0..nz {
            for j in 0..ny {
                for i in 0..nx {
                    c.push(f(i, j, k));
                }
            }
        }
        ConcentrationField { time_h: 2.5, nx, ny, nz, dx_um: 10.0, dy_um: 12.5, z_faces_um, concentration_mg_ml: c }
    }

    fn attr<'a>(text: &'a str, tag: &str, name: &str) -> &'a str {
        let t = &text[text.find(&format!("<{tag} ")).unwrap_or_else(|| panic!("no <{tag}>"))..];
        let a = &t[t.find(&format!(" {name}=\"")).unwrap_or_else(|| panic!("no {tag}.{name}")) + name.len() + 3..];
        &a[..a.find('"').unwrap()]
    }

    /// Splits a document into its XML head (up to the `_` marker) and the appended block.
    fn split(bytes: &[u8]) -> (String, &[u8]) {
        let marker = b"<AppendedData encoding=\"raw\">";
        let at = bytes.windows(marker.len()).position(|w| w == marker).expect("appended data");
        let us = at + bytes[at..].iter().position(|&b| b == b'_').unwrap();
        let tail = b"\n  </AppendedData>\n</VTKFile>\n";
        assert!(bytes.ends_with(tail), "document closed after the block");
        (String::from_utf8(bytes[..us].to_vec()).unwrap(), &bytes[us + 1..bytes.len() - tail.len()])
    }

    fn values(block: &[u8]) -> Vec<f32> {
        block[8..].chunks(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
    }

    #[test]
    fn header_dimensions_block_length_and_values_round_trip() {
        // Uniform depth grid: the image keeps the solver's cells, values unchanged.
        let f = field(3, 2, vec![0.0, 5.0, 10.0, 15.0, 20.0], |i, j, k| (100 * k + 10 * j + i) as f32 + 0.25);
        let bytes = to_bytes(&f);
        let (head, block) = split(&bytes);
        assert!(head.starts_with("<?xml version=\"1.0\"?>\n<VTKFile type=\"ImageData\""));
        assert_eq!(attr(&head, "VTKFile", "byte_order"), "LittleEndian");
        assert_eq!(attr(&head, "VTKFile", "header_type"), "UInt64");
        assert_eq!(attr(&head, "ImageData", "WholeExtent"), "0 3 0 2 0 4");
        assert_eq!(attr(&head, "Piece", "Extent"), "0 3 0 2 0 4");
        assert_eq!(attr(&head, "ImageData", "Spacing"), "10 12.5 5");
        assert_eq!(attr(&head, "ImageData", "Origin"), "0 0 0");
        assert_eq!(attr(&head, "CellData", "Scalars"), "concentration_mg_ml");
        assert_eq!(attr(&head, "DataArray type=\"Float32\"", "Name"), "concentration_mg_ml");
        assert_eq!(attr(&head, "DataArray type=\"Float32\"", "format"), "appended");
        assert!(head.contains(">2.5</DataArray>"), "time_h field data");
        let n = 3 * 2 * 4;
        assert_eq!(block.len(), 8 + 4 * n);
        assert_eq!(u64::from_le_bytes(block[..8].try_into().unwrap()), (4 * n) as u64);
        assert_eq!(values(block), f.concentration_mg_ml, "bit-for-bit, x fastest then y then depth");
    }

    #[test]
    fn linear_profile_resamples_exactly_on_a_non_uniform_grid() {
        // Faces 0, 2, 4, 10, 20, 40 µm: finest 2 µm, 20 cells would be 4× 5 planes = the cap.
        let zf = vec![0.0, 2.0, 4.0, 10.0, 20.0, 40.0];
        let lin = |z: f64| 3.0 + 0.5 * z;
        let centres: Vec<f64> = zf.windows(2).map(|w| 0.5 * (w[0] + w[1])).collect();
        let f = field(2, 1, zf, |i, _, k| (lin(centres[k]) * (i + 1) as f64) as f32);
        let (nz, dz) = uniform_depth(&f);
        assert_eq!((nz, dz), (20, 2.0));
        let r = resample(&f);
        assert_eq!(r.len(), 2 * nz);
        for k in 0..nz {
            let z = (k as f64 + 0.5) * dz;
            let want = lin(z.clamp(centres[0], centres[4]));
            for i in 0..2 {
                let got = f64::from(r[k * 2 + i]);
                let w = want * (i + 1) as f64;
                assert!((got - w).abs() < 1e-5 * w, "z = {z}, column {i}: {got} vs {w}");
            }
        }
        let bytes = to_bytes(&f);
        let (head, block) = split(&bytes);
        assert_eq!(attr(&head, "ImageData", "WholeExtent"), "0 2 0 1 0 20");
        assert_eq!(block.len(), 8 + 4 * 2 * 20);
        assert_eq!(values(block), r);
    }

    #[test]
    fn refinement_is_capped() {
        // A 0.1 µm cell on a 100 µm column: at most 4× the 3 planes.
        let f = field(1, 1, vec![0.0, 0.1, 50.0, 100.0], |_, _, k| k as f32);
        let (nz, dz) = uniform_depth(&f);
        assert_eq!(nz, 12);
        assert!((dz * 12.0 - 100.0).abs() < 1e-9);
    }

    #[test]
    fn file_written_whole_and_names_sanitised() {
        let dir = std::env::temp_dir().join(format!("dermasim-vtk-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let f = field(2, 2, vec![0.0, 1.0, 2.0], |i, j, k| (i + j + k) as f32);
        let p = dir.join(format!("{}.vti", file_stem("vitamin C / 20 %")));
        write_file(&p, &f).unwrap();
        assert_eq!(p.file_name().unwrap(), "vitamin_C___20__.vti");
        assert_eq!(fs::read(&p).unwrap(), to_bytes(&f));
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1, "no temporary file left");
        let bad = ConcentrationField { concentration_mg_ml: vec![1.0], ..f };
        assert!(write_file(&dir.join("bad.vti"), &bad).is_err());
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        assert_eq!(file_stem(".hidden"), "product.hidden");
        let _ = fs::remove_dir_all(&dir);
    }
}
