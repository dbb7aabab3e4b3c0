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

pub use models::{Connection, ConnectionFeature, CreateConnection, Strategy};

use crate::catalog;
use crate::client::Client;
use crate::error::Result;
use crate::ids::ConnectionId;
use crate::models::Fields;
use crate::pagination::{
    CheckpointStream, ItemStream, NextCursor, Page, ResumePoint, checkpoint_pages, offset_page, offset_pages,
};
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

    /// Zero-based page index (offset mode).
    pub fn page(mut self, page: u64) -> Self {
        self.page = page;
        self
    }

    /// Offset page size, 1–100 (clamped). Default: the server's for `.send()`, 100 for `.stream()`.
    pub fn per_page(mut self, per_page: u64) -> Self {
        self.per_page = Some(per_page.clamp(1, 100));
        self
    }

    /// Checkpoint page size, 1–100 (clamped). Default 100 for streams.
    pub fn take(mut self, take: u64) -> Self {
        self.take = Some(take.clamp(1, 100));
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

    /// Fetches one offset page, with totals.
    pub async fn send(self) -> Result<Page<Connection>> {
        let req = offset_page(self.request(), self.page, self.per_page);
        self.client.execute(req).await
    }

    /// Streams connections with offset paging; ends with
    /// [`Error::PagingLimit`](crate::Error::PagingLimit) past 1000 results (use
    /// [`checkpoint`](Self::checkpoint) for more).
    pub fn stream(self) -> ItemStream<Connection> {
        let req = self.request();
        offset_pages(self.client, req, self.per_page.unwrap_or(100), self.page, true)
    }

    /// Fetches one checkpoint page (`take`, and `from` when given).
    pub async fn send_checkpoint(self, from: Option<String>) -> Result<Page<Connection>> {
        let req = self.request().query("take", self.take.unwrap_or(50)).query_opt("from", from);
        self.client.execute(req).await
    }

    /// Streams every connection with checkpoint paging (no result cap).
    pub fn checkpoint(self) -> CheckpointStream<Connection> {
        self.resume(ResumePoint::default())
    }

    /// Continues a checkpoint stream from a saved [`ResumePoint`].
    pub fn resume(self, point: ResumePoint) -> CheckpointStream<Connection> {
        let req = self.request();
        checkpoint_pages(self.client, req, self.take.unwrap_or(100), point, NextCursor::Opaque)
    }
}
