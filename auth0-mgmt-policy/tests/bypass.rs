//! Hostile bodies, one test per class: padding, nested keys, unknown keys, odd
//! spellings, too large or too deep, ids in arrays, non-string ids and ids in unexpected
//! places. Every denial is checked through a guarded client against a mock: denied
//! means zero requests reached it.

mod common;

use auth0_mgmt::catalog::{self, Action, Operation};
use auth0_mgmt::{ClientId, Request, UserId};
use auth0_mgmt_policy::{GuardedClient, MemorySink, Policy};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use wiremock::MockServer;

const POLICY: &str = r#"
schema_version = 1
[guardrails]
protected_users = ["auth0|break-glass"]
protected_clients = ["gateway"]
protected_connections = ["con_protected", "corp-sso"]
protected_roles = ["rol_admin"]

# Users full, no dangerous action.
[agents.support]
resources = { users = "full", clients = "full", connections = "full", organizations = "full", roles = "full", refresh_tokens = "full" }
actions = ["update_clients", "create_clients", "create_connections", "assign_roles", "revoke_refresh_tokens"]
[agents.support.allow]
roles = ["*"]
clients = ["*"]
connections = ["*"]
apis = ["*"]

# Credentials but not app_metadata.
[agents.creds]
resources = { users = "full" }
actions = ["update_user_credentials"]
[agents.creds.allow]
connections = ["*"]

# Everything on users.
[agents.owner]
resources = { users = "full", clients = "full" }
actions = ["update_user_credentials", "update_app_metadata", "update_clients", "update_client_credentials", "create_clients"]
[agents.owner.allow]
connections = ["*"]
clients = ["*"]
"#;

struct Env {
    server: MockServer,
    client: auth0_mgmt::Client,
}

async fn env() -> Env {
    let server = common::server().await;
    common::ok_everything(&server).await;
    let client = common::client(&server);
    Env { server, client }
}

impl Env {
    fn agent(&self, name: &str) -> (GuardedClient, Arc<MemorySink>) {
        common::guarded(&self.client, POLICY, name)
    }

    /// Runs `req` as `agent`; returns the deny code (or "allowed") and whether anything
    /// reached the server, checking that a denial sent nothing.
    async fn run(&self, agent: &str, req: Request) -> String {
        let (g, _) = self.agent(agent);
        let before = common::api_requests(&self.server).await.len();
        let r = g.execute::<Value>(req).await;
        let sent = common::api_requests(&self.server).await.len() - before;
        match r {
            Ok(_) => {
                assert_eq!(sent, 1);
                "allowed".into()
            }
            Err(e) => {
                let d = e.denial().unwrap_or_else(|| panic!("not a denial: {e}"));
                assert_eq!(sent, 0, "denied ({}) but {sent} request(s) reached the server", d.code);
                d.code.clone()
            }
        }
    }
}

fn uid(s: &str) -> UserId {
    UserId::new(s).unwrap()
}

fn update(body: Value) -> Request {
    Request::new(&catalog::USERS_UPDATE).id(&uid("auth0|u1")).json_value(body)
}

/// `n` throw-away keys (harmless names the catalog does not know would count as
/// unknown; these are known and harmless) followed by `key: value`.
fn padded(n: usize, known_harmless: &[&str], key: &str, value: Value) -> Value {
    let mut m = Map::new();
    for i in 0..n {
        // Known harmless keys first, then nested padding inside user_metadata.
        let k = known_harmless[i % known_harmless.len()];
        m.insert(k.to_owned(), json!(format!("pad{i}")));
    }
    let mut meta = Map::new();
    for i in 0..n {
        meta.insert(format!("pad_{i:04}"), json!(i));
    }
    m.insert("user_metadata".into(), Value::Object(meta));
    m.insert(key.to_owned(), value);
    Value::Object(m)
}

