//! The gateway: the one client (holding the Auth0 credentials), the policy, the audit
//! sink, and per agent a guarded client through which every tool call goes.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use auth0_mgmt::catalog::{IdKind, Operation, Paging, ParamType};
use auth0_mgmt::{ApprovalChannel, Denial};
use auth0_mgmt::{Client, Error, Request, Scrub};
use auth0_mgmt::{
    ClientId, ConnectionId, GrantId, IdError, LogId, OrganizationId, RefreshTokenId, ResourceServerId, RoleId,
    SessionId, UserId,
};
use auth0_mgmt_policy::Approvals;
use auth0_mgmt_policy::approval::{CLIENT_APPROVER, client_approver, client_may_decide};
use auth0_mgmt_policy::audit::{Refused, new_call_id, rfc3339, sanitize};
use auth0_mgmt_policy::{
    AgentPolicy, ApprovalStore, AuditRecord, AuditSink, BudgetStore, Guard, GuardedClient, Policy,
};
use rmcp::RoleServer;
use rmcp::model::{
    CallToolResult, ContentBlock, ElicitRequestParams, ElicitationAction, ElicitationSchema, EnumSchema, Tool,
};
use rmcp::service::{ElicitationMode, Peer};
use serde_json::{Map, Value, json};

use crate::tools::{self, CheckpointNext, Listing, NotOffered, ToolSpec};

/// Why the gateway could not be set up for an agent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// The policy failed to load.
    #[error("the policy did not load: {0}")]
    Policy(String),
    /// The policy names no such agent.
    #[error("the policy names no agent `{0}` (agents: {1})")]
    UnknownAgent(String, String),
    /// An agent served over HTTP has no `key_sha256`.
    #[error("agent `{0}` has no key_sha256 in the policy; over HTTP every agent needs one")]
    NoKey(String),
    /// The policy names no agent at all.
    #[error("the policy names no agent")]
    NoAgents,
}

/// The gateway's shared state: one client, one policy, one audit sink.
///
/// ```no_run
/// use std::sync::Arc;
/// use auth0_mgmt::Client;
/// use auth0_mgmt_mcp::Gateway;
/// use auth0_mgmt_policy::{JsonLinesSink, Policy};
///
/// # fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = Client::builder()
///     .domain("acme.eu.auth0.com")
///     .client_credentials("CLIENT_ID", "CLIENT_SECRET")
///     .build()?;
/// let policy = Arc::new(Policy::from_file("policy.toml")?);
/// let gateway = Gateway::new(client, policy, Arc::new(JsonLinesSink::open("audit.jsonl")?));
/// let support = gateway.agent("support-bot")?;   // refuses an agent the policy does not name
/// println!("{} tools", support.tools().len());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Gateway {
    client: Client,
    policy: Arc<Policy>,
    sink: Arc<dyn AuditSink>,
    approvals: Option<Arc<dyn ApprovalStore>>,
    budgets: Option<Arc<dyn BudgetStore>>,
    scrub: Arc<Scrub>,
    elicitation_timeout: Duration,
}

/// How long the gateway waits, at most, for the user of an MCP client to answer an
/// approval it asked for through elicitation (never past the approval's expiry).
pub const DEFAULT_ELICITATION_TIMEOUT: Duration = Duration::from_secs(5 * 60);

impl fmt::Debug for Gateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gateway")
            .field("client", &self.client)
            .field("policy_version", &self.policy.version().short())
            .field("sink", &self.sink)
            .field("approvals", &self.approvals)
            .finish_non_exhaustive()
    }
}

impl Gateway {
    /// A gateway over `client` (unguarded; it never leaves the gateway), enforcing
    /// `policy` and auditing to `sink`.
    ///
    /// Budgets (`limits` in the policy) are counted in the policy's in-process store
    /// ([`Policy::budgets`]), which every agent of this gateway shares: one count per
    /// agent per gateway process. There is no approval store until
    /// [`with_approvals`](Self::with_approvals) gives one; without it a call that needs
    /// a human's approval is refused (`approval_unavailable`).
    pub fn new(client: Client, policy: Arc<Policy>, sink: Arc<dyn AuditSink>) -> Gateway {
        Gateway {
            client,
            policy,
            sink,
            approvals: None,
            budgets: None,
            scrub: Arc::new(Scrub::secrets([""; 0])),
            elicitation_timeout: DEFAULT_ELICITATION_TIMEOUT,
        }
    }

