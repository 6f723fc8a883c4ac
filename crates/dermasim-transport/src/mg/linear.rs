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
//! a domain boundary, or alone in its aggregate, takes its aggregate's value (weight 1). The
//! 3-D weight is the product of the three axis weights, so each fine cell draws on up to 8
//! coarse cells; restriction is the exact transpose.
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

/// Own-aggregate weights of the cells of a fine level, per axis (`x`, `y`, `z`), indexed by
/// the unpadded cell index (1 along an axis that is not coarsened).
pub(super) struct Weights {
    w: [Vec<f32>; 3],
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
    /// Weights for the fine stencil `f`.
    pub(super) fn new(f: Stencil<'_>) -> Weights {
        let l = f.lay;
        let dims = [l.nx, l.ny, l.nz];
        let strides = [1, l.nx, l.sxy];
        let gf = [f.gx, f.gy, f.gz];
        let mut w: [Vec<f32>; 3] = dims.map(|_| vec![1.0f32; l.n]);
        for k in 0..l.nz {
            for j in 0..l.ny {
                for i in 0..l.nx {
                    let c = k * l.sxy + j * l.nx + i;
                    let idx = [i, j, k];
                    for a in 0..3 {
                        if dims[a] > 1 {
                            w[a][c] = axis_weight(idx[a], dims[a], c + l.pad, strides[a], gf[a]);
                        }
                    }
                }
            }
        }
        Weights { w }
    }
}

/// The coarse stencil below `f` for linear interpolation with weights `w`:
/// (diag, gx, gy, gz) on the coarse layout `cl`.
pub(super) fn coarse_operator(f: Stencil<'_>, w: &Weights, cl: Layout) -> [Vec<f64>; 4] {
    let fl = f.lay;
    let (nx, s) = (fl.nx, fl.sxy);
    // reaction part of every fine row, restricted with the interpolation weights
    let mut rho = fl.zeros();
    for p in fl.interior() {
        rho[p] = f.diag[p] - (f.gx[p] + f.gx[p - 1] + f.gy[p] + f.gy[p - nx] + f.gz[p] + f.gz[p - s]);
    }
    let mut diag = cl.zeros();
    restrict(fl, cl, w, &rho, &mut diag);
    let mut g = [cl.zeros(), cl.zeros(), cl.zeros()];
    let dims = [fl.nx, fl.ny, fl.nz];
    let strides = [1, fl.nx, fl.sxy];
    let gf = [f.gx, f.gy, f.gz];
    for k in 0..fl.nz {
        for j in 0..fl.ny {
            for i in 0..fl.nx {
                let idx = [i, j, k];
                let p = fl.idx(i, j, k);
                let c = cl.idx(agg(i, fl.nx), agg(j, fl.ny), agg(k, fl.nz));
                for a in 0..3 {
                    let (ia, n, st, ga) = (idx[a], dims[a], strides[a], gf[a]);
                    // tubes leave from the + cell of a two-cell aggregate towards the next one
                    if n <= 1 || ia % 2 == 0 || ia + 1 >= n {
                        continue;
                    }
                    let r_own = 0.5 * resistance(ga[p - st]);
                    let r_next = if ia + 2 < n { 0.5 * resistance(ga[p + st]) } else { 0.0 };
                    let r = r_own + resistance(ga[p]) + r_next;
                    if r.is_finite() {
                        g[a][c] += 1.0 / r;
                    }
                }
            }
        }
    }
    let (cnx, cs) = (cl.nx, cl.sxy);
    let [gx, gy, gz] = g;
    for q in cl.interior() {
        diag[q] += gx[q] + gx[q - 1] + gy[q] + gy[q - cnx] + gz[q] + gz[q - cs];
    }
    [diag, gx, gy, gz]
}

/// Own and neighbouring aggregate along an axis of fine length `n` and coarse length `cn`
/// (the neighbour is clamped into range where it does not exist; its weight is then 0).
#[inline(always)]
fn pair(i: usize, n: usize, cn: usize) -> (usize, usize) {
    if n <= 1 {
        return (i, i);
    }
    let own = i >> 1;
    let nb = if i & 1 == 1 { (own + 1).min(cn - 1) } else { own.saturating_sub(1) };
    (own, nb)
}

