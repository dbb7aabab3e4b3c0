//! Gateway replicas sharing one Redis (`--redis URL`): two gateway processes against one
//! tenant mint one token between them; an approval requested through one replica is
//! decided with `approvals --redis` and consumed, once, through the other; the agent's
//! budget is counted across both.
//!
//! The test starts its own `redis-server` on a free loopback port and stops it by its PID.
//! Without `redis-server` on the `PATH` it says it skipped, unless
//! `AUTH0_MGMT_REQUIRE_REDIS=1` (CI) makes that a failure.

mod common;

use std::path::PathBuf;
use std::process::Stdio;

use auth0_mgmt_fake::{FakeTenant, Seed};
use common::*;
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::json;
use tokio::process::Command;

// The one launcher of a private redis-server, shared with auth0-mgmt-redis's tests.
#[path = "../../auth0-mgmt-redis/tests/support/server.rs"]
mod redis_server;
use redis_server::RedisServer as Redis;

fn tenant_env(tenant: &FakeTenant) -> Vec<(&'static str, String)> {
    vec![
        ("AUTH0_MGMT_BASE_URL", tenant.base_url().to_owned()),
        ("AUTH0_CLIENT_ID", tenant.client_id().to_owned()),
        ("AUTH0_CLIENT_SECRET", tenant.client_secret().to_owned()),
    ]
}

/// A gateway replica over stdio for `agent`, sharing through `redis`.
async fn replica(tenant: &FakeTenant, redis: &Redis, agent: &str, audit: &PathBuf) -> RunningService<RoleClient, ()> {
    let mut cmd = Command::new(BIN);
    cmd.args(["stdio", "--policy", &policy_path(), "--agent", agent, "--redis", &redis.url()])
        .arg("--audit")
        .arg(audit)
        .env_clear()
        .envs(tenant_env(tenant));
    let (transport, _) = TokioChildProcess::builder(cmd).stderr(Stdio::null()).spawn().unwrap();
    ().serve(transport).await.unwrap()
}

#[tokio::test]
async fn replicas_share_the_token_the_approvals_and_the_budget() {
    let Some(redis) = Redis::start_or_skip("replicas_share_the_token_the_approvals_and_the_budget") else { return };
    let tenant = FakeTenant::builder().seed(Seed::empty()).start().await.unwrap();
    let alice = tenant.insert_user(json!({"user_id": "auth0|alice", "email": "alice@example.com"}));
    let dir = tempfile::tempdir().unwrap();
    let (audit_a, audit_b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));

    let a = replica(&tenant, &redis, "cleaner", &audit_a).await;
    let b = replica(&tenant, &redis, "cleaner", &audit_b).await;
    assert!(!dir.path().join("approvals.sqlite").exists(), "with --redis no SQLite store is made");

    // One token for both replicas.
    let r = call(&a, "users_get", json!({"id": alice})).await;
    assert!(!is_error(&r), "{}", text(&r));
    let r = call(&b, "users_get", json!({"id": alice})).await;
    assert!(!is_error(&r), "{}", text(&r));
    assert_eq!(tenant.counters().token_mints, 1, "the second replica uses the token the first minted");

    // Requested through A …
    let r = call(&a, "users_delete", json!({"id": alice})).await;
    assert_eq!(structured(&r)["error"]["code"], "approval_required", "{}", text(&r));
    let id = structured(&r)["error"]["approval"]["id"].as_str().unwrap().to_owned();

    // … listed and approved on the command line through Redis …
    let url = redis.url();
    let out = cli(&["approvals", "list", "--redis", &url], tenant_env(&tenant)).await;
    let listed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(listed.contains(&id) && listed.contains("cleaner wants to delete user auth0|alice"), "{listed}");
    let mut env = tenant_env(&tenant);
    env.push(("USER", "alice@acme.test".to_owned()));
    let out = cli(&["approvals", "approve", &id, "--redis", &url, "--audit", audit_a.to_str().unwrap()], env).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(deletes(&tenant, "/api/v2/users/auth0%7Calice"), 0, "approving sends nothing by itself");

    // … and the identical call runs once, through B.
    let r = call(&b, "users_delete", json!({"id": alice})).await;
    assert!(!is_error(&r), "{}", text(&r));
    assert_eq!(deletes(&tenant, "/api/v2/users/auth0%7Calice"), 1);
    let r = call(&a, "users_delete", json!({"id": alice})).await;
    assert_eq!(structured(&r)["error"]["code"], "approval_required", "consumed: the retry asks anew: {}", text(&r));
    assert_eq!(deletes(&tenant, "/api/v2/users/auth0%7Calice"), 1, "never twice");
    a.cancel().await.unwrap();
    b.cancel().await.unwrap();

    // The budget (`batch`: two calls a day) holds across replicas.
    let (audit_c, audit_d) = (dir.path().join("c.jsonl"), dir.path().join("d.jsonl"));
    let c = replica(&tenant, &redis, "batch", &audit_c).await;
    let d = replica(&tenant, &redis, "batch", &audit_d).await;
    let before = tenant.requests().len();
    assert!(!is_error(&call(&c, "users_list", json!({})).await));
    assert!(!is_error(&call(&d, "users_list", json!({})).await));
    let r = call(&c, "users_list", json!({})).await;
    assert_eq!(structured(&r)["error"]["code"], "agent_rate_limited", "{}", text(&r));
    assert_eq!(tenant.requests().len(), before + 2, "the third call of the day was not sent");
    c.cancel().await.unwrap();
    d.cancel().await.unwrap();

    // Nothing in the audit files holds the client secret.
    for f in [&audit_a, &audit_b, &audit_c, &audit_d] {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(!text.contains(tenant.client_secret()), "no secret in {}", f.display());
    }
    assert_eq!(tenant.counters().token_mints, 1, "one token for all four replicas");
}
