//! Geometric (aggregation) multigrid V-cycle used as the CG preconditioner.
//!
//! Coarsening merges 2×2×2 blocks of cells (2 along every axis with more than one cell; a
//! trailing odd cell forms its own aggregate), or 2×2×1 blocks with z-line relaxation. Two
//! transfers between levels ([`Interp`]):
//!
//! - *piecewise constant*: the coarse operator is the Galerkin product `Pᵀ M P`, which for a
//!   7-point stencil is again a 7-point stencil: coarse face couplings are sums of the fine
//!   face conductances crossing the coarse face, and the coarse diagonal is the aggregate's
//!   summed diagonal minus twice its internal couplings (so capacity, clearance and boundary
//!   couplings are conserved exactly);
//! - *linear*, operator-dependent (module `linear`): each fine cell draws on up to 8 aggregates
//!   with weights from the diffusive resistances to their centres, and the coarse operator is
//!   rediscretised with series–parallel upscaled conductances. Used for large grids
//!   ([`Interp::Auto`]), where it halves the iteration count.
//!
//! Smoother: damped Jacobi, point by point or, on large anisotropic grids, z-line by z-line
//! (module `line`, with coarsening in x and y only: [`Relax`]), the same number of sweeps
//! before and after the coarse correction, and a banded Cholesky solve on the coarsest level,
//! so the V-cycle is a fixed symmetric linear operator. With the Galerkin coarse operator it
//! is also positive definite; with the
//! rediscretised one that is not guaranteed by construction: it held in every test and
//! benchmark run, and a failure would show as CG not converging (reported as an error), not as
//! a wrong answer. Every kernel writes each output element from a fixed formula, so the result
//! does not depend on the thread count.

use crate::fv::{Layout, Stencil, Sweep};
use crate::par;
use crate::real::Real;

mod kernel;
mod line;
mod linear;

use kernel::{cast, damped_inverse, zeros};

/// Stencils for the tests of this module and its submodules.
#[cfg(test)]
mod testing {
    use crate::fv::Layout;

    /// A 7-point stencil `[diag, gx, gy, gz]` on `nx × ny × nz`: every inner face gets the
    /// conductance `g(axis, p, k)` (axis 0, 1, 2 = x, y, z; `p` the padded index of the cell
    /// below the face, `k` its plane) and the diagonal is `rho` plus the cell's faces.
    pub fn stencil_from(
        nx: usize,
        ny: usize,
        nz: usize,
        rho: f64,
        g: impl Fn(usize, usize, usize) -> f64,
    ) -> (Layout, [Vec<f64>; 4]) {
        let l = Layout::new(nx, ny, nz);
        let (mut gx, mut gy, mut gz, mut d) = (l.zeros(), l.zeros(), l.zeros(), l.zeros());
        for k in 0..nz {
            for j in 0..ny {
                for i in 0..nx {
                    let p = l.idx(i, j, k);
                    if i + 1 < nx {
                        gx[p] = g(0, p, k);
                    }
                    if j + 1 < ny {
                        gy[p] = g(1, p, k);
                    }
                    if k + 1 < nz {
                        gz[p] = g(2, p, k);
                    }
                }
            }
        }
        for p in l.interior() {
            d[p] = rho + gx[p] + gx[p - 1] + gy[p] + gy[p - l.nx] + gz[p] + gz[p - l.sxy];
        }
        (l, [d, gx, gy, gz])
    }
}

/// Multigrid parameters (all numerical choices).
#[derive(Clone, Copy, Debug)]
pub struct MgParams {
    /// Jacobi damping ω (`None`: 0.9 on large grids, measured on the benchmark: 8.2 instead of
    /// 8.6 iterations per step and ~10 % less time in paired runs; 0.8 below
    /// `LARGE_GRID_CELLS` (65 536 cells)). Must stay in (0, 1] for the smoother to converge (the diagonal
    /// dominates).
    pub omega: Option<f64>,
    /// Jacobi sweeps before and after the coarse correction (`None`: 2 on large grids, 1 below
    /// `LARGE_GRID_CELLS` (65 536 cells), where one sweep is 8–15 % faster on unit cells despite more
    /// iterations).
    pub sweeps: Option<usize>,
    /// Scaling of the coarse-grid correction (>1 compensates the weak piecewise-constant
    /// interpolation; must stay < 2 for a positive-definite cycle).
    pub coarse_scale: f64,
    /// Coarsen until at most this many cells remain, then solve densely.
    pub coarse_max: usize,
    /// Factor on the coarse face conductances (1 = Galerkin `PᵀMP`; 0.5 = rediscretisation on
    /// the doubled grid for smooth coefficients). The reaction part (capacity/Δt, clearance,
    /// donor and receptor couplings) is always summed exactly.
    pub coarse_conductance: f64,
    /// Coarse-grid visits per level below the fine one (1 = V-cycle, 2 = W-cycle).
    pub gamma: usize,
    /// Interpolation between levels.
    pub interp: Interp,
    /// Floating-point type of the V-cycle.
    pub precision: Precision,
    /// Relaxation (smoother) and the coarsening that goes with it.
    pub relax: Relax,
}

