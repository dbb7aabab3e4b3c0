//! Every body of the in-repository test data (`tests/data/<operation>.json`, written from
//! the API reference) decodes into the typed model of its operation and re-encodes to
//! exactly the same JSON: explicit `null`s, unknown keys and unknown enum values included.
//! Listings keep their paging fields (`start`, `limit`, `total`, `length`, `next`).
//!
//! The data covers every field each top-level model types (checked below), so a field
//! that stops round-tripping fails here. The recorded real traffic beside the repository
//! is checked by `tests/conformance.rs`.

mod resources_support;
mod round_trip;

use std::collections::{BTreeMap, BTreeSet};

use auth0_mgmt::clients::{AppType, Application, ComplianceLevel, OrganizationUsage};
use auth0_mgmt::connections::{Connection, Strategy};
use auth0_mgmt::grants::Grant;
use auth0_mgmt::logs::{Log, LogType};
use auth0_mgmt::organizations::{Member, Organization};
use auth0_mgmt::refresh_tokens::RefreshToken;
use auth0_mgmt::resource_servers::{ResourceServer, SigningAlgorithm, TokenDialect};
use auth0_mgmt::roles::Role;
use auth0_mgmt::sessions::Session;
use auth0_mgmt::users::User;
use auth0_mgmt::{ErrorBody, JsonObject, Page, Timestamp, catalog};
use resources_support::{data_dir, interactions};
use round_trip::{OAuthError, exact, success};
use serde_json::{Value, json};

/// Every example of every data file, as (operation, name, status, body).
fn examples() -> Vec<(String, String, u16, Value)> {
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(data_dir()).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for path in files {
        let op = path.file_stem().unwrap().to_str().unwrap().to_owned();
        for e in interactions(&op) {
            let status = e["status"].as_u64().unwrap() as u16;
            out.push((op.clone(), e["name"].as_str().unwrap().to_owned(), status, e["response_body"].clone()));
        }
    }
    out
}

#[test]
fn every_operation_with_a_body_has_test_data() {
    let ops: BTreeSet<String> = examples().into_iter().map(|(op, ..)| op).collect();
    for op in catalog::ALL {
        assert!(ops.contains(op.id), "no test data for {}", op.id);
    }
    for op in &ops {
        assert!(op == catalog::OAUTH_TOKEN || catalog::find(op).is_some(), "{op}: not an operation");
    }
}

#[test]
fn every_body_round_trips_exactly() {
    let mut failures = Vec::new();
    let all = examples();
    for (op, name, status, body) in &all {
        let result = if (200..300).contains(status) {
            if let Some(cop) = catalog::find(op)
                && !cop.is_success_status(*status)
            {
                failures.push(format!("{op} ({name}): status {status}, catalog accepts {:?}", cop.success_statuses));
            }
            success(op, body, &|_| false)
        } else if op == catalog::OAUTH_TOKEN {
            exact::<OAuthError>(body)
        } else {
            exact::<ErrorBody>(body)
        };
        if let Err(e) = result {
            failures.push(format!("{op} {status} ({name}): {e}"));
        }
    }
    assert!(all.len() > 80, "{} examples", all.len());
    assert!(failures.is_empty(), "{} of {} bodies failed:\n{}", failures.len(), all.len(), failures.join("\n\n"));
}

/// Object items of an operation's success bodies (listings unwrapped).
fn items(op_filter: &[&str], list_key: &str) -> Vec<JsonObject> {
    let mut out = Vec::new();
    for (op, _, status, body) in examples() {
        if !op_filter.contains(&op.as_str()) || !(200..300).contains(&status) {
            continue;
        }
        let list = match &body {
            Value::Array(a) => a.clone(),
            Value::Object(o) if o.contains_key(list_key) => o[list_key].as_array().cloned().unwrap_or_default(),
            Value::Object(o) => vec![Value::Object(o.clone())],
            _ => vec![],
        };
        out.extend(list.into_iter().filter_map(|v| v.as_object().cloned()));
    }
    out
}

