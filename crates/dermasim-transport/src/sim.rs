//! Adaptive implicit time integration (backward Euler start, variable-step BDF2) with exact
//! mass bookkeeping.
//!
//! Variable-step BDF2 with ratio `ω = Δt_n/Δt_{n−1}`:
//!
//! ```text
//! Cap [ α u^{n+1} − (1+ω) u^n + ω²/(1+ω) u^{n−1} ] / Δt_n + A u^{n+1} = b,   α = (1+2ω)/(1+ω)
//! ```
//!
//! The cumulative outflows (cleared, receptor) and the inflow from an infinite donor are
//! integrated with the *same* recurrence, `α F^{n+1} − (1+ω) F^n + ω²/(1+ω) F^{n−1} = Δt·f^{n+1}`,
//! so `mass + outflow − inflow` obeys the homogeneous recurrence driven by the sum of the linear
//! solve's residual. Every solve ends with a conservation projection
//! ([`StepSystem::conserve`]) that makes that sum zero, so the balance holds to round-off
//! whatever the CG tolerance.

use crate::fv::{BottomBc, DONOR_SLOT, FvOperator, Grid, Materials};
use crate::solver::{CgStats, CgWork, Precond, StepSystem, pcg};

/// The multigrid hierarchy of a step system is rebuilt when the shift `α/Δt`, or the
/// conductivity of a scheduled (closing) cell, has moved by more than this factor since it was
/// built; otherwise only the matrix is updated and the old hierarchy preconditions it
/// (numerical choice: costs ~1 % more CG iterations on a unit cell, saves most rebuilds).
pub const MG_REUSE_RATIO: f64 = 2.0;

/// Time-integration scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// Backward Euler throughout.
    BackwardEuler,
    /// One backward-Euler step, then variable-step BDF2.
    Bdf2,
}

/// Step-size control and solver settings (numerical choices, documented defaults).
#[derive(Clone, Copy, Debug)]
pub struct StepControl {
    /// First step (s). Default 1e-3 s: resolves the initial discontinuity.
    pub dt_initial_s: f64,
    /// Geometric growth factor of the nominal step. Default 1.2.
    pub growth: f64,
    /// Largest step (s).
    pub dt_max_s: f64,
    /// Largest ratio between consecutive steps (BDF2 is zero-stable below 1+√2). Default 2.
    pub max_ratio: f64,
    /// CG relative tolerance (capacity-weighted norm). Default 1e-6 (numerical choice: the
    /// 24 h outputs of a unit cell agree with rtol 1e-8 to 11 digits). Mass conservation does
    /// not rest on it, because every solve ends with the conservation projection
    /// [`StepSystem::conserve`](crate::solver::StepSystem::conserve).
    pub rtol: f64,
    /// CG iteration cap per step.
    pub max_iter: usize,
    /// Scheme.
    pub scheme: Scheme,
    /// Preconditioner.
    pub precond: Precond,
    /// Local-error target for adaptive steps (`None`: pure geometric growth). The BDF2
    /// local error is estimated as `2/11 · (u − u_pred)` with `u_pred` the quadratic
    /// extrapolation of the last three states (Milne's device, constant-step constants),
    /// measured as an amount, `Σ Cap|·|` over the skin and the finite film plus the same
    /// predictor–corrector difference of each cumulative flow (cleared per plane, receptor,
    /// inflow from an infinite donor: product that has left the field), relative to the
    /// product in the system (`Σ Cap|u|` + film + cumulative cleared + receptor amounts, i.e.
    /// the dose so far); the next step is `Δt·clamp(0.9 (tol/err)^{1/3}, 0.2, growth)`. Steps
    /// are not rejected. Default 2e-5 (numerical choice: the delivered amount of a 24 h unit
    /// cell stays within 2e-5 (finite film) and 9e-4 (infinite donor) of a time_tol 1e-7
    /// reference, see `docs/performance.md`; at 3e-5 the Crank Q(t_lag) test exceeds its 1e-3
    /// tolerance).
    pub time_tol: Option<f64>,
    /// Without `time_tol`: start CG from the linear extrapolation of the last two states
    /// instead of the last state (numerical choice; same converged answer). Default true.
    pub extrapolate: bool,
}

