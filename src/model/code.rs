//! A function's handler code as the template locates it, and the AWS SDK calls read from it.

use crate::source::Span;

/// Where a function's code is, as the template says.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CodeLocation {
    /// The code folder (or file), relative to the template's folder (`CodeUri: src/`).
    pub base_dir: Option<String>,
    /// The `Handler` value (`app.lambda_handler`, `src/index.handler`).
    pub handler: Option<String>,
    /// The runtime (`python3.12`, `nodejs20.x`), from the function or SAM `Globals`.
    pub runtime: Option<String>,
    /// Inline code (`Code.ZipFile`, SAM `InlineCode`) and its span in the template.
    pub inline: Option<InlineCode>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlineCode {
    pub text: String,
    pub span: Span,
}

/// Where a resource argument of a call comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResourceHint {
    /// A string literal (`Bucket: "my-bucket"`).
    Literal(String),
    /// An environment variable (`process.env.TABLE`, `os.environ["TABLE"]`).
    EnvVar(String),
}

/// One AWS SDK call found in the code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SdkCall {
    /// IAM service prefix (`s3`).
    pub service: String,
    /// API operation name (`GetObject`).
    pub operation: String,
    /// IAM actions it needs (`s3:GetObject`); each entry is a choice of actions, any one of
    /// which is enough. Empty: the operation needs no permission.
    pub actions: Vec<Vec<String>>,
    pub resource: Option<ResourceHint>,
    /// Path of the code file for messages (relative to the current directory where possible).
    pub file: String,
    /// 1-based line and column of the call.
    pub line: usize,
    pub column: usize,
}

impl SdkCall {
    /// `src/app.js:12:5`
    pub fn location(&self) -> String {
        format!("{}:{}:{}", self.file, self.line, self.column)
    }
}

/// What reading a function's code found.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CodeCalls {
    pub calls: Vec<SdkCall>,
    /// Code files read (display paths).
    pub files: Vec<String>,
    /// Places where the code picks a service or operation at run time (`boto3.client(name)`,
    /// `new AWS[name]()`, `getattr(client, op)`): calls made there are unknown.
    pub dynamic: Vec<String>,
}
