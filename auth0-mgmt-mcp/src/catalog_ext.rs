//! Per-operation data the gateway needs beyond today's catalog: the kind of the path id,
//! the query parameters a tool accepts, the typed request model of the body, the dangerous
//! actions every call of the operation needs, the tool annotations and a description
//! written for a model.
//!
//! **This module is the one place this data lives**, kept apart so that it can be folded
//! into the catalog's typed operation descriptors (`auth0_mgmt::catalog`) once they exist;
//! nothing else in the gateway knows an operation by name. [`tool_data`] answers for every
//! operation of [`catalog::ALL`]; a test walks the catalog and fails for an operation that
//! has no data.

use auth0_mgmt::catalog::{self, Access, Method, Operation};
use auth0_mgmt::clients::{CreateApplication, UpdateApplication};
use auth0_mgmt::connections::CreateConnection;
use auth0_mgmt::organizations::CreateOrganization;
use auth0_mgmt::refresh_tokens::{RevokeRefreshTokens, UpdateRefreshToken};
use auth0_mgmt::resource_servers::CreateResourceServer;
use auth0_mgmt::roles::CreateRole;
use auth0_mgmt::sessions::UpdateSession;
use auth0_mgmt::users::{CreateUser, UpdateUser};
use auth0_mgmt::{
    ClientId, ConnectionId, GrantId, IdError, LogId, OrganizationId, RefreshTokenId, Request, ResourceServerId, RoleId,
    SessionId, UserId,
};
use auth0_mgmt_policy::Action;
use schemars::{JsonSchema, Schema};

/// Which id type fills an operation's `{id}` path parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdKind {
    /// [`UserId`].
    User,
    /// [`RoleId`].
    Role,
    /// [`ClientId`].
    Client,
    /// [`ConnectionId`].
    Connection,
    /// [`OrganizationId`].
    Organization,
    /// [`LogId`].
    Log,
    /// [`GrantId`].
    Grant,
    /// [`ResourceServerId`] (an API's id or its identifier).
    ResourceServer,
    /// [`RefreshTokenId`].
    RefreshToken,
    /// [`SessionId`].
    Session,
}

impl IdKind {
    /// Validates `id` as this kind and sets it as the request's path id.
    pub fn apply(self, request: Request, id: &str) -> Result<Request, IdError> {
        Ok(match self {
            IdKind::User => request.id(&UserId::new(id)?),
            IdKind::Role => request.id(&RoleId::new(id)?),
            IdKind::Client => request.id(&ClientId::new(id)?),
            IdKind::Connection => request.id(&ConnectionId::new(id)?),
            IdKind::Organization => request.id(&OrganizationId::new(id)?),
            IdKind::Log => request.id(&LogId::new(id)?),
            IdKind::Grant => request.id(&GrantId::new(id)?),
            IdKind::ResourceServer => request.id(&ResourceServerId::new(id)?),
            IdKind::RefreshToken => request.id(&RefreshTokenId::new(id)?),
            IdKind::Session => request.id(&SessionId::new(id)?),
        })
    }

    /// The description of the `id` argument, for a model.
    pub const fn describe(self) -> &'static str {
        match self {
            IdKind::User => "The user id, with its provider prefix, e.g. `auth0|63d17c4c5d69f3e86d515d1c`.",
            IdKind::Role => "The role id, e.g. `rol_xPSJ3BfhKflWGKpU`.",
            IdKind::Client => "The application's client id (32 characters), e.g. `yCaTa3Jtg6Rni9tHKgSWQPGM2Fdhmo6W`.",
            IdKind::Connection => "The connection id, e.g. `con_cy0JidyLdNLUSodi`.",
            IdKind::Organization => "The organization id, e.g. `org_3hbVAMF8F3wVIcEJ`.",
            IdKind::Log => "The log event id (`log_id`, a long decimal string).",
            IdKind::Grant => "The grant id (24 hex digits).",
            IdKind::ResourceServer => "The API's id (24 hex digits) or its identifier (audience URL).",
            IdKind::RefreshToken => "The refresh token id.",
            IdKind::Session => "The session id.",
        }
    }
}