/// Smoother of the V-cycle, and the axes it coarsens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relax {
    /// Damped point Jacobi; coarsening along every axis.
    Point,
    /// Damped z-line Jacobi (module `line`); coarsening along x and y only, so every level
    /// keeps the fine z grid (robust for any z : x–y anisotropy).
    ZLine,
    /// [`Relax::ZLine`] on grids of at least `LARGE_GRID_CELLS` (65 536 cells) cells whose couplings are
    /// anisotropic (see `mg::anisotropic`), [`Relax::Point`] otherwise.
    Auto,
}

/// Whether more than [`ANISOTROPIC_SHARE`] of the cells couple more than
/// [`ANISOTROPY_RATIO`]× more (or less) strongly along z than across (mean z face against mean
/// x–y face). Patch grids (5 µm across, 1–2 µm stratum-corneum and 10 µm dermis cells along z)
/// are; the benchmark grid (5 µm cubes) is not, apart from the faces at layer and channel
/// boundaries, which a point smoother handles (numerical choices: on the benchmark z-line
/// relaxation saves one CG iteration in eight and costs twice the time; on 400 µm patches it
/// halves the iterations and saves a fifth of the time, `docs/performance.md`).
pub fn anisotropic(st: Stencil<'_>) -> bool {
    let lay = st.lay;
    let (nx, s) = (lay.nx, lay.sxy);
    if lay.nz <= 1 {
        return false;
    }
    let strong = par::sum_by(lay.n, |q| {
        let p = lay.pad + q;
        let z = 0.5 * (st.gz[p] + st.gz[p - s]);
        let xy = if lay.ny > 1 {
            0.25 * (st.gx[p] + st.gx[p - 1] + st.gy[p] + st.gy[p - nx])
        } else {
            0.5 * (st.gx[p] + st.gx[p - 1])
        };
        let skewed = z > 0.0 && xy > 0.0 && (z > ANISOTROPY_RATIO * xy || xy > ANISOTROPY_RATIO * z);
        if skewed { 1.0 } else { 0.0 }
    });
    strong > ANISOTROPIC_SHARE * lay.n as f64
}

/// See [`anisotropic`] (numerical choice).
pub const ANISOTROPY_RATIO: f64 = 2.0;
/// See [`anisotropic`] (numerical choice).
pub const ANISOTROPIC_SHARE: f64 = 0.25;

/// Floating-point type in which the V-cycle is stored and run. CG itself (residuals, dot
/// products, the iterate) is always `f64`, so the preconditioner's rounding does not limit the
/// attainable accuracy; it only perturbs the preconditioner, by ~1e-7 relative in `f32`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    /// `f64` throughout.
    Double,
    /// `f32` hierarchy and smoother (half the memory traffic); the residual is scaled by its
    /// largest entry before rounding, so nothing underflows.
    Single,
    /// [`Precision::Single`] from `LARGE_GRID_CELLS` (65 536 cells) fine cells up, [`Precision::Double`]
    /// below.
    Auto,
}

/// Interpolation (prolongation) between two levels; restriction is always its transpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interp {
    /// Piecewise constant over each 2×2×2 aggregate, Galerkin coarse operator.
    Constant,
    /// Operator-dependent linear interpolation (module `linear`) with coarse conductances
    /// upscaled in series–parallel.
    Linear,
    /// [`Interp::Linear`] from `LARGE_GRID_CELLS` (65 536 cells) fine cells up, [`Interp::Constant`] below.
    Auto,
}

/// Smallest fine grid treated as *large* (numerical choice, measured in
/// `docs/performance.md`): from here the `Auto`/`None` settings pick linear interpolation
/// (on the 4.2 M-cell benchmark it halves the CG iterations: 23 → 11.6 with one sweep, 8.6
/// with two, and the wall time drops by ~1.4×; on 5 000-cell unit cells it saves a fifth of
/// the iterations but each costs more, and is not faster), single precision, two sweeps and
/// ω = 0.9; below it, constant interpolation, double precision, one sweep and ω = 0.8. It is
/// above [`crate::par::PAR_MIN`], so large grids always run the parallel kernels.
pub const LARGE_GRID_CELLS: usize = 1 << 16;

impl Default for MgParams {
    fn default() -> Self {
        MgParams {
            omega: None,
            sweeps: None,
            coarse_scale: 1.0,
            coarse_max: 400,
            coarse_conductance: 1.0,
            gamma: 1,
            interp: Interp::Auto,
            precision: Precision::Auto,
            relax: Relax::Auto,
        }
    }
}

/// A coarse level as built, in `f64`.
struct Built {
    lay: Layout,
    diag: Vec<f64>,
    gx: Vec<f64>,
    gy: Vec<f64>,
    gz: Vec<f64>,
    /// Linear-interpolation weights from the level above (None: piecewise constant).
    interp: Option<linear::Weights>,
}

impl Built {
    fn st(&self) -> Stencil<'_, f64> {
        Stencil { lay: self.lay, diag: &self.diag, gx: &self.gx, gy: &self.gy, gz: &self.gz }
    }
}

