//! The vocabulary an [`Operation`](super::Operation) is described in: id kinds, dangerous
//! actions, body-key classes, body id slots, phrases and tool annotations.
//!
//! None of these enums is `#[non_exhaustive]`, on purpose: code that reads the catalog
//! (the policy, the gateway) matches on them exhaustively, so a variant added here is a
//! compile error wherever a decision about it has to be made.

use std::fmt;

use serde::{Serialize, Serializer};

use super::{Access, Resource};
use crate::ids::{IdError, validate};

/// The kind of an id an operation touches, in its path or its body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdKind {
    /// A user id (`auth0|123`).
    User,
    /// A role id (`rol_…`).
    Role,
    /// An application (client) id.
    Client,
    /// A connection id (`con_…`).
    Connection,
    /// A connection *name* (`Username-Password-Authentication`), as in `users.create`.
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

impl IdKind {
    /// Every kind.
    pub const ALL: [IdKind; 11] = [
        IdKind::User,
        IdKind::Role,
        IdKind::Client,
        IdKind::Connection,
        IdKind::ConnectionName,
        IdKind::Organization,
        IdKind::Api,
        IdKind::Grant,
        IdKind::RefreshToken,
        IdKind::Session,
        IdKind::Log,
    ];

    /// The snake_case name used in JSON audit records and phrase placeholders
    /// (`user`, `connection_name`, `resource_server`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            IdKind::User => "user",
            IdKind::Role => "role",
            IdKind::Client => "client",
            IdKind::Connection => "connection",
            IdKind::ConnectionName => "connection_name",
            IdKind::Organization => "organization",
            IdKind::Api => "resource_server",
            IdKind::Grant => "grant",
            IdKind::RefreshToken => "refresh_token",
            IdKind::Session => "session",
            IdKind::Log => "log",
        }
    }

    /// The noun used in sentences ("user", "application", "API", …).
    pub const fn noun(self) -> &'static str {
        match self {
            IdKind::User => "user",
            IdKind::Role => "role",
            IdKind::Client => "application",
            IdKind::Connection | IdKind::ConnectionName => "connection",
            IdKind::Organization => "organization",
            IdKind::Api => "API",
            IdKind::Grant => "grant",
            IdKind::RefreshToken => "refresh token",
            IdKind::Session => "session",
            IdKind::Log => "log event",
        }
    }

    /// The id label used in validation errors (`user id`, …).
    const fn label(self) -> &'static str {
        match self {
            IdKind::User => "user id",
            IdKind::Role => "role id",
            IdKind::Client => "client id",
            IdKind::Connection => "connection id",
            IdKind::ConnectionName => "connection name",
            IdKind::Organization => "organization id",
            IdKind::Api => "resource server id",
            IdKind::Grant => "grant id",
            IdKind::RefreshToken => "refresh token id",
            IdKind::Session => "session id",
            IdKind::Log => "log id",
        }
    }

    /// What an id of this kind looks like, written for a model (tool-calling clients
    /// show it as the description of an `id` argument).
    pub const fn description(self) -> &'static str {
        match self {
            IdKind::User => "The user id, with its provider prefix, e.g. `auth0|63d17c4c5d69f3e86d515d1c`.",
            IdKind::Role => "The role id, e.g. `rol_xPSJ3BfhKflWGKpU`.",
            IdKind::Client => "The application's client id (32 characters), e.g. `yCaTa3Jtg6Rni9tHKgSWQPGM2Fdhmo6W`.",
            IdKind::Connection => "The connection id, e.g. `con_cy0JidyLdNLUSodi`.",
            IdKind::ConnectionName => "The connection's name, e.g. `Username-Password-Authentication`.",
            IdKind::Organization => "The organization id, e.g. `org_3hbVAMF8F3wVIcEJ`.",
            IdKind::Api => "The API's id (24 hex digits) or its identifier (audience URL).",
            IdKind::Grant => "The grant id (24 hex digits).",
            IdKind::RefreshToken => "The refresh token id.",
            IdKind::Session => "The session id.",
            IdKind::Log => "The log event id (`log_id`, a long decimal string).",
        }
    }

    /// Validates `id` with the grammar of the id newtypes ([`crate::ids`]).
    pub fn validate(self, id: &str) -> Result<(), IdError> {
        validate(self.label(), id)
    }
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for IdKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

