//! The token is stored sealed: XChaCha20-Poly1305 (RustCrypto's `chacha20poly1305`) with a
//! 256-bit key derived by HKDF-SHA256 from the client secret, so that read access to Redis
//! alone yields no usable token.
//!
//! * Key: `HKDF-SHA256(salt = "auth0-mgmt-redis/v1 token key", ikm = client secret,
//!   info = deployment ‖ 0 ‖ token URL ‖ 0 ‖ client id ‖ 0 ‖ audience)`. Another secret,
//!   deployment name, tenant, client or audience gives another key.
//! * Value: `"a0r1" ‖ nonce (24 random bytes from the OS) ‖ ciphertext+tag`, with the Redis
//!   key name as associated data: a value copied under another key does not open.
//! * A value that does not open (another secret after a rotation, another deployment,
//!   tampering) is treated as absent: the next mint overwrites it.

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

const SALT: &[u8] = b"auth0-mgmt-redis/v1 token key";
const MAGIC: &[u8] = b"a0r1";
const NONCE_LEN: usize = 24;

/// Seals and opens values stored under one key name.
pub(crate) struct Sealer {
    cipher: XChaCha20Poly1305,
    aad: Vec<u8>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer([REDACTED])")
    }
}

impl Sealer {
    /// The sealer for values under `key_name`, keyed from `secret` and the context parts.
    pub(crate) fn new(secret: &SecretString, context: &[&str], key_name: &str) -> Sealer {
        let mut info = Vec::new();
        for (i, part) in context.iter().enumerate() {
            if i > 0 {
                info.push(0);
            }
            info.extend_from_slice(part.as_bytes());
        }
        let hk = Hkdf::<Sha256>::new(Some(SALT), secret.expose_secret().as_bytes());
        // Wiped when dropped (a plain `fill(0)` before the drop may be optimised away).
        let mut key = secrecy::zeroize::Zeroizing::new([0u8; 32]);
        // 32 bytes is far below HKDF-SHA256's limit of 255 × 32: this cannot fail.
        hk.expand(&info, key.as_mut()).expect("HKDF output of 32 bytes");
        let cipher = XChaCha20Poly1305::new(Key::from_slice(key.as_ref()));
        Sealer { cipher, aad: key_name.as_bytes().to_vec() }
    }

    pub(crate) fn seal(&self, plaintext: &[u8]) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        // Encryption with a fresh nonce and an in-memory buffer does not fail.
        let sealed = self
            .cipher
            .encrypt(&nonce, Payload { msg: plaintext, aad: &self.aad })
            .expect("XChaCha20-Poly1305 encryption");
        let mut out = Vec::with_capacity(MAGIC.len() + NONCE_LEN + sealed.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// The plaintext, or `None` when the value was not sealed by this key for this name.
    pub(crate) fn open(&self, value: &[u8]) -> Option<Vec<u8>> {
        let rest = value.strip_prefix(MAGIC)?;
        if rest.len() < NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        self.cipher.decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad: &self.aad }).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealer(secret: &str, deployment: &str, name: &str) -> Sealer {
        Sealer::new(&SecretString::from(secret.to_owned()), &[deployment, "https://t/oauth/token", "id", "aud"], name)
    }

    #[test]
    fn sealed_values_open_only_with_the_same_secret_context_and_name() {
        let s = sealer("secret", "prod", "k1");
        let sealed = s.seal(b"the-token");
        assert!(!sealed.windows(9).any(|w| w == b"the-token"));
        assert_eq!(s.open(&sealed).as_deref(), Some(&b"the-token"[..]));
        // Fresh nonces: the same plaintext never seals to the same bytes.
        assert_ne!(s.seal(b"the-token"), sealed);
        assert_eq!(sealer("other", "prod", "k1").open(&sealed), None);
        assert_eq!(sealer("secret", "staging", "k1").open(&sealed), None);
        assert_eq!(sealer("secret", "prod", "k2").open(&sealed), None);
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(s.open(&tampered), None);
        for junk in [&b""[..], b"a0r1", b"a0r1short", b"plain text", &sealed[..30]] {
            assert_eq!(s.open(junk), None);
        }
        assert!(!format!("{s:?}").contains("secret"));
    }
}
