//! The client-wide pacer: a model of the tenant's token bucket ([`Bucket`], a plain state
//! machine) behind a FIFO line of waiting calls ([`Pacer`]). The algorithm is described in
//! the [module documentation](super).

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use backon::{BackoffBuilder, ExponentialBuilder};
use tokio::sync::Notify;
use tokio::time::Instant;

use super::RateLimit;

/// Before the first answer, other calls wait at most this long for it.
const FIRST_ANSWER: Duration = Duration::from_secs(1);
/// Before a refill rate is known, an empty bucket is probed this long after the last
/// answer (a bucket refilling slower than one token per probe costs one 429 to find out).
const PROBE: Duration = Duration::from_millis(100);
/// Observations older than this do not count towards the refill rate ...
const WINDOW: Duration = Duration::from_secs(10);
/// ... and at most this many are kept.
const MAX_SAMPLES: usize = 256;
/// A bucket larger than this is nonsense: such answers carry no bucket information.
const MAX_LIMIT: u64 = 1_000_000;
/// A request unanswered for this long (its future was dropped mid-flight) stops counting.
const IN_FLIGHT_HORIZON: Duration = Duration::from_secs(60);
/// At most this many throttled tasks are remembered to be put back at the front of the line.
const MAX_RETURNING: usize = 256;

/// Pacer settings (part of the [`ClientBuilder`](crate::ClientBuilder)).
///
/// ```
/// use std::time::Duration;
/// use auth0_mgmt::PacerConfig;
///
/// let config = PacerConfig::default().backoff(Duration::from_millis(250), Duration::from_secs(5));
/// assert!(config.enabled);
/// assert!(!PacerConfig::disabled().enabled);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct PacerConfig {
    /// When `false`, calls are never held back before they are sent (a 429 is still
    /// waited out as the server says). Default `true`.
    pub enabled: bool,
    /// First delay of the exponential backoff (`backon`, with jitter) after a 429 that
    /// names no wait. Default 500 ms.
    pub backoff_base: Duration,
    /// Largest delay of that backoff before jitter (jitter adds up to as much again).
    /// Default 10 s.
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
        PacerConfig::default().enabled(false)
    }

    /// Sets [`enabled`](Self::enabled).
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }

    /// Sets the backoff range used after a 429 that names no wait.
    pub fn backoff(mut self, base: Duration, max: Duration) -> Self {
        self.backoff_base = base;
        self.backoff_max = max.max(base);
        self
    }
}

/// The `attempt`-th delay (from 0) of `backon`'s exponential backoff from `base` to `max`.
fn backoff(base: Duration, max: Duration, attempt: u32, jitter: bool) -> Duration {
    let builder = ExponentialBuilder::default()
        .with_min_delay(base)
        .with_max_delay(max.max(base))
        .with_factor(2.0)
        .without_max_times();
    let nth = attempt.min(64) as usize;
    // Seeded here: without backon's `std` feature its jitter would repeat in every process.
    let jittered = || builder.with_jitter().with_jitter_seed(fastrand::u64(..)).build().nth(nth);
    let delay = if jitter { jittered() } else { builder.build().nth(nth) };
    delay.unwrap_or(max)
}

/// Counters and the current estimate of the client's pacer, from
/// [`Client::rate_limit_stats`](crate::Client::rate_limit_stats).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct PacerStats {
    /// Calls that asked the pacer for a send slot (one per attempt).
    pub requests: u64,
    /// Of those, how many were held back for a while.
    pub waits: u64,
    /// Total time they were held back.
    pub total_wait: Duration,
    /// 429 answers observed.
    pub throttled: u64,
    /// The bucket size the tenant reports (`x-ratelimit-limit`), when it makes sense.
    pub estimated_limit: Option<u64>,
    /// The refill rate, tokens per second, that the answers prove (a lower bound).
    pub estimated_refill_per_sec: Option<f64>,
}

/// A send slot further away than the caller may wait: nothing was waited
/// ([`RateLimiter::acquire`](super::RateLimiter::acquire)). The transport turns it into
/// [`Error::WaitTooLong`](crate::Error::WaitTooLong) naming the pacer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PacerWait {
    /// How long the call would have had to wait for its slot.
    pub needed: Duration,
}

impl PacerWait {
    /// A slot `needed` away.
    pub fn new(needed: Duration) -> PacerWait {
        PacerWait { needed }
    }
}

// ---------------------------------------------------------------------------------------
// The model: a plain state machine over `Instant`s
// ---------------------------------------------------------------------------------------

