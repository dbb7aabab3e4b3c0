//! The interceptor contract as the client drives it: `begin` and `before_send` are
//! asynchronous; every begun hook is finished exactly once — with the outcome, with a
//! later interceptor's denial, or with `Outcome::Cancelled` when the caller drops the
//! call; `before_send` runs once per call, also across a 401 and a fresh token.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use auth0_mgmt::{BoxFuture, CallHook, Client, Denial, Interceptor, Outcome, Request, Scopes, UserId};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

/// Records every hook call as a line.
#[derive(Debug, Default)]
struct Log(Mutex<Vec<String>>);

impl Log {
    fn push(&self, s: impl Into<String>) {
        self.0.lock().unwrap().push(s.into());
    }
    fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

#[derive(Debug)]
struct Probe {
    name: &'static str,
    log: Arc<Log>,
    deny_in_begin: bool,
}

struct ProbeCall {
    name: &'static str,
    log: Arc<Log>,
}

impl Interceptor for Probe {
    fn begin<'a>(&'a self, _request: &'a Request) -> BoxFuture<'a, Result<Box<dyn CallHook>, Denial>> {
        Box::pin(async move {
            // A real await point (as a store lookup has).
            tokio::task::yield_now().await;
            self.log.push(format!("{} begin", self.name));
            if self.deny_in_begin {
                return Err(Denial::new("users.get", "no", "denied in begin"));
            }
            Ok(Box::new(ProbeCall { name: self.name, log: self.log.clone() }) as Box<dyn CallHook>)
        })
    }
}

impl CallHook for ProbeCall {
    fn check_scopes(&mut self, _: &Request, _: &Scopes) -> Result<(), Denial> {
        self.log.push(format!("{} check_scopes", self.name));
        Ok(())
    }

    fn before_send<'a>(&'a mut self, _: &'a Request) -> BoxFuture<'a, Result<(), Denial>> {
        Box::pin(async move {
            tokio::task::yield_now().await;
            self.log.push(format!("{} before_send", self.name));
            Ok(())
        })
    }

    fn finish(self: Box<Self>, _: &Request, outcome: &Outcome<'_>) {
        let what = match outcome {
            Outcome::Denied(d) => format!("denied {}", d.code),
            Outcome::Completed { status, .. } => format!("completed {}", status.as_u16()),
            Outcome::Failed { error, .. } => format!("failed {:?}", error.status().map(|s| s.as_u16())),
            Outcome::Cancelled { maybe_sent, .. } => format!("cancelled maybe_sent={maybe_sent}"),
        };
        self.log.push(format!("{} finish {what}", self.name));
    }
}

fn probed(client: &Client, log: &Arc<Log>, deny_second: bool) -> Client {
    client
        .with_interceptor(Arc::new(Probe { name: "a", log: log.clone(), deny_in_begin: false }))
        .with_interceptor(Arc::new(Probe { name: "b", log: log.clone(), deny_in_begin: deny_second }))
}

fn uid() -> UserId {
    "auth0|1".parse().unwrap()
}

#[tokio::test]
async fn every_hook_in_order_once() {
    let server = common::server().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(common::user_json("auth0|1")))
        .mount(&server)
        .await;
    let log = Arc::new(Log::default());
    probed(&common::client(&server), &log, false).users().get(&uid()).await.unwrap();
    assert_eq!(
        log.lines(),
        [
            "a begin",
            "b begin",
            "a check_scopes",
            "b check_scopes",
            "a before_send",
            "b before_send",
            "a finish completed 200",
            "b finish completed 200"
        ]
    );
}

#[tokio::test]
async fn a_later_denial_in_begin_finishes_the_hooks_already_begun() {
    let server = common::server().await;
    common::catch_all(&server).await;
    let log = Arc::new(Log::default());
    let err = probed(&common::client(&server), &log, true).users().get(&uid()).await.unwrap_err();
    assert!(err.is_denied());
    assert_eq!(log.lines(), ["a begin", "b begin", "a finish denied no"]);
    assert!(common::api_requests(&server).await.is_empty());
}

