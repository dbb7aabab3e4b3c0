//! When to retry, and how long to wait: pure functions the transport calls after every
//! attempt.
//!
//! [`classify`] says what an attempt's outcome calls for, from the method's idempotency
//! and what happened. [`next_wait`] turns that, the wait the server named and the call's
//! [`Budget`] into [`Next::Retry`] or [`Next::GiveUp`]. Neither sleeps, reads a clock or
//! touches the network; both are unit- and property-tested.
//!
//! | What happened | GET, DELETE (and the token endpoint) | POST, PATCH, PUT |
//! |---|---|---|
//! | 429 Too Many Requests | retry after the server-named wait | same (nothing was processed) |
//! | 5xx, 408 | retry with backoff | never (the write may have been applied) |
//! | connection could not be established | retry with backoff | retry (nothing was sent) |
//! | timeout, connection dropped mid-request | retry with backoff | never |
//! | anything else | done | done |
//!
//! The token endpoint is a POST, but minting twice is harmless, so it is retried like an
//! idempotent call.
//!
//! **One budget per call.** Every wait of a call — the server-named wait after a 429, the
//! backoff after a 5xx or a transport failure, and the pacer's wait for a send slot —
//! is charged to [`RetryConfig::max_total_wait`] with saturating arithmetic. A wait that
//! does not fit ends the call with [`Error::WaitTooLong`](crate::Error::WaitTooLong),
//! naming what it was waiting for ([`WaitFor`]): never a silent cap, never an endless
//! wait. Backoff delays come from `backon` (exponential, with jitter, capped), the only
//! backoff of the client.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use reqwest::StatusCode;

/// Retry settings (part of the [`ClientBuilder`](crate::ClientBuilder)).
///
/// ```
/// use std::time::Duration;
/// use auth0_mgmt::RetryConfig;
///
/// let retry = RetryConfig::default()
///     .max_retries(5)
///     .max_total_wait(Duration::from_secs(60))
///     .backoff(Duration::from_millis(100), Duration::from_secs(5));
/// assert_eq!(retry.max_retries, 5);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Retries after 5xx answers, timeouts and connection errors (idempotent calls only;
    /// connection failures before anything was sent for every method). Default 3.
    pub max_retries: u32,
    /// Retries after 429 answers. Default 10.
    pub max_rate_limit_retries: u32,
    /// The most a single call may spend waiting, all waits together: server-named waits,
    /// backoff, and the pacer's waits for a send slot. Default 5 minutes.
    pub max_total_wait: Duration,
    /// First backoff delay. Default 200 ms.
    pub min_backoff: Duration,
    /// Largest backoff delay (before jitter). Default 10 s.
    pub max_backoff: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_retries: 3,
            max_rate_limit_retries: 10,
            max_total_wait: Duration::from_secs(300),
            min_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
        }
    }
}

impl RetryConfig {
    /// No retries at all.
    pub fn disabled() -> Self {
        RetryConfig { max_retries: 0, max_rate_limit_retries: 0, ..Default::default() }
    }

    /// Sets [`max_retries`](Self::max_retries).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// Sets [`max_rate_limit_retries`](Self::max_rate_limit_retries).
    pub fn max_rate_limit_retries(mut self, n: u32) -> Self {
        self.max_rate_limit_retries = n;
        self
    }

    /// Sets [`max_total_wait`](Self::max_total_wait).
    pub fn max_total_wait(mut self, d: Duration) -> Self {
        self.max_total_wait = d;
        self
    }

    /// Sets the backoff range.
    pub fn backoff(mut self, min: Duration, max: Duration) -> Self {
        self.min_backoff = min;
        self.max_backoff = max.max(min);
        self
    }

    /// The jittered backoff for 5xx and transport retries.
    pub(crate) fn backoff_iter(&self) -> impl Iterator<Item = Duration> + Send + use<> {
        exponential(self.min_backoff, self.max_backoff, true)
    }
}

/// The crate's one backoff: `backon`'s exponential backoff from `min` to `max` (factor 2,
/// never ending), with full jitter (randomly seeded per process by backon's `std`
/// feature: processes that failed together do not retry together) or without. Used by
/// the retries and by the pacer (probe spacing, a 429 that names no wait).
pub(crate) fn exponential(min: Duration, max: Duration, jitter: bool) -> backon::ExponentialBackoff {
    let builder = ExponentialBuilder::default()
        .with_min_delay(min)
        .with_max_delay(max.max(min))
        .with_factor(2.0)
        .without_max_times();
    if jitter { builder.with_jitter() } else { builder }.build()
}

/// What one attempt produced, as far as retrying is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Attempt {
    /// The server answered.
    Status(StatusCode),
    /// No connection could be made: the request was never sent.
    ConnectFailed,
    /// The request may have reached the server (timeout, reset, truncated response).
    InFlightFailure,
}

