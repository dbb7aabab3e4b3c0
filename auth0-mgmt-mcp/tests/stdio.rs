//! The built binary: `stdio` driven by rmcp's client over the child's stdin/stdout, with
//! the tenant reached through `AUTH0_MGMT_BASE_URL` (the fake tenant in this process);
//! `--fake`; `tools`; and the refusals to start, each one line.

mod common;

use std::process::Stdio;

use auth0_mgmt_fake::{FakeTenant, Seed};
use common::*;
use rmcp::ServiceExt;
use rmcp::transport::TokioChildProcess;
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;
use tokio::process::Command;

fn gateway_command(tenant: &FakeTenant, args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_clear()
        .env("AUTH0_MGMT_BASE_URL", tenant.base_url())
        .env("AUTH0_CLIENT_ID", tenant.client_id())
        .env("AUTH0_CLIENT_SECRET", tenant.client_secret())
        .env("RUST_LOG", "trace");
    cmd
}

#[tokio::test]
async fn stdio_session_against_a_tenant_from_the_environment() {
    let tenant = FakeTenant::builder().seed(Seed::empty().users(3)).start().await.unwrap();
    let user = tenant.insert_user(json!({"user_id": "auth0|bob", "email": "bob@example.com"}));
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let policy = policy_path();
    let cmd = gateway_command(
        &tenant,
        &["stdio", "--policy", &policy, "--agent", "reader", "--audit", audit.to_str().unwrap()],
    );
    let (transport, stderr) = TokioChildProcess::builder(cmd).stderr(Stdio::piped()).spawn().unwrap();
    let mut stderr = stderr.unwrap();
    let log = tokio::spawn(async move {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s).await;
        s
    });
    let client = ().serve(transport).await.unwrap();

    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.iter().all(|t| t.annotations.as_ref().unwrap().read_only_hint == Some(true)));
    let r = call(&client, "users_get", json!({"id": user})).await;
    assert!(!is_error(&r), "{}", text(&r));
    assert_eq!(structured(&r)["email"], "bob@example.com");
    let before = tenant.requests().len();
    let denied = call(&client, "users_delete", json!({"id": user})).await;
    assert!(is_error(&denied));
    let refused = call(&client, "users_get", json!({"id": user, "extra": 1})).await;
    assert_eq!(structured(&refused)["error"]["code"], "invalid_arguments");
    assert_eq!(tenant.requests().len(), before, "the denied and refused calls sent nothing");
    assert!(tenant.user(&user).is_some());
    client.cancel().await.unwrap();
    let log = log.await.unwrap();

    let audit = std::fs::read_to_string(&audit).unwrap();
    let records: Vec<Value> = audit.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let codes: Vec<&str> = records.iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["allowed", "tool_not_granted", "invalid_arguments"]);
    assert!(records.iter().all(|r| r["agent"] == "reader"));
    // Nothing secret in the logs (at trace level) or the audit file.
    assert!(log.len() > 100, "the gateway logged: {log}");
    for out in [&log, &audit] {
        assert!(!out.contains(tenant.client_secret()), "client secret in output");
        assert!(!out.contains("eyJ"), "an access token in output");
        assert!(!out.contains(READER_KEY) && !out.contains(WRITER_KEY), "an agent key in output");
    }
}

#[tokio::test]
async fn stdio_with_the_built_in_fake_tenant() {
    let policy = policy_path();
    let mut cmd = Command::new(BIN);
    cmd.args(["stdio", "--policy", &policy, "--agent", "writer", "--fake"]).env_clear();
    let (transport, _) = TokioChildProcess::builder(cmd).stderr(Stdio::null()).spawn().unwrap();
    let client = ().serve(transport).await.unwrap();
    let r = call(&client, "users_list", json!({"per_page": 5})).await;
    assert!(!is_error(&r), "{}", text(&r));
    let st = structured(&r);
    assert_eq!(st["users"].as_array().unwrap().len(), 5);
    assert_eq!(st["next"], 1);
    let id = st["users"][0]["user_id"].as_str().unwrap().to_owned();
    let r = call(&client, "users_update", json!({"id": id, "nickname": "demo"})).await;
    assert!(!is_error(&r), "{}", text(&r));
    assert_eq!(structured(&r)["nickname"], "demo");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn tools_prints_the_tool_list_as_json() {
    let out =
        Command::new(BIN).args(["tools", "--policy", &policy_path(), "--agent", "reader"]).output().await.unwrap();
    assert!(out.status.success());
    let tools: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"users_get") && !names.contains(&"users_update"), "{names:?}");
    for t in &tools {
        assert_eq!(t["inputSchema"]["type"], "object");
        assert_eq!(t["annotations"]["readOnlyHint"], true);
        assert!(t["description"].as_str().unwrap().len() > 40);
    }
}

