//! Management API route table and handlers (all synchronous, run under the store lock).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use serde_json::{Map, Value, json};

use crate::query::{Q, cmp_by};
use crate::store::{Coll, LogEntry, Store, primary_connection};
use crate::util::{self, Query, error_body, now_iso, parse_bool, project, s};

/// A response body: a JSON value or pre-serialized JSON bytes (hot paths).
#[derive(Debug)]
pub(crate) enum Body {
    Json(Value),
    Raw(Vec<u8>),
}

/// Serializes an object with `fields`/`include_fields` applied, without cloning.
pub(crate) struct Projected<'a> {
    v: &'a Value,
    fields: &'a [String],
    include: bool,
}

impl serde::Serialize for Projected<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self.v {
            Value::Object(m) if !self.fields.is_empty() => {
                let keep = |k: &String| self.fields.iter().any(|f| f == k) == self.include;
                let mut map = ser.serialize_map(None)?;
                for (k, v) in m.iter().filter(|(k, _)| keep(k)) {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            other => other.serialize(ser),
        }
    }
}

fn projected<'a>(items: &[&'a Value], fields: &'a [String], include: bool) -> Vec<Projected<'a>> {
    items.iter().map(|v| Projected { v, fields, include }).collect()
}

fn raw_ok<T: serde::Serialize>(v: &T) -> Reply {
    match serde_json::to_vec(v) {
        Ok(b) => Reply { status: 200, body: Some(Body::Raw(b)), headers: vec![], write: None },
        Err(_) => Reply::err(500, "serialization failed", None),
    }
}

#[derive(serde::Serialize)]
struct UsersPage<'a> {
    start: usize,
    limit: usize,
    length: usize,
    total: usize,
    users: Vec<Projected<'a>>,
}

/// A handler result.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Option<Body>,
    pub(crate) headers: Vec<(String, String)>,
    /// Set when a write was applied: the `sapi` log description.
    pub(crate) write: Option<String>,
}

impl Reply {
    pub(crate) fn json(status: u16, v: Value) -> Reply {
        Reply { status, body: Some(Body::Json(v)), headers: vec![], write: None }
    }
    pub(crate) fn ok(v: Value) -> Reply {
        Reply::json(200, v)
    }
    pub(crate) fn empty(status: u16) -> Reply {
        Reply { status, body: None, headers: vec![], write: None }
    }
    pub(crate) fn err(status: u16, msg: &str, code: Option<&str>) -> Reply {
        Reply::json(status, error_body(status, msg, code))
    }
    fn wrote(mut self, what: &str) -> Reply {
        self.write = Some(what.to_string());
        self
    }
}

type R = Result<Reply, Reply>;

/// Everything a handler needs to know about the request.
pub(crate) struct Ctx<'a> {
    pub(crate) seg: &'a [String],
    pub(crate) q: &'a Query,
    pub(crate) body: &'a [u8],
    pub(crate) form: bool,
    pub(crate) scopes: &'a [String],
    pub(crate) offset_cap: Option<usize>,
    pub(crate) base_url: &'a str,
}

impl Ctx<'_> {
    fn has_scope(&self, s: &str) -> bool {
        self.scopes.iter().any(|x| x == s)
    }
    fn id(&self, i: usize) -> &str {
        self.seg.get(i).map(String::as_str).unwrap_or("")
    }
}

pub(crate) type Handler = fn(&mut Store, &Ctx<'_>) -> R;

/// Resolve a route: required scopes (any of) and handler.
pub(crate) fn resolve(method: &str, seg: &[&str]) -> Option<(&'static [&'static str], Handler)> {
    let r: (&'static [&'static str], Handler) = match (method, seg) {
        ("GET", ["users"]) => (&["read:users", "read:user_idp_tokens"], users_list),
        ("POST", ["users"]) => (&["create:users"], users_create),
        ("GET", ["users", _]) => (&["read:users", "read:user_idp_tokens", "read:current_user"], users_get),
        ("PATCH", ["users", _]) => {
            (&["update:users", "update:users_app_metadata", "update:current_user_metadata"], users_update)
        }
        ("DELETE", ["users", _]) => (&["delete:users", "delete:current_user"], users_delete),
        ("GET", ["users", _, "roles"]) => (&["read:users", "read:roles"], user_roles_list),
        ("POST", ["users", _, "roles"]) => (&["update:users", "create:role_members"], user_roles_add),
        ("DELETE", ["users", _, "roles"]) => (&["update:users", "delete:role_members"], user_roles_remove),
        ("GET", ["users-by-email"]) => (&["read:users"], users_by_email),
        ("GET", ["roles"]) => (&["read:roles"], roles_list),
        ("POST", ["roles"]) => (&["create:roles"], roles_create),
        ("GET", ["roles", _]) => (&["read:roles"], roles_get),
        ("PATCH", ["roles", _]) => (&["update:roles"], roles_update),
        ("DELETE", ["roles", _]) => (&["delete:roles"], roles_delete),
        ("GET", ["roles", _, "users"]) => (&["read:users", "read:role_members"], role_users_list),
        ("POST", ["roles", _, "users"]) => (&["create:role_members", "update:users"], role_users_add),
        ("GET", ["clients"]) => {
            (&["read:clients", "read:client_keys", "read:client_credentials", "read:client_summary"], clients_list)
        }
        ("POST", ["clients"]) => (&["create:clients"], clients_create),
        ("GET", ["clients", _]) => {
            (&["read:clients", "read:client_keys", "read:client_credentials", "read:client_summary"], clients_get)
        }
        ("PATCH", ["clients", _]) => (&["update:clients", "update:client_keys"], clients_update),
        ("DELETE", ["clients", _]) => (&["delete:clients"], clients_delete),
        ("GET", ["connections"]) => (&["read:connections"], connections_list),
        ("POST", ["connections"]) => (&["create:connections"], connections_create),
        ("GET", ["connections", _]) => (&["read:connections"], connections_get),
        ("DELETE", ["connections", _]) => (&["delete:connections"], connections_delete),
        ("GET", ["organizations"]) => (&["read:organizations", "read:organizations_summary"], orgs_list),
        ("POST", ["organizations"]) => (&["create:organizations"], orgs_create),
        ("GET", ["organizations", "name", _]) => {
            (&["read:organizations", "read:organizations_summary"], orgs_get_by_name)
        }
        ("GET", ["organizations", _]) => (&["read:organizations", "read:organizations_summary"], orgs_get),
        ("PATCH", ["organizations", _]) => (&["update:organizations"], orgs_update),
        ("DELETE", ["organizations", _]) => (&["delete:organizations"], orgs_delete),
        ("GET", ["organizations", _, "members"]) => (&["read:organization_members"], members_list),
        ("POST", ["organizations", _, "members"]) => (&["create:organization_members"], members_add),
        ("DELETE", ["organizations", _, "members"]) => (&["delete:organization_members"], members_remove),
        ("GET", ["logs"]) => (&["read:logs", "read:logs_users"], logs_list),
        ("GET", ["logs", _]) => (&["read:logs", "read:logs_users"], logs_get),
        ("GET", ["grants"]) => (&["read:grants"], grants_list),
        ("DELETE", ["grants"]) => (&["delete:grants"], grants_delete_by_user),
        ("DELETE", ["grants", _]) => (&["delete:grants"], grants_delete),
        ("GET", ["resource-servers"]) => (&["read:resource_servers"], rs_list),
        ("POST", ["resource-servers"]) => (&["create:resource_servers"], rs_create),
        ("GET", ["resource-servers", _]) => (&["read:resource_servers"], rs_get),
        ("PATCH", ["resource-servers", _]) => (&["update:resource_servers"], rs_update),
        ("DELETE", ["resource-servers", _]) => (&["delete:resource_servers"], rs_delete),
        ("GET", ["refresh-tokens"]) => (&["read:refresh_tokens"], rt_list),
        ("POST", ["refresh-tokens", "revoke"]) => (&["delete:refresh_tokens"], rt_revoke),
        ("GET", ["refresh-tokens", _]) => (&["read:refresh_tokens"], rt_get),
        ("PATCH", ["refresh-tokens", _]) => (&["update:refresh_tokens"], rt_update),
        ("DELETE", ["refresh-tokens", _]) => (&["delete:refresh_tokens"], rt_delete),
        ("GET", ["sessions", _]) => (&["read:sessions"], sessions_get),
        ("PATCH", ["sessions", _]) => (&["update:sessions"], sessions_update),
        ("DELETE", ["sessions", _]) => (&["delete:sessions"], sessions_delete),
        ("POST", ["sessions", _, "revoke"]) => (&["delete:sessions"], sessions_revoke),
        _ => return None,
    };
    Some(r)
}

