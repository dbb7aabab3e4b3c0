//! Rate-limit header parsing and the client-wide request [`Pacer`].
//!
//! [`RateLimit::from_headers`] reads `x-ratelimit-limit`, `x-ratelimit-remaining`,
//! `x-ratelimit-reset`, `Retry-After` and the token-endpoint quota headers
//! (`Auth0-Client-Quota-Limit`, `Auth0-Organization-Quota-Limit`). It never fails:
//! a missing or malformed value is `None`.
//!
//! # How the pacer works
//!
//! Auth0 rate-limits with a token bucket: `limit` is the burst, `remaining` the
//! tokens left after the request, and `reset` the epoch second (rounded **up**)
//! when tokens are next added. The [`Pacer`] keeps a model of that bucket.
//!
//! **Level.** Every response resets the modelled level to what the server said,
//! minus the requests still in flight and the send slots reserved. Responses
//! that arrive within one (peak) latency of each other may have been processed
//! in any order, so they form a *batch* whose smallest `remaining` counts (the
//! freshest state of a draining bucket): a late, stale response cannot make
//! the model optimistic.
//!
//! **Refill rate** = the larger of two numbers:
//! * *Measured*: tokens gained between batches, `remaining − previous
//!   remaining + requests accepted`, summed over the newest stretch that spans
//!   at least 1 s **and** 8 tokens (within 10 s), leaving out batches that saw
//!   the bucket full (the refill that overflowed is unknown). The sum
//!   telescopes, so an error at one batch is undone by the next; it is the
//!   throughput the bucket accepted, and comes down by itself when 429s show
//!   the pacer was too fast. A bucket shared with other clients shows its
//!   *effective* rate.
//! * *Floor*: when the bucket is seen full, it went from below `previous
//!   remaining + 1` to `limit` (plus what the run of batches before gained), a
//!   lower bound of the rate, taken over a gap widened by the peak latency.
//!   While tasks wait for slots, a full bucket or two spare tokens also raise it
//!   by 10 % (a small bucket that overflows between slots shows no more than the
//!   rate used). Each burst of 429s lowers it by 20 % and to at most the measured
//!   rate, and it is dropped once the measured window never saw a full bucket.
//!
//! **Acquire.** While the model has room, [`Pacer::acquire`] returns at once (so a
//! bucket that is never near empty is never paced). When it is empty, callers
//! get distinct send slots spaced by `1 / rate` (a shared "theoretical arrival
//! time", as in GCRA). A response showing room while tasks wait discards the
//! schedule and wakes them to decide again, so a too-low rate never leaves the
//! bucket idle. Before a rate is learned, tasks that find the bucket empty are
//! spaced as if it refilled ten times per second, a guess halved by every burst
//! of 429s, so that they probe it one by one. Before anything is observed it
//! never waits.
//!
//! **429.** [`Pacer::throttled_delay`] honours `Retry-After` exactly. With a
//! learned rate, the task gets the next slot (the first in line no later than
//! the reset stamp, which promises a token), so throttled tasks wake staggered
//! instead of all at the stamp. A stamp further away than the rate allows (more
//! than 1 s of rounding) is honoured as-is, and it is never capped. Before a
//! rate is learned the task waits for the stamp, and tasks throttled at the same
//! stamp wake one peak latency apart (1–100 ms) after it. With no stamp and no
//! rate, it uses full-jitter exponential backoff.
//!
//! # Measured
//!
//! Real client against the fake tenant (loopback, 0.1–1 ms latency, responses
//! observed out of order; `cargo run --release --example pacer_sweep`), default
//! retry budget, three start phases within the wall-clock second (one for
//! burst 2), before (the previous least-squares pacer) → after:
//!
//! | bucket, tasks, calls        | ideal  | wall before      | wall after     | 429s before | 429s after | failed before |
//! |-----------------------------|--------|------------------|----------------|-------------|------------|---------------|
//! | 10 @ 100/s, 8, 400 ("W3")  | 3.9 s  | 3.97–4.81 s      | 3.90–3.91 s    | 8           | 0–1        | 0             |
//! | 10 @ 100/s, 32, 400        | 3.9 s  | 0.8–14.7 s       | 3.93–4.12 s    | 38–4087     | 11–23      | 0–362         |
//! | 5 @ 50/s, 8, 120           | 2.3 s  | 0.2–7.8 s        | 2.33–2.65 s    | 8–1204      | 3–4        | 0–104         |
//! | 50 @ 50/s, 16, 400         | 7.0 s  | 7.01 s           | 7.00–7.02 s    | 18–25       | 19–23      | 0             |
//! | 1000 @ 1000/s, 8, 400      | 0      | 0.02 s, 0 waits  | 0.02 s, 0 waits| 0           | 0          | 0             |
//! | 2 @ 2/s, 8, 120            | 59 s   | 1.7 s            | 64.4 s         | 1278        | 13         | 116           |
//!
//! After: 0 failed calls everywhere, estimates within 2 % of the refill rate.
//! Before, a reordered `0` then `limit − 1` pair made a refill floor of
//! 10⁵/s that was kept forever (calls failed within a second), or windows cut
//! by a full bucket left a rate of 3–20/s (everyone waited).
//!
//! Simulated bucket, tokio virtual time (tests; the ignored `sweep` test runs 10
//! seeds): burst 10 at 100/s, 8 tasks, 400 requests, 20–50 ms latency: pacer
//! 3.97 s with 0 429s, naive (sleep until the reset stamp) 4.74 s with 25.
//! 1–5 ms latency: pacer 3.91 s, naive 38.7 s. 32 tasks: pacer 4.16 s (21 429s,
//! the first burst), naive 6.74 s (171). Burst 50 at 50/s, 16 tasks: pacer 7.18
//! s (12 429s), naive 7.85 s (92). Burst 2 at 2/s, 4 tasks, 40 requests, 50–300
//! ms: pacer 20.7 s (7 429s), naive 19.9 s (76 429s).

//! # Calling order (one attempt)
//!
//! `acquire(max_wait).await` → send → `RateLimit::from_headers(headers, pacer.unix_now())`
//! → `observe(&rl, status)` for **every** response → on 429:
//! `sleep(throttled_delay(&rl, attempt)).await` and retry, calling `acquire`
//! again. Transport errors need no call.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, HeaderName};
use tokio::sync::Notify;
use tokio::time::Instant;

// ---------------------------------------------------------------------------
// Header parsing
// ---------------------------------------------------------------------------

const H_LIMIT: &str = "x-ratelimit-limit";
const H_REMAINING: &str = "x-ratelimit-remaining";
const H_RESET: &str = "x-ratelimit-reset";
const H_RETRY_AFTER: &str = "retry-after";
const H_CLIENT_QUOTA: &str = "auth0-client-quota-limit";
const H_ORG_QUOTA: &str = "auth0-organization-quota-limit";

/// The period of a token-endpoint quota bucket (`b=` in the quota headers).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum QuotaPeriod {
    /// `b=per_hour`.
    PerHour,
    /// `b=per_day`.
    PerDay,
    /// Any other period name, kept verbatim.
    Other(String),
}

impl QuotaPeriod {
    fn parse(s: &str) -> QuotaPeriod {
        if s.eq_ignore_ascii_case("per_hour") {
            QuotaPeriod::PerHour
        } else if s.eq_ignore_ascii_case("per_day") {
            QuotaPeriod::PerDay
        } else {
            QuotaPeriod::Other(s.to_owned())
        }
    }
}

/// One bucket of an `Auth0-Client-Quota-Limit` / `Auth0-Organization-Quota-Limit`
/// header, e.g. `b=per_hour;q=10;r=7;t=3540`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuotaBucket {
    /// The bucket period (`b=`).
    pub bucket: QuotaPeriod,
    /// The quota of the period (`q=`).
    pub quota: u64,
    /// Tokens remaining in the period (`r=`).
    pub remaining: u64,
    /// Time until the period resets (`t=`, seconds).
    pub resets_in: Duration,
}

/// Rate-limit information carried by one HTTP response.
///
/// Every field is optional: absent, non-UTF-8, malformed or out-of-range header
/// values are treated as absent, parsing never fails or panics.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RateLimit {
    /// `x-ratelimit-limit`: the size of the token bucket (its burst).
    pub limit: Option<u64>,
    /// `x-ratelimit-remaining`: tokens left in the bucket after this request.
    pub remaining: Option<u64>,
    /// `x-ratelimit-reset`: when tokens are next added (UNIX epoch seconds;
    /// Auth0 rounds this up to a whole second).
    pub reset: Option<SystemTime>,
    /// `Retry-After`: delta-seconds, or an HTTP-date converted relative to the
    /// `now` given to [`RateLimit::from_headers`] (a date in the past gives zero).
    pub retry_after: Option<Duration>,
    /// `Auth0-Client-Quota-Limit` buckets (token endpoint).
    pub client_quota: Vec<QuotaBucket>,
    /// `Auth0-Organization-Quota-Limit` buckets (token endpoint).
    pub organization_quota: Vec<QuotaBucket>,
}

