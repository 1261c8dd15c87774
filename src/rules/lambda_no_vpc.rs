//! A function that talks to a VPC data store but is not attached to a VPC.

use super::{rule_meta, FunctionCx, Rule};
use crate::analysis::statement::allowed_actions;
use crate::catalog::glob_match_ci;
use crate::finding::{Finding, RuleMeta};
use crate::model::{EnvValue, FileModel, PolicyValue, Related, VpcStore};
use crate::source::Span;
use crate::util::english::name_words;

pub struct LambdaNoVpc;

static META: RuleMeta = rule_meta!(
    "LMB003",
    "lambda-no-vpc",
    LambdaPractice,
    Medium,
    "a function that reaches a VPC data store is not attached to a VPC"
);

/// Data-plane actions: calling them means opening a connection to the store itself, which
/// lives in a VPC. Control-plane actions (`rds:DescribeDBInstances`) and HTTPS data APIs
/// (`rds-data:*`, `redshift-data:*`) need no VPC and are left out.
const DATA_PLANE_ACTIONS: &[(&str, &str)] = &[
    ("rds-db:connect", "RDS/Aurora"),
    ("elasticache:Connect", "ElastiCache"),
    ("memorydb:Connect", "MemoryDB"),
    ("redshift:GetClusterCredentials", "Redshift"),
    ("redshift:GetClusterCredentialsWithIAM", "Redshift"),
    ("redshift-serverless:GetCredentials", "Redshift Serverless"),
    ("neptune-db:connect", "Neptune"),
    ("elasticfilesystem:ClientMount", "EFS"),
    ("elasticfilesystem:ClientWrite", "EFS"),
    ("elasticfilesystem:ClientRootAccess", "EFS"),
    ("es:ESHttpGet", "OpenSearch"),
    ("es:ESHttpPost", "OpenSearch"),
    ("es:ESHttpPut", "OpenSearch"),
    ("es:ESHttpDelete", "OpenSearch"),
    ("es:ESHttpHead", "OpenSearch"),
    ("es:ESHttpPatch", "OpenSearch"),
    ("dax:GetItem", "DAX"),
    ("dax:BatchGetItem", "DAX"),
    ("dax:Query", "DAX"),
    ("dax:Scan", "DAX"),
    ("dax:PutItem", "DAX"),
    ("dax:UpdateItem", "DAX"),
    ("dax:DeleteItem", "DAX"),
    ("dax:BatchWriteItem", "DAX"),
    ("dax:ConditionCheckItem", "DAX"),
];

/// Services whose every action is data plane, so `service:*` counts too.
/// `kafka-cluster:*` is left out: Lambda's MSK event source mapping polls the cluster with
/// the function's role from the cluster's own VPC, so those permissions do not mean the
/// function code connects to it.
const ALL_DATA_PLANE: &[&str] = &["rds-db", "neptune-db"];

/// Endpoint host labels (`<x>.<region>.<label>.amazonaws.com`) of VPC-only stores.
const ENDPOINT_LABELS: &[(&str, &str)] = &[
    ("rds", "RDS/Aurora"),
    ("cache", "ElastiCache"),
    ("memorydb", "MemoryDB"),
    ("redshift", "Redshift"),
    ("redshift-serverless", "Redshift Serverless"),
    ("docdb", "DocumentDB"),
    ("docdb-elastic", "DocumentDB"),
    ("neptune", "Neptune"),
    ("efs", "EFS"),
    ("kafka", "MSK"),
    ("dax-clusters", "DAX"),
];

/// Variable name words naming a store (`RDS_ENDPOINT`, `AURORA_HOST`), used when the value
/// is an expression such as `!GetAtt Database.Endpoint.Address`.
const NAME_SERVICES: &[(&str, &str)] = &[
    ("rds", "RDS/Aurora"),
    ("aurora", "RDS/Aurora"),
    ("elasticache", "ElastiCache"),
    ("memorydb", "MemoryDB"),
    ("redshift", "Redshift"),
    ("docdb", "DocumentDB"),
    ("documentdb", "DocumentDB"),
    ("neptune", "Neptune"),
    ("dax", "DAX"),
    ("msk", "MSK"),
];

const NAME_ENDPOINT_WORDS: &[&str] = &[
    "host", "hostname", "endpoint", "address", "addr", "url", "uri", "cluster", "server", "proxy",
    "reader", "writer",
];

/// The store an `amazonaws.com` host name in the text belongs to, when it is VPC-only.
fn endpoint_in(text: &str) -> Option<&'static str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
        .find_map(|host| {
            let host = host.to_ascii_lowercase();
            let labels: Vec<&str> = host.split('.').collect();
            let suffix = match labels.as_slice() {
                [.., "amazonaws", "com"] => 2,
                [.., "amazonaws", "com", "cn"] => 3,
                _ => return None,
            };
            if labels.len() < suffix + 2 {
                return None;
            }
            let inner = &labels[1..labels.len() - suffix];
            // OpenSearch: only VPC domains (`vpc-...`); `search-...` endpoints are public.
            if labels[0].starts_with("vpc-") && inner.contains(&"es") {
                return Some("OpenSearch");
            }
            ENDPOINT_LABELS
                .iter()
                .find(|(label, _)| inner.contains(label))
                .map(|(_, store)| *store)
        })
}

