//! Wall time of [`dermasim_transport::solve_with`] for pipeline-sized problems (the table
//! "Cost of `solve` for pipeline-sized problems" in `docs/performance.md`).
//!
//! ```text
//! solve-timing [oned|unit|patch] [coarse|normal|fine|--custom DZ,MIN,LAT[,LATMAX]] [--preset NAME] [--reps N]
//!              [--time-tol T] [--scheme be|bdf2|bdf3|bdf4] [--dt-initial S] [--growth G] [--rtol R] [--dt-max S] [--closure-h H] [--infinite] [--no-galerkin-guess] [--sweeps N] [--coarse-max N] [--relax point|zline] [--interp constant|linear] [--omega W] [--window-um W] [--dump FILE]
//! ```
//!
//! The problem: 24 h, finite film (20 µm, 10 mg/mL) of a preset active (default niacinamide,
//! in vivo, fully hydrated SC), SC 15 µm / VE 80 µm / dermis 1200 µm with clearance, closed
//! bottom (`--infinite`: a constant donor instead of the film); one channel of radius 25 µm and depth 500 µm in a unit cell of radius 300 µm closing
//! linearly over `--closure-h` hours (default 6), or one 100 × 40 µm slit in a 400 × 400 µm
//! patch window. Prints one line per repetition and the best time; `--dump` writes the output
//! series (time, cumulative, flux, donor) and the tissue-concentration profiles of the last
//! repetition as CSV.

use std::time::Instant;

use dermasim_transport::props::{self, ScHydration};
use dermasim_transport::{Bottom, Channel, Donor, Geometry, Hole, Layer, Resolution, TransportProblem, solve_with};
use dermasim_transport::{Scheme, StepControl};

fn usage() -> ! {
    eprintln!(
        "usage: solve-timing [oned|unit|patch] [coarse|normal|fine|--custom DZ,MIN,LAT[,LATMAX]] [--preset NAME] [--reps N] \
         [--time-tol T] [--scheme be|bdf2|bdf3|bdf4] [--dt-initial S] [--growth G] [--rtol R] [--dt-max S] [--closure-h H] [--infinite] [--no-galerkin-guess] [--sweeps N] [--coarse-max N] [--relax point|zline] [--interp constant|linear] [--omega W] [--window-um W] [--dump FILE]"
    );
    std::process::exit(2)
}

