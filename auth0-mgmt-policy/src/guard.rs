//! Enforcement: the [`Guard`] interceptor and the [`GuardedClient`] handle.
//!
//! Per call, through the client's [`Interceptor`] contract:
//!
//! 1. `begin` — [`Policy::decide`] once; a denial is recorded and returned (nothing
//!    is sent). The [`Decision`] goes into the call's hook and is never derived again.
//! 2. `check_scopes` — [`Policy::check_scopes`] with the live token (again after a
//!    refresh); dry run included.
//! 3. `before_send` (asynchronous: it may consult stores), in this order:
//!    1. the agent's **budget** ([`BudgetStore`]): a full window denies the call
//!       (`agent_rate_limited`, with a `retry_after`); every later refusal in this step
//!       gives the charge back;
//!    2. **approval**, for a call that needs one ([`Verdict::NeedsApproval`]): the
//!       [`ApprovalStore`] consumes an approval of this exact request, or the call ends
//!       `approval_required` / `approval_denied` (dry run: nobody is asked, the call ends
//!       as a dry run saying enforce would ask);
//!    3. for a write, the write-ahead [intent](RecordPhase::Intent) record; if it (or an
//!       earlier record still kept) cannot be written, the call is denied
//!       (`audit_unavailable`). A dry run stops here, after every check enforce runs.
//! 4. `filter_response` — secrets removed ([`redact`]).
//! 5. `finish` — the [outcome](RecordPhase::Outcome) record. If it cannot be written it
//!    is kept, reported with `tracing::error!`, and every write is refused until it has
//!    been written.

use std::collections::VecDeque;
use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use auth0_mgmt::catalog::{ActionSet, Operation};
use auth0_mgmt::{BoxFuture, CallHook, Client, Denial, Interceptor, Outcome, Request, Scopes};
use bytes::Bytes;

use crate::approval::{Approval, ApprovalAsk, ApprovalStore, CheckAnswer, request_hash};
use crate::audit::{ApprovalEventKind, AuditError, AuditRecord, AuditSink, RecordPhase, Refused, rfc3339};
use crate::budget::{BudgetError, BudgetStore};
use crate::clock::{Clock, SystemClock};
use crate::decision::{Decision, DenyCode, Verdict};
use crate::names::{Action, Mode};
use crate::policy::Policy;
use crate::redact;
use crate::sinks::{MAX_PENDING, lock};
use crate::targets::TargetKind;

/// A process-unique call id: a random prefix chosen once, and a counter.
fn call_id() -> String {
    crate::audit::new_call_id()
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

    /// Writes the kept records: `Err` (the reason) when some remain.
    fn ready(&self) -> Result<(), String> {
        let mut kept = lock(&self.kept);
        self.flush(&mut kept).map_err(|e| {
            format!(
                "{} earlier audit record(s) could not be written ({e}); writes are refused until they are",
                kept.len()
            )
        })
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
    approvals: Option<Arc<dyn ApprovalStore>>,
    budgets: Arc<dyn BudgetStore>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guard")
            .field("agent", &self.agent)
            .field("policy_version", &self.policy.version().short())
            .field("audit", &self.log)
            .field("approvals", &self.approvals)
            .field("budgets", &self.budgets)
            .finish()
    }
}

impl Guard {
    /// A guard for `agent` under `policy`, auditing to `sink`. An agent the policy does
    /// not name gets every call denied (`unknown_agent`) and audited.
    ///
    /// Budgets are counted in the policy's own in-process store
    /// ([`Policy::budgets`]), shared by every guard made from the same policy. There is
    /// no approval store: a call that needs approval is denied (`approval_unavailable`)
    /// until one is given with [`with_approvals`](Self::with_approvals).
    pub fn new(policy: Arc<Policy>, agent: impl Into<String>, sink: Arc<dyn AuditSink>) -> Guard {
        let agent: String = agent.into();
        if policy.agent(&agent).is_none() {
            tracing::warn!(agent = %crate::audit::sanitize(&agent), "the policy names no such agent; every call will be denied");
        }
        let budgets: Arc<dyn BudgetStore> = policy.budgets().clone();
        Guard {
            policy,
            agent: Arc::from(agent),
            log: Arc::new(AuditLog { sink, kept: Mutex::new(VecDeque::new()) }),
            approvals: None,
            budgets,
            clock: Arc::new(SystemClock),
        }
    }

