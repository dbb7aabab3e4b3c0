//! Enforcement through a guarded client: guardrails, scopes (also after a refresh),
//! unknown agents, traversal ids, allow-lists, user-update fields, dry run, redaction.

mod common;

use std::sync::Arc;

use auth0_mgmt::{Client, ClientId, Request, RoleId, UserId, catalog};
use auth0_mgmt_policy::{AuditDecision, GuardedClient, MemorySink, Policy, RecordPhase};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

const POLICY: &str = r#"
schema_version = 1

[guardrails]
protected_users = ["auth0|break-glass"]
protected_roles = ["rol_admin"]
protected_clients = ["gateway"]

[agents.admin-bot]
resources = { users = "full", roles = "full", clients = "full" }
actions = ["delete_users", "assign_roles", "update_clients", "delete_clients", "read_client_secrets", "update_user_credentials"]
[agents.admin-bot.allow]
roles = ["*"]
clients = ["*"]

[agents.support-bot]
resources = { users = "full", roles = "read", clients = "read" }

[agents.provisioner]
resources = { users = "full", roles = "full" }
actions = ["assign_roles", "update_app_metadata"]
[agents.provisioner.allow]
roles = ["rol_support", "rol_viewer"]
connections = ["db"]

[agents.dry]
mode = "dry_run"
resources = { users = "full", roles = "full" }
actions = ["assign_roles", "delete_users"]
[agents.dry.allow]
roles = ["*"]
"#;

fn uid(s: &str) -> UserId {
    UserId::new(s).unwrap()
}

fn assign(user: &str, roles: &[&str]) -> Request {
    Request::new(&catalog::USERS_ASSIGN_ROLES).id(&uid(user)).json_value(json!({ "roles": roles }))
}

#[tokio::test]
async fn guardrail_beats_grant() {
    let server = common::server().await;
    common::ok_everything(&server).await;
    let client = common::client(&server);
    let (admin, sink) = common::guarded(&client, POLICY, "admin-bot");

    let r = admin.execute::<Value>(assign("auth0|u1", &["rol_support", "rol_admin"])).await;
    assert_eq!(common::code(&r), "protected_target");
    let e = admin.users().delete(&uid("auth0|break-glass")).await.unwrap_err();
    assert_eq!(e.denial().unwrap().code, "protected_target");
    // Case and percent-encoding do not get around a guardrail.
    for sneaky in ["AUTH0|Break-Glass", "auth0%7Cbreak-glass", "auth0%257Cbreak-glass"] {
        let e = admin.users().delete(&uid(sneaky)).await.unwrap_err();
        assert_eq!(e.denial().unwrap().code, "protected_target", "{sneaky}");
    }
    let r = admin
        .execute::<Value>(
            Request::new(&catalog::CLIENTS_DELETE).id(&"gateway".parse::<auth0_mgmt::ClientId>().unwrap()),
        )
        .await;
    assert_eq!(common::code(&r), "protected_target");
    // Reading a protected user is not changing it.
    admin.execute::<Value>(Request::new(&catalog::USERS_GET).id(&uid("auth0|break-glass"))).await.unwrap();

    assert_eq!(common::api_requests(&server).await.len(), 1, "only the read was sent");
    let s = sink.sentences();
    assert_eq!(s.len(), 7);
    assert!(
        s[1].starts_with(
            "admin-bot tried to delete user auth0|break-glass — denied: user auth0|break-glass is protected"
        ),
        "{}",
        s[1]
    );
}

