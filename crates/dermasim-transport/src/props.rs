//! Product properties from chemistry → per-layer transport coefficients.
//!
//! Pure module (no I/O). Given a [`Permeant`] (molecular weight, log K_o/w,
//! ionisation, vehicle pH, …) it returns the coefficients the finite-volume
//! solver needs for each skin layer ([`Coefficients`]): diffusivity D
//! (µm²/s), partition coefficient K (tissue / vehicle, total concentrations)
//! and first-order clearance k (1/s), plus the free diffusivity of the
//! permeant in the formulation that fills a micro-channel.
//!
//! The model is the one implemented by the Open Systems Pharmacology MoBi
//! skin-permeation model ("OSP": Hamadeh, Sevestre & Edginton, repository
//! `Open-Systems-Pharmacology/Skin-permeation-model`), which implements
//! Dancik Y, Miller MA, Jaworska J, Kasting GB, *Adv Drug Deliv Rev*
//! 2013;65:221–236, itself built on Wang, Kasting & Nitsche (stratum corneum)
//! and Kretsos et al. 2008 (*Int J Pharm* 346:64; viable tissues). Equations
//! and values were taken from `shared/reference/transport.md`; its confidence
//! tags are repeated on each item: **\[V\]** verbatim in the source, **\[P\]**
//! paraphrased, **\[S\]** secondary source only, **\[D\]** derived by us,
//! **\[A\]** an assumption of this module (no source at hand). No value tagged
//! \[M\] (unverified) in the reference is used as data; where only an \[M\] value
//! exists (e.g. some log P in the presets) it is used as a *stated assumption*
//! and flagged in [`Permeant::note`].
//!
//! The full model text, with every constant, the open discrepancies and the
//! variants chosen, is in `docs/models.md §5`.
//!
//! Units: inputs and outputs are in µm, s, Da, g/L; internal arithmetic follows
//! the literature in cm and s (1 cm²/s = 1e8 µm²/s).
//!
//! Temperature: all correlations are used as fitted (OSP examples are for a
//! 30 °C skin surface \[V\]); only the Stokes–Einstein diffusivity of
//! macromolecules takes an explicit temperature ([`PropsOptions::temperature_c`],
//! default 30 °C). Nothing else is temperature-corrected: treat the results
//! as valid for 30–32 °C skin.

mod presets;

pub use presets::{preset, preset_names};

use thiserror::Error;

// ---------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------

/// cm² → µm².
const CM2_TO_UM2: f64 = 1e8;
/// µm → cm.
const UM_TO_CM: f64 = 1e-4;
/// s⁻¹·h: cm/s → cm/h.
const S_PER_H: f64 = 3600.0;

/// Tissue (interstitial) pH used for ionisation in the viable epidermis and
/// dermis: 7.4. OSP / Dancik 2013 ("pH 7.4 in tissue") \[V\].
pub const TISSUE_PH: f64 = 7.4;

/// Vehicle pH assumed when [`Permeant::vehicle_ph`] is `None` \[A\]: equal to
/// the tissue pH, 7.4 (no pH information → no pH gradient).
pub const DEFAULT_VEHICLE_PH: f64 = 7.4;

/// Molecular weight above which a permeant is treated as a macromolecule *in the
/// living tissue* (Stokes–Einstein diffusivity, no albumin binding, no capillary
/// clearance) \[A\]. The stratum corneum has no such switch: its permeability
/// falls smoothly with size across every MW ([`LowRPolicy::SizeContinued`]).
pub const MACROMOLECULE_MW_DA: f64 = 5000.0;

/// Size term of the Potts & Guy 1992 relation: log10 kp falls by 0.0061 per Da of
/// molecular weight at fixed log Kow (OSP `P_cap` \[V\]; the free-volume
/// diffusion term of the lipid pathway). [`LowRPolicy::SizeContinued`] uses it to
/// carry the lipid-pathway permeability past the closed form's domain.
pub const POTTS_GUY_SIZE_PER_DA: f64 = 0.0061;

/// Molecular weights of the permeability data behind the SC correlations, Da:
/// Potts–Guy / Flynn 1990 set, MW 18 to ~750 \[S\] (transport.md §1.1). Outside
/// it the permeability is an extrapolation ([`DomainFlag`]).
pub const DATA_MW_RANGE_DA: (f64, f64) = (18.0, 750.0);

/// log Kow of the same data, −3 to +6 \[S\] (transport.md §1.1).
pub const DATA_LOG_KOW_RANGE: (f64, f64) = (-3.0, 6.0);

/// Range over which dermasim's intact-skin permeability is defined and smooth
/// (18 Da to 1.5 MDa, log Kow −4 to 7) \[A\]. Inside it but outside the data the
/// result is flagged; outside it, flagged as beyond the model's range (still
/// computed: the relations stay finite and monotone).
pub const MODEL_MW_RANGE_DA: (f64, f64) = (18.0, 1.5e6);

/// log Kow range of the model, see [`MODEL_MW_RANGE_DA`] \[A\].
pub const MODEL_LOG_KOW_RANGE: (f64, f64) = (-4.0, 7.0);

/// Density assumed for a permeant when converting its water solubility into
/// the ρ/S_w cap on K_sc, and when estimating V_A ≈ MW/ρ \[A\]: 1.0 g/cm³.
pub const ASSUMED_SOLUTE_DENSITY_G_CM3: f64 = 1.0;

/// Boltzmann constant, J/K (exact SI value).
const K_BOLTZMANN: f64 = 1.380_649e-23;
/// Avogadro constant, 1/mol (exact SI value).
const N_AVOGADRO: f64 = 6.022_140_76e23;

// --- Stratum corneum, OSP / Dancik 2013, [V] (transport.md §1.2) -----------

/// Fixed structural parameters of the two-phase (brick-and-mortar) SC model,
/// OSP `skin_permeation_model.mbp3` / Dancik et al. 2013 *Adv Drug Deliv Rev*
/// 65:221 \[V\]. First value fully hydrated, second partially hydrated.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ScStructure {
    /// Corneocyte volume fraction φ_cor \[V\].
    phi_cor: f64,
    /// Keratin fibre volume fraction inside corneocytes φ_f \[V\].
    phi_f: f64,
    /// Water : protein mass ratio ν \[V\].
    nu: f64,
    /// Corneocyte lateral size l_x, cm (31.32 / 30.27 µm \[V\]).
    l_x_cm: f64,
    /// Divisor applied to D_lip and k_trans (1 hydrated, 3 partial) \[V\].
    lipid_divisor: f64,
    /// Intercept and coefficients of P̂ for R > 100 \[V\].
    p_hat_intercept: f64,
    p_hat_sigma_coef: f64,
    p_hat_r_coef: f64,
    /// c00 of the (unavailable) 25-term polynomial for R ≤ 100 \[V\].
    c00: f64,
}

