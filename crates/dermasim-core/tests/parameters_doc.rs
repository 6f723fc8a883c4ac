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
