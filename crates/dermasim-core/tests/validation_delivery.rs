//! Validation suite, delivery across the chemical space (issue #16): calibration consistency of
//! the regional factors and independent checks against published Franz and roller studies,
//! each with its scenario in `validation/delivery-*.toml`. Passes and misses, with their sizes,
//! are in docs/validation.md ("Delivery across the chemical space"); a documented miss is
//! asserted as a miss, so a model change that moves it fails here and must be re-documented.

use dermasim_core::delivery::Delivery;
use dermasim_core::{scenario, simulate};

fn run(text: &str, product: &str, overrides: &[&str]) -> Delivery {
    let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let s = scenario::parse(text, &o).unwrap();
    let out = simulate(&s);
    out.delivery
        .products
        .get(product)
        .map(|d| d.numbers.clone())
        .unwrap_or_else(|| panic!("{product} not delivered: {:?}", out.delivery.errors))
}

fn share(d: &Delivery, intact: bool, name: &str) -> f64 {
    let b = if intact { &d.intact_dose_balance } else { &d.dose_balance };
    b.fraction_of_applied.iter().find(|(n, _)| n == name).map(|(_, v)| *v).unwrap_or(0.0)
}

const CAFFEINE: &str = include_str!("../../../validation/delivery-caffeine-oecd-finite.toml");

/// Calibration (Maibach et al. 1971): the intact SC permeability of a site against the volar
/// forearm is the published ratio, whatever part of it the site's thinner SC already gives.
#[test]
fn regional_factors_reproduce_their_calibration_data() {
    let living = ["skin.site=forearm", "simulation.duration_h=1", "simulation.resolution=coarse"];
    let p = |site: &str| {
        let mut o = living.to_vec();
        let s = format!("skin.site={site}");
        o[0] = &s;
        run(CAFFEINE, "caffeine", &o).permeation.sc_permeability_cm_h
    };
    let forearm = p("forearm");
    let forehead = p("forehead");
    let abdomen = p("abdomen");
    assert!((forehead / forearm - 4.0).abs() < 1e-9, "forehead/forearm {}", forehead / forearm);
    assert!((abdomen / forearm - 2.0).abs() < 1e-9, "abdomen/forearm {}", abdomen / forearm);
    // the ratios are registry parameters: an override (or an uncertainty draw) moves them
    let mut o = living.to_vec();
    o[0] = "skin.site=forehead";
    o.push("parameters.delivery.regional_factor_follicle_rich=3");
    let forehead_3 = run(CAFFEINE, "caffeine", &o).permeation.sc_permeability_cm_h;
    assert!((forehead_3 / forearm - 3.0).abs() < 1e-9, "forehead/forearm {}", forehead_3 / forearm);
}

/// Six-laboratory OECD TG 428 caffeine study: 3.87 % (five labs) / 6.99 % (all) of a finite dose
/// in the receptor, potential absorption (receptor + skin) 3.96 / 7.14 %. Documented misses, over
/// the ranges of the two assumed parameters this case leans on (the dry deposit's redissolution
/// rate and the hydrated SC's swelling): the receptor gets 0.19 % (×21-38 too low) and
/// receptor + skin 23 % (×3.2-5.7 too high); the SC takes up caffeine while the film is wet and
/// holds it. History: 77 % (SC hydrated all day), 1.2 % (SC dries, deposit redissolving at
/// once, a humectant residue), 0.37 % (dry deposit, unswollen SC).
#[test]
fn caffeine_finite_dose_is_a_documented_miss_over_its_parameter_bands() {
    let shares = |k: &str, alpha: &str| {
        let k = format!("parameters.delivery.dry_deposit_dissolution_per_h={k}");
        let alpha = format!("parameters.delivery.sc_swelling_factor={alpha}");
        let d = run(CAFFEINE, "caffeine", &[&k, &alpha]);
        let receptor = share(&d, true, "receptor");
        let skin: f64 = ["stratum_corneum", "viable_epidermis", "papillary_dermis", "reticular_dermis"]
            .iter()
            .map(|n| share(&d, true, n))
            .sum();
        (d, receptor, receptor + skin)
    };
    let (d, receptor, potential) = shares("0.01", "2");
    // a water solution dries in 1 h: the SC is fully hydrated for 0.999 h of 24 h, and most of
    // the caffeine is left as a dry deposit
    assert!((d.permeation.sc_hydrated_share - 0.999 / 24.0).abs() < 1e-12);
    assert!(d.intact_dose_balance.dry_deposit_ug_per_cm2 > 0.5 * d.intact_dose_balance.applied_ug_per_cm2);
    eprintln!("caffeine: receptor {receptor}, receptor + skin {potential}");
    assert!((0.0016..0.0022).contains(&receptor), "receptor share {receptor} moved from the documented 0.19 %");
    assert!((0.2..0.26).contains(&potential), "potential absorption {potential} moved from the documented 23 %");
    // the corners of the two parameters' ranges
    let mut band = (f64::INFINITY, 0.0f64, f64::INFINITY, 0.0f64);
    for k in ["0.001", "0.1"] {
        for alpha in ["1.3", "3.3"] {
            let (_, r, p) = shares(k, alpha);
            band = (band.0.min(r), band.1.max(r), band.2.min(p), band.3.max(p));
        }
    }
    eprintln!("band: receptor {}-{}, receptor + skin {}-{}", band.0, band.1, band.2, band.3);
    assert!(band.0 < receptor && receptor < band.1 && band.2 < potential && potential < band.3);
    // the misses hold over the whole band: re-evaluate when one closes
    assert!(band.1 < 0.0387, "receptor band {band:?} now reaches 3.87 %: re-evaluate");
    assert!(band.2 > 0.0714, "potential-absorption band {band:?} now reaches 7.14 %: re-evaluate");
}

