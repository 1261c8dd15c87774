use super::*;
use crate::lint::Outcome;
use crate::rules::{self, RuleSettings, RULES};
use crate::source::SourceFile;

const TEMPLATE: &str = r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Uploader:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables:
          API_TOKEN: ghp_abcdefghijklmnopqrstuvwxyz0123456789
      Policies:
        - Statement:
            - Effect: Allow
              Action: ["s3:*", "iam:PassRole"]
              Resource: "*"
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - DynamoDBReadPolicy:
            TableName: <orders>
"#;

const POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}"#;

/// The full pipeline on two files: a SAM template and a policy of no function.
fn outcome() -> Outcome {
    let mut outcome = Outcome::default();
    for (id, (name, text)) in [("app/template.yaml", TEMPLATE), ("policy.json", POLICY)]
        .into_iter()
        .enumerate()
    {
        let source = SourceFile::new(name.into(), name.into(), text.into());
        let loaded = crate::load::load(id, &source, true).expect("loads");
        let mut findings = Vec::new();
        rules::check_model(
            &loaded.model,
            RULES,
            &RuleSettings::default(),
            &mut findings,
        );
        for f in &mut findings {
            f.file = id;
            for r in &mut f.related {
                r.file = id;
            }
        }
        outcome.findings.extend(findings);
        outcome
            .inventory
            .extend(crate::inventory::of_model(&loaded));
        outcome.sources.push(source);
        outcome.files_linted += 1;
    }
    outcome.findings.sort_by_key(|f| f.sort_key());
    outcome
}

fn render(outcome: &Outcome, options: &HtmlOptions) -> String {
    let mut out = Vec::new();
    write(outcome, options, &mut out).expect("write");
    String::from_utf8(out).expect("utf-8")
}

/// The page without the fixed style sheet and script.
fn body(html: &str) -> &str {
    let start = html.find("<body>").expect("body");
    let end = html.find("<script>").expect("script");
    &html[start..end]
}

#[test]
fn snapshot_of_a_small_application() {
    let html = render(&outcome(), &HtmlOptions::default());
    insta::assert_snapshot!(body(&html));
}

#[test]
fn self_contained_and_secrets_redacted() {
    let outcome = outcome();
    assert!(outcome
        .findings
        .iter()
        .any(|f| f.rule.name == "lambda-env-secret" && !f.sensitive.is_empty()));
    let html = render(&outcome, &HtmlOptions::default());
    assert!(html.contains(&format!("content=\"{CSP}\"")));
    assert!(!html.contains("abcdefghijklmnopqrstuvwxyz"));
    assert!(html.contains("ghp_*****"));
    // The only absolute URLs are the rule docs.
    for (i, _) in html.match_indices("://") {
        let head = &html[..i];
        let attr = head.rfind("href=\"").expect("a URL outside href");
        let url = &html[attr + 6..];
        assert!(
            url.starts_with(env!("CARGO_PKG_REPOSITORY")) && url.contains("/rules/"),
            "unexpected URL near {}",
            &html[attr..i + 40]
        );
    }
    for tag in ["<link", "<img", "<iframe", "src=", "@import", "url("] {
        assert!(!html.contains(tag), "{tag} would load a resource");
    }
}

#[test]
fn riskiest_function_first_and_loose_findings_apart() {
    let outcome = outcome();
    let options = HtmlOptions::default();
    let page = Page::new(&outcome, &options);
    let names: Vec<&str> = page
        .functions
        .iter()
        .map(|(f, _)| f.logical_id.as_str())
        .collect();
    assert_eq!(names, ["Uploader", "Reader"]);
    // The raw policy belongs to no function; every finding is shown exactly once.
    assert!(!page.loose.is_empty());
    assert!(page
        .loose
        .iter()
        .all(|&i| outcome.sources[outcome.findings[i].file].display == "policy.json"));
    let placed: usize =
        page.functions.iter().map(|(_, f)| f.len()).sum::<usize>() + page.loose.len();
    assert_eq!(placed, outcome.findings.len());
}

#[test]
fn file_links_use_the_prefix() {
    let options = HtmlOptions {
        link_prefix: Some("../".into()),
    };
    let html = render(&outcome(), &options);
    assert!(
        html.contains("<a class=\"loc\" href=\"../app/template.yaml\">app/template.yaml:3:3</a>")
    );
    let plain = render(&outcome(), &HtmlOptions::default());
    assert!(!plain.contains("class=\"loc\" href"));
}

#[test]
fn empty_outcome_renders() {
    let html = render(&Outcome::default(), &HtmlOptions::default());
    assert!(html.contains("No Lambda function was found"));
    assert!(html.ends_with("</html>\n"));
}

#[test]
fn escaping() {
    assert_eq!(
        esc("<a href=\"x\">&'</a>"),
        "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
    );
    assert_eq!(
        inline_code("action `<*>` is wide"),
        "action <code>&lt;*&gt;</code> is wide"
    );
    assert_eq!(inline_code("one ` tick"), "one ` tick");
    assert_eq!(url_path("dir/a b#1?.yaml"), "dir/a%20b%231%3F.yaml");
    assert_eq!(url_path("é/x"), "%C3%A9/x");
}

#[test]
fn a_shared_role_lists_its_findings_under_each_function() {
    let text = r#"Resources:
  A:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt Shared.Arn
  B:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt Shared.Arn
  Shared:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: all
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: "*"
                Resource: "*"
"#;
    let source = SourceFile::new("t.yaml".into(), "t.yaml".into(), text.into());
    let loaded = crate::load::load(0, &source, true).expect("loads");
    let mut findings = Vec::new();
    rules::check_model(
        &loaded.model,
        RULES,
        &RuleSettings::default(),
        &mut findings,
    );
    let outcome = Outcome {
        inventory: crate::inventory::of_model(&loaded),
        sources: vec![source],
        findings,
        files_linted: 1,
        ..Outcome::default()
    };
    let html = render(&outcome, &HtmlOptions::default());
    let wildcard = outcome
        .findings
        .iter()
        .position(|f| f.rule.name == "wildcard-action")
        .expect("wildcard-action fires");
    let marker = format!("data-finding=\"{wildcard}\"");
    assert_eq!(html.matches(&marker).count(), 2);
    assert_eq!(html.matches("shared by 2 functions").count(), 4);
}

#[test]
fn secrets_of_suppressed_findings_stay_masked() {
    let mut outcome = outcome();
    let secret = outcome
        .findings
        .iter()
        .position(|f| f.rule.name == "lambda-env-secret")
        .expect("secret finding");
    let finding = outcome.findings.remove(secret);
    outcome.suppressed.push(crate::suppress::Suppressed {
        finding,
        reason: "test".into(),
        by: crate::suppress::SuppressedBy::Comment,
    });
    let html = render(&outcome, &HtmlOptions::default());
    // The KMS finding still shows the variable's line, masked.
    assert!(html.contains("API_TOKEN: ghp_****"));
    assert!(!html.contains("abcdefghijklmnopqrstuvwxyz"));
}
