//! Transport stage: how much of each product reaches which depth, through the channels and
//! through intact skin, and the enhancement ratio between the two.
//!
//! This module translates a scenario into `dermasim-transport` problems; the numerics and the
//! chemistry live there. For each product:
//!
//! 1. Physico-chemical values: the active's preset (`dermasim_transport::props::preset`), with
//!    every value the scenario gives taking precedence.
//! 2. Per-layer coefficients (`props::coefficients`): stratum corneum from the Dancik/Kasting
//!    two-phase model, viable tissues and dermal clearance from the Kretsos/OSP relations; in a
//!    Franz cell no clearance and a receptor sink below the dermis.
//! 3. Two solves: intact skin (1-D layers), and treated skin, either one mean channel in an
//!    axisymmetric unit cell whose area is that of one distinct hole (`unit_cell`), or a 3-D
//!    window of the actual puncture map (`patch`).
//!
//! The channel of the unit cell is the mean channel: mean depth, and the radius of a disk with
//! the mean opening area (π/4 · width · length). Its fluid diffusivity is the product's aqueous
//! diffusivity times the Renkin hindrance for the solute in a pore of that radius. Channel
//! openness over time comes from the healing stage when it supplies a curve.

use std::collections::BTreeMap;

use dermasim_transport::props::{self, Permeant, ScHydration};
use dermasim_transport::{
    Bottom, Donor, Geometry, Hole, Layer, Resolution, TransportProblem, TransportResult, Vehicle,
};
use serde::Serialize;

use crate::channels::Channel;
use crate::params::{Distribution, Param, Parameters, Provenance, Stage};
use crate::pattern::PatternStats;
use crate::scenario::invitro::Invitro;
use crate::scenario::{Ionisation, Product, Resolution as ScenarioResolution, Scenario, TransportMode};
use crate::skin::Mounting;

/// Side of the patch window solved in 3-D, µm (centred in the simulated window). Numerical
/// choice: 2 mm holds tens to hundreds of holes at clinical densities.
pub const PATCH_WINDOW_UM: f64 = 2000.0;

/// Smallest diffusivity passed to the solver, µm²/s. Numerical choice: the chemistry reports an
/// impermeable stratum corneum (macromolecules) as D = 0, which the solver refuses; 1e-6 µm²/s
/// lets nothing measurable through in a month (L²/D ≈ 7 years for 15 µm) while keeping the
/// conductance contrast with the dermis (~1e9) within what the linear solver resolves.
pub const MIN_DIFFUSIVITY_UM2_S: f64 = 1e-6;

/// Smallest partition coefficient passed to the solver. Numerical choice, as
/// [`MIN_DIFFUSIVITY_UM2_S`].
pub const MIN_PARTITION: f64 = 1e-3;

/// Largest mass-balance error accepted from a solve; above it (or with values that are not
/// numbers) the product is reported as not computed rather than with wrong numbers.
pub const MAX_MASS_BALANCE_ERROR: f64 = 1e-6;

fn check_result(r: &TransportResult, what: &str) -> Result<(), String> {
    let finite = r
        .cumulative_ug_per_cm2
        .iter()
        .chain(&r.receptor_ug_per_cm2)
        .chain(&r.cleared_ug_per_cm2)
        .all(|v| v.is_finite())
        && r.layer_amounts_ug_per_cm2.iter().flatten().all(|v| v.is_finite());
    if !finite || r.mass_balance_rel_error.is_nan() || r.mass_balance_rel_error > MAX_MASS_BALANCE_ERROR {
        return Err(format!(
            "{what}: the solver did not give a trustworthy result (mass-balance error {:e}, finite values: {finite})",
            r.mass_balance_rel_error
        ));
    }
    Ok(())
}

/// Amounts below this are reported as "nothing", µg/cm² (1 pg/cm²: far below what any assay
/// detects). Numerical choice; it keeps ratios from dividing by round-off.
pub const NEGLIGIBLE_UG_PER_CM2: f64 = 1e-6;

/// Delivery of one product: the numbers `summary.json` holds under `delivery.<product>`.
/// The solves they come from are in [`ProductDelivery`].
#[derive(Clone, Debug, Serialize)]
pub struct Delivery {
    /// Product name.
    pub product: String,
    /// `unit_cell` or `patch`.
    pub mode: TransportMode,
    /// Delivered amount (crossed the stratum corneum) at the end, µg/cm².
    pub cumulative_ug_per_cm2: f64,
    /// The same on intact skin, µg/cm².
    pub intact_cumulative_ug_per_cm2: f64,
    /// Enhancement ratio, treated / intact, as papers report it (`docs/outputs.md`): the ratio
    /// of the steady-state fluxes when both solves reach a steady state ([`FluxSummary`]),
    /// otherwise the ratio of the amounts delivered over the stated window
    /// `[0, enhancement_window_h]` (`enhancement_basis` says which). None when intact skin lets
    /// through less than [`NEGLIGIBLE_UG_PER_CM2`] (or has no flux): unbounded, not a number.
    pub enhancement_ratio: Option<f64>,
    /// `steady-flux` or `amount-over-window`.
    pub enhancement_basis: EnhancementBasis,
    /// The window of an amount ratio, h (the simulated time).
    pub enhancement_window_h: f64,
    /// Steady state, Kp and peak flux of both solves (`delivery.<p>.flux`).
    pub flux: FluxSummary,
    /// The Franz-cell samples of an `[invitro]` protocol (`delivery.<p>.franz`): receptor
    /// concentration and cumulative amount at each sampling time, treated and intact skin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub franz: Option<FranzSeries>,
    /// Amount in the skin at the end (every layer, stratum corneum and channel fluid included),
    /// µg/cm²: what a tape-strip or a fluorescence image of the skin measures.
    pub skin_content_ug_per_cm2: f64,
    /// The same on intact skin, µg/cm².
    pub intact_skin_content_ug_per_cm2: f64,
    /// Treated / intact skin content; None when intact skin holds less than
    /// [`NEGLIGIBLE_UG_PER_CM2`] or its content is not resolved by the grid
    /// (`intact_skin_content_resolved`).
    pub skin_content_ratio: Option<f64>,
    /// Whether the intact stratum corneum's uptake is resolved by the grid: the product's
    /// penetration length √(D_sc·t) at the end reaches at least the first cell's thickness.
    /// When it does not (a large or slow permeant: a fraction of a µm in a day), the steep
    /// front inside the first cell is not resolved and the uptake changes with the cell size
    /// (it grows as the cells shrink: pal-KTTKS, 24 h, 0.29 / 0.57 / 1.02 µg/cm² on the coarse /
    /// normal / fine grids). The intact skin content, the intact dose balance's surface and
    /// SC shares and the skin-content ratio are then grid artefacts: the ratio is not reported.
    pub intact_skin_content_resolved: bool,
    /// Lag time on treated skin, h (None before steady state; negative after a burst through
    /// channels that have since closed).
    pub lag_time_h: Option<f64>,
    /// Lag time on intact skin, h.
    pub intact_lag_time_h: Option<f64>,
    /// Deepest point where the concentration exceeds 1 % of the donor's, at the end, µm.
    pub max_depth_um_above_threshold: f64,
    /// The same on intact skin, µm.
    pub intact_max_depth_um_above_threshold: f64,
    /// Steady permeability of intact skin from the layer resistances in series, cm/h.
    pub intact_kp_cm_h: Option<f64>,
    /// Potts & Guy 1992 permeability, cm/h (quick QSPR, for comparison).
    pub potts_guy_kp_cm_h: f64,
    /// Simulated time, h.
    pub duration_h: f64,
    /// Unit cell: channel radius, µm.
    pub channel_radius_um: Option<f64>,
    /// Unit cell: cell radius, µm.
    pub cell_radius_um: Option<f64>,
    /// Unit cell: channel depth, µm.
    pub channel_depth_um: Option<f64>,
    /// Renkin hindrance applied to the channel fluid's diffusivity.
    pub hindrance: f64,
    /// Worst mass-balance error of the two solves (relative).
    pub mass_balance_rel_error: f64,
    /// What the vehicle did (evaporation, saturation, removal).
    pub vehicle: VehicleOutcome,
    /// Where the applied dose is at the end, treated skin ([`DoseBalance`]).
    pub dose_balance: DoseBalance,
    /// The same on intact skin.
    pub intact_dose_balance: DoseBalance,
    /// How intact skin was made permeable to this product: the stratum corneum route, the
    /// regional factor of the site and where the permeant lies against the data.
    pub permeation: Permeation,
    /// Flags from the chemistry (extrapolations, estimated inputs).
    pub warnings: Vec<String>,
}

