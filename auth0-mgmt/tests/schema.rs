//! With the `schema` feature, every request model has a JSON Schema that describes its
//! wire JSON: serde renames, required fields, `null` for fields that can be cleared,
//! tolerant enums, ids, metadata patches. Run with
//! `cargo test -p auth0-mgmt --features schema --test schema`.
#![cfg(feature = "schema")]

use auth0_mgmt::clients::{CreateApplication, UpdateApplication};
use auth0_mgmt::connections::CreateConnection;
use auth0_mgmt::organizations::CreateOrganization;
use auth0_mgmt::refresh_tokens::{RevokeRefreshTokens, UpdateRefreshToken};
use auth0_mgmt::resource_servers::CreateResourceServer;
use auth0_mgmt::roles::CreateRole;
use auth0_mgmt::sessions::UpdateSession;
use auth0_mgmt::users::{CreateUser, Identity, UpdateUser};
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::Value;

/// The schema of `T` with every `$ref` resolved against its definitions (one level
/// deep is enough for the checks below).
fn schema<T: JsonSchema>() -> (Value, Value) {
    let mut generator = SchemaGenerator::default();
    let root = generator.root_schema_for::<T>().to_value();
    let defs = root.get("$defs").cloned().unwrap_or(Value::Null);
    (root, defs)
}

fn resolve<'a>(v: &'a Value, defs: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => &defs[r.trim_start_matches("#/$defs/")],
        None => v,
    }
}

fn props(root: &Value) -> Vec<String> {
    root["properties"].as_object().unwrap().keys().cloned().collect()
}

