//! The single writer of `serve`: the engine over the SQLite store, and the database
//! connection. Every state change happens here, one request at a time, in one
//! transaction per request (a batch shares one), committed before the answer leaves.
//!
//! Synchronous and free of HTTP: the server runs it on a thread of its own and talks to
//! it through a channel.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use rusqlite::Connection;
use serde::Serialize;

use super::codec::TicketJson;
use super::db::{self, AuditEntry, DbError, SqliteStore};
use super::metrics::{Metrics, Tally};
use super::ServeError;
use crate::engine::{
    event_key, event_ticket, AutomationRun, Engine, EventOutcome, LineStatus, RuleSet, TicketStore,
};
use crate::guards::{window, Window};
use crate::io::output::{event_json, run_json};
use crate::model::{Channel, Event};
use crate::redact::scrub;

/// How long one step of an automation catch-up may run before it is committed and the
/// reads waiting are answered (a step ends after the run in hand).
const STEP: Duration = Duration::from_millis(50);

/// Called between two committed steps of a long automation catch-up, with the committed
/// state; answers the reads waiting. `false`: stop (the server is shutting down).
pub type Pause<'a> = &'a mut dyn FnMut(&Core) -> bool;

/// The engine, its durable store and the connection.
pub struct Core {
    engine: Engine<SqliteStore>,
    conn: Connection,
    metrics: Arc<Metrics>,
    /// Events stamped further ahead of the wall clock are rejected (wall clock only).
    max_future: Option<SignedDuration>,
    /// The event whose catch-up was committed in part (key, audit seq of its first run
    /// line), mirrored in the database ([`db::catch_up`]): when that event comes again
    /// its stored outcome starts there, so its answer is the one an uninterrupted
    /// request gives. Cleared as soon as anything else is audited.
    catch_up: Option<(String, i64)>,
    /// How long one step of a catch-up may run ([`STEP`]).
    step: Duration,
    _checkpointer: Option<db::Checkpointer>,
}

/// The answer to a batch of events: the outcome lines (JSON objects, scrubbed), in order,
/// and how many events were answered from their stored outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// Outcome lines: for each event the automation runs due before it, then its line.
    pub lines: Vec<String>,
    /// Events answered from the stored outcome (idempotent retries).
    pub replayed: usize,
}

/// The window part of a ticket view.
#[derive(Debug, Clone, Serialize)]
pub struct WindowJson {
    /// `open`, `closed`, `never_opened` (W4) or `no_window` (not a WhatsApp ticket).
    pub state: &'static str,
    /// True while free text is delivered (W2).
    pub open: bool,
    /// When an open window closes (anchor + 24h, W2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<Timestamp>,
    /// When a closed window closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<Timestamp>,
    /// The instant the window was evaluated at.
    pub evaluated_at: Timestamp,
}

/// `GET /v1/tickets/{id}`: the ticket's state and its WhatsApp window.
#[derive(Debug, Clone, Serialize)]
pub struct TicketView {
    /// The ticket.
    pub ticket: TicketJson,
    /// The customer-service window at `window.evaluated_at` (W1–W4).
    pub window: WindowJson,
}

/// An event line (`{"line":N,…}`) with its position set to `n`; any other text as is.
fn with_line(line: &str, n: usize) -> String {
    match line.strip_prefix("{\"line\":") {
        Some(rest) => {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            format!("{{\"line\":{n}{}", &rest[digits..])
        }
        None => line.to_string(),
    }
}

fn scrubbed(s: String) -> String {
    match scrub(&s) {
        std::borrow::Cow::Borrowed(_) => s,
        std::borrow::Cow::Owned(o) => o,
    }
}

