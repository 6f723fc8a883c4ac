//! `dermasim`: the command-line front end. Glue only: it reads files, calls the core, and
//! writes outputs whole or not at all.

mod calibrate;
mod check;
mod cohort;
mod compare;
mod output;
mod progress;
mod provenance;
mod sensitivity;
mod sweep;
mod target;
mod text;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use miette::{Diagnostic, NamedSource, SourceSpan};

use dermasim_core::scenario::{self, Scenario, ScenarioError};

/// Exit code for an invalid scenario or command line.
const EXIT_INPUT: u8 = 2;
/// Exit code for a failure to read or write files.
const EXIT_IO: u8 = 4;

#[derive(Parser)]
#[command(
    name = "dermasim",
    version,
    about = "Microneedling simulator and treatment planner (informs, does not prescribe)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The scenario a command works on: the file and its overrides.
#[derive(clap::Args)]
struct ScenarioArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Override a scenario value, e.g. --set device.needle_length_mm=1.0 (repeatable).
    #[arg(long = "set", value_name = "KEY.PATH=VALUE")]
    set: Vec<String>,
}

impl ScenarioArgs {
    /// Reads and validates the scenario; `seed` (from `--seed`) overrides `simulation.seed`.
    /// Returns the scenario and the effective text: the file with every override applied.
    fn load(&self, seed: Option<u64>) -> Result<(Scenario, String), ExitCode> {
        let mut set = self.set.clone();
        if let Some(seed) = seed {
            set.push(format!("simulation.seed={seed}"));
        }
        let (s, text) = load(&self.scenario, &set)?;
        let text = scenario::effective::effective_toml(&text, &s.overrides).map_err(|e| {
            text::err(&format!("error: {}", text::printable(&e.to_string())));
            ExitCode::from(EXIT_INPUT)
        })?;
        Ok((s, text))
    }

    /// `out/<scenario file stem>`, the default output directory.
    fn default_out(&self) -> PathBuf {
        let stem = self.scenario.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "run".into());
        PathBuf::from("out").join(stem)
    }
}

