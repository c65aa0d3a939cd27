//! `ticket-rules serve`: the engine as a small HTTP service beside a ticketing host
//! (feature `server`, on by default).
//!
//! - State lives in an embedded SQLite database (schema version [`SCHEMA_VERSION`]):
//!   tickets, window anchors, automation bookkeeping, outbound messages by WhatsApp id,
//!   the replay clock, the audit log and every event's outcome. WAL mode,
//!   `synchronous=NORMAL`: a killed process loses nothing it answered.
//! - One writer (on a thread of its own) applies requests one at a time, each in one
//!   transaction committed before the answer is sent; an outbound message is therefore
//!   recorded before it is reported.
//! - Idempotent: an event whose key ([`crate::engine::event_key`]) was applied before is
//!   answered with its stored outcome and changes nothing.
//! - HTTP routes (axum) are described in `docs/http-api.md` and
//!   `docs/openapi.yaml`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use ticket_rules::server::{ServeOptions, Server};
//! let options = ServeOptions {
//!     rules: vec!["rules/examples".into()],
//!     account: Some("examples/account.yaml".into()),
//!     db: "state.db".into(),
//!     ..ServeOptions::default()
//! };
//! let (server, _warnings) = Server::open(options)?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! println!("listening on http://{}", listener.local_addr()?);
//! server.run(listener, std::future::pending()).await?;
//! # Ok(()) }
//! ```

mod codec;
mod core;
mod db;
pub(crate) mod decode;
mod http;
pub mod log;
mod metrics;

use std::collections::VecDeque;
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use jiff::Timestamp;
use tokio::sync::{mpsc, oneshot};

use crate::check::{Checked, RuleSource};
use crate::engine::{CompileError, CompileOptions, RuleSet};
use crate::io::{account, rules as rule_files};
use crate::model::{Account, Event};

use self::core::{Answer, Core, TicketView};
use self::db::AuditEntry;
pub use self::db::{DbError, SCHEMA_VERSION};
pub use self::http::MAX_URI_BYTES;
use self::metrics::Metrics;

/// Default request body limit: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1 << 20;

/// Default of [`ServeOptions::max_future_hours`]: with the wall clock, an event may be
/// stamped at most this many hours ahead of it.
pub const DEFAULT_MAX_FUTURE_HOURS: u32 = 24;

/// Where automations get their time (S18).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClockMode {
    /// Hourly runs on the wall clock at minute `automation_minute` of each UTC hour, plus
    /// `POST /v1/clock`.
    #[default]
    Wall,
    /// Only events and `POST /v1/clock` move the clock (hosts that own time; tests).
    Manual,
}

/// How to start the server.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Rule files or directories (all `*.rules` below), in order; re-read by
    /// `POST /v1/rules/reload` with an empty body.
    pub rules: Vec<PathBuf>,
    /// The account file (account.yaml); re-read on reload. `None`: the defaults.
    pub account: Option<PathBuf>,
    /// The SQLite database (created on first start).
    pub db: PathBuf,
    /// With a token, every `/v1` route needs `Authorization: Bearer TOKEN` (else 401).
    pub token: Option<String>,
    /// Largest request body accepted, in bytes (else 413).
    pub body_limit: usize,
    /// Wall-clock or manual automations.
    pub clock: ClockMode,
    /// Load the built-in card-redaction rule (W13).
    pub default_rules: bool,
    /// With [`ClockMode::Wall`]: an event stamped more than this many whole hours ahead
    /// of the wall clock is rejected (its line says so; nothing is applied or
    /// remembered), so a wrong or hostile timestamp cannot move the clock years ahead.
    /// Not applied with [`ClockMode::Manual`] nor to `POST /v1/clock`.
    pub max_future_hours: u32,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            rules: Vec::new(),
            account: None,
            db: PathBuf::from("ticket-rules.db"),
            token: None,
            body_limit: DEFAULT_BODY_LIMIT,
            clock: ClockMode::Wall,
            default_rules: true,
            max_future_hours: DEFAULT_MAX_FUTURE_HOURS,
        }
    }
}

