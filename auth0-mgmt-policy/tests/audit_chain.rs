//! The tamper-evident chain of the JSON-lines audit file: every kind of tampering is
//! reported at the right line, the chain resumes across restarts, and two writers (as
//! the gateway and the CLI are) keep one chain.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use auth0_mgmt::UserId;
use auth0_mgmt_policy::chain::{self, BreakKind, Head, verify, verify_with_head};
use auth0_mgmt_policy::{AuditSink, GuardedClient, JsonLinesSink, Policy};
use common::*;

const POLICY: &str = "schema_version = 1\n[agents.bot]\nresources = { users = \"read\" }\n";

/// Writes `n` records through a guarded client (reads of users, denied deletes).
async fn write_records(path: &Path, n: usize) {
    let server = server().await;
    ok_everything(&server).await;
    let sink = Arc::new(JsonLinesSink::open(path).unwrap());
    let bot = GuardedClient::new(&client(&server), Arc::new(Policy::from_toml(POLICY).unwrap()), "bot", sink);
    for i in 0..n {
        let id: UserId = format!("auth0|{i}").parse().unwrap();
        if i % 2 == 0 {
            bot.users().get(&id).await.unwrap();
        } else {
            assert!(bot.users().delete(&id).await.unwrap_err().is_denied());
        }
    }
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path).unwrap().lines().map(str::to_owned).collect()
}

fn rewrite(path: &Path, lines: &[String]) {
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(path, text).unwrap();
}

fn broken(path: &Path) -> (u64, BreakKind, String) {
    let v = verify(path).unwrap();
    let b = v.broken().unwrap_or_else(|| panic!("not detected: {v}")).clone();
    (b.line, b.kind, v.to_string())
}

fn at(path: &Path) -> (u64, BreakKind) {
    let (line, kind, _) = broken(path);
    (line, kind)
}

async fn fresh(dir: &Path, name: &str, n: usize) -> PathBuf {
    let path = dir.join(name);
    write_records(&path, n).await;
    path
}

#[tokio::test]
async fn a_clean_file_verifies_and_says_how_many_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = fresh(dir.path(), "a.jsonl", 5).await;
    let v = verify(&path).unwrap();
    assert_eq!(v.to_string(), "intact, 5 records");
    let head = chain::head(&path).unwrap();
    assert_eq!(head.seq, 5);
    assert!(verify_with_head(&path, &head).unwrap().is_intact());
    // Every line carries seq, prev_hash and hash, and the first links to the genesis.
    let first: serde_json::Value = serde_json::from_str(&lines(&path)[0]).unwrap();
    assert_eq!(first["seq"], 1);
    assert_eq!(first["prev_hash"], chain::GENESIS);
    assert_eq!(first["hash"].as_str().unwrap().len(), 64);
}

