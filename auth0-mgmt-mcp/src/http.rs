//! MCP over streamable HTTP at `/mcp`, several agents at once, each authenticated by
//! its own bearer key.
//!
//! Every request must carry `Authorization: Bearer <agent key>`. The gateway hashes the
//! key (SHA-256) and compares the digest, in constant time, with every agent's
//! `key_sha256` from the policy file. A missing or unknown key is answered `401` before
//! any MCP handling and audited as unauthenticated (one record per request, up to
//! [`UNAUTHENTICATED_RECORDS_PER_MINUTE`]; past that, a flood of bad keys is counted and
//! the count recorded with the next minute's first refusal, so that it cannot fill the
//! audit trail's disk). A known key routes the request to
//! that agent's own MCP service, with its own session store: an agent can never reach
//! another agent's sessions or act under its name.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::gateway::{Gateway, SetupError};
use crate::server::AgentServer;

/// The agent a request was authenticated as (in the request's extensions, for the MCP
/// handler to check).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthenticatedAgent(pub String);

/// The HTTP path MCP is served at.
pub const MCP_PATH: &str = "/mcp";

/// The agent name audit records use for requests that did not authenticate; no policy
/// agent can have it (agent names start with a letter or digit).
pub const UNAUTHENTICATED: &str = "(unauthenticated)";

/// How many requests without a valid key are audited one by one in a minute; the rest
/// of that minute's are counted, and the count is recorded with the next refusal after
/// it (and reported with `tracing::warn!` when the limit is first reached).
pub const UNAUTHENTICATED_RECORDS_PER_MINUTE: u32 = 60;

/// Bounds the audit records of unauthenticated requests ([`UNAUTHENTICATED_RECORDS_PER_MINUTE`]).
#[derive(Debug)]
struct RefusalLog {
    state: std::sync::Mutex<RefusalWindow>,
}

#[derive(Debug)]
struct RefusalWindow {
    started: Instant,
    recorded: u32,
    /// Refused without a record of their own since the last record.
    unrecorded: u64,
}

/// What to do with one more unauthenticated request.
#[derive(Debug, PartialEq, Eq)]
enum Refusal {
    /// Record it, saying how many went unrecorded before it.
    Record { unrecorded_before: u64 },
    /// Count it only; `first` for the first one of the window (to warn once).
    Count { first: bool },
}

impl RefusalLog {
    const WINDOW: Duration = Duration::from_secs(60);

    fn new(now: Instant) -> RefusalLog {
        RefusalLog { state: std::sync::Mutex::new(RefusalWindow { started: now, recorded: 0, unrecorded: 0 }) }
    }

    fn admit(&self, now: Instant) -> Refusal {
        let mut w = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if now.saturating_duration_since(w.started) >= Self::WINDOW {
            w.started = now;
            w.recorded = 0;
        }
        if w.recorded < UNAUTHENTICATED_RECORDS_PER_MINUTE {
            w.recorded += 1;
            Refusal::Record { unrecorded_before: std::mem::take(&mut w.unrecorded) }
        } else {
            w.unrecorded = w.unrecorded.saturating_add(1);
            Refusal::Count { first: w.unrecorded == 1 }
        }
    }
}

type Body = BoxBody<Bytes, Infallible>;
type AgentService = StreamableHttpService<AgentServer, LocalSessionManager>;

struct Route {
    digest: [u8; 32],
    name: String,
    service: AgentService,
}

/// Options of the HTTP server.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct HttpOptions {
    /// Extra `Host` header values to accept besides the loopback names (rmcp refuses
    /// other hosts, against DNS rebinding). `host` or `host:port`.
    pub allowed_hosts: Vec<String>,
}

impl HttpOptions {
    /// Accept these `Host` values too.
    pub fn allowed_hosts(mut self, hosts: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.allowed_hosts.extend(hosts.into_iter().map(Into::into));
        self
    }
}

