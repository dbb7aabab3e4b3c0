//! Rate limiting and fault injection.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use auth0_mgmt_fake::{FakeTenant, Faults, RateLimit, Seed};
use common::{Api, raw};
use serde_json::json;

fn header_u64(r: &common::Resp, name: &str) -> u64 {
    r.headers
        .get(name)
        .unwrap_or_else(|| panic!("missing {name}"))
        .to_str()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("{name} is not a whole number"))
}

#[tokio::test]
async fn rate_limit_429_with_headers() {
    let api = Api::start(FakeTenant::builder().seed(Seed::empty()).rate_limit(RateLimit::new(3, 0.01))).await;
    let mut statuses = vec![];
    let mut last = None;
    for _ in 0..5 {
        let r = api.get("/roles").await;
        assert_eq!(header_u64(&r, "x-ratelimit-limit"), 3);
        header_u64(&r, "x-ratelimit-remaining");
        statuses.push(r.status);
        last = Some(r);
    }
    assert_eq!(statuses, vec![200, 200, 200, 429, 429]);
    let r = last.unwrap();
    assert_eq!(
        r.body,
        json!({"statusCode":429,"error":"Too Many Requests","message":"Global limit has been reached","errorCode":"too_many_requests"})
    );
    assert_eq!(header_u64(&r, "x-ratelimit-remaining"), 0);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let reset = header_u64(&r, "x-ratelimit-reset");
    assert!(reset >= now, "reset {reset} is an epoch in the future");
    assert!(r.headers.get("retry-after").is_none());
    assert_eq!(api.tenant.counters().rate_limited, 2);

    // runtime change: lift the limit
    api.tenant.set_rate_limit(None);
    let r = api.get("/roles").await;
    assert_eq!(r.status, 200);
    assert!(r.headers.get("x-ratelimit-limit").is_none());
}

#[tokio::test]
async fn retry_after_option() {
    let api = Api::start(
        FakeTenant::builder().seed(Seed::empty()).rate_limit(RateLimit::new(1, 0.5)).retry_after_header(true),
    )
    .await;
    assert_eq!(api.get("/roles").await.status, 200);
    let r = api.get("/roles").await;
    assert_eq!(r.status, 429);
    assert!(header_u64(&r, "retry-after") >= 1);
}

#[tokio::test]
async fn seeded_503s_at_roughly_the_configured_rate() {
    let api = Api::start(FakeTenant::builder().seed(Seed::empty()).faults(Faults {
        error_rate: 0.2,
        seed: Some(42),
        ..Default::default()
    }))
    .await;
    let mut n503 = 0;
    for _ in 0..400 {
        let r = api.get("/roles").await;
        match r.status {
            200 => {}
            503 => {
                n503 += 1;
                assert_eq!(r.body["statusCode"], 503);
            }
            s => panic!("unexpected {s}"),
        }
    }
    assert!((40..=120).contains(&n503), "{n503} 503s out of 400");
    let c = api.tenant.counters();
    assert_eq!(c.faults_503, n503);
    assert_eq!(c.faults_injected, n503);
    // the token endpoint is exempt by default
    assert_eq!(c.token_mints, 1);
}

#[tokio::test]
async fn bad_gateway_is_html() {
    let api = Api::start(
        FakeTenant::builder().seed(Seed::empty()).faults(Faults { bad_gateway_rate: 1.0, ..Default::default() }),
    )
    .await;
    let r = api.get("/roles").await;
    assert_eq!(r.status, 502);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(r.text.contains("Bad Gateway"));
}

