//! The linear system of one implicit step and the preconditioned conjugate-gradient solver.
//!
//! One BDF step solves `(s·Cap + A) u = rhs` with `s = c_0`, the BDF coefficient of the new
//! state (`1/Δt` for backward Euler). `A` holds the face conductances, clearance `k·V·K`, and the donor / receptor couplings; `Cap = V·K`. The
//! matrix is symmetric positive definite as written (volume form), so CG applies without
//! further scaling. When the donor film is finite its well-mixed concentration is one more
//! unknown (slot [`crate::fv::DONOR_SLOT`]) coupled to every top cell, which keeps
//! the system symmetric and the donor–skin exchange exactly conservative.
//!
//! Convergence is measured in the capacity-weighted norm `‖r‖_w = (Σ r_i²/Cap_i)^½`, i.e. the
//! residual of the rate form `(s·I + Cap⁻¹A)`; on a uniform grid without partition this is
//! exactly SciPy's `‖r‖₂ ≤ rtol·‖b‖₂` criterion for `(I + Δt·A_rate)`.

use crate::fv::{DONOR_SLOT, FvOperator, Stencil};
use crate::mg::{LARGE_GRID_CELLS, MgParams, Multigrid};
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
///
/// The multigrid hierarchy is the expensive part to build; [`StepSystem::update`] moves the
/// matrix to a new shift (or to an operator whose conductances changed) and keeps the
/// hierarchy built for [`StepSystem::mg_shift`] as the preconditioner. A V-cycle whose fine
/// level smooths with the current diagonal and whose coarse levels belong to a nearby matrix is
/// still a fixed symmetric positive-definite operator, so CG stays valid; only its iteration
/// count depends on how far the matrix has moved (the caller decides when to rebuild).
pub struct StepSystem {
    /// The shift `s = c_0` of the current matrix.
    pub shift: f64,
    diag: Vec<f64>,
    donor_cap: Option<f64>,
    donor_diag: Option<f64>,
    mg: Option<Multigrid>,
    mg_shift: f64,
    /// The finite film's coupling in the multigrid preconditioner (see
    /// [`StepSystem::precondition`]): `v ≈ M_s⁻¹c` for the film–skin couplings `c`, and
    /// `cᵀB_s d₀`; computed at the first use after the hierarchy was built.
    donor_schur: Option<(Vec<f64>, f64)>,
    /// `1ᵀ M e`, with `e` = 1 on every real cell (and on the donor unknown when there is one):
    /// the total of the row sums, used by [`StepSystem::conserve`].
    ones_image: f64,
    /// `Σ Cap` and `Σ k·Cap` of the operator (capacities and clearance never change after
    /// assembly, only conductances do).
    sum_cap: f64,
    sum_kcap: f64,
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
        let mut sys = StepSystem {
            shift,
            diag: op.layout.zeros(),
            donor_cap,
            donor_diag: None,
            mg: None,
            mg_shift: shift,
            donor_schur: None,
            ones_image: 0.0,
            sum_cap: par::sum(&op.cap),
            sum_kcap: par::sum(&op.kcap),
        };
        sys.update(op, shift);
        if let Precond::Multigrid(p) = pre {
            sys.mg = Some(Multigrid::new(sys.stencil(op), p));
        }
        sys
    }

    /// Move the matrix to the shift `shift` and to the current conductances of `op` (same
    /// layout and capacities), without allocating; the multigrid hierarchy is kept.
    pub fn update(&mut self, op: &FvOperator, shift: f64) {
        self.shift = shift;
        op.diagonal_into(shift, &mut self.diag);
        if let Some(mg) = self.mg.as_mut() {
            mg.refresh_fine(Stencil { lay: op.layout, diag: &self.diag, gx: &op.gx, gy: &op.gy, gz: &op.gz });
        }
        let gtop = par::sum(&op.gtop);
        self.donor_diag = self.donor_cap.map(|v| shift * v + gtop);
        // row sums: face couplings cancel; the finite film's couplings cancel against its row
        let base = shift * self.sum_cap + self.sum_kcap + par::sum(&op.gbot);
        self.ones_image = match self.donor_cap {
            Some(v) => base + shift * v,
            None => base + gtop,
        };
    }

    /// Give the finite film a new capacity `v` (an evaporating or saturated film,
    /// [`crate::sim::FilmSchedule`]): the film's diagonal and the row-sum total follow; the
    /// preconditioner's film coupling does not depend on it. No effect without a film unknown.
    pub fn set_donor_cap(&mut self, v: f64) {
        let Some(old) = self.donor_cap else { return };
        if old == v {
            return;
        }
        self.donor_cap = Some(v);
        if let Some(dd) = self.donor_diag.as_mut() {
            *dd += self.shift * (v - old);
        }
        self.ones_image += self.shift * (v - old);
    }

    /// The shift the multigrid hierarchy was built for.
    pub fn mg_shift(&self) -> f64 {
        self.mg_shift
    }

    /// Conservation projection: shift the iterate `x` by a constant `γ` (on the real cells and
    /// the donor unknown) so that the *true* residual `r = b − M x` sums to zero, and return
    /// `γ`.
    ///
    /// Why this makes the discrete mass balance exact: summing the rows of `M x = b` (the
    /// donor row included) gives the step's mass budget. The face couplings cancel in pairs
    /// (and so do the donor–skin couplings of a finite film), so
    /// `1ᵀ M x = s·(Σ Cap u + V_d u_d) + f_out − f_in(x-part)` with `s = c_0`, `f_out` the
    /// clearance and receptor outflow rates and the infinite-donor coupling `Σ g_top u_top`,
    /// while `1ᵀ b = (Σ Cap (a₁uⁿ − a₂uⁿ⁻¹) + V_d(…))/Δt + Σ g_top u_d`. The simulation books
    /// the outflows and the inflow with the same recurrence, `α Fⁿ⁺¹ = a₁ Fⁿ − a₂ Fⁿ⁻¹ + Δt f`,
    /// so the total `T = mass + outflows − inflow` obeys `α Tⁿ⁺¹ = a₁ Tⁿ − a₂ Tⁿ⁻¹ + Δt·Σ r_i`.
    /// The weights of the conservation sum are therefore all ones, and `Σ r_i = 0` makes `T`
    /// constant up to round-off (`a₁ − a₂ = α`), whatever the CG tolerance. The constant
    /// vector is the correction of least energy (`δᵀMδ` minimal subject to `1ᵀMδ = Σ r`), and
    /// `|γ| ≤ ‖r‖_w / (s √ΣCap)`, so the per-cell error stays at the CG tolerance.
    ///
    /// `Σ r_i` is formed without a matrix–vector product: `M` is symmetric, so
    /// `1ᵀ M x = (M 1)ᵀ x`, and `M 1` is the row-sum vector `s·Cap + k·Cap`, plus `g_bottom`
    /// on the bottom plane, `g_top` on the top plane for a fixed donor, and `s·V_film` on the
    /// film's unknown, exactly the terms the bookkeeping sums.
    pub fn conserve(&self, op: &FvOperator, b: &[f64], x: &mut [f64]) -> f64 {
        let lay = op.layout;
        let (s, cap, kcap) = (self.shift, &op.cap, &op.kcap);
        let body = par::sum_by(lay.n, |i| {
            let q = lay.pad + i;
            b[q] - (s * cap[q] + kcap[q]) * x[q]
        });
        let bottom = lay.pad + lay.n - op.gbot.len();
        let top = lay.pad..lay.pad + op.gtop.len();
        let edges = match self.donor_cap {
            Some(film) => b[DONOR_SLOT] - s * film * x[DONOR_SLOT],
            None => -par::dot(&op.gtop, &x[top]),
        };
        let sum_r = body - par::dot(&op.gbot, &x[bottom..lay.pad + lay.n]) + edges;
        if self.ones_image <= 0.0 || !sum_r.is_finite() || sum_r == 0.0 {
            return 0.0;
        }
        let gamma = sum_r / self.ones_image;
        par::for_each_mut(&mut x[lay.interior()], |_, v| *v += gamma);
        if self.donor_diag.is_some() {
            x[DONOR_SLOT] += gamma;
        }
        gamma
    }

    /// One row of the shift-free Gram matrices of a new state `u` (see
    /// [`crate::initial_guess`]): `(uᵀ Cap s_j, uᵀ K s_j)` for each of `states` (`u` itself
    /// first, then earlier states), with `Cap` the capacities (the finite film's volume
    /// included) and `K = M − shift·Cap`. One matrix–vector product; `work` is scratch.
    pub fn gram_row(&self, op: &FvOperator, u: &[f64], states: &[&[f64]], work: &mut CgWork) -> (Vec<f64>, Vec<f64>) {
        let mu = &mut work.q;
        self.matvec(op, u, mu);
        // op.cap is zero in the padding, the film's slot included: its volume is added here
        let (m, mut c) = par::dots_and_weighted(states, mu, &op.cap, u);
        if let Some(film) = self.donor_cap {
            for (cj, s) in c.iter_mut().zip(states) {
                *cj += s[DONOR_SLOT] * film * u[DONOR_SLOT];
            }
        }
        // K = M − shift·Cap; the cancellation when shift·Cap dominates leaves an error of
        // ~1e-16·shift·C, harmless in shift'·C + K for any later shift' within a few step
        // ratios of this one
        let k = m.iter().zip(&c).map(|(mv, cv)| mv - self.shift * cv).collect();
        (c, k)
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
    ///
    /// With multigrid and a finite film, the film unknown is coupled to every top cell, which
    /// a V-cycle on the skin alone does not see: preconditioning the film by its diagonal
    /// leaves CG several iterations in which the residual first grows. The film is therefore
    /// eliminated in a block factorisation that uses the V-cycle `B_s` for the skin block
    /// (with `c` the film–skin couplings, `v ≈ M_s⁻¹c`, `B_s c` or a blend (below), and `s`
    /// the film's Schur complement `d_film − cᵀM_s⁻¹c`):
    ///
    /// ```text
    /// z_film = (r_film + vᵀ r_skin) / s,   z_skin = B_s r_skin + v z_film
    /// ```
    ///
    /// i.e. `B = diag(B_s, 0) + [v; 1][v; 1]ᵀ/s`, symmetric positive definite for any `v` and
    /// `s > 0`.
    ///
    /// `s` is not taken as `d_film − cᵀv`. Late in a run (long steps, small shift) it is a
    /// small difference of two large numbers, `d_film ≈ Σc ≈ cᵀM_s⁻¹c`, and the V-cycle's
    /// error in `cᵀB_s c` can exceed `s` itself: on a small layered test grid `s` came out 7×
    /// to 80× too large, and on 400 µm patches with graded lateral cells CG took 1.4× the
    /// iterations. The row sums split `M_s 1 = c + d₀` exactly, with `d₀ = shift·Cap + k·Cap +
    /// g_bottom ≥ 0`, so `cᵀM_s⁻¹c = Σc − cᵀM_s⁻¹d₀` and `s = shift·V_film + cᵀM_s⁻¹d₀`, a sum
    /// of positive terms, estimated as `shift·V_film + cᵀB_s d₀`.
    ///
    /// The same split gives a second guess of `M_s⁻¹c`, `1 − B_s d₀`, whose error scales with
    /// `d₀` where that of `B_s c` scales with `c`. On large grids (single-precision cycle) `v`
    /// blends the two, `a·B_s c + (1 − a)(1 − B_s d₀)` with `a = Σd₀/(Σc + Σd₀)` (numerical
    /// choice: 5–10 % fewer CG iterations on patches, `docs/models.md` §6). Small grids keep
    /// `v = B_s c`: the second guess loses the tiny values deep below an impermeable barrier,
    /// whose intact-skin run then reported −4e-19 µg/cm² instead of 0.
    ///
    /// `v` and `cᵀB_s d₀` cost one V-cycle each and are computed once per hierarchy; as the diagonal moves with the step
    /// size (by at most 2×, see `sim::MG_REUSE_RATIO`) they go on serving as approximations,
    /// with `shift·V_film` from the current step. If `s` is not positive the film falls back
    /// to its diagonal.
    pub fn precondition(&mut self, op: &FvOperator, r: &[f64], z: &mut Vec<f64>) {
        let lay = op.layout;
        let StepSystem { mg, diag, donor_cap, donor_schur, shift, .. } = self;
        match mg.as_mut() {
            Some(mg) => {
                let st = Stencil { lay, diag, gx: &op.gx, gy: &op.gy, gz: &op.gz };
                mg.apply(st, r, z);
                if let Some(film) = *donor_cap {
                    let (v, q) = donor_schur.get_or_insert_with(|| {
                        let mut c = lay.zeros();
                        c[lay.pad..lay.pad + op.gtop.len()].copy_from_slice(&op.gtop);
                        let mut v = lay.zeros();
                        mg.apply(st, &c, &mut v);
                        // d₀ = M_s 1 − c: the reaction part of every row
                        let mut d0 = lay.zeros();
                        let s0 = *shift;
                        par::zip3_mut(&mut d0, &op.cap, &op.kcap, |x, c, k| *x = s0 * c + k);
                        let bottom = lay.pad + lay.n - op.gbot.len();
                        for (x, g) in d0[bottom..lay.pad + lay.n].iter_mut().zip(&op.gbot) {
                            *x += g;
                        }
                        let mut w = lay.zeros();
                        mg.apply(st, &d0, &mut w);
                        let q = par::dot(&op.gtop, &w[lay.pad..lay.pad + op.gtop.len()]);
                        if lay.n >= LARGE_GRID_CELLS {
                            // v = a·B_s c + (1 − a)(1 − B_s d₀), each guess weighted by the
                            // other's size (its error scales with its own right-hand side)
                            let (sc, sd) = (par::sum(&op.gtop), par::sum(&d0));
                            let a = if sc + sd > 0.0 { sd / (sc + sd) } else { 1.0 };
                            par::zip_mut(&mut v[lay.interior()], &w[lay.interior()], |x, y| {
                                *x = a * *x + (1.0 - a) * (1.0 - y)
                            });
                        }
                        (v, q)
                    });
                    let s = *shift * film + *q;
                    if s > 0.0 && s.is_finite() {
                        let vr = par::dot(&v[lay.interior()], &r[lay.interior()]);
                        let zd = (r[DONOR_SLOT] + vr) / s;
                        // v is zero in the padding, the film's slot included
                        par::axpy(zd, v, z);
                        z[DONOR_SLOT] = zd;
                        return;
                    }
                }
            }
            None => {
                par::zip3_mut(z, r, diag, |v, rv, dv| *v = if dv != 0.0 { rv / dv } else { 0.0 });
            }
        }
        if let Some(dd) = self.donor_diag {
            z[DONOR_SLOT] = r[DONOR_SLOT] / dd;
        }
    }

    /// Number of multigrid levels (1 for Jacobi).
    #[cfg(any(test, feature = "bench"))]
    pub fn levels(&self) -> usize {
        self.mg.as_ref().map_or(1, |m| m.num_levels())
    }
}