macro_rules! actions {
    ($( $(#[$meta:meta])* $variant:ident => $name:literal, $resource:ident, $access:ident, $gerund:literal; )*) => {
        /// A dangerous action: never implied by a resource level, switched on one by one
        /// in a policy. Which operations need which action, and on which body keys, is
        /// catalog data ([`Operation::actions`](super::Operation::actions),
        /// [`Body::keys`]).
        ///
        /// | Action | Resource | Access it needs | Guards |
        /// |---|---|---|---|
        $( #[doc = concat!("| `", $name, "` | `", stringify!($resource), "` | ", stringify!($access), " | ", $gerund, " |")] )*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Action {
            $( $(#[$meta])* $variant, )*
        }

        impl Action {
            /// Every action, in declaration order.
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];

            /// The snake_case name used in policy files (`delete_users`).
            pub const fn as_str(self) -> &'static str {
                match self { $(Action::$variant => $name,)* }
            }

            /// The resource the action belongs to.
            pub const fn resource(self) -> Resource {
                match self { $(Action::$variant => Resource::$resource,)* }
            }

            /// Whether the action concerns reads ([`Access::Read`]: it changes what a
            /// read returns) or writes.
            pub const fn access(self) -> Access {
                match self { $(Action::$variant => Access::$access,)* }
            }

            /// A phrase for sentences: "deleting users".
            pub const fn gerund(self) -> &'static str {
                match self { $(Action::$variant => $gerund,)* }
            }

            /// Parses the exact snake_case name.
            pub fn parse(s: &str) -> Option<Action> {
                Action::ALL.iter().copied().find(|a| a.as_str() == s)
            }

            /// The position in [`Action::ALL`].
            pub const fn index(self) -> usize {
                self as usize
            }
        }
    };
}

actions! {
    /// `users.delete`.
    DeleteUsers => "delete_users", Users, Write, "deleting users";
    /// `users.update` touching how a user signs in: `password`, `email`,
    /// `email_verified`, `verify_email`, `phone_number`, `phone_verified`,
    /// `verify_phone_number`, `username`, `connection`, `client_id` — and any key not
    /// known to the catalog.
    UpdateUserCredentials => "update_user_credentials", Users, Write, "changing a user's credentials";
    /// `users.update` or `users.create` with `app_metadata` (and any unknown key).
    UpdateAppMetadata => "update_app_metadata", Users, Write, "changing a user's app_metadata";
    /// `users.assign_roles`.
    AssignRoles => "assign_roles", Roles, Write, "assigning roles";
    /// `users.remove_roles`.
    RemoveRoles => "remove_roles", Roles, Write, "removing roles";
    /// `clients.create`.
    CreateClients => "create_clients", Clients, Write, "creating applications";
    /// `clients.update`.
    UpdateClients => "update_clients", Clients, Write, "changing applications";
    /// `clients.delete`.
    DeleteClients => "delete_clients", Clients, Write, "deleting applications";
    /// `clients.create` or `clients.update` setting how an application authenticates or
    /// signs: `client_secret`, `client_authentication_methods`, `encryption_key`,
    /// `signed_request_object`, `token_endpoint_auth_method`, `jwt_configuration.alg`,
    /// `jwt_configuration.secret_encoded` — and any key not known to the catalog.
    UpdateClientCredentials => "update_client_credentials", Clients, Write, "changing an application's credentials";
    /// Seeing `client_secret`, `signing_keys`, `encryption_key`, `signing_secret` and
    /// identity-provider tokens in responses (they are removed otherwise).
    ReadClientSecrets => "read_client_secrets", Clients, Read, "reading application secrets";
    /// `connections.create`.
    CreateConnections => "create_connections", Connections, Write, "creating connections";
    /// `organizations.add_members`.
    AddOrganizationMembers => "add_organization_members", Organizations, Write, "adding organization members";
    /// `grants.delete`.
    DeleteGrants => "delete_grants", Grants, Write, "deleting grants";
    /// `refresh_tokens.revoke` and `refresh_tokens.delete`.
    RevokeRefreshTokens => "revoke_refresh_tokens", RefreshTokens, Write, "revoking refresh tokens";
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Action {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A set of [`Action`]s (a bit set; cheap to copy and test).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ActionSet(u32);

impl ActionSet {
    /// The empty set.
    pub const fn empty() -> ActionSet {
        ActionSet(0)
    }

    const fn bit(action: Action) -> u32 {
        1 << action.index()
    }

    /// Whether `action` is in the set.
    pub const fn contains(self, action: Action) -> bool {
        self.0 & Self::bit(action) != 0
    }

    /// Adds `action`; returns false when it was already there.
    pub fn insert(&mut self, action: Action) -> bool {
        let had = self.contains(action);
        self.0 |= Self::bit(action);
        !had
    }

    /// The set with `action` added.
    pub const fn with(self, action: Action) -> ActionSet {
        ActionSet(self.0 | Self::bit(action))
    }

    /// Both sets together.
    pub const fn union(self, other: ActionSet) -> ActionSet {
        ActionSet(self.0 | other.0)
    }

    /// The actions of `self` that are not in `other`.
    pub const fn minus(self, other: ActionSet) -> ActionSet {
        ActionSet(self.0 & !other.0)
    }

    /// True when no action is in the set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The actions in the set, in declaration order.
    pub fn iter(self) -> impl Iterator<Item = Action> {
        Action::ALL.iter().copied().filter(move |a| self.contains(*a))
    }
}

impl FromIterator<Action> for ActionSet {
    fn from_iter<I: IntoIterator<Item = Action>>(iter: I) -> Self {
        let mut s = ActionSet::empty();
        for a in iter {
            s.insert(a);
        }
        s
    }
}

impl fmt::Debug for ActionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter().map(Action::as_str)).finish()
    }
}

