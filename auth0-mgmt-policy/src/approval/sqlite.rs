//! The embedded approval store: one SQLite file (bundled SQLite), shared by processes.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use auth0_mgmt::catalog::{Action, ActionSet};
use auth0_mgmt::{ApprovalChannel, BoxFuture};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use super::{
    Approval, ApprovalAsk, ApprovalState, ApprovalStore, CheckAnswer, Checked, Decided, ListFilter, StoreError, Verdict,
};
use crate::clock::{from_unix_ms, unix_ms};
use crate::sinks::lock;
use crate::targets::{Target, TargetKind};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS approvals (
    id             TEXT PRIMARY KEY,
    agent          TEXT NOT NULL,
    operation      TEXT NOT NULL,
    request_hash   TEXT NOT NULL,
    request        TEXT NOT NULL,
    targets        TEXT NOT NULL,
    actions        TEXT NOT NULL,
    approvers      TEXT NOT NULL,
    channel        TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    state          TEXT NOT NULL,
    created_ms     INTEGER NOT NULL,
    expires_ms     INTEGER NOT NULL,
    ttl_ms         INTEGER NOT NULL,
    decided_by     TEXT,
    decided_ms     INTEGER,
    note           TEXT,
    consumed_ms    INTEGER,
    call_id        TEXT NOT NULL,
    details        TEXT
);
CREATE INDEX IF NOT EXISTS approvals_by_request ON approvals (agent, request_hash, state);
CREATE INDEX IF NOT EXISTS approvals_by_state ON approvals (state, expires_ms);
";

const COLUMNS: &str = "id, agent, operation, request_hash, request, targets, actions, approvers, channel, \
                       policy_version, state, created_ms, expires_ms, ttl_ms, decided_by, decided_ms, note, \
                       consumed_ms, call_id, details";

/// The default [`ApprovalStore`]: approvals in one SQLite file (SQLite is compiled in;
/// nothing to install), in WAL mode with a busy timeout, so that the gateway and the CLI
/// can open the same file at once. Every operation is one `BEGIN IMMEDIATE` transaction:
/// a consume and an approve (or two consumes) of the same approval are serialized, and
/// exactly one consume wins.
///
/// SQLite work runs on tokio's blocking pool when called inside a runtime.
///
/// ```
/// use auth0_mgmt_policy::SqliteApprovalStore;
/// let dir = tempfile::tempdir()?;
/// let store = SqliteApprovalStore::open(dir.path().join("approvals.sqlite"))?;
/// assert!(store.path().is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct SqliteApprovalStore {
    name: Arc<str>,
    path: Option<PathBuf>,
    conn: Arc<Mutex<Connection>>,
}

/// Brings a store file made by an earlier version up to [`SCHEMA`]: the `details`
/// column (the request body shown to approvers) was added later.
fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let has_details = conn.prepare("SELECT 1 FROM pragma_table_info('approvals') WHERE name = 'details'")?.exists([])?;
    if !has_details {
        conn.execute_batch("ALTER TABLE approvals ADD COLUMN details TEXT;")?;
    }
    Ok(())
}

/// Creates `path` as an empty file only its owner may read and write, unless it exists.
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// How long a transaction waits for another process's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

impl SqliteApprovalStore {
    /// Opens (or creates) the store at `path`.
    ///
    /// A new file is created readable and writable by its owner only (`0600` on Unix;
    /// SQLite gives its `-wal` and `-shm` files the same mode): whoever can write the
    /// store can approve requests. An existing file keeps its permissions.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteApprovalStore, StoreError> {
        let path = path.as_ref().to_owned();
        let name: Arc<str> = Arc::from(format!("sqlite {}", path.display()));
        create_private(&path).map_err(|e| StoreError::new(&*name, format!("cannot create the file: {e}")))?;
        let err = |e: rusqlite::Error| StoreError::new(&*name, e.to_string());
        let conn = Connection::open(&path).map_err(err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
        // WAL lets readers run beside the one writer; the mode is kept in the file.
        let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(err)?;
        conn.execute_batch("PRAGMA synchronous = FULL;").map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        migrate(&conn).map_err(err)?;
        Ok(SqliteApprovalStore { name, path: Some(path), conn: Arc::new(Mutex::new(conn)) })
    }

    /// A private in-memory store (one process; tests and demos).
    pub fn in_memory() -> Result<SqliteApprovalStore, StoreError> {
        let name: Arc<str> = Arc::from("sqlite :memory:");
        let err = |e: rusqlite::Error| StoreError::new(&*name, e.to_string());
        let conn = Connection::open_in_memory().map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        Ok(SqliteApprovalStore { name, path: None, conn: Arc::new(Mutex::new(conn)) })
    }

    /// The file, for a file store.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Runs `f` with the connection, on the blocking pool inside a tokio runtime.
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = self.conn.clone();
        let name = self.name.clone();
        let job = move || f(&mut lock(&conn)).map_err(|e| StoreError::new(&*name, e.to_string()));
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => handle
                .spawn_blocking(job)
                .await
                .map_err(|e| StoreError::new(&*self.name, format!("the store task failed: {e}")))?,
            Err(_) => job(),
        }
    }
}