/// The data covers each model: every typed field with a value somewhere, at least one
/// explicit `null`, and at least one key the model does not type.
#[test]
fn the_data_covers_every_typed_field_nulls_and_unknown_keys() {
    let models: Vec<(&str, &[&str], Vec<JsonObject>)> = vec![
        ("User", User::FIELDS, items(&["users.get", "users.list", "users.create", "users.update"], "users")),
        ("Role", Role::FIELDS, items(&["roles.get", "roles.list"], "roles")),
        ("Application", Application::FIELDS, items(&["clients.get", "clients.list"], "clients")),
        ("Connection", Connection::FIELDS, items(&["connections.get", "connections.list"], "connections")),
        ("Organization", Organization::FIELDS, items(&["organizations.get", "organizations.create"], "organizations")),
        ("Member", Member::FIELDS, items(&["organizations.list_members"], "members")),
        ("Log", Log::FIELDS, items(&["logs.get", "logs.list"], "logs")),
        ("Grant", Grant::FIELDS, items(&["grants.list"], "grants")),
        ("ResourceServer", ResourceServer::FIELDS, items(&["resource_servers.get"], "resource_servers")),
        ("RefreshToken", RefreshToken::FIELDS, items(&["refresh_tokens.get"], "refresh_tokens")),
        ("Session", Session::FIELDS, items(&["sessions.get"], "sessions")),
    ];
    let mut gaps = BTreeMap::new();
    for (name, fields, objects) in models {
        assert!(!objects.is_empty(), "{name}: no bodies");
        let with_value: BTreeSet<&str> =
            objects.iter().flat_map(|o| o.iter().filter(|(_, v)| !v.is_null()).map(|(k, _)| k.as_str())).collect();
        let missing: Vec<&str> = fields.iter().copied().filter(|f| !with_value.contains(f)).collect();
        if !missing.is_empty() {
            gaps.insert(name, format!("no value for {missing:?}"));
        }
        if !objects.iter().any(|o| o.values().any(Value::is_null)) && name != "Role" && name != "Grant" {
            gaps.insert(name, "no explicit null".into());
        }
        if !objects.iter().any(|o| o.keys().any(|k| !fields.contains(&k.as_str()))) {
            gaps.insert(name, "no unknown key".into());
        }
    }
    assert!(gaps.is_empty(), "{gaps:#?}");
}

#[test]
fn explicit_nulls_survive_a_read_modify_write() {
    let body = interactions("refresh_tokens.get")[0]["response_body"].clone();
    let mut token: RefreshToken = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(token.expires_at, None);
    assert_eq!(token.explicit_nulls().collect::<Vec<_>>(), ["idle_expires_at", "expires_at", "session_id"]);
    token.rotating = Some(false);
    let again = serde_json::to_value(&token).unwrap();
    assert_eq!(again["expires_at"], Value::Null);
    assert!(again.as_object().unwrap().contains_key("session_id"));
    assert_eq!(again["rotating"], false);
    // A value set over a null is sent as the value.
    token.session_id = Some("ses_1".parse().unwrap());
    assert_eq!(serde_json::to_value(&token).unwrap()["session_id"], "ses_1");
    // Absent stays absent.
    let absent: RefreshToken = serde_json::from_value(json!({"id": "rt_1"})).unwrap();
    assert_eq!(serde_json::to_value(&absent).unwrap(), json!({"id": "rt_1"}));
}

