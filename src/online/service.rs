//! Talking to IAM Access Analyzer: client setup (standard credential and region chain,
//! rustls with `ring`), bounded concurrency, retries with backoff, pagination, and one clear
//! error per kind of failure.

use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::BehaviorVersion;
use aws_sdk_accessanalyzer::config::ProvideCredentials;
use aws_sdk_accessanalyzer::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_accessanalyzer::types::{
    Access, AccessCheckPolicyType, AccessCheckResourceType, PolicyType, ReasonSummary,
    ValidatePolicyResourceType,
};
use aws_sdk_accessanalyzer::Client;

use super::{
    Answer, CheckReason, CheckResult, Options, PathElement, Request, ValidationFinding,
    CONCURRENCY, TOTAL_TIME,
};

/// Why the online checks could not be done (in full). Each is said once, with what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OnlineError {
    #[error("no AWS credentials found ({0}); set AWS_PROFILE or pass --profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")]
    NoCredentials(String),
    #[error("no AWS region configured; pass --region or set AWS_REGION")]
    NoRegion,
    #[error("could not reach IAM Access Analyzer: {0}")]
    Network(String),
    #[error("IAM Access Analyzer denied access ({0}); the credentials need access-analyzer:ValidatePolicy and, for the custom checks, access-analyzer:CheckNoNewAccess, CheckAccessNotGranted and CheckNoPublicAccess")]
    AccessDenied(String),
    #[error("IAM Access Analyzer kept throttling requests after retries with backoff; try again later or check fewer files at once")]
    Throttled,
    #[error("IAM Access Analyzer rejected {policy}: {message}")]
    InvalidPolicy { policy: String, message: String },
    #[error("IAM Access Analyzer failed: {0}")]
    Service(String),
    #[error("the online checks did not finish within {0} seconds")]
    Timeout(u64),
    #[error("--no-new-access-since: {0}")]
    Git(String),
}

impl OnlineError {
    /// Name the policy in an error about its text.
    pub(crate) fn for_policy(self, label: &str) -> OnlineError {
        match self {
            OnlineError::InvalidPolicy { message, .. } => OnlineError::InvalidPolicy {
                policy: label.to_string(),
                message,
            },
            other => other,
        }
    }

    /// Errors of one kind are said once (a missing permission fails every request alike);
    /// every rejected policy is named.
    pub(crate) fn same_kind(&self, other: &OnlineError) -> bool {
        match (self, other) {
            (OnlineError::InvalidPolicy { .. }, _) | (_, OnlineError::InvalidPolicy { .. }) => {
                self == other
            }
            _ => std::mem::discriminant(self) == std::mem::discriminant(other),
        }
    }

    /// Failures after which no other request can succeed.
    fn is_fatal(&self) -> bool {
        !matches!(
            self,
            OnlineError::InvalidPolicy { .. } | OnlineError::Service(_)
        )
    }
}

/// Build a client from the standard AWS configuration chain, then send every request.
/// `Err` when nothing could be sent (no credentials, no region); otherwise one result per
/// request, in order.
pub(crate) fn send_all(
    options: &Options,
    requests: Vec<Request>,
) -> Result<Vec<Result<Answer, OnlineError>>, OnlineError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| OnlineError::Service(format!("could not start the async runtime: {e}")))?;
    runtime.block_on(async {
        let client = client(options).await?;
        match tokio::time::timeout(TOTAL_TIME, send_with(&client, requests)).await {
            Ok(results) => Ok(results),
            Err(_) => Err(OnlineError::Timeout(TOTAL_TIME.as_secs())),
        }
    })
}

