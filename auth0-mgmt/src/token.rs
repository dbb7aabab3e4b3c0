//! Access tokens for the Management API: minting with the client-credentials grant,
//! caching, refreshing ahead of expiry (by a margin capped at half the granted
//! lifetime), single-flight (one mint for any number of concurrent callers, sharing its
//! token or its failure), the expiry check of every token before use
//! ([`CLOCK_SKEW_LEEWAY`]), and the [`TokenSource`] trait for plugging in a shared
//! cache. Minting goes through the same transport as API calls (`src/transport/`).
//!
//! The Management API's M2M token quota is per tenant: many agents that each mint their
//! own token will exhaust it. Horizontally scaled deployments should share tokens
//! through a custom [`TokenSource`] (e.g. backed by a cache service), which the
//! [`ClientBuilder`](crate::ClientBuilder) accepts via
//! [`token_source`](crate::ClientBuilder::token_source).

use std::collections::BTreeSet;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use futures::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use tokio::time::Instant;
use url::Url;

use crate::catalog::OAUTH_TOKEN;
use crate::error::{Error, Result, TokenError};
use crate::retry::Budget;
use crate::transport::{Call, Endpoint, Transport};

/// The scopes granted to an access token.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Scopes(Arc<BTreeSet<String>>);

impl Scopes {
    /// Parses a space-separated scope string (`"read:users update:users"`).
    pub fn from_space_separated(s: &str) -> Scopes {
        s.split_whitespace().map(str::to_owned).collect()
    }

    /// Whether `scope` is granted.
    pub fn contains(&self, scope: &str) -> bool {
        self.0.contains(scope)
    }

    /// The scopes of `required` that are not granted, in the order given.
    pub fn missing<'a>(&self, required: &[&'a str]) -> Vec<&'a str> {
        required.iter().copied().filter(|s| !self.contains(s)).collect()
    }

    /// Iterates the scopes in sorted order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// The number of scopes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when no scope is granted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<S: Into<String>> FromIterator<S> for Scopes {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        Scopes(Arc::new(iter.into_iter().map(Into::into).collect()))
    }
}

impl fmt::Debug for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.iter().collect::<Vec<_>>().join(" "))
    }
}

/// How far past its expiry a token is still sent: clocks of the client, of the machine
/// that minted a static token and of the server disagree by a few seconds in practice.
/// A token further past its JWT `exp` (or the lifetime it was handed out with) is refused
/// locally with [`Error::TokenExpired`].
pub const CLOCK_SKEW_LEEWAY: Duration = Duration::from_secs(60);

/// A bearer token with its granted scopes and expiry. Its `Debug` never shows the token.
#[derive(Clone)]
pub struct AccessToken {
    secret: SecretString,
    scopes: Scopes,
    expiry: Option<Expiry>,
}

/// When a token expires, on the monotonic clock (tokio's, so tests can pause it).
#[derive(Clone, Copy, Debug)]
struct Expiry {
    /// When the token was wrapped.
    created: Instant,
    /// Its lifetime from `created` (zero when it had expired already).
    lifetime: Duration,
    /// How long it had been expired when it was wrapped (zero when it had not).
    expired_before: Duration,
}

impl AccessToken {
    /// Wraps a token. When `scopes` is `None` they are read from the JWT `scope` claim
    /// (empty if the token is not a JWT). When `expires_in` is `None` the JWT `exp`
    /// claim is used (an `exp` in the past makes an expired token), else the token is
    /// treated as not expiring.
    pub fn new(token: impl Into<String>, expires_in: Option<Duration>, scopes: Option<Scopes>) -> AccessToken {
        let token: String = token.into();
        let claims = jwt_claims(&token);
        let scopes = scopes.unwrap_or_else(|| claims.as_ref().map(scopes_from_claims).unwrap_or_default());
        let created = Instant::now();
        let expiry = match expires_in {
            Some(lifetime) => Some(Expiry { created, lifetime, expired_before: Duration::ZERO }),
            None => claims.as_ref().and_then(|c| c.get("exp")).and_then(exp_seconds).map(|exp| {
                let exp = UNIX_EPOCH.checked_add(Duration::from_secs(exp)).unwrap_or(SystemTime::UNIX_EPOCH);
                let now = SystemTime::now();
                match exp.duration_since(now) {
                    Ok(lifetime) => Expiry { created, lifetime, expired_before: Duration::ZERO },
                    Err(past) => Expiry { created, lifetime: Duration::ZERO, expired_before: past.duration() },
                }
            }),
        };
        AccessToken { secret: SecretString::from(token), scopes, expiry }
    }

