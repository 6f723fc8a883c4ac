//! Vector helpers of the multigrid cycle, generic over its cell type ([`Real`]: `f64`, or `f32`
//! for large grids, which halves the smoother's memory traffic). The sweeps themselves are
//! [`crate::fv::Stencil`]'s.

use rayon::prelude::*;

use crate::fv::Layout;
use crate::par::{CHUNK, PAR_MIN, map};
use crate::real::Real;

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

/// `ω/diag` per cell (0 where the diagonal is 0, i.e. in the padding).
pub(crate) fn damped_inverse<T: Real>(diag: &[f64], omega: f64) -> Vec<T> {
    let mut out = vec![T::default(); diag.len()];
    map(&mut out, diag, |d: f64| if d != 0.0 { T::of(omega / d) } else { T::default() });
    out
}

/// Largest `|v|` (exact, so the same for any thread count).
pub(crate) fn max_abs(v: &[f64]) -> f64 {
    let part = |c: &[f64]| c.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    if v.len() < PAR_MIN { part(v) } else { v.par_chunks(CHUNK).map(part).reduce(|| 0.0, f64::max) }
}
