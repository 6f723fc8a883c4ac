//! The scenario file format (TOML): what a user writes, before validation.
//!
//! These types mirror the file one to one; [`super::Scenario`] is the validated form the
//! pipeline uses. Unknown keys are refused.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::skin::Sex;

pub use super::invitro::InvitroInput;
use super::patient::Indication;
pub use super::patient::PatientInput;
use super::vocabulary::{CartridgePreset, DeviceType, Ingredient, NumbingCream, Vocabulary};

/// A whole scenario file.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// A short name for reports.
    #[serde(default)]
    pub name: Option<String>,
    /// What the scenario describes.
    #[serde(default)]
    pub description: Option<String>,
    /// The skin treated.
    pub skin: SkinInput,
    /// The person treated (age, phototype, baseline severity, scar types).
    #[serde(default)]
    pub patient: PatientInput,
    /// The device.
    pub device: DeviceInput,
    /// How the device is used.
    pub protocol: ProtocolInput,
    /// Products put on the skin during or after needling.
    #[serde(default)]
    pub products: Vec<ProductInput>,
    /// Simulation options.
    #[serde(default)]
    pub simulation: SimulationInput,
    /// Overrides of the model's registered parameters, by stage and key:
    /// `[parameters.procedure]` `preparation_min = 15` (names, units and allowed ranges:
    /// docs/models.md, "Parameter registry").
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub parameters: std::collections::BTreeMap<String, std::collections::BTreeMap<String, f64>>,
    /// A Franz-cell protocol (excised skin only): receptor volume, sampling schedule with or
    /// without replacement, donor occlusion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitro: Option<InvitroInput>,
}

/// `[skin]`
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SkinInput {
    /// Site preset: forehead, cheek, nose, chin, perioral, neck, abdomen, thigh, forearm,
    /// dermatomed-human, porcine-ear, hairless-rat, hairless-rat-excised.
    #[schemars(schema_with = "site_schema")]
    pub site: String,
    /// female, male or unspecified (default).
    #[serde(default)]
    pub sex: Option<Sex>,
    /// Override: stratum corneum thickness, µm.
    #[serde(default)]
    pub stratum_corneum_um: Option<f64>,
    /// Override: viable epidermis thickness, µm.
    #[serde(default)]
    pub viable_epidermis_um: Option<f64>,
    /// Override: papillary dermis thickness, µm.
    #[serde(default)]
    pub papillary_dermis_um: Option<f64>,
    /// Override: reticular dermis thickness, µm.
    #[serde(default)]
    pub reticular_dermis_um: Option<f64>,
    /// Override: subcutaneous fat (hypodermis) thickness down to the muscle or bone beneath, µm
    /// (0 to 50000; excised skin has none).
    #[serde(default)]
    pub hypodermis_um: Option<f64>,
    /// Override: "in-vivo", or "franz-cell" / "excised" (excised skin; in a Franz cell over a
    /// receptor sink, no blood clearance).
    #[serde(default)]
    #[schemars(with = "Option<crate::skin::Mounting>")]
    pub mounting: Option<String>,
    /// Moved to `patient.conditions` (a typed list); kept only to say so when an old file
    /// gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(skip)]
    pub conditions: Option<toml::Value>,
}

/// `[device]`, tagged by `type`: each kind of device has its own keys besides the needle's
/// ([`NeedleInput`]). A key of another kind (`frequency_hz` on a dermaroller) is refused with a
/// message naming the key, its value and the keys the device takes.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum DeviceInput {
    /// A hand-rolled drum of needles.
    Dermaroller(RollerInput),
    /// A motorised pen with a needle cartridge.
    Dermapen(PenInput),
    /// A hand-pressed needle array.
    Stamp(StampInput),
}

impl DeviceInput {
    /// The kind of device.
    pub fn device_type(&self) -> DeviceType {
        match self {
            DeviceInput::Dermaroller(_) => DeviceType::Dermaroller,
            DeviceInput::Dermapen(_) => DeviceType::Dermapen,
            DeviceInput::Stamp(_) => DeviceType::Stamp,
        }
    }

    /// The keys every device has.
    pub fn needle(&self) -> &NeedleInput {
        match self {
            DeviceInput::Dermaroller(r) => &r.needle,
            DeviceInput::Dermapen(p) => &p.needle,
            DeviceInput::Stamp(s) => &s.needle,
        }
    }
}

