//! Users endpoints on the wire: the exact method, path, query and body the server
//! received, and the decoded result.

mod common;

use auth0_mgmt::users::{CreateUser, UpdateUser};
use auth0_mgmt::{Fields, MetadataPatch, Patch, UserId};
use futures::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

fn uid() -> UserId {
    "auth0|63d17c4c5d69f3e86d515d1c".parse().unwrap()
}

#[tokio::test]
async fn get_user_encodes_the_id_and_decodes_unknown_fields() {
    let server = common::server().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/users/auth0%7C63d17c4c5d69f3e86d515d1c"))
        .and(header(
            "authorization",
            format!("Bearer {}", common::jwt("read:users create:users update:users delete:users")).as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(common::user_json("auth0|63d17c4c5d69f3e86d515d1c")))
        .expect(1)
        .mount(&server)
        .await;
    common::catch_all(&server).await;

    let user = common::client(&server).users().get(&uid()).await.unwrap();
    assert_eq!(user.user_id, uid());
    assert_eq!(user.email.as_deref(), Some("chuck520@example.com"));
    assert_eq!(user.identities()[0].is_social, Some(false));
    assert_eq!(user.extra["brand_new_field"], json!({"kept": true}));
    let reqs = common::api_requests(&server).await;
    assert_eq!(reqs[0].url.path(), "/api/v2/users/auth0%7C63d17c4c5d69f3e86d515d1c");
    assert_eq!(reqs[0].url.query(), None);
    assert!(reqs[0].headers.get("auth0-client").is_some(), "telemetry header on by default");
}

#[tokio::test]
async fn get_with_fields_always_keeps_user_id() {
    let server = common::server().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/users/auth0%7C63d17c4c5d69f3e86d515d1c"))
        .and(query_param("fields", "email,user_id"))
        .and(query_param("include_fields", "true"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"user_id": "auth0|63d17c4c5d69f3e86d515d1c", "email": "a@b.c"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    common::catch_all(&server).await;
    let user = common::client(&server).users().get_fields(&uid(), &Fields::include(["email"])).await.unwrap();
    assert_eq!(user.email.as_deref(), Some("a@b.c"));
}

#[tokio::test]
async fn get_opt_maps_404_to_none_and_keeps_the_error_otherwise() {
    let server = common::server().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"statusCode":404,"error":"Not Found","message":"The user does not exist.","errorCode":"inexistent_user"})))
        .mount(&server)
        .await;
    let client = common::client(&server);
    assert!(client.users().get_opt(&uid()).await.unwrap().is_none());
    let err = client.users().get(&uid()).await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.to_string(), "404 Not Found (inexistent_user): The user does not exist.");
    assert_eq!(err.error_code(), Some("inexistent_user"));
}

