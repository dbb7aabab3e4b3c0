//! The client and the call flow every request runs.
//!
//! [`Client::execute`] runs one call: the interceptors' hooks (`begin`, `check_scopes`,
//! `before_send`, `filter_response`, `finish`; driven by [`hooks`]), the token (with its
//! expiry checked and a single re-mint after a 401), then hands the HTTP side to the
//! transport (`src/transport/mod.rs`: pacing, attempts, retries, waits, bounded bodies,
//! secrets scrubbed from errors), and decodes the answer. The module docs of the
//! transport draw the whole path of a request in one picture. The builder, with the
//! validation of every setting, is in [`builder`].

mod builder;
mod hooks;

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::Instrument as _;
use url::Url;

pub use self::builder::ClientBuilder;
use self::hooks::Hooks;
use crate::error::{DecodeError, Error, Result};
use crate::ratelimit::{PacerStats, RateLimit, RateLimiter};
use crate::request::{Interceptor, Outcome, Request};
use crate::retry::{Budget, RetryConfig, WaitFor};
use crate::token::{AccessToken, CLOCK_SKEW_LEEWAY, Scopes, TokenSource};
use crate::transport::{Answer, Call, Endpoint, Transport};

/// The Auth0 Management API client.
///
/// Cheap to clone (an `Arc` inside), `Send + Sync`; clones share the token cache, the
/// connection pool and the pacer. Its `Debug` output never contains a secret.
///
/// ```no_run
/// use auth0_mgmt::{Client, UserId};
/// use futures::TryStreamExt;
///
/// # async fn run() -> auth0_mgmt::Result<()> {
/// let client = Client::builder()
///     .domain("acme.eu.auth0.com")
///     .client_credentials("CLIENT_ID", "CLIENT_SECRET")
///     .build()?;
/// let user = client.users().get(&"auth0|123".parse::<UserId>()?).await?;
/// let mut users = client.users().list().q(r#"email:"*@acme.com""#).per_page(100).stream();
/// while let Some(user) = users.try_next().await? {
///     println!("{}", user.user_id);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    interceptors: Arc<[Arc<dyn Interceptor>]>,
}

struct Inner {
    domain: String,
    base: String,
    audience: String,
    transport: Arc<Transport>,
    retry: RetryConfig,
    tokens: Arc<dyn TokenSource>,
    pacer: Arc<dyn RateLimiter>,
    offset_limit: Option<u64>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("domain", &self.inner.domain)
            .field("base_url", &self.inner.base)
            .field("audience", &self.inner.audience)
            .field("tokens", &self.inner.tokens)
            .field("retry", &self.inner.retry)
            .field("interceptors", &self.interceptors.len())
            .finish()
    }
}

/// A decoded success response with its metadata.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Response<T> {
    /// The decoded body.
    pub value: T,
    /// The HTTP status.
    pub status: StatusCode,
    /// The response's rate-limit headers.
    pub rate_limit: RateLimit,
    /// Attempts made.
    pub attempts: u32,
}

