//! Input checks: a bad problem gives [`TransportError::InvalidInput`] naming the field.

use super::mesh::Sizes;
use super::{Donor, Geometry, TransportProblem};
use crate::error::{TransportError, invalid};

fn check_pos(v: f64, field: &str) -> Result<(), TransportError> {
    if !(v.is_finite() && v > 0.0) {
        return Err(invalid(field, format!("must be finite and > 0, got {v}")));
    }
    Ok(())
}

fn check_nonneg(v: f64, field: &str) -> Result<(), TransportError> {
    if !(v.is_finite() && v >= 0.0) {
        return Err(invalid(field, format!("must be finite and >= 0, got {v}")));
    }
    Ok(())
}

pub(super) fn validate(p: &TransportProblem) -> Result<f64, TransportError> {
    if p.layers.is_empty() {
        return Err(invalid("layers", "at least one layer is needed"));
    }
    for (i, l) in p.layers.iter().enumerate() {
        check_pos(l.thickness_um, &format!("layers[{i}].thickness_um"))?;
        check_pos(l.diffusivity_um2_s, &format!("layers[{i}].diffusivity_um2_s"))?;
        check_pos(l.partition, &format!("layers[{i}].partition"))?;
        check_nonneg(l.clearance_per_s, &format!("layers[{i}].clearance_per_s"))?;
    }
    let total: f64 = p.layers.iter().map(|l| l.thickness_um).sum();
    match &p.donor {
        Donor::Infinite { concentration_mg_ml } => check_nonneg(*concentration_mg_ml, "donor.concentration_mg_ml")?,
        Donor::Finite { film_thickness_um, concentration_mg_ml } => {
            check_pos(*film_thickness_um, "donor.film_thickness_um")?;
            check_nonneg(*concentration_mg_ml, "donor.concentration_mg_ml")?;
        }
        Donor::Film { film_thickness_um, concentration_mg_ml, vehicle: v } => {
            check_pos(*film_thickness_um, "donor.film_thickness_um")?;
            check_nonneg(*concentration_mg_ml, "donor.concentration_mg_ml")?;
            if !(v.residue_fraction > 0.0 && v.residue_fraction <= 1.0) {
                return Err(invalid(
                    "donor.vehicle.residue_fraction",
                    format!("must be in (0, 1], got {}", v.residue_fraction),
                ));
            }
            check_nonneg(v.evaporation_um_per_h, "donor.vehicle.evaporation_um_per_h")?;
            for (x, f) in
                [(v.log_k_vehicle, "donor.vehicle.log_k_vehicle"), (v.log_k_residue, "donor.vehicle.log_k_residue")]
            {
                if !(x.is_finite() && x.abs() <= 12.0) {
                    return Err(invalid(f, format!("must be finite and within ±12, got {x}")));
                }
            }
            if let Some(sw) = v.water_solubility_mg_ml {
                check_pos(sw, "donor.vehicle.water_solubility_mg_ml")?;
            }
            if let Some(t) = v.removal_h {
                check_nonneg(t, "donor.vehicle.removal_h")?;
            }
            if let Some(k) = v.dry_deposit_dissolution_per_h {
                check_nonneg(k, "donor.vehicle.dry_deposit_dissolution_per_h")?;
            }
        }
    }
    check_pos(p.duration_h, "duration_h")?;
    let mut last = 0.0;
    for (i, &t) in p.output_times_h.iter().enumerate() {
        let f = format!("output_times_h[{i}]");
        check_pos(t, &f)?;
        if t <= last {
            return Err(invalid(f, "output times must be strictly increasing"));
        }
        if t > p.duration_h * (1.0 + 1e-12) {
            return Err(invalid(f, format!("{t} h is after duration_h = {} h", p.duration_h)));
        }
        last = t;
    }
    let Sizes { max_dz: dz, min_cells: mc, lateral: lat, lateral_max, .. } = p.resolution.params();
    check_pos(dz, "resolution.max_dz_um")?;
    check_pos(lat, "resolution.lateral_um")?;
    check_pos(lateral_max, "resolution.lateral_max_um")?;
    if mc == 0 {
        return Err(invalid("resolution.min_cells_per_layer", "must be >= 1"));
    }
    match &p.geometry {
        Geometry::OneD => {}
        Geometry::UnitCell { cell_radius_um, channel } => {
            check_pos(channel.radius_um, "geometry.channel.radius_um")?;
            check_pos(channel.depth_um, "geometry.channel.depth_um")?;
            check_pos(channel.diffusivity_um2_s, "geometry.channel.diffusivity_um2_s")?;
            check_pos(*cell_radius_um, "geometry.cell_radius_um")?;
            if *cell_radius_um <= channel.radius_um {
                return Err(invalid("geometry.cell_radius_um", "must exceed the channel radius"));
            }
            if channel.depth_um >= total {
                return Err(invalid(
                    "geometry.channel.depth_um",
                    format!("must be less than the total thickness {total} µm"),
                ));
            }
            let mut lt = -1.0;
            for (i, &(t, s)) in channel.openness.iter().enumerate() {
                let f = format!("geometry.channel.openness[{i}]");
                check_nonneg(t, &f)?;
                if t <= lt {
                    return Err(invalid(f, "times must be strictly increasing"));
                }
                if !(0.0..=1.0).contains(&s) {
                    return Err(invalid(f, format!("openness must be in [0, 1], got {s}")));
                }
                lt = t;
            }
        }
        Geometry::Patch { window_x_um, window_y_um, holes, channel_diffusivity_um2_s } => {
            check_pos(*window_x_um, "geometry.window_x_um")?;
            check_pos(*window_y_um, "geometry.window_y_um")?;
            check_pos(*channel_diffusivity_um2_s, "geometry.channel_diffusivity_um2_s")?;
            for (i, h) in holes.iter().enumerate() {
                let f = |n: &str| format!("geometry.holes[{i}].{n}");
                for (v, n) in [(h.x_um, "x_um"), (h.y_um, "y_um"), (h.direction_deg, "direction_deg")] {
                    if !v.is_finite() {
                        return Err(invalid(f(n), "must be finite"));
                    }
                }
                check_nonneg(h.depth_um, &f("depth_um"))?;
                check_nonneg(h.length_um, &f("length_um"))?;
                check_pos(h.width_um, &f("width_um"))?;
                if h.depth_um >= total {
                    return Err(invalid(f("depth_um"), format!("must be less than the total thickness {total} µm")));
                }
            }
        }
    }
    Ok(total)
}