#[tokio::test]
async fn list_sends_search_parameters_and_reads_totals() {
    let server = common::server().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/users"))
        .and(query_param("q", r#"email:"*@acme.com""#))
        .and(query_param("search_engine", "v3"))
        .and(query_param("sort", "created_at:1"))
        .and(query_param("page", "2"))
        .and(query_param("per_page", "10"))
        .and(query_param("include_totals", "true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "start": 20, "limit": 10, "length": 1, "total": 21,
            "users": [common::user_json("auth0|1")]
        })))
        .expect(1)
        .mount(&server)
        .await;
    common::catch_all(&server).await;
    let page = common::client(&server)
        .users()
        .list()
        .q(r#"email:"*@acme.com""#)
        .sort("created_at:1")
        .page(2)
        .per_page(10)
        .send()
        .await
        .unwrap();
    assert_eq!((page.start, page.limit, page.total), (Some(20), Some(10), Some(21)));
    assert_eq!(page.items.len(), 1);
    // The query string is encoded as Auth0 expects (REC: q=email%3A%22...%22).
    let reqs = common::api_requests(&server).await;
    assert!(reqs[0].url.query().unwrap().contains("q=email%3A%22*%40acme.com%22"), "{:?}", reqs[0].url.query());
}

#[tokio::test]
async fn create_sends_the_body_and_decodes_201() {
    let server = common::server().await;
    let expected = json!({
        "connection": "Username-Password-Authentication",
        "email": "chuck520@example.com",
        "password": "Passwords hide their chuck",
        "user_metadata": {"favourite_attack": "roundhouse_kick"}
    });
    Mock::given(method("POST"))
        .and(path("/api/v2/users"))
        .and(header("content-type", "application/json"))
        .and(body_json(&expected))
        .respond_with(ResponseTemplate::new(201).set_body_json(common::user_json("auth0|new")))
        .expect(1)
        .mount(&server)
        .await;
    common::catch_all(&server).await;
    let mut meta = serde_json::Map::new();
    meta.insert("favourite_attack".into(), json!("roundhouse_kick"));
    let user = common::client(&server)
        .users()
        .create(
            &CreateUser::new("Username-Password-Authentication")
                .email("chuck520@example.com")
                .password("Passwords hide their chuck")
                .user_metadata(meta),
        )
        .await
        .unwrap();
    assert_eq!(user.user_id.as_str(), "auth0|new");
}

#[tokio::test]
async fn update_distinguishes_absent_null_and_value_and_never_sends_an_empty_map() {
    let server = common::server().await;
    Mock::given(method("PATCH"))
        .and(path("/api/v2/users/auth0%7C63d17c4c5d69f3e86d515d1c"))
        .and(body_json(json!({"nickname": null, "given_name": "Ada", "app_metadata": {"plan": "pro", "trial": null}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(common::user_json("auth0|63d17c4c5d69f3e86d515d1c")))
        .expect(1)
        .mount(&server)
        .await;
    common::catch_all(&server).await;
    let changes = UpdateUser::new()
        .nickname(Patch::Clear)
        .given_name("Ada")
        .app_metadata(MetadataPatch::new().set("plan", "pro").remove("trial"))
        // An empty user_metadata change is not sent (sending {} would wipe it).
        .user_metadata(MetadataPatch::from_map(Default::default()));
    common::client(&server).users().update(&uid(), &changes).await.unwrap();
}

#[tokio::test]
async fn delete_is_204_and_idempotent() {
    let server = common::server().await;
    Mock::given(method("DELETE"))
        .and(path("/api/v2/users/auth0%7C63d17c4c5d69f3e86d515d1c"))
        .respond_with(ResponseTemplate::new(204))
        .expect(2)
        .mount(&server)
        .await;
    common::catch_all(&server).await;
    let client = common::client(&server);
    client.users().delete(&uid()).await.unwrap();
    client.users().delete(&uid()).await.unwrap();
}

#[tokio::test]
async fn list_by_email_reads_a_bare_array() {
    let server = common::server().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/users-by-email"))
        .and(query_param("email", "chuck520@example.com"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([common::user_json("auth0|1"), common::user_json("google-oauth2|2")])),
        )
        .expect(1)
        .mount(&server)
        .await;
    common::catch_all(&server).await;
    let users = common::client(&server).users().list_by_email("chuck520@example.com").await.unwrap();
    assert_eq!(users.len(), 2);
}

#[tokio::test]
async fn stream_walks_pages_lazily_and_stops_at_the_total() {
    let server = common::server().await;
    for page in 0..3u64 {
        let n = if page < 2 { 2 } else { 1 };
        let users: Vec<_> = (0..n).map(|i| common::user_json(&format!("auth0|{page}-{i}"))).collect();
        Mock::given(method("GET"))
            .and(path("/api/v2/users"))
            .and(query_param("page", page.to_string()))
            .and(query_param("per_page", "2"))
            .and(query_param("include_totals", "true"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"start": page * 2, "limit": 2, "length": n, "total": 5, "users": users})),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    common::catch_all(&server).await;
    let client = common::client(&server);
    let stream = client.users().list().per_page(2).stream();
    assert!(common::api_requests(&server).await.is_empty(), "streams are lazy");
    let ids: Vec<String> = stream.map_ok(|u| u.user_id.to_string()).try_collect().await.unwrap();
    assert_eq!(ids, ["auth0|0-0", "auth0|0-1", "auth0|1-0", "auth0|1-1", "auth0|2-0"]);
    assert_eq!(common::api_requests(&server).await.len(), 3);
}

#[tokio::test]
async fn stream_ends_with_a_paging_limit_error_instead_of_the_1000_refusal() {
    let server = common::server().await;
    for page in 0..10u64 {
        let users: Vec<_> = (0..100).map(|i| common::user_json(&format!("auth0|{}", page * 100 + i))).collect();
        Mock::given(method("GET"))
            .and(path("/api/v2/users"))
            .and(query_param("page", page.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"start": page * 100, "limit": 100, "length": 100, "total": 2500, "users": users}),
            ))
            .expect(1)
            .mount(&server)
            .await;
    }
    common::catch_all(&server).await;
    let mut stream = common::client(&server).users().list().per_page(100).stream();
    let mut n = 0;
    let err = loop {
        match stream.try_next().await {
            Ok(Some(_)) => n += 1,
            Ok(None) => panic!("the stream must not end silently at 1000"),
            Err(e) => break e,
        }
    };
    assert_eq!(n, 1000);
    assert!(matches!(err, auth0_mgmt::Error::PagingLimit { limit: 1000, total: Some(2500), .. }), "{err:?}");
    assert!(err.to_string().contains("narrow the query"), "{err}");
    assert!(stream.try_next().await.unwrap().is_none(), "the stream ends after the error");
    // Page 10 was never requested (it would be answered with 400 invalid_paging).
    assert_eq!(common::api_requests(&server).await.len(), 10);
}

#[tokio::test]
async fn a_server_invalid_paging_answer_becomes_the_paging_limit_error() {
    let server = common::server().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/users"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"statusCode":400,"error":"Bad Request","message":"You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation","errorCode":"invalid_paging"})))
        .mount(&server)
        .await;
    let err = common::client(&server).users().list().page(3).stream().try_next().await.unwrap_err();
    assert!(matches!(err, auth0_mgmt::Error::PagingLimit { .. }), "{err:?}");
}

#[tokio::test]
async fn no_content_calls_tolerate_empty_bodies_empty_objects_and_real_objects() {
    for body in ["", "{}", r#"{"deleted_at":"2024-10-14T11:52:59.283Z"}"#] {
        let server = common::server().await;
        Mock::given(method("DELETE"))
            .respond_with(ResponseTemplate::new(if body.is_empty() { 204 } else { 200 }).set_body_string(body))
            .expect(1)
            .mount(&server)
            .await;
        common::client(&server).users().delete(&uid()).await.unwrap();
    }
}
