//! The validation rows of `docs/validation.md`: each a run of the model against a published
//! value, with the tolerance the case states and its role (a calibration datum, or an independent
//! check no parameter was fitted to).
//!
//! **Adding a case.** Add a [`Row`] to the `rows()` function of the area's module (`depth`,
//! `numbing`, …; a new area is a new module listed in [`AREAS`]), computed by running the model as
//! the area's validation test does, then regenerate the document:
//! `DERMASIM_UPDATE_DOCS=1 cargo test --workspace --test validation_doc`. The calibration rows come
//! from the training datasets ([`calibration`]): a new dataset adds its rows by itself.

use std::fmt;

pub mod calibration;
pub mod depth;
pub mod healing;
pub mod numbing;
pub mod outcomes;
pub mod procedure;

/// Whether a datum was used to fit a parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// Used to fit `parameter`: a consistency check, not validation.
    Calibration {
        /// The parameter fitted (a registry name or a named model constant).
        parameter: String,
    },
    /// Not used in any fit.
    Independent,
}

/// One row: a published value against dermasim's.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Case id and what is compared.
    pub case: String,
    /// Authors, year, journal, confidence tag; species where not human.
    pub source: String,
    /// The published value as the source gives it.
    pub published: String,
    /// dermasim's value (or band).
    pub dermasim: String,
    /// The tolerance the case states.
    pub tolerance: String,
    /// Inside the tolerance.
    pub pass: bool,
    /// How far outside the tolerance, when it misses.
    pub miss: Option<String>,
    /// Calibration or independent.
    pub role: Role,
}

/// A number printed with the precision a reader needs (3 significant digits, no exponent for the
/// usual magnitudes).
pub struct Num(pub f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = self.0;
        if x == 0.0 || !x.is_finite() {
            return write!(f, "{x}");
        }
        let mag = x.abs().log10().floor() as i32;
        if !(-4..6).contains(&mag) {
            return write!(f, "{x:.2e}");
        }
        // Three significant digits, four when that shows the value exactly (152.5).
        let three = (2 - mag).max(0) as usize;
        let four = (3 - mag).max(0) as usize;
        let exact = format!("{x:.four$}");
        if format!("{x:.three$}").parse::<f64>() != Ok(x) && exact.parse::<f64>() == Ok(x) {
            return f.write_str(&exact);
        }
        write!(f, "{x:.three$}")
    }
}

/// A row comparing `value` with the range `lo..=hi` (either end may be infinite), in `unit`.
/// A miss gives its distance to the nearest end, absolute and relative to that end.
#[allow(clippy::too_many_arguments)]
pub fn within(
    case: impl Into<String>,
    source: impl Into<String>,
    published: impl Into<String>,
    value: f64,
    (lo, hi): (f64, f64),
    unit: &str,
    tolerance: impl Into<String>,
    role: Role,
) -> Row {
    let pass = lo <= value && value <= hi;
    let miss = (!pass).then(|| {
        let (end, dir) = if value < lo { (lo, "under") } else { (hi, "over") };
        let pct =
            if end != 0.0 { format!(", {:.0} %", 100.0 * (value - end).abs() / end.abs()) } else { String::new() };
        {
            // A share's miss is in percentage points; the relative size follows.
            let unit = if unit == "%" { "percentage points" } else { unit };
            format!("{} {unit} {dir}{pct}", Num((value - end).abs())).replace("  ", " ")
        }
    });
    Row {
        case: case.into(),
        source: source.into(),
        published: published.into(),
        dermasim: format!("{} {unit}", Num(value)).trim_end().to_string(),
        tolerance: tolerance.into(),
        pass,
        miss,
        role,
    }
}

/// An area of the validation: its name and its rows.
pub type Area = (&'static str, fn() -> Result<Vec<Row>, String>);

/// Every area, in pipeline order. The calibration rows of the training datasets come first.
pub static AREAS: &[Area] = &[
    ("calibration datasets", calibration::rows),
    ("depth", depth::rows),
    ("healing", healing::rows),
    ("numbing", numbing::rows),
    ("procedure", procedure::rows),
    ("outcomes", outcomes::rows),
];

/// Every row of every area.
pub fn all() -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    for (name, f) in AREAS {
        rows.extend(f().map_err(|e| format!("{name}: {e}"))?);
    }
    Ok(rows)
}

/// Parses a scenario text of a case.
pub fn scenario(text: &str) -> Result<dermasim_core::scenario::Scenario, String> {
    dermasim_core::scenario::parse(text, &[]).map_err(|e| format!("{e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_with_three_significant_digits() {
        assert_eq!(Num(460.04).to_string(), "460");
        assert_eq!(Num(4.9623).to_string(), "4.96");
        assert_eq!(Num(152.5).to_string(), "152.5");
        assert_eq!(Num(4906.4).to_string(), "4906");
        assert_eq!(Num(0.20174).to_string(), "0.202");
        assert_eq!(Num(3.5e-4).to_string(), "0.000350");
        assert_eq!(Num(1.2e-7).to_string(), "1.20e-7");
    }

    #[test]
    fn a_miss_says_by_how_much() {
        let r = within("c", "s", "p", 5200.0, (6000.0, f64::INFINITY), "um", "t", Role::Independent);
        assert!(!r.pass);
        assert_eq!(r.miss.as_deref(), Some("800 um under, 13 %"));
        let r = within("c", "s", "p", 5.0, (4.0, 6.0), "mm", "t", Role::Independent);
        assert!(r.pass && r.miss.is_none());
        let r = within("c", "s", "p", 40.0, (10.0, 25.0), "%", "t", Role::Independent);
        assert_eq!(r.miss.as_deref(), Some("15.0 percentage points over, 60 %"));
    }
}
