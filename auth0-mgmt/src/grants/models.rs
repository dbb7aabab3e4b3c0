//! The grants models.

use serde::{Deserialize, Serialize};

use crate::ids::{ClientId, GrantId, UserId};
use crate::models::JsonObject;

/// A user's consent to an application for an audience.
///
/// Note the item field is `clientID` (camelCase) on the wire, while the list filter is
/// `client_id`; this type maps `clientID` to [`client_id`](Self::client_id).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    /// The grant id (24 hex digits).
    pub id: GrantId,
    /// The application (`clientID` on the wire).
    #[serde(rename = "clientID", default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientId>,
    /// The user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    /// The API audience.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Consented scopes (may be empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Vec<String>>,
    /// Attributes this crate does not model, kept for round trips.
    #[serde(flatten)]
    pub extra: JsonObject,
}
