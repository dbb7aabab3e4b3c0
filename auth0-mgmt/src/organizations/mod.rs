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

pub use models::*;

use serde::Serialize;

use crate::catalog;
use crate::client::Client;
use crate::error::Result;
use crate::handler;
use crate::ids::{OrganizationId, UserId};
use crate::models::Fields;
use crate::pagination::{CheckpointListing, List, Listing, OffsetListing, sealed};
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

/// `{"members": [...]}`: the body of `organizations.add_members` (the catalog's body
/// model).
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub(crate) struct MemberList {
    /// The user ids to add (at least one; the users must exist).
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub(crate) members: Vec<UserId>,
}

impl Organizations {
    /// Lists organizations (`organizations.list`, `GET /api/v2/organizations`, scope
    /// `read:organizations`). Finish with `.send()` / `.stream()` (offset, first 1000
    /// only) or `.send_checkpoint()` / `.checkpoint()` / `.resume()` (`take` alone
    /// switches the server to checkpoint mode).
    pub fn list(&self) -> ListOrganizations {
        List::new(self.client.clone(), OrganizationsQuery::default())
    }

    /// Gets an organization (`organizations.get`, `GET /api/v2/organizations/{id}`,
    /// scope `read:organizations`).
    pub async fn get(&self, id: &OrganizationId) -> Result<Organization> {
        self.client.execute(Request::new(&catalog::ORGANIZATIONS_GET).id(id)).await
    }

    /// Gets an organization, or `None` when it does not exist (Auth0's 404 carries no
    /// `errorCode`; the status decides).
    pub async fn get_opt(&self, id: &OrganizationId) -> Result<Option<Organization>> {
        handler::get_opt(&self.client, Request::new(&catalog::ORGANIZATIONS_GET).id(id)).await
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
        let op = &catalog::ORGANIZATIONS_ADD_MEMBERS;
        let members = non_empty(op, "member", users.into_iter().collect())?;
        handler::no_content(&self.client, Request::new(op).id(id).json(&MemberList { members })?).await
    }

    /// Lists the members of an organization (`organizations.list_members`,
    /// `GET /api/v2/organizations/{id}/members`, scope `read:organization_members`).
    pub fn members(&self, id: &OrganizationId) -> ListMembers {
        List::new(self.client.clone(), MembersQuery { org: id.clone(), fields: None })
    }
}

/// `GET /api/v2/organizations` with its options. Made by [`Organizations::list`]; the
/// paging methods are [`List`]'s offset and checkpoint ones.
pub type ListOrganizations = List<OrganizationsQuery>;

/// The filters of [`ListOrganizations`].
#[derive(Debug, Clone, Default)]
pub struct OrganizationsQuery {
    sort: Option<String>,
}

impl sealed::Sealed for OrganizationsQuery {}

impl Listing for OrganizationsQuery {
    type Item = Organization;

    fn request(&self) -> Request {
        Request::new(&catalog::ORGANIZATIONS_LIST).query_opt("sort", self.sort.clone())
    }
}

impl OffsetListing for OrganizationsQuery {}
impl CheckpointListing for OrganizationsQuery {}

impl ListOrganizations {
    /// Sort, `name`, `display_name` or `created_at` with `:1` or `:-1` (offset mode).
    pub fn sort(self, sort: impl Into<String>) -> Self {
        self.with(|q| q.sort = Some(sort.into()))
    }
}

/// `GET /api/v2/organizations/{id}/members` with its options. Made by
/// [`Organizations::members`]; the paging methods are [`List`]'s offset and checkpoint
/// ones.
pub type ListMembers = List<MembersQuery>;

/// The organization and filters of [`ListMembers`].
#[derive(Debug, Clone)]
pub struct MembersQuery {
    org: OrganizationId,
    fields: Option<Fields>,
}

impl sealed::Sealed for MembersQuery {}

impl Listing for MembersQuery {
    type Item = Member;

    fn request(&self) -> Request {
        let req = Request::new(&catalog::ORGANIZATIONS_LIST_MEMBERS).id(&self.org);
        match &self.fields {
            Some(f) => f.apply(req, "user_id"),
            None => req,
        }
    }
}

impl OffsetListing for MembersQuery {}
impl CheckpointListing for MembersQuery {}

impl ListMembers {
    /// Fields to return (`user_id` is always returned); `roles` needs
    /// `read:organization_member_roles`.
    pub fn fields(self, fields: Fields) -> Self {
        self.with(|q| q.fields = Some(fields))
    }
}
