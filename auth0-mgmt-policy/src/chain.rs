//! The tamper-evident audit chain of a JSON-lines file.
//!
//! Every line [`JsonLinesSink`](crate::JsonLinesSink) writes is one record in
//! [canonical JSON](crate::canonical) with three more fields:
//!
//! * `seq` — 1 for the first line of the file, then +1 per line;
//! * `prev_hash` — the previous line's `hash` ([`GENESIS`], 64 zeros, for the first);
//! * `hash` — the SHA-256 (hex) of the canonical JSON of the record *without* `hash`
//!   (so including `seq` and `prev_hash`).
//!
//! Editing a line changes its hash; deleting, inserting or moving a line breaks the
//! `seq`/`prev_hash` links; cutting the file mid-record leaves a torn last line.
//! [`verify`] reports the first broken link and names its line. Cutting the file
//! cleanly after a whole line leaves a shorter valid chain: to detect that, keep the
//! [`Head`] (last `seq` and `hash`) somewhere else — [`head`] reads it, the sink returns
//! it — and pass it to [`verify_with_head`].
//!
//! The chain resumes across restarts and across processes: before each append the
//! sink, holding an exclusive lock on the file, reads the last record from the end of
//! the file (only when the file changed since its own last append), so a gateway and
//! the CLI appending to one file keep one chain. An incomplete last line (a write that
//! was interrupted and never acknowledged) is cut off before the next append, with a
//! warning.
//!
//! This detects edits by anyone who cannot rewrite the whole file consistently; it is
//! not a signature: someone able to rewrite every line from the edit on, and the head
//! kept elsewhere, can forge a chain.
//!
//! ```
//! use auth0_mgmt_policy::chain::{verify, Verification};
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("audit.jsonl");
//! std::fs::write(&path, "")?;
//! assert_eq!(verify(&path)?.to_string(), "intact, 0 records");
//! # Ok::<(), std::io::Error>(())
//! ```

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use serde_json::{Map, Value};

use crate::audit::AuditRecord;
use crate::canonical::{canonical_json, sha256_hex};

/// The `prev_hash` of a file's first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The longest line read when looking for the last record.
pub const MAX_LINE: u64 = 16 << 20;

/// The last link of a chain: its `seq` and `hash`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Head {
    /// The last record's `seq` (0 for an empty file).
    pub seq: u64,
    /// Its `hash` ([`GENESIS`] for an empty file).
    pub hash: String,
}

impl Head {
    /// The head of an empty file.
    pub fn genesis() -> Head {
        Head { seq: 0, hash: GENESIS.to_owned() }
    }
}

impl fmt::Display for Head {
    /// `seq 42, hash 3f2a…` (full hash).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "seq {}, hash {}", self.seq, self.hash)
    }
}

/// The record as its chained line (without the newline) and its hash.
pub(crate) fn seal(record: &AuditRecord, seq: u64, prev_hash: &str) -> (String, String) {
    let mut map = match serde_json::to_value(record) {
        Ok(Value::Object(m)) => m,
        // Cannot happen for this type; keep a record anyway.
        _ => {
            let mut m = Map::new();
            m.insert("message".into(), Value::String("unserializable audit record".into()));
            m
        }
    };
    map.insert("seq".into(), Value::from(seq));
    map.insert("prev_hash".into(), Value::String(prev_hash.to_owned()));
    let mut value = Value::Object(map);
    let hash = sha256_hex(canonical_json(&value).as_bytes());
    if let Value::Object(m) = &mut value {
        m.insert("hash".into(), Value::String(hash.clone()));
    }
    (canonical_json(&value), hash)
}

