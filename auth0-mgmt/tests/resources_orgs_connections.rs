//! Wire tests for organizations (incl. members) and connections.

mod resources_support;

use auth0_mgmt::connections::{CreateConnection, Strategy};
use auth0_mgmt::organizations::CreateOrganization;
use auth0_mgmt::{ConnectionId, ErrorCode, Fields, OrganizationId, UserId};
use resources_support::*;
use serde_json::json;
use wiremock::MockServer;

// ---- organizations ----

#[tokio::test]
async fn list_organizations_offset_page_with_sort() {
    let server = MockServer::start().await;
    let q = [("sort", "name:1"), ("page", "3"), ("per_page", "20"), ("include_totals", "true")];
    let body = json!({"organizations": [{"id": "org_1", "name": "acme"}], "start": 60, "limit": 20, "total": 61});
    expect(&server, "GET", "/api/v2/organizations", &q, json(200, body)).await;
    catch_all(&server).await;

    let page = client(&server).organizations().list().sort("name:1").page(3).per_page(20).send().await.unwrap();
    assert_request(&only_request(&server).await, "GET", "/api/v2/organizations", &q, None);
    assert_eq!(page.items[0].id, "org_1");
    assert_eq!((page.start, page.total), (Some(60), Some(61)));
}

#[tokio::test]
async fn list_organizations_checkpoint_page_sends_take_only() {
    let server = MockServer::start().await;
    let body = recorded("organizations.list", 200);
    expect(&server, "GET", "/api/v2/organizations", &[("take", "2")], json(200, body.clone())).await;
    catch_all(&server).await;

    let page = client(&server).organizations().list().take(2).send_checkpoint().await.unwrap();
    assert_request(&only_request(&server).await, "GET", "/api/v2/organizations", &[("take", "2")], None);
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.next.as_deref(), body["next"].as_str());
    assert_eq!(page.total, None);
}

#[tokio::test]
async fn get_organization_and_404_without_error_code() {
    let server = MockServer::start().await;
    let created = recorded("organizations.create", 201);
    let id = created["id"].as_str().unwrap().to_owned();
    expect(&server, "GET", &format!("/api/v2/organizations/{id}"), &[], json(200, created.clone())).await;
    expect(
        &server,
        "GET",
        "/api/v2/organizations/org_gone",
        &[],
        json(
            404,
            json!({"statusCode": 404, "error": "Not Found", "message": "No organization found by that id or name"}),
        ),
    )
    .await;
    catch_all(&server).await;

    let orgs = client(&server).organizations();
    let org = orgs.get(&OrganizationId::new(&id).unwrap()).await.unwrap();
    assert_eq!(org.name.as_deref(), created["name"].as_str());
    assert_eq!(org.branding.unwrap().logo_url.as_deref(), created["branding"]["logo_url"].as_str());
    assert_eq!(orgs.get_opt(&OrganizationId::new("org_gone").unwrap()).await.unwrap(), None);
}

#[tokio::test]
async fn create_organization_201() {
    let server = MockServer::start().await;
    let body = recorded("organizations.create", 201);
    expect(&server, "POST", "/api/v2/organizations", &[], json(201, body.clone())).await;
    catch_all(&server).await;

    let meta = json!({"tier": "gold"}).as_object().cloned().unwrap();
    let org = client(&server)
        .organizations()
        .create(&CreateOrganization::new("acme").display_name("Acme").metadata(meta).enable_connection(
            auth0_mgmt::organizations::OrganizationConnection::new(ConnectionId::new("con_1").unwrap()),
        ))
        .await
        .unwrap();
    assert_request(
        &only_request(&server).await,
        "POST",
        "/api/v2/organizations",
        &[],
        Some(json!({
            "name": "acme",
            "display_name": "Acme",
            "metadata": {"tier": "gold"},
            "enabled_connections": [{"connection_id": "con_1"}]
        })),
    );
    assert_eq!(org.id, body["id"].as_str().unwrap());
}

#[tokio::test]
async fn add_members_204() {
    let server = MockServer::start().await;
    let path = "/api/v2/organizations/org_5CcLlxGNMCaq0cXc/members";
    expect(&server, "POST", path, &[], empty(204)).await;
    catch_all(&server).await;

    client(&server)
        .organizations()
        .add_members(
            &OrganizationId::new("org_5CcLlxGNMCaq0cXc").unwrap(),
            [UserId::new("auth0|63d16bb05d69f3e86d5150c6").unwrap()],
        )
        .await
        .unwrap();
    assert_request(
        &only_request(&server).await,
        "POST",
        path,
        &[],
        Some(json!({"members": ["auth0|63d16bb05d69f3e86d5150c6"]})),
    );
}

#[tokio::test]
async fn list_members_offset_with_fields() {
    let server = MockServer::start().await;
    let path = "/api/v2/organizations/org_1/members";
    let q = [
        ("fields", "email,roles,user_id"),
        ("include_fields", "true"),
        ("page", "0"),
        ("per_page", "100"),
        ("include_totals", "true"),
    ];
    let body = json!({"members": [{"user_id": "auth0|1", "email": "a@b.c", "roles": [{"id": "rol_1", "name": "admin"}]}], "start": 0, "limit": 50, "total": 1});
    expect(&server, "GET", path, &q, json(200, body)).await;
    catch_all(&server).await;

    let page = client(&server)
        .organizations()
        .members(&OrganizationId::new("org_1").unwrap())
        .fields(Fields::include(["email", "roles"]))
        .send()
        .await
        .unwrap();
    assert_request(&only_request(&server).await, "GET", path, &q, None);
    assert_eq!(page.items[0].user_id, "auth0|1");
    assert_eq!(page.items[0].roles.as_ref().unwrap()[0].id.as_ref().unwrap(), "rol_1");
}

