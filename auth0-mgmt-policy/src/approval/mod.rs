//! Human approval of dangerous actions, call by call.
//!
//! Per agent, `approve = ["delete_users", …]` grants dangerous actions **only with a
//! human's approval**. Such a call is neither allowed nor denied outright:
//!
//! 1. Every other check runs first — targets, guardrails, level, the other actions,
//!    allow-lists, the token's scopes, the agent's budget. A denial by any of them is
//!    final and asks nobody (deny always beats approve).
//! 2. Then, in the guard's `before_send`, the [`ApprovalStore`] is asked about this
//!    exact request: the SHA-256 of agent, operation id, path id, query and canonical
//!    body ([`request_hash`]). With no approval, a request is made and the call ends
//!    with [`Denial::approval_required`](auth0_mgmt::Denial::approval_required) —
//!    nothing is sent — carrying the approval id, who must decide and the request in
//!    plain English ("support-bot wants to delete user auth0|123").
//! 3. A human decides out of band with [`Approvals`] (`auth0-mgmt-mcp approvals list |
//!    approve ID | deny ID`), naming themselves.
//! 4. The agent re-sends the **identical** call. An approved approval of that hash is
//!    consumed atomically and the call proceeds, exactly once. A changed body, path id or
//!    query is another request (a new approval). A denied approval answers
//!    `approval_denied` to identical retries until it expires; an expired or consumed one
//!    never executes anything again (a later identical call asks anew).
//!
//! Times: a request stays open for `[approvals] expire_after_minutes` (default 15), and
//! a granted approval is usable once within the same span after the grant. Every step —
//! requested, approved, denied, expired, consumed — is an audit record
//! ([`RecordPhase::Approval`](crate::RecordPhase::Approval)) in the same trail as the
//! calls. An agent in dry-run mode is never asked about: its call ends as a dry run
//! whose reason says that enforce mode would ask.
//!
//! The default store is [`SqliteApprovalStore`]: one SQLite file that the gateway and
//! the CLI open at the same time (transactions make approve and consume race safely).

mod sqlite;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use auth0_mgmt::catalog::{self, ActionSet, Operation};
use auth0_mgmt::{ApprovalChannel, ApprovalTicket, BoxFuture, Request};
use serde_json::{Value, json};

use crate::audit::{ApprovalEventKind, AuditError, AuditRecord, AuditSink, rfc3339};
use crate::canonical::{canonical_json, sha256_hex};
use crate::clock::{Clock, SystemClock};
use crate::targets::Target;

pub use sqlite::SqliteApprovalStore;

/// The SHA-256 (hex) that binds an approval to one exact request: of the canonical JSON
/// ([`canonical`](crate::canonical)) of
///
/// ```json
/// {"agent":"support-bot","body":<the body or null>,"operation":"users.delete",
///  "path_id":"auth0|123" or null,"query":[["name","value"], …]}
/// ```
///
/// — the path id unencoded, the query pairs in their order, the body exactly as it will
/// be sent (its keys sorted in the canonical form, so key order does not matter; any
/// other difference does).
///
/// ```
/// use auth0_mgmt::{catalog, Request, UserId};
/// use auth0_mgmt_policy::approval::request_hash;
///
/// let id: UserId = "auth0|123".parse()?;
/// let a = request_hash("support-bot", &Request::new(&catalog::USERS_DELETE).id(&id));
/// let b = request_hash("other-bot", &Request::new(&catalog::USERS_DELETE).id(&id));
/// assert_eq!(a.len(), 64);
/// assert_ne!(a, b);
/// # Ok::<(), auth0_mgmt::IdError>(())
/// ```
pub fn request_hash(agent: &str, request: &Request) -> String {
    let query: Vec<Value> = request.query_pairs().map(|(k, v)| json!([k, v])).collect();
    let v = json!({
        "agent": agent,
        "operation": request.operation().id,
        "path_id": request.path_id(),
        "query": query,
        "body": request.body().cloned().unwrap_or(Value::Null),
    });
    sha256_hex(canonical_json(&v).as_bytes())
}

