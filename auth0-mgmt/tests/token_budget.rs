//! Getting a token is part of the call: its waits count against the call's one budget,
//! and however a server answers — a lifetime of 0, tokens that expired before they were
//! sent, a 401 for every token, a JWT `exp` before 1970 — a client mints at most about
//! once a second and never panics.

mod common;

use std::time::Duration;

use auth0_mgmt::{Client, Error, RetryConfig, UserId, WaitFor};
use base64::Engine as _;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn uid() -> UserId {
    "auth0|1".parse().unwrap()
}

fn paused_cc(server: &MockServer, budget: Duration) -> auth0_mgmt::ClientBuilder {
    Client::builder()
        .base_url(server.uri())
        .client_credentials("cid", "budget-test-secret")
        .http_client(common::timerless_http())
        .timeout(None)
        .retry(
            RetryConfig::default().max_total_wait(budget).backoff(Duration::from_millis(1), Duration::from_millis(5)),
        )
}

async fn token_requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().iter().filter(|r| r.url.path() == "/oauth/token").count()
}

fn throttled() -> ResponseTemplate {
    ResponseTemplate::new(429)
        .insert_header("retry-after", "1")
        .set_body_json(json!({"statusCode": 429, "error": "Too Many Requests", "message": "Global limit"}))
}

async fn mount_token(server: &MockServer, body: serde_json::Value) {
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

async fn mount_user(server: &MockServer, status: u16) {
    Mock::given(method("GET"))
        .and(path("/api/v2/users/auth0%7C1"))
        .respond_with(ResponseTemplate::new(status).set_body_json(common::user_json("auth0|1")))
        .mount(server)
        .await;
}

/// Eight tasks calling `users.get` every 50 ms for 10 s (of the paused clock), each
/// result checked by `check`: how many calls they made.
async fn call_for_ten_seconds(client: &Client, check: fn(auth0_mgmt::Result<auth0_mgmt::users::User>)) -> u32 {
    let started = tokio::time::Instant::now();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move {
                let mut calls = 0u32;
                while started.elapsed() < Duration::from_secs(10) {
                    check(c.users().get(&uid()).await);
                    calls += 1;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                calls
            })
        })
        .collect();
    let mut calls = 0;
    for t in tasks {
        calls += t.await.unwrap();
    }
    calls
}

/// Two 429s from the token endpoint (1 s each), then 429s from the API: with a budget of
/// 2.5 s the call ends when the API's first wait no longer fits — the token's waits
/// were charged to the call, not to a budget of their own.
#[tokio::test(start_paused = true)]
async fn the_token_endpoints_waits_count_against_the_calls_budget() {
    let server = common::server().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(throttled())
        .up_to_n_times(2)
        .mount(&server)
        .await;
    mount_token(&server, json!({"access_token": "tok", "token_type": "Bearer", "expires_in": 86400})).await;
    Mock::given(method("GET")).and(path("/api/v2/users/auth0%7C1")).respond_with(throttled()).mount(&server).await;
    let client = paused_cc(&server, Duration::from_millis(2500)).build().unwrap();
    let started = tokio::time::Instant::now();
    let err = client.users().get(&uid()).await.unwrap_err();
    let elapsed = started.elapsed();
    let Error::WaitTooLong { operation: "users.get", waiting_for: WaitFor::RateLimit, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(elapsed <= Duration::from_millis(2500), "waited {elapsed:?} on a 2.5 s budget");
    assert_eq!(token_requests(&server).await, 3);
    assert_eq!(common::api_requests(&server).await.len(), 1, "one API attempt, then no wait fits");
}

/// A token endpoint whose wait does not fit in what is left of the budget ends the call
/// with a `WaitTooLong` naming the token endpoint's 429.
#[tokio::test(start_paused = true)]
async fn a_mint_wait_beyond_the_calls_budget_is_wait_too_long() {
    let server = common::server().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "10")
                .set_body_json(json!({"error": "too_many_requests"})),
        )
        .mount(&server)
        .await;
    let client = paused_cc(&server, Duration::from_secs(5)).build().unwrap();
    let started = tokio::time::Instant::now();
    let err = client.users().get(&uid()).await.unwrap_err();
    assert!(
        matches!(&err, Error::WaitTooLong { operation: "oauth.token", waiting_for: WaitFor::RateLimit, .. }),
        "{err:?}"
    );
    assert_eq!(started.elapsed(), Duration::ZERO, "nothing waited: the wait did not fit");
    assert_eq!(err.error_code(), Some("too_many_requests"));
}