/// Preconditioned CG for `M x = b` from the initial guess in `x`.
/// Stops when `‖r‖_w ≤ rtol·‖b‖_w` (weights `w`, e.g. `1/Cap`), after at least one iteration
/// unless the guess is exact, or after `max_iter` iterations.
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
    // at least one iteration even when the initial guess meets the tolerance already: a
    // projected guess (`crate::initial_guess`) often does, with an error that is small in norm but
    // local and rough, which one pass through the preconditioner smooths (the most negative
    // concentration of a small coarse patch field went from −4.2e-4 to −3.4e-5 mg/mL under a
    // 10 mg/mL donor, `docs/models.md` §6)
    if rn == 0.0 {
        return CgStats { iterations: 0, rel_residual: 0.0, converged: true };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fv::{BottomBc, Coord, Grid, Materials};

    #[test]
    fn multigrid_preconditioner_with_the_film_stays_symmetric() {
        // a small grid (v = B_s c, f64 cycle) and a large one (v blended with 1 − B_s d₀; the
        // f32 cycle is symmetric to its rounding, as in the `mg` tests)
        for (nx, ny, nz, tol) in [(10, 8, 12, 1e-10), (41, 40, 40, 1e-5)] {
            film_preconditioner_is_symmetric(nx, ny, nz, tol);
        }
    }

    fn film_preconditioner_is_symmetric(nx: usize, ny: usize, nz: usize, tol: f64) {
        use crate::mg::MgParams;
        let (_, op, _, _) = crate::bench::operator(nx, ny, nz);
        let lay = op.layout;
        let film = 2.5e3;
        let mut sys = StepSystem::new(&op, 1e-3, Some(film), Precond::Multigrid(MgParams::default()));
        let mut z = lay.zeros();
        sys.precondition(&op, &lay.zeros(), &mut z);
        assert!(sys.donor_schur.is_some(), "the film goes through its Schur complement");
        // symmetric also once the step size (the diagonal) has moved on from the one `v` was
        // computed for
        sys.update(&op, 2e-3);
        let mut r1 = lay.zeros();
        let mut r2 = lay.zeros();
        for p in lay.interior() {
            r1[p] = (p as f64 * 0.37).sin();
            r2[p] = (p as f64 * 0.11).cos();
        }
        r1[DONOR_SLOT] = 0.7;
        r2[DONOR_SLOT] = -1.3;
        let (mut z1, mut z2) = (lay.zeros(), lay.zeros());
        sys.precondition(&op, &r1, &mut z1);
        sys.precondition(&op, &r2, &mut z2);
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        let (a, b) = (dot(&r2, &z1), dot(&r1, &z2));
        assert!((a - b).abs() < tol * a.abs().max(b.abs()), "{a} vs {b}");
    }

    #[test]
    fn film_schur_complement_stays_accurate_for_long_steps() {
        // a layered closed slab without clearance (a thin barrier with one open column on
        // top, as a channel lumen), laterally graded: for small shifts the film's Schur
        // complement is a small difference of large couplings; d_film − cᵀB_s c came out 7×
        // to 80× too large here, from the V-cycle's error
        use crate::mg::{Interp, MgParams};
        let xf = vec![0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 47.0, 55.0, 65.0, 77.0, 90.0, 100.0];
        let zf = (0..=30).map(|k| if k < 6 { k as f64 * 2.5 } else { 15.0 + (k - 6) as f64 * 10.0 }).collect();
        let grid = Grid { coord: Coord::Cartesian, xf: xf.clone(), yf: xf, zf };
        let lay = grid.layout();
        let barrier = |c: usize| c / lay.sxy < 6;
        let m = Materials {
            kd: (0..lay.n)
                .map(|c| {
                    if !barrier(c) {
                        30.0
                    } else if c % lay.sxy == 0 {
                        500.0
                    } else {
                        1e-3
                    }
                })
                .collect(),
            partition: vec![1.0; lay.n],
            clearance: vec![0.0; lay.n],
        };
        let op = FvOperator::build(&grid, &m, BottomBc::Closed);
        let film = 20.0 * grid.top_area();
        let mut c = lay.zeros();
        c[lay.pad..lay.pad + op.gtop.len()].copy_from_slice(&op.gtop);
        for shift in [1e-1, 1e-3, 1e-5] {
            // exact: s = d_film − cᵀM_s⁻¹c with a tight skin-only solve
            let mut skin = StepSystem::new(&op, shift, None, Precond::Jacobi);
            let mut y = lay.zeros();
            let ones = vec![1.0; lay.len];
            let st = pcg(&op, &mut skin, &c, &mut y, &ones, 1e-13, 100_000, &mut CgWork::new(lay.len));
            assert!(st.converged);
            let cy: f64 = op.gtop.iter().zip(&y[lay.pad..]).map(|(a, b)| a * b).sum();
            for interp in [Interp::Constant, Interp::Linear] {
                let p = MgParams { interp, ..MgParams::default() };
                let mut sys = StepSystem::new(&op, shift, Some(film), Precond::Multigrid(p));
                let exact = sys.donor_diag.expect("finite film") - cy;
                let mut z = lay.zeros();
                sys.precondition(&op, &lay.zeros(), &mut z);
                let (_, q) = sys.donor_schur.as_ref().expect("computed at the first use");
                let s = shift * film + q;
                assert!(s > exact / 3.0 && s < 3.0 * exact, "shift {shift} {interp:?}: s {s:e}, exact {exact:e}");
            }
        }
    }

    #[test]
    fn conservation_projection_zeroes_the_residual_sum() {
        let grid = Grid {
            coord: Coord::Axisymmetric,
            xf: vec![0.0, 5.0, 10.0, 20.0, 40.0],
            yf: vec![0.0, 1.0],
            zf: vec![0.0, 2.0, 4.0, 10.0, 30.0, 60.0],
        };
        let lay = grid.layout();
        let n = lay.n;
        let m = Materials {
            kd: (0..n).map(|c| 0.1 + (c % 5) as f64).collect(),
            partition: vec![0.7; n],
            clearance: (0..n).map(|c| 1e-3 * (c % 2) as f64).collect(),
        };
        for (bottom, donor_cap) in [(BottomBc::Sink, None), (BottomBc::Closed, Some(123.0))] {
            let op = FvOperator::build(&grid, &m, bottom);
            let mut sys = StepSystem::new(&op, 0.05, donor_cap, Precond::Jacobi);
            let mut b = lay.zeros();
            for q in lay.interior() {
                b[q] = op.cap[q] * (q as f64 * 0.3).cos().abs();
            }
            if donor_cap.is_some() {
                b[DONOR_SLOT] = 40.0;
            }
            let mut x = lay.zeros();
            let mut work = CgWork::new(lay.len);
            let w: Vec<f64> = op.cap.iter().map(|&c| if c > 0.0 { 1.0 / c } else { 1.0 }).collect();
            // a loose solve leaves a residual with a non-zero sum ...
            pcg(&op, &mut sys, &b, &mut x, &w, 1e-3, 1000, &mut work);
            let residual_sum = |x: &[f64]| {
                let mut y = lay.zeros();
                sys.matvec(&op, x, &mut y);
                let s: f64 = b.iter().zip(&y).map(|(bv, yv)| bv - yv).sum();
                let scale: f64 = b.iter().map(|v| v.abs()).sum();
                s.abs() / scale
            };
            assert!(residual_sum(&x) > 1e-10, "{:e}", residual_sum(&x));
            // ... which the projection removes, with a correction at the solver tolerance
            let gamma = sys.conserve(&op, &b, &mut x);
            assert!(residual_sum(&x) < 1e-14, "{:e}", residual_sum(&x));
            let xmax = x.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            assert!(gamma.abs() < 1e-2 * xmax, "gamma {gamma} vs max |x| {xmax}");
        }
    }
}
