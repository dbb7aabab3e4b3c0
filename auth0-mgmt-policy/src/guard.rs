//! Enforcement: the [`Guard`] interceptor and the [`GuardedClient`] handle.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;
use std::time::SystemTime;

use auth0_mgmt::{CallHook, Client, Denial, Interceptor, Outcome, Request, Scopes};
use bytes::Bytes;
use serde_json::Value;

use crate::audit::{AuditRecord, AuditSink};
use crate::decision::{DenyCode, Verdict};
use crate::names::Action;
use crate::policy::Policy;
use crate::redact;

/// The interceptor that enforces a [`Policy`] for one agent and audits every call.
///
/// Usually installed by [`GuardedClient::new`]; it can also be added to a client
/// directly with [`Client::with_interceptor`].
#[derive(Clone)]
pub struct Guard {
    policy: Arc<Policy>,
    agent: Arc<str>,
    sink: Arc<dyn AuditSink>,
}

impl fmt::Debug for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guard")
            .field("agent", &self.agent)
            .field("policy_version", &self.policy.version().short())
            .field("sink", &self.sink)
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
        Guard { policy, agent: Arc::from(agent), sink }
    }

    /// The agent.
    pub fn agent(&self) -> &str {
        &self.agent
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }
}

impl Interceptor for Guard {
    fn begin(&self, request: &Request) -> Result<Box<dyn CallHook>, Denial> {
        let decision = self.policy.decide(&self.agent, request);
        match decision.verdict {
            Verdict::Allow => {}
            Verdict::DryRun | Verdict::Deny { .. } => {
                let denial =
                    decision.denial().unwrap_or_else(|| Denial::new(request.operation().id, "denied", "denied"));
                self.record(request, &Outcome::Denied(&denial));
                return Err(denial);
            }
        }
        // Fail closed: a write is only sent when its record can be written.
        if let Err(e) = self.sink.ready() {
            if request.operation().access.is_write() {
                let denial = Denial::new(
                    request.operation().id,
                    DenyCode::AuditUnavailable.as_str(),
                    format!("the audit log cannot be written ({e}); writes are refused until it recovers"),
                );
                self.record(request, &Outcome::Denied(&denial));
                return Err(denial);
            }
            tracing::error!(error = %e, operation = request.operation().id, "audit sink unhealthy; allowing a read");
        }
        Ok(Box::new(GuardCall { guard: self.clone() }))
    }
}

impl Guard {
    fn record(&self, request: &Request, outcome: &Outcome<'_>) {
        let record = AuditRecord::new(&self.policy, &self.agent, request, outcome, SystemTime::now());
        if let Err(e) = self.sink.write(&record) {
            tracing::error!(error = %e, record = %record.message, "an audit record could not be written");
        }
    }
}

/// The guard's per-call state.
struct GuardCall {
    guard: Guard,
}

impl CallHook for GuardCall {
    fn check_scopes(&mut self, request: &Request, granted: &Scopes) -> Result<(), Denial> {
        match Policy::check_scopes(request.operation(), granted) {
            Ok(()) => Ok(()),
            Err(Verdict::Deny { code, reason }) => Err(Denial::new(request.operation().id, code.as_str(), reason)),
            Err(_) => Err(Denial::new(request.operation().id, DenyCode::MissingScope.as_str(), "scope check failed")),
        }
    }

    fn before_send(&mut self, _request: &Request) -> Result<(), Denial> {
        Ok(())
    }

    fn filter_response(&mut self, _request: &Request, body: Bytes) -> Bytes {
        let allow = self.guard.policy.agent(&self.guard.agent).is_some_and(|a| a.has(Action::ReadClientSecrets));
        let Ok(mut json) = serde_json::from_slice::<Value>(&body) else { return body };
        redact::redact(&mut json, allow, &self.guard.policy.guardrails().clients);
        serde_json::to_vec(&json).map(Bytes::from).unwrap_or(body)
    }

    fn finish(self: Box<Self>, request: &Request, outcome: &Outcome<'_>) {
        self.guard.record(request, outcome);
    }
}

/// A client handle for one named agent: every call goes through the client's one
/// request path with a [`Guard`] installed, so it is decided, scope-checked, redacted and
/// audited. It dereferences to [`auth0_mgmt::Client`], so it offers exactly the client's
/// typed operations (`guarded.users().get(&id)`, `guarded.execute(request)`, …).
///
/// There is no way back to the unguarded client: the guard is an interceptor of the
/// client this handle owns, and interceptors cannot be removed (clones keep them).
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
/// let user = support.users().get(&"auth0|123".parse::<UserId>()?).await?;
/// # let _ = user; Ok(()) }
/// ```
#[derive(Clone)]
pub struct GuardedClient {
    client: Client,
    guard: Arc<Guard>,
}

impl GuardedClient {
    /// Wraps `client` for `agent`. The handle holds a guarded clone of `client`.
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
