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
use crate::ids::{RoleId, UserId};
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
        ListRoles { client: self.client.clone(), name_filter: None, page: 0, per_page: None }
    }

    /// Gets a role (`roles.get`, `GET /api/v2/roles/{id}`, scope `read:roles`).
    pub async fn get(&self, id: &RoleId) -> Result<Role> {
        self.client.execute(Request::new(&catalog::ROLES_GET).id(id)).await
    }

    /// Gets a role, or `None` when it does not exist (Auth0's 404 for roles carries no
    /// `errorCode`; the status decides).
    pub async fn get_opt(&self, id: &RoleId) -> Result<Option<Role>> {
        match self.get(id).await {
            Ok(r) => Ok(Some(r)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Creates a role (`roles.create`, `POST /api/v2/roles`, scope `create:roles`).
    /// Auth0 answers **200**, not 201; 409 when the name is taken.
    pub async fn create(&self, role: &CreateRole) -> Result<Role> {
        self.client.execute(Request::new(&catalog::ROLES_CREATE).json(role)?).await
    }
}

/// `GET /api/v2/roles` with its options. Made by [`Roles::list`].
#[derive(Debug, Clone)]
#[must_use = "finish with .send() or .stream()"]
pub struct ListRoles {
    client: Client,
    name_filter: Option<String>,
    page: u64,
    per_page: Option<u64>,
}

impl ListRoles {
    /// Case-insensitive filter on the role name.
    pub fn name_filter(mut self, filter: impl Into<String>) -> Self {
        self.name_filter = Some(filter.into());
        self
    }

    fn request(&self) -> Request {
        Request::new(&catalog::ROLES_LIST).query_opt("name_filter", self.name_filter.clone())
    }

    crate::pagination::offset_list_methods!(Role);
}

#[derive(Serialize)]
struct RoleList<'a> {
    roles: &'a [RoleId],
}

impl Users {
    /// Lists the roles assigned to a user (`users.list_roles`,
    /// `GET /api/v2/users/{id}/roles`, scopes `read:users` and `read:roles`).
    pub fn roles(&self, user: &UserId) -> ListUserRoles {
        ListUserRoles { client: self.client.clone(), user: user.clone(), page: 0, per_page: None }
    }

    /// Assigns roles to a user (`users.assign_roles`, `POST /api/v2/users/{id}/roles`,
    /// 204; scopes `update:users` and `create:role_members`). Tenant-wide roles only;
    /// an empty list is refused before anything is sent.
    pub async fn assign_roles(&self, user: &UserId, roles: impl IntoIterator<Item = RoleId>) -> Result<()> {
        let op = &catalog::USERS_ASSIGN_ROLES;
        let roles = non_empty(op, "role", roles.into_iter().collect())?;
        let req = Request::new(op).id(user).json(&RoleList { roles: &roles })?;
        self.client.execute::<serde::de::IgnoredAny>(req).await.map(drop)
    }

    /// Removes roles from a user (`users.remove_roles`, `DELETE /api/v2/users/{id}/roles`
    /// with body `{"roles": [...]}`, 204; scopes `update:users` and
    /// `delete:role_members`). An empty list is refused before anything is sent.
    pub async fn remove_roles(&self, user: &UserId, roles: impl IntoIterator<Item = RoleId>) -> Result<()> {
        let op = &catalog::USERS_REMOVE_ROLES;
        let roles = non_empty(op, "role", roles.into_iter().collect())?;
        let req = Request::new(op).id(user).json(&RoleList { roles: &roles })?;
        self.client.execute::<serde::de::IgnoredAny>(req).await.map(drop)
    }
}

/// `GET /api/v2/users/{id}/roles`. Made by [`Users::roles`].
#[derive(Debug, Clone)]
#[must_use = "finish with .send() or .stream()"]
pub struct ListUserRoles {
    client: Client,
    user: UserId,
    page: u64,
    per_page: Option<u64>,
}

impl ListUserRoles {
    fn request(&self) -> Request {
        Request::new(&catalog::USERS_LIST_ROLES).id(&self.user)
    }

    crate::pagination::offset_list_methods!(Role);
}
