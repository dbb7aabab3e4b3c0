//! Tools: one per catalog operation an agent could be allowed, derived from the
//! operation's catalog descriptor alone — the path id kind, the query parameters, the
//! typed request-body model (its JSON Schema from the `schema` feature), the dangerous
//! actions every call needs, the annotations and the model-facing description — and the
//! agent's policy. The gateway keeps no per-operation table; the one thing it decides
//! per operation itself, how a listing's pages are read, is [`listing`], an exhaustive
//! match on [`OperationId`].

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use auth0_mgmt::catalog::{self, Action, FieldClass, IdKind, IdPath, Key, Operation, OperationId, ParamType};
use auth0_mgmt_policy::{AgentPolicy, Level};
use rmcp::model::{Tool, ToolAnnotations};
use serde_json::{Map, Value, json};

/// The tool name of an operation: its id with `.` replaced by `_` (`users_get`).
pub fn tool_name(op: &Operation) -> String {
    op.key.tool_name()
}

/// The operation a tool name stands for (exact match).
pub fn operation_for_tool(name: &str) -> Option<&'static Operation> {
    by_tool_name().get(name).copied()
}

fn by_tool_name() -> &'static BTreeMap<String, &'static Operation> {
    static NAMES: OnceLock<BTreeMap<String, &'static Operation>> = OnceLock::new();
    NAMES.get_or_init(|| catalog::ALL.iter().map(|op| (tool_name(op), *op)).collect())
}

/// Why a tool is not in an agent's list.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotOffered {
    /// The agent's level on the resource is `off`.
    ResourceOff,
    /// The operation writes and the agent's level is `read`.
    ReadOnly,
    /// Every call needs a dangerous action the agent was not granted.
    ActionNotGranted(Action),
    /// The gateway could not build the operation's tool (its input schema did not
    /// compile; a test keeps this from shipping).
    Unavailable,
}

impl NotOffered {
    /// A machine code (`resource_off`, `read_only`, `action_not_granted`, `unavailable`).
    pub fn code(&self) -> &'static str {
        match self {
            NotOffered::ResourceOff => "resource_off",
            NotOffered::ReadOnly => "read_only",
            NotOffered::ActionNotGranted(_) => "action_not_granted",
            NotOffered::Unavailable => "unavailable",
        }
    }

    /// A sentence for the model and the audit trail.
    pub fn reason(&self, op: &Operation) -> String {
        match self {
            NotOffered::ResourceOff => format!("{} is off for this agent", op.resource),
            NotOffered::ReadOnly => format!("{} is read-only for this agent", op.resource),
            NotOffered::ActionNotGranted(a) => {
                format!("{} is not granted to this agent (action `{a}`)", a.gerund())
            }
            NotOffered::Unavailable => "the gateway does not offer this operation".to_owned(),
        }
    }
}

/// Whether `agent` could be allowed `op`: its level on the resource reaches the operation
/// and it may request every dangerous action each call of the operation needs
/// ([`Operation::actions`]) — granted outright (`actions`) or with a human's approval
/// (`approve`), as the policy crate answers it ([`AgentPolicy::may_request`]). Calls
/// that pass are still decided one by one by the guard (allow-lists, guardrails,
/// body-dependent actions, token scopes, approval, budgets).
pub fn offered(agent: &AgentPolicy, op: &Operation) -> Result<(), NotOffered> {
    match agent.level(op.resource) {
        Level::Off => return Err(NotOffered::ResourceOff),
        Level::Read if op.access.is_write() => return Err(NotOffered::ReadOnly),
        _ => {}
    }
    if let Some(a) = op.actions.iter().find(|a| !agent.may_request(**a)) {
        return Err(NotOffered::ActionNotGranted(*a));
    }
    Ok(())
}