/// Where an approval stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ApprovalState {
    /// Waiting for a human.
    Pending,
    /// Approved, not used yet.
    Approved,
    /// Denied by a human.
    Denied,
    /// Expired before it was decided or used.
    Expired,
    /// Used by the identical call; spent.
    Consumed,
}

impl ApprovalState {
    /// `pending`, `approved`, `denied`, `expired`, `consumed`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ApprovalState::Pending => "pending",
            ApprovalState::Approved => "approved",
            ApprovalState::Denied => "denied",
            ApprovalState::Expired => "expired",
            ApprovalState::Consumed => "consumed",
        }
    }

    /// Parses [`as_str`](Self::as_str)'s names.
    pub fn parse(s: &str) -> Option<ApprovalState> {
        [Self::Pending, Self::Approved, Self::Denied, Self::Expired, Self::Consumed]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

impl fmt::Display for ApprovalState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the guard asks the store about: one request that needs approval.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApprovalAsk {
    /// The agent.
    pub agent: String,
    /// The operation id.
    pub operation: &'static str,
    /// [`request_hash`] of the call.
    pub request_hash: String,
    /// The request in plain English ("support-bot wants to delete user auth0|123").
    pub request: String,
    /// The ids it touches.
    pub targets: Vec<Target>,
    /// The actions that need the approval.
    pub actions: ActionSet,
    /// Who may decide (empty: any operator).
    pub approvers: Vec<String>,
    /// How the decision is made.
    pub channel: ApprovalChannel,
    /// The policy version deciding.
    pub policy_version: String,
    /// How long a request stays open, and a grant usable.
    pub ttl: Duration,
    /// The call asking.
    pub call_id: String,
    /// The request body for the human who decides: [`body_preview`] (secret values
    /// masked, long text cut). Never written to the audit trail.
    pub details: Option<String>,
}

impl ApprovalAsk {
    /// An ask for one request (the guard fills every field; stores outside this crate
    /// use this in their tests): no targets, actions or approvers, the operator channel,
    /// every other field as given. Every field is public to fill in further.
    pub fn new(
        agent: impl Into<String>,
        operation: &'static Operation,
        request_hash: impl Into<String>,
        request: impl Into<String>,
        ttl: Duration,
    ) -> ApprovalAsk {
        ApprovalAsk {
            agent: agent.into(),
            operation: operation.id,
            request_hash: request_hash.into(),
            request: request.into(),
            targets: Vec::new(),
            actions: ActionSet::empty(),
            approvers: Vec::new(),
            channel: ApprovalChannel::default(),
            policy_version: String::new(),
            ttl,
            call_id: String::new(),
            details: None,
        }
    }
}

/// One approval, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Approval {
    /// `apr_` and 26 random characters.
    pub id: String,
    /// The agent whose call it is.
    pub agent: String,
    /// The operation id.
    pub operation: String,
    /// [`request_hash`] of the call.
    pub request_hash: String,
    /// The request in plain English.
    pub request: String,
    /// The ids it touches.
    pub targets: Vec<Target>,
    /// The actions that need it.
    pub actions: ActionSet,
    /// Who may decide (empty: any operator).
    pub approvers: Vec<String>,
    /// How the decision is made.
    pub channel: ApprovalChannel,
    /// The policy version that asked.
    pub policy_version: String,
    /// Where it stands.
    pub state: ApprovalState,
    /// When it was requested.
    pub created_at: SystemTime,
    /// Until when it can be decided (pending) or used (approved); after a denial, until
    /// when identical retries are answered `approval_denied`.
    pub expires_at: SystemTime,
    /// How long a request stays open, and a grant usable.
    pub ttl: Duration,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<SystemTime>,
    /// A note given with a denial.
    pub note: Option<String>,
    /// When the identical call used it.
    pub consumed_at: Option<SystemTime>,
    /// The call that asked for it.
    pub call_id: String,
    /// The request body as the human who decides sees it ([`body_preview`]: secret
    /// values masked, long text cut); `None` for a call without a body. Stores keep it;
    /// the audit trail never does.
    pub details: Option<String>,
}

