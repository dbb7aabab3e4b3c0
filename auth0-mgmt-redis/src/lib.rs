//! Many processes, one Auth0 tenant: share the Management API access token and the
//! tenant's rate-limit bucket between every process of a deployment through Redis.
//!
//! Auth0's limits are per tenant, not per process. The rate-limit bucket of the
//! Management API is shared by every caller, and machine-to-machine tokens count against a
//! monthly quota of the tenant. Several processes (agents, replicas of a gateway) that each
//! run an [`auth0_mgmt::Client`] mint one token each and learn the bucket separately, so
//! they collide in 429s. With this crate they share:
//!
//! * **one token** per (tenant, client id, audience): [`RedisTokenSource`] — one process
//!   mints while the others wait for its token (a lock with expiry), one refreshes it
//!   ahead of expiry, a 401 invalidates it once; stored encrypted with a key derived from
//!   the client secret;
//! * **one bucket**: [`RedisPacer`], a [`RateLimiter`] whose model of the tenant's token
//!   bucket lives in Redis and is updated atomically by a Lua script fed by the
//!   `x-ratelimit-*` headers every process sees — N processes pace as one client.
//!
//! * **approvals and budgets** of the policy guard (`auth0-mgmt-policy`):
//!   [`RedisApprovalStore`] and [`RedisBudgets`], from [`Shared::approvals`] and
//!   [`Shared::budgets`] — an approval requested through one replica is consumed once by
//!   whichever replica the identical call reaches; an agent's limits hold across replicas.
//!   These two **fail closed** while Redis is down: the call is refused, nothing is sent.
//!
//! **Redis trouble never stops calls** (that need no approval or budget). Every Redis operation has a short timeout
//! ([`SharedConfig::timeout`], 250 ms by default). When Redis fails or is slow, the process
//! switches to its local token source (the [`ClientCredentials`] it was given) and its
//! in-process [`Pacer`](auth0_mgmt::Pacer), with one warning, and rejoins when Redis answers
//! again (a background probe). No secret is stored in Redis in plaintext, none is logged.
//!
//! # Example
//!
//! ```no_run
//! use auth0_mgmt::Client;
//! use auth0_mgmt_redis::Shared;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let builder = Client::builder()
//!     .domain("acme.eu.auth0.com")
//!     .client_credentials("CLIENT_ID", "CLIENT_SECRET");
//! // The same settings mint the shared token (and mint locally when Redis is down).
//! let shared = Shared::connect("redis://127.0.0.1:6379/", builder.build_client_credentials()?).await?;
//! let client = shared.apply(builder).build()?;
//! let roles = client.roles().list().send().await?;
//! # let _ = roles;
//! # Ok(()) }
//! ```
//!
//! Every process of the deployment does the same, with the same Redis and the same
//! [`SharedConfig::deployment`] name: they then share one token and pace as one client.
//!
//! # What is in Redis
//!
//! | key | holds | expires |
//! |---|---|---|
//! | `auth0-mgmt:{deployment}:token:{digest}` | the sealed token (XChaCha20-Poly1305) | with the token |
//! | `auth0-mgmt:{deployment}:token-lock:{digest}` | the id of the process that mints | 5 s, renewed while it mints |
//! | `auth0-mgmt:{deployment}:pacer:{digest}` | the tenant's bucket model (JSON) | 10 min after the last call |
//! | `auth0-mgmt:{deployment}:approvals:{tenant}:…` | approvals (a hash each) and their indexes | [`SharedConfig::approval_retention`] past expiry |
//! | `auth0-mgmt:{deployment}:budget:{tenant}:…` | per agent and window, the charges of the rolling window | one window after the last charge |
//!
//! The digests are SHA-256 of the token URL, client id and audience (token keys) or of the
//! tenant's origin (the pacer key): key names do not name the tenant. The token's key is
//! derived with HKDF-SHA256 from the client secret, the deployment name, the token URL,
//! the client id and the audience; the key name is the cipher's associated data.
//!
//! # Testing
//!
//! The crate's tests start their own `redis-server` (Debian's `redis-server` package) on
//! a free loopback port. Without `redis-server` on the `PATH` each says it skipped, unless
//! `AUTH0_MGMT_REQUIRE_REDIS=1` is set (as in CI): then they fail.

mod approval;
mod budget;
mod crypto;
mod keys;
mod pacer;
mod store;
mod token;

use std::sync::Arc;
use std::time::Duration;

use auth0_mgmt::{ClientBuilder, ClientCredentials, PacerConfig, RateLimiter, TokenSource};

pub use approval::{DEFAULT_RETENTION, RedisApprovalStore};
pub use budget::RedisBudgets;
pub use pacer::RedisPacer;
pub use token::RedisTokenSource;

