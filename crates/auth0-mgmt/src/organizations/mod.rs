//! Organizations (reference §10): list, get, create, add members, list members.
//!
//! ```no_run
//! # async fn run(client: auth0_mgmt::Client, user: auth0_mgmt::UserId) -> auth0_mgmt::Result<()> {
//! use auth0_mgmt::organizations::CreateOrganization;
//! use futures::TryStreamExt;
//!
//! let org = client.organizations().create(&CreateOrganization::new("acme")).await?;
//! client.organizations().add_members(&org.id, [user]).await?;
//! let mut members = client.organizations().members(&org.id).checkpoint();
//! while let Some(m) = members.try_next().await? {
//!     println!("{} {:?}", m.user_id, m.email);
//! }
//! # Ok(()) }
//! ```

mod models;

pub use models::{Branding, CreateOrganization, Member, MemberRole, Organization, OrganizationConnection};

use serde::Serialize;

use crate::catalog;
use crate::client::Client;
use crate::error::Result;
use crate::ids::{OrganizationId, UserId};
use crate::models::Fields;
use crate::pagination::{
    CheckpointStream, ItemStream, NextCursor, Page, ResumePoint, checkpoint_pages, offset_page, offset_pages,
};
use crate::request::{Request, non_empty};

/// The organizations endpoints. Get one with [`Client::organizations`].
#[derive(Clone, Debug)]
pub struct Organizations {
    client: Client,
}

impl Client {
    /// The organizations endpoints.
    pub fn organizations(&self) -> Organizations {
        Organizations { client: self.clone() }
    }
}

impl Organizations {
    /// Lists organizations (`organizations.list`, `GET /api/v2/organizations`, scope
    /// `read:organizations`). Finish with `.send()` / `.stream()` (offset, first 1000
    /// only) or `.checkpoint()` / `.resume()` / `.send_checkpoint()` (`take` alone
    /// switches the server to checkpoint mode).
    pub fn list(&self) -> ListOrganizations {
        ListOrganizations { client: self.client.clone(), sort: None, page: 0, per_page: None, take: None }
    }

    /// Gets an organization (`organizations.get`, `GET /api/v2/organizations/{id}`,
    /// scope `read:organizations`).
    pub async fn get(&self, id: &OrganizationId) -> Result<Organization> {
        self.client.execute(Request::new(&catalog::ORGANIZATIONS_GET).id(id)).await
    }

