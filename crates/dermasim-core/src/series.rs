//! Healing stage, weeks to months: collagen and elastin over a series of sessions, and the
//! atrophic-scar outcome they map to.
//!
//! Each session's dermal injury is a stimulus `S = 1 − exp(−D / D_C)` (`D`: the dermal depth
//! dose of [`crate::healing::InjuryDose`], 100-µm channel equivalents per cm²; needles that stop
//! in the epidermis give `D = 0` and no dermal collagen). The wound-healing phases (literature.md
//! §6; the day counts are from a manufacturer page, \[S\]) give the response to one session:
//!
//! * inflammation, days 0-5: no new collagen;
//! * proliferation from about day 5 for about 8 weeks: new collagen laid down as type III at a
//!   constant rate;
//! * remodelling from week 8 to about a year: type III turned into type I;
//! * turnover: new collagen of either type is broken down slowly, so gains fade without further
//!   sessions.
//!
//! ```text
//! dC3/dt = A·h·Σ_k S_k·p(t − t_k) − C3/τ_conv − C3/τ_turn
//! dC1/dt = C3/τ_conv − C1/τ_turn                       p = 1/56 d on [5, 61] d, else 0
//! collagen change = C3 + C1  (% of baseline)
//! elastin change  = −B·h·Σ_k S_k·exp(−(t − t_k)/τ_E)  (% of baseline)
//! ```
//!
//! Sessions add up linearly (Zeitter 2014: repeated sessions "superposition" the benefits). The
//! response is linear in `A·h·S`, so the series is computed once per unit and scaled (the virtual
//! cohort scales it per patient). Scar score: `score_after = score_before · exp(−ΔC / C_SCAR)`.
//! Every parameter names its datum below and in `docs/models.md §7`.

use serde::Serialize;

use crate::channels::{Channel, Drive, mean_depth_um};
use crate::device::Needle;
use crate::healing::InjuryDose;
use crate::scenario::Scenario;

/// Day after a session at which proliferation (and collagen deposition) starts. Manufacturer
/// page (Amiea Med / MT.DERM) \[S\]: "PHASE II proliferation … starts after about 5 days".
pub const PROLIFERATION_START_D: f64 = 5.0;
/// Duration of proliferation, days. Same page \[S\]: "… and lasts about 8 weeks".
pub const PROLIFERATION_D: f64 = 56.0;
/// Time constant of the conversion of new collagen III into collagen I, days. `[A]` from the same
/// page \[S\]: remodelling "from 8 weeks after the treatment to about 1 year", "collagen type III is
/// converted into collagen type I"; 100 days puts about 95 % of the conversion within that year.
pub const CONVERSION_D: f64 = 100.0;
/// Turnover time of newly deposited dermal collagen, days. `[A]` no datum in the reference; a
/// year, so that gains fade slowly (Aust 2008 \[V\] still saw "a considerable increase" at 6
/// months).
pub const TURNOVER_D: f64 = 365.0;
/// Dermal depth dose that brings a session's stimulus to 63 % of its maximum, 100-µm channel
/// equivalents per cm². `[A]` as [`crate::healing::DERMAL_DOSE_SCALE`].
pub const COLLAGEN_DOSE_SCALE: f64 = 1000.0;

/// Lotfi, Moneib & Yehia 2013 (J Egypt Women's Dermatol Soc 10:152) \[V\]: papillary-dermis
/// collagen +53.2 % (Masson trichrome) 8 weeks after 5 monthly 1.5 mm roller sessions.
pub const LOTFI_COLLAGEN_PCT: f64 = 53.2;
/// Lotfi 2013: sessions.
pub const LOTFI_SESSIONS: u32 = 5;
/// Lotfi 2013: "monthly", taken as 30 days `[A]`.
pub const LOTFI_INTERVAL_D: f64 = 30.0;
/// Lotfi 2013: assessed 8 weeks after the last session.
pub const LOTFI_FOLLOW_UP_D: f64 = 56.0;
/// Roller passes of the Lotfi protocol. `[A]` not in the excerpt: 4 in each of 4 directions.
pub const LOTFI_PASSES: f64 = 16.0;

