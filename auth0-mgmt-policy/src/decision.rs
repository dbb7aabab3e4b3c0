//! The decision: a pure function of (policy, agent, request).

use std::borrow::Cow;
use std::fmt;

use auth0_mgmt::catalog::{Access, Operation};
use auth0_mgmt::{Denial, Request, Scopes};
use percent_encoding::percent_decode_str;

use crate::names::{Action, Level, Mode};
use crate::policy::{AgentPolicy, AllowList, Policy};
use crate::targets::{self, TargetKind, Targets};

/// Why a call was denied: a stable machine code (`as_str`) per check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DenyCode {
    /// The policy failed to load; everything is denied.
    PolicyNotLoaded,
    /// The policy names no such agent.
    UnknownAgent,
    /// Check 1: an id in the path or body is invalid, or the request is malformed.
    InvalidTarget,
    /// Check 2: a guardrail protects one of the ids.
    ProtectedTarget,
    /// Check 3: the agent's level on the resource is `off`.
    ResourceOff,
    /// Check 3: the operation writes and the agent's level is `read`.
    ReadOnly,
    /// Check 4: a dangerous action the call needs is not switched on.
    ActionNotGranted,
    /// Check 5: an id is not on the agent's allow-list.
    NotAllowListed,
    /// Check 6: the access token lacks a required scope.
    MissingScope,
    /// A write was refused because the audit sink cannot record it (fail closed).
    AuditUnavailable,
}

impl DenyCode {
    /// The machine code: `unknown_agent`, `action_not_granted`, ….
    pub const fn as_str(self) -> &'static str {
        match self {
            DenyCode::PolicyNotLoaded => "policy_not_loaded",
            DenyCode::UnknownAgent => "unknown_agent",
            DenyCode::InvalidTarget => "invalid_target",
            DenyCode::ProtectedTarget => "protected_target",
            DenyCode::ResourceOff => "resource_off",
            DenyCode::ReadOnly => "read_only",
            DenyCode::ActionNotGranted => "action_not_granted",
            DenyCode::NotAllowListed => "not_allow_listed",
            DenyCode::MissingScope => "missing_scope",
            DenyCode::AuditUnavailable => "audit_unavailable",
        }
    }
}

impl fmt::Display for DenyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The verdict of [`Policy::decide`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Send it.
    Allow,
    /// Allowed, but the agent runs in dry-run mode and the call writes: do not send it.
    DryRun,
    /// Refused by the first failing check.
    Deny {
        /// The machine code.
        code: DenyCode,
        /// A reason for humans, e.g. `deleting users is not granted to this agent`.
        reason: String,
    },
}

/// The outcome of checks 1–5 for one call, with the targets found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The operation.
    pub operation: &'static Operation,
    /// The ids the call touches (and the field names of an update).
    pub targets: Targets,
    /// Allow, dry run, or deny.
    pub verdict: Verdict,
}

impl Decision {
    /// True for [`Verdict::Allow`].
    pub fn is_allowed(&self) -> bool {
        self.verdict == Verdict::Allow
    }