impl RateLimit {
    /// Parses the rate-limit headers of a response.
    ///
    /// `now` is the current wall-clock time, used to turn an HTTP-date
    /// `Retry-After` into a duration.
    pub fn from_headers(headers: &HeaderMap, now: SystemTime) -> RateLimit {
        RateLimit {
            limit: first(headers, H_LIMIT, parse_u64),
            remaining: first(headers, H_REMAINING, parse_u64),
            reset: first(headers, H_RESET, |v| {
                parse_u64(v).and_then(|s| UNIX_EPOCH.checked_add(Duration::from_secs(s)))
            }),
            retry_after: first(headers, H_RETRY_AFTER, |v| parse_retry_after(v, now)),
            client_quota: quota(headers, H_CLIENT_QUOTA),
            organization_quota: quota(headers, H_ORG_QUOTA),
        }
    }

    /// `true` when no rate-limit information was found (headers absent or unparseable).
    pub fn is_empty(&self) -> bool {
        self.limit.is_none()
            && self.remaining.is_none()
            && self.reset.is_none()
            && self.retry_after.is_none()
            && self.client_quota.is_empty()
            && self.organization_quota.is_empty()
    }

    /// The wait the server asked for: `Retry-After` if present, else
    /// `x-ratelimit-reset - now` (zero if the reset is in the past), else `None`.
    ///
    /// The value is never capped.
    pub fn server_wait(&self, now: SystemTime) -> Option<Duration> {
        if let Some(d) = self.retry_after {
            return Some(d);
        }
        self.reset.map(|reset| reset.duration_since(now).unwrap_or(Duration::ZERO))
    }
}

/// Applies `parse` to each value of header `name` and returns the first success.
fn first<T>(headers: &HeaderMap, name: &'static str, parse: impl Fn(&str) -> Option<T>) -> Option<T> {
    headers.get_all(HeaderName::from_static(name)).iter().filter_map(|v| v.to_str().ok()).find_map(|v| parse(v.trim()))
}

/// A plain non-negative decimal integer (no sign, no spaces inside); `None` on overflow.
fn parse_u64(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_retry_after(s: &str, now: SystemTime) -> Option<Duration> {
    if let Some(secs) = parse_u64(s) {
        return Some(Duration::from_secs(secs));
    }
    // Tolerate a fractional delta ("1.5"), which some proxies send.
    if let Some((int, frac)) = s.split_once('.') {
        if parse_u64(int).is_some() && parse_u64(frac).is_some() {
            return s.parse::<f64>().ok().and_then(|f| Duration::try_from_secs_f64(f).ok());
        }
        return None;
    }
    let date = parse_http_date(s)?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Parses an HTTP-date (RFC 9110 §5.6.7): IMF-fixdate, obsolete RFC 850 or asctime.
fn parse_http_date(s: &str) -> Option<SystemTime> {
    let cleaned: String = s.chars().map(|c| if c == ',' || c == '-' { ' ' } else { c }).collect();
    let mut tokens: Vec<&str> = cleaned.split_whitespace().collect();
    // Leading weekday name (validated loosely: alphabetic).
    if tokens.first().is_some_and(|t| t.bytes().all(|b| b.is_ascii_alphabetic())) && month_index(tokens[0]).is_none() {
        tokens.remove(0);
    }
    // Optional trailing zone, which must be GMT/UTC when present.
    if let Some(last) = tokens.last() {
        if last.bytes().all(|b| b.is_ascii_alphabetic()) {
            if !(last.eq_ignore_ascii_case("GMT") || last.eq_ignore_ascii_case("UTC")) {
                return None;
            }
            tokens.pop();
        }
    }
    let (day, month, year, time) = match tokens.as_slice() {
        // IMF-fixdate / RFC 850: 06 Nov 1994 08:49:37
        [d, m, y, t] if month_index(m).is_some() => (*d, *m, *y, *t),
        // asctime: Nov 6 08:49:37 1994
        [m, d, t, y] if month_index(m).is_some() => (*d, *m, *y, *t),
        _ => return None,
    };
    let day: u32 = parse_u64(day)?.try_into().ok()?;
    let month = month_index(month)?;
    let mut year: i64 = parse_u64(year)?.try_into().ok()?;
    if year < 100 {
        // RFC 850 two-digit year.
        year += if year < 70 { 2000 } else { 1900 };
    }
    let mut hms = time.split(':');
    let (h, m, sec) = (hms.next()?, hms.next()?, hms.next()?);
    if hms.next().is_some() {
        return None;
    }
    let (h, m, sec) = (parse_u64(h)?, parse_u64(m)?, parse_u64(sec)?);
    if !(1..=31).contains(&day) || h > 23 || m > 59 || sec > 60 || !(1..=9999).contains(&year) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + (h * 3600 + m * 60 + sec) as i64;
    if secs < 0 { Some(UNIX_EPOCH) } else { UNIX_EPOCH.checked_add(Duration::from_secs(secs as u64)) }
}

fn month_index(s: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    MONTHS.iter().position(|m| m.eq_ignore_ascii_case(s)).map(|i| i as u32 + 1)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn quota(headers: &HeaderMap, name: &'static str) -> Vec<QuotaBucket> {
    headers
        .get_all(HeaderName::from_static(name))
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(parse_quota_bucket)
        .collect()
}

fn parse_quota_bucket(entry: &str) -> Option<QuotaBucket> {
    let (mut b, mut q, mut r, mut t) = (None, None, None, None);
    for kv in entry.split(';') {
        let Some((k, v)) = kv.split_once('=') else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim());
        match k.to_ascii_lowercase().as_str() {
            "b" if !v.is_empty() => b = Some(QuotaPeriod::parse(v)),
            "q" => q = parse_u64(v),
            "r" => r = parse_u64(v),
            "t" => t = parse_u64(v).map(Duration::from_secs),
            _ => {}
        }
    }
    Some(QuotaBucket { bucket: b?, quota: q?, remaining: r?, resets_in: t? })
}

// ---------------------------------------------------------------------------
// Pacer
// ---------------------------------------------------------------------------

/// Gain records older than this are not used to estimate the refill rate.
const RATE_WINDOW: Duration = Duration::from_secs(10);
/// At most this many gain records are kept.
const MAX_GAINS: usize = 4096;
/// The measured refill rate is trusted once its records span at least this
/// long ...
const MIN_SPAN: Duration = Duration::from_secs(1);
/// ... and add up to at least this many tokens (reordered responses and the
/// integer `remaining` blur each end of a window by a token or two).
const MIN_GAIN: i64 = 8;
/// Factor applied to the rate when the bucket is seen full while tasks wait
/// for slots ...
const SPEED_UP: f64 = 1.1;
/// ... and to the lower bound on every 429.
const SLOW_DOWN: f64 = 0.8;
/// Before anything is learned, tasks that find the bucket empty are spaced as
/// if it refilled this many times per second.
const PROBE_BUCKETS_PER_SEC: f64 = 10.0;
/// Refill estimates are clamped to at least this many tokens per second.
const MIN_RATE: f64 = 0.1;
/// Reservations not observed after this long (transport errors, dropped
/// requests) stop counting as in flight.
const IN_FLIGHT_HORIZON: Duration = Duration::from_secs(60);
/// Slack added to the whole-second rounding when checking a reset stamp
/// against the estimate.
const STAMP_SLACK: Duration = Duration::from_millis(100);
/// Bounds of the spacing of tasks woken after the same reset stamp before
/// anything is learned (twice the recent peak latency, clamped).
const STAGGER_MIN: Duration = Duration::from_millis(1);
const STAGGER_MAX: Duration = Duration::from_millis(100);

/// Configuration of a [`Pacer`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct PacerConfig {
    /// When `false`, [`Pacer::acquire`] never waits and [`Pacer::throttled_delay`]
    /// ignores the learned estimate (plain `Retry-After` / reset / backoff).
    /// Default `true`.
    pub enabled: bool,
    /// First ceiling of the jittered exponential backoff used on a 429 that
    /// names no wait (default 500 ms; doubled on every attempt).
    pub backoff_base: Duration,
    /// Largest ceiling of that backoff (default 10 s).
    pub backoff_max: Duration,
}

impl Default for PacerConfig {
    fn default() -> Self {
        PacerConfig { enabled: true, backoff_base: Duration::from_millis(500), backoff_max: Duration::from_secs(10) }
    }
}

impl PacerConfig {
    /// A configuration with pacing switched off.
    pub fn disabled() -> Self {
        PacerConfig { enabled: false, ..PacerConfig::default() }
    }
}

/// Counters and the current estimate of a [`Pacer`], see [`Pacer::stats`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PacerStats {
    /// Calls to [`Pacer::acquire`].
    pub requests: u64,
    /// Acquires that had to wait (completed after a non-zero wait).
    pub waits: u64,
    /// Total time spent waiting inside completed acquires.
    pub total_wait: Duration,
    /// 429 responses observed.
    pub throttled: u64,
    /// Learned bucket size (`x-ratelimit-limit`).
    pub estimated_limit: Option<u64>,
    /// Learned refill rate, tokens per second.
    pub estimated_refill_per_sec: Option<f64>,
}

/// [`Pacer::acquire`] would have to wait longer than allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacerWait {
    /// How long the wait for the next send slot would be.
    pub needed: Duration,
}

/// The wall clock used to convert epoch stamps into monotonic deadlines.
type UnixClock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Client-wide request pacer: one per client, shared by all its tasks.
///
/// See the [module documentation](self) for how it works and how to call it.
pub struct Pacer {
    config: PacerConfig,
    clock: UnixClock,
    state: Mutex<State>,
    /// Wakes sleeping acquires when the schedule is rebuilt.
    rescheduled: Notify,
}

