//! Conformance with the material beside the repository (`../shared`): the recorded real
//! traffic (`fixtures/recorded/<operation>.json`) and the endpoint reference
//! (`endpoints.json`). This is the one test that reads outside the repository.
//!
//! * Every recorded response body decodes into its operation's model and re-encodes to
//!   the same JSON, explicit `null`s included. The only differences allowed are the
//!   recorder's documented artefacts (reference §16), named in [`recorder_artefact`].
//! * Every endpoint of the reference is in the catalog with its scopes, access, success
//!   status, list key and paging modes.
//!
//! The folder is `$AUTH0_MGMT_SHARED_DIR`, or `shared` beside the repository. When it is
//! absent (a fresh clone) the tests print that they were skipped and pass, unless
//! `AUTH0_MGMT_REQUIRE_SHARED=1` (CI) makes its absence a failure.

use std::path::PathBuf;

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
use auth0_mgmt::{ErrorBody, JsonObject, Page, catalog};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The shared folder, or `None` (after saying so) when it is absent.
fn shared_dir(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("AUTH0_MGMT_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    if dir.join("fixtures/recorded").is_dir() && dir.join("endpoints.json").is_file() {
        return Some(dir);
    }
    let required = std::env::var("AUTH0_MGMT_REQUIRE_SHARED").is_ok_and(|v| v == "1");
    assert!(!required, "AUTH0_MGMT_REQUIRE_SHARED=1 but {} has no fixtures/recorded and endpoints.json", dir.display());
    println!("{test}: skipped: {} is absent (set AUTH0_MGMT_SHARED_DIR to run it)", dir.display());
    None
}

