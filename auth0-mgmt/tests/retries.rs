//! Retries: 5xx, timeouts and dropped connections are retried only for idempotent
//! methods; a POST is never sent twice.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use auth0_mgmt::users::CreateUser;
use auth0_mgmt::{Client, Error, RetryConfig, UserId};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::method;
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
}

#[tokio::test]
async fn a_refused_connection_is_retried_even_for_post_because_nothing_was_sent() {
    // Bind then drop a listener to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = dropping_client(&format!("http://127.0.0.1:{port}"));
    let err = client.users().create(&CreateUser::new("db")).await.unwrap_err();
    assert!(matches!(err, Error::Transport { attempts: 4, .. }), "{err:?}");
}
