//! One function per stage that turns its part of the [`Outcome`] into a report [`Section`],
//! or `None` while the stage's data is absent. To add a stage: write its function here (or in
//! a module of its own) and list it in [`ALL`]; add its time series in [`series_tables`] and
//! its safety findings in [`findings`].

use dermasim_core::Outcome;
use dermasim_core::scenario::patient::Indication;
use dermasim_core::skin::Layer;

use crate::geometry::{self, MAX_DRAWN_HOLES, MapView};
use crate::plot::{Floor, Plot, PlotError, short};
use crate::series::{Key, LongTable};
use crate::style::tick;
use crate::{Finding, KeyNumber, Section, Severity, Source, bands, charts};

/// A section builder: reads the outcome, returns its section (or `None`), and records plots
/// that failed to draw in the error list (the section is still shown without them).
pub type SectionFn = fn(&Outcome, &mut Vec<String>) -> Option<Section>;

/// Every section, in pipeline order.
pub const ALL: &[SectionFn] = &[channels, delivery, healing, series, session];

fn keep(plots: &mut Vec<Plot>, errors: &mut Vec<String>, p: Result<Plot, PlotError>) {
    match p {
        Ok(p) => plots.push(p),
        Err(e) => errors.push(e.to_string()),
    }
}

fn pct(x: f64) -> String {
    format!("{:.0}", 100.0 * x)
}

/// "What was simulated", as label/value rows.
pub fn scenario_rows(o: &Outcome) -> Vec<KeyNumber> {
    let s = &o.scenario;
    let sm = &o.summary.scenario;
    let l = &s.skin.layers;
    let mut rows = vec![
        KeyNumber::new(
            "Skin",
            format!(
                "{}, sex {}; stratum corneum {} µm, viable epidermis {} µm, dermis {} µm",
                s.skin.site,
                format!("{:?}", s.skin.sex).to_lowercase(),
                short(l.stratum_corneum_um),
                short(l.viable_epidermis_um),
                short(l.dermis_um())
            ),
            "",
            "",
        ),
        KeyNumber::new(
            "Device",
            format!(
                "{}{}, needles {} mm{}",
                sm.device,
                s.device.preset.as_deref().map(|p| format!(" ({p})")).unwrap_or_default(),
                short(sm.needle_length_mm),
                if s.device.uses > 0 { format!(", used {} times before", s.device.uses) } else { String::new() }
            ),
            "",
            "",
        ),
        KeyNumber::new(
            "Setting",
            match s.protocol.setting {
                dermasim_core::scenario::Setting::Home => "home (self-treatment)",
                dermasim_core::scenario::Setting::Office => "office (practitioner)",
            },
            "",
            "",
        ),
        KeyNumber::new("Treated area", short(s.protocol.area_cm2), "cm²", ""),
    ];
    if !s.protocol.passes.is_empty() && sm.device == "dermaroller" {
        let passes: Vec<String> =
            s.protocol.passes.iter().map(|p| format!("{} × {}°", p.count, short(p.direction_deg))).collect();
        rows.push(KeyNumber::new("Passes", passes.join(", "), "", ""));
    }
    if s.protocol.sessions > 1 {
        rows.push(KeyNumber::new(
            "Sessions",
            format!("{} every {} days", s.protocol.sessions, short(s.protocol.interval_days)),
            "",
            "",
        ));
    }
    for p in &s.products {
        rows.push(KeyNumber::new(
            "Product",
            format!(
                "{} at {} mg/mL{}",
                p.name,
                short(p.concentration_mg_ml),
                if p.formulated_for_microneedling { "" } else { ", not formulated for microneedling" }
            ) + &match p.dose_ul_per_cm2 {
                Some(d) => format!(", {} µL/cm²", short(d)),
                None => format!("; {}", infinite_dose_note(p)),
            },
            "",
            "",
        ));
    }
    rows.push(KeyNumber::new(
        "Simulated window",
        format!("{0} mm × {0} mm, seed {1}", short(s.simulation.window_mm), sm.seed),
        "",
        "",
    ));
    rows
}

/// What an absent `dose_ul_per_cm2` means, in words: an infinite dose (the film never runs
/// out), and what that amounts to at the product's concentration.
pub fn infinite_dose_note(p: &dermasim_core::scenario::Product) -> String {
    format!(
        "no dose_ul_per_cm2 given: simulated as an infinite dose (the film on the skin never runs out, as if \
         {} mg/mL were topped up for the whole run); a serum film is typically 1-10 µL/cm², i.e. {}-{} µg/cm² at \
         this concentration",
        short(p.concentration_mg_ml),
        short(p.concentration_mg_ml),
        short(10.0 * p.concentration_mg_ml)
    )
}

/// Safety findings of the run (the safety stage's screening), in screening order.
pub fn findings(o: &Outcome) -> Vec<Finding> {
    use dermasim_core::safety::Severity as S;
    o.safety
        .findings
        .iter()
        .map(|f| Finding {
            severity: match f.severity {
                S::Contraindicated => Severity::Contraindicated,
                S::Caution => Severity::Caution,
                S::Info => Severity::Info,
            },
            title: code_title(f.code),
            detail: f.message.clone(),
            field: f.field.clone(),
            source: f.source.to_string(),
        })
        .collect()
}

