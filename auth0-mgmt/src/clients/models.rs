//! Application (client) models (reference §8).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ids::ClientId;
use crate::models::{JsonObject, Patch, Sensitive, string_enum};

string_enum! {
    /// The kind of application (`app_type`). Unknown values are kept in `Other`.
    pub enum AppType {
        /// Native (mobile/desktop) app.
        Native => "native",
        /// Single-page app.
        Spa => "spa",
        /// Regular web app.
        RegularWeb => "regular_web",
        /// Machine-to-machine app.
        NonInteractive => "non_interactive",
        /// The app behind a resource server.
        ResourceServer => "resource_server",
        /// Express configuration app.
        ExpressConfiguration => "express_configuration",
        /// Auth0 RMS.
        Rms => "rms",
        /// Box SSO integration.
        Box => "box",
        /// CloudBees SSO integration.
        Cloudbees => "cloudbees",
        /// Concur SSO integration.
        Concur => "concur",
        /// Dropbox SSO integration.
        Dropbox => "dropbox",
        /// Microsoft Dynamics CRM SSO integration.
        Mscrm => "mscrm",
        /// EchoSign SSO integration.
        Echosign => "echosign",
        /// Egnyte SSO integration.
        Egnyte => "egnyte",
        /// New Relic SSO integration.
        Newrelic => "newrelic",
        /// Office 365 SSO integration.
        Office365 => "office365",
        /// Salesforce SSO integration.
        Salesforce => "salesforce",
        /// Sentry SSO integration.
        Sentry => "sentry",
        /// SharePoint SSO integration.
        Sharepoint => "sharepoint",
        /// Slack SSO integration.
        Slack => "slack",
        /// SpringCM SSO integration.
        Springcm => "springcm",
        /// Zendesk SSO integration.
        Zendesk => "zendesk",
        /// Zoom SSO integration.
        Zoom => "zoom",
        /// Generic SSO integration.
        SsoIntegration => "sso_integration",
        /// On-premises access gateway.
        Oag => "oag",
    }
}

string_enum! {
    /// How the application authenticates at the token endpoint
    /// (`token_endpoint_auth_method`). `private_key_jwt` is configured through
    /// `client_authentication_methods` instead.
    pub enum TokenEndpointAuthMethod {
        /// Public client, no secret.
        None => "none",
        /// Secret in the POST body.
        ClientSecretPost => "client_secret_post",
        /// Secret in HTTP Basic auth.
        ClientSecretBasic => "client_secret_basic",
    }
}

