//! MCP over streamable HTTP on a loopback port, with rmcp's own HTTP client: bearer keys
//! checked against `key_sha256`, 401 before any MCP handling, several agents at once,
//! each with its own tools.

mod common;

use std::net::SocketAddr;

use auth0_mgmt_mcp::http::{HttpGateway, HttpOptions, UNAUTHENTICATED, UNAUTHENTICATED_RECORDS_PER_MINUTE};
use auth0_mgmt_mcp::{Gateway, SetupError};
use auth0_mgmt_policy::AuditDecision;
use common::*;
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{RoleClient, ServiceExt};
use serde_json::json;
use tokio::sync::oneshot;

async fn serve(gateway: &Gateway) -> (SocketAddr, oneshot::Sender<()>) {
    let http = HttpGateway::new(gateway, HttpOptions::default()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(http.serve(listener, async {
        let _ = stopped.await;
    }));
    (addr, stop)
}

async fn connect_http(addr: SocketAddr, key: &str) -> RunningService<RoleClient, ()> {
    let config = StreamableHttpClientTransportConfig::with_uri(format!("http://{addr}/mcp")).auth_header(key);
    ().serve(StreamableHttpClientTransport::from_config(config)).await.unwrap()
}

fn initialize_body() -> serde_json::Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "raw", "version": "0"}}})
}

