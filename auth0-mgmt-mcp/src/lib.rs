//! # auth0-mgmt-mcp
//!
//! An [MCP](https://modelcontextprotocol.io) gateway that lets AI agents administer an
//! Auth0 tenant — each agent with its own key, its own tools and nothing more. One
//! gateway process holds the Auth0 credentials; agents (Claude Desktop, Cursor, agent
//! frameworks, anything that speaks MCP) connect over stdio or streamable HTTP and see
//! only what their policy (`auth0-mgmt-policy`) grants. Every `tools/call` goes through
//! the same [`GuardedClient`](auth0_mgmt_policy::GuardedClient) as a library call:
//! decided, scope-checked, audited, redacted.
//!
//! * **Tools** are derived from the operation catalog: one per operation the agent could
//!   be allowed (its level on the resource and its dangerous actions), named by the
//!   operation id with `.` replaced by `_` (`users_get`). The path id is the argument
//!   `id`, query parameters keep Auth0's names, body fields are the remaining arguments.
//!   Input schemas are generated from the typed request models with
//!   `additionalProperties: false`, and arguments are validated against them: an
//!   argument the schema does not declare is refused.
//! * **Calls**: a denial is a tool result with `isError: true`, the reason and the code;
//!   nothing reaches the tenant. A tool the agent was not given is refused and audited.
//!   Listings return one page and `next`.
//! * **Approvals**: a dangerous action the policy lists under `approve` is offered as a
//!   tool; its call ends `approval_required` (an error result with the approval id, the
//!   request in plain English, who decides and until when; nothing is sent) until a
//!   human approves that exact request in the [`ApprovalStore`](auth0_mgmt_policy::ApprovalStore)
//!   given with [`Gateway::with_approvals`]; the identical retry then runs once. For an
//!   agent with `approval = "client"` (never the default), the gateway asks the user of
//!   the agent's MCP client through elicitation when the client supports it, and on
//!   approve runs the call once within the same `tools/call`
//!   ([`AgentGateway::call_from`]).
//! * **Budgets**: the policy's `limits`, per agent, counted per gateway process; a call
//!   past them ends `agent_rate_limited` with `retry_after_seconds` and `retry_at`.
//! * **Transports**: [`AgentServer`] serves one agent over any rmcp transport (stdio);
//!   [`http::HttpGateway`] serves every agent of the policy over HTTP, each
//!   authenticated by `Authorization: Bearer <key>` against the `key_sha256` in the
//!   policy file.
//!
//! ```no_run
//! use std::sync::Arc;
//! use auth0_mgmt::Client;
//! use auth0_mgmt_mcp::{AgentServer, Gateway};
//! use auth0_mgmt_policy::{JsonLinesSink, Policy};
//! use rmcp::ServiceExt;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder()
//!     .domain("acme.eu.auth0.com")
//!     .client_credentials("CLIENT_ID", "CLIENT_SECRET")
//!     .build()?;
//! let policy = Arc::new(Policy::from_file("policy.toml")?);
//! let gateway = Gateway::new(client, policy, Arc::new(JsonLinesSink::open("audit.jsonl")?));
//! let server = AgentServer::new(gateway.agent("support-bot")?);
//! server.serve(rmcp::transport::stdio()).await?.waiting().await?;
//! # Ok(()) }
//! ```
//!
//! The binary `auth0-mgmt-mcp` (see its `--help`) wraps this: `stdio`, `http` and
//! `tools` commands, `approvals list | approve | deny` for the humans, and
//! `audit verify`; the README has the client configuration.

pub mod config;
mod gateway;
pub mod http;
mod server;
pub mod tools;

pub use gateway::{AgentGateway, DEFAULT_ELICITATION_TIMEOUT, Gateway, SetupError, ToolOutcome};
pub use server::AgentServer;

/// A tool list as JSON (name, title, description, input schema, annotations), as the
/// `tools` command prints it for frameworks that take function-calling schemas.
pub fn tools_json(agent: &AgentGateway) -> serde_json::Value {
    serde_json::to_value(agent.tools()).unwrap_or(serde_json::Value::Null)
}
