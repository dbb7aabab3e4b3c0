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
use crate::ids::{ClientId, GrantId, UserId};
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
        ListGrants {
            client: self.client.clone(),
            user_id: None,
            client_id: None,
            audience: None,
            page: 0,
            per_page: None,
        }
    }

    /// Deletes a grant (`grants.delete`, `DELETE /api/v2/grants/{id}`, 204, scope
    /// `delete:grants`).
    pub async fn delete(&self, id: &GrantId) -> Result<()> {
        self.client.execute::<serde::de::IgnoredAny>(Request::new(&catalog::GRANTS_DELETE).id(id)).await.map(drop)
    }
}

/// `GET /api/v2/grants` with its filters. Made by [`Grants::list`].
#[derive(Debug, Clone)]
#[must_use = "finish with .send() or .stream()"]
pub struct ListGrants {
    client: Client,
    user_id: Option<UserId>,
    client_id: Option<ClientId>,
    audience: Option<String>,
    page: u64,
    per_page: Option<u64>,
}

impl ListGrants {
    /// Only grants of this user.
    pub fn user_id(mut self, user: UserId) -> Self {
        self.user_id = Some(user);
        self
    }

    /// Only grants to this application (sent as `client_id`).
    pub fn client_id(mut self, client: ClientId) -> Self {
        self.client_id = Some(client);
        self
    }

    /// Only grants for this audience.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    fn request(&self) -> Request {
        Request::new(&catalog::GRANTS_LIST)
            .query_opt("user_id", self.user_id.as_ref())
            .query_opt("client_id", self.client_id.as_ref())
            .query_opt("audience", self.audience.clone())
    }

    crate::pagination::offset_list_methods!(Grant);
}