/// `CONDITION_ACTIVE_ACNE` → `Condition active acne`.
fn code_title(code: &str) -> String {
    let words = code.to_lowercase().replace('_', " ");
    let mut c = words.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The session: numbing cream and time in the chair.
pub fn session(o: &Outcome, _errors: &mut Vec<String>) -> Option<Section> {
    let p = &o.procedure;
    let numbing =
        if p.numbing_min > 0.0 { format!("{:.0} min of numbing cream, ", p.numbing_min) } else { String::new() };
    let mut lead = format!(
        "About {:.0} min in all: {:.0} min of needling, {numbing}{:.0} min of preparation and aftercare.",
        p.total_min, p.duration_min, p.preparation_min
    );
    let mut sec = Section::new("session", "The session", String::new());
    sec.numbers = vec![
        KeyNumber::new(
            "Needling time",
            bands::value(o, "procedure.duration_min", 1.0, format!("{:.0}", p.duration_min)),
            "min",
            bands::note(o, "procedure.duration_min", "whole treated area"),
        ),
        KeyNumber::new(
            "Total time",
            bands::value(o, "procedure.total_min", 1.0, format!("{:.0}", p.total_min)),
            "min",
            bands::note(o, "procedure.total_min", "needling + numbing + preparation"),
        ),
        KeyNumber::new(
            "Device travel",
            format!("{:.0} mm in {} strokes", p.path_length_mm, p.strokes),
            "",
            "strokes or presses",
        ),
    ];
    if let Some(n) = &o.numbing {
        if n.recommended_minutes > 0.0 {
            lead.push_str(&format!(
                " Numbing cream ({}{}): {:.0} min to numb {:.0} µm deep. {}.",
                n.cream,
                if n.occluded { ", occluded" } else { "" },
                n.recommended_minutes,
                n.target_depth_um,
                n.note.trim_end_matches('.')
            ));
        } else {
            lead.push_str(&format!(" Numbing: {}.", n.note.trim_end_matches('.')));
        }
        sec.numbers.push(KeyNumber::new(
            "Numbing cream, recommended",
            bands::value(o, "numbing.recommended_minutes", 1.0, format!("{:.0}", n.recommended_minutes)),
            "min",
            bands::note(
                o,
                "numbing.recommended_minutes",
                format!(
                    "{}; to numb {:.0} µm (9 channels in 10 within {:.0} µm)",
                    n.cream, n.target_depth_um, n.channel_depth_p90_um
                ),
            ),
        ));
        if let (Some(a), Some(d)) = (n.applied_minutes, n.numb_depth_um_at_applied) {
            sec.numbers.push(KeyNumber::new(
                "Numbing cream, as planned",
                format!("{a:.0} min numbs {d:.0} µm"),
                "",
                "the scenario's application time",
            ));
        }
        sec.numbers.push(KeyNumber::new(
            "Deepest the cream numbs",
            format!("{:.0}", n.max_numb_depth_um),
            "µm",
            "after 180 min of application",
        ));
    }
    sec.lead = lead;
    sec.assumptions = vec![
        "Needling time from the area, the passes and the stroke speed, with a fixed overhead per stroke; \
         preparation and aftercare are a fixed allowance."
            .into(),
        "Numbing depth from the anaesthetic's diffusion through the skin and the fat beneath it (slowed \
         clearance under the cream), against the concentration that blocks pain fibres."
            .into(),
    ];
    sec.sources = vec![
        Source::new("docs/models.md §8.2 Numbing cream", "the onset model and its data"),
        Source::new("docs/models.md §8.3 Procedure time", "needling speed and the time allowances"),
        Source::new("docs/models.md §8.1 Screening", "the safety rules and their sources"),
    ];
    Some(sec)
}

fn layer_label(l: Layer) -> &'static str {
    match l {
        Layer::StratumCorneum => "stratum corneum",
        Layer::ViableEpidermis => "viable epidermis",
        Layer::PapillaryDermis => "papillary dermis",
        Layer::ReticularDermis => "reticular dermis",
        Layer::Hypodermis => "hypodermis",
    }
}

