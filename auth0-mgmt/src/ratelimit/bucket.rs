//! The model of the tenant's token bucket ([`Bucket`]): a plain state machine driven by
//! explicit instants, so that it can be tested without a clock and mirrored by a shared
//! backend. The rules it follows are in the [module documentation](super); the line of
//! waiting calls in front of it is [`Pacer`](super::Pacer).

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use super::RateLimit;
use super::pacer::PacerConfig;
use crate::retry::exponential;

/// Before the first answer, other calls wait at most this long for it.
pub(super) const FIRST_ANSWER: Duration = Duration::from_secs(1);
/// Before a refill rate is known, an empty bucket is probed this long after the last
/// answer (a bucket refilling slower than one token per probe costs one 429 to find out).
const PROBE: Duration = Duration::from_millis(100);
/// Observations older than this do not count towards the refill rate ...
const WINDOW: Duration = Duration::from_secs(10);
/// ... and at most this many are kept.
const MAX_SAMPLES: usize = 256;
/// A bucket larger than this is nonsense: such answers carry no bucket information.
const MAX_LIMIT: u64 = 1_000_000;
/// A server promise of the next token further away than this holds the other calls back
/// only this long; then one of them goes to ask again. A 429 whose wait is absurd
/// (`Retry-After: 99999999`, a reset in the year 9999) cannot lock the client out, and a
/// long real one costs at most one request a minute. (The call that got the 429 is told
/// the full wait: [`Pacer::throttled_delay`](super::Pacer::throttled_delay).)
pub(super) const PROMISE_HOLD: Duration = Duration::from_secs(60);
/// A request unanswered for this long (its future was dropped mid-flight) stops counting.
const IN_FLIGHT_HORIZON: Duration = Duration::from_secs(60);

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
        let on_clock = |d: Duration| (!d.is_zero()).then(|| later(now, d.min(PROMISE_HOLD)));
        let promise = rl.server_wait(unix_now).and_then(on_clock);
        // A reset further away tells nothing about the refill rate (it is also no promise).
        let reset = rl.reset.and_then(|r| r.duration_since(unix_now).ok()).filter(|d| *d <= PROMISE_HOLD);
        let reset = reset.and_then(on_clock);
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

    /// The modelled tokens after the last answer or send (for tracing).
    pub(crate) fn level(&self) -> Option<f64> {
        self.level.map(|l| l.level)
    }
}

fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// `t + d`, saturating far in the future.
pub(super) fn later(t: Instant, d: Duration) -> Instant {
    t.checked_add(d).or_else(|| t.checked_add(Duration::from_secs(100 * 365 * 86_400))).unwrap_or(t)
}

/// Seconds as a duration, saturating (NaN and negatives are zero).
fn secs(s: f64) -> Duration {
    Duration::try_from_secs_f64(s.max(0.0)).unwrap_or(Duration::MAX)
}

/// The `attempt`-th delay (from 0) of the crate's backoff from `base` to `max`, jittered
/// or not.
pub(super) fn backoff(base: Duration, max: Duration, attempt: u32, jitter: bool) -> Duration {
    exponential(base, max, jitter).nth(attempt.min(64) as usize).unwrap_or(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rl(limit: u64, remaining: u64) -> RateLimit {
        RateLimit { limit: Some(limit), remaining: Some(remaining), ..RateLimit::default() }
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
}