impl Core {
    /// Opens the database at `path` (created on first start), loads the state, and runs
    /// `rules` on it.
    ///
    /// # Errors
    /// [`DbError`] when the database cannot be opened, migrated or loaded.
    pub fn open(path: &Path, rules: Arc<RuleSet>, metrics: Arc<Metrics>) -> Result<Self, DbError> {
        let conn = db::open(path)?;
        let store = SqliteStore::load(&conn)?;
        let catch_up = db::catch_up(&conn)?;
        metrics.add(Tally::default(), store.tickets().len());
        Ok(Core {
            engine: Engine::with_store(rules, store),
            conn,
            metrics,
            max_future: None,
            catch_up,
            step: STEP,
            _checkpointer: db::Checkpointer::start(path),
        })
    }

    /// Rejects events stamped more than `hours` whole hours ahead of the wall clock
    /// (`serve --max-future`); `None`: no bound (manual clock).
    pub fn set_max_future_hours(&mut self, hours: Option<u32>) {
        self.max_future = hours.map(|h| SignedDuration::from_hours(i64::from(h)));
    }

    /// Replaces the rule set; the next event uses it.
    pub fn set_rules(&mut self, rules: Arc<RuleSet>) {
        self.engine.set_rules(rules);
    }

    /// The replay clock (S18).
    pub fn clock(&self) -> Option<Timestamp> {
        self.engine.clock()
    }

    /// After a failed transaction or a panic: drop the in-memory state and load the
    /// committed one.
    pub fn recover(&mut self) {
        self.resync();
    }

    fn resync(&mut self) {
        match SqliteStore::load(&self.conn) {
            Ok(s) => {
                *self.engine.store_mut() = s;
                self.catch_up = db::catch_up(&self.conn).unwrap_or(None);
                // The automation schedule indexes the old store's tickets: rebuild it.
                self.engine.set_rules(self.engine.rules_arc());
            }
            Err(e) => {
                super::log::error(&format!(
                    "cannot reload the state after a failed transaction: {e}"
                ));
                self.engine.store_mut().clear_pending();
            }
        }
    }

    /// Applies `events` in order in one transaction. An event whose key was applied
    /// before (see [`event_key`]) is answered with its stored lines and changes nothing;
    /// every other one goes through the engine (S18 runs first), and its lines are
    /// audited and stored for retries. Outcome lines carry `"line"` = the event's
    /// position in the request (from 1).
    ///
    /// A long automation catch-up before an event is done in steps of about [`STEP`],
    /// each committed (with the events before it) before `pause` answers the reads
    /// waiting; the event itself is applied after the last step, as one request.
    ///
    /// # Errors
    /// [`ServeError::Db`] when a transaction fails: nothing of the request after the
    /// last committed step is kept. [`ServeError::Stopping`] when `pause` says stop.
    pub fn events(&mut self, events: Vec<Event>, pause: Pause) -> Result<Answer, ServeError> {
        let r = self.events_tx(events, pause);
        if r.is_err() {
            self.resync();
        }
        r
    }

    /// The outcome rejecting an event stamped more than `margin` ahead of the wall clock,
    /// if it is.
    fn too_far_ahead(margin: Option<SignedDuration>, event: &Event) -> Option<EventOutcome> {
        let margin = margin?;
        let now = Timestamp::now();
        let limit = now.checked_add(margin).ok()?;
        (event.at > limit).then(|| {
            EventOutcome::rejected(
                Some(event.id.clone()),
                Some(event.at),
                event_ticket(event),
                format!(
                    "event time {} is more than {} hours ahead of the wall clock {} \
                     (serve --max-future); not applied and not remembered: send it again \
                     when it is due",
                    event.at,
                    margin.as_hours(),
                    now.round(jiff::Unit::Second).unwrap_or(now)
                ),
            )
        })
    }

