//! The SQLite database of `serve`: schema, migrations, and the write-through
//! [`SqliteStore`] the engine runs on.
//!
//! The store keeps every ticket in memory (a [`MemoryStore`] loaded at start) and records
//! which writes the engine made since the last flush; the server flushes them inside the
//! transaction of the request that made them, together with the audit entries and the
//! stored outcome, and commits before it answers. A crash before the commit loses the
//! whole request (the host retries it); a crash after it loses nothing.
//!
//! Schema version 2 (`PRAGMA user_version`):
//!
//! | table | rows |
//! |---|---|
//! | `meta(key, value)` | `clock`: the replay clock (S18), RFC 3339; `catch_up`: `SEQ KEY` while event `KEY`'s automation catch-up is committed in part, its first run line at audit `SEQ` |
//! | `tickets(seq, id, json)` | one per ticket; `seq` is the creation order (S11); `json` a [`TicketJson`] |
//! | `sent(wamid, json)` | outbound messages by WhatsApp id (a [`SentJson`]) |
//! | `audit(seq, event, kind, json)` | every outcome line in the order it happened |
//! | `audit_tickets(ticket, seq)` | which audit entries concern which ticket |
//! | `outcomes(key, first_seq, last_seq, applied, ticket)` | per event key: its lines in the audit (the runs before it, then its own line), for idempotent retries; `applied` rows are the engine's "seen" keys, with the ticket of the first record |
//! | `seen_items(key, ticket)` | the WhatsApp messages and statuses applied ([`message_key`], [`status_key`]), with the ticket each concerned: the engine's per-item duplicate check, whatever the batching (version 2) |
//!
//! Writes per event are kept few (the throughput target is 20,000 events/s): the answer
//! to a retry is read back from the audit instead of being stored twice, and the
//! engine's seen keys are the `applied` outcome rows. WAL checkpoints run on a
//! connection of their own ([`Checkpointer`]), off the request path.

use std::collections::HashSet;
use std::path::Path;

use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::codec::{SentJson, TicketJson};
use crate::engine::store::{message_key, status_key};
use crate::engine::{MemoryStore, SentMessage, TicketStore};
use crate::model::Ticket;

/// The migrations, in order; `user_version` N means the first N have run. Migration 2
/// is followed by [`backfill_seen_items`] in the same transaction.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE tickets (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, json TEXT NOT NULL);
CREATE TABLE sent (wamid TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE audit (seq INTEGER PRIMARY KEY, event TEXT, kind TEXT NOT NULL, json TEXT NOT NULL);
CREATE TABLE outcomes (key TEXT PRIMARY KEY, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL, applied INTEGER NOT NULL, ticket TEXT);
CREATE TABLE audit_tickets (ticket TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (ticket, seq)) WITHOUT ROWID;
"#,
    r#"
CREATE TABLE seen_items (key TEXT PRIMARY KEY, ticket TEXT) WITHOUT ROWID;
"#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// A database problem, in words (path, table or SQLite's message).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct DbError(pub String);

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        DbError(format!("database: {e}"))
    }
}

/// Opens (creating it on first start) the database at `path` — `:memory:` for a
/// throw-away one — in WAL mode with `synchronous=NORMAL` (a killed process loses
/// nothing committed; power loss may lose the last transactions), and runs the pending
/// migrations.
///
/// # Errors
/// [`DbError`] when the file cannot be opened, is not a database, or has a schema newer
/// than this build ([`SCHEMA_VERSION`]).
pub fn open(path: &Path) -> Result<Connection, DbError> {
    let conn = Connection::open(path)
        .map_err(|e| DbError(format!("cannot open database {}: {e}", path.display())))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // 64 MiB of page cache; checkpoints are the Checkpointer's job, the writer only steps
    // in when the WAL passes 64 MiB (16384 pages) without one.
    conn.pragma_update(None, "cache_size", -65536)?;
    conn.pragma_update(None, "wal_autocheckpoint", 16384)?;
    migrate(&conn).map_err(|e| DbError(format!("database {}: {}", path.display(), e.0)))?;
    Ok(conn)
}

