//! The HTTP client under the transport: built by the SDK from builder options (it never
//! follows redirects), or supplied by the caller (then made safe per request, see
//! [`Transport`](super::Transport)).

use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, Result};

/// The default connect timeout.
pub(crate) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The TLS backend compiled into this build of the crate (see the crate features):
/// `"rustls (ring)"`, `"rustls (aws-lc-rs)"`, `"native-tls"`, or `"none"` (plain
/// `http://` only).
pub const TLS_BACKEND: &str = if cfg!(feature = "rustls-ring") {
    "rustls (ring)"
} else if cfg!(feature = "rustls-aws-lc-rs") {
    "rustls (aws-lc-rs)"
} else if cfg!(feature = "native-tls") {
    "native-tls"
} else {
    "none"
};

/// Whether this build can speak `https`.
pub(crate) const HAS_TLS: bool =
    cfg!(any(feature = "rustls-ring", feature = "rustls-aws-lc-rs", feature = "native-tls"));

/// A caller's adjustments of the SDK's own `reqwest::ClientBuilder`.
pub(crate) type Customize = std::sync::Arc<dyn Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync>;

/// Options for the SDK's own HTTP client.
#[derive(Clone, Default)]
pub(crate) struct HttpOptions {
    /// Applied to the SDK's builder before the options below and the SDK's guarantees.
    pub(crate) customize: Option<Customize>,
    /// `None`: the default ([`DEFAULT_CONNECT_TIMEOUT`]).
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) proxies: Vec<reqwest::Proxy>,
    pub(crate) root_certificates: Vec<reqwest::Certificate>,
    pub(crate) ca_files: Vec<PathBuf>,
    /// `None`: the default (60 s); `Some(None)`: never close idle connections.
    pub(crate) pool_idle_timeout: Option<Option<Duration>>,
}

impl HttpOptions {
    /// The options that shape the SDK's own client and so cannot apply to a caller's.
    pub(crate) fn set_by_caller(&self) -> Vec<&'static str> {
        let mut set = Vec::new();
        if self.customize.is_some() {
            set.push("configure_http");
        }
        if self.connect_timeout.is_some() {
            set.push("connect_timeout");
        }
        if !self.proxies.is_empty() {
            set.push("proxy");
        }
        if !self.root_certificates.is_empty() {
            set.push("add_root_certificate");
        }
        if !self.ca_files.is_empty() {
            set.push("ca_file");
        }
        if self.pool_idle_timeout.is_some() {
            set.push("pool_idle_timeout");
        }
        set
    }

    /// Builds the SDK's client: the compiled-in TLS backend and the defaults, then the
    /// caller's [`customize`](Self::customize), then the options set on the builder, and
    /// last what the SDK guarantees whatever was customized: no redirects, no `Referer`.
    pub(crate) fn build(self) -> Result<reqwest::Client> {
        ensure_crypto_provider();
        let mut b = select_tls(reqwest::Client::builder())
            .connect_timeout(DEFAULT_CONNECT_TIMEOUT)
            .pool_idle_timeout(Some(Duration::from_secs(60)));
        if let Some(customize) = &self.customize {
            b = customize(b);
        }
        if let Some(timeout) = self.connect_timeout {
            b = b.connect_timeout(timeout);
        }
        if let Some(idle) = self.pool_idle_timeout {
            b = b.pool_idle_timeout(idle);
        }
        for p in self.proxies {
            b = b.proxy(p);
        }
        let mut roots = self.root_certificates;
        for path in &self.ca_files {
            let pem = std::fs::read(path)
                .map_err(|e| Error::Config(format!("could not read the CA file {}: {e}", path.display())))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                Error::Config(format!("the CA file {} holds no usable PEM certificate: {e}", path.display()))
            })?;
            if certs.is_empty() {
                return Err(Error::Config(format!("the CA file {} holds no PEM certificate", path.display())));
            }
            roots.extend(certs);
        }
        if !roots.is_empty() && !HAS_TLS {
            return Err(Error::Config(
                "root certificates need a TLS feature (rustls-ring, rustls-aws-lc-rs or native-tls)".into(),
            ));
        }
        for cert in roots {
            b = b.add_root_certificate(cert);
        }
        b = b.redirect(reqwest::redirect::Policy::none()).referer(false);
        b.build().map_err(|e| Error::Config(format!("could not build the HTTP client: {}", error_chain(&e))))
    }
}

#[cfg(any(feature = "rustls-ring", feature = "rustls-aws-lc-rs"))]
fn select_tls(b: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    b.tls_backend_rustls()
}

#[cfg(all(feature = "native-tls", not(any(feature = "rustls-ring", feature = "rustls-aws-lc-rs"))))]
fn select_tls(b: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    b.tls_backend_native()
}

#[cfg(not(any(feature = "rustls-ring", feature = "rustls-aws-lc-rs", feature = "native-tls")))]
fn select_tls(b: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    b
}

/// With `rustls-ring`, reqwest carries no crypto provider of its own: ring is installed
/// as rustls' process-wide default, unless the application installed one already (then
/// that one is used). Called by [`Client::builder`](crate::Client::builder) too, so that
/// a `reqwest::Client` built afterwards for
/// [`http_client`](crate::ClientBuilder::http_client) finds a provider.
pub(crate) fn ensure_crypto_provider() {
    #[cfg(feature = "rustls-ring")]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            if rustls::crypto::CryptoProvider::get_default().is_none() {
                // Fails only when another thread installed one in between: fine.
                let _ = rustls::crypto::ring::default_provider().install_default();
            }
        });
    }
}

/// An error and its sources, `: `-separated, without repeats.
pub(crate) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = Some(e);
    while let Some(err) = cur {
        let s = err.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = err.source();
    }
    parts.join(": ")
}
