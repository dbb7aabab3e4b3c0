//! The one error type of the crate.
//!
//! Every failure is an [`Error`]; API failures keep the HTTP status, Auth0's error body
//! (`statusCode`, `error`, `message`, `errorCode`, `attributes`), a bounded snippet of the
//! raw body when it was not JSON, and the rate-limit state of the response.
//!
//! No variant ever contains a client secret or an access token: text taken from a
//! response (error bodies, OAuth error fields, decoder messages) is scrubbed of the
//! client secret, the bearer token of the call and anything JWT-shaped before it is
//! stored, so a server that echoes the request cannot put a secret into an error's
//! `Debug` or `Display`.

use std::fmt;
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ids::IdError;
use crate::models::{JsonObject, string_enum};
use crate::ratelimit::RateLimit;
use crate::retry::WaitFor;
use crate::transport::scrub::Scrub;

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The Management API answered with an error status (after any retries).
    #[error("{0}")]
    Api(Box<ApiError>),

    /// The call's next wait did not fit in what was left of
    /// [`RetryConfig::max_total_wait`](crate::RetryConfig::max_total_wait), so it stopped
    /// instead of sleeping. `waiting_for` says what it would have waited for: the wait a
    /// 429 named, the backoff before retrying a 5xx or a failed connection, or the
    /// client's pacer.
    #[error("{}", wait_too_long_message(operation, *waiting_for, *wait, *max_wait, source.as_deref()))]
    WaitTooLong {
        /// The operation id (`oauth.token` for the token endpoint).
        operation: &'static str,
        /// What the call would have waited for.
        waiting_for: WaitFor,
        /// The wait that did not fit (for a 429: what the server asked for).
        wait: Duration,
        /// The configured bound of all waits of one call.
        max_wait: Duration,
        /// The last failed attempt (the 429, the 5xx, the transport error), if there was
        /// one: a pacer wait can come before the first attempt.
        source: Option<Box<Error>>,
    },

    /// Minting an access token failed; no Management API request was sent.
    #[error("{0}")]
    Token(Box<TokenError>),

    /// The access token about to be used has expired (its JWT `exp`, or the lifetime it
    /// was handed out with, is past by more than the clock-skew leeway of 60 s), so
    /// nothing was sent. A static token cannot be refreshed: get a new one, or use
    /// client credentials.
    #[error(
        "{operation}: the access token expired {} ago (at {}); nothing was sent",
        human(*ago),
        http_date(*expired_at)
    )]
    TokenExpired {
        /// The operation id.
        operation: &'static str,
        /// When the token expired (wall clock).
        expired_at: SystemTime,
        /// How long ago.
        ago: Duration,
    },

    /// The request did not complete at the HTTP level (connect error, timeout, reset
    /// connection, truncated body), after any retries.
    #[error("{}", transport_message(operation, *attempts, *timeout, source))]
    Transport {
        /// The operation id (`oauth.token` for the token endpoint).
        operation: &'static str,
        /// How many attempts were made.
        attempts: u32,
        /// The timeout that fired, when the failure is a timeout.
        timeout: Option<Duration>,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },

    /// A success body was larger than the configured limit
    /// ([`ClientBuilder::max_response_body`](crate::ClientBuilder::max_response_body));
    /// it was not read past the limit, nor parsed.
    #[error(
        "{operation}: the {} response body is larger than the limit of {limit} bytes{}",
        status.as_u16(),
        content_length.map(|l| format!(" (Content-Length: {l})")).unwrap_or_default()
    )]
    BodyTooLarge {
        /// The operation id.
        operation: &'static str,
        /// The HTTP status of the response.
        status: StatusCode,
        /// The configured limit in bytes.
        limit: usize,
        /// The length the server announced, if any.
        content_length: Option<u64>,
    },

    /// The server answered with a redirect. The client never follows one: a redirect
    /// could carry the bearer token or the client secret off the tenant host. With a
    /// caller-supplied HTTP client that followed it anyway (`followed`), its answer is
    /// refused.
    #[error(
        "{operation}: the server answered {} with a redirect{}{}; redirects are never followed (they could carry credentials off the tenant host)",
        status.as_u16(),
        location.as_deref().map(|l| format!(" to {l}")).unwrap_or_default(),
        if *followed { " that the HTTP client followed" } else { "" }
    )]
    Redirect {
        /// The operation id (`oauth.token` for the token endpoint).
        operation: &'static str,
        /// The status of the answer.
        status: StatusCode,
        /// Where it pointed (scheme, host, port and path; never the query).
        location: Option<String>,
        /// The HTTP client followed the redirect before the SDK saw it.
        followed: bool,
    },

    /// A success response whose body did not match the expected shape.
    #[error("{0}")]
    Decode(Box<DecodeError>),

    /// Offset paging cannot go further: Auth0 serves only the first 1000 results of an
    /// offset listing. Narrow the query (e.g. by `created_at` ranges) or use a
    /// checkpoint listing or an export job.
    #[error(
        "{operation}: offset paging stops at {limit} results and this listing has more{}; narrow the query (e.g. split it by created_at ranges) or use checkpoint paging / an export job",
        total.map(|t| format!(" ({t} in total)")).unwrap_or_default()
    )]
    PagingLimit {
        /// The operation id.
        operation: &'static str,
        /// The limit that was reached (1000 unless configured otherwise).
        limit: u64,
        /// The total the server reported, when known.
        total: Option<u64>,
    },

    /// An id was refused before anything was sent.
    #[error("invalid id: {0}")]
    InvalidId(#[from] IdError),

    /// The call was refused before anything was sent (by a policy or another
    /// [`Interceptor`](crate::Interceptor)). Guarantees that no request left the client.
    #[error("{0}")]
    Denied(Box<Denial>),

    /// The client was configured wrongly.
    #[error("invalid configuration: {0}")]
    Config(String),

    /// A request body could not be serialized.
    #[error("{operation}: could not encode the request body: {source}")]
    Encode {
        /// The operation id.
        operation: &'static str,
        /// The serializer error.
        #[source]
        source: serde_json::Error,
    },

    /// The request breaks a limit the API documents (e.g. more than 100 ids in one
    /// revocation, an empty role list), so it was refused before anything was sent.
    #[error("{operation}: {reason}; nothing was sent")]
    InvalidRequest {
        /// The operation id.
        operation: &'static str,
        /// What is wrong with the request.
        reason: String,
    },

    /// A paginated stream saw the same cursor twice and stopped instead of looping.
    #[error("{operation}: the server repeated a pagination cursor; stopping to avoid an endless loop")]
    RepeatedCursor {
        /// The operation id.
        operation: &'static str,
    },
}

