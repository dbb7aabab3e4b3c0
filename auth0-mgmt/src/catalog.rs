//! The operation catalog: every Management API endpoint this crate can call, described
//! once. It is the single source of truth for the request path (method, path template,
//! success statuses), for token scope pre-checks (`scopes`), for policies — which id kind
//! is in the path ([`Operation::path_id`]), which body fields carry ids and how every
//! body key is classified ([`Operation::body`]), which dangerous actions a call needs
//! ([`Operation::actions`], [`Operation::most_sensitive`]) — for audit sentences
//! ([`Operation::phrase`]), for tool-calling clients ([`Operation::annotations`], the
//! query parameters [`Operation::query`], the request-body model [`Operation::body_model`]
//! with its JSON Schema under the `schema` feature, the model-facing
//! [`Operation::description`]) and for the generated documentation below.
//!
//! Operation ids are `resource.verb`, as in Auth0's endpoint reference:
//! `users.get`, `organizations.add_members`, …; [`OperationId`] is the same set, typed.
//!
//! ```
//! use auth0_mgmt::catalog::{self, Action, IdKind};
//!
//! let op = catalog::find("users.assign_roles").unwrap();
//! assert_eq!(op.path, "/api/v2/users/{id}/roles");
//! assert_eq!(op.scopes, ["update:users", "create:role_members"]);
//! assert!(op.access.is_write());
//! assert_eq!(op.actions, [Action::AssignRoles]);
//! let roles = &op.body.ids[0];
//! assert_eq!((roles.at.to_string(), roles.kind, roles.allow_listed), ("roles[]".to_owned(), IdKind::Role, true));
//! ```
//!
//! # Adding an operation
//!
//! Add one entry to the `operations!` table in this file. The macro requires every part
//! — resource, method and path, scopes, access, success statuses, paging, list key,
//! offset limit, summary, path id, body, actions, phrase, annotations, query parameters,
//! body model, description — so an operation without its description does not compile;
//! the tests in this module (and the policy crate's and the MCP gateway's, which walk
//! [`ALL`]) fail when the parts disagree. A listing or read names its query parameters
//! in `catalog/query.rs`; a write with a body names its typed request model
//! (`model [CreateUser]`), whose schema (feature `schema`) must declare exactly the
//! body's keys. A write with a body gets a
//! `Body` in `catalog/bodies.rs` listing **every** key the API documents, by its JSON
//! name, with its [`FieldClass`] (and nested keys where the class depends on them): a key
//! not listed counts as the operation's most sensitive class. Code that reads the
//! catalog matches on [`OperationId`], [`IdKind`], [`Action`] and [`FieldClass`]
//! exhaustively, so a new variant is a compile error wherever it needs a decision.
//! Regenerate `OPERATIONS.md` with `UPDATE_OPERATIONS_MD=1 cargo test -p auth0-mgmt
//! --lib catalog` and paste it into the README between the `operations` markers.
//!
//! # Every operation
//!
//! The table is generated from [`ALL`] by [`markdown_table`] (a test keeps this copy in
//! sync):
//!
#![doc = include_str!("../OPERATIONS.md")]

use std::fmt;

use serde::Serialize;

mod bodies;
mod describe;
mod query;

pub use describe::{
    Action, ActionSet, Annotations, Body, BodyId, BodyModel, FieldClass, IdKind, IdPath, Key, ParamType, PathParam,
    Phrase, Placeholder, Presence, QueryParam,
};

use crate::clients::{CreateApplication, UpdateApplication};
use crate::connections::CreateConnection;
use crate::organizations::{CreateOrganization, MemberList};
use crate::refresh_tokens::{RevokeRefreshTokens, UpdateRefreshToken};
use crate::resource_servers::CreateResourceServer;
use crate::roles::{CreateRole, RoleList};
use crate::sessions::UpdateSession;
use crate::users::{CreateUser, UpdateUser};

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

/// One Management API endpoint, described once: how to call it, and everything the
/// rest of the workspace asks about it (which ids it touches, which dangerous actions it
/// needs and on which body keys, its phrase for audit sentences, its tool annotations).
///
/// ```
/// use auth0_mgmt::catalog::{self, Action, IdKind, OperationId};
///
/// let op = &catalog::USERS_DELETE;
/// assert_eq!(op.key, OperationId::UsersDelete);
/// assert_eq!(op.path_id.map(|p| p.kind), Some(IdKind::User));
/// assert_eq!(op.actions, [Action::DeleteUsers]);
/// assert!(op.annotations.destructive && !op.annotations.read_only);
/// assert_eq!(op.phrase.render_infinitive(&[(IdKind::User, "auth0|123")], &[]), "delete user auth0|123");
/// ```
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// Stable id, `resource.verb` (e.g. `users.get`).
    pub id: &'static str,
    /// The same id, typed.
    pub key: OperationId,
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
    /// The documented success status (the one the server is seen to send).
    pub success_status: u16,
    /// Every success status the server may answer with (`success_status` first).
    pub success_statuses: &'static [u16],
    /// How the listing pages, if it is one.
    pub paging: Paging,
    /// The key of the item array in wrapped list responses (`users`, `roles`, …).
    pub list_key: Option<&'static str>,
    /// How many results offset paging can reach (Auth0 documents 1000 for some
    /// listings), if limited.
    pub offset_limit: Option<u32>,
    /// A lower-case phrase for humans: "get a user", used in docs and messages.
    pub summary: &'static str,
    /// The `{id}` path parameter: its kind, and whether an allow-list restricts it.
    pub path_id: Option<PathParam>,
    /// The JSON body: its keys and their classes, the fields that hold ids.
    pub body: &'static Body,
    /// The dangerous actions every call needs (body keys can add more: [`Body::keys`]).
    pub actions: &'static [Action],
    /// The plain-English phrases with id placeholders.
    pub phrase: Phrase,
    /// Hints for tool-calling clients.
    pub annotations: Annotations,
    /// The query parameters a caller chooses, under Auth0's names, with their JSON types
    /// and bounds (empty for writes): what a tool offers as arguments.
    /// `include_totals`, which decides the shape of an offset page, is left to the
    /// client's list builders (and the gateway); deprecated ones (`connection` of
    /// `users.list`, honoured only by the retired search engine v1) are not listed.
    pub query: &'static [QueryParam],
    /// The typed request model of the JSON body (present exactly when the body is
    /// required, see [`Body::presence`]); its JSON Schema with the `schema` feature.
    pub body_model: Option<BodyModel>,
    /// What the call does, what it needs and what it returns, written for a model (the
    /// description of the operation's tool in the MCP gateway).
    pub description: &'static str,
}

