//! Benchmark driver for the shared skin-channel problem (`shared/bench/problem.py`).
//!
//! ```text
//! transport-bench implicit [large|small|NXxNYxNZ] [--dt 10] [--steps 5] [--rtol 1e-8] [--jacobi]
//! transport-bench explicit [large|small|NXxNYxNZ] [--steps 100]
//! ```
//! Prints one `RESULT ... time_s=... sum=...` line comparable with the SciPy / C references.

use dermasim_transport::{MgParams, Precond, bench};

fn usage() -> ! {
    eprintln!(
        "usage: transport-bench implicit|explicit [large|small|NXxNYxNZ] [--dt S] [--steps N] [--rtol R] \
         [--jacobi] [--extrapolate] [--sweeps N] [--omega W] [--gamma 1|2] [--coarse-scale S] [--coarse-g F] [--interp constant|linear|auto] [--precision single|double|auto] [--relax point|zline|auto]\n\
         env BENCH_UNIFORM=1: diagnostic variant with D = 100 everywhere (implicit only)"
    );
    std::process::exit(2)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().cloned().unwrap_or_else(|| usage());
    let mut grid = (128usize, 128usize, 256usize);
    let mut dt = 10.0;
    let mut steps: Option<usize> = None;
    let mut rtol = 1e-8;
    let mut jacobi = false;
    let mut extrap = false;
    let mut mgp = MgParams::default();
    let mut i = 1;
    while i < args.len() {
        let a = args[i].as_str();
        let next = |i: usize| args.get(i + 1).cloned().unwrap_or_else(|| usage());
        match a {
            "large" => grid = (128, 128, 256),
            "small" => grid = (64, 64, 64),
            "--dt" => {
                dt = next(i).parse().unwrap_or_else(|_| usage());
                i += 1;
            }
            "--steps" => {
                steps = Some(next(i).parse().unwrap_or_else(|_| usage()));
                i += 1;
            }
            "--rtol" => {
                rtol = next(i).parse().unwrap_or_else(|_| usage());
                i += 1;
            }
            "--coarse-scale" => {
                mgp.coarse_scale = next(i).parse().unwrap_or_else(|_| usage());
                i += 1;
            }
            "--sweeps" => {
                mgp.sweeps = Some(next(i).parse().unwrap_or_else(|_| usage()));
                i += 1;
            }
            "--omega" => {
                mgp.omega = Some(next(i).parse().unwrap_or_else(|_| usage()));
                i += 1;
            }
            "--coarse-g" => {
                mgp.coarse_conductance = next(i).parse().unwrap_or_else(|_| usage());
                i += 1;
            }
            "--gamma" => {
                mgp.gamma = next(i).parse().unwrap_or_else(|_| usage());
                i += 1;
            }
            "--extrapolate" => extrap = true,
            "--relax" => {
                use dermasim_transport::Relax;
                mgp.relax = match next(i).as_str() {
                    "point" => Relax::Point,
                    "zline" => Relax::ZLine,
                    "auto" => Relax::Auto,
                    _ => usage(),
                };
                i += 1;
            }
            "--precision" => {
                use dermasim_transport::Precision;
                mgp.precision = match next(i).as_str() {
                    "single" => Precision::Single,
                    "double" => Precision::Double,
                    "auto" => Precision::Auto,
                    _ => usage(),
                };
                i += 1;
            }
            "--interp" => {
                use dermasim_transport::Interp;
                mgp.interp = match next(i).as_str() {
                    "constant" => Interp::Constant,
                    "linear" => Interp::Linear,
                    "auto" => Interp::Auto,
                    _ => usage(),
                };
                i += 1;
            }
            "--jacobi" => jacobi = true,
            s if s.contains('x') => {
                let v: Vec<usize> = s.split('x').map(|t| t.parse().unwrap_or_else(|_| usage())).collect();
                if v.len() != 3 {
                    usage();
                }
                grid = (v[0], v[1], v[2]);
            }
            _ => usage(),
        }
        i += 1;
    }
    let (nx, ny, nz) = grid;
    let threads = rayon::current_num_threads();
    match mode.as_str() {
        "implicit" => {
            let steps = steps.unwrap_or(5);
            let precond = if jacobi { Precond::Jacobi } else { Precond::Multigrid(mgp) };
            let uniform = std::env::var_os("BENCH_UNIFORM").is_some();
            let settings =
                bench::ImplicitSettings { grid, dt_s: dt, steps, rtol, precond, extrapolate: extrap, uniform };
            let r = bench::implicit(&settings);
            let its = &r.iterations;
            let mean = its.iter().sum::<usize>() as f64 / its.len().max(1) as f64;
            println!(
                "RESULT impl=rust-implicit-{} threads={threads} grid={nx}x{ny}x{nz} steps={steps} dt={dt} time_s={:.3} \
                 cell_updates_per_s={:.4e} iters_mean={mean:.1} iters_min={} iters_max={} mg_levels={} \
                 sum={:.10e} worst_rel_res={:.2e} assemble_s={:.2}",
                if jacobi { "jacobi-cg" } else { "mg-cg" },
                r.time_s,
                (r.cells * steps) as f64 / r.time_s,
                its.iter().min().unwrap_or(&0),
                its.iter().max().unwrap_or(&0),
                r.levels,
                r.sum,
                r.worst_rel_residual,
                r.assemble_s
            );
        }
        "explicit" => {
            let steps = steps.unwrap_or(100);
            let r = bench::explicit(grid, steps);
            println!(
                "RESULT impl=rust-explicit threads={threads} grid={nx}x{ny}x{nz} steps={steps} time_s={:.4} \
                 cell_updates_per_s={:.4e} dt={:.4} sum={:.10e} max={:.6} min={:.3}",
                r.time_s,
                (r.cells * steps) as f64 / r.time_s,
                r.dt_s,
                r.sum,
                r.max,
                r.min
            );
        }
        _ => usage(),
    }
}
