//! Audit records: one per call, allowed or denied, as a plain-English sentence and the
//! same facts as structured JSON; and the [`AuditSink`] trait they are written through.
//!
//! Records never hold request bodies, query values, tokens, passwords or secrets: only
//! ids, the *names* of updated fields, codes and numbers. Every string that came from a
//! caller or a server (ids, field names, error codes and messages) is
//! [sanitized](sanitize): control characters, ANSI escapes, line and paragraph separators
//! and bidi overrides are shown as `\u{…}` escapes, so a record is always one line and a
//! `jq -r` print cannot drive a terminal.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use auth0_mgmt::catalog::Operation;
use auth0_mgmt::{Denial, Error, Outcome, Request};
use serde::Serialize;
use serde_json::Value;

use crate::names::Mode;
use crate::policy::Policy;
use crate::targets::{Target, TargetKind};

/// The longest sanitized string kept in a record (longer ones are cut with `…`).
pub const MAX_FIELD_CHARS: usize = 300;

/// Makes a caller- or server-controlled string safe for a one-line record: control
/// characters (C0, DEL, C1, so also ESC), Unicode line/paragraph separators and bidi
/// controls become visible `\u{…}` escapes; backslashes are kept; length is capped at
/// [`MAX_FIELD_CHARS`] characters.
///
/// ```
/// use auth0_mgmt_policy::audit::sanitize;
/// assert_eq!(sanitize("evil\n\u{1b}[31mred"), "evil\\u{a}\\u{1b}[31mred");
/// ```
pub fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        if i >= MAX_FIELD_CHARS {
            out.push('…');
            break;
        }
        let bad = c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c);
        if bad {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// `2025-01-31T12:34:56.789Z` (RFC 3339, UTC, milliseconds).
pub fn rfc3339(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    let secs = d.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_millis()
    )
}

/// The decision recorded for a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditDecision {
    /// Allowed and sent (or attempted).
    Allowed,
    /// Allowed but not sent: dry run.
    DryRun,
    /// Denied before anything was sent.
    Denied,
}

/// How the call ended.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AuditOutcome {
    /// Whether a request was sent to the tenant.
    pub executed: bool,
    /// The HTTP status of the final response, when there was one.
    pub status: Option<u16>,
    /// Auth0's `errorCode` (or the OAuth `error` of a token failure), sanitized.
    pub error_code: Option<String>,
    /// A short description of a failure, sanitized and free of request secrets.
    pub error: Option<String>,
    /// Attempts made (retries included), when sent.
    pub attempts: Option<u32>,
    /// Time from the start of the call, in milliseconds (absent for denials).
    pub duration_ms: Option<u64>,
}

/// One audit record: who did what to which ids, the decision and why, how it ended,
/// and under which policy version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    /// RFC 3339 UTC time the call ended.
    pub time: String,
    /// The agent.
    pub agent: String,
    /// The agent's mode.
    pub mode: Mode,
    /// The operation id (`users.get`).
    pub operation: &'static str,
    /// The resource family (`users`).
    pub resource: &'static str,
    /// `read` or `write`.
    pub access: &'static str,
    /// The ids the call touches (sanitized).
    pub targets: Vec<Target>,
    /// For updates: the names of the changed top-level fields (never values).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// Allowed, dry run or denied.
    pub decision: AuditDecision,
    /// `allowed`, `dry_run`, or the deny code (`action_not_granted`, …).
    pub code: String,
    /// The reason for a denial, for humans.
    pub reason: Option<String>,
    /// How it ended.
    pub outcome: AuditOutcome,
    /// SHA-256 of the policy file.
    pub policy_version: String,
    /// The plain-English sentence.
    pub message: String,
}