    /// Keeps approvals in `store` (share one store — one SQLite file — between the
    /// gateway and the CLI).
    pub fn with_approvals(mut self, store: Arc<dyn ApprovalStore>) -> Guard {
        self.approvals = Some(store);
        self
    }

    /// Counts budgets in `store` instead of the policy's in-process one (e.g. a store
    /// shared by several gateway processes).
    pub fn with_budgets(mut self, store: Arc<dyn BudgetStore>) -> Guard {
        self.budgets = store;
        self
    }

    /// Reads wall-clock time (approval expiry, record timestamps) from `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Guard {
        self.clock = clock;
        self
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
            self.now(),
        );
        self.log.record(record);
        denial
    }

    /// Records an attempt that names no catalog operation (an MCP tool name that stands
    /// for none): one [`AuditRecord::refusal`] with a call id, through this guard's log.
    /// `attempted` says what was tried, for the sentence ("call the unknown tool x").
    pub fn refuse_unknown(&self, attempted: &str, code: &str, reason: &str) {
        let record = AuditRecord::refusal(
            &self.policy,
            &self.agent,
            Refused::Other("mcp.tools_call"),
            &call_id(),
            attempted,
            code,
            reason,
            self.now(),
        );
        self.log.record(record);
    }
}

impl Guard {
    fn begin_now(&self, request: &Request) -> Result<Box<dyn CallHook>, Denial> {
        let decision = self.policy.decide(&self.agent, request);
        let call_id = call_id();
        let base = AuditRecord::base(&self.policy, &self.agent, &call_id, &decision);
        if let Verdict::Deny { code, reason } = &decision.verdict {
            let denial = Denial::new(decision.operation.id, code.as_str(), reason.clone());
            let record = base.into_outcome(decision.operation, request, &Outcome::Denied(&denial), self.clock.now());
            self.log.record(record);
            return Err(denial);
        }
        Ok(Box::new(GuardCall { guard: self.clone(), decision, base, call_id }))
    }

    fn now(&self) -> SystemTime {
        self.clock.now()
    }
}

impl Interceptor for Guard {
    fn begin<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Box<dyn CallHook>, Denial>> {
        Box::pin(std::future::ready(self.begin_now(request)))
    }
}

/// The guard's per-call state: the call's one decision, and the record fields made from
/// it once, carried to its records.
struct GuardCall {
    guard: Guard,
    decision: Decision,
    base: AuditRecord,
    call_id: String,
}

/// Why `before_send` stops a call after its budget was charged.
enum Stop {
    /// Not sent, and not charged: the charge is given back.
    Refused(Denial),
    /// A dry-run write that passed every check: charged like the write enforce would send.
    Rehearsed(Denial),
}

impl GuardCall {
    /// `before_send` after the budget: the approval step, the write-ahead record, dry
    /// run.
    async fn approve_and_record(&mut self, request: &Request, op: &'static Operation) -> Result<(), Stop> {
        let dry_run = match &self.decision.verdict {
            Verdict::Allow => false,
            Verdict::DryRun => true,
            Verdict::NeedsApproval { actions } => {
                let actions = *actions;
                if self.guard.policy.agent(&self.guard.agent).is_some_and(|a| a.mode() == Mode::DryRun) {
                    // Rehearsal: nobody is asked, nothing is consumed, and the charge is
                    // given back (enforce would not charge a call that waits).
                    let mut d = Denial::dry_run(op.id);
                    d.reason = format!(
                        "not executed: dry run; enforce mode would ask {} to approve it ({})",
                        self.who(),
                        gerunds(actions)
                    );
                    return Err(Stop::Refused(d));
                }
                self.approval(request, op, actions).await.map_err(Stop::Refused)?;
                false
            }
            // `begin` returns no hook for a denial; refuse rather than assume.
            Verdict::Deny { .. } => {
                return Err(Stop::Refused(
                    self.decision.denial().unwrap_or_else(|| Denial::new(op.id, "denied", "denied")),
                ));
            }
        };
        if op.access.is_write() {
            let intent = self.base.clone().into_intent(op, dry_run, self.guard.now());
            self.guard
                .log
                .write_ahead(&intent)
                .map_err(|reason| Stop::Refused(Denial::new(op.id, DenyCode::AuditUnavailable.as_str(), reason)))?;
        }
        if dry_run { Err(Stop::Rehearsed(Denial::dry_run(op.id))) } else { Ok(()) }
    }

