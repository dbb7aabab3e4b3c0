//! User models (reference §6).

use crate::connections::Strategy;
use crate::ids::UserId;
use crate::models::{JsonObject, MetadataPatch, Sensitive, StringOrNumber, Timestamp, model, request};

model! {
    /// A user as the Management API returns it. Custom root attributes are kept in
    /// `extra`; explicit `null`s are kept and re-encoded.
    pub struct User {
        /// `{provider}|{id}`, e.g. `auth0|63d17c4c5d69f3e86d515d1c`.
        user_id: UserId,
        /// Email address.
        email: Option<String>,
        /// Whether the email is verified.
        email_verified: Option<bool>,
        /// Username (connections that require one).
        username: Option<String>,
        /// Phone number (E.164).
        phone_number: Option<String>,
        /// Whether the phone number is verified.
        phone_verified: Option<bool>,
        /// Creation time.
        created_at: Option<Timestamp>,
        /// Last update time.
        updated_at: Option<Timestamp>,
        /// Linked identities.
        identities: Option<Vec<Identity>>,
        /// Application metadata (not editable by the user).
        app_metadata: Option<JsonObject>,
        /// User metadata.
        user_metadata: Option<JsonObject>,
        /// Picture URL.
        picture: Option<String>,
        /// Full name.
        name: Option<String>,
        /// Nickname.
        nickname: Option<String>,
        /// Enrolled MFA providers.
        multifactor: Option<Vec<String>>,
        /// Last MFA change.
        multifactor_last_modified: Option<Timestamp>,
        /// Last login IP.
        last_ip: Option<String>,
        /// Last login time.
        last_login: Option<Timestamp>,
        /// Last password reset.
        last_password_reset: Option<Timestamp>,
        /// Number of logins.
        logins_count: Option<u64>,
        /// Whether the user is blocked.
        blocked: Option<bool>,
        /// Given name.
        given_name: Option<String>,
        /// Family name.
        family_name: Option<String>,
    }
}

impl User {
    /// The identities, or an empty slice.
    pub fn identities(&self) -> &[Identity] {
        self.identities.as_deref().unwrap_or_default()
    }
}

model! {
    /// One linked identity of a user.
    @default
    pub struct Identity {
        /// Connection name.
        connection: Option<String>,
        /// The id at the provider, without the provider prefix (a string or a number).
        user_id: Option<StringOrNumber>,
        /// Provider (`auth0`, `google-oauth2`, …; the connection's strategy).
        provider: Option<Strategy>,
        /// Whether it is a social identity.
        is_social as "isSocial": Option<bool>,
        /// IdP access token (only with `read:user_idp_tokens`).
        access_token: Option<Sensitive>,
        /// IdP access token secret (only with `read:user_idp_tokens`).
        access_token_secret: Option<Sensitive>,
        /// IdP refresh token (only with `read:user_idp_tokens`).
        refresh_token: Option<Sensitive>,
        /// Profile data of a linked secondary identity.
        profile_data as "profileData": Option<JsonObject>,
    }
}

request! {
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
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct CreateUser {
        required {
            /// Connection *name* (required).
            connection: String,
        }
        /// Email.
        email: Option<String>,
        /// Phone number (E.164, `+` and up to 15 digits).
        phone_number: Option<String>,
        /// User metadata.
        user_metadata: Option<JsonObject>,
        /// Create blocked.
        blocked: Option<bool>,
        /// Mark the email verified.
        email_verified: Option<bool>,
        /// Mark the phone verified.
        phone_verified: Option<bool>,
        /// Application metadata.
        app_metadata: Option<JsonObject>,
        /// Given name (1–150).
        given_name: Option<String>,
        /// Family name (1–150).
        family_name: Option<String>,
        /// Full name (1–300).
        name: Option<String>,
        /// Nickname (1–300).
        nickname: Option<String>,
        /// Picture URL.
        picture: Option<String>,
        /// The id part after the provider (custom ids, ≤255, no whitespace).
        user_id: Option<String>,
        /// Initial password (database connections).
        password: Option<Sensitive>,
        /// Send a verification email.
        verify_email: Option<bool>,
        /// Username (1–128; connections that require one).
        username: Option<String>,
    }
}

impl CreateUser {
    /// A user in the connection named `connection`.
    pub fn new(connection: impl Into<String>) -> Self {
        CreateUser { connection: connection.into(), ..Default::default() }
    }
}

request! {
    /// The body of `PATCH /api/v2/users/{id}`.
    ///
    /// Nullable attributes are three-state ([`Patch`](crate::Patch)): absent (keep), `null`
    /// (remove) or a value. Metadata uses [`MetadataPatch`], which Auth0 merges one level
    /// deep and which is never sent as an accidental `{}` (that would wipe the map).
    ///
    /// ```
    /// use auth0_mgmt::{MetadataPatch, Patch, users::UpdateUser};
    /// use serde_json::json;
    ///
    /// let changes = UpdateUser::new()
    ///     .nickname(Patch::Clear)
    ///     .given_name("Ada")
    ///     .app_metadata(MetadataPatch::new().set("plan", "pro"));
    /// assert_eq!(
    ///     serde_json::to_value(&changes)?,
    ///     json!({"nickname": null, "given_name": "Ada", "app_metadata": {"plan": "pro"}})
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct UpdateUser {
        required {}
        /// Block or unblock.
        blocked: Option<bool>,
        /// Email verified flag.
        email_verified: Option<bool>,
        /// Email (`null` removes it).
        email: Patch<String>,
        /// Phone number (`null` removes it).
        phone_number: Patch<String>,
        /// Phone verified flag.
        phone_verified: Option<bool>,
        /// User metadata changes.
        user_metadata: Plain<MetadataPatch>,
        /// App metadata changes.
        app_metadata: Plain<MetadataPatch>,
        /// Given name.
        given_name: Patch<String>,
        /// Family name.
        family_name: Patch<String>,
        /// Full name.
        name: Patch<String>,
        /// Nickname.
        nickname: Patch<String>,
        /// Picture URL.
        picture: Patch<String>,
        /// Send a verification email after an email change.
        verify_email: Option<bool>,
        /// Send a verification SMS after a phone change.
        verify_phone_number: Option<bool>,
        /// New password.
        password: Patch<Sensitive>,
        /// The connection of the identity being changed (email, phone, username, password
        /// of secondary identities).
        connection: Option<String>,
        /// The application whose email templates apply to an email change.
        client_id: Option<String>,
        /// Username.
        username: Patch<String>,
    }
}

impl UpdateUser {
    /// No changes yet; add them with the setters.
    pub fn new() -> Self {
        Self::default()
    }
}
