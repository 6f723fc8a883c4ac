//! Safety screening: a rule engine that reads a scenario and reports findings.
//!
//! Screening never aborts a run: it reports. Each [`Finding`] has a stable `code`, a
//! [`Severity`], a message a practitioner understands, the scenario `field` it concerns and
//! the `source` of the rule. Most contraindication lists in the reference come from clinic and
//! spa pages, not from peer-reviewed text (literature.md §8 \[S\]); such rules say so in their
//! source. The rules and their sources are listed in `docs/models.md §8`.
//!
//! [`screen`] applies the rules in a fixed order (conditions in the order given, then products
//! in file order, device, needle length, series, numbing), so the same scenario always gives
//! the same list.

use serde::Serialize;

use crate::channels::{Drive, mean_depth_um, worn_tip_radius_um};
use crate::device::{DeviceKind, SHARP_TIP_RADIUS_UM};
use crate::scenario::{Scenario, Setting};

/// How serious a finding is. Ordered: `Info < Caution < Contraindicated`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing to change.
    Info,
    /// Proceed only after weighing it (or change the plan).
    Caution,
    /// Do not treat as planned.
    Contraindicated,
}

impl Severity {
    /// "info", "caution" or "contraindicated".
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Caution => "caution",
            Severity::Contraindicated => "contraindicated",
        }
    }
}

/// One result of the screening.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// Stable code, e.g. `CONDITION_ACTIVE_ACNE`.
    pub code: &'static str,
    /// Severity.
    pub severity: Severity,
    /// What is wrong and why, for a practitioner.
    pub message: String,
    /// The scenario field it concerns, e.g. `skin.conditions`, `products[0].patch_test_hours`.
    pub field: String,
    /// Where the rule comes from (with its confidence tag) or a plain statement that it is
    /// practice consensus.
    pub source: &'static str,
}

/// What the screening needs beyond the scenario: numbers computed by other stages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct ScreenContext {
    /// Days the skin needs to recover from one session (from the healing stage); `None`:
    /// [`fallback_recovery_days`] is used.
    pub recovery_days: Option<f64>,
    /// Numbing-cream application time the numbing model recommends, min (`None`: no numbing
    /// check).
    pub numbing_recommended_minutes: Option<f64>,
}

impl ScreenContext {
    /// The context for a scenario, computed quickly: recovery from the healing stage on a small
    /// window of punctures (≤ 10 mm; the healing stage works per cm²), the numbing
    /// recommendation from [`crate::numbing`].
    pub fn of(s: &Scenario) -> ScreenContext {
        let mut small = s.clone();
        // At most SCREEN_WINDOW_MM, and small enough to hold a bounded number of punctures
        // whatever the device's density (scenario::limits).
        small.simulation.window_mm = s.simulation.window_mm.min(SCREEN_WINDOW_MM);
        small.simulation.window_mm =
            crate::scenario::limits::window_for(&small, crate::scenario::limits::MAX_SCREEN_PUNCTURES);
        let map = crate::punctures::generate(&small);
        let channels = crate::channels::form(&map, &small.device, &small.skin, small.simulation.seed);
        let recovery_days = crate::healing::assess(&small, &channels, map.window_cm2()).map(|h| h.recovery_days());
        let numbing_recommended_minutes = crate::numbing::assess(s).map(|n| n.recommended_minutes);
        ScreenContext { recovery_days, numbing_recommended_minutes }
    }
}

/// Window side the screening simulates punctures on to get the recovery time, mm. A numerical
/// choice (speed): healing works with per-cm² densities, which a 10 mm window samples with
/// hundreds of punctures.
pub const SCREEN_WINDOW_MM: f64 = 10.0;

/// The verdict of a list of findings: the highest severity, `Info` when there is none.
pub fn verdict(findings: &[Finding]) -> Severity {
    findings.iter().map(|f| f.severity).max().unwrap_or(Severity::Info)
}

/// The `safety` section of `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SafetySummary {
    /// "ok" (nothing above info), "caution" or "contraindicated".
    pub verdict: &'static str,
    /// Every finding, in screening order.
    pub findings: Vec<Finding>,
}

impl SafetySummary {
    /// The section for a list of findings.
    pub fn new(findings: Vec<Finding>) -> SafetySummary {
        let verdict = match verdict(&findings) {
            Severity::Info => "ok",
            s => s.name(),
        };
        SafetySummary { verdict, findings }
    }
}

// ---------------------------------------------------------------------------------------------
// Sources
// ---------------------------------------------------------------------------------------------

