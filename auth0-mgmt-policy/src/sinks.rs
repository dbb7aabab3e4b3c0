//! The audit sinks: a JSON-lines file, `tracing`, memory (for tests), and a tee.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::audit::{AuditDecision, AuditError, AuditRecord, AuditSink};

/// The most records a poisoned [`JsonLinesSink`] keeps in memory to write once the file
/// is usable again; beyond it the oldest are dropped (and reported via `tracing`).
pub const MAX_PENDING: usize = 1024;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Appends one JSON object per line to a file, flushed to the OS per record.
///
/// The file must be a regular file; it is opened in append mode (created if missing),
/// so several processes may share it. [`ready`](AuditSink::ready) — the preflight run
/// before every write operation — checks that the path still names a regular file it can
/// append to (re-opening it after rotation or deletion), and that no earlier record is
/// still waiting to be written. A record that fails to be written is kept in memory
/// (up to [`MAX_PENDING`]) and retried, in order, before the next one; until that
/// succeeds the sink is poisoned and the guard refuses writes.
///
/// Note that a file system can still fail a write that every preflight check passed
/// (a disk that fills up in between): that one call's record is then kept pending and
/// logged through `tracing::error!`, and every later write is refused until it is on disk.
#[derive(Debug)]
pub struct JsonLinesSink {
    path: PathBuf,
    state: Mutex<FileState>,
}

#[derive(Debug)]
struct FileState {
    file: Option<File>,
    pending: VecDeque<String>,
    last_error: Option<String>,
}

fn open_append(path: &Path) -> Result<File, String> {
    let file = OpenOptions::new().create(true).append(true).open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    Ok(file)
}

impl JsonLinesSink {
    /// Opens (or creates) `path` for appending; fails now if it cannot be used.
    pub fn open(path: impl AsRef<Path>) -> std::io::Result<JsonLinesSink> {
        let path = path.as_ref().to_owned();
        let file = open_append(&path).map_err(|e| std::io::Error::other(format!("{}: {e}", path.display())))?;
        Ok(JsonLinesSink {
            path,
            state: Mutex::new(FileState { file: Some(file), pending: VecDeque::new(), last_error: None }),
        })
    }

    /// Like [`open`](Self::open) but never fails: a path that cannot be opened yet
    /// leaves the sink poisoned (writes refused) until a preflight manages to open it.
    pub fn new(path: impl AsRef<Path>) -> JsonLinesSink {
        let path = path.as_ref().to_owned();
        let (file, last_error) = match open_append(&path) {
            Ok(f) => (Some(f), None),
            Err(e) => (None, Some(e)),
        };
        JsonLinesSink { path, state: Mutex::new(FileState { file, pending: VecDeque::new(), last_error }) }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many records wait to be written.
    pub fn pending(&self) -> usize {
        lock(&self.state).pending.len()
    }

    fn err(&self, message: impl Into<String>) -> AuditError {
        AuditError::new(format!("json-lines {}", self.path.display()), message)
    }

    /// Re-opens the file if needed, checks it, and writes pending lines.
    fn recover(&self, st: &mut FileState) -> Result<(), AuditError> {
        // The path must still name a regular file we can append to (rotation, deletion).
        let reopen = match (&st.file, std::fs::metadata(&self.path)) {
            (None, _) | (_, Err(_)) => true,
            (Some(f), Ok(path_meta)) => !path_meta.is_file() || !same_file(f, &path_meta),
        };
        if reopen {
            st.file = None;
            let f = open_append(&self.path).map_err(|e| {
                st.last_error = Some(e.clone());
                self.err(e)
            })?;
            st.file = Some(f);
        }
        let file = st.file.as_mut().ok_or_else(|| self.err("not open"))?;
        while let Some(line) = st.pending.front() {
            if let Err(e) = file.write_all(line.as_bytes()).and_then(|()| file.flush()) {
                let msg = e.to_string();
                st.last_error = Some(msg.clone());
                st.file = None;
                return Err(self.err(format!("{msg} ({} record(s) waiting)", st.pending.len())));
            }
            st.pending.pop_front();
        }
        st.last_error = None;
        Ok(())
    }
}

#[cfg(unix)]
fn same_file(f: &File, path_meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    f.metadata().is_ok_and(|m| m.dev() == path_meta.dev() && m.ino() == path_meta.ino())
}

#[cfg(not(unix))]
fn same_file(_f: &File, _path_meta: &std::fs::Metadata) -> bool {
    true
}

impl AuditSink for JsonLinesSink {
    fn write(&self, record: &AuditRecord) -> Result<(), AuditError> {
        let mut line = record.to_json_line();
        line.push('\n');
        let mut st = lock(&self.state);
        if st.pending.len() >= MAX_PENDING {
            st.pending.pop_front();
            tracing::error!(path = %self.path.display(), "audit records lost: the pending queue is full");
        }
        st.pending.push_back(line);
        self.recover(&mut st)
    }

