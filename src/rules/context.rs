//! Names the function, role and policy a finding belongs to, so template findings read
//! "in policy `S3Access` of role `FnRole`, used by function `Fn`" without every rule
//! repeating that lookup.

use crate::finding::Finding;
use crate::model::{FileModel, Related};

pub fn attach(model: &FileModel, findings: &mut [Finding]) {
    for finding in findings.iter_mut().filter(|f| f.related.is_empty()) {
        // The innermost policy containing the finding.
        let Some((index, policy)) = model
            .policies
            .iter()
            .enumerate()
            .filter(|(_, p)| p.span.start <= finding.span.start && finding.span.end <= p.span.end)
            .min_by_key(|(_, p)| p.span.end - p.span.start)
        else {
            continue;
        };
        finding.related.extend(policy.related.iter().cloned());
        for (role_index, role) in model
            .roles
            .iter()
            .enumerate()
            .filter(|(_, r)| r.policies.contains(&index))
        {
            if !role.sam_generated && !finding.related.iter().any(|r| r.span == role.span) {
                finding.related.push(Related {
                    label: format!("role `{}`", role.logical_id),
                    file: role.file,
                    span: role.span,
                });
            }
            for function in model.functions_of_role(role_index) {
                if !finding.related.iter().any(|r| r.span == function.span) {
                    finding.related.push(Related {
                        label: format!("function {}", function.display_name()),
                        file: function.file,
                        span: function.span,
                    });
                }
            }
        }
    }
}