// ---------------------------------------------------------------- helpers

fn bad_body(msg: &str) -> Reply {
    Reply::err(400, msg, Some("invalid_body"))
}

fn bad_query(msg: &str) -> Reply {
    Reply::err(400, msg, Some("invalid_query_string"))
}

/// Parse the request body as a JSON object (or a form body).
fn body_obj(ctx: &Ctx<'_>) -> Result<Map<String, Value>, Reply> {
    if ctx.body.iter().all(u8::is_ascii_whitespace) {
        return Err(bad_body("Payload validation error: 'Expected type object but found type null'."));
    }
    if ctx.form {
        let m: Map<String, Value> = url::form_urlencoded::parse(ctx.body)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect();
        return Ok(m);
    }
    match serde_json::from_slice::<Value>(ctx.body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(other) => Err(bad_body(&format!(
            "Payload validation error: 'Expected type object but found type {}'.",
            type_name(&other)
        ))),
        Err(_) => Err(bad_body("Invalid request payload JSON format")),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn check_allowed(m: &Map<String, Value>, allowed: &[&str]) -> Result<(), Reply> {
    let extra: Vec<&str> = m.keys().filter(|k| !allowed.contains(&k.as_str())).map(String::as_str).collect();
    if extra.is_empty() {
        Ok(())
    } else {
        Err(bad_body(&format!("Payload validation error: 'Additional properties not allowed: {}'.", extra.join(","))))
    }
}

fn required_str<'a>(m: &'a Map<String, Value>, key: &str) -> Result<&'a str, Reply> {
    match m.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(Value::String(_)) => Err(bad_body(&format!(
            "Payload validation error: 'String is too short (0 chars), minimum 1' on property {key}."
        ))),
        Some(other) => Err(bad_body(&format!(
            "Payload validation error: 'Expected type string but found type {}' on property {key}.",
            type_name(other)
        ))),
        None => Err(bad_body(&format!("Payload validation error: 'Missing required property: {key}'."))),
    }
}

fn string_array(m: &Map<String, Value>, key: &str) -> Result<Vec<String>, Reply> {
    match m.get(key) {
        Some(Value::Array(a)) if !a.is_empty() => a
            .iter()
            .map(|v| match v {
                Value::String(s) if !s.is_empty() => Ok(s.clone()),
                _ => Err(bad_body(&format!("Payload validation error: 'Expected type string' on property {key}."))),
            })
            .collect(),
        Some(Value::Array(_)) => {
            Err(bad_body(&format!("Payload validation error: 'Array is too short (0), minimum 1' on property {key}.")))
        }
        Some(other) => Err(bad_body(&format!(
            "Payload validation error: 'Expected type array but found type {}' on property {key}.",
            type_name(other)
        ))),
        None => Err(bad_body(&format!("Payload validation error: 'Missing required property: {key}'."))),
    }
}

fn fields(ctx: &Ctx<'_>) -> (Vec<String>, bool) {
    let f = ctx.q.get_all("fields");
    let include = parse_bool(ctx.q.get("include_fields")).unwrap_or(true);
    (f, include)
}

fn parse_num(q: &Query, key: &str, default: usize) -> Result<usize, Reply> {
    match q.get(key) {
        None | Some("") => Ok(default),
        Some(v) => v.parse::<usize>().map_err(|_| {
            bad_query(&format!(
                "Query validation error: 'Invalid value \"{v}\" for parameter {key}' on property {key} (Expected type integer)."
            ))
        }),
    }
}

struct Offset {
    page: usize,
    per_page: usize,
    totals: bool,
}

fn offset(ctx: &Ctx<'_>, capped: bool) -> Result<Offset, Reply> {
    let page = parse_num(ctx.q, "page", 0)?;
    let per_page = parse_num(ctx.q, "per_page", 50)?;
    if per_page > 100 {
        return Err(bad_query(&format!(
            "Query validation error: 'Too big: {per_page} is greater than maximum 100' on property per_page (Number of results per page. Defaults to 50.)."
        )));
    }
    if capped
        && let Some(cap) = ctx.offset_cap
        && (page.saturating_add(1)).saturating_mul(per_page) > cap
    {
        return Err(Reply::err(
            400,
            "You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation",
            Some("invalid_paging"),
        ));
    }
    Ok(Offset { page, per_page, totals: parse_bool(ctx.q.get("include_totals")).unwrap_or(false) })
}

/// Build the offset-mode response from all matches.
fn offset_reply(
    matches: &[&Value],
    off: &Offset,
    key: &str,
    with_length: bool,
    map: &dyn Fn(&Value) -> Value,
) -> Reply {
    let start = off.page.saturating_mul(off.per_page);
    let items: Vec<Value> = matches.iter().skip(start).take(off.per_page).map(|v| map(v)).collect();
    if !off.totals {
        return Reply::ok(Value::Array(items));
    }
    let mut m = Map::new();
    m.insert("start".into(), json!(start));
    m.insert("limit".into(), json!(off.per_page));
    if with_length {
        m.insert("length".into(), json!(items.len()));
    }
    m.insert("total".into(), json!(matches.len()));
    m.insert(key.into(), Value::Array(items));
    Reply::ok(Value::Object(m))
}

fn encode_cursor(pos: u64) -> String {
    let noise = pos.wrapping_mul(0x9E37_79B9_7F4A_7C15).to_le_bytes();
    let mut raw = noise[..6].to_vec();
    raw.extend_from_slice(format!(",{pos}").as_bytes());
    STANDARD_NO_PAD.encode(raw)
}

fn decode_cursor(tok: &str) -> Option<u64> {
    let t = tok.trim_end_matches('=');
    let raw = STANDARD_NO_PAD.decode(t).or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(t)).ok()?;
    let comma = raw.iter().rposition(|b| *b == b',')?;
    std::str::from_utf8(&raw[comma + 1..]).ok()?.parse().ok()
}

struct Checkpoint {
    after: u64,
    take: usize,
}

