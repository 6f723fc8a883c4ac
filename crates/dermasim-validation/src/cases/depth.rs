//! Channel depth (`channels`; the foundation cases of `crates/dermasim-core/tests/validation.rs`).

use dermasim_core::simulate;

use super::{Role, Row, scenario, within};

/// V3's opening, V4 (Lam 2008, the excised-skin factor's datum) and Sasaki 2019 (V6: the pen's
/// depth in excised facial skin follows from its stroke speed; no parameter is fitted to it).
/// V3's and V5's depths are training datasets (`calibration` rows).
pub fn rows() -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    let o = simulate(&scenario(include_str!("../../../../validation/v3-kalluri-rat-roller.toml"))?);
    let n = o.channels.len().max(1) as f64;
    let diameter = o.channels.iter().map(|c| (c.width_um * c.length_um).sqrt()).sum::<f64>() / n;
    rows.push(within(
        "V3 770 um roller, rat: surface diameter (geometric mean of width and length)",
        "Kalluri 2011, AAPS J 13:473 [V]; hairless rat (animal)",
        "70.7 ± 9.9 um",
        diameter,
        (70.7 - 2.0 * 9.9, 70.7 + 2.0 * 9.9),
        "um",
        "2 SD",
        Role::Calibration { parameter: "`channels.kalluri_opening_um` (the openings' elastic recovery, 0.52)".into() },
    ));
    // The openings are round although the drum slips: the loose rat skin follows the slip within
    // what the hole's edge stretches to (channels::tear_tolerance_um); nothing is fitted to it.
    let c = &o.summary.channels;
    rows.push(within(
        "V3 770 um roller, rat: openings round (length / width)",
        "Kalluri 2011 [V] (a surface diameter: round openings); hairless rat (animal)",
        "round",
        c.mean_length_um / c.mean_width_um.max(1e-9),
        (1.0, 1.1),
        "",
        "1.1 [A]",
        Role::Independent,
    ));
    for length in ["0.5", "0.7", "0.9"] {
        let text = include_str!("../../../../validation/v4-lam-pig.toml")
            .replace("needle_length_mm = 0.9", &format!("needle_length_mm = {length}"));
        let o = simulate(&scenario(&text)?);
        rows.push(within(
            format!("V4 steel needle {length} mm, excised pig skin: share of the needle buried"),
            "Lam 2008 [V]; pig skin, excised (animal)",
            "< 0.5",
            o.summary.channels.depth_fraction_mean,
            (0.0, 0.5),
            "",
            "< 0.5",
            Role::Calibration {
                parameter: "`skin::EXCISED_DEFLECTION_FACTOR` = 5 (the smallest round value that meets it)".into(),
            },
        ));
    }
    for (text, setting_um) in [
        (include_str!("../../../../validation/v6-sasaki-pen-0.5.toml"), 500.0),
        (include_str!("../../../../validation/v6-sasaki-pen-1.5.toml"), 1500.0),
    ] {
        let o = simulate(&scenario(text)?);
        rows.push(within(
            format!("V6 pen {} mm, excised face: mean channel depth", setting_um / 1000.0),
            "Sasaki 2019, Aesthet Surg J Open Forum [V]; human skin, excised (facelift flaps)",
            format!("'closely approximated' the {setting_um} um setting"),
            o.summary.channels.mean_depth_um,
            (0.75 * setting_um, 1.25 * setting_um),
            "um",
            "±25 % of the setting",
            Role::Independent,
        ));
    }
    Ok(rows)
}
