//! Running prepared cases through the engine and comparing what happened with what was
//! expected. Every failure is one sentence (sometimes followed by an indented list) that
//! says what was expected and what happened instead.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use jiff::Timestamp;

use super::load::{load_test_file, PreparedCase, PreparedFile, TestFileError};
use super::model::{Expect, ExpectedStatus, MessageExpect, TicketExpect};
use crate::engine::{
    CompileError, CompileOptions, Delivery, DeliveryReason, Engine, LineStatus, Message,
    MessageKind, RuleSet, Step, TicketOutcome,
};
use crate::model::{FieldValue, Ticket};
use crate::TicketStore;

/// The rule ids the engine itself fires (S1).
pub const SYSTEM_RULE_IDS: &[&str] = &["system:reopen", "system:close-after-28-days"];

/// The result of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseReport {
    /// The case's name.
    pub name: String,
    /// Its line in the test file.
    pub line: usize,
    /// One entry per unmet expectation, in the order checked; empty when the case passed.
    pub failures: Vec<String>,
}

impl CaseReport {
    /// True when every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// The result of one test file: its cases, or why it could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    /// The test file as given.
    pub path: String,
    /// The cases run, in file order (empty when `error` is set).
    pub cases: Vec<CaseReport>,
    /// Why the file could not be used (exit status 2 for `ticket-rules test`).
    pub error: Option<TestFileError>,
}

/// Loads, prepares and runs one test file. Never panics; problems with the file itself
/// end up in [`FileReport::error`].
pub fn run_test_file(path: &Path) -> FileReport {
    match load_test_file(path) {
        Ok(prepared) => run_prepared(&prepared),
        Err(e) => FileReport {
            path: path.display().to_string(),
            cases: Vec::new(),
            error: Some(e),
        },
    }
}

/// A compile error as a file error: rule findings point at the `rules:` key (the
/// diagnostics name the rule files), an unusable account at the case.
fn compile_error(file: &PreparedFile, case_line: usize, e: CompileError) -> TestFileError {
    let line = match &e {
        CompileError::Rules(_) => file.rules_line,
        _ => Some(case_line),
    };
    let message = match e {
        CompileError::Rules(checked) => {
            let mut text = String::from("the rules have errors:\n");
            for fd in checked
                .diagnostics
                .iter()
                .filter(|d| d.diagnostic.is_error())
            {
                if let Some(f) = checked.files.get(fd.file) {
                    text.push_str(&crate::diagnostic::render::human(
                        std::slice::from_ref(&fd.diagnostic),
                        f,
                    ));
                }
            }
            text.trim_end().to_string()
        }
        other => other.to_string(),
    };
    TestFileError {
        path: file.path.clone(),
        line,
        message,
    }
}

/// A compiled rule set and the rule ids it can fire.
struct Compiled {
    rules: Arc<RuleSet>,
    ids: BTreeSet<String>,
}

/// Runs a prepared file: compiles its rules once per distinct account, then runs every
/// case in a fresh [`Engine`].
pub fn run_prepared(file: &PreparedFile) -> FileReport {
    let mut cache: HashMap<String, usize> = HashMap::new();
    let mut compiled: Vec<Compiled> = Vec::new();
    let mut slots = Vec::with_capacity(file.cases.len());
    for case in &file.cases {
        let key = serde_json::to_string(&case.account).unwrap_or_default();
        let slot = match cache.get(&key) {
            Some(s) => *s,
            None => {
                let options = CompileOptions {
                    default_rules: file.default_rules,
                };
                match RuleSet::compile(&file.sources, case.account.clone(), options) {
                    Ok((rs, checked)) => {
                        let mut ids: BTreeSet<String> =
                            checked.rules.iter().map(|r| r.id()).collect();
                        ids.extend(SYSTEM_RULE_IDS.iter().map(|s| s.to_string()));
                        compiled.push(Compiled {
                            rules: Arc::new(rs),
                            ids,
                        });
                        cache.insert(key, compiled.len() - 1);
                        compiled.len() - 1
                    }
                    Err(e) => {
                        return FileReport {
                            path: file.path.clone(),
                            cases: Vec::new(),
                            error: Some(compile_error(file, case.line, e)),
                        }
                    }
                }
            }
        };
        slots.push(slot);
    }
    let cases = file
        .cases
        .iter()
        .zip(slots)
        .map(|(case, slot)| run_case(case, &compiled[slot]))
        .collect();
    FileReport {
        path: file.path.clone(),
        cases,
        error: None,
    }
}

