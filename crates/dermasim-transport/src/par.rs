//! Deterministic parallel reductions and element-wise kernels.
//!
//! Sums are formed over fixed-size chunks ([`CHUNK`] elements) — each chunk summed
//! sequentially, the chunks in parallel — and the partial sums are then added in index
//! order. The result therefore depends only on the data, never on the number of threads or on
//! work stealing (see `reference/rust-stack.md` §2).

use rayon::prelude::*;

use crate::real::Real;

/// Reduction chunk length (numerical choice: large enough to amortise rayon's overhead,
/// small enough to balance two threads on the small grids). Changing it changes the last
/// bits of every result, so it is a fixed constant, not a tuning knob.
pub const CHUNK: usize = 16 * 1024;

/// Below this many elements kernels run sequentially (identical arithmetic, so identical bits).
pub const PAR_MIN: usize = 32 * 1024;

/// Deterministic sum of `f(i)` over `0..n`.
pub fn sum_by<F>(n: usize, f: F) -> f64
where
    F: Fn(usize) -> f64 + Sync,
{
    let nchunks = n.div_ceil(CHUNK);
    let partial = |c: usize| {
        let lo = c * CHUNK;
        let hi = (lo + CHUNK).min(n);
        let mut s = 0.0;
        for i in lo..hi {
            s += f(i);
        }
        s
    };
    if n < PAR_MIN {
        (0..nchunks).map(partial).fold(0.0, |a, b| a + b)
    } else {
        let parts: Vec<f64> = (0..nchunks).into_par_iter().map(partial).collect();
        parts.iter().fold(0.0, |a, b| a + b)
    }
}

/// Sum of `f(x_k, y_k)` over a chunk with 8 independent accumulators (vectorises).
#[inline(always)]
fn acc8<F: Fn(f64, f64) -> f64>(x: &[f64], y: &[f64], f: F) -> f64 {
    let mut s = [0.0f64; 8];
    let xc = x.chunks_exact(8);
    let yc = y.chunks_exact(8);
    let (xr, yr) = (xc.remainder(), yc.remainder());
    for (a, b) in xc.zip(yc) {
        for l in 0..8 {
            s[l] += f(a[l], b[l]);
        }
    }
    let mut t = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    for (a, b) in xr.iter().zip(yr) {
        t += f(*a, *b);
    }
    t
}

/// Deterministic dot product.
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    debug_assert_eq!(a.len(), b.len());
    chunked2(a, b, |x, y| acc8(x, y, |p, q| p * q))
}

/// Deterministic `(a_j · b, Σ_i a_j[i] w[i] x[i])` for several vectors `a_j`, in one pass
/// (fixed chunks, chunk sums added in order).
pub fn dots_and_weighted(a: &[&[f64]], b: &[f64], w: &[f64], x: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let n = b.len();
    assert!(w.len() == n && x.len() == n && a.iter().all(|v| v.len() == n));
    let k = a.len();
    let chunk = |c: usize| -> Vec<f64> {
        let (lo, hi) = (c * CHUNK, ((c + 1) * CHUNK).min(n));
        let (b, w, x) = (&b[lo..hi], &w[lo..hi], &x[lo..hi]);
        let mut out = vec![0.0; 2 * k];
        for (j, v) in a.iter().enumerate() {
            let v = &v[lo..hi];
            out[j] = acc8(v, b, |p, q| p * q);
            let mut s = [0.0f64; 4];
            let m4 = v.len() / 4 * 4;
            for i in (0..m4).step_by(4) {
                for l in 0..4 {
                    s[l] += v[i + l] * (w[i + l] * x[i + l]);
                }
            }
            let mut t = (s[0] + s[1]) + (s[2] + s[3]);
            for i in m4..v.len() {
                t += v[i] * (w[i] * x[i]);
            }
            out[k + j] = t;
        }
        out
    };
    let mut out = vec![0.0; 2 * k];
    for p in &chunk_partials(n, chunk) {
        for (o, v) in out.iter_mut().zip(p) {
            *o += v;
        }
    }
    let weighted = out.split_off(k);
    (out, weighted)
}

/// Deterministic `(Σ w_i |x_i − y_i|, Σ w_i |x_i|)` in one pass.
pub fn weighted_abs_sums(w: &[f64], x: &[f64], y: &[f64]) -> (f64, f64) {
    let n = x.len();
    assert!(w.len() == n && y.len() == n);
    let chunk = |c: usize| -> (f64, f64) {
        let (lo, hi) = (c * CHUNK, ((c + 1) * CHUNK).min(n));
        let (mut d, mut a) = ([0.0f64; 4], [0.0f64; 4]);
        let m4 = lo + (hi - lo) / 4 * 4;
        for i in (lo..m4).step_by(4) {
            for l in 0..4 {
                d[l] += w[i + l] * (x[i + l] - y[i + l]).abs();
                a[l] += w[i + l] * x[i + l].abs();
            }
        }
        let (mut td, mut ta) = ((d[0] + d[1]) + (d[2] + d[3]), (a[0] + a[1]) + (a[2] + a[3]));
        for i in m4..hi {
            td += w[i] * (x[i] - y[i]).abs();
            ta += w[i] * x[i].abs();
        }
        (td, ta)
    };
    chunk_partials(n, chunk).iter().fold((0.0, 0.0), |(s, t), (d, a)| (s + d, t + a))
}

