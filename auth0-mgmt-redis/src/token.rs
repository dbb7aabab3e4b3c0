//! [`RedisTokenSource`]: one access token per (tenant, client id, audience) for every
//! process, minted by one of them.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use auth0_mgmt::{AccessToken, ClientCredentials, Error, Result, Scopes, TokenError, TokenSource};
use futures::future::BoxFuture;
use redis::Script;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::crypto::Sealer;
use crate::keys::Keys;
use crate::store::{Store, StoreError};

/// A token with less than this left is not taken from Redis (it would expire in use).
const MIN_LEFT: Duration = Duration::from_secs(1);

/// `{token, TTL}` of a key in one step.
const READ: &str = "return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}";
/// Compare-and-delete: removes the key only while it still holds `ARGV[1]`.
const DELETE_IF: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
/// Extends the lock only while this process still holds it.
const RENEW_IF: &str =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";

/// What is sealed under the token key.
#[derive(Serialize, Deserialize)]
struct Record {
    access_token: String,
    scope: String,
    /// The lifetime the token endpoint granted, for the refresh margin (half of it at most).
    lifetime_ms: u64,
}

/// Settings of a [`RedisTokenSource`] (part of [`SharedConfig`](crate::SharedConfig)).
#[derive(Clone, Copy, Debug)]
pub(crate) struct TokenSettings {
    pub(crate) poll: Duration,
    pub(crate) lock_ttl: Duration,
    pub(crate) mint_wait: Duration,
}

/// A [`TokenSource`] that shares one access token between every process of a
/// deployment through Redis.
///
/// * **One mint for all.** A process without a token reads Redis; when no usable token
///   is there it takes the mint lock (`SET NX PX`, renewed while the mint runs, released
///   by compare-and-delete) and mints with the wrapped [`ClientCredentials`]; the other
///   processes poll every few tens of milliseconds (with jitter) until the token is there.
///   Inside a process one task does this while the others wait for it (64 concurrent
///   first calls in each of 4 processes: one mint).
/// * **Refresh ahead, once.** Each process keeps the token in memory and looks at Redis
///   again when it is due for refresh (the margin of the `ClientCredentials`, capped at
///   half the granted lifetime): it takes a newer token another process stored, or takes
///   the lock and refreshes while everyone keeps using the valid token.
/// * **A 401 invalidates once.** [`invalidate`](TokenSource::invalidate) forgets the
///   token locally; the next call deletes it from Redis only if Redis still holds that
///   very token (compare-and-delete of the sealed value), so two processes that see the
///   same 401 cause one mint, not two.
/// * **Sealed.** The token is stored encrypted (XChaCha20-Poly1305, key derived with
///   HKDF-SHA256 from the client secret and the deployment name): reading Redis yields no
///   usable token. Nothing secret is logged.
/// * **Redis trouble never stops calls.** When Redis fails or does not answer within the
///   timeout, the process keeps its valid token, mints with its local `ClientCredentials`
///   when it needs one (one warning per outage), and rejoins when Redis answers again —
///   publishing its valid token there if Redis has none (`SET NX`).
///
/// Built by [`Shared::connect`](crate::Shared::connect).
pub struct RedisTokenSource {
    store: Arc<Store>,
    minter: Arc<ClientCredentials>,
    key: String,
    lock_key: String,
    sealer: Sealer,
    settings: TokenSettings,
    owner: String,
    cache: Mutex<Cache>,
    /// One task per process talks to Redis about the token at a time.
    flight: tokio::sync::Mutex<()>,
    read: Script,
    delete_if: Script,
}

#[derive(Default)]
struct Cache {
    current: Option<Held>,
    /// Bumped whenever `current` is replaced by a newly obtained token.
    generation: u64,
    /// Bumped by every failed attempt to obtain one, with what it said.
    failures: u64,
    last_failure: Option<TokenError>,
    /// The token the API rejected with 401, until Redis is rid of it.
    rejected: Option<AccessToken>,
    /// The store's rejoin count when this process last published its token.
    synced: u64,
}

#[derive(Clone)]
struct Held {
    token: AccessToken,
    /// The sealed value read from (or written to) Redis; `None` for a token minted
    /// locally while Redis was down.
    sealed: Option<Vec<u8>>,
    /// When to look for a fresh token.
    refresh_at: Instant,
    /// After a refresh that another process runs (or that failed): not before this.
    recheck_at: Option<Instant>,
}

