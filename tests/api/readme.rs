//! The README's billing demo ("A month in a second"), run literally: its shell block goes to
//! bash as written, with only the secret key and the address filled in, and what it prints must
//! be what the README says it shows. It needs `curl` and `jq`, as the README says; without them
//! the test says so and passes, except in CI (`CI` set), where it fails.

use serde_json::Value;

use crate::helpers::spawn_app;

fn demo_block() -> String {
    let readme = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let from = readme.find("**A month in a second.**").expect("the README has its billing demo");
    let rest = &readme[from..];
    let start = rest.find("```sh\n").expect("the demo is a sh block") + "```sh\n".len();
    let len = rest[start..].find("```").expect("the block ends");
    rest[start..start + len].to_string()
}

fn have(tool: &str) -> bool {
    std::process::Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success())
}

#[actix_web::test]
async fn the_readme_billing_demo_shows_what_it_says() {
    if !(have("curl") && have("jq")) {
        assert!(std::env::var_os("CI").is_none(), "CI must have curl and jq for the README demo");
        eprintln!("skipped: the README demo needs curl and jq");
        return;
    }
    let app = spawn_app().await;
    let t = app.signup().await;
    // "Load one into a tenant", as the README does before the demo.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/catalogs/hybrid.json");
    let catalog: Value = serde_json::from_str(&std::fs::read_to_string(root).unwrap()).unwrap();
    tollgate::catalog::loader::load(&app.address, &t.sk_test, &catalog).await.unwrap();

    let block = demo_block();
    assert!(block.contains("SK=sk_test_…"), "the block sets SK from a placeholder");
    let host = app.address.trim_start_matches("http://").to_string();
    let script: String = block
        .lines()
        .map(|l| {
            if l.starts_with("SK=sk_test_…") {
                format!("SK={}", t.sk_test)
            } else {
                l.replace("localhost:8080", &host)
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let out = actix_web::web::block(move || {
        std::process::Command::new("bash").arg("-c").arg(format!("set -eo pipefail\n{script}")).output()
    })
    .await
    .unwrap()
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));

    // curl prints compact JSON without a newline, jq pretty JSON: read them as a stream.
    let values: Vec<Value> =
        serde_json::Deserializer::from_str(&stdout).into_iter::<Value>().collect::<Result<_, _>>().unwrap();
    assert_eq!(values.len(), 6, "{stdout}");
    let (subscription, so_far, invoice) = (&values[1], &values[3], &values[5]);
    assert_eq!(subscription["status"], "active", "{stdout}");
    assert_eq!(subscription["current_period_start"], "2030-01-01T00:00:00Z");
    // "→ "286.80", what a usage dashboard shows as "so far this period""
    assert_eq!(so_far, "286.80");
    // The table below the block: the closed period, finalized when the grace hour ended.
    assert_eq!(invoice["status"], "open", "{invoice}");
    assert_eq!(invoice["number"], "TEST-000002");
    let lines: Vec<(&str, &str, &str)> = invoice["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["quantity"].as_str().unwrap(), l["unit_amount"].as_str().unwrap(), l["amount"].as_str().unwrap()))
        .collect();
    assert_eq!(lines, [("1", "99.00", "99.00"), ("70000", "0.002", "140.00")]);
    assert_eq!(invoice["lines"][0]["description"], "Pro: Feb 1, 2030 – Mar 1, 2030");
    assert_eq!((invoice["subtotal"].as_str(), invoice["tax"].as_str()), (Some("239.00"), Some("47.80")));
    assert_eq!(invoice["total"], "286.80");
    assert_eq!(invoice["issued_at"], "2030-02-01T01:00:00Z");
    assert!(invoice["due_at"].as_str().unwrap().starts_with("2030-03-03"), "{invoice}");
}

fn read(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

#[test]
fn the_documents_stand_alone() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).canonicalize().unwrap();
    let link = regex::Regex::new(r"\]\(([^)\s]+)\)").unwrap();
    for doc in ["README.md", "docs/api.md"] {
        let text = read(doc);
        for bad in ["shared/", "DESIGN.md", "API.md"] {
            assert!(!text.contains(bad), "{doc} mentions {bad}, which is not in the repository");
        }
        let dir = root.join(doc).parent().unwrap().to_path_buf();
        for target in link.captures_iter(&text).map(|c| c[1].to_string()) {
            let path = target.split('#').next().unwrap();
            if path.is_empty() || target.starts_with("http://127.0.0.1") || target.starts_with("http://localhost") {
                continue;
            }
            assert!(!path.contains("://"), "{doc} links outside the repository: {target}");
            let resolved =
                dir.join(path).canonicalize().unwrap_or_else(|_| panic!("{doc} links a missing file: {target}"));
            assert!(resolved.starts_with(&root), "{doc} links outside the repository: {target}");
        }
    }
}

/// The server can only answer the codes of `ErrorCode` (the type every error carries), and each
/// of them is in docs/api.md's table and in the README.
#[test]
fn every_error_code_the_server_answers_is_documented() {
    let table = read("docs/api.md");
    let readme = read("README.md");
    let codes = tollgate::error::ErrorCode::ALL;
    assert!(codes.len() > 40);
    let missing: Vec<_> = codes
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !table.contains(&format!("| `{c}` |")) || !readme.contains(&format!("`{c}`")))
        .collect();
    assert!(missing.is_empty(), "codes that docs/api.md's table or the README do not list: {missing:?}");
}
