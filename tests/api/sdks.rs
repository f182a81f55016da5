//! The SDKs (`sdks/`) as a user meets them: regenerated from the document without a
//! difference, and each language's onboarding flow type-checked strictly (`mypy --strict`,
//! `tsc --strict`) and run end to end against a real server.
//!
//! The pinned tools are installed on first use by `sdks/generate.sh`. Without Python or npm the
//! test says so and passes, unless `TOLLGATE_REQUIRE_SDKS=1` (as in CI), where that fails.

use std::path::Path;
use std::process::Stdio;

use crate::helpers::{spawn_app, tool_missing};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `program` in `dir` (under the repository), failing with its output if it fails.
async fn run(dir: &str, program: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    // A path under the repository as it is (a venv's python is a symlink that must stay one).
    let local = root().join(program);
    let out = tokio::process::Command::new(if local.exists() { local } else { program.into() })
        .current_dir(root().join(dir))
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap_or_else(|e| panic!("{program} could not start: {e}"));
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{program} {args:?} failed:\n{stdout}\n{stderr}");
    stdout.into_owned()
}

fn tools_present() -> bool {
    let works = |program: &str, arg: &str| {
        std::process::Command::new(program)
            .arg(arg)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let present = works("python3", "--version") && works("npm", "--version") && works("node", "--version");
    if !present {
        tool_missing("TOLLGATE_REQUIRE_SDKS", "the SDK flows need python3 (with venv), node and npm");
    }
    present
}

#[actix_web::test]
async fn the_sdks_regenerate_unchanged_and_their_flows_pass() {
    if !tools_present() {
        return;
    }
    // Installs the pinned generators and compares a fresh generation with the committed SDKs.
    run(".", "sdks/generate.sh", &["--check"], &[]).await;

    let app = spawn_app().await;
    let url = app.url("");
    let env = [("TOLLGATE_URL", url.as_str()), ("PYTHONPATH", "."), ("NO_COLOR", "1")];

    run("sdks/python", ".tools/sdk/bin/mypy", &["--strict", "examples/onboarding.py"], &env).await;
    let python = run("sdks/python", ".tools/sdk/bin/python", &["examples/onboarding.py"], &env).await;
    assert!(python.contains("verify: 5 granted, then USAGE_EXCEEDED"), "{python}");
    assert!(python.contains("usage 2.50"), "{python}");
    assert!(python.contains("errors: 404 resource_missing, 401 invalid_api_key"), "{python}");

    run("sdks/typescript", "sdks/typescript/node_modules/.bin/tsc", &["-p", "tsconfig.json"], &env).await;
    let typescript = run("sdks/typescript", "node", &["dist/examples/onboarding.js"], &env).await;
    assert!(typescript.contains("verify: 5 granted, then USAGE_EXCEEDED"), "{typescript}");
    assert!(typescript.contains("usage 2.50"), "{typescript}");
    assert!(typescript.contains("errors: 404 resource_missing, 401 invalid_api_key"), "{typescript}");
}
