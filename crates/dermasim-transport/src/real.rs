//! The cell value types of the kernels: `f64`, and `f32` for the multigrid smoother of large
//! grids. Its own module so that the grid ([`crate::fv`]) and the parallel kernels
//! ([`crate::par`]) both use it without importing each other.

/// The type of cell values in a [`Stencil`](crate::fv::Stencil): `f64`, or `f32` for the multigrid smoother of
/// large grids.
pub trait Real:
    Copy
    + Default
    + Send
    + Sync
    + PartialEq
    + std::fmt::Debug
    + 'static
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
    + std::ops::AddAssign
{
    /// From `f64` (rounded for `f32`).
    fn of(v: f64) -> Self;
    /// To `f64` (exact).
    fn to(self) -> f64;
    /// From an `f32` weight (exact).
    fn w(v: f32) -> Self;
    /// `1 − w` for an `f32` weight (exact in `f64`).
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
