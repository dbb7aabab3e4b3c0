//! Human approval of dangerous actions, through the public API: a guarded client on a
//! wiremock tenant (its request log shows what was sent), the SQLite store in a file, the
//! `Approvals` API as the CLI would use it, and an injected clock for expiry.

mod common;

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use auth0_mgmt::{Client, Error, RoleId, UserId};
use auth0_mgmt_policy::chain::verify;
use auth0_mgmt_policy::{
    ApprovalError, ApprovalEventKind, ApprovalState, Approvals, AuditDecision, AuditSink, Guard, GuardedClient,
    JsonLinesSink, ManualClock, MemorySink, Policy, RecordPhase, SqliteApprovalStore,
};
use common::*;
use wiremock::MockServer;

const POLICY: &str = r#"
schema_version = 1
[guardrails]
protected_users = ["auth0|breakglass"]
[approvals]
expire_after_minutes = 15
approvers = ["alice", "bob"]

[agents.support-bot]
resources = { users = "full", roles = "full" }
approve = ["delete_users", "assign_roles"]
[agents.support-bot.allow]
roles = ["rol_Support"]

[agents.reader]
resources = { users = "read" }

[agents.rehearsal]
mode = "dry_run"
resources = { users = "full" }
approve = ["delete_users"]

[agents.meta]
resources = { users = "full" }
approve = ["update_app_metadata"]
approval = "client"
"#;

struct World {
    server: MockServer,
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    clock: Arc<ManualClock>,
    sink: Arc<MemorySink>,
    policy: Arc<Policy>,
}

impl World {
    async fn new() -> World {
        let server = server().await;
        ok_everything(&server).await;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("approvals.sqlite");
        World {
            server,
            db,
            _dir: dir,
            clock: Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_800_000_000))),
            sink: Arc::new(MemorySink::new()),
            policy: Arc::new(Policy::from_toml(POLICY).unwrap()),
        }
    }

    fn client_with(&self, scopes: &str) -> Client {
        client_with_scopes(&self.server, scopes)
    }

    /// The gateway side: a guarded client with its own handle on the store file.
    fn agent(&self, name: &str) -> GuardedClient {
        self.agent_on(&self.client_with(&all_scopes()), name)
    }

    fn agent_on(&self, client: &Client, name: &str) -> GuardedClient {
        let store = Arc::new(SqliteApprovalStore::open(&self.db).unwrap());
        let guard = Guard::new(self.policy.clone(), name, self.sink.clone() as Arc<dyn AuditSink>)
            .with_approvals(store)
            .with_clock(self.clock.clone());
        GuardedClient::with_guard(client, guard)
    }

    /// The CLI side: another handle on the same file.
    fn cli(&self) -> Approvals {
        let store = Arc::new(SqliteApprovalStore::open(&self.db).unwrap());
        Approvals::new(store, self.sink.clone()).with_clock(self.clock.clone())
    }

    async fn sent(&self) -> usize {
        api_requests(&self.server).await.len()
    }
}

async fn update(agent: &GuardedClient, body: serde_json::Value) -> Result<(), Error> {
    let req = auth0_mgmt::Request::new(&auth0_mgmt::catalog::USERS_UPDATE).id(&uid("auth0|1")).json_value(body);
    agent.execute::<serde_json::Value>(req).await.map(drop)
}

fn uid(s: &str) -> UserId {
    s.parse().unwrap()
}

fn awaited(r: Result<(), Error>) -> auth0_mgmt::Denial {
    match r {
        Err(Error::Denied(d)) => *d,
        other => panic!("expected a denial, got {other:?}"),
    }
}