async fn client(options: &Options) -> Result<Client, OnlineError> {
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    // Throttling is retried with exponential backoff and jitter; the attempt and operation
    // timeouts and TOTAL_TIME bound how long a CI job can wait.
    let retry = RetryConfig::standard()
        .with_max_attempts(6)
        .with_initial_backoff(Duration::from_millis(200))
        .with_max_backoff(Duration::from_secs(10));
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .operation_attempt_timeout(Duration::from_secs(30))
        .operation_timeout(Duration::from_secs(90))
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http)
        .retry_config(retry)
        .timeout_config(timeouts);
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &options.region {
        loader = loader.region(aws_config::Region::new(region.clone()));
    }
    let config = loader.load().await;
    if config.region().is_none() {
        return Err(OnlineError::NoRegion);
    }
    // Resolve credentials once up front: without them every request would fail alike.
    let provider = config
        .credentials_provider()
        .ok_or_else(|| OnlineError::NoCredentials("no credential provider".into()))?;
    if let Err(err) = provider.provide_credentials().await {
        return Err(OnlineError::NoCredentials(chain(&err)));
    }
    Ok(Client::new(&config))
}

/// Send requests with at most `CONCURRENCY` in flight. A fatal failure (access denied, no
/// network) stops the rest: they would fail the same way.
pub(crate) async fn send_with(
    client: &Client,
    requests: Vec<Request>,
) -> Vec<Result<Answer, OnlineError>> {
    let limit = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut set = tokio::task::JoinSet::new();
    let count = requests.len();
    for (i, request) in requests.into_iter().enumerate() {
        let client = client.clone();
        let limit = Arc::clone(&limit);
        let stop = Arc::clone(&stop);
        set.spawn(async move {
            let Ok(_permit) = limit.acquire_owned().await else {
                return (i, Err(OnlineError::Service("request queue closed".into())));
            };
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                return (
                    i,
                    Err(OnlineError::Service(
                        "skipped after an earlier failure".into(),
                    )),
                );
            }
            let result = send_one(&client, &request).await;
            if result.as_ref().is_err_and(OnlineError::is_fatal) {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            (i, result)
        });
    }
    let mut results: Vec<Option<Result<Answer, OnlineError>>> = vec![None; count];
    // A task that panicked leaves its slot empty: reported below as unfinished.
    while let Some(joined) = set.join_next().await {
        if let Ok((i, result)) = joined {
            if let Some(slot) = results.get_mut(i) {
                *slot = Some(result);
            }
        }
    }
    let mut fatal = None;
    let mut out: Vec<Result<Answer, OnlineError>> = results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(OnlineError::Service("request did not finish".into()))))
        .collect();
    // Requests skipped after a fatal failure report that failure, not "skipped".
    for r in &out {
        if let Err(e) = r {
            if e.is_fatal() {
                fatal = Some(e.clone());
                break;
            }
        }
    }
    if let Some(fatal) = fatal {
        for r in &mut out {
            if matches!(r, Err(OnlineError::Service(m)) if m.starts_with("skipped")) {
                *r = Err(fatal.clone());
            }
        }
    }
    out
}

/// At most this many pages of ValidatePolicy findings (a policy has few; a loop on a
/// misbehaving endpoint must end).
const MAX_PAGES: usize = 50;

