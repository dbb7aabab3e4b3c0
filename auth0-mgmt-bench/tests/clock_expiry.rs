//! Clock and expiry, on tokio's paused clock (no real sleeps):
//!
//! * tokens that expire in the middle of a stream (refreshed ahead, or rejected by the
//!   tenant and re-minted once);
//! * a token endpoint that is down for a while, then recovers;
//! * `x-ratelimit-reset` in the past, absurdly far in the future, or unparseable: every
//!   call ends, within the configured maximum wait, with a value or a clear error.
//!
//! Clients get a timer-free `reqwest` client and no request timeout: under a paused
//! clock tokio jumps to the next timer whenever every task waits on loopback I/O. Reset
//! stamps are wall-clock seconds, which keep moving while the paused clock does not:
//! a test that names a stamp a few seconds ahead allows for the real time that passed.

use std::time::Duration;

use auth0_mgmt::{Client, ClientBuilder, Error, PacerConfig, RetryConfig, UserId};
use auth0_mgmt_fake::{FakeTenant, Faults, Seed};
use futures::TryStreamExt;
use tokio::time::Instant;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn timerless_http() -> reqwest::Client {
    reqwest::Client::builder().pool_idle_timeout(None).build().expect("http client")
}

fn client_for(tenant: &FakeTenant) -> ClientBuilder {
    Client::builder()
        .base_url(tenant.base_url())
        .client_credentials(tenant.client_id(), tenant.client_secret())
        .http_client(timerless_http())
        .timeout(None)
        .retry(RetryConfig::default().backoff(Duration::from_millis(50), Duration::from_secs(2)))
}

fn api_requests(tenant: &FakeTenant) -> usize {
    tenant.requests().iter().filter(|r| r.path.starts_with("/api/v2/")).count()
}

/// Streams every user, pausing `gap` of (virtual) time after each page's worth.
async fn stream_slowly(client: &Client, per_page: u64, gap: Duration) -> auth0_mgmt::Result<usize> {
    let mut users = client.users().list().per_page(per_page).stream();
    let mut n = 0;
    while let Some(_user) = users.try_next().await? {
        n += 1;
        if n % per_page as usize == 0 {
            tokio::time::sleep(gap).await;
        }
    }
    Ok(n)
}

#[tokio::test(start_paused = true)]
async fn a_token_expiring_mid_stream_is_refreshed_ahead_and_no_page_is_repeated() {
    let tenant = FakeTenant::builder()
        .seed(Seed::empty().users(500))
        .token_lifetime(Duration::from_secs(120))
        .start()
        .await
        .unwrap();
    let client = client_for(&tenant).token_refresh_margin(Duration::from_secs(30)).build().unwrap();
    // 10 pages, 25 s apart: 250 s in all, two lifetimes of the token.
    let n = stream_slowly(&client, 50, Duration::from_secs(25)).await.unwrap();
    assert_eq!(n, 500);
    let c = tenant.counters();
    assert!(c.token_mints >= 3, "the token was refreshed: {c:?}");
    // Every page was fetched exactly once: no request was rejected and repeated.
    assert_eq!(api_requests(&tenant), 10);
}

#[tokio::test(start_paused = true)]
async fn a_token_the_tenant_rejects_mid_stream_is_reminted_once_and_the_page_retried() {
    let tenant = FakeTenant::builder()
        .seed(Seed::empty().users(300))
        .token_lifetime(Duration::from_secs(3600))
        .start()
        .await
        .unwrap();
    let client = client_for(&tenant).build().unwrap();
    let mut users = client.users().list().per_page(100).stream();
    let mut n = 0;
    while let Some(_u) = users.try_next().await.unwrap() {
        n += 1;
        if n == 150 {
            // The server forgets every token (key rotation, clock skew): the client still
            // believes its token valid for another hour.
            tenant.revoke_all_tokens();
        }
    }
    assert_eq!(n, 300);
    assert_eq!(tenant.counters().token_mints, 2);
    // Pages 0, 1, 2 plus the one retry of page 2 after its 401.
    assert_eq!(api_requests(&tenant), 4);
}