    /// The deny code, if denied.
    pub fn deny_code(&self) -> Option<DenyCode> {
        match &self.verdict {
            Verdict::Deny { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The [`Denial`] to return from an interceptor, or `None` when allowed.
    pub fn denial(&self) -> Option<Denial> {
        match &self.verdict {
            Verdict::Allow => None,
            Verdict::DryRun => Some(Denial::dry_run(self.operation.id)),
            Verdict::Deny { code, reason } => Some(Denial::new(self.operation.id, code.as_str(), reason.clone())),
        }
    }
}

fn deny(code: DenyCode, reason: impl Into<String>) -> Verdict {
    Verdict::Deny { code, reason: reason.into() }
}

/// Every layer of percent-decoding of `id`, lower-cased (for guardrail matching).
fn decoded_layers(id: &str) -> impl Iterator<Item = String> {
    let mut layers = vec![id.to_ascii_lowercase()];
    let mut cur: Cow<'_, str> = Cow::Borrowed(id);
    for _ in 0..4 {
        if !cur.contains('%') {
            break;
        }
        let next = percent_decode_str(&cur).decode_utf8_lossy().into_owned();
        if next == cur {
            break;
        }
        layers.push(next.to_ascii_lowercase());
        cur = Cow::Owned(next);
    }
    layers.into_iter()
}

fn list_ids<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
    ids.into_iter().collect::<Vec<_>>().join(", ")
}

impl Policy {
    /// Decides checks 1–5 (and dry run) for `agent` calling `request`. Pure: no I/O, no
    /// clock, no token. The evaluation order, first failure wins:
    ///
    /// 0. the policy loaded and names the agent;
    /// 1. the operation's target ids, from the path and the body, are present and valid;
    /// 2. guardrails: a write touching a protected id is denied, whatever was granted;
    /// 3. the agent's level on the operation's resource (`off`; `read` for writes);
    /// 4. the dangerous actions the call needs are switched on;
    /// 5. every id subject to an allow-list is on it (a batch is all or nothing);
    ///
    /// then, if everything passed and the agent runs in dry-run mode, a write becomes
    /// [`Verdict::DryRun`]. Check 6 (token scopes) needs the live token and is
    /// [`Policy::check_scopes`].
    pub fn decide(&self, agent: &str, request: &Request) -> Decision {
        let op = request.operation();
        let (targets, problem) = targets::extract(request);
        let verdict = self.verdict(agent, op, &targets, problem);
        Decision { operation: op, targets, verdict }
    }

    fn verdict(&self, agent: &str, op: &'static Operation, t: &Targets, problem: Option<String>) -> Verdict {
        if let Some(reason) = &self.not_loaded {
            return deny(DenyCode::PolicyNotLoaded, reason.clone());
        }
        let Some(a) = self.agents.get(agent) else {
            return deny(DenyCode::UnknownAgent, "the policy names no such agent");
        };
        // 1. targets
        if let Some(p) = problem {
            return deny(DenyCode::InvalidTarget, p);
        }
        let write = op.access == Access::Write;
        // 2. guardrails
        if write {
            if let Some(v) = self.guardrail(t) {
                return v;
            }
        }
        // 3. level
        let level = a.level(op.resource);
        match level {
            Level::Off => {
                return deny(DenyCode::ResourceOff, format!("{} is off for this agent", op.resource));
            }
            Level::Read if write => {
                return deny(DenyCode::ReadOnly, format!("{} is read-only for this agent", op.resource));
            }
            _ => {}
        }
        // 4. dangerous actions
        if let Some(v) = dangerous(a, op, t) {
            return v;
        }
        // 5. allow-lists
        if let Some(v) = allow_lists(a, op, t) {
            return v;
        }
        if write && a.mode == Mode::DryRun {
            return Verdict::DryRun;
        }
        Verdict::Allow
    }

    fn guardrail(&self, t: &Targets) -> Option<Verdict> {
        let g = &self.guardrails;
        for target in &t.ids {
            let (set, what) = match target.kind {
                TargetKind::User => (&g.users, "user"),
                TargetKind::Role => (&g.roles, "role"),
                TargetKind::Client => (&g.clients, "application"),
                TargetKind::Connection | TargetKind::ConnectionName => (&g.connections, "connection"),
                TargetKind::Organization => (&g.organizations, "organization"),
                TargetKind::Api => (&g.apis, "API"),
                _ => continue,
            };
            if set.is_empty() {
                continue;
            }
            if decoded_layers(&target.id).any(|l| set.contains(&l)) {
                return Some(deny(
                    DenyCode::ProtectedTarget,
                    format!("{what} {} is protected by a tenant guardrail; no agent may change it", target.id),
                ));
            }
        }
        None
    }

    /// Check 6: the token's granted scopes must include every scope the operation
    /// requires. The error names the missing scopes.
    pub fn check_scopes(op: &Operation, granted: &Scopes) -> Result<(), Verdict> {
        let missing = granted.missing(op.scopes);
        if missing.is_empty() {
            return Ok(());
        }
        Err(deny(
            DenyCode::MissingScope,
            format!(
                "the access token lacks the scope{} {} needed to {}",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", "),
                op.summary
            ),
        ))
    }
}

/// The dangerous actions a call needs, in the order they are checked.
pub(crate) fn needed_actions(op: &Operation, t: &Targets) -> Vec<(Action, Option<String>)> {
    let one = |a: Action| vec![(a, None)];
    match op.id {
        "users.delete" => one(Action::DeleteUsers),
        "users.update" => {
            let (creds, app_metadata) = targets::classify_user_update(&t.fields);
            let mut v = Vec::new();
            if !creds.is_empty() {
                v.push((Action::UpdateUserCredentials, Some(creds.join(", "))));
            }
            if app_metadata {
                v.push((Action::UpdateAppMetadata, None));
            }
            v
        }
        "users.create" if t.fields.iter().any(|f| f == "app_metadata") => one(Action::UpdateAppMetadata),
        "users.assign_roles" => one(Action::AssignRoles),
        "users.remove_roles" => one(Action::RemoveRoles),
        "clients.create" => one(Action::CreateClients),
        "clients.update" => one(Action::UpdateClients),
        "clients.delete" => one(Action::DeleteClients),
        "connections.create" => one(Action::CreateConnections),
        "organizations.add_members" => one(Action::AddOrganizationMembers),
        "grants.delete" => one(Action::DeleteGrants),
        "refresh_tokens.revoke" | "refresh_tokens.delete" => one(Action::RevokeRefreshTokens),
        _ => Vec::new(),
    }
}

fn dangerous(a: &AgentPolicy, op: &Operation, t: &Targets) -> Option<Verdict> {
    for (action, detail) in needed_actions(op, t) {
        if !a.has(action) {
            let what = match detail {
                Some(fields) => format!("{} ({fields})", action.gerund()),
                None => action.gerund().to_owned(),
            };
            return Some(deny(
                DenyCode::ActionNotGranted,
                format!("{what} is not granted to this agent (action `{action}`)"),
            ));
        }
    }
    None
}

fn allow_lists(a: &AgentPolicy, op: &Operation, t: &Targets) -> Option<Verdict> {
    let (list, kind, what): (&AllowList, TargetKind, &str) = match op.id {
        "users.assign_roles" | "users.remove_roles" => (&a.allow.roles, TargetKind::Role, "assignable roles"),
        "organizations.add_members" => (&a.allow.organizations, TargetKind::Organization, "organizations"),
        "users.create" => (&a.allow.connections, TargetKind::ConnectionName, "connections"),
        "clients.update" | "clients.delete" => (&a.allow.clients, TargetKind::Client, "applications"),
        "resource_servers.create" | "refresh_tokens.revoke" => (&a.allow.apis, TargetKind::Api, "APIs"),
        _ => return None,
    };
    let refused: Vec<&str> = t.of(kind).filter(|id| !list.allows(id)).collect();
    if refused.is_empty() {
        return None;
    }
    let total = t.of(kind).count();
    let noun = kind.noun();
    let reason = if refused.len() == 1 {
        format!("{noun} {} is not on this agent's list of {what}", refused[0])
    } else {
        format!("{noun}s {} are not on this agent's list of {what}", list_ids(refused.iter().copied()))
    };
    let reason = if total > 1 { format!("{reason} (the whole batch of {total} is refused)") } else { reason };
    Some(deny(DenyCode::NotAllowListed, reason))
}
