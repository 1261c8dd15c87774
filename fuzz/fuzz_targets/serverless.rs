//! Any bytes as a `serverless.yml`, with `${file(...)}` includes served from the same bytes
//! (so includes, self references and cycles are all reachable): load, run every rule, and
//! check every finding's span against the file it names.
#![no_main]

use iamlint::load::serverless::{self, IncludeLoader, IncludedFile};
use iamlint::load::Loaded;
use iamlint::rules::RULES;
use libfuzzer_sys::fuzz_target;

/// Every include is the input itself, under id 1.
struct Echo<'a>(&'a str);

impl IncludeLoader for Echo<'_> {
    fn include(&mut self, _from: usize, _path: &str) -> Result<IncludedFile, String> {
        Ok(IncludedFile { file: 1, text: self.0.to_string() })
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(doc) = iamlint::syntax::parse_yaml(text) else { return };
    let Some(root) = doc.roots.first() else { return };
    let _ = serverless::sniff("serverless.yml", root);
    let mut loaded = Loaded::default();
    serverless::load(root, 0, text, &mut Echo(text), &mut loaded);
    let mut findings = Vec::new();
    iamlint::rules::check_model(&loaded.model, RULES, &Default::default(), &mut findings);
    for finding in &findings {
        assert!(finding.file <= 1);
        assert!(text.get(finding.span.range()).is_some(), "span off a char boundary");
    }
});
