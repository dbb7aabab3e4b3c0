//! Enforcement: the [`Guard`] interceptor and the [`GuardedClient`] handle.
//!
//! Per call, through the client's [`Interceptor`] contract:
//!
//! 1. `begin` — [`Policy::decide`] once; a denial is recorded and returned (nothing
//!    is sent). The [`Decision`] goes into the call's hook and is never derived again.
//! 2. `check_scopes` — [`Policy::check_scopes`] with the live token (again after a
//!    refresh); dry run included.
//! 3. `before_send` — for a write, the write-ahead [intent](RecordPhase::Intent) record;
//!    if it (or an earlier record still kept) cannot be written, the call is denied
//!    (`audit_unavailable`). A dry run stops here, after every check enforce runs.
//! 4. `filter_response` — secrets removed ([`redact`]).
//! 5. `finish` — the [outcome](RecordPhase::Outcome) record. If it cannot be written it
//!    is kept, reported with `tracing::error!`, and every write is refused until it has
//!    been written.

use std::collections::VecDeque;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::ops::Deref;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use auth0_mgmt::{CallHook, Client, Denial, Interceptor, Outcome, Request, Scopes};
use bytes::Bytes;

use crate::audit::{AuditError, AuditRecord, AuditSink, RecordPhase};
use crate::decision::{Decision, DenyCode, Verdict};
use crate::names::Action;
use crate::policy::Policy;
use crate::redact;
use crate::sinks::{MAX_PENDING, lock};

/// A process-unique call id: a random prefix chosen once, and a counter.
pub(crate) fn call_id() -> String {
    static PREFIX: OnceLock<u32> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let prefix = *PREFIX.get_or_init(|| {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
        h.write_u32(std::process::id());
        h.finish() as u32
    });
    format!("{prefix:08x}-{:06x}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// The guard's side of a sink: records the sink refused are kept here, in order, and
/// written before anything else; while any is kept, writes are refused.
struct AuditLog {
    sink: Arc<dyn AuditSink>,
    kept: Mutex<VecDeque<AuditRecord>>,
}

impl fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuditLog").field("sink", &self.sink).field("kept", &lock(&self.kept).len()).finish()
    }
}

impl AuditLog {
    /// Writes the kept records, oldest first, until one fails.
    fn flush(&self, kept: &mut VecDeque<AuditRecord>) -> Result<(), AuditError> {
        while let Some(r) = kept.front() {
            self.sink.write(r)?;
            kept.pop_front();
        }
        Ok(())
    }

    /// The write-ahead record: `Ok` only when every kept record and this one are written.
    /// A refused write-ahead record is not kept (the call is denied, and its outcome
    /// record says so).
    fn write_ahead(&self, record: &AuditRecord) -> Result<(), String> {
        let mut kept = lock(&self.kept);
        if let Err(e) = self.flush(&mut kept) {
            return Err(format!(
                "{} earlier audit record(s) could not be written ({e}); writes are refused until they are",
                kept.len()
            ));
        }
        self.sink.write(record).map_err(|e| {
            format!("the write-ahead audit record could not be written ({e}); writes are refused until it can")
        })
    }

    /// A record after the fact: never fails the call; a refused record is kept.
    fn record(&self, record: AuditRecord) {
        let mut kept = lock(&self.kept);
        let result = self.flush(&mut kept).and_then(|()| self.sink.write(&record));
        if let Err(e) = result {
            tracing::error!(error = %e, record = %record.message, kept = kept.len() + 1,
                "an audit record could not be written; writes are refused until it is");
            if kept.len() >= MAX_PENDING
                && let Some(lost) = kept.pop_front()
            {
                tracing::error!(record = %lost.message, "audit record lost: too many records waiting for the sink");
            }
            kept.push_back(record);
        }
    }
}

/// The interceptor that enforces a [`Policy`] for one agent and audits every call.
///
/// Usually installed by [`GuardedClient::new`]; it can also be added to a client
/// directly with [`Client::with_interceptor`].
#[derive(Clone)]
pub struct Guard {
    policy: Arc<Policy>,
    agent: Arc<str>,
    log: Arc<AuditLog>,
}

impl fmt::Debug for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guard")
            .field("agent", &self.agent)
            .field("policy_version", &self.policy.version().short())
            .field("audit", &self.log)
            .finish()
    }
}

