//! P1: what the guard adds to one call — the decision plus its audit records written
//! to the in-memory sink (target: < 5 µs per call).
//!
//! Run with `cargo bench -p auth0-mgmt-policy --bench decide -- --warm-up-time 1 --measurement-time 3`.
//!
//! "decide + audit record" drives the real [`Guard`] through the client's interceptor
//! contract, exactly as [`Client::execute`](auth0_mgmt::Client::execute) does around a
//! call: `begin` (the one decision), `check_scopes` (the live token's scopes),
//! `before_send` (for a write: the write-ahead record) and `finish` (the outcome
//! record) — or, for a denied call, `begin` alone (which records the denial). The time
//! includes making every record, writing it to a `MemorySink` (which clones it into its
//! vector) and dropping the guard's own copies; the sink is emptied every 1,000 calls
//! outside the timed region, because freeing the test sink's kept clones in bulk is the
//! test sink's cost, not the guard's (a file sink keeps nothing).
//!
//! `begin` and `before_send` are asynchronous (they may consult an approval or budget
//! store); with the in-process stores used here they complete on their first poll, so
//! they are polled once with a no-op waker — the time includes boxing both futures.
//! A second set of figures runs the same calls for an agent with `limits` (the
//! in-memory budget store charged on every call).

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use auth0_mgmt::{Interceptor, Outcome, RateLimit, Request, RoleId, Scopes, UserId, catalog};
use auth0_mgmt_policy::{Guard, InMemoryBudgets, MemorySink, Policy};
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
[agents.limited]
resources = { users = "full", roles = "full" }
actions = ["assign_roles"]
limits = { calls_per_minute = 100000, calls_per_hour = 100000, writes_per_minute = 100000, writes_per_hour = 100000 }
[agents.limited.allow]
roles = ["rol_a", "rol_b", "rol_c"]
"#;

/// Polls a future that must be ready at once (the in-process stores never wait).
fn now<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("the guard waited on an in-process store"),
    }
}

/// One guarded call's policy work, through the guard's interceptor hooks.
fn guarded_call(guard: &Guard, scopes: &Scopes, request: &Request, rate_limit: &RateLimit) {
    match now(guard.begin(request)) {
        Ok(mut hook) => {
            hook.check_scopes(request, scopes).unwrap();
            now(hook.before_send(request)).unwrap();
            let outcome = Outcome::Completed {
                status: reqwest::StatusCode::OK,
                rate_limit,
                attempts: 1,
                elapsed: Duration::from_millis(3),
            };
            hook.finish(request, black_box(&outcome));
        }
        Err(denial) => {
            black_box(denial);
        }
    }
}

fn bench(c: &mut Criterion) {
    let policy = Arc::new(Policy::from_toml(POLICY).unwrap());
    let user: UserId = "auth0|123".parse().unwrap();
    let get = Request::new(&catalog::USERS_GET).id(&user);
    let roles: Vec<RoleId> = ["rol_a", "rol_b"].iter().map(|r| r.parse().unwrap()).collect();
    let assign =
        Request::new(&catalog::USERS_ASSIGN_ROLES).id(&user).json(&serde_json::json!({ "roles": roles })).unwrap();
    let admin: Vec<RoleId> = vec!["rol_admin".parse().unwrap()];
    let denied =
        Request::new(&catalog::USERS_ASSIGN_ROLES).id(&user).json(&serde_json::json!({ "roles": admin })).unwrap();
    assert!(policy.decide("provisioner", &get).is_allowed());
    assert!(policy.decide("provisioner", &assign).is_allowed());
    assert!(policy.decide("provisioner", &denied).denial().is_some());
    let scopes = Scopes::from_space_separated("read:users update:users create:role_members");
    let rate_limit = RateLimit::default();

    c.bench_function("decide users.get", |b| b.iter(|| black_box(policy.decide("provisioner", black_box(&get)))));
    c.bench_function("decide users.assign_roles", |b| {
        b.iter(|| black_box(policy.decide("provisioner", black_box(&assign))))
    });
    for (agent, name, request, records) in [
        ("provisioner", "decide + audit record (memory sink), users.get allowed", &get, 1),
        (
            "provisioner",
            "decide + audit records (memory sink), users.assign_roles allowed: write-ahead + outcome",
            &assign,
            2,
        ),
        ("provisioner", "decide + audit record (memory sink), users.assign_roles denied (protected role)", &denied, 1),
        ("limited", "with limits (in-memory budget): users.get allowed", &get, 1),
        ("limited", "with limits (in-memory budget): users.assign_roles allowed: write-ahead + outcome", &assign, 2),
    ] {
        let sink = Arc::new(MemorySink::new());
        let mut guard = Guard::new(policy.clone(), agent, sink.clone());
        // Check once that the path measured is the guard's whole work.
        guarded_call(&guard, &scopes, request, &rate_limit);
        assert_eq!(sink.take().len(), records, "{name}");
        c.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut timed = Duration::ZERO;
                let mut done = 0;
                while done < iters {
                    let n = (iters - done).min(1_000);
                    if agent == "limited" {
                        // A fresh budget per batch (outside the timed region): millions of
                        // calls a minute would fill any window, and a throttled call is
                        // not the path measured.
                        guard = guard.clone().with_budgets(Arc::new(InMemoryBudgets::new()));
                    }
                    let started = Instant::now();
                    for _ in 0..n {
                        guarded_call(&guard, &scopes, black_box(request), &rate_limit);
                    }
                    timed += started.elapsed();
                    drop(sink.take());
                    done += n;
                }
                timed
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
