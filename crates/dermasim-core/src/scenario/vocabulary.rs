//! The scenario's vocabulary as enumerations: the device type and cartridge presets, and the
//! screening vocabulary (the patient's conditions, the numbing creams and the ingredient classes
//! of a product). The skin's mounting is [`crate::skin::Mounting`].
//!
//! A scenario names them as strings (`patient.conditions`, `protocol.numbing.cream`,
//! `products[i].contains`); validation turns each into its enum or refuses it with the allowed
//! names (exit code 2 in the CLI). The JSON Schema lists the canonical names. A small set of
//! documented aliases is accepted too (e.g. "pregnant" for `pregnancy`, "accutane" for
//! `isotretinoin`), compared after [`normalise`]: lower case, `_` and spaces become `-`, one
//! trailing full stop dropped. Anything else (a typo, a free-text note such as "pregnancy (12
//! weeks)") is refused: a screening tool must not guess what an unknown word means.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Normalises a name for comparison: trimmed, lower case, `_` and spaces turned into `-`, one
/// trailing `.` dropped.
pub fn normalise(s: &str) -> String {
    let t = s.trim();
    let t = t.strip_suffix('.').unwrap_or(t).trim();
    t.to_ascii_lowercase().replace(['_', ' '], "-")
}

/// A vocabulary: every value with its canonical name and aliases.
pub trait Vocabulary: Copy + Sized + 'static {
    /// Every value, in schema order.
    const ALL: &'static [Self];
    /// The canonical name (as in the JSON Schema).
    fn name(self) -> &'static str;
    /// Further accepted names (already normalised).
    fn aliases(self) -> &'static [&'static str] {
        &[]
    }
    /// The value a name means (canonical or alias, after [`normalise`]), if any.
    fn parse(s: &str) -> Option<Self> {
        let n = normalise(s);
        Self::ALL.iter().copied().find(|v| v.name() == n || v.aliases().contains(&n.as_str()))
    }
    /// The canonical names, comma-separated (for error messages).
    fn allowed() -> String {
        Self::ALL.iter().map(|v| v.name()).collect::<Vec<_>>().join(", ")
    }
}

/// A condition of the patient that the safety screen weighs (`patient.conditions`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Condition {
    /// Active acne (papules, pustules) in the treated area.
    ActiveAcne,
    /// Rosacea.
    Rosacea,
    /// Eczema or dermatitis (atopic, contact).
    Eczema,
    /// Psoriasis.
    Psoriasis,
    /// Inflamed, irritated or sunburnt skin, or open wounds.
    InflamedSkin,
    /// Active herpes (cold sore) or another skin infection (impetigo, warts).
    SkinInfection,
    /// A history of cold sores (herpes simplex) in or near the treated area, not active now.
    HerpesHistory,
    /// A history of keloid or hypertrophic scarring.
    KeloidTendency,
    /// Isotretinoin (Accutane, Roaccutane) taken now or in the last 6 months.
    Isotretinoin,
    /// A bleeding disorder (haemophilia, von Willebrand disease, thrombocytopenia).
    BleedingDisorder,
    /// Anticoagulant or antiplatelet medicine (warfarin, heparin, DOACs, aspirin).
    Anticoagulants,
    /// Pregnancy.
    Pregnancy,
    /// Breastfeeding.
    Breastfeeding,
    /// Immunosuppression, cancer or its treatment (chemo- or radiotherapy).
    Immunosuppression,
    /// Diabetes that is not under control.
    UncontrolledDiabetes,
    /// Raised moles, actinic keratoses or other lesions in the area.
    RaisedLesions,
    /// A peel, filler or laser treatment of the area in the last weeks.
    RecentProcedure,
    /// Photosensitivity or lupus erythematosus.
    Photosensitivity,
    /// Melasma or a history of post-inflammatory hyperpigmentation.
    PigmentationHistory,
    /// Sensitive skin.
    SensitiveSkin,
}

