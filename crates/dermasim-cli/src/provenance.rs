//! Provenance the core cannot know: the commit this binary was built from (`build.rs`).

use dermasim_core::Outcome;

/// The git commit this binary was built from, if it was built in a git checkout.
pub const GIT_COMMIT: Option<&str> = option_env!("DERMASIM_GIT_COMMIT");

/// Fills in what only the front end knows in the outcome's `provenance` section.
pub fn stamp(outcome: &mut Outcome) {
    outcome.summary.provenance.git_commit = GIT_COMMIT.map(str::to_string);
}
