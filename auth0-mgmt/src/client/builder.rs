//! [`ClientBuilder`]: every setting of a [`Client`], validated by
//! [`build`](ClientBuilder::build), and the transport built from them.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use reqwest::header::{HeaderMap, HeaderValue, USER_AGENT};
use secrecy::SecretString;
use url::Url;

use super::{Client, Inner};
use crate::error::{Error, Result};
use crate::ratelimit::{Pacer, PacerConfig, RateLimiter};
use crate::retry::RetryConfig;
use crate::token::{ClientCredentials, StaticToken, TokenSource};
use crate::transport::{DEFAULT_BODY_LIMIT, HttpOptions, Transport, ensure_crypto_provider};

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(300);
const DEFAULT_OFFSET_LIMIT: u64 = 1000;

/// How the client authenticates.
enum Credentials {
    ClientCredentials { id: String, secret: SecretString },
    Source(Arc<dyn TokenSource>),
}

/// Builds a [`Client`]. See [`Client::builder`].
#[must_use]
pub struct ClientBuilder {
    domain: Option<String>,
    credentials: Option<Credentials>,
    audience: Option<String>,
    base_url: Option<String>,
    timeout: Option<Duration>,
    http_options: HttpOptions,
    http: Option<reqwest::Client>,
    body_limit: usize,
    telemetry: bool,
    retry: RetryConfig,
    pacer: PacerConfig,
    rate_limiter: Option<Arc<dyn RateLimiter>>,
    refresh_margin: Duration,
    offset_limit: Option<u64>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let creds = match &self.credentials {
            None => "none".to_owned(),
            Some(Credentials::ClientCredentials { id, .. }) => format!("client_credentials({id}, [REDACTED])"),
            Some(Credentials::Source(s)) => format!("{s:?}"),
        };
        f.debug_struct("ClientBuilder")
            .field("domain", &self.domain)
            .field("credentials", &creds)
            .field("audience", &self.audience)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("http_client", &self.http.is_some())
            .field("configure_http", &self.http_options.customize.is_some())
            .field("max_response_body", &self.body_limit)
            .field("telemetry", &self.telemetry)
            .field("retry", &self.retry)
            .field("rate_limiter", &self.rate_limiter)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        // A `reqwest::Client` the caller builds after this point (for `http_client`)
        // finds a TLS crypto provider (see the `rustls-ring` feature).
        ensure_crypto_provider();
        ClientBuilder {
            domain: None,
            credentials: None,
            audience: None,
            base_url: None,
            timeout: Some(DEFAULT_TIMEOUT),
            http_options: HttpOptions::default(),
            http: None,
            body_limit: DEFAULT_BODY_LIMIT,
            telemetry: true,
            retry: RetryConfig::default(),
            pacer: PacerConfig::default(),
            rate_limiter: None,
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            offset_limit: Some(DEFAULT_OFFSET_LIMIT),
        }
    }
}

/// The environment variables [`Client::from_env`] reads.
const ENV_DOMAIN: &str = "AUTH0_DOMAIN";
const ENV_CLIENT_ID: &str = "AUTH0_CLIENT_ID";
const ENV_CLIENT_SECRET: &str = "AUTH0_CLIENT_SECRET";
const ENV_AUDIENCE: &str = "AUTH0_AUDIENCE";