/// The transport stage's result for one product, in memory: its numbers ([`Delivery`], what
/// the summary holds) and the two solves behind them, which only the front ends read (time
/// series, profiles, the 3-D field) and which are not serialised. Derefs to its numbers.
#[derive(Clone, Debug)]
pub struct ProductDelivery {
    /// The numbers (what `summary.json` holds).
    pub numbers: Delivery,
    /// Time series and profiles of the treated skin; in `patch` mode its `field` holds the 3-D
    /// concentration at the end (written as VTK by the front end).
    pub treated: TransportResult,
    /// Time series and profiles of intact skin.
    pub intact: TransportResult,
}

impl std::ops::Deref for ProductDelivery {
    type Target = Delivery;
    fn deref(&self) -> &Delivery {
        &self.numbers
    }
}

/// Where the applied dose of one product is at the end of the simulated time, µg/cm² and as a
/// share of the dose: the invariant `applied = on_surface + removed + Σ layers + channel fluid +
/// cleared + receptor` holds at every output time (`closure_rel_error`, checked against the
/// nominal dose, not against the grid's own sum).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DoseBalance {
    /// Applied dose: the film's (dose × concentration), or for an infinite dose what the
    /// reservoir has given (lumen fill and inflow), µg/cm².
    pub applied_ug_per_cm2: f64,
    /// Still on the skin surface (the film), µg/cm².
    pub on_surface_ug_per_cm2: f64,
    /// The part of `on_surface` that is a dry solid deposit (the vehicle's volatile part has
    /// gone and the active above its solubility in the residue redissolves at
    /// [`DRY_DEPOSIT_DISSOLUTION_PER_H`]), µg/cm².
    pub dry_deposit_ug_per_cm2: f64,
    /// Wiped or washed off with the film (`removal_h`), µg/cm² (the active itself is taken as
    /// non-volatile: only its vehicle evaporates).
    pub removed_ug_per_cm2: f64,
    /// Tissue content per layer (channel lumen excluded), µg/cm², surface first (a JSON object
    /// keyed by layer name, in this order).
    #[serde(serialize_with = "ordered_map")]
    pub layers_ug_per_cm2: Vec<(String, f64)>,
    /// In the fluid of the channel lumen, µg/cm².
    pub channel_fluid_ug_per_cm2: f64,
    /// Removed by dermal clearance (living skin), µg/cm².
    pub cleared_ug_per_cm2: f64,
    /// Passed into the receptor (Franz cell), µg/cm².
    pub receptor_ug_per_cm2: f64,
    /// The same compartments as fractions of the applied dose (0-1; keys `on_surface`,
    /// `removed`, the layer names, `channel_fluid`, `cleared`, `receptor`, in this order).
    #[serde(serialize_with = "ordered_map")]
    pub fraction_of_applied: Vec<(String, f64)>,
    /// Worst relative closure error of the balance over all output times.
    pub closure_rel_error: f64,
}

impl DoseBalance {
    /// The balance of a solve whose layers are named `names`, at its last output time.
    pub fn of(r: &TransportResult, names: &[&str]) -> DoseBalance {
        let last = |v: &[f64]| v.last().copied().unwrap_or(0.0);
        let mut closure = 0.0f64;
        for k in 0..r.times_h.len() {
            let applied = r.applied_ug_per_cm2[k];
            let held = r.donor_ug_per_cm2[k]
                + r.removed_ug_per_cm2[k]
                + r.layer_amounts_ug_per_cm2[k].iter().sum::<f64>()
                + r.channel_ug_per_cm2[k]
                + r.cleared_ug_per_cm2[k]
                + r.receptor_ug_per_cm2[k];
            let err = if applied > 0.0 { (held - applied).abs() / applied } else { held.abs() };
            closure = closure.max(if err.is_nan() { f64::INFINITY } else { err });
        }
        let layer_last = r.layer_amounts_ug_per_cm2.last().cloned().unwrap_or_default();
        let layers: Vec<(String, f64)> = names.iter().zip(&layer_last).map(|(n, &v)| (n.to_string(), v)).collect();
        let b = DoseBalance {
            applied_ug_per_cm2: last(&r.applied_ug_per_cm2),
            on_surface_ug_per_cm2: last(&r.donor_ug_per_cm2),
            dry_deposit_ug_per_cm2: last(&r.dry_deposit_ug_per_cm2),
            removed_ug_per_cm2: last(&r.removed_ug_per_cm2),
            layers_ug_per_cm2: layers,
            channel_fluid_ug_per_cm2: last(&r.channel_ug_per_cm2),
            cleared_ug_per_cm2: last(&r.cleared_ug_per_cm2),
            receptor_ug_per_cm2: last(&r.receptor_ug_per_cm2),
            fraction_of_applied: Vec::new(),
            closure_rel_error: closure,
        };
        let a = b.applied_ug_per_cm2;
        let share = |v: f64| if a > 0.0 { v / a } else { 0.0 };
        let mut f = vec![
            ("on_surface".to_string(), share(b.on_surface_ug_per_cm2)),
            ("removed".to_string(), share(b.removed_ug_per_cm2)),
        ];
        f.extend(b.layers_ug_per_cm2.iter().map(|(n, v)| (n.clone(), share(*v))));
        f.push(("channel_fluid".to_string(), share(b.channel_fluid_ug_per_cm2)));
        f.push(("cleared".to_string(), share(b.cleared_ug_per_cm2)));
        f.push(("receptor".to_string(), share(b.receptor_ug_per_cm2)));
        DoseBalance { fraction_of_applied: f, ..b }
    }
}

/// Serialises `(key, value)` pairs as a JSON object in their order.
fn ordered_map<S: serde::Serializer>(v: &[(String, f64)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(v.iter().map(|(k, x)| (k, x)))
}

/// What an enhancement ratio is a ratio of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EnhancementBasis {
    /// Steady-state flux through treated skin / through intact skin.
    SteadyFlux,
    /// Amount delivered over `[0, window]`, treated / intact (no common steady state).
    AmountOverWindow,
}

/// Relative change of the flux over the last quarter of the run below which a solve is at
/// steady state (a numerical criterion, the usual reading of a flat cumulative curve) \[A\].
pub const STEADY_FLUX_TOLERANCE: f64 = 0.05;

/// Flux figures of one solve.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FluxFigures {
    /// Steady-state flux, µg/cm²/h: the flux at the end when it changed by less than
    /// [`STEADY_FLUX_TOLERANCE`] over the last quarter of the run; None otherwise (still in the
    /// lag, a finite dose depleting, channels closing).
    pub steady_flux_ug_per_cm2_h: Option<f64>,
    /// Permeability coefficient Kp = J_ss / C_donor, cm/h: steady state under an infinite dose
    /// only (a finite donor's concentration is not constant).
    pub kp_cm_h: Option<f64>,
    /// Largest flux at an output time, µg/cm²/h (the "maximum flux" of finite-dose studies).
    pub peak_flux_ug_per_cm2_h: f64,
    /// When it occurred, h.
    pub peak_flux_time_h: f64,
}

impl FluxFigures {
    /// The figures of a solve; `donor_mg_ml` is the infinite donor's concentration (None:
    /// finite dose).
    pub fn of(r: &TransportResult, donor_mg_ml: Option<f64>) -> FluxFigures {
        let (t, j) = (&r.times_h, &r.flux_ug_per_cm2_h);
        let (mut peak, mut peak_t) = (0.0f64, 0.0f64);
        // after the start: the flux at t = 0 is the channels' initial fill spreading, not permeation
        for (&ti, &ji) in t.iter().zip(j).skip(1) {
            if ji > peak {
                (peak, peak_t) = (ji, ti);
            }
        }
        let steady = match (t.last(), j.last()) {
            (Some(&end), Some(&j_end)) if j_end > 0.0 && end > 0.0 => {
                let j_q = interpolate(t, j, 0.75 * end);
                ((j_end - j_q).abs() <= STEADY_FLUX_TOLERANCE * j_end).then_some(j_end)
            }
            _ => None,
        };
        let steady = steady.filter(|&v| v * t.last().copied().unwrap_or(0.0) > NEGLIGIBLE_UG_PER_CM2);
        FluxFigures {
            steady_flux_ug_per_cm2_h: steady,
            // µg/cm²/h ÷ (mg/mL = 1000 µg/cm³) = cm/h
            kp_cm_h: steady.zip(donor_mg_ml.filter(|&c| c > 0.0)).map(|(j, c)| j / (1000.0 * c)),
            peak_flux_ug_per_cm2_h: peak,
            peak_flux_time_h: peak_t,
        }
    }
}

