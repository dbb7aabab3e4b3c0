//! The main job: what the product is for, in a few seconds.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! With no environment variables it starts the built-in fake tenant (offline) and walks
//! through: minting a token, streaming users across pages, tailing logs from a
//! checkpoint, an agent under a policy (a read and a profile edit allowed, an
//! `app_metadata` change denied before anything is sent, a delete that waits for a
//! human's approval and then runs exactly once), riding out a rate limit, and the audit
//! trail in plain English, hash-chained and verified.
//!
//! With `AUTH0_DOMAIN`, `AUTH0_CLIENT_ID` and `AUTH0_CLIENT_SECRET` set, it runs the
//! read-only part against that real tenant: no write is made (the denied change and the
//! delete awaiting approval are stopped locally and never sent; nothing is approved).

use std::error::Error;
use std::sync::Arc;
use std::time::Instant;

use auth0_mgmt::users::{CreateUser, UpdateUser};
use auth0_mgmt::{Client, MetadataPatch};
use auth0_mgmt_fake::{FakeTenant, RateLimit, Seed};
use auth0_mgmt_policy::{
    ApprovalStore, Approvals, AuditDecision, AuditSink, Guard, GuardedClient, JsonLinesSink, MemorySink, Policy,
    SqliteApprovalStore, Tee, chain,
};
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

/// The policy the quickstart's agent runs under: read and edit users' profiles, read
/// logs; deleting a user needs a human's approval; nothing else.
const POLICY: &str = r#"
schema_version = 1

[guardrails]
protected_users = ["auth0|break-glass-0001"]

[approvals]
approvers = ["alice@acme.test"]

