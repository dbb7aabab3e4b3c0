//! Per-agent budgets: how many calls (and how many writes) one agent may make in a
//! rolling minute, hour or day, whoever else uses the tenant.
//!
//! In the policy file, per agent:
//!
//! ```toml
//! limits = { calls_per_minute = 120, calls_per_hour = 3000, writes_per_minute = 10, writes_per_hour = 30 }
//! ```
//!
//! Keys: `calls_per_minute`, `calls_per_hour`, `calls_per_day`, `writes_per_minute`,
//! `writes_per_hour`, `writes_per_day`; each from 1 to [`MAX_LIMIT`]; absent means no
//! limit of that kind. A write counts as a call **and** as a write.
//!
//! **Windows are rolling**: `calls_per_minute = 120` means at most 120 calls in any 60
//! seconds (not per calendar minute), so there is no burst of twice the limit around a
//! boundary. When a window is full, the call is denied with `agent_rate_limited` and
//! [`Denial::retry_after`](auth0_mgmt::Denial::retry_after) says when the oldest call
//! in that window leaves it (the longest such wait when several windows are full).
//!
//! **What counts.** The budget is checked in the guard's `before_send` — after the
//! decision and after the token-scope check, before the approval step and the
//! write-ahead record — and charged there. A call denied by the policy, by the scope
//! check, by the budget itself, a call that waits for approval or was refused by a
//! human, and a write whose write-ahead record could not be written are **not**
//! charged (their slot is given back). A call that passed `before_send` is charged
//! whether or not the tenant then answered. A dry-run write is charged like the write
//! enforce mode would send, so that a rehearsal meets the limits enforce would.
//!
//! The store is a trait, [`BudgetStore`]: [`InMemoryBudgets`] (the default, one per
//! loaded [`Policy`](crate::Policy), shared by every guard made from it) keeps a log of
//! the call times per agent and window, on [`tokio::time::Instant`]; a shared store
//! (Redis) implements the same two methods.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use auth0_mgmt::BoxFuture;
use serde::Serialize;

use crate::sinks::lock;

/// The largest limit accepted for one window.
pub const MAX_LIMIT: u32 = 100_000;

/// What a window counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Counted {
    /// Every call (reads and writes).
    Calls,
    /// Writes only.
    Writes,
}

/// The length of a rolling window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// 60 seconds.
    Minute,
    /// 3,600 seconds.
    Hour,
    /// 86,400 seconds.
    Day,
}

impl Period {
    /// The window's length.
    pub const fn duration(self) -> Duration {
        match self {
            Period::Minute => Duration::from_secs(60),
            Period::Hour => Duration::from_secs(3_600),
            Period::Day => Duration::from_secs(86_400),
        }
    }

    /// `minute`, `hour`, `day`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Period::Minute => "minute",
            Period::Hour => "hour",
            Period::Day => "day",
        }
    }
}

/// One limit: at most `limit` of `counted` in any rolling `period`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Window {
    /// Calls or writes.
    pub counted: Counted,
    /// Minute, hour or day.
    pub period: Period,
    /// The most in one window.
    pub limit: u32,
}

impl Window {
    /// The policy-file key: `calls_per_minute`, `writes_per_hour`, ….
    pub const fn key(&self) -> &'static str {
        match (self.counted, self.period) {
            (Counted::Calls, Period::Minute) => "calls_per_minute",
            (Counted::Calls, Period::Hour) => "calls_per_hour",
            (Counted::Calls, Period::Day) => "calls_per_day",
            (Counted::Writes, Period::Minute) => "writes_per_minute",
            (Counted::Writes, Period::Hour) => "writes_per_hour",
            (Counted::Writes, Period::Day) => "writes_per_day",
        }
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.counted {
            Counted::Calls => "calls",
            Counted::Writes => "writes",
        };
        write!(f, "{} {what} per {}", self.limit, self.period.as_str())
    }
}

/// An agent's limits (`limits = { … }`), with the windows that apply to a read and to a
/// write worked out once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    reads: Vec<Window>,
    writes: Vec<Window>,
}

impl Limits {
    /// Limits from windows (each `counted`/`period` pair at most once; later ones win).
    pub fn new(windows: impl IntoIterator<Item = Window>) -> Limits {
        let mut all: Vec<Window> = Vec::new();
        for w in windows {
            all.retain(|x| (x.counted, x.period) != (w.counted, w.period));
            all.push(w);
        }
        all.sort_by_key(|w| (w.counted, w.period));
        let reads = all.iter().copied().filter(|w| w.counted == Counted::Calls).collect();
        Limits { reads, writes: all }
    }