impl Attempt {
    pub(crate) fn from_error(e: &reqwest::Error) -> Attempt {
        if e.is_connect() && !e.is_timeout() { Attempt::ConnectFailed } else { Attempt::InFlightFailure }
    }
}

/// What an attempt's outcome calls for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Classification {
    /// The answer is final (a success, or an error retrying cannot fix).
    Final,
    /// Rate limited: retry after the wait the server names.
    RateLimited,
    /// Transient: retry after a backoff.
    Transient,
}

/// The retry classification, a pure function of idempotency and the attempt's result.
pub(crate) fn classify(idempotent: bool, attempt: Attempt) -> Classification {
    match attempt {
        Attempt::Status(StatusCode::TOO_MANY_REQUESTS) => Classification::RateLimited,
        Attempt::Status(s) if (s.is_server_error() || s == StatusCode::REQUEST_TIMEOUT) && idempotent => {
            Classification::Transient
        }
        Attempt::Status(_) => Classification::Final,
        Attempt::ConnectFailed => Classification::Transient,
        Attempt::InFlightFailure if idempotent => Classification::Transient,
        Attempt::InFlightFailure => Classification::Final,
    }
}

/// What a call was about to wait for when its budget ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WaitFor {
    /// The wait a 429 named (`Retry-After`, `x-ratelimit-reset`), or the pacer's slot for
    /// a throttled call.
    RateLimit,
    /// Backoff before retrying a 5xx, a timeout or a failed connection.
    Backoff,
    /// The client's pacer: the next send slot of the shared rate-limit bucket.
    Pacer,
    /// An access token: another task's mint in flight, or minting one (its retries
    /// included).
    Token,
}

impl WaitFor {
    /// A short phrase: `rate limit`, `backoff`, `pacer`, `token`.
    pub fn as_str(self) -> &'static str {
        match self {
            WaitFor::RateLimit => "rate limit",
            WaitFor::Backoff => "backoff",
            WaitFor::Pacer => "pacer",
            WaitFor::Token => "token",
        }
    }
}

/// The waiting allowance of one call, and what it has used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Budget {
    /// All waits of the call together may not exceed this.
    pub(crate) max_total_wait: Duration,
    /// Waited so far (saturating).
    pub(crate) waited: Duration,
    /// Retries after a 429 so far, and the most allowed.
    pub(crate) rate_limit_retries: u32,
    pub(crate) max_rate_limit_retries: u32,
    /// Retries after transient failures so far, and the most allowed.
    pub(crate) retries: u32,
    pub(crate) max_retries: u32,
    /// Requests sent so far (a 401's re-send with a fresh token included).
    pub(crate) attempts: u32,
}

impl Budget {
    pub(crate) fn new(cfg: &RetryConfig) -> Budget {
        Budget {
            max_total_wait: cfg.max_total_wait,
            waited: Duration::ZERO,
            rate_limit_retries: 0,
            max_rate_limit_retries: cfg.max_rate_limit_retries,
            retries: 0,
            max_retries: cfg.max_retries,
            attempts: 0,
        }
    }

    /// A budget of at most `max` (what is left of a calling budget).
    pub(crate) fn within(cfg: &RetryConfig, max: Duration) -> Budget {
        Budget { max_total_wait: cfg.max_total_wait.min(max), ..Budget::new(cfg) }
    }

    /// What is left to wait.
    pub(crate) fn remaining(&self) -> Duration {
        self.max_total_wait.saturating_sub(self.waited)
    }

    /// Whether waiting `wait` more stays within the budget.
    pub(crate) fn fits(&self, wait: Duration) -> bool {
        wait <= self.remaining()
    }

    /// Records a wait (saturating).
    pub(crate) fn charge(&mut self, wait: Duration) {
        self.waited = self.waited.saturating_add(wait);
    }

    /// Records a retry of the given classification.
    pub(crate) fn count_retry(&mut self, class: Classification) {
        match class {
            Classification::RateLimited => self.rate_limit_retries = self.rate_limit_retries.saturating_add(1),
            Classification::Transient => self.retries = self.retries.saturating_add(1),
            Classification::Final => {}
        }
    }
}

/// What to do after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Wait this long (always within the budget), then send again.
    Retry(Duration),
    /// Stop.
    GiveUp(GiveUp),
}

/// Why the call stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GiveUp {
    /// The last outcome is final, or its retries are used up: report it as it is.
    Final,
    /// The next wait does not fit in what is left of the budget.
    WaitTooLong {
        /// What the call would have waited for.
        waiting_for: WaitFor,
        /// The wait that did not fit.
        wait: Duration,
    },
}

