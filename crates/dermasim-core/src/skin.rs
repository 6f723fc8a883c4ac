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

/// Thicknesses of the layers above the hypodermis, in µm.
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mounting {
    /// Living skin: dermal capillaries clear what reaches them.
    InVivo,
    /// Excised skin in a Franz cell: no clearance, receptor sink under the dermis.
    FranzCell,
}

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

/// Deflection multiplier of excised skin. `[C]` calibrated on Lam et al. 2008 (steel needles in
/// excised pig skin bury less than 50 % of a < 1 mm insertion): a factor of 4 is the smallest
/// round value that satisfies the inequality with the hand-press deflection of Donnelly 2011.
pub const EXCISED_DEFLECTION_FACTOR: f64 = 4.0;

/// Stratum corneum of the face, µm: cheek, Egawa et al. 2007, Acta Derm Venereol 87:4 [V].
const SC_FACE: f64 = 16.8;
/// Stratum corneum of the volar forearm, µm: Egawa et al. 2007 [V].
const SC_FOREARM: f64 = 22.6;
/// Viable epidermis of the face, µm. `[A]` within the histological epidermis range of
/// Chopra et al. 2015, Aesthet Surg J 35:1007 (29.6-62.6 µm) and the Selçuk Med J series
/// (66-121 µm).
const VE_FACE: f64 = 55.0;

const SOURCE_MENG: &str = "dermis: Meng 2022 BMC Med Imaging 22:113 (HFUS, Table 2) [V]; SC: Egawa 2007 cheek 16.8 um [V]; viable epidermis 55 um [A] (Chopra 2015 range)";

/// All skin-site presets.
pub const SITES: &[SitePreset] = &[
    SitePreset {
        name: "forehead",
        description: "forehead, living skin",
        stratum_corneum_um: SC_FACE,
        viable_epidermis_um: VE_FACE,
        dermis_um: (860.0, 1170.0),
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
        mounting: Mounting::FranzCell,
        deflection_factor: EXCISED_DEFLECTION_FACTOR,
        source: "[A] as hairless-rat, excised",
    },
];

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
    /// Conditions the person has (free text, screened by the safety stage).
    pub conditions: Vec<String>,
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
        };
        assert_eq!(t.layer_at_depth(10.0), Layer::StratumCorneum);
        assert_eq!(t.layer_at_depth(50.0), Layer::ViableEpidermis);
        assert_eq!(t.layer_at_depth(100.0), Layer::PapillaryDermis);
        assert_eq!(t.layer_at_depth(500.0), Layer::ReticularDermis);
        assert_eq!(t.layer_at_depth(2000.0), Layer::Hypodermis);
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
