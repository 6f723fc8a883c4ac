//! The output loop: run the simulation from one output time to the next and account, at each,
//! for the delivered amount and its flux, the amounts per layer, in the lumen, the film, the
//! receptor and cleared, the depth profiles and the mass balance.

use super::field::field;
use super::materials::{Setup, film_schedule, initial_fill, setup};
use super::validate::validate;
use super::{Bottom, DepthProfile, Donor, Geometry, TransportProblem, TransportResult, UG_PER_CM2_PER_MGML_UM};
use crate::error::TransportError;
use crate::fv::BottomBc;
use crate::sim::{DonorState, Simulation, StepControl};

/// CG tolerance for 1-D (intact skin) problems solved with default step control (numerical
/// choice; why: at `solve_observed`).
pub const ONED_RTOL: f64 = 1e-12;

/// [`solve_with`](crate::solve_with), calling `progress` with the share of the simulated time
/// done (0-1, reaching 1 at the end) after each output time. The callback only observes: the
/// result is the same bits as without it.
pub fn solve_observed(
    problem: &TransportProblem,
    control: Option<StepControl>,
    progress: &mut dyn FnMut(f64),
) -> Result<TransportResult, TransportError> {
    validate(problem)?;
    let mut s = setup(problem)?;
    let duration = problem.duration_h * 3600.0;
    let outs = output_times_s(problem, duration);
    let (control, exact_cg) = step_control(problem, control, &outs, duration);
    let (mut sim, area) = start(problem, &mut s, control);
    if exact_cg {
        // CG at ONED_RTOL conserves to ~1e-12 by itself; the projection's uniform shift would
        // put that much round-off product into every cell, dermis included, and swamp an intact
        // delivery of 1e-12 of the dose (it read −3e-11 µg/cm² where the solve gives 6e-20)
        sim.conserve = false;
    }
    let removal_s = match &problem.donor {
        Donor::Film { vehicle, .. } => vehicle.removal_h.map(|t| t * 3600.0),
        _ => None,
    };
    let mut res = TransportResult {
        times_h: vec![],
        flux_ug_per_cm2_h: vec![],
        cumulative_ug_per_cm2: vec![],
        receptor_ug_per_cm2: vec![],
        cleared_ug_per_cm2: vec![],
        layer_amounts_ug_per_cm2: vec![],
        channel_ug_per_cm2: vec![],
        donor_ug_per_cm2: vec![],
        applied_ug_per_cm2: vec![],
        removed_ug_per_cm2: vec![],
        dry_deposit_ug_per_cm2: vec![],
        film_capacity_um: vec![],
        profiles: vec![],
        lag_time_h: None,
        max_depth_um_above_threshold: 0.0,
        mass_balance_rel_error: 0.0,
        steps: 0,
        cg_iterations: 0,
        cells: s.grid.layout().n,
        field: None,
    };
    let mut accounts = Accounts { problem, setup: &s, area, initial: None };
    accounts.record(&sim, &mut res);
    for &t in &outs {
        if let Some(tr) = removal_s.filter(|&tr| sim.t < tr && tr <= t) {
            sim.advance_to(tr);
            sim.remove_film();
        }
        sim.advance_to(t);
        if !sim.all_converged && sim.worst_residual > 1e-8 {
            return Err(TransportError::NotConverged { rel_residual: sim.worst_residual, time_s: sim.t });
        }
        accounts.record(&sim, &mut res);
        progress((t / duration).min(1.0));
    }
    if let Geometry::Patch { .. } = problem.geometry {
        res.field = Some(field(&sim, &s));
    }
    res.steps = sim.steps;
    res.cg_iterations = sim.cg_iterations;
    finish(problem, &mut res);
    Ok(res)
}

