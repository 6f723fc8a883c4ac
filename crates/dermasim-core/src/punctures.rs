//! Device kinematics → punctures: where every needle enters the skin.
//!
//! The simulated region is a square window of `simulation.window_mm` (the whole treated area
//! when it is small enough). Coordinates are µm from the window's corner.
//!
//! **Roller.** Rings of needles (`rows`) sit evenly across the drum width; each ring holds
//! `needles / rows` needles evenly around the circumference. The drum rolls without slipping,
//! so a needle is deepest when it points straight down, and successive deepest points of one
//! needle are one circumference apart. A pass lays strokes side by side across the window,
//! each one drum-width wide; every stroke starts with a random drum phase and every repeat of
//! a pass with a random sideways offset (a hand never retraces a stroke exactly). One pass
//! puts down exactly needles / (π · drum diameter · drum width) punctures per unit area.
//! Where the needle enters and how far its tip slips inside the skin follow from the rolling
//! geometry and the depth it reaches ([`roller_entry`]).
//!
//! **Pen.** The pen moves along raster lines at `speed_mm_s` and stamps its cartridge at
//! `frequency_hz`: stamps = frequency × time, punctures = stamps × needles, all
//! perpendicular to the skin.
//!
//! **Stamp.** The array is pressed on a grid of tiles covering the window; repeated presses
//! land with a random offset of up to half a pitch.

use rand::RngExt;
use serde::Serialize;

use crate::device::{Cartridge, DeviceKind, Pen, Roller};
use crate::rng::{Stage, stream};
use crate::scenario::Scenario;

/// One needle entering the skin.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Puncture {
    /// Position of the hole's centre (the needle's deepest point), µm.
    pub x_um: f64,
    /// Position of the hole's centre, µm.
    pub y_um: f64,
    /// Direction of travel of the device (roller stroke, pen line), degrees.
    pub direction_deg: f64,
    /// Index of the pass (roller direction entry, pen direction, stamp press).
    pub pass: u32,
    /// Index of the needle on the device.
    pub needle: u32,
}

/// The punctures in the window and what produced them.
#[derive(Clone, Debug, Serialize)]
pub struct PunctureMap {
    /// Window side, µm.
    pub window_um: f64,
    /// Every puncture in the window, in a deterministic order.
    pub punctures: Vec<Puncture>,
    /// Pen: stamps fired over the window's raster path.
    pub pen_stamps: u64,
    /// Pen: time spent travelling the window's raster path, s.
    pub pen_path_time_s: f64,
}

impl PunctureMap {
    /// Window area, cm².
    pub fn window_cm2(&self) -> f64 {
        (self.window_um * 1e-4).powi(2)
    }
}

/// Extent of the square window [0, w]² projected on the unit vectors `e` and `n`.
fn extents(w: f64, e: (f64, f64), n: (f64, f64)) -> ((f64, f64), (f64, f64)) {
    let corners = [(0.0, 0.0), (w, 0.0), (0.0, w), (w, w)];
    let mut s = (f64::INFINITY, f64::NEG_INFINITY);
    let mut t = (f64::INFINITY, f64::NEG_INFINITY);
    for (x, y) in corners {
        let ps = x * e.0 + y * e.1;
        let pt = x * n.0 + y * n.1;
        s = (s.0.min(ps), s.1.max(ps));
        t = (t.0.min(pt), t.1.max(pt));
    }
    (s, t)
}

fn frame(direction_deg: f64) -> ((f64, f64), (f64, f64)) {
    let th = direction_deg.to_radians();
    ((th.cos(), th.sin()), (-th.sin(), th.cos()))
}

fn inside(w: f64, x: f64, y: f64) -> bool {
    (0.0..w).contains(&x) && (0.0..w).contains(&y)
}

