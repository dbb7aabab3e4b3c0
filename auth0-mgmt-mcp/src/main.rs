//! `auth0-mgmt-mcp`: the MCP gateway for AI agents administering an Auth0 tenant.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use auth0_mgmt_mcp::config::{self, Upstream};
use auth0_mgmt_mcp::http::{HttpGateway, HttpOptions};
use auth0_mgmt_mcp::{AgentServer, Gateway};
use auth0_mgmt_policy::{AuditSink, JsonLinesSink, Policy, TracingSink};
use clap::{Args, Parser, Subcommand};
use rmcp::ServiceExt;

/// An MCP gateway that gives each AI agent its own, policy-limited tools over the Auth0
/// Management API. The gateway holds the Auth0 credentials; agents never see them.
///
/// Credentials come from AUTH0_DOMAIN, AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET (an
/// application authorized for the Management API). AUTH0_MGMT_BASE_URL overrides the API
/// origin (plain http only for loopback); AUTH0_MGMT_CA_FILE adds root certificates
/// (PEM). Logs go to stderr (RUST_LOG sets the level).
#[derive(Parser, Debug)]
#[command(name = "auth0-mgmt-mcp", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve one agent over stdio (how Claude Desktop, Cursor and most MCP clients
    /// launch a local server).
    Stdio {
        #[command(flatten)]
        common: Common,
        /// The agent, as named in the policy file (`[agents.NAME]`).
        #[arg(long, value_name = "NAME")]
        agent: String,
    },
    /// Serve every agent of the policy over streamable HTTP at /mcp. Each request needs
    /// `Authorization: Bearer <agent key>`; the policy file holds each agent's
    /// `key_sha256` (the hex SHA-256 of its key). A missing or unknown key gets 401.
    Http {
        #[command(flatten)]
        common: Common,
        /// The address to listen on, e.g. 127.0.0.1:8787.
        #[arg(long, value_name = "ADDR")]
        listen: SocketAddr,
        /// Also accept this Host header (besides localhost, 127.0.0.1 and ::1); repeat
        /// for several. Needed when clients reach the gateway by another name.
        #[arg(long = "allow-host", value_name = "HOST")]
        allow_host: Vec<String>,
    },
    /// Print an agent's tool list (name, description, JSON Schema of the input,
    /// annotations) as JSON, for frameworks that take function-calling schemas.
    Tools {
        /// The policy file (TOML; see auth0-mgmt-policy).
        #[arg(long, value_name = "FILE")]
        policy: PathBuf,
        /// The agent, as named in the policy file.
        #[arg(long, value_name = "NAME")]
        agent: String,
    },
}

#[derive(Args, Debug)]
struct Common {
    /// The policy file (TOML; see auth0-mgmt-policy). The gateway refuses to start when
    /// it does not load.
    #[arg(long, value_name = "FILE")]
    policy: PathBuf,
    /// Append the audit trail (JSON lines) to this file; without it, audit records are
    /// logged to stderr.
    #[arg(long, value_name = "FILE")]
    audit: Option<PathBuf>,
    /// Start the built-in fake tenant on loopback and use it instead of a real tenant
    /// (offline demo; no credentials needed).
    #[arg(long)]
    fake: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,auth0_mgmt_policy::audit=info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    // One agent over stdio is one conversation: a single-threaded runtime saves the
    // cross-thread wake-ups on every message. HTTP serves many agents on all cores.
    let mut builder = match cli.command {
        Command::Http { .. } => tokio::runtime::Builder::new_multi_thread(),
        _ => tokio::runtime::Builder::new_current_thread(),
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("could not start the runtime: {e}")),
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(reason) => fail(&reason),
    }
}

fn fail(reason: &str) -> ExitCode {
    eprintln!("auth0-mgmt-mcp: {}", reason.replace('\n', " "));
    ExitCode::FAILURE
}

fn load_policy(path: &Path) -> Result<Arc<Policy>, String> {
    Policy::from_file(path).map(Arc::new).map_err(|e| format!("the policy did not load: {e}"))
}

fn open_sink(audit: Option<&Path>) -> Result<Arc<dyn AuditSink>, String> {
    match audit {
        Some(path) => JsonLinesSink::open(path)
            .map(|s| Arc::new(s) as Arc<dyn AuditSink>)
            .map_err(|e| format!("the audit file could not be opened: {e}")),
        None => Ok(Arc::new(TracingSink)),
    }
}

async fn upstream(fake: bool) -> Result<Upstream, String> {
    if fake { config::fake().await } else { config::from_env(|k| std::env::var(k).ok()) }
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Tools { policy, agent } => {
            let policy = load_policy(&policy)?;
            // Listing tools sends nothing: any client will do.
            let client = auth0_mgmt::Client::builder()
                .domain("tools.invalid")
                .token("unused")
                .build()
                .map_err(|e| e.to_string())?;
            let gateway = Gateway::new(client, policy, Arc::new(TracingSink));
            let agent = gateway.agent(&agent).map_err(|e| e.to_string())?;
            let json = serde_json::to_string_pretty(&auth0_mgmt_mcp::tools_json(&agent)).map_err(|e| e.to_string())?;
            println!("{json}");
            Ok(())
        }
        Command::Stdio { common, agent } => {
            let policy = load_policy(&common.policy)?;
            if policy.agent(&agent).is_none() {
                return Err(format!(
                    "the policy names no agent `{}` (agents: {})",
                    auth0_mgmt_policy::audit::sanitize(&agent),
                    policy.agent_names().join(", ")
                ));
            }
            let sink = open_sink(common.audit.as_deref())?;
            let up = upstream(common.fake).await?;
            let gateway = Gateway::new(up.client, policy, sink).with_secrets(up.secrets);
            let agent = gateway.agent(&agent).map_err(|e| e.to_string())?;
            tracing::info!(agent = agent.name(), tools = agent.tools().len(), "serving over stdio");
            let running = AgentServer::new(agent)
                .serve(rmcp::transport::stdio())
                .await
                .map_err(|e| format!("the MCP session did not start: {e}"))?;
            running.waiting().await.map_err(|e| format!("the MCP session failed: {e}"))?;
            drop(up.fake);
            Ok(())
        }
        Command::Http { common, listen, allow_host } => {
            let policy = load_policy(&common.policy)?;
            let sink = open_sink(common.audit.as_deref())?;
            // Check the keys before anything else starts.
            let check = Gateway::new(
                auth0_mgmt::Client::builder()
                    .domain("check.invalid")
                    .token("unused")
                    .build()
                    .map_err(|e| e.to_string())?,
                policy.clone(),
                Arc::new(TracingSink),
            );
            check.all_agents().map_err(|e| e.to_string())?;
            let up = upstream(common.fake).await?;
            let gateway = Gateway::new(up.client, policy, sink).with_secrets(up.secrets);
            let http = HttpGateway::new(&gateway, HttpOptions::default().allowed_hosts(allow_host))
                .map_err(|e| e.to_string())?;
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|e| format!("could not listen on {listen}: {e}"))?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            // One line on stdout, so scripts and tests learn the port (with --listen …:0).
            println!("listening on http://{addr}/mcp");
            tracing::info!(%addr, agents = ?http.agents(), "serving over HTTP");
            http.serve(listener, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| e.to_string())?;
            drop(up.fake);
            Ok(())
        }
    }
}