/// The output times, s: 24 equal intervals when none are given; the duration always last.
fn output_times_s(problem: &TransportProblem, duration: f64) -> Vec<f64> {
    let mut outs: Vec<f64> = if problem.output_times_h.is_empty() {
        (1..=24).map(|k| duration * k as f64 / 24.0).collect()
    } else {
        problem.output_times_h.iter().map(|t| t * 3600.0).collect()
    };
    if outs.last().is_none_or(|&t| t < duration * (1.0 - 1e-12)) {
        outs.push(duration);
    }
    outs
}

/// The step control of a solve (`None`: the defaults, with the largest step bounded by the
/// output spacing) and whether it is an intact-skin solve to [`ONED_RTOL`].
fn step_control(
    problem: &TransportProblem,
    control: Option<StepControl>,
    outs: &[f64],
    duration: f64,
) -> (StepControl, bool) {
    let min_gap = outs.iter().scan(0.0, |prev, &t| {
        let g = t - *prev;
        *prev = t;
        Some(g)
    });
    let min_gap = min_gap.fold(f64::INFINITY, f64::min);
    let mut control = control.unwrap_or_default();
    if control.dt_max_s == StepControl::default().dt_max_s {
        // numerical choice: at most the output spacing and at most 1/24 of the duration (the
        // local-error control sets the step below that; 1/100 cost 12 % more steps for no
        // measurable accuracy, docs/performance.md)
        control.dt_max_s = min_gap.min(duration / 24.0);
    }
    let exact_cg = problem.geometry == Geometry::OneD && control.rtol == StepControl::default().rtol;
    if exact_cg {
        // numerical choice: intact skin (1-D, ~100 cells, milliseconds) is solved to rtol 1e-12.
        // Its delivered amounts are often tiny (ng/cm² and below) and are the denominator of
        // the enhancement ratio; at the default rtol their absolute error (~1e-6 of the donor
        // concentration over the dermis) would swamp them.
        control.rtol = ONED_RTOL;
    }
    (control, exact_cg)
}

/// The simulation at t = 0: the lumen filled from the film ([`initial_fill`]), the donor, the
/// bottom, and an evolving film's schedule; and the top area, µm². The materials move out of
/// `s` into the simulation.
fn start(problem: &TransportProblem, s: &mut Setup, control: StepControl) -> (Simulation, f64) {
    let lay = s.grid.layout();
    let area = s.grid.top_area();
    // the channel lumen fills with product taken from the film (`initial_fill`)
    let lumen_um3: f64 = (0..lay.n)
        .filter(|&c| s.channel[c])
        .map(|c| {
            let (k, j, i) = (c / lay.sxy, (c % lay.sxy) / lay.nx, c % lay.nx);
            s.grid.column_area(i, j) * (s.grid.zf[k + 1] - s.grid.zf[k])
        })
        .sum();
    let fill = initial_fill(&problem.donor, area, lumen_um3);
    let (donor, du0) = match &problem.donor {
        Donor::Infinite { concentration_mg_ml } => (DonorState::Infinite { u: *concentration_mg_ml }, 0.0),
        Donor::Finite { concentration_mg_ml, .. } | Donor::Film { concentration_mg_ml, .. } => {
            (DonorState::Finite { volume_um3: fill.film_um3 }, *concentration_mg_ml)
        }
    };
    let bottom = match problem.bottom {
        Bottom::Sink => BottomBc::Sink,
        Bottom::Closed => BottomBc::Closed,
    };
    let mut sim = {
        // the materials move into the simulation and the initial field is dropped once copied
        // (memory: 32 B per cell)
        let u0: Vec<f64> = s.channel.iter().map(|&ch| if ch { fill.lumen_mg_ml } else { 0.0 }).collect();
        Simulation::new(
            s.grid.clone(),
            std::mem::take(&mut s.materials),
            bottom,
            donor,
            du0,
            &u0,
            s.schedule.clone(),
            control,
        )
    };
    if let Some((schedule, amount)) = film_schedule(&problem.donor, area, fill.film_um3, fill.lumen_mg_ml * lumen_um3) {
        sim.set_film(schedule, amount);
    }
    (sim, area)
}

