//! An in-process **fake Auth0 tenant**: the Management API v2 plus the
//! client-credentials token endpoint, served over plain HTTP on `127.0.0.1`.
//!
//! It exists so code built on `auth0-mgmt` (or any Auth0 client) can be tested,
//! benchmarked and soak-tested without a real tenant. It keeps its state in memory
//! (JSON objects, unknown fields preserved), mimics the real status codes, error
//! bodies, pagination modes and quirks documented in `auth0-api.md`, and can inject
//! rate limiting and faults.
//!
//! # Example
//!
//! ```
//! use auth0_mgmt_fake::{FakeTenant, Seed};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let tenant = FakeTenant::builder()
//!     .seed(Seed::default().users(50))
//!     .start()
//!     .await?;
//!
//! // Point your client at the origin; it appends `/oauth/token` and `/api/v2/...`.
//! let base = tenant.base_url(); // "http://127.0.0.1:PORT"
//! let audience = format!("{base}/api/v2/"); // `https://{domain}/api/v2/` works too
//! # let _ = audience;
//! assert_eq!(tenant.client_id(), auth0_mgmt_fake::DEFAULT_CLIENT_ID);
//! assert_eq!(tenant.user_count(), 50);
//!
//! // e.g. with reqwest:
//! // POST {base}/oauth/token  {"grant_type":"client_credentials","client_id":..,
//! //                           "client_secret":..,"audience": audience}
//! // GET  {base}/api/v2/users?per_page=100&include_totals=true  (Bearer token)
//!
//! println!("{} requests so far", tenant.counters().requests);
//! tenant.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # With the `auth0-mgmt` client
//!
//! The real client talks to the fake through its base-URL override; nothing in the
//! client knows it is a fake. This is how to test code built on `auth0-mgmt`:
//!
//! ```
//! use auth0_mgmt::Client;
//! use auth0_mgmt_fake::{FakeTenant, Seed};
//! use futures::TryStreamExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let tenant = FakeTenant::builder().seed(Seed::empty().users(120)).start().await?;
//! let client = Client::builder()
//!     .base_url(tenant.base_url())
//!     .client_credentials(tenant.client_id(), tenant.client_secret())
//!     .build()?;
//!
//! let users: Vec<_> = client.users().list().per_page(50).stream().try_collect().await?;
//! assert_eq!(users.len(), 120);
//! assert_eq!(tenant.counters().token_mints, 1);
//! assert_eq!(tenant.requests().iter().filter(|r| r.path == "/api/v2/users").count(), 3);
//! # Ok(()) }
//! ```
//!
//! # Defaults
//!
//! * Credentials: [`DEFAULT_CLIENT_ID`] / [`DEFAULT_CLIENT_SECRET`]
//!   (`fake-client-id` / `fake-client-secret`).
//! * Granted scopes: every scope in [`SCOPE_CATALOG`].
//! * Token lifetime: 86 400 s. Tokens are unsigned JWT-shaped strings whose payload
//!   carries `scope`, `exp`, `iat`, `aud`, `sub`, `azp`.
//! * No rate limit, no faults, no token-endpoint latency.
//! * Offset paging of `/users` and `/logs` is capped at 1000 results
//!   (`invalid_paging`); disable with [`FakeTenantBuilder::offset_cap`]`(None)`.
//! * Seed data: [`Seed::default`].
//! * Up to 100 000 recorded requests are kept (oldest dropped first).
//!
//! # Token endpoint
//!
//! `POST /oauth/token` accepts JSON or form bodies (and HTTP Basic client auth) with
//! `grant_type=client_credentials`. Wrong credentials → `401
//! {"error":"access_denied","error_description":"Unauthorized"}`; a missing audience or
//! one not ending in `/api/v2/` → `403 access_denied`. An optional `scope` narrows
//! the granted scopes.
//!
//! # Supported Management API routes (under `/api/v2`)
//!
//! | Route | Notes |
//! |---|---|
//! | `GET /users` | `q` (`field:"value"`, `*` wildcards, dotted fields, free text, `AND`/`OR`), `sort`, `fields`/`include_fields`, offset paging, `include_totals`, 1000 cap |
//! | `POST /users` | 201; 400 unknown connection / bad body; 409 duplicate email per connection |
//! | `GET/PATCH/DELETE /users/{id}` | PATCH merges `app_metadata`/`user_metadata` one level deep; DELETE 204 (idempotent) |
//! | `GET /users-by-email?email=` | bare array |
//! | `GET/POST/DELETE /users/{id}/roles` | POST/DELETE 204 |
//! | `GET/POST /roles`, `GET/PATCH/DELETE /roles/{id}` | create is **200**; delete 200 `{}`; 404 without errorCode |
//! | `GET/POST /roles/{id}/users` | offset + checkpoint; POST 200 `{}` |
//! | `GET/POST /clients`, `GET/PATCH/DELETE /clients/{id}` | offset + checkpoint, `app_type`/`is_first_party`/`is_global` filters; create 201 |
//! | `GET/POST /connections`, `GET/DELETE /connections/{id}` | `strategy`/`name` filters, offset + checkpoint; delete 202 `{"deleted_at"}` then 204 |
//! | `GET/POST /organizations`, `GET/PATCH/DELETE /organizations/{id}`, `GET /organizations/name/{name}` | offset + checkpoint (`next` absent on the last page) |
//! | `GET/POST/DELETE /organizations/{id}/members` | offset + checkpoint; POST 204 |
//! | `GET /logs`, `GET /logs/{id}` | offset newest-first with `q`; checkpoint `from`/`take` ascending (bare array, `Link` header) |
//! | `GET /grants`, `DELETE /grants/{id}`, `DELETE /grants?user_id=` | filters `user_id`, `client_id`, `audience` |
//! | `GET/POST /resource-servers`, `GET/PATCH/DELETE /resource-servers/{id or identifier}` | create 201, 409 on duplicate identifier |
//! | `GET /refresh-tokens?user_id=`, `GET/PATCH/DELETE /refresh-tokens/{id}`, `POST /refresh-tokens/revoke` | checkpoint only; delete/revoke 202 |
//! | `GET/PATCH/DELETE /sessions/{id}`, `POST /sessions/{id}/revoke` | delete/revoke 202 `{}` |
//!
//! Anything else answers `404 {"statusCode":404,"error":"Not Found","message":"Not Found"}`.
//! Every successful write appends a `sapi` log event and bumps
//! [`Counters::writes_applied`].
//!
//! Paths are routed on the raw path split at `/` **before** percent-decoding, and each
//! segment is decoded exactly once, so `auth0%7Cabc%2Fdef` is the single id `auth0|abc/def`.
//!
//! # Rate limiting and faults
//!
//! See [`RateLimit`] and [`Faults`]. With a rate limit every Management API response
//! carries `x-ratelimit-limit`, `x-ratelimit-remaining` and `x-ratelimit-reset` (UNIX
//! epoch seconds, whole seconds rounded up, of the next refill — deliberately coarse,
//! like Auth0). An empty bucket gives `429` with `errorCode: too_many_requests` and no
//! `Retry-After` unless [`FakeTenantBuilder::retry_after_header`] is enabled. The bucket
//! uses `tokio::time::Instant`, so tests with a paused clock behave.