/// Seed article (the article the project started from) on active acne, inflamed skin,
/// rosacea, eczema; clinic contraindication lists.
const SRC_SEED_SKIN: &str = "seed article (\"biggest no-no is using the microneedle on active acne ... risk of \
infection\"; not on skin that is \"inflamed, irritated\", with \"rosacea\" or \"eczema\"); clinic and spa \
contraindication lists, literature.md §8 [S]; practice consensus (clinic guidance, not peer-reviewed)";
const SRC_CLINIC: &str = "clinic and spa contraindication lists (purelyboutique.com, renewedspiritdayspa.com, \
balancedayspa.com, mailash.com), literature.md §8 [S]; practice consensus (clinic guidance, not peer-reviewed)";
const SRC_ISOTRETINOIN: &str = "\"currently taking ... isotretinoin\" (balancedayspa.com) and \"do not use Accutane \
within 3 months\" (beautyandthebroworlando.com), literature.md §8 [S]; the 6-month window is practice consensus \
(clinic guidance, not peer-reviewed)";
const SRC_TIRMIZI: &str = "Tirmizi 2021 excluded photosensitivity and SLE (literature.md §8 [V], exclusion list \
of a trial, not a guideline)";
const SRC_VITAMIN_C: &str = "Soltani-Arabshahi R et al., JAMA Dermatol 2014;150:68-72 (granulomas after \
microneedling with a vitamin C serum) [V]; Friedmann DP et al., Dermatol Surg 2024 (systematic review: \
pens and topical vitamin C in a majority of granulomatous reactions) [V]";
const SRC_FORMULATED: &str = "seed article (\"be careful about using products not formulated for use with \
microneedling\"); Soltani-Arabshahi 2014 JAMA Dermatol (intradermal \"tattooing\" of a topical product) [V]";
const SRC_IRRITANT: &str = "seed article (products absorbed more deeply \"could react ... and become \
irritated\"); practice consensus (clinic guidance, not peer-reviewed)";
const SRC_PATCH: &str = "seed article (patch test, \"waiting 24 hours\"); no peer-reviewed source prescribes a \
pre-treatment patch test (literature.md §8 [M]); Soltani-Arabshahi 2014 found positive patch tests after \
the reaction [V]";
const SRC_REUSE: &str = "Doddaballapur S., J Cutan Aesthet Surg 2009;2:110 (\"Medical dermarollers are for \
single use only\", gamma-sterilised) [V]; pen tips disposable and single-use (prime-journal, Dermapen) [S]";
const SRC_BENT: &str = "seed article (\"if the needles are bent, dull, or not properly maintained, you run the \
risk of infecting or damaging skin that can lead to scarring\"); bent needles tear rather than cut \
(channels::BENT_WIDTH_FACTOR, [A])";
const SRC_DULL: &str = "sharp tip 4 um: Kalluri et al., AAPS J 2011 [V]; seed article (dull needles risk damaging \
skin); thresholds 2x and 15 um (channels::R_C_UM, where the tip doubles the skin's deflection) are [A]";
const SRC_HOME_LENGTH: &str = "Sci Rep 2022 (doi 10.1038/s41598-022-22481-w): \"home-use dermarollers (less than \
0.5 mm needle length)\" [V]; seed article (home needles \"smaller than 1mm\"); no FDA length cut-off \
(literature.md §8 [S])";
const SRC_OFFICE_LENGTH: &str = "Sci Rep 2022: clinical pens 0.5-3.5 mm [V]; Dermapen 0.25-2.5 mm (Aesthetic Guide \
2012) [S]; Dermapen 4 up to 3.0 mm [S]; in-clinic 1.5-2.5 mm for body (eskcare.com) [S]; thresholds 2.5/3.0 mm \
are practice consensus (clinic guidance, not peer-reviewed)";
const SRC_PEN_RANGE: &str = "pen depth settings 0.2-3.0 mm (smartskin-clinic.com) [S]; Dermapen 0.25-2.5 mm \
(Aesthetic Guide 2012) [S]; Dermapen 4 up to 3.0 mm [S]";
const SRC_INTERVAL: &str = "healing stage recovery time (docs/models.md §7); fallback [A]: 1 day for \
epidermal channels, the human micropore closure time 58-63 h (PMC8259462) [V] for dermal ones";
const SRC_NUMBING: &str = "EMLA label (\"at least 1 hour\" minor, \"at least 2 hours\" major dermal procedures) [V]; \
Bjerring & Arendt-Nielsen, Br J Anaesth 1990;64:173 [V]; dermasim numbing model (docs/models.md §8)";
const SRC_NO_NUMBING: &str = "dermasim numbing model (docs/models.md §8); topical anaesthesia before \
microneedling (Dogra 2014 [V]; commercial copies of Doddaballapur 2009, 45-60 min [S])";

// ---------------------------------------------------------------------------------------------
// Conditions vocabulary
// ---------------------------------------------------------------------------------------------

/// A condition the screening knows: its code, severity, aliases (lower case, `-` or `_` or
/// spaces), message and source.
#[derive(Clone, Copy, Debug)]
pub struct ConditionRule {
    /// Finding code.
    pub code: &'static str,
    /// Severity.
    pub severity: Severity,
    /// Accepted names (compared after lower-casing and turning `_` and spaces into `-`).
    pub aliases: &'static [&'static str],
    /// Why.
    pub message: &'static str,
    /// Source.
    pub source: &'static str,
}