impl Approval {
    /// A new pending approval for `ask` at `now`, with a fresh id.
    pub fn new_pending(ask: &ApprovalAsk, now: SystemTime) -> Approval {
        Approval {
            id: new_id(),
            agent: ask.agent.clone(),
            operation: ask.operation.to_owned(),
            request_hash: ask.request_hash.clone(),
            request: ask.request.clone(),
            targets: ask.targets.clone(),
            actions: ask.actions,
            approvers: ask.approvers.clone(),
            channel: ask.channel,
            policy_version: ask.policy_version.clone(),
            state: ApprovalState::Pending,
            created_at: now,
            expires_at: now.checked_add(ask.ttl).unwrap_or(now),
            ttl: ask.ttl,
            decided_by: None,
            decided_at: None,
            note: None,
            consumed_at: None,
            call_id: ask.call_id.clone(),
            details: ask.details.clone(),
        }
    }

    /// An approval rebuilt by a store outside this crate from its own records: `id` in
    /// `state`, every other field empty, zero or the Unix epoch — to be filled in (every
    /// field is public).
    pub fn restored(id: impl Into<String>, state: ApprovalState) -> Approval {
        let epoch = SystemTime::UNIX_EPOCH;
        Approval {
            id: id.into(),
            agent: String::new(),
            operation: String::new(),
            request_hash: String::new(),
            request: String::new(),
            targets: Vec::new(),
            actions: ActionSet::empty(),
            approvers: Vec::new(),
            channel: ApprovalChannel::default(),
            policy_version: String::new(),
            state,
            created_at: epoch,
            expires_at: epoch,
            ttl: Duration::ZERO,
            decided_by: None,
            decided_at: None,
            note: None,
            consumed_at: None,
            call_id: String::new(),
            details: None,
        }
    }

    /// Whether it is past its expiry at `now`.
    pub fn is_expired_at(&self, now: SystemTime) -> bool {
        now >= self.expires_at
    }

    /// The [`ApprovalTicket`] a [`Denial`](auth0_mgmt::Denial) carries.
    pub fn ticket(&self) -> ApprovalTicket {
        let mut t = ApprovalTicket::new(
            self.id.clone(),
            self.request.clone(),
            self.approvers.clone(),
            self.channel,
            self.expires_at,
            self.request_hash.clone(),
        );
        t.decided_by = self.decided_by.clone();
        t
    }

    /// The catalog operation.
    pub fn operation(&self) -> Option<&'static Operation> {
        catalog::find(&self.operation)
    }
}

impl fmt::Display for Approval {
    /// `apr_… pending: support-bot wants to delete user auth0|123 (expires 2026-…Z)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {} (expires {})", self.id, self.state, self.request, rfc3339(self.expires_at))?;
        if let Some(by) = &self.decided_by {
            write!(f, " — {} by {by}", self.state)?;
        }
        Ok(())
    }
}

/// `apr_` and 26 characters of base 32 (130 random bits).
fn new_id() -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut s = String::with_capacity(30);
    s.push_str("apr_");
    let mut bits: u128 = fastrand::u128(..);
    let extra = fastrand::u8(..);
    for i in 0..26 {
        if i == 25 {
            bits = u128::from(extra);
        }
        s.push(char::from(ALPHABET[(bits & 31) as usize]));
        bits >>= 5;
    }
    s
}

/// The name to list among an agent's `approvers` so that, with `approval = "client"`,
/// the user of the agent's MCP client may decide (the gateway asks them through MCP
/// elicitation). An `approvers` list without it keeps the decision with the named
/// operators.
pub const CLIENT_APPROVER: &str = "mcp-client";