impl Vocabulary for Condition {
    const ALL: &'static [Condition] = &[
        Condition::ActiveAcne,
        Condition::Rosacea,
        Condition::Eczema,
        Condition::Psoriasis,
        Condition::InflamedSkin,
        Condition::SkinInfection,
        Condition::HerpesHistory,
        Condition::KeloidTendency,
        Condition::Isotretinoin,
        Condition::BleedingDisorder,
        Condition::Anticoagulants,
        Condition::Pregnancy,
        Condition::Breastfeeding,
        Condition::Immunosuppression,
        Condition::UncontrolledDiabetes,
        Condition::RaisedLesions,
        Condition::RecentProcedure,
        Condition::Photosensitivity,
        Condition::PigmentationHistory,
        Condition::SensitiveSkin,
    ];

    fn name(self) -> &'static str {
        match self {
            Condition::ActiveAcne => "active-acne",
            Condition::Rosacea => "rosacea",
            Condition::Eczema => "eczema",
            Condition::Psoriasis => "psoriasis",
            Condition::InflamedSkin => "inflamed-skin",
            Condition::SkinInfection => "skin-infection",
            Condition::HerpesHistory => "herpes-history",
            Condition::KeloidTendency => "keloid-tendency",
            Condition::Isotretinoin => "isotretinoin",
            Condition::BleedingDisorder => "bleeding-disorder",
            Condition::Anticoagulants => "anticoagulants",
            Condition::Pregnancy => "pregnancy",
            Condition::Breastfeeding => "breastfeeding",
            Condition::Immunosuppression => "immunosuppression",
            Condition::UncontrolledDiabetes => "uncontrolled-diabetes",
            Condition::RaisedLesions => "raised-lesions",
            Condition::RecentProcedure => "recent-procedure",
            Condition::Photosensitivity => "photosensitivity",
            Condition::PigmentationHistory => "pigmentation-history",
            Condition::SensitiveSkin => "sensitive-skin",
        }
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            Condition::ActiveAcne => &["acne", "acne-vulgaris", "pimples", "pustules"],
            Condition::Rosacea => &[],
            Condition::Eczema => &["active-eczema", "atopic-dermatitis", "dermatitis", "contact-dermatitis"],
            Condition::Psoriasis => &[],
            Condition::InflamedSkin => {
                &["inflamed", "irritated", "irritated-skin", "sunburn", "sunburnt", "sunburned", "open-wounds"]
            }
            Condition::SkinInfection => {
                &["herpes", "active-herpes", "cold-sore", "infection", "active-infection", "impetigo", "warts"]
            }
            Condition::HerpesHistory => &["cold-sore-history", "herpes-simplex-history", "hsv-history"],
            Condition::KeloidTendency => {
                &["keloid", "keloids", "keloid-history", "keloid-scars", "hypertrophic-scarring", "hypertrophic-scars"]
            }
            Condition::Isotretinoin => &["accutane", "roaccutane", "recent-isotretinoin"],
            Condition::BleedingDisorder => &["haemophilia", "hemophilia", "von-willebrand", "thrombocytopenia"],
            Condition::Anticoagulants => {
                &["anticoagulant", "blood-thinners", "warfarin", "heparin", "doac", "antiplatelets"]
            }
            Condition::Pregnancy => &["pregnant"],
            Condition::Breastfeeding => &["lactation", "nursing"],
            Condition::Immunosuppression => {
                &["immunosuppressed", "chemotherapy", "radiotherapy", "cancer-treatment", "malignancy", "skin-cancer"]
            }
            Condition::UncontrolledDiabetes => &["diabetes-uncontrolled"],
            Condition::RaisedLesions => &["raised-moles", "moles", "actinic-keratosis", "actinic-keratoses"],
            Condition::RecentProcedure => &["recent-peel", "recent-filler", "recent-laser"],
            Condition::Photosensitivity => &["lupus", "sle"],
            Condition::PigmentationHistory => &["melasma", "pih", "post-inflammatory-hyperpigmentation"],
            Condition::SensitiveSkin => &["sensitive"],
        }
    }
}

