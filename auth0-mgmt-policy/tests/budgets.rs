//! Per-agent budgets through the public API, on tokio's paused clock: a timer-free HTTP
//! client (no request timeout, no idle-pool reaper), so the only time that passes is the
//! time a test advances.

mod common;

use std::sync::Arc;
use std::time::Duration;

use auth0_mgmt::{Client, Error, RetryConfig, UserId};
use auth0_mgmt_policy::{AuditSink, Guard, GuardedClient, MemorySink, Policy, SqliteApprovalStore};
use common::*;
use wiremock::MockServer;

const POLICY: &str = r#"
schema_version = 1
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

[agents.rehearsal]
mode = "dry_run"
resources = { users = "full" }
actions = ["delete_users"]
limits = { writes_per_minute = 1 }
"#;

fn paused_client(server: &MockServer, scopes: &str) -> Client {
    Client::builder()
        .base_url(server.uri())
        .token(jwt(scopes))
        .http_client(reqwest::Client::builder().pool_idle_timeout(None).build().unwrap())
        .timeout(None)
        .retry(RetryConfig::default().backoff(Duration::from_millis(1), Duration::from_millis(2)))
        .build()
        .unwrap()
}

fn agent(client: &Client, policy: &Arc<Policy>, name: &str) -> (GuardedClient, Arc<MemorySink>) {
    let sink = Arc::new(MemorySink::new());
    (GuardedClient::new(client, policy.clone(), name, sink.clone() as Arc<dyn AuditSink>), sink)
}

fn uid() -> UserId {
    "auth0|1".parse().unwrap()
}

async fn get(a: &GuardedClient) -> Result<(), Error> {
    a.users().get(&uid()).await.map(drop)
}

async fn delete(a: &GuardedClient) -> Result<(), Error> {
    a.users().delete(&uid()).await
}

fn throttled(r: Result<(), Error>) -> Duration {
    match r {
        Err(Error::Denied(d)) => {
            assert_eq!(d.code, "agent_rate_limited", "{d}");
            d.retry_after.expect("a throttled call says when it may retry")
        }
        other => panic!("expected agent_rate_limited, got {other:?}"),
    }
}

async fn setup() -> (MockServer, Client, Arc<Policy>) {
    let server = server().await;
    ok_everything(&server).await;
    let client = paused_client(&server, &all_scopes());
    (server, client, Arc::new(Policy::from_toml(POLICY).unwrap()))
}

#[tokio::test(start_paused = true)]
async fn the_call_past_the_limit_is_denied_sends_nothing_and_the_window_rolls_over() {
    let (server, client, policy) = setup().await;
    let (batch, sink) = agent(&client, &policy, "batch");
    for _ in 0..3 {
        get(&batch).await.unwrap();
        tokio::time::advance(Duration::from_secs(10)).await;
    }
    // t = 30 s: the fourth call within a minute.
    let wait = throttled(get(&batch).await);
    assert_eq!(wait, Duration::from_secs(30), "the first call leaves the window at t = 60 s");
    assert_eq!(api_requests(&server).await.len(), 3, "the throttled call reached nobody");
    let record = sink.outcomes().pop().unwrap();
    assert_eq!(record.code, "agent_rate_limited");
    assert_eq!(record.outcome.retry_after_ms, Some(30_000));
    assert!(
        record.message.contains("limit of 3 calls per minute is reached; it may retry in 30 s"),
        "{}",
        record.message
    );
    // Denied calls do not use the budget: still 30 s to wait after more attempts.
    assert_eq!(throttled(get(&batch).await), Duration::from_secs(30));
    tokio::time::advance(Duration::from_secs(29)).await;
    assert_eq!(throttled(get(&batch).await), Duration::from_secs(1));
    tokio::time::advance(Duration::from_secs(1)).await;
    get(&batch).await.unwrap();
    assert_eq!(throttled(get(&batch).await), Duration::from_secs(10));
    assert_eq!(api_requests(&server).await.len(), 4);
}

