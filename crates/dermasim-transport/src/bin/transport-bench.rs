//! Benchmark driver for the shared skin-channel problem (`shared/bench/problem.py`).
//!
//! ```text
//! transport-bench implicit [large|small|NXxNYxNZ] [--dt 10] [--steps 5] [--rtol 1e-8] [--jacobi]
//! transport-bench explicit [large|small|NXxNYxNZ] [--steps 100]
//! ```
//! Prints one `RESULT ... time_s=... sum=...` line comparable with the SciPy / C references.

use std::time::Instant;

use dermasim_transport::bench;
use dermasim_transport::fv::{DONOR_SLOT, Stencil};
use dermasim_transport::mg::MgParams;
use dermasim_transport::sim::{DonorState, Scheme, Simulation, StepControl};
use dermasim_transport::solver::Precond;

fn usage() -> ! {
    eprintln!(
        "usage: transport-bench implicit|explicit [large|small|NXxNYxNZ] [--dt S] [--steps N] [--rtol R] [--jacobi] [--coarse-scale S] [--sweeps N]"
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
                mgp.sweeps = next(i).parse().unwrap_or_else(|_| usage());
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
            let t_asm = Instant::now();
            let (g, op, c0, _) = bench::operator(nx, ny, nz);
            let control = StepControl {
                dt_initial_s: dt,
                growth: 1.0,
                dt_max_s: dt,
                max_ratio: 1.0,
                rtol,
                max_iter: 10_000,
                scheme: Scheme::BackwardEuler,
                precond: if jacobi { Precond::Jacobi } else { Precond::Multigrid(mgp) },
                time_tol: None,
            };
            let mut sim = Simulation::with_operator(g, op, DonorState::Infinite { u: 1.0 }, 0.0, &c0, control);
            drop(c0);
            let asm = t_asm.elapsed().as_secs_f64();
            let t0 = Instant::now();
            let mut its = Vec::new();
            for _ in 0..steps {
                let st = sim.step(dt);
                its.push(st.iterations);
            }
            let t = t0.elapsed().as_secs_f64();
            let lay = sim.op.layout;
            let sum = dermasim_transport::par::sum(&sim.u[lay.interior()]);
            let mean = its.iter().sum::<usize>() as f64 / its.len().max(1) as f64;
            println!(
                "RESULT impl=rust-implicit-{} threads={threads} grid={nx}x{ny}x{nz} steps={steps} dt={dt} time_s={t:.3} \
                 cell_updates_per_s={:.4e} iters_mean={mean:.1} iters_min={} iters_max={} assemble_s={asm:.2} \
                 sum={sum:.10e} worst_rel_res={:.2e}",
                if jacobi { "jacobi-cg" } else { "mg-cg" },
                (lay.n * steps) as f64 / t,
                its.iter().min().unwrap_or(&0),
                its.iter().max().unwrap_or(&0),
                sim.worst_residual
            );
        }
        "explicit" => {
            let steps = steps.unwrap_or(100);
            let (g, op, c0, _) = bench::operator(nx, ny, nz);
            let lay = op.layout;
            let v = g.column_area(0, 0) * (g.zf[1] - g.zf[0]); // uniform cells
            let d = op.diagonal(0.0);
            let dmax = d.iter().fold(0.0f64, |m, &x| m.max(x)) / v;
            let dte = 0.95 / dmax;
            // explicit step y = (1 − Δt d) x + Δt Σ g x_nb (+ top source), rate form
            let s = dte / v;
            let diag: Vec<f64> = d.iter().map(|&x| if x != 0.0 { 1.0 - s * x } else { 0.0 }).collect();
            let gx: Vec<f64> = op.gx.iter().map(|&x| -s * x).collect();
            let gy: Vec<f64> = op.gy.iter().map(|&x| -s * x).collect();
            let gz: Vec<f64> = op.gz.iter().map(|&x| -s * x).collect();
            let src: Vec<f64> = op.gtop.iter().map(|&x| s * x * 1.0).collect();
            drop(op);
            let st = Stencil { lay, diag: &diag, gx: &gx, gy: &gy, gz: &gz };
            let mut c = lay.zeros();
            let mut cn = lay.zeros();
            let mut t0 = Instant::now();
            for step in 0..=steps {
                if step == 1 || steps == 0 {
                    // step 0 is an untimed warm-up, then reset (as stencil.c does)
                    c.fill(0.0);
                    c[lay.interior()].copy_from_slice(&c0);
                    t0 = Instant::now();
                    if steps == 0 {
                        break;
                    }
                }
                if step == 0 {
                    c[lay.interior()].copy_from_slice(&c0);
                }
                st.matvec(&c, &mut cn);
                for (j, sv) in src.iter().enumerate() {
                    cn[lay.pad + j] += sv;
                }
                std::mem::swap(&mut c, &mut cn);
            }
            let t = t0.elapsed().as_secs_f64();
            let _ = DONOR_SLOT;
            let sum = dermasim_transport::par::sum(&c[lay.interior()]);
            let (mx, mn) = c[lay.interior()].iter().fold((f64::MIN, f64::MAX), |(a, b), &x| (a.max(x), b.min(x)));
            println!(
                "RESULT impl=rust-explicit threads={threads} grid={nx}x{ny}x{nz} steps={steps} time_s={t:.4} \
                 cell_updates_per_s={:.4e} dt={dte:.4} sum={sum:.10e} max={mx:.6} min={mn:.3}",
                (lay.n * steps) as f64 / t
            );
        }
        _ => usage(),
    }
}
