//! The patient and the indication: who is treated and for what.
//!
//! One `[patient]` block, shared by the outcome model (age, phototype, baseline severity and
//! scar types change the response) and the safety screen (phototype, history). The indication
//! lives in `[protocol]`, because it is what the series is for; each indication reports on its
//! own clinical scale.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::vocabulary::Condition;

/// What the series treats; sets the outcome scale.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Indication {
    /// Atrophic acne scars.
    #[default]
    AcneScars,
    /// Photo-ageing, fine lines and texture.
    Rejuvenation,
    /// Stretch marks (striae distensae).
    Striae,
}

impl Indication {
    /// Every indication, in the order the schema lists them.
    pub const ALL: [Indication; 3] = [Indication::AcneScars, Indication::Rejuvenation, Indication::Striae];

    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Indication::AcneScars => "acne-scars",
            Indication::Rejuvenation => "rejuvenation",
            Indication::Striae => "striae",
        }
    }
}

/// Fitzpatrick skin phototype (Fitzpatrick 1988, Arch Dermatol 124:869).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema)]
pub enum Phototype {
    /// Always burns, never tans.
    I,
    /// Usually burns, tans minimally.
    II,
    /// Sometimes burns, tans uniformly.
    III,
    /// Burns minimally, always tans.
    IV,
    /// Rarely burns, tans profusely.
    V,
    /// Never burns, deeply pigmented.
    VI,
}

impl Phototype {
    /// 1 to 6.
    pub fn number(self) -> u8 {
        match self {
            Phototype::I => 1,
            Phototype::II => 2,
            Phototype::III => 3,
            Phototype::IV => 4,
            Phototype::V => 5,
            Phototype::VI => 6,
        }
    }
}

/// Morphology of atrophic acne scars (Jacob et al. 2001, J Am Acad Dermatol 45:109).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ScarType {
    /// Broad, shallow, sloping edges.
    Rolling,
    /// Round or oval with sharp vertical edges.
    Boxcar,
    /// Narrow, deep, to the deep dermis.
    Icepick,
}

/// `[patient]` as written in the file.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientInput {
    /// Age, years (18 to 100; default 35). Older skin heals on a slower clock (`docs/models.md
    /// §10.5`).
    #[serde(default)]
    pub age_years: Option<f64>,
    /// Fitzpatrick phototype, "I" to "VI" (absent: not given; the outcome model then uses III
    /// and the cohort draws a documented mix). Sets the risk of post-inflammatory
    /// hyperpigmentation.
    #[serde(default)]
    pub phototype: Option<Phototype>,
    /// Severity before the series on the indication's scale (`docs/models.md §10.4`):
    /// acne-scars, Goodman & Baron qualitative grade 1-4 (default 3); rejuvenation, Lemperle
    /// wrinkle grade 0-5 (default 3); striae, mean striae width 0.1-20 mm (default 3). Decimals
    /// are allowed (a group mean).
    #[serde(default)]
    pub baseline_severity: Option<f64>,
    /// Acne scar types present ("rolling", "boxcar", "icepick"); they set how well the scars
    /// respond (Garg: boxcar best, ice-pick least). Empty: a mixed population.
    #[serde(default)]
    pub scar_types: Vec<ScarType>,
    /// Conditions the safety screen weighs (see [`Condition`]: "active-acne", "pregnancy",
    /// "anticoagulants", ...); unknown names are refused. The outcome model uses three
    /// (`docs/models.md §10.5`): "keloid-tendency" raises the risk of a procedural scar,
    /// "pigmentation-history" that of hyperpigmentation, "isotretinoin" changes no outcome.
    #[serde(default)]
    #[schemars(with = "Vec<Condition>")]
    pub conditions: Vec<String>,
}

/// Default age when none is given, years. \[A\] a typical adult patient of the trials the
/// outcome model draws on (acne-scar and rejuvenation trials enrol adults, mean ages 20-45).
pub const DEFAULT_AGE_YEARS: f64 = 35.0;

/// The validated patient.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Patient {
    /// Age, years.
    pub age_years: f64,
    /// Fitzpatrick phototype (None: not given).
    pub phototype: Option<Phototype>,
    /// Severity before the series on the indication's scale (None: the scale's default).
    pub baseline_severity: Option<f64>,
    /// Acne scar types present.
    pub scar_types: Vec<ScarType>,
    /// Conditions the safety screen weighs, in file order.
    pub conditions: Vec<Condition>,
}

impl Default for Patient {
    fn default() -> Self {
        Patient {
            age_years: DEFAULT_AGE_YEARS,
            phototype: None,
            baseline_severity: None,
            scar_types: Vec::new(),
            conditions: Vec::new(),
        }
    }
}