impl Default for StepControl {
    fn default() -> Self {
        StepControl {
            dt_initial_s: 1e-3,
            growth: 1.2,
            dt_max_s: 600.0,
            max_ratio: 2.0,
            rtol: 1e-6,
            max_iter: 5000,
            scheme: Scheme::Bdf2,
            precond: Precond::Multigrid(crate::mg::MgParams::default()),
            time_tol: Some(2e-5),
            extrapolate: true,
        }
    }
}

/// State of the donor film.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DonorState {
    /// Constant donor value `u_d` (infinite dose / Dirichlet).
    Infinite {
        /// Donor value (vehicle concentration, mg/mL).
        u: f64,
    },
    /// Well-mixed finite film of volume `volume_um3`; its value is the unknown in slot 0.
    Finite {
        /// Film volume over the whole top area (µm³).
        volume_um3: f64,
    },
}

/// Time-dependent conductivity of a set of cells: `kd(t) = kd_closed + s(t)(kd_open − kd_closed)`.
#[derive(Clone, Debug)]
pub struct KdSchedule {
    /// Natural (unpadded) indices of the affected cells.
    pub cells: Vec<usize>,
    /// `K·D` when fully open.
    pub kd_open: Vec<f64>,
    /// `K·D` when closed.
    pub kd_closed: Vec<f64>,
    /// Openness table `(t_s, s)`, piecewise linear, constant beyond the ends.
    pub table: Vec<(f64, f64)>,
}

impl KdSchedule {
    /// Openness at time `t` (s), clamped to [0, 1].
    pub fn openness(&self, t: f64) -> f64 {
        openness_at(&self.table, t)
    }
}

/// Piecewise-linear interpolation of an openness table `(t_s, s)`; 1 when empty.
pub fn openness_at(table: &[(f64, f64)], t: f64) -> f64 {
    let s = match table {
        [] => 1.0,
        [(_, s)] => *s,
        _ => {
            if t <= table[0].0 {
                table[0].1
            } else if t >= table[table.len() - 1].0 {
                table[table.len() - 1].1
            } else {
                let k = table.windows(2).position(|w| t >= w[0].0 && t <= w[1].0).unwrap_or(0);
                let (t0, s0) = table[k];
                let (t1, s1) = table[k + 1];
                if t1 > t0 { s0 + (s1 - s0) * (t - t0) / (t1 - t0) } else { s1 }
            }
        }
    };
    s.clamp(0.0, 1.0)
}

/// A running simulation: field, bookkeeping and cached step systems.
pub struct Simulation {
    /// Grid.
    pub grid: Grid,
    /// Current operator.
    pub op: FvOperator,
    /// Settings.
    pub control: StepControl,
    /// Current field `u = C/K` (padded; slot 0 = donor value for a finite film).
    pub u: Vec<f64>,
    u_prev: Vec<f64>,
    u_prev2: Vec<f64>,
    pred: Vec<f64>,
    has_prev: bool,
    nprev: usize,
    dt_prev: f64,
    dt_prev2: f64,
    dt_nominal: f64,
    /// Current time (s).
    pub t: f64,
    /// Donor.
    pub donor: DonorState,
    w: Vec<f64>,
    rhs: Vec<f64>,
    work: CgWork,
    sys: Option<StepSystem>,
    materials: Option<Materials>,
    bottom: BottomBc,
    schedule: Option<KdSchedule>,
    current_open: f64,
    /// Openness the multigrid hierarchy of `sys` was built for.
    mg_open: f64,
    /// Cumulative cleared amount per z-plane (µm³·mg/mL) at the current and the two previous
    /// steps.
    cleared: [Vec<f64>; 3],
    /// Cumulative amount into the receptor (same three steps).
    receptor: [f64; 3],
    /// Cumulative amount in from an infinite donor (same three steps).
    input: [f64; 3],
    /// Steps taken.
    pub steps: usize,
    /// Total CG iterations.
    pub cg_iterations: usize,
    /// Largest final relative residual of any step.
    pub worst_residual: f64,
    /// Whether every CG solve met its tolerance.
    pub all_converged: bool,
    /// End every solve with the conservation projection [`StepSystem::conserve`], which makes
    /// the mass bookkeeping exact to round-off whatever `control.rtol` is. On for
    /// [`Simulation::new`]; off for [`Simulation::with_operator`], the raw-operator entry point
    /// of the benchmark, whose iterates are compared with plain CG in the reference solvers.
    pub conserve: bool,
}