/// Elastin loss per unit session stimulus, % of baseline. `[A]` El-Domyati 2015 \[V\]: total
/// elastin *fell* (p < 0.05) after 6 sessions 2 weeks apart; the excerpt gives no magnitude.
/// (Aust 2008 \[V\] reports "a considerable increase in collagen and elastin" at 6 months: the
/// sources disagree; the model follows the biopsy series with numbers of sessions and times.)
pub const ELASTIN_LOSS_PCT: f64 = 5.0;
/// Recovery time of the elastin loss, days. `[A]`.
pub const ELASTIN_RECOVERY_D: f64 = 120.0;

/// Time step of the series integration, days (numerical choice; the kernel is integrated
/// exactly in each step's production, so a quarter day is far below every time scale).
pub const STEP_D: f64 = 0.25;

/// Stimulus of one session from its injury dose, 0-1.
pub fn stimulus(dose: &InjuryDose) -> f64 {
    1.0 - (-dose.dermal_depth_dose_per_cm2.max(0.0) / COLLAGEN_DOSE_SCALE).exp()
}

/// The stimulus of the Lotfi protocol: a 1.5 mm roller-192 (Schwarz & Laaff 2011 drum: 192
/// needles, 20 × 20 mm) rolled [`LOTFI_PASSES`] times on the cheek (epidermis 16.8 + 55 µm),
/// with the mechanics' mean channel depth.
pub fn lotfi_stimulus() -> f64 {
    let needle = Needle { length_um: 1500.0, diameter_um: 250.0, tip_radius_um: crate::device::SHARP_TIP_RADIUS_UM };
    let depth = mean_depth_um(&needle, needle.tip_radius_um, Drive::HandRolled, 1.0);
    let density = LOTFI_PASSES * 192.0 / (std::f64::consts::PI * 2.0 * 2.0);
    let epidermis = 16.8 + 55.0;
    let dose = InjuryDose {
        dermal_depth_dose_per_cm2: density * (depth - epidermis).max(0.0) / 100.0,
        ..InjuryDose::default()
    };
    stimulus(&dose)
}

/// Collagen gain per unit stimulus per session, % of baseline. `[C]` Lotfi 2013: the unit
/// response of 5 sessions 30 days apart, 56 days after the last, times [`lotfi_stimulus`], is
/// +53.2 %.
pub fn collagen_gain_pct() -> f64 {
    let unit = unit_response(LOTFI_SESSIONS, LOTFI_INTERVAL_D, LOTFI_FOLLOW_UP_D);
    LOTFI_COLLAGEN_PCT / (lotfi_stimulus() * unit.collagen_at_follow_up())
}

/// Dogra, Yadav & Sarangal 2014 \[V\]: acne scar assessment score 11.73 ± 3.12 before 5 monthly
/// roller sessions.
pub const DOGRA_BEFORE: f64 = 11.73;
/// Dogra 2014: SD before.
pub const DOGRA_BEFORE_SD: f64 = 3.12;
/// Dogra 2014: 6.5 ± 2.71 one month after the last session.
pub const DOGRA_AFTER: f64 = 6.5;
/// Dogra 2014: SD after.
pub const DOGRA_AFTER_SD: f64 = 2.71;
/// Dogra 2014: sessions.
pub const DOGRA_SESSIONS: u32 = 5;
/// Dogra 2014: "monthly", 30 days `[A]`.
pub const DOGRA_INTERVAL_D: f64 = 30.0;
/// Dogra 2014: final assessment one month after the last session, 30 days `[A]`.
pub const DOGRA_FOLLOW_UP_D: f64 = 30.0;

/// Collagen gain (% of baseline) that reduces a scar score by a factor e. `[C]` Dogra 2014: the
/// mean score fell from 11.73 to 6.5 one month after 5 monthly sessions; with the Lotfi
/// protocol's stimulus (1.5 mm roller, 16 passes: the median needle length of needling-alone acne
/// studies is 1.5 mm, Harris 2015 \[V\]; Dogra's length and passes are not in the excerpt, `[A]`)
/// the typical patient's collagen gain then is ΔC, and C_SCAR = ΔC / ln(11.73 / 6.5).
pub fn scar_collagen_scale_pct() -> f64 {
    let unit = unit_response(DOGRA_SESSIONS, DOGRA_INTERVAL_D, DOGRA_FOLLOW_UP_D);
    let gain = collagen_gain_pct() * lotfi_stimulus() * unit.collagen_at_follow_up();
    gain / (DOGRA_BEFORE / DOGRA_AFTER).ln()
}

