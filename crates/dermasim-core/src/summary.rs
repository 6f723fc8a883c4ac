//! The key numbers of a run: what `summary.json` holds.
//!
//! Key names are a public interface (documented in `docs/outputs.md`); add keys, do not
//! rename them.

use serde::Serialize;

use crate::channels::{Channel, ChannelStats, mean_depth_band_um};
use crate::pattern::PatternStats;
use crate::punctures::PunctureMap;
use crate::scenario::Scenario;

/// `summary.json`.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// dermasim version that produced it.
    pub dermasim_version: &'static str,
    /// What was simulated.
    pub scenario: ScenarioSummary,
    /// Puncture pattern.
    pub punctures: PunctureSummary,
    /// Channels.
    pub channels: ChannelSummary,
    /// Transport: per product, `delivery.<product name>`.
    pub delivery: std::collections::BTreeMap<String, crate::delivery::Delivery>,
    /// Products whose transport could not be computed, and why.
    pub delivery_errors: Vec<crate::delivery::DeliveryError>,
    /// Healing after one session: resealing, barrier, redness (absent for excised skin).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healing: Option<HealingSummary>,
    /// The treatment series: collagen, elastin, scar score (absent for excised skin).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series: Option<SeriesSummary>,
    /// Safety screening: `verdict` ("ok", "caution", "contraindicated") and `findings`
    /// (`docs/models.md §8`).
    pub safety: crate::safety::SafetySummary,
    /// Numbing cream: onset model and recommended application time (absent for excised skin).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numbing: Option<crate::numbing::NumbingAssessment>,
    /// Session time: needling and total, min.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub procedure: Option<crate::procedure::Procedure>,
    /// Bands of the headline outputs from the registry's parameter uncertainty (present only
    /// for `dermasim run --uncertainty N`; [`crate::uncertainty`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<crate::uncertainty::UncertaintySummary>,
    /// Always present: dermasim informs, it does not prescribe.
    pub disclaimer: &'static str,
    /// Where these numbers come from: version, build commit, scenario hash, seed, overrides.
    pub provenance: Provenance,
}

/// `provenance` section: enough to reproduce the run and to tell two runs apart
/// (`docs/outputs.md`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Provenance {
    /// dermasim version.
    pub dermasim_version: &'static str,
    /// Git commit the front end was built from, when it was built in a git checkout (local
    /// changes not committed are not detected); `null` otherwise. The core leaves it `None`:
    /// it knows nothing of its build, the front end fills it in.
    pub git_commit: Option<String>,
    /// SHA-256 of the validated scenario (every value after presets, defaults and overrides,
    /// seed included; [`crate::scenario::effective::sha256`]).
    pub scenario_sha256: String,
    /// Random seed.
    pub seed: u64,
    /// `--set` overrides applied to the scenario file, in order (`path=value`); `--seed` is
    /// one, `simulation.seed=<n>`. The output's `scenario.toml` has them applied.
    pub overrides: Vec<String>,
    /// The results do not depend on the number of worker threads (per-entity random streams,
    /// reductions in a fixed order), so the thread count is not recorded.
    pub thread_count_independent: bool,
}

impl Provenance {
    /// The provenance of a run of `s` (no build commit: see [`Provenance::git_commit`]).
    pub fn of(s: &Scenario) -> Provenance {
        Provenance {
            dermasim_version: env!("CARGO_PKG_VERSION"),
            git_commit: None,
            scenario_sha256: crate::scenario::effective::sha256(s),
            seed: s.simulation.seed,
            overrides: s.overrides.clone(),
            thread_count_independent: true,
        }
    }
}

/// `healing` section: one session's resealing, barrier recovery and redness
/// (`docs/models.md §7`).
#[derive(Clone, Debug, Serialize)]
pub struct HealingSummary {
    /// Barrier recovered (impedance and water loss back to baseline: the open pore area per cm²
    /// below the detection level), h.
    pub barrier_recovered_h: f64,
    /// Channels closed to dyes and drugs: 95 % of the mean openness gone (pore clock), h.
    pub channels_closed_h: f64,
    /// A product is left on under occlusion after needling (slows closure).
    pub occluded: bool,
    /// Peak redness as the model's 0-1 fraction (Δa* / `DELTA_A_MAX`).
    pub erythema_peak: f64,
    /// Peak redness as a tristimulus colorimeter (Minolta Chroma Meter, CIELAB) reads it: Δa*,
    /// treated minus untreated skin.
    pub erythema_peak_delta_a: f64,
    /// Δa* below which redness counts as resolved (not visible).
    pub erythema_visible_delta_a: f64,
    /// Redness faded below `erythema_visible_delta_a`, h.
    pub erythema_resolved_h: f64,
    /// Days until the skin has recovered (redness faded, channels closed, barrier back).
    pub recovery_days: f64,
    /// Dermal injury dose, 100-µm channel equivalents per cm².
    pub dermal_dose_per_cm2: f64,
    /// A note when sessions follow each other before the skin has recovered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_note: Option<String>,
}

