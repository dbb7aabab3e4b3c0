//! The policy's approvals and budgets in a real Redis, through the public API: guarded
//! clients on a fake tenant (its request log shows what was sent), each "process" with its
//! own `Shared` (its own connection), the `Approvals` API as the CLI would use it, and the
//! policy's `ManualClock` for expiry and rolling windows (no wall-clock assertion). These
//! mirror `auth0-mgmt-policy/tests/approvals.rs` and `budgets.rs`, plus what only a shared
//! store has to show: several handles race safely, and Redis down fails closed.
//!
//! Each test starts its own `redis-server` on a free loopback port (stopped by its PID,
//! also when the test fails). Without `redis-server` on the `PATH` the tests say they
//! skipped, unless `AUTH0_MGMT_REQUIRE_REDIS=1` (CI) makes that a failure.

mod support;

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use auth0_mgmt::{Client, Error, UserId, catalog};
use auth0_mgmt_fake::{FakeTenant, Seed};
use auth0_mgmt_policy::approval::{ApprovalAsk, ApprovalStore, CheckAnswer, Decided, Verdict};
use auth0_mgmt_policy::budget::{BudgetError, BudgetStore, Counted, Period, Window};
use auth0_mgmt_policy::{
    ApprovalError, ApprovalState, Approvals, AuditSink, Clock, Guard, GuardedClient, ManualClock, MemorySink, Policy,
};
use auth0_mgmt_redis::{Shared, SharedConfig};
use support::RedisServer;

const POLICY: &str = r#"
schema_version = 1
[approvals]
expire_after_minutes = 15
approvers = ["alice", "bob"]

[agents.support-bot]
resources = { users = "full" }
approve = ["delete_users", "update_app_metadata"]

[agents.batch]
resources = { users = "full" }
actions = ["delete_users"]
limits = { calls_per_minute = 3, writes_per_minute = 1, writes_per_hour = 2 }

[agents.other]
resources = { users = "full" }
limits = { calls_per_minute = 3 }

[agents.careful]
resources = { users = "full" }
approve = ["delete_users"]
limits = { calls_per_minute = 2 }
"#;

struct World {
    redis: RedisServer,
    fake: FakeTenant,
    clock: Arc<ManualClock>,
    sink: Arc<MemorySink>,
    policy: Arc<Policy>,
    /// The seeded users (deletes remove them from the tenant, not from here).
    users: Vec<UserId>,
}

fn all_scopes() -> Vec<&'static str> {
    let set: std::collections::BTreeSet<&str> = catalog::ALL.iter().flat_map(|op| op.scopes.iter().copied()).collect();
    set.into_iter().collect()
}

fn config() -> SharedConfig {
    SharedConfig::default().deployment("test").timeout(Duration::from_secs(2)).retry_interval(Duration::from_millis(50))
}

impl World {
    async fn start(test: &str) -> Option<World> {
        let redis = RedisServer::start_or_skip(test)?;
        let fake =
            FakeTenant::builder().seed(Seed::empty().users(2)).granted_scopes(all_scopes()).start().await.unwrap();
        let users = fake.user_ids().iter().map(|u| u.parse().unwrap()).collect();
        Some(World {
            users,
            redis,
            fake,
            clock: Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_800_000_000))),
            sink: Arc::new(MemorySink::new()),
            policy: Arc::new(Policy::from_toml(POLICY).unwrap()),
        })
    }

    fn builder(&self) -> auth0_mgmt::ClientBuilder {
        Client::builder()
            .base_url(self.fake.base_url())
            .client_credentials(self.fake.client_id(), self.fake.client_secret())
    }

    /// One process: its own connection to Redis.
    async fn process(&self) -> Shared {
        let creds = self.builder().build_client_credentials().unwrap();
        Shared::connect_with(&self.redis.url(), creds, config()).await.unwrap()
    }

    /// A gateway replica: a guarded client for `agent` with the approvals and budgets of
    /// its own `Shared`.
    async fn agent(&self, agent: &str) -> GuardedClient {
        let shared = self.process().await;
        self.agent_on(&shared, agent)
    }

    fn agent_on(&self, shared: &Shared, agent: &str) -> GuardedClient {
        let client = self.builder().build().unwrap();
        let budgets = shared.budgets();
        let budgets = Arc::new((*budgets).clone().with_clock(self.clock.clone()));
        let guard = Guard::new(self.policy.clone(), agent, self.sink.clone() as Arc<dyn AuditSink>)
            .with_approvals(shared.approvals())
            .with_budgets(budgets)
            .with_clock(self.clock.clone());
        GuardedClient::with_guard(&client, guard)
    }

    /// The operators' CLI: another process.
    async fn cli(&self) -> Approvals {
        let shared = self.process().await;
        Approvals::new(shared.approvals(), self.sink.clone()).with_clock(self.clock.clone())
    }

    fn user(&self, i: usize) -> UserId {
        self.users[i].clone()
    }

    /// Requests the tenant received other than token requests.
    fn sent(&self, method: &str) -> usize {
        self.fake.requests().iter().filter(|r| r.method == method && r.path.starts_with("/api/v2/")).count()
    }
}

