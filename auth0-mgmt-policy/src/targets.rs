//! What a call touches: the ids in its path **and** its body, derived per operation
//! from this crate's own knowledge of each endpoint (never from anything the caller
//! says about the call), each validated with the client's id newtypes.

use std::fmt;

use auth0_mgmt::catalog::{Operation, Resource};
use auth0_mgmt::{ClientId, ConnectionId, GrantId, LogId, OrganizationId, RefreshTokenId, ResourceServerId, RoleId};
use auth0_mgmt::{Request, SessionId, UserId};
use serde::Serialize;
use serde_json::Value;

/// The kind of an id a call touches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TargetKind {
    /// A user id (`auth0|123`).
    User,
    /// A role id (`rol_…`).
    Role,
    /// An application (client) id.
    Client,
    /// A connection id (`con_…`).
    Connection,
    /// A connection name (`Username-Password-Authentication`), as in `users.create`.
    ConnectionName,
    /// An organization id (`org_…`).
    Organization,
    /// A resource server (API): its id or its identifier (audience).
    Api,
    /// A user-consent grant id.
    Grant,
    /// A refresh token id.
    RefreshToken,
    /// A session id.
    Session,
    /// A log event id.
    Log,
}

impl TargetKind {
    /// The snake_case name used in JSON audit records.
    pub const fn as_str(self) -> &'static str {
        match self {
            TargetKind::User => "user",
            TargetKind::Role => "role",
            TargetKind::Client => "client",
            TargetKind::Connection => "connection",
            TargetKind::ConnectionName => "connection_name",
            TargetKind::Organization => "organization",
            TargetKind::Api => "resource_server",
            TargetKind::Grant => "grant",
            TargetKind::RefreshToken => "refresh_token",
            TargetKind::Session => "session",
            TargetKind::Log => "log",
        }
    }

    /// The noun used in sentences ("user", "application", "API", …).
    pub const fn noun(self) -> &'static str {
        match self {
            TargetKind::User => "user",
            TargetKind::Role => "role",
            TargetKind::Client => "application",
            TargetKind::Connection | TargetKind::ConnectionName => "connection",
            TargetKind::Organization => "organization",
            TargetKind::Api => "API",
            TargetKind::Grant => "grant",
            TargetKind::RefreshToken => "refresh token",
            TargetKind::Session => "session",
            TargetKind::Log => "log event",
        }
    }

    fn validate(self, id: &str) -> Result<(), String> {
        let r = match self {
            TargetKind::User => UserId::new(id).map(drop),
            TargetKind::Role => RoleId::new(id).map(drop),
            TargetKind::Client => ClientId::new(id).map(drop),
            TargetKind::Connection | TargetKind::ConnectionName => ConnectionId::new(id).map(drop),
            TargetKind::Organization => OrganizationId::new(id).map(drop),
            TargetKind::Api => ResourceServerId::new(id).map(drop),
            TargetKind::Grant => GrantId::new(id).map(drop),
            TargetKind::RefreshToken => RefreshTokenId::new(id).map(drop),
            TargetKind::Session => SessionId::new(id).map(drop),
            TargetKind::Log => LogId::new(id).map(drop),
        };
        r.map_err(|e| e.to_string())
    }
}

impl fmt::Display for TargetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One id a call touches.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Target {
    /// What kind of id it is.
    pub kind: TargetKind,
    /// The id, as the caller gave it (not encoded). In audit records it is sanitized.
    pub id: String,
}

impl Target {
    pub(crate) fn new(kind: TargetKind, id: impl Into<String>) -> Target {
        Target { kind, id: id.into() }
    }
}

/// The ids of one call, and the top-level body fields of an update.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Targets {
    /// Every id, path id first, then body ids in body order.
    pub ids: Vec<Target>,
    /// For updates (PATCH): the names of the top-level body fields (never their values).
    pub fields: Vec<String>,
}

impl Targets {
    /// The ids of one kind.
    pub fn of(&self, kind: TargetKind) -> impl Iterator<Item = &str> {
        self.ids.iter().filter(move |t| t.kind == kind).map(|t| t.id.as_str())
    }
}

/// The kind of the `{id}` path parameter of `op`, if it has one.
pub(crate) fn path_kind(op: &Operation) -> Option<TargetKind> {
    if !op.path.contains("{id}") {
        return None;
    }
    if op.id.starts_with("users.") {
        return Some(TargetKind::User);
    }
    Some(match op.resource {
        Resource::Users => TargetKind::User,
        Resource::Roles => TargetKind::Role,
        Resource::Clients => TargetKind::Client,
        Resource::Connections => TargetKind::Connection,
        Resource::Organizations => TargetKind::Organization,
        Resource::Logs => TargetKind::Log,
        Resource::Grants => TargetKind::Grant,
        Resource::ResourceServers => TargetKind::Api,
        Resource::RefreshTokens => TargetKind::RefreshToken,
        Resource::Sessions => TargetKind::Session,
    })
}

