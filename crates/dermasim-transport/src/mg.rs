//! Geometric (aggregation) multigrid V-cycle used as the CG preconditioner.
//!
//! Coarsening merges 2×2×2 blocks of cells (2 along every axis with more than one cell; a
//! trailing odd cell forms its own aggregate). The coarse operator is the Galerkin product
//! `Pᵀ M P` with piecewise-constant `P`, which for a 7-point stencil is again a 7-point
//! stencil: coarse face couplings are sums of the fine face conductances crossing the coarse
//! face, and the coarse diagonal is the aggregate's summed diagonal minus twice its internal
//! couplings (so capacity, clearance and boundary couplings are conserved exactly).
//! Smoother: damped Jacobi, the same number of sweeps before and after the coarse correction,
//! and a dense Cholesky solve on the coarsest level, so the V-cycle is a fixed symmetric
//! positive-definite linear operator — a valid CG preconditioner. Every kernel writes each
//! output element from a fixed formula, so the result does not depend on the thread count.

use crate::fv::{Layout, Stencil};
use crate::par;

/// Multigrid parameters (all numerical choices).
#[derive(Clone, Copy, Debug)]
pub struct MgParams {
    /// Jacobi damping ω (0.8: safe for diagonally dominant M, near-optimal for 3-D smoothing).
    pub omega: f64,
    /// Jacobi sweeps before and after the coarse correction.
    pub sweeps: usize,
    /// Scaling of the coarse-grid correction (>1 compensates the weak piecewise-constant
    /// interpolation; must stay < 2 for a positive-definite cycle).
    pub coarse_scale: f64,
    /// Coarsen until at most this many cells remain, then solve densely.
    pub coarse_max: usize,
}

impl Default for MgParams {
    fn default() -> Self {
        MgParams { omega: 0.8, sweeps: 1, coarse_scale: 1.0, coarse_max: 400 }
    }
}

struct Level {
    lay: Layout,
    diag: Vec<f64>,
    gx: Vec<f64>,
    gy: Vec<f64>,
    gz: Vec<f64>,
    // work vectors
    b: Vec<f64>,
    x: Vec<f64>,
    t: Vec<f64>,
    r: Vec<f64>,
}

impl Level {
    fn stencil(&self) -> Stencil<'_> {
        Stencil { lay: self.lay, diag: &self.diag, gx: &self.gx, gy: &self.gy, gz: &self.gz }
    }
}

/// Multigrid hierarchy below a given fine stencil.
pub struct Multigrid {
    params: MgParams,
    fine_lay: Layout,
    levels: Vec<Level>,
    coarse_chol: Vec<f64>,
    coarse_n: usize,
    // fine-level work vectors
    res: Vec<f64>,
    tmp: Vec<f64>,
}

fn coarse_dim(n: usize) -> usize {
    if n > 1 { n.div_ceil(2) } else { 1 }
}

fn galerkin(f: Stencil<'_>) -> Level {
    let fl = f.lay;
    let cl = Layout::new(coarse_dim(fl.nx), coarse_dim(fl.ny), coarse_dim(fl.nz));
    let mut diag = cl.zeros();
    let mut gx = cl.zeros();
    let mut gy = cl.zeros();
    let mut gz = cl.zeros();
    let cx = |i: usize| if fl.nx > 1 { i / 2 } else { 0 };
    let cy = |j: usize| if fl.ny > 1 { j / 2 } else { 0 };
    let cz = |k: usize| if fl.nz > 1 { k / 2 } else { 0 };
    for k in 0..fl.nz {
        for j in 0..fl.ny {
            for i in 0..fl.nx {
                let p = fl.idx(i, j, k);
                let c = cl.idx(cx(i), cy(j), cz(k));
                diag[c] += f.diag[p];
                if i + 1 < fl.nx {
                    if cx(i + 1) == cx(i) {
                        diag[c] -= 2.0 * f.gx[p];
                    } else {
                        gx[c] += f.gx[p];
                    }
                }
                if j + 1 < fl.ny {
                    if cy(j + 1) == cy(j) {
                        diag[c] -= 2.0 * f.gy[p];
                    } else {
                        gy[c] += f.gy[p];
                    }
                }
                if k + 1 < fl.nz {
                    if cz(k + 1) == cz(k) {
                        diag[c] -= 2.0 * f.gz[p];
                    } else {
                        gz[c] += f.gz[p];
                    }
                }
            }
        }
    }
    Level { lay: cl, diag, gx, gy, gz, b: cl.zeros(), x: cl.zeros(), t: cl.zeros(), r: cl.zeros() }
}