    /// The granted scopes.
    pub fn scopes(&self) -> &Scopes {
        &self.scopes
    }

    /// When the token expires (monotonic clock), if known.
    pub fn expires_at(&self) -> Option<Instant> {
        self.expiry.map(|e| {
            if e.expired_before.is_zero() {
                e.created.checked_add(e.lifetime).unwrap_or_else(|| far_future(e.created))
            } else {
                e.created.checked_sub(e.expired_before).unwrap_or(e.created)
            }
        })
    }

    /// The lifetime the token was handed out with (from when it was wrapped), if known.
    pub fn lifetime(&self) -> Option<Duration> {
        self.expiry.map(|e| e.lifetime)
    }

    /// Whether the token expires within `margin` from now (an expired token does).
    pub fn expires_within(&self, margin: Duration) -> bool {
        self.expiry
            .is_some_and(|e| !e.expired_before.is_zero() || e.lifetime.saturating_sub(e.created.elapsed()) <= margin)
    }

    /// How long ago the token expired, if it has.
    pub(crate) fn expired_for(&self) -> Option<Duration> {
        let e = self.expiry?;
        let elapsed = e.created.elapsed();
        if !e.expired_before.is_zero() {
            Some(e.expired_before.saturating_add(elapsed))
        } else {
            elapsed.checked_sub(e.lifetime).filter(|d| !d.is_zero())
        }
    }

    /// The token itself, for [`TokenSource`] implementations that store tokens elsewhere.
    /// The [`Client`](crate::Client) never hands tokens out.
    pub fn expose_secret(&self) -> &str {
        self.secret.expose_secret()
    }

    pub(crate) fn same_token(&self, other: &AccessToken) -> bool {
        self.secret.expose_secret() == other.secret.expose_secret()
    }
}

/// An instant so far ahead that it never comes (for lifetimes beyond what `Instant`
/// can represent).
fn far_future(from: Instant) -> Instant {
    from.checked_add(Duration::from_secs(100 * 365 * 86_400)).unwrap_or(from)
}

/// The JWT `exp` claim as whole seconds (tolerating floats; negatives are the epoch).
fn exp_seconds(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64().filter(|f| f.is_finite()).map(|f| if f <= 0.0 { 0 } else { f.min(u64::MAX as f64) as u64 })
        }),
        _ => None,
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &"[REDACTED]")
            .field("scopes", &self.scopes)
            .field("expires_at", &self.expires_at())
            .finish()
    }
}