impl Simulation {
    /// Create a simulation from materials (kept for coefficient schedules) and an initial field
    /// `u0` (natural order, `u = C/K`). `donor_u0` is the initial donor value.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        grid: Grid,
        materials: Materials,
        bottom: BottomBc,
        donor: DonorState,
        donor_u0: f64,
        u0: &[f64],
        schedule: Option<KdSchedule>,
        control: StepControl,
    ) -> Self {
        let mut materials = materials;
        let mut current_open = 1.0;
        if let Some(s) = &schedule {
            current_open = s.openness(0.0);
            apply_schedule(&mut materials, s, current_open);
        }
        let op = FvOperator::build(&grid, &materials, bottom);
        Self::from_operator(grid, op, Some(materials), bottom, donor, donor_u0, u0, schedule, current_open, control)
    }

    /// Create from an already assembled operator (no coefficient schedule possible; plain CG
    /// without the conservation projection unless [`Simulation::conserve`] is set).
    pub fn with_operator(
        grid: Grid,
        op: FvOperator,
        donor: DonorState,
        donor_u0: f64,
        u0: &[f64],
        control: StepControl,
    ) -> Self {
        let bottom = if op.gbot.iter().any(|&g| g > 0.0) { BottomBc::Sink } else { BottomBc::Closed };
        let mut sim = Self::from_operator(grid, op, None, bottom, donor, donor_u0, u0, None, 1.0, control);
        sim.conserve = false;
        sim
    }

    #[allow(clippy::too_many_arguments)]
    fn from_operator(
        grid: Grid,
        op: FvOperator,
        materials: Option<Materials>,
        bottom: BottomBc,
        donor: DonorState,
        donor_u0: f64,
        u0: &[f64],
        schedule: Option<KdSchedule>,
        current_open: f64,
        control: StepControl,
    ) -> Self {
        let lay = op.layout;
        let mut u = lay.zeros();
        u[lay.interior()].copy_from_slice(u0);
        let mut w = lay.zeros();
        crate::par::for_each_mut(&mut w, |i, v| *v = if op.cap[i] > 0.0 { 1.0 / op.cap[i] } else { 0.0 });
        match donor {
            DonorState::Finite { volume_um3 } => {
                u[DONOR_SLOT] = donor_u0;
                w[DONOR_SLOT] = 1.0 / volume_um3;
            }
            DonorState::Infinite { .. } => {}
        }
        let nz = lay.nz;
        Simulation {
            grid,
            u_prev: u.clone(),
            u_prev2: Vec::new(),
            pred: Vec::new(),
            u,
            has_prev: false,
            nprev: 0,
            dt_prev: 0.0,
            dt_prev2: 0.0,
            dt_nominal: control.dt_initial_s,
            t: 0.0,
            donor,
            w,
            rhs: lay.zeros(),
            work: CgWork::new(lay.len),
            sys: None,
            materials,
            bottom,
            schedule,
            current_open,
            mg_open: current_open,
            cleared: [vec![0.0; nz], vec![0.0; nz], vec![0.0; nz]],
            receptor: [0.0; 3],
            input: [0.0; 3],
            steps: 0,
            cg_iterations: 0,
            worst_residual: 0.0,
            all_converged: true,
            conserve: true,
            op,
            control,
        }
    }

    /// Multigrid levels of the current step system (1 = Jacobi or none yet).
    pub fn levels(&self) -> usize {
        self.sys.as_ref().map_or(1, |s| s.levels())
    }

    /// Current donor value `u_d`.
    pub fn donor_value(&self) -> f64 {
        match self.donor {
            DonorState::Infinite { u } => u,
            DonorState::Finite { .. } => self.u[DONOR_SLOT],
        }
    }

    /// Amount in the donor film (0 for an infinite donor).
    pub fn donor_amount(&self) -> f64 {
        match self.donor {
            DonorState::Infinite { .. } => 0.0,
            DonorState::Finite { volume_um3 } => volume_um3 * self.u[DONOR_SLOT],
        }
    }

    /// Amount per z-plane (Σ Cap·u), deterministic.
    pub fn plane_amounts(&self) -> Vec<f64> {
        let lay = self.op.layout;
        (0..lay.nz)
            .map(|k| {
                let a = lay.pad + k * lay.sxy;
                crate::par::dot(&self.op.cap[a..a + lay.sxy], &self.u[a..a + lay.sxy])
            })
            .collect()
    }

    /// Cumulative cleared amount per plane.
    pub fn cleared_per_plane(&self) -> &[f64] {
        &self.cleared[0]
    }
    /// Cumulative amount into the receptor.
    pub fn receptor_amount(&self) -> f64 {
        self.receptor[0]
    }
    /// Cumulative inflow from an infinite donor (0 for a finite film).
    pub fn donor_input(&self) -> f64 {
        self.input[0]
    }

    /// Openness currently applied to the schedule (1 without one).
    pub fn current_openness(&self) -> f64 {
        self.current_open
    }

    /// Largest factor by which a scheduled cell's `K·D` differs from its value when the
    /// multigrid hierarchy was built (1 without a schedule).
    fn schedule_drift(&self) -> f64 {
        let Some(s) = &self.schedule else { return 1.0 };
        if self.current_open == self.mg_open {
            return 1.0;
        }
        let kd = |q: usize, o: f64| s.kd_closed[q] + o * (s.kd_open[q] - s.kd_closed[q]);
        (0..s.cells.len()).fold(1.0, |acc: f64, q| {
            let (a, b) = (kd(q, self.current_open), kd(q, self.mg_open));
            if a > 0.0 && b > 0.0 { acc.max(a / b).max(b / a) } else { f64::INFINITY }
        })
    }

    /// Advance to exactly `t_target` (s) with adaptive steps.
    pub fn advance_to(&mut self, t_target: f64) {
        let c = self.control;
        while self.t < t_target {
            let remaining = t_target - self.t;
            if remaining <= 1e-12 * t_target.abs().max(1.0) {
                self.t = t_target;
                break;
            }
            let mut cand = self.dt_nominal.min(c.dt_max_s);
            if self.has_prev {
                cand = cand.min(c.max_ratio * self.dt_prev);
            }
            let dt = if remaining <= cand {
                remaining
            } else if remaining < 2.0 * cand {
                0.5 * remaining
            } else {
                cand
            };
            let nominal = self.dt_nominal;
            self.step(dt);
            if c.time_tol.is_none() || self.nprev < 3 {
                self.dt_nominal = (nominal * c.growth).min(c.dt_max_s);
            }
        }
    }

    /// Take one step of size `dt` (s).
    pub fn step(&mut self, dt: f64) -> CgStats {
        let t_new = self.t + dt;
        let mut op_changed = false;
        if let (Some(s), Some(m)) = (&self.schedule, &mut self.materials) {
            let o = s.openness(t_new);
            if o != self.current_open {
                self.current_open = o;
                apply_schedule(m, s, o);
                self.op.update_conductivity(&self.grid, m, self.bottom, &s.cells);
                op_changed = true;
            }
        }
        let bdf2 = self.control.scheme == Scheme::Bdf2 && self.has_prev;
        let (alpha, a1, a2) = if bdf2 {
            let om = dt / self.dt_prev;
            ((1.0 + 2.0 * om) / (1.0 + om), 1.0 + om, om * om / (1.0 + om))
        } else {
            (1.0, 1.0, 0.0)
        };
        let shift = alpha / dt;
        let donor_cap = match self.donor {
            DonorState::Finite { volume_um3 } => Some(volume_um3),
            DonorState::Infinite { .. } => None,
        };
        let reuse = MG_REUSE_RATIO;
        let rebuild = match &self.sys {
            None => true,
            Some(sys) => {
                let r = shift / sys.mg_shift();
                r > reuse || r * reuse < 1.0 || self.schedule_drift() > reuse
            }
        };
        if rebuild {
            self.sys = None; // free the old hierarchy first (memory)
            self.sys = Some(StepSystem::new(&self.op, shift, donor_cap, self.control.precond));
            self.mg_open = self.current_open;
        } else if let Some(sys) = self.sys.as_mut().filter(|s| op_changed || s.shift != shift) {
            sys.update(&self.op, shift);
        }
        // right-hand side
        let lay = self.op.layout;
        {
            let (cap, u, up) = (&self.op.cap, &self.u, &self.u_prev);
            let inv_dt = 1.0 / dt;
            crate::par::for_each_mut(&mut self.rhs, |i, v| {
                *v = cap[i] * inv_dt * (a1 * u[i] - a2 * up[i]);
            });
        }
        match self.donor {
            DonorState::Infinite { u: ud } => {
                for (j, g) in self.op.gtop.iter().enumerate() {
                    self.rhs[lay.pad + j] += g * ud;
                }
                self.rhs[DONOR_SLOT] = 0.0;
            }
            DonorState::Finite { volume_um3 } => {
                self.rhs[DONOR_SLOT] = volume_um3 / dt * (a1 * self.u[DONOR_SLOT] - a2 * self.u_prev[DONOR_SLOT]);
            }
        }
        let estimate = self.control.time_tol.is_some() && self.nprev >= 2;
        if self.control.time_tol.is_some() && self.u_prev2.is_empty() {
            self.u_prev2 = lay.zeros();
            self.pred = lay.zeros();
        }
        // quadratic extrapolation weights of the last three states to t_new
        let weights = estimate.then(|| {
            let (h1, h2, tau) = (self.dt_prev, self.dt_prev2, dt);
            let w0 = (tau + h1) * (tau + h1 + h2) / (h1 * (h1 + h2));
            let w1 = -tau * (tau + h1 + h2) / (h1 * h2);
            let w2 = tau * (tau + h1) / ((h1 + h2) * h2);
            [w0, w1, w2]
        });
        if let Some([w0, w1, w2]) = weights {
            let (u, up, up2) = (&self.u, &self.u_prev, &self.u_prev2);
            crate::par::for_each_mut(&mut self.pred, |i, v| *v = w0 * u[i] + w1 * up[i] + w2 * up2[i]);
        }
        // rotate: u_prev2 ← u^{n-1}, u_prev ← u^n, u ← initial guess
        if !self.u_prev2.is_empty() {
            std::mem::swap(&mut self.u_prev2, &mut self.u_prev);
        }
        std::mem::swap(&mut self.u, &mut self.u_prev);
        if estimate {
            self.u.copy_from_slice(&self.pred);
        } else if self.u_prev2.is_empty() && self.has_prev && self.control.extrapolate {
            // here u = u^{n-1}, u_prev = u^n: linear extrapolation u^n + ω (u^n − u^{n-1})
            let om = dt / self.dt_prev;
            crate::par::zip_mut(&mut self.u, &self.u_prev, move |v, un| *v = (1.0 + om) * un - om * *v);
        } else {
            self.u.copy_from_slice(&self.u_prev);
        }
        let sys = self.sys.as_mut().expect("system built above");
        let st = pcg(
            &self.op,
            sys,
            &self.rhs,
            &mut self.u,
            &self.w,
            self.control.rtol,
            self.control.max_iter,
            &mut self.work,
        );
        if self.conserve {
            sys.conserve(&self.op, &self.rhs, &mut self.u, &mut self.work);
        }
        // a BE or BDF2 step only needs u^{n-1} for the next step: u_prev now holds u^n. Good.
        self.steps += 1;
        self.cg_iterations += st.iterations;
        self.worst_residual = self.worst_residual.max(st.rel_residual);
        self.all_converged &= st.converged;

        // bookkeeping with the same recurrence; `flow_err` collects the predictor–corrector
        // difference of the cumulative flows (cleared per plane, receptor, donor inflow)
        let extrapolate = |f: &[f64; 3]| weights.map_or(0.0, |[w0, w1, w2]| w0 * f[0] + w1 * f[1] + w2 * f[2]);
        let mut flow_err = 0.0;
        let upd = |f: f64, cur: f64, prev: f64| (dt * f + a1 * cur - a2 * prev) / alpha;
        let s = lay.sxy;
        let u = &self.u;
        for k in 0..lay.nz {
            let a = lay.pad + k * s;
            let f = crate::par::dot(&self.op.kcap[a..a + s], &u[a..a + s]);
            let hist = [self.cleared[0][k], self.cleared[1][k], self.cleared[2][k]];
            let nv = upd(f, hist[0], hist[1]);
            flow_err += (nv - extrapolate(&hist)).abs();
            self.cleared[2][k] = hist[1];
            self.cleared[1][k] = hist[0];
            self.cleared[0][k] = nv;
        }
        let bot = lay.pad + lay.n - s;
        let fr = crate::par::dot(&self.op.gbot, &u[bot..bot + s]);
        let nr = upd(fr, self.receptor[0], self.receptor[1]);
        flow_err += (nr - extrapolate(&self.receptor)).abs();
        self.receptor = [nr, self.receptor[0], self.receptor[1]];
        if let DonorState::Infinite { u: ud } = self.donor {
            let top = &u[lay.pad..lay.pad + s];
            let fi = crate::par::sum_by(s, |j| self.op.gtop[j] * (ud - top[j]));
            let ni = upd(fi, self.input[0], self.input[1]);
            flow_err += (ni - extrapolate(&self.input)).abs();
            self.input = [ni, self.input[0], self.input[1]];
        }
        if let (true, Some(tol)) = (estimate, self.control.time_tol) {
            let cap = &self.op.cap;
            let (u, pr) = (&self.u, &self.pred);
            let mut e = crate::par::sum_by(u.len(), |i| cap[i] * (u[i] - pr[i]).abs()) + flow_err;
            // the product in the system so far: skin + film + cleared + receptor
            let mut m = crate::par::sum_by(u.len(), |i| cap[i] * u[i].abs());
            if let DonorState::Finite { volume_um3 } = self.donor {
                e += volume_um3 * (u[DONOR_SLOT] - pr[DONOR_SLOT]).abs();
                m += volume_um3 * u[DONOR_SLOT].abs();
            }
            m += self.cleared[0].iter().map(|v| v.abs()).sum::<f64>() + self.receptor[0].abs();
            e *= 2.0 / 11.0;
            let err = if m > 0.0 { e / m } else { 0.0 };
            let by_err = if err > 0.0 { dt * (0.9 * (tol / err).cbrt()).max(0.2) } else { f64::INFINITY };
            self.dt_nominal = (self.dt_nominal * self.control.growth).min(by_err).min(self.control.dt_max_s);
        }
        self.has_prev = true;
        self.nprev += 1;
        self.dt_prev2 = self.dt_prev;
        self.dt_prev = dt;
        self.t = t_new;
        st
    }
}

fn apply_schedule(m: &mut Materials, s: &KdSchedule, o: f64) {
    for (q, &c) in s.cells.iter().enumerate() {
        m.kd[c] = s.kd_closed[q] + o * (s.kd_open[q] - s.kd_closed[q]);
    }
}