impl ClientBuilder {
    /// A builder from `AUTH0_DOMAIN`, `AUTH0_CLIENT_ID`, `AUTH0_CLIENT_SECRET` and the
    /// optional `AUTH0_AUDIENCE`; see [`Client::from_env`].
    pub fn from_env() -> Result<ClientBuilder> {
        ClientBuilder::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading the variables through `lookup` (a
    /// map, a config file, a test): `lookup("AUTH0_DOMAIN")` and so on.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use auth0_mgmt::ClientBuilder;
    ///
    /// let vars = HashMap::from([("AUTH0_DOMAIN", "acme.eu.auth0.com"), ("AUTH0_CLIENT_ID", "id")]);
    /// let err = ClientBuilder::from_lookup(|k| vars.get(k).map(|v| v.to_string())).unwrap_err();
    /// assert!(err.to_string().contains("AUTH0_CLIENT_SECRET"));
    /// ```
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<ClientBuilder> {
        let required = |name: &str| -> Result<String> {
            match lookup(name).map(|v| v.trim().to_owned()) {
                Some(v) if !v.is_empty() => Ok(v),
                Some(_) => Err(Error::Config(format!("the environment variable {name} is empty"))),
                None => {
                    Err(Error::Config(format!("the environment variable {name} is not set (or not valid Unicode)")))
                }
            }
        };
        let raw_domain = required(ENV_DOMAIN)?;
        // Accept what people paste: `https://acme.eu.auth0.com/`.
        let domain = raw_domain.trim_start_matches("https://").trim_end_matches('/').to_owned();
        validate_domain(&domain).map_err(|e| Error::Config(format!("{ENV_DOMAIN}: {}", config_text(&e))))?;
        let id = required(ENV_CLIENT_ID)?;
        let secret = required(ENV_CLIENT_SECRET)?;
        let mut b = ClientBuilder::default().domain(domain).client_credentials(id, secret);
        if let Some(aud) = lookup(ENV_AUDIENCE).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) {
            b = b.audience(aud);
        }
        Ok(b)
    }

    /// The tenant domain: a host and optional port, nothing else
    /// (`acme.eu.auth0.com`, `login.acme.com`).
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// Authenticate with the client-credentials grant (a machine-to-machine
    /// application authorized for the Management API).
    pub fn client_credentials(mut self, client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::ClientCredentials {
            id: client_id.into(),
            secret: SecretString::from(client_secret.into()),
        });
        self
    }

