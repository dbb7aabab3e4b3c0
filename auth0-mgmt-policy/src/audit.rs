//! Audit records — as a plain-English sentence and the same facts as structured JSON —
//! and the [`AuditSink`] trait they are written through.
//!
//! Every call leaves one [outcome](RecordPhase::Outcome) record, allowed or denied. A
//! write that passed every check also leaves an [intent](RecordPhase::Intent) record,
//! written *before* the request leaves: if it cannot be written, the write is denied and
//! nothing is sent. Both records of a call carry the same `call_id` and the facts of the
//! call's one [`Decision`], made when the call began.
//!
//! Records never hold request bodies, query values, tokens, passwords or secrets: only
//! ids, the *names* of updated fields, codes and numbers. Every string that came from a
//! caller or a server (ids, field names, error codes and messages) is
//! [sanitized](sanitize): control characters, ANSI escapes, line and paragraph separators
//! and bidi overrides are shown as `\u{…}` escapes, so a record is always one line and a
//! `jq -r` print cannot drive a terminal.

use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use auth0_mgmt::catalog::{Action, Operation};
use auth0_mgmt::{Error, Outcome, Request};
use serde::Serialize;
use serde_json::Value;

use crate::decision::{Decision, DenyCode, Verdict};
use crate::names::Mode;
use crate::policy::Policy;
use crate::targets::{Target, TargetKind};

/// The longest sanitized string kept in a record (longer ones are cut with `…`).
pub const MAX_FIELD_CHARS: usize = 300;

/// What an [`AuditRecord::refusal`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refused {
    /// A catalog operation (its id, resource and access are recorded).
    Operation(&'static Operation),
    /// Something that names no catalog operation, recorded under this pseudo-operation
    /// id (`mcp.connect`: a connection refused before any MCP handling;
    /// `mcp.tools_call`: a call of a tool that stands for no operation). Its resource
    /// is the part before the first `.`, its access `read`.
    Other(&'static str),
}

/// A fresh call id, unique within this process (and, with a per-process random prefix,
/// practically across processes): `5f0c1a2b-00002a`. The guard gives one to every
/// call; give one to each [`AuditRecord::refusal`] made outside it.
///
/// ```
/// use auth0_mgmt_policy::audit::new_call_id;
/// let (a, b) = (new_call_id(), new_call_id());
/// assert_ne!(a, b);
/// assert_eq!(a.len(), 15);
/// ```
pub fn new_call_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    static PREFIX: OnceLock<u32> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let prefix = *PREFIX.get_or_init(|| {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
        h.write_u32(std::process::id());
        h.finish() as u32
    });
    format!("{prefix:08x}-{:06x}", NEXT.fetch_add(1, Ordering::Relaxed))
}

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
    // Fast path: short printable ASCII needs no change.
    if s.len() <= MAX_FIELD_CHARS && s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return s.to_owned();
    }
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
    let (h, m, sec, ms) = (rem / 3600, rem % 3600 / 60, rem % 60, u64::from(d.subsec_millis()));
    if !(0..=9999).contains(&year) {
        return format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{sec:02}.{ms:03}Z");
    }
    // The common case without the formatting machinery (one record, one call).
    let mut out = String::with_capacity(24);
    let mut digits = |v: u64, width: u32, sep: Option<char>| {
        for i in (0..width).rev() {
            out.push(char::from(b'0' + (v / 10u64.pow(i) % 10) as u8));
        }
        if let Some(c) = sep {
            out.push(c);
        }
    };
    digits(year as u64, 4, Some('-'));
    digits(month as u64, 2, Some('-'));
    digits(day as u64, 2, Some('T'));
    digits(h, 2, Some(':'));
    digits(m, 2, Some(':'));
    digits(sec, 2, Some('.'));
    digits(ms, 3, Some('Z'));
    out
}

/// The decision recorded for a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditDecision {
    /// Allowed and sent (or attempted).
    Allowed,
    /// Allowed by every check, but not sent: the agent runs in dry-run mode. This is
    /// what enforce mode would have decided.
    DryRun,
    /// Denied before anything was sent.
    Denied,
    /// Not sent: the call awaits a human's approval (`approval_required`).
    ApprovalRequired,
}

