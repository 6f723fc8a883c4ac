//! Benchmark driver for the shared skin-channel problem (`shared/bench/problem.py`).
//!
//! ```text
//! transport-bench implicit [large|small|NXxNYxNZ] [--dt 10] [--steps 5] [--rtol 1e-8] [--jacobi]
//! transport-bench explicit [large|small|NXxNYxNZ] [--steps 100]
//! ```
//! Prints one `RESULT ... time_s=... sum=...` line comparable with the SciPy / C references.

use std::time::Instant;

use dermasim_transport::bench;
use dermasim_transport::mg::MgParams;
use dermasim_transport::solver::Precond;

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
                use dermasim_transport::mg::Relax;
                mgp.relax = match next(i).as_str() {
                    "point" => Relax::Point,
                    "zline" => Relax::ZLine,
                    "auto" => Relax::Auto,
                    _ => usage(),
                };
                i += 1;
            }
            "--precision" => {
                use dermasim_transport::mg::Precision;
                mgp.precision = match next(i).as_str() {
                    "single" => Precision::Single,
                    "double" => Precision::Double,
                    "auto" => Precision::Auto,
                    _ => usage(),
                };
                i += 1;
            }
            "--interp" => {
                use dermasim_transport::mg::Interp;
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
            let pre = if jacobi { Precond::Jacobi } else { Precond::Multigrid(mgp) };
            let ta = Instant::now();
            let mut sim = bench::setup_implicit(nx, ny, nz, dt, rtol, pre, extrap);
            if std::env::var_os("BENCH_UNIFORM").is_some() {
                // diagnostic: uniform D = 100 everywhere (no layers, no channels)
                let (g, mut m, c0, _) = bench::problem(nx, ny, nz);
                m.kd.iter_mut().for_each(|v| *v = 100.0);
                let op = dermasim_transport::fv::FvOperator::build(&g, &m, dermasim_transport::fv::BottomBc::Sink);
                sim = dermasim_transport::sim::Simulation::with_operator(
                    g,
                    op,
                    dermasim_transport::sim::DonorState::Infinite { u: 1.0 },
                    0.0,
                    &c0,
                    sim.control,
                );
            }
            let asm = ta.elapsed().as_secs_f64();
            let t0 = Instant::now();
            let its: Vec<usize> = (0..steps).map(|_| sim.step(dt).iterations).collect();
            let t = t0.elapsed().as_secs_f64();
            let lay = sim.op.layout;
            let sum = dermasim_transport::par::sum(&sim.u[lay.interior()]);
            let mean = its.iter().sum::<usize>() as f64 / its.len().max(1) as f64;
            println!(
                "RESULT impl=rust-implicit-{} threads={threads} grid={nx}x{ny}x{nz} steps={steps} dt={dt} time_s={t:.3} \
                 cell_updates_per_s={:.4e} iters_mean={mean:.1} iters_min={} iters_max={} mg_levels={} \
                 sum={sum:.10e} worst_rel_res={:.2e} assemble_s={asm:.2}",
                if jacobi { "jacobi-cg" } else { "mg-cg" },
                (lay.n * steps) as f64 / t,
                its.iter().min().unwrap_or(&0),
                its.iter().max().unwrap_or(&0),
                sim.levels(),
                sim.worst_residual
            );
        }
        "explicit" => {
            let steps = steps.unwrap_or(100);
            let e = bench::Explicit::new(nx, ny, nz);
            let lay = e.lay;
            // one untimed warm-up step, as stencil.c does
            let mut c = e.c0.clone();
            let mut cn = lay.zeros();
            e.step(&c, &mut cn);
            c.copy_from_slice(&e.c0);
            let t0 = Instant::now();
            for _ in 0..steps {
                e.step(&c, &mut cn);
                std::mem::swap(&mut c, &mut cn);
            }
            let t = t0.elapsed().as_secs_f64();
            let sum = dermasim_transport::par::sum(&c[lay.interior()]);
            let (mx, mn) = c[lay.interior()].iter().fold((f64::MIN, f64::MAX), |(a, b), &x| (a.max(x), b.min(x)));
            println!(
                "RESULT impl=rust-explicit threads={threads} grid={nx}x{ny}x{nz} steps={steps} time_s={t:.4} \
                 cell_updates_per_s={:.4e} dt={:.4} sum={sum:.10e} max={mx:.6} min={mn:.3}",
                (lay.n * steps) as f64 / t,
                e.dt
            );
        }
        _ => usage(),
    }
}
