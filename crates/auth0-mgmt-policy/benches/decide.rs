//! Decision + in-memory audit record cost (target: < 5 µs per call).
//!
//! Run with `cargo bench -p auth0-mgmt-policy --bench decide`.

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use auth0_mgmt::{Request, RoleId, UserId, catalog};
use auth0_mgmt_policy::{AuditRecord, AuditSink, MemorySink, Policy};
use criterion::{Criterion, criterion_group, criterion_main};

const POLICY: &str = r#"
schema_version = 1
[guardrails]
protected_roles = ["rol_admin"]
protected_users = ["auth0|breakglass"]
[agents.provisioner]
resources = { users = "full", roles = "full" }
actions = ["assign_roles"]
[agents.provisioner.allow]
roles = ["rol_a", "rol_b", "rol_c"]
"#;

fn bench(c: &mut Criterion) {
    let policy = Policy::from_toml(POLICY).unwrap();
    let user: UserId = "auth0|123".parse().unwrap();
    let get = Request::new(&catalog::USERS_GET).id(&user);
    let roles: Vec<RoleId> = ["rol_a", "rol_b"].iter().map(|r| r.parse().unwrap()).collect();
    let assign =
        Request::new(&catalog::USERS_ASSIGN_ROLES).id(&user).json(&serde_json::json!({ "roles": roles })).unwrap();
    c.bench_function("decide users.get", |b| b.iter(|| black_box(policy.decide("provisioner", black_box(&get)))));
    c.bench_function("decide users.assign_roles", |b| {
        b.iter(|| black_box(policy.decide("provisioner", black_box(&assign))))
    });
    let sink = MemorySink::new();
    c.bench_function("decide + audit record users.assign_roles", |b| {
        b.iter(|| {
            let d = policy.decide("provisioner", black_box(&assign));
            let denial = d.denial().unwrap_or_else(|| auth0_mgmt::Denial::dry_run("users.assign_roles"));
            let outcome = auth0_mgmt::Outcome::Denied(&denial);
            let rec = AuditRecord::new(&policy, "provisioner", &assign, &outcome, SystemTime::now());
            sink.write(&rec).unwrap();
            if sink.records().len() > 10_000 {
                sink.take();
            }
        })
    });
    let _ = Duration::ZERO;
}

criterion_group!(benches, bench);
criterion_main!(benches);
