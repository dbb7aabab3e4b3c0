//! Public configuration types: rate limits, fault injection and seeding.

use std::ops::Range;
use std::time::Duration;

/// Client id accepted by `/oauth/token` unless
/// [`FakeTenantBuilder::client_credentials`](crate::FakeTenantBuilder::client_credentials) is used.
pub const DEFAULT_CLIENT_ID: &str = "fake-client-id";

/// Client secret accepted by `/oauth/token` unless
/// [`FakeTenantBuilder::client_credentials`](crate::FakeTenantBuilder::client_credentials) is used.
pub const DEFAULT_CLIENT_SECRET: &str = "fake-client-secret";

/// Every Management API scope the fake knows about. Tokens are granted all of
/// them unless [`FakeTenantBuilder::granted_scopes`](crate::FakeTenantBuilder::granted_scopes)
/// narrows the set.
pub const SCOPE_CATALOG: &[&str] = &[
    "read:users",
    "create:users",
    "update:users",
    "delete:users",
    "update:users_app_metadata",
    "read:user_idp_tokens",
    "read:roles",
    "create:roles",
    "update:roles",
    "delete:roles",
    "create:role_members",
    "read:role_members",
    "delete:role_members",
    "read:clients",
    "create:clients",
    "update:clients",
    "delete:clients",
    "read:client_keys",
    "update:client_keys",
    "read:client_summary",
    "read:client_credentials",
    "create:client_credentials",
    "update:client_credentials",
    "read:connections",
    "create:connections",
    "update:connections",
    "delete:connections",
    "read:connections_options",
    "read:organizations",
    "read:organizations_summary",
    "create:organizations",
    "update:organizations",
    "delete:organizations",
    "create:organization_connections",
    "read:organization_members",
    "create:organization_members",
    "delete:organization_members",
    "read:logs",
    "read:logs_users",
    "read:grants",
    "delete:grants",
    "read:resource_servers",
    "create:resource_servers",
    "update:resource_servers",
    "delete:resource_servers",
    "read:refresh_tokens",
    "update:refresh_tokens",
    "delete:refresh_tokens",
    "read:sessions",
    "update:sessions",
    "delete:sessions",
];

/// A token-bucket rate limit.
///
/// `burst` is the bucket size (reported as `x-ratelimit-limit`), `refill_per_second`
/// how many request tokens are added per second (may be fractional).
///
/// ```
/// use auth0_mgmt_fake::RateLimit;
/// // Auth0 free tier Management API: burst 2, 2 requests per second.
/// let free = RateLimit::new(2, 2.0);
/// assert_eq!(free.burst, 2);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimit {
    /// Bucket size; a full bucket allows this many back-to-back requests.
    pub burst: u32,
    /// Tokens added per second.
    pub refill_per_second: f64,
}

impl RateLimit {
    /// A bucket of `burst` tokens refilled at `refill_per_second`.
    pub fn new(burst: u32, refill_per_second: f64) -> Self {
        RateLimit { burst: burst.max(1), refill_per_second }
    }
}

/// Fault injection settings (all off by default).
///
/// Each Management API request draws once from a seeded RNG: with probability
/// `error_rate` it gets a 503 with an Auth0-shaped JSON body, with `bad_gateway_rate`
/// a 502 HTML page, with `drop_rate` the connection is closed without a response,
/// and with `malformed_rate` a successful JSON response body is truncated. The rates are
/// cumulative bands of one draw, so their sum should be ≤ 1. `latency` (when set) adds
/// a uniformly distributed delay to every affected request.
///
/// For writes, a dropped connection happens either *before* the write is applied or
/// *after* it (50/50): the latter is the dangerous real-world case (the client sees an
/// error although the change happened) and is counted in
/// [`Counters::drops_after_write`](crate::Counters::drops_after_write).
///
/// ```
/// use std::time::Duration;
/// use auth0_mgmt_fake::Faults;
/// let faults = Faults {
///     error_rate: 0.05,
///     drop_rate: 0.01,
///     latency: Some(Duration::from_millis(1)..Duration::from_millis(5)),
///     seed: Some(7),
///     ..Default::default()
/// };
/// assert!(faults.is_active());
/// assert!(!Faults::default().is_active());
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    /// Probability of a `503 Service Unavailable` (JSON body, Auth0 error shape).
    pub error_rate: f64,
    /// Probability of a `502 Bad Gateway` HTML page (`text/html`).
    pub bad_gateway_rate: f64,
    /// Probability of closing the connection without any response.
    pub drop_rate: f64,
    /// Probability of truncating a successful JSON body (status kept).
    pub malformed_rate: f64,
    /// Extra latency added to each affected request, uniform in the range.
    pub latency: Option<Range<Duration>>,
    /// Also apply faults to `POST /oauth/token` (default: Management API only).
    pub include_token_endpoint: bool,
    /// RNG seed for the fault draws (default: a fixed seed, so runs are reproducible).
    pub seed: Option<u64>,
}

