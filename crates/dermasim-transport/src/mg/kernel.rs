//! The floating-point type of a V-cycle and its stencil kernels.
//!
//! The hierarchy is built in `f64` and stored in the cycle's type `T` (`f64`, or `f32` for large
//! grids, which halves the smoother's memory traffic). The kernels are the same 7-point sweeps
//! as [`crate::fv::Stencil`]'s, generic over `T`, each output element written from a fixed
//! formula (deterministic for any thread count).

use std::ops::{Add, AddAssign, Div, Mul, Sub};

use rayon::prelude::*;

use crate::fv::Layout;
use crate::par::{CHUNK, PAR_MIN};

/// `f64` or `f32`.
pub(crate) trait Real:
    Copy
    + Default
    + Send
    + Sync
    + PartialEq
    + std::fmt::Debug
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + AddAssign
{
    /// From `f64` (rounded for `f32`).
    fn of(v: f64) -> Self;
    /// To `f64` (exact).
    fn to(self) -> f64;
    /// From an interpolation weight.
    fn w(v: f32) -> Self;
    /// `1 − w` for an interpolation weight (exact in `f64`).
    #[inline(always)]
    fn comp(v: f32) -> Self {
        Self::of(1.0 - v as f64)
    }
}

impl Real for f64 {
    #[inline(always)]
    fn of(v: f64) -> Self {
        v
    }
    #[inline(always)]
    fn to(self) -> f64 {
        self
    }
    #[inline(always)]
    fn w(v: f32) -> Self {
        v as f64
    }
}

impl Real for f32 {
    #[inline(always)]
    fn of(v: f64) -> Self {
        v as f32
    }
    #[inline(always)]
    fn to(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn w(v: f32) -> Self {
        v
    }
}

/// A zero padded vector of layout `l`.
pub(crate) fn zeros<T: Real>(l: Layout) -> Vec<T> {
    vec![T::default(); l.len]
}

/// `v` converted element by element.
pub(crate) fn cast<T: Real>(v: &[f64]) -> Vec<T> {
    let mut out = vec![T::default(); v.len()];
    map(&mut out, v, T::of);
    out
}

/// Borrowed 7-point symmetric stencil `M = diag − offdiag(g)` in type `T`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct St<'a, T> {
    pub lay: Layout,
    pub diag: &'a [T],
    pub gx: &'a [T],
    pub gy: &'a [T],
    pub gz: &'a [T],
}

/// What a sweep writes.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Mode<'a, T> {
    /// `o = b − M x`.
    Residual(&'a [T]),
    /// `o = x + wd (b − M x)` with `wd = ω/diag` (damped Jacobi).
    Jacobi(&'a [T], &'a [T]),
}

/// `ω/diag` per cell (0 where the diagonal is 0, i.e. in the padding).
pub(crate) fn damped_inverse<T: Real>(diag: &[f64], omega: f64) -> Vec<T> {
    let mut out = vec![T::default(); diag.len()];
    map(&mut out, diag, |d: f64| if d != 0.0 { T::of(omega / d) } else { T::default() });
    out
}

impl<T: Real> St<'_, T> {
    /// For every real cell write the [`Mode`] result into `out` (padding of `out` set to 0).
    pub(crate) fn sweep(&self, x: &[T], out: &mut [T], mode: Mode<'_, T>) {
        let lay = self.lay;
        assert!(x.len() == lay.len && out.len() == lay.len);
        let (pad, n) = (lay.pad, lay.n);
        let chunk = ((PAR_MIN / 4) / lay.sxy.max(1)).max(1) * lay.sxy;
        let (head, rest) = out.split_at_mut(pad);
        let (body, tail) = rest.split_at_mut(n);
        head.fill(T::default());
        tail.fill(T::default());
        let me = *self;
        // the r–z unit cell has no y-couplings: a kernel without them
        let work = |c: usize, o: &mut [T]| {
            if lay.ny == 1 {
                me.kernel::<false>(pad + c * chunk, x, o, mode)
            } else {
                me.kernel::<true>(pad + c * chunk, x, o, mode)
            }
        };
        if n < PAR_MIN {
            body.chunks_mut(chunk).enumerate().for_each(|(c, o)| work(c, o));
        } else {
            body.par_chunks_mut(chunk).enumerate().for_each(|(c, o)| work(c, o));
        }
    }

    #[inline(always)]
    fn kernel<const Y: bool>(&self, a: usize, x: &[T], o: &mut [T], mode: Mode<'_, T>) {
        let m = o.len();
        let (nx, s) = (self.lay.nx, self.lay.sxy);
        let d = &self.diag[a..a + m];
        let xc = &x[a..a + m];
        let xe = &x[a + 1..a + 1 + m];
        let xw = &x[a - 1..a - 1 + m];
        let xn = &x[a + nx..a + nx + m];
        let xs = &x[a - nx..a - nx + m];
        let xu = &x[a + s..a + s + m];
        let xd = &x[a - s..a - s + m];
        let ge = &self.gx[a..a + m];
        let gw = &self.gx[a - 1..a - 1 + m];
        let gn = &self.gy[a..a + m];
        let gs = &self.gy[a - nx..a - nx + m];
        let gu = &self.gz[a..a + m];
        let gd = &self.gz[a - s..a - s + m];
        macro_rules! ax {
            ($k:expr) => {
                if Y {
                    d[$k] * xc[$k]
                        - (ge[$k] * xe[$k] + gw[$k] * xw[$k])
                        - (gn[$k] * xn[$k] + gs[$k] * xs[$k])
                        - (gu[$k] * xu[$k] + gd[$k] * xd[$k])
                } else {
                    d[$k] * xc[$k] - (ge[$k] * xe[$k] + gw[$k] * xw[$k]) - (gu[$k] * xu[$k] + gd[$k] * xd[$k])
                }
            };
        }
        match mode {
            Mode::Residual(b) => {
                let b = &b[a..a + m];
                for k in 0..m {
                    o[k] = b[k] - ax!(k);
                }
            }
            Mode::Jacobi(b, wd) => {
                let (b, wd) = (&b[a..a + m], &wd[a..a + m]);
                for k in 0..m {
                    o[k] = xc[k] + wd[k] * (b[k] - ax!(k));
                }
            }
        }
    }
}

/// `y[i] = f(a[i], b[i])` (parallel for long vectors).
pub(crate) fn zip3<T: Real, U: Real, V: Real>(y: &mut [T], a: &[U], b: &[V], f: impl Fn(U, V) -> T + Sync + Send) {
    debug_assert!(a.len() == y.len() && b.len() == y.len());
    let run = |yc: &mut [T], ac: &[U], bc: &[V]| {
        for ((yv, &av), &bv) in yc.iter_mut().zip(ac).zip(bc) {
            *yv = f(av, bv);
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

/// `y[i] = f(a[i])` (parallel for long vectors).
pub(crate) fn map<T: Real, U: Real>(y: &mut [T], a: &[U], f: impl Fn(U) -> T + Sync + Send) {
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

/// Largest `|v|` (exact, so the same for any thread count).
pub(crate) fn max_abs(v: &[f64]) -> f64 {
    let part = |c: &[f64]| c.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    if v.len() < PAR_MIN { part(v) } else { v.par_chunks(CHUNK).map(part).reduce(|| 0.0, f64::max) }
}
