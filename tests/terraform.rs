//! Terraform loaders: deterministic mutation fuzzing of the HCL and plan fixtures, hostile
//! inputs, and the real public modules of the shared corpus.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use iamlint::lint::{self, Options};
use iamlint::load;
use iamlint::source::SourceFile;

/// xorshift: failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    ",",
    "=",
    "\"",
    "\n",
    "  ",
    "*",
    "#",
    "//",
    "/*",
    "*/",
    "${",
    "%{",
    "$${",
    "<<EOF\n",
    "<<-EOT\n",
    "\nEOF\n",
    "local.",
    "var.",
    "data.",
    "aws_iam_role.x.arn",
    "jsonencode(",
    "file(\"",
    "dynamic \"statement\" {",
    "é",
    "\\",
    "statement {",
    "principals {",
    "? ",
    ": ",
    "for x in ",
    "...",
    "[*]",
    ".0",
];

fn fixtures() -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut files = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap().flatten() {
        for entry in std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.ends_with(".tf") || name.ends_with(".tfplan.json") {
                let text = std::fs::read_to_string(entry.path()).unwrap();
                files.push((name, text));
            }
        }
    }
    files.sort();
    files
}

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(chars.len() + 1).min(chars.len());
        match rng.below(4) {
            0 => chars.truncate(at),
            1 => {
                let end = (at + rng.below(20)).min(chars.len());
                chars.drain(at..end);
            }
            2 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                for (i, c) in token.chars().enumerate() {
                    chars.insert(at + i, c);
                }
            }
            _ => {
                let end = (at + rng.below(60)).min(chars.len());
                let slice: Vec<char> = chars[at..end].to_vec();
                let to = rng.below(chars.len() + 1).min(chars.len());
                for (i, c) in slice.into_iter().enumerate() {
                    chars.insert(to + i, c);
                }
            }
        }
    }
    chars.into_iter().collect()
}

fn check(source: &SourceFile) -> bool {
    let Ok(loaded) = load::load(0, source, true) else {
        return false;
    };
    let mut findings = Vec::new();
    iamlint::rules::check_model(
        &loaded.model,
        iamlint::rules::RULES,
        &Default::default(),
        &mut findings,
    );
    for f in &findings {
        assert!(
            source.text.get(f.span.range()).is_some(),
            "{}: bad span {:?} for {}",
            source.display,
            f.span,
            f.rule.name
        );
        let _ = source.line_col(f.span.start);
    }
    for comment in loaded.files.iter().flat_map(|f| &f.comments) {
        assert!(source.text.get(comment.span.range()).is_some());
    }
    true
}

#[test]
fn mutated_terraform_never_panics() {
    let inputs = fixtures();
    assert!(
        inputs.len() >= 10,
        "found {} Terraform fixtures",
        inputs.len()
    );
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut loaded = 0;
    for (name, text) in &inputs {
        for _ in 0..60 {
            let mutated = mutate(text, &mut rng);
            // Keep the extension: the content must reach the Terraform loaders.
            let source = SourceFile::new(PathBuf::from(name), name.clone(), mutated);
            loaded += usize::from(check(&source));
        }
    }
    assert!(loaded > 100, "only {loaded} mutated files loaded");
}

