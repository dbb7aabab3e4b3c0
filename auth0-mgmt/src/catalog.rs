//! The operation catalog: every Management API endpoint this crate can call, described
//! once. It is the single source of truth for the request path (method, path template,
//! success status), for token scope pre-checks (`scopes`), for policies (`id`,
//! `resource`, `access`) and for the generated documentation below.
//!
//! Operation ids follow `../shared/endpoints.json` / the recorded fixtures:
//! `users.get`, `organizations.add_members`, …
//!
//! ```
//! use auth0_mgmt::catalog;
//!
//! let op = catalog::find("users.assign_roles").unwrap();
//! assert_eq!(op.path, "/api/v2/users/{id}/roles");
//! assert_eq!(op.scopes, ["update:users", "create:role_members"]);
//! assert!(op.access.is_write());
//! ```
//!
//! # Every operation
//!
//! The table is generated from [`ALL`] by [`markdown_table`] (a test keeps this copy in
//! sync):
//!
#![doc = include_str!("../OPERATIONS.md")]

use std::fmt;

/// An HTTP method used by the Management API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl Method {
    /// The method name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// Whether sending the request twice has the same effect as sending it once (GET,
    /// DELETE). Only idempotent requests are retried after 5xx answers, timeouts and
    /// connection errors.
    pub const fn is_idempotent(self) -> bool {
        matches!(self, Method::Get | Method::Delete)
    }

    pub(crate) fn to_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether an operation only reads or changes the tenant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    /// Reads only.
    Read,
    /// Changes state.
    Write,
}

impl Access {
    /// True for [`Access::Write`].
    pub const fn is_write(self) -> bool {
        matches!(self, Access::Write)
    }

    /// `read` or `write`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Write => "write",
        }
    }
}

/// The resource family an operation belongs to (the unit policies grant levels on).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resource {
    /// Users.
    Users,
    /// Roles and role membership.
    Roles,
    /// Applications (clients).
    Clients,
    /// Connections.
    Connections,
    /// Organizations and their members.
    Organizations,
    /// Log events.
    Logs,
    /// User consent grants.
    Grants,
    /// Resource servers (APIs).
    ResourceServers,
    /// Refresh tokens.
    RefreshTokens,
    /// Sessions.
    Sessions,
}

impl Resource {
    /// Every resource.
    pub const ALL: [Resource; 10] = [
        Resource::Users,
        Resource::Roles,
        Resource::Clients,
        Resource::Connections,
        Resource::Organizations,
        Resource::Logs,
        Resource::Grants,
        Resource::ResourceServers,
        Resource::RefreshTokens,
        Resource::Sessions,
    ];

    /// The snake_case name (`resource_servers`), as used in operation ids and policies.
    pub const fn as_str(self) -> &'static str {
        match self {
            Resource::Users => "users",
            Resource::Roles => "roles",
            Resource::Clients => "clients",
            Resource::Connections => "connections",
            Resource::Organizations => "organizations",
            Resource::Logs => "logs",
            Resource::Grants => "grants",
            Resource::ResourceServers => "resource_servers",
            Resource::RefreshTokens => "refresh_tokens",
            Resource::Sessions => "sessions",
        }
    }

    /// Parses the snake_case name (exact match only).
    pub fn parse(s: &str) -> Option<Resource> {
        Resource::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a listing pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paging {
    /// Not a listing.
    None,
    /// `page`/`per_page`/`include_totals` only.
    Offset,
    /// `from`/`take` only.
    Checkpoint,
    /// Both modes.
    OffsetAndCheckpoint,
}

impl Paging {
    /// Offset paging is available.
    pub const fn offset(self) -> bool {
        matches!(self, Paging::Offset | Paging::OffsetAndCheckpoint)
    }

    /// Checkpoint paging is available.
    pub const fn checkpoint(self) -> bool {
        matches!(self, Paging::Checkpoint | Paging::OffsetAndCheckpoint)
    }
}

/// One Management API endpoint.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// Stable id, `resource.verb` (e.g. `users.get`).
    pub id: &'static str,
    /// The resource family.
    pub resource: Resource,
    /// The HTTP method.
    pub method: Method,
    /// The path template on the tenant host, `{id}` for the (single) path parameter.
    pub path: &'static str,
    /// Every scope the access token must carry for this call.
    pub scopes: &'static [&'static str],
    /// Read or write.
    pub access: Access,
    /// The documented success status.
    pub success_status: u16,
    /// How the listing pages, if it is one.
    pub paging: Paging,
    /// The key of the item array in wrapped list responses (`users`, `roles`, …).
    pub list_key: Option<&'static str>,
    /// A lower-case phrase for humans: "get a user", used in docs and audit sentences.
    pub summary: &'static str,
}

