//! The gateway through rmcp's own client, in process (a duplex pipe): tool lists per
//! agent, allowed reads answered by the fake tenant, denials as `isError` with nothing
//! sent, undeclared arguments refused, paging, dry run, audit records.

mod common;

use auth0_mgmt_fake::Seed;
use auth0_mgmt_policy::{AuditDecision, RecordPhase};
use common::*;
use serde_json::json;

#[tokio::test]
async fn a_read_only_agent_sees_no_write_tool() {
    let s = setup().await;
    let client = connect(&s.gateway, "reader").await;
    let tools = client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "users_list",
            "users_get",
            "users_list_by_email",
            "roles_list",
            "roles_get",
            "users_list_roles",
            "logs_list",
            "logs_get"
        ]
    );
    for t in &tools {
        let a = t.annotations.as_ref().unwrap();
        assert_eq!(a.read_only_hint, Some(true), "{}", t.name);
        assert_eq!(t.input_schema["additionalProperties"], json!(false), "{}", t.name);
        assert!(t.description.as_ref().unwrap().len() > 40, "{}", t.name);
    }
    let writer = connect(&s.gateway, "writer").await;
    let names: Vec<String> = writer.list_all_tools().await.unwrap().into_iter().map(|t| t.name.into_owned()).collect();
    // Full on users but no `delete_users`: no users_delete; `assign_roles` but not `remove_roles`.
    assert!(names.contains(&"users_update".to_owned()) && names.contains(&"users_assign_roles".to_owned()));
    assert!(!names.contains(&"users_delete".to_owned()) && !names.contains(&"users_remove_roles".to_owned()));
    assert!(!names.iter().any(|n| n.starts_with("clients_")), "{names:?}");
    assert_eq!(s.api_requests(), [], "listing tools sends nothing");
}

#[tokio::test]
async fn an_allowed_read_is_answered_by_the_tenant() {
    let s = setup().await;
    let client = connect(&s.gateway, "reader").await;
    let r = call(&client, "users_get", json!({"id": s.user})).await;
    assert!(!is_error(&r), "{}", text(&r));
    assert_eq!(structured(&r)["user_id"], "auth0|alice");
    assert_eq!(structured(&r)["email"], "alice@example.com");
    assert!(text(&r).contains("alice@example.com"), "the text rendering carries the JSON");
    assert_eq!(s.api_requests(), [("GET".to_owned(), "/api/v2/users/auth0%7Calice".to_owned())]);
    let rec = s.records();
    assert_eq!(rec.len(), 1);
    assert_eq!(
        (rec[0].agent.as_str(), rec[0].operation, rec[0].decision),
        ("reader", "users.get", AuditDecision::Allowed)
    );
}

#[tokio::test]
async fn a_tool_the_agent_was_not_given_is_refused_and_audited() {
    let s = setup().await;
    let client = connect(&s.gateway, "reader").await;
    let r = call(&client, "users_delete", json!({"id": s.user})).await;
    assert!(is_error(&r));
    assert_eq!(structured(&r)["error"]["code"], "tool_not_granted");
    assert!(text(&r).contains("users is read-only for this agent"), "{}", text(&r));
    assert_eq!(s.tenant.requests().len(), 0, "nothing reached the tenant, not even a token request");
    assert!(s.tenant.user(&s.user).is_some());
    let rec = s.records();
    assert_eq!(rec.len(), 1);
    assert_eq!(
        (rec[0].operation, &*rec[0].code, rec[0].decision),
        ("users.delete", "tool_not_granted", AuditDecision::Denied)
    );
    assert!(rec[0].message.starts_with("reader tried to delete user"), "{}", rec[0].message);
}

