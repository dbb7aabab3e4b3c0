//! The three shared handler shapes, through every resource that has them: `get_opt`
//! (404 → `None`, with or without `errorCode`; any other failure stays an error),
//! deletes (exact path, no body, any success status and body accepted) and calls
//! without a meaningful answer body.

mod resources_support;

use std::future::Future;

use auth0_mgmt::refresh_tokens::RevokeRefreshTokens;
use auth0_mgmt::{
    ClientId, ConnectionId, Error, GrantId, LogId, OrganizationId, RefreshTokenId, ResourceServerId, RoleId, SessionId,
    UserId,
};
use resources_support::*;
use serde_json::{Value, json};
use wiremock::{MockServer, ResponseTemplate};

/// Runs `call` against a fresh server answering `GET raw_path` with `answer`.
async fn get_with<T, F, Fut>(raw_path: &str, answer: ResponseTemplate, call: F) -> auth0_mgmt::Result<Option<T>>
where
    F: FnOnce(auth0_mgmt::Client) -> Fut,
    Fut: Future<Output = auth0_mgmt::Result<Option<T>>>,
{
    let server = MockServer::start().await;
    expect(&server, "GET", raw_path, &[], answer).await;
    catch_all(&server).await;
    let result = call(client(&server)).await;
    assert_request(&only_request(&server).await, "GET", raw_path, &[], None);
    result
}

/// Checks one `get_opt`: `Some` on 200, `None` on both 404 shapes, an error on 500
/// and on 403 (a missing scope is not "does not exist").
async fn check_get_opt<T, F, Fut>(raw_path: &str, found: Value, call: F)
where
    T: std::fmt::Debug,
    F: Fn(auth0_mgmt::Client) -> Fut,
    Fut: Future<Output = auth0_mgmt::Result<Option<T>>>,
{
    let got = get_with(raw_path, json(200, found), &call).await;
    assert!(matches!(got, Ok(Some(_))), "{raw_path}: {got:?}");
    for body in [
        json!({"statusCode": 404, "error": "Not Found", "message": "The user does not exist.", "errorCode": "inexistent_user"}),
        json!({"statusCode": 404, "error": "Not Found", "message": "No organization found by that id or name"}),
    ] {
        let got = get_with(raw_path, json(404, body), &call).await;
        assert!(matches!(got, Ok(None)), "{raw_path}: {got:?}");
    }
    for status in [403, 500] {
        let body = json!({"statusCode": status, "error": "x", "message": "y"});
        let got = get_with(raw_path, json(status, body), &call).await;
        assert!(matches!(&got, Err(e) if e.status().map(|s| s.as_u16()) == Some(status)), "{raw_path}: {got:?}");
    }
}

#[tokio::test]
async fn get_opt_is_none_on_404_and_an_error_otherwise_for_every_resource() {
    check_get_opt("/api/v2/users/auth0%7C1", json!({"user_id": "auth0|1"}), |c| async move {
        c.users().get_opt(&UserId::new("auth0|1").unwrap()).await
    })
    .await;
    check_get_opt("/api/v2/roles/rol_1", json!({"id": "rol_1", "name": "r"}), |c| async move {
        c.roles().get_opt(&RoleId::new("rol_1").unwrap()).await
    })
    .await;
    check_get_opt("/api/v2/clients/app1", json!({"client_id": "app1"}), |c| async move {
        c.clients().get_opt(&ClientId::new("app1").unwrap()).await
    })
    .await;
    check_get_opt("/api/v2/connections/con_1", json!({"id": "con_1", "strategy": "auth0"}), |c| async move {
        c.connections().get_opt(&ConnectionId::new("con_1").unwrap()).await
    })
    .await;
    check_get_opt("/api/v2/organizations/org_1", json!({"id": "org_1", "name": "o"}), |c| async move {
        c.organizations().get_opt(&OrganizationId::new("org_1").unwrap()).await
    })
    .await;
    check_get_opt("/api/v2/logs/90020", json!({"log_id": "90020", "type": "s"}), |c| async move {
        c.logs().get_opt(&LogId::new("90020").unwrap()).await
    })
    .await;
    check_get_opt(
        "/api/v2/resource-servers/https%3A%2F%2Fapi.example.com%2F",
        json!({"id": "rs_1", "identifier": "https://api.example.com/"}),
        |c| async move { c.resource_servers().get_opt(&ResourceServerId::new("https://api.example.com/").unwrap()).await },
    )
    .await;
    check_get_opt("/api/v2/refresh-tokens/rt_1", json!({"id": "rt_1"}), |c| async move {
        c.refresh_tokens().get_opt(&RefreshTokenId::new("rt_1").unwrap()).await
    })
    .await;
    check_get_opt("/api/v2/sessions/s_1", json!({"id": "s_1"}), |c| async move {
        c.sessions().get_opt(&SessionId::new("s_1").unwrap()).await
    })
    .await;
}

