//! End-to-end load benchmarks (issue 6, workloads W1–W5; issue 11, the harsh bucket H) against the in-process fake
//! tenant on loopback. Prints a Markdown report to paste into `docs/BENCHMARKS.md`.
//!
//! ```text
//! cargo run --release -p auth0-mgmt-bench --bin bench_load              # every workload (≈ 1 minute)
//! cargo run --release -p auth0-mgmt-bench --bin bench_load -- W2 W3     # some of them
//! cargo run --release -p auth0-mgmt-bench --bin bench_load -- H         # the harsh bucket alone (≈ 30 s)
//! cargo run --release -p auth0-mgmt-bench --bin bench_load -- --quick   # a smoke run: one repetition each
//! ```
//!
//! Each workload reports its wall time, the requests the tenant saw (its own counters)
//! and the peak heap growth while it ran (a counting global allocator; it includes the
//! in-process tenant's per-request allocations, not its seeded data). Where a target
//! compares against a baseline (a hand-written `reqwest` loop, or a naive rate-limit
//! strategy), the baseline runs in the same process against the same tenant, and the
//! two alternate repetition by repetition so that noise from a shared machine hits both.
//!
//! Figures are CPU-sensitive: run on an otherwise idle machine and in release mode.

use std::error::Error;
use std::hint::black_box;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use auth0_mgmt::{Client, PacerConfig, UserId};
use auth0_mgmt_fake::{FakeTenant, RateLimit, Seed};
use futures::TryStreamExt;
use peak_alloc::PeakAlloc;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

type Res<T> = Result<T, Box<dyn Error + Send + Sync>>;

/// One line of the summary table.
struct Row {
    id: &'static str,
    workload: String,
    wall: String,
    requests: String,
    peak: String,
    target: String,
    met: bool,
}

/// Measures the peak heap growth of what runs between `start` and `peak`.
struct Mem {
    base: usize,
}

impl Mem {
    fn start() -> Mem {
        let base = ALLOC.current_usage();
        ALLOC.reset_peak_usage();
        Mem { base }
    }
    fn peak(&self) -> usize {
        ALLOC.peak_usage().saturating_sub(self.base)
    }
}

fn mib(bytes: usize) -> String {
    if bytes < 1024 * 1024 {
        format!("{:.0} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", bytes as f64 / 1048576.0)
    }
}

fn secs(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{:.1} ms", d.as_secs_f64() * 1e3)
    } else {
        format!("{:.3} s", d.as_secs_f64())
    }
}

/// CPU time of the whole process so far (every thread: the client and the in-process
/// tenant), from `/proc/self/task/*/schedstat` (nanoseconds on a CPU).
fn cpu_time() -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return Duration::ZERO };
    let ns: u64 = tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(ns)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn client_for(tenant: &FakeTenant) -> auth0_mgmt::ClientBuilder {
    Client::builder().base_url(tenant.base_url()).client_credentials(tenant.client_id(), tenant.client_secret())
}

/// A bare `reqwest` client holding a token minted the way a hand-written program would.
struct Bare {
    http: reqwest::Client,
    base: String,
    auth: String,
}

impl Bare {
    async fn new(base: &str, id: &str, secret: &str) -> Res<Bare> {
        let http = reqwest::Client::new();
        let body = json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret,
                          "audience": format!("{base}/api/v2/")});
        let resp = http
            .post(format!("{base}/oauth/token"))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await?
            .error_for_status()?;
        let v: Value = serde_json::from_slice(&resp.bytes().await?)?;
        let token = v["access_token"].as_str().ok_or("no access_token")?;
        Ok(Bare { http, base: base.to_owned(), auth: format!("Bearer {token}") })
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path_and_query: &str) -> Res<T> {
        let resp = self
            .http
            .get(format!("{}{path_and_query}", self.base))
            .header("authorization", &self.auth)
            .send()
            .await?
            .error_for_status()?;
        Ok(serde_json::from_slice(&resp.bytes().await?)?)
    }
}

/// What the hand-written loop decodes a users page into: every user kept whole, as the
/// typed client keeps unknown fields.
#[derive(serde::Deserialize)]
struct UsersPage {
    users: Vec<Value>,
    total: u64,
}

