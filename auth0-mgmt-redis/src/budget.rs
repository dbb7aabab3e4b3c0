//! [`RedisBudgets`]: the policy's per-agent budgets counted in Redis, so that an agent's
//! `limits` hold across every replica it reaches.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use auth0_mgmt::BoxFuture;
use auth0_mgmt_policy::Clock;
use auth0_mgmt_policy::budget::{BudgetError, BudgetStore, Counted, Period, Permit, Window};
use redis::Script;

use crate::keys::{Keys, digest};
use crate::store::{self, Store};

const SCRIPT: &str = include_str!("budget.lua");

/// The policy's [`BudgetStore`] in Redis: per agent and window, a sorted set of the
/// charges in the current rolling window, checked and charged by one Lua script — all or
/// nothing across the agent's windows, atomically, whichever replica the call reaches. The
/// same rolling windows as the in-process store (at most `limit` calls in any `period`,
/// `retry_after` when the oldest call leaves the full window), on **Redis' clock**, so
/// every process counts on one clock; [`with_clock`](Self::with_clock) puts the policy's
/// clock in its place (tests). Keys expire one window after their last charge.
///
/// **Redis down: fail closed.** `acquire` then answers [`BudgetError::Unavailable`] and
/// the guard refuses the call (`budget_unavailable`, nothing sent) until Redis answers
/// again. A limit exists to protect the tenant from one agent; counting locally while
/// Redis is away would let N replicas grant N times the limit, so this store does not.
/// `release` while Redis is down gives nothing back (the charge stays until its window
/// ends: the safe side).
///
/// Made by [`Shared::budgets`](crate::Shared::budgets); see
/// [`RedisApprovalStore`](crate::RedisApprovalStore) for an example with a guard.
#[derive(Debug, Clone)]
pub struct RedisBudgets {
    store: Arc<Store>,
    script: Arc<Script>,
    /// `auth0-mgmt:{deployment}:budget:{tenant}:`
    prefix: String,
    clock: Option<Arc<dyn Clock>>,
}

impl RedisBudgets {
    pub(crate) fn new(store: Arc<Store>, keys: &Keys) -> RedisBudgets {
        RedisBudgets {
            store,
            script: Arc::new(Script::new(SCRIPT)),
            prefix: format!("auth0-mgmt:{}:budget:{{{}}}:", keys.deployment(), keys.tenant()),
            clock: None,
        }
    }

    /// Counts on `clock` instead of Redis' clock (tests, with the policy's
    /// [`ManualClock`](auth0_mgmt_policy::ManualClock); every process sharing the
    /// budgets must then read the same time).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> RedisBudgets {
        self.clock = Some(clock);
        self
    }

    fn key(&self, agent: &str, w: &Window) -> String {
        let counted = match w.counted {
            Counted::Calls => "calls",
            Counted::Writes => "writes",
        };
        format!("{}{}:{counted}:{}", self.prefix, digest(&[agent]), w.period.as_str())
    }

    fn now_arg(&self) -> String {
        self.clock.as_ref().map_or_else(String::new, |c| {
            let now = c.now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
            now.as_millis().to_string()
        })
    }

    async fn run(&self, op: &str, agent: &str, windows: &[Window], token: u64) -> Result<Vec<i64>, store::StoreError> {
        let now = self.now_arg();
        let member = format!("{token:016x}");
        let keys: Vec<String> = windows.iter().map(|w| self.key(agent, w)).collect();
        self.store
            .run(None, |mut c| {
                let mut inv = self.script.prepare_invoke();
                for k in &keys {
                    inv.key(k);
                }
                inv.arg(op).arg(&now).arg(&member);
                for w in windows {
                    inv.arg(period_ms(w.period)).arg(w.limit);
                }
                async move { inv.invoke_async::<Vec<i64>>(&mut c).await }
            })
            .await
    }
}

fn period_ms(p: Period) -> u64 {
    u64::try_from(p.duration().as_millis()).unwrap_or(u64::MAX)
}

impl BudgetStore for RedisBudgets {
    fn acquire<'a>(&'a self, agent: &'a str, windows: &'a [Window]) -> BoxFuture<'a, Result<Permit, BudgetError>> {
        Box::pin(async move {
            let token = fastrand::u64(..);
            let permit = Permit { agent: agent.to_owned(), windows: windows.to_vec(), token };
            if windows.is_empty() {
                return Ok(permit);
            }
            let reply = self.run("acquire", agent, windows, token).await.map_err(|e| {
                BudgetError::Unavailable(match e {
                    store::StoreError::Down => "Redis is unreachable".to_owned(),
                    store::StoreError::Timeout => "Redis did not answer in time".to_owned(),
                    store::StoreError::Redis => "Redis failed".to_owned(),
                })
            })?;
            match reply.as_slice() {
                [1, ..] => Ok(permit),
                [0, full, wait] => {
                    let window = usize::try_from(*full)
                        .ok()
                        .and_then(|i| i.checked_sub(1))
                        .and_then(|i| windows.get(i))
                        .copied()
                        .ok_or_else(|| BudgetError::Unavailable(format!("Redis answered window {full}")))?;
                    let retry_after = Duration::from_millis(u64::try_from(*wait).unwrap_or(0));
                    Err(BudgetError::Throttled { window, retry_after })
                }
                other => Err(BudgetError::Unavailable(format!("Redis answered {other:?}"))),
            }
        })
    }

    fn release(&self, permit: Permit) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            if permit.windows.is_empty() {
                return;
            }
            if self.run("release", &permit.agent, &permit.windows, permit.token).await.is_err() {
                tracing::debug!("auth0-mgmt-redis: a budget charge could not be given back; it ends with its window");
            }
        })
    }
}