fn migrate(conn: &Connection) -> Result<(), DbError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(DbError(format!(
            "schema version {version} is newer than this build's {SCHEMA_VERSION}; use a newer ticket-rules"
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        if i == 1 {
            backfill_seen_items(&tx)?;
        }
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

/// Migration 2: the WhatsApp items of the webhook lines applied under schema 1, read
/// back from their event keys (`webhook|ITEM|ITEM…`, [`crate::engine::event_key`]), so a
/// message applied before the upgrade is still a duplicate after it. An item ending in
/// `:word` (letters and `_`) is a status `wamid:status`, any other a message wamid;
/// each gets the ticket of its line's first record.
fn backfill_seen_items(tx: &Transaction<'_>) -> Result<(), DbError> {
    let mut rows = Vec::new();
    {
        let mut stmt = tx.prepare(
            "SELECT key, ticket FROM outcomes WHERE applied = 1 AND substr(key, 1, 8) = 'webhook|'",
        )?;
        let mut q = stmt.query([])?;
        while let Some(row) = q.next()? {
            rows.push((row.get::<_, String>(0)?, row.get::<_, Option<String>>(1)?));
        }
    }
    let mut put = tx.prepare("INSERT OR IGNORE INTO seen_items (key, ticket) VALUES (?1, ?2)")?;
    for (key, ticket) in &rows {
        for item in key["webhook|".len()..].split('|') {
            put.execute(params![legacy_item_key(item), ticket])?;
        }
    }
    Ok(())
}

/// The per-item key of one item of a schema-1 webhook event key (see
/// [`backfill_seen_items`]).
fn legacy_item_key(item: &str) -> String {
    match item.rsplit_once(':') {
        Some((wamid, status))
            if !wamid.is_empty()
                && !status.is_empty()
                && status.len() <= 32
                && status.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') =>
        {
            status_key(wamid, status)
        }
        _ => message_key(item),
    }
}

/// Runs `PRAGMA wal_checkpoint(PASSIVE)` on a connection of its own every 200 ms, so
/// the writer's commits do not pay for copying the WAL into the database. Stops (and
/// joins its thread) when dropped.
#[derive(Debug)]
pub struct Checkpointer {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts checkpointing the database at `path`; `None` for `:memory:` or when the
    /// thread or connection cannot be made (the writer's own auto-checkpoint remains).
    pub fn start(path: &Path) -> Option<Checkpointer> {
        if path.as_os_str() == ":memory:" {
            return None;
        }
        let conn = Connection::open(path).ok()?;
        conn.busy_timeout(std::time::Duration::from_millis(100))
            .ok()?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("ticket-rules-checkpoint".into())
            .spawn(move || loop {
                match stopped.recv_timeout(std::time::Duration::from_millis(200)) {
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                    }
                    _ => return,
                }
            })
            .ok()?;
        Some(Checkpointer {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The engine's [`TicketStore`] on SQLite: an in-memory copy of everything plus the
/// writes not yet flushed ([`SqliteStore::flush`]).
#[derive(Debug, Default)]
pub struct SqliteStore {
    mem: MemoryStore,
    dirty: Vec<String>,
    dirty_set: HashSet<String>,
    sent: Vec<String>,
    items: Vec<String>,
    clock_dirty: bool,
}

impl SqliteStore {
    /// Loads every ticket (in creation order), seen key, seen WhatsApp item, sent message
    /// and the clock.
    ///
    /// # Errors
    /// [`DbError`] on a database error or a row that does not decode (naming the table
    /// and key).
    pub fn load(conn: &Connection) -> Result<Self, DbError> {
        let mut mem = MemoryStore::new();
        let mut stmt = conn.prepare("SELECT id, json FROM tickets ORDER BY seq")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let json: String = row.get(1)?;
            let t: TicketJson = serde_json::from_str(&json)
                .map_err(|e| DbError(format!("tickets row `{id}`: {e}")))?;
            let t = Ticket::try_from(t).map_err(|e| DbError(format!("tickets row `{id}`: {e}")))?;
            mem.put(t);
        }
        let mut stmt = conn.prepare("SELECT key, ticket FROM outcomes WHERE applied = 1")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            mem.mark_seen(row.get(0)?, row.get(1)?);
        }
        let mut stmt = conn.prepare("SELECT key, ticket FROM seen_items")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            mem.mark_item_seen(row.get(0)?, row.get(1)?);
        }
        let mut stmt = conn.prepare("SELECT wamid, json FROM sent")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let wamid: String = row.get(0)?;
            let json: String = row.get(1)?;
            let s: SentJson = serde_json::from_str(&json)
                .map_err(|e| DbError(format!("sent row `{wamid}`: {e}")))?;
            let s = SentMessage::try_from(s)
                .map_err(|e| DbError(format!("sent row `{wamid}`: {e}")))?;
            mem.put_sent(wamid, s);
        }
        let clock: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'clock'", [], |r| {
                r.get(0)
            })
            .optional()?;
        if let Some(c) = clock {
            let at: Timestamp = c
                .parse()
                .map_err(|e| DbError(format!("meta clock `{c}`: {e}")))?;
            mem.set_clock(at);
        }
        Ok(SqliteStore {
            mem,
            ..SqliteStore::default()
        })
    }

    /// The tickets, in creation order.
    pub fn tickets(&self) -> &[Ticket] {
        self.mem.tickets()
    }

    /// True when writes are waiting for [`SqliteStore::flush`].
    pub fn has_pending(&self) -> bool {
        !self.dirty.is_empty()
            || !self.sent.is_empty()
            || !self.items.is_empty()
            || self.clock_dirty
    }

    /// Drops the pending writes (after a failed transaction the server reloads instead).
    pub fn clear_pending(&mut self) {
        self.dirty.clear();
        self.dirty_set.clear();
        self.sent.clear();
        self.items.clear();
        self.clock_dirty = false;
    }

    /// Writes the pending changes inside `tx` (tickets in creation order, so new ones get
    /// increasing `seq`) and clears them. Nothing is durable until `tx` commits.
    ///
    /// # Errors
    /// [`DbError`] on a database error; the pending writes are then kept.
    pub fn flush(&mut self, tx: &Transaction<'_>) -> Result<(), DbError> {
        let mut dirty = std::mem::take(&mut self.dirty);
        dirty.sort_by_key(|id| self.mem.position(id).unwrap_or(usize::MAX));
        let result = (|| -> Result<(), DbError> {
            let mut put = tx.prepare_cached(
                "INSERT INTO tickets (id, json) VALUES (?1, ?2) \
                 ON CONFLICT (id) DO UPDATE SET json = excluded.json",
            )?;
            for id in &dirty {
                if let Some(t) = self.mem.get(id) {
                    let json = serde_json::to_string(&TicketJson::from(t))
                        .map_err(|e| DbError(format!("ticket `{id}`: {e}")))?;
                    put.execute(params![id, json])?;
                }
            }
            let mut sent = tx.prepare_cached(
                "INSERT INTO sent (wamid, json) VALUES (?1, ?2) \
                 ON CONFLICT (wamid) DO UPDATE SET json = excluded.json",
            )?;
            for w in &self.sent {
                if let Some(s) = self.mem.sent(w) {
                    let json = serde_json::to_string(&SentJson::from(s))
                        .map_err(|e| DbError(format!("sent `{w}`: {e}")))?;
                    sent.execute(params![w, json])?;
                }
            }
            let mut item = tx.prepare_cached(
                "INSERT INTO seen_items (key, ticket) VALUES (?1, ?2) \
                 ON CONFLICT (key) DO UPDATE SET ticket = excluded.ticket",
            )?;
            for k in &self.items {
                if let Some(t) = self.mem.seen_item(k) {
                    item.execute(params![k, t])?;
                }
            }
            if self.clock_dirty {
                if let Some(c) = self.mem.clock() {
                    tx.prepare_cached(
                        "INSERT INTO meta (key, value) VALUES ('clock', ?1) \
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    )?
                    .execute(params![c.to_string()])?;
                }
            }
            Ok(())
        })();
        match result {
            Ok(()) => {
                self.dirty_set.clear();
                self.sent.clear();
                self.items.clear();
                self.clock_dirty = false;
                Ok(())
            }
            Err(e) => {
                self.dirty = dirty;
                Err(e)
            }
        }
    }
}

impl TicketStore for SqliteStore {
    fn get(&self, id: &str) -> Option<&Ticket> {
        self.mem.get(id)
    }

    fn put(&mut self, ticket: Ticket) {
        if !self.dirty_set.contains(&ticket.id) {
            self.dirty_set.insert(ticket.id.clone());
            self.dirty.push(ticket.id.clone());
        }
        self.mem.put(ticket);
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.mem.position(id)
    }

    fn ids(&self) -> Vec<String> {
        self.mem.ids()
    }
    fn len(&self) -> usize {
        self.mem.len()
    }
    fn ticket_at(&self, pos: usize) -> Option<&Ticket> {
        self.mem.ticket_at(pos)
    }

    fn whatsapp_ticket_for(&self, phone: &str) -> Option<&Ticket> {
        self.mem.whatsapp_ticket_for(phone)
    }

    fn seen(&self, key: &str) -> Option<Option<String>> {
        self.mem.seen(key)
    }

    /// In memory only: the server persists seen keys as `applied` rows of `outcomes`
    /// ([`store_outcome`]) in the same transaction.
    fn mark_seen(&mut self, key: String, ticket: Option<String>) {
        self.mem.mark_seen(key, ticket);
    }

    fn seen_item(&self, key: &str) -> Option<Option<String>> {
        self.mem.seen_item(key)
    }

    /// Kept in memory and written to `seen_items` by [`SqliteStore::flush`], in the
    /// transaction of the request that applied the item.
    fn mark_item_seen(&mut self, key: String, ticket: Option<String>) {
        self.items.push(key.clone());
        self.mem.mark_item_seen(key, ticket);
    }

    fn sent(&self, wamid: &str) -> Option<&SentMessage> {
        self.mem.sent(wamid)
    }

    fn put_sent(&mut self, wamid: String, sent: SentMessage) {
        self.sent.push(wamid.clone());
        self.mem.put_sent(wamid, sent);
    }

    fn clock(&self) -> Option<Timestamp> {
        self.mem.clock()
    }

    fn set_clock(&mut self, at: Timestamp) {
        self.clock_dirty = true;
        self.mem.set_clock(at);
    }
}

/// The stored answer for an event key: its audit lines in order (the automation runs
/// that happened before it, then its own line as first answered).
pub fn stored_outcome(tx: &Transaction<'_>, key: &str) -> Result<Option<Vec<String>>, DbError> {
    let range: Option<(i64, i64)> = tx
        .prepare_cached("SELECT first_seq, last_seq FROM outcomes WHERE key = ?1")?
        .query_row(params![key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((first, last)) = range else {
        return Ok(None);
    };
    let mut stmt =
        tx.prepare_cached("SELECT json FROM audit WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq")?;
    let lines = stmt
        .query_map(params![first, last], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(Some(lines))
}

/// The event whose automation catch-up was committed in part and not finished (a stop
/// or crash mid-way): its key and the audit sequence number of its first run line.
///
/// # Errors
/// [`DbError`] on a database error or a damaged value.
pub fn catch_up(conn: &Connection) -> Result<Option<(String, i64)>, DbError> {
    let value: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'catch_up'", [], |r| {
            r.get(0)
        })
        .optional()?;
    let Some(v) = value else {
        return Ok(None);
    };
    let (seq, key) = v
        .split_once(' ')
        .and_then(|(seq, key)| Some((seq.parse::<i64>().ok()?, key.to_string())))
        .ok_or_else(|| DbError("meta catch_up: expected `SEQ KEY`".into()))?;
    Ok(Some((key, seq)))
}

/// The audit lines from sequence number `first` on, in order (a partly committed
/// catch-up's run lines, see [`catch_up`]).
///
/// # Errors
/// [`DbError`] on a database error.
pub fn audit_from(tx: &Transaction<'_>, first: i64) -> Result<Vec<String>, DbError> {
    let mut stmt = tx.prepare_cached("SELECT json FROM audit WHERE seq >= ?1 ORDER BY seq")?;
    let lines = stmt
        .query_map(params![first], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(lines)
}

/// Sets (or with `None` clears) the partly committed catch-up; see [`catch_up`].
///
/// # Errors
/// [`DbError`] on a database error.
pub fn set_catch_up(tx: &Transaction<'_>, value: Option<(&str, i64)>) -> Result<(), DbError> {
    match value {
        Some((key, seq)) => {
            tx.prepare_cached(
                "INSERT INTO meta (key, value) VALUES ('catch_up', ?1) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![format!("{seq} {key}")])?;
        }
        None => {
            tx.prepare_cached("DELETE FROM meta WHERE key = 'catch_up'")?
                .execute([])?;
        }
    }
    Ok(())
}

/// Records that event `key` was answered by audit entries `first_seq..=last_seq`;
/// `applied` (status ok) makes it one of the engine's seen keys, with `ticket` (the
/// ticket of its first record) — see [`SqliteStore::load`].
pub fn store_outcome(
    tx: &Transaction<'_>,
    key: &str,
    first_seq: i64,
    last_seq: i64,
    applied: bool,
    ticket: Option<&str>,
) -> Result<(), DbError> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO outcomes (key, first_seq, last_seq, applied, ticket) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![key, first_seq, last_seq, applied, ticket])?;
    Ok(())
}

/// Appends an audit entry concerning `tickets`; returns its sequence number.
pub fn audit(
    tx: &Transaction<'_>,
    event: Option<&str>,
    kind: &str,
    json: &str,
    tickets: &[&str],
) -> Result<i64, DbError> {
    tx.prepare_cached("INSERT INTO audit (event, kind, json) VALUES (?1, ?2, ?3)")?
        .execute(params![event, kind, json])?;
    let seq = tx.last_insert_rowid();
    let mut link =
        tx.prepare_cached("INSERT OR IGNORE INTO audit_tickets (ticket, seq) VALUES (?1, ?2)")?;
    for t in tickets {
        link.execute(params![t, seq])?;
    }
    Ok(seq)
}

/// One audit entry: its sequence number and the outcome line (JSON text).
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// Position in the log (from 1, increasing).
    pub seq: i64,
    /// The outcome line, as answered.
    pub json: String,
}

/// The audit entries of one ticket, oldest first.
pub fn ticket_audit(conn: &Connection, ticket: &str) -> Result<Vec<AuditEntry>, DbError> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.seq, a.json FROM audit_tickets t JOIN audit a ON a.seq = t.seq \
         WHERE t.ticket = ?1 ORDER BY a.seq",
    )?;
    let rows = stmt.query_map(params![ticket], |r| {
        Ok(AuditEntry {
            seq: r.get(0)?,
            json: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Up to `limit` audit entries with `seq > after`, oldest first.
pub fn audit_page(conn: &Connection, after: i64, limit: i64) -> Result<Vec<AuditEntry>, DbError> {
    let mut stmt =
        conn.prepare_cached("SELECT seq, json FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2")?;
    let rows = stmt.query_map(params![after, limit], |r| {
        Ok(AuditEntry {
            seq: r.get(0)?,
            json: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Channel;

    /// A database path in a fresh temp directory, removed when dropped.
    struct TempDb(std::path::PathBuf);

    impl TempDb {
        fn path(&self) -> std::path::PathBuf {
            self.0.join("t.db")
        }
    }

    impl Drop for TempDb {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn temp_db(name: &str) -> TempDb {
        let dir =
            std::env::temp_dir().join(format!("ticket-rules-db-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDb(dir)
    }

    #[test]
    fn schema_is_created_once_and_versioned() {
        let t = temp_db("schema");
        let p = t.path();
        let c = open(&p).unwrap();
        let v: i64 = c
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        let mode: String = c
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        drop(c);
        // A second open runs no migration again (a re-run would fail: tables exist).
        open(&p).unwrap();
    }

    #[test]
    fn newer_schema_is_refused() {
        let t = temp_db("newer");
        let p = t.path();
        let c = open(&p).unwrap();
        c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(c);
        let e = open(&p).unwrap_err();
        assert!(e.0.contains("newer than this build"), "{e}");
    }

    #[test]
    fn s11_flushed_writes_reload_in_creation_order() {
        let t = temp_db("flush");
        let p = t.path();
        let mut c = open(&p).unwrap();
        let mut s = SqliteStore::load(&c).unwrap();
        let at: Timestamp = "2026-11-24T09:00:00Z".parse().unwrap();
        s.put(Ticket::new("B", Channel::parse("email"), at));
        s.put(Ticket::new("A", Channel::parse("email"), at));
        let mut b = Ticket::new("B", Channel::parse("email"), at);
        b.tags.insert("x".into());
        s.put(b);
        s.mark_seen("e1".into(), Some("B".into()));
        s.set_clock(at);
        let tx = c.transaction().unwrap();
        s.flush(&tx).unwrap();
        let seq = audit(&tx, Some("e1"), "event", "{\"line\":1}", &["B"]).unwrap();
        store_outcome(&tx, "e1", seq, seq, true, Some("B")).unwrap();
        let seq = audit(&tx, Some("e2"), "event", "{\"line\":2}", &[]).unwrap();
        store_outcome(&tx, "e2", seq, seq, false, None).unwrap();
        tx.commit().unwrap();
        assert!(!s.has_pending());
        let back = SqliteStore::load(&c).unwrap();
        assert_eq!(back.ids(), vec!["B".to_string(), "A".to_string()]);
        assert!(back.get("B").unwrap().tags.contains("x"));
        assert_eq!(back.seen("e1"), Some(Some("B".into())));
        // A rejected event is stored for retries but is not a seen key of the engine.
        assert_eq!(back.seen("e2"), None);
        let tx = c.transaction().unwrap();
        assert_eq!(
            stored_outcome(&tx, "e2").unwrap(),
            Some(vec!["{\"line\":2}".to_string()])
        );
        assert_eq!(stored_outcome(&tx, "e3").unwrap(), None);
        assert_eq!(back.clock(), Some(at));
    }

    #[test]
    fn rebatched_whatsapp_items_stay_seen_after_a_reload() {
        let t = temp_db("items");
        let p = t.path();
        let mut c = open(&p).unwrap();
        let mut s = SqliteStore::load(&c).unwrap();
        s.mark_item_seen(message_key("wamid.A"), Some("wa:1".into()));
        s.mark_item_seen(status_key("wamid.OUT", "read"), None);
        assert!(s.has_pending());
        let tx = c.transaction().unwrap();
        s.flush(&tx).unwrap();
        tx.commit().unwrap();
        assert!(!s.has_pending());
        // Not committed: lost with its transaction.
        s.mark_item_seen(message_key("wamid.B"), Some("wa:1".into()));
        let tx = c.transaction().unwrap();
        s.flush(&tx).unwrap();
        drop(tx);
        let back = SqliteStore::load(&c).unwrap();
        assert_eq!(back.seen_item("msg:wamid.A"), Some(Some("wa:1".into())));
        assert_eq!(back.seen_item("status:read:wamid.OUT"), Some(None));
        assert_eq!(back.seen_item("msg:wamid.B"), None);
        // A separate namespace: an event id spelled like an item key is not an item.
        assert_eq!(back.seen("msg:wamid.A"), None);
    }

    /// A database of schema 1 knew applied webhook items only inside their event keys:
    /// the upgrade reads them back, so a message applied before it stays a duplicate.
    #[test]
    fn rebatched_whatsapp_items_applied_before_the_upgrade_are_still_seen() {
        let t = temp_db("upgrade");
        let p = t.path();
        let c = Connection::open(&p).unwrap();
        c.execute_batch(MIGRATIONS[0]).unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
        for (key, applied) in [
            ("webhook|wamid.A|wamid.OUT:delivered|wamid.OUT:read", true),
            ("webhook|wamid.R", false),
            ("e1", true),
        ] {
            c.execute(
                "INSERT INTO outcomes (key, first_seq, last_seq, applied, ticket) VALUES (?1, 1, 1, ?2, 'wa:1')",
                params![key, applied],
            )
            .unwrap();
        }
        drop(c);
        let c = open(&p).unwrap();
        let s = SqliteStore::load(&c).unwrap();
        let mut keys: Vec<String> = c
            .prepare("SELECT key FROM seen_items ORDER BY key")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        keys.sort();
        assert_eq!(
            keys,
            [
                "msg:wamid.A",
                "status:delivered:wamid.OUT",
                "status:read:wamid.OUT"
            ]
        );
        assert_eq!(s.seen_item("msg:wamid.A"), Some(Some("wa:1".into())));
        assert_eq!(
            s.seen_item("msg:wamid.R"),
            None,
            "rejected lines applied nothing"
        );
    }

    #[test]
    fn legacy_item_keys_tell_statuses_from_messages() {
        assert_eq!(legacy_item_key("wamid.HBgL=="), "msg:wamid.HBgL==");
        assert_eq!(legacy_item_key("wamid.X:failed"), "status:failed:wamid.X");
        assert_eq!(
            legacy_item_key("h:0a1b2c3d4e5f6071"),
            "msg:h:0a1b2c3d4e5f6071"
        );
        assert_eq!(legacy_item_key(":read"), "msg::read");
        assert_eq!(legacy_item_key("wamid.X:"), "msg:wamid.X:");
    }

    #[test]
    fn uncommitted_writes_are_lost_whole() {
        let t = temp_db("rollback");
        let p = t.path();
        let mut c = open(&p).unwrap();
        let mut s = SqliteStore::load(&c).unwrap();
        let at: Timestamp = "2026-11-24T09:00:00Z".parse().unwrap();
        s.put(Ticket::new("A", Channel::parse("email"), at));
        let tx = c.transaction().unwrap();
        s.flush(&tx).unwrap();
        audit(&tx, Some("e1"), "event", "{}", &["A"]).unwrap();
        drop(tx); // rolled back
        let back = SqliteStore::load(&c).unwrap();
        assert!(back.ids().is_empty());
        assert!(audit_page(&c, 0, 10).unwrap().is_empty());
    }
}