    /// Use a fixed access token (never refreshed; refused once its JWT `exp` is past).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::Source(Arc::new(StaticToken::new(token))));
        self
    }

    /// Use a custom [`TokenSource`], e.g. a cache shared between processes.
    pub fn token_source(mut self, source: Arc<dyn TokenSource>) -> Self {
        self.credentials = Some(Credentials::Source(source));
        self
    }

    /// The token audience; defaults to `https://{domain}/api/v2/`.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Send requests to this origin instead of `https://{domain}` (tests, proxies).
    /// This is the only way to use plain `http`. When no domain is set, the domain is
    /// taken from this URL's host.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Connect timeout (default 10 s). It applies to the SDK's own HTTP client, also when
    /// that client is adjusted with [`configure_http`](Self::configure_http) (this
    /// setting wins over one made there). A caller-built
    /// [`http_client`](Self::http_client) has its own: setting both is a configuration
    /// error, not a silently ignored option.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.http_options.connect_timeout = Some(timeout);
        self
    }

    /// Per-attempt request timeout, from connecting to the end of the body (default
    /// 30 s); `None` disables it.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Send every request through this proxy (e.g. `reqwest::Proxy::https(url)?`).
    /// Without one, the `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` environment variables
    /// apply.
    pub fn proxy(mut self, proxy: reqwest::Proxy) -> Self {
        self.http_options.proxies.push(proxy);
        self
    }

    /// Trust this root certificate as well as the system's (a corporate CA, a TLS
    /// proxy). See [`ca_file`](Self::ca_file) for PEM files.
    pub fn add_root_certificate(mut self, certificate: reqwest::Certificate) -> Self {
        self.http_options.root_certificates.push(certificate);
        self
    }

    /// Trust the certificates of this PEM file (one or more `BEGIN CERTIFICATE` blocks)
    /// as well as the system's. The file is read by [`build`](Self::build).
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.http_options.ca_files.push(path.into());
        self
    }

    /// How long idle pooled connections are kept (default 60 s); `None` keeps them.
    pub fn pool_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.http_options.pool_idle_timeout = Some(timeout);
        self
    }

    /// Adjust the SDK's own HTTP client with any `reqwest::ClientBuilder` option (local
    /// address, DNS resolver, HTTP/2 settings, TCP keepalive, TLS settings, a
    /// connect timeout, …) while the SDK keeps its guarantees. `configure` receives the
    /// builder with the SDK's defaults (TLS backend, connect timeout, idle timeout); the
    /// options of this builder ([`connect_timeout`](Self::connect_timeout),
    /// [`proxy`](Self::proxy), root certificates,
    /// [`pool_idle_timeout`](Self::pool_idle_timeout)) are applied after it, and last
    /// the redirect policy is set to never follow a redirect, so that neither the bearer
    /// nor the client secret can be carried off the tenant host whatever `configure`
    /// did. It runs once per [`build`](Self::build).
    ///
    /// This is the way to use your own reqwest settings; prefer it to
    /// [`http_client`](Self::http_client).
    ///
    /// ```
    /// use std::time::Duration;
    /// use auth0_mgmt::Client;
    ///
    /// let client = Client::builder()
    ///     .domain("acme.eu.auth0.com")
    ///     .token("a-token")
    ///     .configure_http(|http| http.tcp_keepalive(Duration::from_secs(30)).http1_only())
    ///     .connect_timeout(Duration::from_secs(3))
    ///     .build()
    ///     .unwrap();
    /// # drop(client);
    /// ```
    pub fn configure_http(
        mut self,
        configure: impl Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync + 'static,
    ) -> Self {
        self.http_options.customize = Some(Arc::new(configure));
        self
    }

    /// Use this ready-built `reqwest::Client` for the API and token calls instead of the
    /// SDK's own (to share one connection pool with the rest of an application; for other
    /// reqwest options, [`configure_http`](Self::configure_http) keeps every option of
    /// this builder working).
    ///
    /// A caller's client may follow redirects before the SDK sees the answer. The SDK
    /// makes that safe: request bodies (the token request's client secret among them)
    /// are one-shot and are never re-sent by reqwest (a 307/308 comes back as
    /// [`Error::Redirect`]; 301/302/303 turn a POST into a body-less GET), reqwest
    /// drops the bearer on every cross-origin hop, and an answer that arrived from
    /// another URL than the one requested is refused with [`Error::Redirect`]. The
    /// options that shape the SDK's own client (`connect_timeout`, `proxy`, root
    /// certificates, `pool_idle_timeout`, `configure_http`) cannot change a built client:
    /// setting them too makes [`build`](Self::build) fail with an error that says so.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The largest success body read (default 8 MiB; Management API pages of 100 items
    /// are far smaller). A larger body is refused with [`Error::BodyTooLarge`] while it
    /// streams, whatever its `Content-Length` says; it is never truncated or parsed.
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Send the `Auth0-Client` telemetry header (default true).
    pub fn telemetry(mut self, enabled: bool) -> Self {
        self.telemetry = enabled;
        self
    }

    /// Retry settings.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Pacer settings (pacing is on by default). They configure the client's own
    /// in-process [`Pacer`]; a limiter installed with
    /// [`rate_limiter`](Self::rate_limiter) takes its place and brings its own settings.
    pub fn pacer(mut self, config: PacerConfig) -> Self {
        self.pacer = config;
        self
    }

    /// Pace calls with this [`RateLimiter`] instead of the client's own in-process
    /// [`Pacer`] — e.g. one shared by several processes through a store, so that they
    /// pace the tenant's one rate-limit bucket together (`auth0-mgmt-redis`). Every wait
    /// it imposes still counts against the call's
    /// [`max_total_wait`](RetryConfig::max_total_wait).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use auth0_mgmt::{Client, Pacer, PacerConfig};
    ///
    /// // Two clients (say, for two policies) that pace as one.
    /// let pacer = Arc::new(Pacer::new(PacerConfig::default()));
    /// let a = Client::builder().domain("acme.eu.auth0.com").token("t").rate_limiter(pacer.clone()).build().unwrap();
    /// let b = Client::builder().domain("acme.eu.auth0.com").token("t").rate_limiter(pacer).build().unwrap();
    /// assert_eq!(a.rate_limit_stats(), b.rate_limit_stats());
    /// ```
    pub fn rate_limiter(mut self, limiter: Arc<dyn RateLimiter>) -> Self {
        self.rate_limiter = Some(limiter);
        self
    }

    /// Refresh a minted token this long before it expires (default 5 minutes), but never
    /// earlier than half its lifetime: a token granted for 3 s is replaced after 1.5 s,
    /// not on every call.
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// How far offset paging may go before streams stop with
    /// [`Error::PagingLimit`] (default 1000, Auth0's limit); `None` never stops.
    pub fn offset_paging_limit(mut self, limit: Option<u64>) -> Self {
        self.offset_limit = limit;
        self
    }

    /// Validates the settings and builds the client.
    pub fn build(self) -> Result<Client> {
        let Parts { base, domain, audience, transport } = self.parts()?;
        let tokens: Arc<dyn TokenSource> = match self.credentials {
            None => {
                return Err(Error::Config(
                    "credentials are required: client_credentials, token or token_source".into(),
                ));
            }
            Some(Credentials::Source(s)) => s,
            Some(Credentials::ClientCredentials { id, secret }) => Arc::new(ClientCredentials::new(
                transport.clone(),
                token_url(&base)?,
                checked_client_id(id)?,
                secret,
                audience.clone(),
                self.refresh_margin,
            )),
        };
        let pacer = self.rate_limiter.unwrap_or_else(|| Arc::new(Pacer::new(self.pacer)));
        Ok(Client {
            inner: Arc::new(Inner {
                domain,
                base,
                audience,
                transport,
                retry: self.retry,
                tokens,
                pacer,
                offset_limit: self.offset_limit,
            }),
            interceptors: Arc::from(Vec::new()),
        })
    }

    /// Builds only the token side of this configuration: a [`ClientCredentials`] token
    /// source with the settings given so far (domain or base URL, client credentials,
    /// audience, HTTP options, timeouts, retries, refresh margin), sending through a
    /// transport of its own built the same way as the client's. The builder is left as
    /// it is, to build the client afterwards.
    ///
    /// For token sources that wrap the SDK's own minting, e.g. a token cache shared by
    /// several processes (`auth0-mgmt-redis`): they mint with it, and fall back to it.
    /// An error when the builder has no client credentials.
    ///
    /// ```
    /// use auth0_mgmt::Client;
    ///
    /// let builder = Client::builder().domain("acme.eu.auth0.com").client_credentials("ID", "SECRET");
    /// let minter = builder.build_client_credentials().unwrap();
    /// assert_eq!(minter.client_id(), "ID");
    /// assert_eq!(minter.audience(), "https://acme.eu.auth0.com/api/v2/");
    /// assert_eq!(minter.token_url(), "https://acme.eu.auth0.com/oauth/token");
    /// ```
    pub fn build_client_credentials(&self) -> Result<ClientCredentials> {
        let Some(Credentials::ClientCredentials { id, secret }) = &self.credentials else {
            return Err(Error::Config("build_client_credentials needs client_credentials(id, secret)".into()));
        };
        let Parts { base, audience, transport, .. } = self.parts()?;
        Ok(ClientCredentials::new(
            transport,
            token_url(&base)?,
            checked_client_id(id.clone())?,
            secret.clone(),
            audience,
            self.refresh_margin,
        ))
    }

    /// Validates everything but the credentials and builds the transport.
    fn parts(&self) -> Result<Parts> {
        let base = match &self.base_url {
            Some(url) => parse_base_url(url)?,
            None => {
                let d = self
                    .domain
                    .as_deref()
                    .ok_or_else(|| Error::Config("a domain (or a base URL) is required".into()))?;
                validate_domain(d)?;
                format!("https://{d}")
            }
        };
        let domain = match &self.domain {
            Some(d) => {
                validate_domain(d)?;
                d.clone()
            }
            None => Url::parse(&base).ok().and_then(|u| authority(&u)).unwrap_or_default(),
        };
        if self.body_limit == 0 {
            return Err(Error::Config("max_response_body must be at least 1 byte".into()));
        }
        let (http, connect_timeout) = match &self.http {
            Some(client) => {
                let set = self.http_options.set_by_caller();
                if !set.is_empty() {
                    return Err(Error::Config(format!(
                        "{} shape the SDK's own HTTP client and cannot change a caller-built http_client: set them on that reqwest::Client, or drop http_client and adjust the SDK's client with configure_http",
                        set.join(", ")
                    )));
                }
                (client.clone(), None)
            }
            None => {
                // Known for error messages, unless `configure_http` may have set its own.
                let connect = match (self.http_options.connect_timeout, &self.http_options.customize) {
                    (Some(set), _) => Some(set),
                    (None, None) => Some(crate::transport::DEFAULT_CONNECT_TIMEOUT),
                    (None, Some(_)) => None,
                };
                (self.http_options.clone().build()?, connect)
            }
        };
        let transport = Arc::new(Transport::new(
            http,
            default_headers(self.telemetry),
            self.retry.clone(),
            self.timeout,
            connect_timeout,
            self.body_limit,
            match &self.credentials {
                Some(Credentials::ClientCredentials { secret, .. }) => Some(secret.clone()),
                _ => None,
            },
        ));
        let audience = self.audience.clone().unwrap_or_else(|| format!("https://{domain}/api/v2/"));
        Ok(Parts { base, domain, audience, transport })
    }
}