impl Operation {
    /// Whether the request may be repeated safely (derived from the method).
    pub const fn idempotent(&self) -> bool {
        self.method.is_idempotent()
    }

    /// Whether `status` is one of the operation's success statuses.
    pub fn is_success_status(&self, status: u16) -> bool {
        self.success_statuses.contains(&status)
    }

    /// The operation's own dangerous actions as a set.
    pub fn base_actions(&self) -> ActionSet {
        self.actions.iter().copied().collect()
    }

    /// The most sensitive class of the operation: every dangerous action any call of it
    /// can need (its own and every body key's). A body key the catalog does not know
    /// counts as this.
    pub fn most_sensitive(&self) -> ActionSet {
        self.base_actions().union(self.body.field_actions())
    }

    /// Offset listings that Auth0 documents as capped (at [`offset_limit`](Self::offset_limit)).
    pub(crate) fn offset_capped(&self) -> bool {
        self.offset_limit.is_some()
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id)
    }
}

/// The `model [Type]` part of an `operations!` entry: `None`, or the type's
/// [`BodyModel`] (its JSON Schema with the `schema` feature). The type is named even
/// without the feature, so a wrong name fails every build.
macro_rules! body_model {
    () => {
        None
    };
    ($model:ident) => {
        Some(BodyModel::new(
            {
                let _: std::marker::PhantomData<$model> = std::marker::PhantomData;
                stringify!($model)
            },
            #[cfg(feature = "schema")]
            |generator| generator.subschema_for::<$model>(),
        ))
    };
}

macro_rules! operations {
    ($(
        $(#[$meta:meta])*
        $variant:ident $const:ident = $id:literal {
            $resource:ident, $method:ident $path:literal, scopes [$($scope:literal),*], $access:ident,
            success [$status:literal $(, $more:literal)*], paging $paging:ident, list_key $key:expr,
            offset_limit $limit:expr, summary $summary:literal,
            path_id $path_id:expr, body $body:expr, actions [$($action:ident),*],
            phrase ($inf:literal, $past:literal), annotations $hints:ident,
            query $query:expr, model [$($model:ident)?],
            description $description:literal $(,)?
        }
    )*) => {
        /// Every operation of the catalog, typed (the same set as [`ALL`], in order).
        ///
        /// Match on it exhaustively: an operation added to the catalog is then a compile
        /// error wherever it must be considered.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum OperationId {
            $(
                #[doc = concat!("`", $id, "`")]
                $variant,
            )*
        }

        impl OperationId {
            /// Every operation id, in catalog order.
            pub const ALL: &'static [OperationId] = &[$(OperationId::$variant),*];

            /// The string id (`users.get`).
            pub const fn as_str(self) -> &'static str {
                match self { $(OperationId::$variant => $id,)* }
            }

            /// The operation's descriptor.
            pub const fn operation(self) -> &'static Operation {
                match self { $(OperationId::$variant => &$const,)* }
            }
        }

        $(
            $(#[$meta])*
            #[doc = concat!("`", $id, "`: ", stringify!($method), " `", $path, "`")]
            pub static $const: Operation = Operation {
                id: $id,
                key: OperationId::$variant,
                resource: Resource::$resource,
                method: Method::$method,
                path: $path,
                scopes: &[$($scope),*],
                access: Access::$access,
                success_status: $status,
                success_statuses: &[$status $(, $more)*],
                paging: Paging::$paging,
                list_key: $key,
                offset_limit: $limit,
                summary: $summary,
                path_id: $path_id,
                body: $body,
                actions: &[$(Action::$action),*],
                phrase: Phrase { infinitive: $inf, past: $past },
                annotations: Annotations::$hints,
                query: $query,
                body_model: body_model!($($model)?),
                description: $description,
            };
        )*

        /// Every operation, in catalog order.
        pub static ALL: &[&Operation] = &[$(&$const),*];
    };
}

impl OperationId {
    /// The id as an MCP tool name: `.` replaced by `_` (`users_get`).
    pub fn tool_name(self) -> String {
        self.as_str().replace('.', "_")
    }

    /// Parses the string id (exact match only).
    pub fn parse(s: &str) -> Option<OperationId> {
        OperationId::ALL.iter().copied().find(|o| o.as_str() == s)
    }
}

impl fmt::Display for OperationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for OperationId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

const NO_BODY: &Body = &Body::NONE;
const fn path(kind: IdKind) -> Option<PathParam> {
    Some(PathParam::of(kind))
}
const fn path_allow_listed(kind: IdKind) -> Option<PathParam> {
    Some(PathParam::allow_listed(kind))
}
use IdKind::{Api, Client as ClientKind, Connection, Grant, Log, Organization, RefreshToken, Role, Session, User};