const SC_FULL: ScStructure = ScStructure {
    phi_cor: 0.9684,
    phi_f: 0.1928,
    nu: 2.75,
    l_x_cm: 31.32e-4,
    lipid_divisor: 1.0,
    p_hat_intercept: 7.611e-4,
    p_hat_sigma_coef: 0.9685,
    p_hat_r_coef: 1.827e5,
    c00: -4.48116,
};

const SC_PARTIAL: ScStructure = ScStructure {
    phi_cor: 0.9073,
    phi_f: 0.6044,
    nu: 0.43,
    l_x_cm: 30.27e-4,
    lipid_divisor: 3.0,
    p_hat_intercept: 2.935e-4,
    p_hat_sigma_coef: 0.8979,
    p_hat_r_coef: 5.536e5,
    c00: -4.95725,
};

/// Lipid lamella thickness δ = 13 nm, in cm. OSP \[V\].
const LAMELLA_DELTA_CM: f64 = 13e-7;
/// Keratin fibre radius a_f = 35 Å. OSP \[V\].
const KERATIN_FIBRE_RADIUS_A: f64 = 35.0;
/// Protein mass fraction of the SC w_pro = 0.9. OSP \[V\].
const W_PRO: f64 = 0.9;
/// Protein density ρ_pro = 1.37 g/cm³. OSP \[V\].
const RHO_PRO: f64 = 1.37;
/// Water density ρ_w = 1.0 g/cm³ (standard; the OSP formula uses ρ_w).
const RHO_W: f64 = 1.0;
/// R threshold between the closed-form P̂ and the polynomial. OSP \[V\].
const R_THRESHOLD: f64 = 100.0;

// --- Viable epidermis and dermis, OSP / Dancik 2013 / Kretsos 2008, [V] ----

/// Albumin-accessible volume fraction φ_a = 0.32 \[V\].
const PHI_A: f64 = 0.32;
/// Aqueous volume fraction φ_aq = 0.6 \[V\].
const PHI_AQ: f64 = 0.6;
/// Lipid volume fraction φ_lip = 0.001 \[V\].
const PHI_LIP: f64 = 0.001;
/// Diffusivity of albumin-bound solute D_bound = 1e-7 cm²/s \[V\].
const D_BOUND_CM2_S: f64 = 1e-7;

// --- Dermal clearance, OSP / Dancik 2013 (transport.md §3), [V] ------------

/// Capillary surface area per volume S = 100 cm²/cm³ \[V\].
const CAPILLARY_S_PER_CM: f64 = 100.0;
/// Blood-flow-limited clearance Q = 0.132 min⁻¹ = 2.2e-3 s⁻¹ \[V\].
const CLEARANCE_Q_PER_S: f64 = 2.2e-3;
/// Capillary permeability multiplier m = 100 on Potts–Guy kp (Fedorowicz
/// 2011, as used in OSP) \[V\].
const CAPILLARY_MULTIPLIER: f64 = 100.0;

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// Invalid input to the property model. Every variant names the field, the
/// value received and the allowed range.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum PropsError {
    /// A numeric input is NaN, infinite or outside its allowed range.
    #[error("{field} = {value} is invalid: allowed range is {allowed}")]
    OutOfRange {
        /// Name of the offending field.
        field: &'static str,
        /// The value received.
        value: f64,
        /// The allowed range, in words.
        allowed: &'static str,
    },
    /// A required value is missing.
    #[error("{field} is missing: it is required {reason}")]
    Missing {
        /// Name of the missing field.
        field: &'static str,
        /// Why it is required.
        reason: &'static str,
    },
}

fn check_range(
    field: &'static str,
    value: f64,
    lo: f64,
    hi: f64,
    lo_inclusive: bool,
    allowed: &'static str,
) -> Result<f64, PropsError> {
    let lo_ok = if lo_inclusive { value >= lo } else { value > lo };
    if value.is_finite() && lo_ok && value <= hi {
        Ok(value)
    } else {
        Err(PropsError::OutOfRange { field, value, allowed })
    }
}

// ---------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------

/// Acid/base character of the permeant (one ionisable group).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ionisation {
    /// Not ionisable in the pH range of interest (also used for zwitterions
    /// whose measured log K_o/w is that of the net-neutral species).
    Neutral,
    /// Weak acid: un-ionised fraction 1/(1 + 10^(pH − pKa)).
    Acid,
    /// Weak base: un-ionised fraction 1/(1 + 10^(pKa − pH)).
    Base,
}

/// Class used for the albumin-binding (fraction unbound) correlation of
/// Kretsos et al. 2008 as coded in OSP \[V\]: coefficients (A, B).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BindingClass {
    /// Neutral solutes and bases: (A, B) = (0.5578, 0.0188) \[V\].
    NeutralOrBase,
    /// Acids with an albumin-binding pharmacophore: (0.7936, 0.2239) \[V\].
    AcidWithPharmacophore,
    /// Acids without pharmacophore, and zwitterions: (0.3127, 0.5121) \[V\].
    AcidWithoutPharmacophoreOrZwitterion,
}

impl BindingClass {
    fn coefficients(self) -> (f64, f64) {
        match self {
            BindingClass::NeutralOrBase => (0.5578, 0.0188),
            BindingClass::AcidWithPharmacophore => (0.7936, 0.2239),
            BindingClass::AcidWithoutPharmacophoreOrZwitterion => (0.3127, 0.5121),
        }
    }
}

/// Atom, bond and ring counts for the Schroeder molar-volume increments.
///
/// V_A [cm³/mol] = 7.0·(n_C + n_H + n_O + n_N + n_double) + 14.0·n_triple
/// + 31.5·n_Br + 24.5·n_Cl + 10.5·n_F + 38.5·n_I + 21.0·n_S − 7.0·n_rings.
///
/// Source: Schroeder's additive method as tabulated in Poling BE, Prausnitz
/// JM, O'Connell JP, *The Properties of Gases and Liquids*, 5th ed.,
/// McGraw-Hill 2001 (Table 4-8) — cited by us, **not in the reference**; OSP
/// uses "the Schroeder increments" \[V\] without listing them. Check: it gives
/// exactly the V_A quoted in transport.md §4 for caffeine (182) and
/// niacinamide (126) \[D\].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SchroederCounts {
    /// Carbon atoms.
    pub c: u32,
    /// Hydrogen atoms.
    pub h: u32,
    /// Oxygen atoms.
    pub o: u32,
    /// Nitrogen atoms.
    pub n: u32,
    /// Sulfur atoms.
    pub s: u32,
    /// Fluorine atoms.
    pub f: u32,
    /// Chlorine atoms.
    pub cl: u32,
    /// Bromine atoms.
    pub br: u32,
    /// Iodine atoms.
    pub i: u32,
    /// Double bonds (aromatic rings count as their Kekulé double bonds).
    pub double_bonds: u32,
    /// Triple bonds.
    pub triple_bonds: u32,
    /// Rings (each ring, whatever its size).
    pub rings: u32,
}

