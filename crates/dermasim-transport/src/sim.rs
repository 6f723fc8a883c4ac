//! Adaptive implicit time integration (variable-step BDF, backward Euler start, order up to 3
//! by default) with exact mass bookkeeping.
//!
//! A BDF-q step differentiates the polynomial through the new state and the q previous ones at
//! the new time: with `c_j` the derivatives at `t_{n+1}` of the Lagrange basis on the nodes
//! `t_{n+1}, t_n, …, t_{n+1−q}` (any step sizes),
//!
//! ```text
//! Cap Σ_j c_j u^{n+1−j} + A u^{n+1} = b        (q = 2, ω = Δt_n/Δt_{n−1}:
//!   Δt_n c = ((1+2ω)/(1+ω), −(1+ω), ω²/(1+ω)))
//! ```
//!
//! The cumulative outflows (cleared, receptor) and the inflow from an infinite donor are
//! integrated with the *same* formula, `Σ_j c_j F^{n+1−j} = f^{n+1}`, so
//! `mass + outflow − inflow` obeys the homogeneous recurrence driven by the sum of the linear
//! solve's residual. Every solve ends with a conservation projection
//! ([`StepSystem::conserve`]) that makes that sum zero, so the balance holds to round-off
//! whatever the CG tolerance.

use crate::fv::{BottomBc, DONOR_SLOT, FvOperator, Grid, Materials};
use crate::initial_guess::StateGram;
use crate::solver::{CgStats, CgWork, Precond, StepSystem, pcg};

/// The multigrid hierarchy of a step system is rebuilt when the shift `c_0` (`α/Δt` for BDF2),
/// or the conductivity of a scheduled (closing) cell, has moved by more than this factor since
/// it was built; otherwise only the matrix is updated and the old hierarchy preconditions it
/// (numerical choice: costs ~1 % more CG iterations on a unit cell, saves most rebuilds).
pub const MG_REUSE_RATIO: f64 = 2.0;

/// Time-integration scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// Backward Euler throughout.
    BackwardEuler,
    /// One backward-Euler step, then variable-step BDF2.
    Bdf2,
    /// Variable-step BDF of order 3 once three states are known (BE, BDF2 before).
    Bdf3,
    /// Variable-step BDF of order 4 once four states are known (BE, BDF2, BDF3 before).
    Bdf4,
}

impl Scheme {
    /// Highest order the scheme reaches.
    pub fn max_order(self) -> usize {
        match self {
            Scheme::BackwardEuler => 1,
            Scheme::Bdf2 => 2,
            Scheme::Bdf3 => 3,
            Scheme::Bdf4 => 4,
        }
    }
}

/// Milne's constant of BDF-q, `|C_q| / (1 + |C_q|)` with `C_q` the error constant of the method
/// (1/2, 2/9, 3/22, 12/125 for q = 1..4; Hairer & Wanner, *Solving ODEs II*, 1996, §III.1) and
/// 1 the error constant of the extrapolation through q + 1 equally spaced states: the local
/// error is this times (corrector − predictor).
fn milne_constant(q: usize) -> f64 {
    let c = [0.5, 2.0 / 9.0, 3.0 / 22.0, 12.0 / 125.0][q.clamp(1, 4) - 1];
    c / (1.0 + c)
}

/// Derivative at `x[0]` of the Lagrange basis polynomials on the nodes `x` (the coefficients of
/// a variable-step BDF formula: `u'(x_0) ≈ Σ_j c_j u(x_j)`).
fn lagrange_derivative_at_first(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut c = vec![0.0; n];
    c[0] = (1..n).map(|m| 1.0 / (x[0] - x[m])).sum();
    for j in 1..n {
        let num: f64 = (1..n).filter(|&m| m != j).map(|m| x[0] - x[m]).product();
        let den: f64 = (0..n).filter(|&m| m != j).map(|m| x[j] - x[m]).product();
        c[j] = num / den;
    }
    c
}

/// Values at `t` of the Lagrange basis polynomials on the nodes `x` (extrapolation weights).
fn lagrange_weights_at(x: &[f64], t: f64) -> Vec<f64> {
    (0..x.len()).map(|j| (0..x.len()).filter(|&m| m != j).map(|m| (t - x[m]) / (x[j] - x[m])).product()).collect()
}

