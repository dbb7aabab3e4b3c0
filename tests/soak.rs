//! Fault soak: 5,000 mixed calls (reads, creates, updates, deletes), 64 in flight,
//! against a fake tenant with 5% 503s, 502s, dropped connections, truncated bodies,
//! random latency and a tight rate limit (burst 10, 600/s).
//!
//! Every call resolves (a value or a typed error), nothing panics, no write is applied
//! twice, and the run is bounded in calls and time (it stops by itself). The workload
//! lives in `soak_workload/` and is shared with the secret sweep and
//! `examples/bench_soak.rs`.
//!
//! The second test runs the same workload through the policy layer (`GuardedClient`
//! with a policy granting exactly what the workload needs, auditing to a `MemorySink`)
//! and checks that every call left exactly one outcome record.

mod soak_workload;

use std::collections::BTreeMap;
use std::sync::Arc;

use auth0_mgmt_policy::{AuditDecision, GuardedClient, MemorySink, Policy};
use soak_workload::{Kind, SoakConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_thousand_mixed_calls_under_faults_all_resolve_and_no_write_is_applied_twice() {
    let cfg = SoakConfig::default();
    let tenant = soak_workload::tenant(&cfg).await;
    let client = soak_workload::client(&tenant, &cfg);
    let report = soak_workload::run(tenant, client, &cfg).await;
    let summary = soak_workload::check(&report, &cfg);
    println!("{summary}");
}

/// What the soak workload needs: users read + full, deleting users, app_metadata
/// updates, creates in the database connection. Nothing else.
const SOAK_POLICY: &str = r#"
schema_version = 1
[agents.soak]
resources = { users = "full" }
actions = ["delete_users", "update_app_metadata"]
[agents.soak.allow]
connections = ["Username-Password-Authentication"]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_soak_through_the_policy_layer_leaves_exactly_one_audit_record_per_call() {
    let cfg = SoakConfig { calls: 3_000, seed: 11, ..SoakConfig::default() };
    let tenant = soak_workload::tenant(&cfg).await;
    let client = soak_workload::client(&tenant, &cfg);
    let policy = Arc::new(Policy::from_toml(SOAK_POLICY).expect("policy loads"));
    let sink = Arc::new(MemorySink::new());
    let guarded = GuardedClient::new(&client, policy, "soak", sink.clone());
    drop(client);
    // A clone of the guarded client keeps the guard: every call of the workload goes
    // through it.
    let report = soak_workload::run(tenant, guarded.client().clone(), &cfg).await;
    // The unguarded invariants hold through the guard too (no call was denied: a
    // `Denied` error would fail `check`'s "typed error" assertion).
    let summary = soak_workload::check(&report, &cfg);
    println!("{summary}");

    // One outcome record per call (writes also leave a write-ahead record before they
    // are sent; `outcomes` leaves those out).
    let records = sink.outcomes();
    assert_eq!(records.len(), report.outcomes.len(), "one audit record per call made through the guard");
    assert_eq!(records.len(), cfg.calls);
    assert!(records.iter().all(|r| r.agent == "soak" && r.decision == AuditDecision::Allowed), "nothing denied");

    // Per operation, the records match the calls one for one, and so do the outcomes:
    // a record says "executed with a 2xx" exactly for the calls that returned a value.
    let op = |k: Kind| match k {
        Kind::Get => "users.get",
        Kind::List => "users.list",
        Kind::Create => "users.create",
        Kind::Update => "users.update",
        Kind::Delete => "users.delete",
    };
    let (mut calls, mut recorded) = (BTreeMap::new(), BTreeMap::new());
    for o in &report.outcomes {
        *calls.entry((op(o.kind), o.result.is_ok())).or_insert(0) += 1;
    }
    for r in &records {
        let ok = r.outcome.executed
            && r.outcome.status.is_some_and(|s| (200..300).contains(&s))
            && r.outcome.error.is_none();
        *recorded.entry((r.operation, ok)).or_insert(0) += 1;
    }
    assert_eq!(recorded, calls, "audit records per (operation, success) = calls per (operation, success)");
}