/// Who a decision made by the user of `agent`'s MCP client is recorded as:
/// `mcp-client:<agent>` — a name of the channel, never one the agent chose.
///
/// ```
/// use auth0_mgmt_policy::approval::{client_approver, client_may_decide};
/// assert_eq!(client_approver("support-bot"), "mcp-client:support-bot");
/// assert!(client_may_decide(&[], "support-bot"));
/// assert!(client_may_decide(&["alice".into(), "mcp-client".into()], "support-bot"));
/// assert!(!client_may_decide(&["alice".into()], "support-bot"));
/// ```
pub fn client_approver(agent: &str) -> String {
    format!("{CLIENT_APPROVER}:{agent}")
}

/// Whether `approvers` (an agent's, as the policy gives them) let the user of the
/// agent's MCP client decide: they name nobody, or they list [`CLIENT_APPROVER`] or
/// [`client_approver`]`(agent)`.
pub fn client_may_decide(approvers: &[String], agent: &str) -> bool {
    approvers.is_empty() || approvers.iter().any(|a| a == CLIENT_APPROVER || *a == client_approver(agent))
}

/// How long a [`body_preview`] may be, in characters.
pub const PREVIEW_CHARS: usize = 2_000;

/// A request body as the human who approves it sees it: compact JSON in which the value
/// of every key that names a secret (`password`, `client_secret`, any key containing
/// `secret` or `password`, tokens) is `"[REDACTED]"`, nesting past 16 levels is `"…"`,
/// and the whole is cut to [`PREVIEW_CHARS`] characters (ending in `…`).
///
/// ```
/// use auth0_mgmt_policy::approval::body_preview;
/// use serde_json::json;
///
/// let body = json!({"password": "hunter2!", "app_metadata": {"plan": "pro"}});
/// assert_eq!(
///     body_preview(Some(&body)).unwrap(),
///     r#"{"app_metadata":{"plan":"pro"},"password":"[REDACTED]"}"#
/// );
/// assert_eq!(body_preview(None), None);
/// ```
pub fn body_preview(body: Option<&Value>) -> Option<String> {
    fn mask(v: &Value, depth: usize) -> Value {
        if depth > 16 {
            return Value::String("…".into());
        }
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| {
                        let v = if crate::audit::is_secret_key(k) && !v.is_null() {
                            Value::String("[REDACTED]".into())
                        } else {
                            mask(v, depth + 1)
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(|v| mask(v, depth + 1)).collect()),
            other => other.clone(),
        }
    }
    let text = mask(body?, 0).to_string();
    Some(match text.char_indices().nth(PREVIEW_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    })
}

/// Whether `id` looks like an approval id (`apr_` and 26 base-32 characters).
pub fn is_approval_id(id: &str) -> bool {
    id.len() == 30 && id.starts_with("apr_") && id[4..].bytes().all(|b| matches!(b, b'a'..=b'z' | b'2'..=b'7'))
}

/// The store's answer to the guard's [`ApprovalStore::check`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckAnswer {
    /// An approved approval of exactly this request existed; it is now consumed: send
    /// the call.
    Consumed(Approval),
    /// A request for it is open, waiting for a human.
    Pending(Approval),
    /// No request was open: this one was just made.
    Requested(Approval),
    /// A human denied this exact request (and the denial has not expired).
    Denied(Approval),
}

/// [`ApprovalStore::check`]'s result: the answer, and the approvals of this request
/// that were found expired (and are now marked so) on the way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    /// The answer.
    pub answer: CheckAnswer,
    /// Approvals of the same request that expired (to be recorded).
    pub expired: Vec<Approval>,
}

/// A human's decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Approve (a pending request).
    Approve,
    /// Deny (a pending request, or an approval not yet used).
    Deny,
}

/// What [`ApprovalStore::decide`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decided {
    /// Done; the approval as it is now.
    Done(Approval),
    /// No approval has that id.
    NotFound,
    /// It had expired (and is now marked so); nothing else changed.
    Expired(Approval),
    /// It is not in a state this verdict applies to (already approved, denied,
    /// consumed, expired).
    NotOpen(Approval),
}

