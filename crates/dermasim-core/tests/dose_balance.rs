//! The dose is conserved: over random scenarios (device, needle length, active, dose, mounting,
//! vehicle, removal, transport mode), at every output time of both solves (intact skin in 1-D, treated skin as a
//! unit cell or a 3-D patch), the applied dose is on the surface, in a skin layer, in the
//! channel fluid, cleared or in the receptor, to 1e-9 of the dose; and no more is delivered than
//! was applied.

use dermasim_core::{scenario, simulate};
use proptest::prelude::*;

/// The device block of a scenario: 0 roller, 1 pen, 2 stamp (research array).
fn device(kind: usize, needle_mm: f64) -> String {
    match kind {
        0 => format!(
            "[device]\ntype = \"dermaroller\"\npreset = \"roller-192\"\nneedle_length_mm = {needle_mm}\n\n\
             [protocol]\nsetting = \"office\"\narea_cm2 = 4\npasses = [{{ direction_deg = 0, count = 2 }}, {{ direction_deg = 90, count = 2 }}]\n"
        ),
        1 => format!(
            "[device]\ntype = \"dermapen\"\npreset = \"pen-12\"\nneedle_length_mm = {needle_mm}\n\n\
             [protocol]\nsetting = \"office\"\narea_cm2 = 4\npen_path = {{ directions_deg = [0, 90] }}\n"
        ),
        _ => format!(
            "[device]\ntype = \"stamp\"\npreset = \"array-600\"\nneedle_length_mm = {needle_mm}\n\n\
             [protocol]\nsetting = \"office\"\narea_cm2 = 1\n"
        ),
    }
}

#[allow(clippy::too_many_arguments)]
fn scenario_text(
    kind: usize,
    needle_mm: f64,
    mw: f64,
    log_kow: f64,
    conc: f64,
    dose: Option<f64>,
    excised: bool,
    patch: bool,
    hours: f64,
    vehicle: usize,
    removal_h: Option<f64>,
) -> String {
    let dose = dose.map(|d| format!("dose_ul_per_cm2 = {d}\n")).unwrap_or_default();
    let vehicle = ["aqueous-serum", "hydrogel", "cream", "oil"][vehicle % 4];
    let removal = removal_h.map(|h| format!("removal_h = {h}\n")).unwrap_or_default();
    let mounting = if excised { "franz-cell" } else { "in-vivo" };
    let (transport, window) = if patch { ("patch", "window_mm = 1.0\n") } else { ("unit_cell", "") };
    format!(
        "name = \"dose balance\"\n\n[skin]\nsite = \"forearm\"\nmounting = \"{mounting}\"\n\n{}\n\
         [[products]]\nname = \"active-under-test\"\nmolecular_weight_da = {mw}\nlog_kow = {log_kow}\n\
         concentration_mg_ml = {conc}\n{dose}vehicle = \"{vehicle}\"\n{removal}formulated_for_microneedling = true\npatch_test_hours = 48\n\n\
         [simulation]\nseed = 5\nduration_h = {hours}\ntransport = \"{transport}\"\nresolution = \"coarse\"\n{window}",
        device(kind, needle_mm)
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn the_dose_balance_closes_at_every_output_time(
        kind in 0usize..3,
        needle_mm in 0.25f64..2.5,
        mw in 60.0f64..20_000.0,
        log_kow in -3.0f64..5.0,
        conc in 0.1f64..100.0,
        dose in proptest::option::weighted(0.8, 0.5f64..20.0),
        excised in proptest::bool::ANY,
        patch in proptest::bool::weighted(0.2),
        hours in 0.25f64..24.0,
        vehicle in 0usize..4,
        removal_h in proptest::option::weighted(0.3, 0.05f64..12.0),
    ) {
        // a patch solve is 3-D: keep it short
        let hours = if patch { hours.min(1.0) } else { hours };
        let text = scenario_text(kind, needle_mm, mw, log_kow, conc, dose, excised, patch, hours, vehicle, removal_h);
        let s = scenario::parse(&text, &[]).map_err(|e| TestCaseError::fail(format!("{e:?}\n{text}")))?;
        let o = simulate(&s);
        prop_assert!(o.delivery.errors.is_empty(), "{:?}", o.delivery.errors);
        let d = &o.delivery.products["active-under-test"];
        for (r, what) in [(&d.treated, "treated"), (&d.intact, "intact")] {
            for k in 0..r.times_h.len() {
                let applied = r.applied_ug_per_cm2[k];
                if let Some(dose) = dose {
                    // a finite film: the applied dose is the nominal one from the first instant
                    let nominal = dose * conc;
                    prop_assert!((applied - nominal).abs() <= 1e-12 * nominal, "{what}: {applied} vs {nominal}");
                }
                let held = r.donor_ug_per_cm2[k]
                    + r.removed_ug_per_cm2[k]
                    + r.layer_amounts_ug_per_cm2[k].iter().sum::<f64>()
                    + r.channel_ug_per_cm2[k]
                    + r.cleared_ug_per_cm2[k]
                    + r.receptor_ug_per_cm2[k];
                prop_assert!(
                    (held - applied).abs() <= 1e-9 * applied.max(1e-300),
                    "{what} at {} h: {held} held of {applied} applied\n{text}", r.times_h[k]
                );
                // delivered never exceeds applied (round-off aside)
                prop_assert!(r.cumulative_ug_per_cm2[k] <= applied * (1.0 + 1e-12), "{what}: {} of {applied}", r.cumulative_ug_per_cm2[k]);
            }
        }
        for b in [&d.dose_balance, &d.intact_dose_balance] {
            prop_assert!(b.closure_rel_error <= 1e-9, "{:e}", b.closure_rel_error);
            // a dry deposit is part of what is on the surface (a wiped film's trace may end a
            // little below 0: -1e-7 of the dose seen, within the balance's closure)
            let dry = b.dry_deposit_ug_per_cm2;
            let surface = b.on_surface_ug_per_cm2.max(0.0);
            prop_assert!(dry >= 0.0 && dry <= surface * (1.0 + 1e-9) + 1e-12 * b.applied_ug_per_cm2, "deposit {dry}, on surface {surface}");
            let shares: f64 = b.fraction_of_applied.iter().map(|(_, f)| f).sum();
            prop_assert!((shares - 1.0).abs() <= 1e-9, "shares sum to {shares}");
        }
    }
}