/// Punctures and channels: map, cross-section, depth histogram.
pub fn channels(o: &Outcome, errors: &mut Vec<String>) -> Option<Section> {
    if o.channels.is_empty() && o.punctures.punctures.is_empty() {
        return None;
    }
    let s = &o.summary;
    let c = &s.channels;
    let layers = &o.scenario.skin.layers;
    let needle_um = o.scenario.device.needle.length_um;
    let window = o.punctures.window_um;
    // Most channels end in this layer.
    let mut by_layer = [0usize; 5];
    for ch in &o.channels {
        by_layer[Layer::ALL.iter().position(|l| *l == ch.layer).unwrap_or(0)] += 1;
    }
    let modal = Layer::ALL[by_layer.iter().enumerate().max_by_key(|(_, n)| **n).map(|(i, _)| i).unwrap_or(0)];
    let lead = format!(
        "{} mm needles made channels {:.0} µm deep on average ({:.0}–{:.0} µm from the mechanics' bands), \
         {}% of the needle length; most end in the {}. The skin surface inside an opening: {:.2}%.",
        short(s.scenario.needle_length_mm),
        c.mean_depth_um,
        c.mean_depth_band_um[0],
        c.mean_depth_band_um[1],
        pct(c.depth_fraction_mean),
        layer_label(modal),
        100.0 * s.punctures.coverage_fraction
    );
    let mut sec = Section::new("channels", "Punctures and channels", lead);

    // Overlapping punctures (a pen stamping faster than it moves on): the map shows one disc
    // per distinct hole coloured by how many punctures made it, instead of a field of discs
    // drawn over each other; depths stay in the close-up, the cross-section and the histogram.
    let holes = o.pattern.distinct_holes;
    let overlapping =
        holes > 0 && o.pattern.hole_of.len() == o.channels.len() && o.channels.len() as f64 >= 1.1 * holes as f64;
    let map = if overlapping {
        let distinct = geometry::distinct_holes(&o.channels, &o.pattern.hole_of);
        let view = MapView::fitting(window, distinct.len(), MAX_DRAWN_HOLES);
        let drawn = distinct.iter().filter(|h| view.contains(h.x_um, h.y_um)).count();
        let max_hits = distinct.iter().map(|h| h.hits).max().unwrap_or(1);
        let where_ = if view.side_um < window {
            format!(
                "the central {0} mm × {0} mm of the {1} mm × {1} mm simulated window ({drawn} of {2} distinct holes)",
                short(view.side_um / 1000.0),
                short(window / 1000.0),
                distinct.len()
            )
        } else {
            format!("the whole {0} mm × {0} mm simulated window ({drawn} distinct holes)", short(window / 1000.0))
        };
        geometry::hole_map(
            &distinct,
            window,
            view,
            "puncture-map",
            "Where the needles went in",
            &format!(
                "Every distinct hole in {where_}, one disc each, drawn to scale with the largest opening of the \
                 punctures that made it and coloured by how many punctures made it (1 to {max_hits}). Channel \
                 depths are in the close-up, the cross-section and the histogram.{}",
                overlap_note(o)
            ),
        )
    } else {
        let view = MapView::fitting(window, o.channels.len(), MAX_DRAWN_HOLES);
        let drawn = geometry::holes_in_view(&o.channels, view);
        let where_ = if view.side_um < window {
            format!(
                "the central {0} mm × {0} mm of the {1} mm × {1} mm simulated window ({drawn} of {2} punctures)",
                short(view.side_um / 1000.0),
                short(window / 1000.0),
                o.channels.len()
            )
        } else {
            format!("the whole {0} mm × {0} mm simulated window ({drawn} punctures)", short(window / 1000.0))
        };
        geometry::puncture_map(
            &o.channels,
            window,
            view,
            needle_um,
            layers,
            "puncture-map",
            "Where the needles went in",
            &format!(
                "Every puncture in {where_}, drawn to scale as an ellipse of its opening (length along the direction \
                 of travel × width), coloured by channel depth on a scale spanning the channels' depths; the colour \
                 bar names the layers they end in (SC stratum corneum, VE viable epidermis, PD papillary dermis, RD \
                 reticular dermis, HD hypodermis). Holes smaller than a pixel show as dots; zoom the SVG to see \
                 their shape.{}",
                overlap_note(o)
            ),
        )
    };
    let view = MapView::fitting(window, o.channels.len(), MAX_DRAWN_HOLES);
    keep(&mut sec.plots, errors, map);
    // A close-up where the openings are visible: about 30 holes, each at least ~4 px long
    // (the map's plot area is ~580 px), on a round side length.
    let mean_len = c.mean_length_um.max(c.mean_width_um).max(1.0);
    let per_um2 = (o.channels.len() as f64 / (window * window)).max(1e-12);
    let side = (30.0 / per_um2).sqrt().min(580.0 * mean_len / 4.0).clamp(500.0, window);
    let step = crate::plot::nice_step(side, 4.0);
    let side = ((side / step).floor() * step).max(step);
    if side < 0.7 * view.side_um {
        let zoom = MapView { x0_um: 0.5 * (window - side), y0_um: 0.5 * (window - side), side_um: side };
        keep(
            &mut sec.plots,
            errors,
            geometry::puncture_map(
                &o.channels,
                window,
                zoom,
                needle_um,
                layers,
                "puncture-map-closeup",
                "Close-up of the openings",
                &format!(
                    "The central {0} mm × {0} mm ({1} punctures) at the same scale in both directions: the shape, size \
                     and spacing of the openings, each puncture coloured by its channel's depth{2}.",
                    short(side / 1000.0),
                    geometry::holes_in_view(&o.channels, zoom),
                    if overlapping { " (punctures into the same hole drawn over each other)" } else { "" }
                ),
            ),
        );
    }
    match geometry::cross_section(
        &o.channels,
        window,
        layers,
        needle_um,
        "cross-section",
        "The skin from the side",
        "Skin layers of the site to scale, with the ",
    ) {
        Ok((p, _)) => sec.plots.push(p),
        Err(e) => errors.push(e.to_string()),
    }
    let depths: Vec<f64> = o.channels.iter().map(|c| c.depth_um).collect();
    keep(
        &mut sec.plots,
        errors,
        geometry::depth_histogram(
            &depths,
            layers,
            needle_um,
            "depth-histogram",
            "How deep the channels go",
            "Number of channels by depth; dashed lines mark the bottom of each layer (SC stratum corneum, VE viable \
             epidermis, PD papillary dermis, RD reticular dermis) and the needle length.",
        ),
    );

    let p = &s.punctures;
    sec.numbers = vec![
        KeyNumber::new("Punctures over the treated area", p.total.to_string(), "", "punctures.total"),
        KeyNumber::new("Puncture density", format!("{:.0}", p.density_per_cm2), "per cm²", "punctures.density_per_cm2"),
        KeyNumber::new(
            "Distinct holes",
            format!("{:.0}", p.distinct_density_per_cm2),
            "per cm²",
            "re-punctures of a hole merged",
        ),
        KeyNumber::new("Surface inside an opening", format!("{:.2}", 100.0 * p.coverage_fraction), "%", ""),
        KeyNumber::new(
            "Mean hole spacing",
            p.nearest_neighbour_um.map(|d| format!("{d:.0}")).unwrap_or_else(|| "–".into()),
            "µm",
            "nearest neighbour",
        ),
        KeyNumber::new(
            "Mean channel depth",
            match bands::spread(o, "channels.mean_depth_um", 1.0) {
                Some(b) => bands::range(&b),
                None => format!(
                    "{:.0} (band {:.0}–{:.0})",
                    c.mean_depth_um, c.mean_depth_band_um[0], c.mean_depth_band_um[1]
                ),
            },
            "µm",
            match bands::spread(o, "channels.mean_depth_um", 1.0) {
                Some(_) => format!(
                    "median (5–95 %); SD {:.0} µm over the channels; {}% of the needle; ends of the mechanics' \
                     bands {:.0}–{:.0} µm",
                    c.sd_depth_um,
                    pct(c.depth_fraction_mean),
                    c.mean_depth_band_um[0],
                    c.mean_depth_band_um[1]
                ),
                None => format!("SD {:.0} µm; {}% of the needle", c.sd_depth_um, pct(c.depth_fraction_mean)),
            },
        ),
        KeyNumber::new(
            "Opening",
            format!("{:.0} × {:.0}", c.mean_width_um, c.mean_length_um),
            "µm",
            "width × length along the stroke",
        ),
        KeyNumber::new("Torn channels", pct(c.torn_fraction), "%", "roller slip or bent needles"),
        KeyNumber::new(
            "Reach the viable epidermis / papillary / reticular dermis / hypodermis (fat)",
            format!(
                "{} / {} / {} / {}",
                pct(c.reach.viable_epidermis),
                pct(c.reach.papillary_dermis),
                pct(c.reach.reticular_dermis),
                pct(c.reach.hypodermis)
            ),
            "%",
            "fraction of channels",
        ),
    ];
    sec.assumptions = vec![
        "Skin deflects before it is pierced, so channels are shallower than the needle; the shortfall is \
         calibrated on published depth measurements (Donnelly 2011, Kalluri 2011) and reported as a band."
            .into(),
        "A hand-rolled drum drives needles less deep than a pen; rat skin is taken to deflect like living human \
         skin, which cannot be separated with the data available."
            .into(),
        "Layer thicknesses are the site's preset (imaging studies where available, otherwise stated assumptions); \
         the papillary dermis is 200 µm at every site."
            .into(),
    ];
    sec.sources = vec![
        Source::new("docs/models.md §1 Skin", "layer thicknesses by site and their sources"),
        Source::new("docs/models.md §3 Device kinematics → punctures", "where needles enter; densities"),
        Source::new("docs/models.md §4 Needle mechanics → channels", "depth, opening, tearing; calibration"),
        Source::new("docs/validation.md", "published measurements the model is checked against"),
    ];
    Some(sec)
}

/// What the map shows when punctures overlap (a pen stamping faster than it moves on, repeated
/// passes): how many distinct holes the punctures make and why, so that a field of overlapping
/// discs reads as what it is. Empty when fewer than one puncture in ten re-punctures a hole.
fn overlap_note(o: &Outcome) -> String {
    let n = o.channels.len();
    let holes = o.pattern.distinct_holes;
    if holes == 0 || (n as f64) < 1.1 * holes as f64 {
        return String::new();
    }
    let why = match o.scenario.device.kind {
        dermasim_core::device::DeviceKind::Dermapen(pen) => format!(
            " The pen fires every {:.0} µm along its path ({} mm/s at {} Hz), closer than an opening is wide, so \
             successive stamps land on the same holes and the discs overlap along its tracks; between the tracks \
             the skin is untouched.",
            1000.0 * pen.speed_mm_s / pen.frequency_hz.max(1e-9),
            short(pen.speed_mm_s),
            short(pen.frequency_hz)
        ),
        _ => " Repeated passes put needles into existing holes, so openings overlap.".to_string(),
    };
    format!(
        " Punctures overlap: the {n} punctures of the window make {holes} distinct holes, each punctured {:.1} times on \
         average, and {:.0}% of the surface lies inside an opening.{why}",
        n as f64 / holes as f64,
        100.0 * o.summary.punctures.coverage_fraction
    )
}