/// Where the client gets its bearer tokens.
///
/// Implement it to share tokens between processes (the M2M token quota is per
/// tenant). `token` is called before every request, so it must be cheap when a valid
/// token is cached; `invalidate` is called when the API rejected a token with 401.
/// Whatever a source hands out is checked before use: a token past its expiry (by more
/// than [`CLOCK_SKEW_LEEWAY`]) is refused with [`Error::TokenExpired`], nothing sent.
///
/// ```
/// use auth0_mgmt::{AccessToken, TokenSource, Result};
/// use futures::future::BoxFuture;
///
/// #[derive(Debug)]
/// struct FromEnvironment;
///
/// impl TokenSource for FromEnvironment {
///     fn token(&self) -> BoxFuture<'_, Result<AccessToken>> {
///         Box::pin(async {
///             let raw = std::env::var("AUTH0_TOKEN").unwrap_or_default();
///             Ok(AccessToken::new(raw, None, None))
///         })
///     }
/// }
/// ```
pub trait TokenSource: Send + Sync + fmt::Debug + 'static {
    /// A valid token (minting or fetching one if needed).
    fn token(&self) -> BoxFuture<'_, Result<AccessToken>>;

    /// Like [`token`](TokenSource::token), for a call that may wait at most `max_wait`
    /// more (what is left of its [`max_total_wait`](crate::RetryConfig::max_total_wait)):
    /// a source that waits between retries of the token endpoint keeps those waits
    /// within `max_wait` ([`Error::WaitTooLong`] when the next one does not fit). The
    /// client calls this one and counts the time it takes against the call's budget: a
    /// token that came later than `max_wait` ends the call with
    /// [`Error::WaitTooLong`] (waiting for [`WaitFor::Token`](crate::WaitFor::Token)).
    /// The default calls `token`.
    fn token_within(&self, max_wait: Duration) -> BoxFuture<'_, Result<AccessToken>> {
        let _ = max_wait;
        self.token()
    }

    /// The API answered 401 to `rejected`: drop it from any cache so that the next
    /// [`token`](TokenSource::token) call gets a fresh one.
    fn invalidate(&self, rejected: &AccessToken) {
        let _ = rejected;
    }
}

/// A fixed token (e.g. one minted elsewhere). It is never refreshed: once its JWT `exp`
/// is past (by more than [`CLOCK_SKEW_LEEWAY`]), calls fail with
/// [`Error::TokenExpired`] and nothing is sent.
#[derive(Debug, Clone)]
pub struct StaticToken(AccessToken);

impl StaticToken {
    /// Wraps a raw token; scopes and expiry are read from its JWT claims when present.
    pub fn new(token: impl Into<String>) -> StaticToken {
        StaticToken(AccessToken::new(token, None, None))
    }
}

impl From<AccessToken> for StaticToken {
    fn from(t: AccessToken) -> Self {
        StaticToken(t)
    }
}

impl TokenSource for StaticToken {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken>> {
        Box::pin(async move { Ok(self.0.clone()) })
    }
}

/// Mints tokens with the client-credentials grant on the client's own transport, caches
/// them, refreshes them ahead of expiry, and lets exactly one task mint at a time.
///
/// * **Single flight**: tasks that find no usable token queue for one mint and share
///   its token (64 concurrent first calls cause one mint), whatever its lifetime.
/// * **Refresh ahead** by the configured margin, capped at half the lifetime the server
///   granted: a 24 h token is replaced 5 min before it expires, a 3 s token after 1.5 s,
///   so even a very short lifetime costs one mint per half lifetime, however many calls
///   run. One task refreshes while the others keep using the valid token; when the
///   refresh fails the valid token is kept and the refresh is tried again later (after
///   a quarter of what is left of its life, at most 5 s).
///
/// The client builds one from [`ClientBuilder::client_credentials`](crate::ClientBuilder::client_credentials).
/// Build one yourself with [`ClientBuilder::build_client_credentials`](crate::ClientBuilder::build_client_credentials)
/// to wrap it in a token source of your own (a cache shared by several processes mints
/// with [`mint`](Self::mint) and falls back to this source's own cache). Its `Debug`
/// never shows the secret or a token.
pub struct ClientCredentials {
    transport: Arc<Transport>,
    token_url: Url,
    client_id: String,
    client_secret: SecretString,
    audience: String,
    margin: Duration,
    state: Mutex<CacheState>,
    mint_lock: tokio::sync::Mutex<()>,
    mints: AtomicU64,
}

/// However short a lifetime the server grants (0, or a JWT `exp` already past because
/// its clock is behind ours), a minted token is used this long before another is minted;
/// and after a 401 dropped one token, the next 401 drops its successor only this much
/// later. Either way: at most one mint a second, however many calls run.
const MIN_MINT_INTERVAL: Duration = Duration::from_secs(1);

