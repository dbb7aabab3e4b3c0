//! The catalog agrees with the shared endpoint reference (`../shared/endpoints.json`).

use std::path::Path;

use auth0_mgmt::catalog::{self, Paging};
use serde_json::Value;

#[test]
fn catalog_matches_the_shared_endpoint_reference() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/endpoints.json");
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{} is required: {e}", file.display()));
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
        assert_eq!(op.paging == Paging::None, modes.is_empty(), "{}", op.id);
    }
    assert_eq!(matched, 35, "the 28 core operations plus refresh tokens and sessions");
    // Role assignment needs both scopes, not either.
    assert_eq!(catalog::USERS_ASSIGN_ROLES.scopes, ["update:users", "create:role_members"]);
    assert_eq!(catalog::ALL.len(), 39, "35 operations and the four inverses");
}