/// The pure retry decision.
///
/// * `named`: for a 429, the wait the server named or the pacer scheduled; `None` when
///   there is none (then the backoff is used).
/// * `backoff`: the next backoff delay, taken only when needed.
///
/// A returned [`Next::Retry`] always fits in `budget`.
pub(crate) fn next_wait(
    class: Classification,
    named: Option<Duration>,
    budget: &Budget,
    backoff: impl FnOnce() -> Duration,
) -> Next {
    let (wait, waiting_for) = match class {
        Classification::Final => return Next::GiveUp(GiveUp::Final),
        Classification::RateLimited if budget.rate_limit_retries >= budget.max_rate_limit_retries => {
            return Next::GiveUp(GiveUp::Final);
        }
        Classification::Transient if budget.retries >= budget.max_retries => return Next::GiveUp(GiveUp::Final),
        Classification::RateLimited => (named.unwrap_or_else(backoff), WaitFor::RateLimit),
        Classification::Transient => (backoff(), WaitFor::Backoff),
    };
    if budget.fits(wait) { Next::Retry(wait) } else { Next::GiveUp(GiveUp::WaitTooLong { waiting_for, wait }) }
}

#[cfg(test)]
mod tests {
    use std::time::{SystemTime, UNIX_EPOCH};

    use proptest::prelude::*;
    use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

    use super::*;
    use crate::ratelimit::RateLimit;

    fn s(c: u16) -> Attempt {
        Attempt::Status(StatusCode::from_u16(c).unwrap())
    }

    #[test]
    fn classification_table() {
        for idem in [true, false] {
            assert_eq!(classify(idem, s(429)), Classification::RateLimited);
            assert_eq!(classify(idem, s(200)), Classification::Final);
            assert_eq!(classify(idem, s(404)), Classification::Final);
            assert_eq!(classify(idem, s(401)), Classification::Final);
            assert_eq!(classify(idem, s(307)), Classification::Final);
            assert_eq!(classify(idem, Attempt::ConnectFailed), Classification::Transient);
        }
        assert_eq!(classify(true, s(503)), Classification::Transient);
        assert_eq!(classify(false, s(503)), Classification::Final);
        assert_eq!(classify(true, s(500)), Classification::Transient);
        assert_eq!(classify(true, s(408)), Classification::Transient);
        assert_eq!(classify(false, s(408)), Classification::Final);
        assert_eq!(classify(true, Attempt::InFlightFailure), Classification::Transient);
        assert_eq!(classify(false, Attempt::InFlightFailure), Classification::Final);
    }

    fn budget(max: u64) -> Budget {
        Budget::new(&RetryConfig::default().max_total_wait(Duration::from_secs(max)))
    }

    #[test]
    fn a_named_wait_is_used_as_is_when_it_fits() {
        let b = budget(300);
        let next = next_wait(Classification::RateLimited, Some(Duration::from_secs(7)), &b, || unreachable!());
        assert_eq!(next, Next::Retry(Duration::from_secs(7)));
    }

    #[test]
    fn a_429_without_a_named_wait_backs_off() {
        let next = next_wait(Classification::RateLimited, None, &budget(300), || Duration::from_millis(250));
        assert_eq!(next, Next::Retry(Duration::from_millis(250)));
    }

    #[test]
    fn the_budget_counts_what_was_already_waited() {
        let mut b = budget(10);
        b.charge(Duration::from_secs(8));
        assert_eq!(b.remaining(), Duration::from_secs(2));
        let next = next_wait(Classification::RateLimited, Some(Duration::from_secs(3)), &b, || unreachable!());
        assert_eq!(
            next,
            Next::GiveUp(GiveUp::WaitTooLong { waiting_for: WaitFor::RateLimit, wait: Duration::from_secs(3) })
        );
        let next = next_wait(Classification::Transient, None, &b, || Duration::from_secs(5));
        assert_eq!(
            next,
            Next::GiveUp(GiveUp::WaitTooLong { waiting_for: WaitFor::Backoff, wait: Duration::from_secs(5) })
        );
        assert_eq!(
            next_wait(Classification::Transient, None, &b, || Duration::from_secs(2)),
            Next::Retry(Duration::from_secs(2))
        );
    }

    #[test]
    fn retry_counts_are_bounded_per_kind() {
        let mut b = budget(300);
        b.rate_limit_retries = b.max_rate_limit_retries;
        assert_eq!(
            next_wait(Classification::RateLimited, Some(Duration::ZERO), &b, Duration::default),
            Next::GiveUp(GiveUp::Final)
        );
        assert_eq!(
            next_wait(Classification::Transient, None, &b, || Duration::from_millis(1)),
            Next::Retry(Duration::from_millis(1))
        );
        b.retries = b.max_retries;
        assert_eq!(next_wait(Classification::Transient, None, &b, Duration::default), Next::GiveUp(GiveUp::Final));
        assert_eq!(
            next_wait(Classification::Final, None, &budget(300), || unreachable!()),
            Next::GiveUp(GiveUp::Final)
        );
    }