impl Guard {
    /// A guard for `agent` under `policy`, auditing to `sink`. An agent the policy does
    /// not name gets every call denied (`unknown_agent`) and audited.
    pub fn new(policy: Arc<Policy>, agent: impl Into<String>, sink: Arc<dyn AuditSink>) -> Guard {
        let agent: String = agent.into();
        if policy.agent(&agent).is_none() {
            tracing::warn!(agent = %crate::audit::sanitize(&agent), "the policy names no such agent; every call will be denied");
        }
        Guard { policy, agent: Arc::from(agent), log: Arc::new(AuditLog { sink, kept: Mutex::new(VecDeque::new()) }) }
    }

    /// The agent.
    pub fn agent(&self) -> &str {
        &self.agent
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// How many audit records the sink refused and the guard still keeps. While this is
    /// not zero, writes are refused (`audit_unavailable`).
    pub fn audit_backlog(&self) -> usize {
        lock(&self.log.kept).len()
    }

    /// Refuses a call that its front end (the MCP gateway) stopped before sending it: a
    /// tool the agent was not given, arguments the tool's schema refuses. The call is
    /// recorded like a policy denial — one outcome record with the ids the request
    /// carries, `code` and `reason`, through this guard's log (kept and retried if the
    /// sink refuses it) — and the returned [`Denial`] is what to report. Nothing is sent.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use auth0_mgmt::{catalog, Request, UserId};
    /// use auth0_mgmt_policy::{Guard, MemorySink, Policy};
    ///
    /// let policy = Arc::new(Policy::from_toml("schema_version = 1\n[agents.bot]\n").unwrap());
    /// let sink = Arc::new(MemorySink::new());
    /// let guard = Guard::new(policy, "bot", sink.clone());
    /// let request = Request::new(&catalog::USERS_DELETE).id(&"auth0|1".parse::<UserId>()?);
    /// let denial = guard.refuse(&request, "tool_not_granted", "the tool users_delete is not given to this agent");
    /// assert_eq!(denial.code, "tool_not_granted");
    /// assert_eq!(
    ///     sink.sentences(),
    ///     ["bot tried to delete user auth0|1 — denied: the tool users_delete is not given to this agent"]
    /// );
    /// # Ok::<(), auth0_mgmt::IdError>(())
    /// ```
    pub fn refuse(&self, request: &Request, code: &str, reason: impl Into<String>) -> Denial {
        let decision = self.policy.decide(&self.agent, request);
        let denial = Denial::new(decision.operation.id, code, reason);
        let record = AuditRecord::outcome(
            &self.policy,
            &self.agent,
            &call_id(),
            &decision,
            request,
            &Outcome::Denied(&denial),
            SystemTime::now(),
        );
        self.log.record(record);
        denial
    }

    /// Records an attempt that names no catalog operation (an MCP tool name that stands
    /// for none): one outcome record, denied with `code` and `reason`, under the
    /// operation name `source` (`mcp.tools_call`), through this guard's log.
    /// `attempted` says what was tried, for the sentence ("call the unknown tool x").
    pub fn refuse_unknown(&self, source: &'static str, attempted: &str, code: &str, reason: &str) {
        let record =
            AuditRecord::refusal(&self.policy, &self.agent, source, attempted, code, reason, SystemTime::now());
        self.log.record(record);
    }
}

impl Interceptor for Guard {
    fn begin(&self, request: &Request) -> Result<Box<dyn CallHook>, Denial> {
        let decision = self.policy.decide(&self.agent, request);
        let call_id = call_id();
        let base = AuditRecord::base(&self.policy, &self.agent, &call_id, &decision);
        if let Verdict::Deny { code, reason } = &decision.verdict {
            let denial = Denial::new(decision.operation.id, code.as_str(), reason.clone());
            let record = base.into_outcome(decision.operation, request, &Outcome::Denied(&denial), SystemTime::now());
            self.log.record(record);
            return Err(denial);
        }
        Ok(Box::new(GuardCall { guard: self.clone(), decision, base }))
    }
}

/// The guard's per-call state: the call's one decision, and the record fields made from
/// it once, carried to its records.
struct GuardCall {
    guard: Guard,
    decision: Decision,
    base: AuditRecord,
}

impl CallHook for GuardCall {
    fn check_scopes(&mut self, request: &Request, granted: &Scopes) -> Result<(), Denial> {
        let op = request.operation();
        match Policy::check_scopes(op, granted) {
            Ok(()) => Ok(()),
            Err(Verdict::Deny { code, reason }) => Err(Denial::new(op.id, code.as_str(), reason)),
            Err(Verdict::Allow | Verdict::DryRun) => {
                Err(Denial::new(op.id, DenyCode::MissingScope.as_str(), "the scope check failed"))
            }
        }
    }