#[test]
fn tolerant_enums_keep_unknown_values_and_round_trip() {
    let app: Application = serde_json::from_value(json!({"client_id": "abc", "app_type": "hologram",
        "organization_usage": "sometimes", "compliance_level": "fapi3"}))
    .unwrap();
    assert_eq!(app.app_type, Some(AppType::Other("hologram".into())));
    assert_eq!(app.app_type.as_ref().unwrap().as_str(), "hologram");
    assert_eq!(app.organization_usage, Some(OrganizationUsage::Other("sometimes".into())));
    assert_eq!(app.compliance_level, Some(ComplianceLevel::Other("fapi3".into())));
    let known: Application =
        serde_json::from_value(json!({"client_id": "abc", "app_type": "spa", "organization_usage": "require"}))
            .unwrap();
    assert_eq!((known.app_type, known.organization_usage), (Some(AppType::Spa), Some(OrganizationUsage::Require)));

    let c: Connection = serde_json::from_value(json!({"id": "con_1", "strategy": "quantum-idp"})).unwrap();
    assert_eq!(c.strategy, Some(Strategy::Other("quantum-idp".into())));
    assert_eq!(serde_json::to_value(&c).unwrap(), json!({"id": "con_1", "strategy": "quantum-idp"}));

    let rs: ResourceServer =
        serde_json::from_value(json!({"id": "r1", "signing_alg": "EdDSA", "token_dialect": "access_token"})).unwrap();
    assert_eq!(rs.signing_alg, Some(SigningAlgorithm::Other("EdDSA".into())));
    assert_eq!(rs.token_dialect, Some(TokenDialect::AccessToken));

    for code in LogType::KNOWN {
        assert_eq!(LogType::from(*code).as_str(), *code);
        assert!(!matches!(LogType::from(*code), LogType::Other(_)), "{code}");
    }
    let l: Log = serde_json::from_value(json!({"log_id": "900", "type": "brand_new_event"})).unwrap();
    assert_eq!(l.log_type, Some(LogType::Other("brand_new_event".into())));
    assert_eq!(l.log_type.as_ref().unwrap().description(), None);
    assert_eq!(serde_json::to_value(&l).unwrap()["type"], "brand_new_event");
}

#[test]
fn dates_are_typed_and_odd_forms_are_kept() {
    let user: User = serde_json::from_value(interactions("users.get")[0]["response_body"].clone()).unwrap();
    let created = user.created_at.as_ref().unwrap().as_datetime().unwrap();
    assert_eq!(created.timestamp().as_millisecond(), 1_705_051_810_482);
    assert_eq!(created.to_string(), "2024-01-12T09:30:10.482Z");
    let last_login = user.last_login.as_ref().unwrap().as_datetime().unwrap();
    assert_eq!(last_login.to_string(), "2024-06-03T17:02:43.998+02:00");
    assert_eq!(last_login.timestamp().to_string(), "2024-06-03T15:02:43.998Z");

    let odd: User = serde_json::from_value(interactions("users.get")[2]["response_body"].clone()).unwrap();
    assert!(matches!(odd.created_at, Some(Timestamp::Unparsed(Value::Object(_)))));
    assert_eq!(odd.last_login, Some(Timestamp::Unparsed("2024-03-01 00:00:00".into())));
}

#[test]
fn identity_user_ids_and_log_scopes_take_both_shapes() {
    let user: User = serde_json::from_value(interactions("users.get")[0]["response_body"].clone()).unwrap();
    let ids: Vec<String> = user.identities().iter().map(|i| i.user_id.as_ref().unwrap().to_string()).collect();
    assert_eq!(ids, ["65a1f0c2e4b0a1b2c3d4e5f6", "1843221"]);
    let logs: Vec<Log> = serde_json::from_value(interactions("logs.list")[0]["response_body"].clone()).unwrap();
    assert_eq!(logs[0].scope.as_ref().unwrap().values(), ["read:users", "update:users"]);
    assert_eq!(logs[1].scope.as_ref().unwrap().values(), ["openid", "profile", "email"]);
}

#[test]
fn a_member_role_without_an_id_decodes() {
    let page: Page<Member> =
        serde_json::from_value(interactions("organizations.list_members")[0]["response_body"].clone()).unwrap();
    let roles = page.items[0].roles.as_ref().unwrap();
    assert_eq!(roles[0].id.as_ref().unwrap().as_str(), "rol_4f9Bq2LkT8xZyWcD");
    assert_eq!((roles[1].id.as_ref(), roles[1].name.as_deref()), (None, Some("implicit-member")));
}

#[test]
fn secrets_in_models_are_not_printed() {
    let app: Application = serde_json::from_value(interactions("clients.get")[0]["response_body"].clone()).unwrap();
    let secret = app.client_secret.as_ref().unwrap().expose().to_owned();
    assert!(!format!("{app:?}").contains(&secret));
    let conn: Connection = serde_json::from_value(interactions("connections.get")[2]["response_body"].clone()).unwrap();
    assert!(!format!("{conn:?}").contains("do-not-print-me"));
    let user: User = serde_json::from_value(interactions("users.get")[0]["response_body"].clone()).unwrap();
    assert!(!format!("{user:?}").contains("gho_exampleAccessToken1234"));
}