fn denial(r: Result<(), Error>) -> auth0_mgmt::Denial {
    match r {
        Err(Error::Denied(d)) => *d,
        other => panic!("expected a denial, got {other:?}"),
    }
}

async fn update(agent: &GuardedClient, user: &UserId, body: serde_json::Value) -> Result<(), Error> {
    let req = auth0_mgmt::Request::new(&catalog::USERS_UPDATE).id(user).json_value(body);
    agent.execute::<serde_json::Value>(req).await.map(drop)
}

#[tokio::test]
async fn requested_then_approved_from_another_process_then_the_identical_retry_runs_exactly_once() {
    let Some(w) = World::start("approve once").await else { return };
    let (replica_a, replica_b) = (w.agent("support-bot").await, w.agent("support-bot").await);
    let user = w.user(0);

    let d = denial(replica_a.users().delete(&user).await);
    assert_eq!(d.code, "approval_required");
    let t = d.approval.as_deref().unwrap().clone();
    assert_eq!(t.request, format!("support-bot wants to delete user {user}"));
    assert_eq!(t.approvers, ["alice", "bob"]);
    assert_eq!(t.expires_at, w.clock.now() + Duration::from_secs(900));
    // The other replica asks about the same request: the same approval, still waiting.
    let again = denial(replica_b.users().delete(&user).await);
    assert_eq!(again.code, "approval_required");
    assert_eq!(again.approval.as_ref().unwrap().id, t.id);
    assert_eq!(w.sent("DELETE"), 0, "nothing is sent while it waits");

    let cli = w.cli().await;
    let pending = cli.pending().await.unwrap();
    assert_eq!(pending.iter().map(|a| (&a.id, a.state)).collect::<Vec<_>>(), [(&t.id, ApprovalState::Pending)]);
    let a = &pending[0];
    assert_eq!((a.agent.as_str(), a.operation.as_str()), ("support-bot", "users.delete"));
    assert_eq!(a.targets.len(), 1);
    assert_eq!(a.targets[0].id, user.as_ref());
    assert!(a.actions.iter().any(|x| x.as_str() == "delete_users"));
    assert!(matches!(cli.approve(&t.id, "support-bot").await, Err(ApprovalError::BadName(_))), "no self-approval");
    assert!(matches!(cli.approve(&t.id, "mallory").await, Err(ApprovalError::NotAnApprover { .. })));
    let approved = cli.approve(&t.id, "alice").await.unwrap();
    assert_eq!(approved.state, ApprovalState::Approved);
    assert_eq!(approved.decided_by.as_deref(), Some("alice"));
    assert!(matches!(cli.approve(&t.id, "bob").await, Err(ApprovalError::NotOpen(_))), "approve only from pending");

    // The identical call, on the other replica: runs, once.
    replica_b.users().delete(&user).await.unwrap();
    assert_eq!(w.sent("DELETE"), 1);
    let spent = cli.get(&t.id).await.unwrap();
    assert_eq!(spent.state, ApprovalState::Consumed);
    assert!(spent.consumed_at.is_some());
    // A second identical call never runs on that approval: it asks anew.
    let d = denial(replica_a.users().delete(&user).await);
    assert_eq!(d.code, "approval_required");
    assert_ne!(d.approval.as_ref().unwrap().id, t.id);
    assert_eq!(w.sent("DELETE"), 1);
    assert!(matches!(cli.deny(&t.id, "bob", None).await, Err(ApprovalError::NotOpen(_))), "a spent approval is closed");
}

