//! Procedure time: how long a session takes, from the device, the area and the protocol.
//!
//! **Roller.** Each pass covers the area with strokes one drum width wide laid side by side, so
//! one pass travels `area / drum width` of path. The path is rolled at
//! `protocol.stroke_speed_mm_s` and cut into strokes of [`STROKE_LENGTH_MM`] (`[A]`), each
//! with [`STROKE_OVERHEAD_S`] (`[A]`) of lifting, turning and re-placing the device:
//!
//! `t = Σ passes · (A / w / v + A / w / L_s · t_o)`.
//!
//! **Pen.** The pen glides along raster lines one line spacing apart at `device.speed_mm_s`:
//! per raster direction `A / spacing / v`, with raster lines cut into strokes of
//! [`STROKE_LENGTH_MM`] with the same overhead. The punctures stage's path time over its window
//! (`pen_path_time_s`) is not scaled up: it includes run-outs past the window's edges (half a
//! needle field each side, and a last partial line) that belong to the window, not to the
//! area, and would add 10-25 % to a full face.
//!
//! **Stamp.** The array is pressed `presses` times on each tile of the area (tiles of the array's
//! footprint), [`STAMP_PRESS_S`] (`[A]`) a press.
//!
//! **Session.** `duration_min` is the needling alone; `total_min` adds the numbing-cream time
//! (the scenario's, else the numbing model's recommendation) and [`PREPARATION_MIN`] (`[A]`)
//! of cleansing, disinfection and aftercare.

use serde::Serialize;

use crate::device::DeviceKind;
use crate::params::{Distribution, Param, Provenance, Stage};
use crate::scenario::Scenario;

/// Length of one roller stroke or pen raster segment before the device is lifted and turned,
/// mm. `[A]` a facial region a few centimetres across (a 2 cm drum rolled over a cheek or the
/// forehead); no measured value in the reference.
pub const STROKE_LENGTH_MM: Param = Param {
    name: "procedure.stroke_length_mm",
    unit: "mm",
    value: 40.0,
    allowed: (5.0, 500.0),
    distribution: Distribution::Uniform { lo: 20.0, hi: 80.0 },
    provenance: Provenance::Assumption(
        "a facial region a few cm across (a 2 cm drum rolled over a cheek or the forehead); no measured value",
    ),
    stage: Stage::Procedure,
    description: "roller stroke or pen raster segment before the device is lifted and turned",
};

/// Time to lift, turn and re-place the device between strokes, s. `[A]`.
pub const STROKE_OVERHEAD_S: Param = Param {
    name: "procedure.stroke_overhead_s",
    unit: "s",
    value: 1.0,
    allowed: (0.0, 30.0),
    distribution: Distribution::Uniform { lo: 0.5, hi: 2.0 },
    provenance: Provenance::Assumption("no measured value"),
    stage: Stage::Procedure,
    description: "lifting, turning and re-placing the device between strokes",
};

/// Time per stamp press (press, lift, move to the next tile), s. `[A]`.
pub const STAMP_PRESS_S: Param = Param {
    name: "procedure.stamp_press_s",
    unit: "s",
    value: 1.0,
    allowed: (0.1, 30.0),
    distribution: Distribution::Uniform { lo: 0.5, hi: 2.0 },
    provenance: Provenance::Assumption("no measured value"),
    stage: Stage::Procedure,
    description: "one stamp press: press, lift, move to the next tile",
};

/// Preparation and aftercare outside the needling, min: cleansing and disinfecting the area,
/// removing the numbing cream, applying the aftercare product. `[A]`; the seed article gives
/// "20-30 minutes" for the whole process without a breakdown.
pub const PREPARATION_MIN: Param = Param {
    name: "procedure.preparation_min",
    unit: "min",
    value: 10.0,
    allowed: (0.0, 120.0),
    distribution: Distribution::Uniform { lo: 5.0, hi: 15.0 },
    provenance: Provenance::Assumption("the seed article gives 20-30 min for the whole process without a breakdown"),
    stage: Stage::Procedure,
    description: "cleansing, disinfection, removing the numbing cream, aftercare",
};

/// The procedure stage's registered parameters.
pub const PARAMS: &[Param] = &[STROKE_LENGTH_MM, STROKE_OVERHEAD_S, STAMP_PRESS_S, PREPARATION_MIN];