/// An application (Auth0 calls it a *client*) as the Management API returns it.
///
/// Which fields are present depends on the token's scopes: `read:client_summary` gives
/// only `client_id`, `app_type`, `name` and `description`; `client_secret`,
/// `encryption_key`, `signing_keys` and `client_authentication_methods` need
/// `read:client_keys` or `read:client_credentials`. Unknown attributes are kept in
/// `extra`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Application {
    /// The client id (32 characters).
    pub client_id: ClientId,
    /// The tenant name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Description (≤140 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether this is the tenant's global client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global: Option<bool>,
    /// The client secret (only with `read:client_keys`; always returned by create for
    /// confidential applications). `Debug` shows `[REDACTED]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Sensitive>,
    /// The kind of application; absent on applications created without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_type: Option<AppType>,
    /// Logo URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_uri: Option<String>,
    /// First-party (true) or third-party application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_first_party: Option<bool>,
    /// OIDC conformant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc_conformant: Option<bool>,
    /// Allowed callback URLs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callbacks: Option<Vec<String>>,
    /// Allowed origins (CORS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_origins: Option<Vec<String>>,
    /// Allowed web origins (web message response mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_origins: Option<Vec<String>>,
    /// Audiences for ID tokens (aliases).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_aliases: Option<Vec<String>>,
    /// Applications allowed to make delegation requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_clients: Option<Vec<String>>,
    /// Allowed logout URLs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_logout_urls: Option<Vec<String>>,
    /// Grant types (`authorization_code`, `client_credentials`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types: Option<Vec<String>>,
    /// ID token settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt_configuration: Option<JwtConfiguration>,
    /// Signing certificates (public parts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_keys: Option<Vec<JsonObject>>,
    /// Encryption key (WS-Fed/SAML).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_key: Option<JsonObject>,
    /// Use Auth0 instead of the IdP for SSO.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso: Option<bool>,
    /// SSO disabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso_disabled: Option<bool>,
    /// Cross-origin authentication allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_origin_authentication: Option<bool>,
    /// Cross-origin verification page URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_origin_loc: Option<String>,
    /// Custom login page enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_login_page_on: Option<bool>,
    /// Custom login page HTML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_login_page: Option<String>,
    /// WS-Fed form template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_template: Option<String>,
    /// Add-on settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addons: Option<JsonObject>,
    /// Token endpoint authentication method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_method: Option<TokenEndpointAuthMethod>,
    /// Trust the IP header at the token endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_token_endpoint_ip_header_trusted: Option<bool>,
    /// Application metadata (string values, ≤10 keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<JsonObject>,
    /// Native app settings (Android/iOS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile: Option<JsonObject>,
    /// Login initiation URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiate_login_uri: Option<String>,
    /// Native social login settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub native_social_login: Option<JsonObject>,
    /// Refresh token settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<RefreshTokenConfig>,
    /// Default organization for some flows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_organization: Option<JsonObject>,
    /// `deny`, `allow` or `require`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_usage: Option<String>,
    /// `no_prompt`, `pre_login_prompt` or `post_login_prompt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_require_behavior: Option<String>,
    /// `private_key_jwt` / `tls_client_auth` credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_authentication_methods: Option<JsonObject>,
    /// Require pushed authorization requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_pushed_authorization_requests: Option<bool>,
    /// Require proof of possession.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_proof_of_possession: Option<bool>,
    /// Compliance level (e.g. `fapi1_adv_pkj_par`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compliance_level: Option<String>,
    /// PAR request expiry in seconds (10–600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub par_request_expiry: Option<u64>,
    /// Attributes this crate does not model, kept for round trips.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// ID token settings of an application (`jwt_configuration`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct JwtConfiguration {
    /// ID token lifetime in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifetime_in_seconds: Option<u64>,
    /// Whether the secret is base64-encoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_encoded: Option<bool>,
    /// Scopes configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<JsonObject>,
    /// Signing algorithm (`HS256`, `RS256`, `RS512`, `PS256`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// Attributes this crate does not model.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// Refresh token settings of an application (`refresh_token`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RefreshTokenConfig {
    /// `rotating` or `non-rotating`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_type: Option<String>,
    /// `expiring` or `non-expiring`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_type: Option<String>,
    /// Reuse window in seconds for rotating tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leeway: Option<u64>,
    /// Absolute lifetime in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_lifetime: Option<u64>,
    /// No absolute lifetime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infinite_token_lifetime: Option<bool>,
    /// Idle lifetime in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_token_lifetime: Option<u64>,
    /// No idle lifetime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infinite_idle_token_lifetime: Option<bool>,
    /// Per-audience policies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policies: Option<Vec<Value>>,
    /// Attributes this crate does not model.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// The body of `POST /api/v2/clients`. Leave the secret unset: the server generates
