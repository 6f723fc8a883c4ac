//! Safety screening: findings from the simulated injury, the products, the device and the
//! patient.
//!
//! Screening never aborts a run: it reports. Each [`Finding`] has a stable `code`, a
//! [`Severity`], a message a practitioner understands, the scenario `field` it concerns and
//! the `source` of the rule (a publication with its confidence tag, or a plain statement that
//! the threshold is practice consensus or an assumption `[A]`). The rules, their thresholds and
//! their sources are listed in `docs/models.md §8`.
//!
//! **What the screen reads.** The injury comes from the stages, never from the scenario's
//! nominal needle: the channels (`channels::form`: depth, layer reached, torn), the pattern
//! (`pattern::analyse`: the share of the surface inside an opening), the healing stage
//! (redness, recovery time) and the numbing stage. [`Stages`] carries them; [`screen`] turns
//! them and the scenario into findings, and [`check`] runs exactly the stages `simulate` runs
//! before transport, so `dermasim check`, `dermasim run` and the report give the same findings
//! and the same [`Verdict`] ([`Verdict::of`], the one mapping from findings to a verdict).
//!
//! **The rules are a table.** [`condition_rule`] gives the rule of each patient condition;
//! [`RULES`] lists every other rule as a row (code, severity, source, which skin, check
//! function). A check reads a [`Context`] (scenario, stage results, injury numbers) and returns
//! the message and field when it fires. To change a rule, edit its row and its check; a graded
//! rule is two adjacent rows with one code whose checks exclude each other.
//!
//! **Order.** Findings come in a fixed order (patient conditions in the order given, patient
//! risks, products in file order, device, needle and channel depth for the setting, injury,
//! series, numbing), so the same scenario always gives the same list.
//!
//! **Excised skin** (a Franz cell) has no patient, no healing and no nerves: only the device's
//! condition is screened (product, patient, injury and numbing rules do not apply to it).

use serde::Serialize;

use crate::channels::{Channel, ChannelStats, worn_tip_radius_um};
use crate::device::{DeviceKind, SHARP_TIP_RADIUS_UM};
use crate::healing::Healing;
use crate::numbing::{Exposure, NumbingAssessment};
use crate::params::{Distribution, Param, Provenance, Stage};
use crate::pattern::PatternStats;
use crate::scenario::vocabulary::{Condition, Ingredient, NumbingCream, Vocabulary};
use crate::scenario::{Numbing, Product, Scenario, Setting};
use crate::skin::Mounting;

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

/// The verdict of a screening: the most serious finding. The one mapping from findings to a
/// verdict; the CLI's `check` exit code, `summary.json` and the report all use it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Nothing above info.
    Ok,
    /// At least one caution, nothing contraindicated.
    Caution,
    /// At least one contraindication.
    Contraindicated,
}

impl Verdict {
    /// The verdict of a list of findings.
    pub fn of(findings: &[Finding]) -> Verdict {
        match findings.iter().map(|f| f.severity).max() {
            None | Some(Severity::Info) => Verdict::Ok,
            Some(Severity::Caution) => Verdict::Caution,
            Some(Severity::Contraindicated) => Verdict::Contraindicated,
        }
    }

    /// "ok", "caution" or "contraindicated".
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Caution => "caution",
            Verdict::Contraindicated => "contraindicated",
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
    /// The scenario field it concerns, e.g. `patient.conditions[0]`, `products[0].patch_test_hours`.
    pub field: String,
    /// Where the rule comes from (with its confidence tag) or a plain statement that it is
    /// practice consensus.
    pub source: &'static str,
}

/// The stage results the screening reads.
#[derive(Clone, Copy, Debug)]
pub struct Stages<'a> {
    /// One channel per puncture of the simulated window.
    pub channels: &'a [Channel],
    /// Their statistics (the channels stage's).
    pub channel_stats: &'a ChannelStats,
    /// The pattern of the window (coverage).
    pub pattern: &'a PatternStats,
    /// The healing stage (None for excised skin).
    pub healing: Option<&'a Healing>,
    /// The numbing stage (None for excised skin).
    pub numbing: Option<&'a NumbingAssessment>,
}

/// The injury numbers the rules read, as the stages computed them (in `summary.json`'s
/// `safety` section, so a finding can be traced to its number).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct InjuryStats {
    /// Channels in the simulated window.
    pub channels: usize,
    /// Share of channels whose tip is below the epidermis (papillary dermis or deeper), 0-1.
    pub dermal_fraction: f64,
    /// Share of channels whose tip reaches the reticular dermis or deeper, 0-1.
    pub reticular_or_deeper_fraction: f64,
    /// Share of channels whose tip reaches the subcutaneous fat (hypodermis), 0-1.
    pub hypodermis_fraction: f64,
    /// The share reaching the fat on the thin, central and thick published readings of the
    /// site's dermis (`channels::HypodermisByDermis`; thin = `hypodermis_fraction`).
    pub hypodermis_by_dermis: crate::channels::HypodermisByDermis,
    /// Share of channels torn rather than cut (roller slip, bent needles), 0-1.
    pub torn_fraction: f64,
    /// Mean length-to-width ratio of the torn channels' openings (1: round; 0 without torn
    /// channels).
    pub torn_elongation: f64,
    /// Share of the surface inside an opening (pattern coverage), 0-1.
    pub opening_fraction: f64,
    /// 90th percentile of the channel depth, µm.
    pub depth_p90_um: f64,
    /// Time until the redness fades, h (None: no healing stage).
    pub redness_resolved_h: Option<f64>,
    /// Days the skin needs to recover from one session (None: no healing stage).
    pub recovery_days: Option<f64>,
}

impl InjuryStats {
    /// The numbers of a run's stages.
    pub fn of(st: &Stages<'_>) -> InjuryStats {
        let cs = st.channel_stats;
        InjuryStats {
            channels: cs.count,
            dermal_fraction: cs.reach.papillary_dermis,
            reticular_or_deeper_fraction: cs.reach.reticular_dermis,
            hypodermis_fraction: cs.reach.hypodermis,
            hypodermis_by_dermis: cs.hypodermis_by_dermis,
            torn_fraction: cs.torn_fraction,
            torn_elongation: cs.torn_elongation,
            opening_fraction: st.pattern.coverage_fraction,
            depth_p90_um: cs.depth_p90_um,
            redness_resolved_h: st.healing.map(|h| h.erythema_resolved_h),
            recovery_days: st.healing.map(|h| h.recovery_days()),
        }
    }
}

/// The `safety` section of `summary.json` (and what `dermasim check --json` prints).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SafetySummary {
    /// The most serious finding: ok, caution or contraindicated.
    pub verdict: Verdict,
    /// Every finding, in screening order.
    pub findings: Vec<Finding>,
    /// The injury numbers the rules read (None when not screened).
    pub injury: Option<InjuryStats>,
}

impl SafetySummary {
    /// The section for a list of findings.
    pub fn new(findings: Vec<Finding>, injury: Option<InjuryStats>) -> SafetySummary {
        SafetySummary { verdict: Verdict::of(&findings), findings, injury }
    }
}

/// What [`check`] returns: the findings and the stage results they came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Screening {
    /// The summary section (verdict, findings, injury numbers).
    pub summary: SafetySummary,
    /// The numbing stage's assessment (None for excised skin).
    pub numbing: Option<NumbingAssessment>,
}

/// Screens a scenario on its own (`dermasim check`): runs the stages `simulate` runs before
/// transport (punctures, channels, pattern, healing, numbing), with the same window and seed,
/// then [`screen`]. The findings are those of a full run of the same scenario. A window that
/// would hold more than `scenario::limits::MAX_SCREEN_PUNCTURES` punctures (a scenario `run`
/// may refuse as too large) is shrunk to hold about that many: the injury numbers the rules
/// read are shares and per-area values, which a smaller window samples alike.
pub fn check(s: &Scenario) -> Screening {
    let bounded = crate::scenario::limits::window_for(s, crate::scenario::limits::MAX_SCREEN_PUNCTURES);
    let small;
    let s = if bounded < s.simulation.window_mm {
        let mut t = s.clone();
        t.simulation.window_mm = bounded;
        small = t;
        &small
    } else {
        s
    };
    let map = crate::punctures::generate(s);
    let channels = crate::channels::form(&map, s);
    let pattern = crate::pattern::analyse(&channels, map.window_um);
    let healing = crate::healing::assess(s, &channels, map.window_cm2());
    let channel_stats = crate::channels::stats(&channels, &s.skin);
    let numbing = crate::numbing::assess(s, &channel_stats);
    let st = Stages {
        channels: &channels,
        channel_stats: &channel_stats,
        pattern: &pattern,
        healing: healing.as_ref(),
        numbing: numbing.as_ref(),
    };
    Screening { summary: assess(s, &st), numbing }
}

/// The safety stage: the findings of [`screen`] on the stage results, their verdict and the
/// injury numbers the rules read. [`check`] and `simulate` both call it (one screening path).
pub fn assess(s: &Scenario, st: &Stages<'_>) -> SafetySummary {
    SafetySummary::new(screen(s, st), Some(InjuryStats::of(st)))
}

// ---------------------------------------------------------------------------------------------
// Sources
// ---------------------------------------------------------------------------------------------