fn bad(msg: impl Into<String>) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(msg.into().into())
}

fn to_json<T: serde::Serialize>(v: &T) -> rusqlite::Result<String> {
    serde_json::to_string(v).map_err(|e| bad(e.to_string()))
}

fn targets_json(t: &[Target]) -> rusqlite::Result<String> {
    let pairs: Vec<(&str, &str, bool)> = t.iter().map(|t| (t.kind.as_str(), t.id.as_str(), t.allow_listed)).collect();
    to_json(&pairs)
}

fn row_approval(r: &Row<'_>) -> rusqlite::Result<Approval> {
    let conv =
        |i: usize, e: String| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into());
    let targets: String = r.get(5)?;
    let targets: Vec<(String, String, bool)> = serde_json::from_str(&targets).map_err(|e| conv(5, e.to_string()))?;
    let targets = targets
        .into_iter()
        .map(|(k, id, allow_listed)| {
            let kind =
                TargetKind::ALL.into_iter().find(|x| x.as_str() == k).ok_or_else(|| conv(5, format!("id kind {k}")))?;
            Ok(Target { kind, id, allow_listed })
        })
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let actions: String = r.get(6)?;
    let actions: Vec<String> = serde_json::from_str(&actions).map_err(|e| conv(6, e.to_string()))?;
    let actions: ActionSet = actions
        .iter()
        .map(|a| Action::parse(a).ok_or_else(|| conv(6, format!("action {a}"))))
        .collect::<rusqlite::Result<_>>()?;
    let approvers: String = r.get(7)?;
    let approvers: Vec<String> = serde_json::from_str(&approvers).map_err(|e| conv(7, e.to_string()))?;
    let channel: String = r.get(8)?;
    let channel = match channel.as_str() {
        "operator" => ApprovalChannel::Operator,
        "client" => ApprovalChannel::Client,
        other => return Err(conv(8, format!("channel {other}"))),
    };
    let state: String = r.get(10)?;
    let state = ApprovalState::parse(&state).ok_or_else(|| conv(10, format!("state {state}")))?;
    Ok(Approval {
        id: r.get(0)?,
        agent: r.get(1)?,
        operation: r.get(2)?,
        request_hash: r.get(3)?,
        request: r.get(4)?,
        targets,
        actions,
        approvers,
        channel,
        policy_version: r.get(9)?,
        state,
        created_at: from_unix_ms(r.get(11)?),
        expires_at: from_unix_ms(r.get(12)?),
        ttl: Duration::from_millis(u64::try_from(r.get::<_, i64>(13)?).unwrap_or(0)),
        decided_by: r.get(14)?,
        decided_at: r.get::<_, Option<i64>>(15)?.map(from_unix_ms),
        note: r.get(16)?,
        consumed_at: r.get::<_, Option<i64>>(17)?.map(from_unix_ms),
        call_id: r.get(18)?,
        details: r.get(19)?,
    })
}

fn insert(tx: &rusqlite::Transaction<'_>, a: &Approval) -> rusqlite::Result<()> {
    let actions: Vec<&str> = a.actions.iter().map(Action::as_str).collect();
    tx.execute(
        &format!("INSERT INTO approvals ({COLUMNS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20)"),
        params![
            a.id,
            a.agent,
            a.operation,
            a.request_hash,
            a.request,
            targets_json(&a.targets)?,
            to_json(&actions)?,
            to_json(&a.approvers)?,
            a.channel.as_str(),
            a.policy_version,
            a.state.as_str(),
            unix_ms(a.created_at),
            unix_ms(a.expires_at),
            i64::try_from(a.ttl.as_millis()).unwrap_or(i64::MAX),
            a.decided_by,
            a.decided_at.map(unix_ms),
            a.note,
            a.consumed_at.map(unix_ms),
            a.call_id,
            a.details,
        ],
    )?;
    Ok(())
}

fn get(tx: &rusqlite::Transaction<'_>, id: &str) -> rusqlite::Result<Option<Approval>> {
    tx.query_row(&format!("SELECT {COLUMNS} FROM approvals WHERE id = ?1"), [id], row_approval).optional()
}

fn expire_where(
    tx: &rusqlite::Transaction<'_>,
    extra: &str,
    args: &[&dyn rusqlite::ToSql],
    now: i64,
) -> rusqlite::Result<Vec<Approval>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM approvals WHERE state IN ('pending','approved') AND expires_ms <= ?1 {extra} ORDER BY created_ms"
    );
    let mut all: Vec<&dyn rusqlite::ToSql> = vec![&now];
    all.extend_from_slice(args);
    let mut stmt = tx.prepare(&sql)?;
    let mut found = stmt.query_map(all.as_slice(), row_approval)?.collect::<rusqlite::Result<Vec<_>>>()?;
    for a in &mut found {
        tx.execute("UPDATE approvals SET state = 'expired' WHERE id = ?1", [&a.id])?;
        a.state = ApprovalState::Expired;
    }
    Ok(found)
}