fn required(root: &Value) -> Vec<String> {
    root.get("required")
        .and_then(Value::as_array)
        .map_or(vec![], |a| a.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
}

fn accepts_null(v: &Value, defs: &Value) -> bool {
    let v = resolve(v, defs);
    let t = &v["type"];
    t == "null"
        || t.as_array().is_some_and(|a| a.iter().any(|x| x == "null"))
        || v["anyOf"].as_array().is_some_and(|a| a.iter().any(|x| accepts_null(x, defs)))
}

#[test]
fn create_application_lists_every_field_and_only_name_is_required() {
    let (root, _) = schema::<CreateApplication>();
    let p = props(&root);
    assert_eq!(p.len(), 56, "{p:?}");
    for f in [
        "client_authentication_methods",
        "organization_discovery_methods",
        "require_pushed_authorization_requests",
        "oidc_logout",
        "addons",
        "token_quota",
        "my_organization_configuration",
    ] {
        assert!(p.iter().any(|k| k == f), "{f}");
    }
    assert_eq!(required(&root), ["name"]);
}

#[test]
fn update_models_mark_clearable_fields_nullable_and_nothing_required() {
    let (root, defs) = schema::<UpdateApplication>();
    assert_eq!(props(&root).len(), 56);
    assert!(required(&root).is_empty());
    for f in [
        "cross_origin_loc",
        "token_endpoint_auth_method",
        "organization_usage",
        "compliance_level",
        "par_request_expiry",
    ] {
        assert!(accepts_null(&root["properties"][f], &defs), "{f} should accept null");
    }
    assert!(!accepts_null(&root["properties"]["name"], &defs), "name cannot be cleared");

    let (user, defs) = schema::<UpdateUser>();
    assert!(required(&user).is_empty());
    assert!(accepts_null(&user["properties"]["nickname"], &defs));
    assert!(!accepts_null(&user["properties"]["blocked"], &defs));
    let meta = resolve(&user["properties"]["app_metadata"], &defs);
    assert_eq!(meta["type"], "object");
    let password = resolve(&user["properties"]["password"], &defs);
    let set = resolve(&password["anyOf"][0], &defs);
    assert_eq!((&set["type"], &set["writeOnly"]), (&Value::from("string"), &Value::from(true)), "{password}");
}

#[test]
fn required_fields_and_enums_match_the_wire() {
    let (c, defs) = schema::<CreateConnection>();
    assert_eq!(props(&c).len(), 13);
    let mut req = required(&c);
    req.sort();
    assert_eq!(req, ["name", "strategy"]);
    let strategy = resolve(&c["properties"]["strategy"], &defs);
    assert_eq!(strategy["type"], "string");
    let known = strategy["anyOf"][0]["enum"].as_array().unwrap();
    assert!(known.iter().any(|v| v == "google-oauth2"));

    let (rs, _) = schema::<CreateResourceServer>();
    assert_eq!(props(&rs).len(), 19, "the 18 of the schema plus token_lifetime_for_web, accepted in practice");
    assert_eq!(required(&rs), ["identifier"]);
    let (o, _) = schema::<CreateOrganization>();
    assert_eq!(props(&o).len(), 7);
    assert_eq!(required(&o), ["name"]);
    let (u, _) = schema::<CreateUser>();
    assert_eq!(props(&u).len(), 17);
    assert_eq!(required(&u), ["connection"]);
    let (r, _) = schema::<CreateRole>();
    assert_eq!(required(&r), ["name"]);
    for (root, field) in [
        (schema::<UpdateSession>().0, "session_metadata"),
        (schema::<UpdateRefreshToken>().0, "refresh_token_metadata"),
    ] {
        assert_eq!(props(&root), [field]);
    }
    let (revoke, _) = schema::<RevokeRefreshTokens>();
    assert_eq!(revoke["anyOf"].as_array().map(Vec::len), Some(4), "{revoke}");
    // The bounds `RefreshTokenIds::new` enforces: 1 to 100 ids of at most 30 characters
    // (inlined, as the MCP gateway generates them: the item bound sits on the item).
    let mut inline =
        schemars::generate::SchemaSettings::draft2020_12().with(|s| s.inline_subschemas = true).into_generator();
    let revoke = inline.root_schema_for::<RevokeRefreshTokens>().to_value();
    let ids = &revoke["anyOf"][0]["properties"]["ids"];
    assert_eq!((&ids["minItems"], &ids["maxItems"]), (&Value::from(1), &Value::from(100)), "{ids}");
    assert_eq!(ids["items"]["maxLength"], 30, "{ids}");
}

/// Fields of nested models may be left out, but only `Patch` fields (top level of the
/// update models) accept `null`: nowhere else does `null` mean anything to send.
#[test]
fn nested_model_fields_do_not_accept_null() {
    fn walk(v: &Value, defs: &Value, path: &str, depth: usize, out: &mut Vec<String>) {
        let v = resolve(v, defs);
        if let Some(props) = v.get("properties").and_then(Value::as_object) {
            for (k, child) in props {
                let at = format!("{path}.{k}");
                if depth > 0 && accepts_null(child, defs) {
                    out.push(at.clone());
                }
                walk(child, defs, &at, depth + 1, out);
            }
        }
        for key in ["anyOf", "oneOf"] {
            for alt in v.get(key).and_then(Value::as_array).into_iter().flatten() {
                walk(alt, defs, path, depth, out);
            }
        }
        if let Some(items) = v.get("items") {
            walk(items, defs, &format!("{path}[]"), depth.max(1), out);
        }
    }
    let mut nullable = Vec::new();
    for (name, (root, defs)) in [
        ("CreateApplication", schema::<CreateApplication>()),
        ("UpdateApplication", schema::<UpdateApplication>()),
        ("CreateConnection", schema::<CreateConnection>()),
        ("CreateOrganization", schema::<CreateOrganization>()),
        ("CreateResourceServer", schema::<CreateResourceServer>()),
        ("CreateUser", schema::<CreateUser>()),
        ("UpdateUser", schema::<UpdateUser>()),
    ] {
        walk(&root, &defs, name, 0, &mut nullable);
    }
    assert!(nullable.is_empty(), "nested fields accepting null: {nullable:?}");
    let (identity, defs) = schema::<Identity>();
    assert!(!accepts_null(&identity["properties"]["isSocial"], &defs));
}

#[test]
fn nested_models_keep_their_wire_names() {
    let (identity, _) = schema::<Identity>();
    let p = props(&identity);
    assert!(p.iter().any(|k| k == "isSocial") && p.iter().any(|k| k == "profileData"), "{p:?}");
    assert!(!p.iter().any(|k| k == "is_social" || k == "extra" || k == "nulls"));
}