/// For a tool whose every call needs a dangerous action `agent` may use only with a
/// human's approval (listed under `approve`, not `actions`): the sentence its
/// description gains, so the model expects `approval_required` on the first call.
pub fn approval_note(agent: &AgentPolicy, op: &Operation) -> Option<String> {
    let pending: Vec<&Action> = op.actions.iter().filter(|a| !agent.has(**a) && agent.may_request(**a)).collect();
    if pending.is_empty() {
        return None;
    }
    let what = pending.iter().map(|a| a.gerund()).collect::<Vec<_>>().join(" and ");
    Some(format!(
        "For this agent, {what} needs a human's approval: the first call sends nothing and returns \
         approval_required with an approval id; once a human approved it, send the identical call again."
    ))
}

/// Where a checkpoint listing's next cursor comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckpointNext {
    /// The response's `next` field (absent on the last page).
    NextField,
    /// The given field of the last item of a full page (logs: `log_id`; the response is
    /// a bare array).
    LastItem(&'static str),
}

/// How a listing's pages are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Listing {
    /// Whether offset pages are asked for with `include_totals` and their `total`
    /// counts every match (not for logs: `include_totals` is deprecated there and its
    /// `total` is the page size).
    pub totals: bool,
    /// Where the checkpoint cursor comes from.
    pub checkpoint_next: CheckpointNext,
    /// Query parameters sent along when `q` is given and they are not (users:
    /// `search_engine=v3`, as the library's list builder sends it).
    pub q_implies: &'static [(&'static str, &'static str)],
}

impl Listing {
    /// The common case.
    pub const DEFAULT: Listing = Listing { totals: true, checkpoint_next: CheckpointNext::NextField, q_implies: &[] };
}

/// How the pages of `op` are read: the listing quirks the catalog does not describe
/// (an exhaustive match, so a new operation is a compile error here until decided).
pub const fn listing(op: OperationId) -> Listing {
    use OperationId as O;
    match op {
        O::LogsList => Listing { totals: false, checkpoint_next: CheckpointNext::LastItem("log_id"), q_implies: &[] },
        O::UsersList => Listing { q_implies: &[("search_engine", "v3")], ..Listing::DEFAULT },
        O::UsersGet
        | O::UsersCreate
        | O::UsersUpdate
        | O::UsersDelete
        | O::UsersListByEmail
        | O::RolesList
        | O::RolesGet
        | O::RolesCreate
        | O::UsersListRoles
        | O::UsersAssignRoles
        | O::UsersRemoveRoles
        | O::ClientsList
        | O::ClientsGet
        | O::ClientsCreate
        | O::ClientsUpdate
        | O::ClientsDelete
        | O::ConnectionsList
        | O::ConnectionsGet
        | O::ConnectionsCreate
        | O::OrganizationsList
        | O::OrganizationsGet
        | O::OrganizationsCreate
        | O::OrganizationsAddMembers
        | O::OrganizationsListMembers
        | O::LogsGet
        | O::GrantsList
        | O::GrantsDelete
        | O::ResourceServersList
        | O::ResourceServersGet
        | O::ResourceServersCreate
        | O::RefreshTokensList
        | O::RefreshTokensGet
        | O::RefreshTokensUpdate
        | O::RefreshTokensDelete
        | O::RefreshTokensRevoke
        | O::SessionsGet
        | O::SessionsUpdate => Listing::DEFAULT,
    }
}

/// A tool definition with its compiled argument validator.
#[derive(Debug)]
pub struct ToolSpec {
    /// The operation.
    pub op: &'static Operation,
    /// How its pages are read (listings only).
    pub listing: Listing,
    /// The tool as listed to clients.
    pub tool: Tool,
    /// The input schema compiled for validation.
    pub validator: jsonschema::Validator,
}

