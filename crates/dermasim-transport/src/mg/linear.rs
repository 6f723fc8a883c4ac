//! Operator-dependent linear interpolation between two aggregation levels, and the coarse
//! operator that goes with it.
//!
//! Aggregates are the same 2×2×2 blocks as for the piecewise-constant transfer. Along each
//! axis a fine cell takes its value from its own aggregate and from the neighbouring aggregate
//! on the side away from its sibling, weighted by the diffusive *resistance* to the two
//! aggregate centres (a linear profile along the resistance, which is what a flux-continuous
//! solution follows across a material jump):
//!
//! ```text
//! w_own = R_nb / (R_own + R_nb),   R_own = ½/g_in,   R_nb = 1/g_cross + ½/g_nb_in
//! ```
//!
//! with `g_in` the face to the sibling, `g_cross` the face to the neighbouring aggregate and
//! `g_nb_in` that aggregate's internal face (0 for a one-cell aggregate). On a uniform grid
//! with uniform coefficients this is the standard cell-centred linear weight ¾ / ¼. A cell at
//! a domain boundary, or alone in its aggregate, takes its aggregate's value (weight 1).
//!
//! The 3-D interpolation is applied in three 1-D stages, as in semi-coarsening: coarse →
//! (coarse x, coarse y, fine z) → (coarse x, fine y, fine z) → fine. Each stage's weights come
//! from the operator seen on its own grid: the x weights from the fine x faces, the y weights
//! from the y faces summed over each x pair, the z weights from the z faces summed over each
//! x–y block (parallel conductances add). Each fine cell still draws on up to 8 coarse cells,
//! but a stage costs one 2-term update per cell of its grid. Restriction is the exact
//! transpose (the same stages in reverse).
//!
//! The coarse operator is rediscretised rather than Galerkin (which would have a 27-point or
//! wider stencil): its face conductance between two aggregates is the sum over the fine
//! "tubes" crossing the face of the series conductance from one aggregate centre to the other
//! (`1/(½/g_in + 1/g_cross + ½/g_in')`), which reproduces the fine conductance of a uniform
//! medium on the doubled grid and follows jumps in series. The reaction part of the fine rows
//! (capacity/Δt, clearance, boundary couplings) is restricted with the same weights
//! (`ρ_c = Pᵀρ`, the row sums of the Galerkin product `Pᵀ diag(ρ) P`, lumped).

use crate::fv::{Layout, Stencil};
use crate::par;
use crate::real::Real;

/// The staged interpolation from a coarse level to the fine level above it: own-aggregate
/// weights per stage (unpadded, 1 along an axis that is not coarsened).
pub(super) struct Weights {
    /// Fine layout and coarse dimensions.
    fl: Layout,
    cnx: usize,
    cny: usize,
    /// x weights on the fine grid (nx × ny × nz).
    wx: Vec<f32>,
    /// y weights on grid B (cnx × ny × nz).
    wy: Vec<f32>,
    /// z weights on grid A (cnx × cny × nz); empty when z is not coarsened.
    wz: Vec<f32>,
    /// Whether z is coarsened (false: semi-coarsening in x and y, the z stage is the identity).
    cz: bool,
}

/// Work vectors of the two intermediate grids, B and A.
pub(super) struct Temps<T> {
    tb: Vec<T>,
    ta: Vec<T>,
}

impl<T: Real> Temps<T> {
    /// Work vectors for the transfer `w`.
    pub(super) fn new(w: &Weights) -> Self {
        Temps { tb: vec![T::default(); w.wy.len()], ta: vec![T::default(); w.cnx * w.cny * w.fl.nz] }
    }
}

fn resistance(g: f64) -> f64 {
    if g > 0.0 { 1.0 / g } else { f64::INFINITY }
}

