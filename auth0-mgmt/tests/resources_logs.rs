//! Wire tests for log search (offset) and get.

mod resources_support;

use auth0_mgmt::logs::LogType;
use auth0_mgmt::{Fields, LogId};
use futures::TryStreamExt;
use resources_support::*;
use serde_json::json;
use wiremock::MockServer;

#[tokio::test]
async fn search_logs_one_page() {
    let server = MockServer::start().await;
    let body = recorded("logs.list", 200);
    let q = [
        ("q", r#"type:"sapi""#),
        ("sort", "date:-1"),
        ("fields", "type,date,log_id"),
        ("include_fields", "true"),
        ("page", "1"),
        ("per_page", "5"),
    ];
    expect(&server, "GET", "/api/v2/logs", &q, json(200, body.clone())).await;
    catch_all(&server).await;

    let page = client(&server)
        .logs()
        .list()
        .q(r#"type:"sapi""#)
        .sort("date:-1")
        .fields(Fields::include(["type", "date"]))
        .page(1)
        .per_page(5)
        .send()
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_request(&req, "GET", "/api/v2/logs", &q, None);
    assert!(req.url.query().unwrap().contains("q=type%3A%22sapi%22"));
    assert_eq!(page.items.len(), body.as_array().unwrap().len());
    assert_eq!(page.items[0].log_id.as_str().len(), 56);
}

#[tokio::test]
async fn search_logs_stream_stops_on_short_page_not_on_total() {
    let server = MockServer::start().await;
    let log = |id: &str| json!({"log_id": id, "type": "s"});
    // `total` is the page size for logs; it must not end the stream early.
    expect(&server, "GET", "/api/v2/logs", &[("page", "0"), ("per_page", "2")], json(200, json!([log("3"), log("2")])))
        .await;
    expect(&server, "GET", "/api/v2/logs", &[("page", "1"), ("per_page", "2")], json(200, json!([log("1")]))).await;
    catch_all(&server).await;

    let logs: Vec<_> = client(&server).logs().list().per_page(2).stream().try_collect().await.unwrap();
    let ids: Vec<_> = logs.iter().map(|l| l.log_id.as_str()).collect();
    assert_eq!(ids, ["3", "2", "1"]);
}

#[tokio::test]
async fn get_log() {
    let server = MockServer::start().await;
    let body = recorded("logs.get", 200);
    let id = body["log_id"].as_str().unwrap().to_owned();
    let path = format!("/api/v2/logs/{id}");
    expect(&server, "GET", &path, &[], json(200, body.clone())).await;
    catch_all(&server).await;

    let log = client(&server).logs().get(&LogId::new(&id).unwrap()).await.unwrap();
    assert_request(&only_request(&server).await, "GET", &path, &[], None);
    assert_eq!(log.log_id, id.as_str());
    assert_eq!(log.log_type, Some(LogType::from(body["type"].as_str().unwrap())));
    assert_eq!(Some(log.date.unwrap().to_string().as_str()), body["date"].as_str());
}
