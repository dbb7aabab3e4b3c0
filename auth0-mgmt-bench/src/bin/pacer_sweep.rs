//! Real-time sweep of the client-wide pacer against the fake tenant (loopback, sub-millisecond latency).
//!
//! ```text
//! cargo run --release -p auth0-mgmt-bench --bin pacer_sweep            # every scenario, 3 runs each (burst 2 at 2/s: 1 run)
//! cargo run --release -p auth0-mgmt-bench --bin pacer_sweep -- 5 w3   # 5 runs of the scenarios whose name contains "w3"
//! cargo run --release -p auth0-mgmt-bench --bin pacer_sweep -- 1 harsh # the harsh bucket of issue 11 once (≈ 30 s)
//! PACER=off cargo run --release -p auth0-mgmt-bench --bin pacer_sweep  # pacing disabled (sleep until the reset stamp)
//! TRACE=auth0_mgmt::ratelimit=debug cargo run --release -p auth0-mgmt-bench --bin pacer_sweep -- 1 w3  # with the pacer's log
//! ```
//!
//! Every run uses a fresh tenant and a cold client (its token minted, nothing paced yet), switches the bucket
//! on (full) at a chosen fraction of the wall-clock second (the "phase": run `i` of `n` starts at
//! `(i + 0.5) / n`, since the whole-second reset stamps make the start phase matter) and lets `tasks` tasks
//! share `calls` get-user calls. The client keeps its default retry budget (10 rate-limit retries, 5 min
//! total wait per call). Printed per run: wall time, ideal wall `(calls − burst) / refill`, 429s counted by
//! the tenant, failed calls, the pacer's waits and estimate, and each call's latency (first try to answer,
//! waits and retries included): median and slowest against the **fair share** `tasks / refill` — with every
//! task waiting on the bucket and calls served in turn, each waits for the other tasks' tokens and its own.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use auth0_mgmt::{Client, PacerConfig};
use auth0_mgmt_fake::{FakeTenant, RateLimit, Seed};

struct Scenario {
    name: &'static str,
    burst: u32,
    refill: f64,
    tasks: usize,
    calls: usize,
    /// Runs when no count is given on the command line.
    default_runs: usize,
}

const SCENARIOS: &[Scenario] = &[
    Scenario { name: "w3 burst 10 @100/s", burst: 10, refill: 100.0, tasks: 8, calls: 400, default_runs: 3 },
    Scenario { name: "burst 10 @100/s, 32 tasks", burst: 10, refill: 100.0, tasks: 32, calls: 400, default_runs: 3 },
    Scenario { name: "burst 5 @50/s", burst: 5, refill: 50.0, tasks: 8, calls: 120, default_runs: 3 },
    Scenario { name: "burst 50 @50/s, 16 tasks", burst: 50, refill: 50.0, tasks: 16, calls: 400, default_runs: 3 },
    Scenario { name: "big bucket 1000 @1000/s", burst: 1000, refill: 1000.0, tasks: 8, calls: 400, default_runs: 3 },
    Scenario { name: "harsh burst 2 @2/s, 60 calls", burst: 2, refill: 2.0, tasks: 8, calls: 60, default_runs: 1 },
];

struct Run {
    wall: Duration,
    throttled: u64,
    failed: usize,
    waits: u64,
    estimate: Option<f64>,
    /// Every call's latency, sorted.
    latencies: Vec<Duration>,
}

/// Sleeps until the wall clock's fraction of a second is `phase` (the reset stamps are whole seconds, so
/// the phase at which the bucket is switched on decides how far away the first stamp is).
async fn align(phase: f64) {
    let frac = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").subsec_nanos() as f64 / 1e9;
    tokio::time::sleep(Duration::from_secs_f64((phase - frac).rem_euclid(1.0))).await;
}

