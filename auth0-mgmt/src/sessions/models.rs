//! The sessions models.

use crate::ids::{ClientId, SessionId, UserId};
use crate::models::{JsonObject, Timestamp, model, request, string_enum};

model! {
    /// A user session. Dates may be strings, objects or `null` ([`Timestamp`]).
    pub struct Session {
        /// The session id.
        id: SessionId,
        /// The user.
        user_id: Option<UserId>,
        /// Created.
        created_at: Option<Timestamp>,
        /// Last updated.
        updated_at: Option<Timestamp>,
        /// Last authentication.
        authenticated_at: Option<Timestamp>,
        /// Idle expiry.
        idle_expires_at: Option<Timestamp>,
        /// Absolute expiry.
        expires_at: Option<Timestamp>,
        /// Last interaction.
        last_interacted_at: Option<Timestamp>,
        /// Device information.
        device: Option<Device>,
        /// Applications that used the session (`[{client_id}]`).
        clients: Option<Vec<SessionClient>>,
        /// How the user authenticated.
        authentication: Option<SessionAuthentication>,
        /// Cookie settings.
        cookie: Option<SessionCookie>,
        /// Session metadata.
        session_metadata: Option<JsonObject>,
        /// Who acts in the session when it was created by delegation.
        actor: Option<JsonObject>,
    }
}

model! {
    /// Device information of a session or refresh token.
    @default
    pub struct Device {
        /// First IP address.
        initial_ip: Option<String>,
        /// First autonomous system number.
        initial_asn: Option<String>,
        /// First user agent.
        initial_user_agent: Option<String>,
        /// Last IP address.
        last_ip: Option<String>,
        /// Last autonomous system number.
        last_asn: Option<String>,
        /// Last user agent.
        last_user_agent: Option<String>,
    }
}

model! {
    /// An application that used a session.
    @default
    pub struct SessionClient {
        /// The application.
        client_id: Option<ClientId>,
    }
}

model! {
    /// How the user of a session authenticated.
    @default
    pub struct SessionAuthentication {
        /// The methods used.
        methods: Option<Vec<AuthenticationMethod>>,
    }
}

model! {
    /// One authentication method of a session.
    @default
    pub struct AuthenticationMethod {
        /// `federated`, `passkey`, `pwd`, `sms`, `email`, `mfa`, `mock`, or a URL.
        name: Option<String>,
        /// When.
        timestamp: Option<Timestamp>,
        /// The factor type (MFA).
        method_type as "type": Option<String>,
    }
}

string_enum! {
    /// How the session cookie is kept (`cookie.mode`).
    pub enum CookieMode {
        /// Kept across browser restarts.
        Persistent => "persistent",
        /// Dropped when the browser closes.
        NonPersistent => "non-persistent",
    }
}

model! {
    /// Cookie settings of a session.
    @default
    pub struct SessionCookie {
        /// The cookie mode.
        mode: Option<CookieMode>,
    }
}

request! {
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
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct UpdateSession {
        required {}
        /// The new metadata (replaces the map), or `Clear` to remove it.
        session_metadata: Patch<JsonObject>,
    }
}

impl UpdateSession {
    /// Sets the session metadata.
    pub fn metadata(metadata: JsonObject) -> Self {
        UpdateSession::default().session_metadata(metadata)
    }

    /// Removes the session metadata (sends `null`).
    pub fn clear_metadata() -> Self {
        UpdateSession::default().session_metadata(crate::Patch::Clear)
    }
}
