//! Response redaction: secrets are removed from what an agent gets back.

use std::collections::BTreeSet;

use bytes::Bytes;
use serde_json::Value;

/// Keys removed anywhere in a response unless the agent holds `read_client_secrets`.
pub const SECRET_KEYS: &[&str] = &["client_secret", "signing_keys", "encryption_key", "signing_secret"];

/// Keys removed from every object inside an `identities` list (identity-provider tokens).
pub const IDENTITY_TOKEN_KEYS: &[&str] = &["access_token", "access_token_secret", "refresh_token"];

/// The byte strings whose presence makes a response worth parsing: every secret key,
/// and `identities` (identity-provider tokens live only there).
const TRIGGERS: &[&[u8]] = &[b"client_secret", b"signing_keys", b"encryption_key", b"signing_secret", b"identities"];

/// Whether `body` may hold a key [`redact`] removes. `false` is a proof: the body
/// contains none of the key names as bytes and no `\u` escape — the only JSON escape
/// that could spell one of them differently (`"client\u005fsecret"`); every other escape
/// stands for a character no key name contains.
pub fn may_hold_secrets(body: &[u8]) -> bool {
    body.iter().enumerate().any(|(i, &b)| {
        if b == b'\\' {
            body.get(i + 1) == Some(&b'u')
        } else {
            matches!(b, b'c' | b's' | b'e' | b'i') && TRIGGERS.iter().any(|t| body[i..].starts_with(t))
        }
    })
}

/// Filters a response body: the same bytes, untouched, when nothing can need removing
/// (no parse, no copy); otherwise the body re-encoded with secrets removed. The result
/// is never longer than `body`: should re-encoding come out longer (it can, for numbers
/// written more briefly than `serde_json` writes them), or should a body that may hold
/// secrets not parse, the result is `null` — the call then fails to decode instead of
/// handing anything out.
pub fn filter(body: Bytes, allow_secrets: bool, protected_clients: &BTreeSet<String>) -> Bytes {
    if allow_secrets && protected_clients.is_empty() {
        return body;
    }
    if !may_hold_secrets(&body) {
        return body;
    }
    let Ok(mut json) = serde_json::from_slice::<Value>(&body) else {
        tracing::error!("a response that may hold secrets did not parse; it is withheld");
        return Bytes::from_static(b"null");
    };
    if !walk(&mut json, allow_secrets, protected_clients, 0) {
        return body;
    }
    match serde_json::to_vec(&json) {
        Ok(out) if out.len() <= body.len() => Bytes::from(out),
        Ok(_) | Err(_) => {
            tracing::error!("a redacted response came out larger than the original; it is withheld");
            Bytes::from_static(b"null")
        }
    }
}

/// Removes secrets from `body` in place. With `allow_secrets` they are kept, except in
/// objects whose `client_id` is in `protected_clients` (lower-cased): a protected
/// application's secrets are never handed out.
pub fn redact(body: &mut Value, allow_secrets: bool, protected_clients: &BTreeSet<String>) {
    walk(body, allow_secrets, protected_clients, 0);
}