/// The documented vocabulary of `skin.conditions`.
pub const CONDITIONS: &[ConditionRule] = &[
    ConditionRule {
        code: "CONDITION_ACTIVE_ACNE",
        severity: Severity::Contraindicated,
        aliases: &["active-acne", "acne", "acne-vulgaris", "pimples", "blemishes", "pustules"],
        message: "active acne: needling spreads bacteria from the lesions (infection risk); wait until the \
pimples are gone or leave the blemished areas out",
        source: SRC_SEED_SKIN,
    },
    ConditionRule {
        code: "CONDITION_ROSACEA",
        severity: Severity::Contraindicated,
        aliases: &["rosacea"],
        message: "rosacea: needling can flare the inflammation",
        source: SRC_SEED_SKIN,
    },
    ConditionRule {
        code: "CONDITION_ECZEMA",
        severity: Severity::Contraindicated,
        aliases: &["eczema", "active-eczema", "atopic-dermatitis", "dermatitis", "contact-dermatitis"],
        message: "eczema or dermatitis: needling damaged, inflamed skin risks a flare and infection",
        source: SRC_SEED_SKIN,
    },
    ConditionRule {
        code: "CONDITION_PSORIASIS",
        severity: Severity::Contraindicated,
        aliases: &["psoriasis"],
        message: "psoriasis: skin injury can trigger new plaques (Koebner response); do not needle affected skin",
        source: SRC_CLINIC,
    },
    ConditionRule {
        code: "CONDITION_INFLAMED",
        severity: Severity::Contraindicated,
        aliases: &["inflamed", "inflamed-skin", "irritated", "irritated-skin", "sunburn", "sunburnt", "open-wounds"],
        message: "inflamed or irritated skin: treat only once it has calmed down",
        source: SRC_SEED_SKIN,
    },
    ConditionRule {
        code: "CONDITION_SKIN_INFECTION",
        severity: Severity::Contraindicated,
        aliases: &[
            "herpes",
            "active-herpes",
            "herpes-simplex",
            "hsv",
            "cold-sore",
            "cold-sores",
            "infection",
            "skin-infection",
            "active-infection",
            "impetigo",
            "warts",
        ],
        message: "active herpes or another skin infection: needling spreads it; treat the infection first",
        source: SRC_CLINIC,
    },
    ConditionRule {
        code: "CONDITION_KELOID",
        severity: Severity::Contraindicated,
        aliases: &[
            "keloid",
            "keloids",
            "keloid-history",
            "hypertrophic-scarring",
            "hypertrophic-scars",
            "hypertrophic-scar",
        ],
        message: "history of keloid or hypertrophic scarring: the wounds may heal with raised scars",
        source: SRC_CLINIC,
    },
    ConditionRule {
        code: "CONDITION_ISOTRETINOIN",
        severity: Severity::Contraindicated,
        aliases: &["isotretinoin", "accutane", "roaccutane", "isotretinoin-6-months", "recent-isotretinoin"],
        message: "isotretinoin taken in the last 6 months: wound healing may be impaired; wait at least 6 months \
after the course (practice consensus; sources range from 'currently taking' to 3 months)",
        source: SRC_ISOTRETINOIN,
    },
    ConditionRule {
        code: "CONDITION_BLEEDING_DISORDER",
        severity: Severity::Contraindicated,
        aliases: &[
            "bleeding-disorder",
            "bleeding-disorders",
            "haemophilia",
            "hemophilia",
            "von-willebrand",
            "thrombocytopenia",
        ],
        message: "bleeding disorder: needling causes bleeding that may not stop normally",
        source: SRC_CLINIC,
    },
    ConditionRule {
        code: "CONDITION_ANTICOAGULANTS",
        severity: Severity::Caution,
        aliases: &["anticoagulants", "anticoagulant", "blood-thinners", "warfarin", "heparin", "doac", "antiplatelets"],
        message: "anticoagulants: more bleeding and bruising; agree the plan with the prescriber (do not stop the \
medicine without them)",
        source: SRC_CLINIC,
    },
    ConditionRule {
        code: "CONDITION_PREGNANCY",
        severity: Severity::Contraindicated,
        aliases: &["pregnancy", "pregnant", "breastfeeding"],
        message: "pregnancy: listed as a contraindication (no safety data; the topical products and numbing creams \
are absorbed more through needled skin)",
        source: SRC_CLINIC,
    },
    ConditionRule {
        code: "CONDITION_IMMUNOSUPPRESSION",
        severity: Severity::Contraindicated,
        aliases: &[
            "immunosuppression",
            "immunosuppressed",
            "chemotherapy",
            "radiotherapy",
            "cancer-treatment",
            "malignancy",
            "skin-cancer",
        ],
        message: "immunosuppression, cancer or its treatment: impaired healing and infection risk",
        source: SRC_CLINIC,
    },
    ConditionRule {
        code: "CONDITION_DIABETES",
        severity: Severity::Contraindicated,
        aliases: &["uncontrolled-diabetes", "diabetes-uncontrolled"],
        message: "uncontrolled diabetes: impaired wound healing and infection risk",
        source: SRC_CLINIC,
    },
    ConditionRule {
        code: "CONDITION_LESIONS",
        severity: Severity::Caution,
        aliases: &["raised-moles", "moles", "actinic-keratosis", "actinic-keratoses", "solar-keratosis"],
        message: "raised moles or actinic keratoses: leave the lesions out of the treated area and have them assessed",
        source: SRC_CLINIC,
    },
    ConditionRule {
        code: "CONDITION_RECENT_PROCEDURE",
        severity: Severity::Caution,
        aliases: &["recent-peel", "recent-peels", "recent-filler", "recent-fillers", "recent-laser"],
        message: "a recent peel, filler or laser treatment in the area: let it settle before needling",
        source: SRC_CLINIC,
    },
    ConditionRule {
        code: "CONDITION_PHOTOSENSITIVITY",
        severity: Severity::Caution,
        aliases: &["photosensitivity", "lupus", "sle"],
        message: "photosensitivity or lupus: excluded from microneedling trials; weigh the risk of a flare",
        source: SRC_TIRMIZI,
    },
    ConditionRule {
        code: "CONDITION_SENSITIVE_SKIN",
        severity: Severity::Info,
        aliases: &["sensitive-skin", "sensitive"],
        message: "sensitive skin: patch-test every product first",
        source: SRC_PATCH,
    },
];

/// Normalises a condition or ingredient name: lower case, `_` and spaces become `-`.
fn norm(s: &str) -> String {
    s.trim().to_ascii_lowercase().replace(['_', ' '], "-")
}