    /// Keeps approvals in `store` — the store the humans decide in
    /// (`auth0-mgmt-mcp approvals …` opens the same SQLite file). Calls to dangerous
    /// actions the policy lists under `approve` then end `approval_required` until a
    /// human approved that exact request, and the identical retry runs once.
    ///
    /// ```no_run
    /// use std::sync::Arc;
    /// use auth0_mgmt::Client;
    /// use auth0_mgmt_mcp::Gateway;
    /// use auth0_mgmt_policy::{JsonLinesSink, Policy, SqliteApprovalStore};
    ///
    /// # fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let policy = Arc::new(Policy::from_file("policy.toml")?);
    /// let audit = Arc::new(JsonLinesSink::open("audit.jsonl")?);
    /// let approvals = Arc::new(SqliteApprovalStore::open("approvals.sqlite")?);
    /// let gateway = Gateway::new(client, policy, audit).with_approvals(approvals);
    /// # let _ = gateway; Ok(()) }
    /// ```
    pub fn with_approvals(mut self, store: Arc<dyn ApprovalStore>) -> Gateway {
        self.approvals = Some(store);
        self
    }

    /// Counts the agents' budgets in `store` instead of the policy's in-process store
    /// (a store shared by several gateway processes).
    pub fn with_budgets(mut self, store: Arc<dyn BudgetStore>) -> Gateway {
        self.budgets = Some(store);
        self
    }

    /// Waits at most `timeout` (default [`DEFAULT_ELICITATION_TIMEOUT`], and never past
    /// the approval's expiry) for the user of an MCP client to answer an approval asked
    /// through elicitation (`approval = "client"`); without an answer by then the call
    /// ends `approval_required` for an operator to decide.
    pub fn with_elicitation_timeout(mut self, timeout: Duration) -> Gateway {
        self.elicitation_timeout = timeout;
        self
    }

    /// The approval store, if one was given.
    pub fn approvals(&self) -> Option<&Arc<dyn ApprovalStore>> {
        self.approvals.as_ref()
    }

    /// Strings that must never leave the gateway in a tool result or error (the client
    /// secret): any occurrence, as written or JSON-, form- or percent-encoded, is replaced
    /// by `[REDACTED]` ([`Scrub::secrets`]). Strings shorter than
    /// [`MIN_SCRUBBED_LEN`](crate::config::MIN_SCRUBBED_LEN) characters are ignored.
    pub fn with_secrets(mut self, secrets: impl IntoIterator<Item = String>) -> Gateway {
        self.scrub = Arc::new(crate::config::secret_scrub(secrets));
        self
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The audit sink.
    pub fn sink(&self) -> &Arc<dyn AuditSink> {
        &self.sink
    }

    /// The gateway's view of one agent. Refuses an agent the policy does not name (or a
    /// policy that failed to load).
    pub fn agent(&self, name: &str) -> Result<AgentGateway, SetupError> {
        if self.policy.is_deny_all() {
            return Err(SetupError::Policy("every call would be denied".into()));
        }
        let Some(grants) = self.policy.agent(name).cloned() else {
            return Err(SetupError::UnknownAgent(sanitize(name), self.policy.agent_names().join(", ")));
        };
        let mut guard = Guard::new(self.policy.clone(), name, self.sink.clone());
        if let Some(store) = &self.approvals {
            guard = guard.with_approvals(store.clone());
        }
        if let Some(store) = &self.budgets {
            guard = guard.with_budgets(store.clone());
        }
        let guarded = GuardedClient::with_guard(&self.client, guard);
        Ok(AgentGateway {
            inner: Arc::new(AgentInner { gateway: self.clone(), name: name.to_owned(), grants, guarded }),
        })
    }

    /// One view per agent of the policy, for HTTP: every agent must have a key.
    pub fn all_agents(&self) -> Result<Vec<AgentGateway>, SetupError> {
        let names = self.policy.agent_names();
        if names.is_empty() {
            return Err(SetupError::NoAgents);
        }
        names
            .into_iter()
            .map(|n| {
                if self.policy.agent(n).and_then(AgentPolicy::key_sha256).is_none() {
                    return Err(SetupError::NoKey(n.to_owned()));
                }
                self.agent(n)
            })
            .collect()
    }

    /// Audits a request that did not authenticate (no agent, so no guard: straight to
    /// the sink; a record the sink refuses is reported with `tracing::error!`): one
    /// refusal of the pseudo-operation `mcp.connect`, with a call id of its own.
    pub(crate) fn audit_unauthenticated(&self, agent: &str, attempted: &str, reason: &str) {
        let record = AuditRecord::refusal(
            &self.policy,
            agent,
            Refused::Other("mcp.connect"),
            &new_call_id(),
            attempted,
            "unauthenticated",
            reason,
            SystemTime::now(),
        );
        if let Err(e) = self.sink.write(&record) {
            tracing::error!(error = %e, record = %record.message, "an audit record could not be written");
        }
    }

    fn scrub(&self, s: String) -> String {
        match self.scrub.text(&s) {
            Cow::Borrowed(_) => s,
            Cow::Owned(clean) => clean,
        }
    }
}

struct AgentInner {
    gateway: Gateway,
    name: String,
    grants: AgentPolicy,
    guarded: GuardedClient,
}

/// One agent's gateway: its tools and its guarded client. Cheap to clone.
#[derive(Clone)]
pub struct AgentGateway {
    inner: Arc<AgentInner>,
}

impl fmt::Debug for AgentGateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgentGateway").field("agent", &self.inner.name).finish_non_exhaustive()
    }
}

