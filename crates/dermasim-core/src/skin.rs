//! Skin anatomy: layers, their thicknesses by site, and how skin is mounted.
//!
//! Every thickness below is either a literature value (source in the doc comment and in
//! `docs/models.md` §1) or an assumption, marked `[A]`, with the range it sits in.

use serde::Serialize;

/// A skin layer, ordered from the surface down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// The dead, lipid-rich outer barrier.
    StratumCorneum,
    /// Living epidermis below the stratum corneum (no blood vessels).
    ViableEpidermis,
    /// Upper dermis with the capillary loops.
    PapillaryDermis,
    /// Lower, collagen-dense dermis.
    ReticularDermis,
    /// Subcutaneous fat.
    Hypodermis,
}

impl Layer {
    /// All layers, surface first.
    pub const ALL: [Layer; 5] = [
        Layer::StratumCorneum,
        Layer::ViableEpidermis,
        Layer::PapillaryDermis,
        Layer::ReticularDermis,
        Layer::Hypodermis,
    ];

    /// The snake_case name used in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Layer::StratumCorneum => "stratum_corneum",
            Layer::ViableEpidermis => "viable_epidermis",
            Layer::PapillaryDermis => "papillary_dermis",
            Layer::ReticularDermis => "reticular_dermis",
            Layer::Hypodermis => "hypodermis",
        }
    }
}

/// Thicknesses of the layers, in µm, from the surface down to what lies beneath the
/// subcutaneous fat (muscle, bone, or a Franz cell's receptor).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LayerThickness {
    /// Stratum corneum, µm.
    pub stratum_corneum_um: f64,
    /// Viable epidermis, µm.
    pub viable_epidermis_um: f64,
    /// Papillary dermis, µm.
    pub papillary_dermis_um: f64,
    /// Reticular dermis, µm.
    pub reticular_dermis_um: f64,
    /// Subcutaneous fat (hypodermis) down to what lies beneath it, µm; 0 for excised skin
    /// (the fat is trimmed off before a Franz-cell experiment).
    pub hypodermis_um: f64,
}

impl LayerThickness {
    /// Depths of the lower boundary of each layer from the surface, in µm:
    /// `[sc, ve, papillary, reticular]`.
    pub fn boundaries_um(&self) -> [f64; 4] {
        let sc = self.stratum_corneum_um;
        let ve = sc + self.viable_epidermis_um;
        let pd = ve + self.papillary_dermis_um;
        let rd = pd + self.reticular_dermis_um;
        [sc, ve, pd, rd]
    }

    /// Total epidermis (stratum corneum + viable epidermis), µm.
    pub fn epidermis_um(&self) -> f64 {
        self.stratum_corneum_um + self.viable_epidermis_um
    }

    /// Total dermis, µm.
    pub fn dermis_um(&self) -> f64 {
        self.papillary_dermis_um + self.reticular_dermis_um
    }

    /// Depth of the bottom of the dermis (the top of the hypodermis), µm.
    pub fn dermis_bottom_um(&self) -> f64 {
        self.boundaries_um()[3]
    }

    /// Depth of what lies beneath the fat (muscle, bone, or a Franz cell's receptor), µm: the
    /// deepest a needle's channel can go (see [`Beneath`]).
    pub fn total_um(&self) -> f64 {
        self.dermis_bottom_um() + self.hypodermis_um
    }

    /// Thickness of the fat handed to the transport engine, µm: down to
    /// [`HYPODERMIS_TRANSPORT_MARGIN_UM`] below the deepest channel, within the fat; 0 when no
    /// channel goes below the dermis (the layers are then those of skin without fat, as
    /// before the hypodermis was modelled).
    pub fn transport_hypodermis_um(&self, deepest_channel_um: f64) -> f64 {
        let below = deepest_channel_um - self.dermis_bottom_um();
        if below <= 0.0 || self.hypodermis_um <= 0.0 {
            0.0
        } else {
            (below + HYPODERMIS_TRANSPORT_MARGIN_UM).min(self.hypodermis_um)
        }
    }

