//! Where the gateway's one Auth0 client comes from: the environment (a real tenant) or
//! the built-in fake tenant.

use std::net::IpAddr;

use auth0_mgmt::{Client, ClientBuilder, Scrub};
use auth0_mgmt_fake::{FakeTenant, Seed};
use auth0_mgmt_redis::Shared;

/// The variables the gateway reads.
pub const ENV_DOMAIN: &str = "AUTH0_DOMAIN";
/// The application's client id.
pub const ENV_CLIENT_ID: &str = "AUTH0_CLIENT_ID";
/// The application's client secret.
pub const ENV_CLIENT_SECRET: &str = "AUTH0_CLIENT_SECRET";
/// Overrides the API origin (`https://…`, or `http://` on loopback only).
pub const ENV_BASE_URL: &str = "AUTH0_MGMT_BASE_URL";
/// A PEM file of extra root certificates (the client builder's
/// [`ca_file`](auth0_mgmt::ClientBuilder::ca_file)).
pub const ENV_CA_FILE: &str = "AUTH0_MGMT_CA_FILE";

/// A client and the secrets it holds (so the gateway can scrub them from every output).
pub struct Upstream {
    /// The unguarded client; it never leaves the gateway.
    pub client: Client,
    /// The client secret, to scrub.
    pub secrets: Vec<String>,
    /// The fake tenant, when `--fake` started one (kept alive with the gateway).
    pub fake: Option<FakeTenant>,
    /// The token, rate-limit bucket, approvals and budgets shared with the other
    /// processes of the deployment, when `--redis` named a Redis.
    pub shared: Option<Shared>,
}

/// Names the secrets' count, never their text.
impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream")
            .field("client", &self.client)
            .field("secrets", &format_args!("[{} redacted]", self.secrets.len()))
            .field("fake", &self.fake.is_some())
            .field("shared", &self.shared.is_some())
            .finish()
    }
}

/// A client builder not built yet, and what to say when building fails.
struct Prepared {
    builder: ClientBuilder,
    secret: String,
    /// Whether `AUTH0_MGMT_CA_FILE` named a file (to name it in a build error).
    ca_file: bool,
    fake: Option<FakeTenant>,
}

impl Prepared {
    /// Shares through Redis at `redis` (when given), then builds the client.
    async fn finish(self, redis: Option<&str>) -> Result<Upstream, String> {
        let Prepared { mut builder, secret, ca_file, fake } = self;
        let shared = match redis {
            None => None,
            Some(url) => {
                let credentials = builder.build_client_credentials().map_err(|e| scrub(e.to_string(), &secret))?;
                let shared = Shared::connect(url.trim(), credentials)
                    .await
                    .map_err(|e| format!("--redis: {}", scrub(e.to_string(), &secret)))?;
                builder = shared.apply(builder);
                Some(shared)
            }
        };
        let client = build(builder, &secret, ca_file)?;
        Ok(Upstream { client, secrets: vec![secret], fake, shared })
    }
}

/// Builds the client from `AUTH0_DOMAIN`, `AUTH0_CLIENT_ID`, `AUTH0_CLIENT_SECRET`,
/// `AUTH0_MGMT_BASE_URL` and `AUTH0_MGMT_CA_FILE`, read through `var`. Errors are one
/// line and never contain the secret.
///
/// ```
/// use auth0_mgmt_mcp::config::from_env;
/// let vars = |k: &str| match k {
///     "AUTH0_DOMAIN" => Some("acme.eu.auth0.com".to_owned()),
///     "AUTH0_CLIENT_ID" => Some("id".to_owned()),
///     "AUTH0_CLIENT_SECRET" => Some("a-long-secret".to_owned()),
///     _ => None,
/// };
/// assert_eq!(from_env(vars).unwrap().client.base_url(), "https://acme.eu.auth0.com");
/// let plain_http = |k: &str| match k {
///     "AUTH0_MGMT_BASE_URL" => Some("http://proxy.example.com".to_owned()),
///     other => vars(other),
/// };
/// assert!(from_env(plain_http).unwrap_err().contains("loopback"));
/// ```
pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Upstream, String> {
    let Prepared { builder, secret, ca_file, fake } = prepare_env(&var)?;
    let client = build(builder, &secret, ca_file)?;
    Ok(Upstream { client, secrets: vec![secret], fake, shared: None })
}

/// Builds the client; the error is one line without the secret.
fn build(builder: ClientBuilder, secret: &str, ca_file: bool) -> Result<Client, String> {
    builder.build().map_err(|e| {
        let message = scrub(e.to_string(), secret);
        // The builder reads the file: name the variable that pointed at it.
        if ca_file && message.contains("CA file") { format!("{ENV_CA_FILE}: {message}") } else { message }
    })
}