impl fmt::Debug for Pacer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pacer").field("config", &self.config).field("stats", &self.stats()).finish()
    }
}

impl Default for Pacer {
    fn default() -> Self {
        Pacer::new(PacerConfig::default())
    }
}

/// Responses observed within one latency of the first of them: the server
/// may have processed them in any order, so they are taken together.
#[derive(Clone, Copy, Debug)]
struct Batch {
    start: Instant,
    /// The newest observation.
    at: Instant,
    /// The smallest `remaining`: the freshest state of a draining bucket.
    remaining: u64,
    /// Requests accepted (non-429).
    accepted: u64,
    /// Some response showed a full bucket ...
    full: bool,
    /// ... while tasks were waiting for slots.
    full_while_waiting: bool,
}

/// Tokens the bucket gained between two consecutive observations.
#[derive(Clone, Copy, Debug)]
struct Gain {
    at: Instant,
    dt: Duration,
    tokens: i64,
}

#[derive(Debug, Default)]
struct State {
    stats: PacerStats,
    limit: Option<u64>,
    max_remaining: u64,
    /// Modelled tokens at `level_at`, with every outstanding reservation debited.
    level: f64,
    level_at: Option<Instant>,
    /// Send instants of requests sent (acquire returned) and not yet observed.
    in_flight: VecDeque<Instant>,
    /// Reserved-but-unused send slots (from `throttled_delay` or cancelled acquires).
    pool: BinaryHeap<Reverse<Instant>>,
    /// Acquires sleeping until their reserved slot (in the current schedule).
    sleeping: usize,
    /// Bumped whenever the reserved slots are discarded (see `observe`).
    schedule: u64,
    /// The batch of responses being observed, and the previous one.
    batch: Option<Batch>,
    last: Option<Batch>,
    /// Newest gain records, with their sums: the smallest suffix that spans
    /// `MIN_SPAN` and `MIN_GAIN` (or everything within `RATE_WINDOW`).
    gains: VecDeque<Gain>,
    gain_span: Duration,
    gain_tokens: i64,
    /// Tokens gained and time spent since the bucket was last seen full.
    run_tokens: i64,
    run_span: Duration,
    /// Lower bound of the refill rate (see `learn`), lowered by 429s.
    floor: Option<f64>,
    /// When the bucket was last seen full.
    full_at: Option<Instant>,
    /// Recent peak response latency (send to observe), decaying slowly.
    latency: Duration,
    /// Last time a 429 lowered the floor (or the probing guess).
    slowed_at: Option<Instant>,
    /// The probing guess, once lowered by 429s (see `pace_rate`).
    probe_rate: Option<f64>,
    /// Reset stamp handed to throttled tasks before anything was learned, and
    /// how many tasks got it (for staggering).
    stagger: Option<(SystemTime, u32)>,
}

impl State {
    fn capacity(&self) -> f64 {
        match self.limit {
            Some(l) => l as f64,
            None => (self.max_remaining.saturating_add(1)) as f64,
        }
    }

    /// Modelled tokens available at `now` (negative: queued reservations).
    fn available(&self, now: Instant) -> Option<f64> {
        let at = self.level_at?;
        let rate = self.pace_rate().unwrap_or(0.0);
        let elapsed = now.saturating_duration_since(at).as_secs_f64();
        Some((self.level + rate * elapsed).min(self.capacity()))
    }

    fn debit(&mut self, now: Instant, avail: f64) {
        self.level = avail - 1.0;
        self.level_at = Some(now);
    }

    fn expire_in_flight(&mut self, now: Instant) {
        while self.in_flight.front().is_some_and(|t| now.saturating_duration_since(*t) > IN_FLIGHT_HORIZON) {
            self.in_flight.pop_front();
        }
    }

    /// Decides an acquire at `now`: `None` to go immediately, `Some(slot)` to
    /// wait until the (already reserved) slot.
    fn decide(&mut self, now: Instant, pace: bool) -> Option<Instant> {
        self.expire_in_flight(now);
        // A reserved slot that is due is used first.
        if let Some(&Reverse(slot)) = self.pool.peek() {
            if slot <= now {
                self.pool.pop();
                self.in_flight.push_back(now);
                return None;
            }
        }
        let avail = self.available(now);
        let rate = match (pace, self.pace_rate(), avail) {
            (true, Some(rate), Some(avail)) if avail < 1.0 => rate,
            _ => {
                // Room in the bucket (or nothing learned yet): go now.
                if let Some(avail) = avail {
                    self.debit(now, avail);
                }
                self.in_flight.push_back(now);
                return None;
            }
        };
        // Near empty: take a reserved slot, or reserve the next one.
        let slot = match self.pool.pop() {
            Some(Reverse(slot)) => slot,
            None => self.reserve(now, rate),
        };
        self.sleeping += 1;
        Some(slot)
    }

    /// Reservations not yet sent (counted against the bucket on resync).
    fn pending(&self) -> usize {
        self.pool.len() + self.sleeping
    }

    /// Reserves the next send slot (spaced by `1/rate` after the previous ones).
    fn reserve(&mut self, now: Instant, rate: f64) -> Instant {
        let avail = self.available(now).unwrap_or(0.0);
        let wait = if avail >= 1.0 { 0.0 } else { (1.0 - avail) / rate };
        self.debit(now, avail);
        now + Duration::from_secs_f64(wait)
    }

    /// Returns `true` when the reserved slots were discarded and sleeping
    /// acquires must decide again.
    fn observe(&mut self, rl: &RateLimit, status: u16, now: Instant) -> bool {
        let throttled = status == 429;
        if throttled {
            self.stats.throttled += 1;
        }
        self.expire_in_flight(now);
        // The oldest request in flight was sent no later than this one (up to
        // reordering): its age bounds this response's latency.
        if let Some(sent) = self.in_flight.pop_front() {
            // A peak that halves every second without a new one.
            let since = self.batch.map_or(Duration::ZERO, |o| now.saturating_duration_since(o.at));
            let decayed = self.latency.mul_f64(0.5f64.powf(since.as_secs_f64()));
            self.latency = now.saturating_duration_since(sent).max(decayed);
        }
        if let Some(limit) = rl.limit {
            if self.limit.is_some_and(|l| l != limit) {
                // A different bucket: forget what was learned about the old one.
                self.forget();
            }
            self.limit = Some(limit);
        }
        tracing::trace!(
            status,
            remaining = rl.remaining,
            in_flight = self.in_flight.len(),
            pending = self.pending(),
            level = self.available(now),
            rate = self.rate(),
            "pacer: observed"
        );
        // Sent but not yet counted by the server, plus reserved slots.
        let in_flight = self.in_flight.len() as f64;
        let others = in_flight + self.pending() as f64;
        match rl.remaining {
            Some(remaining) => {
                self.max_remaining = self.max_remaining.max(remaining);
                let batch = self.add_to_batch(now, remaining, !throttled);
                if throttled {
                    self.slow_down(now);
                }
                // Trust the server: the bucket holds the freshest `remaining`,
                // minus what is still in flight and not yet counted by it.
                let room = (batch.remaining as f64 - in_flight).min(self.capacity());
                self.level_at = Some(now);
                if room >= 1.0 && self.pending() > 0 {
                    // Tasks wait for slots while the bucket has room (the rate
                    // is underestimated, or other clients went quiet): discard
                    // the schedule, the sleepers decide again. Two or more
                    // spare tokens are more than timer jitter: speed up.
                    if let Some(rate) = self.rate().filter(|_| room >= 2.0) {
                        self.raise_floor(rate * SPEED_UP);
                    }
                    self.level = room;
                    self.pool.clear();
                    self.sleeping = 0;
                    self.schedule += 1;
                    return true;
                }
                self.level = room - self.pending() as f64;
            }
            None if throttled => {
                self.level = -others;
                self.level_at = Some(now);
            }
            None => {}
        }
        false
    }

    /// Adds an observation to the current batch (starting a new one, and
    /// learning from the finished one, when it is more than a latency old).
    fn add_to_batch(&mut self, now: Instant, remaining: u64, ok: bool) -> Batch {
        let full = ok && remaining as f64 + 1.0 >= self.capacity();
        let waiting = self.pending() > 0;
        match &mut self.batch {
            Some(b) if now.saturating_duration_since(b.start) <= self.latency => {
                b.at = now;
                b.remaining = b.remaining.min(remaining);
                b.accepted += u64::from(ok);
                b.full |= full;
                b.full_while_waiting |= full && waiting;
            }
            _ => {
                if let Some(done) = self.batch.take() {
                    self.learn(done);
                }
                self.batch = Some(Batch {
                    start: now,
                    at: now,
                    remaining,
                    accepted: u64::from(ok),
                    full,
                    full_while_waiting: full && waiting,
                });
            }
        }
        self.batch.expect("just set")
    }

    /// Throttled: whatever raised the floor above the measured rate was too
    /// optimistic. Slow down (at most to the measured rate), once per burst
    /// of concurrent 429s.
    /// Before anything is learned, the probing guess is halved instead.
    fn slow_down(&mut self, now: Instant) {
        let Some(rate) = self.pace_rate() else { return };
        let burst = Duration::from_secs_f64(1.0 / rate) + self.latency;
        if self.slowed_at.is_none_or(|t| now.saturating_duration_since(t) > burst) {
            self.slowed_at = Some(now);
            if self.rate().is_none() {
                self.probe_rate = Some(rate / 2.0);
            } else if let Some(floor) = self.floor {
                // Capped by the measured rate: the throughput accepted lately.
                self.floor = Some((floor * SLOW_DOWN).min(self.measured().unwrap_or(f64::INFINITY)));
            }
        }
    }

