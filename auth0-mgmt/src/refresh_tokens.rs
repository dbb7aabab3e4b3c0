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

use serde::{Deserialize, Serialize};

use crate::catalog;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::{ClientId, RefreshTokenId, SessionId, UserId};
use crate::models::{Fields, JsonObject, Patch, Timestamp};
use crate::pagination::{CheckpointStream, NextCursor, Page, ResumePoint, checkpoint_pages};
use crate::request::Request;
use crate::sessions::Device;

/// A refresh token (its metadata; never the token itself).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RefreshToken {
    /// The refresh token id.
    pub id: RefreshTokenId,
    /// The user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    /// Created (string, object or null on the wire).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// Idle expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_expires_at: Option<Timestamp>,
    /// Absolute expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// Last exchange.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_exchanged_at: Option<Timestamp>,
    /// Device information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<Device>,
    /// The application it was issued to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientId>,
    /// The session it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<SessionId>,
    /// Whether it rotates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotating: Option<bool>,
    /// The APIs and scopes it grants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_servers: Option<Vec<RefreshTokenResourceServer>>,
    /// Metadata (string values ≤255 characters, ≤25 keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_metadata: Option<JsonObject>,
    /// Attributes this crate does not model, kept for round trips.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// An API a refresh token grants access to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RefreshTokenResourceServer {
    /// The audience.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Scopes, **one space-separated string** (e.g. `"openid profile offline_access"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<String>,
    /// Attributes this crate does not model.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl RefreshTokenResourceServer {
    /// The scopes, split on whitespace.
    pub fn scope_list(&self) -> Vec<&str> {
        self.scopes.as_deref().map(|s| s.split_whitespace().collect()).unwrap_or_default()
    }
}

/// The body of `PATCH /api/v2/refresh-tokens/{id}`:
/// `{"refresh_token_metadata": {…} | null}`.
///
/// ```
/// use auth0_mgmt::refresh_tokens::UpdateRefreshToken;
/// let meta = serde_json::json!({"device": "kiosk-7"}).as_object().cloned().unwrap();
/// assert_eq!(
///     serde_json::to_value(UpdateRefreshToken::metadata(meta))?,
///     serde_json::json!({"refresh_token_metadata": {"device": "kiosk-7"}})
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct UpdateRefreshToken {
    /// The new metadata (replaces the map), or `Clear` to remove it.
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub refresh_token_metadata: Patch<JsonObject>,
}

impl UpdateRefreshToken {
    /// Sets the metadata.
    pub fn metadata(metadata: JsonObject) -> Self {
        UpdateRefreshToken { refresh_token_metadata: Patch::Set(metadata) }
    }

    /// Removes the metadata (sends `null`).
    pub fn clear_metadata() -> Self {
        UpdateRefreshToken { refresh_token_metadata: Patch::Clear }
    }
}

/// At most [`RefreshTokenIds::MAX`] refresh token ids (each ≤30 characters), as the
/// revoke endpoint accepts. Built only through [`RefreshTokenIds::new`], so an
/// oversized list can never be sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RefreshTokenIds(Vec<RefreshTokenId>);

impl RefreshTokenIds {
    /// The most ids one revocation accepts.
    pub const MAX: usize = 100;
    /// The longest id the endpoint accepts.
    pub const MAX_ID_LEN: usize = 30;

    /// Checks the list: 1 to 100 ids, each ≤30 characters. Otherwise
    /// [`Error::InvalidRequest`]; nothing is sent.
    pub fn new(ids: impl IntoIterator<Item = RefreshTokenId>) -> Result<Self> {
        let ids: Vec<RefreshTokenId> = ids.into_iter().collect();
        let refuse = |reason: String| Error::InvalidRequest { operation: catalog::REFRESH_TOKENS_REVOKE.id, reason };
        if ids.is_empty() {
            return Err(refuse("at least one refresh token id is required".into()));
        }
        if ids.len() > Self::MAX {
            return Err(refuse(format!("{} refresh token ids given, at most {} per request", ids.len(), Self::MAX)));
        }
        if let Some(long) = ids.iter().find(|i| i.as_str().len() > Self::MAX_ID_LEN) {
            return Err(refuse(format!("refresh token id {long} is longer than {} characters", Self::MAX_ID_LEN)));
        }
        Ok(RefreshTokenIds(ids))
    }

    /// The ids.
    pub fn as_slice(&self) -> &[RefreshTokenId] {
        &self.0
    }
}

/// What `POST /api/v2/refresh-tokens/revoke` revokes: exactly the four body shapes the
/// API accepts, so an invalid combination cannot be built.
///
/// ```
/// use auth0_mgmt::refresh_tokens::RevokeRefreshTokens;
/// use serde_json::json;
///
/// let user = "auth0|1".parse()?;
/// let app = "abc".parse()?;
/// let body = RevokeRefreshTokens::user_client(user, app);
/// assert_eq!(serde_json::to_value(&body)?, json!({"user_id": "auth0|1", "client_id": "abc"}));
///
/// let too_many = (0..101).map(|i| format!("rt_{i}").parse().unwrap());
/// assert!(RevokeRefreshTokens::ids(too_many).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum RevokeRefreshTokens {
    /// `{"ids": [...]}`: these tokens (1–100).
    Ids {
        /// The tokens.
        ids: RefreshTokenIds,
    },
    /// `{"user_id"}`: every refresh token of the user.
    User {
        /// The user.
        user_id: UserId,
    },
    /// `{"user_id", "client_id"}`: the user's tokens for one application.
    UserClient {
        /// The user.
        user_id: UserId,
        /// The application.
        client_id: ClientId,
    },
    /// `{"user_id", "client_id", "audience"}`: the user's tokens for one application
    /// and API.
    UserClientAudience {
        /// The user.
        user_id: UserId,
        /// The application.
        client_id: ClientId,
        /// The API audience.
        audience: String,
    },
}

impl RevokeRefreshTokens {
    /// Revoke these tokens; refuses an empty list, more than 100 ids or an id longer
    /// than 30 characters with [`Error::InvalidRequest`].
    pub fn ids(ids: impl IntoIterator<Item = RefreshTokenId>) -> Result<Self> {
        Ok(RevokeRefreshTokens::Ids { ids: RefreshTokenIds::new(ids)? })
    }

    /// Revoke every refresh token of `user_id`.
    pub fn user(user_id: UserId) -> Self {
        RevokeRefreshTokens::User { user_id }
    }

    /// Revoke `user_id`'s tokens for `client_id`.
    pub fn user_client(user_id: UserId, client_id: ClientId) -> Self {
        RevokeRefreshTokens::UserClient { user_id, client_id }
    }

    /// Revoke `user_id`'s tokens for `client_id` and `audience`.
    pub fn user_client_audience(user_id: UserId, client_id: ClientId, audience: impl Into<String>) -> Self {
        RevokeRefreshTokens::UserClientAudience { user_id, client_id, audience: audience.into() }
    }
}

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
