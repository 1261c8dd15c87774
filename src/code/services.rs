//! AWS services as the SDKs name them, their operations and the IAM actions each needs.
//!
//! Data: `data/sdk/operations.tsv.gz`, generated from the botocore wheel by
//! `scripts/refresh-sdk-operations.py` (see NOTICE), and `data/sdk/action-exceptions.tsv`, the
//! reviewed operations whose IAM action is not `<prefix>:<Operation>`. Both are decoded on
//! first use, only by runs that read handler code.

use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

static OPERATIONS_GZ: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/sdk/operations.tsv.gz"
));
static EXCEPTIONS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/sdk/action-exceptions.tsv"
));

/// SDK for JavaScript v2 class names that are not the service id without spaces.
const V2_ALIASES: &[(&str, &str)] = &[
    ("stepfunctions", "stepfunctions"),
    ("cognitoidentityserviceprovider", "cognito-idp"),
    ("iotdata", "iot-data"),
    ("cloudwatchevents", "events"),
    ("es", "es"),
    ("elbv2", "elbv2"),
    ("lexruntime", "lex-runtime"),
];

/// One service of the SDK models.
#[derive(Debug)]
pub(crate) struct Service {
    /// IAM prefix (`states`).
    pub prefix: String,
    /// Operation names (`StartExecution`), keyed by their lower case without underscores.
    operations: HashMap<String, String>,
    /// Waiter name (lower case, no underscores) to operation.
    waiters: HashMap<String, String>,
}

impl Service {
    /// The operation a method or command name stands for: `get_object`, `getObject` and
    /// `GetObject` are all `GetObject`.
    pub fn operation(&self, name: &str) -> Option<&str> {
        self.operations.get(&normalize(name)).map(String::as_str)
    }

    pub fn waiter(&self, name: &str) -> Option<&str> {
        self.waiters.get(&normalize(name)).map(String::as_str)
    }
}

#[derive(Debug, Default)]
pub(crate) struct Services {
    services: Vec<Service>,
    by_boto: HashMap<String, usize>,
    /// Client class stem and package stem, lower case (`secretsmanager`, `secrets-manager`).
    by_class: HashMap<String, usize>,
    /// `prefix:Operation` to the IAM actions it needs (alternatives within an entry).
    exceptions: HashMap<String, Vec<Vec<String>>>,
}

