//! Where outputs go, and how they get there without losing anyone's data (`docs/cli.md`, "How
//! outputs are written").
//!
//! - A run writes into a fresh temporary directory beside the target, `.NAME.dermasim-tmp-XXXX`
//!   (random name, created exclusively), which holds a lock file (`flock`) for the writing
//!   process's life. The temporary is created before simulating: an unwritable `--out` fails at
//!   once.
//! - Every run output holds a marker, [`MARKER`], listing the files dermasim wrote. `--force`
//!   replaces only a directory with that marker and nothing else in it, never `.`, `..`, `/`,
//!   the current directory or the scenario's own directory (nor any directory holding them).
//! - Replacing happens under a lock on the parent directory, after re-checking the target (it
//!   may have changed during the run): the old output is renamed aside, the new one renamed in,
//!   then the old one deleted, file by file from its marker's list. A kill at any point leaves
//!   the old output or the new one, never neither.
//! - Ctrl-C, SIGTERM and SIGHUP remove the temporaries; those of a killed process (SIGKILL,
//!   power loss) are swept by the next run into the same parent directory: a temporary whose
//!   lock nobody holds belongs to a dead process.
//!
//! `cohort` writes two files into a directory with the same rules ([`OutputFiles`]): both or
//! neither, never replacing a directory, a temporary file per target, locked.

use std::collections::BTreeSet;
use std::ffi::{OsStr, OsString};
use std::fs::{self, File, TryLockError};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, Once};

/// Marker and manifest written into every run output: JSON naming the dermasim version and
/// listing, relative to the directory, every file dermasim wrote there.
pub const MARKER: &str = ".dermasim-output";
/// Lock file inside a temporary directory, locked by the writing process for its whole life.
const LOCK: &str = ".dermasim-lock";
/// The lock file before it is locked (renamed to [`LOCK`] once it is).
const PENDING_LOCK: &str = ".dermasim-lock-pending";
/// Tag in the name of a temporary output: `.NAME.dermasim-tmp-RANDOM`.
const TMP_TAG: &str = ".dermasim-tmp-";
/// Tag in the name of an old output moved aside while it is replaced: `.NAME.dermasim-old-RANDOM`.
const OLD_TAG: &str = ".dermasim-old-";
/// Files another dermasim command (`cohort`) may add to a run's output directory; `--force`
/// may replace a run output holding them.
const ALSO_OURS: [&str; 2] = ["cohort.json", "cohort.html"];
/// Longest name of an output directory or file, bytes. The temporaries add up to 28 bytes to
/// it, and most file systems allow 255.
pub const MAX_OUT_NAME_BYTES: usize = 200;
/// Longest absolute output path, bytes. Files inside add their own names (at most about 130
/// bytes, `fields/<product>.vti`), and Linux allows 4096 in all.
pub const MAX_OUT_PATH_BYTES: usize = 3000;

/// Exit code for a refusal caused by the command line or the state of the target.
const EXIT_INPUT: u8 = 2;
/// Exit code for a failure to write.
const EXIT_IO: u8 = 4;

/// Why outputs could not be written, and the exit code it gives.
#[derive(Debug)]
pub struct Failure {
    /// 2 (refused: the command line or the target's state) or 4 (an I/O failure).
    pub code: u8,
    /// What went wrong and what to do.
    pub message: String,
}

fn refused(message: String) -> Failure {
    Failure { code: EXIT_INPUT, message }
}

fn failed(message: String) -> Failure {
    Failure { code: EXIT_IO, message }
}

// ---------------------------------------------------------------------------------------------
// Cleanup on signals.

/// Temporaries of this process, removed by the signal handler.
static CLEANUP: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static HANDLER: Once = Once::new();

fn cleanup_list() -> MutexGuard<'static, Vec<PathBuf>> {
    CLEANUP.lock().unwrap_or_else(|e| e.into_inner())
}

/// Exit code after SIGINT, SIGTERM or SIGHUP (128 + SIGINT, as shells report Ctrl-C).
pub const EXIT_SIGNAL: i32 = 130;

fn install_handler() {
    HANDLER.call_once(|| {
        // Holding the list while removing means a swap in progress (which holds it too)
        // completes first: a signal never interrupts a replacement half-way.
        let _ = ctrlc::set_handler(|| {
            let list = cleanup_list();
            for p in list.iter() {
                remove_temporary(p);
            }
            std::process::exit(EXIT_SIGNAL);
        });
    });
}