    /// No limit at all.
    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }

    /// Every window (calls first, shortest period first).
    pub fn all(&self) -> &[Window] {
        &self.writes
    }

    /// The windows a call is counted in: the `calls_*` windows, plus the `writes_*`
    /// windows for a write.
    pub fn windows(&self, write: bool) -> &[Window] {
        if write { &self.writes } else { &self.reads }
    }
}

/// Proof of a charge, given back with [`BudgetStore::release`] when the call ends up
/// not sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Permit {
    /// The agent charged.
    pub agent: String,
    /// The windows charged.
    pub windows: Vec<Window>,
    /// A store-defined token identifying the charge.
    pub token: u64,
}

/// Why a charge was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BudgetError {
    /// A window is full.
    #[error("the limit of {window} is reached; retry in {}", human(*retry_after))]
    Throttled {
        /// The full window (the one with the longest wait, when several are full).
        window: Window,
        /// When the call would fit every window again.
        retry_after: Duration,
    },
    /// The store could not answer (a shared store that is down). The guard denies the
    /// call (`budget_unavailable`); a store that prefers availability falls back to a
    /// local count itself instead of returning this.
    #[error("the budget store is unavailable: {0}")]
    Unavailable(String),
}

pub(crate) fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1_000 {
        format!("{ms} ms")
    } else {
        // Rounded up: "retry in 1 s" must not be too early.
        format!("{} s", d.as_secs() + u64::from(d.subsec_nanos() > 0))
    }
}

/// Where per-agent budgets are kept. Asynchronous, so that a shared store (Redis) can
/// implement it; the guard calls it once per call in `before_send`.
pub trait BudgetStore: Send + Sync + fmt::Debug + 'static {
    /// Charges one call of `agent` to each of `windows` — all or nothing: when any is
    /// full, nothing is charged and the error says when the call would fit.
    fn acquire<'a>(&'a self, agent: &'a str, windows: &'a [Window]) -> BoxFuture<'a, Result<Permit, BudgetError>>;

    /// Gives a charge back (the call was not sent after all).
    fn release(&self, permit: Permit) -> BoxFuture<'_, ()>;
}

/// The times (and charge tokens) of the calls in one rolling window, oldest first.
type CallLog = VecDeque<(tokio::time::Instant, u64)>;

/// The in-process [`BudgetStore`]: per agent and window, the times of the calls in the
/// current rolling window (at most `limit` of them), on [`tokio::time::Instant`] — so a
/// test on tokio's paused clock sees windows roll over exactly when it advances time.
///
/// ```
/// use auth0_mgmt_policy::budget::{BudgetError, BudgetStore, Counted, InMemoryBudgets, Period, Window};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let store = InMemoryBudgets::new();
/// let w = [Window { counted: Counted::Calls, period: Period::Minute, limit: 2 }];
/// store.acquire("bot", &w).await.unwrap();
/// store.acquire("bot", &w).await.unwrap();
/// let err = store.acquire("bot", &w).await.unwrap_err();
/// assert!(matches!(err, BudgetError::Throttled { .. }));
/// # }
/// ```
#[derive(Debug, Default)]
pub struct InMemoryBudgets {
    logs: Mutex<HashMap<(String, Counted, Period), CallLog>>,
    next: AtomicU64,
}

impl InMemoryBudgets {
    /// An empty store.
    pub fn new() -> InMemoryBudgets {
        InMemoryBudgets::default()
    }

    /// How many calls of `agent` the window currently holds.
    pub fn used(&self, agent: &str, window: &Window) -> u32 {
        let now = tokio::time::Instant::now();
        let logs = lock(&self.logs);
        logs.get(&(agent.to_owned(), window.counted, window.period)).map_or(0, |log| {
            let n = log.iter().filter(|(t, _)| now.saturating_duration_since(*t) < window.period.duration()).count();
            u32::try_from(n).unwrap_or(u32::MAX)
        })
    }

