//! Every resource round-trips through the fake tenant with the real client: the typed
//! handlers, the one request path, and the fake's shapes agree.

use std::time::Duration;

use auth0_mgmt::clients::{CreateApplication, UpdateApplication};
use auth0_mgmt::connections::{CreateConnection, Strategy};
use auth0_mgmt::organizations::CreateOrganization;
use auth0_mgmt::refresh_tokens::{RevokeRefreshTokens, UpdateRefreshToken};
use auth0_mgmt::resource_servers::CreateResourceServer;
use auth0_mgmt::roles::CreateRole;
use auth0_mgmt::sessions::UpdateSession;
use auth0_mgmt::{Client, RetryConfig, UserId};
use auth0_mgmt_fake::{FakeTenant, Seed};
use futures::TryStreamExt;
use serde_json::json;

fn client_for(tenant: &FakeTenant) -> Client {
    Client::builder()
        .base_url(tenant.base_url())
        .client_credentials(tenant.client_id(), tenant.client_secret())
        .retry(RetryConfig::default().backoff(Duration::from_millis(1), Duration::from_millis(10)))
        .build()
        .unwrap()
}

fn object(v: serde_json::Value) -> auth0_mgmt::JsonObject {
    v.as_object().unwrap().clone()
}

#[tokio::test]
async fn roles_round_trip() {
    let tenant = FakeTenant::builder().seed(Seed::empty().users(2).roles(3)).start().await.unwrap();
    let client = client_for(&tenant);
    let role = client.roles().create(&CreateRole::new("auditor")).await.unwrap();
    assert_eq!(client.roles().get(&role.id).await.unwrap().name.as_deref(), Some("auditor"));
    let all: Vec<_> = client.roles().list().stream().try_collect().await.unwrap();
    assert_eq!(all.len(), 4);
    let user: UserId = tenant.user_ids()[0].parse().unwrap();
    client.users().assign_roles(&user, [role.id.clone()]).await.unwrap();
    let mine: Vec<_> = client.users().roles(&user).stream().try_collect().await.unwrap();
    assert!(mine.iter().any(|r| r.id == role.id));
    client.users().remove_roles(&user, [role.id.clone()]).await.unwrap();
    assert!(!tenant.user_role_ids(user.as_str()).contains(&role.id.to_string()));
}

#[tokio::test]
async fn applications_round_trip() {
    let tenant = FakeTenant::builder().seed(Seed::empty().clients(3)).start().await.unwrap();
    let client = client_for(&tenant);
    let app = client.clients().create(&CreateApplication::new("billing-bot")).await.unwrap();
    assert!(app.client_secret.is_some(), "create returns the secret");
    let changes = UpdateApplication::new().description("bills");
    let updated = client.clients().update(&app.client_id, &changes).await.unwrap();
    assert_eq!(updated.description.as_deref(), Some("bills"));
    let offset: Vec<_> = client.clients().list().stream().try_collect().await.unwrap();
    let checkpoint: Vec<_> = client.clients().list().take(2).checkpoint().try_collect().await.unwrap();
    assert_eq!(offset.len(), checkpoint.len());
    client.clients().delete(&app.client_id).await.unwrap();
    client.clients().delete(&app.client_id).await.unwrap();
    assert!(client.clients().get_opt(&app.client_id).await.unwrap().is_none());
}

#[tokio::test]
async fn connections_organizations_and_members_round_trip() {
    let tenant = FakeTenant::builder().seed(Seed::empty().users(5).organizations(4)).start().await.unwrap();
    let client = client_for(&tenant);
    let conn = client.connections().create(&CreateConnection::new("partners-db", Strategy::Auth0)).await.unwrap();
    assert_eq!(client.connections().get(&conn.id).await.unwrap().name.as_deref(), Some("partners-db"));
    let conns: Vec<_> = client.connections().list().checkpoint().try_collect().await.unwrap();
    assert!(conns.iter().any(|c| c.id == conn.id));

    let org = client.organizations().create(&CreateOrganization::new("acme")).await.unwrap();
    let users: Vec<UserId> = tenant.user_ids().iter().map(|u| u.parse().unwrap()).collect();
    client.organizations().add_members(&org.id, users.clone()).await.unwrap();
    let members: Vec<_> = client.organizations().members(&org.id).take(2).checkpoint().try_collect().await.unwrap();
    assert_eq!(members.len(), users.len());
    let orgs: Vec<_> = client.organizations().list().take(2).checkpoint().try_collect().await.unwrap();
    assert_eq!(orgs.len(), 5);
    assert_eq!(client.organizations().get(&org.id).await.unwrap().name.as_deref(), Some("acme"));
}