/// Seed article (the article the project started from) on active acne, inflamed skin,
/// rosacea, eczema; clinic contraindication lists.
const SRC_SEED_SKIN: &str = "seed article (\"biggest no-no is using the microneedle on active acne ... risk of \
infection\"; not on skin that is \"inflamed, irritated\", with \"rosacea\" or \"eczema\"); Alster & Graham, \
Dermatol Surg 2018;44:397 (pretreatment considerations) [P]; practice consensus";
const SRC_CLINIC: &str = "contraindication lists of microneedling practice (no peer-reviewed list exists; \
literature.md §8 [S]); FDA, Regulatory Considerations for Microneedling Products, 2020 (risks: infection, \
scarring, bleeding, hyperpigmentation) [S]; practice consensus";
const SRC_ISOTRETINOIN: &str = "practice consensus: sources range from \"currently taking\" to \"within 3 \
months\" (literature.md §8 [S]); the 6-month window is the conservative end (Alster & Graham 2018 [P]); \
Spring LK et al., JAMA Dermatol 2017;153:802 found insufficient evidence to delay superficial procedures [P], \
so this is a caution after the course, contraindication during it";
const SRC_PREGNANCY: &str = "no safety data for microneedling or its topical products in pregnancy (trials \
exclude it, e.g. Tirmizi 2021, literature.md §8 [V]); treated as a contraindication by practice consensus";
const SRC_TIRMIZI: &str = "Tirmizi 2021 excluded photosensitivity and SLE (literature.md §8 [V], exclusion list \
of a trial, not a guideline)";
const SRC_PIH: &str = "PIH is common after inflammation in phototypes III-VI (Manuskiatti et al., J Eur Acad \
Dermatol Venereol 2013 [P]; Davis & Callender, J Clin Aesthet Dermatol 2010;3:20 [P]); Dogra 2014: PIH in 5/30 \
Indian patients after 1.5 mm rolling [V]; Cohen & Elbuluk, J Am Acad Dermatol 2016;74:348 (microneedling \
suits skin of colour with conservative settings) [P]; thresholds are practice consensus";
const SRC_VITAMIN_C: &str = "Soltani-Arabshahi R et al., JAMA Dermatol 2014;150:68-72 (granulomas after \
microneedling with a vitamin C serum) [V]; Friedmann DP et al., Dermatol Surg 2024 (systematic review: \
pens and topical vitamin C in a majority of granulomatous reactions) [V]";
const SRC_FORMULATED: &str = "seed article (\"be careful about using products not formulated for use with \
microneedling\"); Soltani-Arabshahi 2014 JAMA Dermatol (intradermal \"tattooing\" of a topical product) [V]";
const SRC_IRRITANT: &str = "seed article (products absorbed more deeply \"could react ... and become \
irritated\"); practice consensus";
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
2012) [S]; Dermapen 4 up to 3.0 mm [S]; thresholds 2.5/3.0 mm are practice consensus";
const SRC_PEN_RANGE: &str = "pen depth settings 0.2-3.0 mm (smartskin-clinic.com) [S]; Dermapen 0.25-2.5 mm \
(Aesthetic Guide 2012) [S]; Dermapen 4 up to 3.0 mm [S]";
const SRC_HOME_DEPTH: &str = "home devices are the short-needle class (Sci Rep 2022, \"less than 0.5 mm\" [V]); \
FDA 2020 guidance: a product that penetrates living skin with structure/function claims is a Class II device \
(21 CFR 878.4430) [V]; bleeding from the reticular dermis needs clinical care (practice consensus); threshold \
share [A]";
const SRC_HYPODERMIS: &str = "microneedling is controlled wounding of the dermis (Alster & Graham, Dermatol Surg \
2018;44:397 [P]); FDA 2020 names nerve and blood-vessel damage among its risks [S]; the facial subcutis carries \
the nerve branches and vessels; threshold shares are practice consensus [A]; the share is read on the central \
published dermis of the site, the thinnest reading alone only cautions (skin::DERMIS_RANGES: Meng 2022 HFUS [V], \
Selcuk Med J histology [V], 50 MHz HFUS [V]; the rule is [A])";
const SRC_OPENING: &str = "microneedling leaves the skin between the channels intact (Alster & Graham 2018 [P]); \
in fractional resurfacing the density of the wounds, not their energy, drives PIH (Chan HH et al., Lasers Surg \
Med 2007;39:381: 12.4 % vs 7.1 % at double density [V]); thresholds 20 % and 50 % of the surface are [A]";
const SRC_TORN: &str = "tram-track scarring after roller microneedling (Pahwa M et al., Dermatol Surg \
2012;38:1107 [P]; Dogra 2014: 2/30 patients [V]); the torn-channel share is the mechanics' (channels.rs); \
threshold [A]";
const SRC_REDNESS: &str = "the expected redness after microneedling resolves within 72 h (PMC8008152 [V]; \
healing::tau_dermal_ref_h, docs/models.md §7); longer redness is a sign of over-treatment (practice consensus)";
const SRC_INTERVAL: &str = "healing stage recovery time (redness, channel closure, barrier; docs/models.md §7)";
const SRC_REMODELLING: &str = "sessions with dermal wounds 4-6 weeks apart (Alster & Graham 2018 [P]; the \
acne-scar trials of Dogra 2014 and Lotfi 2013 treated monthly [V]); the series model's proliferation phase \
lasts weeks (series::PROLIFERATION_D); practice consensus";
const SRC_NUMBING: &str = "EMLA label (\"at least 1 hour\" minor, \"at least 2 hours\" major dermal procedures) [V]; \
Bjerring & Arendt-Nielsen, Br J Anaesth 1990;64:173 [V]; dermasim numbing model (docs/models.md §8)";
const SRC_EXPOSURE: &str = "EMLA Cream 5 % SmPC, Tables 1-2 [V]: adults and adolescents at most 60 g over 600 cm² \
for 5 h; children 1-5 y 10 g/100 cm², 6-11 y 20 g/200 cm²; lidocaine toxicity and prilocaine methaemoglobinaemia \
grow with dose, area and time (Sobanko, Miller & Alster, Dermatol Surg, review [V]); LMX4 usually no longer than \
60 min [V]; systemic uptake from the numbing column (docs/models.md §8.2)";
const SRC_NUMBING_REACH: &str = "depth of topical analgesia: Bjerring & Arendt-Nielsen, Br J Anaesth 1990;64:173 [V], \
Wahlgren & Quiding, J Am Acad Dermatol 2000;42:584 [V]; dermasim numbing model (docs/models.md §8)";
const SRC_NO_NUMBING: &str = "dermasim numbing model (docs/models.md §8); topical anaesthesia before \
microneedling (Dogra 2014 [V]; Alster & Graham 2018 [P]; commercial copies of Doddaballapur 2009, 45-60 min [S])";

// ---------------------------------------------------------------------------------------------
// Conditions
// ---------------------------------------------------------------------------------------------

/// What the screen says about a condition.
#[derive(Clone, Copy, Debug)]
pub struct ConditionRule {
    /// Finding code.
    pub code: &'static str,
    /// Severity.
    pub severity: Severity,
    /// Why.
    pub message: &'static str,
    /// Source.
    pub source: &'static str,
}