/// Why a store could not answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("approval store {store}: {message}")]
pub struct StoreError {
    /// Which store (`sqlite /var/lib/agents/approvals.sqlite`).
    pub store: String,
    /// What went wrong.
    pub message: String,
}

impl StoreError {
    /// An error of `store`.
    pub fn new(store: impl Into<String>, message: impl Into<String>) -> StoreError {
        StoreError { store: store.into(), message: message.into() }
    }
}

/// Filter for [`ApprovalStore::list`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListFilter {
    /// Pending and approved-but-unused approvals (what a human may still act on).
    Open,
    /// Every approval, newest first, at most this many.
    Recent(usize),
}

/// Where approvals are kept. Asynchronous (a Redis store is), shared by processes: the
/// gateway's guards call [`check`](Self::check); the CLI calls the rest through
/// [`Approvals`].
///
/// The contract an implementation must keep:
///
/// * [`check`](Self::check) is **atomic**: of two concurrent checks of the same request
///   with one approved approval, exactly one gets [`CheckAnswer::Consumed`]; at most one
///   request is open per (agent, hash).
/// * [`decide`](Self::decide) is atomic against `check`: an approval is consumed only if
///   approved, approved only if pending and unexpired; deny applies to pending or
///   approved-but-unused approvals (deny beats approve).
/// * Expiry is decided with the `now` passed in; an approval at or past `expires_at`
///   is never consumed or approved.
pub trait ApprovalStore: Send + Sync + fmt::Debug + 'static {
    /// For the guard, at `before_send` of a call that needs approval: expire what has
    /// expired; consume an approved approval of this request if there is one; else
    /// answer a denial or an open request; else make a request.
    fn check<'a>(&'a self, ask: &'a ApprovalAsk, now: SystemTime) -> BoxFuture<'a, Result<Checked, StoreError>>;

    /// One approval by id.
    fn get<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<Approval>, StoreError>>;

    /// Approvals matching `filter`, oldest first for [`ListFilter::Open`].
    fn list(&self, filter: ListFilter) -> BoxFuture<'_, Result<Vec<Approval>, StoreError>>;

    /// A human's decision on approval `id`, by `by`, with an optional note. Approving
    /// starts the grant's usable span (`ttl` from `now`); denying keeps identical retries
    /// answered `approval_denied` for `ttl` from `now`.
    fn decide<'a>(
        &'a self,
        id: &'a str,
        verdict: Verdict,
        by: &'a str,
        note: Option<&'a str>,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<Decided, StoreError>>;

    /// Marks every pending or approved approval at or past its expiry as expired and
    /// returns them.
    fn expire(&self, now: SystemTime) -> BoxFuture<'_, Result<Vec<Approval>, StoreError>>;
}

/// Why [`Approvals`] refused or failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApprovalError {
    /// No approval has that id.
    #[error("no approval {0}")]
    NotFound(String),
    /// The id is not an approval id.
    #[error("`{0}` is not an approval id (apr_ and 26 characters)")]
    BadId(String),
    /// It expired before the decision.
    #[error("approval {} expired at {}; the agent must send the call again to ask anew", .0.id, rfc3339(.0.expires_at))]
    Expired(Box<Approval>),
    /// It is no longer open for this decision.
    #[error("approval {} is {}{}", .0.id, .0.state, .0.decided_by.as_deref().map(|b| format!(" (by {b})")).unwrap_or_default())]
    NotOpen(Box<Approval>),
    /// `by` is not one of the approvers the policy names.
    #[error("{by} may not decide approval {id}; its approvers are {approvers}")]
    NotAnApprover {
        /// The approval.
        id: String,
        /// Who tried.
        by: String,
        /// Who may.
        approvers: String,
    },
    /// The name given for the human is empty, too long, holds control characters, or is
    /// the requesting agent's own name.
    #[error("invalid approver name: {0}")]
    BadName(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The audit record of the decision could not be written; nothing was decided.
    #[error("the decision was not made: its audit record could not be written ({0})")]
    Audit(#[from] AuditError),
}

/// The human side of approvals: list, approve, deny — each decision recorded in the
/// audit trail *before* it takes effect (if the record cannot be written, nothing is
/// decided). The CLI (`auth0-mgmt-mcp approvals …`) is a thin layer over this.
///
/// ```
/// use std::sync::Arc;
/// use auth0_mgmt_policy::{Approvals, MemorySink, SqliteApprovalStore};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let store = Arc::new(SqliteApprovalStore::open(dir.path().join("approvals.sqlite"))?);
/// let approvals = Approvals::new(store, Arc::new(MemorySink::new()));
/// for a in approvals.pending().await? {
///     println!("{a}");                        // apr_… pending: support-bot wants to delete user …
/// }
/// // approvals.approve("apr_…", "alice@acme.com").await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Approvals {
    store: Arc<dyn ApprovalStore>,
    audit: Arc<dyn AuditSink>,
    clock: Arc<dyn Clock>,
}