#[tokio::test]
async fn requested_then_approved_then_the_identical_retry_runs_exactly_once() {
    let w = World::new().await;
    let bot = w.agent("support-bot");
    let user = uid("auth0|123");

    let d = awaited(bot.users().delete(&user).await);
    assert_eq!(d.code, "approval_required");
    assert!(d.awaits_approval());
    let t = d.approval.as_deref().unwrap();
    assert_eq!(t.request, "support-bot wants to delete user auth0|123");
    assert_eq!(t.approvers, ["alice", "bob"]);
    assert_eq!(t.who(), "alice or bob");
    assert_eq!(t.expires_at, w.clock.now_plus(Duration::from_secs(900)));
    assert!(d.to_string().contains("awaits approval"), "{d}");
    assert_eq!(w.sent().await, 0, "nothing is sent while it waits");

    // Re-sending before a decision: the same request, still waiting; no second request.
    let again = awaited(bot.users().delete(&user).await);
    assert_eq!(again.approval.as_ref().unwrap().id, t.id);
    let cli = w.cli();
    let pending = cli.pending().await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].id, t.id);
    assert_eq!(pending[0].state, ApprovalState::Pending);
    assert!(pending[0].to_string().contains("support-bot wants to delete user auth0|123"));

    let approved = cli.approve(&t.id, "alice").await.unwrap();
    assert_eq!(approved.state, ApprovalState::Approved);
    assert_eq!(approved.decided_by.as_deref(), Some("alice"));
    assert_eq!(w.sent().await, 0);

    // The identical call proceeds — once.
    bot.users().delete(&user).await.unwrap();
    let reqs = api_requests(&w.server).await;
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method.as_str(), "DELETE");
    assert_eq!(reqs[0].url.path(), "/api/v2/users/auth0%7C123");
    assert_eq!(cli.get(&t.id).await.unwrap().state, ApprovalState::Consumed);

    // A second identical call is a new request: it does not run.
    let d2 = awaited(bot.users().delete(&user).await);
    assert_eq!(d2.code, "approval_required");
    assert_ne!(d2.approval.unwrap().id, t.id);
    assert_eq!(w.sent().await, 1);

    // The whole life is in the trail, in order.
    let events: Vec<(RecordPhase, String)> = w.sink.records().iter().map(|r| (r.phase, r.code.to_string())).collect();
    let codes: Vec<&str> = events.iter().map(|(_, c)| c.as_str()).collect();
    assert_eq!(
        codes,
        [
            "approval_requested",
            "approval_required",
            "approval_required",
            "approval_approved",
            "approval_consumed",
            "allowed",
            "allowed",
            "approval_requested",
            "approval_required"
        ],
        "{:#?}",
        w.sink.sentences()
    );
    let outcome = &w.sink.records()[1];
    assert_eq!(outcome.decision, AuditDecision::ApprovalRequired);
    assert!(
        outcome.message.starts_with("support-bot asked to delete user auth0|123 — awaits approval"),
        "{}",
        outcome.message
    );
    let approved = &w.sink.records()[3];
    assert_eq!(approved.approval.as_ref().unwrap().event, ApprovalEventKind::Approved);
    assert_eq!(approved.approval.as_ref().unwrap().by.as_deref(), Some("alice"));
    assert!(approved.message.starts_with("alice approved apr_"), "{}", approved.message);
}

trait Plus {
    fn now_plus(&self, d: Duration) -> std::time::SystemTime;
}
impl Plus for ManualClock {
    fn now_plus(&self, d: Duration) -> std::time::SystemTime {
        use auth0_mgmt_policy::Clock as _;
        self.now() + d
    }
}

#[tokio::test]
async fn a_changed_body_needs_its_own_approval() {
    let w = World::new().await;
    let bot = w.agent("support-bot");
    let user = uid("auth0|123");
    let support: RoleId = "rol_Support".parse().unwrap();
    let d = awaited(bot.users().assign_roles(&user, [support.clone()]).await);
    let id = d.approval.unwrap().id;
    w.cli().approve(&id, "bob").await.unwrap();
    // Another user (path id) and another body are other requests.
    let other = awaited(bot.users().assign_roles(&uid("auth0|456"), [support.clone()]).await);
    assert_eq!(other.code, "approval_required");
    assert_ne!(other.approval.unwrap().id, id);
    let req = auth0_mgmt::Request::new(&auth0_mgmt::catalog::USERS_ASSIGN_ROLES)
        .id(&user)
        .json_value(serde_json::json!({ "roles": ["rol_Support", "rol_Support"] }));
    let changed: Result<serde_json::Value, _> = bot.execute(req).await;
    assert_eq!(code(&changed), "approval_required");
    assert_eq!(w.sent().await, 0);
    // Key order is not a change (canonical JSON): the approved request runs.
    bot.users().assign_roles(&user, [support]).await.unwrap();
    assert_eq!(w.sent().await, 1);
}

