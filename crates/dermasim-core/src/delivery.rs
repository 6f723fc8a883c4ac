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
use dermasim_transport::{Bottom, Donor, Geometry, Hole, Layer, Resolution, TransportProblem, TransportResult};
use serde::Serialize;

use crate::channels::Channel;
use crate::pattern::PatternStats;
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

/// Delivery of one product.
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
    /// Treated / intact (None when intact skin lets through less than
    /// [`NEGLIGIBLE_UG_PER_CM2`]: the ratio is then unbounded, not a number to quote).
    pub enhancement_ratio: Option<f64>,
    /// Amount in the skin at the end (every layer, stratum corneum and channel fluid included),
    /// µg/cm²: what a tape-strip or a fluorescence image of the skin measures.
    pub skin_content_ug_per_cm2: f64,
    /// The same on intact skin, µg/cm².
    pub intact_skin_content_ug_per_cm2: f64,
    /// Treated / intact skin content.
    pub skin_content_ratio: Option<f64>,
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
    /// Flags from the chemistry (extrapolations, estimated inputs).
    pub warnings: Vec<String>,
    /// Time series and profiles of the treated skin (not in summary.json); in `patch` mode its
    /// `field` holds the 3-D concentration at the end (written as VTK by the front end).
    #[serde(skip)]
    pub treated: TransportResult,
    /// Time series and profiles of intact skin (not in summary.json).
    #[serde(skip)]
    pub intact: TransportResult,
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
#[derive(Clone, Debug, Default, Serialize)]
pub struct DeliveryOutcome {
    /// Delivered products, by name.
    pub products: BTreeMap<String, Delivery>,
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

/// Skin layers for transport: SC, VE, papillary and reticular dermis (the hypodermis is left
/// out: in vivo clearance has removed nearly everything before it, in vitro the receptor sits
/// under the dermis).
fn layers(s: &Scenario, c: &props::Coefficients) -> Vec<Layer> {
    let t = &s.skin.layers;
    let layer = |name: &str, thickness_um: f64, k: &props::LayerCoefficients| Layer {
        name: name.to_string(),
        thickness_um,
        diffusivity_um2_s: k.diffusivity_um2_s.max(MIN_DIFFUSIVITY_UM2_S),
        partition: k.partition.max(MIN_PARTITION),
        clearance_per_s: k.clearance_per_s,
    };
    vec![
        layer("stratum_corneum", t.stratum_corneum_um, &c.stratum_corneum),
        layer("viable_epidermis", t.viable_epidermis_um, &c.viable_epidermis),
        layer("papillary_dermis", t.papillary_dermis_um, &c.dermis),
        layer("reticular_dermis", t.reticular_dermis_um, &c.dermis),
    ]
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
) -> Result<Delivery, String> {
    let in_vivo = s.skin.mounting == Mounting::InVivo;
    let m = permeant(p)?;
    // A serum film hydrates the stratum corneum (Egawa 2007: SC thickness up to 2x with 90 min
    // hydration [V]); the OSP default is the fully hydrated state. [A] for unoccluded serums.
    let c = props::coefficients(&m, ScHydration::Full, s.skin.layers.stratum_corneum_um, in_vivo)
        .map_err(|e| e.to_string())?;
    let layers = layers(s, &c);
    let donor = match p.dose_ul_per_cm2 {
        // 1 µL/cm² = 1e-3 cm³ / cm² = 10 µm of film.
        Some(dose) => Donor::Finite { film_thickness_um: dose * 10.0, concentration_mg_ml: p.concentration_mg_ml },
        None => Donor::Infinite { concentration_mg_ml: p.concentration_mg_ml },
    };
    let bottom = if in_vivo { Bottom::Closed } else { Bottom::Sink };
    let base = TransportProblem {
        layers: layers.clone(),
        donor,
        bottom,
        geometry: Geometry::OneD,
        duration_h: s.simulation.duration_h,
        output_times_h: Vec::new(),
        resolution: resolution(s.simulation.resolution),
    };
    let intact = dermasim_transport::solve_observed(&base, None, &mut |f| progress(f * INTACT_PROGRESS_SHARE))
        .map_err(|e| format!("intact skin: {e}"))?;
    check_result(&intact, "intact skin")?;

    let n = channels.len();
    let mean = |f: fn(&Channel) -> f64| channels.iter().map(f).sum::<f64>() / n.max(1) as f64;
    let depth_um = mean(|c| c.depth_um);
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
                depth_um: c.depth_um,
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
    let t = &s.skin.layers;
    Ok(Delivery {
        product: p.name.clone(),
        mode: s.simulation.transport,
        cumulative_ug_per_cm2: q,
        intact_cumulative_ug_per_cm2: q0,
        enhancement_ratio: (q0 > NEGLIGIBLE_UG_PER_CM2).then(|| q / q0),
        skin_content_ug_per_cm2: m,
        intact_skin_content_ug_per_cm2: m0,
        skin_content_ratio: (m0 > NEGLIGIBLE_UG_PER_CM2).then(|| m / m0),
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
        warnings: c.warnings.clone(),
        treated,
        intact,
    })
}
