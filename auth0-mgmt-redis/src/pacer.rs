//! [`RedisPacer`]: the tenant's rate-limit bucket modelled once, in Redis, for every
//! process.
//!
//! # How it works
//!
//! The model is auth0-mgmt's in-process one (`auth0_mgmt::ratelimit`, "the pacer in four
//! rules"), kept as one JSON document per tenant and run by one Lua script
//! (`src/bucket.lua`), so that each transition is atomic across processes:
//!
//! * `reserve` takes a token or names the instant to ask again — the first send of a cold
//!   tenant goes alone and the others (in every process) wait up to 1 s for its answer; an
//!   empty bucket waits for the learned refill rate, the server's promise, or a probe;
//! * `observe` learns from answers (in batches): the freshest `remaining` among answers
//!   that overlapped, minus the requests in flight **in every process**, and the refill
//!   rate that every pair of answers proves, counting the accepted answers of every
//!   process — so N processes learn the bucket as one client does;
//! * `force` counts a send made without a token (a caller's wait ran out).
//!
//! Each process keeps its own line of waiting calls (arrival order; a call back from a
//! 429 goes first), as the in-process pacer does; only the front call of each line asks
//! Redis, and when no call waits a call asks at once. 429 waits are the server's, as in
//! the in-process pacer.
//!
//! # Where it differs from the in-process pacer
//!
//! * **Redis' clock.** Instants are Redis' `TIME` (milliseconds), so processes on
//!   machines whose clocks disagree share one timeline; `x-ratelimit-reset` stamps and
//!   `Retry-After` are handed over as durations from the answer.
//! * **Answers are observed in the background**, batched, a little after they arrive; an
//!   answer's round trip is widened by that delay (the model stays on the safe side).
//! * **Other processes' answers do not wake a waiting call**: the front call re-asks at
//!   the instant the model named, or after at most 20 ms (a short poll), whichever comes
//!   first; answers in its own process wake it at once.
//! * **At most 64 answers** (not 256) within the 10 s window prove the refill rate: the
//!   script stays short.
//! * A request whose process died stops counting as in flight after 60 s (as a dropped
//!   call does in-process).
//! * When Redis is unreachable the process paces with its own in-process `Pacer` (fed
//!   with every answer all along, so it knows the bucket), and rejoins when Redis
//!   answers again.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use auth0_mgmt::{Pacer, PacerConfig, PacerStats, PacerWait, RateLimit, RateLimiter};
use backon::{BackoffBuilder, ExponentialBuilder};
use futures::future::BoxFuture;
use redis::Script;
use tokio::sync::{Notify, mpsc};
use tokio::time::Instant;

use crate::store::{Store, StoreError};

const SCRIPT: &str = include_str!("bucket.lua");
/// A bucket larger than this is nonsense (as in-process).
const MAX_LIMIT: u64 = 1_000_000;
/// The front call asks Redis again at least this often while it waits.
const POLL: Duration = Duration::from_millis(20);
/// A request unanswered this long stops counting (as in-process).
const IN_FLIGHT_HORIZON: Duration = Duration::from_secs(60);
/// At most this many answers go to Redis in one script run.
const BATCH: usize = 64;
/// At most this many unreported requests are remembered.
const MAX_ORPHANS: usize = 1024;
const MAX_RETURNING: usize = 256;
/// Promises further than this (ms) are all "very far".
const FAR_MS: f64 = 1e13;

/// A [`RateLimiter`] that paces every process of a deployment as one client: the
/// tenant's bucket model — auth0-mgmt's in-process one — lives in Redis as one JSON
/// document per tenant, run by one Lua script on Redis' clock, so that each transition is
/// atomic across processes; every process's answers (their `x-ratelimit-*` headers and
/// 429s) feed it.
///
/// Built by [`Shared::connect`](crate::Shared::connect).
pub struct RedisPacer {
    store: Arc<Store>,
    key: String,
    config: PacerConfig,
    local: Pacer,
    script: Arc<Script>,
    process: String,
    seq: AtomicU64,
    state: Mutex<State>,
    updates: mpsc::UnboundedSender<Update>,
}