/// The keys of every device: its preset, needle and wear.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct NeedleInput {
    /// Device preset whose values are used for every key not given (see `dermasim presets`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// Needle length (pen: depth setting), mm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needle_length_mm: Option<f64>,
    /// Needle shaft diameter, mm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needle_diameter_mm: Option<f64>,
    /// Needle tip radius, µm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tip_radius_um: Option<f64>,
    /// Times the device or cartridge was used before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uses: Option<u32>,
    /// Fraction of bent needles, 0-1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bent_fraction: Option<f64>,
}

/// `type = "dermaroller"`: the drum.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RollerInput {
    /// Preset, needle and wear.
    #[serde(flatten)]
    pub needle: NeedleInput,
    /// Needles on the drum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needles: Option<u32>,
    /// Rings of needles across the drum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u32>,
    /// Drum diameter, mm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drum_diameter_mm: Option<f64>,
    /// Drum width, mm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drum_width_mm: Option<f64>,
    /// Needle tilt from radial, degrees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needle_tilt_deg: Option<f64>,
}

/// `type = "dermapen"`: the pen and its cartridge.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PenInput {
    /// Preset, needle (`needle_length_mm` is the depth setting) and wear.
    #[serde(flatten)]
    pub needle: NeedleInput,
    /// Stamping frequency, Hz.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency_hz: Option<f64>,
    /// Speed over the skin, mm/s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed_mm_s: Option<f64>,
    /// Cartridge: "12" or "36", or a table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cartridge: Option<CartridgeInput>,
}

/// `type = "stamp"`: the needle array.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct StampInput {
    /// Preset, needle and wear.
    #[serde(flatten)]
    pub needle: NeedleInput,
    /// Array layout (a table like a cartridge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub array: Option<CartridgeInput>,
}

/// `[device]` as written, every key of every kind (the parsing layer of [`DeviceInput`]).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeviceFields {
    #[serde(rename = "type")]
    kind: String,
    preset: Option<String>,
    needle_length_mm: Option<f64>,
    needle_diameter_mm: Option<f64>,
    tip_radius_um: Option<f64>,
    uses: Option<u32>,
    bent_fraction: Option<f64>,
    needles: Option<u32>,
    rows: Option<u32>,
    drum_diameter_mm: Option<f64>,
    drum_width_mm: Option<f64>,
    needle_tilt_deg: Option<f64>,
    frequency_hz: Option<f64>,
    speed_mm_s: Option<f64>,
    cartridge: Option<CartridgeInput>,
    array: Option<CartridgeInput>,
}

