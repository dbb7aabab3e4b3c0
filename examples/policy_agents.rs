//! Two AI agents under one policy, against an in-process fake Auth0 tenant, and the
//! audit trail they leave in plain English.
//!
//! ```text
//! cargo run --example policy_agents
//! ```
//!
//! It starts the fake tenant, loads `examples/policy.toml` (filling in the ids the fake
//! tenant generated), gives each agent a guarded handle — the only thing an agent would
//! ever hold — runs a short scripted session for each, and prints every audit record as
//! a sentence, then one record as JSON. Allowed calls reach the tenant; denied calls
//! (and dry-run writes) never do. Every call leaves one outcome record; a write that
//! passed every check also leaves its write-ahead record ("is about to …"), written
//! before the request left.

use std::error::Error;
use std::sync::Arc;

use auth0_mgmt::{Client, Request, UserId, catalog};
use auth0_mgmt_fake::{FakeTenant, Seed};
use auth0_mgmt_policy::{AuditSink, GuardedClient, JsonLinesSink, MemorySink, Policy, Tee};
use serde_json::{Value, json};

type Res<T> = Result<T, Box<dyn Error + Send + Sync>>;

/// Runs one scripted step and prints how it went (the audit trail follows at the end).
async fn step(agent: &GuardedClient, what: &str, request: Request) {
    match agent.execute::<Value>(request).await {
        Ok(_) => println!("  [{}] {what}: ok", agent.agent()),
        Err(e) if e.is_denied() => println!("  [{}] {what}: refused ({e})", agent.agent()),
        Err(e) => println!("  [{}] {what}: failed ({e})", agent.agent()),
    }
}

#[tokio::main]
async fn main() -> Res<()> {
    let tenant = FakeTenant::builder().seed(Seed::default()).start().await?;
    let admin = Client::builder()
        .base_url(tenant.base_url())
        .client_credentials(tenant.client_id(), tenant.client_secret())
        .build()?;

    // Setup by a human operator (not an agent): find the ids the policy refers to.
    let roles: Value = admin.execute(Request::new(&catalog::ROLES_LIST)).await?;
    let role_id = |name: &str| -> String {
        roles
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["name"] == name)
            .map(|r| r["id"].as_str().unwrap_or_default().to_owned())
            .unwrap_or_default()
    };
    let orgs: Value = admin.execute(Request::new(&catalog::ORGANIZATIONS_LIST)).await?;
    let org = orgs[0]["id"].as_str().unwrap_or_default().to_owned();
    let users: Value = admin.execute(Request::new(&catalog::USERS_LIST).query("per_page", 2)).await?;
    let customer = UserId::new(users[0]["user_id"].as_str().unwrap_or_default())?;

    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/policy.toml"))?
        .replace("$GATEWAY_CLIENT", tenant.client_id())
        .replace("$ROLE_admin", &role_id("admin"))
        .replace("$ROLE_support", &role_id("support"))
        .replace("$ROLE_viewer", &role_id("viewer"))
        .replace("$ORG_1", &org);
    let policy = Arc::new(Policy::from_toml(&text)?);
    println!("policy {} loaded: agents {:?}", policy.version().short(), policy.agent_names());

    // Every record goes to a JSON-lines file (durable) and to memory (for printing).
    let dir = std::env::temp_dir().join(format!("policy-agents-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("audit.jsonl");
    let memory = Arc::new(MemorySink::new());
    let sink: Arc<dyn AuditSink> = Arc::new(Tee::new(vec![Arc::new(JsonLinesSink::open(&file)?), memory.clone()]));

    let support = GuardedClient::new(&admin, policy.clone(), "support-bot", sink.clone());
    let provisioner = GuardedClient::new(&admin, policy.clone(), "provisioner", sink.clone());
    let rehearsal = GuardedClient::new(&admin, policy.clone(), "provisioner-rehearsal", sink.clone());
    drop(admin); // from here on, only guarded handles exist

    println!("\nsupport-bot's session:");
    let user = support.users().get(&customer).await?; // the typed handlers work as usual
    println!("  [support-bot] read {} <{}>", user.user_id, user.email.as_deref().unwrap_or("-"));
    step(
        &support,
        "tag the customer",
        Request::new(&catalog::USERS_UPDATE).id(&customer).json_value(json!({"app_metadata": {"ticket": "T-1042"}})),
    )
    .await;
    step(&support, "list the customer's roles", Request::new(&catalog::USERS_LIST_ROLES).id(&customer)).await;
    step(
        &support,
        "reset the customer's password",
        Request::new(&catalog::USERS_UPDATE).id(&customer).json_value(json!({"password": "Temp-Passw0rd!"})),
    )
    .await;
    match support.users().delete(&customer).await {
        Ok(()) => println!("  [support-bot] delete the customer: ok"),
        Err(e) => println!("  [support-bot] delete the customer: refused ({e})"),
    }
    step(
        &support,
        "give the customer the viewer role",
        Request::new(&catalog::USERS_ASSIGN_ROLES).id(&customer).json_value(json!({"roles": [role_id("viewer")]})),
    )
    .await;
    step(
        &support,
        "look at the gateway application",
        Request::new(&catalog::CLIENTS_GET).id(&auth0_mgmt::ClientId::new(tenant.client_id())?),
    )
    .await;

    println!("\nprovisioner's session:");
    let created: Value = provisioner
        .execute(Request::new(&catalog::USERS_CREATE).json_value(json!({
            "connection": "Username-Password-Authentication", "email": "new.hire@example.com", "password": "Initial-Passw0rd!",
        })))
        .await?;
    let hire = UserId::new(created["user_id"].as_str().unwrap_or_default())?;
    println!("  [provisioner] created {hire}");
    step(
        &provisioner,
        "assign support and viewer",
        Request::new(&catalog::USERS_ASSIGN_ROLES)
            .id(&hire)
            .json_value(json!({"roles": [role_id("support"), role_id("viewer")]})),
    )
    .await;
    step(
        &provisioner,
        "assign admin",
        Request::new(&catalog::USERS_ASSIGN_ROLES).id(&hire).json_value(json!({"roles": [role_id("admin")]})),
    )
    .await;
    step(
        &provisioner,
        "assign billing and viewer",
        Request::new(&catalog::USERS_ASSIGN_ROLES)
            .id(&hire)
            .json_value(json!({"roles": [role_id("billing"), role_id("viewer")]})),
    )
    .await;
    step(
        &provisioner,
        "add to the organization",
        Request::new(&catalog::ORGANIZATIONS_ADD_MEMBERS)
            .id(&auth0_mgmt::OrganizationId::new(&org)?)
            .json_value(json!({"members": [hire.as_str()]})),
    )
    .await;
    step(
        &provisioner,
        "create a user in google-oauth2",
        Request::new(&catalog::USERS_CREATE)
            .json_value(json!({"connection": "google-oauth2", "email": "x@example.com"})),
    )
    .await;

    println!("\nprovisioner-rehearsal's session:");
    step(
        &rehearsal,
        "assign viewer",
        Request::new(&catalog::USERS_ASSIGN_ROLES).id(&hire).json_value(json!({"roles": [role_id("viewer")]})),
    )
    .await;

    println!("\nThe audit trail:");
    for sentence in memory.sentences() {
        println!("  {sentence}");
    }
    let json_line = std::fs::read_to_string(&file)?.lines().nth(2).unwrap_or_default().to_owned();
    println!("\nThe same facts as JSON ({}), e.g. record 3:\n  {json_line}", file.display());
    println!("\n{} requests reached the tenant.", tenant.counters().requests);
    tenant.shutdown().await;
    Ok(())
}