/// The crate README's examples, compiled as doctests so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod config;
mod query;
mod routes;
mod seed;
mod server;
mod store;
mod types;
mod util;

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Faults, RateLimit, SCOPE_CATALOG, Seed};
pub use types::{Counters, RecordedRequest};

use server::{Bucket, Quota, Settings, Shared, lock};
use store::Store;

/// Configures and starts a [`FakeTenant`]. Obtain one with [`FakeTenant::builder`].
///
/// ```
/// use std::time::Duration;
/// use auth0_mgmt_fake::{FakeTenant, Faults, RateLimit, Seed};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let tenant = FakeTenant::builder()
///     .client_credentials("my-id", "my-secret")
///     .granted_scopes(["read:users", "create:users"])
///     .token_lifetime(Duration::from_secs(3600))
///     .rate_limit(RateLimit::new(10, 100.0))
///     .faults(Faults { error_rate: 0.05, seed: Some(1), ..Default::default() })
///     .seed(Seed::default().users(250).roles(5).organizations(30).logs(500))
///     .offset_cap(None)
///     .start()
///     .await?;
/// assert_eq!(tenant.client_id(), "my-id");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct FakeTenantBuilder {
    client_id: String,
    client_secret: String,
    scopes: Vec<String>,
    token_lifetime: Duration,
    rate_limit: Option<RateLimit>,
    token_rate_limit: Option<RateLimit>,
    retry_after: bool,
    faults: Faults,
    seed: Seed,
    offset_cap: Option<usize>,
    token_latency: Option<Duration>,
    token_quota_per_hour: Option<u32>,
    record_limit: usize,
    max_logs: usize,
}