/// The outcome of one tool call, before it becomes an MCP result.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolOutcome {
    /// Whether it is an error result (`isError`).
    pub is_error: bool,
    /// The structured content.
    pub structured: Value,
    /// A short rendering for humans and models that read text only.
    pub summary: String,
}

impl ToolOutcome {
    /// The MCP result: the summary and the JSON as text, the JSON as structured content.
    pub fn into_result(self) -> CallToolResult {
        let mut r = if self.is_error {
            CallToolResult::structured_error(self.structured)
        } else {
            CallToolResult::structured(self.structured)
        };
        r.content.insert(0, ContentBlock::text(self.summary));
        r
    }

    fn error(code: &str, message: String, extra: Value) -> ToolOutcome {
        let mut structured = json!({"error": {"code": code, "message": message}});
        if let (Some(obj), Value::Object(more)) = (structured["error"].as_object_mut(), extra) {
            obj.extend(more);
        }
        ToolOutcome { is_error: true, structured, summary: message }
    }
}

impl AgentGateway {
    /// The agent's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The agent's grants.
    pub fn policy(&self) -> &AgentPolicy {
        &self.inner.grants
    }

    /// The gateway this agent belongs to.
    pub fn gateway(&self) -> &Gateway {
        &self.inner.gateway
    }

    /// The tools this agent is given, in catalog order. A tool whose every call needs a
    /// dangerous action this agent may use only with a human's approval (`approve`)
    /// says so in its description.
    pub fn tools(&self) -> Vec<Tool> {
        let grants = self.policy();
        self.specs()
            .into_iter()
            .map(|s| {
                let mut tool = s.tool.clone();
                if let Some(note) = tools::approval_note(grants, s.op) {
                    let d = tool.description.as_deref().unwrap_or_default();
                    tool.description = Some(format!("{d} {note}").into());
                }
                tool
            })
            .collect()
    }

