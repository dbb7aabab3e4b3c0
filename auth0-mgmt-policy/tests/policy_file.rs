//! Policy file hygiene: every mistake is a load error naming its line, and a file that
//! fails to load grants nothing.

use auth0_mgmt::catalog::Resource;
use auth0_mgmt::{Request, UserId, catalog};
use auth0_mgmt_policy::{Action, Level, Mode, Policy, PolicyError};

const GOOD: &str = r#"schema_version = 1

[guardrails]
protected_users = ["auth0|break-glass"]

[agents.support-bot]
description = "Answers tickets"
resources = { users = "full", logs = "read" }
actions = ["update_app_metadata"]

[agents.provisioner]
mode = "dry_run"
[agents.provisioner.resources]
roles = "full"
clients = "read"
[agents.provisioner.allow]
roles = ["rol_a"]
"#;

fn err(text: &str) -> PolicyError {
    Policy::from_toml(text).expect_err("must not load")
}

/// Replaces line `n` (1-based) of GOOD.
fn with_line(n: usize, line: &str) -> String {
    let mut lines: Vec<&str> = GOOD.lines().collect();
    lines[n - 1] = line;
    lines.join("\n")
}

#[test]
fn a_good_file_loads() {
    let p = Policy::from_toml(GOOD).unwrap();
    let s = p.agent("support-bot").unwrap();
    assert_eq!(s.level(Resource::Users), Level::Full);
    assert_eq!(s.level(Resource::Logs), Level::Read);
    assert_eq!(s.level(Resource::Clients), Level::Off, "not named = off");
    assert!(s.has(Action::UpdateAppMetadata) && !s.has(Action::DeleteUsers));
    assert_eq!(s.mode(), Mode::Enforce);
    assert_eq!(s.description(), Some("Answers tickets"));
    let prov = p.agent("provisioner").unwrap();
    assert_eq!(prov.mode(), Mode::DryRun);
    assert!(prov.allow().roles.allows("rol_a") && !prov.allow().roles.allows("rol_b"));
    assert!(!prov.allow().clients.allows("anything"), "an absent allow-list allows nothing");
    assert_ne!(p.version(), Policy::from_toml(&format!("{GOOD}\n")).unwrap().version());
}

#[test]
fn unknown_keys_name_their_line() {
    let cases = [
        (1, "schema_versoin = 1"),
        (4, "protected_user = [\"auth0|x\"]"),
        (7, "descripton = \"x\""),
        (9, "action = [\"update_app_metadata\"]"),
        (12, "mod = \"dry_run\""),
        (17, "role = [\"rol_a\"]"),
    ];
    for (line, text) in cases {
        let e = err(&with_line(line, text));
        assert_eq!(e.line(), Some(line), "{text}: {e}");
        assert!(e.message().contains("unknown field"), "{text}: {e}");
    }
    let e = err(&format!("{GOOD}\n[agents.support-bot.extra]\nx = 1\n"));
    assert!(e.to_string().contains("unknown field `extra`"), "{e}");
}

#[test]
fn misspelt_resources_name_their_line() {
    for (name, hint) in [
        ("Users", "did you mean `users`"),
        ("user", "did you mean `users`"),
        ("us\u{0435}rs", "U+0435"),        // Cyrillic е
        ("\u{0455}essions", "look-alike"), // Cyrillic ѕ
        ("resource-servers", "did you mean `resource_servers`"),
        ("tenants", "expected one of: users, roles"),
    ] {
        let e = err(&with_line(8, &format!("resources = {{ \"{name}\" = \"full\", logs = \"read\" }}")));
        assert_eq!(e.line(), Some(8), "{name}: {e}");
        assert!(e.message().contains(hint), "{name}: {e}");
        // The same in table form.
        let e = err(&with_line(14, &format!("\"{name}\" = \"full\"")));
        assert_eq!(e.line(), Some(14), "{name}: {e}");
    }
}

#[test]
fn unknown_levels_modes_and_actions_name_their_line() {
    let e = err(&with_line(14, "roles = \"write\""));
    assert_eq!(e.line(), Some(14));
    assert!(e.message().contains("unknown level `write`"), "{e}");
    let e = err(&with_line(14, "roles = \"Full\""));
    assert!(e.message().contains("did you mean `full`"), "{e}");
    let e = err(&with_line(12, "mode = \"dryrun\""));
    assert_eq!(e.line(), Some(12));
    assert!(e.message().contains("did you mean `dry_run`"), "{e}");
    let e = err(&with_line(9, "actions = [\"update_app_metadata\", \"delete_user\"]"));
    assert_eq!(e.line(), Some(9));
    assert_eq!(
        e.to_string(),
        "line 9, column 35: unknown action `delete_user`; did you mean `delete_users`? (expected one of: delete_users, update_user_credentials, update_app_metadata, assign_roles, remove_roles, create_clients, update_clients, delete_clients, update_client_credentials, read_client_secrets, create_connections, add_organization_members, delete_grants, revoke_refresh_tokens)"
    );
    let e = err(&with_line(9, "actions = [\"launch_missiles\"]"));
    assert!(e.message().starts_with("unknown action `launch_missiles`"), "{e}");
}

