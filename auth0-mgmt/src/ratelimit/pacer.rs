//! The client-wide pacer: a FIFO line of waiting calls ([`Pacer`]) in front of the model
//! of the tenant's token bucket ([`Bucket`](super::bucket::Bucket), a plain state machine
//! in `bucket.rs`). The algorithm is described in the [module documentation](super).

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use tokio::sync::Notify;
use tokio::time::Instant;

use super::RateLimit;
use super::bucket::{Bucket, Observation, Reserve, backoff, later};
#[cfg(test)]
use super::bucket::{FIRST_ANSWER, PROMISE_HOLD};

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
    /// First delay of the exponential backoff (the crate's one backoff, `backon`, with jitter) after a 429 that
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
        let (level, rate, waiting) = (st.bucket.level(), st.bucket.rate(), st.line.len());
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
    async fn an_absurd_promise_holds_the_other_calls_a_minute_at_most() {
        let unix = SystemTime::now();
        let far = [
            RateLimit { retry_after: Some(Duration::from_secs(99_999_999)), ..rl(10, 0) },
            RateLimit { retry_after: Some(Duration::MAX), ..rl(10, 0) },
            RateLimit { reset: Some(unix + Duration::from_secs(253_402_300_799)), ..rl(10, 0) },
            RateLimit { reset: Some(unix + Duration::from_secs(86_400)), ..rl(0, 0) },
        ];
        for rate_limit in far {
            let pacer = Pacer::with_unix_clock(PacerConfig::default(), Arc::new(move || unix));
            assert_eq!(pacer.acquire(Duration::ZERO).await, Ok(Duration::ZERO));
            pacer.observe(&rate_limit, 429);
            // The throttled call itself is told the whole wait (and gives up on it) ...
            assert!(pacer.throttled_delay(&rate_limit, 1) > Duration::from_secs(3600), "{rate_limit:?}");
            // ... the others wait a minute at most, then one goes to ask.
            let waited = pacer.acquire(Duration::from_secs(300)).await;
            assert!(waited.is_ok_and(|w| w <= PROMISE_HOLD), "{rate_limit:?}: {waited:?}");
            pacer.observe(&rl(10, 9), 200);
            assert_eq!(pacer.acquire(Duration::ZERO).await, Ok(Duration::ZERO), "{rate_limit:?}: recovered");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_slot_beyond_max_wait_is_refused_without_waiting_and_no_wait_exceeds_it() {
        let pacer = empty_bucket().await;
        pacer.observe(&throttled(50), 429);
        let t0 = Instant::now();
        let err = pacer.acquire(Duration::from_secs(10)).await.unwrap_err();
        assert_eq!((err.needed, Instant::now()), (Duration::from_secs(50), t0));
        assert_eq!(pacer.acquire(Duration::from_secs(200)).await, Ok(Duration::from_secs(50)));
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
