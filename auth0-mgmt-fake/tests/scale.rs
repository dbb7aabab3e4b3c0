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