/// Linear interpolation of `y(x)` at `x0` (x increasing).
fn interpolate(x: &[f64], y: &[f64], x0: f64) -> f64 {
    let k = x.partition_point(|&v| v < x0).clamp(1, x.len().saturating_sub(1).max(1));
    if x.len() < 2 {
        return y.first().copied().unwrap_or(0.0);
    }
    let (x1, x2, y1, y2) = (x[k - 1], x[k], y[k - 1], y[k]);
    if x2 > x1 { y1 + (y2 - y1) * (x0 - x1) / (x2 - x1) } else { y2 }
}

/// One sample of a Franz cell's receptor fluid.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FranzSample {
    /// Sampling time, h.
    pub time_h: f64,
    /// Concentration in the receptor fluid drawn, µg/mL: what the assay measures.
    pub receptor_concentration_ug_ml: f64,
    /// Cumulative amount permeated per area, µg/cm², corrected for the active the earlier
    /// samples took out: `(C_n·V_n + V_s·Σ_{k<n} C_k) / A`.
    pub cumulative_ug_per_cm2: f64,
    /// The same in the whole cell, µg (per `diffusion_area_cm2`).
    pub cumulative_ug: f64,
    /// The same as a share of the applied dose (finite doses; None for an infinite dose, whose
    /// "applied" grows with time).
    pub fraction_of_applied: Option<f64>,
}

/// The receptor samples of a Franz-cell protocol for one product (`delivery.<p>.franz`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FranzSeries {
    /// Receptor chamber volume, mL.
    pub receptor_volume_ml: f64,
    /// Exposed area, cm².
    pub diffusion_area_cm2: f64,
    /// Volume drawn per sample, mL.
    pub sample_volume_ml: f64,
    /// Whether each sample was replaced by fresh receptor fluid.
    pub replace: bool,
    /// Whether the receptor stayed a sink: every sample's concentration below
    /// [`SINK_SHARE_OF_SOLUBILITY`] of the active's water solubility (the model assumes a
    /// perfect sink; above it, a laboratory's receptor would slow permeation).
    pub sink_condition_held: bool,
    /// Treated skin.
    pub treated: Vec<FranzSample>,
    /// Intact skin.
    pub intact: Vec<FranzSample>,
}

/// Largest receptor concentration, as a share of the active's solubility in the (aqueous)
/// receptor fluid, under which the receptor is taken as a sink \[A\]: the usual rule of
/// in vitro permeation tests; Yousef et al. 2016 (Pharm Res 33:2180, abstract \[V\]) show
/// that receptors nearer saturation lower the measured permeation profiles.
pub const SINK_SHARE_OF_SOLUBILITY: Param = Param {
    name: "delivery.sink_share_of_solubility",
    unit: "1",
    value: 0.1,
    allowed: (0.001, 1.0),
    distribution: Distribution::Fixed,
    provenance: Provenance::Assumption(
        "the usual sink rule of in vitro permeation tests (a policy, not drawn); receptors nearer saturation lower permeation (Yousef et al. 2016, Pharm Res 33:2180, abstract [V])",
    ),
    stage: Stage::Delivery,
    description: "largest receptor concentration, as a share of the active's water solubility, taken as a sink",
};

/// The receptor samples of a solve under a Franz-cell protocol. The model's receptor is a
/// perfect sink under the skin, and the solve's sampling times are output times
/// ([`output_times_h`]), so `Q(t_n)`, the amount per area that has entered the receptor by
/// sample `n`, is the solve's own. A laboratory measures the concentration `C_n` of the fluid
/// drawn: the receptor holds `Q(t_n)·A` less what the earlier samples took out,
/// `V_s·Σ_{k<n} C_k`, in the volume `V_R` (samples replaced) or `V_R − n·V_s` (not replaced),
/// so `C_n = (Q(t_n)·A − V_s·Σ_{k<n} C_k) / V_n`; the usual cumulative correction,
/// `(C_n·V_n + V_s·Σ_{k<n} C_k) / A`, gives `Q(t_n)` back.
pub fn franz_samples(r: &TransportResult, iv: &Invitro, finite_dose: bool) -> Vec<FranzSample> {
    let applied = r.applied_ug_per_cm2.last().copied().unwrap_or(0.0);
    let mut withdrawn_ug = 0.0;
    let mut out = Vec::with_capacity(iv.sampling_times_h.len());
    for (n, &t) in iv.sampling_times_h.iter().enumerate() {
        let q = at_time(&r.times_h, &r.receptor_ug_per_cm2, t);
        let volume_ml =
            if iv.replace { iv.receptor_volume_ml } else { iv.receptor_volume_ml - n as f64 * iv.sample_volume_ml };
        let in_cell_ug = q * iv.diffusion_area_cm2;
        let c = (in_cell_ug - withdrawn_ug).max(0.0) / volume_ml;
        withdrawn_ug += c * iv.sample_volume_ml;
        out.push(FranzSample {
            time_h: t,
            receptor_concentration_ug_ml: c,
            cumulative_ug_per_cm2: q,
            cumulative_ug: in_cell_ug,
            fraction_of_applied: (finite_dose && applied > 0.0).then(|| q / applied),
        });
    }
    out
}

/// `y` at the output time `x0` (exact when `x0` is one, as sampling times are; else
/// interpolated).
fn at_time(x: &[f64], y: &[f64], x0: f64) -> f64 {
    match x.iter().position(|&v| (v - x0).abs() <= 1e-9 * x0.abs().max(1.0)) {
        Some(k) => y[k],
        None => interpolate(x, y, x0),
    }
}

/// Output times of the solves (empty: the transport default, 24 equal intervals). Under a
/// Franz-cell protocol, its sampling times and the default grid, less the grid times within a
/// quarter interval of a sampling time (the solver's largest step is the smallest output gap:
/// a grid time next to a sampling time would shorten every step of the run).
pub fn output_times_h(s: &Scenario) -> Vec<f64> {
    let Some(iv) = &s.invitro else { return Vec::new() };
    let d = s.simulation.duration_h;
    let step = d / 24.0;
    let mut t: Vec<f64> = (1..=24)
        .map(|k| d * k as f64 / 24.0)
        .filter(|&g| iv.sampling_times_h.iter().all(|&x| (x - g).abs() > 0.25 * step))
        .chain(iv.sampling_times_h.iter().copied())
        .collect();
    t.sort_by(f64::total_cmp);
    t
}

/// Flux figures of treated and intact skin (`delivery.<p>.flux`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FluxSummary {
    /// Treated skin.
    pub treated: FluxFigures,
    /// Intact skin.
    pub intact: FluxFigures,
}

/// The intact-skin permeability of one product (`delivery.<p>.permeation`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Permeation {
    /// Stratum-corneum permeability of the permeant at the scenario's SC thickness and the
    /// site's regional factor, cm/h.
    pub sc_permeability_cm_h: f64,
    /// How it was computed: `homogenised` (OSP closed form, inside its domain) or
    /// `size-continued` (beyond the closed form's edge at ~490 Da: the lipid pathway continued
    /// with the Potts-Guy size term), or one of the optional low-R variants.
    pub sc_route: &'static str,
    /// Share of the run the stratum corneum is taken as fully hydrated (wet film, occlusion or
    /// an infinite dose); the rest partially hydrated (an open film that has dried), see
    /// [`sc_wet_share`].
    pub sc_hydrated_share: f64,
    /// Regional factor of the site against the volar forearm applied to the SC permeability
    /// (1 for the forearm and for excised skin), see [`regional_factor`].
    pub regional_factor: f64,
    /// Where that factor comes from.
    pub regional_factor_source: &'static str,
    /// Whether MW and log Kow lie inside the permeability data (MW 18-750 Da, log Kow -3..6).
    pub within_data: bool,
    /// Codes of the ways out of the data (`mw-above-data`, `mw-below-data`,
    /// `log-kow-outside-data`, `outside-model-range`); empty inside.
    pub domain_flags: Vec<&'static str>,
}

