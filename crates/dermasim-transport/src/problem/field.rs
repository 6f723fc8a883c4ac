//! The final 3-D concentration field of a patch (what the VTK export writes).

use super::materials::Setup;
use crate::sim::Simulation;

/// Tissue concentration in every cell of a 3-D [`Geometry::Patch`](crate::Geometry::Patch) grid at one time.
///
/// Kept at the final time only: one snapshot costs 4 bytes per cell (the solver itself needs
/// ~250), whereas a snapshot per output time would multiply that by the number of outputs.
/// Stored in single precision, the precision of the VTK export it feeds.
#[derive(Clone, Debug, PartialEq)]
pub struct ConcentrationField {
    /// Time of the snapshot (h).
    pub time_h: f64,
    /// Cells along x.
    pub nx: usize,
    /// Cells along y.
    pub ny: usize,
    /// Cells in depth.
    pub nz: usize,
    /// Cell size along x (µm, uniform: the lateral resolution asked for, the solver's cell
    /// size on the holes; where the solver's cells are larger, away from the holes, each equal
    /// cell takes the value of the solver cell holding its centre).
    pub dx_um: f64,
    /// Cell size along y (µm, uniform, as `dx_um`).
    pub dy_um: f64,
    /// Depth of the `nz + 1` cell faces from the surface (µm, increasing, non-uniform).
    pub z_faces_um: Vec<f64>,
    /// Concentration `C = K·u` per cell (mg/mL): the tissue concentration, or the fluid's in the
    /// channel lumen (K = 1). Index `(k·ny + j)·nx + i` (x fastest, then y, then depth).
    pub concentration_mg_ml: Vec<f32>,
}

impl ConcentrationField {
    /// Concentration of cell `(i, j, k)` (mg/mL).
    pub fn at(&self, i: usize, j: usize, k: usize) -> f32 {
        self.concentration_mg_ml[(k * self.ny + j) * self.nx + i]
    }

    /// Depth of the centre of plane `k` (µm).
    pub fn z_centre_um(&self, k: usize) -> f64 {
        0.5 * (self.z_faces_um[k] + self.z_faces_um[k + 1])
    }
}

/// Equal cells of at most `h` over the extent of `faces`: their size and, per equal cell, the
/// index of the cell of `faces` holding its centre.
pub(super) fn uniform_cells(faces: &[f64], h: f64) -> (f64, Vec<usize>) {
    let extent = faces[faces.len() - 1] - faces[0];
    // the same count as the solver's equal cells of at most h (`split`)
    let n = ((extent / h).ceil() as usize).max(1);
    let size = extent / n as f64;
    let owner = (0..n)
        .map(|i| {
            let x = faces[0] + (i as f64 + 0.5) * size;
            faces.partition_point(|&f| f <= x).clamp(1, faces.len() - 1) - 1
        })
        .collect();
    (size, owner)
}

/// The concentration `C = K·u` at the simulation's current time, with the partition
/// coefficient recovered from the capacity `Cap = V·K`, on equal lateral cells of the lateral
/// size asked for (each takes the value of the solver cell holding its centre).
pub(super) fn field(sim: &Simulation, s: &Setup) -> ConcentrationField {
    let lay = sim.op.layout;
    let conc = |i: usize, j: usize, k: usize| {
        let c = k * lay.sxy + j * lay.nx + i;
        let volume = s.grid.column_area(i, j) * (s.grid.zf[k + 1] - s.grid.zf[k]);
        (sim.op.cap[lay.pad + c] / volume * sim.u[lay.pad + c]) as f32
    };
    let (dx_um, xi) = uniform_cells(&s.grid.xf, s.lateral_um);
    let (dy_um, yj) = uniform_cells(&s.grid.yf, s.lateral_um);
    let mut concentration_mg_ml = Vec::with_capacity(xi.len() * yj.len() * lay.nz);
    for k in 0..lay.nz {
        for &j in &yj {
            concentration_mg_ml.extend(xi.iter().map(|&i| conc(i, j, k)));
        }
    }
    ConcentrationField {
        time_h: sim.t / 3600.0,
        nx: xi.len(),
        ny: yj.len(),
        nz: lay.nz,
        dx_um,
        dy_um,
        z_faces_um: s.grid.zf.clone(),
        concentration_mg_ml,
    }
}
