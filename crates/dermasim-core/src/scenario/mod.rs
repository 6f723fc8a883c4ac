//! Scenarios: parsing a TOML file, applying `--set` overrides, and validating it into a
//! [`Scenario`] the pipeline can trust.
//!
//! Parsing never panics. Every problem becomes a [`ScenarioError`] that names the field, the
//! value and the allowed range, with the byte span of the offending text where there is one.

pub mod effective;
pub mod input;
pub mod invitro;
pub mod limits;
pub mod patient;
pub mod vocabulary;

use std::ops::Range;

use serde::Serialize;

use crate::device::{
    Cartridge, Device, DeviceKind, Needle, Pen, Roller, SHARP_TIP_RADIUS_UM, Stamp, cartridge_preset, device_preset,
};
use crate::params::Parameters;
use crate::skin::{LayerThickness, Mounting, PAPILLARY_DERMIS_UM, Sex, Skin, site_preset};
use input::{CartridgeInput, DeviceInput, ScenarioFile};
use patient::{Indication, Patient};
use vocabulary::{Condition, Ingredient, NumbingCream, Vocabulary};

/// Where a treatment takes place; sets the needle-length limits the safety stage applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Setting {
    /// Self-treatment at home.
    Home,
    /// A clinic or practice.
    Office,
}

/// One roller pass direction.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Pass {
    /// Stroke direction, degrees.
    pub direction_deg: f64,
    /// Repetitions over the whole area.
    pub count: u32,
}

/// Numbing cream before a session.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Numbing {
    /// The cream ([`NumbingCream::None`]: none).
    pub cream: NumbingCream,
    /// Application time, minutes.
    pub minutes: f64,
    /// Under occlusion.
    pub occluded: bool,
    /// Cream applied, g.
    pub grams: f64,
    /// Skin area the cream covers, cm².
    pub area_cm2: f64,
}

/// The validated protocol.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Protocol {
    /// Home or office.
    pub setting: Setting,
    /// What the series treats.
    pub indication: Indication,
    /// Treated area, cm².
    pub area_cm2: f64,
    /// Roller passes (empty for pens and stamps).
    pub passes: Vec<Pass>,
    /// Roller stroke speed, mm/s.
    pub stroke_speed_mm_s: f64,
    /// Pen raster line spacing, mm (None: the cartridge width).
    pub pen_line_spacing_mm: Option<f64>,
    /// Pen raster directions, degrees.
    pub pen_directions_deg: Vec<f64>,
    /// Stamp presses per spot.
    pub presses: u32,
    /// Sessions in the series.
    pub sessions: u32,
    /// Days between sessions.
    pub interval_days: f64,
    /// Days after the last session at which outcomes are reported.
    pub follow_up_days: f64,
    /// Numbing cream, if any.
    pub numbing: Option<Numbing>,
}

/// Ionisation of a product's active.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ionisation {
    /// Not ionisable.
    Neutral,
    /// A weak acid.
    Acid,
    /// A weak base.
    Base,
}

/// A validated product. Physico-chemical values left out of the file are filled from the
/// active's preset by the transport stage; `None` here means "not given".
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Product {
    /// Name (a preset active or free text).
    pub name: String,
    /// Molecular weight, Da.
    pub molecular_weight_da: Option<f64>,
    /// log10 Kow.
    pub log_kow: Option<f64>,
    /// pKa.
    pub pka: Option<f64>,
    /// Ionisation.
    pub ionisation: Option<Ionisation>,
    /// Vehicle pH.
    pub ph: Option<f64>,
    /// Concentration, mg/mL.
    pub concentration_mg_ml: f64,
    /// Dose, µL/cm² (None: infinite dose).
    pub dose_ul_per_cm2: Option<f64>,
    /// Formulated for microneedling.
    pub formulated_for_microneedling: bool,
    /// Patch test done before use, hours (None: none).
    pub patch_test_hours: Option<f64>,
    /// Ingredient classes, each once, in file order.
    pub contains: Vec<Ingredient>,
    /// Left on under occlusion.
    pub occluded: bool,
    /// Vehicle type (default aqueous serum).
    pub vehicle: crate::delivery::VehicleType,
    /// Volatile share of the product's volume (None: the vehicle's).
    pub volatile_fraction: Option<f64>,
    /// Evaporation rate of the volatile part, µL/cm²/h (None: the vehicle's).
    pub evaporation_ul_per_cm2_h: Option<f64>,
    /// Water solubility of the active, mg/mL (None: the preset's, else estimated).
    pub water_solubility_mg_ml: Option<f64>,
    /// Wiped off after this many hours (None: left on).
    pub removal_h: Option<f64>,
}

/// How transport is computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TransportMode {
    /// One channel in an axisymmetric cell (fast, default).
    UnitCell,
    /// Full 3-D over a window of the puncture map (at most 2 × 2 mm). Much slower than a unit
    /// cell and memory-hungry, more so with more holes or holes in several directions; the
    /// measured times and memory are in `docs/performance.md` ("Patch runs"), not here, where
    /// they would go stale.
    Patch,
    /// No transport.
    Off,
}

/// Grid resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// Quick look.
    Coarse,
    /// Default.
    Normal,
    /// Convergence checks.
    Fine,
}

/// Validated simulation options.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Simulation {
    /// Random seed.
    pub seed: u64,
    /// Side of the simulated square window, mm.
    pub window_mm: f64,
    /// Simulated transport time, h.
    pub duration_h: f64,
    /// Transport mode.
    pub transport: TransportMode,
    /// Grid resolution.
    pub resolution: Resolution,
}

/// A validated scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scenario {
    /// Short name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Skin.
    pub skin: Skin,
    /// The person treated.
    pub patient: Patient,
    /// Device.
    pub device: Device,
    /// Protocol.
    pub protocol: Protocol,
    /// Products.
    pub products: Vec<Product>,
    /// Simulation options.
    pub simulation: Simulation,
    /// The values of the model's registered parameters this scenario uses (the registry's,
    /// except those its `[parameters]` table overrides).
    #[serde(skip_serializing_if = "Parameters::is_empty")]
    pub parameters: Parameters,
    /// The Franz-cell protocol (`[invitro]`, excised skin only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitro: Option<invitro::Invitro>,
    /// The `--set` overrides applied to the file, in order, as `path=value` with the field's
    /// canonical path (`products[0].name`). Provenance only: not part of the scenario's hash
    /// ([`effective::sha256`]), since the values they set are.
    #[serde(skip)]
    pub overrides: Vec<String>,
}

/// A problem with a scenario.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ScenarioError {
    /// Dotted path of the field (e.g. `device.needle_length_mm`), empty for syntax errors.
    pub field: String,
    /// What is wrong, naming the value and what is allowed.
    pub message: String,
    /// Byte range in the scenario text, if the problem is in the text.
    pub span: Option<Range<usize>>,
}

/// Largest simulated window side, mm (keeps a full-face pen run to about a hundred thousand
/// punctures; densities are per cm² either way).
pub const MAX_WINDOW_MM: f64 = 30.0;

