//! Test and benchmark support: a private `redis-server` per test (stopped by its PID when
//! dropped), and worker processes that run an `auth0-mgmt` client against a tenant and
//! report what they saw.
#![allow(dead_code)]

pub mod server;
pub mod worker;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use auth0_mgmt_fake::{FakeTenant, Seed};
use auth0_mgmt_redis::SharedConfig;

pub use server::RedisServer;
pub use worker::{Report, WorkerArgs};

/// The environment variable that turns a spawned test or example binary into a worker.
pub const WORKER_VAR: &str = "AUTH0_MGMT_REDIS_WORKER";

/// A worker process: this very binary started again with [`WORKER_VAR`] set.
pub struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
}

impl Worker {
    /// Spawns `program args…` with the worker's arguments in the environment.
    pub fn spawn(program: &Path, args: &[&str], worker: &WorkerArgs) -> Worker {
        let mut child = Command::new(program)
            .args(args)
            .env(WORKER_VAR, serde_json::to_string(worker).expect("worker args"))
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn a worker");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                // libtest may have printed `test worker_process ... ` before it.
                if let Some(at) = line.find(worker::PREFIX)
                    && tx.send(line[at + worker::PREFIX.len()..].to_owned()).is_err()
                {
                    return;
                }
            }
        });
        let stdin = child.stdin.take();
        Worker { child, stdin, lines }
    }

    /// Waits for a line starting with `what` (at most `timeout`).
    pub fn expect(&self, what: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.starts_with(what) => return line,
                Ok(_) => {}
                Err(e) => panic!("worker: no {what:?} line within {timeout:?}: {e}"),
            }
        }
    }

    pub fn send(&mut self, line: &str) {
        if let Some(stdin) = &mut self.stdin {
            writeln!(stdin, "{line}").expect("write to the worker");
            stdin.flush().expect("flush");
        }
    }

    /// The worker's final report (it prints one when its calls are done).
    pub fn report(mut self, timeout: Duration) -> Report {
        let line = self.expect("REPORT ", timeout);
        let report = serde_json::from_str(&line["REPORT ".len()..]).expect("a report");
        drop(self.stdin.take());
        let _ = self.child.wait();
        report
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Only the process this test started, by its PID.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Starts `n` workers, waits until each is ready, then tells them all to go.
pub fn start_workers(program: &Path, args: &[&str], worker: &WorkerArgs, n: usize) -> Vec<Worker> {
    let mut workers: Vec<Worker> = (0..n).map(|_| Worker::spawn(program, args, worker)).collect();
    for w in &workers {
        w.expect("READY", Duration::from_secs(60));
    }
    for w in &mut workers {
        w.send("go");
    }
    workers
}

/// Every key and value in the Redis at `port` (a raw RESP client, no library).
pub fn dump(server: &RedisServer) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut s = TcpStream::connect(("127.0.0.1", server.port())).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut r = BufReader::new(s.try_clone().unwrap());
    let keys = match command(&mut s, &mut r, &[b"KEYS", b"*"]) {
        Resp::Array(items) => {
            items.into_iter().filter_map(|v| if let Resp::Bulk(Some(b)) = v { Some(b) } else { None })
        }
        other => panic!("KEYS: {other:?}"),
    }
    .collect::<Vec<_>>();
    keys.into_iter()
        .map(|k| {
            let v = match command(&mut s, &mut r, &[b"GET", &k]) {
                Resp::Bulk(Some(v)) => v,
                other => format!("{other:?}").into_bytes(),
            };
            (k, v)
        })
        .collect()
}

#[derive(Debug)]
enum Resp {
    Simple(String),
    Error(String),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Vec<Resp>),
}

fn command(s: &mut TcpStream, r: &mut BufReader<TcpStream>, args: &[&[u8]]) -> Resp {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    s.write_all(&out).expect("write");
    read_resp(r)
}

