//! Scenario tests of the one pagination engine on the wire: the exact sequence of
//! requests each mode sends (offset `page=0,1,2` with `per_page`; checkpoint first
//! `take`, then `from=…&take`), laziness, the default page size, the end conditions, the
//! repeated-cursor guard and the 1000-result cap — stopping *before* the request Auth0
//! would refuse. Each test has its own mock server whose catch-all answers 599.

mod resources_support;

use auth0_mgmt::{Error, OrganizationId, UserId};
use futures::{StreamExt, TryStreamExt};
use resources_support::*;
use serde_json::{Value, json};
use wiremock::MockServer;

fn orgs(ids: &[&str]) -> Vec<Value> {
    ids.iter().map(|i| json!({"id": i, "name": i})).collect()
}

fn users(from: usize, n: usize) -> Vec<Value> {
    (from..from + n).map(|i| json!({"user_id": format!("auth0|{i}")})).collect()
}

/// The query pairs of every request the server received, in order.
async fn queries(server: &MockServer) -> Vec<Vec<(String, String)>> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let mut q: Vec<(String, String)> = r.url.query_pairs().into_owned().collect();
            q.sort();
            q
        })
        .collect()
}

fn pairs(q: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut q: Vec<(String, String)> = q.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    q.sort();
    q
}

#[tokio::test]
async fn offset_stream_sends_page_0_1_2_with_per_page_and_ends_on_the_short_page() {
    let server = MockServer::start().await;
    let q = |page: &'static str| {
        [
            ("q", "email:\"*@acme.com\""),
            ("search_engine", "v3"),
            ("page", page),
            ("per_page", "3"),
            ("include_totals", "true"),
        ]
    };
    // No totals in the answers: the short page ends the listing.
    expect(&server, "GET", "/api/v2/users", &q("0"), json(200, json!({"users": users(0, 3)}))).await;
    expect(&server, "GET", "/api/v2/users", &q("1"), json(200, json!({"users": users(3, 3)}))).await;
    expect(&server, "GET", "/api/v2/users", &q("2"), json(200, json!({"users": users(6, 1)}))).await;
    catch_all(&server).await;

    let stream = client(&server).users().list().q(r#"email:"*@acme.com""#).per_page(3).stream();
    assert!(server.received_requests().await.unwrap().is_empty(), "nothing is sent before the first poll");
    let ids: Vec<String> = stream.map_ok(|u| u.user_id.into_inner()).try_collect().await.unwrap();
    assert_eq!(ids.len(), 7);
    assert_eq!(ids[6], "auth0|6");
    assert_eq!(queries(&server).await, [pairs(&q("0")), pairs(&q("1")), pairs(&q("2"))]);
}

#[tokio::test]
async fn offset_stream_starts_at_the_given_page_and_stops_at_the_total() {
    let server = MockServer::start().await;
    let q = |page: &'static str| [("page", page), ("per_page", "2"), ("include_totals", "true")];
    let page = |start: usize| json!({"roles": (start..start + 2).map(|i| json!({"id": format!("rol_{i}")})).collect::<Vec<_>>(), "start": start, "limit": 2, "total": 8});
    expect(&server, "GET", "/api/v2/roles", &q("2"), json(200, page(4))).await;
    expect(&server, "GET", "/api/v2/roles", &q("3"), json(200, page(6))).await;
    catch_all(&server).await;

    let ids: Vec<_> = client(&server)
        .roles()
        .list()
        .page(2)
        .per_page(2)
        .stream()
        .map_ok(|r| r.id.into_inner())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["rol_4", "rol_5", "rol_6", "rol_7"]);
    // start 6 + 2 items = total 8: no request for page 4.
    assert_eq!(queries(&server).await.len(), 2);
}

#[tokio::test]
async fn the_default_page_size_is_100_and_always_sent_in_both_modes() {
    let server = MockServer::start().await;
    let offset = [("page", "0"), ("per_page", "100"), ("include_totals", "true")];
    let checkpoint = [("take", "100")];
    expect(&server, "GET", "/api/v2/organizations", &offset, json(200, json!({"organizations": [], "total": 0}))).await;
    expect(&server, "GET", "/api/v2/organizations", &checkpoint, json(200, json!({"organizations": []}))).await;
    catch_all(&server).await;
    let c = client(&server);

    c.organizations().list().send().await.unwrap();
    c.organizations().list().send_checkpoint().await.unwrap();
    assert_eq!(queries(&server).await, [pairs(&offset), pairs(&checkpoint)]);
}

