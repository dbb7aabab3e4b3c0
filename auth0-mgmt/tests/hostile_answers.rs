//! Answers a hostile or broken server sends: redirects that echo secrets in their
//! `Location`, API errors that quote the client secret, Auth0 error bodies with fields of
//! the wrong type, tokens a header cannot carry, and calls cancelled while their request
//! is out.

mod common;
mod raw_server;

use std::time::Duration;

use auth0_mgmt::{Client, Error, RetryConfig, UserId};
use raw_server::{Reply, answer, serve};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

const SECRET: &str = "Sup3r-s3cret-client-value-81";

fn uid() -> UserId {
    "auth0|1".parse().unwrap()
}

fn is_token_request(req: &[u8]) -> bool {
    String::from_utf8_lossy(req).starts_with("POST /oauth/token")
}

fn assert_no_secret(err: &Error, secrets: &[&str]) {
    for shown in [err.to_string(), format!("{err:?}")] {
        for s in secrets {
            assert!(!shown.contains(s), "{s} leaked: {shown}");
        }
    }
}

#[tokio::test]
async fn a_redirect_location_never_shows_the_bearer_or_the_client_secret() {
    const BEARER: &str = "opaque-bearer-7f7f7f7f";
    // The API redirects to a path that echoes the bearer; the token endpoint to one that
    // echoes the client secret.
    for (token_endpoint, echoed) in [(false, BEARER), (true, SECRET)] {
        let server = serve(move |req, _| {
            if is_token_request(req) && !token_endpoint {
                let body = format!(r#"{{"access_token":"{BEARER}","token_type":"Bearer","expires_in":86400}}"#);
                return answer(200, "application/json", body.as_bytes());
            }
            if String::from_utf8_lossy(req).starts_with("GET /echo/") {
                // Where a caller's client that follows redirects lands.
                return answer(200, "application/json", br#"{"user_id":"auth0|1"}"#);
            }
            Reply::Bytes(
                format!("HTTP/1.1 302 Found\r\nlocation: /echo/{echoed}/x?q={echoed}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .into_bytes(),
            )
        })
        .await;
        for http in [None, Some(reqwest::Client::new())] {
            let mut b = Client::builder().base_url(&server.base).client_credentials("cid", SECRET);
            if let Some(http) = http.clone() {
                b = b.http_client(http);
            }
            let err = b.build().unwrap().users().get(&uid()).await.unwrap_err();
            assert!(matches!(err, Error::Redirect { .. }), "{err:?}");
            assert_no_secret(&err, &[BEARER, SECRET]);
            assert!(err.to_string().contains("[REDACTED]"), "{err}");
        }
    }
}

#[tokio::test]
async fn an_api_error_quoting_the_client_secret_is_scrubbed() {
    let server = serve(|req, _| {
        if is_token_request(req) {
            return answer(
                200,
                "application/json",
                br#"{"access_token":"tok-1","token_type":"Bearer","expires_in":86400}"#,
            );
        }
        let body = json!({"statusCode": 400, "error": "Bad Request", "message": format!("client_secret was {SECRET}")});
        answer(400, "application/json", body.to_string().as_bytes())
    })
    .await;
    let client = Client::builder().base_url(&server.base).client_credentials("cid", SECRET).build().unwrap();
    let err = client.users().get(&uid()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert_no_secret(&err, &[SECRET]);
    assert_eq!(err.api().unwrap().body.message.as_deref(), Some("client_secret was [REDACTED]"));
}

#[tokio::test]
async fn one_odd_field_keeps_the_rest_of_the_auth0_error() {
    let server = common::server().await;
    let bodies = [
        json!({"statusCode": "404", "error": "Not Found", "message": "The user does not exist.", "errorCode": "inexistent_user"}),
        json!({"statusCode": 70000, "error": "Not Found", "message": "The user does not exist.", "errorCode": "inexistent_user"}),
        json!({"statusCode": 404.0, "error": "Not Found", "message": "The user does not exist.", "errorCode": "inexistent_user"}),
        json!({"statusCode": 404, "error": "Not Found", "message": "The user does not exist.", "errorCode": "inexistent_user", "attributes": [1]}),
        json!({"statusCode": 404, "error": "Not Found", "message": {"text": "The user does not exist."}, "errorCode": "inexistent_user"}),
        json!({"statusCode": 404, "error": "Not Found", "message": "The user does not exist.", "errorCode": 17}),
    ];
    for body in bodies {
        server.reset().await;
        Mock::given(method("GET")).respond_with(ResponseTemplate::new(404).set_body_json(&body)).mount(&server).await;
        let err = common::client(&server).users().get(&uid()).await.unwrap_err();
        let api = err.api().unwrap_or_else(|| panic!("{body}: {err:?}"));
        assert_eq!(api.status.as_u16(), 404);
        assert_eq!(api.body.error.as_deref(), Some("Not Found"), "{body}");
        assert!(api.body.message.as_deref().is_some_and(|m| m.contains("The user does not exist.")), "{body}: {api:?}");
        assert!(api.raw_body.is_none(), "{body}");
        if body["errorCode"].is_string() {
            assert_eq!(err.error_code(), Some("inexistent_user"), "{body}");
        }
        // Round trip: what could not be read as typed stays, as it came.
        let back = serde_json::to_value(&api.body).unwrap();
        for key in ["statusCode", "errorCode", "attributes"] {
            let odd = body.get(key).filter(|v| !v.is_string() && !v.is_u64());
            if let Some(sent) = odd.filter(|v| key != "statusCode" || v.as_f64() != Some(404.0)) {
                assert_eq!(back.get(key), Some(sent), "{body}: {back}");
            }
        }
    }
}

#[tokio::test]
async fn a_token_a_header_cannot_carry_is_a_malformed_token_error() {
    for token in ["tok\nInjected: 1", "tok\u{0}", "tok\u{7f}"] {
        let server = common::server().await;
        Mock::given(method("POST"))
            .and(path("/oauth/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": token, "expires_in": 86400})))
            .mount(&server)
            .await;
        let client = Client::builder().base_url(server.uri()).client_credentials("cid", SECRET).build().unwrap();
        let err = client.users().get(&uid()).await.unwrap_err();
        let Error::Token(t) = &err else { panic!("{token:?}: {err:?}") };
        assert!(t.to_string().contains("control characters"), "{t}");
        assert!(common::api_requests(&server).await.is_empty());
    }
}

/// Calls dropped while their request is out (a caller's timeout) are not counted as in
/// flight afterwards: the next calls are not held back for them.
#[tokio::test]
async fn calls_cancelled_in_flight_do_not_hold_later_calls_back() {
    let server = common::server().await;
    let bucket = |t: ResponseTemplate| {
        t.insert_header("x-ratelimit-limit", "10")
            .insert_header("x-ratelimit-remaining", "9")
            .set_body_json(common::user_json("auth0|1"))
    };
    Mock::given(method("GET"))
        .and(path("/api/v2/users/auth0%7Cslow"))
        .respond_with(bucket(ResponseTemplate::new(200)).set_delay(Duration::from_secs(30)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/users/auth0%7C1"))
        .respond_with(bucket(ResponseTemplate::new(200)))
        .mount(&server)
        .await;
    let client = common::builder(&server).retry(RetryConfig::default().max_retries(0)).build().unwrap();
    client.users().get(&uid()).await.unwrap();
    let slow: UserId = "auth0|slow".parse().unwrap();
    let mut cancelled = Vec::new();
    for _ in 0..9 {
        let c = client.clone();
        let slow = slow.clone();
        cancelled.push(tokio::spawn(async move {
            tokio::time::timeout(Duration::from_millis(300), c.users().get(&slow)).await
        }));
    }
    for c in cancelled {
        assert!(c.await.unwrap().is_err(), "cancelled by the caller's timeout");
    }
    // Each answer says 9 left of 10: nothing should wait, now that the cancelled requests
    // are known to be unanswered.
    let before = client.rate_limit_stats();
    for _ in 0..10 {
        client.users().get(&uid()).await.unwrap();
    }
    let after = client.rate_limit_stats();
    assert_eq!(after.waits, before.waits, "{before:?} → {after:?}");
}