/// Transport: delivery of each product against intact skin.
pub fn delivery(o: &Outcome, errors: &mut Vec<String>) -> Option<Section> {
    let d = &o.delivery;
    if d.products.is_empty() && d.errors.is_empty() {
        return None;
    }
    let mut lead = Vec::new();
    for (name, p) in &d.products {
        let ratio = p
            .enhancement_ratio
            .map(|r| format!("{} times intact skin", sig2(r)))
            .unwrap_or_else(|| "intact skin lets practically none through".into());
        lead.push(format!(
            "{name}: {} µg/cm² crossed the stratum corneum in {} h ({ratio}).",
            sig2(p.cumulative_ug_per_cm2),
            short(p.duration_h)
        ));
    }
    let mut sec = Section::new("delivery", "Delivery of the products", lead.join(" "));
    let b = o.scenario.skin.layers.boundaries_um();
    let marks: Vec<(String, f64)> = ["SC", "VE", "PD", "RD"].iter().zip(b).map(|(n, d)| (n.to_string(), d)).collect();
    for (i, (name, p)) in d.products.iter().enumerate() {
        let slug = format!("p{i}");
        let res = Resolution::of(o, name, p);
        let t = &p.treated;
        let it = &p.intact;
        let cum = |r: &dermasim_core::transport::TransportResult| -> Vec<(f64, f64)> {
            r.times_h.iter().copied().zip(r.cumulative_ug_per_cm2.iter().copied()).collect()
        };
        let flux = |r: &dermasim_core::transport::TransportResult| -> Vec<(f64, f64)> {
            r.times_h.iter().copied().zip(r.flux_ug_per_cm2_h.iter().copied()).collect()
        };
        if !t.times_h.is_empty() {
            keep(
                &mut sec.plots,
                errors,
                charts::delivery_time_course(
                    &format!("delivery-{slug}-cumulative"),
                    &format!("{name}: amount delivered"),
                    "Amount that has crossed the stratum corneum (in the tissue below it, cleared, or in the receptor) \
                     through microneedled skin (solid) and intact skin (dashed).",
                    "delivered (µg/cm²)",
                    &cum(t),
                    &cum(it),
                    false,
                    None,
                    &format!("series.csv (quantity cumulative_delivered, subject {name})"),
                    bands::spread(o, &format!("delivery.{name}.cumulative_ug_per_cm2"), 1.0)
                        .map(|b| {
                            let t0 = t.times_h.first().copied().unwrap_or(0.0);
                            let label = bands::legend(&format!("delivered in {} h", short(p.duration_h)));
                            bands::at_end(&b, t0, p.duration_h, label, 1)
                        })
                        .into_iter()
                        .collect(),
                ),
            );
            keep(
                &mut sec.plots,
                errors,
                charts::delivery_time_course(
                    &format!("delivery-{slug}-flux"),
                    &format!("{name}: flux"),
                    &format!(
                        "Rate at which the product crosses the stratum corneum, microneedled (solid) and intact \
                         (dashed); log scale down to {} µg/cm²/h, the flux that would deliver the smallest amount \
                         the model resolves ({} µg/cm²) over the whole run; lower values are not drawn.",
                        tick(res.flux_ug_per_cm2_h),
                        tick(res.amount_ug_per_cm2)
                    ),
                    "flux (µg/cm²/h)",
                    &flux(t),
                    &flux(it),
                    true,
                    Some(Floor { value: res.flux_ug_per_cm2_h, label: "below this, not resolved".into() }),
                    &format!("series.csv (quantity flux, subject {name})"),
                    Vec::new(),
                ),
            );
        }
        let profiles = pick_profiles(t);
        if !profiles.is_empty() {
            keep(
                &mut sec.plots,
                errors,
                charts::delivery_profiles(
                    &format!("delivery-{slug}-profiles"),
                    name,
                    &profiles,
                    "mg/mL",
                    &marks,
                    Some(Floor { value: res.concentration_mg_ml, label: "below this, not resolved".into() }),
                ),
            );
        }
        // An amount on treated skin (with its band when there is one) beside intact skin's.
        let treated_and_intact = |label: String, key: &str, treated: f64, intact: f64, note: String| {
            let path = format!("delivery.{name}.{key}");
            KeyNumber::new(
                label,
                format!("{} (intact {})", bands::value(o, &path, 1.0, res.amount(treated)), res.amount(intact)),
                "µg/cm²",
                bands::note(o, &path, note),
            )
        };
        sec.numbers.push(treated_and_intact(
            format!("{name}: delivered in {} h", short(p.duration_h)),
            "cumulative_ug_per_cm2",
            p.cumulative_ug_per_cm2,
            p.intact_cumulative_ug_per_cm2,
            format!(
                "delivery.{name}.cumulative_ug_per_cm2; \"below\" = under {} µg/cm², what the model resolves",
                tick(res.amount_ug_per_cm2)
            ),
        ));
        sec.numbers.push(KeyNumber::new(
            format!("{name}: enhancement"),
            p.enhancement_ratio.map(|r| format!("{}×", sig2(r))).unwrap_or_else(|| "unbounded".into()),
            "",
            match p.enhancement_basis {
                dermasim_core::delivery::EnhancementBasis::SteadyFlux => {
                    "treated / intact steady-state flux; unbounded when intact skin lets through under 1 pg/cm²".to_string()
                }
                dermasim_core::delivery::EnhancementBasis::AmountOverWindow => format!(
                    "treated / intact amount delivered over 0-{} h (no common steady state); unbounded when intact skin \
                     lets through under 1 pg/cm²",
                    short(p.enhancement_window_h)
                ),
            },
        ));
        sec.numbers.push(treated_and_intact(
            format!("{name}: in the skin at the end"),
            "skin_content_ug_per_cm2",
            p.skin_content_ug_per_cm2,
            p.intact_skin_content_ug_per_cm2,
            "what a tape strip or skin image measures".into(),
        ));
        sec.numbers.push(KeyNumber::new(
            format!("{name}: above 1% of the applied concentration down to"),
            format!("{:.0} (intact {:.0})", p.max_depth_um_above_threshold, p.intact_max_depth_um_above_threshold),
            "µm",
            "",
        ));
        if let Some(q) = o.scenario.products.iter().find(|q| &q.name == name && q.dose_ul_per_cm2.is_none()) {
            sec.warnings.push(format!("{name}: {}", infinite_dose_note(q)));
        }
        sec.warnings.extend(p.warnings.iter().map(|w| format!("{name}: {w}")));
        if let Some(w) = numerical_warning(p) {
            sec.warnings.insert(0, format!("{name}: {w}"));
        }
    }
    if let Some(p) = dose_figure(o) {
        keep(&mut sec.plots, errors, p);
        // The dose is what a user checks first: its figure leads the section.
        if let Some(i) = sec.plots.iter().position(|p| p.id == "delivery-dose") {
            let p = sec.plots.remove(i);
            sec.plots.insert(0, p);
        }
    }
    for (name, p) in &d.products {
        if let Some(w) = dose_words(&p.dose_balance) {
            sec.numbers.push(KeyNumber::new(
                format!("{name}: where the dose went in {} h", short(p.duration_h)),
                w,
                "",
                format!(
                    "shares of the applied dose, microneedled skin; delivery.{name}.dose_balance.fraction_of_applied"
                ),
            ));
        }
    }
    for e in &d.errors {
        sec.warnings.push(format!("{}: transport not computed: {}", e.product, e.error));
    }
    sec.assumptions = vec![
        "Diffusion through the layers in series; the stratum corneum from the Dancik/Kasting two-phase model, the \
         living layers and dermal clearance from the Kretsos relations."
            .into(),
        "The channels are represented by one mean channel in a cell of the area of one hole (unit-cell mode) or the \
         actual map (patch mode); channels stay open for the whole simulated time unless the healing stage says \
         otherwise."
            .into(),
    ];
    sec.sources = vec![
        Source::new("docs/models.md (transport)", "equations, coefficients and their sources"),
        Source::new("docs/models.md §5", "product chemistry → per-layer coefficients"),
        Source::new("docs/validation.md", "checks of the chemistry against published data"),
    ];
    Some(sec)
}

