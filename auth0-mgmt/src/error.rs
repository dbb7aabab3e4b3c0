//! The one error type of the crate.
//!
//! Every failure is an [`Error`]; API failures keep the HTTP status, Auth0's error body
//! (`statusCode`, `error`, `message`, `errorCode`, `attributes`), the raw body when it was
//! not JSON, and the rate-limit state of the response. No variant ever contains a client
//! secret or an access token.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

use crate::ids::IdError;
use crate::models::{JsonObject, string_enum};
use crate::ratelimit::RateLimit;

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The Management API answered with an error status (after any retries).
    #[error("{0}")]
    Api(Box<ApiError>),

    /// The server was rate limiting and named a wait longer than the configured maximum
    /// total wait, so the client stopped instead of sleeping.
    #[error(
        "{operation}: rate limited and the server asks to wait {}s, beyond the configured maximum wait of {}s ({source})",
        wait.as_secs_f64().ceil(),
        max_wait.as_secs_f64()
    )]
    WaitTooLong {
        /// The operation id.
        operation: &'static str,
        /// What the server asked for.
        wait: Duration,
        /// The configured bound.
        max_wait: Duration,
        /// The 429 response.
        source: Box<ApiError>,
    },

    /// Minting an access token failed; no Management API request was sent.
    #[error("{0}")]
    Token(Box<TokenError>),

    /// The request did not complete at the HTTP level (connect error, timeout, reset
    /// connection, unreadable body), after any retries.
    #[error("{operation}: transport error after {attempts} attempt(s): {source}")]
    Transport {
        /// The operation id (`oauth.token` for the token endpoint).
        operation: &'static str,
        /// How many attempts were made.
        attempts: u32,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
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
    /// The HTTP status, for API and token errors.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::WaitTooLong { source, .. } => Some(source.status),
            Error::Token(e) => e.status,
            Error::Transport { source, .. } => source.status(),
            Error::Decode(d) => Some(d.status),
            _ => None,
        }
    }

    /// The API error, when the server answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            Error::WaitTooLong { source, .. } => Some(source),
            _ => None,
        }
    }

    /// Auth0's `errorCode` (API errors) or OAuth `error` (token errors).
    pub fn error_code(&self) -> Option<&str> {
        match self {
            Error::Token(t) => t.error.as_deref(),
            _ => self.api().and_then(|e| e.body.error_code.as_ref()).map(ErrorCode::as_str),
        }
    }

    /// 404 from the API.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND) && !matches!(self, Error::Token(_))
    }

    /// 429 (from the API or the token endpoint), including a refused over-long wait.
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, Error::WaitTooLong { .. }) || self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// The call was refused locally before anything was sent.
    pub fn is_denied(&self) -> bool {
        matches!(self, Error::Denied(_))
    }

    /// The request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Transport { source, .. } if source.is_timeout())
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

    /// The wait the server named (`Retry-After`, else `x-ratelimit-reset`), if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::WaitTooLong { wait, .. } => Some(*wait),
            _ => self.rate_limit().and_then(|r| r.server_wait(std::time::SystemTime::now())),
        }
    }

    /// The rate-limit state of the failing response, when there was one.
    pub fn rate_limit(&self) -> Option<&RateLimit> {
        match self {
            Error::Api(e) => Some(&e.rate_limit),
            Error::WaitTooLong { source, .. } => Some(&source.rate_limit),
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
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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

/// An error answer from the Management API.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ApiError {
    /// The operation id (e.g. `users.get`).
    pub operation: &'static str,
    /// The HTTP status.
    pub status: StatusCode,
    /// The decoded Auth0 error body (all `None` when the body was not Auth0 JSON).
    pub body: ErrorBody,
    /// The body as text when it was not an Auth0 JSON error (HTML from a proxy, empty,
    /// truncated), cut to 2 KiB.
    pub raw_body: Option<String>,
    /// The rate-limit headers of the response.
    pub rate_limit: RateLimit,
    /// How many attempts were made.
    pub attempts: u32,
}

const RAW_BODY_LIMIT: usize = 2048;

impl ApiError {
    /// Builds the error from a response body, keeping the raw text when it is not an
    /// Auth0 error object.
    pub(crate) fn from_body(
        operation: &'static str,
        status: StatusCode,
        bytes: &[u8],
        rate_limit: RateLimit,
        attempts: u32,
    ) -> ApiError {
        let body = serde_json::from_slice::<ErrorBody>(bytes).ok();
        let parsed = body.as_ref().is_some_and(|b| b.message.is_some() || b.error.is_some() || b.status_code.is_some());
        ApiError {
            operation,
            status,
            raw_body: (!parsed).then(|| truncate_text(bytes, RAW_BODY_LIMIT)),
            body: if parsed { body.unwrap_or_default() } else { ErrorBody::default() },
            rate_limit,
            attempts,
        }
    }

    /// The `errorCode`, if the server sent one.
    pub fn error_code(&self) -> Option<&ErrorCode> {
        self.body.error_code.as_ref()
    }

    /// The human-readable message (Auth0's `message`, else the start of the raw body).
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
            let snippet: String = raw.chars().take(200).collect();
            let snippet = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
            if snippet.is_empty() {
                write!(f, ": empty body")?;
            } else {
                write!(f, ": non-JSON body: {snippet}")?;
            }
        }
        if self.attempts > 1 {
            write!(f, " [{} after {} attempts]", self.operation, self.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// The token endpoint refused to mint an access token (OAuth error body).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TokenError {
    /// The HTTP status, when there was a response.
    pub status: Option<StatusCode>,
    /// OAuth `error` (e.g. `access_denied`, `invalid_client`, `unauthorized_client`).
    pub error: Option<String>,
    /// OAuth `error_description`.
    pub error_description: Option<String>,
    /// OAuth `error_uri`.
    pub error_uri: Option<String>,
    /// The raw body when it was not an OAuth error object, cut to 2 KiB.
    pub raw_body: Option<String>,
    /// Rate-limit and quota headers of the response.
    pub rate_limit: RateLimit,
}

#[derive(Deserialize)]
struct OAuthErrorBody {
    error: Option<String>,
    error_description: Option<String>,
    error_uri: Option<String>,
}

impl TokenError {
    pub(crate) fn from_body(status: StatusCode, bytes: &[u8], rate_limit: RateLimit) -> TokenError {
        match serde_json::from_slice::<OAuthErrorBody>(bytes) {
            Ok(b) if b.error.is_some() || b.error_description.is_some() => TokenError {
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
                raw_body: Some(truncate_text(bytes, RAW_BODY_LIMIT)),
                rate_limit,
            },
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
            let snippet: String = raw.chars().take(200).collect();
            write!(f, ": non-JSON body: {}", snippet.split_whitespace().collect::<Vec<_>>().join(" "))?;
        }
        Ok(())
    }
}

impl std::error::Error for TokenError {}

/// Why a call was refused before anything was sent. Made by an
/// [`Interceptor`](crate::Interceptor) such as the `auth0-mgmt-policy` guard.
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
}

impl Denial {
    /// A denial with a machine code and a human reason.
    pub fn new(operation: &'static str, code: impl Into<String>, reason: impl Into<String>) -> Denial {
        Denial { operation, code: code.into(), reason: reason.into(), dry_run: false }
    }

    /// An allowed write that was not executed because the caller runs in dry-run mode.
    pub fn dry_run(operation: &'static str) -> Denial {
        Denial { operation, code: "dry_run".into(), reason: "not executed: dry run".into(), dry_run: true }
    }
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.dry_run {
            write!(f, "{}: not executed: dry run (nothing was sent)", self.operation)
        } else {
            write!(f, "{}: denied ({}): {} (nothing was sent)", self.operation, self.code, self.reason)
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
    /// The JSON path that failed (e.g. `users[3].identities[0].provider`), `.` for the root.
    pub path: String,
    /// What was wrong.
    pub message: String,
}

/// Text of a body for diagnostics: lossy UTF-8, control characters replaced, bounded.
pub(crate) fn truncate_text(bytes: &[u8], limit: usize) -> String {
    let cut = &bytes[..bytes.len().min(limit)];
    String::from_utf8_lossy(cut)
        .chars()
        .map(|c| if c.is_control() && c != '\n' && c != '\t' { '\u{fffd}' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_reads_like_auth0() {
        let e = ApiError::from_body(
            "users.get",
            StatusCode::NOT_FOUND,
            br#"{"statusCode":404,"error":"Not Found","message":"The user does not exist.","errorCode":"inexistent_user"}"#,
            RateLimit::default(),
            1,
        );
        assert_eq!(e.to_string(), "404 Not Found (inexistent_user): The user does not exist.");
        let e = Error::Api(Box::new(e));
        assert!(e.is_not_found());
        assert_eq!(e.error_code(), Some("inexistent_user"));
    }

    #[test]
    fn html_and_empty_bodies_are_kept_raw() {
        let e = ApiError::from_body(
            "users.get",
            StatusCode::BAD_GATEWAY,
            b"<html><body>Bad Gateway</body></html>",
            RateLimit::default(),
            1,
        );
        assert_eq!(e.raw_body.as_deref(), Some("<html><body>Bad Gateway</body></html>"));
        assert!(e.to_string().starts_with("502 Bad Gateway: non-JSON body: <html>"));
        let e = ApiError::from_body("users.get", StatusCode::SERVICE_UNAVAILABLE, b"", RateLimit::default(), 3);
        assert_eq!(e.to_string(), "503 Service Unavailable: empty body [users.get after 3 attempts]");
    }

    #[test]
    fn error_is_small() {
        assert!(std::mem::size_of::<Error>() <= 56, "{}", std::mem::size_of::<Error>());
    }
}