/// Parses and validates a scenario, applying `overrides` (`key.path=value`) first.
pub fn parse(text: &str, overrides: &[String]) -> Result<Scenario, Vec<ScenarioError>> {
    // 1. The file itself: syntax, unknown keys, wrong types, with spans.
    let file: ScenarioFile = toml::from_str(text).map_err(|e| vec![toml_error(&e, "")])?;
    // 2. Overrides, applied to the document then deserialised again.
    let mut overridden = Vec::new();
    let mut applied = Vec::new();
    let file = if overrides.is_empty() {
        file
    } else {
        let mut table: toml::Table = toml::from_str(text).map_err(|e| vec![toml_error(&e, "")])?;
        for o in overrides {
            let path = apply_override(&mut table, o).map_err(|e| vec![e])?;
            applied.push(format!("{path}={}", o.split_once('=').map(|(_, v)| v.trim()).unwrap_or_default()));
            overridden.push(path);
        }
        table.try_into::<ScenarioFile>().map_err(|e| vec![override_type_error(text, overrides, &overridden, &e)])?
    };
    // 3. Ranges and consistency.
    let spans = SpanIndex { text, overridden: &overridden };
    validate(&file, &spans).map(|s| Scenario { overrides: applied, ..s })
}

/// Names the `--set` that makes the document fail to deserialise (the first one, in order,
/// after which it fails), with its field and value.
fn override_type_error(text: &str, overrides: &[String], paths: &[String], e: &toml::de::Error) -> ScenarioError {
    let Ok(mut table) = toml::from_str::<toml::Table>(text) else {
        return ScenarioError { field: String::new(), message: format!("after --set: {}", e.message()), span: None };
    };
    for (o, path) in overrides.iter().zip(paths) {
        if apply_override(&mut table, o).is_err() {
            break;
        }
        if let Err(err) = table.clone().try_into::<ScenarioFile>() {
            let value = o.split_once('=').map(|(_, v)| v.trim()).unwrap_or_default();
            return ScenarioError {
                field: path.clone(),
                message: format!("--set {path}={value}: {}", err.message().trim_end()),
                span: None,
            };
        }
    }
    ScenarioError { field: String::new(), message: format!("after --set: {}", e.message()), span: None }
}

/// Most parts in a `--set` key path (`products[0].name` has three). The deepest scenario
/// field has four; the bound keeps a hostile path from exhausting the stack.
pub const MAX_SET_PATH_PARTS: usize = 16;
/// Longest `--set` argument, bytes.
pub const MAX_SET_BYTES: usize = 64 * 1024;

fn toml_error(e: &toml::de::Error, prefix: &str) -> ScenarioError {
    ScenarioError { field: String::new(), message: format!("{prefix}{}", e.message()), span: e.span() }
}

/// Applies one `a.b.c=value` override to a TOML table. The value is read as TOML (numbers,
/// booleans, arrays, inline tables, quoted strings) and otherwise taken as a bare string.
fn apply_override(table: &mut toml::Table, spec: &str) -> Result<String, ScenarioError> {
    // Shown at most 80 characters long in messages.
    let shown: String =
        if spec.chars().count() > 80 { spec.chars().take(80).collect::<String>() + "…" } else { spec.to_string() };
    let bad = |m: String| ScenarioError { field: shown.clone(), message: m, span: None };
    let (path, raw) = spec.split_once('=').ok_or_else(|| bad(format!("--set '{shown}': expected key.path=value")))?;
    let path = path.trim();
    // `products[0].name` and `products.0.name` address array elements.
    let normalised = path.replace('[', ".").replace(']', "");
    if spec.len() > MAX_SET_BYTES {
        return Err(bad(format!("--set is {} bytes long: allowed up to {MAX_SET_BYTES} bytes", spec.len())));
    }
    let keys: Vec<&str> = normalised.split('.').collect();
    if keys.len() > MAX_SET_PATH_PARTS {
        return Err(bad(format!(
            "--set '{shown}': the key path has {} parts: allowed up to {MAX_SET_PATH_PARTS}",
            keys.len()
        )));
    }
    if keys.iter().any(|k| k.is_empty()) {
        return Err(bad(format!("--set '{shown}': empty key in '{path}'")));
    }
    let value: toml::Value = match toml::from_str::<toml::Table>(&format!("v = {}", raw.trim())) {
        Ok(mut t) => t.remove("v").unwrap_or(toml::Value::String(raw.trim().to_string())),
        Err(_) => toml::Value::String(raw.trim().to_string()),
    };
    let (first, rest) = keys.split_first().ok_or_else(|| bad(format!("--set '{shown}': no key")))?;
    let mut cur = table.entry(first.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
    for k in rest {
        cur = match cur {
            toml::Value::Table(t) => t.entry(k.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new())),
            toml::Value::Array(a) => {
                let len = a.len();
                let i = k.parse::<usize>().ok().filter(|&i| i < len).ok_or_else(|| {
                    bad(format!("--set '{shown}': '{k}' is not an index of this list (it has {len} entries)"))
                })?;
                &mut a[i]
            }
            _ => return Err(bad(format!("--set '{shown}': cannot go into '{k}': its parent is not a table"))),
        };
    }
    *cur = value;
    // The canonical path, as validation names fields: `products[0].name`.
    let mut canonical = first.to_string();
    for k in rest {
        if k.parse::<usize>().is_ok() {
            canonical.push_str(&format!("[{k}]"));
        } else {
            canonical.push('.');
            canonical.push_str(k);
        }
    }
    Ok(canonical)
}

/// Finds the span of a dotted path in the original text.
struct SpanIndex<'a> {
    text: &'a str,
    overridden: &'a [String],
}

impl SpanIndex<'_> {
    /// Whether `path` was set by a `--set`, itself or as part of a table or list it replaced.
    fn is_overridden(&self, path: &str) -> bool {
        self.overridden.iter().any(|o| {
            path == o || path.strip_prefix(o.as_str()).is_some_and(|r| r.starts_with('.') || r.starts_with('['))
        })
    }

    fn span(&self, path: &str) -> Option<Range<usize>> {
        if self.is_overridden(path) {
            return None;
        }
        let doc = toml::de::DeTable::parse(self.text).ok()?;
        let mut parts = path.split('.');
        let first = parts.next()?;
        let mut cur = doc.get_ref().get(first)?;
        for p in parts {
            // `products[1]` style indices.
            let (key, idx) = match p.split_once('[') {
                Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
                None => (p, None),
            };
            if !key.is_empty() {
                cur = cur.get_ref().get(key)?;
            }
            if let Some(i) = idx {
                cur = cur.get_ref().get(i)?;
            }
        }
        Some(cur.span())
    }

    fn note(&self, path: &str) -> &'static str {
        if self.is_overridden(path) { " (set by --set)" } else { "" }
    }
}

/// Collects range errors while validating.
struct Checker<'a> {
    spans: &'a SpanIndex<'a>,
    errors: Vec<ScenarioError>,
}

