//! Where the guard and the approvals API read the time: wall-clock time for approval
//! expiry (shared by processes through the approval store) and audit timestamps.
//!
//! [`SystemClock`] is the default. Tests inject [`TokioClock`] (follows tokio's paused
//! clock) or [`ManualClock`] (moved by hand) — never a wall-clock assertion.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// A source of wall-clock time.
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The operating system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Wall-clock time that advances with [`tokio::time::Instant`]: the system time when the
/// clock was made, plus tokio's elapsed time since. Monotonic, and under
/// `tokio::time::pause()` it moves only with `tokio::time::advance` (or auto-advance).
#[derive(Debug)]
pub struct TokioClock {
    base: SystemTime,
    start: tokio::time::Instant,
}

impl TokioClock {
    /// A clock starting at the current system time.
    pub fn new() -> TokioClock {
        TokioClock { base: SystemTime::now(), start: tokio::time::Instant::now() }
    }
}

impl Default for TokioClock {
    fn default() -> Self {
        TokioClock::new()
    }
}

impl Clock for TokioClock {
    fn now(&self) -> SystemTime {
        self.base + self.start.elapsed()
    }
}

/// A clock that moves only when told to (tests, simulations).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use auth0_mgmt_policy::{Clock, ManualClock};
///
/// let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
/// clock.advance(Duration::from_secs(60));
/// assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_secs(1_700_000_060));
/// ```
#[derive(Debug)]
pub struct ManualClock(Mutex<SystemTime>);

impl ManualClock {
    /// A clock standing at `at`.
    pub fn new(at: SystemTime) -> ManualClock {
        ManualClock(Mutex::new(at))
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut t = crate::sinks::lock(&self.0);
        *t = t.checked_add(by).unwrap_or(*t);
    }

    /// Sets the clock to `at`.
    pub fn set(&self, at: SystemTime) {
        *crate::sinks::lock(&self.0) = at;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *crate::sinks::lock(&self.0)
    }
}

/// Milliseconds since the Unix epoch (0 before it; saturating).
pub(crate) fn unix_ms(t: SystemTime) -> i64 {
    t.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The time `ms` milliseconds after the Unix epoch (negative: the epoch).
pub(crate) fn from_unix_ms(ms: i64) -> SystemTime {
    let ms = u64::try_from(ms).unwrap_or(0);
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_millis(ms)).unwrap_or(SystemTime::UNIX_EPOCH)
}