/// What one answer says about the bucket, with the next-token promise already on the
/// monotonic clock.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Observation {
    /// `x-ratelimit-limit` and `x-ratelimit-remaining`, when both make sense together.
    pub(crate) bucket: Option<(u64, u64)>,
    /// When the server promises a token: `Retry-After`, else `x-ratelimit-reset`;
    /// `None` when absent or not in the future.
    pub(crate) promise: Option<Instant>,
    /// `x-ratelimit-reset` alone (when tokens are next added), if in the future.
    pub(crate) reset: Option<Instant>,
    /// The answer was a 429.
    pub(crate) throttled: bool,
}

impl Observation {
    pub(crate) fn new(rl: &RateLimit, status: u16, now: Instant, unix_now: SystemTime) -> Observation {
        let bucket = match (rl.limit, rl.remaining) {
            (Some(limit), Some(remaining)) if (1..=MAX_LIMIT).contains(&limit) && remaining <= limit => {
                Some((limit, remaining))
            }
            _ => None,
        };
        let on_clock = |d: Duration| (!d.is_zero()).then(|| now.checked_add(d)).flatten();
        let promise = rl.server_wait(unix_now).and_then(on_clock);
        let reset = rl.reset.and_then(|r| r.duration_since(unix_now).ok()).and_then(on_clock);
        Observation { bucket, promise, reset, throttled: status == 429 }
    }
}

/// The bucket as the model sees it: `level` tokens at `at` (after the last answer: the
/// server's `remaining` minus our requests still in flight; then less one per send), growing
/// at the learned rate up to `cap`. `promise`: the server's next-token promise, until a send
/// uses it.
#[derive(Clone, Copy, Debug)]
struct Level {
    at: Instant,
    level: f64,
    cap: f64,
    promise: Option<Instant>,
    /// When the promise is `x-ratelimit-reset` (no `Retry-After`): its token comes after
    /// this, a second before.
    after: Option<Instant>,
}

/// One answer with bucket information, for the refill-rate bound.
#[derive(Clone, Copy, Debug)]
struct Sample {
    at: Instant,
    remaining: u64,
    /// Answers accepted (not 429) so far, this one included.
    accepted: u64,
    /// Requests still in flight after this answer.
    in_flight: usize,
    /// How long this answer took at most (send of the oldest request in flight to now).
    rtt: Duration,
    /// The tokens left as the freshest answers tell (see [`Bucket::observe`]).
    floor: f64,
    /// When tokens are next added (`x-ratelimit-reset`).
    reset: Option<Instant>,
    /// Accepted answers observed while this request was in flight (they may have been
    /// counted after it).
    overtaken: u64,
}

/// What [`Bucket::reserve`] decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reserve {
    /// A token is taken: send now.
    Now,
    /// Ask again at this instant (or as soon as an answer is observed).
    At(Instant),
}

/// The model of the tenant's token bucket: a plain struct driven by explicit instants, so
/// that it can be tested without a clock and mirrored by a shared backend.
#[derive(Debug, Default)]
pub(crate) struct Bucket {
    /// The longest spacing of probes that keep failing (`PacerConfig::backoff_max`).
    probe_max: Duration,
    /// The first send, while it has no answer (the other calls wait for it).
    first: Option<Instant>,
    /// Some answer (or transport error) has been seen.
    answered: bool,
    limit: Option<u64>,
    /// `None` until an answer describes a bucket: then nothing is held back.
    level: Option<Level>,
    /// Send instants of requests not yet answered, oldest first.
    in_flight: VecDeque<Instant>,
    samples: VecDeque<Sample>,
    accepted: u64,
    /// The refill rate the samples prove, tokens per second.
    rate: Option<f64>,
    /// A send the model did not hold a token for (a probe) awaits its answer.
    probing: bool,
    /// Probes that met a 429: the bucket refills slower than probes go; wait for the
    /// server's promises instead.
    failed_probes: u32,
}

impl Bucket {
    pub(crate) fn new(config: &PacerConfig) -> Bucket {
        Bucket { probe_max: config.backoff_max, ..Bucket::default() }
    }

    /// Takes a token if the model has one (or the time has come to try), else says when
    /// to ask again.
    pub(crate) fn reserve(&mut self, now: Instant) -> Reserve {
        self.expire(now);
        if !self.answered {
            match self.first {
                Some(first) if now < first + FIRST_ANSWER => return Reserve::At(first + FIRST_ANSWER),
                Some(_) => {}
                None => self.first = Some(now),
            }
        } else if let Some(next) = self.next_token(now) {
            if next > now {
                return Reserve::At(next);
            }
            self.probing |= self.available(now).is_some_and(|a| a < 1.0 - 1e-9);
        }
        self.force(now);
        Reserve::Now
    }

    /// Counts a send (also one made regardless of the model, when a caller's wait ran out).
    pub(crate) fn force(&mut self, now: Instant) {
        let available = self.available(now);
        if let (Some(l), Some(available)) = (&mut self.level, available) {
            *l = Level { at: now, level: available - 1.0, promise: None, ..*l };
        }
        self.in_flight.push_back(now);
    }

