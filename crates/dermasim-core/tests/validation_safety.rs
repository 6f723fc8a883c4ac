//! Validation suite, safety stage: `../shared/validation/cases.md` V16 (numbing-cream time) and
//! V17 (session time). `docs/validation.md` tabulates the same figures.

use dermasim_core::{numbing, procedure, safety, scenario, simulate};

fn parse(text: &str, set: &[&str]) -> scenario::Scenario {
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    scenario::parse(text, &set).unwrap_or_else(|e| panic!("{:?}", e))
}

fn numbing_scenario(site: &str, kind: &str, preset: &str, length_mm: f64) -> scenario::Scenario {
    parse(
        &format!(
            "[skin]\nsite = \"{site}\"\n[device]\ntype = \"{kind}\"\npreset = \"{preset}\"\nneedle_length_mm = \
             {length_mm}\n[protocol]\nsetting = \"office\"\narea_cm2 = 20\nnumbing = {{ cream = \"emla\", minutes = \
             60, occluded = true }}\n"
        ),
        &[],
    )
}

/// V16: EMLA under occlusion. Label [V]: at least 60 min for minor (superficial) procedures, at
/// least 120 min for major dermal ones; the recommendation must be within 0.75-1.5x of the
/// label. The label names no site: the forearm is the reference site, `[A]`.
///
/// Deeper: a 1.5 mm pen, whose channels cross the dermis (the cream is then needed as deep as it
/// can reach): inside the tolerance. Superficial: a 1.0 mm office roller. Its channels stayed in
/// the papillary dermis (about 210 µm) while the roller's depth came from rat skin; in living
/// human skin (issue #17) they reach about 955 µm, below the cream's plateau, so the model
/// recommends the plateau time, 125 min: a documented miss of 2.08x the label (tolerance 1.5x),
/// pinned here. The case no longer describes a superficial procedure: every roller long enough
/// to need cream (> 0.5 mm) now wounds the reticular dermis. `THRESHOLD_MG_ML` was calibrated on
/// 60 min at the bottom of the forearm's papillary dermis (283 µm).
#[test]
fn v16_emla_recommendation_matches_the_label() {
    let superficial = safety::check(&numbing_scenario("forearm", "dermaroller", "roller-192", 1.0)).numbing.unwrap();
    let deeper = safety::check(&numbing_scenario("forearm", "dermapen", "pen-12", 1.5)).numbing.unwrap();
    let ratio = deeper.recommended_minutes / 120.0;
    assert!(
        (0.75..=1.5).contains(&ratio),
        "V16 deeper: {} min vs label 120 min; {deeper:?}",
        deeper.recommended_minutes
    );
    // The documented miss: the 1.0 mm roller's channels go beyond the cream's plateau.
    let ratio = superficial.recommended_minutes / 60.0;
    assert!((2.0..=2.2).contains(&ratio), "V16 superficial: {} min; {superficial:?}", superficial.recommended_minutes);
    assert!(superficial.channel_depth_um > superficial.target_depth_um);
    // A deeper channel never needs less cream.
    assert!(deeper.recommended_minutes >= superficial.recommended_minutes);
}

/// V16, Bjerring & Arendt-Nielsen 1990 [V]: analgesia deepens with application time and reaches
/// its maximum at about 90-120 min (30 min after a 90-min application; throughout the hour after
/// a 120-min one); the depth at 120 min exceeds that at 60 min. Needles of 0.5 mm or less need
/// no cream (seed; untreated pain-threshold depth 1.9 mm).
#[test]
fn v16_bjerring_depth_grows_to_a_plateau_and_short_needles_need_none() {
    let s = numbing_scenario("forearm", "dermapen", "pen-12", 1.5);
    let o = numbing::onset(&numbing::EMLA, &s.skin.layers, true).unwrap();
    assert!(o.depth_at(120.0) > 1.3 * o.depth_at(60.0), "{:?}", o.numb_depth);
    let plateau_min = o.minutes_to(numbing::PLATEAU_FRACTION * o.depth_at(numbing::MAX_MINUTES)).unwrap();
    assert!((90.0..=150.0).contains(&plateau_min), "plateau at {plateau_min} min");
    let home = safety::check(&numbing_scenario("cheek", "dermaroller", "roller-192", 0.5)).numbing.unwrap();
    assert_eq!(home.recommended_minutes, 0.0);
}