/// The rule of each condition.
pub fn condition_rule(c: Condition) -> ConditionRule {
    use Severity::{Caution, Contraindicated, Info};
    let r = |code, severity, message, source| ConditionRule { code, severity, message, source };
    match c {
        Condition::ActiveAcne => r(
            "CONDITION_ACTIVE_ACNE",
            Contraindicated,
            "active acne: needling spreads bacteria from the lesions (infection risk); wait until the pimples are \
gone or leave the blemished areas out",
            SRC_SEED_SKIN,
        ),
        Condition::Rosacea => {
            r("CONDITION_ROSACEA", Contraindicated, "rosacea: needling can flare the inflammation", SRC_SEED_SKIN)
        }
        Condition::Eczema => r(
            "CONDITION_ECZEMA",
            Contraindicated,
            "eczema or dermatitis: needling damaged, inflamed skin risks a flare and infection",
            SRC_SEED_SKIN,
        ),
        Condition::Psoriasis => r(
            "CONDITION_PSORIASIS",
            Contraindicated,
            "psoriasis: skin injury can trigger new plaques (Koebner response); do not needle affected skin",
            SRC_CLINIC,
        ),
        Condition::InflamedSkin => r(
            "CONDITION_INFLAMED",
            Contraindicated,
            "inflamed, irritated or sunburnt skin: treat only once it has calmed down",
            SRC_SEED_SKIN,
        ),
        Condition::SkinInfection => r(
            "CONDITION_SKIN_INFECTION",
            Contraindicated,
            "active herpes or another skin infection: needling spreads it; treat the infection first",
            SRC_CLINIC,
        ),
        Condition::HerpesHistory => r(
            "CONDITION_HERPES_HISTORY",
            Caution,
            "history of cold sores: needling near the lips can reactivate herpes simplex; antiviral prophylaxis is \
usual before perioral treatment",
            SRC_CLINIC,
        ),
        Condition::KeloidTendency => r(
            "CONDITION_KELOID",
            Contraindicated,
            "history of keloid or hypertrophic scarring: the wounds may heal with raised scars",
            SRC_CLINIC,
        ),
        Condition::Isotretinoin => r(
            "CONDITION_ISOTRETINOIN",
            Contraindicated,
            "isotretinoin now or in the last 6 months: wound healing may be impaired; wait 6 months after the \
course (sources range from 'currently taking' to 3 months)",
            SRC_ISOTRETINOIN,
        ),
        Condition::BleedingDisorder => r(
            "CONDITION_BLEEDING_DISORDER",
            Contraindicated,
            "bleeding disorder: needling causes bleeding that may not stop normally",
            SRC_CLINIC,
        ),
        Condition::Anticoagulants => r(
            "CONDITION_ANTICOAGULANTS",
            Caution,
            "anticoagulants: more bleeding and bruising; agree the plan with the prescriber (do not stop the \
medicine without them)",
            SRC_CLINIC,
        ),
        Condition::Pregnancy => r(
            "CONDITION_PREGNANCY",
            Contraindicated,
            "pregnancy: no safety data (trials exclude it); numbing creams and serums are absorbed more through \
needled skin",
            SRC_PREGNANCY,
        ),
        Condition::Breastfeeding => r(
            "CONDITION_BREASTFEEDING",
            Caution,
            "breastfeeding: no safety data; keep numbing creams to the smallest area and time, and away from the \
breast",
            SRC_PREGNANCY,
        ),
        Condition::Immunosuppression => r(
            "CONDITION_IMMUNOSUPPRESSION",
            Contraindicated,
            "immunosuppression, cancer or its treatment: impaired healing and infection risk",
            SRC_CLINIC,
        ),
        Condition::UncontrolledDiabetes => r(
            "CONDITION_DIABETES",
            Contraindicated,
            "uncontrolled diabetes: impaired wound healing and infection risk",
            SRC_CLINIC,
        ),
        Condition::RaisedLesions => r(
            "CONDITION_LESIONS",
            Caution,
            "raised moles or actinic keratoses: leave the lesions out of the treated area and have them assessed",
            SRC_CLINIC,
        ),
        Condition::RecentProcedure => r(
            "CONDITION_RECENT_PROCEDURE",
            Caution,
            "a recent peel, filler or laser treatment in the area: let it settle before needling",
            SRC_CLINIC,
        ),
        Condition::Photosensitivity => r(
            "CONDITION_PHOTOSENSITIVITY",
            Caution,
            "photosensitivity or lupus: excluded from microneedling trials; weigh the risk of a flare",
            SRC_TIRMIZI,
        ),
        Condition::PigmentationHistory => r(
            "CONDITION_PIGMENTATION_HISTORY",
            Caution,
            "melasma or earlier post-inflammatory hyperpigmentation: inflammation can darken the skin again; \
conservative depth, strict sun protection",
            SRC_PIH,
        ),
        Condition::SensitiveSkin => {
            r("CONDITION_SENSITIVE_SKIN", Info, "sensitive skin: patch-test every product first", SRC_PATCH)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Thresholds
// ---------------------------------------------------------------------------------------------

/// Home: needle length above which a caution is given, mm (Sci Rep 2022 "less than 0.5 mm" \[V\]).
pub const HOME_CAUTION_MM: Param = Param {
    name: "safety.home_caution_mm",
    unit: "mm",
    value: 0.5,
    allowed: (0.1, 3.0),
    distribution: Distribution::Fixed,
    provenance: Provenance::Literature(
        "Sci Rep 2022 (doi 10.1038/s41598-022-22481-w) [V]: home dermarollers \"less than 0.5 mm\"",
    ),
    stage: Stage::Safety,
    description: "home: needle length above which a caution is given",
};
/// Home: needle length above which treatment is contraindicated, mm (seed article: home needles
/// "smaller than 1mm").
pub const HOME_CONTRAINDICATED_MM: Param = Param {
    name: "safety.home_contraindicated_mm",
    unit: "mm",
    value: 1.0,
    allowed: (0.1, 3.0),
    distribution: Distribution::Fixed,
    provenance: Provenance::Literature("seed article [S]: home needles \"smaller than 1mm\""),
    stage: Stage::Safety,
    description: "home: needle length above which treatment is contraindicated",
};
/// Office: caution above this needle length, mm (upper end of the first-generation Dermapen,
/// 2.5 mm \[S\]); practice consensus.
pub const OFFICE_CAUTION_MM: Param = Param {
    name: "safety.office_caution_mm",
    unit: "mm",
    value: 2.5,
    allowed: (0.5, 5.0),
    distribution: Distribution::Fixed,
    provenance: Provenance::Literature("upper end of the first-generation Dermapen, 2.5 mm [S]; practice consensus"),
    stage: Stage::Safety,
    description: "office: needle length above which a caution is given",
};
/// Office: contraindicated above this needle length, mm (Dermapen 4 "up to 3.0 mm" \[S\]);
/// practice consensus.
pub const OFFICE_CONTRAINDICATED_MM: Param = Param {
    name: "safety.office_contraindicated_mm",
    unit: "mm",
    value: 3.0,
    allowed: (0.5, 5.0),
    distribution: Distribution::Fixed,
    provenance: Provenance::Literature("Dermapen 4 \"up to 3.0 mm\" [S]; practice consensus"),
    stage: Stage::Safety,
    description: "office: needle length above which treatment is contraindicated",
};
/// Pen depth settings offered by pens, mm: 0.2-3.0 (smartskin-clinic.com \[S\]).
pub const PEN_DEPTH_RANGE_MM: (f64, f64) = (0.2, 3.0);
/// Tip radius above which needles count as dull, µm: `[A]` twice the sharp 4 µm tip.
pub const DULL_TIP_CAUTION_UM: f64 = 2.0 * SHARP_TIP_RADIUS_UM;
/// Tip radius above which needles count as too blunt to use, µm: `[A]` the mechanics' R_C (the
/// tip doubles the skin's deflection before puncture, `channels::R_C_UM`).
pub const DULL_TIP_CONTRAINDICATED_UM: f64 = crate::channels::R_C_UM;
/// Shortest patch test the seed article asks for, h (seed: "waiting 24 hours"; no peer-reviewed
/// source, literature.md §8 \[M\]).
pub const PATCH_TEST_MIN_H: Param = Param {
    name: "safety.patch_test_min_h",
    unit: "h",
    value: 24.0,
    allowed: (0.0, 168.0),
    distribution: Distribution::Fixed,
    provenance: Provenance::Literature("seed article (\"waiting 24 hours\") [M]; no peer-reviewed source"),
    stage: Stage::Safety,
    description: "shortest patch test before a product goes into the channels",
};

/// Home treatment: share of channels reaching the reticular dermis or deeper above which a
/// caution is given. `[A]`: home devices are the short-needle class whose channels stay in the
/// epidermis and papillary dermis; a tenth of the channels deeper is no longer an outlier of the
/// depth spread (CV 6 %, channels.rs).
pub const HOME_RETICULAR_CAUTION_FRACTION: Param = Param {
    name: "safety.home_reticular_caution_fraction",
    unit: "1",
    value: 0.10,
    allowed: (0.0, 1.0),
    distribution: Distribution::Fixed,
    provenance: Provenance::Assumption(
        "home devices are the short-needle class; a tenth of the channels deeper is no longer an outlier of the depth spread",
    ),
    stage: Stage::Safety,
    description: "home: share of channels into the reticular dermis or deeper above which a caution is given",
};
/// Face and neck: share of channels reaching the subcutaneous fat above which a caution is
/// given. `[A]` (a few channels at the tail of the depth spread).
pub const FACE_HYPODERMIS_CAUTION_FRACTION: Param = Param {
    name: "safety.face_hypodermis_caution_fraction",
    unit: "1",
    value: 0.01,
    allowed: (0.0, 1.0),
    distribution: Distribution::Fixed,
    provenance: Provenance::Assumption("a few channels at the tail of the depth spread"),
    stage: Stage::Safety,
    description: "face and neck: share of channels into the fat above which a caution is given",
};
/// Face and neck, and any home treatment: share of channels reaching the fat above which the
/// plan is contraindicated. `[A]`.
pub const HYPODERMIS_CONTRAINDICATED_FRACTION: Param = Param {
    name: "safety.hypodermis_contraindicated_fraction",
    unit: "1",
    value: 0.10,
    allowed: (0.0, 1.0),
    distribution: Distribution::Fixed,
    provenance: Provenance::Assumption(
        "microneedling is controlled wounding of the dermis; a tenth of the channels into the fat is beyond it",
    ),
    stage: Stage::Safety,
    description: "face, neck and home: share of channels into the fat above which the plan is contraindicated",
};
/// Body sites (office): share of channels into the fat above which a caution is given. `[A]`.
pub const BODY_HYPODERMIS_CAUTION_FRACTION: Param = Param {
    name: "safety.body_hypodermis_caution_fraction",
    unit: "1",
    value: 0.10,
    allowed: (0.0, 1.0),
    distribution: Distribution::Fixed,
    provenance: Provenance::Assumption("body sites have more dermis and fat; a tenth of the channels"),
    stage: Stage::Safety,
    description: "body sites (office): share of channels into the fat above which a caution is given",
};
/// Share of the surface inside an opening above which a caution is given. `[A]` (the channels
/// begin to merge; fractional devices keep wounds separate, Chan 2007 \[V\]).
pub const OPENING_CAUTION_FRACTION: Param = Param {
    name: "safety.opening_caution_fraction",
    unit: "1",
    value: 0.20,
    allowed: (0.0, 1.0),
    distribution: Distribution::Fixed,
    provenance: Provenance::Assumption(
        "the channels begin to merge; fractional devices keep wounds separate (Chan 2007 [V])",
    ),
    stage: Stage::Safety,
    description: "share of the surface inside an opening above which a caution is given",
};
/// Share of the surface inside an opening above which the plan is contraindicated: more than
/// half the surface wounded is resurfacing, not microneedling. `[A]`.
pub const OPENING_CONTRAINDICATED_FRACTION: Param = Param {
    name: "safety.opening_contraindicated_fraction",
    unit: "1",
    value: 0.50,
    allowed: (0.0, 1.0),
    distribution: Distribution::Fixed,
    provenance: Provenance::Assumption("more than half the surface wounded is resurfacing, not microneedling"),
    stage: Stage::Safety,
    description: "share of the surface inside an opening above which the plan is contraindicated",
};
/// Share of torn channels above which a caution is given (tram-track scarring), together with
/// [`TORN_ELONGATION_CAUTION`]. `[A]`.
pub const TORN_CAUTION_FRACTION: Param = Param {
    name: "safety.torn_caution_fraction",
    unit: "1",
    value: 0.25,
    allowed: (0.0, 1.0),
    distribution: Distribution::Fixed,
    provenance: Provenance::Assumption(
        "tram-track scarring after roller microneedling (Pahwa 2012 [P]); a quarter of the channels",
    ),
    stage: Stage::Safety,
    description: "share of torn channels above which a caution is given (with the elongation)",
};
/// Mean length-to-width ratio of the torn openings above which tearing counts as beyond the
/// trial protocols. `[A]`: every channel of a hand roller is torn by its slip in the mechanics;
/// the standard trial roller (192 needles, 1.5 mm, 16 passes on the cheek: Dogra 2014, Lotfi
/// 2013, with tram-track scars in 2/30 patients \[V\]) tears openings 3.7 times as long as wide,
/// and 4.5 leaves a fifth of margin above it.
pub const TORN_ELONGATION_CAUTION: Param = Param {
    name: "safety.torn_elongation_caution",
    unit: "1",
    value: 4.5,
    allowed: (1.0, 50.0),
    distribution: Distribution::Fixed,
    provenance: Provenance::Assumption(
        "the standard trial roller (Dogra 2014, Lotfi 2013 [V]) tears openings 3.7 times as long as wide; a fifth of margin above it",
    ),
    stage: Stage::Safety,
    description: "mean length-to-width ratio of torn openings above which tearing is beyond the trial protocols",
};
/// Redness lasting longer than this is cautioned, h: the expected course resolves within 72 h
/// (PMC8008152 \[V\]).
pub const REDNESS_CAUTION_H: Param = Param {
    name: "safety.redness_caution_h",
    unit: "h",
    value: 72.0,
    allowed: (12.0, 336.0),
    distribution: Distribution::Fixed,
    provenance: Provenance::Literature("PMC8008152 [V]: the expected redness resolves within 72 h"),
    stage: Stage::Safety,
    description: "redness lasting longer than this is cautioned",
};
/// Sessions that wound the dermis should be at least this far apart, days: 4 weeks, the short
/// end of the usual 4-6 weeks (Alster & Graham 2018 \[P\]; monthly in Dogra 2014 and Lotfi 2013
/// \[V\]); practice consensus.
pub const REMODELLING_INTERVAL_D: Param = Param {
    name: "safety.remodelling_interval_d",
    unit: "d",
    value: 28.0,
    allowed: (7.0, 180.0),
    distribution: Distribution::Fixed,
    provenance: Provenance::Literature(
        "4-6 weeks (Alster & Graham 2018 [P]); monthly in Dogra 2014 and Lotfi 2013 [V]; practice consensus",
    ),
    stage: Stage::Safety,
    description: "shortest interval between sessions that wound the dermis",
};
/// Share of channels reaching the dermis from which the remodelling interval applies. `[A]`
/// (most channels wound the dermis).
pub const DERMAL_WOUND_FRACTION: Param = Param {
    name: "safety.dermal_wound_fraction",
    unit: "1",
    value: 0.5,
    allowed: (0.0, 1.0),
    distribution: Distribution::Fixed,
    provenance: Provenance::Assumption("most channels wound the dermis"),
    stage: Stage::Safety,
    description: "share of channels into the dermis from which the remodelling interval and the PIH caution apply",
};
/// Phototype from which post-inflammatory hyperpigmentation is a risk worth a caution (III-VI:
/// Manuskiatti 2013 \[P\]; Davis & Callender 2010 \[P\]).
pub const PIH_PHOTOTYPE_FROM: u8 = 4;

/// The safety stage's registered thresholds. Each is a screening rule's threshold: a policy
/// with its source, fixed (not drawn by uncertainty runs), which a scenario may set for itself
/// (`[parameters.safety]`). Not registered: [`PEN_DEPTH_RANGE_MM`] (what pens offer, a device
/// fact), the tip-radius thresholds (derived from the device's sharp tip and the channels
/// stage's `R_C`) and [`PIH_PHOTOTYPE_FROM`] (a category).
pub const PARAMS: &[Param] = &[
    HOME_CAUTION_MM,
    HOME_CONTRAINDICATED_MM,
    OFFICE_CAUTION_MM,
    OFFICE_CONTRAINDICATED_MM,
    PATCH_TEST_MIN_H,
    HOME_RETICULAR_CAUTION_FRACTION,
    FACE_HYPODERMIS_CAUTION_FRACTION,
    HYPODERMIS_CONTRAINDICATED_FRACTION,
    BODY_HYPODERMIS_CAUTION_FRACTION,
    OPENING_CAUTION_FRACTION,
    OPENING_CONTRAINDICATED_FRACTION,
    TORN_CAUTION_FRACTION,
    TORN_ELONGATION_CAUTION,
    REDNESS_CAUTION_H,
    REMODELLING_INTERVAL_D,
    DERMAL_WOUND_FRACTION,
];

/// Face and neck: sites where channels into the fat are unsafe.
pub fn is_face_or_neck(site: &str) -> bool {
    matches!(site, "forehead" | "cheek" | "nose" | "chin" | "perioral" | "neck")
}

// ---------------------------------------------------------------------------------------------
// The rules
// ---------------------------------------------------------------------------------------------

/// What a rule's check reads: the scenario, the stage results and the injury numbers computed
/// from them once per screening.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// The scenario screened.
    pub scenario: &'a Scenario,
    /// The stage results.
    pub stages: &'a Stages<'a>,
    /// The injury numbers of the stages ([`InjuryStats::of`]).
    pub injury: &'a InjuryStats,
}

impl<'a> Context<'a> {
    /// The value of a registry parameter in this scenario (overrides applied).
    fn param(&self, p: &Param) -> f64 {
        self.scenario.parameters.get(p)
    }

    /// What the device is called in a message: "roller", "pen cartridge" or "stamp".
    fn device_noun(&self) -> &'static str {
        match self.scenario.device.kind {
            DeviceKind::Dermaroller(_) => "roller",
            DeviceKind::Dermapen(_) => "pen cartridge",
            DeviceKind::Stamp(_) => "stamp",
        }
    }

    /// The hypodermis shares above which channels into the fat are cautioned and
    /// contraindicated: the face and neck, and any site at home, are stricter than body sites
    /// in a clinic (never contraindicated there).
    fn fat_limits(&self) -> (f64, f64) {
        let home = self.scenario.protocol.setting == Setting::Home;
        if is_face_or_neck(&self.scenario.skin.site) || home {
            (self.param(&FACE_HYPODERMIS_CAUTION_FRACTION), self.param(&HYPODERMIS_CONTRAINDICATED_FRACTION))
        } else {
            (self.param(&BODY_HYPODERMIS_CAUTION_FRACTION), f64::INFINITY)
        }
    }

    /// The anaesthetic exposure and the numbing protocol, when the numbing stage computed one.
    fn exposure(&self) -> Option<(&'a Exposure, &'a Numbing)> {
        let e = self.stages.numbing.and_then(|n| n.exposure.as_ref())?;
        Some((e, self.scenario.protocol.numbing.as_ref()?))
    }

    /// The numbing stage's assessment, when it recommends a time, and the cream applied (None:
    /// no cream, or `cream = "none"`).
    fn numbing(&self) -> Option<(&'a NumbingAssessment, Option<&'a Numbing>)> {
        let n = self.stages.numbing.filter(|n| n.recommended_minutes > 0.0)?;
        Some((n, self.scenario.protocol.numbing.as_ref().filter(|p| p.cream != NumbingCream::None)))
    }
}

/// A rule that fired: the message and the scenario field it concerns.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// What is wrong and why, for a practitioner.
    pub message: String,
    /// The scenario field: absolute for a scenario rule (`device.uses`), relative to the
    /// product for a product rule (`patch_test_hours`, screened as `products[i].patch_test_hours`).
    pub field: String,
}