    fn events_tx(&mut self, events: Vec<Event>, pause: Pause) -> Result<Answer, ServeError> {
        let mut tx = self.conn.transaction()?;
        let mut lines = Vec::with_capacity(events.len());
        let mut tally = Tally::default();
        let mut replayed = 0;
        for (i, event) in events.into_iter().enumerate() {
            let n = i + 1;
            let key = event_key(&event);
            if let Some(mut stored) = db::stored_outcome(&tx, &key)? {
                // The event's own line comes last; its `line` becomes this position.
                if let Some(own) = stored.pop() {
                    lines.extend(stored);
                    lines.push(with_line(&own, n));
                }
                tally.replayed();
                replayed += 1;
                continue;
            }
            // A catch-up of this same event committed in part before: its stored
            // outcome starts at that catch-up's first run line. Any other audit entry
            // ends that possibility.
            let resumed = match self.catch_up.take() {
                Some((k, seq)) => {
                    db::set_catch_up(&tx, None)?;
                    (k == key).then_some(seq)
                }
                None => None,
            };
            if let Some(o) = Self::too_far_ahead(self.max_future, &event) {
                let line = scrubbed(event_json(n, &o));
                let hint: Vec<&str> = o.ticket_hint.as_deref().into_iter().collect();
                db::audit(&tx, o.event.as_deref(), "event", &line, &hint)?;
                tally.event(&o);
                lines.push(line);
                continue;
            }
            if let Some(seq) = resumed {
                // Its runs committed before come first in the answer, as they would have.
                lines.extend(db::audit_from(&tx, seq)?);
            }
            let mut first_seq = resumed;
            let step = match self.engine.admit(event) {
                Err(step) => *step,
                Ok(admitted) => {
                    if let Some(to) = admitted.catch_up_to() {
                        loop {
                            let (started, step) = (Instant::now(), self.step);
                            let adv = self.engine.advance_within(to, || started.elapsed() < step);
                            for r in &adv.runs {
                                let seq = audit_run(&tx, r, &mut tally, &mut lines)?;
                                first_seq.get_or_insert(seq);
                            }
                            if adv.done {
                                break;
                            }
                            let marker = first_seq.map(|seq| (key.as_str(), seq));
                            db::set_catch_up(&tx, marker)?;
                            self.engine.store_mut().flush(&tx)?;
                            tx.commit()?;
                            self.catch_up = marker.map(|(k, seq)| (k.to_string(), seq));
                            self.metrics
                                .add(std::mem::take(&mut tally), self.engine.store().len());
                            if !pause(self) {
                                return Err(ServeError::Stopping(format!(
                                    "the automation runs up to {} were performed and kept; \
                                     event `{}` (line {n}) and the ones after it were not \
                                     applied: send them again",
                                    self.engine
                                        .clock()
                                        .map_or_else(String::new, |c| c.to_string()),
                                    admitted.event().id
                                )));
                            }
                            tx = self.conn.transaction()?;
                        }
                    }
                    if self.catch_up.take().is_some() {
                        db::set_catch_up(&tx, None)?;
                    }
                    self.engine.finish(admitted, Vec::new())
                }
            };
            let o = &step.outcome;
            let line = scrubbed(event_json(n, o));
            if o.status != LineStatus::Duplicate {
                let mut tickets: Vec<&str> = o.tickets.iter().map(|t| t.ticket.as_str()).collect();
                if tickets.is_empty() {
                    tickets.extend(o.ticket_hint.as_deref());
                }
                let seq = db::audit(&tx, o.event.as_deref(), "event", &line, &tickets)?;
                let applied = o.status == LineStatus::Ok;
                let first = o.tickets.first().map(|t| t.ticket.as_str());
                db::store_outcome(&tx, &key, first_seq.unwrap_or(seq), seq, applied, first)?;
            }
            tally.event(o);
            lines.push(line);
        }
        self.engine.store_mut().flush(&tx)?;
        tx.commit()?;
        self.metrics.add(tally, self.engine.store().len());
        Ok(Answer { lines, replayed })
    }

