//! `ticket-rules run`: replay events through the rules (events.md).

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use jiff::Timestamp;
use ticket_rules::check::Checked;
use ticket_rules::diagnostic::{render, Severity};
use ticket_rules::engine::{CompileError, CompileOptions, Engine, EventOutcome, RuleSet};
use ticket_rules::io::{account, events, output, rules};
use ticket_rules::model::Account;

use super::EXIT_USAGE;

/// Output formats of `run`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per line (the contract in events.md).
    Jsonl,
    /// Blocks for people, and a summary.
    Pretty,
}

/// Arguments of `run`.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Rule file or directory (repeatable). Default: `rules/examples/` if it exists.
    #[arg(long = "rules", value_name = "PATH")]
    rules: Vec<PathBuf>,
    /// Account settings (account.yaml). Default: built-in defaults.
    #[arg(long, value_name = "FILE")]
    account: Option<PathBuf>,
    /// Events, one JSON object per line; `-` for stdin (the default).
    #[arg(long, value_name = "FILE|-", default_value = "-")]
    events: String,
    /// After the last event, perform the automation runs up to this RFC 3339 time.
    #[arg(long, value_name = "TIME")]
    until: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    format: Format,
    /// Do not load the built-in card-redaction rule (W13).
    #[arg(long)]
    no_default_rules: bool,
    /// Add to every ticket record why each rule considered did or did not match.
    #[arg(long)]
    explain: bool,
}

fn print_diagnostics(checked: &Checked, as_warnings: bool) {
    // One rendering per file: the renderer reads the file's text once for all its findings.
    for (i, file) in checked.files.iter().enumerate() {
        let diags: Vec<_> = checked
            .diagnostics
            .iter()
            .filter(|fd| fd.file == i)
            .map(|fd| {
                let mut d = fd.diagnostic.clone();
                if as_warnings {
                    d.severity = Severity::Warning;
                }
                d
            })
            .collect();
        if !diags.is_empty() {
            let text = render::human(&diags, file);
            eprint!("{}", ticket_rules::redact::scrub(&text));
        }
    }
}

fn load(args: &RunArgs) -> Result<(RuleSet, Account), i32> {
    let paths = if args.rules.is_empty() {
        let default = PathBuf::from("rules/examples");
        if !default.is_dir() {
            eprintln!(
                "error: no rules given and no rules/examples/ folder here; pass --rules PATH"
            );
            return Err(EXIT_USAGE);
        }
        vec![default]
    } else {
        args.rules.clone()
    };
    let sources = rules::load_rule_sources(&paths).map_err(|e| {
        eprintln!("error: {e}");
        EXIT_USAGE
    })?;
    let account = match &args.account {
        Some(p) => account::load_account(p).map_err(|e| {
            eprintln!("error: {e}");
            EXIT_USAGE
        })?,
        None => {
            eprintln!("note: no --account given: using the default account settings (UTC, no conversations license, no approved templates)");
            Account::default()
        }
    };
    let options = CompileOptions {
        default_rules: !args.no_default_rules,
    };
    match RuleSet::compile(&sources, account.clone(), options) {
        Ok((rs, checked)) => {
            print_diagnostics(&checked, true);
            Ok((rs, account))
        }
        Err(CompileError::Rules(checked)) => {
            let only_blocking = Checked {
                diagnostics: checked
                    .diagnostics
                    .iter()
                    .filter(|d| d.diagnostic.is_error())
                    .cloned()
                    .collect(),
                ..(*checked).clone()
            };
            print_diagnostics(&only_blocking, false);
            eprintln!("error: the rules have errors; nothing was replayed");
            Err(EXIT_USAGE)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Err(EXIT_USAGE)
        }
    }
}

struct Out<W: Write> {
    w: W,
    format: Format,
    explain: bool,
    summary: output::Summary,
}

impl<W: Write> Out<W> {
    fn event(&mut self, line: usize, o: &EventOutcome) -> io::Result<()> {
        self.summary.add_event(o);
        match self.format {
            Format::Jsonl => {
                output::write_line(&mut self.w, &output::event_json_with(line, o, self.explain))
            }
            Format::Pretty => output::write_line(&mut self.w, &output::event_pretty(line, o)),
        }
    }