/// Generates the punctures of a scenario's window.
pub fn generate(s: &Scenario) -> PunctureMap {
    let w = s.simulation.window_mm * 1000.0;
    let seed = s.simulation.seed;
    let mut map = PunctureMap { window_um: w, punctures: Vec::new(), pen_stamps: 0, pen_path_time_s: 0.0 };
    match &s.device.kind {
        DeviceKind::Dermaroller(r) => {
            for (pi, pass) in s.protocol.passes.iter().enumerate() {
                for rep in 0..pass.count {
                    roll(&mut map, r, pass.direction_deg, pi as u32, rep, seed);
                }
            }
        }
        DeviceKind::Dermapen(p) => {
            let spacing_um = s.protocol.pen_line_spacing_mm.map(|m| m * 1000.0).unwrap_or(p.cartridge.span_um());
            for (pi, dir) in s.protocol.pen_directions_deg.iter().enumerate() {
                pen_raster(&mut map, p, *dir, spacing_um, pi as u32, seed);
            }
        }
        DeviceKind::Stamp(st) => {
            for press in 0..s.protocol.presses {
                stamp_tiles(&mut map, &st.array, press, seed);
            }
        }
    }
    map
}

fn roll(map: &mut PunctureMap, r: &Roller, direction_deg: f64, pass: u32, rep: u32, seed: u64) {
    let w = map.window_um;
    let (e, n) = frame(direction_deg);
    let ((s0, s1), (t0, t1)) = extents(w, e, n);
    let radius_um = 0.5 * r.drum_diameter_mm * 1000.0;
    let width_um = r.drum_width_mm * 1000.0;
    let per_ring = r.needles_per_ring();
    let ring_pitch = width_um / f64::from(r.rows);
    let key = u64::from(pass) << 16 | u64::from(rep);
    let mut rep_rng = stream(seed, Stage::Kinematics, key, 0);
    let offset = rep_rng.random::<f64>() * width_um;
    let first_band = t0 - offset;
    let bands = ((t1 - first_band) / width_um).ceil() as u64;
    let step_angle = std::f64::consts::TAU / f64::from(per_ring);
    let circumference = std::f64::consts::TAU * radius_um;
    for band in 0..bands {
        let mut rng = stream(seed, Stage::Kinematics, key, band + 1);
        let phase = rng.random::<f64>() * std::f64::consts::TAU;
        let band_t = first_band + band as f64 * width_um;
        for ring in 0..r.rows {
            let t = band_t + (f64::from(ring) + 0.5) * ring_pitch;
            for i in 0..per_ring {
                let alpha0 = (phase + f64::from(i) * step_angle).rem_euclid(std::f64::consts::TAU);
                // Deepest points of this needle along the stroke: s0 + R·(α0 + 2πm).
                let mut s = s0 + radius_um * alpha0;
                while s <= s1 {
                    let x = s * e.0 + t * n.0;
                    let y = s * e.1 + t * n.1;
                    if inside(w, x, y) {
                        map.punctures.push(Puncture {
                            x_um: x,
                            y_um: y,
                            direction_deg,
                            pass,
                            needle: ring * per_ring + i,
                        });
                    }
                    s += circumference;
                }
            }
        }
    }
}