    fn forget(&mut self) {
        self.batch = None;
        self.last = None;
        self.gains.clear();
        self.gain_span = Duration::ZERO;
        self.gain_tokens = 0;
        self.run_tokens = 0;
        self.run_span = Duration::ZERO;
        self.floor = None;
        self.full_at = None;
        self.probe_rate = None;
    }

    /// Learns from a finished batch of observations.
    ///
    /// * Not full (`remaining < limit - 1` throughout): since the previous
    ///   batch, the bucket gained `remaining - previous remaining + accepted`
    ///   tokens. Summed over a window this telescopes to `remaining(end) -
    ///   remaining(start) + requests accepted`, so an error at one batch (a
    ///   response observed out of order) is undone by the next.
    /// * Full (a request accepted with `remaining >= limit - 1`): the refill
    ///   that overflowed is unknown, so no gain is recorded. But since the run
    ///   of not-full batches began, the bucket gained what the run recorded,
    ///   then went from below `previous remaining + 1` to `limit`: a lower
    ///   bound of the refill rate (the time widened by the peak latency). If
    ///   tasks were waiting for slots meanwhile, the rate is also raised by
    ///   `SPEED_UP`: a bucket that overflows between slots shows no more than
    ///   the rate that was used.
    fn learn(&mut self, batch: Batch) {
        let capacity = self.capacity();
        let before = self.rate();
        if let Some(prev) = self.last {
            let dt = batch.at.saturating_duration_since(prev.at);
            if !batch.full {
                let tokens = (batch.remaining as i128 - prev.remaining as i128 + batch.accepted as i128)
                    .clamp(i64::MIN as i128, i64::MAX as i128) as i64;
                self.run_tokens += tokens;
                self.run_span += dt;
                self.push_gain(Gain { at: batch.at, dt, tokens });
            } else {
                let tokens = self.run_tokens as f64 + capacity - 1.0 - prev.remaining as f64;
                let floor = tokens / (self.run_span + dt + self.latency).as_secs_f64();
                if tokens >= 1.0 {
                    self.raise_floor(floor);
                }
            }
        }
        if let Some(rate) = before.filter(|_| batch.full_while_waiting) {
            self.raise_floor(rate * SPEED_UP);
        }
        if batch.full {
            self.run_tokens = 0;
            self.run_span = Duration::ZERO;
            self.full_at = Some(batch.at);
        }
        // The measured window never saw the bucket full: it is unbiased, and
        // a floor above it (a boost, or a bucket now shared) is obsolete.
        let window_start = self.gains.front().map(|g| g.at - g.dt);
        if self.measured().is_some() && window_start.is_some_and(|w| self.full_at.is_none_or(|f| f < w)) {
            self.floor = None;
        }
        self.last = Some(batch);
    }

    fn raise_floor(&mut self, floor: f64) {
        if floor > self.floor.unwrap_or(0.0) {
            tracing::debug!(floor, "pacer: refill lower bound raised");
            self.floor = Some(floor);
        }
    }

    fn push_gain(&mut self, gain: Gain) {
        self.gains.push_back(gain);
        self.gain_span += gain.dt;
        self.gain_tokens += gain.tokens;
        // Drop the oldest records while the rest still make a trusted window.
        while let Some(front) = self.gains.front().copied() {
            let stale = gain.at.saturating_duration_since(front.at) > RATE_WINDOW || self.gains.len() > MAX_GAINS;
            let spare = self.gain_span - front.dt >= MIN_SPAN && self.gain_tokens - front.tokens >= MIN_GAIN;
            if !(stale || spare) {
                break;
            }
            self.gains.pop_front();
            self.gain_span -= front.dt;
            self.gain_tokens -= front.tokens;
        }
    }

    /// The measured refill rate: tokens gained over the newest window of at
    /// least `MIN_SPAN` and `MIN_GAIN`, during which the bucket was not full.
    fn measured(&self) -> Option<f64> {
        (self.gain_span >= MIN_SPAN && self.gain_tokens >= MIN_GAIN)
            .then(|| self.gain_tokens as f64 / self.gain_span.as_secs_f64())
    }

    /// The refill rate to pace with: the measured rate, raised to a fresh
    /// lower bound.
    fn rate(&self) -> Option<f64> {
        match (self.measured(), self.floor) {
            (Some(m), Some(f)) => Some(m.max(f)),
            (m, f) => m.or(f),
        }
        .map(|r| r.max(MIN_RATE))
    }

    /// The rate to space send slots with: the learned rate, else (the bucket
    /// size known) a guess of `PROBE_BUCKETS_PER_SEC` buckets per second,
    /// halved by 429s, so that tasks finding the bucket empty probe it one by
    /// one (and teach the pacer) instead of all collecting 429s.
    fn pace_rate(&self) -> Option<f64> {
        let guess = || self.probe_rate.or_else(|| self.limit.map(|l| l as f64 * PROBE_BUCKETS_PER_SEC));
        self.rate().or_else(guess).map(|r| r.max(MIN_RATE))
    }

    /// Before anything is learned: how long after the reset stamp this task
    /// should wake, so that tasks throttled at the same stamp wake one by one.
    fn stagger(&mut self, stamp: SystemTime) -> Duration {
        let k = match self.stagger {
            Some((s, k)) if s == stamp => k,
            _ => 0,
        };
        self.stagger = Some((stamp, k + 1));
        self.latency.saturating_mul(2).clamp(STAGGER_MIN, STAGGER_MAX).saturating_mul(k)
    }
}

impl Pacer {
    /// Creates a pacer reading wall-clock time from [`SystemTime::now`].
    pub fn new(config: PacerConfig) -> Pacer {
        Pacer::with_unix_clock(config, Arc::new(SystemTime::now))
    }

    /// Creates a pacer with an injected wall clock (tests make it follow
    /// tokio's paused clock).
    #[doc(hidden)]
    pub fn with_unix_clock(config: PacerConfig, clock: Arc<dyn Fn() -> SystemTime + Send + Sync>) -> Pacer {
        Pacer { config, clock, state: Mutex::new(State::default()), rescheduled: Notify::new() }
    }

    /// The configuration.
    pub fn config(&self) -> &PacerConfig {
        &self.config
    }