/// The dose figure of a run: one bar per product on microneedled and on intact skin, from
/// `delivery.<p>.dose_balance` and `intact_dose_balance` (`None` without a product that was
/// given a dose).
fn dose_figure(o: &Outcome) -> Option<Result<Plot, PlotError>> {
    let d = &o.delivery;
    let many = d.products.len() > 1;
    let mut bars = Vec::new();
    let mut keys = Vec::new();
    for (name, p) in &d.products {
        for (skin, b, key) in [
            ("microneedled", &p.dose_balance, "dose_balance"),
            ("intact skin", &p.intact_dose_balance, "intact_dose_balance"),
        ] {
            if b.applied_ug_per_cm2 > 0.0 {
                let label = if many { format!("{name}, {skin}") } else { skin.to_string() };
                bars.push(charts::DoseBar { label, fractions: b.fraction_of_applied.clone() });
                keys.push(format!("delivery.{name}.{key}"));
            }
        }
    }
    if bars.is_empty() {
        return None;
    }
    let duration = d.products.values().map(|p| p.duration_h).fold(0.0, f64::max);
    let source = format!("summary.json ({}.fraction_of_applied)", keys.join(", "));
    let mut plot = charts::dose_balance("delivery-dose", &bars, duration, &source);
    if let (Ok(p), false) = (&mut plot, many)
        && let Some(name) = d.products.keys().next()
    {
        p.title = format!("{name}: where the dose went");
    }
    Some(plot)
}

/// The dose balance in words, largest compartments first: "hypodermis (fat) 35 %, reticular
/// dermis 22 %, ...", shares of the applied dose, compartments under 0.5 % gathered at the end;
/// `None` when nothing was applied.
pub fn dose_words(b: &dermasim_core::delivery::DoseBalance) -> Option<String> {
    if b.applied_ug_per_cm2 <= 0.0 {
        return None;
    }
    let mut parts: Vec<(String, f64)> =
        b.fraction_of_applied.iter().map(|(k, f)| (charts::dose_compartment(k).0, 100.0 * f)).collect();
    parts.sort_by(|a, b| b.1.total_cmp(&a.1));
    let shown: Vec<String> = parts
        .iter()
        .filter(|p| p.1 >= 0.5)
        .map(|(l, v)| format!("{l} {} %", if *v >= 10.0 { format!("{v:.0}") } else { format!("{v:.1}") }))
        .collect();
    let rest: f64 = parts.iter().filter(|p| p.1 < 0.5).map(|p| p.1.max(0.0)).sum();
    let mut s = shown.join(", ");
    if rest > 0.0 {
        s.push_str(&format!(
            "; the rest {} % together",
            if rest < 0.1 { "under 0.1".to_string() } else { format!("{rest:.1}") }
        ));
    }
    Some(s)
}

/// The smallest values of a product's transport results that the model resolves: amounts
/// under [`NEGLIGIBLE_UG_PER_CM2`] (1 pg/cm², far below any assay) or under the solver's
/// mass-balance tolerance ([`MAX_MASS_BALANCE_ERROR`], relative) of the applied amount are
/// round-off, not results. Plots stop their log axes there and key numbers say "below".
///
/// [`NEGLIGIBLE_UG_PER_CM2`]: dermasim_core::delivery::NEGLIGIBLE_UG_PER_CM2
/// [`MAX_MASS_BALANCE_ERROR`]: dermasim_core::delivery::MAX_MASS_BALANCE_ERROR
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Resolution {
    /// Smallest amount resolved, µg/cm².
    pub amount_ug_per_cm2: f64,
    /// Smallest flux resolved, µg/cm²/h: one that would deliver [`Self::amount_ug_per_cm2`]
    /// over the whole run.
    pub flux_ug_per_cm2_h: f64,
    /// Smallest tissue concentration resolved, mg/mL: the mass-balance tolerance times the
    /// applied concentration.
    pub concentration_mg_ml: f64,
}

impl Resolution {
    /// The resolution of product `name` of the run.
    pub fn of(o: &Outcome, name: &str, p: &dermasim_core::delivery::Delivery) -> Resolution {
        use dermasim_core::delivery::{MAX_MASS_BALANCE_ERROR, NEGLIGIBLE_UG_PER_CM2};
        let product = o.scenario.products.iter().find(|q| q.name == name);
        let conc = product.map_or(0.0, |q| q.concentration_mg_ml);
        // mg/mL = µg/µL; an infinite dose is judged by the largest amount that crossed.
        let applied = match product.and_then(|q| q.dose_ul_per_cm2) {
            Some(dose) => conc * dose,
            None => p.cumulative_ug_per_cm2.max(p.skin_content_ug_per_cm2),
        };
        let amount = round_up_decade(NEGLIGIBLE_UG_PER_CM2.max(MAX_MASS_BALANCE_ERROR * applied));
        let flux = round_down_decade(amount / p.duration_h.max(1e-9));
        let concentration = round_down_decade((MAX_MASS_BALANCE_ERROR * conc).max(f64::MIN_POSITIVE));
        Resolution { amount_ug_per_cm2: amount, flux_ug_per_cm2_h: flux, concentration_mg_ml: concentration }
    }

