//! The README's quick start is `examples/quick_start.rs` word for word, so
//! the program CI runs against the reference server (the product matrix's
//! `examples` scenarios) is the one readers copy. Issue 20: the quick start
//! emitted `license_check` with a bare string, which the server refuses
//! (`INVALID_PAYLOAD`; it expects `{license_key}`).

#[test]
fn readme_quick_start_is_the_quick_start_example() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let example =
        std::fs::read_to_string(root.join("examples/quick_start.rs")).expect("quick_start.rs");
    let section = readme
        .split_once("## Quick start")
        .expect("a quick start section")
        .1;
    let block = section
        .split_once("```rust,no_run\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .expect("a rust block in the quick start")
        .0;
    // The example opens with two lines of module docs the README leaves out.
    let code: String = example
        .lines()
        .skip_while(|l| l.starts_with("//!"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        block, code,
        "README quick start and examples/quick_start.rs differ"
    );
    assert!(
        !block.contains("emit_with_ack(\"license_check\""),
        "license_check goes through Omni::license_check ({{license_key}})"
    );
}
