//! The client, and the one path every request takes.
//!
//! [`Client::execute`] is where a request goes: interceptors decide (`before`), a token
//! is fetched (minted once, cached, refreshed ahead of expiry), interceptors check its
//! scopes, the shared pacer spaces the send, the response is classified (retry after a
//! 429 for every method; after a 5xx, timeout or dropped connection only for GET and
//! DELETE), a 401 drops the token and retries once with a fresh one, errors are mapped
//! to [`Error`], the body is decoded, and interceptors hear how it ended (`after`). All
//! of it runs inside a `tracing` span named after the operation id.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, USER_AGENT};
use secrecy::SecretString;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::Instrument as _;

use crate::catalog::{OAUTH_TOKEN, Operation};
use crate::error::{ApiError, DecodeError, Denial, Error, Result};
use crate::ratelimit::{Pacer, PacerConfig, PacerStats, PacerWait, RateLimit};
use crate::request::{CallHook, Interceptor, Outcome, Request};
use crate::retry::{Attempt, Decision, RetryConfig, classify};
use crate::token::{AccessToken, ClientCredentials, Scopes, StaticToken, TokenSource};

const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(300);
const DEFAULT_OFFSET_LIMIT: u64 = 1000;
/// Bodies larger than this are refused instead of buffered.
const MAX_BODY: usize = 64 * 1024 * 1024;

/// How the client authenticates.
enum Credentials {
    ClientCredentials { id: String, secret: SecretString },
    Source(Arc<dyn TokenSource>),
}

/// Builds a [`Client`]. See [`Client::builder`].
#[must_use]
pub struct ClientBuilder {
    domain: Option<String>,
    credentials: Option<Credentials>,
    audience: Option<String>,
    base_url: Option<String>,
    connect_timeout: Duration,
    timeout: Option<Duration>,
    http: Option<reqwest::Client>,
    telemetry: bool,
    retry: RetryConfig,
    pacer: PacerConfig,
    refresh_margin: Duration,
    offset_limit: Option<u64>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let creds = match &self.credentials {
            None => "none".to_owned(),
            Some(Credentials::ClientCredentials { id, .. }) => {
                format!("client_credentials({id}, [REDACTED])")
            }
            Some(Credentials::Source(s)) => format!("{s:?}"),
        };
        f.debug_struct("ClientBuilder")
            .field("domain", &self.domain)
            .field("credentials", &creds)
            .field("audience", &self.audience)
            .field("base_url", &self.base_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("telemetry", &self.telemetry)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            domain: None,
            credentials: None,
            audience: None,
            base_url: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: Some(DEFAULT_TIMEOUT),
            http: None,
            telemetry: true,
            retry: RetryConfig::default(),
            pacer: PacerConfig::default(),
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            offset_limit: Some(DEFAULT_OFFSET_LIMIT),
        }
    }
}

