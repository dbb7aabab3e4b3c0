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
//! let tokens: Vec<_> = client.refresh_tokens().list(&user).checkpoint().try_collect().await?;
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
use crate::handler;
use crate::ids::{ClientId, RefreshTokenId, UserId};
use crate::models::Fields;
use crate::pagination::{CheckpointListing, List, Listing, sealed};
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
        handler::get_opt(&self.client, Request::new(&catalog::REFRESH_TOKENS_GET).id(id)).await
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
        handler::delete(&self.client, &catalog::REFRESH_TOKENS_DELETE, id).await
    }

    /// Lists a user's refresh tokens (`refresh_tokens.list`,
    /// `GET /api/v2/refresh-tokens?user_id=…`, checkpoint paging only, scope
    /// `read:refresh_tokens`; Early Access). Finish with `.send_checkpoint()`,
    /// `.checkpoint()` or `.resume()`.
    pub fn list(&self, user: &UserId) -> ListRefreshTokens {
        List::new(self.client.clone(), RefreshTokensQuery { user: user.clone(), client_id: None, fields: None })
    }

    /// Revokes refresh tokens in bulk (`refresh_tokens.revoke`,
    /// `POST /api/v2/refresh-tokens/revoke`, 202, scope `delete:refresh_tokens`; Early
    /// Access).
    pub async fn revoke(&self, what: &RevokeRefreshTokens) -> Result<()> {
        handler::no_content(&self.client, Request::new(&catalog::REFRESH_TOKENS_REVOKE).json(what)?).await
    }
}

/// `GET /api/v2/refresh-tokens` (checkpoint paging only). Made by
/// [`RefreshTokens::list`]; the paging methods are [`List`]'s checkpoint ones (cursors
/// are valid for 24 hours).
pub type ListRefreshTokens = List<RefreshTokensQuery>;

/// The user and filters of [`ListRefreshTokens`].
#[derive(Debug, Clone)]
pub struct RefreshTokensQuery {
    user: UserId,
    client_id: Option<ClientId>,
    fields: Option<Fields>,
}

impl sealed::Sealed for RefreshTokensQuery {}

impl Listing for RefreshTokensQuery {
    type Item = RefreshToken;

    fn request(&self) -> Request {
        let req = Request::new(&catalog::REFRESH_TOKENS_LIST)
            .query("user_id", &self.user)
            .query_opt("client_id", self.client_id.as_ref());
        match &self.fields {
            Some(f) => f.apply(req, "id"),
            None => req,
        }
    }
}

impl CheckpointListing for RefreshTokensQuery {}

impl ListRefreshTokens {
    /// Only tokens issued to this application.
    pub fn client_id(self, client: ClientId) -> Self {
        self.with(|q| q.client_id = Some(client))
    }

    /// Fields to return (`id` is always returned).
    pub fn fields(self, fields: Fields) -> Self {
        self.with(|q| q.fields = Some(fields))
    }
}