#[test]
fn actions_the_agent_cannot_reach_are_load_errors() {
    // delete_clients with clients not named (off).
    let e = err(&with_line(9, "actions = [\"update_app_metadata\", \"delete_clients\"]"));
    assert_eq!(e.line(), Some(9));
    assert!(e.message().contains("needs clients = \"full\"") && e.message().contains("not named, so off"), "{e}");
    // delete_users with users = "read".
    let text = GOOD.replace("users = \"full\"", "users = \"read\"");
    let e = err(&text);
    assert_eq!(e.line(), Some(9));
    assert!(e.message().contains("has users = \"read\""), "{e}");
    // read_client_secrets only needs read.
    let text = format!(
        "{GOOD}\n[agents.auditor]\nresources = {{ clients = \"read\" }}\nactions = [\"read_client_secrets\"]\n"
    );
    Policy::from_toml(&text).unwrap();
    // Listed twice.
    let e = err(&with_line(9, "actions = [\"update_app_metadata\", \"update_app_metadata\"]"));
    assert!(e.message().contains("listed twice"), "{e}");
}

#[test]
fn other_rules() {
    let e = err(&GOOD.replace("schema_version = 1", "schema_version = 2"));
    assert_eq!(e.line(), Some(1));
    assert!(e.message().contains("unsupported schema_version 2"), "{e}");
    let e = err(&GOOD.replace("schema_version = 1\n", ""));
    assert!(e.message().contains("schema_version"), "{e}");
    let e = err(&with_line(6, "[agents.\"supp\u{043e}rt-bot\"]"));
    assert_eq!(e.line(), Some(6));
    assert!(e.message().contains("non-ASCII"), "{e}");
    let e = err(&with_line(6, "[agents.\"support bot\"]"));
    assert_eq!(e.line(), Some(6));
    let e = err(&with_line(4, "protected_users = [\"..\"]"));
    assert_eq!(e.line(), Some(4));
    let e = err(&with_line(17, "roles = [\"*\", \"rol_a\"]"));
    assert_eq!(e.line(), Some(17));
    let e = err(&with_line(17, "roles = [\"rol_a\", \"rol_a\"]"));
    assert!(e.message().contains("listed twice"), "{e}");
    let e = err("schema_version = 1\n[agents.a\n");
    assert_eq!(e.line(), Some(2));
}

#[test]
fn a_file_that_fails_to_load_denies_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.toml");
    std::fs::write(&path, with_line(12, "mod = \"dry_run\"")).unwrap();
    let e = Policy::from_file(&path).unwrap_err();
    assert!(e.to_string().starts_with(&format!("{}: line 12, column 1: unknown field `mod`", path.display())), "{e}");
    let p = Policy::load_or_deny_all(&path);
    assert!(p.is_deny_all());
    let req = Request::new(&catalog::USERS_GET).id(&UserId::new("auth0|1").unwrap());
    for agent in ["support-bot", "provisioner", "anyone"] {
        assert_eq!(p.decide(agent, &req).deny_code().unwrap().as_str(), "policy_not_loaded");
    }
    std::fs::write(&path, GOOD).unwrap();
    let p = Policy::load_or_deny_all(&path);
    assert!(p.decide("support-bot", &req).is_allowed());
    assert!(matches!(Policy::from_file(dir.path().join("missing.toml")), Err(PolicyError::Io { .. })));
}

const V2: &str = r#"schema_version = 1

[approvals]
expire_after_minutes = 30
approvers = ["alice@acme.com", "bob@acme.com"]

[agents.support-bot]
resources = { users = "full", roles = "full" }
actions = ["update_app_metadata"]
approve = ["delete_users", "assign_roles"]
limits = { calls_per_minute = 120, writes_per_hour = 30 }

[agents.meta]
resources = { users = "full" }
approve = ["update_user_credentials"]
approval = "client"
approvers = ["carol"]
limits = { calls_per_hour = 1000, calls_per_day = 5000, writes_per_minute = 5, writes_per_day = 50, calls_per_minute = 60, writes_per_hour = 20 }
"#;

