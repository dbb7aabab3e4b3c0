//! The roles models.

use serde::{Deserialize, Serialize};

use crate::ids::RoleId;
use crate::models::JsonObject;

/// A role. Standard roles (Admin, Support Access, …) are not returned by the API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Role {
    /// `rol_…`.
    pub id: RoleId,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Attributes this crate does not model, kept for round trips.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// The body of `POST /api/v2/roles`.
///
/// ```
/// use auth0_mgmt::roles::CreateRole;
/// let body = CreateRole::new("support").description("Support staff");
/// assert_eq!(
///     serde_json::to_value(&body)?,
///     serde_json::json!({"name": "support", "description": "Support staff"})
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CreateRole {
    /// Name (required).
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Fields sent as given (for attributes newer than this crate).
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl CreateRole {
    /// A role named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        CreateRole { name: name.into(), ..Default::default() }
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}