fn read_resp(r: &mut BufReader<TcpStream>) -> Resp {
    let mut line = String::new();
    r.read_line(&mut line).expect("read");
    let (kind, rest) = line.trim_end().split_at(1);
    match kind {
        "+" => Resp::Simple(rest.to_owned()),
        "-" => Resp::Error(rest.to_owned()),
        ":" => Resp::Int(rest.parse().expect("int")),
        "$" => {
            let n: i64 = rest.parse().expect("len");
            if n < 0 {
                return Resp::Bulk(None);
            }
            let mut buf = vec![0; n as usize + 2];
            std::io::Read::read_exact(r, &mut buf).expect("bulk");
            buf.truncate(n as usize);
            Resp::Bulk(Some(buf))
        }
        "*" => {
            let n: i64 = rest.parse().expect("len");
            Resp::Array((0..n.max(0)).map(|_| read_resp(r)).collect())
        }
        _ => panic!("unexpected RESP line {line:?}"),
    }
}

/// The `q`-quantile (0..=1) of `values` (sorted here).
pub fn quantile(values: &mut [u64], q: f64) -> u64 {
    if values.is_empty() {
        return 0;
    }
    values.sort_unstable();
    let i = ((values.len() - 1) as f64 * q).round() as usize;
    values[i]
}

/// The remaining time to live of `key` in ms (`PTTL`: -1 no expiry, -2 no such key).
pub fn pttl(server: &RedisServer, key: &[u8]) -> i64 {
    query_int(server, &[b"PTTL", key])
}

/// Every key name in the Redis (`KEYS *`).
pub fn keys(server: &RedisServer) -> Vec<String> {
    dump(server).into_iter().map(|(k, _)| String::from_utf8_lossy(&k).into_owned()).collect()
}

/// A command whose answer is an integer.
pub fn query_int(server: &RedisServer, args: &[&[u8]]) -> i64 {
    let mut s = TcpStream::connect(("127.0.0.1", server.port())).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut r = BufReader::new(s.try_clone().unwrap());
    match command(&mut s, &mut r, args) {
        Resp::Int(n) => n,
        other => panic!("{:?}: {other:?}", String::from_utf8_lossy(args[0])),
    }
}

/// A multi-threaded runtime of two workers (the fake tenant's, and the tests' calls).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// A fake tenant with one user, on a runtime of its own.
pub struct Tenant {
    pub rt: tokio::runtime::Runtime,
    pub fake: FakeTenant,
    pub user: String,
}

impl Tenant {
    pub fn start(
        configure: impl FnOnce(auth0_mgmt_fake::FakeTenantBuilder) -> auth0_mgmt_fake::FakeTenantBuilder,
    ) -> Tenant {
        let rt = runtime();
        let fake = rt.block_on(configure(FakeTenant::builder().seed(Seed::empty().users(1))).start()).unwrap();
        let user = fake.user_ids()[0].clone();
        Tenant { rt, fake, user }
    }

    pub fn args(&self, redis: Option<&RedisServer>) -> WorkerArgs {
        let mut args =
            WorkerArgs::new(self.fake.base_url(), self.fake.client_id(), self.fake.client_secret(), &self.user);
        args.redis = redis.map(RedisServer::url);
        args
    }
}

/// The shared settings of the tests: deployment `test`, a 2 s timeout, a 50 ms retry.
pub fn config() -> SharedConfig {
    SharedConfig::default().deployment("test").timeout(Duration::from_secs(2)).retry_interval(Duration::from_millis(50))
}

/// How many requests the shared pacer model counts as in flight.
pub fn in_flight(redis: &RedisServer) -> usize {
    let (_, model) =
        dump(redis).into_iter().find(|(k, _)| k.starts_with(b"auth0-mgmt:test:pacer:")).expect("the model");
    let model: serde_json::Value = serde_json::from_slice(&model).expect("JSON");
    model["inflight"].as_object().map_or(0, |m| m.len())
}
