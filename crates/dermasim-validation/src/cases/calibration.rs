//! The calibration rows: every measured value of every training dataset against the model at
//! today's value of the parameter it calibrates (what a run uses), inside the datum's spread or
//! not.

use super::{Num, Role, Row, within};
use crate::calibrate::{self, CALIBRATIONS};

/// One row per measured value of each training dataset.
pub fn rows() -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    for c in CALIBRATIONS {
        let fit = calibrate::fit(c)?;
        let d = &fit.dataset;
        for r in &fit.residuals {
            let published = format!("{} {} ({}..{})", Num(r.measured), r.unit, Num(r.spread.0), Num(r.spread.1));
            rows.push(within(
                format!("{}: {}", d.id, r.quantity),
                format!("{} [{}]; {}", d.study.citation, d.study.confidence, d.study.subjects),
                published,
                r.today,
                r.spread,
                &r.unit,
                "the datum's spread",
                Role::Calibration { parameter: format!("`{}` = {}", c.parameter, Num(fit.today)) },
            ));
        }
    }
    Ok(rows)
}