impl HealingSummary {
    /// The section for a healing result and the protocol's session plan.
    pub fn new(h: &crate::healing::Healing, p: &crate::scenario::Protocol) -> HealingSummary {
        let recovery_days = h.recovery_days();
        let interval_note = (p.sessions > 1 && p.interval_days < recovery_days).then(|| {
            format!(
                "sessions {:.0} days apart come before the skin has recovered from the previous one (about {:.1} days)",
                p.interval_days, recovery_days
            )
        });
        HealingSummary {
            barrier_recovered_h: h.barrier_recovered_h,
            channels_closed_h: h.channels_closed_h,
            occluded: h.conditions.occluded,
            erythema_peak: h.erythema_peak,
            erythema_peak_delta_a: h.erythema_peak_delta_a,
            erythema_visible_delta_a: h.erythema_visible_delta_a,
            erythema_resolved_h: h.erythema_resolved_h,
            recovery_days,
            dermal_dose_per_cm2: h.dose.dermal_dose_per_cm2,
            interval_note,
        }
    }
}

/// `series` section: the treatment series at `protocol.follow_up_days` after the last session
/// (`docs/models.md §10`, keys in `docs/outputs.md`).
#[derive(Clone, Debug, Serialize)]
pub struct SeriesSummary {
    /// Sessions.
    pub sessions: u32,
    /// Days between sessions.
    pub interval_days: f64,
    /// Days after the last session.
    pub follow_up_days: f64,
    /// Papillary-dermis collagen change, % of baseline (what histometry measures).
    pub collagen_change_pct: f64,
    /// Share of the new collagen that is type I.
    pub collagen_i_share: f64,
    /// Midpoint of the elastin band, % of baseline: the sources disagree on the sign, read
    /// `elastin_change_band_pct`.
    pub elastin_change_pct: f64,
    /// Relative change of the indication's severity for the scenario's patient, % (negative =
    /// better).
    pub scar_score_change_pct: f64,
    /// Grade before on the indication's scale (`scale`).
    pub scar_grade_before: i32,
    /// The same after.
    pub scar_grade_after: i32,
    /// What the series treats: "acne-scars", "rejuvenation" or "striae".
    pub indication: crate::scenario::patient::Indication,
    /// The outcome scale, its source and the default baseline.
    pub scale: SeriesScale,
    /// Severity before, on the scale (`patient.baseline_severity` or the scale's default).
    pub severity_before: f64,
    /// Severity at the follow-up.
    pub severity_after: f64,
    /// Relative improvement, 0-1.
    pub improvement_fraction: f64,
    /// Reticular-dermis collagen change, % of baseline.
    pub reticular_collagen_change_pct: f64,
    /// Elastin change band, % of baseline (`[low, high]`: decrease in El-Domyati 2015, unchanged
    /// in Kenkel 2021, increase in Aust 2008).
    pub elastin_change_band_pct: [f64; 2],
    /// Share of each dermal band activated by one session, 0-1.
    pub activation: crate::series::Bands,
    /// Sessions' worth of fully activated target band that started remodelling (saturation and
    /// interval effects make it less than `sessions`).
    pub effective_sessions: f64,
    /// Sessions that came within the inflammation phase of the previous one (injury, no benefit).
    pub sessions_into_inflammation: u32,
    /// Patient age used, years.
    pub age_years: f64,
    /// Fitzpatrick phototype used (the scenario's, or III when not given).
    pub phototype: crate::scenario::patient::Phototype,
    /// Probability of post-inflammatory hyperpigmentation over the series.
    pub pih_probability: f64,
    /// One session's redness lasts longer than 72 h for this patient.
    pub prolonged_erythema: bool,
    /// Probability of a procedural (tram-track or hypertrophic) scar over the series.
    pub scarring_probability: f64,
}

/// The scale an outcome is reported on.
#[derive(Clone, Debug, Serialize)]
pub struct SeriesScale {
    /// Name.
    pub name: &'static str,
    /// Publication.
    pub source: &'static str,
    /// Unit of a severity value.
    pub unit: &'static str,
    /// Default baseline and where it comes from.
    pub default_baseline: f64,
    /// Source of the default.
    pub default_source: &'static str,
}