/// The rule for a condition name, if it is in the vocabulary.
pub fn condition_rule(name: &str) -> Option<&'static ConditionRule> {
    let n = norm(name);
    CONDITIONS.iter().find(|r| r.aliases.contains(&n.as_str()))
}

// ---------------------------------------------------------------------------------------------
// Thresholds
// ---------------------------------------------------------------------------------------------

/// Home: needle length above which a caution is given, mm (Sci Rep 2022 "less than 0.5 mm" \[V\]).
pub const HOME_CAUTION_MM: f64 = 0.5;
/// Home: needle length above which treatment is contraindicated, mm (seed article: home needles
/// "smaller than 1mm"; dermatologists use "over 1 mm").
pub const HOME_CONTRAINDICATED_MM: f64 = 1.0;
/// Office: caution above this needle length, mm (upper end of the first-generation Dermapen,
/// 2.5 mm \[S\]; in-clinic body treatments 1.5-2.5 mm \[S\]); practice consensus.
pub const OFFICE_CAUTION_MM: f64 = 2.5;
/// Office: contraindicated above this needle length, mm (Dermapen 4 "up to 3.0 mm" \[S\], pen
/// settings "0.2 to 3.0 mm" \[S\]); practice consensus.
pub const OFFICE_CONTRAINDICATED_MM: f64 = 3.0;
/// Pen depth settings offered by pens, mm: 0.2-3.0 (smartskin-clinic.com \[S\]).
pub const PEN_DEPTH_RANGE_MM: (f64, f64) = (0.2, 3.0);
/// Tip radius above which needles count as dull, µm: `[A]` twice the sharp 4 µm tip.
pub const DULL_TIP_CAUTION_UM: f64 = 2.0 * SHARP_TIP_RADIUS_UM;
/// Tip radius above which needles count as too blunt to use, µm: `[A]` the mechanics' R_C (the
/// tip doubles the skin's deflection before puncture, `channels::R_C_UM`).
pub const DULL_TIP_CONTRAINDICATED_UM: f64 = crate::channels::R_C_UM;
/// Shortest patch test the seed article asks for, h (seed: "waiting 24 hours"; no peer-reviewed
/// source, literature.md §8 \[M\]).
pub const PATCH_TEST_MIN_H: f64 = 24.0;
/// Fallback recovery of epidermal channels, days: `[A]` (TEWL recovers in hours, human
/// < 2 h \[V\], redness "up to a couple days" in the seed); used only without a healing result.
pub const FALLBACK_RECOVERY_EPIDERMAL_DAYS: f64 = 1.0;

/// Recovery time used when the healing stage gave none, days: `[A]` 1 day for channels that
/// stay in the epidermis, the human micropore closure time (mean 58-63 h, PMC8259462 \[V\],
/// `healing::PATCH_T95_H`) for channels reaching the dermis.
pub fn fallback_recovery_days(s: &Scenario) -> f64 {
    let depth = channel_depth_um(s);
    if depth <= s.skin.layers.epidermis_um() {
        FALLBACK_RECOVERY_EPIDERMAL_DAYS
    } else {
        crate::healing::PATCH_T95_H / 24.0
    }
}

/// Mean channel depth of the scenario's device in its skin (mechanics, no punctures), µm.
pub fn channel_depth_um(s: &Scenario) -> f64 {
    let tip = worn_tip_radius_um(&s.device.needle, s.device.uses);
    mean_depth_um(&s.device.needle, tip, Drive::of(&s.device.kind), s.skin.deflection_factor)
}

// ---------------------------------------------------------------------------------------------
// The rules
// ---------------------------------------------------------------------------------------------

