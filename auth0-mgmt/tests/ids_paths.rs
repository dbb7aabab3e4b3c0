//! Hostile ids never steer a request to another endpoint: they are rejected before
//! anything is sent, or reach the server as exactly one encoded path segment.

mod common;

use auth0_mgmt::UserId;

#[tokio::test]
async fn traversal_and_injection_ids() {
    let server = common::server().await;
    common::catch_all(&server).await;
    let client = common::client(&server);
    let cases: &[(&str, Option<&str>)] = &[
        ("x/../../clients", Some("/api/v2/users/x%2F..%2F..%2Fclients")),
        ("a?b#c", Some("/api/v2/users/a%3Fb%23c")),
        ("auth0|abc", Some("/api/v2/users/auth0%7Cabc")),
        ("..a", Some("/api/v2/users/..a")),
        ("back\\slash", Some("/api/v2/users/back%5Cslash")),
        ("..", None),
        (".", None),
        ("%2e%2e", None),
        ("%2E%2E", None),
        ("%252e%252e", None),
        ("auth0|1\n", None),
        ("a\rb", None),
        ("", None),
    ];
    for (raw, expected) in cases {
        server.reset().await;
        common::catch_all(&server).await;
        match (UserId::new(*raw), expected) {
            (Ok(id), Some(path)) => {
                let _ = client.users().get(&id).await; // 599 from the catch-all: fine.
                let reqs = common::api_requests(&server).await;
                assert_eq!(reqs.len(), 1, "{raw:?}");
                assert_eq!(reqs[0].url.path(), *path, "{raw:?}");
                assert_eq!(reqs[0].url.query(), None, "{raw:?}");
            }
            (Err(_), None) => assert!(common::api_requests(&server).await.is_empty()),
            (result, _) => panic!("{raw:?}: unexpected {result:?}"),
        }
    }
}

#[test]
fn every_accepted_id_is_one_segment() {
    for raw in ["a/b", "a%2Fb", "x/../y", "a b", "ü|ñ", "a;b", "a:b@c"] {
        let seg = UserId::new(raw).unwrap().path_segment();
        assert!(!seg.contains('/') && !seg.contains('?') && !seg.contains('#'), "{raw} -> {seg}");
        let decoded = percent_encoding::percent_decode_str(&seg).decode_utf8().unwrap();
        assert_eq!(decoded, raw);
    }
}
