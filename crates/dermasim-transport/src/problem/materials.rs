//! From a problem to what the solver runs: the grid, the cell coefficients (`K·D`, `K`,
//! clearance) with the channel lumen, the channels' closure schedule, the initial fill of the
//! lumen from the film and the evolving film's schedule.

use super::mesh::{Sizes, in_hole, patch_lateral_faces, patch_lateral_um, r_faces, z_faces};
use super::{Donor, Geometry, MAX_CELLS, TRACE_FILM_SHARE, TransportProblem};
use crate::error::TransportError;
use crate::fv::{Coord, Grid, Materials};
use crate::sim::{FilmSchedule, KdSchedule};

/// Everything needed to run: grid, materials, masks.
pub(super) struct Setup {
    pub(super) grid: Grid,
    pub(super) materials: Materials,
    pub(super) channel: Vec<bool>,
    pub(super) plane_layer: Vec<usize>,
    pub(super) schedule: Option<KdSchedule>,
    /// The finest lateral cell size asked for (µm; a patch's cells on its holes).
    pub(super) lateral_um: f64,
}

pub(super) fn setup(p: &TransportProblem) -> Result<Setup, TransportError> {
    let Sizes { max_dz, min_cells, lateral, lateral_max, n_radius } = p.resolution.params();
    // guard the cell count before allocating anything
    let nz_est: f64 = p.layers.iter().map(|l| (l.thickness_um / max_dz).ceil().max(min_cells as f64) + 1.0).sum();
    // a patch's lateral faces (at most one per cell of `h` along each axis)
    let mut patch_faces = None;
    let lat_est = match &p.geometry {
        Geometry::OneD => 1.0,
        Geometry::UnitCell { cell_radius_um, channel } => {
            let n_a = n_radius.map_or((channel.radius_um / lateral).ceil(), |n| n as f64);
            n_a + (cell_radius_um / channel.radius_um.min(lateral)).min(1e12)
        }
        Geometry::Patch { window_x_um, window_y_um, holes, .. } => {
            let h = patch_lateral_um(holes, lateral);
            if (window_x_um / h).max(window_y_um / h) <= MAX_CELLS as f64 {
                let (xf, yf) = patch_lateral_faces(*window_x_um, *window_y_um, holes, h, lateral_max);
                let columns = ((xf.len() - 1) * (yf.len() - 1)) as f64;
                patch_faces = Some((xf, yf));
                columns
            } else {
                f64::INFINITY
            }
        }
    };
    let est = nz_est * lat_est;
    if !(est.is_finite() && est <= MAX_CELLS as f64) {
        let cells = if est.is_finite() && est < usize::MAX as f64 { est as usize } else { usize::MAX };
        return Err(TransportError::GridTooLarge { cells, limit: MAX_CELLS });
    }
    let layer_bounds: Vec<f64> = p
        .layers
        .iter()
        .scan(0.0, |z, l| {
            *z += l.thickness_um;
            Some(*z)
        })
        .collect();
    let (grid, extra_depth) = match &p.geometry {
        Geometry::OneD => (
            Grid {
                coord: Coord::Cartesian,
                xf: vec![0.0, 1.0],
                yf: vec![0.0, 1.0],
                zf: z_faces(&p.layers, None, None, max_dz, min_cells),
            },
            None,
        ),
        Geometry::UnitCell { cell_radius_um, channel } => {
            let n_a = n_radius.unwrap_or(((channel.radius_um / lateral).ceil() as usize).max(1));
            let xf = r_faces(channel.radius_um, *cell_radius_um, n_a, max_dz.max(lateral));
            let zf = z_faces(&p.layers, Some(channel.depth_um), Some(channel.depth_um), max_dz, min_cells);
            (Grid { coord: Coord::Axisymmetric, xf, yf: vec![0.0, 1.0], zf }, Some(channel.depth_um))
        }
        Geometry::Patch { holes, .. } => {
            let (xf, yf) = patch_faces.expect("computed with the estimate above");
            let deepest = holes.iter().map(|h| h.depth_um).fold(0.0, f64::max);
            let zf = z_faces(&p.layers, None, Some(deepest), max_dz, min_cells);
            let cells = (xf.len() - 1).saturating_mul(yf.len() - 1).saturating_mul(zf.len() - 1);
            if cells > MAX_CELLS {
                return Err(TransportError::GridTooLarge { cells, limit: MAX_CELLS });
            }
            (Grid { coord: Coord::Cartesian, xf, yf, zf }, None)
        }
    };
    let _ = extra_depth;
    let lay = grid.layout();
    if lay.n > MAX_CELLS {
        return Err(TransportError::GridTooLarge { cells: lay.n, limit: MAX_CELLS });
    }
    let plane_layer: Vec<usize> = (0..lay.nz)
        .map(|k| {
            let zc = grid.zc(k);
            layer_bounds.iter().position(|&b| zc < b).unwrap_or(p.layers.len() - 1)
        })
        .collect();
    let mut kd = vec![0.0; lay.n];
    let mut part = vec![0.0; lay.n];
    let mut clear = vec![0.0; lay.n];
    let mut channel = vec![false; lay.n];
    for (k, &pl) in plane_layer.iter().enumerate() {
        let l = &p.layers[pl];
        let zc = grid.zc(k);
        for j in 0..lay.ny {
            for i in 0..lay.nx {
                let c = k * lay.sxy + j * lay.nx + i;
                kd[c] = l.partition * l.diffusivity_um2_s;
                part[c] = l.partition;
                clear[c] = l.clearance_per_s;
                channel[c] = match &p.geometry {
                    Geometry::OneD => false,
                    Geometry::UnitCell { channel: ch, .. } => grid.xc(i) < ch.radius_um && zc < ch.depth_um,
                    Geometry::Patch { holes, .. } => {
                        holes.iter().any(|h| zc < h.depth_um && in_hole(h, grid.xc(i), grid.yc(j)))
                    }
                };
            }
        }
    }
    let d_ch = match &p.geometry {
        Geometry::OneD => 0.0,
        Geometry::UnitCell { channel, .. } => channel.diffusivity_um2_s,
        Geometry::Patch { channel_diffusivity_um2_s, .. } => *channel_diffusivity_um2_s,
    };
    let mut cells = Vec::new();
    let mut kd_closed = Vec::new();
    for c in 0..lay.n {
        if channel[c] {
            cells.push(c);
            kd_closed.push(kd[c]);
            kd[c] = d_ch;
            part[c] = 1.0;
            clear[c] = 0.0;
        }
    }
    let schedule = match &p.geometry {
        Geometry::UnitCell { channel: ch, .. } if !ch.openness.is_empty() => Some(KdSchedule {
            kd_open: vec![d_ch; cells.len()],
            cells,
            kd_closed,
            table: ch.openness.iter().map(|&(t, s)| (t * 3600.0, s)).collect(),
        }),
        _ => None,
    };
    let lateral_um = match &p.geometry {
        Geometry::Patch { holes, .. } => patch_lateral_um(holes, lateral),
        _ => lateral,
    };
    let materials = Materials { kd, partition: part, clearance: clear };
    Ok(Setup { grid, materials, channel, plane_layer, schedule, lateral_um })
}