    /// The modelled tokens at `now` (`None`: no bucket known).
    fn available(&self, now: Instant) -> Option<f64> {
        let l = self.level?;
        let grown = l.level + self.rate.map_or(0.0, |r| r * now.saturating_duration_since(l.at).as_secs_f64());
        // The server promised one token beyond what it reported (nothing sent since).
        let promised = if l.promise.is_some_and(|p| p <= now) && l.level >= 0.0 { 1.0 } else { f64::MIN };
        Some(grown.max(promised).min(l.cap))
    }

    /// How long a call with `ahead` calls before it would wait, as far as the model can tell.
    pub(crate) fn predict(&self, now: Instant, ahead: usize) -> Duration {
        // Before the first answer, be optimistic: answers usually come quickly.
        let first = if self.answered { self.next_token(now).unwrap_or(now) } else { now };
        let per_call = match self.rate {
            Some(rate) => secs(1.0 / rate),
            None if self.level.is_some() && ahead > 0 => backoff(PROBE, self.probe_max, self.failed_probes, false),
            None => Duration::ZERO,
        };
        first
            .saturating_duration_since(now)
            .saturating_add(per_call.saturating_mul(ahead.try_into().unwrap_or(u32::MAX)))
    }

    /// When the next token is there (`None`: no bucket known, nothing to wait for).
    fn next_token(&self, now: Instant) -> Option<Instant> {
        let l = self.level?;
        if self.available(now)? >= 1.0 {
            return Some(now);
        }
        let by_rate = self.rate.map(|rate| later(l.at, secs((1.0 - l.level) / rate)));
        let promised = l.promise.filter(|_| l.level >= 0.0);
        let known = earliest(by_rate, promised);
        if (self.rate.is_some() || known.is_some()) && self.failed_probes > 0 {
            // Probes fail: wait for the rate or the promise. But until a second probe fails,
            // try half-way between the promise and the time its token comes after (a token
            // just past a whole second is promised almost a second late).
            let halfway = promised.zip(l.after).filter(|_| self.failed_probes == 1).and_then(|(p, after)| {
                let from = after.max(l.at);
                let half = p.checked_duration_since(from)? / 2;
                (half >= PROBE).then(|| from + half)
            });
            return earliest(known, halfway);
        }
        // Probe (no probe has met a 429 yet, or nothing else is known), one at a time
        // (unless answers are very late), backing off while probes fail (backon).
        let spacing = backoff(PROBE, self.probe_max, self.failed_probes.saturating_sub(1), false);
        let probe = match self.in_flight.back() {
            None => later(l.at, spacing),
            Some(&sent) => later(sent.max(l.at), spacing.max(FIRST_ANSWER)),
        };
        earliest(known, Some(probe))
    }

    /// Learns from one answer.
    pub(crate) fn observe(&mut self, now: Instant, obs: Observation) {
        self.expire(now);
        (self.answered, self.first) = (true, None);
        let rtt = self.in_flight.pop_front().map_or(Duration::ZERO, |sent| now.saturating_duration_since(sent));
        if let Some((limit, _)) = obs.bucket.filter(|&(limit, _)| self.limit != Some(limit)) {
            // Another bucket: what was learned about the old one does not apply.
            (self.limit, self.rate, self.failed_probes) = (Some(limit), None, 0);
            self.samples.clear();
        }
        let probed = std::mem::take(&mut self.probing);
        if !obs.throttled {
            self.accepted += 1;
        } else if probed || self.rate.is_none() {
            self.failed_probes = self.failed_probes.saturating_add(1);
        } else {
            // A send the model held a token for: the model was too optimistic (another
            // client shares the bucket, or it shrank). Learn again from here.
            self.rate = None;
            self.samples.clear();
        }
        let Some((limit, remaining)) = obs.bucket else {
            // No (sensible) bucket headers. Accepted: nothing to pace by. A 429: the bucket
            // is empty until the server-named wait, whatever its size.
            let cap = self.limit.map_or(f64::INFINITY, |l| l as f64);
            let level = -(self.in_flight.len() as f64);
            self.level = obs.throttled.then_some(Level { at: now, level, cap, promise: obs.promise, after: None });
            return;
        };
        // Answers observed while this request was in flight may have been counted by the
        // server after it: the smallest `remaining` among them (with the refill since) is
        // the freshest view of the bucket.
        let rate = self.rate.unwrap_or(0.0);
        let overlapping = || self.samples.iter().rev().take_while(|s| now.saturating_duration_since(s.at) <= rtt);
        let floor = overlapping()
            .map(|s| s.remaining as f64 + rate * now.saturating_duration_since(s.at).as_secs_f64())
            .fold(remaining as f64, f64::min);
        let overtaken = overlapping().count() as u64;
        let in_flight = self.in_flight.len();
        let accepted = self.accepted;
        let reset = obs.reset;
        self.samples.push_back(Sample { at: now, remaining, accepted, in_flight, rtt, floor, reset, overtaken });
        while self.samples.len() > MAX_SAMPLES
            || self.samples.front().is_some_and(|s| now.saturating_duration_since(s.at) > WINDOW)
        {
            self.samples.pop_front();
        }
        // Every pair of answers proves a bound; the rate is the best one since the last 429.
        // (Only worth the work when the rate may matter: a bucket half empty, or calls held.)
        let was_empty = self.level.is_some_and(|l| l.level < 1.0);
        if (was_empty || remaining.saturating_mul(2) < limit)
            && let Some(bound) = self.bound()
        {
            self.rate = Some(self.rate.map_or(bound, |r| r.max(bound)));
        }
        // The requests in flight will take their tokens, but the bucket refills while they
        // and the next one travel: at least the quickest round trip's worth.
        let quickest = self.samples.iter().map(|s| s.rtt).min().unwrap_or_default();
        let level = floor - in_flight as f64 + rate * quickest.as_secs_f64();
        let after = obs.reset.filter(|_| obs.promise == obs.reset).and_then(|r| r.checked_sub(Duration::from_secs(1)));
        self.level = Some(Level { at: now, level, cap: limit as f64, promise: obs.promise, after });
    }

