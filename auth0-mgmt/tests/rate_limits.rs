//! 429 handling with a paused clock: server-named waits, budgets, and bounds.
//!
//! Two clocks meet here. Waits are measured on tokio's paused clock, which only moves when
//! every task sleeps; `x-ratelimit-reset` stamps are wall-clock seconds, which keep moving
//! however loaded the machine is. A test that names a reset `n` s ahead therefore allows
//! for the real time that passed ([`RealTime`]) instead of hoping it was short. And no
//! test starts a timer while a request is on its way to the mock server: the paused clock
//! would jump to that timer before the server answered (wiremock runs on its own thread).

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use auth0_mgmt::{Error, RetryConfig, UserId};
use serde_json::json;
use tokio::sync::Notify;
use tokio::time::Instant;
use wiremock::matchers::method;
use wiremock::{Mock, Request, Respond, ResponseTemplate};

fn uid() -> UserId {
    "auth0|1".parse().unwrap()
}

/// The whole wall-clock second `secs` from now: between `secs − 1` and `secs` ahead.
fn epoch_in(secs: u64) -> String {
    (SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() + secs).to_string()
}

/// Real (wall-clock) time since a reset stamp was made: the client's wait for the stamp is
/// shorter by that much, however loaded the machine is.
struct RealTime(std::time::Instant);

impl RealTime {
    fn start() -> RealTime {
        RealTime(std::time::Instant::now())
    }

    /// The wait for a stamp made `secs` ahead (see [`epoch_in`]) is at most `secs` and more
    /// than `secs − 1` less the real time since.
    fn assert_waited_for_stamp(&self, waited: Duration, secs: u64) {
        let passed = self.0.elapsed();
        assert!(waited <= Duration::from_secs(secs), "{waited:?}");
        assert!(waited + passed > Duration::from_secs(secs - 1), "{waited:?}, {passed:?} of real time passed");
    }
}

/// Answers with `template` and signals `answered`: a barrier that needs no timer.
struct Signal(Arc<Notify>, ResponseTemplate);

impl Respond for Signal {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.0.notify_one();
        self.1.clone()
    }
}

fn too_many(reset: &str) -> ResponseTemplate {
    ResponseTemplate::new(429)
        .insert_header("x-ratelimit-limit", "10")
        .insert_header("x-ratelimit-remaining", "0")
        .insert_header("x-ratelimit-reset", reset)
        .set_body_json(json!({"statusCode":429,"error":"Too Many Requests","message":"Global limit has been reached","errorCode":"too_many_requests"}))
}

#[tokio::test(start_paused = true)]
async fn a_429_waits_until_the_named_reset_then_succeeds() {
    let server = common::server().await;
    let real = RealTime::start();
    Mock::given(method("GET")).respond_with(too_many(&epoch_in(3))).up_to_n_times(1).mount(&server).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(common::user_json("auth0|1")))
        .mount(&server)
        .await;
    let client = common::paused_builder(&server).build().unwrap();
    let started = Instant::now();
    client.users().get(&uid()).await.unwrap();
    real.assert_waited_for_stamp(started.elapsed(), 3);
    assert_eq!(client.rate_limit_stats().throttled, 1);
    assert_eq!(common::api_requests(&server).await.len(), 2);
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_preferred_over_the_reset() {
    let server = common::server().await;
    Mock::given(method("GET"))
        .respond_with(too_many(&epoch_in(60)).insert_header("retry-after", "2"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(common::user_json("auth0|1")))
        .mount(&server)
        .await;
    let client = common::paused_builder(&server).build().unwrap();
    let started = Instant::now();
    client.users().get(&uid()).await.unwrap();
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(2) && waited < Duration::from_secs(3), "{waited:?}");
}

#[tokio::test(start_paused = true)]
async fn a_post_is_retried_after_429_because_nothing_was_processed() {
    let server = common::server().await;
    Mock::given(method("POST")).respond_with(too_many(&epoch_in(1))).up_to_n_times(1).mount(&server).await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(common::user_json("auth0|new")))
        .mount(&server)
        .await;
    let client = common::paused_builder(&server).build().unwrap();
    client.users().create(&auth0_mgmt::users::CreateUser::new("db").email("a@b.c")).await.unwrap();
    assert_eq!(common::api_requests(&server).await.len(), 2);
}