/// Step-size control and solver settings (numerical choices, documented defaults).
#[derive(Clone, Copy, Debug)]
pub struct StepControl {
    /// First step (s), and the shortest step the error control may choose. Default 1 s
    /// (numerical choice: against 1e-3 s, a 24 h unit cell takes 149/155 steps instead of
    /// 190/215 and its delivered amount moves by 1e-8 (finite film) and 6e-5 (infinite donor)
    /// relative; backward Euler damps the initial discontinuity and the error control takes
    /// over from the fourth step, `docs/performance.md`).
    pub dt_initial_s: f64,
    /// Geometric growth factor of the nominal step. Default 1.2.
    pub growth: f64,
    /// Largest step (s).
    pub dt_max_s: f64,
    /// Largest ratio between consecutive steps (BDF2 is zero-stable below 1+√2). Default 2.
    /// Steps of order 3 and up grow by at most `growth` whatever this says (variable-step BDF3
    /// and BDF4 need moderate ratios).
    pub max_ratio: f64,
    /// CG relative tolerance (capacity-weighted norm). Default 1e-5, a tenth of the default
    /// `time_tol` (numerical choice: against rtol 1e-9 the hourly delivered amounts moved by
    /// ≤ 1.6e-8 relative on a 400 µm patch and ≤ 8e-8 on a unit cell, the depth profiles by
    /// ≤ 1.1e-5 of their maximum; an infinite donor with a closing channel moved by 1e-4,
    /// inside its 8e-4 step error; a quarter fewer CG iterations, `docs/performance.md`;
    /// rtol 1e-4 moved the profiles by 1.5e-3 and is too loose). Mass conservation does
    /// not rest on it, because every solve ends with the conservation projection
    /// `StepSystem::conserve`.
    pub rtol: f64,
    /// CG iteration cap per step.
    pub max_iter: usize,
    /// Scheme. Default [`Scheme::Bdf3`] (numerical choice: 40–50 % fewer steps than BDF2 for the
    /// same accuracy, `docs/performance.md`).
    pub scheme: Scheme,
    /// Preconditioner.
    pub precond: Precond,
    /// Local-error target for adaptive steps (`None`: pure geometric growth). The local error
    /// of a BDF-q step is estimated as `K_q · (u − u_pred)` with `u_pred` the extrapolation of
    /// the last q + 1 states and `K_q` Milne's constant (2/11 for BDF2, 3/25 for BDF3; constant-
    /// step values),
    /// measured as an amount, `Σ Cap|·|` over the skin and the finite film plus the same
    /// predictor–corrector difference of each cumulative flow (cleared per plane, receptor,
    /// inflow from an infinite donor: product that has left the field), relative to the
    /// product in the system (`Σ Cap|u|` + film + cumulative cleared + receptor amounts, i.e.
    /// the dose so far); the next step is `Δt·clamp(0.9 (tol/err)^{1/(q+1)}, 0.2, growth)` for
    /// a step of order q, and never below `dt_initial_s`. Steps are not rejected. A target
    /// below the CG tolerance (`rtol`) is meaningless: the estimate then measures solver noise.
    /// Default 1e-4 with BDF3 (numerical choice: the delivered amount of a 24 h unit cell stays
    /// within 2e-5 (finite film) and 8e-4 (infinite donor, closing channel) of a time_tol 1e-7
    /// reference at every hourly output, see `docs/performance.md`).
    pub time_tol: Option<f64>,
    /// Without `time_tol`: start CG from the linear extrapolation of the last two states
    /// instead of the last state (numerical choice; same converged answer). Default true.
    pub extrapolate: bool,
    /// Start CG from the Galerkin projection of the new state onto the span of the last
    /// states kept for the scheme (the crate's `initial_guess` module) instead of the guess above, once a
    /// state has been solved. Default true (numerical choice: 789 → 262 CG iterations on the
    /// 400 µm `solve-timing` patch, the 24 h amount unchanged to 12 digits,
    /// `docs/performance.md`). The benchmark turns it off to follow the reference solvers'
    /// iterates.
    pub galerkin_guess: bool,
}