#[derive(Default)]
struct CacheState {
    token: Option<AccessToken>,
    /// When the cached token was minted.
    minted_at: Option<Instant>,
    /// When a 401 last made [`TokenSource::invalidate`] drop the cached token.
    invalidated_at: Option<Instant>,
    /// Bumped by every successful mint.
    generation: u64,
    /// A failed refresh ahead of expiry is not tried again before this.
    refresh_not_before: Option<Instant>,
    /// Bumped by every failed mint, with what the failure said.
    failures: u64,
    last_failure: Option<TokenError>,
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.token_url.as_str())
            .field("client_id", &self.client_id)
            .field("client_secret", &"[REDACTED]")
            .field("audience", &self.audience)
            .field("margin", &self.margin)
            .field("mints", &self.mints.load(Ordering::Relaxed))
            .finish()
    }
}

impl ClientCredentials {
    pub(crate) fn new(
        transport: Arc<Transport>,
        token_url: Url,
        client_id: String,
        client_secret: SecretString,
        audience: String,
        margin: Duration,
    ) -> Self {
        ClientCredentials {
            transport,
            token_url,
            client_id,
            client_secret,
            audience,
            margin,
            state: Mutex::new(CacheState::default()),
            mint_lock: tokio::sync::Mutex::new(()),
            mints: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The refresh-ahead margin for `token`: the configured one, capped at half the
    /// lifetime granted.
    fn margin_for(&self, token: &AccessToken) -> Duration {
        token.lifetime().map_or(self.margin, |l| self.margin.min(l / 2))
    }

    async fn get(&self, max_wait: Duration) -> Result<AccessToken> {
        let start = Instant::now();
        let (cached, generation, failures, not_before, minted_at) = {
            let st = self.lock();
            (st.token.clone(), st.generation, st.failures, st.refresh_not_before, st.minted_at)
        };
        if let Some(t) = cached {
            let young = minted_at.is_some_and(|at| at.elapsed() < MIN_MINT_INTERVAL);
            if young || !t.expires_within(self.margin_for(&t)) {
                return Ok(t);
            }
            // Close to expiry but still valid: one task refreshes, the others keep using it.
            if !t.expires_within(Duration::ZERO) {
                if not_before.is_some_and(|at| Instant::now() < at) {
                    return Ok(t);
                }
                if let Ok(_guard) = self.mint_lock.try_lock() {
                    if let Some(fresh) = self.minted_since(generation) {
                        return Ok(fresh);
                    }
                    // One attempt, no waits: the call has a valid token and goes on with it.
                    return match self.mint_with(self.transport.budget_within(Duration::ZERO)).await {
                        Ok(new) => Ok(new),
                        Err(e) => {
                            // The current token is still good: keep it, try again later.
                            tracing::warn!(error = %e, "refreshing the access token ahead of expiry failed");
                            let left = t
                                .expires_at()
                                .map_or(Duration::ZERO, |at| at.saturating_duration_since(Instant::now()));
                            self.lock().refresh_not_before =
                                Some(Instant::now() + (left / 4).min(Duration::from_secs(5)));
                            Ok(t)
                        }
                    };
                }
                return Ok(t);
            }
        }
        // No timer races this wait (under a paused test clock it would fire while the
        // mint in flight waits for its answer): the mint holds the lock for at most its
        // own budget of waits and attempts, and the client counts the time this takes
        // against the call's budget.
        let _guard = self.mint_lock.lock().await;
        // A mint that finished while this task queued for it is shared, whatever the
        // lifetime of its token: that is the single flight. So is a failure: the tasks
        // that queued behind a failed mint fail with it instead of minting again one by
        // one (each with its own retries) against a token endpoint that is down.
        if let Some(fresh) = self.minted_since(generation) {
            return Ok(fresh);
        }
        if let Some(failure) = self.failed_since(failures) {
            return Err(Error::Token(Box::new(failure)));
        }
        // Its waits within what is left of the call's budget.
        let left = max_wait.saturating_sub(start.elapsed());
        let result = self.mint_with(self.transport.budget_within(left)).await;
        if let Err(e) = &result {
            let mut st = self.lock();
            st.failures = st.failures.wrapping_add(1);
            st.last_failure = Some(TokenError::shared(e));
        }
        result
    }

    /// What the last failed mint said, if one failed after `failures`.
    fn failed_since(&self, failures: u64) -> Option<TokenError> {
        let st = self.lock();
        if st.failures != failures { st.last_failure.clone() } else { None }
    }

    /// The cached token, if a mint succeeded after `generation`.
    fn minted_since(&self, generation: u64) -> Option<AccessToken> {
        let st = self.lock();
        if st.generation != generation { st.token.clone() } else { None }
    }

    /// The client id (of the machine-to-machine application).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The audience tokens are requested for (`https://{domain}/api/v2/` by default).
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// The token endpoint (`https://{domain}/oauth/token`).
    pub fn token_url(&self) -> &str {
        self.token_url.as_str()
    }

    /// The client secret — for deriving keys from it (e.g. to encrypt tokens kept in a
    /// shared cache). It is sent only to the token endpoint; never log it.
    pub fn client_secret(&self) -> &SecretString {
        &self.client_secret
    }

    /// The configured refresh-ahead margin (capped, per token, at half its lifetime).
    pub fn refresh_margin(&self) -> Duration {
        self.margin
    }

    /// Token requests sent so far (each mint attempt counts once, whatever its retries).
    pub fn mints(&self) -> u64 {
        self.mints.load(Ordering::Relaxed)
    }

    /// Mints a token now — one token request (with the transport's retries), whatever
    /// the cache holds — and caches it. No single flight here: a caller that shares the
    /// result between tasks or processes makes sure one of them mints.
    pub async fn mint(&self) -> Result<AccessToken> {
        self.mint_with(self.transport.budget()).await
    }

    async fn mint_with(&self, mut budget: Budget) -> Result<AccessToken> {
        let body = serde_json::json!({
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret.expose_secret(),
            "audience": self.audience,
        });
        let bytes = serde_json::to_vec(&body).map_err(|source| Error::Encode { operation: OAUTH_TOKEN, source })?;
        self.mints.fetch_add(1, Ordering::Relaxed);
        let call = Call {
            operation: OAUTH_TOKEN,
            endpoint: Endpoint::Token,
            method: reqwest::Method::POST,
            url: &self.token_url,
            body: Some(bytes::Bytes::from(bytes)),
            bearer: None,
            body_secret: Some(self.client_secret.expose_secret()),
            // A POST, but minting twice is harmless: retried like an idempotent call.
            idempotent: true,
            // The token endpoint has its own quota: not paced with the API.
            pacer: None,
        };
        let answer = self.transport.send(&call, &mut budget).await?;
        if !answer.status.is_success() {
            return Err(self.transport.error_for(&call, &answer));
        }
        let token = parse_token_response(&answer.body).map_err(|what| {
            Error::Token(Box::new(TokenError::malformed(answer.status, what, answer.rate_limit.clone())))
        })?;
        let mut st = self.lock();
        st.token = Some(token.clone());
        st.minted_at = Some(Instant::now());
        st.generation = st.generation.wrapping_add(1);
        st.refresh_not_before = None;
        Ok(token)
    }
}

impl TokenSource for ClientCredentials {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken>> {
        Box::pin(self.get(self.transport.budget().max_total_wait))
    }

    fn token_within(&self, max_wait: Duration) -> BoxFuture<'_, Result<AccessToken>> {
        Box::pin(self.get(max_wait))
    }

    /// Drops `rejected` so that the next call mints — unless a 401 dropped its
    /// predecessor less than a second ago: a tenant that rejects every token gets one
    /// mint a second, not one per call (the calls fail with the 401 meanwhile).
    fn invalidate(&self, rejected: &AccessToken) {
        let mut st = self.lock();
        let now = Instant::now();
        let recently = st.invalidated_at.is_some_and(|at| now.saturating_duration_since(at) < MIN_MINT_INTERVAL);
        if st.token.as_ref().is_some_and(|t| t.same_token(rejected)) && !recently {
            st.token = None;
            st.invalidated_at = Some(now);
        }
    }
}

/// Parses `{"access_token","token_type","expires_in","scope"}`. Tolerates missing
/// `scope` (falls back to the JWT claim) and odd number formats.
pub(crate) fn parse_token_response(body: &[u8]) -> std::result::Result<AccessToken, &'static str> {
    let v: Value = serde_json::from_slice(body).map_err(|_| "the body is not JSON")?;
    let token = v.get("access_token").and_then(Value::as_str).filter(|t| !t.is_empty()).ok_or("no access_token")?;
    // What an `Authorization` header cannot carry (as `HeaderValue` checks it).
    if token.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        return Err("the access_token holds control characters");
    }
    if let Some(tt) = v.get("token_type").and_then(Value::as_str)
        && !tt.eq_ignore_ascii_case("bearer")
    {
        return Err("token_type is not Bearer");
    }
    // A negative lifetime is an expired token (lifetime 0), not one that never expires.
    let expires_in = v.get("expires_in").and_then(|e| match e {
        Value::Number(n) => {
            n.as_u64().or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f.clamp(0.0, u32::MAX as f64) as u64))
        }
        Value::String(s) => {
            let s = s.trim();
            s.parse::<u64>().ok().or_else(|| s.parse::<i64>().ok().map(|n| n.max(0).unsigned_abs()))
        }
        _ => None,
    });
    let scopes = v.get("scope").and_then(Value::as_str).map(Scopes::from_space_separated);
    Ok(AccessToken::new(token, expires_in.map(|s| Duration::from_secs(s.min(10 * 365 * 86400))), scopes))
}