    /// The pacer's wall-clock "now"; pass it to [`RateLimit::from_headers`].
    pub fn unix_now(&self) -> SystemTime {
        (self.clock)()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until a request may be sent, but never longer than `max_wait`. Call it
    /// before **every** attempt.
    ///
    /// Returns immediately while the modelled bucket has room (and always
    /// before any response was observed). Otherwise it sleeps until a reserved
    /// send slot, or until a response shows room again. `Ok(waited)`: the time
    /// actually waited (to be charged to the call's wait budget). `Err(PacerWait
    /// { needed })` when the slot would come later than `max_wait` after the
    /// call: nothing more is waited and the slot is given back. Cancellation-safe:
    /// a slot reserved by a dropped future goes back to the pool for the next
    /// caller.
    pub async fn acquire(&self, max_wait: Duration) -> Result<Duration, PacerWait> {
        let start = Instant::now();
        self.lock().stats.requests += 1;
        let mut slept = false;
        loop {
            // Registered before deciding, so that a reschedule in between is not missed.
            let rescheduled = self.rescheduled.notified();
            let mut rescheduled = std::pin::pin!(rescheduled);
            rescheduled.as_mut().enable();
            let (slot, schedule) = {
                let mut st = self.lock();
                (st.decide(Instant::now(), self.config.enabled), st.schedule)
            };
            let Some(slot) = slot else {
                if slept {
                    self.count_wait(start);
                }
                return Ok(Instant::now().saturating_duration_since(start));
            };
            let mut guard = SlotGuard { pacer: self, slot: Some(slot), schedule };
            let needed = slot.saturating_duration_since(start);
            if needed > max_wait {
                // Give the slot back (the guard does) and wait no more.
                drop(guard);
                if slept {
                    self.count_wait(start);
                }
                return Err(PacerWait { needed });
            }
            slept = true;
            tracing::trace!(
                wait_ms = slot.saturating_duration_since(Instant::now()).as_millis() as u64,
                "pacer: waiting for a send slot"
            );
            tokio::select! {
                () = tokio::time::sleep_until(slot) => {
                    guard.slot = None;
                    let mut st = self.lock();
                    if st.schedule == schedule {
                        st.sleeping = st.sleeping.saturating_sub(1);
                    }
                    st.in_flight.push_back(Instant::now());
                    drop(st);
                    self.count_wait(start);
                    return Ok(Instant::now().saturating_duration_since(start));
                }
                () = &mut rescheduled => {
                    // The bucket has more room than the schedule assumed: decide again.
                    drop(guard);
                }
            }
        }
    }

    fn count_wait(&self, start: Instant) {
        let waited = Instant::now().saturating_duration_since(start);
        if !waited.is_zero() {
            let mut st = self.lock();
            st.stats.waits += 1;
            st.stats.total_wait += waited;
        }
    }

    /// Learns from a response (any status). Call it after **every** response
    /// that reached the server, before [`Pacer::throttled_delay`].
    pub fn observe(&self, rl: &RateLimit, status: u16) {
        let now = Instant::now();
        let reschedule = self.lock().observe(rl, status, now);
        if reschedule {
            self.rescheduled.notify_waiters();
        }
    }

    /// A request whose answer never came (connection dropped, timeout): stop counting
    /// it as in flight now instead of after the 60 s horizon. Call it on every
    /// transport error after an [`acquire`](Pacer::acquire).
    pub fn unanswered(&self) {
        let now = Instant::now();
        let mut st = self.lock();
        st.expire_in_flight(now);
        st.in_flight.pop_front();
    }

    /// How long the task that just got a 429 should wait before retrying
    /// (then it calls [`Pacer::acquire`] as for any attempt).
    ///
    /// * `Retry-After` is honoured exactly.
    /// * Else, with `x-ratelimit-reset` and a refill estimate consistent with
    ///   the stamp: the next send slot (spaced by the refill interval, distinct
    ///   across tasks; the first in line no later than the stamp). A stamp
    ///   further away is honoured as-is (never capped).
    /// * Else, with `x-ratelimit-reset`: the stamp, plus one peak latency per
    ///   task already throttled at the same stamp (staggered wake-ups).
    /// * Else, with an estimate and bucket headers: the next send slot.
    /// * Else full-jitter exponential backoff: uniform in
    ///   `[0, min(backoff_max, backoff_base * 2^attempt)]` (`attempt` counts
    ///   from 0).
    pub fn throttled_delay(&self, rl: &RateLimit, attempt: u32) -> Duration {
        if let Some(d) = rl.retry_after {
            tracing::debug!(wait_ms = d.as_millis() as u64, "pacer: 429, honouring Retry-After");
            return d;
        }
        let now = Instant::now();
        let server_wait = rl.server_wait(self.unix_now());
        let mut st = self.lock();
        let rate = if self.config.enabled { st.rate() } else { None };
        match (server_wait, rate) {
            (Some(wait), Some(rate)) => {
                let consistent = wait <= Duration::from_secs(1) + Duration::from_secs_f64(2.0 / rate) + STAMP_SLACK;
                if !consistent {
                    tracing::debug!(
                        wait_ms = wait.as_millis() as u64,
                        "pacer: 429, reset stamp beyond estimate, honouring it"
                    );
                    return wait;
                }
                // The stamp promises the next token: the first task in line
                // need not wait longer than that, even if the estimate is low.
                let first = st.available(now).is_none_or(|avail| avail > -1.0);
                let mut slot = st.reserve(now, rate);
                if first {
                    slot = slot.min(now + wait);
                }
                st.pool.push(Reverse(slot));
                let d = slot.saturating_duration_since(now);
                tracing::debug!(wait_ms = d.as_millis() as u64, "pacer: 429, retry at next slot");
                d
            }
            (Some(wait), None) => {
                let d = match (self.config.enabled, rl.reset) {
                    (true, Some(stamp)) => wait + st.stagger(stamp),
                    _ => wait,
                };
                tracing::debug!(wait_ms = d.as_millis() as u64, "pacer: 429, waiting for reset stamp");
                d
            }
            (None, Some(rate)) if rl.remaining.is_some() || rl.limit.is_some() => {
                let slot = st.reserve(now, rate);
                st.pool.push(Reverse(slot));
                slot.saturating_duration_since(now)
            }
            (None, _) => {
                drop(st);
                let ceiling = self
                    .config
                    .backoff_base
                    .saturating_mul(2u32.saturating_pow(attempt.min(31)))
                    .min(self.config.backoff_max);
                let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
                let d = Duration::from_nanos(fastrand::u64(0..=nanos));
                tracing::debug!(wait_ms = d.as_millis() as u64, attempt, "pacer: 429, jittered backoff");
                d
            }
        }
    }

    /// Counters and the current estimate.
    pub fn stats(&self) -> PacerStats {
        let st = self.lock();
        PacerStats { estimated_limit: st.limit, estimated_refill_per_sec: st.rate(), ..st.stats }
    }
}

/// Returns the slot of a dropped (cancelled or rescheduled) acquire to the
/// pool, unless the schedule it belonged to was discarded.
struct SlotGuard<'a> {
    pacer: &'a Pacer,
    slot: Option<Instant>,
    schedule: u64,
}

