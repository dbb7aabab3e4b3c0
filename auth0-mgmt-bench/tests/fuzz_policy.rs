//! Policy parsing fuzz (proptest, 256 cases per property).
//!
//! * Arbitrary strings, TOML-shaped text and raw bytes never panic `Policy::from_toml`.
//! * A policy generated from a random subset of resources, levels and dangerous actions
//!   that loads never allows (by `Policy::decide`, on every catalog operation with a
//!   minimal valid request) an operation on a resource it does not name (or names
//!   `off`), a write on a resource it names `read`, nor an operation needing a dangerous
//!   action it does not list. The expected actions are this file's own table, not the
//!   crate's.
//! * A `users.update` body of random keys — harmless, credential, `app_metadata`,
//!   unknown, oddly spelt — in random order and number (no cap) is allowed exactly when
//!   the agent holds every action this file's own table says the keys need.

use auth0_mgmt::catalog::{self, IdKind, Operation, OperationId, Resource};
use auth0_mgmt::{
    ClientId, ConnectionId, GrantId, LogId, OrganizationId, RefreshTokenId, Request, ResourceServerId, RoleId,
    SessionId, UserId,
};
use auth0_mgmt_policy::{Action, Level, Policy, Verdict};
use proptest::prelude::*;
use serde_json::{Value, json};

const RESOURCES: [&str; 10] = [
    "users",
    "roles",
    "clients",
    "connections",
    "organizations",
    "logs",
    "grants",
    "resource_servers",
    "refresh_tokens",
    "sessions",
];
const LEVELS: [&str; 3] = ["off", "read", "full"];
const ACTIONS: [&str; 14] = [
    "delete_users",
    "update_user_credentials",
    "update_app_metadata",
    "assign_roles",
    "remove_roles",
    "create_clients",
    "update_clients",
    "delete_clients",
    "update_client_credentials",
    "read_client_secrets",
    "create_connections",
    "add_organization_members",
    "delete_grants",
    "revoke_refresh_tokens",
];

/// Sets the path id of `req` for `op` (a valid id of the kind the catalog names).
fn with_path_id(req: Request, op: &Operation) -> Request {
    let Some(p) = op.path_id else { return req };
    match p.kind {
        IdKind::User => req.id(&"auth0|fuzz1".parse::<UserId>().unwrap()),
        IdKind::Role => req.id(&"rol_fuzz".parse::<RoleId>().unwrap()),
        IdKind::Client => req.id(&"fuzzclient".parse::<ClientId>().unwrap()),
        IdKind::Connection | IdKind::ConnectionName => req.id(&"con_fuzz".parse::<ConnectionId>().unwrap()),
        IdKind::Organization => req.id(&"org_fuzz".parse::<OrganizationId>().unwrap()),
        IdKind::Log => req.id(&"90020250101000000000000000000000000000000000000000".parse::<LogId>().unwrap()),
        IdKind::Grant => req.id(&"cgr_fuzz".parse::<GrantId>().unwrap()),
        IdKind::Api => req.id(&"rs_fuzz".parse::<ResourceServerId>().unwrap()),
        IdKind::RefreshToken => req.id(&"rt_fuzz".parse::<RefreshTokenId>().unwrap()),
        IdKind::Session => req.id(&"ses_fuzz".parse::<SessionId>().unwrap()),
    }
}