/// Screens a scenario. Deterministic order: conditions (in the order given), products (in file
/// order: vitamin C, formulation, ingredients, patch test), device (reuse, bent, dull), needle
/// length, pen depth range, series interval, numbing.
pub fn screen(s: &Scenario, ctx: &ScreenContext) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push = |code, severity, message: String, field: String, source| {
        out.push(Finding { code, severity, message, field, source });
    };

    // Conditions.
    for (i, c) in s.skin.conditions.iter().enumerate() {
        let field = format!("skin.conditions[{i}]");
        match condition_rule(c) {
            Some(r) => push(r.code, r.severity, format!("\"{c}\": {}", r.message), field, r.source),
            None => push(
                "CONDITION_UNKNOWN",
                Severity::Info,
                format!(
                    "condition \"{c}\" is not in the screening vocabulary and was not screened; check it with a \
practitioner (known: see docs/models.md §8)"
                ),
                field,
                "dermasim screening vocabulary (docs/models.md §8)",
            ),
        }
    }

    // Products.
    for (i, p) in s.products.iter().enumerate() {
        let at = |k: &str| format!("products[{i}].{k}");
        if is_vitamin_c(&p.name, &p.contains) {
            let (severity, extra) = if p.formulated_for_microneedling {
                (Severity::Caution, "even if labelled for microneedling, watch for papules in the following weeks")
            } else {
                (Severity::Contraindicated, "do not apply it on freshly needled skin")
            };
            push(
                "PRODUCT_VITAMIN_C",
                severity,
                format!(
                    "\"{}\" is or contains vitamin C (L-ascorbic acid), implicated in most granulomatous reactions \
after microneedling; {extra}",
                    p.name
                ),
                at("name"),
                SRC_VITAMIN_C,
            );
        }
        if !p.formulated_for_microneedling {
            push(
                "PRODUCT_NOT_FORMULATED",
                Severity::Caution,
                format!(
                    "\"{}\" is not marked as formulated for microneedling: needling carries its ingredients into the \
dermis, where they can cause irritation or granulomas",
                    p.name
                ),
                at("formulated_for_microneedling"),
                SRC_FORMULATED,
            );
        }
        for (j, c) in p.contains.iter().enumerate() {
            let n = norm(c);
            let hit = if ["fragrance", "fragrances", "perfume", "parfum", "essential-oil", "essential-oils"]
                .contains(&n.as_str())
            {
                Some(("PRODUCT_CONTAINS_FRAGRANCE", "fragrance"))
            } else if [
                "acid",
                "acids",
                "aha",
                "bha",
                "glycolic-acid",
                "salicylic-acid",
                "lactic-acid",
                "exfoliating-acid",
            ]
            .contains(&n.as_str())
            {
                Some(("PRODUCT_CONTAINS_ACID", "exfoliating acids"))
            } else if ["retinoid", "retinoids", "retinol", "retinal", "tretinoin", "adapalene", "tazarotene"]
                .contains(&n.as_str())
            {
                Some(("PRODUCT_CONTAINS_RETINOID", "a retinoid"))
            } else {
                None
            };
            if let Some((code, what)) = hit {
                push(
                    code,
                    Severity::Caution,
                    format!("\"{}\" contains {what}: an irritant on freshly needled skin", p.name),
                    format!("products[{i}].contains[{j}]"),
                    SRC_IRRITANT,
                );
            }
        }
        match p.patch_test_hours {
            None => push(
                "PRODUCT_NO_PATCH_TEST",
                Severity::Caution,
                format!(
                    "\"{}\" has not been patch-tested: the seed article advises applying it to a small area and \
waiting 24 h first (advice; no peer-reviewed source prescribes it)",
                    p.name
                ),
                at("patch_test_hours"),
                SRC_PATCH,
            ),
            Some(h) if h < PATCH_TEST_MIN_H => push(
                "PRODUCT_PATCH_TEST_SHORT",
                Severity::Caution,
                format!(
                    "\"{}\" was patch-tested for {h} h, less than the 24 h the seed article advises (advice; no \
peer-reviewed source prescribes it)",
                    p.name
                ),
                at("patch_test_hours"),
                SRC_PATCH,
            ),
            Some(_) => {}
        }
    }

    // Device condition.
    let d = &s.device;
    let what = match d.kind {
        DeviceKind::Dermaroller(_) => "roller",
        DeviceKind::Dermapen(_) => "pen cartridge",
        DeviceKind::Stamp(_) => "stamp",
    };
    if d.uses > 0 {
        push(
            "DEVICE_REUSED",
            Severity::Caution,
            format!(
                "the {what} has been used {} time(s) before: medical microneedling devices are single-use and \
sterile; reuse risks infection and blunt needles",
                d.uses
            ),
            "device.uses".into(),
            SRC_REUSE,
        );
    }
    if d.bent_fraction > 0.0 {
        push(
            "DEVICE_BENT_NEEDLES",
            Severity::Contraindicated,
            format!(
                "{:.0} % of the needles are bent: bent needles tear the skin and can scar; replace the {what}",
                100.0 * d.bent_fraction
            ),
            "device.bent_fraction".into(),
            SRC_BENT,
        );
    }
    let tip = worn_tip_radius_um(&d.needle, d.uses);
    let tip_field = if d.uses > 0 { "device.uses" } else { "device.tip_radius_um" };
    if tip > DULL_TIP_CONTRAINDICATED_UM {
        push(
            "DEVICE_DULL_NEEDLES",
            Severity::Contraindicated,
            format!(
                "needle tips are blunt ({tip:.1} um radius, a sharp tip is {SHARP_TIP_RADIUS_UM} um): they press the \
skin in before piercing it and tear it; replace the {what}"
            ),
            tip_field.into(),
            SRC_DULL,
        );
    } else if tip > DULL_TIP_CAUTION_UM {
        push(
            "DEVICE_DULL_NEEDLES",
            Severity::Caution,
            format!(
                "needle tips are dull ({tip:.1} um radius, more than twice the sharp {SHARP_TIP_RADIUS_UM} um): \
shallower, more ragged channels"
            ),
            tip_field.into(),
            SRC_DULL,
        );
    }

    // Needle length for the setting.
    let len_mm = d.needle.length_um / 1000.0;
    let (caution_mm, contra_mm, src, place) = match s.protocol.setting {
        Setting::Home => (HOME_CAUTION_MM, HOME_CONTRAINDICATED_MM, SRC_HOME_LENGTH, "at home"),
        Setting::Office => (OFFICE_CAUTION_MM, OFFICE_CONTRAINDICATED_MM, SRC_OFFICE_LENGTH, "in a clinic"),
    };
    if len_mm > contra_mm {
        push(
            "NEEDLE_TOO_LONG",
            Severity::Contraindicated,
            format!("{len_mm} mm needles are longer than the {contra_mm} mm limit for treatment {place}"),
            "device.needle_length_mm".into(),
            src,
        );
    } else if len_mm > caution_mm {
        push(
            "NEEDLE_LONG",
            Severity::Caution,
            format!("{len_mm} mm needles are longer than the {caution_mm} mm usual for treatment {place}"),
            "device.needle_length_mm".into(),
            src,
        );
    }
    if matches!(d.kind, DeviceKind::Dermapen(_)) && !(PEN_DEPTH_RANGE_MM.0..=PEN_DEPTH_RANGE_MM.1).contains(&len_mm) {
        push(
            "PEN_DEPTH_OUT_OF_RANGE",
            Severity::Caution,
            format!(
                "a pen depth setting of {len_mm} mm is outside the {}-{} mm range pens offer",
                PEN_DEPTH_RANGE_MM.0, PEN_DEPTH_RANGE_MM.1
            ),
            "device.needle_length_mm".into(),
            SRC_PEN_RANGE,
        );
    }

    // Series.
    if s.protocol.sessions > 1 {
        let recovery = ctx.recovery_days.unwrap_or_else(|| fallback_recovery_days(s));
        if s.protocol.interval_days < recovery {
            push(
                "SERIES_INTERVAL_SHORT",
                Severity::Caution,
                format!(
                    "sessions {} days apart come before the skin has recovered from the previous one (about {:.1} \
days)",
                    s.protocol.interval_days, recovery
                ),
                "protocol.interval_days".into(),
                SRC_INTERVAL,
            );
        }
    }

    // Numbing.
    if let Some(rec) = ctx.numbing_recommended_minutes.filter(|m| *m > 0.0) {
        match &s.protocol.numbing {
            Some(n) if n.cream != "none" => {
                if n.minutes < rec {
                    push(
                        "NUMBING_TOO_SHORT",
                        Severity::Caution,
                        format!(
                            "{} applied for {} min: the numbing model recommends about {rec:.0} min for this cream \
and needle depth; expect pain",
                            n.cream, n.minutes
                        ),
                        "protocol.numbing.minutes".into(),
                        SRC_NUMBING,
                    );
                }
            }
            _ => push(
                "NUMBING_NONE",
                Severity::Info,
                format!(
                    "no numbing cream: {len_mm} mm needles reach below the nerve endings; a topical anaesthetic for \
about {rec:.0} min is usual"
                ),
                "protocol.numbing".into(),
                SRC_NO_NUMBING,
            ),
        }
    }
    out
}