impl Checker<'_> {
    fn error(&mut self, field: &str, message: String) {
        let span = self.spans.span(field);
        let note = self.spans.note(field);
        self.errors.push(ScenarioError { field: field.to_string(), message: format!("{message}{note}"), span });
    }

    /// Checks `min <= value <= max` (and finiteness), naming the field, value and range.
    fn range(&mut self, field: &str, value: f64, min: f64, max: f64, unit: &str) -> f64 {
        if !value.is_finite() || value < min || value > max {
            self.error(field, format!("{field} = {value} {unit} is out of range: allowed {min} to {max} {unit}"));
        }
        value
    }

    fn range_u(&mut self, field: &str, value: u32, min: u32, max: u32) -> u32 {
        if value < min || value > max {
            self.error(field, format!("{field} = {value} is out of range: allowed {min} to {max}"));
        }
        value
    }

    fn one_of<T: Copy>(&mut self, field: &str, value: &str, options: &[(&str, T)]) -> Option<T> {
        let found = options.iter().find(|(n, _)| n.eq_ignore_ascii_case(value)).map(|(_, v)| *v);
        if found.is_none() {
            let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
            self.error(field, format!("{field} = \"{value}\" is not known: allowed {}", names.join(", ")));
        }
        found
    }

    /// A name of a screening vocabulary (canonical or a documented alias), or an error naming
    /// the field, the value and the allowed names.
    fn vocabulary<V: Vocabulary>(&mut self, field: &str, value: &str) -> Option<V> {
        let found = V::parse(value);
        if found.is_none() {
            self.error(
                field,
                format!(
                    "{field} = \"{value}\" is not known: allowed {} (or a documented alias, docs/models.md \
§8; write durations and details in the scenario's description, not in the name)",
                    V::allowed()
                ),
            );
        }
        found
    }

    fn missing(&mut self, field: &str, what: &str) {
        self.error(field, format!("{field} is missing: {what}"));
    }
}

fn validate(f: &ScenarioFile, spans: &SpanIndex<'_>) -> Result<Scenario, Vec<ScenarioError>> {
    let mut c = Checker { spans, errors: Vec::new() };
    let skin = validate_skin(f, &mut c);
    let patient = validate_patient(f, &mut c);
    let device = validate_device(f, &mut c);
    let protocol = validate_protocol(f, device.as_ref(), &mut c);
    let products = validate_products(f, &mut c);
    let simulation = validate_simulation(f, protocol.as_ref(), &mut c);
    let invitro = invitro::validate_invitro(f, skin.as_ref(), simulation.as_ref(), &mut c);
    // a closed donor compartment occludes every product
    let products = match &invitro {
        Some(iv) if iv.donor_occluded => products.into_iter().map(|p| Product { occluded: true, ..p }).collect(),
        _ => products,
    };
    validate_bounds(f, &mut c);
    let parameters = validate_parameters(f, &mut c);
    match (skin, device, protocol, simulation) {
        (Some(skin), Some(device), Some(protocol), Some(simulation)) if c.errors.is_empty() => Ok(Scenario {
            name: f.name.clone().unwrap_or_else(|| "scenario".to_string()),
            description: f.description.clone().unwrap_or_default(),
            skin,
            patient,
            device,
            protocol,
            products,
            simulation,
            parameters,
            invitro,
            overrides: Vec::new(),
        }),
        _ => Err(c.errors),
    }
}

fn validate_skin(f: &ScenarioFile, c: &mut Checker<'_>) -> Option<Skin> {
    let s = &f.skin;
    let names: Vec<(&str, &str)> = crate::skin::SITES.iter().map(|p| (p.name, p.name)).collect();
    let name = c.one_of("skin.site", &s.site, &names)?;
    let preset = site_preset(name)?;
    let sex = s.sex.unwrap_or(Sex::Unspecified);
    let dermis = preset.dermis_for(sex);
    let sc =
        c.range("skin.stratum_corneum_um", s.stratum_corneum_um.unwrap_or(preset.stratum_corneum_um), 5.0, 200.0, "um");
    let ve = c.range(
        "skin.viable_epidermis_um",
        s.viable_epidermis_um.unwrap_or(preset.viable_epidermis_um),
        10.0,
        1000.0,
        "um",
    );
    let pd =
        c.range("skin.papillary_dermis_um", s.papillary_dermis_um.unwrap_or(PAPILLARY_DERMIS_UM), 20.0, 1000.0, "um");
    let rd = c.range(
        "skin.reticular_dermis_um",
        s.reticular_dermis_um.unwrap_or((dermis - PAPILLARY_DERMIS_UM).max(50.0)),
        20.0,
        5000.0,
        "um",
    );
    let mounting = match &s.mounting {
        None => preset.mounting,
        Some(m) => c.one_of(
            "skin.mounting",
            m,
            &[("in-vivo", Mounting::InVivo), ("franz-cell", Mounting::FranzCell), ("excised", Mounting::FranzCell)],
        )?,
    };
    // Excised skin deflects more than living skin (see skin::EXCISED_DEFLECTION_FACTOR).
    let deflection_factor = match (preset.mounting, mounting) {
        (Mounting::InVivo, Mounting::FranzCell) => crate::skin::EXCISED_DEFLECTION_FACTOR,
        _ => preset.deflection_factor,
    };
    // Excised skin goes into a Franz cell without its fat, over the receptor.
    let (default_fat, beneath) = match mounting {
        Mounting::FranzCell => (0.0, crate::skin::Beneath::Receptor),
        Mounting::InVivo => (preset.hypodermis_um, preset.beneath),
    };
    let fat = c.range("skin.hypodermis_um", s.hypodermis_um.unwrap_or(default_fat), 0.0, 50000.0, "um");
    // The published range of the site's dermis; one value when the scenario sets the dermis.
    let dermis_range_um = if s.papillary_dermis_um.is_some() || s.reticular_dermis_um.is_some() {
        crate::skin::DermisRange::single(pd + rd)
    } else {
        crate::skin::dermis_range(preset.name, sex, pd + rd)
    };
    Some(Skin {
        site: preset.name.to_string(),
        sex,
        layers: LayerThickness {
            stratum_corneum_um: sc,
            viable_epidermis_um: ve,
            papillary_dermis_um: pd,
            reticular_dermis_um: rd,
            hypodermis_um: fat,
        },
        mounting,
        deflection_factor,
        beneath,
        dermis_range_um,
    })
}

fn validate_patient(f: &ScenarioFile, c: &mut Checker<'_>) -> Patient {
    let p = &f.patient;
    let age_years =
        c.range("patient.age_years", p.age_years.unwrap_or(patient::DEFAULT_AGE_YEARS), 18.0, 100.0, "years");
    // The range is the indication's scale (`series::scale`: Goodman & Baron grade 1-4, Lemperle
    // 0-5, striae width 0.1-20 mm).
    let indication = f.protocol.indication.unwrap_or_default();
    let scale = crate::series::scale(indication);
    let baseline_severity = p.baseline_severity.inspect(|&v| {
        let (lo, hi) = scale.range;
        if !v.is_finite() || v < lo || v > hi {
            c.error(
                "patient.baseline_severity",
                format!(
                    "patient.baseline_severity = {v} is out of range for protocol.indication = \"{}\": allowed {lo} to {hi} ({})",
                    indication.name(),
                    scale.name
                ),
            );
        }
    });
    let mut scar_types = p.scar_types.clone();
    scar_types.dedup();
    let conditions = validate_conditions(f, c);
    Patient { age_years, phototype: p.phototype, baseline_severity, scar_types, conditions }
}

