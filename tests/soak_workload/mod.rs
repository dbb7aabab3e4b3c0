//! The fault soak workload, shared by `tests/soak.rs`, `tests/secret_sweep.rs` and
//! `examples/bench_soak.rs`.
//!
//! A fake tenant with 5% 503s, a few 502s, dropped connections (before *and after* a
//! write is applied), truncated bodies, random latency and a tight rate limit; `calls`
//! mixed calls (reads, creates, updates, deletes) with `in_flight` at a time through one
//! client. Every call's outcome is classified; the tenant's counters are kept for the
//! invariants (writes applied, POSTs re-sent). Bounded: a fixed number of calls, each
//! with a request timeout and a maximum wait, and an overall deadline.
#![allow(dead_code)] // each includer uses a part

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use auth0_mgmt::users::{CreateUser, UpdateUser};
use auth0_mgmt::{Client, Error, MetadataPatch, RetryConfig, UserId};
use auth0_mgmt_fake::{Counters, FakeTenant, Faults, RateLimit, Seed};
use futures::StreamExt;

/// What to run.
#[derive(Clone, Debug)]
pub struct SoakConfig {
    pub calls: usize,
    pub in_flight: usize,
    pub client_id: String,
    pub client_secret: String,
    pub seed: u64,
    /// Overall deadline; the soak fails (rather than hangs) past it.
    pub deadline: Duration,
}

impl Default for SoakConfig {
    fn default() -> Self {
        SoakConfig {
            calls: 5_000,
            in_flight: 64,
            client_id: "soak-client-id".into(),
            client_secret: "soak-client-secret".into(),
            seed: 7,
            deadline: Duration::from_secs(120),
        }
    }
}

/// The kind of a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Get,
    List,
    Create,
    Update,
    Delete,
}

/// How one call ended.
#[derive(Debug)]
pub struct Outcome {
    pub kind: Kind,
    /// `Ok` (with a one-line summary) or the typed error.
    pub result: Result<String, Error>,
    /// For creates: the unique email sent.
    pub email: Option<String>,
}

/// Everything the invariants need.
pub struct SoakReport {
    pub outcomes: Vec<Outcome>,
    pub counters: Counters,
    pub wall: Duration,
    pub tenant: Arc<FakeTenant>,
    /// `(kind, result class)` → count, for printing.
    pub summary: BTreeMap<String, usize>,
    /// The client's pacer at the end.
    pub pacer: auth0_mgmt::PacerStats,
}

/// The tenant the soak runs against.
pub async fn tenant(cfg: &SoakConfig) -> FakeTenant {
    FakeTenant::builder()
        .client_credentials(cfg.client_id.clone(), cfg.client_secret.clone())
        .seed(Seed::empty().users(600).random_seed(cfg.seed))
        .rate_limit(RateLimit::new(10, 600.0))
        .faults(Faults {
            error_rate: 0.05,
            bad_gateway_rate: 0.01,
            drop_rate: 0.02,
            malformed_rate: 0.01,
            latency: Some(Duration::ZERO..Duration::from_millis(3)),
            include_token_endpoint: false,
            seed: Some(cfg.seed),
        })
        .start()
        .await
        .expect("tenant")
}

/// A client for the soak: fast backoff, a request timeout and a maximum wait.
pub fn client(tenant: &FakeTenant, cfg: &SoakConfig) -> Client {
    Client::builder()
        .base_url(tenant.base_url())
        .client_credentials(cfg.client_id.clone(), cfg.client_secret.clone())
        .timeout(Some(Duration::from_secs(10)))
        .retry(
            RetryConfig::default()
                .backoff(Duration::from_millis(5), Duration::from_millis(200))
                .max_total_wait(Duration::from_secs(20)),
        )
        .build()
        .expect("client")
}

fn class(r: &Result<String, Error>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(e) => match e {
            Error::Api(a) => format!("api {}", a.status.as_u16()),
            Error::Transport { .. } => "transport".into(),
            Error::Decode(_) => "decode".into(),
            Error::WaitTooLong { .. } => "wait too long".into(),
            Error::Token(_) => "token".into(),
            Error::Denied(_) => "denied".into(),
            other => format!("other: {other}"),
        },
    }
}