/// The HTTP front of a [`Gateway`]: one MCP service per agent, behind key checks.
///
/// ```no_run
/// # async fn run(gateway: auth0_mgmt_mcp::Gateway) -> Result<(), Box<dyn std::error::Error>> {
/// use auth0_mgmt_mcp::http::{HttpGateway, HttpOptions};
/// let http = HttpGateway::new(&gateway, HttpOptions::default())?; // every agent needs key_sha256
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// http.serve(listener, async { let _ = tokio::signal::ctrl_c().await; }).await?;
/// # Ok(()) }
/// ```
pub struct HttpGateway {
    gateway: Gateway,
    routes: Arc<Vec<Route>>,
    cancel: CancellationToken,
    refusals: RefusalLog,
}

impl std::fmt::Debug for HttpGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpGateway")
            .field("agents", &self.routes.iter().map(|r| r.name.as_str()).collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl HttpGateway {
    /// One MCP service per agent of the policy. Refuses a policy with no agent or an
    /// agent without `key_sha256`.
    pub fn new(gateway: &Gateway, options: HttpOptions) -> Result<HttpGateway, SetupError> {
        let cancel = CancellationToken::new();
        let mut hosts: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
        hosts.extend(options.allowed_hosts);
        let config = StreamableHttpServerConfig::default()
            .with_allowed_hosts(hosts)
            .with_cancellation_token(cancel.clone())
            .with_sse_keep_alive(None);
        let mut routes = Vec::new();
        for agent in gateway.all_agents()? {
            let digest = *agent.policy().key_sha256().ok_or_else(|| SetupError::NoKey(agent.name().to_owned()))?;
            let name = agent.name().to_owned();
            let server = AgentServer::new(agent);
            let service = StreamableHttpService::new(
                move || Ok(server.clone()),
                LocalSessionManager::default().into(),
                config.clone(),
            );
            routes.push(Route { digest, name, service });
        }
        Ok(HttpGateway {
            gateway: gateway.clone(),
            routes: Arc::new(routes),
            cancel,
            refusals: RefusalLog::new(Instant::now()),
        })
    }

    /// The agents served.
    pub fn agents(&self) -> Vec<&str> {
        self.routes.iter().map(|r| r.name.as_str()).collect()
    }

    /// Accepts connections on `listener` until `shutdown` completes.
    pub async fn serve(self, listener: TcpListener, shutdown: impl Future<Output = ()>) -> io::Result<()> {
        let this = Arc::new(self);
        tokio::pin!(shutdown);
        loop {
            let (stream, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let _ = stream.set_nodelay(true);
            let this = this.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req| {
                    let this = this.clone();
                    async move { Ok::<_, Infallible>(this.handle(req, peer).await) }
                });
                let conn = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), svc);
                if let Err(e) = conn.await {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
            });
        }
        this.cancel.cancel();
        Ok(())
    }

    /// Authenticates, then hands the request to the agent's MCP service.
    async fn handle(&self, mut req: Request<Incoming>, peer: SocketAddr) -> Response<Body> {
        if req.uri().path() != MCP_PATH {
            return plain(StatusCode::NOT_FOUND, "not found: MCP is served at /mcp");
        }
        let route = match self.authenticate(req.headers().get(AUTHORIZATION)) {
            Ok(route) => route,
            Err(why) => {
                match self.refusals.admit(Instant::now()) {
                    Refusal::Record { unrecorded_before } => {
                        let reason = match unrecorded_before {
                            0 => why.to_owned(),
                            n => format!(
                                "{why} (and {n} more unauthenticated request{} before this one, refused \
                                 without a record each: more than {UNAUTHENTICATED_RECORDS_PER_MINUTE} a minute)",
                                if n == 1 { "" } else { "s" }
                            ),
                        };
                        self.gateway.audit_unauthenticated(
                            UNAUTHENTICATED,
                            &format!("connect over HTTP from {}", peer.ip()),
                            &reason,
                        );
                    }
                    Refusal::Count { first } => {
                        if first {
                            tracing::warn!(
                                limit = UNAUTHENTICATED_RECORDS_PER_MINUTE,
                                "more unauthenticated requests than the audit trail records one by one in a \
                                 minute; the rest are counted and the count recorded with the next refusal"
                            );
                        }
                    }
                }
                let mut resp = plain(StatusCode::UNAUTHORIZED, &format!("unauthorized: {why}"));
                resp.headers_mut()
                    .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"auth0-mgmt-mcp\""));
                return resp;
            }
        };
        // The key has done its job: it goes no further than this function.
        req.headers_mut().remove(AUTHORIZATION);
        req.extensions_mut().insert(AuthenticatedAgent(route.name.clone()));
        let mut service = route.service.clone();
        match tower_service::Service::call(&mut service, req).await {
            Ok(resp) => resp,
            Err(never) => match never {},
        }
    }

    /// The route whose `key_sha256` matches the presented key. Every agent's digest is
    /// compared, in constant time, whatever matched before.
    fn authenticate(&self, header: Option<&HeaderValue>) -> Result<&Route, &'static str> {
        let Some(value) = header else { return Err("no Authorization header (expected `Bearer <agent key>`)") };
        let Some(key) = value.to_str().ok().and_then(bearer_credentials) else {
            return Err("the Authorization header is not `Bearer <agent key>`");
        };
        if key.is_empty() {
            return Err("empty bearer key");
        }
        let digest: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        let mut found: Option<&Route> = None;
        for route in self.routes.iter() {
            if bool::from(route.digest.ct_eq(&digest)) {
                found = Some(route);
            }
        }
        found.ok_or("unknown key")
    }
}