/// Redacts `v`; returns whether anything changed.
fn walk(v: &mut Value, allow: bool, protected: &BTreeSet<String>, depth: usize) -> bool {
    if depth > 32 {
        // Absurdly deep: drop it rather than risk missing a secret.
        *v = Value::Null;
        return true;
    }
    let mut changed = false;
    match v {
        Value::Object(map) => {
            let is_protected = !protected.is_empty()
                && map
                    .get("client_id")
                    .and_then(Value::as_str)
                    .is_some_and(|c| protected.contains(&c.to_ascii_lowercase()));
            if !allow || is_protected {
                for k in SECRET_KEYS {
                    changed |= map.remove(*k).is_some();
                }
                if let Some(Value::Array(ids)) = map.get_mut("identities") {
                    for identity in ids.iter_mut() {
                        if let Value::Object(i) = identity {
                            for k in IDENTITY_TOKEN_KEYS {
                                changed |= i.remove(*k).is_some();
                            }
                        }
                    }
                }
            }
            for (_, child) in map.iter_mut() {
                changed |= walk(child, allow, protected, depth + 1);
            }
        }
        Value::Array(items) => {
            for i in items.iter_mut() {
                changed |= walk(i, allow, protected, depth + 1);
            }
        }
        Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null => {}
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn removes_secrets_at_any_depth() {
        let mut v = json!({"clients": [{"client_id": "a", "client_secret": "s", "name": "n", "signing_keys": [{"cert": "c"}],
            "refresh_token": {"rotation_type": "rotating"}}],
            "identities": [{"provider": "google", "access_token": "t", "refresh_token": "r"}]});
        redact(&mut v, false, &BTreeSet::new());
        assert_eq!(
            v,
            json!({"clients": [{"client_id": "a", "name": "n", "refresh_token": {"rotation_type": "rotating"}}],
                "identities": [{"provider": "google"}]})
        );
    }

    #[test]
    fn protected_clients_stay_redacted() {
        let protected: BTreeSet<String> = ["gw".to_owned()].into();
        let mut v = json!([{"client_id": "GW", "client_secret": "s"}, {"client_id": "b", "client_secret": "s"}]);
        redact(&mut v, true, &protected);
        assert_eq!(v, json!([{"client_id": "GW"}, {"client_id": "b", "client_secret": "s"}]));
    }

    #[test]
    fn the_byte_scan_cannot_be_fooled_by_escapes() {
        let none = BTreeSet::new();
        // Nothing to find: the very same bytes come back (no parse, no copy).
        let plain = Bytes::from_static(br#"{"client_id":"a","name":"n","refresh_token":{"rotation_type":"rotating"}}"#);
        let out = filter(plain.clone(), false, &none);
        assert_eq!(out.as_ptr(), plain.as_ptr());
        // An escaped key is still found and removed.
        let escaped = Bytes::from_static(br#"{"client_id":"a","client_secret":"s3cret","name":"n"}"#);
        assert!(may_hold_secrets(&escaped));
        let out = filter(escaped.clone(), false, &none);
        assert_eq!(serde_json::from_slice::<Value>(&out).unwrap(), json!({"client_id": "a", "name": "n"}));
        assert!(out.len() <= escaped.len());
        let escaped = Bytes::from_static(br#"{"identities":[{"access_token":"t"}]}"#);
        assert_eq!(
            serde_json::from_slice::<Value>(&filter(escaped, false, &none)).unwrap(),
            json!({"identities": [{}]})
        );
        // A body that may hold secrets and does not parse is withheld.
        let broken = Bytes::from_static(br#"{"client_secret":"s3cret","#);
        assert_eq!(&filter(broken, false, &none)[..], b"null");
        // A secret-free body with a trigger word inside a value: parsed, nothing changed,
        // the same bytes come back.
        let word = Bytes::from_static(br#"{"description":"rotate the client_secret monthly","n":1.0e5}"#);
        let out = filter(word.clone(), false, &none);
        assert_eq!(out.as_ptr(), word.as_ptr());
        // Re-encoding can grow numbers (1e5 -> 100000.0): the result is never longer.
        let grows = Bytes::from_static(br#"{"client_secret":"s","a":[1e5,1e5,1e5,1e5,1e5,1e5]}"#);
        let out = filter(grows.clone(), false, &none);
        assert!(out.len() <= grows.len(), "{}", String::from_utf8_lossy(&out));
        assert!(!String::from_utf8_lossy(&out).contains("client_secret"));
        // Granted and nothing protected: untouched without even scanning.
        let secret = Bytes::from_static(br#"{"client_secret":"s"}"#);
        assert_eq!(filter(secret.clone(), true, &none).as_ptr(), secret.as_ptr());
    }
}