    fn runs(&mut self, runs: &[ticket_rules::engine::AutomationRun]) -> io::Result<()> {
        for r in runs {
            self.summary.add_run(r);
            match self.format {
                Format::Jsonl => {
                    output::write_line(&mut self.w, &output::run_json_with(r, self.explain))?
                }
                Format::Pretty => output::write_line(&mut self.w, &output::run_pretty(r))?,
            }
        }
        Ok(())
    }
}

/// The exit status when standard output closed before the end and no line had been
/// rejected so far: 141, as for a program ended by SIGPIPE (128 + 13).
pub const EXIT_OUTPUT_CLOSED: i32 = 141;

/// Runs `run`; returns the exit status (0 all processed, 1 some lines rejected, 2 usage
/// or rule errors, [`EXIT_OUTPUT_CLOSED`] when the output closed early with no line
/// rejected before).
pub fn run(args: RunArgs) -> i32 {
    let until = match args.until.as_deref().map(ticket_rules::io::parse_instant) {
        None => None,
        Some(Ok(t)) => Some(t),
        Some(Err(e)) => {
            eprintln!(
                "error: --until is not a usable RFC 3339 time (e.g. 2026-11-25T12:00:00Z): {e}"
            );
            return EXIT_USAGE;
        }
    };
    let (rs, _account) = match load(&args) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let input: Box<dyn io::Read> = if args.events == "-" {
        if io::stdin().is_terminal() {
            eprintln!(
                "reading events from the terminal, one JSON object per line (end with Ctrl-D)"
            );
        }
        Box::new(io::stdin())
    } else {
        match File::open(&args.events) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("error: {}: {e}", args.events);
                return EXIT_USAGE;
            }
        }
    };
    let mut engine = Engine::new(Arc::new(rs));
    engine.set_explain(args.explain);
    let stdout = io::stdout();
    let mut out = Out {
        w: BufWriter::with_capacity(1 << 16, stdout.lock()),
        format: args.format,
        explain: args.explain,
        summary: output::Summary::default(),
    };
    match replay(input, &mut engine, &mut out, until) {
        Ok(()) => {}
        // The reader went away (`run … | head`): not every line was processed, so never 0.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
            return if out.summary.rejected > 0 {
                1
            } else {
                EXIT_OUTPUT_CLOSED
            };
        }
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    }
    if let Format::Pretty = args.format {
        let _ = out.w.write_all(out.summary.pretty().as_bytes());
    }
    let _ = out.w.flush();
    if out.summary.rejected > 0 {
        1
    } else {
        0
    }
}

fn replay<W: Write>(
    input: Box<dyn io::Read>,
    engine: &mut Engine,
    out: &mut Out<W>,
    until: Option<Timestamp>,
) -> io::Result<()> {
    let mut input = BufReader::with_capacity(1 << 16, input);
    let mut buf = Vec::new();
    let mut line = 0usize;
    loop {
        buf.clear();
        // Before a read that may wait, hand over what is done: in a live pipeline each
        // result comes out as soon as its event went in; from a file, output stays batched.
        if input.buffer().is_empty() {
            out.w.flush()?;
        }
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        line += 1;
        let text = String::from_utf8_lossy(&buf);
        let text = text.trim_end_matches(['\n', '\r']);
        if events::is_blank_line(text) {
            continue;
        }
        match events::decode_line(text, line) {
            Err(e) => {
                let o =
                    EventOutcome::rejected(Some(format!("line:{line}")), None, None, e.to_string());
                out.event(line, &o)?;
            }
            Ok(event) => {
                let mut step = engine.process(event);
                // Errors name the input line, like decoding errors do.
                if let Some(e) = step.outcome.error.as_mut() {
                    *e = format!("line {line}: {e}");
                }
                out.runs(&step.runs)?;
                out.event(line, &step.outcome)?;
            }
        }
    }
    if let Some(t) = until {
        let runs = engine.advance_to(t);
        out.runs(&runs)?;
    }
    Ok(())
}