impl<'de> Deserialize<'de> for DeviceInput {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<DeviceInput, D::Error> {
        DeviceInput::try_from(DeviceFields::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<DeviceFields> for DeviceInput {
    type Error = String;

    /// The device of `type` (any letter case, as before the input was typed), or an error
    /// naming a key of another kind with its value and the keys this kind takes.
    fn try_from(f: DeviceFields) -> Result<DeviceInput, String> {
        let Some(&t) = DeviceType::ALL.iter().find(|t| t.name().eq_ignore_ascii_case(&f.kind)) else {
            let names: Vec<&str> = DeviceType::ALL.iter().map(|t| t.name()).collect();
            return Err(format!("device.type = \"{}\" is not known: allowed {}", f.kind, names.join(", ")));
        };
        let num = |v: Option<f64>| v.map(|x| x.to_string());
        let int = |v: Option<u32>| v.map(|x| x.to_string());
        let grid = |v: &Option<CartridgeInput>| v.as_ref().map(CartridgeInput::to_string);
        // Every kind-specific key, the kind it belongs to and its value when given.
        let given = [
            ("needles", DeviceType::Dermaroller, int(f.needles)),
            ("rows", DeviceType::Dermaroller, int(f.rows)),
            ("drum_diameter_mm", DeviceType::Dermaroller, num(f.drum_diameter_mm)),
            ("drum_width_mm", DeviceType::Dermaroller, num(f.drum_width_mm)),
            ("needle_tilt_deg", DeviceType::Dermaroller, num(f.needle_tilt_deg)),
            ("frequency_hz", DeviceType::Dermapen, num(f.frequency_hz)),
            ("speed_mm_s", DeviceType::Dermapen, num(f.speed_mm_s)),
            ("cartridge", DeviceType::Dermapen, grid(&f.cartridge)),
            ("array", DeviceType::Stamp, grid(&f.array)),
        ];
        if let Some((key, owner, Some(value))) = given.iter().find(|(_, owner, v)| *owner != t && v.is_some()) {
            let own: Vec<&str> = NEEDLE_KEYS
                .iter()
                .copied()
                .chain(given.iter().filter(|(_, o, _)| *o == t).map(|(k, _, _)| *k))
                .collect();
            return Err(format!(
                "device.{key} = {value} is a {} key: a {} takes {}",
                owner.name(),
                t.name(),
                own.join(", ")
            ));
        }
        let needle = NeedleInput {
            preset: f.preset,
            needle_length_mm: f.needle_length_mm,
            needle_diameter_mm: f.needle_diameter_mm,
            tip_radius_um: f.tip_radius_um,
            uses: f.uses,
            bent_fraction: f.bent_fraction,
        };
        Ok(match t {
            DeviceType::Dermaroller => DeviceInput::Dermaroller(RollerInput {
                needle,
                needles: f.needles,
                rows: f.rows,
                drum_diameter_mm: f.drum_diameter_mm,
                drum_width_mm: f.drum_width_mm,
                needle_tilt_deg: f.needle_tilt_deg,
            }),
            DeviceType::Dermapen => DeviceInput::Dermapen(PenInput {
                needle,
                frequency_hz: f.frequency_hz,
                speed_mm_s: f.speed_mm_s,
                cartridge: f.cartridge,
            }),
            DeviceType::Stamp => DeviceInput::Stamp(StampInput { needle, array: f.array }),
        })
    }
}

/// The keys of [`NeedleInput`], in the order of the file format.
const NEEDLE_KEYS: &[&str] =
    &["preset", "needle_length_mm", "needle_diameter_mm", "tip_radius_um", "uses", "bent_fraction"];

impl std::fmt::Display for CartridgeInput {
    /// As written in TOML: `"12"` or `{ rows = 3, columns = 4, pitch_um = 600 }`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CartridgeInput::Preset(name) => write!(f, "\"{name}\""),
            CartridgeInput::Grid(g) => {
                write!(f, "{{ rows = {}, columns = {}, pitch_um = {} }}", g.rows, g.columns, g.pitch_um)
            }
        }
    }
}

/// The schema of `skin.site`: one of the site presets ([`crate::skin::SITES`]).
fn site_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let names: Vec<&str> = crate::skin::SITES.iter().map(|s| s.name).collect();
    schemars::json_schema!({ "type": "string", "enum": names })
}

/// A pen cartridge: a preset name or an explicit grid.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum CartridgeInput {
    /// "12" or "36".
    Preset(#[schemars(with = "CartridgePreset")] String),
    /// An explicit grid.
    Grid(CartridgeGrid),
}

/// An explicit needle grid.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CartridgeGrid {
    /// Rows across the direction of travel.
    pub rows: u32,
    /// Columns along the direction of travel.
    pub columns: u32,
    /// Needle spacing, µm.
    pub pitch_um: f64,
}

/// `[protocol]`
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProtocolInput {
    /// "home" or "office".
    pub setting: String,
    /// What the series treats: "acne-scars" (default), "rejuvenation" or "striae".
    #[serde(default)]
    pub indication: Option<Indication>,
    /// Treated area, cm².
    pub area_cm2: f64,
    /// Roller passes: directions and how often each is rolled.
    #[serde(default)]
    pub passes: Vec<PassInput>,
    /// Roller: stroke speed, mm/s (for the procedure time).
    #[serde(default)]
    pub stroke_speed_mm_s: Option<f64>,
    /// Pen: raster path over the area.
    #[serde(default)]
    pub pen_path: Option<PenPathInput>,
    /// Stamp: presses at each spot.
    #[serde(default)]
    pub presses: Option<u32>,
    /// Number of sessions in the series.
    #[serde(default)]
    pub sessions: Option<u32>,
    /// Days between sessions.
    #[serde(default)]
    pub interval_days: Option<f64>,
    /// Days after the last session at which outcomes are reported.
    #[serde(default)]
    pub follow_up_days: Option<f64>,
    /// Numbing cream before the session.
    #[serde(default)]
    pub numbing: Option<NumbingInput>,
}

/// One roller pass direction.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PassInput {
    /// Stroke direction, degrees (0 = along x).
    pub direction_deg: f64,
    /// Times this direction is rolled over the whole area.
    #[serde(default = "one")]
    pub count: u32,
}

