//! Published human measurements on the skin stages (issue #17) that no parameter was fitted
//! to: independent checks, with their misses reported in `docs/validation.md`.

use dermasim_core::scenario::parse;

fn array_on_forearm(length_mm: f64) -> dermasim_core::Outcome {
    let text = format!(
        r#"
name = "Bal 2008 microneedle array, ventral forearm"
[skin]
site = "forearm"
[device]
type = "stamp"
preset = "array-600"
needle_length_mm = {length_mm}
[protocol]
setting = "office"
area_cm2 = 1
[simulation]
seed = 1
transport = "off"
"#
    );
    let s = parse(&text, &[]).unwrap_or_else(|e| panic!("{}", e[0].message));
    dermasim_core::simulate(&s)
}

/// Bal et al. 2008 (Eur J Pharm Sci 35:193, abstract) [V]: solid microneedle arrays of 400 µm on
/// the ventral forearm of 18 volunteers gave significantly more redness (and TEWL) than 200 µm
/// arrays; for every array "the irritation was minimal and lasted less than 2 h". The array
/// layout is not in the abstract (the `array-600` preset, 11 × 11 at 600 µm, is assumed).
///
/// The direction (400 µm redder than 200 µm) is asserted; the duration is a documented miss
/// (dermasim: 5.9 h and 23.9 h, against < 2 h), pinned so that a change shows.
#[test]
fn bal_2008_longer_arrays_redden_more_and_the_duration_miss_is_documented() {
    let (short, long) = (array_on_forearm(0.2), array_on_forearm(0.4));
    let (hs, hl) = (short.healing.as_ref().unwrap(), long.healing.as_ref().unwrap());
    assert!(hl.erythema_peak > hs.erythema_peak, "{} vs {}", hl.erythema_peak, hs.erythema_peak);
    assert!(hl.erythema_resolved_h > hs.erythema_resolved_h);
    // Barrier: both back well within the study's observation (Gupta 2011's < 2 h holds).
    assert!(hs.barrier_recovered_h <= 2.0 && hl.barrier_recovered_h <= 2.0);
    // The miss, as documented in docs/validation.md (issue #17 section).
    assert!((hs.erythema_resolved_h - 5.9).abs() < 0.5, "{}", hs.erythema_resolved_h);
    assert!((hl.erythema_resolved_h - 23.9).abs() < 1.0, "{}", hl.erythema_resolved_h);
}