/// `f(c)` for every chunk `c` of `0..n` ([`CHUNK`] elements each), in chunk order: in parallel
/// for long ranges, sequentially otherwise (the same values either way).
fn chunk_partials<T: Send, F: Fn(usize) -> T + Sync>(n: usize, f: F) -> Vec<T> {
    let nchunks = n.div_ceil(CHUNK);
    if n < PAR_MIN { (0..nchunks).map(f).collect() } else { (0..nchunks).into_par_iter().map(&f).collect() }
}

/// Deterministic weighted sum of squares `Σ r_i² w_i`.
pub fn wnorm2(r: &[f64], w: &[f64]) -> f64 {
    chunked2(r, w, |x, y| acc8(x, y, |p, q| p * p * q))
}

/// Deterministic plain sum.
pub fn sum(a: &[f64]) -> f64 {
    chunked2(a, a, |x, _| acc8(x, x, |p, _| p))
}

fn chunked2<F>(a: &[f64], b: &[f64], f: F) -> f64
where
    F: Fn(&[f64], &[f64]) -> f64 + Sync,
{
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    if n < PAR_MIN {
        a.chunks(CHUNK).zip(b.chunks(CHUNK)).map(|(x, y)| f(x, y)).fold(0.0, |s, v| s + v)
    } else {
        let parts: Vec<f64> = a.par_chunks(CHUNK).zip(b.par_chunks(CHUNK)).map(|(x, y)| f(x, y)).collect();
        parts.iter().fold(0.0, |s, v| s + v)
    }
}

/// `y[i] = f(i, y[i])` element-wise, in parallel over fixed chunks for long vectors.
pub fn for_each_mut<F>(y: &mut [f64], f: F)
where
    F: Fn(usize, &mut f64) + Sync,
{
    if y.len() < PAR_MIN {
        for (i, v) in y.iter_mut().enumerate() {
            f(i, v);
        }
    } else {
        y.par_chunks_mut(CHUNK).enumerate().for_each(|(c, ch)| {
            let base = c * CHUNK;
            for (k, v) in ch.iter_mut().enumerate() {
                f(base + k, v);
            }
        });
    }
}

/// `y += a x` (parallel for long vectors).
pub fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    zip_mut(y, x, move |yv, xv| *yv += a * xv);
}

/// `y = x + b y` (CG direction update).
pub fn xpby(x: &[f64], b: f64, y: &mut [f64]) {
    zip_mut(y, x, move |yv, xv| *yv = xv + b * *yv);
}

/// Element-wise `f(&mut y_i, x_i)`.
pub fn zip_mut<F>(y: &mut [f64], x: &[f64], f: F)
where
    F: Fn(&mut f64, f64) + Sync,
{
    debug_assert_eq!(x.len(), y.len());
    if y.len() < PAR_MIN {
        for (yv, &xv) in y.iter_mut().zip(x) {
            f(yv, xv);
        }
    } else {
        y.par_chunks_mut(CHUNK).zip(x.par_chunks(CHUNK)).for_each(|(yc, xc)| {
            for (yv, &xv) in yc.iter_mut().zip(xc) {
                f(yv, xv);
            }
        });
    }
}

