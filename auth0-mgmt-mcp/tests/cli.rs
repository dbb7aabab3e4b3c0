//! The human side on the command line: `approvals list | approve | deny` against the
//! approval store of a running gateway (both binaries, the store found by default
//! beside the audit file), and `audit verify` on the chain both processes appended to —
//! intact, then tampered with.

mod common;

use std::path::Path;
use std::process::{Output, Stdio};

use auth0_mgmt_fake::{FakeTenant, Seed};
use common::*;
use rmcp::ServiceExt;
use rmcp::transport::TokioChildProcess;
use serde_json::{Value, json};
use tokio::process::Command;

/// The gateway binary with `args` and exactly `env`.
async fn cli(args: &[&str], env: &[(&str, &str)]) -> Output {
    common::cli(args, env.iter().copied()).await
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test]
async fn approvals_decided_on_the_command_line_reach_the_running_gateway() {
    let tenant = FakeTenant::builder().seed(Seed::empty()).start().await.unwrap();
    let alice = tenant.insert_user(json!({"user_id": "auth0|alice", "email": "alice@example.com"}));
    let bob = tenant.insert_user(json!({"user_id": "auth0|bob", "email": "bob@example.com"}));
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let audit_s = audit.to_str().unwrap();
    let policy = policy_path();

    // The gateway over stdio, its approval store by default beside the audit file.
    let mut cmd = Command::new(BIN);
    cmd.args(["stdio", "--policy", &policy, "--agent", "cleaner", "--audit", audit_s])
        .env_clear()
        .env("AUTH0_MGMT_BASE_URL", tenant.base_url())
        .env("AUTH0_CLIENT_ID", tenant.client_id())
        .env("AUTH0_CLIENT_SECRET", tenant.client_secret());
    let (transport, _) = TokioChildProcess::builder(cmd).stderr(Stdio::null()).spawn().unwrap();
    let client = ().serve(transport).await.unwrap();
    assert!(dir.path().join("approvals.sqlite").exists(), "the store is created beside the audit file");

    let r = call(&client, "users_delete", json!({"id": alice})).await;
    assert_eq!(structured(&r)["error"]["code"], "approval_required", "{}", text(&r));
    let id = structured(&r)["error"]["approval"]["id"].as_str().unwrap().to_owned();
    let r = call(&client, "users_delete", json!({"id": bob})).await;
    let bob_id = structured(&r)["error"]["approval"]["id"].as_str().unwrap().to_owned();

    // list: both waiting, with the request, the approvers and the expiry.
    let out = cli(&["approvals", "list", "--audit", audit_s], &[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let list = stdout(&out);
    assert_eq!(list.lines().count(), 2, "{list}");
    assert!(list.contains(&id) && list.contains("cleaner wants to delete user auth0|alice"), "{list}");
    assert!(list.contains("approvers: alice@acme.test") && list.contains("pending"), "{list}");

    // Someone the policy does not name cannot approve; nothing changes.
    let out = cli(&["approvals", "approve", &id, "--by", "mallory", "--audit", audit_s], &[]).await;
    assert!(!out.status.success());
    assert!(stderr(&out).contains("may not decide") && stderr(&out).contains("alice@acme.test"), "{}", stderr(&out));

    // approve, --by defaulting to $USER.
    let out = cli(&["approvals", "approve", &id, "--audit", audit_s], &[("USER", "alice@acme.test")]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with(&format!("approved {id} by alice@acme.test")), "{}", stdout(&out));
    assert_eq!(deletes(&tenant, "/api/v2/users/auth0%7Calice"), 0, "approving sends nothing by itself");

    // deny, with the store named explicitly and a note.
    let store = dir.path().join("approvals.sqlite");
    let out = cli(
        &[
            "approvals",
            "deny",
            &bob_id,
            "--by",
            "alice@acme.test",
            "--note",
            "bob stays",
            "--approvals",
            store.to_str().unwrap(),
            "--audit",
            audit_s,
        ],
        &[],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with(&format!("denied {bob_id}")), "{}", stdout(&out));

    // The identical retries: alice's runs once, bob's is refused.
    let r = call(&client, "users_delete", json!({"id": alice})).await;
    assert!(!is_error(&r), "{}", text(&r));
    assert_eq!(deletes(&tenant, "/api/v2/users/auth0%7Calice"), 1);
    let r = call(&client, "users_delete", json!({"id": bob})).await;
    assert_eq!(structured(&r)["error"]["code"], "approval_denied", "{}", text(&r));
    assert!(text(&r).contains("bob stays"), "{}", text(&r));
    assert_eq!(deletes(&tenant, "/api/v2/users/auth0%7Cbob"), 0);
    client.cancel().await.unwrap();

    // Nothing left to decide; an unknown or malformed id is a one-line error.
    let out = cli(&["approvals", "list", "--audit", audit_s], &[]).await;
    assert_eq!(stdout(&out).trim(), "no approvals waiting");
    let out = cli(&["approvals", "list", "--all", "--audit", audit_s], &[]).await;
    assert!(stdout(&out).contains("consumed") && stdout(&out).contains("denied"), "{}", stdout(&out));
    let out = cli(&["approvals", "approve", "apr_x", "--audit", audit_s], &[("USER", "alice@acme.test")]).await;
    assert!(!out.status.success() && stderr(&out).contains("is not an approval id"), "{}", stderr(&out));

    // One chain, appended by the gateway and the CLI: requested ×2, approved, denied,
    // consumed, and the outcome records.
    let text = std::fs::read_to_string(&audit).unwrap();
    let events: Vec<String> = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter_map(|v| v["approval"]["event"].as_str().map(str::to_owned))
        .collect();
    for e in ["requested", "approved", "denied", "consumed"] {
        assert!(events.iter().any(|x| x == e), "{e} missing from {events:?}");
    }
    assert!(!text.contains(tenant.client_secret()), "no secret in the audit trail");
    let out = cli(&["audit", "verify", audit_s], &[]).await;
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let n = text.lines().count();
    assert_eq!(stdout(&out).lines().next().unwrap(), format!("intact, {n} records"));
}

/// A small chain written by the library's sink.
fn write_chain(path: &Path, records: usize) {
    use auth0_mgmt_policy::{AuditRecord, AuditSink, JsonLinesSink, Policy};
    let policy = Policy::from_toml(POLICY).unwrap();
    let sink = JsonLinesSink::open(path).unwrap();
    for i in 0..records {
        let r = AuditRecord::refusal(
            &policy,
            "reader",
            auth0_mgmt_policy::audit::Refused::Other("mcp.tools_call"),
            &auth0_mgmt_policy::audit::new_call_id(),
            &format!("call the unknown tool t{i}"),
            "unknown_tool",
            "no such tool",
            std::time::SystemTime::UNIX_EPOCH,
        );
        sink.write(&r).unwrap();
    }
}

#[tokio::test]
async fn audit_verify_names_the_first_broken_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    write_chain(&path, 4);
    let p = path.to_str().unwrap();
    let out = cli(&["audit", "verify", p], &[]).await;
    assert!(out.status.success());
    let shown = stdout(&out);
    let mut lines = shown.lines();
    assert_eq!(lines.next(), Some("intact, 4 records"));
    let head = lines.next().unwrap().strip_prefix("head ").unwrap().to_owned();
    assert!(head.starts_with("4:") && head.len() == 2 + 64, "{head}");
    let out = cli(&["audit", "verify", p, "--head", &head], &[]).await;
    assert!(out.status.success(), "{}", stdout(&out));

    // An edited line: broken at that line, exit status 1.
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replacen("unknown tool t2", "unknown tool t9", 1);
    assert_ne!(edited, text);
    std::fs::write(&path, &edited).unwrap();
    let out = cli(&["audit", "verify", p], &[]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).starts_with("broken at line 3"), "{}", stdout(&out));

    // A deleted line.
    let mut lines: Vec<&str> = text.lines().collect();
    lines.remove(1);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let out = cli(&["audit", "verify", p], &[]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).starts_with("broken at line 2"), "{}", stdout(&out));

    // Cut after a whole line: intact alone, truncated against the kept head.
    let cut: Vec<&str> = text.lines().take(3).collect();
    std::fs::write(&path, cut.join("\n") + "\n").unwrap();
    let out = cli(&["audit", "verify", p], &[]).await;
    assert_eq!(stdout(&out).lines().next(), Some("intact, 3 records"));
    let out = cli(&["audit", "verify", p, "--head", &head], &[]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).starts_with("broken at line"), "{}", stdout(&out));

    // A missing file or a malformed head: an error, not a verdict.
    let out = cli(&["audit", "verify", "/nonexistent/audit.jsonl"], &[]).await;
    assert!(!out.status.success() && stderr(&out).contains("could not read"), "{}", stderr(&out));
    let out = cli(&["audit", "verify", p, "--head", "x"], &[]).await;
    assert!(!out.status.success() && stderr(&out).contains("SEQ:HASH"), "{}", stderr(&out));
}

#[tokio::test]
async fn approvals_without_a_store_say_where_to_look() {
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let out = cli(&["approvals", "list"], &[]).await;
    assert!(!out.status.success() && stderr(&out).contains("--approvals FILE"), "{}", stderr(&out));
    let out = cli(&["approvals", "list", "--audit", audit.to_str().unwrap()], &[]).await;
    assert!(!out.status.success() && stderr(&out).contains("there is no approval store at"), "{}", stderr(&out));
    assert_eq!(stderr(&out).trim_end().lines().count(), 1);
    assert!(!dir.path().join("approvals.sqlite").exists(), "listing creates no store");
    for sub in [&["approvals", "--help"][..], &["approvals", "approve", "--help"], &["audit", "verify", "--help"]] {
        let out = cli(sub, &[]).await;
        assert!(out.status.success() && stdout(&out).len() > 100, "{sub:?}");
    }
}