fn hit(field: &str, message: String) -> Option<Hit> {
    Some(Hit { message, field: field.to_string() })
}

/// What a rule is evaluated on, and its check.
#[derive(Clone, Copy, Debug)]
pub enum Check {
    /// Once per screening.
    Scenario(fn(&Context<'_>) -> Option<Hit>),
    /// Once per product (`products[i]`), in file order; the hit's field is the product's key.
    Product(fn(&Context<'_>, &Product) -> Option<Hit>),
    /// Once per ingredient class a product lists (field `products[i].contains[j]`); returns
    /// the message.
    Ingredient(fn(&Product, Ingredient) -> Option<String>),
}

/// Which skin a rule applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applies {
    /// Living skin only (`skin.mounting = "in-vivo"`): patient, product, setting, injury,
    /// series and numbing rules.
    LivingSkin,
    /// Living and excised skin (a Franz cell): the device's condition.
    AnySkin,
}

/// One screening rule: a finding `code` with its `severity` and `source`, and the check that
/// decides whether it fires. A graded rule (caution, then contraindicated above a second
/// threshold) is two rows with the same code whose checks exclude each other.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// Stable finding code.
    pub code: &'static str,
    /// The severity of the finding.
    pub severity: Severity,
    /// Where the rule comes from, with its confidence tag (or a plain statement that it is
    /// practice consensus or an assumption).
    pub source: &'static str,
    /// Which skin it applies to.
    pub applies: Applies,
    /// When it fires, and what it says.
    pub check: Check,
}

const fn rule(code: &'static str, severity: Severity, source: &'static str, check: Check) -> Rule {
    Rule { code, severity, source, applies: Applies::LivingSkin, check }
}

const fn device_rule(code: &'static str, severity: Severity, source: &'static str, check: Check) -> Rule {
    Rule { code, severity, source, applies: Applies::AnySkin, check }
}

use Check::{Ingredient as PerIngredient, Product as PerProduct, Scenario as Once};
use Severity::{Caution, Contraindicated, Info};

/// The screening rules after the patient's conditions ([`condition_rule`]), in screening
/// order: patient risks, products (each product in file order through all product rows, the
/// ingredient rows once per listed ingredient), device, needle and channel depth for the
/// setting, injury, series, anaesthetic exposure, numbing. Thresholds are the registry
/// parameters above ([`PARAMS`]); the rules and their sources are listed in `docs/models.md §8`.
#[rustfmt::skip]
pub const RULES: &[Rule] = &[
    // Patient risks.
    rule("PATIENT_PIH_RISK", Caution, SRC_PIH, Once(pih_risk)),
    // Products.
    rule("PRODUCT_VITAMIN_C", Contraindicated, SRC_VITAMIN_C, PerProduct(|_, p| vitamin_c(p, false))),
    rule("PRODUCT_VITAMIN_C", Caution, SRC_VITAMIN_C, PerProduct(|_, p| vitamin_c(p, true))),
    rule("PRODUCT_NOT_FORMULATED", Caution, SRC_FORMULATED, PerProduct(not_formulated)),
    rule("PRODUCT_CONTAINS_FRAGRANCE", Caution, SRC_IRRITANT, PerIngredient(|p, c| irritant(p, c, Ingredient::Fragrance))),
    rule("PRODUCT_CONTAINS_ACID", Caution, SRC_IRRITANT, PerIngredient(|p, c| irritant(p, c, Ingredient::ExfoliatingAcid))),
    rule("PRODUCT_CONTAINS_RETINOID", Caution, SRC_IRRITANT, PerIngredient(|p, c| irritant(p, c, Ingredient::Retinoid))),
    rule("PRODUCT_NO_PATCH_TEST", Caution, SRC_PATCH, PerProduct(no_patch_test)),
    rule("PRODUCT_PATCH_TEST_SHORT", Caution, SRC_PATCH, PerProduct(patch_test_short)),
    // Device condition (the bent and dull rows also on excised skin).
    rule("DEVICE_REUSED", Caution, SRC_REUSE, Once(device_reused)),
    device_rule("DEVICE_BENT_NEEDLES", Contraindicated, SRC_BENT, Once(bent_needles)),
    device_rule("DEVICE_DULL_NEEDLES", Contraindicated, SRC_DULL, Once(|cx| dull_needles(cx, Contraindicated))),
    device_rule("DEVICE_DULL_NEEDLES", Caution, SRC_DULL, Once(|cx| dull_needles(cx, Caution))),
    // Needle length for the setting (nominal).
    rule("NEEDLE_TOO_LONG", Contraindicated, SRC_HOME_LENGTH, Once(|cx| needle_length(cx, Setting::Home, Contraindicated))),
    rule("NEEDLE_TOO_LONG", Contraindicated, SRC_OFFICE_LENGTH, Once(|cx| needle_length(cx, Setting::Office, Contraindicated))),
    rule("NEEDLE_LONG", Caution, SRC_HOME_LENGTH, Once(|cx| needle_length(cx, Setting::Home, Caution))),
    rule("NEEDLE_LONG", Caution, SRC_OFFICE_LENGTH, Once(|cx| needle_length(cx, Setting::Office, Caution))),
    rule("PEN_DEPTH_OUT_OF_RANGE", Caution, SRC_PEN_RANGE, Once(pen_depth_out_of_range)),
    // Depth of the channels actually made.
    rule("CHANNELS_INTO_FAT", Contraindicated, SRC_HYPODERMIS, Once(|cx| channels_into_fat(cx, Contraindicated))),
    rule("CHANNELS_INTO_FAT", Caution, SRC_HYPODERMIS, Once(|cx| channels_into_fat(cx, Caution))),
    rule("HOME_CHANNELS_TOO_DEEP", Caution, SRC_HOME_DEPTH, Once(home_channels_too_deep)),
    // Injury over the surface.
    rule("OPENINGS_CONFLUENT", Contraindicated, SRC_OPENING, Once(openings_confluent)),
    rule("OPENINGS_DENSE", Caution, SRC_OPENING, Once(openings_dense)),
    rule("CHANNELS_TORN", Caution, SRC_TORN, Once(channels_torn)),
    rule("REDNESS_PROLONGED", Caution, SRC_REDNESS, Once(redness_prolonged)),
    // Series.
    rule("SERIES_INTERVAL_SHORT", Caution, SRC_INTERVAL, Once(interval_short)),
    rule("SERIES_INTERVAL_BEFORE_REMODELLING", Caution, SRC_REMODELLING, Once(interval_before_remodelling)),
    // Anaesthetic exposure.
    rule("ANAESTHETIC_DOSE_OVER_LABEL", Contraindicated, SRC_EXPOSURE, Once(emla_dose_over_label)),
    rule("ANAESTHETIC_AREA_OVER_LABEL", Contraindicated, SRC_EXPOSURE, Once(emla_area_over_label)),
    rule("ANAESTHETIC_TIME_OVER_LABEL", Contraindicated, SRC_EXPOSURE, Once(emla_time_over_label)),
    rule("ANAESTHETIC_TIME_OVER_LABEL", Caution, SRC_EXPOSURE, Once(lidocaine_time_over_label)),
    rule("ANAESTHETIC_UPTAKE_OVER_LABEL", Contraindicated, SRC_EXPOSURE, Once(uptake_over_label)),
    // Numbing.
    rule("NUMBING_OUT_OF_REACH", Info, SRC_NUMBING_REACH, Once(numbing_out_of_reach)),
    rule("NUMBING_TOO_SHORT", Caution, SRC_NUMBING, Once(numbing_too_short)),
    rule("NUMBING_NONE", Info, SRC_NO_NUMBING, Once(numbing_none)),
];

/// Screens a scenario with its stage results: the patient's conditions (in the order given,
/// living skin only), then every row of [`RULES`] that applies to the skin, in table order.
pub fn screen(s: &Scenario, st: &Stages<'_>) -> Vec<Finding> {
    let injury = InjuryStats::of(st);
    let cx = Context { scenario: s, stages: st, injury: &injury };
    let living = s.skin.mounting == Mounting::InVivo;
    let applies = |r: &Rule| living || r.applies == Applies::AnySkin;
    let mut out = Vec::new();
    if living {
        for (i, &c) in s.patient.conditions.iter().enumerate() {
            let r = condition_rule(c);
            out.push(Finding {
                code: r.code,
                severity: r.severity,
                message: r.message.to_string(),
                field: format!("patient.conditions[{i}]"),
                source: r.source,
            });
        }
    }
    let mut rows = RULES;
    while let Some(first) = rows.first() {
        if let Check::Scenario(check) = first.check {
            if let Some(h) = applies(first).then(|| check(&cx)).flatten() {
                out.push(first.finding(h.message, h.field));
            }
            rows = &rows[1..];
        } else {
            // A block of product and ingredient rows: product by product.
            let n = rows.iter().take_while(|r| !matches!(r.check, Check::Scenario(_))).count();
            let block: Vec<&Rule> = rows[..n].iter().filter(|r| applies(r)).collect();
            screen_products(&cx, &block, &mut out);
            rows = &rows[n..];
        }
    }
    out
}

impl Rule {
    fn finding(&self, message: String, field: String) -> Finding {
        Finding { code: self.code, severity: self.severity, message, field, source: self.source }
    }
}

/// The product rows of a block for every product in file order; a run of ingredient rows is
/// evaluated ingredient by ingredient (in the order the product lists them).
fn screen_products(cx: &Context<'_>, block: &[&Rule], out: &mut Vec<Finding>) {
    for (i, p) in cx.scenario.products.iter().enumerate() {
        let mut rows = block;
        while let Some(first) = rows.first() {
            if let Check::Product(check) = first.check {
                if let Some(h) = check(cx, p) {
                    out.push(first.finding(h.message, format!("products[{i}].{}", h.field)));
                }
                rows = &rows[1..];
                continue;
            }
            let n = rows.iter().take_while(|r| matches!(r.check, Check::Ingredient(_))).count();
            for (j, &c) in p.contains.iter().enumerate() {
                for r in &rows[..n] {
                    if let Check::Ingredient(check) = r.check {
                        if let Some(message) = check(p, c) {
                            out.push(r.finding(message, format!("products[{i}].contains[{j}]")));
                        }
                    }
                }
            }
            rows = &rows[n.max(1)..];
        }
    }
}

/// Percent of a share.
fn pct(f: f64) -> f64 {
    100.0 * f
}

// Patient risks.

fn pih_risk(cx: &Context<'_>) -> Option<Hit> {
    let pt = cx.scenario.patient.phototype.filter(|p| p.number() >= PIH_PHOTOTYPE_FROM)?;
    if cx.injury.dermal_fraction < cx.param(&DERMAL_WOUND_FRACTION) {
        return None;
    }
    hit(
        "patient.phototype",
        format!(
            "phototype {}: post-inflammatory hyperpigmentation is more likely after dermal wounds; \
conservative depth and density, strict sun protection, and pretreatment of pigment where usual",
            pt.number()
        ),
    )
}

// Products (living skin only).

/// Vitamin C: contraindicated unless the product is formulated for microneedling, then a
/// caution (`formulated` selects which of the two rows).
fn vitamin_c(p: &Product, formulated: bool) -> Option<Hit> {
    if !is_vitamin_c(&p.name, &p.contains) || p.formulated_for_microneedling != formulated {
        return None;
    }
    let extra = if formulated {
        "even if labelled for microneedling, watch for papules in the following weeks"
    } else {
        "do not apply it on freshly needled skin"
    };
    hit(
        "name",
        format!(
            "\"{}\" is or contains vitamin C (L-ascorbic acid), implicated in most granulomatous reactions after \
microneedling; {extra}",
            p.name
        ),
    )
}

fn not_formulated(_: &Context<'_>, p: &Product) -> Option<Hit> {
    if p.formulated_for_microneedling {
        return None;
    }
    hit(
        "formulated_for_microneedling",
        format!(
            "\"{}\" is not marked as formulated for microneedling: needling carries its ingredients into the \
dermis, where they can cause irritation or granulomas",
            p.name
        ),
    )
}

/// An irritant ingredient class (`class`) listed in `contains`.
fn irritant(p: &Product, c: Ingredient, class: Ingredient) -> Option<String> {
    let what = match class {
        Ingredient::Fragrance => "fragrance",
        Ingredient::ExfoliatingAcid => "exfoliating acids",
        Ingredient::Retinoid => "a retinoid",
        _ => return None,
    };
    (c == class).then(|| format!("\"{}\" contains {what}: an irritant on freshly needled skin", p.name))
}

fn no_patch_test(_: &Context<'_>, p: &Product) -> Option<Hit> {
    if p.patch_test_hours.is_some() {
        return None;
    }
    hit(
        "patch_test_hours",
        format!(
            "\"{}\" has not been patch-tested: the seed article advises applying it to a small area and waiting \
24 h first (advice; no peer-reviewed source prescribes it)",
            p.name
        ),
    )
}

fn patch_test_short(cx: &Context<'_>, p: &Product) -> Option<Hit> {
    let h = p.patch_test_hours.filter(|h| *h < cx.param(&PATCH_TEST_MIN_H))?;
    hit(
        "patch_test_hours",
        format!(
            "\"{}\" was patch-tested for {h} h, less than the 24 h the seed article advises (advice; no \
peer-reviewed source prescribes it)",
            p.name
        ),
    )
}

/// Whether a product is vitamin C: its ingredient classes include `vitamin-c`, or its (free)
/// name names ascorbic acid, an ascorbyl ester or vitamin C (conservative: a name is matched
/// by substring).
fn is_vitamin_c(name: &str, contains: &[Ingredient]) -> bool {
    let n = crate::scenario::vocabulary::normalise(name);
    contains.contains(&Ingredient::VitaminC)
        || n.contains("ascorbic")
        || n.contains("ascorbyl")
        || n.contains("vitamin-c")
        || n.contains("vita-c")
        || n == "vit-c"
}

// Device condition.

fn device_reused(cx: &Context<'_>) -> Option<Hit> {
    let d = &cx.scenario.device;
    if d.uses == 0 {
        return None;
    }
    hit(
        "device.uses",
        format!(
            "the {} has been used {} time(s) before: medical microneedling devices are single-use and \
sterile; reuse risks infection and blunt needles",
            cx.device_noun(),
            d.uses
        ),
    )
}

fn bent_needles(cx: &Context<'_>) -> Option<Hit> {
    let d = &cx.scenario.device;
    if d.bent_fraction <= 0.0 {
        return None;
    }
    hit(
        "device.bent_fraction",
        format!(
            "{:.0} % of the needles are bent: bent needles tear the skin and can scar; replace the {}",
            100.0 * d.bent_fraction,
            cx.device_noun()
        ),
    )
}

/// Blunt tips (worn by earlier uses or given): contraindicated above
/// [`DULL_TIP_CONTRAINDICATED_UM`], a caution above [`DULL_TIP_CAUTION_UM`].
fn dull_needles(cx: &Context<'_>, severity: Severity) -> Option<Hit> {
    let d = &cx.scenario.device;
    let tip = worn_tip_radius_um(&d.needle, d.uses);
    let field = if d.uses > 0 { "device.uses" } else { "device.tip_radius_um" };
    match severity {
        Severity::Contraindicated if tip > DULL_TIP_CONTRAINDICATED_UM => hit(
            field,
            format!(
                "needle tips are blunt ({tip:.1} um radius, a sharp tip is {SHARP_TIP_RADIUS_UM} um): they press the \
skin in before piercing it and tear it; replace the {}",
                cx.device_noun()
            ),
        ),
        Severity::Caution if tip > DULL_TIP_CAUTION_UM && tip <= DULL_TIP_CONTRAINDICATED_UM => hit(
            field,
            format!(
                "needle tips are dull ({tip:.1} um radius, more than twice the sharp {SHARP_TIP_RADIUS_UM} um): \
shallower, more ragged channels"
            ),
        ),
        _ => None,
    }
}

// Needle length and channel depth for the setting.

/// The nominal needle length against the limits of `setting` (the row's setting; the rule
/// is silent in the other): contraindicated above the upper limit, a caution above the lower.
fn needle_length(cx: &Context<'_>, setting: Setting, severity: Severity) -> Option<Hit> {
    let s = cx.scenario;
    if s.protocol.setting != setting {
        return None;
    }
    let len_mm = s.device.needle.length_mm();
    let (caution_mm, contra_mm, place) = match setting {
        Setting::Home => (cx.param(&HOME_CAUTION_MM), cx.param(&HOME_CONTRAINDICATED_MM), "at home"),
        Setting::Office => (cx.param(&OFFICE_CAUTION_MM), cx.param(&OFFICE_CONTRAINDICATED_MM), "in a clinic"),
    };
    let message = match severity {
        Severity::Contraindicated if len_mm > contra_mm => {
            format!("{len_mm} mm needles are longer than the {contra_mm} mm limit for treatment {place}")
        }
        Severity::Caution if len_mm > caution_mm && len_mm <= contra_mm => {
            format!("{len_mm} mm needles are longer than the {caution_mm} mm usual for treatment {place}")
        }
        _ => return None,
    };
    hit("device.needle_length_mm", message)
}

fn pen_depth_out_of_range(cx: &Context<'_>) -> Option<Hit> {
    let d = &cx.scenario.device;
    let len_mm = d.needle.length_mm();
    if !matches!(d.kind, DeviceKind::Dermapen(_)) || (PEN_DEPTH_RANGE_MM.0..=PEN_DEPTH_RANGE_MM.1).contains(&len_mm) {
        return None;
    }
    hit(
        "device.needle_length_mm",
        format!(
            "a pen depth setting of {len_mm} mm is outside the {}-{} mm range pens offer",
            PEN_DEPTH_RANGE_MM.0, PEN_DEPTH_RANGE_MM.1
        ),
    )
}

/// The share of channels reaching the hypodermis against [`Context::fat_limits`].
fn channels_into_fat(cx: &Context<'_>, severity: Severity) -> Option<Hit> {
    let (fat_caution, fat_contra) = cx.fat_limits();
    // The site's dermis as the published methods read it (skin::DERMIS_RANGES): the
    // contraindication rests on the central reading; where only the thinnest reading puts the
    // channels into the fat, the screen cautions and names the range.
    let by = cx.injury.hypodermis_by_dermis;
    let range = cx.scenario.skin.dermis_range_um;
    let (fat, p90, site) = (by.nominal, cx.injury.depth_p90_um, &cx.scenario.skin.site);
    let spread = if range.is_range() {
        format!(
            "; {:.0} / {:.0} / {:.0} % on the thinnest / central / thickest published dermis of the {site} ({:.2} / {:.2} / {:.2} mm)",
            pct(by.thin),
            pct(by.nominal),
            pct(by.thick),
            range.thin_um / 1000.0,
            range.nominal_um / 1000.0,
            range.thick_um / 1000.0
        )
    } else {
        String::new()
    };
    let message = match severity {
        Severity::Contraindicated if fat > fat_contra => {
            let where_ =
                if is_face_or_neck(site) { format!("on the {site}") } else { format!("at home on the {site}") };
            format!(
                "{:.0} % of the channels reach the subcutaneous fat {where_} (90 % are at most {p90:.0} um deep{spread}): nerves and vessels run there; use a shorter needle or depth setting",
                pct(fat)
            )
        }
        Severity::Caution if fat > fat_caution && fat <= fat_contra => format!(
            "{:.0} % of the channels reach the subcutaneous fat on the {site} (90 % are at most {p90:.0} um deep{spread}): deeper than the dermis the treatment targets",
            pct(fat)
        ),
        Severity::Caution if by.thin > fat_caution && fat <= fat_caution => format!(
            "the channels (90 % at most {p90:.0} um deep) reach the subcutaneous fat only on the thinnest published dermis of the {site}{spread}: whether they reach it depends on this patient's dermis; measure it (high-frequency ultrasound, skin.reticular_dermis_um) or use a shorter needle"
        ),
        _ => return None,
    };
    hit("device.needle_length_mm", message)
}

/// At home, channels into the reticular dermis (unless already contraindicated for the fat).
fn home_channels_too_deep(cx: &Context<'_>) -> Option<Hit> {
    let i = cx.injury;
    if cx.scenario.protocol.setting != Setting::Home
        || i.reticular_or_deeper_fraction <= cx.param(&HOME_RETICULAR_CAUTION_FRACTION)
        || i.hypodermis_by_dermis.nominal > cx.fat_limits().1
    {
        return None;
    }
    hit(
        "protocol.setting",
        format!(
            "{:.0} % of the channels reach the reticular dermis (90 % are at most {:.0} um deep): deeper than \
home devices go, with bleeding and days of redness; this depth belongs in a clinic",
            pct(i.reticular_or_deeper_fraction),
            i.depth_p90_um
        ),
    )
}

// Injury over the surface.

fn openings_confluent(cx: &Context<'_>) -> Option<Hit> {
    let f = cx.injury.opening_fraction;
    if f <= cx.param(&OPENING_CONTRAINDICATED_FRACTION) {
        return None;
    }
    hit(
        "protocol",
        format!(
            "{:.0} % of the surface lies inside a channel opening: the wounds merge into an open wound instead \
of leaving intact skin between them; fewer passes or a smaller depth",
            pct(f)
        ),
    )
}

fn openings_dense(cx: &Context<'_>) -> Option<Hit> {
    let f = cx.injury.opening_fraction;
    if f > cx.param(&OPENING_CONTRAINDICATED_FRACTION) || f <= cx.param(&OPENING_CAUTION_FRACTION) {
        return None;
    }
    hit(
        "protocol",
        format!(
            "{:.0} % of the surface lies inside a channel opening: dense wounds raise the risk of \
hyperpigmentation and slow healing",
            pct(f)
        ),
    )
}

fn channels_torn(cx: &Context<'_>) -> Option<Hit> {
    let i = cx.injury;
    if i.torn_fraction <= cx.param(&TORN_CAUTION_FRACTION) || i.torn_elongation <= cx.param(&TORN_ELONGATION_CAUTION) {
        return None;
    }
    hit(
        "device",
        format!(
            "{:.0} % of the channels are torn along the stroke, their openings {:.1} times as long as wide \
(the standard 1.5 mm trial roller: 3.7): ragged wounds, risk of tram-track scars; a shorter needle, lighter \
pressure or a pen",
            pct(i.torn_fraction),
            i.torn_elongation
        ),
    )
}

fn redness_prolonged(cx: &Context<'_>) -> Option<Hit> {
    let h = cx.injury.redness_resolved_h.filter(|h| *h > cx.param(&REDNESS_CAUTION_H))?;
    hit(
        "protocol",
        format!(
            "redness is expected to last about {:.1} days, beyond the usual 3 days: a sign of over-treatment",
            h / 24.0
        ),
    )
}

// Series.

fn interval_short(cx: &Context<'_>) -> Option<Hit> {
    let p = &cx.scenario.protocol;
    if p.sessions <= 1 {
        return None;
    }
    let recovery = cx.injury.recovery_days.filter(|r| p.interval_days < *r)?;
    hit(
        "protocol.interval_days",
        format!(
            "sessions {} days apart come before the skin has recovered from the previous one (about {:.1} \
days)",
            p.interval_days, recovery
        ),
    )
}

fn interval_before_remodelling(cx: &Context<'_>) -> Option<Hit> {
    let p = &cx.scenario.protocol;
    let dermal = cx.injury.dermal_fraction;
    if p.sessions <= 1
        || dermal < cx.param(&DERMAL_WOUND_FRACTION)
        || p.interval_days >= cx.param(&REMODELLING_INTERVAL_D)
    {
        return None;
    }
    hit(
        "protocol.interval_days",
        format!(
            "sessions {} days apart: {:.0} % of the channels wound the dermis, whose repair takes weeks; \
sessions that wound the dermis are usually 4-6 weeks apart",
            p.interval_days,
            pct(dermal)
        ),
    )
}

// Anaesthetic exposure.

/// The EMLA exposure, when the cream is EMLA.
fn emla<'a>(cx: &Context<'a>) -> Option<&'a Exposure> {
    cx.exposure().filter(|(_, p)| p.cream == NumbingCream::Emla).map(|(e, _)| e)
}

