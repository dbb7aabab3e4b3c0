//! Connections (reference §9): list, get, create.
//!
//! ```no_run
//! # async fn run(client: auth0_mgmt::Client) -> auth0_mgmt::Result<()> {
//! use auth0_mgmt::connections::{CreateConnection, Strategy};
//! use futures::TryStreamExt;
//!
//! let created = client
//!     .connections()
//!     .create(&CreateConnection::new("customers", Strategy::Auth0))
//!     .await?;
//! let mut social = client
//!     .connections()
//!     .list()
//!     .strategy(Strategy::GoogleOauth2)
//!     .strategy(Strategy::Github)
//!     .checkpoint();
//! while let Some(conn) = social.try_next().await? {
//!     println!("{} {:?}", conn.id, conn.name);
//! }
//! # let _ = created;
//! # Ok(()) }
//! ```

mod models;

pub use models::*;

use crate::catalog;
use crate::client::Client;
use crate::error::Result;
use crate::handler;
use crate::ids::ConnectionId;
use crate::models::Fields;
use crate::pagination::{CheckpointListing, List, Listing, OffsetListing, sealed};
use crate::request::Request;

/// The connections endpoints. Get one with [`Client::connections`].
#[derive(Clone, Debug)]
pub struct Connections {
    client: Client,
}

impl Client {
    /// The connections endpoints.
    pub fn connections(&self) -> Connections {
        Connections { client: self.clone() }
    }
}

impl Connections {
    /// Lists connections (`connections.list`, `GET /api/v2/connections`, scope
    /// `read:connections`; `options` need `read:connections_options`). Finish with
    /// `.send()` / `.stream()` (offset, first 1000 only) or `.send_checkpoint()` /
    /// `.checkpoint()` / `.resume()`.
    pub fn list(&self) -> ListConnections {
        List::new(self.client.clone(), ConnectionsQuery::default())
    }

    /// Gets a connection (`connections.get`, `GET /api/v2/connections/{id}`, scope
    /// `read:connections`).
    pub async fn get(&self, id: &ConnectionId) -> Result<Connection> {
        self.client.execute(Request::new(&catalog::CONNECTIONS_GET).id(id)).await
    }

    /// Gets a connection, or `None` when it does not exist (`inexistent_connection`).
    pub async fn get_opt(&self, id: &ConnectionId) -> Result<Option<Connection>> {
        handler::get_opt(&self.client, Request::new(&catalog::CONNECTIONS_GET).id(id)).await
    }

    /// Gets a connection with only some fields (`id` is always returned).
    pub async fn get_fields(&self, id: &ConnectionId, fields: &Fields) -> Result<Connection> {
        let req = fields.apply(Request::new(&catalog::CONNECTIONS_GET).id(id), "id");
        self.client.execute(req).await
    }

    /// Creates a connection (`connections.create`, `POST /api/v2/connections`, 201,
    /// scope `create:connections`). 409 when the name exists or is being deleted.
    pub async fn create(&self, connection: &CreateConnection) -> Result<Connection> {
        self.client.execute(Request::new(&catalog::CONNECTIONS_CREATE).json(connection)?).await
    }
}

/// `GET /api/v2/connections` with its options. Made by [`Connections::list`]; the
/// paging methods are [`List`]'s offset and checkpoint ones.
pub type ListConnections = List<ConnectionsQuery>;

/// The filters of [`ListConnections`].
#[derive(Debug, Clone, Default)]
pub struct ConnectionsQuery {
    strategies: Vec<Strategy>,
    name: Option<String>,
    fields: Option<Fields>,
}

impl sealed::Sealed for ConnectionsQuery {}

impl Listing for ConnectionsQuery {
    type Item = Connection;

    fn request(&self) -> Request {
        let mut req = Request::new(&catalog::CONNECTIONS_LIST);
        for s in &self.strategies {
            req = req.query("strategy", s.as_str());
        }
        req = req.query_opt("name", self.name.clone());
        if let Some(f) = &self.fields {
            req = f.apply(req, "id");
        }
        req
    }
}

impl OffsetListing for ConnectionsQuery {}
impl CheckpointListing for ConnectionsQuery {}

impl ListConnections {
    /// Only connections of this strategy; repeat for several (the parameter is repeated).
    pub fn strategy(self, strategy: Strategy) -> Self {
        self.with(|q| q.strategies.push(strategy))
    }

    /// Only the connection with exactly this name.
    pub fn name(self, name: impl Into<String>) -> Self {
        self.with(|q| q.name = Some(name.into()))
    }

    /// Fields to return (`id` is always returned).
    pub fn fields(self, fields: Fields) -> Self {
        self.with(|q| q.fields = Some(fields))
    }
}