/// How `run` and `compare` simulate and report: the seed, replacing outputs, threads and what
/// is printed.
#[derive(Clone, Copy, clap::Args)]
struct RunOptions {
    /// Random seed (overrides simulation.seed; in compare, every plan's).
    #[arg(long)]
    seed: Option<u64>,
    /// Replace an existing output directory (run: any non-empty one; compare: one dermasim wrote).
    #[arg(long)]
    force: bool,
    /// Worker threads (results do not depend on it).
    #[arg(long)]
    threads: Option<usize>,
    /// Print the JSON output (run: summary.json, compare: compare.json) to stdout instead of the
    /// human summary.
    #[arg(long)]
    json: bool,
    /// Print nothing on success.
    #[arg(long)]
    quiet: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Run every stage on a scenario and write the outputs.
    Run {
        #[command(flatten)]
        input: ScenarioArgs,
        /// Output directory (default: out/ plus the scenario name).
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        options: RunOptions,
        /// Propagate the parameter registry's uncertainty with N quasi-random draws (Sobol)
        /// and report 5-50-95 % bands of the headline outputs (summary.json `uncertainty`).
        #[arg(long, value_name = "N")]
        uncertainty: Option<usize>,
    },
    /// Give the scenario's treatment series to a virtual cohort; write cohort.json and cohort.html.
    Cohort {
        #[command(flatten)]
        input: ScenarioArgs,
        /// Number of virtual patients.
        #[arg(long)]
        patients: usize,
        /// Output directory for cohort.json and cohort.html (default: out/ plus the scenario name).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Random seed (overrides simulation.seed).
        #[arg(long)]
        seed: Option<u64>,
        /// Replace an existing cohort.json and cohort.html.
        #[arg(long)]
        force: bool,
        /// Print cohort.json to stdout instead of the human summary.
        #[arg(long)]
        json: bool,
        /// Print nothing on success.
        #[arg(long)]
        quiet: bool,
    },
    /// Screen a scenario for safety only (fast); exit 0 ok, 1 caution, 3 contraindicated.
    Check {
        #[command(flatten)]
        input: ScenarioArgs,
        /// Print the findings as JSON (the summary.json `safety` section) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Validate a scenario without running it.
    Validate {
        #[command(flatten)]
        input: ScenarioArgs,
    },
    /// Run two or more plans and write them side by side: compare.json (headline outputs and
    /// their differences) and compare.html.
    Compare {
        /// Scenario files (TOML), 2 to 8; the first is the reference for differences.
        #[arg(required = true, num_args = 2..)]
        scenarios: Vec<PathBuf>,
        /// Override a value in every plan, e.g. --set simulation.transport="off" (repeatable).
        #[arg(long = "set", value_name = "KEY.PATH=VALUE")]
        set: Vec<String>,
        /// Output directory for compare.json and compare.html.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        options: RunOptions,
    },
    /// Run a parameter sweep (SPEC.toml: base scenario, axes, design) into DIR/sweep.parquet.
    Sweep {
        /// Sweep spec (TOML; docs/sweeps.md).
        spec: PathBuf,
        /// Output directory; rerunning into it resumes an interrupted sweep.
        #[arg(long)]
        out: PathBuf,
        /// Run only shard K of N (points K, K+N, K+2N, …; K from 0), e.g. a Slurm array task.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// Worker threads (results do not depend on it).
        #[arg(long)]
        threads: Option<usize>,
        /// Replace the sweep files of another sweep or shard in the output directory.
        #[arg(long)]
        force: bool,
        /// Print nothing on success.
        #[arg(long)]
        quiet: bool,
    },
    /// Join the shards of one sweep into one table; refuses shards of different specs.
    SweepMerge {
        /// Shard directories (each with sweep.parquet).
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
        /// Replace the sweep files already in the output directory.
        #[arg(long)]
        force: bool,
    },
    /// Sobol indices of headline outputs with respect to the parameter registry's uncertain
    /// parameters; writes sensitivity.json, sensitivity.csv and sensitivity.svg.
    Sensitivity {
        #[command(flatten)]
        input: ScenarioArgs,
        /// Outputs to analyse, comma-separated (default: every headline output).
        #[arg(long, value_delimiter = ',')]
        outputs: Vec<String>,
        /// Base samples N (N (d + 2) runs for d parameters).
        #[arg(long, default_value_t = 256)]
        samples: usize,
        /// Output directory (default: out/ plus the scenario name).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace existing sensitivity files.
        #[arg(long)]
        force: bool,
        /// Worker threads (results do not depend on it).
        #[arg(long)]
        threads: Option<usize>,
        /// Print sensitivity.json to stdout instead of the human summary.
        #[arg(long)]
        json: bool,
        /// Print nothing on success.
        #[arg(long)]
        quiet: bool,
    },
    /// Fit the calibrated parameters to their training datasets (validation/training/): the
    /// fitted value, its uncertainty from the data's spread and the residuals; with --write, save
    /// the fitted registry values into their source files.
    Calibrate {
        /// Parameters to fit, comma-separated (default: every calibrated parameter).
        #[arg(long, value_delimiter = ',')]
        parameters: Vec<String>,
        /// Save the fitted values of registry entries into their source files.
        #[arg(long)]
        write: bool,
        /// The dermasim source tree --write saves into (default: the one around the working directory).
        #[arg(long, requires = "write")]
        source: Option<PathBuf>,
        /// Print the fits as JSON instead of the human summary.
        #[arg(long)]
        json: bool,
    },
    /// List the presets and every vocabulary a scenario accepts (sites, devices, creams, conditions, ...).
    Presets,
    /// Print the JSON Schema of the scenario format.
    Schema,
}

/// A scenario error drawn over its source line.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(dermasim::scenario))]
struct ScenarioDiagnostic {
    message: String,
    #[source_code]
    src: NamedSource<String>,
    #[label("{label}")]
    span: Option<SourceSpan>,
    label: String,
    #[help]
    help: Option<String>,
}

fn report_scenario_errors(path: &Path, text: &str, errors: Vec<ScenarioError>) {
    // The snippet and messages are shown with control characters neutralised (same byte
    // length, so the spans still point at the right place).
    let shown = text::printable_same_len(text);
    for e in errors {
        let help = (!e.field.is_empty()).then(|| format!("field: {}", text::printable(&e.field)));
        let d = ScenarioDiagnostic {
            message: text::printable(&e.message),
            src: NamedSource::new(text::printable(&path.display().to_string()), shown.clone()),
            span: e.span.map(|r| SourceSpan::from(r.start..r.end)),
            label: "here".to_string(),
            help,
        };
        text::err(&format!("{:?}", miette::Report::new(d)));
    }
}

/// Largest scenario file read, bytes. Real scenarios are a few kB; the cap stops a device or a
/// huge file (`/dev/zero`) from being read whole before any check.
const MAX_SCENARIO_BYTES: u64 = 1 << 20;

/// Reads a scenario file, at most [`MAX_SCENARIO_BYTES`].
fn read_scenario(path: &Path) -> Result<String, String> {
    use std::io::Read as _;
    let shown = text::printable(&path.display().to_string());
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read scenario {shown}: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_SCENARIO_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read scenario {shown}: {e}"))?;
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(format!(
            "scenario {shown} is larger than {MAX_SCENARIO_BYTES} bytes (1 MiB), the limit for a scenario file: \
is it the right file?"
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!("scenario {shown} is not UTF-8 text (invalid byte at offset {})", e.utf8_error().valid_up_to())
    })
}

fn load(path: &Path, set: &[String]) -> Result<(Scenario, String), ExitCode> {
    let text = read_scenario(path).map_err(|e| {
        text::err(&format!("error: {e}"));
        ExitCode::from(EXIT_INPUT)
    })?;
    match scenario::parse(&text, set) {
        Ok(s) => Ok((s, text)),
        Err(errors) => {
            report_scenario_errors(path, &text, errors);
            Err(ExitCode::from(EXIT_INPUT))
        }
    }
}

/// Exit code of a run that completed and wrote its outputs, but could not compute the transport
/// of at least one product (`delivery_errors` in summary.json, named on stderr).
const EXIT_INCOMPLETE: u8 = 5;

/// Refuses a scenario beyond the resource limits (exit 2, with the estimate) and prints its
/// warnings (`scenario::limits`); for the commands that simulate the whole window.
fn check_limits(s: &Scenario) -> Result<(), ExitCode> {
    if let Err(e) = scenario::limits::check(s) {
        text::err(&format!("error: {}", text::printable(&e.message)));
        return Err(ExitCode::from(EXIT_INPUT));
    }
    for w in scenario::limits::warnings(s) {
        text::err(&format!("warning: {}", text::printable(&w)));
    }
    Ok(())
}

/// Most worker threads `--threads` accepts. Results do not depend on the count, and more
/// threads than cores only cost memory (each has its own stack).
const MAX_THREADS: usize = 1024;

/// Sets up the worker pool for `--threads`.
fn set_threads(threads: Option<usize>) -> Result<(), ExitCode> {
    let Some(n) = threads else { return Ok(()) };
    if n == 0 || n > MAX_THREADS {
        text::err(&format!(
            "error: --threads = {n} is out of range: allowed 1 to {MAX_THREADS} (results do not depend on it)"
        ));
        return Err(ExitCode::from(EXIT_INPUT));
    }
    rayon::ThreadPoolBuilder::new().num_threads(n).build_global().map_err(|e| {
        text::err(&format!("error: cannot start {n} worker threads: {e}; try fewer"));
        ExitCode::from(EXIT_IO)
    })
}

/// Prints `s` to stdout: exit 4 on a write error; a closed pipe is not an error.
fn print_out(s: &str) -> Result<(), ExitCode> {
    match text::out(s) {
        Ok(()) | Err(text::StdoutError::Closed) => Ok(()),
        Err(text::StdoutError::Failed(m)) => {
            text::err(&format!("error: {m}"));
            Err(ExitCode::from(EXIT_IO))
        }
    }
}

/// Prints a value as pretty JSON to stdout.
fn print_json<T: serde::Serialize>(v: &T) -> Result<(), ExitCode> {
    match serde_json::to_string_pretty(v) {
        Ok(j) => print_out(&(j + "\n")),
        Err(e) => {
            text::err(&format!("error: {e}"));
            Err(ExitCode::from(EXIT_IO))
        }
    }
}

fn fail(f: target::Failure) -> ExitCode {
    text::err(&format!("error: {}", f.message));
    ExitCode::from(f.code)
}

fn sweep_failure(f: sweep::Failure) -> ExitCode {
    text::err(&format!("error: {}", f.message));
    ExitCode::from(f.code)
}

fn code_of(r: Result<(), ExitCode>) -> ExitCode {
    r.err().unwrap_or(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_INPUT } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Run { input, out, options, uncertainty } => code_of(run(&input, out, &options, uncertainty)),
        Command::Cohort { input, patients, out, seed, force, json, quiet } => {
            code_of(run_cohort(&input, patients, out, seed, force, json, quiet))
        }
        Command::Check { input, json } => match input.load(None) {
            Ok((s, _)) => {
                let (summary, code) = check::run(&s);
                let printed = if json {
                    print_json(&summary)
                } else {
                    print_out(&text::printable(&check::human(&input.scenario.display().to_string(), &summary)))
                };
                printed.err().unwrap_or(ExitCode::from(code))
            }
            Err(code) => code,
        },
        Command::Validate { input } => match input.load(None).and_then(|(s, t)| check_limits(&s).map(|()| (s, t))) {
            Ok((s, _)) => code_of(print_out(&text::printable(&format!(
                "{}: valid ({} on {}, {} mm needles)\n",
                input.scenario.display(),
                s.device.kind.type_name(),
                s.skin.site,
                s.device.needle.length_mm()
            )))),
            Err(code) => code,
        },
        Command::Compare { scenarios, set, out, options } => code_of(run_compare(&scenarios, &set, &out, &options)),
        Command::Sweep { spec, out, shard, threads, force, quiet } => code_of(set_threads(threads).and_then(|()| {
            match sweep::run(&sweep::Options { spec, out, shard, force, quiet }) {
                Ok(t) if !quiet => print_out(&text::printable(&t)),
                Ok(_) => Ok(()),
                Err(f) => Err(sweep_failure(f)),
            }
        })),
        Command::SweepMerge { shards, out, force } => match sweep::merge(&shards, &out, force) {
            Ok(t) => code_of(print_out(&text::printable(&t))),
            Err(f) => sweep_failure(f),
        },
        Command::Sensitivity { input, outputs, samples, out, force, threads, json, quiet } => {
            code_of(run_sensitivity(&input, &outputs, samples, out, force, threads, json, quiet))
        }
        Command::Calibrate { parameters, write, source, json } => {
            code_of(calibrate::run(&calibrate::Options { parameters, write, source, json }))
        }
        Command::Presets => code_of(print_out(&output::presets_text())),
        Command::Schema => code_of(print_json(&scenario::json_schema())),
    }
}