/// What changing one body key needs, beyond the operation's level and its own
/// [`actions`](super::Operation::actions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldClass {
    /// Nothing more.
    Plain,
    /// The dangerous action.
    Needs(Action),
}

/// One body key the catalog knows, by its JSON name (exact spelling), and its class.
#[derive(Debug, PartialEq, Eq)]
pub struct Key {
    /// The JSON name.
    pub name: &'static str,
    /// Its class when present (with any value).
    pub class: FieldClass,
    /// When not empty, the class depends on the nested keys of an object value: each
    /// nested key is classified by this table (unknown nested keys count as the
    /// operation's most sensitive class), and a value that is not an object counts as
    /// touching every key of the table.
    pub nested: &'static [Key],
}

impl Key {
    /// A key that needs nothing more.
    pub const fn plain(name: &'static str) -> Key {
        Key { name, class: FieldClass::Plain, nested: &[] }
    }

    /// A key that needs `action`.
    pub const fn needs(name: &'static str, action: Action) -> Key {
        Key { name, class: FieldClass::Needs(action), nested: &[] }
    }

    /// Every dangerous action this key can need: its own class and every nested key's
    /// (what a value that replaces the whole object needs).
    pub fn actions(&self) -> ActionSet {
        let own = match self.class {
            FieldClass::Plain => ActionSet::empty(),
            FieldClass::Needs(a) => ActionSet::empty().with(a),
        };
        self.nested.iter().fold(own, |acc, k| acc.union(k.actions()))
    }

    /// A key whose class depends on its nested keys.
    pub const fn nested(name: &'static str, nested: &'static [Key]) -> Key {
        Key { name, class: FieldClass::Plain, nested }
    }
}