/// `patient.conditions`: each name must be in the screening vocabulary (a canonical name or a
/// documented alias); `skin.conditions` of older files is refused with a pointer to the new key.
fn validate_conditions(f: &ScenarioFile, c: &mut Checker<'_>) -> Vec<Condition> {
    if f.skin.conditions.is_some() {
        c.error(
            "skin.conditions",
            "skin.conditions has moved to patient.conditions (a list of known conditions, e.g. \
[patient] conditions = [\"rosacea\"])"
                .to_string(),
        );
    }
    let mut out = Vec::new();
    for (i, name) in f.patient.conditions.iter().enumerate() {
        if let Some(v) = c.vocabulary::<Condition>(&format!("patient.conditions[{i}]"), name)
            && !out.contains(&v)
        {
            out.push(v);
        }
    }
    out
}

fn cartridge_from(c: &mut Checker<'_>, field: &str, input: &CartridgeInput) -> Option<Cartridge> {
    match input {
        CartridgeInput::Preset(name) => {
            let found = cartridge_preset(name);
            if found.is_none() {
                c.error(field, format!("{field} = \"{name}\" is not known: allowed \"12\", \"36\" or a table {{ rows, columns, pitch_um }}"));
            }
            found
        }
        CartridgeInput::Grid(g) => {
            let rows = c.range_u(&format!("{field}.rows"), g.rows, 1, 20);
            let columns = c.range_u(&format!("{field}.columns"), g.columns, 1, 20);
            let pitch_um = c.range(&format!("{field}.pitch_um"), g.pitch_um, 50.0, 5000.0, "um");
            Some(Cartridge { rows, columns, pitch_um })
        }
    }
}

fn validate_device(f: &ScenarioFile, c: &mut Checker<'_>) -> Option<Device> {
    let d = f.device.needle();
    let kind_name = f.device.device_type().name();
    let preset = match &d.preset {
        None => None,
        Some(p) => {
            let names: Vec<(&str, &str)> = crate::device::DEVICES.iter().map(|x| (x.name, x.name)).collect();
            let name = c.one_of("device.preset", p, &names)?;
            let preset = device_preset(name)?;
            if preset.kind.type_name() != kind_name {
                c.error(
                    "device.preset",
                    format!(
                        "device.preset = \"{p}\" is a {} preset but device.type = \"{kind_name}\"",
                        preset.kind.type_name()
                    ),
                );
                return None;
            }
            Some(preset)
        }
    };
    let default_needle = preset.map(|p| p.needle);
    let length_mm = match (d.needle_length_mm, default_needle) {
        (Some(l), _) => l,
        (None, Some(n)) => n.length_um / 1000.0,
        (None, None) => {
            c.missing("device.needle_length_mm", "give the needle length in mm (0.05 to 3.5) or a device.preset");
            return None;
        }
    };
    let length_mm = c.range("device.needle_length_mm", length_mm, 0.05, 3.5, "mm");
    let diameter_mm = d.needle_diameter_mm.or(default_needle.map(|n| n.diameter_um / 1000.0)).unwrap_or(0.25);
    let diameter_mm = c.range("device.needle_diameter_mm", diameter_mm, 0.02, 1.0, "mm");
    let tip = d.tip_radius_um.or(default_needle.map(|n| n.tip_radius_um)).unwrap_or(SHARP_TIP_RADIUS_UM);
    let tip = c.range("device.tip_radius_um", tip, 0.5, 100.0, "um");
    if tip * 2.0 > diameter_mm * 1000.0 {
        c.error(
            "device.tip_radius_um",
            format!("device.tip_radius_um = {tip} um is wider than the needle ({} um across): allowed up to half the needle diameter", diameter_mm * 1000.0),
        );
    }
    let needle = Needle { length_um: length_mm * 1000.0, diameter_um: diameter_mm * 1000.0, tip_radius_um: tip };

    let kind = match &f.device {
        DeviceInput::Dermaroller(d) => {
            let base = match preset.map(|p| p.kind) {
                Some(DeviceKind::Dermaroller(r)) => Some(r),
                _ => None,
            };
            let needles = d.needles.or(base.map(|r| r.needles));
            let rows = d.rows.or(base.map(|r| r.rows));
            let (Some(needles), Some(rows)) = (needles, rows) else {
                c.missing(
                    "device.needles",
                    "a dermaroller needs needles and rows (or a device.preset such as \"roller-192\")",
                );
                return None;
            };
            let needles = c.range_u("device.needles", needles, 1, 2000);
            let rows = c.range_u("device.rows", rows, 1, 200);
            if rows > 0 && needles % rows != 0 {
                c.error("device.needles", format!("device.needles = {needles} is not a multiple of device.rows = {rows}: every ring must hold the same number of needles"));
            }
            let drum_diameter_mm = c.range(
                "device.drum_diameter_mm",
                d.drum_diameter_mm.or(base.map(|r| r.drum_diameter_mm)).unwrap_or(20.0),
                5.0,
                100.0,
                "mm",
            );
            let drum_width_mm = c.range(
                "device.drum_width_mm",
                d.drum_width_mm.or(base.map(|r| r.drum_width_mm)).unwrap_or(20.0),
                2.0,
                100.0,
                "mm",
            );
            let needle_tilt_deg = c.range(
                "device.needle_tilt_deg",
                d.needle_tilt_deg.or(base.map(|r| r.needle_tilt_deg)).unwrap_or(0.0),
                -45.0,
                45.0,
                "deg",
            );
            DeviceKind::Dermaroller(Roller { needles, rows, drum_diameter_mm, drum_width_mm, needle_tilt_deg })
        }
        DeviceInput::Dermapen(d) => {
            let base = match preset.map(|p| p.kind) {
                Some(DeviceKind::Dermapen(p)) => Some(p),
                _ => None,
            };
            let cartridge = match &d.cartridge {
                Some(ci) => cartridge_from(c, "device.cartridge", ci)?,
                None => base.map(|p| p.cartridge).or(cartridge_preset("12"))?,
            };
            let frequency_hz = c.range(
                "device.frequency_hz",
                d.frequency_hz.or(base.map(|p| p.frequency_hz)).unwrap_or(crate::device::PEN_FREQUENCY_HZ),
                1.0,
                200.0,
                "Hz",
            );
            let speed_mm_s = c.range(
                "device.speed_mm_s",
                d.speed_mm_s.or(base.map(|p| p.speed_mm_s)).unwrap_or(crate::device::PEN_SPEED_MM_S),
                0.5,
                100.0,
                "mm/s",
            );
            DeviceKind::Dermapen(Pen { frequency_hz, speed_mm_s, cartridge })
        }
        DeviceInput::Stamp(d) => {
            let base = match preset.map(|p| p.kind) {
                Some(DeviceKind::Stamp(s)) => Some(s),
                _ => None,
            };
            let array = match &d.array {
                Some(ci) => cartridge_from(c, "device.array", ci)?,
                None => match base {
                    Some(s) => s.array,
                    None => {
                        c.missing("device.array", "a stamp needs an array = { rows, columns, pitch_um } or a device.preset such as \"array-600\"");
                        return None;
                    }
                },
            };
            DeviceKind::Stamp(Stamp { array })
        }
    };
    let uses = c.range_u("device.uses", d.uses.unwrap_or(0), 0, 1000);
    let bent_fraction = c.range("device.bent_fraction", d.bent_fraction.unwrap_or(0.0), 0.0, 1.0, "");
    Some(Device { preset: preset.map(|p| p.name.to_string()), kind, needle, uses, bent_fraction })
}

