//! The Franz-cell protocol (`[invitro]`, issue #16 item 5): receptor samples with and without
//! replacement and the cumulative correction, sampling times as output times, donor occlusion,
//! the sink condition, validation of the block, and the analytic steady state of a sink
//! receptor under an infinite dose.

use dermasim_core::{scenario, simulate};

/// The Franz cell shared with the CLI's tests (`tests/fixtures/franz-caffeine.toml`).
const CELL: &str = include_str!("fixtures/franz-caffeine.toml");

fn set(o: &[&str]) -> Vec<String> {
    o.iter().map(|s| s.to_string()).collect()
}

#[test]
fn samples_follow_the_receptor_curve_with_the_sampling_correction() {
    for replace in [true, false] {
        let s = scenario::parse(CELL, &set(&[&format!("invitro.replace={replace}")])).unwrap();
        let iv = s.invitro.clone().unwrap();
        let o = simulate(&s);
        let d = &o.delivery.products["caffeine"];
        let f = d.franz.as_ref().expect("franz samples");
        assert_eq!((f.receptor_volume_ml, f.replace), (5.0, replace));
        for (samples, r) in [(&f.treated, &d.treated), (&f.intact, &d.intact)] {
            assert_eq!(samples.len(), 5);
            let mut withdrawn = 0.0;
            for (n, x) in samples.iter().enumerate() {
                // each sampling time is an output time of the solve: the cumulative amount is
                // the receptor's own value there, not an interpolation
                let k = r.times_h.iter().position(|&t| t == x.time_h).expect("sampling time is an output time");
                assert_eq!(x.cumulative_ug_per_cm2, r.receptor_ug_per_cm2[k]);
                assert_eq!(x.cumulative_ug, x.cumulative_ug_per_cm2 * 0.64);
                let volume = if replace { 5.0 } else { 5.0 - n as f64 * 0.5 };
                // the usual correction: C_n·V_n + V_s·Σ_{k<n} C_k = Q_n·A
                let entered = x.cumulative_ug;
                let corrected = x.receptor_concentration_ug_ml * volume + withdrawn;
                assert!(
                    (corrected - entered).abs() <= 1e-12 * entered.max(1e-12),
                    "replace {replace}, sample {n}: {corrected} vs {entered}"
                );
                withdrawn += x.receptor_concentration_ug_ml * iv.sample_volume_ml;
                let share = x.fraction_of_applied.expect("a finite dose has a share");
                assert!((share - x.cumulative_ug_per_cm2 / 100.0).abs() < 1e-12, "10 mg/mL x 10 uL/cm2 = 100 ug/cm2");
            }
            assert!(samples.windows(2).all(|w| w[1].cumulative_ug_per_cm2 >= w[0].cumulative_ug_per_cm2));
        }
        // the treated skin's receptor fills: the concentrations are not all zero
        assert!(f.treated.last().unwrap().receptor_concentration_ug_ml > 0.1);
        // caffeine (21.6 mg/mL) stays far below saturation in 5 mL
        assert!(f.sink_condition_held);
    }
    // without replacement the same amount sits in less fluid: a higher concentration after the
    // first sample
    let c = |replace: bool| {
        let s = scenario::parse(CELL, &set(&[&format!("invitro.replace={replace}")])).unwrap();
        let o = simulate(&s);
        o.delivery.products["caffeine"].franz.as_ref().unwrap().treated[4].receptor_concentration_ug_ml
    };
    assert!(c(false) > c(true));
}

#[test]
fn a_run_without_invitro_has_no_samples_and_keeps_its_output_times() {
    let text = CELL.split("[invitro]").next().unwrap();
    let s = scenario::parse(text, &[]).unwrap();
    assert!(s.invitro.is_none());
    assert!(dermasim_core::delivery::output_times_h(&s).is_empty());
    let o = simulate(&s);
    let d = &o.delivery.products["caffeine"];
    assert!(d.franz.is_none());
    assert_eq!(d.intact.times_h.len(), 25);
    let json = serde_json::to_value(&o.summary).unwrap();
    assert!(json["delivery"]["caffeine"].get("franz").is_none());
}

