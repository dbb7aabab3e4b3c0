//! The resource servers models.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Result;
use crate::ids::{ClientId, ResourceServerId};
use crate::models::{JsonObject, Sensitive, string_enum};

string_enum! {
    /// The access token format of a resource server (`token_dialect`).
    pub enum TokenDialect {
        /// Auth0 access token.
        AccessToken => "access_token",
        /// Auth0 access token with RBAC permissions.
        AccessTokenAuthz => "access_token_authz",
        /// RFC 9068 profile.
        Rfc9068Profile => "rfc9068_profile",
        /// RFC 9068 profile with RBAC permissions.
        Rfc9068ProfileAuthz => "rfc9068_profile_authz",
    }
}

/// A resource server (API).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceServer {
    /// The id (24 hex digits).
    pub id: ResourceServerId,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The identifier (audience); immutable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// Whether this is a system API (e.g. the Management API itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_system: Option<bool>,
    /// Scopes the API defines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<ResourceServerScope>>,
    /// Signing algorithm (`HS256`, `RS256`, `RS512`, `PS256`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_alg: Option<String>,
    /// HS256 signing secret. `Debug` shows `[REDACTED]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_secret: Option<Sensitive>,
    /// Refresh tokens may be issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_offline_access: Option<bool>,
    /// Online refresh tokens may be issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_online_access: Option<bool>,
    /// Skip consent for verifiable first-party applications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_consent_for_verifiable_first_party_clients: Option<bool>,
    /// Access token lifetime in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_lifetime: Option<u64>,
    /// Access token lifetime for browser flows, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_lifetime_for_web: Option<u64>,
    /// RBAC enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enforce_policies: Option<bool>,
    /// Access token format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_dialect: Option<TokenDialect>,
    /// Access token encryption settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_encryption: Option<JsonObject>,
    /// Consent policy (`transactional-authorization-with-mfa`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_policy: Option<String>,
    /// Rich authorization request types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_details: Option<Vec<Value>>,
    /// Proof-of-possession settings (`mechanism`, `required`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof_of_possession: Option<JsonObject>,
    /// Which subjects may get tokens (`user`, `client` policies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_type_authorization: Option<JsonObject>,
    /// The application that represents this API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientId>,
    /// Attributes this crate does not model, kept for round trips.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// A scope defined by a resource server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ResourceServerScope {
    /// The scope (1–280 characters), e.g. `read:invoices`.
    pub value: String,
    /// Description (≤500 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Attributes this crate does not model.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ResourceServerScope {
    /// A scope without description.
    pub fn new(value: impl Into<String>) -> Self {
        ResourceServerScope { value: value.into(), description: None, extra: JsonObject::new() }
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// The body of `POST /api/v2/resource-servers`.
///
/// ```
/// use auth0_mgmt::resource_servers::CreateResourceServer;
/// let body = CreateResourceServer::new("https://billing.example.com/").name("Billing");
/// assert_eq!(
///     serde_json::to_value(&body)?,
///     serde_json::json!({"identifier": "https://billing.example.com/", "name": "Billing"})
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CreateResourceServer {
    /// The identifier (audience; required, 1–600, immutable).
    pub identifier: String,
    /// Name (≤200).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Scopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<ResourceServerScope>>,
    /// Signing algorithm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_alg: Option<String>,
    /// HS256 signing secret (≥16 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_secret: Option<Sensitive>,
    /// Allow refresh tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_offline_access: Option<bool>,
    /// Access token lifetime in seconds (0–2592000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_lifetime: Option<u64>,
    /// Access token lifetime for browser flows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_lifetime_for_web: Option<u64>,
    /// Access token format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_dialect: Option<TokenDialect>,
    /// Skip consent for verifiable first-party applications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_consent_for_verifiable_first_party_clients: Option<bool>,
    /// Enable RBAC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enforce_policies: Option<bool>,
    /// Fields sent as given (any other create attribute).
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl CreateResourceServer {
    /// An API with this identifier (audience).
    pub fn new(identifier: impl Into<String>) -> Self {
        CreateResourceServer { identifier: identifier.into(), ..Default::default() }
    }

    /// Sets the name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Adds a scope.
    pub fn scope(mut self, scope: ResourceServerScope) -> Self {
        self.scopes.get_or_insert_with(Vec::new).push(scope);
        self
    }
}
