//! One worker process: an `auth0-mgmt` client (sharing through Redis, or not) that makes
//! GET-user calls against a tenant and prints a report.
//!
//! Protocol on stdout (lines starting with [`PREFIX`]): `READY` once the client is built
//! (and, with `warm`, holds a token); then, after the parent writes `go` to stdin, the
//! calls run; `STATUS …` whenever the Redis status changes; `REPORT {json}` at the end.
//! With `calls = 0` the calls go on until the parent writes `stop`.

use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use auth0_mgmt::{Client, RetryConfig, TokenSource, UserId};
use auth0_mgmt_redis::{Shared, SharedConfig};
use serde::{Deserialize, Serialize};

pub const PREFIX: &str = "AUTH0-WORKER ";

/// What a worker does.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WorkerArgs {
    /// The tenant's base URL (`http://127.0.0.1:PORT`).
    pub tenant: String,
    pub client_id: String,
    pub client_secret: String,
    /// Share through this Redis; `None`: a plain client.
    pub redis: Option<String>,
    pub deployment: String,
    /// The user every call gets.
    pub user_id: String,
    /// Calls to make; 0: until `stop`.
    pub calls: usize,
    /// Calls in flight at once.
    pub concurrency: usize,
    /// Get a token before saying `READY`.
    pub warm: bool,
    /// The Redis timeout, ms.
    pub redis_timeout_ms: u64,
    /// Pause between two calls of one task, ms (0: none).
    pub pause_ms: u64,
    /// Record every log line (debug and up) and report whether a secret was in one.
    pub capture_logs: bool,
}

impl WorkerArgs {
    pub fn new(tenant: &str, client_id: &str, client_secret: &str, user_id: &str) -> WorkerArgs {
        WorkerArgs {
            tenant: tenant.to_owned(),
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            redis: None,
            deployment: "test".into(),
            user_id: user_id.to_owned(),
            calls: 1,
            concurrency: 1,
            warm: false,
            redis_timeout_ms: 2000,
            pause_ms: 0,
            capture_logs: false,
        }
    }
}

/// What a worker saw.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Report {
    pub ok: u64,
    pub failed: u64,
    /// The first few errors.
    pub errors: Vec<String>,
    /// When the calls started and ended (UNIX ms).
    pub start_ms: u64,
    pub end_ms: u64,
    /// Every call's latency, µs.
    pub latencies_us: Vec<u64>,
    /// Redis status at the end.
    pub connected: bool,
    pub fallbacks: u64,
    pub rejoins: u64,
    /// Token requests this process sent.
    pub mints: u64,
    /// 429s this process saw.
    pub throttled: u64,
    /// Warnings logged by auth0-mgmt-redis.
    pub warnings: u64,
    /// A log line held the client secret or the token.
    pub secret_in_logs: bool,
    pub log_lines: u64,
}

/// Runs the worker if this process was started as one; returns whether it was.
pub fn run_if_worker() -> bool {
    let Ok(json) = std::env::var(super::WORKER_VAR) else { return false };
    let args: WorkerArgs = serde_json::from_str(&json).expect("worker arguments");
    run(args);
    true
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{PREFIX}{line}");
    let _ = out.flush();
}