/// Intact-skin absorption of the follicle-rich sites (forehead, angle of the jaw, scalp,
/// postauricular area) against the volar forearm: 4×, **calibrated** `[C]` on Maibach,
/// Feldmann, Milby & Serat 1971 (Arch Environ Health 23:208, abstract \[V\]: "fourfold"; see
/// [`regional_factor`]). Drawn U(3, 5) \[A\]: the abstract gives one rounded ratio for four
/// sites and three pesticides.
pub const REGIONAL_FACTOR_FOLLICLE_RICH: Param = Param {
    name: "delivery.regional_factor_follicle_rich",
    unit: "1",
    value: 4.0,
    allowed: (1.0, 20.0),
    distribution: Distribution::Uniform { lo: 3.0, hi: 5.0 },
    provenance: Provenance::Calibrated(
        "Maibach, Feldmann, Milby & Serat 1971 (Arch Environ Health 23:208): follicle-rich sites fourfold the forearm (abstract [V]); the range [A]",
    ),
    stage: Stage::Delivery,
    description: "intact-skin absorption of the forehead (and the face and neck by assumption) over the volar forearm",
};

/// Intact-skin absorption of the abdomen against the volar forearm: 2×, **calibrated** `[C]`
/// on Maibach et al. 1971 ("twice the penetration of the forearm", abstract \[V\]). Drawn
/// U(1.5, 2.5) \[A\].
pub const REGIONAL_FACTOR_ABDOMEN: Param = Param {
    name: "delivery.regional_factor_abdomen",
    unit: "1",
    value: 2.0,
    allowed: (0.5, 10.0),
    distribution: Distribution::Uniform { lo: 1.5, hi: 2.5 },
    provenance: Provenance::Calibrated(
        "Maibach, Feldmann, Milby & Serat 1971 (Arch Environ Health 23:208): abdomen twice the forearm (abstract [V]); the range [A]",
    ),
    stage: Stage::Delivery,
    description: "intact-skin absorption of the abdomen over the volar forearm",
};

/// Regional variation of intact-skin absorption in vivo, relative to the volar forearm, and
/// its source. **Calibration** `[C]` on Maibach, Feldmann, Milby & Serat 1971 (Arch Environ
/// Health 23:208; parathion, malathion, carbaryl, urinary recovery, forearm = 1; abstract via
/// scilit \[V\]): "the abdomen and dorsum of the hand had twice the penetration of the
/// forearm, whereas follicle-rich sites, including the scalp, angle of the jaw, postauricular
/// area, and forehead, had fourfold"; the palm about the same as the forearm. Sites the study
/// did not measure take the nearest measured one `[A]`: cheek, nose, chin and perioral as the
/// forehead and angle of the jaw (follicle-rich face); the neck as the postauricular area; the
/// thigh as the forearm (no value: 1). Excised samples (Franz cells) and animal skins: 1 (the
/// factor is a property of living human sites; a Franz sample is what it is).
/// The factors are registry parameters ([`REGIONAL_FACTOR_FOLLICLE_RICH`],
/// [`REGIONAL_FACTOR_ABDOMEN`]) read from the run's `parameters`.
pub fn regional_factor(site: &str, parameters: &Parameters) -> (f64, &'static str) {
    const MAIBACH: &str = "Maibach et al. 1971 (Arch Environ Health 23:208) [C]";
    let follicle_rich = parameters.get(&REGIONAL_FACTOR_FOLLICLE_RICH);
    match site {
        "forearm" => (1.0, "reference site (volar forearm)"),
        "forehead" => (follicle_rich, MAIBACH),
        "abdomen" => (parameters.get(&REGIONAL_FACTOR_ABDOMEN), MAIBACH),
        "cheek" | "nose" | "chin" | "perioral" => {
            (follicle_rich, "[A] as the forehead and angle of the jaw, Maibach et al. 1971 (follicle-rich face)")
        }
        "neck" => (follicle_rich, "[A] as the postauricular area, Maibach et al. 1971"),
        "thigh" => (1.0, "[A] not measured by Maibach et al. 1971: as the forearm"),
        _ => (1.0, "no regional factor (excised or animal skin, or no published ratio)"),
    }
}

/// A product that could not be simulated.
#[derive(Clone, Debug, Serialize)]
pub struct DeliveryError {
    /// Product name.
    pub product: String,
    /// What went wrong.
    pub error: String,
}

/// The transport stage's result.
#[derive(Clone, Debug, Default)]
pub struct DeliveryOutcome {
    /// Delivered products, by name.
    pub products: BTreeMap<String, ProductDelivery>,
    /// Products that could not be simulated.
    pub errors: Vec<DeliveryError>,
}

/// The permeant of a product: its preset with the scenario's values on top.
pub fn permeant(p: &Product) -> Result<Permeant, String> {
    let mut m = match props::preset(&p.name) {
        Some(m) => m,
        None => {
            let (Some(mw), Some(kow)) = (p.molecular_weight_da, p.log_kow) else {
                return Err(format!(
                    "product \"{}\" is not a preset active: give molecular_weight_da and log_kow (presets: {})",
                    p.name,
                    props::preset_names().join(", ")
                ));
            };
            Permeant::neutral(p.name.clone(), mw, kow)
        }
    };
    if let Some(v) = p.molecular_weight_da {
        m.molecular_weight_da = v;
        // A given MW invalidates a preset's molar volume.
        if props::preset(&p.name).is_some_and(|q| q.molecular_weight_da != v) {
            m.molar_volume_cm3_mol = None;
        }
    }
    if let Some(v) = p.log_kow {
        m.log_kow = v;
    }
    if let Some(v) = p.pka {
        m.pka = Some(v);
    }
    if let Some(i) = p.ionisation {
        m.ionisation = match i {
            Ionisation::Neutral => props::Ionisation::Neutral,
            Ionisation::Acid => props::Ionisation::Acid,
            Ionisation::Base => props::Ionisation::Base,
        };
    }
    if let Some(v) = p.ph {
        m.vehicle_ph = Some(v);
    }
    Ok(m)
}

fn resolution(r: ScenarioResolution) -> Resolution {
    match r {
        ScenarioResolution::Coarse => Resolution::Coarse,
        ScenarioResolution::Normal => Resolution::Normal,
        ScenarioResolution::Fine => Resolution::Fine,
    }
}

/// Names of the transport layers, surface first (keys of [`DoseBalance::layers_ug_per_cm2`]).
pub const LAYER_NAMES: [&str; 4] = ["stratum_corneum", "viable_epidermis", "papillary_dermis", "reticular_dermis"];

/// Skin layers for transport: SC, VE, papillary and reticular dermis, and the subcutaneous fat
/// down to [`crate::skin::HYPODERMIS_TRANSPORT_MARGIN_UM`] below the deepest channel when a
/// channel reaches it (`hypodermis_um`, from `LayerThickness::transport_hypodermis_um`; 0: no
/// fat layer, in vivo clearance has removed nearly everything before it, in vitro the receptor
/// sits under the dermis). The fat takes the dermis's coefficients `[A]` (no hypodermis values
/// in the reference).
fn layers(s: &Scenario, c: &props::Coefficients, hypodermis_um: f64) -> Vec<Layer> {
    let t = &s.skin.layers;
    // a layer whose diffusivity is below the floor is one the permeant practically cannot
    // enter: it takes the partition floor too, so the floor's diffusivity does not let it soak
    // up product it would not take (a macromolecule's K_sc from log Kow means nothing) [A]
    let layer = |name: &str, thickness_um: f64, k: &props::LayerCoefficients| Layer {
        name: name.to_string(),
        thickness_um,
        diffusivity_um2_s: k.diffusivity_um2_s.max(MIN_DIFFUSIVITY_UM2_S),
        partition: if k.diffusivity_um2_s < MIN_DIFFUSIVITY_UM2_S {
            MIN_PARTITION
        } else {
            k.partition.max(MIN_PARTITION)
        },
        clearance_per_s: k.clearance_per_s,
    };
    let [sc, ve, pd, rd] = LAYER_NAMES;
    vec![
        layer(sc, t.stratum_corneum_um, &c.stratum_corneum),
        layer(ve, t.viable_epidermis_um, &c.viable_epidermis),
        layer(pd, t.papillary_dermis_um, &c.dermis),
        layer(rd, t.reticular_dermis_um, &c.dermis),
    ]
    .into_iter()
    .chain((hypodermis_um > 0.0).then(|| layer("hypodermis", hypodermis_um, &c.dermis)))
    .collect()
}