/// What a stretch of the case produced (the whole case, or one event).
#[derive(Debug, Default)]
struct Observed {
    /// (rule id, where it fired).
    fired: Vec<(String, String)>,
    /// (ticket, message).
    messages: Vec<(String, Message)>,
    notices: Vec<String>,
    warnings: Vec<String>,
    redactions: usize,
}

impl Observed {
    fn add_ticket(&mut self, t: &TicketOutcome, at: &str) {
        self.redactions += t.redactions;
        self.fired
            .extend(t.fired.iter().map(|f| (f.clone(), at.to_string())));
        self.messages
            .extend(t.messages.iter().map(|m| (t.ticket.clone(), m.clone())));
        self.notices.extend(t.notices.iter().cloned());
        self.warnings.extend(t.warnings.iter().cloned());
    }

    fn add_runs(&mut self, runs: &[crate::engine::AutomationRun]) {
        for run in runs {
            let at = format!("the automation run at {}", run.at);
            for t in &run.tickets {
                self.add_ticket(t, &at);
            }
        }
    }

    fn add_step(&mut self, step: &Step, at: &str) {
        self.add_runs(&step.runs);
        for t in &step.outcome.tickets {
            self.add_ticket(t, at);
        }
        self.warnings.extend(step.outcome.warnings.iter().cloned());
    }

    fn absorb(&mut self, other: Observed) {
        self.fired.extend(other.fired);
        self.messages.extend(other.messages);
        self.notices.extend(other.notices);
        self.warnings.extend(other.warnings);
        self.redactions += other.redactions;
    }
}

fn run_case(case: &PreparedCase, compiled: &Compiled) -> CaseReport {
    let mut engine = Engine::new(Arc::clone(&compiled.rules));
    let mut all = Observed::default();
    let mut failures = Vec::new();
    if let Some(ev) = &case.start_event {
        let step = engine.process(ev.clone());
        if step.outcome.status != LineStatus::Ok {
            failures.push(format!(
                "the starting ticket was {}: {}",
                status_word(step.outcome.status),
                step.outcome.error.as_deref().unwrap_or("(no reason given)")
            ));
        }
        all.add_step(&step, "the starting ticket");
    }
    for pe in &case.events {
        let label = pe.label();
        let mut obs = Observed::default();
        let (status, error) = match &pe.event {
            Err(e) => (ExpectedStatus::Rejected, Some(e.message.clone())),
            Ok(ev) => {
                let step = engine.process(ev.clone());
                obs.add_step(&step, &label);
                let s = match step.outcome.status {
                    LineStatus::Ok => ExpectedStatus::Ok,
                    LineStatus::Rejected => ExpectedStatus::Rejected,
                    LineStatus::Duplicate => ExpectedStatus::Duplicate,
                };
                (s, step.outcome.error.clone())
            }
        };
        let expect = pe.expect.clone().unwrap_or_default();
        let want = expect.status.unwrap_or(if expect.error_contains.is_some() {
            ExpectedStatus::Rejected
        } else {
            ExpectedStatus::Ok
        });
        if status != want {
            let why = error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default();
            failures.push(format!(
                "{label}: expected status `{}`, got `{}`{why}",
                want.as_str(),
                status.as_str()
            ));
        }
        if let Some(text) = &expect.error_contains {
            match &error {
                Some(e) if e.contains(text.as_str()) => {}
                Some(e) => failures.push(format!(
                    "{label}: expected the error to contain {text:?}; it was: {e}"
                )),
                None => failures.push(format!(
                    "{label}: expected an error containing {text:?}; there was none"
                )),
            }
        }
        let prefix = format!("{label}: ");
        failures.extend(check(&expect, &obs, &engine, case, compiled, &prefix, true));
        all.absorb(obs);
    }
    if let Some(t) = case.until {
        let runs = engine.advance_to(t);
        all.add_runs(&runs);
    }
    failures.extend(check(
        &case.expect,
        &all,
        &engine,
        case,
        compiled,
        "",
        false,
    ));
    CaseReport {
        name: case.name.clone(),
        line: case.line,
        failures,
    }
}

