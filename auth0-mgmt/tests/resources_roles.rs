//! Wire tests for roles and a user's role membership: exact request, decoded result,
//! and the unusual success codes (role create 200, assign/remove 204).

mod resources_support;

use auth0_mgmt::roles::CreateRole;
use auth0_mgmt::{RoleId, UserId};
use futures::TryStreamExt;
use resources_support::*;
use serde_json::json;
use wiremock::MockServer;

fn role(id: &str) -> serde_json::Value {
    json!({"id": id, "name": format!("name-{id}"), "description": "d"})
}

#[tokio::test]
async fn list_roles_one_page_with_name_filter() {
    let server = MockServer::start().await;
    let body = recorded("roles.list", 200);
    let q = [("name_filter", "adm"), ("page", "2"), ("per_page", "10"), ("include_totals", "true")];
    expect(&server, "GET", "/api/v2/roles", &q, json(200, body.clone())).await;
    catch_all(&server).await;

    let page = client(&server).roles().list().name_filter("adm").page(2).per_page(10).send().await.unwrap();
    assert_request(&only_request(&server).await, "GET", "/api/v2/roles", &q, None);
    assert_eq!(page.items.len(), body["roles"].as_array().unwrap().len());
    assert_eq!(page.items[0].id, body["roles"][0]["id"].as_str().unwrap());
    assert_eq!(page.total, body["total"].as_u64());
}

#[tokio::test]
async fn list_roles_stream_walks_offset_pages() {
    let server = MockServer::start().await;
    let base = [("per_page", "2"), ("include_totals", "true")];
    expect(
        &server,
        "GET",
        "/api/v2/roles",
        &[base[0], base[1], ("page", "0")],
        json(200, json!({"roles": [role("rol_1"), role("rol_2")], "start": 0, "limit": 2, "total": 3})),
    )
    .await;
    expect(
        &server,
        "GET",
        "/api/v2/roles",
        &[base[0], base[1], ("page", "1")],
        json(200, json!({"roles": [role("rol_3")], "start": 2, "limit": 2, "total": 3})),
    )
    .await;
    catch_all(&server).await;

    let roles: Vec<_> = client(&server).roles().list().per_page(2).stream().try_collect().await.unwrap();
    let ids: Vec<_> = roles.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["rol_1", "rol_2", "rol_3"]);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn get_role_and_404_without_error_code() {
    let server = MockServer::start().await;
    expect(&server, "GET", "/api/v2/roles/rol_1", &[], json(200, role("rol_1"))).await;
    expect_n(
        &server,
        2,
        "GET",
        "/api/v2/roles/rol_gone",
        &[],
        json(404, json!({"statusCode": 404, "error": "Not Found", "message": "The role does not exist."})),
    )
    .await;
    catch_all(&server).await;

    let roles = client(&server).roles();
    let r = roles.get(&RoleId::new("rol_1").unwrap()).await.unwrap();
    assert_eq!(r.name.as_deref(), Some("name-rol_1"));
    assert_eq!(roles.get_opt(&RoleId::new("rol_gone").unwrap()).await.unwrap(), None);
    let err = roles.get(&RoleId::new("rol_gone").unwrap()).await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.error_code(), None);
}

#[tokio::test]
async fn create_role_succeeds_with_200() {
    let server = MockServer::start().await;
    let body = recorded("roles.create", 200);
    expect(&server, "POST", "/api/v2/roles", &[], json(200, body.clone())).await;
    catch_all(&server).await;

    let created = client(&server).roles().create(&CreateRole::new("test-role").description("Test Role")).await.unwrap();
    assert_request(
        &only_request(&server).await,
        "POST",
        "/api/v2/roles",
        &[],
        Some(json!({"name": "test-role", "description": "Test Role"})),
    );
    assert_eq!(created.id, body["id"].as_str().unwrap());
}

#[tokio::test]
async fn list_user_roles_encodes_the_user_id() {
    let server = MockServer::start().await;
    // `per_page` is always sent: 100 unless told otherwise.
    let q = [("page", "0"), ("per_page", "100"), ("include_totals", "true")];
    expect(
        &server,
        "GET",
        "/api/v2/users/auth0%7Cabc/roles",
        &q,
        json(200, json!({"roles": [role("rol_1")], "start": 0, "limit": 50, "total": 1})),
    )
    .await;
    catch_all(&server).await;

    let user = UserId::new("auth0|abc").unwrap();
    let page = client(&server).users().roles(&user).send().await.unwrap();
    assert_request(&only_request(&server).await, "GET", "/api/v2/users/auth0%7Cabc/roles", &q, None);
    assert_eq!(page.items[0].id, "rol_1");
    assert_eq!(page.total, Some(1));
}

#[tokio::test]
async fn assign_roles_sends_role_ids_and_accepts_204() {
    let server = MockServer::start().await;
    let path = "/api/v2/users/auth0%7C63d17c50e99d3933163bdda9/roles";
    expect(&server, "POST", path, &[], empty(204)).await;
    catch_all(&server).await;

    let user = UserId::new("auth0|63d17c50e99d3933163bdda9").unwrap();
    client(&server)
        .users()
        .assign_roles(&user, [RoleId::new("rol_1").unwrap(), RoleId::new("rol_2").unwrap()])
        .await
        .unwrap();
    assert_request(&only_request(&server).await, "POST", path, &[], Some(json!({"roles": ["rol_1", "rol_2"]})));
}

#[tokio::test]
async fn remove_roles_is_a_delete_with_body_and_204() {
    let server = MockServer::start().await;
    let path = "/api/v2/users/auth0%7Cabc/roles";
    expect(&server, "DELETE", path, &[], empty(204)).await;
    catch_all(&server).await;

    let user = UserId::new("auth0|abc").unwrap();
    client(&server).users().remove_roles(&user, [RoleId::new("rol_1").unwrap()]).await.unwrap();
    assert_request(&only_request(&server).await, "DELETE", path, &[], Some(json!({"roles": ["rol_1"]})));
}

#[tokio::test]
async fn empty_role_lists_are_refused_before_sending() {
    let server = MockServer::start().await;
    catch_all(&server).await;
    let user = UserId::new("auth0|abc").unwrap();
    let users = client(&server).users();
    let err = users.assign_roles(&user, []).await.unwrap_err();
    assert!(matches!(err, auth0_mgmt::Error::InvalidRequest { operation: "users.assign_roles", .. }));
    assert!(users.remove_roles(&user, []).await.is_err());
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn find_users_by_email_returns_a_bare_array() {
    let server = MockServer::start().await;
    let users = recorded("users.list", 200)["users"].clone();
    let q = [("email", "chuck@example.com")];
    expect(&server, "GET", "/api/v2/users-by-email", &q, json(200, users.clone())).await;
    catch_all(&server).await;

    let found = client(&server).users().list_by_email("chuck@example.com").await.unwrap();
    assert_request(&only_request(&server).await, "GET", "/api/v2/users-by-email", &q, None);
    assert_eq!(found.len(), users.as_array().unwrap().len());
    assert_eq!(found[0].user_id, users[0]["user_id"].as_str().unwrap());
}
