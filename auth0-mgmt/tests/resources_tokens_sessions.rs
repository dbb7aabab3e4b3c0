//! Wire tests for refresh tokens and sessions: 202/204 deletes, metadata PATCH bodies,
//! checkpoint-only listing, and the four revoke body shapes (plus the local >100 refusal).

mod resources_support;

use auth0_mgmt::refresh_tokens::{RevokeRefreshTokens, UpdateRefreshToken};
use auth0_mgmt::sessions::UpdateSession;
use auth0_mgmt::{ClientId, Error, RefreshTokenId, SessionId, UserId};
use futures::TryStreamExt;
use resources_support::*;
use serde_json::json;
use wiremock::MockServer;

#[tokio::test]
async fn get_refresh_token_with_string_scopes_and_null_dates() {
    let server = MockServer::start().await;
    let body = recorded("refresh_tokens.get", 200);
    expect(&server, "GET", "/api/v2/refresh-tokens/RefreshTokenID", &[], json(200, body.clone())).await;
    catch_all(&server).await;

    let t = client(&server).refresh_tokens().get(&RefreshTokenId::new("RefreshTokenID").unwrap()).await.unwrap();
    assert_request(&only_request(&server).await, "GET", "/api/v2/refresh-tokens/RefreshTokenID", &[], None);
    assert_eq!(t.expires_at, None);
    let rs = &t.resource_servers.as_ref().unwrap()[0];
    assert_eq!(rs.scopes.as_deref(), body["resource_servers"][0]["scopes"].as_str());
    assert_eq!(Some(t.created_at.as_ref().unwrap().to_string().as_str()), body["created_at"].as_str());
}

#[tokio::test]
async fn update_refresh_token_metadata_and_clear_it() {
    let server = MockServer::start().await;
    let path = "/api/v2/refresh-tokens/rt_1";
    expect_n(&server, 2, "PATCH", path, &[], json(200, json!({"id": "rt_1", "refresh_token_metadata": {"k": "v"}})))
        .await;
    catch_all(&server).await;

    let rts = client(&server).refresh_tokens();
    let id = RefreshTokenId::new("rt_1").unwrap();
    let meta = json!({"k": "v"}).as_object().cloned().unwrap();
    let t = rts.update(&id, &UpdateRefreshToken::metadata(meta)).await.unwrap();
    assert_eq!(t.refresh_token_metadata.unwrap()["k"], "v");
    rts.update(&id, &UpdateRefreshToken::clear_metadata()).await.unwrap();
    let reqs = server.received_requests().await.unwrap();
    assert_request(&reqs[0], "PATCH", path, &[], Some(json!({"refresh_token_metadata": {"k": "v"}})));
    assert_request(&reqs[1], "PATCH", path, &[], Some(json!({"refresh_token_metadata": null})));
}

#[tokio::test]
async fn delete_refresh_token_accepts_202_and_204() {
    let server = MockServer::start().await;
    expect(&server, "DELETE", "/api/v2/refresh-tokens/rt_202", &[], json(202, json!({}))).await;
    expect(&server, "DELETE", "/api/v2/refresh-tokens/rt_204", &[], empty(204)).await;
    catch_all(&server).await;
    let rts = client(&server).refresh_tokens();
    rts.delete(&RefreshTokenId::new("rt_202").unwrap()).await.unwrap();
    rts.delete(&RefreshTokenId::new("rt_204").unwrap()).await.unwrap();
}

#[tokio::test]
async fn list_refresh_tokens_is_checkpoint_only() {
    let server = MockServer::start().await;
    let base = [("user_id", "auth0|u1"), ("client_id", "app1"), ("take", "1")];
    expect(
        &server,
        "GET",
        "/api/v2/refresh-tokens",
        &base,
        json(200, json!({"refresh_tokens": [{"id": "rt_1"}], "next": "n1"})),
    )
    .await;
    expect(
        &server,
        "GET",
        "/api/v2/refresh-tokens",
        &[base[0], base[1], base[2], ("from", "n1")],
        json(200, json!({"refresh_tokens": [{"id": "rt_2"}]})),
    )
    .await;
    catch_all(&server).await;

    let tokens: Vec<_> = client(&server)
        .refresh_tokens()
        .list(&UserId::new("auth0|u1").unwrap())
        .client_id(ClientId::new("app1").unwrap())
        .take(1)
        .checkpoint()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = tokens.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["rt_1", "rt_2"]);
    for r in server.received_requests().await.unwrap() {
        let q: Vec<_> = r.url.query_pairs().map(|(k, _)| k.into_owned()).collect();
        assert!(!q.iter().any(|k| k == "page" || k == "per_page" || k == "include_totals"));
    }
}

