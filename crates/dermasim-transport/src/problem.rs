//! The high-level problem API: layered skin + donor + channels → amounts and fluxes per cm².
//!
//! This file holds the public problem and result types and the `solve` entry points; the work
//! is split along its seams: `validate` (input checks naming the field), `mesh` (depth,
//! radial and lateral cell faces), `materials` (cell coefficients, channel masks, the initial
//! fill of the lumen and the film schedule), `output` (the output loop and the accounting of
//! the delivered amounts, fluxes and mass balance) and `field` (the final 3-D field of a patch,
//! for the VTK export).

use crate::error::TransportError;
use crate::sim::StepControl;

mod field;
mod materials;
mod mesh;
mod output;
#[cfg(test)]
mod tests;
mod validate;

pub use field::ConcentrationField;
pub use mesh::{LATERAL_GROWTH, LATERAL_MARGIN_CELLS, Z_GROWTH, Z_STRETCH_MAX, Z_TIP_MARGIN_CELLS};
pub use output::{lag_time, solve_observed};

/// Conversion: concentration (mg/mL) × length (µm) × 0.1 = µg/cm².
pub const UG_PER_CM2_PER_MGML_UM: f64 = 0.1;

/// One skin layer, from the surface down. The first layer is the barrier (stratum corneum):
/// "delivered" means having crossed it.
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    /// Name (for reports).
    pub name: String,
    /// Thickness (µm).
    pub thickness_um: f64,
    /// Diffusivity (µm²/s).
    pub diffusivity_um2_s: f64,
    /// Partition coefficient tissue/vehicle (dimensionless).
    pub partition: f64,
    /// First-order clearance rate (1/s).
    pub clearance_per_s: f64,
}

/// The product film on the skin surface (vehicle partition coefficient 1).
#[derive(Clone, Debug, PartialEq)]
pub enum Donor {
    /// Constant concentration (infinite dose).
    Infinite {
        /// Vehicle concentration (mg/mL).
        concentration_mg_ml: f64,
    },
    /// Well-mixed film of finite thickness that depletes (1 µL/cm² = 10 µm).
    Finite {
        /// Film thickness (µm).
        film_thickness_um: f64,
        /// Initial concentration (mg/mL).
        concentration_mg_ml: f64,
    },
    /// A finite film whose vehicle evaporates, saturates and may be removed ([`Vehicle`]).
    Film {
        /// Initial film thickness (µm).
        film_thickness_um: f64,
        /// Initial concentration of the active in the vehicle, dissolved or not (mg/mL).
        concentration_mg_ml: f64,
        /// The vehicle.
        vehicle: Vehicle,
    },
}

/// What a [`Donor::Film`]'s vehicle does: it evaporates down to a residue, the active may
/// exceed its solubility (a deposit forms, and dissolves back as the skin takes the active up),
/// and it may be wiped off (Kasting & Miller 2006; the solver's film schedule).
#[derive(Clone, Debug, PartialEq)]
pub struct Vehicle {
    /// Non-volatile share of the film's volume, (0, 1]: the residue left when the volatile
    /// part has evaporated (1: nothing evaporates).
    pub residue_fraction: f64,
    /// Evaporation rate of the volatile part as film thinning, µm/h (1 µL/cm²/h = 10 µm/h;
    /// 0 under occlusion).
    pub evaporation_um_per_h: f64,
    /// log10 of the active's vehicle/water partition coefficient in the volatile vehicle
    /// (`S_vehicle / S_water`; 0 for water).
    pub log_k_vehicle: f64,
    /// log10 of the same in the residue.
    pub log_k_residue: f64,
    /// Water solubility of the active, mg/mL (`None`: no limit). The dissolved activity never
    /// exceeds saturation: above `K·S_w` in the vehicle the rest is a deposit.
    pub water_solubility_mg_ml: Option<f64>,
    /// Time the film (and any deposit) is wiped off, h (`None`: left on).
    pub removal_h: Option<f64>,
    /// First-order rate, 1/h, at which a deposit redissolves once the volatile part has gone
    /// (a dry deposit, no solvent left to dissolve it quickly): the deposit `D` gives
    /// `k·D·(1 − c/S)` to the residue, `c` the dissolved and `S` the saturated concentration.
    /// While the volatile part lasts, and with `None`, a deposit redissolves at once (the
    /// dissolved active stays at saturation while any deposit is left).
    pub dry_deposit_dissolution_per_h: Option<f64>,
}

/// Film volume left after a removal, as a share of the film's initial volume (numerical
/// choice: a trace that takes back what diffuses out of the skin; small enough to hold a
/// negligible amount).
pub const TRACE_FILM_SHARE: f64 = 1e-3;

impl Donor {
    fn concentration(&self) -> f64 {
        match self {
            Donor::Infinite { concentration_mg_ml }
            | Donor::Finite { concentration_mg_ml, .. }
            | Donor::Film { concentration_mg_ml, .. } => *concentration_mg_ml,
        }
    }
}

/// Bottom boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bottom {
    /// Perfect sink (receptor of a Franz cell); the mass leaving is counted.
    Sink,
    /// Zero flux (in vivo; clearance removes the drug).
    Closed,
}

