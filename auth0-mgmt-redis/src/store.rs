//! The Redis connection and its health: every operation has a short timeout; the first
//! failure switches the process to its local token source and pacer with one warning, a
//! background probe watches for Redis to answer again, and then the process rejoins.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// Why an operation did not reach Redis (the store is then marked down).
#[derive(Debug)]
pub(crate) enum StoreError {
    /// The store was already down: nothing was sent.
    Down,
    /// No answer within the timeout.
    Timeout,
    /// Redis (or the connection) failed.
    Redis,
}

/// The connection with its health.
pub(crate) struct Store {
    conn: ConnectionManager,
    timeout: Duration,
    retry_interval: Duration,
    up: AtomicBool,
    probing: AtomicBool,
    fallbacks: AtomicU64,
    rejoins: AtomicU64,
    timeouts: AtomicU64,
    this: Weak<Store>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // No URL: it may carry a password.
        f.debug_struct("Store")
            .field("up", &self.is_up())
            .field("timeout", &self.timeout)
            .field("fallbacks", &self.fallbacks())
            .field("rejoins", &self.rejoins())
            .finish()
    }
}

impl Store {
    /// A store on `client`, connecting lazily (Redis may be down at start: the process
    /// then starts on its local sources and joins when Redis answers).
    pub(crate) fn new(
        client: redis::Client,
        timeout: Duration,
        retry_interval: Duration,
    ) -> redis::RedisResult<Arc<Store>> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            // One quick try: the store's own probe brings it back, calls never wait on it.
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(10))
            .set_max_delay(retry_interval);
        let conn = ConnectionManager::new_lazy_with_config(client, config)?;
        Ok(Arc::new_cyclic(|this| Store {
            conn,
            timeout,
            retry_interval,
            up: AtomicBool::new(true),
            probing: AtomicBool::new(false),
            fallbacks: AtomicU64::new(0),
            rejoins: AtomicU64::new(0),
            timeouts: AtomicU64::new(0),
            this: this.clone(),
        }))
    }

    pub(crate) fn is_up(&self) -> bool {
        self.up.load(Ordering::Acquire)
    }

    pub(crate) fn fallbacks(&self) -> u64 {
        self.fallbacks.load(Ordering::Relaxed)
    }

    pub(crate) fn rejoins(&self) -> u64 {
        self.rejoins.load(Ordering::Relaxed)
    }

    /// Operations that waited the whole timeout for Redis.
    pub(crate) fn timeouts(&self) -> u64 {
        self.timeouts.load(Ordering::Relaxed)
    }

    /// Runs `op` on the connection within the timeout (or `limit`, when shorter: the
    /// caller's own deadline; running out of that does not mark the store down).
    pub(crate) async fn run<T, F, Fut>(&self, limit: Option<Duration>, op: F) -> Result<T, StoreError>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        if !self.is_up() {
            return Err(StoreError::Down);
        }
        let within = limit.map_or(self.timeout, |l| l.min(self.timeout));
        match tokio::time::timeout(within, op(self.conn.clone())).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => {
                // The connection's own response timeout is the same timeout.
                if e.is_timeout() {
                    self.timeouts.fetch_add(1, Ordering::Relaxed);
                }
                self.mark_down(&e.to_string());
                Err(StoreError::Redis)
            }
            Err(_) if within < self.timeout => Err(StoreError::Timeout),
            Err(_) => {
                self.timeouts.fetch_add(1, Ordering::Relaxed);
                self.mark_down(&format!("no answer within {} ms", self.timeout.as_millis()));
                Err(StoreError::Timeout)
            }
        }
    }

    /// Switches the process to its local sources — with one warning per outage — and
    /// starts the probe that brings it back.
    pub(crate) fn mark_down(&self, why: &str) {
        if self.up.swap(false, Ordering::AcqRel) {
            self.fallbacks.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                error = why,
                "auth0-mgmt-redis: Redis is unreachable; this process uses its local token source and pacer until Redis answers again"
            );
        }
        self.start_probe();
    }

    fn start_probe(&self) {
        if self.probing.swap(true, Ordering::AcqRel) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.probing.store(false, Ordering::Release);
            return;
        };
        let this = self.this.clone();
        runtime.spawn(async move {
            loop {
                let Some(store) = this.upgrade() else { return };
                let (interval, timeout, mut conn) = (store.retry_interval, store.timeout, store.conn.clone());
                drop(store);
                tokio::time::sleep(interval).await;
                let ping = tokio::time::timeout(timeout, redis::cmd("PING").query_async::<String>(&mut conn)).await;
                if matches!(ping, Ok(Ok(_))) {
                    let Some(store) = this.upgrade() else { return };
                    store.probing.store(false, Ordering::Release);
                    store.rejoins.fetch_add(1, Ordering::Relaxed);
                    store.up.store(true, Ordering::Release);
                    tracing::info!("auth0-mgmt-redis: Redis answers again; this process shares the token and the rate-limit bucket again");
                    return;
                }
            }
        });
    }

    /// Checks the connection once (at start): a failure starts the process on its local
    /// sources.
    pub(crate) async fn ping(&self) -> bool {
        self.run(None, |mut c| async move { redis::cmd("PING").query_async::<String>(&mut c).await }).await.is_ok()
    }
}