/// A full face, `procedure::FULL_FACE_CM2` = 300 cm² (`[A]`).
fn face(device: &str, protocol: &str) -> scenario::Scenario {
    parse(
        &format!(
            "[skin]\nsite = \"cheek\"\n{device}\n[protocol]\nsetting = \"office\"\narea_cm2 = {}\n{protocol}\n",
            procedure::FULL_FACE_CM2
        ),
        &[],
    )
}

const ROLLER: &str = "[device]\ntype = \"dermaroller\"\npreset = \"roller-192\"\nneedle_length_mm = 1.5";
/// literature.md §1.1: "15 to 20 vertical, horizontal and oblique passes" [S]: 4 passes in
/// each of 4 directions (16).
const ROLLER_16: &str = "passes = [{ direction_deg = 0, count = 4 }, { direction_deg = 90, count = 4 }, { \
                         direction_deg = 45, count = 4 }, { direction_deg = 135, count = 4 }]";

/// V17: a full face with a standard roller protocol or a pen crisscross: 20-30 min of needling
/// (seed), tolerance 15-40 min.
#[test]
fn v17_full_face_session_time() {
    let roller = procedure::estimate(&face(ROLLER, ROLLER_16), None);
    assert!((15.0..=40.0).contains(&roller.duration_min), "V17 roller: {roller:?}");
    let pen36 = face(
        "[device]\ntype = \"dermapen\"\npreset = \"pen-36\"\nneedle_length_mm = 1.0",
        "pen_path = { directions_deg = [0, 90] }",
    );
    let pen = procedure::estimate(&pen36, None);
    assert!((15.0..=40.0).contains(&pen.duration_min), "V17 pen-36 crisscross: {pen:?}");
}

/// V17, documented miss: the 12-needle pen (2.4 mm wide) in a crisscross at the default glide
/// speed of 10 mm/s (`[A]`) needs about 52 min for a full face, 30 % above the 40-min bound;
/// one raster direction takes about 26 min. Pinned here so `docs/validation.md` stays
/// true.
#[test]
fn v17_pen12_crisscross_is_a_documented_miss() {
    let dev = "[device]\ntype = \"dermapen\"\npreset = \"pen-12\"\nneedle_length_mm = 1.0";
    let two = procedure::estimate(&face(dev, "pen_path = { directions_deg = [0, 90] }"), None);
    assert!((two.duration_min - 52.1).abs() < 1.0, "{two:?}");
    let one = procedure::estimate(&face(dev, "pen_path = { directions_deg = [0] }"), None);
    assert!((15.0..=40.0).contains(&one.duration_min), "{one:?}");
}

/// The run carries the three sections; the total adds numbing and preparation.
#[test]
fn run_reports_safety_numbing_and_procedure() {
    let s = parse(
        "[skin]\nsite = \"cheek\"\n[patient]\nconditions = [\"rosacea\"]\n[device]\ntype = \"dermapen\"\npreset = \
         \"pen-12\"\nneedle_length_mm = 1.0\n[protocol]\nsetting = \"office\"\narea_cm2 = 4\npen_path = { \
         directions_deg = [0, 90] }\nnumbing = { cream = \"emla\", minutes = 20 }\n[simulation]\ntransport = \
         \"off\"\n",
        &[],
    );
    let o = simulate(&s);
    let j = serde_json::to_value(&o.summary).unwrap();
    assert_eq!(j["safety"]["verdict"], "contraindicated");
    let codes: Vec<&str> =
        j["safety"]["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"CONDITION_ROSACEA") && codes.contains(&"NUMBING_TOO_SHORT"), "{codes:?}");
    assert!(j["numbing"]["recommended_minutes"].as_f64().unwrap() > 20.0);
    let d = j["procedure"]["duration_min"].as_f64().unwrap();
    assert!((d - procedure::needling_time_s(&s).0 / 60.0).abs() < 1e-9);
    let total = j["procedure"]["total_min"].as_f64().unwrap();
    assert!((total - (d + 20.0 + procedure::PREPARATION_MIN.value)).abs() < 1e-9);
}