pub(crate) async fn send_one(client: &Client, request: &Request) -> Result<Answer, OnlineError> {
    match request {
        Request::Validate {
            policy,
            policy_type,
            resource_type,
        } => {
            let mut findings = Vec::new();
            let mut token: Option<String> = None;
            for _ in 0..MAX_PAGES {
                let output = client
                    .validate_policy()
                    .policy_document(policy)
                    .policy_type(PolicyType::from(*policy_type))
                    .set_validate_policy_resource_type(
                        resource_type.map(ValidatePolicyResourceType::from),
                    )
                    .set_next_token(token.clone())
                    .send()
                    .await
                    .map_err(classify)?;
                findings.extend(output.findings().iter().map(|f| ValidationFinding {
                    finding_type: f.finding_type().as_str().to_string(),
                    issue_code: f.issue_code().to_string(),
                    finding_details: f.finding_details().to_string(),
                    learn_more_link: f.learn_more_link().to_string(),
                    locations: f.locations().iter().map(|l| path(l.path())).collect(),
                }));
                match output.next_token() {
                    Some(next) if !next.is_empty() && token.as_deref() != Some(next) => {
                        token = Some(next.to_string());
                    }
                    _ => return Ok(Answer::Findings(findings)),
                }
            }
            Ok(Answer::Findings(findings))
        }
        Request::NoNewAccess {
            policy,
            existing,
            policy_type,
        } => {
            let output = client
                .check_no_new_access()
                .new_policy_document(policy)
                .existing_policy_document(existing)
                .policy_type(AccessCheckPolicyType::from(*policy_type))
                .send()
                .await
                .map_err(classify)?;
            Ok(check(
                output.result().map(|r| r.as_str()),
                output.message(),
                output.reasons(),
            ))
        }
        Request::AccessNotGranted {
            policy,
            actions,
            policy_type,
        } => {
            let access = Access::builder().set_actions(Some(actions.clone())).build();
            let output = client
                .check_access_not_granted()
                .policy_document(policy)
                .access(access)
                .policy_type(AccessCheckPolicyType::from(*policy_type))
                .send()
                .await
                .map_err(classify)?;
            Ok(check(
                output.result().map(|r| r.as_str()),
                output.message(),
                output.reasons(),
            ))
        }
        Request::NoPublicAccess {
            policy,
            resource_type,
        } => {
            let output = client
                .check_no_public_access()
                .policy_document(policy)
                .resource_type(AccessCheckResourceType::from(*resource_type))
                .send()
                .await
                .map_err(classify)?;
            Ok(check(
                output.result().map(|r| r.as_str()),
                output.message(),
                output.reasons(),
            ))
        }
    }
}

fn check(result: Option<&str>, message: Option<&str>, reasons: &[ReasonSummary]) -> Answer {
    Answer::Check(CheckResult {
        // Anything but an explicit PASS is reported: a gate must not open on a surprise.
        passed: result == Some("PASS"),
        message: message.unwrap_or_default().to_string(),
        reasons: reasons
            .iter()
            .map(|r| CheckReason {
                description: r.description().unwrap_or_default().to_string(),
                statement_index: r.statement_index().map(i64::from),
                statement_id: r.statement_id().map(str::to_string),
            })
            .collect(),
    })
}

fn path(elements: &[aws_sdk_accessanalyzer::types::PathElement]) -> Vec<PathElement> {
    use aws_sdk_accessanalyzer::types::PathElement as Sdk;
    elements
        .iter()
        .filter_map(|e| match e {
            Sdk::Value(v) => Some(PathElement::Value(v.clone())),
            Sdk::Key(k) => Some(PathElement::Key(k.clone())),
            Sdk::Index(i) => Some(PathElement::Index(i64::from(*i))),
            Sdk::Substring(s) => Some(PathElement::Substring {
                start: i64::from(s.start()),
                length: i64::from(s.length()),
            }),
            _ => None,
        })
        .collect()
}

/// One error kind per failure, whatever the operation.
fn classify<E, R>(err: SdkError<E, R>) -> OnlineError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match &err {
        SdkError::DispatchFailure(failure) => {
            if let Some(cause) = failure.as_connector_error() {
                return OnlineError::Network(chain(cause));
            }
            OnlineError::Network(chain(&err))
        }
        SdkError::TimeoutError(_) => OnlineError::Network("the request timed out".into()),
        SdkError::ServiceError(service) => {
            let inner = service.err();
            let code = inner.code().unwrap_or("unknown error");
            let message = inner.message().unwrap_or_default().to_string();
            match code {
                "AccessDeniedException"
                | "UnrecognizedClientException"
                | "InvalidSignatureException"
                | "ExpiredTokenException" => OnlineError::AccessDenied(if message.is_empty() {
                    code.to_string()
                } else {
                    message
                }),
                "ThrottlingException" | "TooManyRequestsException" => OnlineError::Throttled,
                "ValidationException" => OnlineError::InvalidPolicy {
                    policy: String::new(),
                    message: if message.is_empty() {
                        code.to_string()
                    } else {
                        message
                    },
                },
                _ if message.is_empty() => OnlineError::Service(code.to_string()),
                _ => OnlineError::Service(format!("{code}: {message}")),
            }
        }
        SdkError::ConstructionFailure(_) | SdkError::ResponseError(_) => {
            OnlineError::Service(chain(&err))
        }
        _ => OnlineError::Service(chain(&err)),
    }
}

