//! Calibration and validation against published data, kept apart.
//!
//! - [`training`]: the training datasets, one file per calibrated parameter under
//!   `validation/training/` (the study with its citation, its scenario, the measured values with
//!   their spread), embedded at build time.
//! - [`calibrate`]: the fits of the calibrated parameters to their datasets (1-D Brent
//!   minimisation with `argmin`), each with its uncertainty and residuals, and the rewrite of a
//!   registry value in its source file (what `dermasim calibrate --write` saves).
//! - [`cases`]: the validation rows, one module per area, each row a run of the model against a
//!   published value with its tolerance and its role (calibration or independent check).
//! - [`doc`]: the generated tables of `docs/validation.md`.
//!
//! Like the core, this crate does no I/O: the CLI reads and writes files.

pub mod calibrate;
pub mod cases;
pub mod doc;
pub mod training;
