//! `dermasim calibrate`: fits the calibrated parameters to their training datasets
//! (`validation/training/`), prints each fitted value with its uncertainty and residuals, and with
//! `--write` saves the fitted values of registry entries into their source files (each file
//! written whole: a temporary beside it, then renamed over it). Values the model derives at run
//! time from their datum are checked, never written.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use dermasim_validation::calibrate::{self, Calibration, Current, Fit};
use dermasim_validation::cases::Num;

use crate::{EXIT_INPUT, EXIT_IO, print_json, print_out, text};

/// What the command was asked.
pub struct Options {
    /// Parameter names (empty: every calibrated parameter).
    pub parameters: Vec<String>,
    /// Save fitted registry values into their source files.
    pub write: bool,
    /// The source tree to write into (default: found from the working directory).
    pub source: Option<PathBuf>,
    /// Print the fits as JSON.
    pub json: bool,
}

/// The file that marks the root of a dermasim source tree.
const ROOT_MARK: &str = "crates/dermasim-core/src/params.rs";

/// The source tree: `--source`, or the working directory or one of its parents.
fn source_root(given: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(dir) = given {
        return if dir.join(ROOT_MARK).is_file() {
            Ok(dir.to_path_buf())
        } else {
            Err(format!("--source {}: not a dermasim source tree (no {ROOT_MARK})", dir.display()))
        };
    }
    let cwd = std::env::current_dir().map_err(|e| format!("cannot read the working directory: {e}"))?;
    cwd.ancestors().find(|d| d.join(ROOT_MARK).is_file()).map(Path::to_path_buf).ok_or_else(|| {
        format!("--write needs the dermasim source tree: run it inside a checkout or give --source DIR (no {ROOT_MARK} above {})", cwd.display())
    })
}

/// Runs the command.
pub fn run(o: &Options) -> Result<(), ExitCode> {
    let chosen = calibrate::select(&o.parameters).map_err(|e| {
        text::err(&format!("error: --parameters: {e}"));
        ExitCode::from(EXIT_INPUT)
    })?;
    // The source tree is found before anything is fitted, so a wrong --source costs nothing.
    let root = if o.write {
        Some(source_root(o.source.as_deref()).map_err(|e| {
            text::err(&format!("error: {e}"));
            ExitCode::from(EXIT_INPUT)
        })?)
    } else {
        None
    };
    let mut fits = Vec::new();
    for c in &chosen {
        fits.push(calibrate::fit(c).map_err(|e| {
            text::err(&format!("error: {}: {e}", c.parameter));
            ExitCode::from(1)
        })?);
    }
    let written = match &root {
        Some(root) => write(root, &chosen, &fits).map_err(|e| {
            text::err(&format!("error: {e}"));
            ExitCode::from(EXIT_IO)
        })?,
        None => Vec::new(),
    };
    if o.json {
        print_json(&fits)
    } else {
        print_out(&text::printable(&human(&chosen, &fits, root.is_some(), &written)))
    }
}