#[tokio::test(start_paused = true)]
async fn an_exhausted_retry_budget_is_a_typed_error_with_the_rate_limit_state() {
    let server = common::server().await;
    Mock::given(method("GET"))
        .respond_with(too_many(&epoch_in(1)).insert_header("retry-after", "1"))
        .mount(&server)
        .await;
    let client =
        common::paused_builder(&server).retry(RetryConfig::default().max_rate_limit_retries(2)).build().unwrap();
    let err = client.users().get(&uid()).await.unwrap_err();
    assert!(err.is_rate_limited() && err.is_retryable(), "{err:?}");
    let api = err.api().unwrap();
    assert_eq!(api.attempts, 3);
    assert_eq!(api.error_code().map(|c| c.as_str()), Some("too_many_requests"));
    let rl = err.rate_limit().unwrap();
    assert_eq!((rl.limit, rl.remaining), (Some(10), Some(0)));
    assert_eq!(rl.retry_after, Some(Duration::from_secs(1)));
    assert!(err.to_string().contains("after 3 attempts"), "{err}");
    assert_eq!(common::api_requests(&server).await.len(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_reset_far_in_the_future_fails_fast_with_a_clear_error_instead_of_sleeping() {
    let server = common::server().await;
    Mock::given(method("GET")).respond_with(too_many(&epoch_in(10 * 86400))).mount(&server).await;
    let client = common::paused_builder(&server)
        .retry(RetryConfig::default().max_total_wait(Duration::from_secs(120)))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.users().get(&uid()).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1), "no sleep: {:?}", started.elapsed());
    let Error::WaitTooLong { wait, max_wait, .. } = &err else { panic!("{err:?}") };
    assert!(*wait > Duration::from_secs(9 * 86400));
    assert_eq!(*max_wait, Duration::from_secs(120));
    assert!(err.is_rate_limited());
    assert!(err.to_string().contains("beyond the configured maximum wait of 120s"), "{err}");
    assert_eq!(common::api_requests(&server).await.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_long_but_allowed_wait_is_honoured_without_a_hidden_cap() {
    let server = common::server().await;
    let real = RealTime::start();
    Mock::given(method("GET")).respond_with(too_many(&epoch_in(90))).up_to_n_times(1).mount(&server).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(common::user_json("auth0|1")))
        .mount(&server)
        .await;
    let client = common::paused_builder(&server).build().unwrap();
    let started = Instant::now();
    client.users().get(&uid()).await.unwrap();
    real.assert_waited_for_stamp(started.elapsed(), 90);
}

#[tokio::test(start_paused = true)]
async fn a_reset_in_the_past_retries_at_once() {
    let server = common::server().await;
    Mock::given(method("GET")).respond_with(too_many("1000")).up_to_n_times(1).mount(&server).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(common::user_json("auth0|1")))
        .mount(&server)
        .await;
    let client = common::paused_builder(&server).build().unwrap();
    let started = Instant::now();
    client.users().get(&uid()).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
}

#[tokio::test]
async fn success_responses_expose_the_rate_limit_state() {
    let server = common::server().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-ratelimit-limit", "50")
                .insert_header("x-ratelimit-remaining", "49")
                .insert_header("x-ratelimit-reset", epoch_in(1).as_str())
                .set_body_json(common::user_json("auth0|1")),
        )
        .mount(&server)
        .await;
    let client = common::client(&server);
    let resp = client
        .execute_with_metadata::<auth0_mgmt::users::User>(
            auth0_mgmt::Request::new(&auth0_mgmt::catalog::USERS_GET).id(&uid()),
        )
        .await
        .unwrap();
    assert_eq!((resp.rate_limit.limit, resp.rate_limit.remaining), (Some(50), Some(49)));
    assert!(resp.rate_limit.reset.is_some());
}

#[tokio::test(start_paused = true)]
async fn dropping_a_waiting_call_stops_it() {
    let server = common::server().await;
    let answered = Arc::new(Notify::new());
    let throttled = too_many(&epoch_in(60)).insert_header("retry-after", "60");
    Mock::given(method("GET")).respond_with(Signal(answered.clone(), throttled)).mount(&server).await;
    let client = common::paused_builder(&server).build().unwrap();
    let (users, id) = (client.users(), uid());
    let mut call = Box::pin(users.get(&id));
    // Drive the call until the server has answered its first attempt: a barrier, not a
    // timer (a timer would fire while the request is still on its way).
    tokio::select! {
        result = &mut call => panic!("the call ended before it was throttled: {result:?}"),
        () = answered.notified() => {}
    }
    // Now it reads the 429 and waits the 60 s the server named: let 5 s pass, then drop it.
    assert!(tokio::time::timeout(Duration::from_secs(5), &mut call).await.is_err(), "still waiting after 5 s");
    drop(call);
    tokio::time::sleep(Duration::from_secs(120)).await;
    assert_eq!(common::api_requests(&server).await.len(), 1, "the dropped call sent nothing more");
}