/// `Some` when the request is in checkpoint mode (`from` or `take` present).
fn checkpoint(ctx: &Ctx<'_>) -> Result<Option<Checkpoint>, Reply> {
    if !ctx.q.has("from") && !ctx.q.has("take") {
        return Ok(None);
    }
    let take = parse_num(ctx.q, "take", 50)?;
    if take == 0 || take > 100 {
        return Err(bad_query("Query validation error: 'take' must be between 1 and 100."));
    }
    let after = match ctx.q.get("from") {
        None | Some("") => 0,
        Some(f) => decode_cursor(f).ok_or_else(|| bad_query("Query validation error: invalid 'from' parameter."))?,
    };
    Ok(Some(Checkpoint { after, take }))
}

fn checkpoint_coll(
    coll: &Coll,
    cp: &Checkpoint,
    filter: &dyn Fn(&Value) -> bool,
    key: &str,
    map: &dyn Fn(&Value) -> Value,
) -> Reply {
    let mut items = Vec::new();
    let mut last = 0;
    let mut more = false;
    for (seq, v) in coll.after(cp.after).filter(|(_, v)| filter(v)) {
        if items.len() == cp.take {
            more = true;
            break;
        }
        items.push(map(v));
        last = seq;
    }
    let mut m = Map::new();
    m.insert(key.into(), Value::Array(items));
    if more {
        m.insert("next".into(), json!(encode_cursor(last)));
    }
    Reply::ok(Value::Object(m))
}

fn not_found_user() -> Reply {
    Reply::err(404, "The user does not exist.", Some("inexistent_user"))
}

