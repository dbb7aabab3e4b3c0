//! Shared helpers for the integration tests (plain reqwest, loopback only).
#![allow(dead_code)]

use auth0_mgmt_fake::{FakeTenant, FakeTenantBuilder};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

pub struct Api {
    pub tenant: FakeTenant,
    pub http: reqwest::Client,
    pub token: String,
}

pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

pub async fn mint(tenant: &FakeTenant, http: &reqwest::Client) -> String {
    let body = json!({
        "grant_type": "client_credentials",
        "client_id": tenant.client_id(),
        "client_secret": tenant.client_secret(),
        "audience": tenant.audience(),
    });
    let r = raw(http, "POST", &format!("{}/oauth/token", tenant.base_url()), None, Some(body))
        .await
        .expect("token request");
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["access_token"].as_str().unwrap().to_string()
}

pub async fn raw(
    http: &reqwest::Client,
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> reqwest::Result<Resp> {
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut rb = http.request(m, url);
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    if let Some(b) = body {
        rb = rb.header("content-type", "application/json").body(serde_json::to_vec(&b).unwrap());
    }
    let resp = rb.send().await?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await?;
    let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::Null) };
    Ok(Resp { status, headers, body, text })
}

impl Api {
    pub async fn start(builder: FakeTenantBuilder) -> Api {
        let tenant = builder.start().await.expect("start fake");
        let http = reqwest::Client::new();
        let token = mint(&tenant, &http).await;
        Api { tenant, http, token }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v2{}", self.tenant.base_url(), path)
    }

    pub async fn try_call(&self, method: &str, path: &str, body: Option<Value>) -> reqwest::Result<Resp> {
        raw(&self.http, method, &self.url(path), Some(&self.token), body).await
    }

    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        self.try_call(method, path, body).await.expect("request failed")
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.call("GET", path, None).await
    }
}

pub fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}
