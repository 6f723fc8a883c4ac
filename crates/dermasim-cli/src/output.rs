//! Output files of a run, and the text printed after it. Where they are written, and how they
//! are put in place whole or not at all, is `crate::target`.

use dermasim_report::sections::sig2;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use dermasim_core::Outcome;

/// Writes every output file of a run into `dir` (a fresh temporary directory, see
/// [`crate::target::OutputDir`]).
pub fn write_files(dir: &Path, o: &Outcome, scenario_text: &str) -> Result<(), String> {
    let err = |p: &Path, e: &dyn std::fmt::Display| format!("cannot write {}: {e}", p.display());
    let summary = serde_json::to_string_pretty(&o.summary).map_err(|e| e.to_string())?;
    let p = dir.join("summary.json");
    fs::write(&p, summary + "\n").map_err(|e| err(&p, &e))?;
    let p = dir.join("scenario.toml");
    fs::write(&p, scenario_text).map_err(|e| err(&p, &e))?;

    let p = dir.join("punctures.csv");
    let mut w = csv::Writer::from_path(&p).map_err(|e| err(&p, &e))?;
    w.write_record(["index", "x_um", "y_um", "direction_deg", "pass", "needle", "hole"]).map_err(|e| err(&p, &e))?;
    for (i, pu) in o.punctures.punctures.iter().enumerate() {
        w.write_record([
            i.to_string(),
            format!("{:.3}", pu.x_um),
            format!("{:.3}", pu.y_um),
            format!("{}", pu.direction_deg),
            pu.pass.to_string(),
            pu.needle.to_string(),
            o.pattern.hole_of[i].to_string(),
        ])
        .map_err(|e| err(&p, &e))?;
    }
    w.flush().map_err(|e| err(&p, &e))?;

    let p = dir.join("channels.csv");
    let mut w = csv::Writer::from_path(&p).map_err(|e| err(&p, &e))?;
    w.write_record([
        "index",
        "x_um",
        "y_um",
        "depth_um",
        "width_um",
        "length_um",
        "direction_deg",
        "tilt_deg",
        "layer",
        "bent",
        "torn",
        "hole",
    ])
    .map_err(|e| err(&p, &e))?;
    for (i, c) in o.channels.iter().enumerate() {
        w.write_record([
            i.to_string(),
            format!("{:.3}", c.x_um),
            format!("{:.3}", c.y_um),
            format!("{:.3}", c.depth_um),
            format!("{:.3}", c.width_um),
            format!("{:.3}", c.length_um),
            format!("{}", c.direction_deg),
            format!("{:.3}", c.tilt_deg),
            c.layer.name().to_string(),
            c.bent.to_string(),
            c.torn.to_string(),
            o.pattern.hole_of[i].to_string(),
        ])
        .map_err(|e| err(&p, &e))?;
    }
    w.flush().map_err(|e| err(&p, &e))?;

    // franz.csv: the receptor samples of an [invitro] protocol (docs/outputs.md).
    if o.scenario.invitro.is_some() {
        write_franz_csv(&dir.join("franz.csv"), o).map_err(|e| err(&dir.join("franz.csv"), &e))?;
    }

    // report.html, plots/, series.csv, profiles.csv (docs/report.md).
    dermasim_report::write(dir, o).map_err(|e| e.to_string())?;
    // fields/<product>.vti: 3-D concentration of a patch run (docs/outputs.md).
    dermasim_report::write_fields(dir, o).map_err(|e| e.to_string())?;
    Ok(())
}

/// `franz.csv`: one row per product, skin (treated, intact) and sampling time.
fn write_franz_csv(p: &Path, o: &Outcome) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_path(p)?;
    w.write_record([
        "product",
        "skin",
        "time_h",
        "receptor_concentration_ug_ml",
        "cumulative_ug_per_cm2",
        "cumulative_ug",
        "fraction_of_applied",
    ])?;
    for (name, d) in &o.delivery.products {
        let Some(f) = &d.franz else { continue };
        for (skin, samples) in [("treated", &f.treated), ("intact", &f.intact)] {
            for x in samples {
                w.write_record([
                    name.clone(),
                    skin.to_string(),
                    format!("{}", x.time_h),
                    format!("{:e}", x.receptor_concentration_ug_ml),
                    format!("{:e}", x.cumulative_ug_per_cm2),
                    format!("{:e}", x.cumulative_ug),
                    x.fraction_of_applied.map(|v| format!("{v:e}")).unwrap_or_default(),
                ])?;
            }
        }
    }
    w.flush()?;
    Ok(())
}

