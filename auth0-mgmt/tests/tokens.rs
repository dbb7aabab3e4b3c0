//! Token minting: single-flight, refresh ahead of expiry, 401 handling, mint failures.

mod common;

use std::sync::Arc;
use std::time::Duration;

use auth0_mgmt::{Client, Error, PacerConfig, RetryConfig, UserId, WaitFor};
use serde_json::json;
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn cc_client(server: &MockServer) -> auth0_mgmt::ClientBuilder {
    Client::builder()
        .base_url(server.uri())
        .client_credentials("my-client-id", "my-very-secret-secret")
        .retry(RetryConfig::default().backoff(Duration::from_millis(1), Duration::from_millis(5)))
}

fn token_body(token: &str, expires_in: u64) -> serde_json::Value {
    json!({"access_token": token, "token_type": "Bearer", "expires_in": expires_in, "scope": "read:users update:users"})
}

async fn mount_user(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/api/v2/users/auth0%7C1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(common::user_json("auth0|1")))
        .mount(server)
        .await;
}

async fn token_requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().iter().filter(|r| r.url.path() == "/oauth/token").count()
}

fn uid() -> UserId {
    "auth0|1".parse().unwrap()
}

#[tokio::test]
async fn sixty_four_concurrent_first_calls_mint_exactly_once() {
    let server = common::server().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_partial_json(json!({
            "grant_type": "client_credentials",
            "client_id": "my-client-id",
            "client_secret": "my-very-secret-secret",
            "audience": format!("https://{}/api/v2/", server.address()),
        })))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(token_body("tok-1", 86400)).set_delay(Duration::from_millis(100)),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/users/auth0%7C1"))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(common::user_json("auth0|1")))
        .expect(64)
        .mount(&server)
        .await;
    common::catch_all(&server).await;
    let client = cc_client(&server).build().unwrap();
    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.users().get(&uid()).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(token_requests(&server).await, 1);
    let scopes = client.granted_scopes().await.unwrap();
    assert!(scopes.contains("read:users") && scopes.contains("update:users"));
}

/// A paused-clock client: no HTTP timers besides the ones a test is about.
fn paused_cc_client(server: &MockServer) -> auth0_mgmt::ClientBuilder {
    cc_client(server).http_client(common::timerless_http()).timeout(None)
}

#[tokio::test(start_paused = true)]
async fn the_refresh_margin_is_capped_at_half_the_granted_lifetime() {
    let server = common::server().await;
    // Lifetime 100 s, margin 300 s: refreshed after 50 s, not on every call.
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body("tok-short", 100)))
        .mount(&server)
        .await;
    mount_user(&server).await;
    common::catch_all(&server).await;
    let client = paused_cc_client(&server).token_refresh_margin(Duration::from_secs(300)).build().unwrap();
    for _ in 0..5 {
        client.users().get(&uid()).await.unwrap();
    }
    tokio::time::sleep(Duration::from_secs(49)).await;
    client.users().get(&uid()).await.unwrap();
    assert_eq!(token_requests(&server).await, 1, "still more than half its life left");
    tokio::time::sleep(Duration::from_secs(2)).await;
    client.users().get(&uid()).await.unwrap();
    client.users().get(&uid()).await.unwrap();
    assert_eq!(token_requests(&server).await, 2, "refreshed once, ahead of expiry");

    // A long-lived token is refreshed the configured margin before it expires.
    let server = common::server().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body("tok-long", 86400)))
        .mount(&server)
        .await;
    mount_user(&server).await;
    let client = paused_cc_client(&server).build().unwrap();
    client.users().get(&uid()).await.unwrap();
    tokio::time::sleep(Duration::from_secs(86400 - 301)).await;
    client.users().get(&uid()).await.unwrap();
    assert_eq!(token_requests(&server).await, 1);
    tokio::time::sleep(Duration::from_secs(2)).await;
    client.users().get(&uid()).await.unwrap();
    assert_eq!(token_requests(&server).await, 2);
}

/// Auth0 lets a tenant shorten the Management API token lifetime. With a 3 s token and
/// many callers, mints stay at about one per 1.5 s (it was one per call: 25,673 mints
/// in 15 s).
#[tokio::test(start_paused = true)]
async fn a_three_second_token_is_minted_about_once_per_half_lifetime_however_many_callers() {
    let server = common::server().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body("tok-3s", 3)))
        .mount(&server)
        .await;
    mount_user(&server).await;
    let client = paused_cc_client(&server).build().unwrap();
    let started = tokio::time::Instant::now();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move {
                let mut calls = 0u32;
                while started.elapsed() < Duration::from_secs(60) {
                    c.users().get(&uid()).await.unwrap();
                    calls += 1;
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                calls
            })
        })
        .collect();
    let mut calls = 0;
    for t in tasks {
        calls += t.await.unwrap();
    }
    let mints = token_requests(&server).await;
    assert!(calls > 1000, "{calls} calls");
    println!("{mints} mints for {calls} calls in a minute");
    // 60 s / 1.5 s = 40 refreshes; allow for the first mint and timing slack.
    assert!((20..=45).contains(&mints), "{mints} mints for {calls} calls in a minute");
}

