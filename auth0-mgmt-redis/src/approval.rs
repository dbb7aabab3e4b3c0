//! [`RedisApprovalStore`]: the policy's approvals in Redis, shared by every gateway replica
//! and the operators' CLI.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use auth0_mgmt::catalog::{Action, ActionSet, IdKind};
use auth0_mgmt::{ApprovalChannel, BoxFuture};
use auth0_mgmt_policy::Target;
use auth0_mgmt_policy::approval::{
    Approval, ApprovalAsk, ApprovalState, ApprovalStore, CheckAnswer, Checked, Decided, ListFilter, StoreError,
    Verdict, is_approval_id,
};
use redis::Script;
use serde::{Deserialize, Serialize};

use crate::keys::{Keys, digest};
use crate::store::{self, Store};

const SCRIPT: &str = include_str!("approval.lua");

/// How long an approval's record stays in Redis past its expiry, by default: long enough
/// for `approvals list` and the expiry's audit record, short enough that Redis does not
/// fill up.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(24 * 3600);

/// The policy's [`ApprovalStore`] in Redis, for deployments of several processes (gateway
/// replicas, and the operators' `approvals` CLI): a request made through one replica is
/// approved from the CLI and consumed by whichever replica the identical call reaches —
/// exactly once.
///
/// Every state transition is one Lua script (Redis runs a script alone): a check expires
/// what has expired, consumes an approved approval of the request or answers its denial
/// or open request, or makes a request — atomically, so of two concurrent checks of one
/// approved request exactly one consumes it; approve applies only to a pending, unexpired
/// approval, deny to a pending or approved-but-unused one. Expiry is decided on the time
/// the policy passes in (its clock), never on Redis' clock, so a test's clock works.
///
/// Keys (all under `auth0-mgmt:{deployment}:approvals:{tenant}:`, the tenant as a digest
/// and a Redis Cluster hash tag): one hash per approval (the immutable fields as JSON, the
/// state and times as fields), an index of open approvals by expiry, an index of all by
/// creation, one index per (agent, request hash). A record expires from Redis
/// [`SharedConfig::approval_retention`](crate::SharedConfig::approval_retention) after its approval expires (24 h by default).
///
/// **Redis down: fail closed.** Every operation then fails with a [`StoreError`] ("Redis
/// is unreachable"); the guard refuses the call (`approval_unavailable`, nothing sent) and
/// the CLI reports the error — a call that needs approval is never executed unapproved,
/// and nothing is decided while Redis is away.
///
/// Made by [`Shared::approvals`](crate::Shared::approvals):
///
/// ```no_run
/// use std::sync::Arc;
/// use auth0_mgmt::Client;
/// use auth0_mgmt_policy::{Guard, GuardedClient, JsonLinesSink, Policy};
/// use auth0_mgmt_redis::Shared;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let builder = Client::builder().domain("acme.eu.auth0.com").client_credentials("ID", "SECRET");
/// let shared = Shared::connect("redis://127.0.0.1:6379/", builder.build_client_credentials()?).await?;
/// let client = shared.apply(builder).build()?;
/// let policy = Arc::new(Policy::from_file("policy.toml")?);
/// let audit = Arc::new(JsonLinesSink::open("audit.jsonl")?);
/// let guard = Guard::new(policy, "support-bot", audit)
///     .with_approvals(shared.approvals())
///     .with_budgets(shared.budgets());
/// let agent = GuardedClient::with_guard(&client, guard);
/// # let _ = agent;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct RedisApprovalStore {
    store: Arc<Store>,
    script: Arc<Script>,
    /// `auth0-mgmt:{deployment}:approvals:{tenant}:`
    base: String,
    /// `{base}a:`, before an approval id.
    prefix: String,
    open: String,
    all: String,
    retention: Duration,
}

/// The fields of an approval that never change, stored as JSON.
#[derive(Serialize, Deserialize)]
struct Body {
    id: String,
    agent: String,
    operation: String,
    request_hash: String,
    request: String,
    /// (kind, id, allow-listed)
    targets: Vec<(String, String, bool)>,
    actions: Vec<String>,
    approvers: Vec<String>,
    channel: String,
    policy_version: String,
    created_ms: u64,
    call_id: String,
    /// The request body shown to approvers (absent in records of earlier versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    details: Option<String>,
}

fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn from_unix_ms(ms: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_millis(ms)).unwrap_or(SystemTime::UNIX_EPOCH)
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl RedisApprovalStore {
    pub(crate) fn new(store: Arc<Store>, keys: &Keys) -> RedisApprovalStore {
        let base = format!("auth0-mgmt:{}:approvals:{{{}}}:", keys.deployment(), keys.tenant());
        RedisApprovalStore {
            store,
            script: Arc::new(Script::new(SCRIPT)),
            prefix: format!("{base}a:"),
            open: format!("{base}open"),
            all: format!("{base}all"),
            base,
            retention: DEFAULT_RETENTION,
        }
    }

    /// Keeps records `retention` past their approval's expiry (at least one minute).
    pub(crate) fn with_retention(mut self, retention: Duration) -> RedisApprovalStore {
        self.retention = retention.max(Duration::from_secs(60));
        self
    }

    fn name(&self) -> &'static str {
        "redis"
    }

    fn error(&self, e: store::StoreError) -> StoreError {
        let why = match e {
            store::StoreError::Down => "Redis is unreachable",
            store::StoreError::Timeout => "Redis did not answer in time",
            store::StoreError::Redis => "Redis failed",
        };
        StoreError::new(self.name(), format!("{why}; approvals are refused until it answers again"))
    }

    fn bad(&self, what: impl std::fmt::Display) -> StoreError {
        StoreError::new(self.name(), format!("an approval record in Redis is damaged: {what}"))
    }

    fn request_key(&self, agent: &str, request_hash: &str) -> String {
        format!("{}req:{}", self.base, digest(&[agent, request_hash]))
    }

    /// Runs the script's `op` with `keys[2]` (the third key) and `args` after the common
    /// ones.
    async fn run(&self, op: &str, third: &str, now: SystemTime, args: &[&str]) -> Result<Vec<Vec<String>>, StoreError> {
        let now = unix_ms(now).to_string();
        let retention = millis(self.retention).to_string();
        self.store
            .run(None, |mut c| {
                let mut inv = self.script.key(&self.open);
                inv.key(&self.all).key(third);
                inv.arg(op).arg(&self.prefix).arg(&now).arg(&retention);
                for a in args {
                    inv.arg(*a);
                }
                async move { inv.invoke_async::<Vec<Vec<String>>>(&mut c).await }
            })
            .await
            .map_err(|e| self.error(e))
    }

    fn parse(&self, flat: Vec<String>) -> Result<Approval, StoreError> {
        let mut fields: HashMap<String, String> = HashMap::new();
        let mut it = flat.into_iter();
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            fields.insert(k, v);
        }
        let field = |name: &str| fields.get(name).ok_or_else(|| self.bad(format_args!("no {name}")));
        let number = |name: &str| -> Result<Option<u64>, StoreError> {
            fields
                .get(name)
                .map(|v| v.parse::<u64>().map_err(|_| self.bad(format_args!("{name} is {v:?}"))))
                .transpose()
        };
        let body: Body = serde_json::from_str(field("body")?).map_err(|e| self.bad(e))?;
        let state = field("state")?;
        let state = ApprovalState::parse(state).ok_or_else(|| self.bad(format_args!("state {state:?}")))?;
        let mut a = Approval::restored(body.id, state);
        a.agent = body.agent;
        a.operation = body.operation;
        a.request_hash = body.request_hash;
        a.request = body.request;
        a.targets = body
            .targets
            .into_iter()
            .map(|(kind, id, allow_listed)| {
                let kind = IdKind::ALL
                    .into_iter()
                    .find(|k| k.as_str() == kind)
                    .ok_or_else(|| self.bad(format_args!("id kind {kind:?}")))?;
                Ok(Target { kind, id, allow_listed })
            })
            .collect::<Result<_, StoreError>>()?;
        a.actions = body
            .actions
            .iter()
            .map(|x| Action::parse(x).ok_or_else(|| self.bad(format_args!("action {x:?}"))))
            .collect::<Result<ActionSet, _>>()?;
        a.approvers = body.approvers;
        a.channel = match body.channel.as_str() {
            "operator" => ApprovalChannel::Operator,
            "client" => ApprovalChannel::Client,
            other => return Err(self.bad(format_args!("channel {other:?}"))),
        };
        a.policy_version = body.policy_version;
        a.call_id = body.call_id;
        a.details = body.details;
        a.created_at = from_unix_ms(body.created_ms);
        a.expires_at = from_unix_ms(number("expires_ms")?.ok_or_else(|| self.bad("no expires_ms"))?);
        a.ttl = Duration::from_millis(number("ttl_ms")?.unwrap_or(0));
        a.decided_by = fields.get("decided_by").cloned();
        a.decided_at = number("decided_ms")?.map(from_unix_ms);
        a.note = fields.get("note").cloned();
        a.consumed_at = number("consumed_ms")?.map(from_unix_ms);
        Ok(a)
    }

    /// The reply's answer word and its approvals.
    fn split(&self, reply: Vec<Vec<String>>) -> Result<(String, Vec<Approval>), StoreError> {
        let mut it = reply.into_iter();
        let answer = it.next().and_then(|a| a.into_iter().next()).ok_or_else(|| self.bad("an empty reply"))?;
        let approvals = it.map(|flat| self.parse(flat)).collect::<Result<Vec<_>, _>>()?;
        Ok((answer, approvals))
    }
}