#[tokio::test]
async fn checkpoint_sends_take_first_then_from_the_next_cursor() {
    let server = MockServer::start().await;
    // A real next cursor (from the recorded traffic): base64 that must be percent-encoded.
    let n1 = "MjAyMy0wMy0xNCAxMToxNzoxOS40NjYwMDBVVEMsb3JnX1d6MnVNd0FWUW1mUmIwM0k+/=";
    expect(
        &server,
        "GET",
        "/api/v2/organizations",
        &[("take", "2")],
        json(200, json!({"organizations": orgs(&["org_1", "org_2"]), "next": n1})),
    )
    .await;
    expect(
        &server,
        "GET",
        "/api/v2/organizations",
        &[("take", "2"), ("from", n1)],
        json(200, json!({"organizations": orgs(&["org_3", "org_4"]), "next": "n2"})),
    )
    .await;
    expect(
        &server,
        "GET",
        "/api/v2/organizations",
        &[("take", "2"), ("from", "n2")],
        json(200, json!({"organizations": orgs(&["org_5"])})),
    )
    .await;
    catch_all(&server).await;

    let ids: Vec<_> = client(&server)
        .organizations()
        .list()
        .take(2)
        .checkpoint()
        .map_ok(|o| o.id.into_inner())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["org_1", "org_2", "org_3", "org_4", "org_5"]);
    let want =
        [pairs(&[("take", "2")]), pairs(&[("take", "2"), ("from", n1)]), pairs(&[("take", "2"), ("from", "n2")])];
    assert_eq!(queries(&server).await, want);
}

#[tokio::test]
async fn from_starts_one_page_or_a_stream_at_a_saved_cursor() {
    let server = MockServer::start().await;
    let path = "/api/v2/organizations/org_1/members";
    expect_n(
        &server,
        2,
        "GET",
        path,
        &[("take", "100"), ("from", "m1")],
        json(200, json!({"members": [{"user_id": "auth0|3"}], "next": "m2"})),
    )
    .await;
    expect(&server, "GET", path, &[("take", "100"), ("from", "m2")], json(200, json!({"members": []}))).await;
    catch_all(&server).await;
    let c = client(&server);
    let org = OrganizationId::new("org_1").unwrap();

    let page = c.organizations().members(&org).from("m1").send_checkpoint().await.unwrap();
    assert_eq!((page.items.len(), page.next.as_deref()), (1, Some("m2")));
    let all: Vec<_> = c.organizations().members(&org).from("m1").checkpoint().try_collect().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(queries(&server).await.len(), 3);
}

#[tokio::test]
async fn org_members_end_on_an_empty_page_without_next() {
    let server = MockServer::start().await;
    let path = "/api/v2/organizations/org_1/members";
    expect(
        &server,
        "GET",
        path,
        &[("take", "2")],
        json(200, json!({"members": [{"user_id": "auth0|1"}, {"user_id": "auth0|2"}], "next": "m1"})),
    )
    .await;
    // The recorded end of a members listing: a page with `next`, then `{"members": []}`.
    expect(&server, "GET", path, &[("take", "2"), ("from", "m1")], json(200, json!({"members": []}))).await;
    catch_all(&server).await;

    let mut s = client(&server).organizations().members(&OrganizationId::new("org_1").unwrap()).take(2).checkpoint();
    let mut ids = Vec::new();
    while let Some(m) = s.try_next().await.unwrap() {
        ids.push(m.user_id.into_inner());
    }
    assert_eq!(ids, ["auth0|1", "auth0|2"]);
    assert_eq!(s.resume_point().from.as_deref(), Some("m1"), "resuming asks the empty page again, for new members");
    assert_eq!(queries(&server).await.len(), 2);
}

#[tokio::test]
async fn a_server_repeating_its_next_cursor_stops_with_a_typed_error() {
    let server = MockServer::start().await;
    expect(
        &server,
        "GET",
        "/api/v2/clients",
        &[("take", "1")],
        json(200, json!({"clients": [{"client_id": "a"}], "next": "same"})),
    )
    .await;
    // A broken server: the page at "same" says the next page is "same" again.
    expect(
        &server,
        "GET",
        "/api/v2/clients",
        &[("take", "1"), ("from", "same")],
        json(200, json!({"clients": [{"client_id": "b"}], "next": "same"})),
    )
    .await;
    catch_all(&server).await;

    let mut s = client(&server).clients().list().take(1).checkpoint();
    assert_eq!(s.try_next().await.unwrap().unwrap().client_id, "a");
    assert_eq!(s.try_next().await.unwrap().unwrap().client_id, "b");
    let err = s.try_next().await.unwrap_err();
    assert!(matches!(err, Error::RepeatedCursor { operation: "clients.list" }), "{err:?}");
    assert!(s.try_next().await.unwrap().is_none(), "the stream ends after the error");
    assert_eq!(queries(&server).await.len(), 2, "the repeated cursor is never requested");
}

