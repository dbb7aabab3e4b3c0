//! The policy file: loading, validation and the in-memory [`Policy`].

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use auth0_mgmt::catalog::Resource;
use auth0_mgmt::{ClientId, ConnectionId, OrganizationId, ResourceServerId, RoleId, UserId};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use auth0_mgmt::ApprovalChannel;

use crate::budget::{Counted, InMemoryBudgets, Limits, MAX_LIMIT, Period, Window};
use crate::names::{Action, ActionName, ActionSet, ChannelName, Level, Mode, ResourceName, resource_index};

/// The `schema_version` this crate reads.
pub const SCHEMA_VERSION: i64 = 1;

/// The longest agent name accepted.
pub const MAX_AGENT_NAME: usize = 64;

/// The longest approver name accepted.
pub const MAX_APPROVER_NAME: usize = 128;

/// How long an approval request stays open, and an approval stays usable, unless the
/// policy says otherwise (`[approvals] expire_after_minutes`).
pub const DEFAULT_APPROVAL_TTL: Duration = Duration::from_secs(15 * 60);

/// Why a policy file did not load. It names the file (when loaded from one) and the
/// line and column of the offending key or value.
///
/// A policy that failed to load grants nothing: there is no partially loaded policy,
/// and [`Policy::load_or_deny_all`] turns the error into a policy that denies every call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The file could not be read.
    #[error("could not read policy file {}: {message}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        message: String,
    },
    /// The file is not a valid policy (syntax, unknown key, misspelt name, rule broken).
    #[error("{}line {line}, column {column}: {message}", path.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default())]
    Invalid {
        /// The file, when loaded from one.
        path: Option<PathBuf>,
        /// 1-based line.
        line: usize,
        /// 1-based column (in characters).
        column: usize,
        /// What is wrong.
        message: String,
    },
}

impl PolicyError {
    /// The 1-based line of the problem, when it has one.
    pub fn line(&self) -> Option<usize> {
        match self {
            PolicyError::Invalid { line, .. } => Some(*line),
            PolicyError::Io { .. } => None,
        }
    }

    /// What is wrong, without the location.
    pub fn message(&self) -> &str {
        match self {
            PolicyError::Invalid { message, .. } | PolicyError::Io { message, .. } => message,
        }
    }

    fn at(text: &str, offset: usize, message: impl Into<String>) -> PolicyError {
        let offset = offset.min(text.len());
        let before = &text.as_bytes()[..offset];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
        PolicyError::Invalid { path: None, line, column, message: message.into() }
    }

    fn with_path(self, p: &Path) -> PolicyError {
        match self {
            PolicyError::Invalid { line, column, message, .. } => {
                PolicyError::Invalid { path: Some(p.to_owned()), line, column, message }
            }
            other => other,
        }
    }
}

/// The policy version: the SHA-256 of the policy file's bytes, in hex.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PolicyVersion(String);

impl PolicyVersion {
    fn of(bytes: &[u8]) -> PolicyVersion {
        let digest = Sha256::digest(bytes);
        let mut hex = String::with_capacity(64);
        for b in digest {
            hex.push_str(&format!("{b:02x}"));
        }
        PolicyVersion(hex)
    }

    /// All 64 hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first 12 hex digits, enough for humans.
    pub fn short(&self) -> &str {
        &self.0[..12]
    }
}

impl fmt::Display for PolicyVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PolicyVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PolicyVersion({})", self.short())
    }
}

/// An allow-list: the ids an agent may use for one kind of dangerous write.
///
/// Absent from the file means *empty*: nothing is allowed. `["*"]` allows every id and
/// must be written out deliberately.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AllowList {
    /// Only these ids (possibly none).
    Only(BTreeSet<String>),
    /// Any id (`["*"]`).
    Any,
}

impl Default for AllowList {
    fn default() -> Self {
        AllowList::Only(BTreeSet::new())
    }
}

impl AllowList {
    /// Whether `id` is on the list (exact, case-sensitive match).
    pub fn allows(&self, id: &str) -> bool {
        match self {
            AllowList::Any => true,
            AllowList::Only(ids) => ids.contains(id),
        }
    }
}

