//! Wire tests for applications (clients), resource servers and grants.

mod resources_support;

use auth0_mgmt::clients::{AppType, CreateApplication, UpdateApplication};
use auth0_mgmt::resource_servers::{CreateResourceServer, ResourceServerScope};
use auth0_mgmt::{ClientId, Fields, GrantId, Patch, ResourceServerId, UserId};
use futures::TryStreamExt;
use resources_support::*;
use serde_json::json;
use wiremock::MockServer;

// ---- applications ----

#[tokio::test]
async fn list_clients_offset_with_filters_and_fields() {
    let server = MockServer::start().await;
    let body = recorded("clients.list", 200);
    let q = [
        ("fields", "name,client_id"),
        ("include_fields", "true"),
        ("app_type", "spa,non_interactive"),
        ("is_first_party", "true"),
        ("is_global", "false"),
        ("page", "0"),
        ("per_page", "50"),
        ("include_totals", "true"),
    ];
    expect(&server, "GET", "/api/v2/clients", &q, json(200, body.clone())).await;
    catch_all(&server).await;

    let page = client(&server)
        .clients()
        .list()
        .fields(Fields::include(["name"]))
        .app_type(AppType::Spa)
        .app_type(AppType::NonInteractive)
        .is_first_party(true)
        .is_global(false)
        .per_page(50)
        .send()
        .await
        .unwrap();
    assert_request(&only_request(&server).await, "GET", "/api/v2/clients", &q, None);
    assert_eq!(page.items[0].client_id, body["clients"][0]["client_id"].as_str().unwrap());
    assert_eq!(page.total, Some(1));
}