operations! {
    // Users
    UsersList USERS_LIST = "users.list" {
        Users, Get "/api/v2/users", scopes ["read:users"], Read,
        success [200], paging Offset, list_key Some("users"), offset_limit Some(1000), summary "list users",
        path_id None, body NO_BODY, actions [],
        phrase ("list users", "listed users"), annotations READ,
        query query::USERS_LIST, model [],
        description "Search or list the tenant's users, one page at a time (at most the first 1000 matches are reachable). Returns `users` (user profiles: user_id, email, name, identities, app_metadata, user_metadata, …), `total`, and `next` — the page number to pass as `page` for the following page, absent on the last page."
    }
    UsersGet USERS_GET = "users.get" {
        Users, Get "/api/v2/users/{id}", scopes ["read:users"], Read,
        success [200], paging None, list_key None, offset_limit None, summary "read user",
        path_id path(User), body NO_BODY, actions [],
        phrase ("read user {user}", "read user {user}"), annotations READ,
        query query::READ_FIELDS, model [],
        description "Read one user by user id. Returns the user profile (user_id, email, email_verified, name, identities, app_metadata, user_metadata, blocked, last_login, logins_count, …)."
    }
    UsersCreate USERS_CREATE = "users.create" {
        Users, Post "/api/v2/users", scopes ["create:users"], Write,
        success [201], paging None, list_key None, offset_limit None, summary "create user",
        path_id None, body &bodies::USERS_CREATE, actions [],
        phrase ("create a user in connection {connection_name}{fields}", "created a user in connection {connection_name}{fields}"),
        annotations CREATE,
        query query::NONE, model [CreateUser],
        description "Create a user in a connection (`connection` is the connection's name, e.g. `Username-Password-Authentication`; database connections need an email or username and a password). Returns the created user."
    }
    UsersUpdate USERS_UPDATE = "users.update" {
        Users, Patch "/api/v2/users/{id}", scopes ["update:users"], Write,
        success [200], paging None, list_key None, offset_limit None, summary "update user",
        path_id path(User), body &bodies::USERS_UPDATE, actions [],
        phrase ("update user {user}{fields}", "updated user {user}{fields}"), annotations CHANGE,
        query query::NONE, model [UpdateUser],
        description "Change a user's attributes; only the fields given are changed, `null` removes an attribute. user_metadata and app_metadata are merged one level deep (a key set to null is deleted; an empty object deletes them all). Returns the updated user."
    }
    UsersDelete USERS_DELETE = "users.delete" {
        Users, Delete "/api/v2/users/{id}", scopes ["delete:users"], Write,
        success [204], paging None, list_key None, offset_limit None, summary "delete user",
        path_id path(User), body NO_BODY, actions [DeleteUsers],
        phrase ("delete user {user}", "deleted user {user}"), annotations REMOVE,
        query query::NONE, model [],
        description "Delete a user permanently. Irreversible. Returns nothing on success (deleting a user that does not exist also succeeds)."
    }
    UsersListByEmail USERS_LIST_BY_EMAIL = "users.list_by_email" {
        Users, Get "/api/v2/users-by-email", scopes ["read:users"], Read,
        success [200], paging None, list_key None, offset_limit None, summary "find users by email",
        path_id None, body NO_BODY, actions [],
        phrase ("look up users by email", "looked up users by email"), annotations READ,
        query query::USERS_LIST_BY_EMAIL, model [],
        description "Find the users with this exact email address (one per connection). Returns `items`, a list of user profiles (empty when none)."
    }
    // Roles (role membership of users included)
    RolesList ROLES_LIST = "roles.list" {
        Roles, Get "/api/v2/roles", scopes ["read:roles"], Read,
        success [200], paging Offset, list_key Some("roles"), offset_limit None, summary "list roles",
        path_id None, body NO_BODY, actions [],
        phrase ("list roles", "listed roles"), annotations READ,
        query query::ROLES_LIST, model [],
        description "List the tenant's roles, one page at a time. Returns `roles` (id, name, description), `total`, and `next` — the page number to pass as `page` for the following page, absent on the last page."
    }
    RolesGet ROLES_GET = "roles.get" {
        Roles, Get "/api/v2/roles/{id}", scopes ["read:roles"], Read,
        success [200], paging None, list_key None, offset_limit None, summary "read role",
        path_id path(Role), body NO_BODY, actions [],
        phrase ("read role {role}", "read role {role}"), annotations READ,
        query query::NONE, model [],
        description "Read one role by id. Returns the role (id, name, description)."
    }
    RolesCreate ROLES_CREATE = "roles.create" {
        Roles, Post "/api/v2/roles", scopes ["create:roles"], Write,
        success [200], paging None, list_key None, offset_limit None, summary "create role",
        path_id None, body &bodies::ROLES_CREATE, actions [],
        phrase ("create a role", "created a role"), annotations CREATE,
        query query::NONE, model [CreateRole],
        description "Create a role with a name and an optional description. Returns the role with its new id."
    }
    UsersListRoles USERS_LIST_ROLES = "users.list_roles" {
        Roles, Get "/api/v2/users/{id}/roles", scopes ["read:users", "read:roles"], Read,
        success [200], paging Offset, list_key Some("roles"), offset_limit None, summary "list the roles of user",
        path_id path(User), body NO_BODY, actions [],
        phrase ("list the roles of user {user}", "listed the roles of user {user}"), annotations READ,
        query query::OFFSET, model [],
        description "List the roles assigned to a user, one page at a time. Returns `roles` (id, name, description), `total`, and `next` — the page number to pass as `page` for the following page."
    }
    UsersAssignRoles USERS_ASSIGN_ROLES = "users.assign_roles" {
        Roles, Post "/api/v2/users/{id}/roles", scopes ["update:users", "create:role_members"], Write,
        success [204], paging None, list_key None, offset_limit None, summary "assign roles to user",
        path_id path(User), body &bodies::USER_ROLES, actions [AssignRoles],
        phrase ("assign {roles} to user {user}", "assigned {roles} to user {user}"), annotations ADD,
        query query::NONE, model [RoleList],
        description "Assign roles (by role id) to a user. Returns nothing on success."
    }
    UsersRemoveRoles USERS_REMOVE_ROLES = "users.remove_roles" {
        Roles, Delete "/api/v2/users/{id}/roles", scopes ["update:users", "delete:role_members"], Write,
        success [204], paging None, list_key None, offset_limit None, summary "remove roles from user",
        path_id path(User), body &bodies::USER_ROLES, actions [RemoveRoles],
        phrase ("remove {roles} from user {user}", "removed {roles} from user {user}"), annotations REMOVE,
        query query::NONE, model [RoleList],
        description "Remove roles (by role id) from a user. Returns nothing on success."
    }
    // Applications
    ClientsList CLIENTS_LIST = "clients.list" {
        Clients, Get "/api/v2/clients", scopes ["read:clients"], Read,
        success [200], paging OffsetAndCheckpoint, list_key Some("clients"), offset_limit None, summary "list applications",
        path_id None, body NO_BODY, actions [],
        phrase ("list applications", "listed applications"), annotations READ,
        query query::CLIENTS_LIST, model [],
        description "List the tenant's applications, one page at a time. Returns `clients` (client_id, name, app_type, callbacks, grant_types, …), and `next`: a page number for `page` (offset paging, with `total`) or a cursor for `from` (checkpoint paging, when `take` or `from` was given)."
    }
    ClientsGet CLIENTS_GET = "clients.get" {
        Clients, Get "/api/v2/clients/{id}", scopes ["read:clients"], Read,
        success [200], paging None, list_key None, offset_limit None, summary "read application",
        path_id path(ClientKind), body NO_BODY, actions [],
        phrase ("read application {client}", "read application {client}"), annotations READ,
        query query::READ_FIELDS, model [],
        description "Read one application by client id. Returns the application's settings."
    }
    ClientsCreate CLIENTS_CREATE = "clients.create" {
        Clients, Post "/api/v2/clients", scopes ["create:clients"], Write,
        success [201], paging None, list_key None, offset_limit None, summary "create application",
        path_id None, body &bodies::CLIENTS_CREATE, actions [CreateClients],
        phrase ("create an application", "created an application"), annotations CREATE,
        query query::NONE, model [CreateApplication],
        description "Create an application (`name` required; `app_type` e.g. `spa`, `native`, `regular_web`, `non_interactive`). Returns the application with its client_id."
    }
    ClientsUpdate CLIENTS_UPDATE = "clients.update" {
        Clients, Patch "/api/v2/clients/{id}", scopes ["update:clients"], Write,
        success [200], paging None, list_key None, offset_limit None, summary "update application",
        path_id path_allow_listed(ClientKind), body &bodies::CLIENTS_UPDATE, actions [UpdateClients],
        phrase ("update application {client}{fields}", "updated application {client}{fields}"), annotations CHANGE,
        query query::NONE, model [UpdateApplication],
        description "Change an application's settings; only the fields given change. Returns the updated application."
    }
    ClientsDelete CLIENTS_DELETE = "clients.delete" {
        Clients, Delete "/api/v2/clients/{id}", scopes ["delete:clients"], Write,
        success [204], paging None, list_key None, offset_limit None, summary "delete application",
        path_id path_allow_listed(ClientKind), body NO_BODY, actions [DeleteClients],
        phrase ("delete application {client}", "deleted application {client}"), annotations REMOVE,
        query query::NONE, model [],
        description "Delete an application permanently; its users can no longer log in through it. Irreversible. Returns nothing on success."
    }
    // Connections
    ConnectionsList CONNECTIONS_LIST = "connections.list" {
        Connections, Get "/api/v2/connections", scopes ["read:connections"], Read,
        success [200], paging OffsetAndCheckpoint, list_key Some("connections"), offset_limit Some(1000), summary "list connections",
        path_id None, body NO_BODY, actions [],
        phrase ("list connections", "listed connections"), annotations READ,
        query query::CONNECTIONS_LIST, model [],
        description "List the tenant's connections (identity sources), one page at a time. Returns `connections` (id, name, strategy, enabled_clients, …) and `next`: a page number for `page` (offset paging, with `total`) or a cursor for `from` (checkpoint paging, when `take` or `from` was given)."
    }
    ConnectionsGet CONNECTIONS_GET = "connections.get" {
        Connections, Get "/api/v2/connections/{id}", scopes ["read:connections"], Read,
        success [200], paging None, list_key None, offset_limit None, summary "read connection",
        path_id path(Connection), body NO_BODY, actions [],
        phrase ("read connection {connection}", "read connection {connection}"), annotations READ,
        query query::READ_FIELDS, model [],
        description "Read one connection by id. Returns the connection (id, name, strategy, options when the token may read them, realms, enabled_clients, …)."
    }
    ConnectionsCreate CONNECTIONS_CREATE = "connections.create" {
        Connections, Post "/api/v2/connections", scopes ["create:connections"], Write,
        success [201], paging None, list_key None, offset_limit None, summary "create connection",
        path_id None, body &bodies::CONNECTIONS_CREATE, actions [CreateConnections],
        phrase ("create connection {connection_name}[ enabled for {clients}]", "created connection {connection_name}[ enabled for {clients}]"),
        annotations CREATE,
        query query::NONE, model [CreateConnection],
        description "Create a connection (`name` and `strategy` required, e.g. strategy `auth0` for a database). Returns the connection with its id."
    }
    // Organizations
    OrganizationsList ORGANIZATIONS_LIST = "organizations.list" {
        Organizations, Get "/api/v2/organizations", scopes ["read:organizations"], Read,
        success [200], paging OffsetAndCheckpoint, list_key Some("organizations"), offset_limit Some(1000), summary "list organizations",
        path_id None, body NO_BODY, actions [],
        phrase ("list organizations", "listed organizations"), annotations READ,
        query query::ORGANIZATIONS_LIST, model [],
        description "List the tenant's organizations, one page at a time. Returns `organizations` (id, name, display_name, branding, metadata) and `next`: a page number for `page` (offset paging, with `total`) or a cursor for `from` (checkpoint paging, when `take` or `from` was given)."
    }
    OrganizationsGet ORGANIZATIONS_GET = "organizations.get" {
        Organizations, Get "/api/v2/organizations/{id}", scopes ["read:organizations"], Read,
        success [200], paging None, list_key None, offset_limit None, summary "read organization",
        path_id path(Organization), body NO_BODY, actions [],
        phrase ("read organization {organization}", "read organization {organization}"), annotations READ,
        query query::NONE, model [],
        description "Read one organization by id. Returns the organization (id, name, display_name, branding, metadata)."
    }
    OrganizationsCreate ORGANIZATIONS_CREATE = "organizations.create" {
        Organizations, Post "/api/v2/organizations", scopes ["create:organizations"], Write,
        success [201], paging None, list_key None, offset_limit None, summary "create organization",
        path_id None, body &bodies::ORGANIZATIONS_CREATE, actions [],
        phrase ("create an organization[ with {connections}]", "created an organization[ with {connections}]"),
        annotations CREATE,
        query query::NONE, model [CreateOrganization],
        description "Create an organization (`name` required: lower case letters, digits, `-`, `_`). Returns the organization with its id."
    }
    OrganizationsAddMembers ORGANIZATIONS_ADD_MEMBERS = "organizations.add_members" {
        Organizations, Post "/api/v2/organizations/{id}/members", scopes ["create:organization_members"], Write,
        success [204], paging None, list_key None, offset_limit None, summary "add members to organization",
        path_id path_allow_listed(Organization), body &bodies::ORGANIZATION_MEMBERS, actions [AddOrganizationMembers],
        phrase ("add {users} to organization {organization}", "added {users} to organization {organization}"),
        annotations ADD,
        query query::NONE, model [MemberList],
        description "Add existing users (by user id) as members of an organization. Returns nothing on success."
    }
    OrganizationsListMembers ORGANIZATIONS_LIST_MEMBERS = "organizations.list_members" {
        Organizations, Get "/api/v2/organizations/{id}/members", scopes ["read:organization_members"], Read,
        success [200], paging OffsetAndCheckpoint, list_key Some("members"), offset_limit Some(1000), summary "list the members of organization",
        path_id path(Organization), body NO_BODY, actions [],
        phrase ("list the members of organization {organization}", "listed the members of organization {organization}"),
        annotations READ,
        query query::ORGANIZATIONS_LIST_MEMBERS, model [],
        description "List the members of an organization, one page at a time. Returns `members` (user_id, email, name, picture) and `next`: a page number for `page` (offset paging, with `total`) or a cursor for `from` (checkpoint paging, when `take` or `from` was given)."
    }
    // Logs
    LogsList LOGS_LIST = "logs.list" {
        Logs, Get "/api/v2/logs", scopes ["read:logs"], Read,
        success [200], paging OffsetAndCheckpoint, list_key Some("logs"), offset_limit Some(1000), summary "list log events",
        path_id None, body NO_BODY, actions [],
        phrase ("list log events", "listed log events"), annotations READ,
        query query::LOGS_LIST, model [],
        description "Search the tenant's log events (logins, failures, API calls), newest first, one page at a time; or, with `from`/`take`, walk forward from a log_id. Returns `logs` (log_id, date, type, description, user_id, client_name, ip, …) and `next`: a page number for `page`, or (checkpoint paging) a log_id for `from`."
    }
    LogsGet LOGS_GET = "logs.get" {
        Logs, Get "/api/v2/logs/{id}", scopes ["read:logs"], Read,
        success [200], paging None, list_key None, offset_limit None, summary "read log event",
        path_id path(Log), body NO_BODY, actions [],
        phrase ("read log event {log}", "read log event {log}"), annotations READ,
        query query::NONE, model [],
        description "Read one log event by log_id. Returns the event (date, type, description, user_id, client_name, ip, details, …)."
    }
    // Grants
    GrantsList GRANTS_LIST = "grants.list" {
        Grants, Get "/api/v2/grants", scopes ["read:grants"], Read,
        success [200], paging Offset, list_key Some("grants"), offset_limit None, summary "list grants",
        path_id None, body NO_BODY, actions [],
        phrase ("list grants", "listed grants"), annotations READ,
        query query::GRANTS_LIST, model [],
        description "List user consent grants, one page at a time. Returns `grants` (id, user_id, clientID, audience, scope), `total` and `next` — the page number to pass as `page`."
    }
    GrantsDelete GRANTS_DELETE = "grants.delete" {
        Grants, Delete "/api/v2/grants/{id}", scopes ["delete:grants"], Write,
        success [204], paging None, list_key None, offset_limit None, summary "delete grant",
        path_id path(Grant), body NO_BODY, actions [DeleteGrants],
        phrase ("delete grant {grant}", "deleted grant {grant}"), annotations REMOVE,
        query query::NONE, model [],
        description "Delete a user consent grant: the user must consent again. Returns nothing on success."
    }
    // Resource servers
    ResourceServersList RESOURCE_SERVERS_LIST = "resource_servers.list" {
        ResourceServers, Get "/api/v2/resource-servers", scopes ["read:resource_servers"], Read,
        success [200], paging Offset, list_key Some("resource_servers"), offset_limit None, summary "list APIs",
        path_id None, body NO_BODY, actions [],
        phrase ("list APIs", "listed APIs"), annotations READ,
        query query::RESOURCE_SERVERS_LIST, model [],
        description "List the tenant's APIs (resource servers), one page at a time. Returns `resource_servers` (id, name, identifier, scopes, token_lifetime, …), `total` and `next` — the page number to pass as `page`."
    }
    ResourceServersGet RESOURCE_SERVERS_GET = "resource_servers.get" {
        ResourceServers, Get "/api/v2/resource-servers/{id}", scopes ["read:resource_servers"], Read,
        success [200], paging None, list_key None, offset_limit None, summary "read API",
        path_id path(Api), body NO_BODY, actions [],
        phrase ("read API {resource_server}", "read API {resource_server}"), annotations READ,
        query query::NONE, model [],
        description "Read one API (resource server) by id or identifier. Returns its settings (name, identifier, scopes, signing_alg, token_lifetime, …)."
    }
    ResourceServersCreate RESOURCE_SERVERS_CREATE = "resource_servers.create" {
        ResourceServers, Post "/api/v2/resource-servers", scopes ["create:resource_servers"], Write,
        success [201], paging None, list_key None, offset_limit None, summary "create API",
        path_id None, body &bodies::RESOURCE_SERVERS_CREATE, actions [],
        phrase ("create API {resource_server}", "created API {resource_server}"), annotations CREATE,
        query query::NONE, model [CreateResourceServer],
        description "Create an API (`identifier`, its audience URL, is required and immutable). Returns the API with its id."
    }
    // Refresh tokens
    RefreshTokensList REFRESH_TOKENS_LIST = "refresh_tokens.list" {
        RefreshTokens, Get "/api/v2/refresh-tokens", scopes ["read:refresh_tokens"], Read,
        success [200], paging Checkpoint, list_key Some("refresh_tokens"), offset_limit None, summary "list refresh tokens",
        path_id None, body NO_BODY, actions [],
        phrase ("list refresh tokens", "listed refresh tokens"), annotations READ,
        query query::REFRESH_TOKENS_LIST, model [],
        description "List a user's refresh tokens (checkpoint paging). Returns `refresh_tokens` (id, client_id, created_at, expires_at, device, …) and `next` — the cursor to pass as `from`, absent on the last page."
    }
    RefreshTokensGet REFRESH_TOKENS_GET = "refresh_tokens.get" {
        RefreshTokens, Get "/api/v2/refresh-tokens/{id}", scopes ["read:refresh_tokens"], Read,
        success [200], paging None, list_key None, offset_limit None, summary "read refresh token",
        path_id path(RefreshToken), body NO_BODY, actions [],
        phrase ("read refresh token {refresh_token}", "read refresh token {refresh_token}"), annotations READ,
        query query::NONE, model [],
        description "Read one refresh token's details by id (never the token itself). Returns id, user_id, client_id, dates, device, resource_servers."
    }
    RefreshTokensUpdate REFRESH_TOKENS_UPDATE = "refresh_tokens.update" {
        RefreshTokens, Patch "/api/v2/refresh-tokens/{id}", scopes ["update:refresh_tokens"], Write,
        success [200], paging None, list_key None, offset_limit None, summary "update refresh token",
        path_id path(RefreshToken), body &bodies::REFRESH_TOKENS_UPDATE, actions [],
        phrase ("update refresh token {refresh_token}{fields}", "updated refresh token {refresh_token}{fields}"),
        annotations CHANGE,
        query query::NONE, model [UpdateRefreshToken],
        description "Replace a refresh token's metadata (`refresh_token_metadata`: an object of strings, or null to remove it). Returns the refresh token."
    }
    // The OAS documents 202; the server is seen answering 204 (auth0-api.md §14, §18).
    RefreshTokensDelete REFRESH_TOKENS_DELETE = "refresh_tokens.delete" {
        RefreshTokens, Delete "/api/v2/refresh-tokens/{id}", scopes ["delete:refresh_tokens"], Write,
        success [204, 202], paging None, list_key None, offset_limit None, summary "delete refresh token",
        path_id path(RefreshToken), body NO_BODY, actions [RevokeRefreshTokens],
        phrase ("delete refresh token {refresh_token}", "deleted refresh token {refresh_token}"), annotations REMOVE,
        query query::NONE, model [],
        description "Revoke (delete) one refresh token: the application using it must log the user in again. Returns nothing on success."
    }
    RefreshTokensRevoke REFRESH_TOKENS_REVOKE = "refresh_tokens.revoke" {
        RefreshTokens, Post "/api/v2/refresh-tokens/revoke", scopes ["delete:refresh_tokens"], Write,
        success [202], paging None, list_key None, offset_limit None, summary "revoke refresh tokens",
        path_id None, body &bodies::REFRESH_TOKENS_REVOKE, actions [RevokeRefreshTokens],
        phrase (
            "revoke [{refresh_tokens}][the refresh tokens of user {user}][ for application {client}][ for API {resource_server}]",
            "revoked [{refresh_tokens}][the refresh tokens of user {user}][ for application {client}][ for API {resource_server}]"
        ),
        annotations REMOVE,
        query query::NONE, model [RevokeRefreshTokens],
        description "Revoke refresh tokens in bulk: give `ids` (1 to 100 token ids), or `user_id` (all of the user's tokens), optionally narrowed by `client_id` and then `audience`. Returns nothing on success."
    }
    // Sessions
    SessionsGet SESSIONS_GET = "sessions.get" {
        Sessions, Get "/api/v2/sessions/{id}", scopes ["read:sessions"], Read,
        success [200], paging None, list_key None, offset_limit None, summary "read session",
        path_id path(Session), body NO_BODY, actions [],
        phrase ("read session {session}", "read session {session}"), annotations READ,
        query query::NONE, model [],
        description "Read one login session by id. Returns id, user_id, dates, device, clients, authentication methods."
    }
    SessionsUpdate SESSIONS_UPDATE = "sessions.update" {
        Sessions, Patch "/api/v2/sessions/{id}", scopes ["update:sessions"], Write,
        success [200], paging None, list_key None, offset_limit None, summary "update session",
        path_id path(Session), body &bodies::SESSIONS_UPDATE, actions [],
        phrase ("update session {session}{fields}", "updated session {session}{fields}"), annotations CHANGE,
        query query::NONE, model [UpdateSession],
        description "Replace a session's metadata (`session_metadata`: an object, or null to remove it). Returns the session."
    }
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

/// A Markdown table of every operation with its method, path, scopes, access, paging
/// and the dangerous actions it needs (the source of the crate docs' table and the
/// README's feature table).
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| Operation | Method | Path | Required scopes | Access | Success | Paging | Dangerous actions |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for op in ALL {
        let paging = match op.paging {
            Paging::None => "",
            Paging::Offset => "offset",
            Paging::Checkpoint => "checkpoint",
            Paging::OffsetAndCheckpoint => "offset, checkpoint",
        };
        let scopes = op.scopes.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ");
        let success = op.success_statuses.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
        let mut actions: Vec<String> = op.actions.iter().map(|a| format!("`{a}`")).collect();
        actions.extend(op.body.field_actions().minus(op.base_actions()).iter().map(|a| format!("`{a}` (by field)")));
        out.push_str(&format!(
            "| `{}` | {} | `{}` | {} | {} | {} | {} | {} |\n",
            op.id,
            op.method,
            op.path,
            scopes,
            op.access.as_str(),
            success,
            paging,
            actions.join(", ")
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
            assert_eq!(op.success_statuses.first(), Some(&op.success_status), "{}", op.id);
            assert!(op.success_statuses.iter().all(|s| (200..300).contains(s)), "{}", op.id);
            assert!(op.offset_limit.is_none() || op.paging.offset(), "{}", op.id);
        }
        assert_eq!(OperationId::ALL.len(), ALL.len());
        for (key, op) in OperationId::ALL.iter().zip(ALL) {
            assert_eq!(key.operation(), *op);
            assert_eq!(op.key, *key);
            assert_eq!(key.as_str(), op.id);
            assert_eq!(OperationId::parse(op.id), Some(*key));
        }
        let tools: std::collections::HashSet<String> = OperationId::ALL.iter().map(|k| k.tool_name()).collect();
        assert_eq!(tools.len(), ALL.len(), "tool names are unique");
        assert_eq!(OperationId::UsersAssignRoles.tool_name(), "users_assign_roles");
    }

    /// Every operation is completely described: path id, body, actions, phrase and
    /// annotations agree with each other and with the method. An operation added without
    /// its description fails to compile (the macro requires every part); one described
    /// inconsistently fails here.
    #[test]
    fn every_operation_is_completely_described() {
        for op in ALL {
            let id = op.id;
            // Path id: present exactly when the template has `{id}`.
            assert_eq!(op.path_id.is_some(), op.path.contains("{id}"), "{id}: path id");
            // Body: reads and deletes by id take none; POST and PATCH take one and list
            // every key they document.
            let wants_body = matches!(op.method, Method::Post | Method::Patch) || !op.body.keys.is_empty();
            assert_eq!(op.body.presence == Presence::Required, wants_body, "{id}: body presence");
            if op.body.presence == Presence::Required {
                assert!(!op.body.keys.is_empty(), "{id}: a body with no known key");
                assert!(op.access.is_write(), "{id}: a read with a body");
            } else {
                assert!(op.body.ids.is_empty() && op.body.one_of.is_empty() && !op.body.record_fields, "{id}");
            }
            let mut names = std::collections::HashSet::new();
            fn check_keys(id: &str, keys: &[Key], names: &mut std::collections::HashSet<String>, prefix: &str) {
                for k in keys {
                    assert!(
                        !k.name.is_empty()
                            && k.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                        "{id}: key `{}` is not a plain snake_case JSON name",
                        k.name
                    );
                    assert!(names.insert(format!("{prefix}{}", k.name)), "{id}: key `{prefix}{}` listed twice", k.name);
                    check_keys(id, k.nested, names, &format!("{prefix}{}.", k.name));
                }
            }
            check_keys(id, op.body.keys, &mut names, "");
            for slot in op.body.ids {
                assert!(op.body.key(slot.at.key()).is_some(), "{id}: id field `{}` is not a known key", slot.at);
            }
            for shape in op.body.one_of {
                for k in *shape {
                    assert!(op.body.key(k).is_some(), "{id}: `{k}` in one_of is not a known key");
                }
            }
            // Actions: each belongs to the operation's resource and is a write action.
            for a in op.most_sensitive().iter() {
                assert_eq!(a.resource(), op.resource, "{id}: action {a} belongs to {}", a.resource());
                assert_eq!(a.access(), Access::Write, "{id}: {a}");
            }
            assert!(op.access.is_write() || op.most_sensitive().is_empty(), "{id}: a read needing an action");
            // Every id slot an allow-list restricts, and every placeholder, names a kind
            // the operation really carries.
            let mut kinds: Vec<IdKind> = op.path_id.iter().map(|p| p.kind).collect();
            kinds.extend(op.body.ids.iter().map(|s| s.kind));
            for name in op.phrase.placeholders() {
                match Placeholder::parse(name) {
                    Some(Placeholder::One(k) | Placeholder::Counted(k)) => {
                        assert!(kinds.contains(&k), "{id}: phrase names {name}, which it does not carry")
                    }
                    Some(Placeholder::Fields) => {
                        assert!(op.body.record_fields, "{id}: {{fields}} but no fields recorded")
                    }
                    None => panic!("{id}: unknown placeholder {{{name}}}"),
                }
            }
            for kind in &kinds {
                let shown = op.phrase.placeholders().iter().any(|p| {
                    matches!(Placeholder::parse(p), Some(Placeholder::One(k) | Placeholder::Counted(k)) if k == *kind)
                });
                let is_target = op.path_id.is_some_and(|p| p.kind == *kind)
                    || op.body.ids.iter().any(|s| s.kind == *kind && (s.required || s.allow_listed));
                assert!(!is_target || shown, "{id}: its {} ids are not in its phrase", kind.noun());
            }
            assert!(!op.phrase.infinitive.is_empty() && !op.phrase.past.is_empty(), "{id}: phrase");
            // Annotations agree with the method.
            let a = op.annotations;
            assert_eq!(a.read_only, !op.access.is_write(), "{id}: readOnly");
            assert!(
                !a.read_only || (!a.destructive && a.idempotent),
                "{id}: a read is neither destructive nor repeated"
            );
            if op.method == Method::Delete || op.method == Method::Patch {
                assert!(a.destructive && a.idempotent, "{id}: DELETE/PATCH are destructive and idempotent");
            }
            assert!(a.open_world, "{id}");
            // Tool data: a body model exactly for the operations that take a body; query
            // parameters for reads only, paging parameters as the paging mode says.
            assert_eq!(op.body_model.is_some(), op.body.presence == Presence::Required, "{id}: body model");
            let names: Vec<&str> = op.query.iter().map(|q| q.name).collect();
            assert!(!op.access.is_write() || names.is_empty(), "{id}: a write with query parameters");
            assert_eq!(op.paging.offset(), names.contains(&"page"), "{id}: page");
            assert_eq!(op.paging.offset(), names.contains(&"per_page"), "{id}: per_page");
            assert_eq!(op.paging.checkpoint(), names.contains(&"from"), "{id}: from");
            assert_eq!(op.paging.checkpoint(), names.contains(&"take"), "{id}: take");
            let unique: std::collections::HashSet<&str> = names.iter().copied().collect();
            assert_eq!(unique.len(), names.len(), "{id}: a query parameter listed twice");
            for q in op.query {
                assert!(!q.name.is_empty() && q.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{id}");
                assert!(q.description.ends_with('.') && !q.description.contains('\n'), "{id}: {}", q.name);
                match q.ty {
                    ParamType::Integer { min, max } => assert!(min <= max, "{id}: {}", q.name),
                    ParamType::StringList { max_items } => assert!(max_items > 0, "{id}: {}", q.name),
                    ParamType::String | ParamType::Boolean => {}
                }
            }
            assert!(
                op.description.len() > 40 && op.description.ends_with('.') && !op.description.contains('\n'),
                "{id}: description"
            );
        }
        for kind in IdKind::ALL {
            assert!(kind.description().ends_with('.'), "{kind}");
        }
    }

    /// The body model's schema declares exactly the keys the catalog classifies (the
    /// policy's view of the body and the model's cannot drift apart), and requires
    /// what the catalog's required id fields require.
    #[cfg(feature = "schema")]
    #[test]
    fn body_models_declare_exactly_the_classified_keys() {
        let mut generator =
            schemars::generate::SchemaSettings::draft2020_12().with(|s| s.inline_subschemas = true).into_generator();
        for op in ALL {
            let Some(model) = op.body_model else { continue };
            let schema = model.schema(&mut generator).to_value();
            // An untagged body (one of several shapes) lists its keys per shape.
            let shapes: Vec<&serde_json::Value> = match schema.get("anyOf").or_else(|| schema.get("oneOf")) {
                Some(serde_json::Value::Array(alternatives)) => alternatives.iter().collect(),
                _ => vec![&schema],
            };
            let mut declared = std::collections::BTreeSet::new();
            for shape in &shapes {
                let props = shape["properties"].as_object().unwrap_or_else(|| panic!("{}: no properties", op.id));
                declared.extend(props.keys().cloned());
            }
            let classified: std::collections::BTreeSet<String> =
                op.body.keys.iter().map(|k| k.name.to_owned()).collect();
            assert_eq!(declared, classified, "{}: {} and the catalog's body keys differ", op.id, model.name());
            for slot in op.body.ids.iter().filter(|s| s.required) {
                for shape in &shapes {
                    let required = shape["required"].as_array().cloned().unwrap_or_default();
                    assert!(required.iter().any(|r| r == slot.at.key()), "{}: `{}` not required", op.id, slot.at);
                }
            }
        }
    }

    #[test]
    fn refresh_token_delete_accepts_both_statuses() {
        assert!(REFRESH_TOKENS_DELETE.is_success_status(204) && REFRESH_TOKENS_DELETE.is_success_status(202));
        assert!(!USERS_DELETE.is_success_status(202));
    }

    #[test]
    fn most_sensitive_classes() {
        let s = USERS_UPDATE.most_sensitive();
        assert!(s.contains(Action::UpdateUserCredentials) && s.contains(Action::UpdateAppMetadata));
        let s = CLIENTS_UPDATE.most_sensitive();
        assert!(s.contains(Action::UpdateClients) && s.contains(Action::UpdateClientCredentials));
        assert_eq!(USERS_CREATE.most_sensitive().iter().collect::<Vec<_>>(), [Action::UpdateAppMetadata]);
        assert!(ROLES_CREATE.most_sensitive().is_empty());
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