#[derive(Default)]
struct State {
    line: VecDeque<(u64, Arc<Notify>)>,
    next_ticket: u64,
    returning: VecDeque<tokio::task::Id>,
    /// Requests reserved through Redis and not answered yet: id and send instant.
    in_flight: VecDeque<(String, Instant)>,
    stats: PacerStats,
    snapshot: Snapshot,
    /// Requests counted in Redis whose answers could not be reported (Redis was down):
    /// reported as unanswered once it is back, or they would count as in flight for a
    /// minute.
    orphans: Vec<String>,
}

/// The last thing Redis said about the model, for predictions without a round trip.
#[derive(Clone, Copy, Debug, Default)]
struct Snapshot {
    at: Option<Instant>,
    first: Duration,
    per_call: Duration,
    limit: Option<u64>,
    rate: Option<f64>,
}

impl Snapshot {
    fn predict(&self, ahead: usize) -> Duration {
        let first = self.at.map_or(Duration::ZERO, |at| self.first.saturating_sub(at.elapsed()));
        let per_call = if ahead > 0 { self.per_call } else { Duration::ZERO };
        first.saturating_add(per_call.saturating_mul(u32::try_from(ahead).unwrap_or(u32::MAX)))
    }
}

/// One answer (or its absence, or a send made without a token) on its way to Redis.
struct Update {
    id: String,
    kind: UpdateKind,
    rtt: Duration,
    queued: Instant,
}

enum UpdateKind {
    /// An answer: bucket (limit, remaining) when sensible, promise and reset (ms from the
    /// answer, −1 for none), throttled.
    Answer(Option<(u64, u64)>, f64, f64, bool),
    Unanswered,
    /// A send the caller's wait ran out for: counted without a token.
    Force,
    /// A request whose answer could not be reported: it no longer counts as in flight.
    Orphan,
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

impl fmt::Debug for RedisPacer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisPacer")
            .field("key", &self.key)
            .field("config", &self.config)
            .field("store", &self.store)
            .field("stats", &self.stats())
            .finish()
    }
}

/// What `reserve` said.
enum Reserved {
    Now,
    At(Duration),
}