/// Why the server could not start or a reload was refused.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The rules have errors that make a rule meaningless (the [`Checked`] holds every
    /// finding, `run`'s blocking codes).
    #[error("the rules have errors")]
    Rules(Box<Checked>),
    /// A rule path or the account file could not be read or is invalid.
    #[error("{0}")]
    Config(String),
    /// The database could not be opened or loaded.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The engine thread is gone (the server is shutting down).
    #[error("the engine is not running")]
    Stopped,
    /// The server began to stop during a long automation catch-up: the message says
    /// how far the clock got (those runs are kept) and what was not applied.
    #[error("the server is stopping: {0}")]
    Stopping(String),
}

impl From<rusqlite::Error> for ServeError {
    fn from(e: rusqlite::Error) -> Self {
        ServeError::Db(DbError::from(e))
    }
}

/// Reads the rule files and the account and compiles them (the default rule first, W13).
///
/// # Errors
/// [`ServeError::Config`] for unreadable paths or an invalid account;
/// [`ServeError::Rules`] for rules with blocking findings.
pub fn load_rules(
    options: &ServeOptions,
    sources: Option<Vec<RuleSource>>,
) -> Result<(RuleSet, Checked, Account), ServeError> {
    let sources = match sources {
        Some(s) => s,
        None => rule_files::load_rule_sources(&options.rules)
            .map_err(|e| ServeError::Config(e.to_string()))?,
    };
    let account = match &options.account {
        Some(p) => account::load_account(p).map_err(|e| ServeError::Config(e.to_string()))?,
        None => Account::default(),
    };
    let compiled = RuleSet::compile(
        &sources,
        account.clone(),
        CompileOptions {
            default_rules: options.default_rules,
        },
    );
    match compiled {
        Ok((rs, checked)) => Ok((rs, checked, account)),
        Err(CompileError::Rules(c)) => Err(ServeError::Rules(c)),
        Err(e) => Err(ServeError::Config(e.to_string())),
    }
}

/// A request to the engine thread.
enum Command {
    Events(Vec<Event>, oneshot::Sender<Result<Answer, ServeError>>),
    Advance(Timestamp, oneshot::Sender<Result<Vec<String>, ServeError>>),
    Tick(Timestamp),
    Ticket(
        String,
        Option<Timestamp>,
        oneshot::Sender<Option<TicketView>>,
    ),
    TicketIds(oneshot::Sender<Vec<String>>),
    Audit(
        String,
        oneshot::Sender<Result<Option<Vec<AuditEntry>>, DbError>>,
    ),
    AuditPage(i64, i64, oneshot::Sender<Result<Vec<AuditEntry>, DbError>>),
    SetRules(Arc<RuleSet>, oneshot::Sender<()>),
    Ping(oneshot::Sender<Result<(), DbError>>),
}

/// The instant "now" for views: `at` if given; else the replay clock in manual mode
/// (the wall clock before the first event), the later of both in wall mode.
fn view_time(mode: ClockMode, clock: Option<Timestamp>, at: Option<Timestamp>) -> Timestamp {
    if let Some(a) = at {
        return a;
    }
    let wall = Timestamp::now();
    match (mode, clock) {
        (ClockMode::Manual, Some(c)) => c,
        (ClockMode::Wall, Some(c)) if c > wall => c,
        _ => wall,
    }
}

/// Runs a state change; should the engine panic (a bug: it never should on any input),
/// the transaction is rolled back, the state reloaded from the database, and the request
/// answered with an error instead of taking the server down.
fn guarded<T>(
    core: &mut Core,
    f: impl FnOnce(&mut Core) -> Result<T, ServeError>,
) -> Result<T, ServeError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(core))) {
        Ok(r) => r,
        Err(_) => {
            core.recover();
            Err(ServeError::Db(DbError(
                "internal error while applying the request (logged); nothing of it was kept".into(),
            )))
        }
    }
}

/// The engine thread's side of the channel: requests in arrival order, except that reads
/// are answered between the steps of a long automation catch-up ([`Core`] commits each
/// step), while writes that arrive meanwhile wait their turn in `backlog`.
struct Inbox {
    rx: mpsc::Receiver<Command>,
    backlog: VecDeque<Command>,
    mode: ClockMode,
    stopping: Arc<AtomicBool>,
}

impl Inbox {
    fn next(&mut self) -> Option<Command> {
        self.backlog.pop_front().or_else(|| self.rx.blocking_recv())
    }