async fn run(s: &Scenario, paced: bool, phase: f64) -> Run {
    let tenant = FakeTenant::builder().seed(Seed::empty().users(3)).start().await.expect("tenant");
    let pacer = if paced { PacerConfig::default() } else { PacerConfig::disabled() };
    let client = Client::builder()
        .base_url(tenant.base_url())
        .client_credentials(tenant.client_id(), tenant.client_secret())
        .pacer(pacer)
        .build()
        .expect("client");
    let id: auth0_mgmt::UserId = tenant.user_ids()[0].parse().expect("user id");
    client.granted_scopes().await.expect("token");
    tenant.reset_counters();
    align(phase).await;
    tenant.set_rate_limit(Some(RateLimit::new(s.burst, s.refill)));
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let handles: Vec<_> = (0..s.tasks)
        .map(|_| {
            let (client, id, next, calls) = (client.clone(), id.clone(), next.clone(), s.calls);
            tokio::spawn(async move {
                let (mut failed, mut latencies) = (0, Vec::new());
                while next.fetch_add(1, Ordering::Relaxed) < calls {
                    let began = Instant::now();
                    if client.users().get(&id).await.is_err() {
                        failed += 1;
                    }
                    latencies.push(began.elapsed());
                }
                (failed, latencies)
            })
        })
        .collect();
    let (mut failed, mut latencies) = (0, Vec::new());
    for h in handles {
        let (f, l) = h.await.expect("task");
        failed += f;
        latencies.extend(l);
    }
    let wall = start.elapsed();
    latencies.sort();
    let stats = client.rate_limit_stats();
    Run {
        wall,
        throttled: tenant.counters().rate_limited,
        failed,
        waits: stats.waits,
        estimate: stats.estimated_refill_per_sec,
        latencies,
    }
}

#[tokio::main]
async fn main() {
    if std::env::var("TRACE").is_ok() {
        tracing_subscriber::fmt().with_env_filter(std::env::var("TRACE").unwrap_or_default()).init();
    }
    let paced = std::env::var("PACER").map_or(true, |v| v != "off");
    let mut args = std::env::args().skip(1);
    let runs: Option<usize> = args.next().and_then(|a| a.parse().ok());
    let filter = args.next();
    println!("pacing {}", if paced { "on" } else { "off" });
    println!(
        "{:<28} {:>5} {:>7} {:>8} {:>7} {:>5} {:>6} {:>5} {:>8} {:>7} {:>7} {:>6} {:>7}",
        "scenario",
        "phase",
        "ideal",
        "wall",
        "x ideal",
        "429s",
        "failed",
        "waits",
        "estimate",
        "median",
        "slowest",
        "fair",
        "x fair"
    );
    for s in SCENARIOS.iter().filter(|s| filter.as_deref().is_none_or(|f| s.name.contains(f))) {
        let ideal = (s.calls as f64 - f64::from(s.burst)).max(0.0) / s.refill;
        let fair = s.tasks as f64 / s.refill;
        let n = runs.unwrap_or(s.default_runs);
        for i in 0..n {
            let phase = (i as f64 + 0.5) / n as f64;
            let r = run(s, paced, phase).await;
            let wall = r.wall.as_secs_f64();
            let median = r.latencies[r.latencies.len() / 2].as_secs_f64();
            let slowest = r.latencies[r.latencies.len() - 1].as_secs_f64();
            println!(
                "{:<28} {:>5.2} {:>6.2}s {:>7.2}s {:>7.3} {:>5} {:>6} {:>5} {:>8} {:>6.2}s {:>6.2}s {:>5.2}s {:>7.2}",
                s.name,
                phase,
                ideal,
                wall,
                if ideal > 0.0 { wall / ideal } else { f64::NAN },
                r.throttled,
                r.failed,
                r.waits,
                r.estimate.map_or("-".to_owned(), |e| format!("{e:.1}")),
                median,
                slowest,
                fair,
                slowest / fair,
            );
        }
    }
    println!("fair = tasks / refill: each of `tasks` waiting calls waits for the others' tokens and its own");
}
