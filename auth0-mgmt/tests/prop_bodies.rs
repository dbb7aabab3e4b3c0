//! Property tests: whatever a server answers — any status, any bytes, any JSON shape,
//! any rate-limit header — the client returns a value or a typed error, and never
//! panics.
//!
//! One loopback `wiremock` server is reused across cases; its responder serves the
//! current case. Cases are bounded (`PROPTEST_CASES` overrides the default below).

mod common;

use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use auth0_mgmt::clients::Application;
use auth0_mgmt::connections::Connection;
use auth0_mgmt::logs::Log;
use auth0_mgmt::organizations::Organization;
use auth0_mgmt::refresh_tokens::RefreshToken;
use auth0_mgmt::sessions::Session;
use auth0_mgmt::users::User;
use auth0_mgmt::{Client, DateTime, Error, Page, RateLimit, RetryConfig, Timestamp, UserId};
use proptest::prelude::*;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The answer the server gives to the next request.
#[derive(Clone, Debug, Default)]
struct Answer {
    status: u16,
    body: Vec<u8>,
    headers: Vec<(String, Vec<u8>)>,
}

struct Harness {
    rt: tokio::runtime::Runtime,
    _server: MockServer,
    client: Client,
    answer: Arc<Mutex<Answer>>,
}

fn harness() -> &'static Harness {
    static H: OnceLock<Harness> = OnceLock::new();
    H.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let answer = Arc::new(Mutex::new(Answer::default()));
        let (server, client) = rt.block_on(async {
            let server = MockServer::start().await;
            let a = answer.clone();
            Mock::given(wiremock::matchers::any())
                .respond_with(move |_: &wiremock::Request| {
                    let a = a.lock().unwrap().clone();
                    let mut t = ResponseTemplate::new(a.status).set_body_bytes(a.body);
                    for (k, v) in a.headers {
                        if let Ok(v) = std::str::from_utf8(&v) {
                            t = t.insert_header(k.as_str(), v);
                        }
                    }
                    t
                })
                .mount(&server)
                .await;
            let client = common::builder(&server)
                .retry(RetryConfig::disabled())
                .pacer(auth0_mgmt::PacerConfig::disabled())
                .build()
                .unwrap();
            (server, client)
        });
        Harness { rt, _server: server, client, answer }
    })
}

const KEYS: &[&str] = &[
    "user_id",
    "email",
    "identities",
    "provider",
    "isSocial",
    "app_metadata",
    "logins_count",
    "users",
    "start",
    "limit",
    "total",
    "length",
    "next",
    "statusCode",
    "error",
    "message",
    "errorCode",
    "x",
];

/// JSON documents built from the field names the decoders look for.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,12}".prop_map(Value::from),
        Just(Value::from("auth0|1")),
        Just(Value::from("..")),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

/// Objects whose keys are a model's fields (plus unknown ones) and whose values are any
/// JSON: most do not decode, and every one that does must re-encode to itself.
fn model_object(fields: &'static [&'static str], id: &'static str) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<u32>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,12}".prop_map(Value::from),
        Just(Value::from("2024-06-03T17:02:44.981Z")),
        Just(Value::from("2024-06-03T19:02:44+02:00")),
        Just(Value::from("auth0|1")),
    ];
    let value = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::vec(("[a-z_]{1,8}", inner), 0..4).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    });
    let key = prop_oneof![4 => prop::sample::select(fields).prop_map(str::to_owned), 1 => "x_[a-z]{1,6}"];
    (prop::collection::vec((key, value), 0..10), "[a-z0-9|_]{1,20}").prop_map(move |(kv, idv)| {
        let mut o: serde_json::Map<String, Value> = kv.into_iter().collect();
        o.insert(id.to_owned(), Value::from(idv));
        Value::Object(o)
    })
}

/// Runs `cases` generated objects through `T`: every one that decodes re-encodes to
/// itself, and enough of them decode for the property to mean something.
fn decodable_objects_re_encode_to_themselves<T: Serialize + DeserializeOwned>(
    fields: &'static [&'static str],
    id: &'static str,
) {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let decoded = std::cell::Cell::new(0u32);
    runner
        .run(&model_object(fields, id), |v| {
            if let Ok(typed) = serde_json::from_value::<T>(v.clone()) {
                decoded.set(decoded.get() + 1);
                prop_assert_eq!(&serde_json::to_value(&typed).unwrap(), &v);
            }
            Ok(())
        })
        .unwrap();
    assert!(decoded.get() >= 25, "{}: only {} of 512 objects decoded", std::any::type_name::<T>(), decoded.get());
}

#[test]
fn any_decodable_model_object_re_encodes_to_itself() {
    decodable_objects_re_encode_to_themselves::<User>(User::FIELDS, "user_id");
    decodable_objects_re_encode_to_themselves::<Log>(Log::FIELDS, "log_id");
    decodable_objects_re_encode_to_themselves::<Application>(Application::FIELDS, "client_id");
    decodable_objects_re_encode_to_themselves::<Connection>(Connection::FIELDS, "id");
    decodable_objects_re_encode_to_themselves::<Organization>(Organization::FIELDS, "id");
    decodable_objects_re_encode_to_themselves::<RefreshToken>(RefreshToken::FIELDS, "id");
    decodable_objects_re_encode_to_themselves::<Session>(Session::FIELDS, "id");
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        json().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        // Valid JSON cut short anywhere.
        (json(), any::<prop::sample::Index>()).prop_map(|(v, i)| {
            let mut b = serde_json::to_vec(&v).unwrap();
            let cut = i.index(b.len() + 1);
            b.truncate(cut);
            b
        }),
    ]
}