#[tokio::test]
async fn a_wrong_or_missing_key_gets_401_before_any_mcp_handling() {
    let s = setup().await;
    let (addr, _stop) = serve(&s.gateway).await;
    let http = auth0_mgmt::reqwest::Client::new();
    let url = format!("http://{addr}/mcp");
    for auth in [None, Some("Bearer wrong-key"), Some("Bearer "), Some("Basic cmVhZGVyOng="), Some(READER_KEY)] {
        let mut req = http
            .post(&url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(initialize_body().to_string());
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 401, "{auth:?}");
        assert!(resp.headers().get("www-authenticate").is_some());
        let body = resp.text().await.unwrap();
        assert!(!body.contains("jsonrpc"), "no MCP answer: {body}");
    }
    let rec = s.records();
    assert_eq!(rec.len(), 5);
    for r in &rec {
        assert_eq!(
            (r.agent.as_str(), &*r.code, r.decision),
            (UNAUTHENTICATED, "unauthenticated", AuditDecision::Denied)
        );
        assert!(!r.message.contains("wrong-key") && !r.message.contains(READER_KEY), "{}", r.message);
        // A connection refused before any MCP handling, as a call of its own.
        assert_eq!((r.operation, r.resource), ("mcp.connect", "mcp"), "{}", r.message);
        assert!(!r.call_id.is_empty(), "{}", r.message);
        let json = serde_json::to_string(r).unwrap();
        for secret in ["wrong-key", READER_KEY, "cmVhZGVyOng=", s.tenant.client_secret()] {
            assert!(!json.contains(secret), "key material in {json}");
        }
    }
    let mut ids: Vec<&str> = rec.iter().map(|r| r.call_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), rec.len(), "every refusal has its own call id");
    // The right key works; another path is not MCP.
    let ok = http
        .post(&url)
        .header("authorization", format!("Bearer {READER_KEY}"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(initialize_body().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let other = http.post(format!("http://{addr}/other")).send().await.unwrap();
    assert_eq!(other.status(), 404);
    assert_eq!(s.tenant.requests().len(), 0);
}

#[tokio::test]
async fn two_agents_with_different_keys_at_once() {
    let s = setup().await;
    let (addr, _stop) = serve(&s.gateway).await;
    let (reader, writer) = tokio::join!(connect_http(addr, READER_KEY), connect_http(addr, WRITER_KEY));
    let (rt, wt) = tokio::join!(reader.list_all_tools(), writer.list_all_tools());
    let rt: Vec<String> = rt.unwrap().into_iter().map(|t| t.name.into_owned()).collect();
    let wt: Vec<String> = wt.unwrap().into_iter().map(|t| t.name.into_owned()).collect();
    assert!(!rt.contains(&"users_update".to_owned()) && wt.contains(&"users_update".to_owned()), "{rt:?} {wt:?}");

    let (r1, w1) = tokio::join!(
        call(&reader, "users_update", json!({"id": s.user, "nickname": "by-reader"})),
        call(&writer, "users_update", json!({"id": s.user, "nickname": "by-writer"})),
    );
    assert!(is_error(&r1) && structured(&r1)["error"]["code"] == "tool_not_granted", "{}", text(&r1));
    assert!(!is_error(&w1), "{}", text(&w1));
    assert_eq!(s.tenant.user(&s.user).unwrap()["nickname"], "by-writer");
    let writes: Vec<_> = s.api_requests().into_iter().filter(|(m, _)| m == "PATCH").collect();
    assert_eq!(writes.len(), 1, "only the writer's update was sent");
    // Each record carries the agent that authenticated.
    let mut by_agent: Vec<(String, String)> = s.records().into_iter().map(|r| (r.agent, r.code.into_owned())).collect();
    by_agent.sort();
    assert_eq!(
        by_agent,
        [("reader".to_owned(), "tool_not_granted".to_owned()), ("writer".to_owned(), "allowed".to_owned())]
    );
}

/// A flood of bad keys cannot fill the audit trail: past the per-minute limit, refusals
/// are counted, not recorded one by one (each still answered 401).
#[tokio::test]
async fn a_flood_of_bad_keys_is_audited_up_to_the_limit() {
    let s = setup().await;
    let (addr, _stop) = serve(&s.gateway).await;
    let http = auth0_mgmt::reqwest::Client::new();
    let url = format!("http://{addr}/mcp");
    let sent = UNAUTHENTICATED_RECORDS_PER_MINUTE as usize + 15;
    let started = std::time::Instant::now();
    for i in 0..sent {
        let resp = http.post(&url).header("authorization", format!("Bearer flood-{i}")).send().await.unwrap();
        assert_eq!(resp.status(), 401);
    }
    let records = s.records().len();
    if started.elapsed() < std::time::Duration::from_secs(60) {
        assert_eq!(records, UNAUTHENTICATED_RECORDS_PER_MINUTE as usize, "{sent} refusals in under a minute");
    } else {
        assert!(records < sent, "{records} records for {sent} refusals");
    }
}

#[tokio::test]
async fn a_session_cannot_be_used_with_another_agents_key() {
    let s = setup().await;
    let (addr, _stop) = serve(&s.gateway).await;
    let http = auth0_mgmt::reqwest::Client::new();
    let url = format!("http://{addr}/mcp");
    let init = http
        .post(&url)
        .header("authorization", format!("Bearer {WRITER_KEY}"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(initialize_body().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(init.status(), 200);
    let session = init.headers().get("mcp-session-id").expect("a session id").to_str().unwrap().to_owned();
    drop(init);
    let post = |key: &str, body: &serde_json::Value| {
        http.post(&url)
            .header("authorization", format!("Bearer {key}"))
            .header("mcp-session-id", &session)
            .header("mcp-protocol-version", "2025-06-18")
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(body.to_string())
            .send()
    };
    // The writer completes the handshake: the session is ready for calls.
    let initialized =
        post(WRITER_KEY, &json!({"jsonrpc": "2.0", "method": "notifications/initialized"})).await.unwrap();
    assert!(initialized.status().is_success(), "{}", initialized.status());
    // The reader presents the writer's session id: the reader's service does not know it.
    let call = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {"name": "users_update", "arguments": {"id": s.user, "nickname": "hijack"}}});
    let resp = post(READER_KEY, &call).await.unwrap();
    assert!(resp.status().is_client_error(), "{}", resp.status());
    let _ = resp.text().await;
    assert_eq!(s.tenant.requests().len(), 0);
    // The same request with the writer's own key runs: the session was usable, and only
    // the other agent's key was refused.
    let resp = post(WRITER_KEY, &call).await.unwrap();
    assert_eq!(resp.status(), 200);
    let _ = resp.text().await.unwrap();
    let sent: Vec<_> = s.tenant.requests().into_iter().filter(|r| r.method == "PATCH").collect();
    assert_eq!(sent.len(), 1, "{sent:?}");
}

#[tokio::test]
async fn http_refuses_an_agent_without_a_key() {
    let policy = format!("{POLICY}\n[agents.keyless]\nresources = {{ users = \"read\" }}\n");
    let s = setup_with(&policy, auth0_mgmt_fake::Seed::empty()).await;
    let e = HttpGateway::new(&s.gateway, HttpOptions::default()).unwrap_err();
    assert_eq!(e, SetupError::NoKey("keyless".into()));
    assert_eq!(e.to_string(), "agent `keyless` has no key_sha256 in the policy; over HTTP every agent needs one");
}