/// `dermasim run`.
fn run(input: &ScenarioArgs, out: Option<PathBuf>, o: &RunOptions, uncertainty: Option<usize>) -> Result<(), ExitCode> {
    let RunOptions { seed, force, threads, json, quiet } = *o;
    use dermasim_core::uncertainty::MAX_SAMPLES;
    if let Some(n) = uncertainty.filter(|n| !(1..=MAX_SAMPLES).contains(n)) {
        text::err(&format!("error: --uncertainty = {n} is out of range: allowed 1 to {MAX_SAMPLES} draws"));
        return Err(ExitCode::from(EXIT_INPUT));
    }
    set_threads(threads)?;
    let (s, text) = input.load(seed)?;
    check_limits(&s)?;
    let out = out.unwrap_or_else(|| input.default_out());
    // The target is checked, and the temporary to write into created, before simulating.
    let target = target::OutputDir::prepare(&out, force, &target::protected_dirs(&input.scenario)).map_err(fail)?;
    let mut bar = progress::Progress::new(quiet || json);
    let mut outcome = dermasim_core::simulate_with(&s, &mut bar);
    if let Some(n) = uncertainty {
        if dermasim_core::uncertainty::drawn(&s).is_empty() {
            text::err(
                "warning: --uncertainty: no registered parameter is uncertain here (all fixed or set by the scenario)",
            );
        }
        dermasim_core::Observer::stage(&mut bar, "uncertainty", 0.99);
        outcome.summary.uncertainty = Some(dermasim_core::uncertainty::propagate(&outcome, n));
    }
    provenance::stamp(&mut outcome);
    bar.writing();
    let written =
        output::write_files(target.dir(), &outcome, &text).map_err(|e| target::Failure { code: EXIT_IO, message: e });
    bar.finish();
    let warning = written.and_then(|()| target.commit()).map_err(fail)?;
    if let Some(w) = warning {
        text::err(&format!("warning: {w}"));
    }
    if outcome.punctures.punctures.is_empty() {
        text::err(
            "warning: the simulated window got no punctures: treated skin equals intact skin (simulation.window_mm)",
        );
    }
    if json {
        print_json(&outcome.summary)?;
    } else if !quiet {
        print_out(&text::printable(&output::human_summary(&outcome, &out)))?;
    }
    // Products whose transport failed: said on stderr whatever --quiet or --json, and exit 5.
    let errors = &outcome.summary.delivery_errors;
    for e in errors {
        text::err(&text::printable(&format!(
            "error: transport not computed for product \"{}\": {}",
            e.product, e.error
        )));
    }
    if errors.is_empty() { Ok(()) } else { Err(ExitCode::from(EXIT_INCOMPLETE)) }
}

