//! Validated devices and their presets.
//!
//! A device is a needle geometry plus a way of driving the needles into the skin: a drum
//! rolled by hand (`Roller`), a motorised pen stamping a cartridge (`Pen`), or an array
//! pressed by hand (`Stamp`). Sources of preset values are in `docs/models.md` §2.

use serde::Serialize;

/// Needle geometry. A needle is a cylinder of `diameter_um` with a conical tip that tapers
/// over the whole needle length to a rounded point of `tip_radius_um` (the geometry of the
/// needles measured by Kalluri et al. 2011: 770 µm long, 140 µm base width, 4 µm tip radius).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Needle {
    /// Needle length (for a pen: the depth setting), µm.
    pub length_um: f64,
    /// Shaft (base) diameter, µm.
    pub diameter_um: f64,
    /// Tip radius, µm; dull needles have a larger one.
    pub tip_radius_um: f64,
}

impl Needle {
    /// Needle length in mm, as the scenario gives it (the one conversion back from µm, for
    /// outputs and the rules stated in mm).
    pub fn length_mm(&self) -> f64 {
        self.length_um / 1000.0
    }

    /// Tangent of the tip's half-angle: the cone runs from the tip radius to the base radius
    /// over the needle length.
    pub fn taper(&self) -> f64 {
        ((0.5 * self.diameter_um - self.tip_radius_um) / self.length_um).max(0.0)
    }

    /// Width of the needle's cross-section at `from_tip_um` above the tip, µm.
    pub fn width_at_um(&self, from_tip_um: f64) -> f64 {
        2.0 * (self.tip_radius_um + from_tip_um.max(0.0) * self.taper()).min(0.5 * self.diameter_um)
    }
}

/// A dermaroller drum.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Roller {
    /// Total needles on the drum.
    pub needles: u32,
    /// Rings of needles across the drum width ("rows").
    pub rows: u32,
    /// Drum diameter (without the needles), mm.
    pub drum_diameter_mm: f64,
    /// Drum width, mm.
    pub drum_width_mm: f64,
    /// Needle tilt from the radial direction in the rolling plane, degrees.
    pub needle_tilt_deg: f64,
}

impl Roller {
    /// Needles around the circumference of one ring.
    pub fn needles_per_ring(&self) -> u32 {
        self.needles / self.rows
    }

    /// Punctures per cm² put down by one straight pass: needles / (π · diameter · width).
    pub fn density_per_pass_per_cm2(&self) -> f64 {
        f64::from(self.needles) / (std::f64::consts::PI * self.drum_diameter_mm * 0.1 * self.drum_width_mm * 0.1)
    }
}

/// A pen cartridge: needles on a square grid.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Cartridge {
    /// Needle rows (across the direction of travel).
    pub rows: u32,
    /// Needle columns (along the direction of travel).
    pub columns: u32,
    /// Centre-to-centre needle spacing, µm.
    pub pitch_um: f64,
}

impl Cartridge {
    /// Needles in the cartridge.
    pub fn needles(&self) -> u32 {
        self.rows * self.columns
    }

    /// Width of the needle field across the direction of travel, µm.
    pub fn span_um(&self) -> f64 {
        f64::from(self.rows) * self.pitch_um
    }
}

/// A motorised microneedling pen.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Pen {
    /// Stamping frequency, Hz.
    pub frequency_hz: f64,
    /// Speed the pen is moved over the skin, mm/s.
    pub speed_mm_s: f64,
    /// Needle cartridge.
    pub cartridge: Cartridge,
}

/// A microneedle array pressed onto the skin by hand.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Stamp {
    /// The needle grid.
    pub array: Cartridge,
}

/// How the needles are driven.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum DeviceKind {
    /// A hand-rolled drum.
    Dermaroller(Roller),
    /// A motorised pen.
    Dermapen(Pen),
    /// A hand-pressed array.
    Stamp(Stamp),
}

impl DeviceKind {
    /// "dermaroller", "dermapen" or "stamp".
    pub fn type_name(&self) -> &'static str {
        match self {
            DeviceKind::Dermaroller(_) => "dermaroller",
            DeviceKind::Dermapen(_) => "dermapen",
            DeviceKind::Stamp(_) => "stamp",
        }
    }

    /// Needles that enter the skin together in one revolution, stamp or press.
    pub fn needles(&self) -> u32 {
        match self {
            DeviceKind::Dermaroller(r) => r.needles,
            DeviceKind::Dermapen(p) => p.cartridge.needles(),
            DeviceKind::Stamp(s) => s.array.needles(),
        }
    }
}

/// A validated device.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Device {
    /// The preset it started from, if any.
    pub preset: Option<String>,
    /// Drive and layout.
    pub kind: DeviceKind,
    /// Needle geometry.
    pub needle: Needle,
    /// Times the device (or cartridge) has been used before this treatment.
    pub uses: u32,
    /// Fraction of needles that are bent, 0-1.
    pub bent_fraction: f64,
}

/// A device preset: the values a scenario gets unless it sets them itself.
#[derive(Clone, Copy, Debug)]
pub struct DevicePreset {
    /// Name as written in scenarios.
    pub name: &'static str,
    /// One line for `dermasim presets`.
    pub description: &'static str,
    /// The device, with a default needle.
    pub kind: DeviceKind,
    /// Default needle.
    pub needle: Needle,
    /// Where the numbers come from.
    pub source: &'static str,
}

/// Tip radius of a sharp steel microneedle, µm: Kalluri et al. 2011 AAPS J 13:473 (770 µm
/// DermaRoller needles, 4 µm) \[V\].
pub const SHARP_TIP_RADIUS_UM: f64 = 4.0;