    fn charge(&self, agent: &str, windows: &[Window]) -> Result<Permit, BudgetError> {
        let now = tokio::time::Instant::now();
        let mut logs = lock(&self.logs);
        let mut refused: Option<(Window, Duration)> = None;
        for w in windows {
            let period = w.period.duration();
            let log = logs.entry((agent.to_owned(), w.counted, w.period)).or_default();
            while log.front().is_some_and(|(t, _)| now.saturating_duration_since(*t) >= period) {
                log.pop_front();
            }
            // The limit may have been lowered by a policy reload sharing this store.
            while log.len() > w.limit as usize {
                log.pop_front();
            }
            if log.len() >= w.limit as usize {
                let oldest = log.front().map_or(now, |(t, _)| *t);
                let wait = (oldest + period).saturating_duration_since(now);
                if refused.is_none_or(|(_, longest)| wait > longest) {
                    refused = Some((*w, wait));
                }
            }
        }
        if let Some((window, retry_after)) = refused {
            return Err(BudgetError::Throttled { window, retry_after });
        }
        let token = self.next.fetch_add(1, Ordering::Relaxed);
        for w in windows {
            logs.entry((agent.to_owned(), w.counted, w.period)).or_default().push_back((now, token));
        }
        Ok(Permit { agent: agent.to_owned(), windows: windows.to_vec(), token })
    }

    fn give_back(&self, permit: &Permit) {
        let mut logs = lock(&self.logs);
        for w in &permit.windows {
            if let Some(log) = logs.get_mut(&(permit.agent.clone(), w.counted, w.period))
                && let Some(i) = log.iter().rposition(|(_, t)| *t == permit.token)
            {
                log.remove(i);
            }
        }
    }
}

impl BudgetStore for InMemoryBudgets {
    fn acquire<'a>(&'a self, agent: &'a str, windows: &'a [Window]) -> BoxFuture<'a, Result<Permit, BudgetError>> {
        Box::pin(std::future::ready(self.charge(agent, windows)))
    }

    fn release(&self, permit: Permit) -> BoxFuture<'_, ()> {
        self.give_back(&permit);
        Box::pin(std::future::ready(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(counted: Counted, period: Period, limit: u32) -> Window {
        Window { counted, period, limit }
    }

    #[tokio::test(start_paused = true)]
    async fn rolling_windows_all_or_nothing_and_release() {
        let s = InMemoryBudgets::new();
        let windows = [w(Counted::Calls, Period::Minute, 2), w(Counted::Calls, Period::Hour, 3)];
        s.acquire("a", &windows).await.unwrap();
        tokio::time::advance(Duration::from_secs(10)).await;
        let p = s.acquire("a", &windows).await.unwrap();
        match s.acquire("a", &windows).await.unwrap_err() {
            BudgetError::Throttled { window, retry_after } => {
                assert_eq!(window.key(), "calls_per_minute");
                assert_eq!(retry_after, Duration::from_secs(50));
            }
            other => panic!("{other}"),
        }
        // Another agent has its own budget.
        s.acquire("b", &windows).await.unwrap();
        // A released charge frees its slot in every window.
        s.release(p).await;
        assert_eq!(s.used("a", &windows[0]), 1);
        s.acquire("a", &windows).await.unwrap();
        tokio::time::advance(Duration::from_secs(50)).await;
        // The first call left the minute window, but the hour window is full now? 3 used.
        s.acquire("a", &windows).await.unwrap();
        match s.acquire("a", &windows).await.unwrap_err() {
            BudgetError::Throttled { window, retry_after } => {
                assert_eq!(window.key(), "calls_per_hour");
                assert_eq!(retry_after, Duration::from_secs(3_600 - 60));
            }
            other => panic!("{other}"),
        }
        assert_eq!(s.used("a", &windows[1]), 3);
    }

    #[test]
    fn limits_split_reads_and_writes() {
        let l = Limits::new([w(Counted::Writes, Period::Hour, 30), w(Counted::Calls, Period::Minute, 120)]);
        assert_eq!(l.windows(false).iter().map(Window::key).collect::<Vec<_>>(), ["calls_per_minute"]);
        assert_eq!(
            l.windows(true).iter().map(Window::key).collect::<Vec<_>>(),
            ["calls_per_minute", "writes_per_hour"]
        );
        assert_eq!(l.all()[1].to_string(), "30 writes per hour");
        assert!(Limits::default().is_empty());
        assert_eq!(human(Duration::from_millis(1_001)), "2 s");
    }
}
