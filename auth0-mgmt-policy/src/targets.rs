//! What a call touches and what it needs, read off the [catalog](auth0_mgmt::catalog)
//! descriptor of its operation — never from anything the caller says about the call:
//! the ids in its path **and** its body (each validated with the id grammar), and the
//! class of **every** body key (no cap, no sampling).
//!
//! How body keys are read:
//!
//! * A key spelled exactly as the catalog lists it has its listed class; where the
//!   catalog lists nested keys (`jwt_configuration.alg`), every nested key is classified
//!   too, and a value that is not an object counts as touching all of them.
//! * A key the catalog does not list counts as the operation's most sensitive class
//!   ([`Operation::most_sensitive`]): every dangerous action any key of it can need.
//! * A key that is a *different spelling* of a listed one (`App_Metadata`,
//!   `app-metadata`, `appMetadata`, `app_metadata ` …) or is not plain printable ASCII is
//!   refused (`invalid_body`): no Auth0 body key looks like that, and a lenient server
//!   must not be given a second name for a field the guard checks.
//! * JSON escapes are already decoded (`"app\u005fmetadata"` *is* `app_metadata`), and a
//!   JSON object holds each key once: duplicates in a text collapse to the last one when
//!   it becomes a `serde_json::Value`, and the body that is sent is serialized from that
//!   same value — so the server sees exactly the keys classified here.
//! * A body larger than [`MAX_BODY_VALUES`] values or [`MAX_BODY_BYTES`] bytes, or
//!   nested deeper than [`MAX_BODY_DEPTH`], is refused (`invalid_body`) rather than sent
//!   half-checked.

use auth0_mgmt::Request;
use auth0_mgmt::catalog::{Action, ActionSet, FieldClass, IdPath, Key, Operation, Presence};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::decision::DenyCode;

/// The kind of an id a call touches (the catalog's [`IdKind`](auth0_mgmt::catalog::IdKind)).
pub use auth0_mgmt::catalog::IdKind as TargetKind;

/// The most body ids one call may carry (Auth0 caps `ids` at 100; a larger batch is refused).
pub const MAX_BODY_IDS: usize = 100;
/// The deepest nesting of a body that is classified (deeper bodies are refused).
pub const MAX_BODY_DEPTH: usize = 32;
/// The most JSON values (objects, arrays, scalars) in a body that is classified.
pub const MAX_BODY_VALUES: usize = 10_000;
/// The largest body classified, counting key and string bytes (Auth0 accepts 1 MB).
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// One id a call touches.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Target {
    /// What kind of id it is.
    pub kind: TargetKind,
    /// The id, as the caller gave it (not encoded). In audit records it is sanitized.
    pub id: String,
    /// Whether the operation's allow-list of this kind applies to it (catalog data).
    #[serde(skip)]
    pub allow_listed: bool,
}

impl Target {
    pub(crate) fn new(kind: TargetKind, id: impl Into<String>, allow_listed: bool) -> Target {
        Target { kind, id: id.into(), allow_listed }
    }
}

/// The ids of one call, and the top-level body keys recorded for it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Targets {
    /// Every id, path id first, then body ids in the catalog's field order.
    pub ids: Vec<Target>,
    /// For operations whose catalog body says so: the names of every top-level body key
    /// (never their values), in the body's order.
    pub fields: Vec<String>,
}

impl Targets {
    /// The ids of one kind.
    pub fn of(&self, kind: TargetKind) -> impl Iterator<Item = &str> {
        self.ids.iter().filter(move |t| t.kind == kind).map(|t| t.id.as_str())
    }
}

/// A dangerous action a call needs, and the body keys that make it need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Need {
    /// The action.
    pub action: Action,
    /// The body keys (dotted for nested keys) that need it; empty when the operation
    /// itself needs it.
    pub because: Vec<String>,
}

/// Everything read off a request: targets, needed actions, and the first problem.
#[derive(Debug, Default)]
pub(crate) struct Extracted {
    pub(crate) targets: Targets,
    pub(crate) needs: Vec<Need>,
    pub(crate) problem: Option<(DenyCode, String)>,
}

impl Extracted {
    fn fail(&mut self, code: DenyCode, msg: impl Into<String>) {
        if self.problem.is_none() {
            self.problem = Some((code, msg.into()));
        }
    }

