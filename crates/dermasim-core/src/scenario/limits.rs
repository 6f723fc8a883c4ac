//! Resource limits: what a scenario will cost, estimated before anything is simulated, and the
//! documented bounds beyond which it is refused (`docs/cli.md`, "Limits").
//!
//! The estimate follows the puncture generator ([`crate::punctures`]) in closed form: the
//! expected number of punctures in the simulated window (device density × window area) and the
//! number of needle positions the generator examines (those outside the window included: a
//! pen's cartridge overruns the window's edges, oblique passes cover a wider band). Memory and
//! output size grow with the punctures; the per-puncture figures below were measured on pen runs
//! of 46 000 to 467 000 punctures (transport off; `docs/cli.md`).

use super::{Scenario, ScenarioError};
use crate::device::DeviceKind;

/// Most punctures simulated one by one in the window. At the measured cost below: about
/// 0.5 GB of memory, 0.3 GB of output files and half a minute to a minute of run time.
pub const MAX_PUNCTURES: f64 = 2.0e6;
/// Most needle positions the puncture generator may examine (in and out of the window).
pub const MAX_NEEDLE_POSITIONS: f64 = 2.0e7;
/// Memory per simulated puncture, bytes (puncture, channel, pattern and healing records).
/// Measured: peak RSS 26 MB → 69 MB from 46 400 to 467 200 punctures, ≈ 100-120 B each;
/// rounded up.
pub const MEMORY_PER_PUNCTURE_BYTES: f64 = 200.0;
/// Memory of a run before any puncture (tables, report, plots), bytes. Measured ≈ 20 MB,
/// rounded up; transport adds its own (a patch up to several GB, bounded by the transport's
/// cell limit, `dermasim_transport::problem::MAX_CELLS`).
pub const BASE_MEMORY_BYTES: f64 = 64.0e6;
/// Output per simulated puncture, bytes (a row in `punctures.csv` and in `channels.csv`).
/// Measured: 9.8 MB → 64.5 MB from 46 400 to 467 200 punctures, ≈ 130 B each; rounded up.
pub const OUTPUT_PER_PUNCTURE_BYTES: f64 = 150.0;
/// Output of a run before any puncture (report, plots, time series), bytes. Measured 2-4 MB.
pub const BASE_OUTPUT_BYTES: f64 = 4.0e6;
/// Most products in a scenario (each is one or two transport solves).
pub const MAX_PRODUCTS: usize = 20;
/// Longest product name, characters (it becomes a file name, `fields/<product>.vti`).
pub const MAX_PRODUCT_NAME_CHARS: usize = 100;
/// Longest scenario name, characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Most entries in `protocol.passes` and in `protocol.pen_path.directions_deg`.
pub const MAX_PASS_ENTRIES: usize = 100;
/// Most roller passes in all (the sum of `protocol.passes[].count`).
pub const MAX_TOTAL_PASSES: u32 = 1000;
/// Most punctures the safety screening (`dermasim check`, [`crate::safety::check`]) simulates:
/// a scenario window holding more is shrunk to hold about this many.
pub const MAX_SCREEN_PUNCTURES: f64 = 1.0e5;

/// What a scenario will cost, before it runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ResourceEstimate {
    /// Side of the simulated window, mm.
    pub window_mm: f64,
    /// Expected punctures in the window.
    pub punctures: f64,
    /// Needle positions the generator examines (in and out of the window).
    pub needle_positions: f64,
    /// Peak memory without transport, bytes.
    pub memory_bytes: f64,
    /// Size of the output files, bytes.
    pub output_bytes: f64,
}