impl fmt::Debug for RedisTokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTokenSource")
            .field("key", &self.key)
            .field("minter", &self.minter)
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl RedisTokenSource {
    pub(crate) fn new(
        store: Arc<Store>,
        minter: Arc<ClientCredentials>,
        keys: &Keys,
        settings: TokenSettings,
    ) -> RedisTokenSource {
        let sealer = Sealer::new(
            minter.client_secret(),
            &[keys.deployment(), minter.token_url(), minter.client_id(), minter.audience()],
            &keys.token,
        );
        RedisTokenSource {
            store,
            minter,
            key: keys.token.clone(),
            lock_key: keys.token_lock.clone(),
            sealer,
            settings,
            owner: format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..)),
            cache: Mutex::new(Cache::default()),
            flight: tokio::sync::Mutex::new(()),
            read: Script::new(READ),
            delete_if: Script::new(DELETE_IF),
        }
    }

    /// The local minter (and fallback token source).
    pub fn client_credentials(&self) -> &ClientCredentials {
        &self.minter
    }

    fn lock(&self) -> MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn get(&self) -> Result<AccessToken> {
        let now = Instant::now();
        let (held, generation, failures, unsynced) = {
            let c = self.lock();
            let unsynced = c.synced != self.store.rejoins() && self.store.is_up();
            (c.current.clone(), c.generation, c.failures, unsynced)
        };
        if let Some(h) = held.filter(|h| !h.token.expires_within(Duration::ZERO)) {
            let due = now >= h.refresh_at && h.recheck_at.is_none_or(|at| now >= at);
            if !due && !unsynced {
                return Ok(h.token);
            }
            // One task refreshes (or publishes after a rejoin); the others keep the token.
            let Ok(_flight) = self.flight.try_lock() else { return Ok(h.token) };
            if let Some(fresh) = self.obtained_since(generation) {
                return Ok(fresh);
            }
            if unsynced {
                self.publish(&h).await;
            }
            if !due {
                return Ok(h.token);
            }
            return Ok(self.refresh(h).await);
        }
        let _flight = self.flight.lock().await;
        // A token obtained while this task queued is shared; so is a failure (the tasks
        // behind a failed mint do not mint again one by one).
        if let Some(fresh) = self.obtained_since(generation) {
            return Ok(fresh);
        }
        if let Some(failure) = self.failed_since(failures) {
            return Err(Error::Token(Box::new(failure)));
        }
        let result = self.obtain().await;
        if let Err(e) = &result {
            let mut c = self.lock();
            c.failures = c.failures.wrapping_add(1);
            c.last_failure = Some(TokenError::shared(e));
        }
        result
    }

    fn obtained_since(&self, generation: u64) -> Option<AccessToken> {
        let c = self.lock();
        (c.generation != generation).then(|| c.current.as_ref().map(|h| h.token.clone())).flatten()
    }

    fn failed_since(&self, failures: u64) -> Option<TokenError> {
        let c = self.lock();
        if c.failures != failures { c.last_failure.clone() } else { None }
    }

    /// Keeps `token` as the current one.
    fn hold(&self, token: AccessToken, sealed: Option<Vec<u8>>, lifetime: Option<Duration>) -> AccessToken {
        let now = Instant::now();
        let left = token.expires_at().map(|at| at.saturating_duration_since(now));
        let margin =
            lifetime.or(left).map_or(self.minter.refresh_margin(), |l| self.minter.refresh_margin().min(l / 2));
        let refresh_at = match left {
            Some(left) => now + left.saturating_sub(margin),
            None => now + Duration::from_secs(3600),
        };
        let mut c = self.lock();
        if c.rejected.as_ref().is_some_and(|r| r.expose_secret() != token.expose_secret()) {
            c.rejected = None;
        }
        c.current = Some(Held { token: token.clone(), sealed, refresh_at, recheck_at: None });
        c.generation = c.generation.wrapping_add(1);
        token
    }

    /// No valid token in this process: take Redis' or mint one (one process mints).
    async fn obtain(&self) -> Result<AccessToken> {
        let deadline = Instant::now() + self.settings.mint_wait;
        loop {
            if !self.store.is_up() {
                return self.local().await;
            }
            match self.read_shared().await {
                Ok(Some(token)) => return Ok(token),
                Ok(None) => {}
                Err(_) => return self.local().await,
            }
            match self.try_lock().await {
                Ok(true) => return self.mint_shared(None).await,
                Ok(false) => {}
                Err(_) => return self.local().await,
            }
            // Another process mints: wait for its token (or for the lock to go away).
            if Instant::now() >= deadline {
                tracing::warn!(
                    waited_ms = self.settings.mint_wait.as_millis() as u64,
                    "auth0-mgmt-redis: no shared token appeared in time; minting locally"
                );
                return self.local().await;
            }
            tokio::time::sleep(jittered(self.settings.poll)).await;
        }
    }

    /// The token from this process' own `ClientCredentials` (Redis is down).
    async fn local(&self) -> Result<AccessToken> {
        let token = self.minter.token().await?;
        let lifetime = token.lifetime();
        Ok(self.hold(token, None, lifetime))
    }

    /// A usable token from Redis, kept as the current one. A sealed value holding the
    /// token this process saw rejected is deleted (only if it is still there).
    async fn read_shared(&self) -> std::result::Result<Option<AccessToken>, StoreError> {
        let (value, pttl): (Option<Vec<u8>>, i64) = self
            .store
            .run(None, |mut c| {
                let inv = self.read.key(&self.key);
                async move { inv.invoke_async(&mut c).await }
            })
            .await?;
        let Some(value) = value else { return Ok(None) };
        let Some(record) = self.sealer.open(&value).and_then(|p| serde_json::from_slice::<Record>(&p).ok()) else {
            // Another secret or deployment, or damage: as if absent (the mint overwrites it).
            tracing::debug!("auth0-mgmt-redis: the shared token does not open with this client's key");
            return Ok(None);
        };
        let rejected = self.lock().rejected.as_ref().is_some_and(|r| r.expose_secret() == record.access_token);
        if rejected {
            self.store
                .run(None, |mut c| {
                    let mut inv = self.delete_if.key(&self.key);
                    inv.arg(value.as_slice());
                    async move { inv.invoke_async::<i64>(&mut c).await }
                })
                .await?;
            return Ok(None);
        }
        let left = match u64::try_from(pttl) {
            Ok(ms) => Some(Duration::from_millis(ms)),
            Err(_) if pttl == -1 => None, // no TTL: the JWT's `exp` decides
            Err(_) => return Ok(None),    // gone meanwhile
        };
        if left.is_some_and(|l| l < MIN_LEFT) {
            return Ok(None);
        }
        let token = AccessToken::new(record.access_token, left, Some(Scopes::from_space_separated(&record.scope)));
        if token.expires_within(MIN_LEFT) {
            return Ok(None);
        }
        let lifetime = Some(Duration::from_millis(record.lifetime_ms));
        Ok(Some(self.hold(token, Some(value), lifetime)))
    }

    async fn try_lock(&self) -> std::result::Result<bool, StoreError> {
        let ttl = u64::try_from(self.settings.lock_ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let set: Option<String> = self
            .store
            .run(None, |mut c| async move {
                redis::cmd("SET")
                    .arg(&self.lock_key)
                    .arg(&self.owner)
                    .arg("NX")
                    .arg("PX")
                    .arg(ttl)
                    .query_async(&mut c)
                    .await
            })
            .await?;
        Ok(set.is_some())
    }

    /// Holding the lock: look once more, else mint, store the sealed token, release.
    /// `replacing` is the token a refresh ahead of expiry replaces: finding that same one
    /// in Redis is no reason not to mint.
    async fn mint_shared(&self, replacing: Option<&AccessToken>) -> Result<AccessToken> {
        let result = async {
            if let Ok(Some(token)) = self.read_shared().await
                && replacing.is_none_or(|old| old.expose_secret() != token.expose_secret())
            {
                return Ok(token);
            }
            let _renewal = self.renew_lock_while_minting();
            let token = self.minter.mint().await?;
            let lifetime = token.lifetime();
            let sealed = self.seal(&token, lifetime);
            let stored = match (&sealed, token.expires_at()) {
                (Some(sealed), Some(at)) => {
                    let ms = at.saturating_duration_since(Instant::now()).as_millis().max(1);
                    let ms = u64::try_from(ms).unwrap_or(u64::MAX);
                    self.store
                        .run(None, |mut c| async move {
                            redis::cmd("SET")
                                .arg(&self.key)
                                .arg(sealed.as_slice())
                                .arg("PX")
                                .arg(ms)
                                .query_async::<()>(&mut c)
                                .await
                        })
                        .await
                        .is_ok()
                }
                _ => false,
            };
            Ok(self.hold(token, sealed.filter(|_| stored), lifetime))
        }
        .await;
        self.unlock().await;
        result
    }

    fn seal(&self, token: &AccessToken, lifetime: Option<Duration>) -> Option<Vec<u8>> {
        let record = Record {
            access_token: token.expose_secret().to_owned(),
            scope: token.scopes().to_string(),
            lifetime_ms: lifetime.map_or(0, |l| u64::try_from(l.as_millis()).unwrap_or(u64::MAX)),
        };
        serde_json::to_vec(&record).ok().map(|plain| self.sealer.seal(&plain))
    }

    async fn unlock(&self) {
        let _ = self
            .store
            .run(None, |mut c| {
                let mut inv = self.delete_if.key(&self.lock_key);
                inv.arg(&self.owner);
                async move { inv.invoke_async::<i64>(&mut c).await }
            })
            .await;
    }

    /// Extends the mint lock every third of its lifetime until the guard is dropped.
    fn renew_lock_while_minting(&self) -> AbortOnDrop {
        let (store, script, key, owner) =
            (self.store.clone(), Script::new(RENEW_IF), self.lock_key.clone(), self.owner.clone());
        let ttl = self.settings.lock_ttl;
        AbortOnDrop(tokio::spawn(async move {
            let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
            loop {
                tokio::time::sleep(ttl / 3).await;
                let _ = store
                    .run(None, |mut c| {
                        let mut inv = script.key(&key);
                        inv.arg(&owner).arg(ttl_ms);
                        async move { inv.invoke_async::<i64>(&mut c).await }
                    })
                    .await;
            }
        }))
    }

    /// The current token is due for refresh: take a newer one from Redis, or refresh it
    /// (one process), keeping the current one meanwhile and on failure.
    async fn refresh(&self, held: Held) -> AccessToken {
        if self.store.is_up() {
            match self.read_shared().await {
                Ok(Some(token)) if token.expose_secret() != held.token.expose_secret() => return token,
                Ok(_) => match self.try_lock().await {
                    Ok(true) => match self.mint_shared(Some(&held.token)).await {
                        Ok(token) => return token,
                        Err(e) => {
                            tracing::warn!(error = %e, "refreshing the shared access token ahead of expiry failed")
                        }
                    },
                    Ok(false) => {}
                    Err(_) => {}
                },
                Err(_) => {}
            }
        }
        if !self.store.is_up()
            && let Ok(token) = self.local().await
        {
            return token;
        }
        // Someone else refreshes (or it failed): use the valid token, look again later.
        let left = held.token.expires_at().map_or(Duration::ZERO, |at| at.saturating_duration_since(Instant::now()));
        let again = Instant::now() + (left / 4).clamp(self.settings.poll, Duration::from_secs(1));
        let mut c = self.lock();
        if let Some(h) = c.current.as_mut().filter(|h| h.token.expose_secret() == held.token.expose_secret()) {
            h.recheck_at = Some(again);
        }
        held.token
    }

    /// After a rejoin: put this process' valid token into Redis if Redis has none.
    async fn publish(&self, held: &Held) {
        let rejoins = self.store.rejoins();
        let left = held.token.expires_at().map(|at| at.saturating_duration_since(Instant::now()));
        let sealed = held.sealed.clone().or_else(|| self.seal(&held.token, held.token.lifetime()));
        if let (Some(sealed), Some(left)) = (sealed, left.filter(|l| *l > MIN_LEFT)) {
            let ms = u64::try_from(left.as_millis()).unwrap_or(u64::MAX);
            let published = self
                .store
                .run(None, |mut c| async move {
                    redis::cmd("SET")
                        .arg(&self.key)
                        .arg(sealed.as_slice())
                        .arg("NX")
                        .arg("PX")
                        .arg(ms)
                        .query_async::<Option<String>>(&mut c)
                        .await
                })
                .await;
            if published.is_err() {
                return;
            }
        }
        self.lock().synced = rejoins;
    }
}

impl TokenSource for RedisTokenSource {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken>> {
        Box::pin(self.get())
    }

    fn invalidate(&self, rejected: &AccessToken) {
        let mut c = self.lock();
        if c.current.as_ref().is_some_and(|h| h.token.expose_secret() == rejected.expose_secret()) {
            c.current = None;
        }
        c.rejected = Some(rejected.clone());
        drop(c);
        self.minter.invalidate(rejected);
    }
}

/// `d` ± 25 %.
fn jittered(d: Duration) -> Duration {
    d.mul_f64(0.75 + fastrand::f64() / 2.0)
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
