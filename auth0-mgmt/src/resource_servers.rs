//! Resource servers, i.e. APIs (reference §13): list, get (by id or identifier), create.
//!
//! ```no_run
//! # async fn run(client: auth0_mgmt::Client) -> auth0_mgmt::Result<()> {
//! use auth0_mgmt::ResourceServerId;
//! use auth0_mgmt::resource_servers::{CreateResourceServer, ResourceServerScope};
//!
//! let api = client
//!     .resource_servers()
//!     .create(
//!         &CreateResourceServer::new("https://billing.example.com/")
//!             .name("Billing")
//!             .scope(ResourceServerScope::new("read:invoices").description("Read invoices")),
//!     )
//!     .await?;
//! // The identifier (audience URL) works wherever the id does:
//! let same = client
//!     .resource_servers()
//!     .get(&ResourceServerId::new("https://billing.example.com/")?)
//!     .await?;
//! assert_eq!(api.id, same.id);
//! # Ok(()) }
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::catalog;
use crate::client::Client;
use crate::error::Result;
use crate::ids::{ClientId, ResourceServerId};
use crate::models::{Fields, JsonObject, Sensitive, string_enum};
use crate::request::Request;

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

/// The resource servers endpoints. Get one with [`Client::resource_servers`].
#[derive(Clone, Debug)]
pub struct ResourceServers {
    client: Client,
}

impl Client {
    /// The resource servers (APIs) endpoints.
    pub fn resource_servers(&self) -> ResourceServers {
        ResourceServers { client: self.clone() }
    }
}

impl ResourceServers {
    /// Lists APIs (`resource_servers.list`, `GET /api/v2/resource-servers`, scope
    /// `read:resource_servers`); finish with `.send()` or `.stream()`.
    pub fn list(&self) -> ListResourceServers {
        ListResourceServers {
            client: self.client.clone(),
            identifiers: Vec::new(),
            fields: None,
            page: 0,
            per_page: None,
        }
    }

    /// Gets an API by id **or identifier** (`resource_servers.get`,
    /// `GET /api/v2/resource-servers/{id}`, scope `read:resource_servers`); an
    /// identifier URL is percent-encoded as one path segment.
    pub async fn get(&self, id: &ResourceServerId) -> Result<ResourceServer> {
        self.client.execute(Request::new(&catalog::RESOURCE_SERVERS_GET).id(id)).await
    }

    /// Gets an API, or `None` when it does not exist.
    pub async fn get_opt(&self, id: &ResourceServerId) -> Result<Option<ResourceServer>> {
        match self.get(id).await {
            Ok(r) => Ok(Some(r)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Creates an API (`resource_servers.create`, `POST /api/v2/resource-servers`, 201,
    /// scope `create:resource_servers`). 409 when the identifier exists.
    pub async fn create(&self, api: &CreateResourceServer) -> Result<ResourceServer> {
        self.client.execute(Request::new(&catalog::RESOURCE_SERVERS_CREATE).json(api)?).await
    }
}

/// `GET /api/v2/resource-servers` with its options. Made by [`ResourceServers::list`].
#[derive(Debug, Clone)]
#[must_use = "finish with .send() or .stream()"]
pub struct ListResourceServers {
    client: Client,
    identifiers: Vec<String>,
    fields: Option<Fields>,
    page: u64,
    per_page: Option<u64>,
}

impl ListResourceServers {
    /// Only the API with this identifier; repeat for several (the server accepts ≤10).
    pub fn identifier(mut self, identifier: impl Into<String>) -> Self {
        self.identifiers.push(identifier.into());
        self
    }

    /// Fields to return (`id` is always returned).
    pub fn fields(mut self, fields: Fields) -> Self {
        self.fields = Some(fields);
        self
    }

    fn request(&self) -> Request {
        let mut req = Request::new(&catalog::RESOURCE_SERVERS_LIST);
        for i in &self.identifiers {
            req = req.query("identifiers", i);
        }
        if let Some(f) = &self.fields {
            req = f.apply(req, "id");
        }
        req
    }

    crate::pagination::offset_list_methods!(ResourceServer);
}