    fn before_send(&mut self, request: &Request) -> Result<(), Denial> {
        let op = request.operation();
        if op.access.is_write() {
            let dry_run = self.decision.verdict == Verdict::DryRun;
            let intent = self.base.clone().into_intent(op, dry_run, SystemTime::now());
            self.guard
                .log
                .write_ahead(&intent)
                .map_err(|reason| Denial::new(op.id, DenyCode::AuditUnavailable.as_str(), reason))?;
        }
        match self.decision.verdict {
            Verdict::DryRun => Err(Denial::dry_run(op.id)),
            Verdict::Allow => Ok(()),
            // `begin` returns no hook for a denial; refuse rather than assume.
            Verdict::Deny { .. } => {
                Err(self.decision.denial().unwrap_or_else(|| Denial::new(op.id, "denied", "denied")))
            }
        }
    }

    fn filter_response(&mut self, _request: &Request, body: Bytes) -> Bytes {
        let g = &self.guard;
        let allow = g.policy.agent(&g.agent).is_some_and(|a| a.has(Action::ReadClientSecrets));
        redact::filter(body, allow, &g.policy.guardrails().clients)
    }

    fn finish(self: Box<Self>, request: &Request, outcome: &Outcome<'_>) {
        let GuardCall { guard, decision, base } = *self;
        let record = base.into_outcome(decision.operation, request, outcome, SystemTime::now());
        debug_assert_eq!(record.phase, RecordPhase::Outcome);
        guard.log.record(record);
    }
}

/// A client handle for one named agent: every call goes through the client's one
/// request path with a [`Guard`] installed, so it is decided, scope-checked, recorded
/// before it is sent (writes), redacted and audited. It dereferences to
/// [`auth0_mgmt::Client`], so it offers exactly the client's typed operations
/// (`guarded.users().get(&id)`, `guarded.execute(request)`, …).
///
/// There is no way back to the unguarded client: the guard is an interceptor of the
/// client this handle owns, and interceptors cannot be removed (clones keep them).
#[derive(Clone)]
pub struct GuardedClient {
    client: Client,
    guard: Arc<Guard>,
}

impl GuardedClient {
    /// Wraps `client` for `agent` under `policy`, auditing to `sink`. The handle holds a
    /// guarded clone of `client`; drop the original and hand only this to the agent.
    ///
    /// ```no_run
    /// use std::sync::Arc;
    /// use auth0_mgmt::{Client, UserId};
    /// use auth0_mgmt_policy::{GuardedClient, JsonLinesSink, Policy};
    ///
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = Client::builder()
    ///     .domain("acme.eu.auth0.com")
    ///     .client_credentials("CLIENT_ID", "CLIENT_SECRET")
    ///     .build()?;
    /// let policy = Arc::new(Policy::from_file("policy.toml")?);
    /// let audit = Arc::new(JsonLinesSink::open("audit.jsonl")?);
    /// let support = GuardedClient::new(&client, policy, "support-bot", audit);
    /// drop(client); // hand only `support` to the agent
    ///
    /// let id: UserId = "auth0|123".parse()?;
    /// let user = support.users().get(&id).await?; // allowed: sent, then its outcome recorded
    /// let err = support.users().delete(&id).await.unwrap_err(); // denied: nothing sent, recorded
    /// assert!(err.is_denied());
    /// # let _ = user; Ok(()) }
    /// ```
    pub fn new(
        client: &Client,
        policy: Arc<Policy>,
        agent: impl Into<String>,
        sink: Arc<dyn AuditSink>,
    ) -> GuardedClient {
        let guard = Arc::new(Guard::new(policy, agent, sink));
        GuardedClient { client: client.with_interceptor(guard.clone()), guard }
    }

    /// The agent this handle acts for.
    pub fn agent(&self) -> &str {
        self.guard.agent()
    }

    /// The policy it enforces.
    pub fn policy(&self) -> &Policy {
        self.guard.policy()
    }

    /// The guard installed on the client.
    pub fn guard(&self) -> &Guard {
        &self.guard
    }

    /// The guarded client (the same as dereferencing the handle).
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl Deref for GuardedClient {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

impl fmt::Debug for GuardedClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuardedClient").field("agent", &self.guard.agent).field("client", &self.client).finish()
    }
}