/// Restrict (sum over aggregates) the fine residual `r` into the coarse vector `b`.
fn restrict(fl: Layout, cl: Layout, r: &[f64], b: &mut [f64]) {
    let (sx, sy, sz) = (fl.nx > 1, fl.ny > 1, fl.nz > 1);
    let f = |c: usize, v: &mut f64| {
        if c < cl.pad || c >= cl.pad + cl.n {
            *v = 0.0;
            return;
        }
        let q = c - cl.pad;
        let (ci, cj, ck) = (q % cl.nx, (q / cl.nx) % cl.ny, q / cl.sxy);
        let (i0, i1) = if sx { (2 * ci, (2 * ci + 2).min(fl.nx)) } else { (0, 1) };
        let (j0, j1) = if sy { (2 * cj, (2 * cj + 2).min(fl.ny)) } else { (0, 1) };
        let (k0, k1) = if sz { (2 * ck, (2 * ck + 2).min(fl.nz)) } else { (0, 1) };
        let mut s = 0.0;
        for k in k0..k1 {
            for j in j0..j1 {
                for i in i0..i1 {
                    s += r[fl.idx(i, j, k)];
                }
            }
        }
        *v = s;
    };
    par::for_each_mut(b, f);
}

/// `x += s · P xc` (piecewise-constant prolongation).
fn prolong_add(fl: Layout, cl: Layout, s: f64, xc: &[f64], x: &mut [f64]) {
    let (sx, sy, sz) = (fl.nx > 1, fl.ny > 1, fl.nz > 1);
    let f = |p: usize, v: &mut f64| {
        if p < fl.pad || p >= fl.pad + fl.n {
            return;
        }
        let q = p - fl.pad;
        let (i, j, k) = (q % fl.nx, (q / fl.nx) % fl.ny, q / fl.sxy);
        let c = cl.idx(if sx { i / 2 } else { 0 }, if sy { j / 2 } else { 0 }, if sz { k / 2 } else { 0 });
        *v += s * xc[c];
    };
    par::for_each_mut(x, f);
}

impl Multigrid {
    /// Build the hierarchy below the fine stencil `fine`.
    pub fn new(fine: Stencil<'_>, params: MgParams) -> Self {
        let mut levels: Vec<Level> = Vec::new();
        loop {
            let cur = levels.last().map(|l| l.stencil()).unwrap_or(fine);
            let l = cur.lay;
            if l.n <= params.coarse_max || (l.nx == 1 && l.ny == 1 && l.nz == 1) {
                break;
            }
            let next = galerkin(cur);
            levels.push(next);
        }
        let coarsest = levels.last().map(|l| l.stencil()).unwrap_or(fine);
        let (coarse_chol, coarse_n) = dense_cholesky(coarsest);
        Multigrid {
            params,
            fine_lay: fine.lay,
            levels,
            coarse_chol,
            coarse_n,
            res: fine.lay.zeros(),
            tmp: fine.lay.zeros(),
        }
    }

    /// Number of levels including the fine one.
    pub fn num_levels(&self) -> usize {
        self.levels.len() + 1
    }

    /// `z = B r`, one V-cycle from a zero initial guess (padding of z zeroed; the donor slot
    /// is not touched — the caller preconditions it).
    pub fn apply(&mut self, fine: Stencil<'_>, r: &[f64], z: &mut [f64]) {
        debug_assert_eq!(fine.lay, self.fine_lay);
        let p = self.params;
        if self.levels.is_empty() {
            let mut b = r.to_vec();
            b[crate::fv::DONOR_SLOT] = 0.0;
            chol_solve(&self.coarse_chol, self.coarse_n, fine.lay, &b, z);
            return;
        }
        let (levels, res, tmp) = (&mut self.levels, &mut self.res, &mut self.tmp);
        cycle_level(fine, r, z, res, tmp, levels, &self.coarse_chol, self.coarse_n, p);
    }
}