/// Scar score after a collagen gain (continuous; the same scale as the score before).
pub fn scar_score_after(before: f64, collagen_change_pct: f64) -> f64 {
    before * (-collagen_change_pct.max(0.0) / scar_collagen_scale_pct()).exp()
}

/// Upper bounds of Goodman & Baron grades 1, 2 and 3 on the continuous score; 4 above. `[A]`
/// the grade definitions (1 macular, 2 mild, 3 moderate, 4 severe) are unverified (\[M\] in the
/// reference) and no mapping between the grade and the score is given: bounds doubling from 3.5
/// put Dogra's mean before (11.73) in grade 3 and after (6.5) in grade 2, as Tirmizi 2021 \[V\]
/// reports for the typical patient (grade III → II).
pub const GRADE_UPPER_BOUNDS: [f64; 3] = [3.5, 7.0, 14.0];

/// Goodman & Baron grade (1-4) of a continuous score.
pub fn grade(score: f64) -> u8 {
    1 + GRADE_UPPER_BOUNDS.iter().filter(|&&b| score >= b).count() as u8
}

/// The response of a series to a unit stimulus per session with unit healing rate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnitResponse {
    /// Sessions.
    pub sessions: u32,
    /// Days between sessions.
    pub interval_days: f64,
    /// Days after the last session of the follow-up.
    pub follow_up_days: f64,
    /// `(day, collagen III, collagen I, elastin)` per unit, from the first session to the
    /// follow-up.
    pub curve: Vec<(f64, f64, f64, f64)>,
}

impl UnitResponse {
    /// Total new collagen per unit at the follow-up.
    pub fn collagen_at_follow_up(&self) -> f64 {
        self.curve.last().map(|&(_, c3, c1, _)| c3 + c1).unwrap_or(0.0)
    }

    /// Elastin per unit at the follow-up.
    pub fn elastin_at_follow_up(&self) -> f64 {
        self.curve.last().map(|&(_, _, _, e)| e).unwrap_or(0.0)
    }

    /// Share of the new collagen that is type I at the follow-up.
    pub fn collagen_i_share(&self) -> f64 {
        self.curve.last().map(|&(_, c3, c1, _)| if c3 + c1 > 0.0 { c1 / (c3 + c1) } else { 0.0 }).unwrap_or(0.0)
    }
}

/// Length of the production window of session `k` inside the step `[t, t + dt]`, days.
fn overlap(t: f64, dt: f64, start: f64, end: f64) -> f64 {
    ((t + dt).min(end) - t.max(start)).max(0.0)
}

/// The series' response to a unit stimulus per session (A·h·S = 1), integrated with exact
/// production per step and exponential decay, sampled once a day.
pub fn unit_response(sessions: u32, interval_days: f64, follow_up_days: f64) -> UnitResponse {
    let sessions = sessions.max(1);
    let interval = interval_days.max(0.0);
    let starts: Vec<f64> = (0..sessions).map(|k| f64::from(k) * interval).collect();
    let end = starts.last().copied().unwrap_or(0.0) + follow_up_days.max(0.0);
    let steps = (end / STEP_D).ceil().max(0.0) as usize;
    let dt = if steps > 0 { end / steps as f64 } else { 0.0 };
    let decay3 = (-dt * (1.0 / CONVERSION_D + 1.0 / TURNOVER_D)).exp();
    let decay1 = (-dt / TURNOVER_D).exp();
    let (mut c3, mut c1) = (0.0f64, 0.0f64);
    let elastin = |t: f64| -> f64 {
        -starts.iter().filter(|&&s| s <= t).map(|&s| (-(t - s) / ELASTIN_RECOVERY_D).exp()).sum::<f64>()
    };
    let per_day = (1.0 / STEP_D).round().max(1.0) as usize;
    let mut curve = vec![(0.0, 0.0, 0.0, elastin(0.0))];
    for i in 0..steps {
        let t = i as f64 * dt;
        let produced: f64 = starts
            .iter()
            .map(|&s| overlap(t, dt, s + PROLIFERATION_START_D, s + PROLIFERATION_START_D + PROLIFERATION_D))
            .sum::<f64>()
            / PROLIFERATION_D;
        // Split step: decay, convert, then add this step's production (all of it as type III).
        let c3_old = c3;
        c3 = c3 * decay3 + produced;
        // Type III lost in the step minus turnover share goes to type I.
        let lost3 = c3_old * (1.0 - decay3);
        let to_c1 = lost3 * (1.0 / CONVERSION_D) / (1.0 / CONVERSION_D + 1.0 / TURNOVER_D);
        c1 = c1 * decay1 + to_c1;
        let day = t + dt;
        if (i + 1) % per_day == 0 || i + 1 == steps {
            curve.push((day, c3, c1, elastin(day)));
        }
    }
    UnitResponse { sessions, interval_days: interval, follow_up_days: follow_up_days.max(0.0), curve }
}