/// Expected punctures per mm² of the whole treatment, and needle positions examined for a
/// window of side `w_um`.
fn density_and_work(s: &Scenario, w_um: f64) -> (f64, f64) {
    // The band a pass in direction θ sweeps to cover the window: w·(|cos θ| + |sin θ|).
    let extent = |deg: f64| w_um * (deg.to_radians().cos().abs() + deg.to_radians().sin().abs());
    match &s.device.kind {
        DeviceKind::Dermaroller(r) => {
            let d_um = r.drum_diameter_mm * 1000.0;
            let width_um = r.drum_width_mm * 1000.0;
            let per_um2 = f64::from(r.needles) / (std::f64::consts::PI * d_um * width_um);
            let mut density = 0.0;
            let mut work = 0.0;
            for p in &s.protocol.passes {
                let e = extent(p.direction_deg);
                let bands = (e / width_um).ceil() + 1.0;
                let along = (e / (std::f64::consts::PI * d_um)).ceil() + 1.0;
                density += f64::from(p.count) * per_um2;
                work += f64::from(p.count) * bands * f64::from(r.needles) * along;
            }
            (density * 1e6, work)
        }
        DeviceKind::Dermapen(p) => {
            let c = &p.cartridge;
            let needles = f64::from(c.rows) * f64::from(c.columns);
            let spacing_um = s.protocol.pen_line_spacing_mm.map(|m| m * 1000.0).unwrap_or(c.span_um());
            let step_um = p.speed_mm_s * 1000.0 / p.frequency_hz;
            let overrun_um = f64::from(c.columns) * c.pitch_um;
            let mut density = 0.0;
            let mut work = 0.0;
            for dir in &s.protocol.pen_directions_deg {
                let e = extent(*dir);
                let lines = (e / spacing_um).ceil();
                let stamps = ((e + overrun_um) / step_um).floor() + 1.0;
                density += needles / (step_um * spacing_um);
                work += lines * stamps * needles;
            }
            (density * 1e6, work)
        }
        DeviceKind::Stamp(st) => {
            let a = &st.array;
            let needles = f64::from(a.rows) * f64::from(a.columns);
            let (tile_s, tile_t) = (f64::from(a.columns) * a.pitch_um, f64::from(a.rows) * a.pitch_um);
            let presses = f64::from(s.protocol.presses);
            let work = presses * (w_um / tile_s).ceil() * (w_um / tile_t).ceil() * needles;
            (presses * needles / (tile_s * tile_t) * 1e6, work)
        }
    }
}

/// Estimates what a scenario's simulated window will cost.
pub fn estimate(s: &Scenario) -> ResourceEstimate {
    let w_mm = s.simulation.window_mm;
    let (per_mm2, needle_positions) = density_and_work(s, w_mm * 1000.0);
    let punctures = per_mm2 * w_mm * w_mm;
    ResourceEstimate {
        window_mm: w_mm,
        punctures,
        needle_positions,
        memory_bytes: BASE_MEMORY_BYTES + MEMORY_PER_PUNCTURE_BYTES * punctures,
        output_bytes: BASE_OUTPUT_BYTES + OUTPUT_PER_PUNCTURE_BYTES * punctures,
    }
}

/// Expected punctures per cm² of the treatment (all passes).
pub fn density_per_cm2(s: &Scenario) -> f64 {
    density_and_work(s, 1000.0).0 * 100.0
}

/// The side of a window holding about `punctures` punctures (at most the scenario's window),
/// mm, and never so small that the generator's overrun dominates (at least 0.05 mm).
pub fn window_for(s: &Scenario, punctures: f64) -> f64 {
    let per_mm2 = density_and_work(s, 1000.0).0;
    if per_mm2 <= 0.0 || !per_mm2.is_finite() {
        return s.simulation.window_mm;
    }
    (punctures / per_mm2).sqrt().clamp(0.05, s.simulation.window_mm.max(0.05)).min(s.simulation.window_mm)
}

fn mb(bytes: f64) -> String {
    format!("{:.0} MB", bytes / 1e6)
}

/// Refuses a scenario whose run would exceed [`MAX_PUNCTURES`] or [`MAX_NEEDLE_POSITIONS`],
/// naming the estimate, the limit and what to change. Returns the estimate otherwise.
pub fn check(s: &Scenario) -> Result<ResourceEstimate, ScenarioError> {
    let e = estimate(s);
    // NaN counts as over.
    let over_punctures = e.punctures.partial_cmp(&MAX_PUNCTURES) != Some(std::cmp::Ordering::Less);
    let over_work = e.needle_positions.partial_cmp(&MAX_NEEDLE_POSITIONS) != Some(std::cmp::Ordering::Less);
    if over_punctures || over_work {
        let fits = window_for(s, 0.5 * MAX_PUNCTURES);
        // The smallest window validation allows is 1 mm.
        let change = if fits >= 1.0 {
            format!("reduce simulation.window_mm (about {fits:.1} mm holds {:.0}) or", 0.5 * MAX_PUNCTURES)
        } else {
            "even a 1 mm window holds too many: reduce".to_string()
        };
        let what = if over_punctures {
            format!("about {:.3e} punctures (allowed up to {:.0})", e.punctures, MAX_PUNCTURES)
        } else {
            format!(
                "about {:.3e} needle positions to examine (allowed up to {:.0}; the device stamps very densely)",
                e.needle_positions, MAX_NEEDLE_POSITIONS
            )
        };
        return Err(ScenarioError {
            field: "simulation.window_mm".into(),
            message: format!(
                "the run would simulate {what} in its {} mm window ({:.3e} punctures/cm2), needing about {} of memory \
and writing about {} of output: {change} the device's density (passes, line spacing, frequency, speed)",
                e.window_mm,
                density_per_cm2(s),
                mb(e.memory_bytes),
                mb(e.output_bytes),
            ),
            span: None,
        });
    }
    Ok(e)
}