    /// An amount for reading: three significant figures, or "below 10⁻⁶" under the floor.
    pub fn amount(&self, v: f64) -> String {
        if v.is_finite() && v < self.amount_ug_per_cm2 {
            format!("below {}", tick(self.amount_ug_per_cm2))
        } else {
            sig(v)
        }
    }
}

fn round_up_decade(v: f64) -> f64 {
    if v > 0.0 && v.is_finite() { 10f64.powf(v.log10().ceil()) } else { v }
}

fn round_down_decade(v: f64) -> f64 {
    if v > 0.0 && v.is_finite() { 10f64.powf(v.log10().floor()) } else { v }
}

/// A `(t, value)` curve.
type Curve = Vec<(f64, f64)>;

/// Days per month for the series' time axis (365.25 / 12).
const DAYS_PER_MONTH: f64 = 30.4375;

/// Healing of one session: channels closing, barrier returning, redness fading.
pub fn healing(o: &Outcome, errors: &mut Vec<String>) -> Option<Section> {
    let h = o.healing.as_ref()?;
    let days = h.recovery_days();
    let mut sec = Section::new(
        "healing",
        "Recovery after a session",
        format!(
            "The skin is expected to have recovered about {} days after a session: channels closed by {:.0} h, \
             barrier back by {:.0} h, redness (peak Δa* {:.1}, colorimeter) faded by {:.0} h.",
            short((days * 10.0).round() / 10.0),
            h.channels_closed_h,
            h.barrier_recovered_h,
            h.erythema_peak_delta_a,
            h.erythema_resolved_h
        ),
    );
    let [mut open, mut barrier, mut red] = healing_curves(h);
    // An uncertainty run's range of the redness time may reach past the curves: the curves then
    // run on to its end, so that no curve stops in the middle of the axis.
    if let (Some(b), Some(&(t_last, _))) = (bands::spread(o, "healing.erythema_resolved_h", 1.0 / 24.0), red.last())
        && b.p95 > t_last
    {
        let (t0, t1) = (t_last, 1.02 * b.p95);
        red.extend((1..=60).map(|i| t0 + (t1 - t0) * f64::from(i) / 60.0).map(|t| (t, h.erythema.at(24.0 * t))));
    }
    // On the plot the barrier and the channels stay where their curves end (recovered, closed)
    // to the end of the axis.
    if let Some(&(t_end, _)) = red.last() {
        for c in [&mut barrier, &mut open] {
            if let Some(&(t, v)) = c.last()
                && t < t_end
            {
                c.push((t_end, v));
            }
        }
    }
    // An uncertainty run's ranges of the three times, as shaded spans in their curve's colour.
    let spans = [
        ("healing.channels_closed_h", "channels closed", 0),
        ("healing.barrier_recovered_h", "barrier recovered", 1),
        ("healing.erythema_resolved_h", "redness faded", 2),
    ]
    .iter()
    .filter_map(|(path, what, colour)| {
        bands::spread(o, path, 1.0 / 24.0).map(|b| bands::span(&b, 0.0, 1.05, bands::legend(what), *colour))
    })
    .collect();
    keep(&mut sec.plots, errors, charts::recovery("recovery", &open, &barrier, &red, spans));
    sec.numbers = vec![
        KeyNumber::new("Recovered after", format!("{:.1}", days), "days", "last of the three below"),
        KeyNumber::new(
            "Channels closed (95 %)",
            bands::value(o, "healing.channels_closed_h", 1.0, format!("{:.0}", h.channels_closed_h)),
            "h",
            bands::note(o, "healing.channels_closed_h", ""),
        ),
        KeyNumber::new(
            "Barrier recovered",
            bands::value(o, "healing.barrier_recovered_h", 1.0, format!("{:.0}", h.barrier_recovered_h)),
            "h",
            bands::note(o, "healing.barrier_recovered_h", ""),
        ),
        KeyNumber::new(
            "Peak redness",
            bands::value(o, "healing.erythema_peak_delta_a", 1.0, format!("{:.1}", h.erythema_peak_delta_a)),
            "Δa*",
            bands::note(
                o,
                "healing.erythema_peak_delta_a",
                "colorimeter (CIELAB a*) over untreated skin; 2 is just visible",
            ),
        ),
        KeyNumber::new(
            "Redness faded",
            bands::value(o, "healing.erythema_resolved_h", 1.0, format!("{:.0}", h.erythema_resolved_h)),
            "h",
            bands::note(o, "healing.erythema_resolved_h", "below the just-visible level"),
        ),
    ];
    sec.assumptions = vec![
        "Channels reseal on one clock calibrated on impedance in people, read two ways: the pores (what \
         transport sees) and the barrier (all pores' open area per cm²), faster for shallow channels, slower \
         under occlusion and for denser or wider-pored treatments."
            .into(),
        "Redness has an epidermal flush fading within hours and a dermal part that lasts longer the deeper the \
         channels; its scales are assumptions or calibrated on reported courses."
            .into(),
    ];
    sec.sources = vec![
        Source::new("docs/models.md §7.1 Channel resealing", "the two clocks and their data"),
        Source::new("docs/models.md §7.2 Redness", "the erythema course and its calibration"),
        Source::new("docs/validation.md", "published courses the model is checked against"),
    ];
    Some(sec)
}

/// The three recovery curves of [`healing`], time in days: openness, barrier function (1 −
/// deficit), redness.
fn healing_curves(h: &dermasim_core::healing::Healing) -> [Curve; 3] {
    let open: Vec<(f64, f64)> = h.openness_curve.iter().map(|&(t, v)| (t / 24.0, v)).collect();
    let barrier: Vec<(f64, f64)> = h.barrier_curve.iter().map(|&(t, d)| (t / 24.0, 1.0 - d)).collect();
    let last = |c: &Curve| c.last().map_or(0.0, |p| p.0 * 24.0);
    let t_end_h = (1.2 * h.recovery_days() * 24.0).max(last(&open)).max(last(&barrier)).max(1.0);
    let red: Vec<(f64, f64)> =
        (0..=120).map(|i| t_end_h * f64::from(i) / 120.0).map(|t| (t / 24.0, h.erythema.at(t))).collect();
    [open, barrier, red]
}

