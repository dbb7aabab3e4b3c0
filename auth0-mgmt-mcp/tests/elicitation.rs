//! `approval = "client"` over MCP: a call that needs approval is put to the user of the
//! agent's MCP client through elicitation (rmcp's own client, declaring the capability
//! and answering as a scripted human). Approve: the call runs exactly once within the
//! same `tools/call`; decline, cancel or deny: it never runs and the denial is recorded;
//! a client without the capability, an elicitation error or an answer that is neither:
//! the operator's `approval_required`; an `operator` agent, or one whose `approvers` do not
//! name the MCP client, is never elicited.

mod common;

use std::sync::{Arc, Mutex};

use auth0_mgmt_fake::Seed;
use auth0_mgmt_mcp::{AgentServer, Gateway};
use auth0_mgmt_policy::{ApprovalState, Approvals, RecordPhase, SqliteApprovalStore};
use common::*;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, ElicitRequestParams, ElicitResult,
    ElicitationAction, ErrorData, Implementation,
};
use rmcp::service::{RequestContext, RunningService};
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::{Value, json};

const POLICY: &str = r#"
schema_version = 1

# Deleting a user needs the approval of the user of its MCP client.
[agents.asker]
resources = { users = "full" }
approve = ["delete_users", "update_app_metadata"]
approval = "client"

# The same, decided by an operator (the default channel).
[agents.opbot]
resources = { users = "full" }
approve = ["delete_users"]

# Client channel, but the approvers name only alice: the client is not asked.
[agents.gated]
resources = { users = "full" }
approve = ["delete_users"]
approval = "client"
approvers = ["alice@acme.test"]

# Client channel, and the approvers name the MCP client beside alice.
[agents.shared]
resources = { users = "full" }
approve = ["delete_users"]
approval = "client"
approvers = ["alice@acme.test", "mcp-client"]
"#;

const USER_PATH: &str = "/api/v2/users/auth0%7Calice";

/// What the scripted human answers.
#[derive(Clone, Copy, Debug)]
enum Answer {
    Approve,
    Deny,
    Decline,
    Cancel,
    /// Accepts with a value that is neither approve nor deny.
    Garbage,
    /// The client fails the elicitation request.
    Fail,
}

/// An MCP client that declares elicitation and answers every elicitation with `answer`,
/// keeping the messages and schemas it was shown.
#[derive(Clone)]
struct Human {
    answer: Answer,
    asked: Arc<Mutex<Vec<(String, Value)>>>,
}

impl Human {
    fn new(answer: Answer) -> Human {
        Human { answer, asked: Arc::default() }
    }

    fn asked(&self) -> Vec<(String, Value)> {
        self.asked.lock().unwrap().clone()
    }
}

impl ClientHandler for Human {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::builder().enable_elicitation().build(),
            Implementation::new("scripted-human", "0"),
        )
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        let ElicitRequestParams::FormElicitationParams { message, requested_schema, .. } = request else {
            return Ok(ElicitResult::new(ElicitationAction::Decline));
        };
        self.asked.lock().unwrap().push((message, serde_json::to_value(&requested_schema).unwrap()));
        Ok(match self.answer {
            Answer::Approve => {
                ElicitResult::new(ElicitationAction::Accept).with_content(json!({"decision": "approve"}))
            }
            Answer::Deny => ElicitResult::new(ElicitationAction::Accept).with_content(json!({"decision": "deny"})),
            Answer::Garbage => ElicitResult::new(ElicitationAction::Accept).with_content(json!({"decision": "yes!"})),
            Answer::Decline => ElicitResult::new(ElicitationAction::Decline),
            Answer::Cancel => ElicitResult::new(ElicitationAction::Cancel),
            Answer::Fail => return Err(ErrorData::internal_error("the client's form broke", None)),
        })
    }
}

