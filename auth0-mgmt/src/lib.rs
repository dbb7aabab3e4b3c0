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
//!   GET and DELETE. A POST is never sent twice.
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
//! Where a request goes, in one file: [`client`](crate::Client::execute) (source:
//! `src/client.rs`).
//!
//! [Auth0 Management API v2]: https://auth0.com/docs/api/management/v2

mod client;
mod error;
mod models;
mod request;
mod retry;

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
pub use error::{ApiError, DecodeError, Denial, Error, ErrorBody, ErrorCode, Result, TokenError};
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
pub use pagination::{CheckpointStream, ItemStream, Page, ResumePoint};
pub use ratelimit::{PacerConfig, PacerStats, RateLimit};
pub use request::{CallHook, Interceptor, Outcome, PathId, Request};
pub use retry::RetryConfig;
pub use token::{AccessToken, Scopes, StaticToken, TokenSource};
