//! Records the git commit the extension is built from (`provenance.git_commit`).
//! No network: it asks the local `git`, and records nothing when there is no checkout or no
//! `git`. `DERMASIM_GIT_COMMIT` in the build environment takes precedence (a build from a
//! source archive can name its commit that way).

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    println!("cargo:rerun-if-env-changed=DERMASIM_GIT_COMMIT");
    let commit = std::env::var("DERMASIM_GIT_COMMIT")
        .ok()
        .or_else(|| git(&["rev-parse", "HEAD"]))
        .filter(|c| !c.is_empty() && c.len() <= 64 && c.chars().all(|ch| ch.is_ascii_hexdigit()));
    if let Some(c) = commit {
        println!("cargo:rustc-env=DERMASIM_GIT_COMMIT={c}");
    }
    // Rebuild when HEAD moves: its reflog is appended on every commit, checkout and reset.
    for path in ["HEAD", "logs/HEAD"] {
        if let Some(p) = git(&["rev-parse", "--git-path", path])
            && std::path::Path::new(&p).exists()
        {
            println!("cargo:rerun-if-changed={p}");
        }
    }
}