#[test]
fn sampling_times_join_the_default_output_grid() {
    let s = scenario::parse(CELL, &[]).unwrap();
    let t = dermasim_core::delivery::output_times_h(&s);
    for x in [1.0, 2.5, 6.0, 12.0, 23.9] {
        assert!(t.contains(&x), "{x} missing from {t:?}");
    }
    // grid hours within a quarter hour of a sampling time give way (24 next to 23.9; the
    // solver adds the end itself); the others stay
    assert!(!t.contains(&24.0) && t.contains(&3.0) && t.contains(&23.0));
    assert!(t.windows(2).all(|w| w[1] > w[0]), "{t:?}");
}

#[test]
fn an_occluded_donor_does_not_evaporate() {
    let open = scenario::parse(CELL, &[]).unwrap();
    assert!(!open.products[0].occluded);
    let closed = scenario::parse(CELL, &set(&["invitro.donor_occluded=true"])).unwrap();
    assert!(closed.products[0].occluded);
    let o = simulate(&closed);
    let v = &o.delivery.products["caffeine"].vehicle;
    assert_eq!(v.evaporation_ul_per_cm2_h, 0.0);
    assert_eq!(v.dry_after_h, None);
    let o = simulate(&open);
    assert!(o.delivery.products["caffeine"].vehicle.evaporation_ul_per_cm2_h > 0.0);
}

#[test]
fn a_receptor_near_saturation_is_flagged() {
    // a sparingly soluble active in a small receptor: 0.05 mg/mL solubility, a 0.2 mL cell
    let s = scenario::parse(
        CELL,
        &set(&[
            "products[0].water_solubility_mg_ml=0.05",
            "products[0].concentration_mg_ml=0.05",
            "products[0].dose_ul_per_cm2=1000",
            "invitro.receptor_volume_ml=0.2",
            "invitro.sample_volume_ml=0.01",
            "invitro.diffusion_area_cm2=2",
        ]),
    )
    .unwrap();
    let o = simulate(&s);
    let d = &o.delivery.products["caffeine"];
    let f = d.franz.as_ref().unwrap();
    let peak = f.treated.iter().map(|x| x.receptor_concentration_ug_ml).fold(0.0, f64::max);
    assert!(peak > 5.0, "receptor peak {peak} ug/mL");
    assert!(!f.sink_condition_held);
    assert!(d.warnings.iter().any(|w| w.contains("perfect sink")), "{:?}", d.warnings);
}

#[test]
fn invitro_is_validated_naming_field_value_and_range() {
    let err = |o: &[&str]| scenario::parse(CELL, &set(o)).unwrap_err();
    let has = |e: &[scenario::ScenarioError], field: &str, words: &[&str]| {
        e.iter().any(|e| e.field == field && words.iter().all(|w| e.message.contains(w)))
    };
    let e = err(&["skin.site=forearm"]);
    assert!(has(&e, "invitro", &["forearm", "excised"]), "{e:?}");
    let e = err(&["invitro.sampling_times_h=[1.0, 30.0]"]);
    assert!(has(&e, "invitro.sampling_times_h", &["[1] = 30", "24 h"]), "{e:?}");
    let e = err(&["invitro.sampling_times_h=[2.0, 1.0]"]);
    assert!(has(&e, "invitro.sampling_times_h", &["[1] = 1", "later"]), "{e:?}");
    let e = err(&["invitro.sampling_times_h=[]"]);
    assert!(has(&e, "invitro.sampling_times_h", &["0 entries", "1 to 200"]), "{e:?}");
    let many: Vec<String> = (1..=201).map(|k| format!("{}", k as f64 * 0.1)).collect();
    let e = err(&[&format!("invitro.sampling_times_h=[{}]", many.join(","))]);
    assert!(has(&e, "invitro.sampling_times_h", &["201 entries"]), "{e:?}");
    let e = err(&["invitro.receptor_volume_ml=0"]);
    assert!(has(&e, "invitro.receptor_volume_ml", &["= 0 mL", "0.2 to 100"]), "{e:?}");
    let e = err(&["invitro.diffusion_area_cm2=50"]);
    assert!(has(&e, "invitro.diffusion_area_cm2", &["= 50", "0.05 to 20"]), "{e:?}");
    let e = err(&["invitro.sample_volume_ml=6"]);
    assert!(has(&e, "invitro.sample_volume_ml", &["= 6 mL", "at most"]), "{e:?}");
    let e = err(&["invitro.replace=false", "invitro.sample_volume_ml=1.0"]);
    assert!(has(&e, "invitro.sample_volume_ml", &["empties", "below 1 mL"]), "{e:?}");
    let e = err(&["invitro.receptor_ml=5"]);
    assert!(e.iter().any(|e| e.message.contains("receptor_ml")), "{e:?}");
    // an excised site made living is refused; a living site made excised is accepted
    assert!(scenario::parse(CELL, &set(&["skin.site=forearm", "skin.mounting=excised"])).is_ok());
}