fn validate_protocol(f: &ScenarioFile, device: Option<&Device>, c: &mut Checker<'_>) -> Option<Protocol> {
    let p = &f.protocol;
    let setting = c.one_of("protocol.setting", &p.setting, &[("home", Setting::Home), ("office", Setting::Office)]);
    let area_cm2 = c.range("protocol.area_cm2", p.area_cm2, 0.01, 2000.0, "cm2");
    let mut passes = Vec::new();
    for (i, pass) in p.passes.iter().enumerate() {
        let dir = c.range(&format!("protocol.passes[{i}].direction_deg"), pass.direction_deg, -360.0, 360.0, "deg");
        let count = c.range_u(&format!("protocol.passes[{i}].count"), pass.count, 1, 100);
        passes.push(Pass { direction_deg: dir, count });
    }
    let is_roller = matches!(device.map(|d| &d.kind), Some(DeviceKind::Dermaroller(_)));
    if is_roller && passes.is_empty() {
        passes.push(Pass { direction_deg: 0.0, count: 1 });
    }
    if !is_roller && !p.passes.is_empty() && device.is_some() {
        c.error(
            "protocol.passes",
            "protocol.passes applies to dermarollers only; a pen uses protocol.pen_path, a stamp protocol.presses"
                .to_string(),
        );
    }
    // Roller stroke speed: [A] about 2 cm/s, a stroke of a few cm per second or two.
    let stroke_speed_mm_s =
        c.range("protocol.stroke_speed_mm_s", p.stroke_speed_mm_s.unwrap_or(20.0), 1.0, 500.0, "mm/s");
    let path = p.pen_path.clone().unwrap_or_default();
    let pen_line_spacing_mm =
        path.line_spacing_mm.map(|s| c.range("protocol.pen_path.line_spacing_mm", s, 0.1, 50.0, "mm"));
    let mut pen_directions_deg = Vec::new();
    for (i, d) in path.directions_deg.iter().enumerate() {
        pen_directions_deg.push(c.range(&format!("protocol.pen_path.directions_deg[{i}]"), *d, -360.0, 360.0, "deg"));
    }
    if pen_directions_deg.is_empty() {
        pen_directions_deg.push(0.0);
    }
    let presses = c.range_u("protocol.presses", p.presses.unwrap_or(1), 1, 100);
    let sessions = c.range_u("protocol.sessions", p.sessions.unwrap_or(1), 1, 50);
    let interval_days = c.range("protocol.interval_days", p.interval_days.unwrap_or(28.0), 1.0, 365.0, "days");
    let follow_up_days = c.range("protocol.follow_up_days", p.follow_up_days.unwrap_or(90.0), 0.0, 3650.0, "days");
    let numbing = match &p.numbing {
        None => None,
        Some(n) => {
            let cream = c.vocabulary::<NumbingCream>("protocol.numbing.cream", &n.cream);
            let minutes = c.range("protocol.numbing.minutes", n.minutes, 0.0, 300.0, "min");
            let (grams, cream_area_cm2) = validate_numbing_amount(c, n, area_cm2);
            cream.map(|cream| Numbing {
                cream,
                minutes,
                occluded: n.occluded.unwrap_or(true),
                grams,
                area_cm2: cream_area_cm2,
            })
        }
    };
    Some(Protocol {
        setting: setting?,
        indication: p.indication.unwrap_or_default(),
        area_cm2,
        passes,
        stroke_speed_mm_s,
        pen_line_spacing_mm,
        pen_directions_deg,
        presses,
        sessions,
        interval_days,
        follow_up_days,
        numbing,
    })
}

/// `protocol.numbing.grams` and `protocol.numbing.area_cm2` (defaults: the EMLA label's dose
/// per area, [`crate::numbing::LABEL_GRAMS_PER_CM2`], over the treated area).
fn validate_numbing_amount(c: &mut Checker<'_>, n: &input::NumbingInput, treated_cm2: f64) -> (f64, f64) {
    let area = match n.area_cm2 {
        Some(a) => c.range("protocol.numbing.area_cm2", a, 0.01, 20000.0, "cm2"),
        None => treated_cm2,
    };
    let grams = match n.grams {
        Some(g) => c.range("protocol.numbing.grams", g, 0.0, 1000.0, "g"),
        None => crate::numbing::LABEL_GRAMS_PER_CM2.value * area,
    };
    (grams, area)
}

fn validate_products(f: &ScenarioFile, c: &mut Checker<'_>) -> Vec<Product> {
    let mut out = Vec::new();
    for (i, p) in f.products.iter().enumerate() {
        let at = |k: &str| format!("products[{i}].{k}");
        if p.name.trim().is_empty() {
            c.error(&at("name"), format!("{} is empty: give the product or active a name", at("name")));
        }
        if out.iter().any(|q: &Product| q.name == p.name) {
            c.error(
                &at("name"),
                format!("{} = \"{}\" is used twice: product names must be unique", at("name"), p.name),
            );
        }
        if dermasim_transport::props::preset(&p.name).is_none() {
            for (key, given) in
                [("molecular_weight_da", p.molecular_weight_da.is_some()), ("log_kow", p.log_kow.is_some())]
            {
                if !given {
                    c.missing(
                        &at(key),
                        &format!(
                            "\"{}\" is not a preset active, so {} is needed (presets: {})",
                            p.name,
                            key,
                            dermasim_transport::props::preset_names().join(", ")
                        ),
                    );
                }
            }
        }
        let mw = p.molecular_weight_da.map(|v| c.range(&at("molecular_weight_da"), v, 10.0, 5.0e6, "Da"));
        let log_kow = p.log_kow.map(|v| c.range(&at("log_kow"), v, -8.0, 10.0, ""));
        let pka = p.pka.map(|v| c.range(&at("pka"), v, -5.0, 20.0, ""));
        let ph = p.ph.map(|v| c.range(&at("ph"), v, 0.0, 14.0, ""));
        let ionisation = match &p.ionisation {
            None => None,
            Some(s) => c.one_of(
                &at("ionisation"),
                s,
                &[("neutral", Ionisation::Neutral), ("acid", Ionisation::Acid), ("base", Ionisation::Base)],
            ),
        };
        let conc = c.range(&at("concentration_mg_ml"), p.concentration_mg_ml, 0.0, 1000.0, "mg/mL");
        let dose = p.dose_ul_per_cm2.map(|v| c.range(&at("dose_ul_per_cm2"), v, 0.1, 1000.0, "uL/cm2"));
        let patch = p.patch_test_hours.map(|v| c.range(&at("patch_test_hours"), v, 0.0, 720.0, "h"));
        let mut contains = Vec::new();
        for (j, name) in p.contains.iter().enumerate() {
            if let Some(v) = c.vocabulary::<Ingredient>(&format!("products[{i}].contains[{j}]"), name)
                && !contains.contains(&v)
            {
                contains.push(v);
            }
        }
        out.push(Product {
            name: p.name.trim().to_string(),
            molecular_weight_da: mw,
            log_kow,
            pka,
            ionisation,
            ph,
            concentration_mg_ml: conc,
            dose_ul_per_cm2: dose,
            formulated_for_microneedling: p.formulated_for_microneedling.unwrap_or(false),
            patch_test_hours: patch,
            contains,
            occluded: p.occluded.unwrap_or(false),
            ..validate_vehicle(p, i, c)
        });
    }
    out
}

