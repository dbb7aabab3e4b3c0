//! Micro-benchmarks (criterion) of the per-call CPU work of `auth0-mgmt`:
//! decoding a users page, parsing rate-limit headers, validating and encoding ids.
//!
//! ```text
//! cargo bench --bench micro
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
    targets = decode, headers, ids
}
criterion_main!(benches);