/// A cylindrical micro-channel at the centre of an axisymmetric unit cell.
#[derive(Clone, Debug, PartialEq)]
pub struct Channel {
    /// Radius (µm).
    pub radius_um: f64,
    /// Depth from the surface (µm).
    pub depth_um: f64,
    /// Diffusivity of the channel fluid (µm²/s).
    pub diffusivity_um2_s: f64,
    /// Openness table `(t_h, 0..1)`, piecewise linear; empty = always open.
    pub openness: Vec<(f64, f64)>,
}

/// One hole of a [`Geometry::Patch`]: a slit (stadium) of `length_um` × `width_um` whose long
/// axis points along `direction_deg` (from +x towards +y); `length ≤ width` gives a disk of
/// diameter `width_um`.
#[derive(Clone, Debug, PartialEq)]
pub struct Hole {
    /// Centre x (µm) in the window.
    pub x_um: f64,
    /// Centre y (µm).
    pub y_um: f64,
    /// Depth (µm).
    pub depth_um: f64,
    /// Length along the stroke (µm).
    pub length_um: f64,
    /// Width across the stroke (µm).
    pub width_um: f64,
    /// Stroke direction (degrees).
    pub direction_deg: f64,
}

/// Geometry of the problem.
#[derive(Clone, Debug, PartialEq)]
pub enum Geometry {
    /// Layers only (intact skin).
    OneD,
    /// Axisymmetric r–z unit cell of radius `cell_radius_um` around one channel (equal-area
    /// cell of a regular array: `R = spacing/√π` for a square array).
    UnitCell {
        /// Cell radius (µm).
        cell_radius_um: f64,
        /// The channel.
        channel: Channel,
    },
    /// Cartesian 3-D window with explicit holes (zero-flux sides).
    Patch {
        /// Window size along x (µm).
        window_x_um: f64,
        /// Window size along y (µm).
        window_y_um: f64,
        /// Holes.
        holes: Vec<Hole>,
        /// Diffusivity of the fluid filling the holes (µm²/s).
        channel_diffusivity_um2_s: f64,
    },
}

/// Grid resolution.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Resolution {
    /// Fast: dz ≤ 20 µm, ≥ 4 cells per layer, 10 µm lateral (patch), 4 cells per channel radius.
    Coarse,
    /// Default: dz ≤ 10 µm, ≥ 8 cells per layer, 5 µm lateral, 8 cells per channel radius.
    /// (In every resolution the depth cells grow below the channel tips, [`Z_GROWTH`], and a
    /// patch's lateral cells grow away from the holes up to [`Z_STRETCH_MAX`]`·max(dz, lateral)`,
    /// [`LATERAL_GROWTH`].)
    Normal,
    /// dz ≤ 5 µm, ≥ 16 cells per layer, 2.5 µm lateral, 16 cells per channel radius.
    Fine,
    /// Explicit cell sizes.
    Custom {
        /// Largest cell size in depth (µm).
        max_dz_um: f64,
        /// Minimum cells per layer.
        min_cells_per_layer: usize,
        /// Lateral cell size (patch) and radial cell size inside the channel (unit cell) (µm).
        lateral_um: f64,
        /// Largest lateral cell of a patch away from the holes (µm; `lateral_um` or less for
        /// equal cells everywhere): the cells grow by [`LATERAL_GROWTH`] up to it.
        lateral_max_um: f64,
    },
}

/// A complete transport problem.
#[derive(Clone, Debug, PartialEq)]
pub struct TransportProblem {
    /// Layers from the surface down (the first is the barrier, usually the SC).
    pub layers: Vec<Layer>,
    /// Donor film.
    pub donor: Donor,
    /// Bottom boundary.
    pub bottom: Bottom,
    /// Geometry.
    pub geometry: Geometry,
    /// Simulated time (h).
    pub duration_h: f64,
    /// Output times (h), increasing, in (0, duration]; empty = 24 equal intervals. The
    /// duration is always added as the last output; t = 0 is always reported first.
    pub output_times_h: Vec<f64>,
    /// Resolution.
    pub resolution: Resolution,
}

/// Area-averaged concentration against depth at one output time.
#[derive(Clone, Debug, PartialEq)]
pub struct DepthProfile {
    /// Time (h).
    pub time_h: f64,
    /// Cell-centre depths (µm).
    pub depth_um: Vec<f64>,
    /// Area-averaged concentration of all cells of the plane, channel lumen included (mg/mL).
    pub concentration_mg_ml: Vec<f64>,
    /// Area-averaged concentration of the tissue cells only (lumen excluded) (mg/mL).
    pub tissue_concentration_mg_ml: Vec<f64>,
}