/// A coarse level of a cycle in type `T`, with its work vectors.
struct Level<T> {
    lay: Layout,
    diag: Vec<T>,
    relax: Smoother<T>,
    gx: Vec<T>,
    gy: Vec<T>,
    gz: Vec<T>,
    b: Vec<T>,
    x: Vec<T>,
    t: Vec<T>,
    r: Vec<T>,
    w1: Vec<T>,
    w2: Vec<T>,
    /// Linear-interpolation weights from the level above and their work vectors.
    interp: Option<(linear::Weights, linear::Temps<T>)>,
}

impl<T: Real> Level<T> {
    fn new(b: Built, omega: f64, lines: bool) -> Self {
        let l = b.lay;
        Level {
            lay: l,
            relax: Smoother::new(b.st(), omega, lines),
            diag: cast(&b.diag),
            gx: cast(&b.gx),
            gy: cast(&b.gy),
            gz: cast(&b.gz),
            b: zeros(l),
            x: zeros(l),
            t: zeros(l),
            r: zeros(l),
            w1: vec![],
            w2: vec![],
            interp: b.interp.map(|w| {
                let t = linear::Temps::new(&w);
                (w, t)
            }),
        }
    }

    fn st(&self) -> Stencil<'_, T> {
        Stencil { lay: self.lay, diag: &self.diag, gx: &self.gx, gy: &self.gy, gz: &self.gz }
    }
}

/// The fine level's coefficients in `f32` (the `f64` cycle borrows the caller's).
struct FineCopy {
    diag: Vec<f32>,
    gx: Vec<f32>,
    gy: Vec<f32>,
    gz: Vec<f32>,
}

/// The smoother of one level.
enum Smoother<T> {
    /// Point Jacobi: `ω/diag` per cell.
    Point(Vec<T>),
    /// z-line Jacobi.
    Line(line::LineFactor<T>),
}

impl<T: Real> Smoother<T> {
    fn new(st: Stencil<'_, f64>, omega: f64, lines: bool) -> Self {
        if lines {
            Smoother::Line(line::LineFactor::new(st, omega))
        } else {
            Smoother::Point(damped_inverse(st.diag, omega))
        }
    }

    /// Follow a new diagonal of `st` (same layout), in place.
    fn refresh(&mut self, st: Stencil<'_, f64>, omega: f64) {
        match self {
            Smoother::Point(wd) => {
                par::map(wd, st.diag, |d: f64| if d != 0.0 { T::of(omega / d) } else { T::default() })
            }
            Smoother::Line(f) => f.refactor(st),
        }
    }

    /// First sweep from a zero guess: `x = ω D⁻¹ b` (D the diagonal or the z-lines).
    fn first(&self, st: Stencil<'_, T>, b: &[T], x: &mut [T]) {
        match self {
            Smoother::Point(wd) => par::zip3_mut(x, b, wd, |v: &mut T, bv: T, w: T| *v = w * bv),
            Smoother::Line(f) => f.sweep(st, b, None, x),
        }
    }

    /// One sweep `x ← x + ω D⁻¹ (b − M x)` (out of place through `tmp`).
    fn sweep(&self, st: Stencil<'_, T>, b: &[T], x: &mut Vec<T>, tmp: &mut Vec<T>) {
        match self {
            Smoother::Point(wd) => st.sweep(x, tmp, Sweep::Jacobi(b, wd)),
            Smoother::Line(f) => f.sweep(st, b, Some(x), tmp),
        }
        std::mem::swap(x, tmp);
    }
}

/// The levels below the fine one, the coarsest factor and the fine work vectors, in type `T`.
struct Cycle<T> {
    /// Smoother of the fine level.
    fine_relax: Smoother<T>,
    levels: Vec<Level<T>>,
    chol: Vec<f64>,
    chol_n: usize,
    res: Vec<T>,
    tmp: Vec<T>,
}

/// The cycle's resolved parameters.
#[derive(Clone, Copy, Debug)]
struct Smoothing {
    sweeps: usize,
    coarse_scale: f64,
    gamma: usize,
}

enum Hierarchy {
    Double(Cycle<f64>),
    Single {
        cycle: Cycle<f32>,
        fine: FineCopy,
        /// The scaled residual and the cycle's result on the fine level.
        b: Vec<f32>,
        x: Vec<f32>,
    },
}

/// Multigrid hierarchy below a given fine stencil.
pub struct Multigrid {
    smoothing: Smoothing,
    omega: f64,
    fine_lay: Layout,
    h: Hierarchy,
}

fn coarse_dim(n: usize) -> usize {
    if n > 1 { n.div_ceil(2) } else { 1 }
}

/// The layout of the level below `fl` (`semi`: z not coarsened).
fn coarse_layout(fl: Layout, semi: bool) -> Layout {
    Layout::new(coarse_dim(fl.nx), coarse_dim(fl.ny), if semi { fl.nz } else { coarse_dim(fl.nz) })
}

