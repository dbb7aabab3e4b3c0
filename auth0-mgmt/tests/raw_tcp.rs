//! Malformed answers from a raw TCP server: every one ends in a typed error (or a value),
//! never a panic, and nothing is read past the body limit.

mod common;
mod raw_server;

use std::time::Duration;

use auth0_mgmt::users::CreateUser;
use auth0_mgmt::{Client, Error, RetryConfig, UserId};
use raw_server::{Reply, answer, serve};

fn uid() -> UserId {
    "auth0|1".parse().unwrap()
}

fn client(base: &str) -> Client {
    Client::builder()
        .base_url(base)
        .token(common::jwt("read:users create:users delete:users"))
        .retry(RetryConfig::default().backoff(Duration::from_millis(1), Duration::from_millis(5)))
        .build()
        .unwrap()
}

const USER: &[u8] = br#"{"user_id":"auth0|1","email":"a@b.c"}"#;

#[tokio::test]
async fn an_html_error_page_is_an_api_error_with_a_bounded_snippet() {
    let page = format!("<html><head><title>502 Bad Gateway</title></head><body>{}</body></html>", "x".repeat(100_000));
    let server = serve(move |_, _| answer(502, "text/html", page.as_bytes())).await;
    let err = client(&server.base).users().get(&uid()).await.unwrap_err();
    let api = err.api().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(api.status.as_u16(), 502);
    assert_eq!(api.attempts, 4, "a GET is retried after a 502");
    let raw = api.raw_body.as_deref().unwrap();
    assert!(raw.starts_with("<html><head><title>502 Bad Gateway"), "{raw}");
    assert!(raw.len() <= 2048, "{}", raw.len());
    assert!(err.to_string().starts_with("502 Bad Gateway: non-JSON body: <html>"), "{err}");
}

#[tokio::test]
async fn an_empty_or_non_json_success_body_is_a_decode_error() {
    for body in [&b""[..], b"<html>ok</html>", b"{\"user_id\": ", b"null", b"[]"] {
        let b = body.to_vec();
        let server = serve(move |_, _| answer(200, "application/json", &b)).await;
        let err = client(&server.base).users().get(&uid()).await.unwrap_err();
        let Error::Decode(d) = &err else { panic!("{:?}: {err:?}", String::from_utf8_lossy(body)) };
        assert_eq!(d.status.as_u16(), 200);
    }
}

#[tokio::test]
async fn a_truncated_body_is_a_transport_error_retried_only_for_get() {
    let truncated = || {
        let mut b = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n".to_vec();
        b.extend_from_slice(b"{\"user_id\":");
        Reply::Bytes(b)
    };
    let server = serve(move |_, _| truncated()).await;
    let err = client(&server.base).users().get(&uid()).await.unwrap_err();
    assert!(matches!(err, Error::Transport { attempts: 4, .. }), "{err:?}");
    assert!(err.to_string().contains("response body could not be read"), "{err}");
    assert_eq!(server.requests().len(), 4);

    let server = serve(move |_, _| truncated()).await;
    let err = client(&server.base).users().create(&CreateUser::new("db").email("a@b.c")).await.unwrap_err();
    assert!(matches!(err, Error::Transport { attempts: 1, .. }), "{err:?}");
    assert_eq!(server.requests().len(), 1, "a POST is never sent twice");
}

#[tokio::test]
async fn a_content_length_shorter_than_the_body_cuts_it_to_a_decode_error() {
    let server = serve(|_, _| {
        let mut b =
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 5\r\nconnection: close\r\n\r\n"
                .to_vec();
        b.extend_from_slice(USER);
        Reply::Bytes(b)
    })
    .await;
    let err = client(&server.base).users().get(&uid()).await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
}

#[tokio::test]
async fn a_content_length_over_the_limit_is_refused_before_reading() {
    let server = serve(|_, _| Reply::Stream {
        head: "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 200000000\r\n\r\n".into(),
        total: 200_000_000,
    })
    .await;
    let err = client(&server.base).users().get(&uid()).await.unwrap_err();
    let Error::BodyTooLarge { limit, content_length, status, operation } = &err else { panic!("{err:?}") };
    assert_eq!(
        (*limit, *content_length, status.as_u16(), *operation),
        (8 * 1024 * 1024, Some(200_000_000), 200, "users.get")
    );
    assert!(!err.is_retryable());
    assert_eq!(server.requests().len(), 1, "not retried");
    assert!(err.to_string().contains("larger than the limit of 8388608 bytes"), "{err}");
}

