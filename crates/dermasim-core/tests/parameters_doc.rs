//! `docs/models.md` carries the parameter registry as generated tables: this test fails when
//! they drift from the registry. `DERMASIM_UPDATE_DOCS=1` rewrites them instead.

use dermasim_core::params::{self, DOC_BEGIN, DOC_END};

#[test]
fn models_md_parameter_tables_match_the_registry() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/models.md");
    let text = std::fs::read_to_string(&path).expect("docs/models.md");
    let (Some(b), Some(e)) = (text.find(DOC_BEGIN), text.find(DOC_END)) else {
        panic!("docs/models.md has no `{DOC_BEGIN}` … `{DOC_END}` block");
    };
    let start = b + DOC_BEGIN.len();
    let generated = format!("\n{}", params::markdown());
    if std::env::var_os("DERMASIM_UPDATE_DOCS").is_some() {
        let new = format!("{}{generated}{}", &text[..start], &text[e..]);
        let tmp = path.with_extension("md.tmp");
        std::fs::write(&tmp, new).expect("write");
        std::fs::rename(&tmp, &path).expect("rename");
        return;
    }
    assert!(
        text[start..e] == generated,
        "docs/models.md's parameter tables differ from the registry: regenerate them with \
`DERMASIM_UPDATE_DOCS=1 cargo test -p dermasim-core --test parameters_doc`"
    );
}

/// Every `Param` constant declared in the core's source is in the registry (a stage that
/// declares one also lists it in its `PARAMS` and the registry's groups).
#[test]
fn every_declared_param_is_registered() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![src];
    let mut missing = Vec::new();
    let mut declared = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for (i, _) in text.match_indices(": Param = Param {") {
                let rest = &text[i..];
                let name = rest.split("name: \"").nth(1).and_then(|r| r.split('"').next()).unwrap_or("?");
                declared += 1;
                if params::find(name).is_none() {
                    missing.push(format!("{name} ({})", path.display()));
                }
            }
        }
    }
    assert!(declared > 0);
    assert_eq!(declared, params::all().count(), "declared Param constants vs registered entries");
    assert!(missing.is_empty(), "declared but not registered: {missing:?}");
}

/// The stages moved into the registry declare no other model constant: every `f64` constant
/// outside their tests is a registered `Param` or listed here with why it is not one. A new
/// constant in one of these stages must join the registry or this list (with its reason).
#[test]
fn migrated_stages_have_no_unregistered_constants() {
    // (file, constant, why it is not a registry parameter)
    const NOT_PARAMETERS: &[(&str, &str, &str)] = &[
        ("series.rs", "DOGRA_SCORE", "calibration datum (Dogra's means and SDs), held at its published values"),
        ("series.rs", "ALAM_DIFFERENCE", "calibration datum (Alam's score differences), held at its published values"),
        ("series.rs", "GOODMAN_BARON_AGREEMENT", "the published agreement; its fraction is the parameter"),
        ("numbing.rs", "NO_CREAM_UP_TO_MM", "convention of the recommendation (seed article), not yet migrated"),
        ("numbing.rs", "MAX_MINUTES", "label's longest application (a definition)"),
        ("numbing.rs", "PLATEAU_FRACTION", "convention of the recommendation, not yet migrated"),
        ("numbing.rs", "ROUND_TO_MIN", "convention of the recommendation, not yet migrated"),
        ("numbing.rs", "TARGET_QUANTILE", "convention of the recommendation, not yet migrated"),
        ("numbing.rs", "MIN_FAT_UM", "numerical choice (fat modelled under thin living skin)"),
        ("numbing.rs", "STEP_S", "numerical choice (time step)"),
        ("numbing.rs", "OUTPUT_MIN", "numerical choice (output interval)"),
        ("numbing.rs", "UM_MG_ML_TO_MG_CM2", "unit conversion"),
        ("numbing.rs", "FOREARM_SKIN_BOTTOM_UM", "derived from the skin stage's forearm preset"),
        ("numbing.rs", "LIDOCAINE_CREAM_MAX_MINUTES", "label's longest application (a definition)"),
        ("safety.rs", "PEN_DEPTH_RANGE_MM", "what pens offer (a device fact)"),
        ("safety.rs", "DULL_TIP_CAUTION_UM", "derived from the device's sharp tip"),
        ("safety.rs", "DULL_TIP_CONTRAINDICATED_UM", "derived from the channels stage's R_C"),
        ("procedure.rs", "FULL_FACE_CM2", "an area for examples and validation, not a model constant"),
        ("delivery.rs", "PATCH_WINDOW_UM", "numerical choice (the 3-D window's size)"),
        ("delivery.rs", "MIN_DIFFUSIVITY_UM2_S", "numerical floor (the solver refuses D = 0)"),
        ("delivery.rs", "MIN_PARTITION", "numerical floor paired with the diffusivity floor"),
        ("delivery.rs", "MAX_MASS_BALANCE_ERROR", "numerical check of the solver's bookkeeping"),
        ("delivery.rs", "NEGLIGIBLE_UG_PER_CM2", "reporting threshold (an amount too small to divide by)"),
        ("delivery.rs", "STEADY_FLUX_TOLERANCE", "reporting definition (when a flux counts as steady)"),
        ("delivery.rs", "MAX_CHANNEL_DEPTH_SHARE", "numerical choice (tissue below every channel tip)"),
        ("delivery.rs", "INTACT_PROGRESS_SHARE", "progress reporting, not a model constant"),
    ];
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut unlisted = Vec::new();
    let mut seen = 0;
    for file in ["series.rs", "numbing.rs", "safety.rs", "procedure.rs", "delivery.rs"] {
        let text = std::fs::read_to_string(src.join(file)).expect("stage source");
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for line in code.lines() {
            let l = line.trim_start();
            let l = l.strip_prefix("pub ").unwrap_or(l);
            let Some(rest) = l.strip_prefix("const ") else { continue };
            let Some((name, ty)) = rest.split_once(':') else { continue };
            let ty = ty.trim_start();
            if !(ty.starts_with("f64") || ty.starts_with("(f64")) {
                continue;
            }
            seen += 1;
            if !NOT_PARAMETERS.iter().any(|(f, n, _)| *f == file && *n == name.trim()) {
                unlisted.push(format!("{file}: {}", name.trim()));
            }
        }
    }
    assert!(seen > 0, "the scan found the stages' constants");
    assert!(unlisted.is_empty(), "model constants outside the registry (register them, or list why not): {unlisted:?}");
}
