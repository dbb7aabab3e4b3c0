//! Checkpoint pagination: organizations, members, clients, logs.

mod common;

use auth0_mgmt_fake::{FakeTenant, Seed};
use common::{Api, enc};
use serde_json::{Value, json};

#[tokio::test]
async fn organizations_checkpoint_ends_without_next() {
    let api = Api::start(FakeTenant::builder().seed(Seed::empty().organizations(5))).await;
    let mut ids = vec![];
    let mut from: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &from {
            None => "/organizations?take=2&include_totals=true&per_page=50".to_string(),
            Some(f) => format!("/organizations?take=2&from={}", enc(f)),
        };
        let r = api.get(&path).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.body.get("total").is_none(), "take switches to checkpoint mode");
        for o in r.body["organizations"].as_array().unwrap() {
            ids.push(o["id"].as_str().unwrap().to_string());
        }
        pages += 1;
        match r.body.get("next") {
            Some(Value::String(n)) => from = Some(n.clone()),
            None => break,
            other => panic!("unexpected next {other:?}"),
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(ids, api.tenant.organization_ids());

    let r = api.get("/organizations?page=0&per_page=2&include_totals=true").await;
    assert_eq!(r.body["total"], 5);
    assert_eq!(r.body["organizations"].as_array().unwrap().len(), 2);
    let missing = api.get("/organizations/org_nope").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.get("errorCode").is_none());
}

#[tokio::test]
async fn org_members_add_and_list() {
    let api = Api::start(FakeTenant::builder().seed(Seed::empty().users(5))).await;
    let org = api.call("POST", "/organizations", Some(json!({"name": "acme", "display_name": "Acme"}))).await;
    assert_eq!(org.status, 201);
    let oid = org.body["id"].as_str().unwrap().to_string();
    assert!(oid.starts_with("org_") && oid.len() == 20);
    let users = api.tenant.user_ids();
    let r = api.call("POST", &format!("/organizations/{oid}/members"), Some(json!({"members": users}))).await;
    assert_eq!(r.status, 204);
    let r = api.get(&format!("/organizations/{oid}/members?include_totals=true")).await;
    assert_eq!(r.body["total"], 5);
    let m = &r.body["members"][0];
    assert_eq!(m.as_object().unwrap().keys().cloned().collect::<Vec<_>>(), vec!["email", "name", "picture", "user_id"]);
    let first = api.get(&format!("/organizations/{oid}/members?take=3")).await;
    assert_eq!(first.body["members"].as_array().unwrap().len(), 3);
    let next = first.body["next"].as_str().unwrap();
    let second = api.get(&format!("/organizations/{oid}/members?take=3&from={}", enc(next))).await;
    assert_eq!(second.body["members"].as_array().unwrap().len(), 2);
    assert!(second.body.get("next").is_none());
    let dup = api.call("POST", "/organizations", Some(json!({"name": "acme"}))).await;
    assert_eq!(dup.status, 409);
}

#[tokio::test]
async fn clients_checkpoint_and_filters() {
    let api = Api::start(FakeTenant::builder().seed(Seed::empty().clients(6))).await;
    let all = api.get("/clients?include_totals=true").await;
    let total = all.body["total"].as_u64().unwrap();
    assert_eq!(total, 8); // global + m2m + 6
    let mut n = 0;
    let mut from = None::<String>;
    loop {
        let path = match &from {
            None => "/clients?take=3".to_string(),
            Some(f) => format!("/clients?take=3&from={}", enc(f)),
        };
        let r = api.get(&path).await;
        n += r.body["clients"].as_array().unwrap().len();
        match r.body["next"].as_str() {
            Some(nx) => from = Some(nx.to_string()),
            None => break,
        }
    }
    assert_eq!(n as u64, total);
    let spa = api.get("/clients?app_type=spa").await;
    assert!(spa.body.as_array().unwrap().iter().all(|c| c["app_type"] == "spa"));
    let global = api.get("/clients?is_global=true").await;
    assert_eq!(global.body.as_array().unwrap().len(), 1);

    let c = api.call("POST", "/clients", Some(json!({"name": "My App", "app_type": "spa"}))).await;
    assert_eq!(c.status, 201);
    let cid = c.body["client_id"].as_str().unwrap();
    assert_eq!(cid.len(), 32);
    assert!(cid.chars().all(|ch| ch.is_ascii_alphanumeric()));
    assert!(c.body["client_secret"].as_str().is_some());
    assert_eq!(api.call("DELETE", &format!("/clients/{cid}"), None).await.status, 204);
    assert_eq!(api.call("DELETE", &format!("/clients/{cid}"), None).await.status, 204);
}