#[tokio::test]
async fn expired_approvals_never_execute() {
    let w = World::new().await;
    let bot = w.agent("support-bot");
    let user = uid("auth0|123");
    let cli = w.cli();

    // Pending past its time: it cannot be approved any more.
    let first = awaited(bot.users().delete(&user).await).approval.unwrap().id;
    w.clock.advance(Duration::from_secs(15 * 60));
    match cli.approve(&first, "alice").await {
        Err(ApprovalError::Expired(a)) => assert_eq!(a.state, ApprovalState::Expired),
        other => panic!("{other:?}"),
    }
    // Approved, but used too late: the retry asks anew and nothing runs.
    let second = awaited(bot.users().delete(&user).await).approval.unwrap().id;
    assert_ne!(second, first);
    cli.approve(&second, "alice").await.unwrap();
    w.clock.advance(Duration::from_secs(15 * 60 + 1));
    let d = awaited(bot.users().delete(&user).await);
    assert_eq!(d.code, "approval_required");
    assert_eq!(cli.get(&second).await.unwrap().state, ApprovalState::Expired);
    assert_eq!(w.sent().await, 0);
    let expired = w.sink.records().iter().filter(|r| r.code == "approval_expired").count();
    assert_eq!(expired, 2, "{:#?}", w.sink.sentences());
    // An approval used within its time after a late grant runs (the grant has its own 15 minutes).
    let third = d.approval.unwrap().id;
    w.clock.advance(Duration::from_secs(14 * 60));
    cli.approve(&third, "bob").await.unwrap();
    w.clock.advance(Duration::from_secs(14 * 60));
    bot.users().delete(&user).await.unwrap();
    assert_eq!(w.sent().await, 1);
}

#[tokio::test]
async fn a_denied_approval_never_executes_and_deny_withdraws_an_unused_approval() {
    let w = World::new().await;
    let bot = w.agent("support-bot");
    let user = uid("auth0|123");
    let cli = w.cli();
    let id = awaited(bot.users().delete(&user).await).approval.unwrap().id;
    cli.deny(&id, "bob", Some("not during the incident")).await.unwrap();
    for _ in 0..2 {
        let d = awaited(bot.users().delete(&user).await);
        assert_eq!(d.code, "approval_denied");
        assert!(d.reason.contains("bob denied this exact request"), "{}", d.reason);
        assert!(d.reason.contains("not during the incident"), "{}", d.reason);
        assert_eq!(d.approval.unwrap().decided_by.as_deref(), Some("bob"));
    }
    // A denied approval cannot be approved afterwards (deny beats approve).
    assert!(matches!(cli.approve(&id, "alice").await, Err(ApprovalError::NotOpen(_))));
    assert_eq!(w.sent().await, 0);

    // Approved, then withdrawn before use.
    let other = uid("auth0|456");
    let id2 = awaited(bot.users().delete(&other).await).approval.unwrap().id;
    cli.approve(&id2, "alice").await.unwrap();
    cli.deny(&id2, "bob", None).await.unwrap();
    assert_eq!(awaited(bot.users().delete(&other).await).code, "approval_denied");
    assert_eq!(w.sent().await, 0);
}

