//! `ticket-rules serve`: the engine as an HTTP sidecar with SQLite state
//! (docs/http-api.md).
//!
//! Prints `listening on http://ADDR` as the first line of stdout once the socket is
//! bound (with `--addr 127.0.0.1:0` the port the system chose), logs to stderr, and
//! stops on Ctrl-C or SIGTERM after the request in hand (a long automation catch-up stops
//! at its next step, keeping the runs done). Exit status: 0 after a clean
//! stop; 1 when the address cannot be bound or serving fails; 2 for usage, rule, account
//! or database errors at start.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use ticket_rules::check::Checked;
use ticket_rules::diagnostic::{render, Severity};
use ticket_rules::server::{
    log, ClockMode, ServeError, ServeOptions, Server, DEFAULT_BODY_LIMIT, DEFAULT_MAX_FUTURE_HOURS,
};

use super::EXIT_USAGE;

/// Where automations get their time.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Clock {
    /// Hourly runs on the wall clock (minute `automation_minute`), plus POST /v1/clock.
    Wall,
    /// Only events and POST /v1/clock move the clock.
    Manual,
}

/// Arguments of `serve`.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Rule file or directory (repeatable). Default: `rules/examples/` if it exists.
    #[arg(long = "rules", value_name = "PATH")]
    rules: Vec<PathBuf>,
    /// Account settings (account.yaml; `whatsapp.app_secret` and `verify_token` for the
    /// webhook). Default: built-in defaults.
    #[arg(long, value_name = "FILE")]
    account: Option<PathBuf>,
    /// SQLite database, created on first start.
    #[arg(long, value_name = "PATH", default_value = "ticket-rules.db")]
    db: PathBuf,
    /// Address to listen on (loopback by default; port 0 picks a free port).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8700")]
    addr: SocketAddr,
    /// Require `Authorization: Bearer TOKEN` on every /v1 route.
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
    /// Largest request body in bytes (larger ones get 413).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_BODY_LIMIT)]
    max_body: usize,
    /// `wall`: hourly automation runs on the wall clock; `manual`: only events and
    /// POST /v1/clock move time.
    #[arg(long, value_enum, default_value = "wall")]
    clock: Clock,
    /// Do not load the built-in card-redaction rule (W13).
    #[arg(long)]
    no_default_rules: bool,
    /// With `--clock wall`: reject an event stamped more than HOURS whole hours ahead of
    /// the wall clock (its line says so; nothing is applied). Not applied to
    /// `--clock manual` nor to POST /v1/clock.
    #[arg(long, value_name = "HOURS", default_value_t = DEFAULT_MAX_FUTURE_HOURS)]
    max_future: u32,
}

fn print_diagnostics(checked: &Checked, as_warnings: bool) {
    for fd in &checked.diagnostics {
        let mut d = fd.diagnostic.clone();
        if as_warnings {
            d.severity = Severity::Warning;
        }
        let text = render::human(&[d], &checked.files[fd.file]);
        eprint!("{}", ticket_rules::redact::scrub(&text));
    }
}

/// Runs `serve`; returns the exit status.
pub fn run(args: ServeArgs) -> i32 {
    let rules = if args.rules.is_empty() {
        let default = PathBuf::from("rules/examples");
        if !default.is_dir() {
            eprintln!(
                "error: no rules given and no rules/examples/ folder here; pass --rules PATH"
            );
            return EXIT_USAGE;
        }
        vec![default]
    } else {
        args.rules
    };
    if args.account.is_none() {
        eprintln!("note: no --account given: using the default account settings (no webhook secret: POST /webhooks/whatsapp answers 401)");
    }
    if !args.addr.ip().is_loopback() && args.token.is_none() {
        eprintln!("warning: listening on a non-loopback address without --token: anyone who can reach it can change tickets");
    }
    let options = ServeOptions {
        rules,
        account: args.account,
        db: args.db,
        token: args.token,
        body_limit: args.max_body,
        clock: match args.clock {
            Clock::Wall => ClockMode::Wall,
            Clock::Manual => ClockMode::Manual,
        },
        default_rules: !args.no_default_rules,
        max_future_hours: args.max_future,
    };
    let (server, checked) = match Server::open(options) {
        Ok(x) => x,
        Err(ServeError::Rules(checked)) => {
            let blocking = Checked {
                diagnostics: checked
                    .diagnostics
                    .iter()
                    .filter(|d| d.diagnostic.is_error())
                    .cloned()
                    .collect(),
                ..(*checked).clone()
            };
            print_diagnostics(&blocking, false);
            eprintln!("error: the rules have errors; not serving");
            return EXIT_USAGE;
        }
        Err(e) => {
            eprintln!("error: {}", ticket_rules::redact::scrub(&e.to_string()));
            return EXIT_USAGE;
        }
    };
    print_diagnostics(&checked, true);
    // A panic message goes through the scrubbing log too (no card number in any line).
    std::panic::set_hook(Box::new(|info| log::error(&format!("panic: {info}"))));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return 1;
        }
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(args.addr).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: cannot listen on {}: {e}", args.addr);
                return 1;
            }
        };
        let addr = match listener.local_addr() {
            Ok(a) => a,
            Err(e) => {
                eprintln!("error: {e}");
                return 1;
            }
        };
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{addr}");
        let _ = out.flush();
        drop(out);
        log::info(&format!("serving on http://{addr}"));
        match server.run(listener, shutdown_signal()).await {
            Ok(()) => {
                log::info("stopped");
                0
            }
            Err(e) => {
                log::error(&format!("serving failed: {e}"));
                1
            }
        }
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