fn galerkin(f: Stencil<'_, f64>, cg: f64, semi: bool) -> Built {
    let fl = f.lay;
    let cl = coarse_layout(fl, semi);
    let mut diag = cl.zeros();
    let mut gx = cl.zeros();
    let mut gy = cl.zeros();
    let mut gz = cl.zeros();
    let cx = |i: usize| if fl.nx > 1 { i / 2 } else { 0 };
    let cy = |j: usize| if fl.ny > 1 { j / 2 } else { 0 };
    let cz = |k: usize| if fl.nz > 1 && !semi { k / 2 } else { k };
    let (nx, s) = (fl.nx, fl.sxy);
    for k in 0..fl.nz {
        for j in 0..fl.ny {
            for i in 0..fl.nx {
                let p = fl.idx(i, j, k);
                let c = cl.idx(cx(i), cy(j), cz(k));
                // reaction part of the fine row: diagonal minus its face couplings
                let rho = f.diag[p] - (f.gx[p] + f.gx[p - 1] + f.gy[p] + f.gy[p - nx] + f.gz[p] + f.gz[p - s]);
                diag[c] += rho;
                if i + 1 < fl.nx && cx(i + 1) != cx(i) {
                    gx[c] += cg * f.gx[p];
                }
                if j + 1 < fl.ny && cy(j + 1) != cy(j) {
                    gy[c] += cg * f.gy[p];
                }
                if k + 1 < fl.nz && cz(k + 1) != cz(k) {
                    gz[c] += cg * f.gz[p];
                }
            }
        }
    }
    let (cnx, cs) = (cl.nx, cl.sxy);
    for q in cl.interior() {
        diag[q] += gx[q] + gx[q - 1] + gy[q] + gy[q - cnx] + gz[q] + gz[q - cs];
    }
    Built { lay: cl, diag, gx, gy, gz, interp: None }
}

fn coarsen_linear(f: Stencil<'_, f64>, semi: bool) -> Built {
    let cl = coarse_layout(f.lay, semi);
    let w = linear::Weights::new(f, !semi);
    let [diag, gx, gy, gz] = linear::coarse_operator(f, &w, cl);
    Built { lay: cl, diag, gx, gy, gz, interp: Some(w) }
}

/// Restrict (sum over aggregates) the fine residual `r` into the coarse vector `b`.
fn restrict<T: Real>(fl: Layout, cl: Layout, r: &[T], b: &mut [T]) {
    let (sx, sy, sz) = (fl.nx > 1, fl.ny > 1, cl.nz < fl.nz);
    let body = &mut b[cl.pad..cl.pad + cl.n];
    let plane = |ck: usize, out: &mut [T]| {
        out.fill(T::default());
        let (k0, k1) = if sz { (2 * ck, (2 * ck + 2).min(fl.nz)) } else { (ck, ck + 1) };
        for k in k0..k1 {
            for j in 0..fl.ny {
                let cj = if sy { j / 2 } else { 0 };
                let row = &r[fl.idx(0, j, k)..fl.idx(0, j, k) + fl.nx];
                let orow = &mut out[cj * cl.nx..(cj + 1) * cl.nx];
                if sx {
                    let pairs = row.chunks_exact(2);
                    let rem = pairs.remainder();
                    for (o, p) in orow.iter_mut().zip(pairs) {
                        *o += p[0] + p[1];
                    }
                    if let Some(&v) = rem.first() {
                        orow[cl.nx - 1] += v;
                    }
                } else {
                    for (o, &v) in orow.iter_mut().zip(row) {
                        *o += v;
                    }
                }
            }
        }
    };
    if cl.n < par::PAR_MIN / 8 {
        body.chunks_mut(cl.sxy).enumerate().for_each(|(ck, o)| plane(ck, o));
    } else {
        use rayon::prelude::*;
        body.par_chunks_mut(cl.sxy).enumerate().for_each(|(ck, o)| plane(ck, o));
    }
}