#[tokio::test]
async fn concurrent_identical_retries_execute_once() {
    let w = World::new().await;
    let user = uid("auth0|123");
    let id = awaited(w.agent("support-bot").users().delete(&user).await).approval.unwrap().id;
    w.cli().approve(&id, "alice").await.unwrap();
    // Eight callers, each with its own handle on the store file (as separate gateway
    // sessions would be), released at once.
    let barrier = Arc::new(tokio::sync::Barrier::new(8));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (bot, barrier, user) = (w.agent("support-bot"), barrier.clone(), user.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                bot.users().delete(&user).await
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(e) => assert_eq!(e.denial().unwrap().code, "approval_required"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(w.sent().await, 1);
}

#[tokio::test]
async fn deny_beats_approve_and_asks_nobody() {
    let w = World::new().await;
    let bot = w.agent("support-bot");
    // Guardrail.
    assert_eq!(awaited(bot.users().delete(&uid("auth0|breakglass")).await).code, "protected_target");
    // Allow-list: rol_Admin is not on the list, approval or not.
    let admin: RoleId = "rol_Admin".parse().unwrap();
    assert_eq!(awaited(bot.users().assign_roles(&uid("auth0|1"), [admin]).await).code, "not_allow_listed");
    // Level: an agent with users = read.
    let reader = w.agent("reader");
    assert_eq!(awaited(reader.users().delete(&uid("auth0|1")).await).code, "read_only");
    // Another dangerous action that is neither granted nor approvable.
    let r = update(&bot, serde_json::json!({ "email": "x@example.com" })).await;
    assert_eq!(awaited(r).code, "action_not_granted");
    // Token scope: the token lacks delete:users.
    let narrow = w.agent_on(&w.client_with("read:users"), "support-bot");
    assert_eq!(awaited(narrow.users().delete(&uid("auth0|1")).await).code, "missing_scope");
    // Nobody was asked, nothing was sent.
    assert!(w.cli().pending().await.unwrap().is_empty());
    assert!(w.sink.records().iter().all(|r| r.phase != RecordPhase::Approval));
    assert_eq!(w.sent().await, 0);
}

#[tokio::test]
async fn dry_run_asks_nobody_and_says_enforce_would() {
    let w = World::new().await;
    let d = awaited(w.agent("rehearsal").users().delete(&uid("auth0|1")).await);
    assert!(d.dry_run);
    assert!(d.reason.contains("enforce mode would ask alice or bob to approve it (deleting users)"), "{}", d.reason);
    assert!(w.cli().pending().await.unwrap().is_empty());
    assert_eq!(w.sent().await, 0);
    let outcome = w.sink.outcomes().pop().unwrap();
    assert_eq!(outcome.decision, AuditDecision::DryRun);
    assert!(outcome.message.contains("enforce mode would ask"), "{}", outcome.message);
}

#[tokio::test]
async fn who_may_decide() {
    let w = World::new().await;
    let cli = w.cli();
    let id = awaited(w.agent("support-bot").users().delete(&uid("auth0|1")).await).approval.unwrap().id;
    assert!(matches!(cli.approve(&id, "mallory").await, Err(ApprovalError::NotAnApprover { .. })));
    assert!(matches!(cli.approve(&id, "support-bot").await, Err(ApprovalError::BadName(_))));
    assert!(matches!(cli.approve(&id, "").await, Err(ApprovalError::BadName(_))));
    assert!(matches!(cli.approve("apr_nope", "alice").await, Err(ApprovalError::BadId(_))));
    assert!(matches!(cli.approve("apr_aaaaaaaaaaaaaaaaaaaaaaaaaa", "alice").await, Err(ApprovalError::NotFound(_))));
    assert_eq!(cli.get(&id).await.unwrap().state, ApprovalState::Pending);
    // approval = "client": the gateway asks the MCP client's user; the ticket says so.
    let meta = w.agent("meta");
    let d = awaited(update(&meta, serde_json::json!({ "app_metadata": { "plan": "pro" } })).await);
    let t = d.approval.unwrap();
    assert_eq!(t.channel, auth0_mgmt::ApprovalChannel::Client);
    assert_eq!(t.who(), "the user of the agent's MCP client");
}

#[tokio::test]
async fn without_a_store_a_call_needing_approval_is_refused() {
    let w = World::new().await;
    let (bot, _) = guarded(&w.client_with(&all_scopes()), POLICY, "support-bot");
    assert_eq!(awaited(bot.users().delete(&uid("auth0|1")).await).code, "approval_unavailable");
    assert_eq!(w.sent().await, 0);
}

#[tokio::test]
async fn a_decision_that_cannot_be_recorded_is_not_made() {
    let w = World::new().await;
    let id = awaited(w.agent("support-bot").users().delete(&uid("auth0|1")).await).approval.unwrap().id;
    w.sink.set_failing(true);
    assert!(matches!(w.cli().approve(&id, "alice").await, Err(ApprovalError::Audit(_))));
    w.sink.set_failing(false);
    assert_eq!(w.cli().get(&id).await.unwrap().state, ApprovalState::Pending);
}

#[tokio::test]
async fn the_lifecycle_is_in_the_same_chain_from_two_processes_worth_of_handles() {
    let w = World::new().await;
    let audit = w._dir.path().join("audit.jsonl");
    // Gateway and CLI each open the audit file and the store file themselves.
    let gateway_sink = Arc::new(JsonLinesSink::open(&audit).unwrap());
    let store = Arc::new(SqliteApprovalStore::open(&w.db).unwrap());
    let guard = Guard::new(w.policy.clone(), "support-bot", gateway_sink).with_approvals(store);
    let bot = GuardedClient::with_guard(&w.client_with(&all_scopes()), guard);
    let user = uid("auth0|123");
    let id = awaited(bot.users().delete(&user).await).approval.unwrap().id;
    let cli_sink = Arc::new(JsonLinesSink::open(&audit).unwrap());
    let cli = Approvals::new(Arc::new(SqliteApprovalStore::open(&w.db).unwrap()), cli_sink);
    cli.approve(&id, "alice").await.unwrap();
    bot.users().delete(&user).await.unwrap();
    let v = verify(&audit).unwrap();
    assert_eq!(v.to_string(), "intact, 6 records");
    let text = std::fs::read_to_string(&audit).unwrap();
    for event in ["approval_requested", "approval_approved", "approval_consumed"] {
        assert!(text.contains(&format!("\"code\":\"{event}\"")), "{event}: {text}");
    }
}

/// Whoever can write the store can approve: a new store file (and the WAL file SQLite
/// adds beside it) is readable and writable by its owner only.
#[cfg(unix)]
#[tokio::test]
async fn a_new_store_file_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let w = World::new().await;
    let agent = w.agent("meta");
    let _ = update(&agent, serde_json::json!({"app_metadata": {"plan": "pro"}})).await; // a write: the WAL exists
    for file in [w.db.clone(), w.db.with_extension("sqlite-wal")] {
        let mode = std::fs::metadata(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display())).permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}: {:o}", file.display(), mode & 0o777);
    }
}