impl Error {
    /// The HTTP status, for errors that come from an answer.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::WaitTooLong { source, .. } => source.as_deref().and_then(Error::status),
            Error::Token(e) => e.status,
            Error::Transport { source, .. } => source.status(),
            Error::Decode(d) => Some(d.status),
            Error::BodyTooLarge { status, .. } | Error::Redirect { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The API error, when the server answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            Error::WaitTooLong { source, .. } => source.as_deref().and_then(Error::api),
            _ => None,
        }
    }

    /// The token endpoint's error, when minting failed.
    pub fn token_error(&self) -> Option<&TokenError> {
        match self {
            Error::Token(t) => Some(t),
            Error::WaitTooLong { source, .. } => source.as_deref().and_then(Error::token_error),
            _ => None,
        }
    }

    /// Auth0's `errorCode` (API errors) or OAuth `error` (token errors).
    pub fn error_code(&self) -> Option<&str> {
        if let Some(t) = self.token_error() {
            return t.error.as_deref();
        }
        self.api().and_then(|e| e.body.error_code.as_ref()).map(ErrorCode::as_str)
    }

    /// 404 from the API.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::Api(e) if e.status == StatusCode::NOT_FOUND)
    }

    /// 429 (from the API or the token endpoint), including a refused over-long wait for
    /// a rate limit or the pacer.
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, Error::WaitTooLong { waiting_for: WaitFor::RateLimit | WaitFor::Pacer, .. })
            || self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// The call was refused locally before anything was sent.
    pub fn is_denied(&self) -> bool {
        matches!(self, Error::Denied(_))
    }

    /// The request timed out (connect or request timeout).
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Transport { source, .. } => source.is_timeout(),
            Error::WaitTooLong { source, .. } => source.as_deref().is_some_and(Error::is_timeout),
            _ => false,
        }
    }

    /// Whether trying again later could succeed: rate limits, 5xx, transport failures.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { .. } | Error::WaitTooLong { .. } => true,
            Error::Api(_) | Error::Token(_) => {
                self.status().is_some_and(|s| s == StatusCode::TOO_MANY_REQUESTS || s.is_server_error())
            }
            _ => false,
        }
    }

    /// The wait the server named (`Retry-After`, else `x-ratelimit-reset`), the
    /// rate-limit wait that was refused as too long, or — for a call denied because the
    /// agent's own budget is spent (`agent_rate_limited`) — when it may retry.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::WaitTooLong { waiting_for: WaitFor::RateLimit | WaitFor::Pacer, wait, .. } => Some(*wait),
            Error::Denied(d) => d.retry_after,
            _ => self.rate_limit().and_then(|r| r.server_wait(std::time::SystemTime::now())),
        }
    }

    /// The rate-limit state of the failing response, when there was one.
    pub fn rate_limit(&self) -> Option<&RateLimit> {
        match self {
            Error::Api(e) => Some(&e.rate_limit),
            Error::WaitTooLong { source, .. } => source.as_deref().and_then(Error::rate_limit),
            Error::Token(t) => Some(&t.rate_limit),
            _ => None,
        }
    }

    /// The denial, when a policy refused the call.
    pub fn denial(&self) -> Option<&Denial> {
        match self {
            Error::Denied(d) => Some(d),
            _ => None,
        }
    }
}