/// An agent's allow-lists (`[agents.NAME.allow]`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AllowLists {
    /// Role ids it may assign and remove (`users.assign_roles`, `users.remove_roles`).
    pub roles: AllowList,
    /// Organization ids it may add members to (`organizations.add_members`).
    pub organizations: AllowList,
    /// Connection names it may create users in (`users.create`).
    pub connections: AllowList,
    /// Client ids it may change or delete (`clients.update`, `clients.delete`).
    pub clients: AllowList,
    /// API identifiers it may create or revoke tokens for (`resource_servers.create`,
    /// `refresh_tokens.revoke` with an `audience`).
    pub apis: AllowList,
}

/// Tenant-wide protected ids (`[guardrails]`): no agent may change them, whatever it
/// was granted. Matching is case-insensitive and also applies after percent-decoding,
/// so `AUTH0%7Cbreak-glass` still hits `auth0|break-glass`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Guardrails {
    /// User ids (break-glass accounts).
    pub users: BTreeSet<String>,
    /// Role ids (admin roles): never assigned or removed.
    pub roles: BTreeSet<String>,
    /// Client ids (the gateway's own application). Their secrets are also always removed
    /// from responses.
    pub clients: BTreeSet<String>,
    /// Connection ids or names.
    pub connections: BTreeSet<String>,
    /// Organization ids.
    pub organizations: BTreeSet<String>,
    /// API identifiers or ids.
    pub apis: BTreeSet<String>,
}

/// What one agent was granted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentPolicy {
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) mode: Mode,
    pub(crate) levels: [Level; 10],
    pub(crate) actions: ActionSet,
    pub(crate) approve: ActionSet,
    pub(crate) approval: ApprovalChannel,
    pub(crate) approvers: Vec<String>,
    pub(crate) limits: Limits,
    pub(crate) allow: AllowLists,
    pub(crate) key_sha256: Option<[u8; 32]>,
}

impl AgentPolicy {
    /// The agent's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The free-text description, if any.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// Enforce or dry run.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The level on `resource` (`Off` when not named).
    pub fn level(&self, resource: Resource) -> Level {
        self.levels[resource_index(resource)]
    }

    /// The dangerous actions switched on.
    pub fn actions(&self) -> ActionSet {
        self.actions
    }

    /// Whether `action` is switched on.
    pub fn has(&self, action: Action) -> bool {
        self.actions.contains(action)
    }

    /// The allow-lists.
    pub fn allow(&self) -> &AllowLists {
        &self.allow
    }

    /// The SHA-256 of the agent's gateway key (`key_sha256`), if the file sets one. The
    /// MCP gateway (`auth0-mgmt-mcp http`) authenticates an agent by hashing the bearer
    /// key it presents and comparing with this digest; the key itself is never stored.
    pub fn key_sha256(&self) -> Option<&[u8; 32]> {
        self.key_sha256.as_ref()
    }

    /// The dangerous actions granted only with a human's approval, call by call
    /// (`approve = [...]`).
    pub fn approve(&self) -> ActionSet {
        self.approve
    }

    /// Whether `action` is granted outright or with approval: what a gateway should
    /// offer the agent as a tool.
    pub fn may_request(&self, action: Action) -> bool {
        self.actions.contains(action) || self.approve.contains(action)
    }

    /// Who decides its approvals (`approval = "operator"`, the default, or `"client"`:
    /// the MCP client's user, asked by the gateway through elicitation).
    pub fn approval_channel(&self) -> ApprovalChannel {
        self.approval
    }

    /// Who may approve its calls: the agent's `approvers`, else the tenant-wide
    /// `[approvals] approvers`; empty: any operator with access to the approval store.
    pub fn approvers(&self) -> &[String] {
        &self.approvers
    }

    /// Its budgets (`limits = { … }`).
    pub fn limits(&self) -> &Limits {
        &self.limits
    }
}

/// The tenant-wide approval settings (`[approvals]`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApprovalSettings {
    /// How long a request stays open and a granted approval stays usable
    /// (`expire_after_minutes`, default 15).
    pub expire_after: Duration,
    /// Who may approve, for agents that name no `approvers` of their own.
    pub approvers: Vec<String>,
}