    /// The deepest layer a channel of this depth reaches (a channel of depth 0 reaches
    /// nothing and is reported as stratum corneum).
    pub fn layer_at_depth(&self, depth_um: f64) -> Layer {
        let b = self.boundaries_um();
        if depth_um <= b[0] {
            Layer::StratumCorneum
        } else if depth_um <= b[1] {
            Layer::ViableEpidermis
        } else if depth_um <= b[2] {
            Layer::PapillaryDermis
        } else if depth_um <= b[3] {
            Layer::ReticularDermis
        } else {
            Layer::Hypodermis
        }
    }
}

/// How the skin is held: living skin on its own body, or excised skin in a Franz diffusion
/// cell over a receptor fluid (no blood flow; the receptor is a sink).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Mounting {
    /// Living skin: dermal capillaries clear what reaches them.
    InVivo,
    /// Excised skin in a Franz cell: no clearance, receptor sink under the dermis.
    FranzCell,
}

/// What lies beneath the subcutaneous fat: it stops a needle (a channel ends at the bottom of
/// the fat at the latest) and, for the mechanics, it backs the skin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Beneath {
    /// Muscle (or the SMAS and facial muscles): soft backing.
    Muscle,
    /// Bone (or cartilage) close under thin fat: hard backing.
    Bone,
    /// A Franz cell's receptor fluid under excised skin.
    Receptor,
}

/// Fat modelled by the transport engine below the deepest channel, µm. Numerical choice: half a
/// millimetre puts the closed lower boundary of living skin well away from the channel tips
/// (the dermal clearance length of small molecules is a few hundred µm, `docs/models.md` §5).
pub const HYPODERMIS_TRANSPORT_MARGIN_UM: f64 = 500.0;

/// Biological sex, used to pick sex-specific thicknesses where the literature gives them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
    /// Not given: the mean of the female and male values.
    Unspecified,
}

/// A skin-site preset.
#[derive(Clone, Copy, Debug)]
pub struct SitePreset {
    /// Preset name as written in scenarios.
    pub name: &'static str,
    /// One line for `dermasim presets`.
    pub description: &'static str,
    /// Stratum corneum, µm.
    pub stratum_corneum_um: f64,
    /// Viable epidermis, µm.
    pub viable_epidermis_um: f64,
    /// Total dermis for (female, male), µm.
    pub dermis_um: (f64, f64),
    /// Subcutaneous fat down to what lies beneath, µm (0 for excised skin).
    pub hypodermis_um: f64,
    /// What lies beneath the fat.
    pub beneath: Beneath,
    /// Mounting.
    pub mounting: Mounting,
    /// Deflection multiplier of the site for needle insertion (1 = living human skin).
    pub deflection_factor: f64,
    /// Where the numbers come from.
    pub source: &'static str,
}

/// Papillary dermis thickness used by every preset, µm. `[A]` assumption: the capillary
/// loops sit 150 µm below the dermal-epidermal junction (Pharm Res 2022,
/// doi 10.1007/s11095-022-03215-z, in `transport.md` §3) and lie within the papillary
/// dermis; 200 µm puts its base (the subpapillary plexus) just below them. Override with
/// `skin.papillary_dermis_um`.
pub const PAPILLARY_DERMIS_UM: f64 = 200.0;

/// Deflection multiplier of excised skin (`channels.rs`). `[C]` Lam et al. 2008 (steel needles
/// in excised pig skin bury less than 50 % of a < 1 mm insertion): 5 is the smallest round
/// value for which a single sharp needle of 0.9 mm, pressed by hand, buries less than half.
pub const EXCISED_DEFLECTION_FACTOR: f64 = 5.0;

/// Stratum corneum of the face, µm: cheek, Egawa et al. 2007, Acta Derm Venereol 87:4 [V].
const SC_FACE: f64 = 16.8;
/// Stratum corneum of the volar forearm, µm: Egawa et al. 2007 [V].
const SC_FOREARM: f64 = 22.6;
/// Viable epidermis of the face, µm. `[A]` within the histological epidermis range of
/// Chopra et al. 2015, Aesthet Surg J 35:1007 (29.6-62.6 µm) and the Selçuk Med J series
/// (66-121 µm).
const VE_FACE: f64 = 55.0;

