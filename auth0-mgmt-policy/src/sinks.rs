//! The audit sinks: a JSON-lines file, `tracing`, memory (for tests), and a tee.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::audit::{AuditDecision, AuditError, AuditRecord, AuditSink, RecordPhase};
use crate::chain::{self, Head};

/// The most records the guard keeps while its sink refuses them (they are written, in
/// order, before anything else once the sink accepts records again; beyond this the
/// oldest are dropped and reported via `tracing::error!`). [`Tee`] keeps at most this
/// many partly written records.
pub const MAX_PENDING: usize = 1024;

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Appends one record per line to a file, as a tamper-evident chain
/// ([`chain`](crate::chain): `seq`, `prev_hash`, `hash` on every line, canonical JSON).
/// A record is written to the operating system (no buffering in the process) before
/// [`write`](AuditSink::write) returns `Ok`, and also synced to disk with
/// [`sync`](Self::sync).
///
/// The file must be a regular file; it is opened in append mode (created if missing).
/// Several processes may append to it at once (the gateway and the CLI do): each append
/// holds an exclusive lock on the file (`flock`), reads the last record from the end of
/// the file if another process appended since (so the chain resumes after a restart and
/// across processes), and appends the next link. Every write first checks that the path
/// still names the file it holds (re-opening it after rotation or deletion; a new file
/// starts a new chain at `seq` 1). A failed write returns `Err` — the guard then denies
/// the call, or keeps the record and offers it again — and the partial line is cut off
/// (at the latest before the next append), so the chain stays whole.
#[derive(Debug)]
pub struct JsonLinesSink {
    path: PathBuf,
    sync: bool,
    state: Mutex<FileState>,
}

#[derive(Debug)]
struct FileState {
    file: Option<File>,
    /// The file's length and head after this sink's last append (valid while the
    /// length is unchanged: nobody else appended).
    known: Option<(u64, Head)>,
}

fn open_append(path: &Path) -> Result<File, String> {
    let file = OpenOptions::new().create(true).read(true).append(true).open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    Ok(file)
}