#[tokio::test]
async fn grants_and_resource_servers_round_trip() {
    let tenant =
        FakeTenant::builder().seed(Seed::empty().users(3).grants(4).resource_servers(2)).start().await.unwrap();
    let client = client_for(&tenant);
    let grants: Vec<_> = client.grants().list().stream().try_collect().await.unwrap();
    assert_eq!(grants.len(), 4);
    client.grants().delete(&grants[0].id).await.unwrap();
    assert_eq!(client.grants().list().stream().try_collect::<Vec<_>>().await.unwrap().len(), 3);

    let api = client.resource_servers().create(&CreateResourceServer::new("https://api.acme.test/")).await.unwrap();
    let by_id = client.resource_servers().get(&api.id).await.unwrap();
    let by_identifier = client.resource_servers().get(&"https://api.acme.test/".parse().unwrap()).await.unwrap();
    assert_eq!(by_id.id, by_identifier.id);
    let all: Vec<_> = client.resource_servers().list().stream().try_collect().await.unwrap();
    assert!(all.iter().any(|r| r.id == api.id));
}

#[tokio::test]
async fn refresh_tokens_and_sessions_round_trip() {
    let tenant = FakeTenant::builder().seed(Seed::empty().users(4).refresh_token_every(1)).start().await.unwrap();
    let client = client_for(&tenant);
    let user =
        tenant.user_ids().into_iter().find(|u| !tenant.refresh_token_ids(u).is_empty()).expect("a user with tokens");
    let uid: UserId = user.parse().unwrap();
    let tokens: Vec<_> = client.refresh_tokens().list(&uid).checkpoint().try_collect().await.unwrap();
    assert!(!tokens.is_empty());
    let rt = &tokens[0];
    let changes = UpdateRefreshToken::metadata(object(json!({"device": "laptop"})));
    let updated = client.refresh_tokens().update(&rt.id, &changes).await.unwrap();
    assert_eq!(client.refresh_tokens().get(&updated.id).await.unwrap().id, rt.id);
    client.refresh_tokens().delete(&rt.id).await.unwrap();
    client.refresh_tokens().revoke(&RevokeRefreshTokens::User { user_id: uid.clone() }).await.unwrap();

    if let Some(session) = tenant.session_ids(&user).first() {
        let sid = session.parse().unwrap();
        let changes = UpdateSession::metadata(object(json!({"risk": "low"})));
        client.sessions().update(&sid, &changes).await.unwrap();
        assert_eq!(client.sessions().get(&sid).await.unwrap().id, sid);
    }
}

#[tokio::test]
async fn logs_search_get_and_tail_round_trip() {
    let tenant = FakeTenant::builder().seed(Seed::empty().users(1).logs(250)).start().await.unwrap();
    let client = client_for(&tenant);
    let newest = client.logs().newest().await.unwrap().unwrap();
    assert_eq!(client.logs().get(&newest.log_id).await.unwrap().log_id, newest.log_id);
    let all: Vec<_> = client.logs().tail().from_oldest().until_caught_up().stream().try_collect().await.unwrap();
    assert_eq!(all.len(), 250);
    assert!(all.windows(2).all(|w| w[0].log_id.as_str() < w[1].log_id.as_str()), "forward in time");
    let searched: Vec<_> = client.logs().list().per_page(100).stream().try_collect().await.unwrap();
    assert_eq!(searched.len(), 250);
}