#[tokio::test]
async fn missing_scope_is_denied_locally_and_named() {
    let server = common::server().await;
    common::ok_everything(&server).await;
    // update:users but not create:role_members.
    let client = common::client_with_scopes(&server, "read:users update:users");
    let (prov, sink) = common::guarded(&client, POLICY, "provisioner");
    let r = prov.execute::<Value>(assign("auth0|u1", &["rol_support"])).await;
    let e = r.unwrap_err();
    let d = e.denial().unwrap();
    assert_eq!(d.code, "missing_scope");
    assert!(d.reason.contains("create:role_members") && !d.reason.contains("update:users"), "{}", d.reason);
    assert!(common::api_requests(&server).await.is_empty());
    assert_eq!(
        sink.sentences(),
        ["provisioner tried to assign role rol_support to user auth0|u1 — denied: the access token lacks the scope \
          create:role_members needed to assign roles to user"]
    );

    // An opaque token carries no readable scopes: everything is denied (fail closed).
    let opaque = Client::builder().base_url(server.uri()).token("opaque").build().unwrap();
    let (support, _) = common::guarded(&opaque, POLICY, "support-bot");
    let e = support.users().get(&uid("auth0|u1")).await.unwrap_err();
    assert_eq!(e.denial().unwrap().code, "missing_scope");
    assert!(e.denial().unwrap().reason.contains("read:users"));
    assert!(common::api_requests(&server).await.is_empty());
}

#[tokio::test]
async fn scopes_are_re_read_after_a_token_refresh() {
    let server = common::server().await;
    let all = common::all_scopes();
    // First token: every scope, but granted for 0 s (the refresh margin is capped at half
    // the lifetime), so the next call after a second (the least a token is used) refreshes; the second token lost
    // `create:role_members`.
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "tok-1", "token_type": "Bearer", "expires_in": 0, "scope": all})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "tok-2", "token_type": "Bearer", "expires_in": 86400, "scope": "read:users update:users"}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v2/users/auth0%7Cu1/roles"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client = Client::builder().base_url(server.uri()).client_credentials("cid", "csecret").build().unwrap();
    let (prov, _sink) = common::guarded(&client, POLICY, "provisioner");

    prov.execute::<()>(assign("auth0|u1", &["rol_support"])).await.expect("first token has the scopes");
    // A token is used for at least a second, whatever its lifetime (one mint a second).
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let e = prov.execute::<()>(assign("auth0|u1", &["rol_support"])).await.unwrap_err();
    let d = e.denial().expect("denied after the refresh");
    assert_eq!(d.code, "missing_scope");
    assert!(d.reason.contains("create:role_members"), "{}", d.reason);
    assert_eq!(common::api_requests(&server).await.len(), 1, "the second assignment was never sent");
    let mints = server.received_requests().await.unwrap().iter().filter(|r| r.url.path() == "/oauth/token").count();
    assert_eq!(mints, 2);
}

#[tokio::test]
async fn unknown_agent_is_denied() {
    let server = common::server().await;
    common::ok_everything(&server).await;
    let client = common::client(&server);
    let (nobody, sink) = common::guarded(&client, POLICY, "nobody");
    let e = nobody.users().get(&uid("auth0|u1")).await.unwrap_err();
    assert_eq!(e.denial().unwrap().code, "unknown_agent");
    assert!(common::api_requests(&server).await.is_empty());
    assert_eq!(sink.sentences(), ["nobody tried to read user auth0|u1 — denied: the policy names no such agent"]);

    // A policy that failed to load denies everyone.
    let broken = Arc::new(Policy::load_or_deny_all("/nonexistent/policy.toml"));
    assert!(broken.is_deny_all());
    let g = GuardedClient::new(&client, broken, "support-bot", Arc::new(MemorySink::new()));
    let e = g.users().get(&uid("auth0|u1")).await.unwrap_err();
    assert_eq!(e.denial().unwrap().code, "policy_not_loaded");
    assert!(common::api_requests(&server).await.is_empty());
}