/// Which of a call's records this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordPhase {
    /// The write-ahead record of a write that passed every check, written (and, for file
    /// sinks, flushed) *before* the request leaves. If it cannot be written, the call is
    /// denied and nothing is sent.
    Intent,
    /// How the call ended: one per call, allowed or denied, read or write.
    Outcome,
    /// A step in an approval's life ([`ApprovalEvent`]): requested, approved, denied,
    /// expired, consumed — recorded in the same trail (and chain) as the calls.
    Approval,
}

/// What happened to an approval.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalEventKind {
    /// A call needed approval and none was open: a request was made.
    Requested,
    /// A human approved it.
    Approved,
    /// A human denied it (or withdrew an approval not yet used).
    Denied,
    /// It expired before it was decided or used.
    Expired,
    /// The identical call was re-sent and used it; it is spent.
    Consumed,
    /// A decision recorded just before did not take effect (someone else decided first,
    /// or it expired in between).
    NotApplied,
}

impl ApprovalEventKind {
    /// `requested`, `approved`, ….
    pub const fn as_str(self) -> &'static str {
        match self {
            ApprovalEventKind::Requested => "requested",
            ApprovalEventKind::Approved => "approved",
            ApprovalEventKind::Denied => "denied",
            ApprovalEventKind::Expired => "expired",
            ApprovalEventKind::Consumed => "consumed",
            ApprovalEventKind::NotApplied => "not_applied",
        }
    }
}

/// The approval facts of a [`RecordPhase::Approval`] record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApprovalEvent {
    /// The approval id (`apr_…`).
    pub id: String,
    /// What happened.
    pub event: ApprovalEventKind,
    /// Who decided (approved, denied), sanitized.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The SHA-256 of the exact request.
    pub request_hash: String,
    /// The request in plain English.
    pub request: String,
    /// Who may decide (empty: any operator).
    pub approvers: Vec<String>,
    /// RFC 3339 time the approval expires (after this event).
    pub expires_at: String,
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
    /// For `agent_rate_limited`: in how many milliseconds the agent may retry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
}

/// One audit record: who did what to which ids, the decision and why, how it ended,
/// and under which policy version.
///
/// Every call leaves exactly one [`RecordPhase::Outcome`] record; a write that passed
/// every check also leaves a [`RecordPhase::Intent`] record written before it was sent.
/// Both carry the same `call_id`. Approvals leave [`RecordPhase::Approval`] records in
/// the same trail.
///
/// Made by the guard and the approvals API; a gateway that refuses a call before it
/// reaches the guard makes its record with [`AuditRecord::refusal`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AuditRecord {
    /// RFC 3339 UTC time the record was made.
    pub time: String,
    /// Identifies the call (shared by its intent and outcome records).
    pub call_id: String,
    /// Intent (write-ahead) or outcome.
    pub phase: RecordPhase,
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
    /// The recorded body keys (never values).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// The dangerous actions the call needs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<Action>,
    /// Allowed, dry run or denied.
    pub decision: AuditDecision,
    /// `allowed`, `dry_run`, or the deny code (`action_not_granted`, …).
    pub code: Cow<'static, str>,
    /// The reason for a denial, for humans.
    pub reason: Option<String>,
    /// How it ended (for an intent record: not yet executed).
    pub outcome: AuditOutcome,
    /// SHA-256 of the policy file.
    pub policy_version: String,
    /// For [`RecordPhase::Approval`] records: the approval and what happened to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval: Option<ApprovalEvent>,
    /// The plain-English sentence.
    pub message: String,
}

impl AuditRecord {
    /// The fields every record of the call shares, from the call's one [`Decision`]:
    /// built once per call (the guard clones it for the write-ahead record and completes
    /// it for the outcome).
    pub(crate) fn base(policy: &Policy, agent: &str, call_id: &str, decision: &Decision) -> AuditRecord {
        let op = decision.operation;
        AuditRecord {
            time: String::new(),
            call_id: sanitize(call_id),
            phase: RecordPhase::Outcome,
            agent: sanitize(agent),
            mode: policy.agent(agent).map_or(Mode::Enforce, |a| a.mode()),
            operation: op.id,
            resource: op.resource.as_str(),
            access: op.access.as_str(),
            targets: decision
                .targets
                .ids
                .iter()
                .map(|t| Target { kind: t.kind, id: sanitize(&t.id), allow_listed: t.allow_listed })
                .collect(),
            fields: decision.targets.fields.iter().map(|f| sanitize(f)).collect(),
            actions: decision.needs.iter().map(|n| n.action).collect(),
            decision: AuditDecision::Allowed,
            code: Cow::Borrowed("allowed"),
            reason: None,
            outcome: AuditOutcome::default(),
            policy_version: policy.version().as_str().to_owned(),
            approval: None,
            message: String::new(),
        }
    }