#[tokio::test(start_paused = true)]
async fn writes_and_calls_are_counted_separately_and_per_agent() {
    let (server, client, policy) = setup().await;
    let (batch, _) = agent(&client, &policy, "batch");
    delete(&batch).await.unwrap();
    // One write a minute: the second write waits, reads still go.
    assert_eq!(throttled(delete(&batch).await), Duration::from_secs(60));
    get(&batch).await.unwrap();
    // The write counted as a call too: 2 of 3 calls used.
    get(&batch).await.unwrap();
    assert_eq!(throttled(get(&batch).await), Duration::from_secs(60));
    // Another agent has its own budget; a second handle of the same agent shares it.
    let (other, _) = agent(&client, &policy, "other");
    get(&other).await.unwrap();
    let (batch_again, _) = agent(&client, &policy, "batch");
    throttled(get(&batch_again).await);
    // Per hour: two writes, whatever the minute.
    tokio::time::advance(Duration::from_secs(60)).await;
    delete(&batch).await.unwrap();
    tokio::time::advance(Duration::from_secs(60)).await;
    assert_eq!(throttled(delete(&batch).await), Duration::from_secs(3_600 - 120));
    assert_eq!(api_requests(&server).await.iter().filter(|r| r.method.as_str() == "DELETE").count(), 2);
}

#[tokio::test(start_paused = true)]
async fn calls_denied_by_the_policy_the_scope_check_or_waiting_for_approval_use_no_budget() {
    let server = server().await;
    ok_everything(&server).await;
    let policy = Arc::new(Policy::from_toml(POLICY).unwrap());
    // The token lacks delete:users: denied by the scope check, before the budget.
    let narrow = paused_client(&server, "read:users");
    let (batch, _) = agent(&narrow, &policy, "batch");
    for _ in 0..5 {
        assert_eq!(delete(&batch).await.unwrap_err().denial().unwrap().code, "missing_scope");
    }
    // Denied by the policy (a protected id is invalid here: a malformed body).
    let bad =
        auth0_mgmt::Request::new(&auth0_mgmt::catalog::USERS_UPDATE).id(&uid()).json_value(serde_json::json!([1]));
    for _ in 0..5 {
        assert!(batch.execute::<serde_json::Value>(bad.clone()).await.unwrap_err().is_denied());
    }
    // Waiting for approval is not charged either.
    let client = paused_client(&server, &all_scopes());
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteApprovalStore::open(dir.path().join("a.sqlite")).unwrap());
    let careful = GuardedClient::with_guard(
        &client,
        Guard::new(policy.clone(), "careful", Arc::new(MemorySink::new())).with_approvals(store),
    );
    for _ in 0..5 {
        assert_eq!(delete(&careful).await.unwrap_err().denial().unwrap().code, "approval_required");
    }
    get(&careful).await.unwrap();
    get(&careful).await.unwrap();
    throttled(get(&careful).await);
    // The scope-denied agent still has all three calls.
    let (batch, _) = agent(&client, &policy, "batch");
    for _ in 0..3 {
        get(&batch).await.unwrap();
    }
    throttled(get(&batch).await);
    assert_eq!(api_requests(&server).await.len(), 5);
}

#[tokio::test(start_paused = true)]
async fn a_dry_run_meets_the_limits_enforce_would() {
    let (server, client, policy) = setup().await;
    let (rehearsal, _) = agent(&client, &policy, "rehearsal");
    assert!(delete(&rehearsal).await.unwrap_err().denial().unwrap().dry_run);
    // The second write in the minute: what enforce would say.
    assert_eq!(throttled(delete(&rehearsal).await), Duration::from_secs(60));
    assert!(api_requests(&server).await.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_write_refused_for_its_audit_record_is_not_charged() {
    let (server, client, policy) = setup().await;
    let (batch, sink) = agent(&client, &policy, "batch");
    sink.set_failing(true);
    for _ in 0..3 {
        assert_eq!(delete(&batch).await.unwrap_err().denial().unwrap().code, "audit_unavailable");
    }
    sink.set_failing(false);
    // The one write a minute is still there (the refused ones cost nothing).
    delete(&batch).await.unwrap();
    assert_eq!(api_requests(&server).await.len(), 1);
}
