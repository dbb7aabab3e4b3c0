//! No redirect carries the client secret or the bearer off the tenant host: with the
//! SDK's own HTTP client (which never follows one) and with a caller's
//! `reqwest::Client::new()` (which follows redirects by default). Two loopback servers:
//! the tenant, and the host it redirects to.

mod common;
mod raw_server;

use std::time::Duration;

use auth0_mgmt::users::CreateUser;
use auth0_mgmt::{Client, Error, RetryConfig, UserId};
use raw_server::{RawServer, Reply, answer, serve};

const SECRET: &str = "SECRET-redirected-9f3a";

fn uid() -> UserId {
    "auth0|1".parse().unwrap()
}

/// Where the tenant redirects to: records everything, answers like a tenant would.
async fn elsewhere() -> RawServer {
    serve(|req, _| {
        if String::from_utf8_lossy(req).starts_with("POST /oauth/token") {
            answer(200, "application/json", br#"{"access_token":"stolen","token_type":"Bearer","expires_in":86400}"#)
        } else {
            answer(200, "application/json", br#"{"user_id":"auth0|1"}"#)
        }
    })
    .await
}

/// A tenant whose token endpoint (or API) answers `status` with a `Location` on
/// `target`; other requests get a token / a user.
async fn redirecting(status: u16, token_endpoint: bool, target: &str) -> RawServer {
    let target = target.to_owned();
    serve(move |req, _| {
        let text = String::from_utf8_lossy(req);
        let is_token = text.starts_with("POST /oauth/token");
        if is_token == token_endpoint {
            let path = text.split_whitespace().nth(1).unwrap_or("/").to_owned();
            return Reply::Bytes(
                format!("HTTP/1.1 {status} Moved\r\nlocation: {target}{path}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .into_bytes(),
            );
        }
        if is_token {
            answer(200, "application/json", br#"{"access_token":"tenant-token","token_type":"Bearer","expires_in":86400}"#)
        } else {
            answer(200, "application/json", br#"{"user_id":"auth0|1"}"#)
        }
    })
    .await
}

fn builder(base: &str) -> auth0_mgmt::ClientBuilder {
    Client::builder()
        .base_url(base)
        .client_credentials("cid", SECRET)
        .retry(RetryConfig::default().backoff(Duration::from_millis(1), Duration::from_millis(2)))
}

/// Nothing the other host received carries the secret or the tenant's bearer.
fn assert_nothing_leaked(other: &RawServer) {
    for r in other.requests() {
        assert!(!r.contains(SECRET), "the client secret reached the other host:\n{r}");
        assert!(!r.to_ascii_lowercase().contains("authorization"), "a bearer reached the other host:\n{r}");
    }
}

#[tokio::test]
async fn the_sdk_client_follows_no_redirect_of_the_token_endpoint() {
    for status in [301u16, 302, 303, 307, 308] {
        let other = elsewhere().await;
        let tenant = redirecting(status, true, &other.base).await;
        let err = builder(&tenant.base).build().unwrap().users().get(&uid()).await.unwrap_err();
        let Error::Redirect { operation, status: s, followed, .. } = &err else { panic!("{status}: {err:?}") };
        assert_eq!((*operation, s.as_u16(), *followed), ("oauth.token", status, false));
        assert!(other.requests().is_empty(), "{status}: nothing goes to the other host");
        assert_eq!(tenant.requests().len(), 1, "{status}: a redirect is not retried");
    }
}

#[tokio::test]
async fn a_callers_client_never_resends_the_secret_after_a_token_endpoint_redirect() {
    for status in [301u16, 302, 303, 307, 308] {
        let other = elsewhere().await;
        let tenant = redirecting(status, true, &other.base).await;
        let client = builder(&tenant.base).http_client(reqwest::Client::new()).build().unwrap();
        let err = client.users().get(&uid()).await.unwrap_err();
        assert!(matches!(err, Error::Redirect { operation: "oauth.token", .. }), "{status}: {err:?}");
        assert_nothing_leaked(&other);
        // 307/308 keep the method and body: reqwest hands them back instead (one-shot
        // body). 301/302/303 become a body-less GET, whose answer is refused.
        let followed = matches!(err, Error::Redirect { followed: true, .. });
        assert_eq!(followed, !matches!(status, 307 | 308), "{status}: {err:?}");
        assert_eq!(other.requests().iter().filter(|r| r.starts_with("POST")).count(), 0, "{status}");
        // The API was never called with a token from elsewhere.
        assert!(tenant.requests().iter().all(|r| !r.contains("stolen")));
    }
}

#[tokio::test]
async fn a_callers_client_never_carries_the_bearer_to_another_host() {
    for status in [301u16, 302, 303, 307, 308] {
        let other = elsewhere().await;
        let tenant = redirecting(status, false, &other.base).await;
        let client = builder(&tenant.base).http_client(reqwest::Client::new()).build().unwrap();
        // GET and DELETE carry no body: reqwest follows them, without the bearer.
        let err = client.users().get(&uid()).await.unwrap_err();
        assert!(matches!(err, Error::Redirect { followed: true, .. }), "{status} GET: {err:?}");
        let err = client.users().delete(&uid()).await.unwrap_err();
        assert!(matches!(err, Error::Redirect { .. }), "{status} DELETE: {err:?}");
        // A POST is never re-sent anywhere.
        let err = client.users().create(&CreateUser::new("db").email("a@b.c")).await.unwrap_err();
        assert!(matches!(err, Error::Redirect { .. }), "{status} POST: {err:?}");
        assert_nothing_leaked(&other);
        assert!(other.requests().iter().all(|r| !r.starts_with("POST")), "{status}: a POST was re-sent");
        let posts = tenant.requests().iter().filter(|r| r.starts_with("POST /api/v2/users")).count();
        assert_eq!(posts, 1, "{status}: the POST was sent once");
    }
}

#[tokio::test]
async fn the_sdk_client_refuses_an_api_redirect_with_a_typed_error() {
    let other = elsewhere().await;
    let tenant = redirecting(302, false, &other.base).await;
    let err = builder(&tenant.base).build().unwrap().users().get(&uid()).await.unwrap_err();
    assert!(matches!(err, Error::Redirect { operation: "users.get", followed: false, .. }), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(302));
    assert!(err.to_string().contains("redirects are never followed"), "{err}");
    assert!(other.requests().is_empty());
}