/// Where an id sits in a JSON body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdPath {
    /// `{"key": "id"}`.
    Value(&'static str),
    /// `{"key": ["id", …]}`.
    List(&'static str),
    /// `{"key": [{"field": "id"}, …]}`.
    ListOf(&'static str, &'static str),
    /// `{"key": {"field": "id"}}`.
    Field(&'static str, &'static str),
}

impl IdPath {
    /// The top-level body key the id hangs under.
    pub const fn key(self) -> &'static str {
        match self {
            IdPath::Value(k) | IdPath::List(k) | IdPath::ListOf(k, _) | IdPath::Field(k, _) => k,
        }
    }
}

impl fmt::Display for IdPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdPath::Value(k) => write!(f, "{k}"),
            IdPath::List(k) => write!(f, "{k}[]"),
            IdPath::ListOf(k, field) => write!(f, "{k}[].{field}"),
            IdPath::Field(k, field) => write!(f, "{k}.{field}"),
        }
    }
}

/// A body field that holds ids.
#[derive(Debug, PartialEq, Eq)]
pub struct BodyId {
    /// Where the ids are.
    pub at: IdPath,
    /// Their kind.
    pub kind: IdKind,
    /// Whether the field must be present (a list must then be non-empty).
    pub required: bool,
    /// Whether a policy restricts these ids with an allow-list of their kind (the ids
    /// the operation's dangerous action is aimed at: the roles assigned, the connection
    /// a user is created in, …).
    pub allow_listed: bool,
}

/// The path parameter of an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PathParam {
    /// The kind of id in `{id}`.
    pub kind: IdKind,
    /// Whether a policy restricts it with an allow-list of its kind.
    pub allow_listed: bool,
}

impl PathParam {
    /// A path id that no allow-list restricts.
    pub const fn of(kind: IdKind) -> PathParam {
        PathParam { kind, allow_listed: false }
    }

    /// A path id restricted by the allow-list of its kind.
    pub const fn allow_listed(kind: IdKind) -> PathParam {
        PathParam { kind, allow_listed: true }
    }
}

/// Whether an operation takes a JSON body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// No body is accepted.
    None,
    /// A JSON object body is required.
    Required,
}

/// Everything the catalog knows about an operation's JSON body.
#[derive(Debug, PartialEq, Eq)]
pub struct Body {
    /// Whether there is one.
    pub presence: Presence,
    /// Every top-level key the API documents for this body, with its class. A key not
    /// listed counts as the operation's most sensitive class
    /// ([`Operation::most_sensitive`](super::Operation::most_sensitive)).
    pub keys: &'static [Key],
    /// The fields that hold ids.
    pub ids: &'static [BodyId],
    /// When not empty, the body's set of keys must be exactly one of these (e.g. the
    /// four accepted shapes of a refresh-token revocation).
    pub one_of: &'static [&'static [&'static str]],
    /// Whether audit records list the body's top-level key names (never values).
    pub record_fields: bool,
}

impl Body {
    /// No body.
    pub const NONE: Body = Body { presence: Presence::None, keys: &[], ids: &[], one_of: &[], record_fields: false };

    /// The known key `name`, if any.
    pub fn key(&self, name: &str) -> Option<&'static Key> {
        self.keys.iter().find(|k| k.name == name)
    }

    /// Every dangerous action some key (at any depth) of this body can need.
    pub fn field_actions(&self) -> ActionSet {
        self.keys.iter().fold(ActionSet::empty(), |acc, k| acc.union(k.actions()))
    }
}

/// The plain-English phrases of an operation, with placeholders for its ids.
///
/// `{user}` is the first id of that [`IdKind`] (by [`IdKind::as_str`]); `{users}`
/// (the name plus `s`) counts them with their noun ("role rol_a", "roles rol_a, rol_b");
/// `{fields}` is ` (name, email)` — the recorded body keys — or nothing. A part in
/// `[…]` is kept only when every placeholder in it has at least one id (or field).
///
/// ```
/// use auth0_mgmt::catalog::{self, IdKind};
///
/// let p = catalog::USERS_ASSIGN_ROLES.phrase;
/// let ids = [(IdKind::User, "auth0|1"), (IdKind::Role, "rol_a"), (IdKind::Role, "rol_b")];
/// assert_eq!(p.render_infinitive(&ids, &[]), "assign roles rol_a, rol_b to user auth0|1");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Phrase {
    /// "delete user {user}" — for "tried to …", "would …", "wants to …".
    pub infinitive: &'static str,
    /// "deleted user {user}" — for what was done.
    pub past: &'static str,
}