    /// A denial made outside the guard, before the call reached it (a gateway refusing
    /// an unknown tool, undeclared arguments, an unauthenticated caller), as call
    /// `call_id` (a fresh [`new_call_id`] unless it belongs to a call already under
    /// way). `subject` is the catalog operation it concerns or, when it names none, the
    /// pseudo-operation to record it under (`mcp.connect`, `mcp.tools_call`); `what`
    /// says what was attempted, for the sentence of a refusal that names no operation.
    ///
    /// ```
    /// use std::time::SystemTime;
    /// use auth0_mgmt_policy::audit::{new_call_id, Refused};
    /// use auth0_mgmt_policy::{AuditRecord, Policy};
    ///
    /// let policy = Policy::from_toml("schema_version = 1\n[agents.bot]\n").unwrap();
    /// let record = AuditRecord::refusal(
    ///     &policy,
    ///     "(unauthenticated)",
    ///     Refused::Other("mcp.connect"),
    ///     &new_call_id(),
    ///     "connect over HTTP from 127.0.0.1",
    ///     "unauthenticated",
    ///     "no Authorization header",
    ///     SystemTime::now(),
    /// );
    /// assert_eq!((record.operation, record.resource), ("mcp.connect", "mcp"));
    /// assert!(!record.call_id.is_empty());
    /// assert_eq!(
    ///     record.message,
    ///     "(unauthenticated) tried to connect over HTTP from 127.0.0.1 — denied: no Authorization header"
    /// );
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub fn refusal(
        policy: &Policy,
        agent: &str,
        subject: Refused,
        call_id: &str,
        what: &str,
        code: &str,
        reason: &str,
        time: SystemTime,
    ) -> AuditRecord {
        let op = match subject {
            Refused::Operation(op) => Some(op),
            Refused::Other(_) => None,
        };
        let (operation, resource, access) = match subject {
            Refused::Operation(op) => (op.id, op.resource.as_str(), op.access.as_str()),
            Refused::Other(name) => (name, name.split_once('.').map_or(name, |(r, _)| r), "read"),
        };
        let mut record = AuditRecord {
            time: rfc3339(time),
            call_id: sanitize(call_id),
            phase: RecordPhase::Outcome,
            agent: sanitize(agent),
            mode: policy.agent(agent).map_or(Mode::Enforce, |a| a.mode()),
            operation,
            resource,
            access,
            targets: Vec::new(),
            fields: Vec::new(),
            actions: Vec::new(),
            decision: AuditDecision::Denied,
            code: Cow::Owned(sanitize(code)),
            reason: Some(sanitize(reason)),
            outcome: AuditOutcome::default(),
            policy_version: policy.version().as_str().to_owned(),
            approval: None,
            message: String::new(),
        };
        record.message = match op {
            Some(op) => record.sentence_of(op),
            None => format!("{} tried to {} — denied: {}", record.agent, sanitize(what), sanitize(reason)),
        };
        record
    }