/// What [`ClientBuilder::parts`] validated and built.
struct Parts {
    base: String,
    domain: String,
    audience: String,
    transport: Arc<Transport>,
}

fn token_url(base: &str) -> Result<Url> {
    Url::parse(&format!("{base}/oauth/token")).map_err(|e| Error::Config(format!("invalid token URL: {e}")))
}

fn checked_client_id(id: String) -> Result<String> {
    if id.is_empty() {
        return Err(Error::Config("the client id is empty".into()));
    }
    Ok(id)
}

/// `User-Agent` and, unless switched off, the `Auth0-Client` telemetry header.
fn default_headers(telemetry: bool) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(USER_AGENT, HeaderValue::from_static(concat!("auth0-mgmt-rust/", env!("CARGO_PKG_VERSION"))));
    if telemetry {
        let json = serde_json::json!({
            "name": "auth0-mgmt-rust",
            "version": env!("CARGO_PKG_VERSION"),
            "env": { "rust": env!("CARGO_PKG_RUST_VERSION") },
        });
        let value = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json.to_string());
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert("auth0-client", v);
        }
    }
    headers
}

/// `host[:port]` of a URL.
fn authority(u: &Url) -> Option<String> {
    let host = u.host_str()?;
    Some(match u.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_owned(),
    })
}

