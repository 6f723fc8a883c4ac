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
            let mut names: Vec<String> = Vec::new();
            for (i, _) in text.match_indices(": Param = Param {") {
                let rest = &text[i..];
                names.push(rest.split("name: \"").nth(1).and_then(|r| r.split('"').next()).unwrap_or("?").to_string());
            }
            // Params made by a `const fn` builder of the file (`const fn pih_rr(name: …) -> Param`):
            // each call with a name literal declares one.
            for (i, _) in text.match_indices("const fn ") {
                let def = &text[i + "const fn ".len()..];
                let Some((builder, sig)) = def.split_once('(') else { continue };
                if !sig.split('{').next().unwrap_or("").contains("-> Param") {
                    continue;
                }
                for (j, _) in text.match_indices(&format!("{builder}(\"")) {
                    let rest = &text[j + builder.len() + 2..];
                    names.push(rest.split('"').next().unwrap_or("?").to_string());
                }
            }
            for name in names {
                declared += 1;
                if params::find(&name).is_none() {
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
        ("numbing.rs", "MAX_MINUTES", "label's longest application (a definition)"),
        (
            "numbing.rs",
            "TARGET_QUANTILE",
            "definition: the channels stage's p90 (ChannelStats::depth_p90_um), which the assessment reads; not overridable",
        ),
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
        ("cohort.rs", "Z95", "definition (z of a two-sided 95 % interval)"),
        ("cohort.rs", "EPIDERMIS_FACTOR_RANGE", "numerical choice (truncation of the patients' draw)"),
        ("cohort.rs", "RADIUS_FACTOR_RANGE", "numerical choice (truncation of the patients' draw)"),
        ("cohort.rs", "ADULT_AGE_RANGE_YEARS", "definition (the adults dermasim models)"),
    ];
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut unlisted = Vec::new();
    let mut seen = 0;
    for file in ["series.rs", "numbing.rs", "safety.rs", "procedure.rs", "delivery.rs", "cohort.rs"] {
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

/// The issue's check "no bare literals in model code other than numerical choices marked as
/// such", for the stages migrated into the registry: outside tests, constant items (registered
/// `Param`s, the constants listed in [`migrated_stages_have_no_unregistered_constants`], `const
/// fn` builders of Params) and comments, every floating-point literal in `series.rs`,
/// `numbing.rs`, `cohort.rs` and `procedure.rs` is either an identity or unit factor
/// ([`TRIVIAL`]) or sits on a line (or the line above) marked with why it is not a model
/// constant: `[num]` a numerical choice (a guard against division by zero, a bisection bracket,
/// an approximation's coefficient), `[def]` a definition (a scale's rounding, a formula's
/// constant), `[datum]` a published datum (a calibration study's protocol, a label's table) whose
/// source the item's doc comment names. Safety (restructured into a table of rules by #15) and
/// the channel, skin, healing and delivery stages (#16, #17) are not scanned yet.
#[test]
fn migrated_stages_have_no_bare_literals() {
    /// Identities and unit factors (%, min/h, h/day, mm/µm, µm²/cm², s/h) need no mark.
    const TRIVIAL: &[f64] = &[0.0, 1.0, 2.0, 0.5, 100.0, 60.0, 24.0, 1000.0, 1e8, 3600.0];
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut bare = Vec::new();
    let mut scanned = 0;
    for file in ["series.rs", "numbing.rs", "cohort.rs", "procedure.rs"] {
        let text = std::fs::read_to_string(src.join(file)).expect("stage source");
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        let lines = code_lines(code);
        for (i, (code, comment)) in lines.iter().enumerate() {
            let marked = |c: &str| ["[num]", "[def]", "[datum]"].iter().any(|m| c.contains(m));
            if marked(comment) || (i > 0 && marked(&lines[i - 1].1) && lines[i - 1].0.trim().is_empty()) {
                continue;
            }
            for lit in float_literals(code) {
                scanned += 1;
                let v: f64 = lit.replace('_', "").trim_end_matches("f64").parse().unwrap_or(f64::NAN);
                if !TRIVIAL.contains(&v) {
                    bare.push(format!("{file}:{}: {lit} in `{}`", i + 1, code.trim()));
                }
            }
        }
    }
    assert!(scanned > 0, "the scan found the stages' literals");
    assert!(
        bare.is_empty(),
        "bare literals in model code (register them, or mark the line [num]/[def]/[datum]):\n{}",
        bare.join("\n")
    );
}

/// The source's lines as (code, comment), with string literals blanked and constant items
/// (`const`, `static`, `const fn`: declarations, checked by the tests above) left out.
fn code_lines(src: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let (mut code, mut comment) = (String::new(), String::new());
    let mut chars = src.chars().peekable();
    let (mut in_str, mut raw_hashes, mut in_comment) = (false, None::<usize>, false);
    while let Some(c) = chars.next() {
        if c == '\n' {
            out.push((std::mem::take(&mut code), std::mem::take(&mut comment)));
            in_comment = false;
            continue;
        }
        if in_comment {
            comment.push(c);
        } else if let Some(h) = raw_hashes {
            if c == '"' && (0..h).all(|_| chars.next_if_eq(&'#').is_some()) {
                raw_hashes = None;
                code.push('"');
            }
        } else if in_str {
            if c == '\\' {
                chars.next();
            } else if c == '"' {
                in_str = false;
                code.push('"');
            }
        } else if c == '/' && chars.peek() == Some(&'/') {
            in_comment = true;
        } else if c == '"' {
            in_str = true;
            code.push('"');
        } else if c == 'r'
            && matches!(chars.peek(), Some('#') | Some('"'))
            && !code.ends_with(|x: char| x.is_alphanumeric() || x == '_')
        {
            let mut h = 0;
            while chars.next_if_eq(&'#').is_some() {
                h += 1;
            }
            if chars.next_if_eq(&'"').is_some() {
                raw_hashes = Some(h);
                code.push('"');
            } else {
                code.push('r');
            }
        } else {
            code.push(c);
        }
    }
    out.push((code, comment));
    // Leave out constant items: from a line starting `const`/`static` (after `pub`) to the end
    // of the item (its closing `;`, or for a `const fn` its closing brace) at depth 0.
    let mut kept = Vec::with_capacity(out.len());
    let mut depth: i32 = 0;
    let mut in_item = false;
    for (code, comment) in out {
        let t = code.trim_start();
        let t = t.strip_prefix("pub(crate) ").or_else(|| t.strip_prefix("pub ")).unwrap_or(t);
        if !in_item && (t.starts_with("const ") || t.starts_with("static ")) {
            in_item = true;
            depth = 0;
        }
        if in_item {
            for c in code.chars() {
                match c {
                    '{' | '[' | '(' => depth += 1,
                    '}' | ']' | ')' => depth -= 1,
                    _ => {}
                }
            }
            let end = code.trim_end();
            if depth <= 0 && (end.ends_with(';') || end.ends_with('}')) {
                in_item = false;
            }
            kept.push((String::new(), comment));
        } else {
            kept.push((code, comment));
        }
    }
    kept
}

/// The floating-point literals of a line of code (`1.5`, `1e-12`, `2.` , `3f64`; not
/// integers, not tuple fields like `x.0`).
fn float_literals(code: &str) -> Vec<String> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts = b[i].is_ascii_digit()
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_' || b[i - 1] == b'.'));
        if !starts {
            i += 1;
            continue;
        }
        let s = i;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
        let mut float = false;
        if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
            float = true;
            i += 1;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
                i += 1;
            }
        } else if i < b.len()
            && b[i] == b'.'
            && !(i + 1 < b.len() && (b[i + 1] == b'.' || b[i + 1].is_ascii_alphabetic() || b[i + 1] == b'_'))
        {
            float = true;
            i += 1;
        }
        if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            let mut j = i + 1;
            if j < b.len() && (b[j] == b'-' || b[j] == b'+') {
                j += 1;
            }
            if j < b.len() && b[j].is_ascii_digit() {
                float = true;
                i = j;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
        }
        if code[i..].starts_with("f64") {
            float = true;
            i += 3;
        }
        if float {
            out.push(code[s..i].to_string());
        }
    }
    out
}
