//! Users: CRUD, metadata merge, search and offset paging.

mod common;

use auth0_mgmt_fake::{FakeTenant, Seed};
use common::{Api, enc};
use serde_json::json;

#[tokio::test]
async fn crud_round_trip() {
    let api = Api::start(FakeTenant::builder().seed(Seed::empty())).await;
    let before = api.tenant.counters().writes_applied;
    let created = api
        .call(
            "POST",
            "/users",
            Some(json!({
                "connection": "Username-Password-Authentication",
                "email": "chuck@example.com",
                "password": "Passw0rd!",
                "given_name": "Chuck",
                "user_metadata": {"favourite_attack": "roundhouse_kick"},
                "app_metadata": {"facts": ["count_to_infinity_twice"]}
            })),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["user_id"].as_str().unwrap().to_string();
    assert!(id.starts_with("auth0|") && id.len() == "auth0|".len() + 24, "{id}");
    assert_eq!(created.body["identities"][0]["provider"], "auth0");
    assert_eq!(created.body["identities"][0]["isSocial"], false);
    assert!(created.body.get("password").is_none());

    let got = api.get(&format!("/users/{}", enc(&id))).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body["email"], "chuck@example.com");

    let projected = api.get(&format!("/users/{}?fields=email,user_id&include_fields=true", enc(&id))).await;
    assert_eq!(projected.body, json!({"email": "chuck@example.com", "user_id": id}));

    let patched = api
        .call("PATCH", &format!("/users/{}", enc(&id)), Some(json!({"given_name": "Carlos", "nickname": null})))
        .await;
    assert_eq!(patched.status, 200);
    assert_eq!(patched.body["given_name"], "Carlos");
    assert!(patched.body.get("nickname").is_none());

    let dup = api
        .call(
            "POST",
            "/users",
            Some(json!({"connection": "Username-Password-Authentication", "email": "CHUCK@example.com", "password": "x"})),
        )
        .await;
    assert_eq!(dup.status, 409);

    let del = api.call("DELETE", &format!("/users/{}", enc(&id)), None).await;
    assert_eq!(del.status, 204);
    assert!(del.text.is_empty());
    let again = api.call("DELETE", &format!("/users/{}", enc(&id)), None).await;
    assert_eq!(again.status, 204);
    let gone = api.get(&format!("/users/{}", enc(&id))).await;
    assert_eq!(
        gone.body,
        json!({"statusCode":404,"error":"Not Found","message":"The user does not exist.","errorCode":"inexistent_user"})
    );
    // create + patch + delete applied; dup and repeat delete did not write
    assert_eq!(api.tenant.counters().writes_applied - before, 3);
}

#[tokio::test]
async fn create_validation() {
    let api = Api::start(FakeTenant::builder().seed(Seed::empty())).await;
    let no_conn = api.call("POST", "/users", Some(json!({"email": "a@b.c"}))).await;
    assert_eq!(no_conn.status, 400);
    assert_eq!(no_conn.body["errorCode"], "invalid_body");
    let bad_conn = api.call("POST", "/users", Some(json!({"email": "a@b.c", "connection": "nope"}))).await;
    assert_eq!(bad_conn.status, 400);
    let extra = api
        .call(
            "POST",
            "/users",
            Some(json!({"email": "a@b.c", "connection": "Username-Password-Authentication", "bogus": 1})),
        )
        .await;
    assert_eq!(extra.status, 400);
    // malformed JSON never panics
    let r = api
        .http
        .post(api.url("/users"))
        .bearer_auth(&api.token)
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let body: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(body["errorCode"], "invalid_body");
}