/// Deepest channel passed to the solver, as a share of the transport domain's thickness
/// (numerical choice: the solver needs tissue below every channel tip; the domain takes the fat
/// below channels that reach it, so only a channel down to what lies beneath the fat, or
/// through an excised sample, is cut).
pub const MAX_CHANNEL_DEPTH_SHARE: f64 = 0.95;

/// The kind of vehicle a product's active is in (`products[i].vehicle`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VehicleType {
    /// A water-based serum (the default): mostly water, which evaporates, over a humectant
    /// residue.
    AqueousSerum,
    /// A water-based gel: a little more water than a serum, the same evaporation.
    Hydrogel,
    /// An oil-in-water cream: less water; an oily residue.
    Cream,
    /// An oil: nothing evaporates; the active partitions as into octanol.
    Oil,
}

/// What a vehicle preset gives (all \[A\] but the evaporation rate, `docs/models.md` §9).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct VehiclePreset {
    /// Volatile (water) share of the product's volume.
    pub volatile_fraction: f64,
    /// Whether the volatile part is water (evaporating at [`WATER_EVAPORATION_UL_PER_CM2_H`]).
    pub water: bool,
    /// Share of the residue that is oil-like (the active partitions into it as into octanol;
    /// the rest is a humectant-water residue, partitioning as water).
    pub oily_residue_share: f64,
}

/// Evaporation of water from a film on skin, µL/cm²/h: Kasting & Miller 2006's gas-phase
/// mass-transfer coefficient k_g = 6320·u^0.78 / MW^(1/3) cm/h (u in m/s; OSP's form,
/// `docs/models.md` §9) \[V\] for water (MW 18) in still indoor air, u = 0.17 m/s \[A\]: 605 cm/h;
/// times the saturated vapour density of water at the 32 °C skin surface, 3.38e-5 g/cm³
/// (4.76 kPa) \[V\], times (1 − 0.5) for 50 % relative humidity \[A\]: 10 mg/cm²/h. Drawn
/// Tri(4, 20) \[A\]: air speeds 0.1-0.3 m/s (×0.66-1.55) and 30-70 % relative humidity
/// (×1.4-0.6).
pub const WATER_EVAPORATION_UL_PER_CM2_H: Param = Param {
    name: "delivery.water_evaporation_ul_per_cm2_h",
    unit: "uL/cm2/h",
    value: 10.0,
    allowed: (0.1, 100.0),
    distribution: Distribution::Triangular { lo: 4.0, hi: 20.0 },
    provenance: Provenance::Assumption(
        "Kasting & Miller 2006's gas-phase mass-transfer coefficient (via OSP) for water in still indoor air (0.17 m/s [A]), saturated vapour at 32 degC [V], 50 % RH [A]; range over 0.1-0.3 m/s and 30-70 % RH",
    ),
    stage: Stage::Delivery,
    description: "evaporation of a watery vehicle's volatile part from the skin (film thinning)",
};

impl VehicleType {
    /// Names as written in a scenario.
    pub const NAMES: &'static [(&'static str, VehicleType)] = &[
        ("aqueous-serum", VehicleType::AqueousSerum),
        ("hydrogel", VehicleType::Hydrogel),
        ("cream", VehicleType::Cream),
        ("oil", VehicleType::Oil),
    ];

    /// The preset of this vehicle type. Volatile shares: serums are mostly water (90 %),
    /// hydrogels 95 %, o/w creams 70 %, oils none; a cream's residue is half oil \[A\].
    pub fn preset(self) -> VehiclePreset {
        let (volatile_fraction, water, oily_residue_share) = match self {
            VehicleType::AqueousSerum => (0.9, true, 0.0),
            VehicleType::Hydrogel => (0.95, true, 0.0),
            VehicleType::Cream => (0.7, true, 0.5),
            VehicleType::Oil => (0.0, false, 1.0),
        };
        VehiclePreset { volatile_fraction, water, oily_residue_share }
    }
}

/// What the vehicle of one product did (`delivery.<p>.vehicle`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VehicleOutcome {
    /// Vehicle type.
    pub kind: VehicleType,
    /// Volatile share of the product's volume.
    pub volatile_fraction: f64,
    /// Evaporation rate of the volatile part, µL/cm²/h (0 when occluded).
    pub evaporation_ul_per_cm2_h: f64,
    /// Time the volatile part is gone, h (None: it does not evaporate, or not within the run).
    pub dry_after_h: Option<f64>,
    /// Water solubility of the active used, mg/mL (None: no limit).
    pub water_solubility_mg_ml: Option<f64>,
    /// Whether the solubility was estimated from log Kow (no measured value given).
    pub solubility_estimated: bool,
    /// Whether the active exceeded its solubility in the film at some output time (a deposit
    /// held the dissolved active at saturation).
    pub saturated: bool,
    /// Wiped off after, h.
    pub removal_h: Option<f64>,
}

/// First-order rate at which a dry deposit of the active redissolves into what is left of the
/// vehicle once its volatile part has evaporated, 1/h (the transport crate's
/// `Vehicle::dry_deposit_dissolution_per_h`). While the film is wet a deposit is in
/// equilibrium with it (it redissolves at once as the skin takes the active up); once dry the
/// active above its solubility in the residue is a solid on the skin that gives the residue
/// `k·D·(1 − c/S)`. `[A]`: no measured rate was found. Crystalline surface deposits of
/// caffeine and niacinamide left by water or ethanol reduce skin permeation, inversely to the
/// extent of crystallisation (Xu & Kasting 2024, J Pharm Sci 113:948, abstract \[P\]); the
/// finite-dose model of solvent-deposited solids of Kasting et al. 2022 (J Pharm Sci 111:727)
/// and Tonnis, Jaworska & Kasting 2024 (J Control Release) treats such deposits, but their
/// rates were not retrieved. 0.01/h (a dry deposit's half-life of about three days, ~20 % a
/// day) is taken, with a draw over two decades around it.
pub const DRY_DEPOSIT_DISSOLUTION_PER_H: Param = Param {
    name: "delivery.dry_deposit_dissolution_per_h",
    unit: "1/h",
    value: 0.01,
    allowed: (0.0, 1000.0),
    distribution: Distribution::LogUniform { lo: 0.001, hi: 0.1 },
    provenance: Provenance::Assumption(
        "no measured rate found; crystalline deposits reduce permeation (Xu & Kasting 2024, J Pharm Sci 113:948, abstract [P]); half-life ~3 days taken",
    ),
    stage: Stage::Delivery,
    description: "first-order redissolution of a dry deposit of the active once the vehicle's volatile part has gone",
};

/// Swelling of the fully hydrated stratum corneum: its thickness over the site's (ambient,
/// partially hydrated) thickness. Egawa et al. 2007 (Acta Derm Venereol 87:4, in vivo confocal
/// Raman, 15 subjects; the source of the site presets' SC thicknesses): the SC thickened "up to
/// two-fold by hydration for 90 min" \[V\]; 2 is taken for a film that keeps the skin wet. The
/// draw runs from a mild swelling (1.3 \[A\]) to OSP's 43 µm fully against 13 µm partially
/// hydrated (3.3, Dancik et al. 2013 as OSP implements it \[V\]).
pub const SC_SWELLING_FACTOR: Param = Param {
    name: "delivery.sc_swelling_factor",
    unit: "1",
    value: 2.0,
    allowed: (1.0, 5.0),
    distribution: Distribution::Triangular { lo: 1.3, hi: 3.3 },
    provenance: Provenance::Literature(
        "Egawa et al. 2007, Acta Derm Venereol 87:4: SC up to two-fold thicker after 90 min of hydration, in vivo [V]; OSP (Dancik et al. 2013) 43 vs 13 um [V] the draw's upper end",
    ),
    stage: Stage::Delivery,
    description: "thickness of the fully hydrated stratum corneum over the site's, for the hydrated state's coefficients",
};

