//! Approvals and budgets over MCP (rmcp's own client, in process): a dangerous action
//! under `approve` is offered, its first call ends `approval_required` with nothing
//! sent; a human approves through the library; the identical retry runs exactly once;
//! a changed body needs a new approval; a denied request never runs; an agent's budget
//! refuses the call past its limit with when to retry.

mod common;

use std::sync::Arc;

use auth0_mgmt_fake::Seed;
use auth0_mgmt_policy::{ApprovalState, Approvals, AuditDecision, RecordPhase, SqliteApprovalStore};
use common::*;
use serde_json::{Value, json};

struct WithStore {
    s: Setup,
    approvals: Approvals,
    _dir: tempfile::TempDir,
}

async fn setup_with_store() -> WithStore {
    let dir = tempfile::tempdir().unwrap();
    let mut s = setup_with(POLICY, Seed::empty()).await;
    let store = Arc::new(SqliteApprovalStore::open(dir.path().join("approvals.sqlite")).unwrap());
    s.gateway = s.gateway.clone().with_approvals(store.clone());
    let approvals = Approvals::new(store, s.sink.clone());
    WithStore { s, approvals, _dir: dir }
}

fn count(s: &Setup, method: &str, path: &str) -> usize {
    s.api_requests().into_iter().filter(|(m, p)| m == method && p == path).count()
}

fn approval_id(r: &rmcp::model::CallToolResult) -> String {
    structured(r)["error"]["approval"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no approval id: {}", text(r)))
        .to_owned()
}

#[tokio::test]
async fn a_tool_under_approve_is_offered_and_says_it_needs_approval() {
    let w = setup_with_store().await;
    let client = connect(&w.s.gateway, "cleaner").await;
    let tools = client.list_all_tools().await.unwrap();
    let delete = tools.iter().find(|t| t.name == "users_delete").expect("users_delete is offered");
    let d = delete.description.as_deref().unwrap();
    assert!(d.contains("deleting users needs a human's approval") && d.contains("approval_required"), "{d}");
    assert!(tools.iter().any(|t| t.name == "users_assign_roles"));
    // Not requested at all: not offered.
    assert!(!tools.iter().any(|t| t.name == "users_remove_roles"));
    let get = tools.iter().find(|t| t.name == "users_get").unwrap();
    assert!(!get.description.as_deref().unwrap().contains("approval"));
}

#[tokio::test]
async fn approved_delete_runs_exactly_once_on_the_identical_retry() {
    let w = setup_with_store().await;
    let s = &w.s;
    let client = connect(&s.gateway, "cleaner").await;
    let path = "/api/v2/users/auth0%7Calice";

    let r = call(&client, "users_delete", json!({"id": s.user})).await;
    assert!(is_error(&r), "{}", text(&r));
    let err = &structured(&r)["error"];
    assert_eq!(err["code"], "approval_required");
    assert_eq!(err["sent"], false);
    let approval = &err["approval"];
    let id = approval_id(&r);
    assert!(id.starts_with("apr_"), "{id}");
    assert_eq!(approval["request"], "cleaner wants to delete user auth0|alice");
    assert_eq!(approval["approvers"], json!(["alice@acme.test"]));
    assert!(approval["expires_at"].as_str().unwrap().ends_with('Z'));
    let t = text(&r);
    for part in [
        "Nothing was sent to Auth0",
        "alice@acme.test",
        &id,
        "You cannot approve it yourself",
        "send the identical call again",
    ] {
        assert!(t.contains(part), "missing {part:?} in {t}");
    }
    // The model is told who decides, never how: no command line it could run itself.
    let whole = serde_json::to_string(&r).unwrap();
    for leak in ["approvals approve", "--by", "auth0-mgmt-mcp", "approve_with"] {
        assert!(!whole.contains(leak), "{leak:?} in the tool result: {whole}");
    }
    assert_eq!(count(s, "DELETE", path), 0, "nothing reaches the tenant before approval");

    // Asking again before a decision: the same approval, still nothing sent.
    let again = call(&client, "users_delete", json!({"id": s.user})).await;
    assert_eq!(approval_id(&again), id);
    assert_eq!(count(s, "DELETE", path), 0);

    // Only the approvers the policy names may decide; the agent never approves itself.
    assert!(w.approvals.approve(&id, "mallory@acme.test").await.is_err());
    assert!(w.approvals.approve(&id, "cleaner").await.is_err());
    let pending = w.approvals.pending().await.unwrap();
    assert_eq!(pending.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), [id.as_str()]);
    w.approvals.approve(&id, "alice@acme.test").await.unwrap();

    let done = call(&client, "users_delete", json!({"id": s.user})).await;
    assert!(!is_error(&done), "{}", text(&done));
    assert_eq!(count(s, "DELETE", path), 1, "executed once");
    assert_eq!(w.approvals.get(&id).await.unwrap().state, ApprovalState::Consumed);

    // The approval was single-use: the same call again asks anew and sends nothing.
    let third = call(&client, "users_delete", json!({"id": s.user})).await;
    assert_eq!(structured(&third)["error"]["code"], "approval_required");
    assert_ne!(approval_id(&third), id);
    assert_eq!(count(s, "DELETE", path), 1);

    // The trail: requested, approved, consumed, and one allowed delete outcome.
    let records = s.all_records();
    let events: Vec<&str> = records
        .iter()
        .filter(|r| r.phase == RecordPhase::Approval && r.approval.as_ref().is_some_and(|a| a.id == id))
        .map(|r| r.approval.as_ref().unwrap().event.as_str())
        .collect();
    assert_eq!(events, ["requested", "approved", "consumed"]);
    let deletes: Vec<AuditDecision> = records
        .iter()
        .filter(|r| r.phase == RecordPhase::Outcome && r.operation == "users.delete")
        .map(|r| r.decision)
        .collect();
    assert_eq!(deletes.iter().filter(|d| **d == AuditDecision::Allowed).count(), 1, "{deletes:?}");
}

