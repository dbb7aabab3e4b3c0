//! `auth0-mgmt-mcp`: the MCP gateway for AI agents administering an Auth0 tenant.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use auth0_mgmt_mcp::config::{self, Upstream};
use auth0_mgmt_mcp::http::{HttpGateway, HttpOptions};
use auth0_mgmt_mcp::{AgentServer, Gateway};
use auth0_mgmt_policy::audit::{rfc3339, sanitize};
use auth0_mgmt_policy::chain::{self, Head, Verification};
use auth0_mgmt_policy::{ApprovalStore, Approvals, AuditSink, JsonLinesSink, Policy, SqliteApprovalStore, TracingSink};
use clap::{Args, Parser, Subcommand};
use rmcp::ServiceExt;

/// An MCP gateway that gives each AI agent its own, policy-limited tools over the Auth0
/// Management API. The gateway holds the Auth0 credentials; agents never see them.
///
/// Credentials come from AUTH0_DOMAIN, AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET (an
/// application authorized for the Management API). AUTH0_MGMT_BASE_URL overrides the API
/// origin (plain http only for loopback); AUTH0_MGMT_CA_FILE adds root certificates
/// (PEM). Logs go to stderr (RUST_LOG sets the level).
///
/// Approvals: a dangerous action a policy lists under `approve = [...]` is offered to the
/// agent, but each call waits for a human. The gateway keeps the requests in a SQLite
/// file (`--approvals FILE`; by default `approvals.sqlite` next to the `--audit` file, or
/// else next to the policy file), and `auth0-mgmt-mcp approvals list | approve ID |
/// deny ID` decides them from another terminal, recording each decision in the same
/// audit chain.
///
/// Replicas: gateways started with the same `--redis URL` share one access token, one
/// rate-limit bucket, the approvals and the agents' budgets (`approvals --redis URL`
/// decides them).
#[derive(Parser)]
#[command(name = "auth0-mgmt-mcp", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
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
    /// Decide the calls that wait for a human's approval (list, approve, deny). Point it
    /// at the gateway's approval store and audit file: the same `--approvals`, or the
    /// same `--audit` (and `--policy`) the gateway was started with.
    #[command(subcommand)]
    Approvals(ApprovalsCommand),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Subcommand)]
