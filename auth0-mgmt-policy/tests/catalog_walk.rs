//! The guard reads every fact from the catalog; this walks `catalog::ALL` and checks
//! that every write operation's description is complete enough for the guard to use:
//! its ids can be restricted, its keys are unambiguous, and its phrase names its ids.

use auth0_mgmt::catalog::{self, IdKind, IdPath, Key, Operation, Presence};
use auth0_mgmt::{ClientId, OrganizationId, RefreshTokenId, Request, SessionId, UserId};
use auth0_mgmt_policy::{AuditRecord, Policy};
use serde_json::{Map, Value, json};

fn sample_id(kind: IdKind) -> &'static str {
    match kind {
        IdKind::User => "auth0|walk",
        IdKind::Role => "rol_walk",
        IdKind::Client => "cli_walk",
        IdKind::Connection => "con_walk",
        IdKind::ConnectionName => "walk-conn",
        IdKind::Organization => "org_walk",
        IdKind::Api => "https://walk.example.com/",
        IdKind::Grant => "grant_walk",
        IdKind::RefreshToken => "rt_walk",
        IdKind::Session => "ses_walk",
        IdKind::Log => "900201",
    }
}

/// A valid request of `op` with every required id (and every allow-listed one) filled.
fn full_request(op: &'static Operation) -> Request {
    let mut req = Request::new(op);
    if let Some(p) = op.path_id {
        let id = sample_id(p.kind);
        req = match p.kind {
            IdKind::User => req.id(&id.parse::<UserId>().unwrap()),
            IdKind::Client => req.id(&id.parse::<ClientId>().unwrap()),
            IdKind::Organization => req.id(&id.parse::<OrganizationId>().unwrap()),
            IdKind::RefreshToken => req.id(&id.parse::<RefreshTokenId>().unwrap()),
            IdKind::Session => req.id(&id.parse::<SessionId>().unwrap()),
            IdKind::Role => req.id(&id.parse::<auth0_mgmt::RoleId>().unwrap()),
            IdKind::Connection => req.id(&id.parse::<auth0_mgmt::ConnectionId>().unwrap()),
            IdKind::Api => req.id(&id.parse::<auth0_mgmt::ResourceServerId>().unwrap()),
            IdKind::Grant => req.id(&id.parse::<auth0_mgmt::GrantId>().unwrap()),
            IdKind::Log => req.id(&id.parse::<auth0_mgmt::LogId>().unwrap()),
            IdKind::ConnectionName => panic!("{}: a connection name in a path", op.id),
        };
    }
    if op.body.presence == Presence::Required {
        let mut body = Map::new();
        let shape: Option<&&[&str]> = op.body.one_of.iter().max_by_key(|s| s.len());
        for slot in op.body.ids {
            let key = slot.at.key();
            let wanted = slot.required || slot.allow_listed;
            let allowed = shape.is_none_or(|s| s.contains(&key));
            if !wanted || !allowed {
                continue;
            }
            let id = sample_id(slot.kind);
            let v = match slot.at {
                IdPath::Value(_) => json!(id),
                IdPath::List(_) => json!([id]),
                IdPath::ListOf(_, f) => json!([{ f: id }]),
                IdPath::Field(_, f) => json!({ f: id }),
            };
            body.insert(key.into(), v);
        }
        if let Some(shape) = shape {
            for k in *shape {
                body.entry(k.to_string()).or_insert_with(|| json!("filler"));
            }
        }
        if body.is_empty() {
            body.insert(op.body.keys[0].name.into(), json!("x"));
        }
        req = req.json_value(Value::Object(body));
    }
    req
}

fn policy(op: &Operation, allow: &str) -> Policy {
    let actions: Vec<String> = op.most_sensitive().iter().map(|a| format!("\"{a}\"")).collect();
    let text = format!(
        "schema_version = 1\n[agents.a]\nresources = {{ {} = \"full\" }}\nactions = [{}]\n[agents.a.allow]\n\
         roles = {allow}\norganizations = {allow}\nconnections = {allow}\nclients = {allow}\napis = {allow}\n",
        op.resource,
        actions.join(", ")
    );
    Policy::from_toml(&text).unwrap()
}

#[test]
fn every_write_operation_is_completely_described_for_the_guard() {
    let mut writes = 0;
    for op in catalog::ALL.iter().copied().filter(|op| op.access.is_write()) {
        writes += 1;
        let req = full_request(op);
        // Granted everything it can need, with open allow-lists: allowed, so the sample
        // is valid and the description consistent.
        let open = policy(op, "[\"*\"]");
        let d = open.decide("a", &req);
        assert!(d.is_allowed(), "{}: {:?}", op.id, d.verdict);
        // Every allow-listed id is restricted by a real allow-list: empty lists refuse.
        let allow_listed = d.targets.ids.iter().filter(|t| t.allow_listed).count();
        let closed = policy(op, "[]");
        let d2 = closed.decide("a", &req);
        if allow_listed > 0 {
            assert_eq!(d2.deny_code().map(|c| c.as_str()), Some("not_allow_listed"), "{}", op.id);
            assert!(!d2.denial().unwrap().reason.contains("no allow-list exists"), "{}", op.id);
        } else {
            assert!(d2.is_allowed(), "{}: {:?}", op.id, d2.verdict);
        }
        // Its phrase names every id it carries, without placeholders left over.
        let record = AuditRecord::intent(&open, "a", "walk", &d, std::time::SystemTime::now());
        for t in &d.targets.ids {
            assert!(record.message.contains(&t.id), "{}: {} not in {:?}", op.id, t.id, record.message);
        }
        assert!(!record.message.contains('{') && !record.message.contains("(none)"), "{}: {}", op.id, record.message);
        // Key names are unambiguous: no two known keys differ only in spelling (so
        // refusing odd spellings never refuses a real key).
        fn folded(k: &str) -> String {
            k.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
        }
        fn unambiguous(id: &str, keys: &[Key]) {
            let mut seen = std::collections::HashSet::new();
            for k in keys {
                assert!(seen.insert(folded(k.name)), "{id}: `{}` folds onto another key", k.name);
                unambiguous(id, k.nested);
            }
        }
        unambiguous(op.id, op.body.keys);
    }
    assert_eq!(writes, catalog::ALL.iter().filter(|op| op.method != catalog::Method::Get).count());
}
