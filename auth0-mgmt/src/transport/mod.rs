//! Where a request goes, in one place.
//!
//! Every HTTP request of the client — Management API calls and token minting alike —
//! leaves through [`Transport::send`]. The path of one API call:
//!
//! ```text
//! Client::execute (client/mod.rs) interceptors begin → token() → expiry check → check_scopes
//!   │                                → before_send (once, right before the first send)
//!   └─ Transport::send (here)      loop, one turn per attempt:
//!        1. pacer.acquire(what is left of the budget)     ← pacer wait, charged to the budget
//!        2. attempt: send (no redirect can carry the bearer or the secret, see below)
//!              → RateLimit::from_headers → pacer.observe (or pacer.unanswered)
//!              → a redirect is refused → the body is read within the limit
//!        3. retry::classify(idempotent, outcome)          ← Final | RateLimited | Transient
//!        4. retry::next_wait(class, named wait, budget)   ← Retry(d) | GiveUp(…), pure
//!        5. Retry: sleep(d), charge d to the budget, go to 1.
//!           GiveUp: the final answer (the caller maps an error status), or an Error
//!   ← Client::execute: a 401 re-mints once (check_scopes again) and sends again on the
//!     same budget (waits and attempts go on adding up), error statuses become
//!     Error::Api, a success body goes through filter_response and is decoded; finish.
//! ```
//!
//! Token minting (`token.rs`) makes the same [`Call`] for `POST /oauth/token`, without a
//! pacer (the endpoint has its own quota) and retried like an idempotent call (minting
//! twice is harmless).
//!
//! **Budget.** One [`Budget`] per call: the pacer's wait, the server-named waits after a
//! 429 and the backoff after a 5xx or a transport failure all count against
//! [`RetryConfig::max_total_wait`](crate::RetryConfig::max_total_wait); a wait that does
//! not fit ends the call with [`Error::WaitTooLong`] naming it.
//!
//! **Bodies** are read within [`ClientBuilder::max_response_body`](crate::ClientBuilder::max_response_body)
//! while they stream (`Content-Length` is checked first, but not trusted); a larger
//! success body is [`Error::BodyTooLarge`]. Error bodies keep their first 64 KiB.
//!
//! **Secrets.** Text from a failing answer is scrubbed of the call's bearer token or
//! client secret (and anything JWT-shaped) before an error stores it ([`scrub`]).
//!
//! **Redirects.** The SDK's own HTTP client never follows one, and a 3xx answer is
//! [`Error::Redirect`]. A caller-supplied `reqwest::Client`
//! ([`ClientBuilder::http_client`](crate::ClientBuilder::http_client)) may follow
//! redirects before the SDK sees the answer, so every request body is sent as a
//! one-shot body that reqwest cannot replay (a 307/308 is then handed back, never
//! re-sent; 301/302/303 turn a POST into a body-less GET), reqwest drops the
//! `Authorization` header on any cross-origin hop, and an answer that arrived from
//! another URL than the one requested is refused with [`Error::Redirect`].

mod body;
mod http;
pub(crate) mod scrub;

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

pub use self::http::TLS_BACKEND;
pub(crate) use self::http::{DEFAULT_CONNECT_TIMEOUT, HttpOptions, ensure_crypto_provider};
use self::scrub::Scrub;
use crate::error::{ApiError, Error, Result, TokenError};
use crate::ratelimit::{PacerWait, RateLimit, RateLimiter};
use crate::retry::{Attempt, Budget, Classification, GiveUp, Next, RetryConfig, WaitFor, classify, next_wait};
use crate::token::AccessToken;

/// The default limit of a success body: Management API pages of 100 items are far
/// smaller.
pub(crate) const DEFAULT_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// Which endpoint a call goes to: it decides how a failing answer reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// The Management API: errors are [`ApiError`]s.
    Api,
    /// The token endpoint: errors are OAuth [`TokenError`]s.
    Token,
}

