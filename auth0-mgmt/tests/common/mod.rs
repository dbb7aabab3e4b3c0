//! Shared test helpers: loopback mock servers and clients pointed at them.
#![allow(dead_code)]

use auth0_mgmt::{Client, ClientBuilder, RetryConfig};
use base64::Engine as _;
use std::time::Duration;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A builder aimed at `server` with a static token and fast retries.
pub fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(server.uri())
        .token(jwt("read:users create:users update:users delete:users"))
        .retry(RetryConfig::default().backoff(Duration::from_millis(1), Duration::from_millis(5)))
}

/// A client for paused-clock tests: no request/connect timers that auto-advance could fire.
pub fn paused_builder(server: &MockServer) -> ClientBuilder {
    builder(server).http_client(timerless_http()).timeout(None)
}

/// A reqwest client with no timers at all (no connect timeout, no idle-pool reaper):
/// under a paused clock, tokio auto-advances to the next timer while a request waits on
/// loopback I/O, so the only timers must be the ones a test is about.
pub fn timerless_http() -> reqwest::Client {
    reqwest::Client::builder().pool_idle_timeout(None).build().expect("http client")
}

pub fn client(server: &MockServer) -> Client {
    builder(server).build().expect("client")
}

/// An unsigned JWT-shaped token whose payload carries `scope`.
pub fn jwt(scope: &str) -> String {
    let payload = serde_json::json!({ "scope": scope, "sub": "test@clients" }).to_string();
    let p = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload);
    format!("eyJhbGciOiJub25lIn0.{p}.c2ln")
}

/// Mounted last: any request no other mock matched fails loudly.
pub async fn catch_all(server: &MockServer) {
    Mock::given(any())
        .respond_with(|req: &wiremock::Request| {
            ResponseTemplate::new(418).set_body_string(format!("unexpected request: {} {}", req.method, req.url))
        })
        .with_priority(u8::MAX)
        .mount(server)
        .await;
}

/// Requests the server received whose path starts with `/api/v2`.
pub async fn api_requests(server: &MockServer) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path().starts_with("/api/v2"))
        .collect()
}

/// A realistic user body.
pub fn user_json(id: &str) -> serde_json::Value {
    serde_json::json!({
        "user_id": id,
        "email": "chuck520@example.com",
        "email_verified": true,
        "identities": [{"connection": "Username-Password-Authentication", "user_id": "63d17c4c5d69f3e86d515d1c", "provider": "auth0", "isSocial": false}],
        "app_metadata": {"facts": ["count_to_infinity_twice"]},
        "created_at": "2023-01-25T19:00:28.395Z",
        "brand_new_field": {"kept": true}
    })
}

/// A fresh (not pooled) mock server: a pooled one can still receive a request that an
/// earlier test left in flight, which would be counted against the next test.
pub async fn server() -> MockServer {
    MockServer::builder().start().await
}
