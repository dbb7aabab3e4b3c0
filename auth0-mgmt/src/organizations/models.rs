//! Organization models (reference §10).

use serde::{Deserialize, Serialize};

use crate::ids::{ConnectionId, OrganizationId, RoleId, UserId};
use crate::models::JsonObject;

/// An organization.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    /// `org_…`.
    pub id: OrganizationId,
    /// Name (1–50, unique).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Branding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branding: Option<Branding>,
    /// Metadata (string or null values, ≤25 keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<JsonObject>,
    /// Enabled connections (in the create response when connections were passed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled_connections: Option<Vec<OrganizationConnection>>,
    /// Attributes this crate does not model, kept for round trips.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// Branding of an organization.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Branding {
    /// Logo URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// Colors: `primary`, `page_background`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colors: Option<JsonObject>,
    /// Attributes this crate does not model.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// A connection enabled for an organization.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrganizationConnection {
    /// The connection.
    pub connection_id: ConnectionId,
    /// Make users of this connection members on login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign_membership_on_login: Option<bool>,
    /// Show as a button on the organization's login page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_as_button: Option<bool>,
    /// Allow sign-up through this connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_signup_enabled: Option<bool>,
    /// `{name, strategy}` of the connection (responses only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<JsonObject>,
    /// Attributes this crate does not model.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl OrganizationConnection {
    /// Enables `connection_id` with the server's defaults.
    pub fn new(connection_id: ConnectionId) -> Self {
        OrganizationConnection {
            connection_id,
            assign_membership_on_login: None,
            show_as_button: None,
            is_signup_enabled: None,
            connection: None,
            extra: JsonObject::new(),
        }
    }
}

/// The body of `POST /api/v2/organizations`.
///
/// ```
/// use auth0_mgmt::organizations::CreateOrganization;
/// let body = CreateOrganization::new("acme").display_name("Acme Inc.");
/// assert_eq!(
///     serde_json::to_value(&body)?,
///     serde_json::json!({"name": "acme", "display_name": "Acme Inc."})
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CreateOrganization {
    /// Name (required, 1–50).
    pub name: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Branding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branding: Option<Branding>,
    /// Metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<JsonObject>,
    /// Connections to enable (≤10; needs `create:organization_connections`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled_connections: Option<Vec<OrganizationConnection>>,
    /// Fields sent as given (for attributes newer than this crate).
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl CreateOrganization {
    /// An organization named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        CreateOrganization { name: name.into(), ..Default::default() }
    }

    /// Sets the display name.
    pub fn display_name(mut self, display_name: impl Into<String>) -> Self {
        self.display_name = Some(display_name.into());
        self
    }

    /// Sets the metadata.
    pub fn metadata(mut self, metadata: JsonObject) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// Enables a connection.
    pub fn enable_connection(mut self, connection: OrganizationConnection) -> Self {
        self.enabled_connections.get_or_insert_with(Vec::new).push(connection);
        self
    }
}

/// A member of an organization.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// The user.
    pub user_id: UserId,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Picture URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Organization roles (with `fields=roles` and `read:organization_member_roles`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<MemberRole>>,
    /// Attributes this crate does not model.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// A role of an organization member.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemberRole {
    /// The role.
    pub id: RoleId,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Attributes this crate does not model.
    #[serde(flatten)]
    pub extra: JsonObject,
}
