//! When to retry, and how long to wait.
//!
//! The decision is a pure function of the method's idempotency and what happened
//! ([`classify`]); the waits come from the server (`Retry-After`, `x-ratelimit-reset`,
//! through the [`Pacer`](crate::ratelimit::Pacer)) or from jittered exponential backoff
//! built with `backon`.
//!
//! | What happened | GET, DELETE | POST, PATCH |
//! |---|---|---|
//! | 429 Too Many Requests | retry after the server-named wait | same (nothing was processed) |
//! | 5xx, 408 | retry with backoff | never (the write may have been applied) |
//! | connection could not be established | retry with backoff | retry (nothing was sent) |
//! | timeout, connection dropped mid-request | retry with backoff | never |
//! | anything else | done | done |
//!
//! Every wait counts against [`RetryConfig::max_total_wait`]; a server that names a
//! longer wait makes the call fail with [`Error::WaitTooLong`](crate::Error::WaitTooLong)
//! rather than sleeping past the bound or silently capping the wait.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use reqwest::StatusCode;

/// Retry settings (part of the [`ClientBuilder`](crate::ClientBuilder)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Retries after 5xx answers, timeouts and connection errors (idempotent calls only). Default 3.
    pub max_retries: u32,
    /// Retries after 429 answers. Default 10.
    pub max_rate_limit_retries: u32,
    /// The most a single call may spend waiting between attempts, all waits together.
    /// Default 5 minutes.
    pub max_total_wait: Duration,
    /// First backoff delay. Default 200 ms.
    pub min_backoff: Duration,
    /// Largest backoff delay. Default 10 s.
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

    /// The jittered exponential backoff for 5xx/transport retries.
    pub(crate) fn backoff_iter(&self) -> impl Iterator<Item = Duration> + use<> {
        ExponentialBuilder::default()
            .with_min_delay(self.min_backoff)
            .with_max_delay(self.max_backoff)
            .with_factor(2.0)
            .with_jitter()
            .without_max_times()
            .build()
    }
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

/// What to do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// The answer is final (success or an error to report).
    Done,
    /// Rate limited: wait what the server names, then retry.
    RetryRateLimited,
    /// Transient: back off, then retry.
    RetryBackoff,
}

/// The retry decision, a pure function of idempotency and the attempt's result.
pub(crate) fn classify(idempotent: bool, attempt: Attempt) -> Decision {
    match attempt {
        Attempt::Status(StatusCode::TOO_MANY_REQUESTS) => Decision::RetryRateLimited,
        Attempt::Status(s) if (s.is_server_error() || s == StatusCode::REQUEST_TIMEOUT) && idempotent => {
            Decision::RetryBackoff
        }
        Attempt::Status(_) => Decision::Done,
        Attempt::ConnectFailed => Decision::RetryBackoff,
        Attempt::InFlightFailure if idempotent => Decision::RetryBackoff,
        Attempt::InFlightFailure => Decision::Done,
    }
}

impl Attempt {
    pub(crate) fn from_error(e: &reqwest::Error) -> Attempt {
        if e.is_connect() && !e.is_timeout() { Attempt::ConnectFailed } else { Attempt::InFlightFailure }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decision_table() {
        let s = |c: u16| Attempt::Status(StatusCode::from_u16(c).unwrap());
        for idem in [true, false] {
            assert_eq!(classify(idem, s(429)), Decision::RetryRateLimited);
            assert_eq!(classify(idem, s(200)), Decision::Done);
            assert_eq!(classify(idem, s(404)), Decision::Done);
            assert_eq!(classify(idem, s(401)), Decision::Done);
            assert_eq!(classify(idem, Attempt::ConnectFailed), Decision::RetryBackoff);
        }
        assert_eq!(classify(true, s(503)), Decision::RetryBackoff);
        assert_eq!(classify(false, s(503)), Decision::Done);
        assert_eq!(classify(true, s(500)), Decision::RetryBackoff);
        assert_eq!(classify(true, Attempt::InFlightFailure), Decision::RetryBackoff);
        assert_eq!(classify(false, Attempt::InFlightFailure), Decision::Done);
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
}
