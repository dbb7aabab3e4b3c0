//! Tools: one per catalog operation an agent could be allowed, with its input schema
//! (generated from the typed request models), annotations and description.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use auth0_mgmt::catalog::{self, Operation};
use auth0_mgmt_policy::{AgentPolicy, Level};
use rmcp::model::{Tool, ToolAnnotations};
use serde_json::{Map, Value, json};

use crate::catalog_ext::{self, ParamType, ToolData};

/// The tool name of an operation: its id with `.` replaced by `_` (`users_get`).
pub fn tool_name(op: &Operation) -> String {
    op.id.replace('.', "_")
}

/// The operation a tool name stands for (exact match).
pub fn operation_for_tool(name: &str) -> Option<&'static Operation> {
    catalog::ALL.iter().copied().find(|op| op.id.len() == name.len() && tool_name(op) == name)
}

/// Why a tool is not in an agent's list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotOffered {
    /// The agent's level on the resource is `off`.
    ResourceOff,
    /// The operation writes and the agent's level is `read`.
    ReadOnly,
    /// Every call needs a dangerous action the agent was not granted.
    ActionNotGranted(auth0_mgmt_policy::Action),
    /// The gateway has no tool data for the operation.
    NoToolData,
}

impl NotOffered {
    /// A machine code (`resource_off`, `read_only`, `action_not_granted`, `no_tool_data`).
    pub fn code(&self) -> &'static str {
        match self {
            NotOffered::ResourceOff => "resource_off",
            NotOffered::ReadOnly => "read_only",
            NotOffered::ActionNotGranted(_) => "action_not_granted",
            NotOffered::NoToolData => "no_tool_data",
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
            NotOffered::NoToolData => "the gateway does not offer this operation".to_owned(),
        }
    }
}

/// Whether `agent` could be allowed `op`: its level on the resource reaches the operation
/// and it holds every dangerous action each call of the operation needs. Calls that
/// pass are still decided one by one by the guard (allow-lists, guardrails, body-dependent
/// actions, token scopes).
pub fn offered(agent: &AgentPolicy, op: &Operation) -> Result<(), NotOffered> {
    let data = catalog_ext::tool_data(op).ok_or(NotOffered::NoToolData)?;
    match agent.level(op.resource) {
        Level::Off => return Err(NotOffered::ResourceOff),
        Level::Read if op.access.is_write() => return Err(NotOffered::ReadOnly),
        _ => {}
    }
    if let Some(a) = data.requires.iter().find(|a| !agent.has(**a)) {
        return Err(NotOffered::ActionNotGranted(*a));
    }
    Ok(())
}

/// A tool definition with its compiled argument validator.
#[derive(Debug)]
pub struct ToolSpec {
    /// The operation.
    pub op: &'static Operation,
    /// Its per-operation data.
    pub data: ToolData,
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
                let data = catalog_ext::tool_data(op)?;
                let schema = input_schema(&data);
                let validator = match jsonschema::draft202012::new(&Value::Object(schema.clone())) {
                    Ok(v) => v,
                    Err(e) => {
                        // A schema that does not compile would accept nothing we can check:
                        // leave the tool out (a test asserts every schema compiles).
                        tracing::error!(operation = op.id, error = %e, "tool input schema does not compile");
                        return None;
                    }
                };
                let tool = Tool::new(tool_name(op), description(op, &data), Arc::new(schema))
                    .with_title(title(op))
                    .with_annotations(
                        ToolAnnotations::with_title(title(op))
                            .read_only(data.hints.read_only)
                            .destructive(data.hints.destructive)
                            .idempotent(data.hints.idempotent)
                            .open_world(data.hints.open_world),
                    );
                Some((op.id, ToolSpec { op, data, tool, validator }))
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

fn description(op: &Operation, data: &ToolData) -> String {
    let mut d = data.description.to_owned();
    if op.access.is_write() {
        d.push_str(" Every call is checked against this agent's policy and written to the audit trail before it is sent; a denied call changes nothing and says why.");
    }
    d
}

/// The input schema: `id` (when the path has one), the query parameters under Auth0's
/// names, and the body fields of the typed request model; `additionalProperties: false`
/// everywhere a model names its fields.
pub fn input_schema(data: &ToolData) -> Map<String, Value> {
    let mut props = Map::new();
    let mut required: Vec<Value> = Vec::new();
    if let Some(kind) = data.path_id {
        props.insert(
            "id".into(),
            json!({"type": "string", "minLength": 1, "maxLength": auth0_mgmt::ids::MAX_ID_LEN, "description": kind.describe()}),
        );
        required.push("id".into());
    }
    for q in data.query {
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
    if let Some(body) = data.body {
        let mut body = body().to_value();
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

    #[test]
    fn every_operation_has_a_tool_whose_schema_compiles() {
        for op in catalog::ALL {
            let s = spec(op).unwrap_or_else(|| panic!("{}: no tool", op.id));
            assert_eq!(s.tool.name, tool_name(op));
            assert_eq!(operation_for_tool(&tool_name(op)).map(|o| o.id), Some(op.id));
            let schema = &s.tool.input_schema;
            assert_eq!(schema["type"], "object", "{}", op.id);
            assert_eq!(schema["additionalProperties"], false, "{}", op.id);
            assert!(!s.validator.is_valid(&json!({"smuggled": 1})), "{}: undeclared argument accepted", op.id);
            assert!(!serde_json::to_string(schema).unwrap().contains("\"$ref\""), "{}: unresolved $ref", op.id);
        }
        assert!(operation_for_tool("users.get").is_none() && operation_for_tool("users_get_").is_none());
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