fn unregister(list: &mut Vec<PathBuf>, p: &Path) {
    list.retain(|q| q != p);
}

/// Removes one of this process's temporaries (a directory or a file).
fn remove_temporary(p: &Path) {
    match p.symlink_metadata() {
        Ok(m) if m.is_dir() => {
            let _ = fs::remove_dir_all(p);
        }
        Ok(_) => {
            let _ = fs::remove_file(p);
        }
        Err(_) => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Locks and names.

/// An exclusive lock on a directory (flock on its descriptor), released when dropped.
struct DirLock(#[allow(dead_code)] File);

fn lock_dir(dir: &Path) -> Result<DirLock, Failure> {
    let f = File::open(dir).map_err(|e| failed(format!("cannot open {} to lock it: {e}", dir.display())))?;
    f.lock().map_err(|e| failed(format!("cannot lock {}: {e}", dir.display())))?;
    Ok(DirLock(f))
}

fn dotted(name: &OsStr, tag: &str) -> OsString {
    let mut s = OsString::from(".");
    s.push(name);
    s.push(tag);
    s
}

/// The parent directory of `p` (`.` for a bare name).
fn parent_of(p: &Path) -> PathBuf {
    p.parent().filter(|q| !q.as_os_str().is_empty()).map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}

/// Checks an output path before anything else: not `.`, `..` or `/`, name and path not too
/// long. Returns its last component.
fn check_path(what: &str, p: &Path) -> Result<OsString, Failure> {
    let text = p.to_string_lossy();
    let trimmed = text.trim_end_matches('/');
    let last = trimmed.rsplit('/').next().unwrap_or("");
    if last.is_empty() || last == "." || last == ".." {
        return Err(refused(format!(
            "{what} {} names the root, the current directory or a parent: dermasim only writes into a \
directory of its own; give one it can create, e.g. {what} out/run1",
            p.display()
        )));
    }
    let name = p.file_name().map(OsStr::to_os_string).unwrap_or_else(|| OsString::from(last));
    if name.len() > MAX_OUT_NAME_BYTES {
        return Err(refused(format!(
            "{what}: the name {}… is {} bytes long: allowed up to {MAX_OUT_NAME_BYTES} bytes",
            text.chars().rev().take(20).collect::<Vec<_>>().into_iter().rev().collect::<String>(),
            name.len()
        )));
    }
    let absolute = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    if absolute.as_os_str().len() > MAX_OUT_PATH_BYTES {
        return Err(refused(format!(
            "{what}: the path is {} bytes long: allowed up to {MAX_OUT_PATH_BYTES} bytes",
            absolute.as_os_str().len()
        )));
    }
    Ok(name)
}

// ---------------------------------------------------------------------------------------------
// What is at the target.

/// What an output path holds.
#[derive(Debug, PartialEq)]
enum Existing {
    /// Nothing.
    Absent,
    /// An empty directory.
    Empty,
    /// A dermasim output: a marker, and only files it lists (or another command's, [`ALSO_OURS`]).
    Ours,
    /// Anything else; the text says what.
    Other(String),
}

/// The files a marker lists, or `None` if there is no readable marker.
fn manifest(dir: &Path) -> Option<BTreeSet<String>> {
    let text = fs::read_to_string(dir.join(MARKER)).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let files = v.get("files")?.as_array()?;
    Some(files.iter().filter_map(|f| f.as_str().map(str::to_string)).collect())
}

/// Every entry under `dir` (not following symbolic links), relative, with "is a directory",
/// deepest last.
fn walk(dir: &Path) -> io::Result<Vec<(String, bool)>> {
    let mut out = Vec::new();
    let mut stack = vec![String::new()];
    while let Some(rel) = stack.pop() {
        for e in fs::read_dir(dir.join(&rel))? {
            let e = e?;
            let name = e.file_name().to_string_lossy().to_string();
            let r = if rel.is_empty() { name } else { format!("{rel}/{name}") };
            let is_dir = e.file_type()?.is_dir();
            if is_dir {
                stack.push(r.clone());
            }
            out.push((r, is_dir));
        }
    }
    Ok(out)
}

fn is_ours(rel: &str, listed: &BTreeSet<String>) -> bool {
    listed.contains(rel) || rel == MARKER || rel == LOCK || ALSO_OURS.contains(&rel)
}

fn classify(p: &Path) -> Existing {
    let meta = match p.symlink_metadata() {
        Err(e) if matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory) => {
            return Existing::Absent;
        }
        Err(e) => return Existing::Other(format!("cannot be inspected ({e})")),
        Ok(m) => m,
    };
    if meta.file_type().is_symlink() {
        return Existing::Other("is a symbolic link".into());
    }
    if !meta.is_dir() {
        return Existing::Other("exists and is not a directory".into());
    }
    match fs::read_dir(p).map(|mut d| d.next().is_none()) {
        Ok(true) => return Existing::Empty,
        Ok(false) => {}
        Err(e) => return Existing::Other(format!("cannot be read ({e})")),
    }
    let Some(listed) = manifest(p) else {
        return Existing::Other(format!("is not empty and is not a dermasim output (it has no {MARKER} marker)"));
    };
    match walk(p) {
        Err(e) => Existing::Other(format!("cannot be read ({e})")),
        Ok(entries) => {
            let foreign: Vec<String> =
                entries.into_iter().filter(|(r, d)| !d && !is_ours(r, &listed)).map(|(r, _)| r).collect();
            if foreign.is_empty() {
                Existing::Ours
            } else {
                let shown: Vec<&str> = foreign.iter().take(5).map(String::as_str).collect();
                let more = if foreign.len() > 5 { format!(" and {} more", foreign.len() - 5) } else { String::new() };
                Existing::Other(format!(
                    "holds files dermasim did not write ({}{more})",
                    crate::text::printable(&shown.join(", "))
                ))
            }
        }
    }
}

/// Deletes what dermasim wrote in `dir` (the files its marker lists and the marker), then the
/// directories left empty. Anything else stays. Returns whether `dir` is gone.
fn remove_ours(dir: &Path) -> bool {
    let listed = manifest(dir).unwrap_or_default();
    if let Ok(entries) = walk(dir) {
        for (rel, is_dir) in &entries {
            if !is_dir && is_ours(rel, &listed) {
                let _ = fs::remove_file(dir.join(rel));
            }
        }
        // Deepest first; `remove_dir` only removes empty directories.
        let mut dirs: Vec<&String> = entries.iter().filter(|(_, d)| *d).map(|(r, _)| r).collect();
        dirs.sort_by_key(|r| std::cmp::Reverse(r.matches('/').count()));
        for rel in dirs {
            let _ = fs::remove_dir(dir.join(rel));
        }
    }
    let _ = fs::remove_dir(dir);
    !dir.exists()
}

/// Directories that `--out` must not be, nor contain: the current directory and the scenario's.
pub fn protected_dirs(scenario: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    if let Ok(cwd) = std::env::current_dir().and_then(fs::canonicalize) {
        v.push(cwd);
    }
    if let Ok(s) = fs::canonicalize(scenario) {
        v.push(parent_of(&s));
    }
    v
}

/// Removes the temporaries of dead processes in `dir` (the caller holds `dir`'s lock, as every
/// creator and committer of temporaries does). Returns the live temporary writing `name`, if
/// any.
fn sweep(dir: &Path, name: &OsStr) -> Option<PathBuf> {
    let own_tmp = dotted(name, TMP_TAG);
    let mut busy = None;
    let Ok(entries) = fs::read_dir(dir) else { return None };
    for e in entries.flatten() {
        let fname = e.file_name();
        let s = fname.to_string_lossy();
        if !s.starts_with('.') || !(s.contains(TMP_TAG) || s.contains(OLD_TAG)) {
            continue;
        }
        let path = e.path();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_symlink() {
            continue;
        }
        let lock_file = if ft.is_dir() { path.join(LOCK) } else { path.clone() };
        if s.contains(TMP_TAG) {
            // A temporary: alive while its lock is held.
            match File::open(&lock_file) {
                Ok(f) => match f.try_lock() {
                    Ok(()) => remove_temporary(&path),
                    Err(TryLockError::WouldBlock) => {
                        if fname.as_encoded_bytes().starts_with(own_tmp.as_encoded_bytes()) {
                            busy = Some(path);
                        }
                    }
                    Err(TryLockError::Error(_)) => {}
                },
                // A directory without its lock died while being committed (its marker lists
                // what it wrote) or created (then it is empty); both happen under the lock the
                // caller holds. Anything else in it is not ours and stays.
                Err(err) if err.kind() == io::ErrorKind::NotFound && ft.is_dir() => {
                    if path.join(MARKER).exists() {
                        remove_ours(&path);
                    } else {
                        let _ = fs::remove_file(path.join(PENDING_LOCK));
                        let _ = fs::remove_dir(&path);
                    }
                }
                Err(_) => {}
            }
        } else {
            // An old output moved aside by a process that died before deleting it: restored if
            // nothing replaced it, deleted (only what dermasim wrote) otherwise.
            let original = s.trim_start_matches('.').split(OLD_TAG).next().unwrap_or("").to_string();
            let target = dir.join(&original);
            if !original.is_empty() && target.symlink_metadata().is_err() {
                let _ = fs::rename(&path, &target);
            } else if ft.is_dir() {
                remove_ours(&path);
            } else {
                let _ = fs::remove_file(&path);
            }
        }
    }
    busy
}

// ---------------------------------------------------------------------------------------------
// A run's output directory.

/// A run's output directory being written: a locked temporary beside the target.
pub struct OutputDir {
    out: PathBuf,
    parent: PathBuf,
    name: OsString,
    tmp: PathBuf,
    force: bool,
    /// The temporary's lock (flock), held until the process ends or the output is in place.
    _lock: File,
    committed: bool,
}

impl OutputDir {
    /// Checks the target, sweeps dead temporaries and creates the temporary to write into.
    /// `protected`: directories the target must not be nor contain ([`protected_dirs`]).
    pub fn prepare(out: &Path, force: bool, protected: &[PathBuf]) -> Result<OutputDir, Failure> {
        let name = check_path("--out", out)?;
        if let Ok(canonical) = fs::canonicalize(out)
            && let Some(p) = protected.iter().find(|p| p.starts_with(&canonical))
        {
            return Err(refused(format!(
                "--out {} is or contains {} (the current directory or the scenario's): dermasim never \
replaces it; choose a directory of its own, e.g. --out out/run1",
                out.display(),
                p.display()
            )));
        }
        check_existing(out, force)?;
        let parent = parent_of(out);
        fs::create_dir_all(&parent).map_err(|e| failed(format!("cannot create {}: {e}", parent.display())))?;
        let guard = lock_dir(&parent)?;
        if let Some(busy) = sweep(&parent, &name) {
            return Err(refused(format!(
                "another dermasim run is writing {} (its temporary {} is locked): wait for it or choose another --out",
                out.display(),
                busy.display()
            )));
        }
        // Created with the cleanup list held, so a signal either comes before (nothing to
        // clean) or finds it listed.
        install_handler();
        let mut list = cleanup_list();
        let (tmp, lock) = locked_temp_dir(&parent, &name)?;
        list.push(tmp.clone());
        drop(list);
        drop(guard);
        Ok(OutputDir { out: out.to_path_buf(), parent, name, tmp, force, _lock: lock, committed: false })
    }

    /// The directory to write the outputs into.
    pub fn dir(&self) -> &Path {
        &self.tmp
    }

    /// Writes the marker and puts the outputs in place (see the module documentation).
    /// Returns a warning to print, if the old output could not be deleted whole.
    pub fn commit(mut self) -> Result<Option<String>, Failure> {
        write_marker(&self.tmp)?;
        let _dir_lock = lock_dir(&self.parent)?;
        let mut list = cleanup_list();
        let result = match classify(&self.out) {
            Existing::Absent | Existing::Empty => {
                let _ = fs::remove_file(self.tmp.join(LOCK));
                fs::rename(&self.tmp, &self.out)
                    .map(|()| None)
                    .map_err(|e| failed(format!("cannot move the outputs into {}: {e}", self.out.display())))
            }
            Existing::Ours if self.force => self.swap(),
            Existing::Ours => Err(failed(format!(
                "--out {} was written by another dermasim run during this one: not replaced (pass --force to replace it)",
                self.out.display()
            ))),
            Existing::Other(why) => Err(failed(format!(
                "--out {} changed during the run: it {why}; nothing was replaced",
                self.out.display()
            ))),
        };
        if result.is_ok() {
            self.committed = true;
        } else {
            remove_temporary(&self.tmp);
        }
        unregister(&mut list, &self.tmp);
        result
    }

    /// Old output aside, new one in, old one deleted.
    fn swap(&self) -> Result<Option<String>, Failure> {
        let aside = tempfile::Builder::new()
            .prefix(&dotted(&self.name, OLD_TAG))
            .rand_bytes(12)
            .tempdir_in(&self.parent)
            .map_err(|e| failed(format!("cannot write in {}: {e}", self.parent.display())))?
            .keep();
        // Renaming onto the new empty directory replaces it.
        if let Err(e) = fs::rename(&self.out, &aside) {
            let _ = fs::remove_dir(&aside);
            return Err(failed(format!(
                "cannot move the old output {} aside: {e}; nothing was replaced",
                self.out.display()
            )));
        }
        let _ = fs::remove_file(self.tmp.join(LOCK));
        if let Err(e) = fs::rename(&self.tmp, &self.out) {
            let _ = fs::rename(&aside, &self.out);
            return Err(failed(format!(
                "cannot move the outputs into {}: {e}; the old output is kept",
                self.out.display()
            )));
        }
        Ok((!remove_ours(&aside)).then(|| {
            format!(
                "the old output was replaced, but {} still holds files dermasim did not write; it was kept",
                aside.display()
            )
        }))
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let mut list = cleanup_list();
            remove_temporary(&self.tmp);
            unregister(&mut list, &self.tmp);
        }
    }
}

/// Refuses a target that cannot be (re)placed; the check before simulating.
fn check_existing(out: &Path, force: bool) -> Result<(), Failure> {
    match classify(out) {
        Existing::Absent | Existing::Empty => Ok(()),
        Existing::Ours if force => Ok(()),
        Existing::Ours => Err(refused(format!(
            "--out {} holds an earlier dermasim output: choose another directory or pass --force to replace it",
            out.display()
        ))),
        Existing::Other(why) => Err(refused(format!(
            "--out {} {why}: dermasim {} only an empty directory{}; choose another directory",
            out.display(),
            if force { "replaces" } else { "writes into" },
            if force { " or its own earlier output" } else { " (or, with --force, its own earlier output)" }
        ))),
    }
}

/// Creates `.NAME.dermasim-tmp-RANDOM` in `parent` holding a locked [`LOCK`].
fn locked_temp_dir(parent: &Path, name: &OsStr) -> Result<(PathBuf, File), Failure> {
    let cannot = |e: io::Error| {
        failed(format!("cannot write in {}: {e} (checked before simulating; nothing was run)", parent.display()))
    };
    let tmp =
        tempfile::Builder::new().prefix(&dotted(name, TMP_TAG)).rand_bytes(12).tempdir_in(parent).map_err(cannot)?;
    let pending = tmp.path().join(PENDING_LOCK);
    let lock = File::create_new(&pending).map_err(cannot)?;
    lock.lock().map_err(cannot)?;
    fs::rename(&pending, tmp.path().join(LOCK)).map_err(cannot)?;
    Ok((tmp.keep(), lock))
}

/// Writes [`MARKER`]: the dermasim version and every file in `dir`.
fn write_marker(dir: &Path) -> Result<(), Failure> {
    let cannot = |e: &dyn std::fmt::Display| failed(format!("cannot write {}: {e}", dir.join(MARKER).display()));
    let mut files: Vec<String> = walk(dir)
        .map_err(|e| cannot(&e))?
        .into_iter()
        .filter(|(r, d)| !d && r != LOCK && r != MARKER)
        .map(|(r, _)| r)
        .collect();
    files.sort();
    let v = serde_json::json!({
        "what": "a dermasim output directory: `dermasim run --force` replaces only directories with this file, and deletes only the files it lists",
        "dermasim_version": env!("CARGO_PKG_VERSION"),
        "files": files,
    });
    let text = serde_json::to_string_pretty(&v).map_err(|e| cannot(&e))? + "\n";
    let mut f = File::create_new(dir.join(MARKER)).map_err(|e| cannot(&e))?;
    f.write_all(text.as_bytes()).map_err(|e| cannot(&e))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Named files in a directory (`cohort`).

/// Files being written into a directory: both (all) or none end up in place.
pub struct OutputFiles {
    dir: PathBuf,
    targets: Vec<PathBuf>,
    /// Temporaries, each locked while this process lives.
    tmps: Vec<(PathBuf, File)>,
    force: bool,
    committed: bool,
}

impl OutputFiles {
    /// Checks the targets (absent, or with `force` regular files; never directories or links),
    /// sweeps dead temporaries, and creates one locked temporary per target.
    pub fn prepare(dir: &Path, names: &[&str], force: bool) -> Result<OutputFiles, Failure> {
        check_path("--out", &dir.join("x")).map(|_| ())?;
        if let Ok(m) = dir.symlink_metadata()
            && !dir.is_dir()
        {
            return Err(refused(format!(
                "--out {} exists and is not a directory{}",
                dir.display(),
                if m.file_type().is_symlink() { " (a link to one is fine)" } else { "" }
            )));
        }
        let targets: Vec<PathBuf> = names.iter().map(|n| dir.join(n)).collect();
        for t in &targets {
            check_file_target(t, force, "")?;
        }
        fs::create_dir_all(dir).map_err(|e| failed(format!("cannot create {}: {e}", dir.display())))?;
        let guard = lock_dir(dir)?;
        for n in names {
            if let Some(busy) = sweep(dir, OsStr::new(n)) {
                return Err(refused(format!(
                    "another dermasim run is writing {} (its temporary {} is locked): wait for it or choose another --out",
                    dir.join(n).display(),
                    busy.display()
                )));
            }
        }
        let mut tmps: Vec<(PathBuf, File)> = Vec::new();
        install_handler();
        let mut list = cleanup_list();
        for n in names {
            let made = tempfile::Builder::new()
                .prefix(&dotted(OsStr::new(n), TMP_TAG))
                .rand_bytes(12)
                .tempfile_in(dir)
                .and_then(|t| t.keep().map_err(|e| e.error));
            let (file, path) = match made {
                Ok(x) => x,
                Err(e) => {
                    for (p, _) in &tmps {
                        remove_temporary(p);
                        unregister(&mut list, p);
                    }
                    return Err(failed(format!("cannot write in {}: {e}", dir.display())));
                }
            };
            list.push(path.clone());
            let _ = file.lock();
            tmps.push((path, file));
        }
        drop(list);
        drop(guard);
        Ok(OutputFiles { dir: dir.to_path_buf(), targets, tmps, force, committed: false })
    }

    /// Writes every file's bytes (in the order of the names given to [`OutputFiles::prepare`])
    /// and puts them all in place, or none.
    pub fn commit(mut self, contents: &[&[u8]]) -> Result<Vec<PathBuf>, Failure> {
        for ((path, file), bytes) in self.tmps.iter_mut().zip(contents) {
            file.write_all(bytes)
                .and_then(|()| file.flush())
                .map_err(|e| failed(format!("cannot write {}: {e}", path.display())))?;
        }
        let _dir_lock = lock_dir(&self.dir)?;
        let mut list = cleanup_list();
        let result = self.swap();
        if result.is_ok() {
            self.committed = true;
        }
        for (p, _) in &self.tmps {
            if result.is_err() {
                remove_temporary(p);
            }
            unregister(&mut list, p);
        }
        result.map(|()| self.targets.clone())
    }

    fn swap(&self) -> Result<(), Failure> {
        for t in &self.targets {
            check_file_target(t, self.force, " during the run").map_err(|f| failed(f.message))?;
        }
        // Existing targets aside.
        let mut asides: Vec<(PathBuf, PathBuf)> = Vec::new();
        let restore = |asides: &[(PathBuf, PathBuf)]| {
            for (target, aside) in asides {
                let _ = fs::rename(aside, target);
            }
        };
        for t in &self.targets {
            if t.symlink_metadata().is_err() {
                continue;
            }
            let name = t.file_name().unwrap_or_default();
            let aside = tempfile::Builder::new()
                .prefix(&dotted(name, OLD_TAG))
                .rand_bytes(12)
                .tempfile_in(&self.dir)
                .and_then(|f| f.keep().map(|(_, p)| p).map_err(|e| e.error));
            let moved = aside.and_then(|a| fs::rename(t, &a).map(|()| a));
            match moved {
                Ok(a) => asides.push((t.clone(), a)),
                Err(e) => {
                    restore(&asides);
                    return Err(failed(format!("cannot move {} aside: {e}; nothing was replaced", t.display())));
                }
            }
        }
        // New files in.
        let mut placed: Vec<&PathBuf> = Vec::new();
        for ((tmp, _), t) in self.tmps.iter().zip(&self.targets) {
            if let Err(e) = fs::rename(tmp, t) {
                for p in &placed {
                    let _ = fs::remove_file(p);
                }
                restore(&asides);
                return Err(failed(format!("cannot move {} into place: {e}; nothing was replaced", t.display())));
            }
            placed.push(t);
        }
        for (_, aside) in &asides {
            let _ = fs::remove_file(aside);
        }
        Ok(())
    }
}

impl Drop for OutputFiles {
    fn drop(&mut self) {
        if !self.committed {
            let mut list = cleanup_list();
            for (p, _) in &self.tmps {
                remove_temporary(p);
                unregister(&mut list, p);
            }
        }
    }
}

/// A file target: absent, or (with `force`) a regular file.
fn check_file_target(t: &Path, force: bool, when: &str) -> Result<(), Failure> {
    match t.symlink_metadata() {
        Err(_) => Ok(()),
        Ok(m) if m.file_type().is_symlink() => Err(refused(format!(
            "{} is a symbolic link{when}: dermasim replaces only files it wrote; remove it or choose another --out",
            t.display()
        ))),
        Ok(m) if m.is_dir() => Err(refused(format!(
            "{} is a directory{when}: dermasim writes a file there and never replaces a directory; remove it or choose another --out",
            t.display()
        ))),
        Ok(_) if !force => {
            Err(refused(format!("{} exists{when}: choose another --out or pass --force to replace it", t.display())))
        }
        Ok(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("dermasim-target-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn dot_dotdot_and_root_are_refused() {
        for p in [".", "..", "/", "x/.", "x/..", "a/b/../", ""] {
            let e = check_path("--out", Path::new(p)).unwrap_err();
            assert_eq!(e.code, EXIT_INPUT, "{p}");
        }
        assert!(check_path("--out", Path::new("out/run1")).is_ok());
        let long = "a".repeat(MAX_OUT_NAME_BYTES + 1);
        assert!(check_path("--out", Path::new(&long)).unwrap_err().message.contains("bytes long"));
    }

    #[test]
    fn classify_tells_ours_from_theirs() {
        let d = scratch("classify");
        let out = d.join("o");
        assert_eq!(classify(&out), Existing::Absent);
        fs::create_dir(&out).unwrap();
        assert_eq!(classify(&out), Existing::Empty);
        fs::write(out.join("a.csv"), "x").unwrap();
        assert!(matches!(classify(&out), Existing::Other(_)));
        write_marker(&out).unwrap();
        assert_eq!(classify(&out), Existing::Ours);
        fs::write(out.join("notes.txt"), "mine").unwrap();
        match classify(&out) {
            Existing::Other(why) => assert!(why.contains("notes.txt"), "{why}"),
            e => panic!("{e:?}"),
        }
        // Deleting "ours" leaves the stranger's file and the directory.
        assert!(!remove_ours(&out));
        assert!(out.join("notes.txt").exists() && !out.join("a.csv").exists());
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn a_dead_temporary_is_swept_and_a_live_one_is_not() {
        let d = scratch("sweep");
        let (live, _lock) = locked_temp_dir(&d, OsStr::new("o")).unwrap();
        let dead = {
            let (p, lock) = locked_temp_dir(&d, OsStr::new("o")).unwrap();
            drop(lock); // as if its process had died
            p
        };
        assert_eq!(sweep(&d, OsStr::new("o")), Some(live.clone()));
        assert!(live.exists() && !dead.exists());
        // Another name's live temporary is not "busy" for this one.
        assert_eq!(sweep(&d, OsStr::new("p")), None);
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn an_old_output_left_aside_is_restored_when_nothing_replaced_it() {
        let d = scratch("aside");
        let aside = d.join(dotted(OsStr::new("o"), &format!("{OLD_TAG}abc")));
        fs::create_dir(&aside).unwrap();
        fs::write(aside.join("summary.json"), "{}").unwrap();
        write_marker(&aside).unwrap();
        sweep(&d, OsStr::new("o"));
        assert!(d.join("o/summary.json").exists() && !aside.exists());
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn two_runs_into_one_new_out_and_a_file_appearing_during_a_run() {
        let d = scratch("race");
        let out = d.join("o");
        let a = OutputDir::prepare(&out, false, &[]).unwrap();
        // A second run into the same target is refused while the first is alive.
        let b = OutputDir::prepare(&out, false, &[]).err().unwrap();
        assert_eq!(b.code, EXIT_INPUT);
        assert!(b.message.contains("another dermasim run"), "{}", b.message);
        // Someone puts a file into --out during the run: it is not deleted, nothing replaced.
        fs::create_dir(&out).unwrap();
        fs::write(out.join("theirs.txt"), "keep").unwrap();
        fs::write(a.dir().join("summary.json"), "{}").unwrap();
        let tmp = a.dir().to_path_buf();
        let e = a.commit().unwrap_err();
        assert_eq!(e.code, EXIT_IO);
        assert!(e.message.contains("changed during the run"), "{}", e.message);
        assert_eq!(fs::read_to_string(out.join("theirs.txt")).unwrap(), "keep");
        assert!(!tmp.exists(), "the temporary is removed");
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn force_replaces_only_our_output_and_an_output_written_meanwhile_is_not_replaced_without_it() {
        let d = scratch("replace");
        let out = d.join("o");
        let a = OutputDir::prepare(&out, false, &[]).unwrap();
        fs::write(a.dir().join("summary.json"), "1").unwrap();
        fs::create_dir(a.dir().join("plots")).unwrap();
        fs::write(a.dir().join("plots/x.svg"), "1").unwrap();
        assert_eq!(a.commit().unwrap(), None);
        assert!(out.join(MARKER).exists() && !out.join(LOCK).exists());
        // Without --force: refused up front.
        assert_eq!(OutputDir::prepare(&out, false, &[]).err().unwrap().code, EXIT_INPUT);
        // With it: replaced, and no temporary or old copy is left.
        let b = OutputDir::prepare(&out, true, &[]).unwrap();
        fs::write(b.dir().join("summary.json"), "2").unwrap();
        b.commit().unwrap();
        assert_eq!(fs::read_to_string(out.join("summary.json")).unwrap(), "2");
        assert!(!out.join("plots").exists());
        let left: Vec<_> = fs::read_dir(&d).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(left, vec![OsString::from("o")]);
        // A run that started on an absent target does not replace an output written meanwhile.
        let _ = fs::remove_dir_all(&out);
        let c = OutputDir::prepare(&out, false, &[]).unwrap();
        let e = OutputDir::prepare(&d.join("other"), false, &[]).unwrap();
        fs::write(e.dir().join("summary.json"), "3").unwrap();
        e.commit().unwrap();
        fs::rename(d.join("other"), &out).unwrap();
        assert!(c.commit().unwrap_err().message.contains("another dermasim run"));
        assert_eq!(fs::read_to_string(out.join("summary.json")).unwrap(), "3");
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn the_scenario_directory_and_the_current_one_are_never_replaced() {
        let d = scratch("protected");
        let scen = d.join("s.toml");
        fs::write(&scen, "x").unwrap();
        write_marker(&d).unwrap(); // even if it looks like an output
        let e = OutputDir::prepare(&d, true, &protected_dirs(&scen)).err().unwrap();
        assert!(e.message.contains("never"), "{}", e.message);
        assert!(scen.exists());
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn cohort_files_both_or_neither_and_never_over_a_directory() {
        let d = scratch("files");
        fs::create_dir(d.join("b.html")).unwrap();
        let e = OutputFiles::prepare(&d, &["a.json", "b.html"], true).err().unwrap();
        assert!(e.message.contains("is a directory"), "{}", e.message);
        assert!(!d.join("a.json").exists());
        fs::remove_dir(d.join("b.html")).unwrap();
        let f = OutputFiles::prepare(&d, &["a.json", "b.html"], false).unwrap();
        f.commit(&[b"1", b"2"]).unwrap();
        assert_eq!(fs::read_to_string(d.join("b.html")).unwrap(), "2");
        // A directory appearing in place of one target during the run: neither file replaced.
        let f = OutputFiles::prepare(&d, &["a.json", "b.html"], true).unwrap();
        fs::remove_file(d.join("b.html")).unwrap();
        fs::create_dir(d.join("b.html")).unwrap();
        assert!(f.commit(&[b"3", b"4"]).is_err());
        assert_eq!(fs::read_to_string(d.join("a.json")).unwrap(), "1");
        let left = fs::read_dir(&d).unwrap().count();
        assert_eq!(left, 2, "no temporary left");
        let _ = fs::remove_dir_all(&d);
    }
}