impl Default for FakeTenantBuilder {
    fn default() -> Self {
        FakeTenantBuilder {
            client_id: DEFAULT_CLIENT_ID.to_string(),
            client_secret: DEFAULT_CLIENT_SECRET.to_string(),
            scopes: SCOPE_CATALOG.iter().map(|s| s.to_string()).collect(),
            token_lifetime: Duration::from_secs(86_400),
            rate_limit: None,
            token_rate_limit: None,
            retry_after: false,
            faults: Faults::default(),
            seed: Seed::default(),
            offset_cap: Some(1000),
            token_latency: None,
            token_quota_per_hour: None,
            record_limit: 100_000,
            max_logs: 1_000_000,
        }
    }
}

impl FakeTenantBuilder {
    /// The client id/secret accepted by `/oauth/token`
    /// (default [`DEFAULT_CLIENT_ID`] / [`DEFAULT_CLIENT_SECRET`]).
    pub fn client_credentials(mut self, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.client_id = id.into();
        self.client_secret = secret.into();
        self
    }

    /// Scopes put into minted tokens (default: all of [`SCOPE_CATALOG`]).
    pub fn granted_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// `expires_in` of minted tokens (default 86 400 s). Expiry is measured with
    /// `tokio::time::Instant`.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// Rate-limit the Management API with a token bucket (default: off).
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// Rate-limit `POST /oauth/token` with its own bucket (default: off).
    pub fn token_rate_limit(mut self, limit: RateLimit) -> Self {
        self.token_rate_limit = Some(limit);
        self
    }

    /// Add a `Retry-After` header (whole seconds until one request token is
    /// available, at least 1) to rate-limit 429s. Default: off, like Auth0.
    pub fn retry_after_header(mut self, on: bool) -> Self {
        self.retry_after = on;
        self
    }

    /// Fault injection settings (default: none).
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Seed data (default [`Seed::default`]).
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// Cap for offset paging of `/users` and `/logs` (default `Some(1000)`:
    /// `(page+1)*per_page > 1000` → 400 `invalid_paging`). `None` disables the cap,
    /// useful for benchmarks that stream large tenants.
    pub fn offset_cap(mut self, cap: Option<usize>) -> Self {
        self.offset_cap = cap;
        self
    }

    /// Delay every `/oauth/token` response by this much (default: none).
    pub fn token_latency(mut self, latency: Duration) -> Self {
        self.token_latency = Some(latency);
        self
    }

    /// Enforce a per-hour mint quota on `/oauth/token` and send
    /// `Auth0-Client-Quota-Limit: b=per_hour;q=..;r=..;t=..` on its responses.
    /// Exceeding it gives `429 {"error":"too_many_requests","error_description":"Client quota exceeded"}`
    /// with `Retry-After`.
    pub fn token_quota_per_hour(mut self, quota: u32) -> Self {
        self.token_quota_per_hour = Some(quota);
        self
    }

    /// How many requests [`FakeTenant::requests`] keeps (default 100 000; 0 = none).
    pub fn record_limit(mut self, n: usize) -> Self {
        self.record_limit = n;
        self
    }

    /// Log retention: keep at most about this many log events, dropping the oldest
    /// (default 1 000 000).
    pub fn max_logs(mut self, n: usize) -> Self {
        self.max_logs = n;
        self
    }