/// The vehicle fields of `products[i]` (and defaults for the rest of a [`Product`]).
fn validate_vehicle(p: &input::ProductInput, i: usize, c: &mut Checker<'_>) -> Product {
    use crate::delivery::VehicleType;
    let at = |k: &str| format!("products[{i}].{k}");
    let vehicle = match &p.vehicle {
        None => VehicleType::AqueousSerum,
        Some(v) => c.one_of(&at("vehicle"), v, VehicleType::NAMES).unwrap_or(VehicleType::AqueousSerum),
    };
    Product {
        name: String::new(),
        molecular_weight_da: None,
        log_kow: None,
        pka: None,
        ionisation: None,
        ph: None,
        concentration_mg_ml: 0.0,
        dose_ul_per_cm2: None,
        formulated_for_microneedling: false,
        patch_test_hours: None,
        contains: Vec::new(),
        occluded: false,
        vehicle,
        volatile_fraction: p.volatile_fraction.map(|v| c.range(&at("volatile_fraction"), v, 0.0, 0.999, "")),
        evaporation_ul_per_cm2_h: p
            .evaporation_ul_per_cm2_h
            .map(|v| c.range(&at("evaporation_ul_per_cm2_h"), v, 0.0, 1000.0, "uL/cm2/h")),
        water_solubility_mg_ml: p
            .water_solubility_mg_ml
            .map(|v| c.range(&at("water_solubility_mg_ml"), v, 1e-12, 1e4, "mg/mL")),
        removal_h: p.removal_h.map(|v| c.range(&at("removal_h"), v, 0.01, 24.0 * 30.0, "h")),
    }
}

fn validate_simulation(f: &ScenarioFile, protocol: Option<&Protocol>, c: &mut Checker<'_>) -> Option<Simulation> {
    let s = &f.simulation;
    let side_mm = protocol.map(|p| (p.area_cm2 * 100.0).sqrt()).unwrap_or(MAX_WINDOW_MM);
    let window_mm = match s.window_mm {
        Some(w) => c.range("simulation.window_mm", w, 1.0, side_mm.clamp(1.0, MAX_WINDOW_MM), "mm"),
        None => side_mm.min(MAX_WINDOW_MM),
    };
    let duration_h = c.range("simulation.duration_h", s.duration_h.unwrap_or(24.0), 0.01, 24.0 * 30.0, "h");
    let transport = match &s.transport {
        None => TransportMode::UnitCell,
        Some(t) => c.one_of(
            "simulation.transport",
            t,
            &[("unit_cell", TransportMode::UnitCell), ("patch", TransportMode::Patch), ("off", TransportMode::Off)],
        )?,
    };
    let resolution = match &s.resolution {
        None => Resolution::Normal,
        Some(r) => c.one_of(
            "simulation.resolution",
            r,
            &[("coarse", Resolution::Coarse), ("normal", Resolution::Normal), ("fine", Resolution::Fine)],
        )?,
    };
    Some(Simulation { seed: s.seed.unwrap_or(1), window_mm, duration_h, transport, resolution })
}