fn emla_dose_over_label(cx: &Context<'_>) -> Option<Hit> {
    let e = emla(cx).filter(|e| e.grams > e.label.max_grams)?;
    hit(
        "protocol.numbing.grams",
        format!("{:.0} g of EMLA: the label allows at most {:.0} g for {}", e.grams, e.label.max_grams, e.label.band),
    )
}

fn emla_area_over_label(cx: &Context<'_>) -> Option<Hit> {
    let e = emla(cx).filter(|e| e.area_cm2 > e.label.max_area_cm2)?;
    hit(
        "protocol.numbing.area_cm2",
        format!(
            "EMLA over {:.0} cm2: the label allows at most {:.0} cm2 for {}",
            e.area_cm2, e.label.max_area_cm2, e.label.band
        ),
    )
}

fn emla_time_over_label(cx: &Context<'_>) -> Option<Hit> {
    let e = emla(cx).filter(|e| e.minutes > e.label.max_minutes)?;
    hit(
        "protocol.numbing.minutes",
        format!(
            "EMLA for {:.0} min: the label allows at most {:.0} min for {}",
            e.minutes, e.label.max_minutes, e.label.band
        ),
    )
}

/// Lidocaine creams (every cream but EMLA) applied longer than usual.
fn lidocaine_time_over_label(cx: &Context<'_>) -> Option<Hit> {
    let (e, p) = cx.exposure()?;
    let max = crate::numbing::LIDOCAINE_CREAM_MAX_MINUTES;
    if p.cream == NumbingCream::Emla || e.minutes <= max {
        return None;
    }
    hit(
        "protocol.numbing.minutes",
        format!(
            "{} for {:.0} min: lidocaine creams are usually applied for no longer than {max:.0} min",
            p.cream.name(),
            e.minutes
        ),
    )
}