#[tokio::test]
async fn a_changed_body_needs_a_new_approval_and_a_denial_is_final_for_identical_retries() {
    let Some(w) = World::start("changed body").await else { return };
    let bot = w.agent("support-bot").await;
    let cli = w.cli().await;
    let user = w.user(0);
    let body = serde_json::json!({"app_metadata": {"plan": "gold"}});

    let first = denial(update(&bot, &user, body.clone()).await).approval.unwrap();
    cli.approve(&first.id, "alice").await.unwrap();
    // Another body, and another user: other requests.
    let other = denial(update(&bot, &user, serde_json::json!({"app_metadata": {"plan": "platinum"}})).await);
    assert_eq!(other.code, "approval_required");
    assert_ne!(other.approval.as_ref().unwrap().id, first.id);
    let elsewhere = denial(update(&bot, &w.user(1), body.clone()).await);
    assert_ne!(elsewhere.approval.as_ref().unwrap().id, first.id);
    assert_eq!(w.sent("PATCH"), 0);
    // The approved body runs once.
    update(&bot, &user, body.clone()).await.unwrap();
    assert_eq!(w.sent("PATCH"), 1);

    // Denied: identical retries are refused until the denial expires; never sent.
    let asked = other.approval.unwrap();
    let denied = cli.deny(&asked.id, "bob", Some("not this one")).await.unwrap();
    assert_eq!((denied.state, denied.note.as_deref()), (ApprovalState::Denied, Some("not this one")));
    for _ in 0..2 {
        let d = denial(update(&bot, &user, serde_json::json!({"app_metadata": {"plan": "platinum"}})).await);
        assert_eq!(d.code, "approval_denied", "{d}");
        assert!(d.reason.contains("bob denied this exact request"), "{d}");
    }
    assert!(matches!(cli.approve(&asked.id, "alice").await, Err(ApprovalError::NotOpen(_))), "deny is final");
    assert_eq!(w.sent("PATCH"), 1);
}

#[tokio::test]
async fn expired_requests_and_grants_never_execute() {
    let Some(w) = World::start("expiry").await else { return };
    let bot = w.agent("support-bot").await;
    let cli = w.cli().await;
    let user = w.user(0);

    // A request nobody decided in 15 minutes expires; approving it then fails.
    let t = denial(bot.users().delete(&user).await).approval.unwrap();
    w.clock.advance(Duration::from_secs(15 * 60));
    assert!(matches!(cli.approve(&t.id, "alice").await, Err(ApprovalError::Expired(_))));
    assert_eq!(cli.get(&t.id).await.unwrap().state, ApprovalState::Expired);
    assert!(cli.pending().await.unwrap().is_empty());

    // A grant not used within its span expires too; the retry asks anew.
    let t = denial(bot.users().delete(&user).await).approval.unwrap();
    w.clock.advance(Duration::from_secs(60));
    cli.approve(&t.id, "alice").await.unwrap();
    w.clock.advance(Duration::from_secs(15 * 60));
    let d = denial(bot.users().delete(&user).await);
    assert_eq!(d.code, "approval_required");
    assert_ne!(d.approval.as_ref().unwrap().id, t.id);
    assert_eq!(cli.get(&t.id).await.unwrap().state, ApprovalState::Expired);
    // `expire` (what `approvals list` runs first) marks the rest and returns them once.
    w.clock.advance(Duration::from_secs(15 * 60));
    let expired = cli.expire().await.unwrap();
    assert_eq!(expired.len(), 1);
    assert!(cli.expire().await.unwrap().is_empty());
    assert_eq!(w.sent("DELETE"), 0);
    let recent = cli.recent(10).await.unwrap();
    assert_eq!(recent.len(), 3);
    assert!(recent.iter().all(|a| a.state == ApprovalState::Expired));
    assert!(recent.windows(2).all(|p| p[0].created_at >= p[1].created_at), "newest first");
}