/// Area of a full face used in examples and validation, cm². `[A]`: an adult face is roughly
/// 15 cm × 20 cm minus the eyes, nostrils and lips (≈ 300 cm²); no measured value in the
/// reference.
pub const FULL_FACE_CM2: f64 = 300.0;

/// The `procedure` section of a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Procedure {
    /// Needling time for the whole area, min.
    pub duration_min: f64,
    /// Needling + numbing + preparation, min.
    pub total_min: f64,
    /// Numbing-cream time counted, min (the scenario's, else the recommendation).
    pub numbing_min: f64,
    /// Preparation and aftercare, min.
    pub preparation_min: f64,
    /// Distance the device travels over the skin (roller, pen), mm; 0 for a stamp.
    pub path_length_mm: f64,
    /// Strokes (roller, pen) or presses (stamp).
    pub strokes: u64,
}

/// Needling time of a scenario, s, with the path length (mm) and strokes.
pub fn needling_time_s(s: &Scenario) -> (f64, f64, u64) {
    let area_mm2 = s.protocol.area_cm2 * 100.0;
    let k = &s.parameters;
    let (stroke_mm, overhead_s, press_s) = (k.get(&STROKE_LENGTH_MM), k.get(&STROKE_OVERHEAD_S), k.get(&STAMP_PRESS_S));
    match &s.device.kind {
        DeviceKind::Dermaroller(r) => {
            let passes: u32 = s.protocol.passes.iter().map(|p| p.count).sum();
            let path_mm = f64::from(passes) * area_mm2 / r.drum_width_mm;
            let strokes = (path_mm / stroke_mm).ceil();
            (path_mm / s.protocol.stroke_speed_mm_s + strokes * overhead_s, path_mm, strokes as u64)
        }
        DeviceKind::Dermapen(p) => {
            let spacing_mm = s.protocol.pen_line_spacing_mm.unwrap_or(p.cartridge.span_um() / 1000.0);
            let directions = s.protocol.pen_directions_deg.len().max(1) as f64;
            let path_mm = directions * area_mm2 / spacing_mm;
            let strokes = (path_mm / stroke_mm).ceil();
            (path_mm / p.speed_mm_s + strokes * overhead_s, path_mm, strokes as u64)
        }
        DeviceKind::Stamp(st) => {
            let a = &st.array;
            let footprint_mm2 = f64::from(a.rows) * f64::from(a.columns) * (a.pitch_um / 1000.0).powi(2);
            let presses = (area_mm2 / footprint_mm2).ceil() * f64::from(s.protocol.presses);
            (presses * press_s, 0.0, presses as u64)
        }
    }
}