    fn specs(&self) -> Vec<&'static ToolSpec> {
        tools::tools_for(self.policy())
    }

    /// Runs one `tools/call`: refuses (and audits) an unknown tool, a tool the agent was
    /// not given, and arguments the tool's schema does not declare; otherwise sends the
    /// call through the agent's guarded client, which decides, audits and redacts.
    ///
    /// No MCP client is asked anything: a call that awaits the approval of the user of
    /// the agent's MCP client (`approval = "client"`) ends `approval_required`, decided
    /// by an operator. [`call_from`](Self::call_from) asks the client.
    pub async fn call(&self, name: &str, arguments: Option<Map<String, Value>>) -> ToolOutcome {
        self.call_from(name, arguments, None).await
    }

    /// [`call`](Self::call), made by the MCP client `client` (the server's peer). For an
    /// agent whose policy says `approval = "client"` (never the default), a call that
    /// ends `approval_required` is put to the human in that client through MCP
    /// elicitation when the client declared the `elicitation` capability (form mode):
    /// the request in plain English, the approval id and its expiry, approve or deny.
    ///
    /// * Approve: the approval is recorded through [`Approvals`] as
    ///   [`client_approver`]`(agent)` (`mcp-client:<agent>`; nothing the agent sends
    ///   names the approver), and the identical request runs once more through the same
    ///   guarded client, which consumes the approval and sends it — within this call.
    /// * Deny, decline or cancel: a denial is recorded the same way; the result is
    ///   `approval_denied` and nothing is sent.
    /// * A client without the capability, an elicitation that fails or times out (see
    ///   [`Gateway::with_elicitation_timeout`]), an answer that is neither, or a policy
    ///   whose `approvers` for the agent name people but not [`CLIENT_APPROVER`]: nobody
    ///   is asked (or the answer is not taken), and the result is the operator's
    ///   `approval_required`, saying why.
    pub async fn call_from(
        &self,
        name: &str,
        arguments: Option<Map<String, Value>>,
        client: Option<&Peer<RoleServer>>,
    ) -> ToolOutcome {
        let gw = &self.inner.gateway;
        let Some(op) = tools::operation_for_tool(name) else {
            let shown = sanitize(name);
            let reason = format!("there is no tool named `{shown}`");
            let guard = self.inner.guarded.guard();
            guard.refuse_unknown(&format!("call the unknown tool {shown}"), "unknown_tool", &reason);
            return ToolOutcome::error(
                "unknown_tool",
                format!("Refused: {reason}. Nothing was sent to Auth0."),
                json!({}),
            );
        };
        let args = Value::Object(arguments.unwrap_or_default());
        // What a refusal record shows: the operation, and its path id when it is valid.
        let refused = || refusal_request(op, args.get("id").and_then(Value::as_str));
        if let Err(why) = tools::offered(self.policy(), op) {
            return self.not_offered(&refused(), name, &why);
        }
        let Some(spec) = tools::spec(op) else {
            return self.not_offered(&refused(), name, &NotOffered::Unavailable);
        };
        let built = match validation_problem(spec, &args) {
            Some(problem) => Err(problem),
            None => build_request(spec, args.clone()),
        };
        let request = match built {
            Ok(r) => r,
            Err(problem) => {
                let reason = format!("invalid arguments for {name}: {problem}");
                self.inner.guarded.guard().refuse(&refused(), "invalid_arguments", &*reason);
                return ToolOutcome::error(
                    "invalid_arguments",
                    format!("Refused: {reason}. Nothing was sent to Auth0."),
                    json!({"sent": false}),
                );
            }
        };
        let checkpoint = request.query_value("from").is_some() || request.query_value("take").is_some();
        let page = request.query_value("page").and_then(|p| p.parse::<u64>().ok()).unwrap_or(0);
        let per_page = request.query_value("per_page").and_then(|p| p.parse::<u64>().ok());
        let take = request.query_value("take").and_then(|p| p.parse::<u64>().ok());
        let mut asked = None;
        let mut result = self.inner.guarded.execute_with_metadata::<Value>(request.clone()).await;
        if let Err(Error::Denied(d)) = &result
            && d.awaits_approval()
            && d.approval.as_ref().is_some_and(|t| t.channel == ApprovalChannel::Client)
        {
            match self.ask_client(client, d).await {
                // Approved in the client and recorded: the identical request, once more,
                // through the same guard, which consumes the approval (bound to this
                // request's hash, single-use) and sends it.
                Asked::Approved => result = self.inner.guarded.execute_with_metadata::<Value>(request).await,
                Asked::Denied(denial) => return approval_outcome(gw, op, &denial, None),
                Asked::Unasked(why) => asked = Some(why),
            }
        }
        match result {
            Ok(resp) => {
                let status = resp.status.as_u16();
                let structured =
                    shape_response(op, &spec.listing, resp.value, status, checkpoint, page, per_page, take);
                let structured = scrub_value(gw, structured);
                let summary = summarize(op, status, &structured);
                ToolOutcome { is_error: false, structured, summary }
            }
            Err(Error::Denied(d)) if d.dry_run => ToolOutcome {
                is_error: false,
                structured: json!({
                    "executed": false,
                    "dry_run": true,
                    "decision": "allowed",
                    "message": "allowed by the policy, not executed: this agent runs in dry-run mode",
                }),
                summary: format!(
                    "Dry run: {} would be allowed, but was not executed (this agent runs in dry-run mode); nothing was sent to Auth0.",
                    op.summary
                ),
            },
            Err(Error::Denied(d)) if d.approval.is_some() => approval_outcome(gw, op, &d, asked.as_deref()),
            Err(Error::Denied(d)) if d.retry_after.is_some() => throttled_outcome(gw, op, &d),
            Err(Error::Denied(d)) => {
                let reason = gw.scrub(d.reason.clone());
                ToolOutcome::error(
                    &d.code,
                    format!("Denied by policy ({}): {reason}. Nothing was sent to Auth0.", d.code),
                    json!({"denied": true, "reason": reason, "operation": op.id, "sent": false}),
                )
            }
            Err(e) => {
                let message = gw.scrub(e.to_string());
                let mut extra = Map::new();
                if let Some(s) = e.status() {
                    extra.insert("status".into(), s.as_u16().into());
                }
                if let Some(c) = e.error_code() {
                    extra.insert("auth0_error_code".into(), gw.scrub(c.to_owned()).into());
                }
                if let Some(w) = e.retry_after() {
                    extra.insert("retry_after_seconds".into(), w.as_secs().into());
                }
                let code = match &e {
                    Error::Api(_) => "auth0_error",
                    Error::WaitTooLong { .. } => "rate_limited",
                    Error::Transport { .. } => "unreachable",
                    Error::Token(_) => "token_error",
                    Error::Decode(_) => "bad_response",
                    _ => "failed",
                };
                ToolOutcome::error(code, format!("Failed: {message}"), Value::Object(extra))
            }
        }
    }

    /// Puts a call awaiting the approval of the user of the agent's MCP client to that
    /// user (MCP elicitation) and records their decision through [`Approvals`].
    async fn ask_client(&self, client: Option<&Peer<RoleServer>>, d: &Denial) -> Asked {
        let gw = &self.inner.gateway;
        let agent = self.name();
        let Some(t) = d.approval.as_deref() else { return Asked::Unasked("no approval was opened".into()) };
        if !client_may_decide(self.policy().approvers(), agent) {
            return Asked::Unasked(format!(
                "the policy's approvers for this agent do not include `{CLIENT_APPROVER}`, so the MCP client's user \
                 is not asked"
            ));
        }
        let Some(store) = gw.approvals.clone() else { return Asked::Unasked("there is no approval store".into()) };
        let Some(peer) = client else {
            return Asked::Unasked("this call was not made over an MCP session that can ask its user".into());
        };
        if !peer.supported_elicitation_modes().contains(&ElicitationMode::Form) {
            return Asked::Unasked("this MCP client did not declare the elicitation capability".into());
        }
        let remaining = t.expires_at.duration_since(SystemTime::now()).unwrap_or_default();
        let timeout = remaining.min(gw.elicitation_timeout);
        if timeout.is_zero() {
            return Asked::Unasked("the approval expires before the MCP client's user could answer".into());
        }
        let request = gw.scrub(sanitize(&t.request));
        let expires_at = rfc3339(t.expires_at);
        // The values, not only the sentence: what approving would send (secrets masked).
        let details = store.get(&t.id).await.ok().flatten().and_then(|a| a.details);
        let body = match details {
            Some(details) => format!(" The request body: {}.", gw.scrub(sanitize(&details))),
            None => String::new(),
        };
        let message = format!(
            "{request}.{body} Approve this call? It is approval {} and stays open until {expires_at}. Nothing has \
             been sent to Auth0: approving runs exactly this request, once; denying refuses it.",
            t.id
        );
        let decision = EnumSchema::builder(vec![APPROVE.to_owned(), DENY.to_owned()])
            .title("Decision")
            .description("Approve or deny this one request")
            .enum_titles(vec!["Approve".to_owned(), "Deny".to_owned()])
            .map(|b| b.build());
        let schema = decision.map_err(|e| e.to_string()).and_then(|decision| {
            ElicitationSchema::builder()
                .title("Approve an Auth0 change")
                .required_enum_schema(DECISION, decision)
                .build()
                .map_err(str::to_owned)
        });
        let schema = match schema {
            Ok(schema) => schema,
            Err(e) => return Asked::Unasked(format!("the approval form could not be made ({e})")),
        };
        let params = ElicitRequestParams::FormElicitationParams { meta: None, message, requested_schema: schema };
        let answer = match peer.create_elicitation_with_timeout(params, Some(timeout)).await {
            Ok(answer) => answer,
            Err(rmcp::service::ServiceError::Timeout { .. }) => {
                return Asked::Unasked("the MCP client's user did not answer in time".into());
            }
            Err(e) => {
                let e = gw.scrub(sanitize(&e.to_string()));
                return Asked::Unasked(format!("asking the MCP client's user failed ({e})"));
            }
        };
        let chosen = answer.content.as_ref().and_then(|c| c.get(DECISION)).and_then(Value::as_str);
        let approvals = Approvals::new(store, gw.sink.clone());
        let by = client_approver(agent);
        let note = match (answer.action, chosen) {
            (ElicitationAction::Accept, Some(APPROVE)) => {
                return match approvals.approve(&t.id, &by).await {
                    Ok(_) => Asked::Approved,
                    Err(e) => {
                        let e = gw.scrub(sanitize(&e.to_string()));
                        Asked::Unasked(format!("the approval given in the MCP client could not be recorded ({e})"))
                    }
                };
            }
            (ElicitationAction::Accept, Some(DENY)) => "denied in the MCP client",
            (ElicitationAction::Accept, _) => {
                return Asked::Unasked("the MCP client's answer was neither approve nor deny".into());
            }
            (ElicitationAction::Decline, _) => "declined in the MCP client",
            (ElicitationAction::Cancel, _) => "cancelled in the MCP client",
            (_, _) => {
                return Asked::Unasked("the MCP client answered with an action this gateway does not know".into());
            }
        };
        match approvals.deny(&t.id, &by, Some(note)).await {
            Ok(a) => {
                let reason = format!(
                    "{by} denied this exact request (approval {}) ({note}); identical calls are refused until {}",
                    a.id,
                    rfc3339(a.expires_at)
                );
                Asked::Denied(Denial::approval_denied(d.operation, reason, a.ticket()))
            }
            Err(e) => {
                let e = gw.scrub(sanitize(&e.to_string()));
                Asked::Unasked(format!("the denial given in the MCP client could not be recorded ({e})"))
            }
        }
    }

    fn not_offered(&self, refused: &Request, name: &str, why: &NotOffered) -> ToolOutcome {
        let op = refused.operation();
        let reason = format!("the tool {name} is not given to this agent: {}", why.reason(op));
        self.inner.guarded.guard().refuse(refused, "tool_not_granted", &*reason);
        ToolOutcome::error(
            "tool_not_granted",
            format!("Denied by policy (tool_not_granted): {reason}. Nothing was sent to Auth0."),
            json!({"denied": true, "because": why.code(), "operation": op.id, "sent": false}),
        )
    }
}

