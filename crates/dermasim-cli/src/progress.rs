//! A progress bar with a time estimate on a terminal (stderr); nothing when stderr is not a
//! terminal, or with `--quiet` / `--json`. It moves between stages and, during transport, after
//! each output time of each solve (the share of simulated time done).

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Share of the bar the simulation takes; writing the outputs (report, plots) takes the rest.
const SIMULATION_SHARE: f64 = 0.85;
const STEPS: u64 = 1000;

/// The run's progress bar.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar on stderr, or a hidden one when `silent` or stderr is not a terminal.
    pub fn new(silent: bool) -> Progress {
        let target = if silent || !std::io::stderr().is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let bar = ProgressBar::with_draw_target(Some(STEPS), target);
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} {msg:<16} [{bar:32}] {percent:>3}%  {elapsed} (about {eta} left)")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress { bar }
    }

    fn set(&self, name: &str, fraction: f64) {
        self.bar.set_message(name.to_string());
        self.bar.set_position((fraction.clamp(0.0, 1.0) * STEPS as f64).round() as u64);
    }

    /// Writing the output files has started.
    pub fn writing(&self) {
        self.set("writing outputs", SIMULATION_SHARE);
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl dermasim_core::Observer for Progress {
    fn stage(&mut self, name: &str, fraction: f64) {
        self.set(name, fraction * SIMULATION_SHARE);
    }

    fn progress(&mut self, stage: &str, fraction: f64) {
        self.set(stage, fraction * SIMULATION_SHARE);
    }
}
