//! Key names. Every key starts with `auth0-mgmt:{deployment}:`; tenants, clients and
//! audiences appear only as a SHA-256 digest, so key names give nothing away.
//!
//! | key | type | holds | expires |
//! |---|---|---|---|
//! | `auth0-mgmt:{deployment}:token:{digest of token URL, client id, audience}` | string | the sealed token | with the token |
//! | `auth0-mgmt:{deployment}:token-lock:{same digest}` | string | the minting process' random id | 5 s, renewed while it mints |
//! | `auth0-mgmt:{deployment}:pacer:{digest of the tenant origin}` | string (JSON) | the tenant's bucket model | 10 min after the last call |
//! | `auth0-mgmt:{deployment}:approvals:{T}:a:{approval id}` | hash | one approval (immutable fields as JSON, state and times) | retention past its expiry |
//! | `auth0-mgmt:{deployment}:approvals:{T}:open`, `…:all` | sorted sets | open approvals by expiry, all by creation | — (tidied by the scripts) |
//! | `auth0-mgmt:{deployment}:approvals:{T}:req:{digest of agent, request hash}` | sorted set | the approvals of one request | with its approvals |
//! | `auth0-mgmt:{deployment}:budget:{T}:{digest of agent}:{calls\|writes}:{minute\|hour\|day}` | sorted set | the charges in one rolling window | the window's length after the last charge |
//!
//! `{T}` is the digest of the tenant origin in braces: a Redis Cluster hash tag, so the
//! keys a script touches share a slot.

use sha2::{Digest, Sha256};
use url::Url;

use crate::Error;

/// The key names of one deployment, tenant and client.
#[derive(Clone, Debug)]
pub(crate) struct Keys {
    deployment: String,
    pub(crate) token: String,
    pub(crate) token_lock: String,
    pub(crate) pacer: String,
    /// The digest of the tenant origin.
    tenant: String,
}

impl Keys {
    pub(crate) fn new(deployment: &str, token_url: &str, client_id: &str, audience: &str) -> Result<Keys, Error> {
        let valid = !deployment.is_empty()
            && deployment.len() <= 64
            && deployment.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        if !valid {
            return Err(Error::Config(format!(
                "invalid deployment name {deployment:?}: 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-'"
            )));
        }
        let origin = Url::parse(token_url)
            .map(|u| u.origin().ascii_serialization())
            .map_err(|e| Error::Config(format!("invalid token URL: {e}")))?;
        let client = digest(&[token_url, client_id, audience]);
        let tenant = digest(&[&origin]);
        let prefix = format!("auth0-mgmt:{deployment}");
        Ok(Keys {
            deployment: deployment.to_owned(),
            token: format!("{prefix}:token:{client}"),
            token_lock: format!("{prefix}:token-lock:{client}"),
            pacer: format!("{prefix}:pacer:{tenant}"),
            tenant,
        })
    }

    pub(crate) fn deployment(&self) -> &str {
        &self.deployment
    }

    /// The digest of the tenant origin (one per tenant, whichever client calls it).
    pub(crate) fn tenant(&self) -> &str {
        &self.tenant
    }
}

/// The first 16 bytes of SHA-256 over the NUL-separated parts, in hex.
pub(crate) fn digest(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h.update([0]);
        }
        h.update(p.as_bytes());
    }
    h.finalize()[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_hide_the_tenant_and_separate_clients_and_deployments() {
        let a = Keys::new("prod", "https://acme.eu.auth0.com/oauth/token", "id1", "aud").unwrap();
        let b = Keys::new("prod", "https://acme.eu.auth0.com/oauth/token", "id2", "aud").unwrap();
        let c = Keys::new("staging", "https://acme.eu.auth0.com/oauth/token", "id1", "aud").unwrap();
        assert!(a.token.starts_with("auth0-mgmt:prod:token:") && !a.token.contains("acme"));
        assert_ne!(a.token, b.token);
        // One bucket per tenant, whichever client calls it.
        assert_eq!(a.pacer, b.pacer);
        assert_ne!(a.pacer, c.pacer);
        for bad in ["", "a b", "x:y", "é", &"x".repeat(65)] {
            assert!(Keys::new(bad, "https://t/oauth/token", "id", "aud").is_err(), "{bad:?}");
        }
    }
}
