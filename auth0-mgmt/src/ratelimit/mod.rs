//! Rate limits: the headers of each answer ([`RateLimit`]) and the client-wide pacer that
//! spaces calls so that they rarely meet a 429.
//!
//! Auth0 rate-limits the Management API with a token bucket per tenant: `x-ratelimit-limit`
//! is the bucket size, `x-ratelimit-remaining` the tokens left after this request (rounded
//! down), `x-ratelimit-reset` the epoch second (rounded up) when tokens are next added. A
//! 429 may also carry `Retry-After`. [`RateLimit::from_headers`] reads them all and never
//! fails: numbers saturate, nonsense is `None`.
//!
//! # The pacer in four rules
//!
//! Every client has one pacer, shared by all its tasks ([`Pacer`]; its counters are public
//! as [`Client::rate_limit_stats`](crate::Client::rate_limit_stats)). The transport talks
//! to it through the [`RateLimiter`] trait, so another pacer can take its place
//! ([`ClientBuilder::rate_limiter`](crate::ClientBuilder::rate_limiter)).
//!
//! 1. **A model of the bucket, fed by every answer.** An answer whose `limit` and
//!    `remaining` make sense together (`1 ≤ limit ≤ 10⁶`, `remaining ≤ limit`) resets the
//!    modelled level: the smallest `remaining` among the answers that arrived while this
//!    request was in flight (they may have been counted in any order), minus the requests
//!    still in flight, plus the refill during the quickest round trip. Each send takes one
//!    token; the level grows at the refill rate, up to `limit`. An accepted answer without
//!    such headers — none at all, `x-ratelimit-limit: 0`, a limit in the trillions — means
//!    there is nothing to pace by: nothing is held back until an answer describes a bucket
//!    again. A 429 without them still holds calls until its server-named wait.
//! 2. **The refill rate is what the answers prove.** The bucket held less than
//!    `remaining + 1` at an answer (it is rounded down), and still a second before that
//!    answer's reset stamp (the next token came after that); it held at least `remaining`
//!    at a later answer, and one more by its stamp. Between two such moments it refilled
//!    at least the difference plus the tokens the accepted answers took. Every pair of
//!    answers gives such a lower bound (with margins for reordering and round trips); the
//!    pacer keeps the best one. Pacing at a rate a little too low costs nothing: tokens
//!    saved up show in the next `remaining`, and rule 1 spends them at once. A 429 to a
//!    send the model held a token for proves the model wrong (the bucket is shared, or
//!    shrank): the evidence is dropped and the rate learned again.
//! 3. **When the model says empty, the front call waits for the first of:** the next token
//!    at the learned rate; the server's promise (`Retry-After`, else `x-ratelimit-reset`,
//!    for the first send after that answer); or a probe, 100 ms after the last answer and
//!    one at a time, until a probe meets a 429 (then the bucket refills slower than probes
//!    go, and the pacer waits for promises, backing off with `backon` when there are none;
//!    until a second probe fails, it also tries half-way between a reset promise and the
//!    second before it — a token just past a whole second is promised almost a second late).
//!    Before the very first answer, one call goes alone and the others wait for its answer
//!    (at most 1 s), so a cold client does not empty a small bucket with a burst of 429s.
//! 4. **Calls are served in arrival order.** Waiting calls stand in one line; only the
//!    front one watches the clock and the model, and when it goes the next one looks at
//!    once. A call that got a 429 waits the server-named wait (`throttled_delay`:
//!    `Retry-After`, else `x-ratelimit-reset`, never capped; without either, exponential
//!    backoff with jitter) and then goes back to the *front* of the line: it arrived before
//!    everyone waiting. No call waits longer than it may (`acquire(max_wait)`): when its
//!    place is further away than that, it is told so at once without waiting; if the model
//!    turns more pessimistic while it waits, it is sent when its time is up and the server
//!    decides. A dropped (cancelled) call leaves the line.
//!
//! With `N` calls waiting on a bucket that refills `r` tokens per second, each call waits
//! for the `N − 1` before it and its own token: its **fair share** is `N / r` (8 calls on
//! the free tier's 2/s: 4 s).
//!
//! # Measured
//!
//! Real client against the fake tenant on loopback (`cargo run --release -p
//! auth0-mgmt-bench --bin pacer_sweep`, a cold client per run, a loaded 2-core machine): burst 10 at 100/s, 8 or 32
//! tasks, 400 calls: ×1.002–1.004 of the ideal wall time, 0 × 429; burst 5 at 50/s and 50
//! at 50/s: ×1.001–1.010, 0–1 × 429; the free tier's burst 2 at 2/s, 8 tasks, 60 calls,
//! over five start phases: ×1.000–1.022, 1–2 × 429, slowest call ×1.03–1.25 of its fair
//! share (the previous pacer: ×1.05, 14 × 429, slowest ×2.95). The simulation beside this
//! module (tokio's paused clock, latencies up to 300 ms, 100 start phases) covers the same
//! and a shared bucket.
//!
//! # Calling order (one attempt)
//!
//! `acquire(max_wait).await` → send → `RateLimit::from_headers(headers, pacer.unix_now())`
//! → `observe(&rl, status)` for **every** answer (`unanswered()` for a transport error) →
//! on a 429 `sleep(throttled_delay(&rl, attempt))` and try again from `acquire`.
//!
//! # A shared bucket
//!
//! The bucket is per tenant, not per process. Several processes that each run this pacer
//! learn it separately and collide in 429s; a [`RateLimiter`] shared through a store
//! (`auth0-mgmt-redis` keeps the model in Redis) paces them as one client. The model
//! (`bucket::Bucket`, in `bucket.rs`) is a plain struct driven by explicit instants — `reserve(now)`
//! takes a token or names the instant to ask again, `observe(now, …)` learns from an
//! answer, `unanswered(now)` forgets a request — so a shared backend can keep the same
//! state and run the same transitions atomically; the line of waiting calls stays in
//! each process.

mod bucket;
mod headers;
mod limiter;
pub(crate) mod pacer;
#[cfg(test)]
mod simulation;

pub use headers::{QuotaBucket, QuotaPeriod, RateLimit};
pub use limiter::RateLimiter;
pub use pacer::{Pacer, PacerConfig, PacerStats, PacerWait};
