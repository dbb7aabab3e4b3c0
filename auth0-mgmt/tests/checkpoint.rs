//! Checkpoint streams: the exact request sequence (first `take`, then `from=…&take`),
//! the end conditions (no `next`, empty page), logs walking forward on bare arrays, and
//! resuming from a saved position without duplicates or gaps.

mod resources_support;

use auth0_mgmt::{Error, LogId, OrganizationId, ResumePoint, UserId};
use futures::TryStreamExt;
use resources_support::*;
use serde_json::json;
use wiremock::MockServer;

fn orgs(ids: &[&str]) -> Vec<serde_json::Value> {
    ids.iter().map(|i| json!({"id": i, "name": i})).collect()
}

#[tokio::test]
async fn organizations_end_on_missing_next() {
    let server = MockServer::start().await;
    // The recorded first page of a checkpoint listing (`organizations.list`): 2 orgs + next.
    let next = "MjAyMy0wMy0xNCAxMToxNzoxOS40NjYwMDBVVEMsb3JnX1d6MnVNd0FWUW1mUmIwM0k".to_owned();
    let body = json!({"next": next, "organizations": [
        {"branding": {"logo_url": "https://example.com/logo.gif"}, "display_name": "Test Organization", "id": "org_SST1yp2pazgSiMYi", "name": "test-organization745"},
        {"branding": {"logo_url": "https://example.com/logo.gif"}, "display_name": "Test Organization", "id": "org_Wz2uMwAVQmfRb03I", "name": "test-organization24"}
    ]});
    expect(&server, "GET", "/api/v2/organizations", &[("take", "2")], json(200, body.clone())).await;
    expect(
        &server,
        "GET",
        "/api/v2/organizations",
        &[("take", "2"), ("from", &next)],
        json(200, json!({"organizations": orgs(&["org_3"])})),
    )
    .await;
    catch_all(&server).await;

    let all: Vec<_> = client(&server).organizations().list().take(2).checkpoint().try_collect().await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[2].id, "org_3");
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 2);
    assert_request(&reqs[0], "GET", "/api/v2/organizations", &[("take", "2")], None);
    assert_request(&reqs[1], "GET", "/api/v2/organizations", &[("take", "2"), ("from", &next)], None);
}

#[tokio::test]
async fn organizations_end_on_an_empty_page_even_with_next() {
    let server = MockServer::start().await;
    expect(
        &server,
        "GET",
        "/api/v2/organizations",
        &[("take", "2")],
        json(200, json!({"organizations": orgs(&["org_1", "org_2"]), "next": "n1"})),
    )
    .await;
    expect(
        &server,
        "GET",
        "/api/v2/organizations",
        &[("take", "2"), ("from", "n1")],
        json(200, json!({"organizations": [], "next": "n2"})),
    )
    .await;
    catch_all(&server).await;

    let all: Vec<_> = client(&server).organizations().list().take(2).checkpoint().try_collect().await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn members_end_on_empty_members_page() {
    let server = MockServer::start().await;
    let path = "/api/v2/organizations/org_1/members";
    expect(
        &server,
        "GET",
        path,
        &[("take", "100")],
        json(200, json!({"members": [{"user_id": "auth0|1"}, {"user_id": "auth0|2"}], "next": "m1"})),
    )
    .await;
    expect(&server, "GET", path, &[("take", "100"), ("from", "m1")], json(200, json!({"members": []}))).await;
    catch_all(&server).await;

    let members: Vec<_> = client(&server)
        .organizations()
        .members(&OrganizationId::new("org_1").unwrap())
        .checkpoint()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = members.iter().map(|m| m.user_id.as_str()).collect();
    assert_eq!(ids, ["auth0|1", "auth0|2"]);
}

#[tokio::test]
async fn resume_mid_page_has_no_duplicates_and_no_gaps() {
    let server = MockServer::start().await;
    // Page 1 (no cursor): a b c, next n1. Page 2 (from n1): d e, last page.
    expect_n(
        &server,
        2,
        "GET",
        "/api/v2/organizations",
        &[("take", "3")],
        json(200, json!({"organizations": orgs(&["a", "b", "c"]), "next": "n1"})),
    )
    .await;
    expect_n(
        &server,
        3,
        "GET",
        "/api/v2/organizations",
        &[("take", "3"), ("from", "n1")],
        json(200, json!({"organizations": orgs(&["d", "e"])})),
    )
    .await;
    catch_all(&server).await;
    let c = client(&server);

    let mut first = c.organizations().list().take(3).checkpoint();
    assert_eq!(first.resume_point(), ResumePoint::default());
    let mut seen = Vec::new();
    for _ in 0..2 {
        seen.push(first.try_next().await.unwrap().unwrap().id.into_inner());
    }
    let after_b = first.resume_point();
    assert_eq!(after_b, ResumePoint { from: None, skip: 2 });
    for _ in 0..2 {
        seen.push(first.try_next().await.unwrap().unwrap().id.into_inner());
    }
    let after_d = first.resume_point();
    assert_eq!(after_d, ResumePoint { from: Some("n1".into()), skip: 1 });
    assert_eq!(seen, ["a", "b", "c", "d"]);
    drop(first);

    // A resume point survives being persisted.
    let saved = serde_json::to_string(&after_b).unwrap();
    let restored: ResumePoint = serde_json::from_str(&saved).unwrap();
    let rest: Vec<_> =
        c.organizations().list().take(3).resume(restored).map_ok(|o| o.id.into_inner()).try_collect().await.unwrap();
    assert_eq!(rest, ["c", "d", "e"]);

    let rest: Vec<_> =
        c.organizations().list().take(3).resume(after_d).map_ok(|o| o.id.into_inner()).try_collect().await.unwrap();
    assert_eq!(rest, ["e"]);
}

#[tokio::test]
async fn refresh_tokens_resume_from_saved_point() {
    let server = MockServer::start().await;
    let base = [("user_id", "auth0|u1"), ("take", "2")];
    expect(
        &server,
        "GET",
        "/api/v2/refresh-tokens",
        &base,
        json(200, json!({"refresh_tokens": [{"id": "rt_1"}, {"id": "rt_2"}], "next": "c1"})),
    )
    .await;
    expect_n(
        &server,
        2,
        "GET",
        "/api/v2/refresh-tokens",
        &[base[0], base[1], ("from", "c1")],
        json(200, json!({"refresh_tokens": [{"id": "rt_3"}, {"id": "rt_4"}]})),
    )
    .await;
    catch_all(&server).await;
    let c = client(&server);
    let user = UserId::new("auth0|u1").unwrap();

    let mut s = c.refresh_tokens().list(&user).take(2).checkpoint();
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(s.try_next().await.unwrap().unwrap().id.into_inner());
    }
    assert_eq!(ids, ["rt_1", "rt_2", "rt_3"]);
    let point = s.resume_point();
    drop(s);
    let rest: Vec<_> =
        c.refresh_tokens().list(&user).take(2).resume(point).map_ok(|t| t.id.into_inner()).try_collect().await.unwrap();
    assert_eq!(rest, ["rt_4"]);
}

