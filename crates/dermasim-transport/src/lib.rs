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
//! * Underneath: [`fv`] (structured grid, `u = C/K` unknown, K·D-harmonic face conductances,
//!   donor/receptor half-cell couplings), [`solver`] (matrix-free preconditioned CG),
//!   [`mg`] (aggregation-multigrid preconditioner), [`sim`] (adaptive BE → BDF2 stepping with
//!   exact mass bookkeeping), [`par`] (deterministic reductions) and [`bench`] (the shared
//!   skin-channel benchmark problem).
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
//! The numerical method and its verification are described in `MODELS-numerics.md`.
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

pub mod bench;
mod error;
pub mod fv;
pub mod mg;
pub mod par;
mod problem;
pub mod props;
pub mod sim;
pub mod solver;

pub use crate::error::TransportError;
pub use crate::problem::{
    Bottom, Channel, DepthProfile, Donor, Geometry, Hole, Layer, MAX_CELLS, Resolution, TransportProblem,
    TransportResult, UG_PER_CM2_PER_MGML_UM, channel_openness, lag_time, solve, solve_with,
};
