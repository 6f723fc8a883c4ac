//! Damped z-line Jacobi relaxation: every column of cells along z is solved exactly against
//! its own z-couplings, with the x–y neighbours taken from the previous iterate.
//!
//! Point relaxation smooths poorly where the couplings are anisotropic: with 5 µm lateral
//! cells, 1–2 µm stratum-corneum cells couple ~10× more strongly along z than across, and
//! 10–20 µm dermis cells ~4× more weakly. Line relaxation along z combined with coarsening in
//! x and y only (*semi-coarsening*) is the standard remedy that is robust for any ratio of
//! z- to x–y coupling and for coefficients that jump from layer to layer along the lines
//! (Trottenberg, Oosterlee & Schüller 2001, *Multigrid*, Academic Press, §5.1–5.2). The
//! lines here are the columns of the cell-centred grid; one sweep is
//!
//! ```text
//! x ← x + ω T⁻¹ (b − M x),   T = the z-tridiagonal part of M (its diagonal and z-couplings),
//! ```
//!
//! a fixed symmetric operator like point Jacobi (T is symmetric positive definite), so the
//! V-cycle stays symmetric. `T` is factored when the level is built, and again on the fine
//! level whenever its diagonal changes (Thomas algorithm, pivots and upper multipliers stored
//! per cell, computed in `f64`).
//!
//! Memory access: on large planes the sweep goes plane by plane downwards (forward elimination,
//! the x–y neighbour terms formed on the fly) and back up (substitution), each plane split
//! between the threads, so every array is streamed contiguously; small planes are split into
//! blocks of whole columns, one task each. Every output is written from a fixed formula by one
//! task: the result does not depend on the thread count.

use rayon::prelude::*;

use crate::fv::Stencil;
use crate::par::PAR_MIN;
use crate::real::Real;

/// Plane size from which a sweep runs plane by plane with each plane split between the
/// threads (performance choice); smaller planes are split into blocks of whole columns.
const PLANE_PAR: usize = 16 * 1024;

/// Thomas factors of the z-tridiagonal part `T` of a stencil, cell by cell (padded layout).
pub(super) struct LineFactor<T> {
    /// `1 / pivot`.
    inv: Vec<T>,
    /// Upper multiplier `gz_k / pivot_k` (0 on the last plane).
    up: Vec<T>,
    /// Damping ω.
    omega: T,
}

impl<T: Real> LineFactor<T> {
    /// Factor the columns of `st` (pivots in `f64`, then rounded to `T`).
    pub(super) fn new(st: Stencil<'_, f64>, omega: f64) -> Self {
        let len = st.lay.len;
        let mut f = LineFactor { inv: vec![T::default(); len], up: vec![T::default(); len], omega: T::of(omega) };
        f.refactor(st);
        f
    }

    /// Factor again, in place, for a stencil of the same layout (a new diagonal).
    pub(super) fn refactor(&mut self, st: Stencil<'_, f64>) {
        let lay = st.lay;
        let (s, pad, nz) = (lay.sxy, lay.pad, lay.nz);
        // per column: pivot_k = d_k − g_{k−1}·up_{k−1} (up_{k−1} carried in f64)
        let mut prev_up = vec![0.0f64; s];
        let ch = if lay.n < PAR_MIN { s } else { s.div_ceil(rayon::current_num_threads()).max(1024) };
        for k in 0..nz {
            let a = pad + k * s;
            let rows = self.inv[a..a + s].par_chunks_mut(ch).zip(self.up[a..a + s].par_chunks_mut(ch));
            rows.zip(prev_up.par_chunks_mut(ch)).enumerate().for_each(|(c, ((inv, up), pu))| {
                for (t, ((iv, uv), pu)) in inv.iter_mut().zip(up.iter_mut()).zip(pu.iter_mut()).enumerate() {
                    let p = a + c * ch + t;
                    let below = if k > 0 { st.gz[p - s] } else { 0.0 };
                    let piv = st.diag[p] - below * *pu;
                    let u = if k + 1 < nz && piv != 0.0 { st.gz[p] / piv } else { 0.0 };
                    *iv = T::of(if piv != 0.0 { 1.0 / piv } else { 0.0 });
                    *uv = T::of(u);
                    *pu = u;
                }
            });
        }
    }

