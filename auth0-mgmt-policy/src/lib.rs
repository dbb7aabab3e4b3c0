//! # auth0-mgmt-policy
//!
//! The guard between AI agents (or any automation) and the [`auth0_mgmt`] client: each
//! agent gets exactly the access it was granted, everything else is denied by default,
//! and every call — allowed or denied — leaves a plain-English audit record.
//!
//! * **Per-agent policy** in a TOML file: a level per resource (`off`/`read`/`full`),
//!   dangerous actions switched on one by one, allow-lists of ids, enforce or dry run.
//! * **Guardrails**: tenant-wide protected ids that no agent may change.
//! * **Scope pre-checks**: the live token's scopes are compared with the operation's
//!   required scopes before every send (also after a token refresh); a missing scope is
//!   denied locally, naming the scopes, instead of a 403 round trip.
//! * **Audit, fail-closed by construction**: every write's decision record is written
//!   (and flushed) *before* the request leaves — if it cannot be, the write is denied and
//!   nothing is sent; every call's outcome is recorded after, as a sentence and as JSON,
//!   to a JSON-lines file, `tracing` or memory. A lost outcome record blocks writes until
//!   it has been written.
//! * **Redaction**: application secrets and identity-provider tokens are removed from
//!   responses unless the agent may read them.
//! * **Human approval** ([`approval`]): dangerous actions listed in `approve` run only
//!   after a human approved that exact request, once; the call ends
//!   `approval_required` until then (nothing sent).
//! * **Per-agent budgets** ([`budget`]): `limits` on calls and writes per rolling
//!   minute, hour or day; a throttled call is denied (`agent_rate_limited`, with when to
//!   retry) and never reaches the tenant.
//! * **Tamper-evident audit** ([`chain`]): every JSON-lines record carries `seq`,
//!   `prev_hash` and `hash`; [`chain::verify`] names the first broken link.
//!
//! Every fact the guard uses comes from the [operation catalog](auth0_mgmt::catalog):
//! each operation's descriptor says which id kind is in its path, which body fields hold
//! ids, which dangerous actions it needs and on which body keys, how every body key is
//! classified, and the phrase of its audit sentence. The guard matches on that data
//! exhaustively; it holds no per-operation table of its own, never compares an
//! operation id string, and an operation added to the catalog without its description
//! does not compile.
//!
//! ```no_run
//! use std::sync::Arc;
//! use auth0_mgmt::{Client, UserId};
//! use auth0_mgmt_policy::{GuardedClient, JsonLinesSink, Policy};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder()
//!     .domain("acme.eu.auth0.com")
//!     .client_credentials("CLIENT_ID", "CLIENT_SECRET")
//!     .build()?;
//! let policy = Arc::new(Policy::from_file("policy.toml")?);
//! let audit = Arc::new(JsonLinesSink::open("audit.jsonl")?);
//!
//! let support = GuardedClient::new(&client, policy, "support-bot", audit);
//! let id: UserId = "auth0|123".parse()?;
//! let user = support.users().get(&id).await?;          // allowed: sent, outcome recorded
//! let denied = support.users().delete(&id).await;      // denied: nothing sent, recorded
//! assert!(denied.unwrap_err().is_denied());
//! # let _ = user; Ok(()) }
//! ```
//!
//! # The policy file
//!
//! A complete file (every key there is; unknown keys are load errors):
//!
//! ```
//! # let text = r#"
//! ## The file format version. Required; this crate reads version 1.
//! schema_version = 1
//!
//! ## Tenant-wide: no agent may change these, whatever it was granted. Matching is
//! ## case-insensitive and sees through percent-encoding.
//! [guardrails]
//! protected_clients       = ["GATEWAY_CLIENT_ID"]        # the gateway's own application
//! protected_users         = ["auth0|break-glass-1"]      # break-glass accounts
//! protected_roles         = ["rol_TenantAdmin"]          # admin roles: never assigned or removed
//! protected_connections   = []                           # connection ids or names
//! protected_organizations = []
//! protected_apis          = ["https://acme.eu.auth0.com/api/v2/"]
//!
//! ## Tenant-wide approval settings (optional).
//! [approvals]
//! expire_after_minutes = 15                              # 1..=1440; default 15
//! approvers = ["alice@acme.com", "bob@acme.com"]         # who may decide; absent: any operator
//!
//! [agents.support-bot]
//! description = "Answers support tickets"                # optional, free text
//! mode = "enforce"                                       # or "dry_run"; default "enforce"
//! ## One level per resource: off (the default for a resource not named), read or full.
//! resources = { users = "full", roles = "read", logs = "read", organizations = "read" }
//! ## Dangerous actions, one by one. `full` never implies any of them.
//! actions = ["update_app_metadata"]
//! ## Dangerous actions granted only with a human's approval, call by call.
//! approve = ["delete_users"]
//! approval = "operator"                                  # default; "client": MCP elicitation
//! approvers = ["alice@acme.com"]                         # overrides [approvals].approvers
//! ## Budgets over rolling windows: calls_/writes_ per_minute, per_hour, per_day.
//! limits = { calls_per_minute = 120, writes_per_hour = 30 }
//! ## For the MCP gateway over HTTP: the SHA-256 (hex) of the agent's bearer key.
//! key_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
//!
//! [agents.provisioner]
//! mode = "dry_run"
//! resources = { users = "full", roles = "full", organizations = "full", clients = "read" }
//! actions = ["assign_roles", "add_organization_members"]
//!
//! ## Allow-lists: the ids a dangerous write may use. Absent means none; ["*"] means any.
//! [agents.provisioner.allow]
//! roles         = ["rol_Support", "rol_Viewer"]          # users.assign_roles / remove_roles
//! organizations = ["org_Acme"]                           # organizations.add_members
//! connections   = ["Username-Password-Authentication"]   # users.create
//! clients       = []                                     # clients.update / delete
//! apis          = []                                     # resource_servers.create, refresh_tokens.revoke
//! # "#;
//! # let policy = auth0_mgmt_policy::Policy::from_toml(text).unwrap();
//! # assert_eq!(policy.agent_names(), ["provisioner", "support-bot"]);
//! # assert!(policy.agent("support-bot").unwrap().approve().contains(auth0_mgmt_policy::Action::DeleteUsers));
//! ```
//!
//! Resources: `users`, `roles`, `clients`, `connections`, `organizations`, `logs`,
//! `grants`, `resource_servers`, `refresh_tokens`, `sessions` (as in
//! [`Resource`](auth0_mgmt::catalog::Resource); note that `users.list_roles`,
//! `users.assign_roles` and `users.remove_roles` belong to `roles`). `read` allows the
//! resource's read operations, `full` its writes too — except the dangerous
//! [`Action`]s, each of which must be switched on and needs its resource at `full`
//! (`read` for `read_client_secrets`); anything else is a load error naming the line.
//! The actions are the catalog's [`Action`]s: `delete_users`, `update_user_credentials`,
//! `update_app_metadata`, `assign_roles`, `remove_roles`, `create_clients`,
//! `update_clients`, `delete_clients`, `update_client_credentials`,
//! `read_client_secrets`, `create_connections`, `add_organization_members`,
//! `delete_grants`, `revoke_refresh_tokens`.
//!
//! Which body keys need which action is catalog data ([`Body::keys`]; the generated
//! table in [`auth0_mgmt::catalog`] lists it per operation). For example `users.update`
//! needs `update_user_credentials` for `password`, `email`, `email_verified`,
//! `verify_email`, `phone_number`, `phone_verified`, `verify_phone_number`, `username`,
//! `connection` and `client_id`, and `update_app_metadata` for `app_metadata` (so does
//! `users.create`); `clients.create`/`clients.update` need `update_client_credentials`
//! for `client_secret`, `client_authentication_methods`, `encryption_key`,
//! `signed_request_object`, `token_endpoint_auth_method` and `jwt_configuration.alg` /
//! `.secret_encoded` (nested keys are classified one by one). Every key is classified —
//! no cap, no sampling:
//!
//! * a key the catalog does not know counts as the operation's **most sensitive class**
//!   (all of `users.update`'s actions, for instance);
//! * a key spelled differently from a known one (`App_Metadata`, `app-metadata`,
//!   `appMetadata`, a trailing space, a look-alike letter) is refused (`invalid_body`);
//! * JSON escapes are decoded before classification, and duplicate keys have collapsed
//!   to the last one — the body sent is serialized from the very value classified;
//! * a body over [`MAX_BODY_VALUES`] values or [`MAX_BODY_BYTES`] bytes, or deeper than
//!   [`MAX_BODY_DEPTH`], is refused (`invalid_body`) rather than sent half-checked.
//!
//! [`Body::keys`]: auth0_mgmt::catalog::Body::keys
//!
//! Names are exact: `Users`, `user` or `usеrs` with a Cyrillic `е` are load errors that
//! say what is wrong. A file that fails to load grants nothing; see
//! [`Policy::load_or_deny_all`].
//!
//! `approve` takes write actions whose resource is at `full`, never one that is also in
//! `actions` (an action is granted outright *or* call by call), never
//! `read_client_secrets` (it changes what responses show; there is no request to
//! approve). `approval` and `approvers` need an `approve` list; an approver may not be
//! an agent of the policy. `limits` values are 1 to 100,000 (to forbid writes, give the
//! resource level `read`).
//!
//! # Evaluation order
//!
//! For every call, before anything is sent; the first failing check is the reason:
//!
//! 0. the policy loaded and names the agent (`policy_not_loaded`, `unknown_agent`);
//! 1. **targets and body**: the ids in the path and in the body — wherever the catalog
//!    says they are (`roles` of `users.assign_roles`, `members` of
//!    `organizations.add_members`, the `connection` of `users.create`,
//!    `enabled_clients` of `connections.create`, `enabled_connections[].connection_id`
//!    of `organizations.create`, `ids`/`user_id`/`client_id`/`audience` of
//!    `refresh_tokens.revoke`, …) — are present, strings, and valid (`invalid_target`);
//!    a write carries no query parameters; the body can be classified (`invalid_body`);
//! 2. **guardrails**: a write touching a protected id is denied (`protected_target`);
//! 3. **level** on the operation's resource (`resource_off`, `read_only`);
//! 4. **dangerous actions**: the operation's own and every body key's
//!    (`action_not_granted`, naming the keys);
//! 5. **allow-lists**: every id the catalog marks as allow-listed must be on the agent's
//!    list of its kind; a batch is all or nothing (`not_allow_listed`);
//! 6. **token scopes** ⊇ the operation's required scopes, read from the live token
//!    before every send and re-read after every refresh (`missing_scope`);
//! 7. **budget**: the agent's `limits` have room; the call is charged
//!    (`agent_rate_limited`, with [`retry_after`](auth0_mgmt::Denial::retry_after));
//! 8. **approval**, when check 4 found actions granted only with approval: an approval of
//!    this exact request is consumed, or the call ends `approval_required` (a request is
//!    made) or `approval_denied` (a human refused it); the budget charge is given back;
//! 9. **write-ahead record**: a write's intent record is written (and flushed) — or the
//!    write is denied (`audit_unavailable`, charge given back).
//!
//! Checks 1–5 are the pure function [`Policy::decide`], run **once** per call (in the
//! interceptor's `begin`); check 6 is [`Policy::check_scopes`]; 7–9 run in the
//! asynchronous `before_send`, right before the first send — so a denial by any earlier
//! check is final and asks nobody (deny beats approve), and a denied call costs no
//! budget. **Dry run** runs every check, 9 included, and differs only in then not
//! sending the write (`not executed: dry run`); a dry-run denial is the very denial
//! enforce mode would give; a dry-run write is charged to the budget like the write it
//! rehearses, and one that would need approval asks nobody (its reason says enforce
//! would ask). A denial is [`auth0_mgmt::Error::Denied`], which guarantees that nothing
//! was sent.
//!
//! # Audit
//!
//! See [`audit`]. The contract, per call:
//!
//! * **write-ahead**: before a write leaves, its [`RecordPhase::Intent`] record goes to
//!   the sink; [`AuditSink::write`] returning `Err` denies the call — nothing is sent;
//! * **outcome**: after every call (allowed or denied, read or write), its one
//!   [`RecordPhase::Outcome`] record; if the sink refuses it, the failure is logged with
//!   `tracing::error!`, the guard keeps the record, and every write is refused until the
//!   kept records have been written, in order ([`Guard::audit_backlog`]);
//! * the sink trait has that one method and nothing a sink author could forget;
//! * approvals' lifecycle — requested, approved, denied, expired, consumed — is recorded
//!   in the same trail ([`RecordPhase::Approval`]);
//! * [`JsonLinesSink`] chains its lines ([`chain`]): `seq`, `prev_hash`, `hash`, resumed
//!   across restarts and shared by processes under a file lock; [`chain::verify`] says
//!   `intact, N records` or names the first broken line.
//!
//! Each record holds the time (RFC 3339 UTC), a call id shared by a call's records, the
//! agent, operation id, target ids, the recorded body keys and needed actions, decision
//! and reason code, outcome (HTTP status, Auth0 `errorCode`, duration), the policy
//! version (SHA-256 of the file), and a sentence:
//!
//! ```text
//! support-bot read user auth0|123 — allowed, 200 in 41 ms
//! support-bot tried to delete user auth0|123 — denied: deleting users is not granted to this agent (action `delete_users`)
//! provisioner is about to assign role rol_Support to user auth0|123 — allowed, sending
//! provisioner assigned role rol_Support to user auth0|123 — allowed, 204 in 38 ms
//! rehearsal would assign role rol_Support to user auth0|123 — allowed, not executed: dry run
//! support-bot wants to delete user auth0|123 — approval apr_… requested from alice@acme.com, expires 2026-…Z
//! support-bot asked to delete user auth0|123 — awaits approval: support-bot wants to delete user auth0|123; this needs approval by alice@acme.com …
//! alice@acme.com approved apr_…: support-bot wants to delete user auth0|123 (usable once until 2026-…Z)
//! support-bot wants to delete user auth0|123 — approval apr_… used (it is spent)
//! support-bot deleted user auth0|123 — allowed, 204 in 40 ms
//! batch-bot tried to list users — denied: this agent's limit of 120 calls per minute is reached; it may retry in 12 s (at …)
//! ```