enum ApprovalsCommand {
    /// List the approvals a human may still act on (waiting, or approved and not yet
    /// used), oldest first: id, state, the request in plain English, who may decide,
    /// until when. Expired requests are marked expired (and recorded) on the way.
    List {
        #[command(flatten)]
        store: StoreArgs,
        /// List the most recent approvals in every state instead (newest first).
        #[arg(long)]
        all: bool,
    },
    /// Approve a waiting request. The agent's identical call then runs once, if it is
    /// sent again before the approval expires. The decision is written to the audit
    /// trail before it takes effect.
    Approve {
        /// The approval id (apr_…), as the agent's tool result and `approvals list` show it.
        id: String,
        /// Who approves: a name the policy lists among the agent's approvers, when it
        /// lists any. Default: $USER, else $USERNAME, else `operator`.
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Deny a waiting (or approved, not yet used) request: the agent's identical call is
    /// refused until the denial expires. Recorded in the audit trail first.
    Deny {
        /// The approval id (apr_…).
        id: String,
        /// Who denies (see `approve --by`). Default: $USER, else $USERNAME, else `operator`.
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
        /// Why, for the record (shown to the agent on identical retries).
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify the hash chain of an audit file (JSON lines written with --audit). Prints
    /// `intact, N records` and the chain's head, or the first broken link and its line
    /// (a line edited, deleted, inserted, moved, or the file cut mid-record); exits with
    /// status 1 when the chain is broken.
    Verify {
        /// The audit file.
        file: PathBuf,
        /// The head kept from an earlier verification (`SEQ:HASH`, as printed): also
        /// detects records cut off the end of the file.
        #[arg(long, value_name = "SEQ:HASH")]
        head: Option<String>,
    },
}

/// Where the approvals live, and where their decisions are recorded.
#[derive(Args, Clone)]
struct StoreArgs {
    /// The approval store (SQLite). Default: `approvals.sqlite` next to the --audit
    /// file, else next to the --policy file.
    #[arg(long, value_name = "FILE")]
    approvals: Option<PathBuf>,
    /// The gateway's audit file: each decision is appended to its chain. Without it,
    /// decisions are logged to stderr only.
    #[arg(long, value_name = "FILE")]
    audit: Option<PathBuf>,
    /// The gateway's policy file (only used to find the default approval store).
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// The Redis the gateways were started with (`--redis`): their approvals live there,
    /// kept per tenant, so AUTH0_DOMAIN (or AUTH0_MGMT_BASE_URL), AUTH0_CLIENT_ID and
    /// AUTH0_CLIENT_SECRET must name the same tenant and application. Excludes --approvals.
    #[arg(long, value_name = "URL", conflicts_with = "approvals")]
    redis: Option<String>,
}

#[derive(Args)]
struct Common {
    /// The policy file (TOML; see auth0-mgmt-policy). The gateway refuses to start when
    /// it does not load.
    #[arg(long, value_name = "FILE")]
    policy: PathBuf,
    /// Append the audit trail (JSON lines) to this file; without it, audit records are
    /// logged to stderr.
    #[arg(long, value_name = "FILE")]
    audit: Option<PathBuf>,
    /// The approval store (SQLite), shared with `auth0-mgmt-mcp approvals`. Default:
    /// `approvals.sqlite` next to the --audit file, else next to the policy file. Opened
    /// (and created) only when an agent served has actions under `approve`.
    #[arg(long, value_name = "FILE")]
    approvals: Option<PathBuf>,
    /// Start the built-in fake tenant on loopback and use it instead of a real tenant
    /// (offline demo; no credentials needed).
    #[arg(long)]
    fake: bool,
    /// Share with every other gateway (or process) started with the same Redis
    /// (`redis://HOST:PORT/`): one access token, one rate-limit bucket, the approvals and
    /// the agents' budgets. Approvals then live in Redis instead of the SQLite file
    /// (excludes --approvals). Redis need not be up: the token and the pacer fall back
    /// to this process' own with one warning and rejoin; approvals and budgets are
    /// refused (nothing sent) while it is down.
    #[arg(long, value_name = "URL", conflicts_with = "approvals")]
    redis: Option<String>,
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
        Ok(code) => code,
        Err(reason) => fail(&reason),
    }
}

/// The approval store's file: `--approvals`, else `approvals.sqlite` beside the audit
/// file, else beside the policy file.
fn approvals_path(approvals: Option<&Path>, audit: Option<&Path>, policy: Option<&Path>) -> Option<PathBuf> {
    const DEFAULT_NAME: &str = "approvals.sqlite";
    if let Some(p) = approvals {
        return Some(p.to_owned());
    }
    audit.or(policy).map(|p| p.with_file_name(DEFAULT_NAME))
}

fn open_store(path: &Path) -> Result<Arc<SqliteApprovalStore>, String> {
    SqliteApprovalStore::open(path)
        .map(Arc::new)
        .map_err(|e| format!("the approval store {} could not be opened: {e}", path.display()))
}

/// The human's name for `--by`: the flag, else $USER, else $USERNAME, else `operator`;
/// control characters removed, surrounding spaces trimmed.
fn approver_name(by: Option<String>) -> String {
    let raw = by
        .or_else(|| std::env::var("USER").ok().filter(|u| !u.trim().is_empty()))
        .or_else(|| std::env::var("USERNAME").ok().filter(|u| !u.trim().is_empty()))
        .unwrap_or_else(|| "operator".to_owned());
    sanitize(raw.trim()).trim().to_owned()
}

async fn approvals(command: ApprovalsCommand) -> Result<ExitCode, String> {
    let store_args = match &command {
        ApprovalsCommand::List { store, .. }
        | ApprovalsCommand::Approve { store, .. }
        | ApprovalsCommand::Deny { store, .. } => store.clone(),
    };
    let store: Arc<dyn ApprovalStore> = match &store_args.redis {
        Some(url) => {
            let up = config::upstream(false, Some(url), |k| std::env::var(k).ok()).await?;
            up.shared.ok_or("no Redis connection")?.approvals()
        }
        None => {
            let path = approvals_path(
                store_args.approvals.as_deref(),
                store_args.audit.as_deref(),
                store_args.policy.as_deref(),
            )
            .ok_or("say where the approvals are: --approvals FILE, --redis URL, or the gateway's --audit FILE or --policy FILE")?;
            if !path.exists() {
                return Err(format!(
                    "there is no approval store at {} (the gateway creates it when an agent has actions under `approve`; \
                     pass the gateway's --approvals, --audit or --policy)",
                    path.display()
                ));
            }
            open_store(&path)?
        }
    };
    let sink = open_sink(store_args.audit.as_deref())?;
    let approvals = Approvals::new(store, sink);
    match command {
        ApprovalsCommand::List { all, .. } => {
            let list = if all { approvals.recent(100).await } else { approvals.pending().await };
            let list = list.map_err(|e| e.to_string())?;
            if list.is_empty() {
                println!("{}", if all { "no approvals" } else { "no approvals waiting" });
            }
            for a in list {
                let who = if a.approvers.is_empty() { "any operator".to_owned() } else { a.approvers.join(", ") };
                // The body as the agent sent it (secret values masked): what approving runs.
                let body = a.details.as_deref().map(|d| format!("\tbody: {}", sanitize(d))).unwrap_or_default();
                println!(
                    "{}\t{}\t{}\tapprovers: {who}\texpires {}{body}",
                    a.id,
                    a.state,
                    a.request,
                    rfc3339(a.expires_at)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        ApprovalsCommand::Approve { id, by, .. } => {
            let by = approver_name(by);
            let a = approvals.approve(id.trim(), &by).await.map_err(|e| e.to_string())?;
            println!(
                "approved {} by {by}: {} (the identical call may run once, until {})",
                a.id,
                a.request,
                rfc3339(a.expires_at)
            );
            Ok(ExitCode::SUCCESS)
        }
        ApprovalsCommand::Deny { id, by, note, .. } => {
            let by = approver_name(by);
            let note = note.map(|n| sanitize(&n));
            let a = approvals.deny(id.trim(), &by, note.as_deref()).await.map_err(|e| e.to_string())?;
            println!("denied {} by {by}: {}", a.id, a.request);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `SEQ:HASH` (64 hex digits) as printed by `audit verify`.
fn parse_head(s: &str) -> Result<Head, String> {
    let bad = || format!("--head must be SEQ:HASH as `audit verify` prints it, not `{}`", sanitize(s));
    let (seq, hash) = s.trim().split_once(':').ok_or_else(bad)?;
    let seq: u64 = seq.parse().map_err(|_| bad())?;
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let mut head = Head::genesis();
    head.seq = seq;
    head.hash = hash.to_ascii_lowercase();
    Ok(head)
}

fn audit(command: AuditCommand) -> Result<ExitCode, String> {
    let AuditCommand::Verify { file, head } = command;
    let expected = head.as_deref().map(parse_head).transpose()?;
    let shown = file.display();
    let verification = match &expected {
        Some(h) => chain::verify_with_head(&file, h),
        None => chain::verify(&file),
    }
    .map_err(|e| format!("could not read {shown}: {e}"))?;
    println!("{verification}");
    match verification {
        Verification::Intact { head, .. } => {
            println!("head {}:{}", head.seq, head.hash);
            Ok(ExitCode::SUCCESS)
        }
        _ => Ok(ExitCode::FAILURE),
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

async fn upstream(common: &Common) -> Result<Upstream, String> {
    config::upstream(common.fake, common.redis.as_deref(), |k| std::env::var(k).ok()).await
}

/// The approval store a gateway serving `agents` uses: `--approvals`, or the default
/// file — opened only when one of them has actions under `approve`.
fn gateway_store(
    common: &Common,
    policy: &Policy,
    agents: &[&str],
) -> Result<Option<Arc<SqliteApprovalStore>>, String> {
    let needed = agents.iter().any(|a| policy.agent(a).is_some_and(|a| !a.approve().is_empty()));
    if !needed && common.approvals.is_none() {
        return Ok(None);
    }
    let path = approvals_path(common.approvals.as_deref(), common.audit.as_deref(), Some(&common.policy))
        .ok_or("no approval store path")?;
    let store = open_store(&path)?;
    tracing::info!(path = %path.display(), "approvals kept in");
    Ok(Some(store))
}

/// The gateway with its stores: Redis' approvals and budgets when `--redis` named one,
/// else the SQLite approval store (if any) and in-process budgets.
fn with_stores(gateway: Gateway, up: &Upstream, store: Option<Arc<SqliteApprovalStore>>) -> Gateway {
    match (&up.shared, store) {
        (Some(shared), _) => gateway.with_approvals(shared.approvals()).with_budgets(shared.budgets()),
        (None, Some(s)) => gateway.with_approvals(s),
        (None, None) => gateway,
    }
}

async fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Approvals(command) => approvals(command).await,
        Command::Audit(command) => audit(command),
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
            Ok(ExitCode::SUCCESS)
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
            let store = if common.redis.is_some() { None } else { gateway_store(&common, &policy, &[agent.as_str()])? };
            let up = upstream(&common).await?;
            let gateway =
                with_stores(Gateway::new(up.client.clone(), policy, sink).with_secrets(up.secrets.clone()), &up, store);
            let agent = gateway.agent(&agent).map_err(|e| e.to_string())?;
            tracing::info!(agent = agent.name(), tools = agent.tools().len(), "serving over stdio");
            let running = AgentServer::new(agent)
                .serve(rmcp::transport::stdio())
                .await
                .map_err(|e| format!("the MCP session did not start: {e}"))?;
            running.waiting().await.map_err(|e| format!("the MCP session failed: {e}"))?;
            drop(up.fake);
            Ok(ExitCode::SUCCESS)
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
            let store =
                if common.redis.is_some() { None } else { gateway_store(&common, &policy, &policy.agent_names())? };
            let up = upstream(&common).await?;
            let gateway =
                with_stores(Gateway::new(up.client.clone(), policy, sink).with_secrets(up.secrets.clone()), &up, store);
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
            Ok(ExitCode::SUCCESS)
        }
    }
}
