//! Gateway figures: `tools/call` latency of `users_get` over stdio and over HTTP against
//! the fake tenant, next to the same call made directly through the library (guarded and
//! unguarded) in the same run; and the memory (RSS) of an idle gateway and of one
//! serving 16 HTTP agents at once.
//!
//! The gateway runs as the real binary in child processes, so build both first:
//!
//! ```text
//! cargo build --release -p auth0-mgmt-mcp --bin auth0-mgmt-mcp --example bench_gateway
//! target/release/examples/bench_gateway            # CALLS=1000 by default
//! ```
//!
//! Everything runs on loopback. Linux only for the memory figures (`/proc/PID/status`).

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use auth0_mgmt::{Client, UserId};
use auth0_mgmt_fake::{FakeTenant, Seed};
use auth0_mgmt_mcp::http::key_sha256_hex;
use auth0_mgmt_policy::{GuardedClient, MemorySink, Policy};
use rmcp::model::CallToolRequestParams;
use rmcp::service::RunningService;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{RoleClient, ServiceExt};
use serde_json::json;
use tokio::io::AsyncReadExt;
use tokio::process::Command;

const AGENTS: usize = 16;

fn policy_text() -> String {
    let mut p = String::from("schema_version = 1\n");
    for i in 0..AGENTS {
        p.push_str(&format!(
            "[agents.bench{i}]\nresources = {{ users = \"read\" }}\nkey_sha256 = \"{}\"\n",
            key_sha256_hex(&key(i))
        ));
    }
    p
}

fn key(i: usize) -> String {
    format!("bench-agent-key-{i:02}-0123456789")
}

fn gateway_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    // target/<profile>/examples/bench_gateway -> target/<profile>/auth0-mgmt-mcp
    let bin = exe.parent().and_then(|p| p.parent()).map(|p| p.join("auth0-mgmt-mcp")).expect("target dir");
    assert!(bin.exists(), "{} not found: build it first (see the doc comment)", bin.display());
    bin
}

fn percentiles(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort_unstable();
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1e3;
    (at(0.50), at(0.99))
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()
}

async fn time_calls<F, Fut>(calls: usize, mut f: F) -> Vec<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..calls / 20 {
        f().await; // warm-up: connections, token, caches
    }
    let mut out = Vec::with_capacity(calls);
    for _ in 0..calls {
        let t = Instant::now();
        f().await;
        out.push(t.elapsed());
    }
    out
}

async fn mcp_users_get(client: &RunningService<RoleClient, ()>, user: &str) {
    let args = json!({"id": user}).as_object().cloned().unwrap_or_default();
    let r = client.call_tool(CallToolRequestParams::new("users_get").with_arguments(args)).await.expect("tools/call");
    assert_eq!(r.is_error, Some(false), "{:?}", r.content);
}