/// A duration for people: `250ms`, `1.5s`, `120s`.
pub(crate) fn human(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else if d.subsec_nanos() == 0 || d >= Duration::from_secs(100) {
        format!("{}s", d.as_secs().saturating_add(u64::from(d.subsec_nanos() != 0)))
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// An HTTP-date, clamped to what one can show (1970 to 9999): never a panic, whatever
/// time a server's claims lead to.
fn http_date(t: SystemTime) -> String {
    // 9999-12-31T23:59:59Z, the last second an HTTP-date can show.
    let last = SystemTime::UNIX_EPOCH + Duration::from_secs(253_402_300_799);
    httpdate::fmt_http_date(t.clamp(SystemTime::UNIX_EPOCH, last))
}

fn wait_too_long_message(
    operation: &str,
    waiting_for: WaitFor,
    wait: Duration,
    max_wait: Duration,
    source: Option<&Error>,
) -> String {
    let (wait, max) = (human(wait), human(max_wait));
    let what = match waiting_for {
        WaitFor::RateLimit => format!("rate limited and the server asks to wait {wait}"),
        WaitFor::Backoff => format!("retrying needs a backoff of {wait}"),
        WaitFor::Pacer => format!("the pacer's next send slot is {wait} away"),
        WaitFor::Token => format!("getting an access token took {wait}"),
    };
    let mut msg = format!("{operation}: {what}, which would take the call beyond the configured maximum wait of {max}");
    if let Some(s) = source {
        msg.push_str(&format!(" (last answer: {s})"));
    }
    msg
}

fn transport_message(operation: &str, attempts: u32, timeout: Option<Duration>, source: &reqwest::Error) -> String {
    let tries = if attempts == 1 { "1 attempt".to_owned() } else { format!("{attempts} attempts") };
    let root = root_cause(source);
    if source.is_timeout() {
        let which = if source.is_connect() { "connecting" } else { "the request" };
        return match timeout {
            Some(t) => format!("{operation}: timed out after {} ({which}), {tries}", human(t)),
            None => format!("{operation}: timed out ({which}: {root}), {tries}"),
        };
    }
    if source.is_connect() {
        return format!("{operation}: could not connect after {tries}: {root}");
    }
    if source.is_body() || source.is_decode() {
        return format!("{operation}: the response body could not be read after {tries}: {root}");
    }
    format!("{operation}: the connection failed after {tries}: {root}")
}

/// The innermost cause's text (e.g. `Connection refused (os error 111)`).
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

string_enum! {
    /// Auth0's machine-readable `errorCode` (optional in responses, and not uniform in
    /// casing across endpoints).
    pub enum ErrorCode {
        /// The user does not exist.
        InexistentUser => "inexistent_user",
        /// The connection does not exist.
        InexistentConnection => "inexistent_connection",
        /// The client grant does not exist.
        InexistentClientGrant => "inexistent_client_grant",
        /// The invitation does not exist.
        InexistentInvitation => "inexistent_invitation",
        /// The token lacks a scope the endpoint needs.
        InsufficientScope => "insufficient_scope",
        /// The request body was refused.
        InvalidBody => "invalid_body",
        /// Offset paging went past the 1000-result limit.
        InvalidPaging => "invalid_paging",
        /// A validation error.
        ValidationError => "validation_error",
        /// Rate limited.
        TooManyRequests => "too_many_requests",
    }
}

/// Auth0's Management API error body. Every field is optional: the server omits
/// `errorCode` on many endpoints, and proxies answer with other shapes entirely.
///
/// Read leniently, field by field: one field of an unexpected type never costs the
/// others. A `statusCode` sent as `"404"` or `404.0` still reads as 404; an `error` or
/// `message` that is not a string keeps its JSON text; a `statusCode`, `errorCode` or
/// `attributes` that makes no sense stays in [`extra`](Self::extra) as it came.
///
/// ```
/// use auth0_mgmt::ErrorBody;
///
/// let body: ErrorBody = serde_json::from_str(
///     r#"{"statusCode":"404","error":"Not Found","message":{"text":"gone"},"attributes":[1]}"#,
/// ).unwrap();
/// assert_eq!(body.status_code, Some(404));
/// assert_eq!(body.error.as_deref(), Some("Not Found"));
/// assert_eq!(body.message.as_deref(), Some(r#"{"text":"gone"}"#));
/// assert_eq!(body.extra["attributes"], serde_json::json!([1]));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "JsonObject")]
pub struct ErrorBody {
    /// `statusCode` (equals the HTTP status).
    #[serde(rename = "statusCode", default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    /// `error`: the HTTP reason phrase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// `message`: human text (not stable; do not match on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `errorCode`: the machine code, when the endpoint sends one.
    #[serde(rename = "errorCode", default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<ErrorCode>,
    /// `attributes` (seen on 401s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<JsonObject>,
    /// Anything else in the body.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl From<JsonObject> for ErrorBody {
    fn from(mut extra: JsonObject) -> ErrorBody {
        // Takes `key` out of `extra` when `read` makes sense of it; else leaves it there.
        fn take<T>(extra: &mut JsonObject, key: &str, read: impl FnOnce(&Value) -> Option<T>) -> Option<T> {
            let value = read(extra.get(key)?)?;
            extra.remove(key);
            Some(value)
        }
        let text = |v: &Value| match v {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        };
        let status_code = |v: &Value| match v {
            Value::Number(n) => n
                .as_u64()
                .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0).map(|f| f as u64))
                .and_then(|n| u16::try_from(n).ok()),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        ErrorBody {
            status_code: take(&mut extra, "statusCode", status_code),
            error: take(&mut extra, "error", text),
            message: take(&mut extra, "message", text),
            error_code: take(&mut extra, "errorCode", |v| v.as_str().map(ErrorCode::from)),
            attributes: take(&mut extra, "attributes", |v| v.as_object().cloned()),
            extra,
        }
    }
}

/// An error answer from the Management API.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ApiError {
    /// The operation id (e.g. `users.get`).
    pub operation: &'static str,
    /// The HTTP status.
    pub status: StatusCode,
    /// The decoded Auth0 error body (all `None` when the body was not Auth0 JSON),
    /// scrubbed of secrets.
    pub body: ErrorBody,
    /// The body as text when it was not an Auth0 JSON error (HTML from a proxy, empty,
    /// truncated), scrubbed of secrets and cut to 2 KiB.
    pub raw_body: Option<String>,
    /// The rate-limit headers of the response.
    pub rate_limit: RateLimit,
    /// How many attempts were made.
    pub attempts: u32,
}