    /// Between two committed steps of a catch-up: answers the reads waiting, keeps the
    /// writes for later; false once the server is stopping (the catch-up then ends).
    fn pause(&mut self, core: &Core) -> bool {
        while let Ok(cmd) = self.rx.try_recv() {
            if let Err(write) = read(core, self.mode, cmd) {
                self.backlog.push_back(write);
            }
        }
        !self.stopping.load(Ordering::SeqCst)
    }
}

/// Answers a read-only request from the committed state; gives a write back.
fn read(core: &Core, mode: ClockMode, cmd: Command) -> Result<(), Command> {
    match cmd {
        Command::Ticket(id, at, reply) => {
            let at = view_time(mode, core.clock(), at);
            let _ = reply.send(core.ticket(&id, at));
        }
        Command::TicketIds(reply) => {
            let _ = reply.send(core.ticket_ids());
        }
        Command::Audit(id, reply) => {
            let _ = reply.send(core.ticket_audit(&id));
        }
        Command::AuditPage(after, limit, reply) => {
            let _ = reply.send(core.audit_page(after, limit));
        }
        Command::Ping(reply) => {
            let _ = reply.send(core.ping());
        }
        write => return Err(write),
    }
    Ok(())
}

fn engine_thread(mut core: Core, mut inbox: Inbox) {
    while let Some(cmd) = inbox.next() {
        let cmd = match read(&core, inbox.mode, cmd) {
            Ok(()) => continue,
            Err(write) => write,
        };
        match cmd {
            Command::Events(events, reply) => {
                let r = guarded(&mut core, |c| c.events(events, &mut |c| inbox.pause(c)));
                if let Err(e) = &r {
                    log::error(&format!("events not applied: {e}"));
                }
                let _ = reply.send(r);
            }
            Command::Advance(at, reply) => {
                let r = guarded(&mut core, |c| c.advance_to(at, &mut |c| inbox.pause(c)));
                let _ = reply.send(r);
            }
            Command::Tick(now) => {
                match guarded(&mut core, |c| c.advance_to(now, &mut |c| inbox.pause(c))) {
                    Ok(lines) => log::info(&format!(
                        "automation tick at {now}: {} run(s) updated tickets",
                        lines.len()
                    )),
                    Err(e) => log::error(&format!("automation tick at {now} failed: {e}")),
                }
            }
            Command::SetRules(rules, reply) => {
                core.set_rules(rules);
                let _ = reply.send(());
            }
            // Reads were answered above.
            Command::Ticket(..)
            | Command::TicketIds(_)
            | Command::Audit(..)
            | Command::AuditPage(..)
            | Command::Ping(_) => {}
        }
    }
}

/// Settings that a reload may change.
#[derive(Debug, Clone)]
struct Live {
    account: Account,
}

/// What the HTTP handlers share.
struct Shared {
    engine: mpsc::Sender<Command>,
    live: RwLock<Arc<Live>>,
    options: ServeOptions,
    metrics: Arc<Metrics>,
    reload_lock: tokio::sync::Mutex<()>,
    /// Set when [`Server::run`]'s shutdown signal fires: a catch-up in progress stops at
    /// its next step.
    stopping: Arc<AtomicBool>,
}

impl Shared {
    async fn ask<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<T>) -> Command,
    ) -> Result<T, ServeError> {
        let (tx, rx) = oneshot::channel();
        self.engine
            .send(make(tx))
            .await
            .map_err(|_| ServeError::Stopped)?;
        rx.await.map_err(|_| ServeError::Stopped)
    }

    fn live(&self) -> Arc<Live> {
        match self.live.read() {
            Ok(g) => Arc::clone(&g),
            Err(p) => Arc::clone(&p.into_inner()),
        }
    }

    fn set_live(&self, live: Live) {
        match self.live.write() {
            Ok(mut g) => *g = Arc::new(live),
            Err(p) => *p.into_inner() = Arc::new(live),
        }
    }
}

/// A started server: the engine thread is running; [`Server::run`] serves HTTP.
pub struct Server {
    shared: Arc<Shared>,
    thread: std::thread::JoinHandle<()>,
}

