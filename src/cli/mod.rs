//! clap definitions and dispatch. Each subcommand lives in its own file.

use clap::{Parser, Subcommand};

pub mod check;
pub mod fmt;
pub mod redact;
pub mod run;
#[cfg(feature = "server")]
pub mod serve;
pub mod test;

/// Exit status for usage errors (events.md).
pub const EXIT_USAGE: i32 = 2;

#[derive(Parser)]
#[command(
    name = "ticket-rules",
    version,
    about = "Helpdesk triggers and automations with WhatsApp guards and card redaction"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Replay events through the rules (the main job).
    Run(run::RunArgs),
    /// Redact card numbers from stdin, line by line, to stdout.
    Redact(redact::RedactArgs),
    /// Rewrite rule files in the canonical layout (`--check`: only list them, exit 5).
    Fmt(fmt::FmtArgs),
    /// Run rule test cases (`*.test.yaml` beside the rules).
    Test(test::TestArgs),
    /// Parse and validate rule files; report every finding (exit 3 on errors).
    Check(check::CheckArgs),
    /// Serve the engine over HTTP with SQLite state (docs/http-api.md).
    #[cfg(feature = "server")]
    Serve(serve::ServeArgs),
}

/// Parses the command line and runs the subcommand; returns the exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Redact(args) => redact::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Test(args) => test::run(args),
        Command::Check(args) => check::run(args),
        #[cfg(feature = "server")]
        Command::Serve(args) => serve::run(args),
    }
}