/// How much of a non-JSON error body an error keeps.
const RAW_BODY_LIMIT: usize = 2048;

/// A JSON object parsed from an error body and scrubbed, if the body is one.
fn scrubbed_object(bytes: &[u8], scrub: &Scrub) -> Option<Value> {
    let mut v: Value = serde_json::from_slice(bytes).ok()?;
    if !v.is_object() {
        return None;
    }
    scrub.json(&mut v);
    Some(v)
}

impl ApiError {
    /// Builds the error from a (bounded) response body, keeping the raw text when it is
    /// not an Auth0 error object. `cut`: the body was cut at the read limit.
    pub(crate) fn from_body(
        operation: &'static str,
        status: StatusCode,
        bytes: &[u8],
        cut: bool,
        rate_limit: RateLimit,
        attempts: u32,
        scrub: &Scrub,
    ) -> ApiError {
        let body = scrubbed_object(bytes, scrub).and_then(|v| serde_json::from_value::<ErrorBody>(v).ok());
        let parsed = body.as_ref().is_some_and(|b| b.message.is_some() || b.error.is_some() || b.status_code.is_some());
        ApiError {
            operation,
            status,
            raw_body: (!parsed).then(|| body_text(bytes, cut, scrub)),
            body: if parsed { body.unwrap_or_default() } else { ErrorBody::default() },
            rate_limit,
            attempts,
        }
    }