/// The field of the approval form, and its two values.
const DECISION: &str = "decision";
const APPROVE: &str = "approve";
const DENY: &str = "deny";

/// What came of asking the user of the MCP client.
enum Asked {
    /// Approved, and recorded: run the identical request once more.
    Approved,
    /// Denied, declined or cancelled, and recorded: the `approval_denied` denial.
    Denied(Denial),
    /// Nobody was asked, or the answer was not taken: why (for the operator result).
    Unasked(String),
}

/// The result of a call that awaits a human's approval (`approval_required`) or whose
/// exact request a human denied (`approval_denied`): an error result with the approval
/// — its id, the request in plain English, who decides, until when — and, for the model,
/// what happens next.
///
/// `not_asked` says why the user of the MCP client was not asked (or their answer not
/// taken) for an `approval = "client"` agent, whose request then goes to an operator.
fn approval_outcome(gw: &Gateway, op: &Operation, d: &Denial, not_asked: Option<&str>) -> ToolOutcome {
    let Some(t) = d.approval.as_deref() else {
        return ToolOutcome::error(&d.code, gw.scrub(d.reason.clone()), json!({"sent": false}));
    };
    let request = gw.scrub(sanitize(&t.request));
    let who = sanitize(&t.who());
    let expires_at = rfc3339(t.expires_at);
    let approval = json!({
        "id": t.id,
        "request": request,
        "approvers": t.approvers.iter().map(|a| sanitize(a)).collect::<Vec<_>>(),
        "channel": t.channel.as_str(),
        "expires_at": expires_at,
    });
    if d.awaits_approval() {
        // What the model reads names who decides, never how: no command line to copy.
        // An agent that can run programs on the gateway's machine could otherwise approve
        // its own request (the approver's name is whatever `--by` says); the human learns
        // the command from `approvals list` and the documentation, not from the agent.
        let how = match t.channel {
            ApprovalChannel::Client => format!(
                "but {}, so an operator of the gateway decides, outside this conversation",
                not_asked.unwrap_or("this call was not made over an MCP session that can ask its user"),
            ),
            _ => "who decides outside this conversation".to_owned(),
        };
        let message = format!(
            "Awaiting approval (approval_required): {request}. Nothing was sent to Auth0. It needs the approval \
             of {who}, {how}; approval {} stays open until {expires_at}. You cannot approve it yourself: tell the \
             user who must approve it and which approval it is; once it is approved, send the identical call again \
             (same tool, same arguments) and it runs once. A call with different arguments needs a new approval.",
            t.id
        );
        let mut approval = approval;
        if let (ApprovalChannel::Client, Some(why)) = (t.channel, not_asked) {
            approval["client_not_asked"] = Value::String(why.to_owned());
        }
        ToolOutcome::error(
            "approval_required",
            message,
            json!({"approval": approval, "operation": op.id, "sent": false, "awaiting_approval": true}),
        )
    } else {
        let reason = gw.scrub(sanitize(&d.reason));
        ToolOutcome::error(
            &d.code,
            format!("Denied by a human ({}): {reason}. Nothing was sent to Auth0; do not retry this call.", d.code),
            json!({"approval": approval, "denied": true, "reason": reason, "operation": op.id, "sent": false}),
        )
    }
}

