//! Without the `access-analyzer` feature, `--access-analyzer` is one clear error and exit 2,
//! and the offline findings are still reported.

#![cfg(not(feature = "access-analyzer"))]
#![allow(clippy::unwrap_used)]

use std::process::Command;

#[test]
fn online_mode_without_the_feature_is_an_error_that_keeps_offline_findings() {
    let root = env!("CARGO_MANIFEST_DIR");
    let output = Command::new(env!("CARGO_BIN_EXE_iamlint"))
        .current_dir(root)
        .args([
            "check",
            "examples/lambda-s3/lambda-s3-role.json",
            "--format",
            "json",
        ])
        .args(["--access-analyzer", "--no-config"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("built without online mode"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "service-wildcard-action"));

    // `=optional` keeps the offline exit code.
    let output = Command::new(env!("CARGO_BIN_EXE_iamlint"))
        .current_dir(root)
        .args([
            "check",
            "examples/lambda-s3/lambda-s3-role.json",
            "--format",
            "json",
        ])
        .args(["--access-analyzer=optional", "--no-config"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
}