impl ClientBuilder {
    /// The tenant domain: a host and optional port, nothing else
    /// (`acme.eu.auth0.com`, `login.acme.com`).
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// Authenticate with the client-credentials grant (a machine-to-machine
    /// application authorized for the Management API).
    pub fn client_credentials(mut self, client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::ClientCredentials {
            id: client_id.into(),
            secret: SecretString::from(client_secret.into()),
        });
        self
    }

    /// Use a fixed access token (never refreshed).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::Source(Arc::new(StaticToken::new(token))));
        self
    }

    /// Use a custom [`TokenSource`], e.g. a cache shared between processes.
    pub fn token_source(mut self, source: Arc<dyn TokenSource>) -> Self {
        self.credentials = Some(Credentials::Source(source));
        self
    }

    /// The token audience; defaults to `https://{domain}/api/v2/`.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Send requests to this origin instead of `https://{domain}` (tests, proxies).
    /// This is the only way to use plain `http`. When no domain is set, the domain is
    /// taken from this URL's host.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Connect timeout (default 10 s). Ignored with a caller-supplied [`http_client`](Self::http_client).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Per-attempt request timeout (default 30 s); `None` disables it.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Use this `reqwest::Client` (proxies, TLS roots, …) for the API and token calls.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Send the `Auth0-Client` telemetry header (default true).
    pub fn telemetry(mut self, enabled: bool) -> Self {
        self.telemetry = enabled;
        self
    }

    /// Retry settings.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Pacer settings (pacing is on by default).
    pub fn pacer(mut self, config: PacerConfig) -> Self {
        self.pacer = config;
        self
    }

    /// Refresh a minted token this long before it expires (default 5 minutes).
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// How far offset paging may go before streams stop with
    /// [`Error::PagingLimit`] (default 1000, Auth0's limit); `None` never stops.
    pub fn offset_paging_limit(mut self, limit: Option<u64>) -> Self {
        self.offset_limit = limit;
        self
    }

    /// Validates the settings and builds the client.
    pub fn build(self) -> Result<Client> {
        let base = match &self.base_url {
            Some(url) => parse_base_url(url)?,
            None => {
                let d = self
                    .domain
                    .as_deref()
                    .ok_or_else(|| Error::Config("a domain (or a base URL) is required".into()))?;
                validate_domain(d)?;
                format!("https://{d}")
            }
        };
        let domain = match &self.domain {
            Some(d) => {
                validate_domain(d)?;
                d.clone()
            }
            None => base
                .split_once("://")
                .map(|(_, rest)| rest.split('/').next().unwrap_or(rest).to_owned())
                .unwrap_or_default(),
        };
        let http = match self.http {
            Some(c) => c,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .pool_idle_timeout(Duration::from_secs(60))
                .build()
                .map_err(|e| Error::Config(format!("could not build the HTTP client: {e}")))?,
        };
        let mut headers = HeaderMap::new();
        headers.insert(USER_AGENT, HeaderValue::from_static(concat!("auth0-mgmt-rust/", env!("CARGO_PKG_VERSION"))));
        if self.telemetry {
            let json = serde_json::json!({
                "name": "auth0-mgmt-rust",
                "version": env!("CARGO_PKG_VERSION"),
                "env": { "rust": env!("CARGO_PKG_RUST_VERSION") },
            });
            let value = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json.to_string());
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.insert("auth0-client", v);
            }
        }
        let transport = Arc::new(Transport { http, headers, retry: self.retry.clone(), timeout: self.timeout });
        let audience = self.audience.unwrap_or_else(|| format!("https://{domain}/api/v2/"));
        let tokens: Arc<dyn TokenSource> = match self.credentials {
            None => {
                return Err(Error::Config(
                    "credentials are required: client_credentials, token or token_source".into(),
                ));
            }
            Some(Credentials::Source(s)) => s,
            Some(Credentials::ClientCredentials { id, secret }) => {
                if id.is_empty() {
                    return Err(Error::Config("the client id is empty".into()));
                }
                Arc::new(ClientCredentials::new(
                    transport.clone(),
                    format!("{base}/oauth/token"),
                    id,
                    secret,
                    audience.clone(),
                    self.refresh_margin,
                ))
            }
        };
        Ok(Client {
            inner: Arc::new(Inner {
                domain,
                base,
                audience,
                transport,
                tokens,
                pacer: Pacer::new(self.pacer),
                offset_limit: self.offset_limit,
            }),
            interceptors: Arc::from(Vec::new()),
        })
    }
}

/// A host with an optional port, nothing else.
fn validate_domain(d: &str) -> Result<()> {
    let bad = || {
        Error::Config(format!("invalid domain {d:?}: expected a host with an optional port, like acme.eu.auth0.com"))
    };
    if d.is_empty() || d.len() > 253 + 6 {
        return Err(bad());
    }
    let (host, port) = match d.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (d, None),
    };
    if let Some(p) = port {
        if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) || p.parse::<u16>().is_err() {
            return Err(bad());
        }
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if host.split('.').all(label_ok) { Ok(()) } else { Err(bad()) }
}

