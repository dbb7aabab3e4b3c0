//! The roles models.

use crate::ids::RoleId;
use crate::models::{model, request};

model! {
    /// A role. Standard roles (Admin, Support Access, …) are not returned by the API.
    pub struct Role {
        /// `rol_…`.
        id: RoleId,
        /// Name.
        name: Option<String>,
        /// Description.
        description: Option<String>,
    }
}

request! {
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
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct CreateRole {
        required {
            /// Name (required).
            name: String,
        }
        /// Description.
        description: Option<String>,
    }
}

impl CreateRole {
    /// A role named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        CreateRole { name: name.into(), ..Default::default() }
    }
}