fn one() -> u32 {
    1
}

/// The pen's raster path.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PenPathInput {
    /// Distance between raster lines, mm (default: the cartridge's width, lines touching).
    #[serde(default)]
    pub line_spacing_mm: Option<f64>,
    /// Raster directions, degrees; each is one pass over the area (default `[0]`).
    #[serde(default)]
    pub directions_deg: Vec<f64>,
}

/// Numbing cream.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NumbingInput {
    /// The cream (see [`NumbingCream`]; "none" for no cream).
    #[schemars(with = "NumbingCream")]
    pub cream: String,
    /// Application time, minutes.
    pub minutes: f64,
    /// Under an occlusive dressing.
    #[serde(default)]
    pub occluded: Option<bool>,
    /// Cream applied, g (default: the EMLA label's 1.5 g per 10 cm² over `area_cm2`).
    #[serde(default)]
    pub grams: Option<f64>,
    /// Skin area the cream covers, cm² (default: `protocol.area_cm2`).
    #[serde(default)]
    pub area_cm2: Option<f64>,
}

/// `[[products]]`
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductInput {
    /// A preset active (e.g. "l-ascorbic-acid", "niacinamide") or a free name.
    pub name: String,
    /// Molecular weight, Da (needed unless `name` is a preset).
    #[serde(default)]
    pub molecular_weight_da: Option<f64>,
    /// log10 octanol-water partition coefficient.
    #[serde(default)]
    pub log_kow: Option<f64>,
    /// pKa of the ionisable group.
    #[serde(default)]
    pub pka: Option<f64>,
    /// "acid", "base" or "neutral".
    #[serde(default)]
    pub ionisation: Option<String>,
    /// pH of the vehicle.
    #[serde(default)]
    pub ph: Option<f64>,
    /// Concentration of the active in the product, mg/mL.
    pub concentration_mg_ml: f64,
    /// Dose applied, µL/cm²; absent = infinite dose (a reservoir that does not deplete).
    #[serde(default)]
    pub dose_ul_per_cm2: Option<f64>,
    /// Made and labelled for use with microneedling.
    #[serde(default)]
    pub formulated_for_microneedling: Option<bool>,
    /// Hours of patch test done before use (absent = none).
    #[serde(default)]
    pub patch_test_hours: Option<f64>,
    /// Ingredient classes in the product (see [`Ingredient`]): "fragrance", "exfoliating-acid",
    /// "retinoid", "vitamin-c", ...
    #[serde(default)]
    #[schemars(with = "Vec<Ingredient>")]
    pub contains: Vec<String>,
    /// Left on under an occlusive dressing.
    #[serde(default)]
    pub occluded: Option<bool>,
    /// Vehicle type: "aqueous-serum" (default), "hydrogel", "cream" or "oil" (presets of the
    /// fields below, `docs/models.md` §9).
    #[serde(default)]
    pub vehicle: Option<String>,
    /// Volatile share of the product's volume (0-0.999; default from the vehicle).
    #[serde(default)]
    pub volatile_fraction: Option<f64>,
    /// Evaporation rate of the volatile part, µL/cm²/h (default from the vehicle; 0 when
    /// occluded).
    #[serde(default)]
    pub evaporation_ul_per_cm2_h: Option<f64>,
    /// Water solubility of the active, mg/mL (default: the preset active's measured value, else
    /// estimated from log Kow).
    #[serde(default)]
    pub water_solubility_mg_ml: Option<f64>,
    /// Wiped or washed off this many hours after application (absent: left on).
    #[serde(default)]
    pub removal_h: Option<f64>,
}

/// `[simulation]`
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SimulationInput {
    /// Random seed (default 1).
    #[serde(default)]
    pub seed: Option<u64>,
    /// Side of the square window whose punctures are simulated one by one, mm (default: the
    /// whole treated area up to 30 mm).
    #[serde(default)]
    pub window_mm: Option<f64>,
    /// Simulated time for transport, hours (default 24).
    #[serde(default)]
    pub duration_h: Option<f64>,
    /// Transport mode: "unit_cell" (default), "patch" or "off".
    #[serde(default)]
    pub transport: Option<String>,
    /// Grid resolution: "coarse", "normal" (default) or "fine".
    #[serde(default)]
    pub resolution: Option<String>,
}