/// An error and its causes on one line ("dispatch failure: io error: connection refused").
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let next = cause.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use aws_sdk_accessanalyzer::config::{Credentials, Region};
    use aws_sdk_accessanalyzer::operation::check_no_new_access::CheckNoNewAccessOutput;
    use aws_sdk_accessanalyzer::operation::validate_policy::{
        ValidatePolicyError, ValidatePolicyOutput,
    };
    use aws_sdk_accessanalyzer::types::error::{
        AccessDeniedException, ThrottlingException, ValidationException,
    };
    use aws_sdk_accessanalyzer::types::{
        CheckNoNewAccessResult, Location, PathElement as Sdk, ValidatePolicyFinding,
        ValidatePolicyFindingType, ValidationExceptionReason,
    };
    use aws_smithy_mocks::{
        create_mock_http_client, mock, MockResponseInterceptor, Rule, RuleMode,
    };

    fn client(rules: &[&Rule]) -> Client {
        let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::Sequential);
        for rule in rules {
            interceptor = interceptor.with_rule(rule);
        }
        let config = aws_sdk_accessanalyzer::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("AKID", "SECRET", None, None, "test"))
            .retry_config(RetryConfig::disabled())
            .http_client(create_mock_http_client())
            .interceptor(interceptor)
            .build();
        Client::from_conf(config)
    }

    /// What the service's deserializer attaches to a modeled error.
    fn meta(code: &str, message: &str) -> aws_sdk_accessanalyzer::error::ErrorMetadata {
        aws_sdk_accessanalyzer::error::ErrorMetadata::builder()
            .code(code)
            .message(message)
            .build()
    }

    fn block<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(future)
    }

    fn validate(policy: &str) -> Request {
        Request::Validate {
            policy: policy.into(),
            policy_type: "RESOURCE_POLICY",
            resource_type: Some("AWS::S3::Bucket"),
        }
    }

    fn finding(code: &str, index: i32) -> ValidatePolicyFinding {
        ValidatePolicyFinding::builder()
            .finding_type(ValidatePolicyFindingType::SecurityWarning)
            .issue_code(code)
            .finding_details("Details.")
            .learn_more_link("https://example.com/x")
            .locations(
                Location::builder()
                    .path(Sdk::Value("Statement".into()))
                    .path(Sdk::Index(index))
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    }

    #[test]
    fn follows_pages_and_sends_the_policy_type_and_resource_type() {
        let first = mock!(Client::validate_policy)
            .match_requests(|r| {
                r.policy_document() == Some("{\"p\":1}")
                    && r.policy_type() == Some(&PolicyType::ResourcePolicy)
                    && r.validate_policy_resource_type()
                        == Some(&ValidatePolicyResourceType::S3Bucket)
                    && r.next_token().is_none()
            })
            .then_output(|| {
                ValidatePolicyOutput::builder()
                    .findings(finding("A", 0))
                    .next_token("page-2")
                    .build()
                    .unwrap()
            });
        let second = mock!(Client::validate_policy)
            .match_requests(|r| r.next_token() == Some("page-2"))
            .then_output(|| {
                ValidatePolicyOutput::builder()
                    .findings(finding("B", 1))
                    .set_findings(Some(vec![finding("B", 1)]))
                    .build()
                    .unwrap()
            });
        let client = client(&[&first, &second]);
        let answer = block(send_one(&client, &validate("{\"p\":1}"))).unwrap();
        let Answer::Findings(list) = answer else {
            panic!("not findings");
        };
        let codes: Vec<&str> = list.iter().map(|f| f.issue_code.as_str()).collect();
        assert_eq!(codes, ["A", "B"]);
        assert_eq!(
            list[1].locations,
            [vec![
                PathElement::Value("Statement".into()),
                PathElement::Index(1)
            ]]
        );
        assert_eq!(list[0].finding_type, "SECURITY_WARNING");
        assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
    }

    #[test]
    fn maps_custom_check_results() {
        let rule = mock!(Client::check_no_new_access)
            .match_requests(|r| {
                r.new_policy_document() == Some("new")
                    && r.existing_policy_document() == Some("old")
                    && r.policy_type() == Some(&AccessCheckPolicyType::IdentityPolicy)
            })
            .then_output(|| {
                CheckNoNewAccessOutput::builder()
                    .result(CheckNoNewAccessResult::Fail)
                    .message("The modified permissions grant new access.")
                    .reasons(
                        ReasonSummary::builder()
                            .description("New access in the statement with index: 1.")
                            .statement_index(1)
                            .build(),
                    )
                    .build()
            });
        let client = client(&[&rule]);
        let request = Request::NoNewAccess {
            policy: "new".into(),
            existing: "old".into(),
            policy_type: "IDENTITY_POLICY",
        };
        let answer = block(send_one(&client, &request)).unwrap();
        let Answer::Check(result) = answer else {
            panic!("not a check");
        };
        assert!(!result.passed);
        assert_eq!(result.reasons[0].statement_index, Some(1));
    }

    #[test]
    fn classifies_service_errors() {
        let denied = mock!(Client::validate_policy).then_error(|| {
            ValidatePolicyError::AccessDeniedException(
                AccessDeniedException::builder()
                    .meta(meta(
                        "AccessDeniedException",
                        "User is not authorized to perform: access-analyzer:ValidatePolicy",
                    ))
                    .message("User is not authorized to perform: access-analyzer:ValidatePolicy")
                    .build()
                    .unwrap(),
            )
        });
        let client = client(&[&denied]);
        let err = block(send_one(&client, &validate("{}"))).unwrap_err();
        assert!(
            matches!(&err, OnlineError::AccessDenied(m) if m.contains("not authorized")),
            "{err:?}"
        );

        let throttled = mock!(Client::validate_policy).then_error(|| {
            ValidatePolicyError::ThrottlingException(
                ThrottlingException::builder()
                    .meta(meta("ThrottlingException", "Rate exceeded"))
                    .message("Rate exceeded")
                    .build()
                    .unwrap(),
            )
        });
        let client = self::client(&[&throttled]);
        let err = block(send_one(&client, &validate("{}"))).unwrap_err();
        assert_eq!(err, OnlineError::Throttled);

        let invalid = mock!(Client::validate_policy).then_error(|| {
            ValidatePolicyError::ValidationException(
                ValidationException::builder()
                    .meta(meta("ValidationException", "policyDocument is too long"))
                    .message("policyDocument is too long")
                    .reason(ValidationExceptionReason::FieldValidationFailed)
                    .build()
                    .unwrap(),
            )
        });
        let client = self::client(&[&invalid]);
        let err = block(send_one(&client, &validate("{}")))
            .unwrap_err()
            .for_policy("policy `x`");
        assert_eq!(
            err.to_string(),
            "IAM Access Analyzer rejected policy `x`: policyDocument is too long"
        );
    }

    #[test]
    fn a_fatal_error_stops_the_other_requests() {
        let denied = mock!(Client::validate_policy)
            .sequence()
            .error(|| {
                ValidatePolicyError::AccessDeniedException(
                    AccessDeniedException::builder()
                        .meta(meta("AccessDeniedException", "denied"))
                        .message("denied")
                        .build()
                        .unwrap(),
                )
            })
            .times(10)
            .build();
        let client = client(&[&denied]);
        let requests: Vec<Request> = (0..10).map(|i| validate(&i.to_string())).collect();
        let results = block(send_with(&client, requests));
        assert_eq!(results.len(), 10);
        assert!(results
            .iter()
            .all(|r| matches!(r, Err(OnlineError::AccessDenied(_)))));
        // At most the requests already in flight were sent.
        assert!(denied.num_calls() <= CONCURRENCY, "{}", denied.num_calls());
    }
}