#[tokio::test]
async fn a_denied_write_is_an_error_result_and_sends_nothing() {
    let s = setup().await;
    let client = connect(&s.gateway, "writer").await;
    // `rol_Admin` is not on the writer's allow-list.
    let r = call(&client, "users_assign_roles", json!({"id": s.user, "roles": ["rol_Admin"]})).await;
    assert!(is_error(&r));
    let st = &structured(&r)["error"];
    assert_eq!(
        (st["denied"].clone(), st["code"].clone(), st["sent"].clone()),
        (json!(true), json!("not_allow_listed"), json!(false))
    );
    assert!(st["reason"].as_str().unwrap().contains("rol_Admin"), "{st}");
    assert!(text(&r).starts_with("Denied by policy (not_allow_listed)"), "{}", text(&r));
    // users.update touching app_metadata needs `update_app_metadata`, which writer lacks.
    let r = call(&client, "users_update", json!({"id": s.user, "app_metadata": {"plan": "gold"}})).await;
    assert_eq!(structured(&r)["error"]["code"], "action_not_granted");
    assert_eq!(s.api_requests(), [], "denied calls send nothing");
    assert!(s.tenant.user_role_ids(&s.user).is_empty());
    let codes: Vec<String> = s.records().into_iter().map(|r| r.code.into_owned()).collect();
    assert_eq!(codes, ["not_allow_listed", "action_not_granted"]);
    // The allowed one goes through.
    let r = call(&client, "users_assign_roles", json!({"id": s.user, "roles": ["rol_Support"]})).await;
    assert!(!is_error(&r), "{}", text(&r));
    assert_eq!(s.tenant.user_role_ids(&s.user), ["rol_Support"]);
    // The guard wrote the allowed write's intent record before sending it; denials leave
    // only their outcome.
    let phases: Vec<(RecordPhase, String)> =
        s.all_records().into_iter().map(|r| (r.phase, r.code.into_owned())).collect();
    assert_eq!(
        phases,
        [
            (RecordPhase::Outcome, "not_allow_listed".to_owned()),
            (RecordPhase::Outcome, "action_not_granted".to_owned()),
            (RecordPhase::Intent, "allowed".to_owned()),
            (RecordPhase::Outcome, "allowed".to_owned()),
        ]
    );
}

#[tokio::test]
async fn undeclared_arguments_are_refused_before_anything_is_sent() {
    let s = setup().await;
    let client = connect(&s.gateway, "writer").await;
    for (tool, args) in [
        ("users_get", json!({"id": s.user, "smuggled": "smuggled-value-91"})),
        ("users_update", json!({"id": s.user, "nickname": "nick-7f3a", "is_admin": "admin-value-52"})),
        // A nested typed object is closed too.
        ("users_list", json!({"page": "0"})),
        ("users_get", json!({})),
        ("users_assign_roles", json!({"id": s.user, "roles": []})),
        ("users_get", json!({"id": ".."})),
    ] {
        let r = call(&client, tool, args.clone()).await;
        assert!(is_error(&r), "{tool} {args}");
        assert_eq!(structured(&r)["error"]["code"], "invalid_arguments", "{tool} {args}: {}", text(&r));
    }
    let r = call(&client, "users_update", json!({"id": s.user, "nickname": "x", "is_admin": true})).await;
    assert!(text(&r).contains("undeclared argument `is_admin`"), "{}", text(&r));
    assert_eq!(s.tenant.requests().len(), 0);
    assert!(s.records().iter().all(|r| r.code == "invalid_arguments" && r.decision == AuditDecision::Denied));
    // No argument value is echoed into the audit trail (names of arguments may be).
    for r in s.records() {
        let json = serde_json::to_string(&r).unwrap();
        for value in ["smuggled-value-91", "nick-7f3a", "admin-value-52"] {
            assert!(!json.contains(value), "{value} in {json}");
        }
    }
}

#[tokio::test]
async fn an_unknown_tool_is_refused_and_audited() {
    let s = setup().await;
    let client = connect(&s.gateway, "reader").await;
    let r = call(&client, "launch_missiles\u{1b}[31m", json!({})).await;
    assert!(is_error(&r));
    assert_eq!(structured(&r)["error"]["code"], "unknown_tool");
    let rec = s.records();
    assert_eq!(rec[0].code, "unknown_tool");
    assert_eq!(rec[0].operation, "mcp.tools_call");
    assert!(!rec[0].call_id.is_empty());
    assert!(!rec[0].message.contains('\u{1b}'), "sanitized: {}", rec[0].message);
}

#[tokio::test]
async fn listings_return_one_page_and_a_cursor() {
    let s = setup().await; // 121 users
    let client = connect(&s.gateway, "reader").await;
    let mut seen = Vec::new();
    let mut page = json!(0);
    let mut calls = 0;
    loop {
        calls += 1;
        let r = call(&client, "users_list", json!({"per_page": 50, "page": page})).await;
        assert!(!is_error(&r), "{}", text(&r));
        let st = structured(&r);
        assert_eq!(st["total"], 121);
        seen.extend(st["users"].as_array().unwrap().iter().map(|u| u["user_id"].clone()));
        match st.get("next") {
            Some(n) => page = n.clone(),
            None => break,
        }
        assert!(calls < 10, "paging does not end");
    }
    assert_eq!((calls, seen.len()), (3, 121));
    let paths: Vec<_> = s.tenant.requests().into_iter().filter(|r| r.path == "/api/v2/users").collect();
    assert_eq!(paths[2].query_param("page"), Some("2"));
    assert_eq!(paths[2].query_param("include_totals"), Some("true"));
}

