//! The refit of today's registry: every calibrated parameter, fitted to its training dataset,
//! reproduces the value the model uses today within the fit's uncertainty; a value derived at run
//! time in closed form is reproduced to the optimiser's tolerance.

use dermasim_validation::calibrate::{self, CALIBRATIONS, Current};

#[test]
fn the_refit_reproduces_todays_values() {
    for c in CALIBRATIONS {
        let fit = calibrate::fit(c).unwrap();
        println!(
            "{}: fit {:.6e} ({:.6e}..{:.6e}), today {:.6e} ({:+.3} %), cost {:.3e}",
            c.parameter,
            fit.value,
            fit.interval.0,
            fit.interval.1,
            fit.today,
            100.0 * fit.today_offset(),
            fit.cost
        );
        assert!(!fit.at_bound, "{}: the fit stopped at a search bound: {fit:?}", c.parameter);
        assert!(fit.interval.0 < fit.value && fit.value < fit.interval.1, "{fit:?}");
        assert!(fit.reproduces_today(), "{}: today's value outside the fit's uncertainty: {fit:?}", c.parameter);
        if let Current::Derived { by, .. } = c.current {
            assert!(fit.today_offset().abs() < 1e-5, "{}: the fit differs from {by}: {fit:?}", c.parameter);
        }
    }
}

#[test]
fn fits_are_deterministic() {
    for c in CALIBRATIONS {
        assert_eq!(calibrate::fit(c).unwrap(), calibrate::fit(c).unwrap(), "{}", c.parameter);
    }
}