impl Default for StepControl {
    fn default() -> Self {
        StepControl {
            dt_initial_s: 1.0,
            growth: 1.2,
            dt_max_s: 600.0,
            max_ratio: 2.0,
            rtol: 1e-5,
            max_iter: 5000,
            scheme: Scheme::Bdf3,
            precond: Precond::Multigrid(crate::mg::MgParams::default()),
            time_tol: Some(1e-4),
            extrapolate: true,
            galerkin_guess: true,
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

/// A finite film whose vehicle evaporates, whose active may saturate, and which may be wiped
/// off: the finite-dose treatment of Kasting & Miller 2006 (J Pharm Sci 95:268) as used by
/// Dancik, Miller, Jaworska & Kasting 2013 (Adv Drug Deliv Rev 65:221).
///
/// The film's unknown is the *water-equivalent* concentration of the dissolved active (its
/// thermodynamic activity times the water solubility), the quantity the tissue partition
/// coefficients refer to. Its capacity is `V(t)·K(t)`, the vehicle volume times the active's
/// vehicle/water partition coefficient, and the amount `M` it holds is conserved by the BDF
/// bookkeeping. When `M` exceeds what the vehicle dissolves, `V·K·S_w`, the rest is a solid
/// deposit and the dissolved concentration stays at saturation: the capacity is
/// `max(V·K, M/S_w)` (evaluated with the amount at the start of each step), so the film
/// gives `u = min(M/(V·K), S_w)`: Higuchi's flux ∝ solubility for a saturated vehicle, and a
/// deposit that dissolves back as the skin takes up the active.
#[derive(Clone, Debug, PartialEq)]
pub struct FilmSchedule {
    /// Non-volatile residue volume (µm³, > 0).
    pub residue_um3: f64,
    /// Volatile volume at t = 0 (µm³).
    pub volatile_um3: f64,
    /// Evaporation rate of the volatile part (µm³/s; zero-order while it lasts).
    pub evaporation_um3_s: f64,
    /// log10 of the vehicle/water partition coefficient of the active in the volatile part.
    pub log_k_vehicle: f64,
    /// log10 of the same in the residue.
    pub log_k_residue: f64,
    /// Water solubility of the active (mg/mL; `f64::INFINITY`: no limit).
    pub water_solubility_mg_ml: f64,
    /// Film volume left after a removal (µm³, > 0; numerical: a trace that takes back what
    /// diffuses out of the skin).
    pub trace_um3: f64,
    /// First-order rate (1/s) at which a dry deposit redissolves once the volatile part has
    /// gone (`None`: at once, the deposit stays in the film's capacity).
    pub dry_dissolution_per_s: Option<f64>,
}

impl FilmSchedule {
    /// Vehicle volume at `t` (s).
    pub fn volume_um3(&self, t: f64) -> f64 {
        self.residue_um3 + (self.volatile_um3 - self.evaporation_um3_s * t).max(0.0)
    }

    /// Vehicle/water partition coefficient at `t` (s): log-linear in the volatile share of the
    /// vehicle (Yalkowsky's log-linear cosolvency rule) \[A\].
    pub fn partition(&self, t: f64) -> f64 {
        let v = self.volume_um3(t);
        let phi = if v > 0.0 { (v - self.residue_um3) / v } else { 0.0 };
        10f64.powf(phi * self.log_k_vehicle + (1.0 - phi) * self.log_k_residue)
    }

    /// Time (s) the volatile part is gone, if it evaporates at all.
    pub fn dry_at_s(&self) -> Option<f64> {
        (self.volatile_um3 > 0.0 && self.evaporation_um3_s > 0.0).then(|| self.volatile_um3 / self.evaporation_um3_s)
    }

    /// Whether a deposit redissolves at its own rate at `t` (s): the film has dried and a
    /// dry-deposit rate is set.
    pub fn deposit_is_dry(&self, t: f64) -> bool {
        self.dry_dissolution_per_s.is_some() && self.dry_at_s().is_some_and(|td| t >= td)
    }

    /// What the vehicle dissolves at `t` (s), µm³·mg/mL: `V·K·S_w` (infinite without a limit).
    pub fn saturated_amount(&self, t: f64) -> f64 {
        self.volume_um3(t) * self.partition(t) * self.water_solubility_mg_ml
    }

    /// Capacity of the film at `t` (s) holding `amount` (µm³·mg/mL) dissolved or deposited in
    /// it: `max(V·K, M/S_w)`; `V·K` once a dry deposit is kept outside it
    /// ([`FilmSchedule::deposit_is_dry`]); the trace's after a removal.
    pub fn capacity(&self, t: f64, amount: f64, removed: bool) -> f64 {
        if removed {
            return self.trace_um3 * 10f64.powf(self.log_k_residue);
        }
        let dissolving = self.volume_um3(t) * self.partition(t);
        if self.deposit_is_dry(t) {
            return dissolving;
        }
        if self.water_solubility_mg_ml.is_finite() && self.water_solubility_mg_ml > 0.0 {
            dissolving.max(amount / self.water_solubility_mg_ml)
        } else {
            dissolving
        }
    }
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

/// Piecewise-linear interpolation of an openness table `(t, s)` at `t` (any time unit, the same
/// for both; the solver uses s, the healing stage h); 1 when empty.
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
    /// Earlier states, newest first (`u^{n−1}, u^{n−2}, …`): as many as the scheme's order
    /// needs, plus one for the error estimate.
    hist: Vec<Vec<f64>>,
    /// Predictor (extrapolation of the known states) when the error is estimated.
    pred: Vec<f64>,
    /// Gram matrices of the newest states (`u`, then `hist`) for the projected initial guess.
    gram: StateGram,
    /// Earlier step sizes, newest first (one per known earlier state: at most `hist.len()`).
    dts: Vec<f64>,
    /// Whether the last step estimated its local error (and so set `dt_nominal`).
    estimated: bool,
    dt_nominal: f64,
    /// Current time (s).
    pub t: f64,
    /// Donor.
    pub donor: DonorState,
    w: Vec<f64>,
    rhs: Vec<f64>,
    work: CgWork,
    sys: Option<StepSystem>,
    /// Materials, kept only when a schedule changes them.
    materials: Option<Materials>,
    bottom: BottomBc,
    schedule: Option<KdSchedule>,
    current_open: f64,
    /// Openness the multigrid hierarchy of `sys` was built for.
    mg_open: f64,
    /// Cumulative cleared amount per z-plane (µm³·mg/mL), at the current state and at each state
    /// of `hist` (newest first).
    cleared: Vec<Vec<f64>>,
    /// Cumulative amount into the receptor (same states).
    receptor: Vec<f64>,
    /// Cumulative amount in from an infinite donor (same states).
    input: Vec<f64>,
    /// The evolving film, if any ([`Simulation::set_film`]).
    film: Option<FilmSchedule>,
    /// Amount in the film at the current state and at each state of `hist` (newest first).
    film_amount: Vec<f64>,
    /// Whether the film has been wiped off.
    film_removed: bool,
    /// Amount wiped off with the film (µm³·mg/mL).
    removed: f64,
    /// Dry deposit outside the film's dissolved amount (µm³·mg/mL; [`FilmSchedule::deposit_is_dry`]).
    deposit: f64,
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
        // the materials are only needed again to apply the schedule (memory: 24 B per cell)
        let materials = schedule.is_some().then_some(materials);
        Self::from_operator(grid, op, materials, bottom, donor, donor_u0, u0, schedule, current_open, control)
    }

    /// Create from an already assembled operator (no coefficient schedule possible; plain CG
    /// without the conservation projection unless [`Simulation::conserve`] is set).
    #[cfg(any(test, feature = "bench"))]
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
        let order = control.scheme.max_order();
        let n_hist = if control.time_tol.is_some() { order } else { order.saturating_sub(1).max(1) };
        Simulation {
            grid,
            hist: (0..n_hist).map(|_| u.clone()).collect(),
            pred: if control.time_tol.is_some() { lay.zeros() } else { Vec::new() },
            gram: StateGram::new(n_hist),
            u,
            dts: Vec::new(),
            estimated: false,
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
            cleared: vec![vec![0.0; nz]; n_hist + 1],
            receptor: vec![0.0; n_hist + 1],
            input: vec![0.0; n_hist + 1],
            film: None,
            film_amount: Vec::new(),
            film_removed: false,
            removed: 0.0,
            deposit: 0.0,
            steps: 0,
            cg_iterations: 0,
            worst_residual: 0.0,
            all_converged: true,
            conserve: true,
            op,
            control,
        }
    }

    /// Make the finite film an evolving one ([`FilmSchedule`]) holding `amount` (µm³·mg/mL) at
    /// the current time (before the first step). No effect with an infinite donor.
    pub fn set_film(&mut self, film: FilmSchedule, amount: f64) {
        if !matches!(self.donor, DonorState::Finite { .. }) {
            return;
        }
        let v = film.capacity(self.t, amount, false);
        self.donor = DonorState::Finite { volume_um3: v };
        self.w[DONOR_SLOT] = 1.0 / v;
        let u0 = amount / v;
        self.u[DONOR_SLOT] = u0;
        for h in &mut self.hist {
            h[DONOR_SLOT] = u0;
        }
        self.film_amount = vec![amount; self.hist.len() + 1];
        self.film = Some(film);
        self.sys = None;
        self.gram.clear();
    }

    /// Wipe the film off (an evolving film only): what it holds, dissolved and deposited, is
    /// booked as removed; a trace of vehicle stays ([`FilmSchedule::trace_um3`]).
    pub fn remove_film(&mut self) {
        if self.film.is_none() || self.film_removed {
            return;
        }
        let m = self.film_amount[0];
        self.removed += m + self.deposit;
        self.deposit = 0.0;
        self.film_removed = true;
        // the film's amounts, now and in the history, all lose what was removed: the BDF
        // recurrence of the total (film + skin + outflows + removed) then keeps every term
        // of its history equal to the dose (zeroing the history instead broke the balance by
        // the film's depletion over the last steps, 0.5 % in `problem.rs`'s removal test)
        self.film_amount.iter_mut().for_each(|a| *a -= m);
        self.u[DONOR_SLOT] = 0.0;
        for h in &mut self.hist {
            h[DONOR_SLOT] = 0.0;
        }
        self.gram.clear();
    }

    /// Amount wiped off with the film so far (µm³·mg/mL).
    pub fn removed_amount(&self) -> f64 {
        self.removed
    }

    /// Dry deposit on the surface (µm³·mg/mL; part of [`Simulation::donor_amount`]).
    pub fn dry_deposit(&self) -> f64 {
        self.deposit
    }

    /// Move `delta` (µm³·mg/mL) from the dry deposit into the film's dissolved amount
    /// (negative: from the film into the deposit). The film's amounts now and in its history
    /// all shift by `delta`: the BDF combination of the history (whose coefficients sum to
    /// zero) is unchanged, so the exchange is an instantaneous transfer at the start of the
    /// step and the recurrence of the total keeps holding to round-off.
    fn shift_film(&mut self, delta: f64) {
        self.film_amount.iter_mut().for_each(|a| *a += delta);
        self.deposit -= delta;
    }

    /// The dry deposit's exchange over a step to `t_new` of size `dt` (operator split, before
    /// the step): when the film first counts as dry, what it holds above saturation becomes
    /// the deposit; then each step the deposit `D` gives the film
    /// `D·(1 − e^{−k·dt})·(1 − M/M_sat)`, at most `M_sat − M` (`M` its dissolved amount,
    /// `M_sat` what the residue dissolves), and a film above saturation gives its excess back.
    fn exchange_deposit(&mut self, t_new: f64, dt: f64) {
        let Some(f) = &self.film else { return };
        if self.film_removed || !f.deposit_is_dry(t_new) {
            return;
        }
        let k = f.dry_dissolution_per_s.unwrap_or(0.0);
        let m_sat = f.saturated_amount(t_new);
        let m = self.film_amount[0];
        if m > m_sat {
            self.shift_film(m_sat - m);
        } else if self.deposit > 0.0 && m_sat > m {
            let give = self.deposit * (-(k * dt)).exp_m1().abs() * (1.0 - m / m_sat);
            self.shift_film(give.min(m_sat - m).min(self.deposit));
        }
    }

    /// The film's current capacity (µm³; the film volume for a plain finite film, `V·K` or
    /// `M/S_w` for an evolving one; 0 for an infinite donor).
    pub fn film_capacity(&self) -> f64 {
        match self.donor {
            DonorState::Finite { volume_um3 } => volume_um3,
            DonorState::Infinite { .. } => 0.0,
        }
    }

    /// Multigrid levels of the current step system (1 = Jacobi or none yet).
    #[cfg(any(test, feature = "bench"))]
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

    /// Amount in the donor film, a dry deposit included (0 for an infinite donor).
    pub fn donor_amount(&self) -> f64 {
        match self.donor {
            DonorState::Infinite { .. } => 0.0,
            DonorState::Finite { volume_um3 } => volume_um3 * self.u[DONOR_SLOT] + self.deposit,
        }
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
            if let Some(&h) = self.dts.first() {
                // variable-step BDF3/4 are zero-stable only for moderate step ratios: there the
                // step grows by at most `growth` (numerical choice, conservative)
                let ratio = if self.next_order() > 2 { c.max_ratio.min(c.growth) } else { c.max_ratio };
                cand = cand.min(ratio * h);
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
            if !self.estimated {
                self.dt_nominal = (nominal * c.growth).min(c.dt_max_s);
            }
        }
    }

    /// Recompute the Gram matrices of the states they hold (`u`, then `hist`) for the current
    /// operator: one matrix–vector product per state.
    fn rebuild_gram(&mut self) {
        let Some(sys) = self.sys.as_ref() else { return self.gram.clear() };
        let m = self.gram.len().min(self.hist.len() + 1);
        self.gram.clear();
        let states: Vec<&[f64]> = std::iter::once(&self.u[..]).chain(self.hist.iter().map(|h| &h[..])).collect();
        for n in (0..m).rev() {
            let (c, k) = sys.gram_row(&self.op, states[n], &states[n..m], &mut self.work);
            self.gram.push(&c, &k);
        }
    }

    /// States known, the current one included (at most `hist.len() + 1`).
    fn known(&self) -> usize {
        self.dts.len() + 1
    }

    /// Order of the next step: the scheme's, or fewer while the history builds up.
    fn next_order(&self) -> usize {
        self.control.scheme.max_order().min(self.known())
    }

    /// Take one step of size `dt` (s): move the coefficients to the new time, form the BDF
    /// system, its right-hand side and initial guess, solve, then advance the bookkeeping and
    /// choose the next step.
    pub fn step(&mut self, dt: f64) -> CgStats {
        let t_new = self.t + dt;
        self.exchange_deposit(t_new, dt);
        self.update_film_capacity(t_new);
        let op_changed = self.update_schedule(t_new);
        let bdf = self.bdf(dt);
        self.prepare_system(bdf.shift(), op_changed);
        // right-hand side −Cap Σ_{j≥1} c_j u^{n+1−j} (+ the donor below): coefficients `a`
        // over the state buffers, newest first: u^n, u^{n−1}, … (the last may not hold a state)
        let mut a = vec![0.0; self.hist.len() + 1];
        for (aj, cj) in a.iter_mut().zip(&bdf.c[1..=bdf.q]) {
            *aj = -cj;
        }
        // error estimate: extrapolation of the states t_n … t_{n−q} to t_{n+1}
        let estimate = self.control.time_tol.is_some() && self.known() > bdf.q;
        let weights = estimate.then(|| lagrange_weights_at(&bdf.nodes[1..=bdf.q + 1], dt));
        let y = self.guess_coefficients(dt, &bdf, &a, weights.as_deref());
        self.assemble(&a, weights.as_deref().unwrap_or_default(), &y, estimate);
        let st = self.solve();
        let flow_err = self.advance_flows(&bdf.c, weights.as_deref(), estimate);
        if let (true, Some(tol)) = (estimate, self.control.time_tol) {
            self.control_step(dt, bdf.q, tol, flow_err);
        }
        self.estimated = estimate;
        self.dts.insert(0, dt);
        self.dts.truncate(self.hist.len());
        self.t = t_new;
        st
    }

    /// The evolving film's capacity at the new time `t_new`, with the amount it holds now.
    fn update_film_capacity(&mut self, t_new: f64) {
        if let Some(f) = &self.film {
            let v = f.capacity(t_new, self.film_amount[0], self.film_removed);
            self.donor = DonorState::Finite { volume_um3: v };
            self.w[DONOR_SLOT] = 1.0 / v;
            if let Some(sys) = self.sys.as_mut() {
                sys.set_donor_cap(v);
            }
        }
    }

    /// Apply the channel schedule's openness at `t_new` to the operator; whether it changed.
    fn update_schedule(&mut self, t_new: f64) -> bool {
        if let (Some(s), Some(m)) = (&self.schedule, &mut self.materials) {
            let o = s.openness(t_new);
            if o != self.current_open {
                self.current_open = o;
                apply_schedule(m, s, o);
                self.op.update_conductivity(&self.grid, m, self.bottom, &s.cells);
                return true;
            }
        }
        false
    }

    /// The BDF coefficients of a step of size `dt` at the order the history allows.
    fn bdf(&self, dt: f64) -> Bdf {
        // nodes relative to t_n, newest first: t_{n+1}, t_n, t_{n−1}, …
        let q = self.next_order();
        let mut nodes = vec![dt, 0.0];
        for &h in &self.dts {
            nodes.push(nodes[nodes.len() - 1] - h);
        }
        // BDF-q: Cap Σ_j c_j u^{n+1−j} + A u^{n+1} = b, c from the nodes t_{n+1} … t_{n+1−q}
        let c = lagrange_derivative_at_first(&nodes[..=q]);
        Bdf { q, nodes, c }
    }

    /// The step system for `shift`: rebuilt (with a new multigrid hierarchy) when the shift
    /// or the scheduled conductances moved by more than [`MG_REUSE_RATIO`] since the
    /// hierarchy was built, else updated in place; the Gram matrices follow an operator change.
    fn prepare_system(&mut self, shift: f64, op_changed: bool) {
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
        if op_changed && !self.gram.is_empty() {
            self.rebuild_gram();
        }
    }

    /// Coefficients `y` of the initial guess `Σ_j y_j s_j` over the state buffers: the
    /// Galerkin projection onto the states the Gram matrices hold (`m` ≥ q of them, so that
    /// `u_iᵀ b` follows from the capacity Gram matrix; never the oldest buffer, which takes the
    /// guess), else the predictor `weights`, else an extrapolation, else the last state.
    fn guess_coefficients(&self, dt: f64, bdf: &Bdf, a: &[f64], weights: Option<&[f64]>) -> Vec<f64> {
        let (q, shift) = (bdf.q, bdf.shift());
        let lay = self.op.layout;
        let m = self.gram.len().min(self.hist.len());
        let projected = if self.control.galerkin_guess && m >= q {
            let mut f = self.gram.capacity_products(&a[..m]);
            if let DonorState::Infinite { u: ud } = self.donor {
                // `b` also holds `g_top·u_d` on the top plane
                let top = lay.pad..lay.pad + self.op.gtop.len();
                let states = std::iter::once(&self.u).chain(&self.hist);
                for (fj, s) in f.iter_mut().zip(states) {
                    *fj += ud * crate::par::dot(&s[top.clone()], &self.op.gtop);
                }
            }
            self.gram.coefficients(shift, &f)
        } else {
            None
        };
        let mut y = vec![0.0; self.hist.len() + 1];
        match (&projected, weights) {
            (Some(p), _) => y[..p.len()].copy_from_slice(p),
            (None, Some(w)) => y[..w.len()].copy_from_slice(w),
            _ if self.known() >= 2 && self.control.time_tol.is_none() && self.control.extrapolate => {
                // linear extrapolation u^n + ω (u^n − u^{n−1})
                let om = dt / self.dts[0];
                y[0] = 1.0 + om;
                y[1] = -om;
            }
            _ => y[0] = 1.0,
        }
        y
    }

    /// Form the right-hand side (coefficients `a`), the predictor (`w`, when `estimate`) and
    /// the initial guess (`y`) in one pass over the state buffers, add the donor's terms, and
    /// rotate the buffers: the oldest takes the guess and becomes `u`, the current state joins
    /// the history.
    fn assemble(&mut self, a: &[f64], w: &[f64], y: &[f64], estimate: bool) {
        let lay = self.op.layout;
        // the finite film's row: the same combination of its earlier values
        let film: f64 = std::iter::once(self.u[DONOR_SLOT])
            .chain(self.hist.iter().map(|h| h[DONOR_SLOT]))
            .zip(a)
            .map(|(v, aj)| aj * v)
            .sum();
        let mut next = self.hist.pop().expect("at least one history state");
        {
            let newer = std::iter::once(&self.u[..]).chain(self.hist.iter().map(|h| &h[..])).collect();
            let combinations = Combinations { newer, cap: &self.op.cap, a, w, y };
            prepare(&combinations, &mut next, &mut self.rhs, estimate.then_some(&mut self.pred[..]));
        }
        match self.donor {
            DonorState::Infinite { u: ud } => {
                for (j, g) in self.op.gtop.iter().enumerate() {
                    self.rhs[lay.pad + j] += g * ud;
                }
                self.rhs[DONOR_SLOT] = 0.0;
            }
            DonorState::Finite { volume_um3 } => {
                self.rhs[DONOR_SLOT] = match &self.film {
                    // an evolving film: the BDF combination of its amounts (its capacity moves)
                    Some(_) => self.film_amount.iter().zip(a).map(|(m, aj)| aj * m).sum(),
                    None => volume_um3 * film,
                }
            }
        }
        std::mem::swap(&mut self.u, &mut next);
        self.hist.insert(0, next);
    }

    /// Solve the step system from the initial guess in `u` (PCG, then the conservation
    /// projection when [`Simulation::conserve`] is set); record the film's amount, the new
    /// state's Gram row and the solver statistics.
    fn solve(&mut self) -> CgStats {
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
            sys.conserve(&self.op, &self.rhs, &mut self.u);
        }
        if let (Some(_), DonorState::Finite { volume_um3 }) = (&self.film, self.donor) {
            self.film_amount.pop();
            self.film_amount.insert(0, volume_um3 * self.u[DONOR_SLOT]);
        }
        if self.control.galerkin_guess {
            // the new state's Gram row against the states it will be projected with
            let m = (self.gram.len() + 1).min(self.hist.len());
            let states: Vec<&[f64]> = std::iter::once(&self.u[..]).chain(self.hist.iter().map(|h| &h[..])).collect();
            let (c, k) = sys.gram_row(&self.op, &self.u, &states[..m], &mut self.work);
            self.gram.push(&c, &k);
        }
        self.steps += 1;
        self.cg_iterations += st.iterations;
        self.worst_residual = self.worst_residual.max(st.rel_residual);
        self.all_converged &= st.converged;
        st
    }