    /// Performs the hourly automation runs up to `to` (S18; the clock never goes
    /// backwards); returns their lines (audited). A long catch-up is done in steps of
    /// about [`STEP`], each in one committed transaction, with `pause` between them.
    ///
    /// # Errors
    /// [`ServeError::Db`] when a transaction fails: that step is not kept.
    /// [`ServeError::Stopping`] when `pause` says stop: the steps before are kept.
    pub fn advance_to(&mut self, to: Timestamp, pause: Pause) -> Result<Vec<String>, ServeError> {
        let mut lines = Vec::new();
        loop {
            let (started, step) = (Instant::now(), self.step);
            let adv = self.engine.advance_within(to, || started.elapsed() < step);
            if let Err(e) = self.commit_runs(&adv.runs, &mut lines) {
                self.resync();
                return Err(e.into());
            }
            if adv.done {
                return Ok(lines);
            }
            if !pause(self) {
                return Err(ServeError::Stopping(format!(
                    "the clock reached {} of {to} (those automation runs are kept); send the request again to go on",
                    self.engine.clock().map_or_else(String::new, |c| c.to_string()),
                )));
            }
        }
    }

    /// Audits `runs` and commits them with the store's pending writes, in one
    /// transaction (none when there is nothing to write).
    fn commit_runs(
        &mut self,
        runs: &[AutomationRun],
        lines: &mut Vec<String>,
    ) -> Result<(), DbError> {
        if runs.is_empty() && !self.engine.store().has_pending() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        if self.catch_up.take().is_some() {
            db::set_catch_up(&tx, None)?;
        }
        let mut tally = Tally::default();
        for r in runs {
            audit_run(&tx, r, &mut tally, lines)?;
        }
        self.engine.store_mut().flush(&tx)?;
        tx.commit()?;
        self.metrics.add(tally, self.engine.store().len());
        Ok(())
    }

    /// The ticket ids in creation order.
    pub fn ticket_ids(&self) -> Vec<String> {
        self.engine.store().ids()
    }

    /// The ticket `id` with its window evaluated at `at` (W1–W4), if it exists.
    pub fn ticket(&self, id: &str, at: Timestamp) -> Option<TicketView> {
        let t = self.engine.store().get(id)?;
        let w = if t.channel == Channel::Whatsapp {
            match window(t.last_end_user_message_at, at) {
                Window::Open { closes_at } => WindowJson {
                    state: "open",
                    open: true,
                    closes_at: Some(closes_at),
                    closed_at: None,
                    evaluated_at: at,
                },
                Window::Closed { closed_at } => WindowJson {
                    state: "closed",
                    open: false,
                    closes_at: None,
                    closed_at: Some(closed_at),
                    evaluated_at: at,
                },
                Window::NeverOpened => WindowJson {
                    state: "never_opened",
                    open: false,
                    closes_at: None,
                    closed_at: None,
                    evaluated_at: at,
                },
            }
        } else {
            WindowJson {
                state: "no_window",
                open: false,
                closes_at: None,
                closed_at: None,
                evaluated_at: at,
            }
        };
        Some(TicketView {
            ticket: TicketJson::from(t),
            window: w,
        })
    }

    /// The audit entries of ticket `id`, oldest first; `None` when no such ticket exists
    /// and nothing was audited for it.
    ///
    /// # Errors
    /// [`DbError`] on a database error.
    pub fn ticket_audit(&self, id: &str) -> Result<Option<Vec<AuditEntry>>, DbError> {
        let entries = db::ticket_audit(&self.conn, id)?;
        if entries.is_empty() && self.engine.store().get(id).is_none() {
            return Ok(None);
        }
        Ok(Some(entries))
    }

    /// Up to `limit` audit entries after sequence number `after`.
    ///
    /// # Errors
    /// [`DbError`] on a database error.
    pub fn audit_page(&self, after: i64, limit: i64) -> Result<Vec<AuditEntry>, DbError> {
        db::audit_page(&self.conn, after, limit)
    }

    /// A cheap liveness check of the database.
    ///
    /// # Errors
    /// [`DbError`] when the database does not answer.
    pub fn ping(&self) -> Result<(), DbError> {
        self.conn.query_row("SELECT 1", [], |_| Ok(()))?;
        Ok(())
    }
}