/// The token endpoint's success body (the crate's own parser is internal).
#[derive(Serialize, Deserialize)]
struct TokenResponse {
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

/// A difference the recorder made, not the server (reference §16): the one checkpoint
/// listing of clients (`ClientGrantsWithOrg`) was re-serialized through the Go `Client`
/// struct and carries `client_secret` / `signing_keys` redaction placeholders at the top
/// level of the listing.
fn recorder_artefact(source: &str, key: &str) -> bool {
    source.contains("ClientGrantsWithOrg") && matches!(key, "client_secret" | "signing_keys")
}

fn decode<T: DeserializeOwned>(body: &Value) -> Result<T, String> {
    serde_path_to_error::deserialize(body.clone()).map_err(|e| format!("decode at {}: {}", e.path(), e.inner()))
}

fn exact<T: Serialize + DeserializeOwned>(body: &Value) -> Result<(), String> {
    let again = serde_json::to_value(decode::<T>(body)?).map_err(|e| e.to_string())?;
    if &again != body {
        return Err(format!("re-encoding lost or changed data\noriginal:   {body}\nre-encoded: {again}"));
    }
    Ok(())
}

fn list_exact<T: Serialize + DeserializeOwned>(body: &Value, list_key: &str, source: &str) -> Result<(), String> {
    let page: Page<T> = decode(body)?;
    let items = match body {
        Value::Array(a) => a.clone(),
        Value::Object(o) => {
            for k in o.keys() {
                let known = k == list_key || matches!(k.as_str(), "start" | "limit" | "total" | "length" | "next");
                if !known && !recorder_artefact(source, k) {
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

fn no_content(body: &Value) -> Result<(), String> {
    match body {
        Value::Null => Ok(()),
        Value::Object(o) if o.is_empty() => Ok(()),
        other => Err(format!("expected no body, got {other}")),
    }
}

fn decode_success(op: &str, body: &Value, source: &str) -> Result<(), String> {
    match op {
        "oauth.token" => exact::<TokenResponse>(body),
        "users.get" | "users.create" | "users.update" => exact::<User>(body),
        "users.list" => list_exact::<User>(body, "users", source),
        "users.delete" | "users.assign_roles" | "users.remove_roles" => no_content(body),
        "roles.get" | "roles.create" => exact::<Role>(body),
        "roles.list" | "users.list_roles" => list_exact::<Role>(body, "roles", source),
        "clients.get" | "clients.create" | "clients.update" => exact::<Application>(body),
        "clients.list" => list_exact::<Application>(body, "clients", source),
        "clients.delete" => no_content(body),
        "connections.get" | "connections.create" => exact::<Connection>(body),
        "connections.list" => list_exact::<Connection>(body, "connections", source),
        "organizations.get" | "organizations.create" => exact::<Organization>(body),
        "organizations.list" => list_exact::<Organization>(body, "organizations", source),
        "organizations.list_members" => list_exact::<Member>(body, "members", source),
        "organizations.add_members" => no_content(body),
        "logs.get" => exact::<Log>(body),
        "logs.list" => list_exact::<Log>(body, "logs", source),
        "grants.list" => list_exact::<Grant>(body, "grants", source),
        "grants.delete" => no_content(body),
        "resource_servers.get" | "resource_servers.create" => exact::<ResourceServer>(body),
        "resource_servers.list" => list_exact::<ResourceServer>(body, "resource_servers", source),
        "refresh_tokens.get" | "refresh_tokens.update" => exact::<RefreshToken>(body),
        "refresh_tokens.list" => list_exact::<RefreshToken>(body, "refresh_tokens", source),
        "refresh_tokens.delete" | "refresh_tokens.revoke" => no_content(body),
        "sessions.get" | "sessions.update" => exact::<Session>(body),
        other => Err(format!("no typed model mapped for operation {other}")),
    }
}

#[test]
fn every_recorded_body_decodes_and_round_trips_exactly() {
    let Some(shared) = shared_dir("every_recorded_body_decodes_and_round_trips_exactly") else { return };
    let dir = shared.join("fixtures/recorded");
    let mut failures = Vec::new();
    let (mut files, mut checked) = (0, 0);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        files += 1;
        let op = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let catalog_op = catalog::find(&op);
        if op != catalog::OAUTH_TOKEN && catalog_op.is_none() {
            failures.push(format!("{op}: not in the catalog"));
            continue;
        }
        let interactions: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert!(!interactions.is_empty(), "{op}: no interactions");
        for i in &interactions {
            let source = i["source"].as_str().unwrap_or("?");
            let status = i["status"].as_u64().unwrap() as u16;
            let body = &i["response_body"];
            if let Some(cop) = catalog_op {
                assert_eq!(i["method"], cop.method.as_str(), "{op} method ({source})");
            }
            let result = if (200..300).contains(&status) {
                if let Some(cop) = catalog_op {
                    // The catalog lists every success status it accepts (a refresh token
                    // delete answers 204 as recorded, 202 per the OAS, §14).
                    if !cop.is_success_status(status) {
                        failures.push(format!(
                            "{op}: recorded {status}, catalog accepts {:?} ({source})",
                            cop.success_statuses
                        ));
                    }
                }
                decode_success(&op, body, source)
            } else if body.is_null() {
                Ok(())
            } else if op == catalog::OAUTH_TOKEN {
                decode::<JsonObject>(body).map(drop)
            } else {
                exact::<ErrorBody>(body)
            };
            if let Err(e) = result {
                failures.push(format!("{op} {status} ({source}): {e}"));
            }
            checked += 1;
        }
    }
    assert!(files > 0, "no fixture files in {}", dir.display());
    println!("conformance: {checked} recorded bodies in {files} files decoded and re-encoded exactly");
    assert!(failures.is_empty(), "{} of {checked} recorded bodies failed:\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn catalog_matches_the_endpoint_reference() {
    let Some(shared) = shared_dir("catalog_matches_the_endpoint_reference") else { return };
    let text = std::fs::read_to_string(shared.join("endpoints.json")).unwrap();
    let endpoints: Vec<Value> = serde_json::from_str(&text).unwrap();
    let mut matched = 0;
    for e in &endpoints {
        let (m, p) = (e["method"].as_str().unwrap(), e["path"].as_str().unwrap());
        if p == "/oauth/token" {
            continue;
        }
        let op = catalog::ALL
            .iter()
            .find(|op| op.method.as_str() == m && op.path == p)
            .unwrap_or_else(|| panic!("{m} {p} ({}) is not in the catalog", e["name"]));
        matched += 1;
        for s in e["scopes"].as_array().unwrap() {
            assert!(op.scopes.contains(&s.as_str().unwrap()), "{}: missing scope {s}", op.id);
        }
        assert_eq!(op.access.as_str(), e["access"].as_str().unwrap(), "{}", op.id);
        // The reference's status is one the catalog accepts (refresh_tokens.delete: the
        // OAS says 202, the server sends 204; the catalog names 204 and accepts both).
        let status = e["success_status"].as_u64().unwrap() as u16;
        assert!(op.is_success_status(status), "{}: {status} not in {:?}", op.id, op.success_statuses);
        assert_eq!(op.list_key, e["list_key"].as_str(), "{}", op.id);
        let modes: Vec<&str> = e["pagination"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(op.paging.offset(), modes.contains(&"offset"), "{}", op.id);
        assert_eq!(op.paging.checkpoint(), modes.contains(&"checkpoint"), "{}", op.id);
    }
    assert_eq!(matched, 35, "the 28 core operations plus refresh tokens and sessions");
}