fn own_weight(r_own: f64, r_nb: f64) -> f32 {
    if !r_nb.is_finite() {
        1.0
    } else if !r_own.is_finite() {
        0.0
    } else {
        (r_nb / (r_own + r_nb)) as f32
    }
}

/// Weight of the own aggregate for the cell at axis index `i` (axis length `n`), padded index
/// `p`, axis stride `st`, axis face conductances `g` (`g[p]` couples `p` and `p + st`).
fn axis_weight(i: usize, n: usize, p: usize, st: usize, g: &[f64]) -> f32 {
    if n <= 1 {
        return 1.0;
    }
    if i % 2 == 1 {
        // sibling at i − 1, neighbouring aggregate on the + side
        if i + 1 >= n {
            return 1.0;
        }
        let r_own = 0.5 * resistance(g[p - st]);
        let r_nb = resistance(g[p]) + if i + 2 < n { 0.5 * resistance(g[p + st]) } else { 0.0 };
        own_weight(r_own, r_nb)
    } else {
        // sibling at i + 1, neighbouring aggregate (always two cells) on the − side
        if i == 0 || i + 1 >= n {
            return 1.0;
        }
        let r_own = 0.5 * resistance(g[p]);
        let r_nb = resistance(g[p - st]) + 0.5 * resistance(g[p - 2 * st]);
        own_weight(r_own, r_nb)
    }
}

/// Aggregate index along an axis of length `n`.
#[inline(always)]
fn agg(i: usize, n: usize) -> usize {
    if n > 1 { i / 2 } else { i }
}

impl Weights {
    /// Weights for the fine stencil `f`, coarsening z too if `cz`.
    pub(super) fn new(f: Stencil<'_, f64>, cz: bool) -> Weights {
        let fl = f.lay;
        let (nx, ny, nz, sxy, pad) = (fl.nx, fl.ny, fl.nz, fl.sxy, fl.pad);
        let (cnx, cny) = (nx.div_ceil(2), ny.div_ceil(2));
        let (mb, ma) = (cnx * ny, cnx * cny);
        let mut wx = vec![1.0f32; fl.n];
        planes(&mut wx, sxy, |k, o| {
            for (q, v) in o.iter_mut().enumerate() {
                *v = axis_weight(q % nx, nx, pad + k * sxy + q, 1, f.gx);
            }
        });
        // y faces summed over x pairs (grid B), z faces summed over x–y blocks (grid A)
        let mut gyb = vec![0.0; mb * nz];
        let mut gza = vec![0.0; if cz { ma * nz } else { 0 }];
        planes(&mut gyb, mb, |k, o| {
            for j in 0..ny {
                for i in 0..nx {
                    o[j * cnx + agg(i, nx)] += f.gy[fl.idx(i, j, k)];
                }
            }
        });
        planes(&mut gza, ma, |k, o| {
            for j in 0..ny {
                for i in 0..nx {
                    o[agg(j, ny) * cnx + agg(i, nx)] += f.gz[fl.idx(i, j, k)];
                }
            }
        });
        let mut wy = vec![1.0f32; mb * nz];
        planes(&mut wy, mb, |k, o| {
            for (q, v) in o.iter_mut().enumerate() {
                *v = axis_weight(q / cnx, ny, k * mb + q, cnx, &gyb);
            }
        });
        let mut wz = vec![1.0f32; gza.len()];
        planes(&mut wz, ma, |k, o| {
            for (q, v) in o.iter_mut().enumerate() {
                *v = axis_weight(k, nz, k * ma + q, ma, &gza);
            }
        });
        Weights { fl, cnx, cny, wx, wy, wz, cz }
    }
}

