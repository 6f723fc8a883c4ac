//! `dermasim`: the command-line front end. Glue only: it reads files, calls the core, and
//! writes outputs whole or not at all.

mod check;
mod cohort;
mod output;
mod progress;
mod provenance;

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
            eprintln!("error: {e}");
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

#[derive(Subcommand)]
enum Command {
    /// Run every stage on a scenario and write the outputs.
    Run {
        #[command(flatten)]
        input: ScenarioArgs,
        /// Output directory (default: out/ plus the scenario name).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Random seed (overrides simulation.seed).
        #[arg(long)]
        seed: Option<u64>,
        /// Replace an existing non-empty output directory.
        #[arg(long)]
        force: bool,
        /// Worker threads (results do not depend on it).
        #[arg(long)]
        threads: Option<usize>,
        /// Print summary.json to stdout instead of the human summary.
        #[arg(long)]
        json: bool,
        /// Print nothing on success.
        #[arg(long)]
        quiet: bool,
    },
    /// Give the scenario's treatment series to a virtual cohort and write cohort.json.
    Cohort {
        #[command(flatten)]
        input: ScenarioArgs,
        /// Number of virtual patients.
        #[arg(long)]
        patients: usize,
        /// Output directory for cohort.json (default: out/ plus the scenario name).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Random seed (overrides simulation.seed).
        #[arg(long)]
        seed: Option<u64>,
        /// Replace an existing cohort.json.
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
    /// List the presets: skin sites, devices.
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
    for e in errors {
        let help = (!e.field.is_empty()).then(|| format!("field: {}", e.field));
        let d = ScenarioDiagnostic {
            message: e.message.clone(),
            src: NamedSource::new(path.display().to_string(), text.to_string()),
            span: e.span.map(|r| SourceSpan::from(r.start..r.end)),
            label: "here".to_string(),
            help,
        };
        eprintln!("{:?}", miette::Report::new(d));
    }
}

fn load(path: &Path, set: &[String]) -> Result<(Scenario, String), ExitCode> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        eprintln!("error: cannot read scenario {}: {e}", path.display());
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
        Command::Run { input, out, seed, force, threads, json, quiet } => {
            if let Some(n) = threads {
                if n == 0 {
                    eprintln!("error: --threads = 0 is out of range: allowed 1 or more");
                    return ExitCode::from(EXIT_INPUT);
                }
                // Only fails if a pool already exists; then the default pool is used, which
                // gives the same numbers.
                let _ = rayon::ThreadPoolBuilder::new().num_threads(n).build_global();
            }
            let (s, text) = match input.load(seed) {
                Ok(x) => x,
                Err(code) => return code,
            };
            let out = out.unwrap_or_else(|| input.default_out());
            if let Err(e) = output::check_target(&out, force) {
                eprintln!("error: {e}");
                return ExitCode::from(EXIT_INPUT);
            }
            let mut bar = progress::Progress::new(quiet || json);
            let mut outcome = dermasim_core::simulate_with(&s, &mut bar);
            provenance::stamp(&mut outcome);
            bar.writing();
            let written = output::write_all(&out, &outcome, &text);
            bar.finish();
            if let Err(e) = written {
                eprintln!("error: {e}");
                return ExitCode::from(EXIT_IO);
            }
            if json {
                match serde_json::to_string_pretty(&outcome.summary) {
                    Ok(j) => println!("{j}"),
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::from(EXIT_IO);
                    }
                }
            } else if !quiet {
                print!("{}", output::human_summary(&outcome, &out));
            }
            ExitCode::SUCCESS
        }
        Command::Cohort { input, patients, out, seed, force, json, quiet } => {
            let (s, _) = match input.load(seed) {
                Ok(x) => x,
                Err(code) => return code,
            };
            let out = out.unwrap_or_else(|| input.default_out());
            let result = match cohort::run(&s, patients, s.simulation.seed) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(EXIT_INPUT);
                }
            };
            if let Err(e) = cohort::check_target(&out, force) {
                eprintln!("error: {e}");
                return ExitCode::from(EXIT_INPUT);
            }
            let files = match cohort::write(&out, &result) {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(EXIT_IO);
                }
            };
            if json {
                match serde_json::to_string_pretty(&result) {
                    Ok(j) => println!("{j}"),
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::from(EXIT_IO);
                    }
                }
            } else if !quiet {
                print!("{}", cohort::human(&result, &files));
            }
            ExitCode::SUCCESS
        }
        Command::Check { input, json } => match input.load(None) {
            Ok((s, _)) => {
                let (findings, code) = check::run(&s);
                if json {
                    match serde_json::to_string_pretty(&dermasim_core::safety::SafetySummary::new(findings)) {
                        Ok(j) => println!("{j}"),
                        Err(e) => {
                            eprintln!("error: {e}");
                            return ExitCode::from(EXIT_IO);
                        }
                    }
                } else {
                    print!("{}", check::human(&input.scenario.display().to_string(), &findings));
                }
                ExitCode::from(code)
            }
            Err(code) => code,
        },
        Command::Validate { input } => match input.load(None) {
            Ok((s, _)) => {
                println!(
                    "{}: valid ({} on {}, {} mm needles)",
                    input.scenario.display(),
                    s.device.kind.type_name(),
                    s.skin.site,
                    s.device.needle.length_um / 1000.0
                );
                ExitCode::SUCCESS
            }
            Err(code) => code,
        },
        Command::Presets => {
            print!("{}", output::presets_text());
            ExitCode::SUCCESS
        }
        Command::Schema => match serde_json::to_string_pretty(&scenario::json_schema()) {
            Ok(j) => {
                println!("{j}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(EXIT_IO)
            }
        },
    }
}