fn status_word(s: LineStatus) -> &'static str {
    match s {
        LineStatus::Ok => "ok",
        LineStatus::Rejected => "rejected",
        LineStatus::Duplicate => "duplicate",
    }
}

/// `a, b, c` with each in backticks, or `nothing`.
fn list(items: &[String]) -> String {
    if items.is_empty() {
        "nothing".into()
    } else {
        items
            .iter()
            .map(|i| format!("`{i}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A did-you-mean for an unknown rule id.
fn suggest(id: &str, known: &BTreeSet<String>) -> String {
    if let Some(k) = known
        .iter()
        .find(|k| k.split_once(':').is_some_and(|(_, t)| t == id))
    {
        return format!(" (did you mean `{k}`?)");
    }
    let lower = id.to_lowercase();
    let best = known
        .iter()
        .map(|k| (strsim::levenshtein(&lower, &k.to_lowercase()), k))
        .min_by_key(|(d, _)| *d);
    match best {
        Some((d, k)) if d <= (id.chars().count() / 3).max(3) => format!(" (did you mean `{k}`?)"),
        _ => String::new(),
    }
}

fn check(
    e: &Expect,
    obs: &Observed,
    engine: &Engine,
    case: &PreparedCase,
    compiled: &Compiled,
    prefix: &str,
    per_event: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    let scope = if per_event { " on this event" } else { "" };
    let mut fired_ids: Vec<String> = Vec::new();
    for (id, _) in &obs.fired {
        if !fired_ids.contains(id) {
            fired_ids.push(id.clone());
        }
    }
    for id in &e.fired {
        if !compiled.ids.contains(id) {
            out.push(format!(
                "{prefix}fired: no rule `{id}` in the rules under test{}",
                suggest(id, &compiled.ids)
            ));
        } else if !fired_ids.contains(id) {
            out.push(format!(
                "{prefix}expected `{id}` to fire{scope}; fired were: {}",
                list(&fired_ids)
            ));
        }
    }
    for id in &e.not_fired {
        if !compiled.ids.contains(id) {
            out.push(format!(
                "{prefix}not_fired: no rule `{id}` in the rules under test{}",
                suggest(id, &compiled.ids)
            ));
        } else if let Some((_, at)) = obs.fired.iter().find(|(f, _)| f == id) {
            out.push(format!(
                "{prefix}expected `{id}` not to fire{scope}, but it fired on {at}"
            ));
        }
    }
    if let Some(n) = e.redactions {
        if n != obs.redactions {
            out.push(format!(
                "{prefix}redactions: expected {n}, got {}",
                obs.redactions
            ));
        }
    }
    for text in &e.notices_include {
        if !obs.notices.iter().any(|n| n.contains(text.as_str())) {
            out.push(format!(
                "{prefix}expected a notice containing {text:?}; notices were:{}",
                bullet(&obs.notices)
            ));
        }
    }
    for text in &e.warnings_include {
        if !obs.warnings.iter().any(|n| n.contains(text.as_str())) {
            out.push(format!(
                "{prefix}expected a warning containing {text:?}; warnings were:{}",
                bullet(&obs.warnings)
            ));
        }
    }
    if let Some(t) = &e.ticket {
        let main = case
            .main_ticket
            .clone()
            .or_else(|| engine.store().ids().first().cloned());
        match main {
            Some(id) => out.extend(check_ticket(t, &id, engine, prefix)),
            None => out.push(format!(
                "{prefix}ticket: no ticket was created in this case"
            )),
        }
    }
    for (id, t) in &e.tickets {
        out.extend(check_ticket(t, id, engine, prefix));
    }
    if let Some(n) = e.message_count {
        if n != obs.messages.len() {
            let listing: Vec<String> = obs.messages.iter().map(|(t, m)| describe(t, m)).collect();
            out.push(format!(
                "{prefix}expected {n} outbound message(s){scope}, got {}:{}",
                obs.messages.len(),
                bullet(&listing)
            ));
        }
    }
    out.extend(check_messages(&e.messages, &obs.messages, prefix, scope));
    out
}

fn bullet(items: &[String]) -> String {
    if items.is_empty() {
        " none".into()
    } else {
        items.iter().map(|i| format!("\n  - {i}")).collect()
    }
}

fn word(v: Option<&str>) -> String {
    match v {
        Some(s) => format!("`{s}`"),
        None => "unset".into(),
    }
}

fn field_json(v: &FieldValue) -> serde_json::Value {
    match v {
        FieldValue::Bool(b) => (*b).into(),
        FieldValue::Int(n) => (*n).into(),
        FieldValue::Float(x) => serde_json::Number::from_f64(*x)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        FieldValue::Text(s) => s.clone().into(),
    }
}

/// (field name, expected value if any — `Some(None)` = unset, the ticket's value).
type TextCheck<'a> = (&'a str, &'a Option<Option<String>>, &'a Option<String>);

fn check_ticket(e: &TicketExpect, id: &str, engine: &Engine, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let Some(t) = engine.store().get(id) else {
        let ids = engine.store().ids();
        out.push(format!(
            "{prefix}ticket `{id}` does not exist; tickets are: {}",
            list(&ids)
        ));
        return out;
    };
    let p = format!("{prefix}ticket `{id}`");
    let mut cmp = |name: &str, want: Option<&str>, got: Option<&str>| {
        if want != got {
            out.push(format!(
                "{p} {name}: expected {}, got {}",
                word(want),
                word(got)
            ));
        }
    };
    if let Some(s) = e.status {
        cmp("status", Some(s.as_str()), Some(t.status.as_str()));
    }
    if let Some(w) = &e.priority {
        cmp(
            "priority",
            w.map(|x| x.as_str()),
            t.priority.map(|x| x.as_str()),
        );
    }
    if let Some(w) = &e.ticket_type {
        cmp(
            "type",
            w.map(|x| x.as_str()),
            t.ticket_type.map(|x| x.as_str()),
        );
    }
    if let Some(w) = &e.channel {
        cmp("channel", Some(w), Some(t.channel.as_str()));
    }
    let texts: [TextCheck; 6] = [
        ("subject", &e.subject, &t.subject),
        ("group", &e.group, &t.group),
        ("assignee", &e.assignee, &t.assignee),
        ("form", &e.form, &t.form),
        ("brand", &e.brand, &t.brand),
        ("schedule", &e.schedule, &t.schedule),
    ];
    for (name, want, got) in texts {
        if let Some(w) = want {
            cmp(name, w.as_deref(), got.as_deref());
        }
    }
    if let Some(s) = e.satisfaction {
        cmp(
            "satisfaction",
            Some(s.as_str()),
            Some(t.satisfaction.as_str()),
        );
    }
    out.extend(check_tags(e, t, &p));
    for (name, want) in &e.fields {
        let got = t.fields.get(name).map(field_json);
        let same = match (want, &got) {
            (serde_json::Value::Null, None) => true,
            (w, Some(g)) => w == g,
            _ => false,
        };
        if !same {
            let shown = |v: Option<&serde_json::Value>| match v {
                None | Some(serde_json::Value::Null) => "not present".to_string(),
                Some(v) => format!("`{v}`"),
            };
            out.push(format!(
                "{p} fields.{name}: expected {}, got {}",
                shown(Some(want)),
                shown(got.as_ref())
            ));
        }
    }
    out
}

fn check_tags(e: &TicketExpect, t: &Ticket, p: &str) -> Vec<String> {
    let mut out = Vec::new();
    let have: Vec<String> = t.tags.iter().cloned().collect();
    if let Some(want) = &e.tags {
        let want_set: BTreeSet<String> = want.iter().map(|s| s.to_lowercase()).collect();
        if want_set != t.tags {
            let mut w: Vec<String> = want_set.into_iter().collect();
            w.sort();
            out.push(format!(
                "{p} tags: expected [{}], got [{}]",
                w.join(", "),
                have.join(", ")
            ));
        }
    }
    for tag in &e.tags_include {
        if !t.tags.contains(&tag.to_lowercase()) {
            out.push(format!(
                "{p} tags: expected to include `{tag}`; tags are [{}]",
                have.join(", ")
            ));
        }
    }
    for tag in &e.tags_exclude {
        if t.tags.contains(&tag.to_lowercase()) {
            out.push(format!(
                "{p} tags: expected not to include `{tag}`; tags are [{}]",
                have.join(", ")
            ));
        }
    }
    out
}

fn kind_word(k: MessageKind) -> &'static str {
    match k {
        MessageKind::Text => "text",
        MessageKind::Template => "template",
        MessageKind::Note => "note",
        MessageKind::Email => "email",
        MessageKind::Webhook => "webhook",
    }
}

fn delivery_word(d: Delivery) -> &'static str {
    match d {
        Delivery::Delivered => "delivered",
        Delivery::Blocked => "blocked",
        Delivery::Failed => "failed",
        Delivery::Skipped => "skipped",
        Delivery::Recorded => "recorded",
    }
}

/// `T-1 trigger:X text blocked (outside_24h_window)`.
fn describe(ticket: &str, m: &Message) -> String {
    let mut s = format!(
        "{ticket} {} {} {}",
        m.source,
        kind_word(m.kind),
        delivery_word(m.delivery)
    );
    if let Some(r) = &m.reason {
        s.push_str(&format!(" ({r})"));
    }
    s
}

fn check_messages(
    want: &[MessageExpect],
    got: &[(String, Message)],
    prefix: &str,
    scope: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut from = 0;
    let mut last: Option<usize> = None;
    for (i, w) in want.iter().enumerate() {
        let kind = w.kind.map(|k| format!("{k:?}").to_lowercase());
        let found = got.iter().enumerate().skip(from).find(|(_, (t, m))| {
            m.source == w.source
                && kind.as_deref().is_none_or(|k| k == kind_word(m.kind))
                && w.ticket.as_deref().is_none_or(|x| x == t)
        });
        let mut what = format!("`{}`", w.source);
        if let Some(k) = &kind {
            what.push_str(&format!(" of kind `{k}`"));
        }
        if let Some(t) = &w.ticket {
            what.push_str(&format!(" on ticket `{t}`"));
        }
        let Some((j, (_, m))) = found else {
            let after = last
                .map(|k| format!(" after the one that matched messages[{k}]"))
                .unwrap_or_default();
            let listing: Vec<String> = got.iter().map(|(t, m)| describe(t, m)).collect();
            out.push(format!(
                "{prefix}messages[{i}]: expected a message from {what}{scope}{after}; messages were:{}",
                bullet(&listing)
            ));
            continue;
        };
        from = j + 1;
        last = Some(i);
        let p = format!("{prefix}messages[{i}] from {what}");
        if let Some(d) = w.delivery {
            let want_d = format!("{d:?}").to_lowercase();
            if want_d != delivery_word(m.delivery) {
                let why = m.reason.map(|r| format!(" ({r})")).unwrap_or_default();
                out.push(format!(
                    "{p}: delivery: expected `{want_d}`, got `{}`{why}",
                    delivery_word(m.delivery)
                ));
            }
        }
        if let Some(r) = &w.reason {
            if r.as_deref() != m.reason.map(DeliveryReason::code) {
                out.push(format!(
                    "{p}: reason: expected {}, got {}",
                    word_or_none(r.as_deref()),
                    word_or_none(m.reason.map(DeliveryReason::code))
                ));
            }
        }
        if let Some(wc) = &w.window_closed_at {
            let want_t = wc.as_deref().and_then(|s| s.parse::<Timestamp>().ok());
            if want_t != m.window_closed_at {
                out.push(format!(
                    "{p}: window_closed_at: expected {}, got {}",
                    word_or_none(want_t.map(|t| t.to_string()).as_deref()),
                    word_or_none(m.window_closed_at.map(|t| t.to_string()).as_deref())
                ));
            }
        }
        if let Some(c) = &w.error_code {
            if *c != m.error_code {
                out.push(format!(
                    "{p}: error_code: expected {}, got {}",
                    word_or_none(c.map(|c| c.to_string()).as_deref()),
                    word_or_none(m.error_code.map(|c| c.to_string()).as_deref())
                ));
            }
        }
        if let Some(to) = &w.to {
            if Some(to.as_str()) != m.to.as_deref() {
                out.push(format!(
                    "{p}: to: expected `{to}`, got {}",
                    word_or_none(m.to.as_deref())
                ));
            }
        }
        if let Some(text) = &w.text_contains {
            let body = m.body.as_deref().unwrap_or("");
            if !body.contains(text.as_str()) {
                out.push(format!(
                    "{p}: expected the text to contain {text:?}; it was {body:?}"
                ));
            }
        }
    }
    out
}

fn word_or_none(v: Option<&str>) -> String {
    match v {
        Some(s) => format!("`{s}`"),
        None => "none".into(),
    }
}