    /// Advance the cumulative flows (cleared per plane, receptor, donor inflow) with the
    /// step's BDF formula, `Σ_j c_j F^{n+1−j} = f^{n+1}`; returns the predictor–corrector
    /// difference of those flows (0 unless `estimate`, with the predictor `weights`).
    fn advance_flows(&mut self, c: &[f64], weights: Option<&[f64]>, estimate: bool) -> f64 {
        let lay = self.op.layout;
        let advance = |f: f64, hist: &[f64]| (f - c[1..].iter().zip(hist).map(|(cj, h)| cj * h).sum::<f64>()) / c[0];
        let extrapolate = |hist: &[f64]| weights.map_or(0.0, |w| w.iter().zip(hist).map(|(wj, h)| wj * h).sum());
        let mut flow_err = 0.0;
        let s = lay.sxy;
        let u = &self.u;
        let nz = lay.nz;
        let mut cleared_new = vec![0.0; nz];
        for (k, out) in cleared_new.iter_mut().enumerate() {
            let a = lay.pad + k * s;
            let f = crate::par::dot(&self.op.kcap[a..a + s], &u[a..a + s]);
            let hist: Vec<f64> = self.cleared.iter().map(|v| v[k]).collect();
            *out = advance(f, &hist);
            if estimate {
                flow_err += (*out - extrapolate(&hist)).abs();
            }
        }
        self.cleared.pop();
        self.cleared.insert(0, cleared_new);
        let bot = lay.pad + lay.n - s;
        let fr = crate::par::dot(&self.op.gbot, &u[bot..bot + s]);
        let nr = advance(fr, &self.receptor);
        if estimate {
            flow_err += (nr - extrapolate(&self.receptor)).abs();
        }
        self.receptor.pop();
        self.receptor.insert(0, nr);
        if let DonorState::Infinite { u: ud } = self.donor {
            let top = &u[lay.pad..lay.pad + s];
            let fi = crate::par::sum_by(s, |j| self.op.gtop[j] * (ud - top[j]));
            let ni = advance(fi, &self.input);
            if estimate {
                flow_err += (ni - extrapolate(&self.input)).abs();
            }
            self.input.pop();
            self.input.insert(0, ni);
        }
        flow_err
    }