/// Runs `cfg.calls` mixed calls through `client` against `tenant`.
pub async fn run(tenant: FakeTenant, client: Client, cfg: &SoakConfig) -> SoakReport {
    let ids: Arc<Vec<UserId>> = Arc::new(tenant.user_ids().into_iter().map(|s| s.parse().unwrap()).collect());
    let created = Arc::new(AtomicUsize::new(0));
    let rng_seed = cfg.seed;
    let started = Instant::now();
    let tenant = Arc::new(tenant);
    let calls = futures::stream::iter(0..cfg.calls)
        .map(|i| {
            let (client, ids, created) = (client.clone(), ids.clone(), created.clone());
            let mut rng = fastrand_like(rng_seed, i as u64);
            tokio::spawn(async move {
                let id = ids[(rng % ids.len() as u64) as usize].clone();
                rng /= ids.len() as u64;
                match rng % 100 {
                    0..=29 => Outcome {
                        kind: Kind::Get,
                        result: client.users().get(&id).await.map(|u| u.user_id.to_string()),
                        email: None,
                    },
                    30..=39 => Outcome {
                        kind: Kind::List,
                        result: client
                            .users()
                            .list()
                            .page(rng % 10)
                            .per_page(20)
                            .send()
                            .await
                            .map(|p| format!("{} users", p.items.len())),
                        email: None,
                    },
                    40..=64 => {
                        let n = created.fetch_add(1, Ordering::Relaxed);
                        let email = format!("soak-{n}@example.com");
                        let body = CreateUser::new("Username-Password-Authentication")
                            .email(email.clone())
                            .password("S0ak!passw0rd");
                        Outcome {
                            kind: Kind::Create,
                            result: client.users().create(&body).await.map(|u| u.user_id.to_string()),
                            email: Some(email),
                        }
                    }
                    65..=84 => {
                        let changes = UpdateUser::new().app_metadata(MetadataPatch::new().set("soak", i as u64));
                        Outcome {
                            kind: Kind::Update,
                            result: client.users().update(&id, &changes).await.map(|u| u.user_id.to_string()),
                            email: None,
                        }
                    }
                    _ => Outcome {
                        kind: Kind::Delete,
                        result: client.users().delete(&id).await.map(|()| "deleted".into()),
                        email: None,
                    },
                }
            })
        })
        .buffer_unordered(cfg.in_flight)
        .collect::<Vec<_>>();
    let joined = tokio::time::timeout(cfg.deadline, calls).await.expect("the soak finished before its deadline");
    let wall = started.elapsed();
    let outcomes: Vec<Outcome> = joined.into_iter().map(|j| j.expect("no call panicked")).collect();
    let mut summary = BTreeMap::new();
    for o in &outcomes {
        *summary.entry(format!("{:?} {}", o.kind, class(&o.result))).or_insert(0) += 1;
    }
    let pacer = client.rate_limit_stats();
    SoakReport { counters: tenant.counters(), outcomes, wall, tenant, summary, pacer }
}

/// A deterministic per-call pseudo-random number (splitmix64 of seed and index).
fn fastrand_like(seed: u64, i: u64) -> u64 {
    let mut z = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(i.wrapping_mul(0xBF58_476D_1CE4_E5B9));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Checks the soak's invariants; returns a printable summary.
pub fn check(report: &SoakReport, cfg: &SoakConfig) -> String {
    assert_eq!(report.outcomes.len(), cfg.calls, "every call resolved");
    let c = &report.counters;
    let count = |k: Kind| report.outcomes.iter().filter(|o| o.kind == k).count() as u64;
    let ok = |k: Kind| report.outcomes.iter().filter(|o| o.kind == k && o.result.is_ok()).count() as u64;
    let writes = count(Kind::Create) + count(Kind::Update) + count(Kind::Delete);
    // Each write call is applied at most once…
    assert!(c.writes_applied <= writes, "{} writes applied for {writes} write calls", c.writes_applied);
    // …and every successful create or update was applied.
    assert!(c.writes_applied >= ok(Kind::Create) + ok(Kind::Update), "{c:?}");
    // No POST applied twice: each create has a unique email, so a create re-sent after
    // it was applied would come back 409 (duplicate), and the tenant would hold it once.
    for o in report.outcomes.iter().filter(|o| o.kind == Kind::Create) {
        if let Err(e) = &o.result {
            assert_ne!(e.status().map(|s| s.as_u16()), Some(409), "a create was re-sent after it was applied: {e}");
        }
    }
    let posts_after_drop = report.outcomes.iter().filter(|o| o.kind == Kind::Create && o.result.is_err()).count();
    // Every error is typed and prints.
    for o in &report.outcomes {
        if let Err(e) = &o.result {
            assert!(!e.to_string().is_empty());
            assert!(
                matches!(e, Error::Api(_) | Error::Transport { .. } | Error::Decode(_) | Error::WaitTooLong { .. }),
                "unexpected error kind: {e:?}"
            );
        }
    }
    // The soak met every fault it was meant to meet, and the rate limit (as 429s, or as
    // waits of a pacer that avoided them).
    assert!(c.faults_503 > 0 && c.faults_dropped > 0 && c.faults_latency > 0, "{c:?}");
    assert!(c.rate_limited > 0 || report.pacer.waits > 0, "{c:?} {:?}", report.pacer);
    format!(
        "{} calls in {:.1} s; tenant: {} requests, {} writes applied, {} 503s, {} 502s, {} dropped ({} after a write), \
         {} truncated, {} 429s, {} token mints; failed creates {}; pacer {:?}; outcomes {:?}",
        report.outcomes.len(),
        report.wall.as_secs_f64(),
        c.requests,
        c.writes_applied,
        c.faults_503,
        c.faults_502,
        c.faults_dropped,
        c.drops_after_write,
        c.faults_malformed,
        c.rate_limited,
        c.token_mints,
        posts_after_drop,
        report.pacer,
        report.summary
    )
}
