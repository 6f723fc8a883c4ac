//! Preset permeants (serum actives, numbing-cream bases, OSP cross-check
//! solutes).
//!
//! Every value carries its source and confidence tag from
//! `shared/reference/transport.md` (\[V\] verbatim, \[S\] secondary, \[D\] derived
//! by us); values that exist only as \[M\] (unverified) in the reference, or
//! not at all, are **assumptions** \[A\] and are listed in each preset's
//! `note`. Schroeder molar volumes V_A are computed by us \[D\] from the
//! molecular formula with [`SchroederCounts`] (Poling, Prausnitz & O'Connell
//! 2001, cited by us).

use super::{BindingClass, Ionisation, Permeant, SchroederCounts, viscometric_radius_nm};

/// Canonical preset names (lower-case, hyphenated).
const NAMES: &[&str] = &[
    "caffeine",
    "l-ascorbic-acid",
    "niacinamide",
    "tranexamic-acid",
    "hyaluronic-acid-low-mw",
    "hyaluronic-acid-high-mw",
    "palmitoyl-pentapeptide-4",
    "ghk-cu",
    "retinol",
    "lidocaine",
    "prilocaine",
    "dpgme",
    "testosterone",
];

/// Canonical names accepted by [`preset`] (aliases are accepted too).
pub fn preset_names() -> &'static [&'static str] {
    NAMES
}

fn canonical(name: &str) -> Option<&'static str> {
    let key: String = name.trim().to_lowercase().chars().map(|c| if c == ' ' || c == '_' { '-' } else { c }).collect();
    let canon = match key.as_str() {
        "caffeine" => "caffeine",
        "l-ascorbic-acid" | "ascorbic-acid" | "vitamin-c" | "laa" => "l-ascorbic-acid",
        "niacinamide" | "nicotinamide" | "vitamin-b3" => "niacinamide",
        "tranexamic-acid" | "txa" => "tranexamic-acid",
        "hyaluronic-acid-low-mw" | "ha-low" | "ha-low-mw" | "hyaluronic-acid-50kda" | "low-mw-hyaluronic-acid" => {
            "hyaluronic-acid-low-mw"
        }
        "hyaluronic-acid-high-mw" | "ha-high" | "ha-high-mw" | "hyaluronic-acid-1.5mda" | "high-mw-hyaluronic-acid" => {
            "hyaluronic-acid-high-mw"
        }
        "palmitoyl-pentapeptide-4" | "pal-kttks" | "matrixyl" | "palmitoyl-pentapeptide" => "palmitoyl-pentapeptide-4",
        "ghk-cu" | "copper-peptide" | "copper-tripeptide-1" => "ghk-cu",
        "retinol" | "vitamin-a" => "retinol",
        "lidocaine" | "lignocaine" | "lidocaine-base" => "lidocaine",
        "prilocaine" | "prilocaine-base" => "prilocaine",
        "dpgme" | "dipropylene-glycol-methyl-ether" | "dipropylene-glycol-monomethyl-ether" => "dpgme",
        "testosterone" => "testosterone",
        _ => return None,
    };
    Some(canon)
}

fn va(c: u32, h: u32, o: u32, n: u32, double_bonds: u32, rings: u32) -> Option<f64> {
    Some(SchroederCounts { c, h, o, n, double_bonds, rings, ..SchroederCounts::default() }.molar_volume_cm3_mol())
}

/// Log–log interpolation of HA intrinsic viscosity between two rows of the
/// supplier table in transport.md §4 \[S\] (3 kDa → 0.02, 100 kDa → 0.3,
/// 1 MDa → 1.73, 3 MDa → 4.06 m³/kg).
fn ha_intrinsic_viscosity_m3_kg(mw: f64) -> f64 {
    const TABLE: [(f64, f64); 4] = [(3e3, 0.02), (1e5, 0.3), (1e6, 1.73), (3e6, 4.06)];
    let i = TABLE.windows(2).position(|w| mw <= w[1].0).unwrap_or(TABLE.len() - 2);
    let ((m0, e0), (m1, e1)) = (TABLE[i], TABLE[i + 1]);
    let slope = (e1 / e0).ln() / (m1 / m0).ln();
    e0 * (mw / m0).powf(slope)
}

