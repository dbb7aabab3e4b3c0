//! Property tests of id validation and path encoding.
//!
//! * Any accepted id encodes to exactly one path segment of unreserved characters and
//!   `%XX` escapes, which percent-decodes back to the id.
//! * Nothing that is, or percent-decodes (in up to four layers) to, `.` or `..` is
//!   accepted, nor anything with a control character.
//! * On the wire: the fake tenant, which splits the raw path at `/` before decoding each
//!   segment once, finds the user stored under exactly that id.

use std::sync::OnceLock;

use auth0_mgmt::{Client, OrganizationId, RoleId, UserId};
use auth0_mgmt_fake::{FakeTenant, Seed};
use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use serde_json::json;

/// Ids built from the characters that matter for paths, plus arbitrary text.
fn raw_id() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just(".".to_owned()),
        Just("..".to_owned()),
        Just("%2e".to_owned()),
        Just("%2E".to_owned()),
        Just("%25".to_owned()),
        Just("%252e".to_owned()),
        Just("%2f".to_owned()),
        Just("/".to_owned()),
        Just("\\".to_owned()),
        Just("?".to_owned()),
        Just("#".to_owned()),
        Just("|".to_owned()),
        Just(" ".to_owned()),
        Just("%".to_owned()),
        Just("%0a".to_owned()),
        Just("\t".to_owned()),
        "[a-z0-9]{1,4}",
        "[ -~]{1,3}",
        "\\PC{1,2}",
    ];
    prop_oneof![prop::collection::vec(piece, 1..6).prop_map(|p| p.concat()), any::<String>(), "auth0\\|[0-9a-f]{24}",]
}

/// The id after `k` rounds of percent-decoding (lossy, as a proxy might do).
fn decoded(id: &str, k: usize) -> String {
    let mut s = id.to_owned();
    for _ in 0..k {
        s = percent_decode_str(&s).decode_utf8_lossy().into_owned();
    }
    s
}

fn is_dot_segment(s: &str) -> bool {
    matches!(s.trim(), "." | "..")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn accepted_ids_are_exactly_one_segment_that_round_trips(raw in raw_id()) {
        let Ok(id) = UserId::new(raw.clone()) else { return Ok(()) };
        let seg = id.path_segment();
        prop_assert!(!seg.is_empty());
        prop_assert!(
            seg.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)),
            "{raw:?} -> {seg}"
        );
        prop_assert_eq!(percent_decode_str(&seg).decode_utf8().unwrap(), raw.as_str());
        prop_assert!(seg != "." && seg != "..");
        // The same grammar for every id kind.
        prop_assert_eq!(RoleId::new(raw.clone()).unwrap().path_segment(), seg.clone());
        prop_assert_eq!(OrganizationId::new(raw.clone()).unwrap().path_segment(), seg);
    }

    #[test]
    fn nothing_that_decodes_to_a_dot_segment_is_accepted(raw in raw_id()) {
        let dots = (0..4).any(|k| is_dot_segment(&decoded(&raw, k)));
        let control = (0..4).any(|k| decoded(&raw, k).chars().any(char::is_control));
        if dots || control || raw.trim().is_empty() {
            prop_assert!(UserId::new(raw.clone()).is_err(), "{raw:?} was accepted");
        }
        // Serde goes through the same constructor.
        let via_serde = serde_json::from_value::<UserId>(json!(raw));
        prop_assert_eq!(via_serde.is_ok(), UserId::new(raw).is_ok());
    }
}

struct Wire {
    rt: tokio::runtime::Runtime,
    tenant: FakeTenant,
    client: Client,
}

fn wire() -> &'static Wire {
    static W: OnceLock<Wire> = OnceLock::new();
    W.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let tenant = rt.block_on(FakeTenant::builder().seed(Seed::empty()).start()).unwrap();
        let client = Client::builder()
            .base_url(tenant.base_url())
            .client_credentials(tenant.client_id(), tenant.client_secret())
            .build()
            .unwrap();
        Wire { rt, tenant, client }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_tenant_finds_exactly_the_user_named_by_the_id(raw in raw_id()) {
        let Ok(id) = UserId::new(raw.clone()) else { return Ok(()) };
        let w = wire();
        w.tenant.insert_user(json!({"user_id": raw, "email": "p@example.com"}));
        w.tenant.clear_requests();
        let got = w.rt.block_on(w.client.users().get(&id));
        let requests = w.tenant.requests();
        let last = requests.last().expect("a request reached the tenant");
        prop_assert_eq!(&last.path, &format!("/api/v2/users/{}", id.path_segment()));
        prop_assert_eq!(last.path.split('/').count(), 5, "{}", last.path); // "", api, v2, users, id
        prop_assert!(last.query.is_none());
        let user = got.map_err(|e| TestCaseError::fail(format!("{raw:?}: {e}")))?;
        prop_assert_eq!(user.user_id, id);
        w.tenant.remove_user(&raw);
    }
}
