//! Public observation types: recorded requests and counters.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use serde_json::Value;

/// One request as the fake received it (recorded before rate limiting and faults).
///
/// The `Authorization` header value is never stored (only whether a bearer token was
/// present), and `client_secret` / `client_assertion` in token-endpoint bodies are
/// replaced by `"[REDACTED]"`.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedRequest {
    /// HTTP method, e.g. `"GET"`.
    pub method: String,
    /// The raw path exactly as received, still percent-encoded
    /// (e.g. `/api/v2/users/auth0%7Cabc`).
    pub path: String,
    /// The raw query string (without `?`), if any.
    pub query: Option<String>,
    /// The query decoded into `(name, value)` pairs, in order.
    pub query_pairs: Vec<(String, String)>,
    /// The body: parsed JSON, a form body as a JSON object of strings, other
    /// non-empty bodies as a JSON string; `None` when empty.
    pub body: Option<Value>,
    /// Whether an `Authorization: Bearer …` header was present.
    pub had_bearer: bool,
    /// When the request arrived (wall clock).
    pub at: SystemTime,
}

impl RecordedRequest {
    /// First decoded value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query_pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// A snapshot of the tenant's counters (see [`FakeTenant::counters`](crate::FakeTenant::counters)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Every HTTP request received (any route, including rejected ones).
    pub requests: u64,
    /// Requests to `POST /oauth/token`.
    pub token_requests: u64,
    /// Access tokens successfully minted.
    pub token_mints: u64,
    /// `429` responses sent (Management API and token endpoint).
    pub rate_limited: u64,
    /// Writes actually applied to the tenant state (each also appends a `sapi` log).
    pub writes_applied: u64,
    /// Faults injected of any kind except pure latency (sum of the next four).
    pub faults_injected: u64,
    /// Injected `503` responses.
    pub faults_503: u64,
    /// Injected `502` HTML responses.
    pub faults_502: u64,
    /// Connections dropped without a response.
    pub faults_dropped: u64,
    /// Truncated (malformed) success bodies.
    pub faults_malformed: u64,
    /// Dropped connections where the write *had been applied* before the drop.
    pub drops_after_write: u64,
    /// Requests delayed by injected latency.
    pub faults_latency: u64,
}

#[derive(Debug, Default)]
pub(crate) struct AtomicCounters {
    pub(crate) requests: AtomicU64,
    pub(crate) token_requests: AtomicU64,
    pub(crate) token_mints: AtomicU64,
    pub(crate) rate_limited: AtomicU64,
    pub(crate) writes_applied: AtomicU64,
    pub(crate) faults_injected: AtomicU64,
    pub(crate) faults_503: AtomicU64,
    pub(crate) faults_502: AtomicU64,
    pub(crate) faults_dropped: AtomicU64,
    pub(crate) faults_malformed: AtomicU64,
    pub(crate) drops_after_write: AtomicU64,
    pub(crate) faults_latency: AtomicU64,
}

pub(crate) fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

impl AtomicCounters {
    fn all(&self) -> [&AtomicU64; 12] {
        [
            &self.requests,
            &self.token_requests,
            &self.token_mints,
            &self.rate_limited,
            &self.writes_applied,
            &self.faults_injected,
            &self.faults_503,
            &self.faults_502,
            &self.faults_dropped,
            &self.faults_malformed,
            &self.drops_after_write,
            &self.faults_latency,
        ]
    }

    pub(crate) fn snapshot(&self) -> Counters {
        let [a, b, c, d, e, f, g, h, i, j, k, l] = self.all().map(|x| x.load(Ordering::Relaxed));
        Counters {
            requests: a,
            token_requests: b,
            token_mints: c,
            rate_limited: d,
            writes_applied: e,
            faults_injected: f,
            faults_503: g,
            faults_502: h,
            faults_dropped: i,
            faults_malformed: j,
            drops_after_write: k,
            faults_latency: l,
        }
    }

    pub(crate) fn reset(&self) {
        for c in self.all() {
            c.store(0, Ordering::Relaxed);
        }
    }
}