/// Every catalog operation's tool, built once per process.
pub fn all_specs() -> &'static BTreeMap<&'static str, ToolSpec> {
    static SPECS: OnceLock<BTreeMap<&'static str, ToolSpec>> = OnceLock::new();
    SPECS.get_or_init(|| {
        catalog::ALL
            .iter()
            .filter_map(|op| {
                let schema = input_schema(op);
                let validator = match jsonschema::draft202012::new(&Value::Object(schema.clone())) {
                    Ok(v) => v,
                    Err(e) => {
                        // A schema that does not compile would accept nothing we can check:
                        // leave the tool out (a test asserts every schema compiles).
                        tracing::error!(operation = op.id, error = %e, "tool input schema does not compile");
                        return None;
                    }
                };
                let hints = op.annotations;
                let tool =
                    Tool::new(tool_name(op), description(op), Arc::new(schema)).with_title(title(op)).with_annotations(
                        ToolAnnotations::with_title(title(op))
                            .read_only(hints.read_only)
                            .destructive(hints.destructive)
                            .idempotent(hints.idempotent)
                            .open_world(hints.open_world),
                    );
                Some((op.id, ToolSpec { op, listing: listing(op.key), tool, validator }))
            })
            .collect()
    })
}

/// The tool spec of an operation.
pub fn spec(op: &Operation) -> Option<&'static ToolSpec> {
    all_specs().get(op.id)
}

/// The tools offered to `agent`, in catalog order.
pub fn tools_for(agent: &AgentPolicy) -> Vec<&'static ToolSpec> {
    catalog::ALL.iter().filter(|op| offered(agent, op).is_ok()).filter_map(|op| spec(op)).collect()
}

fn title(op: &Operation) -> String {
    let mut s = op.summary.to_owned();
    if let Some(first) = s.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    s
}

/// The catalog's description, then what the policy checks on each call, from the
/// catalog's own data: which ids an allow-list restricts and which body keys need a
/// dangerous action.
pub fn description(op: &Operation) -> String {
    let mut d = op.description.to_owned();
    let mut allow_listed: Vec<(IdKind, bool)> =
        op.path_id.filter(|p| p.allow_listed).map(|p| (p.kind, false)).into_iter().collect();
    for slot in op.body.ids.iter().filter(|s| s.allow_listed) {
        allow_listed.push((slot.kind, matches!(slot.at, IdPath::List(_) | IdPath::ListOf(..))));
    }
    for (kind, batch) in allow_listed {
        d.push_str(&format!(" Only {}s on this agent's allow-list are accepted", kind.noun()));
        d.push_str(if batch { " (a list is all or nothing)." } else { "." });
    }
    let mut by_action: BTreeMap<Action, Vec<String>> = BTreeMap::new();
    fn collect(keys: &[Key], prefix: &str, own: &[Action], out: &mut BTreeMap<Action, Vec<String>>) {
        for key in keys {
            let name = format!("{prefix}{}", key.name);
            if let FieldClass::Needs(action) = key.class
                && !own.contains(&action)
            {
                out.entry(action).or_default().push(format!("`{name}`"));
            }
            collect(key.nested, &format!("{name}."), own, out);
        }
    }
    collect(op.body.keys, "", op.actions, &mut by_action);
    for (action, keys) in by_action {
        d.push_str(&format!(" Setting {} needs the `{action}` action.", keys.join(", ")));
    }
    if op.access.is_write() {
        d.push_str(" Every call is checked against this agent's policy and written to the audit trail before it is sent; a denied call changes nothing and says why.");
    } else {
        d.push_str(" Secrets are removed from the result unless this agent may read them.");
    }
    d
}