    /// The next nominal step from the local error of this BDF-`q` step of size `dt` (the
    /// predictor–corrector difference of the product in the system, `flow_err` for the
    /// cumulative flows) against `tol`.
    fn control_step(&mut self, dt: f64, q: usize, tol: f64, flow_err: f64) {
        let cap = &self.op.cap;
        let (u, pr) = (&self.u, &self.pred);
        // the product in the system so far: skin + film + cleared + receptor
        let (mut e, mut m) = crate::par::weighted_abs_sums(cap, u, pr);
        e += flow_err;
        if let DonorState::Finite { volume_um3 } = self.donor {
            e += volume_um3 * (u[DONOR_SLOT] - pr[DONOR_SLOT]).abs();
            m += volume_um3 * u[DONOR_SLOT].abs();
        }
        m += self.cleared[0].iter().map(|v| v.abs()).sum::<f64>() + self.receptor[0].abs();
        e *= milne_constant(q);
        let err = if m > 0.0 { e / m } else { 0.0 };
        let expo = 1.0 / (q as f64 + 1.0);
        let by_err = if err > 0.0 { dt * (0.9 * (tol / err).powf(expo)).max(0.2) } else { f64::INFINITY };
        // never below the first step: an error target under the CG tolerance's noise would
        // otherwise shrink the step without end
        let floor = self.control.dt_initial_s.min(self.control.dt_max_s);
        self.dt_nominal = (self.dt_nominal * self.control.growth).min(by_err).min(self.control.dt_max_s).max(floor);
    }
}