fn epoch_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Counts the warnings of auth0-mgmt-redis.
struct CountWarnings(Arc<AtomicU64>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for CountWarnings {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let meta = event.metadata();
        if *meta.level() == tracing::Level::WARN && meta.target().starts_with("auth0_mgmt_redis") {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

pub fn run(args: WorkerArgs) {
    use tracing_subscriber::prelude::*;
    let warnings = Arc::new(AtomicU64::new(0));
    let logs = Logs::default();
    let filter = if args.capture_logs { "debug" } else { "warn" };
    let writer = logs.clone();
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_filter(tracing_subscriber::EnvFilter::new(filter));
    tracing_subscriber::registry().with(fmt).with(CountWarnings(warnings.clone())).init();

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let report = rt.block_on(work(&args, warnings, logs.clone()));
    say(&format!("REPORT {}", serde_json::to_string(&report).expect("report")));
}

async fn work(args: &WorkerArgs, warnings: Arc<AtomicU64>, logs: Logs) -> Report {
    let builder = Client::builder()
        .base_url(&args.tenant)
        .client_credentials(&args.client_id, &args.client_secret)
        .retry(RetryConfig::default().max_total_wait(Duration::from_secs(120)));
    let (client, shared) = match &args.redis {
        Some(url) => {
            let config = SharedConfig::default()
                .deployment(&args.deployment)
                .timeout(Duration::from_millis(args.redis_timeout_ms))
                .retry_interval(Duration::from_millis(200));
            let minter = builder.build_client_credentials().expect("credentials");
            let shared = Shared::connect_with(url, minter, config).await.expect("connect");
            (shared.apply(builder).build().expect("client"), Some(shared))
        }
        None => (builder.build().expect("client"), None),
    };
    if args.warm {
        client.granted_scopes().await.expect("a token before the calls");
    }
    // stdin: `go` starts the calls, `stop` (or the end of input) ends an open-ended run.
    let (go_tx, go_rx) = tokio::sync::oneshot::channel::<()>();
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut go = Some(go_tx);
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                match line.trim() {
                    "go" => {
                        if let Some(go) = go.take() {
                            let _ = go.send(());
                        }
                    }
                    "stop" => break,
                    _ => {}
                }
            }
            stop.store(true, Ordering::Relaxed);
        });
    }
    say("READY");
    let _ = go_rx.await;

    if let Some(shared) = shared.clone() {
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut last = None;
            while !stop.load(Ordering::Relaxed) {
                let s = shared.status();
                if last != Some(s) {
                    say(&format!("STATUS connected={} fallbacks={} rejoins={}", s.connected, s.fallbacks, s.rejoins));
                    last = Some(s);
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        });
    }

    let user: UserId = args.user_id.parse().expect("user id");
    let started = AtomicUsize::new(0);
    let results = Mutex::new((Vec::new(), 0u64, 0u64, Vec::new()));
    let start_ms = epoch_ms();
    let task = || async {
        loop {
            let n = started.fetch_add(1, Ordering::Relaxed);
            if (args.calls > 0 && n >= args.calls) || (args.calls == 0 && stop.load(Ordering::Relaxed)) {
                return;
            }
            let t0 = std::time::Instant::now();
            let result = client.users().get(&user).await;
            let us = t0.elapsed().as_micros() as u64;
            {
                let mut r = results.lock().unwrap();
                r.0.push(us);
                match result {
                    Ok(_) => r.1 += 1,
                    Err(e) => {
                        r.2 += 1;
                        if r.3.len() < 5 {
                            r.3.push(e.to_string());
                        }
                    }
                }
            }
            if args.pause_ms > 0 {
                tokio::time::sleep(Duration::from_millis(args.pause_ms)).await;
            }
        }
    };
    futures::future::join_all((0..args.concurrency.max(1)).map(|_| task())).await;
    let end_ms = epoch_ms();
    let (latencies_us, ok, failed, errors) = results.into_inner().unwrap();
    stop.store(true, Ordering::Relaxed);

    let mut report = Report { ok, failed, errors, start_ms, end_ms, latencies_us, ..Report::default() };
    report.throttled = client.rate_limit_stats().throttled;
    report.warnings = warnings.load(Ordering::Relaxed);
    let mut secrets = vec![args.client_secret.clone()];
    match &shared {
        Some(shared) => {
            let s = shared.status();
            (report.connected, report.fallbacks, report.rejoins) = (s.connected, s.fallbacks, s.rejoins);
            report.mints = shared.token_source().client_credentials().mints();
            if let Ok(token) = shared.token_source().token().await {
                secrets.push(token.expose_secret().to_owned());
            }
        }
        None => report.mints = 0,
    }
    let logs = logs.0.lock().unwrap().clone();
    report.log_lines = logs.iter().filter(|b| **b == b'\n').count() as u64;
    report.secret_in_logs = secrets.iter().any(|s| logs.windows(s.len()).any(|w| w == s.as_bytes()));
    report
}