    fn who(&self) -> String {
        let a = self.guard.policy.agent(&self.guard.agent);
        let channel = a.map(|a| a.approval_channel()).unwrap_or_default();
        let approvers = a.map(|a| a.approvers().to_vec()).unwrap_or_default();
        auth0_mgmt::ApprovalTicket::new("", "", approvers, channel, SystemTime::UNIX_EPOCH, "").who()
    }

    /// The approval step of a call that needs one: `Ok` only when an approval of this
    /// exact request was consumed (and recorded).
    async fn approval(&mut self, request: &Request, op: &'static Operation, actions: ActionSet) -> Result<(), Denial> {
        let unavailable = |why: String| Denial::new(op.id, DenyCode::ApprovalUnavailable.as_str(), why);
        let Some(store) = self.guard.approvals.clone() else {
            return Err(unavailable(format!(
                "{} needs a human's approval, but no approval store is configured; nothing was sent",
                gerunds(actions)
            )));
        };
        // A consumed approval must be followed by its records: make sure the sink takes
        // records before spending one.
        self.guard.log.ready().map_err(|r| Denial::new(op.id, DenyCode::AuditUnavailable.as_str(), r))?;
        let agent = self.guard.policy.agent(&self.guard.agent);
        let ask = ApprovalAsk {
            agent: self.guard.agent.to_string(),
            operation: op.id,
            request_hash: request_hash(&self.guard.agent, request),
            request: self.request_sentence(op),
            targets: self.base.targets.clone(),
            actions,
            approvers: agent.map(|a| a.approvers().to_vec()).unwrap_or_default(),
            channel: agent.map(|a| a.approval_channel()).unwrap_or_default(),
            policy_version: self.guard.policy.version().as_str().to_owned(),
            ttl: self.guard.policy.approvals().expire_after,
            call_id: self.call_id.clone(),
            details: crate::approval::body_preview(request.body()),
        };
        let now = self.guard.now();
        let checked = store.check(&ask, now).await.map_err(|e| unavailable(format!("{e}; nothing was sent")))?;
        for a in &checked.expired {
            self.event(a, op, ApprovalEventKind::Expired);
        }
        match checked.answer {
            CheckAnswer::Consumed(a) => {
                let record = AuditRecord::approval_event(
                    &a,
                    op,
                    ApprovalEventKind::Consumed,
                    a.decided_by.as_deref(),
                    &self.call_id,
                    now,
                );
                self.guard.log.write_ahead(&record).map_err(|reason| {
                    Denial::new(
                        op.id,
                        DenyCode::AuditUnavailable.as_str(),
                        format!("{reason} (approval {} is spent; ask for a new one)", a.id),
                    )
                })?;
                Ok(())
            }
            CheckAnswer::Requested(a) => {
                self.event(&a, op, ApprovalEventKind::Requested);
                Err(required(op, &a, true))
            }
            CheckAnswer::Pending(a) => Err(required(op, &a, false)),
            CheckAnswer::Denied(a) => {
                let by = a.decided_by.as_deref().unwrap_or("an operator");
                let note = a.note.as_deref().map(|n| format!(" ({})", crate::audit::sanitize(n))).unwrap_or_default();
                let reason = format!(
                    "{by} denied this exact request (approval {}){note}; identical calls are refused until {}",
                    a.id,
                    rfc3339(a.expires_at)
                );
                Err(Denial::approval_denied(op.id, reason, a.ticket()))
            }
        }
    }

    fn event(&self, a: &Approval, op: &'static Operation, kind: ApprovalEventKind) {
        let record = AuditRecord::approval_event(a, op, kind, None, &self.call_id, self.guard.now());
        self.guard.log.record(record);
    }

    /// `support-bot wants to delete user auth0|123`.
    fn request_sentence(&self, op: &'static Operation) -> String {
        let ids: Vec<(TargetKind, &str)> = self.base.targets.iter().map(|t| (t.kind, t.id.as_str())).collect();
        let fields: Vec<&str> = self.base.fields.iter().map(String::as_str).collect();
        format!("{} wants to {}", self.base.agent, op.phrase.render_infinitive(&ids, &fields))
    }
}