/// The JSON type of a query parameter and how it is put on the query string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamType {
    /// A string, sent as is.
    String,
    /// A whole number in `min..=max`, sent in decimal.
    Integer {
        /// Smallest value.
        min: u64,
        /// Largest value.
        max: u64,
    },
    /// `true` or `false`.
    Boolean,
    /// An array of strings, sent as the parameter repeated once per item.
    StringList {
        /// Most items.
        max_items: u64,
    },
}

/// One query parameter a tool accepts, under Auth0's own name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueryParam {
    /// Auth0's name (`q`, `per_page`, `from`, …).
    pub name: &'static str,
    /// Its JSON type.
    pub ty: ParamType,
    /// Whether the call needs it.
    pub required: bool,
    /// What it does, for a model.
    pub description: &'static str,
}

/// MCP tool annotations (hints for clients; the policy is what decides).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hints {
    /// Only reads (`readOnlyHint`).
    pub read_only: bool,
    /// May delete or overwrite (`destructiveHint`).
    pub destructive: bool,
    /// Repeating it with the same arguments has no further effect (`idempotentHint`).
    pub idempotent: bool,
    /// Reaches beyond the one tenant (`openWorldHint`): always false here.
    pub open_world: bool,
}

/// Where a checkpoint listing's next cursor comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckpointNext {
    /// The response's `next` field (absent on the last page).
    NextField,
    /// The given field of the last item of a full page (logs: `log_id`; the response is
    /// a bare array).
    LastItem(&'static str),
}

/// How a listing's pages are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Listing {
    /// Whether `total` in the offset wrapper counts every match (false for logs, whose
    /// `total` is the page size).
    pub total_counts_matches: bool,
    /// Where the checkpoint cursor comes from.
    pub checkpoint_next: CheckpointNext,
    /// Query parameters sent along when `q` is given and they are not (users: `search_engine=v3`).
    pub q_implies: &'static [(&'static str, &'static str)],
}

impl Listing {
    /// The common case.
    pub const DEFAULT: Listing =
        Listing { total_counts_matches: true, checkpoint_next: CheckpointNext::NextField, q_implies: &[] };
}

/// Everything the gateway needs to offer one operation as a tool.
#[derive(Clone, Copy, Debug)]
pub struct ToolData {
    /// The kind of the `{id}` path parameter, if the path has one.
    pub path_id: Option<IdKind>,
    /// The query parameters the tool exposes.
    pub query: &'static [QueryParam],
    /// The JSON Schema of the request body, generated from its typed request model.
    pub body: Option<fn() -> Schema>,
    /// Dangerous actions *every* call of the operation needs: the tool is only offered
    /// to an agent that holds all of them. (Actions that depend on the body, like
    /// `update_app_metadata` for `users.update`, are the guard's to check per call.)
    pub requires: &'static [Action],
    /// Tool annotations.
    pub hints: Hints,
    /// How its pages are read (listings only).
    pub listing: Listing,
    /// What the call does, what it needs and what it returns, for a model.
    pub description: &'static str,
}

/// The JSON Schema of a request model, for the serialized form the API receives.
pub fn schema_of<T: JsonSchema>() -> Schema {
    schemars::generate::SchemaSettings::draft2020_12()
        .with(|s| {
            s.inline_subschemas = true;
            s.meta_schema = None;
        })
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>()
}

/// `{"roles": [...]}` (the body of `users.assign_roles` and `users.remove_roles`).
#[derive(JsonSchema)]
#[allow(dead_code)]
struct RoleList {
    /// The role ids (at least one).
    #[schemars(length(min = 1))]
    roles: Vec<RoleId>,
}

/// `{"members": [...]}` (the body of `organizations.add_members`).
#[derive(JsonSchema)]
#[allow(dead_code)]
struct MemberList {
    /// The user ids to add (at least one; the users must exist).
    #[schemars(length(min = 1))]
    members: Vec<UserId>,
}