/// A product name as compared for uniqueness: trimmed, case folded, inner whitespace collapsed
/// (`"Caffeine"`, `"caffeine "` and `"caffeine"` are one product).
pub fn product_key(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// `[parameters.<stage>]` overrides: each a registered parameter within its allowed range.
fn validate_parameters(f: &ScenarioFile, c: &mut Checker<'_>) -> Parameters {
    let mut parameters = Parameters::new();
    for (stage, keys) in &f.parameters {
        for (key, &value) in keys {
            let name = format!("{stage}.{key}");
            if let Err(e) = parameters.set(&name, value) {
                c.error(&format!("parameters.{name}"), e.to_string());
            }
        }
    }
    parameters
}

/// Bounds on counts and names ([`limits`]), uniqueness of product names after normalisation,
/// and what transport needs but the file does not give (an acid or base needs a pKa).
fn validate_bounds(f: &ScenarioFile, c: &mut Checker<'_>) {
    use limits::{MAX_NAME_CHARS, MAX_PASS_ENTRIES, MAX_PRODUCT_NAME_CHARS, MAX_PRODUCTS, MAX_TOTAL_PASSES};
    let control = |s: &str| s.chars().any(|ch| ch.is_control());
    if let Some(name) = &f.name {
        let n = name.chars().count();
        if n > MAX_NAME_CHARS {
            c.error("name", format!("name is {n} characters long: allowed up to {MAX_NAME_CHARS}"));
        }
        if control(name) {
            c.error(
                "name",
                "name contains a control character (e.g. a terminal escape): allowed are printable characters".into(),
            );
        }
    }
    if f.products.len() > MAX_PRODUCTS {
        c.error("products", format!("products has {} entries: allowed up to {MAX_PRODUCTS}", f.products.len()));
    }
    let mut seen: Vec<(String, usize)> = Vec::new();
    for (i, p) in f.products.iter().enumerate() {
        let field = format!("products[{i}].name");
        let n = p.name.chars().count();
        if n > MAX_PRODUCT_NAME_CHARS {
            c.error(
                &field,
                format!(
                    "{field} is {n} characters long: allowed up to {MAX_PRODUCT_NAME_CHARS} (it becomes a file name)"
                ),
            );
        }
        if control(&p.name) {
            c.error(
                &field,
                format!(
                    "{field} contains a control character (e.g. a terminal escape): allowed are printable characters"
                ),
            );
        }
        let key = product_key(&p.name);
        if let Some((_, j)) = seen.iter().find(|(k, _)| *k == key) {
            // Exact repeats are reported by validate_products.
            if f.products[*j].name != p.name {
                c.error(
                    &field,
                    format!(
                        "{field} = \"{}\" is the same product as products[{j}].name = \"{}\" (names are compared ignoring case and spaces): product names must be unique",
                        p.name, f.products[*j].name
                    ),
                );
            }
        } else {
            seen.push((key, i));
        }
        let acid_or_base =
            p.ionisation.as_deref().is_some_and(|x| x.eq_ignore_ascii_case("acid") || x.eq_ignore_ascii_case("base"));
        let preset_pka = dermasim_transport::props::preset(&p.name).and_then(|q| q.pka);
        if acid_or_base && p.pka.is_none() && preset_pka.is_none() {
            c.error(
                &format!("products[{i}].pka"),
                format!(
                    "products[{i}].pka is missing: products[{i}].ionisation = \"{}\" needs the pKa of the ionisable group (-5 to 20) to compute the un-ionised fraction",
                    p.ionisation.as_deref().unwrap_or_default()
                ),
            );
        }
    }
    let passes = &f.protocol.passes;
    if passes.len() > MAX_PASS_ENTRIES {
        c.error(
            "protocol.passes",
            format!("protocol.passes has {} entries: allowed up to {MAX_PASS_ENTRIES}", passes.len()),
        );
    }
    let total: u64 = passes.iter().map(|p| u64::from(p.count)).sum();
    if total > u64::from(MAX_TOTAL_PASSES) {
        c.error(
            "protocol.passes",
            format!("protocol.passes add up to {total} passes: allowed up to {MAX_TOTAL_PASSES} in all"),
        );
    }
    let directions = f.protocol.pen_path.as_ref().map_or(0, |p| p.directions_deg.len());
    if directions > MAX_PASS_ENTRIES {
        c.error(
            "protocol.pen_path.directions_deg",
            format!("protocol.pen_path.directions_deg has {directions} entries: allowed up to {MAX_PASS_ENTRIES}"),
        );
    }
}

/// The JSON Schema of the scenario format.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(ScenarioFile)).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::vocabulary::DeviceType;
    use super::*;

    const ROLLER: &str = r#"
[skin]
site = "cheek"

[device]
type = "dermaroller"
preset = "roller-192"
needle_length_mm = 1.5

[protocol]
setting = "office"
area_cm2 = 4
passes = [{ direction_deg = 0, count = 1 }]
"#;

    fn first(text: &str, o: &[String]) -> ScenarioError {
        parse(text, o).unwrap_err().remove(0)
    }

    #[test]
    fn a_valid_roller_scenario_parses() {
        let s = parse(ROLLER, &[]).unwrap();
        assert_eq!(s.device.needle.length_um, 1500.0);
        assert_eq!(s.protocol.passes.len(), 1);
        assert_eq!(s.simulation.seed, 1);
    }

    #[test]
    fn unknown_key_is_refused_with_its_span() {
        let text = ROLLER.replace("area_cm2 = 4", "area_cm2 = 4\ncolour = 3");
        let e = first(&text, &[]);
        assert!(e.message.contains("colour"), "{}", e.message);
        let span = e.span.unwrap();
        assert!(text[span].contains("colour"));
    }

    #[test]
    fn wrong_type_is_refused() {
        let e = first(&ROLLER.replace("area_cm2 = 4", "area_cm2 = \"big\""), &[]);
        assert!(e.span.is_some());
        assert!(e.message.contains("invalid type") || e.message.contains("expected"), "{}", e.message);
    }

    #[test]
    fn out_of_range_names_field_value_and_range() {
        let text = ROLLER.replace("needle_length_mm = 1.5", "needle_length_mm = 12");
        let e = first(&text, &[]);
        assert_eq!(e.field, "device.needle_length_mm");
        assert!(e.message.contains("12") && e.message.contains("0.05 to 3.5"), "{}", e.message);
        assert_eq!(&text[e.span.unwrap()], "12");
    }

    #[test]
    fn override_sets_a_value_and_is_validated() {
        let s = parse(ROLLER, &["device.needle_length_mm=0.5".into()]).unwrap();
        assert_eq!(s.device.needle.length_um, 500.0);
        let e = first(ROLLER, &["device.needle_length_mm=-1".into()]);
        assert!(e.message.contains("--set"), "{}", e.message);
        assert!(e.span.is_none());
    }

    #[test]
    fn array_element_span_is_found() {
        let text = ROLLER.replace("count = 1", "count = 0");
        let e = first(&text, &[]);
        assert_eq!(e.field, "protocol.passes[0].count");
        assert_eq!(&text[e.span.unwrap()], "0");
    }

    #[test]
    fn baseline_severity_is_checked_on_the_indications_scale() {
        let with = |ind: &str, v: &str| {
            let o = [format!("protocol.indication={ind}"), format!("patient.baseline_severity={v}")];
            parse(ROLLER, &o)
        };
        assert!(with("acne-scars", "3.5").is_ok());
        let e = with("acne-scars", "5").unwrap_err().remove(0);
        assert_eq!(e.field, "patient.baseline_severity");
        assert!(e.message.contains("1 to 4") && e.message.contains("Goodman"), "{}", e.message);
        assert!(with("rejuvenation", "5").is_ok());
        assert!(with("rejuvenation", "6").is_err());
        assert!(with("striae", "12").is_ok() && with("striae", "0").is_err());
    }

    #[test]
    fn unknown_vocabulary_is_refused_with_the_allowed_names() {
        for (set, field) in [
            ("patient.conditions=[\"pregancy\"]", "patient.conditions[0]"),
            ("patient.conditions=[\"rosacea\", \"pregnancy (12 weeks)\"]", "patient.conditions[1]"),
            ("patient.conditions=[\"isotretinoin (stopped 2 months ago)\"]", "patient.conditions[0]"),
            ("protocol.numbing={cream=\"benzocaine\", minutes=30}", "protocol.numbing.cream"),
        ] {
            let e = first(ROLLER, &[set.into()]);
            assert_eq!(e.field, field, "{set}");
            assert!(e.message.contains("is not known: allowed"), "{}", e.message);
        }
        let e = first(ROLLER, &["patient.conditions=[\"pregancy\"]".into()]);
        assert!(e.message.contains("pregnancy") && e.message.contains("active-acne"), "{}", e.message);
        let text = format!(
            "{ROLLER}\n[[products]]\nname = \"niacinamide\"\nconcentration_mg_ml = 5\ncontains = [\"glitter\"]\n"
        );
        let e = first(&text, &[]);
        assert_eq!(e.field, "products[0].contains[0]");
        // Documented aliases and natural spellings map; duplicates collapse.
        let s = parse(ROLLER, &["patient.conditions=[\"Pregnant.\", \"keloid scars\", \"pregnancy\"]".into()]).unwrap();
        assert_eq!(s.patient.conditions, [Condition::Pregnancy, Condition::KeloidTendency]);
    }

    #[test]
    fn skin_conditions_of_older_files_point_to_the_patient_block() {
        let text = ROLLER.replace("site = \"cheek\"", "site = \"cheek\"\nconditions = [\"rosacea\"]");
        let e = first(&text, &[]);
        assert_eq!(e.field, "skin.conditions");
        assert!(e.message.contains("patient.conditions"), "{}", e.message);
    }

    #[test]
    fn schema_lists_the_vocabularies() {
        let s = json_schema().to_string();
        for name in ["pregnancy", "keloid-tendency", "lidocaine-4-liposomal", "vitamin-c", "exfoliating-acid"] {
            assert!(s.contains(&format!("\"{name}\"")), "{name}");
        }
    }

    #[test]
    fn schema_lists_the_device_vocabulary() {
        // an `enum` (or `const`s of a `oneOf`) listing exactly these names, anywhere in the schema
        fn lists(v: &serde_json::Value, names: &[&str]) -> bool {
            // a string, `{ "const": name }`, or a variant tagged by `type` (`properties.type.const`)
            let strings = |a: &Vec<serde_json::Value>| -> Vec<String> {
                a.iter()
                    .filter_map(|x| x.get("const").or(x.pointer("/properties/type/const")).or(Some(x)))
                    .filter_map(|c| c.as_str().map(String::from))
                    .collect()
            };
            let here = |key: &str| v.get(key).and_then(|e| e.as_array()).is_some_and(|a| strings(a) == names);
            here("enum")
                || here("oneOf")
                || match v {
                    serde_json::Value::Object(m) => m.values().any(|x| lists(x, names)),
                    serde_json::Value::Array(a) => a.iter().any(|x| lists(x, names)),
                    _ => false,
                }
        }
        let s = json_schema();
        assert!(lists(&s, &["dermaroller", "dermapen", "stamp"]));
        assert!(lists(&s, &["in-vivo", "franz-cell"]));
        assert!(lists(&s, &["12", "36"]));
        let sites: Vec<&str> = crate::skin::SITES.iter().map(|s| s.name).collect();
        assert!(sites.contains(&"cheek") && lists(&s, &sites));
        assert!(!lists(&s, &["dermaroller", "stamp"]));
        // every device preset's type is a DeviceType, by its canonical name
        for d in crate::device::DEVICES {
            assert_eq!(DeviceType::parse(d.kind.type_name()).map(|t| t.name()), Some(d.kind.type_name()));
        }
    }

    #[test]
    fn a_key_of_another_device_is_refused_naming_it_its_value_and_the_keys_allowed() {
        let text = ROLLER.replace("needle_length_mm = 1.5", "needle_length_mm = 1.5\nfrequency_hz = 20");
        let e = first(&text, &[]);
        assert!(
            e.message.contains(
                "device.frequency_hz = 20 is a dermapen key: a dermaroller takes preset, needle_length_mm, \
needle_diameter_mm, tip_radius_um, uses, bent_fraction, needles, rows, drum_diameter_mm, drum_width_mm, needle_tilt_deg"
            ),
            "{}",
            e.message
        );
        // the span is the device table's
        assert!(text[e.span.expect("a span")].starts_with("[device]"));
        let e = first(ROLLER, &["device.array={rows=1,columns=1,pitch_um=500}".to_string()]);
        assert_eq!(e.field, "device.array");
        assert!(
            e.message.contains("device.array = { rows = 1, columns = 1, pitch_um = 500 } is a stamp key"),
            "{}",
            e.message
        );
        // The device's own keys and every device's needle keys are fine.
        let pen = "[skin]\nsite = \"cheek\"\n[device]\ntype = \"dermapen\"\nneedle_length_mm = 1\nuses = 1\n\
frequency_hz = 100\ncartridge = \"36\"\n[protocol]\nsetting = \"office\"\narea_cm2 = 4\n";
        let s = parse(pen, &[]).unwrap_or_else(|e| panic!("{}", e[0].message));
        assert!(matches!(s.device.kind, DeviceKind::Dermapen(Pen { frequency_hz: 100.0, .. })), "{:?}", s.device);
    }

    #[test]
    fn an_unknown_device_type_names_the_types_and_any_letter_case_is_accepted() {
        let e = first(&ROLLER.replace("type = \"dermaroller\"", "type = \"roller\""), &[]);
        assert!(
            e.message.contains("device.type = \"roller\" is not known: allowed dermaroller, dermapen, stamp"),
            "{}",
            e.message
        );
        let s = parse(&ROLLER.replace("type = \"dermaroller\"", "type = \"DermaRoller\""), &[]).unwrap();
        assert!(matches!(s.device.kind, DeviceKind::Dermaroller(_)));
    }

    #[test]
    fn the_device_input_serialises_tagged_by_type() {
        let f: ScenarioFile = toml::from_str(ROLLER).unwrap();
        let v = serde_json::to_value(&f.device).unwrap();
        assert_eq!(v, serde_json::json!({"type": "dermaroller", "preset": "roller-192", "needle_length_mm": 1.5}));
        let back: DeviceInput = serde_json::from_value(v).unwrap();
        assert_eq!(back.device_type(), DeviceType::Dermaroller);
        assert_eq!(back.needle().needle_length_mm, Some(1.5));
    }

    #[test]
    fn schema_names_the_sections() {
        let s = json_schema().to_string();
        for k in ["skin", "device", "protocol", "products", "simulation", "needle_length_mm"] {
            assert!(s.contains(k), "{k}");
        }
    }

    // Bounds and normalisation (issue #22).

    fn with_products(products: &[&str]) -> String {
        let mut t = ROLLER.to_string();
        for p in products {
            t.push_str(&format!("\n[[products]]\nname = \"{p}\"\nconcentration_mg_ml = 10\n"));
        }
        t
    }

    #[test]
    fn product_names_colliding_after_normalisation_are_refused() {
        for pair in [["caffeine", "caffeine "], ["caffeine", "Caffeine"], ["niacin amide", "niacin  amide"]] {
            let e = parse(&with_products(&pair), &[]).unwrap_err();
            assert!(e.iter().any(|e| e.field == "products[1].name" && e.message.contains("unique")), "{pair:?}: {e:?}");
        }
        assert!(parse(&with_products(&["caffeine", "niacinamide"]), &[]).is_ok());
    }

    #[test]
    fn names_are_bounded_and_printable() {
        let long = "c".repeat(limits::MAX_PRODUCT_NAME_CHARS + 1);
        let e = parse(&with_products(&[&long]), &[]).unwrap_err();
        assert!(e.iter().any(|e| e.field == "products[0].name" && e.message.contains("characters long")), "{e:?}");
        let e = parse(&with_products(&["caf\\u001b[31mfeine"]), &[]).unwrap_err();
        assert!(e.iter().any(|e| e.message.contains("control character")), "{e:?}");
        let many: Vec<String> = (0..=limits::MAX_PRODUCTS).map(|i| format!("caffeine-{i}")).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        let text = with_products(&refs).replace(
            "concentration_mg_ml = 10",
            "concentration_mg_ml = 10\nmolecular_weight_da = 194\nlog_kow = -0.07",
        );
        assert!(parse(&text, &[]).unwrap_err().iter().any(|e| e.field == "products"));
    }

    #[test]
    fn an_acid_without_a_pka_is_refused_at_validation() {
        let text = ROLLER.to_string()
            + "[[products]]\nname = \"x\"\nmolecular_weight_da = 300\nlog_kow = 1\nionisation = \"acid\"\nconcentration_mg_ml = 10\n";
        let e = parse(&text, &[]).unwrap_err();
        assert!(e.iter().any(|e| e.field == "products[0].pka"), "{e:?}");
        assert!(parse(&text.replace("ionisation", "pka = 4.2\nionisation"), &[]).is_ok());
    }

    #[test]
    fn passes_and_windows_are_bounded() {
        let many = format!("passes = [{}]", ["{ direction_deg = 0, count = 100 }"; 11].join(", "));
        let text = ROLLER.replace("passes = [{ direction_deg = 0, count = 1 }]", &many);
        let e = parse(&text, &[]).unwrap_err();
        assert!(e.iter().any(|e| e.message.contains("1000 in all")), "{e:?}");
        // An explicit window is bounded by MAX_WINDOW_MM too, not only by the area.
        let text = ROLLER.replace("area_cm2 = 4", "area_cm2 = 100") + "[simulation]\nwindow_mm = 40\n";
        assert_eq!(first(&text, &[]).field, "simulation.window_mm");
    }

    #[test]
    fn set_paths_are_bounded_and_type_errors_name_the_field() {
        let deep = vec!["a"; 60_000].join(".") + "=1";
        let e = first(ROLLER, &[deep]);
        assert!(e.message.contains("allowed up to") && e.field.len() < 100, "{}", e.message);
        let e = first(ROLLER, &["protocol.area_cm2=\"1.0\"".into()]);
        assert_eq!(e.field, "protocol.area_cm2");
        assert!(e.message.contains("--set protocol.area_cm2"), "{}", e.message);
        // A table replaced whole: errors inside it are not underlined in the file's old text.
        let e = first(ROLLER, &["device={type=\"dermaroller\"}".into()]);
        assert!(e.span.is_none() && e.message.contains("--set"), "{e:?}");
    }
}
