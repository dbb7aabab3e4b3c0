//! The README stays true: its operations table is the catalog's, and it opens with the
//! two commands.

#[test]
fn readme_operations_table_is_generated_from_the_catalog() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("<!-- operations:start -->\n").expect("start marker") + "<!-- operations:start -->\n".len();
    let end = readme.find("<!-- operations:end -->").expect("end marker");
    assert_eq!(&readme[start..end], auth0_mgmt::catalog::markdown_table(), "regenerate the README table");
}

#[test]
fn readme_opens_with_the_two_commands() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let first_block = readme.split("```").nth(1).unwrap();
    assert!(first_block.contains("cargo run --example quickstart"));
    assert!(first_block.contains("cargo test --workspace"));
}

#[test]
fn readme_policy_file_loads() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("<!-- policy:start -->\n```toml\n").expect("policy block")
        + "<!-- policy:start -->\n```toml\n".len();
    let end = readme[start..].find("```").unwrap() + start;
    let policy = auth0_mgmt_policy::Policy::from_toml(&readme[start..end]).expect("the README's policy loads");
    assert_eq!(policy.agent_names(), ["provisioner", "support-bot"]);
    // The example shows approvals and budgets.
    let support = policy.agent("support-bot").unwrap();
    assert!(support.approve().contains(auth0_mgmt_policy::Action::DeleteUsers));
    assert!(!support.limits().is_empty());
    assert!(!policy.approvals().approvers.is_empty());
}