    fn need(&mut self, action: Action, because: Option<&str>) {
        let i = match self.needs.iter().position(|n| n.action == action) {
            Some(i) => i,
            None => {
                self.needs.push(Need { action, because: Vec::new() });
                self.needs.len() - 1
            }
        };
        if let Some(b) = because {
            self.needs[i].because.push(b.to_owned());
        }
    }

    fn need_all(&mut self, actions: ActionSet, because: &str) {
        for a in actions.iter() {
            self.need(a, Some(because));
        }
    }
}

/// Extracts and validates what `req` touches and needs, from its operation's catalog
/// descriptor. On failure the problem says what is wrong; the targets gathered so far
/// (unvalidated ones included) are still returned so that the audit record can show
/// what was attempted.
pub(crate) fn extract(req: &Request) -> Extracted {
    let op = req.operation();
    let mut x = Extracted::default();
    for a in op.actions {
        x.need(*a, None);
    }

    match (op.path_id, req.path_id()) {
        (Some(p), Some(id)) => {
            if let Err(e) = p.kind.validate(id) {
                x.fail(DenyCode::InvalidTarget, format!("invalid {} id: {e}", p.kind.noun()));
            }
            x.targets.ids.push(Target::new(p.kind, id, p.allow_listed));
        }
        (Some(p), None) => x.fail(DenyCode::InvalidTarget, format!("{} needs a {} id", op.id, p.kind.noun())),
        (None, Some(_)) => x.fail(DenyCode::InvalidTarget, format!("{} takes no id in its path", op.id)),
        (None, None) => {}
    }

    match (op.body.presence, req.body()) {
        (Presence::None, None | Some(Value::Null)) => {}
        (Presence::None, Some(_)) => x.fail(DenyCode::InvalidBody, format!("{} takes no request body", op.id)),
        (Presence::Required, Some(Value::Object(obj))) => body(op, obj, &mut x),
        (Presence::Required, _) => x.fail(DenyCode::InvalidBody, format!("{} needs a JSON object body", op.id)),
    }
    if op.access.is_write() && req.query_pairs().next().is_some() {
        x.fail(DenyCode::InvalidTarget, format!("{} takes no query parameters", op.id));
    }
    x
}

/// Measures a value: depth, number of values, key and string bytes. Stops as soon as a
/// limit is passed (so a hostile body costs at most the limits to look at).
fn measure(v: &Value, depth: usize, values: &mut usize, bytes: &mut usize) -> Result<(), String> {
    *values += 1;
    if *values > MAX_BODY_VALUES {
        return Err(format!("the request body holds more than {MAX_BODY_VALUES} values, too many to check"));
    }
    if depth > MAX_BODY_DEPTH {
        return Err(format!("the request body is nested deeper than {MAX_BODY_DEPTH} levels, too deep to check"));
    }
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                *bytes = bytes.saturating_add(k.len() + 4);
                measure(v, depth + 1, values, bytes)?;
            }
        }
        Value::Array(a) => {
            for v in a {
                measure(v, depth + 1, values, bytes)?;
            }
        }
        Value::String(s) => *bytes = bytes.saturating_add(s.len() + 2),
        Value::Number(_) | Value::Bool(_) | Value::Null => *bytes = bytes.saturating_add(8),
    }
    if *bytes > MAX_BODY_BYTES {
        return Err(format!("the request body is larger than {MAX_BODY_BYTES} bytes, too large to check"));
    }
    Ok(())
}

/// The spelling-insensitive form of a key: ASCII letters and digits, lower case.
fn folded(key: &str) -> String {
    key.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// Plain printable ASCII, no spaces: what every Auth0 body key is.
fn plain_ascii(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_graphic())
}

/// Classifies every key of `obj` against `table` (`prefix` is the dotted path so far).
fn classify(op: &Operation, table: &'static [Key], obj: &Map<String, Value>, prefix: &str, x: &mut Extracted) {
    let path = |name: &str| format!("{prefix}{name}");
    for (name, value) in obj {
        match table.iter().find(|k| k.name == name) {
            Some(key) => {
                match key.class {
                    FieldClass::Plain => {}
                    FieldClass::Needs(a) => x.need(a, Some(&path(name))),
                }
                if !key.nested.is_empty() {
                    match value {
                        Value::Object(inner) => classify(op, key.nested, inner, &format!("{}.", path(name)), x),
                        // `null` or any other value replaces the whole object: it touches
                        // every nested key.
                        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) | Value::Array(_) => {
                            x.need_all(key.actions(), &path(name))
                        }
                    }
                }
            }
            None if !plain_ascii(name) => x.fail(
                DenyCode::InvalidBody,
                format!(
                    "body key `{}` is not plain ASCII; no {} field is spelled like that",
                    name.escape_debug(),
                    op.id
                ),
            ),
            None => {
                let f = folded(name);
                if let Some(known) = table.iter().find(|k| folded(k.name) == f) {
                    x.fail(
                        DenyCode::InvalidBody,
                        format!(
                            "body key `{}` is a different spelling of `{prefix}{}`; keys must be spelled exactly",
                            name.escape_debug(),
                            known.name
                        ),
                    );
                } else {
                    // Unknown: the most sensitive class of the operation.
                    x.need_all(op.most_sensitive(), &path(name));
                }
            }
        }
    }
}