#[tokio::test]
async fn revoke_sends_each_body_variant_exactly() {
    let server = MockServer::start().await;
    expect_n(&server, 4, "POST", "/api/v2/refresh-tokens/revoke", &[], json(202, json!({}))).await;
    catch_all(&server).await;

    let user = UserId::new("auth0|u1").unwrap();
    let app = ClientId::new("app1").unwrap();
    let variants = [
        RevokeRefreshTokens::ids(["rt_1", "rt_2"].map(|i| RefreshTokenId::new(i).unwrap())).unwrap(),
        RevokeRefreshTokens::user(user.clone()),
        RevokeRefreshTokens::user_client(user.clone(), app.clone()),
        RevokeRefreshTokens::user_client_audience(user, app, "https://api.example.com/"),
    ];
    let rts = client(&server).refresh_tokens();
    for v in &variants {
        rts.revoke(v).await.unwrap();
    }
    let bodies = [
        json!({"ids": ["rt_1", "rt_2"]}),
        json!({"user_id": "auth0|u1"}),
        json!({"user_id": "auth0|u1", "client_id": "app1"}),
        json!({"user_id": "auth0|u1", "client_id": "app1", "audience": "https://api.example.com/"}),
    ];
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 4);
    for (r, b) in reqs.iter().zip(bodies) {
        assert_request(r, "POST", "/api/v2/refresh-tokens/revoke", &[], Some(b));
    }
}

#[tokio::test]
async fn revoke_refuses_more_than_100_ids_before_sending() {
    let server = MockServer::start().await;
    catch_all(&server).await;
    let ids = (0..101).map(|i| RefreshTokenId::new(format!("rt_{i}")).unwrap());
    let err = RevokeRefreshTokens::ids(ids).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest { operation: "refresh_tokens.revoke", reason } if reason.contains("101")),
        "{err}"
    );
    assert!(RevokeRefreshTokens::ids([]).is_err());
    assert!(RevokeRefreshTokens::ids([RefreshTokenId::new("x".repeat(31)).unwrap()]).is_err());
    let ok = RevokeRefreshTokens::ids((0..100).map(|i| RefreshTokenId::new(format!("rt_{i}")).unwrap()));
    assert!(ok.is_ok());
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn get_session() {
    let server = MockServer::start().await;
    let body = recorded("sessions.get", 200);
    expect(&server, "GET", "/api/v2/sessions/SessionID", &[], json(200, body.clone())).await;
    catch_all(&server).await;

    let s = client(&server).sessions().get(&SessionId::new("SessionID").unwrap()).await.unwrap();
    assert_request(&only_request(&server).await, "GET", "/api/v2/sessions/SessionID", &[], None);
    assert_eq!(s.user_id.as_ref().unwrap().as_str(), body["user_id"].as_str().unwrap());
    assert_eq!(s.device.as_ref().unwrap().last_ip.as_deref(), body["device"]["last_ip"].as_str());
    assert_eq!(serde_json::to_value(&s).unwrap(), body);
}

#[tokio::test]
async fn update_session_metadata() {
    let server = MockServer::start().await;
    let path = "/api/v2/sessions/ses_1";
    expect(&server, "PATCH", path, &[], json(200, json!({"id": "ses_1", "session_metadata": {"risk": "low"}}))).await;
    catch_all(&server).await;

    let meta = json!({"risk": "low"}).as_object().cloned().unwrap();
    let s = client(&server)
        .sessions()
        .update(&SessionId::new("ses_1").unwrap(), &UpdateSession::metadata(meta))
        .await
        .unwrap();
    assert_request(
        &only_request(&server).await,
        "PATCH",
        path,
        &[],
        Some(json!({"session_metadata": {"risk": "low"}})),
    );
    assert_eq!(s.session_metadata.unwrap()["risk"], "low");
}
