//! The shared skin-channel benchmark (`shared/bench/problem.py`) on the generic FV operator.
//!
//! 640 × 640 × 1280 µm; SC (D = 0.01) for z_c < 15 µm, VE (D = 10) for z_c < 95 µm, dermis
//! (D = 100, k = 5e-4 /s) below; four channels (r = 25 µm, depth 500 µm, D = 500, C₀ = 1) at
//! (160|480, 160|480); top Dirichlet C = 1 and bottom C = 0 through half-cell conductances,
//! sides closed; harmonic-mean face conductances with plain D (K = 1 everywhere).

use crate::fv::{BottomBc, Coord, FvOperator, Grid, Materials};

/// Domain size (µm), from `problem.py`.
pub const L: [f64; 3] = [640.0, 640.0, 1280.0];

/// The benchmark problem on an `nx × ny × nz` grid: (grid, materials, initial field, channel cells).
pub fn problem(nx: usize, ny: usize, nz: usize) -> (Grid, Materials, Vec<f64>, usize) {
    let (d_sc, d_ve, d_derm, d_ch) = (1e-2, 10.0, 100.0, 500.0);
    let k_derm = 5e-4;
    let (z_sc, z_ve) = (15.0, 95.0);
    let (ch_r, ch_depth) = (25.0, 500.0);
    let centres = [(160.0, 160.0), (160.0, 480.0), (480.0, 160.0), (480.0, 480.0)];
    let (dx, dy, dz) = (L[0] / nx as f64, L[1] / ny as f64, L[2] / nz as f64);
    let grid = Grid {
        coord: Coord::Cartesian,
        xf: (0..=nx).map(|i| i as f64 * dx).collect(),
        yf: (0..=ny).map(|j| j as f64 * dy).collect(),
        zf: (0..=nz).map(|k| k as f64 * dz).collect(),
    };
    let n = nx * ny * nz;
    let mut kd = vec![0.0; n];
    let mut k = vec![0.0; n];
    let mut c0 = vec![0.0; n];
    let mut nch = 0;
    for kk in 0..nz {
        let zc = (kk as f64 + 0.5) * dz;
        for j in 0..ny {
            let yc = (j as f64 + 0.5) * dy;
            for i in 0..nx {
                let xc = (i as f64 + 0.5) * dx;
                let c = kk * nx * ny + j * nx + i;
                let (mut d, mut kc) = if zc < z_sc {
                    (d_sc, 0.0)
                } else if zc < z_ve {
                    (d_ve, 0.0)
                } else {
                    (d_derm, k_derm)
                };
                let ch = zc < ch_depth
                    && centres.iter().any(|&(cx, cy)| (xc - cx) * (xc - cx) + (yc - cy) * (yc - cy) <= ch_r * ch_r);
                if ch {
                    d = d_ch;
                    kc = 0.0;
                    c0[c] = 1.0;
                    nch += 1;
                }
                kd[c] = d;
                k[c] = kc;
            }
        }
    }
    (grid, Materials { kd, partition: vec![1.0; n], clearance: k }, c0, nch)
}

/// Assemble the benchmark operator (sink bottom).
pub fn operator(nx: usize, ny: usize, nz: usize) -> (Grid, FvOperator, Vec<f64>, usize) {
    let (g, m, c0, nch) = problem(nx, ny, nz);
    let op = FvOperator::build(&g, &m, BottomBc::Sink);
    (g, op, c0, nch)
}
