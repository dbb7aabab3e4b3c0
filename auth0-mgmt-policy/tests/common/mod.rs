//! Shared helpers: mock servers, JWT-shaped tokens, guarded clients.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use auth0_mgmt::{Client, RetryConfig, catalog};
use auth0_mgmt_policy::{AuditSink, GuardedClient, MemorySink, Policy};
use base64::Engine as _;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// An unsigned JWT-shaped token whose payload carries `scope`.
pub fn jwt(scope: &str) -> String {
    let payload = serde_json::json!({ "scope": scope, "sub": "test@clients" }).to_string();
    let p = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload);
    format!("eyJhbGciOiJub25lIn0.{p}.c2ln")
}

/// Every scope any catalog operation requires, space separated.
pub fn all_scopes() -> String {
    let set: BTreeSet<&str> = catalog::ALL.iter().flat_map(|op| op.scopes.iter().copied()).collect();
    set.into_iter().collect::<Vec<_>>().join(" ")
}

/// A fresh mock server.
pub async fn server() -> MockServer {
    MockServer::builder().start().await
}

/// Answers every request with 200 `{"user_id":"auth0|u1"}` (lowest priority; decodes as a user too).
pub async fn ok_everything(server: &MockServer) {
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"user_id": "auth0|u1"})))
        .with_priority(u8::MAX)
        .mount(server)
        .await;
}

/// A client aimed at `server` with a JWT carrying `scopes`.
pub fn client_with_scopes(server: &MockServer, scopes: &str) -> Client {
    Client::builder()
        .base_url(server.uri())
        .token(jwt(scopes))
        .retry(RetryConfig::default().backoff(Duration::from_millis(1), Duration::from_millis(2)))
        .build()
        .expect("client")
}

/// A client with every scope.
pub fn client(server: &MockServer) -> Client {
    client_with_scopes(server, &all_scopes())
}

/// A guarded client for `agent` under the policy text, auditing to a fresh memory sink.
pub fn guarded(client: &Client, policy: &str, agent: &str) -> (GuardedClient, Arc<MemorySink>) {
    let policy = Arc::new(Policy::from_toml(policy).expect("policy loads"));
    let sink = Arc::new(MemorySink::new());
    let g = GuardedClient::new(client, policy, agent, sink.clone() as Arc<dyn AuditSink>);
    (g, sink)
}

/// Management API requests received so far.
pub async fn api_requests(server: &MockServer) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path().starts_with("/api/v2"))
        .collect()
}

/// The deny code of an error (panics on anything but a denial).
pub fn code(r: &auth0_mgmt::Result<serde_json::Value>) -> String {
    match r {
        Err(e) => e.denial().unwrap_or_else(|| panic!("not a denial: {e}")).code.clone(),
        Ok(v) => panic!("allowed: {v}"),
    }
}