#[tokio::test]
async fn checkpoint_listings_return_the_next_cursor() {
    let policy = format!("{POLICY}\n[agents.orgs]\nresources = {{ organizations = \"read\" }}\n");
    let s = setup_with(&policy, Seed::empty().organizations(7)).await;
    let client = connect(&s.gateway, "orgs").await;
    let r = call(&client, "organizations_list", json!({"take": 5})).await;
    let st = structured(&r);
    assert_eq!(st["organizations"].as_array().unwrap().len(), 5, "{st}");
    let next = st["next"].as_str().expect("a cursor").to_owned();
    let r = call(&client, "organizations_list", json!({"take": 5, "from": next})).await;
    let st = structured(&r);
    assert_eq!(st["organizations"].as_array().unwrap().len(), 2);
    assert!(st.get("next").is_none(), "{st}");
}

#[tokio::test]
async fn a_dry_run_agent_is_told_nothing_was_executed() {
    let policy = format!("{POLICY}\n[agents.trial]\nmode = \"dry_run\"\nresources = {{ users = \"full\" }}\n");
    let s = setup_with(&policy, Seed::empty()).await;
    let client = connect(&s.gateway, "trial").await;
    let r = call(&client, "users_update", json!({"id": s.user, "nickname": "changed"})).await;
    assert!(!is_error(&r));
    assert_eq!(structured(&r)["executed"], false);
    assert!(text(&r).starts_with("Dry run"), "{}", text(&r));
    assert_eq!(s.tenant.counters().writes_applied, 0);
    assert_eq!(s.tenant.user(&s.user).unwrap().get("nickname"), None);
    assert_eq!(s.records()[0].decision, AuditDecision::DryRun);
}

#[tokio::test]
async fn tenant_errors_keep_status_and_code() {
    let s = setup().await;
    let client = connect(&s.gateway, "reader").await;
    let r = call(&client, "users_get", json!({"id": "auth0|nobody"})).await;
    assert!(is_error(&r));
    let e = &structured(&r)["error"];
    assert_eq!(
        (e["code"].clone(), e["status"].clone(), e["auth0_error_code"].clone()),
        (json!("auth0_error"), json!(404), json!("inexistent_user"))
    );
}

#[tokio::test]
async fn secrets_never_reach_tool_results_or_audit_records() {
    let policy = format!(
        "{POLICY}\n[agents.apps]\nresources = {{ clients = \"read\", users = \"read\" }}\nkey_sha256 = \"{}\"\n",
        auth0_mgmt_mcp::http::key_sha256_hex("apps-key-0000000000")
    );
    let s = setup_with(&policy, Seed::default()).await;
    let client = connect(&s.gateway, "apps").await;
    let mut outputs = Vec::new();
    let gateway_client = s.tenant.client_id().to_owned();
    for (tool, args) in [
        ("clients_list", json!({"per_page": 100})),
        ("clients_get", json!({"id": gateway_client})),
        ("users_list", json!({})),
        ("users_get", json!({"id": "auth0|nobody"})),
        ("users_delete", json!({"id": "auth0|alice"})),
        ("clients_get", json!({"id": "x", "client_secret": "fake-client-secret"})),
    ] {
        let r = call(&client, tool, args).await;
        outputs.push(serde_json::to_string(&r).unwrap());
    }
    let listed = &outputs[0];
    assert!(listed.contains(&gateway_client), "the gateway's own application is listed: {listed}");
    // Every application's secret in the tenant (the guard removes them from responses).
    let page: serde_json::Value = serde_json::from_str(listed).unwrap();
    let mut secrets = vec![s.tenant.client_secret().to_owned()];
    for app in page["structuredContent"]["clients"].as_array().unwrap() {
        let id = app["client_id"].as_str().unwrap();
        assert!(app.get("client_secret").is_none(), "{app}");
        if let Some(secret) = s.tenant.client(id).and_then(|c| c["client_secret"].as_str().map(str::to_owned)) {
            secrets.push(secret);
        }
    }
    assert!(secrets.len() >= 3, "{secrets:?}");
    for rec in s.records() {
        outputs.push(rec.to_json_line());
    }
    for out in &outputs {
        for secret in &secrets {
            assert!(!out.contains(secret.as_str()), "a client secret leaked: {out}");
        }
        assert!(!out.contains("eyJ"), "an access token leaked: {out}");
        assert!(!out.contains("apps-key-0000000000"), "an agent key leaked: {out}");
    }
}