/// Subcutaneous fat of the forehead, µm: 0.2 cm by high-resolution ultrasound, 32 adults
/// (Iyengar et al. 2018, Dermatol Surg 44(6), doi 10.1097/DSS.0000000000001445, abstract) \[V\]. The frontal bone lies under the
/// thin frontalis muscle `[A]`.
pub const FAT_FOREHEAD_UM: f64 = 2000.0;
/// Subcutaneous fat of the cheek, µm. `[A]` 4 mm: Kim YS et al. 2019 (Clin Anat, 3-D scans of 53
/// cadavers) \[V\] order the superficial fat radix/dorsum (1.61 ± 1.07 mm) < supraorbital <
/// forehead < temple < cheek < infraorbital < perioral (5.14 ± 3.31 mm), and Iyengar 2018 \[V\]
/// measured 6 mm at the temple in vivo; the cheek value itself is not in the abstracts.
pub const FAT_CHEEK_UM: f64 = 4000.0;
/// Superficial fat of the nasal radix and dorsum, µm: Kim et al. 2019 \[V\] (1.61 ± 1.07 mm); nasal
/// bone and cartilage beneath.
pub const FAT_NOSE_UM: f64 = 1610.0;
/// Subcutaneous fat of the chin, µm: mental eminence 0.5 cm, Iyengar 2018 \[V\].
pub const FAT_CHIN_UM: f64 = 5000.0;
/// Superficial fat of the perioral region, µm: Kim et al. 2019 \[V\] (5.14 ± 3.31 mm).
pub const FAT_PERIORAL_UM: f64 = 5140.0;
/// Subcutaneous fat of the neck, µm: submental 0.6 cm, Iyengar 2018 \[V\], used for the neck `[A]`.
pub const FAT_NECK_UM: f64 = 6000.0;
/// Subcutaneous fat of the abdomen, µm. `[A]` 10 mm for a lean adult: the mean over eight
/// standardised ultrasound sites (abdomen included) ran from 3 to 10 mm in ten adults with
/// BMI < 28.5 (Sci Rep 2018;8:16268, abstract) \[V\], and the abdomen is among the
/// thickest of them. Any value above the longest needle (3.5 mm) gives the same channels.
pub const FAT_ABDOMEN_UM: f64 = 10000.0;
/// Subcutaneous fat of the thigh, µm. `[A]` within the lean range of Sci Rep 2018;8:16268 \[V\] (3-10 mm
/// site means); one ultrasound image of a thigh shows 3.69 mm (J Obes 2013, article 280713,
/// fig. 1) \[V\].
pub const FAT_THIGH_UM: f64 = 5000.0;
/// Subcutaneous fat of the volar forearm, µm. `[A]` within the lean range of Sci Rep 2018;8:16268
/// \[V\] (3-10 mm site means, brachioradialis among the sites).
pub const FAT_FOREARM_UM: f64 = 4000.0;
/// Subcutaneous tissue of the hairless rat above the panniculus carnosus, µm. `[A]` no rat value
/// in the reference; no rat channel reaches it.
pub const FAT_RAT_UM: f64 = 300.0;

const SOURCE_MENG: &str = "dermis: Meng 2022 BMC Med Imaging 22:113 (HFUS, Table 2) [V]; SC: Egawa 2007 cheek 16.8 um [V]; viable epidermis 55 um [A] (Chopra 2015 range)";