/// Where a body id lives: a required list, a required string or an optional string.
enum Field {
    List(&'static str, TargetKind),
    Required(&'static str, TargetKind),
    Optional(&'static str, TargetKind),
}

/// The body ids each operation carries.
fn body_fields(op_id: &str) -> &'static [Field] {
    match op_id {
        "users.assign_roles" | "users.remove_roles" => &[Field::List("roles", TargetKind::Role)],
        "organizations.add_members" => &[Field::List("members", TargetKind::User)],
        "users.create" => &[Field::Required("connection", TargetKind::ConnectionName)],
        "users.update" => &[
            Field::Optional("connection", TargetKind::ConnectionName),
            Field::Optional("client_id", TargetKind::Client),
        ],
        "connections.create" => &[Field::Required("name", TargetKind::ConnectionName)],
        "resource_servers.create" => &[Field::Required("identifier", TargetKind::Api)],
        // `{"ids":[..]}`, `{"user_id"}`, `{"user_id","client_id"}`, `{"user_id","client_id","audience"}`.
        "refresh_tokens.revoke" => &[
            Field::Optional("ids", TargetKind::RefreshToken),
            Field::Optional("user_id", TargetKind::User),
            Field::Optional("client_id", TargetKind::Client),
            Field::Optional("audience", TargetKind::Api),
        ],
        _ => &[],
    }
}

/// Operations whose top-level body field names are recorded.
fn records_fields(op_id: &str) -> bool {
    matches!(op_id, "users.update" | "clients.update" | "refresh_tokens.update" | "sessions.update" | "users.create")
}

/// The most body ids one call may carry (Auth0 caps `ids` at 100; a larger batch is refused).
pub(crate) const MAX_BODY_IDS: usize = 100;

/// Extracts and validates the targets of `req`. On failure, the second value says what
/// is wrong; the targets gathered so far (unvalidated ones included) are still returned
/// so that the audit record can show what was attempted.
pub(crate) fn extract(req: &Request) -> (Targets, Option<String>) {
    let op = req.operation();
    let mut t = Targets::default();
    let mut problem: Option<String> = None;
    let fail = |p: &mut Option<String>, msg: String| {
        if p.is_none() {
            *p = Some(msg);
        }
    };

    match (path_kind(op), req.path_id()) {
        (Some(kind), Some(id)) => {
            if let Err(e) = kind.validate(id) {
                fail(&mut problem, format!("invalid {} id: {e}", kind.noun()));
            }
            t.ids.push(Target::new(kind, id));
        }
        (Some(kind), None) => fail(&mut problem, format!("{} needs a {} id", op.id, kind.noun())),
        (None, Some(_)) => fail(&mut problem, format!("{} takes no id in its path", op.id)),
        (None, None) => {}
    }

    let fields = body_fields(op.id);
    let body = req.body();
    let object = match body {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => Some(m),
        Some(_) => {
            fail(&mut problem, "the request body is not a JSON object".into());
            None
        }
    };
    let needs_body = records_fields(op.id) || fields.iter().any(|f| !matches!(f, Field::Optional(..)));
    if object.is_none() && problem.is_none() && (needs_body || op.id == "refresh_tokens.revoke") {
        fail(&mut problem, format!("{} needs a JSON object body", op.id));
    }
    if let Some(obj) = object {
        let mut n = 0usize;
        for f in fields {
            let (name, kind, list, required) = match f {
                Field::List(n, k) => (*n, *k, true, true),
                Field::Required(n, k) => (*n, *k, false, true),
                Field::Optional(n, k) => (*n, *k, *n == "ids", false),
            };
            match obj.get(name) {
                None | Some(Value::Null) if !required => {}
                None | Some(Value::Null) => fail(&mut problem, format!("the body has no `{name}`")),
                Some(Value::Array(items)) if list => {
                    if items.is_empty() {
                        fail(&mut problem, format!("`{name}` is empty"));
                    }
                    for item in items {
                        n += 1;
                        match item.as_str() {
                            Some(id) => {
                                if let Err(e) = kind.validate(id) {
                                    fail(&mut problem, format!("`{name}` holds an invalid {} id: {e}", kind.noun()));
                                }
                                if n <= MAX_BODY_IDS {
                                    t.ids.push(Target::new(kind, id));
                                }
                            }
                            None => fail(&mut problem, format!("`{name}` must hold strings only")),
                        }
                    }
                }
                Some(Value::String(id)) if !list => {
                    if let Err(e) = kind.validate(id) {
                        fail(&mut problem, format!("`{name}` is an invalid {} id: {e}", kind.noun()));
                    }
                    t.ids.push(Target::new(kind, id.as_str()));
                }
                Some(_) => fail(
                    &mut problem,
                    format!("`{name}` must be {}", if list { "a list of strings" } else { "a string" }),
                ),
            }
        }
        if n > MAX_BODY_IDS {
            fail(&mut problem, format!("the batch holds {n} ids; at most {MAX_BODY_IDS} are accepted"));
        }
        if op.id == "refresh_tokens.revoke" && !obj.contains_key("ids") && !obj.contains_key("user_id") {
            fail(&mut problem, "the body names neither `ids` nor `user_id`".into());
        }
        if records_fields(op.id) {
            t.fields = obj.keys().take(32).cloned().collect();
        }
    }
    if op.access.is_write() && req.query_pairs().next().is_some() {
        fail(&mut problem, format!("{} takes no query parameters", op.id));
    }
    (t, problem)
}

/// `users.update` fields that change how a user signs in (or prove they own an address).
const CREDENTIAL_FIELDS: &[&str] = &[
    "password",
    "email",
    "email_verified",
    "verify_email",
    "phone_number",
    "phone_verified",
    "verify_phone_number",
    "username",
    "connection",
    "client_id",
];

/// `users.update` fields that need no dangerous action.
pub(crate) const HARMLESS_USER_FIELDS: &[&str] =
    &["blocked", "user_metadata", "given_name", "family_name", "name", "nickname", "picture"];

/// How a `users.update` body is classified: the credential-like fields (known ones and
/// any field not known to be harmless), and whether it touches `app_metadata`.
pub(crate) fn classify_user_update(fields: &[String]) -> (Vec<&str>, bool) {
    let mut creds = Vec::new();
    let mut app_metadata = false;
    for f in fields {
        if f == "app_metadata" {
            app_metadata = true;
        } else if CREDENTIAL_FIELDS.contains(&f.as_str()) || !HARMLESS_USER_FIELDS.contains(&f.as_str()) {
            creds.push(f.as_str());
        }
    }
    (creds, app_metadata)
}

#[cfg(test)]
mod tests {
    use super::*;
    use auth0_mgmt::catalog;
    use serde_json::json;

    #[test]
    fn every_path_operation_has_a_kind() {
        for op in catalog::ALL {
            assert_eq!(path_kind(op).is_some(), op.path.contains("{id}"), "{}", op.id);
        }
        assert_eq!(path_kind(&catalog::USERS_ASSIGN_ROLES), Some(TargetKind::User));
    }

    #[test]
    fn body_ids_are_found_and_validated() {
        let id: UserId = "auth0|1".parse().unwrap();
        let req = Request::new(&catalog::USERS_ASSIGN_ROLES).id(&id).json_value(json!({"roles": ["rol_a", "rol_b"]}));
        let (t, p) = extract(&req);
        assert_eq!(p, None);
        assert_eq!(t.of(TargetKind::Role).collect::<Vec<_>>(), ["rol_a", "rol_b"]);
        assert_eq!(t.of(TargetKind::User).collect::<Vec<_>>(), ["auth0|1"]);

        for bad in
            [json!({"roles": ["rol_a", ".."]}), json!({"roles": []}), json!({"roles": [1]}), json!({}), json!([])]
        {
            let req = Request::new(&catalog::USERS_ASSIGN_ROLES).id(&id).json_value(bad.clone());
            assert!(extract(&req).1.is_some(), "{bad}");
        }
        let req = Request::new(&catalog::USERS_ASSIGN_ROLES).id(&id);
        assert!(extract(&req).1.is_some());
    }

    #[test]
    fn revoke_needs_ids_or_user() {
        let req = Request::new(&catalog::REFRESH_TOKENS_REVOKE).json_value(json!({"client_id": "c"}));
        assert!(extract(&req).1.is_some());
        let req = Request::new(&catalog::REFRESH_TOKENS_REVOKE)
            .json_value(json!({"user_id": "auth0|1", "client_id": "c", "audience": "https://api/"}));
        let (t, p) = extract(&req);
        assert_eq!(p, None);
        assert_eq!(t.ids.len(), 3);
    }

    #[test]
    fn user_update_classification() {
        let f = |v: &[&str]| {
            let owned: Vec<String> = v.iter().map(|s| s.to_string()).collect();
            let (c, a) = classify_user_update(&owned);
            (c.into_iter().map(str::to_owned).collect::<Vec<_>>(), a)
        };
        assert_eq!(f(&["name", "user_metadata"]), (Vec::<String>::new(), false));
        assert_eq!(f(&["app_metadata"]), (Vec::<String>::new(), true));
        assert_eq!(f(&["password", "nickname"]), (vec!["password".to_owned()], false));
        assert_eq!(f(&["brand_new_field"]), (vec!["brand_new_field".to_owned()], false));
    }
}