#[test]
fn approvals_and_limits_load() {
    use auth0_mgmt::ApprovalChannel;
    use std::time::Duration;
    let p = Policy::from_toml(V2).unwrap();
    assert_eq!(p.approvals().expire_after, Duration::from_secs(30 * 60));
    let s = p.agent("support-bot").unwrap();
    assert!(s.approve().contains(Action::DeleteUsers) && s.approve().contains(Action::AssignRoles));
    assert!(!s.has(Action::DeleteUsers), "approve is not a grant");
    assert!(s.may_request(Action::DeleteUsers) && s.may_request(Action::UpdateAppMetadata));
    assert!(!s.may_request(Action::RemoveRoles));
    assert_eq!(s.approval_channel(), ApprovalChannel::Operator, "the default");
    assert_eq!(s.approvers(), ["alice@acme.com", "bob@acme.com"], "the tenant-wide approvers");
    let keys: Vec<&str> = s.limits().all().iter().map(|w| w.key()).collect();
    assert_eq!(keys, ["calls_per_minute", "writes_per_hour"]);
    assert_eq!(s.limits().windows(false).len(), 1);
    let m = p.agent("meta").unwrap();
    assert_eq!(m.approval_channel(), ApprovalChannel::Client);
    assert_eq!(m.approvers(), ["carol"]);
    assert_eq!(m.limits().all().len(), 6);
    // Defaults: 15 minutes, no approvers, no limits.
    let plain = Policy::from_toml(GOOD).unwrap();
    assert_eq!(plain.approvals().expire_after, auth0_mgmt_policy::DEFAULT_APPROVAL_TTL);
    assert!(plain.agent("support-bot").unwrap().limits().is_empty());
    // The decision: a call needing an approvable action awaits approval; deny wins.
    let id: UserId = "auth0|1".parse().unwrap();
    let d = p.decide("support-bot", &Request::new(&catalog::USERS_DELETE).id(&id));
    assert_eq!(d.needs_approval().map(|a| a.contains(Action::DeleteUsers)), Some(true));
    assert!(!d.is_allowed() && d.denial().is_none());
}

#[test]
fn approval_and_limit_mistakes_are_load_errors() {
    let agent = "[agents.a]\nresources = { users = \"full\", roles = \"read\", clients = \"read\" }\n";
    let cases: &[(&str, &str)] = &[
        ("approve = [\"delete_userz\"]", "did you mean `delete_users`"),
        ("approve = [\"assign_roles\"]", "needs roles = \"full\""),
        ("approve = [\"read_client_secrets\"]", "not to a request a human could approve"),
        ("actions = [\"delete_users\"]\napprove = [\"delete_users\"]", "also in `actions`"),
        ("approve = [\"delete_users\", \"delete_users\"]", "listed twice"),
        ("approval = \"client\"", "no effect without `approve"),
        ("approve = [\"delete_users\"]\napproval = \"Client\"", "did you mean `client`"),
        ("approvers = [\"alice\"]", "no effect without `approve"),
        ("approve = [\"delete_users\"]\napprovers = [\"a\"]", "is an agent of this policy"),
        ("approve = [\"delete_users\"]\napprovers = [\" alice\"]", "leading or trailing spaces"),
        ("approve = [\"delete_users\"]\napprovers = [\"alice\", \"alice\"]", "listed twice"),
        ("limits = { calls_per_minute = 0 }", "must be 1 to 100000, not 0"),
        ("limits = { calls_per_minute = -5 }", "must be 1 to 100000"),
        ("limits = { writes_per_hour = 100001 }", "must be 1 to 100000"),
        ("limits = { calls_per_second = 5 }", "unknown field `calls_per_second`"),
        ("limits = {}", "names no limit"),
        ("limits = { calls_per_minute = \"120\" }", "invalid type"),
    ];
    for (extra, want) in cases {
        let text = format!("schema_version = 1\n{agent}{extra}\n");
        let e = err(&text);
        assert!(e.message().contains(want), "{extra}: {e}");
        assert!(e.line().is_some_and(|l| l >= 3), "{extra}: {e}");
    }
    for (top, want) in [
        ("[approvals]\nexpire_after_minutes = 0", "must be 1 to 1440"),
        ("[approvals]\nexpire_after_minutes = 2000", "must be 1 to 1440"),
        ("[approvals]\nttl = 5", "unknown field `ttl`"),
    ] {
        let e = err(&format!("schema_version = 1\n{top}\n"));
        assert!(e.message().contains(want), "{top}: {e}");
    }
    // A file that fails to load denies everything.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.toml");
    std::fs::write(&path, format!("schema_version = 1\n{agent}limits = {{ calls_per_minute = 0 }}\n")).unwrap();
    let p = Policy::load_or_deny_all(&path);
    assert!(p.is_deny_all());
    let id: UserId = "auth0|1".parse().unwrap();
    assert!(p.decide("a", &Request::new(&catalog::USERS_GET).id(&id)).denial().is_some());
}
