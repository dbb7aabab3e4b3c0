//! The words a policy file is written in: access levels, modes, dangerous actions and
//! resource names. Each parses strictly (exact ASCII, lower case) and explains a
//! misspelling: wrong case, a near miss, or a look-alike Unicode letter.

use std::fmt;

use auth0_mgmt::catalog::Resource;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

/// How much of one resource an agent may use.
///
/// Levels are ordered: `Off < Read < Full`. A resource the policy does not name is `Off`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// No operation on the resource.
    #[default]
    Off,
    /// Read operations only ([`Access::Read`](auth0_mgmt::catalog::Access::Read)).
    Read,
    /// Reads and writes, except [dangerous actions](Action), which are granted one by one.
    Full,
}

impl Level {
    /// Every level, lowest first.
    pub const ALL: [Level; 3] = [Level::Off, Level::Read, Level::Full];

    /// `off`, `read` or `full`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Read => "read",
            Level::Full => "full",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether an agent's allowed writes are sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Allowed calls are sent (the default).
    #[default]
    Enforce,
    /// Every call is decided and audited, reads are sent, allowed writes are not: they
    /// end with a [`Denial::dry_run`](auth0_mgmt::Denial::dry_run) error and the audit
    /// record says `not executed: dry run`.
    DryRun,
}

impl Mode {
    /// `enforce` or `dry_run`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::DryRun => "dry_run",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! actions {
    ($( $(#[$meta:meta])* $variant:ident => $name:literal, $resource:ident, $level:ident, $gerund:literal; )*) => {
        /// A dangerous action: never implied by a resource level, switched on one by one
        /// in an agent's `actions` list.
        ///
        /// | Action | Resource | Needs level | Guards |
        /// |---|---|---|---|
        $( #[doc = concat!("| `", $name, "` | `", stringify!($resource), "` | `", stringify!($level), "` | ", $gerund, " |")] )*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Action {
            $( $(#[$meta])* $variant, )*
        }

        impl Action {
            /// Every action.
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];

            /// The snake_case name used in policy files (`delete_users`).
            pub const fn as_str(self) -> &'static str {
                match self { $(Action::$variant => $name,)* }
            }

            /// The resource the action belongs to.
            pub const fn resource(self) -> Resource {
                match self { $(Action::$variant => Resource::$resource,)* }
            }

            /// The lowest level of [`resource`](Self::resource) with which the action may be
            /// switched on (a higher requirement is a load error).
            pub const fn required_level(self) -> Level {
                match self { $(Action::$variant => Level::$level,)* }
            }

            /// A phrase for audit sentences: "deleting users".
            pub const fn gerund(self) -> &'static str {
                match self { $(Action::$variant => $gerund,)* }
            }

            /// Parses the exact snake_case name.
            pub fn parse(s: &str) -> Option<Action> {
                match s { $($name => Some(Action::$variant),)* _ => None }
            }

            const fn bit(self) -> u32 {
                1 << (self as u32)
            }
        }
    };
}

actions! {
    /// `users.delete`.
    DeleteUsers => "delete_users", Users, Full, "deleting users";
    /// `users.update` touching `password`, `email`, `email_verified`, `verify_email`,
    /// `phone_number`, `phone_verified`, `verify_phone_number`, `username`, `connection`,
    /// `client_id`, or any field not known to be harmless.
    UpdateUserCredentials => "update_user_credentials", Users, Full, "changing a user's credentials";
    /// `users.update` or `users.create` with an `app_metadata` field.
    UpdateAppMetadata => "update_app_metadata", Users, Full, "changing a user's app_metadata";
    /// `users.assign_roles`.
    AssignRoles => "assign_roles", Roles, Full, "assigning roles";
    /// `users.remove_roles`.
    RemoveRoles => "remove_roles", Roles, Full, "removing roles";
    /// `clients.create`.
    CreateClients => "create_clients", Clients, Full, "creating applications";
    /// `clients.update`.
    UpdateClients => "update_clients", Clients, Full, "changing applications";
    /// `clients.delete`.
    DeleteClients => "delete_clients", Clients, Full, "deleting applications";
    /// Seeing `client_secret`, `signing_keys`, `encryption_key`, `signing_secret` and
    /// identity-provider tokens in responses (they are removed otherwise).
    ReadClientSecrets => "read_client_secrets", Clients, Read, "reading application secrets";
    /// `connections.create`.
    CreateConnections => "create_connections", Connections, Full, "creating connections";
    /// `organizations.add_members`.
    AddOrganizationMembers => "add_organization_members", Organizations, Full, "adding organization members";
    /// `grants.delete`.
    DeleteGrants => "delete_grants", Grants, Full, "deleting grants";
    /// `refresh_tokens.revoke` and `refresh_tokens.delete`.
    RevokeRefreshTokens => "revoke_refresh_tokens", RefreshTokens, Full, "revoking refresh tokens";
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
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

    /// Whether `action` is in the set.
    pub const fn contains(self, action: Action) -> bool {
        self.0 & action.bit() != 0
    }

    /// Adds `action`; returns false when it was already there.
    pub fn insert(&mut self, action: Action) -> bool {
        let had = self.contains(action);
        self.0 |= action.bit();
        !had
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

/// The index of a resource in per-resource arrays (`Resource::ALL` order).
pub(crate) const fn resource_index(r: Resource) -> usize {
    match r {
        Resource::Users => 0,
        Resource::Roles => 1,
        Resource::Clients => 2,
        Resource::Connections => 3,
        Resource::Organizations => 4,
        Resource::Logs => 5,
        Resource::Grants => 6,
        Resource::ResourceServers => 7,
        Resource::RefreshTokens => 8,
        Resource::Sessions => 9,
    }
}

/// Parses `s` as one of `known` (exact match), or explains what is wrong with it.
pub(crate) fn parse_name<T: Copy>(what: &str, s: &str, known: &[(&'static str, T)]) -> Result<T, String> {
    if let Some((_, v)) = known.iter().find(|(n, _)| *n == s) {
        return Ok(*v);
    }
    let expected = known.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ");
    let shown = s.escape_debug().to_string();
    if let Some(c) = s.chars().find(|c| !c.is_ascii()) {
        return Err(format!(
            "{what} `{shown}` contains the non-ASCII character {c:?} (U+{:04X}); names are plain ASCII, \
             so a look-alike letter is refused (expected one of: {expected})",
            c as u32
        ));
    }
    if let Some((n, _)) = known.iter().find(|(n, _)| n.eq_ignore_ascii_case(s)) {
        return Err(format!("unknown {what} `{shown}`: names are lower case; did you mean `{n}`?"));
    }
    if let Some((n, _)) = known.iter().find(|(n, _)| edit_distance(n, &s.to_ascii_lowercase()) <= 2) {
        return Err(format!("unknown {what} `{shown}`; did you mean `{n}`? (expected one of: {expected})"));
    }
    Err(format!("unknown {what} `{shown}` (expected one of: {expected})"))
}

/// Levenshtein distance over bytes (names are short ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

struct NameVisitor<T: 'static> {
    what: &'static str,
    known: &'static [(&'static str, T)],
}

impl<T: Copy> Visitor<'_> for NameVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} name", self.what)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<T, E> {
        parse_name(self.what, s, self.known).map_err(E::custom)
    }
}

