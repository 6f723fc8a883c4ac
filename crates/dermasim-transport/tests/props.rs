//! Validation of the property model against published values
//! (shared/validation/cases.md V10, V11), through the public API only.
//!
//! Settings follow transport.md §8 / OSP: in vivo, h_ve = 100 µm, dermis
//! 1 mm unless stated, hydrated SC 43 µm, partially hydrated SC 13 µm.

use dermasim_transport::props::{ScHydration, ScRegime, coefficients, kp_steady_cm_h, preset, steady_permeability};

const H_VE_UM: f64 = 100.0;

fn kp_in_vivo(name: &str, hydration: ScHydration, dermis_um: f64) -> f64 {
    let p = preset(name).expect(name);
    let h_sc = hydration.default_thickness_um();
    let c = coefficients(&p, hydration, h_sc, true).unwrap();
    assert_eq!(c.sc_regime, ScRegime::Homogenised, "{name}");
    kp_steady_cm_h(&c, h_sc, H_VE_UM, dermis_um).unwrap()
}

/// V11 (a): DPGME, intact skin, OSP settings (hydrated SC, dermis 1 mm):
/// OSP MoBi kp 1.19e-4 cm/h; tolerance 20 %.
#[test]
fn v11_dpgme_osp_cross_check() {
    let kp = kp_in_vivo("dpgme", ScHydration::Full, 1000.0);
    let want = 1.19e-4;
    let err = (kp - want).abs() / want;
    println!("V11 DPGME: dermasim {kp:.3e} cm/h vs OSP MoBi {want:.3e} ({:+.1} %)", (kp / want - 1.0) * 100.0);
    assert!(err <= 0.20, "DPGME kp {kp:.3e} vs {want:.3e}: {:.1} % off", err * 100.0);
}

/// V11 (b): testosterone, partially hydrated SC (13 µm), dermis 0.5 mm:
/// OSP MoBi kp 26.5e-4 cm/h; tolerance 20 %. MW 288.42 and log Kow 3.32
/// are literature values cited by us (not in the reference).
#[test]
fn v11_testosterone_osp_cross_check() {
    let kp = kp_in_vivo("testosterone", ScHydration::Partial, 500.0);
    let want = 26.5e-4;
    let err = (kp - want).abs() / want;
    println!("V11 testosterone: dermasim {kp:.3e} cm/h vs OSP MoBi {want:.3e} ({:+.1} %)", (kp / want - 1.0) * 100.0);
    assert!(err <= 0.20, "testosterone kp {kp:.3e} vs {want:.3e}: {:.1} % off", err * 100.0);
}

/// V10: caffeine, intact skin, in vivo kp 1.59e-4 cm/h (J Pharm Sci 1993,
/// O/W emulsion); tolerance a factor 3. Checked with OSP's default hydrated
/// SC (43 µm), the setting of transport.md §7–8. The partially hydrated SC
/// (13 µm) gives 1.9e-5 cm/h, a factor 8.3 low: reported in
/// docs/validation.md as a miss, not asserted.
#[test]
fn v10_caffeine_intact_skin() {
    let kp = kp_in_vivo("caffeine", ScHydration::Full, 1000.0);
    let partial = kp_in_vivo("caffeine", ScHydration::Partial, 1000.0);
    let want = 1.59e-4;
    let ratio = want / kp;
    println!(
        "V10 caffeine: dermasim {kp:.3e} cm/h (hydrated SC), {partial:.3e} (partial); \
         measured {want:.3e}; ratio {ratio:.2} / {:.2}",
        want / partial
    );
    assert!((1.0 / 3.0..=3.0).contains(&ratio), "caffeine kp {kp:.3e}: ratio {ratio:.2}");
    // The model's own number stays what the reference computed (5.5e-5).
    assert!((kp - 5.5e-5).abs() / 5.5e-5 < 0.05, "kp {kp:.3e}");
}

/// Layer resistances: for hydrophilic small solutes the SC dominates
/// (P_ed ≈ 0.5 cm/h, P_de ≈ 0.05–0.14 cm/h, transport.md §8).
#[test]
fn sc_dominates_for_small_hydrophilic_solutes() {
    for name in ["caffeine", "niacinamide", "l-ascorbic-acid"] {
        let p = preset(name).unwrap();
        let c = coefficients(&p, ScHydration::Full, 43.0, true).unwrap();
        let s = steady_permeability(&c, 43.0, H_VE_UM, 1000.0).unwrap();
        assert!((0.3..=0.8).contains(&s.p_ve_cm_h), "{name} P_ve {}", s.p_ve_cm_h);
        assert!((0.04..=0.15).contains(&s.p_de_cm_h), "{name} P_de {}", s.p_de_cm_h);
        assert!(s.p_sc_cm_h * 100.0 < s.p_de_cm_h, "{name}");
    }
}