/// The delivery stage's registered parameters.
pub const PARAMS: &[Param] = &[
    DRY_DEPOSIT_DISSOLUTION_PER_H,
    SC_SWELLING_FACTOR,
    WATER_EVAPORATION_UL_PER_CM2_H,
    REGIONAL_FACTOR_FOLLICLE_RICH,
    REGIONAL_FACTOR_ABDOMEN,
    SINK_SHARE_OF_SOLUBILITY,
];

/// The fully hydrated stratum corneum swollen by `alpha` (its thickness `α·h` over the site's
/// `h`), kept on the site's grid by the similarity transform of the diffusion equation: a layer
/// `α·h` thick with `D`, `K` holds and passes the same as one `h` thick with `D/α²`, `α·K`
/// (capacity `α·h·K`, permeability `D·K/(α·h)`, lag `(α·h)²/6D`, every profile stretched by α).
/// The coefficients OSP gives for the hydrated state are the material's; only the thickness
/// changes.
pub fn swell_hydrated_sc(c: &mut props::Coefficients, alpha: f64) {
    c.stratum_corneum.diffusivity_um2_s /= alpha * alpha;
    c.stratum_corneum.partition *= alpha;
    c.sc_permeability_cm_h /= alpha;
}

/// Water solubility of an active without a measured value, mg/mL: the general solubility
/// equation as OSP uses it, log S_w [g/cm³] = 0.5 − log Kow − 0.01 (T_m − 25) (Yalkowsky;
/// OSP's equations as recorded in the project's literature notes \[V\]), with T_m = 25 °C, the liquid limit (an upper
/// bound: a crystalline solid is less soluble) \[A\].
pub fn estimated_water_solubility_mg_ml(log_kow: f64) -> f64 {
    10f64.powf(0.5 - log_kow) * 1000.0
}

/// The film of a product with a finite dose, and what its vehicle is.
fn vehicle_film(p: &Product, m: &Permeant, dose_ul_per_cm2: f64, k: &Parameters) -> (Donor, VehicleOutcome) {
    let dry_deposit_per_h = k.get(&DRY_DEPOSIT_DISSOLUTION_PER_H);
    let preset = p.vehicle.preset();
    let volatile_fraction = p.volatile_fraction.unwrap_or(preset.volatile_fraction);
    let evaporation = if p.occluded {
        0.0
    } else {
        p.evaporation_ul_per_cm2_h.unwrap_or(if preset.water { k.get(&WATER_EVAPORATION_UL_PER_CM2_H) } else { 0.0 })
    };
    let (solubility, estimated) = water_solubility(p, m);
    // partition vehicle/water: water for the volatile part of water-based vehicles, octanol
    // (Kow) for oil [A]
    let oil = 10f64.powf(m.log_kow.clamp(-12.0, 12.0));
    let log_k_vehicle = if preset.water { 0.0 } else { oil.log10() };
    let s_oil = preset.oily_residue_share;
    let log_k_residue = ((1.0 - s_oil) + s_oil * oil).log10().clamp(-12.0, 12.0);
    let volatile_ul = volatile_fraction * dose_ul_per_cm2;
    let dry_after_h = (evaporation > 0.0 && volatile_ul > 0.0).then(|| volatile_ul / evaporation);
    let vehicle = Vehicle {
        residue_fraction: 1.0 - volatile_fraction,
        evaporation_um_per_h: 10.0 * evaporation,
        log_k_vehicle,
        log_k_residue,
        water_solubility_mg_ml: Some(solubility),
        removal_h: p.removal_h,
        dry_deposit_dissolution_per_h: Some(dry_deposit_per_h),
    };
    let donor =
        Donor::Film { film_thickness_um: dose_ul_per_cm2 * 10.0, concentration_mg_ml: p.concentration_mg_ml, vehicle };
    let outcome = VehicleOutcome {
        kind: p.vehicle,
        volatile_fraction,
        evaporation_ul_per_cm2_h: evaporation,
        dry_after_h,
        water_solubility_mg_ml: Some(solubility),
        solubility_estimated: estimated,
        saturated: false,
        removal_h: p.removal_h,
    };
    (donor, outcome)
}

/// The donor of a product and what its vehicle is: a film for a finite dose, else a reservoir.
fn donor_and_vehicle(p: &Product, m: &Permeant, k: &Parameters) -> (Donor, VehicleOutcome) {
    match p.dose_ul_per_cm2 {
        // 1 µL/cm² = 1e-3 cm³ / cm² = 10 µm of film.
        Some(dose) => vehicle_film(p, m, dose, k),
        None => {
            // an infinite dose: a reservoir kept at its composition; a saturated one gives the
            // dissolved activity only (Higuchi)
            let (_, mut outcome) = vehicle_film(p, m, 1.0, k);
            let k = match p.vehicle.preset().water {
                true => 1.0,
                false => 10f64.powf(m.log_kow.clamp(-12.0, 12.0)),
            };
            let s = outcome.water_solubility_mg_ml.unwrap_or(f64::INFINITY);
            outcome.saturated = p.concentration_mg_ml / k > s;
            outcome.evaporation_ul_per_cm2_h = 0.0;
            outcome.dry_after_h = None;
            (Donor::Infinite { concentration_mg_ml: (p.concentration_mg_ml / k).min(s) }, outcome)
        }
    }
}

/// Share of the run (0-1) during which the stratum corneum is fully hydrated: while the film
/// is wet. An infinite dose, an occluded film (no evaporation) and an oil (nothing volatile,
/// and occlusive) keep it hydrated for the whole run; an open watery film until its volatile
/// part is gone or it is wiped off, whichever comes first \[A\].
pub fn sc_wet_share(v: &VehicleOutcome, infinite_dose: bool, duration_h: f64) -> f64 {
    if infinite_dose {
        return 1.0;
    }
    let wet_until_h = match (v.dry_after_h, v.removal_h) {
        (None, None) => return 1.0,
        (Some(d), Some(r)) => d.min(r),
        (Some(t), None) | (None, Some(t)) => t,
    };
    (wet_until_h / duration_h).clamp(0.0, 1.0)
}

/// Puts the stratum corneum of `c` (fully hydrated) at its time average over a run that is
/// wet for `wet_share` of the time and dry (`dry`: the partially hydrated coefficients) for
/// the rest \[A\]: the SC permeability and partition are the time-weighted means of the two
/// states' (the amount crossing a quasi-steady barrier is ∫P dt), the diffusivity follows
/// from them (P = D·K / h). OSP's two states: caffeine's P_sc is 9.4× lower partially hydrated.
/// Approximate: a constant barrier cannot have the wet phase's early uptake and the dry
/// phase's slower permeation in their order (the solver's coefficients do not change in time).
pub fn blend_sc_hydration(c: &mut props::Coefficients, dry: &props::Coefficients, wet_share: f64) {
    let w = wet_share.clamp(0.0, 1.0);
    let (wet_sc, dry_sc) = (&c.stratum_corneum, &dry.stratum_corneum);
    let k = w * wet_sc.partition + (1.0 - w) * dry_sc.partition;
    let p = w * c.sc_permeability_cm_h + (1.0 - w) * dry.sc_permeability_cm_h;
    // D = P·h / K: from the dry state's D, scaled by the change of P and of K
    let d = if dry.sc_permeability_cm_h > 0.0 && k > 0.0 {
        dry_sc.diffusivity_um2_s * (p / dry.sc_permeability_cm_h) * (dry_sc.partition / k)
    } else {
        w * wet_sc.diffusivity_um2_s + (1.0 - w) * dry_sc.diffusivity_um2_s
    };
    c.stratum_corneum.partition = k;
    c.stratum_corneum.diffusivity_um2_s = d;
    c.sc_permeability_cm_h = p;
}

/// The active's water solubility (mg/mL) and whether it was estimated.
fn water_solubility(p: &Product, m: &Permeant) -> (f64, bool) {
    match (p.water_solubility_mg_ml, m.water_solubility_g_l) {
        (Some(s), _) | (None, Some(s)) => (s, false),
        (None, None) => (estimated_water_solubility_mg_ml(m.log_kow), true),
    }
}