/// One line on stdout; a closed pipe (`| head`) is not an error.
fn say(line: String) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout(), "{line}");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut geom = "unit".to_string();
    let mut res = Resolution::Normal;
    let mut preset = "niacinamide".to_string();
    let mut reps = 3usize;
    let mut control = StepControl::default();
    let mut custom = false;
    let mut closure_h = 6.0;
    let mut dump: Option<String> = None;
    let mut infinite = false;
    let mut window_um = 400.0;
    let mut i = 0;
    while i < args.len() {
        let next = |i: usize| args.get(i + 1).cloned().unwrap_or_else(|| usage());
        let num = |i: usize| next(i).parse::<f64>().unwrap_or_else(|_| usage());
        match args[i].as_str() {
            g @ ("oned" | "unit" | "patch") => geom = g.to_string(),
            "coarse" => res = Resolution::Coarse,
            "normal" => res = Resolution::Normal,
            "fine" => res = Resolution::Fine,
            "--custom" => {
                // DZ,MIN,LAT[,LATMAX]: Resolution::Custom (equal lateral cells without LATMAX)
                let v: Vec<f64> = next(i).split(',').map(|x| x.parse().unwrap_or_else(|_| usage())).collect();
                let (max_dz_um, min, lateral_um, lateral_max_um) = match v[..] {
                    [a, b, c] => (a, b, c, c),
                    [a, b, c, d] => (a, b, c, d),
                    _ => usage(),
                };
                res = Resolution::Custom { max_dz_um, min_cells_per_layer: min as usize, lateral_um, lateral_max_um };
                i += 1;
            }
            "--preset" => {
                preset = next(i);
                i += 1;
            }
            "--window-um" => {
                window_um = num(i);
                i += 1;
            }
            "--reps" => {
                reps = num(i) as usize;
                i += 1;
            }
            "--time-tol" => {
                control.time_tol = Some(num(i));
                custom = true;
                i += 1;
            }
            "--rtol" => {
                control.rtol = num(i);
                custom = true;
                i += 1;
            }
            "--dt-max" => {
                control.dt_max_s = num(i);
                custom = true;
                i += 1;
            }
            "--dt-initial" => {
                control.dt_initial_s = num(i);
                custom = true;
                i += 1;
            }
            "--growth" => {
                control.growth = num(i);
                custom = true;
                i += 1;
            }
            "--scheme" => {
                control.scheme = match next(i).as_str() {
                    "be" => Scheme::BackwardEuler,
                    "bdf2" => Scheme::Bdf2,
                    "bdf3" => Scheme::Bdf3,
                    "bdf4" => Scheme::Bdf4,
                    _ => usage(),
                };
                custom = true;
                i += 1;
            }
            "--infinite" => infinite = true,
            "--no-galerkin-guess" => {
                control.galerkin_guess = false;
                custom = true;
            }
            "--dump" => {
                dump = Some(next(i));
                i += 1;
            }
            "--relax" | "--omega" | "--interp" => {
                if let dermasim_transport::Precond::Multigrid(ref mut mg) = control.precond {
                    match (args[i].as_str(), next(i).as_str()) {
                        ("--relax", "point") => mg.relax = dermasim_transport::Relax::Point,
                        ("--relax", "zline") => mg.relax = dermasim_transport::Relax::ZLine,
                        ("--omega", _) => mg.omega = Some(num(i)),
                        ("--interp", "constant") => mg.interp = dermasim_transport::Interp::Constant,
                        ("--interp", "linear") => mg.interp = dermasim_transport::Interp::Linear,
                        _ => usage(),
                    }
                }
                custom = true;
                i += 1;
            }
            "--sweeps" | "--coarse-max" => {
                if let dermasim_transport::Precond::Multigrid(ref mut mg) = control.precond {
                    let v = num(i) as usize;
                    if args[i] == "--sweeps" {
                        mg.sweeps = Some(v);
                    } else {
                        mg.coarse_max = v;
                    }
                }
                custom = true;
                i += 1;
            }
            "--closure-h" => {
                closure_h = num(i);
                i += 1;
            }
            _ => usage(),
        }
        i += 1;
    }
    let m = props::preset(&preset).unwrap_or_else(|| {
        eprintln!("unknown preset {preset}; known: {}", props::preset_names().join(", "));
        std::process::exit(2)
    });
    let c = props::coefficients(&m, ScHydration::Full, 15.0, true).expect("preset coefficients");
    let layer = |name: &str, thickness_um: f64, k: &props::LayerCoefficients| Layer {
        name: name.to_string(),
        thickness_um,
        diffusivity_um2_s: k.diffusivity_um2_s.max(1e-6),
        partition: k.partition.max(1e-3),
        clearance_per_s: k.clearance_per_s,
    };
    let geometry = match geom.as_str() {
        "oned" => Geometry::OneD,
        "unit" => Geometry::UnitCell {
            cell_radius_um: 300.0,
            channel: Channel {
                radius_um: 25.0,
                depth_um: 500.0,
                diffusivity_um2_s: c.channel_fluid_diffusivity_um2_s,
                openness: if closure_h > 0.0 { vec![(0.0, 1.0), (closure_h, 0.0)] } else { vec![] },
            },
        },
        _ => {
            // one slit per 400 µm square of the window
            let per_side = ((window_um / 400.0).floor() as usize).max(1);
            let pitch = window_um / per_side as f64;
            let centre = |k: usize| (k as f64 + 0.5) * pitch;
            let holes = (0..per_side * per_side)
                .map(|q| Hole {
                    x_um: centre(q % per_side),
                    y_um: centre(q / per_side),
                    depth_um: 500.0,
                    length_um: 100.0,
                    width_um: 40.0,
                    direction_deg: 0.0,
                })
                .collect();
            Geometry::Patch {
                window_x_um: window_um,
                window_y_um: window_um,
                holes,
                channel_diffusivity_um2_s: c.channel_fluid_diffusivity_um2_s,
            }
        }
    };
    let problem = TransportProblem {
        layers: vec![
            layer("stratum_corneum", 15.0, &c.stratum_corneum),
            layer("viable_epidermis", 80.0, &c.viable_epidermis),
            layer("dermis", 1200.0, &c.dermis),
        ],
        donor: if infinite {
            Donor::Infinite { concentration_mg_ml: 10.0 }
        } else {
            Donor::Finite { film_thickness_um: 20.0, concentration_mg_ml: 10.0 }
        },
        bottom: Bottom::Closed,
        geometry,
        duration_h: 24.0,
        output_times_h: Vec::new(),
        resolution: res,
    };
    let control = custom.then_some(control);
    let mut best = f64::INFINITY;
    let mut last = None;
    for rep in 0..reps.max(1) {
        let t0 = Instant::now();
        let r = solve_with(&problem, control).unwrap_or_else(|e| {
            eprintln!("solve failed: {e}");
            std::process::exit(1)
        });
        let dt = t0.elapsed().as_secs_f64();
        best = best.min(dt);
        say(format!(
            "rep={rep} geom={geom} res={res:?} cells={} steps={} cg_iterations={} time_s={dt:.4} \
             cumulative_24h={:.12e} mass_balance={:.2e} lag_h={:?}",
            r.cells,
            r.steps,
            r.cg_iterations,
            r.cumulative_ug_per_cm2.last().copied().unwrap_or(0.0),
            r.mass_balance_rel_error,
            r.lag_time_h,
        ));
        last = Some(r);
    }
    say(format!("best_time_s={best:.4}"));
    if let (Some(path), Some(r)) = (dump, last) {
        let mut out = String::from("kind,index,time_h,a,b,c\n");
        for (k, t) in r.times_h.iter().enumerate() {
            out += &format!(
                "series,{k},{t},{:e},{:e},{:e}\n",
                r.cumulative_ug_per_cm2[k], r.flux_ug_per_cm2_h[k], r.donor_ug_per_cm2[k]
            );
        }
        for (k, p) in r.profiles.iter().enumerate() {
            for (z, c) in p.depth_um.iter().zip(&p.tissue_concentration_mg_ml) {
                out += &format!("profile,{k},{},{z},{c:e},0\n", p.time_h);
            }
        }
        std::fs::write(&path, out).unwrap_or_else(|e| eprintln!("cannot write {path}: {e}"));
    }
}