    /// Gets an organization, or `None` when it does not exist (Auth0's 404 carries no
    /// `errorCode`; the status decides).
    pub async fn get_opt(&self, id: &OrganizationId) -> Result<Option<Organization>> {
        match self.get(id).await {
            Ok(o) => Ok(Some(o)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Creates an organization (`organizations.create`, `POST /api/v2/organizations`,
    /// 201, scope `create:organizations`; `create:organization_connections` too when
    /// enabling connections).
    pub async fn create(&self, org: &CreateOrganization) -> Result<Organization> {
        self.client.execute(Request::new(&catalog::ORGANIZATIONS_CREATE).json(org)?).await
    }

    /// Adds existing users as members (`organizations.add_members`,
    /// `POST /api/v2/organizations/{id}/members`, 204, scope
    /// `create:organization_members`). An empty list is refused before anything is sent.
    pub async fn add_members(&self, id: &OrganizationId, users: impl IntoIterator<Item = UserId>) -> Result<()> {
        #[derive(Serialize)]
        struct Body<'a> {
            members: &'a [UserId],
        }
        let op = &catalog::ORGANIZATIONS_ADD_MEMBERS;
        let members = non_empty(op, "member", users.into_iter().collect())?;
        let req = Request::new(op).id(id).json(&Body { members: &members })?;
        self.client.execute::<serde::de::IgnoredAny>(req).await.map(drop)
    }

    /// Lists the members of an organization (`organizations.list_members`,
    /// `GET /api/v2/organizations/{id}/members`, scope `read:organization_members`).
    pub fn members(&self, id: &OrganizationId) -> ListMembers {
        ListMembers { client: self.client.clone(), org: id.clone(), fields: None, page: 0, per_page: None, take: None }
    }
}

/// `GET /api/v2/organizations` with its options. Made by [`Organizations::list`].
#[derive(Debug, Clone)]
#[must_use = "finish with .send(), .stream(), .checkpoint() or .resume()"]
pub struct ListOrganizations {
    client: Client,
    sort: Option<String>,
    page: u64,
    per_page: Option<u64>,
    take: Option<u64>,
}

impl ListOrganizations {
    /// Sort, `name`, `display_name` or `created_at` with `:1` or `:-1` (offset mode).
    pub fn sort(mut self, sort: impl Into<String>) -> Self {
        self.sort = Some(sort.into());
        self
    }

    /// Zero-based page index (offset mode).
    pub fn page(mut self, page: u64) -> Self {
        self.page = page;
        self
    }

    /// Offset page size, 1–100 (clamped). Default: the server's 50 for `.send()`, 100 for `.stream()`.
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
        Request::new(&catalog::ORGANIZATIONS_LIST).query_opt("sort", self.sort.clone())
    }

    /// Fetches one offset page, with totals.
    pub async fn send(self) -> Result<Page<Organization>> {
        let req = offset_page(self.request(), self.page, self.per_page);
        self.client.execute(req).await
    }

    /// Streams organizations with offset paging; ends with
    /// [`Error::PagingLimit`](crate::Error::PagingLimit) past 1000 results (use
    /// [`checkpoint`](Self::checkpoint) for more).
    pub fn stream(self) -> ItemStream<Organization> {
        let req = self.request();
        offset_pages(self.client, req, self.per_page.unwrap_or(100), self.page, true)
    }

    /// Fetches one checkpoint page (`take`, and `from` when given).
    pub async fn send_checkpoint(self, from: Option<String>) -> Result<Page<Organization>> {
        let req = self.request().query("take", self.take.unwrap_or(50)).query_opt("from", from);
        self.client.execute(req).await
    }

    /// Streams every organization with checkpoint paging (no result cap). Ends on a
    /// page without `next` or on an empty page.
    pub fn checkpoint(self) -> CheckpointStream<Organization> {
        self.resume(ResumePoint::default())
    }

    /// Continues a checkpoint stream from a saved [`ResumePoint`].
    pub fn resume(self, point: ResumePoint) -> CheckpointStream<Organization> {
        let req = self.request();
        checkpoint_pages(self.client, req, self.take.unwrap_or(100), point, NextCursor::Opaque)
    }
}

/// `GET /api/v2/organizations/{id}/members` with its options. Made by
/// [`Organizations::members`].
#[derive(Debug, Clone)]
#[must_use = "finish with .send(), .stream(), .checkpoint() or .resume()"]
pub struct ListMembers {
    client: Client,
    org: OrganizationId,
    fields: Option<Fields>,
    page: u64,
    per_page: Option<u64>,
    take: Option<u64>,
}

impl ListMembers {
    /// Fields to return (`user_id` is always returned); `roles` needs
    /// `read:organization_member_roles`.
    pub fn fields(mut self, fields: Fields) -> Self {
        self.fields = Some(fields);
        self
    }

    /// Zero-based page index (offset mode).
    pub fn page(mut self, page: u64) -> Self {
        self.page = page;
        self
    }

    /// Offset page size, 1–100 (clamped). Default: the server's 50 for `.send()`, 100 for `.stream()`.
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
        let req = Request::new(&catalog::ORGANIZATIONS_LIST_MEMBERS).id(&self.org);
        match &self.fields {
            Some(f) => f.apply(req, "user_id"),
            None => req,
        }
    }

    /// Fetches one offset page, with totals.
    pub async fn send(self) -> Result<Page<Member>> {
        let req = offset_page(self.request(), self.page, self.per_page);
        self.client.execute(req).await
    }

    /// Streams members with offset paging; ends with
    /// [`Error::PagingLimit`](crate::Error::PagingLimit) past 1000 results.
    pub fn stream(self) -> ItemStream<Member> {
        let req = self.request();
        offset_pages(self.client, req, self.per_page.unwrap_or(100), self.page, true)
    }

    /// Fetches one checkpoint page (`take`, and `from` when given).
    pub async fn send_checkpoint(self, from: Option<String>) -> Result<Page<Member>> {
        let req = self.request().query("take", self.take.unwrap_or(50)).query_opt("from", from);
        self.client.execute(req).await
    }

    /// Streams every member with checkpoint paging (no result cap). Ends on a page
    /// without `next` or on an empty page (`{"members": []}`).
    pub fn checkpoint(self) -> CheckpointStream<Member> {
        self.resume(ResumePoint::default())
    }

    /// Continues a checkpoint stream from a saved [`ResumePoint`].
    pub fn resume(self, point: ResumePoint) -> CheckpointStream<Member> {
        let req = self.request();
        checkpoint_pages(self.client, req, self.take.unwrap_or(100), point, NextCursor::Opaque)
    }
}