/// The treatment series: remodelling over months and the outcome on the indication's scale.
pub fn series(o: &Outcome, errors: &mut Vec<String>) -> Option<Section> {
    let sr = o.series.as_ref()?;
    let r = &sr.response;
    let sc = sr.scale;
    let outcome = match sr.indication {
        Indication::Striae => format!(
            "striae {:.1} → {:.1} mm wide ({:.0} % better; improvement class {})",
            r.severity_before,
            r.severity_after,
            100.0 * r.improvement,
            -r.grade_after
        ),
        _ => format!(
            "{:.1} → {:.1} on the {} ({:.0} % better; grade {} → {})",
            r.severity_before,
            r.severity_after,
            sc.name,
            100.0 * r.improvement,
            r.grade_before,
            r.grade_after
        ),
    };
    let mut sec = Section::new(
        "series",
        "Over the treatment series",
        format!(
            "{} sessions {} days apart, {} days after the last, for {}: {outcome}. Papillary collagen {:+.0} %; \
             elastin between {:+.0} % and {:+.0} % (studies disagree on its sign).",
            sr.sessions,
            short(sr.interval_days),
            short(sr.follow_up_days),
            sr.indication.name(),
            r.collagen_change_pct,
            sr.elastin_change_band_pct[0],
            sr.elastin_change_band_pct[1],
        ),
    );
    let collagen: Vec<(f64, f64)> = sr.curve.iter().map(|&(d, c, _, _)| (d / DAYS_PER_MONTH, c)).collect();
    let low: Vec<(f64, f64)> = sr.curve.iter().map(|&(d, _, e, _)| (d / DAYS_PER_MONTH, e)).collect();
    let high: Vec<(f64, f64)> = sr.curve.iter().map(|&(d, _, _, e)| (d / DAYS_PER_MONTH, e)).collect();
    let sessions: Vec<f64> = (0..sr.sessions).map(|k| f64::from(k) * sr.interval_days / DAYS_PER_MONTH).collect();
    keep(
        &mut sec.plots,
        errors,
        charts::collagen_series(
            "series",
            &collagen,
            &low,
            &high,
            &sessions,
            "change from baseline (%)",
            bands::spread(o, "series.collagen_change_pct", 1.0)
                .map(|b| {
                    let end = collagen.last().map_or(0.0, |p| p.0);
                    let start = collagen.first().map_or(0.0, |p| p.0);
                    bands::at_end(&b, start, end, bands::legend("collagen at follow-up"), 1)
                })
                .into_iter()
                .collect(),
        ),
    );
    let b = &sr.bands;
    sec.numbers = vec![
        KeyNumber::new("Outcome scale", sc.name.to_string(), "", sc.source),
        KeyNumber::new(
            "Severity before → after",
            format!(
                "{:.2} → {}",
                r.severity_before,
                bands::value(o, "series.severity_after", 1.0, format!("{:.2}", r.severity_after))
            ),
            sc.unit,
            bands::note(o, "series.severity_after", "patient.baseline_severity, or the scale's default"),
        ),
        KeyNumber::new(
            "Improvement",
            bands::value(o, "series.improvement_fraction", 100.0, format!("{:.0}", 100.0 * r.improvement)),
            "%",
            bands::note(o, "series.improvement_fraction", "relative to the severity before"),
        ),
        KeyNumber::new(
            "Dermis activated by one session",
            format!("papillary {}, reticular {}, lesion band {}", pct(b.papillary), pct(b.reticular), pct(b.target)),
            "%",
            "share of each band inside a wound field",
        ),
        KeyNumber::new(
            "Sessions that started remodelling",
            format!("{:.2} of {}", sr.effective_sessions, sr.sessions),
            "",
            "fully activated sessions' worth, after saturation and interval effects",
        ),
        KeyNumber::new(
            "Sessions into unresolved inflammation",
            r.sessions_into_inflammation.to_string(),
            "",
            "these add injury, not benefit",
        ),
        KeyNumber::new(
            "Papillary collagen at follow-up",
            bands::value(o, "series.collagen_change_pct", 1.0, format!("{:+.1}", r.collagen_change_pct)),
            "% of baseline",
            bands::note(o, "series.collagen_change_pct", ""),
        ),
        KeyNumber::new(
            "Reticular collagen at follow-up",
            format!("{:+.1}", r.reticular_collagen_change_pct),
            "% of baseline",
            "",
        ),
        KeyNumber::new("Share of new collagen that is type I", pct(r.collagen_i_share), "%", ""),
        KeyNumber::new(
            "Elastin at follow-up",
            format!("{:+.1} to {:+.1}", sr.elastin_change_band_pct[0], sr.elastin_change_band_pct[1]),
            "% of baseline",
            "a band: decrease (El-Domyati 2015), unchanged (Kenkel 2021), increase (Aust 2008)",
        ),
        KeyNumber::new(
            "Post-inflammatory hyperpigmentation risk",
            bands::value(o, "series.pih_probability", 100.0, pct(r.pih_probability)),
            "%",
            bands::note(o, "series.pih_probability", format!("phototype {:?}, age {:.0}", sr.phototype, sr.age_years)),
        ),
        KeyNumber::new(
            "Redness beyond 72 h",
            if r.prolonged_erythema { "yes" } else { "no" }.to_string(),
            "",
            "one session, this patient's age",
        ),
        KeyNumber::new(
            "Procedural (tram-track) scar risk",
            pct(r.scarring_probability),
            "%",
            "over the series; calibrated on Dogra 2014 (2 of 30); a scar makes the grade one worse",
        ),
    ];
    sec.assumptions = vec![
        "Each channel puts the dermis within about 0.4 mm of it into a wound-healing programme; one session's \
         effect saturates when the band is covered, and depth past the lesion's band adds nothing."
            .into(),
        "A session within 5 days of the previous one (the inflammation phase) adds injury but starts no new \
         remodelling; tissue still remodelling from an earlier session responds less."
            .into(),
        "Calibrated on Lotfi 2013 (collagen), Dogra 2014 (scar score, spread, PIH, tram-track scars) and Alam 2014 \
         (time course); the other trials are independent checks."
            .into(),
        "New collagen turns over with an assumed half-life of 3 years: gains fade slowly after the series.".into(),
    ];
    sec.sources = vec![
        Source::new("docs/models.md §10 Remodelling and outcomes", "the model, its data and the scales"),
        Source::new("docs/validation.md", "calibration data and independent checks, with misses"),
    ];
    Some(sec)
}

/// Largest mass-balance error (relative) under which a transport result is shown without a
/// warning. Numerical choice: 1 %, far above what a converged solve leaves.
pub const MASS_BALANCE_WARN: f64 = 0.01;

