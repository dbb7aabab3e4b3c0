//! The log tail on a paused clock: once caught up it waits the poll interval, polls
//! again from the last `log_id`, yields new events once and in order, and a restart
//! from the saved `log_id` yields no duplicates.

mod resources_support;

use std::time::Duration;

use auth0_mgmt::LogId;
use futures::TryStreamExt;
use resources_support::*;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

const L0: &str = "90020230602105804120563000000000000001223372045029300000";
const L1: &str = "90020230602105804120563000000000000001223372045029300001";
const L2: &str = "90020230602105804120563000000000000001223372045029300002";
const L3: &str = "90020230602105804120563000000000000001223372045029300003";
const L4: &str = "90020230602105804120563000000000000001223372045029300004";
const L5: &str = "90020230602105804120563000000000000001223372045029300005";

fn logs(ids: &[&str]) -> serde_json::Value {
    json!(
        ids.iter()
            .map(|id| json!({"log_id": id, "_id": id, "type": "s", "date": "2024-01-01T00:00:00.000Z"}))
            .collect::<Vec<_>>()
    )
}

/// `GET /api/v2/logs?from=…&take=100` answering `body`, for the first `times` matching
/// requests only (`None`: any number), tried before mocks with a larger `priority`.
async fn logs_from(server: &MockServer, from: &str, body: serde_json::Value, times: Option<u64>, priority: u8) {
    let mut mock = Mock::given(method("GET"))
        .and(path("/api/v2/logs"))
        .and(ExactQuery::new(&[("from", from), ("take", "100")]))
        .respond_with(json(200, body))
        .with_priority(priority);
    if let Some(n) = times {
        mock = mock.up_to_n_times(n).expect(n);
    }
    mock.mount(server).await;
}

fn froms(reqs: &[wiremock::Request]) -> Vec<String> {
    reqs.iter()
        .map(|r| r.url.query_pairs().find(|(k, _)| k == "from").map(|(_, v)| v.into_owned()).unwrap_or_default())
        .collect()
}

#[tokio::test(start_paused = true)]
async fn new_events_after_a_poll_are_yielded_once_in_order() {
    let server = MockServer::start().await;
    logs_from(&server, L0, logs(&[L1, L2]), Some(1), 1).await;
    logs_from(&server, L2, logs(&[]), Some(1), 1).await; // caught up
    logs_from(&server, L2, logs(&[L3]), Some(1), 2).await; // one new event arrives
    logs_from(&server, L3, logs(&[]), Some(2), 1).await; // caught up twice
    logs_from(&server, L3, logs(&[L4, L5]), Some(1), 2).await; // two more arrive
    catch_all(&server).await;
    let c = paused_client(&server);

    let interval = Duration::from_secs(30);
    let mut tail = c.logs().tail().after(LogId::new(L0).unwrap()).poll_interval(interval).stream();

    let start = tokio::time::Instant::now();
    let mut got = Vec::new();
    for _ in 0..2 {
        got.push(tail.try_next().await.unwrap().unwrap().log_id.into_inner());
    }
    assert_eq!(start.elapsed(), Duration::ZERO, "no waiting while there is backlog");

    got.push(tail.try_next().await.unwrap().unwrap().log_id.into_inner());
    assert_eq!(start.elapsed(), interval, "waited one interval after catching up");
    assert_eq!(tail.last_log_id().unwrap(), L3);

    for _ in 0..2 {
        got.push(tail.try_next().await.unwrap().unwrap().log_id.into_inner());
    }
    assert_eq!(start.elapsed(), interval * 3, "two more empty polls, each followed by a wait");
    assert_eq!(got, [L1, L2, L3, L4, L5]);
    assert_eq!(tail.last_log_id().unwrap(), L5);

    let reqs = server.received_requests().await.unwrap();
    assert_eq!(froms(&reqs), [L0, L2, L2, L3, L3, L3]);
}

#[tokio::test(start_paused = true)]
async fn restart_from_saved_log_id_has_no_duplicates() {
    let server = MockServer::start().await;
    logs_from(&server, L1, logs(&[L2, L3]), Some(1), 1).await;
    logs_from(&server, L3, logs(&[L4]), Some(1), 1).await;
    logs_from(&server, L4, logs(&[]), None, 1).await;
    catch_all(&server).await;
    let c = paused_client(&server);

    // First run: reads L2 and stops (e.g. the process is restarted); persists the id.
    let mut tail = c.logs().tail().after(LogId::new(L1).unwrap()).stream();
    assert_eq!(tail.try_next().await.unwrap().unwrap().log_id, L2);
    let saved: String = tail.last_log_id().unwrap().into_inner();
    drop(tail);
    assert_eq!(saved, L2);

    // Second run from the saved id: L3 (not L2 again), then L4.
    let mut tail = c.logs().tail().after(LogId::new(&saved).unwrap()).poll_interval(Duration::from_secs(5)).stream();
    // The restart asks from L2; mount that page now (L3 only, as the server would).
    logs_from(&server, L2, logs(&[L3]), Some(1), 1).await;
    let a = tail.try_next().await.unwrap().unwrap().log_id.into_inner();
    let b = tail.try_next().await.unwrap().unwrap().log_id.into_inner();
    assert_eq!([a, b], [L3, L4]);
    assert_eq!(tail.last_log_id().unwrap(), L4);
}

#[tokio::test(start_paused = true)]
async fn from_now_starts_after_the_newest_event() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/logs"))
        .and(ExactQuery::new(&[("sort", "date:-1"), ("per_page", "1")]))
        .respond_with(json(200, logs(&[L2])))
        .expect(1)
        .mount(&server)
        .await;
    logs_from(&server, L2, logs(&[]), Some(1), 1).await;
    logs_from(&server, L2, logs(&[L3]), Some(1), 2).await;
    catch_all(&server).await;
    let c = paused_client(&server);

    let mut tail = c.logs().tail().from_now().take(100).stream();
    assert_eq!(tail.last_log_id(), None, "nothing is sent before the first poll");
    let first = tail.try_next().await.unwrap().unwrap();
    assert_eq!(first.log_id, L3, "the newest existing event (L2) is not replayed");
    assert_eq!(tail.last_log_id().unwrap(), L3);
}
