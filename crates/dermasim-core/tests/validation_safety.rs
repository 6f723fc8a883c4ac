//! Validation suite, safety stage: the published cases (`docs/validation.md`) V16 (numbing-cream time) and
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

/// V16 label check (not fitted): EMLA under occlusion, label [V]: at least 60 min for minor
/// (superficial) procedures, at least 120 min for major dermal ones; tolerance 0.75-1.5x. The
/// label names no site: the forearm is the reference site, `[A]`.
///
/// Superficial: a 1.0 mm office roller. Deeper: a 1.5 mm pen (channels to 1.5 mm). With the
/// roller's depth from living human skin (issue #17) 9 channels in 10 of the 1.0 mm roller reach
/// 1000 µm (223 µm with the rat-derived depth), and the recommendation is 90 min, 1.50x the
/// label: at the edge of the tolerance (it was 35 min, a 0.58x miss, before #17). Pinned so
/// `docs/validation.md` stays true.
#[test]
fn v16_emla_recommendation_against_the_label() {
    let superficial = safety::check(&numbing_scenario("forearm", "dermaroller", "roller-192", 1.0)).numbing.unwrap();
    let deeper = safety::check(&numbing_scenario("forearm", "dermapen", "pen-12", 1.5)).numbing.unwrap();
    let ratio = deeper.recommended_minutes / 120.0;
    assert!((0.75..=1.5).contains(&ratio), "V16 deeper: {deeper:?}");
    assert_eq!(superficial.recommended_minutes, 90.0, "documented figure moved: {superficial:?}");
    assert!((0.75..=1.5).contains(&(superficial.recommended_minutes / 60.0)), "V16 superficial: {superficial:?}");
    assert!(deeper.recommended_minutes > superficial.recommended_minutes, "{deeper:?} {superficial:?}");
    assert!(superficial.target_depth_um == superficial.channel_depth_p90_um && superficial.reaches_channels);
}

/// Calibration, Bjerring & Arendt-Nielsen 1990 [V]: the depth of analgesia to needle insertion is
/// 1.9 mm untreated and about 5 mm at most, 30 min after a 90-min application and during the
/// hour after a 120-min one (occluded EMLA). `FAT_INNERVATION_RATIO` was fitted to these three
/// points; with shorter applications the depth kept increasing after removal (a check).
#[test]
fn numbing_calibration_bjerring() {
    let t = numbing_scenario("forearm", "dermapen", "pen-12", 1.5).skin.layers;
    let bottom = t.boundaries_um()[3];
    let d = |app: f64, at: f64| {
        let c = numbing::course(&numbing::EMLA, &t, true, app, at).unwrap();
        numbing::analgesia_depth_um(c.onset.depth_at(at), bottom)
    };
    for (app, at) in [(90.0, 120.0), (120.0, 120.0), (120.0, 180.0)] {
        let a = d(app, at);
        assert!((a / 5000.0 - 1.0).abs() < 0.1, "{app} min applied, at {at}: {a:.0} um");
    }
    assert_eq!(numbing::analgesia_depth_um(0.0, bottom), numbing::UNTREATED_PAIN_DEPTH_UM.value);
    for app in [30.0, 60.0] {
        assert!(d(app, app + 30.0) > d(app, app) + 200.0, "{app}: no deepening after removal");
    }
}

/// Independent check (not fitted), Wahlgren & Quiding 2000 (J Am Acad Dermatol 42:584) [V]:
/// occluded EMLA on the thigh; a 4 mm biopsy punch pushed in 1-mm steps about 10 min after
/// removal; mean depth with acceptable pain 2.9 mm after 60 min and 4.5 mm after 120 min; 6 mm
/// (the deepest tried) in all 5 subjects after 3-4 h. Tolerance ±1 mm (the method's step).
/// The model gives 3.3 mm and 4.6 mm (pass) and 5.2-5.4 mm after 3-4 h: a documented miss of
/// at least 0.6-0.8 mm, pinned.
#[test]
fn numbing_independent_check_wahlgren() {
    let t = numbing_scenario("thigh", "dermapen", "pen-12", 1.5).skin.layers;
    let bottom = t.boundaries_um()[3];
    let d = |app: f64| {
        let c = numbing::course(&numbing::EMLA, &t, true, app, app + 10.0).unwrap();
        numbing::analgesia_depth_um(c.onset.depth_at(app + 10.0), bottom)
    };
    for (app, published) in [(60.0, 2900.0), (120.0, 4500.0)] {
        let m = d(app);
        assert!((m - published).abs() <= 1000.0, "{app} min: {m:.0} um vs {published} um");
    }
    for app in [180.0, 240.0] {
        let m = d(app);
        assert!(m < 6000.0 && m > 5000.0, "documented miss moved: {app} min gives {m:.0} um (published >= 6 mm)");
    }
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

/// Independent check of the systemic uptake (not fitted), EMLA Cream 5 % SmPC §5.2 [V]: "after
/// application to the thigh in adults (60 g cream/400 cm² for 3 hours) the extent of absorption
/// was approximately 5 % of lidocaine and prilocaine"; "approximately 10 % following
/// application to the face (10 g/100 cm² for 2 hours)". Tolerance: within a factor 2.
///
/// Face (cheek preset): 14.1 % lidocaine, 13.0 % prilocaine (1.3-1.4x, pass). Thigh: 11.2 % and
/// 10.3 % (2.1-2.2x): a documented miss, on the safe side for the uptake rule, pinned here. The
/// face takes up more than the thigh, as published (model 1.26x, published 2x).
#[test]
fn anaesthetic_uptake_against_the_smpc() {
    let fraction = |site: &str, grams: f64, area: f64, minutes: f64| -> Vec<f64> {
        let t = numbing_scenario(site, "dermapen", "pen-12", 1.5).skin.layers;
        let e = numbing::exposure(&numbing::EMLA, &t, true, minutes, grams, area, 35.0).unwrap();
        e.bases.iter().map(|b| b.systemic_mg / b.applied_mg).collect()
    };
    let face = fraction("cheek", 10.0, 100.0, 120.0);
    for f in &face {
        assert!((0.5..=2.0).contains(&(f / 0.10)), "face: {f:.3} vs 0.10");
    }
    let thigh = fraction("thigh", 60.0, 400.0, 180.0);
    for f in &thigh {
        assert!((2.0..=2.5).contains(&(f / 0.05)), "documented thigh miss moved: {f:.3} vs 0.05");
    }
    assert!(face[0] > thigh[0] && face[1] > thigh[1]);
}