/// The series of a scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Series {
    /// Sessions.
    pub sessions: u32,
    /// Days between sessions.
    pub interval_days: f64,
    /// Days after the last session at which outcomes are reported.
    pub follow_up_days: f64,
    /// Stimulus of one session, 0-1.
    pub stimulus: f64,
    /// Dermal collagen change at the follow-up, % of baseline.
    pub collagen_change_pct: f64,
    /// Share of the new collagen that is type I at the follow-up (0 without new collagen).
    pub collagen_i_share: f64,
    /// Elastin change at the follow-up, % of baseline.
    pub elastin_change_pct: f64,
    /// Continuous scar score change of a typical patient, % (negative = better).
    pub scar_score_change_pct: f64,
    /// Dogra's mean score before (11.73) carried through the series, and its grades.
    pub typical_scar: TypicalScar,
    /// `(day, collagen %, elastin %)` from the first session to the follow-up, daily.
    pub curve: Vec<(f64, f64, f64)>,
}

/// A typical patient's scar through the series.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TypicalScar {
    /// Score before (Dogra 2014 mean).
    pub score_before: f64,
    /// Score at the follow-up.
    pub score_after: f64,
    /// Goodman & Baron grade before (grade bounds are an assumption).
    pub grade_before: u8,
    /// Grade at the follow-up.
    pub grade_after: u8,
}

/// Scales a unit response by a session stimulus and a healing rate.
pub fn scaled(unit: &UnitResponse, stimulus: f64, healing_rate: f64) -> Series {
    let a = collagen_gain_pct() * stimulus * healing_rate;
    let b = ELASTIN_LOSS_PCT * stimulus * healing_rate;
    let collagen = a * unit.collagen_at_follow_up();
    let after = scar_score_after(DOGRA_BEFORE, collagen);
    Series {
        sessions: unit.sessions,
        interval_days: unit.interval_days,
        follow_up_days: unit.follow_up_days,
        stimulus,
        collagen_change_pct: collagen,
        collagen_i_share: if collagen > 0.0 { unit.collagen_i_share() } else { 0.0 },
        // `+ 0.0` turns a negative zero (no stimulus) into 0.
        elastin_change_pct: b * unit.elastin_at_follow_up() + 0.0,
        scar_score_change_pct: 100.0 * (after / DOGRA_BEFORE - 1.0),
        typical_scar: TypicalScar {
            score_before: DOGRA_BEFORE,
            score_after: after,
            grade_before: grade(DOGRA_BEFORE),
            grade_after: grade(after),
        },
        curve: unit.curve.iter().map(|&(d, c3, c1, e)| (d, a * (c3 + c1), b * e)).collect(),
    }
}

