//! Any bytes as AWS CLI output (JSON, or YAML from `--output yaml`): sniff, load as a unit of
//! two copies, run every rule, and check that spans (also those mapped into JSON-string and
//! URL-encoded policies) fall on the text's character boundaries.
#![no_main]

use iamlint::load::aws_cli::{self, DumpFile};
use iamlint::load::Loaded;
use iamlint::rules::RULES;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(doc) = iamlint::syntax::parse_auto(text, false) else { return };
    let Some(root) = doc.roots.first() else { return };
    if !aws_cli::sniff(root) {
        return;
    }
    let files = [
        DumpFile { file: 0, text, root },
        DumpFile { file: 1, text, root },
    ];
    let mut loaded = Loaded::default();
    aws_cli::load_unit(&files, &mut loaded);
    let mut findings = Vec::new();
    iamlint::rules::check_model(&loaded.model, RULES, &Default::default(), &mut findings);
    for finding in &findings {
        assert!(text.get(finding.span.range()).is_some(), "span off a char boundary");
    }
});