impl SchroederCounts {
    /// Molar volume at the normal boiling point, V_A in cm³/mol.
    pub fn molar_volume_cm3_mol(&self) -> f64 {
        let n7 = f64::from(self.c + self.h + self.o + self.n + self.double_bonds);
        7.0 * n7
            + 14.0 * f64::from(self.triple_bonds)
            + 31.5 * f64::from(self.br)
            + 24.5 * f64::from(self.cl)
            + 10.5 * f64::from(self.f)
            + 38.5 * f64::from(self.i)
            + 21.0 * f64::from(self.s)
            - 7.0 * f64::from(self.rings)
    }
}

/// A permeant (the active in the product) described by its chemistry.
///
/// Fields beyond the core chemistry are optional; `None` means "unknown" and
/// triggers a documented default.
#[derive(Debug, Clone, PartialEq)]
pub struct Permeant {
    /// Display name.
    pub name: String,
    /// Molecular weight, Da (g/mol). Allowed: 0 < MW ≤ 1e8.
    pub molecular_weight_da: f64,
    /// log10 of the octanol/water partition coefficient of the **un-ionised**
    /// species (log P). Allowed: −10 … 10.
    pub log_kow: f64,
    /// pKa of the ionisable group; required for `Acid` and `Base`.
    /// Allowed: −10 … 25.
    pub pka: Option<f64>,
    /// Acid/base character.
    pub ionisation: Ionisation,
    /// pH of the vehicle (formulation). `None` → [`DEFAULT_VEHICLE_PH`].
    /// Allowed: 0 … 14.
    pub vehicle_ph: Option<f64>,
    /// Water solubility S_w, g/L; caps K_sc at ρ/S_w. `None` → no cap.
    pub water_solubility_g_l: Option<f64>,
    /// Hydrodynamic (Stokes) radius, nm. For macromolecules; when given it
    /// overrides the Schroeder-based solute radius and the aqueous
    /// diffusivity is computed by Stokes–Einstein.
    pub hydrodynamic_radius_nm: Option<f64>,
    /// Schroeder molar volume V_A, cm³/mol (see [`SchroederCounts`]).
    /// `None` → estimated as MW / ρ with ρ = 1.0 g/cm³ \[A\] (flagged in
    /// [`Coefficients::warnings`]).
    pub molar_volume_cm3_mol: Option<f64>,
    /// Albumin-binding class for the fraction-unbound correlation.
    /// `None` → `NeutralOrBase` for neutral solutes and bases,
    /// `AcidWithoutPharmacophoreOrZwitterion` for acids \[A\].
    pub binding_class: Option<BindingClass>,
    /// Provenance of the values and any assumption (free text).
    pub note: String,
}

impl Permeant {
    /// A neutral permeant with only MW and log K_o/w known.
    pub fn neutral(name: impl Into<String>, molecular_weight_da: f64, log_kow: f64) -> Self {
        Permeant {
            name: name.into(),
            molecular_weight_da,
            log_kow,
            pka: None,
            ionisation: Ionisation::Neutral,
            vehicle_ph: None,
            water_solubility_g_l: None,
            hydrodynamic_radius_nm: None,
            molar_volume_cm3_mol: None,
            binding_class: None,
            note: String::new(),
        }
    }

    /// Checks every field; returns the first problem found.
    pub fn validate(&self) -> Result<(), PropsError> {
        check_range("molecular_weight_da", self.molecular_weight_da, 0.0, 1e8, false, "0 < MW <= 1e8 Da")?;
        check_range("log_kow", self.log_kow, -10.0, 10.0, true, "-10 <= log Kow <= 10")?;
        if let Some(pka) = self.pka {
            check_range("pka", pka, -10.0, 25.0, true, "-10 <= pKa <= 25")?;
        }
        if let Some(ph) = self.vehicle_ph {
            check_range("vehicle_ph", ph, 0.0, 14.0, true, "0 <= pH <= 14")?;
        }
        if let Some(s) = self.water_solubility_g_l {
            check_range("water_solubility_g_l", s, 0.0, 1e4, false, "0 < S_w <= 1e4 g/L")?;
        }
        if let Some(r) = self.hydrodynamic_radius_nm {
            check_range("hydrodynamic_radius_nm", r, 0.0, 1e4, false, "0 < R_h <= 1e4 nm")?;
        }
        if let Some(v) = self.molar_volume_cm3_mol {
            check_range("molar_volume_cm3_mol", v, 0.0, 1e7, false, "0 < V_A <= 1e7 cm3/mol")?;
        }
        if matches!(self.ionisation, Ionisation::Acid | Ionisation::Base) && self.pka.is_none() {
            return Err(PropsError::Missing { field: "pka", reason: "for an Acid or Base permeant" });
        }
        Ok(())
    }

    fn binding_class_or_default(&self) -> BindingClass {
        self.binding_class.unwrap_or(match self.ionisation {
            Ionisation::Acid => BindingClass::AcidWithoutPharmacophoreOrZwitterion,
            Ionisation::Neutral | Ionisation::Base => BindingClass::NeutralOrBase,
        })
    }
}

/// Hydration state of the stratum corneum (OSP's two parameter sets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScHydration {
    /// Fully hydrated (occluded); OSP thickness 43 µm \[V\].
    Full,
    /// Partially hydrated (non-occluded); OSP thickness 13 µm \[V\].
    Partial,
}

impl ScHydration {
    /// OSP's SC thickness for this hydration state, µm \[V\]
    /// (43 fully hydrated, 13 partially hydrated).
    pub fn default_thickness_um(self) -> f64 {
        match self {
            ScHydration::Full => 43.0,
            ScHydration::Partial => 13.0,
        }
    }

    fn structure(self) -> &'static ScStructure {
        match self {
            ScHydration::Full => &SC_FULL,
            ScHydration::Partial => &SC_PARTIAL,
        }
    }
}

/// What to do when the SC transfer parameter R ≤ 100, where OSP uses a
/// 25-coefficient polynomial for log P̂ that is **not** in our reference
/// (only c00 is known).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LowRPolicy {
    /// Default. Carry the lipid pathway past the edge of the closed form
    /// (MW_e, where R = 100: [`closed_form_edge_mw_da`]) with the Potts–Guy size
    /// term: P_sc(MW) = P_sc,closed(MW_e)·10^(−0.0061·(MW − MW_e)), the closed
    /// form evaluated for the permeant's own lipophilicity and ionisation at the
    /// edge size (molar volume scaled by MW_e/MW) ([`ScRegime::SizeContinued`]).
    /// Continuous at the edge, falls monotonically with size to 1.5 MDa and
    /// beyond (no cliff, no plateau) \[A\]. Extrapolating the closed form instead
    /// keeps P̂ at or above its intercept 7.6e-4 however large the solute (the
    /// OSP polynomial gives 10^c00 = 3.3e-5 at σ = R = 1 \[V\], well under it), and
    /// D_lip's constant term then gives a plateau.
    #[default]
    SizeContinued,
    /// Use the R > 100 closed form anyway (extrapolation) and flag it
    /// ([`ScRegime::LowRExtrapolated`]). Likely an **upper bound**
    /// on P_sc: at σ = 1, R = 1 the closed form gives P̂ ≈ 7.7e-4 (hydrated)
    /// whereas the polynomial gives 10^c00 = 3.3e-5 there \[D\].
    ExtrapolateHighR,
    /// Use Potts–Guy kp (scaled by the vehicle un-ionised fraction) as the SC
    /// permeability ([`ScRegime::LowRPottsGuy`]).
    PottsGuy,
}