#[tokio::test]
async fn patch_metadata_merges_one_level_deep() {
    let api = Api::start(FakeTenant::builder().seed(Seed::empty())).await;
    let id = api.tenant.insert_user(json!({
        "email": "m@example.com",
        "app_metadata": {"plan": "pro", "flags": {"a": true}, "drop": 1},
        "user_metadata": {"theme": "dark"}
    }));
    let path = format!("/users/{}", enc(&id));
    let r =
        api.call("PATCH", &path, Some(json!({"app_metadata": {"flags": {"b": true}, "drop": null, "new": 2}}))).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["app_metadata"], json!({"plan": "pro", "flags": {"b": true}, "new": 2}));
    assert_eq!(r.body["user_metadata"], json!({"theme": "dark"}));

    let r = api.call("PATCH", &path, Some(json!({"user_metadata": {}}))).await;
    assert_eq!(r.body["user_metadata"], json!({}));
    assert_eq!(r.body["app_metadata"]["plan"], "pro");
    assert_eq!(api.tenant.user(&id).unwrap()["user_metadata"], json!({}));

    let r = api.call("PATCH", &path, Some(json!({"password": "x", "email": "y@example.com"}))).await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn offset_paging_totals_and_cap() {
    let api = Api::start(FakeTenant::builder().seed(Seed::default().users(120))).await;
    let r = api.get("/users").await;
    assert_eq!(r.body.as_array().unwrap().len(), 50);

    let r = api.get("/users?page=1&per_page=100&include_totals=true").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["start"], 100);
    assert_eq!(r.body["limit"], 100);
    assert_eq!(r.body["length"], 20);
    assert_eq!(r.body["total"], 120);
    assert_eq!(r.body["users"].as_array().unwrap().len(), 20);

    // walking all pages returns every user exactly once
    let mut seen = std::collections::HashSet::new();
    for page in 0.. {
        let r = api.get(&format!("/users?page={page}&per_page=25")).await;
        let items = r.body.as_array().unwrap().clone();
        for u in &items {
            assert!(seen.insert(u["user_id"].as_str().unwrap().to_string()));
        }
        if items.len() < 25 {
            break;
        }
    }
    assert_eq!(seen.len(), 120);

    let r = api.get("/users?page=10&per_page=100").await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({"statusCode":400,"error":"Bad Request","message":"You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation","errorCode":"invalid_paging"})
    );
    assert_eq!(api.get("/users?page=9&per_page=100").await.status, 200);
    assert_eq!(api.get("/users?per_page=101").await.status, 400);
}

#[tokio::test]
async fn offset_cap_can_be_disabled() {
    let api = Api::start(FakeTenant::builder().seed(Seed::empty().users(1100)).offset_cap(None)).await;
    let r = api.get("/users?page=10&per_page=100&include_totals=true").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["length"], 100);
    assert_eq!(r.body["total"], 1100);
}

#[tokio::test]
async fn search_queries() {
    let api = Api::start(FakeTenant::builder().seed(Seed::empty())).await;
    let a = api.tenant.insert_user(json!({"email": "ann@example.org", "name": "Ann Lee"}));
    api.tenant.insert_user(json!({"email": "bob@example.com", "name": "Bob Stone"}));
    api.tenant.insert_user(json!({"email": "cy@example.org", "name": "Cy Twombly"}));

    let q = |s: &str| format!("/users?search_engine=v3&q={}", enc(s));
    let r = api.get(&q("email:\"ann@example.org\"")).await;
    assert_eq!(r.body.as_array().unwrap().len(), 1);
    let r = api.get(&q("email:\"*@example.org\"")).await;
    assert_eq!(r.body.as_array().unwrap().len(), 2);
    let r = api.get(&q(&format!("user_id:\"{a}\""))).await;
    assert_eq!(r.body[0]["user_id"], a.as_str());
    let r = api.get(&q("name:\"Bob Stone\"")).await;
    assert_eq!(r.body[0]["email"], "bob@example.com");
    let r = api.get(&q("twombly")).await;
    assert_eq!(r.body[0]["email"], "cy@example.org");
    let r = api.get(&format!("{}&sort=email:-1", q("email:*example.org"))).await;
    assert_eq!(r.body[0]["email"], "cy@example.org");
    let r = api.get(&q("logins_count:[1 TO 5]")).await;
    assert_eq!(r.status, 400);

    let r = api.get("/users-by-email?email=ANN%40example.org").await;
    assert_eq!(r.body.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn user_roles_assign_list_remove() {
    let api = Api::start(FakeTenant::builder().seed(Seed::empty())).await;
    let uid = api.tenant.insert_user(json!({"email": "r@example.com"}));
    let role = api.call("POST", "/roles", Some(json!({"name": "admin", "description": "d"}))).await;
    assert_eq!(role.status, 200);
    let rid = role.body["id"].as_str().unwrap().to_string();
    assert!(rid.starts_with("rol_") && rid.len() == 20);
    let path = format!("/users/{}/roles", enc(&uid));
    assert_eq!(api.call("POST", &path, Some(json!({"roles": [rid]}))).await.status, 204);
    let r = api.get(&format!("{path}?include_totals=true")).await;
    assert_eq!(r.body["total"], 1);
    assert_eq!(r.body["roles"][0]["name"], "admin");
    assert_eq!(api.call("DELETE", &path, Some(json!({"roles": [rid]}))).await.status, 204);
    assert!(api.tenant.user_role_ids(&uid).is_empty());
    let missing = api.get("/roles/rol_doesnotexist0000").await;
    assert_eq!(missing.body, json!({"statusCode":404,"error":"Not Found","message":"The role does not exist."}));
}