#[tokio::test]
async fn a_dropped_call_is_finished_as_cancelled() {
    let server = common::server().await;
    // The tenant answers far later than the test waits.
    Mock::given(method("GET"))
        .and(path("/api/v2/users/auth0%7C1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(common::user_json("auth0|1")).set_delay(Duration::from_secs(60)),
        )
        .mount(&server)
        .await;
    let log = Arc::new(Log::default());
    let client = probed(&common::client(&server), &log, false);
    let task = tokio::spawn(async move { client.users().get(&uid()).await });
    // Wait until the request has reached the server, then drop the call.
    while common::api_requests(&server).await.is_empty() {
        tokio::task::yield_now().await;
    }
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    let lines = log.lines();
    assert_eq!(&lines[lines.len() - 2..], ["a finish cancelled maybe_sent=true", "b finish cancelled maybe_sent=true"]);
    assert_eq!(lines.iter().filter(|l| l.contains("finish")).count(), 2, "{lines:?}");
}

/// Never answers `begin` until told: a call dropped while an interceptor's `begin` waits.
#[derive(Debug)]
struct Stuck(Arc<tokio::sync::Notify>);

impl Interceptor for Stuck {
    fn begin<'a>(&'a self, _: &'a Request) -> BoxFuture<'a, Result<Box<dyn CallHook>, Denial>> {
        Box::pin(async move {
            self.0.notify_one();
            std::future::pending::<()>().await;
            Err(Denial::new("users.get", "never", "never"))
        })
    }
}

#[tokio::test]
async fn a_call_dropped_inside_a_later_begin_finishes_the_earlier_hooks() {
    let server = common::server().await;
    common::catch_all(&server).await;
    let log = Arc::new(Log::default());
    let reached = Arc::new(tokio::sync::Notify::new());
    let client = common::client(&server)
        .with_interceptor(Arc::new(Probe { name: "a", log: log.clone(), deny_in_begin: false }))
        .with_interceptor(Arc::new(Stuck(reached.clone())));
    let task = tokio::spawn(async move { client.users().get(&uid()).await });
    reached.notified().await;
    task.abort();
    let _ = task.await;
    assert_eq!(log.lines(), ["a begin", "a finish cancelled maybe_sent=false"]);
    assert!(common::api_requests(&server).await.is_empty());
}

#[tokio::test]
async fn before_send_runs_once_across_a_401_and_a_fresh_token() {
    let server = common::server().await;
    // Two mints, two different tokens (the same token again would not be retried).
    for (sig, times) in [("c2ln", Some(1)), ("b3RoZXI", None)] {
        let token = common::jwt("read:users").replace(".c2ln", &format!(".{sig}"));
        let mock = Mock::given(method("POST")).and(path("/oauth/token")).respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "access_token": token, "token_type": "Bearer", "expires_in": 86400
            })),
        );
        match times {
            Some(n) => mock.up_to_n_times(n).with_priority(1).mount(&server).await,
            None => mock.mount(&server).await,
        }
    }
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(serde_json::json!({"statusCode": 401, "error": "Unauthorized", "message": "bad token"})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(common::user_json("auth0|1")))
        .mount(&server)
        .await;
    let client = Client::builder().base_url(server.uri()).client_credentials("id", "secret").build().unwrap();
    let log = Arc::new(Log::default());
    probed(&client, &log, false).users().get(&uid()).await.unwrap();
    let lines = log.lines();
    assert_eq!(lines.iter().filter(|l| l.ends_with("before_send")).count(), 2, "once per hook: {lines:?}");
    assert_eq!(
        lines.iter().filter(|l| l.ends_with("check_scopes")).count(),
        4,
        "again after the fresh token: {lines:?}"
    );
    assert_eq!(common::api_requests(&server).await.len(), 2);
}