#[tokio::test]
async fn a_changed_body_needs_a_new_approval() {
    let w = setup_with_store().await;
    let s = &w.s;
    let client = connect(&s.gateway, "cleaner").await;
    let path = "/api/v2/users/auth0%7Calice/roles";
    let support = json!({"id": s.user, "roles": ["rol_Support"]});
    let admin = json!({"id": s.user, "roles": ["rol_Admin"]});

    let first = call(&client, "users_assign_roles", support.clone()).await;
    let id = approval_id(&first);
    w.approvals.approve(&id, "alice@acme.test").await.unwrap();

    // Another role is another request: its own approval, nothing sent, the first one kept.
    let changed = call(&client, "users_assign_roles", admin).await;
    assert_eq!(structured(&changed)["error"]["code"], "approval_required", "{}", text(&changed));
    assert_ne!(approval_id(&changed), id);
    assert_eq!(count(s, "POST", path), 0);
    assert_eq!(w.approvals.get(&id).await.unwrap().state, ApprovalState::Approved);

    let done = call(&client, "users_assign_roles", support).await;
    assert!(!is_error(&done), "{}", text(&done));
    let sent: Vec<Option<Value>> =
        s.tenant.requests().into_iter().filter(|r| r.method == "POST" && r.path == path).map(|r| r.body).collect();
    assert_eq!(sent, [Some(json!({"roles": ["rol_Support"]}))]);
}

#[tokio::test]
async fn a_denied_request_never_executes() {
    let w = setup_with_store().await;
    let s = &w.s;
    let client = connect(&s.gateway, "cleaner").await;
    let r = call(&client, "users_delete", json!({"id": s.user})).await;
    let id = approval_id(&r);
    w.approvals.deny(&id, "alice@acme.test", Some("keep alice")).await.unwrap();
    for _ in 0..2 {
        let r = call(&client, "users_delete", json!({"id": s.user})).await;
        assert!(is_error(&r));
        let err = &structured(&r)["error"];
        assert_eq!(err["code"], "approval_denied", "{}", text(&r));
        assert_eq!(err["approval"]["id"], id.as_str());
        assert!(text(&r).contains("keep alice") && text(&r).contains("Nothing was sent"), "{}", text(&r));
    }
    // Approving after the denial is refused: deny beats approve.
    assert!(w.approvals.approve(&id, "alice@acme.test").await.is_err());
    assert_eq!(count(s, "DELETE", "/api/v2/users/auth0%7Calice"), 0);
}

#[tokio::test]
async fn without_an_approval_store_the_call_is_refused_and_sends_nothing() {
    let s = setup_with(POLICY, Seed::empty()).await;
    let client = connect(&s.gateway, "cleaner").await;
    let r = call(&client, "users_delete", json!({"id": s.user})).await;
    assert!(is_error(&r));
    assert_eq!(structured(&r)["error"]["code"], "approval_unavailable", "{}", text(&r));
    assert_eq!(count(&s, "DELETE", "/api/v2/users/auth0%7Calice"), 0);
}

#[tokio::test]
async fn an_agent_past_its_budget_is_told_when_to_retry_and_sends_nothing() {
    let s = setup_with(POLICY, Seed::empty()).await;
    let client = connect(&s.gateway, "batch").await;
    for _ in 0..2 {
        let r = call(&client, "users_get", json!({"id": s.user})).await;
        assert!(!is_error(&r), "{}", text(&r));
    }
    let r = call(&client, "users_get", json!({"id": s.user})).await;
    assert!(is_error(&r));
    let err = &structured(&r)["error"];
    assert_eq!(err["code"], "agent_rate_limited", "{}", text(&r));
    assert_eq!(err["sent"], false);
    let wait = err["retry_after_seconds"].as_u64().unwrap();
    assert!(wait > 0 && wait <= 86_400, "{wait}");
    assert!(err["retry_at"].as_str().unwrap().ends_with('Z'));
    assert!(text(&r).contains("Retry in"), "{}", text(&r));
    assert_eq!(count(&s, "GET", "/api/v2/users/auth0%7Calice"), 2, "the third call was not sent");
    let last = s.records().pop().unwrap();
    assert_eq!((last.decision, &*last.code), (AuditDecision::Denied, "agent_rate_limited"));
    // The budget is the agent's: another agent of the same gateway is not throttled.
    let reader = connect(&s.gateway, "reader").await;
    assert!(!is_error(&call(&reader, "users_get", json!({"id": s.user})).await));
}