impl ApprovalStore for SqliteApprovalStore {
    fn check<'a>(&'a self, ask: &'a ApprovalAsk, now: SystemTime) -> BoxFuture<'a, Result<Checked, StoreError>> {
        let ask = ask.clone();
        Box::pin(self.run(move |conn| {
            let now_ms = unix_ms(now);
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let expired =
                expire_where(&tx, "AND agent = ?2 AND request_hash = ?3", &[&ask.agent, &ask.request_hash], now_ms)?;
            // Live approvals of this request (none of them expired now).
            let live: Vec<Approval> = {
                let mut stmt = tx.prepare(&format!(
                    "SELECT {COLUMNS} FROM approvals WHERE agent = ?1 AND request_hash = ?2 \
                     AND state IN ('pending','approved','denied') AND expires_ms > ?3 ORDER BY created_ms"
                ))?;
                stmt.query_map(params![ask.agent, ask.request_hash, now_ms], row_approval)?
                    .collect::<rusqlite::Result<_>>()?
            };
            let answer = if let Some(mut a) = live.iter().find(|a| a.state == ApprovalState::Approved).cloned() {
                let changed = tx.execute(
                    "UPDATE approvals SET state = 'consumed', consumed_ms = ?2 WHERE id = ?1 AND state = 'approved'",
                    params![a.id, now_ms],
                )?;
                if changed != 1 {
                    return Err(bad("the approval changed during the transaction"));
                }
                a.state = ApprovalState::Consumed;
                a.consumed_at = Some(now);
                CheckAnswer::Consumed(a)
            } else if let Some(a) = live.iter().find(|a| a.state == ApprovalState::Denied) {
                CheckAnswer::Denied(a.clone())
            } else if let Some(a) = live.iter().find(|a| a.state == ApprovalState::Pending) {
                CheckAnswer::Pending(a.clone())
            } else {
                let a = Approval::new_pending(&ask, now);
                insert(&tx, &a)?;
                CheckAnswer::Requested(a)
            };
            tx.commit()?;
            Ok(Checked { answer, expired })
        }))
    }

    fn get<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<Approval>, StoreError>> {
        let id = id.to_owned();
        Box::pin(self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
            let a = get(&tx, &id)?;
            tx.commit()?;
            Ok(a)
        }))
    }

    fn list(&self, filter: ListFilter) -> BoxFuture<'_, Result<Vec<Approval>, StoreError>> {
        Box::pin(self.run(move |conn| {
            let (sql, limit) = match filter {
                ListFilter::Open => (
                    format!("SELECT {COLUMNS} FROM approvals WHERE state IN ('pending','approved') ORDER BY created_ms LIMIT ?1"),
                    i64::MAX,
                ),
                ListFilter::Recent(n) => (
                    format!("SELECT {COLUMNS} FROM approvals ORDER BY created_ms DESC LIMIT ?1"),
                    i64::try_from(n).unwrap_or(i64::MAX),
                ),
            };
            let mut stmt = conn.prepare(&sql)?;
            let rows = stmt.query_map([limit], row_approval)?.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        }))
    }

    fn decide<'a>(
        &'a self,
        id: &'a str,
        verdict: Verdict,
        by: &'a str,
        note: Option<&'a str>,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<Decided, StoreError>> {
        let (id, by, note) = (id.to_owned(), by.to_owned(), note.map(str::to_owned));
        Box::pin(self.run(move |conn| {
            let now_ms = unix_ms(now);
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let Some(mut a) = get(&tx, &id)? else {
                return Ok(Decided::NotFound);
            };
            let open = match verdict {
                Verdict::Approve => a.state == ApprovalState::Pending,
                Verdict::Deny => matches!(a.state, ApprovalState::Pending | ApprovalState::Approved),
            };
            let result = if !open {
                Decided::NotOpen(a)
            } else if a.is_expired_at(now) {
                tx.execute("UPDATE approvals SET state = 'expired' WHERE id = ?1", [&a.id])?;
                a.state = ApprovalState::Expired;
                Decided::Expired(a)
            } else {
                let state = match verdict {
                    Verdict::Approve => ApprovalState::Approved,
                    Verdict::Deny => ApprovalState::Denied,
                };
                let expires = now.checked_add(a.ttl).unwrap_or(now);
                tx.execute(
                    "UPDATE approvals SET state = ?2, decided_by = ?3, decided_ms = ?4, note = ?5, expires_ms = ?6 WHERE id = ?1",
                    params![a.id, state.as_str(), by, now_ms, note, unix_ms(expires)],
                )?;
                a.state = state;
                a.decided_by = Some(by);
                a.decided_at = Some(now);
                a.note = note;
                a.expires_at = expires;
                Decided::Done(a)
            };
            tx.commit()?;
            Ok(result)
        }))
    }

    fn expire(&self, now: SystemTime) -> BoxFuture<'_, Result<Vec<Approval>, StoreError>> {
        Box::pin(self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let found = expire_where(&tx, "", &[], unix_ms(now))?;
            tx.commit()?;
            Ok(found)
        }))
    }
}