/// The coarse stencil below `f` for linear interpolation with weights `w`:
/// (diag, gx, gy, gz) on the coarse layout `cl`.
pub(super) fn coarse_operator(f: Stencil<'_, f64>, w: &Weights, cl: Layout) -> [Vec<f64>; 4] {
    let fl = f.lay;
    let (nx, s, pad) = (fl.nx, fl.sxy, fl.pad);
    // reaction part of every fine row, restricted with the interpolation weights
    let mut rho = fl.zeros();
    planes(&mut rho[pad..pad + fl.n], s, |k, o| {
        for (q, v) in o.iter_mut().enumerate() {
            let p = pad + k * s + q;
            *v = f.diag[p] - (f.gx[p] + f.gx[p - 1] + f.gy[p] + f.gy[p - nx] + f.gz[p] + f.gz[p - s]);
        }
    });
    let mut diag = cl.zeros();
    restrict(fl, cl, w, &mut Temps::new(w), &rho, &mut diag);
    let dims = [fl.nx, fl.ny, fl.nz];
    let strides = [1, fl.nx, fl.sxy];
    let gf = [f.gx, f.gy, f.gz];
    // coarse conductances of axis `a`, one coarse plane per task
    let axis = |a: usize| {
        let (n, st, ga) = (dims[a], strides[a], gf[a]);
        let mut g = cl.zeros();
        planes(&mut g[cl.pad..cl.pad + cl.n], cl.sxy, |ck, o| {
            let ks: &[usize] = if fl.nz > 1 && w.cz { &[2 * ck, 2 * ck + 1] } else { &[ck] };
            for &k in ks.iter().filter(|&&k| k < fl.nz) {
                for j in 0..fl.ny {
                    for i in 0..fl.nx {
                        if a == 2 && !w.cz {
                            // z not coarsened: the fine z faces of the x–y block act in parallel
                            o[agg(j, fl.ny) * cl.nx + agg(i, fl.nx)] += ga[fl.idx(i, j, k)];
                            continue;
                        }
                        let ia = [i, j, k][a];
                        // tubes leave from the + cell of a two-cell aggregate towards the next
                        if n <= 1 || ia % 2 == 0 || ia + 1 >= n {
                            continue;
                        }
                        let p = fl.idx(i, j, k);
                        let r_own = 0.5 * resistance(ga[p - st]);
                        let r_next = if ia + 2 < n { 0.5 * resistance(ga[p + st]) } else { 0.0 };
                        let r = r_own + resistance(ga[p]) + r_next;
                        if r.is_finite() {
                            o[agg(j, fl.ny) * cl.nx + agg(i, fl.nx)] += 1.0 / r;
                        }
                    }
                }
            }
        });
        g
    };
    let (gx, gy, gz) = (axis(0), axis(1), axis(2));
    let (cnx, cs) = (cl.nx, cl.sxy);
    for q in cl.interior() {
        diag[q] += gx[q] + gx[q - 1] + gy[q] + gy[q - cnx] + gz[q] + gz[q - cs];
    }
    [diag, gx, gy, gz]
}

/// Runs `f(plane index, plane)` over the `len`-sized planes of `v`, in parallel for large
/// vectors (each output plane written by one task from a fixed formula: deterministic).
fn planes<T: Real>(v: &mut [T], len: usize, f: impl Fn(usize, &mut [T]) + Sync + Send) {
    if v.len() < par::PAR_MIN {
        v.chunks_mut(len).enumerate().for_each(|(k, o)| f(k, o));
    } else {
        use rayon::prelude::*;
        v.par_chunks_mut(len).enumerate().for_each(|(k, o)| f(k, o));
    }
}

/// 1-D restriction of `n` fine values `r` (own weights `w`) into `o` (coarse length
/// `o.len()`): `o[I] = Σ_{agg(i)=I} w_i r_i + Σ_{nb(i)=I} (1 − w_i) r_i`.
#[inline(always)]
fn restrict_line<T: Real>(r: &[T], w: &[f32], o: &mut [T]) {
    let n = r.len();
    if n <= 1 {
        o[0] = r[0];
        return;
    }
    for (ci, v) in o.iter_mut().enumerate() {
        let i = 2 * ci;
        let mut acc = T::w(w[i]) * r[i];
        if i + 1 < n {
            acc += T::w(w[i + 1]) * r[i + 1];
        }
        if i >= 1 {
            acc += T::comp(w[i - 1]) * r[i - 1];
        }
        if i + 2 < n {
            acc += T::comp(w[i + 2]) * r[i + 2];
        }
        *v = acc;
    }
}

