//! User consent grants (reference §12): list and delete.
//!
//! ```no_run
//! # async fn run(client: auth0_mgmt::Client, user: auth0_mgmt::UserId) -> auth0_mgmt::Result<()> {
//! use futures::TryStreamExt;
//!
//! let grants: Vec<_> = client.grants().list().user_id(user).stream().try_collect().await?;
//! for grant in grants {
//!     client.grants().delete(&grant.id).await?;
//! }
//! # Ok(()) }
//! ```

mod models;

pub use models::*;

use crate::catalog;
use crate::client::Client;
use crate::error::Result;
use crate::handler;
use crate::ids::{ClientId, GrantId, UserId};
use crate::pagination::{List, Listing, OffsetListing, sealed};
use crate::request::Request;

/// The grants endpoints. Get one with [`Client::grants`].
#[derive(Clone, Debug)]
pub struct Grants {
    client: Client,
}

impl Client {
    /// The user consent grants endpoints.
    pub fn grants(&self) -> Grants {
        Grants { client: self.clone() }
    }
}

impl Grants {
    /// Lists grants (`grants.list`, `GET /api/v2/grants`, scope `read:grants`); finish
    /// with `.send()` or `.stream()`.
    pub fn list(&self) -> ListGrants {
        List::new(self.client.clone(), GrantsQuery::default())
    }

    /// Deletes a grant (`grants.delete`, `DELETE /api/v2/grants/{id}`, 204, scope
    /// `delete:grants`).
    pub async fn delete(&self, id: &GrantId) -> Result<()> {
        handler::delete(&self.client, &catalog::GRANTS_DELETE, id).await
    }
}

/// `GET /api/v2/grants` with its filters. Made by [`Grants::list`]; the paging methods
/// are [`List`]'s offset ones.
pub type ListGrants = List<GrantsQuery>;

/// The filters of [`ListGrants`].
#[derive(Debug, Clone, Default)]
pub struct GrantsQuery {
    user_id: Option<UserId>,
    client_id: Option<ClientId>,
    audience: Option<String>,
}

impl sealed::Sealed for GrantsQuery {}

impl Listing for GrantsQuery {
    type Item = Grant;

    fn request(&self) -> Request {
        Request::new(&catalog::GRANTS_LIST)
            .query_opt("user_id", self.user_id.as_ref())
            .query_opt("client_id", self.client_id.as_ref())
            .query_opt("audience", self.audience.clone())
    }
}

impl OffsetListing for GrantsQuery {}

impl ListGrants {
    /// Only grants of this user.
    pub fn user_id(self, user: UserId) -> Self {
        self.with(|q| q.user_id = Some(user))
    }

    /// Only grants to this application (sent as `client_id`).
    pub fn client_id(self, client: ClientId) -> Self {
        self.with(|q| q.client_id = Some(client))
    }

    /// Only grants for this audience.
    pub fn audience(self, audience: impl Into<String>) -> Self {
        self.with(|q| q.audience = Some(audience.into()))
    }
}
