//! The pacer seam: what the transport asks of a pacer, as a trait, so that a pacer
//! shared by several processes (e.g. `auth0-mgmt-redis`) can take the in-process
//! [`Pacer`]'s place.

use std::fmt;
use std::time::{Duration, SystemTime};

use futures::future::BoxFuture;

use super::RateLimit;
use super::pacer::{Pacer, PacerStats, PacerWait};

/// Decides when each attempt of an API call may be sent, and learns from every answer.
///
/// The transport calls it in this order for every attempt of every Management API call
/// (token minting is not paced):
///
/// 1. [`acquire(max_wait)`](Self::acquire), where `max_wait` is what is left of the
///    call's budget ([`RetryConfig::max_total_wait`](crate::RetryConfig::max_total_wait)).
///    `Ok(waited)` is charged to that budget; `Err(PacerWait)` ends the call with
///    [`Error::WaitTooLong`](crate::Error::WaitTooLong) and nothing is sent.
/// 2. the send, then [`observe`](Self::observe) for **every** answer (any status), or
///    [`unanswered`](Self::unanswered) when there was none (a transport error);
/// 3. after a 429, [`throttled_delay`](Self::throttled_delay): the transport sleeps that
///    long (also charged to the budget) and goes back to step 1.
///
/// The in-process [`Pacer`] is the default (one per client, built from the
/// [`PacerConfig`](crate::PacerConfig)); install another one with
/// [`ClientBuilder::rate_limiter`](crate::ClientBuilder::rate_limiter).
///
/// Rules an implementation keeps:
///
/// * `acquire` never waits longer than `max_wait`: when the slot would come later, it
///   says so at once ([`PacerWait`] with the wait it would need) without waiting; when
///   its estimate turns out too hopeful while it waits, it returns `Ok` when the time is
///   up and lets the server decide. The returned duration is the time actually spent in
///   `acquire` (remote round trips included). A dropped `acquire` future gives its place
///   up.
/// * `observe` and `unanswered` are called on the answer's path: they must not block
///   (a remote store is updated in the background).
/// * Nothing the server sends may make it panic or overflow (saturate).
///
/// ```
/// use std::time::Duration;
/// use auth0_mgmt::{PacerStats, PacerWait, RateLimit, RateLimiter};
/// use futures::future::BoxFuture;
///
/// /// Sends everything at once and only counts (a 429 is still waited out as named).
/// #[derive(Debug, Default)]
/// struct Unpaced(std::sync::atomic::AtomicU64);
///
/// impl RateLimiter for Unpaced {
///     fn acquire(&self, _max_wait: Duration) -> BoxFuture<'_, Result<Duration, PacerWait>> {
///         self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
///         Box::pin(async { Ok(Duration::ZERO) })
///     }
///     fn observe(&self, _rate_limit: &RateLimit, _status: u16) {}
///     fn unanswered(&self) {}
///     fn throttled_delay(&self, rate_limit: &RateLimit, _attempt: u32) -> Duration {
///         rate_limit.server_wait(self.unix_now()).unwrap_or(Duration::from_secs(1))
///     }
///     fn stats(&self) -> PacerStats {
///         let mut stats = PacerStats::default();
///         stats.requests = self.0.load(std::sync::atomic::Ordering::Relaxed);
///         stats
///     }
/// }
/// ```
pub trait RateLimiter: Send + Sync + fmt::Debug + 'static {
    /// Waits until this attempt may be sent, but never longer than `max_wait`:
    /// `Ok(waited)` — send now, `waited` having been spent here; `Err(PacerWait)` — the
    /// slot is further away than `max_wait` (nothing was waited).
    fn acquire(&self, max_wait: Duration) -> BoxFuture<'_, Result<Duration, PacerWait>>;

    /// Learns from an answer: its rate-limit headers (parsed with
    /// [`unix_now`](Self::unix_now)) and its status.
    fn observe(&self, rate_limit: &RateLimit, status: u16);

    /// A sent request that got no answer (connection error, timeout).
    fn unanswered(&self);

    /// How long the attempt that just got a 429 waits before it asks
    /// [`acquire`](Self::acquire) again; `attempt` counts the call's 429s that were
    /// already retried (0 for its first). The server-named wait (`Retry-After`, else `x-ratelimit-reset`) must not be
    /// shortened.
    fn throttled_delay(&self, rate_limit: &RateLimit, attempt: u32) -> Duration;

    /// Counters and the current estimate, for
    /// [`Client::rate_limit_stats`](crate::Client::rate_limit_stats).
    fn stats(&self) -> PacerStats;

    /// The wall clock the rate-limit headers' epoch stamps are read with.
    fn unix_now(&self) -> SystemTime {
        SystemTime::now()
    }
}

impl RateLimiter for Pacer {
    fn acquire(&self, max_wait: Duration) -> BoxFuture<'_, Result<Duration, PacerWait>> {
        Box::pin(Pacer::acquire(self, max_wait))
    }

    fn observe(&self, rate_limit: &RateLimit, status: u16) {
        Pacer::observe(self, rate_limit, status);
    }

    fn unanswered(&self) {
        Pacer::unanswered(self);
    }

    fn throttled_delay(&self, rate_limit: &RateLimit, attempt: u32) -> Duration {
        Pacer::throttled_delay(self, rate_limit, attempt)
    }

    fn stats(&self) -> PacerStats {
        Pacer::stats(self)
    }

    fn unix_now(&self) -> SystemTime {
        Pacer::unix_now(self)
    }
}