/// `deleting users and assigning roles`.
fn gerunds(actions: ActionSet) -> String {
    actions.iter().map(|a| a.gerund()).collect::<Vec<_>>().join(" and ")
}

fn required(op: &'static Operation, a: &Approval, new: bool) -> Denial {
    let t = a.ticket();
    let reason = format!(
        "{}; this needs approval by {} ({} {}, until {}); nothing was sent — send the identical call again once it is approved",
        a.request,
        t.who(),
        if new { "requested as" } else { "still waiting:" },
        a.id,
        rfc3339(a.expires_at)
    );
    Denial::approval_required(op.id, reason, t)
}

impl CallHook for GuardCall {
    fn check_scopes(&mut self, request: &Request, granted: &Scopes) -> Result<(), Denial> {
        let op = request.operation();
        match Policy::check_scopes(op, granted) {
            Ok(()) => Ok(()),
            Err(Verdict::Deny { code, reason }) => Err(Denial::new(op.id, code.as_str(), reason)),
            Err(Verdict::Allow | Verdict::DryRun | Verdict::NeedsApproval { .. }) => {
                Err(Denial::new(op.id, DenyCode::MissingScope.as_str(), "the scope check failed"))
            }
        }
    }

    fn before_send<'a>(&'a mut self, request: &'a Request) -> BoxFuture<'a, Result<(), Denial>> {
        Box::pin(async move {
            let op = request.operation();
            let limits = self.guard.policy.agent(&self.guard.agent).map(|a| a.limits());
            let windows = limits.map_or(&[][..], |l| l.windows(op.access.is_write()));
            // 1. The agent's budget. A full window is final for now; the charge is given
            // back by every refusal below.
            let permit = if windows.is_empty() {
                None
            } else {
                match self.guard.budgets.acquire(&self.guard.agent, windows).await {
                    Ok(p) => Some(p),
                    Err(BudgetError::Throttled { window, retry_after }) => {
                        let at = rfc3339(self.guard.now().checked_add(retry_after).unwrap_or_else(|| self.guard.now()));
                        let reason = format!(
                            "this agent's limit of {window} is reached; it may retry in {} (at {at})",
                            crate::budget::human(retry_after)
                        );
                        return Err(Denial::rate_limited(op.id, reason, retry_after));
                    }
                    Err(BudgetError::Unavailable(e)) => {
                        let reason =
                            format!("the budget store could not be asked ({e}); refused to stay within limits");
                        return Err(Denial::new(op.id, DenyCode::BudgetUnavailable.as_str(), reason));
                    }
                }
            };
            match self.approve_and_record(request, op).await {
                Ok(()) => Ok(()),
                Err(Stop::Rehearsed(d)) => Err(d),
                Err(Stop::Refused(d)) => {
                    if let Some(p) = permit {
                        self.guard.budgets.release(p).await;
                    }
                    Err(d)
                }
            }
        })
    }

    fn filter_response(&mut self, _request: &Request, body: Bytes) -> Bytes {
        let g = &self.guard;
        let allow = g.policy.agent(&g.agent).is_some_and(|a| a.has(Action::ReadClientSecrets));
        redact::filter(body, allow, &g.policy.guardrails().clients)
    }

    fn finish(self: Box<Self>, request: &Request, outcome: &Outcome<'_>) {
        let GuardCall { guard, decision, base, .. } = *self;
        let record = base.into_outcome(decision.operation, request, outcome, guard.now());
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

    /// Wraps `client` with a guard configured beforehand (an approval store, a shared
    /// budget store, a clock).
    ///
    /// ```no_run
    /// use std::sync::Arc;
    /// use auth0_mgmt::Client;
    /// use auth0_mgmt_policy::{Guard, GuardedClient, JsonLinesSink, Policy, SqliteApprovalStore};
    ///
    /// # fn run(client: &Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let policy = Arc::new(Policy::from_file("policy.toml")?);
    /// let audit = Arc::new(JsonLinesSink::open("audit.jsonl")?);
    /// let approvals = Arc::new(SqliteApprovalStore::open("approvals.sqlite")?);
    /// let guard = Guard::new(policy, "support-bot", audit).with_approvals(approvals);
    /// let support = GuardedClient::with_guard(client, guard);
    /// # let _ = support; Ok(()) }
    /// ```
    pub fn with_guard(client: &Client, guard: Guard) -> GuardedClient {
        let guard = Arc::new(guard);
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