    /// A request that got no answer (transport error).
    pub(crate) fn unanswered(&mut self, now: Instant) {
        self.expire(now);
        self.answered = true;
        self.first = None;
        self.probing = false;
        self.in_flight.pop_front();
    }

    /// The best refill rate the newest answer `b` proves together with each earlier one
    /// `a`: between a time the bucket was below some level and a later time it was at or
    /// above another, it refilled at least the difference. At `a` it held less than
    /// `remaining_a + 1` (rounded down), and still did a second before its reset stamp (the
    /// next token came after that). At `b` it held at least `floor_b`, and at `b`'s stamp
    /// one more. In between, the accepted answers took their tokens (less the requests in
    /// flight at `a`: counted before it, answered after). Times are widened by `a`'s round
    /// trip where they are our clock's.
    fn bound(&self) -> Option<f64> {
        let b = self.samples.back()?;
        let second = Duration::from_secs(1);
        self.samples
            .iter()
            .rev()
            .skip(1)
            .flat_map(|a| {
                let gained =
                    b.remaining as f64 - a.remaining as f64 + (b.accepted - a.accepted) as f64 - a.in_flight as f64;
                // (when, slack): the bucket held less than `remaining_a + 1` then.
                let below =
                    [Some((a.at, a.rtt)), a.reset.and_then(|r| r.checked_sub(second)).map(|t| (t, Duration::ZERO))];
                // (when, tokens gained since `a` by then, at least).
                let above = [
                    Some((b.at, gained - 1.0 - (b.remaining as f64 - b.floor))),
                    b.reset.map(|r| (r, gained - b.overtaken as f64)),
                ];
                below.into_iter().flatten().flat_map(move |(from, slack)| {
                    above.into_iter().flatten().filter_map(move |(to, tokens)| {
                        let span = to.checked_duration_since(from)? + slack;
                        (tokens > 0.0 && !span.is_zero()).then(|| tokens / span.as_secs_f64())
                    })
                })
            })
            .max_by(f64::total_cmp)
    }

    fn expire(&mut self, now: Instant) {
        while self.in_flight.front().is_some_and(|&sent| now.saturating_duration_since(sent) > IN_FLIGHT_HORIZON) {
            self.in_flight.pop_front();
        }
    }

    pub(crate) fn limit(&self) -> Option<u64> {
        self.limit
    }

    pub(crate) fn rate(&self) -> Option<f64> {
        self.rate
    }
}

fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// `t + d`, saturating far in the future.
fn later(t: Instant, d: Duration) -> Instant {
    t.checked_add(d).or_else(|| t.checked_add(Duration::from_secs(100 * 365 * 86_400))).unwrap_or(t)
}

/// Seconds as a duration, saturating (NaN and negatives are zero).
fn secs(s: f64) -> Duration {
    Duration::try_from_secs_f64(s.max(0.0)).unwrap_or(Duration::MAX)
}

// ---------------------------------------------------------------------------------------
// The pacer: the model behind a lock, and a FIFO line of waiting calls
// ---------------------------------------------------------------------------------------