/// All skin-site presets.
pub const SITES: &[SitePreset] = &[
    SitePreset {
        name: "forehead",
        description: "forehead, living skin",
        stratum_corneum_um: SC_FACE,
        viable_epidermis_um: VE_FACE,
        dermis_um: (860.0, 1170.0),
        hypodermis_um: FAT_FOREHEAD_UM,
        beneath: Beneath::Bone,
        mounting: Mounting::InVivo,
        deflection_factor: 1.0,
        source: SOURCE_MENG,
    },
    SitePreset {
        name: "cheek",
        description: "cheek (zygoma), living skin",
        stratum_corneum_um: SC_FACE,
        viable_epidermis_um: VE_FACE,
        dermis_um: (870.0, 1140.0),
        hypodermis_um: FAT_CHEEK_UM,
        beneath: Beneath::Muscle,
        mounting: Mounting::InVivo,
        deflection_factor: 1.0,
        source: SOURCE_MENG,
    },
    SitePreset {
        name: "nose",
        description: "nasal dorsum, living skin",
        stratum_corneum_um: SC_FACE,
        viable_epidermis_um: VE_FACE,
        dermis_um: (930.0, 1030.0),
        hypodermis_um: FAT_NOSE_UM,
        beneath: Beneath::Bone,
        mounting: Mounting::InVivo,
        deflection_factor: 1.0,
        source: SOURCE_MENG,
    },
    SitePreset {
        name: "chin",
        description: "chin, living skin (Meng's submandibular values)",
        stratum_corneum_um: SC_FACE,
        viable_epidermis_um: VE_FACE,
        dermis_um: (910.0, 1020.0),
        hypodermis_um: FAT_CHIN_UM,
        beneath: Beneath::Muscle,
        mounting: Mounting::InVivo,
        deflection_factor: 1.0,
        source: "dermis: Meng 2022 submandibular [V], used for the chin [A]; SC Egawa 2007 cheek [V]; VE 55 um [A]",
    },
    SitePreset {
        name: "perioral",
        description: "upper lip / perioral, living skin",
        stratum_corneum_um: SC_FACE,
        viable_epidermis_um: 62.6 - SC_FACE,
        dermis_um: (870.0, 1140.0),
        hypodermis_um: FAT_PERIORAL_UM,
        beneath: Beneath::Muscle,
        mounting: Mounting::InVivo,
        deflection_factor: 1.0,
        source: "epidermis: Chopra 2015 upper lip 62.6 um (thickest) [V] minus Egawa SC; dermis: Meng 2022 zygoma [A]",
    },
    SitePreset {
        name: "neck",
        description: "neck, living skin",
        stratum_corneum_um: SC_FACE,
        viable_epidermis_um: VE_FACE,
        dermis_um: (990.0, 980.0),
        hypodermis_um: FAT_NECK_UM,
        beneath: Beneath::Muscle,
        mounting: Mounting::InVivo,
        deflection_factor: 1.0,
        source: SOURCE_MENG,
    },
    SitePreset {
        name: "abdomen",
        description: "abdomen, living skin (stretch marks)",
        stratum_corneum_um: SC_FOREARM,
        viable_epidermis_um: 70.0,
        dermis_um: (1500.0, 1800.0),
        hypodermis_um: FAT_ABDOMEN_UM,
        beneath: Beneath::Muscle,
        mounting: Mounting::InVivo,
        deflection_factor: 1.0,
        source: "[A] no site value in the reference: SC as forearm (Egawa 2007), VE 70 um, dermis 1.5-1.8 mm (literature.md: dermis 1-4 mm)",
    },
    SitePreset {
        name: "thigh",
        description: "thigh, living skin",
        stratum_corneum_um: SC_FOREARM,
        viable_epidermis_um: 70.0,
        dermis_um: (1400.0, 1700.0),
        hypodermis_um: FAT_THIGH_UM,
        beneath: Beneath::Muscle,
        mounting: Mounting::InVivo,
        deflection_factor: 1.0,
        source: "[A] no site value in the reference: SC as forearm (Egawa 2007), VE 70 um, dermis 1.4-1.7 mm (literature.md: dermis 1-4 mm)",
    },
    SitePreset {
        name: "forearm",
        description: "volar forearm, living skin",
        stratum_corneum_um: SC_FOREARM,
        viable_epidermis_um: 60.0,
        dermis_um: (1000.0, 1200.0),
        hypodermis_um: FAT_FOREARM_UM,
        beneath: Beneath::Muscle,
        mounting: Mounting::InVivo,
        deflection_factor: 1.0,
        source: "SC: Egawa 2007 volar forearm 22.6 um [V]; VE 60 um and dermis 1.0-1.2 mm [A]",
    },
    SitePreset {
        name: "dermatomed-human",
        description: "excised split-thickness human skin in a Franz cell",
        stratum_corneum_um: 15.0,
        viable_epidermis_um: 70.0,
        dermis_um: (315.0, 315.0),
        hypodermis_um: 0.0,
        beneath: Beneath::Receptor,
        mounting: Mounting::FranzCell,
        deflection_factor: EXCISED_DEFLECTION_FACTOR,
        source: "[A] SC 15 um (Andrews 2011 'upper 10-15 um' [V]); 400 um dermatome cut in total [A]",
    },
    SitePreset {
        name: "porcine-ear",
        description: "excised full-thickness porcine ear skin in a Franz cell",
        stratum_corneum_um: 20.0,
        viable_epidermis_um: 60.0,
        dermis_um: (1200.0, 1200.0),
        hypodermis_um: 0.0,
        beneath: Beneath::Receptor,
        mounting: Mounting::FranzCell,
        deflection_factor: EXCISED_DEFLECTION_FACTOR,
        source: "[A] no porcine values in the reference: SC 20 um, VE 60 um, dermis 1.2 mm",
    },
    SitePreset {
        name: "hairless-rat",
        description: "hairless rat skin, living (as in Kalluri 2011)",
        stratum_corneum_um: 10.0,
        viable_epidermis_um: 30.0,
        dermis_um: (700.0, 700.0),
        hypodermis_um: FAT_RAT_UM,
        beneath: Beneath::Muscle,
        mounting: Mounting::InVivo,
        deflection_factor: 1.0,
        source: "[A] no rat values in the reference: SC 10 um, VE 30 um, dermis 0.7 mm",
    },
    SitePreset {
        name: "hairless-rat-excised",
        description: "excised hairless rat skin in a Franz cell",
        stratum_corneum_um: 10.0,
        viable_epidermis_um: 30.0,
        dermis_um: (700.0, 700.0),
        hypodermis_um: 0.0,
        beneath: Beneath::Receptor,
        mounting: Mounting::FranzCell,
        deflection_factor: EXCISED_DEFLECTION_FACTOR,
        source: "[A] as hairless-rat, excised",
    },
];

