//! `configure_http`: the caller adjusts the SDK's own reqwest client with any option, and
//! the SDK's guarantees and its own builder options still hold — no redirect is followed
//! whatever the caller asked for, and `connect_timeout` applies.

mod raw_server;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use auth0_mgmt::{Client, Error, RetryConfig, UserId};
use raw_server::{Reply, answer, serve};

const SECRET: &str = "SECRET-configured-7c1e";

fn uid() -> UserId {
    "auth0|1".parse().unwrap()
}

#[tokio::test]
async fn configure_http_cannot_switch_redirects_back_on() {
    let other = serve(|_, _| answer(200, "application/json", br#"{"access_token":"stolen","expires_in":86400}"#)).await;
    let target = other.base.clone();
    let tenant = serve(move |req, _| {
        let path = String::from_utf8_lossy(req).split_whitespace().nth(1).unwrap_or("/").to_owned();
        Reply::Bytes(
            format!("HTTP/1.1 307 Moved\r\nlocation: {target}{path}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                .into_bytes(),
        )
    })
    .await;
    let configured = Arc::new(AtomicUsize::new(0));
    let seen = configured.clone();
    let client = Client::builder()
        .base_url(&tenant.base)
        .client_credentials("cid", SECRET)
        .configure_http(move |http| {
            seen.fetch_add(1, Ordering::SeqCst);
            http.redirect(reqwest::redirect::Policy::limited(10))
        })
        .build()
        .unwrap();
    assert_eq!(configured.load(Ordering::SeqCst), 1, "configure_http runs once per build");
    let err = client.users().get(&uid()).await.unwrap_err();
    assert!(matches!(err, Error::Redirect { operation: "oauth.token", followed: false, .. }), "{err:?}");
    assert!(other.requests().is_empty(), "nothing reached the other host: {:?}", other.requests());
    assert_eq!(tenant.requests().len(), 1);
}

#[tokio::test]
async fn configure_http_keeps_the_sdk_headers_and_works() {
    let tenant = serve(|req, _| {
        if String::from_utf8_lossy(req).starts_with("POST /oauth/token") {
            answer(200, "application/json", br#"{"access_token":"tok","token_type":"Bearer","expires_in":86400}"#)
        } else {
            answer(200, "application/json", br#"{"user_id":"auth0|1"}"#)
        }
    })
    .await;
    let client = Client::builder()
        .base_url(&tenant.base)
        .client_credentials("cid", SECRET)
        .configure_http(|http| http.http1_only().tcp_nodelay(true))
        .build()
        .unwrap();
    let user = client.users().get(&uid()).await.unwrap();
    assert_eq!(user.user_id.as_str(), "auth0|1");
    let requests = tenant.requests();
    let api = requests.iter().find(|r| r.starts_with("GET /api/v2/users/auth0%7C1 ")).expect("the API call");
    assert!(api.to_ascii_lowercase().contains("user-agent: auth0-mgmt-rust/"), "{api}");
    assert!(api.contains("authorization: Bearer tok") || api.contains("Authorization: Bearer tok"), "{api}");
}

#[test]
fn a_caller_built_client_refuses_builder_transport_options_and_names_the_way_out() {
    let err = Client::builder()
        .domain("acme.auth0.com")
        .token("t")
        .http_client(reqwest::Client::new())
        .configure_http(|b| b)
        .build()
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("configure_http") && msg.contains("http_client"), "{msg}");
}

/// A listener that never accepts, with its accept queue filled: the kernel leaves
/// further connection attempts unanswered (SYNs dropped), so connecting hangs.
async fn unanswered_listener() -> (tokio::net::TcpListener, Vec<std::net::TcpStream>, String) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..4 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Ok(s) => fillers.push(s),
            Err(_) => break,
        }
    }
    (listener, fillers, format!("http://{addr}"))
}

#[tokio::test]
async fn connect_timeout_applies_to_a_configured_client() {
    let (_listener, fillers, base) = unanswered_listener().await;
    assert!(!fillers.is_empty());
    let client = Client::builder()
        .base_url(&base)
        .token("tok")
        .configure_http(|http| http.connect_timeout(Duration::from_secs(3600)))
        .connect_timeout(Duration::from_millis(150))
        .timeout(None)
        .retry(RetryConfig::default().max_retries(0))
        .build()
        .unwrap();
    let err = client.users().get(&uid()).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    let Error::Transport { timeout, .. } = &err else { panic!("{err:?}") };
    assert_eq!(*timeout, Some(Duration::from_millis(150)), "{err}");
    assert!(err.to_string().contains("150ms"), "{err}");
}