/// The wall clock used to put epoch stamps on the monotonic clock.
pub(crate) type UnixClock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// The in-process pacer: one per client, shared by all its tasks, and the client's
/// default [`RateLimiter`](super::RateLimiter). See the [module documentation](super).
///
/// A client builds its own from its [`PacerConfig`]; construct one yourself only to wrap
/// it (a shared limiter falls back to it when its store is unreachable).
///
/// ```
/// use std::sync::Arc;
/// use auth0_mgmt::{Client, Pacer, PacerConfig, RateLimiter};
///
/// let pacer: Arc<dyn RateLimiter> = Arc::new(Pacer::new(PacerConfig::default()));
/// let client = Client::builder()
///     .domain("acme.eu.auth0.com")
///     .token("a-token")
///     .rate_limiter(pacer.clone())
///     .build()
///     .unwrap();
/// assert_eq!(client.rate_limit_stats().requests, 0);
/// ```
pub struct Pacer {
    config: PacerConfig,
    clock: UnixClock,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    bucket: Bucket,
    /// Waiting calls in service order; the front one is the only one that watches the clock.
    line: VecDeque<(u64, Arc<Notify>)>,
    next_ticket: u64,
    /// Tasks that got a 429: their next call is a retry and goes to the front of the line.
    returning: VecDeque<tokio::task::Id>,
    stats: PacerStats,
}

impl State {
    fn wake_front(&self) {
        if let Some((_, wake)) = self.line.front() {
            wake.notify_one();
        }
    }

    fn leave(&mut self, ticket: u64) {
        let was_front = self.line.front().is_some_and(|(t, _)| *t == ticket);
        self.line.retain(|(t, _)| *t != ticket);
        if was_front {
            self.wake_front();
        }
    }

    fn count_wait(&mut self, waited: Duration) {
        if !waited.is_zero() {
            self.stats.waits += 1;
            self.stats.total_wait = self.stats.total_wait.saturating_add(waited);
        }
    }
}

impl fmt::Debug for Pacer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pacer").field("config", &self.config).field("stats", &self.stats()).finish()
    }
}

impl Pacer {
    /// A pacer reading wall-clock time from [`SystemTime::now`].
    pub fn new(config: PacerConfig) -> Pacer {
        Pacer::with_unix_clock(config, Arc::new(SystemTime::now))
    }

    /// A pacer with an injected wall clock (tests make it follow tokio's paused clock).
    pub(crate) fn with_unix_clock(config: PacerConfig, clock: UnixClock) -> Pacer {
        let state = State { bucket: Bucket::new(&config), ..State::default() };
        Pacer { config, clock, state: Mutex::new(state) }
    }

    /// The pacer's wall-clock "now"; pass it to [`RateLimit::from_headers`].
    pub fn unix_now(&self) -> SystemTime {
        (self.clock)()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits, in arrival order among all tasks of the client, until this call may be sent,
    /// but never longer than `max_wait`. Call it before every attempt.
    ///
    /// `Ok(waited)`: send now; `waited` is the time spent here. `Err(PacerWait)`: the slot
    /// would come later than `max_wait` (nothing was waited). If the model turns more
    /// pessimistic while the call waits, it is sent when `max_wait` runs out and the
    /// server decides. Cancellation-safe: a dropped future gives up its place in line.
    pub async fn acquire(&self, max_wait: Duration) -> Result<Duration, PacerWait> {
        let start = Instant::now();
        let (ticket, wake) = {
            let mut st = self.lock();
            st.stats.requests += 1;
            if !self.config.enabled {
                return Ok(Duration::ZERO);
            }
            let task = tokio::task::try_id();
            let returning = task.and_then(|id| st.returning.iter().position(|t| *t == id));
            let returning = returning.and_then(|i| st.returning.remove(i)).is_some();
            if (st.line.is_empty() || returning) && st.bucket.reserve(start) == Reserve::Now {
                return Ok(Duration::ZERO);
            }
            let ahead = if returning { 0 } else { st.line.len() };
            let needed = st.bucket.predict(start, ahead);
            if needed > max_wait {
                return Err(PacerWait { needed });
            }
            st.next_ticket += 1;
            let (ticket, wake) = (st.next_ticket, Arc::new(Notify::new()));
            if returning {
                st.line.push_front((ticket, wake.clone()));
            } else {
                st.line.push_back((ticket, wake.clone()));
            }
            (ticket, wake)
        };
        let mut place = Place { pacer: self, ticket: Some(ticket) };
        let deadline = later(start, max_wait);
        loop {
            let until = {
                let mut st = self.lock();
                let now = Instant::now();
                let at_front = st.line.front().is_some_and(|(t, _)| *t == ticket);
                let until = match (now >= deadline, at_front) {
                    // Out of time: go anyway, and let the server decide.
                    (true, _) => {
                        st.bucket.force(now);
                        None
                    }
                    (false, false) => Some(deadline),
                    (false, true) => match st.bucket.reserve(now) {
                        Reserve::At(t) => Some(t.min(deadline)),
                        Reserve::Now => None,
                    },
                };
                let Some(until) = until else {
                    st.leave(ticket); // the next call may go at once too
                    place.ticket = None;
                    let waited = now.saturating_duration_since(start);
                    st.count_wait(waited);
                    return Ok(waited);
                };
                until
            };
            tokio::select! {
                () = tokio::time::sleep_until(until) => {}
                () = wake.notified() => {}
            }
        }
    }

    /// Learns from an answer (any status, rate-limit headers or not). Call it for every
    /// answer, before [`throttled_delay`](Self::throttled_delay).
    pub fn observe(&self, rl: &RateLimit, status: u16) {
        let now = Instant::now();
        let obs = Observation::new(rl, status, now, self.unix_now());
        let mut st = self.lock();
        st.stats.throttled += u64::from(obs.throttled);
        st.bucket.observe(now, obs);
        let (level, rate, waiting) = (st.bucket.level.map(|l| l.level), st.bucket.rate, st.line.len());
        tracing::debug!(status, remaining = rl.remaining, ?level, ?rate, waiting, "pacer: answer");
        st.wake_front();
    }

    /// A request that got no answer (connection error, timeout): stop counting it as in flight.
    pub fn unanswered(&self) {
        let mut st = self.lock();
        st.bucket.unanswered(Instant::now());
        st.wake_front();
    }

    /// How long the task that just got a 429 should wait before it tries again (through
    /// [`acquire`](Self::acquire), where it goes to the front of the line): the
    /// server-named wait — `Retry-After`, else `x-ratelimit-reset` — never capped; without
    /// either, exponential backoff with jitter (`backon`), `attempt` counting 429s so far.
    pub fn throttled_delay(&self, rl: &RateLimit, attempt: u32) -> Duration {
        let delay = rl.server_wait(self.unix_now()).unwrap_or_else(|| {
            backoff(self.config.backoff_base, self.config.backoff_max, attempt.saturating_sub(1), true)
        });
        if let Some(id) = tokio::task::try_id().filter(|_| self.config.enabled) {
            let mut st = self.lock();
            if st.returning.len() >= MAX_RETURNING {
                st.returning.pop_front();
            }
            st.returning.push_back(id);
        }
        tracing::debug!(wait_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX), attempt, "pacer: 429");
        delay
    }