impl AuditRecord {
    /// The record of one call of `agent` under `policy`, from the request and how it
    /// ended (what a [`CallHook::finish`](auth0_mgmt::CallHook::finish) sees).
    /// Targets are derived from the request the same way [`Policy::decide`] does.
    pub fn new(
        policy: &Policy,
        agent: &str,
        request: &Request,
        outcome: &Outcome<'_>,
        time: SystemTime,
    ) -> AuditRecord {
        let mode = policy.agent(agent).map_or(Mode::Enforce, |a| a.mode());
        let (targets, _) = crate::targets::extract(request);
        let policy_version = policy.version().as_str();
        let now = time;
        let op = request.operation();
        let secrets = secret_values(request.body());
        let scrub = |s: &str| {
            let mut s = s.to_owned();
            for secret in &secrets {
                s = s.replace(secret.as_str(), "[REDACTED]");
            }
            sanitize(&s)
        };
        let (decision, code, reason, out) = match outcome {
            Outcome::Denied(d) => denied_parts(d),
            Outcome::Completed { status, attempts, elapsed, .. } => (
                AuditDecision::Allowed,
                "allowed".to_owned(),
                None,
                AuditOutcome {
                    executed: true,
                    status: Some(status.as_u16()),
                    attempts: Some(*attempts),
                    duration_ms: Some(elapsed.as_millis() as u64),
                    ..AuditOutcome::default()
                },
            ),
            Outcome::Failed { error, elapsed } => (
                AuditDecision::Allowed,
                "allowed".to_owned(),
                None,
                AuditOutcome {
                    executed: sent(error),
                    status: error.status().map(|s| s.as_u16()),
                    error_code: error.error_code().map(&scrub),
                    error: Some(scrub(&describe_error(error))),
                    attempts: error.api().map(|a| a.attempts),
                    duration_ms: Some(elapsed.as_millis() as u64),
                },
            ),
            _ => (AuditDecision::Allowed, "allowed".to_owned(), None, AuditOutcome::default()),
        };
        let fields: Vec<String> = targets.fields.iter().map(|f| sanitize(f)).collect();
        let targets: Vec<Target> =
            targets.ids.into_iter().map(|t| Target { kind: t.kind, id: sanitize(&t.id) }).collect();
        let mut record = AuditRecord {
            time: rfc3339(now),
            agent: sanitize(agent),
            mode,
            operation: op.id,
            resource: op.resource.as_str(),
            access: op.access.as_str(),
            targets,
            fields,
            decision,
            code,
            reason: reason.map(|r| scrub(&r)),
            outcome: out,
            policy_version: policy_version.to_owned(),
            message: String::new(),
        };
        record.message = record.sentence();
        record
    }

    /// The plain-English sentence, e.g. `support-bot read user auth0|123 — allowed, 200 in 41 ms`.
    pub fn sentence(&self) -> String {
        let op = auth0_mgmt::catalog::find(self.operation);
        let (inf, past) = match op {
            Some(op) => phrases(op, &self.targets, &self.fields),
            None => (self.operation.to_owned(), format!("called {}", self.operation)),
        };
        let agent = &self.agent;
        match self.decision {
            AuditDecision::Denied => {
                format!("{agent} tried to {inf} — denied: {}", self.reason.as_deref().unwrap_or(self.code.as_str()))
            }
            AuditDecision::DryRun => format!("{agent} would {inf} — allowed, not executed: dry run"),
            AuditDecision::Allowed => {
                let o = &self.outcome;
                let ms = o.duration_ms.unwrap_or(0);
                match (&o.error, o.status) {
                    (None, Some(status)) => format!("{agent} {past} — allowed, {status} in {ms} ms"),
                    (None, None) => format!("{agent} {past} — allowed"),
                    (Some(err), _) => format!("{agent} tried to {inf} — allowed, failed: {err} in {ms} ms"),
                }
            }
        }
    }

    /// The record as one line of JSON (no trailing newline).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| {
            // Cannot happen for this type; keep a record anyway.
            format!("{{\"message\":\"unserializable audit record: {}\"}}", sanitize(&e.to_string()))
        })
    }
}

impl fmt::Display for AuditRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn denied_parts(d: &Denial) -> (AuditDecision, String, Option<String>, AuditOutcome) {
    if d.dry_run {
        (AuditDecision::DryRun, "dry_run".into(), Some(d.reason.clone()), AuditOutcome::default())
    } else {
        (AuditDecision::Denied, sanitize(&d.code), Some(d.reason.clone()), AuditOutcome::default())
    }
}

/// Whether a failed call reached the tenant.
fn sent(e: &Error) -> bool {
    matches!(e, Error::Api(_) | Error::WaitTooLong { .. } | Error::Transport { .. } | Error::Decode(_))
}

fn describe_error(e: &Error) -> String {
    match e {
        Error::Api(api) => {
            let mut s = api.status.as_u16().to_string();
            if let Some(reason) = api.status.canonical_reason() {
                s.push(' ');
                s.push_str(reason);
            }
            if let Some(code) = api.error_code() {
                s.push_str(&format!(" ({code})"));
            }
            if let Some(m) = api.message() {
                let m: String = m.chars().take(160).collect();
                s.push_str(": ");
                s.push_str(&m);
            }
            s
        }
        other => other.to_string().chars().take(200).collect(),
    }
}

/// Body values that must never appear in a record, even echoed in an error message.
fn secret_values(body: Option<&Value>) -> Vec<String> {
    const KEYS: &[&str] = &["password", "client_secret", "signing_secret", "secret", "access_token", "refresh_token"];
    let mut out = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>, depth: usize) {
        if depth > 8 {
            return;
        }
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    if KEYS.contains(&k.as_str()) || k.contains("secret") || k.contains("password") {
                        if let Some(s) = v.as_str() {
                            if s.len() >= 3 {
                                out.push(s.to_owned());
                            }
                        }
                    }
                    walk(v, out, depth + 1);
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out, depth + 1)),
            _ => {}
        }
    }
    if let Some(b) = body {
        walk(b, &mut out, 0);
    }
    out
}