/// A loopback TCP proxy that counts the connections it accepts.
async fn counting_proxy(target: SocketAddr) -> Res<(String, Arc<AtomicUsize>)> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            c.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(async move {
                if let Ok(mut outbound) = TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    Ok((format!("http://{addr}"), count))
}

/// Runs `n` calls of `call(i)` with `in_flight` spawned workers; returns the failures.
async fn fan_out<F, Fut>(n: usize, in_flight: usize, call: F) -> usize
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let call = Arc::new(call);
    let workers: Vec<_> = (0..in_flight)
        .map(|_| {
            let (next, failed, call) = (next.clone(), failed.clone(), call.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    if !call(i).await {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.await;
    }
    failed.load(Ordering::Relaxed)
}

// ---------------------------------------------------------------------------------------
// W1: mint, then stream 10,000 users
// ---------------------------------------------------------------------------------------

async fn w1(reps: usize, notes: &mut Vec<String>) -> Res<Row> {
    const USERS: usize = 10_000;
    let tenant =
        FakeTenant::builder().seed(Seed::empty().users(USERS)).offset_cap(None).record_limit(0).start().await?;
    let (mut ours, mut bare, mut requests, mut mints, mut peak, mut bare_peak) =
        (Vec::new(), Vec::new(), 0, 0, 0usize, 0usize);
    for rep in 0..reps {
        for side in if rep % 2 == 0 { [0, 1] } else { [1, 0] } {
            tenant.reset_counters();
            let mem = Mem::start();
            let started = Instant::now();
            let n = if side == 0 {
                let client = client_for(&tenant).offset_paging_limit(None).build()?;
                client.granted_scopes().await?; // mints
                let mut users = client.users().list().per_page(100).stream();
                let mut n = 0;
                while let Some(u) = users.try_next().await? {
                    black_box(&u);
                    n += 1;
                }
                n
            } else {
                let b = Bare::new(tenant.base_url(), tenant.client_id(), tenant.client_secret()).await?;
                let mut n = 0;
                for page in 0.. {
                    let p: UsersPage =
                        b.get(&format!("/api/v2/users?page={page}&per_page=100&include_totals=true")).await?;
                    n += p.users.len();
                    black_box(&p.users);
                    if p.users.len() < 100 || n as u64 >= p.total {
                        break;
                    }
                }
                n
            };
            let wall = started.elapsed();
            assert_eq!(n, USERS);
            let c = tenant.counters();
            if side == 0 {
                ours.push(wall);
                requests = c.requests;
                mints = c.token_mints;
                peak = peak.max(mem.peak());
            } else {
                bare.push(wall);
                bare_peak = bare_peak.max(mem.peak());
            }
        }
    }
    let (o, b) = (median(ours), median(bare));
    let ratio = o.as_secs_f64() / b.as_secs_f64();
    notes.push(format!(
        "W1: auth0-mgmt {} vs hand-written reqwest loop {} (median of {reps}), ratio {ratio:.2}; \
         peak heap growth {} vs {}.",
        secs(o),
        secs(b),
        mib(peak),
        mib(bare_peak)
    ));
    Ok(Row {
        id: "W1",
        workload: "mint + stream 10,000 users (per_page 100)".into(),
        wall: format!("{} (reqwest loop {}, ×{ratio:.2})", secs(o), secs(b)),
        requests: format!("{requests} ({mints} mint + {} pages)", requests - mints),
        peak: mib(peak),
        target: "1 mint + 100 pages; ≤ 1.2× reqwest loop".into(),
        met: requests == 101 && mints == 1 && ratio <= 1.2,
    })
}

// ---------------------------------------------------------------------------------------
// W2: 2,000 get-user calls, 16 in flight
// ---------------------------------------------------------------------------------------

async fn w2(reps: usize, notes: &mut Vec<String>) -> Res<Row> {
    w2_with(reps, notes, "", &|b| b).await
}

/// W2 with a tweak of the client's settings (for the ablation `W2x`).
async fn w2_with(
    reps: usize,
    notes: &mut Vec<String>,
    label: &str,
    tweak: &dyn Fn(auth0_mgmt::ClientBuilder) -> auth0_mgmt::ClientBuilder,
) -> Res<Row> {
    const CALLS: usize = 2_000;
    const IN_FLIGHT: usize = 16;
    let tenant = FakeTenant::builder().seed(Seed::empty().users(200)).record_limit(0).start().await?;
    let ids: Arc<Vec<UserId>> = Arc::new(tenant.user_ids().into_iter().map(|s| s.parse()).collect::<Result<_, _>>()?);
    let (mut ours, mut bare, mut requests, mut peak, mut failures) = (Vec::new(), Vec::new(), 0, 0usize, 0usize);
    let (mut our_cpu, mut bare_cpu) = (Vec::new(), Vec::new());

    async fn run_ours(client: Client, ids: Arc<Vec<UserId>>) -> usize {
        fan_out(CALLS, IN_FLIGHT, move |i| {
            let (c, id) = (client.clone(), ids[i % ids.len()].clone());
            async move { c.users().get(&id).await.map(black_box).is_ok() }
        })
        .await
    }
    async fn run_bare(b: Arc<Bare>, ids: Arc<Vec<UserId>>) -> usize {
        fan_out(CALLS, IN_FLIGHT, move |i| {
            let (b, path) = (b.clone(), format!("/api/v2/users/{}", ids[i % ids.len()].path_segment()));
            async move { b.get::<Value>(&path).await.map(black_box).is_ok() }
        })
        .await
    }

    for rep in 0..reps {
        for side in if rep % 2 == 0 { [0, 1] } else { [1, 0] } {
            // Each side starts with a fresh client (empty pool) and its token already minted.
            if side == 0 {
                let client = tweak(client_for(&tenant)).build()?;
                client.granted_scopes().await?;
                tenant.reset_counters();
                let mem = Mem::start();
                let (started, cpu) = (Instant::now(), cpu_time());
                failures += run_ours(client, ids.clone()).await;
                ours.push(started.elapsed());
                our_cpu.push(cpu_time().saturating_sub(cpu));
                peak = peak.max(mem.peak());
                requests = tenant.counters().requests;
            } else {
                let b = Arc::new(Bare::new(tenant.base_url(), tenant.client_id(), tenant.client_secret()).await?);
                let (started, cpu) = (Instant::now(), cpu_time());
                failures += run_bare(b, ids.clone()).await;
                bare.push(started.elapsed());
                bare_cpu.push(cpu_time().saturating_sub(cpu));
            }
        }
    }
    // Connections: one more pass of each through a counting proxy (not timed).
    let (proxy, conns) = counting_proxy(tenant.local_addr()).await?;
    let client =
        Client::builder().base_url(&proxy).client_credentials(tenant.client_id(), tenant.client_secret()).build()?;
    run_ours(client, ids.clone()).await;
    let our_conns = conns.swap(0, Ordering::Relaxed);
    let b = Arc::new(Bare::new(&proxy, tenant.client_id(), tenant.client_secret()).await?);
    run_bare(b, ids.clone()).await;
    let bare_conns = conns.load(Ordering::Relaxed);

    let (o, b) = (median(ours), median(bare));
    let (tput, bare_tput) = (CALLS as f64 / o.as_secs_f64(), CALLS as f64 / b.as_secs_f64());
    let ratio = tput / bare_tput;
    let per_call = |v: Vec<Duration>| median(v).as_secs_f64() * 1e6 / CALLS as f64;
    let (oc, bc) = (per_call(our_cpu), per_call(bare_cpu));
    notes.push(format!(
        "W2{label}: auth0-mgmt {tput:.0} calls/s vs bare reqwest {bare_tput:.0} calls/s (median of {reps}), ratio {ratio:.2}; \
         CPU per call (whole process, tenant included) {oc:.1} µs vs {bc:.1} µs; \
         TCP connections opened for {CALLS} calls incl. the mint: auth0-mgmt {our_conns}, bare reqwest {bare_conns}; \
         failed calls {failures}."
    ));
    Ok(Row {
        id: "W2",
        workload: "2,000 get-user, 16 in flight, one client".into(),
        wall: format!("{} = {tput:.0}/s (reqwest {bare_tput:.0}/s, ×{ratio:.3})", secs(o)),
        requests: format!("{requests}; {our_conns} TCP connections"),
        peak: mib(peak),
        target: "≥ 0.9× bare reqwest; one pool (≤ 32 connections)".into(),
        // One pool: a handful of connections for 2,000 calls (reqwest may race a connect
        // against a returning idle connection, so a few more than 16 can appear).
        met: ratio >= 0.9 && our_conns <= 2 * IN_FLIGHT && failures == 0 && requests == CALLS as u64,
    })
}

// ---------------------------------------------------------------------------------------
// W3: 400 get-user calls, 8 in flight, bucket burst 10 refill 100/s
// ---------------------------------------------------------------------------------------

struct W3Run {
    wall: Duration,
    throttled: u64,
    failed: usize,
    requests: u64,
    peak: usize,
}

async fn w3_run(pacer: PacerConfig) -> Res<W3Run> {
    const CALLS: usize = 400;
    let tenant = FakeTenant::builder().seed(Seed::empty().users(20)).record_limit(0).start().await?;
    let ids: Arc<Vec<UserId>> = Arc::new(tenant.user_ids().into_iter().map(|s| s.parse()).collect::<Result<_, _>>()?);
    let client = client_for(&tenant).pacer(pacer).build()?;
    client.granted_scopes().await?;
    // A full bucket from now on, as on a quiet tenant.
    tenant.set_rate_limit(Some(RateLimit::new(10, 100.0)));
    tenant.reset_counters();
    let mem = Mem::start();
    let started = Instant::now();
    let failed = fan_out(CALLS, 8, move |i| {
        let (c, id) = (client.clone(), ids[i % ids.len()].clone());
        async move { c.users().get(&id).await.is_ok() }
    })
    .await;
    let wall = started.elapsed();
    let c = tenant.counters();
    Ok(W3Run { wall, throttled: c.rate_limited, failed, requests: c.requests, peak: mem.peak() })
}

async fn w3(notes: &mut Vec<String>) -> Res<Row> {
    let ideal = 3.9;
    let paced = w3_run(PacerConfig::default()).await?;
    let naive = w3_run(PacerConfig::disabled()).await?;
    notes.push(format!(
        "W3: pacer {} with {} 429s and {} failed calls ({} requests); naive \"sleep until x-ratelimit-reset\" \
         (PacerConfig::disabled()) {} with {} 429s and {} failed calls ({} requests). Ideal (400 − 10)/100 = 3.9 s.",
        secs(paced.wall),
        paced.throttled,
        paced.failed,
        paced.requests,
        secs(naive.wall),
        naive.throttled,
        naive.failed,
        naive.requests
    ));
    let ratio = paced.wall.as_secs_f64() / ideal;
    Ok(Row {
        id: "W3",
        workload: "400 get-user, 8 in flight, bucket 10 + 100/s".into(),
        wall: format!(
            "{} (×{ratio:.2} ideal); naive {}, {} 429s, {} failed",
            secs(paced.wall),
            secs(naive.wall),
            naive.throttled,
            naive.failed
        ),
        requests: format!("{} ({} × 429)", paced.requests, paced.throttled),
        peak: mib(paced.peak),
        target: "≤ 1.1 × 3.9 s; ≤ 4 × 429; 0 failed".into(),
        met: ratio <= 1.1 && paced.throttled <= 4 && paced.failed == 0,
    })
}

// ---------------------------------------------------------------------------------------
// H: the harsh bucket of issue 11: burst 2 refill 2/s, 60 get-user calls, 8 in flight
// ---------------------------------------------------------------------------------------

/// A cold client (token minted, nothing paced yet) against the free tier's bucket. Besides
/// wall time and 429s it reports each call's latency (first try to answer, pacer waits and
/// retries included) against its **fair share**: with `in_flight` calls always waiting on
/// a bucket that refills `refill` tokens per second, served in turn, each call waits for
/// the others' tokens and its own, `in_flight / refill` = 8 / 2 = 4 s.
async fn harsh(notes: &mut Vec<String>) -> Res<Row> {
    const CALLS: usize = 60;
    const IN_FLIGHT: usize = 8;
    const BURST: u32 = 2;
    const REFILL: f64 = 2.0;
    let tenant = FakeTenant::builder().seed(Seed::empty().users(20)).record_limit(0).start().await?;
    let ids: Arc<Vec<UserId>> = Arc::new(tenant.user_ids().into_iter().map(|s| s.parse()).collect::<Result<_, _>>()?);
    let client = client_for(&tenant).build()?;
    client.granted_scopes().await?;
    tenant.set_rate_limit(Some(RateLimit::new(BURST, REFILL)));
    tenant.reset_counters();
    let latencies = Arc::new(std::sync::Mutex::new(Vec::with_capacity(CALLS)));
    let mem = Mem::start();
    let started = Instant::now();
    let failed = fan_out(CALLS, IN_FLIGHT, {
        let latencies = latencies.clone();
        move |i| {
            let (c, id, latencies) = (client.clone(), ids[i % ids.len()].clone(), latencies.clone());
            async move {
                let began = Instant::now();
                let ok = c.users().get(&id).await.is_ok();
                latencies.lock().expect("latencies").push(began.elapsed());
                ok
            }
        }
    })
    .await;
    let wall = started.elapsed();
    let c = tenant.counters();
    let mut lat = latencies.lock().expect("latencies").clone();
    lat.sort();
    let (median, slowest) = (lat[lat.len() / 2], lat[lat.len() - 1]);
    let ideal = (CALLS as f64 - f64::from(BURST)) / REFILL;
    let fair = IN_FLIGHT as f64 / REFILL;
    let (ratio, unfair) = (wall.as_secs_f64() / ideal, slowest.as_secs_f64() / fair);
    notes.push(format!(
        "H (harsh bucket): {} for {CALLS} calls, ideal ({CALLS} − {BURST}) / {REFILL}/s = {ideal:.1} s (×{ratio:.3}); \
         {} × 429, {failed} failed, {} requests; per-call latency median {}, slowest {}; fair share = calls in \
         flight ÷ refill rate = {IN_FLIGHT} ÷ {REFILL}/s = {fair:.1} s (each of {IN_FLIGHT} waiting calls waits for \
         the others' tokens and its own), slowest ÷ fair share = {unfair:.2}.",
        secs(wall),
        c.rate_limited,
        c.requests,
        secs(median),
        secs(slowest)
    ));
    Ok(Row {
        id: "H",
        workload: "60 get-user, 8 in flight, bucket 2 + 2/s, cold client".into(),
        wall: format!(
            "{} (×{ratio:.3} ideal); slowest call {} = ×{unfair:.2} fair share ({fair:.0} s), median {}",
            secs(wall),
            secs(slowest),
            secs(median)
        ),
        requests: format!("{} ({} × 429)", c.requests, c.rate_limited),
        peak: mib(mem.peak()),
        target: "≤ 1.05 × 29 s; ≤ 4 × 429; slowest ≤ 1.5 × fair share; 0 failed".into(),
        met: ratio <= 1.05 && c.rate_limited <= 4 && unfair <= 1.5 && failed == 0,
    })
}

// ---------------------------------------------------------------------------------------
// W4: checkpoint walks of 50,000 logs and 10,000 organizations (take 100)
// ---------------------------------------------------------------------------------------

/// One checkpoint walk: items seen, wall time, requests and mints the tenant saw, peak
/// heap growth.
struct Walk {
    items: usize,
    wall: Duration,
    requests: u64,
    mints: u64,
    peak: usize,
}

async fn w4_walk(tenant: &FakeTenant, logs: bool) -> Res<Walk> {
    let client = client_for(tenant).build()?;
    tenant.reset_counters();
    let mem = Mem::start();
    let started = Instant::now();
    let mut items = 0;
    if logs {
        let mut s = client.logs().tail().from_oldest().take(100).until_caught_up().stream();
        while let Some(l) = s.try_next().await? {
            black_box(&l);
            items += 1;
        }
    } else {
        let mut s = client.organizations().list().take(100).checkpoint();
        while let Some(o) = s.try_next().await? {
            black_box(&o);
            items += 1;
        }
    }
    let wall = started.elapsed();
    let peak = mem.peak();
    let c = tenant.counters();
    Ok(Walk { items, wall, requests: c.requests, mints: c.token_mints, peak })
}

async fn w4(reps: usize, notes: &mut Vec<String>) -> Res<Row> {
    const LOGS: usize = 50_000;
    const ORGS: usize = 10_000;
    let tenant = FakeTenant::builder()
        .seed(Seed::empty().logs(LOGS).organizations(ORGS))
        .offset_cap(None)
        .record_limit(0)
        .start()
        .await?;
    // Pages: logs end on the first empty page (500 full pages + 1 empty); organizations
    // end on the page without `next` (100 full pages).
    let (log_pages, org_pages) = ((LOGS / 100 + 1) as u64, (ORGS / 100) as u64);
    let (mut lw, mut ow) = (Vec::new(), Vec::new());
    let (mut lp, mut op) = (0usize, 0usize);
    let (mut lr, mut or, mut lm, mut om, mut li, mut oi) = (0, 0, 0, 0, 0, 0);
    for rep in 0..reps {
        for side in if rep % 2 == 0 { [true, false] } else { [false, true] } {
            let w = w4_walk(&tenant, side).await?;
            if side {
                lw.push(w.wall);
                lp = lp.max(w.peak);
                (lr, lm, li) = (w.requests, w.mints, w.items);
            } else {
                ow.push(w.wall);
                op = op.max(w.peak);
                (or, om, oi) = (w.requests, w.mints, w.items);
            }
        }
    }
    let (l, o) = (median(lw), median(ow));
    let ratio = lp as f64 / op.max(1) as f64;
    notes.push(format!(
        "W4: logs walk {li} events in {} ({:.0} events/s), {lr} requests ({lm} mint + {} pages; expected 1 + \
         {log_pages}: 500 full pages and the empty page that ends the walk), peak heap growth {}; organizations \
         walk {oi} in {} ({:.0}/s), {or} requests ({om} mint + {} pages; expected 1 + {org_pages}), peak heap \
         growth {}; peak ratio logs/organizations {ratio:.2} (median wall of {reps}, max peak).",
        secs(l),
        li as f64 / l.as_secs_f64(),
        lr - lm,
        mib(lp),
        secs(o),
        oi as f64 / o.as_secs_f64(),
        or - om,
        mib(op)
    ));
    Ok(Row {
        id: "W4",
        workload: "checkpoint walk of 50,000 logs (from oldest), then 10,000 organizations (take 100)".into(),
        wall: format!("logs {}; organizations {}", secs(l), secs(o)),
        requests: format!(
            "logs {lr} ({lm} mint + {} pages); organizations {or} ({om} mint + {} pages)",
            lr - lm,
            or - om
        ),
        peak: format!("logs {}; organizations {} (×{ratio:.2})", mib(lp), mib(op)),
        target: "requests = pages + 1; 50k peak ≤ 1.5× 10k peak; logs ≤ 0.25 s".into(),
        met: li == LOGS
            && oi == ORGS
            && lm == 1
            && om == 1
            && lr == log_pages + 1
            && or == org_pages + 1
            && ratio <= 1.5
            && l <= Duration::from_millis(250),
    })
}

// ---------------------------------------------------------------------------------------
// W5: 64 concurrent first calls, token endpoint slowed by 100 ms
// ---------------------------------------------------------------------------------------

async fn w5(reps: usize, notes: &mut Vec<String>) -> Res<Row> {
    let tenant = FakeTenant::builder()
        .seed(Seed::empty().users(64))
        .token_latency(Duration::from_millis(100))
        .record_limit(0)
        .start()
        .await?;
    let ids: Arc<Vec<UserId>> = Arc::new(tenant.user_ids().into_iter().map(|s| s.parse()).collect::<Result<_, _>>()?);
    let (mut walls, mut max_mints, mut requests, mut peak, mut failed) = (Vec::new(), 0, 0, 0usize, 0usize);
    for _ in 0..reps {
        let client = client_for(&tenant).build()?;
        tenant.reset_counters();
        let mem = Mem::start();
        let started = Instant::now();
        let ids = ids.clone();
        failed += fan_out(64, 64, move |i| {
            let (c, id) = (client.clone(), ids[i].clone());
            async move { c.users().get(&id).await.is_ok() }
        })
        .await;
        walls.push(started.elapsed());
        peak = peak.max(mem.peak());
        let c = tenant.counters();
        max_mints = max_mints.max(c.token_requests);
        requests = c.requests;
    }
    let wall = median(walls);
    notes.push(format!(
        "W5: {reps} fresh clients, each 64 concurrent first calls: at most {max_mints} token request(s) per client, \
         {failed} failed calls, median wall {} (the mint alone takes 100 ms).",
        secs(wall)
    ));
    Ok(Row {
        id: "W5",
        workload: "fresh client, 64 concurrent first calls, token +100 ms".into(),
        wall: secs(wall),
        requests: format!("{requests} ({max_mints} mint + 64 GETs)"),
        peak: mib(peak),
        target: "exactly 1 mint".into(),
        met: max_mints == 1 && failed == 0,
    })
}

// ---------------------------------------------------------------------------------------

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_owned())
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or("unknown".to_owned(), |kb| format!("{:.1} GiB", kb / 1048576.0));
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_owned())
        })
        .unwrap_or_default();
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let dirty = std::process::Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=no"])
        .output()
        .is_ok_and(|o| !o.stdout.is_empty());
    format!(
        "{cores} cores ({cpu}), {mem} memory, commit {commit}{}",
        if dirty { " (with uncommitted changes)" } else { "" }
    )
}