#[tokio::test]
async fn sixty_four_concurrent_first_calls_share_one_mint_even_for_a_short_lifetime() {
    let server = common::server().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(token_body("tok-2s", 2)).set_delay(Duration::from_millis(100)),
        )
        .mount(&server)
        .await;
    mount_user(&server).await;
    let client = cc_client(&server).build().unwrap();
    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.users().get(&uid()).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(token_requests(&server).await, 1);
}

#[tokio::test(start_paused = true)]
async fn a_refresh_failure_ahead_of_expiry_keeps_using_the_valid_token() {
    let server = common::server().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body("tok-a", 100)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(403).set_body_json(json!({"error": "access_denied", "error_description": "nope"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer tok-a"))
        .respond_with(ResponseTemplate::new(200).set_body_json(common::user_json("auth0|1")))
        .mount(&server)
        .await;
    common::catch_all(&server).await;
    let client = paused_cc_client(&server).token_refresh_margin(Duration::from_secs(300)).build().unwrap();
    client.users().get(&uid()).await.unwrap();
    tokio::time::sleep(Duration::from_secs(60)).await;
    // Inside the margin: the refresh fails, the call goes on with the valid token ...
    client.users().get(&uid()).await.unwrap();
    assert_eq!(token_requests(&server).await, 2);
    // ... and the next calls do not hammer the token endpoint.
    for _ in 0..20 {
        client.users().get(&uid()).await.unwrap();
    }
    assert_eq!(token_requests(&server).await, 2);
    tokio::time::sleep(Duration::from_secs(10)).await;
    client.users().get(&uid()).await.unwrap();
    assert_eq!(token_requests(&server).await, 3, "tried again later");
}

/// An unsigned JWT whose `exp` is `offset_s` seconds from now (negative: past).
fn jwt_expiring(offset_s: i64) -> String {
    use base64::Engine as _;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let payload = json!({"scope": "read:users", "exp": now + offset_s}).to_string();
    let p = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload);
    format!("eyJhbGciOiJub25lIn0.{p}.c2ln")
}

#[tokio::test]
async fn an_expired_static_token_is_refused_locally_naming_its_expiry() {
    let server = common::server().await;
    mount_user(&server).await;
    let client = Client::builder().base_url(server.uri()).token(jwt_expiring(-3600)).build().unwrap();
    let err = client.users().get(&uid()).await.unwrap_err();
    let Error::TokenExpired { operation, ago, expired_at } = &err else { panic!("{err:?}") };
    assert_eq!(*operation, "users.get");
    assert!(*ago >= Duration::from_secs(3600) && *ago < Duration::from_secs(3700), "{ago:?}");
    let expected = std::time::SystemTime::now() - Duration::from_secs(3600);
    let skew = expected.duration_since(*expired_at).unwrap_or_else(|e| e.duration());
    assert!(skew < Duration::from_secs(5), "{expired_at:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("access token expired 36")
            && msg.contains("s ago (at ")
            && msg.contains("GMT")
            && msg.contains("nothing was sent"),
        "{msg}"
    );
    assert!(!err.is_retryable());
    assert!(common::api_requests(&server).await.is_empty(), "nothing was sent");

    // Within the clock-skew leeway the server decides.
    let client = Client::builder().base_url(server.uri()).token(jwt_expiring(-10)).build().unwrap();
    client.users().get(&uid()).await.unwrap();
    assert_eq!(common::api_requests(&server).await.len(), 1);
}

#[derive(Debug)]
struct StaleSource;

impl auth0_mgmt::TokenSource for StaleSource {
    fn token(&self) -> futures::future::BoxFuture<'_, auth0_mgmt::Result<auth0_mgmt::AccessToken>> {
        Box::pin(async { Ok(auth0_mgmt::AccessToken::new(jwt_expiring(-600), None, None)) })
    }
}

#[tokio::test]
async fn an_expired_token_from_any_token_source_is_refused() {
    let server = common::server().await;
    mount_user(&server).await;
    let client = Client::builder().base_url(server.uri()).token_source(Arc::new(StaleSource)).build().unwrap();
    let err = client.users().get(&uid()).await.unwrap_err();
    assert!(matches!(err, Error::TokenExpired { .. }), "{err:?}");
    assert!(common::api_requests(&server).await.is_empty());
}

#[tokio::test]
async fn a_401_drops_the_token_remints_once_and_retries_once() {
    let server = common::server().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body("tok-old", 86400)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body("tok-new", 86400)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer tok-old"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"statusCode":401,"error":"Unauthorized","message":"Expired token received for JSON Web Token validation"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer tok-new"))
        .respond_with(ResponseTemplate::new(200).set_body_json(common::user_json("auth0|1")))
        .mount(&server)
        .await;
    let client = cc_client(&server).build().unwrap();
    client.users().get(&uid()).await.unwrap();
    assert_eq!(token_requests(&server).await, 2);
    assert_eq!(common::api_requests(&server).await.len(), 2);
}