/// The accounting of one solve at its output times.
struct Accounts<'a> {
    problem: &'a TransportProblem,
    setup: &'a Setup,
    /// Top area of the grid, µm².
    area: f64,
    /// An infinite donor's total at t = 0 (the lumen's initial fill), once recorded.
    initial: Option<f64>,
}

impl Accounts<'_> {
    /// Append the state of `sim` to every series of `res`: per-plane amounts (tissue, lumen,
    /// per layer), the depth profile, the delivered amount and its flux, the film, receptor,
    /// cleared and removed amounts, and the mass balance against the dose.
    fn record(&mut self, sim: &Simulation, res: &mut TransportResult) {
        let (s, problem, area) = (self.setup, self.problem, self.area);
        let lay = s.grid.layout();
        let conv = UG_PER_CM2_PER_MGML_UM / area;
        let nl = problem.layers.len();
        let u = &sim.u;
        let cap = &sim.op.cap;
        let mut layer_amt = vec![0.0; nl];
        let mut lumen = 0.0;
        let mut depth = Vec::with_capacity(lay.nz);
        let mut conc = Vec::with_capacity(lay.nz);
        let mut tconc = Vec::with_capacity(lay.nz);
        let mut skin_total = 0.0;
        for k in 0..lay.nz {
            let hz = s.grid.zf[k + 1] - s.grid.zf[k];
            let (mut m_all, mut m_t, mut v_all, mut v_t, mut m_l) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for j in 0..lay.ny {
                for i in 0..lay.nx {
                    let c = k * lay.sxy + j * lay.nx + i;
                    let pidx = c + lay.pad;
                    let v = s.grid.column_area(i, j) * hz;
                    let m = cap[pidx] * u[pidx];
                    m_all += m;
                    v_all += v;
                    if s.channel[c] {
                        m_l += m;
                    } else {
                        m_t += m;
                        v_t += v;
                    }
                }
            }
            skin_total += m_all;
            lumen += m_l;
            layer_amt[s.plane_layer[k]] += m_t;
            depth.push(s.grid.zc(k));
            conc.push(m_all / v_all);
            tconc.push(if v_t > 0.0 { m_t / v_t } else { 0.0 });
        }
        let cleared = sim.cleared_per_plane();
        let cleared_all: f64 = cleared.iter().sum();
        let cleared_below: f64 = (0..lay.nz).filter(|&k| s.plane_layer[k] > 0).map(|k| cleared[k]).sum();
        let receptor = sim.receptor_amount();
        let below: f64 = layer_amt[1..].iter().sum();
        let delivered = below + cleared_below + receptor;
        // instantaneous flux into the delivered compartment
        let flux = delivered_flux(sim, s);
        let donor_amt = sim.donor_amount();
        let removed = sim.removed_amount();
        let total = donor_amt + skin_total + cleared_all + receptor + removed;
        // the dose: a finite film's nominal dose (not the grid's sum: the balance is checked
        // against what was applied), or an infinite donor's initial lumen fill plus inflow
        let reference = match &problem.donor {
            Donor::Finite { film_thickness_um, concentration_mg_ml }
            | Donor::Film { film_thickness_um, concentration_mg_ml, .. } => {
                film_thickness_um * concentration_mg_ml * area
            }
            Donor::Infinite { .. } => *self.initial.get_or_insert(total) + sim.donor_input(),
        };
        let err =
            if reference.abs() > 0.0 { (total - reference).abs() / reference.abs() } else { (total - reference).abs() };
        res.mass_balance_rel_error = res.mass_balance_rel_error.max(err);
        res.times_h.push(sim.t / 3600.0);
        res.flux_ug_per_cm2_h.push(flux * conv * 3600.0);
        res.cumulative_ug_per_cm2.push(delivered * conv);
        res.receptor_ug_per_cm2.push(receptor * conv);
        res.cleared_ug_per_cm2.push(cleared_all * conv);
        res.layer_amounts_ug_per_cm2.push(layer_amt.iter().map(|m| m * conv).collect());
        res.channel_ug_per_cm2.push(lumen * conv);
        res.donor_ug_per_cm2.push(donor_amt * conv);
        res.applied_ug_per_cm2.push(reference * conv);
        res.removed_ug_per_cm2.push(removed * conv);
        res.dry_deposit_ug_per_cm2.push(sim.dry_deposit() * conv);
        res.film_capacity_um.push(sim.film_capacity() / area);
        res.profiles.push(DepthProfile {
            time_h: sim.t / 3600.0,
            depth_um: depth,
            concentration_mg_ml: conc,
            tissue_concentration_mg_ml: tconc,
        });
    }
}