    /// Bind `127.0.0.1:0`, seed the state and spawn the server on the current tokio
    /// runtime.
    ///
    /// Seeding runs on tokio's blocking pool: a large seed (say 50,000 logs) takes a
    /// good part of a second of CPU, which would otherwise stall the task that awaits
    /// `start` and every task sharing its thread. It also keeps the seed's many
    /// short-lived allocations away from the heap of the caller's thread (glibc gives
    /// each thread its own arena), so that a benchmark or a test running next to the
    /// tenant in one process measures its own work, not a heap the seeding fragmented.
    pub async fn start(self) -> io::Result<FakeTenant> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let domain = format!("127.0.0.1:{}", addr.port());
        let base_url = format!("http://{domain}");
        let (seed_spec, client_id, max_logs, store_domain) =
            (self.seed.clone(), self.client_id.clone(), self.max_logs, domain.clone());
        let store = tokio::task::spawn_blocking(move || {
            let mut store = Store::new(store_domain, seed_spec.random_seed, max_logs);
            seed::seed(&mut store, &seed_spec, &client_id);
            store
        })
        .await
        .map_err(io::Error::other)?;
        let shared = Arc::new(Shared {
            store: Mutex::new(store),
            settings: Mutex::new(Settings {
                scopes: self.scopes,
                token_lifetime: self.token_lifetime,
                faults: self.faults.clone(),
                retry_after: self.retry_after,
                token_latency: self.token_latency,
                offset_cap: self.offset_cap,
                record_limit: self.record_limit,
            }),
            fault_rng: Mutex::new(fastrand::Rng::with_seed(fault_seed(&self.faults))),
            mgmt_bucket: Mutex::new(self.rate_limit.map(Bucket::new)),
            token_bucket: Mutex::new(self.token_rate_limit.map(Bucket::new)),
            quota: Mutex::new(self.token_quota_per_hour.map(Quota::new)),
            records: Mutex::new(VecDeque::new()),
            counters: Default::default(),
            client_id: self.client_id,
            client_secret: self.client_secret,
            base_url,
            domain,
        });
        let (tx, rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, shared.clone(), rx));
        Ok(FakeTenant { shared, addr, shutdown: tx, task: Some(task) })
    }
}

fn fault_seed(f: &Faults) -> u64 {
    f.seed.unwrap_or(0x0fau64 << 32 | 0x17)
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut rx: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            res = listener.accept() => {
                let stream = match res {
                    Ok((s, _)) => s,
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                let mut conn_rx = rx.clone();
                tokio::spawn(async move {
                    let svc = service_fn(move |req| server::handle(shared.clone(), req));
                    let conn = http1::Builder::new()
                        .timer(TokioTimer::new())
                        // no server-side timers: tests may run with a paused tokio clock
                        .header_read_timeout(None)
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), svc);
                    tokio::select! {
                        _ = conn => {}
                        _ = conn_rx.changed() => {}
                    }
                });
            }
            _ = rx.changed() => break,
        }
    }
}