/// Warnings about a scenario that runs but may not mean what its author expects (the window
/// holds fewer than one puncture, so treated skin equals intact skin).
pub fn warnings(s: &Scenario) -> Vec<String> {
    let e = estimate(s);
    let mut w = Vec::new();
    if e.punctures < 1.0 {
        let per_cm2 = density_per_cm2(s);
        let need_mm = if per_cm2 > 0.0 { (10.0 / per_cm2).sqrt() * 10.0 } else { f64::INFINITY };
        w.push(format!(
            "simulation.window_mm = {} mm holds about {:.2} punctures at this treatment's {:.1} punctures/cm2: the \
window may get none, and treated skin then equals intact skin; a window of at least {:.1} mm holds about ten",
            e.window_mm, e.punctures, per_cm2, need_mm
        ));
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse;

    fn scenario(device: &str, protocol: &str, sim: &str) -> Scenario {
        let text = format!(
            "[skin]\nsite = \"cheek\"\n[device]\n{device}\n[protocol]\nsetting = \"office\"\n{protocol}\n[simulation]\ntransport = \"off\"\n{sim}\n"
        );
        parse(&text, &[]).unwrap()
    }

    /// The estimate is the nominal density × area: never below the generator's count (beyond
    /// counting noise), and at most 30 % above it (a pen's raster loses punctures at the
    /// window's edges, up to 13 % here with a 4.8 mm wide cartridge in a 10 mm window).
    #[test]
    fn estimate_matches_the_generator() {
        let cases = [
            scenario(
                "type = \"dermaroller\"\npreset = \"roller-192\"",
                "area_cm2 = 4\npasses = [{ direction_deg = 0, count = 2 }, { direction_deg = 45, count = 1 }]",
                "",
            ),
            scenario(
                "type = \"dermapen\"\npreset = \"pen-12\"",
                "area_cm2 = 1\npen_path = { line_spacing_mm = 1 }",
                "",
            ),
            scenario(
                "type = \"dermapen\"\npreset = \"pen-36\"\nfrequency_hz = 150",
                "area_cm2 = 1\npen_path = { line_spacing_mm = 0.5, directions_deg = [0, 90] }",
                "",
            ),
            scenario("type = \"stamp\"\npreset = \"array-600\"", "area_cm2 = 1\npresses = 2", "window_mm = 5"),
        ];
        for s in &cases {
            let e = estimate(s);
            let n = crate::punctures::generate(s).punctures.len() as f64;
            assert!(
                n <= 1.02 * e.punctures + 20.0 && e.punctures <= 1.3 * n,
                "{:?}: estimate {} vs {n}",
                s.device.kind,
                e.punctures
            );
            assert!(e.needle_positions >= n, "positions {} < punctures {n}", e.needle_positions);
            assert!(check(s).is_ok());
        }
    }

    /// The pen (20 × 20 cartridge, 50 µm pitch, 200 Hz, 0.5 mm/s, 0.1 mm lines, 1 cm²)
    /// is refused with the numbers, without generating anything.
    #[test]
    fn the_dense_pen_is_refused_with_its_numbers() {
        let s = scenario(
            "type = \"dermapen\"\ncartridge = { rows = 20, columns = 20, pitch_um = 50 }\nfrequency_hz = 200\nspeed_mm_s = 0.5\nneedle_length_mm = 0.5",
            "area_cm2 = 1\npen_path = { line_spacing_mm = 0.1 }",
            "",
        );
        let e = check(&s).unwrap_err();
        assert_eq!(e.field, "simulation.window_mm");
        assert!(
            e.message.contains("punctures") && e.message.contains("MB") && e.message.contains("2000000"),
            "{}",
            e.message
        );
        assert!(e.message.contains("even a 1 mm window"), "{}", e.message);
        // A window that holds the limit's half fits.
        let mut smaller = s.clone();
        smaller.simulation.window_mm = window_for(&s, 0.5 * MAX_PUNCTURES);
        assert!(check(&smaller).is_ok(), "{:?}", estimate(&smaller));
    }

    #[test]
    fn an_almost_empty_window_is_warned() {
        let s = scenario(
            "type = \"dermaroller\"\npreset = \"roller-192\"\nneedle_length_mm = 0.25",
            "area_cm2 = 4",
            "window_mm = 1",
        );
        let w = warnings(&s);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("simulation.window_mm"));
        let mut ok = s.clone();
        ok.simulation.window_mm = 20.0;
        assert!(warnings(&ok).is_empty());
    }
}
