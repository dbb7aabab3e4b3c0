//! A private `redis-server` per test: loopback, a free port, no persistence, stopped by
//! its PID when dropped. Also included by the gateway's tests
//! (`auth0-mgmt-mcp/tests/redis.rs`), so that there is one launcher.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Set to `1` to make a missing `redis-server` a failure instead of a skip. CI installs
/// Redis and sets it; a fresh clone without Redis passes, each test saying it skipped.
pub const REQUIRE_VAR: &str = "AUTH0_MGMT_REQUIRE_REDIS";
/// A `redis-server` of this test alone: loopback, a free port, no persistence, in a
/// temporary directory. Killed (by its PID) when dropped.
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
    binary: PathBuf,
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file())
}

impl RedisServer {
    /// Starts one, or `None` when `redis-server` is not on the `PATH` (the test then
    /// says it skipped and how to run it) — a failure instead when [`REQUIRE_VAR`] is `1`.
    pub fn start_or_skip(test: &str) -> Option<RedisServer> {
        match find_on_path("redis-server") {
            Some(binary) => Some(RedisServer::start_with(binary)),
            None if std::env::var(REQUIRE_VAR).as_deref() == Ok("1") => panic!(
                "{test}: redis-server is not on the PATH and {REQUIRE_VAR}=1. Install it \
                 (Debian/Ubuntu: `apt-get install -y redis-server`; macOS: `brew install redis`)."
            ),
            None => {
                eprintln!(
                    "{test}: skipped: redis-server is not on the PATH (install it, e.g. \
                     `apt-get install -y redis-server`, to run this test)"
                );
                None
            }
        }
    }

    fn start_with(binary: PathBuf) -> RedisServer {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut server = RedisServer { child: None, port: free_port(), dir, binary };
        server.restart();
        server
    }

    /// The loopback port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's URL.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Starts the server (again) on its port, and waits until it answers.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "already running");
        let log = std::fs::File::create(self.dir.path().join("redis.log")).expect("log file");
        let child = Command::new(&self.binary)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--dir", &self.dir.path().display().to_string(), "--daemonize", "no", "--protected-mode", "yes"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .spawn()
            .expect("spawn redis-server");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.answers() {
            assert!(Instant::now() < deadline, "redis-server did not answer in 10 s: {}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the server (by its PID) and waits for it to exit.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Freezes the server (`kill -STOP` on its PID): connections stay open, nothing
    /// answers — a Redis that hangs, for as long as the test needs. [`thaw`](Self::thaw)
    /// ends it; dropping the server kills it either way.
    pub fn freeze(&self) {
        self.signal("-STOP");
    }

    /// Lets a [`freeze`](Self::freeze)d server go on (`kill -CONT` on its PID).
    pub fn thaw(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let pid = self.child.as_ref().expect("running").id().to_string();
        let status = Command::new("kill").args([signal, &pid]).status().expect("run kill");
        assert!(status.success(), "kill {signal} {pid}");
    }

    /// Whether it answers `PING` (a raw RESP exchange, no client library).
    pub fn answers(&self) -> bool {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else { return false };
        let _ = s.set_read_timeout(Some(Duration::from_secs(1)));
        if s.write_all(b"PING\r\n").is_err() {
            return false;
        }
        let mut line = String::new();
        BufReader::new(s).read_line(&mut line).is_ok() && line.starts_with("+PONG")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("redis.log")).unwrap_or_default()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}