/// A token past its JWT `exp` (or granted for 0 s, or a negative time) is still used for
/// a second: one mint a second, not one per call.
#[tokio::test(start_paused = true)]
async fn tokens_without_a_usable_lifetime_are_minted_at_most_once_a_second() {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let payload = json!({"scope": "read:users", "exp": now - 30}).to_string();
    let behind =
        format!("eyJhbGciOiJub25lIn0.{}.c2ln", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload));
    for body in [
        json!({"access_token": "tok-0", "token_type": "Bearer", "expires_in": 0}),
        json!({"access_token": "tok-neg", "token_type": "Bearer", "expires_in": -5}),
        json!({"access_token": "tok-neg-str", "token_type": "Bearer", "expires_in": "-5"}),
        json!({"access_token": behind, "token_type": "Bearer"}),
    ] {
        let server = common::server().await;
        mount_token(&server, body.clone()).await;
        mount_user(&server, 200).await;
        let client = paused_cc(&server, Duration::from_secs(30)).build().unwrap();
        let calls = call_for_ten_seconds(&client, |r| {
            r.unwrap();
        })
        .await;
        let mints = token_requests(&server).await;
        assert!(calls > 1000, "{body}: {calls} calls");
        assert!((5..=12).contains(&mints), "{body}: {mints} mints for {calls} calls in 10 s");
    }
}

/// A tenant that answers 401 to every token: each call fails with the 401; a new token is
/// minted at most once a second, however many calls run.
#[tokio::test(start_paused = true)]
async fn a_401_for_every_token_mints_at_most_once_a_second() {
    let server = common::server().await;
    let minted = std::sync::atomic::AtomicU64::new(0);
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(move |_: &wiremock::Request| {
            let n = minted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": format!("tok-{n}"), "token_type": "Bearer", "expires_in": 86400}))
        })
        .mount(&server)
        .await;
    mount_user(&server, 401).await;
    let client = paused_cc(&server, Duration::from_secs(30)).build().unwrap();
    // The first 401 re-mints and re-sends once, as always.
    let err = client.users().get(&uid()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401), "{err:?}");
    assert_eq!((token_requests(&server).await, common::api_requests(&server).await.len()), (2, 2));
    let calls = call_for_ten_seconds(&client, |r| {
        let err = r.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(401), "{err:?}");
    })
    .await;
    let mints = token_requests(&server).await;
    assert!(calls > 1000, "{calls} calls");
    assert!(mints <= 2 + 11, "{mints} mints for {calls} calls in 10 s");
}

/// A JWT `exp` at or before 1970 (0, negative, fractional) makes an expired token whose
/// error is shown without a panic — also through a tracing subscriber that formats it.
#[tokio::test]
async fn a_token_that_expired_before_1970_is_a_typed_error_without_a_panic() {
    let _guard = tracing::subscriber::set_default(
        tracing_subscriber::fmt().with_max_level(tracing::Level::DEBUG).with_test_writer().finish(),
    );
    for exp in [json!(0), json!(-1), json!(-1e300), json!(0.5)] {
        let payload = json!({"scope": "read:users", "exp": exp}).to_string();
        let token =
            format!("eyJhbGciOiJub25lIn0.{}.c2ln", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload));
        let server = common::server().await;
        mount_token(&server, json!({"access_token": token, "token_type": "Bearer"})).await;
        let client =
            Client::builder().base_url(server.uri()).client_credentials("cid", "s3cr3t-value").build().unwrap();
        let err = client.users().get(&uid()).await.unwrap_err();
        let Error::TokenExpired { .. } = &err else { panic!("{exp}: {err:?}") };
        let shown = err.to_string();
        assert!(shown.contains("1970"), "{exp}: {shown}");
        assert!(common::api_requests(&server).await.is_empty());
    }
}
