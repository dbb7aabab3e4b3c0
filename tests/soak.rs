//! Fault soak: 5,000 mixed calls (reads, creates, updates, deletes), 64 in flight,
//! against a fake tenant with 5% 503s, 502s, dropped connections, truncated bodies,
//! random latency and a tight rate limit (burst 10, 600/s).
//!
//! Every call resolves (a value or a typed error), nothing panics, no write is applied
//! twice, and the run is bounded in calls and time (it stops by itself). The workload
//! lives in `soak_workload/` and is shared with the secret sweep and
//! `examples/bench_soak.rs`.

mod soak_workload;

use soak_workload::SoakConfig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_thousand_mixed_calls_under_faults_all_resolve_and_no_write_is_applied_twice() {
    let cfg = SoakConfig::default();
    let tenant = soak_workload::tenant(&cfg).await;
    let client = soak_workload::client(&tenant, &cfg);
    let report = soak_workload::run(tenant, client, &cfg).await;
    let summary = soak_workload::check(&report, &cfg);
    println!("{summary}");
}
