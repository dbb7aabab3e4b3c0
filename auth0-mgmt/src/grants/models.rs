//! The grants models.

use crate::ids::{ClientId, GrantId, OrganizationId, UserId};
use crate::models::model;

model! {
    /// A user's consent to an application for an audience.
    ///
    /// Note the item field is `clientID` (camelCase) on the wire, while the list filter is
    /// `client_id`; this type maps `clientID` to [`client_id`](Self::client_id).
    pub struct Grant {
        /// The grant id (24 hex digits).
        id: GrantId,
        /// The application (`clientID` on the wire).
        client_id as "clientID": Option<ClientId>,
        /// The user.
        user_id: Option<UserId>,
        /// The API audience.
        audience: Option<String>,
        /// Consented scopes (may be empty).
        scope: Option<Vec<String>>,
        /// The organization the consent was given in.
        organization_id: Option<OrganizationId>,
    }
}