#[tokio::test]
async fn list_clients_checkpoint_follows_next() {
    let server = MockServer::start().await;
    let q = "client_grant.organization_id:org_1";
    expect(
        &server,
        "GET",
        "/api/v2/clients",
        &[("q", q), ("take", "2")],
        json(200, json!({"clients": [{"client_id": "a"}, {"client_id": "b"}], "next": "Y3Vy+/"})),
    )
    .await;
    expect(
        &server,
        "GET",
        "/api/v2/clients",
        &[("q", q), ("take", "2"), ("from", "Y3Vy+/")],
        json(200, json!({"clients": [{"client_id": "c"}]})),
    )
    .await;
    catch_all(&server).await;

    let apps: Vec<_> = client(&server).clients().list().q(q).take(2).checkpoint().try_collect().await.unwrap();
    let ids: Vec<_> = apps.iter().map(|a| a.client_id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    let reqs = server.received_requests().await.unwrap();
    assert_request(&reqs[0], "GET", "/api/v2/clients", &[("q", q), ("take", "2")], None);
    assert_request(&reqs[1], "GET", "/api/v2/clients", &[("q", q), ("take", "2"), ("from", "Y3Vy+/")], None);
    // `+` and `/` of the base64 cursor are percent-encoded on the wire.
    assert!(reqs[1].url.query().unwrap().contains("from=Y3Vy%2B%2F"));
}

#[tokio::test]
async fn get_client_and_get_fields() {
    let server = MockServer::start().await;
    let body = recorded("clients.get", 200);
    let id = body["client_id"].as_str().unwrap().to_owned();
    let path = format!("/api/v2/clients/{id}");
    expect(&server, "GET", &path, &[], json(200, body.clone())).await;
    expect(
        &server,
        "GET",
        &path,
        &[("fields", "name,client_id"), ("include_fields", "true")],
        json(200, json!({"client_id": id, "name": "n"})),
    )
    .await;
    catch_all(&server).await;

    let clients = client(&server).clients();
    let app = clients.get(&ClientId::new(&id).unwrap()).await.unwrap();
    assert_eq!(app.name.as_deref(), body["name"].as_str());
    assert_eq!(serde_json::to_value(&app).unwrap()["grant_types"], body["grant_types"]);
    let slim = clients.get_fields(&ClientId::new(&id).unwrap(), &Fields::include(["name"])).await.unwrap();
    assert_eq!(slim.name.as_deref(), Some("n"));
}

#[tokio::test]
async fn create_client_returns_the_secret_but_debug_hides_it() {
    let server = MockServer::start().await;
    let mut body = recorded("clients.create", 201);
    body["client_secret"] = json!("s3cr3t-generated");
    expect(&server, "POST", "/api/v2/clients", &[], json(201, body.clone())).await;
    catch_all(&server).await;

    let app = client(&server)
        .clients()
        .create(
            &CreateApplication::new("billing-worker")
                .app_type(AppType::NonInteractive)
                .grant_types(["client_credentials"]),
        )
        .await
        .unwrap();
    assert_request(
        &only_request(&server).await,
        "POST",
        "/api/v2/clients",
        &[],
        Some(json!({"name": "billing-worker", "app_type": "non_interactive", "grant_types": ["client_credentials"]})),
    );
    assert_eq!(app.client_secret.as_ref().unwrap().expose(), "s3cr3t-generated");
    assert!(!format!("{app:?}").contains("s3cr3t-generated"));
}

#[tokio::test]
async fn update_client_sends_patch_with_nulls() {
    let server = MockServer::start().await;
    let body = recorded("clients.update", 200);
    let id = body["client_id"].as_str().unwrap().to_owned();
    let path = format!("/api/v2/clients/{id}");
    expect(&server, "PATCH", &path, &[], json(200, body.clone())).await;
    catch_all(&server).await;

    let changes = UpdateApplication::new().description("new").cross_origin_loc(Patch::Clear);
    let app = client(&server).clients().update(&ClientId::new(&id).unwrap(), &changes).await.unwrap();
    assert_request(
        &only_request(&server).await,
        "PATCH",
        &path,
        &[],
        Some(json!({"description": "new", "cross_origin_loc": null})),
    );
    assert_eq!(app.client_id, id.as_str());
}

#[tokio::test]
async fn delete_client_accepts_204_repeatedly() {
    let server = MockServer::start().await;
    expect_n(&server, 2, "DELETE", "/api/v2/clients/abc", &[], empty(204)).await;
    catch_all(&server).await;
    let clients = client(&server).clients();
    let id = ClientId::new("abc").unwrap();
    clients.delete(&id).await.unwrap();
    clients.delete(&id).await.unwrap();
}

// ---- resource servers ----

#[tokio::test]
async fn list_resource_servers_with_identifiers() {
    let server = MockServer::start().await;
    let body = recorded("resource_servers.list", 200);
    let q = [
        ("identifiers", "https://a.example.com/"),
        ("identifiers", "https://b.example.com/"),
        ("page", "0"),
        ("per_page", "100"),
        ("include_totals", "true"),
    ];
    expect(&server, "GET", "/api/v2/resource-servers", &q, json(200, body.clone())).await;
    catch_all(&server).await;

    let page = client(&server)
        .resource_servers()
        .list()
        .identifier("https://a.example.com/")
        .identifier("https://b.example.com/")
        .send()
        .await
        .unwrap();
    assert_request(&only_request(&server).await, "GET", "/api/v2/resource-servers", &q, None);
    assert_eq!(page.items.len(), body["resource_servers"].as_array().unwrap().len());
    // signing_secret is Sensitive.
    assert!(
        !format!("{:?}", page.items).contains(
            body["resource_servers"]
                .as_array()
                .unwrap()
                .iter()
                .find_map(|r| r["signing_secret"].as_str())
                .unwrap_or("\u{0}")
        )
    );
}

#[tokio::test]
async fn get_resource_server_by_id_and_by_identifier_url() {
    let server = MockServer::start().await;
    let body = recorded("resource_servers.get", 200);
    let id = body["id"].as_str().unwrap().to_owned();
    expect(&server, "GET", &format!("/api/v2/resource-servers/{id}"), &[], json(200, body.clone())).await;
    expect(
        &server,
        "GET",
        "/api/v2/resource-servers/https%3A%2F%2Fapi.example.com%2Fv1%2F",
        &[],
        json(200, body.clone()),
    )
    .await;
    catch_all(&server).await;

    let rs = client(&server).resource_servers();
    let a = rs.get(&ResourceServerId::new(&id).unwrap()).await.unwrap();
    let b = rs.get(&ResourceServerId::new("https://api.example.com/v1/").unwrap()).await.unwrap();
    assert_eq!(a, b);
    assert_eq!(a.identifier.as_deref(), body["identifier"].as_str());
}

#[tokio::test]
async fn create_resource_server_201() {
    let server = MockServer::start().await;
    let body = recorded("resource_servers.create", 201);
    expect(&server, "POST", "/api/v2/resource-servers", &[], json(201, body.clone())).await;
    catch_all(&server).await;

    let created = client(&server)
        .resource_servers()
        .create(
            &CreateResourceServer::new("https://billing.example.com/")
                .name("Billing")
                .scope(ResourceServerScope::new("read:invoices").description("Read")),
        )
        .await
        .unwrap();
    assert_request(
        &only_request(&server).await,
        "POST",
        "/api/v2/resource-servers",
        &[],
        Some(json!({
            "identifier": "https://billing.example.com/",
            "name": "Billing",
            "scopes": [{"value": "read:invoices", "description": "Read"}]
        })),
    );
    assert_eq!(created.id, body["id"].as_str().unwrap());
}

// ---- grants ----

#[tokio::test]
async fn list_grants_filters_use_snake_case_items_use_client_id_camel() {
    let server = MockServer::start().await;
    let body = recorded("grants.list", 200);
    let q = [
        ("user_id", "auth0|u1"),
        ("client_id", "cli1"),
        ("audience", "https://x/api/v2/"),
        ("page", "1"),
        ("per_page", "5"),
        ("include_totals", "true"),
    ];
    expect(&server, "GET", "/api/v2/grants", &q, json(200, body.clone())).await;
    catch_all(&server).await;

    let page = client(&server)
        .grants()
        .list()
        .user_id(UserId::new("auth0|u1").unwrap())
        .client_id(ClientId::new("cli1").unwrap())
        .audience("https://x/api/v2/")
        .page(1)
        .per_page(5)
        .send()
        .await
        .unwrap();
    assert_request(&only_request(&server).await, "GET", "/api/v2/grants", &q, None);
    let first = &page.items[0];
    assert_eq!(first.client_id.as_ref().unwrap().as_str(), body["grants"][0]["clientID"].as_str().unwrap());
    assert_eq!(serde_json::to_value(first).unwrap()["clientID"], body["grants"][0]["clientID"]);
}

#[tokio::test]
async fn delete_grant_204() {
    let server = MockServer::start().await;
    expect(&server, "DELETE", "/api/v2/grants/63cff5bc7209008e35c888c1", &[], empty(204)).await;
    catch_all(&server).await;
    client(&server).grants().delete(&GrantId::new("63cff5bc7209008e35c888c1").unwrap()).await.unwrap();
    assert_request(&only_request(&server).await, "DELETE", "/api/v2/grants/63cff5bc7209008e35c888c1", &[], None);
}