/// `scheme://host[:port][/prefix]`, without query, fragment or credentials.
fn parse_base_url(raw: &str) -> Result<String> {
    let url = url::Url::parse(raw).map_err(|e| Error::Config(format!("invalid base URL {raw:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none()
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(Error::Config(format!("invalid base URL {raw:?}: expected http(s)://host[:port][/path]")));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

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
    tokens: Arc<dyn TokenSource>,
    pacer: Pacer,
    offset_limit: Option<u64>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("domain", &self.inner.domain)
            .field("base_url", &self.inner.base)
            .field("audience", &self.inner.audience)
            .field("tokens", &self.inner.tokens)
            .field("retry", &self.inner.transport.retry)
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

/// A raw success body before decoding.
struct RawResponse {
    status: StatusCode,
    body: Bytes,
    rate_limit: RateLimit,
    attempts: u32,
}

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
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
            let result = match Hooks::begin(&self.interceptors, &request) {
                Ok(mut hooks) => {
                    let result = match self.run(&request, &mut hooks).await {
                        Ok(raw) => self.decode::<T>(&request, &mut hooks, raw),
                        Err(e) => Err(e),
                    };
                    let elapsed = started.elapsed();
                    match &result {
                        Ok(resp) => hooks.finish(
                            &request,
                            &Outcome::Completed {
                                status: resp.status,
                                rate_limit: &resp.rate_limit,
                                attempts: resp.attempts,
                                elapsed,
                            },
                        ),
                        Err(Error::Denied(d)) => hooks.finish(&request, &Outcome::Denied(d)),
                        Err(error) => hooks.finish(&request, &Outcome::Failed { error, elapsed }),
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

    /// Everything up to a success body: authenticate, check, pace, send, retry.
    async fn run(&self, request: &Request, hooks: &mut Hooks) -> Result<RawResponse> {
        request.check_shape()?;
        let op = request.operation();
        let url = self.url(request);
        let body = match request.body() {
            Some(v) => {
                Some(Bytes::from(serde_json::to_vec(v).map_err(|source| Error::Encode { operation: op.id, source })?))
            }
            None => None,
        };
        let mut token = self.token_for(request, hooks).await?;
        hooks.before_send(request)?;
        let mut reminted = false;
        loop {
            let raw = self.inner.transport.send_api(op, &url, body.clone(), &token, &self.inner.pacer).await?;
            if raw.status.is_success() {
                return Ok(raw);
            }
            if raw.status == StatusCode::UNAUTHORIZED && !reminted {
                // The token was rejected: drop it, get a fresh one, retry once — unless the
                // source hands out the same token again (a static token).
                self.inner.tokens.invalidate(&token);
                let fresh = self.token_for(request, hooks).await?;
                reminted = true;
                if !fresh.same_token(&token) {
                    tracing::debug!("401 from the API; retrying once with a fresh token");
                    token = fresh;
                    continue;
                }
            }
            return Err(Error::Api(Box::new(ApiError::from_body(
                op.id,
                raw.status,
                &raw.body,
                raw.rate_limit,
                raw.attempts,
            ))));
        }
    }

    /// A token for this call, with its scopes checked by every interceptor.
    async fn token_for(&self, request: &Request, hooks: &mut Hooks) -> Result<AccessToken> {
        let token = self.inner.tokens.token().await?;
        hooks.check_scopes(request, token.scopes())?;
        Ok(token)
    }

    fn url(&self, request: &Request) -> String {
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
        url
    }

    fn decode<T: DeserializeOwned + 'static>(
        &self,
        request: &Request,
        hooks: &mut Hooks,
        raw: RawResponse,
    ) -> Result<Response<T>> {
        let op = request.operation();
        let RawResponse { status, body, rate_limit, attempts } = raw;
        // `T = ()`: the body is ignored (204, 202, `{}`, `{"deleted_at": ..}` alike).
        if let Ok(unit) = (Box::new(()) as Box<dyn std::any::Any>).downcast::<T>() {
            return Ok(Response { value: *unit, status, rate_limit, attempts });
        }
        let body = hooks.filter_response(request, body);
        let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) { b"null" } else { &body };
        // Decoding is tried with plain serde_json first: tracking the path costs about
        // twice the decode (docs/BENCHMARKS.md, W2). Only a failure is decoded again with
        // `serde_path_to_error`, the same input giving the same error, now with its path.
        let value = match serde_json::from_slice::<T>(body) {
            Ok(v) => v,
            Err(_) => {
                let mut de = serde_json::Deserializer::from_slice(body);
                serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
                    Error::Decode(Box::new(DecodeError {
                        operation: op.id,
                        status,
                        path: e.path().to_string(),
                        message: e.into_inner().to_string(),
                    }))
                })?
            }
        };
        Ok(Response { value, status, rate_limit, attempts })
    }
}

/// The per-call hooks of the client's interceptors, in installation order.
struct Hooks(Vec<Box<dyn CallHook>>);

impl Hooks {
    /// Runs every interceptor's `begin`. When one denies, the hooks already begun are
    /// finished with that denial.
    fn begin(interceptors: &[Arc<dyn Interceptor>], request: &Request) -> std::result::Result<Hooks, Denial> {
        let mut hooks = Vec::with_capacity(interceptors.len());
        for i in interceptors {
            match i.begin(request) {
                Ok(h) => hooks.push(h),
                Err(denial) => {
                    Hooks(hooks).finish(request, &Outcome::Denied(&denial));
                    return Err(denial);
                }
            }
        }
        Ok(Hooks(hooks))
    }

    fn check_scopes(&mut self, request: &Request, granted: &Scopes) -> Result<()> {
        for h in &mut self.0 {
            h.check_scopes(request, granted)?;
        }
        Ok(())
    }

    fn before_send(&mut self, request: &Request) -> Result<()> {
        for h in &mut self.0 {
            h.before_send(request)?;
        }
        Ok(())
    }

    fn filter_response(&mut self, request: &Request, mut body: Bytes) -> Bytes {
        for h in &mut self.0 {
            body = h.filter_response(request, body);
        }
        body
    }

    fn finish(self, request: &Request, outcome: &Outcome<'_>) {
        for h in self.0 {
            h.finish(request, outcome);
        }
    }
}

/// The HTTP side: one `reqwest::Client` (one connection pool) for API and token calls,
/// fixed headers, the retry loop.
pub(crate) struct Transport {
    http: reqwest::Client,
    headers: HeaderMap,
    retry: RetryConfig,
    timeout: Option<Duration>,
}

impl Transport {
    /// One Management API call with retries. Non-success answers that are final come back
    /// as `Ok` with their status; the caller maps them.
    async fn send_api(
        &self,
        op: &'static Operation,
        url: &str,
        body: Option<Bytes>,
        token: &AccessToken,
        pacer: &Pacer,
    ) -> Result<RawResponse> {
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
            .map_err(|_| Error::Config("the access token contains characters not allowed in a header".into()))?;
        auth.set_sensitive(true);
        let method = op.method.to_reqwest();
        self.send_with_retries(op.id, op.idempotent(), Some(pacer), || {
            let mut rb = self
                .http
                .request(method.clone(), url)
                .headers(self.headers.clone())
                .header(AUTHORIZATION, auth.clone());
            if let Some(b) = &body {
                rb = rb.header(CONTENT_TYPE, "application/json").body(b.clone());
            }
            rb
        })
        .await
    }

    /// The client-credentials call: a POST, but minting twice is harmless, so it is
    /// retried like an idempotent call. It has its own rate limit, so it is not paced.
    pub(crate) async fn send_token_request(&self, url: &str, body: Bytes) -> Result<RawResponseParts> {
        let raw = self
            .send_with_retries(OAUTH_TOKEN, true, None, || {
                self.http
                    .post(url)
                    .headers(self.headers.clone())
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.clone())
            })
            .await;
        match raw {
            Ok(r) => Ok(RawResponseParts { status: r.status, body: r.body, rate_limit: r.rate_limit }),
            Err(Error::WaitTooLong { source, .. }) => Ok(RawResponseParts {
                status: source.status,
                body: Bytes::from(source.raw_body.unwrap_or_default()),
                rate_limit: source.rate_limit,
            }),
            Err(e) => Err(e),
        }
    }

    async fn send_with_retries(
        &self,
        operation: &'static str,
        idempotent: bool,
        pacer: Option<&Pacer>,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<RawResponse> {
        let cfg = &self.retry;
        let mut backoff = cfg.backoff_iter();
        let mut waited = Duration::ZERO;
        let (mut attempts, mut throttled, mut transient) = (0u32, 0u32, 0u32);
        loop {
            attempts += 1;
            if let Some(p) = pacer {
                // The pacer's wait counts against the budget (the transport rework decides
                // what a slot beyond it means; until then the call is sent).
                match p.acquire(cfg.max_total_wait.saturating_sub(waited)).await {
                    Ok(w) => waited = waited.saturating_add(w),
                    Err(PacerWait { needed }) => tracing::debug!(?needed, "pacer slot beyond the wait budget"),
                }
            }
            let mut rb = build();
            if let Some(t) = self.timeout {
                rb = rb.timeout(t);
            }
            let result = async {
                let resp = rb.send().await?;
                let status = resp.status();
                let now = pacer.map_or_else(SystemTime::now, Pacer::unix_now);
                let rate_limit = RateLimit::from_headers(resp.headers(), now);
                let body = read_body(resp).await?;
                Ok::<_, reqwest::Error>((status, rate_limit, body))
            }
            .await;
            let (attempt, wait) = match result {
                Ok((status, rate_limit, body)) => {
                    if let Some(p) = pacer {
                        p.observe(&rate_limit, status.as_u16());
                    }
                    let decision = classify(idempotent, Attempt::Status(status));
                    let raw = RawResponse { status, body, rate_limit, attempts };
                    let wait = match decision {
                        Decision::Done => return Ok(raw),
                        Decision::RetryRateLimited if throttled >= cfg.max_rate_limit_retries => {
                            return Ok(raw);
                        }
                        Decision::RetryBackoff if transient >= cfg.max_retries => return Ok(raw),
                        Decision::RetryRateLimited => {
                            let wait = match pacer {
                                Some(p) => p.throttled_delay(&raw.rate_limit, throttled),
                                None => raw
                                    .rate_limit
                                    .server_wait(SystemTime::now())
                                    .unwrap_or_else(|| backoff.next().unwrap_or(cfg.max_backoff)),
                            };
                            if waited + wait > cfg.max_total_wait {
                                let source = Box::new(ApiError::from_body(
                                    operation,
                                    raw.status,
                                    &raw.body,
                                    raw.rate_limit,
                                    attempts,
                                ));
                                return Err(Error::WaitTooLong {
                                    operation,
                                    wait,
                                    max_wait: cfg.max_total_wait,
                                    source,
                                });
                            }
                            throttled += 1;
                            wait
                        }
                        Decision::RetryBackoff => {
                            transient += 1;
                            let wait = backoff.next().unwrap_or(cfg.max_backoff);
                            if waited + wait > cfg.max_total_wait {
                                return Ok(raw);
                            }
                            wait
                        }
                    };
                    (format!("status {}", status.as_u16()), wait)
                }
                Err(source) => {
                    if let Some(p) = pacer {
                        p.unanswered();
                    }
                    let decision = classify(idempotent, Attempt::from_error(&source));
                    if decision == Decision::Done || transient >= cfg.max_retries {
                        return Err(Error::Transport { operation, attempts, source: without_url(source) });
                    }
                    transient += 1;
                    let wait = backoff.next().unwrap_or(cfg.max_backoff);
                    if waited + wait > cfg.max_total_wait {
                        return Err(Error::Transport { operation, attempts, source: without_url(source) });
                    }
                    (format!("transport error: {}", without_url(source)), wait)
                }
            };
            tracing::debug!(attempt = attempts, wait_ms = wait.as_millis() as u64, reason = %attempt, "retrying");
            tokio::time::sleep(wait).await;
            waited += wait;
        }
    }
}

/// Status, body and rate-limit state of a token-endpoint answer.
pub(crate) struct RawResponseParts {
    pub(crate) status: StatusCode,
    pub(crate) body: Bytes,
    pub(crate) rate_limit: RateLimit,
}

/// Reads a body, refusing more than [`MAX_BODY`] bytes.
async fn read_body(mut resp: reqwest::Response) -> std::result::Result<Bytes, reqwest::Error> {
    let mut buf = Vec::with_capacity(resp.content_length().map_or(8 * 1024, |l| (l as usize).min(MAX_BODY)));
    while let Some(chunk) = resp.chunk().await? {
        if buf.len() + chunk.len() > MAX_BODY {
            // Treat as a truncated body: decoding it fails with a typed error.
            break;
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(buf))
}

/// Query strings can hold user data (emails in `q`); errors keep only the path.
fn without_url(e: reqwest::Error) -> reqwest::Error {
    e.without_url()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains() {
        for ok in ["acme.eu.auth0.com", "login.acme.com:8443", "localhost", "127.0.0.1:3000"] {
            assert!(validate_domain(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "https://acme.auth0.com",
            "acme.auth0.com/api",
            "a b.com",
            "acme.com:",
            "acme.com:99999",
            "user@acme.com",
            "acme.com?x",
            "acme..com",
            ".acme.com",
            "acme.com#x",
            "-a.com",
        ] {
            assert!(validate_domain(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn base_urls() {
        assert_eq!(parse_base_url("http://127.0.0.1:8080/").unwrap(), "http://127.0.0.1:8080");
        assert_eq!(parse_base_url("https://proxy.local/auth0").unwrap(), "https://proxy.local/auth0");
        for bad in ["ftp://x", "http://u:p@x", "http://x/?q", "not a url"] {
            assert!(parse_base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn client_is_send_sync_and_debug_hides_secrets() {
        fn assert_send_sync<T: Send + Sync + Clone>() {}
        assert_send_sync::<Client>();
        let b = Client::builder().domain("acme.auth0.com").client_credentials("cid", "very-secret-value");
        assert!(!format!("{b:?}").contains("very-secret-value"));
        let c = b.build().unwrap();
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("very-secret-value") && dbg.contains("cid"), "{dbg}");
    }
}