    /// `1 / pivot` per cell.
    #[cfg(test)]
    pub(super) fn inv(&self) -> &[T] {
        &self.inv
    }

    /// Upper multiplier per cell.
    #[cfg(test)]
    pub(super) fn up(&self) -> &[T] {
        &self.up
    }

    /// One sweep into `out` (padding zeroed): `out = x + ω (T⁻¹ (b + G x) − x)` with `G = T − M`
    /// the x–y couplings, i.e. `x + ω T⁻¹ (b − M x)`; or `ω T⁻¹ b` when `x` is `None` (the first
    /// sweep from a zero guess).
    pub(super) fn sweep(&self, st: Stencil<'_, T>, b: &[T], x: Option<&[T]>, out: &mut [T]) {
        let lay = st.lay;
        assert!(b.len() == lay.len && out.len() == lay.len);
        let (pad, n, s) = (lay.pad, lay.n, lay.sxy);
        let (head, rest) = out.split_at_mut(pad);
        let (body, tail) = rest.split_at_mut(n);
        head.fill(T::default());
        tail.fill(T::default());
        // the undamped line solution of the plane below, during the back substitution
        let mut next = vec![T::default(); s];
        // the columns are independent, so neither the order nor the split changes any result
        if n >= PAR_MIN && s >= PLANE_PAR {
            // large planes: plane by plane, each plane split between the threads (contiguous
            // streams through memory)
            let ch = s.div_ceil(rayon::current_num_threads()).max(PLANE_PAR / 2);
            for k in 0..lay.nz {
                let (done, rest) = body.split_at_mut(k * s);
                let prev = (k > 0).then(|| &done[(k - 1) * s..]);
                rest[..s].par_chunks_mut(ch).enumerate().for_each(|(c, o)| {
                    let q = c * ch;
                    self.forward_row(st, b, x, pad + k * s + q, prev.map(|p| &p[q..q + o.len()]), o);
                });
            }
            for k in (0..lay.nz).rev() {
                let o = &mut body[k * s..(k + 1) * s];
                o.par_chunks_mut(ch).zip(next.par_chunks_mut(ch)).enumerate().for_each(|(c, (o, nx))| {
                    self.backward_row(x, pad + k * s + c * ch, o, nx, k + 1 == lay.nz);
                });
            }
            return;
        }
        // small planes: blocks of whole columns, one task each, plane by plane within a block
        let blen = if n < PAR_MIN { s } else { s.div_ceil(rayon::current_num_threads()) };
        let mut blocks: Vec<Vec<&mut [T]>> = (0..s.div_ceil(blen)).map(|_| Vec::with_capacity(lay.nz)).collect();
        for plane in body.chunks_mut(s) {
            for (bi, piece) in plane.chunks_mut(blen).enumerate() {
                blocks[bi].push(piece);
            }
        }
        let work = |((bi, mut cols), nx): ((usize, Vec<&mut [T]>), &mut [T])| {
            let q0 = bi * blen;
            for k in 0..cols.len() {
                let (done, rest) = cols.split_at_mut(k);
                self.forward_row(st, b, x, pad + k * s + q0, done.last().map(|p| &p[..]), rest[0]);
            }
            for k in (0..cols.len()).rev() {
                self.backward_row(x, pad + k * s + q0, cols[k], nx, k + 1 == lay.nz);
            }
        };
        if n < PAR_MIN {
            blocks.into_iter().enumerate().zip(next.chunks_mut(blen)).for_each(work);
        } else {
            blocks.into_par_iter().enumerate().zip(next.par_chunks_mut(blen)).for_each(work);
        }
    }