fn store_named_by(name: &str) -> Option<&'static str> {
    let words = name_words(name);
    if !words
        .iter()
        .any(|w| NAME_ENDPOINT_WORDS.contains(&w.as_str()))
    {
        return None;
    }
    NAME_SERVICES
        .iter()
        .find(|(word, _)| words.iter().any(|w| w == word))
        .map(|(_, store)| *store)
}

/// The data-plane store an action pattern reaches, if any.
fn store_reached_by(action: &str) -> Option<&'static str> {
    let (service, name) = action.split_once(':')?;
    if service.contains(['*', '?']) || name.is_empty() {
        return None;
    }
    if name == "*"
        && !ALL_DATA_PLANE
            .iter()
            .any(|s| s.eq_ignore_ascii_case(service))
    {
        return None;
    }
    DATA_PLANE_ACTIONS
        .iter()
        .find(|(target, _)| glob_match_ci(action, target))
        .map(|(_, store)| *store)
}

/// The in-template VPC store a value references (`${OrdersDb.Endpoint.Address}`,
/// `${OrdersDb}`), if any.
fn referenced_store<'m>(model: &'m FileModel, text: &str) -> Option<&'m VpcStore> {
    text.split("${").skip(1).find_map(|part| {
        let (inner, _) = part.split_once('}')?;
        let logical_id = inner.split('.').next()?;
        model.vpc_stores.iter().find(|s| s.logical_id == logical_id)
    })
}

/// The article for a store: "an `RDS/Aurora` endpoint", "a `MemoryDB` endpoint".
fn article(store: &str) -> &'static str {
    if store.starts_with("RDS")
        || store.starts_with("MSK")
        || store.starts_with('E')
        || store.starts_with('O')
    {
        "an"
    } else {
        "a"
    }
}

struct Trigger {
    reason: String,
    span: Span,
}

impl Rule for LambdaNoVpc {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_function(&self, cx: &FunctionCx<'_, '_>, out: &mut Vec<Finding>) {
        let function = cx.function;
        if function.vpc_config.is_some() {
            return;
        }
        let mut triggers = Vec::new();
        let mut stores: Vec<&VpcStore> = Vec::new();
        for var in &function.environment {
            let name = &var.name.value;
            // A reference to a store of the template (`!GetAtt OrdersDb.Endpoint.Address`).
            let store = match &var.value {
                EnvValue::Expression(text) | EnvValue::Literal(text) => {
                    referenced_store(cx.model, text)
                }
                _ => None,
            };
            if let Some(store) = store {
                stores.push(store);
                triggers.push(Trigger {
                    reason: format!(
                        "environment variable `{name}` references the {} `{}`",
                        store.kind, store.logical_id
                    ),
                    span: var.value_span,
                });
                continue;
            }
            let in_value = match &var.value {
                EnvValue::Literal(text) | EnvValue::Expression(text) => endpoint_in(text),
                _ => None,
            };
            let reason = match (in_value, &var.value) {
                (Some(store), _) => Some(format!(
                    "environment variable `{name}` points at {} {store} endpoint",
                    article(store)
                )),
                (None, EnvValue::Literal(_)) => None,
                (None, _) => store_named_by(name).map(|store| {
                    format!(
                        "environment variable `{name}` names {} {store} endpoint",
                        article(store)
                    )
                }),
            };
            if let Some(reason) = reason {
                triggers.push(Trigger {
                    reason,
                    span: var.value_span,
                });
            }
        }
        for statement in cx
            .model
            .function_policies(function)
            .flat_map(|p| p.allow_statements())
        {
            let policy_actions: Vec<&PolicyValue> = allowed_actions(statement).collect();
            // A resource of the statement that is a store of the template.
            let named = statement
                .resource
                .iter()
                .filter(|r| !r.negated)
                .flat_map(|r| r.values.iter())
                .find_map(|v| referenced_store(cx.model, &v.text));
            for action in policy_actions {
                if let Some(store) = store_reached_by(&action.text) {
                    // OpenSearch domains are public unless they have `VPCOptions`: only a
                    // VPC-only domain of the template counts.
                    if store == "OpenSearch" && named.is_none() {
                        continue;
                    }
                    stores.extend(named);
                    let reason = match named {
                        Some(s) => format!(
                            "its role allows `{}` on the {} `{}`",
                            action.text, s.kind, s.logical_id
                        ),
                        None => format!("its role allows `{}` ({store})", action.text),
                    };
                    triggers.push(Trigger {
                        reason,
                        span: action.span,
                    });
                }
            }
        }
        let Some(first) = triggers.first() else {
            return;
        };
        let more = match triggers.len() {
            1 => String::new(),
            2 => " (and 1 more reference)".to_string(),
            n => format!(" (and {} more references)", n - 1),
        };
        out.push(
            Finding::new(
                &META,
                function.file,
                function.span,
                format!(
                    "function {} has no VPC configuration but {}{more}: either the function cannot reach the data store, or the store is reachable from the internet",
                    function.display_name(),
                    first.reason
                ),
            )
            .help(format!("{} (subnet ids and a security group the data store admits) and keep the store private", function.origin.dialect.vpc))
            .related(triggers.iter().map(|t| Related {
                label: t.reason.clone(),
                file: function.file,
                span: t.span,
            }))
            .related(stores.iter().map(|s| Related {
                label: format!("{} `{}`", s.kind, s.logical_id),
                file: s.file,
                span: s.span,
            })),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::{allow, env, function, literal, role, span};
    use crate::model::{FileModel, Function};

    fn run(configure: impl FnOnce(&mut Function), actions: &[&[&str]]) -> Vec<Finding> {
        let mut f = function("Orders", 10);
        f.role = Some(0);
        configure(&mut f);
        let model = FileModel {
            functions: vec![f],
            roles: vec![role("OrdersRole", 400, vec![0])],
            policies: vec![allow(actions)],
            ..FileModel::default()
        };
        let mut out = Vec::new();
        out.extend(crate::rules::run_rule(&LambdaNoVpc, &model));
        out
    }

    #[test]
    fn flags_rds_iam_auth_without_vpc() {
        let findings = run(|_| {}, &[&["dynamodb:GetItem", "rds-db:connect"]]);
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "function `Orders` has no VPC configuration but its role allows `rds-db:connect` (RDS/Aurora): either the function cannot reach the data store, or the store is reachable from the internet"
        );
        assert_eq!(findings[0].related.len(), 1);
        assert!(!run(|_| {}, &[&["rds-db:*"]]).is_empty());
        // A domain may be public: `es:ESHttp*` alone says nothing about a VPC.
        assert!(run(|_| {}, &[&["es:ESHttp*"]]).is_empty());
        assert!(!run(|_| {}, &[&["elasticfilesystem:ClientMount"]]).is_empty());
    }

