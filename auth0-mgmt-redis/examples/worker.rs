//! One worker process of a shared deployment: an `auth0-mgmt` client that shares its token
//! and rate-limit bucket through Redis and makes GET-user calls, then prints a report.
//! Start several against the same tenant and Redis to watch them pace as one client:
//!
//! ```text
//! cargo run -p auth0-mgmt-redis --example worker -- \
//!     --tenant http://127.0.0.1:PORT --redis redis://127.0.0.1:6379/ \
//!     --client-id ID --client-secret SECRET --user 'auth0|…' --calls 100 --concurrency 8 < /dev/null
//! ```
//!
//! Without `--redis` it runs a plain client (each process on its own). It prints
//! `AUTH0-WORKER READY`, waits for a `go` line on stdin (or its end), runs the calls and
//! prints `AUTH0-WORKER REPORT {json}`. The tests and the `figures` example start the same
//! worker code.

#[path = "../tests/support/mod.rs"]
mod support;

fn main() {
    if support::worker::run_if_worker() {
        return;
    }
    let mut args = std::env::args().skip(1);
    let mut w = support::WorkerArgs::new("", "", "", "");
    while let Some(flag) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage(&format!("{flag} needs a value")));
        match flag.as_str() {
            "--tenant" => w.tenant = value(),
            "--redis" => w.redis = Some(value()),
            "--client-id" => w.client_id = value(),
            "--client-secret" => w.client_secret = value(),
            "--user" => w.user_id = value(),
            "--deployment" => w.deployment = value(),
            "--calls" => w.calls = value().parse().unwrap_or_else(|_| usage("--calls: a number")),
            "--concurrency" => w.concurrency = value().parse().unwrap_or_else(|_| usage("--concurrency: a number")),
            "--warm" => w.warm = true,
            other => usage(&format!("unknown argument {other}")),
        }
    }
    if w.tenant.is_empty() || w.client_id.is_empty() || w.user_id.is_empty() {
        usage("--tenant, --client-id and --user are required");
    }
    support::worker::run(w);
}

fn usage(why: &str) -> ! {
    eprintln!(
        "worker: {why}\nusage: worker --tenant URL --client-id ID --client-secret SECRET --user USER_ID \
         [--redis URL] [--deployment NAME] [--calls N] [--concurrency N] [--warm]"
    );
    std::process::exit(2)
}