impl Drop for SlotGuard<'_> {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            let mut st = self.pacer.lock();
            if st.schedule == self.schedule {
                st.sleeping = st.sleeping.saturating_sub(1);
                st.pool.push(Reverse(slot));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    /// 2023-11-14T22:13:20Z plus 0.3 s, so that whole-second stamps are not aligned with t=0.
    fn epoch0() -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(1_700_000_000_300)
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(HeaderName::from_static(k), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    /// A wall clock that follows tokio's (paused) clock from `epoch0()`.
    fn virtual_clock() -> (Instant, Arc<dyn Fn() -> SystemTime + Send + Sync>) {
        let start = Instant::now();
        (start, Arc::new(move || epoch0() + Instant::now().saturating_duration_since(start)))
    }

    fn fixed_clock(t: SystemTime) -> Arc<dyn Fn() -> SystemTime + Send + Sync> {
        Arc::new(move || t)
    }

    // ----- parsing ---------------------------------------------------------

    #[test]
    fn parses_all_headers() {
        let now = epoch0();
        let h = headers(&[
            ("x-ratelimit-limit", "10"),
            ("x-ratelimit-remaining", " 7 "),
            ("x-ratelimit-reset", "1700000005"),
            ("retry-after", "3"),
            ("auth0-client-quota-limit", "b=per_hour;q=10;r=7;t=3540,b=per_day;q=50;r=47;t=43200"),
            ("auth0-organization-quota-limit", "b=per_day;q=500;r=499;t=60"),
        ]);
        let rl = RateLimit::from_headers(&h, now);
        assert_eq!(rl.limit, Some(10));
        assert_eq!(rl.remaining, Some(7));
        assert_eq!(rl.reset, Some(UNIX_EPOCH + Duration::from_secs(1_700_000_005)));
        assert_eq!(rl.retry_after, Some(Duration::from_secs(3)));
        assert_eq!(
            rl.client_quota,
            vec![
                QuotaBucket {
                    bucket: QuotaPeriod::PerHour,
                    quota: 10,
                    remaining: 7,
                    resets_in: Duration::from_secs(3540)
                },
                QuotaBucket {
                    bucket: QuotaPeriod::PerDay,
                    quota: 50,
                    remaining: 47,
                    resets_in: Duration::from_secs(43200)
                },
            ]
        );
        assert_eq!(rl.organization_quota.len(), 1);
        assert_eq!(rl.organization_quota[0].quota, 500);
        assert!(!rl.is_empty());
    }

    #[test]
    fn header_names_are_case_insensitive() {
        let mut h = HeaderMap::new();
        h.insert(HeaderName::from_bytes(b"X-RateLimit-Limit").unwrap(), HeaderValue::from_static("5"));
        h.insert(HeaderName::from_bytes(b"Retry-After").unwrap(), HeaderValue::from_static("2"));
        let rl = RateLimit::from_headers(&h, epoch0());
        assert_eq!(rl.limit, Some(5));
        assert_eq!(rl.retry_after, Some(Duration::from_secs(2)));
    }

    #[test]
    fn absent_headers_give_empty() {
        let rl = RateLimit::from_headers(&HeaderMap::new(), epoch0());
        assert_eq!(rl, RateLimit::default());
        assert!(rl.is_empty());
        assert_eq!(rl.server_wait(epoch0()), None);
    }

    #[test]
    fn garbage_and_huge_values_are_none() {
        let h = headers(&[
            ("x-ratelimit-limit", "ten"),
            ("x-ratelimit-remaining", "-1"),
            ("x-ratelimit-reset", "99999999999999999999999"),
            ("retry-after", "soon"),
            ("auth0-client-quota-limit", ";;==,b=;q=1;r=1;t=1,nonsense"),
        ]);
        let rl = RateLimit::from_headers(&h, epoch0());
        assert!(rl.is_empty(), "{rl:?}");

        for huge in ["99999999999999999999999", "18446744073709551615", "18446744073709551616"] {
            let rl = RateLimit::from_headers(
                &headers(&[("x-ratelimit-reset", huge), ("x-ratelimit-limit", huge), ("retry-after", huge)]),
                epoch0(),
            );
            assert_eq!(rl.reset, None, "{huge}");
            // u64::MAX itself fits in a u64 and a Duration, anything above does not.
            if huge == "18446744073709551615" {
                assert_eq!(rl.limit, Some(u64::MAX));
                assert_eq!(rl.retry_after, Some(Duration::from_secs(u64::MAX)));
            } else {
                assert_eq!(rl.limit, None);
                assert_eq!(rl.retry_after, None);
            }
        }
        // Non-UTF-8 value.
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-limit", HeaderValue::from_bytes(b"\xff1").unwrap());
        assert!(RateLimit::from_headers(&h, epoch0()).is_empty());
        // Other malformed numbers.
        for bad in ["", " ", "+5", "1e3", "1 2", "0x10", "5s"] {
            let rl = RateLimit::from_headers(&headers(&[("x-ratelimit-remaining", bad)]), epoch0());
            assert_eq!(rl.remaining, None, "{bad:?}");
        }
    }

    #[test]
    fn first_parseable_value_wins() {
        let h = headers(&[("x-ratelimit-limit", "junk"), ("x-ratelimit-limit", "12")]);
        assert_eq!(RateLimit::from_headers(&h, epoch0()).limit, Some(12));
    }

    #[test]
    fn retry_after_seconds_and_http_date() {
        // 1994-11-06T08:49:37Z = 784111777
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777 - 120);
        let ra = |v: &str| RateLimit::from_headers(&headers(&[("retry-after", v)]), now).retry_after;
        assert_eq!(ra("120"), Some(Duration::from_secs(120)));
        assert_eq!(ra("0"), Some(Duration::ZERO));
        assert_eq!(ra("1.5"), Some(Duration::from_millis(1500)));
        assert_eq!(ra("Sun, 06 Nov 1994 08:49:37 GMT"), Some(Duration::from_secs(120)));
        assert_eq!(ra("Sunday, 06-Nov-94 08:49:37 GMT"), Some(Duration::from_secs(120)));
        assert_eq!(ra("Sun Nov  6 08:49:37 1994"), Some(Duration::from_secs(120)));
        assert_eq!(ra("sun, 06 nov 1994 08:51:37 gmt"), Some(Duration::from_secs(240)));
        // A date in the past: retry now.
        assert_eq!(ra("Sat, 01 Jan 1994 00:00:00 GMT"), Some(Duration::ZERO));
        assert_eq!(ra("Thu, 01 Jan 1970 00:00:00 GMT"), Some(Duration::ZERO));
        // Garbage.
        for bad in [
            "Sun, 06 Nov 1994 08:49:37 PST",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 25:49:37 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun, 06 Nov 1994 08:49:37:00 GMT",
            "06 Nov",
            "1.",
            ".5",
            "-5",
            "",
        ] {
            assert_eq!(ra(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn http_date_matches_known_epochs() {
        let d = |s: &str| parse_http_date(s).unwrap().duration_since(UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(d("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
        assert_eq!(d("Tue, 29 Feb 2000 12:00:00 GMT"), 951_825_600);
        assert_eq!(d("Tue, 14 Nov 2023 22:13:20 GMT"), 1_700_000_000);
        assert_eq!(d("Fri, 31 Dec 9999 23:59:59 GMT"), 253_402_300_799);
    }

    #[test]
    fn reset_in_the_past_waits_zero() {
        let now = epoch0();
        let h = headers(&[("x-ratelimit-reset", "1699999990")]);
        let rl = RateLimit::from_headers(&h, now);
        assert_eq!(rl.server_wait(now), Some(Duration::ZERO));
        // And in the future: the stamp minus now, uncapped.
        let h = headers(&[("x-ratelimit-reset", "1700000090")]);
        let rl = RateLimit::from_headers(&h, now);
        assert_eq!(rl.server_wait(now), Some(Duration::from_millis(89_700)));
    }

    #[test]
    fn server_wait_prefers_retry_after() {
        let now = epoch0();
        let h = headers(&[("x-ratelimit-reset", "1700000060"), ("retry-after", "2")]);
        let rl = RateLimit::from_headers(&h, now);
        assert_eq!(rl.server_wait(now), Some(Duration::from_secs(2)));
        let rl = RateLimit { retry_after: None, ..rl };
        assert_eq!(rl.server_wait(now), Some(Duration::from_millis(59_700)));
    }

    #[test]
    fn quota_header_variants() {
        let q = |v: &str| RateLimit::from_headers(&headers(&[("auth0-client-quota-limit", v)]), epoch0()).client_quota;
        let hour =
            QuotaBucket { bucket: QuotaPeriod::PerHour, quota: 10, remaining: 7, resets_in: Duration::from_secs(3540) };
        // Order of keys, spaces, unknown keys, upper case.
        assert_eq!(q("t=3540;r=7;q=10;b=per_hour"), vec![hour.clone()]);
        assert_eq!(q("  b = per_hour ; q=10 ; r=7 ; t=3540 ; x=1 "), vec![hour.clone()]);
        assert_eq!(q("B=PER_HOUR;Q=10;R=7;T=3540"), vec![hour.clone()]);
        // Unknown period kept verbatim.
        assert_eq!(
            q("b=per_minute;q=1;r=0;t=5"),
            vec![QuotaBucket {
                bucket: QuotaPeriod::Other("per_minute".into()),
                quota: 1,
                remaining: 0,
                resets_in: Duration::from_secs(5)
            }]
        );
        // Garbage entries are skipped, good ones kept; trailing/empty entries.
        assert_eq!(q("garbage,b=per_hour;q=10;r=7;t=3540,,b=per_day;q=x;r=1;t=1,"), vec![hour.clone()]);
        // Missing field.
        assert_eq!(q("b=per_hour;q=10;r=7"), vec![]);
        // Huge value.
        assert_eq!(q("b=per_hour;q=99999999999999999999999;r=7;t=1"), vec![]);
        // Several header lines are concatenated.
        let h = headers(&[
            ("auth0-client-quota-limit", "b=per_hour;q=10;r=7;t=3540"),
            ("auth0-client-quota-limit", "b=per_day;q=50;r=47;t=43200"),
        ]);
        assert_eq!(RateLimit::from_headers(&h, epoch0()).client_quota.len(), 2);
    }

    // ----- simulated Auth0 bucket -----------------------------------------

    /// An in-process Auth0-like token bucket driven by tokio's clock.
    struct SimBucket {
        capacity: f64,
        rate: f64,
        tokens: f64,
        last: Instant,
        start: Instant,
    }

    impl SimBucket {
        fn new(capacity: u64, rate: f64, start: Instant) -> SimBucket {
            SimBucket { capacity: capacity as f64, rate, tokens: capacity as f64, last: start, start }
        }

        /// Handles one request now: status and response headers.
        fn hit(&mut self) -> (u16, HeaderMap) {
            let now = Instant::now();
            let dt = now.saturating_duration_since(self.last).as_secs_f64();
            self.tokens = (self.tokens + self.rate * dt).min(self.capacity);
            self.last = now;
            let status = if self.tokens >= 1.0 {
                self.tokens -= 1.0;
                200
            } else {
                429
            };
            let whole = self.tokens.floor();
            let next_add = if self.tokens >= self.capacity {
                now
            } else {
                now + Duration::from_secs_f64((whole + 1.0 - self.tokens) / self.rate)
            };
            let epoch = epoch0() + next_add.saturating_duration_since(self.start);
            let e = epoch.duration_since(UNIX_EPOCH).unwrap();
            let reset = e.as_secs() + u64::from(e.subsec_nanos() > 0); // rounded up
            let h = headers(&[
                ("x-ratelimit-limit", &(self.capacity as u64).to_string()),
                ("x-ratelimit-remaining", &(whole as u64).to_string()),
                ("x-ratelimit-reset", &reset.to_string()),
            ]);
            (status, h)
        }
    }

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Strategy {
        /// `acquire` + `throttled_delay` of an enabled pacer.
        Pacer,
        /// No pacing; on a 429 sleep until the reset stamp.
        Naive,
    }

    #[derive(Debug)]
    struct SimReport {
        wall: Duration,
        ok: u64,
        failed: u64,
        throttled: u64,
        stats: PacerStats,
        /// Instants at which throttled tasks woke up to retry.
        throttle_wakes: Vec<Instant>,
        /// Instants at which those retries were sent (after `acquire`).
        retry_sends: Vec<Instant>,
    }

    const MAX_ATTEMPTS: u32 = 10;

    async fn simulate(strategy: Strategy, capacity: u64, rate: f64, tasks: usize, total: usize) -> SimReport {
        simulate_seeded(strategy, capacity, rate, tasks, total, 0x5eed, (20_000, 50_000)).await
    }

    async fn simulate_seeded(
        strategy: Strategy,
        capacity: u64,
        rate: f64,
        tasks: usize,
        total: usize,
        seed: u64,
        latency_us: (u64, u64),
    ) -> SimReport {
        simulate_prepared(strategy, capacity, rate, tasks, total, seed, latency_us, |_| {}).await
    }

    /// As `simulate_seeded`, with `prepare` applied to the pacer's state first.
    #[allow(clippy::too_many_arguments)]
    async fn simulate_prepared(
        strategy: Strategy,
        capacity: u64,
        rate: f64,
        tasks: usize,
        total: usize,
        seed: u64,
        latency_us: (u64, u64),
        prepare: impl FnOnce(&mut State),
    ) -> SimReport {
        let (start, clock) = virtual_clock();
        let config = match strategy {
            Strategy::Pacer => PacerConfig::default(),
            Strategy::Naive => PacerConfig::disabled(),
        };
        let pacer = Pacer::with_unix_clock(config, clock);
        prepare(&mut pacer.lock());
        let bucket = Mutex::new(SimBucket::new(capacity, rate, start));
        let rng = Mutex::new(fastrand::Rng::with_seed(seed));
        let next_job = std::sync::atomic::AtomicUsize::new(0);
        let counters = Mutex::new((0u64, 0u64, 0u64, Vec::new(), Vec::new()));

        let worker = || async {
            while next_job.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < total {
                let mut attempt = 0;
                let mut retried = false;
                loop {
                    pacer.acquire(Duration::MAX).await.unwrap();
                    if retried {
                        counters.lock().unwrap().4.push(Instant::now());
                    }
                    // Request and response legs drawn independently: responses
                    // are observed out of order, as on a real network.
                    let (there, back) = {
                        let mut rng = rng.lock().unwrap();
                        let mut leg = || Duration::from_micros(rng.u64(latency_us.0..=latency_us.1) / 2);
                        (leg(), leg())
                    };
                    tokio::time::sleep(there).await;
                    let (status, h) = bucket.lock().unwrap().hit();
                    tokio::time::sleep(back).await;
                    let rl = RateLimit::from_headers(&h, pacer.unix_now());
                    pacer.observe(&rl, status);
                    if status != 429 {
                        counters.lock().unwrap().0 += 1;
                        break;
                    }
                    counters.lock().unwrap().2 += 1;
                    attempt += 1;
                    if attempt >= MAX_ATTEMPTS {
                        counters.lock().unwrap().1 += 1;
                        break;
                    }
                    let delay = match strategy {
                        Strategy::Pacer => pacer.throttled_delay(&rl, attempt - 1),
                        Strategy::Naive => rl.server_wait(pacer.unix_now()).unwrap(),
                    };
                    counters.lock().unwrap().3.push(Instant::now() + delay);
                    tokio::time::sleep(delay).await;
                    retried = true;
                }
            }
        };
        futures::future::join_all((0..tasks).map(|_| worker())).await;
        let wall = Instant::now() - start;
        let (ok, failed, throttled, throttle_wakes, retry_sends) = counters.into_inner().unwrap();
        SimReport { wall, ok, failed, throttled, stats: pacer.stats(), throttle_wakes, retry_sends }
    }

    /// Largest number of events sharing one instant.
    fn max_same_instant(instants: &[Instant]) -> usize {
        let mut v = instants.to_vec();
        v.sort();
        v.chunk_by(|a, b| a == b).map(<[Instant]>::len).max().unwrap_or(0)
    }

    #[tokio::test(start_paused = true)]
    async fn simulation_pacer_vs_naive() {
        let naive = simulate(Strategy::Naive, 10, 100.0, 8, 400).await;
        let paced = simulate(Strategy::Pacer, 10, 100.0, 8, 400).await;
        for (name, r) in [("naive", &naive), ("pacer", &paced)] {
            println!(
                "{name}: wall {:.3}s ok {} failed {} 429s {} waits {} total_wait {:.3}s refill_est {:?} \
                 max_same_wake {} max_same_retry_send {}",
                r.wall.as_secs_f64(),
                r.ok,
                r.failed,
                r.throttled,
                r.stats.waits,
                r.stats.total_wait.as_secs_f64(),
                r.stats.estimated_refill_per_sec,
                max_same_instant(&r.throttle_wakes),
                max_same_instant(&r.retry_sends),
            );
        }
        assert_eq!(paced.failed, 0);
        assert_eq!(paced.ok, 400);
        assert!(paced.throttled <= 4, "{paced:?}");
        assert!(paced.wall <= Duration::from_millis(4290), "{paced:?}");
        assert!(max_same_instant(&paced.throttle_wakes) <= 1, "{paced:?}");
        assert!(max_same_instant(&paced.retry_sends) <= 1, "{paced:?}");
        assert_eq!(paced.stats.estimated_limit, Some(10));
    }

    fn print_report(name: &str, r: &SimReport, ideal: f64) {
        println!(
            "{name}: wall {:.3}s (ideal {ideal:.3}s) ok {} failed {} 429s {} waits {} est {:?} max_same_wake {}",
            r.wall.as_secs_f64(),
            r.ok,
            r.failed,
            r.throttled,
            r.stats.waits,
            r.stats.estimated_refill_per_sec,
            max_same_instant(&r.throttle_wakes),
        );
    }

    /// Loopback-like latency (0.1–1 ms, legs drawn independently, so that
    /// responses arrive out of order): reordering must not poison the estimate.
    #[tokio::test(start_paused = true)]
    async fn simulation_sub_millisecond_reordered() {
        for seed in 0..4 {
            let r = simulate_seeded(Strategy::Pacer, 10, 100.0, 8, 400, seed, (100, 1_000)).await;
            print_report(&format!("sub-ms seed {seed}"), &r, 3.9);
            assert_eq!((r.ok, r.failed), (400, 0), "{r:?}");
            assert!(r.throttled <= 4, "{r:?}");
            assert!(r.wall <= Duration::from_millis(4290), "{r:?}");
            let rate = r.stats.estimated_refill_per_sec.unwrap();
            assert!((90.0..=110.0).contains(&rate), "{rate}");
        }
    }

    /// An estimate ten times too high (as left by a bucket that another client
    /// now shares): the 429s it causes must bring it down, and no call fails.
    #[tokio::test(start_paused = true)]
    async fn simulation_too_high_estimate_comes_down() {
        for (seed, lat) in [(1, (100, 1_000)), (2, (20_000, 50_000))] {
            let r = simulate_prepared(Strategy::Pacer, 10, 100.0, 8, 400, seed, lat, |st| {
                st.limit = Some(10);
                st.floor = Some(1000.0);
            })
            .await;
            print_report(&format!("too high seed {seed} lat {lat:?}"), &r, 3.9);
            assert_eq!((r.ok, r.failed), (400, 0), "{r:?}");
            assert!(r.throttled <= 30, "{r:?}");
            assert!(r.wall <= Duration::from_secs_f64(3.9 * 1.3), "{r:?}");
            let rate = r.stats.estimated_refill_per_sec.unwrap();
            assert!((80.0..=125.0).contains(&rate), "{rate}");
        }
    }

    /// Free tier: burst 2 at 2/s, whole-second stamps are as coarse as two tokens.
    #[tokio::test(start_paused = true)]
    async fn simulation_burst_2_at_2_per_second() {
        for (seed, lat) in [(1, (100, 1_000)), (2, (20_000, 50_000)), (3, (50_000, 300_000))] {
            let r = simulate_seeded(Strategy::Pacer, 2, 2.0, 8, 120, seed, lat).await;
            print_report(&format!("burst 2 at 2/s seed {seed} lat {lat:?}"), &r, 59.0);
            assert_eq!((r.ok, r.failed), (120, 0), "{r:?}");
            assert!(r.wall <= Duration::from_secs_f64(59.0 * 1.3), "{r:?}");
            // About 6 come from the first burst, before anything is known.
            assert!(r.throttled <= 20, "{r:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    #[ignore]
    async fn sweep() {
        for (cap, rate, tasks, lat) in [
            (10, 100.0, 8, (20_000, 50_000)),
            (10, 100.0, 32, (20_000, 50_000)),
            (2, 2.0, 4, (50_000, 300_000)),
            (50, 50.0, 16, (5_000, 200_000)),
            (10, 100.0, 8, (1_000, 5_000)),
        ] {
            let total = if rate < 10.0 { 40 } else { 400 };
            for seed in 0..10 {
                let r = simulate_seeded(Strategy::Pacer, cap, rate, tasks, total, seed, lat).await;
                let n = simulate_seeded(Strategy::Naive, cap, rate, tasks, total, seed, lat).await;
                println!(
                    "cap {cap} rate {rate} tasks {tasks} lat {lat:?} seed {seed}: pacer wall {:.3} 429 {} failed {} est {:.1} | naive wall {:.3} 429 {} failed {} | ideal {:.3}",
                    r.wall.as_secs_f64(),
                    r.throttled,
                    r.failed,
                    r.stats.estimated_refill_per_sec.unwrap_or(0.0),
                    n.wall.as_secs_f64(),
                    n.throttled,
                    n.failed,
                    (total as f64 - cap as f64) / rate
                );
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn big_bucket_never_waits() {
        let r = simulate(Strategy::Pacer, 1000, 1000.0, 8, 400).await;
        println!("big bucket: wall {:.3}s waits {} 429s {}", r.wall.as_secs_f64(), r.stats.waits, r.throttled);
        assert_eq!((r.ok, r.failed, r.throttled), (400, 0, 0));
        assert_eq!(r.stats.waits, 0);
        assert_eq!(r.stats.total_wait, Duration::ZERO);
        assert_eq!(r.stats.requests, 400);
    }

    #[tokio::test(start_paused = true)]
    async fn nothing_learned_means_no_pacing() {
        let pacer = Pacer::new(PacerConfig::default());
        let t0 = Instant::now();
        for _ in 0..1000 {
            pacer.acquire(Duration::MAX).await.unwrap();
        }
        assert_eq!(Instant::now(), t0);
        let st = pacer.stats();
        assert_eq!((st.requests, st.waits), (1000, 0));
        assert_eq!(st.estimated_refill_per_sec, None);
    }

    /// Drives `n` sequential requests through `pacer` against `bucket`,
    /// `spacing` apart, so that the pacer learns the bucket.
    async fn learn(pacer: &Pacer, bucket: &mut SimBucket, n: usize, spacing: Duration) {
        for _ in 0..n {
            let (status, h) = bucket.hit();
            pacer.observe(&RateLimit::from_headers(&h, pacer.unix_now()), status);
            tokio::time::sleep(spacing).await;
        }
        // Drain what is left (no time passes), observing every response.
        loop {
            let (status, h) = bucket.hit();
            pacer.observe(&RateLimit::from_headers(&h, pacer.unix_now()), status);
            if status == 429 {
                break;
            }
        }
    }

    /// A pacer that has learned a burst-10, 100/s bucket, now drained (the
    /// measured rate needs at least `MIN_SPAN` of data: 250 × 5 ms).
    async fn learned_pacer() -> (Pacer, SimBucket) {
        let (start, clock) = virtual_clock();
        let pacer = Pacer::with_unix_clock(PacerConfig::default(), clock);
        let mut bucket = SimBucket::new(10, 100.0, start);
        learn(&pacer, &mut bucket, 250, Duration::from_millis(5)).await;
        let rate = pacer.stats().estimated_refill_per_sec.expect("learned");
        assert!((80.0..=120.0).contains(&rate), "{rate}");
        (pacer, bucket)
    }

    #[tokio::test(start_paused = true)]
    async fn throttled_tasks_get_distinct_staggered_slots() {
        let (pacer, mut bucket) = learned_pacer().await;
        // Eight tasks hit the empty bucket at the same instant.
        let mut delays = Vec::new();
        for attempt in 0..8 {
            let (status, h) = bucket.hit();
            assert_eq!(status, 429);
            let rl = RateLimit::from_headers(&h, pacer.unix_now());
            assert!(rl.reset.is_some() && rl.retry_after.is_none());
            pacer.observe(&rl, status);
            delays.push(pacer.throttled_delay(&rl, attempt % 2));
        }
        let stamp = RateLimit::from_headers(&bucket.hit().1, pacer.unix_now()).server_wait(pacer.unix_now()).unwrap();
        println!("throttled delays {delays:?}, reset stamp in {stamp:?}");
        for w in delays.windows(2) {
            // Distinct, about one refill interval (10 ms) apart.
            let gap = w[1].saturating_sub(w[0]);
            assert!(gap >= Duration::from_millis(7) || w[1] == stamp, "{delays:?}");
        }
        assert!(delays.iter().all(|d| *d <= stamp));
        // Each task retries through acquire: sends are distinct instants, no new reservation.
        let t0 = Instant::now();
        let sends = futures::future::join_all(delays.iter().map(|d| {
            let pacer = &pacer;
            async move {
                tokio::time::sleep(*d).await;
                pacer.acquire(Duration::MAX).await.unwrap();
                Instant::now() - t0
            }
        }))
        .await;
        assert_eq!(max_same_instant(&sends.iter().map(|d| t0 + *d).collect::<Vec<_>>()), 1, "{sends:?}");
        assert!(
            sends.iter().max().unwrap()
                <= &(delays.iter().max().unwrap().max(&Duration::ZERO).saturating_add(Duration::from_millis(15))),
            "{sends:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn cancelled_acquire_does_not_stall_others() {
        let (pacer, _bucket) = learned_pacer().await;
        // Queue three waiters, then cancel the first mid-wait.
        let t0 = Instant::now();
        let first = tokio::time::timeout(Duration::from_millis(1), pacer.acquire(Duration::MAX)).await;
        assert!(first.is_err(), "the bucket is drained, acquire must wait");
        let times = futures::future::join_all((0..3).map(|_| async {
            pacer.acquire(Duration::MAX).await.unwrap();
            Instant::now() - t0
        }))
        .await;
        println!("after cancel: {times:?}");
        // The cancelled slot is reused, later slots keep ~10 ms spacing: no stall.
        assert!(times[0] <= Duration::from_millis(40), "{times:?}");
        for w in times.windows(2) {
            assert!(w[1] > w[0] && w[1] - w[0] <= Duration::from_millis(15), "{times:?}");
        }
        // Many cancellations leave nothing behind that slows later acquires.
        for _ in 0..50 {
            let _ = tokio::time::timeout(Duration::from_micros(100), pacer.acquire(Duration::MAX)).await;
        }
        let t1 = Instant::now();
        pacer.acquire(Duration::MAX).await.unwrap();
        assert!(Instant::now() - t1 <= Duration::from_millis(20));
        // Once the bucket had time to refill, acquires are immediate again.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let t2 = Instant::now();
        for _ in 0..5 {
            pacer.acquire(Duration::MAX).await.unwrap();
        }
        assert_eq!(Instant::now(), t2);
    }

    #[tokio::test(start_paused = true)]
    async fn throttled_delay_rules() {
        let now = epoch0();
        let pacer = Pacer::with_unix_clock(PacerConfig::default(), fixed_clock(now));
        // Retry-After honoured exactly, over the reset.
        let rl = RateLimit::from_headers(&headers(&[("retry-after", "7"), ("x-ratelimit-reset", "1700000001")]), now);
        assert_eq!(pacer.throttled_delay(&rl, 0), Duration::from_secs(7));
        // Reset only, no estimate: the stamp, not capped; a second task
        // throttled at the same stamp wakes a little later (staggered).
        let rl = RateLimit::from_headers(&headers(&[("x-ratelimit-reset", "1700000090")]), now);
        assert_eq!(pacer.throttled_delay(&rl, 0), Duration::from_millis(89_700));
        assert_eq!(pacer.throttled_delay(&rl, 9), Duration::from_millis(89_700) + STAGGER_MIN);
        assert_eq!(pacer.throttled_delay(&rl, 9), Duration::from_millis(89_700) + STAGGER_MIN * 2);
        // Reset in the past: retry now.
        let rl = RateLimit::from_headers(&headers(&[("x-ratelimit-reset", "1600000000")]), now);
        assert_eq!(pacer.throttled_delay(&rl, 0), Duration::ZERO);
        // No headers: jittered exponential backoff, bounded.
        let rl = RateLimit::default();
        for attempt in 0..40 {
            let ceiling = Duration::from_millis(500).saturating_mul(1 << attempt.min(20)).min(Duration::from_secs(10));
            let draws: Vec<_> = (0..50).map(|_| pacer.throttled_delay(&rl, attempt)).collect();
            assert!(draws.iter().all(|d| *d <= ceiling), "{attempt}: {draws:?}");
            assert!(draws.iter().any(|d| *d != draws[0]), "jittered");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn far_reset_is_honoured_even_with_an_estimate() {
        let (pacer, _bucket) = learned_pacer().await;
        let now = pacer.unix_now();
        let reset = (now + Duration::from_secs(90)).duration_since(UNIX_EPOCH).unwrap().as_secs().to_string();
        let h = headers(&[("x-ratelimit-limit", "10"), ("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", &reset)]);
        let rl = RateLimit::from_headers(&h, now);
        pacer.observe(&rl, 429);
        let d = pacer.throttled_delay(&rl, 0);
        assert_eq!(d, rl.server_wait(now).unwrap());
        assert!(d > Duration::from_secs(89));
    }

    #[tokio::test(start_paused = true)]
    async fn disabled_pacer_never_waits_and_uses_the_stamp() {
        let (start, clock) = virtual_clock();
        let pacer = Pacer::with_unix_clock(PacerConfig::disabled(), clock);
        let mut bucket = SimBucket::new(10, 100.0, start);
        learn(&pacer, &mut bucket, 250, Duration::from_millis(5)).await;
        let t0 = Instant::now();
        for _ in 0..100 {
            pacer.acquire(Duration::MAX).await.unwrap();
        }
        assert_eq!(Instant::now(), t0);
        let (status, h) = bucket.hit();
        assert_eq!(status, 429);
        let rl = RateLimit::from_headers(&h, pacer.unix_now());
        assert_eq!(pacer.throttled_delay(&rl, 0), rl.server_wait(pacer.unix_now()).unwrap());
    }

    #[tokio::test(start_paused = true)]
    async fn shared_bucket_estimate_self_corrects() {
        // Another client takes 60 of the 100 tokens/s: the pacer must learn ~40/s.
        let (start, clock) = virtual_clock();
        let pacer = Pacer::with_unix_clock(PacerConfig::default(), clock);
        let bucket = Mutex::new(SimBucket::new(10, 100.0, start));
        let done = std::sync::atomic::AtomicBool::new(false);
        let other = async {
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                bucket.lock().unwrap().hit();
                tokio::time::sleep(Duration::from_micros(16_667)).await;
            }
        };
        let ours = async {
            let mut throttled = 0;
            for i in 0..300u64 {
                loop {
                    pacer.acquire(Duration::MAX).await.unwrap();
                    tokio::time::sleep(Duration::from_millis(10 + i % 7)).await;
                    let (status, h) = bucket.lock().unwrap().hit();
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    let rl = RateLimit::from_headers(&h, pacer.unix_now());
                    pacer.observe(&rl, status);
                    if status != 429 {
                        break;
                    }
                    throttled += 1;
                    tokio::time::sleep(pacer.throttled_delay(&rl, 0)).await;
                }
            }
            done.store(true, std::sync::atomic::Ordering::Relaxed);
            throttled
        };
        // Four concurrent "tasks" share one loop each.
        let (throttled, ()) = futures::join!(ours, other);
        let st = pacer.stats();
        let wall = Instant::now() - start;
        println!(
            "shared bucket: wall {:.3}s 429s {throttled} est {:?}",
            wall.as_secs_f64(),
            st.estimated_refill_per_sec
        );
        let rate = st.estimated_refill_per_sec.unwrap();
        assert!((25.0..=55.0).contains(&rate), "{rate}");
    }

    #[test]
    fn pacer_is_send_sync_and_acquire_is_send() {
        fn assert_send_sync<T: Send + Sync>(_: &T) {}
        fn assert_send<T: Send>(_: &T) {}
        let pacer = Pacer::default();
        assert_send_sync(&pacer);
        assert_send(&pacer.acquire(Duration::MAX));
    }
}