/// The quantities read off the whole series: the lag time and the deepest cell above 1 % of
/// the donor concentration at the end.
fn finish(problem: &TransportProblem, res: &mut TransportResult) {
    let c0 = problem.donor.concentration();
    let q = if problem.bottom == Bottom::Sink { &res.receptor_ug_per_cm2 } else { &res.cumulative_ug_per_cm2 };
    res.lag_time_h = lag_time(&res.times_h, q);
    if let Some(last) = res.profiles.last() {
        let thr = 0.01 * c0;
        res.max_depth_um_above_threshold = last
            .depth_um
            .iter()
            .zip(&last.tissue_concentration_mg_ml)
            .filter(|&(_, &c)| c0 > 0.0 && c > thr)
            .map(|(&z, _)| z)
            .fold(0.0, f64::max);
    }
}

/// Lag time (same unit as `t`) from the last two intervals of a cumulative curve, if steady.
pub fn lag_time(t: &[f64], q: &[f64]) -> Option<f64> {
    let n = t.len();
    if n < 3 {
        return None;
    }
    let j2 = (q[n - 1] - q[n - 2]) / (t[n - 1] - t[n - 2]);
    let j1 = (q[n - 2] - q[n - 3]) / (t[n - 2] - t[n - 3]);
    if j2.is_nan() || j2 <= 0.0 || (j2 - j1).abs() > 0.01 * j2 {
        return None;
    }
    Some(t[n - 1] - q[n - 1] / j2)
}

/// Flux (amount/s) into the delivered compartment S = tissue cells below the first layer, plus
/// the receptor outflow of bottom cells outside S.
fn delivered_flux(sim: &Simulation, s: &Setup) -> f64 {
    let lay = sim.op.layout;
    let op = &sim.op;
    let u = &sim.u;
    let in_s = |c: usize| !s.channel[c] && s.plane_layer[c / lay.sxy] > 0;
    let mut f = 0.0;
    for k in 0..lay.nz {
        for j in 0..lay.ny {
            for i in 0..lay.nx {
                let c = k * lay.sxy + j * lay.nx + i;
                let p = c + lay.pad;
                let sc = in_s(c);
                let mut pair = |c2: usize, g: f64| {
                    let s2 = in_s(c2);
                    if sc != s2 {
                        let p2 = c2 + lay.pad;
                        // flux from c2 into c when c ∈ S
                        let fl = g * (u[p2] - u[p]);
                        f += if sc { fl } else { -fl };
                    }
                };
                if i + 1 < lay.nx {
                    pair(c + 1, op.gx[p]);
                }
                if j + 1 < lay.ny {
                    pair(c + lay.nx, op.gy[p]);
                }
                if k + 1 < lay.nz {
                    pair(c + lay.sxy, op.gz[p]);
                }
                if k == 0 && sc {
                    f += op.gtop[j * lay.nx + i] * (sim.donor_value() - u[p]);
                }
                if k + 1 == lay.nz && !sc {
                    f += op.gbot[j * lay.nx + i] * u[p];
                }
            }
        }
    }
    f
}
