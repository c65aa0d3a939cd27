//! `ticket-rules check`: parse and validate rule files, report every finding of every
//! file in one pass (events.md; codes in `docs/diagnostics.md`).
//!
//! Findings go to stdout in the chosen format (they are this command's result, and CI
//! reads them there: GitHub takes workflow commands from stdout); a one-line summary goes
//! to stderr. Exit status: 0 clean or warnings only, 3 errors found, 2 usage (a path that
//! cannot be read, an unreadable account). Every line written passes `redact::scrub`.

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;
use ticket_rules::check::{self, Checked};
use ticket_rules::diagnostic::{render, Severity, SourceFile};
use ticket_rules::io::{account, rules};
use ticket_rules::redact::scrub;

use super::EXIT_USAGE;

/// Exit status when a file has an error finding (events.md).
pub const EXIT_ERRORS: i32 = 3;

/// Output formats of `check`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    /// The source line with the span underlined, the message and a help line.
    Human,
    /// One JSON array of `{file, line, column, end_line, end_column, severity, code,
    /// message, help}` over all files.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`).
    Github,
}

/// Arguments of `check`.
#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Rule files or directories (all `*.rules` below them). Default: `rules/`.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Account settings (account.yaml): checks templates against its approved registry
    /// (W9). Without it templates are not checked, and a warning says so.
    #[arg(long, value_name = "FILE")]
    account: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

/// Runs `check`; returns the exit status.
pub fn run(args: CheckArgs) -> i32 {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("rules")]
    } else {
        args.paths
    };
    let sources = match rules::load_rule_sources(&paths) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{}", scrub(&format!("error: {e}")));
            return EXIT_USAGE;
        }
    };
    let account = match &args.account {
        Some(p) => match account::load_account(p) {
            Ok(a) => Some(a),
            Err(e) => {
                eprintln!("{}", scrub(&format!("error: {e}")));
                return EXIT_USAGE;
            }
        },
        None => None,
    };
    let checked = check::check(&sources, account.as_ref());
    let text = match args.format {
        Format::Human => human(&checked),
        Format::Json => json(&checked),
        Format::Github => github(&checked),
    };
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(scrub(&text).as_bytes()).is_err() || stdout.flush().is_err() {
        return EXIT_USAGE;
    }
    eprintln!("{}", scrub(&summary(&checked)));
    if checked.has_errors() {
        EXIT_ERRORS
    } else {
        0
    }
}

/// `N errors, M warnings in K files` (or `no findings in K files`).
pub fn summary(checked: &Checked) -> String {
    let errors = checked
        .diagnostics
        .iter()
        .filter(|d| d.diagnostic.is_error())
        .count();
    let warnings = checked.diagnostics.len() - errors;
    let files = checked.files.len();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if errors + warnings == 0 {
        format!("check: no findings in {}", plural(files, "file"))
    } else {
        format!(
            "check: {}, {} in {}",
            plural(errors, "error"),
            plural(warnings, "warning"),
            plural(files, "file")
        )
    }
}

/// Each file's findings rendered by [`render::human`], files in rule order.
pub fn human(checked: &Checked) -> String {
    let mut out = String::new();
    for (i, file) in checked.files.iter().enumerate() {
        let diags = checked.diagnostics_of(i);
        if !diags.is_empty() {
            out.push_str(&render::human(&diags, file));
        }
    }
    out
}

/// GitHub annotations for every finding ([`render::github`]).
pub fn github(checked: &Checked) -> String {
    let mut out = String::new();
    for (i, file) in checked.files.iter().enumerate() {
        let diags = checked.diagnostics_of(i);
        if !diags.is_empty() {
            out.push_str(&render::github(&diags, file));
        }
    }
    out
}

/// One finding in the JSON report; the field order is the key order.
#[derive(Serialize)]
struct Record<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    severity: Severity,
    code: &'a str,
    message: &'a str,
    help: Option<&'a str>,
}

/// The JSON report: one array over all files, one object per line, `[]` when clean.
pub fn json(checked: &Checked) -> String {
    let mut lines = Vec::new();
    for fd in &checked.diagnostics {
        let Some(file): Option<&SourceFile> = checked.files.get(fd.file) else {
            continue;
        };
        let d = &fd.diagnostic;
        let (line, column) = file.line_col(d.span.start);
        let (end_line, end_column) = file.line_col(d.span.end);
        let record = Record {
            file: &file.name,
            line,
            column,
            end_line,
            end_column,
            severity: d.severity,
            code: d.code.name(),
            message: &d.message,
            help: d.help.as_deref(),
        };
        if let Ok(s) = serde_json::to_string(&record) {
            lines.push(s);
        }
    }
    if lines.is_empty() {
        "[]\n".to_string()
    } else {
        format!("[\n{}\n]\n", lines.join(",\n"))
    }
}