/// Retinol (Sci Rep 2024;14:22793): does not cross excised skin in 24 h (pass), and stays mainly
/// in the SC (documented miss: more is in the deeper layers).
#[test]
fn retinol_does_not_cross_but_its_sc_retention_is_a_documented_miss() {
    let d = run(include_str!("../../../validation/delivery-retinol-franz.toml"), "retinol", &[]);
    let receptor = share(&d, true, "receptor");
    assert!(receptor < 1e-3, "retinol receptor share {receptor}");
    let sc = share(&d, true, "stratum_corneum");
    let deeper: f64 =
        ["viable_epidermis", "papillary_dermis", "reticular_dermis"].iter().map(|n| share(&d, true, n)).sum();
    // "mainly in the SC" taken as at least two thirds of the skin content in the SC; dermasim
    // has about as much in the deeper layers as in the SC (was 8x more before the SC dried)
    assert!(sc < 2.0 * deeper, "retinol now mainly in the SC ({sc} vs {deeper}): re-evaluate the documented miss");
    assert!((0.7..1.4).contains(&(sc / deeper)), "SC/deeper {} moved from the documented 1.0", sc / deeper);
}

/// Hoang, Ita & Bair 2015: flux after a microneedle roller through excised porcine ear skin,
/// amantadine HCl 49.04 and pramipexole 2HCl 134.04 µg/cm²/h (pass within ×3); passive fluxes of
/// 22.38 and 134.83 µg/cm²/h (documented miss: the model's SC admits no ionised amine).
#[test]
fn roller_fluxes_of_amine_salts_through_porcine_skin() {
    for (name, text, after_roller, passive) in [
        ("amantadine", include_str!("../../../validation/delivery-roller-amantadine-porcine.toml"), 49.04, 22.38),
        ("pramipexole", include_str!("../../../validation/delivery-roller-pramipexole-porcine.toml"), 134.04, 134.83),
    ] {
        let d = run(text, name, &[]);
        let j = d.flux.treated.steady_flux_ug_per_cm2_h.expect("treated steady state");
        eprintln!("{name}: treated steady flux {j} ug/cm2/h vs {after_roller}");
        if name == "amantadine" {
            // documented miss since #17's deeper roller channels (~0.83 mm in excised skin): x5.7
            assert!(
                (after_roller * 3.0..=after_roller * 10.0).contains(&j),
                "{name}: treated flux {j} vs {after_roller}"
            );
        } else {
            assert!(
                (after_roller / 3.0..=after_roller * 3.0).contains(&j),
                "{name}: treated flux {j} vs {after_roller}"
            );
        }
        let j0 = d.flux.intact.peak_flux_ug_per_cm2_h;
        assert!(j0 < passive * 1e-6, "{name}: passive flux {j0} now comparable to {passive}: re-evaluate the miss");
    }
}

/// Magnusson, Anissimov, Cross & Roberts 2004 (J Invest Dermatol 122:993, abstract [V]): the
/// maximum flux from aqueous solution across human skin, log Jmax [mol/cm²/h] = −3.90 −
/// 0.0190·MW (n = 87, r² = 0.847). dermasim's Jmax = intact kp (hydrated SC, excised
/// dermatomed human skin) × water solubility, for the presets with a measured solubility.
/// Tolerance ×10 [A] (the regression's scatter is not in the abstract): caffeine ×2.9 low,
/// niacinamide ×1.5 high, L-ascorbic acid ×8.5 low pass; retinol ×30 low is a documented miss.
#[test]
fn maximum_flux_against_magnusson_2004() {
    for (name, mw, within) in [
        ("caffeine", 194.19, true),
        ("niacinamide", 122.12, true),
        ("l-ascorbic-acid", 176.12, true),
        ("retinol", 286.45, false),
    ] {
        let p = format!("products[0].name={name}");
        let d = run(
            CAFFEINE,
            name,
            &[&p, "products[0].concentration_mg_ml=1", "simulation.duration_h=1", "simulation.resolution=coarse"],
        );
        let kp = d.intact_kp_cm_h.expect("intact kp");
        let s_mg_ml = d.vehicle.water_solubility_mg_ml.expect("measured solubility");
        assert!(!d.vehicle.solubility_estimated, "{name}: a measured solubility");
        // µg/cm²/h → mol/cm²/h
        let log_jmax = (kp * s_mg_ml * 1000.0 * 1e-6 / mw).log10();
        let log_magnusson = -3.90 - 0.0190 * mw;
        let off = log_jmax - log_magnusson;
        eprintln!("{name}: log Jmax {log_jmax:.2} vs {log_magnusson:.2} (x{:.2})", 10f64.powf(off));
        if within {
            assert!(off.abs() < 1.0, "{name}: log Jmax {log_jmax:.2} vs {log_magnusson:.2}");
        } else {
            assert!(off < -1.0, "{name}: now within x10 of the regression ({off:.2} log units): re-evaluate the miss");
        }
    }
}
