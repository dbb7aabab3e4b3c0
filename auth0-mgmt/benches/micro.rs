//! Micro-benchmarks (criterion) of the per-call CPU work of `auth0-mgmt`:
//! decoding a users page, parsing rate-limit headers, validating and encoding ids.
//!
//! ```text
//! cargo bench -p auth0-mgmt --bench micro
//! ```
//!
//! The end-to-end workloads are in `examples/bench_load.rs`; figures in `docs/BENCHMARKS.md`.

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use auth0_mgmt::users::User;
use auth0_mgmt::{Page, RateLimit, UserId};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use reqwest::header::{HeaderMap, HeaderValue};
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
    targets = decode, one_user, token_header, headers, ids
}
criterion_main!(benches);
