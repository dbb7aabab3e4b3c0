//! Shared test setup: a fake tenant on loopback, the test policy, a gateway, and an rmcp
//! client connected to an agent's server in process.
#![allow(dead_code)]

use std::sync::Arc;

use auth0_mgmt::Client;
use auth0_mgmt_fake::{FakeTenant, Seed};
use auth0_mgmt_mcp::{AgentServer, Gateway};
use auth0_mgmt_policy::{AuditRecord, MemorySink, Policy};
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::{RoleClient, ServiceExt};
use serde_json::Value;

/// The test policy (agents `reader` and `writer`; see the file).
pub const POLICY: &str = include_str!("../data/policy.toml");
pub const READER_KEY: &str = "reader-key-0123456789abcdef";
pub const WRITER_KEY: &str = "writer-key-fedcba9876543210";

pub struct Setup {
    pub tenant: FakeTenant,
    pub gateway: Gateway,
    pub sink: Arc<MemorySink>,
    pub user: String,
}

impl Setup {
    /// Requests the tenant received under `/api/v2` (token calls excluded).
    pub fn api_requests(&self) -> Vec<(String, String)> {
        self.tenant
            .requests()
            .into_iter()
            .filter(|r| r.path.starts_with("/api/v2"))
            .map(|r| (r.method, r.path))
            .collect()
    }

    /// The outcome records (one per call, allowed or denied).
    pub fn records(&self) -> Vec<AuditRecord> {
        self.sink.outcomes()
    }

    /// Every record, write-ahead intent records included.
    pub fn all_records(&self) -> Vec<AuditRecord> {
        self.sink.records()
    }
}

pub async fn setup_with(policy: &str, seed: Seed) -> Setup {
    let tenant = FakeTenant::builder().seed(seed).start().await.unwrap();
    let user = tenant
        .insert_user(serde_json::json!({"user_id": "auth0|alice", "email": "alice@example.com", "name": "Alice"}));
    tenant.insert_role(serde_json::json!({"id": "rol_Support", "name": "Support"}));
    tenant.insert_role(serde_json::json!({"id": "rol_Admin", "name": "Admin"}));
    let client = Client::builder()
        .base_url(tenant.base_url())
        .client_credentials(tenant.client_id(), tenant.client_secret())
        .build()
        .unwrap();
    let policy = Arc::new(Policy::from_toml(policy).unwrap());
    let sink = Arc::new(MemorySink::new());
    let gateway = Gateway::new(client, policy, sink.clone()).with_secrets([tenant.client_secret().to_owned()]);
    Setup { tenant, gateway, sink, user }
}

pub async fn setup() -> Setup {
    setup_with(POLICY, Seed::empty().users(120)).await
}

/// An rmcp client talking to `agent`'s server over an in-process duplex pipe.
pub async fn connect(gateway: &Gateway, agent: &str) -> RunningService<RoleClient, ()> {
    let server = AgentServer::new(gateway.agent(agent).unwrap());
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    ().serve(client_io).await.unwrap()
}

pub async fn call(client: &RunningService<RoleClient, ()>, tool: &str, args: Value) -> CallToolResult {
    let Value::Object(args) = args else { panic!("arguments must be an object") };
    client.call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(args)).await.unwrap()
}

pub fn is_error(r: &CallToolResult) -> bool {
    r.is_error == Some(true)
}

pub fn structured(r: &CallToolResult) -> &Value {
    r.structured_content.as_ref().expect("structured content")
}

pub fn text(r: &CallToolResult) -> String {
    r.content.iter().filter_map(|c| c.as_text().map(|t| t.text.clone())).collect::<Vec<_>>().join("\n")
}

/// The gateway binary this test run built.
pub const BIN: &str = env!("CARGO_BIN_EXE_auth0-mgmt-mcp");

/// The test policy file (`tests/data/policy.toml`).
pub fn policy_path() -> String {
    format!("{}/tests/data/policy.toml", env!("CARGO_MANIFEST_DIR"))
}

/// Runs the gateway binary with `args` and only `env` in its environment, stdin closed.
pub async fn cli<K: AsRef<std::ffi::OsStr>, V: AsRef<std::ffi::OsStr>>(
    args: &[&str],
    env: impl IntoIterator<Item = (K, V)>,
) -> std::process::Output {
    tokio::process::Command::new(BIN)
        .args(args)
        .env_clear()
        .envs(env)
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap()
}

/// How many `DELETE` requests for `path` the tenant received.
pub fn deletes(tenant: &FakeTenant, path: &str) -> usize {
    tenant.requests().into_iter().filter(|r| r.method == "DELETE" && r.path == path).count()
}
