//! The decision: a pure function of (policy, agent, request).

use std::borrow::Cow;
use std::fmt;

use std::collections::BTreeSet;

use auth0_mgmt::catalog::{Access, ActionSet, Operation};
use auth0_mgmt::{Denial, Request, Scopes};
use percent_encoding::percent_decode_str;

use crate::names::{Level, Mode};
use crate::policy::{AgentPolicy, AllowList, Policy};
use crate::targets::{self, Need, TargetKind, Targets};

/// Why a call was denied: a stable machine code (`as_str`) per check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DenyCode {
    /// The policy failed to load; everything is denied.
    PolicyNotLoaded,
    /// The policy names no such agent.
    UnknownAgent,
    /// Check 1: an id in the path or body is missing or invalid, or a write carries query
    /// parameters.
    InvalidTarget,
    /// Check 1: the body cannot be checked as it is: not a JSON object where one is
    /// needed, a body where none is taken, a key spelled unlike the API's, a shape the
    /// API does not accept, or too large or too deep to classify.
    InvalidBody,
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
    /// The agent's own budget (`limits`) is spent for now; the denial says when it may
    /// retry.
    AgentRateLimited,
    /// The budget store could not answer (fail closed).
    BudgetUnavailable,
    /// The call needs a human's approval (`approve`); it is not sent until approved.
    ApprovalRequired,
    /// A human denied this exact request.
    ApprovalDenied,
    /// The call needs approval but no approval store is configured or it failed (fail
    /// closed).
    ApprovalUnavailable,
}

impl DenyCode {
    /// The machine code: `unknown_agent`, `action_not_granted`, ….
    pub const fn as_str(self) -> &'static str {
        match self {
            DenyCode::PolicyNotLoaded => "policy_not_loaded",
            DenyCode::UnknownAgent => "unknown_agent",
            DenyCode::InvalidTarget => "invalid_target",
            DenyCode::InvalidBody => "invalid_body",
            DenyCode::ProtectedTarget => "protected_target",
            DenyCode::ResourceOff => "resource_off",
            DenyCode::ReadOnly => "read_only",
            DenyCode::ActionNotGranted => "action_not_granted",
            DenyCode::NotAllowListed => "not_allow_listed",
            DenyCode::MissingScope => "missing_scope",
            DenyCode::AuditUnavailable => "audit_unavailable",
            DenyCode::AgentRateLimited => "agent_rate_limited",
            DenyCode::BudgetUnavailable => "budget_unavailable",
            DenyCode::ApprovalRequired => "approval_required",
            DenyCode::ApprovalDenied => "approval_denied",
            DenyCode::ApprovalUnavailable => "approval_unavailable",
        }
    }
}

impl DenyCode {
    /// Every code.
    pub const ALL: [DenyCode; 16] = [
        DenyCode::PolicyNotLoaded,
        DenyCode::UnknownAgent,
        DenyCode::InvalidTarget,
        DenyCode::InvalidBody,
        DenyCode::ProtectedTarget,
        DenyCode::ResourceOff,
        DenyCode::ReadOnly,
        DenyCode::ActionNotGranted,
        DenyCode::NotAllowListed,
        DenyCode::MissingScope,
        DenyCode::AuditUnavailable,
        DenyCode::AgentRateLimited,
        DenyCode::BudgetUnavailable,
        DenyCode::ApprovalRequired,
        DenyCode::ApprovalDenied,
        DenyCode::ApprovalUnavailable,
    ];

