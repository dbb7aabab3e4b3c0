//! Refresh tokens (reference §14): get, update metadata, delete, list a user's tokens
//! (checkpoint only), revoke in bulk.
//!
//! `list` and `revoke` are *Early Access* endpoints at Auth0.
//!
//! ```no_run
//! # async fn run(client: auth0_mgmt::Client, user: auth0_mgmt::UserId) -> auth0_mgmt::Result<()> {
//! use auth0_mgmt::refresh_tokens::RevokeRefreshTokens;
//! use futures::TryStreamExt;
//!
//! let tokens: Vec<_> = client.refresh_tokens().list(&user).stream().try_collect().await?;
//! let ids = tokens.into_iter().filter(|t| t.rotating == Some(false)).map(|t| t.id);
//! // More than 100 ids is refused here, before anything is sent.
//! client.refresh_tokens().revoke(&RevokeRefreshTokens::ids(ids)?).await?;
//! // Or everything the user holds:
//! client.refresh_tokens().revoke(&RevokeRefreshTokens::user(user)).await?;
//! # Ok(()) }
//! ```

mod models;

pub use models::*;

use crate::catalog;
use crate::client::Client;
use crate::error::Result;
use crate::ids::{ClientId, RefreshTokenId, UserId};
use crate::models::Fields;
use crate::pagination::{CheckpointStream, NextCursor, Page, ResumePoint, checkpoint_pages};
use crate::request::Request;

/// The refresh tokens endpoints. Get one with [`Client::refresh_tokens`].
#[derive(Clone, Debug)]
pub struct RefreshTokens {
    client: Client,
}

impl Client {
    /// The refresh tokens endpoints.
    pub fn refresh_tokens(&self) -> RefreshTokens {
        RefreshTokens { client: self.clone() }
    }
}

impl RefreshTokens {
    /// Gets a refresh token (`refresh_tokens.get`, `GET /api/v2/refresh-tokens/{id}`,
    /// scope `read:refresh_tokens`).
    pub async fn get(&self, id: &RefreshTokenId) -> Result<RefreshToken> {
        self.client.execute(Request::new(&catalog::REFRESH_TOKENS_GET).id(id)).await
    }

    /// Gets a refresh token, or `None` when it does not exist.
    pub async fn get_opt(&self, id: &RefreshTokenId) -> Result<Option<RefreshToken>> {
        match self.get(id).await {
            Ok(t) => Ok(Some(t)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Updates a refresh token's metadata (`refresh_tokens.update`,
    /// `PATCH /api/v2/refresh-tokens/{id}`, scope `update:refresh_tokens`).
    pub async fn update(&self, id: &RefreshTokenId, changes: &UpdateRefreshToken) -> Result<RefreshToken> {
        self.client.execute(Request::new(&catalog::REFRESH_TOKENS_UPDATE).id(id).json(changes)?).await
    }

    /// Deletes (revokes) a refresh token (`refresh_tokens.delete`,
    /// `DELETE /api/v2/refresh-tokens/{id}`, 202 — 204 also accepted; scope
    /// `delete:refresh_tokens`).
    pub async fn delete(&self, id: &RefreshTokenId) -> Result<()> {
        self.client
            .execute::<serde::de::IgnoredAny>(Request::new(&catalog::REFRESH_TOKENS_DELETE).id(id))
            .await
            .map(drop)
    }

    /// Lists a user's refresh tokens (`refresh_tokens.list`,
    /// `GET /api/v2/refresh-tokens?user_id=…`, checkpoint only, scope
    /// `read:refresh_tokens`; Early Access).
    pub fn list(&self, user: &UserId) -> ListRefreshTokens {
        ListRefreshTokens { client: self.client.clone(), user: user.clone(), client_id: None, fields: None, take: None }
    }

    /// Revokes refresh tokens in bulk (`refresh_tokens.revoke`,
    /// `POST /api/v2/refresh-tokens/revoke`, 202, scope `delete:refresh_tokens`; Early
    /// Access).
    pub async fn revoke(&self, what: &RevokeRefreshTokens) -> Result<()> {
        self.client
            .execute::<serde::de::IgnoredAny>(Request::new(&catalog::REFRESH_TOKENS_REVOKE).json(what)?)
            .await
            .map(drop)
    }
}

/// `GET /api/v2/refresh-tokens` (checkpoint paging only). Made by
/// [`RefreshTokens::list`].
#[derive(Debug, Clone)]
#[must_use = "finish with .send(), .stream() or .resume()"]
pub struct ListRefreshTokens {
    client: Client,
    user: UserId,
    client_id: Option<ClientId>,
    fields: Option<Fields>,
    take: Option<u64>,
}

impl ListRefreshTokens {
    /// Only tokens issued to this application.
    pub fn client_id(mut self, client: ClientId) -> Self {
        self.client_id = Some(client);
        self
    }

    /// Fields to return (`id` is always returned).
    pub fn fields(mut self, fields: Fields) -> Self {
        self.fields = Some(fields);
        self
    }

    /// Page size, 1–100 (clamped). Default: the server's 50 for `.send()`, 100 for streams.
    pub fn take(mut self, take: u64) -> Self {
        self.take = Some(take.clamp(1, 100));
        self
    }

    fn request(&self) -> Request {
        let req = Request::new(&catalog::REFRESH_TOKENS_LIST)
            .query("user_id", &self.user)
            .query_opt("client_id", self.client_id.as_ref());
        match &self.fields {
            Some(f) => f.apply(req, "id"),
            None => req,
        }
    }

    /// Fetches one page (`from` = a previous page's `next`, valid for 24 hours).
    pub async fn send(self, from: Option<String>) -> Result<Page<RefreshToken>> {
        let req = self.request().query_opt("take", self.take).query_opt("from", from);
        self.client.execute(req).await
    }

    /// Streams every token of the user.
    pub fn stream(self) -> CheckpointStream<RefreshToken> {
        self.resume(ResumePoint::default())
    }

    /// Continues a stream from a saved [`ResumePoint`].
    pub fn resume(self, point: ResumePoint) -> CheckpointStream<RefreshToken> {
        let req = self.request();
        checkpoint_pages(self.client, req, self.take.unwrap_or(100), point, NextCursor::Opaque)
    }
}