#[tokio::test]
async fn padding_never_hides_a_key() {
    let env = env().await;
    let harmless = ["name", "nickname", "given_name", "family_name", "picture", "blocked"];
    for n in [0, 31, 32, 33, 100, 2000] {
        // users.update: app_metadata after the padding.
        let body = padded(n, &harmless, "app_metadata", json!({"plan": "pro"}));
        assert_eq!(env.run("support", update(body.clone())).await, "action_not_granted", "update, {n} keys");
        assert_eq!(env.run("owner", update(body)).await, "allowed", "update, {n} keys");
        // users.create: the same with an agent granted no dangerous action at all.
        let mut body = padded(n, &harmless, "app_metadata", json!({"role": "admin"}));
        body["connection"] = json!("db");
        let create = Request::new(&catalog::USERS_CREATE).json_value(body);
        assert_eq!(env.run("creds", create).await, "action_not_granted", "create, {n} keys");
        // The password after the padding.
        let body = padded(n, &harmless, "password", json!("hunter2-hunter2"));
        assert_eq!(env.run("support", update(body)).await, "action_not_granted", "password, {n} keys");
    }
    // The audit record names every top-level key, app_metadata included.
    let (support, sink) = env.agent("support");
    let mut body = padded(40, &["name"], "app_metadata", json!({}));
    for i in 0..40 {
        body[format!("zz_unknown_{i:02}")] = json!(1);
    }
    let e = support.execute::<Value>(update(body)).await.unwrap_err();
    let reason = &e.denial().unwrap().reason;
    assert!(reason.contains("app_metadata"), "{reason}");
    let r = &sink.records()[0];
    assert!(r.fields.iter().any(|f| f == "app_metadata"), "{:?}", r.fields);
    assert_eq!(r.fields.len(), 43, "name, user_metadata, app_metadata and 40 unknown");
    assert!(r.message.contains("and 23 more"), "the sentence shortens the list: {}", r.message);
}

#[tokio::test]
async fn nested_keys_are_classified() {
    let env = env().await;
    let cid: ClientId = "cli_1".parse().unwrap();
    let patch = |body: Value| Request::new(&catalog::CLIENTS_UPDATE).id(&cid).json_value(body);
    let create = |body: Value| Request::new(&catalog::CLIENTS_CREATE).json_value(body);
    // support may update clients but not their credentials.
    assert_eq!(env.run("support", patch(json!({"jwt_configuration": {"lifetime_in_seconds": 60}}))).await, "allowed");
    for body in [
        json!({"jwt_configuration": {"lifetime_in_seconds": 60, "alg": "HS256"}}),
        json!({"jwt_configuration": {"secret_encoded": true}}),
        json!({"jwt_configuration": null}),
        json!({"jwt_configuration": "RS256"}),
        json!({"jwt_configuration": {"brand_new_signing_knob": 1}}),
        json!({"client_authentication_methods": {"private_key_jwt": {"credentials": [{"id": "cred_1"}]}}}),
        json!({"client_secret": "rotated-secret-value"}),
        json!({"token_endpoint_auth_method": "none"}),
        json!({"encryption_key": {"pub": "k"}}),
    ] {
        assert_eq!(env.run("support", patch(body.clone())).await, "action_not_granted", "{body}");
        assert_eq!(env.run("owner", patch(body.clone())).await, "allowed", "{body}");
    }
    let mut padded = Map::new();
    for i in 0..64 {
        padded.insert(["description", "logo_uri", "callbacks"][i % 3].into(), json!("x"));
        padded.insert(format!("client_metadata_{i}"), json!("x"));
    }
    padded.insert("name".into(), json!("app"));
    padded.insert("client_authentication_methods".into(), json!({}));
    assert_eq!(env.run("support", create(Value::Object(padded))).await, "action_not_granted");
    // app_metadata: every nested key counts, an empty object (which wipes it) too.
    for meta in [json!({}), json!(null), json!({"a": {"b": {"c": 1}}})] {
        assert_eq!(env.run("creds", update(json!({ "app_metadata": meta }))).await, "action_not_granted");
    }
}

#[tokio::test]
async fn unknown_keys_count_as_the_most_sensitive_class() {
    let env = env().await;
    // users.update's most sensitive class needs both credential and app_metadata actions.
    assert_eq!(env.run("creds", update(json!({"password": "p-p-p-p-p"}))).await, "allowed");
    for key in ["brand_new_field", "phone", "app_metadata2", "x-forwarded-for", "ROLES_x"] {
        let mut body = Map::new();
        body.insert(key.into(), json!(1));
        assert_eq!(env.run("creds", update(Value::Object(body.clone()))).await, "action_not_granted", "{key}");
        assert_eq!(env.run("owner", update(Value::Object(body))).await, "allowed", "{key}");
    }
    let (creds, _) = env.agent("creds");
    let e = creds.execute::<Value>(update(json!({"brand_new_field": 1}))).await.unwrap_err();
    let reason = &e.denial().unwrap().reason;
    assert!(reason.contains("update_app_metadata") && reason.contains("brand_new_field"), "{reason}");
    // users.create: an unknown key needs update_app_metadata (its most sensitive class).
    let create = Request::new(&catalog::USERS_CREATE).json_value(json!({"connection": "db", "app_metadata_v2": {}}));
    assert_eq!(env.run("creds", create).await, "action_not_granted");
}