/// `dermasim compare`: every plan is validated (and checked against the limits) before any
/// runs, then run in turn; the outputs are written whole or not at all.
fn run_compare(scenarios: &[PathBuf], set: &[String], out: &Path, o: &RunOptions) -> Result<(), ExitCode> {
    let RunOptions { seed, force, threads, json, quiet } = *o;
    use dermasim_core::compare::MAX_PLANS;
    set_threads(threads)?;
    if scenarios.len() > MAX_PLANS {
        text::err(&format!(
            "error: {} scenarios is out of range: allowed 2 to {MAX_PLANS} plans in one comparison",
            scenarios.len()
        ));
        return Err(ExitCode::from(EXIT_INPUT));
    }
    let mut plans = Vec::new();
    for path in scenarios {
        let input = ScenarioArgs { scenario: path.clone(), set: set.to_vec() };
        let (s, _) = input.load(seed)?;
        check_limits(&s)?;
        plans.push((path.display().to_string(), s));
    }
    let protected: Vec<PathBuf> = scenarios.iter().flat_map(|p| target::protected_dirs(p)).collect();
    let target = target::OutputDir::prepare(out, force, &protected).map_err(fail)?;
    let mut outcomes = Vec::new();
    for (i, (source, s)) in plans.iter().enumerate() {
        if !quiet && !json {
            text::err(&format!("plan {} of {}: {}", i + 1, plans.len(), text::printable(source)));
        }
        let mut bar = progress::Progress::new(quiet || json);
        let mut o = dermasim_core::simulate_with(s, &mut bar);
        bar.finish();
        provenance::stamp(&mut o);
        outcomes.push((source.clone(), o));
    }
    let runs: Vec<(String, &dermasim_core::Outcome)> = outcomes.iter().map(|(s, o)| (s.clone(), o)).collect();
    let summaries: Vec<(String, &dermasim_core::summary::Summary)> =
        outcomes.iter().map(|(s, o)| (s.clone(), &o.summary)).collect();
    let diff = dermasim_core::compare::compare(&summaries);
    compare::write(target.dir(), &runs, &diff).map_err(|e| fail(target::Failure { code: EXIT_IO, message: e }))?;
    if let Some(w) = target.commit().map_err(fail)? {
        text::err(&format!("warning: {w}"));
    }
    if json {
        print_json(&diff)?;
    } else if !quiet {
        print_out(&text::printable(&compare::human(&diff, out)))?;
    }
    let mut incomplete = false;
    for (source, o) in &outcomes {
        for e in &o.summary.delivery_errors {
            incomplete = true;
            text::err(&text::printable(&format!(
                "error: {source}: transport not computed for product \"{}\": {}",
                e.product, e.error
            )));
        }
    }
    if incomplete { Err(ExitCode::from(EXIT_INCOMPLETE)) } else { Ok(()) }
}