/// The BDF coefficients of one step.
struct Bdf {
    /// Order of the step.
    q: usize,
    /// Nodes relative to `t_n`, newest first: `t_{n+1}, t_n, t_{n−1}, …`.
    nodes: Vec<f64>,
    /// `c_j` of `Cap Σ_j c_j u^{n+1−j} + A u^{n+1} = b` (`q + 1` of them).
    c: Vec<f64>,
}

impl Bdf {
    /// The shift `c_0` of the step matrix `c_0·Cap + A`.
    fn shift(&self) -> f64 {
        self.c[0]
    }
}

/// The inputs of [`prepare`]: the states newer than the oldest buffer (newest first), the
/// capacities and the three coefficient sets over all the states (missing trailing
/// coefficients are zero).
struct Combinations<'a> {
    newer: Vec<&'a [f64]>,
    cap: &'a [f64],
    a: &'a [f64],
    w: &'a [f64],
    y: &'a [f64],
}

/// The three combinations of a step's state buffers in one pass over them (a step's cost is
/// the memory it streams): `rhs_i = Cap_i Σ_j a_j s_j[i]`, `pred_i = Σ_j w_j s_j[i]` (when
/// `pred` is given) and the initial guess `Σ_j y_j s_j[i]`. The states are `newer` followed
/// by `oldest`, whose values are read before the guess overwrites them.
fn prepare(k: &Combinations<'_>, oldest: &mut [f64], rhs: &mut [f64], pred: Option<&mut [f64]>) {
    // the state count as a constant, so that the short sums unroll
    match k.newer.len() + 1 {
        2 => prepare_n::<2>(k, oldest, rhs, pred),
        3 => prepare_n::<3>(k, oldest, rhs, pred),
        4 => prepare_n::<4>(k, oldest, rhs, pred),
        5 => prepare_n::<5>(k, oldest, rhs, pred),
        n => panic!("{n} state buffers: the schemes keep 2 to 5"),
    }
}