impl JsonLinesSink {
    /// Opens (or creates) `path` for appending and reads the chain's head from the end
    /// of the file; fails now if it cannot be used (including a last line that is not a
    /// chained record).
    ///
    /// ```no_run
    /// use auth0_mgmt_policy::JsonLinesSink;
    /// let audit = JsonLinesSink::open("/var/log/agents/audit.jsonl")?.sync(true);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn open(path: impl AsRef<Path>) -> std::io::Result<JsonLinesSink> {
        let path = path.as_ref().to_owned();
        let file = open_append(&path).map_err(|e| std::io::Error::other(format!("{}: {e}", path.display())))?;
        let sink = JsonLinesSink { path, sync: false, state: Mutex::new(FileState { file: Some(file), known: None }) };
        sink.head().map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(sink)
    }

    /// Like [`open`](Self::open) but never fails: a path that cannot be opened yet makes
    /// every write fail (so the guard refuses writes) until it can be opened.
    pub fn new(path: impl AsRef<Path>) -> JsonLinesSink {
        let path = path.as_ref().to_owned();
        let file = open_append(&path).ok();
        JsonLinesSink { path, sync: false, state: Mutex::new(FileState { file, known: None }) }
    }

    /// With `true`, every record is also synced to the disk (`fsync`) before the write
    /// returns: slower, and durable across a power loss.
    pub fn sync(mut self, sync: bool) -> JsonLinesSink {
        self.sync = sync;
        self
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The chain's current head (last `seq` and `hash`), read under the file lock —
    /// keep it elsewhere to detect a file cut after a whole line
    /// ([`chain::verify_with_head`](crate::chain::verify_with_head)).
    pub fn head(&self) -> Result<Head, AuditError> {
        let mut st = lock(&self.state);
        let (head, _) = self.locked(&mut st, |_, _, head| Ok((head.clone(), ())))?;
        Ok(head)
    }

    fn err(&self, message: impl Into<String>) -> AuditError {
        AuditError::new(format!("json-lines {}", self.path.display()), message)
    }

    /// The open file, re-opened if the path no longer names it (rotation, deletion).
    fn file<'a>(&self, st: &'a mut FileState) -> Result<&'a mut File, AuditError> {
        let reopen = match (&st.file, std::fs::metadata(&self.path)) {
            (None, _) | (_, Err(_)) => true,
            (Some(f), Ok(path_meta)) => !path_meta.is_file() || !same_file(f, &path_meta),
        };
        if reopen {
            st.file = None;
            st.known = None;
            st.file = Some(open_append(&self.path).map_err(|e| self.err(e))?);
        }
        st.file.as_mut().ok_or_else(|| self.err("not open"))
    }

    /// Runs `f(file, length, head)` holding the file's exclusive lock, with the chain's
    /// head (re-read from the end of the file when someone else appended, after cutting
    /// off an incomplete last line). `f` returns the new head and its own result.
    fn locked<T>(
        &self,
        st: &mut FileState,
        f: impl FnOnce(&mut File, u64, &Head) -> Result<(Head, T), AuditError>,
    ) -> Result<(Head, T), AuditError> {
        let known = st.known.take();
        let file = self.file(st)?;
        fs4::FileExt::lock(&*file).map_err(|e| self.err(format!("could not lock the file: {e}")))?;
        let result = (|| {
            let len = file.metadata().map_err(|e| self.err(e.to_string()))?.len();
            let head = match known {
                Some((known_len, head)) if known_len == len => head,
                _ => {
                    let end = chain::last_newline_end(file, len).map_err(|e| self.err(e.to_string()))?;
                    if end < len {
                        tracing::warn!(path = %self.path.display(), cut = len - end,
                            "the audit file ended in an incomplete line (an interrupted write); cutting it off");
                        file.set_len(end)
                            .map_err(|e| self.err(format!("could not cut an incomplete last line: {e}")))?;
                    }
                    chain::last_link(file, end).map_err(|e| self.err(e.to_string()))?
                }
            };
            let len = file.metadata().map_err(|e| self.err(e.to_string()))?.len();
            let (new_head, out) = f(file, len, &head)?;
            let new_len = file.metadata().map_err(|e| self.err(e.to_string()))?.len();
            Ok(((new_len, new_head), out))
        })();
        let _ = fs4::FileExt::unlock(&*file);
        match result {
            Ok(((len, head), out)) => {
                st.known = Some((len, head.clone()));
                Ok((head, out))
            }
            Err(e) => Err(e),
        }
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
        let mut st = lock(&self.state);
        let sync = self.sync;
        let result = self.locked(&mut st, |file, len, head| {
            let seq = head.seq.saturating_add(1);
            let (mut line, hash) = chain::seal(record, seq, &head.hash);
            line.push('\n');
            let written = file
                .write_all(line.as_bytes())
                .and_then(|()| file.flush())
                .and_then(|()| if sync { file.sync_data() } else { Ok(()) });
            match written {
                Ok(()) => Ok((Head { seq, hash }, ())),
                Err(e) => {
                    // Cut the partial line now if possible (else before the next append).
                    let _ = file.set_len(len);
                    Err(self.err(e.to_string()))
                }
            }
        });
        if result.is_err() {
            // Drop the handle so that the next write re-opens and re-reads the head.
            st.file = None;
            st.known = None;
        }
        result.map(drop)
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
        let phase = match r.phase {
            RecordPhase::Intent => "intent",
            RecordPhase::Outcome => "outcome",
            RecordPhase::Approval => "approval",
        };
        match r.decision {
            AuditDecision::Denied | AuditDecision::ApprovalRequired => {
                tracing::warn!(target: "auth0_mgmt_policy::audit", agent = %r.agent, operation = r.operation,
                    call_id = %r.call_id, phase, targets = %targets, code = %r.code,
                    policy_version = %r.policy_version, "{}", r.message);
            }
            AuditDecision::Allowed | AuditDecision::DryRun => {
                tracing::info!(target: "auth0_mgmt_policy::audit", agent = %r.agent, operation = r.operation,
                    call_id = %r.call_id, phase, targets = %targets, code = %r.code, status,
                    duration_ms = r.outcome.duration_ms.unwrap_or(0), policy_version = %r.policy_version,
                    "{}", r.message);
            }
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
}

impl MemorySink {
    /// An empty sink.
    pub fn new() -> MemorySink {
        MemorySink::default()
    }

    /// A copy of every record so far (intent and outcome records, in write order).
    pub fn records(&self) -> Vec<AuditRecord> {
        lock(&self.records).clone()
    }

    /// The outcome records so far: one per call.
    pub fn outcomes(&self) -> Vec<AuditRecord> {
        lock(&self.records).iter().filter(|r| r.phase == RecordPhase::Outcome).cloned().collect()
    }

    /// The sentences so far, intent and outcome records alike.
    pub fn sentences(&self) -> Vec<String> {
        lock(&self.records).iter().map(|r| r.message.clone()).collect()
    }

    /// The sentences of the outcome records: one per call.
    pub fn outcome_sentences(&self) -> Vec<String> {
        lock(&self.records).iter().filter(|r| r.phase == RecordPhase::Outcome).map(|r| r.message.clone()).collect()
    }

    /// Removes and returns the records so far (the sink keeps room for as many).
    pub fn take(&self) -> Vec<AuditRecord> {
        let mut records = lock(&self.records);
        let room = records.capacity();
        std::mem::replace(&mut *records, Vec::with_capacity(room))
    }

    /// While `true`, every write fails.
    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }
}

