//! P1: what the guard adds to one call — one policy decision plus one audit record
//! written to the in-memory sink (target: < 5 µs per call).
//!
//! Run with `cargo bench -p auth0-mgmt-policy --bench decide -- --warm-up-time 1 --measurement-time 3`.
//!
//! "decide + audit record" does per iteration exactly what [`auth0_mgmt_policy::Guard`]
//! does around an allowed call: `Policy::decide`, `AuditSink::ready` (fail-closed check),
//! then `AuditRecord::new` for the completed call and `AuditSink::write` to a
//! `MemorySink`. The sink is emptied every 10,000 records, outside the decision path,
//! so its vector stays small (its `take` is amortised over the 10,000 iterations).

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use auth0_mgmt::{Outcome, RateLimit, Request, RoleId, UserId, catalog};
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

/// One guarded call's policy work: decide, check the sink, write the record.
fn decide_and_audit(policy: &Policy, sink: &MemorySink, request: &Request, rate_limit: &RateLimit) {
    let d = policy.decide("provisioner", request);
    let record = match d.denial() {
        None => {
            sink.ready().unwrap();
            let outcome = Outcome::Completed {
                status: reqwest::StatusCode::OK,
                rate_limit,
                attempts: 1,
                elapsed: Duration::from_millis(3),
            };
            AuditRecord::new(policy, "provisioner", request, &outcome, SystemTime::now())
        }
        Some(denial) => AuditRecord::new(policy, "provisioner", request, &Outcome::Denied(&denial), SystemTime::now()),
    };
    sink.write(black_box(&record)).unwrap();
}

fn bench(c: &mut Criterion) {
    let policy = Policy::from_toml(POLICY).unwrap();
    let user: UserId = "auth0|123".parse().unwrap();
    let get = Request::new(&catalog::USERS_GET).id(&user);
    let roles: Vec<RoleId> = ["rol_a", "rol_b"].iter().map(|r| r.parse().unwrap()).collect();
    let assign =
        Request::new(&catalog::USERS_ASSIGN_ROLES).id(&user).json(&serde_json::json!({ "roles": roles })).unwrap();
    let admin: Vec<RoleId> = vec!["rol_admin".parse().unwrap()];
    let denied =
        Request::new(&catalog::USERS_ASSIGN_ROLES).id(&user).json(&serde_json::json!({ "roles": admin })).unwrap();
    assert!(policy.decide("provisioner", &get).denial().is_none());
    assert!(policy.decide("provisioner", &assign).denial().is_none());
    assert!(policy.decide("provisioner", &denied).denial().is_some());
    let rate_limit = RateLimit::default();

    c.bench_function("decide users.get", |b| b.iter(|| black_box(policy.decide("provisioner", black_box(&get)))));
    c.bench_function("decide users.assign_roles", |b| {
        b.iter(|| black_box(policy.decide("provisioner", black_box(&assign))))
    });
    for (name, request) in [
        ("decide + audit record (memory sink), users.get allowed", &get),
        ("decide + audit record (memory sink), users.assign_roles allowed", &assign),
        ("decide + audit record (memory sink), users.assign_roles denied (protected role)", &denied),
    ] {
        let sink = MemorySink::new();
        let mut n = 0u32;
        c.bench_function(name, |b| {
            b.iter(|| {
                decide_and_audit(&policy, &sink, black_box(request), &rate_limit);
                n += 1;
                if n == 10_000 {
                    n = 0;
                    drop(sink.take());
                }
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
