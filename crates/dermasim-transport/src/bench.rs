//! The shared skin-channel benchmark (`shared/bench/problem.py`) on the generic FV operator.
//!
//! Compiled for the crate's tests and with the `bench` feature (the `transport-bench` driver,
//! `scripts/bench-transport`): [`implicit`] and [`explicit`] run and time the two benchmark
//! modes; the problem and its setup stay inside the crate.
//!
//! 640 × 640 × 1280 µm; SC (D = 0.01) for z_c < 15 µm, VE (D = 10) for z_c < 95 µm, dermis
//! (D = 100, k = 5e-4 /s) below; four channels (r = 25 µm, depth 500 µm, D = 500, C₀ = 1) at
//! (160|480, 160|480); top Dirichlet C = 1 and bottom C = 0 through half-cell conductances,
//! sides closed; harmonic-mean face conductances with plain D (K = 1 everywhere).

use std::time::Instant;

use crate::fv::{BottomBc, Coord, FvOperator, Grid, Materials};
use crate::solver::Precond;

/// Domain size (µm), from `problem.py`.
pub const L: [f64; 3] = [640.0, 640.0, 1280.0];

/// The benchmark problem on an `nx × ny × nz` grid: (grid, materials, initial field, channel cells).
pub(crate) fn problem(nx: usize, ny: usize, nz: usize) -> (Grid, Materials, Vec<f64>, usize) {
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
pub(crate) fn operator(nx: usize, ny: usize, nz: usize) -> (Grid, FvOperator, Vec<f64>, usize) {
    let (g, m, c0, nch) = problem(nx, ny, nz);
    let op = FvOperator::build(&g, &m, BottomBc::Sink);
    (g, op, c0, nch)
}

/// Reference checksums computed once on this problem (`sum=` of the final field).
pub mod reference {
    /// `bench_scipy_implicit.py small --dt 10 --steps 5` (SciPy 1.17.1, Jacobi-CG, rtol 1e-8).
    pub const SCIPY_IMPLICIT_SMALL_DT10_5: f64 = 2288.910126;
    /// `stencil faces 64 64 64 100` (gcc -O3 -march=native -fopenmp).
    pub const C_EXPLICIT_SMALL_100: f64 = 1631.600669;
}

/// Explicit (forward Euler) benchmark state: rate-form coefficients scaled by Δt.
pub(crate) struct Explicit {
    /// Layout.
    pub(crate) lay: crate::fv::Layout,
    diag: Vec<f64>,
    gx: Vec<f64>,
    gy: Vec<f64>,
    gz: Vec<f64>,
    src: Vec<f64>,
    /// Initial field (padded).
    pub(crate) c0: Vec<f64>,
    /// Step (s): 0.95 / max diagonal rate, as `problem.py`.
    pub(crate) dt: f64,
}

impl Explicit {
    /// Set up the explicit step on an `nx × ny × nz` grid.
    pub(crate) fn new(nx: usize, ny: usize, nz: usize) -> Self {
        let (g, op, c0n, _) = operator(nx, ny, nz);
        let lay = op.layout;
        let v = g.column_area(0, 0) * (g.zf[1] - g.zf[0]); // uniform cells
        let d = op.diagonal(0.0);
        let dmax = d.iter().fold(0.0f64, |m, &x| m.max(x)) / v;
        let dt = 0.95 / dmax;
        let s = dt / v;
        // C⁺ = (1 − Δt d) C + Δt Σ a C_nb (+ Δt a_top C_top): the stencil with negated couplings
        let diag = d.iter().map(|&x| if x != 0.0 { 1.0 - s * x } else { 0.0 }).collect();
        let gx = op.gx.iter().map(|&x| -s * x).collect();
        let gy = op.gy.iter().map(|&x| -s * x).collect();
        let gz = op.gz.iter().map(|&x| -s * x).collect();
        let src = op.gtop.iter().map(|&x| s * x).collect();
        let mut c0 = lay.zeros();
        c0[lay.interior()].copy_from_slice(&c0n);
        Explicit { lay, diag, gx, gy, gz, src, c0, dt }
    }

    /// One forward-Euler step `c → cn`.
    pub(crate) fn step(&self, c: &[f64], cn: &mut [f64]) {
        let st = crate::fv::Stencil { lay: self.lay, diag: &self.diag, gx: &self.gx, gy: &self.gy, gz: &self.gz };
        st.matvec(c, cn);
        for (j, sv) in self.src.iter().enumerate() {
            cn[self.lay.pad + j] += sv;
        }
    }

    /// Run `steps` steps from the initial field; returns the final field (padded).
    #[cfg(test)]
    pub(crate) fn run(&self, steps: usize) -> Vec<f64> {
        let mut c = self.c0.clone();
        let mut cn = self.lay.zeros();
        for _ in 0..steps {
            self.step(&c, &mut cn);
            std::mem::swap(&mut c, &mut cn);
        }
        c
    }
}

/// Backward-Euler benchmark run (infinite donor C = 1, fixed Δt, warm start); returns the
/// simulation after `steps` steps and the CG iterations of each step.
#[cfg(test)]
pub(crate) fn run_implicit(
    nx: usize,
    ny: usize,
    nz: usize,
    dt: f64,
    steps: usize,
    rtol: f64,
    precond: Precond,
) -> (crate::sim::Simulation, Vec<usize>) {
    let mut sim = setup_implicit(nx, ny, nz, dt, rtol, precond, false);
    let its = (0..steps).map(|_| sim.step(dt).iterations).collect();
    (sim, its)
}

/// Assemble the backward-Euler benchmark simulation (no step taken yet).
pub(crate) fn setup_implicit(
    nx: usize,
    ny: usize,
    nz: usize,
    dt: f64,
    rtol: f64,
    precond: Precond,
    extrapolate: bool,
) -> crate::sim::Simulation {
    use crate::sim::{DonorState, Scheme, Simulation, StepControl};
    let (g, op, c0, _) = operator(nx, ny, nz);
    let control = StepControl {
        dt_initial_s: dt,
        growth: 1.0,
        dt_max_s: dt,
        max_ratio: 1.0,
        rtol,
        max_iter: 10_000,
        scheme: Scheme::BackwardEuler,
        precond,
        time_tol: None,
        extrapolate,
        galerkin_guess: false,
    };
    Simulation::with_operator(g, op, DonorState::Infinite { u: 1.0 }, 0.0, &c0, control)
}

/// The settings of an implicit (backward-Euler) benchmark run.
#[derive(Clone, Copy, Debug)]
pub struct ImplicitSettings {
    /// Cells along x, y, z.
    pub grid: (usize, usize, usize),
    /// Fixed step, s.
    pub dt_s: f64,
    /// Steps timed.
    pub steps: usize,
    /// CG tolerance.
    pub rtol: f64,
    /// Preconditioner.
    pub precond: Precond,
    /// Start CG from the linear extrapolation of the last two states.
    pub extrapolate: bool,
    /// Diagnostic variant: D = 100 everywhere (no layers, no channels).
    pub uniform: bool,
}

/// What an implicit benchmark run measured.
#[derive(Clone, Debug)]
pub struct ImplicitRun {
    /// Real cells.
    pub cells: usize,
    /// Wall time of the assembly (operator, simulation), s.
    pub assemble_s: f64,
    /// Wall time of the timed steps, s.
    pub time_s: f64,
    /// CG iterations of each step.
    pub iterations: Vec<usize>,
    /// Multigrid levels (1 = Jacobi).
    pub levels: usize,
    /// Checksum: the sum of the final field (the reference scripts' `sum=`).
    pub sum: f64,
    /// Largest final relative residual of any step.
    pub worst_rel_residual: f64,
}

/// Assemble and run the implicit benchmark, timing the assembly and the steps separately.
pub fn implicit(s: &ImplicitSettings) -> ImplicitRun {
    let (nx, ny, nz) = s.grid;
    let ta = Instant::now();
    let mut sim = setup_implicit(nx, ny, nz, s.dt_s, s.rtol, s.precond, s.extrapolate);
    if s.uniform {
        let (g, mut m, c0, _) = problem(nx, ny, nz);
        m.kd.iter_mut().for_each(|v| *v = 100.0);
        let op = FvOperator::build(&g, &m, BottomBc::Sink);
        sim = crate::sim::Simulation::with_operator(
            g,
            op,
            crate::sim::DonorState::Infinite { u: 1.0 },
            0.0,
            &c0,
            sim.control,
        );
    }
    let assemble_s = ta.elapsed().as_secs_f64();
    let t0 = Instant::now();
    let iterations: Vec<usize> = (0..s.steps).map(|_| sim.step(s.dt_s).iterations).collect();
    let time_s = t0.elapsed().as_secs_f64();
    let lay = sim.op.layout;
    ImplicitRun {
        cells: lay.n,
        assemble_s,
        time_s,
        iterations,
        levels: sim.levels(),
        sum: crate::par::sum(&sim.u[lay.interior()]),
        worst_rel_residual: sim.worst_residual,
    }
}

/// What an explicit benchmark run measured.
#[derive(Clone, Debug)]
pub struct ExplicitRun {
    /// Real cells.
    pub cells: usize,
    /// Wall time of the timed steps, s.
    pub time_s: f64,
    /// The stable step, s.
    pub dt_s: f64,
    /// Checksum: the sum of the final field.
    pub sum: f64,
    /// Largest final cell value.
    pub max: f64,
    /// Smallest final cell value.
    pub min: f64,
}

/// Run `steps` forward-Euler steps of the benchmark after one untimed warm-up step (as
/// `stencil.c` does), timing the steps.
pub fn explicit(grid: (usize, usize, usize), steps: usize) -> ExplicitRun {
    let (nx, ny, nz) = grid;
    let e = Explicit::new(nx, ny, nz);
    let lay = e.lay;
    let mut c = e.c0.clone();
    let mut cn = lay.zeros();
    e.step(&c, &mut cn);
    c.copy_from_slice(&e.c0);
    let t0 = Instant::now();
    for _ in 0..steps {
        e.step(&c, &mut cn);
        std::mem::swap(&mut c, &mut cn);
    }
    let time_s = t0.elapsed().as_secs_f64();
    let sum = crate::par::sum(&c[lay.interior()]);
    let (max, min) = c[lay.interior()].iter().fold((f64::MIN, f64::MAX), |(a, b), &x| (a.max(x), b.min(x)));
    ExplicitRun { cells: lay.n, time_s, dt_s: e.dt, sum, max, min }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_small_matches_c_checksum() {
        let e = Explicit::new(64, 64, 64);
        let c = e.run(100);
        let sum = crate::par::sum(&c);
        // tolerance 1e-9 relative (the C value is printed with 10 significant digits)
        let r = reference::C_EXPLICIT_SMALL_100;
        assert!((sum - r).abs() / r < 1e-9, "sum {sum} vs C {r}");
    }

    #[test]
    fn implicit_small_matches_scipy_checksum() {
        let (sim, its) = run_implicit(64, 64, 64, 10.0, 5, 1e-8, Precond::Multigrid(Default::default()));
        let sum = crate::par::sum(&sim.u[sim.op.layout.interior()]);
        // tolerance 1e-6 relative: both solvers stop at rtol 1e-8 on different iterates
        let r = reference::SCIPY_IMPLICIT_SMALL_DT10_5;
        assert!((sum - r).abs() / r < 1e-6, "sum {sum} vs SciPy {r}");
        assert!(its.iter().all(|&i| i > 0 && i < 100));
        // and Jacobi-CG follows SciPy's iterates closely (same algorithm)
        let (sj, _) = run_implicit(64, 64, 64, 10.0, 5, 1e-8, Precond::Jacobi);
        let s2 = crate::par::sum(&sj.u[sj.op.layout.interior()]);
        assert!((s2 - r).abs() / r < 1e-9, "Jacobi sum {s2} vs SciPy {r}");
    }
}