/// Old token: a 429 naming 6 s, then a 401. New token: a 429 naming 6 s, then 200.
async fn mount_429_401_429_200(server: &MockServer) {
    let too_many = || {
        ResponseTemplate::new(429).insert_header("retry-after", "6").set_body_json(
            json!({"statusCode":429,"error":"Too Many Requests","message":"Global limit has been reached"}),
        )
    };
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body("tok-old", 86400)))
        .up_to_n_times(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body("tok-new", 86400)))
        .mount(server)
        .await;
    for (token, then) in [
        ("Bearer tok-old", ResponseTemplate::new(401).set_body_json(json!({"statusCode":401,"error":"Unauthorized","message":"Expired token received for JSON Web Token validation"}))),
        ("Bearer tok-new", ResponseTemplate::new(200).set_body_json(common::user_json("auth0|1"))),
    ] {
        Mock::given(method("GET")).and(header("authorization", token)).respond_with(too_many()).up_to_n_times(1).mount(server).await;
        Mock::given(method("GET")).and(header("authorization", token)).respond_with(then).mount(server).await;
    }
}

/// The re-send after a 401 continues the call's budget: the 429 wait before the 401 and
/// the one after it add up (each alone fits in 10 s, both do not).
#[tokio::test(start_paused = true)]
async fn the_resend_after_a_401_continues_the_budget_of_the_call() {
    for (max_total_wait, fits) in [(10, false), (12, true)] {
        let server = common::server().await;
        mount_429_401_429_200(&server).await;
        let client = cc_client(&server)
            .http_client(common::timerless_http())
            .timeout(None)
            .pacer(PacerConfig::disabled())
            .retry(RetryConfig::default().max_total_wait(Duration::from_secs(max_total_wait)))
            .build()
            .unwrap();
        let started = tokio::time::Instant::now();
        let result = client.users().get(&uid()).await;
        assert_eq!(token_requests(&server).await, 2);
        if fits {
            assert!(result.is_ok(), "{result:?}");
            assert_eq!(started.elapsed().as_secs(), 12, "both waits were slept");
            assert_eq!(common::api_requests(&server).await.len(), 4);
        } else {
            let err = result.unwrap_err();
            let Error::WaitTooLong { waiting_for: WaitFor::RateLimit, wait, .. } = &err else { panic!("{err:?}") };
            assert_eq!(*wait, Duration::from_secs(6));
            assert_eq!(started.elapsed().as_secs(), 6, "only the first wait was slept");
            assert_eq!(common::api_requests(&server).await.len(), 3, "old 429, old 401, new 429; nothing more");
        }
    }
}

#[tokio::test]
async fn a_second_401_is_a_typed_error_after_exactly_one_retry() {
    let server = common::server().await;
    let minted = std::sync::atomic::AtomicUsize::new(0);
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(move |_: &wiremock::Request| {
            let n = minted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            ResponseTemplate::new(200).set_body_json(token_body(&format!("tok-{n}"), 86400))
        })
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"statusCode":401,"error":"Unauthorized","message":"Invalid token","attributes":{"error":"Invalid token"}})))
        .mount(&server)
        .await;
    let err = cc_client(&server).build().unwrap().users().get(&uid()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    let api = err.api().unwrap();
    assert_eq!(api.body.attributes.as_ref().unwrap()["error"], "Invalid token");
    // Two requests were sent (the re-send with a fresh token is the second attempt).
    assert_eq!(err.to_string(), "401 Unauthorized: Invalid token [users.get after 2 attempts]");
    assert_eq!(token_requests(&server).await, 2);
    assert_eq!(common::api_requests(&server).await.len(), 2);
}