/// `dermasim sensitivity`.
#[allow(clippy::too_many_arguments)]
fn run_sensitivity(
    input: &ScenarioArgs,
    outputs: &[String],
    samples: usize,
    out: Option<PathBuf>,
    force: bool,
    threads: Option<usize>,
    json: bool,
    quiet: bool,
) -> Result<(), ExitCode> {
    use dermasim_core::sensitivity::MAX_SAMPLES;
    if !(2..=MAX_SAMPLES).contains(&samples) {
        text::err(&format!("error: --samples = {samples} is out of range: allowed 2 to {MAX_SAMPLES}"));
        return Err(ExitCode::from(EXIT_INPUT));
    }
    set_threads(threads)?;
    let (s, _) = input.load(None)?;
    check_limits(&s)?;
    let out = out.unwrap_or_else(|| input.default_out());
    let refuse = |e: dermasim_core::sensitivity::SensitivityError| {
        text::err(&text::printable(&format!("error: {e}")));
        ExitCode::from(EXIT_INPUT)
    };
    // The central run names the outputs this scenario has: the request is checked against it
    // before the output directory is touched.
    let base = dermasim_core::simulate(&s);
    dermasim_core::sensitivity::check(&base, outputs).map_err(refuse)?;
    let target = target::OutputFiles::prepare(&out, &sensitivity::FILES, force).map_err(fail)?;
    let result = dermasim_core::sensitivity::analyse(&base, outputs, samples).map_err(refuse)?;
    let files = sensitivity::write(target, &result).map_err(fail)?;
    if json {
        print_json(&result)
    } else if !quiet {
        print_out(&text::printable(&sensitivity::human(&result, &files)))
    } else {
        Ok(())
    }
}

/// `dermasim cohort`.
fn run_cohort(
    input: &ScenarioArgs,
    patients: usize,
    out: Option<PathBuf>,
    seed: Option<u64>,
    force: bool,
    json: bool,
    quiet: bool,
) -> Result<(), ExitCode> {
    let (s, _) = input.load(seed)?;
    check_limits(&s)?;
    let out = out.unwrap_or_else(|| input.default_out());
    // The targets are checked, and the temporaries created, before simulating.
    let target = target::OutputFiles::prepare(&out, &cohort::FILES, force).map_err(fail)?;
    let result = cohort::run(&s, patients, s.simulation.seed).map_err(|e| {
        text::err(&format!("error: {}", text::printable(&e)));
        ExitCode::from(EXIT_INPUT)
    })?;
    let files = cohort::write(target, &result).map_err(fail)?;
    if json {
        print_json(&result)
    } else if !quiet {
        print_out(&text::printable(&cohort::human(&result, &files)))
    } else {
        Ok(())
    }
}
