//! Roles (reference §7): list, get, create, and the role membership of users — list a
//! user's roles, assign roles to a user, remove roles from a user.
//!
//! ```no_run
//! # async fn run(client: auth0_mgmt::Client, user_id: auth0_mgmt::UserId) -> auth0_mgmt::Result<()> {
//! use auth0_mgmt::roles::CreateRole;
//! use futures::TryStreamExt;
//!
//! let role = client.roles().create(&CreateRole::new("support").description("Support staff")).await?;
//! client.users().assign_roles(&user_id, [role.id.clone()]).await?;
//! let roles: Vec<_> = client.users().roles(&user_id).stream().try_collect().await?;
//! assert!(roles.iter().any(|r| r.id == role.id));
//! client.users().remove_roles(&user_id, [role.id]).await?;
//! # Ok(()) }
//! ```

mod models;

pub use models::*;

use serde::Serialize;

use crate::catalog;
use crate::client::Client;
use crate::error::Result;
use crate::handler;
use crate::ids::{RoleId, UserId};
use crate::pagination::{List, Listing, OffsetListing, sealed};
use crate::request::{Request, non_empty};
use crate::users::Users;

/// The roles endpoints. Get one with [`Client::roles`].
#[derive(Clone, Debug)]
pub struct Roles {
    client: Client,
}

impl Client {
    /// The roles endpoints.
    pub fn roles(&self) -> Roles {
        Roles { client: self.clone() }
    }
}

impl Roles {
    /// Lists roles (`roles.list`, `GET /api/v2/roles`, scope `read:roles`); finish with
    /// `.send()` for one page or `.stream()` for every role.
    pub fn list(&self) -> ListRoles {
        List::new(self.client.clone(), RolesQuery::default())
    }

    /// Gets a role (`roles.get`, `GET /api/v2/roles/{id}`, scope `read:roles`).
    pub async fn get(&self, id: &RoleId) -> Result<Role> {
        self.client.execute(Request::new(&catalog::ROLES_GET).id(id)).await
    }

    /// Gets a role, or `None` when it does not exist (Auth0's 404 for roles carries no
    /// `errorCode`; the status decides).
    pub async fn get_opt(&self, id: &RoleId) -> Result<Option<Role>> {
        handler::get_opt(&self.client, Request::new(&catalog::ROLES_GET).id(id)).await
    }

    /// Creates a role (`roles.create`, `POST /api/v2/roles`, scope `create:roles`).
    /// Auth0 answers **200**, not 201; 409 when the name is taken.
    pub async fn create(&self, role: &CreateRole) -> Result<Role> {
        self.client.execute(Request::new(&catalog::ROLES_CREATE).json(role)?).await
    }
}

/// `GET /api/v2/roles` with its options. Made by [`Roles::list`]; the paging methods
/// are [`List`]'s offset ones.
pub type ListRoles = List<RolesQuery>;

/// The filters of [`ListRoles`].
#[derive(Debug, Clone, Default)]
pub struct RolesQuery {
    name_filter: Option<String>,
}

impl sealed::Sealed for RolesQuery {}

impl Listing for RolesQuery {
    type Item = Role;

    fn request(&self) -> Request {
        Request::new(&catalog::ROLES_LIST).query_opt("name_filter", self.name_filter.clone())
    }
}

impl OffsetListing for RolesQuery {}

impl ListRoles {
    /// Case-insensitive filter on the role name.
    pub fn name_filter(self, filter: impl Into<String>) -> Self {
        self.with(|q| q.name_filter = Some(filter.into()))
    }
}

/// `{"roles": [...]}`: the body of `users.assign_roles` and `users.remove_roles` (the
/// catalog's body model of both).
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub(crate) struct RoleList {
    /// The role ids (at least one).
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub(crate) roles: Vec<RoleId>,
}

impl Users {
    /// Lists the roles assigned to a user (`users.list_roles`,
    /// `GET /api/v2/users/{id}/roles`, scopes `read:users` and `read:roles`).
    pub fn roles(&self, user: &UserId) -> ListUserRoles {
        List::new(self.client.clone(), UserRolesQuery { user: user.clone() })
    }

    /// Assigns roles to a user (`users.assign_roles`, `POST /api/v2/users/{id}/roles`,
    /// 204; scopes `update:users` and `create:role_members`). Tenant-wide roles only;
    /// an empty list is refused before anything is sent.
    pub async fn assign_roles(&self, user: &UserId, roles: impl IntoIterator<Item = RoleId>) -> Result<()> {
        let op = &catalog::USERS_ASSIGN_ROLES;
        let roles = non_empty(op, "role", roles.into_iter().collect())?;
        handler::no_content(&self.client, Request::new(op).id(user).json(&RoleList { roles })?).await
    }

    /// Removes roles from a user (`users.remove_roles`, `DELETE /api/v2/users/{id}/roles`
    /// with body `{"roles": [...]}`, 204; scopes `update:users` and
    /// `delete:role_members`). An empty list is refused before anything is sent.
    pub async fn remove_roles(&self, user: &UserId, roles: impl IntoIterator<Item = RoleId>) -> Result<()> {
        let op = &catalog::USERS_REMOVE_ROLES;
        let roles = non_empty(op, "role", roles.into_iter().collect())?;
        handler::no_content(&self.client, Request::new(op).id(user).json(&RoleList { roles })?).await
    }
}

/// `GET /api/v2/users/{id}/roles`. Made by [`Users::roles`]; the paging methods are
/// [`List`]'s offset ones.
pub type ListUserRoles = List<UserRolesQuery>;

/// The user whose roles [`ListUserRoles`] lists.
#[derive(Debug, Clone)]
pub struct UserRolesQuery {
    user: UserId,
}

impl sealed::Sealed for UserRolesQuery {}

impl Listing for UserRolesQuery {
    type Item = Role;

    fn request(&self) -> Request {
        Request::new(&catalog::USERS_LIST_ROLES).id(&self.user)
    }
}

impl OffsetListing for UserRolesQuery {}