/// Runs one delete against a fresh server answering `DELETE raw_path` with `answer`.
async fn delete_with<F, Fut>(raw_path: &str, answer: ResponseTemplate, call: F) -> auth0_mgmt::Result<()>
where
    F: FnOnce(auth0_mgmt::Client) -> Fut,
    Fut: Future<Output = auth0_mgmt::Result<()>>,
{
    let server = MockServer::start().await;
    expect(&server, "DELETE", raw_path, &[], answer).await;
    catch_all(&server).await;
    let result = call(client(&server)).await;
    assert_request(&only_request(&server).await, "DELETE", raw_path, &[], None);
    result
}

/// Every success answer Auth0 gives to a delete is `Ok(())`, whatever its body; a 404
/// stays an error (a delete does not pretend it found something).
async fn check_delete<F, Fut>(raw_path: &str, call: F)
where
    F: Fn(auth0_mgmt::Client) -> Fut,
    Fut: Future<Output = auth0_mgmt::Result<()>>,
{
    for answer in [
        empty(204),
        empty(202),
        json(200, json!({"deleted_at": "2024-10-14T11:52:59.283Z"})),
        ResponseTemplate::new(202).set_body_string("Accepted"),
    ] {
        let got = delete_with(raw_path, answer, &call).await;
        assert!(got.is_ok(), "{raw_path}: {got:?}");
    }
    let gone = json(404, json!({"statusCode": 404, "error": "Not Found", "message": "gone"}));
    let got = delete_with(raw_path, gone, &call).await;
    assert!(matches!(&got, Err(e) if e.is_not_found()), "{raw_path}: {got:?}");
}

#[tokio::test]
async fn deletes_send_the_exact_path_without_a_body_and_accept_any_success() {
    check_delete(
        "/api/v2/users/auth0%7C1",
        |c| async move { c.users().delete(&UserId::new("auth0|1").unwrap()).await },
    )
    .await;
    check_delete("/api/v2/clients/app1", |c| async move { c.clients().delete(&ClientId::new("app1").unwrap()).await })
        .await;
    check_delete("/api/v2/grants/gr_1", |c| async move { c.grants().delete(&GrantId::new("gr_1").unwrap()).await })
        .await;
    check_delete("/api/v2/refresh-tokens/rt_1", |c| async move {
        c.refresh_tokens().delete(&RefreshTokenId::new("rt_1").unwrap()).await
    })
    .await;
}

#[tokio::test]
async fn calls_without_an_answer_body_send_their_body_and_ignore_the_answer() {
    let server = MockServer::start().await;
    let uid = UserId::new("auth0|1").unwrap();
    let roles_body = json!({"roles": ["rol_1"]});
    expect(&server, "POST", "/api/v2/users/auth0%7C1/roles", &[], empty(204)).await;
    expect(&server, "DELETE", "/api/v2/users/auth0%7C1/roles", &[], empty(204)).await;
    expect(&server, "POST", "/api/v2/organizations/org_1/members", &[], json(204, json!({}))).await;
    expect(&server, "POST", "/api/v2/refresh-tokens/revoke", &[], ResponseTemplate::new(202).set_body_string("ok"))
        .await;
    catch_all(&server).await;
    let c = client(&server);

    c.users().assign_roles(&uid, [RoleId::new("rol_1").unwrap()]).await.unwrap();
    c.users().remove_roles(&uid, [RoleId::new("rol_1").unwrap()]).await.unwrap();
    c.organizations().add_members(&OrganizationId::new("org_1").unwrap(), [uid.clone()]).await.unwrap();
    c.refresh_tokens().revoke(&RevokeRefreshTokens::user(uid.clone())).await.unwrap();

    let reqs = server.received_requests().await.unwrap();
    assert_request(&reqs[0], "POST", "/api/v2/users/auth0%7C1/roles", &[], Some(roles_body.clone()));
    assert_request(&reqs[1], "DELETE", "/api/v2/users/auth0%7C1/roles", &[], Some(roles_body));
    assert_request(&reqs[2], "POST", "/api/v2/organizations/org_1/members", &[], Some(json!({"members": ["auth0|1"]})));
    assert_request(&reqs[3], "POST", "/api/v2/refresh-tokens/revoke", &[], Some(json!({"user_id": "auth0|1"})));

    // A failure is still a typed error, not swallowed with the body.
    let server = MockServer::start().await;
    let conflict = json!({"statusCode": 409, "error": "Conflict", "message": "taken", "errorCode": "conflict"});
    expect(&server, "POST", "/api/v2/users/auth0%7C1/roles", &[], json(409, conflict)).await;
    catch_all(&server).await;
    let err = client(&server).users().assign_roles(&uid, [RoleId::new("rol_1").unwrap()]).await.unwrap_err();
    assert!(matches!(&err, Error::Api(a) if a.status.as_u16() == 409), "{err:?}");
}