impl Approvals {
    /// Decisions on `store`, recorded to `audit` (the gateway's audit file: the chain
    /// takes appends from several processes).
    pub fn new(store: Arc<dyn ApprovalStore>, audit: Arc<dyn AuditSink>) -> Approvals {
        Approvals { store, audit, clock: Arc::new(SystemClock) }
    }

    /// Reads the time from `clock` (tests).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Approvals {
        self.clock = clock;
        self
    }

    /// Marks expired approvals as expired (each recorded) and returns them.
    pub async fn expire(&self) -> Result<Vec<Approval>, ApprovalError> {
        let now = self.clock.now();
        let expired = self.store.expire(now).await?;
        for a in &expired {
            self.record(a, ApprovalEventKind::Expired, None)?;
        }
        Ok(expired)
    }

    /// The approvals a human may act on (pending, or approved and not yet used), oldest
    /// first, after expiring what has expired.
    pub async fn pending(&self) -> Result<Vec<Approval>, ApprovalError> {
        self.expire().await?;
        Ok(self.store.list(ListFilter::Open).await?)
    }

    /// The most recent approvals in any state, newest first.
    pub async fn recent(&self, limit: usize) -> Result<Vec<Approval>, ApprovalError> {
        Ok(self.store.list(ListFilter::Recent(limit)).await?)
    }

    /// One approval.
    pub async fn get(&self, id: &str) -> Result<Approval, ApprovalError> {
        if !is_approval_id(id) {
            return Err(ApprovalError::BadId(crate::audit::sanitize(id)));
        }
        self.store.get(id).await?.ok_or_else(|| ApprovalError::NotFound(id.to_owned()))
    }

    /// Approves pending approval `id` as `by` (a name the policy lists among the
    /// agent's approvers, when it lists any). The identical call may then run once,
    /// within the approval's time-to-live from now.
    pub async fn approve(&self, id: &str, by: &str) -> Result<Approval, ApprovalError> {
        self.decide(id, Verdict::Approve, by, None).await
    }

    /// Denies approval `id` (pending, or approved and not yet used) as `by`, with an
    /// optional note for the record.
    pub async fn deny(&self, id: &str, by: &str, note: Option<&str>) -> Result<Approval, ApprovalError> {
        self.decide(id, Verdict::Deny, by, note).await
    }

    async fn decide(
        &self,
        id: &str,
        verdict: Verdict,
        by: &str,
        note: Option<&str>,
    ) -> Result<Approval, ApprovalError> {
        let current = self.get(id).await?;
        check_by(&current, by)?;
        let now = self.clock.now();
        let open = match verdict {
            Verdict::Approve => current.state == ApprovalState::Pending,
            Verdict::Deny => matches!(current.state, ApprovalState::Pending | ApprovalState::Approved),
        };
        if !open {
            return Err(ApprovalError::NotOpen(Box::new(current)));
        }
        if current.is_expired_at(now) {
            // Let the store mark it (and record that).
            return match self.store.decide(id, verdict, by, note, now).await? {
                Decided::Expired(a) => {
                    self.record(&a, ApprovalEventKind::Expired, None)?;
                    Err(ApprovalError::Expired(Box::new(a)))
                }
                Decided::NotFound => Err(ApprovalError::NotFound(id.to_owned())),
                Decided::Done(a) | Decided::NotOpen(a) => Err(ApprovalError::NotOpen(Box::new(a))),
            };
        }
        // Write-ahead: the decision is in the trail before it takes effect.
        let mut planned = current.clone();
        let kind = match verdict {
            Verdict::Approve => {
                planned.state = ApprovalState::Approved;
                planned.expires_at = now.checked_add(planned.ttl).unwrap_or(now);
                ApprovalEventKind::Approved
            }
            Verdict::Deny => {
                planned.state = ApprovalState::Denied;
                planned.note = note.map(str::to_owned);
                planned.expires_at = now.checked_add(planned.ttl).unwrap_or(now);
                ApprovalEventKind::Denied
            }
        };
        self.record(&planned, kind, Some(by))?;
        match self.store.decide(id, verdict, by, note, now).await {
            Ok(Decided::Done(a)) => Ok(a),
            Ok(other) => {
                let (err, shown) = match other {
                    Decided::Expired(a) => {
                        let _ = self.record(&a, ApprovalEventKind::Expired, None);
                        (format!("it expired at {}", rfc3339(a.expires_at)), ApprovalError::Expired(Box::new(a)))
                    }
                    Decided::NotOpen(a) => (format!("it was already {}", a.state), ApprovalError::NotOpen(Box::new(a))),
                    Decided::NotFound | Decided::Done(_) => {
                        ("it no longer exists".to_owned(), ApprovalError::NotFound(id.to_owned()))
                    }
                };
                let mut void = current.clone();
                void.note = Some(err);
                // Best effort: the error below is the answer either way.
                let _ = self.record(&void, ApprovalEventKind::NotApplied, Some(by));
                Err(shown)
            }
            Err(e) => {
                let mut void = current.clone();
                void.note = Some(format!("the approval store failed: {}", e.message));
                let _ = self.record(&void, ApprovalEventKind::NotApplied, Some(by));
                Err(e.into())
            }
        }
    }

    fn record(&self, a: &Approval, kind: ApprovalEventKind, by: Option<&str>) -> Result<(), ApprovalError> {
        let op = a.operation().ok_or_else(|| {
            StoreError::new(
                "approvals",
                format!("approval {} names an unknown operation", crate::audit::sanitize(&a.id)),
            )
        })?;
        let record = AuditRecord::approval_event(a, op, kind, by, &format!("approval:{}", a.id), self.clock.now());
        self.audit.write(&record)?;
        Ok(())
    }
}

fn check_by(a: &Approval, by: &str) -> Result<(), ApprovalError> {
    if by.trim().is_empty() || by.chars().count() > crate::policy::MAX_APPROVER_NAME || by.chars().any(char::is_control)
    {
        return Err(ApprovalError::BadName(format!(
            "`{}`: 1 to {} characters, no control characters",
            crate::audit::sanitize(by),
            crate::policy::MAX_APPROVER_NAME
        )));
    }
    if by == a.agent {
        return Err(ApprovalError::BadName(format!(
            "`{by}` is the agent that asked; an agent never approves its own calls"
        )));
    }
    let listed = a.approvers.iter().any(|x| x == by)
        || (a.channel == ApprovalChannel::Client
            && by == client_approver(&a.agent)
            && client_may_decide(&a.approvers, &a.agent));
    if !a.approvers.is_empty() && !listed {
        return Err(ApprovalError::NotAnApprover {
            id: a.id.clone(),
            by: crate::audit::sanitize(by),
            approvers: a.approvers.join(", "),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        let id = new_id();
        assert!(is_approval_id(&id), "{id}");
        assert_ne!(new_id(), id);
        assert!(!is_approval_id("apr_x"));
        assert!(!is_approval_id(&id.to_uppercase()));
    }
}
