//! Response redaction: secrets are removed from what an agent gets back.

use std::collections::BTreeSet;

use serde_json::Value;

/// Keys removed anywhere in a response unless the agent holds `read_client_secrets`.
pub const SECRET_KEYS: &[&str] = &["client_secret", "signing_keys", "encryption_key", "signing_secret"];

/// Keys removed from every object inside an `identities` list (identity-provider tokens).
pub const IDENTITY_TOKEN_KEYS: &[&str] = &["access_token", "access_token_secret", "refresh_token"];

/// Removes secrets from `body` in place. With `allow_secrets` they are kept, except in
/// objects whose `client_id` is in `protected_clients` (lower-cased): a protected
/// application's secrets are never handed out.
pub fn redact(body: &mut Value, allow_secrets: bool, protected_clients: &BTreeSet<String>) {
    walk(body, allow_secrets, protected_clients, 0);
}

fn walk(v: &mut Value, allow: bool, protected: &BTreeSet<String>, depth: usize) {
    if depth > 32 {
        // Absurdly deep: drop it rather than risk missing a secret.
        *v = Value::Null;
        return;
    }
    match v {
        Value::Object(map) => {
            let is_protected = !protected.is_empty()
                && map
                    .get("client_id")
                    .and_then(Value::as_str)
                    .is_some_and(|c| protected.contains(&c.to_ascii_lowercase()));
            if !allow || is_protected {
                for k in SECRET_KEYS {
                    map.remove(*k);
                }
                if let Some(Value::Array(ids)) = map.get_mut("identities") {
                    for identity in ids.iter_mut() {
                        if let Value::Object(i) = identity {
                            for k in IDENTITY_TOKEN_KEYS {
                                i.remove(*k);
                            }
                        }
                    }
                }
            }
            for (_, child) in map.iter_mut() {
                walk(child, allow, protected, depth + 1);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| walk(i, allow, protected, depth + 1)),
        _ => {}
    }
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
}
