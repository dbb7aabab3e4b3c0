//! Cold start: what the first call of a fresh process costs (client build, token mint
//! and one GET, both over TLS), for the TLS backend this build was compiled with.
//!
//! The parent starts a loopback HTTPS server (test CA in `tests/tls/`) and runs itself
//! as a child process ten times; each child builds a client trusting that CA, makes its
//! first call and a second one, and reports wall-clock and CPU time (Linux: summed over
//! the process's threads from `/proc`). The server lives in the parent, so the child's
//! crypto provider starts cold. Compare the backends by building with each feature:
//!
//! ```sh
//! cargo run --release -p auth0-mgmt --example bench_cold_start                  # rustls + ring (default)
//! cargo run --release -p auth0-mgmt --example bench_cold_start --no-default-features --features rustls-aws-lc-rs
//! cargo run --release -p auth0-mgmt --example bench_cold_start --no-default-features --features native-tls
//! ```

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use auth0_mgmt::{Client, UserId};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const RUNS: usize = 10;

fn tls_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/tls")
}

/// CPU time of this process so far: the sum over its live threads of
/// `/proc/self/task/*/schedstat` (nanoseconds on the CPU), `None` off Linux.
fn cpu_time() -> Option<Duration> {
    let mut total = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(Duration::from_nanos(total))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 3 && args[1] == "child" {
        child(&args[2]);
    } else {
        parent();
    }
}

/// One cold process: build a client, first call (mint + GET), second call.
fn child(base: &str) {
    let cpu0 = cpu_time();
    let t0 = Instant::now();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (first, second) = rt.block_on(async {
        let client = Client::builder()
            .base_url(base)
            .client_credentials("bench-client", "bench-secret")
            .ca_file(tls_dir().join("ca.pem"))
            .build()
            .unwrap();
        let id: UserId = "auth0|1".parse().unwrap();
        client.users().get(&id).await.unwrap();
        let first = (t0.elapsed(), cpu_time());
        let t1 = Instant::now();
        client.users().get(&id).await.unwrap();
        (first, t1.elapsed())
    });
    let cpu = match (cpu0, first.1) {
        (Some(a), Some(b)) => format!("{:.2}", ms(b.saturating_sub(a))),
        _ => "nan".into(),
    };
    println!("{:.2} {cpu} {:.2}", ms(first.0), ms(second));
}

fn parent() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = rt.block_on(https_server());
    let exe = std::env::current_exe().unwrap();
    let (mut wall, mut cpu, mut warm) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let out = Command::new(&exe).args(["child", &base]).output().expect("child process");
        assert!(out.status.success(), "child failed: {}", String::from_utf8_lossy(&out.stderr));
        let line = String::from_utf8_lossy(&out.stdout);
        let v: Vec<f64> = line.split_whitespace().map(|x| x.parse().unwrap_or(f64::NAN)).collect();
        wall.push(v[0]);
        cpu.push(v[1]);
        warm.push(v[2]);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    println!("TLS backend: {}", auth0_mgmt::TLS_BACKEND);
    println!("cold first call (client build + mint + GET, fresh process, {RUNS} runs):");
    println!("  wall  median {:.1} ms, min {:.1} ms", median(&mut wall), min(&wall));
    println!("  CPU   median {:.1} ms, min {:.1} ms", median(&mut cpu), min(&cpu));
    println!("  second call (warm, same process): median {:.2} ms", median(&mut warm));
}

/// An HTTPS server on 127.0.0.1 (ring provider; it runs in the parent) answering every
/// request with a token or a user, one request per connection.
async fn https_server() -> String {
    let dir = tls_dir();
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(dir.join("server.pem")).unwrap().map(Result::unwrap).collect();
    let key = PrivateKeyDer::from_pem_file(dir.join("server.key")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let _ = sock.set_nodelay(true);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(sock).await else { return };
                let mut buf: Vec<u8> = Vec::new();
                loop {
                    // One request: its head, then `content-length` bytes of body.
                    let mut tmp = [0u8; 16 * 1024];
                    let head_end = loop {
                        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break p + 4;
                        }
                        match tls.read(&mut tmp).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&tmp[..n]),
                        }
                    };
                    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
                    let len = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    while buf.len() < head_end + len {
                        match tls.read(&mut tmp).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&tmp[..n]),
                        }
                    }
                    let is_token = buf.starts_with(b"POST /oauth/token");
                    buf.drain(..head_end + len);
                    let body: &[u8] = if is_token {
                        br#"{"access_token":"cold-token","token_type":"Bearer","expires_in":86400}"#
                    } else {
                        br#"{"user_id":"auth0|1"}"#
                    };
                    let head = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                        body.len()
                    );
                    // One write: two small ones meet Nagle and delayed ACKs (+40 ms).
                    let mut out = head.into_bytes();
                    out.extend_from_slice(body);
                    if tls.write_all(&out).await.is_err() || tls.flush().await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("https://localhost:{port}")
}