/// Reference state of the viable-tissue partition coefficient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TissuePartition {
    /// K_free = φ_aq: tissue total / vehicle total concentration, assuming
    /// the aqueous phases are in direct contact (micro-channel) so both
    /// charge forms equilibrate; no ion trapping. Default \[A\]. Identical to
    /// OSP for neutral solutes.
    #[default]
    TotalAqueous,
    /// K_free = φ_aq / f_non(7.4), as literally coded in OSP \[V\]: partition
    /// referred to the un-ionised species (ion trapping across a lipid
    /// barrier).
    OspNeutralReference,
}

/// Model options; `Default` gives the documented defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PropsOptions {
    /// Regime R ≤ 100 handling.
    pub low_r: LowRPolicy,
    /// Viable-tissue partition reference.
    pub tissue_partition: TissuePartition,
    /// Temperature for Stokes–Einstein (macromolecules), °C. Default 30 °C,
    /// the OSP skin-surface temperature \[V\]. Allowed 0–60 °C.
    pub temperature_c: f64,
}

impl Default for PropsOptions {
    fn default() -> Self {
        PropsOptions { low_r: LowRPolicy::default(), tissue_partition: TissuePartition::default(), temperature_c: 30.0 }
    }
}

// ---------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------

/// Transport coefficients of one layer, as the solver uses them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayerCoefficients {
    /// Effective diffusivity, µm²/s.
    pub diffusivity_um2_s: f64,
    /// Partition coefficient, tissue total / vehicle total concentration.
    pub partition: f64,
    /// First-order clearance rate, 1/s.
    pub clearance_per_s: f64,
}

/// Which SC permeability expression was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScRegime {
    /// R > 100: OSP closed-form homogenised permeability \[V\].
    Homogenised,
    /// R ≤ 100, closed form extrapolated ([`LowRPolicy::ExtrapolateHighR`]).
    LowRExtrapolated,
    /// R ≤ 100, Potts–Guy used ([`LowRPolicy::PottsGuy`]).
    LowRPottsGuy,
    /// R ≤ 100, the lipid pathway continued with the Potts–Guy size term
    /// ([`LowRPolicy::SizeContinued`], the default).
    SizeContinued,
}

/// Intermediate quantities of the SC model (for reports and tests).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScDetail {
    /// Lipid/water partition of the un-ionised species, 0.43·Kow^0.81.
    pub k_lip: f64,
    /// Protein/water partition, 5.4·Kow^0.27.
    pub pc_pro: f64,
    /// Corneocyte/water partition.
    pub k_cor: f64,
    /// Lipid diffusivity, cm²/s.
    pub d_lip_cm2_s: f64,
    /// Trans-bilayer mass-transfer coefficient, cm/s.
    pub k_trans_cm_s: f64,
    /// Keratin-hindered corneocyte diffusivity, cm²/s.
    pub d_cor_cm2_s: f64,
    /// Free-volume partition into the corneocyte fibre matrix, 1 − φ_f′.
    pub k_cor_free: f64,
    /// R = k_trans·l_x²/(δ·D_lip).
    pub r: f64,
    /// σ = D_lip·K_lip/(D_cor·K_cor,free) (K_lip scaled by f_non).
    pub sigma: f64,
    /// Dimensionless homogenised permeability P̂.
    pub p_hat: f64,
    /// Whether K_sc was capped at ρ/S_w.
    pub capped_by_solubility: bool,
}

/// Intermediate quantities of the viable-tissue model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TissueDetail {
    /// log D at pH 7.4 = log Kow + log10 f_non(7.4).
    pub log_d_7_4: f64,
    /// Fraction unbound (albumin).
    pub fu: f64,
    /// Binding factor.
    pub binding_factor: f64,
    /// Free aqueous diffusivity, cm²/s.
    pub d_free_cm2_s: f64,
    /// Clearance of free solute k_free, 1/s (in vivo value even in vitro).
    pub k_free_per_s: f64,
}

/// Per-layer coefficients for one permeant, plus diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct Coefficients {
    /// Stratum corneum (clearance always 0).
    pub stratum_corneum: LayerCoefficients,
    /// Viable epidermis (avascular: clearance always 0).
    pub viable_epidermis: LayerCoefficients,
    /// Dermis (clearance k_de in vivo, 0 in vitro).
    pub dermis: LayerCoefficients,
    /// Free diffusivity in the formulation filling a channel, µm²/s
    /// (unhindered; apply [`hindrance_renkin`] for narrow or gel-filled pores).
    pub channel_fluid_diffusivity_um2_s: f64,
    /// Un-ionised fraction at the vehicle pH.
    pub unionised_fraction_vehicle: f64,
    /// Potts & Guy 1992 kp of the un-ionised species, cm/h.
    pub potts_guy_kp_cm_h: f64,
    /// Solute radius, nm (Schroeder-based, or the hydrodynamic radius).
    pub solute_radius_nm: f64,
    /// Un-ionised fraction at the tissue pH 7.4.
    pub unionised_fraction_tissue: f64,
    /// SC permeability P_sc for the given thickness, cm/h.
    pub sc_permeability_cm_h: f64,
    /// Which SC expression was used.
    pub sc_regime: ScRegime,
    /// SC model intermediates (all zeros for `Impermeable` except K terms).
    pub sc_detail: ScDetail,
    /// Viable tissue intermediates.
    pub tissue_detail: TissueDetail,
    /// V_A used, cm³/mol.
    pub molar_volume_cm3_mol: f64,
    /// Where the permeant lies against the permeability data (empty: inside).
    pub domain: Vec<DomainFlag>,
    /// Human-readable flags: extrapolations, estimated inputs, domain exits.
    pub warnings: Vec<String>,
}

// ---------------------------------------------------------------------------
// Elementary relations
// ---------------------------------------------------------------------------

/// Potts & Guy 1992 (*Pharm Res* 9:663–669) permeability, cm/h:
/// log kp = −2.7437 + 0.71·log Kow − 0.0061·MW, as coded in OSP `P_cap`
/// \[V\]. Domain: log Kow −3…+6, MW 18…~750 \[S\].
pub fn potts_guy_kp_cm_h(log_kow: f64, molecular_weight_da: f64) -> f64 {
    10f64.powf(-2.7437 + 0.71 * log_kow - POTTS_GUY_SIZE_PER_DA * molecular_weight_da)
}

