//! An action already covered by a wildcard (or listed twice) in the same `Action` or
//! `NotAction` list: `s3:GetObject` next to `s3:Get*`.

use super::{rule_meta, PolicyCx, Rule};
use crate::analysis::redundancy::{action_covers as covers, removal};
use crate::analysis::statement::is_broad_action_pattern;
use crate::finding::{Finding, RuleMeta};
use crate::model::{PolicyValue, Statement};

pub struct RedundantAction;

static META: RuleMeta = rule_meta!(
    "IAM109",
    "redundant-action",
    PolicyMistake,
    Low,
    "an action list names an action that another entry of the list already covers"
);

/// The entry that makes `values[i]` redundant. Of two entries that cover each other
/// (`s3:*` twice), only the later one is redundant, so one always stays. Values read from
/// the same node are a template's alternatives (`Fn::FindInMap` keyed by a parameter, an
/// `Fn::If` entry): only one of them is deployed, so they never cover each other.
fn covering(values: &[PolicyValue], i: usize) -> Option<&PolicyValue> {
    let inner = &values[i];
    if !inner.resolved {
        return None;
    }
    values.iter().enumerate().find_map(|(j, outer)| {
        let redundant = j != i
            && outer.span != inner.span
            && outer.resolved
            && covers(&outer.text, &inner.text)
            && (j < i || !covers(&inner.text, &outer.text));
        redundant.then_some(outer)
    })
}