impl ApprovalStore for RedisApprovalStore {
    fn check<'a>(&'a self, ask: &'a ApprovalAsk, now: SystemTime) -> BoxFuture<'a, Result<Checked, StoreError>> {
        Box::pin(async move {
            let fresh = Approval::new_pending(ask, now);
            let body = Body {
                id: fresh.id.clone(),
                agent: fresh.agent.clone(),
                operation: fresh.operation.clone(),
                request_hash: fresh.request_hash.clone(),
                request: fresh.request.clone(),
                targets: fresh
                    .targets
                    .iter()
                    .map(|t| (t.kind.as_str().to_owned(), t.id.clone(), t.allow_listed))
                    .collect(),
                actions: fresh.actions.iter().map(|a| a.as_str().to_owned()).collect(),
                approvers: fresh.approvers.clone(),
                channel: fresh.channel.as_str().to_owned(),
                policy_version: fresh.policy_version.clone(),
                created_ms: unix_ms(fresh.created_at),
                call_id: fresh.call_id.clone(),
                details: fresh.details.clone(),
            };
            let body = serde_json::to_string(&body).map_err(|e| self.bad(e))?;
            let (created, expires, ttl) = (
                unix_ms(fresh.created_at).to_string(),
                unix_ms(fresh.expires_at).to_string(),
                millis(fresh.ttl).to_string(),
            );
            let req = self.request_key(&ask.agent, &ask.request_hash);
            let reply = self.run("check", &req, now, &[&fresh.id, &body, &created, &expires, &ttl]).await?;
            let (answer, mut approvals) = self.split(reply)?;
            if approvals.is_empty() {
                return Err(self.bad("a check without its approval"));
            }
            let a = approvals.remove(0);
            let answer = match answer.as_str() {
                "consumed" => CheckAnswer::Consumed(a),
                "denied" => CheckAnswer::Denied(a),
                "pending" => CheckAnswer::Pending(a),
                "requested" => CheckAnswer::Requested(a),
                other => return Err(self.bad(format_args!("answer {other:?}"))),
            };
            Ok(Checked { answer, expired: approvals })
        })
    }

    fn get<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<Approval>, StoreError>> {
        Box::pin(async move {
            if !is_approval_id(id) {
                return Ok(None);
            }
            let key = format!("{}{id}", self.prefix);
            let flat: Vec<String> = self
                .store
                .run(None, |mut c| async move { redis::cmd("HGETALL").arg(&key).query_async(&mut c).await })
                .await
                .map_err(|e| self.error(e))?;
            if flat.is_empty() { Ok(None) } else { self.parse(flat).map(Some) }
        })
    }

    fn list(&self, filter: ListFilter) -> BoxFuture<'_, Result<Vec<Approval>, StoreError>> {
        Box::pin(async move {
            let now = SystemTime::now();
            let (_, mut approvals) = match filter {
                ListFilter::Open => self.split(self.run("open", &self.all, now, &[]).await?)?,
                ListFilter::Recent(n) => {
                    let n = n.min(1_000_000).to_string();
                    self.split(self.run("recent", &self.all, now, &[&n]).await?)?
                }
            };
            match filter {
                // Oldest first (the index is by expiry; approving moves one later).
                ListFilter::Open => approvals.sort_by_key(|a| a.created_at),
                ListFilter::Recent(_) => approvals.sort_by_key(|a| std::cmp::Reverse(a.created_at)),
            }
            Ok(approvals)
        })
    }

    fn decide<'a>(
        &'a self,
        id: &'a str,
        verdict: Verdict,
        by: &'a str,
        note: Option<&'a str>,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<Decided, StoreError>> {
        Box::pin(async move {
            if !is_approval_id(id) {
                return Ok(Decided::NotFound);
            }
            let key = format!("{}{id}", self.prefix);
            let verdict = match verdict {
                Verdict::Approve => "approve",
                Verdict::Deny => "deny",
            };
            let has_note = if note.is_some() { "1" } else { "0" };
            let reply = self.run("decide", &key, now, &[id, verdict, by, note.unwrap_or(""), has_note]).await?;
            let (answer, mut approvals) = self.split(reply)?;
            let mut one = || approvals.pop().ok_or_else(|| self.bad("a decision without its approval"));
            Ok(match answer.as_str() {
                "not_found" => Decided::NotFound,
                "not_open" => Decided::NotOpen(one()?),
                "expired" => Decided::Expired(one()?),
                "done" => Decided::Done(one()?),
                other => return Err(self.bad(format_args!("answer {other:?}"))),
            })
        })
    }

    fn expire(&self, now: SystemTime) -> BoxFuture<'_, Result<Vec<Approval>, StoreError>> {
        Box::pin(async move {
            let (_, mut approvals) = self.split(self.run("expire", &self.all, now, &[]).await?)?;
            approvals.sort_by_key(|a| a.created_at);
            Ok(approvals)
        })
    }
}