/// Issue 11: after `x-ratelimit-limit: 0` every later call waited 10 s in the pacer, and 6
/// concurrent calls waited 10, 20 … 60 s. Nonsense bucket headers describe no bucket: once
/// the first answer is in, no call is held back at all (no timer even starts).
#[tokio::test(start_paused = true)]
async fn nonsense_bucket_headers_never_hold_calls_back() {
    for (limit, remaining) in [("0", "0"), ("18446744073709551615", "0"), ("5", "9"), ("-3", "-3")] {
        let server = common::server().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("x-ratelimit-limit", limit)
                    .insert_header("x-ratelimit-remaining", remaining)
                    .insert_header("x-ratelimit-reset", epoch_in(3600).as_str())
                    .set_body_json(common::user_json("auth0|1")),
            )
            .mount(&server)
            .await;
        let client = common::paused_builder(&server).build().unwrap();
        client.users().get(&uid()).await.unwrap();
        let started = Instant::now();
        let calls: Vec<_> = (0..6)
            .map(|_| {
                let c = client.clone();
                tokio::spawn(async move { c.users().get(&uid()).await.map(|_| Instant::now()) })
            })
            .collect();
        for call in calls {
            assert_eq!(call.await.unwrap().unwrap(), started, "{limit}/{remaining}: a call waited");
        }
        let stats = client.rate_limit_stats();
        assert_eq!((stats.waits, stats.total_wait, stats.estimated_limit), (0, Duration::ZERO, None));
        assert_eq!(common::api_requests(&server).await.len(), 7);
    }
}

/// A limiter that records what the transport asks of it, waits `wait` per acquire (or
/// refuses when that is more than the caller may wait) and names `throttle` after a 429.
#[derive(Debug)]
struct Recording {
    wait: Duration,
    throttle: Duration,
    events: std::sync::Mutex<Vec<String>>,
}

impl auth0_mgmt::RateLimiter for Recording {
    fn acquire(&self, max_wait: Duration) -> futures::future::BoxFuture<'_, Result<Duration, auth0_mgmt::PacerWait>> {
        self.events.lock().unwrap().push(format!("acquire {}", max_wait.as_secs()));
        Box::pin(async move {
            if self.wait > max_wait {
                return Err(auth0_mgmt::PacerWait::new(self.wait));
            }
            tokio::time::sleep(self.wait).await;
            Ok(self.wait)
        })
    }
    fn observe(&self, rate_limit: &auth0_mgmt::RateLimit, status: u16) {
        self.events.lock().unwrap().push(format!("observe {status} {:?}", rate_limit.remaining));
    }
    fn unanswered(&self) {
        self.events.lock().unwrap().push("unanswered".into());
    }
    fn throttled_delay(&self, _: &auth0_mgmt::RateLimit, attempt: u32) -> Duration {
        self.events.lock().unwrap().push(format!("throttled {attempt}"));
        self.throttle
    }
    fn stats(&self) -> auth0_mgmt::PacerStats {
        let mut stats = auth0_mgmt::PacerStats::default();
        stats.requests = 42;
        stats
    }
}

/// The pacer seam: an installed limiter replaces the in-process pacer, sees every attempt
/// in the transport's order, and every wait it imposes is charged to the call's budget.
#[tokio::test(start_paused = true)]
async fn an_installed_rate_limiter_is_driven_and_its_waits_count_against_the_budget() {
    let server = wiremock::MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(too_many(&epoch_in(3600)).insert_header("x-ratelimit-remaining", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-ratelimit-limit", "10")
                .insert_header("x-ratelimit-remaining", "7")
                .set_body_json(json!({"user_id": "auth0|1"})),
        )
        .mount(&server)
        .await;
    let limiter = Arc::new(Recording {
        wait: Duration::from_secs(20),
        throttle: Duration::from_secs(30),
        events: Default::default(),
    });
    let client = common::paused_builder(&server)
        .retry(RetryConfig::default().max_total_wait(Duration::from_secs(100)))
        .rate_limiter(limiter.clone())
        .build()
        .unwrap();
    assert_eq!(client.rate_limit_stats().requests, 42);
    let t0 = Instant::now();
    client.users().get(&uid()).await.unwrap();
    assert_eq!(Instant::now() - t0, Duration::from_secs(20 + 30 + 20));
    // The second acquire may wait what is left: 100 − 20 (pacer) − 30 (429) = 50 s.
    assert_eq!(
        *limiter.events.lock().unwrap(),
        ["acquire 100", "observe 429 Some(0)", "throttled 0", "acquire 50", "observe 200 Some(7)"]
    );
    // A wait beyond what is left of the budget is refused by the limiter, nothing is sent,
    // and the call ends with WaitTooLong naming the pacer.
    let client = common::paused_builder(&server)
        .retry(RetryConfig::default().max_total_wait(Duration::from_secs(10)))
        .rate_limiter(limiter.clone())
        .build()
        .unwrap();
    let sent = server.received_requests().await.unwrap().len();
    let err = client.users().get(&uid()).await.unwrap_err();
    assert!(
        matches!(err, Error::WaitTooLong { waiting_for: auth0_mgmt::WaitFor::Pacer, wait, .. } if wait == Duration::from_secs(20)),
        "{err:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), sent);
}