#[tokio::test]
async fn traversal_ids_never_reach_another_endpoint() {
    let server = common::server().await;
    common::ok_everything(&server).await;
    let client = common::client(&server);
    let (support, sink) = common::guarded(&client, POLICY, "support-bot");
    let (admin, _) = common::guarded(&client, POLICY, "admin-bot");

    // `..` and `%2e%2e` cannot even become ids.
    for bad in ["..", "%2e%2e", "%2E%2e", "."] {
        assert!(UserId::new(bad).is_err(), "{bad}");
        assert!(RoleId::new(bad).is_err(), "{bad}");
    }
    // Ids that look like paths or queries stay one encoded segment of the users endpoint.
    for id in ["x/../../clients", "a?b", "..%2F..%2Fclients", "a#b"] {
        support.users().get(&uid(id)).await.unwrap_or_else(|e| panic!("{id}: {e}"));
    }
    // Body ids are validated too: a batch holding `..` or `%2e%2e` is refused whole.
    for bad in ["..", "%2e%2e", "rol_ok\n"] {
        let r = admin.execute::<Value>(assign("auth0|u1", &["rol_ok", bad])).await;
        assert_eq!(common::code(&r), "invalid_target", "{bad:?}");
    }
    let reqs = common::api_requests(&server).await;
    assert_eq!(reqs.len(), 4);
    for r in &reqs {
        let p = r.url.path();
        assert!(p.starts_with("/api/v2/users/") && p.matches('/').count() == 4, "{p}");
        assert!(r.url.query().is_none() && r.url.fragment().is_none(), "{}", r.url);
        assert_eq!(r.method.as_str(), "GET");
    }
    assert_eq!(reqs[0].url.path(), "/api/v2/users/x%2F..%2F..%2Fclients");
    assert_eq!(reqs[1].url.path(), "/api/v2/users/a%3Fb");
    assert_eq!(sink.records().len(), 4);
}

#[tokio::test]
async fn assignable_roles_mixed_batch_is_denied_whole() {
    let server = common::server().await;
    common::ok_everything(&server).await;
    let client = common::client(&server);
    let (prov, sink) = common::guarded(&client, POLICY, "provisioner");
    let r = prov.execute::<Value>(assign("auth0|u1", &["rol_support", "rol_billing", "rol_viewer", "rol_owner"])).await;
    let e = r.unwrap_err();
    let d = e.denial().unwrap();
    assert_eq!(d.code, "not_allow_listed");
    assert!(d.reason.contains("rol_billing, rol_owner") && d.reason.contains("whole batch of 4"), "{}", d.reason);
    assert!(common::api_requests(&server).await.is_empty(), "nothing assigned");
    // The same call with only listed roles goes through.
    prov.execute::<Value>(assign("auth0|u1", &["rol_support", "rol_viewer"])).await.unwrap();
    assert_eq!(common::api_requests(&server).await.len(), 1);
    let records = sink.outcomes();
    assert_eq!(records[0].targets.len(), 5);
    assert_eq!(
        records[1].message.split(" — ").next().unwrap(),
        "provisioner assigned roles rol_support, rol_viewer to user auth0|u1"
    );
    // users.create is allow-listed by connection name.
    let create =
        |conn: &str| Request::new(&catalog::USERS_CREATE).json_value(json!({"connection": conn, "email": "a@b.c"}));
    assert_eq!(common::code(&prov.execute::<Value>(create("google-oauth2")).await), "not_allow_listed");
    prov.execute::<Value>(create("db")).await.unwrap();
}