fn uptake_over_label(cx: &Context<'_>) -> Option<Hit> {
    let (e, _) = cx.exposure().filter(|(e, _)| e.systemic_over_label())?;
    let worst = e
        .bases
        .iter()
        .max_by(|a, b| (a.systemic_mg / a.label_max_systemic_mg).total_cmp(&(b.systemic_mg / b.label_max_systemic_mg)))
        .expect("a cream has a base");
    hit(
        "protocol.numbing",
        format!(
            "about {:.0} mg of {} would reach the blood ({:.0} g over {:.0} cm2 for {:.0} min), more than the \
{:.0} mg of the label's largest use for {}",
            worst.systemic_mg, worst.base, e.grams, e.area_cm2, e.minutes, worst.label_max_systemic_mg, e.label.band
        ),
    )
}

// Numbing.

fn numbing_out_of_reach(cx: &Context<'_>) -> Option<Hit> {
    let (n, Some(p)) = cx.numbing()? else { return None };
    if n.reaches_channels {
        return None;
    }
    hit(
        "protocol.numbing.cream",
        format!(
            "9 channels in 10 reach {:.0} um; {} numbs {:.0} um at most in 3 h: the deepest part of \
the channels will be felt{}",
            n.channel_depth_p90_um,
            p.cream.name(),
            n.max_numb_depth_um,
            match &n.deepest_cream {
                Some((name, d)) if *d >= n.channel_depth_p90_um => format!(" ({name} reaches it)"),
                _ => " (no topical cream reaches it)".to_string(),
            }
        ),
    )
}

fn numbing_too_short(cx: &Context<'_>) -> Option<Hit> {
    let (n, Some(p)) = cx.numbing()? else { return None };
    let rec = n.recommended_minutes;
    if p.minutes >= rec {
        return None;
    }
    hit(
        "protocol.numbing.minutes",
        format!(
            "{} applied for {} min: the numbing model recommends about {rec:.0} min for this cream \
and channel depth; expect pain",
            p.cream.name(),
            p.minutes
        ),
    )
}