/// What one line says about itself.
struct Link {
    seq: u64,
    prev_hash: String,
    hash: String,
    /// The stored hash is the hash of the content, and the line is in canonical form.
    sound: bool,
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn parse_link(line: &[u8]) -> Option<Link> {
    let text = std::str::from_utf8(line).ok()?;
    let Value::Object(mut map) = serde_json::from_str::<Value>(text).ok()? else { return None };
    let seq = map.get("seq")?.as_u64()?;
    let prev_hash = map.get("prev_hash")?.as_str()?.to_owned();
    let hash = match map.remove("hash")? {
        Value::String(h) => h,
        _ => return None,
    };
    if !is_hex64(&prev_hash) || !is_hex64(&hash) {
        return None;
    }
    let without = Value::Object(map);
    let content_hash = sha256_hex(canonical_json(&without).as_bytes());
    let mut sound = content_hash == hash;
    if sound {
        // Byte-exact: an edit that keeps the JSON value (whitespace, key order, escapes)
        // is an edit too.
        if let Value::Object(mut m) = without {
            m.insert("hash".into(), Value::String(hash.clone()));
            sound = canonical_json(&Value::Object(m)).as_bytes() == line;
        }
    }
    Some(Link { seq, prev_hash, hash, sound })
}

/// The kind of the first broken link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BreakKind {
    /// A line's content does not match its hash, or a line is not in canonical form,
    /// or its `prev_hash` is not the hash of the line before (one of them was
    /// rewritten).
    Edited,
    /// Records are missing before this line (its `seq` skips ahead).
    Deleted,
    /// This line's `seq` is not the next one: a record was inserted here, or lines were
    /// moved.
    InsertedOrMoved,
    /// The line is not a chained audit record (not JSON, no `seq`/`prev_hash`/`hash`,
    /// an empty line).
    NotARecord,
    /// The last line is incomplete: the file was cut mid-record, or a write was
    /// interrupted.
    Torn,
    /// The file ends before the head it was checked against: records were cut off the
    /// end.
    Truncated,
}

/// The first broken link of a chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Break {
    /// 1-based line number where the chain breaks.
    pub line: u64,
    /// What kind of break.
    pub kind: BreakKind,
    /// What is wrong, for humans.
    pub message: String,
}

/// The answer of [`verify`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verification {
    /// Every link holds.
    Intact {
        /// How many records.
        records: u64,
        /// The last link.
        head: Head,
    },
    /// The first broken link.
    Broken(Break),
}

impl Verification {
    /// True when intact.
    pub fn is_intact(&self) -> bool {
        matches!(self, Verification::Intact { .. })
    }

    /// The break, when broken.
    pub fn broken(&self) -> Option<&Break> {
        match self {
            Verification::Broken(b) => Some(b),
            Verification::Intact { .. } => None,
        }
    }
}

impl fmt::Display for Verification {
    /// `intact, 42 records` or `broken at line 7: …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verification::Intact { records, .. } => {
                write!(f, "intact, {records} record{}", if *records == 1 { "" } else { "s" })
            }
            Verification::Broken(b) => write!(f, "broken at line {}: {}", b.line, b.message),
        }
    }
}

/// Verifies the chain of the file at `path` (see the [module docs](self)).
pub fn verify(path: impl AsRef<Path>) -> io::Result<Verification> {
    verify_reader(File::open(path)?, None)
}

/// Like [`verify`], and also checks that the chain reaches `head` (kept from earlier:
/// the sink's [`head`](crate::JsonLinesSink::head), or a previous verification) with
/// the same hash: a file cut after a whole line is then reported as
/// [`BreakKind::Truncated`].
pub fn verify_with_head(path: impl AsRef<Path>, head: &Head) -> io::Result<Verification> {
    verify_reader(File::open(path)?, Some(head))
}