/// Restriction across whole rows (planes) along a slow axis: fine rows `src` of length `m`
/// (`n` of them, own weights per element in `w`) into coarse rows of `dst`.
fn restrict_rows<T: Real>(src: &[T], w: &[f32], n: usize, m: usize, dst: &mut [T]) {
    if n <= 1 {
        dst.copy_from_slice(src);
        return;
    }
    for (ci, o) in dst.chunks_mut(m).enumerate() {
        let row = |i: usize| (&src[i * m..(i + 1) * m], &w[i * m..(i + 1) * m]);
        let i = 2 * ci;
        let (r0, w0) = row(i);
        for ((v, &x), &wv) in o.iter_mut().zip(r0).zip(w0) {
            *v = T::w(wv) * x;
        }
        if i + 1 < n {
            let (r1, w1) = row(i + 1);
            for ((v, &x), &wv) in o.iter_mut().zip(r1).zip(w1) {
                *v += T::w(wv) * x;
            }
        }
        if i >= 1 {
            let (r1, w1) = row(i - 1);
            for ((v, &x), &wv) in o.iter_mut().zip(r1).zip(w1) {
                *v += T::comp(wv) * x;
            }
        }
        if i + 2 < n {
            let (r1, w1) = row(i + 2);
            for ((v, &x), &wv) in o.iter_mut().zip(r1).zip(w1) {
                *v += T::comp(wv) * x;
            }
        }
    }
}

/// Interpolation across whole rows along a slow axis: fine row `i` (of `n`, length `m`) of
/// `dst` = w·(coarse row agg(i)) + (1 − w)·(coarse row nb(i)) from `src`.
fn prolong_rows<T: Real>(src: &[T], w: &[f32], n: usize, m: usize, dst: &mut [T]) {
    if n <= 1 {
        dst.copy_from_slice(src);
        return;
    }
    let cn = src.len() / m;
    for (i, o) in dst.chunks_mut(m).enumerate() {
        let own = i / 2;
        let nbr = if i % 2 == 1 { (own + 1).min(cn - 1) } else { own.saturating_sub(1) };
        let (a, b) = (&src[own * m..(own + 1) * m], &src[nbr * m..(nbr + 1) * m]);
        let wr = &w[i * m..(i + 1) * m];
        for (((v, &x), &y), &wv) in o.iter_mut().zip(a).zip(b).zip(wr) {
            *v = T::w(wv) * x + T::comp(wv) * y;
        }
    }
}