/// A site's dermis thickness as different measuring methods publish it, µm: the thinnest
/// reading, a central one, the thickest. Where a site has one source only (or the scenario sets
/// the dermis), the three are equal.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct DermisRange {
    /// The thinnest published reading, µm.
    pub thin_um: f64,
    /// A central reading, µm.
    pub nominal_um: f64,
    /// The thickest published reading, µm.
    pub thick_um: f64,
}

impl DermisRange {
    /// A range of one value.
    pub fn single(dermis_um: f64) -> DermisRange {
        DermisRange { thin_um: dermis_um, nominal_um: dermis_um, thick_um: dermis_um }
    }

    /// Whether the readings differ.
    pub fn is_range(&self) -> bool {
        self.thick_um > self.thin_um
    }

    fn mean(a: DermisRange, b: DermisRange) -> DermisRange {
        DermisRange {
            thin_um: 0.5 * (a.thin_um + b.thin_um),
            nominal_um: 0.5 * (a.nominal_um + b.nominal_um),
            thick_um: 0.5 * (a.thick_um + b.thick_um),
        }
    }
}

/// Epidermis taken off a full-thickness ultrasound reading to give the dermis, µm: the face
/// presets' SC + VE (16.8 + 55 µm, [`SITES`]).
const FACE_EPIDERMIS_UM: f64 = SC_FACE + VE_FACE;