#[tokio::test]
async fn drops_surface_as_connection_errors() {
    let api = Api::start(FakeTenant::builder().seed(Seed::empty())).await;
    api.tenant.set_faults(Faults { drop_rate: 0.3, seed: Some(7), ..Default::default() });
    let mut errors = 0;
    for _ in 0..60 {
        match api.try_call("GET", "/roles", None).await {
            Ok(r) => assert_eq!(r.status, 200),
            Err(e) => {
                assert!(!e.is_status());
                errors += 1;
            }
        }
    }
    assert!(errors > 5, "{errors}");
    assert_eq!(api.tenant.counters().faults_dropped, errors);

    // writes: a drop may happen after the write was applied; never applied twice
    api.tenant.set_faults(Faults { drop_rate: 1.0, seed: Some(3), ..Default::default() });
    api.tenant.reset_counters();
    let mut created = 0;
    for i in 0..20 {
        let r = api.try_call("POST", "/roles", Some(json!({"name": format!("r{i}")}))).await;
        assert!(r.is_err());
        created += 1;
    }
    let c = api.tenant.counters();
    assert_eq!(c.faults_dropped, created);
    assert_eq!(c.writes_applied, c.drops_after_write);
    assert!(c.drops_after_write > 0 && c.drops_after_write < 20, "{c:?}");
    api.tenant.set_faults(Faults::default());
    let roles = api.get("/roles?per_page=100").await;
    assert_eq!(roles.body.as_array().unwrap().len() as u64, c.writes_applied);
}

#[tokio::test]
async fn malformed_bodies_are_truncated_json() {
    let api = Api::start(
        FakeTenant::builder().seed(Seed::default()).faults(Faults { malformed_rate: 1.0, ..Default::default() }),
    )
    .await;
    let r = api.get("/roles").await;
    assert_eq!(r.status, 200);
    assert!(serde_json::from_str::<serde_json::Value>(&r.text).is_err());
    assert_eq!(api.tenant.counters().faults_malformed, 1);
}

#[tokio::test]
async fn latency_and_token_latency_do_not_break_requests() {
    let api =
        Api::start(FakeTenant::builder().seed(Seed::empty()).token_latency(Duration::from_millis(5)).faults(Faults {
            latency: Some(Duration::from_millis(1)..Duration::from_millis(3)),
            ..Default::default()
        }))
        .await;
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let http = api.http.clone();
        let url = format!("{}/oauth/token", api.tenant.base_url());
        let body = json!({"grant_type": "client_credentials", "client_id": api.tenant.client_id(),
            "client_secret": api.tenant.client_secret(), "audience": api.tenant.audience()});
        set.spawn(async move { raw(&http, "POST", &url, None, Some(body)).await.unwrap().status });
    }
    while let Some(s) = set.join_next().await {
        assert_eq!(s.unwrap(), 200);
    }
    assert_eq!(api.get("/roles").await.status, 200);
    assert_eq!(api.tenant.counters().faults_latency, 1);
}

#[tokio::test]
async fn token_quota_header() {
    let t = FakeTenant::builder().seed(Seed::empty()).token_quota_per_hour(1).start().await.unwrap();
    let http = reqwest::Client::new();
    let url = format!("{}/oauth/token", t.base_url());
    let body = json!({"grant_type": "client_credentials", "client_id": t.client_id(),
        "client_secret": t.client_secret(), "audience": t.audience()});
    let ok = raw(&http, "POST", &url, None, Some(body.clone())).await.unwrap();
    assert_eq!(ok.status, 200);
    let q = ok.headers["auth0-client-quota-limit"].to_str().unwrap();
    assert!(q.starts_with("b=per_hour;q=1;r=0;t="), "{q}");
    let over = raw(&http, "POST", &url, None, Some(body)).await.unwrap();
    assert_eq!(over.status, 429);
    assert_eq!(over.body["error_description"], "Client quota exceeded");
    assert!(over.headers.get("retry-after").is_some());
}

#[tokio::test(start_paused = true)]
async fn bucket_refills_with_paused_clock() {
    let api = Api::start(FakeTenant::builder().seed(Seed::empty()).rate_limit(RateLimit::new(1, 1.0))).await;
    assert_eq!(api.get("/roles").await.status, 200);
    let r = api.get("/roles").await;
    assert_eq!(r.status, 429);
    tokio::time::advance(Duration::from_millis(1001)).await;
    let r = api.get("/roles").await;
    assert_eq!(r.status, 200);
    assert_eq!(header_u64(&r, "x-ratelimit-remaining"), 0);
}
