//! `dermasim sweep` and `dermasim sweep-merge`: the sweep table as Apache Parquet
//! (`docs/sweeps.md`).
//!
//! Points run in this process, in parallel, in chunks; each finished chunk is written to
//! `DIR/parts/` (temporary file, then rename), so an interrupted sweep resumes where it
//! stopped. When every point of the shard is done the parts become one table,
//! `DIR/sweep.parquet` (one row group, rows in point order), and `parts/` goes. The table's
//! bytes depend only on the spec and the points it holds: merged shards equal an unsharded run.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use arrow_array::{Array, ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray, UInt64Array};
use arrow_schema::{DataType, Field, Schema};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use rayon::prelude::*;

use dermasim_core::sweep::{Cell, Column, ColumnKind, Sweep, parse_spec};

/// The table's file name.
pub const TABLE: &str = "sweep.parquet";
/// Points computed between two writes of a part (the most a crash loses).
const CHUNK: usize = 32;

/// A failure, with the exit code it maps to (2 input, 4 I/O).
pub struct Failure {
    /// Exit code.
    pub code: u8,
    /// What went wrong.
    pub message: String,
}

fn input(message: String) -> Failure {
    Failure { code: 2, message }
}

fn io(message: String) -> Failure {
    Failure { code: 4, message }
}

