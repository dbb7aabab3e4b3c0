//! Raw-path recording, percent-decoding and unknown routes.

mod common;

use auth0_mgmt_fake::{FakeTenant, Seed};
use common::Api;
use serde_json::json;

#[tokio::test]
async fn recorded_requests_keep_the_raw_encoded_path() {
    let api = Api::start(FakeTenant::builder().seed(Seed::empty())).await;
    api.tenant.clear_requests();
    let r = api.get("/users/auth0%7Cabc?fields=email&include_fields=true").await;
    assert_eq!(r.status, 404);
    let recs = api.tenant.requests();
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].method, "GET");
    assert_eq!(recs[0].path, "/api/v2/users/auth0%7Cabc");
    assert_eq!(recs[0].query.as_deref(), Some("fields=email&include_fields=true"));
    assert_eq!(recs[0].query_param("fields"), Some("email"));
    assert!(recs[0].had_bearer);
    assert!(recs[0].body.is_none());
}

#[tokio::test]
async fn encoded_slash_stays_inside_one_segment() {
    let api = Api::start(FakeTenant::builder().seed(Seed::empty())).await;
    let id = api.tenant.insert_user(json!({"user_id": "samlp|corp/jdoe", "email": "jdoe@corp.test"}));
    let r = api.get("/users/samlp%7Ccorp%2Fjdoe").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["user_id"], id.as_str());
    // decoded exactly once: %252F stays a literal "%2F"
    let r = api.get("/users/samlp%7Ccorp%252Fjdoe").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.body["errorCode"], "inexistent_user");
    // an unencoded slash is two segments → no such route
    let r = api.get("/users/samlp%7Ccorp/jdoe").await;
    assert_eq!(r.body, json!({"statusCode":404,"error":"Not Found","message":"Not Found"}));
    assert_eq!(api.tenant.requests().last().unwrap().path, "/api/v2/users/samlp%7Ccorp/jdoe");
}

#[tokio::test]
async fn unknown_routes_are_404() {
    let api = Api::start(FakeTenant::builder().seed(Seed::empty())).await;
    for path in ["/nope", "/users/x/y/z", "/rules"] {
        let r = api.get(path).await;
        assert_eq!(r.status, 404);
        assert_eq!(r.body["message"], "Not Found");
    }
    let r = common::raw(&api.http, "GET", &format!("{}/elsewhere", api.tenant.base_url()), None, None).await.unwrap();
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn seeding_is_deterministic() {
    let a = FakeTenant::builder().seed(Seed::default().users(30).random_seed(9)).start().await.unwrap();
    let b = FakeTenant::builder().seed(Seed::default().users(30).random_seed(9)).start().await.unwrap();
    assert_eq!(a.user_ids(), b.user_ids());
    let id = &a.user_ids()[0];
    assert_eq!(a.user(id), b.user(id));
    assert_eq!(a.organization_ids(), b.organization_ids());
}

#[tokio::test]
async fn hostile_input_never_breaks_the_server() {
    let api = Api::start(FakeTenant::builder().seed(Seed::default()).offset_cap(None)).await;
    let forged = common::enc("//////////8sMTg0NDY3NDQwNzM3MDk1NTE2MTU");
    let gets = [
        "/users?page=18446744073709551615&per_page=100".to_string(),
        "/users?page=abc".to_string(),
        "/users?q=%22%22%22&search_engine=v3".to_string(),
        "/logs?page=18446744073709551615&per_page=100".to_string(),
        "/logs?from=zzz&take=0".to_string(),
        format!("/organizations?take=5&from={forged}"),
        format!("/organizations/{}/members?take=5&from=AAAA", api.tenant.organization_ids()[0]),
        "/clients?take=101".to_string(),
        "/users/%FF%FE".to_string(),
        "/refresh-tokens".to_string(),
    ];
    for g in &gets {
        let r = api.get(g).await;
        assert!(r.status < 500, "{g} -> {} {}", r.status, r.text);
    }
    let writes = [
        ("POST", "/users"),
        ("PATCH", "/users/auth0%7Cx"),
        ("POST", "/roles"),
        ("POST", "/clients"),
        ("POST", "/connections"),
        ("POST", "/organizations"),
        ("POST", "/resource-servers"),
        ("POST", "/refresh-tokens/revoke"),
    ];
    for (m, p) in writes {
        for body in ["", "null", "[1,2]", "{\"a\":", "\"str\""] {
            let r = api
                .http
                .request(reqwest::Method::from_bytes(m.as_bytes()).unwrap(), api.url(p))
                .bearer_auth(&api.token)
                .header("content-type", "application/json")
                .body(body.to_string())
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            assert!((400..500).contains(&status), "{m} {p} {body:?} -> {status}");
        }
    }
    assert_eq!(api.get("/roles").await.status, 200);
}
