//! Random streams. Every random entity (a stroke, a needle, a puncture, a patient) draws from
//! its own ChaCha8 stream, keyed by the scenario seed, the stage and the entity's index, so
//! results do not depend on thread count or on the order work is scheduled in.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Pipeline stages that draw random numbers; part of every stream key.
#[derive(Clone, Copy, Debug)]
#[repr(u64)]
pub enum Stage {
    /// Roller stroke phases and offsets, pen phases, stamp jitter.
    Kinematics = 1,
    /// Per-puncture depth variability.
    Mechanics = 2,
    /// Which needles of a device are bent.
    NeedleCondition = 3,
    /// Virtual patients of a cohort.
    Cohort = 4,
    /// Sweep points' seeds and Latin-hypercube designs (`sweep`).
    Sweep = 5,
    /// Bootstrap resamples of a sensitivity analysis (`sensitivity`).
    Sensitivity = 6,
}

/// Largest entity index (exclusive) a stream key holds in each of its two parts: 2²⁸.
pub const ENTITY_KEY_LIMIT: u64 = 1 << 28;

/// The stream for entity `(a, b)` of a stage; `a` and `b` must be below [`ENTITY_KEY_LIMIT`]
/// (the resource limits keep every index far below it; a debug build checks).
pub fn stream(seed: u64, stage: Stage, a: u64, b: u64) -> ChaCha8Rng {
    debug_assert!(a < ENTITY_KEY_LIMIT && b < ENTITY_KEY_LIMIT, "stream key ({a}, {b}) wider than 28 bits");
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Stage in the top 8 bits, a in the next 28, b in the low 28: unique below the limit.
    rng.set_stream(((stage as u64) << 56) ^ ((a & (ENTITY_KEY_LIMIT - 1)) << 28) ^ (b & (ENTITY_KEY_LIMIT - 1)));
    rng
}

/// A standard normal draw by Box-Muller from two uniforms (kept here so that the numbers do
/// not change with the algorithms of a distribution crate's future versions).
pub fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    use rand::RngExt;
    let u1: f64 = 1.0 - rng.random::<f64>(); // (0, 1]
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: f64 = stream(7, Stage::Mechanics, 3, 0).random();
        let b: f64 = stream(7, Stage::Mechanics, 3, 0).random();
        let c: f64 = stream(7, Stage::Mechanics, 4, 0).random();
        let d: f64 = stream(8, Stage::Mechanics, 3, 0).random();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    #[test]
    fn normal_draws_have_unit_variance() {
        let mut r = stream(1, Stage::Cohort, 0, 0);
        let n = 20000;
        let xs: Vec<f64> = (0..n).map(|_| standard_normal(&mut r)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.03, "{mean}");
        assert!((var - 1.0).abs() < 0.05, "{var}");
    }
}