#[tokio::test]
async fn odd_spellings_are_refused() {
    let env = env().await;
    let keys = [
        "App_Metadata",
        "APP_METADATA",
        "app-metadata",
        "appMetadata",
        "app_metadata ",
        " app_metadata",
        "app__metadata",
        "app.metadata",
        "app_metad\u{0430}ta",
        "app_metadata\u{200b}",
        "app_metadata\u{0}",
        "Password",
        "PASSWORD",
        "",
    ];
    for key in keys {
        let mut body = Map::new();
        body.insert(key.into(), json!({"plan": "pro"}));
        assert_eq!(env.run("owner", update(Value::Object(body))).await, "invalid_body", "{key:?}");
    }
    // A second spelling of an id field could smuggle ids past the allow-list.
    let assign = Request::new(&catalog::USERS_ASSIGN_ROLES)
        .id(&uid("auth0|u1"))
        .json_value(json!({"roles": ["rol_ok"], "Roles": ["rol_admin"]}));
    assert_eq!(env.run("support", assign).await, "invalid_body");
    // JSON escapes are decoded before classification: this *is* app_metadata.
    let body: Value = serde_json::from_str(r#"{"app\u005fmetadata": {"plan": "pro"}}"#).unwrap();
    assert_eq!(env.run("creds", update(body)).await, "action_not_granted");
    // Duplicate keys collapse to the last one before anything is checked or sent.
    let body: Value = serde_json::from_str(r#"{"app_metadata": {"a": 1}, "app_metadata": {"b": 2}}"#).unwrap();
    assert_eq!(body, json!({"app_metadata": {"b": 2}}));
}

#[tokio::test]
async fn bodies_too_large_or_too_deep_are_refused() {
    let env = env().await;
    let mut deep = json!(1);
    for _ in 0..200 {
        deep = json!([deep]);
    }
    assert_eq!(env.run("owner", update(json!({"user_metadata": deep}))).await, "invalid_body");
    let wide: Map<String, Value> = (0..20_000).map(|i| (format!("k{i}"), json!(i))).collect();
    assert_eq!(env.run("owner", update(json!({"user_metadata": wide}))).await, "invalid_body");
    let big = "x".repeat(2 << 20);
    assert_eq!(env.run("owner", update(json!({"nickname": big}))).await, "invalid_body");
    let (owner, _) = env.agent("owner");
    let e = owner.execute::<Value>(update(json!({"nickname": "x".repeat(2 << 20)}))).await.unwrap_err();
    assert!(e.denial().unwrap().reason.contains("too large to check"), "{}", e.denial().unwrap().reason);
    // A body on an operation that takes none, and a non-object body.
    let del = Request::new(&catalog::USERS_DELETE).id(&uid("auth0|u1")).json_value(json!({"cascade": true}));
    let (admin, _) = common::guarded(
        &env.client,
        "schema_version = 1\n[agents.a]\nresources = { users = \"full\" }\nactions = [\"delete_users\"]\n",
        "a",
    );
    assert!(admin.execute::<Value>(del).await.unwrap_err().is_denied());
    assert_eq!(env.run("owner", update(json!(["app_metadata"]))).await, "invalid_body");
    assert_eq!(env.run("owner", update(json!("app_metadata"))).await, "invalid_body");
    assert!(common::api_requests(&env.server).await.is_empty());
}

#[tokio::test]
async fn ids_in_arrays_of_other_types_and_in_unexpected_places() {
    let env = env().await;
    let roles = |v: Value| Request::new(&catalog::USERS_ASSIGN_ROLES).id(&uid("auth0|u1")).json_value(v);
    for bad in [
        json!({"roles": [123]}),
        json!({"roles": [null]}),
        json!({"roles": [["rol_admin"]]}),
        json!({"roles": [{"id": "rol_admin"}]}),
        json!({"roles": "rol_admin"}),
        json!({"roles": {"0": "rol_admin"}}),
        json!({"roles": []}),
    ] {
        assert_eq!(env.run("support", roles(bad.clone())).await, "invalid_target", "{bad}");
    }
    // A protected role anywhere in the batch.
    let mut batch: Vec<String> = (0..99).map(|i| format!("rol_{i}")).collect();
    batch.push("ROL_ADMIN".into());
    assert_eq!(env.run("support", roles(json!({ "roles": batch }))).await, "protected_target");
    // More ids than one call may carry.
    let many: Vec<String> = (0..101).map(|i| format!("rol_{i}")).collect();
    assert_eq!(env.run("support", roles(json!({ "roles": many }))).await, "invalid_target");
    // Enabling a new connection for the gateway changes how the gateway signs in.
    let conn = Request::new(&catalog::CONNECTIONS_CREATE)
        .json_value(json!({"name": "new-conn", "strategy": "auth0", "enabled_clients": ["app", "gateway"]}));
    assert_eq!(env.run("support", conn).await, "protected_target");
    let conn = Request::new(&catalog::CONNECTIONS_CREATE).json_value(json!({"name": "corp-sso", "strategy": "auth0"}));
    assert_eq!(env.run("support", conn).await, "protected_target");
    // An id nested in a list of objects.
    let org = Request::new(&catalog::ORGANIZATIONS_CREATE).json_value(
        json!({"name": "o", "enabled_connections": [{"connection_id": "con_ok"}, {"connection_id": "con_protected"}]}),
    );
    assert_eq!(env.run("support", org).await, "protected_target");
    let org = Request::new(&catalog::ORGANIZATIONS_CREATE)
        .json_value(json!({"name": "o", "enabled_connections": [{"connection_id": 5}]}));
    assert_eq!(env.run("support", org).await, "invalid_target");
    // Revocation: ids, a user, a client; exactly one accepted shape.
    let revoke = |v: Value| Request::new(&catalog::REFRESH_TOKENS_REVOKE).json_value(v);
    assert_eq!(env.run("support", revoke(json!({"user_id": "auth0|break-glass"}))).await, "protected_target");
    assert_eq!(
        env.run("support", revoke(json!({"user_id": "auth0|u1", "client_id": "GATEWAY"}))).await,
        "protected_target"
    );
    assert_eq!(env.run("support", revoke(json!({"user_id": 42}))).await, "invalid_target");
    assert_eq!(env.run("support", revoke(json!({"ids": ["rt_1"], "user_id": "auth0|u1"}))).await, "invalid_body");
    assert_eq!(env.run("support", revoke(json!({"ids": ["rt_1"]}))).await, "allowed");
    // users.update can name a connection and a client: both are checked against guardrails.
    assert_eq!(
        env.run("owner", update(json!({"connection": "corp-sso", "password": "p-p-p-p-p"}))).await,
        "protected_target"
    );
    assert_eq!(
        env.run("owner", update(json!({"client_id": "gateway", "email": "a@example.com"}))).await,
        "protected_target"
    );
}

/// Every write operation of the catalog, walked: its most sensitive class is what an
/// unknown key needs, and an agent missing any one of those actions is refused (and the
/// walk covers every write with a body).
#[tokio::test]
async fn every_write_operation_refuses_an_unknown_key_without_its_most_sensitive_class() {
    for op in catalog::ALL.iter().copied().filter(|op| op.access.is_write()) {
        let sensitive: Vec<Action> = op.most_sensitive().iter().collect();
        if op.body.keys.is_empty() {
            continue;
        }
        // A body restricted to a few exact shapes refuses an unknown key outright.
        let want = if op.body.one_of.is_empty() { "action_not_granted" } else { "invalid_body" };
        for missing in &sensitive {
            let granted: Vec<String> = sensitive.iter().filter(|a| *a != missing).map(|a| format!("\"{a}\"")).collect();
            let text = format!(
                "schema_version = 1\n[agents.a]\nresources = {{ {} = \"full\" }}\nactions = [{}]\n[agents.a.allow]\n\
                 roles = [\"*\"]\norganizations = [\"*\"]\nconnections = [\"*\"]\nclients = [\"*\"]\napis = [\"*\"]\n",
                op.resource,
                granted.join(", ")
            );
            let policy = Policy::from_toml(&text).unwrap();
            let req = with_unknown_key(op);
            let d = policy.decide("a", &req);
            assert_eq!(d.deny_code().map(|c| c.as_str()), Some(want), "{} without {missing}", op.id);
        }
    }
}

/// A minimal valid request of `op` with one key the catalog does not know.
fn with_unknown_key(op: &'static Operation) -> Request {
    let mut body = Map::new();
    for slot in op.body.ids.iter().filter(|s| s.required) {
        let id = match slot.kind {
            auth0_mgmt::catalog::IdKind::User => "auth0|x",
            _ => "id_1",
        };
        let v = match slot.at {
            auth0_mgmt::catalog::IdPath::List(_) => json!([id]),
            _ => json!(id),
        };
        body.insert(slot.at.key().into(), v);
    }
    body.insert("an_unknown_key".into(), json!(1));
    let mut req = Request::new(op).json_value(Value::Object(body));
    if let Some(p) = op.path_id {
        req = match p.kind {
            auth0_mgmt::catalog::IdKind::User => req.id(&uid("auth0|u1")),
            auth0_mgmt::catalog::IdKind::Client => req.id(&"cli_1".parse::<ClientId>().unwrap()),
            auth0_mgmt::catalog::IdKind::Organization => {
                req.id(&"org_1".parse::<auth0_mgmt::OrganizationId>().unwrap())
            }
            auth0_mgmt::catalog::IdKind::RefreshToken => req.id(&"rt_1".parse::<auth0_mgmt::RefreshTokenId>().unwrap()),
            auth0_mgmt::catalog::IdKind::Session => req.id(&"s_1".parse::<auth0_mgmt::SessionId>().unwrap()),
            other => panic!("{}: no sample path id of kind {other}", op.id),
        };
    }
    req
}