/// The result of a call refused by the agent's own budget (`agent_rate_limited`):
/// when it may be tried again, as seconds and as a time.
fn throttled_outcome(gw: &Gateway, op: &Operation, d: &Denial) -> ToolOutcome {
    let wait = d.retry_after.unwrap_or_default();
    // Whole seconds, rounded up: retrying at the given second is never too early.
    let seconds = wait.as_secs().saturating_add(u64::from(wait.subsec_nanos() > 0));
    let at = rfc3339(SystemTime::now().checked_add(Duration::from_secs(seconds)).unwrap_or_else(SystemTime::now));
    let reason = gw.scrub(sanitize(&d.reason));
    ToolOutcome::error(
        &d.code,
        format!(
            "Denied by policy ({}): {reason}. Nothing was sent to Auth0. Retry in {seconds} second{} (at {at}).",
            d.code,
            if seconds == 1 { "" } else { "s" }
        ),
        json!({
            "denied": true,
            "reason": reason,
            "operation": op.id,
            "sent": false,
            "retry_after_seconds": seconds,
            "retry_at": at,
        }),
    )
}

/// The request a refusal is recorded for: `op`, with `id` as its path id when the
/// operation has one and `id` is valid for its kind (an invalid id is left out).
fn refusal_request(op: &'static Operation, id: Option<&str>) -> Request {
    let request = Request::new(op);
    match (op.path_id, id) {
        (Some(path), Some(id)) => with_path_id(request.clone(), path.kind, id).unwrap_or(request),
        _ => request,
    }
}