#[test]
fn hostile_terraform_is_an_error_or_loads() {
    let cases = [
        "a = ".to_string() + &"[".repeat(100_000),
        "a = ".to_string() + &"(".repeat(100_000),
        "locals {\n".to_string() + &"a = local.a\n".repeat(100) + "}\n",
        // Fan-out: every local doubles the one before it.
        {
            let mut text = String::from("locals {\n  l0 = [\"x\"]\n");
            for i in 1..40 {
                text.push_str(&format!(
                    "  l{i} = concat(local.l{}, local.l{})\n",
                    i - 1,
                    i - 1
                ));
            }
            text.push_str("}\nresource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({Statement = [{Effect = \"Allow\", Action = local.l39, Resource = \"*\"}]})\n}\n");
            text
        },
        "resource \"aws_iam_policy\" \"p\" {\n  policy = <<EOF\n".to_string()
            + &"{".repeat(10_000)
            + "\nEOF\n}\n",
        "x = \"${".repeat(10_000),
        "/* never closed".to_string(),
        "\u{feff}resource \"aws_iam_role\" \"r\" {}\n".to_string(),
    ];
    for text in cases {
        let source = SourceFile::new(PathBuf::from("main.tf"), "main.tf".into(), text);
        let _ = check(&source);
    }
    let plans = [
        r#"{"format_version":"1.2","terraform_version":"1","planned_values":{"root_module":{"resources":[{"type":"aws_iam_policy","values":{"policy":"{\"Statement\":"}}]}}}"#.to_string(),
        format!(
            r#"{{"format_version":"1.2","terraform_version":"1","planned_values":{{"root_module":{}}}}}"#,
            "{\"child_modules\":[".repeat(200) + &"]}".repeat(200)
        ),
    ];
    for text in plans {
        let source = SourceFile::new(PathBuf::from("plan.json"), "plan.json".into(), text);
        let _ = check(&source);
    }
}

/// Where the shared corpus of real public templates is, when this machine has it.
fn corpus(name: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("IAMLINT_CORPUS")
        .map_or_else(|| PathBuf::from("/work/shared/corpus"), PathBuf::from)
        .join(name);
    dir.is_dir().then_some(dir)
}

fn lint_dir(dir: &Path) -> lint::Outcome {
    lint::run(&Options {
        paths: vec![dir.to_path_buf()],
        excludes: Vec::new(),
        max_file_size: lint::DEFAULT_MAX_FILE_SIZE,
        rules: iamlint::rules::RULES.to_vec(),
        input_format: None,
    })
}

#[test]
fn public_terraform_modules_load_and_report_wildcards_in_place() {
    // (corpus folder, a file, the line and column of a wildcard written there)
    let cases = [
        (
            "terraform-aws-modules__terraform-aws-lambda",
            "examples/complete/main.tf",
            "\"xray:*\"",
        ),
        (
            "terraform-aws-modules__terraform-aws-iam",
            "modules/iam-role-for-service-accounts/policies.tf",
            "\"vpc-lattice:*\"",
        ),
        (
            "aws-samples__aws-sam-terraform-examples",
            "zip_based_lambda_functions/api-lambda-dynamodb-example/main.tf",
            "\"*\"",
        ),
    ];
    let mut checked = 0;
    for (name, file, needle) in cases {
        let Some(dir) = corpus(name) else {
            eprintln!("corpus folder {name} not found; skipped");
            continue;
        };
        let outcome = lint_dir(&dir);
        let tf_errors: Vec<_> = outcome
            .errors
            .iter()
            .filter(|e| e.path.ends_with(".tf"))
            .collect();
        assert!(tf_errors.is_empty(), "{name}: {tf_errors:?}");
        assert!(outcome.files_linted > 0);
        let found = outcome.findings.iter().any(|f| {
            let source = &outcome.sources[f.file];
            source.display.ends_with(file)
                && matches!(
                    f.rule.name,
                    "wildcard-action" | "service-wildcard-action" | "wildcard-resource"
                )
                && source.slice(f.span) == needle
        });
        assert!(found, "{name}: no wildcard finding on `{needle}` in {file}");
        checked += 1;
    }
    eprintln!("{checked} corpus folders checked");
}

