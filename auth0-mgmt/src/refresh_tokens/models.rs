//! The refresh tokens models.

use serde::Serialize;

use crate::catalog;
use crate::error::{Error, Result};
use crate::ids::{ClientId, RefreshTokenId, SessionId, UserId};
use crate::models::{JsonObject, Patch, Timestamp, model, request};
use crate::sessions::Device;

model! {
    /// A refresh token (its metadata; never the token itself). Dates may be strings,
    /// objects or `null` ([`Timestamp`]).
    pub struct RefreshToken {
        /// The refresh token id.
        id: RefreshTokenId,
        /// The user.
        user_id: Option<UserId>,
        /// Created.
        created_at: Option<Timestamp>,
        /// Idle expiry (`null`: none).
        idle_expires_at: Option<Timestamp>,
        /// Absolute expiry (`null`: none).
        expires_at: Option<Timestamp>,
        /// Last exchange.
        last_exchanged_at: Option<Timestamp>,
        /// Device information.
        device: Option<Device>,
        /// The application it was issued to.
        client_id: Option<ClientId>,
        /// The session it belongs to (`null`: not bound to one).
        session_id: Option<SessionId>,
        /// Whether it rotates.
        rotating: Option<bool>,
        /// The APIs and scopes it grants.
        resource_servers: Option<Vec<RefreshTokenResourceServer>>,
        /// Metadata (string values ≤255 characters, ≤25 keys).
        refresh_token_metadata: Option<JsonObject>,
    }
}

model! {
    /// An API a refresh token grants access to.
    @default
    pub struct RefreshTokenResourceServer {
        /// The audience.
        audience: Option<String>,
        /// Scopes, **one space-separated string** (e.g. `"openid profile offline_access"`).
        scopes: Option<String>,
    }
}

impl RefreshTokenResourceServer {
    /// The scopes, split on whitespace.
    pub fn scope_list(&self) -> Vec<&str> {
        self.scopes.as_deref().map(|s| s.split_whitespace().collect()).unwrap_or_default()
    }
}

request! {
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
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct UpdateRefreshToken {
        required {}
        /// The new metadata (replaces the map), or `Clear` to remove it.
        refresh_token_metadata: Patch<JsonObject>,
    }
}

impl UpdateRefreshToken {
    /// Sets the metadata.
    pub fn metadata(metadata: JsonObject) -> Self {
        UpdateRefreshToken::default().refresh_token_metadata(metadata)
    }

    /// Removes the metadata (sends `null`).
    pub fn clear_metadata() -> Self {
        UpdateRefreshToken::default().refresh_token_metadata(Patch::Clear)
    }
}

/// At most [`RefreshTokenIds::MAX`] refresh token ids (each ≤30 characters), as the
/// revoke endpoint accepts. Built only through [`RefreshTokenIds::new`], so an
/// oversized list can never be sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct RefreshTokenIds(
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 100), inner(length(max = 30))))] Vec<RefreshTokenId>,
);

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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