fn prepare_n<const N: usize>(k: &Combinations<'_>, oldest: &mut [f64], rhs: &mut [f64], pred: Option<&mut [f64]>) {
    use crate::par::{CHUNK, PAR_MIN};
    use rayon::prelude::*;
    let (newer, cap) = (&k.newer, k.cap);
    assert!(newer.len() + 1 == N && k.a.len() <= N && k.w.len() <= N && k.y.len() <= N);
    let coef = |c: &[f64]| -> [f64; N] {
        let mut v = [0.0; N];
        v[..c.len()].copy_from_slice(c);
        v
    };
    let (a, w, y) = (coef(k.a), coef(k.w), coef(k.y));
    let comb = |k: &[f64; N], s: &[f64; N]| {
        let mut acc = k[0] * s[0];
        for j in 1..N {
            acc += k[j] * s[j];
        }
        acc
    };
    let run = |c: usize, r: &mut [f64], o: &mut [f64], mut p: Option<&mut [f64]>| {
        let base = c * CHUNK;
        let mut s = [0.0; N];
        for k in 0..r.len() {
            let i = base + k;
            for (sj, st) in s.iter_mut().zip(newer) {
                *sj = st[i];
            }
            s[N - 1] = o[k];
            r[k] = cap[i] * comb(&a, &s);
            if let Some(p) = p.as_deref_mut() {
                p[k] = comb(&w, &s);
            }
            o[k] = comb(&y, &s);
        }
    };
    let n = rhs.len();
    match pred {
        Some(p) if n >= PAR_MIN => rhs
            .par_chunks_mut(CHUNK)
            .zip(oldest.par_chunks_mut(CHUNK))
            .zip(p.par_chunks_mut(CHUNK))
            .enumerate()
            .for_each(|(c, ((r, o), p))| run(c, r, o, Some(p))),
        Some(p) => rhs
            .chunks_mut(CHUNK)
            .zip(oldest.chunks_mut(CHUNK))
            .zip(p.chunks_mut(CHUNK))
            .enumerate()
            .for_each(|(c, ((r, o), p))| run(c, r, o, Some(p))),
        None if n >= PAR_MIN => rhs
            .par_chunks_mut(CHUNK)
            .zip(oldest.par_chunks_mut(CHUNK))
            .enumerate()
            .for_each(|(c, (r, o))| run(c, r, o, None)),
        None => {
            rhs.chunks_mut(CHUNK).zip(oldest.chunks_mut(CHUNK)).enumerate().for_each(|(c, (r, o))| run(c, r, o, None))
        }
    }
}