/// Largest share of a finite film's volume that may run into the channel lumen at the start
/// (numerical choice with a physical reading: the film always keeps a tenth of its volume on
/// the surface; when the lumen is larger than the other nine tenths, the rest of the lumen is
/// tissue fluid, mixed with the product drawn in).
pub const MAX_FILM_SHARE_IN_LUMEN: f64 = 0.9;

/// How the product is split between the film and the channel lumen at t = 0.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct InitialFill {
    /// Film volume left on the surface (µm³; unused for an infinite donor).
    pub(super) film_um3: f64,
    /// Concentration of the lumen fluid (mg/mL).
    pub(super) lumen_mg_ml: f64,
}

/// The channels fill with product at t = 0, and what fills them leaves the film: a finite film of
/// volume `V` (µm³ over the top area `area`) gives the lumen (volume `lumen`) the volume
/// `min(lumen, `[`MAX_FILM_SHARE_IN_LUMEN`]` · V)` at the film's concentration, which is
/// diluted over the whole lumen when the film cannot fill it. The dose `c₀·V` is therefore
/// exactly the film's plus the lumen's content. An infinite donor fills the lumen at its
/// concentration; that amount counts as taken from the donor (`applied_ug_per_cm2`).
pub(super) fn initial_fill(donor: &Donor, area: f64, lumen: f64) -> InitialFill {
    match *donor {
        Donor::Infinite { concentration_mg_ml } => InitialFill { film_um3: 0.0, lumen_mg_ml: concentration_mg_ml },
        Donor::Finite { film_thickness_um, concentration_mg_ml } => {
            let film = film_thickness_um * area;
            let drawn = lumen.min(MAX_FILM_SHARE_IN_LUMEN * film);
            let lumen_mg_ml = if lumen > 0.0 { concentration_mg_ml * drawn / lumen } else { 0.0 };
            InitialFill { film_um3: film - drawn, lumen_mg_ml }
        }
        Donor::Film { film_thickness_um, concentration_mg_ml, ref vehicle } => {
            // the lumen fluid is aqueous: it takes the film's dissolved activity (its
            // water-equivalent concentration), times the share of it the film fills, but never
            // more than the drawn volume carries (a vehicle the active prefers less than water,
            // K < 1, has a water-equivalent concentration above its own)
            let film = film_thickness_um * area;
            let drawn = lumen.min(MAX_FILM_SHARE_IN_LUMEN * film);
            let k = 10f64.powf(vehicle.log_k_vehicle);
            let dissolved = (concentration_mg_ml / k)
                .min(concentration_mg_ml)
                .min(vehicle.water_solubility_mg_ml.unwrap_or(f64::INFINITY));
            let lumen_mg_ml = if lumen > 0.0 { dissolved * drawn / lumen } else { 0.0 };
            InitialFill { film_um3: film - drawn, lumen_mg_ml }
        }
    }
}

/// The schedule of an evolving film ([`Donor::Film`]) whose volume after filling the lumen is
/// `film_um3` over the top area `area` (µm²), and the amount it holds (µm³·mg/mL) once the
/// lumen has taken `lumen_amount`.
pub(super) fn film_schedule(donor: &Donor, area: f64, film_um3: f64, lumen_amount: f64) -> Option<(FilmSchedule, f64)> {
    let Donor::Film { film_thickness_um, concentration_mg_ml, vehicle: v } = donor else { return None };
    let amount = (concentration_mg_ml * film_thickness_um * area - lumen_amount).max(0.0);
    let schedule = FilmSchedule {
        residue_um3: v.residue_fraction * film_um3,
        volatile_um3: (1.0 - v.residue_fraction) * film_um3,
        evaporation_um3_s: v.evaporation_um_per_h * area / 3600.0,
        log_k_vehicle: v.log_k_vehicle,
        log_k_residue: v.log_k_residue,
        water_solubility_mg_ml: v.water_solubility_mg_ml.unwrap_or(f64::INFINITY),
        trace_um3: TRACE_FILM_SHARE * film_thickness_um * area,
        dry_dissolution_per_s: v.dry_deposit_dissolution_per_h.map(|k| k / 3600.0),
    };
    Some((schedule, amount))
}