/// `b = Pᵀ r` (coarse padding untouched, body overwritten).
pub(super) fn restrict(fl: Layout, cl: Layout, w: &Weights, r: &[f64], b: &mut [f64]) {
    let body = &mut b[cl.pad..cl.pad + cl.n];
    let [wxs, wys, wzs] = &w.w;
    // `buf`: per fine row, the parts going to the own (·0) and neighbouring (·1) coarse row,
    // split into own and neighbouring aggregate along x
    let plane = |buf: &mut Vec<f64>, ck: usize, out: &mut [f64]| {
        out.fill(0.0);
        let mut add_plane = |k: usize, own_z: bool| {
            for j in 0..fl.ny {
                let (cj, cjn) = pair(j, fl.ny, cl.ny);
                let c0 = k * fl.sxy + j * fl.nx;
                let rr = &r[fl.pad + c0..fl.pad + c0 + fl.nx];
                let (wx, wy, wz) = (&wxs[c0..c0 + fl.nx], &wys[c0..c0 + fl.nx], &wzs[c0..c0 + fl.nx]);
                let (own0, rest) = buf.split_at_mut(fl.nx);
                let (nb0, rest) = rest.split_at_mut(fl.nx);
                let (own1, nb1) = rest.split_at_mut(fl.nx);
                for i in 0..fl.nx {
                    let (wx, wy, wz) = (wx[i] as f64, wy[i] as f64, wz[i] as f64);
                    let a = rr[i] * if own_z { wz } else { 1.0 - wz };
                    let (a0, a1) = (a * wy, a * (1.0 - wy));
                    own0[i] = a0 * wx;
                    nb0[i] = a0 * (1.0 - wx);
                    own1[i] = a1 * wx;
                    nb1[i] = a1 * (1.0 - wx);
                }
                gather_row(fl.nx, own0, nb0, &mut out[cj * cl.nx..(cj + 1) * cl.nx]);
                gather_row(fl.nx, own1, nb1, &mut out[cjn * cl.nx..(cjn + 1) * cl.nx]);
            }
        };
        if fl.nz <= 1 {
            add_plane(ck, true);
            return;
        }
        // fine planes whose own aggregate is ck, then those whose neighbouring aggregate is ck
        add_plane(2 * ck, true);
        if 2 * ck + 1 < fl.nz {
            add_plane(2 * ck + 1, true);
        }
        if ck >= 1 {
            add_plane(2 * ck - 1, false);
        }
        if 2 * ck + 2 < fl.nz {
            add_plane(2 * ck + 2, false);
        }
    };
    let new_buf = || vec![0.0; 4 * fl.nx];
    if cl.n < par::PAR_MIN / 8 {
        let mut buf = new_buf();
        body.chunks_mut(cl.sxy).enumerate().for_each(|(ck, o)| plane(&mut buf, ck, o));
    } else {
        use rayon::prelude::*;
        body.par_chunks_mut(cl.sxy).enumerate().for_each_init(new_buf, |buf, (ck, o)| plane(buf, ck, o));
    }
}

/// Adds one fine row's own-aggregate parts `own` and neighbouring-aggregate parts `nb` into
/// the coarse row `o` (coarse `I` gathers `own[2I] + own[2I+1] + nb[2I−1] + nb[2I+2]`).
#[inline(always)]
fn gather_row(n: usize, own: &[f64], nb: &[f64], o: &mut [f64]) {
    if n <= 1 {
        o[0] += own[0] + nb[0];
        return;
    }
    for (ci, v) in o.iter_mut().enumerate() {
        let i = 2 * ci;
        let mut acc = own[i];
        if i + 1 < n {
            acc += own[i + 1];
        }
        if i >= 1 {
            acc += nb[i - 1];
        }
        if i + 2 < n {
            acc += nb[i + 2];
        }
        *v += acc;
    }
}