/// The input schema: `id` (when the path has one), the query parameters under Auth0's
/// names, and the body fields of the typed request model; `additionalProperties: false`
/// on the input and on every object the model describes field by field.
pub fn input_schema(op: &Operation) -> Map<String, Value> {
    let mut props = Map::new();
    let mut required: Vec<Value> = Vec::new();
    if let Some(path) = op.path_id {
        props.insert(
            "id".into(),
            json!({"type": "string", "minLength": 1, "maxLength": auth0_mgmt::ids::MAX_ID_LEN, "description": path.kind.description()}),
        );
        required.push("id".into());
    }
    for q in op.query {
        let mut s = match q.ty {
            ParamType::String => json!({"type": "string"}),
            ParamType::Integer { min, max } => json!({"type": "integer", "minimum": min, "maximum": max}),
            ParamType::Boolean => json!({"type": "boolean"}),
            ParamType::StringList { max_items } => {
                json!({"type": "array", "items": {"type": "string"}, "maxItems": max_items})
            }
        };
        s["description"] = q.description.into();
        props.insert(q.name.into(), s);
        if q.required {
            required.push(q.name.into());
        }
    }
    let mut schema = Map::new();
    schema.insert("type".into(), "object".into());
    let mut branches: Option<Vec<Value>> = None;
    if let Some(model) = op.body_model {
        let mut body = model.schema(&mut schema_generator()).to_value();
        close_objects(&mut body);
        if let Some(m) = body.as_object_mut() {
            m.remove("description");
            m.remove("title");
        }
        let alternatives =
            body.get("anyOf").or_else(|| body.get("oneOf")).and_then(Value::as_array).cloned().unwrap_or_default();
        if alternatives.is_empty() {
            merge_body(&body, &mut props, &mut required);
        } else {
            // An untagged body (one of several shapes): every field is listed, and each
            // shape is a branch that also allows the path id and query parameters.
            let fixed = props.clone();
            let fixed_required = required.clone();
            let mut out = Vec::new();
            for alt in &alternatives {
                merge_body(alt, &mut props, &mut Vec::new());
                let mut bprops = fixed.clone();
                let mut breq = fixed_required.clone();
                merge_body(alt, &mut bprops, &mut breq);
                out.push(
                    json!({"type": "object", "properties": bprops, "required": breq, "additionalProperties": false}),
                );
            }
            branches = Some(out);
        }
    }
    schema.insert("properties".into(), Value::Object(props));
    if !required.is_empty() {
        schema.insert("required".into(), Value::Array(required));
    }
    schema.insert("additionalProperties".into(), false.into());
    if let Some(b) = branches {
        schema.insert("oneOf".into(), Value::Array(b));
    }
    schema
}

/// A generator for JSON Schema 2020-12 with every subschema inlined (a tool's input
/// schema stands alone: no `$ref`, no `$defs`), for the serialized form the API receives.
fn schema_generator() -> schemars::SchemaGenerator {
    schemars::generate::SchemaSettings::draft2020_12()
        .with(|s| {
            s.inline_subschemas = true;
            s.meta_schema = None;
        })
        .for_serialize()
        .into_generator()
}

fn merge_body(body: &Value, props: &mut Map<String, Value>, required: &mut Vec<Value>) {
    if let Some(p) = body.get("properties").and_then(Value::as_object) {
        for (k, v) in p {
            props.insert(k.clone(), v.clone());
        }
    }
    if let Some(r) = body.get("required").and_then(Value::as_array) {
        for k in r {
            if !required.contains(k) {
                required.push(k.clone());
            }
        }
    }
}