#[tokio::test]
async fn logs_checkpoint_walks_forward() {
    let api = Api::start(FakeTenant::builder().seed(Seed::empty().logs(250))).await;
    // offset mode: newest first
    let newest = api.get("/logs?per_page=5").await;
    let ids: Vec<&str> = newest.body.as_array().unwrap().iter().map(|l| l["log_id"].as_str().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]));
    assert!(ids.iter().all(|i| i.len() == 56));

    // checkpoint: take alone starts at the oldest retained log
    let (oldest, _) = api.tenant.log_id_range().unwrap();
    let first = api.get("/logs?take=100").await;
    assert_eq!(first.body[0]["log_id"], oldest.as_str());
    assert!(first.headers.get("link").is_some());
    let mut all: Vec<String> =
        first.body.as_array().unwrap().iter().map(|l| l["log_id"].as_str().unwrap().to_string()).collect();
    loop {
        let from = all.last().unwrap().clone();
        let r = api.get(&format!("/logs?from={from}&take=100")).await;
        let page = r.body.as_array().unwrap();
        if page.is_empty() {
            break;
        }
        for l in page {
            let id = l["log_id"].as_str().unwrap().to_string();
            assert!(id > from);
            all.push(id);
        }
    }
    assert_eq!(all.len(), 250);
    assert!(all.windows(2).all(|w| w[0] < w[1]));

    // a new event appears after the cursor
    let new_id = api.tenant.push_log(json!({"type": "s", "description": "Success Login"}));
    let r = api.get(&format!("/logs?from={}&take=10", all.last().unwrap())).await;
    assert_eq!(r.body.as_array().unwrap().len(), 1);
    assert_eq!(r.body[0]["log_id"], new_id.as_str());
    assert_eq!(r.body[0]["_id"], new_id.as_str());

    let one = api.get(&format!("/logs/{new_id}")).await;
    assert_eq!(one.body["type"], "s");
}

#[tokio::test]
async fn writes_emit_sapi_logs_and_logs_query() {
    let api = Api::start(FakeTenant::builder().seed(Seed::empty())).await;
    let r = api.call("POST", "/roles", Some(json!({"name": "viewer"}))).await;
    assert_eq!(r.status, 200);
    let logs = api.get(&format!("/logs?q={}&per_page=5", enc("type:\"sapi\""))).await;
    let arr = logs.body.as_array().unwrap();
    assert_eq!(arr.len(), 1);
    assert_eq!(arr[0]["details"]["request"]["path"], "/api/v2/roles");
    assert_eq!(arr[0]["details"]["response"]["statusCode"], 200);
    assert_eq!(api.tenant.counters().writes_applied, 1);
}

#[tokio::test]
async fn connections_refresh_tokens_grants_resource_servers() {
    let api = Api::start(FakeTenant::builder().seed(Seed::default())).await;
    let c = api.call("POST", "/connections", Some(json!({"name": "my-db", "strategy": "auth0"}))).await;
    assert_eq!(c.status, 201);
    let con = c.body["id"].as_str().unwrap().to_string();
    assert!(con.starts_with("con_") && con.len() == 20);
    let by_strategy = api.get("/connections?strategy=auth0&include_totals=true").await;
    assert_eq!(by_strategy.body["total"], 2);
    let del = api.call("DELETE", &format!("/connections/{con}"), None).await;
    assert_eq!(del.status, 202);
    assert!(del.body["deleted_at"].is_string());
    let missing = api.get(&format!("/connections/{con}")).await;
    assert_eq!(missing.body["errorCode"], "inexistent_connection");

    // resource server by identifier (percent-encoded)
    let aud = api.tenant.audience();
    let rs = api.get(&format!("/resource-servers/{}", enc(&aud))).await;
    assert_eq!(rs.status, 200);
    assert_eq!(rs.body["is_system"], true);
    let dup = api.call("POST", "/resource-servers", Some(json!({"identifier": aud}))).await;
    assert_eq!(dup.status, 409);

    // refresh tokens
    let user = api.tenant.user_ids()[0].clone();
    let rts = api.get(&format!("/refresh-tokens?user_id={}", enc(&user))).await;
    let list = rts.body["refresh_tokens"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    let rt = list[0]["id"].as_str().unwrap().to_string();
    let p =
        api.call("PATCH", &format!("/refresh-tokens/{rt}"), Some(json!({"refresh_token_metadata": {"k": "v"}}))).await;
    assert_eq!(p.body["refresh_token_metadata"], json!({"k": "v"}));
    for bad in [
        json!({}),
        json!({"ids": ["a"], "user_id": "x"}),
        json!({"client_id": "c"}),
        json!({"user_id": "u", "audience": "a"}),
    ] {
        let r = api.call("POST", "/refresh-tokens/revoke", Some(bad)).await;
        assert_eq!(r.status, 400);
        assert_eq!(r.body["message"], "Invalid combination of parameters.");
    }
    let r = api.call("POST", "/refresh-tokens/revoke", Some(json!({"user_id": user}))).await;
    assert_eq!(r.status, 202);
    assert!(api.tenant.refresh_token_ids(&user).is_empty());

    // sessions
    let sid = api.tenant.session_ids(&user)[0].clone();
    let s = api.call("PATCH", &format!("/sessions/{sid}"), Some(json!({"session_metadata": {"a": "b"}}))).await;
    assert_eq!(s.status, 200);
    assert_eq!(s.body["session_metadata"]["a"], "b");

    // grants
    let g = api.get("/grants?include_totals=true").await;
    assert_eq!(g.body["total"], 10);
    let gid = g.body["grants"][0]["id"].as_str().unwrap().to_string();
    assert!(g.body["grants"][0].get("clientID").is_some());
    assert_eq!(api.call("DELETE", &format!("/grants/{gid}"), None).await.status, 204);
}
