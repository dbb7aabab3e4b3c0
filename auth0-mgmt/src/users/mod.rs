//! Users: list and search, get, create, update, delete, find by email.
//!
//! ```no_run
//! # async fn run(client: auth0_mgmt::Client) -> auth0_mgmt::Result<()> {
//! use auth0_mgmt::{MetadataPatch, users::{CreateUser, UpdateUser}};
//!
//! let user = client
//!     .users()
//!     .create(&CreateUser::new("Username-Password-Authentication").email("ada@example.com").password("s3cret!pass"))
//!     .await?;
//! let changes = UpdateUser::new().app_metadata(MetadataPatch::new().set("plan", "pro"));
//! client.users().update(&user.user_id, &changes).await?;
//! client.users().delete(&user.user_id).await?;
//! # Ok(()) }
//! ```

mod models;

pub use models::*;

use crate::catalog;
use crate::client::Client;
use crate::error::Result;
use crate::handler;
use crate::ids::UserId;
use crate::models::Fields;
use crate::pagination::{List, Listing, OffsetListing, Page, sealed};
use crate::request::Request;

/// The users endpoints. Get one with [`Client::users`].
#[derive(Clone, Debug)]
pub struct Users {
    pub(crate) client: Client,
}

impl Client {
    /// The users endpoints.
    pub fn users(&self) -> Users {
        Users { client: self.clone() }
    }
}

impl Users {
    /// Lists or searches users (`users.list`, `GET /api/v2/users`, scope `read:users`);
    /// finish with `.send()` for one page or `.stream()` for every result (offset
    /// paging only: at most 1000 results are reachable).
    pub fn list(&self) -> ListUsers {
        List::new(self.client.clone(), UsersQuery::default())
    }

    /// Gets a user (`GET /api/v2/users/{id}`).
    pub async fn get(&self, id: &UserId) -> Result<User> {
        self.client.execute(Request::new(&catalog::USERS_GET).id(id)).await
    }

    /// Gets a user, or `None` when it does not exist.
    pub async fn get_opt(&self, id: &UserId) -> Result<Option<User>> {
        handler::get_opt(&self.client, Request::new(&catalog::USERS_GET).id(id)).await
    }

    /// Gets a user with only some fields (the `user_id` is always returned).
    pub async fn get_fields(&self, id: &UserId, fields: &Fields) -> Result<User> {
        let req = fields.apply(Request::new(&catalog::USERS_GET).id(id), "user_id");
        self.client.execute(req).await
    }

    /// Creates a user (`POST /api/v2/users`, 201).
    pub async fn create(&self, user: &CreateUser) -> Result<User> {
        self.client.execute(Request::new(&catalog::USERS_CREATE).json(user)?).await
    }

    /// Updates a user (`PATCH /api/v2/users/{id}`).
    pub async fn update(&self, id: &UserId, changes: &UpdateUser) -> Result<User> {
        self.client.execute(Request::new(&catalog::USERS_UPDATE).id(id).json(changes)?).await
    }

    /// Deletes a user (`DELETE /api/v2/users/{id}`, 204 — also when it is already gone).
    pub async fn delete(&self, id: &UserId) -> Result<()> {
        handler::delete(&self.client, &catalog::USERS_DELETE, id).await
    }

    /// Finds users by exact email (`GET /api/v2/users-by-email`; case-insensitive on the server).
    pub async fn list_by_email(&self, email: &str) -> Result<Vec<User>> {
        let page: Page<User> =
            self.client.execute(Request::new(&catalog::USERS_LIST_BY_EMAIL).query("email", email)).await?;
        Ok(page.items)
    }
}

/// `GET /api/v2/users` with its options. Made by [`Users::list`]; the paging methods
/// are [`List`]'s offset ones.
pub type ListUsers = List<UsersQuery>;

/// The filters of [`ListUsers`].
#[derive(Debug, Clone, Default)]
pub struct UsersQuery {
    q: Option<String>,
    sort: Option<String>,
    fields: Option<Fields>,
    connection: Option<String>,
    search_engine: Option<String>,
    primary_order: Option<bool>,
}

impl sealed::Sealed for UsersQuery {}

impl Listing for UsersQuery {
    type Item = User;

    fn request(&self) -> Request {
        let mut req = Request::new(&catalog::USERS_LIST)
            .query_opt("q", self.q.clone())
            .query_opt("sort", self.sort.clone())
            .query_opt("connection", self.connection.clone())
            .query_opt("primary_order", self.primary_order);
        let engine = self.search_engine.clone().or_else(|| self.q.as_ref().map(|_| "v3".to_owned()));
        req = req.query_opt("search_engine", engine);
        if let Some(f) = &self.fields {
            req = f.apply(req, "user_id");
        }
        req
    }
}

impl OffsetListing for UsersQuery {}

impl ListUsers {
    /// Lucene query, e.g. `email:"*@acme.com"` (sent with `search_engine=v3`).
    pub fn q(self, q: impl Into<String>) -> Self {
        self.with(|f| f.q = Some(q.into()))
    }

    /// Sort, `field:1` or `field:-1` (e.g. `created_at:1`).
    pub fn sort(self, sort: impl Into<String>) -> Self {
        self.with(|f| f.sort = Some(sort.into()))
    }

    /// Fields to return (`user_id` is always returned).
    pub fn fields(self, fields: Fields) -> Self {
        self.with(|f| f.fields = Some(fields))
    }

    /// Connection filter (only honoured by `search_engine=v1`).
    pub fn connection(self, connection: impl Into<String>) -> Self {
        self.with(|f| f.connection = Some(connection.into()))
    }

    /// Search engine (`v3` by default when `q` is set).
    pub fn search_engine(self, engine: impl Into<String>) -> Self {
        self.with(|f| f.search_engine = Some(engine.into()))
    }

    /// `primary_order=false` may be faster but gives no deterministic order.
    pub fn primary_order(self, primary_order: bool) -> Self {
        self.with(|f| f.primary_order = Some(primary_order))
    }
}