impl SeriesSummary {
    /// The section for a series.
    pub fn new(s: &crate::series::Series) -> SeriesSummary {
        let r = &s.response;
        let band = s.elastin_change_band_pct;
        SeriesSummary {
            sessions: s.sessions,
            interval_days: s.interval_days,
            follow_up_days: s.follow_up_days,
            collagen_change_pct: r.collagen_change_pct,
            collagen_i_share: r.collagen_i_share,
            elastin_change_pct: 0.5 * (band[0] + band[1]) + 0.0,
            scar_score_change_pct: -100.0 * r.improvement + 0.0,
            scar_grade_before: r.grade_before,
            scar_grade_after: r.grade_after,
            indication: s.indication,
            scale: SeriesScale {
                name: s.scale.name,
                source: s.scale.source,
                unit: s.scale.unit,
                default_baseline: s.scale.default_baseline,
                default_source: s.scale.default_source,
            },
            severity_before: r.severity_before,
            severity_after: r.severity_after,
            improvement_fraction: r.improvement,
            reticular_collagen_change_pct: r.reticular_collagen_change_pct,
            elastin_change_band_pct: band,
            activation: s.bands,
            effective_sessions: s.effective_sessions,
            sessions_into_inflammation: r.sessions_into_inflammation,
            age_years: s.age_years,
            phototype: s.phototype,
            pih_probability: r.pih_probability,
            prolonged_erythema: r.prolonged_erythema,
            scarring_probability: r.scarring_probability,
        }
    }
}

/// The statement every output carries.
pub const DISCLAIMER: &str = "dermasim is a research and planning simulator, not a medical device. \
It informs; it does not prescribe. Discuss any treatment with a qualified practitioner.";

/// `scenario` section.
#[derive(Clone, Debug, Serialize)]
pub struct ScenarioSummary {
    /// Scenario name.
    pub name: String,
    /// Skin site.
    pub site: String,
    /// Device type.
    pub device: &'static str,
    /// Needle length, mm.
    pub needle_length_mm: f64,
    /// home / office.
    pub setting: crate::scenario::Setting,
    /// Treated area, cm².
    pub area_cm2: f64,
    /// Seed.
    pub seed: u64,
    /// Layer thicknesses used, µm, the subcutaneous fat (`hypodermis_um`) included.
    pub layers_um: crate::skin::LayerThickness,
    /// The site's dermis as the published methods read it (thin = the layers' dermis), µm.
    pub dermis_range_um: crate::skin::DermisRange,
    /// What lies beneath the fat: muscle, bone or (excised skin) a Franz cell's receptor.
    pub beneath: crate::skin::Beneath,
}

/// `punctures` section.
#[derive(Clone, Debug, Serialize)]
pub struct PunctureSummary {
    /// Punctures over the whole treated area (window count × area / window area).
    pub total: u64,
    /// Punctures simulated one by one in the window.
    pub simulated: usize,
    /// Simulated window, cm².
    pub window_cm2: f64,
    /// Punctures per cm².
    pub density_per_cm2: f64,
    /// Distinct holes per cm² (re-punctures of a hole merged).
    pub distinct_density_per_cm2: f64,
    /// Fraction of the skin surface covered by openings.
    pub coverage_fraction: f64,
    /// Mean nearest-neighbour spacing of distinct holes, µm.
    pub nearest_neighbour_um: Option<f64>,
    /// Expected density from the device geometry alone, per cm² (roller: passes × needles /
    /// (π·d·w); pen: frequency × needles / (speed × line spacing) per raster pass).
    pub nominal_density_per_cm2: Option<f64>,
    /// Pen: stamps in the window.
    pub pen_stamps: Option<u64>,
}

/// Fraction of channels reaching at least each layer (the channels stage's).
pub use crate::channels::Reach;

/// `channels` section.
#[derive(Clone, Debug, Serialize)]
pub struct ChannelSummary {
    /// Channels (= simulated punctures).
    pub count: usize,
    /// Mean depth, µm.
    pub mean_depth_um: f64,
    /// Standard deviation of depth, µm.
    pub sd_depth_um: f64,
    /// Shallowest and deepest channel, µm.
    pub depth_range_um: [f64; 2],
    /// Band of the mean depth from the mechanics' parameter bands, µm.
    pub mean_depth_band_um: [f64; 2],
    /// Mean depth / needle length.
    pub depth_fraction_mean: f64,
    /// Mean opening across the direction of travel, µm.
    pub mean_width_um: f64,
    /// Band of the mean opening width from the elastic recovery's band (Kalluri's ±1 SD), µm.
    pub mean_width_band_um: [f64; 2],
    /// Mean opening along the direction of travel, µm.
    pub mean_length_um: f64,
    /// Fraction of torn channels.
    pub torn_fraction: f64,
    /// Fraction of channels reaching at least each layer.
    pub reach: Reach,
    /// Share of the channels reaching the fat on the thin, central and thick published readings
    /// of the site's dermis (`scenario.dermis_range_um`); `reach.hypodermis` is the thin one.
    pub hypodermis_by_dermis: crate::channels::HypodermisByDermis,
}