fn ids(targets: &[Target], kind: TargetKind) -> Vec<&str> {
    targets.iter().filter(|t| t.kind == kind).map(|t| t.id.as_str()).collect()
}

fn one(targets: &[Target], kind: TargetKind) -> String {
    ids(targets, kind).first().map_or_else(|| "(none)".to_owned(), |s| (*s).to_owned())
}

fn counted(noun: &str, ids: &[&str]) -> String {
    match ids.len() {
        0 => format!("no {noun}s"),
        1 => format!("{noun} {}", ids[0]),
        _ => format!("{noun}s {}", ids.join(", ")),
    }
}

/// (infinitive, past) phrases of an operation, with its targets filled in.
pub(crate) fn phrases(op: &Operation, t: &[Target], fields: &[String]) -> (String, String) {
    use TargetKind as K;
    let f = if fields.is_empty() { String::new() } else { format!(" ({})", fields.join(", ")) };
    let both = |s: String| (s.clone(), s);
    let pair = |a: String, b: String| (a, b);
    match op.id {
        "users.list" => pair("list users".into(), "listed users".into()),
        "users.get" => both(format!("read user {}", one(t, K::User))),
        "users.create" => {
            let c = one(t, K::ConnectionName);
            pair(format!("create a user in connection {c}"), format!("created a user in connection {c}"))
        }
        "users.update" => {
            let u = one(t, K::User);
            pair(format!("update user {u}{f}"), format!("updated user {u}{f}"))
        }
        "users.delete" => {
            let u = one(t, K::User);
            pair(format!("delete user {u}"), format!("deleted user {u}"))
        }
        "users.list_by_email" => pair("look up users by email".into(), "looked up users by email".into()),
        "roles.list" => pair("list roles".into(), "listed roles".into()),
        "roles.get" => both(format!("read role {}", one(t, K::Role))),
        "roles.create" => pair("create a role".into(), "created a role".into()),
        "users.list_roles" => {
            let u = one(t, K::User);
            pair(format!("list the roles of user {u}"), format!("listed the roles of user {u}"))
        }
        "users.assign_roles" => {
            let (r, u) = (counted("role", &ids(t, K::Role)), one(t, K::User));
            pair(format!("assign {r} to user {u}"), format!("assigned {r} to user {u}"))
        }
        "users.remove_roles" => {
            let (r, u) = (counted("role", &ids(t, K::Role)), one(t, K::User));
            pair(format!("remove {r} from user {u}"), format!("removed {r} from user {u}"))
        }
        "clients.list" => pair("list applications".into(), "listed applications".into()),
        "clients.get" => both(format!("read application {}", one(t, K::Client))),
        "clients.create" => pair("create an application".into(), "created an application".into()),
        "clients.update" => {
            let c = one(t, K::Client);
            pair(format!("update application {c}{f}"), format!("updated application {c}{f}"))
        }
        "clients.delete" => {
            let c = one(t, K::Client);
            pair(format!("delete application {c}"), format!("deleted application {c}"))
        }
        "connections.list" => pair("list connections".into(), "listed connections".into()),
        "connections.get" => both(format!("read connection {}", one(t, K::Connection))),
        "connections.create" => {
            let c = one(t, K::ConnectionName);
            pair(format!("create connection {c}"), format!("created connection {c}"))
        }
        "organizations.list" => pair("list organizations".into(), "listed organizations".into()),
        "organizations.get" => both(format!("read organization {}", one(t, K::Organization))),
        "organizations.create" => pair("create an organization".into(), "created an organization".into()),
        "organizations.add_members" => {
            let (m, o) = (counted("user", &ids(t, K::User)), one(t, K::Organization));
            pair(format!("add {m} to organization {o}"), format!("added {m} to organization {o}"))
        }
        "organizations.list_members" => {
            let o = one(t, K::Organization);
            pair(format!("list the members of organization {o}"), format!("listed the members of organization {o}"))
        }
        "logs.list" => pair("list log events".into(), "listed log events".into()),
        "logs.get" => both(format!("read log event {}", one(t, K::Log))),
        "grants.list" => pair("list grants".into(), "listed grants".into()),
        "grants.delete" => {
            let g = one(t, K::Grant);
            pair(format!("delete grant {g}"), format!("deleted grant {g}"))
        }
        "resource_servers.list" => pair("list APIs".into(), "listed APIs".into()),
        "resource_servers.get" => both(format!("read API {}", one(t, K::Api))),
        "resource_servers.create" => {
            let a = one(t, K::Api);
            pair(format!("create API {a}"), format!("created API {a}"))
        }
        "refresh_tokens.list" => pair("list refresh tokens".into(), "listed refresh tokens".into()),
        "refresh_tokens.get" => both(format!("read refresh token {}", one(t, K::RefreshToken))),
        "refresh_tokens.update" => {
            let r = one(t, K::RefreshToken);
            pair(format!("update refresh token {r}{f}"), format!("updated refresh token {r}{f}"))
        }
        "refresh_tokens.delete" => {
            let r = one(t, K::RefreshToken);
            pair(format!("delete refresh token {r}"), format!("deleted refresh token {r}"))
        }
        "refresh_tokens.revoke" => {
            let tokens = ids(t, K::RefreshToken);
            let mut what = if tokens.is_empty() {
                format!("the refresh tokens of user {}", one(t, K::User))
            } else {
                counted("refresh token", &tokens)
            };
            if let Some(c) = ids(t, K::Client).first() {
                what.push_str(&format!(" for application {c}"));
            }
            if let Some(a) = ids(t, K::Api).first() {
                what.push_str(&format!(" for API {a}"));
            }
            pair(format!("revoke {what}"), format!("revoked {what}"))
        }
        "sessions.get" => both(format!("read session {}", one(t, K::Session))),
        "sessions.update" => {
            let s = one(t, K::Session);
            pair(format!("update session {s}{f}"), format!("updated session {s}{f}"))
        }
        _ => pair(op.summary.to_owned(), format!("called {} ({})", op.id, op.summary)),
    }
}