/// The crate README's examples, compiled as doctests so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod clock;
mod decision;
mod guard;
mod names;
mod policy;
mod sinks;
mod targets;

pub mod approval;
pub mod audit;
pub mod budget;
pub mod canonical;
pub mod chain;
pub mod redact;

pub use approval::{Approval, ApprovalError, ApprovalState, ApprovalStore, Approvals, SqliteApprovalStore};
pub use audit::{
    ApprovalEvent, ApprovalEventKind, AuditDecision, AuditError, AuditOutcome, AuditRecord, AuditSink, RecordPhase,
};
pub use auth0_mgmt::{ApprovalChannel, ApprovalTicket};
pub use budget::{BudgetStore, InMemoryBudgets, Limits};
pub use clock::{Clock, ManualClock, SystemClock, TokioClock};
pub use decision::{Decision, DenyCode, Verdict};
pub use guard::{Guard, GuardedClient};
pub use names::{Action, ActionSet, Level, Mode};
pub use policy::{
    AgentPolicy, AllowList, AllowLists, ApprovalSettings, DEFAULT_APPROVAL_TTL, Guardrails, Policy, PolicyError,
    PolicyVersion, SCHEMA_VERSION,
};
pub use sinks::{JsonLinesSink, MAX_PENDING, MemorySink, Tee, TracingSink};
pub use targets::{MAX_BODY_BYTES, MAX_BODY_DEPTH, MAX_BODY_IDS, MAX_BODY_VALUES, Need, Target, TargetKind, Targets};