fn pen_raster(map: &mut PunctureMap, p: &Pen, direction_deg: f64, spacing_um: f64, pass: u32, seed: u64) {
    let w = map.window_um;
    let (e, n) = frame(direction_deg);
    let ((s0, s1), (t0, t1)) = extents(w, e, n);
    let stamp_step = p.speed_mm_s * 1000.0 / p.frequency_hz;
    let c = &p.cartridge;
    let lines = ((t1 - t0) / spacing_um).ceil() as u64;
    for line in 0..lines {
        let mut rng = stream(seed, Stage::Kinematics, u64::from(pass), line);
        let t = t0 + (line as f64 + 0.5) * spacing_um;
        let phase = rng.random::<f64>();
        // The pen runs past the window's edges by half its needle field, so the edges get the
        // same density as the middle.
        let half = 0.5 * f64::from(c.columns) * c.pitch_um;
        let (start, end) = (s0 - half, s1 + half);
        map.pen_path_time_s += (end - start) / (p.speed_mm_s * 1000.0);
        let mut k = 0u64;
        loop {
            let s = start + (k as f64 + phase) * stamp_step;
            if s > end {
                break;
            }
            map.pen_stamps += 1;
            push_grid(map, c, s, t, e, n, direction_deg, pass);
            k += 1;
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn push_grid(
    map: &mut PunctureMap,
    c: &Cartridge,
    s: f64,
    t: f64,
    e: (f64, f64),
    n: (f64, f64),
    direction_deg: f64,
    pass: u32,
) {
    let w = map.window_um;
    for row in 0..c.rows {
        let dt = (f64::from(row) - 0.5 * f64::from(c.rows - 1)) * c.pitch_um;
        for col in 0..c.columns {
            let ds = (f64::from(col) - 0.5 * f64::from(c.columns - 1)) * c.pitch_um;
            let x = (s + ds) * e.0 + (t + dt) * n.0;
            let y = (s + ds) * e.1 + (t + dt) * n.1;
            if inside(w, x, y) {
                map.punctures.push(Puncture { x_um: x, y_um: y, direction_deg, pass, needle: row * c.columns + col });
            }
        }
    }
}

fn stamp_tiles(map: &mut PunctureMap, a: &Cartridge, press: u32, seed: u64) {
    let w = map.window_um;
    let tile_s = f64::from(a.columns) * a.pitch_um;
    let tile_t = f64::from(a.rows) * a.pitch_um;
    let nx = (w / tile_s).ceil() as u64;
    let ny = (w / tile_t).ceil() as u64;
    for j in 0..ny {
        for i in 0..nx {
            let (ox, oy) = if press == 0 {
                (0.0, 0.0)
            } else {
                let mut rng = stream(seed, Stage::Kinematics, u64::from(press), j * nx + i);
                ((rng.random::<f64>() - 0.5) * a.pitch_um, (rng.random::<f64>() - 0.5) * a.pitch_um)
            };
            let s = (i as f64 + 0.5) * tile_s + ox;
            let t = (j as f64 + 0.5) * tile_t + oy;
            push_grid(map, a, s, t, (1.0, 0.0), (0.0, 1.0), 0.0, press);
        }
    }
}

/// Where a roller needle enters the skin and how its tip moves inside it, for a channel of
/// `depth_um`. The needle tip sits at ρ = R + L from the drum axis; it is inside the skin while
/// it is within `depth_um` of its lowest point, i.e. for rotation angles |α| < α_e with
/// cos α_e = (ρ − depth)/ρ. Rolling without slipping moves the axis R·α while the tip moves
/// ρ·sin α, so between entry and exit the tip travels 2·(ρ·sin α_e − R·α_e) backwards against
/// the skin (the loop of a prolate trochoid).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RollerEntry {
    /// Angle between the needle and the skin normal at entry, degrees (tilt included).
    pub entry_angle_deg: f64,
    /// Kinematic slip of the tip along the stroke between entry and exit, µm.
    pub slip_um: f64,
}

/// See [`RollerEntry`].
pub fn roller_entry(r: &Roller, needle_length_um: f64, depth_um: f64) -> RollerEntry {
    let radius = 0.5 * r.drum_diameter_mm * 1000.0;
    let rho = radius + needle_length_um;
    let depth = depth_um.clamp(0.0, needle_length_um);
    let alpha = ((rho - depth) / rho).clamp(-1.0, 1.0).acos();
    RollerEntry {
        entry_angle_deg: alpha.to_degrees() + r.needle_tilt_deg,
        slip_um: 2.0 * (rho * alpha.sin() - radius * alpha).abs(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse;

    fn scenario(device: &str, protocol: &str) -> Scenario {
        let text =
            format!("[skin]\nsite = \"cheek\"\n[device]\n{device}\n[protocol]\nsetting = \"office\"\n{protocol}\n");
        parse(&text, &[]).unwrap()
    }

    #[test]
    fn one_roller_pass_gives_needles_over_pi_d_w() {
        let s = scenario(
            "type = \"dermaroller\"\npreset = \"roller-192\"",
            "area_cm2 = 9\npasses = [{ direction_deg = 0, count = 1 }]",
        );
        let map = generate(&s);
        let density = map.punctures.len() as f64 / map.window_cm2();
        let expected = 192.0 / (std::f64::consts::PI * 2.0 * 2.0);
        // Counting noise: at most one puncture per ring line crossing each window edge.
        let lines = 8.0 * (30_000.0 / 20_000.0f64).ceil() * 24.0;
        assert!((density - expected).abs() * map.window_cm2() <= lines, "{density} vs {expected}");
        assert!((density - expected).abs() / expected < 0.05, "{density} vs {expected}");
    }

    #[test]
    fn oblique_pass_has_the_same_density() {
        let s = scenario(
            "type = \"dermaroller\"\npreset = \"roller-192\"",
            "area_cm2 = 9\npasses = [{ direction_deg = 45, count = 2 }]",
        );
        let map = generate(&s);
        let density = map.punctures.len() as f64 / map.window_cm2();
        let expected = 2.0 * 192.0 / (std::f64::consts::PI * 4.0);
        assert!((density - expected).abs() / expected < 0.05, "{density} vs {expected}");
    }

    #[test]
    fn pen_stamps_are_frequency_times_time_and_holes_are_stamps_times_needles() {
        // A window of 10 mm, lines 10 mm long: time per line 1 s at 10 mm/s.
        let s = scenario(
            "type = \"dermapen\"\npreset = \"pen-12\"\nspeed_mm_s = 10\nfrequency_hz = 90",
            "area_cm2 = 1\npen_path = { line_spacing_mm = 10 }",
        );
        let map = generate(&s);
        let lines = 1.0;
        let expected = 90.0 * map.pen_path_time_s;
        assert!((map.pen_stamps as f64 - expected).abs() <= lines, "{} vs {expected}", map.pen_stamps);
        // Holes = stamps × needles: per unit area, 90 Hz × 12 needles / (10 mm/s × 10 mm).
        let density = map.punctures.len() as f64 / map.window_cm2();
        let nominal = 90.0 * 12.0 / (1.0 * 1.0);
        assert!((density - nominal).abs() / nominal < 0.02, "{density} vs {nominal}");
    }

    #[test]
    fn the_same_seed_gives_the_same_map() {
        let s = scenario(
            "type = \"dermaroller\"\npreset = \"roller-192\"",
            "area_cm2 = 4\npasses = [{ direction_deg = 30, count = 3 }]",
        );
        assert_eq!(generate(&s).punctures, generate(&s).punctures);
    }

    #[test]
    fn roller_slip_grows_with_depth_and_vanishes_at_zero() {
        let r = Roller { needles: 192, rows: 8, drum_diameter_mm: 20.0, drum_width_mm: 20.0, needle_tilt_deg: 0.0 };
        let a = roller_entry(&r, 1500.0, 100.0);
        let b = roller_entry(&r, 1500.0, 400.0);
        assert!(roller_entry(&r, 1500.0, 0.0).slip_um.abs() < 1e-9);
        assert!(b.slip_um > a.slip_um && a.slip_um > 0.0);
        assert!(b.entry_angle_deg > a.entry_angle_deg);
        // Small-angle form: slip ≈ 2·L·α_e with α_e = sqrt(2·depth/ρ).
        let approx = 2.0 * 1500.0 * (2.0 * 100.0 / 11_500.0f64).sqrt();
        assert!((a.slip_um - approx).abs() / approx < 0.05, "{} vs {approx}", a.slip_um);
    }
}