    /// The `errorCode`, if the server sent one.
    pub fn error_code(&self) -> Option<&ErrorCode> {
        self.body.error_code.as_ref()
    }

    /// The human-readable message (Auth0's `message`).
    pub fn message(&self) -> Option<&str> {
        self.body.message.as_deref()
    }
}

impl fmt::Display for ApiError {
    /// `404 Not Found (inexistent_user): The user does not exist.`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status.as_u16())?;
        if let Some(reason) = self.body.error.as_deref().or(self.status.canonical_reason()) {
            write!(f, " {reason}")?;
        }
        if let Some(code) = &self.body.error_code {
            write!(f, " ({code})")?;
        }
        if let Some(msg) = &self.body.message {
            write!(f, ": {msg}")?;
        } else if let Some(raw) = &self.raw_body {
            write_snippet(f, raw)?;
        }
        if self.attempts > 1 {
            write!(f, " [{} after {} attempts]", self.operation, self.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// `: empty body` or `: non-JSON body: <first 200 characters, whitespace folded>`.
fn write_snippet(f: &mut fmt::Formatter<'_>, raw: &str) -> fmt::Result {
    let snippet: String = raw.chars().take(200).collect();
    let snippet = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
    if snippet.is_empty() { write!(f, ": empty body") } else { write!(f, ": non-JSON body: {snippet}") }
}

/// The token endpoint refused to mint an access token (OAuth error body).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TokenError {
    /// The HTTP status, when there was a response.
    pub status: Option<StatusCode>,
    /// OAuth `error` (e.g. `access_denied`, `invalid_client`, `too_many_requests`).
    pub error: Option<String>,
    /// OAuth `error_description`.
    pub error_description: Option<String>,
    /// OAuth `error_uri`.
    pub error_uri: Option<String>,
    /// The raw body when it was not an OAuth error object, scrubbed of secrets and cut
    /// to 2 KiB.
    pub raw_body: Option<String>,
    /// Rate-limit and quota headers of the response (`Retry-After` among them).
    pub rate_limit: RateLimit,
}

#[derive(Deserialize)]
struct OAuthErrorBody {
    #[serde(default, deserialize_with = "lenient_string")]
    error: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    error_description: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    error_uri: Option<String>,
}

/// A string field, or `None` for any other JSON (a server may send numbers or objects).
fn lenient_string<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        _ => None,
    })
}

impl TokenError {
    /// Builds the error from a (bounded) token-endpoint body.
    pub(crate) fn from_body(
        status: StatusCode,
        bytes: &[u8],
        cut: bool,
        rate_limit: RateLimit,
        scrub: &Scrub,
    ) -> TokenError {
        let oauth = scrubbed_object(bytes, scrub).and_then(|v| serde_json::from_value::<OAuthErrorBody>(v).ok());
        match oauth {
            Some(b) if b.error.is_some() || b.error_description.is_some() => TokenError {
                status: Some(status),
                error: b.error,
                error_description: b.error_description,
                error_uri: b.error_uri,
                raw_body: None,
                rate_limit,
            },
            _ => TokenError {
                status: Some(status),
                error: None,
                error_description: None,
                error_uri: None,
                raw_body: Some(body_text(bytes, cut, scrub)),
                rate_limit,
            },
        }
    }