#[tokio::test(start_paused = true)]
async fn a_token_past_its_expiry_is_never_sent() {
    let tenant = FakeTenant::builder()
        .seed(Seed::empty().users(3))
        .token_lifetime(Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let client = client_for(&tenant).token_refresh_margin(Duration::ZERO).build().unwrap();
    let id: UserId = tenant.user_ids()[0].parse().unwrap();
    client.users().get(&id).await.unwrap();
    tokio::time::sleep(Duration::from_secs(61)).await;
    client.users().get(&id).await.unwrap();
    // A fresh token was minted before the second call; the tenant never saw an expired one
    // (it would have answered 401 and the client re-minted: a third mint and a third request).
    assert_eq!(tenant.counters().token_mints, 2);
    assert_eq!(api_requests(&tenant), 2);
}

#[tokio::test(start_paused = true)]
async fn a_token_endpoint_that_is_down_for_a_while_then_recovers() {
    let tenant = FakeTenant::builder().seed(Seed::empty().users(3)).start().await.unwrap();
    let id: UserId = tenant.user_ids()[0].parse().unwrap();
    let client = client_for(&tenant).build().unwrap();
    // Down: every token request answers 503 (the API too, but it is never reached).
    tenant.set_faults(Faults { error_rate: 1.0, include_token_endpoint: true, seed: Some(1), ..Default::default() });
    let started = Instant::now();
    let err = client.users().get(&id).await.unwrap_err();
    let Error::Token(t) = &err else { panic!("{err:?}") };
    assert_eq!(t.status.map(|s| s.as_u16()), Some(503));
    assert!(err.is_retryable(), "{err}");
    assert!(started.elapsed() < Duration::from_secs(60), "bounded retries: {:?}", started.elapsed());
    assert_eq!(api_requests(&tenant), 0, "no API request without a token");
    let token_requests = tenant.counters().token_requests;
    assert_eq!(token_requests, 4, "1 try + 3 retries");

    // Down the hard way: connections dropped without an answer.
    tenant.set_faults(Faults { drop_rate: 1.0, include_token_endpoint: true, seed: Some(2), ..Default::default() });
    let err = client.users().get(&id).await.unwrap_err();
    assert!(matches!(err, Error::Transport { operation: "oauth.token", .. }), "{err:?}");

    // Recovered: the next call mints once and succeeds. (A dropped connection may have
    // dropped a token the tenant had already minted: those count as mints too.)
    tenant.set_faults(Faults::default());
    let mints = tenant.counters().token_mints;
    tokio::time::sleep(Duration::from_secs(30)).await;
    client.users().get(&id).await.unwrap();
    client.users().get(&id).await.unwrap();
    assert_eq!(tenant.counters().token_mints - mints, 1);
    assert_eq!(api_requests(&tenant), 2);
}

// ----- x-ratelimit-reset values ------------------------------------------------------

fn epoch_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

fn too_many(reset: &str) -> ResponseTemplate {
    ResponseTemplate::new(429)
        .insert_header("x-ratelimit-limit", "10")
        .insert_header("x-ratelimit-remaining", "0")
        .insert_header("x-ratelimit-reset", reset)
        .set_body_json(serde_json::json!({"statusCode": 429, "error": "Too Many Requests",
            "message": "Global limit has been reached", "errorCode": "too_many_requests"}))
}

fn user_ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({"user_id": "auth0|1"}))
}

async fn always_429(reset: &str) -> MockServer {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET")).and(path("/api/v2/users/auth0%7C1")).respond_with(too_many(reset)).mount(&server).await;
    server
}