fn prepare_env(var: &impl Fn(&str) -> Option<String>) -> Result<Prepared, String> {
    let get = |k: &str| var(k).filter(|v| !v.trim().is_empty());
    let client_id = get(ENV_CLIENT_ID).ok_or_else(|| format!("{ENV_CLIENT_ID} is not set"))?;
    let secret = get(ENV_CLIENT_SECRET).ok_or_else(|| format!("{ENV_CLIENT_SECRET} is not set"))?;
    let domain = get(ENV_DOMAIN);
    let base_url = get(ENV_BASE_URL);
    if domain.is_none() && base_url.is_none() {
        return Err(format!("{ENV_DOMAIN} is not set (e.g. acme.eu.auth0.com)"));
    }
    let mut builder = Client::builder().client_credentials(client_id, secret.clone());
    if let Some(d) = &domain {
        builder = builder.domain(d.trim());
    }
    if let Some(url) = &base_url {
        check_base_url(url)?;
        builder = builder.base_url(url.trim());
    }
    let ca_file = get(ENV_CA_FILE);
    if let Some(path) = &ca_file {
        builder = builder.ca_file(path.trim());
    }
    Ok(Prepared { builder, secret, ca_file: ca_file.is_some(), fake: None })
}

async fn prepare_fake() -> Result<Prepared, String> {
    let tenant = FakeTenant::builder()
        .seed(Seed::default())
        .start()
        .await
        .map_err(|e| format!("the fake tenant did not start: {e}"))?;
    let builder =
        Client::builder().base_url(tenant.base_url()).client_credentials(tenant.client_id(), tenant.client_secret());
    let secret = tenant.client_secret().to_owned();
    Ok(Prepared { builder, secret, ca_file: false, fake: Some(tenant) })
}

/// Starts the built-in fake tenant on loopback (seeded with a few of everything) and a
/// client for it.
pub async fn fake() -> Result<Upstream, String> {
    prepare_fake().await?.finish(None).await
}

/// The gateway's client: for the fake tenant (`fake`) or the tenant the environment
/// names (see [`from_env`]), sharing its token, rate-limit bucket, approvals and budgets
/// with the other processes of the deployment through the Redis at `redis`
/// (`redis://…`), when given ([`auth0_mgmt_redis::Shared`]). Redis need not be up: the
/// token and the pacer fall back to this process' own until it answers; approvals and
/// budgets fail closed meanwhile.
pub async fn upstream(
    fake: bool,
    redis: Option<&str>,
    var: impl Fn(&str) -> Option<String>,
) -> Result<Upstream, String> {
    let prepared = if fake { prepare_fake().await? } else { prepare_env(&var)? };
    prepared.finish(redis).await
}

/// `https://` anywhere; `http://` only to a loopback host (`127.0.0.0/8`, `::1`,
/// `localhost`), so the client secret and tokens never cross a network in clear text.
pub fn check_base_url(raw: &str) -> Result<(), String> {
    let url = url::Url::parse(raw.trim()).map_err(|e| format!("{ENV_BASE_URL} is not a URL: {e}"))?;
    match url.scheme() {
        "https" => Ok(()),
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
                Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
                None => false,
            };
            if loopback {
                Ok(())
            } else {
                Err(format!("{ENV_BASE_URL} uses plain http to a host that is not loopback; use https"))
            }
        }
        other => Err(format!("{ENV_BASE_URL} has the scheme `{other}`; use https")),
    }
}

/// Secrets shorter than this are not scrubbed (replacing every short run of common
/// characters would garble the text, and such a string is no secret).
pub const MIN_SCRUBBED_LEN: usize = 8;

/// The gateway's one scrubber of secrets: these (each at least [`MIN_SCRUBBED_LEN`]
/// long), in every encoding, and nothing else.
pub(crate) fn secret_scrub<S: AsRef<str>>(secrets: impl IntoIterator<Item = S>) -> Scrub {
    Scrub::secrets(secrets.into_iter().filter(|s| s.as_ref().len() >= MIN_SCRUBBED_LEN))
}

fn scrub(s: String, secret: &str) -> String {
    secret_scrub([secret]).text(&s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        for ok in [
            "https://acme.eu.auth0.com",
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:9",
            "http://127.9.9.9",
        ] {
            assert!(check_base_url(ok).is_ok(), "{ok}");
        }
        for bad in
            ["http://10.0.0.1", "http://acme.auth0.com", "ftp://127.0.0.1", "nonsense", "http://localhost.evil.com"]
        {
            assert!(check_base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn env_errors_are_one_line_without_secrets() {
        let e = from_env(|_| None).unwrap_err();
        assert_eq!(e, "AUTH0_CLIENT_ID is not set");
        let e = from_env(|k| (k != ENV_DOMAIN).then(|| "s3cr3t-value".to_owned())).unwrap_err();
        assert!(!e.contains("s3cr3t") && !e.contains('\n'), "{e}");
        let e = from_env(|k| match k {
            ENV_CA_FILE => Some("/nonexistent/ca.pem".to_owned()),
            ENV_DOMAIN => Some("acme.auth0.com".to_owned()),
            ENV_BASE_URL => None,
            _ => Some("s3cr3t-value".to_owned()),
        })
        .unwrap_err();
        assert!(e.starts_with("AUTH0_MGMT_CA_FILE") && !e.contains("s3cr3t"), "{e}");
    }
}
