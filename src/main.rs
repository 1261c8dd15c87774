// Parsing many small documents is allocation-bound; mimalloc cuts that cost noticeably
// against the system allocator (see benches/corpus.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    iamlint::cli::main()
}