/// The short human summary printed after a run.
pub fn human_summary(o: &Outcome, out: &Path) -> String {
    let s = &o.summary;
    let mut t = String::new();
    let _ = writeln!(t, "dermasim {}: {}", s.dermasim_version, s.scenario.name);
    let _ = writeln!(
        t,
        "  {} with {} mm needles on {} ({}), {} cm2",
        s.scenario.device,
        s.scenario.needle_length_mm,
        s.scenario.site,
        match o.scenario.protocol.setting {
            dermasim_core::scenario::Setting::Home => "home",
            dermasim_core::scenario::Setting::Office => "office",
        },
        s.scenario.area_cm2
    );
    let n = s.safety.findings.len();
    let _ = writeln!(
        t,
        "  safety: {} ({n} finding{}; `dermasim check` lists them)",
        s.safety.verdict.name(),
        if n == 1 { "" } else { "s" }
    );
    let p = &s.punctures;
    let _ = writeln!(
        t,
        "  punctures: {} in total, {:.1}/cm2 ({:.1} distinct holes/cm2), coverage {:.2} %",
        p.total,
        p.density_per_cm2,
        p.distinct_density_per_cm2,
        100.0 * p.coverage_fraction
    );
    let c = &s.channels;
    let _ = writeln!(
        t,
        "  channels: mean depth {:.0} um (band {:.0}-{:.0}), {:.0} % of the needle; reach: viable epidermis {:.0} %, papillary dermis {:.0} %, reticular dermis {:.0} %, hypodermis (fat) {:.0} %",
        c.mean_depth_um,
        c.mean_depth_band_um[0],
        c.mean_depth_band_um[1],
        100.0 * c.depth_fraction_mean,
        100.0 * c.reach.viable_epidermis,
        100.0 * c.reach.papillary_dermis,
        100.0 * c.reach.reticular_dermis,
        100.0 * c.reach.hypodermis
    );
    for p in o.scenario.products.iter().filter(|p| p.dose_ul_per_cm2.is_none()) {
        let _ = writeln!(t, "  {}: {}", p.name, dermasim_report::sections::infinite_dose_note(p));
    }
    for (name, d) in &s.delivery {
        let er = d
            .enhancement_ratio
            .map(|r| {
                let basis = match d.enhancement_basis {
                    dermasim_core::delivery::EnhancementBasis::SteadyFlux => "steady fluxes".to_string(),
                    dermasim_core::delivery::EnhancementBasis::AmountOverWindow => {
                        format!("amounts over 0-{} h", d.enhancement_window_h)
                    }
                };
                format!("{}x, ratio of {basis}", sig2(r))
            })
            .unwrap_or_else(|| "unbounded: intact skin lets through less than 1 pg/cm2".into());
        let _ = writeln!(
            t,
            "  {name}: {} ug/cm2 past the stratum corneum in {} h ({} on intact skin, enhancement {er}), above 1 % of the donor down to {:.0} um",
            sig2(d.cumulative_ug_per_cm2),
            d.duration_h,
            sig2(d.intact_cumulative_ug_per_cm2),
            d.max_depth_um_above_threshold
        );
        let _ = writeln!(t, "    {}", dose_line(&d.dose_balance, d.duration_h));
        if let Some(last) = d.franz.as_ref().and_then(|f| f.treated.last()) {
            let share =
                last.fraction_of_applied.map(|v| format!(", {} % of the dose", sig2(100.0 * v))).unwrap_or_default();
            let _ = writeln!(
                t,
                "    Franz cell at {} h: receptor {} ug/mL, {} ug/cm2 permeated{share} (franz.csv)",
                last.time_h,
                sig2(last.receptor_concentration_ug_ml),
                sig2(last.cumulative_ug_per_cm2)
            );
        }
    }
    for e in &s.delivery_errors {
        let _ = writeln!(t, "  {}: transport not computed: {}", e.product, e.error);
    }
    if let Some(u) = &s.uncertainty {
        let _ = writeln!(
            t,
            "  uncertainty ({} draws of {} registry parameters): median [5-95 %]",
            u.samples,
            u.parameters.len()
        );
        for (name, b) in &u.bands {
            let f = |x: f64| dermasim_core::uncertainty::format_with_band(x, Some(b));
            let _ = writeln!(t, "    {}: {} [{}-{}]", name.trim_end_matches("_band"), f(b.p50), f(b.p5), f(b.p95));
        }
    }
    let _ = writeln!(t, "  outputs: {}", out.display());
    let _ = writeln!(t, "  {}", s.disclaimer);
    t
}