impl Phrase {
    /// The infinitive with `ids` (kind, id) and `fields` filled in.
    pub fn render_infinitive(&self, ids: &[(IdKind, &str)], fields: &[&str]) -> String {
        render(self.infinitive, ids, fields)
    }

    /// The past tense with `ids` and `fields` filled in.
    pub fn render_past(&self, ids: &[(IdKind, &str)], fields: &[&str]) -> String {
        render(self.past, ids, fields)
    }

    /// Renders `template` (one of this struct's two, or any string in the same syntax)
    /// onto the end of `out`.
    pub fn render_into(template: &str, ids: &[(IdKind, &str)], fields: &[&str], out: &mut String) {
        render_onto(template, ids, fields, out)
    }

    /// The placeholders used (`user`, `roles`, `fields`, …), for checks.
    pub fn placeholders(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        for t in [self.infinitive, self.past] {
            let mut rest = t;
            while let Some(start) = rest.find('{') {
                let after = &rest[start + 1..];
                let Some(end) = after.find('}') else { break };
                out.push(&after[..end]);
                rest = &after[end + 1..];
            }
        }
        out
    }
}

/// What a placeholder stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placeholder {
    /// The first id of a kind.
    One(IdKind),
    /// Every id of a kind, counted with its noun.
    Counted(IdKind),
    /// The recorded field names.
    Fields,
}

impl Placeholder {
    /// Parses a placeholder name (`user`, `roles`, `fields`).
    pub fn parse(name: &str) -> Option<Placeholder> {
        if name == "fields" {
            return Some(Placeholder::Fields);
        }
        if let Some(k) = IdKind::ALL.into_iter().find(|k| k.as_str() == name) {
            return Some(Placeholder::One(k));
        }
        let singular = name.strip_suffix('s')?;
        IdKind::ALL.into_iter().find(|k| k.as_str() == singular).map(Placeholder::Counted)
    }
}

/// "no roles", "role rol_a", "roles rol_a, rol_b".
fn counted<'a>(kind: IdKind, ids: impl Iterator<Item = &'a str> + Clone, out: &mut String) -> bool {
    let noun = kind.noun();
    let n = ids.clone().count();
    if n == 0 {
        out.push_str("no ");
    }
    out.push_str(noun);
    if n != 1 {
        out.push('s');
    }
    for (i, id) in ids.enumerate() {
        out.push_str(if i == 0 { " " } else { ", " });
        out.push_str(id);
    }
    n > 0
}

/// Fills one placeholder; `None` when it has nothing to show.
fn fill(name: &str, ids: &[(IdKind, &str)], fields: &[&str], out: &mut String) -> bool {
    match Placeholder::parse(name) {
        Some(Placeholder::One(k)) => match ids.iter().find(|(kind, _)| *kind == k) {
            Some((_, id)) => {
                out.push_str(id);
                true
            }
            None => {
                out.push_str("(none)");
                false
            }
        },
        Some(Placeholder::Counted(k)) => {
            counted(k, ids.iter().filter(move |(kind, _)| *kind == k).map(|(_, id)| *id), out)
        }
        Some(Placeholder::Fields) => {
            if fields.is_empty() {
                return false;
            }
            const SHOWN: usize = 20;
            out.push_str(" (");
            for (i, f) in fields.iter().take(SHOWN).enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(f);
            }
            if fields.len() > SHOWN {
                out.push_str(&format!(", and {} more", fields.len() - SHOWN));
            }
            out.push(')');
            true
        }
        None => {
            out.push('{');
            out.push_str(name);
            out.push('}');
            false
        }
    }
}

/// Renders `template` (see [`Phrase`]).
fn render(template: &str, ids: &[(IdKind, &str)], fields: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    render_onto(template, ids, fields, &mut out);
    out
}