fn merge_metadata(target: &mut Map<String, Value>, key: &str, patch: &Value) -> Result<(), Reply> {
    match patch {
        Value::Null => {
            target.insert(key.into(), json!({}));
        }
        Value::Object(p) if p.is_empty() => {
            target.insert(key.into(), json!({}));
        }
        Value::Object(p) => {
            let entry = target.entry(key.to_string()).or_insert_with(|| json!({}));
            if !entry.is_object() {
                *entry = json!({});
            }
            if let Value::Object(cur) = entry {
                for (k, v) in p {
                    if v.is_null() {
                        cur.remove(k);
                    } else {
                        cur.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        other => {
            return Err(bad_body(&format!(
                "Payload validation error: 'Expected type object but found type {}' on property {key}.",
                type_name(other)
            )));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- users

const USER_FREE_FIELDS: &[&str] = &["email", "name", "nickname", "username", "user_id", "given_name", "family_name"];

fn users_list(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let off = offset(ctx, true)?;
    let q = match ctx.q.get("q") {
        Some(q) if !q.trim().is_empty() => Some(Q::parse(q).map_err(|e| bad_query(&e))?),
        _ => None,
    };
    let mut matches: Vec<&Value> =
        st.users.values().filter(|u| q.as_ref().is_none_or(|q| q.matches(u, USER_FREE_FIELDS))).collect();
    if let Some(sort) = ctx.q.get("sort").filter(|s| !s.is_empty()) {
        let (field, dir) = sort.split_once(':').unwrap_or((sort, "1"));
        let desc = dir.trim() == "-1";
        matches.sort_by(|a, b| {
            let o = cmp_by(a, b, field);
            if desc { o.reverse() } else { o }
        });
    }
    let (f, inc) = fields(ctx);
    let start = off.page.saturating_mul(off.per_page);
    let page: Vec<&Value> = matches.iter().skip(start).take(off.per_page).copied().collect();
    let items = projected(&page, &f, inc);
    if off.totals {
        return Ok(raw_ok(&UsersPage {
            start,
            limit: off.per_page,
            length: items.len(),
            total: matches.len(),
            users: items,
        }));
    }
    Ok(raw_ok(&items))
}

fn users_get(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let (f, inc) = fields(ctx);
    st.users.get(ctx.id(1)).map(|u| Reply::ok(project(u, &f, inc))).ok_or_else(not_found_user)
}

fn users_by_email(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let email = ctx
        .q
        .get("email")
        .filter(|e| !e.is_empty())
        .ok_or_else(|| bad_query("Query validation error: 'Missing required property: email' on property email."))?
        .to_lowercase();
    let (f, inc) = fields(ctx);
    let out: Vec<Value> = st
        .users
        .values()
        .filter(|u| s(u, "email").is_some_and(|e| e.to_lowercase() == email))
        .map(|u| project(u, &f, inc))
        .collect();
    Ok(Reply::ok(Value::Array(out)))
}

const USER_CREATE_FIELDS: &[&str] = &[
    "connection",
    "email",
    "phone_number",
    "user_metadata",
    "app_metadata",
    "blocked",
    "email_verified",
    "phone_verified",
    "given_name",
    "family_name",
    "name",
    "nickname",
    "picture",
    "user_id",
    "password",
    "verify_email",
    "username",
];

fn users_create(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let m = body_obj(ctx)?;
    check_allowed(&m, USER_CREATE_FIELDS)?;
    let conn_name = required_str(&m, "connection")?.to_string();
    let Some(conn) = st.connection_by_name(&conn_name) else {
        return Err(Reply::err(400, "The connection does not exist.", Some("inexistent_connection")));
    };
    let strategy = s(conn, "strategy").unwrap_or("auth0").to_string();
    let provider = match strategy.as_str() {
        "auth0" => "auth0".to_string(),
        other => other.to_string(),
    };
    let email = m.get("email").and_then(Value::as_str).map(str::to_string);
    if strategy == "auth0" && email.is_none() && !m.contains_key("username") {
        return Err(bad_body("Payload validation error: 'Missing required property: email'."));
    }
    if let Some(e) = &email {
        if !e.contains('@') {
            return Err(bad_body(&format!(
                "Payload validation error: 'Object didn't pass validation for format email: {e}' on property email (The user's email)."
            )));
        }
        if st.email_index.contains_key(&Store::email_key(&conn_name, e)) {
            return Err(Reply::err(409, "The user already exists.", Some("auth0_idp_error")));
        }
    }
    let suffix = match m.get("user_id").and_then(Value::as_str) {
        Some(id) if !id.is_empty() => id.to_string(),
        _ => util::hex(&mut st.rng, 24),
    };
    let user_id = format!("{provider}|{suffix}");
    if st.users.contains(&user_id) {
        return Err(Reply::err(409, "The user already exists.", Some("auth0_idp_error")));
    }
    let now = now_iso();
    let mut u = Map::new();
    for (k, v) in &m {
        if matches!(k.as_str(), "connection" | "password" | "verify_email" | "user_id") {
            continue;
        }
        u.insert(k.clone(), v.clone());
    }
    u.insert("user_id".into(), json!(user_id));
    u.insert("created_at".into(), json!(now));
    u.insert("updated_at".into(), json!(now));
    u.entry("email_verified").or_insert(json!(false));
    if let Some(e) = &email {
        u.entry("name").or_insert(json!(e));
        let nick = e.split('@').next().unwrap_or(e).to_string();
        u.entry("nickname").or_insert(json!(nick));
        u.entry("picture").or_insert(json!(format!(
            "https://s.gravatar.com/avatar/{}?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2F{}.png",
            util::hex(&mut st.rng, 32),
            nick.chars().take(2).collect::<String>().to_lowercase()
        )));
    }
    u.insert(
        "identities".into(),
        json!([{"connection": conn_name, "user_id": suffix, "provider": provider, "isSocial": false}]),
    );
    let user = Value::Object(u);
    st.put_user(user.clone());
    Ok(Reply::json(201, user).wrote("Create a User"))
}

fn users_update(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let m = body_obj(ctx)?;
    let id = ctx.id(1).to_string();
    if !ctx.has_scope("update:users")
        && !ctx.has_scope("update:current_user_metadata")
        && m.keys().any(|k| k != "app_metadata")
    {
        return Err(Reply::err(403, "Insufficient scope, expected any of: update:users", Some("insufficient_scope")));
    }
    for (a, b) in [
        ("password", "email"),
        ("password", "email_verified"),
        ("username", "email"),
        ("username", "email_verified"),
        ("username", "password"),
    ] {
        if m.contains_key(a) && m.contains_key(b) {
            return Err(bad_body(&format!("Cannot update {b} and {a} simultaneously")));
        }
    }
    let Some(old) = st.users.get(&id).cloned() else {
        return Err(not_found_user());
    };
    let Value::Object(mut u) = old.clone() else {
        return Err(not_found_user());
    };
    for (k, v) in &m {
        match k.as_str() {
            "app_metadata" | "user_metadata" => merge_metadata(&mut u, k, v)?,
            "password" => {
                u.insert("last_password_reset".into(), json!(now_iso()));
            }
            "connection"
            | "verify_email"
            | "verify_phone_number"
            | "client_id"
            | "user_id"
            | "identities"
            | "created_at" => {}
            _ => {
                if v.is_null() {
                    u.remove(k);
                } else {
                    u.insert(k.clone(), v.clone());
                }
            }
        }
    }
    u.insert("updated_at".into(), json!(now_iso()));
    let new = Value::Object(u);
    // keep the email index in sync
    if let (Some(conn), Some(e)) = (primary_connection(&old), s(&old, "email")) {
        st.email_index.remove(&Store::email_key(conn, e));
    }
    st.put_user(new.clone());
    Ok(Reply::ok(new).wrote("Update a User"))
}

fn users_delete(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let removed = st.delete_user(ctx.id(1));
    let r = Reply::empty(204);
    Ok(if removed { r.wrote("Delete a User") } else { r })
}

fn user_roles_list(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let off = offset(ctx, false)?;
    if !st.users.contains(ctx.id(1)) {
        return Err(not_found_user());
    }
    let ids = st.user_roles.get(ctx.id(1)).cloned().unwrap_or_default();
    let roles: Vec<&Value> = ids.iter().filter_map(|r| st.roles.get(r)).collect();
    Ok(offset_reply(&roles, &off, "roles", false, &|v| v.clone()))
}

fn user_roles_add(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let m = body_obj(ctx)?;
    let roles = string_array(&m, "roles")?;
    if !st.users.contains(ctx.id(1)) {
        return Err(not_found_user());
    }
    if let Some(missing) = roles.iter().find(|r| !st.roles.contains(r)) {
        return Err(Reply::err(404, &format!("The role does not exist: {missing}"), None));
    }
    let entry = st.user_roles.entry(ctx.id(1).to_string()).or_default();
    for r in roles {
        if !entry.contains(&r) {
            entry.push(r);
        }
    }
    Ok(Reply::empty(204).wrote("Assign roles to a user"))
}

fn user_roles_remove(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let m = body_obj(ctx)?;
    let roles = string_array(&m, "roles")?;
    if !st.users.contains(ctx.id(1)) {
        return Err(not_found_user());
    }
    if let Some(entry) = st.user_roles.get_mut(ctx.id(1)) {
        entry.retain(|r| !roles.contains(r));
    }
    Ok(Reply::empty(204).wrote("Removes roles from a user"))
}

// ---------------------------------------------------------------- roles

fn role_404() -> Reply {
    Reply::err(404, "The role does not exist.", None)
}

fn roles_list(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let off = offset(ctx, false)?;
    let nf = ctx.q.get("name_filter").map(str::to_lowercase);
    let matches: Vec<&Value> = st
        .roles
        .values()
        .filter(|r| nf.as_ref().is_none_or(|f| s(r, "name").is_some_and(|n| n.to_lowercase().contains(f.as_str()))))
        .collect();
    Ok(offset_reply(&matches, &off, "roles", false, &|v| v.clone()))
}

fn roles_create(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let m = body_obj(ctx)?;
    check_allowed(&m, &["name", "description"])?;
    let name = required_str(&m, "name")?.to_string();
    if st.roles.values().any(|r| s(r, "name") == Some(name.as_str())) {
        return Err(Reply::err(409, "The role already exists.", None));
    }
    let id = format!("rol_{}", util::alnum(&mut st.rng, 16));
    let mut role = json!({"id": id, "name": name});
    if let Some(d) = m.get("description") {
        role["description"] = d.clone();
    }
    st.roles.insert(id, role.clone());
    Ok(Reply::ok(role).wrote("Create a role"))
}

fn roles_get(st: &mut Store, ctx: &Ctx<'_>) -> R {
    st.roles.get(ctx.id(1)).map(|r| Reply::ok(r.clone())).ok_or_else(role_404)
}

fn roles_update(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let m = body_obj(ctx)?;
    check_allowed(&m, &["name", "description"])?;
    let role = st.roles.get_mut(ctx.id(1)).ok_or_else(role_404)?;
    for (k, v) in m {
        role[k.as_str()] = v;
    }
    Ok(Reply::ok(role.clone()).wrote("Update a role"))
}

fn roles_delete(st: &mut Store, ctx: &Ctx<'_>) -> R {
    st.roles.remove(ctx.id(1)).ok_or_else(role_404)?;
    for v in st.user_roles.values_mut() {
        v.retain(|r| r != ctx.id(1));
    }
    Ok(Reply::ok(json!({})).wrote("Delete a role"))
}

fn member_view(u: &Value) -> Value {
    json!({
        "user_id": u.get("user_id").cloned().unwrap_or(Value::Null),
        "email": u.get("email").cloned().unwrap_or(Value::Null),
        "picture": u.get("picture").cloned().unwrap_or(Value::Null),
        "name": u.get("name").cloned().unwrap_or(Value::Null),
    })
}

/// Offset or checkpoint listing over an ordered list of user ids.
fn user_id_list(st: &Store, ctx: &Ctx<'_>, ids: &[String], key: &str) -> R {
    if let Some(cp) = checkpoint(ctx)? {
        let start = cp.after as usize;
        let page: Vec<Value> =
            ids.iter().skip(start).filter_map(|id| st.users.get(id)).take(cp.take).map(member_view).collect();
        let end = start.saturating_add(cp.take).min(ids.len());
        let mut m = Map::new();
        m.insert(key.into(), Value::Array(page));
        if end < ids.len() {
            m.insert("next".into(), json!(encode_cursor(end as u64)));
        }
        return Ok(Reply::ok(Value::Object(m)));
    }
    let off = offset(ctx, false)?;
    let users: Vec<&Value> = ids.iter().filter_map(|id| st.users.get(id)).collect();
    Ok(offset_reply(&users, &off, key, false, &member_view))
}

fn role_users_list(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let rid = ctx.id(1);
    if !st.roles.contains(rid) {
        return Err(role_404());
    }
    let ids: Vec<String> = st
        .users
        .values()
        .filter_map(|u| s(u, "user_id"))
        .filter(|uid| st.user_roles.get(*uid).is_some_and(|r| r.iter().any(|x| x == rid)))
        .map(str::to_string)
        .collect();
    user_id_list(st, ctx, &ids, "users")
}

fn role_users_add(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let m = body_obj(ctx)?;
    let users = string_array(&m, "users")?;
    let rid = ctx.id(1).to_string();
    if !st.roles.contains(&rid) {
        return Err(role_404());
    }
    if !users.iter().all(|u| st.users.contains(u)) {
        return Err(not_found_user());
    }
    for u in users {
        let e = st.user_roles.entry(u).or_default();
        if !e.contains(&rid) {
            e.push(rid.clone());
        }
    }
    Ok(Reply::ok(json!({})).wrote("Assign users to a role"))
}

// ---------------------------------------------------------------- clients

fn client_404() -> Reply {
    Reply::err(404, "The client does not exist", Some("inexistent_client"))
}

fn client_view(ctx: &Ctx<'_>) -> impl Fn(&Value) -> Value {
    let secrets = ctx.has_scope("read:client_keys") || ctx.has_scope("read:client_credentials");
    let full = secrets || ctx.has_scope("read:clients");
    let (f, inc) = fields(ctx);
    move |v: &Value| {
        let mut v = v.clone();
        if let Value::Object(m) = &mut v {
            if !secrets {
                m.remove("client_secret");
                m.remove("signing_keys");
                m.remove("encryption_key");
            }
            if !full {
                m.retain(|k, _| matches!(k.as_str(), "client_id" | "app_type" | "name" | "description"));
            }
        }
        project(&v, &f, inc)
    }
}

fn clients_list(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let app_types = ctx.q.get_all("app_type");
    let first_party = parse_bool(ctx.q.get("is_first_party"));
    let global = parse_bool(ctx.q.get("is_global"));
    let filter = |c: &Value| {
        (app_types.is_empty() || s(c, "app_type").is_some_and(|t| app_types.iter().any(|x| x == t)))
            && first_party.is_none_or(|b| c.get("is_first_party").and_then(Value::as_bool) == Some(b))
            && global.is_none_or(|b| c.get("global").and_then(Value::as_bool).unwrap_or(false) == b)
    };
    let view = client_view(ctx);
    if let Some(cp) = checkpoint(ctx)? {
        return Ok(checkpoint_coll(&st.clients, &cp, &filter, "clients", &view));
    }
    let off = offset(ctx, false)?;
    let matches: Vec<&Value> = st.clients.values().filter(|c| filter(c)).collect();
    Ok(offset_reply(&matches, &off, "clients", false, &view))
}

fn clients_get(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let view = client_view(ctx);
    st.clients.get(ctx.id(1)).map(|c| Reply::ok(view(c))).ok_or_else(client_404)
}

/// A new client object with Auth0's defaults.
pub(crate) fn new_client(st: &mut Store, body: &Map<String, Value>) -> Value {
    let client_id = util::alnum(&mut st.rng, 32);
    let secret = util::rand_from(&mut st.rng, b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 64);
    let tenant = st.domain.split(':').next().unwrap_or("fake").to_string();
    let mut c = json!({
        "tenant": tenant,
        "global": false,
        "is_token_endpoint_ip_header_trusted": false,
        "is_first_party": true,
        "oidc_conformant": false,
        "sso_disabled": false,
        "cross_origin_authentication": false,
        "custom_login_page_on": true,
        "callbacks": [],
        "allowed_origins": [],
        "web_origins": [],
        "allowed_clients": [],
        "allowed_logout_urls": [],
        "client_aliases": [],
        "grant_types": ["authorization_code", "implicit", "refresh_token", "client_credentials"],
        "jwt_configuration": {"secret_encoded": false, "lifetime_in_seconds": 36000, "alg": "RS256"},
        "signing_keys": [{"cert": "-----BEGIN CERTIFICATE-----\nMIIFAKE\n-----END CERTIFICATE-----\n", "pkcs7": "-----BEGIN PKCS7-----\nMIIFAKE\n-----END PKCS7-----\n", "subject": "deprecated"}],
        "token_endpoint_auth_method": "client_secret_post",
        "organization_usage": "deny",
        "refresh_token": {
            "rotation_type": "non-rotating", "expiration_type": "non-expiring", "leeway": 0,
            "token_lifetime": 2_592_000, "infinite_token_lifetime": true,
            "infinite_idle_token_lifetime": true, "idle_token_lifetime": 1_296_000
        },
    });
    if let Value::Object(m) = &mut c {
        for (k, v) in body {
            m.insert(k.clone(), v.clone());
        }
        m.insert("client_id".into(), json!(client_id));
        m.entry("client_secret").or_insert(json!(secret));
    }
    c
}

fn clients_create(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let m = body_obj(ctx)?;
    let name = required_str(&m, "name")?;
    if name.contains('<') || name.contains('>') {
        return Err(bad_body("Payload validation error: 'String does not match pattern' on property name."));
    }
    if m.contains_key("client_id") {
        return Err(bad_body("Payload validation error: 'Additional properties not allowed: client_id'."));
    }
    let c = new_client(st, &m);
    let id = s(&c, "client_id").unwrap_or_default().to_string();
    st.clients.insert(id, c.clone());
    Ok(Reply::json(201, c).wrote("Create client"))
}

fn clients_update(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let m = body_obj(ctx)?;
    if m.contains_key("client_id") {
        return Err(bad_body("Payload validation error: 'Additional properties not allowed: client_id'."));
    }
    let c = st.clients.get_mut(ctx.id(1)).ok_or_else(client_404)?;
    if let Value::Object(obj) = c {
        for (k, v) in m {
            if v.is_null() {
                obj.remove(&k);
            } else {
                obj.insert(k, v);
            }
        }
    }
    let c = c.clone();
    Ok(Reply::ok(c).wrote("Update client"))
}

fn clients_delete(st: &mut Store, ctx: &Ctx<'_>) -> R {
    if st.clients.get(ctx.id(1)).is_some_and(|c| c.get("global").and_then(Value::as_bool) == Some(true)) {
        return Err(Reply::err(400, "Global client cannot be deleted.", Some("invalid_body")));
    }
    let removed = st.clients.remove(ctx.id(1)).is_some();
    let r = Reply::empty(204);
    Ok(if removed { r.wrote("Delete client") } else { r })
}

// ---------------------------------------------------------------- connections

fn conn_404() -> Reply {
    Reply::err(404, "The connection does not exist", Some("inexistent_connection"))
}

fn conn_view(ctx: &Ctx<'_>) -> impl Fn(&Value) -> Value {
    let options = ctx.has_scope("read:connections_options");
    let (f, inc) = fields(ctx);
    move |v: &Value| {
        let mut v = v.clone();
        if !options && let Value::Object(m) = &mut v {
            m.remove("options");
        }
        project(&v, &f, inc)
    }
}

fn connections_list(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let strategies = ctx.q.get_all("strategy");
    let name = ctx.q.get("name").map(str::to_string);
    let filter = |c: &Value| {
        (strategies.is_empty() || s(c, "strategy").is_some_and(|t| strategies.iter().any(|x| x == t)))
            && name.as_deref().is_none_or(|n| s(c, "name") == Some(n))
    };
    let view = conn_view(ctx);
    if let Some(cp) = checkpoint(ctx)? {
        return Ok(checkpoint_coll(&st.connections, &cp, &filter, "connections", &view));
    }
    let off = offset(ctx, false)?;
    let matches: Vec<&Value> = st.connections.values().filter(|c| filter(c)).collect();
    Ok(offset_reply(&matches, &off, "connections", false, &view))
}

fn connections_get(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let view = conn_view(ctx);
    st.connections.get(ctx.id(1)).map(|c| Reply::ok(view(c))).ok_or_else(conn_404)
}

/// Strategy-dependent default options, shaped like recorded ones.
pub(crate) fn default_conn_options(strategy: &str) -> Value {
    match strategy {
        "auth0" => json!({
            "mfa": {"active": true, "return_enroll_settings": true},
            "passwordPolicy": "good",
            "strategy_version": 2,
            "authentication_methods": {"password": {"enabled": true}, "passkey": {"enabled": false}},
            "passkey_options": {"challenge_ui": "both", "progressive_enrollment_enabled": true, "local_enrollment_enabled": true},
            "brute_force_protection": true
        }),
        "google-oauth2" => json!({"email": true, "profile": true, "scope": ["email", "profile"]}),
        _ => json!({}),
    }
}

fn connections_create(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let m = body_obj(ctx)?;
    check_allowed(
        &m,
        &[
            "name",
            "strategy",
            "display_name",
            "options",
            "enabled_clients",
            "is_domain_connection",
            "show_as_button",
            "realms",
            "metadata",
            "authentication",
            "connected_accounts",
            "cross_app_access_requesting_app",
        ],
    )?;
    let name = required_str(&m, "name")?.to_string();
    let strategy = required_str(&m, "strategy")?.to_string();
    let valid = name.len() <= 128
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !name.contains("--");
    if !valid {
        return Err(bad_body(&format!(
            "Payload validation error: 'String does not match pattern ^[a-zA-Z0-9](-[a-zA-Z0-9]|[a-zA-Z0-9])*$: {name}' on property name."
        )));
    }
    if st.connection_by_name(&name).is_some() {
        return Err(Reply::err(409, "A connection with the same name already exists", Some("connection_exists")));
    }
    let id = format!("con_{}", util::alnum(&mut st.rng, 16));
    let mut c = json!({
        "id": id,
        "name": name,
        "strategy": strategy,
        "options": default_conn_options(&strategy),
        "is_domain_connection": false,
        "enabled_clients": [],
        "realms": [name],
    });
    if let Value::Object(obj) = &mut c {
        for (k, v) in m {
            obj.insert(k, v);
        }
    }
    st.connections.insert(id, c.clone());
    Ok(Reply::json(201, c).wrote("Create a connection"))
}

fn connections_delete(st: &mut Store, ctx: &Ctx<'_>) -> R {
    if st.connections.remove(ctx.id(1)).is_some() {
        Ok(Reply::json(202, json!({"deleted_at": now_iso()})).wrote("Delete a connection"))
    } else {
        Ok(Reply::empty(204))
    }
}

// ---------------------------------------------------------------- organizations

fn org_404() -> Reply {
    Reply::err(404, "No organization found by that id or name", None)
}

fn orgs_list(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let all = |_: &Value| true;
    let id = |v: &Value| v.clone();
    if let Some(cp) = checkpoint(ctx)? {
        return Ok(checkpoint_coll(&st.orgs, &cp, &all, "organizations", &id));
    }
    let off = offset(ctx, false)?;
    let mut matches: Vec<&Value> = st.orgs.values().collect();
    if let Some(sort) = ctx.q.get("sort").filter(|s| !s.is_empty()) {
        let (field, dir) = sort.split_once(':').unwrap_or((sort, "1"));
        let desc = dir.trim() == "-1";
        matches.sort_by(|a, b| {
            let o = cmp_by(a, b, field);
            if desc { o.reverse() } else { o }
        });
    }
    Ok(offset_reply(&matches, &off, "organizations", false, &id))
}

fn orgs_get(st: &mut Store, ctx: &Ctx<'_>) -> R {
    st.orgs.get(ctx.id(1)).map(|o| Reply::ok(o.clone())).ok_or_else(org_404)
}

fn orgs_get_by_name(st: &mut Store, ctx: &Ctx<'_>) -> R {
    st.orgs.values().find(|o| s(o, "name") == Some(ctx.id(2))).map(|o| Reply::ok(o.clone())).ok_or_else(org_404)
}

fn orgs_create(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let m = body_obj(ctx)?;
    check_allowed(&m, &["name", "display_name", "branding", "metadata", "enabled_connections", "token_quota"])?;
    let name = required_str(&m, "name")?.to_string();
    if name.len() > 50 {
        return Err(bad_body("Payload validation error: 'String is too long (>50 chars)' on property name."));
    }
    if st.orgs.values().any(|o| s(o, "name") == Some(name.as_str())) {
        return Err(Reply::err(409, "An organization with this name already exists.", None));
    }
    let id = format!("org_{}", util::alnum(&mut st.rng, 16));
    let mut o = Map::new();
    o.insert("id".into(), json!(id));
    for (k, v) in &m {
        if k == "enabled_connections" {
            let mut out = vec![];
            for ec in v.as_array().into_iter().flatten() {
                let cid = s(ec, "connection_id").unwrap_or("");
                let Some(conn) = st.connections.get(cid) else {
                    return Err(conn_404());
                };
                let mut e = ec.clone();
                e["connection"] = json!({"name": conn["name"], "strategy": conn["strategy"]});
                e.as_object_mut().map(|x| x.entry("assign_membership_on_login").or_insert(json!(false)));
                out.push(e);
            }
            o.insert(k.clone(), Value::Array(out));
        } else {
            o.insert(k.clone(), v.clone());
        }
    }
    let org = Value::Object(o);
    st.orgs.insert(id.clone(), org.clone());
    st.org_members.insert(id, vec![]);
    Ok(Reply::json(201, org).wrote("Create an Organization"))
}

fn orgs_update(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let m = body_obj(ctx)?;
    check_allowed(&m, &["name", "display_name", "branding", "metadata", "token_quota"])?;
    let o = st.orgs.get_mut(ctx.id(1)).ok_or_else(org_404)?;
    if let Value::Object(obj) = o {
        for (k, v) in m {
            if v.is_null() {
                obj.remove(&k);
            } else {
                obj.insert(k, v);
            }
        }
    }
    Ok(Reply::ok(o.clone()).wrote("Update an Organization"))
}

fn orgs_delete(st: &mut Store, ctx: &Ctx<'_>) -> R {
    st.orgs.remove(ctx.id(1)).ok_or_else(org_404)?;
    st.org_members.remove(ctx.id(1));
    Ok(Reply::empty(204).wrote("Delete an Organization"))
}

fn members_list(st: &mut Store, ctx: &Ctx<'_>) -> R {
    if !st.orgs.contains(ctx.id(1)) {
        return Err(org_404());
    }
    let ids = st.org_members.get(ctx.id(1)).cloned().unwrap_or_default();
    user_id_list(st, ctx, &ids, "members")
}

fn members_add(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let m = body_obj(ctx)?;
    let members = string_array(&m, "members")?;
    if !st.orgs.contains(ctx.id(1)) {
        return Err(org_404());
    }
    if !members.iter().all(|u| st.users.contains(u)) {
        return Err(not_found_user());
    }
    let list = st.org_members.entry(ctx.id(1).to_string()).or_default();
    for u in members {
        if !list.contains(&u) {
            list.push(u);
        }
    }
    Ok(Reply::empty(204).wrote("Add members to an organization"))
}

fn members_remove(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let m = body_obj(ctx)?;
    let members = string_array(&m, "members")?;
    if !st.orgs.contains(ctx.id(1)) {
        return Err(org_404());
    }
    if let Some(list) = st.org_members.get_mut(ctx.id(1)) {
        list.retain(|u| !members.contains(u));
    }
    Ok(Reply::empty(204).wrote("Delete members from an organization"))
}

// ---------------------------------------------------------------- logs

const LOG_FREE_FIELDS: &[&str] = &["type", "description", "user_name", "user_id", "client_name"];

/// Serialize log entries: raw concatenation, or parse + project when `fields` is set.
fn logs_json(entries: &[&LogEntry], f: &[String], inc: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(entries.iter().map(|e| e.json.len() + 1).sum::<usize>() + 2);
    out.push(b'[');
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if f.is_empty() {
            out.extend_from_slice(e.json.as_bytes());
        } else {
            let v = project(&e.value(), f, inc);
            out.extend_from_slice(&serde_json::to_vec(&v).unwrap_or_default());
        }
    }
    out.push(b']');
    out
}

fn raw_reply(bytes: Vec<u8>) -> Reply {
    Reply { status: 200, body: Some(Body::Raw(bytes)), headers: vec![], write: None }
}

fn logs_list(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let (f, inc) = fields(ctx);
    if ctx.q.has("from") || ctx.q.has("take") {
        let take = parse_num(ctx.q, "take", 50)?.clamp(1, 100);
        let start = match ctx.q.get("from").filter(|f| !f.is_empty()) {
            Some(from) => st.logs.partition_point(|l| l.id.as_str() <= from),
            None => 0,
        };
        let page: Vec<&LogEntry> = st.logs[start..(start + take).min(st.logs.len())].iter().collect();
        let next_from = page.last().map(|l| l.id.clone()).or_else(|| ctx.q.get("from").map(str::to_string));
        let mut r = raw_reply(logs_json(&page, &f, inc));
        if let Some(nf) = next_from {
            let enc = percent_encoding::utf8_percent_encode(&nf, percent_encoding::NON_ALPHANUMERIC);
            r.headers
                .push(("link".into(), format!("<{}/api/v2/logs?from={enc}&take={take}>; rel=\"next\"", ctx.base_url)));
        }
        return Ok(r);
    }
    let off = offset(ctx, true)?;
    let q = match ctx.q.get("q").or(ctx.q.get("search")) {
        Some(q) if !q.trim().is_empty() => Some(Q::parse(q).map_err(|e| bad_query(&e))?),
        _ => None,
    };
    let ascending = ctx.q.get("sort").is_some_and(|s| s.split_once(':').is_some_and(|(_, d)| d.trim() == "1"));
    let start = off.page.saturating_mul(off.per_page);
    let needed = start.saturating_add(off.per_page);
    let filt = |l: &&LogEntry| q.as_ref().is_none_or(|q| q.matches(&l.value(), LOG_FREE_FIELDS));
    let matches: Vec<&LogEntry> = if ascending {
        st.logs.iter().filter(filt).take(needed).collect()
    } else {
        st.logs.iter().rev().filter(filt).take(needed).collect()
    };
    let page: Vec<&LogEntry> = matches.iter().skip(start).copied().collect();
    let arr = logs_json(&page, &f, inc);
    if off.totals {
        let mut out = format!(
            "{{\"start\":{start},\"limit\":{},\"length\":{n},\"total\":{n},\"logs\":",
            off.per_page,
            n = page.len()
        )
        .into_bytes();
        out.extend_from_slice(&arr);
        out.push(b'}');
        return Ok(raw_reply(out));
    }
    Ok(raw_reply(arr))
}

fn logs_get(st: &mut Store, ctx: &Ctx<'_>) -> R {
    st.log_index(ctx.id(1))
        .map(|i| raw_reply(st.logs[i].json.as_bytes().to_vec()))
        .ok_or_else(|| Reply::err(404, "Log not found.", None))
}

// ---------------------------------------------------------------- grants

fn grants_list(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let off = offset(ctx, false)?;
    let user = ctx.q.get("user_id");
    let client = ctx.q.get("client_id");
    let aud = ctx.q.get("audience");
    let matches: Vec<&Value> = st
        .grants
        .values()
        .filter(|g| {
            user.is_none_or(|u| s(g, "user_id") == Some(u))
                && client.is_none_or(|c| s(g, "clientID") == Some(c))
                && aud.is_none_or(|a| s(g, "audience") == Some(a))
        })
        .collect();
    Ok(offset_reply(&matches, &off, "grants", false, &|v| v.clone()))
}

fn grants_delete(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let removed = st.grants.remove(ctx.id(1)).is_some();
    let r = Reply::empty(204);
    Ok(if removed { r.wrote("Delete a grant") } else { r })
}

fn grants_delete_by_user(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let user = ctx
        .q
        .get("user_id")
        .filter(|u| !u.is_empty())
        .ok_or_else(|| bad_query("Query validation error: 'Missing required property: user_id'."))?;
    let ids: Vec<String> = st
        .grants
        .values()
        .filter(|g| s(g, "user_id") == Some(user))
        .filter_map(|g| s(g, "id").map(str::to_string))
        .collect();
    for id in &ids {
        st.grants.remove(id);
    }
    let r = Reply::empty(204);
    Ok(if ids.is_empty() { r } else { r.wrote("Delete grants of a user") })
}

// ---------------------------------------------------------------- resource servers

fn rs_404() -> Reply {
    Reply::err(404, "Resource server not found.", Some("inexistent_resource_server"))
}

fn rs_find<'a>(st: &'a Store, key: &str) -> Option<&'a Value> {
    st.resource_servers.get(key).or_else(|| st.resource_servers.values().find(|r| s(r, "identifier") == Some(key)))
}

fn rs_list(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let off = offset(ctx, false)?;
    let ids = ctx.q.get_all("identifiers");
    let (f, inc) = fields(ctx);
    let matches: Vec<&Value> = st
        .resource_servers
        .values()
        .filter(|r| ids.is_empty() || s(r, "identifier").is_some_and(|i| ids.iter().any(|x| x == i)))
        .collect();
    Ok(offset_reply(&matches, &off, "resource_servers", false, &|v| project(v, &f, inc)))
}

fn rs_get(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let (f, inc) = fields(ctx);
    rs_find(st, ctx.id(1)).map(|r| Reply::ok(project(r, &f, inc))).ok_or_else(rs_404)
}

fn rs_create(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let m = body_obj(ctx)?;
    let identifier = required_str(&m, "identifier")?.to_string();
    if m.contains_key("id") || m.contains_key("is_system") {
        return Err(bad_body("Payload validation error: 'Additional properties not allowed: id'."));
    }
    if rs_find(st, &identifier).is_some() {
        return Err(Reply::err(
            409,
            "A resource server with the same identifier already exists.",
            Some("resource_server_conflict"),
        ));
    }
    let id = util::hex(&mut st.rng, 24);
    let mut r = json!({
        "id": id,
        "name": identifier,
        "identifier": identifier,
        "is_system": false,
        "scopes": [],
        "signing_alg": "RS256",
        "allow_offline_access": false,
        "skip_consent_for_verifiable_first_party_clients": false,
        "token_lifetime": 86400,
        "token_lifetime_for_web": 7200,
        "token_dialect": "access_token",
        "enforce_policies": false,
    });
    if let Value::Object(obj) = &mut r {
        for (k, v) in m {
            obj.insert(k, v);
        }
    }
    st.resource_servers.insert(id, r.clone());
    Ok(Reply::json(201, r).wrote("Create a resource server"))
}

fn rs_update(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let m = body_obj(ctx)?;
    if m.contains_key("identifier") || m.contains_key("id") {
        return Err(bad_body("Payload validation error: 'Additional properties not allowed: identifier'."));
    }
    let id = rs_find(st, ctx.id(1)).and_then(|r| s(r, "id")).map(str::to_string).ok_or_else(rs_404)?;
    let r = st.resource_servers.get_mut(&id).ok_or_else(rs_404)?;
    if let Value::Object(obj) = r {
        for (k, v) in m {
            obj.insert(k, v);
        }
    }
    Ok(Reply::ok(r.clone()).wrote("Update a resource server"))
}

fn rs_delete(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let Some(found) = rs_find(st, ctx.id(1)) else {
        return Ok(Reply::empty(204));
    };
    if found.get("is_system").and_then(Value::as_bool) == Some(true) {
        return Err(Reply::err(400, "You cannot delete a system resource server.", Some("invalid_body")));
    }
    let id = s(found, "id").unwrap_or_default().to_string();
    st.resource_servers.remove(&id);
    Ok(Reply::empty(204).wrote("Delete a resource server"))
}

// ---------------------------------------------------------------- refresh tokens

fn rt_404() -> Reply {
    Reply::err(404, "The refresh token does not exist.", Some("inexistent_refresh_token"))
}

fn rt_list(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let user = ctx
        .q
        .get("user_id")
        .filter(|u| !u.is_empty())
        .ok_or_else(|| bad_query("Query validation error: 'Missing required property: user_id'."))?
        .to_string();
    let client = ctx.q.get("client_id").map(str::to_string);
    let cp = checkpoint(ctx)?.unwrap_or(Checkpoint { after: 0, take: 50 });
    let (f, inc) = fields(ctx);
    let filter = |t: &Value| {
        s(t, "user_id") == Some(user.as_str()) && client.as_deref().is_none_or(|c| s(t, "client_id") == Some(c))
    };
    Ok(checkpoint_coll(&st.refresh_tokens, &cp, &filter, "refresh_tokens", &|v| project(v, &f, inc)))
}

fn rt_get(st: &mut Store, ctx: &Ctx<'_>) -> R {
    st.refresh_tokens.get(ctx.id(1)).map(|t| Reply::ok(t.clone())).ok_or_else(rt_404)
}

fn rt_update(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let m = body_obj(ctx)?;
    check_allowed(&m, &["refresh_token_metadata"])?;
    let md = m.get("refresh_token_metadata").cloned().unwrap_or(Value::Null);
    if !(md.is_null() || md.is_object()) {
        return Err(bad_body("Payload validation error: 'Expected type object' on property refresh_token_metadata."));
    }
    let t = st.refresh_tokens.get_mut(ctx.id(1)).ok_or_else(rt_404)?;
    t["refresh_token_metadata"] = md;
    Ok(Reply::ok(t.clone()).wrote("Update a refresh token"))
}

fn rt_delete(st: &mut Store, ctx: &Ctx<'_>) -> R {
    st.refresh_tokens.remove(ctx.id(1)).ok_or_else(rt_404)?;
    Ok(Reply::empty(202).wrote("Delete a refresh token"))
}

fn rt_revoke(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let m = body_obj(ctx)?;
    let invalid = || Reply::err(400, "Invalid combination of parameters.", Some("invalid_body"));
    let mut keys: Vec<&str> = m.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let str_of = |k: &str| m.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let targets: Vec<String> = match keys.as_slice() {
        ["ids"] => {
            let ids = m.get("ids").and_then(Value::as_array).ok_or_else(invalid)?;
            if ids.is_empty() || ids.len() > 100 {
                return Err(invalid());
            }
            let mut out = vec![];
            for i in ids {
                match i.as_str() {
                    Some(s) if !s.is_empty() && s.len() <= 30 => out.push(s.to_string()),
                    _ => return Err(invalid()),
                }
            }
            out.into_iter().filter(|i| st.refresh_tokens.contains(i)).collect()
        }
        ["user_id"] | ["client_id", "user_id"] | ["audience", "client_id", "user_id"] => {
            let user = str_of("user_id").ok_or_else(invalid)?;
            let client =
                if m.contains_key("client_id") { Some(str_of("client_id").ok_or_else(invalid)?) } else { None };
            let aud = if m.contains_key("audience") { Some(str_of("audience").ok_or_else(invalid)?) } else { None };
            st.refresh_tokens
                .values()
                .filter(|t| {
                    s(t, "user_id") == Some(user)
                        && client.is_none_or(|c| s(t, "client_id") == Some(c))
                        && aud.is_none_or(|a| {
                            t.get("resource_servers")
                                .and_then(Value::as_array)
                                .is_some_and(|rs| rs.iter().any(|r| s(r, "audience") == Some(a)))
                        })
                })
                .filter_map(|t| s(t, "id").map(str::to_string))
                .collect()
        }
        _ => return Err(invalid()),
    };
    for t in &targets {
        st.refresh_tokens.remove(t);
    }
    Ok(Reply::empty(202).wrote("Revoke refresh tokens"))
}

// ---------------------------------------------------------------- sessions

fn session_404() -> Reply {
    Reply::err(404, "The session does not exist.", Some("inexistent_session"))
}

fn sessions_get(st: &mut Store, ctx: &Ctx<'_>) -> R {
    st.sessions.get(ctx.id(1)).map(|t| Reply::ok(t.clone())).ok_or_else(session_404)
}

fn sessions_update(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let m = body_obj(ctx)?;
    check_allowed(&m, &["session_metadata"])?;
    let md = m.get("session_metadata").cloned().unwrap_or(Value::Null);
    if !(md.is_null() || md.is_object()) {
        return Err(bad_body("Payload validation error: 'Expected type object' on property session_metadata."));
    }
    let t = st.sessions.get_mut(ctx.id(1)).ok_or_else(session_404)?;
    t["session_metadata"] = md;
    t["updated_at"] = json!(now_iso());
    Ok(Reply::ok(t.clone()).wrote("Update a session"))
}

fn sessions_delete(st: &mut Store, ctx: &Ctx<'_>) -> R {
    st.sessions.remove(ctx.id(1)).ok_or_else(session_404)?;
    Ok(Reply::json(202, json!({})).wrote("Delete a session"))
}

fn sessions_revoke(st: &mut Store, ctx: &Ctx<'_>) -> R {
    let sid = ctx.id(1).to_string();
    st.sessions.remove(&sid).ok_or_else(session_404)?;
    let rts: Vec<String> = st
        .refresh_tokens
        .values()
        .filter(|t| s(t, "session_id") == Some(sid.as_str()))
        .filter_map(|t| s(t, "id").map(str::to_string))
        .collect();
    for t in rts {
        st.refresh_tokens.remove(&t);
    }
    Ok(Reply::json(202, json!({})).wrote("Revoke a session"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip() {
        for p in [0u64, 1, 7, 123_456, u64::MAX / 3] {
            assert_eq!(decode_cursor(&encode_cursor(p)), Some(p));
        }
        assert_eq!(decode_cursor("!!!"), None);
    }

    #[test]
    fn metadata_merge() {
        let mut u = Map::new();
        u.insert("app_metadata".into(), json!({"a": 1, "b": {"x": 1}, "c": 3}));
        merge_metadata(&mut u, "app_metadata", &json!({"a": null, "b": {"y": 2}, "d": 4})).unwrap();
        assert_eq!(u["app_metadata"], json!({"b": {"y": 2}, "c": 3, "d": 4}));
        merge_metadata(&mut u, "app_metadata", &json!({})).unwrap();
        assert_eq!(u["app_metadata"], json!({}));
        assert!(merge_metadata(&mut u, "app_metadata", &json!(5)).is_err());
    }
}
