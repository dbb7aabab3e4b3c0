//! # auth0-mgmt
//!
//! A strongly typed async client for the [Auth0 Management API v2].
//!
//! * **Tokens**: mints its own machine-to-machine token (client-credentials grant),
//!   caches it, refreshes it ahead of expiry, and lets one task mint while the others
//!   wait; or takes a static token or your own [`TokenSource`].
//! * **One request path**: every endpoint is an [`Operation`](catalog::Operation) in the
//!   [`catalog`]; [`Client::execute`] authenticates, paces, retries, decodes and traces
//!   it. Resource handlers such as [`Client::users`] are thin.
//! * **Rate limits**: reads `x-ratelimit-*` and `Retry-After`, waits what the server
//!   names after a 429, and paces all tasks of a client so that they rarely meet one.
//! * **Retries**: 429 for every method; 5xx, timeouts and dropped connections only for
//!   GET and DELETE. A POST is never sent twice. Every wait of a call (server-named,
//!   backoff, pacer) counts against one budget ([`RetryConfig::max_total_wait`]); a wait
//!   that does not fit is [`Error::WaitTooLong`], never a silent cap.
//! * **Bounded**: success bodies are read within a limit (default 8 MiB,
//!   [`ClientBuilder::max_response_body`]) while they stream, else
//!   [`Error::BodyTooLarge`]; no server answer can make the client panic.
//! * **Secrets** never reach an error, a log or `Debug` output: echoed request bodies
//!   and headers are scrubbed, and no redirect carries the bearer or the client secret.
//! * **Pagination**: [`Page`] for one page, lazy streams for all of them, offset and
//!   checkpoint (`from`/`take`) alike, with resumable cursors.
//! * **Errors**: one [`Error`] that keeps the HTTP status and Auth0's error body.
//! * **Ids**: validated newtypes ([`UserId`], [`RoleId`], …) that always encode as one
//!   path segment.
//!
//! ```no_run
//! use auth0_mgmt::Client;
//! use futures::TryStreamExt;
//!
//! # async fn run() -> auth0_mgmt::Result<()> {
//! let client = Client::builder()
//!     .domain("acme.eu.auth0.com")
//!     .client_credentials("CLIENT_ID", "CLIENT_SECRET")
//!     .build()?;
//! let mut users = client.users().list().q(r#"email:"*@acme.com""#).per_page(100).stream();
//! while let Some(user) = users.try_next().await? {
//!     println!("{} {:?}", user.user_id, user.email);
//! }
//! # Ok(()) }
//! ```
//!
//! # Resources
//!
//! One handler per resource, each reached from the [`Client`]; every method names its
//! operation id and scopes, and the full table is in [`catalog`].
//!
//! | Handler | Module | Operations |
//! |---|---|---|
//! | [`Client::users`] | [`users`], [`roles`] | list/search, get, create, update, delete, by email; a user's roles: list, assign, remove |
//! | [`Client::roles`] | [`roles`] | list, get, create |
//! | [`Client::clients`] | [`clients`] | list (offset and checkpoint), get, create, update, delete |
//! | [`Client::connections`] | [`connections`] | list (offset and checkpoint), get, create |
//! | [`Client::organizations`] | [`organizations`] | list (offset and checkpoint), get, create, add members, list members |
//! | [`Client::logs`] | [`logs`] | search, get, and a resumable [tail](logs::TailLogs) |
//! | [`Client::grants`] | [`grants`] | list, delete |
//! | [`Client::resource_servers`] | [`resource_servers`] | list, get (by id or identifier), create |
//! | [`Client::refresh_tokens`] | [`refresh_tokens`] | get, update, delete, list a user's, revoke in bulk |
//! | [`Client::sessions`] | [`sessions`] | get, update |
//!
//! Where a request goes, in one file: `src/transport/mod.rs` draws the whole path
//! (interceptor hooks and token in [`Client::execute`], then pacing, attempts, retries
//! and waits in the transport).
//!
//! # TLS
//!
//! One TLS backend, chosen by feature: `rustls-ring` (default: the fastest cold start),
//! `rustls-aws-lc-rs` or `native-tls`; [`TLS_BACKEND`] names the one compiled in. With
//! `rustls-ring`, [`Client::builder`] installs ring as rustls' process-wide default
//! crypto provider unless the application installed one. Extra root certificates and a
//! proxy are builder options ([`ClientBuilder::ca_file`],
//! [`ClientBuilder::add_root_certificate`], [`ClientBuilder::proxy`]); the crate
//! re-exports [`reqwest`] so that its types can be named.
//!
//! [Auth0 Management API v2]: https://auth0.com/docs/api/management/v2

#[cfg(not(any(feature = "rustls-ring", feature = "rustls-aws-lc-rs", feature = "native-tls")))]
compile_error!("auth0-mgmt needs a TLS feature: `rustls-ring` (the default), `rustls-aws-lc-rs` or `native-tls`");

/// The crate README's examples, compiled as doctests so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod client;
mod error;
mod handler;
mod models;
mod request;
mod retry;
mod transport;

/// The HTTP client crate under this one, for naming its types
/// (`auth0_mgmt::reqwest::Proxy`, `auth0_mgmt::reqwest::Certificate`).
pub use reqwest;

pub mod catalog;
pub mod clients;
pub mod connections;
pub mod grants;
pub mod ids;
pub mod logs;
pub mod organizations;
pub mod pagination;
pub mod ratelimit;
pub mod refresh_tokens;
pub mod resource_servers;
pub mod roles;
pub mod sessions;
pub mod token;
pub mod users;

pub use client::{Client, ClientBuilder, Response};
pub use error::{
    ApiError, ApprovalChannel, ApprovalTicket, DecodeError, Denial, Error, ErrorBody, ErrorCode, Result, TokenError,
};
pub use ids::{
    ClientId, ConnectionId, GrantId, IdError, LogId, OrganizationId, RefreshTokenId, ResourceServerId, RoleId,
    SessionId, UserId,
};
/// The date-time crate behind [`DateTime`] and [`Timestamp`], re-exported so that its
/// types (`jiff::Timestamp`, `jiff::tz::Offset`) can be named without a version match.
pub use jiff;
pub use models::{
    DateTime, DateTimeError, Fields, JsonObject, MetadataPatch, Patch, Sensitive, StringOrList, StringOrNumber,
    Timestamp,
};
pub use pagination::{CheckpointStream, List, OffsetStream, Page, Paginator, ResumePoint};
pub use ratelimit::{Pacer, PacerConfig, PacerStats, PacerWait, RateLimit, RateLimiter};
pub use request::{BoxFuture, CallHook, Interceptor, Outcome, PathId, Request};
pub use retry::{RetryConfig, WaitFor};
pub use token::{AccessToken, ClientCredentials, Scopes, StaticToken, TokenSource};
pub use transport::TLS_BACKEND;
pub use transport::scrub::Scrub;