    /// A [`RecordPhase::Approval`] record: `event` happened to `approval` (made by the
    /// guard and by [`Approvals`](crate::Approvals)).
    pub(crate) fn approval_event(
        approval: &crate::approval::Approval,
        op: &'static Operation,
        event: ApprovalEventKind,
        by: Option<&str>,
        call_id: &str,
        time: SystemTime,
    ) -> AuditRecord {
        let decision = match event {
            ApprovalEventKind::Requested | ApprovalEventKind::NotApplied => AuditDecision::ApprovalRequired,
            ApprovalEventKind::Approved | ApprovalEventKind::Consumed => AuditDecision::Allowed,
            ApprovalEventKind::Denied | ApprovalEventKind::Expired => AuditDecision::Denied,
        };
        let mut record = AuditRecord {
            time: rfc3339(time),
            call_id: sanitize(call_id),
            phase: RecordPhase::Approval,
            agent: sanitize(&approval.agent),
            mode: Mode::Enforce,
            operation: op.id,
            resource: op.resource.as_str(),
            access: op.access.as_str(),
            targets: approval
                .targets
                .iter()
                .map(|t| Target { kind: t.kind, id: sanitize(&t.id), allow_listed: t.allow_listed })
                .collect(),
            fields: Vec::new(),
            actions: approval.actions.iter().collect(),
            decision,
            code: Cow::Owned(format!("approval_{}", event.as_str())),
            reason: approval.note.as_deref().map(sanitize),
            outcome: AuditOutcome::default(),
            policy_version: sanitize(&approval.policy_version),
            approval: Some(ApprovalEvent {
                id: sanitize(&approval.id),
                event,
                by: by.map(sanitize),
                request_hash: sanitize(&approval.request_hash),
                request: sanitize(&approval.request),
                approvers: approval.approvers.iter().map(|a| sanitize(a)).collect(),
                expires_at: rfc3339(approval.expires_at),
            }),
            message: String::new(),
        };
        record.message = record.sentence_of(op);
        record
    }

    /// Completes a [`base`](Self::base) record as the write-ahead record of `op`.
    pub(crate) fn into_intent(mut self, op: &Operation, dry_run: bool, time: SystemTime) -> AuditRecord {
        self.time = rfc3339(time);
        self.phase = RecordPhase::Intent;
        if dry_run {
            self.decision = AuditDecision::DryRun;
            self.code = Cow::Borrowed("dry_run");
        }
        self.message = self.sentence_of(op);
        self
    }

    /// Completes a [`base`](Self::base) record as the outcome record of `op`.
    pub(crate) fn into_outcome(
        mut self,
        op: &Operation,
        request: &Request,
        outcome: &Outcome<'_>,
        time: SystemTime,
    ) -> AuditRecord {
        self.time = rfc3339(time);
        self.phase = RecordPhase::Outcome;
        match outcome {
            Outcome::Denied(d) => {
                if d.dry_run {
                    self.decision = AuditDecision::DryRun;
                    self.code = Cow::Borrowed("dry_run");
                } else {
                    self.decision =
                        if d.awaits_approval() { AuditDecision::ApprovalRequired } else { AuditDecision::Denied };
                    self.code = match DenyCode::parse(&d.code) {
                        Some(known) => Cow::Borrowed(known.as_str()),
                        None => Cow::Owned(sanitize(&d.code)),
                    };
                }
                self.outcome.retry_after_ms = d.retry_after.map(millis_up);
                self.reason = Some(sanitize(&d.reason));
            }
            Outcome::Cancelled { maybe_sent, elapsed } => {
                self.outcome = AuditOutcome {
                    executed: *maybe_sent,
                    error: Some(if *maybe_sent {
                        "cancelled by the caller after it was sent (or while sending): the tenant may have executed it"
                            .to_owned()
                    } else {
                        "cancelled by the caller before it was sent".to_owned()
                    }),
                    duration_ms: Some(millis(*elapsed)),
                    ..AuditOutcome::default()
                };
            }
            Outcome::Completed { status, attempts, elapsed, .. } => {
                self.outcome = AuditOutcome {
                    executed: true,
                    status: Some(status.as_u16()),
                    attempts: Some(*attempts),
                    duration_ms: Some(millis(*elapsed)),
                    ..AuditOutcome::default()
                };
            }
            Outcome::Failed { error, elapsed } => {
                let secrets = auth0_mgmt::Scrub::secrets(secret_values(request.body()));
                let scrub = |s: &str| sanitize(&secrets.text(s));
                self.outcome = AuditOutcome {
                    executed: sent(error),
                    status: error.status().map(|s| s.as_u16()),
                    error_code: error.error_code().map(&scrub),
                    error: Some(scrub(&describe_error(error))),
                    attempts: error.api().map(|a| a.attempts),
                    duration_ms: Some(millis(*elapsed)),
                    retry_after_ms: None,
                };
            }
        }
        self.message = self.sentence_of(op);
        self
    }

    /// The write-ahead record of a write that passed every check (`decision` allows it
    /// or is a dry run), made before it is sent.
    pub fn intent(policy: &Policy, agent: &str, call_id: &str, decision: &Decision, time: SystemTime) -> AuditRecord {
        AuditRecord::base(policy, agent, call_id, decision).into_intent(
            decision.operation,
            decision.verdict == Verdict::DryRun,
            time,
        )
    }

