//! `ticket-rules test [PATH]…`: run rule test cases (`*.test.yaml`, docs/testing.md).
//! Exit 0 when every case passes; 4 on a failure or when no case was found; 2 when a
//! path or a test file cannot be used (the other files still run).

use std::io::Write;
use std::path::PathBuf;

use ticket_rules::testing::{self, render, FileReport, Summary};

use super::EXIT_USAGE;

/// Exit status when a case fails or no case was found (events.md).
pub const EXIT_TEST_FAILED: i32 = 4;

/// Output formats of `test`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    /// One line per case, a readable diff under each failure, `N passed, N failed`.
    Human,
    /// JUnit XML on stdout (the summary line goes to stderr).
    Junit,
}

/// Arguments of `test`.
#[derive(clap::Args, Debug)]
pub struct TestArgs {
    /// Test files, or folders searched for `*.test.yaml`. Default: `rules/`.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

/// Runs `test`; returns the exit status.
pub fn run(args: TestArgs) -> i32 {
    let paths = if args.paths.is_empty() {
        let default = PathBuf::from("rules");
        if !default.is_dir() {
            eprintln!("error: no PATH given and no rules/ folder here; pass a test file or folder");
            return EXIT_USAGE;
        }
        vec![default]
    } else {
        args.paths.clone()
    };
    let files = match testing::find_test_files(&paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut reports: Vec<FileReport> = Vec::with_capacity(files.len());
    for f in &files {
        let report = testing::run_test_file(f);
        if let Some(e) = &report.error {
            eprintln!("error: {}", ticket_rules::redact::scrub(&e.to_string()));
        }
        if let Format::Human = args.format {
            let _ = out.write_all(render::human(&report).as_bytes());
        }
        reports.push(report);
    }
    let summary = Summary::of(&reports);
    match args.format {
        Format::Human => {
            let _ = writeln!(out, "{summary}");
        }
        Format::Junit => {
            let _ = out.write_all(render::junit(&reports).as_bytes());
            eprintln!("{summary}");
        }
    }
    let _ = out.flush();
    if summary.total() == 0 && summary.file_errors == 0 {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        eprintln!(
            "error: no test cases found in {} (test files end in .test.yaml)",
            shown.join(", ")
        );
    }
    if summary.file_errors > 0 {
        EXIT_USAGE
    } else if summary.failed > 0 || summary.total() == 0 {
        EXIT_TEST_FAILED
    } else {
        0
    }
}