fn apply_schedule(m: &mut Materials, s: &KdSchedule, o: f64) {
    for (q, &c) in s.cells.iter().enumerate() {
        m.kd[c] = s.kd_closed[q] + o * (s.kd_open[q] - s.kd_closed[q]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bdf_coefficients_are_exact_for_polynomials_of_their_order() {
        // variable steps: new node at 0.7 after t_n = 0, then steps of 0.5, 1.1 and 0.3 back
        let nodes = [0.7, 0.0, -0.5, -1.6, -1.9];
        for q in 1..=4 {
            let c = lagrange_derivative_at_first(&nodes[..=q]);
            for degree in 0..=q {
                let p = |t: f64| (t + 0.3).powi(degree as i32);
                let dp = if degree == 0 { 0.0 } else { degree as f64 * (nodes[0] + 0.3).powi(degree as i32 - 1) };
                let approx: f64 = c.iter().zip(&nodes).map(|(cj, &t)| cj * p(t)).sum();
                assert!((approx - dp).abs() < 1e-10 * (1.0 + dp.abs()), "q {q} degree {degree}: {approx} vs {dp}");
            }
            // … and not beyond: the error constant is not zero
            let p = |t: f64| (t + 0.3).powi(q as i32 + 1);
            let dp = (q as f64 + 1.0) * (nodes[0] + 0.3).powi(q as i32);
            let approx: f64 = c.iter().zip(&nodes).map(|(cj, &t)| cj * p(t)).sum();
            assert!((approx - dp).abs() > 1e-6, "q {q}");
        }
        // constant steps h = 1: BDF3 is (11/6, −3, 3/2, −1/3)
        let c = lagrange_derivative_at_first(&[1.0, 0.0, -1.0, -2.0]);
        for (a, b) in c.iter().zip([11.0 / 6.0, -3.0, 1.5, -1.0 / 3.0]) {
            assert!((a - b).abs() < 1e-14, "{c:?}");
        }
    }

    #[test]
    fn extrapolation_weights_reproduce_polynomials_through_the_nodes() {
        let nodes = [0.0, -0.5, -1.6, -1.9];
        let w = lagrange_weights_at(&nodes, 0.7);
        let p = |t: f64| 2.0 - t + 0.5 * t * t - 0.25 * t * t * t;
        let approx: f64 = w.iter().zip(&nodes).map(|(wj, &t)| wj * p(t)).sum();
        assert!((approx - p(0.7)).abs() < 1e-12);
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // Milne's constants: 2/11 for BDF2 (the constant-step value), falling with the order
        assert!((milne_constant(2) - 2.0 / 11.0).abs() < 1e-15);
        assert!((1..4).all(|q| milne_constant(q + 1) < milne_constant(q)));
    }
}