#[tokio::test]
async fn mint_failures_are_typed_and_no_api_request_is_sent() {
    let cases = [
        (401, json!({"error": "access_denied", "error_description": "Unauthorized"})),
        (401, json!({"error": "invalid_client", "error_description": "Client authentication failed"})),
        (
            403,
            json!({"error": "access_denied", "error_description": "Client is not authorized to access \"https://x/api/v2/\". You need to create a \"client-grant\" associated to this API."}),
        ),
    ];
    for (status, body) in cases {
        let server = common::server().await;
        Mock::given(method("POST"))
            .and(path("/oauth/token"))
            .respond_with(ResponseTemplate::new(status).set_body_json(body.clone()))
            .expect(1)
            .mount(&server)
            .await;
        common::catch_all(&server).await;
        let err = cc_client(&server).build().unwrap().users().get(&uid()).await.unwrap_err();
        let Error::Token(t) = &err else { panic!("expected a token error, got {err:?}") };
        assert_eq!(t.status.map(|s| s.as_u16()), Some(status));
        assert_eq!(t.error.as_deref(), body["error"].as_str());
        assert_eq!(t.error_description.as_deref(), body["error_description"].as_str());
        assert_eq!(err.error_code(), body["error"].as_str());
        assert!(!err.to_string().contains("my-very-secret-secret"));
        assert!(common::api_requests(&server).await.is_empty(), "no API request without a token");
    }
}

#[tokio::test]
async fn the_token_endpoint_is_retried_on_429_and_5xx() {
    let server = common::server().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(503).set_body_string("unavailable"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "0")
                .set_body_json(json!({"error": "too_many_requests", "error_description": "Client quota exceeded"})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body("tok", 86400)))
        .mount(&server)
        .await;
    mount_user(&server).await;
    cc_client(&server).build().unwrap().users().get(&uid()).await.unwrap();
    assert_eq!(token_requests(&server).await, 3);
}

#[tokio::test]
async fn a_malformed_token_response_is_a_typed_error() {
    let server = common::server().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>login</html>"))
        .mount(&server)
        .await;
    let err = cc_client(&server).build().unwrap().users().get(&uid()).await.unwrap_err();
    assert!(matches!(err, Error::Token(_)), "{err:?}");
    assert!(common::api_requests(&server).await.is_empty());
}

#[derive(Debug)]
struct CountingSource(std::sync::atomic::AtomicUsize);

impl auth0_mgmt::TokenSource for CountingSource {
    fn token(&self) -> futures::future::BoxFuture<'_, auth0_mgmt::Result<auth0_mgmt::AccessToken>> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Box::pin(async {
            Ok(auth0_mgmt::AccessToken::new("shared-token", None, Some(["read:users"].into_iter().collect())))
        })
    }
}

#[tokio::test]
async fn a_custom_token_source_is_used_for_every_call() {
    let server = common::server().await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer shared-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(common::user_json("auth0|1")))
        .expect(2)
        .mount(&server)
        .await;
    common::catch_all(&server).await;
    let source = Arc::new(CountingSource(Default::default()));
    let client = Client::builder().base_url(server.uri()).token_source(source.clone()).build().unwrap();
    client.users().get(&uid()).await.unwrap();
    client.users().get(&uid()).await.unwrap();
    assert_eq!(source.0.load(std::sync::atomic::Ordering::SeqCst), 2);
    assert_eq!(token_requests(&server).await, 0);
}

#[tokio::test]
async fn a_caller_supplied_http_client_is_used_for_token_and_api_calls() {
    let server = common::server().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(header("x-corp-proxy", "yes"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body("tok", 86400)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("x-corp-proxy", "yes"))
        .respond_with(ResponseTemplate::new(200).set_body_json(common::user_json("auth0|1")))
        .expect(1)
        .mount(&server)
        .await;
    common::catch_all(&server).await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-corp-proxy", "yes".parse().unwrap());
    let http = reqwest::Client::builder().default_headers(headers).build().unwrap();
    let client = cc_client(&server).http_client(http).telemetry(false).build().unwrap();
    client.users().get(&uid()).await.unwrap();
    let reqs = server.received_requests().await.unwrap();
    assert!(reqs.iter().all(|r| r.headers.get("auth0-client").is_none()), "telemetry opt-out");
}

#[tokio::test]
async fn a_static_token_rejected_with_401_is_not_resent() {
    let server = common::server().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"statusCode":401,"error":"Unauthorized","message":"Invalid token"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = common::client(&server).users().get(&uid()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
}

#[tokio::test]
async fn calls_queued_behind_a_failed_mint_share_its_failure() {
    let server = common::server().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(503).set_body_string("down").set_delay(Duration::from_millis(50)))
        .mount(&server)
        .await;
    common::catch_all(&server).await;
    let client = cc_client(&server).build().unwrap();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.users().get(&uid()).await })
        })
        .collect();
    for t in tasks {
        let err = t.await.unwrap().unwrap_err();
        let Error::Token(t) = &err else { panic!("{err:?}") };
        assert_eq!(t.status.map(|s| s.as_u16()), Some(503), "{err}");
        assert!(err.is_retryable());
    }
    // One flight: 1 try + 3 retries, not 16 × 4.
    assert_eq!(token_requests(&server).await, 4);
    assert!(common::api_requests(&server).await.is_empty());
}
