//! Secret leak sweep: run the fault soak and the quickstart with a recognisable client
//! secret and known access tokens, capture every byte they write (tracing at TRACE with
//! span fields, in text and JSON; every error's Display and Debug; the printed summary;
//! the quickstart's stdout and stderr), and search it for the secret, the tokens, and
//! anything shaped like a JWT: zero hits.
//!
//! The policy layer's JSON-lines audit file is swept too: a guarded run that creates
//! an application and sets passwords writes neither the secret, the token, the
//! passwords nor the new application's secret into it.

mod soak_workload;

use std::io::Write;
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

use auth0_mgmt::Client;
use soak_workload::SoakConfig;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt;

const SECRET: &str = "SWEEP-s3cr3t-5c1e4a9d0b7f-do-not-print";
const CLIENT_ID: &str = "sweep-client-id";

/// Every byte the tracing subscriber wrote.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs one global TRACE subscriber (text with span events, and JSON) writing to a buffer.
fn captured_tracing() -> Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED
        .get_or_init(|| {
            let buf = Captured::default();
            let (a, b) = (buf.clone(), buf.clone());
            let subscriber = tracing_subscriber::registry()
                .with(tracing_subscriber::filter::LevelFilter::TRACE)
                .with(
                    tracing_subscriber::fmt::layer()
                        .with_span_events(FmtSpan::FULL)
                        .with_ansi(false)
                        .with_writer(move || a.clone()),
                )
                .with(tracing_subscriber::fmt::layer().json().with_writer(move || b.clone()));
            tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");
            buf
        })
        .clone()
}

/// Looks for `needles` and for JWT-shaped strings (`eyJ….eyJ`) in `haystack`.
fn leaks(haystack: &str, needles: &[&str]) -> Vec<String> {
    let mut found: Vec<String> = needles.iter().filter(|n| haystack.contains(*n)).map(|n| format!("{n:?}")).collect();
    // A JWT: base64url("{\"…") . base64url("{\"…") — header and payload both start with eyJ.
    let bytes = haystack.as_bytes();
    let is_b64 = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'_';
    let mut i = 0;
    while let Some(pos) = haystack[i..].find("eyJ") {
        let start = i + pos;
        let mut end = start;
        while end < bytes.len() && is_b64(bytes[end]) {
            end += 1;
        }
        if end - start >= 10 && haystack[end..].starts_with(".eyJ") {
            found.push(format!("a JWT at byte {start}: {}…", &haystack[start..start + 12]));
        }
        i = start + 3;
    }
    found
}

