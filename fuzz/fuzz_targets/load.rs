//! Any bytes, read as a JSON or YAML policy or template: parse, load, run every rule and
//! compute every finding's line and column. Nothing may panic, and every span must fall
//! on the text's character boundaries.
#![no_main]

use std::path::PathBuf;

use iamlint::rules::RULES;
use iamlint::source::SourceFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for name in ["input.json", "input.yaml"] {
        let source = SourceFile::new(PathBuf::from(name), name.to_string(), text.to_string());
        if let Ok(loaded) = iamlint::load::load(0, &source, true) {
            let mut findings = Vec::new();
            iamlint::rules::check_model(&loaded.model, RULES, &Default::default(), &mut findings);
            for finding in &findings {
                assert!(source.text.get(finding.span.range()).is_some(), "span off a char boundary");
                let _ = source.line_col(finding.span.end);
            }
        }
    }
});
