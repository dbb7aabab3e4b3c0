//! Decode a response body into its operation's typed model and re-encode it: the JSON
//! must come back identical, explicit `null`s, unknown keys and unknown enum values
//! included. Shared by the in-repository test data (`auth0-mgmt/tests/fixtures.rs`) and
//! the recorded traffic beside the repository (`tests/conformance.rs`), so that both
//! check every operation against the same model.
#![allow(dead_code)] // each includer uses part of it

use auth0_mgmt::clients::Application;
use auth0_mgmt::connections::Connection;
use auth0_mgmt::grants::Grant;
use auth0_mgmt::logs::Log;
use auth0_mgmt::organizations::{Member, Organization};
use auth0_mgmt::refresh_tokens::RefreshToken;
use auth0_mgmt::resource_servers::ResourceServer;
use auth0_mgmt::roles::Role;
use auth0_mgmt::sessions::Session;
use auth0_mgmt::users::User;
use auth0_mgmt::{JsonObject, Page};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The token endpoint's success body (the crate's own parser is internal).
#[derive(Serialize, Deserialize)]
pub struct TokenResponse {
    access_token: String,
    token_type: String,
    expires_in: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(flatten)]
    extra: JsonObject,
}

/// The OAuth error body of the token endpoint.
#[derive(Serialize, Deserialize)]
pub struct OAuthError {
    error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error_description: Option<String>,
    #[serde(flatten)]
    extra: JsonObject,
}

/// Top-level keys of a listing that are known not to be the server's (see
/// `tests/conformance.rs`); `&|_| false` for data that must be exact.
pub type Artefact<'a> = &'a dyn Fn(&str) -> bool;

pub fn decode<T: DeserializeOwned>(body: &Value) -> Result<T, String> {
    serde_path_to_error::deserialize(body.clone()).map_err(|e| format!("decode at {}: {}", e.path(), e.inner()))
}

/// Decodes and re-encodes; the JSON must be identical, nulls included.
pub fn exact<T: Serialize + DeserializeOwned>(body: &Value) -> Result<(), String> {
    let again = serde_json::to_value(decode::<T>(body)?).map_err(|e| e.to_string())?;
    if &again != body {
        return Err(format!("re-encoding lost or changed data\noriginal:   {body}\nre-encoded: {again}"));
    }
    Ok(())
}

/// A listing: every item re-encodes exactly, and every paging field is read.
pub fn list_exact<T: Serialize + DeserializeOwned>(
    body: &Value,
    list_key: &str,
    artefact: Artefact<'_>,
) -> Result<(), String> {
    let page: Page<T> = decode(body)?;
    let items = match body {
        Value::Array(a) => a.clone(),
        Value::Object(o) => {
            for k in o.keys() {
                let known = k == list_key || matches!(k.as_str(), "start" | "limit" | "total" | "length" | "next");
                if !known && !artefact(k) {
                    return Err(format!("unexpected top-level key {k:?} in a listing"));
                }
            }
            let fields = [("start", page.start), ("limit", page.limit), ("total", page.total), ("length", page.length)];
            for (k, got) in fields {
                if o.get(k).and_then(Value::as_u64) != got {
                    return Err(format!("{k} not decoded"));
                }
            }
            if o.get("next").and_then(Value::as_str) != page.next.as_deref() {
                return Err("next not decoded".into());
            }
            o.get(list_key).and_then(Value::as_array).cloned().unwrap_or_default()
        }
        _ => return Err("a listing must be an array or an object".into()),
    };
    if items.len() != page.items.len() {
        return Err("item count differs".into());
    }
    for (orig, typed) in items.iter().zip(&page.items) {
        let again = serde_json::to_value(typed).map_err(|e| e.to_string())?;
        if &again != orig {
            return Err(format!("item lost or changed data\noriginal:   {orig}\nre-encoded: {again}"));
        }
    }
    Ok(())
}

pub fn no_content(body: &Value) -> Result<(), String> {
    match body {
        Value::Null => Ok(()),
        Value::Object(o) if o.is_empty() => Ok(()),
        other => Err(format!("expected no body, got {other}")),
    }
}

/// The typed model (and list key) of an operation's success body, checked.
pub fn success(op: &str, body: &Value, artefact: Artefact<'_>) -> Result<(), String> {
    match op {
        "oauth.token" => exact::<TokenResponse>(body),
        "users.get" | "users.create" | "users.update" => exact::<User>(body),
        "users.list" | "users.list_by_email" => list_exact::<User>(body, "users", artefact),
        "roles.get" | "roles.create" => exact::<Role>(body),
        "roles.list" | "users.list_roles" => list_exact::<Role>(body, "roles", artefact),
        "clients.get" | "clients.create" | "clients.update" => exact::<Application>(body),
        "clients.list" => list_exact::<Application>(body, "clients", artefact),
        "connections.get" | "connections.create" => exact::<Connection>(body),
        "connections.list" => list_exact::<Connection>(body, "connections", artefact),
        "organizations.get" | "organizations.create" => exact::<Organization>(body),
        "organizations.list" => list_exact::<Organization>(body, "organizations", artefact),
        "organizations.list_members" => list_exact::<Member>(body, "members", artefact),
        "logs.get" => exact::<Log>(body),
        "logs.list" => list_exact::<Log>(body, "logs", artefact),
        "grants.list" => list_exact::<Grant>(body, "grants", artefact),
        "resource_servers.get" | "resource_servers.create" => exact::<ResourceServer>(body),
        "resource_servers.list" => list_exact::<ResourceServer>(body, "resource_servers", artefact),
        "refresh_tokens.get" | "refresh_tokens.update" => exact::<RefreshToken>(body),
        "refresh_tokens.list" => list_exact::<RefreshToken>(body, "refresh_tokens", artefact),
        "sessions.get" | "sessions.update" => exact::<Session>(body),
        "users.delete"
        | "users.assign_roles"
        | "users.remove_roles"
        | "clients.delete"
        | "grants.delete"
        | "organizations.add_members"
        | "refresh_tokens.delete"
        | "refresh_tokens.revoke" => no_content(body),
        other => Err(format!("no typed model mapped for operation {other}")),
    }
}
