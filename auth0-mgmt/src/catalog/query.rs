//! The query parameters of each listing and read, under Auth0's names, with their JSON
//! types, bounds and a description written for a model. Writes take none (the guard
//! refuses a write with a query string).
//!
//! `operations!` names one of these lists per operation (`query query::USERS_LIST`);
//! the catalog tests check that offset listings take `page`, checkpoint listings take
//! `from`, and that no name repeats.

use super::describe::{ParamType, QueryParam};

const fn int(min: u64, max: u64) -> ParamType {
    ParamType::Integer { min, max }
}

const fn string(name: &'static str, required: bool, description: &'static str) -> QueryParam {
    QueryParam { name, ty: ParamType::String, required, description }
}

const fn boolean(name: &'static str, description: &'static str) -> QueryParam {
    QueryParam { name, ty: ParamType::Boolean, required: false, description }
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
const FROM: QueryParam =
    string("from", false, "Checkpoint cursor: pass the `next` of the previous result to continue (checkpoint paging).");
const TAKE: QueryParam = QueryParam {
    name: "take",
    ty: int(1, 100),
    required: false,
    description: "Items per page in checkpoint paging, 1 to 100 (default 50). Giving `take` or `from` selects checkpoint paging, which has no 1000-result limit.",
};
const FIELDS: QueryParam = string(
    "fields",
    false,
    "Comma-separated field names to include (or exclude, with include_fields=false), e.g. `email,name`.",
);
const INCLUDE_FIELDS: QueryParam =
    boolean("include_fields", "Whether `fields` lists the fields to include (true, the default) or to exclude.");

/// No query parameters.
pub(super) const NONE: &[QueryParam] = &[];
/// `fields` and `include_fields`.
pub(super) const READ_FIELDS: &[QueryParam] = &[FIELDS, INCLUDE_FIELDS];
/// `page` and `per_page`.
pub(super) const OFFSET: &[QueryParam] = &[PAGE, PER_PAGE];

pub(super) const USERS_LIST: &[QueryParam] = &[
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
    boolean("primary_order", "Return results in a deterministic order (default true); false may be faster."),
];

pub(super) const USERS_LIST_BY_EMAIL: &[QueryParam] =
    &[string("email", true, "The email address, exact and case-insensitive."), FIELDS, INCLUDE_FIELDS];

pub(super) const ROLES_LIST: &[QueryParam] =
    &[PAGE, PER_PAGE, string("name_filter", false, "Only roles whose name contains this text (case-insensitive).")];

pub(super) const CLIENTS_LIST: &[QueryParam] = &[
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
];

pub(super) const CONNECTIONS_LIST: &[QueryParam] = &[
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
];

pub(super) const ORGANIZATIONS_LIST: &[QueryParam] = &[
    PAGE,
    PER_PAGE,
    FROM,
    TAKE,
    string("sort", false, "Sort field and direction: `name`, `display_name` or `created_at`, with `:1` or `:-1`."),
];

pub(super) const ORGANIZATIONS_LIST_MEMBERS: &[QueryParam] = &[PAGE, PER_PAGE, FROM, TAKE, FIELDS, INCLUDE_FIELDS];

pub(super) const LOGS_LIST: &[QueryParam] = &[
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
    string(
        "from",
        false,
        "Checkpoint paging: return the events after this log_id, oldest first; pass the `next` of the previous result to continue.",
    ),
    TAKE,
];

pub(super) const GRANTS_LIST: &[QueryParam] = &[
    PAGE,
    PER_PAGE,
    string("user_id", false, "Only the grants of this user id."),
    string("client_id", false, "Only the grants to this application (client id)."),
    string("audience", false, "Only the grants for this API audience."),
];

pub(super) const RESOURCE_SERVERS_LIST: &[QueryParam] = &[
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
];

pub(super) const REFRESH_TOKENS_LIST: &[QueryParam] = &[
    string("user_id", true, "The user whose refresh tokens to list."),
    string("client_id", false, "Only the tokens issued to this application (client id)."),
    FROM,
    TAKE,
    FIELDS,
    INCLUDE_FIELDS,
];