/// Eight replicas send the approved call at once: it runs exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_identical_retries_on_separate_connections_run_once() {
    let Some(w) = World::start("concurrent").await else { return };
    let user = w.user(0);
    let mut replicas = Vec::new();
    for _ in 0..8 {
        replicas.push(w.agent("support-bot").await);
    }
    let t = denial(replicas[0].users().delete(&user).await).approval.unwrap();
    w.cli().await.approve(&t.id, "bob").await.unwrap();
    let results = futures::future::join_all(replicas.iter().map(|r| {
        let user = &user;
        async move { r.users().delete(user).await }
    }))
    .await;
    let ran = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ran, 1, "{results:?}");
    for r in results.into_iter().filter(Result::is_err) {
        assert_eq!(denial(r).code, "approval_required");
    }
    assert_eq!(w.sent("DELETE"), 1);
}

/// The store's contract, at the store: 16 checks of one approved request race on 16
/// connections — exactly one consumes it; one open request per (agent, hash).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_consumes_an_approval_exactly_once_under_a_race() {
    let Some(w) = World::start("store race").await else { return };
    let mut stores = Vec::new();
    for _ in 0..16 {
        stores.push(w.process().await.approvals());
    }
    let mut ask = ApprovalAsk::new(
        "bot",
        &catalog::USERS_DELETE,
        "a".repeat(64),
        "bot wants to delete user x",
        Duration::from_secs(60),
    );
    ask.details = Some(r#"{"reason":"left the company"}"#.into());
    let now = w.clock.now();
    let asked = futures::future::join_all(stores.iter().map(|s| s.check(&ask, now))).await;
    let requested: Vec<_> =
        asked.iter().filter(|c| matches!(c.as_ref().unwrap().answer, CheckAnswer::Requested(_))).collect();
    assert_eq!(requested.len(), 1, "one request, whoever asks first");
    let id = match &requested[0].as_ref().unwrap().answer {
        CheckAnswer::Requested(a) => a.id.clone(),
        _ => unreachable!(),
    };
    // Another process reads the approval whole, the body preview included.
    let read = stores[7].get(&id).await.unwrap().unwrap();
    assert_eq!(read.details.as_deref(), Some(r#"{"reason":"left the company"}"#));
    assert!(matches!(stores[3].decide(&id, Verdict::Approve, "alice", None, now).await.unwrap(), Decided::Done(_)));
    assert!(matches!(stores[4].decide(&id, Verdict::Approve, "bob", None, now).await.unwrap(), Decided::NotOpen(_)));
    let checks = futures::future::join_all(stores.iter().map(|s| s.check(&ask, now))).await;
    let consumed = checks.iter().filter(|c| matches!(c.as_ref().unwrap().answer, CheckAnswer::Consumed(_))).count();
    assert_eq!(consumed, 1);
    // The losers made one new request between them.
    let requested = checks.iter().filter(|c| matches!(c.as_ref().unwrap().answer, CheckAnswer::Requested(_))).count();
    assert_eq!(requested, 1);
    assert!(matches!(stores[0].decide(&id, Verdict::Deny, "bob", None, now).await.unwrap(), Decided::NotOpen(_)));
    assert!(matches!(
        stores[0].decide("apr_aaaaaaaaaaaaaaaaaaaaaaaaaa", Verdict::Deny, "bob", None, now).await.unwrap(),
        Decided::NotFound
    ));
    assert_eq!(stores[0].get("not-an-id").await.unwrap(), None);
}

/// Records carry a time to live a little beyond their expiry (the retention), so Redis
/// does not fill up; key names hold no agent name, user id or tenant.
#[tokio::test]
async fn approval_records_expire_from_redis_after_their_retention_and_name_nothing() {
    let Some(w) = World::start("ttl").await else { return };
    let bot = w.agent("support-bot").await;
    let user = w.user(0);
    let t = denial(bot.users().delete(&user).await).approval.unwrap();
    let key = support::keys(&w.redis).into_iter().find(|k| k.ends_with(&format!(":a:{}", t.id))).unwrap();
    let ttl = support::pttl(&w.redis, key.as_bytes());
    let most = (15 * 60 + 24 * 3600) * 1000;
    assert!(ttl > 15 * 60 * 1000 && ttl <= most, "{key}: PTTL {ttl}");
    for k in support::keys(&w.redis) {
        assert!(!k.contains("support-bot") && !k.contains(user.as_str()) && !k.contains("127.0.0.1"), "{k}");
        assert!(k.starts_with("auth0-mgmt:test:"), "{k}");
    }
}

/// Redis down: a call that needs approval is refused with a clear error and never sent;
/// the CLI says why; after Redis is back, approvals work again.
#[tokio::test]
async fn redis_down_the_call_awaiting_approval_is_refused_never_executed() {
    let Some(mut w) = World::start("approvals down").await else { return };
    let shared = w.process().await;
    let bot = w.agent_on(&shared, "support-bot");
    let user = w.user(0);
    let cli = Approvals::new(shared.approvals(), w.sink.clone()).with_clock(w.clock.clone());
    let t = denial(bot.users().delete(&user).await).approval.unwrap();
    cli.approve(&t.id, "alice").await.unwrap();
    w.redis.kill();
    for _ in 0..3 {
        let d = denial(bot.users().delete(&user).await);
        assert_eq!(d.code, "approval_unavailable", "{d}");
        assert!(d.reason.contains("Redis") && d.reason.contains("nothing was sent"), "{d}");
        assert!(!d.reason.contains("redis://"), "no URL in errors: {d}");
    }
    match cli.pending().await {
        Err(ApprovalError::Store(e)) => assert!(e.message.contains("Redis"), "{e}"),
        other => panic!("expected a store error, got {other:?}"),
    }
    assert_eq!(w.sent("DELETE"), 0);
    // Back (an empty Redis: nothing persisted): the process rejoins, asks anew.
    w.redis.restart();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !shared.status().connected {
        assert!(std::time::Instant::now() < deadline, "did not rejoin");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let d = denial(bot.users().delete(&user).await);
    assert_eq!(d.code, "approval_required");
    assert_eq!(w.sent("DELETE"), 0);
}

fn throttled(r: Result<(), Error>) -> Duration {
    let d = denial(r);
    assert_eq!(d.code, "agent_rate_limited", "{d}");
    d.retry_after.expect("a throttled call says when it may retry")
}

#[tokio::test]
async fn the_call_past_the_limit_is_denied_sends_nothing_and_the_window_rolls_over() {
    let Some(w) = World::start("budget").await else { return };
    let batch = w.agent("batch").await;
    let user = w.user(0);
    for _ in 0..3 {
        batch.users().get(&user).await.unwrap();
        w.clock.advance(Duration::from_secs(10));
    }
    let sent = w.sent("GET");
    assert_eq!(throttled(batch.users().get(&user).await.map(drop)), Duration::from_secs(30));
    assert_eq!(w.sent("GET"), sent, "the throttled call sent nothing");
    // The oldest call leaves the rolling window 60 s after it was made.
    w.clock.advance(Duration::from_secs(29));
    assert_eq!(throttled(batch.users().get(&user).await.map(drop)), Duration::from_secs(1));
    w.clock.advance(Duration::from_secs(1));
    batch.users().get(&user).await.unwrap();
    assert_eq!(w.sent("GET"), sent + 1);
}

#[tokio::test]
async fn writes_are_counted_apart_per_agent_and_shared_by_every_process() {
    let Some(w) = World::start("budget shared").await else { return };
    let user = w.user(0);
    // Two replicas of `batch` (two connections) share its budget: 3 calls a minute in all.
    let (a, b) = (w.agent("batch").await, w.agent("batch").await);
    a.users().get(&user).await.unwrap();
    b.users().get(&user).await.unwrap();
    a.users().delete(&w.user(1)).await.unwrap();
    throttled(b.users().get(&user).await.map(drop));
    // writes_per_minute = 1: the second write waits for the minute even after calls free up.
    w.clock.advance(Duration::from_secs(30));
    throttled(a.users().delete(&w.user(1)).await);
    w.clock.advance(Duration::from_secs(30));
    b.users().delete(&w.user(1)).await.unwrap();
    // writes_per_hour = 2: the third write in the hour is refused with the hour's wait.
    w.clock.advance(Duration::from_secs(60));
    let wait = throttled(a.users().delete(&w.user(1)).await);
    assert_eq!(wait, Duration::from_secs(3600 - 120));
    // Another agent has its own budget.
    let other = w.agent("other").await;
    for _ in 0..3 {
        other.users().get(&user).await.unwrap();
    }
    throttled(other.users().get(&user).await.map(drop));
    assert_eq!(w.sent("DELETE"), 2);
}

/// A call that waits for approval is not charged; the approved retry is.
#[tokio::test]
async fn an_approval_wait_charges_nothing() {
    let Some(w) = World::start("budget approval").await else { return };
    let careful = w.agent("careful").await;
    let cli = w.cli().await;
    let user = w.user(0);
    for _ in 0..3 {
        assert_eq!(denial(careful.users().delete(&user).await).code, "approval_required");
    }
    let t = cli.pending().await.unwrap().remove(0);
    cli.approve(&t.id, "alice").await.unwrap();
    careful.users().delete(&user).await.unwrap();
    careful.users().get(&w.user(1)).await.unwrap();
    throttled(careful.users().get(&w.user(1)).await.map(drop));
}

/// The store alone: 20 charges race on 20 connections against a limit of 5 — exactly 5
/// granted, on Redis' own clock; a released charge frees its slot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_budget_store_is_atomic_across_connections_on_redis_clock() {
    let Some(w) = World::start("budget race").await else { return };
    let mut stores = Vec::new();
    for _ in 0..20 {
        stores.push(w.process().await.budgets());
    }
    let windows = [
        Window { counted: Counted::Calls, period: Period::Minute, limit: 5 },
        Window { counted: Counted::Calls, period: Period::Day, limit: 100 },
    ];
    let results = futures::future::join_all(stores.iter().map(|s| s.acquire("bot", &windows))).await;
    let granted: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).cloned().collect();
    assert_eq!(granted.len(), 5);
    for r in results.iter().filter_map(|r| r.as_ref().err()) {
        match r {
            BudgetError::Throttled { window, retry_after } => {
                assert_eq!(window.key(), "calls_per_minute");
                assert!(*retry_after <= Duration::from_secs(60) && !retry_after.is_zero(), "{retry_after:?}");
            }
            other => panic!("{other}"),
        }
    }
    // All or nothing: the refused charges left the day window alone.
    let day = support::keys(&w.redis).into_iter().find(|k| k.ends_with(":calls:day")).unwrap();
    assert_eq!(zcard(&w.redis, &day), 5);
    stores[7].release(granted[0].clone()).await;
    assert_eq!(zcard(&w.redis, &day), 4);
    stores[9].acquire("bot", &windows).await.unwrap();
    assert!(stores[9].acquire("bot", &windows).await.is_err());
}

fn zcard(redis: &RedisServer, key: &str) -> i64 {
    support::query_int(redis, &[b"ZCARD", key.as_bytes()])
}

/// Redis down: budgets fail closed — the call is refused (`budget_unavailable`) and not
/// sent — and count again once Redis is back.
#[tokio::test]
async fn redis_down_budgets_fail_closed() {
    let Some(mut w) = World::start("budget down").await else { return };
    let shared = w.process().await;
    let batch = w.agent_on(&shared, "batch");
    let user = w.user(0);
    batch.users().get(&user).await.unwrap();
    let sent = w.sent("GET");
    w.redis.kill();
    let d = denial(batch.users().get(&user).await.map(drop));
    assert_eq!(d.code, "budget_unavailable", "{d}");
    assert!(d.reason.contains("Redis"), "{d}");
    assert_eq!(w.sent("GET"), sent);
    w.redis.restart();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !shared.status().connected {
        assert!(std::time::Instant::now() < deadline, "did not rejoin");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    batch.users().get(&user).await.unwrap();
    assert_eq!(w.sent("GET"), sent + 1);
}
