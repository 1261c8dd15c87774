//! Throughput on a corpus of real templates: a bare read+parse of every candidate file
//! against the full lint (load + every rule), both on one thread, best of five.
//!
//!   cargo bench --bench corpus -- [DIR]      (DIR defaults to ../shared/corpus)
//!
//! The baseline reads and parses exactly the files discovery hands the lint (templates,
//! `.tf`, Serverless files). The lint also parses inline and on-disk handler code with
//! tree-sitter (about a tenth of its time on the shared corpus), which the baseline does not:
//! the ratio includes that extra work.

#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use iamlint::lint::{self, Options};

// The same allocator as the binary, for both the baseline and the full lint.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use iamlint::rules::RULES;

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let value = f();
        best = best.min(start.elapsed());
        last = Some(value);
    }
    (best, last.expect("at least one run"))
}

fn main() {
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            // From a worktree (`wt/<branch>`) the shared corpus is one level further up.
            let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
            ["../shared/corpus", "../../shared/corpus"]
                .iter()
                .map(|p| here.join(p))
                .find(|p| p.is_dir())
                .unwrap_or_else(|| here.join("../shared/corpus"))
        });
    let (candidates, _) = iamlint::discover::discover(std::slice::from_ref(&dir), &[]);
    let paths: Vec<PathBuf> = candidates.into_iter().map(|c| c.path).collect();
    let bytes: usize = paths
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len() as usize)
        .sum();
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global()
        .expect("one worker thread");

    let (parse, parsed) = best_of(5, || {
        paths
            .iter()
            .filter_map(|p| Some((p, std::fs::read_to_string(p).ok()?)))
            .filter(|(p, text)| {
                if p.extension().is_some_and(|e| e == "tf") {
                    return iamlint::syntax::hcl::parse_hcl(text).is_ok();
                }
                let json = text.trim_start().starts_with('{');
                iamlint::syntax::parse_auto(text, json).is_ok()
            })
            .count()
    });
    let options = Options {
        paths: vec![dir.clone()],
        excludes: Vec::new(),
        max_file_size: lint::DEFAULT_MAX_FILE_SIZE,
        rules: RULES.to_vec(),
        input_format: None,
    };
    let (full, outcome) = best_of(5, || lint::run(&options));

    let report = |name: &str, t: Duration| {
        let s = t.as_secs_f64();
        println!(
            "{name:<28} {:>8.1} ms {:>9.0} files/s {:>7.1} MB/s",
            s * 1e3,
            paths.len() as f64 / s,
            bytes as f64 / 1e6 / s
        );
    };
    println!(
        "corpus {}: {} files, {:.1} MB ({parsed} parse)",
        dir.display(),
        paths.len(),
        bytes as f64 / 1e6
    );
    report("read + parse (1 thread)", parse);
    report("iamlint check (1 thread)", full);
    println!(
        "ratio full/parse: {:.2}x; {} findings, {} errors",
        full.as_secs_f64() / parse.as_secs_f64(),
        outcome.findings.len(),
        outcome.errors.len()
    );
}