/// The credentials of a `Bearer` authorization value: the scheme is matched without
/// regard to case (RFC 9110 §11.1), then one or more spaces, then the key (trimmed).
fn bearer_credentials(value: &str) -> Option<&str> {
    let (scheme, rest) = value.trim_start().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
}

fn plain(status: StatusCode, text: &str) -> Response<Body> {
    let body = serde_json::json!({ "error": text }).to_string();
    let mut resp = Response::new(Full::new(Bytes::from(body)).boxed());
    *resp.status_mut() = status;
    resp.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

/// The hex SHA-256 of a key: what goes into the policy file as `key_sha256`.
///
/// ```
/// assert_eq!(
///     auth0_mgmt_mcp::http::key_sha256_hex("test"),
///     "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
/// );
/// ```
pub fn key_sha256_hex(key: &str) -> String {
    auth0_mgmt_policy::canonical::sha256_hex(key.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_of_bad_keys_is_recorded_up_to_the_limit_then_counted() {
        let t0 = Instant::now();
        let log = RefusalLog::new(t0);
        for _ in 0..UNAUTHENTICATED_RECORDS_PER_MINUTE {
            assert_eq!(log.admit(t0), Refusal::Record { unrecorded_before: 0 });
        }
        assert_eq!(log.admit(t0 + Duration::from_secs(1)), Refusal::Count { first: true });
        for _ in 0..9 {
            assert_eq!(log.admit(t0 + Duration::from_secs(59)), Refusal::Count { first: false });
        }
        // The next minute: recorded again, the first record carrying the count.
        assert_eq!(log.admit(t0 + Duration::from_secs(60)), Refusal::Record { unrecorded_before: 10 });
        assert_eq!(log.admit(t0 + Duration::from_secs(61)), Refusal::Record { unrecorded_before: 0 });
        // A clock that goes backwards neither panics nor reopens the window.
        assert_eq!(log.admit(t0), Refusal::Record { unrecorded_before: 0 });
    }

    #[test]
    fn the_bearer_scheme_is_matched_without_regard_to_case() {
        for (value, key) in [
            ("Bearer k3y", Some("k3y")),
            ("bearer k3y", Some("k3y")),
            ("BEARER   k3y ", Some("k3y")),
            ("Bearer ", Some("")),
            ("Bearer", None),
            ("Bearerk3y", None),
            ("Basic k3y", None),
            ("Bearer2 k3y", None),
            ("", None),
        ] {
            assert_eq!(bearer_credentials(value), key, "{value:?}");
        }
    }
}