    /// Forward elimination of one row of columns at padded offset `a`:
    /// `y_k = (r_k + g_{k−1} y_{k−1}) / pivot_k` into `o`, with `r = b + G x` (`b` without `x`)
    /// and `prev` = `y_{k−1}` (none on top).
    #[inline(always)]
    fn forward_row(&self, st: Stencil<'_, T>, b: &[T], x: Option<&[T]>, a: usize, prev: Option<&[T]>, o: &mut [T]) {
        match (x, st.lay.ny > 1, prev) {
            (Some(x), true, Some(pv)) => self.forward::<true, true, true>(st, b, x, a, pv, o),
            (Some(x), true, None) => self.forward::<true, true, false>(st, b, x, a, b, o),
            (Some(x), false, Some(pv)) => self.forward::<true, false, true>(st, b, x, a, pv, o),
            (Some(x), false, None) => self.forward::<true, false, false>(st, b, x, a, b, o),
            (None, _, Some(pv)) => self.forward::<false, false, true>(st, b, b, a, pv, o),
            (None, _, None) => self.forward::<false, false, false>(st, b, b, a, b, o),
        }
    }

    /// [`LineFactor::forward_row`] with the x–y couplings (`XY`; `Y`: the grid has y-couplings)
    /// and the plane above (`PREV`) switched at compile time.
    #[inline(always)]
    fn forward<const XY: bool, const Y: bool, const PREV: bool>(
        &self,
        st: Stencil<'_, T>,
        b: &[T],
        x: &[T],
        a: usize,
        prev: &[T],
        o: &mut [T],
    ) {
        let m = o.len();
        let (nx, s) = (st.lay.nx, st.lay.sxy);
        let (b, inv) = (&b[a..a + m], &self.inv[a..a + m]);
        let (ge, gw) = (&st.gx[a..a + m], &st.gx[a - 1..a - 1 + m]);
        let (xe, xw) = (&x[a + 1..a + 1 + m], &x[a - 1..a - 1 + m]);
        let (gn, gs) = (&st.gy[a..a + m], &st.gy[a - nx..a - nx + m]);
        let (xn, xs) = (&x[a + nx..a + nx + m], &x[a - nx..a - nx + m]);
        let gd = &st.gz[a - s..a - s + m];
        let prev = &prev[..m];
        for t in 0..m {
            let mut r = b[t];
            if XY {
                r += ge[t] * xe[t] + gw[t] * xw[t];
                if Y {
                    r += gn[t] * xn[t] + gs[t] * xs[t];
                }
            }
            if PREV {
                r += gd[t] * prev[t];
            }
            o[t] = r * inv[t];
        }
    }

