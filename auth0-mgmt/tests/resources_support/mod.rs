//! Shared helpers for the resource wire tests: a mock server per test, a client that
//! talks only to it, a loud catch-all, exact request assertions, and access to the
//! in-repository test data (`tests/data`).
#![allow(dead_code)]

use std::path::PathBuf;

use auth0_mgmt::{Client, RetryConfig};
use serde_json::Value;
use wiremock::matchers::{any, method, path};
use wiremock::{Match, Mock, MockServer, ResponseTemplate};

/// Matches when the query has exactly these pairs (in any order), nothing more.
pub struct ExactQuery(Vec<(String, String)>);

impl ExactQuery {
    /// The expected pairs.
    pub fn new(query: &[(&str, &str)]) -> Self {
        let mut q: Vec<(String, String)> = query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        q.sort();
        ExactQuery(q)
    }
}

impl Match for ExactQuery {
    fn matches(&self, request: &wiremock::Request) -> bool {
        let mut got: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
        got.sort();
        got == self.0
    }
}

/// A client for `server` with a static token and no retries (a 599 from the catch-all
/// must fail at once, not be retried).
pub fn client(server: &MockServer) -> Client {
    Client::builder().base_url(server.uri()).token("test-token").retry(RetryConfig::disabled()).build().unwrap()
}

/// Like [`client`], for `start_paused` tests: no per-request timeout and no idle-pool
/// timer, so the paused clock only moves for the code under test (tokio auto-advances
/// to the next timer whenever the runtime waits on the mock server's socket).
pub fn paused_client(server: &MockServer) -> Client {
    let http = reqwest::Client::builder().pool_idle_timeout(None).build().unwrap();
    Client::builder()
        .http_client(http)
        .base_url(server.uri())
        .token("test-token")
        .retry(RetryConfig::disabled())
        .timeout(None)
        .build()
        .unwrap()
}

/// Mounts the catch-all: anything not matched by an earlier mock gets a 599 that
/// names itself. Mount it LAST.
pub async fn catch_all(server: &MockServer) {
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(599).set_body_string("unmatched request: no mock for this method, path and query"),
        )
        .with_priority(u8::MAX)
        .mount(server)
        .await;
}

/// Mounts a mock for exactly `method` + raw (encoded) `path` + every query pair,
/// expected to be called once.
pub async fn expect(
    server: &MockServer,
    http_method: &str,
    raw_path: &str,
    query: &[(&str, &str)],
    response: ResponseTemplate,
) {
    expect_n(server, 1, http_method, raw_path, query, response).await
}

/// Like [`expect`], expected `times` times.
pub async fn expect_n(
    server: &MockServer,
    times: u64,
    http_method: &str,
    raw_path: &str,
    query: &[(&str, &str)],
    response: ResponseTemplate,
) {
    Mock::given(method(http_method))
        .and(path(raw_path))
        .and(ExactQuery::new(query))
        .respond_with(response)
        .expect(times)
        .mount(server)
        .await;
}

/// A JSON response.
pub fn json(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).insert_header("content-type", "application/json; charset=utf-8").set_body_json(body)
}

/// An empty response (204, or 202 without body).
pub fn empty(status: u16) -> ResponseTemplate {
    ResponseTemplate::new(status).insert_header("content-type", "application/json; charset=utf-8")
}

/// The only request the server received.
pub async fn only_request(server: &MockServer) -> wiremock::Request {
    let mut all = server.received_requests().await.expect("recording is on");
    assert_eq!(all.len(), 1, "expected exactly one request, got {all:#?}");
    all.remove(0)
}

/// Asserts method, raw path, the exact (unordered) query and the JSON body (`None`:
/// no body at all).
pub fn assert_request(
    req: &wiremock::Request,
    http_method: &str,
    raw_path: &str,
    query: &[(&str, &str)],
    body: Option<Value>,
) {
    assert_eq!(req.method.as_str(), http_method, "method");
    assert_eq!(req.url.path(), raw_path, "path");
    let mut got: Vec<(String, String)> = req.url.query_pairs().into_owned().collect();
    got.sort();
    let mut want: Vec<(String, String)> = query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    want.sort();
    assert_eq!(got, want, "query of {}", req.url);
    match body {
        None => assert!(req.body.is_empty(), "expected no body, got {:?}", String::from_utf8_lossy(&req.body)),
        Some(b) => {
            let got: Value = serde_json::from_slice(&req.body).expect("JSON body");
            assert_eq!(got, b, "body");
        }
    }
    assert_eq!(req.headers.get("authorization").and_then(|v| v.to_str().ok()), Some("Bearer test-token"));
}

/// The in-repository test data: `tests/data/<operation>.json`, a list of examples
/// `{"name", "status", "request_body"?, "response_body"}` written from the API reference.
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// The examples of one operation.
pub fn interactions(op: &str) -> Vec<Value> {
    let path = data_dir().join(format!("{op}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("test data {} missing: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The first response body of `op` with `status` in the test data.
pub fn recorded(op: &str, status: u16) -> Value {
    interactions(op)
        .into_iter()
        .find(|i| i["status"] == status && !i["response_body"].is_null())
        .unwrap_or_else(|| panic!("no {status} body in the test data of {op}"))["response_body"]
        .clone()
}