/// A numbing (topical anaesthetic) cream (`protocol.numbing.cream`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NumbingCream {
    /// No cream.
    None,
    /// EMLA: lidocaine 2.5 % + prilocaine 2.5 % (eutectic mixture).
    Emla,
    /// Lidocaine 4 % in a liposomal vehicle (LMX4).
    #[serde(rename = "lidocaine-4-liposomal")]
    Lidocaine4Liposomal,
    /// Lidocaine 4 % in a plain cream base.
    #[serde(rename = "lidocaine-4")]
    Lidocaine4,
    /// Lidocaine 5 % in a plain cream or ointment base.
    #[serde(rename = "lidocaine-5")]
    Lidocaine5,
    /// Lidocaine 7 % in a plain cream base (compounded or prescription strengths).
    #[serde(rename = "lidocaine-7")]
    Lidocaine7,
}

impl Vocabulary for NumbingCream {
    const ALL: &'static [NumbingCream] = &[
        NumbingCream::None,
        NumbingCream::Emla,
        NumbingCream::Lidocaine4Liposomal,
        NumbingCream::Lidocaine4,
        NumbingCream::Lidocaine5,
        NumbingCream::Lidocaine7,
    ];

    fn name(self) -> &'static str {
        match self {
            NumbingCream::None => "none",
            NumbingCream::Emla => "emla",
            NumbingCream::Lidocaine4Liposomal => "lidocaine-4-liposomal",
            NumbingCream::Lidocaine4 => "lidocaine-4",
            NumbingCream::Lidocaine5 => "lidocaine-5",
            NumbingCream::Lidocaine7 => "lidocaine-7",
        }
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            NumbingCream::Emla => &["lidocaine-prilocaine", "eutectic-lidocaine-prilocaine"],
            NumbingCream::Lidocaine4Liposomal => &["lmx4", "lmx-4"],
            _ => &[],
        }
    }
}

/// The kind of device (`device.type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DeviceType {
    /// A hand-rolled drum of needles.
    Dermaroller,
    /// A motorised pen with a needle cartridge.
    Dermapen,
    /// A hand-pressed needle array.
    Stamp,
}

impl Vocabulary for DeviceType {
    const ALL: &'static [DeviceType] = &[DeviceType::Dermaroller, DeviceType::Dermapen, DeviceType::Stamp];

    fn name(self) -> &'static str {
        match self {
            DeviceType::Dermaroller => "dermaroller",
            DeviceType::Dermapen => "dermapen",
            DeviceType::Stamp => "stamp",
        }
    }
}

/// A pen cartridge or stamp array preset (`device.cartridge`, `device.array` as a name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum CartridgePreset {
    /// 12 needles (3 × 4).
    #[serde(rename = "12")]
    Needles12,
    /// 36 needles (6 × 6).
    #[serde(rename = "36")]
    Needles36,
}

impl Vocabulary for CartridgePreset {
    const ALL: &'static [CartridgePreset] = &[CartridgePreset::Needles12, CartridgePreset::Needles36];

    fn name(self) -> &'static str {
        match self {
            CartridgePreset::Needles12 => "12",
            CartridgePreset::Needles36 => "36",
        }
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            CartridgePreset::Needles12 => &["12-needle"],
            CartridgePreset::Needles36 => &["36-needle"],
        }
    }
}

/// An ingredient class in a product (`products[i].contains`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Ingredient {
    /// Fragrance, perfume or essential oils.
    Fragrance,
    /// Exfoliating acids (AHA, BHA: glycolic, lactic, salicylic acid).
    ExfoliatingAcid,
    /// Retinoids (retinol, retinal, tretinoin, adapalene, tazarotene).
    Retinoid,
    /// Vitamin C (L-ascorbic acid and its esters).
    VitaminC,
    /// A non-steroidal anti-inflammatory (diclofenac).
    Nsaid,
    /// Hyaluronic acid or sodium hyaluronate.
    HyaluronicAcid,
    /// Peptides.
    Peptides,
    /// Growth factors or platelet-rich plasma.
    GrowthFactors,
    /// Niacinamide.
    Niacinamide,
    /// Panthenol, ceramides and similar barrier-repair agents.
    BarrierRepair,
    /// Humectants and emollients (glycerin, squalane).
    Moisturiser,
    /// Preservatives.
    Preservative,
    /// Water or saline.
    Water,
}