    /// Parses a machine code (`action_not_granted`).
    pub fn parse(code: &str) -> Option<DenyCode> {
        DenyCode::ALL.into_iter().find(|c| c.as_str() == code)
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
    /// Checks 1–5 passed, but the call needs dangerous actions the agent has only with
    /// a human's approval (`approve = [...]`): the guard sends it only when an approval
    /// of this exact request exists (after the scope check, at `before_send`), and
    /// otherwise asks for one. For an agent in dry-run mode nobody is asked; the call
    /// ends as a dry run saying that enforce mode would ask.
    NeedsApproval {
        /// The actions that need the approval.
        actions: ActionSet,
    },
    /// Refused by the first failing check.
    Deny {
        /// The machine code.
        code: DenyCode,
        /// A reason for humans, e.g. `deleting users is not granted to this agent`.
        reason: String,
    },
}

/// The outcome of checks 1–5 for one call, with what was found: computed once per call
/// (by the guard, in [`Interceptor::begin`](auth0_mgmt::Interceptor::begin)) and carried
/// to its audit records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The operation.
    pub operation: &'static Operation,
    /// The ids the call touches (and the recorded body keys).
    pub targets: Targets,
    /// The dangerous actions the call needs (the operation's own, then the body keys'),
    /// whether or not they were granted.
    pub needs: Vec<Need>,
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
            Verdict::Allow | Verdict::DryRun | Verdict::NeedsApproval { .. } => None,
        }
    }

    /// The actions that need a human's approval, when the verdict is
    /// [`Verdict::NeedsApproval`].
    pub fn needs_approval(&self) -> Option<ActionSet> {
        match self.verdict {
            Verdict::NeedsApproval { actions } => Some(actions),
            Verdict::Allow | Verdict::DryRun | Verdict::Deny { .. } => None,
        }
    }

    /// The [`Denial`] to return from an interceptor, or `None` when allowed (outright
    /// or subject to approval, which only the guard can settle).
    pub fn denial(&self) -> Option<Denial> {
        match &self.verdict {
            Verdict::Allow | Verdict::NeedsApproval { .. } => None,
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

/// Whether `id`, in any case and after any layer of percent-decoding, is in `set`
/// (which holds lower-cased ids).
fn is_protected(set: &BTreeSet<String>, id: &str) -> bool {
    // Common case: nothing to lower-case or decode, no allocation.
    if !id.contains('%') && !id.bytes().any(|b| b.is_ascii_uppercase()) {
        return set.contains(id);
    }
    decoded_layers(id).any(|l| set.contains(&l))
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
        let x = targets::extract(request);
        let verdict = self.verdict(agent, op, &x.targets, &x.needs, x.problem);
        Decision { operation: op, targets: x.targets, needs: x.needs, verdict }
    }

    fn verdict(
        &self,
        agent: &str,
        op: &'static Operation,
        t: &Targets,
        needs: &[Need],
        problem: Option<(DenyCode, String)>,
    ) -> Verdict {
        if let Some(reason) = &self.not_loaded {
            return deny(DenyCode::PolicyNotLoaded, reason.clone());
        }
        let Some(a) = self.agents.get(agent) else {
            return deny(DenyCode::UnknownAgent, "the policy names no such agent");
        };
        // 1. targets and body
        if let Some((code, reason)) = problem {
            return deny(code, reason);
        }
        let write = op.access == Access::Write;
        // 2. guardrails
        if write && let Some(v) = self.guardrail(t) {
            return v;
        }
        // 3. level
        match a.level(op.resource) {
            Level::Off => {
                return deny(DenyCode::ResourceOff, format!("{} is off for this agent", op.resource));
            }
            Level::Read if write => {
                return deny(DenyCode::ReadOnly, format!("{} is read-only for this agent", op.resource));
            }
            Level::Read | Level::Full => {}
        }
        // 4. dangerous actions: granted, or granted with approval
        if let Some(v) = dangerous(a, needs) {
            return v;
        }
        // 5. allow-lists (a denial here is final: nobody is asked)
        if let Some(v) = allow_lists(a, t) {
            return v;
        }
        let approval: ActionSet = needs.iter().map(|n| n.action).filter(|act| !a.has(*act)).collect();
        if !approval.is_empty() {
            return Verdict::NeedsApproval { actions: approval };
        }
        if write && a.mode == Mode::DryRun {
            return Verdict::DryRun;
        }
        Verdict::Allow
    }

    fn guardrail(&self, t: &Targets) -> Option<Verdict> {
        let g = &self.guardrails;
        for target in &t.ids {
            let protected: Option<&BTreeSet<String>> = match target.kind {
                TargetKind::User => Some(&g.users),
                TargetKind::Role => Some(&g.roles),
                TargetKind::Client => Some(&g.clients),
                TargetKind::Connection | TargetKind::ConnectionName => Some(&g.connections),
                TargetKind::Organization => Some(&g.organizations),
                TargetKind::Api => Some(&g.apis),
                // No guardrail list exists for these kinds.
                TargetKind::Grant | TargetKind::RefreshToken | TargetKind::Session | TargetKind::Log => None,
            };
            let Some(set) = protected.filter(|s| !s.is_empty()) else { continue };
            if is_protected(set, &target.id) {
                return Some(deny(
                    DenyCode::ProtectedTarget,
                    format!(
                        "{} {} is protected by a tenant guardrail; no agent may change it",
                        target.kind.noun(),
                        target.id
                    ),
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

fn because(n: &Need) -> String {
    const SHOWN: usize = 8;
    let mut s = n.because.iter().take(SHOWN).map(String::as_str).collect::<Vec<_>>().join(", ");
    if n.because.len() > SHOWN {
        s.push_str(&format!(", and {} more", n.because.len() - SHOWN));
    }
    s
}

fn dangerous(a: &AgentPolicy, needs: &[Need]) -> Option<Verdict> {
    // An action granted with approval is not missing: the guard asks for the approval
    // after every other check (allow-lists, token scopes) passed.
    let missing: Vec<&Need> = needs.iter().filter(|n| !a.may_request(n.action)).collect();
    if missing.is_empty() {
        return None;
    }
    let what: Vec<String> = missing
        .iter()
        .map(|n| {
            // "changing a user's app_metadata (app_metadata)" says nothing twice: the
            // keys are shown only when the action's phrase does not already name them.
            let gerund = n.action.gerund();
            if n.because.is_empty() || n.because.iter().all(|k| gerund.ends_with(k.as_str())) {
                gerund.to_owned()
            } else {
                format!("{} ({})", n.action.gerund(), because(n))
            }
        })
        .collect();
    let names: Vec<String> = missing.iter().map(|n| format!("`{}`", n.action)).collect();
    let reason = if missing.len() == 1 {
        format!("{} is not granted to this agent (action {})", what[0], names[0])
    } else {
        format!("{} are not granted to this agent (actions {})", what.join(" and "), names.join(", "))
    };
    Some(deny(DenyCode::ActionNotGranted, reason))
}

/// The agent's allow-list for ids of `kind`, and what it is called in reasons. `None`:
/// no allow-list exists for that kind.
fn allow_list(a: &AgentPolicy, kind: TargetKind) -> Option<(&AllowList, &'static str)> {
    let l = &a.allow;
    match kind {
        TargetKind::Role => Some((&l.roles, "assignable roles")),
        TargetKind::Organization => Some((&l.organizations, "organizations")),
        TargetKind::ConnectionName => Some((&l.connections, "connections")),
        TargetKind::Client => Some((&l.clients, "applications")),
        TargetKind::Api => Some((&l.apis, "APIs")),
        TargetKind::User
        | TargetKind::Connection
        | TargetKind::Grant
        | TargetKind::RefreshToken
        | TargetKind::Session
        | TargetKind::Log => None,
    }
}

fn allow_lists(a: &AgentPolicy, t: &Targets) -> Option<Verdict> {
    // Kinds in the catalog's order; only those with allow-listed ids are looked at.
    for kind in TargetKind::ALL {
        let mut ids = t.ids.iter().filter(|t| t.allow_listed && t.kind == kind).map(|t| t.id.as_str()).peekable();
        if ids.peek().is_none() {
            continue;
        }
        let noun = kind.noun();
        let Some((list, what)) = allow_list(a, kind) else {
            // The catalog restricts an id kind no allow-list exists for: fail closed.
            return Some(deny(
                DenyCode::NotAllowListed,
                format!("no allow-list exists for {noun} ids, so none may be used here"),
            ));
        };
        if ids.clone().all(|id| list.allows(id)) {
            continue;
        }
        let refused: Vec<&str> = ids.clone().filter(|id| !list.allows(id)).collect();
        let total = ids.count();
        let reason = if refused.len() == 1 {
            format!("{noun} {} is not on this agent's list of {what}", refused[0])
        } else {
            format!("{noun}s {} are not on this agent's list of {what}", list_ids(refused.iter().copied()))
        };
        let reason = if total > 1 { format!("{reason} (the whole batch of {total} is refused)") } else { reason };
        return Some(deny(DenyCode::NotAllowListed, reason));
    }
    None
}