fn numbing_none(cx: &Context<'_>) -> Option<Hit> {
    let (n, None) = cx.numbing()? else { return None };
    hit(
        "protocol.numbing",
        format!(
            "no numbing cream: the channels (about {:.0} um) reach below the nerve endings; a topical \
anaesthetic for about {:.0} min is usual",
            n.channel_depth_p90_um, n.recommended_minutes
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skin::Layer;

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

    fn parse(text: &str, set: &[&str]) -> Scenario {
        let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
        crate::scenario::parse(text, &set).unwrap_or_else(|e| panic!("{}", e[0].message))
    }

    /// Findings of the full screening path (the stages run).
    fn findings(set: &[&str]) -> Vec<Finding> {
        check(&parse(CLEAN, set)).summary.findings
    }

    fn with_text(text: &str) -> Vec<Finding> {
        check(&parse(text, &[])).summary.findings
    }

    fn has(f: &[Finding], code: &str, sev: Severity) -> bool {
        f.iter().any(|x| x.code == code && x.severity == sev)
    }

    /// Hand-made channels (`n` of them, `share` of which reach `deep`, the rest the papillary
    /// dermis) and a pattern with `coverage`: the injury rules without the mechanics.
    fn synthetic(n: usize, share: f64, deep: Layer, torn: bool, coverage: f64) -> (Vec<Channel>, PatternStats) {
        let k = (share * n as f64).round() as usize;
        let channels = (0..n)
            .map(|i| Channel {
                x_um: i as f64,
                y_um: 0.0,
                depth_um: if i < k { 2000.0 } else { 150.0 },
                width_um: 50.0,
                length_um: if torn { 300.0 } else { 50.0 },
                direction_deg: 0.0,
                tilt_deg: 0.0,
                layer: if i < k { deep } else { Layer::PapillaryDermis },
                bent: false,
                torn,
            })
            .collect();
        let pattern = PatternStats {
            punctures: n,
            distinct_holes: n,
            hole_of: (0..n as u32).collect(),
            coverage_fraction: coverage,
            nearest_neighbour_um: None,
        };
        (channels, pattern)
    }

    fn screen_synthetic(s: &Scenario, c: &(Vec<Channel>, PatternStats)) -> Vec<Finding> {
        let stats = crate::channels::stats(&c.0, &s.skin);
        screen(s, &Stages { channels: &c.0, channel_stats: &stats, pattern: &c.1, healing: None, numbing: None })
    }

    #[test]
    fn clean_scenario_has_no_findings_and_verdict_ok() {
        let s = parse(CLEAN, &[]);
        let sc = check(&s);
        assert!(sc.summary.findings.is_empty(), "{:#?}", sc.summary.findings);
        assert_eq!(sc.summary.verdict, Verdict::Ok);
        let n = sc.numbing.expect("living skin has a numbing assessment");
        assert_eq!(n.recommended_minutes, 0.0, "0.25 mm roller channels need no cream: {n:?}");
        let inj = sc.summary.injury.unwrap();
        assert!(inj.channels > 0 && inj.hypodermis_fraction == 0.0, "{inj:?}");
        assert_eq!(serde_json::to_value(&sc.summary).unwrap()["verdict"], "ok");
    }

    #[test]
    fn check_gives_the_findings_of_a_run() {
        // One screening path: `check` and `simulate` screen the same stage results.
        let s = parse(
            CLEAN,
            &[
                "device.needle_length_mm=1.0",
                "patient.conditions=[\"anticoagulants\"]",
                "protocol.sessions=4",
                "protocol.interval_days=7",
                "simulation.transport=\"off\"",
            ],
        );
        let run = crate::simulate(&s);
        let c = check(&s);
        assert_eq!(run.summary.safety, c.summary);
        assert_eq!(run.numbing, c.numbing);
        assert!(c.summary.findings.len() >= 3, "{:#?}", c.summary.findings);
    }

    #[test]
    fn verdict_is_the_most_serious_finding() {
        let f = |severity| Finding { code: "X", severity, message: String::new(), field: String::new(), source: "" };
        assert_eq!(Verdict::of(&[]), Verdict::Ok);
        assert_eq!(Verdict::of(&[f(Severity::Info)]), Verdict::Ok);
        assert_eq!(Verdict::of(&[f(Severity::Info), f(Severity::Caution)]), Verdict::Caution);
        assert_eq!(Verdict::of(&[f(Severity::Contraindicated), f(Severity::Caution)]), Verdict::Contraindicated);
        assert_eq!(serde_json::to_value(Verdict::Contraindicated).unwrap(), "contraindicated");
        assert!(Severity::Info < Severity::Caution && Severity::Caution < Severity::Contraindicated);
    }

    #[test]
    fn every_condition_has_a_rule_with_a_source_and_is_screened_in_order() {
        for &c in Condition::ALL {
            let r = condition_rule(c);
            assert!(r.code.starts_with("CONDITION_") && !r.message.is_empty() && !r.source.is_empty(), "{c:?}");
            let f = findings(&[&format!("patient.conditions=[\"{}\"]", c.name())]);
            assert!(has(&f, r.code, r.severity), "{c:?}: {f:#?}");
            assert_eq!(f[0].field, "patient.conditions[0]");
        }
        let f = findings(&["patient.conditions=[\"anticoagulants\", \"Pregnant.\", \"acne\"]"]);
        let codes: Vec<&str> = f.iter().map(|x| x.code).collect();
        assert_eq!(codes, ["CONDITION_ANTICOAGULANTS", "CONDITION_PREGNANCY", "CONDITION_ACTIVE_ACNE"]);
        assert_eq!(Verdict::of(&f), Verdict::Contraindicated);
    }

    #[test]
    fn the_brief_conditions_have_their_severities() {
        use Severity::{Caution, Contraindicated};
        for (name, code, sev) in [
            ("active-acne", "CONDITION_ACTIVE_ACNE", Contraindicated),
            ("keloid-tendency", "CONDITION_KELOID", Contraindicated),
            ("isotretinoin", "CONDITION_ISOTRETINOIN", Contraindicated),
            ("pregnancy", "CONDITION_PREGNANCY", Contraindicated),
            ("skin-infection", "CONDITION_SKIN_INFECTION", Contraindicated),
            ("anticoagulants", "CONDITION_ANTICOAGULANTS", Caution),
            ("herpes-history", "CONDITION_HERPES_HISTORY", Caution),
        ] {
            let f = findings(&[&format!("patient.conditions=[\"{name}\"]")]);
            assert!(has(&f, code, sev), "{name}: {f:#?}");
        }
    }

    #[test]
    fn dark_phototypes_are_cautioned_for_dermal_wounds_only() {
        let deep = ["device.needle_length_mm=1.0", "protocol.setting=office", "patient.phototype=\"V\""];
        let f = findings(&deep);
        assert!(has(&f, "PATIENT_PIH_RISK", Severity::Caution), "{f:#?}");
        assert_eq!(f.iter().find(|x| x.code == "PATIENT_PIH_RISK").unwrap().field, "patient.phototype");
        // A 0.1 mm home roller's channels stay in the epidermis (a 0.25 mm one reaches the
        // papillary dermis of the cheek in living human skin, issue #17).
        let epidermal = ["device.needle_length_mm=0.1", "patient.phototype=\"VI\""];
        assert!(!has(&findings(&epidermal), "PATIENT_PIH_RISK", Severity::Caution));
        let light = ["device.needle_length_mm=1.0", "protocol.setting=office", "patient.phototype=\"II\""];
        assert!(!findings(&light).iter().any(|x| x.code == "PATIENT_PIH_RISK"));
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
    fn excised_skin_screens_only_the_device() {
        let text = r#"
[skin]
site = "dermatomed-human"
[device]
type = "dermaroller"
preset = "roller-192"
needle_length_mm = 2.0
bent_fraction = 0.1
[protocol]
setting = "home"
area_cm2 = 1
[[products]]
name = "l-ascorbic-acid"
concentration_mg_ml = 100
contains = ["fragrance"]
[simulation]
window_mm = 5
"#;
        let f = with_text(text);
        let codes: Vec<&str> = f.iter().map(|x| x.code).collect();
        assert_eq!(codes, ["DEVICE_BENT_NEEDLES"], "no product, setting or numbing rule on a Franz cell: {f:#?}");
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
    fn nominal_needle_length_limits_depend_on_the_setting() {
        let s = |set: &[&str]| parse(CLEAN, set);
        let shallow = synthetic(100, 0.0, Layer::PapillaryDermis, false, 0.01);
        let codes = |set: &[&str]| -> Vec<&'static str> {
            screen_synthetic(&s(set), &shallow).iter().map(|f| f.code).filter(|c| c.starts_with("NEEDLE_")).collect()
        };
        assert!(codes(&["device.needle_length_mm=0.5"]).is_empty());
        assert_eq!(codes(&["device.needle_length_mm=0.75"]), ["NEEDLE_LONG"]);
        assert_eq!(codes(&["device.needle_length_mm=1.5"]), ["NEEDLE_TOO_LONG"]);
        assert!(codes(&["device.needle_length_mm=1.5", "protocol.setting=office"]).is_empty());
        assert_eq!(codes(&["device.needle_length_mm=2.75", "protocol.setting=office"]), ["NEEDLE_LONG"]);
        assert_eq!(codes(&["device.needle_length_mm=3.25", "protocol.setting=office"]), ["NEEDLE_TOO_LONG"]);
    }

    #[test]
    fn channels_into_the_fat_are_contraindicated_on_the_face_and_cautioned_on_the_body() {
        let office = parse(CLEAN, &["protocol.setting=office", "device.needle_length_mm=1.0"]);
        let body = parse(CLEAN, &["protocol.setting=office", "device.needle_length_mm=1.0", "skin.site=abdomen"]);
        let code = |s: &Scenario, share: f64| {
            screen_synthetic(s, &synthetic(200, share, Layer::Hypodermis, false, 0.01))
                .into_iter()
                .find(|f| f.code == "CHANNELS_INTO_FAT")
                .map(|f| f.severity)
        };
        assert_eq!(code(&office, 0.0), None);
        assert_eq!(code(&office, 0.005), None, "a stray channel at the tail of the spread");
        assert_eq!(code(&office, 0.05), Some(Severity::Caution));
        assert_eq!(code(&office, 0.5), Some(Severity::Contraindicated));
        assert_eq!(code(&body, 0.05), None);
        assert_eq!(code(&body, 0.5), Some(Severity::Caution));
    }

    #[test]
    fn fat_reached_only_on_the_thinnest_published_dermis_is_cautioned_not_contraindicated() {
        // A 1.0 mm roller on a woman's cheek: about 950 um channels pass Meng's HFUS dermis
        // (0.94 mm with the epidermis) but not the histological (1.40 mm) or 50 MHz one.
        let roller = ["protocol.setting=office", "device.preset=roller-192", "skin.sex=female"];
        let fat = |set: &[&str]| {
            let sc = check(&parse(CLEAN, set));
            let f = sc.summary.findings.into_iter().find(|f| f.code == "CHANNELS_INTO_FAT");
            (f, sc.summary.injury.unwrap().hypodermis_by_dermis)
        };
        let (f, by) = fat(&[&roller[..], &["device.needle_length_mm=1.0"]].concat());
        assert!(by.thin > 0.3 && by.nominal == 0.0 && by.thick == 0.0, "{by:?}");
        let f = f.expect("cautioned");
        assert_eq!(f.severity, Severity::Caution);
        assert!(f.message.contains("thinnest") && f.message.contains("0.87 / 1.32 / 1.94 mm"), "{}", f.message);
        // A measured dermis (the scenario sets it) is one value: the thin reading, measured, contraindicates.
        let (f, by) = fat(&[&roller[..], &["device.needle_length_mm=1.0", "skin.reticular_dermis_um=670"]].concat());
        assert!(by.thin == by.nominal && by.nominal == by.thick, "{by:?}");
        assert_eq!(f.map(|f| f.severity), Some(Severity::Contraindicated));
        // The 1.5 mm roller (about 1450 um) reaches the fat on the central reading too.
        let (f, by) = fat(&[&roller[..], &["device.needle_length_mm=1.5"]].concat());
        assert!(by.nominal > 0.5 && by.thick == 0.0, "{by:?}");
        assert_eq!(f.map(|f| f.severity), Some(Severity::Contraindicated));
    }

    #[test]
    fn home_channels_into_the_reticular_dermis_are_cautioned() {
        let home = parse(CLEAN, &[]);
        let f = screen_synthetic(&home, &synthetic(100, 0.5, Layer::ReticularDermis, false, 0.01));
        assert!(has(&f, "HOME_CHANNELS_TOO_DEEP", Severity::Caution), "{f:#?}");
        let f = screen_synthetic(&home, &synthetic(100, 0.05, Layer::ReticularDermis, false, 0.01));
        assert!(!f.iter().any(|x| x.code == "HOME_CHANNELS_TOO_DEEP"), "{f:#?}");
        let office = parse(CLEAN, &["protocol.setting=office"]);
        let f = screen_synthetic(&office, &synthetic(100, 1.0, Layer::ReticularDermis, false, 0.01));
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn dense_openings_and_torn_channels_are_flagged() {
        let s = parse(CLEAN, &["protocol.setting=office"]);
        let sev = |c: &(Vec<Channel>, PatternStats), code: &str| {
            screen_synthetic(&s, c).into_iter().find(|f| f.code == code).map(|f| f.severity)
        };
        let p = |coverage| synthetic(50, 0.0, Layer::PapillaryDermis, false, coverage);
        assert_eq!(sev(&p(0.1), "OPENINGS_DENSE"), None);
        assert_eq!(sev(&p(0.3), "OPENINGS_DENSE"), Some(Severity::Caution));
        assert_eq!(sev(&p(0.75), "OPENINGS_CONFLUENT"), Some(Severity::Contraindicated));
        // Torn openings six times as long as wide (synthetic 300/50).
        assert_eq!(
            sev(&synthetic(50, 0.0, Layer::PapillaryDermis, true, 0.01), "CHANNELS_TORN"),
            Some(Severity::Caution)
        );
    }

    #[test]
    fn the_standard_trial_roller_is_not_flagged_for_tearing() {
        // 1.5 mm, 192 needles, 16 passes on the cheek (Dogra 2014, Lotfi 2013).
        let s = parse(
            CLEAN,
            &[
                "device.preset=roller-192",
                "device.needle_length_mm=1.5",
                "protocol.setting=office",
                "protocol.passes=[{direction_deg=0,count=4},{direction_deg=90,count=4},{direction_deg=45,count=4},{direction_deg=135,count=4}]",
                "protocol.numbing={cream=\"emla\", minutes=180}",
            ],
        );
        let sc = check(&s);
        let inj = sc.summary.injury.unwrap();
        assert!(inj.torn_fraction > 0.9 && inj.torn_elongation < TORN_ELONGATION_CAUTION.value, "{inj:?}");
        assert!(!sc.summary.findings.iter().any(|f| f.code == "CHANNELS_TORN"), "{:#?}", sc.summary.findings);
    }

    #[test]
    fn sessions_closer_than_recovery_or_remodelling_are_cautioned() {
        // A full office session (16 passes in four directions, the clinical protocol): a 2-pass
        // touch of a 1.5 mm roller fades within hours since redness is calibrated on people
        // (Bal 2008, issue #17) and is no longer a deep session.
        let deep = [
            "device.preset=roller-192",
            "device.needle_length_mm=1.5",
            "protocol.setting=office",
            "protocol.passes=[{direction_deg=0,count=4},{direction_deg=90,count=4},{direction_deg=45,count=4},{direction_deg=135,count=4}]",
        ];
        let mut set = deep.to_vec();
        set.extend(["protocol.sessions=20", "protocol.interval_days=1"]);
        let f = findings(&set);
        assert!(has(&f, "SERIES_INTERVAL_SHORT", Severity::Caution), "{f:#?}");
        assert!(has(&f, "SERIES_INTERVAL_BEFORE_REMODELLING", Severity::Caution), "{f:#?}");
        let mut set = deep.to_vec();
        set.extend(["protocol.sessions=5", "protocol.interval_days=30"]);
        let f = findings(&set);
        assert!(!f.iter().any(|x| x.code.starts_with("SERIES_")), "monthly sessions are the trial protocol: {f:#?}");
        // Epidermal channels (0.1 mm home roller; a 0.25 mm one reaches the papillary dermis of
        // the cheek in living human skin, issue #17) may be repeated sooner.
        let f = findings(&["device.needle_length_mm=0.1", "protocol.sessions=10", "protocol.interval_days=7"]);
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn anaesthetic_exposure_over_the_label_is_contraindicated() {
        // The issue's case: 240 min of occluded EMLA over 2 000 cm² (the label dose per area).
        let text = "[skin]\nsite = \"thigh\"\n[device]\ntype = \"dermaroller\"\npreset = \"roller-192\"\n\
needle_length_mm = 1.0\n[protocol]\nsetting = \"office\"\narea_cm2 = 2000\n\
numbing = { cream = \"emla\", minutes = 240 }\n";
        let s = crate::scenario::parse(text, &[]).unwrap();
        let sc = check(&s);
        let codes: Vec<&str> = sc.summary.findings.iter().map(|f| f.code).collect();
        for c in ["ANAESTHETIC_DOSE_OVER_LABEL", "ANAESTHETIC_AREA_OVER_LABEL", "ANAESTHETIC_UPTAKE_OVER_LABEL"] {
            assert!(codes.contains(&c), "{c} missing: {codes:?}");
        }
        assert_eq!(sc.summary.verdict, Verdict::Contraindicated);
        let e = sc.numbing.unwrap().exposure.unwrap();
        assert!((e.grams - 300.0).abs() < 1e-9 && e.area_cm2 == 2000.0, "label dose per area by default: {e:?}");
        // Within the label: 20 g over 100 cm² for 60 min gives none of them.
        let ok = crate::scenario::parse(
            &text.replace("area_cm2 = 2000", "area_cm2 = 100").replace("minutes = 240 }", "minutes = 60, grams = 20 }"),
            &[],
        )
        .unwrap();
        let codes: Vec<&str> = check(&ok).summary.findings.iter().map(|f| f.code).collect();
        assert!(!codes.iter().any(|c| c.starts_with("ANAESTHETIC_")), "{codes:?}");
        // A long lidocaine application is a caution; the label's 5 h for EMLA is not exceeded at 300 min.
        let lido = crate::scenario::parse(
            &text
                .replace("area_cm2 = 2000", "area_cm2 = 20")
                .replace("cream = \"emla\", minutes = 240", "cream = \"lidocaine-4\", minutes = 90"),
            &[],
        )
        .unwrap();
        let f = check(&lido).summary.findings;
        let t = f.iter().find(|x| x.code == "ANAESTHETIC_TIME_OVER_LABEL").expect("time caution");
        assert_eq!(t.severity, Severity::Caution);
    }

    #[test]
    fn numbing_shorter_than_recommended_is_cautioned() {
        let base = ["device.preset=roller-192", "device.needle_length_mm=1.5", "protocol.setting=office"];
        let mut set = base.to_vec();
        set.push("protocol.numbing={cream=\"emla\", minutes=5}");
        let f = findings(&set);
        assert!(has(&f, "NUMBING_TOO_SHORT", Severity::Caution), "{f:#?}");
        assert_eq!(f.iter().find(|x| x.code == "NUMBING_TOO_SHORT").unwrap().field, "protocol.numbing.minutes");
        let f = findings(&base);
        assert!(has(&f, "NUMBING_NONE", Severity::Info), "{f:#?}");
    }

    #[test]
    fn every_rule_has_a_code_and_a_source_and_graded_rows_are_adjacent() {
        for (i, r) in RULES.iter().enumerate() {
            assert!(r.code.chars().all(|c| c.is_ascii_uppercase() || c == '_'), "{}", r.code);
            assert!(!r.source.is_empty(), "{}", r.code);
            // Two rows with one code (graded or per setting) follow each other in the table.
            if let Some(j) = RULES[..i].iter().rposition(|q| q.code == r.code) {
                assert!(RULES[j + 1..i].iter().all(|q| q.code == r.code), "{} rows are not adjacent", r.code);
            }
        }
        // Excised skin: only the device's condition.
        let any: Vec<&str> = RULES.iter().filter(|r| r.applies == Applies::AnySkin).map(|r| r.code).collect();
        assert_eq!(any, ["DEVICE_BENT_NEEDLES", "DEVICE_DULL_NEEDLES", "DEVICE_DULL_NEEDLES"]);
    }

    #[test]
    fn products_are_screened_one_after_the_other_and_ingredients_in_listed_order() {
        let a = "name = \"niacinamide\"\nconcentration_mg_ml = 50\nformulated_for_microneedling = true\npatch_test_hours = 48\n\
contains = [\"retinol\", \"water\", \"fragrance\"]";
        let b = "name = \"caffeine\"\nconcentration_mg_ml = 50\nformulated_for_microneedling = true\ncontains = [\"acids\"]";
        let f = with_text(&format!("{}\n[[products]]\n{b}\n", product(a)));
        let got: Vec<(&str, &str)> = f.iter().map(|x| (x.code, x.field.as_str())).collect();
        assert_eq!(
            got,
            [
                ("PRODUCT_CONTAINS_RETINOID", "products[0].contains[0]"),
                ("PRODUCT_CONTAINS_FRAGRANCE", "products[0].contains[2]"),
                ("PRODUCT_CONTAINS_ACID", "products[1].contains[0]"),
                ("PRODUCT_NO_PATCH_TEST", "products[1].patch_test_hours"),
            ]
        );
    }

    #[test]
    fn every_finding_names_a_source_and_a_field() {
        let f = findings(&[
            "patient.conditions=[\"acne\", \"melasma\"]",
            "device.uses=20",
            "device.bent_fraction=0.5",
            "device.needle_length_mm=2",
        ]);
        assert!(f.len() >= 5, "{f:#?}");
        for x in &f {
            assert!(!x.source.is_empty() && !x.message.is_empty() && !x.field.is_empty(), "{x:?}");
        }
    }
}
