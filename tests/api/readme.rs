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