struct World {
    s: Setup,
    approvals: Approvals,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let mut s = setup_with(POLICY, Seed::empty()).await;
    let store = Arc::new(SqliteApprovalStore::open(dir.path().join("approvals.sqlite")).unwrap());
    s.gateway = s.gateway.clone().with_approvals(store.clone());
    let approvals = Approvals::new(store, s.sink.clone());
    World { s, approvals, _dir: dir }
}

/// `handler` connected to `agent`'s server over an in-process duplex pipe.
async fn connect_as<H: ClientHandler>(gateway: &Gateway, agent: &str, handler: H) -> RunningService<RoleClient, H> {
    let server = AgentServer::new(gateway.agent(agent).unwrap());
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    handler.serve(client_io).await.unwrap()
}

async fn delete<H: ClientHandler>(client: &RunningService<RoleClient, H>, user: &str) -> CallToolResult {
    let Value::Object(args) = json!({"id": user}) else { unreachable!() };
    client.call_tool(CallToolRequestParams::new("users_delete").with_arguments(args)).await.unwrap()
}

fn deletes(s: &Setup) -> usize {
    s.api_requests().into_iter().filter(|(m, p)| m == "DELETE" && p == USER_PATH).count()
}

/// The lifecycle events of approval `id` in the audit trail, with who decided.
fn events(s: &Setup, id: &str) -> Vec<(String, Option<String>)> {
    s.all_records()
        .iter()
        .filter(|r| r.phase == RecordPhase::Approval)
        .filter_map(|r| r.approval.as_ref())
        .filter(|a| a.id == id)
        .map(|a| (a.event.as_str().to_owned(), a.by.clone()))
        .collect()
}

fn approval_ids(s: &Setup) -> Vec<String> {
    let mut ids: Vec<String> =
        s.all_records().iter().filter_map(|r| r.approval.as_ref().map(|a| a.id.clone())).collect();
    ids.dedup();
    ids
}

#[tokio::test]
async fn approved_in_the_client_the_call_runs_exactly_once_within_the_same_call() {
    let w = world().await;
    let s = &w.s;
    let human = Human::new(Answer::Approve);
    let client = connect_as(&s.gateway, "asker", human.clone()).await;

    let r = delete(&client, &s.user).await;
    assert!(!is_error(&r), "{}", text(&r));
    assert_eq!(deletes(s), 1, "the tenant received the delete exactly once");
    assert!(s.tenant.user("auth0|alice").is_none(), "the user is gone");

    // The human saw the request in plain English, the approval id and its expiry, and
    // was offered approve or deny.
    let asked = human.asked();
    assert_eq!(asked.len(), 1);
    let (message, schema) = &asked[0];
    assert!(message.contains("asker wants to delete user auth0|alice"), "{message}");
    let ids = approval_ids(s);
    assert_eq!(ids.len(), 1, "one approval: {ids:?}");
    let id = &ids[0];
    assert!(message.contains(id.as_str()) && message.contains("stays open until"), "{message}");
    assert_eq!(schema["required"], json!(["decision"]));
    let values: Vec<&str> = schema["properties"]["decision"]["oneOf"]
        .as_array()
        .unwrap_or_else(|| panic!("an enum of approve/deny: {schema}"))
        .iter()
        .filter_map(|v| v["const"].as_str())
        .collect();
    assert_eq!(values, ["approve", "deny"]);

    // Recorded: requested, approved by the MCP client's channel (never a name the agent
    // chose), consumed by the one re-run; the approval is spent.
    let by = Some("mcp-client:asker".to_owned());
    assert_eq!(
        events(s, id),
        [("requested".to_owned(), None), ("approved".to_owned(), by.clone()), ("consumed".to_owned(), by)]
    );
    let a = w.approvals.get(id).await.unwrap();
    assert_eq!((a.state, a.decided_by.as_deref()), (ApprovalState::Consumed, Some("mcp-client:asker")));
    let outcomes: Vec<_> = s
        .records()
        .into_iter()
        .filter(|r| r.operation == "users.delete")
        .map(|r| (r.code.to_string(), r.outcome.executed))
        .collect();
    assert_eq!(outcomes, [("approval_required".to_owned(), false), ("allowed".to_owned(), true)]);
}