    #[test]
    fn ignores_control_plane_https_apis_and_bare_wildcards() {
        for actions in [
            &["rds:DescribeDBInstances", "rds:CreateDBSnapshot"][..],
            &[
                "rds-data:ExecuteStatement",
                "redshift-data:ExecuteStatement",
            ],
            &["elasticache:*", "es:*"],
            &["*"],
            &["*:*"],
            &["dynamodb:*"],
        ] {
            assert!(run(|_| {}, &[actions]).is_empty(), "{actions:?}");
        }
    }

    #[test]
    fn flags_endpoints_in_environment_values() {
        for value in [
            "orders.cluster-abc123.us-east-1.rds.amazonaws.com",
            "postgres://app@orders.abc.eu-west-1.rds.amazonaws.com:5432/orders",
            "redis://sessions.abc.0001.use1.cache.amazonaws.com:6379",
            "vpc-logs-abc.us-east-1.es.amazonaws.com",
            "fs-12345678.efs.us-east-1.amazonaws.com",
            "orders.abc.cn-north-1.rds.amazonaws.com.cn",
        ] {
            let findings = run(|f| f.environment = vec![literal("DB", value, 100)], &[]);
            assert_eq!(findings.len(), 1, "{value}");
            assert!(findings[0]
                .message
                .contains("environment variable `DB` points at a"));
            assert!(findings[0].message.contains("endpoint"));
        }
    }

    #[test]
    fn ignores_public_and_non_vpc_endpoints() {
        for value in [
            "search-logs-abc.us-east-1.es.amazonaws.com",
            "dynamodb.us-east-1.amazonaws.com",
            "https://sqs.us-east-1.amazonaws.com/111122223333/orders",
            "db.example.com",
            "localhost",
        ] {
            assert!(
                run(
                    |f| f.environment = vec![literal("DB_HOST", value, 100)],
                    &[]
                )
                .is_empty(),
                "{value}"
            );
        }
    }

    #[test]
    fn names_count_only_for_values_that_are_not_literals() {
        let getatt = EnvValue::Expression("${Database.Endpoint.Address}".into());
        let findings = run(
            |f| f.environment = vec![env("RDS_ENDPOINT", getatt.clone(), 100)],
            &[],
        );
        assert_eq!(findings.len(), 1);
        assert!(findings[0]
            .message
            .contains("`RDS_ENDPOINT` names an RDS/Aurora endpoint"));
        assert!(run(|f| f.environment = vec![env("DB_HOST", getatt, 100)], &[]).is_empty());
        assert!(run(
            |f| f.environment = vec![literal("RDS_HOST", "localhost", 100)],
            &[]
        )
        .is_empty());
    }

    #[test]
    fn clean_inside_a_vpc() {
        assert!(run(
            |f| f.vpc_config = Some(span(300, 40)),
            &[&["rds-db:connect"]]
        )
        .is_empty());
    }
}