/// Verification against the analytic sink condition: under an infinite dose the receptor of
/// intact skin fills at the steady flux `J = Kp·C` of the layers' resistances in series
/// (`intact_kp_cm_h`, computed from the coefficients, not from the solve); the last samples'
/// slope, read through the sampling correction, must give it.
#[test]
fn the_corrected_series_reaches_the_analytic_steady_flux_of_a_sink_receptor() {
    let text_infinite = CELL.replace("dose_ul_per_cm2 = 10\n", "");
    let s_inf = scenario::parse(
        &text_infinite,
        &set(&[
            // the swollen hydrated SC (delivery.sc_swelling_factor 2) has a lag 4× the
            // unswollen one: 48 h to reach the steady state
            "invitro.sampling_times_h=[4, 8, 16, 24, 32, 44, 48]",
            "invitro.donor_occluded=true",
            "simulation.resolution=normal",
            "simulation.duration_h=48",
        ]),
    )
    .unwrap();
    assert!(s_inf.products[0].dose_ul_per_cm2.is_none());
    let o = simulate(&s_inf);
    let d = &o.delivery.products["caffeine"];
    let f = d.franz.as_ref().unwrap();
    let kp = d.intact_kp_cm_h.expect("analytic kp");
    let j_analytic = kp * 10.0 * 1000.0; // cm/h × mg/mL → µg/cm²/h
    // the lab's reading: cumulative amounts from the measured concentrations
    let q: Vec<f64> = f.intact.iter().map(|x| x.cumulative_ug_per_cm2).collect();
    let j_series = (q[6] - q[5]) / 4.0;
    eprintln!("kp {kp:e} cm/h, J analytic {j_analytic} ug/cm2/h, from the samples 44-48 h {j_series}");
    assert!((j_series / j_analytic - 1.0).abs() < 0.01, "{j_series} vs {j_analytic}");
    assert!(f.intact.iter().all(|x| x.fraction_of_applied.is_none()));
}

/// Excised skin in a Franz cell gets no clinical product cautions; the same product on living
/// skin does (so the check above is not vacuous).
#[test]
fn product_cautions_are_for_living_skin_only() {
    let product_codes = |text: &str, o: &[&str]| -> Vec<String> {
        let s = scenario::parse(text, &set(o)).unwrap();
        let out = simulate(&s);
        out.summary.safety.findings.iter().map(|f| f.code.to_string()).filter(|c| c.starts_with("PRODUCT_")).collect()
    };
    assert!(product_codes(CELL, &["simulation.transport=off"]).is_empty());
    let living = CELL.split("[invitro]").next().unwrap();
    let codes = product_codes(living, &["skin.site=forearm", "simulation.transport=off"]);
    assert!(codes.iter().any(|c| c == "PRODUCT_NOT_FORMULATED"), "{codes:?}");
}
