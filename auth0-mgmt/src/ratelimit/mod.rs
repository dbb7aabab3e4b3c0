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
//! Every client has one pacer, shared by all its tasks (it is crate-private; its counters are
//! public as [`Client::rate_limit_stats`](crate::Client::rate_limit_stats)).
//!
//! 1. **A model of the bucket, fed by every answer.** An answer whose `limit` and
//!    `remaining` make sense together (`1 ≤ limit ≤ 10⁶`, `remaining ≤ limit`) resets the
//!    modelled level to `remaining` minus the requests still in flight (some of them may
//!    not be counted yet: the model errs on the side of fewer tokens). Each send takes one
//!    token. The level grows at the refill rate, up to `limit`. An answer without such
//!    headers — none at all, `x-ratelimit-limit: 0`, a limit in the trillions — leaves the
//!    model as it was; while no answer has described a bucket, nothing is held back.
//! 2. **The refill rate is what the answers prove.** Between an earlier answer `a` and the
//!    newest `b`, the bucket gained at least `remaining_b − remaining_a + accepted in between
//!    − 1` tokens (less the requests in flight at `a`) in at most the time between them plus
//!    `a`'s round trip. That is a lower bound of the rate, whatever the rounding, the
//!    reordering of answers or other clients of the bucket do; the pacer uses the best
//!    bound of the last 10 s. Pacing with a rate that is a little low costs nothing: tokens
//!    saved up show in the next `remaining`, and rule 1 spends them at once. A 429 proves
//!    the model wrong (the bucket is shared, or shrank): the evidence is dropped and the
//!    rate learned again.
//! 3. **When the model says empty, wait for the first of:** the next token at the learned
//!    rate; the server's promise (`Retry-After`, else `x-ratelimit-reset`, for the first
//!    send after that answer); or, while no rate is known, a probe 100 ms after the last
//!    answer (one at a time). A probe that meets a 429 means the bucket refills slowly:
//!    from then on the pacer waits for the server's promises (backing off with `backon`
//!    when there are none) until a rate is proven. Before the very first answer, one call
//!    goes alone and the others wait for its answer (at most 1 s), so a cold client does not
//!    empty a small bucket with a burst of 429s.
//! 4. **Calls are served in arrival order.** Waiting calls stand in one line; only the
//!    front one watches the clock and the model, and when it goes the next one looks at
//!    once. A call that got a 429 waits the server-named wait
//!    (`throttled_delay`: `Retry-After`, else
//!    `x-ratelimit-reset`, never capped; without either, exponential backoff with jitter)
//!    and then goes back to the *front* of the line, ahead of calls that came after it.
//!    No call waits longer than it may (`acquire(max_wait)`): when its place is further
//!    away than that, it is told so at once without waiting; if the model turns more
//!    pessimistic while it waits, it is sent when its time is up and the server decides.
//!    A dropped (cancelled) call leaves the line.
//!
//! With `N` calls waiting on a bucket that refills `r` tokens per second, each call waits
//! for the `N − 1` before it and its own token: its **fair share** is `N / r`.
//!
//! # Calling order (one attempt)
//!
//! `acquire(max_wait).await` → send → `RateLimit::from_headers(headers, pacer.unix_now())`
//! → `observe(&rl, status)` for **every** answer (`unanswered()` for a transport error) →
//! on a 429 `sleep(throttled_delay(&rl, attempt))` and try again from `acquire`.
//!
//! # A shared bucket (issue 14)
//!
//! The model (`pacer::Bucket`) is a plain struct driven by explicit instants:
//! `reserve(now)` takes a token or names the instant to ask again, `observe(now, …)`
//! learns from an answer, `unanswered(now)` forgets a request. A backend shared by several
//! processes (Redis) can keep the same state and run the same transitions atomically; the
//! line of waiting calls stays in each process.

mod headers;
pub(crate) mod pacer;
#[cfg(test)]
mod simulation;

pub use headers::{QuotaBucket, QuotaPeriod, RateLimit};
pub(crate) use pacer::{Pacer, PacerWait};
pub use pacer::{PacerConfig, PacerStats};