/// Minimal valid requests for `op`, each with the dangerous actions it needs (this
/// test's table). Several for operations whose body decides the actions.
fn requests(op: &'static Operation) -> Vec<(Request, Vec<&'static str>)> {
    let base = || with_path_id(Request::new(op), op);
    let body = |v: Value| base().json_value(v);
    let one = |v: Option<Value>, actions: &[&'static str]| vec![(v.map_or_else(base, body), actions.to_vec())];
    use OperationId as O;
    match op.key {
        O::UsersCreate => vec![
            (body(json!({"connection": "Username-Password-Authentication", "email": "a@example.com"})), vec![]),
            (
                body(json!({"connection": "Username-Password-Authentication", "email": "a@example.com",
                            "app_metadata": {"plan": "x"}})),
                vec!["update_app_metadata"],
            ),
        ],
        O::UsersUpdate => vec![
            (body(json!({"blocked": false, "user_metadata": {"a": 1}})), vec![]),
            (body(json!({"password": "Pa55word!"})), vec!["update_user_credentials"]),
            (body(json!({"email": "b@example.com"})), vec!["update_user_credentials"]),
            (body(json!({"app_metadata": {"plan": "y"}})), vec!["update_app_metadata"]),
            (body(json!({"something_new": 1})), vec!["update_user_credentials", "update_app_metadata"]),
        ],
        O::UsersDelete => one(None, &["delete_users"]),
        O::UsersAssignRoles => one(Some(json!({"roles": ["rol_a"]})), &["assign_roles"]),
        O::UsersRemoveRoles => one(Some(json!({"roles": ["rol_a"]})), &["remove_roles"]),
        O::RolesCreate => one(Some(json!({"name": "r"})), &[]),
        O::ClientsCreate => one(Some(json!({"name": "app"})), &["create_clients"]),
        O::ClientsUpdate => vec![
            (body(json!({"name": "app2"})), vec!["update_clients"]),
            (body(json!({"jwt_configuration": {"alg": "RS256"}})), vec!["update_clients", "update_client_credentials"]),
            (body(json!({"client_secret": "rotated"})), vec!["update_clients", "update_client_credentials"]),
        ],
        O::ClientsDelete => one(None, &["delete_clients"]),
        O::ConnectionsCreate => one(Some(json!({"name": "conn-a", "strategy": "auth0"})), &["create_connections"]),
        O::OrganizationsCreate => one(Some(json!({"name": "org-a"})), &[]),
        O::OrganizationsAddMembers => one(Some(json!({"members": ["auth0|fuzz2"]})), &["add_organization_members"]),
        O::GrantsDelete => one(None, &["delete_grants"]),
        O::ResourceServersCreate => one(Some(json!({"identifier": "https://api.example.com/"})), &[]),
        O::RefreshTokensUpdate => one(Some(json!({"refresh_token_metadata": {"k": "v"}})), &[]),
        O::RefreshTokensDelete => one(None, &["revoke_refresh_tokens"]),
        O::RefreshTokensRevoke => one(Some(json!({"ids": ["rt_fuzz"]})), &["revoke_refresh_tokens"]),
        O::SessionsUpdate => one(Some(json!({"session_metadata": {}})), &[]),
        _ => {
            assert!(!op.access.is_write(), "write {} has no minimal request in this test", op.id);
            one(None, &[])
        }
    }
}

/// The TOML text of a policy for agent `a`.
fn policy_text(levels: &[(usize, usize)], actions: &[usize], dry_run: bool) -> String {
    let res: Vec<String> = levels.iter().map(|&(r, l)| format!("{} = \"{}\"", RESOURCES[r], LEVELS[l])).collect();
    let acts: Vec<String> = actions.iter().map(|&a| format!("\"{}\"", ACTIONS[a])).collect();
    format!(
        "schema_version = 1\n[agents.a]\nmode = \"{}\"\nresources = {{ {} }}\nactions = [{}]\n\
         [agents.a.allow]\nroles = [\"*\"]\norganizations = [\"*\"]\nconnections = [\"*\"]\nclients = [\"*\"]\napis = [\"*\"]\n",
        if dry_run { "dry_run" } else { "enforce" },
        res.join(", "),
        acts.join(", ")
    )
}

/// Every catalog operation is covered, and a policy granting everything allows every
/// minimal request (so the requests are valid and the property below is not vacuous).
#[test]
fn a_policy_granting_everything_allows_every_minimal_request() {
    let levels: Vec<(usize, usize)> = (0..RESOURCES.len()).map(|r| (r, 2)).collect();
    let actions: Vec<usize> = (0..ACTIONS.len()).collect();
    let policy = Policy::from_toml(&policy_text(&levels, &actions, false)).unwrap();
    for a in ACTIONS {
        assert!(Action::parse(a).is_some(), "{a}");
    }
    assert_eq!(Action::ALL.len(), ACTIONS.len(), "an action this test does not know");
    assert_eq!(Resource::ALL.len(), RESOURCES.len(), "a resource this test does not know");
    for op in catalog::ALL {
        for (req, _) in requests(op) {
            let d = policy.decide("a", &req);
            assert!(d.is_allowed(), "{}: {:?}", op.id, d.verdict);
        }
    }
}

fn toml_ish() -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        Just("schema_version = 1\n".to_string()),
        Just("[guardrails]\n".to_string()),
        Just("[agents.a]\n".to_string()),
        Just("[agents.a.allow]\n".to_string()),
        Just("[[agents]]\n".to_string()),
        Just("resources = { users = \"full\" }\n".to_string()),
        Just("actions = [\"delete_users\"]\n".to_string()),
        Just("mode = \"dry_run\"\n".to_string()),
        Just("roles = [\"*\"]\n".to_string()),
        Just("protected_users = [\"auth0|x\"]\n".to_string()),
        "[a-z_.\\[\\]{}=\"' ,#0-9\\n-]{0,40}",
        "\\PC{0,20}",
    ];
    prop::collection::vec(atom, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_never_panic(s in "\\PC{0,300}") {
        let _ = Policy::from_toml(&s);
    }

    #[test]
    fn toml_shaped_text_never_panics(s in toml_ish()) {
        if let Ok(p) = Policy::from_toml(&s) {
            // Whatever loaded can be asked about any operation.
            let _ = p.agent_names();
            for op in catalog::ALL {
                for (req, _) in requests(op) {
                    let _ = p.decide("a", &req);
                }
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = Policy::from_toml(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn a_loaded_policy_allows_nothing_it_does_not_name(
        levels in prop::collection::btree_map(0..RESOURCES.len(), 0..LEVELS.len(), 0..=RESOURCES.len()),
        actions in prop::collection::btree_set(0..ACTIONS.len(), 0..=ACTIONS.len()),
        dry_run in any::<bool>(),
        keep_invalid in prop::bool::weighted(0.1),
    ) {
        let levels: Vec<(usize, usize)> = levels.into_iter().collect();
        let level_of = |r: &str| {
            levels.iter().find(|(i, _)| RESOURCES[*i] == r).map_or("off", |(_, l)| LEVELS[*l])
        };
        // An action needs its resource at `full` (`read` for `read_client_secrets`); a
        // random set mostly breaks that and does not load, so most cases keep only the
        // actions the levels support (those must load), and some keep the raw set.
        let valid = |a: usize| {
            let action = Action::parse(ACTIONS[a]).unwrap();
            match level_of(action.resource().as_str()) {
                "full" => true,
                "read" => Level::required_for(action) == Level::Read,
                _ => false,
            }
        };
        let actions: Vec<usize> = actions.into_iter().filter(|&a| keep_invalid || valid(a)).collect();
        let text = policy_text(&levels, &actions, dry_run);
        let loaded = Policy::from_toml(&text);
        prop_assert!(loaded.is_ok() || keep_invalid, "a consistent policy failed to load: {:?}\n{text}", loaded.err());
        let Ok(policy) = loaded else { return Ok(()) };
        let listed: Vec<&str> = actions.iter().map(|&a| ACTIONS[a]).collect();
        for op in catalog::ALL {
            let level = level_of(op.resource.as_str());
            for (req, needed) in requests(op) {
                let d = policy.decide("a", &req);
                // A dry run passed every check too: it counts as allowed here.
                let allowed = matches!(d.verdict, Verdict::Allow | Verdict::DryRun);
                if !allowed {
                    continue;
                }
                prop_assert!(level != "off", "{} allowed on unnamed/off resource {}:\n{text}", op.id, op.resource);
                prop_assert!(!op.access.is_write() || level == "full", "write {} allowed at {level}:\n{text}", op.id);
                for n in &needed {
                    prop_assert!(listed.contains(n), "{} allowed without `{n}`:\n{text}", op.id);
                }
                prop_assert!(!dry_run || !op.access.is_write() || !d.is_allowed(), "dry run sent {}", op.id);
            }
        }
    }

    #[test]
    fn no_body_key_escapes_its_class(
        keys in prop::collection::vec(key_strategy(), 0..80),
        creds in any::<bool>(),
        meta in any::<bool>(),
    ) {
        let mut acts = Vec::new();
        if creds { acts.push(1); }
        if meta { acts.push(2); }
        let policy = Policy::from_toml(&policy_text(&[(0, 2)], &acts, false)).unwrap();
        let mut body = serde_json::Map::new();
        for (i, k) in keys.iter().enumerate() {
            body.insert(k.clone(), json!(i));
        }
        let (mut need_creds, mut need_meta, mut odd) = (false, false, false);
        for k in body.keys() {
            match classify_user_update_key(k) {
                KeyClass::Harmless => {}
                KeyClass::Credential => need_creds = true,
                KeyClass::AppMetadata => need_meta = true,
                KeyClass::Unknown => { need_creds = true; need_meta = true; }
                KeyClass::OddSpelling => odd = true,
            }
        }
        let req = with_path_id(Request::new(&catalog::USERS_UPDATE), &catalog::USERS_UPDATE).json_value(Value::Object(body));
        let d = policy.decide("a", &req);
        if odd {
            prop_assert_eq!(d.deny_code().map(|c| c.as_str()), Some("invalid_body"));
        } else {
            let want = (!need_creds || creds) && (!need_meta || meta);
            prop_assert_eq!(d.is_allowed(), want, "{:?} creds={} meta={}: {:?}", keys, creds, meta, d.verdict);
        }
    }
}

/// This file's own classification of `users.update` keys (auth0-api.md §6.4).
#[derive(Debug, PartialEq)]
enum KeyClass {
    Harmless,
    Credential,
    AppMetadata,
    Unknown,
    OddSpelling,
}

const HARMLESS: [&str; 7] = ["blocked", "user_metadata", "given_name", "family_name", "name", "nickname", "picture"];
const CREDENTIAL: [&str; 10] = [
    "password",
    "email",
    "email_verified",
    "verify_email",
    "phone_number",
    "phone_verified",
    "verify_phone_number",
    "username",
    "connection",
    "client_id",
];

fn classify_user_update_key(k: &str) -> KeyClass {
    if HARMLESS.contains(&k) {
        return KeyClass::Harmless;
    }
    if CREDENTIAL.contains(&k) {
        return KeyClass::Credential;
    }
    if k == "app_metadata" {
        return KeyClass::AppMetadata;
    }
    let fold =
        |s: &str| s.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect::<String>();
    let known = HARMLESS.iter().chain(CREDENTIAL.iter()).chain(["app_metadata"].iter());
    if k.is_empty() || !k.bytes().all(|b| b.is_ascii_graphic()) || known.into_iter().any(|n| fold(n) == fold(k)) {
        return KeyClass::OddSpelling;
    }
    KeyClass::Unknown
}

fn key_strategy() -> impl Strategy<Value = String> {
    let known: Vec<String> =
        HARMLESS.iter().chain(CREDENTIAL.iter()).chain(["app_metadata"].iter()).map(|s| s.to_string()).collect();
    prop_oneof![
        4 => prop::sample::select(HARMLESS.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
        1 => prop::sample::select(known.clone()),
        1 => prop::sample::select(known).prop_map(|k| k.to_uppercase()),
        1 => "[a-z_]{1,14}",
        1 => "\\PC{1,6}",
    ]
}