    /// The outcome record of a call: its one [`Decision`] (made when the call began) and
    /// how it ended. `request` is only read for secret values to keep out of echoed
    /// error messages.
    pub fn outcome(
        policy: &Policy,
        agent: &str,
        call_id: &str,
        decision: &Decision,
        request: &Request,
        outcome: &Outcome<'_>,
        time: SystemTime,
    ) -> AuditRecord {
        AuditRecord::base(policy, agent, call_id, decision).into_outcome(decision.operation, request, outcome, time)
    }

    /// The plain-English sentence, e.g. `support-bot read user auth0|123 — allowed, 200 in 41 ms`,
    /// from the record's fields and the catalog phrase of its operation.
    pub fn sentence(&self) -> String {
        match auth0_mgmt::catalog::find(self.operation) {
            Some(op) => self.sentence_of(op),
            None => format!("{} called {} — {}", self.agent, self.operation, self.code),
        }
    }

    fn sentence_of(&self, op: &Operation) -> String {
        let mut ids: Vec<(TargetKind, &str)> = Vec::with_capacity(self.targets.len());
        ids.extend(self.targets.iter().map(|t| (t.kind, t.id.as_str())));
        let fields: Vec<&str> = self.fields.iter().map(String::as_str).collect();
        let mut out = String::with_capacity(160);
        if let (RecordPhase::Approval, Some(a)) = (self.phase, &self.approval) {
            let by = a.by.as_deref().unwrap_or("an operator");
            match a.event {
                ApprovalEventKind::Requested => {
                    out.push_str(&format!("{} — approval {} requested", a.request, a.id));
                    if !a.approvers.is_empty() {
                        out.push_str(&format!(" from {}", a.approvers.join(" or ")));
                    }
                    out.push_str(&format!(", expires {}", a.expires_at));
                }
                ApprovalEventKind::Approved => {
                    out.push_str(&format!("{by} approved {}: {} (usable once until {})", a.id, a.request, a.expires_at))
                }
                ApprovalEventKind::Denied => out.push_str(&format!("{by} denied {}: {}", a.id, a.request)),
                ApprovalEventKind::Expired => out.push_str(&format!("approval {} expired unused: {}", a.id, a.request)),
                ApprovalEventKind::Consumed => {
                    out.push_str(&format!("{} — approval {} used (it is spent)", a.request, a.id));
                }
                ApprovalEventKind::NotApplied => out.push_str(&format!(
                    "the decision of {by} on {} did not take effect: {}",
                    a.id,
                    self.reason.as_deref().unwrap_or("it was no longer open")
                )),
            }
            return out;
        }
        out.push_str(&self.agent);
        let (lead, past, tail): (&str, bool, Cow<'_, str>) = match (self.phase, self.decision) {
            (RecordPhase::Intent, AuditDecision::DryRun) => {
                (" would ", false, " — allowed, dry run: not sending".into())
            }
            (RecordPhase::Intent | RecordPhase::Approval, _) => (" is about to ", false, " — allowed, sending".into()),
            (RecordPhase::Outcome, AuditDecision::Denied) => {
                let why = self.reason.as_deref().unwrap_or(&self.code);
                (" tried to ", false, format!(" — denied: {why}").into())
            }
            (RecordPhase::Outcome, AuditDecision::DryRun) => {
                let tail = match self.reason.as_deref().filter(|r| *r != "not executed: dry run") {
                    Some(r) => format!(" — allowed, {r}").into(),
                    None => " — allowed, not executed: dry run".into(),
                };
                (" would ", false, tail)
            }
            (RecordPhase::Outcome, AuditDecision::ApprovalRequired) => {
                let why = self.reason.as_deref().unwrap_or(&self.code);
                (" asked to ", false, format!(" — awaits approval: {why}").into())
            }
            (RecordPhase::Outcome, AuditDecision::Allowed) => {
                let o = &self.outcome;
                let ms = o.duration_ms.unwrap_or(0);
                match (&o.error, o.status) {
                    (None, Some(status)) => (" ", true, format!(" — allowed, {status} in {ms} ms").into()),
                    (None, None) => (" ", true, " — allowed".into()),
                    (Some(err), _) => (" tried to ", false, format!(" — allowed, failed: {err} in {ms} ms").into()),
                }
            }
        };
        out.push_str(lead);
        let template = if past { op.phrase.past } else { op.phrase.infinitive };
        auth0_mgmt::catalog::Phrase::render_into(template, &ids, &fields, &mut out);
        out.push_str(&tail);
        out
    }

