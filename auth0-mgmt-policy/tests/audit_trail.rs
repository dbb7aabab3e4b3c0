//! The audit trail: one record per call, secrets never recorded, one line per record
//! whatever the input, and fail-closed writes when records cannot be written.

mod common;

use std::sync::Arc;

use auth0_mgmt::{Request, UserId, catalog};
use auth0_mgmt_policy::{AuditSink, GuardedClient, JsonLinesSink, MemorySink, Policy, Tee, TracingSink};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

const POLICY: &str = r#"
schema_version = 1
[agents.ops]
resources = { users = "full", clients = "full", roles = "full" }
actions = ["create_clients", "update_user_credentials", "assign_roles", "delete_users"]
[agents.ops.allow]
roles = ["*"]
"#;

const PASSWORD: &str = "Correct-Horse-Battery-Staple-42";
const CLIENT_SECRET: &str = "cs_VERY_SECRET_0123456789abcdef";

fn uid(s: &str) -> UserId {
    UserId::new(s).unwrap()
}

fn guarded_file(client: &auth0_mgmt::Client, sink: Arc<dyn AuditSink>) -> GuardedClient {
    GuardedClient::new(client, Arc::new(Policy::from_toml(POLICY).unwrap()), "ops", sink)
}

#[tokio::test]
async fn one_record_per_call_and_no_secrets_in_the_file() {
    let server = common::server().await;
    Mock::given(method("POST"))
        .and(path("/api/v2/clients"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"client_id": "cli_new", "name": "app", "client_secret": CLIENT_SECRET})),
        )
        .mount(&server)
        .await;
    // The server echoes the password in its error message: it must still not be recorded.
    Mock::given(method("PATCH"))
        .and(path("/api/v2/users/auth0%7Cweak"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"statusCode": 400, "error": "Bad Request",
            "message": format!("PasswordStrengthError: {PASSWORD} is too weak"), "errorCode": "invalid_body"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/users/auth0%7Cmissing"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"statusCode": 404, "error": "Not Found",
            "message": "The user does not exist.", "errorCode": "inexistent_user"})))
        .mount(&server)
        .await;
    common::ok_everything(&server).await;
    let token_scopes = common::all_scopes();
    let client = common::client_with_scopes(&server, &token_scopes);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("audit.jsonl");
    let ops = guarded_file(
        &client,
        Arc::new(Tee::new(vec![Arc::new(JsonLinesSink::open(&file).unwrap()), Arc::new(TracingSink)])),
    );

    let created: Value =
        ops.execute(Request::new(&catalog::CLIENTS_CREATE).json_value(json!({"name": "app"}))).await.unwrap();
    assert!(created.get("client_secret").is_none(), "redacted for an agent without read_client_secrets");
    let set_pw = |id: &str| {
        Request::new(&catalog::USERS_UPDATE).id(&uid(id)).json_value(json!({"password": PASSWORD, "connection": "db"}))
    };
    ops.execute::<Value>(set_pw("auth0|u1")).await.unwrap();
    let e = ops.execute::<Value>(set_pw("auth0|weak")).await.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(400));
    assert!(ops.users().get(&uid("auth0|missing")).await.unwrap_err().is_not_found());
    assert!(ops.users().list_by_email("someone@example.com").await.is_ok());
    assert!(ops.execute::<Value>(Request::new(&catalog::CONNECTIONS_LIST)).await.unwrap_err().is_denied());

    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "one record per call:\n{text}");
    for secret in [PASSWORD, CLIENT_SECRET, "someone@example.com", &common::jwt(&token_scopes)] {
        assert!(!text.contains(secret), "{secret} leaked into the audit file:\n{text}");
    }
    let records: Vec<Value> = lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    let messages: Vec<&str> = records.iter().map(|r| r["message"].as_str().unwrap()).collect();
    let strip_ms = |s: &str| s.rsplit_once(" in ").map_or(s.to_owned(), |(a, _)| a.to_owned());
    assert_eq!(strip_ms(messages[0]), "ops created an application — allowed, 201");
    assert_eq!(strip_ms(messages[1]), "ops updated user auth0|u1 (connection, password) — allowed, 200");
    assert_eq!(
        strip_ms(messages[2]),
        "ops tried to update user auth0|weak (connection, password) — allowed, failed: 400 Bad Request (invalid_body): \
         PasswordStrengthError: [REDACTED] is too weak"
    );
    assert_eq!(
        strip_ms(messages[3]),
        "ops tried to read user auth0|missing — allowed, failed: 404 Not Found (inexistent_user): The user does not exist."
    );
    assert_eq!(strip_ms(messages[4]), "ops looked up users by email — allowed, 200");
    assert_eq!(messages[5], "ops tried to list connections — denied: connections is off for this agent");

    // The structured facts.
    let r = &records[3];
    assert_eq!(r["agent"], "ops");
    assert_eq!(r["operation"], "users.get");
    assert_eq!(r["targets"], json!([{"kind": "user", "id": "auth0|missing"}]));
    assert_eq!(r["decision"], "allowed");
    assert_eq!(r["outcome"]["status"], 404);
    assert_eq!(r["outcome"]["error_code"], "inexistent_user");
    assert!(r["outcome"]["duration_ms"].is_u64());
    assert_eq!(r["policy_version"], Policy::from_toml(POLICY).unwrap().version().as_str());
    assert_eq!(r["policy_version"].as_str().unwrap().len(), 64);
    let time = r["time"].as_str().unwrap();
    assert!(time.len() == 24 && time.ends_with('Z') && &time[10..11] == "T", "{time}");
    assert_eq!(records[5]["decision"], "denied");
    assert_eq!(records[5]["code"], "resource_off");
    assert_eq!(records[5]["outcome"]["executed"], false);
}