/// Smoothing + correction on one level. `b` right-hand side; result in `x`.
#[allow(clippy::too_many_arguments)]
fn cycle_level(
    st: Stencil<'_>,
    b: &[f64],
    x: &mut [f64],
    res: &mut [f64],
    tmp: &mut [f64],
    below: &mut [Level],
    chol: &[f64],
    cn: usize,
    p: MgParams,
) {
    let lay = st.lay;
    let d = st.diag;
    let om = p.omega;
    // first pre-sweep from zero: x = ω D⁻¹ b
    par::for_each_mut(x, |i, v| {
        *v = if i >= lay.pad && i < lay.pad + lay.n { om * b[i] / d[i] } else { 0.0 };
    });
    for _ in 1..p.sweeps {
        jacobi(st, b, x, tmp, om);
    }
    // residual
    st.apply_with(x, res, |i, ax| b[i] - ax);
    let (lev, rest) = below.split_first_mut().expect("at least one coarse level");
    restrict(lay, lev.lay, res, &mut lev.b);
    {
        let Level { lay: cl, diag, gx, gy, gz, b: cb, x: cx, t: ct, r: cr } = lev;
        let cst = Stencil { lay: *cl, diag, gx, gy, gz };
        if rest.is_empty() {
            chol_solve(chol, cn, *cl, cb, cx);
        } else {
            cycle_level(cst, cb, cx, cr, ct, rest, chol, cn, p);
        }
    }
    prolong_add(lay, lev.lay, p.coarse_scale, &lev.x, x);
    for _ in 0..p.sweeps {
        jacobi(st, b, x, tmp, om);
    }
}

/// One damped Jacobi sweep `x ← x + ω D⁻¹ (b − M x)` (out of place through `tmp`).
fn jacobi(st: Stencil<'_>, b: &[f64], x: &mut [f64], tmp: &mut [f64], om: f64) {
    let d = st.diag;
    {
        let xr: &[f64] = x;
        st.apply_with(xr, tmp, |i, ax| xr[i] + om * (b[i] - ax) / d[i]);
    }
    x.copy_from_slice(tmp);
}

fn dense_cholesky(st: Stencil<'_>) -> (Vec<f64>, usize) {
    let lay = st.lay;
    let n = lay.n;
    let mut a = vec![0.0; n * n];
    for q in 0..n {
        let p = q + lay.pad;
        a[q * n + q] = st.diag[p];
        let (i, j, k) = (q % lay.nx, (q / lay.nx) % lay.ny, q / lay.sxy);
        if i + 1 < lay.nx {
            a[q * n + q + 1] = -st.gx[p];
            a[(q + 1) * n + q] = -st.gx[p];
        }
        if j + 1 < lay.ny {
            a[q * n + q + lay.nx] = -st.gy[p];
            a[(q + lay.nx) * n + q] = -st.gy[p];
        }
        if k + 1 < lay.nz {
            a[q * n + q + lay.sxy] = -st.gz[p];
            a[(q + lay.sxy) * n + q] = -st.gz[p];
        }
    }
    // in-place lower Cholesky
    for j in 0..n {
        let mut s = a[j * n + j];
        for k in 0..j {
            s -= a[j * n + k] * a[j * n + k];
        }
        let l = if s > 0.0 { s.sqrt() } else { f64::MIN_POSITIVE.sqrt() };
        a[j * n + j] = l;
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = s / l;
        }
    }
    (a, n)
}

fn chol_solve(l: &[f64], n: usize, lay: Layout, b: &[f64], x: &mut [f64]) {
    let mut y: Vec<f64> = (0..n).map(|q| b[q + lay.pad]).collect();
    for i in 0..n {
        let mut s = y[i];
        for k in 0..i {
            s -= l[i * n + k] * y[k];
        }
        y[i] = s / l[i * n + i];
    }
    for i in (0..n).rev() {
        let mut s = y[i];
        for k in i + 1..n {
            s -= l[k * n + i] * y[k];
        }
        y[i] = s / l[i * n + i];
    }
    x.fill(0.0);
    for q in 0..n {
        x[q + lay.pad] = y[q];
    }
}
