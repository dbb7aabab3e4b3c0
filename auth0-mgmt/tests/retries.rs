//! Retries: 5xx, timeouts and dropped connections are retried only for idempotent
//! methods; a POST is never sent twice.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use auth0_mgmt::users::CreateUser;
use auth0_mgmt::{Client, Error, PacerConfig, RetryConfig, UserId, WaitFor};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

fn uid() -> UserId {
    "auth0|1".parse().unwrap()
}

fn unavailable() -> ResponseTemplate {
    ResponseTemplate::new(503).set_body_json(
        json!({"statusCode":503,"error":"Service Unavailable","message":"The query exceeded the timeout."}),
    )
}

#[tokio::test(start_paused = true)]
async fn get_after_503_is_retried_with_backoff_and_succeeds() {
    let server = common::server().await;
    Mock::given(method("GET")).respond_with(unavailable()).up_to_n_times(2).mount(&server).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(common::user_json("auth0|1")))
        .mount(&server)
        .await;
    let client = common::paused_builder(&server)
        .retry(RetryConfig::default().backoff(Duration::from_millis(200), Duration::from_secs(2)))
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    client.users().get(&uid()).await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(common::api_requests(&server).await.len(), 3);
    assert!(elapsed >= Duration::from_millis(400), "backed off: {elapsed:?}");
}

#[tokio::test(start_paused = true)]
async fn get_retries_are_bounded() {
    let server = common::server().await;
    Mock::given(method("GET")).respond_with(unavailable()).mount(&server).await;
    let client = common::paused_builder(&server).retry(RetryConfig::default().max_retries(3)).build().unwrap();
    let err = client.users().get(&uid()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(err.is_retryable());
    assert_eq!(err.api().unwrap().attempts, 4);
    assert_eq!(common::api_requests(&server).await.len(), 4);
}

#[tokio::test(start_paused = true)]
async fn post_after_503_is_sent_exactly_once() {
    let server = common::server().await;
    Mock::given(method("POST")).respond_with(unavailable()).mount(&server).await;
    let client = common::paused_builder(&server).build().unwrap();
    let err = client.users().create(&CreateUser::new("db").email("a@b.c")).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(common::api_requests(&server).await.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn patch_after_503_is_sent_exactly_once() {
    let server = common::server().await;
    Mock::given(method("PATCH")).respond_with(unavailable()).mount(&server).await;
    let client = common::paused_builder(&server).build().unwrap();
    client.users().update(&uid(), &Default::default()).await.unwrap_err();
    assert_eq!(common::api_requests(&server).await.len(), 1);
}

/// A server that reads each request and closes the connection without answering.
async fn dropping_server() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let mut read = 0;
                // Read until the end of the headers (and a small body), then hang up.
                while read < buf.len() {
                    match sock.read(&mut buf[read..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => read += n,
                    }
                    if buf[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
                counter.fetch_add(1, Ordering::SeqCst);
                let _ = sock.shutdown().await;
            });
        }
    });
    (format!("http://{addr}"), seen)
}

fn dropping_client(base: &str) -> Client {
    Client::builder()
        .base_url(base)
        .token(common::jwt("create:users read:users"))
        .retry(RetryConfig::default().backoff(Duration::from_millis(1), Duration::from_millis(5)))
        .build()
        .unwrap()
}

