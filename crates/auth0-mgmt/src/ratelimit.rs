//! Rate-limit headers and the shared pacer (interim version; replaced by the full pacer).

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

/// Rate-limit state parsed from a response's headers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RateLimit {
    /// `x-ratelimit-limit`: the bucket size.
    pub limit: Option<u64>,
    /// `x-ratelimit-remaining`: tokens left.
    pub remaining: Option<u64>,
    /// `x-ratelimit-reset`: when tokens are next added.
    pub reset: Option<SystemTime>,
    /// `Retry-After`.
    pub retry_after: Option<Duration>,
}

impl RateLimit {
    /// Parses the headers.
    pub fn from_headers(headers: &HeaderMap, _now: SystemTime) -> RateLimit {
        let num = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        RateLimit {
            limit: num("x-ratelimit-limit"),
            remaining: num("x-ratelimit-remaining"),
            reset: num("x-ratelimit-reset")
                .and_then(|s| SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(s))),
            retry_after: num("retry-after").map(Duration::from_secs),
        }
    }

    /// The wait the server names.
    pub fn server_wait(&self, now: SystemTime) -> Option<Duration> {
        self.retry_after.or_else(|| {
            self.reset
                .map(|r| r.duration_since(now).unwrap_or_default())
        })
    }

    /// True when no header was present.
    pub fn is_empty(&self) -> bool {
        self == &RateLimit::default()
    }
}

/// Pacer settings.
#[derive(Clone, Debug)]
pub struct PacerConfig {
    /// Whether to pace at all.
    pub enabled: bool,
}

impl Default for PacerConfig {
    fn default() -> Self {
        PacerConfig { enabled: true }
    }
}

/// Counters.
#[derive(Clone, Copy, Debug, Default)]
pub struct PacerStats {
    /// Acquires.
    pub requests: u64,
    /// Acquires that waited.
    pub waits: u64,
    /// Total wait.
    pub total_wait: Duration,
    /// 429s observed.
    pub throttled: u64,
    /// Learned bucket size.
    pub estimated_limit: Option<u64>,
    /// Learned refill rate.
    pub estimated_refill_per_sec: Option<f64>,
}

/// The shared pacer.
#[derive(Debug)]
pub struct Pacer {
    stats: Mutex<PacerStats>,
}

impl Pacer {
    /// A new pacer.
    pub fn new(_config: PacerConfig) -> Pacer {
        Pacer {
            stats: Mutex::new(PacerStats::default()),
        }
    }

    /// Waits until a request may be sent.
    pub async fn acquire(&self) {
        self.stats
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .requests += 1;
    }

    /// Learns from a response.
    pub fn observe(&self, _rl: &RateLimit, status: u16) {
        if status == 429 {
            self.stats
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .throttled += 1;
        }
    }

    /// How long to wait after a 429.
    pub fn throttled_delay(&self, rl: &RateLimit, attempt: u32) -> Duration {
        rl.server_wait(SystemTime::now())
            .unwrap_or_else(|| Duration::from_millis(500u64.saturating_mul(1 << attempt.min(5))))
    }

    /// Counters.
    pub fn stats(&self) -> PacerStats {
        *self.stats.lock().unwrap_or_else(|e| e.into_inner())
    }
}
