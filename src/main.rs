//! The `ticket-rules` command line: thin, one file per subcommand in `src/cli/`.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