#[tokio::test]
async fn user_update_fields_need_their_action() {
    let server = common::server().await;
    common::ok_everything(&server).await;
    let client = common::client(&server);
    let (support, _) = common::guarded(&client, POLICY, "support-bot"); // users full, no actions
    let (prov, _) = common::guarded(&client, POLICY, "provisioner"); // update_app_metadata
    let (admin, _) = common::guarded(&client, POLICY, "admin-bot"); // update_user_credentials
    let update = |body: Value| Request::new(&catalog::USERS_UPDATE).id(&uid("auth0|u1")).json_value(body);

    // Innocent fields need no action.
    support
        .execute::<Value>(update(json!({"name": "Ada", "user_metadata": {"theme": "dark"}, "blocked": true})))
        .await
        .unwrap();
    // The typed handler takes the same path.
    let changes = auth0_mgmt::users::UpdateUser::new().nickname("ada");
    support.users().update(&uid("auth0|u1"), &changes).await.unwrap();

    for (body, action) in [
        (json!({"app_metadata": {"plan": "pro"}}), "update_app_metadata"),
        (json!({"password": "hunter2-hunter2"}), "update_user_credentials"),
        (json!({"email": "new@example.com"}), "update_user_credentials"),
        (json!({"name": "x", "some_new_field": 1}), "update_user_credentials"),
    ] {
        let e = support.execute::<Value>(update(body.clone())).await.unwrap_err();
        let d = e.denial().unwrap();
        assert_eq!(d.code, "action_not_granted", "{body}");
        assert!(d.reason.contains(action), "{body}: {}", d.reason);
    }
    let sent = common::api_requests(&server).await.len();
    assert_eq!(sent, 2);
    prov.execute::<Value>(update(json!({"app_metadata": {"plan": "pro"}, "name": "x"}))).await.unwrap();
    assert_eq!(
        common::code(&prov.execute::<Value>(update(json!({"app_metadata": {}, "password": "pw-pw-pw-pw"}))).await),
        "action_not_granted"
    );
    admin.execute::<Value>(update(json!({"password": "hunter2-hunter2"}))).await.unwrap();
    admin.execute::<Value>(update(json!({"email": "new@example.com", "verify_email": true}))).await.unwrap();
    assert_eq!(
        common::code(&admin.execute::<Value>(update(json!({"app_metadata": {"a": 1}}))).await),
        "action_not_granted"
    );
    assert_eq!(common::api_requests(&server).await.len(), sent + 3);
}

#[tokio::test]
async fn dry_run_sends_no_write() {
    let server = common::server().await;
    common::ok_everything(&server).await;
    let client = common::client(&server);
    let (dry, sink) = common::guarded(&client, POLICY, "dry");

    let e = dry.execute::<Value>(assign("auth0|u1", &["rol_support"])).await.unwrap_err();
    assert!(e.denial().unwrap().dry_run);
    let e = dry.users().delete(&uid("auth0|u2")).await.unwrap_err();
    assert!(e.is_denied() && e.denial().unwrap().dry_run);
    // A dry run still decides: an action it lacks is denied, not "would".
    let e = dry
        .execute::<Value>(
            Request::new(&catalog::USERS_UPDATE).id(&uid("auth0|u1")).json_value(json!({"password": "p-p-p-p-p"})),
        )
        .await;
    assert_eq!(common::code(&e), "action_not_granted");
    // Reads are sent.
    dry.users().get(&uid("auth0|u1")).await.unwrap();

    let reqs = common::api_requests(&server).await;
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method.as_str(), "GET");
    let s = sink.outcome_sentences();
    assert_eq!(s[0], "dry would assign role rol_support to user auth0|u1 — allowed, not executed: dry run");
    assert_eq!(s[1], "dry would delete user auth0|u2 — allowed, not executed: dry run");
    let r = sink.outcomes();
    assert_eq!(r[0].code, "dry_run");
    assert!(!r[0].outcome.executed);
    assert_eq!(serde_json::to_value(&r[0]).unwrap()["mode"], "dry_run");
    // The two dry-run writes passed every check, so each has its write-ahead record too,
    // exactly as in enforce mode.
    let intents: Vec<_> = sink.records().into_iter().filter(|r| r.phase == RecordPhase::Intent).collect();
    assert_eq!(intents.len(), 2);
    assert!(intents.iter().all(|r| r.code == "dry_run" && r.decision == AuditDecision::DryRun));
}

