//! Micro-benchmarks (criterion) of the per-call CPU work of `auth0-mgmt`:
//! decoding a users page and a page of every other model, parsing rate-limit headers, validating and encoding ids.
//!
//! ```text
//! cargo bench -p auth0-mgmt --bench micro
//! ```
//!
//! The end-to-end workloads are in `auth0-mgmt-bench/src/bin/bench_load.rs`; figures in `docs/BENCHMARKS.md`.

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use auth0_mgmt::clients::Application;
use auth0_mgmt::connections::Connection;
use auth0_mgmt::grants::Grant;
use auth0_mgmt::logs::Log;
use auth0_mgmt::organizations::{Member, Organization};
use auth0_mgmt::refresh_tokens::RefreshToken;
use auth0_mgmt::resource_servers::ResourceServer;
use auth0_mgmt::roles::Role;
use auth0_mgmt::sessions::Session;
use auth0_mgmt::users::User;
use auth0_mgmt::{Page, RateLimit, UserId};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use reqwest::header::{HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::json;

fn users_page(n: usize) -> Vec<u8> {
    let users: Vec<_> = (0..n)
        .map(|i| {
            json!({
                "user_id": format!("auth0|{i:024x}"),
                "email": format!("user{i}@example.com"),
                "email_verified": i % 2 == 0,
                "name": format!("User {i}"),
                "nickname": format!("user{i}"),
                "picture": "https://s.gravatar.com/avatar/x.png",
                "identities": [{"connection": "Username-Password-Authentication", "user_id": format!("{i:024x}"),
                                "provider": "auth0", "isSocial": false}],
                "app_metadata": {"plan": "pro", "seats": i},
                "user_metadata": {"lang": "en"},
                "created_at": "2023-01-25T19:00:28.395Z",
                "updated_at": "2023-01-25T19:00:28.395Z",
                "last_login": "2023-01-25T19:00:28.395Z",
                "logins_count": i,
                "brand_new_field": {"kept": true}
            })
        })
        .collect();
    serde_json::to_vec(&json!({"start": 0, "limit": n, "length": n, "total": 10_000, "users": users})).unwrap()
}

fn decode(c: &mut Criterion) {
    let body = users_page(100);
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.bench_function("users page of 100 (typed)", |b| {
        b.iter(|| {
            let page: Page<User> = serde_json::from_slice(black_box(&body)).unwrap();
            black_box(page)
        })
    });
    g.bench_function("users page of 100 (serde_json::Value)", |b| {
        b.iter(|| black_box(serde_json::from_slice::<serde_json::Value>(black_box(&body)).unwrap()))
    });
    g.finish();
}

/// A page of 100 items shaped like real traffic for each model (nulls, empty strings,
/// nested objects and one field this crate does not model), under the list key used
/// with `include_totals` (logs: a bare array, as checkpoint walks receive them).
fn model_pages() -> Vec<(&'static str, Vec<u8>)> {
    let page = |key: &str, items: Vec<Value>| {
        serde_json::to_vec(&json!({"start": 0, "limit": 100, "total": 1000, key: items})).unwrap()
    };
    let n = 0..100;
    let logs: Vec<Value> = n
        .clone()
        .map(|i| {
            let id = format!("{:056}", 90020230000000000u128 + i as u128);
            json!({
                "log_id": id, "_id": id, "date": "2024-03-01T10:15:42.123Z", "type": if i % 2 == 0 { "seccft" } else { "s" },
                "description": null, "connection": if i % 2 == 0 { Value::Null } else { json!("Username-Password-Authentication") },
                "connection_id": "", "client_id": "yCaTa3Jtg6Rni9tHKgSWQPGM2Fdhmo6W", "client_name": "Billing worker",
                "ip": "198.51.100.7", "hostname": "acme.eu.auth0.com", "user_id": if i % 2 == 0 { json!("") } else { json!(format!("auth0|{i:024x}")) },
                "user_name": null, "audience": "https://acme.eu.auth0.com/api/v2/", "scope": "read:users update:users",
                "strategy": "", "strategy_type": "", "isMobile": false, "details": null,
                "user_agent": "Chrome 120.0.0 / Mac OS X 10.15.7", "security_context": {"ja3": "771,4865", "ja4": "t13d1516h2"},
                "location_info": {"country_code": "DE", "country_code3": "DEU", "country_name": "Germany", "city_name": "Berlin",
                                  "latitude": 52.52, "longitude": 13.405, "time_zone": "Europe/Berlin", "continent_code": "EU"},
                "organization_id": null, "organization_name": null, "tenant_name": "acme"
            })
        })
        .collect();
    let clients = n.clone().map(|i| json!({
        "client_id": format!("{i:032}"), "tenant": "acme", "name": format!("App {i}"), "description": "", "global": false,
        "app_type": "regular_web", "is_first_party": true, "oidc_conformant": true, "callbacks": ["https://app.example.com/callback"],
        "allowed_origins": [], "web_origins": [], "client_aliases": [], "allowed_clients": [], "allowed_logout_urls": [],
        "grant_types": ["authorization_code", "implicit", "refresh_token", "client_credentials"],
        "jwt_configuration": {"alg": "RS256", "lifetime_in_seconds": 36000, "secret_encoded": false},
        "signing_keys": [{"cert": "-----BEGIN CERTIFICATE-----", "pkcs7": "-----BEGIN PKCS7-----", "subject": "deprecated"}],
        "sso_disabled": false, "cross_origin_authentication": false, "custom_login_page_on": true,
        "token_endpoint_auth_method": "client_secret_post", "is_token_endpoint_ip_header_trusted": false,
        "refresh_token": {"rotation_type": "non-rotating", "expiration_type": "non-expiring", "leeway": 0, "token_lifetime": 2592000,
                          "infinite_token_lifetime": true, "infinite_idle_token_lifetime": true, "idle_token_lifetime": 1296000},
        "organization_usage": "deny", "organization_require_behavior": "no_prompt", "require_pushed_authorization_requests": false,
        "compliance_level": null, "par_request_expiry": null, "callback_url_template": false
    })).collect();
    let connections = n.clone().map(|i| json!({
        "id": format!("con_{i:016}"), "name": format!("conn-{i}"), "display_name": "Customers", "strategy": "auth0",
        "options": {"mfa": {"active": true}, "passwordPolicy": "good", "strategy_version": 2, "brute_force_protection": true},
        "realms": [format!("conn-{i}")], "enabled_clients": ["yCaTa3Jtg6Rni9tHKgSWQPGM2Fdhmo6W"], "is_domain_connection": false,
        "show_as_button": false, "metadata": {}, "authentication": {"active": true}, "connected_accounts": {"active": false}
    })).collect();
    let organizations = n.clone().map(|i| json!({
        "id": format!("org_{i:016}"), "name": format!("org-{i}"), "display_name": format!("Org {i}"),
        "branding": {"logo_url": "https://example.com/logo.png", "colors": {"primary": "#0059d6", "page_background": "#000000"}},
        "metadata": {"tier": "gold", "region": null}
    })).collect();
    let members = n.clone().map(|i| json!({
        "user_id": format!("auth0|{i:024x}"), "email": format!("m{i}@example.com"), "picture": "https://s.gravatar.com/avatar/x.png",
        "name": format!("Member {i}"), "roles": [{"id": "rol_0123456789abcdef", "name": "admin"}]
    })).collect();
    let roles = n
        .clone()
        .map(|i| json!({"id": format!("rol_{i:016}"), "name": format!("role-{i}"), "description": "Support staff"}))
        .collect();
    let grants = n.clone().map(|i| json!({
        "id": format!("{i:024x}"), "clientID": "Z3FKRhWMsXg7iwljDHcNtAkUnCRXYttO", "user_id": format!("auth0|{i:024x}"),
        "audience": "https://acme.eu.auth0.com/userinfo", "scope": ["openid", "profile"]
    })).collect();
    let resource_servers = n.clone().map(|i| json!({
        "id": format!("{i:024x}"), "name": format!("API {i}"), "is_system": false, "identifier": format!("https://api{i}.example.com/"),
        "scopes": [{"value": "read:invoices", "description": "Read invoices"}], "signing_alg": "RS256",
        "allow_offline_access": false, "skip_consent_for_verifiable_first_party_clients": true, "token_lifetime": 86400,
        "token_lifetime_for_web": 7200, "enforce_policies": true, "token_dialect": "access_token_authz",
        "consent_policy": null, "authorization_details": null, "proof_of_possession": null,
        "subject_type_authorization": {"user": {"policy": "allow_all"}, "client": {"policy": "require_client_grant"}}
    })).collect();
    let refresh_tokens = n.clone().map(|i| json!({
        "id": format!("rt_{i:016}"), "user_id": "auth0|63d17c4c5d69f3e86d515d1c", "created_at": "2024-05-01T13:00:30.038Z",
        "idle_expires_at": null, "expires_at": null, "last_exchanged_at": "2024-05-02T08:00:00.000Z",
        "device": {"initial_ip": "198.51.100.7", "initial_asn": "1234", "initial_user_agent": "Chrome", "last_ip": "198.51.100.8",
                   "last_asn": "1234", "last_user_agent": "Chrome"},
        "client_id": "yCaTa3Jtg6Rni9tHKgSWQPGM2Fdhmo6W", "session_id": null, "rotating": false,
        "resource_servers": [{"audience": "https://api.example.com/", "scopes": "openid profile offline_access"}]
    })).collect();
    let sessions = n.map(|i| json!({
        "id": format!("ses_{i:016}"), "user_id": "auth0|63d17c4c5d69f3e86d515d1c", "created_at": "2024-05-01T13:00:30.380Z",
        "updated_at": "2024-05-01T13:00:30.380Z", "authenticated_at": "2024-05-01T13:00:30.380Z", "idle_expires_at": null,
        "expires_at": "2024-05-04T13:00:30.380Z", "last_interacted_at": "2024-05-01T13:00:30.380Z",
        "device": {"initial_ip": "198.51.100.7", "initial_asn": "1234", "initial_user_agent": "Chrome", "last_ip": "198.51.100.8",
                   "last_asn": "1234", "last_user_agent": "Chrome"},
        "clients": [{"client_id": "yCaTa3Jtg6Rni9tHKgSWQPGM2Fdhmo6W"}],
        "authentication": {"methods": [{"name": "pwd", "timestamp": "2024-05-01T13:00:30.380Z"}]}, "cookie": {"mode": "persistent"}
    })).collect();
    vec![
        ("logs", serde_json::to_vec(&Value::Array(logs)).unwrap()),
        ("clients", page("clients", clients)),
        ("connections", page("connections", connections)),
        ("organizations", page("organizations", organizations)),
        ("members", page("members", members)),
        ("roles", page("roles", roles)),
        ("grants", page("grants", grants)),
        ("resource_servers", page("resource_servers", resource_servers)),
        ("refresh_tokens", page("refresh_tokens", refresh_tokens)),
        ("sessions", page("sessions", sessions)),
    ]
}

fn bench_page<T: DeserializeOwned>(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    body: &[u8],
) {
    assert_eq!(serde_json::from_slice::<Page<T>>(body).unwrap().items.len(), 100, "{name}");
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.bench_function(format!("{name} page of 100"), |b| {
        b.iter(|| black_box(serde_json::from_slice::<Page<T>>(black_box(body)).unwrap()))
    });
}

fn decode_models(c: &mut Criterion) {
    let mut g = c.benchmark_group("decode model");
    // The client checks a body is UTF-8 once and decodes it as a `str` (serde_json then
    // skips validating every string again); the pages below use `from_slice` like the
    // users page above, this one shows the client's path.
    let logs = model_pages().remove(0).1;
    g.bench_function("logs page of 100 (as the client decodes: from_utf8 + from_str)", |b| {
        b.iter(|| {
            let text = std::str::from_utf8(black_box(&logs)).unwrap();
            black_box(serde_json::from_str::<Page<Log>>(text).unwrap())
        })
    });
    for (name, body) in model_pages() {
        match name {
            "logs" => bench_page::<Log>(&mut g, name, &body),
            "clients" => bench_page::<Application>(&mut g, name, &body),
            "connections" => bench_page::<Connection>(&mut g, name, &body),
            "organizations" => bench_page::<Organization>(&mut g, name, &body),
            "members" => bench_page::<Member>(&mut g, name, &body),
            "roles" => bench_page::<Role>(&mut g, name, &body),
            "grants" => bench_page::<Grant>(&mut g, name, &body),
            "resource_servers" => bench_page::<ResourceServer>(&mut g, name, &body),
            "refresh_tokens" => bench_page::<RefreshToken>(&mut g, name, &body),
            "sessions" => bench_page::<Session>(&mut g, name, &body),
            other => unreachable!("{other}"),
        }
    }
    g.finish();
}

fn one_user(c: &mut Criterion) {
    let page: serde_json::Value = serde_json::from_slice(&users_page(1)).unwrap();
    let body = serde_json::to_vec(&page["users"][0]).unwrap();
    let mut g = c.benchmark_group("decode one user");
    g.bench_function("typed, serde_path_to_error", |b| {
        b.iter(|| {
            let mut de = serde_json::Deserializer::from_slice(black_box(&body));
            black_box(serde_path_to_error::deserialize::<_, User>(&mut de).unwrap())
        })
    });
    g.bench_function("typed, serde_json", |b| {
        b.iter(|| black_box(serde_json::from_slice::<User>(black_box(&body)).unwrap()))
    });
    g.bench_function("serde_json::Value", |b| {
        b.iter(|| black_box(serde_json::from_slice::<serde_json::Value>(black_box(&body)).unwrap()))
    });
    g.finish();
}

fn token_header(c: &mut Criterion) {
    // A token the size of a Management API token granted many scopes (~1.5 KB).
    let mut scopes: Vec<&str> = auth0_mgmt::catalog::ALL.iter().flat_map(|op| op.scopes.iter().copied()).collect();
    scopes.sort_unstable();
    scopes.dedup();
    let scopes = scopes.repeat(3).join(" ");
    let payload = serde_json::json!({"scope": scopes, "sub": "x@clients", "exp": 4_000_000_000u64}).to_string();
    let raw = format!("eyJhbGciOiJub25lIn0.{}.c2ln", base64_url(&payload));
    let token = auth0_mgmt::AccessToken::new(raw.clone(), None, None);
    let mut g = c.benchmark_group("authorization header per call");
    g.bench_function("clone token + format + HeaderValue", |b| {
        b.iter(|| {
            let t = black_box(&token).clone();
            let mut v = HeaderValue::from_str(&format!("Bearer {}", t.expose_secret())).unwrap();
            v.set_sensitive(true);
            black_box(v)
        })
    });
    let cached = HeaderValue::from_str(&format!("Bearer {raw}")).unwrap();
    g.bench_function("clone a cached HeaderValue", |b| b.iter(|| black_box(black_box(&cached).clone())));
    g.finish();
}

fn base64_url(s: &str) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let b = s.as_bytes();
    let mut out = String::new();
    for ch in b.chunks(3) {
        let n = ch.iter().enumerate().fold(0u32, |acc, (i, &x)| acc | (u32::from(x) << (16 - 8 * i)));
        for i in 0..=ch.len() {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn headers(c: &mut Criterion) {
    let mut h = HeaderMap::new();
    h.insert("x-ratelimit-limit", HeaderValue::from_static("50"));
    h.insert("x-ratelimit-remaining", HeaderValue::from_static("49"));
    h.insert("x-ratelimit-reset", HeaderValue::from_static("1700000000"));
    h.insert("content-type", HeaderValue::from_static("application/json"));
    let now = SystemTime::now();
    c.bench_function("RateLimit::from_headers", |b| b.iter(|| black_box(RateLimit::from_headers(black_box(&h), now))));
}

fn ids(c: &mut Criterion) {
    c.bench_function("UserId::new + path_segment", |b| {
        b.iter(|| black_box(UserId::new(black_box("auth0|63d17c4c5d69f3e86d515d1c")).unwrap().path_segment()))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = decode, decode_models, one_user, token_header, headers, ids
}
criterion_main!(benches);