fn body(op: &Operation, obj: &Map<String, Value>, x: &mut Extracted) {
    let (mut values, mut bytes) = (0usize, 0usize);
    if let Err(e) = measure_object(obj, &mut values, &mut bytes) {
        x.fail(DenyCode::InvalidBody, e);
        return;
    }
    let spec = op.body;
    classify(op, spec.keys, obj, "", x);

    let mut n = 0usize;
    for slot in spec.ids {
        let key = slot.at.key();
        let kind = slot.kind;
        let push = |x: &mut Extracted, n: &mut usize, field: &str, item: &Value| {
            *n += 1;
            match item.as_str() {
                Some(id) => {
                    if let Err(e) = kind.validate(id) {
                        x.fail(DenyCode::InvalidTarget, format!("`{field}` holds an invalid {} id: {e}", kind.noun()));
                    }
                    if *n <= MAX_BODY_IDS {
                        x.targets.ids.push(Target::new(kind, id, slot.allow_listed));
                    }
                }
                None => x.fail(DenyCode::InvalidTarget, format!("`{field}` must hold {} ids as strings", kind.noun())),
            }
        };
        match (slot.at, obj.get(key)) {
            (_, None | Some(Value::Null)) => {
                if slot.required {
                    x.fail(DenyCode::InvalidTarget, format!("the body has no `{key}`"));
                }
            }
            (IdPath::Value(_), Some(v)) => push(x, &mut n, key, v),
            (IdPath::List(_), Some(Value::Array(items))) => {
                if items.is_empty() && slot.required {
                    x.fail(DenyCode::InvalidTarget, format!("`{key}` is empty"));
                }
                for item in items {
                    push(x, &mut n, key, item);
                }
            }
            (IdPath::ListOf(_, field), Some(Value::Array(items))) => {
                let shown = format!("{key}[].{field}");
                for item in items {
                    match item.as_object().map(|o| o.get(field)) {
                        Some(Some(v)) => push(x, &mut n, &shown, v),
                        Some(None) | None => {
                            x.fail(DenyCode::InvalidTarget, format!("every item of `{key}` needs a `{field}`"))
                        }
                    }
                }
            }
            (IdPath::Field(_, field), Some(Value::Object(inner))) => match inner.get(field) {
                None | Some(Value::Null) => {}
                Some(v) => push(x, &mut n, &format!("{key}.{field}"), v),
            },
            (IdPath::List(_) | IdPath::ListOf(..), Some(_)) => {
                x.fail(DenyCode::InvalidTarget, format!("`{key}` must be a list"));
            }
            (IdPath::Field(..), Some(_)) => x.fail(DenyCode::InvalidTarget, format!("`{key}` must be an object")),
        }
    }
    if n > MAX_BODY_IDS {
        x.fail(DenyCode::InvalidTarget, format!("the batch holds {n} ids; at most {MAX_BODY_IDS} are accepted"));
    }
    if !spec.one_of.is_empty() {
        let fits = |shape: &&[&str]| shape.len() == obj.len() && shape.iter().all(|k| obj.contains_key(*k));
        if !spec.one_of.iter().any(fits) {
            let shapes: Vec<String> = spec.one_of.iter().map(|s| format!("{{{}}}", s.join(", "))).collect();
            x.fail(DenyCode::InvalidBody, format!("the body must hold exactly one of {}", shapes.join(" or ")));
        }
    }
    if spec.record_fields {
        x.targets.fields = obj.keys().cloned().collect();
    }
}

