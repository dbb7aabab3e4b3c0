//! The real client against the fake tenant: users round-trip, paging, scopes, rate
//! limits and injected faults surface as the client's typed errors.
//!
//! This file doubles as the example of testing your own code with the fake tenant:
//! start it, point `Client::builder().base_url(..)` at it with its credentials, and
//! assert on `tenant.requests()` / `tenant.counters()`.

use std::time::Duration;

use auth0_mgmt::users::{CreateUser, UpdateUser};
use auth0_mgmt::{Client, Error, MetadataPatch, RetryConfig, UserId};
use auth0_mgmt_fake::{FakeTenant, Faults, RateLimit, Seed};
use futures::TryStreamExt;
use serde_json::json;

fn client_for(tenant: &FakeTenant) -> Client {
    Client::builder()
        .base_url(tenant.base_url())
        .client_credentials(tenant.client_id(), tenant.client_secret())
        .retry(RetryConfig::default().backoff(Duration::from_millis(1), Duration::from_millis(20)))
        .build()
        .expect("client")
}

#[tokio::test]
async fn users_round_trip_through_the_fake_tenant() {
    let tenant = FakeTenant::builder().seed(Seed::empty()).start().await.unwrap();
    let client = client_for(&tenant);

    let created = client
        .users()
        .create(&CreateUser::new("Username-Password-Authentication").email("ada@example.com").password("S3cret!pass"))
        .await
        .unwrap();
    assert_eq!(created.email.as_deref(), Some("ada@example.com"));
    let id = created.user_id.clone();

    let got = client.users().get(&id).await.unwrap();
    assert_eq!(got.user_id, id);

    let found = client.users().list_by_email("ada@example.com").await.unwrap();
    assert_eq!(found.len(), 1);

    let changes =
        UpdateUser::new().app_metadata(MetadataPatch::new().set("plan", "pro").set("seats", 5)).nickname("ada");
    client.users().update(&id, &changes).await.unwrap();
    let changes = UpdateUser::new().app_metadata(MetadataPatch::new().remove("seats"));
    let updated = client.users().update(&id, &changes).await.unwrap();
    assert_eq!(updated.app_metadata.unwrap(), json!({"plan": "pro"}).as_object().unwrap().clone());
    assert_eq!(updated.nickname.as_deref(), Some("ada"));

    client.users().delete(&id).await.unwrap();
    client.users().delete(&id).await.unwrap(); // idempotent
    assert!(client.users().get_opt(&id).await.unwrap().is_none());

    // The exact encoded path reached the tenant; one token was minted.
    let path = format!("/api/v2/users/{}", id.path_segment());
    assert!(tenant.requests().iter().any(|r| r.method == "DELETE" && r.path == path));
    assert_eq!(tenant.counters().token_mints, 1);
}

#[tokio::test]
async fn the_user_stream_pages_through_the_fake_and_stops_at_the_1000_cap() {
    let tenant = FakeTenant::builder().seed(Seed::empty().users(1200)).start().await.unwrap();
    let client = client_for(&tenant);
    let mut stream = client.users().list().per_page(100).stream();
    let mut n = 0;
    let err = loop {
        match stream.try_next().await {
            Ok(Some(_)) => n += 1,
            Ok(None) => panic!("must not end silently"),
            Err(e) => break e,
        }
    };
    assert_eq!(n, 1000);
    assert!(matches!(err, Error::PagingLimit { total: Some(1200), .. }), "{err:?}");

    // A listing under the cap ends normally.
    let tenant = FakeTenant::builder().seed(Seed::empty().users(250)).start().await.unwrap();
    let client = client_for(&tenant);
    let all: Vec<_> = client.users().list().per_page(100).stream().try_collect().await.unwrap();
    assert_eq!(all.len(), 250);
    let pages = tenant.requests().iter().filter(|r| r.path == "/api/v2/users").count();
    assert_eq!(pages, 3);
}

#[tokio::test]
async fn a_missing_scope_is_auth0s_403() {
    let tenant = FakeTenant::builder().granted_scopes(["read:users"]).start().await.unwrap();
    let client = client_for(&tenant);
    assert!(client.granted_scopes().await.unwrap().contains("read:users"));
    let id: UserId = tenant.user_ids()[0].parse().unwrap();
    let err = client.users().delete(&id).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
    assert_eq!(err.error_code(), Some("insufficient_scope"));
}

#[tokio::test]
async fn rate_limits_are_ridden_out() {
    let tenant =
        FakeTenant::builder().seed(Seed::empty().users(5)).rate_limit(RateLimit::new(5, 50.0)).start().await.unwrap();
    let client = client_for(&tenant);
    let id: UserId = tenant.user_ids()[0].parse().unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (c, id) = (client.clone(), id.clone());
            tokio::spawn(async move {
                for _ in 0..10 {
                    c.users().get(&id).await?;
                }
                Ok::<_, Error>(())
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let stats = client.rate_limit_stats();
    assert_eq!(stats.estimated_limit, Some(5), "the pacer learned the bucket size: {stats:?}");
    // Every 429 the tenant sent was seen (and retried) by the client.
    assert_eq!(stats.throttled, tenant.counters().rate_limited);
}

#[tokio::test]
async fn injected_faults_surface_as_typed_errors_and_writes_are_never_doubled() {
    let tenant = FakeTenant::builder()
        .seed(Seed::empty().users(3))
        .faults(Faults {
            error_rate: 0.3,
            bad_gateway_rate: 0.1,
            drop_rate: 0.1,
            malformed_rate: 0.1,
            seed: Some(7),
            ..Default::default()
        })
        .start()
        .await
        .unwrap();
    let client = Client::builder()
        .base_url(tenant.base_url())
        .client_credentials(tenant.client_id(), tenant.client_secret())
        .retry(RetryConfig::default().max_retries(1).backoff(Duration::from_millis(1), Duration::from_millis(2)))
        .build()
        .unwrap();
    let id: UserId = tenant.user_ids()[0].parse().unwrap();
    let (mut ok, mut failed) = (0, 0);
    let mut kinds = std::collections::BTreeSet::new();
    for i in 0..60 {
        let result = if i % 3 == 0 {
            client
                .users()
                .create(
                    &CreateUser::new("Username-Password-Authentication")
                        .email(format!("u{i}@example.com"))
                        .password("S3cret!pass"),
                )
                .await
                .map(|_| ())
        } else {
            client.users().get(&id).await.map(|_| ())
        };
        match result {
            Ok(()) => ok += 1,
            Err(e) => {
                failed += 1;
                kinds.insert(match e {
                    Error::Api(_) => "api",
                    Error::Transport { .. } => "transport",
                    Error::Decode(_) => "decode",
                    _ => "other",
                });
            }
        }
    }
    assert!(ok > 0 && failed > 0, "ok {ok}, failed {failed}");
    assert!(kinds.contains("api") && kinds.contains("decode"), "{kinds:?}");
    assert!(!kinds.contains("other"), "{kinds:?}");
    // Each create the client sent was sent once: POSTs received == creates attempted
    // minus those refused before sending (none here).
    let posts = tenant.requests().iter().filter(|r| r.method == "POST" && r.path == "/api/v2/users").count();
    assert_eq!(posts, 20, "a POST is never sent twice");
}