/// Mints a token from the tenant by hand, so the sweep knows a token the client uses.
async fn mint(base: &str) -> String {
    let body = serde_json::json!({"grant_type": "client_credentials", "client_id": CLIENT_ID,
        "client_secret": SECRET, "audience": format!("{base}/api/v2/")});
    let resp = reqwest::Client::new()
        .post(format!("{base}/oauth/token"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_soak_never_writes_the_secret_or_a_token() {
    let captured = captured_tracing();
    let mut out = String::new();

    // 1. The soak with client credentials: the recognisable secret goes through the
    //    client's own token minting.
    let cfg =
        SoakConfig { calls: 2_000, client_id: CLIENT_ID.into(), client_secret: SECRET.into(), ..SoakConfig::default() };
    let tenant = soak_workload::tenant(&cfg).await;
    let client = soak_workload::client(&tenant, &cfg);
    out.push_str(&format!("{client:?}\n"));
    let report = soak_workload::run(tenant, client, &cfg).await;
    out.push_str(&soak_workload::check(&report, &cfg));

    // 2. The soak with a token the sweep knows (a static token source).
    let tenant = soak_workload::tenant(&cfg).await;
    let token = mint(tenant.base_url()).await;
    let signature = token.rsplit('.').next().unwrap().to_owned();
    assert!(signature.len() >= 40, "a recognisable signature: {signature}");
    let client = Client::builder()
        .base_url(tenant.base_url())
        .token(token.clone())
        .retry(
            auth0_mgmt::RetryConfig::default()
                .backoff(std::time::Duration::from_millis(5), std::time::Duration::from_millis(200)),
        )
        .build()
        .unwrap();
    out.push_str(&format!("{client:?}\n"));
    let cfg2 = SoakConfig { calls: 1_000, ..cfg.clone() };
    let report2 = soak_workload::run(tenant, client, &cfg2).await;
    out.push_str(&soak_workload::check(&report2, &cfg2));

    // Everything a caller could print about the outcomes.
    for o in report.outcomes.iter().chain(&report2.outcomes) {
        match &o.result {
            Ok(v) => out.push_str(&format!("{v}\n")),
            Err(e) => out.push_str(&format!("{e}\n{e:?}\n{:?}\n", std::error::Error::source(e))),
        }
    }
    let traces = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    assert!(traces.len() > 100_000, "tracing captured the run ({} bytes)", traces.len());
    assert!(traces.contains("auth0_mgmt.request"), "request spans were captured");
    let haystack = format!("{out}\n{traces}");
    let found = leaks(&haystack, &[SECRET, &token, &signature]);
    assert!(found.is_empty(), "leaked into {} bytes of output: {found:?}", haystack.len());
    println!("swept {} bytes of output and traces: no secret, no token", haystack.len());
}

/// The quickstart example, built by `cargo test` next to this test binary.
fn quickstart_binary() -> Option<std::path::PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?.parent()?.join("examples");
    let bin = dir.join(format!("quickstart{}", std::env::consts::EXE_SUFFIX));
    bin.exists().then_some(bin)
}

#[test]
fn the_quickstart_never_prints_the_secret_or_a_token() {
    let Some(bin) = quickstart_binary() else {
        // `cargo test` builds examples; a filtered run may not have.
        eprintln!("the quickstart binary is not built; run `cargo test` without filters");
        return;
    };
    let output = Command::new(bin)
        .env_remove("AUTH0_DOMAIN")
        .env_remove("AUTH0_CLIENT_ID")
        .env_remove("AUTH0_CLIENT_SECRET")
        .env("RUST_LOG", "trace")
        .output()
        .expect("the quickstart runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the quickstart failed:\n{stdout}\n{stderr}");
    assert!(stdout.len() > 200, "the quickstart printed its tour: {stdout}");
    let haystack = format!("{stdout}\n{stderr}");
    let found = leaks(&haystack, &[auth0_mgmt_fake::DEFAULT_CLIENT_SECRET]);
    assert!(found.is_empty(), "the quickstart leaked: {found:?}");
}

const PASSWORD: &str = "SWEEP-Pa55w0rd-7e2b91c4-do-not-audit";
const NEW_PASSWORD: &str = "SWEEP-n3w-Pa55w0rd-0d4f8a2e-do-not-audit";

/// What the guarded run needs: users and applications at full, creating applications,
/// changing credentials and reading secrets (so the agent sees the new secret).
const SWEEP_POLICY: &str = r#"
schema_version = 1
[agents.sweeper]
resources = { users = "full", clients = "full" }
actions = ["create_clients", "update_user_credentials", "read_client_secrets"]
[agents.sweeper.allow]
connections = ["Username-Password-Authentication"]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_file_never_holds_the_secret_a_token_or_a_password() {
    use auth0_mgmt::UserId;
    use auth0_mgmt::clients::CreateApplication;
    use auth0_mgmt::users::{CreateUser, UpdateUser};
    use auth0_mgmt_policy::{GuardedClient, JsonLinesSink, Policy};

    let tenant = auth0_mgmt_fake::FakeTenant::builder()
        .client_credentials(CLIENT_ID, SECRET)
        .seed(auth0_mgmt_fake::Seed::empty().users(5))
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let policy = Arc::new(Policy::from_toml(SWEEP_POLICY).unwrap());
    let sink = Arc::new(JsonLinesSink::open(&path).unwrap());
    let ids: Vec<UserId> = tenant.user_ids().into_iter().map(|s| s.parse().unwrap()).collect();

    // 1. A client minting with the recognisable secret, and 2. one with a token the
    //    sweep minted and knows; both guarded, both auditing to the same file.
    let token = mint(tenant.base_url()).await;
    let signature = token.rsplit('.').next().unwrap().to_owned();
    let with_secret =
        Client::builder().base_url(tenant.base_url()).client_credentials(CLIENT_ID, SECRET).build().unwrap();
    let with_token = Client::builder().base_url(tenant.base_url()).token(token.clone()).build().unwrap();
    let mut app_secrets = Vec::new();
    let mut calls = 0;
    for (n, client) in [with_secret, with_token].iter().enumerate() {
        let agent = GuardedClient::new(client, policy.clone(), "sweeper", sink.clone());
        // An application: its generated secret comes back to the agent.
        let app = agent.clients().create(&CreateApplication::new(format!("sweep-app-{n}"))).await.unwrap();
        let app_secret = app.client_secret.as_ref().expect("the agent may read secrets").expose().to_owned();
        assert!(app_secret.len() >= 16, "a recognisable application secret");
        app_secrets.push(app_secret);
        // A user created with a password, then a password change on it and on a seeded user.
        let user = agent
            .users()
            .create(
                &CreateUser::new("Username-Password-Authentication")
                    .email(format!("sweep-{n}@example.com"))
                    .password(PASSWORD),
            )
            .await
            .unwrap();
        for id in [&user.user_id, &ids[n]] {
            let changes = UpdateUser::new().password(NEW_PASSWORD);
            agent.users().update(id, &changes).await.unwrap();
        }
        // A denied call is audited too (deleting users is not granted).
        assert!(agent.users().delete(&ids[n]).await.unwrap_err().is_denied());
        calls += 5;
    }
    drop(sink);

    let audit = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<serde_json::Value> = audit.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // One outcome record per call; the writes that were sent also have their
    // write-ahead record (8 of the 10 calls: everything but the denied deletes).
    let outcomes = lines.iter().filter(|l| l["phase"] == "outcome").count();
    assert_eq!(outcomes, calls, "one outcome record per call:\n{audit}");
    assert_eq!(lines.len() - outcomes, calls - 2, "a write-ahead record per write sent:\n{audit}");
    assert!(lines.iter().any(|l| l["operation"] == "clients.create"));
    assert!(
        lines
            .iter()
            .filter(|l| l["operation"] == "users.update")
            .all(|l| l["fields"] == serde_json::json!(["password"])),
        "password changes are recorded by field name:\n{audit}"
    );
    let mut needles = vec![SECRET, &token, &signature, PASSWORD, NEW_PASSWORD];
    needles.extend(app_secrets.iter().map(String::as_str));
    let found = leaks(&audit, &needles);
    assert!(found.is_empty(), "leaked into the audit file ({} bytes): {found:?}", audit.len());
    println!("swept {} bytes of audit file ({} records): no secret, token or password", audit.len(), lines.len());
}

#[test]
fn the_detector_finds_what_it_looks_for() {
    assert_eq!(leaks("x SWEEP-1 y", &["SWEEP-1"]).len(), 1);
    assert_eq!(leaks("Authorization: Bearer eyJhbGciOiJub25l.eyJzY29wZSI6.c2ln", &[]).len(), 1);
    assert!(leaks("eyJ alone, eyJhbGciOiJub25l without a payload", &[]).is_empty());
}