/// Three significant figures, for messages.
fn sig3(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = (2 - v.abs().log10().floor() as i32).max(0) as usize;
    if (1e-3..1e6).contains(&v.abs()) { format!("{v:.digits$}") } else { format!("{v:.2e}") }
}

/// Share of a product's progress given to its intact-skin (1-D) solve; the treated-skin solve
/// gets the rest. Display choice only (the 1-D solve is the cheap one).
const INTACT_PROGRESS_SHARE: f64 = 0.1;

/// Runs the transport stage. `openness` is the channel-openness table `(t_h, 0..1)` from the
/// healing stage (empty: channels stay open).
pub fn deliver(
    s: &Scenario,
    channels: &[Channel],
    pattern: &PatternStats,
    window_um: f64,
    openness: &[(f64, f64)],
) -> DeliveryOutcome {
    deliver_observed(s, channels, pattern, window_um, openness, &mut |_| {})
}

/// [`deliver`], calling `progress` with the share of the stage done (0-1) after each output
/// time of each solve: products share the stage equally, and within a product the intact-skin
/// solve takes the first tenth. The callback only observes: the numbers are the same bits.
pub fn deliver_observed(
    s: &Scenario,
    channels: &[Channel],
    pattern: &PatternStats,
    window_um: f64,
    openness: &[(f64, f64)],
    progress: &mut dyn FnMut(f64),
) -> DeliveryOutcome {
    let mut out = DeliveryOutcome::default();
    if s.simulation.transport == TransportMode::Off {
        return out;
    }
    let n = s.products.len().max(1) as f64;
    for (i, p) in s.products.iter().enumerate() {
        let mut product_progress = |f: f64| progress((i as f64 + f.clamp(0.0, 1.0)) / n);
        match deliver_one(s, p, channels, pattern, window_um, openness, &mut product_progress) {
            Ok(d) => {
                out.products.insert(p.name.clone(), d);
            }
            Err(e) => out.errors.push(DeliveryError { product: p.name.clone(), error: e }),
        }
        progress((i + 1) as f64 / n);
    }
    out
}