async fn refusal(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env_clear().envs(env.iter().copied()).stdin(Stdio::null());
    let out = cmd.output().await.unwrap();
    assert!(!out.status.success(), "{args:?} started");
    assert!(out.stdout.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&out.stdout));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    err
}

#[tokio::test]
async fn refuses_to_start_with_a_one_line_reason() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "schema_version = 1\n[agents.a]\nresources = { Users = \"read\" }\n").unwrap();
    let bad = bad.to_str().unwrap();
    let keyless = dir.path().join("keyless.toml");
    std::fs::write(&keyless, format!("{POLICY}\n[agents.keyless]\nresources = {{ users = \"read\" }}\n")).unwrap();
    let keyless = keyless.to_str().unwrap();
    let policy = policy_path();
    let creds =
        [("AUTH0_DOMAIN", "acme.auth0.com"), ("AUTH0_CLIENT_ID", "id"), ("AUTH0_CLIENT_SECRET", "super-secret-value")];

    let e = refusal(&["stdio", "--policy", bad, "--agent", "a"], &creds).await;
    assert!(e.contains("the policy did not load") && e.contains("line 3") && e.contains("did you mean `users`"), "{e}");
    let e = refusal(&["stdio", "--policy", "/nonexistent.toml", "--agent", "a"], &creds).await;
    assert!(e.contains("could not read policy file"), "{e}");
    let e = refusal(&["stdio", "--policy", &policy, "--agent", "nobody"], &creds).await;
    assert!(e.contains("no agent `nobody`"), "{e}");
    let e = refusal(&["http", "--policy", keyless, "--listen", "127.0.0.1:0"], &creds).await;
    assert!(e.contains("agent `keyless` has no key_sha256"), "{e}");
    let e = refusal(&["stdio", "--policy", &policy, "--agent", "reader"], &[]).await;
    assert!(e.contains("AUTH0_CLIENT_ID is not set"), "{e}");
    let plain = [("AUTH0_MGMT_BASE_URL", "http://auth0.example.com"), creds[1], creds[2]];
    let e = refusal(&["stdio", "--policy", &policy, "--agent", "reader"], &plain).await;
    assert!(e.contains("plain http") && !e.contains("super-secret-value"), "{e}");
    let e = refusal(&["tools", "--policy", &policy, "--agent", "x\u{1b}[2J"], &[]).await;
    assert!(!e.contains('\u{1b}'), "sanitized: {e:?}");
}

#[tokio::test]
async fn http_serves_several_agents_from_the_binary() {
    let tenant = FakeTenant::builder().seed(Seed::empty()).start().await.unwrap();
    let policy = policy_path();
    // With an agent under `approve`, the approval store is opened beside the audit file.
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let args = ["http", "--policy", &policy, "--listen", "127.0.0.1:0", "--audit", audit.to_str().unwrap()];
    let mut cmd = gateway_command(&tenant, &args);
    cmd.env("RUST_LOG", "warn").stdout(Stdio::piped()).stderr(Stdio::null()).kill_on_drop(true);
    let mut child = cmd.spawn().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while stdout.read(&mut byte).await.unwrap() == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    let line = String::from_utf8(line).unwrap();
    let url = line.strip_prefix("listening on ").unwrap_or_else(|| panic!("{line}")).to_owned();
    assert!(dir.path().join("approvals.sqlite").exists());
    // A client builder installs the TLS crypto provider reqwest needs (feature
    // `rustls-ring`), before this test builds its own reqwest client.
    let _ = auth0_mgmt::Client::builder();
    let http = auth0_mgmt::reqwest::Client::new();
    let status = http.post(&url).header("authorization", "Bearer nope").send().await.unwrap().status();
    assert_eq!(status, 401);
    use rmcp::transport::StreamableHttpClientTransport;
    use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
    let reader = ().serve(StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(url.clone()).auth_header(READER_KEY),
    ));
    let writer = ().serve(StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(url.clone()).auth_header(WRITER_KEY),
    ));
    let (reader, writer) = tokio::join!(reader, writer);
    let (reader, writer) = (reader.unwrap(), writer.unwrap());
    let r = call(&reader, "roles_list", json!({})).await;
    let w = call(&writer, "roles_create", json!({"name": "auditors"})).await;
    assert!(!is_error(&r) && !is_error(&w), "{} / {}", text(&r), text(&w));
    assert_eq!(structured(&w)["name"], "auditors");
    let denied = call(&reader, "roles_create", json!({"name": "sneaky"})).await;
    assert!(is_error(&denied));
    let creates = tenant.requests().into_iter().filter(|r| r.method == "POST" && r.path == "/api/v2/roles").count();
    assert_eq!(creates, 1);
    child.kill().await.unwrap();
}
