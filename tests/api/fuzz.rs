//! Schemathesis over the served document (`tests/fuzz/`): every phase (examples, coverage,
//! fuzzing, stateful), a fixed seed, a bounded number of examples. Any server error, answer
//! that does not match its schema, undocumented status, refused valid request or accepted
//! invalid one fails the test, except the rules `tests/fuzz/schemathesis.toml` allow-lists with
//! its reasons.
//!
//! The fuzzer is installed on first use (`tests/fuzz/install.sh`, pinned). Without Python the
//! test says so and passes, unless `TOLLGATE_REQUIRE_FUZZ=1` (as in CI), where that fails.

use std::path::Path;
use std::process::Stdio;

use crate::helpers::{spawn_app, tool_missing};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The schemathesis executable, installing it if needed.
async fn schemathesis() -> Option<std::path::PathBuf> {
    let bin = root().join(".tools/fuzz/bin/schemathesis");
    let installed = tokio::process::Command::new(root().join("tests/fuzz/install.sh"))
        .current_dir(root())
        .stdin(Stdio::null())
        .status()
        .await
        .is_ok_and(|s| s.success());
    if installed && bin.exists() {
        return Some(bin);
    }
    tool_missing(
        "TOLLGATE_REQUIRE_FUZZ",
        "schemathesis could not be installed (tests/fuzz/install.sh needs python3 with venv and PyPI)",
    );
    None
}

#[actix_web::test]
async fn schemathesis_finds_nothing_outside_the_allow_list() {
    let Some(st) = schemathesis().await else { return };
    let app = spawn_app().await;
    let tenant = app.signup().await;
    let out = tokio::process::Command::new(st)
        .current_dir(root().join("tests/fuzz"))
        .env("TOLLGATE_SECRET_KEY", &tenant.sk_test)
        .env("TOLLGATE_USER_TOKEN", &tenant.token)
        .env("NO_COLOR", "1")
        .args(["run", &app.url("/openapi.json"), "--url", &app.url("")])
        .stdin(Stdio::null())
        .output()
        .await
        .expect("schemathesis runs");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "schemathesis found failures:\n{report}\n{}", String::from_utf8_lossy(&out.stderr));
    // Every operation of the document was exercised.
    let operations = tollgate::openapi::spec_value()["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum::<usize>();
    assert!(report.contains(&format!("Tested: {operations}")), "not every operation was tested:\n{report}");
}