/// one and returns it in the response.
///
/// ```
/// use auth0_mgmt::clients::{AppType, CreateApplication};
/// let body = CreateApplication::new("billing-worker").app_type(AppType::NonInteractive);
/// assert_eq!(
///     serde_json::to_value(&body)?,
///     serde_json::json!({"name": "billing-worker", "app_type": "non_interactive"})
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CreateApplication {
    /// Name (required; no `<` or `>`).
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The kind of application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_type: Option<AppType>,
    /// Logo URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_uri: Option<String>,
    /// First-party (default true) or third-party.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_first_party: Option<bool>,
    /// OIDC conformant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc_conformant: Option<bool>,
    /// Allowed callback URLs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callbacks: Option<Vec<String>>,
    /// Allowed origins (CORS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_origins: Option<Vec<String>>,
    /// Allowed web origins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_origins: Option<Vec<String>>,
    /// Allowed logout URLs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_logout_urls: Option<Vec<String>>,
    /// Grant types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types: Option<Vec<String>>,
    /// Token endpoint authentication method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_method: Option<TokenEndpointAuthMethod>,
    /// ID token settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt_configuration: Option<JwtConfiguration>,
    /// Refresh token settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<RefreshTokenConfig>,
    /// Application metadata (string values, ≤10 keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<JsonObject>,
    /// `deny`, `allow` or `require`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_usage: Option<String>,
    /// `no_prompt`, `pre_login_prompt` or `post_login_prompt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_require_behavior: Option<String>,
    /// Fields sent as given (any other create attribute, e.g. `addons`, `mobile`).
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl CreateApplication {
    /// An application named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        CreateApplication { name: name.into(), ..Default::default() }
    }

    /// Sets the kind of application.
    pub fn app_type(mut self, app_type: AppType) -> Self {
        self.app_type = Some(app_type);
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the grant types.
    pub fn grant_types<I: IntoIterator<Item = S>, S: Into<String>>(mut self, grants: I) -> Self {
        self.grant_types = Some(grants.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the callback URLs.
    pub fn callbacks<I: IntoIterator<Item = S>, S: Into<String>>(mut self, urls: I) -> Self {
        self.callbacks = Some(urls.into_iter().map(Into::into).collect());
        self
    }
}

/// The body of `PATCH /api/v2/clients/{id}`. Nullable attributes are [`Patch`]es
/// (absent / `null` / value).
///
/// ```
/// use auth0_mgmt::{Patch, clients::UpdateApplication};
/// let changes = UpdateApplication {
///     description: Some("Nightly billing".into()),
///     cross_origin_loc: Patch::Clear,
///     ..Default::default()
/// };
/// assert_eq!(
///     serde_json::to_value(&changes)?,
///     serde_json::json!({"description": "Nightly billing", "cross_origin_loc": null})
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UpdateApplication {
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A new client secret (needs `update:client_keys`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Sensitive>,
    /// The kind of application.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_type: Option<AppType>,
    /// Logo URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo_uri: Option<String>,
    /// First-party or third-party.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_first_party: Option<bool>,
    /// OIDC conformant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oidc_conformant: Option<bool>,
    /// Allowed callback URLs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callbacks: Option<Vec<String>>,
    /// Allowed origins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_origins: Option<Vec<String>>,
    /// Allowed web origins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web_origins: Option<Vec<String>>,
    /// Allowed logout URLs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_logout_urls: Option<Vec<String>>,
    /// Grant types.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant_types: Option<Vec<String>>,
    /// Token endpoint authentication method (`null` clears it).
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub token_endpoint_auth_method: Patch<TokenEndpointAuthMethod>,
    /// ID token settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwt_configuration: Option<JwtConfiguration>,
    /// Refresh token settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<RefreshTokenConfig>,
    /// Application metadata (replaces the map).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<JsonObject>,
    /// Cross-origin verification page URL (`null` clears it).
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub cross_origin_loc: Patch<String>,
    /// `deny`, `allow` or `require` (`null` clears it).
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub organization_usage: Patch<String>,
    /// `no_prompt`, `pre_login_prompt` or `post_login_prompt` (`null` clears it).
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub organization_require_behavior: Patch<String>,
    /// Compliance level (`null` clears it).
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub compliance_level: Patch<String>,
    /// Fields sent as given (any other update attribute).
    #[serde(flatten)]
    pub extra: JsonObject,
}