/// `x += s · P xc`.
pub(super) fn prolong_add(fl: Layout, cl: Layout, w: &Weights, s: f64, xc: &[f64], x: &mut [f64]) {
    let body = &mut x[fl.pad..fl.pad + fl.n];
    let [wxs, wys, wzs] = &w.w;
    let plane = |k: usize, out: &mut [f64]| {
        let (ck, ckn) = pair(k, fl.nz, cl.nz);
        for j in 0..fl.ny {
            let (cj, cjn) = pair(j, fl.ny, cl.ny);
            let row = |cjj: usize, ckk: usize| {
                let a = cl.pad + ckk * cl.sxy + cjj * cl.nx;
                &xc[a..a + cl.nx]
            };
            let (r00, r10, r01, r11) = (row(cj, ck), row(cjn, ck), row(cj, ckn), row(cjn, ckn));
            let c0 = k * fl.sxy + j * fl.nx;
            let (wx, wy, wz) = (&wxs[c0..c0 + fl.nx], &wys[c0..c0 + fl.nx], &wzs[c0..c0 + fl.nx]);
            let o = &mut out[j * fl.nx..(j + 1) * fl.nx];
            for i in 0..fl.nx {
                let (ci, cin) = pair(i, fl.nx, cl.nx);
                let (wx, wy, wz) = (wx[i] as f64, wy[i] as f64, wz[i] as f64);
                let x00 = wx * r00[ci] + (1.0 - wx) * r00[cin];
                let x10 = wx * r10[ci] + (1.0 - wx) * r10[cin];
                let x01 = wx * r01[ci] + (1.0 - wx) * r01[cin];
                let x11 = wx * r11[ci] + (1.0 - wx) * r11[cin];
                let v = wz * (wy * x00 + (1.0 - wy) * x10) + (1.0 - wz) * (wy * x01 + (1.0 - wy) * x11);
                o[i] += s * v;
            }
        }
    };
    if fl.n < par::PAR_MIN {
        body.chunks_mut(fl.sxy).enumerate().for_each(|(k, o)| plane(k, o));
    } else {
        use rayon::prelude::*;
        body.par_chunks_mut(fl.sxy).enumerate().for_each(|(k, o)| plane(k, o));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Uniform 7-point stencil with face conductance `g` and reaction `rho` on `nx × ny × nz`.
    fn uniform(nx: usize, ny: usize, nz: usize, g: f64, rho: f64) -> (Layout, [Vec<f64>; 4]) {
        let l = Layout::new(nx, ny, nz);
        let (mut gx, mut gy, mut gz, mut d) = (l.zeros(), l.zeros(), l.zeros(), l.zeros());
        for k in 0..nz {
            for j in 0..ny {
                for i in 0..nx {
                    let p = l.idx(i, j, k);
                    if i + 1 < nx {
                        gx[p] = g;
                    }
                    if j + 1 < ny {
                        gy[p] = g;
                    }
                    if k + 1 < nz {
                        gz[p] = g;
                    }
                }
            }
        }
        for p in l.interior() {
            d[p] = rho + gx[p] + gx[p - 1] + gy[p] + gy[p - nx] + gz[p] + gz[p - l.sxy];
        }
        (l, [d, gx, gy, gz])
    }

    fn stencil(l: Layout, a: &[Vec<f64>; 4]) -> Stencil<'_> {
        Stencil { lay: l, diag: &a[0], gx: &a[1], gy: &a[2], gz: &a[3] }
    }

    fn coarse(l: Layout) -> Layout {
        let c = |n: usize| if n > 1 { n.div_ceil(2) } else { 1 };
        Layout::new(c(l.nx), c(l.ny), c(l.nz))
    }

    #[test]
    fn uniform_weights_are_the_cell_centred_three_quarters() {
        let (l, a) = uniform(7, 6, 5, 2.0, 0.1);
        let w = Weights::new(stencil(l, &a));
        let c = |i: usize, j: usize, k: usize| k * l.sxy + j * l.nx + i;
        // interior cells with a neighbouring two-cell aggregate: 3/4
        assert!((w.w[0][c(1, 2, 2)] - 0.75).abs() < 1e-7);
        assert!((w.w[0][c(2, 2, 2)] - 0.75).abs() < 1e-7);
        // the cell next to the trailing one-cell aggregate: own ½, neighbour at 1 resistance
        assert!((w.w[0][c(5, 2, 2)] - 2.0 / 3.0).abs() < 1e-7);
        // boundary cells and the trailing one-cell aggregate take their aggregate's value
        assert_eq!(w.w[0][c(0, 2, 2)], 1.0);
        assert_eq!(w.w[0][c(6, 2, 2)], 1.0);
        assert_eq!(w.w[1][c(3, 5, 2)], 1.0);
        assert!((w.w[2][c(3, 3, 1)] - 0.75).abs() < 1e-7);
    }

    #[test]
    fn a_jump_pulls_the_weight_towards_the_conductive_side() {
        // along x: cells 0..4 with a highly conductive neighbouring aggregate (cells 0, 1)
        let (l, mut a) = uniform(4, 1, 1, 1.0, 0.0);
        let p = |i: usize| l.idx(i, 0, 0);
        a[1][p(0)] = 1e6; // inside aggregate 0
        a[1][p(1)] = 2.0; // crossing face, harmonic mean of 1e6-ish and 1
        let w = Weights::new(stencil(l, &a));
        // cell 2: own resistance ½, neighbour 1/2 + ½·1e-6 → own weight ≈ 1/2 (uniform: 3/4)
        assert!((w.w[0][2] - 0.5).abs() < 1e-3, "{}", w.w[0][2]);
    }

    #[test]
    fn prolongation_keeps_constants_and_restriction_is_its_transpose() {
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
        let w = Weights::new(stencil(l, &a));
        let cl = coarse(l);
        let mut ones_c = cl.zeros();
        ones_c[cl.interior()].fill(1.0);
        let mut x = l.zeros();
        prolong_add(l, cl, &w, 1.0, &ones_c, &mut x);
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
        prolong_add(l, cl, &w, 1.0, &xc, &mut px);
        let mut rt = cl.zeros();
        restrict(l, cl, &w, &r, &mut rt);
        let lhs: f64 = l.interior().map(|p| r[p] * px[p]).sum();
        let rhs: f64 = cl.interior().map(|p| rt[p] * xc[p]).sum();
        assert!((lhs - rhs).abs() < 1e-12 * lhs.abs().max(1.0), "{lhs} vs {rhs}");
    }

    #[test]
    fn uniform_coarse_operator_is_the_doubled_grid() {
        // volume-form conductance g = D·h; on the doubled grid D·2h = 2g per coarse face
        let (l, a) = uniform(8, 8, 8, 3.0, 0.5);
        let w = Weights::new(stencil(l, &a));
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