/// Audits an automation run's line (scrubbed) and adds it to `lines`; returns its
/// sequence number.
fn audit_run(
    tx: &rusqlite::Transaction<'_>,
    r: &AutomationRun,
    tally: &mut Tally,
    lines: &mut Vec<String>,
) -> Result<i64, DbError> {
    let json = scrubbed(run_json(r));
    let tickets: Vec<&str> = r.tickets.iter().map(|t| t.ticket.as_str()).collect();
    let seq = db::audit(tx, None, "automation-run", &json, &tickets)?;
    tally.run(r);
    lines.push(json);
    Ok(seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_line_sets_only_the_position() {
        assert_eq!(
            with_line("{\"line\":12,\"event\":\"e\"}", 3),
            "{\"line\":3,\"event\":\"e\"}"
        );
        assert_eq!(with_line("{\"event\":\"e\"}", 3), "{\"event\":\"e\"}");
    }

    /// Two automations that undo each other: every run changes the ticket, until the
    /// per-ticket limit (S16, 100 automation updates) is reached after 50 runs.
    fn core(path: &Path) -> Core {
        let rules = "automation \"on\" {\n  when all {\n    tags excludes x\n  }\n  then {\n    add tags x\n  }\n}\n\
                     automation \"off\" {\n  when all {\n    tags includes x\n  }\n  then {\n    remove tags x\n  }\n}\n";
        let sources = [crate::check::RuleSource {
            name: "toggle.rules".into(),
            text: rules.into(),
        }];
        let (rs, _) = RuleSet::compile(&sources, Default::default(), Default::default())
            .expect("rules compile");
        let mut core =
            Core::open(path, Arc::new(rs), Arc::new(Metrics::default())).expect("db opens");
        // One run per step: every run is a point where the server may stop.
        core.step = Duration::ZERO;
        core
    }

    fn event(line: &str) -> Event {
        crate::io::decode_line(line, 1).expect("event")
    }

    const CREATE: &str = r#"{"type":"ticket.created","id":"e1","at":"2026-11-24T09:00:00Z","ticket":{"id":"T-1","channel":"email","status":"open"}}"#;
    const LATER: &str = r#"{"type":"ticket.updated","id":"e2","at":"2026-12-24T09:30:00Z","ticket":"T-1","by":"agent","changes":{"priority":"high"}}"#;

    #[test]
    fn an_event_whose_catch_up_was_stopped_midway_answers_as_if_uninterrupted() {
        let dir = std::env::temp_dir().join(format!("ticket-rules-core-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (stopped_db, whole_db) = (dir.join("stopped.db"), dir.join("whole.db"));

        let mut whole = core(&whole_db);
        whole.events(vec![event(CREATE)], &mut |_| true).unwrap();
        let expected = whole.events(vec![event(LATER)], &mut |_| true).unwrap();
        assert_eq!(expected.lines.len(), 51, "50 runs, then the event");

        let mut first = core(&stopped_db);
        first.events(vec![event(CREATE)], &mut |_| true).unwrap();
        let mut pauses = 0;
        let stopped = first.events(vec![event(LATER)], &mut |c: &Core| {
            // Reads between steps see the committed state: the clock moved on.
            assert!(c.clock() > Some("2026-11-24T09:00:00Z".parse().unwrap()));
            pauses += 1;
            pauses < 10
        });
        assert!(
            matches!(stopped, Err(ServeError::Stopping(_))),
            "{stopped:?}"
        );
        drop(first);

        // A restart, then the host sends the event again.
        let mut again = core(&stopped_db);
        let answer = again.events(vec![event(LATER)], &mut |_| true).unwrap();
        assert_eq!(answer.lines, expected.lines);
        let replay = again.events(vec![event(LATER)], &mut |_| true).unwrap();
        assert_eq!((replay.lines, replay.replayed), (expected.lines, 1));
        assert_eq!(
            again.audit_page(0, 1000).unwrap(),
            whole.audit_page(0, 1000).unwrap()
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