impl Client {
    /// Starts building a client.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use auth0_mgmt::{Client, RetryConfig};
    ///
    /// # fn run() -> auth0_mgmt::Result<()> {
    /// let client = Client::builder()
    ///     .domain("acme.eu.auth0.com")
    ///     .client_credentials("CLIENT_ID", "CLIENT_SECRET")
    ///     .timeout(Some(Duration::from_secs(20)))
    ///     .retry(RetryConfig::default().max_total_wait(Duration::from_secs(60)))
    ///     .ca_file("/etc/ssl/corp-ca.pem")
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client for the tenant named by the environment: `AUTH0_DOMAIN`,
    /// `AUTH0_CLIENT_ID`, `AUTH0_CLIENT_SECRET` (a machine-to-machine application) and
    /// the optional `AUTH0_AUDIENCE`. A missing or empty variable is an
    /// [`Error::Config`] naming it. Use [`ClientBuilder::from_env`] to change other
    /// settings before building.
    ///
    /// ```no_run
    /// # fn run() -> auth0_mgmt::Result<()> {
    /// let client = auth0_mgmt::Client::from_env()?;
    /// # Ok(()) }
    /// ```
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env()?.build()
    }

    /// The tenant domain.
    pub fn domain(&self) -> &str {
        &self.inner.domain
    }

    /// The origin requests go to (`https://{domain}` unless overridden).
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// The scopes of the current access token (minting one if needed).
    pub async fn granted_scopes(&self) -> Result<Scopes> {
        Ok(self.inner.tokens.token().await?.scopes().clone())
    }

    /// Counters of the shared pacer: requests, waits, 429s, and the learned bucket.
    pub fn rate_limit_stats(&self) -> PacerStats {
        self.inner.pacer.stats()
    }

    /// Offset-paging limit of this client (see [`ClientBuilder::offset_paging_limit`]).
    pub(crate) fn offset_limit(&self) -> Option<u64> {
        self.inner.offset_limit
    }

    /// A client that runs `interceptor` on every call, after the interceptors this
    /// client already has. Interceptors cannot be removed: a handle that went through a
    /// policy never leads back to an unguarded client.
    pub fn with_interceptor(&self, interceptor: Arc<dyn Interceptor>) -> Client {
        let mut list: Vec<_> = self.interceptors.iter().cloned().collect();
        list.push(interceptor);
        Client { inner: self.inner.clone(), interceptors: Arc::from(list) }
    }

    /// Sends `request` through the one request path and decodes the JSON body into `T`.
    /// Use `T = ()` for endpoints without a meaningful body (204, 202, `{}`).
    pub async fn execute<T: DeserializeOwned + 'static>(&self, request: Request) -> Result<T> {
        Ok(self.execute_with_metadata(request).await?.value)
    }

    /// Like [`execute`](Self::execute), also returning status, rate-limit state and attempts.
    pub async fn execute_with_metadata<T: DeserializeOwned + 'static>(&self, request: Request) -> Result<Response<T>> {
        let op = request.operation();
        let span = tracing::info_span!(
            "auth0_mgmt.request",
            otel.name = op.id,
            operation = op.id,
            method = op.method.as_str(),
            path = op.path,
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
        );
        async move {
            let started = Instant::now();
            let mut hooks = Hooks::new(&request, started);
            let result = match hooks.begin(&self.interceptors).await {
                Ok(()) => {
                    let result = self.run::<T>(&request, &mut hooks).await;
                    let elapsed = started.elapsed();
                    match &result {
                        Ok(resp) => hooks.finish(&Outcome::Completed {
                            status: resp.status,
                            rate_limit: &resp.rate_limit,
                            attempts: resp.attempts,
                            elapsed,
                        }),
                        Err(Error::Denied(d)) => hooks.finish(&Outcome::Denied(d)),
                        Err(error) => hooks.finish(&Outcome::Failed { error, elapsed }),
                    }
                    result
                }
                Err(denial) => Err(Error::Denied(Box::new(denial))),
            };
            match &result {
                Ok(resp) => {
                    tracing::Span::current().record("status", resp.status.as_u16());
                    tracing::Span::current().record("attempts", resp.attempts);
                }
                Err(Error::Denied(d)) => tracing::debug!(code = %d.code, "denied before sending"),
                Err(error) => {
                    if let Some(s) = error.status() {
                        tracing::Span::current().record("status", s.as_u16());
                    }
                    tracing::debug!(%error, "request failed");
                }
            }
            result
        }
        .instrument(span)
        .await
    }

    /// The call flow between `begin` and `finish`: token, checks, send (the transport),
    /// one re-mint after a 401, error mapping, filter and decode.
    async fn run<T: DeserializeOwned + 'static>(
        &self,
        request: &Request,
        hooks: &mut Hooks<'_>,
    ) -> Result<Response<T>> {
        request.check_shape()?;
        let op = request.operation();
        let url = self.url(request)?;
        let body = match request.body() {
            Some(v) => {
                Some(Bytes::from(serde_json::to_vec(v).map_err(|source| Error::Encode { operation: op.id, source })?))
            }
            None => None,
        };
        // One budget for the whole call: getting its token, every send, and the re-mint
        // and re-send after a 401 all count against it.
        let mut budget = self.inner.transport.budget();
        let mut token = self.token_for(request, hooks, &mut budget).await?;
        hooks.before_send().await?;
        let mut reminted = false;
        loop {
            let call = Call {
                operation: op.id,
                endpoint: Endpoint::Api,
                method: op.method.to_reqwest(),
                url: &url,
                body: body.clone(),
                bearer: Some(&token),
                body_secret: None,
                idempotent: op.idempotent(),
                pacer: Some(&*self.inner.pacer),
            };
            let answer = self.inner.transport.send(&call, &mut budget).await?;
            if answer.status.is_success() {
                return self.decode(request, hooks, &call, answer);
            }
            if answer.status == StatusCode::UNAUTHORIZED && !reminted {
                // The token was rejected: drop it, get a fresh one, retry once — unless the
                // source hands out the same token again (a static token).
                self.inner.tokens.invalidate(&token);
                let fresh = self.token_for(request, hooks, &mut budget).await?;
                reminted = true;
                if !fresh.same_token(&token) {
                    tracing::debug!("401 from the API; retrying once with a fresh token");
                    token = fresh;
                    continue;
                }
            }
            return Err(self.inner.transport.error_for(&call, &answer));
        }
    }

    /// A token for this call: not expired (beyond the clock-skew leeway), with its
    /// scopes checked by every interceptor. The time it takes (a mint, or waiting for
    /// another task's) counts against the call's budget: the source is asked to keep
    /// within what is left, and a call whose token came later than that stops with
    /// [`Error::WaitTooLong`].
    async fn token_for(&self, request: &Request, hooks: &mut Hooks<'_>, budget: &mut Budget) -> Result<AccessToken> {
        let (started, max_wait) = (Instant::now(), budget.remaining());
        // No timer around the source: under a paused test clock it would fire while a
        // mint waits for its answer. Every source's waits are bounded; they are counted.
        let token = self.inner.tokens.token_within(max_wait).await;
        let waited = started.elapsed();
        budget.charge(waited);
        let token = token?;
        if waited > max_wait {
            let op = request.operation().id;
            return Err(self.inner.transport.waited_too_long(op, WaitFor::Token, waited, None));
        }
        if let Some(ago) = token.expired_for().filter(|ago| *ago > CLOCK_SKEW_LEEWAY) {
            let expired_at = std::time::SystemTime::now()
                .checked_sub(ago)
                .filter(|t| *t >= std::time::UNIX_EPOCH)
                .unwrap_or(std::time::UNIX_EPOCH);
            return Err(Error::TokenExpired { operation: request.operation().id, expired_at, ago });
        }
        hooks.check_scopes(token.scopes())?;
        Ok(token)
    }

    fn url(&self, request: &Request) -> Result<Url> {
        let mut url = format!("{}{}", self.inner.base, request.path());
        let mut pairs = request.query_pairs().peekable();
        if pairs.peek().is_some() {
            url.push('?');
            let mut ser = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in pairs {
                ser.append_pair(k, v);
            }
            url.push_str(&ser.finish());
        }
        Url::parse(&url)
            .map_err(|e| Error::Config(format!("{}: could not build the request URL: {e}", request.operation().id)))
    }

    fn decode<T: DeserializeOwned + 'static>(
        &self,
        request: &Request,
        hooks: &mut Hooks<'_>,
        call: &Call<'_>,
        answer: Answer,
    ) -> Result<Response<T>> {
        let op = request.operation();
        let Answer { status, body, rate_limit, attempts, .. } = answer;
        // `T = ()`: the body is ignored (204, 202, `{}`, `{"deleted_at": ..}` alike).
        if let Ok(unit) = (Box::new(()) as Box<dyn std::any::Any>).downcast::<T>() {
            return Ok(Response { value: *unit, status, rate_limit, attempts });
        }
        let body = hooks.filter_response(body);
        let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) { b"null" } else { &body };
        // Decoding is tried with plain serde_json first: tracking the path costs about
        // twice the decode (docs/BENCHMARKS.md, W2). Only a failure is decoded again with
        // `serde_path_to_error`, the same input giving the same error, now with its path.
        let value = match crate::models::from_json::<T>(body) {
            Ok(v) => v,
            Err(_) => {
                let mut de = serde_json::Deserializer::from_slice(body);
                serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
                    // serde's messages quote the input (`invalid type: string "…"`).
                    let scrub = self.inner.transport.scrub(call);
                    Error::Decode(Box::new(DecodeError {
                        operation: op.id,
                        status,
                        path: scrub.text(&e.path().to_string()).into_owned(),
                        message: scrub.text(&e.into_inner().to_string()).into_owned(),
                    }))
                })?
            }
        };
        Ok(Response { value, status, rate_limit, attempts })
    }
}
