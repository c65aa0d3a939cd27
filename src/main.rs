//! The `ticket-rules` command line: thin, one file per subcommand in `src/cli/`.

mod cli;

/// mimalloc: fewer cycles per small allocation than the system allocator (issue #5).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(cli::main());
}