/// The SC transfer parameter R = k_trans·l_x²/(δ·D_lip) as a function of MW
/// alone (OSP \[V\]; the ÷3 of partial hydration cancels).
fn transfer_r(molecular_weight_da: f64, hydration: ScHydration) -> f64 {
    let st = hydration.structure();
    k_trans_cm_s(molecular_weight_da, hydration) * st.l_x_cm.powi(2)
        / (LAMELLA_DELTA_CM * d_lip_cm2_s(molecular_weight_da, hydration))
}

/// Molecular weight at which R falls to 100, the edge of OSP's closed form
/// (R decreases monotonically with MW above ~60 Da): ~490 Da for both hydration
/// states \[D\]. Bisection on 100–5000 Da.
pub fn closed_form_edge_mw_da(hydration: ScHydration) -> f64 {
    let (mut lo, mut hi) = (100.0f64, 5000.0f64);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if transfer_r(mid, hydration) > R_THRESHOLD {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Where a permeant lies against the data the SC permeability rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DomainFlag {
    /// MW above the permeability data ([`DATA_MW_RANGE_DA`]): the SC value is the
    /// size-continued lipid pathway, an extrapolation.
    MolecularWeightAboveData,
    /// MW below 18 Da (smaller than water).
    MolecularWeightBelowData,
    /// log Kow outside the data ([`DATA_LOG_KOW_RANGE`]).
    LogKowOutsideData,
    /// MW or log Kow outside the model's range ([`MODEL_MW_RANGE_DA`],
    /// [`MODEL_LOG_KOW_RANGE`]).
    OutsideModelRange,
}

impl DomainFlag {
    /// Short stable code (summary.json).
    pub fn code(self) -> &'static str {
        match self {
            DomainFlag::MolecularWeightAboveData => "mw-above-data",
            DomainFlag::MolecularWeightBelowData => "mw-below-data",
            DomainFlag::LogKowOutsideData => "log-kow-outside-data",
            DomainFlag::OutsideModelRange => "outside-model-range",
        }
    }
}

/// The domain flags of a permeant (empty: inside the permeability data).
pub fn domain_flags(molecular_weight_da: f64, log_kow: f64) -> Vec<DomainFlag> {
    let mut f = Vec::new();
    if molecular_weight_da > DATA_MW_RANGE_DA.1 {
        f.push(DomainFlag::MolecularWeightAboveData);
    }
    if molecular_weight_da < DATA_MW_RANGE_DA.0 {
        f.push(DomainFlag::MolecularWeightBelowData);
    }
    if !(DATA_LOG_KOW_RANGE.0..=DATA_LOG_KOW_RANGE.1).contains(&log_kow) {
        f.push(DomainFlag::LogKowOutsideData);
    }
    if !(MODEL_MW_RANGE_DA.0..=MODEL_MW_RANGE_DA.1).contains(&molecular_weight_da)
        || !(MODEL_LOG_KOW_RANGE.0..=MODEL_LOG_KOW_RANGE.1).contains(&log_kow)
    {
        f.push(DomainFlag::OutsideModelRange);
    }
    f
}

/// The closed-form pieces of the SC model for one solute size.
struct ClosedForm {
    /// P_sc, cm/s.
    p_sc_cm_s: f64,
    p_hat: f64,
    d_lip: f64,
    k_trans: f64,
    d_cor: f64,
    k_cor_free: f64,
    r: f64,
    sigma: f64,
}

/// OSP's closed-form homogenised SC permeability (the \[V\] relations of
/// transport.md §1.2) for a solute of molecular weight `mw`, solute radius
/// `radius_nm`, aqueous diffusivity `d_aq` (cm²/s) and lipid partition `k_lip_eff`.
fn sc_closed_form(
    mw: f64,
    radius_nm: f64,
    d_aq: f64,
    k_lip_eff: f64,
    hydration: ScHydration,
    h_sc_cm: f64,
) -> ClosedForm {
    let st = hydration.structure();
    let d_lip = d_lip_cm2_s(mw, hydration);
    let k_trans = k_trans_cm_s(mw, hydration);
    let lambda = radius_nm * 10.0 / KERATIN_FIBRE_RADIUS_A;
    let phi_f_prime = st.phi_f * (1.0 + lambda).powi(2);
    let (d_cor, k_cor_free) = if phi_f_prime >= 1.0 {
        (0.0, 0.0)
    } else {
        let f_hydro = match hydration {
            ScHydration::Full => 0.9999 - 1.2762 * lambda + 0.0718 * lambda.powi(2) + 0.1195 * lambda.powi(3),
            ScHydration::Partial => 1.0001 - 2.4497 * lambda + 1.141 * lambda.powi(2) + 0.5432 * lambda.powi(3),
        }
        .clamp(0.0, 1.0);
        (d_aq * (1.0 - phi_f_prime) * f_hydro, 1.0 - phi_f_prime)
    };
    let r = k_trans * st.l_x_cm.powi(2) / (LAMELLA_DELTA_CM * d_lip);
    let corneocyte = d_cor * k_cor_free;
    let sigma = if corneocyte > 0.0 { d_lip * k_lip_eff / corneocyte } else { f64::INFINITY };
    let p_hat = st.p_hat_intercept + 1.0 / (st.p_hat_sigma_coef * sigma + st.p_hat_r_coef / r);
    ClosedForm { p_sc_cm_s: p_hat * d_lip * k_lip_eff / h_sc_cm, p_hat, d_lip, k_trans, d_cor, k_cor_free, r, sigma }
}

/// Henderson–Hasselbalch un-ionised fraction at `ph`
/// (acid: 1/(1 + 10^(pH − pKa)); base: 1/(1 + 10^(pKa − pH)); neutral: 1).
/// OSP computes f_non from the same Henderson–Hasselbalch terms \[V\].
pub fn unionised_fraction(ionisation: Ionisation, pka: Option<f64>, ph: f64) -> f64 {
    match (ionisation, pka) {
        (Ionisation::Neutral, _) | (_, None) => 1.0,
        (Ionisation::Acid, Some(pka)) => 1.0 / (1.0 + 10f64.powf(ph - pka)),
        (Ionisation::Base, Some(pka)) => 1.0 / (1.0 + 10f64.powf(pka - ph)),
    }
}

/// Free (unbound) aqueous diffusivity in viable epidermis and dermis,
/// D_free = 10^(−4.15 − 0.6555·log10 MW) cm²/s (OSP, Kretsos 2008 basis)
/// \[V\]. Returned in cm²/s.
pub fn d_free_cm2_s(molecular_weight_da: f64) -> f64 {
    10f64.powf(-4.15 - 0.6555 * molecular_weight_da.log10())
}

/// SC lipid diffusivity, D_lip = 1.24e-7·(100/MW)^2.43 + 2.34e-9 cm²/s,
/// ÷3 when partially hydrated (OSP; Wang–Kasting 2007 equivalent form
/// 8.98e-3·MW^−2.43 + 2.34e-9 \[S\]) \[V\]. cm²/s.
pub fn d_lip_cm2_s(molecular_weight_da: f64, hydration: ScHydration) -> f64 {
    let d = 1.24e-7 * (100.0 / molecular_weight_da).powf(2.43) + 2.34e-9;
    d / hydration.structure().lipid_divisor
}

/// Trans-bilayer mass-transfer coefficient,
/// log10 k_trans [cm/s] = −0.570 − 0.840·MW^(1/3), ÷3 when partially
/// hydrated (OSP) \[V\]. The skindiff card's Wang 2006 variant
/// (−0.725 − 0.792·MW^(1/3)) \[S\] is not used (see docs/models.md §5).
pub fn k_trans_cm_s(molecular_weight_da: f64, hydration: ScHydration) -> f64 {
    10f64.powf(-0.570 - 0.840 * molecular_weight_da.cbrt()) / hydration.structure().lipid_divisor
}

/// Aqueous diffusivity from the Schroeder molar volume V_A (OSP) \[V\]:
/// D_aq = 1.92e-4·V_A^−0.6 cm²/s for V_A < 445.2 cm³/mol, otherwise
/// 3.78e-5·V_A^−1/3. Returned in cm²/s.
pub fn d_aq_from_molar_volume_cm2_s(v_a_cm3_mol: f64) -> f64 {
    if v_a_cm3_mol < 445.2 { 1.92e-4 * v_a_cm3_mol.powf(-0.6) } else { 3.78e-5 * v_a_cm3_mol.powf(-1.0 / 3.0) }
}

/// Solute radius from V_A (OSP) \[V\]: a_s \[Å\] = 0.145·V_A^0.6 for
/// V_A < 445.2, otherwise 0.735·V_A^(1/3). Returned in nm.
pub fn solute_radius_from_molar_volume_nm(v_a_cm3_mol: f64) -> f64 {
    let a_angstrom = if v_a_cm3_mol < 445.2 { 0.145 * v_a_cm3_mol.powf(0.6) } else { 0.735 * v_a_cm3_mol.cbrt() };
    a_angstrom / 10.0
}

/// Dynamic viscosity of water, Pa·s, Vogel-type correlation
/// η = 2.414e-5·10^(247.8/(T − 140)) (T in K) [A: standard engineering
/// correlation, cited by us; gives 0.891 mPa·s at 25 °C, matching the
/// 0.89 mPa·s in transport.md §4 \[S\]].
pub fn water_viscosity_pa_s(temperature_c: f64) -> f64 {
    let t = temperature_c + 273.15;
    2.414e-5 * 10f64.powf(247.8 / (t - 140.0))
}

/// Stokes–Einstein diffusivity D = k_B·T/(6π·η·r) in water, cm²/s
/// (transport.md §4 \[V\] for the formula).
pub fn stokes_einstein_cm2_s(radius_nm: f64, temperature_c: f64) -> f64 {
    let t = temperature_c + 273.15;
    let d_m2_s =
        K_BOLTZMANN * t / (6.0 * std::f64::consts::PI * water_viscosity_pa_s(temperature_c) * radius_nm * 1e-9);
    d_m2_s * 1e4
}

/// Protein hydrodynamic radius, Wilkins et al. 1999: R_h \[Å\] = 4.75·N^0.29,
/// N = MW/110 Da (transport.md §4, \[S\]). Returned in nm.
pub fn wilkins_radius_nm(molecular_weight_da: f64) -> f64 {
    4.75 * (molecular_weight_da / 110.0).powf(0.29) / 10.0
}

/// Viscometric (equivalent-sphere) radius of a polymer coil from its
/// intrinsic viscosity: R_η = (3·\[η\]·M / (10·π·N_A))^(1/3) (Einstein
/// viscosity relation; standard polymer physics, cited by us \[A\]).
/// `intrinsic_viscosity_m3_kg` in m³/kg, M in g/mol; returns nm.
pub fn viscometric_radius_nm(intrinsic_viscosity_m3_kg: f64, molecular_weight_da: f64) -> f64 {
    // [η] m³/kg → cm³/g: ×1000.
    let eta_cm3_g = intrinsic_viscosity_m3_kg * 1000.0;
    let v_cm3 = 3.0 * eta_cm3_g * molecular_weight_da / (10.0 * std::f64::consts::PI * N_AVOGADRO);
    v_cm3.cbrt() * 1e7
}

/// Renkin 1954 hindrance for a sphere in a cylindrical pore (partition and
/// hydrodynamic drag combined):
/// D/D0 = (1−λ)²·(1 − 2.104λ + 2.09λ³ − 0.95λ⁵), λ = a_s / r_pore
/// (transport.md §4: formula \[V\], citation \[M\]).
///
/// Returns a value in [0, 1]: 1 at λ = 0, 0 for λ ≥ 1. Invalid input
/// (non-finite, negative solute radius, non-positive pore radius) returns
/// 0.0 — use [`checked_hindrance_renkin`] to get an error instead.
pub fn hindrance_renkin(solute_radius_nm: f64, pore_radius_nm: f64) -> f64 {
    checked_hindrance_renkin(solute_radius_nm, pore_radius_nm).unwrap_or(0.0)
}

/// [`hindrance_renkin`] with input checking.
pub fn checked_hindrance_renkin(solute_radius_nm: f64, pore_radius_nm: f64) -> Result<f64, PropsError> {
    check_range("solute_radius_nm", solute_radius_nm, 0.0, f64::MAX, true, "finite, >= 0 nm")?;
    check_range("pore_radius_nm", pore_radius_nm, 0.0, f64::MAX, false, "finite, > 0 nm")?;
    let l = solute_radius_nm / pore_radius_nm;
    if l >= 1.0 {
        return Ok(0.0);
    }
    let h = (1.0 - l).powi(2) * (1.0 - 2.104 * l + 2.09 * l.powi(3) - 0.95 * l.powi(5));
    Ok(h.clamp(0.0, 1.0))
}

// ---------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------

/// Coefficients with the default [`PropsOptions`].
///
/// `sc_thickness_um` only sets the reported [`Coefficients::sc_permeability_cm_h`]
/// (D_sc itself is thickness-independent); use
/// [`ScHydration::default_thickness_um`] for OSP's values. `in_vivo = false`
/// models a Franz cell: no dermal clearance.
pub fn coefficients(
    p: &Permeant,
    hydration: ScHydration,
    sc_thickness_um: f64,
    in_vivo: bool,
) -> Result<Coefficients, PropsError> {
    coefficients_with(p, hydration, sc_thickness_um, in_vivo, &PropsOptions::default())
}

/// Coefficients with explicit options. See the module docs and
/// docs/models.md §5 for every relation.
pub fn coefficients_with(
    p: &Permeant,
    hydration: ScHydration,
    sc_thickness_um: f64,
    in_vivo: bool,
    opts: &PropsOptions,
) -> Result<Coefficients, PropsError> {
    p.validate()?;
    check_range("sc_thickness_um", sc_thickness_um, 0.0, 1000.0, false, "0 < h_sc <= 1000 um")?;
    check_range("temperature_c", opts.temperature_c, 0.0, 60.0, true, "0 <= T <= 60 degC")?;

    let mut warnings = Vec::new();
    let mw = p.molecular_weight_da;
    let kow = 10f64.powf(p.log_kow);
    let h_sc_cm = sc_thickness_um * UM_TO_CM;
    let st = hydration.structure();
    let macromolecule = mw > MACROMOLECULE_MW_DA;

    let domain = domain_flags(mw, p.log_kow);
    if !domain.is_empty() {
        let beyond = if domain.contains(&DomainFlag::OutsideModelRange) {
            format!(
                "; also beyond the model's range ({}-{} Da, log Kow {}..{})",
                MODEL_MW_RANGE_DA.0, MODEL_MW_RANGE_DA.1, MODEL_LOG_KOW_RANGE.0, MODEL_LOG_KOW_RANGE.1
            )
        } else {
            String::new()
        };
        warnings.push(format!(
            "outside the permeability data (MW {}-{} Da, log Kow {}..{}): MW = {mw} Da, log Kow = {}; the intact-skin \
             permeability is an extrapolation{beyond}",
            DATA_MW_RANGE_DA.0, DATA_MW_RANGE_DA.1, DATA_LOG_KOW_RANGE.0, DATA_LOG_KOW_RANGE.1, p.log_kow
        ));
    }

    // --- ionisation -------------------------------------------------------
    let ph_v = p.vehicle_ph.unwrap_or(DEFAULT_VEHICLE_PH);
    if p.vehicle_ph.is_none() && p.ionisation != Ionisation::Neutral {
        warnings.push(format!("vehicle pH unknown: assumed {DEFAULT_VEHICLE_PH} for the un-ionised fraction"));
    }
    let f_non_v = unionised_fraction(p.ionisation, p.pka, ph_v);
    let f_non_t = unionised_fraction(p.ionisation, p.pka, TISSUE_PH);

    // --- molar volume, radius, aqueous diffusivity --------------------------
    let v_a = match p.molar_volume_cm3_mol {
        Some(v) => v,
        None => {
            let v = mw / ASSUMED_SOLUTE_DENSITY_G_CM3;
            if p.hydrodynamic_radius_nm.is_none() {
                warnings.push(format!(
                    "molar volume estimated as MW/rho = {v:.0} cm3/mol (rho = 1.0 g/cm3 assumed; \
                     error -3..+7 % on the reference solutes)"
                ));
            }
            v
        }
    };
    let radius_nm = match p.hydrodynamic_radius_nm {
        Some(r) => r,
        None if macromolecule => {
            let r = wilkins_radius_nm(mw);
            warnings
                .push(format!("macromolecule without hydrodynamic radius: Wilkins 1999 protein R_h = {r:.2} nm used"));
            r
        }
        None => solute_radius_from_molar_volume_nm(v_a),
    };
    let d_aq = if p.hydrodynamic_radius_nm.is_some() || macromolecule {
        stokes_einstein_cm2_s(radius_nm, opts.temperature_c)
    } else {
        d_aq_from_molar_volume_cm2_s(v_a)
    };

    // --- stratum corneum (OSP / Dancik 2013, [V]) ---------------------------
    let k_lip = 0.43 * kow.powf(0.81);
    let k_lip_eff = f_non_v * k_lip;
    let pc_pro = 5.4 * kow.powf(0.27);
    let k_cor = (pc_pro * W_PRO + st.nu) / (W_PRO * RHO_W / RHO_PRO + st.nu);
    let mut k_sc = (1.0 - st.phi_cor) * k_lip_eff + st.phi_cor * k_cor;
    let mut capped = false;
    if let Some(sw) = p.water_solubility_g_l {
        let cap = ASSUMED_SOLUTE_DENSITY_G_CM3 / (sw / 1000.0);
        if k_sc > cap {
            k_sc = cap;
            capped = true;
            warnings.push(format!("K_sc capped at rho/S_w = {cap:.3e} (rho = 1.0 g/cm3 assumed)"));
        }
    }
    let cf = sc_closed_form(mw, radius_nm, d_aq, k_lip_eff, hydration, h_sc_cm);
    let ClosedForm { p_sc_cm_s: p_closed, p_hat: p_hat_closed, d_lip, k_trans, d_cor, k_cor_free, r, sigma } = cf;
    let pg_kp = potts_guy_kp_cm_h(p.log_kow, mw);

    let (p_sc_cm_s, p_hat, regime) = if r > R_THRESHOLD {
        (p_closed, p_hat_closed, ScRegime::Homogenised)
    } else {
        match opts.low_r {
            LowRPolicy::SizeContinued => {
                // the closed form at the edge size, for this permeant's lipophilicity; the edge
                // solute's molar volume keeps this permeant's density (v_a scaled by MW_e/MW)
                let mw_e = closed_form_edge_mw_da(hydration);
                let v_e = v_a * mw_e / mw;
                let p_edge = sc_closed_form(
                    mw_e,
                    solute_radius_from_molar_volume_nm(v_e),
                    d_aq_from_molar_volume_cm2_s(v_e),
                    k_lip_eff,
                    hydration,
                    h_sc_cm,
                )
                .p_sc_cm_s;
                let p = p_edge * 10f64.powf(-POTTS_GUY_SIZE_PER_DA * (mw - mw_e));
                warnings.push(format!(
                    "R = {r:.3} <= 100: stratum corneum permeability continued from the closed form's edge \
                     ({mw_e:.0} Da) with the Potts-Guy size term (OSP's R <= 100 polynomial not available)"
                ));
                (p, p * h_sc_cm / (d_lip * k_lip_eff), ScRegime::SizeContinued)
            }
            LowRPolicy::ExtrapolateHighR => {
                warnings.push(format!(
                    "R = {r:.3} <= 100: OSP polynomial not available; R > 100 closed form \
                     extrapolated (probably an upper bound on P_sc; c00 = {} at sigma = R = 1)",
                    st.c00
                ));
                (p_closed, p_hat_closed, ScRegime::LowRExtrapolated)
            }
            LowRPolicy::PottsGuy => {
                warnings.push(format!("R = {r:.3} <= 100: Potts-Guy kp x f_non used for P_sc"));
                let p = pg_kp * f_non_v / S_PER_H;
                (p, p * h_sc_cm / (d_lip * k_lip_eff), ScRegime::LowRPottsGuy)
            }
        }
    };
    let d_sc = p_sc_cm_s * h_sc_cm / k_sc;

    // --- viable epidermis and dermis (OSP / Dancik 2013 / Kretsos 2008) -----
    let log_d = p.log_kow + f_non_t.log10();
    let (a, b) = p.binding_class_or_default().coefficients();
    // OSP literally codes EXP(1)^logD (open question: 10^logD intended?).
    let x = a * log_d.exp();
    // Macromolecules: the albumin-binding correlation (fitted on small
    // drugs) does not apply; no binding assumed [A].
    let fu = if macromolecule { 1.0 } else { 1.0 - (x + b) / (x + 1.0 + b) };
    let binding_factor = (1.0 - PHI_A) + PHI_A / fu + PHI_LIP * f_non_t * kow;
    let k_free_part = match opts.tissue_partition {
        TissuePartition::TotalAqueous => PHI_AQ,
        TissuePartition::OspNeutralReference => PHI_AQ / f_non_t,
    };
    let k_tissue = k_free_part * binding_factor;
    let d_free = d_free_cm2_s(mw);
    let d_tissue = (d_free + PHI_A * D_BOUND_CM2_S * (1.0 - fu) / fu) / binding_factor;
    if macromolecule {
        warnings.push(
            "macromolecule: no albumin binding (fu = 1); D_free correlation (OSP) extrapolated \
             beyond its fitted range; capillary clearance ~0, lymphatic clearance not modelled"
                .to_string(),
        );
    }

    // --- dermal clearance (OSP, [V]) ----------------------------------------
    let p_cap = CAPILLARY_MULTIPLIER * pg_kp / S_PER_H; // cm/s
    let ps = p_cap * CAPILLARY_S_PER_CM; // 1/s
    // Macromolecules: Potts–Guy (hence P_cap) is meaningless far outside its
    // domain; capillary clearance set to 0 [A].
    let k_free = if ps > 0.0 && !macromolecule { ps * CLEARANCE_Q_PER_S / (ps + CLEARANCE_Q_PER_S) } else { 0.0 };
    let k_de = if in_vivo { k_free / binding_factor } else { 0.0 };

    Ok(Coefficients {
        stratum_corneum: LayerCoefficients {
            diffusivity_um2_s: d_sc * CM2_TO_UM2,
            partition: k_sc,
            clearance_per_s: 0.0,
        },
        viable_epidermis: LayerCoefficients {
            diffusivity_um2_s: d_tissue * CM2_TO_UM2,
            partition: k_tissue,
            clearance_per_s: 0.0,
        },
        dermis: LayerCoefficients {
            diffusivity_um2_s: d_tissue * CM2_TO_UM2,
            partition: k_tissue,
            clearance_per_s: k_de,
        },
        channel_fluid_diffusivity_um2_s: d_aq * CM2_TO_UM2,
        unionised_fraction_vehicle: f_non_v,
        potts_guy_kp_cm_h: pg_kp,
        solute_radius_nm: radius_nm,
        unionised_fraction_tissue: f_non_t,
        sc_permeability_cm_h: p_sc_cm_s * S_PER_H,
        sc_regime: regime,
        sc_detail: ScDetail {
            k_lip,
            pc_pro,
            k_cor,
            d_lip_cm2_s: d_lip,
            k_trans_cm_s: k_trans,
            d_cor_cm2_s: d_cor,
            k_cor_free,
            r,
            sigma,
            p_hat,
            capped_by_solubility: capped,
        },
        tissue_detail: TissueDetail {
            log_d_7_4: log_d,
            fu,
            binding_factor,
            d_free_cm2_s: d_free,
            k_free_per_s: k_free,
        },
        molar_volume_cm3_mol: v_a,
        domain,
        warnings,
    })
}

// ---------------------------------------------------------------------------
// Steady-state permeability (resistances in series)
// ---------------------------------------------------------------------------

/// Steady-state permeabilities of the three layers and overall, cm/h.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SteadyPermeability {
    /// P_sc = D_sc·K_sc/h_sc.
    pub p_sc_cm_h: f64,
    /// P_ed = D_ed·K_ed/h_ed.
    pub p_ve_cm_h: f64,
    /// P_de: D·K/h (no clearance) or K·√(k·D)/tanh(h·√(k/D)) (clearance k).
    pub p_de_cm_h: f64,
    /// kp = 1/(1/P_sc + 1/P_ed + 1/P_de); 0 if any layer is impermeable.
    pub kp_cm_h: f64,
}