/// Dry run runs every check enforce runs — targets, guardrails, level, actions,
/// allow-lists, token scopes, the audit write-ahead — and differs only in not sending the
/// write: each call below gets the same answer from both agents, except that where
/// enforce sends, dry run says "not executed: dry run".
#[tokio::test]
async fn dry_run_decides_exactly_like_enforce() {
    const TWINS: &str = r#"
schema_version = 1
[guardrails]
protected_users = ["auth0|break-glass"]
[agents.real]
resources = { users = "full", roles = "full", clients = "read" }
actions = ["delete_users", "assign_roles"]
[agents.real.allow]
roles = ["rol_ok"]
[agents.rehearsal]
mode = "dry_run"
resources = { users = "full", roles = "full", clients = "read" }
actions = ["delete_users", "assign_roles"]
[agents.rehearsal.allow]
roles = ["rol_ok"]
"#;
    let server = common::server().await;
    common::ok_everything(&server).await;
    // The token lacks `delete:users`.
    let client = common::client_with_scopes(&server, "read:users update:users create:role_members read:clients");
    let (real, real_sink) = common::guarded(&client, TWINS, "real");
    let (rehearsal, dry_sink) = common::guarded(&client, TWINS, "rehearsal");
    let cases: Vec<(Request, Option<&str>)> = vec![
        (Request::new(&catalog::USERS_DELETE).id(&uid("auth0|u1")), Some("missing_scope")),
        (Request::new(&catalog::USERS_DELETE).id(&uid("auth0|break-glass")), Some("protected_target")),
        (assign("auth0|u1", &["rol_other"]), Some("not_allow_listed")),
        (assign("auth0|u1", &["rol_ok", ".."]), Some("invalid_target")),
        (
            Request::new(&catalog::USERS_UPDATE).id(&uid("auth0|u1")).json_value(json!({"app_metadata": {}})),
            Some("action_not_granted"),
        ),
        (Request::new(&catalog::CLIENTS_DELETE).id(&"cli_1".parse::<ClientId>().unwrap()), Some("read_only")),
        (Request::new(&catalog::ROLES_CREATE).json_value(json!({"Name": "x"})), Some("invalid_body")),
        (assign("auth0|u1", &["rol_ok"]), None),
    ];
    for (req, want) in cases {
        let before = common::api_requests(&server).await.len();
        let enforce = real.execute::<Value>(req.clone()).await;
        let sent = common::api_requests(&server).await.len() - before;
        let dry = rehearsal.execute::<Value>(req.clone()).await;
        assert_eq!(common::api_requests(&server).await.len() - before, sent, "{req:?}: dry run sent a write");
        match want {
            Some(code) => {
                assert_eq!(sent, 0, "{req:?}");
                let (e, d) = (enforce.unwrap_err(), dry.unwrap_err());
                let (e, d) = (e.denial().unwrap(), d.denial().unwrap());
                assert_eq!(e.code, code, "{req:?}");
                assert_eq!((&e.code, &e.reason), (&d.code, &d.reason), "{req:?}: dry run disagrees with enforce");
            }
            None => {
                assert_eq!(sent, 1, "{req:?}");
                enforce.unwrap();
                assert!(dry.unwrap_err().denial().unwrap().dry_run, "{req:?}");
            }
        }
    }
    // The records agree too: same codes, call for call; "allowed" became "dry_run".
    let codes = |s: &MemorySink| s.outcomes().into_iter().map(|r| r.code).collect::<Vec<_>>();
    let mut expected = codes(&real_sink);
    *expected.last_mut().unwrap() = "dry_run".into();
    assert_eq!(codes(&dry_sink), expected);
}

