//! The linear system of one implicit step and the preconditioned conjugate-gradient solver.
//!
//! One backward-Euler / BDF2 step solves `(s·Cap + A) u = rhs` with `s = α/Δt`. `A` holds the
//! face conductances, clearance `k·V·K`, and the donor / receptor couplings; `Cap = V·K`. The
//! matrix is symmetric positive definite as written (volume form), so CG applies without
//! further scaling. When the donor film is finite its well-mixed concentration is one more
//! unknown (slot [`crate::fv::DONOR_SLOT`]) coupled to every top cell, which keeps
//! the system symmetric and the donor–skin exchange exactly conservative.
//!
//! Convergence is measured in the capacity-weighted norm `‖r‖_w = (Σ r_i²/Cap_i)^½`, i.e. the
//! residual of the rate form `(s·I + Cap⁻¹A)`; on a uniform grid without partition this is
//! exactly SciPy's `‖r‖₂ ≤ rtol·‖b‖₂` criterion for `(I + Δt·A_rate)`.

use crate::fv::{DONOR_SLOT, FvOperator, Stencil};
use crate::mg::{MgParams, Multigrid};
use crate::par;

/// Preconditioner choice.
#[derive(Clone, Copy, Debug)]
pub enum Precond {
    /// Diagonal (Jacobi).
    Jacobi,
    /// Aggregation-multigrid V-cycle.
    Multigrid(MgParams),
}

/// Matrix and preconditioner of one step size.
pub struct StepSystem {
    /// The shift `s = α/Δt` this system was built for.
    pub shift: f64,
    diag: Vec<f64>,
    donor_diag: Option<f64>,
    mg: Option<Multigrid>,
}

/// Outcome of one CG solve.
#[derive(Clone, Copy, Debug, Default)]
pub struct CgStats {
    /// Iterations performed.
    pub iterations: usize,
    /// Final relative residual `‖r‖_w / ‖b‖_w`.
    pub rel_residual: f64,
    /// Whether the tolerance was met.
    pub converged: bool,
}

/// CG work vectors.
pub struct CgWork {
    r: Vec<f64>,
    z: Vec<f64>,
    p: Vec<f64>,
    q: Vec<f64>,
}

impl CgWork {
    /// Allocate for vectors of length `len`.
    pub fn new(len: usize) -> Self {
        CgWork { r: vec![0.0; len], z: vec![0.0; len], p: vec![0.0; len], q: vec![0.0; len] }
    }
}

impl StepSystem {
    /// Build `s·Cap + A` (with the donor unknown of capacity `donor_cap` if given).
    pub fn new(op: &FvOperator, shift: f64, donor_cap: Option<f64>, pre: Precond) -> Self {
        let diag = op.diagonal(shift);
        let donor_diag = donor_cap.map(|v| shift * v + par::sum(&op.gtop));
        let mut sys = StepSystem { shift, diag, donor_diag, mg: None };
        if let Precond::Multigrid(p) = pre {
            sys.mg = Some(Multigrid::new(sys.stencil(op), p));
        }
        sys
    }

    /// Diagonal of the system (padded).
    pub fn diag(&self) -> &[f64] {
        &self.diag
    }

    fn stencil<'a>(&'a self, op: &'a FvOperator) -> Stencil<'a> {
        Stencil { lay: op.layout, diag: &self.diag, gx: &op.gx, gy: &op.gy, gz: &op.gz }
    }

    /// `y = M x`.
    pub fn matvec(&self, op: &FvOperator, x: &[f64], y: &mut [f64]) {
        self.stencil(op).matvec(x, y);
        if let Some(dd) = self.donor_diag {
            let pad = op.layout.pad;
            let xd = x[DONOR_SLOT];
            let s = par::sum_by(op.gtop.len(), |j| op.gtop[j] * x[pad + j]);
            for (j, g) in op.gtop.iter().enumerate() {
                y[pad + j] -= g * xd;
            }
            y[DONOR_SLOT] = dd * xd - s;
        }
    }

    /// `y = M x`, returning `xᵀy` (fused when there is no donor unknown).
    pub fn matvec_dot(&self, op: &FvOperator, x: &[f64], y: &mut [f64]) -> f64 {
        if self.donor_diag.is_none() {
            self.stencil(op).matvec_dot(x, y)
        } else {
            self.matvec(op, x, y);
            par::dot(x, y)
        }
    }

    /// `z = B r`.
    pub fn precondition(&mut self, op: &FvOperator, r: &[f64], z: &mut Vec<f64>) {
        match self.mg.as_mut() {
            Some(mg) => {
                let st = Stencil { lay: op.layout, diag: &self.diag, gx: &op.gx, gy: &op.gy, gz: &op.gz };
                mg.apply(st, r, z);
            }
            None => {
                let d = &self.diag;
                par::zip3_mut(z, r, d, |v, rv, dv| *v = if dv != 0.0 { rv / dv } else { 0.0 });
            }
        }
        if let Some(dd) = self.donor_diag {
            z[DONOR_SLOT] = r[DONOR_SLOT] / dd;
        }
    }

    /// Number of multigrid levels (1 for Jacobi).
    pub fn levels(&self) -> usize {
        self.mg.as_ref().map_or(1, |m| m.num_levels())
    }
}

/// Preconditioned CG for `M x = b` from the initial guess in `x`.
/// Stops when `‖r‖_w ≤ rtol·‖b‖_w` (weights `w`, e.g. `1/Cap`) or after `max_iter` iterations.
#[allow(clippy::too_many_arguments)]
pub fn pcg(
    op: &FvOperator,
    sys: &mut StepSystem,
    b: &[f64],
    x: &mut [f64],
    w: &[f64],
    rtol: f64,
    max_iter: usize,
    work: &mut CgWork,
) -> CgStats {
    let CgWork { r, z, p, q } = work;
    let bnorm = par::wnorm2(b, w).sqrt();
    sys.matvec(op, x, r);
    par::zip_mut(r, b, |rv, bv| *rv = bv - *rv);
    let tol = rtol * bnorm;
    let mut rn = par::wnorm2(r, w).sqrt();
    if bnorm == 0.0 {
        x.fill(0.0);
        return CgStats { iterations: 0, rel_residual: 0.0, converged: true };
    }
    if rn <= tol {
        return CgStats { iterations: 0, rel_residual: rn / bnorm, converged: true };
    }
    sys.precondition(op, r, z);
    p.copy_from_slice(z);
    let mut rz = par::dot(r, z);
    let mut it = 0;
    while it < max_iter {
        it += 1;
        let pq = sys.matvec_dot(op, p, q);
        if pq.is_nan() || pq <= 0.0 {
            break;
        }
        let alpha = rz / pq;
        rn = par::cg_update(alpha, p, q, x, r, w).sqrt();
        if rn <= tol {
            break;
        }
        sys.precondition(op, r, z);
        let rz_new = par::dot(r, z);
        let beta = rz_new / rz;
        rz = rz_new;
        par::xpby(z, beta, p);
    }
    CgStats { iterations: it, rel_residual: rn / bnorm, converged: rn <= tol }
}