fn header_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        "[0-9]{0,25}".prop_map(String::into_bytes),
        "-?[0-9]{1,5}\\.[0-9]{0,5}".prop_map(String::into_bytes),
        "[ -~]{0,40}".prop_map(String::into_bytes),
        Just(b"Wed, 21 Oct 2015 07:28:00 GMT".to_vec()),
        Just(b"b=per_hour;q=10;r=7;t=3540,b=per_day;q=x".to_vec()),
        prop::collection::vec(any::<u8>(), 0..24),
    ]
}

fn headers() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
    let name = prop::sample::select(vec![
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "retry-after",
        "auth0-client-quota-limit",
        "content-type",
    ]);
    prop::collection::vec((name.prop_map(str::to_owned), header_value()), 0..5)
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        prop::sample::select(vec![200u16, 201, 202, 204, 400, 401, 403, 404, 409, 429, 500, 502, 503]),
        100u16..600,
    ]
    // 1xx answers are interim: a server cannot send one as the final answer.
    .prop_filter("final status", |s| *s >= 200)
}

/// Checks what came back: a value, or a typed error consistent with the status.
fn check<T>(status: u16, result: Result<T, Error>) -> Result<(), TestCaseError> {
    match result {
        Ok(_) => prop_assert!((200..300).contains(&status), "Ok for status {status}"),
        Err(Error::Decode(d)) => prop_assert_eq!(d.status.as_u16(), status),
        Err(e @ Error::Api(_)) => {
            prop_assert_eq!(e.status().map(|s| s.as_u16()), Some(status));
            // Display and Debug never panic either.
            let _ = (e.to_string(), format!("{e:?}"));
        }
        // Redirects are never followed: a typed error with the status.
        Err(Error::Redirect { status: s, .. }) => {
            prop_assert_eq!(s.as_u16(), status);
            prop_assert!((300..400).contains(&status));
        }
        // A 204/304 with a body, an invalid header, … may surface as a transport error.
        Err(e @ Error::Transport { .. }) => {
            let _ = e.to_string();
        }
        Err(e) => prop_assert!(false, "status {status}: unexpected error kind {e:?}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_answer_is_a_value_or_a_typed_error(status in status(), body in body(), headers in headers()) {
        let h = harness();
        *h.answer.lock().unwrap() = Answer { status, body, headers };
        let id: UserId = "auth0|1".parse().unwrap();
        let (get, list, delete) = h.rt.block_on(async {
            (
                h.client.users().get(&id).await,
                h.client.users().list().per_page(10).send().await,
                h.client.users().delete(&id).await,
            )
        });
        check(status, get)?;
        check(status, list)?;
        check(status, delete)?;
    }

    #[test]
    fn any_bytes_decode_to_a_page_or_an_error(body in body()) {
        let _ = serde_json::from_slice::<Page<User>>(&body);
        let _ = serde_json::from_slice::<Page<Value>>(&body);
        let _ = serde_json::from_slice::<User>(&body);
    }

    #[test]
    fn rfc3339_date_times_re_encode_to_the_same_string(
        (y, mo, d) in (1u32..=9998, 1u32..=12, 1u32..=28),
        (h, mi, s) in (0u32..24, 0u32..60, 0u32..60),
        frac in prop::option::of("[0-9]{1,9}"),
        offset in prop::option::of((any::<bool>(), 0u32..=17, 0u32..60)),
    ) {
        let mut text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
        if let Some(f) = &frac {
            text.push('.');
            text.push_str(f);
        }
        match offset {
            None => text.push('Z'),
            Some((neg, oh, om)) => {
                let neg = neg && (oh, om) != (0, 0);
                text.push_str(&format!("{}{oh:02}:{om:02}", if neg { '-' } else { '+' }));
            }
        }
        let t: Timestamp = serde_json::from_value(Value::from(text.clone())).unwrap();
        // Year 1 with a positive offset lies before jiff's range: it stays unparsed.
        if let Ok(parsed) = text.parse::<DateTime>() {
            prop_assert_eq!(parsed.to_string(), text.clone());
            prop_assert_eq!(t.as_datetime(), Some(parsed));
        } else {
            prop_assert!(y == 1, "{} did not parse", text);
        }
        prop_assert_eq!(serde_json::to_value(&t).unwrap(), Value::from(text));
    }

    #[test]
    fn any_string_is_a_timestamp_that_re_encodes_to_itself(s in "\\PC{0,40}|[0-9:TZ.+-]{10,35}") {
        let t: Timestamp = serde_json::from_value(Value::from(s.clone())).unwrap();
        prop_assert_eq!(serde_json::to_value(&t).unwrap(), Value::from(s.clone()));
        if let Ok(d) = s.parse::<DateTime>() {
            prop_assert_eq!(d.to_string(), s);
        }
    }

    #[test]
    fn any_rate_limit_headers_parse_without_panicking(headers in headers()) {
        let mut map = HeaderMap::new();
        for (k, v) in &headers {
            if let (Ok(k), Ok(v)) = (HeaderName::from_bytes(k.as_bytes()), HeaderValue::from_bytes(v)) {
                map.append(k, v);
            }
        }
        let now = SystemTime::now();
        let rl = RateLimit::from_headers(&map, now);
        let _ = rl.server_wait(now);
        let _ = rl.is_empty();
    }
}