/// Validates `id` as an id of `kind` and sets it as the request's path id.
fn with_path_id(request: Request, kind: IdKind, id: &str) -> Result<Request, IdError> {
    Ok(match kind {
        IdKind::User => request.id(&UserId::new(id)?),
        IdKind::Role => request.id(&RoleId::new(id)?),
        IdKind::Client => request.id(&ClientId::new(id)?),
        IdKind::Connection => request.id(&ConnectionId::new(id)?),
        IdKind::Organization => request.id(&OrganizationId::new(id)?),
        IdKind::Api => request.id(&ResourceServerId::new(id)?),
        IdKind::Grant => request.id(&GrantId::new(id)?),
        IdKind::RefreshToken => request.id(&RefreshTokenId::new(id)?),
        IdKind::Session => request.id(&SessionId::new(id)?),
        IdKind::Log => request.id(&LogId::new(id)?),
        // A connection is named in bodies only; no path takes a name.
        IdKind::ConnectionName => {
            kind.validate(id)?;
            return Ok(request);
        }
    })
}

fn scrub_value(gw: &Gateway, mut v: Value) -> Value {
    if !gw.scrub.is_empty() {
        gw.scrub.json(&mut v);
    }
    v
}

/// What is wrong with `args`, described without echoing any value.
fn validation_problem(spec: &ToolSpec, args: &Value) -> Option<String> {
    let mut problems: Vec<String> = Vec::new();
    for e in spec.validator.iter_errors(args).take(5) {
        use jsonschema::error::ValidationErrorKind as K;
        let path = e.instance_path().to_string();
        let at =
            if path.is_empty() { String::new() } else { format!("`{}`: ", sanitize(path.trim_start_matches('/'))) };
        let what = match e.kind() {
            K::AdditionalProperties { unexpected } => format!(
                "undeclared argument{} {} (the tool's schema declares every argument it accepts)",
                if unexpected.len() == 1 { "" } else { "s" },
                unexpected.iter().map(|u| format!("`{}`", sanitize(u))).collect::<Vec<_>>().join(", ")
            ),
            K::Required { property } => {
                format!("missing required argument `{}`", sanitize(&property.to_string().replace('"', "")))
            }
            K::Type { kind: jsonschema::error::TypeKind::Single(t) } => format!("wrong type (expected {t})"),
            K::Type { .. } => "wrong type".to_owned(),
            K::Minimum { limit } => format!("below the minimum {limit}"),
            K::Maximum { limit } => format!("above the maximum {limit}"),
            K::MinLength { limit } => format!("shorter than {limit} characters"),
            K::MaxLength { limit } => format!("longer than {limit} characters"),
            K::MinItems { limit } => format!("fewer than {limit} items"),
            K::MaxItems { limit } => format!("more than {limit} items"),
            K::OneOfNotValid { .. } | K::AnyOf { .. } | K::OneOfMultipleValid { .. } => {
                "the arguments match none of the accepted combinations".to_owned()
            }
            K::Enum { .. } | K::Constant { .. } => "not one of the accepted values".to_owned(),
            _ => "does not match the tool's schema".to_owned(),
        };
        let line = format!("{at}{what}");
        if !problems.contains(&line) {
            problems.push(line);
        }
    }
    if problems.is_empty() { None } else { Some(problems.join("; ")) }
}