/// A preset permeant by name (case-insensitive; spaces/underscores accepted
/// for hyphens; aliases such as "vitamin-c", "pal-kttks", "nicotinamide").
pub fn preset(name: &str) -> Option<Permeant> {
    let canon = canonical(name)?;
    let base = |mw: f64, log_kow: f64| Permeant::neutral(canon, mw, log_kow);
    let p = match canon {
        // MW 194.19 [V] (NIST 194.1906); pKa ≈ 0.6 (weak base) [V];
        // S_w ≈ 1 g in 46 mL ≈ 21.7 g/L [V]; V_A = 182 [D] (C8H10N4O2,
        // 4 double bonds, 2 rings; equals transport.md §4).
        // log Kow −0.07 is [M] in the reference → assumption.
        "caffeine" => Permeant {
            pka: Some(0.6),
            ionisation: Ionisation::Base,
            water_solubility_g_l: Some(1000.0 / 46.0),
            molar_volume_cm3_mol: va(8, 10, 2, 4, 4, 2),
            note: "MW 194.19 [V]; pKa 0.6 base [V]; S_w 21.7 g/L (1 g in 46 mL) [V]; \
                   V_A 182 Schroeder [D]. ASSUMPTION: log Kow -0.07 is [M] in the reference \
                   (commonly cited Hansch/Leo value, not verified here)."
                .into(),
            ..base(194.19, -0.07)
        },
        // MW 176.12 [V]; pKa 4.10 [V]; S_w 330 g/L [V]; serum pH < 3.5
        // (Pinnell 2001) [V], 3.2 used [S]; log Kow −1.85 [M] → assumption.
        "l-ascorbic-acid" => Permeant {
            pka: Some(4.10),
            ionisation: Ionisation::Acid,
            vehicle_ph: Some(3.2),
            water_solubility_g_l: Some(330.0),
            molar_volume_cm3_mol: va(6, 8, 6, 0, 2, 1),
            binding_class: Some(BindingClass::AcidWithoutPharmacophoreOrZwitterion),
            note: "MW 176.12 [V]; pKa 4.10 acid [V]; S_w 330 g/L [V]; vehicle pH 3.2 \
                   (Pinnell 2001: pH < 3.5 [V]; 3.2 from a secondary page [S]); V_A 147 \
                   Schroeder [D]. ASSUMPTIONS: log Kow -1.85 is [M]; albumin class 'acid without \
                   pharmacophore' [A]."
                .into(),
            ..base(176.12, -1.85)
        },
        // MW 122.12 [V]; log Kow −0.37 (chembox) [V]/[S]; pKa 3.3 (pyridine
        // N, base) [V]; S_w 500 g/L [V]; V_A 126 [D] (= §4).
        "niacinamide" => Permeant {
            pka: Some(3.3),
            ionisation: Ionisation::Base,
            water_solubility_g_l: Some(500.0),
            molar_volume_cm3_mol: va(6, 6, 1, 2, 4, 1),
            note: "MW 122.12 [V]; log Kow -0.37 (chembox) [V/S]; pKa 3.3 base [V]; S_w 500 g/L \
                   [V]; V_A 126 Schroeder [D]."
                .into(),
            ..base(122.12, -0.37)
        },
        // MW 157.21 [V]; zwitterion [S]; log Kow ≈ −1.6 [M] → assumption.
        "tranexamic-acid" => Permeant {
            molar_volume_cm3_mol: va(8, 15, 2, 1, 1, 1),
            binding_class: Some(BindingClass::AcidWithoutPharmacophoreOrZwitterion),
            note: "MW 157.21 [V]; zwitterion [S], modelled as a net-neutral species with albumin \
                   class 'zwitterion' [A]; 'freely soluble' [S] (no cap); V_A 182 Schroeder [D]. \
                   ASSUMPTION: log Kow -1.6 is [M]."
                .into(),
            ..base(157.21, -1.6)
        },
        // Low-MW HA grade ~50 kDa [M] → assumption. R_h from the intrinsic
        // viscosity table [S] via the viscometric radius [D].
        "hyaluronic-acid-low-mw" => {
            let mw = 50_000.0;
            Permeant {
                pka: Some(3.0),
                ionisation: Ionisation::Acid,
                vehicle_ph: Some(6.0),
                hydrodynamic_radius_nm: Some(viscometric_radius_nm(ha_intrinsic_viscosity_m3_kg(mw), mw)),
                binding_class: Some(BindingClass::AcidWithoutPharmacophoreOrZwitterion),
                note: "Macromolecule: SC impermeable. R_h ~11 nm = viscometric radius [D] from the \
                       intrinsic-viscosity supplier table [S], log-log interpolated. \
                       ASSUMPTIONS: MW 50 kDa ('~50 kDa' grades are [M]); log Kow -4 (no value; \
                       unused for the SC); carboxyl pKa 3.0 and vehicle pH 6.0 [A]."
                    .into(),
                ..base(mw, -4.0)
            }
        }
        "hyaluronic-acid-high-mw" => {
            let mw = 1.5e6;
            Permeant {
                pka: Some(3.0),
                ionisation: Ionisation::Acid,
                vehicle_ph: Some(6.0),
                hydrodynamic_radius_nm: Some(viscometric_radius_nm(ha_intrinsic_viscosity_m3_kg(mw), mw)),
                binding_class: Some(BindingClass::AcidWithoutPharmacophoreOrZwitterion),
                note: "Macromolecule: SC impermeable. R_h ~83 nm = viscometric radius [D] from the \
                       intrinsic-viscosity supplier table [S], log-log interpolated. \
                       ASSUMPTIONS: MW 1.5 MDa ('1-2 MDa' grades are [M]); log Kow -4 (no value; \
                       unused for the SC); carboxyl pKa 3.0 and vehicle pH 6.0 [A]."
                    .into(),
                ..base(mw, -4.0)
            }
        }
        // pal-KTTKS: MW 802.07, C39H75N7O10 [V]; V_A 959 [D] (6 C=O, no
        // rings). No log Kow anywhere → assumption 1.0.
        "palmitoyl-pentapeptide-4" => Permeant {
            molar_volume_cm3_mol: va(39, 75, 10, 7, 6, 0),
            note: "MW 802.07 (C39H75N7O10) [V]; V_A 959 Schroeder [D]. ASSUMPTIONS: log Kow 1.0 \
                   (no measured value found; palmitoyl chain on a hydrophilic, lysine-rich \
                   peptide) and treated as net-neutral [A]. R <= 100: SC permeability from the \
                   extrapolated closed form (see warnings)."
                .into(),
            ..base(802.07, 1.0)
        },
        // GHK-Cu C14H22CuN6O4 ≈ 401.9 [D]. V_A of the GHK ligand (no
        // Schroeder increment for Cu) → assumption.
        "ghk-cu" => Permeant {
            molar_volume_cm3_mol: va(14, 24, 4, 6, 5, 1),
            note: "MW 401.9 (C14H22CuN6O4) [D]. ASSUMPTIONS: log Kow -2.0 (no value; GHK is very \
                   hydrophilic); net-neutral complex; V_A 364 = Schroeder V_A of the GHK ligand \
                   C14H24N6O4 (no Cu increment) [A]. GHK S_w 130.98 g/L [V] is for the free \
                   peptide, not used."
                .into(),
            ..base(401.9, -2.0)
        },
        // MW 286.45 [V]; S_w 0.06 µmol/L [V] → 1.72e-5 g/L; V_A 385 [D]
        // (C20H30O, 5 C=C, 1 ring). log Kow ~5.7 [M] → assumption.
        "retinol" => Permeant {
            water_solubility_g_l: Some(0.06e-6 * 286.45),
            molar_volume_cm3_mol: va(20, 30, 1, 0, 5, 1),
            note: "MW 286.45 [V]; S_w 0.06 umol/L [V]; V_A 385 Schroeder [D]. ASSUMPTION: log Kow \
                   5.7 is [M]."
                .into(),
            ..base(286.45, 5.7)
        },
        // MW 234.34 [S]; pKa 7.9 [S]; log P 2.27 [D] from label octanol:water
        // 43 at pH 7.4 [V]; EMLA pH ~9 [V]; V_A 294 [D].
        "lidocaine" => Permeant {
            pka: Some(7.9),
            ionisation: Ionisation::Base,
            vehicle_ph: Some(9.0),
            molar_volume_cm3_mol: va(14, 22, 1, 2, 4, 1),
            note: "MW 234.34 [S]; pKa 7.9 base [S]; log Kow 2.27 [D] from the EMLA label \
                   octanol:water 43 at pH 7.4 [V] with pKa 7.9; vehicle pH 9 (EMLA label) [V]; \
                   V_A 294 Schroeder [D]. PubChem log P 2.44 is [M], not used."
                .into(),
            ..base(234.34, 2.27)
        },
        // MW 220.31 [V]; log Kow 2.11 (NLM) [V]; pKa 7.7–7.9 [V] → 7.9
        // (gives log D7.4 1.49 vs label 25 → 1.40); EMLA pH ~9 [V].
        "prilocaine" => Permeant {
            pka: Some(7.9),
            ionisation: Ionisation::Base,
            vehicle_ph: Some(9.0),
            molar_volume_cm3_mol: va(13, 20, 1, 2, 4, 1),
            note: "MW 220.31 [V]; log Kow 2.11 (NLM) [V]; pKa 7.9, top of the 7.7-7.9 range [V], \
                   closest to the label octanol:water 25 at pH 7.4 [V]; vehicle pH 9 (EMLA) [V]; \
                   V_A 273 Schroeder [D]. S_w 541 mg/mL probably refers to the salt: not used."
                .into(),
            ..base(220.31, 2.11)
        },
        // OSP worked example: MW 148.2, log Kow −0.22 [V]; V_A 182 [D].
        "dpgme" => Permeant {
            molar_volume_cm3_mol: va(7, 16, 3, 0, 0, 0),
            note: "Dipropylene glycol methyl ether, OSP worked example: MW 148.2, log Kow -0.22 \
                   [V]; V_A 182 Schroeder (C7H16O3) [D]; miscible with water (no cap)."
                .into(),
            ..base(148.2, -0.22)
        },
        // OSP worked example. MW/log Kow not in the reference: literature
        // values cited by us.
        "testosterone" => Permeant {
            molar_volume_cm3_mol: va(19, 28, 2, 0, 2, 4),
            note: "OSP worked-example solute. NOT IN THE REFERENCE, cited by us: MW 288.42 \
                   (C19H28O2, standard chemistry); log Kow 3.32 (Hansch, Leo & Hoekman 1995, \
                   Exploring QSAR, ACS). V_A 329 Schroeder [D]."
                .into(),
            ..base(288.42, 3.32)
        },
        _ => return None,
    };
    Some(p)
}