#[tokio::test]
async fn an_endless_body_without_length_is_refused_at_the_limit() {
    let server = serve(|_, _| Reply::Endless {
        head: "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".into(),
    })
    .await;
    let c = Client::builder()
        .base_url(&server.base)
        .token(common::jwt("read:users"))
        .max_response_body(1024 * 1024)
        .build()
        .unwrap();
    let err = c.users().get(&uid()).await.unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { limit: 1_048_576, content_length: None, .. }), "{err:?}");
    // A list page too (the body of every decoded call goes through the same read).
    let err = c.users().list().per_page(10).send().await.unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { .. }), "{err:?}");
}

#[tokio::test]
async fn a_huge_error_body_keeps_only_a_snippet() {
    let server = serve(|_, _| Reply::Stream {
        head: "HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\ncontent-length: 50000000\r\n\r\n".into(),
        total: 50_000_000,
    })
    .await;
    let err = client(&server.base).users().get(&uid()).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(err.api().unwrap().raw_body.as_ref().unwrap().len() <= 2048);
}

#[tokio::test]
async fn garbage_status_lines_and_headers_are_transport_errors_or_ignored() {
    // Not HTTP at all.
    let server = serve(|_, _| Reply::Bytes(b"SSH-2.0-OpenSSH_9.6\r\n\r\n".to_vec())).await;
    let err = client(&server.base).users().get(&uid()).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    // Hostile rate-limit headers on a success: parsed (or ignored), never a panic.
    let server = serve(|_, _| {
        let mut b = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-ratelimit-limit: -1\r\nx-ratelimit-remaining: 18446744073709551616\r\nx-ratelimit-reset: 18446744073709551615\r\nretry-after: \xff\xfe\r\nconnection: close\r\n".to_vec();
        b.extend_from_slice(format!("content-length: {}\r\n\r\n", USER.len()).as_bytes());
        b.extend_from_slice(USER);
        Reply::Bytes(b)
    })
    .await;
    let user = client(&server.base).users().get(&uid()).await.unwrap();
    assert_eq!(user.user_id, "auth0|1");
}

#[tokio::test]
async fn a_hang_up_before_any_answer_is_retried_only_for_get() {
    let server = serve(|_, _| Reply::HangUp).await;
    let err = client(&server.base).users().delete(&uid()).await.unwrap_err();
    assert!(matches!(err, Error::Transport { attempts: 4, .. }), "{err:?}");
    let server = serve(|_, _| Reply::HangUp).await;
    let err = client(&server.base).users().create(&CreateUser::new("db")).await.unwrap_err();
    assert!(matches!(err, Error::Transport { attempts: 1, .. }), "{err:?}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_redirect_answer_is_a_typed_error_and_is_not_followed() {
    let target = serve(|_, _| answer(200, "application/json", USER)).await;
    let to = format!("{}/api/v2/users/auth0%7C1?x=secret-query", target.base);
    let server = serve(move |_, _| {
        Reply::Bytes(
            format!("HTTP/1.1 307 Temporary Redirect\r\nlocation: {to}\r\ncontent-length: 0\r\n\r\n").into_bytes(),
        )
    })
    .await;
    let err = client(&server.base).users().get(&uid()).await.unwrap_err();
    let Error::Redirect { status, location, followed, .. } = &err else { panic!("{err:?}") };
    assert_eq!(status.as_u16(), 307);
    assert!(!followed);
    let location = location.as_deref().unwrap();
    assert!(location.starts_with(&target.base) && !location.contains("secret-query"), "{location}");
    assert!(target.requests().is_empty(), "the SDK's own client never follows a redirect");
}

#[tokio::test]
async fn a_one_shot_request_body_still_goes_with_its_content_length() {
    let server = serve(|_, _| answer(201, "application/json", USER)).await;
    client(&server.base).users().create(&CreateUser::new("db").email("a@b.c")).await.unwrap();
    let req = server.requests().remove(0).to_ascii_lowercase();
    assert!(req.contains("content-length: ") && !req.contains("transfer-encoding"), "{req}");
    assert!(req.ends_with(r#"{"connection":"db","email":"a@b.c"}"#), "{req}");
}