/// Reads a spec file and its base scenario (relative to the spec) into a validated sweep.
pub fn load(spec_path: &Path) -> Result<(Sweep, String), Failure> {
    let text = fs::read_to_string(spec_path)
        .map_err(|e| input(format!("cannot read sweep spec {}: {e}", spec_path.display())))?;
    let spec = parse_spec(&text).map_err(|e| input(format!("{}: {}", spec_path.display(), e.message)))?;
    let base_path = spec_path.parent().unwrap_or(Path::new(".")).join(&spec.sweep.base);
    let base = fs::read_to_string(&base_path)
        .map_err(|e| input(format!("sweep.base: cannot read base scenario {}: {e}", base_path.display())))?;
    let sweep =
        Sweep::new(&spec, &base).map_err(|errors| {
            input(
                errors
                    .iter()
                    .map(|e| {
                        if e.field.is_empty() {
                            e.message.clone()
                        } else {
                            format!("{} [field: {}]", e.message, e.field)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        })?;
    Ok((sweep, text))
}

/// `K/N` (0 ≤ K < N).
pub fn parse_shard(s: &str) -> Result<(usize, usize), Failure> {
    let bad = || input(format!("--shard {s}: expected K/N with 0 <= K < N (e.g. 0/4 .. 3/4)"));
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (usize, usize) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if n == 0 || k >= n {
        return Err(input(format!(
            "--shard {s}: K = {k} is out of range: allowed 0 to N - 1 = {}",
            n.saturating_sub(1)
        )));
    }
    Ok((k, n))
}

fn schema(columns: &[Column]) -> Arc<Schema> {
    Arc::new(Schema::new(
        columns
            .iter()
            .map(|c| {
                let t = match c.kind {
                    ColumnKind::Float => DataType::Float64,
                    ColumnKind::Int => DataType::Int64,
                    ColumnKind::UInt => DataType::UInt64,
                    ColumnKind::Str => DataType::Utf8,
                    ColumnKind::Bool => DataType::Boolean,
                };
                Field::new(&c.name, t, c.name != "point")
            })
            .collect::<Vec<_>>(),
    ))
}

/// Rows (one cell per column) as a record batch.
pub fn batch(columns: &[Column], rows: &[Vec<Cell>]) -> Result<RecordBatch, String> {
    let arrays: Vec<ArrayRef> = columns
        .iter()
        .enumerate()
        .map(|(j, c)| -> ArrayRef {
            let cells = rows.iter().map(|r| &r[j]);
            match c.kind {
                ColumnKind::Float => {
                    Arc::new(cells.map(|x| if let Cell::Float(v) = x { *v } else { None }).collect::<Float64Array>())
                }
                ColumnKind::Int => {
                    Arc::new(cells.map(|x| if let Cell::Int(v) = x { *v } else { None }).collect::<Int64Array>())
                }
                ColumnKind::UInt => {
                    Arc::new(cells.map(|x| if let Cell::UInt(v) = x { *v } else { None }).collect::<UInt64Array>())
                }
                ColumnKind::Str => Arc::new(
                    cells.map(|x| if let Cell::Str(v) = x { v.as_deref() } else { None }).collect::<StringArray>(),
                ),
                ColumnKind::Bool => {
                    Arc::new(cells.map(|x| if let Cell::Bool(v) = x { *v } else { None }).collect::<BooleanArray>())
                }
            }
        })
        .collect();
    RecordBatch::try_new(schema(columns), arrays).map_err(|e| e.to_string())
}

/// Writes `batch` to `path` (temporary file, then rename) with the sweep's metadata.
fn write_table(path: &Path, batch: &RecordBatch, meta: &[(String, String)]) -> Result<(), String> {
    let tmp = path.with_file_name(format!(
        ".{}.tmp-{}",
        path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default(),
        std::process::id()
    ));
    let props = WriterProperties::builder()
        .set_key_value_metadata(Some(meta.iter().map(|(k, v)| KeyValue::new(k.clone(), v.clone())).collect()))
        .build();
    let result = (|| {
        let file = fs::File::create(&tmp).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        let mut w = ArrowWriter::try_new(file, batch.schema(), Some(props)).map_err(|e| e.to_string())?;
        w.write(batch).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        w.close().map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        fs::rename(&tmp, path).map_err(|e| format!("cannot move {} into place: {e}", path.display()))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A table read back: its rows and its key-value metadata.
pub struct Table {
    /// All rows, one batch.
    pub batch: RecordBatch,
    /// Key-value metadata.
    pub meta: Vec<(String, String)>,
}

impl Table {
    fn get(&self, key: &str) -> Option<&str> {
        self.meta.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The spec hash the table was computed for.
    pub fn spec_sha256(&self) -> Option<&str> {
        self.get("dermasim.sweep.spec_sha256")
    }

    /// The `point` column.
    pub fn points(&self) -> Vec<u64> {
        self.batch
            .column_by_name("point")
            .and_then(|c| c.as_any().downcast_ref::<UInt64Array>())
            .map(|a| a.values().to_vec())
            .unwrap_or_default()
    }
}

/// Reads a sweep table.
pub fn read_table(path: &Path) -> Result<Table, String> {
    let file = fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| format!("{}: not a sweep table: {e}", path.display()))?;
    let meta = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .map(|kv| {
            kv.iter()
                // The writer adds the Arrow schema itself.
                .filter(|k| k.key != "ARROW:schema")
                .map(|k| (k.key.clone(), k.value.clone().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    // The schema without the metadata the reader attaches: tables compare by their fields.
    let schema = Arc::new(Schema::new(builder.schema().fields().clone()));
    let reader = builder.build().map_err(|e| format!("{}: {e}", path.display()))?;
    let batches = reader.collect::<Result<Vec<_>, _>>().map_err(|e| format!("{}: {e}", path.display()))?;
    let batch = arrow_select_concat(&schema, &batches)?.with_schema(schema.clone()).map_err(|e| e.to_string())?;
    Ok(Table { batch, meta })
}

/// Concatenates batches of one schema.
fn arrow_select_concat(schema: &Arc<Schema>, batches: &[RecordBatch]) -> Result<RecordBatch, String> {
    arrow_select::concat::concat_batches(schema, batches).map_err(|e| e.to_string())
}

/// The batches' rows in point order, each point once (the first copy kept).
fn sorted(schema: &Arc<Schema>, batches: &[RecordBatch]) -> Result<RecordBatch, String> {
    let all = arrow_select_concat(schema, batches)?;
    let points = Table { batch: all.clone(), meta: Vec::new() }.points();
    let mut order: Vec<u32> = (0..points.len() as u32).collect();
    order.sort_by_key(|&i| (points[i as usize], i));
    order.dedup_by_key(|i| points[*i as usize]);
    let idx = arrow_array::UInt32Array::from(order);
    arrow_select::take::take_record_batch(&all, &idx).map_err(|e| e.to_string())
}

fn metadata(sweep: &Sweep, spec_text: &str) -> Vec<(String, String)> {
    let mut m: Vec<(String, String)> = sweep.metadata().into_iter().collect();
    m.push(("dermasim.sweep.spec".into(), spec_text.to_string()));
    m.push(("dermasim.sweep.base".into(), sweep.base_text.clone()));
    m
}

/// What `sweep.json` says of a directory's table.
fn describe(sweep: &Sweep, shard: (usize, usize), rows: usize) -> Result<String, String> {
    let v = serde_json::json!({
        "name": sweep.name,
        "spec_sha256": sweep.spec_sha256,
        "design": sweep.design,
        "seeds": sweep.seeds,
        "points": sweep.len(),
        "shard": format!("{}/{}", shard.0, shard.1),
        "rows": rows,
        "table": TABLE,
        "columns": sweep.columns(),
        "dermasim_version": env!("CARGO_PKG_VERSION"),
        "git_commit": crate::provenance::GIT_COMMIT,
    });
    serde_json::to_string_pretty(&v).map(|s| s + "\n").map_err(|e| e.to_string())
}

/// The files a sweep writes into its directory; `--force` removes these and nothing else.
const SWEEP_FILES: &[&str] = &[TABLE, "sweep.json", "spec.toml", "base.toml"];

fn remove_sweep_files(out: &Path) -> Result<(), Failure> {
    for f in SWEEP_FILES {
        let p = out.join(f);
        if p.is_file() {
            fs::remove_file(&p).map_err(|e| io(format!("cannot replace {}: {e}", p.display())))?;
        }
    }
    let parts = out.join("parts");
    if parts.is_dir() {
        for e in fs::read_dir(&parts).map_err(|e| io(format!("cannot read {}: {e}", parts.display())))?.flatten() {
            let p = e.path();
            if p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("part-")) {
                let _ = fs::remove_file(&p);
            }
        }
        let _ = fs::remove_dir(&parts);
    }
    Ok(())
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    fs::write(&tmp, bytes).and_then(|()| fs::rename(&tmp, path)).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        format!("cannot write {}: {e}", path.display())
    })
}

/// Options of `dermasim sweep`.
pub struct Options {
    /// The spec file.
    pub spec: PathBuf,
    /// Output directory.
    pub out: PathBuf,
    /// `K/N`.
    pub shard: Option<String>,
    /// Replace a directory holding another sweep.
    pub force: bool,
    /// No progress bar or summary.
    pub quiet: bool,
}

/// `dermasim sweep`. Returns the human summary.
pub fn run(o: &Options) -> Result<String, Failure> {
    let started = Instant::now();
    let (sweep, spec_text) = load(&o.spec)?;
    let shard = match &o.shard {
        Some(s) => parse_shard(s)?,
        None => (0, 1),
    };
    let todo_all: Vec<usize> = sweep.shard(shard.0, shard.1).collect();
    let out = &o.out;
    let table = out.join(TABLE);
    let parts = out.join("parts");
    let descr = out.join("sweep.json");

    // An existing directory: the same sweep and shard resumes; anything else needs --force.
    if out.exists() {
        if !out.is_dir() {
            return Err(input(format!("--out {} exists and is not a directory", out.display())));
        }
        let same = fs::read_to_string(&descr)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .is_some_and(|v| {
                v["spec_sha256"] == sweep.spec_sha256.as_str()
                    && v["shard"] == format!("{}/{}", shard.0, shard.1).as_str()
            });
        let empty = fs::read_dir(out).map(|mut d| d.next().is_none()).unwrap_or(false);
        if !same && !empty {
            if !o.force {
                return Err(input(format!(
                    "--out {} holds something other than this sweep and shard: choose another directory or pass --force to replace its sweep files (other files are left alone)",
                    out.display()
                )));
            }
            remove_sweep_files(out)?;
        }
        if same && table.exists() {
            let t = read_table(&table).map_err(io)?;
            if t.spec_sha256() == Some(sweep.spec_sha256.as_str()) && t.points().len() == todo_all.len() {
                return Ok(format!(
                    "sweep {}: already complete ({} points) in {}\n",
                    sweep.name,
                    todo_all.len(),
                    table.display()
                ));
            }
        }
    }
    fs::create_dir_all(&parts).map_err(|e| io(format!("cannot create {}: {e}", parts.display())))?;
    write_atomic(&out.join("spec.toml"), spec_text.as_bytes()).map_err(io)?;
    write_atomic(&out.join("base.toml"), sweep.base_text.as_bytes()).map_err(io)?;
    write_atomic(&descr, describe(&sweep, shard, todo_all.len()).map_err(io)?.as_bytes()).map_err(io)?;

    // Resume: the points already in parts of this spec.
    let columns = sweep.columns();
    let schema = schema(&columns);
    let mut batches = Vec::new();
    let mut done = BTreeSet::new();
    let mut part_files: Vec<PathBuf> = fs::read_dir(&parts)
        .map_err(|e| io(format!("cannot read {}: {e}", parts.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "parquet"))
        .collect();
    part_files.sort();
    for p in &part_files {
        match read_table(p) {
            Ok(t) if t.spec_sha256() == Some(sweep.spec_sha256.as_str()) && t.batch.schema() == schema => {
                done.extend(t.points());
                batches.push(t.batch);
            }
            // A part of another spec or a damaged file: computed again.
            _ => {
                let _ = fs::remove_file(p);
            }
        }
    }
    let todo: Vec<usize> = todo_all.iter().copied().filter(|i| !done.contains(&(*i as u64))).collect();
    let resumed = todo_all.len() - todo.len();

    let target = if o.quiet || !std::io::stderr().is_terminal() {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let bar = ProgressBar::with_draw_target(Some(todo_all.len() as u64), target);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} sweep [{bar:32}] {pos}/{len} points  {elapsed} (about {eta} left)")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_position(resumed as u64);
    let meta = metadata(&sweep, &spec_text);
    let git = crate::provenance::GIT_COMMIT;
    for chunk in todo.chunks(CHUNK) {
        let rows: Vec<Vec<Cell>> = chunk
            .par_iter()
            .map(|&i| {
                let row = sweep.run(i, git);
                bar.inc(1);
                row
            })
            .collect::<Result<_, _>>()
            .map_err(|e| input(e.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("\n")))?;
        let b = batch(&columns, &rows).map_err(io)?;
        write_table(&parts.join(format!("part-{:010}.parquet", chunk[0])), &b, &meta).map_err(io)?;
        batches.push(b);
    }
    bar.finish_and_clear();
    let all = sorted(&schema, &batches).map_err(io)?;
    write_table(&table, &all, &meta).map_err(io)?;
    let _ = fs::remove_dir_all(&parts);

    let secs = started.elapsed().as_secs_f64();
    let mut t = String::new();
    let _ = writeln!(
        t,
        "sweep {}: {} points{} ({} computed, {} resumed) in {:.1} s, {:.2} points/s",
        sweep.name,
        todo_all.len(),
        if shard.1 > 1 { format!(" of {} (shard {}/{})", sweep.len(), shard.0, shard.1) } else { String::new() },
        todo.len(),
        resumed,
        secs,
        todo.len() as f64 / secs.max(1e-9)
    );
    let _ = writeln!(t, "  table: {} ({} columns; docs/sweeps.md)", table.display(), columns.len());
    let _ = writeln!(t, "  spec sha256 {}", sweep.spec_sha256);
    Ok(t)
}

/// `dermasim sweep-merge DIR... --out DIR`: joins shards of one spec; refuses tables of
/// different specs, points twice, or points missing.
pub fn merge(dirs: &[PathBuf], out: &Path, force: bool) -> Result<String, Failure> {
    if dirs.is_empty() {
        return Err(input("sweep-merge: give the shard directories to merge".into()));
    }
    let mut tables = Vec::new();
    for d in dirs {
        let t = read_table(&d.join(TABLE))
            .map_err(|e| input(format!("{e} (is {} a finished sweep shard?)", d.display())))?;
        tables.push(t);
    }
    let spec = tables[0].spec_sha256().map(str::to_string);
    for (d, t) in dirs.iter().zip(&tables) {
        if t.spec_sha256() != spec.as_deref() || spec.is_none() {
            return Err(input(format!(
                "sweep-merge: {} was computed for spec {} but {} for spec {}: shards of different sweeps are not merged",
                d.display(),
                t.spec_sha256().unwrap_or("(none)"),
                dirs[0].display(),
                spec.as_deref().unwrap_or("(none)")
            )));
        }
        if t.batch.schema() != tables[0].batch.schema() {
            return Err(input(format!("sweep-merge: {} has other columns than {}", d.display(), dirs[0].display())));
        }
    }
    let total: usize = tables[0].get("dermasim.sweep.points").and_then(|n| n.parse().ok()).unwrap_or(0);
    let mut seen = BTreeSet::new();
    for (d, t) in dirs.iter().zip(&tables) {
        for p in t.points() {
            if !seen.insert(p) {
                return Err(input(format!(
                    "sweep-merge: point {p} is in more than one shard (again in {})",
                    d.display()
                )));
            }
        }
    }
    let missing: Vec<u64> = (0..total as u64).filter(|p| !seen.contains(p)).collect();
    if !missing.is_empty() {
        let first: Vec<String> = missing.iter().take(8).map(u64::to_string).collect();
        return Err(input(format!(
            "sweep-merge: {} of {total} points are missing (first: {}): merge every shard",
            missing.len(),
            first.join(", ")
        )));
    }
    if out.exists() && fs::read_dir(out).map(|mut d| d.next().is_some()).unwrap_or(true) {
        if !force {
            return Err(input(format!(
                "--out {} exists and is not empty: choose another directory or pass --force to replace its sweep files",
                out.display()
            )));
        }
        remove_sweep_files(out)?;
    }
    fs::create_dir_all(out).map_err(|e| io(format!("cannot create {}: {e}", out.display())))?;
    let schema = tables[0].batch.schema();
    let batches: Vec<RecordBatch> = tables.iter().map(|t| t.batch.clone()).collect();
    let all = sorted(&schema, &batches).map_err(io)?;
    write_table(&out.join(TABLE), &all, &tables[0].meta).map_err(io)?;
    for f in ["spec.toml", "base.toml"] {
        if let Ok(bytes) = fs::read(dirs[0].join(f)) {
            write_atomic(&out.join(f), &bytes).map_err(io)?;
        }
    }
    if let Ok(text) = fs::read_to_string(dirs[0].join("sweep.json"))
        && let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&text)
    {
        v["shard"] = "0/1".into();
        v["rows"] = all.num_rows().into();
        let s = serde_json::to_string_pretty(&v).map_err(|e| io(e.to_string()))? + "\n";
        write_atomic(&out.join("sweep.json"), s.as_bytes()).map_err(io)?;
    }
    Ok(format!("sweep-merge: {} shards, {} points -> {}\n", dirs.len(), all.num_rows(), out.join(TABLE).display()))
}