/// The text of a configuration error.
fn config_text(e: &Error) -> String {
    match e {
        Error::Config(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A host with an optional port, nothing else.
fn validate_domain(d: &str) -> Result<()> {
    let bad = || {
        Error::Config(format!("invalid domain {d:?}: expected a host with an optional port, like acme.eu.auth0.com"))
    };
    if d.is_empty() || d.len() > 253 + 6 {
        return Err(bad());
    }
    let (host, port) = match d.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (d, None),
    };
    if let Some(p) = port
        && (p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) || p.parse::<u16>().is_err())
    {
        return Err(bad());
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if host.split('.').all(label_ok) { Ok(()) } else { Err(bad()) }
}

/// `scheme://host[:port][/prefix]`, without query, fragment or credentials. The error
/// never repeats a URL that carries credentials.
fn parse_base_url(raw: &str) -> Result<String> {
    let shown = |u: &str| if u.contains('@') { "(a URL with credentials)".to_owned() } else { format!("{u:?}") };
    let url = Url::parse(raw).map_err(|e| Error::Config(format!("invalid base URL {}: {e}", shown(raw))))?;
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none()
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(Error::Config(format!("invalid base URL {}: expected http(s)://host[:port][/path]", shown(raw))));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn domains() {
        for ok in ["acme.eu.auth0.com", "login.acme.com:8443", "localhost", "127.0.0.1:3000"] {
            assert!(validate_domain(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "https://acme.auth0.com",
            "acme.auth0.com/api",
            "a b.com",
            "acme.com:",
            "acme.com:99999",
            "user@acme.com",
            "acme.com?x",
            "acme..com",
            ".acme.com",
            "acme.com#x",
            "-a.com",
        ] {
            assert!(validate_domain(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn base_urls() {
        assert_eq!(parse_base_url("http://127.0.0.1:8080/").unwrap(), "http://127.0.0.1:8080");
        assert_eq!(parse_base_url("https://proxy.local/auth0").unwrap(), "https://proxy.local/auth0");
        for bad in ["ftp://x", "http://u:p@x", "http://x/?q", "not a url"] {
            assert!(parse_base_url(bad).is_err(), "{bad}");
        }
        let err = parse_base_url("http://user:hunter2@x").unwrap_err().to_string();
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn client_is_send_sync_and_debug_hides_secrets() {
        fn assert_send_sync<T: Send + Sync + Clone>() {}
        assert_send_sync::<Client>();
        let b = Client::builder().domain("acme.auth0.com").client_credentials("cid", "very-secret-value");
        assert!(!format!("{b:?}").contains("very-secret-value"));
        let c = b.build().unwrap();
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("very-secret-value") && dbg.contains("cid"), "{dbg}");
    }

    fn lookup(vars: &[(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<&str, &str> = vars.iter().copied().collect();
        move |k| map.get(k).map(|v| (*v).to_owned())
    }

    #[test]
    fn from_lookup_names_the_missing_variable() {
        let all = [
            ("AUTH0_DOMAIN", "acme.eu.auth0.com"),
            ("AUTH0_CLIENT_ID", "cid"),
            ("AUTH0_CLIENT_SECRET", "env-secret-value"),
        ];
        for missing in ["AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET"] {
            let vars: Vec<_> = all.iter().copied().filter(|(k, _)| *k != missing).collect();
            let err = ClientBuilder::from_lookup(lookup(&vars)).unwrap_err();
            assert!(matches!(&err, Error::Config(m) if m.contains(missing) && m.contains("not set")), "{err}");
            let mut empty = vars.clone();
            empty.push((missing, "  "));
            let err = ClientBuilder::from_lookup(lookup(&empty)).unwrap_err();
            assert!(err.to_string().contains(missing) && err.to_string().contains("empty"), "{err}");
        }
        let c = ClientBuilder::from_lookup(lookup(&all)).unwrap().build().unwrap();
        assert_eq!(c.domain(), "acme.eu.auth0.com");
        assert_eq!(c.inner.audience, "https://acme.eu.auth0.com/api/v2/");
        assert!(!format!("{c:?}").contains("env-secret-value"));
    }

    #[test]
    fn from_lookup_takes_a_pasted_url_and_an_audience() {
        let c = ClientBuilder::from_lookup(lookup(&[
            ("AUTH0_DOMAIN", "https://acme.eu.auth0.com/"),
            ("AUTH0_CLIENT_ID", "cid"),
            ("AUTH0_CLIENT_SECRET", "s"),
            ("AUTH0_AUDIENCE", "https://custom/api/v2/"),
        ]))
        .unwrap()
        .build()
        .unwrap();
        assert_eq!(c.domain(), "acme.eu.auth0.com");
        assert_eq!(c.inner.audience, "https://custom/api/v2/");
        let err = ClientBuilder::from_lookup(lookup(&[
            ("AUTH0_DOMAIN", "acme.com/path"),
            ("AUTH0_CLIENT_ID", "cid"),
            ("AUTH0_CLIENT_SECRET", "s"),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("AUTH0_DOMAIN"), "{err}");
    }

    #[test]
    fn transport_options_conflict_with_a_caller_client() {
        let err = Client::builder()
            .domain("acme.auth0.com")
            .token("t")
            .http_client(reqwest::Client::new())
            .connect_timeout(Duration::from_secs(1))
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("connect_timeout"), "{err}");
        let err =
            Client::builder().domain("acme.auth0.com").token("t").ca_file("/nonexistent/ca.pem").build().unwrap_err();
        assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
        assert!(Client::builder().domain("acme.auth0.com").token("t").max_response_body(0).build().is_err());
    }
}