/// Splits validated arguments into the path id, the query and the body, and builds the
/// request. The query and body keys come from the tool's own declarations.
fn build_request(spec: &ToolSpec, args: Value) -> Result<Request, String> {
    let op = spec.op;
    let Value::Object(mut args) = args else { return Err("the arguments must be an object".into()) };
    let mut request = Request::new(op);
    if let Some(path) = op.path_id {
        let id = args.remove("id");
        let id = id.as_ref().and_then(Value::as_str).ok_or("missing required argument `id`")?;
        request = with_path_id(request, path.kind, id).map_err(|e| format!("`id`: {e}"))?;
    }
    for q in op.query {
        let Some(v) = args.remove(q.name) else { continue };
        match (q.ty, v) {
            (ParamType::String, Value::String(s)) => request = request.query(q.name, s),
            (ParamType::Integer { .. }, Value::Number(n)) => {
                // JSON Schema counts 2.0 as an integer; the query string wants `2`.
                let whole =
                    n.as_u64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0).map(|f| f as u64));
                let whole = whole.ok_or_else(|| format!("`{}`: not a whole number", q.name))?;
                request = request.query(q.name, whole);
            }
            (ParamType::Boolean, Value::Bool(b)) => request = request.query(q.name, b),
            (ParamType::StringList { .. }, Value::Array(items)) => {
                for item in items {
                    let Value::String(s) = item else { return Err(format!("`{}`: items must be strings", q.name)) };
                    request = request.query(q.name, s);
                }
            }
            _ => return Err(format!("`{}`: wrong type", q.name)),
        }
    }
    // Offset listings: ask for the wrapped form, which carries `total`.
    if spec.listing.totals
        && op.paging.offset()
        && request.query_value("from").is_none()
        && request.query_value("take").is_none()
    {
        request = request.query("include_totals", true);
    }
    if request.query_value("q").is_some() {
        for (k, v) in spec.listing.q_implies {
            if request.query_value(k).is_none() {
                request = request.query(*k, *v);
            }
        }
    }
    if op.body_model.is_some() {
        request = request.json_value(Value::Object(args));
    } else if let Some(k) = args.keys().next() {
        // The schema refuses undeclared arguments; this is the second lock.
        return Err(format!("undeclared argument `{}`", sanitize(k)));
    }
    Ok(request)
}

/// The structured content of a success: listings become one page with `next`; other
/// objects stay as they are; arrays become `{"items": …}`; empty bodies `{"status": …}`.
#[allow(clippy::too_many_arguments)]
fn shape_response(
    op: &Operation,
    listing: &Listing,
    value: Value,
    status: u16,
    checkpoint: bool,
    page: u64,
    per_page: Option<u64>,
    take: Option<u64>,
) -> Value {
    let Some(key) = op.list_key.filter(|_| op.paging != Paging::None) else {
        return match value {
            Value::Object(_) => value,
            Value::Null => json!({"status": status, "done": true}),
            other => json!({"items": other}),
        };
    };
    let (items, mut wrapper) = match value {
        Value::Array(items) => (items, Map::new()),
        Value::Object(mut m) => {
            let items = match m.remove(key) {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            };
            (items, m)
        }
        _ => (Vec::new(), Map::new()),
    };
    let count = items.len() as u64;
    let mut out = Map::new();
    let next = if checkpoint || op.paging == Paging::Checkpoint {
        match listing.checkpoint_next {
            CheckpointNext::NextField => match wrapper.remove("next") {
                Some(Value::String(n)) if !n.is_empty() && count > 0 => Some(Value::String(n)),
                _ => None,
            },
            // A bare array: a full page continues after its last item.
            CheckpointNext::LastItem(field) if count > 0 && count >= take.unwrap_or(50) => {
                items.last().and_then(|l| l.get(field)).filter(|v| v.is_string()).cloned()
            }
            CheckpointNext::LastItem(_) => None,
        }
    } else {
        let size = per_page.unwrap_or(50).max(1);
        let total = wrapper.get("total").and_then(Value::as_u64);
        let more = count >= size
            && match total {
                // The logs `total` is the page size, not the number of matches.
                Some(t) if listing.totals => page.saturating_add(1).saturating_mul(size) < t,
                _ => true,
            };
        if let Some(t) = total.filter(|_| listing.totals) {
            out.insert("total".into(), t.into());
        }
        more.then(|| Value::from(page.saturating_add(1)))
    };
    out.insert(key.into(), Value::Array(items));
    if let Some(n) = next {
        out.insert("next".into(), n);
    }
    Value::Object(out)
}

fn summarize(op: &Operation, status: u16, structured: &Value) -> String {
    match op.list_key.and_then(|k| structured.get(k)).and_then(Value::as_array) {
        Some(items) if op.paging != Paging::None => {
            let more = match structured.get("next") {
                Some(n) => format!("; more: call again with {} = {n}", if n.is_string() { "from" } else { "page" }),
                None => "; no more pages".to_owned(),
            };
            format!("{}: {} item{}{more}.", op.summary, items.len(), if items.len() == 1 { "" } else { "s" })
        }
        _ => format!("{}: done ({status}).", op.summary),
    }
}
