//! The decision matrix: every catalog operation × `off`/`read`/`full` × its dangerous
//! action on/off, decided purely and through a guarded client against a mock. Denied
//! calls reach the mock zero times; allowed ones exactly once, at the operation's path.

mod common;

use auth0_mgmt::catalog::{self, Operation, OperationId};
use auth0_mgmt::{
    ClientId, ConnectionId, GrantId, LogId, OrganizationId, RefreshTokenId, ResourceServerId, RoleId, SessionId,
};
use auth0_mgmt::{Request, UserId};
use auth0_mgmt_policy::{Action, Level, Policy, RecordPhase, Verdict};
use serde_json::json;

/// A valid sample call of `op`: path id and body chosen per operation (this test's own
/// table, matched exhaustively on the typed id: a new operation does not compile here
/// until it has a sample).
fn sample(op: &'static Operation) -> Request {
    use OperationId as O;
    let user = || UserId::new("auth0|u1").unwrap();
    let r = Request::new(op);
    let (r, body) = match op.key {
        O::UsersList | O::UsersListByEmail | O::RolesList | O::ClientsList | O::ConnectionsList => (r, None),
        O::OrganizationsList | O::LogsList | O::GrantsList | O::ResourceServersList | O::RefreshTokensList => (r, None),
        O::UsersGet | O::UsersDelete | O::UsersListRoles => (r.id(&user()), None),
        O::UsersCreate => (r, Some(json!({"connection": "db", "email": "a@example.com", "password": "pw-123456"}))),
        O::UsersUpdate => (r.id(&user()), Some(json!({"password": "new-password-1"}))),
        O::UsersAssignRoles | O::UsersRemoveRoles => (r.id(&user()), Some(json!({"roles": ["rol_1", "rol_2"]}))),
        O::RolesGet => (r.id(&RoleId::new("rol_1").unwrap()), None),
        O::RolesCreate | O::ClientsCreate | O::OrganizationsCreate => (r, Some(json!({"name": "n"}))),
        O::ClientsGet | O::ClientsDelete => (r.id(&ClientId::new("cli_1").unwrap()), None),
        O::ClientsUpdate => (r.id(&ClientId::new("cli_1").unwrap()), Some(json!({"description": "d"}))),
        O::ConnectionsGet => (r.id(&ConnectionId::new("con_1").unwrap()), None),
        O::ConnectionsCreate => (r, Some(json!({"name": "c1", "strategy": "auth0"}))),
        O::OrganizationsGet | O::OrganizationsListMembers => (r.id(&OrganizationId::new("org_1").unwrap()), None),
        O::OrganizationsAddMembers => {
            (r.id(&OrganizationId::new("org_1").unwrap()), Some(json!({"members": ["auth0|m1", "auth0|m2"]})))
        }
        O::LogsGet => (r.id(&LogId::new("900201").unwrap()), None),
        O::GrantsDelete => (r.id(&GrantId::new("g1").unwrap()), None),
        O::ResourceServersGet => (r.id(&ResourceServerId::new("rs1").unwrap()), None),
        O::ResourceServersCreate => (r, Some(json!({"identifier": "https://api.example.com/"}))),
        O::RefreshTokensGet | O::RefreshTokensDelete => (r.id(&RefreshTokenId::new("rt1").unwrap()), None),
        O::RefreshTokensUpdate => {
            (r.id(&RefreshTokenId::new("rt1").unwrap()), Some(json!({"refresh_token_metadata": {"k": "v"}})))
        }
        O::RefreshTokensRevoke => (r, Some(json!({"ids": ["rt1", "rt2"]}))),
        O::SessionsGet => (r.id(&SessionId::new("s1").unwrap()), None),
        O::SessionsUpdate => (r.id(&SessionId::new("s1").unwrap()), Some(json!({"session_metadata": {"k": "v"}}))),
    };
    let r = match body {
        Some(b) => r.json_value(b),
        None => r,
    };
    match op.key {
        O::UsersListByEmail => r.query("email", "a@example.com"),
        O::RefreshTokensList => r.query("user_id", "auth0|u1"),
        _ => r,
    }
}

/// The dangerous action the sample call needs (the test's own table, independent of the
/// catalog's, matched exhaustively).
fn action_of(op: OperationId) -> Option<Action> {
    use OperationId as O;
    match op {
        O::UsersDelete => Some(Action::DeleteUsers),
        O::UsersUpdate => Some(Action::UpdateUserCredentials),
        O::UsersAssignRoles => Some(Action::AssignRoles),
        O::UsersRemoveRoles => Some(Action::RemoveRoles),
        O::ClientsCreate => Some(Action::CreateClients),
        O::ClientsUpdate => Some(Action::UpdateClients),
        O::ClientsDelete => Some(Action::DeleteClients),
        O::ConnectionsCreate => Some(Action::CreateConnections),
        O::OrganizationsAddMembers => Some(Action::AddOrganizationMembers),
        O::GrantsDelete => Some(Action::DeleteGrants),
        O::RefreshTokensDelete | O::RefreshTokensRevoke => Some(Action::RevokeRefreshTokens),
        O::UsersList
        | O::UsersGet
        | O::UsersCreate
        | O::UsersListByEmail
        | O::RolesList
        | O::RolesGet
        | O::RolesCreate
        | O::UsersListRoles
        | O::ClientsList
        | O::ClientsGet
        | O::ConnectionsList
        | O::ConnectionsGet
        | O::OrganizationsList
        | O::OrganizationsGet
        | O::OrganizationsCreate
        | O::OrganizationsListMembers
        | O::LogsList
        | O::LogsGet
        | O::GrantsList
        | O::ResourceServersList
        | O::ResourceServersGet
        | O::ResourceServersCreate
        | O::RefreshTokensList
        | O::RefreshTokensGet
        | O::RefreshTokensUpdate
        | O::SessionsGet
        | O::SessionsUpdate => None,
    }
}