/// Published dermis thickness of the face sites where methods disagree, µm: (site, female,
/// male, source). The thin reading is the preset's (Meng 2022, HFUS), which every stage models;
/// the range serves the screening of fat reach (`safety`), which must not turn on one method.
/// - Meng 2022 (BMC Med Imaging 22:113, HFUS, 118 adults, Table 2) \[V\]: zygoma 0.87 / 1.14
///   mm, forehead 0.86 / 1.17 mm (women / men): the thinnest readings.
/// - Histology of six facial regions, forehead and cheek among them (Selçuk Med J, 90 women and
///   90 men aged 30-80) \[V\]: dermis 1.15-1.50 mm (women), 1.11-1.94 mm (men) over the regions;
///   the central reading is the middle of each range `[A]` (the regions are not separated in the
///   abstract). Fixed tissue shrinks, so living skin is at least as thick.
/// - 50 MHz HFUS (200 adults, "Research value of 50 MHz high-frequency ultrasound on sonography
///   of normal facial skin in adult", abstract) \[V\]: cheek full thickness 1.90-2.12 mm (women
///   20-49 y), 2.43-2.53 mm (men 20-39 y); forehead 1.86-1.98 mm (women): the thickest readings,
///   the middle of each range less the epidermis. The forehead of men is not in the abstract:
///   the histological upper end (1.94 mm) `[A]`.
pub const DERMIS_RANGES: &[(&str, DermisRange, DermisRange, &str)] = &[
    (
        "cheek",
        DermisRange { thin_um: 870.0, nominal_um: 1325.0, thick_um: 2010.0 - FACE_EPIDERMIS_UM },
        DermisRange { thin_um: 1140.0, nominal_um: 1525.0, thick_um: 2480.0 - FACE_EPIDERMIS_UM },
        "thin: Meng 2022 HFUS zygoma [V]; central: Selcuk Med J histology, middle of 1.15-1.50 / 1.11-1.94 mm [V, middle A]; thick: 50 MHz HFUS cheek 1.90-2.12 / 2.43-2.53 mm full thickness [V] less the epidermis",
    ),
    (
        "forehead",
        DermisRange { thin_um: 860.0, nominal_um: 1325.0, thick_um: 1920.0 - FACE_EPIDERMIS_UM },
        DermisRange { thin_um: 1170.0, nominal_um: 1525.0, thick_um: 1940.0 },
        "thin: Meng 2022 HFUS forehead [V]; central: Selcuk Med J histology [V, middle A]; thick: 50 MHz HFUS forehead 1.86-1.98 mm (women) [V] less the epidermis; men: the histological upper end 1.94 mm [A]",
    ),
];

/// The published dermis range of `site` for `sex` ([`DERMIS_RANGES`]), or the single value
/// `preset_dermis_um` where the site has one source.
pub fn dermis_range(site: &str, sex: Sex, preset_dermis_um: f64) -> DermisRange {
    match DERMIS_RANGES.iter().find(|r| r.0.eq_ignore_ascii_case(site)) {
        Some(&(_, female, male, _)) => match sex {
            Sex::Female => female,
            Sex::Male => male,
            Sex::Unspecified => DermisRange::mean(female, male),
        },
        None => DermisRange::single(preset_dermis_um),
    }
}

/// Finds a site preset by name.
pub fn site_preset(name: &str) -> Option<&'static SitePreset> {
    SITES.iter().find(|s| s.name.eq_ignore_ascii_case(name))
}

/// The validated skin of a scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Skin {
    /// Site preset name.
    pub site: String,
    /// Sex used for the thicknesses.
    pub sex: Sex,
    /// Layer thicknesses, µm.
    pub layers: LayerThickness,
    /// Mounting (living or Franz cell).
    pub mounting: Mounting,
    /// Deflection multiplier (1 = living human skin).
    pub deflection_factor: f64,
    /// What lies beneath the subcutaneous fat.
    pub beneath: Beneath,
    /// The dermis as the published methods read it at this site ([`dermis_range`]); one value
    /// when the scenario sets the dermis (a measured patient) or the site has one source. The
    /// layers above take its thin reading (the preset).
    pub dermis_range_um: DermisRange,
}