const L0: &str = "90020230602105804120563000000000000001223372045029303662";
const L1: &str = "90020230602105804441281000000000000001223372045029304287";
const L2: &str = "90020230602105804570299000000000000001223372045029304536";
const L3: &str = "90020230602105804570299000000000000001223372045029309999";

fn log(id: &str) -> serde_json::Value {
    json!({"log_id": id, "_id": id, "type": "sapi", "date": "2023-06-02T10:57:59.449Z"})
}

#[tokio::test]
async fn logs_walk_forward_on_bare_arrays_and_resume_from_log_id() {
    let server = MockServer::start().await;
    expect(&server, "GET", "/api/v2/logs", &[("take", "2"), ("from", L0)], json(200, json!([log(L1), log(L2)]))).await;
    expect(&server, "GET", "/api/v2/logs", &[("take", "2"), ("from", L2)], json(200, json!([log(L3)]))).await;
    expect_n(&server, 2, "GET", "/api/v2/logs", &[("take", "2"), ("from", L3)], json(200, json!([]))).await;
    catch_all(&server).await;
    let c = client(&server);

    let mut s = c.logs().tail().after(LogId::new(L0).unwrap()).take(2).until_caught_up().stream();
    assert_eq!(s.last_log_id().unwrap(), L0);
    let mut got = Vec::new();
    for _ in 0..2 {
        got.push(s.try_next().await.unwrap().unwrap().log_id.into_inner());
    }
    assert_eq!(got, [L1, L2]);
    let saved = s.last_log_id().unwrap();
    assert_eq!(saved, L2);
    drop(s);

    // Restart from the saved log_id: the next events only, in ascending order.
    let mut s = c.logs().tail().after(saved).take(2).until_caught_up().stream();
    let rest: Vec<_> = (&mut s).map_ok(|l| l.log_id.into_inner()).try_collect().await.unwrap();
    assert_eq!(rest, [L3]);
    assert_eq!(s.last_log_id().unwrap(), L3);

    // Caught up: nothing new, and the position stays.
    let mut s = c.logs().tail().after(LogId::new(L3).unwrap()).take(2).until_caught_up().stream();
    assert!(s.try_next().await.unwrap().is_none());
    assert_eq!(s.last_log_id().unwrap(), L3);
    // L0 → [L1, L2]; (restart) L2 → [L3], L3 → []; (restart) L3 → [].
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 4);
}

#[tokio::test]
async fn offset_streams_stop_at_the_1000_cap_checkpoint_does_not() {
    let server = MockServer::start().await;
    catch_all(&server).await;
    let err = client(&server)
        .organizations()
        .list()
        .page(10)
        .per_page(100)
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::PagingLimit { operation: "organizations.list", limit: 1000, .. }), "{err}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn logs_from_oldest_send_take_first_then_the_last_log_id() {
    let server = MockServer::start().await;
    expect(&server, "GET", "/api/v2/logs", &[("take", "100")], json(200, json!([log(L0), log(L1)]))).await;
    expect(&server, "GET", "/api/v2/logs", &[("take", "100"), ("from", L1)], json(200, json!([log(L2)]))).await;
    expect(&server, "GET", "/api/v2/logs", &[("take", "100"), ("from", L2)], json(500, json!({"statusCode": 500})))
        .await;
    catch_all(&server).await;

    let mut s = client(&server).logs().tail().from_oldest().until_caught_up().stream();
    assert_eq!(s.last_log_id(), None);
    let mut got = Vec::new();
    let err = loop {
        match s.try_next().await {
            Ok(Some(l)) => got.push(l.log_id.into_inner()),
            Ok(None) => panic!("the 500 must end the tail with an error"),
            Err(e) => break e,
        }
    };
    assert_eq!(got, [L0, L1, L2]);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(s.try_next().await.unwrap().is_none(), "the tail ends after the error");
    assert_eq!(s.last_log_id().unwrap(), L2, "resume after the last event yielded");
    let reqs = server.received_requests().await.unwrap();
    assert_request(&reqs[0], "GET", "/api/v2/logs", &[("take", "100")], None);
    assert_request(&reqs[1], "GET", "/api/v2/logs", &[("take", "100"), ("from", L1)], None);
    assert_request(&reqs[2], "GET", "/api/v2/logs", &[("take", "100"), ("from", L2)], None);
}
