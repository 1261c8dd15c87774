//! The bodies of the `serverless` and `aws_cli` fuzz targets (fuzz/fuzz_targets/), run here
//! on mutations of this repository's Serverless and AWS CLI fixtures and on the regression
//! inputs kept below, so every `cargo test` exercises them without cargo-fuzz.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use iamlint::load::aws_cli::{self, DumpFile};
use iamlint::load::serverless::{self, IncludeLoader, IncludedFile};
use iamlint::load::Loaded;
use iamlint::rules::{self, RULES};

/// Every include is the input itself, under id 1: includes, self references and include
/// cycles are all reachable from one input.
struct Echo<'a>(&'a str);

impl IncludeLoader for Echo<'_> {
    fn include(&mut self, _from: usize, _path: &str) -> Result<IncludedFile, String> {
        Ok(IncludedFile {
            file: 1,
            text: self.0.to_string(),
        })
    }
}

fn serverless_target(text: &str) {
    let Ok(doc) = iamlint::syntax::parse_yaml(text) else {
        return;
    };
    let Some(root) = doc.roots.first() else {
        return;
    };
    let _ = serverless::sniff("serverless.yml", root);
    let mut loaded = Loaded::default();
    serverless::load(root, 0, text, &mut Echo(text), &mut loaded);
    let mut findings = Vec::new();
    rules::check_model(&loaded.model, RULES, &Default::default(), &mut findings);
    for finding in &findings {
        assert!(finding.file <= 1);
        assert!(
            text.get(finding.span.range()).is_some(),
            "{text:?}: {finding:?}"
        );
    }
}

fn aws_cli_target(text: &str) {
    let Ok(doc) = iamlint::syntax::parse_auto(text, false) else {
        return;
    };
    let Some(root) = doc.roots.first() else {
        return;
    };
    if !aws_cli::sniff(root) {
        return;
    }
    let files = [
        DumpFile {
            file: 0,
            text,
            root,
        },
        DumpFile {
            file: 1,
            text,
            root,
        },
    ];
    let mut loaded = Loaded::default();
    aws_cli::load_unit(&files, &mut loaded);
    let mut findings = Vec::new();
    rules::check_model(&loaded.model, RULES, &Default::default(), &mut findings);
    for finding in &findings {
        assert!(
            text.get(finding.span.range()).is_some(),
            "{text:?}: {finding:?}"
        );
    }
}

/// Inputs that once looked risky: cycles, blow-ups, broken escapes and encodings.
const REGRESSIONS: &[&str] = &[
    "service: s\nprovider:\n  name: aws\nfunctions: ${file(./self.yml)}\n",
    "service: s\nprovider:\n  name: aws\n  iamRoleStatements:\n    - ${file(./x.yml):provider.iamRoleStatements}\n",
    "a: ${self:b}\nb: ${self:a}\nprovider:\n  name: aws\n  environment:\n    X: ${self:a}\nfunctions:\n  f:\n    handler: h\nservice: s\n",
    "service: s\nprovider: {name: aws}\nc:\n  - ${self:}\n  - ${self:}\n  - ${self:}\n  - ${self:}\n  - ${self:}\n",
    "service: s\nprovider:\n  name: aws\n  iam:\n    role:\n      statements: ${self:provider.iam.role.statements}\n",
    "service: é\nprovider:\n  name: aws\n  iamRoleStatements:\n    - Effect: Allow\n      Action: 's3:*'\n      Resource: 'arn:aws:s3:::é${self:service}é/*'\nfunctions: {f: {handler: h}}\n",
    "service: s\nprovider:\n  name: aws\nresources:\n  - Resources: ${file(./r.yml)}\n  - ${file(./r.yml)}\nfunctions:\n  f:\n    role: R\n",
    r#"{"Policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"\u00e9*\",\"Action\":\"*\",\"Resource\":\"*\"}]}", "RevisionId": "r"}"#,
    r#"{"Policy": "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%C3%A9%2A%22%7D%5D%7D", "RevisionId": "r"}"#,
    r#"{"Policy": "%", "RevisionId": "r"}"#,
    r#"{"Policy": "\ud83d\ude00{", "RevisionId": "r"}"#,
    r#"{"RoleDetailList": [{"RoleName": "r", "Arn": "a", "RolePolicyList": [{"PolicyDocument": "%7B%22Statement%22%3A%22x%22%7D"}]}], "Policies": [{"Arn": "p", "PolicyVersionList": [{"IsDefaultVersion": true}]}]}"#,
    r#"{"Functions": [{"FunctionName": "f", "Role": "arn:aws:iam::1:role/a/b/"}, {"FunctionName": "f"}]}"#,
];

#[test]
fn regression_inputs_never_panic() {
    for input in REGRESSIONS {
        serverless_target(input);
        aws_cli_target(input);
    }
}

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
    "${self:",
    "${file(./x.yml)}",
    "${opt:a}",
    "}",
    "{",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "'",
    "\\\"",
    "\\u",
    "%2",
    "%7B",
    "- ",
    "\n",
    "  ",
    "*",
    "é",
    "!GetAtt ",
    "Resources:",
    "functions:",
];

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut out = text.to_string();
    for _ in 0..1 + rng.below(4) {
        let mut at = rng.below(out.len() + 1);
        while !out.is_char_boundary(at) {
            at -= 1;
        }
        match rng.below(3) {
            0 => out.insert_str(at, TOKENS[rng.below(TOKENS.len())]),
            1 => {
                let mut end = (at + rng.below(16)).min(out.len());
                while !out.is_char_boundary(end) {
                    end -= 1;
                }
                out.replace_range(at..end, "");
            }
            _ => out.truncate(at),
        }
    }
    out
}

#[test]
fn mutated_fixtures_never_panic() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut inputs = Vec::new();
    for dir in std::fs::read_dir(root.join("fixtures")).unwrap().flatten() {
        for file in std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = file.file_name().to_string_lossy().to_string();
            if name.contains(".serverless.") || name.contains(".aws-cli.") {
                inputs.push(std::fs::read_to_string(file.path()).unwrap());
            }
        }
    }
    for dir in [
        "tests/data/lambda-s3-formats",
        "tests/data/lambda-s3-formats/aws-dump",
    ] {
        for file in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
            if file.path().is_file() {
                inputs.push(std::fs::read_to_string(file.path()).unwrap());
            }
        }
    }
    assert!(inputs.len() >= 20, "{}", inputs.len());
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    for input in &inputs {
        serverless_target(input);
        aws_cli_target(input);
        for _ in 0..40 {
            let mutated = mutate(input, &mut rng);
            serverless_target(&mutated);
            aws_cli_target(&mutated);
        }
    }
}
