//! Where a function or role came from, in words any input format can fill in: the loader
//! says which dialect the declaration is written in (so fix hints name the right property),
//! whether a tool generated it, and the path that names it in its framework.

/// The words a format uses for the Lambda settings rules give advice about. Each loader
/// supplies its own; rules never name a format's properties themselves.
#[derive(Debug)]
pub struct Dialect {
    /// `CloudFormation`, `AWS SAM`, `Terraform`, ...
    pub name: &'static str,
    /// Each phrase below is the imperative start of a help line ("set `KmsKeyArn` to a
    /// customer managed KMS key"); the rule completes the sentence.
    /// Set a customer managed key for the environment.
    pub kms_key: &'static str,
    /// Add a dead-letter queue or on-failure destination (a whole sentence).
    pub dead_letter: &'static str,
    /// Set reserved concurrency ("... to the most instances the function should run").
    pub reserved_concurrency: &'static str,
    /// Turn on active tracing.
    pub tracing: &'static str,
    /// Attach the function to a VPC ("... (subnet ids and a security group ...)").
    pub vpc: &'static str,
}

impl Dialect {
    /// Format-neutral wording, for models built by hand (tests, library callers).
    pub const GENERIC: Dialect = Dialect {
        name: "generic",
        kms_key: "set a customer managed KMS key for the function's environment",
        dead_letter: "add a dead-letter queue (SQS or SNS) or an on-failure destination",
        reserved_concurrency: "set the function's reserved concurrency",
        tracing: "turn on active X-Ray tracing for the function",
        vpc: "attach the function to private subnets",
    };
}

/// How a function or role came to be in the model.
#[derive(Clone, Debug)]
pub struct Origin {
    pub dialect: &'static Dialect,
    /// The tool that generated it from a shorthand (`SAM` for a function's role), if any.
    pub generated_by: Option<&'static str>,
    /// The path that names it in its framework: a CDK construct path, a Terraform module
    /// address. Shown next to the logical id.
    pub path: Option<String>,
}

impl Origin {
    pub const fn new(dialect: &'static Dialect) -> Self {
        Origin {
            dialect,
            generated_by: None,
            path: None,
        }
    }

    pub fn is_generated(&self) -> bool {
        self.generated_by.is_some()
    }
}

impl PartialEq for Origin {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.dialect, other.dialect)
            && self.generated_by == other.generated_by
            && self.path == other.path
    }
}

impl Eq for Origin {}