    /// The error handed to calls that queued behind a mint that failed with `e`: the
    /// token endpoint's own error when it answered, else a description of the failure
    /// (for token sources that share one mint between callers, as the SDK's own does).
    pub fn shared(e: &Error) -> TokenError {
        if let Some(t) = e.token_error() {
            return t.clone();
        }
        TokenError {
            status: e.status(),
            error: None,
            error_description: Some(format!("minting failed in a concurrent call: {e}")),
            error_uri: None,
            raw_body: None,
            rate_limit: e.rate_limit().cloned().unwrap_or_default(),
        }
    }

    /// A token response that could not be used (malformed success body).
    pub(crate) fn malformed(status: StatusCode, what: &str, rate_limit: RateLimit) -> TokenError {
        TokenError {
            status: Some(status),
            error: None,
            error_description: Some(format!("malformed token response: {what}")),
            error_uri: None,
            raw_body: None,
            rate_limit,
        }
    }
}

impl fmt::Display for TokenError {
    /// `could not mint an access token: 401 access_denied: Unauthorized`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("could not mint an access token:")?;
        if let Some(s) = self.status {
            write!(f, " {}", s.as_u16())?;
        }
        if let Some(e) = &self.error {
            write!(f, " {e}")?;
        }
        if let Some(d) = &self.error_description {
            write!(f, ": {d}")?;
        } else if let Some(raw) = &self.raw_body {
            write_snippet(f, raw)?;
        }
        if let Some(wait) = self.rate_limit.retry_after {
            write!(f, " (Retry-After: {})", human(wait))?;
        }
        Ok(())
    }
}

impl std::error::Error for TokenError {}

/// Why a call was refused before anything was sent. Made by an
/// [`Interceptor`](crate::Interceptor) such as the `auth0-mgmt-policy` guard.
///
/// Three kinds carry more than a code and a reason:
///
/// * a **dry run** (`dry_run`): allowed, not executed;
/// * **`approval_required`** (and `approval_denied`): [`approval`](Denial::approval)
///   says which approval the call awaits, who must decide and until when — send the
///   identical call again once a human approved it;
/// * **`agent_rate_limited`**: [`retry_after`](Denial::retry_after) says when the
///   agent's budget has room again.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Denial {
    /// The operation id.
    pub operation: &'static str,
    /// A stable machine code for the reason (e.g. `action_not_granted`).
    pub code: String,
    /// A sentence for humans (e.g. `deleting users is not granted to this agent`).
    pub reason: String,
    /// True when the call was allowed but not executed because of a dry run.
    pub dry_run: bool,
    /// The approval the call awaits (`approval_required`) or that a human refused
    /// (`approval_denied`).
    pub approval: Option<Box<ApprovalTicket>>,
    /// When the call may be tried again (`agent_rate_limited`): the wait from the moment
    /// of the denial.
    pub retry_after: Option<Duration>,
}

/// Who decides an approval.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ApprovalChannel {
    /// A human operator, out of band (`auth0-mgmt-mcp approvals approve ID`, or the
    /// library's approvals API). The default.
    #[default]
    Operator,
    /// The human at the agent's MCP client, asked by the gateway through elicitation.
    /// Only where the policy says so (`approval = "client"`): a client that
    /// auto-approves is no control.
    Client,
}

impl ApprovalChannel {
    /// `operator` or `client`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ApprovalChannel::Operator => "operator",
            ApprovalChannel::Client => "client",
        }
    }
}

impl fmt::Display for ApprovalChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The approval a [`Denial`] refers to: enough for a gateway to tell the model (and the
/// human) what awaits whom.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApprovalTicket {
    /// The approval id (`apr_…`): what the human approves or denies.
    pub id: String,
    /// The request in plain English: `support-bot wants to delete user auth0|123`.
    pub request: String,
    /// Who may decide (names from the policy); empty: any operator with access to the
    /// approvals store.
    pub approvers: Vec<String>,
    /// How the decision is made.
    pub channel: ApprovalChannel,
    /// Until when the approval can be decided (pending) or used (approved).
    pub expires_at: SystemTime,
    /// The SHA-256 (hex) of the exact request the approval is bound to.
    pub request_hash: String,
    /// Who decided, for a decided approval (`approval_denied`).
    pub decided_by: Option<String>,
}