/// Verifies a chain read from `reader` (optionally against an expected `head`).
pub fn verify_reader(reader: impl Read, expected: Option<&Head>) -> io::Result<Verification> {
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let mut buf = Vec::with_capacity(1024);
    let mut line_no: u64 = 0;
    let mut prev = Head::genesis();
    let mut seen_expected = false;
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let complete = buf.last() == Some(&b'\n');
        let line = if complete { &buf[..buf.len() - 1] } else { &buf[..] };
        let broken = |kind, message: String| Ok(Verification::Broken(Break { line: line_no, kind, message }));
        if !complete {
            return broken(
                BreakKind::Torn,
                format!(
                    "line {line_no} is incomplete (no newline): the file was cut mid-record or a write was interrupted"
                ),
            );
        }
        let Some(link) = parse_link(line) else {
            let what = if line.is_empty() { "is empty" } else { "is not a chained audit record" };
            return broken(BreakKind::NotARecord, format!("line {line_no} {what}"));
        };
        if !link.sound {
            return broken(
                BreakKind::Edited,
                format!("line {line_no} (seq {}) was edited: its content does not match its hash", link.seq),
            );
        }
        let want = prev.seq.saturating_add(1);
        if link.seq > want {
            let missing = link.seq - want;
            let later = find_seq(&mut reader, want)?;
            return match later {
                Some(offset) => broken(
                    BreakKind::InsertedOrMoved,
                    format!(
                        "line {line_no} has seq {}, expected {want}: records were moved (seq {want} is {offset} line(s) further down)",
                        link.seq
                    ),
                ),
                None if line_no == 1 => broken(
                    BreakKind::Deleted,
                    format!(
                        "line 1 has seq {}: the first {missing} record(s) were deleted (or the file was cut at the start)",
                        link.seq
                    ),
                ),
                None => broken(
                    BreakKind::Deleted,
                    format!(
                        "line {line_no} has seq {}, expected {want}: {missing} record(s) before it were deleted",
                        link.seq
                    ),
                ),
            };
        }
        if link.seq < want {
            return broken(
                BreakKind::InsertedOrMoved,
                format!(
                    "line {line_no} has seq {}, expected {want}: a record was inserted here, or lines were moved",
                    link.seq
                ),
            );
        }
        if link.prev_hash != prev.hash {
            let before =
                if line_no == 1 { "the genesis hash".to_owned() } else { format!("line {}'s hash", line_no - 1) };
            return broken(
                BreakKind::Edited,
                format!(
                    "line {line_no} (seq {}) does not follow the line before: its prev_hash is not {before} (one of them was rewritten)",
                    link.seq
                ),
            );
        }
        if let Some(h) = expected
            && link.seq == h.seq
        {
            if link.hash != h.hash {
                return broken(
                    BreakKind::Edited,
                    format!(
                        "line {line_no} (seq {}) is not the record of the head given (hash {}): rewritten",
                        link.seq, h.hash
                    ),
                );
            }
            seen_expected = true;
        }
        prev = Head { seq: link.seq, hash: link.hash };
    }
    if let Some(h) = expected
        && !seen_expected
        && h.seq > prev.seq
    {
        return Ok(Verification::Broken(Break {
            line: line_no + 1,
            kind: BreakKind::Truncated,
            message: format!(
                "the file ends at seq {} (line {line_no}), before the head given (seq {}): {} record(s) were cut off the end",
                prev.seq,
                h.seq,
                h.seq - prev.seq
            ),
        }));
    }
    Ok(Verification::Intact { records: line_no, head: prev })
}

/// How many lines further down a record with `seq` is, if any (for the message).
fn find_seq(reader: &mut impl BufRead, seq: u64) -> io::Result<Option<u64>> {
    let mut buf = Vec::new();
    let mut offset = 0;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            return Ok(None);
        }
        offset += 1;
        let v: Option<Value> = serde_json::from_slice(buf.trim_ascii_end()).ok();
        if v.as_ref().and_then(|v| v.get("seq")).and_then(Value::as_u64) == Some(seq) {
            return Ok(Some(offset));
        }
    }
}

/// The head of the chain in the file at `path`, read from the end of the file (not the
/// whole file): the last complete line's `seq` and `hash`. An incomplete last line is
/// ignored. `Err` when the last line is not a chained record.
pub fn head(path: impl AsRef<Path>) -> io::Result<Head> {
    let mut f = File::open(path)?;
    let len = f.metadata()?.len();
    let end = last_newline_end(&mut f, len)?;
    last_link(&mut f, end)
}

/// The length of the file up to and including its last newline (0 when none).
pub(crate) fn last_newline_end(f: &mut File, len: u64) -> io::Result<u64> {
    let mut end = len;
    let mut chunk = vec![0u8; 8192];
    while end > 0 {
        let start = end.saturating_sub(chunk.len() as u64);
        let n = (end - start) as usize;
        f.seek(SeekFrom::Start(start))?;
        f.read_exact(&mut chunk[..n])?;
        if let Some(i) = chunk[..n].iter().rposition(|b| *b == b'\n') {
            return Ok(start + i as u64 + 1);
        }
        if len - start > MAX_LINE {
            return Err(io::Error::other("the last line of the audit file is longer than 16 MiB"));
        }
        end = start;
    }
    Ok(0)
}

/// The link of the last line of `f[..end]` (`end` just past a newline, or 0).
pub(crate) fn last_link(f: &mut File, end: u64) -> io::Result<Head> {
    if end == 0 {
        return Ok(Head::genesis());
    }
    let body_end = end - 1; // without the newline
    let start = last_newline_end(f, body_end)?;
    let n = body_end - start;
    if n > MAX_LINE {
        return Err(io::Error::other("the last line of the audit file is longer than 16 MiB"));
    }
    let mut line = vec![0u8; n as usize];
    f.seek(SeekFrom::Start(start))?;
    f.read_exact(&mut line)?;
    match parse_link(&line) {
        Some(l) => Ok(Head { seq: l.seq, hash: l.hash }),
        None => Err(io::Error::other(
            "the last line of the audit file is not a chained audit record; move the file aside to start a new chain",
        )),
    }
}
