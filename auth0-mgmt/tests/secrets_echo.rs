//! Servers that echo the request (its headers and body) into error answers, on the token
//! endpoint and the API, in 4xx and 5xx bodies of every shape: the client secret and the
//! bearer token appear in neither the `Debug` nor the `Display` of the error.

mod common;
mod raw_server;

use std::time::Duration;

use auth0_mgmt::{Client, Error, RetryConfig, UserId};
use base64::Engine as _;
use raw_server::{Reply, answer, serve};
use serde_json::json;

const SECRET: &str = "SECRET-7d1f0c2a9b";
const TOKEN: &str = "TOKEN-e83b51a0ff";

/// A JWT-shaped access token, as Auth0 issues them.
fn jwt_token() -> String {
    let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!(
        "{}.{}.{}",
        enc(r#"{"alg":"RS256","typ":"JWT"}"#),
        enc(r#"{"scope":"read:users create:users","sub":"cid@clients"}"#),
        "c2lnbmF0dXJlLXRoYXQtaXMtc2VjcmV0"
    )
}

/// Ways a server can echo a request into an error body.
#[derive(Clone, Copy, Debug)]
enum Echo {
    /// Auth0-shaped JSON whose `message` is the raw request.
    Auth0Json,
    /// OAuth-shaped JSON whose `error_description` is the raw request.
    OAuthJson,
    /// An HTML page quoting the raw request.
    Html,
    /// The raw request as the whole body.
    Raw,
    /// JSON whose keys and nested values are the request's lines.
    Nested,
}

fn echo_body(echo: Echo, status: u16, request: &[u8]) -> (String, Vec<u8>) {
    let text = String::from_utf8_lossy(request).into_owned();
    match echo {
        Echo::Auth0Json => (
            "application/json".into(),
            json!({"statusCode": status, "error": "Echo", "message": text, "errorCode": "echo"})
                .to_string()
                .into_bytes(),
        ),
        Echo::OAuthJson => (
            "application/json".into(),
            json!({"error": "invalid_request", "error_description": text}).to_string().into_bytes(),
        ),
        Echo::Html => ("text/html".into(), format!("<html><body><pre>{text}</pre></body></html>").into_bytes()),
        Echo::Raw => ("text/plain".into(), request.to_vec()),
        Echo::Nested => {
            let lines: serde_json::Map<String, serde_json::Value> =
                text.lines().map(|l| (l.to_owned(), json!({"line": [l, {"again": l}]}))).collect();
            (
                "application/json".into(),
                json!({"statusCode": status, "message": "see attributes", "attributes": lines})
                    .to_string()
                    .into_bytes(),
            )
        }
    }
}

fn assert_clean(what: &str, err: &Error, secrets: &[&str]) {
    let seen = format!("{err:?}\n{err}");
    for s in secrets {
        assert!(!seen.contains(s), "{what}: a secret leaked:\n{seen}");
    }
    // Half a secret is a leak too.
    for s in secrets {
        assert!(!seen.contains(&s[..s.len() / 2]), "{what}: part of a secret leaked:\n{seen}");
    }
}

const ECHOES: [Echo; 5] = [Echo::Auth0Json, Echo::OAuthJson, Echo::Html, Echo::Raw, Echo::Nested];

#[tokio::test]
async fn a_token_endpoint_that_echoes_the_request_leaks_no_secret() {
    for status in [400u16, 401, 403, 429, 500, 503] {
        for echo in ECHOES {
            let server = serve(move |req, _| {
                let (ct, body) = echo_body(echo, status, req);
                let mut r = match answer(status, &ct, &body) {
                    Reply::Bytes(b) => b,
                    _ => unreachable!(),
                };
                if status == 429 {
                    // A named wait far beyond the budget: the call stops at once.
                    let head_end = r.windows(2).position(|w| w == b"\r\n").unwrap() + 2;
                    r.splice(head_end..head_end, b"retry-after: 86400\r\n".iter().copied());
                }
                Reply::Bytes(r)
            })
            .await;
            let client = Client::builder()
                .base_url(&server.base)
                .client_credentials("cid", SECRET)
                .retry(RetryConfig::default().backoff(Duration::from_millis(1), Duration::from_millis(2)))
                .build()
                .unwrap();
            let err = client.users().get(&"auth0|1".parse::<UserId>().unwrap()).await.unwrap_err();
            assert!(server.requests().iter().all(|r| r.contains(SECRET)), "the secret was sent (and echoed)");
            assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{err:?}");
            assert_clean(&format!("token {status} {echo:?}"), &err, &[SECRET]);
        }
    }
}

#[tokio::test]
async fn an_api_that_echoes_the_request_leaks_no_token() {
    let jwt = jwt_token();
    for token in [jwt.clone(), TOKEN.to_owned()] {
        for status in [400u16, 401, 403, 404, 409, 429, 500, 502] {
            for echo in ECHOES {
                let t = token.clone();
                let server = serve(move |req, _| {
                    let text = String::from_utf8_lossy(req);
                    if text.starts_with("POST /oauth/token") {
                        let body = json!({"access_token": t, "token_type": "Bearer", "expires_in": 86400, "scope": "read:users"});
                        return answer(200, "application/json", body.to_string().as_bytes());
                    }
                    let (ct, body) = echo_body(echo, status, req);
                    answer(status, &ct, &body)
                })
                .await;
                let client = Client::builder()
                    .base_url(&server.base)
                    .client_credentials("cid", SECRET)
                    .retry(RetryConfig::disabled())
                    .build()
                    .unwrap();
                let err = client.users().get(&"auth0|1".parse::<UserId>().unwrap()).await.unwrap_err();
                assert!(
                    server.requests().iter().any(|r| r.contains(&format!("Bearer {token}"))
                        || r.to_ascii_lowercase().contains(&format!("bearer {}", token.to_ascii_lowercase()))),
                    "the bearer was sent (and echoed)"
                );
                assert_clean(&format!("api {status} {echo:?} {}", &token[..5]), &err, &[SECRET, &token]);
            }
        }
    }
}

#[tokio::test]
async fn a_success_body_that_fails_to_decode_does_not_quote_the_token() {
    let token = jwt_token();
    let t = token.clone();
    let server = serve(move |req, _| {
        if String::from_utf8_lossy(req).starts_with("POST /oauth/token") {
            let body = json!({"access_token": t, "token_type": "Bearer", "expires_in": 86400});
            return answer(200, "application/json", body.to_string().as_bytes());
        }
        // The decoder's message quotes the offending value.
        let body = json!({"user_id": "auth0|1", "logins_count": String::from_utf8_lossy(req)});
        answer(200, "application/json", body.to_string().as_bytes())
    })
    .await;
    let client = Client::builder().base_url(&server.base).client_credentials("cid", SECRET).build().unwrap();
    let err = client.users().get(&"auth0|1".parse::<UserId>().unwrap()).await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert!(err.to_string().contains("logins_count"), "{err}");
    assert_clean("decode", &err, &[SECRET, &token]);
}

#[tokio::test]
async fn a_token_429_with_a_long_wait_keeps_the_oauth_error_and_the_named_wait() {
    let server = serve(|_, _| {
        let body = br#"{"error":"too_many_requests","error_description":"Client quota exceeded"}"#;
        let mut r = format!(
            "HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\nretry-after: 3600\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        r.extend_from_slice(body);
        Reply::Bytes(r)
    })
    .await;
    let client = Client::builder()
        .base_url(&server.base)
        .client_credentials("cid", SECRET)
        .retry(RetryConfig::default().max_total_wait(Duration::from_secs(60)))
        .build()
        .unwrap();
    let err = client.users().get(&"auth0|1".parse::<UserId>().unwrap()).await.unwrap_err();
    let Error::WaitTooLong { operation, wait, max_wait, .. } = &err else { panic!("{err:?}") };
    assert_eq!((*operation, *wait, *max_wait), ("oauth.token", Duration::from_secs(3600), Duration::from_secs(60)));
    let token = err.token_error().expect("the OAuth error is kept");
    assert_eq!(token.error.as_deref(), Some("too_many_requests"));
    assert_eq!(token.error_description.as_deref(), Some("Client quota exceeded"));
    assert_eq!(err.error_code(), Some("too_many_requests"));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert!(err.is_rate_limited() && err.is_retryable());
    let msg = err.to_string();
    assert!(
        msg.contains("3600s") && msg.contains("Client quota exceeded") && msg.contains("maximum wait of 60s"),
        "{msg}"
    );
    assert_eq!(server.requests().len(), 1);
}
