//! Property test through the real client, on a paused clock: whatever rate-limit headers
//! and statuses a server sends (any `Retry-After`, `x-ratelimit-*` strings, `u64::MAX`,
//! negatives, `0`, garbage), a call never panics, ends in a value or a typed error, and
//! never waits longer than its budget.

mod common;
mod raw_server;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use auth0_mgmt::{Client, Error, PacerConfig, RetryConfig, UserId};
use proptest::prelude::*;
use raw_server::{Reply, serve};

fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("18446744073709551615".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("-1".to_owned()),
        Just("0".to_owned()),
        Just(String::new()),
        Just("1.5".to_owned()),
        Just("Wed, 21 Oct 2015 07:28:00 GMT".to_owned()),
        Just("Fri, 31 Dec 9999 23:59:59 GMT".to_owned()),
        (0u64..5).prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        "[ -~]{0,30}",
    ]
}

#[derive(Clone, Debug)]
struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
}

fn answer() -> impl Strategy<Value = Answer> {
    let name =
        prop::sample::select(vec!["retry-after", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"]);
    (prop::sample::select(vec![429u16, 429, 429, 503, 500, 200]), prop::collection::vec((name, header_value()), 0..5))
        .prop_map(|(status, headers)| Answer { status, headers })
}

fn reply(a: &Answer) -> Reply {
    let body = if a.status == 200 { r#"{"user_id":"auth0|1"}"#.to_owned() } else { r#"{"statusCode":429}"#.to_owned() };
    let mut head = format!("HTTP/1.1 {} X\r\ncontent-type: application/json\r\nconnection: close\r\n", a.status);
    for (k, v) in &a.headers {
        // Header values must not contain line breaks; everything else goes as is.
        head.push_str(&format!("{k}: {}\r\n", v.replace(['\r', '\n'], " ")));
    }
    head.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
    Reply::Bytes(head.into_bytes())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_answer_makes_a_call_panic_or_wait_past_its_budget(
        answers in prop::collection::vec(answer(), 1..8),
        budget_s in prop_oneof![Just(0u64), 1u64..120],
        pacer_on in any::<bool>(),
        token_endpoint in any::<bool>(),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
        rt.block_on(async {
            let script = Arc::new(Mutex::new(answers.clone()));
            let s = script.clone();
            let server = serve(move |req, i| {
                let text = String::from_utf8_lossy(req);
                let ok_token = !token_endpoint && text.starts_with("POST /oauth/token");
                if ok_token {
                    let body = r#"{"access_token":"t","token_type":"Bearer","expires_in":86400}"#;
                    return raw_server::answer(200, "application/json", body.as_bytes());
                }
                let list = s.lock().unwrap();
                reply(&list[i.min(list.len() - 1)])
            })
            .await;
            let budget = Duration::from_secs(budget_s);
            let pacer = if pacer_on { PacerConfig::default() } else { PacerConfig::disabled() };
            let client = Client::builder()
                .base_url(&server.base)
                .client_credentials("cid", "secret")
                .http_client(common::timerless_http())
                .timeout(None)
                .pacer(pacer)
                .retry(RetryConfig::default().max_total_wait(budget))
                .build()
                .unwrap();
            let started = tokio::time::Instant::now();
            let id: UserId = "auth0|1".parse().unwrap();
            let result = client.users().get(&id).await;
            let elapsed = started.elapsed();
            // Paused clock: only the client's own sleeps move it.
            prop_assert!(elapsed <= budget + Duration::from_millis(50), "waited {elapsed:?} with a budget of {budget:?}");
            match result {
                Ok(u) => prop_assert_eq!(u.user_id, "auth0|1"),
                Err(e @ (Error::Api(_) | Error::Token(_) | Error::WaitTooLong { .. })) => {
                    let _ = (e.to_string(), format!("{e:?}"), e.retry_after(), e.is_retryable());
                }
                Err(e) => prop_assert!(false, "unexpected error {e:?}"),
            }
            Ok(())
        })?;
    }
}