/// Whether a product is vitamin C: its name or an ingredient class names ascorbic acid or
/// vitamin C.
fn is_vitamin_c(name: &str, contains: &[String]) -> bool {
    let hit = |s: &str| {
        let n = norm(s);
        n.contains("ascorbic")
            || n.contains("vitamin-c")
            || n.contains("vita-c")
            || n == "vit-c"
            || n.contains("ascorbyl")
    };
    hit(name) || contains.iter().any(|c| hit(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clean home scenario: 0.25 mm roller, no conditions, no products, one session.
    const CLEAN: &str = r#"
[skin]
site = "cheek"
[device]
type = "dermaroller"
preset = "roller-192-thin"
needle_length_mm = 0.25
[protocol]
setting = "home"
area_cm2 = 4
passes = [{ direction_deg = 0, count = 2 }]
[simulation]
window_mm = 5
"#;

    fn findings(extra: &[&str]) -> Vec<Finding> {
        let set: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        let s = crate::scenario::parse(CLEAN, &set).unwrap_or_else(|e| panic!("{}", e[0].message));
        screen(&s, &CTX)
    }

    fn with_text(text: &str) -> Vec<Finding> {
        let s = crate::scenario::parse(text, &[]).unwrap_or_else(|e| panic!("{}", e[0].message));
        screen(&s, &CTX)
    }

    /// A fixed context (fast): 1 day to recover, no numbing check.
    const CTX: ScreenContext = ScreenContext { recovery_days: Some(1.0), numbing_recommended_minutes: None };

    #[test]
    fn clean_scenario_with_the_computed_context_has_no_findings() {
        let s = crate::scenario::parse(CLEAN, &[]).unwrap();
        let ctx = ScreenContext::of(&s);
        assert_eq!(ctx.numbing_recommended_minutes, Some(0.0), "0.25 mm needles need no cream");
        assert!(ctx.recovery_days.is_some_and(|d| d > 0.0 && d < 3.0), "{ctx:?}");
        assert!(screen(&s, &ctx).is_empty());
    }

    fn has(f: &[Finding], code: &str, sev: Severity) -> bool {
        f.iter().any(|x| x.code == code && x.severity == sev)
    }

    #[test]
    fn clean_scenario_has_no_findings() {
        let f = findings(&[]);
        assert!(f.is_empty(), "{f:#?}");
        assert_eq!(verdict(&f), Severity::Info);
        assert_eq!(SafetySummary::new(f).verdict, "ok");
    }

    #[test]
    fn severity_orders_and_serialises() {
        assert!(Severity::Info < Severity::Caution && Severity::Caution < Severity::Contraindicated);
        assert_eq!(serde_json::to_string(&Severity::Contraindicated).unwrap(), "\"contraindicated\"");
    }

    #[test]
    fn every_condition_rule_triggers_on_each_alias() {
        for r in CONDITIONS {
            for a in r.aliases {
                let f = findings(&[&format!("skin.conditions=[\"{a}\"]")]);
                assert!(has(&f, r.code, r.severity), "{a}: {f:#?}");
                assert_eq!(f[0].field, "skin.conditions[0]");
            }
        }
    }

    #[test]
    fn named_conditions_have_the_brief_severities() {
        for (name, code) in [
            ("active-acne", "CONDITION_ACTIVE_ACNE"),
            ("Active_Acne", "CONDITION_ACTIVE_ACNE"),
            ("rosacea", "CONDITION_ROSACEA"),
            ("eczema", "CONDITION_ECZEMA"),
            ("psoriasis", "CONDITION_PSORIASIS"),
            ("irritated", "CONDITION_INFLAMED"),
            ("herpes", "CONDITION_SKIN_INFECTION"),
            ("keloid", "CONDITION_KELOID"),
            ("isotretinoin", "CONDITION_ISOTRETINOIN"),
            ("bleeding-disorder", "CONDITION_BLEEDING_DISORDER"),
            ("pregnancy", "CONDITION_PREGNANCY"),
        ] {
            let f = findings(&[&format!("skin.conditions=[\"{name}\"]")]);
            assert!(has(&f, code, Severity::Contraindicated), "{name}: {f:#?}");
        }
        let f = findings(&["skin.conditions=[\"anticoagulants\"]"]);
        assert!(has(&f, "CONDITION_ANTICOAGULANTS", Severity::Caution));
    }

    #[test]
    fn unknown_condition_is_reported_as_not_screened() {
        let f = findings(&["skin.conditions=[\"freckles\"]"]);
        assert!(has(&f, "CONDITION_UNKNOWN", Severity::Info), "{f:#?}");
        assert!(f[0].message.contains("not screened"));
        assert_eq!(verdict(&f), Severity::Info);
    }

    fn product(body: &str) -> String {
        format!("{CLEAN}\n[[products]]\n{body}\n")
    }

    #[test]
    fn a_clean_product_gives_no_finding() {
        let f = with_text(&product(
            "name = \"niacinamide\"\nconcentration_mg_ml = 50\nformulated_for_microneedling = true\npatch_test_hours = 48",
        ));
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn vitamin_c_is_contraindicated_unless_formulated() {
        let f = with_text(&product(
            "name = \"l-ascorbic-acid\"\nconcentration_mg_ml = 150\npatch_test_hours = 48\nformulated_for_microneedling = false",
        ));
        assert!(has(&f, "PRODUCT_VITAMIN_C", Severity::Contraindicated), "{f:#?}");
        assert!(f.iter().any(|x| x.source.contains("Soltani-Arabshahi") && x.source.contains("Friedmann")));
        let f = with_text(&product(
            "name = \"serum\"\nmolecular_weight_da = 300\nlog_kow = 0\nconcentration_mg_ml = 10\ncontains = [\"vitamin C\"]\nformulated_for_microneedling = true\npatch_test_hours = 48",
        ));
        assert!(has(&f, "PRODUCT_VITAMIN_C", Severity::Caution), "{f:#?}");
    }

    #[test]
    fn unformulated_product_and_irritants_are_cautioned() {
        let f = with_text(&product(
            "name = \"niacinamide\"\nconcentration_mg_ml = 50\npatch_test_hours = 48\ncontains = [\"fragrance\", \"acids\", \"retinol\", \"water\"]",
        ));
        for code in [
            "PRODUCT_NOT_FORMULATED",
            "PRODUCT_CONTAINS_FRAGRANCE",
            "PRODUCT_CONTAINS_ACID",
            "PRODUCT_CONTAINS_RETINOID",
        ] {
            assert!(has(&f, code, Severity::Caution), "{code}: {f:#?}");
        }
        assert_eq!(f.len(), 4, "water is not an irritant class: {f:#?}");
        assert!(f.iter().any(|x| x.field == "products[0].contains[1]"));
    }

    #[test]
    fn missing_or_short_patch_test_is_cautioned_and_says_so() {
        let f = with_text(&product(
            "name = \"niacinamide\"\nconcentration_mg_ml = 50\nformulated_for_microneedling = true",
        ));
        assert!(has(&f, "PRODUCT_NO_PATCH_TEST", Severity::Caution), "{f:#?}");
        assert!(f[0].message.contains("no peer-reviewed source"));
        let f = with_text(&product(
            "name = \"niacinamide\"\nconcentration_mg_ml = 50\nformulated_for_microneedling = true\npatch_test_hours = 12",
        ));
        assert!(has(&f, "PRODUCT_PATCH_TEST_SHORT", Severity::Caution), "{f:#?}");
        assert_eq!(f[0].field, "products[0].patch_test_hours");
    }

    #[test]
    fn reused_bent_and_dull_devices_are_flagged() {
        let f = findings(&["device.uses=1"]);
        assert!(has(&f, "DEVICE_REUSED", Severity::Caution), "{f:#?}");
        assert!(f[0].source.contains("Doddaballapur"));
        let f = findings(&["device.bent_fraction=0.1"]);
        assert!(has(&f, "DEVICE_BENT_NEEDLES", Severity::Contraindicated), "{f:#?}");
        let f = findings(&["device.tip_radius_um=10"]);
        assert!(has(&f, "DEVICE_DULL_NEEDLES", Severity::Caution), "{f:#?}");
        let f = findings(&["device.tip_radius_um=20"]);
        assert!(has(&f, "DEVICE_DULL_NEEDLES", Severity::Contraindicated), "{f:#?}");
        // Wear from reuse: 4 um * (1 + 0.1 * 12) = 8.8 um > 8 um.
        let f = findings(&["device.uses=12"]);
        assert!(has(&f, "DEVICE_DULL_NEEDLES", Severity::Caution), "{f:#?}");
    }

    #[test]
    fn needle_length_limits_depend_on_the_setting() {
        let f = findings(&["device.needle_length_mm=0.5"]);
        assert!(!f.iter().any(|x| x.code.starts_with("NEEDLE_")), "0.5 mm at home is at the limit: {f:#?}");
        let f = findings(&["device.needle_length_mm=0.75"]);
        assert!(has(&f, "NEEDLE_LONG", Severity::Caution), "{f:#?}");
        let f = findings(&["device.needle_length_mm=1.5"]);
        assert!(has(&f, "NEEDLE_TOO_LONG", Severity::Contraindicated), "{f:#?}");
        let f = findings(&[
            "device.needle_length_mm=1.5",
            "protocol.setting=office",
            "protocol.numbing={cream=\"emla\", minutes=200}",
        ]);
        assert!(!f.iter().any(|x| x.code.starts_with("NEEDLE_")), "{f:#?}");
        let f = findings(&["device.needle_length_mm=2.75", "protocol.setting=office"]);
        assert!(has(&f, "NEEDLE_LONG", Severity::Caution), "{f:#?}");
        let f = findings(&["device.needle_length_mm=3.25", "protocol.setting=office"]);
        assert!(has(&f, "NEEDLE_TOO_LONG", Severity::Contraindicated), "{f:#?}");
        assert!(f.iter().any(|x| x.field == "device.needle_length_mm"));
    }

    #[test]
    fn pen_depth_outside_the_settings_is_cautioned() {
        let pen = r#"
[skin]
site = "cheek"
[device]
type = "dermapen"
preset = "pen-12"
needle_length_mm = 0.1
[protocol]
setting = "home"
area_cm2 = 1
[simulation]
window_mm = 5
"#;
        let f = with_text(pen);
        assert!(has(&f, "PEN_DEPTH_OUT_OF_RANGE", Severity::Caution), "{f:#?}");
        let f = with_text(&pen.replace("0.1", "0.25"));
        assert!(!f.iter().any(|x| x.code == "PEN_DEPTH_OUT_OF_RANGE"), "{f:#?}");
    }

    #[test]
    fn sessions_closer_than_recovery_are_cautioned() {
        let s =
            crate::scenario::parse(CLEAN, &["protocol.sessions=3".into(), "protocol.interval_days=1".into()]).unwrap();
        let f = screen(&s, &ScreenContext { recovery_days: Some(3.0), numbing_recommended_minutes: None });
        assert!(has(&f, "SERIES_INTERVAL_SHORT", Severity::Caution), "{f:#?}");
        let f = screen(&s, &ScreenContext { recovery_days: Some(0.5), numbing_recommended_minutes: None });
        assert!(f.is_empty(), "{f:#?}");
        // Without a healing result: epidermal channels recover in 1 day [A].
        assert_eq!(fallback_recovery_days(&s), FALLBACK_RECOVERY_EPIDERMAL_DAYS);
        let deep = crate::scenario::parse(CLEAN, &["device.needle_length_mm=1.5".into()]).unwrap();
        assert!(fallback_recovery_days(&deep) > 2.0);
        // The full context (healing stage): a 1.5 mm office roller, sessions 1 day apart.
        let s = crate::scenario::parse(
            CLEAN,
            &[
                "device.needle_length_mm=1.5".into(),
                "protocol.setting=office".into(),
                "protocol.sessions=3".into(),
                "protocol.interval_days=1".into(),
            ],
        )
        .unwrap();
        let ctx = ScreenContext::of(&s);
        assert!(ctx.recovery_days.is_some_and(|d| d > 1.0), "{ctx:?}");
        let f = screen(&s, &ctx);
        assert!(has(&f, "SERIES_INTERVAL_SHORT", Severity::Caution), "{f:#?}");
    }

    #[test]
    fn numbing_shorter_than_recommended_is_cautioned() {
        let s = crate::scenario::parse(
            CLEAN,
            &[
                "device.needle_length_mm=1.5".into(),
                "protocol.setting=office".into(),
                "protocol.numbing={cream=\"emla\", minutes=20}".into(),
            ],
        )
        .unwrap();
        let f = screen(&s, &ScreenContext { recovery_days: None, numbing_recommended_minutes: Some(90.0) });
        assert!(has(&f, "NUMBING_TOO_SHORT", Severity::Caution), "{f:#?}");
        assert_eq!(f[0].field, "protocol.numbing.minutes");
        let f = screen(&s, &ScreenContext { recovery_days: None, numbing_recommended_minutes: Some(15.0) });
        assert!(f.is_empty(), "{f:#?}");
        let none =
            crate::scenario::parse(CLEAN, &["device.needle_length_mm=1.0".into(), "protocol.setting=office".into()])
                .unwrap();
        let f = screen(&none, &ScreenContext { recovery_days: None, numbing_recommended_minutes: Some(60.0) });
        assert!(has(&f, "NUMBING_NONE", Severity::Info), "{f:#?}");
    }

    #[test]
    fn order_is_deterministic_and_verdict_is_the_maximum() {
        let args = ["skin.conditions=[\"anticoagulants\", \"acne\", \"freckles\"]", "device.uses=2"];
        let a = findings(&args);
        let b = findings(&args);
        assert_eq!(a, b);
        let codes: Vec<&str> = a.iter().map(|f| f.code).collect();
        assert_eq!(codes, ["CONDITION_ANTICOAGULANTS", "CONDITION_ACTIVE_ACNE", "CONDITION_UNKNOWN", "DEVICE_REUSED"]);
        assert_eq!(verdict(&a), Severity::Contraindicated);
        assert_eq!(SafetySummary::new(a).verdict, "contraindicated");
    }

    #[test]
    fn every_finding_names_a_source() {
        let f = findings(&[
            "skin.conditions=[\"acne\", \"x\"]",
            "device.uses=20",
            "device.bent_fraction=0.5",
            "device.needle_length_mm=2",
        ]);
        assert!(f.len() >= 5);
        for x in &f {
            assert!(!x.source.is_empty() && !x.message.is_empty() && !x.field.is_empty(), "{x:?}");
        }
    }
}