/// A warning when a product's numbers cannot be trusted: non-finite values or a mass balance
/// off by more than [`MASS_BALANCE_WARN`] (the solve failed or did not converge).
pub fn numerical_warning(p: &dermasim_core::delivery::ProductDelivery) -> Option<String> {
    let finite = [
        p.cumulative_ug_per_cm2,
        p.intact_cumulative_ug_per_cm2,
        p.skin_content_ug_per_cm2,
        p.intact_skin_content_ug_per_cm2,
        p.mass_balance_rel_error,
    ]
    .iter()
    .all(|v| v.is_finite());
    let series_finite = [&p.treated, &p.intact].iter().all(|r| r.cumulative_ug_per_cm2.iter().all(|v| v.is_finite()));
    if !finite || !series_finite || p.mass_balance_rel_error > MASS_BALANCE_WARN {
        Some(format!(
            "NUMERICAL FAILURE: the transport solve lost mass balance (relative error {}) or produced non-numbers; \
             the numbers and curves below are not meaningful",
            sig(p.mass_balance_rel_error)
        ))
    } else {
        None
    }
}

/// Up to four profiles spread over the run (the first non-zero time, then evenly to the end):
/// `(time_h, [(depth_um, tissue concentration)])`.
fn pick_profiles(r: &dermasim_core::transport::TransportResult) -> Vec<(f64, Vec<(f64, f64)>)> {
    let ps: Vec<_> = r.profiles.iter().filter(|p| p.time_h > 0.0).collect();
    if ps.is_empty() {
        return Vec::new();
    }
    let n = ps.len();
    let mut idx: Vec<usize> = (0..4).map(|k| ((n - 1) as f64 * f64::from(k) / 3.0).round() as usize).collect();
    idx.dedup();
    idx.iter()
        .map(|&i| {
            let p = ps[i];
            (p.time_h, p.depth_um.iter().copied().zip(p.tissue_concentration_mg_ml.iter().copied()).collect())
        })
        .collect()
}

/// Two significant figures: what the model knows about a delivered amount, a flux or a ratio
/// (its intact-skin permeability is good to a factor of about 3, V10), so no "84.102".
pub fn sig2(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    if !(1e-3..1e5).contains(&v.abs()) {
        return times_ten(v, 1);
    }
    let e = v.abs().log10().floor() as i32;
    let step = 10f64.powi(e - 1);
    let r = (v / step).round() * step;
    let digits = (1 - r.abs().log10().floor() as i32).max(0) as usize;
    format!("{r:.digits$}")
}

/// `v` as a mantissa with `decimals` decimals times a power of ten, for reading: `2.5×10⁻⁷`
/// (not `2.5e-7`).
fn times_ten(v: f64, decimals: usize) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let s = format!("{v:.decimals$e}");
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    format!("{m}×10{}", crate::style::superscript(e))
}

/// Three significant figures (all the digits of an integer part), `×10ⁿ` for very small or
/// large numbers.
pub fn sig(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if !(1e-3..1e5).contains(&v.abs()) {
        times_ten(v, 2)
    } else {
        let digits = (2 - v.abs().log10().floor() as i32).max(0) as usize;
        format!("{v:.digits$}")
    }
}

/// The long tables of a run: (`series.csv`, `profiles.csv`). See [`crate::series`].
pub fn series_tables(o: &Outcome) -> (LongTable, LongTable) {
    let mut series = LongTable::default();
    let mut profiles = LongTable::default();
    for (name, p) in &o.delivery.products {
        for (cond, r) in [("treated", &p.treated), ("intact", &p.intact)] {
            let k = |quantity, unit| Key {
                stage: "transport",
                quantity,
                subject: name,
                condition: cond,
                unit,
                t_unit: "h",
            };
            let ts = |v: &[f64]| -> Vec<(f64, f64)> { r.times_h.iter().copied().zip(v.iter().copied()).collect() };
            series.push_series(k("cumulative_delivered", "ug/cm2"), &ts(&r.cumulative_ug_per_cm2));
            series.push_series(k("flux", "ug/cm2/h"), &ts(&r.flux_ug_per_cm2_h));
            series.push_series(k("receptor", "ug/cm2"), &ts(&r.receptor_ug_per_cm2));
            series.push_series(k("cleared", "ug/cm2"), &ts(&r.cleared_ug_per_cm2));
            series.push_series(k("channel_fluid", "ug/cm2"), &ts(&r.channel_ug_per_cm2));
            series.push_series(k("donor", "ug/cm2"), &ts(&r.donor_ug_per_cm2));
            for pr in &r.profiles {
                let pts: Vec<(f64, f64)> =
                    pr.depth_um.iter().copied().zip(pr.tissue_concentration_mg_ml.iter().copied()).collect();
                profiles.push_profile(k("tissue_concentration", "mg/ml"), pr.time_h, &pts);
            }
        }
    }
    if let Some(h) = &o.healing {
        let [open, barrier, red] = healing_curves(h);
        let k = |quantity, unit| Key { stage: "healing", quantity, subject: "", condition: "", unit, t_unit: "d" };
        series.push_series(k("channel_openness", "fraction"), &open);
        series.push_series(k("barrier_function", "fraction"), &barrier);
        series.push_series(k("erythema", "0-1"), &red);
    }
    if let Some(sr) = &o.series {
        let k = |quantity| Key {
            stage: "series",
            quantity,
            subject: "",
            condition: "",
            unit: "pct_of_baseline",
            t_unit: "d",
        };
        let c: Vec<(f64, f64)> = sr.curve.iter().map(|&(d, c, _, _)| (d, c)).collect();
        let lo: Vec<(f64, f64)> = sr.curve.iter().map(|&(d, _, e, _)| (d, e)).collect();
        let hi: Vec<(f64, f64)> = sr.curve.iter().map(|&(d, _, _, e)| (d, e)).collect();
        series.push_series(k("collagen_change"), &c);
        series.push_series(k("elastin_change_low"), &lo);
        series.push_series(k("elastin_change_high"), &hi);
    }
    (series, profiles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_titles_from_codes() {
        assert_eq!(code_title("CONDITION_ACTIVE_ACNE"), "Condition active acne");
        assert_eq!(code_title(""), "");
    }

    #[test]
    fn two_significant_figures() {
        assert_eq!(sig2(84.102), "84");
        assert_eq!(sig2(128.444), "130");
        assert_eq!(sig2(99.999), "100");
        assert_eq!(sig2(1.2345), "1.2");
        assert_eq!(sig2(0.012345), "0.012");
        assert_eq!(sig2(2.5e-7), "2.5×10⁻⁷");
        assert_eq!(sig2(-9.96e5), "-1.0×10⁶");
        assert_eq!(sig2(0.0), "0");
    }

    #[test]
    fn significant_figures() {
        assert_eq!(sig(123.456), "123");
        assert_eq!(sig(1.23456), "1.23");
        assert_eq!(sig(0.0123456), "0.0123");
        assert_eq!(sig(1.5e-6), "1.50×10⁻⁶");
        assert_eq!(sig(0.0), "0");
    }
}