#[tokio::test]
async fn post_with_a_dropped_connection_is_sent_exactly_once() {
    let (base, seen) = dropping_server().await;
    let err = dropping_client(&base).users().create(&CreateUser::new("db").email("a@b.c")).await.unwrap_err();
    assert!(matches!(err, Error::Transport { attempts: 1, .. }), "{err:?}");
    assert_eq!(seen.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn get_with_a_dropped_connection_is_retried_and_bounded() {
    let (base, seen) = dropping_server().await;
    let err = dropping_client(&base).users().get(&uid()).await.unwrap_err();
    assert!(matches!(err, Error::Transport { attempts: 4, .. }), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(seen.load(Ordering::SeqCst), 4);
}

#[tokio::test(start_paused = true)]
async fn a_get_timeout_is_retried_and_ends_as_a_timeout_error() {
    let server = common::server().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(common::user_json("auth0|1")).set_delay(Duration::from_secs(30)),
        )
        .mount(&server)
        .await;
    let client = common::builder(&server)
        .http_client(common::timerless_http())
        .timeout(Some(Duration::from_secs(1)))
        .retry(RetryConfig::default().max_retries(2))
        .build()
        .unwrap();
    let err = client.users().get(&uid()).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(matches!(err, Error::Transport { attempts: 3, .. }), "{err:?}");
    assert_eq!(err.to_string(), "users.get: timed out after 1s (the request), 3 attempts");
}

#[tokio::test]
async fn a_refused_connection_is_retried_even_for_post_because_nothing_was_sent() {
    // Bind then drop a listener to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = dropping_client(&format!("http://127.0.0.1:{port}"));
    let err = client.users().create(&CreateUser::new("db")).await.unwrap_err();
    assert!(matches!(err, Error::Transport { attempts: 4, .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.starts_with("users.create: could not connect after 4 attempts: "), "{msg}");
    assert!(msg.to_ascii_lowercase().contains("refused"), "names the cause: {msg}");
}

fn too_many(retry_after: &str) -> ResponseTemplate {
    ResponseTemplate::new(429).insert_header("retry-after", retry_after).set_body_json(
        json!({"statusCode":429,"error":"Too Many Requests","message":"Global limit has been reached","errorCode":"too_many_requests"}),
    )
}

/// `Retry-After: 1`, then `Retry-After: u64::MAX` seconds: once a panic
/// (`overflow when adding durations`), now a clear error after the first wait.
#[tokio::test(start_paused = true)]
async fn a_huge_retry_after_after_a_small_one_is_wait_too_long_not_a_panic() {
    for huge in ["18446744073709551615", "99999999999999999999999999"] {
        let server = common::server().await;
        Mock::given(method("GET")).respond_with(too_many("1")).up_to_n_times(1).mount(&server).await;
        Mock::given(method("GET")).respond_with(too_many(huge)).mount(&server).await;
        let client = common::paused_builder(&server).build().unwrap();
        let started = tokio::time::Instant::now();
        let err = client.users().get(&uid()).await.unwrap_err();
        assert!(started.elapsed() <= Duration::from_secs(300), "{:?}", started.elapsed());
        assert!(err.is_rate_limited(), "{huge}: {err:?}");
        if huge == "18446744073709551615" {
            // Representable: honoured as named, so refused at once.
            let Error::WaitTooLong { waiting_for: WaitFor::RateLimit, wait, .. } = &err else { panic!("{err:?}") };
            assert_eq!(wait.as_secs(), u64::MAX);
            assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
            assert_eq!(common::api_requests(&server).await.len(), 2);
        } else {
            // Unrepresentable: treated as absent, bounded backoff.
            assert!(common::api_requests(&server).await.len() >= 2);
        }
        let _ = (err.to_string(), format!("{err:?}"));
    }
}

#[tokio::test(start_paused = true)]
async fn a_huge_retry_after_from_the_token_endpoint_is_wait_too_long_not_a_panic() {
    let server = common::server().await;
    let quota = |ra: &str| {
        ResponseTemplate::new(429)
            .insert_header("retry-after", ra)
            .set_body_json(json!({"error": "too_many_requests", "error_description": "Client quota exceeded"}))
    };
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(quota("1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(quota("18446744073709551615"))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .client_credentials("cid", "secret")
        .http_client(common::timerless_http())
        .timeout(None)
        .build()
        .unwrap();
    let err = client.users().get(&uid()).await.unwrap_err();
    let Error::WaitTooLong { operation: "oauth.token", waiting_for: WaitFor::RateLimit, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(err.error_code(), Some("too_many_requests"));
    assert!(err.to_string().contains("Client quota exceeded"), "{err}");
    assert!(common::api_requests(&server).await.is_empty());
}

/// Backoff counts against the budget too: a GET that keeps failing with 503 stops when
/// the next backoff does not fit, naming the backoff and the last answer.
#[tokio::test(start_paused = true)]
async fn backoff_past_the_budget_is_wait_too_long_naming_the_backoff() {
    let server = common::server().await;
    Mock::given(method("GET")).respond_with(unavailable()).mount(&server).await;
    let client = common::paused_builder(&server)
        .retry(
            RetryConfig::default()
                .max_retries(10)
                .max_total_wait(Duration::from_secs(3))
                .backoff(Duration::from_secs(1), Duration::from_secs(8)),
        )
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let err = client.users().get(&uid()).await.unwrap_err();
    assert!(started.elapsed() <= Duration::from_secs(3), "{:?}", started.elapsed());
    let Error::WaitTooLong { waiting_for: WaitFor::Backoff, max_wait, source: Some(last), .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*max_wait, Duration::from_secs(3));
    assert_eq!(last.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(err.to_string().contains("backoff") && err.to_string().contains("503"), "{err}");
    assert!(!err.is_rate_limited() && err.is_retryable());
}

/// Pacer waits count against the budget: after `x-ratelimit-limit: 0` the old pacer
/// made six concurrent calls wait 10, 20 … 60 s, uncounted. Now no call waits longer
/// than its budget, and one that would names the pacer.
#[tokio::test(start_paused = true)]
async fn pacer_waits_count_against_the_budget() {
    let server = common::server().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-ratelimit-limit", "0")
                .insert_header("x-ratelimit-remaining", "0")
                .set_body_json(common::user_json("auth0|1")),
        )
        .mount(&server)
        .await;
    let budget = Duration::from_secs(15);
    let client = common::paused_builder(&server)
        .pacer(PacerConfig::default())
        .retry(RetryConfig::default().max_total_wait(budget))
        .build()
        .unwrap();
    client.users().get(&uid()).await.unwrap();
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move {
                let started = tokio::time::Instant::now();
                let r = c.users().get(&uid()).await;
                (started.elapsed(), r)
            })
        })
        .collect();
    for t in tasks {
        let (elapsed, result) = t.await.unwrap();
        assert!(elapsed <= budget + Duration::from_millis(100), "waited {elapsed:?}");
        if let Err(err) = result {
            assert!(matches!(err, Error::WaitTooLong { waiting_for: WaitFor::Pacer, .. }), "{err:?}");
            assert!(err.to_string().contains("pacer"), "{err}");
        }
    }
}