    #[test]
    fn huge_waits_and_charges_saturate() {
        let mut b = budget(300);
        b.charge(Duration::MAX);
        b.charge(Duration::MAX);
        assert_eq!(b.waited, Duration::MAX);
        assert_eq!(b.remaining(), Duration::ZERO);
        let next = next_wait(Classification::RateLimited, Some(Duration::MAX), &budget(300), || unreachable!());
        assert!(matches!(next, Next::GiveUp(GiveUp::WaitTooLong { wait: Duration::MAX, .. })));
        // A zero budget still allows zero waits (a reset stamp in the past).
        let zero = budget(0);
        assert_eq!(
            next_wait(Classification::RateLimited, Some(Duration::ZERO), &zero, || unreachable!()),
            Next::Retry(Duration::ZERO)
        );
    }

    #[test]
    fn backoff_is_bounded_and_jittered() {
        let cfg = RetryConfig::default();
        let waits: Vec<_> = cfg.backoff_iter().take(20).collect();
        assert_eq!(waits.len(), 20);
        // backon's jitter adds up to one extra base delay on top of the capped delay.
        assert!(waits.iter().all(|w| *w <= cfg.max_backoff * 2), "{waits:?}");
        assert!(waits[0] >= cfg.min_backoff);
    }

    /// Header values a hostile or broken server might send.
    fn header_value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("18446744073709551615".to_owned()),
            Just("-1".to_owned()),
            Just("0".to_owned()),
            Just("".to_owned()),
            Just("99999999999999999999999".to_owned()),
            Just("1.5".to_owned()),
            Just("Wed, 21 Oct 2015 07:28:00 GMT".to_owned()),
            Just("Fri, 31 Dec 9999 23:59:59 GMT".to_owned()),
            any::<u64>().prop_map(|n| n.to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<f64>().prop_map(|n| n.to_string()),
            "[ -~]{0,40}",
        ]
    }

    fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            if let Ok(v) = HeaderValue::from_str(v) {
                h.append(HeaderName::from_static(k), v);
            }
        }
        h
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// Whatever the server sends, a whole call's retries never panic and never wait
        /// beyond the budget: the waits actually granted add up to at most
        /// `max_total_wait`.
        #[test]
        fn every_wait_fits_the_budget(
            retry_after in header_value(),
            reset in header_value(),
            limit in header_value(),
            remaining in header_value(),
            max_wait_s in prop_oneof![Just(0u64), 0u64..1000, Just(u64::MAX)],
            backoff_ns in prop_oneof![Just(0u64), any::<u64>()],
            statuses in proptest::collection::vec(prop_oneof![Just(429u16), Just(503), Just(500), Just(200), Just(404)], 1..40),
            idempotent in any::<bool>(),
            now_s in prop_oneof![Just(0u64), 0u64..4_000_000_000, Just(u64::MAX / 2)],
        ) {
            let h = headers(&[
                ("retry-after", retry_after),
                ("x-ratelimit-reset", reset),
                ("x-ratelimit-limit", limit),
                ("x-ratelimit-remaining", remaining),
            ]);
            let now = UNIX_EPOCH.checked_add(Duration::from_secs(now_s)).unwrap_or(SystemTime::now());
            let rl = RateLimit::from_headers(&h, now);
            let cfg = RetryConfig::default().max_total_wait(Duration::from_secs(max_wait_s));
            let mut budget = Budget::new(&cfg);
            let mut granted = Duration::ZERO;
            for status in statuses {
                let class = classify(idempotent, Attempt::Status(StatusCode::from_u16(status).unwrap()));
                let named = rl.server_wait(now);
                match next_wait(class, named, &budget, || Duration::from_nanos(backoff_ns)) {
                    Next::Retry(w) => {
                        prop_assert!(budget.fits(w));
                        budget.charge(w);
                        budget.count_retry(class);
                        granted = granted.checked_add(w).expect("granted waits fit in the budget");
                        prop_assert!(granted <= cfg.max_total_wait);
                    }
                    Next::GiveUp(GiveUp::WaitTooLong { wait, .. }) => {
                        prop_assert!(!budget.fits(wait));
                        break;
                    }
                    Next::GiveUp(GiveUp::Final) => break,
                }
            }
            prop_assert!(budget.rate_limit_retries <= cfg.max_rate_limit_retries);
            prop_assert!(budget.retries <= cfg.max_retries);
        }
    }
}