    fn ready(&self) -> Result<(), AuditError> {
        let mut st = lock(&self.state);
        self.recover(&mut st)
    }
}

/// Emits each record as a `tracing` event (target `auth0_mgmt_policy::audit`): `INFO`
/// for allowed calls and dry runs, `WARN` for denials, with the structured fields and
/// the sentence as the message. Never fails — pair it with a durable sink via [`Tee`]
/// when records must be kept.
#[derive(Debug, Clone, Copy, Default)]
pub struct TracingSink;

impl AuditSink for TracingSink {
    fn write(&self, r: &AuditRecord) -> Result<(), AuditError> {
        let status = r.outcome.status.unwrap_or(0);
        let targets = r.targets.iter().map(|t| t.id.as_str()).collect::<Vec<_>>().join(",");
        if r.decision == AuditDecision::Denied {
            tracing::warn!(target: "auth0_mgmt_policy::audit", agent = %r.agent, operation = r.operation,
                targets = %targets, code = %r.code, policy_version = %r.policy_version, "{}", r.message);
        } else {
            tracing::info!(target: "auth0_mgmt_policy::audit", agent = %r.agent, operation = r.operation,
                targets = %targets, code = %r.code, status, duration_ms = r.outcome.duration_ms.unwrap_or(0),
                policy_version = %r.policy_version, "{}", r.message);
        }
        Ok(())
    }
}

/// Keeps records in memory (tests, demos). [`set_failing`](Self::set_failing) makes it
/// refuse records, to exercise fail-closed behaviour.
#[derive(Debug, Default)]
pub struct MemorySink {
    records: Mutex<Vec<AuditRecord>>,
    failing: AtomicBool,
    poisoned: AtomicBool,
}

impl MemorySink {
    /// An empty sink.
    pub fn new() -> MemorySink {
        MemorySink::default()
    }

    /// A copy of every record so far.
    pub fn records(&self) -> Vec<AuditRecord> {
        lock(&self.records).clone()
    }

    /// The sentences so far.
    pub fn sentences(&self) -> Vec<String> {
        lock(&self.records).iter().map(|r| r.message.clone()).collect()
    }

    /// Removes and returns the records so far.
    pub fn take(&self) -> Vec<AuditRecord> {
        std::mem::take(&mut *lock(&self.records))
    }

    /// While `true`, writes fail (and poison the sink until it is set back to `false`).
    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }
}

impl AuditSink for MemorySink {
    fn write(&self, record: &AuditRecord) -> Result<(), AuditError> {
        if self.failing.load(Ordering::SeqCst) {
            self.poisoned.store(true, Ordering::SeqCst);
            return Err(AuditError::new("memory", "writes are failing (set_failing)"));
        }
        lock(&self.records).push(record.clone());
        Ok(())
    }

    fn ready(&self) -> Result<(), AuditError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(AuditError::new("memory", "poisoned: the last record could not be written"));
        }
        self.poisoned.store(false, Ordering::SeqCst);
        Ok(())
    }
}

/// Writes every record to several sinks (e.g. a file and `tracing`). Ready only when all
/// are; a write fails when any fails (every sink is still tried).
#[derive(Debug, Clone, Default)]
pub struct Tee(Vec<Arc<dyn AuditSink>>);

impl Tee {
    /// A tee over `sinks`.
    pub fn new(sinks: Vec<Arc<dyn AuditSink>>) -> Tee {
        Tee(sinks)
    }
}

impl AuditSink for Tee {
    fn write(&self, record: &AuditRecord) -> Result<(), AuditError> {
        let mut first = Ok(());
        for s in &self.0 {
            if let Err(e) = s.write(record) {
                if first.is_ok() {
                    first = Err(e);
                }
            }
        }
        first
    }

    fn ready(&self) -> Result<(), AuditError> {
        self.0.iter().try_for_each(|s| s.ready())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_lines_stay_pending_and_poison_the_sink() {
        let dir = std::env::temp_dir().join(format!("a0p-sink-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("audit.jsonl");
        let sink = JsonLinesSink::open(&path).unwrap();
        // Simulate a failing device by swapping in /dev/full behind the sink's back.
        #[cfg(target_os = "linux")]
        {
            let full = OpenOptions::new().append(true).open("/dev/full").unwrap();
            let mut st = lock(&sink.state);
            st.file = Some(full);
            st.pending.push_back("{\"x\":1}\n".into());
            let file = st.file.as_mut().unwrap();
            assert!(file.write_all(b"{}\n").is_err(), "/dev/full accepts writes?");
            drop(st);
            // The preflight notices the handle is not the file at `path`, reopens, and
            // writes what was pending.
            sink.ready().unwrap();
            assert_eq!(sink.pending(), 0);
            assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"x\":1}\n");
        }
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(sink.ready().is_err(), "a deleted directory must fail the preflight");
        assert!(JsonLinesSink::open("/dev/full").is_err());
        assert!(JsonLinesSink::new("/dev/full").ready().is_err());
    }
}