#[tokio::test]
async fn declined_cancelled_or_denied_in_the_client_never_runs() {
    for (answer, note) in [
        (Answer::Decline, "declined in the MCP client"),
        (Answer::Cancel, "cancelled in the MCP client"),
        (Answer::Deny, "denied in the MCP client"),
    ] {
        let w = world().await;
        let s = &w.s;
        let human = Human::new(answer);
        let client = connect_as(&s.gateway, "asker", human.clone()).await;
        let r = delete(&client, &s.user).await;
        assert!(is_error(&r), "{answer:?}: {}", text(&r));
        let err = &structured(&r)["error"];
        assert_eq!(err["code"], "approval_denied", "{answer:?}: {err}");
        assert_eq!(err["sent"], false);
        assert!(text(&r).contains(note), "{answer:?}: {}", text(&r));
        assert_eq!(human.asked().len(), 1);
        assert_eq!(deletes(s), 0, "{answer:?}: nothing reached the tenant");
        let id = err["approval"]["id"].as_str().unwrap();
        let a = w.approvals.get(id).await.unwrap();
        assert_eq!((a.state, a.decided_by.as_deref()), (ApprovalState::Denied, Some("mcp-client:asker")));
        assert_eq!(a.note.as_deref(), Some(note));
        assert_eq!(
            events(s, id),
            [("requested".to_owned(), None), ("denied".to_owned(), Some("mcp-client:asker".to_owned()))]
        );
        // The identical call again: refused by the recorded denial, without asking.
        let again = delete(&client, &s.user).await;
        assert_eq!(structured(&again)["error"]["code"], "approval_denied");
        assert_eq!(human.asked().len(), 1, "a denied request is not asked again");
        assert_eq!(deletes(s), 0);
    }
}

#[tokio::test]
async fn a_client_without_elicitation_gets_the_operator_result_and_nothing_is_sent() {
    let w = world().await;
    let s = &w.s;
    let client = connect(&s.gateway, "asker").await; // declares no capability
    let r = delete(&client, &s.user).await;
    let err = &structured(&r)["error"];
    assert_eq!(err["code"], "approval_required", "{err}");
    assert_eq!(err["approval"]["channel"], "client");
    let t = text(&r);
    assert!(t.contains("did not declare the elicitation capability"), "{t}");
    assert!(t.contains("so an operator of the gateway decides, outside this conversation"), "{t}");
    assert!(!serde_json::to_string(&r).unwrap().contains("approvals approve"), "no command line for the model: {t}");
    assert_eq!(deletes(s), 0);
    let id = err["approval"]["id"].as_str().unwrap();
    assert_eq!(w.approvals.get(id).await.unwrap().state, ApprovalState::Pending);
    // The operator path still works: approved from the CLI side, the identical call runs once.
    w.approvals.approve(id, "alice@acme.test").await.unwrap();
    let r = delete(&client, &s.user).await;
    assert!(!is_error(&r), "{}", text(&r));
    assert_eq!(deletes(s), 1);
}

#[tokio::test]
async fn an_operator_agent_is_never_elicited_even_if_the_client_could_be_asked() {
    let w = world().await;
    let s = &w.s;
    let human = Human::new(Answer::Approve);
    let client = connect_as(&s.gateway, "opbot", human.clone()).await;
    let r = delete(&client, &s.user).await;
    let err = &structured(&r)["error"];
    assert_eq!(err["code"], "approval_required", "{err}");
    assert_eq!(err["approval"]["channel"], "operator");
    assert!(human.asked().is_empty(), "an operator agent's client is never asked");
    assert_eq!(deletes(s), 0);
    let id = err["approval"]["id"].as_str().unwrap();
    assert_eq!(w.approvals.get(id).await.unwrap().state, ApprovalState::Pending);
}

