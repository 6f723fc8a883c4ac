//! `docs/validation.md`'s generated tables are what the validation runs give today: this test
//! fails when the committed file drifts. Regenerate with
//! `DERMASIM_UPDATE_DOCS=1 cargo test --workspace --test validation_doc`.

use dermasim_validation::{calibrate, cases, doc};

#[test]
fn docs_validation_md_is_generated_from_the_runs() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/validation.md");
    let text = std::fs::read_to_string(path).unwrap();
    let rows = cases::all().unwrap();
    let fits: Vec<_> = calibrate::CALIBRATIONS.iter().map(|c| calibrate::fit(c).unwrap()).collect();
    let want = doc::splice(&text, &doc::markdown(&rows, &fits)).unwrap();
    if std::env::var_os("DERMASIM_UPDATE_DOCS").is_some() {
        if want != text {
            let tmp = format!("{path}.tmp");
            std::fs::write(&tmp, &want).unwrap();
            std::fs::rename(&tmp, path).unwrap();
        }
        return;
    }
    assert!(
        want == text,
        "docs/validation.md's generated tables differ from the validation runs: regenerate with `{}`",
        doc::REGENERATE
    );
}