/// Sets `additionalProperties: false` on every object schema that lists its properties:
/// a field the typed model does not declare is refused, also inside nested objects
/// (free-form maps such as metadata, which list no properties, stay open). Descriptions
/// (the models' doc comments) keep their first paragraph, without Rust examples.
fn close_objects(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if m.contains_key("properties") {
                m.insert("additionalProperties".into(), false.into());
            }
            if let Some(Value::String(d)) = m.get_mut("description") {
                let first = d.split("\n\n").next().unwrap_or_default().replace('\n', " ");
                if first.contains("```") || first.contains("[`") || first.trim().is_empty() {
                    m.remove("description");
                } else {
                    *d = first.trim().to_owned();
                }
            }
            for (_, child) in m.iter_mut() {
                close_objects(child);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(close_objects),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether a schema accepts `null` (as a type or as one of its alternatives).
    fn accepts_null(v: &Value) -> bool {
        let t = &v["type"];
        t == "null"
            || t.as_array().is_some_and(|a| a.iter().any(|x| x == "null"))
            || ["anyOf", "oneOf"].iter().any(|k| v[*k].as_array().is_some_and(|a| a.iter().any(accepts_null)))
    }

    /// Every object that lists properties is closed; below the top level, nothing
    /// accepts `null` (only `Patch` fields of the body, at the top, clear with `null`).
    fn check_objects(v: &Value, path: &str, depth: usize, problems: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(props) = m.get("properties").and_then(Value::as_object) {
                    if m.get("additionalProperties") != Some(&Value::Bool(false)) {
                        problems.push(format!("{path}: an open object"));
                    }
                    for (k, child) in props {
                        if depth > 0 && accepts_null(child) {
                            problems.push(format!("{path}.{k}: accepts null"));
                        }
                        check_objects(child, &format!("{path}.{k}"), depth + 1, problems);
                    }
                }
                for (k, child) in m.iter().filter(|(k, _)| *k != "properties") {
                    let d = if k == "oneOf" || k == "anyOf" { depth } else { depth.max(1) };
                    check_objects(child, path, d, problems);
                }
            }
            Value::Array(items) => items.iter().for_each(|i| check_objects(i, path, depth, problems)),
            _ => {}
        }
    }

    /// The walk over the catalog: every operation has a tool, built from its catalog
    /// descriptor alone (path id, query parameters, body model, annotations,
    /// description), whose schema compiles, is closed everywhere and takes `null` only
    /// where a field is cleared.
    #[test]
    fn every_catalog_operation_has_its_tool() {
        for op in catalog::ALL {
            let id = op.id;
            let s = spec(op).unwrap_or_else(|| panic!("{id}: no tool"));
            assert_eq!(s.tool.name, tool_name(op));
            assert_eq!(operation_for_tool(&tool_name(op)).map(|o| o.id), Some(id));
            let schema = Value::Object((*s.tool.input_schema).clone());
            assert_eq!(schema["type"], "object", "{id}");
            assert!(!s.validator.is_valid(&json!({"smuggled": 1})), "{id}: undeclared argument accepted");
            assert!(!schema.to_string().contains("\"$ref\""), "{id}: unresolved $ref");
            let mut problems = Vec::new();
            check_objects(&schema, id, 0, &mut problems);
            assert!(problems.is_empty(), "{problems:?}");
            // The arguments: `id`, the query parameters, the body model's fields.
            let props = schema["properties"].as_object().unwrap();
            assert_eq!(props.contains_key("id"), op.path_id.is_some(), "{id}: id");
            for q in op.query {
                let want = match q.ty {
                    ParamType::String => "string",
                    ParamType::Integer { .. } => "integer",
                    ParamType::Boolean => "boolean",
                    ParamType::StringList { .. } => "array",
                };
                assert_eq!(props[q.name]["type"], want, "{id}: {}", q.name);
            }
            let mut body: Vec<&str> = props
                .keys()
                .map(String::as_str)
                .filter(|k| *k != "id" && !op.query.iter().any(|q| q.name == *k))
                .collect();
            body.sort_unstable();
            let mut keys: Vec<&str> = op.body.keys.iter().map(|k| k.name).collect();
            keys.sort_unstable();
            assert_eq!(body, keys, "{id}: the body arguments are the catalog's body keys");
            assert_eq!(op.body_model.is_some(), !keys.is_empty(), "{id}: a body model exactly for a body");
            // Annotations and description from the catalog.
            let a = s.tool.annotations.as_ref().unwrap();
            let c = op.annotations;
            assert_eq!(
                (a.read_only_hint, a.destructive_hint, a.idempotent_hint, a.open_world_hint),
                (Some(c.read_only), Some(c.destructive), Some(c.idempotent), Some(c.open_world)),
                "{id}"
            );
            assert!(s.tool.description.as_deref().unwrap_or_default().starts_with(op.description), "{id}");
        }
        assert!(operation_for_tool("users.get").is_none() && operation_for_tool("users_get_").is_none());
    }

    #[test]
    fn descriptions_say_what_the_policy_checks() {
        let assign = description(&catalog::USERS_ASSIGN_ROLES);
        assert!(
            assign.contains("Only roles on this agent's allow-list are accepted (a list is all or nothing)."),
            "{assign}"
        );
        let update = description(&catalog::USERS_UPDATE);
        assert!(update.contains("needs the `update_user_credentials` action"), "{update}");
        assert!(update.contains("Setting `app_metadata` needs the `update_app_metadata` action"), "{update}");
        // The operation's own action is a condition of the tool, not of a field.
        let app = description(&catalog::CLIENTS_UPDATE);
        assert!(!app.contains("`update_clients`") && app.contains("`jwt_configuration.alg`"), "{app}");
        assert!(description(&catalog::USERS_GET).contains("Secrets are removed"));
    }

    #[test]
    fn listing_quirks() {
        let logs = listing(OperationId::LogsList);
        assert!(!logs.totals && logs.checkpoint_next == CheckpointNext::LastItem("log_id"));
        assert_eq!(listing(OperationId::UsersList).q_implies, [("search_engine", "v3")]);
        assert_eq!(listing(OperationId::ClientsList), Listing::DEFAULT);
    }

    #[test]
    fn bodies_come_from_the_typed_models() {
        let create = &spec(&catalog::USERS_CREATE).unwrap().tool.input_schema;
        assert_eq!(create["required"], json!(["connection"]));
        for field in ["email", "password", "app_metadata", "user_metadata", "blocked"] {
            assert!(create["properties"].get(field).is_some(), "users_create lacks {field}");
        }
        let update = &spec(&catalog::USERS_UPDATE).unwrap();
        assert_eq!(update.tool.input_schema["required"], json!(["id"]));
        assert!(update.validator.is_valid(&json!({"id": "auth0|1", "nickname": null, "blocked": true})));
        assert!(!update.validator.is_valid(&json!({"id": "auth0|1", "blocked": "yes"})));
        let assign = &spec(&catalog::USERS_ASSIGN_ROLES).unwrap().validator;
        assert!(assign.is_valid(&json!({"id": "auth0|1", "roles": ["rol_1"]})));
        assert!(!assign.is_valid(&json!({"id": "auth0|1", "roles": []})));
        assert!(!assign.is_valid(&json!({"roles": ["rol_1"]})));
        let revoke = &spec(&catalog::REFRESH_TOKENS_REVOKE).unwrap().validator;
        assert!(revoke.is_valid(&json!({"ids": ["rt_1"]})));
        assert!(revoke.is_valid(&json!({"user_id": "auth0|1", "client_id": "abc"})));
        assert!(!revoke.is_valid(&json!({"client_id": "abc"})));
        assert!(!revoke.is_valid(&json!({"ids": ["rt_1"], "user_id": "auth0|1"})));
        // Nested typed objects are closed too.
        let app = &spec(&catalog::CLIENTS_CREATE).unwrap().validator;
        assert!(app.is_valid(&json!({"name": "x", "jwt_configuration": {"alg": "RS256"}})));
        assert!(!app.is_valid(&json!({"name": "x", "jwt_configuration": {"alg": "RS256", "smuggled": true}})));
    }

    #[test]
    fn query_parameters_are_typed() {
        let list = &spec(&catalog::USERS_LIST).unwrap().validator;
        assert!(list.is_valid(&json!({"q": "email:\"a@b.c\"", "page": 0, "per_page": 100})));
        assert!(!list.is_valid(&json!({"per_page": 101})));
        assert!(!list.is_valid(&json!({"page": "1"})));
        let by_email = &spec(&catalog::USERS_LIST_BY_EMAIL).unwrap().validator;
        assert!(!by_email.is_valid(&json!({})));
    }
}