#[test]
fn hcl_comments_suppress_findings_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("main.tf");
    std::fs::write(
        &path,
        r#"data "aws_iam_policy_document" "admin" {
  # iamlint: ignore[wildcard-action] break-glass role, reviewed by security
  statement {
    actions   = ["*"]
    resources = ["arn:aws:s3:::break-glass/*"]
  }
  statement {
    actions   = ["*"] // iamlint: ignore[wildcard-action] same review
    resources = ["arn:aws:s3:::audit/*"]
  }
  statement {
    actions   = ["*"]
    resources = ["arn:aws:s3:::other/*"]
  }
}
"#,
    )
    .unwrap();
    let outcome = lint::run(&Options {
        paths: vec![path],
        excludes: Vec::new(),
        max_file_size: lint::DEFAULT_MAX_FILE_SIZE,
        rules: vec![iamlint::rules::find("wildcard-action").unwrap()],
        input_format: None,
    });
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    let lines: Vec<usize> = outcome
        .findings
        .iter()
        .map(|f| outcome.sources[f.file].line_col(f.span.start).line)
        .collect();
    assert_eq!(lines, [12], "only the unsuppressed statement is reported");
    assert_eq!(outcome.suppressed.len(), 2);
}

#[test]
fn fixes_apply_to_hcl_and_never_to_plans() {
    let dir = tempfile::tempdir().unwrap();
    let tf = dir.path().join("main.tf");
    std::fs::write(
        &tf,
        r#"resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "logs:*", Resource = "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/fn:*" }]
  })
}
"#,
    )
    .unwrap();
    let plan = dir.path().join("plan.json");
    let plan_text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/wildcard-action/fires-star-action.tfplan.json"),
    )
    .unwrap()
    .replace(r#"\"Action\":\"*\""#, r#"\"Action\":\"logs:*\""#);
    assert!(plan_text.contains("logs:*"));
    std::fs::write(&plan, &plan_text).unwrap();
    let outcome = lint::run(&Options {
        paths: vec![tf.clone(), plan.clone()],
        excludes: Vec::new(),
        max_file_size: lint::DEFAULT_MAX_FILE_SIZE,
        rules: iamlint::rules::RULES.to_vec(),
        input_format: None,
    });
    for path in [&tf, &plan] {
        assert!(
            outcome
                .findings
                .iter()
                .any(|f| f.fix.is_some() && outcome.sources[f.file].path == *path),
            "{} has no fix to apply",
            path.display()
        );
    }
    iamlint::fix::apply(&outcome, true).unwrap();
    let fixed = std::fs::read_to_string(&tf).unwrap();
    assert!(
        iamlint::syntax::hcl::parse_hcl(&fixed).is_ok(),
        "fixed HCL must parse:\n{fixed}"
    );
    assert!(fixed.contains("Action = [\"logs:"), "{fixed}");
    assert_eq!(std::fs::read_to_string(&plan).unwrap(), plan_text);
}

/// Rule names reported about one function and the policies of its role.
fn rule_names(paths: &[PathBuf], function: &str) -> std::collections::BTreeSet<String> {
    let outcome = lint::run(&Options {
        paths: paths.to_vec(),
        excludes: Vec::new(),
        max_file_size: lint::DEFAULT_MAX_FILE_SIZE,
        rules: iamlint::rules::RULES.to_vec(),
        input_format: None,
    });
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    outcome
        .findings
        .iter()
        .filter(|f| {
            f.message.contains(function) || f.related.iter().any(|r| r.label.contains(function))
        })
        .map(|f| f.rule.name.to_string())
        .collect()
}

#[test]
fn the_same_lambda_in_sam_and_terraform_gives_the_same_rules() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut sam = rule_names(
        &[root.join("examples/lambda-s3/template.yaml")],
        "ProcessUploadedFile",
    );
    // Only the template's function has its code on disk (`CodeUri: src/`; the Terraform
    // one is a zip), so only there can the code rules say the S3 reads go unused.
    assert!(sam.remove("unused-permission"), "{sam:?}");
    let hcl = rule_names(
        &[root.join("tests/data/terraform/lambda-s3.tf")],
        "process_uploaded_file",
    );
    let plan = rule_names(
        &[root.join("tests/data/terraform/lambda-s3.plan.json")],
        "process_uploaded_file",
    );
    assert!(sam.contains("service-wildcard-action"), "{sam:?}");
    assert!(sam.contains("lambda-no-dlq"), "{sam:?}");
    assert_eq!(sam, hcl);
    assert_eq!(sam, plan);
}