#[tokio::test]
async fn hostile_strings_stay_on_one_line() {
    let server = common::server().await;
    let evil_message = "The user does not exist.\n{\"forged\":true}\u{1b}[2J\u{1b}[31mPWNED\r";
    Mock::given(method("GET"))
        .and(path("/api/v2/users/auth0%7Cu1"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"statusCode": 404, "error": "Not Found",
            "message": evil_message, "errorCode": "bad\ncode\u{1b}[0m"})))
        .mount(&server)
        .await;
    common::ok_everything(&server).await;
    let client = common::client(&server);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("audit.jsonl");
    let ops = guarded_file(&client, Arc::new(JsonLinesSink::open(&file).unwrap()));

    // A field name with a newline and an ANSI escape (names are recorded, values never).
    let body = json!({"nick\nname\u{1b}[31m": "x", "name": "Mallory\n\u{1b}[2J"});
    let _ = ops.execute::<Value>(Request::new(&catalog::USERS_UPDATE).id(&uid("auth0|u1")).json_value(body)).await;
    // A role id with a newline and an escape: refused, but recorded as attempted.
    let _ = ops
        .execute::<Value>(
            Request::new(&catalog::USERS_ASSIGN_ROLES)
                .id(&uid("auth0|u1"))
                .json_value(json!({"roles": ["rol_\n\u{1b}[31mevil"]})),
        )
        .await;
    let _ = ops.users().get(&uid("auth0|u1")).await;

    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(!text.contains('\u{1b}') && !text.contains('\r'), "raw control characters in the file");
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        // What `jq -r` would print: no control characters in any string.
        fn strings(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::String(s) => out.push(s.clone()),
                Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
                Value::Object(m) => m.values().for_each(|v| strings(v, out)),
                _ => {}
            }
        }
        let mut all = Vec::new();
        strings(&v, &mut all);
        for s in all {
            assert!(!s.chars().any(char::is_control), "control character in {s:?}");
        }
    }
    assert!(text.contains(r"nick\\u{a}name\\u{1b}[31m"), "{text}");
    assert!(text.contains(r"rol_\\u{a}\\u{1b}[31mevil"), "{text}");
    assert!(text.contains(r"\\u{1b}[2J"), "{text}");
    assert!(!text.contains("Mallory"), "field values are never recorded");
}

#[tokio::test]
async fn unwritable_audit_file_denies_writes() {
    let server = common::server().await;
    common::ok_everything(&server).await;
    let client = common::client(&server);
    for sink in [JsonLinesSink::new("/nonexistent-dir/audit.jsonl"), JsonLinesSink::new("/dev/full")] {
        let ops = guarded_file(&client, Arc::new(sink));
        let e = ops.users().delete(&uid("auth0|u1")).await.unwrap_err();
        let d = e.denial().expect("denied");
        assert_eq!(d.code, "audit_unavailable");
        let e = ops
            .execute::<Value>(
                Request::new(&catalog::USERS_ASSIGN_ROLES).id(&uid("auth0|u1")).json_value(json!({"roles": ["rol_1"]})),
            )
            .await;
        assert_eq!(common::code(&e), "audit_unavailable");
        // Reads proceed (and the failure is reported through tracing::error!).
        ops.users().get(&uid("auth0|u1")).await.unwrap();
    }
    assert!(JsonLinesSink::open("/nonexistent-dir/audit.jsonl").is_err());
    let reqs = common::api_requests(&server).await;
    assert_eq!(reqs.len(), 2);
    assert!(reqs.iter().all(|r| r.method.as_str() == "GET"));
}

#[tokio::test]
async fn a_failed_record_poisons_the_sink_until_it_recovers() {
    let server = common::server().await;
    common::ok_everything(&server).await;
    let client = common::client(&server);
    let sink = Arc::new(MemorySink::new());
    let ops = guarded_file(&client, sink.clone());
    let u1 = uid("auth0|u1");
    let users = ops.users();
    let delete = || users.delete(&u1);

    ops.users().get(&uid("auth0|u1")).await.unwrap();
    sink.set_failing(true);
    ops.users().get(&uid("auth0|u1")).await.unwrap(); // read allowed; its record is lost loudly
    assert_eq!(delete().await.unwrap_err().denial().unwrap().code, "audit_unavailable");
    sink.set_failing(false);
    let _ = delete().await; // recovered: the delete is decided normally
    let reqs = common::api_requests(&server).await;
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[2].method.as_str(), "DELETE");
    assert_eq!(sink.records().len(), 2);
}

#[tokio::test]
async fn audit_file_appends_across_handles() {
    let server = common::server().await;
    common::ok_everything(&server).await;
    let client = common::client(&server);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("audit.jsonl");
    for _ in 0..2 {
        let ops = guarded_file(&client, Arc::new(JsonLinesSink::open(&file).unwrap()));
        ops.users().get(&uid("auth0|u1")).await.unwrap();
    }
    // Rotated away: the preflight reopens the path.
    let sink = Arc::new(JsonLinesSink::open(&file).unwrap());
    let ops = guarded_file(&client, sink.clone());
    std::fs::rename(&file, dir.path().join("audit.jsonl.1")).unwrap();
    ops.users().update(&uid("auth0|u1"), &Default::default()).await.unwrap();
    assert_eq!(std::fs::read_to_string(dir.path().join("audit.jsonl.1")).unwrap().lines().count(), 2);
    assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 1);
}