/// `x += s · P xc` (piecewise-constant prolongation).
fn prolong_add<T: Real>(fl: Layout, cl: Layout, s: f64, xc: &[T], x: &mut [T]) {
    let (sx, sy, sz) = (fl.nx > 1, fl.ny > 1, cl.nz < fl.nz);
    let s = T::of(s);
    let body = &mut x[fl.pad..fl.pad + fl.n];
    let plane = |k: usize, out: &mut [T]| {
        let ck = if sz { k / 2 } else { k };
        for j in 0..fl.ny {
            let cj = if sy { j / 2 } else { 0 };
            let crow = &xc[cl.idx(0, cj, ck)..cl.idx(0, cj, ck) + cl.nx];
            let orow = &mut out[j * fl.nx..(j + 1) * fl.nx];
            if sx {
                for (p, &c) in orow.chunks_mut(2).zip(crow) {
                    for v in p {
                        *v += s * c;
                    }
                }
            } else {
                for (v, &c) in orow.iter_mut().zip(crow) {
                    *v += s * c;
                }
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

impl<T: Real> Cycle<T> {
    /// The cycle below the fine stencil `fine` (`fine_t`: the same in `T`, factored when there
    /// is no coarse level).
    fn new(fine: Stencil<'_, f64>, fine_t: Stencil<'_, T>, built: Vec<Built>, omega: f64, lines: bool) -> Self {
        let levels: Vec<Level<T>> = built.into_iter().map(|b| Level::new(b, omega, lines)).collect();
        let l = fine.lay;
        let (chol, chol_n) = match levels.last() {
            Some(c) => dense_cholesky(c.st()),
            None => dense_cholesky(fine_t),
        };
        let fine_relax = Smoother::new(fine, omega, lines);
        Cycle { fine_relax, levels, chol, chol_n, res: zeros(l), tmp: zeros(l) }
    }

    /// `x = B b` from the fine stencil `st`.
    fn apply(&mut self, st: Stencil<'_, T>, b: &[T], x: &mut Vec<T>, p: Smoothing) {
        let Cycle { fine_relax, levels, chol, chol_n, res, tmp } = self;
        if levels.is_empty() {
            chol_solve(chol, *chol_n, st.lay, b, x);
            return;
        }
        cycle_level(st, fine_relax, b, x, res, tmp, levels, chol, *chol_n, p);
    }
}

impl Multigrid {
    /// Build the hierarchy below the fine stencil `fine`.
    pub fn new(fine: Stencil<'_>, params: MgParams) -> Self {
        let n = fine.lay.n;
        let linear = match params.interp {
            Interp::Constant => false,
            Interp::Linear => true,
            Interp::Auto => n >= LARGE_GRID_CELLS,
        };
        let lines = match params.relax {
            Relax::Point => false,
            Relax::ZLine => true,
            Relax::Auto => n >= LARGE_GRID_CELLS && anisotropic(fine),
        };
        let mut built: Vec<Built> = Vec::new();
        loop {
            let cur = built.last().map(|l| l.st()).unwrap_or(fine);
            let l = cur.lay;
            if l.n <= params.coarse_max || (l.nx == 1 && l.ny == 1 && (lines || l.nz == 1)) {
                break;
            }
            let next =
                if linear { coarsen_linear(cur, lines) } else { galerkin(cur, params.coarse_conductance, lines) };
            built.push(next);
        }
        let single = match params.precision {
            Precision::Double => false,
            Precision::Single => true,
            Precision::Auto => n >= LARGE_GRID_CELLS,
        };
        let large = n >= LARGE_GRID_CELLS;
        let smoothing = Smoothing {
            sweeps: params.sweeps.unwrap_or(if large { 2 } else { 1 }).max(1),
            coarse_scale: params.coarse_scale,
            gamma: params.gamma,
        };
        let om = params.omega.unwrap_or(if large { 0.9 } else { 0.8 });
        let h = if single {
            let copy = FineCopy { diag: cast(fine.diag), gx: cast(fine.gx), gy: cast(fine.gy), gz: cast(fine.gz) };
            let st = Stencil { lay: fine.lay, diag: &copy.diag, gx: &copy.gx, gy: &copy.gy, gz: &copy.gz };
            let cycle = Cycle::<f32>::new(fine, st, built, om, lines);
            Hierarchy::Single { cycle, fine: copy, b: zeros(fine.lay), x: zeros(fine.lay) }
        } else {
            Hierarchy::Double(Cycle::<f64>::new(fine, fine, built, om, lines))
        };
        Multigrid { smoothing, omega: om, fine_lay: fine.lay, h }
    }

    /// Follow a new diagonal of the fine stencil (a new shift `c₀`, or conductances that
    /// moved): the fine level's smoother, and its single-precision copy of the diagonal, are
    /// rebuilt in place, so the fine level smooths the current matrix; the coarse levels stay.
    /// (A smoother built for another diagonal than the residual's is not guaranteed to
    /// converge: z-line relaxation with stale factors broke CG on a closing channel.)
    pub fn refresh_fine(&mut self, fine: Stencil<'_>) {
        debug_assert_eq!(fine.lay, self.fine_lay);
        match &mut self.h {
            Hierarchy::Double(c) => c.fine_relax.refresh(fine, self.omega),
            Hierarchy::Single { cycle, fine: copy, .. } => {
                par::map(&mut copy.diag, fine.diag, |v: f64| v as f32);
                cycle.fine_relax.refresh(fine, self.omega);
            }
        }
    }

    /// Number of levels including the fine one.
    #[cfg(any(test, feature = "bench"))]
    pub fn num_levels(&self) -> usize {
        1 + match &self.h {
            Hierarchy::Double(c) => c.levels.len(),
            Hierarchy::Single { cycle, .. } => cycle.levels.len(),
        }
    }

    /// `z = B r`, one V-cycle from a zero initial guess (padding of z zeroed; the donor slot
    /// is not used — the caller preconditions it).
    pub fn apply(&mut self, fine: Stencil<'_>, r: &[f64], z: &mut Vec<f64>) {
        debug_assert_eq!(fine.lay, self.fine_lay);
        let p = self.smoothing;
        let lay = fine.lay;
        match &mut self.h {
            // the donor slot (padding) is never read: the caller preconditions it
            Hierarchy::Double(c) => c.apply(fine, r, z, p),
            Hierarchy::Single { cycle, fine: copy, b: b32, x: x32 } => {
                // scale by the largest entry so that nothing underflows in f32
                let scale = kernel::max_abs(&r[lay.interior()]);
                if scale == 0.0 {
                    z.fill(0.0);
                    return;
                }
                let inv = 1.0 / scale;
                // padding stays zero: only the real cells are ever written
                par::map(&mut b32[lay.interior()], &r[lay.interior()], |v: f64| (v * inv) as f32);
                let st = Stencil { lay, diag: &copy.diag, gx: &copy.gx, gy: &copy.gy, gz: &copy.gz };
                cycle.apply(st, b32, x32, p);
                z[..lay.pad].fill(0.0);
                z[lay.pad + lay.n..].fill(0.0);
                par::map(&mut z[lay.interior()], &x32[lay.interior()], |v: f32| v as f64 * scale);
            }
        }
    }
}

/// Smoothing + correction on one level. `b` right-hand side; result in `x`.
#[allow(clippy::too_many_arguments)]
fn cycle_level<T: Real>(
    st: Stencil<'_, T>,
    relax: &Smoother<T>,
    b: &[T],
    x: &mut Vec<T>,
    res: &mut [T],
    tmp: &mut Vec<T>,
    below: &mut [Level<T>],
    chol: &[f64],
    cn: usize,
    p: Smoothing,
) {
    let lay = st.lay;
    // first pre-sweep from zero: x = ω D⁻¹ b
    relax.first(st, b, x);
    for _ in 1..p.sweeps {
        relax.sweep(st, b, x, tmp);
    }
    // residual
    st.sweep(x, res, Sweep::Residual(b));
    let (lev, rest) = below.split_first_mut().expect("at least one coarse level");
    match &mut lev.interp {
        Some((w, t)) => linear::restrict(lay, lev.lay, w, t, res, &mut lev.b),
        None => restrict(lay, lev.lay, res, &mut lev.b),
    }
    {
        let Level { lay: cl, diag, relax: crelax, gx, gy, gz, b: cb, x: cx, t: ct, r: cr, w1, w2, interp: _ } = lev;
        let cst = Stencil { lay: *cl, diag, gx, gy, gz };
        if rest.is_empty() {
            chol_solve(chol, cn, *cl, cb, cx);
        } else {
            cycle_level(cst, crelax, cb, cx, cr, ct, rest, chol, cn, p);
            for _ in 1..p.gamma {
                if w1.is_empty() {
                    *w1 = zeros(*cl);
                    *w2 = zeros(*cl);
                }
                cst.sweep(cx, w1, Sweep::Residual(cb));
                cycle_level(cst, crelax, w1, w2, cr, ct, rest, chol, cn, p);
                for (a, &v) in cx.iter_mut().zip(w2.iter()) {
                    *a += v;
                }
            }
        }
    }
    match &mut lev.interp {
        Some((w, t)) => linear::prolong_add(lay, lev.lay, w, t, p.coarse_scale, &lev.x, x),
        None => prolong_add(lay, lev.lay, p.coarse_scale, &lev.x, x),
    }
    for _ in 0..p.sweeps {
        relax.sweep(st, b, x, tmp);
    }
}

/// Banded Cholesky (in `f64`) of the coarsest stencil (half-bandwidth `w = nx·ny`); row `i`
/// of `L` is stored as `w + 1` entries for columns `i − w ..= i`.
fn dense_cholesky<T: Real>(st: Stencil<'_, T>) -> (Vec<f64>, usize) {
    let lay = st.lay;
    let n = lay.n;
    let w = lay.sxy;
    let wb = w + 1;
    let mut l = vec![0.0; n * wb];
    // L[i][j] lives at i*wb + (j + w − i)
    let at = |i: usize, j: usize| i * wb + (j + w - i);
    for q in 0..n {
        let p = q + lay.pad;
        l[at(q, q)] = st.diag[p].to();
        if q >= 1 {
            l[at(q, q - 1)] = -st.gx[p - 1].to();
        }
        if q >= lay.nx {
            l[at(q, q - lay.nx)] = -st.gy[p - lay.nx].to();
        }
        if q >= w {
            l[at(q, q - w)] = -st.gz[p - w].to();
        }
    }
    for j in 0..n {
        let j0 = j.saturating_sub(w);
        let mut s = l[at(j, j)];
        for k in j0..j {
            s -= l[at(j, k)] * l[at(j, k)];
        }
        let d = if s > 0.0 { s.sqrt() } else { f64::MIN_POSITIVE.sqrt() };
        l[at(j, j)] = d;
        for i in j + 1..(j + w + 1).min(n) {
            let i0 = i.saturating_sub(w);
            let mut s = l[at(i, j)];
            for k in i0.max(j0)..j {
                s -= l[at(i, k)] * l[at(j, k)];
            }
            l[at(i, j)] = s / d;
        }
    }
    (l, n)
}

fn chol_solve<T: Real>(l: &[f64], n: usize, lay: Layout, b: &[T], x: &mut [T]) {
    let w = lay.sxy;
    let wb = w + 1;
    let at = |i: usize, j: usize| i * wb + (j + w - i);
    let mut y: Vec<f64> = (0..n).map(|q| b[q + lay.pad].to()).collect();
    for i in 0..n {
        let mut s = y[i];
        for k in i.saturating_sub(w)..i {
            s -= l[at(i, k)] * y[k];
        }
        y[i] = s / l[at(i, i)];
    }
    for i in (0..n).rev() {
        let mut s = y[i];
        for k in i + 1..(i + w + 1).min(n) {
            s -= l[at(k, i)] * y[k];
        }
        y[i] = s / l[at(i, i)];
    }
    x.fill(T::default());
    for q in 0..n {
        x[q + lay.pad] = T::of(y[q]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench;

    fn stencil<'a>(op: &'a crate::fv::FvOperator, diag: &'a [f64]) -> Stencil<'a> {
        Stencil { lay: op.layout, diag, gx: &op.gx, gy: &op.gy, gz: &op.gz }
    }

    fn apply(mg: &mut Multigrid, st: Stencil<'_>, r: &[f64]) -> Vec<f64> {
        let mut z = st.lay.zeros();
        mg.apply(st, r, &mut z);
        z
    }

    fn rhs(lay: Layout) -> Vec<f64> {
        let mut r = lay.zeros();
        for (q, p) in lay.interior().enumerate() {
            r[p] = ((q * 7919) % 113) as f64 / 113.0 - 0.3;
        }
        r
    }

    const CASES: [(Interp, Precision, f64); 4] = [
        (Interp::Constant, Precision::Double, 1e-10),
        (Interp::Linear, Precision::Double, 1e-10),
        (Interp::Constant, Precision::Single, 1e-5),
        (Interp::Linear, Precision::Single, 1e-5),
    ];

    #[test]
    fn v_cycle_is_symmetric_for_both_transfers_and_precisions() {
        let (_, op, _, _) = bench::operator(12, 10, 24);
        let d = op.diagonal(0.1);
        let st = stencil(&op, &d);
        for ((interp, precision, tol), relax) in CASES.into_iter().flat_map(|c| [(c, Relax::Point), (c, Relax::ZLine)])
        {
            let p = MgParams { interp, precision, relax, coarse_max: 40, ..MgParams::default() };
            let mut mg = Multigrid::new(st, p);
            assert!(mg.num_levels() >= 3);
            let r1 = rhs(st.lay);
            let mut r2 = st.lay.zeros();
            for p in st.lay.interior() {
                r2[p] = (p as f64 * 0.37).sin();
            }
            let (z1, z2) = (apply(&mut mg, st, &r1), apply(&mut mg, st, &r2));
            let a: f64 = st.lay.interior().map(|p| r2[p] * z1[p]).sum();
            let b: f64 = st.lay.interior().map(|p| r1[p] * z2[p]).sum();
            let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
            let scale = norm(&r2) * norm(&z1);
            assert!((a - b).abs() <= tol * scale, "{p:?}: {a} vs {b} (scale {scale})");
            // positive on these vectors
            let e: f64 = st.lay.interior().map(|p| r1[p] * z1[p]).sum();
            assert!(e > 0.0, "{p:?}");
        }
    }

    #[test]
    fn single_precision_cycle_follows_the_double_one() {
        let (_, op, _, _) = bench::operator(16, 16, 32);
        let d = op.diagonal(0.1);
        let st = stencil(&op, &d);
        for interp in [Interp::Constant, Interp::Linear] {
            let p = MgParams { interp, coarse_max: 40, ..MgParams::default() };
            let mut dbl = Multigrid::new(st, MgParams { precision: Precision::Double, ..p });
            let mut sgl = Multigrid::new(st, MgParams { precision: Precision::Single, ..p });
            // a tiny residual must not underflow in f32
            let r: Vec<f64> = rhs(st.lay).iter().map(|v| v * 1e-40).collect();
            let (a, b) = (apply(&mut dbl, st, &r), apply(&mut sgl, st, &r));
            let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            assert!(scale > 0.0);
            let diff = a.iter().zip(&b).fold(0.0f64, |m, (x, y)| m.max((x - y).abs()));
            assert!(diff <= 1e-5 * scale, "{interp:?}: {diff} vs {scale}");
        }
    }

    #[test]
    fn large_grid_cycle_gives_the_same_bits_on_one_and_two_threads() {
        // 40 × 40 × 48 = 76 800 cells: linear interpolation, f32, parallel kernels; z-line
        // relaxation in blocks of columns there, and plane by plane on 130 × 130 planes
        for (nx, ny, nz, relax) in [(40, 40, 48, Relax::Point), (40, 40, 48, Relax::ZLine), (130, 130, 4, Relax::ZLine)]
        {
            let (_, op, _, _) = bench::operator(nx, ny, nz);
            assert!(op.layout.n >= LARGE_GRID_CELLS); // also above par::PAR_MIN: parallel kernels
            let d = op.diagonal(0.1);
            let run = |threads: usize| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                pool.install(|| {
                    let st = stencil(&op, &d);
                    let mut mg = Multigrid::new(st, MgParams { relax, ..MgParams::default() });
                    apply(&mut mg, st, &rhs(st.lay))
                })
            };
            let (a, b) = (run(1), run(2));
            assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()), "{relax:?} {nx}×{ny}×{nz}");
            assert!(a.iter().any(|&v| v != 0.0));
        }
    }

    #[test]
    fn cg_with_a_single_precision_cycle_reaches_a_tight_tolerance() {
        use crate::solver::Precond;
        for precision in [Precision::Double, Precision::Single] {
            let pre = Precond::Multigrid(MgParams { precision, ..MgParams::default() });
            let mut sim = bench::setup_implicit(16, 16, 32, 10.0, 1e-12, pre, false);
            for _ in 0..3 {
                let st = sim.step(10.0);
                assert!(st.converged && st.rel_residual <= 1e-12, "{precision:?}: {st:?}");
                assert!(st.iterations < 40, "{precision:?}: {st:?}");
            }
        }
    }

    /// The benchmark operator with its z couplings scaled by `fz` (cells `fz`× flatter),
    /// and its diagonal for the shift `shift`.
    fn flattened(fz: f64, shift: f64) -> (crate::fv::FvOperator, Vec<f64>) {
        let (_, mut op, _, _) = bench::operator(24, 24, 40);
        op.gz.iter_mut().for_each(|g| *g *= fz);
        let d = op.diagonal(shift);
        (op, d)
    }

    /// PCG iterations to rtol 1e-8 on `st` from a zero guess, with the V-cycle `mg`.
    fn pcg_iterations(st: Stencil<'_>, mg: &mut Multigrid) -> usize {
        let lay = st.lay;
        let b = rhs(lay);
        let dot = |a: &[f64], c: &[f64]| lay.interior().map(|p| a[p] * c[p]).sum::<f64>();
        let (mut x, mut r, mut q) = (lay.zeros(), b.clone(), lay.zeros());
        let mut z = apply(mg, st, &r);
        let mut p = z.clone();
        let mut rz = dot(&r, &z);
        let b_norm = dot(&b, &b).sqrt();
        for it in 1..=200 {
            st.matvec(&p, &mut q);
            let alpha = rz / dot(&p, &q);
            for i in lay.interior() {
                x[i] += alpha * p[i];
                r[i] -= alpha * q[i];
            }
            if dot(&r, &r).sqrt() <= 1e-8 * b_norm {
                return it;
            }
            z = apply(mg, st, &r);
            let rz_new = dot(&r, &z);
            for i in lay.interior() {
                p[i] = z[i] + rz_new / rz * p[i];
            }
            rz = rz_new;
        }
        usize::MAX
    }

    #[test]
    fn z_line_relaxation_is_chosen_for_and_pays_on_flattened_cells() {
        // the benchmark's cubes are isotropic: Auto keeps point relaxation
        let (op, d) = flattened(1.0, 1e-3);
        assert!(!anisotropic(stencil(&op, &d)));
        // cells 8× flatter along z (z faces 8²× stronger), as in a patch's stratum corneum
        let (op, d) = flattened(64.0, 1e-3);
        let st = stencil(&op, &d);
        assert!(anisotropic(st));
        let its = |relax| {
            let p = MgParams { relax, interp: Interp::Linear, coarse_max: 40, ..MgParams::default() };
            pcg_iterations(st, &mut Multigrid::new(st, p))
        };
        let (point, line) = (its(Relax::Point), its(Relax::ZLine));
        assert!(2 * line <= point, "z-line {line} vs point {point} iterations");
    }

    #[test]
    fn the_fine_smoother_follows_a_new_diagonal() {
        // a hierarchy built for another shift, refreshed, smooths exactly like a new one on
        // the fine level (point and z-line, f64 and f32 with its copy of the diagonal)
        let (op, d_old) = flattened(64.0, 2e-3);
        let (_, d_new) = flattened(64.0, 1e-3);
        for relax in [Relax::Point, Relax::ZLine] {
            for precision in [Precision::Double, Precision::Single] {
                let p = MgParams { relax, precision, interp: Interp::Linear, coarse_max: 40, ..MgParams::default() };
                let st = stencil(&op, &d_new);
                let mut mg = Multigrid::new(stencil(&op, &d_old), p);
                mg.refresh_fine(st);
                let fresh = Multigrid::new(st, p);
                let fine = |m: &Multigrid| -> (Vec<u64>, Vec<u64>) {
                    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits() as u64).collect::<Vec<_>>();
                    let bits64 = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    match &m.h {
                        Hierarchy::Double(c) => match &c.fine_relax {
                            Smoother::Point(wd) => (bits64(wd), vec![]),
                            Smoother::Line(f) => (bits64(f.inv()), bits64(f.up())),
                        },
                        Hierarchy::Single { cycle, fine: copy, .. } => match &cycle.fine_relax {
                            Smoother::Point(wd) => (bits(wd), bits(&copy.diag)),
                            Smoother::Line(f) => ([bits(f.inv()), bits(f.up())].concat(), bits(&copy.diag)),
                        },
                    }
                };
                assert!(fine(&mg) == fine(&fresh), "{relax:?} {precision:?}");
                // and a stale hierarchy does differ (the test can fail)
                assert!(fine(&Multigrid::new(stencil(&op, &d_old), p)) != fine(&fresh));
            }
        }
    }

    #[test]
    fn linear_interpolation_needs_fewer_iterations_on_the_benchmark() {
        use crate::solver::Precond;
        let its = |interp| {
            let mut sim = bench::setup_implicit(
                24,
                24,
                48,
                10.0,
                1e-8,
                Precond::Multigrid(MgParams { interp, ..MgParams::default() }),
                false,
            );
            (0..3).map(|_| sim.step(10.0).iterations).sum::<usize>()
        };
        let (c, l) = (its(Interp::Constant), its(Interp::Linear));
        assert!(l < c, "linear {l} vs constant {c}");
    }
}