/// Pen cartridge needle pitch, µm. `[A]` no cartridge dimensions in the reference; 36 needles on
/// a 6 × 6 grid at this pitch span about 5 mm, the size of common round cartridges.
pub const CARTRIDGE_PITCH_UM: f64 = 800.0;

/// Pen stamping frequency, Hz: first-generation Dermapen "as high as 90 Hz" (Aesthetic Guide
/// 2012, quoting G. Sasaki) \[S\].
pub const PEN_FREQUENCY_HZ: f64 = 90.0;

/// Speed a pen is glided over the skin, mm/s. `[A]` no measured value in the reference.
pub const PEN_SPEED_MM_S: f64 = 10.0;

/// All device presets.
pub const DEVICES: &[DevicePreset] = &[
    DevicePreset {
        name: "roller-192",
        description: "192-needle, 8-row dermaroller, 20 mm x 20 mm drum, 1.5 mm x 0.25 mm needles",
        kind: DeviceKind::Dermaroller(Roller {
            needles: 192,
            rows: 8,
            drum_diameter_mm: 20.0,
            drum_width_mm: 20.0,
            needle_tilt_deg: 0.0,
        }),
        needle: Needle { length_um: 1500.0, diameter_um: 250.0, tip_radius_um: SHARP_TIP_RADIUS_UM },
        source: "Schwarz & Laaff 2011 Plast Reconstr Surg 127(6) (MF8) [V]; tip radius Kalluri 2011 [V]",
    },
    DevicePreset {
        name: "roller-192-thin",
        description: "192-needle, 8-row dermaroller with 0.1 mm needles (Doddaballapur 2009)",
        kind: DeviceKind::Dermaroller(Roller {
            needles: 192,
            rows: 8,
            drum_diameter_mm: 20.0,
            drum_width_mm: 20.0,
            needle_tilt_deg: 0.0,
        }),
        needle: Needle { length_um: 500.0, diameter_um: 100.0, tip_radius_um: SHARP_TIP_RADIUS_UM },
        source: "Doddaballapur 2009 J Cutan Aesthet Surg 2:110 (192 needles, 8 rows, 0.1 mm) [V]; drum Schwarz & Laaff 2011 [V]",
    },
    DevicePreset {
        name: "pen-12",
        description: "microneedling pen, 12-needle cartridge (3 x 4), 90 Hz",
        kind: DeviceKind::Dermapen(Pen {
            frequency_hz: PEN_FREQUENCY_HZ,
            speed_mm_s: PEN_SPEED_MM_S,
            cartridge: Cartridge { rows: 3, columns: 4, pitch_um: CARTRIDGE_PITCH_UM },
        }),
        needle: Needle { length_um: 1000.0, diameter_um: 250.0, tip_radius_um: SHARP_TIP_RADIUS_UM },
        source: "12-needle tip (dralek.co.za) [S]; 90 Hz (Aesthetic Guide 2012) [S]; pitch, speed, needle diameter [A]",
    },
    DevicePreset {
        name: "pen-36",
        description: "microneedling pen, 36-needle cartridge (6 x 6), 90 Hz",
        kind: DeviceKind::Dermapen(Pen {
            frequency_hz: PEN_FREQUENCY_HZ,
            speed_mm_s: PEN_SPEED_MM_S,
            cartridge: Cartridge { rows: 6, columns: 6, pitch_um: CARTRIDGE_PITCH_UM },
        }),
        needle: Needle { length_um: 1000.0, diameter_um: 250.0, tip_radius_um: SHARP_TIP_RADIUS_UM },
        source: "cartridges of 9-36 needles (Termedia review) [V]; 90 Hz [S]; pitch, speed, needle diameter [A]",
    },
    DevicePreset {
        name: "array-600",
        description: "research microneedle array, 600 um needles, 11 x 11, pressed by hand",
        kind: DeviceKind::Stamp(Stamp { array: Cartridge { rows: 11, columns: 11, pitch_um: 600.0 } }),
        needle: Needle { length_um: 600.0, diameter_um: 300.0, tip_radius_um: 5.0 },
        source: "600 um needles (Donnelly 2011, PMC3016610) [V]; layout, base width, tip radius [A]",
    },
];

/// Finds a device preset by name.
pub fn device_preset(name: &str) -> Option<&'static DevicePreset> {
    DEVICES.iter().find(|d| d.name.eq_ignore_ascii_case(name))
}

/// Finds a cartridge preset by name ("12" or "36" needles).
pub fn cartridge_preset(name: &str) -> Option<Cartridge> {
    match name {
        "12" | "12-needle" => Some(Cartridge { rows: 3, columns: 4, pitch_um: CARTRIDGE_PITCH_UM }),
        "36" | "36-needle" => Some(Cartridge { rows: 6, columns: 6, pitch_um: CARTRIDGE_PITCH_UM }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schwarz_roller_density_per_pass() {
        let DeviceKind::Dermaroller(r) = device_preset("roller-192").unwrap().kind else {
            panic!("roller preset is not a roller")
        };
        // 192 / (π · 2 cm · 2 cm) = 15.28 per cm²
        assert!((r.density_per_pass_per_cm2() - 15.278874536821952).abs() < 1e-12);
        assert_eq!(r.needles_per_ring(), 24);
    }

    #[test]
    fn needle_width_grows_from_tip_to_shaft() {
        let n = Needle { length_um: 770.0, diameter_um: 140.0, tip_radius_um: 4.0 };
        assert!((n.width_at_um(0.0) - 8.0).abs() < 1e-12);
        assert!((n.width_at_um(770.0) - 140.0).abs() < 1e-9);
        assert!((n.width_at_um(5000.0) - 140.0).abs() < 1e-9);
    }
}
