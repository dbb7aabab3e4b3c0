//! The MCP server of one agent: `tools/list` and `tools/call` over the agent's gateway.

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, ListToolsResult, PaginatedRequestParams,
    ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};

use crate::gateway::AgentGateway;
use crate::http::AuthenticatedAgent;

/// An MCP server for one agent. Serve it over any rmcp transport:
///
/// ```no_run
/// # async fn run(agent: auth0_mgmt_mcp::AgentGateway) -> Result<(), Box<dyn std::error::Error>> {
/// use rmcp::ServiceExt;
/// let running = auth0_mgmt_mcp::AgentServer::new(agent).serve(rmcp::transport::stdio()).await?;
/// running.waiting().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct AgentServer {
    agent: AgentGateway,
    tools: Vec<Tool>,
}

impl AgentServer {
    /// The server for `agent` (its tool list is computed once).
    pub fn new(agent: AgentGateway) -> AgentServer {
        let tools = agent.tools();
        AgentServer { agent, tools }
    }

    /// The agent.
    pub fn agent(&self) -> &AgentGateway {
        &self.agent
    }
}

impl ServerHandler for AgentServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("auth0-mgmt-mcp", env!("CARGO_PKG_VERSION")))
            .with_instructions(format!(
                "Tools to administer an Auth0 tenant as the agent `{}`. Every call is checked against this \
                 agent's policy and audited; a denied call returns isError with the reason and sends nothing. \
                 List tools return one page and `next` to continue.",
                self.agent.name()
            ))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools.clone()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.tools.iter().find(|t| t.name == name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        // Over HTTP the authenticated agent travels with the request; a server only ever
        // answers for its own agent (the routing already guarantees it; this is the
        // second lock).
        if let Some(parts) = context.extensions.get::<hyper::http::request::Parts>() {
            match parts.extensions.get::<AuthenticatedAgent>() {
                Some(a) if a.0 == self.agent.name() => {}
                _ => return Err(ErrorData::invalid_request("not authenticated as this agent", None)),
            }
        }
        // The peer is this session's MCP client: an `approval = "client"` agent's call
        // may ask its user (elicitation), nobody else's.
        let outcome = self.agent.call_from(&request.name, request.arguments, Some(&context.peer)).await;
        Ok(outcome.into_result().into())
    }
}
