//! Applications (Auth0 *clients*, reference §8): list, get, create, update, delete.
//!
//! The model is called [`Application`] so it does not clash with the HTTP
//! [`Client`]; the handler keeps Auth0's name, [`Client::clients`].
//!
//! ```no_run
//! # async fn run(client: auth0_mgmt::Client) -> auth0_mgmt::Result<()> {
//! use auth0_mgmt::clients::{AppType, CreateApplication, UpdateApplication};
//! use futures::TryStreamExt;
//!
//! let app = client
//!     .clients()
//!     .create(&CreateApplication::new("billing-worker").app_type(AppType::NonInteractive))
//!     .await?;
//! let secret = app.client_secret.as_ref().map(|s| s.expose().to_owned()); // store it safely
//! let changes = UpdateApplication::new().description("Nightly billing");
//! client.clients().update(&app.client_id, &changes).await?;
//!
//! let mut apps = client.clients().list().app_type(AppType::Spa).checkpoint();
//! while let Some(app) = apps.try_next().await? {
//!     println!("{} {:?}", app.client_id, app.name);
//! }
//! client.clients().delete(&app.client_id).await?;
//! # let _ = secret;
//! # Ok(()) }
//! ```

mod models;

pub use models::*;

use crate::catalog;
use crate::client::Client;
use crate::error::Result;
use crate::handler;
use crate::ids::ClientId;
use crate::models::Fields;
use crate::pagination::{CheckpointListing, List, Listing, OffsetListing, sealed};
use crate::request::Request;

/// The applications endpoints. Get one with [`Client::clients`].
#[derive(Clone, Debug)]
pub struct Clients {
    client: Client,
}

impl Client {
    /// The applications (clients) endpoints.
    pub fn clients(&self) -> Clients {
        Clients { client: self.clone() }
    }
}

impl Clients {
    /// Lists applications (`clients.list`, `GET /api/v2/clients`, scope `read:clients`).
    /// Finish with `.send()` / `.stream()` (offset) or `.send_checkpoint()` /
    /// `.checkpoint()` / `.resume()` (checkpoint, `from`/`take`).
    pub fn list(&self) -> ListClients {
        List::new(self.client.clone(), ClientsQuery::default())
    }

    /// Gets an application (`clients.get`, `GET /api/v2/clients/{id}`, scope
    /// `read:clients`; the secret needs `read:client_keys`).
    pub async fn get(&self, id: &ClientId) -> Result<Application> {
        self.client.execute(Request::new(&catalog::CLIENTS_GET).id(id)).await
    }

    /// Gets an application, or `None` when it does not exist.
    pub async fn get_opt(&self, id: &ClientId) -> Result<Option<Application>> {
        handler::get_opt(&self.client, Request::new(&catalog::CLIENTS_GET).id(id)).await
    }

    /// Gets an application with only some fields (`client_id` is always returned).
    pub async fn get_fields(&self, id: &ClientId, fields: &Fields) -> Result<Application> {
        let req = fields.apply(Request::new(&catalog::CLIENTS_GET).id(id), "client_id");
        self.client.execute(req).await
    }

    /// Creates an application (`clients.create`, `POST /api/v2/clients`, 201, scope
    /// `create:clients`). The response carries the generated `client_secret` for
    /// confidential applications.
    pub async fn create(&self, app: &CreateApplication) -> Result<Application> {
        self.client.execute(Request::new(&catalog::CLIENTS_CREATE).json(app)?).await
    }

    /// Updates an application (`clients.update`, `PATCH /api/v2/clients/{id}`, scope
    /// `update:clients`; a new secret needs `update:client_keys`).
    pub async fn update(&self, id: &ClientId, changes: &UpdateApplication) -> Result<Application> {
        self.client.execute(Request::new(&catalog::CLIENTS_UPDATE).id(id).json(changes)?).await
    }

    /// Deletes an application (`clients.delete`, `DELETE /api/v2/clients/{id}`, 204 —
    /// also when it is already gone; scope `delete:clients`).
    pub async fn delete(&self, id: &ClientId) -> Result<()> {
        handler::delete(&self.client, &catalog::CLIENTS_DELETE, id).await
    }
}

/// `GET /api/v2/clients` with its options. Made by [`Clients::list`]; the paging
/// methods are [`List`]'s offset and checkpoint ones.
pub type ListClients = List<ClientsQuery>;

/// The filters of [`ListClients`].
#[derive(Debug, Clone, Default)]
pub struct ClientsQuery {
    fields: Option<Fields>,
    app_types: Vec<AppType>,
    is_first_party: Option<bool>,
    is_global: Option<bool>,
    q: Option<String>,
}

impl sealed::Sealed for ClientsQuery {}

impl Listing for ClientsQuery {
    type Item = Application;

    fn request(&self) -> Request {
        let app_type = (!self.app_types.is_empty())
            .then(|| self.app_types.iter().map(AppType::as_str).collect::<Vec<_>>().join(","));
        let mut req = Request::new(&catalog::CLIENTS_LIST)
            .query_opt("app_type", app_type)
            .query_opt("is_first_party", self.is_first_party)
            .query_opt("is_global", self.is_global)
            .query_opt("q", self.q.clone());
        if let Some(f) = &self.fields {
            req = f.apply(req, "client_id");
        }
        req
    }
}

impl OffsetListing for ClientsQuery {}
impl CheckpointListing for ClientsQuery {}

impl ListClients {
    /// Fields to return (`client_id` is always returned).
    pub fn fields(self, fields: Fields) -> Self {
        self.with(|q| q.fields = Some(fields))
    }

    /// Only applications of this kind; repeat for several (sent as one comma list).
    pub fn app_type(self, app_type: AppType) -> Self {
        self.with(|q| q.app_types.push(app_type))
    }

    /// Only first-party (`true`) or third-party (`false`) applications.
    pub fn is_first_party(self, first_party: bool) -> Self {
        self.with(|q| q.is_first_party = Some(first_party))
    }

    /// Only the global client (`true`) or only the others (`false`).
    pub fn is_global(self, global: bool) -> Self {
        self.with(|q| q.is_global = Some(global))
    }

    /// Client-grant filter, `client_grant.organization_id:{org_id}` or
    /// `client_grant.allow_any_organization:true`. The server accepts it only in
    /// checkpoint mode and not together with other filters.
    pub fn q(self, filter: impl Into<String>) -> Self {
        self.with(|q| q.q = Some(filter.into()))
    }
}