/// The stage results a [`Summary`] is assembled from, by reference: every stage of a run.
#[derive(Clone, Copy, Debug)]
pub struct Stages<'a> {
    /// The validated scenario.
    pub scenario: &'a Scenario,
    /// Punctures stage.
    pub punctures: &'a PunctureMap,
    /// Channels stage.
    pub channels: &'a [Channel],
    /// Statistics of the channels stage's channels.
    pub channel_stats: &'a ChannelStats,
    /// Pattern stage.
    pub pattern: &'a PatternStats,
    /// Transport stage.
    pub delivery: &'a crate::delivery::DeliveryOutcome,
    /// Healing stage (None for excised skin).
    pub healing: Option<&'a crate::healing::Healing>,
    /// Series stage (None for excised skin).
    pub series: Option<&'a crate::series::Series>,
    /// Safety stage.
    pub safety: &'a crate::safety::SafetySummary,
    /// Numbing stage (None for excised skin).
    pub numbing: Option<&'a crate::numbing::NumbingAssessment>,
    /// Procedure time.
    pub procedure: &'a crate::procedure::Procedure,
}

/// Assembles the summary, once, from every stage's result: each section is the stage's result
/// or a view of it; no section is filled in afterwards.
pub fn summarise(st: &Stages<'_>) -> Summary {
    let (s, map, cs, pattern) = (st.scenario, st.punctures, st.channel_stats, st.pattern);
    let win = map.window_cm2();
    let density = pattern.punctures as f64 / win;
    let nominal = match &s.device.kind {
        crate::device::DeviceKind::Dermaroller(r) => {
            let passes: u32 = s.protocol.passes.iter().map(|p| p.count).sum();
            Some(f64::from(passes) * r.density_per_pass_per_cm2())
        }
        crate::device::DeviceKind::Dermapen(p) => {
            let spacing_cm = s.protocol.pen_line_spacing_mm.map(|m| m * 0.1).unwrap_or(p.cartridge.span_um() * 1e-4);
            let per_pass = p.frequency_hz * f64::from(p.cartridge.needles()) / (p.speed_mm_s * 0.1 * spacing_cm);
            Some(per_pass * s.protocol.pen_directions_deg.len() as f64)
        }
        crate::device::DeviceKind::Stamp(st) => {
            let a = &st.array;
            Some(f64::from(s.protocol.presses) / (a.pitch_um * 1e-4).powi(2))
        }
    };
    let band = mean_depth_band_um(s);
    Summary {
        dermasim_version: env!("CARGO_PKG_VERSION"),
        scenario: ScenarioSummary {
            name: s.name.clone(),
            site: s.skin.site.clone(),
            device: s.device.kind.type_name(),
            needle_length_mm: s.device.needle.length_mm(),
            setting: s.protocol.setting,
            area_cm2: s.protocol.area_cm2,
            seed: s.simulation.seed,
            layers_um: s.skin.layers,
            dermis_range_um: s.skin.dermis_range_um,
            beneath: s.skin.beneath,
        },
        punctures: PunctureSummary {
            total: (density * s.protocol.area_cm2).round() as u64,
            simulated: pattern.punctures,
            window_cm2: win,
            density_per_cm2: density,
            distinct_density_per_cm2: pattern.distinct_holes as f64 / win,
            coverage_fraction: pattern.coverage_fraction,
            nearest_neighbour_um: pattern.nearest_neighbour_um,
            nominal_density_per_cm2: nominal,
            pen_stamps: matches!(s.device.kind, crate::device::DeviceKind::Dermapen(_)).then_some(map.pen_stamps),
        },
        channels: ChannelSummary {
            count: cs.count,
            mean_depth_um: cs.mean_depth_um,
            sd_depth_um: cs.sd_depth_um,
            depth_range_um: cs.depth_range_um,
            mean_depth_band_um: [band.0, band.1],
            depth_fraction_mean: cs.mean_depth_um / s.device.needle.length_um,
            mean_width_um: cs.mean_width_um,
            mean_width_band_um: {
                let b = crate::channels::mean_width_band_um(cs.mean_width_um, &s.parameters);
                [b.0, b.1]
            },
            mean_length_um: cs.mean_length_um,
            torn_fraction: cs.torn_fraction,
            reach: cs.reach,
            hypodermis_by_dermis: cs.hypodermis_by_dermis,
        },
        // The numbers only: the solves (and a patch run's 3-D field) stay in the stage result.
        delivery: st.delivery.products.iter().map(|(name, d)| (name.clone(), d.numbers.clone())).collect(),
        delivery_errors: st.delivery.errors.clone(),
        healing: st.healing.map(|h| HealingSummary::new(h, &s.protocol)),
        series: st.series.map(SeriesSummary::new),
        safety: st.safety.clone(),
        numbing: st.numbing.cloned(),
        procedure: Some(st.procedure.clone()),
        uncertainty: None,
        disclaimer: DISCLAIMER,
        provenance: Provenance::of(s),
    }
}