impl Server {
    /// Loads and compiles the rules, opens (or creates) the database, loads the state and
    /// starts the engine thread. Returns the server and the check result (warnings and
    /// non-blocking findings, for the operator).
    ///
    /// # Errors
    /// [`ServeError`] for unreadable or invalid rules or account, or a database problem.
    pub fn open(options: ServeOptions) -> Result<(Server, Checked), ServeError> {
        let (rules, checked, account) = load_rules(&options, None)?;
        let metrics = Arc::new(Metrics::default());
        let mut core = Core::open(&options.db, Arc::new(rules), Arc::clone(&metrics))?;
        if options.clock == ClockMode::Wall {
            core.set_max_future_hours(Some(options.max_future_hours));
        }
        let (tx, rx) = mpsc::channel(1024);
        let stopping = Arc::new(AtomicBool::new(false));
        let inbox = Inbox {
            rx,
            backlog: VecDeque::new(),
            mode: options.clock,
            stopping: Arc::clone(&stopping),
        };
        let thread = std::thread::Builder::new()
            .name("ticket-rules-engine".into())
            .spawn(move || engine_thread(core, inbox))
            .map_err(|e| ServeError::Config(format!("cannot start the engine thread: {e}")))?;
        let shared = Arc::new(Shared {
            engine: tx,
            live: RwLock::new(Arc::new(Live { account })),
            options,
            metrics,
            reload_lock: tokio::sync::Mutex::new(()),
            stopping,
        });
        Ok((Server { shared, thread }, checked))
    }

    /// The axum router of every route (for hosts that mount it in their own server).
    pub fn router(&self) -> axum::Router {
        http::router(Arc::clone(&self.shared))
    }

    /// Serves HTTP on `listener` until `shutdown` completes, then lets the engine thread
    /// finish the request in hand and returns; a long automation catch-up in hand stops
    /// at its next step (within about a second: the runs done so far are kept, the
    /// request is answered 503). In [`ClockMode::Wall`] a task performs the hourly
    /// automation runs at minute `automation_minute` of each UTC hour (S18).
    ///
    /// # Errors
    /// An I/O error from the listener.
    pub async fn run(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let ticker = (self.shared.options.clock == ClockMode::Wall)
            .then(|| tokio::spawn(wall_clock(Arc::clone(&self.shared))));
        let app = self.router();
        let stopping = Arc::clone(&self.shared.stopping);
        let shutdown = async move {
            shutdown.await;
            stopping.store(true, Ordering::SeqCst);
        };
        let result = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await;
        if let Some(t) = ticker {
            t.abort();
            let _ = t.await;
        }
        let Server { shared, thread } = self;
        drop(shared);
        let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        result
    }
}

/// The next instant after `now` at minute `minute` of a UTC hour.
fn next_run(now: Timestamp, minute: u8) -> Timestamp {
    let secs = now.as_second();
    let m = i64::from(minute.min(59)) * 60;
    let mut t = secs - secs.rem_euclid(3600) + m;
    if t <= secs {
        t += 3600;
    }
    Timestamp::from_second(t).unwrap_or(now)
}

async fn wall_clock(shared: Arc<Shared>) {
    loop {
        let minute = shared.live().account.automation_minute;
        let now = Timestamp::now();
        let next = next_run(now, minute);
        let wait = now.duration_until(next).unsigned_abs();
        tokio::time::sleep(wait).await;
        if shared
            .engine
            .send(Command::Tick(Timestamp::now()))
            .await
            .is_err()
        {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s18_next_run_is_the_next_automation_minute() {
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        assert_eq!(
            next_run(t("2026-11-25T10:20:00Z"), 0),
            t("2026-11-25T11:00:00Z")
        );
        assert_eq!(
            next_run(t("2026-11-25T10:20:00Z"), 30),
            t("2026-11-25T10:30:00Z")
        );
        assert_eq!(
            next_run(t("2026-11-25T10:30:00Z"), 30),
            t("2026-11-25T11:30:00Z")
        );
    }

    #[test]
    fn view_time_prefers_at_then_clock() {
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        let c = Some(t("2026-11-25T10:00:00Z"));
        assert_eq!(
            view_time(ClockMode::Manual, c, None),
            t("2026-11-25T10:00:00Z")
        );
        assert_eq!(
            view_time(ClockMode::Manual, c, Some(t("2026-11-26T00:00:00Z"))),
            t("2026-11-26T00:00:00Z")
        );
        let far = Some(t("2099-01-01T00:00:00Z"));
        assert_eq!(
            view_time(ClockMode::Wall, far, None),
            t("2099-01-01T00:00:00Z")
        );
    }
}
