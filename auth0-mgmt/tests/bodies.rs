//! No server input panics the client: every odd body is a typed error.

mod common;

use auth0_mgmt::{Error, UserId};
use wiremock::matchers::method;
use wiremock::{Mock, ResponseTemplate};

fn uid() -> UserId {
    "auth0|1".parse().unwrap()
}

async fn get_with(template: ResponseTemplate) -> Error {
    let server = common::server().await;
    Mock::given(method("GET")).respond_with(template).mount(&server).await;
    common::builder(&server)
        .retry(auth0_mgmt::RetryConfig::disabled())
        .build()
        .unwrap()
        .users()
        .get(&uid())
        .await
        .unwrap_err()
}

#[tokio::test]
async fn success_bodies_that_do_not_decode_are_decode_errors_naming_the_path() {
    let cases: &[(&str, &str)] = &[
        ("<html><body>Login</body></html>", "."),
        ("", "."),
        (r#"{"user_id":"auth0|1","email":"a@b.c","identities":[{"provider":"auth0"#, "identities[0].provider"),
        (r#"{"user_id":"auth0|1","logins_count":99999999999999999999999999}"#, "logins_count"),
        (r#"{"user_id":"auth0|1","logins_count":-1}"#, "logins_count"),
        (r#"{"user_id":"auth0|1","identities":[{"isSocial":"yes"}]}"#, "identities[0].isSocial"),
        (r#"{"user_id":".."}"#, "user_id"),
        ("null", "."),
        ("[]", "."),
    ];
    for (body, want_path) in cases {
        let err = get_with(ResponseTemplate::new(200).set_body_string(*body)).await;
        let Error::Decode(d) = &err else { panic!("{body}: {err:?}") };
        assert_eq!(d.path, *want_path, "{body}: {d}");
        assert_eq!(d.status.as_u16(), 200);
    }
}

#[tokio::test]
async fn error_bodies_keep_status_and_raw_text() {
    let err = get_with(ResponseTemplate::new(502).set_body_string("<html><h1>502 Bad Gateway</h1></html>")).await;
    let api = err.api().unwrap();
    assert_eq!(api.status.as_u16(), 502);
    assert!(api.raw_body.as_deref().unwrap().contains("502 Bad Gateway"));
    assert!(err.to_string().starts_with("502 Bad Gateway: non-JSON body:"), "{err}");

    let err = get_with(ResponseTemplate::new(404)).await;
    assert!(err.is_not_found());
    assert_eq!(err.to_string(), "404 Not Found: empty body");

    let err = get_with(ResponseTemplate::new(400).set_body_string(r#"{"statusCode":400,"error":"Bad Re"#)).await;
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert!(err.api().unwrap().raw_body.is_some());

    let err = get_with(ResponseTemplate::new(403).set_body_string(r#"{"statusCode":403,"error":"Forbidden","message":"Insufficient scope, expected any of: read:users","errorCode":"insufficient_scope"}"#)).await;
    assert_eq!(err.error_code(), Some("insufficient_scope"));

    // Control characters and escapes in a raw body do not reach the error text.
    let err = get_with(ResponseTemplate::new(500).set_body_string("oops\u{1b}[31m\u{0}")).await;
    assert!(!err.to_string().contains('\u{1b}') && !err.to_string().contains('\u{0}'), "{err:?}");
}

#[tokio::test]
async fn unknown_error_codes_are_kept() {
    let err = get_with(
        ResponseTemplate::new(409)
            .set_body_string(r#"{"statusCode":409,"error":"Conflict","message":"x","errorCode":"HookDoesNotExist"}"#),
    )
    .await;
    assert_eq!(err.error_code(), Some("HookDoesNotExist"));
}