fn policy_text(op: &Operation, level: Level, action: Option<Action>) -> String {
    let actions = action.map(|a| format!("\"{a}\"")).unwrap_or_default();
    format!(
        r#"schema_version = 1
[agents.agent]
resources = {{ {res} = "{level}" }}
actions = [{actions}]
[agents.agent.allow]
roles = ["*"]
organizations = ["*"]
connections = ["*"]
clients = ["*"]
apis = ["*"]
"#,
        res = op.resource
    )
}

/// `None` = allowed, `Some(code)` = denied, `Err(())` = the policy must not load.
fn expected(op: &Operation, level: Level, action: Option<Action>, on: bool) -> Result<Option<&'static str>, ()> {
    if on && level != Level::Full {
        return Err(());
    }
    let write = op.access.is_write();
    Ok(match level {
        Level::Off => Some("resource_off"),
        Level::Read if write => Some("read_only"),
        _ if action.is_some() && !on => Some("action_not_granted"),
        _ => None,
    })
}

#[tokio::test]
async fn every_operation_level_and_action() {
    let server = common::server().await;
    common::ok_everything(&server).await;
    let client = common::client(&server);
    let mut cases = 0;
    let mut sent = 0;
    for op in catalog::ALL {
        let action = action_of(op.key);
        for level in Level::ALL {
            for on in [false, true] {
                if on && action.is_none() {
                    continue;
                }
                let text = policy_text(op, level, if on { action } else { None });
                let want = expected(op, level, action, on);
                let loaded = Policy::from_toml(&text);
                let Ok(want) = want else {
                    let err = loaded.expect_err(&format!("{} {level} with its action must not load", op.id));
                    assert_eq!(err.line(), Some(4), "{err}");
                    assert!(err.message().contains("needs"), "{err}");
                    continue;
                };
                let policy = loaded.unwrap_or_else(|e| panic!("{} {level}: {e}", op.id));
                cases += 1;

                // The pure decision.
                let decision = policy.decide("agent", &sample(op));
                match want {
                    None => assert_eq!(decision.verdict, Verdict::Allow, "{} {level} on={on}", op.id),
                    Some(c) => assert_eq!(
                        decision.deny_code().map(|d| d.as_str()),
                        Some(c),
                        "{} {level} on={on}: {:?}",
                        op.id,
                        decision.verdict
                    ),
                }

                // Through the guarded client: denied calls never reach the server.
                let (guarded, sink) = common::guarded(&client, &text, "agent");
                let before = common::api_requests(&server).await.len();
                let result = guarded.execute::<serde_json::Value>(sample(op)).await;
                let after = common::api_requests(&server).await;
                match want {
                    None => {
                        result.unwrap_or_else(|e| panic!("{} {level} on={on}: {e}", op.id));
                        assert_eq!(after.len(), before + 1, "{}", op.id);
                        let last = after.last().unwrap();
                        assert_eq!(last.method.as_str(), op.method.as_str());
                        assert_eq!(last.url.path(), sample(op).path(), "{}", op.id);
                        sent += 1;
                    }
                    Some(c) => {
                        assert_eq!(common::code(&result), c, "{} {level} on={on}", op.id);
                        assert_eq!(after.len(), before, "{} was denied but reached the server", op.id);
                    }
                }
                // One outcome record per call; an allowed write also has its write-ahead
                // record, written before the request and carrying the same call id.
                let records = sink.records();
                let intents = usize::from(want.is_none() && op.access.is_write());
                assert_eq!(records.len(), 1 + intents, "{}: records", op.id);
                let outcome = records.last().unwrap();
                assert_eq!(outcome.phase, RecordPhase::Outcome);
                assert_eq!(outcome.operation, op.id);
                assert_eq!(outcome.code, want.unwrap_or("allowed"));
                if intents == 1 {
                    assert_eq!(records[0].phase, RecordPhase::Intent);
                    assert_eq!(records[0].call_id, outcome.call_id);
                    assert_eq!(records[0].targets, outcome.targets);
                }
            }
        }
    }
    // Three levels per operation, plus `full` with the action on for the 12 with one.
    assert_eq!(cases, catalog::ALL.len() * 3 + 12, "cases");
    assert!(sent > 0);
}
