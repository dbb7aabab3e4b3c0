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
//! * **Audit**: one record per call, as a sentence and as JSON, to a JSON-lines file,
//!   `tracing` or memory; writes fail closed when the record cannot be written.
//! * **Redaction**: application secrets and identity-provider tokens are removed from
//!   responses unless the agent may read them.
//!
//! The policy keys on the [operation catalog](auth0_mgmt::catalog) — operation ids and
//! resources — never on URLs or method names.
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
//! let user = support.users().get(&id).await?;          // allowed, audited
//! let denied = support.users().delete(&id).await;      // denied, nothing sent, audited
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
//! [agents.support-bot]
//! description = "Answers support tickets"                # optional, free text
//! mode = "enforce"                                       # or "dry_run"; default "enforce"
//! ## One level per resource: off (the default for a resource not named), read or full.
//! resources = { users = "full", roles = "read", logs = "read", organizations = "read" }
//! ## Dangerous actions, one by one. `full` never implies any of them.
//! actions = ["update_app_metadata"]
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
//! ```
//!
//! Resources: `users`, `roles`, `clients`, `connections`, `organizations`, `logs`,
//! `grants`, `resource_servers`, `refresh_tokens`, `sessions` (as in
//! [`Resource`](auth0_mgmt::catalog::Resource); note that `users.list_roles`,
//! `users.assign_roles` and `users.remove_roles` belong to `roles`). `read` allows the
//! resource's read operations, `full` its writes too — except the dangerous
//! [`Action`]s, each of which must be switched on and needs its resource at `full`
//! (`read` for `read_client_secrets`); anything else is a load error naming the line.
//!
//! `users.update` needs `update_user_credentials` for `password`, `email`,
//! `email_verified`, `verify_email`, `phone_number`, `phone_verified`,
//! `verify_phone_number`, `username`, `connection`, `client_id` **and any field not
//! known to be harmless**; it needs `update_app_metadata` for `app_metadata` (so does
//! `users.create` with `app_metadata`). Harmless: `blocked`, `user_metadata`,
//! `given_name`, `family_name`, `name`, `nickname`, `picture`.
//!
//! Names are exact: `Users`, `user` or `usеrs` with a Cyrillic `е` are load errors that
//! say what is wrong. A file that fails to load grants nothing; see
//! [`Policy::load_or_deny_all`].
//!
//! # Evaluation order
//!
//! For every call, before anything is sent; the first failing check is the reason:
//!
//! 0. the policy loaded and names the agent (`policy_not_loaded`, `unknown_agent`);
//! 1. **targets**: the operation's ids from the path and the body (role ids in
//!    `users.assign_roles`, member ids in `organizations.add_members`, the connection of
//!    `users.create`, the identifier of `resource_servers.create`, `ids`/`user_id`/
//!    `client_id`/`audience` of `refresh_tokens.revoke`, …) are present and valid; a
//!    write carries no query parameters (`invalid_target`);
//! 2. **guardrails**: a write touching a protected id is denied (`protected_target`);
//! 3. **level** on the operation's resource (`resource_off`, `read_only`);
//! 4. **dangerous actions** the call needs (`action_not_granted`);
//! 5. **allow-lists**: every listed id must be allowed; a batch is all or nothing
//!    (`not_allow_listed`);
//! 6. **token scopes** ⊇ the operation's required scopes, read from the live token
//!    before every send and re-read after every refresh (`missing_scope`).
//!
//! Then: in `dry_run` mode an allowed write is not sent (`not executed: dry run`); a
//! write is refused when the audit sink is not ready (`audit_unavailable`, fail closed).
//! Checks 1–5 are the pure function [`Policy::decide`]; check 6 is
//! [`Policy::check_scopes`]. A denial is [`auth0_mgmt::Error::Denied`], which
//! guarantees that nothing was sent.
//!
//! # Audit
//!
//! See [`audit`]. Each record holds the time (RFC 3339 UTC), agent, operation id,
//! target ids, decision and reason code, outcome (HTTP status, Auth0 `errorCode`,
//! duration), the policy version (SHA-256 of the file), and a sentence:
//!
//! ```text
//! support-bot read user auth0|123 — allowed, 200 in 41 ms
//! support-bot tried to delete user auth0|123 — denied: deleting users is not granted to this agent (action `delete_users`)
//! provisioner would assign role rol_Support to user auth0|123 — allowed, not executed: dry run
//! ```

mod decision;
mod guard;
mod names;
mod policy;
mod sinks;
mod targets;

pub mod audit;
pub mod redact;

pub use audit::{AuditDecision, AuditError, AuditOutcome, AuditRecord, AuditSink};
pub use decision::{Decision, DenyCode, Verdict};
pub use guard::{Guard, GuardedClient};
pub use names::{Action, ActionSet, Level, Mode};
pub use policy::{AgentPolicy, AllowList, AllowLists, Guardrails, Policy, PolicyError, PolicyVersion, SCHEMA_VERSION};
pub use sinks::{JsonLinesSink, MAX_PENDING, MemorySink, Tee, TracingSink};
pub use targets::{Target, TargetKind, Targets};