/// Why a record could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit sink {sink}: {message}")]
pub struct AuditError {
    /// Which sink (`json-lines /var/log/agents.jsonl`, `memory`, …).
    pub sink: String,
    /// What went wrong.
    pub message: String,
}

impl AuditError {
    /// An error of `sink`.
    pub fn new(sink: impl Into<String>, message: impl Into<String>) -> AuditError {
        AuditError { sink: sink.into(), message: message.into() }
    }
}

/// Where audit records go. Implementations must be cheap to call from any thread.
///
/// # Fail-closed semantics
///
/// * Before a **write** is sent, the guard calls [`ready`](AuditSink::ready); an error
///   denies the call (`audit_unavailable`) — nothing is sent.
/// * After every call, the guard calls [`write`](AuditSink::write) exactly once. A
///   failure is reported with `tracing::error!` (including the record's sentence) and
///   must leave the sink *poisoned*: `ready` keeps failing until the sink has recovered
///   (for the file sink: until the records it could not write are on disk).
/// * **Reads** are not blocked by an unhealthy sink; their records are still attempted
///   and every failure is reported with `tracing::error!`.
pub trait AuditSink: Send + Sync + fmt::Debug + 'static {
    /// Writes one record. Must be durable (flushed to the OS) when it returns `Ok`.
    fn write(&self, record: &AuditRecord) -> Result<(), AuditError>;

    /// Whether the next record can be written: not poisoned, destination usable.
    fn ready(&self) -> Result<(), AuditError> {
        Ok(())
    }
}

impl<S: AuditSink + ?Sized> AuditSink for std::sync::Arc<S> {
    fn write(&self, record: &AuditRecord) -> Result<(), AuditError> {
        (**self).write(record)
    }

    fn ready(&self) -> Result<(), AuditError> {
        (**self).ready()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let t = UNIX_EPOCH + Duration::from_millis(951_782_400_123); // 2000-02-29
        assert_eq!(rfc3339(t), "2000-02-29T00:00:00.123Z");
        let t = UNIX_EPOCH + Duration::from_secs(4_102_444_799); // 2099-12-31T23:59:59
        assert_eq!(rfc3339(t), "2099-12-31T23:59:59.000Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_709_251_199); // 2024-02-29T23:59:59
        assert_eq!(rfc3339(t), "2024-02-29T23:59:59.000Z");
    }

    #[test]
    fn sanitizing() {
        assert_eq!(sanitize("plain auth0|123"), "plain auth0|123");
        assert_eq!(sanitize("a\r\nb\tc"), "a\\u{d}\\u{a}b\\u{9}c");
        assert_eq!(sanitize("\u{1b}[2J\u{9b}"), "\\u{1b}[2J\\u{9b}");
        assert_eq!(sanitize("x\u{2028}y\u{202e}z"), "x\\u{2028}y\\u{202e}z");
        assert_eq!(sanitize(&"a".repeat(400)).chars().count(), MAX_FIELD_CHARS + 1);
    }

    #[test]
    fn every_operation_has_phrases() {
        for op in auth0_mgmt::catalog::ALL {
            let (inf, past) = phrases(op, &[], &[]);
            assert!(!past.starts_with("called"), "{} has no phrase", op.id);
            assert!(!inf.is_empty());
        }
    }
}