impl ApprovalTicket {
    /// A ticket for approval `id` of `request`.
    pub fn new(
        id: impl Into<String>,
        request: impl Into<String>,
        approvers: Vec<String>,
        channel: ApprovalChannel,
        expires_at: SystemTime,
        request_hash: impl Into<String>,
    ) -> ApprovalTicket {
        ApprovalTicket {
            id: id.into(),
            request: request.into(),
            approvers,
            channel,
            expires_at,
            request_hash: request_hash.into(),
            decided_by: None,
        }
    }

    /// Who must approve, for sentences: `alice or bob`, `the user of the agent's MCP
    /// client`, or `an operator`.
    pub fn who(&self) -> String {
        match (self.channel, self.approvers.as_slice()) {
            (ApprovalChannel::Client, _) => "the user of the agent's MCP client".to_owned(),
            (ApprovalChannel::Operator, []) => "an operator".to_owned(),
            (ApprovalChannel::Operator, [one]) => one.clone(),
            (ApprovalChannel::Operator, [init @ .., last]) => format!("{} or {last}", init.join(", ")),
        }
    }
}

impl Denial {
    /// A denial with a machine code and a human reason.
    pub fn new(operation: &'static str, code: impl Into<String>, reason: impl Into<String>) -> Denial {
        Denial {
            operation,
            code: code.into(),
            reason: reason.into(),
            dry_run: false,
            approval: None,
            retry_after: None,
        }
    }

    /// An allowed write that was not executed because the caller runs in dry-run mode.
    pub fn dry_run(operation: &'static str) -> Denial {
        Denial { dry_run: true, ..Denial::new(operation, "dry_run", "not executed: dry run") }
    }

    /// The call awaits a human's approval (`approval_required`): nothing was sent; send
    /// the identical call again once it is approved.
    pub fn approval_required(operation: &'static str, reason: impl Into<String>, ticket: ApprovalTicket) -> Denial {
        Denial { approval: Some(Box::new(ticket)), ..Denial::new(operation, "approval_required", reason) }
    }

    /// A human denied this exact request (`approval_denied`): nothing was sent.
    pub fn approval_denied(operation: &'static str, reason: impl Into<String>, ticket: ApprovalTicket) -> Denial {
        Denial { approval: Some(Box::new(ticket)), ..Denial::new(operation, "approval_denied", reason) }
    }

    /// The agent's own budget is spent (`agent_rate_limited`): nothing was sent; it may
    /// retry after `retry_after`.
    pub fn rate_limited(operation: &'static str, reason: impl Into<String>, retry_after: Duration) -> Denial {
        Denial { retry_after: Some(retry_after), ..Denial::new(operation, "agent_rate_limited", reason) }
    }

    /// True for `approval_required`: the call may proceed once a human approves it.
    pub fn awaits_approval(&self) -> bool {
        self.code == "approval_required" && self.approval.is_some()
    }
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.dry_run {
            return write!(f, "{}: not executed: dry run (nothing was sent)", self.operation);
        }
        match &self.approval {
            Some(t) if self.awaits_approval() => write!(
                f,
                "{}: awaits approval {} by {}: {} (nothing was sent; send the identical call again once approved)",
                self.operation,
                t.id,
                t.who(),
                t.request
            ),
            _ => write!(f, "{}: denied ({}): {} (nothing was sent)", self.operation, self.code, self.reason),
        }
    }
}

impl From<Denial> for Error {
    fn from(d: Denial) -> Error {
        Error::Denied(Box::new(d))
    }
}

/// A success body that did not decode into the expected type.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{operation}: could not decode the {status} response at `{path}`: {message}")]
#[non_exhaustive]
pub struct DecodeError {
    /// The operation id.
    pub operation: &'static str,
    /// The HTTP status of the response.
    pub status: StatusCode,
    /// The JSON path that failed (e.g. `users[3].identities[0].provider`), `.` for the
    /// root; scrubbed of secrets.
    pub path: String,
    /// What was wrong (the decoder's message, which can quote the body: scrubbed of
    /// secrets).
    pub message: String,
}

