//! dermasim-transport: conservative finite-volume diffusion in layered skin with micro-channels.
//!
//! # Brief overview
//!
//! Units are µm, s and mg/mL inside; results are per cm² of skin surface.
//!
//! * [`TransportProblem`] → [`solve`] → [`TransportResult`]: the high-level API the pipeline
//!   calls. A problem is a stack of [`Layer`]s (the first is the barrier, normally the stratum
//!   corneum), a [`Donor`] film (infinite or finite dose), a [`Bottom`] (receptor sink or
//!   closed) and a [`Geometry`]: intact skin ([`Geometry::OneD`]), an axisymmetric unit cell
//!   around one [`Channel`] ([`Geometry::UnitCell`]), or a Cartesian 3-D window with explicit
//!   [`Hole`]s ([`Geometry::Patch`]). Bad input gives a [`TransportError`] naming the field.
//! * Underneath, private to the crate: `fv` (structured grid, `u = C/K` unknown, K·D-harmonic
//!   face conductances, donor/receptor half-cell couplings), `solver` (matrix-free
//!   preconditioned CG), `mg` (aggregation-multigrid preconditioner), `sim` (adaptive BE → BDF
//!   stepping with exact mass bookkeeping; `initial_guess` its projected CG start), `par`
//!   (deterministic reductions) and `real` (the f64/f32 cell types). [`StepControl`] and
//!   [`Precond`] / [`MgParams`] are the public handles on them. The shared skin-channel
//!   benchmark (`bench`, the `transport-bench` and `solve-timing` drivers) is compiled only
//!   with the `bench` feature.
//! * [`props`]: the permeant chemistry (partition, diffusivity, clearance, hindrance of a
//!   permeant in each layer), which turns a product into [`Layer`] coefficients.
//!
//! **Determinism.** Every reduction sums fixed-size chunks and adds the partial sums in index
//! order, and every parallel kernel computes each output element from a fixed formula, so the
//! same input gives the same bits whatever the number of rayon threads.
//!
//! **Channel closure.** A channel's openness `s(t)` (piecewise linear in a `(t_h, s)` table)
//! scales its *open cross-section*: lumen cells keep capacity `V` (K = 1, so no mass is created
//! or destroyed when the channel closes) and get the conductivity
//! `K·D = s·D_channel + (1 − s)·K_tissue·D_tissue` — parallel paths of open fluid and refilled
//! tissue — which tends to the tissue value when closed.
//!
//! The numerical method and its verification are described in `docs/models.md` §6.
//!
//! # API
//!
//! ```text
//! pub fn solve(problem: &TransportProblem) -> Result<TransportResult, TransportError>;
//! pub fn solve_with(problem: &TransportProblem, control: Option<StepControl>)
//!     -> Result<TransportResult, TransportError>;
//! pub fn solve_observed(problem: &TransportProblem, control: Option<StepControl>,
//!     progress: &mut dyn FnMut(f64)) -> Result<TransportResult, TransportError>;
//! pub struct TransportProblem { layers: Vec<Layer>, donor: Donor, bottom: Bottom,
//!     geometry: Geometry, duration_h: f64, output_times_h: Vec<f64>, resolution: Resolution }
//! pub struct Layer { name, thickness_um, diffusivity_um2_s, partition, clearance_per_s }
//! pub enum Donor { Infinite { concentration_mg_ml }, Finite { film_thickness_um, concentration_mg_ml } }
//! pub enum Bottom { Sink, Closed }
//! pub enum Geometry { OneD, UnitCell { cell_radius_um, channel: Channel },
//!     Patch { window_x_um, window_y_um, holes: Vec<Hole>, channel_diffusivity_um2_s } }
//! pub struct Channel { radius_um, depth_um, diffusivity_um2_s, openness: Vec<(f64, f64)> }
//! pub struct Hole { x_um, y_um, depth_um, length_um, width_um, direction_deg }
//! pub enum Resolution { Coarse, Normal, Fine,
//!     Custom { max_dz_um, min_cells_per_layer, lateral_um, lateral_max_um } }
//! pub struct TransportResult { times_h, flux_ug_per_cm2_h, cumulative_ug_per_cm2,
//!     receptor_ug_per_cm2, cleared_ug_per_cm2, layer_amounts_ug_per_cm2, channel_ug_per_cm2,
//!     donor_ug_per_cm2, applied_ug_per_cm2, removed_ug_per_cm2, dry_deposit_ug_per_cm2,
//!     film_capacity_um, profiles: Vec<DepthProfile>, lag_time_h: Option<f64>,
//!     max_depth_um_above_threshold, mass_balance_rel_error, steps, cg_iterations, cells,
//!     field: Option<ConcentrationField> }
//! pub struct ConcentrationField { time_h, nx, ny, nz, dx_um, dy_um, z_faces_um,
//!     concentration_mg_ml: Vec<f32> }   // patch only, at the final time
//! ```
//!
//! Every time series starts at t = 0. "Delivered" (`cumulative_ug_per_cm2`) is the amount in
//! the tissue below the first layer (channel lumen excluded) plus what was cleared there plus
//! the receptor; `flux_ug_per_cm2_h` is its time derivative (flux across the first layer's
//! lower plane and the lumen walls below it). See [`TransportResult`] for every field.
//!
//! # Example
//!
//! ```
//! use dermasim_transport::*;
//! let layer = |name: &str, l: f64, d: f64, k: f64, cl: f64| Layer {
//!     name: name.into(), thickness_um: l, diffusivity_um2_s: d, partition: k, clearance_per_s: cl,
//! };
//! let problem = TransportProblem {
//!     layers: vec![layer("SC", 15.0, 0.01, 10.0, 0.0), layer("VE", 80.0, 10.0, 1.0, 0.0)],
//!     donor: Donor::Infinite { concentration_mg_ml: 1.0 },
//!     bottom: Bottom::Sink,
//!     geometry: Geometry::OneD,
//!     duration_h: 1.0,
//!     output_times_h: vec![0.5, 1.0],
//!     resolution: Resolution::Coarse,
//! };
//! let r = solve(&problem)?;
//! assert_eq!(r.times_h.len(), 3); // t = 0, 0.5 h, 1 h
//! assert!(r.mass_balance_rel_error < 1e-9);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

#[cfg(any(test, feature = "bench"))]
pub mod bench;
mod error;
mod fv;
mod initial_guess;
mod mg;
mod par;
mod problem;
pub mod props;
mod real;
mod sim;
mod solver;
#[cfg(test)]
mod verification;

pub use crate::error::TransportError;
pub use crate::mg::{Interp, MgParams, Precision, Relax};
pub use crate::par::PAR_MIN;
pub use crate::problem::{
    Bottom, Channel, ConcentrationField, DepthProfile, Donor, Geometry, Hole, LATERAL_GROWTH, LATERAL_MARGIN_CELLS,
    Layer, MAX_CELLS, Resolution, TRACE_FILM_SHARE, TransportProblem, TransportResult, UG_PER_CM2_PER_MGML_UM, Vehicle,
    Z_GROWTH, Z_STRETCH_MAX, Z_TIP_MARGIN_CELLS, channel_openness, lag_time, solve, solve_observed, solve_with,
};
pub use crate::sim::{Scheme, StepControl, openness_at};
pub use crate::solver::Precond;