fn gateway_command(bin: &PathBuf, tenant: &FakeTenant, args: &[&str]) -> Command {
    let mut cmd = Command::new(bin);
    cmd.args(args)
        .env("AUTH0_MGMT_BASE_URL", tenant.base_url())
        .env("AUTH0_CLIENT_ID", tenant.client_id())
        .env("AUTH0_CLIENT_SECRET", tenant.client_secret())
        .env("RUST_LOG", "error")
        .kill_on_drop(true);
    cmd
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let calls: usize = std::env::var("CALLS").ok().and_then(|c| c.parse().ok()).unwrap_or(1000);
    let bin = gateway_bin();
    let tenant = FakeTenant::builder().seed(Seed::empty().users(100)).start().await?;
    let user = tenant.insert_user(json!({"user_id": "auth0|bench", "email": "bench@example.com"}));
    let dir = tempfile::tempdir()?;
    let policy_path = dir.path().join("policy.toml");
    std::fs::write(&policy_path, policy_text())?;
    let policy_arg = policy_path.to_str().ok_or("path")?;

    // 1. The library, in this process.
    let client = Client::builder()
        .base_url(tenant.base_url())
        .client_credentials(tenant.client_id(), tenant.client_secret())
        .build()?;
    let uid: UserId = user.parse()?;
    let plain = time_calls(calls, || async { client.users().get(&uid).await.map(drop).expect("get") }).await;
    let guarded = GuardedClient::new(
        &client,
        Arc::new(Policy::from_toml(&policy_text())?),
        "bench0",
        Arc::new(MemorySink::new()),
    );
    let lib = time_calls(calls, || async { guarded.users().get(&uid).await.map(drop).expect("get") }).await;

    // 2. stdio: the binary as a child process.
    let cmd = gateway_command(&bin, &tenant, &["stdio", "--policy", policy_arg, "--agent", "bench0"]);
    let (transport, _) = TokioChildProcess::builder(cmd).stderr(Stdio::null()).spawn()?;
    let stdio_pid = transport.id();
    let stdio = ().serve(transport).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let stdio_idle = stdio_pid.and_then(rss_kib);
    let over_stdio = time_calls(calls, || mcp_users_get(&stdio, &user)).await;
    stdio.cancel().await?;

    // 3. HTTP: the binary serving 16 agents.
    let mut cmd = gateway_command(&bin, &tenant, &["http", "--policy", policy_arg, "--listen", "127.0.0.1:0"]);
    cmd.stdout(Stdio::piped()).stderr(Stdio::null());
    let mut child = cmd.spawn()?;
    let pid = child.id().ok_or("no pid")?;
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while stdout.read(&mut byte).await? == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    let url = String::from_utf8(line)?.trim_start_matches("listening on ").to_owned();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let http_idle = rss_kib(pid);
    let connect = |i: usize| {
        let config = StreamableHttpClientTransportConfig::with_uri(url.clone()).auth_header(key(i));
        ().serve(StreamableHttpClientTransport::from_config(config))
    };
    let one = connect(0).await?;
    let over_http = time_calls(calls, || mcp_users_get(&one, &user)).await;

    // 16 agents at once, each with its own key and session, calling concurrently.
    let mut sessions = Vec::new();
    for i in 0..AGENTS {
        sessions.push(Arc::new(connect(i).await?));
    }
    let peak = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let sampler = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                if let Some(r) = rss_kib(pid) {
                    peak.fetch_max(r, std::sync::atomic::Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    let per_agent = (calls / AGENTS).max(20);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for s in &sessions {
        let (s, user) = (s.clone(), user.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..per_agent {
                mcp_users_get(&s, &user).await;
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let concurrent = started.elapsed();
    sampler.abort();
    let busy = rss_kib(pid);
    child.kill().await?;

    let row = |name: &str, v: Vec<Duration>, base: f64| {
        let (p50, p99) = percentiles(v);
        let overhead = if base > 0.0 { format!("{:+.3}", p50 - base) } else { "—".to_owned() };
        println!("| {name} | {p50:.3} | {p99:.3} | {overhead} |");
        p50
    };
    println!("users_get, {calls} sequential calls each, fake tenant on loopback\n");
    println!("| path | p50 ms | p99 ms | p50 overhead vs library (guarded) ms |\n|---|---|---|---|");
    row("library, unguarded Client", plain, 0.0);
    let base = row("library, GuardedClient", lib, 0.0);
    row("MCP tools/call over stdio (child process)", over_stdio, base);
    row("MCP tools/call over HTTP (child process, 1 agent)", over_http, base);
    let kib = |v: Option<u64>| v.map_or("n/a".to_owned(), |k| format!("{:.1} MiB", k as f64 / 1024.0));
    println!("\n| gateway memory (RSS) | |\n|---|---|");
    println!("| idle, stdio, 1 agent | {} |", kib(stdio_idle));
    println!("| idle, HTTP, {AGENTS} agents configured | {} |", kib(http_idle));
    println!(
        "| HTTP, {AGENTS} agents connected, {} concurrent calls (peak) | {} |",
        per_agent * AGENTS,
        kib(Some(peak.load(std::sync::atomic::Ordering::Relaxed)).filter(|p| *p > 0))
    );
    println!("| HTTP, after the concurrent run | {} |", kib(busy));
    println!(
        "\n{} calls from {AGENTS} concurrent agents took {:.0} ms ({:.0} calls/s)",
        per_agent * AGENTS,
        concurrent.as_secs_f64() * 1e3,
        (per_agent * AGENTS) as f64 / concurrent.as_secs_f64()
    );
    tenant.shutdown().await;
    Ok(())
}