/// The claims of a JWT, without verifying it (the client only reads `scope` and `exp`
/// of its own token; the server verifies).
fn jwt_claims(token: &str) -> Option<serde_json::Map<String, Value>> {
    let mut parts = token.split('.');
    let (_header, payload, _sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

fn scopes_from_claims(claims: &serde_json::Map<String, Value>) -> Scopes {
    match claims.get("scope") {
        Some(Value::String(s)) => Scopes::from_space_separated(s),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Scopes::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let p = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload);
        format!("eyJhbGciOiJub25lIn0.{p}.sig")
    }

    #[test]
    fn scopes_from_response_then_jwt() {
        let t = parse_token_response(
            br#"{"access_token":"abc","token_type":"Bearer","expires_in":86400,"scope":"read:users update:users"}"#,
        )
        .unwrap();
        assert!(t.scopes().contains("read:users") && t.scopes().contains("update:users"));
        assert_eq!(t.scopes().missing(&["read:users", "delete:users"]), vec!["delete:users"]);
        let body = format!(
            r#"{{"access_token":"{}","token_type":"Bearer","expires_in":60}}"#,
            jwt(r#"{"scope":"read:logs"}"#)
        );
        let t = parse_token_response(body.as_bytes()).unwrap();
        assert_eq!(t.scopes().iter().collect::<Vec<_>>(), ["read:logs"]);
    }

    #[test]
    fn malformed_token_responses_are_errors_not_panics() {
        for body in [
            &b""[..],
            b"null",
            b"[]",
            b"{}",
            b"{\"access_token\":5}",
            b"<html>",
            b"{\"access_token\":\"x\",\"token_type\":\"mac\"}",
        ] {
            assert!(parse_token_response(body).is_err(), "{}", String::from_utf8_lossy(body));
        }
        let t = parse_token_response(br#"{"access_token":"x","expires_in":1e300}"#).unwrap();
        assert!(t.expires_at().is_some());
        assert!(jwt_claims("a.!!!.c").is_none());
    }

    #[test]
    fn debug_hides_the_token() {
        let t = AccessToken::new("super-secret-token", Some(Duration::from_secs(5)), None);
        let dbg = format!("{t:?}");
        assert!(!dbg.contains("super-secret-token"), "{dbg}");
    }
}
