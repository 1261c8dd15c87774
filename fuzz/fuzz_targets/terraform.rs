//! Any bytes, read as a Terraform `.tf` file and as a plan JSON: parse the HCL (comments
//! included), build the model, run every rule and compute every finding's line and column.
//! Nothing may panic, and every span must fall on the text's character boundaries.
#![no_main]

use std::path::PathBuf;

use iamlint::load::terraform;
use iamlint::rules::RULES;
use iamlint::source::SourceFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = iamlint::syntax::hcl::comments(text);
    for name in ["main.tf", "plan.json"] {
        let source = SourceFile::new(PathBuf::from(name), name.to_string(), text.to_string());
        let unit = if name == "main.tf" {
            terraform::load_module(&[(0, &source)], terraform::Readers::default())
        } else {
            terraform::load_plan(0, &source)
        };
        let Ok(unit) = unit else { continue };
        for (_, comments) in &unit.comments {
            for c in comments {
                assert!(source.text.get(c.span.range()).is_some(), "comment span off a char boundary");
            }
        }
        let mut findings = Vec::new();
        iamlint::rules::check_model(&unit.model, RULES, &Default::default(), &mut findings);
        for finding in &findings {
            assert!(source.text.get(finding.span.range()).is_some(), "span off a char boundary");
            let _ = source.line_col(finding.span.end);
        }
    }
});