impl Operation {
    /// Whether the request may be repeated safely (derived from the method).
    pub const fn idempotent(&self) -> bool {
        self.method.is_idempotent()
    }

    /// Offset listings that Auth0 documents as capped at 1000 results.
    pub(crate) fn offset_capped(&self) -> bool {
        matches!(self.resource, Resource::Users | Resource::Logs | Resource::Organizations | Resource::Connections)
            || self.id == "organizations.list_members"
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id)
    }
}

macro_rules! operations {
    ($(
        $(#[$meta:meta])*
        $const:ident = $id:literal, $resource:ident, $method:ident $path:literal,
        [$($scope:literal),*], $access:ident, $status:literal, $paging:ident, $key:expr, $summary:literal;
    )*) => {
        $(
            $(#[$meta])*
            #[doc = concat!("`", $id, "`: ", stringify!($method), " `", $path, "`")]
            pub static $const: Operation = Operation {
                id: $id,
                resource: Resource::$resource,
                method: Method::$method,
                path: $path,
                scopes: &[$($scope),*],
                access: Access::$access,
                success_status: $status,
                paging: Paging::$paging,
                list_key: $key,
                summary: $summary,
            };
        )*

        /// Every operation, in catalog order.
        pub static ALL: &[&Operation] = &[$(&$const),*];
    };
}

operations! {
    // Users
    USERS_LIST = "users.list", Users, Get "/api/v2/users", ["read:users"], Read, 200, Offset, Some("users"), "list users";
    USERS_GET = "users.get", Users, Get "/api/v2/users/{id}", ["read:users"], Read, 200, None, None, "read user";
    USERS_CREATE = "users.create", Users, Post "/api/v2/users", ["create:users"], Write, 201, None, None, "create user";
    USERS_UPDATE = "users.update", Users, Patch "/api/v2/users/{id}", ["update:users"], Write, 200, None, None, "update user";
    USERS_DELETE = "users.delete", Users, Delete "/api/v2/users/{id}", ["delete:users"], Write, 204, None, None, "delete user";
    USERS_LIST_BY_EMAIL = "users.list_by_email", Users, Get "/api/v2/users-by-email", ["read:users"], Read, 200, None, None, "find users by email";
    // Roles (role membership of users included)
    ROLES_LIST = "roles.list", Roles, Get "/api/v2/roles", ["read:roles"], Read, 200, Offset, Some("roles"), "list roles";
    ROLES_GET = "roles.get", Roles, Get "/api/v2/roles/{id}", ["read:roles"], Read, 200, None, None, "read role";
    ROLES_CREATE = "roles.create", Roles, Post "/api/v2/roles", ["create:roles"], Write, 200, None, None, "create role";
    USERS_LIST_ROLES = "users.list_roles", Roles, Get "/api/v2/users/{id}/roles", ["read:users", "read:roles"], Read, 200, Offset, Some("roles"), "list the roles of user";
    USERS_ASSIGN_ROLES = "users.assign_roles", Roles, Post "/api/v2/users/{id}/roles", ["update:users", "create:role_members"], Write, 204, None, None, "assign roles to user";
    USERS_REMOVE_ROLES = "users.remove_roles", Roles, Delete "/api/v2/users/{id}/roles", ["update:users", "delete:role_members"], Write, 204, None, None, "remove roles from user";
    // Applications
    CLIENTS_LIST = "clients.list", Clients, Get "/api/v2/clients", ["read:clients"], Read, 200, OffsetAndCheckpoint, Some("clients"), "list applications";
    CLIENTS_GET = "clients.get", Clients, Get "/api/v2/clients/{id}", ["read:clients"], Read, 200, None, None, "read application";
    CLIENTS_CREATE = "clients.create", Clients, Post "/api/v2/clients", ["create:clients"], Write, 201, None, None, "create application";
    CLIENTS_UPDATE = "clients.update", Clients, Patch "/api/v2/clients/{id}", ["update:clients"], Write, 200, None, None, "update application";
    CLIENTS_DELETE = "clients.delete", Clients, Delete "/api/v2/clients/{id}", ["delete:clients"], Write, 204, None, None, "delete application";
    // Connections
    CONNECTIONS_LIST = "connections.list", Connections, Get "/api/v2/connections", ["read:connections"], Read, 200, OffsetAndCheckpoint, Some("connections"), "list connections";
    CONNECTIONS_GET = "connections.get", Connections, Get "/api/v2/connections/{id}", ["read:connections"], Read, 200, None, None, "read connection";
    CONNECTIONS_CREATE = "connections.create", Connections, Post "/api/v2/connections", ["create:connections"], Write, 201, None, None, "create connection";
    // Organizations
    ORGANIZATIONS_LIST = "organizations.list", Organizations, Get "/api/v2/organizations", ["read:organizations"], Read, 200, OffsetAndCheckpoint, Some("organizations"), "list organizations";
    ORGANIZATIONS_GET = "organizations.get", Organizations, Get "/api/v2/organizations/{id}", ["read:organizations"], Read, 200, None, None, "read organization";
    ORGANIZATIONS_CREATE = "organizations.create", Organizations, Post "/api/v2/organizations", ["create:organizations"], Write, 201, None, None, "create organization";
    ORGANIZATIONS_ADD_MEMBERS = "organizations.add_members", Organizations, Post "/api/v2/organizations/{id}/members", ["create:organization_members"], Write, 204, None, None, "add members to organization";
    ORGANIZATIONS_LIST_MEMBERS = "organizations.list_members", Organizations, Get "/api/v2/organizations/{id}/members", ["read:organization_members"], Read, 200, OffsetAndCheckpoint, Some("members"), "list the members of organization";
    // Logs
    LOGS_LIST = "logs.list", Logs, Get "/api/v2/logs", ["read:logs"], Read, 200, OffsetAndCheckpoint, Some("logs"), "list log events";
    LOGS_GET = "logs.get", Logs, Get "/api/v2/logs/{id}", ["read:logs"], Read, 200, None, None, "read log event";
    // Grants
    GRANTS_LIST = "grants.list", Grants, Get "/api/v2/grants", ["read:grants"], Read, 200, Offset, Some("grants"), "list grants";
    GRANTS_DELETE = "grants.delete", Grants, Delete "/api/v2/grants/{id}", ["delete:grants"], Write, 204, None, None, "delete grant";
    // Resource servers
    RESOURCE_SERVERS_LIST = "resource_servers.list", ResourceServers, Get "/api/v2/resource-servers", ["read:resource_servers"], Read, 200, Offset, Some("resource_servers"), "list APIs";
    RESOURCE_SERVERS_GET = "resource_servers.get", ResourceServers, Get "/api/v2/resource-servers/{id}", ["read:resource_servers"], Read, 200, None, None, "read API";
    RESOURCE_SERVERS_CREATE = "resource_servers.create", ResourceServers, Post "/api/v2/resource-servers", ["create:resource_servers"], Write, 201, None, None, "create API";
    // Refresh tokens
    REFRESH_TOKENS_LIST = "refresh_tokens.list", RefreshTokens, Get "/api/v2/refresh-tokens", ["read:refresh_tokens"], Read, 200, Checkpoint, Some("refresh_tokens"), "list refresh tokens";
    REFRESH_TOKENS_GET = "refresh_tokens.get", RefreshTokens, Get "/api/v2/refresh-tokens/{id}", ["read:refresh_tokens"], Read, 200, None, None, "read refresh token";
    REFRESH_TOKENS_UPDATE = "refresh_tokens.update", RefreshTokens, Patch "/api/v2/refresh-tokens/{id}", ["update:refresh_tokens"], Write, 200, None, None, "update refresh token";
    REFRESH_TOKENS_DELETE = "refresh_tokens.delete", RefreshTokens, Delete "/api/v2/refresh-tokens/{id}", ["delete:refresh_tokens"], Write, 202, None, None, "delete refresh token";
    REFRESH_TOKENS_REVOKE = "refresh_tokens.revoke", RefreshTokens, Post "/api/v2/refresh-tokens/revoke", ["delete:refresh_tokens"], Write, 202, None, None, "revoke refresh tokens";
    // Sessions
    SESSIONS_GET = "sessions.get", Sessions, Get "/api/v2/sessions/{id}", ["read:sessions"], Read, 200, None, None, "read session";
    SESSIONS_UPDATE = "sessions.update", Sessions, Patch "/api/v2/sessions/{id}", ["update:sessions"], Write, 200, None, None, "update session";
}

/// The token endpoint (`POST /oauth/token`, client-credentials grant). Not a Management
/// API operation, so not in [`ALL`]; it names the token calls in traces and errors.
pub const OAUTH_TOKEN: &str = "oauth.token";

/// Finds an operation by id.
pub fn find(id: &str) -> Option<&'static Operation> {
    ALL.iter().copied().find(|op| op.id == id)
}

/// The operations of one resource.
pub fn of_resource(resource: Resource) -> impl Iterator<Item = &'static Operation> {
    ALL.iter().copied().filter(move |op| op.resource == resource)
}