/// CG update in one pass: `x += α p`, `r −= α q`, returning `Σ r_i² w_i` (deterministic: fixed
/// chunks, partial sums added in order).
pub fn cg_update(alpha: f64, p: &[f64], q: &[f64], x: &mut [f64], r: &mut [f64], w: &[f64]) -> f64 {
    let n = x.len();
    assert!(p.len() == n && q.len() == n && r.len() == n && w.len() == n);
    let run = |xc: &mut [f64], rc: &mut [f64], pc: &[f64], qc: &[f64], wc: &[f64]| {
        let mut s = [0.0f64; 4];
        let m = xc.len();
        let (xc, rc, pc, qc, wc) = (&mut xc[..m], &mut rc[..m], &pc[..m], &qc[..m], &wc[..m]);
        let m4 = m / 4 * 4;
        let mut k = 0;
        while k < m4 {
            for l in 0..4 {
                xc[k + l] += alpha * pc[k + l];
                let rv = rc[k + l] - alpha * qc[k + l];
                rc[k + l] = rv;
                s[l] += rv * rv * wc[k + l];
            }
            k += 4;
        }
        let mut t = (s[0] + s[1]) + (s[2] + s[3]);
        for k in m4..m {
            xc[k] += alpha * pc[k];
            let rv = rc[k] - alpha * qc[k];
            rc[k] = rv;
            t += rv * rv * wc[k];
        }
        t
    };
    if n < PAR_MIN {
        x.chunks_mut(CHUNK)
            .zip(r.chunks_mut(CHUNK))
            .zip(p.chunks(CHUNK).zip(q.chunks(CHUNK)).zip(w.chunks(CHUNK)))
            .map(|((xc, rc), ((pc, qc), wc))| run(xc, rc, pc, qc, wc))
            .fold(0.0, |a, b| a + b)
    } else {
        let parts: Vec<f64> = x
            .par_chunks_mut(CHUNK)
            .zip(r.par_chunks_mut(CHUNK))
            .zip(p.par_chunks(CHUNK).zip(q.par_chunks(CHUNK)).zip(w.par_chunks(CHUNK)))
            .map(|((xc, rc), ((pc, qc), wc))| run(xc, rc, pc, qc, wc))
            .collect();
        parts.iter().fold(0.0, |a, b| a + b)
    }
}

/// Element-wise `f(&mut y_i, a_i, b_i)` (parallel for long vectors).
pub fn zip3_mut<T: Real, U: Real, V: Real, F>(y: &mut [T], a: &[U], b: &[V], f: F)
where
    F: Fn(&mut T, U, V) + Sync,
{
    debug_assert!(a.len() == y.len() && b.len() == y.len());
    let run = |yc: &mut [T], ac: &[U], bc: &[V]| {
        for ((yv, &av), &bv) in yc.iter_mut().zip(ac).zip(bc) {
            f(yv, av, bv);
        }
    };
    if y.len() < PAR_MIN {
        run(y, a, b);
    } else {
        y.par_chunks_mut(CHUNK)
            .zip(a.par_chunks(CHUNK))
            .zip(b.par_chunks(CHUNK))
            .for_each(|((yc, ac), bc)| run(yc, ac, bc));
    }
}

/// `y[i] = f(a[i])` element by element (parallel for long vectors).
pub fn map<T: Real, U: Real, F>(y: &mut [T], a: &[U], f: F)
where
    F: Fn(U) -> T + Sync,
{
    debug_assert!(a.len() == y.len());
    let run = |yc: &mut [T], ac: &[U]| {
        for (yv, &av) in yc.iter_mut().zip(ac) {
            *yv = f(av);
        }
    };
    if y.len() < PAR_MIN {
        run(y, a);
    } else {
        y.par_chunks_mut(CHUNK).zip(a.par_chunks(CHUNK)).for_each(|(yc, ac)| run(yc, ac));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reductions_bit_identical_across_thread_counts() {
        let n = 300_001;
        let a: Vec<f64> = (0..n).map(|i| ((i as f64) * 0.37).sin() * 1e3).collect();
        let b: Vec<f64> = (0..n).map(|i| ((i as f64) * 0.11).cos() + 1e-7).collect();
        let run = |t: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap();
            pool.install(|| (dot(&a, &b), wnorm2(&a, &b), sum(&a), sum_by(n, |i| a[i] * 2.0)))
        };
        let r1 = run(1);
        let r2 = run(2);
        let fused = |t: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap();
            pool.install(|| (dots_and_weighted(&[&a, &b], &b, &a, &b), weighted_abs_sums(&b, &a, &b)))
        };
        let (f1, f2) = (fused(1), fused(2));
        assert_eq!(f1, f2);
        // the fused dot products are each pair's `dot`, bit for bit
        assert_eq!(f1.0.0[0].to_bits(), r1.0.to_bits());
        assert_eq!(f1.0.0[1].to_bits(), dot(&b, &b).to_bits());
        let direct: f64 = a.iter().zip(&b).map(|(x, y)| x * x * y).sum();
        assert!((f1.0.1[0] - direct).abs() <= 1e-9 * direct.abs());
        let wabs: f64 = b.iter().zip(&a).map(|(w, x)| w * x.abs()).sum();
        assert!((f1.1.1 - wabs).abs() <= 1e-9 * wabs.abs());
        assert_eq!(r1.0.to_bits(), r2.0.to_bits());
        assert_eq!(r1.1.to_bits(), r2.1.to_bits());
        assert_eq!(r1.2.to_bits(), r2.2.to_bits());
        assert_eq!(r1.3.to_bits(), r2.3.to_bits());
        // and close to the sequential answer
        let s: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((r1.0 - s).abs() <= 1e-9 * s.abs().max(1.0));
    }
}