/// With a token lacking `delete:users`, dry run denies `users.delete` for the missing
/// scope exactly as enforce does (it used to say "allowed, not executed").
#[tokio::test]
async fn dry_run_denies_a_missing_scope_like_enforce() {
    let server = common::server().await;
    common::ok_everything(&server).await;
    let client = common::client_with_scopes(&server, "read:users update:users");
    let (dry, sink) = common::guarded(&client, POLICY, "dry");
    let e = dry.users().delete(&uid("auth0|u2")).await.unwrap_err();
    let d = e.denial().unwrap();
    assert_eq!(d.code, "missing_scope");
    assert!(!d.dry_run && d.reason.contains("delete:users"), "{}", d.reason);
    assert!(common::api_requests(&server).await.is_empty());
    assert_eq!(sink.records().len(), 1, "denied before the write-ahead point");
    assert!(sink.sentences()[0].starts_with("dry tried to delete user auth0|u2 — denied: the access token lacks"));
}

#[tokio::test]
async fn secrets_are_redacted_unless_granted() {
    let server = common::server().await;
    let body = json!({"client_id": "cli_1", "name": "app", "client_secret": "s3cret", "signing_keys": [{"cert": "c"}],
        "encryption_key": {"pub": "k"}, "refresh_token": {"rotation_type": "rotating"}});
    Mock::given(method("GET"))
        .and(path("/api/v2/clients/cli_1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body.clone()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/clients/gateway"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"client_id": "gateway", "client_secret": "gw"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/users/auth0%7Cu1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"user_id": "auth0|u1",
            "identities": [{"provider": "google-oauth2", "user_id": "1", "connection": "google-oauth2", "isSocial": true,
                "access_token": "ya29.idp-token", "refresh_token": "1//idp-refresh"}]})))
        .mount(&server)
        .await;
    let client = common::client(&server);
    let (support, _) = common::guarded(&client, POLICY, "support-bot");
    let (admin, _) = common::guarded(&client, POLICY, "admin-bot");
    let get = |id: &str| Request::new(&catalog::CLIENTS_GET).id(&id.parse::<auth0_mgmt::ClientId>().unwrap());

    let seen: Value = support.execute(get("cli_1")).await.unwrap();
    assert_eq!(seen, json!({"client_id": "cli_1", "name": "app", "refresh_token": {"rotation_type": "rotating"}}));
    let seen: Value = admin.execute(get("cli_1")).await.unwrap();
    assert_eq!(seen, body);
    // The gateway's own secret is never handed out, even with read_client_secrets.
    let seen: Value = admin.execute(get("gateway")).await.unwrap();
    assert_eq!(seen, json!({"client_id": "gateway"}));
    // Identity-provider tokens go too (the typed model just doesn't see them).
    let user = support.users().get(&uid("auth0|u1")).await.unwrap();
    let text = serde_json::to_string(&user).unwrap();
    assert!(!text.contains("idp-token") && !text.contains("idp-refresh"), "{text}");
    let raw: Value = support.execute(Request::new(&catalog::USERS_GET).id(&uid("auth0|u1"))).await.unwrap();
    assert!(raw["identities"][0].get("access_token").is_none());
    assert_eq!(raw["identities"][0]["provider"], "google-oauth2");
}

#[tokio::test]
async fn the_handle_is_the_client_and_cannot_be_unguarded() {
    let server = common::server().await;
    common::ok_everything(&server).await;
    let client = common::client(&server);
    let (support, sink) = common::guarded(&client, POLICY, "support-bot");
    // A clone of the guarded client is still guarded.
    let inner: Client = support.client().clone();
    let e = inner.users().delete(&uid("auth0|u1")).await.unwrap_err();
    assert_eq!(e.denial().unwrap().code, "action_not_granted");
    // Another guard stacked on top cannot widen access: both must allow.
    let wider = GuardedClient::new(&inner, Arc::new(Policy::from_toml(POLICY).unwrap()), "admin-bot", sink.clone());
    let e = wider.users().delete(&uid("auth0|u1")).await.unwrap_err();
    assert_eq!(e.denial().unwrap().code, "action_not_granted");
    assert!(common::api_requests(&server).await.is_empty());
    assert_eq!(support.agent(), "support-bot");
}
