//! Remodelling and outcomes over a series (`series`, `cohort`; the cases of
//! `crates/dermasim-core/tests/validation_outcomes.rs`). Cohorts of 2000 virtual patients, seed 1;
//! trial intervals are Wilson 95 % intervals of the published count. Scores are as rated (rater
//! error on).

use dermasim_core::cohort::{self, CohortResult, wilson};
use dermasim_core::{scenario, simulate};

use super::{Role, Row, within};

/// Lotfi's and Dogra's 1.5 mm roller, 5 sessions 30 days apart, 56 days follow-up.
const ROLLER: &str = include_str!("../../../../validation/v14-lotfi-series.toml");
const EXCEED: &str = include_str!("../../../../validation/outcomes-exceed-2018-pen.toml");
const MOHAMED_ALI: &str = include_str!("../../../../validation/outcomes-mohamed-ali-2017-striae.toml");
const ALSTER: &str = include_str!("../../../../validation/outcomes-alster-2020-striae.toml");

/// Z of a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;
/// Patients per cohort.
const PATIENTS: usize = 2000;

fn parse(text: &str, set: &[&str]) -> Result<scenario::Scenario, String> {
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    scenario::parse(text, &set).map_err(|e| format!("{e:?}"))
}

fn cohort_of(text: &str, set: &[&str]) -> Result<CohortResult, String> {
    cohort::run(&parse(text, set)?, PATIENTS, 1).map_err(|e| format!("{e:?}"))
}

/// A share against the Wilson interval of `k` of `n`, in %.
fn share(case: &str, source: &str, k: usize, n: usize, value: f64, role: Role) -> Row {
    let [lo, hi] = wilson(k, n, Z95);
    within(
        case,
        source,
        format!("{k} of {n} ({:.1}-{:.1} %)", 100.0 * lo, 100.0 * hi),
        100.0 * value,
        (100.0 * lo, 100.0 * hi),
        "%",
        "Wilson 95 % interval",
        role,
    )
}

fn calibrates(what: &str) -> Role {
    Role::Calibration { parameter: what.into() }
}