    /// Counters and the current estimate.
    pub fn stats(&self) -> PacerStats {
        let st = self.lock();
        PacerStats { estimated_limit: st.bucket.limit(), estimated_refill_per_sec: st.bucket.rate(), ..st.stats }
    }
}

/// A call's place in line; dropping it (a cancelled acquire) gives the place up.
struct Place<'a> {
    pacer: &'a Pacer,
    ticket: Option<u64>,
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            self.pacer.lock().leave(ticket);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ratelimit::headers::tests::header_value;
    use proptest::prelude::*;
    use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

    fn rl(limit: u64, remaining: u64) -> RateLimit {
        RateLimit { limit: Some(limit), remaining: Some(remaining), ..RateLimit::default() }
    }

    fn throttled(retry_after: u64) -> RateLimit {
        RateLimit { retry_after: Some(Duration::from_secs(retry_after)), ..rl(10, 0) }
    }

    /// A pacer that has seen one answer: a bucket of 10, empty, nothing else known.
    async fn empty_bucket() -> Pacer {
        let pacer = Pacer::new(PacerConfig::default());
        assert_eq!(pacer.acquire(Duration::ZERO).await, Ok(Duration::ZERO));
        pacer.observe(&rl(10, 0), 200);
        pacer
    }

    #[test]
    fn the_state_machine_runs_on_explicit_instants() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut b = Bucket::new(&PacerConfig::default());
        // The first call goes alone; the others wait for its answer (at most 1 s).
        assert_eq!(b.reserve(t0), Reserve::Now);
        assert_eq!(b.reserve(t0), Reserve::At(t0 + FIRST_ANSWER));
        let obs = |remaining| Observation { bucket: Some((10, remaining)), ..Observation::default() };
        b.observe(ms(1), obs(9));
        for _ in 0..9 {
            assert_eq!(b.reserve(ms(1)), Reserve::Now);
        }
        // Empty, no rate known: one probe 100 ms after the last answer.
        for remaining in (0..9).rev() {
            b.observe(ms(2), obs(remaining));
        }
        assert_eq!(b.reserve(ms(2)), Reserve::At(ms(102)));
        // Answers in any order: the freshest (smallest) `remaining` counts.
        let mut b = Bucket::new(&PacerConfig::default());
        b.reserve(t0);
        b.observe(t0, obs(3));
        b.reserve(t0);
        b.reserve(t0);
        b.observe(ms(1), obs(1));
        b.observe(ms(1), obs(2));
        assert_eq!(b.available(ms(1)), Some(1.0));
        // Nonsense headers describe no bucket: nothing is held back.
        for (limit, remaining) in [(0, 0), (u64::MAX, 0), (MAX_LIMIT + 1, 0), (5, 6)] {
            let rl = rl(limit, remaining);
            let obs = Observation::new(&rl, 200, ms(3), SystemTime::now());
            assert_eq!(obs.bucket, None, "{limit} {remaining}");
            b.observe(ms(3), obs);
            assert_eq!(b.reserve(ms(3)), Reserve::Now);
        }
    }

    #[test]
    fn the_rate_is_what_the_answers_prove() {
        let t0 = Instant::now();
        let mut b = Bucket::new(&PacerConfig::default());
        b.reserve(t0);
        b.observe(t0, Observation { bucket: Some((10, 0)), ..Observation::default() });
        // One call every 100 ms, each finding one more token than it took: 20 tokens/s.
        for i in 1..=20u64 {
            let now = t0 + Duration::from_millis(100 * i);
            assert_eq!(b.reserve(now), Reserve::Now);
            b.observe(now, Observation { bucket: Some((10, i.min(9))), ..Observation::default() });
        }
        let rate = b.rate.unwrap();
        assert!((15.0..=20.0).contains(&rate), "{rate}");
        // A 429 proves the model wrong: the rate is learned again.
        b.observe(
            t0 + Duration::from_secs(3),
            Observation { bucket: Some((10, 0)), throttled: true, ..Observation::default() },
        );
        assert_eq!(b.rate, None);
    }

    #[tokio::test(start_paused = true)]
    async fn calls_are_served_in_arrival_order_and_a_dropped_call_gives_up_its_place() {
        let pacer = Arc::new(empty_bucket().await);
        let t0 = Instant::now();
        let served = Arc::new(Mutex::new(Vec::new()));
        let calls: Vec<_> = (0..6)
            .map(|i| {
                let (pacer, served) = (pacer.clone(), served.clone());
                tokio::spawn(async move {
                    pacer.acquire(Duration::from_secs(60)).await.unwrap();
                    served.lock().unwrap().push((i, Instant::now() - t0));
                    pacer.observe(&rl(10, 0), 200); // still empty: the next probe 100 ms later
                })
            })
            .collect();
        while pacer.lock().line.len() < 6 {
            tokio::task::yield_now().await;
        }
        calls[2].abort();
        for call in calls {
            let _ = call.await;
        }
        let served = served.lock().unwrap().clone();
        let expected: Vec<_> =
            [0, 1, 3, 4, 5].iter().zip(1..).map(|(&i, k)| (i, Duration::from_millis(100 * k))).collect();
        assert_eq!(served, expected);
        assert!(pacer.lock().line.is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn a_slot_beyond_max_wait_is_refused_without_waiting_and_no_wait_exceeds_it() {
        let pacer = empty_bucket().await;
        pacer.observe(&throttled(100), 429);
        let t0 = Instant::now();
        let err = pacer.acquire(Duration::from_secs(10)).await.unwrap_err();
        assert_eq!((err.needed, Instant::now()), (Duration::from_secs(100), t0));
        assert_eq!(pacer.acquire(Duration::from_secs(200)).await, Ok(Duration::from_secs(100)));
        // The model turns pessimistic while a call waits (a 429 with a far promise): the
        // call still goes when its own wait is up.
        let pacer = Arc::new(empty_bucket().await);
        let waiting = tokio::spawn({
            let pacer = pacer.clone();
            async move { pacer.acquire(Duration::from_millis(500)).await }
        });
        tokio::task::yield_now().await;
        pacer.observe(&throttled(3600), 429);
        assert_eq!(waiting.await.unwrap(), Ok(Duration::from_millis(500)));
    }

    #[tokio::test(start_paused = true)]
    async fn before_the_first_answer_one_call_goes_alone_for_at_most_a_second() {
        let pacer = Arc::new(Pacer::new(PacerConfig::default()));
        let t0 = Instant::now();
        let calls: Vec<_> = (0..4)
            .map(|_| {
                let pacer = pacer.clone();
                tokio::spawn(async move { pacer.acquire(Duration::from_secs(60)).await.unwrap() })
            })
            .collect();
        let mut waited = Vec::new();
        for call in calls {
            waited.push(call.await.unwrap());
        }
        assert_eq!(waited, [Duration::ZERO, FIRST_ANSWER, FIRST_ANSWER, FIRST_ANSWER]);
        assert_eq!(Instant::now() - t0, FIRST_ANSWER);
        // Once answered without rate-limit headers, nothing is ever held back.
        pacer.observe(&RateLimit::default(), 200);
        for _ in 0..100 {
            assert_eq!(pacer.acquire(Duration::ZERO).await, Ok(Duration::ZERO));
        }
    }

    /// Issue 11: after `x-ratelimit-limit: 0`, six concurrent calls waited 10, 20 … 60 s.
    #[tokio::test(start_paused = true)]
    async fn nonsense_limits_never_hold_calls_back() {
        for (limit, remaining) in [(0, 0), (u64::MAX, 0), (3, 7)] {
            let pacer = Arc::new(Pacer::new(PacerConfig::default()));
            pacer.acquire(Duration::ZERO).await.unwrap();
            pacer.observe(&rl(limit, remaining), 200);
            let t0 = Instant::now();
            let calls: Vec<_> = (0..6)
                .map(|_| {
                    let pacer = pacer.clone();
                    tokio::spawn(async move { pacer.acquire(Duration::from_secs(300)).await })
                })
                .collect();
            for call in calls {
                assert_eq!(call.await.unwrap(), Ok(Duration::ZERO));
            }
            assert_eq!(Instant::now(), t0);
            assert_eq!(pacer.stats().estimated_limit, None);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_throttled_call_waits_the_server_named_wait_then_goes_first() {
        let now = SystemTime::now();
        let pacer = Arc::new(Pacer::with_unix_clock(PacerConfig::default(), Arc::new(move || now)));
        let stamp = |secs: u64| RateLimit { reset: Some(now + Duration::from_secs(secs)), ..rl(10, 0) };
        assert_eq!(pacer.throttled_delay(&throttled(7), 1), Duration::from_secs(7));
        assert_eq!(pacer.throttled_delay(&stamp(90), 1), Duration::from_secs(90));
        let past = RateLimit { reset: Some(now - Duration::from_secs(5)), ..rl(10, 0) };
        assert_eq!(pacer.throttled_delay(&past, 1), Duration::ZERO);
        assert_eq!(pacer.throttled_delay(&throttled(u64::MAX), 1), Duration::from_secs(u64::MAX));
        // No wait named: backon's exponential backoff with jitter, bounded.
        for attempt in [0, 1, 5, 40, u32::MAX] {
            let draws: Vec<_> = (0..50).map(|_| pacer.throttled_delay(&RateLimit::default(), attempt)).collect();
            assert!(
                draws.iter().all(|d| *d >= Duration::from_millis(500) && *d <= Duration::from_secs(20)),
                "{draws:?}"
            );
            assert!(draws.iter().any(|d| *d != draws[0]), "jittered");
        }
        // A task that got a 429 comes back to the front of the line.
        pacer.acquire(Duration::ZERO).await.unwrap();
        pacer.observe(&throttled(1), 429);
        let order = Arc::new(Mutex::new(Vec::new()));
        let spawn = |name: &'static str, throttled: bool| {
            let (pacer, order) = (pacer.clone(), order.clone());
            tokio::spawn(async move {
                if throttled {
                    tokio::time::sleep(pacer.throttled_delay(&RateLimit::default(), 1)).await;
                }
                pacer.acquire(Duration::from_secs(60)).await.unwrap();
                order.lock().unwrap().push(name);
                pacer.observe(&rl(10, 0), 200);
            })
        };
        let calls = [spawn("retry", true), spawn("new 1", false), spawn("new 2", false)];
        for call in calls {
            call.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), ["retry", "new 1", "new 2"]);
    }

    fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, v) in pairs {
            if let Ok(v) = HeaderValue::from_str(v) {
                h.insert(HeaderName::from_static(name), v);
            }
        }
        h
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Whatever a server sends: no panic, no acquire waits past its `max_wait`, and no
        /// throttled delay is longer than the server named or the backoff allows.
        #[test]
        fn any_answers_keep_every_wait_bounded(
            answers in proptest::collection::vec(
                (header_value(), header_value(), header_value(), header_value(),
                 prop_oneof![Just(200u16), Just(429u16)]), 1..12),
            max_wait_ms in 0u64..5_000,
        ) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
            rt.block_on(async {
                let unix_now = SystemTime::now();
                let pacer = Pacer::with_unix_clock(PacerConfig::default(), Arc::new(move || unix_now));
                let max_wait = Duration::from_millis(max_wait_ms);
                for (limit, remaining, reset, retry, status) in answers {
                    let t0 = Instant::now();
                    match pacer.acquire(max_wait).await {
                        Ok(waited) => prop_assert!(waited <= max_wait && Instant::now() - t0 <= max_wait),
                        Err(e) => prop_assert!(e.needed > max_wait && Instant::now() == t0),
                    }
                    let h = headers(&[("x-ratelimit-limit", limit), ("x-ratelimit-remaining", remaining),
                                      ("x-ratelimit-reset", reset), ("retry-after", retry)]);
                    let rl = RateLimit::from_headers(&h, pacer.unix_now());
                    pacer.observe(&rl, status);
                    let delay = pacer.throttled_delay(&rl, 1);
                    let bound = rl.server_wait(pacer.unix_now()).unwrap_or(Duration::from_secs(20));
                    prop_assert!(delay <= bound, "{delay:?} > {bound:?}");
                }
                Ok(())
            })?;
        }
    }
}
