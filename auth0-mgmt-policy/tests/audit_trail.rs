//! The audit trail: one outcome record per call and a write-ahead record before every
//! write, secrets never recorded, one line per record whatever the input, and
//! fail-closed writes when records cannot be written.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use auth0_mgmt::{Request, UserId, catalog};
use auth0_mgmt_policy::{
    AuditError, AuditRecord, AuditSink, GuardedClient, JsonLinesSink, MemorySink, Policy, RecordPhase, Tee, TracingSink,
};
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
    for secret in [PASSWORD, CLIENT_SECRET, "someone@example.com", &common::jwt(&token_scopes)] {
        assert!(!text.contains(secret), "{secret} leaked into the audit file:\n{text}");
    }
    let all: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // One outcome record per call; each write that was sent has its write-ahead record
    // first, with the same call id.
    let records: Vec<Value> = all.iter().filter(|r| r["phase"] == "outcome").cloned().collect();
    assert_eq!(records.len(), 6, "one outcome record per call:\n{text}");
    let intents: Vec<&Value> = all.iter().filter(|r| r["phase"] == "intent").collect();
    assert_eq!(intents.len(), 3, "clients.create and two users.update were sent:\n{text}");
    for intent in intents {
        let at = all.iter().position(|r| r == intent).unwrap();
        let outcome = all.iter().position(|r| r["phase"] == "outcome" && r["call_id"] == intent["call_id"]).unwrap();
        assert!(at < outcome, "the intent record comes first");
        assert_eq!(intent["outcome"]["executed"], false);
        assert!(intent["message"].as_str().unwrap().starts_with("ops is about to "), "{intent}");
    }
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
    ops.users().get(&uid("auth0|u1")).await.unwrap(); // read allowed; its record is kept, loudly
    assert_eq!(ops.guard().audit_backlog(), 1);
    assert_eq!(delete().await.unwrap_err().denial().unwrap().code, "audit_unavailable");
    assert_eq!(ops.guard().audit_backlog(), 2, "the denial's record is kept too");
    sink.set_failing(false);
    delete().await.unwrap(); // recovered: the kept records are written first, then the delete's
    assert_eq!(ops.guard().audit_backlog(), 0);
    let reqs = common::api_requests(&server).await;
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[2].method.as_str(), "DELETE");
    let codes: Vec<(RecordPhase, String)> =
        sink.records().into_iter().map(|r| (r.phase, r.code.into_owned())).collect();
    use RecordPhase::{Intent, Outcome};
    assert_eq!(
        codes,
        [
            (Outcome, "allowed".into()),
            (Outcome, "allowed".into()),
            (Outcome, "audit_unavailable".into()),
            (Intent, "allowed".into()),
            (Outcome, "allowed".into())
        ],
        "nothing lost, in order"
    );
}

/// A sink that fails outcome records while `fail_outcomes` is set (its write-ahead
/// records succeed): the case a `ready()` check could not see.
#[derive(Debug, Default)]
struct FlakyOutcomes {
    fail_outcomes: AtomicBool,
    lines: Mutex<Vec<String>>,
}

impl AuditSink for FlakyOutcomes {
    fn write(&self, record: &AuditRecord) -> Result<(), AuditError> {
        if record.phase == RecordPhase::Outcome && self.fail_outcomes.load(Ordering::SeqCst) {
            return Err(AuditError::new("flaky", "outcome write failed"));
        }
        self.lines.lock().unwrap().push(record.message.clone());
        Ok(())
    }
}

