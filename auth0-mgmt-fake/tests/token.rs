//! Token endpoint, authentication and scopes.

mod common;

use std::time::Duration;

use auth0_mgmt_fake::{FakeTenant, Seed};
use base64::Engine as _;
use common::{Api, mint, raw};
use serde_json::{Value, json};

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("jwt-shaped");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn mints_jwt_shaped_token_with_scope_claim() {
    let t =
        FakeTenant::builder().granted_scopes(["read:users", "create:users"]).seed(Seed::empty()).start().await.unwrap();
    let http = reqwest::Client::new();
    let r = raw(
        &http,
        "POST",
        &format!("{}/oauth/token", t.base_url()),
        None,
        Some(json!({
            "grant_type": "client_credentials",
            "client_id": "fake-client-id",
            "client_secret": "fake-client-secret",
            "audience": format!("{}/api/v2/", t.base_url()),
        })),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(r.body["expires_in"], 86400);
    assert_eq!(r.body["scope"], "read:users create:users");
    let c = claims(r.body["access_token"].as_str().unwrap());
    assert_eq!(c["scope"], "read:users create:users");
    assert!(c["exp"].as_u64().unwrap() > c["iat"].as_u64().unwrap());
    assert_eq!(t.counters().token_mints, 1);
}

#[tokio::test]
async fn form_body_and_bad_credentials() {
    let t = FakeTenant::start_default().await.unwrap();
    let http = reqwest::Client::new();
    let url = format!("{}/oauth/token", t.base_url());
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}&audience={}",
        t.client_id(),
        t.client_secret(),
        common::enc(&t.audience())
    );
    let r =
        http.post(&url).header("content-type", "application/x-www-form-urlencoded").body(form).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);

    let bad = raw(
        &http,
        "POST",
        &url,
        None,
        Some(json!({"grant_type": "client_credentials", "client_id": t.client_id(),
            "client_secret": "nope", "audience": t.audience()})),
    )
    .await
    .unwrap();
    assert_eq!(bad.status, 401);
    assert_eq!(bad.body, json!({"error": "access_denied", "error_description": "Unauthorized"}));

    let aud = raw(
        &http,
        "POST",
        &url,
        None,
        Some(json!({"grant_type": "client_credentials", "client_id": t.client_id(),
            "client_secret": t.client_secret(), "audience": "https://other.example.com/"})),
    )
    .await
    .unwrap();
    assert_eq!(aud.status, 403);
    assert_eq!(aud.body["error"], "access_denied");
    assert_eq!(t.counters().token_mints, 1);

    // the secret never lands in the recording
    for rec in t.requests() {
        let s = format!("{:?}", rec.body);
        assert!(!s.contains("fake-client-secret"), "{s}");
    }
}

#[tokio::test]
async fn missing_or_unknown_token_is_401() {
    let api = Api::start(FakeTenant::builder()).await;
    let none = raw(&api.http, "GET", &api.url("/users"), None, None).await.unwrap();
    assert_eq!(none.status, 401);
    assert_eq!(
        none.body,
        json!({"statusCode":401,"error":"Unauthorized","message":"Invalid token","attributes":{"error":"Invalid token"}})
    );
    let bogus = raw(&api.http, "GET", &api.url("/users"), Some("abc.def.ghi"), None).await.unwrap();
    assert_eq!(bogus.status, 401);
    assert!(!api.tenant.requests()[1].had_bearer);
    assert!(api.tenant.requests()[2].had_bearer);
}

#[tokio::test]
async fn expired_token_is_401() {
    let api = Api::start(FakeTenant::builder().token_lifetime(Duration::ZERO)).await;
    let r = api.get("/users").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["statusCode"], 401);
}

#[tokio::test]
async fn insufficient_scope_is_403_and_scopes_change_at_runtime() {
    let api = Api::start(FakeTenant::builder().granted_scopes(["read:users"])).await;
    assert_eq!(api.get("/users").await.status, 200);
    let r = api.get("/roles").await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.body,
        json!({"statusCode":403,"error":"Forbidden","message":"Insufficient scope, expected any of: read:roles","errorCode":"insufficient_scope"})
    );

    api.tenant.set_granted_scopes(["read:users", "read:roles"]);
    // the old token keeps its scopes
    assert_eq!(api.get("/roles").await.status, 403);
    let token = mint(&api.tenant, &api.http).await;
    let r = raw(&api.http, "GET", &api.url("/roles"), Some(&token), None).await.unwrap();
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn role_assignment_accepts_either_scope() {
    let api =
        Api::start(FakeTenant::builder().granted_scopes(["create:role_members", "read:users", "read:roles"])).await;
    let user = api.tenant.user_ids()[0].clone();
    let roles = api.get("/roles").await.body;
    let rid = roles[0]["id"].as_str().unwrap().to_string();
    let r = api.call("POST", &format!("/users/{}/roles", common::enc(&user)), Some(json!({"roles": [rid]}))).await;
    assert_eq!(r.status, 204, "{}", r.text);
}