impl Faults {
    /// Whether any fault can be injected.
    pub fn is_active(&self) -> bool {
        self.error_rate > 0.0
            || self.bad_gateway_rate > 0.0
            || self.drop_rate > 0.0
            || self.malformed_rate > 0.0
            || self.latency.is_some()
    }
}

/// How much realistic data to generate at start-up (deterministic for a given
/// [`Seed::random_seed`]).
///
/// Regardless of the counts the tenant always contains: the database connection
/// `Username-Password-Authentication`, the global client `All Applications`, the
/// M2M client whose credentials the fake accepts, and the system resource server
/// `Auth0 Management API` (identifier `https://{domain}/api/v2/`).
///
/// ```
/// use auth0_mgmt_fake::Seed;
/// let seed = Seed::default().users(10_000).logs(50_000).random_seed(42);
/// assert_eq!(seed.user_count(), 10_000);
/// let empty = Seed::empty();
/// assert_eq!(empty.user_count(), 0);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Seed {
    pub(crate) users: usize,
    pub(crate) roles: usize,
    pub(crate) organizations: usize,
    pub(crate) members_per_org: usize,
    pub(crate) logs: usize,
    pub(crate) clients: usize,
    pub(crate) connections: usize,
    pub(crate) resource_servers: usize,
    pub(crate) grants: usize,
    pub(crate) refresh_token_every: usize,
    pub(crate) random_seed: u64,
}

impl Default for Seed {
    /// 25 users, 5 roles, 5 organizations (≤ 5 members each), 100 logs, 3 clients,
    /// 2 connections, 2 resource servers (plus the system one), 10 grants, a refresh
    /// token and a session for every 5th user, random seed 1.
    fn default() -> Self {
        Seed {
            users: 25,
            roles: 5,
            organizations: 5,
            members_per_org: 5,
            logs: 100,
            clients: 3,
            connections: 2,
            resource_servers: 2,
            grants: 10,
            refresh_token_every: 5,
            random_seed: 1,
        }
    }
}

impl Seed {
    /// Nothing but the always-present objects (see the type docs).
    pub fn empty() -> Self {
        Seed {
            users: 0,
            roles: 0,
            organizations: 0,
            members_per_org: 0,
            logs: 0,
            clients: 0,
            connections: 0,
            resource_servers: 0,
            grants: 0,
            refresh_token_every: 0,
            random_seed: 1,
        }
    }
    /// Number of users (spread over the seeded connections).
    pub fn users(mut self, n: usize) -> Self {
        self.users = n;
        self
    }
    /// Number of roles; roughly every 3rd user gets one assigned.
    pub fn roles(mut self, n: usize) -> Self {
        self.roles = n;
        self
    }
    /// Number of organizations.
    pub fn organizations(mut self, n: usize) -> Self {
        self.organizations = n;
        self
    }
    /// Maximum members added to each seeded organization.
    pub fn members_per_org(mut self, n: usize) -> Self {
        self.members_per_org = n;
        self
    }
    /// Number of historic log events (ids ascending with time, the newest ~1 s ago).
    pub fn logs(mut self, n: usize) -> Self {
        self.logs = n;
        self
    }
    /// Number of extra clients (applications) besides the always-present ones.
    pub fn clients(mut self, n: usize) -> Self {
        self.clients = n;
        self
    }
    /// Number of connections in total, including `Username-Password-Authentication`
    /// (the second is `google-oauth2`, further ones are enterprise connections).
    pub fn connections(mut self, n: usize) -> Self {
        self.connections = n;
        self
    }
    /// Number of custom resource servers besides the system Management API one.
    pub fn resource_servers(mut self, n: usize) -> Self {
        self.resource_servers = n;
        self
    }
    /// Number of user consent grants.
    pub fn grants(mut self, n: usize) -> Self {
        self.grants = n;
        self
    }
    /// Give every n-th user a refresh token and a session (0 = none).
    pub fn refresh_token_every(mut self, n: usize) -> Self {
        self.refresh_token_every = n;
        self
    }
    /// The RNG seed; the same seed yields the same ids, names and metadata.
    pub fn random_seed(mut self, seed: u64) -> Self {
        self.random_seed = seed;
        self
    }
    /// The configured number of users.
    pub fn user_count(&self) -> usize {
        self.users
    }
}