#[tokio::test]
async fn an_outcome_write_failure_denies_the_next_write_until_it_is_written() {
    let server = common::server().await;
    common::ok_everything(&server).await;
    let client = common::client(&server);
    let sink = Arc::new(FlakyOutcomes::default());
    let ops = guarded_file(&client, sink.clone());
    let u1 = uid("auth0|u1");

    sink.fail_outcomes.store(true, Ordering::SeqCst);
    ops.users().delete(&u1).await.unwrap(); // sent: its write-ahead record was written
    assert_eq!(common::api_requests(&server).await.len(), 1);
    // Its outcome record was not: the next write is refused, although the sink would
    // take its write-ahead record, and nothing reaches the server.
    let e = ops.users().delete(&u1).await.unwrap_err();
    let d = e.denial().unwrap();
    assert_eq!(d.code, "audit_unavailable");
    assert!(d.reason.contains("could not be written"), "{}", d.reason);
    assert_eq!(common::api_requests(&server).await.len(), 1);
    // Reads go on.
    ops.users().get(&u1).await.unwrap();
    // Once the kept records can be written, writes resume.
    sink.fail_outcomes.store(false, Ordering::SeqCst);
    ops.users().delete(&u1).await.unwrap();
    assert_eq!(common::api_requests(&server).await.len(), 3);
    let lines = sink.lines.lock().unwrap().clone();
    assert_eq!(lines.iter().filter(|l| l.contains("deleted user")).count(), 2, "{lines:#?}");
    assert_eq!(lines.iter().filter(|l| l.contains("denied")).count(), 1, "{lines:#?}");
}

/// The write-ahead record is on disk before the request reaches the server: the mock
/// reads the audit file while answering.
#[tokio::test]
async fn the_write_ahead_record_is_flushed_before_the_request_leaves() {
    let server = common::server().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("audit.jsonl");
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let (f, s) = (file.clone(), seen.clone());
    Mock::given(method("DELETE"))
        .and(path("/api/v2/users/auth0%7Cu1"))
        .respond_with(move |_: &wiremock::Request| {
            s.lock().unwrap().push(std::fs::read_to_string(&f).unwrap_or_default());
            ResponseTemplate::new(204)
        })
        .mount(&server)
        .await;
    let client = common::client(&server);
    let ops = guarded_file(&client, Arc::new(JsonLinesSink::open(&file).unwrap()));
    ops.users().delete(&uid("auth0|u1")).await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let at_send: Vec<Value> = seen[0].lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(at_send.len(), 1, "exactly the write-ahead record when the server saw the request");
    assert_eq!(at_send[0]["phase"], "intent");
    assert_eq!(at_send[0]["operation"], "users.delete");
    assert_eq!(at_send[0]["targets"], json!([{"kind": "user", "id": "auth0|u1"}]));
    let after: Vec<Value> =
        std::fs::read_to_string(&file).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(after.len(), 2);
    assert_eq!(after[1]["phase"], "outcome");
    assert_eq!(after[1]["call_id"], at_send[0]["call_id"]);
}

/// A sink that refuses every record: no write reaches the server, reads do.
#[tokio::test]
async fn a_refusing_sink_lets_no_write_through() {
    #[derive(Debug)]
    struct Refuses;
    impl AuditSink for Refuses {
        fn write(&self, _: &AuditRecord) -> Result<(), AuditError> {
            Err(AuditError::new("refuses", "no"))
        }
    }
    let server = common::server().await;
    common::ok_everything(&server).await;
    let client = common::client(&server);
    let ops = guarded_file(&client, Arc::new(Refuses));
    let writes = [
        Request::new(&catalog::USERS_DELETE).id(&uid("auth0|u1")),
        Request::new(&catalog::USERS_UPDATE).id(&uid("auth0|u1")).json_value(json!({"password": "x-x-x-x-x"})),
        Request::new(&catalog::CLIENTS_CREATE).json_value(json!({"name": "app"})),
        Request::new(&catalog::USERS_ASSIGN_ROLES).id(&uid("auth0|u1")).json_value(json!({"roles": ["rol_1"]})),
    ];
    for w in writes {
        let e = ops.execute::<Value>(w).await;
        assert_eq!(common::code(&e), "audit_unavailable");
    }
    assert!(common::api_requests(&server).await.is_empty(), "zero requests reached the server");
    ops.users().get(&uid("auth0|u1")).await.unwrap();
    assert_eq!(common::api_requests(&server).await.len(), 1);
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
    assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 2, "intent and outcome of the update");
}
