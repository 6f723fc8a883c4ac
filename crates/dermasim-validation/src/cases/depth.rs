//! Channel depth (`channels`; the foundation cases of `crates/dermasim-core/tests/validation.rs`).

use dermasim_core::simulate;

use super::{Role, Row, scenario, within};

/// Sasaki 2019: the pen's depth in excised facial skin follows from its stroke speed (V6); no
/// parameter is fitted to it.
pub fn rows() -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
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