/// `b = Pᵀ r` (coarse padding untouched, body overwritten).
pub(super) fn restrict<T: Real>(fl: Layout, cl: Layout, w: &Weights, t: &mut Temps<T>, r: &[T], b: &mut [T]) {
    debug_assert_eq!(fl, w.fl);
    let (nx, ny, nz, cnx, cny) = (fl.nx, fl.ny, fl.nz, w.cnx, w.cny);
    let Temps { tb, ta } = t;
    // x: fine → B, one fine plane per task
    let (wx, wy, wz): (&[f32], &[f32], &[f32]) = (&w.wx, &w.wy, &w.wz);
    planes(tb, cnx * ny, |k, o| {
        for j in 0..ny {
            let c = k * fl.sxy + j * nx;
            restrict_line(&r[fl.pad + c..fl.pad + c + nx], &wx[c..c + nx], &mut o[j * cnx..(j + 1) * cnx]);
        }
    });
    // y: B → A, per plane k
    let tb: &[T] = tb;
    planes(ta, cnx * cny, |k, o| {
        let a = k * cnx * ny;
        restrict_rows(&tb[a..a + cnx * ny], &wy[a..a + cnx * ny], ny, cnx, o);
    });
    // z: A → coarse, per coarse plane
    let ta: &[T] = ta;
    let m = cnx * cny;
    let body = &mut b[cl.pad..cl.pad + cl.n];
    if nz <= 1 || !w.cz {
        body.copy_from_slice(ta);
        return;
    }
    planes(body, m, |ck, o| {
        let k = 2 * ck;
        let row = |k: usize| (&ta[k * m..(k + 1) * m], &wz[k * m..(k + 1) * m]);
        let (r0, w0) = row(k);
        for ((v, &x), &wv) in o.iter_mut().zip(r0).zip(w0) {
            *v = T::w(wv) * x;
        }
        let mut add = |k: usize, own: bool| {
            let (r1, w1) = row(k);
            for ((v, &x), &wv) in o.iter_mut().zip(r1).zip(w1) {
                *v += if own { T::w(wv) } else { T::comp(wv) } * x;
            }
        };
        if k + 1 < nz {
            add(k + 1, true);
        }
        if k >= 1 {
            add(k - 1, false);
        }
        if k + 2 < nz {
            add(k + 2, false);
        }
    });
}