    /// The record as one line of JSON (no trailing newline).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| {
            // Cannot happen for this type; keep a record anyway.
            format!("{{\"message\":\"unserializable audit record: {}\"}}", sanitize(&e.to_string()))
        })
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Milliseconds, rounded up (a retry time must never be too early).
fn millis_up(d: Duration) -> u64 {
    millis(d).saturating_add(u64::from(!d.subsec_nanos().is_multiple_of(1_000_000)))
}

impl fmt::Display for AuditRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
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

/// Whether a request-body key names a secret (its value is never recorded, and is
/// masked where a human is shown the body).
pub(crate) fn is_secret_key(k: &str) -> bool {
    const KEYS: &[&str] = &["password", "client_secret", "signing_secret", "secret", "access_token", "refresh_token"];
    KEYS.contains(&k) || k.contains("secret") || k.contains("password") || k.ends_with("_token")
}

/// Body values that must never appear in a record, even echoed in an error message.
fn secret_values(body: Option<&Value>) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>, depth: usize) {
        if depth > 8 {
            return;
        }
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    if is_secret_key(k)
                        && let Some(s) = v.as_str()
                        && s.len() >= 3
                    {
                        out.push(s.to_owned());
                    }
                    walk(v, out, depth + 1);
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out, depth + 1)),
            Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null => {}
        }
    }
    if let Some(b) = body {
        walk(b, &mut out, 0);
    }
    out
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
/// There is one method, and its result is the whole contract: `Ok` means the record is
/// durable (for a file: written to the operating system, flushed), `Err` means it is
/// not. The guard acts on it — a sink author has nothing else to get right:
///
/// * **Write-ahead.** Before a write is sent, its [`Intent`](RecordPhase::Intent)
///   record is written. `Err` denies the call (`audit_unavailable`): nothing is sent.
/// * **Outcome.** After every call (allowed or denied, read or write) its
///   [`Outcome`](RecordPhase::Outcome) record is written. `Err` is reported with
///   `tracing::error!`, the guard keeps the record, and it refuses every write
///   (`audit_unavailable`) until that record — and any other kept one, in order — has
///   been written. Reads are not blocked, and their records queue behind it.
/// * A record is therefore offered again after an `Err` (the same `call_id` and
///   `phase`); a sink that stores to several places (like [`Tee`](crate::Tee)) should
///   not store it twice where it already succeeded.
///
/// ```
/// use std::sync::Mutex;
/// use auth0_mgmt_policy::{AuditError, AuditRecord, AuditSink};
///
/// /// Keeps the sentences; refuses records once it holds 1000.
/// #[derive(Debug, Default)]
/// struct Bounded(Mutex<Vec<String>>);
///
/// impl AuditSink for Bounded {
///     fn write(&self, record: &AuditRecord) -> Result<(), AuditError> {
///         let mut v = self.0.lock().unwrap();
///         if v.len() >= 1000 {
///             return Err(AuditError::new("bounded", "full"));
///         }
///         v.push(record.message.clone());
///         Ok(())
///     }
/// }
/// ```
pub trait AuditSink: Send + Sync + fmt::Debug + 'static {
    /// Writes one record. `Ok` only when it is durable.
    fn write(&self, record: &AuditRecord) -> Result<(), AuditError>;
}

impl<S: AuditSink + ?Sized> AuditSink for std::sync::Arc<S> {
    fn write(&self, record: &AuditRecord) -> Result<(), AuditError> {
        (**self).write(record)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use auth0_mgmt::{UserId, catalog};

    /// A write-ahead record of a `users.delete`, for sink tests.
    pub(crate) fn sample_record() -> AuditRecord {
        let policy = Policy::from_toml("schema_version = 1\n[agents.a]\nresources = { users = \"full\" }\n").unwrap();
        let id: UserId = "auth0|1".parse().unwrap();
        let decision = policy.decide("a", &Request::new(&catalog::USERS_DELETE).id(&id));
        AuditRecord::intent(&policy, "a", "call-1", &decision, UNIX_EPOCH)
    }

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
}
