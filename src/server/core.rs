//! The single writer of `serve`: the engine over the SQLite store, and the database
//! connection. Every state change happens here, one request at a time, in one
//! transaction per request (a batch shares one), committed before the answer leaves.
//!
//! Synchronous and free of HTTP: the server runs it on a thread of its own and talks to
//! it through a channel.

use std::path::Path;
use std::sync::Arc;

use jiff::Timestamp;
use rusqlite::Connection;
use serde::Serialize;

use super::codec::TicketJson;
use super::db::{self, AuditEntry, DbError, SqliteStore};
use super::metrics::{Metrics, Tally};
use crate::engine::{event_key, Engine, LineStatus, RuleSet, TicketStore};
use crate::guards::{window, Window};
use crate::io::output::{event_json, run_json};
use crate::model::{Channel, Event};
use crate::redact::scrub;

/// The engine, its durable store and the connection.
pub struct Core {
    engine: Engine<SqliteStore>,
    conn: Connection,
    metrics: Arc<Metrics>,
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
        metrics.add(Tally::default(), store.tickets().len());
        Ok(Core {
            engine: Engine::with_store(rules, store),
            conn,
            metrics,
            _checkpointer: db::Checkpointer::start(path),
        })
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
            Ok(s) => *self.engine.store_mut() = s,
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
    /// # Errors
    /// [`DbError`] when the transaction fails; nothing of the request is then kept.
    pub fn events(&mut self, events: Vec<Event>) -> Result<Answer, DbError> {
        let r = self.events_tx(events);
        if r.is_err() {
            self.resync();
        }
        r
    }

    fn events_tx(&mut self, events: Vec<Event>) -> Result<Answer, DbError> {
        let tx = self.conn.transaction()?;
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
            let step = self.engine.process(event);
            let mut first_seq = None;
            for r in &step.runs {
                let json = scrubbed(run_json(r));
                let tickets: Vec<&str> = r.tickets.iter().map(|t| t.ticket.as_str()).collect();
                let seq = db::audit(&tx, None, "automation-run", &json, &tickets)?;
                first_seq.get_or_insert(seq);
                tally.run(r);
                lines.push(json);
            }
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
        self.metrics.add(tally, self.engine.store().tickets().len());
        Ok(Answer { lines, replayed })
    }

    /// Performs the hourly automation runs up to `to` (S18; the clock never goes
    /// backwards) in one transaction; returns their lines (audited).
    ///
    /// # Errors
    /// [`DbError`] when the transaction fails; nothing is then kept.
    pub fn advance_to(&mut self, to: Timestamp) -> Result<Vec<String>, DbError> {
        let r = self.advance_tx(to);
        if r.is_err() {
            self.resync();
        }
        r
    }

    fn advance_tx(&mut self, to: Timestamp) -> Result<Vec<String>, DbError> {
        let runs = self.engine.advance_to(to);
        if runs.is_empty() && !self.engine.store().has_pending() {
            return Ok(Vec::new());
        }
        let tx = self.conn.transaction()?;
        let mut tally = Tally::default();
        let mut lines = Vec::with_capacity(runs.len());
        for r in &runs {
            let json = scrubbed(run_json(r));
            let tickets: Vec<&str> = r.tickets.iter().map(|t| t.ticket.as_str()).collect();
            db::audit(&tx, None, "automation-run", &json, &tickets)?;
            tally.run(r);
            lines.push(json);
        }
        self.engine.store_mut().flush(&tx)?;
        tx.commit()?;
        self.metrics.add(tally, self.engine.store().tickets().len());
        Ok(lines)
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
}
