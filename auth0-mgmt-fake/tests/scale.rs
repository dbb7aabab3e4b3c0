//! Benchmark-shaped workloads: stream 10 000 users in pages of 100, walk 50 000 logs.

mod common;

use auth0_mgmt_fake::{FakeTenant, Seed};
use common::Api;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_10k_users_and_walk_50k_logs() {
    let api = Api::start(
        FakeTenant::builder().seed(Seed::empty().users(10_000).logs(50_000)).offset_cap(None).record_limit(0),
    )
    .await;
    let mut users = 0;
    for page in 0.. {
        let r = api.get(&format!("/users?page={page}&per_page=100")).await;
        let n = r.body.as_array().unwrap().len();
        users += n;
        if n < 100 {
            break;
        }
    }
    assert_eq!(users, 10_000);

    let mut logs = 0;
    let mut from: Option<String> = None;
    loop {
        let path = match &from {
            None => "/logs?take=100".to_string(),
            Some(f) => format!("/logs?from={f}&take=100"),
        };
        let r = api.get(&path).await;
        let page = r.body.as_array().unwrap();
        if page.is_empty() {
            break;
        }
        logs += page.len();
        from = page.last().unwrap()["log_id"].as_str().map(str::to_string);
    }
    assert_eq!(logs, 50_000);
}

/// Seeding does not hold the runtime's thread: on a current-thread runtime, a task
/// spawned before `start` runs while a large seed is built.
#[tokio::test(flavor = "current_thread")]
async fn a_large_seed_does_not_stall_the_runtime() {
    let (tx, mut rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let _ = tx.send(());
    });
    let tenant = FakeTenant::builder().seed(Seed::empty().users(2_000).logs(20_000)).start().await.unwrap();
    assert!(rx.try_recv().is_ok(), "the spawned task only ran after the seed was built");
    tenant.shutdown().await;
}