impl SitePreset {
    /// Dermis thickness for a sex, µm.
    pub fn dermis_for(&self, sex: Sex) -> f64 {
        match sex {
            Sex::Female => self.dermis_um.0,
            Sex::Male => self.dermis_um.1,
            Sex::Unspecified => 0.5 * (self.dermis_um.0 + self.dermis_um.1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_lookup_follows_boundaries() {
        let t = LayerThickness {
            stratum_corneum_um: 15.0,
            viable_epidermis_um: 60.0,
            papillary_dermis_um: 200.0,
            reticular_dermis_um: 800.0,
            hypodermis_um: 4000.0,
        };
        assert_eq!(t.layer_at_depth(10.0), Layer::StratumCorneum);
        assert_eq!(t.layer_at_depth(50.0), Layer::ViableEpidermis);
        assert_eq!(t.layer_at_depth(100.0), Layer::PapillaryDermis);
        assert_eq!(t.layer_at_depth(500.0), Layer::ReticularDermis);
        assert_eq!(t.layer_at_depth(2000.0), Layer::Hypodermis);
    }

    #[test]
    fn living_sites_have_fat_excised_skin_has_none() {
        for s in SITES {
            match s.mounting {
                Mounting::InVivo => assert!(s.hypodermis_um > 0.0 && s.beneath != Beneath::Receptor, "{}", s.name),
                Mounting::FranzCell => assert!(s.hypodermis_um == 0.0 && s.beneath == Beneath::Receptor, "{}", s.name),
            }
        }
        // The cited ordering: nose (radix/dorsum) thinnest, forehead thinner than the cheek.
        let fat = |n: &str| site_preset(n).unwrap().hypodermis_um;
        assert!(fat("nose") < fat("forehead") && fat("forehead") < fat("cheek") && fat("cheek") < fat("perioral"));
    }

    #[test]
    fn transport_takes_the_fat_only_below_channels_that_reach_it() {
        let t = LayerThickness {
            stratum_corneum_um: 15.0,
            viable_epidermis_um: 60.0,
            papillary_dermis_um: 200.0,
            reticular_dermis_um: 800.0,
            hypodermis_um: 4000.0,
        };
        assert_eq!(t.total_um(), 5075.0);
        assert_eq!(t.transport_hypodermis_um(1000.0), 0.0);
        assert_eq!(t.transport_hypodermis_um(1075.0), 0.0);
        assert_eq!(t.transport_hypodermis_um(1575.0), 500.0 + HYPODERMIS_TRANSPORT_MARGIN_UM);
        assert_eq!(t.transport_hypodermis_um(9000.0), 4000.0);
        let no_fat = LayerThickness { hypodermis_um: 0.0, ..t };
        assert_eq!(no_fat.transport_hypodermis_um(2000.0), 0.0);
    }

    #[test]
    fn dermis_ranges_start_at_the_preset_and_are_ordered() {
        for &(site, female, male, _) in DERMIS_RANGES {
            let preset = site_preset(site).unwrap();
            for (sex, r) in [(Sex::Female, female), (Sex::Male, male)] {
                assert_eq!(r.thin_um, preset.dermis_for(sex), "{site}: the thin reading is the preset's");
                assert!(r.thin_um < r.nominal_um && r.nominal_um < r.thick_um, "{site} {sex:?}: {r:?}");
            }
            let u = dermis_range(site, Sex::Unspecified, preset.dermis_for(Sex::Unspecified));
            assert_eq!(u.thin_um, preset.dermis_for(Sex::Unspecified));
        }
        assert!(!dermis_range("abdomen", Sex::Female, 1500.0).is_range());
    }

    #[test]
    fn every_preset_has_a_dermis_thicker_than_the_papillary_layer() {
        for s in SITES {
            for sex in [Sex::Female, Sex::Male, Sex::Unspecified] {
                assert!(s.dermis_for(sex) > PAPILLARY_DERMIS_UM, "{}", s.name);
            }
        }
    }
}
