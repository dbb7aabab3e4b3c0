//! The sessions models.

use serde::{Deserialize, Serialize};

use crate::ids::{ClientId, SessionId, UserId};
use crate::models::{JsonObject, Patch, Timestamp};

/// A user session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// The session id.
    pub id: SessionId,
    /// The user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    /// Created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// Last updated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// Last authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticated_at: Option<Timestamp>,
    /// Idle expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_expires_at: Option<Timestamp>,
    /// Absolute expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// Last interaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_interacted_at: Option<Timestamp>,
    /// Device information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<Device>,
    /// Applications that used the session (`[{client_id}]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clients: Option<Vec<SessionClient>>,
    /// How the user authenticated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<SessionAuthentication>,
    /// Cookie settings (`mode`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookie: Option<JsonObject>,
    /// Session metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_metadata: Option<JsonObject>,
    /// Attributes this crate does not model, kept for round trips.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// Device information of a session or refresh token.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Device {
    /// First IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_ip: Option<String>,
    /// First autonomous system number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_asn: Option<String>,
    /// First user agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_user_agent: Option<String>,
    /// Last IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_ip: Option<String>,
    /// Last autonomous system number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_asn: Option<String>,
    /// Last user agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_user_agent: Option<String>,
    /// Attributes this crate does not model.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// An application that used a session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionClient {
    /// The application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientId>,
    /// Attributes this crate does not model.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// How the user of a session authenticated.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionAuthentication {
    /// The methods used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub methods: Option<Vec<AuthenticationMethod>>,
    /// Attributes this crate does not model.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// One authentication method of a session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuthenticationMethod {
    /// `federated`, `passkey`, `pwd`, `sms`, `email`, `mfa`, `mock`, or a URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Timestamp>,
    /// The factor type (MFA).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub method_type: Option<String>,
    /// Attributes this crate does not model.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// The body of `PATCH /api/v2/sessions/{id}`: `{"session_metadata": {…} | null}`.
///
/// ```
/// use auth0_mgmt::sessions::UpdateSession;
/// assert_eq!(
///     serde_json::to_value(UpdateSession::clear_metadata())?,
///     serde_json::json!({"session_metadata": null})
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UpdateSession {
    /// The new metadata (replaces the map), or `Clear` to remove it.
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub session_metadata: Patch<JsonObject>,
}

impl UpdateSession {
    /// Sets the session metadata.
    pub fn metadata(metadata: JsonObject) -> Self {
        UpdateSession { session_metadata: Patch::Set(metadata) }
    }

    /// Removes the session metadata (sends `null`).
    pub fn clear_metadata() -> Self {
        UpdateSession { session_metadata: Patch::Clear }
    }
}