fn render_onto(template: &str, ids: &[(IdKind, &str)], fields: &[&str], out: &mut String) {
    let mut rest = template;
    // Outside an optional part: placeholders are always shown.
    while !rest.is_empty() {
        let next = rest.find(['{', '[']).unwrap_or(rest.len());
        out.push_str(&rest[..next]);
        rest = &rest[next..];
        if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']').unwrap_or(after.len());
            let part = &after[..end];
            rest = after.get(end + 1..).unwrap_or("");
            let mut rendered = String::new();
            let mut all = true;
            let mut p = part;
            while !p.is_empty() {
                let n = p.find('{').unwrap_or(p.len());
                rendered.push_str(&p[..n]);
                p = &p[n..];
                if let Some(a) = p.strip_prefix('{') {
                    let e = a.find('}').unwrap_or(a.len());
                    all &= fill(&a[..e], ids, fields, &mut rendered);
                    p = a.get(e + 1..).unwrap_or("");
                }
            }
            if all {
                out.push_str(&rendered);
            }
        } else if let Some(after) = rest.strip_prefix('{') {
            let end = after.find('}').unwrap_or(after.len());
            fill(&after[..end], ids, fields, out);
            rest = after.get(end + 1..).unwrap_or("");
        }
    }
}

/// The JSON type of a query parameter, and how it goes on the query string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParamType {
    /// A string, sent as is.
    String,
    /// A whole number in `min..=max`, sent in decimal.
    Integer {
        /// The smallest value accepted.
        min: u64,
        /// The largest value accepted.
        max: u64,
    },
    /// `true` or `false`.
    Boolean,
    /// An array of strings, sent as the parameter repeated once per item.
    StringList {
        /// The most items accepted.
        max_items: u64,
    },
}

/// One query parameter an operation accepts, under Auth0's own name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct QueryParam {
    /// Auth0's name (`q`, `per_page`, `from`, …).
    pub name: &'static str,
    /// Its JSON type and bounds.
    pub ty: ParamType,
    /// Whether every call needs it.
    pub required: bool,
    /// What it does, written for a model.
    pub description: &'static str,
}

/// The typed request model of an operation's JSON body (for example
/// [`CreateUser`](crate::users::CreateUser) for `users.create`): its name and, with the
/// `schema` feature, its JSON Schema (`schemars`), which describes the wire JSON.
///
/// ```
/// use auth0_mgmt::catalog;
///
/// assert_eq!(catalog::USERS_CREATE.body_model.map(|m| m.name()), Some("CreateUser"));
/// assert!(catalog::USERS_GET.body_model.is_none());
/// ```
#[derive(Clone, Copy)]
pub struct BodyModel {
    name: &'static str,
    #[cfg(feature = "schema")]
    schema: fn(&mut schemars::SchemaGenerator) -> schemars::Schema,
}

impl BodyModel {
    /// Made by the `operations!` table only (`model [Type]`).
    pub(super) const fn new(
        name: &'static str,
        #[cfg(feature = "schema")] schema: fn(&mut schemars::SchemaGenerator) -> schemars::Schema,
    ) -> BodyModel {
        BodyModel {
            name,
            #[cfg(feature = "schema")]
            schema,
        }
    }

    /// The Rust type's name (`CreateUser`).
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The model's JSON Schema, as `generator.subschema_for::<Model>()` returns it: a
    /// `$ref` into the generator's definitions, or, with
    /// [`inline_subschemas`](schemars::generate::SchemaSettings::inline_subschemas),
    /// the whole schema.
    ///
    /// ```
    /// use auth0_mgmt::catalog;
    /// use schemars::generate::SchemaSettings;
    ///
    /// let mut generator = SchemaSettings::draft2020_12().with(|s| s.inline_subschemas = true).into_generator();
    /// let schema = catalog::USERS_ASSIGN_ROLES.body_model.unwrap().schema(&mut generator).to_value();
    /// assert_eq!(schema["required"], serde_json::json!(["roles"]));
    /// ```
    #[cfg(feature = "schema")]
    pub fn schema(&self, generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        (self.schema)(generator)
    }
}