/// Annotations derived from the catalog: reads are read-only and idempotent; DELETE
/// and PATCH may destroy data; idempotence follows the method (GET, DELETE).
const fn derived_hints(op: &Operation) -> Hints {
    let read_only = matches!(op.access, Access::Read);
    Hints {
        read_only,
        destructive: !read_only && matches!(op.method, Method::Delete | Method::Patch),
        idempotent: op.method.is_idempotent(),
        open_world: false,
    }
}

const fn int(min: u64, max: u64) -> ParamType {
    ParamType::Integer { min, max }
}

const PAGE: QueryParam = QueryParam {
    name: "page",
    ty: int(0, 1000),
    required: false,
    description: "Zero-based page number (offset paging). Start at 0; pass the `next` of the previous result to continue.",
};
const PER_PAGE: QueryParam = QueryParam {
    name: "per_page",
    ty: int(1, 100),
    required: false,
    description: "Items per page, 1 to 100 (default 50).",
};
const FROM: QueryParam = QueryParam {
    name: "from",
    ty: ParamType::String,
    required: false,
    description: "Checkpoint cursor: pass the `next` of the previous result to continue (checkpoint paging).",
};
const TAKE: QueryParam = QueryParam {
    name: "take",
    ty: int(1, 100),
    required: false,
    description: "Items per page in checkpoint paging, 1 to 100 (default 50). Giving `take` or `from` selects checkpoint paging, which has no 1000-result limit.",
};
const FIELDS: QueryParam = QueryParam {
    name: "fields",
    ty: ParamType::String,
    required: false,
    description: "Comma-separated field names to include (or exclude, with include_fields=false), e.g. `email,name`.",
};
const INCLUDE_FIELDS: QueryParam = QueryParam {
    name: "include_fields",
    ty: ParamType::Boolean,
    required: false,
    description: "Whether `fields` lists the fields to include (true, the default) or to exclude.",
};
const fn string(name: &'static str, required: bool, description: &'static str) -> QueryParam {
    QueryParam { name, ty: ParamType::String, required, description }
}
const fn boolean(name: &'static str, description: &'static str) -> QueryParam {
    QueryParam { name, ty: ParamType::Boolean, required: false, description }
}

const NONE: &[QueryParam] = &[];
const READ_FIELDS: &[QueryParam] = &[FIELDS, INCLUDE_FIELDS];
const OFFSET: &[QueryParam] = &[PAGE, PER_PAGE];

