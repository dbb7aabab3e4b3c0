//! Several processes, one tenant, a real Redis: one mint, one bucket, no plaintext token in
//! Redis, and Redis trouble never stops a call.
//!
//! Each test starts its own `redis-server` on a free loopback port (stopped by its PID)
//! and its own fake tenant; the "processes" are this test binary started again as
//! workers (`worker_process`). The tests assert counts the tenant and Redis saw (mints,
//! 429s, fallbacks), never wall-clock figures: those are printed, and measured by
//! `cargo run --release -p auth0-mgmt-redis --example figures`.
//!
//! Without `redis-server` on the `PATH` the tests say they skipped, unless
//! `AUTH0_MGMT_REQUIRE_REDIS=1` (CI) makes that a failure.

mod support;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use auth0_mgmt::{Client, TokenSource};
use auth0_mgmt_fake::RateLimit;
use auth0_mgmt_redis::Shared;
use support::{RedisServer, Report, Tenant, Worker, config, dump, start_workers};

/// The heavy tests (four worker processes each) run one at a time: the machine has two cores.
static HEAVY: Mutex<()> = Mutex::new(());

#[test]
#[ignore = "a worker process of the other tests; they start it"]
fn worker_process() {
    support::worker::run_if_worker();
}

const WORKER_ARGS: &[&str] = &["worker_process", "--exact", "--ignored", "--nocapture", "--test-threads=1"];

fn this_binary() -> std::path::PathBuf {
    std::env::current_exe().expect("the test binary")
}

fn reports(workers: Vec<Worker>, timeout: Duration) -> Vec<Report> {
    workers.into_iter().map(|w| w.report(timeout)).collect()
}

fn total(reports: &[Report], f: impl Fn(&Report) -> u64) -> u64 {
    reports.iter().map(f).sum()
}

fn assert_all_ok(reports: &[Report], expected: u64) {
    for r in reports {
        assert_eq!(r.failed, 0, "failed calls: {:?}", r.errors);
    }
    assert_eq!(total(reports, |r| r.ok), expected);
}

#[test]
fn four_processes_of_64_concurrent_first_calls_mint_one_token() {
    let Some(redis) = RedisServer::start_or_skip("mint") else { return };
    let _heavy = HEAVY.lock().unwrap_or_else(|e| e.into_inner());
    // A slow token endpoint keeps the race open while every process asks.
    let tenant = Tenant::start(|b| b.token_latency(Duration::from_millis(100)));
    let mut args = tenant.args(Some(&redis));
    (args.calls, args.concurrency) = (64, 64);
    let workers = start_workers(&this_binary(), WORKER_ARGS, &args, 4);
    let reports = reports(workers, Duration::from_secs(120));
    assert_all_ok(&reports, 256);
    let c = tenant.fake.counters();
    assert_eq!(c.token_mints, 1, "{c:?}");
    assert_eq!(c.token_requests, 1, "{c:?}");
    assert_eq!(total(&reports, |r| r.mints), 1);
    assert!(reports.iter().all(|r| r.connected && r.fallbacks == 0));
}

#[test]
fn four_processes_pace_the_tenant_bucket_as_one_client() {
    let Some(redis) = RedisServer::start_or_skip("pacing") else { return };
    let _heavy = HEAVY.lock().unwrap_or_else(|e| e.into_inner());
    let tenant = Tenant::start(|b| b.rate_limit(RateLimit::new(10, 100.0)));
    let ideal = (400.0 - 10.0) / 100.0;
    let run = |redis: Option<&RedisServer>| {
        tenant.fake.reset_counters();
        let mut args = tenant.args(redis);
        (args.calls, args.concurrency, args.warm) = (100, 8, true);
        let reports = reports(start_workers(&this_binary(), WORKER_ARGS, &args, 4), Duration::from_secs(300));
        let wall = (reports.iter().map(|r| r.end_ms).max().unwrap() - reports.iter().map(|r| r.start_ms).min().unwrap())
            as f64
            / 1000.0;
        (reports, tenant.fake.counters(), wall)
    };
    let (shared, c, wall) = run(Some(&redis));
    eprintln!(
        "4 processes × 100 GETs, 8 in flight each, bucket 10 + 100/s, with Redis: {wall:.2} s (ideal {ideal:.1} s, ×{:.2}), {} × 429, {} mints",
        wall / ideal,
        c.rate_limited,
        c.token_mints
    );
    assert_all_ok(&shared, 400);
    assert!(c.rate_limited <= 4, "{} × 429 with a shared bucket (at most 4 expected): {c:?}", c.rate_limited);
    assert_eq!(c.token_mints, 1, "one token for all four processes");
    // For comparison only (not asserted): four processes that each learn the bucket alone.
    let (alone, c, wall) = run(None);
    eprintln!(
        "the same without Redis: {wall:.2} s (×{:.2} ideal), {} × 429, {} mints, {} failed",
        wall / ideal,
        c.rate_limited,
        c.token_mints,
        total(&alone, |r| r.failed)
    );
}