fn deliver_one(
    s: &Scenario,
    p: &Product,
    channels: &[Channel],
    pattern: &PatternStats,
    window_um: f64,
    openness: &[(f64, f64)],
    progress: &mut dyn FnMut(f64),
) -> Result<ProductDelivery, String> {
    let in_vivo = s.skin.mounting == Mounting::InVivo;
    let m = permeant(p)?;
    let (donor, mut vehicle) = donor_and_vehicle(p, &m, &s.parameters);
    // The stratum corneum is fully hydrated while a watery film or an occlusion covers it and
    // partially hydrated once an open film has dried (OSP's two states, docs/models.md §9).
    let wet_share = sc_wet_share(&vehicle, p.dose_ul_per_cm2.is_none(), s.simulation.duration_h);
    let sc_um = s.skin.layers.stratum_corneum_um;
    let mut c = props::coefficients(&m, ScHydration::Full, sc_um, in_vivo).map_err(|e| e.to_string())?;
    swell_hydrated_sc(&mut c, s.parameters.get(&SC_SWELLING_FACTOR));
    if wet_share < 1.0 {
        let dry = props::coefficients(&m, ScHydration::Partial, sc_um, in_vivo).map_err(|e| e.to_string())?;
        blend_sc_hydration(&mut c, &dry, wet_share);
    }
    // Regional variation (living human sites): the site's published ratio against the forearm,
    // less the part its thinner or thicker stratum corneum already gives (P_sc ∝ 1/h_sc), goes
    // into the SC diffusivity [A: the ratio is taken as a property of the barrier].
    let (factor, factor_source) =
        if in_vivo { regional_factor(&s.skin.site, &s.parameters) } else { (1.0, "excised skin: none") };
    let forearm_sc = crate::skin::site_preset("forearm").map(|f| f.stratum_corneum_um);
    let site_sc = crate::skin::site_preset(&s.skin.site).map(|f| f.stratum_corneum_um);
    let thickness_part = match (site_sc, forearm_sc) {
        (Some(site), Some(forearm)) if factor != 1.0 => forearm / site,
        _ => 1.0,
    };
    c.stratum_corneum.diffusivity_um2_s *= factor / thickness_part;
    c.sc_permeability_cm_h *= factor / thickness_part;
    let permeation = Permeation {
        sc_permeability_cm_h: c.sc_permeability_cm_h,
        sc_route: match c.sc_regime {
            props::ScRegime::Homogenised => "homogenised",
            props::ScRegime::SizeContinued => "size-continued",
            props::ScRegime::LowRExtrapolated => "closed-form-extrapolated",
            props::ScRegime::LowRPottsGuy => "potts-guy",
        },
        sc_hydrated_share: wet_share,
        regional_factor: factor,
        regional_factor_source: factor_source,
        within_data: c.domain.is_empty(),
        domain_flags: c.domain.iter().map(|f| f.code()).collect(),
    };
    let deepest_um = channels.iter().map(|c| c.depth_um).fold(0.0, f64::max);
    let layers = layers(s, &c, s.skin.layers.transport_hypodermis_um(deepest_um));
    let mut warnings = c.warnings.clone();
    let donor_mg_ml = match &donor {
        Donor::Infinite { concentration_mg_ml } => Some(*concentration_mg_ml),
        _ => None,
    };
    if vehicle.solubility_estimated {
        warnings.push(format!(
            "no measured water solubility: {} mg/mL estimated from log Kow (liquid limit of the general solubility equation); give water_solubility_mg_ml",
            sig3(vehicle.water_solubility_mg_ml.unwrap_or(f64::NAN))
        ));
    }
    let bottom = if in_vivo { Bottom::Closed } else { Bottom::Sink };
    let base = TransportProblem {
        layers: layers.clone(),
        donor,
        bottom,
        geometry: Geometry::OneD,
        duration_h: s.simulation.duration_h,
        output_times_h: output_times_h(s),
        resolution: resolution(s.simulation.resolution),
    };
    let intact = dermasim_transport::solve_observed(&base, None, &mut |f| progress(f * INTACT_PROGRESS_SHARE))
        .map_err(|e| format!("intact skin: {e}"))?;
    check_result(&intact, "intact skin")?;

    let n = channels.len();
    let mean = |f: fn(&Channel) -> f64| channels.iter().map(f).sum::<f64>() / n.max(1) as f64;
    // channels end inside the transport domain (SC to the fat below the deepest channel, or to
    // the bottom of excised skin)
    let domain_um: f64 = layers.iter().map(|l| l.thickness_um).sum();
    let max_channel_um = MAX_CHANNEL_DEPTH_SHARE * domain_um;
    let channel_depth = |c: &Channel| c.depth_um.min(max_channel_um);
    if channels.iter().any(|c| c.depth_um > max_channel_um) {
        warnings.push(format!(
            "channels reach the bottom of the skin (what lies beneath the fat, or an excised sample's underside); transport ends there ({domain_um:.0} um), so they are cut at {max_channel_um:.0} um"
        ));
    }
    let depth_um = channels.iter().map(channel_depth).sum::<f64>() / n.max(1) as f64;
    let area_um2 = mean(|c| 0.25 * std::f64::consts::PI * c.width_um * c.length_um);
    let radius_um = (area_um2 / std::f64::consts::PI).sqrt();
    let hindrance = props::hindrance_renkin(c.solute_radius_nm, radius_um * 1000.0);
    let d_channel = c.channel_fluid_diffusivity_um2_s * hindrance;
    let hole_density_um2 = pattern.distinct_holes as f64 / (window_um * window_um);

    let (geometry, cell_radius) = if n == 0 || depth_um <= 0.0 || hole_density_um2 <= 0.0 || d_channel <= 0.0 {
        (None, None)
    } else if s.simulation.transport == TransportMode::Patch {
        let half = 0.5 * PATCH_WINDOW_UM.min(window_um);
        let (x0, y0) = (0.5 * window_um - half, 0.5 * window_um - half);
        let holes: Vec<Hole> = channels
            .iter()
            .filter(|c| c.depth_um > 0.0)
            .filter(|c| (x0..x0 + 2.0 * half).contains(&c.x_um) && (y0..y0 + 2.0 * half).contains(&c.y_um))
            .map(|c| Hole {
                x_um: c.x_um - x0,
                y_um: c.y_um - y0,
                depth_um: channel_depth(c),
                length_um: c.length_um,
                width_um: c.width_um,
                direction_deg: c.direction_deg,
            })
            .collect();
        let g = Geometry::Patch {
            window_x_um: 2.0 * half,
            window_y_um: 2.0 * half,
            holes,
            channel_diffusivity_um2_s: d_channel,
        };
        (Some(g), None)
    } else {
        // Equal-area cell of one distinct hole; the channel cannot be wider than its cell.
        let cell = (1.0 / (std::f64::consts::PI * hole_density_um2)).sqrt();
        let channel = dermasim_transport::Channel {
            radius_um: radius_um.min(0.9 * cell),
            depth_um,
            diffusivity_um2_s: d_channel,
            openness: openness.to_vec(),
        };
        (Some(Geometry::UnitCell { cell_radius_um: cell, channel }), Some(cell))
    };
    let treated = match &geometry {
        None => intact.clone(),
        Some(g) => {
            let problem = TransportProblem { geometry: g.clone(), ..base };
            let share = |f: f64| INTACT_PROGRESS_SHARE + f * (1.0 - INTACT_PROGRESS_SHARE);
            let r = dermasim_transport::solve_observed(&problem, None, &mut |f| progress(share(f)))
                .map_err(|e| format!("treated skin: {e}"))?;
            check_result(&r, "treated skin")?;
            r
        }
    };
    let last = |r: &TransportResult| r.cumulative_ug_per_cm2.last().copied().unwrap_or(0.0);
    let (q, q0) = (last(&treated), last(&intact));
    let content = |r: &TransportResult| {
        r.layer_amounts_ug_per_cm2.last().map(|l| l.iter().sum::<f64>()).unwrap_or(0.0)
            + r.channel_ug_per_cm2.last().copied().unwrap_or(0.0)
    };
    let (m, m0) = (content(&treated), content(&intact));
    // the SC's uptake on intact skin is resolved when √(D t) reaches the first cell
    let first_cell_um = intact.profiles.last().and_then(|p| p.depth_um.first()).map(|&z| 2.0 * z).unwrap_or(0.0);
    let penetration_um = (layers[0].diffusivity_um2_s * s.simulation.duration_h * 3600.0).sqrt();
    let intact_resolved = penetration_um >= first_cell_um;
    if !intact_resolved && m0 > NEGLIGIBLE_UG_PER_CM2 {
        warnings.push(format!(
            "intact skin: the product penetrates the stratum corneum by {} um in {} h, less than the grid's first cell ({} um): the intact skin content and the intact dose shares of the surface and the stratum corneum are not resolved (they change with the grid), and the skin-content ratio is not reported",
            sig3(penetration_um),
            s.simulation.duration_h,
            sig3(first_cell_um)
        ));
    }
    let flux =
        FluxSummary { treated: FluxFigures::of(&treated, donor_mg_ml), intact: FluxFigures::of(&intact, donor_mg_ml) };
    let (enhancement_ratio, enhancement_basis) =
        match (flux.treated.steady_flux_ug_per_cm2_h, flux.intact.steady_flux_ug_per_cm2_h) {
            (Some(j), Some(j0)) => (Some(j / j0), EnhancementBasis::SteadyFlux),
            _ => ((q0 > NEGLIGIBLE_UG_PER_CM2).then(|| q / q0), EnhancementBasis::AmountOverWindow),
        };
    if let Some(sw) = vehicle.water_solubility_mg_ml.filter(|_| p.dose_ul_per_cm2.is_some()) {
        // the film's dissolved (water-equivalent) concentration reached saturation
        let at_saturation = |r: &TransportResult| {
            r.donor_ug_per_cm2
                .iter()
                .zip(&r.film_capacity_um)
                .any(|(&a, &cap)| cap > 0.0 && a / (0.1 * cap) >= sw * (1.0 - 1e-9))
        };
        vehicle.saturated = at_saturation(&intact) || at_saturation(&treated);
    }
    if vehicle.saturated {
        warnings.push(format!(
            "the active exceeds its solubility in the product (water solubility {} mg/mL): the undissolved part waits on the skin and delivery is limited by the solubility, not by the concentration (once the vehicle has dried, a solid deposit that redissolves slowly)",
            sig3(vehicle.water_solubility_mg_ml.unwrap_or(f64::NAN))
        ));
    }
    let franz = s.invitro.as_ref().map(|iv| {
        let finite = p.dose_ul_per_cm2.is_some();
        let (treated, intact) = (franz_samples(&treated, iv, finite), franz_samples(&intact, iv, finite));
        let sink_share = s.parameters.get(&SINK_SHARE_OF_SOLUBILITY);
        let limit_ug_ml = vehicle.water_solubility_mg_ml.map_or(f64::INFINITY, |sw| sink_share * 1000.0 * sw);
        let peak = treated.iter().chain(&intact).map(|x| x.receptor_concentration_ug_ml).fold(0.0, f64::max);
        if peak > limit_ug_ml {
            warnings.push(format!(
                "Franz cell: the receptor reaches {} ug/mL, above {} % of the active's water solubility ({} mg/mL): the model's receptor is a perfect sink, a laboratory's would slow permeation (a larger receptor, more frequent replacement or a solubilising receptor fluid keeps sink conditions)",
                sig3(peak),
                100.0 * sink_share,
                sig3(vehicle.water_solubility_mg_ml.unwrap_or(f64::NAN))
            ));
        }
        FranzSeries {
            receptor_volume_ml: iv.receptor_volume_ml,
            diffusion_area_cm2: iv.diffusion_area_cm2,
            sample_volume_ml: iv.sample_volume_ml,
            replace: iv.replace,
            sink_condition_held: peak <= limit_ug_ml,
            treated,
            intact,
        }
    });
    let names: Vec<&str> = layers.iter().map(|l| l.name.as_str()).collect();
    let (balance, intact_balance) = (DoseBalance::of(&treated, &names), DoseBalance::of(&intact, &names));
    for (b, what) in [(&balance, "treated skin"), (&intact_balance, "intact skin")] {
        if b.closure_rel_error > MAX_MASS_BALANCE_ERROR {
            return Err(format!(
                "{what}: the dose balance does not close (relative error {:e} of the applied dose)",
                b.closure_rel_error
            ));
        }
    }
    let t = &s.skin.layers;
    let numbers = Delivery {
        product: p.name.clone(),
        mode: s.simulation.transport,
        cumulative_ug_per_cm2: q,
        intact_cumulative_ug_per_cm2: q0,
        enhancement_ratio,
        enhancement_basis,
        enhancement_window_h: s.simulation.duration_h,
        flux,
        franz,
        skin_content_ug_per_cm2: m,
        intact_skin_content_ug_per_cm2: m0,
        skin_content_ratio: (m0 > NEGLIGIBLE_UG_PER_CM2 && intact_resolved).then(|| m / m0),
        intact_skin_content_resolved: intact_resolved,
        lag_time_h: treated.lag_time_h,
        intact_lag_time_h: intact.lag_time_h,
        max_depth_um_above_threshold: treated.max_depth_um_above_threshold,
        intact_max_depth_um_above_threshold: intact.max_depth_um_above_threshold,
        intact_kp_cm_h: props::kp_steady_cm_h(&c, t.stratum_corneum_um, t.viable_epidermis_um, t.dermis_um()).ok(),
        potts_guy_kp_cm_h: c.potts_guy_kp_cm_h,
        duration_h: s.simulation.duration_h,
        channel_radius_um: cell_radius.map(|cell| radius_um.min(0.9 * cell)),
        cell_radius_um: cell_radius,
        channel_depth_um: geometry.as_ref().map(|_| depth_um),
        hindrance,
        mass_balance_rel_error: treated.mass_balance_rel_error.max(intact.mass_balance_rel_error),
        vehicle,
        permeation,
        dose_balance: balance,
        intact_dose_balance: intact_balance,
        warnings,
    };
    Ok(ProductDelivery { numbers, treated, intact })
}
