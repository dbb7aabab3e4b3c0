//! User models (reference §6).

use serde::{Deserialize, Serialize};

use crate::ids::UserId;
use crate::models::{JsonObject, MetadataPatch, Patch, Sensitive, StringOrNumber};

/// A user as the Management API returns it. Unknown attributes are kept in `extra`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// `{provider}|{id}`, e.g. `auth0|63d17c4c5d69f3e86d515d1c`.
    pub user_id: UserId,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the email is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// Username (connections that require one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Phone number (E.164).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Whether the phone number is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_verified: Option<bool>,
    /// Creation time (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Last update time (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Linked identities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identities: Option<Vec<Identity>>,
    /// Application metadata (not editable by the user).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_metadata: Option<JsonObject>,
    /// User metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_metadata: Option<JsonObject>,
    /// Picture URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// Full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Nickname.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Enrolled MFA providers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multifactor: Option<Vec<String>>,
    /// Last MFA change (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multifactor_last_modified: Option<String>,
    /// Last login IP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_ip: Option<String>,
    /// Last login time (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login: Option<String>,
    /// Last password reset (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_password_reset: Option<String>,
    /// Number of logins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logins_count: Option<u64>,
    /// Whether the user is blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked: Option<bool>,
    /// Attributes this crate does not model, kept for round trips.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl User {
    /// The identities, or an empty slice.
    pub fn identities(&self) -> &[Identity] {
        self.identities.as_deref().unwrap_or_default()
    }
}

/// One linked identity of a user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    /// Connection name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// The id at the provider, without the provider prefix (a string or a number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<StringOrNumber>,
    /// Provider (`auth0`, `google-oauth2`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Whether it is a social identity.
    #[serde(rename = "isSocial", default, skip_serializing_if = "Option::is_none")]
    pub is_social: Option<bool>,
    /// IdP access token (only with `read:user_idp_tokens`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<Sensitive>,
    /// IdP access token secret (only with `read:user_idp_tokens`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token_secret: Option<Sensitive>,
    /// IdP refresh token (only with `read:user_idp_tokens`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Sensitive>,
    /// Profile data of a linked secondary identity.
    #[serde(rename = "profileData", default, skip_serializing_if = "Option::is_none")]
    pub profile_data: Option<JsonObject>,
    /// Attributes this crate does not model.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// The body of `POST /api/v2/users`. Which of email, password, username and phone are
/// required depends on the connection; the server decides.
///
/// ```
/// use auth0_mgmt::users::CreateUser;
/// let user = CreateUser::new("Username-Password-Authentication")
///     .email("ada@example.com")
///     .password("correct horse battery staple");
/// assert!(!format!("{user:?}").contains("battery"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CreateUser {
    /// Connection *name* (required).
    pub connection: String,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number (E.164).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// User metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_metadata: Option<JsonObject>,
    /// Application metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_metadata: Option<JsonObject>,
    /// Create blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked: Option<bool>,
    /// Mark the email verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// Mark the phone verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_verified: Option<bool>,
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Nickname.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// Picture URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// The id part after the provider (custom ids).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Initial password (database connections).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Sensitive>,
    /// Send a verification email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_email: Option<bool>,
    /// Username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Fields sent as given (for attributes newer than this crate).
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl CreateUser {
    /// A user in the connection named `connection`.
    pub fn new(connection: impl Into<String>) -> Self {
        CreateUser { connection: connection.into(), ..Default::default() }
    }

    /// Sets the email.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Sets the password.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(Sensitive::new(password.into()));
        self
    }

    /// Sets the username.
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// Sets the full name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the user metadata.
    pub fn user_metadata(mut self, metadata: JsonObject) -> Self {
        self.user_metadata = Some(metadata);
        self
    }

    /// Sets the app metadata.
    pub fn app_metadata(mut self, metadata: JsonObject) -> Self {
        self.app_metadata = Some(metadata);
        self
    }
}

/// The body of `PATCH /api/v2/users/{id}`.
///
/// Every attribute is three-state ([`Patch`]): absent (keep), `null` (remove) or a value.
/// Metadata uses [`MetadataPatch`], which Auth0 merges one level deep and which is never
/// sent as an accidental `{}` (that would wipe the map).
///
/// ```
/// use auth0_mgmt::{MetadataPatch, Patch, users::UpdateUser};
/// use serde_json::json;
///
/// let changes = UpdateUser {
///     nickname: Patch::Clear,
///     given_name: Patch::Set("Ada".into()),
///     app_metadata: MetadataPatch::new().set("plan", "pro"),
///     ..Default::default()
/// };
/// assert_eq!(
///     serde_json::to_value(&changes)?,
///     json!({"nickname": null, "given_name": "Ada", "app_metadata": {"plan": "pro"}})
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UpdateUser {
    /// Block or unblock.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked: Option<bool>,
    /// Email verified flag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// Email.
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub email: Patch<String>,
    /// Phone number.
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub phone_number: Patch<String>,
    /// Phone verified flag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_verified: Option<bool>,
    /// User metadata changes.
    #[serde(skip_serializing_if = "MetadataPatch::is_empty")]
    pub user_metadata: MetadataPatch,
    /// App metadata changes.
    #[serde(skip_serializing_if = "MetadataPatch::is_empty")]
    pub app_metadata: MetadataPatch,
    /// Given name.
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub given_name: Patch<String>,
    /// Family name.
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub family_name: Patch<String>,
    /// Full name.
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub name: Patch<String>,
    /// Nickname.
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub nickname: Patch<String>,
    /// Picture URL.
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub picture: Patch<String>,
    /// Send a verification email after an email change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify_email: Option<bool>,
    /// Send a verification SMS after a phone change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify_phone_number: Option<bool>,
    /// New password.
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub password: Patch<Sensitive>,
    /// The connection of the identity being changed (email, phone, username, password
    /// of secondary identities).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// The application whose email templates apply to an email change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Username.
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub username: Patch<String>,
    /// Fields sent as given (for attributes newer than this crate).
    #[serde(flatten)]
    pub extra: JsonObject,
}