/// One registry entry to rewrite: its name, the fitted value and, for a drawn parameter, the
/// fit's uncertainty as its distribution's new bounds.
type Rewrite = (&'static str, f64, Option<(f64, f64)>);

/// Rewrites the fitted registry values into their files, one file at a time, each whole.
/// Returns the lines saying what was written.
fn write(root: &Path, chosen: &[&Calibration], fits: &[Fit]) -> Result<Vec<String>, String> {
    let mut by_file: Vec<(&str, Vec<Rewrite>)> = Vec::new();
    let mut notes = Vec::new();
    for (c, f) in chosen.iter().zip(fits) {
        let Current::Registry { param, file } = c.current else { continue };
        if f.at_bound {
            notes.push(format!("{}: not written, the fit stopped at a search bound", c.parameter));
            continue;
        }
        if calibrate::literal(f.value) == calibrate::literal(param.value) {
            notes.push(format!("{}: unchanged ({})", c.parameter, calibrate::literal(f.value)));
            continue;
        }
        // The data's uncertainty replaces the bounds of a drawn parameter's distribution.
        let bounds = param.is_uncertain().then_some(f.interval);
        match by_file.iter_mut().find(|(p, _)| *p == file) {
            Some((_, v)) => v.push((param.name, f.value, bounds)),
            None => by_file.push((file, vec![(param.name, f.value, bounds)])),
        }
    }
    // Every new text is made before any file is replaced.
    let mut texts = Vec::new();
    for (file, values) in &by_file {
        let path = root.join(file);
        let mut t = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        for (name, v, bounds) in values {
            let failed = |e: String| format!("{}: {e}", path.display());
            t = calibrate::rewrite_value(&t, name, *v).map_err(failed)?;
            notes.push(format!("{name} = {} written into {file}", calibrate::literal(*v)));
            if let Some(b) = bounds {
                t = calibrate::rewrite_distribution(&t, name, *b).map_err(failed)?;
                let (lo, hi) = (calibrate::literal(b.0), calibrate::literal(b.1));
                notes.push(format!("{name}: its distribution's bounds set to the fit's uncertainty, {lo} to {hi}"));
            }
        }
        texts.push((path, t));
    }
    for (path, t) in texts {
        let dir = path.parent().ok_or_else(|| format!("{}: no parent directory", path.display()))?;
        let mut tmp =
            tempfile::NamedTempFile::new_in(dir).map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
        std::io::Write::write_all(&mut tmp, t.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        tmp.persist(&path).map_err(|e| format!("cannot replace {}: {e}", path.display()))?;
    }
    if !by_file.is_empty() {
        notes.push(
            "then regenerate docs/models.md (DERMASIM_UPDATE_DOCS=1 cargo test --workspace --test parameters_doc) and \
docs/validation.md (DERMASIM_UPDATE_DOCS=1 cargo test --workspace --test validation_doc), update the figures the \
entries' doc comments quote, and review the golden snapshots the new values move"
                .to_string(),
        );
    }
    Ok(notes)
}

/// The fits for the terminal.
fn human(chosen: &[&Calibration], fits: &[Fit], wrote: bool, written: &[String]) -> String {
    let mut t = String::new();
    for (c, f) in chosen.iter().zip(fits) {
        let d = &f.dataset;
        let _ = writeln!(t, "{} ({})", f.parameter, f.unit);
        let _ = writeln!(
            t,
            "  data      validation/training/{}: {} [{}]",
            f.dataset_file, d.study.citation, d.study.confidence
        );
        let _ = writeln!(
            t,
            "  fitted    {} (from the data's spread: {} to {}){}",
            Num(f.value),
            Num(f.interval.0),
            Num(f.interval.1),
            if f.at_bound { "; STOPPED AT A SEARCH BOUND" } else { "" }
        );
        let within =
            if f.reproduces_today() { "within the fit's uncertainty" } else { "OUTSIDE the fit's uncertainty" };
        let where_ = match c.current {
            Current::Registry { file, .. } => format!("registry, {file}"),
            Current::Derived { by, .. } => format!("derived at run time by {by}; nothing to write"),
        };
        let _ = writeln!(
            t,
            "  today     {} ({:+.2} % from the fit, {within}; {where_})",
            Num(f.today),
            100.0 * f.today_offset()
        );
        for r in &f.residuals {
            let _ = writeln!(
                t,
                "  residual  {}: measured {} {} ({} to {}), model {} at the fit ({:+}), {} today",
                r.quantity,
                Num(r.measured),
                r.unit,
                Num(r.spread.0),
                Num(r.spread.1),
                Num(r.fitted),
                Num(r.residual()),
                Num(r.today)
            );
        }
    }
    if wrote {
        for w in written {
            let _ = writeln!(t, "{w}");
        }
    } else if fits.iter().any(|f| f.today_offset().abs() > 1e-6) {
        let _ = writeln!(t, "nothing written (give --write to save the fitted registry values)");
    }
    t
}