const LEVELS: &[(&str, Level)] = &[("off", Level::Off), ("read", Level::Read), ("full", Level::Full)];
const MODES: &[(&str, Mode)] = &[("enforce", Mode::Enforce), ("dry_run", Mode::DryRun)];
const RESOURCES: &[(&str, Resource)] = &[
    ("users", Resource::Users),
    ("roles", Resource::Roles),
    ("clients", Resource::Clients),
    ("connections", Resource::Connections),
    ("organizations", Resource::Organizations),
    ("logs", Resource::Logs),
    ("grants", Resource::Grants),
    ("resource_servers", Resource::ResourceServers),
    ("refresh_tokens", Resource::RefreshTokens),
    ("sessions", Resource::Sessions),
];
const ACTIONS: &[(&str, Action)] = &[
    ("delete_users", Action::DeleteUsers),
    ("update_user_credentials", Action::UpdateUserCredentials),
    ("update_app_metadata", Action::UpdateAppMetadata),
    ("assign_roles", Action::AssignRoles),
    ("remove_roles", Action::RemoveRoles),
    ("create_clients", Action::CreateClients),
    ("update_clients", Action::UpdateClients),
    ("delete_clients", Action::DeleteClients),
    ("read_client_secrets", Action::ReadClientSecrets),
    ("create_connections", Action::CreateConnections),
    ("add_organization_members", Action::AddOrganizationMembers),
    ("delete_grants", Action::DeleteGrants),
    ("revoke_refresh_tokens", Action::RevokeRefreshTokens),
];

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(NameVisitor { what: "level", known: LEVELS })
    }
}

impl<'de> Deserialize<'de> for Mode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(NameVisitor { what: "mode", known: MODES })
    }
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(NameVisitor { what: "action", known: ACTIONS })
    }
}

impl Serialize for Action {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A resource name as a policy-file key (`users`, `resource_servers`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ResourceName(pub(crate) Resource);

impl<'de> Deserialize<'de> for ResourceName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(NameVisitor { what: "resource", known: RESOURCES }).map(ResourceName)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_agree_with_enums() {
        assert_eq!(ACTIONS.len(), Action::ALL.len());
        for (name, a) in ACTIONS {
            assert_eq!(a.as_str(), *name);
            assert_eq!(Action::parse(name), Some(*a));
        }
        for r in Resource::ALL {
            assert_eq!(RESOURCES[resource_index(r)], (r.as_str(), r));
        }
    }

    #[test]
    fn explains_misspellings() {
        let e = parse_name("resource", "Users", RESOURCES).unwrap_err();
        assert!(e.contains("did you mean `users`"), "{e}");
        let e = parse_name("resource", "user", RESOURCES).unwrap_err();
        assert!(e.contains("did you mean `users`"), "{e}");
        let e = parse_name("resource", "us\u{0435}rs", RESOURCES).unwrap_err();
        assert!(e.contains("U+0435") && e.contains("look-alike"), "{e}");
        let e = parse_name("action", "launch_missiles", ACTIONS).unwrap_err();
        assert!(e.starts_with("unknown action `launch_missiles` (expected one of: delete_users"), "{e}");
    }

    #[test]
    fn action_set() {
        let s: ActionSet = [Action::DeleteUsers, Action::RevokeRefreshTokens].into_iter().collect();
        assert!(s.contains(Action::DeleteUsers) && !s.contains(Action::AssignRoles));
        assert_eq!(s.iter().count(), 2);
    }
}