    /// Back substitution of one row at padded offset `a`: the line solution
    /// `l_k = y_k + up_k l_{k+1}` (`y_k` in `o`, `l_{k+1}` in `next`, which takes `l_k`), then
    /// `o = x + ω (l_k − x)` (`ω l_k` without `x`).
    #[inline(always)]
    fn backward_row(&self, x: Option<&[T]>, a: usize, o: &mut [T], next: &mut [T], last: bool) {
        let m = o.len();
        let (om, up, next) = (self.omega, &self.up[a..a + m], &mut next[..m]);
        if last {
            next.copy_from_slice(o);
        } else {
            for ((v, n), &u) in o.iter_mut().zip(next.iter_mut()).zip(up) {
                *v += u * *n;
                *n = *v;
            }
        }
        match x {
            Some(x) => {
                for (v, &xk) in o.iter_mut().zip(&x[a..a + m]) {
                    *v = xk + om * (*v - xk);
                }
            }
            None => {
                for v in o.iter_mut() {
                    *v = om * *v;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fv::{Layout, Sweep};

    /// A random-ish anisotropic SPD stencil on `nx × ny × nz`.
    fn stencil(nx: usize, ny: usize, nz: usize) -> (Layout, [Vec<f64>; 4]) {
        crate::mg::testing::stencil_from(nx, ny, nz, 0.3, |axis, p, k| {
            let h = ((p * 7919) % 13) as f64;
            match axis {
                0 => 1.0 + h,
                1 => 2.0 + 0.5 * h,
                _ => 50.0 * (1.0 + (k % 3) as f64) + h,
            }
        })
    }

    #[test]
    fn a_sweep_solves_each_column_exactly() {
        // with ω = 1 the sweep's result x' satisfies T x' = b − (M − T) x, i.e. the residual
        // b − M x' equals the x–y coupling part applied to (x − x'), which is zero along z
        for (nx, ny, nz) in [(5, 4, 7), (300, 1, 9), (70, 60, 12)] {
            let (l, a) = stencil(nx, ny, nz);
            let st = Stencil { lay: l, diag: &a[0], gx: &a[1], gy: &a[2], gz: &a[3] };
            let f = LineFactor::<f64>::new(st, 1.0);
            let mut b = l.zeros();
            let mut x = l.zeros();
            for (q, p) in l.interior().enumerate() {
                b[p] = ((q * 31) % 17) as f64 - 8.0;
                x[p] = ((q * 13) % 11) as f64 * 0.1;
            }
            let mut out = l.zeros();
            f.sweep(st, &b, Some(&x), &mut out);
            // check T out = b + G_xy x column by column
            let mut worst = 0.0f64;
            for k in 0..nz {
                for j in 0..ny {
                    for i in 0..nx {
                        let p = l.idx(i, j, k);
                        let s = l.sxy;
                        let t_out = a[0][p] * out[p] - a[3][p] * out[p + s] - a[3][p - s] * out[p - s];
                        let rhs = b[p]
                            + a[1][p] * x[p + 1]
                            + a[1][p - 1] * x[p - 1]
                            + a[2][p] * x[p + nx]
                            + a[2][p - nx] * x[p - nx];
                        worst = worst.max((t_out - rhs).abs() / rhs.abs().max(1.0));
                    }
                }
            }
            assert!(worst < 1e-12, "{nx}×{ny}×{nz}: {worst:e}");
            // from a zero guess it equals the general sweep with x = 0, damped
            let g = LineFactor::<f64>::new(st, 0.7);
            let (mut z1, mut z2) = (l.zeros(), l.zeros());
            g.sweep(st, &b, None, &mut z1);
            g.sweep(st, &b, Some(&l.zeros()), &mut z2);
            assert_eq!(z1, z2);
            // and a damped sweep moves x by ω times the undamped correction
            let mut d = l.zeros();
            g.sweep(st, &b, Some(&x), &mut d);
            for p in l.interior() {
                assert!((d[p] - (x[p] + 0.7 * (out[p] - x[p]))).abs() < 1e-12 * (1.0 + out[p].abs()));
            }
        }
    }

    #[test]
    fn a_sweep_reduces_the_residual_of_a_strongly_z_coupled_problem_more_than_point_jacobi() {
        let (l, a) = stencil(16, 16, 24);
        let st = Stencil { lay: l, diag: &a[0], gx: &a[1], gy: &a[2], gz: &a[3] };
        let mut b = l.zeros();
        for (q, p) in l.interior().enumerate() {
            b[p] = ((q * 104_729) % 97) as f64 / 97.0 - 0.5;
        }
        let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
        let residual = |x: &[f64]| {
            let mut r = l.zeros();
            st.sweep(x, &mut r, Sweep::Residual(&b));
            norm(&r)
        };
        let f = LineFactor::<f64>::new(st, 0.9);
        let wd: Vec<f64> = a[0].iter().map(|&d| if d != 0.0 { 0.9 / d } else { 0.0 }).collect();
        let (mut xl, mut xp, mut t) = (l.zeros(), l.zeros(), l.zeros());
        for _ in 0..5 {
            f.sweep(st, &b, Some(&xl), &mut t);
            std::mem::swap(&mut xl, &mut t);
            st.sweep(&xp, &mut t, Sweep::Jacobi(&b, &wd));
            std::mem::swap(&mut xp, &mut t);
        }
        let (rl, rp) = (residual(&xl), residual(&xp));
        assert!(rl < 0.5 * rp, "line {rl:e} vs point {rp:e}");
    }
}
