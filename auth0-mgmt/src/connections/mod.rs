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
use crate::ids::ConnectionId;
use crate::models::Fields;
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
    /// `.send()` / `.stream()` (offset, first 1000 only) or `.checkpoint()` / `.resume()`
    /// / `.send_checkpoint()`.
    pub fn list(&self) -> ListConnections {
        ListConnections {
            client: self.client.clone(),
            strategies: Vec::new(),
            name: None,
            fields: None,
            page: 0,
            per_page: None,
            take: None,
        }
    }

    /// Gets a connection (`connections.get`, `GET /api/v2/connections/{id}`, scope
    /// `read:connections`).
    pub async fn get(&self, id: &ConnectionId) -> Result<Connection> {
        self.client.execute(Request::new(&catalog::CONNECTIONS_GET).id(id)).await
    }

    /// Gets a connection, or `None` when it does not exist (`inexistent_connection`).
    pub async fn get_opt(&self, id: &ConnectionId) -> Result<Option<Connection>> {
        match self.get(id).await {
            Ok(c) => Ok(Some(c)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
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

/// `GET /api/v2/connections` with its options. Made by [`Connections::list`].
#[derive(Debug, Clone)]
#[must_use = "finish with .send(), .stream(), .checkpoint() or .resume()"]
pub struct ListConnections {
    client: Client,
    strategies: Vec<Strategy>,
    name: Option<String>,
    fields: Option<Fields>,
    page: u64,
    per_page: Option<u64>,
    take: Option<u64>,
}

impl ListConnections {
    /// Only connections of this strategy; repeat for several (the parameter is repeated).
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.strategies.push(strategy);
        self
    }

    /// Only the connection with exactly this name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Fields to return (`id` is always returned).
    pub fn fields(mut self, fields: Fields) -> Self {
        self.fields = Some(fields);
        self
    }

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

    crate::pagination::offset_list_methods!(Connection);
    crate::pagination::checkpoint_list_methods!(Connection);
}