impl AuditSink for MemorySink {
    fn write(&self, record: &AuditRecord) -> Result<(), AuditError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(AuditError::new("memory", "writes are failing (set_failing)"));
        }
        lock(&self.records).push(record.clone());
        Ok(())
    }
}

/// Writes every record to several sinks (e.g. a file and `tracing`). A write succeeds
/// when every sink took the record. When some did not, the tee remembers which ones
/// did: the same record offered again (same `call_id` and `phase`, as the guard does
/// after a failure) goes only to the sinks that still lack it.
#[derive(Debug, Default)]
pub struct Tee {
    sinks: Vec<Arc<dyn AuditSink>>,
    /// Records some sinks took and others did not: (call id, phase, which sinks have it).
    partial: Mutex<VecDeque<(String, RecordPhase, Vec<bool>)>>,
}

impl Tee {
    /// A tee over `sinks`.
    pub fn new(sinks: Vec<Arc<dyn AuditSink>>) -> Tee {
        Tee { sinks, partial: Mutex::new(VecDeque::new()) }
    }
}

impl AuditSink for Tee {
    fn write(&self, record: &AuditRecord) -> Result<(), AuditError> {
        let mut partial = lock(&self.partial);
        let known = partial.iter().position(|(id, phase, _)| *id == record.call_id && *phase == record.phase);
        let mut done = match known {
            Some(i) => partial.remove(i).map(|(_, _, d)| d).unwrap_or_default(),
            None => vec![false; self.sinks.len()],
        };
        done.resize(self.sinks.len(), false);
        let mut first = Ok(());
        for (sink, done) in self.sinks.iter().zip(done.iter_mut()) {
            if *done {
                continue;
            }
            match sink.write(record) {
                Ok(()) => *done = true,
                Err(e) => {
                    if first.is_ok() {
                        first = Err(e);
                    }
                }
            }
        }
        if first.is_err() {
            if partial.len() >= MAX_PENDING {
                partial.pop_front();
            }
            partial.push_back((record.call_id.clone(), record.phase, done));
        }
        first
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn a_failed_write_is_an_error_and_the_chain_stays_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let sink = JsonLinesSink::open(&path).unwrap();
        let record = crate::audit::tests::sample_record();
        sink.write(&record).unwrap();
        // A handle swapped behind the sink's back: the path still names the real file, so
        // the sink notices, re-opens it and re-reads the head.
        lock(&sink.state).file = Some(OpenOptions::new().read(true).append(true).open("/dev/full").unwrap());
        sink.write(&record).unwrap();
        // A device that fails for real.
        let full = JsonLinesSink::new("/dev/full");
        assert!(full.write(&record).is_err());
        assert!(JsonLinesSink::open("/dev/full").is_err(), "not a regular file");
        // A torn last line (an interrupted write) is cut off before the next append.
        std::fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(b"{\"seq\":3,\"tor").unwrap();
        assert_eq!(chain::verify(&path).unwrap().broken().map(|b| b.kind), Some(chain::BreakKind::Torn));
        sink.write(&record).unwrap();
        let v = chain::verify(&path).unwrap();
        assert_eq!(v.to_string(), "intact, 3 records");
        assert_eq!(sink.head().unwrap().seq, 3);
        // A deleted directory fails the write.
        drop(dir);
        assert!(sink.write(&record).is_err());
    }

    #[test]
    fn a_tee_does_not_store_a_record_twice_where_it_succeeded() {
        let a = Arc::new(MemorySink::new());
        let b = Arc::new(MemorySink::new());
        let tee = Tee::new(vec![a.clone(), b.clone()]);
        let record = crate::audit::tests::sample_record();
        b.set_failing(true);
        assert!(tee.write(&record).is_err());
        assert!(tee.write(&record).is_err());
        b.set_failing(false);
        tee.write(&record).unwrap();
        assert_eq!(a.records().len(), 1, "offered three times, stored once");
        assert_eq!(b.records().len(), 1);
        tee.write(&record).unwrap();
        assert_eq!(a.records().len(), 2, "a record that fully succeeded is new again");
    }
}