#[tokio::test]
async fn the_1000_cap_stops_before_the_400() {
    let server = MockServer::start().await;
    let path = "/api/v2/organizations/org_1/members";
    // per_page 300 is clamped to Auth0's maximum, 100: pages 0..=9 reach exactly 1000.
    for page in 0..10usize {
        let p = page.to_string();
        let q = [("page", p.as_str()), ("per_page", "100"), ("include_totals", "true")];
        let body = json!({"members": users(page * 100, 100), "start": page * 100, "limit": 100, "total": 4321});
        expect(&server, "GET", path, &q, json(200, body)).await;
    }
    // What Auth0 would answer for page 10: it must never be asked.
    let refusal = json!({"statusCode": 400, "error": "Bad Request", "message": "You can only page through the first 1000 records.", "errorCode": "invalid_paging"});
    expect_n(
        &server,
        0,
        "GET",
        path,
        &[("page", "10"), ("per_page", "100"), ("include_totals", "true")],
        json(400, refusal),
    )
    .await;
    catch_all(&server).await;

    let mut s = client(&server).organizations().members(&OrganizationId::new("org_1").unwrap()).per_page(300).stream();
    let mut n = 0;
    let err = loop {
        match s.try_next().await {
            Ok(Some(_)) => n += 1,
            Ok(None) => panic!("a capped listing must not end silently"),
            Err(e) => break e,
        }
    };
    assert_eq!(n, 1000);
    assert!(
        matches!(err, Error::PagingLimit { operation: "organizations.list_members", limit: 1000, total: Some(4321) }),
        "{err:?}"
    );
    assert_eq!(queries(&server).await.len(), 10);
}

#[tokio::test]
async fn a_page_size_that_does_not_divide_the_cap_stops_at_the_last_whole_page() {
    let server = MockServer::start().await;
    for page in 0..3usize {
        let p = page.to_string();
        let q = [("page", p.as_str()), ("per_page", "30"), ("include_totals", "true")];
        expect(&server, "GET", "/api/v2/users", &q, json(200, json!({"users": users(page * 30, 30), "total": 5000})))
            .await;
    }
    catch_all(&server).await;
    // A client whose limit is 100 results (Auth0's is 1000): pages 0–2 end at 90, page 3
    // would end at 120.
    let c = auth0_mgmt::Client::builder()
        .base_url(server.uri())
        .token("test-token")
        .retry(auth0_mgmt::RetryConfig::disabled())
        .offset_paging_limit(Some(100))
        .build()
        .unwrap();
    let got: Vec<_> = c.users().list().per_page(30).stream().collect::<Vec<_>>().await;
    assert_eq!(got.len(), 91);
    assert!(got[..90].iter().all(Result::is_ok));
    assert!(matches!(got[90], Err(Error::PagingLimit { limit: 100, .. })), "{:?}", got[90]);
    assert_eq!(queries(&server).await.len(), 3);
}

#[tokio::test]
async fn streams_are_static_and_can_be_spawned() {
    let server = MockServer::start().await;
    expect(
        &server,
        "GET",
        "/api/v2/refresh-tokens",
        &[("user_id", "auth0|u1"), ("take", "100")],
        json(200, json!({"refresh_tokens": [{"id": "rt_1"}]})),
    )
    .await;
    expect(
        &server,
        "GET",
        "/api/v2/grants",
        &[("page", "0"), ("per_page", "100"), ("include_totals", "true")],
        json(200, json!({"grants": [], "total": 0})),
    )
    .await;
    catch_all(&server).await;
    let c = client(&server);
    let user = UserId::new("auth0|u1").unwrap();
    // The builders are dropped here; the streams own a client clone.
    let tokens = tokio::spawn(c.refresh_tokens().list(&user).checkpoint().try_collect::<Vec<_>>());
    let grants = tokio::spawn(c.grants().list().stream().try_collect::<Vec<_>>());
    drop(c);
    assert_eq!(tokens.await.unwrap().unwrap().len(), 1);
    assert!(grants.await.unwrap().unwrap().is_empty());
}
