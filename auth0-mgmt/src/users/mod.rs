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
use crate::ids::UserId;
use crate::models::Fields;
use crate::pagination::{ItemStream, Page, offset_pages};
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
    /// Lists or searches users (`GET /api/v2/users`); finish with `.send()` for one page
    /// or `.stream()` for every result.
    pub fn list(&self) -> ListUsers {
        ListUsers::default_for(self.client.clone())
    }

    /// Gets a user (`GET /api/v2/users/{id}`).
    pub async fn get(&self, id: &UserId) -> Result<User> {
        self.client.execute(Request::new(&catalog::USERS_GET).id(id)).await
    }

    /// Gets a user, or `None` when it does not exist.
    pub async fn get_opt(&self, id: &UserId) -> Result<Option<User>> {
        match self.get(id).await {
            Ok(u) => Ok(Some(u)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
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
        self.client.execute(Request::new(&catalog::USERS_DELETE).id(id)).await
    }

    /// Finds users by exact email (`GET /api/v2/users-by-email`; case-insensitive on the server).
    pub async fn list_by_email(&self, email: &str) -> Result<Vec<User>> {
        let page: Page<User> =
            self.client.execute(Request::new(&catalog::USERS_LIST_BY_EMAIL).query("email", email)).await?;
        Ok(page.items)
    }
}

/// `GET /api/v2/users` with its options. Made by [`Users::list`].
#[derive(Debug, Clone)]
#[must_use = "finish with .send() or .stream()"]
pub struct ListUsers {
    client: Client,
    q: Option<String>,
    sort: Option<String>,
    fields: Option<Fields>,
    connection: Option<String>,
    search_engine: Option<String>,
    primary_order: Option<bool>,
    page: u64,
    per_page: Option<u64>,
}

impl ListUsers {
    fn default_for(client: Client) -> ListUsers {
        ListUsers {
            client,
            q: None,
            sort: None,
            fields: None,
            connection: None,
            search_engine: None,
            primary_order: None,
            page: 0,
            per_page: None,
        }
    }

    /// Lucene query, e.g. `email:"*@acme.com"` (sent with `search_engine=v3`).
    pub fn q(mut self, q: impl Into<String>) -> Self {
        self.q = Some(q.into());
        self
    }

    /// Sort, `field:1` or `field:-1` (e.g. `created_at:1`).
    pub fn sort(mut self, sort: impl Into<String>) -> Self {
        self.sort = Some(sort.into());
        self
    }

    /// Fields to return (`user_id` is always returned).
    pub fn fields(mut self, fields: Fields) -> Self {
        self.fields = Some(fields);
        self
    }

    /// Connection filter (only honoured by `search_engine=v1`).
    pub fn connection(mut self, connection: impl Into<String>) -> Self {
        self.connection = Some(connection.into());
        self
    }

    /// Search engine (`v3` by default when `q` is set).
    pub fn search_engine(mut self, engine: impl Into<String>) -> Self {
        self.search_engine = Some(engine.into());
        self
    }

    /// `primary_order=false` may be faster but gives no deterministic order.
    pub fn primary_order(mut self, primary_order: bool) -> Self {
        self.primary_order = Some(primary_order);
        self
    }

    /// Zero-based page index (for `.send()`; `.stream()` starts here).
    pub fn page(mut self, page: u64) -> Self {
        self.page = page;
        self
    }

    /// Page size, 1–100 (clamped). Default: the server's 50 for `.send()`, 100 for `.stream()`.
    pub fn per_page(mut self, per_page: u64) -> Self {
        self.per_page = Some(per_page.clamp(1, 100));
        self
    }

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

    /// Fetches one page, with totals.
    pub async fn send(self) -> Result<Page<User>> {
        let mut req = self.request().query("page", self.page).query("include_totals", true);
        if let Some(pp) = self.per_page {
            req = req.query("per_page", pp);
        }
        self.client.execute(req).await
    }

    /// Streams every result lazily, page by page. Ends with
    /// [`Error::PagingLimit`](crate::Error::PagingLimit) if the listing has more than
    /// Auth0's 1000 reachable results.
    pub fn stream(self) -> ItemStream<User> {
        let req = self.request();
        offset_pages(self.client, req, self.per_page.unwrap_or(100), self.page, true)
    }
}
