//! `[invitro]`: a Franz diffusion cell run as a laboratory runs it (receptor volume, sampling
//! schedule with or without replacement, donor occlusion). Only for excised skin.
//!
//! The transport stage's receptor is a perfect sink under the skin; what the protocol adds is
//! what a laboratory measures from it: the receptor concentration in each sample and the
//! cumulative amount with the usual correction for the receptor withdrawn
//! (`crate::delivery::franz_samples`, `docs/models.md` "Franz-cell protocol").

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Checker, ScenarioFile, Simulation};
use crate::skin::{Mounting, Skin};

/// `[invitro]` as written.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitroInput {
    /// Receptor chamber volume, mL (0.2 to 100; Franz cells hold 2-12 mL).
    pub receptor_volume_ml: f64,
    /// Exposed (diffusion) area of the cell, cm² (0.05 to 20; typically 0.2-3.1).
    pub diffusion_area_cm2: f64,
    /// Sampling times, h: strictly rising, each above 0 and at most `simulation.duration_h`
    /// (1 to 200 of them). Each is an output time of the solves.
    pub sampling_times_h: Vec<f64>,
    /// Volume of receptor fluid drawn at each sampling, mL (default 0.2; above 0, at most the
    /// receptor volume).
    #[serde(default)]
    pub sample_volume_ml: Option<f64>,
    /// Whether each sample is replaced by the same volume of fresh receptor fluid (default
    /// true). Without replacement the samples together must leave receptor fluid in the cell.
    #[serde(default)]
    pub replace: Option<bool>,
    /// Whether the donor compartment is closed (occluded: the products' vehicles do not
    /// evaporate; default false, an open donor as in finite-dose studies).
    #[serde(default)]
    pub donor_occluded: Option<bool>,
}

/// A validated Franz-cell protocol.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Invitro {
    /// Receptor chamber volume, mL.
    pub receptor_volume_ml: f64,
    /// Exposed area, cm².
    pub diffusion_area_cm2: f64,
    /// Sampling times, h (strictly rising, within the simulated time).
    pub sampling_times_h: Vec<f64>,
    /// Volume drawn per sample, mL.
    pub sample_volume_ml: f64,
    /// Samples replaced by fresh fluid.
    pub replace: bool,
    /// Donor compartment closed (every product occluded).
    pub donor_occluded: bool,
}

/// Default volume drawn per sample, mL \[A\]: a common aliquot of static Franz-cell studies
/// (0.2-0.5 mL from 2-12 mL receptors).
pub const DEFAULT_SAMPLE_VOLUME_ML: f64 = 0.2;

/// Receptor volumes accepted, mL (micro cells hold a fraction of a mL, the largest jacketed
/// ones tens of mL).
pub const RECEPTOR_VOLUME_RANGE_ML: (f64, f64) = (0.2, 100.0);

/// Diffusion areas accepted, cm².
pub const DIFFUSION_AREA_RANGE_CM2: (f64, f64) = (0.05, 20.0);

/// Most sampling times of a protocol (each is an output time of both solves: a resource bound).
pub const MAX_SAMPLING_TIMES: usize = 200;