/// A Markdown table of every operation with its method, path, scopes, access and paging
/// (the source of the crate docs' table and the README's feature table).
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| Operation | Method | Path | Required scopes | Access | Success | Paging |\n|---|---|---|---|---|---|---|\n",
    );
    for op in ALL {
        let paging = match op.paging {
            Paging::None => "",
            Paging::Offset => "offset",
            Paging::Checkpoint => "checkpoint",
            Paging::OffsetAndCheckpoint => "offset, checkpoint",
        };
        let scopes = op.scopes.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ");
        out.push_str(&format!(
            "| `{}` | {} | `{}` | {} | {} | {} | {} |\n",
            op.id,
            op.method,
            op.path,
            scopes,
            op.access.as_str(),
            op.success_status,
            paging
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for op in ALL {
            assert!(seen.insert(op.id), "duplicate id {}", op.id);
            assert!(op.path.starts_with("/api/v2/"), "{}", op.id);
            assert!(!op.scopes.is_empty(), "{}", op.id);
            assert_eq!(op.path.matches('{').count(), op.path.matches("{id}").count(), "{}", op.id);
            assert_eq!(op.access.is_write(), op.method != Method::Get, "{}", op.id);
            assert_eq!(op.list_key.is_some(), op.paging != Paging::None, "{}", op.id);
        }
    }

    #[test]
    fn generated_docs_are_current() {
        let on_disk = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/OPERATIONS.md")).unwrap();
        let generated = markdown_table();
        if on_disk != generated {
            if std::env::var_os("UPDATE_OPERATIONS_MD").is_some() {
                std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/OPERATIONS.md"), &generated).unwrap();
            }
            panic!("auth0-mgmt/OPERATIONS.md is stale; rerun with UPDATE_OPERATIONS_MD=1");
        }
    }
}