use keys::Keys;
use store::Store;
use token::TokenSettings;

/// What can go wrong when connecting (Redis being down is not an error: the processes
/// start on their local sources and join when Redis answers).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The Redis URL could not be used.
    #[error("invalid Redis URL: {0}")]
    Url(#[source] redis::RedisError),
    /// A setting is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// Settings of [`Shared::connect_with`].
///
/// ```
/// use std::time::Duration;
/// use auth0_mgmt_redis::SharedConfig;
///
/// let config = SharedConfig::default().deployment("agents-prod").timeout(Duration::from_millis(100));
/// assert_eq!(config.deployment, "agents-prod");
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SharedConfig {
    /// The name of this deployment: it prefixes every key and enters the token's key
    /// derivation, so deployments sharing a Redis stay apart. 1 to 64 characters of
    /// `A-Z a-z 0-9 . _ -`. Default `"default"`.
    pub deployment: String,
    /// The longest any Redis operation may take before the process falls back to its
    /// local sources. Default 250 ms.
    pub timeout: Duration,
    /// How often a process that fell back checks whether Redis answers again. Default
    /// 500 ms.
    pub retry_interval: Duration,
    /// How often a process waiting for another one's mint looks for the token (± 25 %).
    /// Default 25 ms.
    pub poll: Duration,
    /// The mint lock's lifetime; the minting process renews it every third of it, so a
    /// process that dies while minting holds the others up this long at most. Default 5 s.
    pub lock_ttl: Duration,
    /// The longest a process waits for another one's mint before it mints itself.
    /// Default 60 s.
    pub mint_wait: Duration,
    /// Settings of the pacer (and of the local pacer it falls back to).
    pub pacer: PacerConfig,
    /// How long an approval's record stays in Redis after the approval expired (for
    /// `approvals list` and the expiry's audit record). Default [`DEFAULT_RETENTION`]
    /// (24 h); at least one minute.
    pub approval_retention: Duration,
}

impl Default for SharedConfig {
    fn default() -> Self {
        SharedConfig {
            deployment: "default".into(),
            timeout: Duration::from_millis(250),
            retry_interval: Duration::from_millis(500),
            poll: Duration::from_millis(25),
            lock_ttl: Duration::from_secs(5),
            mint_wait: Duration::from_secs(60),
            pacer: PacerConfig::default(),
            approval_retention: DEFAULT_RETENTION,
        }
    }
}

impl SharedConfig {
    /// Sets [`deployment`](Self::deployment).
    pub fn deployment(mut self, name: impl Into<String>) -> Self {
        self.deployment = name.into();
        self
    }

    /// Sets [`timeout`](Self::timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets [`retry_interval`](Self::retry_interval).
    pub fn retry_interval(mut self, interval: Duration) -> Self {
        self.retry_interval = interval;
        self
    }

    /// Sets [`pacer`](Self::pacer).
    pub fn pacer(mut self, config: PacerConfig) -> Self {
        self.pacer = config;
        self
    }
}

/// Whether this process shares through Redis right now, and how often it fell back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Status {
    /// Redis answers: the token and the bucket are shared.
    pub connected: bool,
    /// Times this process switched to its local sources.
    pub fallbacks: u64,
    /// Times it rejoined after that.
    pub rejoins: u64,
    /// Redis operations that waited the whole [`SharedConfig::timeout`] for an answer
    /// (after the first, the process stops asking until Redis answers again).
    pub timeouts: u64,
}

/// The shared token source and pacer of one process, on one Redis connection.
///
/// Cheap to clone. See the [crate documentation](crate) for an example.
#[derive(Clone, Debug)]
pub struct Shared {
    store: Arc<Store>,
    tokens: Arc<RedisTokenSource>,
    pacer: Arc<RedisPacer>,
    approvals: Arc<RedisApprovalStore>,
    budgets: Arc<RedisBudgets>,
}

impl Shared {
    /// Connects with the default [`SharedConfig`]; see [`connect_with`](Self::connect_with).
    pub async fn connect(redis_url: &str, credentials: ClientCredentials) -> Result<Shared, Error> {
        Shared::connect_with(redis_url, credentials, SharedConfig::default()).await
    }

