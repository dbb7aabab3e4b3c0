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

mod models;

pub use models::*;

use crate::catalog;
use crate::client::Client;
use crate::error::Result;
use crate::handler;
use crate::ids::ResourceServerId;
use crate::models::Fields;
use crate::pagination::{List, Listing, OffsetListing, sealed};
use crate::request::Request;

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
        List::new(self.client.clone(), ResourceServersQuery::default())
    }

    /// Gets an API by id **or identifier** (`resource_servers.get`,
    /// `GET /api/v2/resource-servers/{id}`, scope `read:resource_servers`); an
    /// identifier URL is percent-encoded as one path segment.
    pub async fn get(&self, id: &ResourceServerId) -> Result<ResourceServer> {
        self.client.execute(Request::new(&catalog::RESOURCE_SERVERS_GET).id(id)).await
    }

    /// Gets an API, or `None` when it does not exist.
    pub async fn get_opt(&self, id: &ResourceServerId) -> Result<Option<ResourceServer>> {
        handler::get_opt(&self.client, Request::new(&catalog::RESOURCE_SERVERS_GET).id(id)).await
    }

    /// Creates an API (`resource_servers.create`, `POST /api/v2/resource-servers`, 201,
    /// scope `create:resource_servers`). 409 when the identifier exists.
    pub async fn create(&self, api: &CreateResourceServer) -> Result<ResourceServer> {
        self.client.execute(Request::new(&catalog::RESOURCE_SERVERS_CREATE).json(api)?).await
    }
}

/// `GET /api/v2/resource-servers` with its options. Made by [`ResourceServers::list`];
/// the paging methods are [`List`]'s offset ones.
pub type ListResourceServers = List<ResourceServersQuery>;

/// The filters of [`ListResourceServers`].
#[derive(Debug, Clone, Default)]
pub struct ResourceServersQuery {
    identifiers: Vec<String>,
    fields: Option<Fields>,
}

impl sealed::Sealed for ResourceServersQuery {}

impl Listing for ResourceServersQuery {
    type Item = ResourceServer;

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
}

impl OffsetListing for ResourceServersQuery {}

impl ListResourceServers {
    /// Only the API with this identifier; repeat for several (the server accepts ≤10).
    pub fn identifier(self, identifier: impl Into<String>) -> Self {
        self.with(|q| q.identifiers.push(identifier.into()))
    }

    /// Fields to return (`id` is always returned).
    pub fn fields(self, fields: Fields) -> Self {
        self.with(|q| q.fields = Some(fields))
    }
}