/// `x += s · P xc`.
pub(super) fn prolong_add<T: Real>(
    fl: Layout,
    cl: Layout,
    w: &Weights,
    t: &mut Temps<T>,
    s: f64,
    xc: &[T],
    x: &mut [T],
) {
    debug_assert_eq!(fl, w.fl);
    let (nx, ny, nz, cnx, cny) = (fl.nx, fl.ny, fl.nz, w.cnx, w.cny);
    let Temps { tb, ta } = t;
    let (wx, wy, wz): (&[f32], &[f32], &[f32]) = (&w.wx, &w.wy, &w.wz);
    let s = T::of(s);
    // z: coarse → A, per fine plane k
    let m = cnx * cny;
    let coarse = &xc[cl.pad..cl.pad + cl.n];
    if nz <= 1 || !w.cz {
        ta.copy_from_slice(coarse);
    } else {
        planes(ta, m, |k, o| {
            let own = k / 2;
            let nbr = if k % 2 == 1 { (own + 1).min(cl.nz - 1) } else { own.saturating_sub(1) };
            let (a, b) = (&coarse[own * m..(own + 1) * m], &coarse[nbr * m..(nbr + 1) * m]);
            for (((v, &p), &q), &wv) in o.iter_mut().zip(a).zip(b).zip(&wz[k * m..(k + 1) * m]) {
                *v = T::w(wv) * p + T::comp(wv) * q;
            }
        });
    }
    // y: A → B, per plane k
    let ta: &[T] = ta;
    planes(tb, cnx * ny, |k, o| {
        let a = k * m;
        prolong_rows(&ta[a..a + m], &wy[k * cnx * ny..(k + 1) * cnx * ny], ny, cnx, o);
    });
    // x: B → fine, added with scale s
    let tb: &[T] = tb;
    let body = &mut x[fl.pad..fl.pad + fl.n];
    planes(body, fl.sxy, |k, o| {
        for j in 0..ny {
            let c = k * fl.sxy + j * nx;
            let src = &tb[(k * ny + j) * cnx..(k * ny + j + 1) * cnx];
            let (wr, orow) = (&wx[c..c + nx], &mut o[j * nx..(j + 1) * nx]);
            if nx <= 1 {
                orow[0] += s * src[0];
                continue;
            }
            // cells 2I and 2I+1 share aggregate I; their neighbours are I − 1 and I + 1
            for (ci, (v, wv)) in orow.chunks_mut(2).zip(wr.chunks(2)).enumerate() {
                let own = src[ci];
                let left = src[ci.saturating_sub(1)];
                v[0] += s * (T::w(wv[0]) * own + T::comp(wv[0]) * left);
                if let (Some(v1), Some(&w1)) = (v.get_mut(1), wv.get(1)) {
                    let right = src[(ci + 1).min(cnx - 1)];
                    *v1 += s * (T::w(w1) * own + T::comp(w1) * right);
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Uniform 7-point stencil with face conductance `g` and reaction `rho` on `nx × ny × nz`.
    fn uniform(nx: usize, ny: usize, nz: usize, g: f64, rho: f64) -> (Layout, [Vec<f64>; 4]) {
        crate::mg::testing::stencil_from(nx, ny, nz, rho, |_, _, _| g)
    }

    fn stencil(l: Layout, a: &[Vec<f64>; 4]) -> Stencil<'_, f64> {
        Stencil { lay: l, diag: &a[0], gx: &a[1], gy: &a[2], gz: &a[3] }
    }

    fn coarse(l: Layout) -> Layout {
        let c = |n: usize| if n > 1 { n.div_ceil(2) } else { 1 };
        Layout::new(c(l.nx), c(l.ny), c(l.nz))
    }

    #[test]
    fn uniform_weights_are_the_cell_centred_three_quarters() {
        let (l, a) = uniform(7, 6, 5, 2.0, 0.1);
        let w = Weights::new(stencil(l, &a), true);
        let c = |i: usize, j: usize, k: usize| k * l.sxy + j * l.nx + i;
        // interior cells with a neighbouring two-cell aggregate: 3/4
        assert!((w.wx[c(1, 2, 2)] - 0.75).abs() < 1e-7);
        assert!((w.wx[c(2, 2, 2)] - 0.75).abs() < 1e-7);
        // the cell next to the trailing one-cell aggregate: own ½, neighbour at 1 resistance
        assert!((w.wx[c(5, 2, 2)] - 2.0 / 3.0).abs() < 1e-7);
        // boundary cells and the trailing one-cell aggregate take their aggregate's value
        assert_eq!(w.wx[c(0, 2, 2)], 1.0);
        assert_eq!(w.wx[c(6, 2, 2)], 1.0);
        // y weights live on (coarse x, fine y, fine z), z weights on (coarse x, coarse y, fine z)
        let (cnx, cny) = (4, 3);
        assert_eq!(w.wy[(2 * l.ny + 5) * cnx + 1], 1.0);
        assert!((w.wy[(2 * l.ny + 2) * cnx + 1] - 0.75).abs() < 1e-7);
        assert!((w.wz[(cny + 1) * cnx + 1] - 0.75).abs() < 1e-7);
    }

    #[test]
    fn a_jump_pulls_the_weight_towards_the_conductive_side() {
        // along x: cells 0..4 with a highly conductive neighbouring aggregate (cells 0, 1)
        let (l, mut a) = uniform(4, 1, 1, 1.0, 0.0);
        let p = |i: usize| l.idx(i, 0, 0);
        a[1][p(0)] = 1e6; // inside aggregate 0
        a[1][p(1)] = 2.0; // crossing face, harmonic mean of 1e6-ish and 1
        let w = Weights::new(stencil(l, &a), true);
        // cell 2: own resistance ½, neighbour 1/2 + ½·1e-6 → own weight ≈ 1/2 (uniform: 3/4)
        assert!((w.wx[2] - 0.5).abs() < 1e-3, "{}", w.wx[2]);
    }

    #[test]
    fn prolongation_keeps_constants_and_restriction_is_its_transpose_also_when_z_is_kept() {
        let (l, mut a) = uniform(9, 6, 7, 1.0, 0.3);
        // heterogeneous conductances so the weights differ from cell to cell
        for (q, v) in a[1].iter_mut().enumerate() {
            if *v > 0.0 {
                *v *= 1.0 + (q % 7) as f64;
            }
        }
        for (q, v) in a[3].iter_mut().enumerate() {
            if *v > 0.0 {
                *v *= 1.0 + 100.0 * ((q % 5 == 0) as u8 as f64);
            }
        }
        // full coarsening, and semi-coarsening (z kept, no z weights)
        for cz in [true, false] {
            let w = Weights::new(stencil(l, &a), cz);
            assert_eq!(w.wz.is_empty(), !cz);
            let mut t = Temps::new(&w);
            let cl = if cz { coarse(l) } else { Layout::new(5, 3, 7) };
            let mut ones_c = cl.zeros();
            ones_c[cl.interior()].fill(1.0);
            let mut x = l.zeros();
            prolong_add(l, cl, &w, &mut t, 1.0, &ones_c, &mut x);
            assert!(x[l.interior()].iter().all(|&v| (v - 1.0).abs() < 1e-12));
            // ⟨r, P xc⟩ = ⟨Pᵀ r, xc⟩ for arbitrary vectors
            let mut r = l.zeros();
            for (q, p) in l.interior().enumerate() {
                r[p] = ((q * 7919) % 101) as f64 / 101.0 - 0.4;
            }
            let mut xc = cl.zeros();
            for (q, p) in cl.interior().enumerate() {
                xc[p] = ((q * 104_729) % 97) as f64 / 97.0 - 0.6;
            }
            let mut px = l.zeros();
            prolong_add(l, cl, &w, &mut t, 1.0, &xc, &mut px);
            let mut rt = cl.zeros();
            restrict(l, cl, &w, &mut t, &r, &mut rt);
            let lhs: f64 = l.interior().map(|p| r[p] * px[p]).sum();
            let rhs: f64 = cl.interior().map(|p| rt[p] * xc[p]).sum();
            assert!((lhs - rhs).abs() < 1e-12 * lhs.abs().max(1.0), "{cz}: {lhs} vs {rhs}");
        }
    }

    #[test]
    fn uniform_semi_coarsened_operator_keeps_the_z_spacing() {
        // a coarse cell is 2 × 2 × 1 fine cells: D·(2h)(h)/(2h) = g across x and y, and
        // D·(2h)²/h = 4g along z (four fine faces in parallel)
        let (l, a) = uniform(8, 8, 8, 3.0, 0.5);
        let w = Weights::new(stencil(l, &a), false);
        let cl = Layout::new(4, 4, 8);
        let [_, gx, gy, gz] = coarse_operator(stencil(l, &a), &w, cl);
        let p = cl.idx(1, 1, 3);
        assert!((gx[p] - 3.0).abs() < 1e-12, "{}", gx[p]);
        assert!((gy[p] - 3.0).abs() < 1e-12, "{}", gy[p]);
        assert!((gz[p] - 12.0).abs() < 1e-12, "{}", gz[p]);
    }

    #[test]
    fn uniform_coarse_operator_is_the_doubled_grid() {
        // volume-form conductance g = D·h; on the doubled grid D·2h = 2g per coarse face
        let (l, a) = uniform(8, 8, 8, 3.0, 0.5);
        let w = Weights::new(stencil(l, &a), true);
        let cl = coarse(l);
        let [d, gx, gy, gz] = coarse_operator(stencil(l, &a), &w, cl);
        let p = cl.idx(1, 1, 1);
        for g in [&gx, &gy, &gz] {
            assert!((g[p] - 6.0).abs() < 1e-12, "{}", g[p]);
        }
        // reaction: 8 fine cells of 0.5 each, restricted with weights summing to 1 per cell
        let total_rho: f64 = cl.interior().map(|q| d[q] - (gx[q] + gx[q - 1] + gy[q] + gy[q - cl.nx])).sum::<f64>()
            - cl.interior().map(|q| gz[q] + gz[q - cl.sxy]).sum::<f64>();
        assert!((total_rho - 0.5 * l.n as f64).abs() < 1e-9, "{total_rho}");
    }
}
