//! Secrets never show in Debug output, errors or traces. (Servers that echo the request
//! into error answers: `secrets_echo.rs`. This file holds one test: the tracing
//! subscriber it installs must not race other tests' spans.)

mod common;

use auth0_mgmt::{AccessToken, Client, Request, UserId, catalog};
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

const SECRET: &str = "SECRET-7d1f0c2a9b";
const TOKEN: &str = "TOKEN-e83b51a0ff";

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_secret_in_debug_errors_or_traces() {
    let buf = Buf::default();
    let writer = buf.clone();
    let subscriber =
        tracing_subscriber::fmt().with_max_level(tracing::Level::TRACE).with_writer(move || writer.clone()).finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = common::server().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": TOKEN, "token_type": "Bearer", "expires_in": 86400})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"statusCode":404,"error":"Not Found","message":"The user does not exist.","errorCode":"inexistent_user"})))
        .mount(&server)
        .await;
    let builder = Client::builder().base_url(server.uri()).client_credentials("cid", SECRET);
    let mut seen = format!("{builder:?}");
    let client = builder.build().unwrap();
    seen += &format!("{client:?}");
    let err = client.users().get(&"auth0|1".parse::<UserId>().unwrap()).await.unwrap_err();
    seen += &format!("{err:?} {err}");
    seen += &format!("{client:?}");
    seen += &format!("{:?}", AccessToken::new(TOKEN, None, None));
    let req = Request::new(&catalog::USERS_CREATE).json(&json!({"password": SECRET})).unwrap();
    seen += &format!("{req:?}");
    let create = auth0_mgmt::users::CreateUser::new("db").password(SECRET);
    seen += &format!("{create:?}");

    // A failed mint keeps neither the secret nor the request body.
    let server2 = common::server().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"error":"access_denied","error_description":"Unauthorized"})),
        )
        .mount(&server2)
        .await;
    let c2 = Client::builder().base_url(server2.uri()).client_credentials("cid", SECRET).build().unwrap();
    let err = c2.users().get(&"auth0|1".parse::<UserId>().unwrap()).await.unwrap_err();
    seen += &format!("{err:?} {err}");

    seen += &String::from_utf8_lossy(&buf.0.lock().unwrap());
    assert!(seen.contains("auth0_mgmt.request"), "traces were captured");
    assert!(!seen.contains(SECRET), "client secret leaked:\n{seen}");
    assert!(!seen.contains(TOKEN), "access token leaked:\n{seen}");
}