/// One call, as the transport sends it (every attempt alike).
pub(crate) struct Call<'a> {
    pub(crate) operation: &'static str,
    pub(crate) endpoint: Endpoint,
    pub(crate) method: Method,
    pub(crate) url: &'a Url,
    /// A JSON body.
    pub(crate) body: Option<Bytes>,
    /// The bearer token (API calls).
    pub(crate) bearer: Option<&'a AccessToken>,
    /// A secret inside the body (the token request's client secret), for scrubbing.
    pub(crate) body_secret: Option<&'a str>,
    /// GET and DELETE (and the token endpoint): retried after 5xx and timeouts.
    pub(crate) idempotent: bool,
    /// The client's pacer (API calls).
    pub(crate) pacer: Option<&'a dyn RateLimiter>,
}

/// A final answer from the server: a success, or an error status the caller maps.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    /// Not scrubbed yet: an error body may echo the bearer or the client secret.
    pub(crate) body: Bytes,
    /// The body was cut at the error-body limit.
    pub(crate) cut: bool,
    pub(crate) rate_limit: RateLimit,
    pub(crate) attempts: u32,
}

/// Without the body, which may echo a secret.
impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .field("cut", &self.cut)
            .field("rate_limit", &self.rate_limit)
            .field("attempts", &self.attempts)
            .finish()
    }
}

/// What one attempt produced besides an answer.
enum Failed {
    /// No (complete) answer: the request may or may not have reached the server.
    Transport(reqwest::Error),
    /// An answer that ends the call whatever the retry rules say.
    Fatal(Error),
}

/// The HTTP side: one `reqwest::Client` (one connection pool) for API and token calls,
/// fixed headers, the attempt loop.
pub(crate) struct Transport {
    http: reqwest::Client,
    headers: HeaderMap,
    retry: RetryConfig,
    timeout: Option<Duration>,
    /// Known only for the SDK's own HTTP client.
    connect_timeout: Option<Duration>,
    body_limit: usize,
    /// The client secret, scrubbed from every error of every call (a hostile host that
    /// received it at its token endpoint may quote it in an API error).
    client_secret: Option<SecretString>,
}

impl Transport {
    pub(crate) fn new(
        http: reqwest::Client,
        headers: HeaderMap,
        retry: RetryConfig,
        timeout: Option<Duration>,
        connect_timeout: Option<Duration>,
        body_limit: usize,
        client_secret: Option<SecretString>,
    ) -> Transport {
        Transport { http, headers, retry, timeout, connect_timeout, body_limit, client_secret }
    }

    /// The scrubber for text from `call`'s answers: its bearer token, the secret in its
    /// body, the client secret, and anything JWT-shaped.
    pub(crate) fn scrub(&self, call: &Call<'_>) -> Scrub {
        let client_secret = self.client_secret.as_ref().map(ExposeSecret::expose_secret);
        Scrub::new(call.bearer.map(AccessToken::expose_secret).into_iter().chain(call.body_secret).chain(client_secret))
    }

    /// A fresh budget for one call ([`RetryConfig::max_total_wait`](crate::RetryConfig::max_total_wait)
    /// and the retry limits of this transport).
    pub(crate) fn budget(&self) -> Budget {
        Budget::new(&self.retry)
    }

    /// A fresh budget of at most `max`.
    pub(crate) fn budget_within(&self, max: Duration) -> Budget {
        Budget::within(&self.retry, max)
    }

    /// The error of a call that could not get what it waited for within `max_wait`.
    pub(crate) fn waited_too_long(
        &self,
        operation: &'static str,
        waiting_for: WaitFor,
        wait: Duration,
        last: Option<Error>,
    ) -> Error {
        Error::WaitTooLong {
            operation,
            waiting_for,
            wait,
            max_wait: self.retry.max_total_wait,
            source: last.map(Box::new),
        }
    }