#[test]
fn redis_killed_mid_run_every_call_resolves_and_the_processes_rejoin() {
    let Some(mut redis) = RedisServer::start_or_skip("kill") else { return };
    let _heavy = HEAVY.lock().unwrap_or_else(|e| e.into_inner());
    let tenant = Tenant::start(|b| b.rate_limit(RateLimit::new(20, 400.0)));
    let mut args = tenant.args(Some(&redis));
    (args.calls, args.concurrency, args.pause_ms, args.warm) = (0, 4, 2, true);
    args.redis_timeout_ms = 250;
    let mut workers = start_workers(&this_binary(), WORKER_ARGS, &args, 4);
    let requests = || tenant.fake.counters().requests;
    let wait_for_requests = |more: u64| {
        let target = requests() + more;
        let deadline = Instant::now() + Duration::from_secs(60);
        while requests() < target {
            assert!(Instant::now() < deadline, "the calls stopped: {:?}", tenant.fake.counters());
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    wait_for_requests(200);
    redis.kill();
    for w in &workers {
        w.expect("STATUS connected=false fallbacks=1", Duration::from_secs(30));
    }
    // The calls go on without Redis.
    wait_for_requests(200);
    redis.restart();
    for w in &workers {
        w.expect("STATUS connected=true fallbacks=1 rejoins=1", Duration::from_secs(30));
    }
    wait_for_requests(200);
    // They share again: the bucket's model is back in Redis, and so is the token (a
    // process that rejoins publishes its valid token when Redis has none).
    let keys: Vec<String> = dump(&redis).into_iter().map(|(k, _)| String::from_utf8_lossy(&k).into_owned()).collect();
    assert!(keys.iter().any(|k| k.starts_with("auth0-mgmt:test:pacer:")), "{keys:?}");
    assert!(keys.iter().any(|k| k.starts_with("auth0-mgmt:test:token:")), "{keys:?}");
    for w in &mut workers {
        w.send("stop");
    }
    let reports = reports(workers, Duration::from_secs(60));
    for r in &reports {
        assert_eq!(r.failed, 0, "{:?}", r.errors);
        assert!(r.ok > 0);
        assert_eq!((r.connected, r.fallbacks, r.rejoins), (true, 1, 1));
        assert_eq!(r.warnings, 1, "one warning per outage, not one per call");
    }
    // The token stayed valid throughout: nobody minted again.
    assert_eq!(tenant.fake.counters().token_mints, 1);
}

#[test]
fn redis_holds_no_token_and_no_secret_in_clear_and_the_logs_neither() {
    let Some(redis) = RedisServer::start_or_skip("plaintext") else { return };
    let tenant = Tenant::start(|b| b);
    let mut args = tenant.args(Some(&redis));
    (args.calls, args.concurrency, args.capture_logs) = (20, 4, true);
    let reports = reports(start_workers(&this_binary(), WORKER_ARGS, &args, 1), Duration::from_secs(60));
    assert_all_ok(&reports, 20);
    assert!(reports[0].log_lines > 0, "debug logs were captured");
    assert!(!reports[0].secret_in_logs, "a log line held the client secret or the token");
    // The token, as the tenant handed it out: get it the same way, in this process.
    let (token, values) = tenant.rt.block_on(async {
        let builder = Client::builder()
            .base_url(tenant.fake.base_url())
            .client_credentials(tenant.fake.client_id(), tenant.fake.client_secret());
        let shared =
            Shared::connect_with(&redis.url(), builder.build_client_credentials().unwrap(), config()).await.unwrap();
        let token = shared.token_source().token().await.unwrap();
        (token.expose_secret().to_owned(), dump(&redis))
    });
    assert_eq!(tenant.fake.counters().token_mints, 1, "the second process took the shared token");
    assert!(!values.is_empty());
    let secret = tenant.fake.client_secret().as_bytes();
    let needles: Vec<&[u8]> =
        std::iter::once(token.as_bytes()).chain(token.split('.').map(str::as_bytes).filter(|p| p.len() >= 8)).collect();
    for (key, value) in &values {
        let key = String::from_utf8_lossy(key);
        for needle in needles.iter().chain([&secret]) {
            assert!(!value.windows(needle.len()).any(|w| w == *needle), "{key} holds a secret in clear");
        }
        if key.contains(":token:") {
            assert!(value.starts_with(b"a0r1"), "{key}: a sealed value");
        }
    }
}

/// Two processes (two `Shared`s, two connections) see the same 401: the shared token is
/// deleted once (compare-and-delete) and minted once.
#[test]
fn a_401_seen_by_two_processes_invalidates_the_shared_token_once() {
    let Some(redis) = RedisServer::start_or_skip("401") else { return };
    let tenant = Tenant::start(|b| b.token_latency(Duration::from_millis(50)));
    tenant.rt.block_on(async {
        let builder = || {
            Client::builder()
                .base_url(tenant.fake.base_url())
                .client_credentials(tenant.fake.client_id(), tenant.fake.client_secret())
        };
        let mut clients = Vec::new();
        for _ in 0..2 {
            let b = builder();
            let shared =
                Shared::connect_with(&redis.url(), b.build_client_credentials().unwrap(), config()).await.unwrap();
            clients.push(shared.apply(b).build().unwrap());
        }
        let user: auth0_mgmt::UserId = tenant.user.parse().unwrap();
        for c in &clients {
            c.users().get(&user).await.unwrap();
        }
        assert_eq!(tenant.fake.counters().token_mints, 1);
        tenant.fake.revoke_all_tokens();
        let user = &user;
        let calls = clients.iter().flat_map(|c| (0..8).map(move |_| async move { c.users().get(user).await }));
        for result in futures::future::join_all(calls).await {
            result.unwrap();
        }
        assert_eq!(tenant.fake.counters().token_mints, 2, "one mint after the 401, for both processes");
        // Every one of the 16 calls was first sent with the revoked token (a 401), then
        // once more with the fresh one.
        let gets = tenant.fake.requests().iter().filter(|r| r.path.starts_with("/api/v2/users/")).count();
        assert_eq!(gets, 2 + 16 * 2, "both processes saw the 401 and retried once");
    });
}

/// Redis down at start: the process works on its own (one local mint), and joins when Redis
/// comes up — publishing its token there for the others.
#[test]
fn a_process_started_while_redis_is_down_works_locally_and_joins_later() {
    let Some(mut redis) = RedisServer::start_or_skip("down at start") else { return };
    redis.kill();
    let tenant = Tenant::start(|b| b);
    tenant.rt.block_on(async {
        let b = Client::builder()
            .base_url(tenant.fake.base_url())
            .client_credentials(tenant.fake.client_id(), tenant.fake.client_secret());
        let shared = Shared::connect_with(&redis.url(), b.build_client_credentials().unwrap(), config()).await.unwrap();
        assert!(!shared.status().connected);
        let client = shared.apply(b).build().unwrap();
        let user = tenant.user.parse().unwrap();
        client.users().get(&user).await.unwrap();
        assert_eq!(tenant.fake.counters().token_mints, 1);
        redis.restart();
        let deadline = Instant::now() + Duration::from_secs(30);
        while !shared.status().connected {
            assert!(Instant::now() < deadline, "did not join");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        client.users().get(&user).await.unwrap();
        assert!(dump(&redis).iter().any(|(k, _)| k.starts_with(b"auth0-mgmt:test:token:")));
        // Another process now takes that token instead of minting.
        let b = Client::builder()
            .base_url(tenant.fake.base_url())
            .client_credentials(tenant.fake.client_id(), tenant.fake.client_secret());
        let other = Shared::connect_with(&redis.url(), b.build_client_credentials().unwrap(), config()).await.unwrap();
        other.apply(b).build().unwrap().users().get(&user).await.unwrap();
        assert_eq!(tenant.fake.counters().token_mints, 1);
    });
}

/// A token is refreshed ahead of its expiry — by one process, once: with a 4 s lifetime
/// the refresh margin is half of it, so calls made between 2 s and 3 s after the first
/// mint already carry a second token (not the first one until its last second).
#[test]
fn the_shared_token_is_refreshed_ahead_of_expiry_once() {
    let Some(redis) = RedisServer::start_or_skip("refresh ahead") else { return };
    let tenant = Tenant::start(|b| b.token_lifetime(Duration::from_secs(4)));
    tenant.rt.block_on(async {
        let shared_with = |b: auth0_mgmt::ClientBuilder| {
            let url = redis.url();
            async move {
                let shared = Shared::connect_with(&url, b.build_client_credentials().unwrap(), config()).await.unwrap();
                (shared.apply(b).build().unwrap(), shared)
            }
        };
        let builder = || {
            Client::builder()
                .base_url(tenant.fake.base_url())
                .client_credentials(tenant.fake.client_id(), tenant.fake.client_secret())
        };
        let (a, shared_a) = shared_with(builder()).await;
        let (b, _shared_b) = shared_with(builder()).await;
        let user = tenant.user.parse().unwrap();
        a.users().get(&user).await.unwrap();
        let started = Instant::now();
        let first = shared_a.token_source().token().await.unwrap();
        while started.elapsed() < Duration::from_millis(2_300) {
            a.users().get(&user).await.unwrap();
            b.users().get(&user).await.unwrap();
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let now = shared_a.token_source().token().await.unwrap();
        if started.elapsed() < Duration::from_millis(2_900) {
            // Before the first token's last second: only a refresh ahead can explain a new one.
            assert!(now.expose_secret() != first.expose_secret(), "still the first token after 2.3 s of 4 s");
            assert_eq!(tenant.fake.counters().token_mints, 2, "one refresh, by one of the two processes");
        } else {
            eprintln!("refresh ahead: the machine stalled past 2.9 s; the check is inconclusive this time");
        }
    });
}
