//! Catalog start-up and lookup cost (budget: first use < 10 ms).
//! Run: `cargo bench --bench catalog`. Plain `std::time`, no harness: the number
//! that matters is the cold first call, which a sampling harness would hide.

// A bench reports on stdout.
#![allow(clippy::print_stdout)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use iamlint::catalog::{arn_is_effectively_wildcard, arn_matches_format, catalog, Expansion};

const ACTIONS: [&str; 10] = [
    "s3:GetObject",
    "S3:PUTOBJECT",
    "lambda:InvokeFunction",
    "dynamodb:Query",
    "logs:PutLogEvents",
    "iam:PassRole",
    "ec2:DescribeInstances",
    "kms:Decrypt",
    "sqs:SendMessage",
    "s3:GetObjets", // miss
];

const KEYS: [&str; 5] = [
    "aws:SourceArn",
    "aws:ResourceTag/team",
    "s3:ExistingObjectTag/team",
    "kms:ViaService",
    "aws:NoSuchKey", // miss: scans the templates
];

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

/// A 100-statement identity policy of the usual Lambda shapes (concrete, partial and
/// service wildcards, scoped and `*` resources, a condition).
fn hundred_statement_policy() -> String {
    let shapes = [
        r#"{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::bucket-N/*"}"#,
        r#"{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}"#,
        r#"{"Effect": "Allow", "Action": ["dynamodb:Get*", "dynamodb:Query"], "Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/T-N"}"#,
        r#"{"Effect": "Allow", "Action": "xray:PutTraceSegments", "Resource": "*"}"#,
        r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*", "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}}"#,
    ];
    let statements: Vec<String> = (0..100)
        .map(|i| shapes[i % shapes.len()].replace('N', &i.to_string()))
        .collect();
    format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [{}]}}",
        statements.join(",\n")
    )
}

fn main() {
    // What a pre-commit run on one policy pays: catalog load, parse and every rule.
    let text = hundred_statement_policy();
    let start = Instant::now();
    let source = iamlint::source::SourceFile::new("bench.json".into(), "bench.json".into(), text);
    let mut findings = Vec::new();
    if let Ok(loaded) = iamlint::load::load(0, &source, true) {
        iamlint::rules::check_model(
            &loaded.model,
            iamlint::rules::RULES,
            &Default::default(),
            &mut findings,
        );
    }
    let policy_lint = start.elapsed();
    println!(
        "catalog load + 100-statement policy, all rules ({} findings): {}",
        findings.len(),
        ms(policy_lint)
    );

    let start = Instant::now();
    let cat = black_box(catalog());
    let first = start.elapsed();

    let t = Instant::now();
    let all = match cat.expand("*") {
        Expansion::Actions(actions) => actions.len(),
        _ => 0,
    };
    let expand_all = t.elapsed();

    let t = Instant::now();
    let mut hits = 0;
    for i in 0..1000 {
        hits += usize::from(cat.action(black_box(ACTIONS[i % ACTIONS.len()])).is_some());
    }
    let lookups = t.elapsed();
    let budget = start.elapsed();

    let t = Instant::now();
    let mut keys = 0;
    for i in 0..1000 {
        keys += usize::from(cat.condition_key(black_box(KEYS[i % KEYS.len()])).is_some());
    }
    let key_lookups = t.elapsed();

    let t = Instant::now();
    let mut patterns = 0;
    for pattern in ["s3:Get*", "ec2:Describe*", "iam:*", "s3:*Object*", "logs:*"]
        .iter()
        .cycle()
        .take(1000)
    {
        patterns += cat.expand(black_box(pattern)).actions().len();
    }
    let pattern_expands = t.elapsed();

    let object = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
    let table = "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}";
    let t = Instant::now();
    let mut arns = 0;
    for _ in 0..500 {
        arns += usize::from(arn_matches_format(
            black_box("arn:${AWS::Partition}:s3:::${Bucket}/*"),
            object,
        ));
        arns += usize::from(arn_is_effectively_wildcard(
            black_box("arn:aws:dynamodb:*:*:table/*"),
            table,
        ));
    }
    let arn_checks = t.elapsed();

    let t = Instant::now();
    let mut suggestions = 0;
    for _ in 0..100 {
        suggestions += usize::from(
            cat.suggest_action(black_box("ec2:DescribeInstancez"))
                .is_some(),
        );
    }
    let suggest = t.elapsed();

    println!(
        "iam catalog {} ({}), {:?}",
        cat.version(),
        cat.date(),
        cat.counts()
    );
    println!("first catalog() call:                 {}", ms(first));
    println!("expand(\"*\") -> {all} actions:         {}", ms(expand_all));
    println!("1000 action lookups ({hits} hits):       {}", ms(lookups));
    println!("budget (first use + * + 1000 lookups): {}", ms(budget));
    println!(
        "1000 condition key lookups ({keys} hits): {}",
        ms(key_lookups)
    );
    println!(
        "1000 wildcard expands ({patterns} actions): {}",
        ms(pattern_expands)
    );
    println!(
        "1000 ARN checks ({arns} true):           {}",
        ms(arn_checks)
    );
    println!(
        "100 suggest_action on ec2 ({suggestions} found): {}",
        ms(suggest)
    );
}