fn measure_object(obj: &Map<String, Value>, values: &mut usize, bytes: &mut usize) -> Result<(), String> {
    for (k, v) in obj {
        *bytes = bytes.saturating_add(k.len() + 4);
        measure(v, 1, values, bytes)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use auth0_mgmt::catalog;
    use auth0_mgmt::{RoleId, UserId};
    use serde_json::json;

    fn uid() -> UserId {
        "auth0|1".parse().unwrap()
    }

    #[test]
    fn body_ids_are_found_and_validated() {
        let req =
            Request::new(&catalog::USERS_ASSIGN_ROLES).id(&uid()).json_value(json!({"roles": ["rol_a", "rol_b"]}));
        let x = extract(&req);
        assert_eq!(x.problem, None);
        assert_eq!(x.targets.of(TargetKind::Role).collect::<Vec<_>>(), ["rol_a", "rol_b"]);
        assert_eq!(x.targets.of(TargetKind::User).collect::<Vec<_>>(), ["auth0|1"]);
        assert!(x.targets.ids.iter().all(|t| t.allow_listed == (t.kind == TargetKind::Role)));

        for bad in [
            json!({"roles": ["rol_a", ".."]}),
            json!({"roles": []}),
            json!({"roles": [1]}),
            json!({"roles": [["rol_admin"]]}),
            json!({"roles": "rol_a"}),
            json!({"roles": [{"id": "rol_a"}]}),
            json!({}),
            json!([]),
        ] {
            let req = Request::new(&catalog::USERS_ASSIGN_ROLES).id(&uid()).json_value(bad.clone());
            assert!(extract(&req).problem.is_some(), "{bad}");
        }
        let req = Request::new(&catalog::USERS_ASSIGN_ROLES).id(&uid());
        assert_eq!(extract(&req).problem.unwrap().0, DenyCode::InvalidBody);
        let role: RoleId = "rol_a".parse().unwrap();
        let req = Request::new(&catalog::ROLES_GET).id(&role).json_value(json!({"x": 1}));
        assert_eq!(extract(&req).problem.unwrap().0, DenyCode::InvalidBody, "a read takes no body");
    }

    #[test]
    fn nested_ids_and_id_lists() {
        let req = Request::new(&catalog::ORGANIZATIONS_CREATE).json_value(
            json!({"name": "o", "enabled_connections": [{"connection_id": "con_1"}, {"connection_id": "con_2"}]}),
        );
        let x = extract(&req);
        assert_eq!(x.problem, None);
        assert_eq!(x.targets.of(TargetKind::Connection).collect::<Vec<_>>(), ["con_1", "con_2"]);
        let req = Request::new(&catalog::ORGANIZATIONS_CREATE)
            .json_value(json!({"name": "o", "enabled_connections": [{"connection_id": 7}]}));
        assert_eq!(extract(&req).problem.unwrap().0, DenyCode::InvalidTarget);
        let req = Request::new(&catalog::CONNECTIONS_CREATE)
            .json_value(json!({"name": "c", "strategy": "auth0", "enabled_clients": ["gw", "app"]}));
        assert_eq!(extract(&req).targets.of(TargetKind::Client).collect::<Vec<_>>(), ["gw", "app"]);
    }

    #[test]
    fn revoke_takes_exactly_one_shape() {
        for bad in [
            json!({"client_id": "c"}),
            json!({"ids": ["a"], "user_id": "auth0|1"}),
            json!({"user_id": "auth0|1", "audience": "a"}),
        ] {
            let req = Request::new(&catalog::REFRESH_TOKENS_REVOKE).json_value(bad.clone());
            assert!(extract(&req).problem.is_some(), "{bad}");
        }
        let req = Request::new(&catalog::REFRESH_TOKENS_REVOKE)
            .json_value(json!({"user_id": "auth0|1", "client_id": "c", "audience": "https://api/"}));
        let x = extract(&req);
        assert_eq!(x.problem, None);
        assert_eq!(x.targets.ids.len(), 3);
        assert_eq!(x.needs, [Need { action: Action::RevokeRefreshTokens, because: vec![] }]);
    }

    fn needs(op: &'static Operation, body: Value) -> Vec<(Action, Vec<String>)> {
        let mut req = Request::new(op).json_value(body);
        if op.path_id.is_some() {
            req = req.id(&uid());
        }
        let x = extract(&req);
        assert_eq!(x.problem, None);
        x.needs.into_iter().map(|n| (n.action, n.because)).collect()
    }

    #[test]
    fn every_key_is_classified() {
        use Action::{UpdateAppMetadata as Meta, UpdateUserCredentials as Creds};
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(needs(&catalog::USERS_UPDATE, json!({"name": "x", "user_metadata": {"a": 1}})), []);
        assert_eq!(needs(&catalog::USERS_UPDATE, json!({"app_metadata": {}})), [(Meta, s(&["app_metadata"]))]);
        assert_eq!(
            needs(&catalog::USERS_UPDATE, json!({"password": "p", "nickname": "n"})),
            [(Creds, s(&["password"]))]
        );
        // Unknown: the operation's most sensitive class.
        assert_eq!(
            needs(&catalog::USERS_UPDATE, json!({"brand_new": 1})),
            [(Creds, s(&["brand_new"])), (Meta, s(&["brand_new"]))]
        );
        // No cap: the 40th key counts like the first.
        let mut body = json!({"connection": "db", "app_metadata": {"plan": "pro"}});
        for i in 0..40 {
            body[format!("given_name_{i}")] = json!("x");
        }
        let n = needs(&catalog::USERS_CREATE, body);
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].0, Meta);
        assert_eq!(n[0].1.len(), 41, "app_metadata and the 40 unknown keys");
        // Nested: jwt_configuration.alg is a credential, its lifetime is not.
        use Action::{UpdateClientCredentials as ClientCreds, UpdateClients};
        assert_eq!(
            needs(&catalog::CLIENTS_UPDATE, json!({"jwt_configuration": {"lifetime_in_seconds": 60}})),
            [(UpdateClients, vec![])]
        );
        assert_eq!(
            needs(&catalog::CLIENTS_UPDATE, json!({"jwt_configuration": {"alg": "HS256"}})),
            [(UpdateClients, vec![]), (ClientCreds, s(&["jwt_configuration.alg"]))]
        );
        assert_eq!(
            needs(&catalog::CLIENTS_UPDATE, json!({"jwt_configuration": null})),
            [(UpdateClients, vec![]), (ClientCreds, s(&["jwt_configuration"]))]
        );
        assert_eq!(
            needs(&catalog::CLIENTS_UPDATE, json!({"jwt_configuration": {"kid": "x"}})),
            [(UpdateClients, s(&["jwt_configuration.kid"])), (ClientCreds, s(&["jwt_configuration.kid"]))]
        );
    }

    #[test]
    fn odd_spellings_are_refused() {
        for key in [
            "App_Metadata",
            "APP_METADATA",
            "app-metadata",
            "appMetadata",
            "app_metadata ",
            "app_metadat\u{0430}",
            "app_\u{0}metadata",
            "",
        ] {
            let mut body = serde_json::Map::new();
            body.insert(key.to_owned(), json!({"plan": "pro"}));
            let req = Request::new(&catalog::USERS_UPDATE).id(&uid()).json_value(Value::Object(body));
            let x = extract(&req);
            assert_eq!(x.problem.as_ref().map(|p| p.0), Some(DenyCode::InvalidBody), "{key:?}");
        }
        // An escape decoded by serde is the key itself.
        let v: Value = serde_json::from_str(r#"{"app\u005fmetadata": {"plan": "pro"}}"#).unwrap();
        let req = Request::new(&catalog::USERS_UPDATE).id(&uid()).json_value(v);
        assert_eq!(extract(&req).needs[0].action, Action::UpdateAppMetadata);
        // Duplicates collapse to the last one: what is classified is what is sent.
        let v: Value = serde_json::from_str(r#"{"name": "a", "name": "b"}"#).unwrap();
        assert_eq!(v, json!({"name": "b"}));
    }

    #[test]
    fn too_large_or_too_deep_is_refused() {
        let mut deep = json!("x");
        for _ in 0..40 {
            deep = json!({ "a": deep });
        }
        let req = Request::new(&catalog::USERS_UPDATE).id(&uid()).json_value(json!({"user_metadata": deep}));
        let (code, msg) = extract(&req).problem.unwrap();
        assert_eq!(code, DenyCode::InvalidBody);
        assert!(msg.contains("too deep"), "{msg}");
        let wide: Vec<Value> = (0..MAX_BODY_VALUES).map(|i| json!(i)).collect();
        let req = Request::new(&catalog::USERS_UPDATE).id(&uid()).json_value(json!({"user_metadata": {"l": wide}}));
        assert!(extract(&req).problem.unwrap().1.contains("too many"));
        let big = "x".repeat(MAX_BODY_BYTES);
        let req = Request::new(&catalog::USERS_UPDATE).id(&uid()).json_value(json!({"name": big}));
        assert!(extract(&req).problem.unwrap().1.contains("too large"));
    }
}