/// Layer permeabilities and the overall steady permeability of SC + VE +
/// dermis as resistances in series (OSP / Dancik 2013 \[V\]):
/// kp = 1/(1/P_sc + 1/P_ed + 1/P_de).
///
/// The dermis term uses the coefficients' clearance: with k = 0 (in vitro,
/// Franz cell, sink at the base) P_de = D·K/h; with k > 0 (in vivo)
/// P_de = K·√(k·D)/tanh(h·√(k/D)), the OSP form \[V\] (which tends to D·K/h
/// as k → 0). Note: this form is the flux for a dermis with clearance *and*
/// a zero-concentration base; a no-flux base would give K·√(kD)·tanh(·)
/// (see docs/models.md §5). Thicknesses in µm.
pub fn steady_permeability(
    c: &Coefficients,
    sc_thickness_um: f64,
    ve_thickness_um: f64,
    dermis_thickness_um: f64,
) -> Result<SteadyPermeability, PropsError> {
    let allowed = "0 < h <= 1e5 um";
    let h_sc = check_range("sc_thickness_um", sc_thickness_um, 0.0, 1e5, false, allowed)? * UM_TO_CM;
    let h_ve = check_range("ve_thickness_um", ve_thickness_um, 0.0, 1e5, false, allowed)? * UM_TO_CM;
    let h_de = check_range("dermis_thickness_um", dermis_thickness_um, 0.0, 1e5, false, allowed)? * UM_TO_CM;
    let layer = |l: &LayerCoefficients, h: f64| l.diffusivity_um2_s / CM2_TO_UM2 * l.partition / h;
    let p_sc = layer(&c.stratum_corneum, h_sc);
    let p_ve = layer(&c.viable_epidermis, h_ve);
    let de = &c.dermis;
    let d_de = de.diffusivity_um2_s / CM2_TO_UM2;
    let k = de.clearance_per_s;
    let p_de = if k > 0.0 && d_de > 0.0 {
        de.partition * (k * d_de).sqrt() / (h_de * (k / d_de).sqrt()).tanh()
    } else {
        layer(de, h_de)
    };
    let kp = if p_sc > 0.0 && p_ve > 0.0 && p_de > 0.0 { 1.0 / (1.0 / p_sc + 1.0 / p_ve + 1.0 / p_de) } else { 0.0 };
    Ok(SteadyPermeability {
        p_sc_cm_h: p_sc * S_PER_H,
        p_ve_cm_h: p_ve * S_PER_H,
        p_de_cm_h: p_de * S_PER_H,
        kp_cm_h: kp * S_PER_H,
    })
}

/// Overall steady permeability kp (cm/h) of SC + VE + dermis; see
/// [`steady_permeability`].
pub fn kp_steady_cm_h(
    c: &Coefficients,
    sc_thickness_um: f64,
    ve_thickness_um: f64,
    dermis_thickness_um: f64,
) -> Result<f64, PropsError> {
    steady_permeability(c, sc_thickness_um, ve_thickness_um, dermis_thickness_um).map(|s| s.kp_cm_h)
}

#[cfg(test)]
mod tests;