#[tokio::test]
async fn approvers_that_do_not_name_the_client_keep_the_decision_with_them() {
    let w = world().await;
    let s = &w.s;
    let human = Human::new(Answer::Approve);
    let client = connect_as(&s.gateway, "gated", human.clone()).await;
    let r = delete(&client, &s.user).await;
    let err = &structured(&r)["error"];
    assert_eq!(err["code"], "approval_required", "{err}");
    assert!(text(&r).contains("do not include `mcp-client`"), "{}", text(&r));
    assert!(human.asked().is_empty());
    assert_eq!(deletes(s), 0);
    // Nor may anyone record a decision under the client's name for it.
    let id = err["approval"]["id"].as_str().unwrap();
    assert!(w.approvals.approve(id, "mcp-client:gated").await.is_err());
    assert!(w.approvals.approve(id, "mallory").await.is_err());
    assert_eq!(w.approvals.get(id).await.unwrap().state, ApprovalState::Pending);

    // Listing `mcp-client` beside a person lets the client decide.
    let human = Human::new(Answer::Approve);
    let client = connect_as(&s.gateway, "shared", human.clone()).await;
    let r = delete(&client, &s.user).await;
    assert!(!is_error(&r), "{}", text(&r));
    assert_eq!(human.asked().len(), 1);
    assert_eq!(deletes(s), 1);
}

#[tokio::test]
async fn a_failed_or_unclear_elicitation_falls_back_to_the_operator() {
    for (answer, says) in
        [(Answer::Fail, "asking the MCP client's user failed"), (Answer::Garbage, "neither approve nor deny")]
    {
        let w = world().await;
        let s = &w.s;
        let human = Human::new(answer);
        let client = connect_as(&s.gateway, "asker", human.clone()).await;
        let r = delete(&client, &s.user).await;
        let err = &structured(&r)["error"];
        assert_eq!(err["code"], "approval_required", "{answer:?}: {err}");
        let t = text(&r);
        assert!(t.contains(says) && t.contains("so an operator of the gateway decides"), "{answer:?}: {t}");
        assert_eq!(human.asked().len(), 1);
        assert_eq!(deletes(s), 0, "{answer:?}: nothing was sent");
        let id = err["approval"]["id"].as_str().unwrap();
        assert_eq!(w.approvals.get(id).await.unwrap().state, ApprovalState::Pending);
        let deletes: Vec<_> = s.records().into_iter().filter(|r| r.operation == "users.delete").collect();
        assert_eq!(deletes.len(), 1, "{answer:?}: one call, not re-run");
        assert_eq!((&*deletes[0].code, deletes[0].outcome.executed), ("approval_required", false));
    }
}

/// The human decides on values: the form shows the request body (secret values masked),
/// and approving sends the body as the agent gave it.
#[tokio::test]
async fn the_form_shows_the_body_with_secret_values_masked() {
    let w = world().await;
    let s = &w.s;
    let human = Human::new(Answer::Approve);
    let client = connect_as(&s.gateway, "asker", human.clone()).await;
    let Value::Object(args) =
        json!({"id": s.user, "app_metadata": {"plan": "plan-enterprise-77", "api_secret": "hunter2-secret-99"}})
    else {
        unreachable!()
    };
    let r = client.call_tool(CallToolRequestParams::new("users_update").with_arguments(args)).await.unwrap();
    assert!(!is_error(&r), "{}", text(&r));
    let asked = human.asked();
    let message = &asked[0].0;
    assert!(message.contains("The request body: {") && message.contains("plan-enterprise-77"), "{message}");
    assert!(message.contains(r#""api_secret":"[REDACTED]""#) && !message.contains("hunter2"), "{message}");
    let sent = s.tenant.requests().into_iter().find(|r| r.method == "PATCH").expect("the update was sent");
    assert_eq!(sent.body.unwrap()["app_metadata"]["api_secret"], "hunter2-secret-99");
}