/// Text of a (bounded) body for diagnostics: lossy UTF-8, control characters replaced,
/// scrubbed of secrets, then cut to [`RAW_BODY_LIMIT`] bytes.
pub(crate) fn body_text(bytes: &[u8], cut: bool, scrub: &Scrub) -> String {
    let text: String = String::from_utf8_lossy(bytes)
        .chars()
        .map(|c| if c.is_control() && c != '\n' && c != '\t' { '\u{fffd}' } else { c })
        .collect();
    let mut text = scrub.text_cut(&text, cut).into_owned();
    if text.len() > RAW_BODY_LIMIT {
        let mut end = RAW_BODY_LIMIT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, body: &[u8], attempts: u32) -> ApiError {
        ApiError::from_body(
            "users.get",
            StatusCode::from_u16(status).unwrap(),
            body,
            false,
            RateLimit::default(),
            attempts,
            &Scrub::new([]),
        )
    }

    #[test]
    fn display_reads_like_auth0() {
        let e = api(
            404,
            br#"{"statusCode":404,"error":"Not Found","message":"The user does not exist.","errorCode":"inexistent_user"}"#,
            1,
        );
        assert_eq!(e.to_string(), "404 Not Found (inexistent_user): The user does not exist.");
        let e = Error::Api(Box::new(e));
        assert!(e.is_not_found());
        assert_eq!(e.error_code(), Some("inexistent_user"));
    }

    #[test]
    fn html_and_empty_bodies_are_kept_raw() {
        let e = api(502, b"<html><body>Bad Gateway</body></html>", 1);
        assert_eq!(e.raw_body.as_deref(), Some("<html><body>Bad Gateway</body></html>"));
        assert!(e.to_string().starts_with("502 Bad Gateway: non-JSON body: <html>"));
        let e = api(503, b"", 3);
        assert_eq!(e.to_string(), "503 Service Unavailable: empty body [users.get after 3 attempts]");
        let e = api(500, &[b'x'; 10_000], 1);
        assert_eq!(e.raw_body.as_ref().unwrap().len(), RAW_BODY_LIMIT);
    }

    #[test]
    fn echoed_secrets_are_scrubbed_before_they_are_stored() {
        let scrub = Scrub::new(["the-secret", "the-token"]);
        let body = br#"{"statusCode":400,"error":"Bad Request","message":"echo: Bearer the-token {\"client_secret\":\"the-secret\"}","errorCode":"the-secret","attributes":{"the-token":"x"}}"#;
        let e = ApiError::from_body("users.get", StatusCode::BAD_REQUEST, body, false, RateLimit::default(), 1, &scrub);
        let seen = format!("{e} {e:?}");
        assert!(!seen.contains("the-secret") && !seen.contains("the-token"), "{seen}");
        assert_eq!(e.body.status_code, Some(400));
        let t = TokenError::from_body(
            StatusCode::UNAUTHORIZED,
            b"<p>client_secret=the-secret</p>",
            false,
            RateLimit::default(),
            &scrub,
        );
        let seen = format!("{t} {t:?}");
        assert!(!seen.contains("the-secret"), "{seen}");
    }

    #[test]
    fn oauth_errors_keep_their_fields_even_with_odd_types() {
        let t = TokenError::from_body(
            StatusCode::TOO_MANY_REQUESTS,
            br#"{"error":"too_many_requests","error_description":"Client quota exceeded","error_uri":5}"#,
            false,
            RateLimit { retry_after: Some(Duration::from_secs(3600)), ..RateLimit::default() },
            &Scrub::new([]),
        );
        assert_eq!(t.error.as_deref(), Some("too_many_requests"));
        assert_eq!(t.error_uri, None);
        assert_eq!(
            t.to_string(),
            "could not mint an access token: 429 too_many_requests: Client quota exceeded (Retry-After: 3600s)"
        );
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human(Duration::from_millis(250)), "250ms");
        assert_eq!(human(Duration::from_millis(1500)), "1.5s");
        assert_eq!(human(Duration::from_secs(120)), "120s");
        assert_eq!(human(Duration::MAX), format!("{}s", u64::MAX));
    }

    #[test]
    fn error_is_small() {
        assert!(std::mem::size_of::<Error>() <= 64, "{}", std::mem::size_of::<Error>());
    }
}