impl RedisPacer {
    pub(crate) fn new(store: Arc<Store>, key: String, config: PacerConfig) -> Arc<RedisPacer> {
        let (updates, rx) = mpsc::unbounded_channel();
        let pacer = Arc::new(RedisPacer {
            store,
            key,
            local: Pacer::new(config.clone()),
            config,
            script: Arc::new(Script::new(SCRIPT)),
            process: format!("{:016x}", fastrand::u64(..)),
            seq: AtomicU64::new(0),
            state: Mutex::new(State::default()),
            updates,
        });
        tokio::spawn(observer(Arc::downgrade(&pacer), rx));
        pacer
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn probe_max_ms(&self) -> u64 {
        u64::try_from(self.config.backoff_max.as_millis()).unwrap_or(u64::MAX)
    }

    fn next_id(&self) -> String {
        format!("{}:{}", self.process, self.seq.fetch_add(1, Ordering::Relaxed))
    }

    /// Runs `reserve` in Redis for a new request id, within `limit`.
    async fn reserve(&self, limit: Duration) -> Result<Reserved, StoreError> {
        let id = self.next_id();
        let reply: Vec<String> = match self
            .store
            .run(Some(limit), |mut c| {
                let mut inv = self.script.key(&self.key);
                inv.arg("reserve").arg(self.probe_max_ms()).arg(&id);
                async move { inv.invoke_async(&mut c).await }
            })
            .await
        {
            Ok(reply) => reply,
            Err(e) => {
                // The script may still run (a slow Redis runs it late): its request must
                // not count as in flight there.
                let mut st = self.lock();
                if !matches!(e, StoreError::Down) && st.orphans.len() < MAX_ORPHANS {
                    st.orphans.push(id);
                }
                return Err(e);
            }
        };
        let now = Instant::now();
        let mut st = self.lock();
        st.snapshot = parse_snapshot(&reply, now);
        if reply.first().map(String::as_str) == Some("now") {
            st.in_flight.push_back((id, now));
            while st.in_flight.front().is_some_and(|(_, sent)| now.saturating_duration_since(*sent) > IN_FLIGHT_HORIZON)
            {
                st.in_flight.pop_front();
            }
            return Ok(Reserved::Now);
        }
        Ok(Reserved::At(millis(reply.get(1))))
    }

    async fn acquire_shared(&self, max_wait: Duration) -> Result<Duration, PacerWait> {
        let start = Instant::now();
        let deadline = start.checked_add(max_wait).unwrap_or_else(|| start + Duration::from_secs(100 * 365 * 86_400));
        let (returning, line_empty) = {
            let mut st = self.lock();
            st.stats.requests += 1;
            let task = tokio::task::try_id();
            let returning = task.and_then(|id| st.returning.iter().position(|t| *t == id));
            (returning.and_then(|i| st.returning.remove(i)).is_some(), st.line.is_empty())
        };
        // Nobody waits here: ask Redis at once.
        let mut first_answer = None;
        if line_empty || returning {
            match self.reserve(max_wait).await {
                Ok(Reserved::Now) => return Ok(start.elapsed()),
                Ok(Reserved::At(wait)) => first_answer = Some(wait),
                Err(StoreError::Timeout) if !self.store.is_up() => return self.fall_back(start, deadline).await,
                Err(StoreError::Timeout) => return Ok(start.elapsed()), // out of time: go, the server decides
                Err(_) => return self.fall_back(start, deadline).await,
            }
        }
        let (ticket, wake) = {
            let mut st = self.lock();
            let ahead = if returning { 0 } else { st.line.len() };
            let needed = match first_answer {
                Some(wait) => wait.saturating_add(st.snapshot.per_call.saturating_mul(ahead as u32)),
                None => st.snapshot.predict(ahead),
            }
            .saturating_add(start.elapsed());
            if needed > max_wait {
                return Err(PacerWait::new(needed));
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
        // When the front call asks Redis again: the instant the model named, or sooner
        // (a short poll: answers in other processes may have changed the model).
        let mut named = first_answer.map(|w| Instant::now() + w.min(POLL));
        loop {
            let now = Instant::now();
            if now >= deadline {
                // Out of time: go anyway (counted in Redis in the background), and let
                // the server decide.
                self.force_in_background(now);
                self.done(&mut place, start);
                return Ok(start.elapsed());
            }
            let at_front = self.lock().line.front().is_some_and(|(t, _)| *t == ticket);
            if at_front && named.is_none_or(|at| now >= at) {
                match self.reserve(deadline - now).await {
                    Ok(Reserved::Now) => {
                        self.done(&mut place, start);
                        return Ok(start.elapsed());
                    }
                    Ok(Reserved::At(wait)) => named = Some(Instant::now() + wait.min(POLL)),
                    Err(_) if !self.store.is_up() => {
                        drop(place);
                        return self.fall_back(start, deadline).await;
                    }
                    Err(_) => {
                        // Out of the caller's time while asking: go, the server decides.
                        self.done(&mut place, start);
                        return Ok(start.elapsed());
                    }
                }
                continue;
            }
            let until = if at_front { named.unwrap_or(now).min(deadline) } else { deadline };
            tokio::select! {
                () = tokio::time::sleep_until(until) => {}
                () = wake.notified() => { named = None; }
            }
        }
    }

    fn force_in_background(&self, now: Instant) {
        let id = self.next_id();
        self.lock().in_flight.push_back((id.clone(), now));
        let _ = self.updates.send(Update { id, kind: UpdateKind::Force, rtt: Duration::ZERO, queued: now });
    }

    fn done(&self, place: &mut Place<'_>, start: Instant) {
        let mut st = self.lock();
        if let Some(ticket) = place.ticket.take() {
            st.leave(ticket);
        }
        st.count_wait(start.elapsed());
    }

    /// Redis is down: the rest of the wait is the local pacer's.
    async fn fall_back(&self, start: Instant, deadline: Instant) -> Result<Duration, PacerWait> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.local.acquire(left).await {
            Ok(_) => {
                let waited = start.elapsed();
                self.lock().count_wait(waited);
                Ok(waited)
            }
            Err(e) => Err(PacerWait::new(e.needed.saturating_add(start.elapsed()))),
        }
    }

    fn queue(&self, answered: Option<(&RateLimit, u16)>) {
        let now = Instant::now();
        let mut st = self.lock();
        st.wake_front();
        let Some((id, sent)) = st.in_flight.pop_front() else { return };
        if !self.store.is_up() {
            if st.orphans.len() < MAX_ORPHANS {
                st.orphans.push(id);
            }
            return;
        }
        drop(st);
        let kind = answered.map_or(UpdateKind::Unanswered, |(rl, status)| {
            let bucket = match (rl.limit, rl.remaining) {
                (Some(limit), Some(remaining)) if (1..=MAX_LIMIT).contains(&limit) && remaining <= limit => {
                    Some((limit, remaining))
                }
                _ => None,
            };
            let unix_now = SystemTime::now();
            let ms = |d: Option<Duration>| {
                d.filter(|d| !d.is_zero()).map_or(-1.0, |d| (d.as_secs_f64() * 1000.0).min(FAR_MS))
            };
            // As the in-process model: a promise further away than a minute holds the
            // other calls only a minute (an absurd 429 cannot lock every process out),
            // and such a reset says nothing about the refill rate.
            let promise = ms(rl.server_wait(unix_now)).min(PROMISE_HOLD_MS);
            let reset = ms(rl.reset.and_then(|r| r.duration_since(unix_now).ok()));
            let reset = if reset > PROMISE_HOLD_MS { -1.0 } else { reset };
            UpdateKind::Answer(bucket, promise, reset, status == 429)
        });
        let _ = self.updates.send(Update { id, kind, rtt: now.saturating_duration_since(sent), queued: now });
    }
}

/// How long a server promise of the next token holds other calls back at most, in ms.
const PROMISE_HOLD_MS: f64 = 60_000.0;
/// Sends answers to Redis in batches, in the order they arrived.
async fn observer(pacer: std::sync::Weak<RedisPacer>, mut rx: mpsc::UnboundedReceiver<Update>) {
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        let Some(pacer) = pacer.upgrade() else { return };
        if pacer.store.is_up() {
            let orphans = std::mem::take(&mut pacer.lock().orphans);
            let now = Instant::now();
            batch.extend(orphans.into_iter().map(|id| Update {
                id,
                kind: UpdateKind::Orphan,
                rtt: Duration::ZERO,
                queued: now,
            }));
            let now = Instant::now();
            let result = pacer
                .store
                .run(None, |mut c| {
                    let mut inv = pacer.script.key(&pacer.key);
                    inv.arg("observe").arg(pacer.probe_max_ms()).arg(batch.len());
                    for u in &batch {
                        let rtt = u.rtt.saturating_add(now.saturating_duration_since(u.queued));
                        let rtt = rtt.as_secs_f64() * 1000.0;
                        match u.kind {
                            UpdateKind::Unanswered => {
                                inv.arg(&u.id).arg("u").arg(0).arg(0).arg(0).arg(-1).arg(-1).arg(0).arg(rtt)
                            }
                            UpdateKind::Force => {
                                inv.arg(&u.id).arg("f").arg(0).arg(0).arg(0).arg(-1).arg(-1).arg(0).arg(0)
                            }
                            UpdateKind::Orphan => {
                                inv.arg(&u.id).arg("o").arg(0).arg(0).arg(0).arg(-1).arg(-1).arg(0).arg(0)
                            }
                            UpdateKind::Answer(bucket, promise, reset, throttled) => inv
                                .arg(&u.id)
                                .arg("a")
                                .arg(u8::from(bucket.is_some()))
                                .arg(bucket.map_or(0, |b| b.0))
                                .arg(bucket.map_or(0, |b| b.1))
                                .arg(promise)
                                .arg(reset)
                                .arg(u8::from(throttled))
                                .arg(rtt),
                        };
                    }
                    async move { inv.invoke_async::<Vec<String>>(&mut c).await }
                })
                .await;
            match result {
                Ok(reply) => pacer.lock().snapshot = parse_snapshot(&reply, Instant::now()),
                Err(_) => {
                    let mut st = pacer.lock();
                    let room = MAX_ORPHANS.saturating_sub(st.orphans.len());
                    st.orphans.extend(batch.drain(..).map(|u| u.id).take(room));
                }
            }
        } else {
            let mut st = pacer.lock();
            let room = MAX_ORPHANS.saturating_sub(st.orphans.len());
            st.orphans.extend(batch.drain(..).map(|u| u.id).take(room));
        }
        batch.clear();
    }
}

fn parse_snapshot(reply: &[String], now: Instant) -> Snapshot {
    Snapshot {
        at: Some(now),
        first: millis(reply.get(2)),
        per_call: millis(reply.get(3)),
        limit: reply.get(4).and_then(|s| s.parse().ok()),
        rate: reply.get(5).and_then(|s| s.parse().ok()),
    }
}

/// A millisecond figure from the script, as a duration (nonsense is zero).
fn millis(s: Option<&String>) -> Duration {
    let ms = s.and_then(|s| s.parse::<f64>().ok()).filter(|v| v.is_finite() && *v > 0.0).unwrap_or(0.0);
    Duration::try_from_secs_f64(ms / 1000.0).unwrap_or(Duration::MAX)
}

impl RateLimiter for RedisPacer {
    fn acquire(&self, max_wait: Duration) -> BoxFuture<'_, Result<Duration, PacerWait>> {
        Box::pin(async move {
            if !self.config.enabled {
                self.lock().stats.requests += 1;
                return Ok(Duration::ZERO);
            }
            if !self.store.is_up() {
                self.lock().stats.requests += 1;
                let result = self.local.acquire(max_wait).await;
                if let Ok(waited) = result {
                    self.lock().count_wait(waited);
                }
                return result;
            }
            self.acquire_shared(max_wait).await
        })
    }

