//! A fake Auth0 tenant in its own process, for driving the gateway from other languages
//! (the Python MCP SDK tests in `tests/python/`).
//!
//! It starts `auth0-mgmt-fake` on a loopback port, prints one JSON line —
//! `{"base_url": …, "client_id": …, "client_secret": …, "user_id": …}` — and then answers
//! each line on stdin:
//!
//! * `requests` → `{"api_requests": N, "requests": [["GET", "/api/v2/users/…"], …]}`: what
//!   the tenant received under `/api/v2` (token calls are not counted). This is the side
//!   channel a test uses to assert that a denied call sent nothing.
//! * `user ID` → the user as JSON, or `null`.
//!
//! It exits when stdin closes.
//!
//! ```text
//! cargo run -p auth0-mgmt-mcp --example fake_tenant
//! ```

use auth0_mgmt_fake::{FakeTenant, Seed};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let tenant = FakeTenant::builder().seed(Seed::empty().users(30).roles(3)).start().await?;
    let user = tenant.insert_user(json!({"user_id": "auth0|alice", "email": "alice@example.com", "name": "Alice"}));
    tenant.insert_role(json!({"id": "rol_Support", "name": "Support"}));
    let mut out = tokio::io::stdout();
    let hello = json!({
        "base_url": tenant.base_url(),
        "client_id": tenant.client_id(),
        "client_secret": tenant.client_secret(),
        "user_id": user,
    });
    out.write_all(format!("{hello}\n").as_bytes()).await?;
    out.flush().await?;
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await? {
        let line = line.trim();
        let answer = match line.split_once(' ').unwrap_or((line, "")) {
            ("requests", _) => {
                let api: Vec<Value> = tenant
                    .requests()
                    .into_iter()
                    .filter(|r| r.path.starts_with("/api/v2"))
                    .map(|r| json!([r.method, r.path]))
                    .collect();
                json!({"api_requests": api.len(), "requests": api})
            }
            ("user", id) => tenant.user(id.trim()).unwrap_or(Value::Null),
            _ => json!({"error": format!("unknown command {line:?}")}),
        };
        out.write_all(format!("{answer}\n").as_bytes()).await?;
        out.flush().await?;
    }
    tenant.shutdown().await;
    Ok(())
}