/// `[invitro]`: the Franz-cell protocol (only on excised skin). `None` when the file has none.
pub(super) fn validate_invitro(
    f: &ScenarioFile,
    skin: Option<&Skin>,
    simulation: Option<&Simulation>,
    c: &mut Checker<'_>,
) -> Option<Invitro> {
    let iv = f.invitro.as_ref()?;
    if let Some(s) = skin.filter(|s| s.mounting != Mounting::FranzCell) {
        c.error(
            "invitro",
            format!(
                "[invitro] describes a Franz cell, but skin.site = \"{}\" is living skin: allowed only on excised skin \
(skin.mounting = \"excised\", or an excised site such as \"dermatomed-human\" or \"porcine-ear\")",
                s.site
            ),
        );
    }
    let (v_min, v_max) = RECEPTOR_VOLUME_RANGE_ML;
    let receptor_volume_ml = c.range("invitro.receptor_volume_ml", iv.receptor_volume_ml, v_min, v_max, "mL");
    let (a_min, a_max) = DIFFUSION_AREA_RANGE_CM2;
    let diffusion_area_cm2 = c.range("invitro.diffusion_area_cm2", iv.diffusion_area_cm2, a_min, a_max, "cm2");
    let sample_volume_ml = iv.sample_volume_ml.unwrap_or(DEFAULT_SAMPLE_VOLUME_ML);
    if !(sample_volume_ml.is_finite() && sample_volume_ml > 0.0 && sample_volume_ml <= receptor_volume_ml) {
        c.error(
            "invitro.sample_volume_ml",
            format!(
                "invitro.sample_volume_ml = {sample_volume_ml} mL is out of range: allowed above 0 and at most \
invitro.receptor_volume_ml = {receptor_volume_ml} mL"
            ),
        );
    }
    let duration_h = simulation.map(|s| s.duration_h).unwrap_or(f64::INFINITY);
    let t = &iv.sampling_times_h;
    if t.is_empty() || t.len() > MAX_SAMPLING_TIMES {
        c.error(
            "invitro.sampling_times_h",
            format!("invitro.sampling_times_h has {} entries: allowed 1 to {MAX_SAMPLING_TIMES}", t.len()),
        );
    }
    if let Some((i, v)) =
        t.iter().enumerate().find(|&(i, &v)| !(v.is_finite() && v > 0.0 && v <= duration_h) || (i > 0 && v <= t[i - 1]))
    {
        c.error(
            "invitro.sampling_times_h",
            format!(
                "invitro.sampling_times_h[{i}] = {v} h is out of range: allowed above 0 and at most \
simulation.duration_h = {duration_h} h, each later than the one before"
            ),
        );
    }
    let replace = iv.replace.unwrap_or(true);
    let n = t.len().max(1) as f64;
    if !replace && sample_volume_ml * n >= receptor_volume_ml {
        c.error(
            "invitro.sample_volume_ml",
            format!(
                "invitro.sample_volume_ml = {sample_volume_ml} mL drawn {} times without replacement empties the \
{receptor_volume_ml} mL receptor: allowed below {} mL (or invitro.replace = true)",
                t.len(),
                receptor_volume_ml / n
            ),
        );
    }
    Some(Invitro {
        receptor_volume_ml,
        diffusion_area_cm2,
        sampling_times_h: t.clone(),
        sample_volume_ml,
        replace,
        donor_occluded: iv.donor_occluded.unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use crate::scenario::parse;

    const CELL: &str = r#"
[skin]
site = "porcine-ear"
[device]
type = "dermaroller"
preset = "roller-192"
needle_length_mm = 0.5
[protocol]
setting = "office"
area_cm2 = 1
[invitro]
receptor_volume_ml = 4
diffusion_area_cm2 = 0.5
sampling_times_h = [1, 2, 4]
"#;

    #[test]
    fn defaults_are_a_replaced_0_2_ml_sample_and_an_open_donor() {
        let iv = parse(CELL, &[]).unwrap().invitro.unwrap();
        assert_eq!((iv.sample_volume_ml, iv.replace, iv.donor_occluded), (0.2, true, false));
        assert_eq!(iv.sampling_times_h, vec![1.0, 2.0, 4.0]);
    }

    #[test]
    fn no_replacement_needs_fluid_left_after_the_last_sample() {
        // 3 samples of 1.3 mL from 4 mL leave 0.1 mL: accepted; 1.4 mL would not
        assert!(parse(CELL, &["invitro.replace=false".into(), "invitro.sample_volume_ml=1.3".into()]).is_ok());
        let e = parse(CELL, &["invitro.replace=false".into(), "invitro.sample_volume_ml=1.4".into()]).unwrap_err();
        assert_eq!(e[0].field, "invitro.sample_volume_ml");
        // with replacement the whole receptor may be exchanged at each sampling
        assert!(parse(CELL, &["invitro.sample_volume_ml=4".into()]).is_ok());
    }

    #[test]
    fn not_a_number_is_refused() {
        let e = parse(CELL, &["invitro.sampling_times_h=[1, nan]".into()]).unwrap_err();
        assert_eq!(e[0].field, "invitro.sampling_times_h");
        let e = parse(CELL, &["invitro.receptor_volume_ml=inf".into()]).unwrap_err();
        assert_eq!(e[0].field, "invitro.receptor_volume_ml");
    }

    #[test]
    fn a_scenario_without_invitro_hashes_as_before() {
        // the field is left out of the serialised scenario when absent (scenario hashes of
        // existing files do not move)
        let text = CELL.split("[invitro]").next().unwrap();
        let s = parse(text, &[]).unwrap();
        assert!(!serde_json::to_string(&s).unwrap().contains("invitro"));
    }
}