/// The human decides on values, not only on a sentence: the approval keeps the request
/// body with secret values masked; the audit trail keeps neither.
#[tokio::test]
async fn the_approval_shows_the_body_with_secrets_masked_and_the_audit_trail_does_not() {
    let w = World::new().await;
    let meta = w.agent("meta");
    let body = serde_json::json!({"app_metadata": {"plan": "plan-enterprise-77", "api_secret": "hunter2-secret-99"}});
    let id = awaited(update(&meta, body).await).approval.unwrap().id;
    let a = w.cli().get(&id).await.unwrap();
    let details = a.details.expect("a preview of the body");
    assert!(details.contains("plan-enterprise-77"), "{details}");
    assert!(details.contains(r#""api_secret":"[REDACTED]""#), "{details}");
    assert!(!details.contains("hunter2"), "{details}");
    for r in w.sink.records() {
        let json = serde_json::to_string(&r).unwrap();
        assert!(!json.contains("plan-enterprise-77") && !json.contains("hunter2"), "{json}");
    }
    // A call without a body has no preview.
    let d = awaited(w.agent("support-bot").users().delete(&uid("auth0|1")).await);
    assert_eq!(w.cli().get(&d.approval.unwrap().id).await.unwrap().details, None);
}

/// A store file made before the `details` column existed is migrated when opened, and
/// its approvals still read.
#[tokio::test]
async fn a_store_file_of_an_earlier_version_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.sqlite");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "CREATE TABLE approvals (id TEXT PRIMARY KEY, agent TEXT NOT NULL, operation TEXT NOT NULL,
             request_hash TEXT NOT NULL, request TEXT NOT NULL, targets TEXT NOT NULL, actions TEXT NOT NULL,
             approvers TEXT NOT NULL, channel TEXT NOT NULL, policy_version TEXT NOT NULL, state TEXT NOT NULL,
             created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL, ttl_ms INTEGER NOT NULL, decided_by TEXT,
             decided_ms INTEGER, note TEXT, consumed_ms INTEGER, call_id TEXT NOT NULL);
             INSERT INTO approvals VALUES ('apr_aaaaaaaaaaaaaaaaaaaaaaaaaa', 'bot', 'users.delete', 'h',
             'bot wants to delete user auth0|1', '[]', '[\"delete_users\"]', '[]', 'operator', 'v1', 'pending',
             1, 4102444800000, 60000, NULL, NULL, NULL, NULL, 'c1');",
        )
        .unwrap();
    }
    let store = Arc::new(SqliteApprovalStore::open(&db).unwrap());
    let approvals = Approvals::new(store, Arc::new(MemorySink::new()));
    let a = approvals.get("apr_aaaaaaaaaaaaaaaaaaaaaaaaaa").await.unwrap();
    assert_eq!((a.request.as_str(), a.details), ("bot wants to delete user auth0|1", None));
    assert_eq!(a.state, ApprovalState::Pending);
    // And a second open (already migrated) is fine.
    SqliteApprovalStore::open(&db).unwrap();
}