impl Vocabulary for Ingredient {
    const ALL: &'static [Ingredient] = &[
        Ingredient::Fragrance,
        Ingredient::ExfoliatingAcid,
        Ingredient::Retinoid,
        Ingredient::VitaminC,
        Ingredient::Nsaid,
        Ingredient::HyaluronicAcid,
        Ingredient::Peptides,
        Ingredient::GrowthFactors,
        Ingredient::Niacinamide,
        Ingredient::BarrierRepair,
        Ingredient::Moisturiser,
        Ingredient::Preservative,
        Ingredient::Water,
    ];

    fn name(self) -> &'static str {
        match self {
            Ingredient::Fragrance => "fragrance",
            Ingredient::ExfoliatingAcid => "exfoliating-acid",
            Ingredient::Retinoid => "retinoid",
            Ingredient::VitaminC => "vitamin-c",
            Ingredient::Nsaid => "nsaid",
            Ingredient::HyaluronicAcid => "hyaluronic-acid",
            Ingredient::Peptides => "peptides",
            Ingredient::GrowthFactors => "growth-factors",
            Ingredient::Niacinamide => "niacinamide",
            Ingredient::BarrierRepair => "barrier-repair",
            Ingredient::Moisturiser => "moisturiser",
            Ingredient::Preservative => "preservative",
            Ingredient::Water => "water",
        }
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            Ingredient::Fragrance => &["fragrances", "perfume", "parfum", "essential-oil", "essential-oils"],
            Ingredient::ExfoliatingAcid => {
                &["acid", "acids", "aha", "bha", "glycolic-acid", "salicylic-acid", "lactic-acid", "exfoliating-acids"]
            }
            Ingredient::Retinoid => &["retinoids", "retinol", "retinal", "tretinoin", "adapalene", "tazarotene"],
            Ingredient::VitaminC => &["ascorbic-acid", "l-ascorbic-acid", "vit-c", "ascorbyl-glucoside"],
            Ingredient::Nsaid => &["diclofenac", "nsaids"],
            Ingredient::HyaluronicAcid => &["sodium-hyaluronate", "hyaluronan"],
            Ingredient::Peptides => &["peptide"],
            Ingredient::GrowthFactors => &["growth-factor", "prp", "platelet-rich-plasma"],
            Ingredient::Niacinamide => &["nicotinamide"],
            Ingredient::BarrierRepair => &["panthenol", "ceramides", "ceramide"],
            Ingredient::Moisturiser => &["moisturizer", "glycerin", "glycerol", "squalane", "humectant", "emollient"],
            Ingredient::Preservative => &["preservatives"],
            Ingredient::Water => &["saline", "aqua"],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names<V: Vocabulary>() -> Vec<String> {
        V::ALL
            .iter()
            .flat_map(|v| std::iter::once(v.name()).chain(v.aliases().iter().copied()))
            .map(String::from)
            .collect()
    }

    fn no_name_twice<V: Vocabulary>() {
        let all = names::<V>();
        for (i, n) in all.iter().enumerate() {
            assert!(!all[i + 1..].contains(n), "{n} is listed twice");
            assert_eq!(&normalise(n), n, "{n} is not in normal form");
        }
    }

    #[test]
    fn every_name_is_unique_and_normalised() {
        no_name_twice::<Condition>();
        no_name_twice::<NumbingCream>();
        no_name_twice::<Ingredient>();
    }

    #[test]
    fn canonical_names_match_serde() {
        for c in Condition::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.name());
        }
        for c in NumbingCream::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.name());
        }
        for c in Ingredient::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.name());
        }
    }

    #[test]
    fn natural_spellings_map_or_are_refused() {
        assert_eq!(Condition::parse("Pregnant."), Some(Condition::Pregnancy));
        assert_eq!(Condition::parse("Active_Acne"), Some(Condition::ActiveAcne));
        assert_eq!(Condition::parse("keloid scars"), Some(Condition::KeloidTendency));
        for bad in ["pregancy", "pregnancy (12 weeks)", "isotretinoin (stopped 2 months ago)", "freckles", ""] {
            assert_eq!(Condition::parse(bad), None, "{bad}");
        }
        assert_eq!(NumbingCream::parse("LMX4"), Some(NumbingCream::Lidocaine4Liposomal));
        assert_eq!(Ingredient::parse("Vitamin C"), Some(Ingredient::VitaminC));
        assert!(Condition::allowed().starts_with("active-acne, rosacea"));
    }
}