/// Results per cm² of skin surface. Index 0 of every time series is t = 0.
#[derive(Clone, Debug, PartialEq)]
pub struct TransportResult {
    /// Output times (h), starting with 0.
    pub times_h: Vec<f64>,
    /// Instantaneous flux into the delivered compartment (the tissue below the first layer,
    /// lumen excluded, plus the receptor), i.e. the time derivative of `cumulative_ug_per_cm2`.
    pub flux_ug_per_cm2_h: Vec<f64>,
    /// Delivered amount: tissue below the first layer (channel lumen excluded) + cleared
    /// there + receptor.
    pub cumulative_ug_per_cm2: Vec<f64>,
    /// Amount passed into the receptor (bottom sink).
    pub receptor_ug_per_cm2: Vec<f64>,
    /// Amount removed by clearance (all layers).
    pub cleared_ug_per_cm2: Vec<f64>,
    /// Tissue amount per layer (lumen excluded), `[time][layer]`.
    pub layer_amounts_ug_per_cm2: Vec<Vec<f64>>,
    /// Amount in the channel lumen.
    pub channel_ug_per_cm2: Vec<f64>,
    /// Amount in a finite donor film (0 for an infinite donor).
    pub donor_ug_per_cm2: Vec<f64>,
    /// Product applied so far: a finite film's dose (`film_thickness × concentration`, constant;
    /// the channel lumen's initial content is part of it, taken from the film), or what an
    /// infinite donor has given (the lumen's initial fill plus its inflow to date). At every
    /// output time it equals donor + tissue (all layers) + channel lumen + cleared + receptor,
    /// to the solver's round-off ([`TransportResult::mass_balance_rel_error`]).
    pub applied_ug_per_cm2: Vec<f64>,
    /// Amount wiped off with a [`Donor::Film`] (0 otherwise; the active does not evaporate).
    pub removed_ug_per_cm2: Vec<f64>,
    /// Part of `donor_ug_per_cm2` that is a dry solid deposit, redissolving at its own rate
    /// ([`Vehicle::dry_deposit_dissolution_per_h`]; 0 while the vehicle is wet, where a deposit
    /// is in equilibrium with the film and counted as film).
    pub dry_deposit_ug_per_cm2: Vec<f64>,
    /// Capacity of the film per unit area, µm: the film thickness for a plain finite film;
    /// for a [`Donor::Film`], its vehicle thickness times the active's vehicle/water partition
    /// coefficient, or larger while a deposit of a wet film holds the dissolved active at
    /// saturation (a dry deposit is outside it, `dry_deposit_ug_per_cm2`)
    /// (`film amount / (capacity · 0.1)` is then the water-equivalent dissolved
    /// concentration); 0 for an infinite donor.
    pub film_capacity_um: Vec<f64>,
    /// Depth profiles at each output time.
    pub profiles: Vec<DepthProfile>,
    /// Lag time from the long-time asymptote of the receptor curve (`Sink`) or the delivered
    /// curve (`Closed`): `t − Q/J` from the last two outputs, if the slope of the last two
    /// intervals agrees within 1 % (steady state reached); otherwise `None`. Negative when a
    /// burst comes first (channels open early, then closed: the late steady line crosses zero
    /// before t = 0), as for burst release in diffusion cells.
    pub lag_time_h: Option<f64>,
    /// Deepest cell centre (µm) where the area-averaged tissue concentration exceeds 1 % of
    /// the initial donor concentration at the end (0 if nowhere). Below the channel tips the
    /// depth cells grow (up to 4 `Δz_max`, [`Z_STRETCH_MAX`]), so there the value moves in
    /// steps of up to that size.
    pub max_depth_um_above_threshold: f64,
    /// Max over output times of |donor + skin + cleared + receptor − applied| / applied, with
    /// `applied` as in [`TransportResult::applied_ug_per_cm2`] (a finite film's nominal dose:
    /// the lumen's initial content is counted once, as part of the film's).
    pub mass_balance_rel_error: f64,
    /// Time steps taken.
    pub steps: usize,
    /// CG iterations in total.
    pub cg_iterations: usize,
    /// Number of cells of the grid.
    pub cells: usize,
    /// The 3-D concentration field at the end ([`Geometry::Patch`] only; `None` otherwise).
    pub field: Option<ConcentrationField>,
}

/// Largest grid `solve` accepts (resource choice: a patch solve needs ~200 B per cell — 174 MB
/// measured for 870 400 cells, 2.9 GB for 13.6 M — so ~5 GB at the limit; a 2 × 2 mm window
/// at 5 µm fits even with uniform depth cells, 21.8 M on a 1.3 mm skin).
pub const MAX_CELLS: usize = 24_000_000;

/// Openness of a channel at time `t_s` (s) from its `(t_h, openness)` table; 1 when empty.
pub fn channel_openness(channel: &Channel, t_s: f64) -> f64 {
    let table: Vec<(f64, f64)> = channel.openness.iter().map(|&(t, s)| (t * 3600.0, s)).collect();
    crate::sim::openness_at(&table, t_s)
}

/// Solve a transport problem. Bad input gives [`TransportError::InvalidInput`] naming the field.
pub fn solve(problem: &TransportProblem) -> Result<TransportResult, TransportError> {
    solve_with(problem, None)
}

/// [`solve`] with explicit step control (for tests and studies); `None` = defaults.
pub fn solve_with(problem: &TransportProblem, control: Option<StepControl>) -> Result<TransportResult, TransportError> {
    solve_observed(problem, control, &mut |_| {})
}