#[tokio::test]
async fn each_kind_of_tampering_is_found_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    // A value edited (the sentence of line 3).
    let p = fresh(d, "edit.jsonl", 6).await;
    let mut l = lines(&p);
    l[2] = l[2].replace("auth0|2", "auth0|9");
    rewrite(&p, &l);
    let (line, kind, msg) = broken(&p);
    assert_eq!((line, kind), (3, BreakKind::Edited), "{msg}");
    assert!(msg.starts_with("broken at line 3: line 3 (seq 3) was edited"), "{msg}");

    // An edit that keeps the JSON value (whitespace) is an edit too.
    let p = fresh(d, "space.jsonl", 4).await;
    let mut l = lines(&p);
    l[1] = l[1].replacen(':', ": ", 1);
    rewrite(&p, &l);
    assert_eq!(broken(&p).0, 2);

    // An edited line re-hashed by hand: the next line no longer follows it.
    let p = fresh(d, "rehash.jsonl", 5).await;
    let mut l = lines(&p);
    let mut v: serde_json::Value = serde_json::from_str(&l[1]).unwrap();
    v["agent"] = "someone-else".into();
    v.as_object_mut().unwrap().remove("hash");
    let hash = auth0_mgmt_policy::canonical::sha256_hex(auth0_mgmt_policy::canonical::canonical_json(&v).as_bytes());
    v["hash"] = hash.into();
    l[1] = auth0_mgmt_policy::canonical::canonical_json(&v);
    rewrite(&p, &l);
    assert_eq!(at(&p), (3, BreakKind::Edited));

    // A line deleted.
    let p = fresh(d, "delete.jsonl", 6).await;
    let mut l = lines(&p);
    l.remove(3);
    rewrite(&p, &l);
    let (line, kind, msg) = broken(&p);
    assert_eq!((line, kind), (4, BreakKind::Deleted), "{msg}");
    assert!(msg.contains("1 record(s) before it were deleted"), "{msg}");

    // The first lines deleted.
    let p = fresh(d, "head.jsonl", 4).await;
    let l = lines(&p);
    rewrite(&p, &l[2..]);
    assert_eq!(at(&p), (1, BreakKind::Deleted));

    // A line inserted (a copy of an earlier one).
    let p = fresh(d, "insert.jsonl", 5).await;
    let mut l = lines(&p);
    l.insert(3, l[0].clone());
    rewrite(&p, &l);
    let (line, kind, msg) = broken(&p);
    assert_eq!((line, kind), (4, BreakKind::InsertedOrMoved), "{msg}");

    // A forged line inserted.
    let p = fresh(d, "forged.jsonl", 5).await;
    let mut l = lines(&p);
    l.insert(2, r#"{"agent":"bot","message":"nothing happened"}"#.to_owned());
    rewrite(&p, &l);
    assert_eq!(at(&p), (3, BreakKind::NotARecord));

    // Two lines swapped.
    let p = fresh(d, "swap.jsonl", 6).await;
    let mut l = lines(&p);
    l.swap(1, 2);
    rewrite(&p, &l);
    let (line, kind, msg) = broken(&p);
    assert_eq!((line, kind), (2, BreakKind::InsertedOrMoved), "{msg}");
    assert!(msg.contains("moved"), "{msg}");

    // Truncated mid-record: a torn last line.
    let p = fresh(d, "torn.jsonl", 5).await;
    let text = std::fs::read(&p).unwrap();
    std::fs::write(&p, &text[..text.len() - 40]).unwrap();
    let (line, kind, msg) = broken(&p);
    assert_eq!((line, kind), (5, BreakKind::Torn), "{msg}");

    // Truncated after a whole line: found against the head kept from before.
    let p = fresh(d, "cut.jsonl", 5).await;
    let head = chain::head(&p).unwrap();
    let l = lines(&p);
    rewrite(&p, &l[..3]);
    assert!(verify(&p).unwrap().is_intact(), "without a head a clean cut is a shorter chain");
    let v = verify_with_head(&p, &head).unwrap();
    let b = v.broken().unwrap();
    assert_eq!((b.line, b.kind), (4, BreakKind::Truncated), "{v}");
    assert!(v.to_string().contains("2 record(s) were cut off the end"), "{v}");
    // A head whose record was rewritten.
    let forged = Head { seq: 2, hash: "ab".repeat(32) };
    assert_eq!(verify_with_head(&p, &forged).unwrap().broken().unwrap().line, 2);

    // An empty line in the middle.
    let p = fresh(d, "blank.jsonl", 3).await;
    let mut l = lines(&p);
    l.insert(1, String::new());
    rewrite(&p, &l);
    assert_eq!(at(&p), (2, BreakKind::NotARecord));
}

#[tokio::test]
async fn the_chain_resumes_after_a_restart_mid_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    write_records(&path, 3).await; // one process
    write_records(&path, 4).await; // the next, after a restart
    assert_eq!(verify(&path).unwrap().to_string(), "intact, 7 records");
    // An interrupted write left a torn line; the next process cuts it off and goes on.
    {
        use std::io::Write as _;
        std::fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(b"{\"seq\":8,\"pre").unwrap();
    }
    write_records(&path, 1).await;
    assert_eq!(verify(&path).unwrap().to_string(), "intact, 8 records");
    // A file whose last line is not a chained record is refused (fail closed).
    let legacy = dir.path().join("legacy.jsonl");
    std::fs::write(&legacy, "{\"message\":\"old format\"}\n").unwrap();
    assert!(JsonLinesSink::open(&legacy).is_err());
    let sink = JsonLinesSink::new(&legacy);
    let policy = Policy::from_toml(POLICY).unwrap();
    let rec = auth0_mgmt_policy::AuditRecord::refusal(
        &policy,
        "bot",
        auth0_mgmt_policy::audit::Refused::Other("mcp.tools_call"),
        &auth0_mgmt_policy::audit::new_call_id(),
        "call a tool",
        "unknown_tool",
        "no",
        std::time::SystemTime::now(),
    );
    assert!(sink.write(&rec).is_err());
}

#[test]
fn two_writers_keep_one_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let policy = Policy::from_toml(POLICY).unwrap();
    // Two sinks on the same file (two open file descriptions, as two processes have),
    // each written from its own threads.
    let a = Arc::new(JsonLinesSink::open(&path).unwrap());
    let b = Arc::new(JsonLinesSink::open(&path).unwrap());
    std::thread::scope(|s| {
        for (i, sink) in [a.clone(), b.clone(), a.clone(), b.clone()].into_iter().enumerate() {
            let policy = &policy;
            s.spawn(move || {
                for j in 0..50 {
                    let rec = auth0_mgmt_policy::AuditRecord::refusal(
                        policy,
                        "bot",
                        auth0_mgmt_policy::audit::Refused::Other("mcp.tools_call"),
                        &auth0_mgmt_policy::audit::new_call_id(),
                        &format!("writer {i} record {j}"),
                        "test",
                        "two writers",
                        std::time::SystemTime::now(),
                    );
                    AuditSink::write(&*sink, &rec).unwrap();
                }
            });
        }
    });
    assert_eq!(verify(&path).unwrap().to_string(), "intact, 200 records");
    assert_eq!(a.head().unwrap(), b.head().unwrap());
    assert_eq!(a.head().unwrap().seq, 200);
}