/// Where the dose went: the shares of the applied dose at the end, to two significant figures.
fn dose_line(b: &dermasim_core::delivery::DoseBalance, duration_h: f64) -> String {
    let pct = |v: f64| {
        let p = 100.0 * v / b.applied_ug_per_cm2.max(f64::MIN_POSITIVE);
        if p >= 10.0 {
            format!("{p:.0} %")
        } else if p >= 0.01 {
            format!("{} %", sig2(p))
        } else {
            "<0.01 %".into()
        }
    };
    let mut parts = vec![format!("surface {}", pct(b.on_surface_ug_per_cm2))];
    if b.removed_ug_per_cm2 > 0.0 {
        parts.push(format!("removed {}", pct(b.removed_ug_per_cm2)));
    }
    for (name, v) in &b.layers_ug_per_cm2 {
        parts.push(format!("{} {}", name.replace('_', " "), pct(*v)));
    }
    if b.channel_fluid_ug_per_cm2 > 0.0 {
        parts.push(format!("channel fluid {}", pct(b.channel_fluid_ug_per_cm2)));
    }
    if b.cleared_ug_per_cm2 > 0.0 {
        parts.push(format!("cleared {}", pct(b.cleared_ug_per_cm2)));
    }
    if b.receptor_ug_per_cm2 > 0.0 {
        parts.push(format!("receptor {}", pct(b.receptor_ug_per_cm2)));
    }
    format!("dose at {duration_h} h: {} of {} ug/cm2 applied", parts.join(", "), sig2(b.applied_ug_per_cm2))
}

/// `dermasim presets`.
pub fn presets_text() -> String {
    let mut t = String::new();
    let _ = writeln!(t, "Skin sites (skin.site):");
    for s in dermasim_core::skin::SITES {
        let _ = writeln!(
            t,
            "  {:<22} {} [SC {} um, VE {} um, dermis {}-{} um]\n  {:<22}   source: {}",
            s.name,
            s.description,
            s.stratum_corneum_um,
            s.viable_epidermis_um,
            s.dermis_um.0,
            s.dermis_um.1,
            "",
            s.source
        );
    }
    let _ = writeln!(t, "\nDevices (device.preset):");
    for d in dermasim_core::device::DEVICES {
        let _ = writeln!(
            t,
            "  {:<22} [{}] {}\n  {:<22}   source: {}",
            d.name,
            d.kind.type_name(),
            d.description,
            "",
            d.source
        );
    }
    let _ = writeln!(t, "\nPen cartridges (device.cartridge): \"12\" (3 x 4), \"36\" (6 x 6)");
    let _ = writeln!(t, "\nActives (products.name; sources: dermasim_transport::props presets, docs/models.md):");
    for name in dermasim_core::transport::props::preset_names() {
        if let Some(p) = dermasim_core::transport::props::preset(name) {
            let _ = writeln!(t, "  {:<26} MW {} Da, log Kow {}", name, p.molecular_weight_da, p.log_kow);
        }
    }
    // The word lists the scenario validates against (kept in step with the validation by the
    // test `presets_lists_every_vocabulary_the_scenario_accepts`).
    let lists: [(&str, &[&str]); 7] = [
        ("Device types (device.type)", &["dermaroller", "dermapen", "stamp"]),
        ("Settings (protocol.setting)", &["home", "office"]),
        (
            "Numbing creams (protocol.numbing.cream)",
            &["none", "emla", "lidocaine-4-liposomal", "lidocaine-4", "lidocaine-5", "lidocaine-7"],
        ),
        ("Skin mounting (skin.mounting)", &["in-vivo", "franz-cell", "excised"]),
        ("Ionisation (products.ionisation)", &["neutral", "acid", "base"]),
        ("Transport (simulation.transport)", &["unit_cell", "patch", "off"]),
        ("Resolution (simulation.resolution)", &["coarse", "normal", "fine"]),
    ];
    for (what, names) in lists {
        let _ = writeln!(t, "\n{what}: {}", names.join(", "));
    }
    // Enumerations of the scenario format itself (from its JSON Schema): sex, phototype,
    // indication, scar types, and whatever is added there.
    let schema = dermasim_core::scenario::json_schema();
    if let Some(defs) = schema.get("$defs").and_then(|d| d.as_object()) {
        for (name, def) in defs {
            let Some(options) = def.get("oneOf").and_then(|o| o.as_array()) else { continue };
            let values: Vec<String> = options
                .iter()
                .filter_map(|o| {
                    let v = o.get("const")?.as_str()?;
                    Some(match o.get("description").and_then(|d| d.as_str()) {
                        Some(d) => format!("  {v:<14} {d}"),
                        None => format!("  {v}"),
                    })
                })
                .collect();
            if !values.is_empty() {
                let about = def.get("description").and_then(|d| d.as_str()).unwrap_or("");
                let _ = writeln!(t, "\n{name}: {about}\n{}", values.join("\n"));
            }
        }
    }
    let _ =
        writeln!(t, "\nSkin conditions and health conditions screened (patient.conditions; other names are refused):");
    {
        use dermasim_core::scenario::vocabulary::{Condition, Ingredient, Vocabulary};
        for &c in Condition::ALL {
            let r = dermasim_core::safety::condition_rule(c);
            let also =
                if c.aliases().is_empty() { String::new() } else { format!("; also {}", c.aliases().join(", ")) };
            let _ = writeln!(t, "  {:<22} {}{also}", c.name(), r.severity.name());
        }
        let names: Vec<&str> = Ingredient::ALL.iter().map(|i| i.name()).collect();
        let _ = writeln!(t, "\nIngredient classes (products.contains): {}", names.join(", "));
    }
    t
}
