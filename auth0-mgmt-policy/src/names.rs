//! The words a policy file is written in: access levels, modes, dangerous actions and
//! resource names. Each parses strictly (exact ASCII, lower case) and explains a
//! misspelling: wrong case, a near miss, or a look-alike Unicode letter.

use std::fmt;

use auth0_mgmt::catalog::{Access, Resource};
pub use auth0_mgmt::catalog::{Action, ActionSet};
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

impl Level {
    /// The lowest level of [`Action::resource`] with which `action` may be switched on:
    /// `read` for an action on reads (`read_client_secrets`), `full` for the others.
    pub const fn required_for(action: Action) -> Level {
        match action.access() {
            Access::Read => Level::Read,
            Access::Write => Level::Full,
        }
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
/// The action names, from the catalog's [`Action::ALL`].
fn action_names() -> Vec<(&'static str, Action)> {
    Action::ALL.iter().map(|a| (a.as_str(), *a)).collect()
}

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

/// An action name as written in a policy file (`actions = ["delete_users"]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ActionName(pub(crate) Action);

impl<'de> Deserialize<'de> for ActionName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ActionName;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an action name")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<ActionName, E> {
                parse_name("action", s, &action_names()).map(ActionName).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

/// An approval channel as written in a policy file (`approval = "client"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ChannelName(pub(crate) auth0_mgmt::ApprovalChannel);

const CHANNELS: &[(&str, auth0_mgmt::ApprovalChannel)] =
    &[("operator", auth0_mgmt::ApprovalChannel::Operator), ("client", auth0_mgmt::ApprovalChannel::Client)];

impl<'de> Deserialize<'de> for ChannelName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(NameVisitor { what: "approval channel", known: CHANNELS }).map(ChannelName)
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
        for (name, a) in action_names() {
            assert_eq!(a.as_str(), name);
            assert_eq!(Action::parse(name), Some(a));
        }
        assert_eq!(Level::required_for(Action::ReadClientSecrets), Level::Read);
        assert_eq!(Level::required_for(Action::DeleteUsers), Level::Full);
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
        let e = parse_name("action", "launch_missiles", &action_names()).unwrap_err();
        assert!(e.starts_with("unknown action `launch_missiles` (expected one of: delete_users"), "{e}");
    }
}
