//! The decision matrix: every catalog operation × `off`/`read`/`full` × its dangerous
//! action on/off, decided purely and through a guarded client against a mock. Denied
//! calls reach the mock zero times; allowed ones exactly once, at the operation's path.

mod common;

use auth0_mgmt::catalog::{self, Operation};
use auth0_mgmt::{
    ClientId, ConnectionId, GrantId, LogId, OrganizationId, RefreshTokenId, ResourceServerId, RoleId, SessionId,
};
use auth0_mgmt::{Request, UserId};
use auth0_mgmt_policy::{Action, Level, Policy, Verdict};
use serde_json::json;

/// A valid sample call of `op`: path id and body chosen per operation.
fn sample(op: &'static Operation) -> Request {
    let mut r = Request::new(op);
    if op.path.contains("{id}") {
        r = match (op.id.starts_with("users."), op.resource) {
            (true, _) => r.id(&UserId::new("auth0|u1").unwrap()),
            (_, catalog::Resource::Roles) => r.id(&RoleId::new("rol_1").unwrap()),
            (_, catalog::Resource::Clients) => r.id(&ClientId::new("cli_1").unwrap()),
            (_, catalog::Resource::Connections) => r.id(&ConnectionId::new("con_1").unwrap()),
            (_, catalog::Resource::Organizations) => r.id(&OrganizationId::new("org_1").unwrap()),
            (_, catalog::Resource::Logs) => r.id(&LogId::new("900201").unwrap()),
            (_, catalog::Resource::Grants) => r.id(&GrantId::new("g1").unwrap()),
            (_, catalog::Resource::ResourceServers) => r.id(&ResourceServerId::new("rs1").unwrap()),
            (_, catalog::Resource::RefreshTokens) => r.id(&RefreshTokenId::new("rt1").unwrap()),
            (_, catalog::Resource::Sessions) => r.id(&SessionId::new("s1").unwrap()),
            (_, catalog::Resource::Users) => unreachable!(),
        };
    }
    let body = match op.id {
        "users.create" => Some(json!({"connection": "db", "email": "a@example.com", "password": "pw-123456"})),
        "users.update" => Some(json!({"password": "new-password-1"})),
        "users.assign_roles" | "users.remove_roles" => Some(json!({"roles": ["rol_1", "rol_2"]})),
        "roles.create" | "clients.create" | "organizations.create" => Some(json!({"name": "n"})),
        "clients.update" => Some(json!({"description": "d"})),
        "connections.create" => Some(json!({"name": "c1", "strategy": "auth0"})),
        "organizations.add_members" => Some(json!({"members": ["auth0|m1", "auth0|m2"]})),
        "resource_servers.create" => Some(json!({"identifier": "https://api.example.com/"})),
        "refresh_tokens.update" => Some(json!({"refresh_token_metadata": {"k": "v"}})),
        "refresh_tokens.revoke" => Some(json!({"ids": ["rt1", "rt2"]})),
        "sessions.update" => Some(json!({"session_metadata": {"k": "v"}})),
        _ => None,
    };
    if let Some(b) = body {
        r = r.json_value(b);
    }
    match op.id {
        "users.list_by_email" => r.query("email", "a@example.com"),
        "refresh_tokens.list" => r.query("user_id", "auth0|u1"),
        _ => r,
    }
}

/// The dangerous action the sample call needs (the test's own table, independent of the crate's).
fn action_of(op_id: &str) -> Option<Action> {
    Some(match op_id {
        "users.delete" => Action::DeleteUsers,
        "users.update" => Action::UpdateUserCredentials,
        "users.assign_roles" => Action::AssignRoles,
        "users.remove_roles" => Action::RemoveRoles,
        "clients.create" => Action::CreateClients,
        "clients.update" => Action::UpdateClients,
        "clients.delete" => Action::DeleteClients,
        "connections.create" => Action::CreateConnections,
        "organizations.add_members" => Action::AddOrganizationMembers,
        "grants.delete" => Action::DeleteGrants,
        "refresh_tokens.delete" | "refresh_tokens.revoke" => Action::RevokeRefreshTokens,
        _ => return None,
    })
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
        let action = action_of(op.id);
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
                let records = sink.records();
                assert_eq!(records.len(), 1, "one audit record per call");
                assert_eq!(records[0].operation, op.id);
                assert_eq!(records[0].code, want.unwrap_or("allowed"));
            }
        }
    }
    // Three levels per operation, plus `full` with the action on for the 12 with one.
    assert_eq!(cases, catalog::ALL.len() * 3 + 12, "cases");
    assert!(sent > 0);
}