fn normalize(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The embedded tables, decoded on first use. Should the data be unreadable (it is checked
/// by a test), an empty table makes every call unknown rather than panic.
pub(crate) fn services() -> &'static Services {
    static SERVICES: OnceLock<Services> = OnceLock::new();
    SERVICES.get_or_init(|| {
        let mut text = String::new();
        let read = flate2::read::GzDecoder::new(OPERATIONS_GZ).read_to_string(&mut text);
        if read.is_err() {
            text.clear();
        }
        Services::parse(&text, EXCEPTIONS)
    })
}

impl Services {
    fn parse(operations: &str, exceptions: &str) -> Self {
        let mut out = Services::default();
        for line in operations.lines().filter(|l| !l.starts_with('#')) {
            let mut cols = line.split('\t');
            let (Some(boto), Some(id), Some(prefix), Some(ops)) =
                (cols.next(), cols.next(), cols.next(), cols.next())
            else {
                continue;
            };
            let waiters = cols.next().unwrap_or("");
            let index = out.services.len();
            out.services.push(Service {
                prefix: prefix.to_string(),
                operations: ops
                    .split(' ')
                    .filter(|o| !o.is_empty())
                    .map(|o| (normalize(o), o.to_string()))
                    .collect(),
                waiters: waiters
                    .split(' ')
                    .filter_map(|w| w.split_once('='))
                    .map(|(w, o)| (normalize(w), o.to_string()))
                    .collect(),
            });
            out.by_boto.insert(boto.to_string(), index);
            out.by_class.entry(normalize(id)).or_insert(index);
        }
        for (alias, boto) in V2_ALIASES {
            if let Some(&i) = out.by_boto.get(*boto) {
                out.by_class.entry((*alias).to_string()).or_insert(i);
            }
        }
        for line in exceptions.lines().filter(|l| !l.starts_with('#')) {
            let mut cols = line.split('\t');
            let (Some(key), Some(actions)) = (cols.next(), cols.next()) else {
                continue;
            };
            let needs = actions
                .split(',')
                .filter(|a| !a.is_empty())
                .map(|a| a.split('|').map(str::to_string).collect())
                .collect();
            out.exceptions.insert(key.to_ascii_lowercase(), needs);
        }
        out
    }

    pub fn get(&self, index: usize) -> Option<&Service> {
        self.services.get(index)
    }

    /// By `boto3.client` name (`s3`, `stepfunctions`).
    pub fn by_boto(&self, name: &str) -> Option<usize> {
        self.by_boto.get(name).copied()
    }

    /// By JavaScript class or package stem: `S3`, `SecretsManager`, `StepFunctions` (v2),
    /// `client-secrets-manager` without its `client-`.
    pub fn by_class(&self, name: &str) -> Option<usize> {
        self.by_class.get(&normalize(name)).copied()
    }

    /// The IAM actions an operation needs: the reviewed exception, else `<prefix>:<Operation>`.
    pub fn actions(&self, service: &Service, operation: &str) -> Vec<Vec<String>> {
        let key = format!("{}:{operation}", service.prefix).to_ascii_lowercase();
        if let Some(needs) = self.exceptions.get(&key) {
            return needs.clone();
        }
        // API Gateway's management actions are the HTTP methods of its REST API
        // (API Gateway developer guide, "Control access for managing API Gateway with IAM").
        if service.prefix == "apigateway" {
            let verb = [
                ("Get", "GET"),
                ("Create", "POST"),
                ("Import", "POST"),
                ("Update", "PATCH"),
                ("Put", "PUT"),
                ("Delete", "DELETE"),
                ("Flush", "DELETE"),
            ]
            .iter()
            .find(|(head, _)| operation.starts_with(head));
            if let Some((_, verb)) = verb {
                return vec![vec![format!("apigateway:{verb}")]];
            }
        }
        vec![vec![format!("{}:{operation}", service.prefix)]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_tables_decode_and_name_the_common_services() {
        let s = services();
        assert!(s.services.len() > 300, "{} services", s.services.len());
        let s3 = s.get(s.by_boto("s3").unwrap()).unwrap();
        assert_eq!(s3.operation("list_objects_v2"), Some("ListObjectsV2"));
        assert_eq!(s3.operation("getObject"), Some("GetObject"));
        assert_eq!(s3.waiter("object_exists"), Some("HeadObject"));
        assert_eq!(
            s.actions(s3, "ListObjectsV2"),
            vec![vec!["s3:ListBucket".to_string()]]
        );
        assert_eq!(
            s.actions(s3, "GetObject"),
            vec![vec!["s3:GetObject".to_string()]]
        );
        let sfn = s.get(s.by_class("StepFunctions").unwrap()).unwrap();
        assert_eq!(sfn.prefix, "states");
        assert_eq!(s.by_class("SFN"), s.by_boto("stepfunctions"));
        assert_eq!(s.by_class("secrets-manager"), s.by_boto("secretsmanager"));
        let lambda = s.get(s.by_boto("lambda").unwrap()).unwrap();
        assert_eq!(
            s.actions(lambda, "Invoke"),
            vec![vec!["lambda:InvokeFunction".to_string()]]
        );
        let apigw = s.get(s.by_boto("apigateway").unwrap()).unwrap();
        assert_eq!(
            s.actions(apigw, "GetRestApis"),
            vec![vec!["apigateway:GET".to_string()]]
        );
        let sts = s.get(s.by_boto("sts").unwrap()).unwrap();
        assert!(s.actions(sts, "GetCallerIdentity").is_empty());
    }

    #[test]
    fn every_exception_names_catalog_actions() {
        let s = services();
        for needs in s.exceptions.values() {
            for action in needs.iter().flatten() {
                assert!(
                    crate::catalog::catalog().action(action).is_some(),
                    "{action} is not in the IAM catalog"
                );
            }
        }
    }
}