/// Two body models are the same when they name the same type.
impl PartialEq for BodyModel {
    fn eq(&self, other: &BodyModel) -> bool {
        self.name == other.name
    }
}

impl Eq for BodyModel {}

impl fmt::Debug for BodyModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("BodyModel").field(&self.name).finish()
    }
}

/// Hints for tool-calling clients (the MCP tool annotations `readOnlyHint`,
/// `destructiveHint`, `idempotentHint`, `openWorldHint`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Annotations {
    /// Reads only.
    pub read_only: bool,
    /// May overwrite or remove existing state (only meaningful for writes).
    pub destructive: bool,
    /// Repeating the call with the same arguments has no further effect.
    pub idempotent: bool,
    /// Talks to a system outside the caller's control (the tenant: always true).
    pub open_world: bool,
}

impl Annotations {
    /// A read.
    pub const READ: Annotations =
        Annotations { read_only: true, destructive: false, idempotent: true, open_world: true };
    /// Creates something new; repeating it creates another (or fails).
    pub const CREATE: Annotations =
        Annotations { read_only: false, destructive: false, idempotent: false, open_world: true };
    /// Adds to what exists (role assignment, members); repeating changes nothing.
    pub const ADD: Annotations =
        Annotations { read_only: false, destructive: false, idempotent: true, open_world: true };
    /// Overwrites existing state (PATCH); repeating changes nothing more.
    pub const CHANGE: Annotations =
        Annotations { read_only: false, destructive: true, idempotent: true, open_world: true };
    /// Removes or revokes; repeating changes nothing more.
    pub const REMOVE: Annotations =
        Annotations { read_only: false, destructive: true, idempotent: true, open_world: true };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendering() {
        let ids = [(IdKind::User, "auth0|1"), (IdKind::Client, "c1")];
        assert_eq!(render("read user {user}", &ids, &[]), "read user auth0|1");
        assert_eq!(
            render(
                "revoke [{refresh_tokens}][the refresh tokens of user {user}][ for application {client}][ for API {resource_server}]",
                &ids,
                &[]
            ),
            "revoke the refresh tokens of user auth0|1 for application c1"
        );
        assert_eq!(render("update user {user}{fields}", &ids, &["a", "b"]), "update user auth0|1 (a, b)");
        assert_eq!(render("update user {user}{fields}", &ids, &[]), "update user auth0|1");
        assert_eq!(render("read role {role}", &ids, &[]), "read role (none)");
        assert_eq!(render("x {nonsense} [y", &ids, &[]), "x {nonsense} y");
        let many: Vec<String> = (0..25).map(|i| format!("f{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(render("{fields}", &[], &many).ends_with(", f19, and 5 more)"));
    }

    #[test]
    fn placeholders_parse() {
        assert_eq!(Placeholder::parse("user"), Some(Placeholder::One(IdKind::User)));
        assert_eq!(Placeholder::parse("refresh_tokens"), Some(Placeholder::Counted(IdKind::RefreshToken)));
        assert_eq!(Placeholder::parse("resource_server"), Some(Placeholder::One(IdKind::Api)));
        assert_eq!(Placeholder::parse("fields"), Some(Placeholder::Fields));
        assert_eq!(Placeholder::parse("nope"), None);
    }

    #[test]
    fn action_set() {
        let s: ActionSet = [Action::DeleteUsers, Action::RevokeRefreshTokens].into_iter().collect();
        assert!(s.contains(Action::DeleteUsers) && !s.contains(Action::AssignRoles));
        assert_eq!(s.iter().count(), 2);
        assert_eq!(
            s.minus(ActionSet::empty().with(Action::DeleteUsers)).iter().collect::<Vec<_>>(),
            [Action::RevokeRefreshTokens]
        );
        assert!(Action::ALL.len() <= 32);
        for (i, a) in Action::ALL.iter().enumerate() {
            assert_eq!(a.index(), i);
            assert_eq!(Action::parse(a.as_str()), Some(*a));
        }
    }
}