    fn observe(&self, rate_limit: &RateLimit, status: u16) {
        // The local pacer learns from every answer, to take over when Redis is down.
        self.local.observe(rate_limit, status);
        self.lock().stats.throttled += u64::from(status == 429);
        self.queue(Some((rate_limit, status)));
    }

    fn unanswered(&self) {
        self.local.unanswered();
        self.queue(None);
    }

    fn throttled_delay(&self, rate_limit: &RateLimit, attempt: u32) -> Duration {
        let delay = rate_limit.server_wait(SystemTime::now()).unwrap_or_else(|| {
            let builder = ExponentialBuilder::default()
                .with_min_delay(self.config.backoff_base)
                .with_max_delay(self.config.backoff_max.max(self.config.backoff_base))
                .with_factor(2.0)
                .without_max_times()
                .with_jitter()
                .with_jitter_seed(fastrand::u64(..));
            builder.build().nth(attempt.saturating_sub(1).min(64) as usize).unwrap_or(self.config.backoff_max)
        });
        if let Some(id) = tokio::task::try_id().filter(|_| self.config.enabled) {
            let mut st = self.lock();
            if st.returning.len() >= MAX_RETURNING {
                st.returning.pop_front();
            }
            st.returning.push_back(id);
        }
        delay
    }

    fn stats(&self) -> PacerStats {
        let st = self.lock();
        let mut stats = st.stats;
        stats.estimated_limit = st.snapshot.limit;
        stats.estimated_refill_per_sec = st.snapshot.rate;
        stats
    }
}

/// A call's place in line; dropping it (a cancelled acquire) gives the place up.
struct Place<'a> {
    pacer: &'a RedisPacer,
    ticket: Option<u64>,
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            self.pacer.lock().leave(ticket);
        }
    }
}