/// Every outcome row.
pub fn rows() -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    // Calibration data.
    let lotfi = simulate(&parse(ROLLER, &[])?).series.ok_or("the roller has no series")?;
    rows.push(within(
        "V14 papillary collagen 8 weeks after 5 monthly 1.5 mm roller sessions",
        "Lotfi, Moneib & Yehia 2013, J Egypt Women's Dermatol Soc 10:152 [V]; human, acne scars",
        "+53.2 %",
        lotfi.response.collagen_change_pct,
        (53.2 * 0.7, 53.2 * 1.3),
        "%",
        "±30 %",
        calibrates("`series.lotfi_collagen_pct` (sets G, the collagen gain)"),
    ));
    let dogra = "Dogra, Yadav & Sarangal 2014 [V]; human, phototypes IV-V, acne scars";
    let c30 = cohort_of(ROLLER, &["protocol.follow_up_days=30"])?;
    rows.push(within(
        "V15 acne scar score one month after 5 monthly sessions: cohort mean",
        dogra,
        "6.5 ± 2.71 (from 11.73 ± 3.12)",
        c30.score_after.mean,
        (6.5 - 2.71, 6.5 + 2.71),
        "points",
        "within the SD",
        calibrates("`K`, the outcome scale (typical patient)"),
    ));
    rows.push(within(
        "V15 acne scar score one month after 5 monthly sessions: cohort SD",
        dogra,
        "2.71",
        c30.score_after.sd,
        (2.71 - 0.5, 2.71 + 0.5),
        "points",
        "±0.5 points",
        calibrates("σ, the spread of the response"),
    ));
    let iv30 = cohort_of(ROLLER, &["protocol.follow_up_days=30", "patient.phototype=IV"])?;
    rows.push(share(
        "PIH after 5 monthly sessions, phototype IV cohort",
        dogra,
        5,
        30,
        iv30.adverse_events.pih.fraction,
        calibrates("`series.dogra_pih_fraction` (sets the PIH rate)"),
    ));
    rows.push(share(
        "tram-track scarring after 5 monthly sessions, phototype IV cohort",
        dogra,
        2,
        30,
        iv30.adverse_events.scarring.fraction,
        calibrates("`series.dogra_scarring_fraction` (sets the scarring rate)"),
    ));
    // Independent checks.
    rows.push(share(
        "≥ 1 grade better after 5 monthly roller sessions (sessions not in the excerpt)",
        "Hong Kong J Dermatol Venereol 2018 [V]; human, acne scars",
        33,
        36,
        c30.improved_1_grade_or_more_fraction,
        Role::Independent,
    ));
    let tirmizi =
        simulate(&parse(ROLLER, &["protocol.sessions=3", "protocol.interval_days=28", "protocol.follow_up_days=30"])?)
            .series
            .ok_or("no series")?;
    rows.push(within(
        "typical Goodman & Baron grade after 3 sessions 4 weeks apart (from III)",
        "Tirmizi 2021, Cureus [V]; human, 50 patients, acne scars",
        "II",
        f64::from(tirmizi.response.grade_after),
        (2.0, 2.0),
        "",
        "the same grade",
        Role::Independent,
    ));
    for (follow, mean, sd) in [("30", 1.93, 0.58), ("60", 1.77, 0.57)] {
        let set = [
            "protocol.sessions=12",
            "protocol.interval_days=7",
            "patient.baseline_severity=3.29",
            &format!("protocol.follow_up_days={follow}"),
        ];
        let c = cohort_of(ROLLER, &set)?;
        rows.push(within(
            format!("Goodman & Baron grade {follow} days after 12 weekly sessions (from 3.29; needle 1.5 mm [A])"),
            "Vietnamese trial 2024 (abstract; tag not recorded); human, 31 patients, acne scars",
            format!("{mean} ± {sd}"),
            c.severity_after.mean,
            (mean - sd, mean + sd),
            "",
            "within the SD",
            Role::Independent,
        ));
    }
    let (iii, iv) = (cohort_of(ROLLER, &["patient.phototype=III"])?, cohort_of(ROLLER, &["patient.phototype=IV"])?);
    rows.push(share(
        "PIH after 5 monthly sessions, phototypes III-IV (mean of the two cohorts)",
        "Lotfi 2013 [V]; human, 30 patients, phototypes III-IV",
        0,
        30,
        0.5 * (iii.adverse_events.pih.fraction + iv.adverse_events.pih.fraction),
        Role::Independent,
    ));
    let typical = cohort_of(ROLLER, &[])?;
    for (n, source) in [
        (30, "Lotfi 2013 [V]; human"),
        (36, "Hong Kong J Dermatol Venereol 2018 [V] 'no serious complications'; human"),
    ] {
        rows.push(share(
            "scars after 5 monthly roller sessions",
            source,
            0,
            n,
            typical.adverse_events.scarring.fraction,
            Role::Independent,
        ));
    }
    let sohag = cohort_of(ROLLER, &["protocol.sessions=6", "protocol.follow_up_days=30"])?;
    rows.push(share(
        "≥ 1 grade better after 6 monthly sessions",
        "Sohag Med J [V]; human, 10 patients, acne scars",
        7,
        10,
        sohag.improved_1_grade_or_more_fraction,
        Role::Independent,
    ));
    rows.push(share(
        "≥ 2 grades better after 6 monthly sessions (presumably none)",
        "Sohag Med J [V]; human, 10 patients, acne scars",
        0,
        10,
        sohag.improved_2_grades_or_more_fraction,
        Role::Independent,
    ));
    let exceed = cohort_of(EXCEED, &[])?;
    rows.push(within(
        "Lemperle wrinkle score change, 4 sessions 30 days apart, day 150 (pen 1.0 mm [A], baseline 3 [A])",
        "Ablon 2018 (Exceed), J Clin Aesthet Dermatol, PMC6122507 [V]; human, 48 patients",
        "−1.23 (99 % CI 1.11-1.34)",
        exceed.severity_before.mean - exceed.severity_after.mean,
        (1.11, 1.34),
        "grades better",
        "the 99 % CI",
        Role::Independent,
    ));
    let ma = cohort_of(MOHAMED_ALI, &[])?;
    rows.push(share(
        "striae ≥ 50 % better, 6 sessions 2 weeks apart, 3 months (1.5 mm roller [A])",
        "Mohamed Ali 2017 (tag not recorded); human, 15 patients",
        10,
        15,
        ma.outcomes.improved_2.fraction + ma.outcomes.improved_3_or_more.fraction,
        Role::Independent,
    ));
    let alster = cohort_of(ALSTER, &[])?;
    rows.push(share(
        "striae ≥ 50 % better, 2 monthly sessions (2 mm pen [A])",
        "Alster & Li 2020, Plast Reconstr Surg 145:358 (results: tag not recorded); human, 25 patients",
        25,
        25,
        alster.outcomes.improved_2.fraction + alster.outcomes.improved_3_or_more.fraction,
        Role::Independent,
    ));
    rows.push(share(
        "striae > 75 % better, 2 monthly sessions (2 mm pen [A])",
        "Alster & Li 2020, Plast Reconstr Surg 145:358 (results: tag not recorded); human, 25 patients",
        7,
        25,
        alster.outcomes.improved_3_or_more.fraction,
        Role::Independent,
    ));
    Ok(rows)
}