/// The tool data of `op`, or `None` for an operation this module does not describe yet
/// (a test walks [`catalog::ALL`] so that cannot ship).
pub fn tool_data(op: &Operation) -> Option<ToolData> {
    let hints = derived_hints(op);
    macro_rules! d {
        ($path_id:expr, $query:expr, $body:expr, $requires:expr, $description:expr $(,)?) => {
            Some(ToolData {
                path_id: $path_id,
                query: const { $query },
                body: $body,
                requires: const { $requires },
                hints,
                listing: Listing::DEFAULT,
                description: $description,
            })
        };
    }
    use IdKind as K;
    match op.id {
        // Users
        "users.list" => d!(
            None,
            &[
                string(
                    "q",
                    false,
                    "Lucene-style user search, e.g. `email:\"jane@example.com\"`, `name:\"Jane*\"`, `identities.connection:\"Username-Password-Authentication\"`, `logins_count:[100 TO 200}`.",
                ),
                PAGE,
                PER_PAGE,
                string("sort", false, "Sort field and direction, e.g. `created_at:1` (ascending) or `last_login:-1`."),
                FIELDS,
                INCLUDE_FIELDS,
                string(
                    "search_engine",
                    false,
                    "Search engine version; `v3` (the only current one) is sent by default when `q` is given.",
                ),
                boolean(
                    "primary_order",
                    "Return results in a deterministic order (default true); false may be faster.",
                ),
            ],
            None,
            &[],
            "Search or list the tenant's users, one page at a time (at most the first 1000 matches are reachable). Returns `users` (user profiles: user_id, email, name, identities, app_metadata, user_metadata, …), `total`, and `next` — the page number to pass as `page` for the following page, absent on the last page.",
        ),
        "users.get" => d!(
            Some(K::User),
            READ_FIELDS,
            None,
            &[],
            "Read one user by user id. Returns the user profile (user_id, email, email_verified, name, identities, app_metadata, user_metadata, blocked, last_login, logins_count, …).",
        ),
        "users.create" => d!(
            None,
            NONE,
            Some(schema_of::<CreateUser>),
            &[],
            "Create a user in a connection (`connection` is the connection's name, e.g. `Username-Password-Authentication`; database connections need an email or username and a password). Setting app_metadata needs the agent's `update_app_metadata` action. Returns the created user.",
        ),
        "users.update" => d!(
            Some(K::User),
            NONE,
            Some(schema_of::<UpdateUser>),
            &[],
            "Change a user's attributes; only the fields given are changed, `null` removes an attribute. user_metadata and app_metadata are merged one level deep (a key set to null is deleted; an empty object deletes them all). Credentials (password, email, phone, username, connection) need the `update_user_credentials` action and app_metadata the `update_app_metadata` action. Returns the updated user.",
        ),
        "users.delete" => d!(
            Some(K::User),
            NONE,
            None,
            &[Action::DeleteUsers],
            "Delete a user permanently. Irreversible. Returns nothing on success (deleting a user that does not exist also succeeds).",
        ),
        "users.list_by_email" => d!(
            None,
            &[string("email", true, "The email address, exact and case-insensitive."), FIELDS, INCLUDE_FIELDS],
            None,
            &[],
            "Find the users with this exact email address (one per connection). Returns `items`, a list of user profiles (empty when none).",
        ),
        // Roles
        "roles.list" => d!(
            None,
            &[PAGE, PER_PAGE, string("name_filter", false, "Only roles whose name contains this text (case-insensitive).")],
            None,
            &[],
            "List the tenant's roles, one page at a time. Returns `roles` (id, name, description), `total`, and `next` — the page number to pass as `page` for the following page, absent on the last page.",
        ),
        "roles.get" => {
            d!(Some(K::Role), NONE, None, &[], "Read one role by id. Returns the role (id, name, description).")
        }
        "roles.create" => d!(
            None,
            NONE,
            Some(schema_of::<CreateRole>),
            &[],
            "Create a role with a name and an optional description. Returns the role with its new id.",
        ),
        "users.list_roles" => d!(
            Some(K::User),
            OFFSET,
            None,
            &[],
            "List the roles assigned to a user, one page at a time. Returns `roles` (id, name, description), `total`, and `next` — the page number to pass as `page` for the following page.",
        ),
        "users.assign_roles" => d!(
            Some(K::User),
            NONE,
            Some(schema_of::<RoleList>),
            &[Action::AssignRoles],
            "Assign roles (by role id) to a user. Only roles on the agent's allow-list can be assigned; a batch is all or nothing. Returns nothing on success.",
        ),
        "users.remove_roles" => d!(
            Some(K::User),
            NONE,
            Some(schema_of::<RoleList>),
            &[Action::RemoveRoles],
            "Remove roles (by role id) from a user. Only roles on the agent's allow-list can be removed. Returns nothing on success.",
        ),
        // Applications
        "clients.list" => d!(
            None,
            &[
                PAGE,
                PER_PAGE,
                FROM,
                TAKE,
                FIELDS,
                INCLUDE_FIELDS,
                boolean("is_global", "Only global (true) or only non-global (false) applications."),
                boolean("is_first_party", "Only first-party (true) or only third-party (false) applications."),
                string("app_type", false, "Comma-separated application types, e.g. `spa,native,regular_web,non_interactive`."),
                string(
                    "q",
                    false,
                    "Client-grant filter, only `client_grant.organization_id:{org_id}` or `client_grant.allow_any_organization:true`; needs checkpoint paging (`take`).",
                ),
            ],
            None,
            &[],
            "List the tenant's applications, one page at a time. Secrets are removed unless the agent may read them. Returns `clients` (client_id, name, app_type, callbacks, grant_types, …), and `next`: a page number for `page` (offset paging, with `total`) or a cursor for `from` (checkpoint paging, when `take` or `from` was given).",
        ),
        "clients.get" => d!(
            Some(K::Client),
            READ_FIELDS,
            None,
            &[],
            "Read one application by client id. Secrets are removed unless the agent may read them. Returns the application's settings.",
        ),
        "clients.create" => d!(
            None,
            NONE,
            Some(schema_of::<CreateApplication>),
            &[Action::CreateClients],
            "Create an application (`name` required; `app_type` e.g. `spa`, `native`, `regular_web`, `non_interactive`). Returns the application with its client_id.",
        ),
        "clients.update" => d!(
            Some(K::Client),
            NONE,
            Some(schema_of::<UpdateApplication>),
            &[Action::UpdateClients],
            "Change an application's settings; only the fields given change. Only applications on the agent's allow-list can be changed. Returns the updated application.",
        ),
        "clients.delete" => d!(
            Some(K::Client),
            NONE,
            None,
            &[Action::DeleteClients],
            "Delete an application permanently; its users can no longer log in through it. Irreversible. Returns nothing on success.",
        ),
        // Connections
        "connections.list" => d!(
            None,
            &[
                PAGE,
                PER_PAGE,
                FROM,
                TAKE,
                QueryParam {
                    name: "strategy",
                    ty: ParamType::StringList { max_items: 20 },
                    required: false,
                    description: "Only connections of these strategies, e.g. [\"auth0\", \"google-oauth2\", \"samlp\"].",
                },
                string("name", false, "Only the connection with exactly this name."),
                FIELDS,
                INCLUDE_FIELDS,
            ],
            None,
            &[],
            "List the tenant's connections (identity sources), one page at a time. Returns `connections` (id, name, strategy, enabled_clients, …) and `next`: a page number for `page` (offset paging, with `total`) or a cursor for `from` (checkpoint paging, when `take` or `from` was given).",
        ),
        "connections.get" => d!(
            Some(K::Connection),
            READ_FIELDS,
            None,
            &[],
            "Read one connection by id. Returns the connection (id, name, strategy, options when the token may read them, realms, enabled_clients, …).",
        ),
        "connections.create" => d!(
            None,
            NONE,
            Some(schema_of::<CreateConnection>),
            &[Action::CreateConnections],
            "Create a connection (`name` and `strategy` required, e.g. strategy `auth0` for a database). Returns the connection with its id.",
        ),
        // Organizations
        "organizations.list" => d!(
            None,
            &[
                PAGE,
                PER_PAGE,
                FROM,
                TAKE,
                string("sort", false, "Sort field and direction: `name`, `display_name` or `created_at`, with `:1` or `:-1`."),
            ],
            None,
            &[],
            "List the tenant's organizations, one page at a time. Returns `organizations` (id, name, display_name, branding, metadata) and `next`: a page number for `page` (offset paging, with `total`) or a cursor for `from` (checkpoint paging, when `take` or `from` was given).",
        ),
        "organizations.get" => d!(
            Some(K::Organization),
            NONE,
            None,
            &[],
            "Read one organization by id. Returns the organization (id, name, display_name, branding, metadata).",
        ),
        "organizations.create" => d!(
            None,
            NONE,
            Some(schema_of::<CreateOrganization>),
            &[],
            "Create an organization (`name` required: lower case letters, digits, `-`, `_`). Returns the organization with its id.",
        ),
        "organizations.add_members" => d!(
            Some(K::Organization),
            NONE,
            Some(schema_of::<MemberList>),
            &[Action::AddOrganizationMembers],
            "Add existing users (by user id) as members of an organization. Only organizations on the agent's allow-list. Returns nothing on success.",
        ),
        "organizations.list_members" => d!(
            Some(K::Organization),
            &[PAGE, PER_PAGE, FROM, TAKE, FIELDS, INCLUDE_FIELDS],
            None,
            &[],
            "List the members of an organization, one page at a time. Returns `members` (user_id, email, name, picture) and `next`: a page number for `page` (offset paging, with `total`) or a cursor for `from` (checkpoint paging, when `take` or `from` was given).",
        ),
        // Logs
        "logs.list" => d!(
            None,
            &[
                string(
                    "q",
                    false,
                    "Log search query, e.g. `type:\"f\"` (failed logins), `user_id:\"auth0|123\"`, `date:[2025-01-01 TO *]`. Ignored in checkpoint paging.",
                ),
                PAGE,
                PER_PAGE,
                string("sort", false, "Sort, e.g. `date:-1` (newest first, the default)."),
                FIELDS,
                INCLUDE_FIELDS,
                QueryParam {
                    name: "from",
                    ty: ParamType::String,
                    required: false,
                    description: "Checkpoint paging: return the events after this log_id, oldest first; pass the `next` of the previous result to continue.",
                },
                TAKE,
            ],
            None,
            &[],
            "Search the tenant's log events (logins, failures, API calls), newest first, one page at a time; or, with `from`/`take`, walk forward from a log_id. Returns `logs` (log_id, date, type, description, user_id, client_name, ip, …) and `next`: a page number for `page`, or (checkpoint paging) a log_id for `from`.",
        ),
        "logs.get" => d!(
            Some(K::Log),
            NONE,
            None,
            &[],
            "Read one log event by log_id. Returns the event (date, type, description, user_id, client_name, ip, details, …).",
        ),
        // Grants
        "grants.list" => d!(
            None,
            &[
                PAGE,
                PER_PAGE,
                string("user_id", false, "Only the grants of this user id."),
                string("client_id", false, "Only the grants to this application (client id)."),
                string("audience", false, "Only the grants for this API audience."),
            ],
            None,
            &[],
            "List user consent grants, one page at a time. Returns `grants` (id, user_id, clientID, audience, scope), `total` and `next` — the page number to pass as `page`.",
        ),
        "grants.delete" => d!(
            Some(K::Grant),
            NONE,
            None,
            &[Action::DeleteGrants],
            "Delete a user consent grant: the user must consent again. Returns nothing on success.",
        ),
        // Resource servers
        "resource_servers.list" => d!(
            None,
            &[
                PAGE,
                PER_PAGE,
                QueryParam {
                    name: "identifiers",
                    ty: ParamType::StringList { max_items: 10 },
                    required: false,
                    description: "Only the APIs with these identifiers (audiences), at most 10.",
                },
                FIELDS,
                INCLUDE_FIELDS,
            ],
            None,
            &[],
            "List the tenant's APIs (resource servers), one page at a time. Signing secrets are removed unless the agent may read them. Returns `resource_servers` (id, name, identifier, scopes, token_lifetime, …), `total` and `next` — the page number to pass as `page`.",
        ),
        "resource_servers.get" => d!(
            Some(K::ResourceServer),
            NONE,
            None,
            &[],
            "Read one API (resource server) by id or identifier. Returns its settings (name, identifier, scopes, signing_alg, token_lifetime, …).",
        ),
        "resource_servers.create" => d!(
            None,
            NONE,
            Some(schema_of::<CreateResourceServer>),
            &[],
            "Create an API (`identifier`, its audience URL, is required and immutable). Only identifiers on the agent's allow-list. Returns the API with its id.",
        ),
        // Refresh tokens
        "refresh_tokens.list" => d!(
            None,
            &[
                string("user_id", true, "The user whose refresh tokens to list."),
                string("client_id", false, "Only the tokens issued to this application (client id)."),
                FROM,
                TAKE,
                FIELDS,
                INCLUDE_FIELDS,
            ],
            None,
            &[],
            "List a user's refresh tokens (checkpoint paging). Returns `refresh_tokens` (id, client_id, created_at, expires_at, device, …) and `next` — the cursor to pass as `from`, absent on the last page.",
        ),
        "refresh_tokens.get" => d!(
            Some(K::RefreshToken),
            NONE,
            None,
            &[],
            "Read one refresh token's details by id (never the token itself). Returns id, user_id, client_id, dates, device, resource_servers.",
        ),
        "refresh_tokens.update" => d!(
            Some(K::RefreshToken),
            NONE,
            Some(schema_of::<UpdateRefreshToken>),
            &[],
            "Replace a refresh token's metadata (`refresh_token_metadata`: an object of strings, or null to remove it). Returns the refresh token.",
        ),
        "refresh_tokens.delete" => d!(
            Some(K::RefreshToken),
            NONE,
            None,
            &[Action::RevokeRefreshTokens],
            "Revoke (delete) one refresh token: the application using it must log the user in again. Returns nothing on success.",
        ),
        "refresh_tokens.revoke" => d!(
            None,
            NONE,
            Some(schema_of::<RevokeRefreshTokens>),
            &[Action::RevokeRefreshTokens],
            "Revoke refresh tokens in bulk: give `ids` (1 to 100 token ids), or `user_id` (all of the user's tokens), optionally narrowed by `client_id` and then `audience`. Returns nothing on success.",
        ),
        // Sessions
        "sessions.get" => d!(
            Some(K::Session),
            NONE,
            None,
            &[],
            "Read one login session by id. Returns id, user_id, dates, device, clients, authentication methods.",
        ),
        "sessions.update" => d!(
            Some(K::Session),
            NONE,
            Some(schema_of::<UpdateSession>),
            &[],
            "Replace a session's metadata (`session_metadata`: an object, or null to remove it). Returns the session.",
        ),
        _ => None,
    }
    .map(|mut t| {
        // `refresh_tokens.revoke` is a POST that destroys: the method alone would call it
        // additive.
        if std::ptr::eq(op, &catalog::REFRESH_TOKENS_REVOKE) {
            t.hints.destructive = true;
        }
        if std::ptr::eq(op, &catalog::LOGS_LIST) {
            t.listing = Listing {
                total_counts_matches: false,
                checkpoint_next: CheckpointNext::LastItem("log_id"),
                q_implies: &[],
            };
        }
        if std::ptr::eq(op, &catalog::USERS_LIST) {
            t.listing.q_implies = &[("search_engine", "v3")];
        }
        t
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalog_operation_has_tool_data() {
        let missing: Vec<&str> = catalog::ALL.iter().filter(|op| tool_data(op).is_none()).map(|op| op.id).collect();
        assert!(missing.is_empty(), "operations without tool data in catalog_ext.rs: {missing:?}");
    }

    #[test]
    fn tool_data_agrees_with_the_catalog() {
        for op in catalog::ALL {
            let t = tool_data(op).unwrap();
            assert_eq!(t.path_id.is_some(), op.path.contains("{id}"), "{}: path id", op.id);
            assert_eq!(t.hints.read_only, !op.access.is_write(), "{}", op.id);
            // Writes carry no query parameters (the guard refuses them).
            if op.access.is_write() {
                assert!(t.query.is_empty(), "{}: a write with query parameters", op.id);
            } else {
                assert!(t.body.is_none() && t.requires.is_empty(), "{}: a read with a body or actions", op.id);
            }
            if matches!(op.method, Method::Post | Method::Patch) {
                assert!(t.body.is_some(), "{}: a POST or PATCH without a body model", op.id);
            }
            for a in t.requires {
                assert_eq!(a.resource(), op.resource, "{}: action {a} of another resource", op.id);
            }
            // Listings that page by checkpoint take `from`; offset listings take `page`.
            let names: Vec<&str> = t.query.iter().map(|q| q.name).collect();
            assert_eq!(op.paging.offset(), names.contains(&"page"), "{}: page", op.id);
            assert_eq!(op.paging.checkpoint(), names.contains(&"from"), "{}: from", op.id);
            let mut unique = names.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), names.len(), "{}: a query parameter twice", op.id);
            assert!(t.description.len() > 40 && t.description.ends_with('.'), "{}: description", op.id);
        }
    }
}