impl Default for ApprovalSettings {
    fn default() -> Self {
        ApprovalSettings { expire_after: DEFAULT_APPROVAL_TTL, approvers: Vec::new() }
    }
}

/// A loaded policy: agents, their grants, and the tenant-wide guardrails.
///
/// Build it with [`Policy::from_toml`] or [`Policy::from_file`]; decide with
/// [`Policy::decide`](crate::Policy::decide). It is immutable; share it in an `Arc`.
#[derive(Clone, Debug)]
pub struct Policy {
    pub(crate) version: PolicyVersion,
    pub(crate) agents: HashMap<String, AgentPolicy>,
    pub(crate) guardrails: Guardrails,
    pub(crate) approvals: ApprovalSettings,
    /// The default budget store: one per loaded policy, shared by every guard made
    /// from it (and by its clones).
    pub(crate) budgets: Arc<InMemoryBudgets>,
    /// Set when this policy stands in for one that failed to load.
    pub(crate) not_loaded: Option<String>,
}

// ---- the file format -------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    schema_version: Spanned<i64>,
    #[serde(default)]
    guardrails: RawGuardrails,
    #[serde(default)]
    approvals: RawApprovals,
    #[serde(default)]
    agents: BTreeMap<Spanned<String>, RawAgent>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawApprovals {
    #[serde(default)]
    expire_after_minutes: Option<Spanned<i64>>,
    #[serde(default)]
    approvers: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    calls_per_minute: Option<Spanned<i64>>,
    calls_per_hour: Option<Spanned<i64>>,
    calls_per_day: Option<Spanned<i64>>,
    writes_per_minute: Option<Spanned<i64>>,
    writes_per_hour: Option<Spanned<i64>>,
    writes_per_day: Option<Spanned<i64>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawGuardrails {
    #[serde(default)]
    protected_users: Vec<Spanned<String>>,
    #[serde(default)]
    protected_roles: Vec<Spanned<String>>,
    #[serde(default)]
    protected_clients: Vec<Spanned<String>>,
    #[serde(default)]
    protected_connections: Vec<Spanned<String>>,
    #[serde(default)]
    protected_organizations: Vec<Spanned<String>>,
    #[serde(default)]
    protected_apis: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAgent {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    mode: Mode,
    #[serde(default)]
    resources: BTreeMap<Spanned<ResourceName>, Spanned<Level>>,
    #[serde(default)]
    actions: Vec<Spanned<ActionName>>,
    #[serde(default)]
    approve: Vec<Spanned<ActionName>>,
    #[serde(default)]
    approval: Option<Spanned<ChannelName>>,
    #[serde(default)]
    approvers: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    limits: Option<Spanned<RawLimits>>,
    #[serde(default)]
    allow: RawAllow,
    #[serde(default)]
    key_sha256: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawAllow {
    #[serde(default)]
    roles: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    organizations: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    connections: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    clients: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    apis: Option<Vec<Spanned<String>>>,
}

type Validator = fn(&str) -> Result<(), String>;

fn id_check<T, E: fmt::Display>(f: fn(String) -> Result<T, E>) -> impl Fn(&str) -> Result<(), String> {
    move |s| f(s.to_owned()).map(drop).map_err(|e| e.to_string())
}

fn v_user(s: &str) -> Result<(), String> {
    id_check(UserId::new)(s)
}
fn v_role(s: &str) -> Result<(), String> {
    id_check(RoleId::new)(s)
}
fn v_client(s: &str) -> Result<(), String> {
    id_check(ClientId::new)(s)
}
fn v_connection(s: &str) -> Result<(), String> {
    id_check(ConnectionId::new)(s)
}
fn v_org(s: &str) -> Result<(), String> {
    id_check(OrganizationId::new)(s)
}
fn v_api(s: &str) -> Result<(), String> {
    id_check(ResourceServerId::new)(s)
}

/// Parses `key_sha256`: exactly 64 hex digits (a SHA-256 digest, never a key).
fn parse_key_sha256(s: &str) -> Result<[u8; 32], String> {
    let bytes = s.as_bytes();
    if bytes.len() != 64 || !bytes.iter().all(u8::is_ascii_hexdigit) {
        return Err("key_sha256 must be the 64 hex digits of the SHA-256 of the agent's key \
                    (e.g. `printf %s \"$KEY\" | sha256sum`), never the key itself"
            .to_owned());
    }
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks(2).enumerate() {
        let hex = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
        out[i] = hex(pair[0]) << 4 | hex(pair[1]);
    }
    Ok(out)
}

fn check_approver_name(name: &str) -> Result<(), String> {
    let shown = name.escape_debug();
    if name.trim().is_empty() || name.chars().count() > MAX_APPROVER_NAME {
        return Err(format!("approver `{shown}` must be 1 to {MAX_APPROVER_NAME} characters"));
    }
    if name.trim() != name || name.chars().any(|c| c.is_control() || c.is_whitespace() && c != ' ') {
        return Err(format!("approver `{shown}` has leading or trailing spaces or control characters"));
    }
    Ok(())
}

fn check_agent_name(name: &str) -> Result<(), String> {
    let shown = name.escape_debug();
    if name.is_empty() || name.len() > MAX_AGENT_NAME {
        return Err(format!("agent name `{shown}` must be 1 to {MAX_AGENT_NAME} characters"));
    }
    if let Some(c) = name.chars().find(|c| !c.is_ascii()) {
        return Err(format!(
            "agent name `{shown}` contains the non-ASCII character {c:?} (U+{:04X}); agent names are plain ASCII \
             (letters, digits, `-`, `_`, `.`), so a look-alike letter is refused",
            c as u32
        ));
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        || !name.as_bytes()[0].is_ascii_alphanumeric()
    {
        return Err(format!(
            "agent name `{shown}` may only hold ASCII letters, digits, `-`, `_` and `.`, and must start with a letter or digit"
        ));
    }
    Ok(())
}

impl Policy {
    /// Parses and validates a policy file's text. The [version](Policy::version) is the
    /// SHA-256 of `text`.
    ///
    /// Every problem is an error naming its line: TOML syntax, a missing or unsupported
    /// `schema_version`, an unknown key anywhere, a misspelt resource, level, mode or
    /// action (`Users`, `user`, a look-alike Unicode letter), a dangerous action on a
    /// resource whose level cannot reach it, an invalid id, a repeated entry.
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            PolicyError::at(text, offset, e.message().trim_end().to_owned())
        })?;
        let err = |span: std::ops::Range<usize>, msg: String| PolicyError::at(text, span.start, msg);

        if *raw.schema_version.get_ref() != SCHEMA_VERSION {
            return Err(err(
                raw.schema_version.span(),
                format!(
                    "unsupported schema_version {}; this version of auth0-mgmt-policy reads schema_version = {SCHEMA_VERSION}",
                    raw.schema_version.get_ref()
                ),
            ));
        }

        let ids = |list: &[Spanned<String>], what: &str, v: Validator| -> Result<BTreeSet<String>, PolicyError> {
            let mut out = BTreeSet::new();
            for item in list {
                v(item.get_ref()).map_err(|e| err(item.span(), format!("{what}: {e}")))?;
                if !out.insert(item.get_ref().to_ascii_lowercase()) {
                    return Err(err(
                        item.span(),
                        format!("{what}: `{}` is listed twice", item.get_ref().escape_debug()),
                    ));
                }
            }
            Ok(out)
        };
        let g = &raw.guardrails;
        let guardrails = Guardrails {
            users: ids(&g.protected_users, "protected_users", v_user)?,
            roles: ids(&g.protected_roles, "protected_roles", v_role)?,
            clients: ids(&g.protected_clients, "protected_clients", v_client)?,
            connections: ids(&g.protected_connections, "protected_connections", v_connection)?,
            organizations: ids(&g.protected_organizations, "protected_organizations", v_org)?,
            apis: ids(&g.protected_apis, "protected_apis", v_api)?,
        };

        let approvers = |list: &[Spanned<String>], what: &str| -> Result<Vec<String>, PolicyError> {
            let mut out: Vec<String> = Vec::new();
            for item in list {
                let n = item.get_ref();
                check_approver_name(n).map_err(|m| err(item.span(), format!("{what}: {m}")))?;
                if raw.agents.keys().any(|a| a.get_ref() == n) {
                    return Err(err(
                        item.span(),
                        format!("{what}: `{}` is an agent of this policy; an agent never approves", n.escape_debug()),
                    ));
                }
                if out.contains(n) {
                    return Err(err(item.span(), format!("{what}: `{}` is listed twice", n.escape_debug())));
                }
                out.push(n.clone());
            }
            Ok(out)
        };
        let mut approvals = ApprovalSettings::default();
        if let Some(m) = &raw.approvals.expire_after_minutes {
            let v = *m.get_ref();
            if !(1..=1_440).contains(&v) {
                return Err(err(m.span(), format!("approvals.expire_after_minutes must be 1 to 1440, not {v}")));
            }
            approvals.expire_after = Duration::from_secs(v.unsigned_abs() * 60);
        }
        if let Some(list) = &raw.approvals.approvers {
            approvals.approvers = approvers(list, "approvals.approvers")?;
        }

        let mut agents = HashMap::new();
        let mut keys: Vec<[u8; 32]> = Vec::new();
        for (name, a) in &raw.agents {
            check_agent_name(name.get_ref()).map_err(|m| err(name.span(), m))?;
            let mut levels = [Level::Off; 10];
            for (r, level) in &a.resources {
                levels[resource_index(r.get_ref().0)] = *level.get_ref();
            }
            let mut actions = ActionSet::empty();
            for action in &a.actions {
                let act = action.get_ref().0;
                let have = levels[resource_index(act.resource())];
                if have < Level::required_for(act) {
                    return Err(err(
                        action.span(),
                        format!(
                            "action `{act}` needs {res} = \"{need}\" or higher, but agent `{name}` has {res} = \"{have}\"{hint}",
                            res = act.resource(),
                            need = Level::required_for(act),
                            name = name.get_ref(),
                            hint = if have == Level::Off { " (not named, so off)" } else { "" },
                        ),
                    ));
                }
                if !actions.insert(act) {
                    return Err(err(action.span(), format!("action `{act}` is listed twice")));
                }
            }
            let mut approve = ActionSet::empty();
            for action in &a.approve {
                let act = action.get_ref().0;
                let have = levels[resource_index(act.resource())];
                if act.access().is_write() && have < Level::Full {
                    return Err(err(
                        action.span(),
                        format!(
                            "approve: `{act}` needs {res} = \"full\", but agent `{name}` has {res} = \"{have}\"{hint}",
                            res = act.resource(),
                            name = name.get_ref(),
                            hint = if have == Level::Off { " (not named, so off)" } else { "" },
                        ),
                    ));
                }
                if !act.access().is_write() {
                    return Err(err(
                        action.span(),
                        format!(
                            "approve: `{act}` applies to what responses show, not to a request a human could \
                             approve; grant it in `actions` or not at all"
                        ),
                    ));
                }
                if actions.contains(act) {
                    return Err(err(
                        action.span(),
                        format!(
                            "approve: `{act}` is also in `actions`; an action is either granted or approved call by call"
                        ),
                    ));
                }
                if !approve.insert(act) {
                    return Err(err(action.span(), format!("approve: `{act}` is listed twice")));
                }
            }
            let approval = match &a.approval {
                Some(c) if approve.is_empty() => {
                    return Err(err(c.span(), "`approval` has no effect without `approve = [...]`".to_owned()));
                }
                Some(c) => c.get_ref().0,
                None => ApprovalChannel::Operator,
            };
            let agent_approvers = match &a.approvers {
                Some(list) if approve.is_empty() => {
                    let at = list.first().map_or(0..0, Spanned::span);
                    return Err(err(at, "`approvers` has no effect without `approve = [...]`".to_owned()));
                }
                Some(list) => approvers(list, "approvers")?,
                None => approvals.approvers.clone(),
            };
            let limits = match &a.limits {
                None => Limits::default(),
                Some(l) => {
                    let r = l.get_ref();
                    let mut windows = Vec::new();
                    for (v, counted, period) in [
                        (&r.calls_per_minute, Counted::Calls, Period::Minute),
                        (&r.calls_per_hour, Counted::Calls, Period::Hour),
                        (&r.calls_per_day, Counted::Calls, Period::Day),
                        (&r.writes_per_minute, Counted::Writes, Period::Minute),
                        (&r.writes_per_hour, Counted::Writes, Period::Hour),
                        (&r.writes_per_day, Counted::Writes, Period::Day),
                    ] {
                        let Some(v) = v else { continue };
                        let w = Window { counted, period, limit: 0 };
                        let n = *v.get_ref();
                        let limit = u32::try_from(n).ok().filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or_else(|| {
                            err(
                                v.span(),
                                format!(
                                    "limits.{} must be 1 to {MAX_LIMIT}, not {n} (to forbid writes, give the resources level `read`)",
                                    w.key()
                                ),
                            )
                        })?;
                        windows.push(Window { limit, ..w });
                    }
                    if windows.is_empty() {
                        return Err(err(l.span(), "`limits` names no limit".to_owned()));
                    }
                    Limits::new(windows)
                }
            };
            let allow_list = |list: &Option<Vec<Spanned<String>>>, what: &str, v: Validator| {
                let Some(list) = list else { return Ok(AllowList::default()) };
                if list.iter().any(|i| i.get_ref() == "*") {
                    if list.len() != 1 {
                        return Err(err(list[0].span(), format!("allow.{what}: `*` must be the only entry")));
                    }
                    return Ok(AllowList::Any);
                }
                let mut out = BTreeSet::new();
                for item in list {
                    v(item.get_ref()).map_err(|e| err(item.span(), format!("allow.{what}: {e}")))?;
                    if !out.insert(item.get_ref().clone()) {
                        return Err(err(
                            item.span(),
                            format!("allow.{what}: `{}` is listed twice", item.get_ref().escape_debug()),
                        ));
                    }
                }
                Ok(AllowList::Only(out))
            };
            let allow = AllowLists {
                roles: allow_list(&a.allow.roles, "roles", v_role)?,
                organizations: allow_list(&a.allow.organizations, "organizations", v_org)?,
                connections: allow_list(&a.allow.connections, "connections", v_connection)?,
                clients: allow_list(&a.allow.clients, "clients", v_client)?,
                apis: allow_list(&a.allow.apis, "apis", v_api)?,
            };
            let key_sha256 = match &a.key_sha256 {
                None => None,
                Some(k) => {
                    let digest = parse_key_sha256(k.get_ref()).map_err(|m| err(k.span(), m))?;
                    if keys.contains(&digest) {
                        return Err(err(
                            k.span(),
                            "this key_sha256 is already another agent's: every agent needs its own key".to_owned(),
                        ));
                    }
                    keys.push(digest);
                    Some(digest)
                }
            };
            let n = name.get_ref().clone();
            agents.insert(
                n.clone(),
                AgentPolicy {
                    name: n,
                    description: a.description.clone(),
                    mode: a.mode,
                    levels,
                    actions,
                    approve,
                    approval,
                    approvers: agent_approvers,
                    limits,
                    allow,
                    key_sha256,
                },
            );
        }
        Ok(Policy {
            version: PolicyVersion::of(text.as_bytes()),
            agents,
            guardrails,
            approvals,
            budgets: Arc::new(InMemoryBudgets::new()),
            not_loaded: None,
        })
    }

    /// Reads and validates a policy file. Errors name the file and the line; a file
    /// that does not load grants nothing (there is no partly loaded policy).
    ///
    /// ```
    /// use auth0_mgmt_policy::Policy;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("policy.toml");
    /// std::fs::write(&path, "schema_version = 1\n[agents.support-bot]\nresources = { users = \"read\" }\n")?;
    /// let policy = Policy::from_file(&path)?;
    /// assert_eq!(policy.agent_names(), ["support-bot"]);
    ///
    /// // A mistake is an error naming the file, the line and what is wrong.
    /// std::fs::write(&path, "schema_version = 1\n[agents.support-bot]\nresources = { Users = \"read\" }\n")?;
    /// let err = Policy::from_file(&path).unwrap_err();
    /// assert_eq!(err.line(), Some(3));
    /// assert!(err.to_string().contains("policy.toml: line 3"), "{err}");
    /// assert!(err.message().contains("did you mean `users`"), "{err}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_file(path: impl AsRef<Path>) -> Result<Policy, PolicyError> {
        let path = path.as_ref();
        let bytes =
            std::fs::read(path).map_err(|e| PolicyError::Io { path: path.to_owned(), message: e.to_string() })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            PolicyError::at(&text, e.utf8_error().valid_up_to(), "the file is not valid UTF-8").with_path(path)
        })?;
        Policy::from_toml(&text).map_err(|e| e.with_path(path))
    }

    /// Loads `path`, or — when it fails to load — logs the error with `tracing::error!`
    /// and returns [`Policy::deny_all`] with the error as its reason. A broken policy
    /// file never grants anything.
    pub fn load_or_deny_all(path: impl AsRef<Path>) -> Policy {
        match Policy::from_file(path) {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, "the policy failed to load; every call is denied");
                Policy::deny_all(format!("the policy failed to load ({e})"))
            }
        }
    }

    /// A policy that denies every call of every agent with `reason`.
    pub fn deny_all(reason: impl Into<String>) -> Policy {
        let reason = reason.into();
        Policy {
            version: PolicyVersion::of(reason.as_bytes()),
            agents: HashMap::new(),
            guardrails: Guardrails::default(),
            approvals: ApprovalSettings::default(),
            budgets: Arc::new(InMemoryBudgets::new()),
            not_loaded: Some(reason),
        }
    }

    /// The policy version (SHA-256 of the file).
    pub fn version(&self) -> &PolicyVersion {
        &self.version
    }

    /// Whether this policy stands in for one that failed to load (it denies everything).
    pub fn is_deny_all(&self) -> bool {
        self.not_loaded.is_some()
    }

    /// An agent's grants.
    pub fn agent(&self, name: &str) -> Option<&AgentPolicy> {
        self.agents.get(name)
    }

    /// The agent names, sorted.
    pub fn agent_names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.agents.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    /// The tenant-wide guardrails.
    pub fn guardrails(&self) -> &Guardrails {
        &self.guardrails
    }

    /// The tenant-wide approval settings.
    pub fn approvals(&self) -> &ApprovalSettings {
        &self.approvals
    }

    /// The in-process budget store every guard made from this policy (and its clones)
    /// shares, unless given another one ([`Guard::with_budgets`](crate::Guard::with_budgets)).
    pub fn budgets(&self) -> &Arc<InMemoryBudgets> {
        &self.budgets
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column() {
        let e = PolicyError::at("a\nbc\ndéf", 8, "x");
        assert_eq!(e, PolicyError::Invalid { path: None, line: 3, column: 3, message: "x".into() });
    }

    #[test]
    fn key_sha256() {
        let digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        let text = format!("schema_version = 1\n[agents.a]\nkey_sha256 = \"{digest}\"\n[agents.b]\n");
        let p = Policy::from_toml(&text).unwrap();
        assert_eq!(p.agent("a").unwrap().key_sha256().unwrap()[..2], [0x9f, 0x86]);
        assert!(p.agent("b").unwrap().key_sha256().is_none());
        for bad in ["test", "9f86", &digest.replace('9', "g"), &format!("{digest}00")] {
            let e =
                Policy::from_toml(&format!("schema_version = 1\n[agents.a]\nkey_sha256 = \"{bad}\"\n")).unwrap_err();
            assert!(e.message().contains("64 hex digits") && e.line() == Some(3), "{e}");
        }
        let twice = format!(
            "schema_version = 1\n[agents.a]\nkey_sha256 = \"{digest}\"\n[agents.b]\nkey_sha256 = \"{}\"\n",
            digest.to_uppercase()
        );
        let e = Policy::from_toml(&twice).unwrap_err();
        assert!(e.message().contains("already another agent's") && e.line() == Some(5), "{e}");
    }

    #[test]
    fn version_is_sha256() {
        let v = PolicyVersion::of(b"");
        assert_eq!(v.as_str(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(v.short(), "e3b0c44298fc");
    }
}
