//! Golden outputs: the `summary.json` of every bundled example and validation scenario, byte
//! for byte.
//!
//! Each test runs one file of `examples/` or `validation/` through [`dermasim_core::simulate`] and compares the
//! summary, serialised exactly as `dermasim run` writes `summary.json` (pretty JSON, one final
//! newline; `provenance.git_commit` is `null` here, the CLI fills it in), with its snapshot in
//! `tests/snapshots/`.
//!
//! A change that moves a number fails here. When the change is the honest consequence of a
//! model change, update the snapshots in the same commit and say why in its message:
//!
//! ```sh
//! INSTA_UPDATE=always cargo test -p dermasim-core --test golden   # rewrites the .snap files
//! git diff crates/dermasim-core/tests/snapshots                    # read every moved number
//! ```
//!
//! (`cargo insta review` works too, where `cargo-insta` is installed.)

use std::path::PathBuf;

fn summary_json(dir: &str, file: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(dir).join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let scenario = dermasim_core::scenario::parse(&text, &[]).unwrap_or_else(|e| panic!("{file}: {}", e[0].message));
    let outcome = dermasim_core::simulate(&scenario);
    serde_json::to_string_pretty(&outcome.summary).expect("a summary serialises") + "\n"
}

macro_rules! golden {
    ($($test:ident: $dir:literal / $file:literal,)*) => {
        $(
            #[test]
            fn $test() {
                insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true, description => concat!($dir, "/", $file) }, {
                    insta::assert_snapshot!(stringify!($test), summary_json($dir, $file));
                });
            }
        )*

        /// Every example and validation scenario has a golden test (a new file needs a line).
        #[test]
        fn every_scenario_file_has_a_snapshot() {
            let covered: Vec<String> = vec![$(concat!($dir, "/", $file).to_string()),*];
            for dir in ["examples", "validation"] {
                let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(dir);
                for entry in std::fs::read_dir(&path).unwrap() {
                    let name = entry.unwrap().file_name().into_string().unwrap();
                    if name.ends_with(".toml") {
                        let name = format!("{dir}/{name}");
                        assert!(covered.contains(&name), "{name} has no golden! line in tests/golden.rs");
                    }
                }
            }
        }
    };
}

golden! {
    acne_scars_roller_office: "examples" / "acne-scars-roller-office.toml",
    dermapen_rejuvenation: "examples" / "dermapen-rejuvenation.toml",
    home_roller_serum: "examples" / "home-roller-serum.toml",
    stretch_marks_abdomen: "examples" / "stretch-marks-abdomen.toml",
    validation_delivery_caffeine_oecd_finite: "validation" / "delivery-caffeine-oecd-finite.toml",
    validation_delivery_retinol_franz: "validation" / "delivery-retinol-franz.toml",
    validation_delivery_roller_amantadine_porcine: "validation" / "delivery-roller-amantadine-porcine.toml",
    validation_delivery_roller_pramipexole_porcine: "validation" / "delivery-roller-pramipexole-porcine.toml",
    validation_outcomes_alster_2020_striae: "validation" / "outcomes-alster-2020-striae.toml",
    validation_outcomes_exceed_2018_pen: "validation" / "outcomes-exceed-2018-pen.toml",
    validation_outcomes_mohamed_ali_2017_striae: "validation" / "outcomes-mohamed-ali-2017-striae.toml",
    validation_v1_roller_one_pass: "validation" / "v1-roller-one-pass.toml",
    validation_v12_peptide_roller_excised: "validation" / "v12-peptide-roller-excised.toml",
    validation_v13_redness_pen: "validation" / "v13-redness-pen.toml",
    validation_v13_redness_roller: "validation" / "v13-redness-roller.toml",
    validation_v14_lotfi_series: "validation" / "v14-lotfi-series.toml",
    validation_v2_pen: "validation" / "v2-pen.toml",
    validation_v3_kalluri_rat_roller: "validation" / "v3-kalluri-rat-roller.toml",
    validation_v4_lam_pig: "validation" / "v4-lam-pig.toml",
    validation_v5_donnelly_array: "validation" / "v5-donnelly-array.toml",
    validation_v6_sasaki_pen_0_5: "validation" / "v6-sasaki-pen-0.5.toml",
    validation_v6_sasaki_pen_1_5: "validation" / "v6-sasaki-pen-1.5.toml",
    validation_v7_kalluri_closure: "validation" / "v7-kalluri-closure.toml",
    validation_v8_patch_human_occluded: "validation" / "v8-patch-human-occluded.toml",
}
