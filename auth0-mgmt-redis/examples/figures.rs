//! Figures of issue 14: four processes sharing one tenant, with and without Redis, and what
//! Redis costs a call. Starts its own `redis-server` (on a free loopback port) and an
//! in-process fake tenant; the processes are this program started again as workers.
//!
//! ```text
//! cargo run --release -p auth0-mgmt-redis --example figures            # ≈ 1 min
//! cargo run --release -p auth0-mgmt-redis --example figures -- --reps 1
//! ```
//!
//! * **W3, 4 processes**: tenant bucket burst 10, refill 100/s (`x-ratelimit-reset` in whole
//!   seconds, no `Retry-After`, as Auth0); 4 processes × 100 GET-user calls, 8 in flight
//!   each, each process holding its token before the clock starts. Ideal wall time
//!   (400 − 10) / 100 = 3.9 s. Wall time runs from the first process' first call to the
//!   last one's last answer. With Redis the processes share the token and the bucket
//!   model; without, each runs its own client.
//! * **Cost per call**: one process, 500 sequential GET-user calls on an unlimited tenant,
//!   with and without Redis (the pacer's round trips to Redis: one `reserve` per call
//!   before it is sent; the answers go to Redis in the background).
//!
//! Sides alternate repetition by repetition (median of `--reps`, default 3), so that the
//! load of a shared machine hits both.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Duration;

use auth0_mgmt_fake::{FakeTenant, RateLimit, Seed};
use support::{RedisServer, Report, WorkerArgs, quantile, start_workers};

/// One run: (wall s, 429s, mints, failed, spread of the processes' first calls in ms).
type Run = (f64, u64, u64, u64, u64);

fn main() {
    if support::worker::run_if_worker() {
        return;
    }
    let mut reps = 3usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--reps" => reps = args.next().and_then(|v| v.parse().ok()).unwrap_or(3).max(1),
            other => {
                eprintln!("figures: unknown argument {other} (use --reps N)");
                std::process::exit(2);
            }
        }
    }
    let Some(redis) = RedisServer::start_or_skip("figures") else { return };
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let me = std::env::current_exe().expect("this program");

    // W3 with four processes.
    let tenant = rt
        .block_on(FakeTenant::builder().seed(Seed::empty().users(1)).rate_limit(RateLimit::new(10, 100.0)).start())
        .unwrap();
    let user = tenant.user_ids()[0].clone();
    let ideal = 3.9;
    let mut rows: [Vec<Run>; 2] = [Vec::new(), Vec::new()];
    for rep in 0..reps {
        for (side, shared) in [(0, true), (1, false)] {
            tenant.reset_counters();
            // Let the bucket fill up again between runs.
            std::thread::sleep(Duration::from_millis(300));
            let mut w = WorkerArgs::new(tenant.base_url(), tenant.client_id(), tenant.client_secret(), &user);
            (w.calls, w.concurrency, w.warm) = (100, 8, true);
            w.redis = shared.then(|| redis.url());
            w.deployment = format!("figures-{rep}");
            let reports: Vec<Report> =
                start_workers(&me, &[], &w, 4).into_iter().map(|w| w.report(Duration::from_secs(600))).collect();
            let start = reports.iter().map(|r| r.start_ms).min().unwrap_or(0);
            let spread = reports.iter().map(|r| r.start_ms).max().unwrap_or(0) - start;
            let end = reports.iter().map(|r| r.end_ms).max().unwrap_or(0);
            let c = tenant.counters();
            let failed = reports.iter().map(|r| r.failed).sum();
            rows[side].push(((end - start) as f64 / 1000.0, c.rate_limited, c.token_mints, failed, spread));
        }
    }
    println!(
        "W3, 4 processes × 100 GET-user, 8 in flight each, bucket burst 10 refill 100/s (ideal {ideal} s), median of {reps}:"
    );
    for (side, name) in [(0, "with Redis   "), (1, "without Redis")] {
        let mut walls: Vec<u64> = rows[side].iter().map(|r| (r.0 * 1000.0) as u64).collect();
        let wall = quantile(&mut walls, 0.5) as f64 / 1000.0;
        let runs: Vec<String> = rows[side]
            .iter()
            .map(|r| {
                format!("{:.3} s / {} × 429 / {} mints / {} failed / started within {} ms", r.0, r.1, r.2, r.3, r.4)
            })
            .collect();
        println!("  {name}: wall {wall:.3} s (×{:.3} ideal); runs: {}", wall / ideal, runs.join("; "));
    }

    // The cost of Redis per call.
    let plain = rt.block_on(FakeTenant::builder().seed(Seed::empty().users(1)).start()).unwrap();
    let user = plain.user_ids()[0].clone();
    let mut lat: [Vec<u64>; 2] = [Vec::new(), Vec::new()];
    for rep in 0..reps {
        for (side, shared) in [(0, true), (1, false)] {
            let mut w = WorkerArgs::new(plain.base_url(), plain.client_id(), plain.client_secret(), &user);
            (w.calls, w.concurrency, w.warm) = (500, 1, true);
            w.redis = shared.then(|| redis.url());
            w.deployment = format!("cost-{rep}");
            let report = start_workers(&me, &[], &w, 1).pop().unwrap().report(Duration::from_secs(600));
            assert_eq!(report.failed, 0, "{:?}", report.errors);
            lat[side].extend(report.latencies_us);
        }
    }
    let (p50r, p99r) = (quantile(&mut lat[0], 0.5), quantile(&mut lat[0], 0.99));
    let (p50l, p99l) = (quantile(&mut lat[1], 0.5), quantile(&mut lat[1], 0.99));
    println!("cost per call, 1 process, 500 sequential GET-user × {reps}, unlimited tenant:");
    println!("  with Redis    p50 {p50r} µs, p99 {p99r} µs");
    println!("  without Redis p50 {p50l} µs, p99 {p99l} µs");
    println!("  Redis adds    p50 {} µs, p99 {} µs", p50r as i64 - p50l as i64, p99r as i64 - p99l as i64);
}
