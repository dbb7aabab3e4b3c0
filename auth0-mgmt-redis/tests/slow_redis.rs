//! A Redis that hangs (frozen by its PID) costs each call at most the timeout, once; the
//! process warns once and rejoins. Its own test binary: it counts the warnings a
//! thread-local subscriber sees, and no other test of this process may emit them first.
//!
//! Without `redis-server` on the `PATH` the test says it skipped, unless
//! `AUTH0_MGMT_REQUIRE_REDIS=1` (CI) makes that a failure.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use auth0_mgmt::Client;
use auth0_mgmt_fake::RateLimit;
use auth0_mgmt_redis::Shared;
use support::{RedisServer, Tenant, config, in_flight};

/// Counts warnings of auth0-mgmt-redis on this thread.
struct CountWarnings(Arc<AtomicU64>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for CountWarnings {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if *event.metadata().level() == tracing::Level::WARN
            && event.metadata().target().starts_with("auth0_mgmt_redis")
        {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// A hanging Redis (frozen: it answers nothing) costs each call at most the timeout, once;
/// the process warns once, paces and authenticates locally, and rejoins afterwards.
#[test]
fn a_slow_redis_costs_one_timeout_and_one_warning_then_the_process_rejoins() {
    use tracing_subscriber::prelude::*;
    let Some(redis) = RedisServer::start_or_skip("slow") else { return };
    let tenant = Tenant::start(|b| b.rate_limit(RateLimit::new(50, 500.0)));
    let warnings = Arc::new(AtomicU64::new(0));
    let _subscriber =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(CountWarnings(warnings.clone())));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let b = Client::builder()
            .base_url(tenant.fake.base_url())
            .client_credentials(tenant.fake.client_id(), tenant.fake.client_secret());
        let config = config().timeout(Duration::from_millis(200));
        let shared = Shared::connect_with(&redis.url(), b.build_client_credentials().unwrap(), config).await.unwrap();
        let client = shared.apply(b).build().unwrap();
        let user = tenant.user.parse().unwrap();
        client.users().get(&user).await.unwrap();
        // Redis stops answering (frozen until thawed: no race with the calls below).
        redis.freeze();
        for _ in 0..30 {
            client.users().get(&user).await.unwrap();
        }
        let status = shared.status();
        assert!(!status.connected && status.fallbacks == 1, "{status:?}");
        // Only what was in flight when Redis stopped waited for the timeout (this call's
        // reservation, and the previous answer's report sent in the background) — not
        // each of the 30 calls.
        assert!((1..=2).contains(&status.timeouts), "{status:?}");
        redis.thaw();
        let deadline = Instant::now() + Duration::from_secs(30);
        while !shared.status().connected {
            assert!(Instant::now() < deadline, "did not rejoin");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        client.users().get(&user).await.unwrap();
        assert_eq!(shared.status().rejoins, 1);
        // Requests whose answers came while Redis was away (or whose reservation Redis ran
        // late) do not count as in flight in the shared model afterwards.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            client.users().get(&user).await.unwrap();
            tokio::time::sleep(Duration::from_millis(50)).await;
            let flying = in_flight(&redis);
            if flying == 0 {
                break;
            }
            assert!(Instant::now() < deadline, "{flying} requests still count as in flight");
        }
    });
    assert_eq!(warnings.load(Ordering::Relaxed), 1);
    assert_eq!(tenant.fake.counters().token_mints, 1);
}