/// A running fake Auth0 tenant. Dropping it shuts the server down.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use auth0_mgmt_fake::FakeTenant;
/// use serde_json::json;
///
/// let tenant = FakeTenant::start_default().await?;
/// let id = tenant.insert_user(json!({"email": "ann@example.com", "name": "Ann"}));
/// assert!(id.starts_with("auth0|"));
/// assert_eq!(tenant.user(&id).unwrap()["email"], "ann@example.com");
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct FakeTenant {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Drop for FakeTenant {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

impl FakeTenant {
    /// A builder with all defaults.
    pub fn builder() -> FakeTenantBuilder {
        FakeTenantBuilder::default()
    }

    /// Start with all defaults (default credentials, all scopes, [`Seed::default`]).
    pub async fn start_default() -> io::Result<FakeTenant> {
        FakeTenantBuilder::default().start().await
    }

    /// Stop accepting connections, close open ones and wait for the accept loop.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }

    /// The origin to point a client at, e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// The "tenant domain", `127.0.0.1:PORT`. Audiences `https://{domain}/api/v2/` and
    /// `{base_url}/api/v2/` are both accepted.
    pub fn domain(&self) -> &str {
        &self.shared.domain
    }

    /// The Management API audience in its canonical form, `https://{domain}/api/v2/`.
    pub fn audience(&self) -> String {
        format!("https://{}/api/v2/", self.shared.domain)
    }

    /// The socket address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The accepted client id.
    pub fn client_id(&self) -> &str {
        &self.shared.client_id
    }

    /// The accepted client secret.
    pub fn client_secret(&self) -> &str {
        &self.shared.client_secret
    }

    /// All recorded requests, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.records).iter().cloned().collect()
    }

    /// Forget recorded requests.
    pub fn clear_requests(&self) {
        lock(&self.shared.records).clear();
    }

    /// A snapshot of the counters.
    pub fn counters(&self) -> Counters {
        self.shared.counters.snapshot()
    }

    /// Reset all counters to zero.
    pub fn reset_counters(&self) {
        self.shared.counters.reset();
    }

    /// Replace the scopes put into tokens minted from now on (existing tokens keep theirs).
    pub fn set_granted_scopes<I, S>(&self, scopes: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        lock(&self.shared.settings).scopes = scopes.into_iter().map(Into::into).collect();
    }

    /// Replace (or remove with `None`) the Management API rate limit; the bucket starts full.
    pub fn set_rate_limit(&self, limit: Option<RateLimit>) {
        *lock(&self.shared.mgmt_bucket) = limit.map(Bucket::new);
    }

    /// Replace (or remove) the `/oauth/token` rate limit; the bucket starts full.
    pub fn set_token_rate_limit(&self, limit: Option<RateLimit>) {
        *lock(&self.shared.token_bucket) = limit.map(Bucket::new);
    }

    /// Replace the fault settings; the fault RNG is re-seeded from `faults.seed`.
    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.shared.fault_rng) = fastrand::Rng::with_seed(fault_seed(&faults));
        lock(&self.shared.settings).faults = faults;
    }

    /// Change the `/oauth/token` latency.
    pub fn set_token_latency(&self, latency: Option<Duration>) {
        lock(&self.shared.settings).token_latency = latency;
    }

    /// Forget every minted token (subsequent calls get 401 until they mint again).
    pub fn revoke_all_tokens(&self) {
        lock(&self.shared.store).tokens.clear();
    }

    /// Insert a user directly (no log event). Missing `user_id` gets `auth0|<24 hex>`,
    /// missing `identities` a `Username-Password-Authentication` identity, missing
    /// timestamps "now". Returns the user id.
    pub fn insert_user(&self, user: Value) -> String {
        let mut st = lock(&self.shared.store);
        let mut u = match user {
            Value::Object(m) => m,
            _ => Default::default(),
        };
        let id = match u.get("user_id").and_then(Value::as_str) {
            Some(id) => id.to_string(),
            None => format!("auth0|{}", util::hex(&mut st.rng, 24)),
        };
        u.insert("user_id".into(), Value::from(id.clone()));
        let now = util::now_iso();
        u.entry("created_at").or_insert_with(|| Value::from(now.clone()));
        u.entry("updated_at").or_insert_with(|| Value::from(now));
        if !u.contains_key("identities") {
            let (provider, sub) = id.split_once('|').unwrap_or(("auth0", id.as_str()));
            u.insert(
                "identities".into(),
                serde_json::json!([{"connection": "Username-Password-Authentication",
                    "user_id": sub, "provider": provider, "isSocial": false}]),
            );
        }
        st.put_user(Value::Object(u));
        id
    }

    /// A user by id.
    pub fn user(&self, id: &str) -> Option<Value> {
        lock(&self.shared.store).users.get(id).cloned()
    }

    /// All user ids in listing order.
    pub fn user_ids(&self) -> Vec<String> {
        lock(&self.shared.store)
            .users
            .values()
            .filter_map(|u| u.get("user_id").and_then(Value::as_str).map(str::to_string))
            .collect()
    }

    /// Number of users.
    pub fn user_count(&self) -> usize {
        lock(&self.shared.store).users.len()
    }

    /// Delete a user directly (no log event). Returns whether it existed.
    pub fn remove_user(&self, id: &str) -> bool {
        lock(&self.shared.store).delete_user(id)
    }

    /// Insert a role (`name` required in practice; `id` generated if absent). Returns its id.
    pub fn insert_role(&self, role: Value) -> String {
        let mut st = lock(&self.shared.store);
        let mut r = role;
        let id = match r.get("id").and_then(Value::as_str) {
            Some(id) => id.to_string(),
            None => format!("rol_{}", util::alnum(&mut st.rng, 16)),
        };
        if r.is_object() {
            r["id"] = Value::from(id.clone());
        }
        st.roles.insert(id.clone(), r);
        id
    }

    /// A role by id.
    pub fn role(&self, id: &str) -> Option<Value> {
        lock(&self.shared.store).roles.get(id).cloned()
    }

    /// Role ids assigned to a user.
    pub fn user_role_ids(&self, user_id: &str) -> Vec<String> {
        lock(&self.shared.store).user_roles.get(user_id).cloned().unwrap_or_default()
    }

    /// Insert an organization (`id` generated if absent). Returns its id.
    pub fn insert_organization(&self, org: Value) -> String {
        let mut st = lock(&self.shared.store);
        let mut o = org;
        let id = match o.get("id").and_then(Value::as_str) {
            Some(id) => id.to_string(),
            None => format!("org_{}", util::alnum(&mut st.rng, 16)),
        };
        if o.is_object() {
            o["id"] = Value::from(id.clone());
        }
        st.orgs.insert(id.clone(), o);
        st.org_members.entry(id.clone()).or_default();
        id
    }

    /// An organization by id.
    pub fn organization(&self, id: &str) -> Option<Value> {
        lock(&self.shared.store).orgs.get(id).cloned()
    }

    /// Organization ids in listing order.
    pub fn organization_ids(&self) -> Vec<String> {
        lock(&self.shared.store)
            .orgs
            .values()
            .filter_map(|o| o.get("id").and_then(Value::as_str).map(str::to_string))
            .collect()
    }

    /// Member user ids of an organization.
    pub fn organization_members(&self, org_id: &str) -> Vec<String> {
        lock(&self.shared.store).org_members.get(org_id).cloned().unwrap_or_default()
    }

    /// Append a log event (like a live tenant emitting one). `log_id`/`_id` are always
    /// assigned (strictly greater than every existing id); `date` defaults to now.
    /// Returns the new log id.
    pub fn push_log(&self, event: Value) -> String {
        lock(&self.shared.store).push_log(event, util::now_ms())
    }

    /// A log event by id.
    pub fn log(&self, id: &str) -> Option<Value> {
        let st = lock(&self.shared.store);
        st.log_index(id).map(|i| st.logs[i].value())
    }

    /// Number of retained log events.
    pub fn log_count(&self) -> usize {
        lock(&self.shared.store).logs.len()
    }

    /// The id of the oldest / newest retained log event.
    pub fn log_id_range(&self) -> Option<(String, String)> {
        let st = lock(&self.shared.store);
        Some((st.logs.first()?.id.clone(), st.logs.last()?.id.clone()))
    }

    /// A client by id.
    pub fn client(&self, id: &str) -> Option<Value> {
        lock(&self.shared.store).clients.get(id).cloned()
    }

    /// A connection by id.
    pub fn connection(&self, id: &str) -> Option<Value> {
        lock(&self.shared.store).connections.get(id).cloned()
    }

    /// Refresh token ids of a user.
    pub fn refresh_token_ids(&self, user_id: &str) -> Vec<String> {
        lock(&self.shared.store)
            .refresh_tokens
            .values()
            .filter(|t| t.get("user_id").and_then(Value::as_str) == Some(user_id))
            .filter_map(|t| t.get("id").and_then(Value::as_str).map(str::to_string))
            .collect()
    }

    /// Session ids of a user.
    pub fn session_ids(&self, user_id: &str) -> Vec<String> {
        lock(&self.shared.store)
            .sessions
            .values()
            .filter(|t| t.get("user_id").and_then(Value::as_str) == Some(user_id))
            .filter_map(|t| t.get("id").and_then(Value::as_str).map(str::to_string))
            .collect()
    }
}