fn vm_hwm() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l["VmHWM:".len()..].trim().to_owned()))
        .unwrap_or_else(|| "n/a".into())
}

#[tokio::main]
async fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let picked: Vec<&str> = args.iter().filter(|a| !a.starts_with("--")).map(String::as_str).collect();
    let want = |id: &str| picked.is_empty() || picked.iter().any(|p| p.eq_ignore_ascii_case(id));
    let reps = if quick { 1 } else { 5 };
    let started = Instant::now();
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    if want("W1") {
        rows.push(w1(reps, &mut notes).await?);
    }
    if want("W2") {
        rows.push(w2(3 * reps, &mut notes).await?);
    }
    if picked.iter().any(|p| p.eq_ignore_ascii_case("W2x")) {
        // Ablation: which of the client's per-call features costs what.
        let variants: [(&str, &dyn Fn(auth0_mgmt::ClientBuilder) -> auth0_mgmt::ClientBuilder); 4] = [
            (" (defaults)", &|b| b),
            (" (timeout(None))", &|b| b.timeout(None)),
            (" (telemetry(false))", &|b| b.telemetry(false)),
            (" (pacer disabled)", &|b| b.pacer(PacerConfig::disabled())),
        ];
        for (label, tweak) in variants {
            w2_with(2 * reps, &mut notes, label, tweak).await?;
        }
    }
    if want("W3") {
        rows.push(w3(&mut notes).await?);
    }
    if want("H") || picked.iter().any(|p| p.eq_ignore_ascii_case("harsh")) {
        rows.push(harsh(&mut notes).await?);
    }
    if want("W4") {
        rows.push(w4(reps, &mut notes).await?);
    }
    if want("W5") {
        rows.push(w5(reps, &mut notes).await?);
    }

    println!("Machine: {}", machine());
    println!(
        "Command: `cargo run --release -p auth0-mgmt-bench --bin bench_load{}`",
        if args.is_empty() { String::new() } else { format!(" -- {}", args.join(" ")) }
    );
    println!("Total run time {:.1} s; process peak RSS (VmHWM) {}.\n", started.elapsed().as_secs_f64(), vm_hwm());
    println!("| id | workload | wall time | requests the tenant saw | peak heap growth | target | met |");
    println!("|---|---|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.id,
            r.workload,
            r.wall,
            r.requests,
            r.peak,
            r.target,
            if r.met { "yes" } else { "**no**" }
        );
    }
    println!();
    for n in &notes {
        println!("- {n}");
    }
    Ok(())
}