    /// The shared token source and pacer for the tenant and client of `credentials`
    /// (built with [`ClientBuilder::build_client_credentials`]): it mints with them, and
    /// falls back to them when Redis is down. `redis_url` is a `redis://` (or
    /// `rediss://`, `unix://`) URL. Redis need not be up: the process then starts on its
    /// local sources, with one warning, and joins when Redis answers.
    pub async fn connect_with(
        redis_url: &str,
        credentials: ClientCredentials,
        config: SharedConfig,
    ) -> Result<Shared, Error> {
        // A zero would turn a wait into a busy loop on Redis (polling, lock renewal, probe).
        for (name, value) in [
            ("timeout", config.timeout),
            ("retry_interval", config.retry_interval),
            ("poll", config.poll),
            ("lock_ttl", config.lock_ttl),
        ] {
            if value.is_zero() {
                return Err(Error::Config(format!("the Redis {name} must be more than zero")));
            }
        }
        if config.approval_retention < Duration::from_secs(60) {
            return Err(Error::Config("approval_retention must be at least one minute".into()));
        }
        let keys =
            Keys::new(&config.deployment, credentials.token_url(), credentials.client_id(), credentials.audience())?;
        let client = redis::Client::open(redis_url).map_err(Error::Url)?;
        let store = Store::new(client, config.timeout, config.retry_interval).map_err(Error::Url)?;
        store.ping().await;
        let settings = TokenSettings { poll: config.poll, lock_ttl: config.lock_ttl, mint_wait: config.mint_wait };
        let tokens = Arc::new(RedisTokenSource::new(store.clone(), Arc::new(credentials), &keys, settings));
        let pacer = RedisPacer::new(store.clone(), keys.pacer.clone(), config.pacer);
        let approvals =
            Arc::new(RedisApprovalStore::new(store.clone(), &keys).with_retention(config.approval_retention));
        let budgets = Arc::new(RedisBudgets::new(store.clone(), &keys));
        Ok(Shared { store, tokens, pacer, approvals, budgets })
    }

    /// The shared token source.
    pub fn token_source(&self) -> Arc<RedisTokenSource> {
        self.tokens.clone()
    }

    /// The shared pacer.
    pub fn rate_limiter(&self) -> Arc<RedisPacer> {
        self.pacer.clone()
    }

    /// The policy's approval store in Redis, for this deployment and tenant (give it to
    /// [`Guard::with_approvals`](auth0_mgmt_policy::Guard::with_approvals) and to
    /// [`Approvals::new`](auth0_mgmt_policy::Approvals::new)). Fails closed while Redis is
    /// down.
    pub fn approvals(&self) -> Arc<RedisApprovalStore> {
        self.approvals.clone()
    }

    /// The policy's per-agent budgets in Redis, for this deployment and tenant (give it
    /// to [`Guard::with_budgets`](auth0_mgmt_policy::Guard::with_budgets)). Fails closed
    /// while Redis is down.
    pub fn budgets(&self) -> Arc<RedisBudgets> {
        self.budgets.clone()
    }

    /// Installs both into `builder` ([`token_source`](ClientBuilder::token_source) and
    /// [`rate_limiter`](ClientBuilder::rate_limiter)).
    pub fn apply(&self, builder: ClientBuilder) -> ClientBuilder {
        let tokens: Arc<dyn TokenSource> = self.tokens.clone();
        let pacer: Arc<dyn RateLimiter> = self.pacer.clone();
        builder.token_source(tokens).rate_limiter(pacer)
    }

    /// Whether Redis answers, and how often this process fell back and rejoined.
    pub fn status(&self) -> Status {
        Status {
            connected: self.store.is_up(),
            fallbacks: self.store.fallbacks(),
            rejoins: self.store.rejoins(),
            timeouts: self.store.timeouts(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn zero_waits_and_a_short_retention_are_refused() {
        let credentials = || {
            auth0_mgmt::Client::builder()
                .domain("acme.eu.auth0.com")
                .client_credentials("id", "a-long-client-secret")
                .build_client_credentials()
                .unwrap()
        };
        type Break = fn(&mut SharedConfig);
        let cases: [(&str, Break); 5] = [
            ("timeout", |c| c.timeout = Duration::ZERO),
            ("retry_interval", |c| c.retry_interval = Duration::ZERO),
            ("poll", |c| c.poll = Duration::ZERO),
            ("lock_ttl", |c| c.lock_ttl = Duration::ZERO),
            ("approval_retention", |c| c.approval_retention = Duration::from_secs(59)),
        ];
        for (name, break_it) in cases {
            let mut config = SharedConfig::default();
            break_it(&mut config);
            let err = Shared::connect_with("redis://127.0.0.1:1/", credentials(), config).await.unwrap_err();
            assert!(matches!(&err, Error::Config(m) if m.contains(name)), "{name}: {err}");
        }
        // The defaults are accepted (Redis need not be up).
        assert!(Shared::connect_with("redis://127.0.0.1:1/", credentials(), SharedConfig::default()).await.is_ok());
    }
}