/// The procedure time of a scenario. `recommended_numbing_min`: the numbing model's
/// recommendation, used when the scenario gives no cream time.
pub fn estimate(s: &Scenario, recommended_numbing_min: Option<f64>) -> Procedure {
    let (t_s, path_length_mm, strokes) = needling_time_s(s);
    let duration_min = t_s / 60.0;
    let numbing_min = match &s.protocol.numbing {
        Some(n) if n.cream != crate::scenario::vocabulary::NumbingCream::None => n.minutes,
        Some(_) => 0.0,
        None => recommended_numbing_min.unwrap_or(0.0),
    };
    let preparation_min = s.parameters.get(&PREPARATION_MIN);
    Procedure {
        duration_min,
        total_min: duration_min + numbing_min + preparation_min,
        numbing_min,
        preparation_min,
        path_length_mm,
        strokes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, set: &[&str]) -> Scenario {
        let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
        crate::scenario::parse(text, &set).unwrap_or_else(|e| panic!("{}", e[0].message))
    }

    const ROLLER: &str = r#"
[skin]
site = "cheek"
[device]
type = "dermaroller"
preset = "roller-192"
needle_length_mm = 1.0
[protocol]
setting = "office"
area_cm2 = 100
passes = [{ direction_deg = 0, count = 2 }]
stroke_speed_mm_s = 20
"#;

    #[test]
    fn roller_time_is_path_over_speed_plus_stroke_overhead() {
        // 2 passes x 10000 mm2 / 20 mm = 1000 mm at 20 mm/s = 50 s; 25 strokes x 1 s.
        let (t, path, strokes) = needling_time_s(&parse(ROLLER, &[]));
        assert!((path - 1000.0).abs() < 1e-9);
        assert_eq!(strokes, 25);
        assert!((t - 75.0).abs() < 1e-9, "{t}");
    }

    #[test]
    fn registry_overrides_reach_the_model() {
        // 25 strokes of 40 mm; with 20 mm strokes 50, each with 2 s of overhead.
        let s =
            parse(ROLLER, &["parameters.procedure.stroke_length_mm=20", "parameters.procedure.stroke_overhead_s=2"]);
        let (t, _, strokes) = needling_time_s(&s);
        assert_eq!(strokes, 50);
        assert!((t - 150.0).abs() < 1e-9, "{t}");
        let table = format!("{ROLLER}\n[parameters.procedure]\npreparation_min = 25\n");
        assert_eq!(estimate(&parse(&table, &[]), Some(0.0)).preparation_min, 25.0);
        // No override: the registry's values, and no trace in the validated scenario.
        assert!(parse(ROLLER, &[]).parameters.is_empty());
    }

    #[test]
    fn bad_registry_overrides_name_the_parameter_and_the_range() {
        let err = |set: &str| {
            crate::scenario::parse(ROLLER, &[set.to_string()]).expect_err(set).into_iter().next().expect("an error")
        };
        let e = err("parameters.procedure.preparation_min=500");
        assert_eq!(e.field, "parameters.procedure.preparation_min");
        assert!(e.message.contains("500") && e.message.contains("allowed 0 to 120 min"), "{}", e.message);
        let e = err("parameters.procedure.no_such_key=1");
        assert!(e.message.contains("procedure.preparation_min"), "lists the stage's names: {}", e.message);
        let e = err("parameters.nowhere.x=1");
        assert!(e.message.contains("stage one of") && e.message.contains("procedure"), "{}", e.message);
        let e = err("parameters.procedure.preparation_min=\"ten\"");
        assert!(e.message.contains("parameters.procedure.preparation_min"), "{}", e.message);
    }

    #[test]
    fn roller_time_scales_with_area_passes_and_speed() {
        let base = needling_time_s(&parse(ROLLER, &[])).0;
        let double_area = needling_time_s(&parse(ROLLER, &["protocol.area_cm2=200"])).0;
        assert!((double_area / base - 2.0).abs() < 0.05);
        let fast = needling_time_s(&parse(ROLLER, &["protocol.stroke_speed_mm_s=40"])).0;
        assert!(fast < base);
    }

    #[test]
    fn pen_time_is_the_raster_path_over_speed() {
        let pen = r#"
[skin]
site = "cheek"
[device]
type = "dermapen"
preset = "pen-12"
needle_length_mm = 1.0
[protocol]
setting = "office"
area_cm2 = 4
pen_path = { directions_deg = [0, 90] }
"#;
        let s = parse(pen, &[]);
        // Analytic: 2 x 400 mm2 / 2.4 mm = 333 mm at 10 mm/s = 33.3 s; 9 strokes.
        let (t, path, strokes) = needling_time_s(&s);
        assert!((path - 333.33).abs() < 0.1, "{path}");
        assert_eq!(strokes, 9);
        assert!((t - (33.333 + 9.0)).abs() < 0.01, "{t}");
        // The punctures stage's window (the whole 20 mm x 20 mm area here) glides the same
        // lines plus its run-outs: at least the analytic glide time, at most 30 % more.
        let map = crate::punctures::generate(&s);
        let ratio = map.pen_path_time_s / (path / 10.0);
        assert!((1.0..1.3).contains(&ratio), "{ratio}");
    }

    #[test]
    fn stamp_presses_tile_the_area() {
        let stamp = r#"
[skin]
site = "forearm"
[device]
type = "stamp"
preset = "array-600"
[protocol]
setting = "office"
area_cm2 = 1
presses = 2
"#;
        // 11 x 11 at 0.6 mm: 43.56 mm2 footprint; 100 mm2 -> 3 tiles x 2 presses.
        let (t, _, presses) = needling_time_s(&parse(stamp, &[]));
        assert_eq!(presses, 6);
        assert!((t - 6.0 * STAMP_PRESS_S.value).abs() < 1e-9);
    }

    #[test]
    fn total_adds_numbing_and_preparation() {
        let s = parse(ROLLER, &["protocol.numbing={cream=\"emla\", minutes=45}"]);
        let p = estimate(&s, Some(90.0));
        assert_eq!(p.numbing_min, 45.0, "the scenario's time wins over the recommendation");
        assert!((p.total_min - (p.duration_min + 45.0 + PREPARATION_MIN.value)).abs() < 1e-9);
        let p = estimate(&parse(ROLLER, &[]), Some(50.0));
        assert_eq!(p.numbing_min, 50.0);
    }
}