[agents.support-bot]
description = "Answers support tickets"
resources = { users = "full", logs = "read" }
approve = ["delete_users"]
limits = { calls_per_minute = 600, writes_per_hour = 30 }
"#;

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
    let (mut n, mut sample) = (0usize, Vec::new());
    while let Some(user) = users.try_next().await? {
        if sample.len() < 3 {
            sample.push(user.clone());
        }
        n += 1;
        if tenant.is_none() && n >= 200 {
            break; // a real tenant may be large; this is a tour
        }
    }
    println!(
        "{n} users in {} ms, e.g. {}",
        started.elapsed().as_millis(),
        sample
            .iter()
            .map(|u| format!("{} <{}>", u.user_id, u.email.as_deref().unwrap_or("-")))
            .collect::<Vec<_>>()
            .join(", ")
    );

    heading(3, "Tail the logs from a saved checkpoint (checkpoint paging, forward in time)");
    // Save a checkpoint: the newest event now. A SIEM exporter would persist this id.
    let checkpoint = client.logs().newest().await?.map(|l| l.log_id);
    if let Some(tenant) = tenant {
        // Something happens on the tenant: three users are created (each write is a `sapi` event).
        for i in 0..3 {
            let user = CreateUser::new("Username-Password-Authentication")
                .email(format!("quickstart.{i}@example.com"))
                .password("Quickstart-Passw0rd!");
            client.users().create(&user).await?;
        }
        let _ = tenant;
    }
    let tail = client.logs().tail();
    let tail = match &checkpoint {
        Some(id) => tail.after(id.clone()),
        None => tail.from_oldest(),
    };
    let mut events = tail.until_caught_up().stream();
    let mut seen = 0;
    while let Some(log) = events.try_next().await? {
        seen += 1;
        if seen <= 5 {
            let kind =
                log.log_type.as_ref().map(|t| format!("{t} ({})", t.description().unwrap_or("?"))).unwrap_or_default();
            println!("  {}  {kind}  {}", log.log_id, log.description.as_deref().unwrap_or(""));
        }
    }
    println!(
        "{seen} new event(s) after checkpoint {}; resume later from {}",
        checkpoint.as_ref().map_or("(none)".to_owned(), |c| c.to_string()),
        events.last_log_id().map_or("the same checkpoint".to_owned(), |id| id.to_string())
    );

    heading(4, "An agent under a policy: support-bot edits profiles; deleting a user needs approval");
    let policy = Arc::new(Policy::from_toml(POLICY)?);
    // Every record goes to a hash-chained JSON-lines file (verified at the end) and, for
    // this printout, to memory; approvals live in a SQLite file a human's CLI shares.
    let dir = tempfile::tempdir()?;
    let audit_file = dir.path().join("audit.jsonl");
    let memory = Arc::new(MemorySink::new());
    let file_sink: Arc<dyn AuditSink> = Arc::new(JsonLinesSink::open(&audit_file)?);
    let audit: Arc<dyn AuditSink> = Arc::new(Tee::new(vec![memory.clone() as Arc<dyn AuditSink>, file_sink.clone()]));
    let store: Arc<dyn ApprovalStore> = Arc::new(SqliteApprovalStore::open(dir.path().join("approvals.sqlite"))?);
    let guard = Guard::new(policy, "support-bot", audit.clone()).with_approvals(store.clone());
    let agent = GuardedClient::with_guard(client, guard);
    let sent = || tenant.map(|t| t.counters().requests);
    let delta = |before: Option<u64>| match (before, sent()) {
        (Some(b), Some(a)) => format!(" — requests that reached the tenant: {}", a - b),
        _ => String::new(),
    };

    let target = sample.first().map(|u| u.user_id.clone()).ok_or("the tenant has no users")?;
    let user = agent.users().get(&target).await?;
    println!("support-bot read {} — allowed", user.user_id);
    if tenant.is_some() {
        let note = UpdateUser::new().user_metadata(MetadataPatch::new().set("ticket", "T-1042"));
        agent.users().update(&target, &note).await?;
        println!(
            "support-bot noted ticket T-1042 in the user's user_metadata — allowed (a write, recorded before it was sent)"
        );
    }
    let before = sent();
    let grant = UpdateUser::new().app_metadata(MetadataPatch::new().set("plan", "enterprise"));
    match agent.users().update(&target, &grant).await {
        Ok(_) => return Err("support-bot changed app_metadata — this must not happen".into()),
        Err(e) if e.is_denied() => {
            println!("support-bot tried to change the user's plan (app_metadata) — {e}{}", delta(before))
        }
        Err(e) => return Err(e.into()),
    }
    // Deleting needs a human: the first call is not sent, it asks for approval.
    let doomed = sample.get(1).map(|u| u.user_id.clone()).unwrap_or_else(|| target.clone());
    let before = sent();
    let ticket = match agent.users().delete(&doomed).await {
        Ok(()) => return Err("the delete ran without an approval — this must not happen".into()),
        Err(auth0_mgmt::Error::Denied(d)) if d.awaits_approval() => {
            let ticket = d.approval.clone().ok_or("an approval ticket")?;
            println!("support-bot asked to delete {doomed} — {}{}", d.reason, delta(before));
            println!("  approval {}: \"{}\", to be decided by {}", ticket.id, ticket.request, ticket.who());
            ticket
        }
        Err(e) => return Err(e.into()),
    };
    if tenant.is_some() {
        // A human decides out of band (`auth0-mgmt-mcp approvals approve ID --by alice@acme.test`).
        let approvals = Approvals::new(store, audit);
        approvals.approve(&ticket.id, "alice@acme.test").await?;
        println!("alice@acme.test approved {}", ticket.id);
        let before = sent();
        agent.users().delete(&doomed).await?;
        println!("support-bot sent the identical delete again — executed{}", delta(before));
        match agent.users().delete(&doomed).await {
            Err(auth0_mgmt::Error::Denied(d)) if d.awaits_approval() => {
                println!("a second identical delete needs a new approval — the approval was single-use")
            }
            other => return Err(format!("a consumed approval was used again: {other:?}").into()),
        }
    }

    if let Some(tenant) = tenant {
        heading(5, "Hit a rate limit and wait it out (tenant bucket: burst 5, 50/s)");
        tenant.set_rate_limit(Some(RateLimit::new(5, 50.0)));
        let before = tenant.counters().rate_limited;
        let started = Instant::now();
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (c, id) = (client.clone(), target.clone());
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
            "120 reads by 8 tasks in {:.2} s (ideal {:.2} s): {} answered 429 and were retried after the \
             server-named wait, 0 failed; the pacer learned burst {} and ~{:.0}/s",
            started.elapsed().as_secs_f64(),
            (120.0 - 5.0) / 50.0,
            tenant.counters().rate_limited - before,
            stats.estimated_limit.unwrap_or_default(),
            stats.estimated_refill_per_sec.unwrap_or_default()
        );
        tenant.set_rate_limit(None);
    }

    heading(6, "The audit trail, in plain English");
    // Reads are many and alike; the writes, denials and approvals are what an auditor reads.
    for record in memory.records() {
        let plain_read = record.access == "read" && matches!(record.decision, AuditDecision::Allowed);
        if !plain_read {
            println!("  {}", record.message);
        }
    }
    let records = memory.records().len();
    println!("({records} records, reads included, in {} as hash-chained JSON lines)", audit_file.display());
    // What `auth0-mgmt-mcp audit verify FILE` answers:
    println!("audit verify: {}", chain::verify(&audit_file)?);
    Ok(())
}