fn static_client(server: &MockServer, pacer: PacerConfig, max_wait: Duration) -> Client {
    Client::builder()
        .base_url(server.uri())
        .token("static-token")
        .http_client(timerless_http())
        .timeout(None)
        .pacer(pacer)
        .retry(RetryConfig::default().max_total_wait(max_wait))
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_reset_in_the_past_is_retried_at_once_and_then_bounded_by_the_retry_budget() {
    // 1970, and a negative stamp (saturated to the epoch).
    for (reset, pacer) in
        [("1000", PacerConfig::default()), ("1000", PacerConfig::disabled()), ("-5", PacerConfig::default())]
    {
        let server = always_429(reset).await;
        let client = static_client(&server, pacer.clone(), Duration::from_secs(300));
        let started = Instant::now();
        let err = client.users().get(&"auth0|1".parse().unwrap()).await.unwrap_err();
        assert!(err.is_rate_limited(), "{err:?}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
        let attempts = server.received_requests().await.unwrap().len();
        assert_eq!(attempts, 11, "1 try + max_rate_limit_retries (10), {pacer:?}");
        assert!(started.elapsed() <= Duration::from_secs(300), "{pacer:?}: {:?}", started.elapsed());
    }
}

/// Stamps beyond what the clock can represent (`u64::MAX` seconds and more) saturate at the
/// end of the year 9999: as absurd as the year 3000, and as clearly refused.
#[tokio::test(start_paused = true)]
async fn an_absurd_reset_is_bounded_by_the_maximum_wait_with_a_clear_error() {
    let year_3000 = "32503680000";
    let far = (epoch_now() + 365 * 86400).to_string();
    for reset in [year_3000, far.as_str(), "18446744073709551615", "99999999999999999999999"] {
        for pacer in [PacerConfig::default(), PacerConfig::disabled()] {
            let server = always_429(reset).await;
            let client = static_client(&server, pacer.clone(), Duration::from_secs(120));
            let started = Instant::now();
            let err = client.users().get(&"auth0|1".parse().unwrap()).await.unwrap_err();
            assert!(started.elapsed() < Duration::from_secs(1), "{reset} {pacer:?}: slept {:?}", started.elapsed());
            let Error::WaitTooLong { wait, max_wait, .. } = &err else { panic!("{reset} {pacer:?}: {err:?}") };
            assert!(*wait > Duration::from_secs(300 * 86400), "{reset}: {wait:?}");
            assert_eq!(*max_wait, Duration::from_secs(120));
            let msg = err.to_string();
            assert!(msg.contains("beyond the configured maximum wait of 120s"), "{msg}");
            assert!(err.is_rate_limited() && err.is_retryable());
            assert_eq!(server.received_requests().await.unwrap().len(), 1, "{reset}");
        }
    }
}

/// Garbage is treated as absent: jittered backoff, bounded by the retry budget and the
/// maximum wait.
#[tokio::test(start_paused = true)]
async fn unparseable_resets_fall_back_to_bounded_backoff() {
    for reset in ["soon", "1.5e9", "", "0x10", "+5"] {
        let server = always_429(reset).await;
        let client = static_client(&server, PacerConfig::default(), Duration::from_secs(120));
        let started = Instant::now();
        let err = client.users().get(&"auth0|1".parse().unwrap()).await.unwrap_err();
        assert!(err.is_rate_limited(), "{reset}: {err:?}");
        assert!(started.elapsed() <= Duration::from_secs(120), "{reset}: {:?}", started.elapsed());
        let n = server.received_requests().await.unwrap().len();
        assert!((2..=11).contains(&n), "{reset}: {n} attempts");
    }
}

#[tokio::test(start_paused = true)]
async fn a_reset_a_few_seconds_ahead_is_waited_out_then_the_call_succeeds() {
    let server = MockServer::builder().start().await;
    let real = std::time::Instant::now();
    let reset = (epoch_now() + 5).to_string(); // between 4 and 5 s ahead
    Mock::given(method("GET")).respond_with(too_many(&reset)).up_to_n_times(1).mount(&server).await;
    Mock::given(method("GET")).respond_with(user_ok()).mount(&server).await;
    let client = static_client(&server, PacerConfig::default(), Duration::from_secs(120));
    let started = Instant::now();
    let user = client.users().get(&"auth0|1".parse().unwrap()).await.unwrap();
    assert_eq!(user.user_id, "auth0|1");
    // The wait is what was left of the stamp when the 429 was read: at most 5 s, and more
    // than 4 s less the real time that passed meanwhile.
    let (waited, passed) = (started.elapsed(), real.elapsed());
    assert!(waited <= Duration::from_secs(5), "{waited:?}");
    assert!(waited + passed > Duration::from_secs(4), "{waited:?}, {passed:?} of real time passed");
}

/// A request whose connection dropped got no answer, so the pacer never observed it. It
/// must not stay counted as "in flight" (for a minute), or every later call waits for
/// slots the bucket does not need: 80 dropped attempts made 50 calls take over 40 s
/// instead of about 0.4 s.
#[tokio::test(start_paused = true)]
async fn dropped_connections_do_not_stay_counted_against_the_bucket() {
    let tenant = FakeTenant::builder()
        .seed(Seed::empty().users(3))
        .rate_limit(auth0_mgmt_fake::RateLimit::new(10, 100.0))
        .start()
        .await
        .unwrap();
    let id: UserId = tenant.user_ids()[0].parse().unwrap();
    let client = client_for(&tenant).build().unwrap();
    // Learn the bucket: the pacer trusts a refill estimate only after >= 1 s of traffic.
    // Eight tasks drain it so that its refill rate shows.
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (c, id) = (client.clone(), id.clone());
            tokio::spawn(async move {
                for _ in 0..40 {
                    c.users().get(&id).await.unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert!(client.rate_limit_stats().estimated_refill_per_sec.is_some());
    // 20 calls whose every attempt (1 + 3 retries) is dropped.
    tenant.set_faults(Faults { drop_rate: 1.0, seed: Some(3), ..Default::default() });
    for _ in 0..20 {
        assert!(matches!(client.users().get(&id).await, Err(Error::Transport { .. })));
    }
    tenant.set_faults(Faults::default());
    tokio::time::sleep(Duration::from_secs(1)).await; // the bucket is full again
    let started = Instant::now();
    for _ in 0..50 {
        client.users().get(&id).await.unwrap();
    }
    let took = started.elapsed();
    // (50 − 10) / 100 = 0.4 s of refill; allow for the estimate's error.
    assert!(took < Duration::from_secs(2), "50 calls took {took:?}: {:?}", client.rate_limit_stats());
}