impl Rule for RedundantAction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_statement(
        &self,
        cx: &PolicyCx<'_, '_>,
        statement: &Statement,
        out: &mut Vec<Finding>,
    ) {
        // Generated policies (SAM policy templates, managed policies) are not the author's
        // text to edit.
        // Branches of a template condition never apply together, so one cannot make the
        // other's entries redundant.
        let Some(list) = statement.action.as_ref().filter(|l| !l.alternatives) else {
            return;
        };
        let key = if list.negated { "NotAction" } else { "Action" };
        for (i, value) in list.values.iter().enumerate() {
            let Some(outer) = covering(&list.values, i) else {
                continue;
            };
            let message = if outer.text.eq_ignore_ascii_case(&value.text) {
                format!("action `{}` is listed twice in `{key}`", value.text)
            } else {
                format!(
                    "action `{}` is already covered by `{}` in the same `{key}` list",
                    value.text, outer.text
                )
            };
            // When the covering entry is itself too broad (`s3:*` in an Allow), deleting
            // the named action would only hide what the statement actually needs.
            if !list.negated && statement.is_allow() && is_broad_action_pattern(&outer.text) {
                let message = format!("{message}; the wildcard is the broader problem");
                out.push(
                    Finding::new(&META, cx.policy.file, value.span, message).help(format!(
                        "keep `{}` and narrow `{}` instead: the named action says what is needed, the wildcard grants more",
                        value.text, outer.text
                    )),
                );
                continue;
            }
            let mut finding =
                Finding::new(&META, cx.policy.file, value.span, message).help(format!(
                    "remove `{}`; the list means the same without it",
                    value.text
                ));
            if let Some(fix) = removal(cx.policy, list, i) {
                finding = finding.fix(fix);
            }
            out.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Edit;
    use crate::source::Span;

    #[test]
    fn coverage_is_exact() {
        assert!(covers("s3:Get*", "s3:GetObject"));
        assert!(covers("S3:get*", "s3:GetObject"));
        assert!(covers("s3:*", "s3:Get*"));
        assert!(covers("*", "s3:GetObject"));
        assert!(covers("s3:GetObject", "S3:GETOBJECT"));
        assert!(covers("s3:*Object", "s3:GetObject"));
        assert!(!covers("s3:Get*", "s3:PutObject"));
        assert!(!covers("s3:GetObject", "s3:Get*"));
        assert!(!covers("s3:Get*", "s3:*"));
        // `?` must not be read as covering a `*` of the inner pattern.
        assert!(!covers("s3:Get?bject", "s3:Get*bject"));
        assert!(!covers("s3:*Object", "s3:Get*"));
        assert!(!covers("s3:*", "sqs:SendMessage"));
    }

    fn values(texts: &[&str]) -> Vec<PolicyValue> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| PolicyValue::literal(*t, Span::new(i * 20, i * 20 + t.len())))
            .collect()
    }

    #[test]
    fn of_two_equal_entries_only_the_later_is_redundant() {
        let v = values(&["s3:*", "s3:GetObject", "S3:*"]);
        assert_eq!(covering(&v, 0), None);
        assert_eq!(covering(&v, 1).map(|o| o.text.as_str()), Some("s3:*"));
        assert_eq!(covering(&v, 2).map(|o| o.text.as_str()), Some("s3:*"));
        let v = values(&["s3:Get*", "s3:*"]);
        assert_eq!(covering(&v, 0).map(|o| o.text.as_str()), Some("s3:*"));
        assert_eq!(covering(&v, 1), None);
    }

    /// Findings of this rule for a file, as (message, fix edits).
    fn lint(name: &str, text: &str) -> Vec<Finding> {
        let source = crate::source::SourceFile::new(name.into(), name.into(), text.into());
        let loaded = crate::load::load(0, &source, true).expect("loads");
        let mut out = Vec::new();
        out.extend(crate::rules::run_rule(&RedundantAction, &loaded.model));
        out
    }

    /// Apply every fix whose edits do not overlap an earlier one, and repeat until no
    /// finding is left; the text must load after every round.
    fn fix_all(name: &str, text: &str) -> String {
        let mut text = text.to_string();
        for _ in 0..5 {
            let findings = lint(name, &text);
            if findings.is_empty() {
                return text;
            }
            let mut edits: Vec<&Edit> = findings
                .iter()
                .filter_map(|f| f.fix.as_ref())
                .flat_map(|f| f.edits.iter())
                .collect();
            assert!(!edits.is_empty(), "findings without fix in\n{text}");
            edits.sort_by_key(|e| e.span.start);
            let mut kept: Vec<&Edit> = Vec::new();
            for edit in edits {
                if kept.last().is_none_or(|k| k.span.end <= edit.span.start) {
                    kept.push(edit);
                }
            }
            for edit in kept.iter().rev() {
                text.replace_range(edit.span.range(), &edit.replacement);
            }
        }
        panic!("fixes did not converge:\n{text}");
    }

    #[test]
    fn fixes_json_lists() {
        let policy = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "s3:GetObject",
        "s3:Get*",
        "s3:GetObjectVersion"
      ],
      "Resource": "arn:aws:s3:::b/*"
    },
    {
      "Effect": "Deny",
      "Action": ["s3:Delete*", "s3:DeleteObject"],
      "Resource": "*"
    }
  ]
}"#;
        let fixed = fix_all("p.json", policy);
        assert_eq!(
            fixed,
            r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "s3:Get*"
      ],
      "Resource": "arn:aws:s3:::b/*"
    },
    {
      "Effect": "Deny",
      "Action": ["s3:Delete*"],
      "Resource": "*"
    }
  ]
}"#
        );
        assert!(serde_json::from_str::<serde_json::Value>(&fixed).is_ok());
    }

    #[test]
    fn fixes_yaml_block_and_flow_lists() {
        let template = "Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: Logs
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Deny
                Action:
                  - logs:CreateLogStream # per invocation
                  - logs:*
                  - logs:PutLogEvents
                Resource: '*'
              - Effect: Deny
                Action: [sqs:ReceiveMessage, 'sqs:*', \"SQS:ReceiveMessage\"]
                Resource: '*'
";
        let fixed = fix_all("t.yaml", template);
        assert!(
            fixed.contains(
                "                Action:
                  - logs:*
                Resource: '*'"
            ),
            "{fixed}"
        );
        assert!(
            fixed.contains("                Action: ['sqs:*']\n"),
            "{fixed}"
        );
        let again = crate::source::SourceFile::new("t.yaml".into(), "t.yaml".into(), fixed);
        let loaded = crate::load::load(0, &again, true).expect("loads");
        assert_eq!(loaded.model.policies.len(), 2);
        assert_eq!(loaded.model.policies[1].statements.len(), 2);
    }

    #[test]
    fn no_removal_advice_when_the_covering_wildcard_is_too_broad() {
        let policy = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["sqs:*", "sqs:SendMessage"], "Resource": "*"},
  {"Effect": "Allow", "Action": ["s3:Get*", "s3:GetObject"], "Resource": "*"}]}"#;
        let findings = lint("p.json", policy);
        assert_eq!(findings.len(), 2);
        assert!(findings[0].fix.is_none());
        assert!(findings[0]
            .message
            .ends_with("the wildcard is the broader problem"));
        assert!(findings[1].fix.is_some());
    }

    #[test]
    fn no_fix_when_one_entry_expands_to_several_values() {
        let template = "Mappings:
  Access:
    a: {read: 's3:Get*'}
    b: {read: 's3:GetObject'}
Resources:
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Action:
              - !FindInMap [Access, !Ref Env, read]
              - s3:ListBucket
            Resource: '*'
";
        // The two map values are alternatives: `s3:Get*` does not make `s3:GetObject`
        // redundant.
        assert!(lint("t.yaml", template).is_empty());
        let with_star = template.replace("- s3:ListBucket", "- s3:*");
        let findings = lint("t.yaml", &with_star);
        assert_eq!(findings.len(), 2);
        assert!(findings.iter().all(|f| f.fix.is_none()));
    }

    #[test]
    fn unresolved_values_neither_cover_nor_are_covered() {
        let mut v = values(&["${Actions}", "s3:GetObject"]);
        v[0].resolved = false;
        v[0].text = "*".into();
        assert_eq!(covering(&v, 1), None);
    }
}
