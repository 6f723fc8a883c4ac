//! Errors of the transport crate.

/// Everything that can go wrong in [`solve`](crate::solve): invalid input (naming the field)
/// or a numerical failure. Never a panic.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum TransportError {
    /// An input field is out of range or inconsistent.
    #[error("invalid transport input `{field}`: {reason}")]
    InvalidInput {
        /// Path of the offending field, e.g. `layers[1].thickness_um`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The requested resolution would need too many cells.
    #[error("grid too large: {cells} cells (limit {limit}); choose a coarser resolution")]
    GridTooLarge {
        /// Cells requested.
        cells: usize,
        /// Limit.
        limit: usize,
    },
    /// The linear solver did not converge.
    #[error("linear solver did not converge (relative residual {rel_residual:e} at t = {time_s} s)")]
    NotConverged {
        /// Worst relative residual seen.
        rel_residual: f64,
        /// Simulation time (s).
        time_s: f64,
    },
}

pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> TransportError {
    TransportError::InvalidInput { field: field.into(), reason: reason.into() }
}