/// (rule, file name relative to the fixture, line) of every finding, sorted.
fn placed(outcome: &lint::Outcome, root: &Path) -> Vec<(String, String, usize)> {
    let mut out: Vec<(String, String, usize)> = outcome
        .findings
        .iter()
        .map(|f| {
            let source = &outcome.sources[f.file];
            let name = source
                .path
                .strip_prefix(root)
                .unwrap_or(&source.path)
                .to_string_lossy()
                .replace('\\', "/");
            (
                f.rule.name.to_string(),
                name,
                source.line_col(f.span.start).line,
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn local_modules_are_followed_with_the_callers_inputs() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/terraform/local-module");
    let wildcard = |outcome: &lint::Outcome| -> Vec<(String, usize)> {
        placed(outcome, &root)
            .into_iter()
            .filter(|(rule, _, _)| rule == "service-wildcard-action")
            .map(|(_, file, line)| (file, line))
            .collect()
    };
    // Only the caller is named: the module folder is read from disk as its dependency.
    let caller = lint_dir(&root.join("main.tf"));
    assert!(caller.errors.is_empty(), "{:?}", caller.errors);
    assert_eq!(caller.files_linted, 1);
    assert_eq!(
        wildcard(&caller),
        [
            // `actions = ["s3:*"]` and the `dynamodb:*` policy are written by the caller...
            ("main.tf".to_string(), 4),
            ("main.tf".to_string(), 7),
            // ...`sqs:*` in the module.
            ("modules/worker/main.tf".to_string(), 15),
        ]
    );
    // `role = module.worker.role_arn` reaches the module's role through its output.
    assert!(placed(&caller, &root)
        .iter()
        .any(|(rule, file, line)| rule == "lambda-role-missing-logs"
            && file == "modules/worker/main.tf"
            && *line == 20));
    let notes: Vec<&str> = caller.notes.iter().map(|n| n.message.as_str()).collect();
    assert!(notes.iter().any(|n| n.contains("(a cycle)")), "{notes:?}");
    assert!(
        notes
            .iter()
            .any(|n| n.contains("./modules/nope") && n.contains("no .tf files")),
        "{notes:?}"
    );

    // The whole folder: the module is also linted on its own, without inputs; what is
    // written in it is reported once.
    let all = lint_dir(&root);
    assert!(all.errors.is_empty(), "{:?}", all.errors);
    assert_eq!(wildcard(&all), wildcard(&caller));
    let found = placed(&all, &root);
    let mut unique = found.clone();
    unique.dedup();
    assert_eq!(found, unique, "no finding twice at one place");
}

#[test]
fn a_broken_module_folder_is_an_error_of_its_own_file() {
    let dir = std::env::temp_dir().join(format!("iamlint-broken-module-{}", std::process::id()));
    let module = dir.join("modules/bad");
    std::fs::create_dir_all(&module).unwrap();
    std::fs::write(
        dir.join("main.tf"),
        "module \"bad\" {\n  source = \"./modules/bad\"\n  x = [\"s3:*\"]\n}\n",
    )
    .unwrap();
    std::fs::write(module.join("main.tf"), "resource \"aws_iam_role\" {{{\n").unwrap();
    let outcome = lint_dir(&dir.join("main.tf"));
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(outcome.files_linted, 1);
    assert_eq!(outcome.errors.len(), 1, "{:?}", outcome.errors);
    assert!(outcome.errors[0].path.ends_with("modules/bad/main.tf"));
    assert!(outcome.errors[0].message.contains("invalid Terraform HCL"));
}

#[test]
fn policy_files_are_read_from_disk_when_only_the_module_file_is_linted() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/terraform/file-policy");
    let outcome = lint_dir(&root.join("main.tf"));
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    assert!(
        placed(&outcome, &root).contains(&(
            "wildcard-action".to_string(),
            "policy.json".to_string(),
            3
        )),
        "{:?}",
        placed(&outcome, &root)
    );
}