    /// Sends `call` until it has a final answer: `Ok` with a success or a final error
    /// status (the caller maps it: a 401 may mean "re-mint"), `Err` when no answer can
    /// be had (transport failure, a wait beyond the budget, a refused answer).
    ///
    /// Every wait and attempt is charged to `budget`, which the caller keeps for the
    /// whole call: the re-send after a 401 continues the same budget, it does not start
    /// a new one.
    pub(crate) async fn send(&self, call: &Call<'_>, budget: &mut Budget) -> Result<Answer> {
        let auth = match call.bearer {
            Some(token) => {
                let mut v = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret())).map_err(|_| {
                    Error::Config("the access token contains characters not allowed in a header".into())
                })?;
                v.set_sensitive(true);
                Some(v)
            }
            None => None,
        };
        let mut backoff = self.retry.backoff_iter();
        let mut last: Option<Error> = None;
        loop {
            if let Some(pacer) = call.pacer {
                match pacer.acquire(budget.remaining()).await {
                    Ok(waited) => budget.charge(waited),
                    Err(PacerWait { needed }) => {
                        return Err(self.waited_too_long(call.operation, WaitFor::Pacer, needed, last));
                    }
                }
            }
            budget.attempts = budget.attempts.saturating_add(1);
            let attempts = budget.attempts;
            let outcome = self.attempt(call, auth.as_ref(), attempts).await;
            let (class, named) = match &outcome {
                Ok(answer) => {
                    let class = classify(call.idempotent, Attempt::Status(answer.status));
                    let named = match (class, call.pacer) {
                        (Classification::RateLimited, Some(p)) => {
                            Some(p.throttled_delay(&answer.rate_limit, budget.rate_limit_retries))
                        }
                        (Classification::RateLimited, None) => answer.rate_limit.server_wait(SystemTime::now()),
                        _ => None,
                    };
                    (class, named)
                }
                Err(Failed::Transport(e)) => (classify(call.idempotent, Attempt::from_error(e)), None),
                Err(Failed::Fatal(_)) => (Classification::Final, None),
            };
            let next = next_wait(class, named, budget, || backoff.next().unwrap_or(self.retry.max_backoff));
            match next {
                Next::Retry(wait) => {
                    let error = self.outcome_error(call, attempts, outcome);
                    tracing::debug!(
                        attempt = attempts,
                        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        reason = %error,
                        "retrying"
                    );
                    tokio::time::sleep(wait).await;
                    budget.charge(wait);
                    budget.count_retry(class);
                    last = Some(error);
                }
                Next::GiveUp(GiveUp::Final) => {
                    return match outcome {
                        Ok(answer) => Ok(answer),
                        Err(failed) => Err(self.failed_error(call, attempts, failed)),
                    };
                }
                Next::GiveUp(GiveUp::WaitTooLong { waiting_for, wait }) => {
                    let error = self.outcome_error(call, attempts, outcome);
                    return Err(self.waited_too_long(call.operation, waiting_for, wait, Some(error)));
                }
            }
        }
    }

    /// One attempt: send, observe, refuse redirects, read the body within its limit.
    async fn attempt(
        &self,
        call: &Call<'_>,
        auth: Option<&HeaderValue>,
        attempts: u32,
    ) -> std::result::Result<Answer, Failed> {
        let mut rb = self.http.request(call.method.clone(), call.url.clone()).headers(self.headers.clone());
        if let Some(auth) = auth {
            rb = rb.header(AUTHORIZATION, auth.clone());
        }
        if let Some(body) = &call.body {
            // A one-shot body: reqwest can never re-send it on a redirect.
            let body = reqwest::Body::wrap(http_body_util::Full::new(body.clone()));
            rb = rb.header(CONTENT_TYPE, "application/json").body(body);
        }
        if let Some(t) = self.timeout {
            rb = rb.timeout(t);
        }
        // No answer — a transport error, or this future dropped while the request is out
        // (the caller's timeout, a cancelled task) — and the pacer hears `unanswered`.
        let mut in_flight = InFlight(call.pacer);
        let mut resp = rb.send().await.map_err(Failed::Transport)?;
        let status = resp.status();
        let now = call.pacer.map_or_else(SystemTime::now, |p| p.unix_now());
        let rate_limit = RateLimit::from_headers(resp.headers(), now);
        if let Some(p) = in_flight.0.take() {
            p.observe(&rate_limit, status.as_u16());
        }
        if !same_resource(resp.url(), call.url) {
            return Err(Failed::Fatal(Error::Redirect {
                operation: call.operation,
                status,
                location: Some(self.scrub(call).text(&without_query(resp.url())).into_owned()),
                followed: true,
            }));
        }
        if status.is_redirection() {
            let location = resp
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|l| call.url.join(l).ok())
                .map(|u| self.scrub(call).text(&without_query(&u)).into_owned());
            return Err(Failed::Fatal(Error::Redirect {
                operation: call.operation,
                status,
                location,
                followed: false,
            }));
        }
        let body = if status.is_success() {
            match body::read_all(&mut resp, self.body_limit).await {
                Ok(b) => b,
                Err(body::BodyError::Read(e)) => return Err(Failed::Transport(e)),
                Err(body::BodyError::TooLarge { content_length }) => {
                    return Err(Failed::Fatal(Error::BodyTooLarge {
                        operation: call.operation,
                        status,
                        limit: self.body_limit,
                        content_length,
                    }));
                }
            }
        } else {
            body::read_prefix(&mut resp, self.body_limit.min(body::ERROR_BODY_LIMIT)).await
        };
        Ok(Answer { status, body: body.bytes, cut: body.cut, rate_limit, attempts })
    }

    /// The error a failing answer stands for (`Error::Api` or `Error::Token`), scrubbed.
    pub(crate) fn error_for(&self, call: &Call<'_>, answer: &Answer) -> Error {
        let scrub = self.scrub(call);
        match call.endpoint {
            Endpoint::Api => Error::Api(Box::new(ApiError::from_body(
                call.operation,
                answer.status,
                &answer.body,
                answer.cut,
                answer.rate_limit.clone(),
                answer.attempts,
                &scrub,
            ))),
            Endpoint::Token => Error::Token(Box::new(TokenError::from_body(
                answer.status,
                &answer.body,
                answer.cut,
                answer.rate_limit.clone(),
                &scrub,
            ))),
        }
    }

    fn outcome_error(&self, call: &Call<'_>, attempts: u32, outcome: std::result::Result<Answer, Failed>) -> Error {
        match outcome {
            Ok(answer) => self.error_for(call, &answer),
            Err(failed) => self.failed_error(call, attempts, failed),
        }
    }

    fn failed_error(&self, call: &Call<'_>, attempts: u32, failed: Failed) -> Error {
        match failed {
            Failed::Fatal(e) => e,
            Failed::Transport(source) => {
                let timeout = if !source.is_timeout() {
                    None
                } else if source.is_connect() {
                    self.connect_timeout
                } else {
                    self.timeout
                };
                // Query strings can hold user data (emails in `q`): errors keep no URL.
                Error::Transport { operation: call.operation, attempts, timeout, source: source.without_url() }
            }
        }
    }
}

/// A paced request on its way: dropped before its answer was observed, it tells the
/// pacer that none will come (so that the pacer does not count it as in flight).
struct InFlight<'a>(Option<&'a dyn RateLimiter>);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some(pacer) = self.0.take() {
            pacer.unanswered();
        }
    }
}

/// Same scheme, host, port and path (the query may be normalized by the HTTP client).
fn same_resource(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
        && a.path() == b.path()
}

/// A URL for an error message: no query, no fragment, no credentials.
fn without_query(u: &Url) -> String {
    let mut u = u.clone();
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.to_string()
}