/// The series of a scenario from one session's channels (`window_cm2`: their window). `None`
/// for excised skin.
pub fn assess(s: &Scenario, channels: &[Channel], window_cm2: f64) -> Option<Series> {
    if !crate::healing::heals(&s.skin) {
        return None;
    }
    let dose = InjuryDose::from_channels(channels, window_cm2, s.skin.layers.epidermis_um());
    let p = &s.protocol;
    let unit = unit_response(p.sessions, p.interval_days, p.follow_up_days);
    Some(scaled(&unit, stimulus(&dose), 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calibration_reproduces_lotfi_and_dogra() {
        let unit = unit_response(LOTFI_SESSIONS, LOTFI_INTERVAL_D, LOTFI_FOLLOW_UP_D);
        let s = scaled(&unit, lotfi_stimulus(), 1.0);
        assert!((s.collagen_change_pct - LOTFI_COLLAGEN_PCT).abs() < 1e-9);
        let unit = unit_response(DOGRA_SESSIONS, DOGRA_INTERVAL_D, DOGRA_FOLLOW_UP_D);
        let s = scaled(&unit, lotfi_stimulus(), 1.0);
        assert!((s.typical_scar.score_after - DOGRA_AFTER).abs() < 1e-9);
        assert_eq!((s.typical_scar.grade_before, s.typical_scar.grade_after), (3, 2));
        assert!((0.2..0.9).contains(&lotfi_stimulus()), "{}", lotfi_stimulus());
    }

    #[test]
    fn phases_nothing_before_day_5_then_type_iii_then_type_i() {
        let u = unit_response(1, 30.0, 365.0);
        let at = |d: f64| u.curve.iter().find(|c| c.0 >= d).copied().unwrap();
        assert_eq!(at(4.0).1 + at(4.0).2, 0.0);
        assert!(at(30.0).1 > at(30.0).2, "type III dominates early");
        assert!(at(365.0).2 > at(365.0).1, "type I dominates after a year");
        // Gains peak around the end of proliferation, then fade slowly.
        let peak = u.curve.iter().map(|c| c.1 + c.2).fold(0.0, f64::max);
        let end = at(365.0);
        assert!(end.1 + end.2 < peak && end.1 + end.2 > 0.4 * peak);
        // Mass balance: total made = 1 unit; what remains is less.
        assert!(peak <= 1.0 + 1e-9);
    }

    #[test]
    fn grades_follow_the_bounds() {
        assert_eq!(grade(0.0), 1);
        assert_eq!(grade(3.5), 2);
        assert_eq!(grade(11.73), 3);
        assert_eq!(grade(20.0), 4);
    }

    #[test]
    fn epidermal_needling_induces_no_dermal_collagen() {
        let dose = InjuryDose { punctures_per_cm2: 500.0, ..InjuryDose::default() };
        assert_eq!(stimulus(&dose), 0.0);
        let s = scaled(&unit_response(5, 30.0, 90.0), stimulus(&dose), 1.0);
        assert_eq!(s.collagen_change_pct, 0.0);
    }

    fn ch(depth_um: f64) -> Channel {
        Channel {
            x_um: 0.0,
            y_um: 0.0,
            depth_um,
            width_um: 50.0,
            length_um: 50.0,
            direction_deg: 0.0,
            tilt_deg: 0.0,
            layer: crate::skin::Layer::PapillaryDermis,
            bent: false,
            torn: false,
        }
    }

    proptest::proptest! {
        /// Deeper or denser needling never gives less collagen.
        #[test]
        fn deeper_or_denser_never_less_collagen(
            depth in 0.0f64..3000.0,
            extra_depth in 0.0f64..1000.0,
            n in 1usize..300,
            extra_n in 0usize..300,
            epi in 20.0f64..150.0,
        ) {
            let unit = unit_response(3, 28.0, 90.0);
            let collagen = |d: f64, k: usize| {
                let c: Vec<Channel> = (0..k).map(|_| ch(d)).collect();
                scaled(&unit, stimulus(&InjuryDose::from_channels(&c, 1.0, epi)), 1.0).collagen_change_pct
            };
            let base = collagen(depth, n);
            proptest::prop_assert!(collagen(depth + extra_depth, n) >= base - 1e-9);
            proptest::prop_assert!(collagen(depth, n + extra_n) >= base - 1e-9);
        }
    }

    proptest::proptest! {
        /// More sessions never give less collagen at the same follow-up; a stronger stimulus never
        /// gives less collagen; elastin never rises.
        #[test]
        fn more_sessions_and_more_stimulus_never_less_collagen(
            sessions in 1u32..8,
            interval in 7.0f64..60.0,
            follow in 0.0f64..200.0,
            s in 0.0f64..1.0,
            ds in 0.0f64..0.5,
        ) {
            let a = scaled(&unit_response(sessions, interval, follow), s, 1.0);
            let b = scaled(&unit_response(sessions + 1, interval, follow), s, 1.0);
            proptest::prop_assert!(b.collagen_change_pct >= a.collagen_change_pct - 1e-9);
            let c = scaled(&unit_response(sessions, interval, follow), (s + ds).min(1.0), 1.0);
            proptest::prop_assert!(c.collagen_change_pct >= a.collagen_change_pct - 1e-9);
            proptest::prop_assert!(a.elastin_change_pct <= 0.0);
            proptest::prop_assert!(a.typical_scar.score_after <= a.typical_scar.score_before);
        }
    }
}