// ---- connections ----

#[tokio::test]
async fn list_connections_repeats_strategy_and_filters_by_name() {
    let server = MockServer::start().await;
    let body = recorded("connections.list", 200);
    let q = [
        ("strategy", "auth0"),
        ("strategy", "samlp"),
        ("name", "Username-Password-Authentication"),
        ("fields", "name,id"),
        ("include_fields", "true"),
        ("page", "0"),
        ("per_page", "100"),
        ("include_totals", "true"),
    ];
    expect(&server, "GET", "/api/v2/connections", &q, json(200, body.clone())).await;
    catch_all(&server).await;

    let page = client(&server)
        .connections()
        .list()
        .strategy(Strategy::Auth0)
        .strategy(Strategy::Samlp)
        .name("Username-Password-Authentication")
        .fields(Fields::include(["name"]))
        .per_page(100)
        .send()
        .await
        .unwrap();
    assert_request(&only_request(&server).await, "GET", "/api/v2/connections", &q, None);
    assert_eq!(page.items.len(), body["connections"].as_array().unwrap().len());
    assert_eq!(page.items[0].id, body["connections"][0]["id"].as_str().unwrap());
}

#[tokio::test]
async fn get_connection_keeps_options_whole_and_404_is_typed() {
    let server = MockServer::start().await;
    let body = recorded("connections.get", 200);
    let id = body["id"].as_str().unwrap().to_owned();
    expect(&server, "GET", &format!("/api/v2/connections/{id}"), &[], json(200, body.clone())).await;
    expect_n(
        &server,
        2,
        "GET",
        "/api/v2/connections/con_gone",
        &[],
        json(404, json!({"statusCode": 404, "error": "Not Found", "message": "The connection does not exist", "errorCode": "inexistent_connection"})),
    )
    .await;
    catch_all(&server).await;

    let conns = client(&server).connections();
    let c = conns.get(&ConnectionId::new(&id).unwrap()).await.unwrap();
    assert_eq!(serde_json::to_value(c.options.as_ref().unwrap()).unwrap(), body["options"]);
    let gone = ConnectionId::new("con_gone").unwrap();
    assert_eq!(conns.get_opt(&gone).await.unwrap(), None);
    let err = conns.get(&gone).await.unwrap_err();
    assert_eq!(err.api().unwrap().error_code(), Some(&ErrorCode::InexistentConnection));
}

#[tokio::test]
async fn create_connection_sends_options_whole_201() {
    let server = MockServer::start().await;
    let interaction = interactions("connections.create")
        .into_iter()
        .find(|i| i["status"] == 201 && i["request_body"]["options"].is_object())
        .unwrap();
    let req_body = interaction["request_body"].clone();
    let resp = interaction["response_body"].clone();
    expect(&server, "POST", "/api/v2/connections", &[], json(201, resp.clone())).await;
    catch_all(&server).await;

    let mut create = CreateConnection::new(
        req_body["name"].as_str().unwrap(),
        Strategy::from(req_body["strategy"].as_str().unwrap()),
    )
    .options(req_body["options"].as_object().cloned().unwrap());
    // Anything else the recording sent travels through `extra` unchanged.
    for (k, v) in req_body.as_object().unwrap() {
        if !matches!(k.as_str(), "name" | "strategy" | "options") {
            create.extra.insert(k.clone(), v.clone());
        }
    }
    let created = client(&server).connections().create(&create).await.unwrap();
    assert_request(&only_request(&server).await, "POST", "/api/v2/connections", &[], Some(req_body));
    assert_eq!(created.id, resp["id"].as_str().unwrap());
}

#[tokio::test]
async fn create_connection_400_keeps_the_auth0_error() {
    let server = MockServer::start().await;
    let body = recorded("connections.create", 400);
    expect(&server, "POST", "/api/v2/connections", &[], json(400, body.clone())).await;
    catch_all(&server).await;

    let err = client(&server).connections().create(&CreateConnection::new("x", Strategy::Sms)).await.unwrap_err();
    assert_eq!(err.error_code(), Some("invalid_body"));
    assert_eq!(err.api().unwrap().message(), body["message"].as_str());
}

#[tokio::test]
async fn list_connections_checkpoint_keeps_filters_and_follows_next() {
    let server = MockServer::start().await;
    let first = [("strategy", "waad"), ("take", "2")];
    let second = [("strategy", "waad"), ("take", "2"), ("from", "c1")];
    expect(
        &server,
        "GET",
        "/api/v2/connections",
        &first,
        json(200, json!({"connections": [{"id": "con_1", "strategy": "waad"}, {"id": "con_2", "strategy": "waad"}], "next": "c1"})),
    )
    .await;
    expect(
        &server,
        "GET",
        "/api/v2/connections",
        &second,
        json(200, json!({"connections": [{"id": "con_3", "strategy": "waad"}]})),
    )
    .await;
    catch_all(&server).await;

    let all: Vec<_> = futures::TryStreamExt::try_collect(
        client(&server).connections().list().strategy(Strategy::Waad).take(2).checkpoint(),
    )
    .await
    .unwrap();
    let ids: Vec<_> = all.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["con_1", "con_2", "con_3"]);
    let reqs = server.received_requests().await.unwrap();
    assert_request(&reqs[0], "GET", "/api/v2/connections", &first, None);
    assert_request(&reqs[1], "GET", "/api/v2/connections", &second, None);
}
