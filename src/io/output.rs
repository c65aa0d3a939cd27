//! Writing results (events.md "Results out"): JSON lines with a fixed key order, and the
//! pretty text for people. Every line passes through the card scanner before it is
//! written, whatever the rules say (the last line of defence, W13).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Write};

use jiff::Timestamp;
use serde::Serialize;

use crate::outcome::{
    AutomationRun, Change, Delivery, DeliveryReason, EventOutcome, LineStatus, Message,
    MessageKind, RuleTrace, TicketOutcome,
};
use crate::redact;

#[derive(Serialize)]
struct MessageJson<'a> {
    id: &'a str,
    source: &'a str,
    kind: MessageKind,
    delivery: Delivery,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    window_closed_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<i64>,
}

impl<'a> From<&'a Message> for MessageJson<'a> {
    fn from(m: &'a Message) -> Self {
        MessageJson {
            id: &m.id,
            source: &m.source,
            kind: m.kind,
            delivery: m.delivery,
            reason: m.reason.map(DeliveryReason::code),
            window_closed_at: m.window_closed_at.map(|t| t.to_string()),
            error_code: m.error_code,
        }
    }
}

#[derive(Serialize)]
#[serde(untagged)]
enum ChangeJson<'a> {
    Field {
        field: &'a str,
        from: &'a Option<serde_json::Value>,
        to: &'a Option<serde_json::Value>,
    },
    Tags {
        field: &'static str,
        added: &'a [String],
        removed: &'a [String],
    },
}

impl<'a> From<&'a Change> for ChangeJson<'a> {
    fn from(c: &'a Change) -> Self {
        match c {
            Change::Field { field, from, to } => ChangeJson::Field { field, from, to },
            Change::Tags { added, removed } => ChangeJson::Tags {
                field: "tags",
                added,
                removed,
            },
        }
    }
}

#[derive(Serialize)]
struct ConditionJson<'a> {
    text: &'a str,
    value: bool,
}

#[derive(Serialize)]
struct TraceJson<'a> {
    rule: &'a str,
    matched: bool,
    conditions: Vec<ConditionJson<'a>>,
}

fn traces(explain: bool, t: &[RuleTrace]) -> Option<Vec<TraceJson<'_>>> {
    explain.then(|| {
        t.iter()
            .map(|r| TraceJson {
                rule: &r.rule,
                matched: r.matched,
                conditions: r
                    .conditions
                    .iter()
                    .map(|c| ConditionJson {
                        text: &c.text,
                        value: c.value,
                    })
                    .collect(),
            })
            .collect()
    })
}

#[derive(Serialize)]
struct RecordJson<'a> {
    ticket: &'a str,
    redactions: usize,
    fired: &'a [String],
    changes: Vec<ChangeJson<'a>>,
    messages: Vec<MessageJson<'a>>,
    notices: &'a [String],
    warnings: Cow<'a, [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explain: Option<Vec<TraceJson<'a>>>,
}

impl<'a> RecordJson<'a> {
    fn new(o: &'a TicketOutcome, explain: bool) -> Self {
        RecordJson {
            explain: traces(explain, &o.explain),
            ..RecordJson::from(o)
        }
    }
}

impl<'a> From<&'a TicketOutcome> for RecordJson<'a> {
    fn from(o: &'a TicketOutcome) -> Self {
        RecordJson {
            ticket: &o.ticket,
            redactions: o.redactions,
            fired: &o.fired,
            changes: o.changes.iter().map(ChangeJson::from).collect(),
            messages: o.messages.iter().map(MessageJson::from).collect(),
            notices: &o.notices,
            warnings: Cow::Borrowed(&o.warnings),
            explain: None,
        }
    }
}

/// A line about one ticket (or none): its record's fields at top level.
#[derive(Serialize)]
struct SingleLine<'a> {
    line: Option<usize>,
    event: Option<&'a str>,
    ticket: Option<&'a str>,
    at: Option<String>,
    status: LineStatus,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    duplicate_items: &'a [String],
    redactions: usize,
    fired: &'a [String],
    changes: Vec<ChangeJson<'a>>,
    messages: Vec<MessageJson<'a>>,
    notices: &'a [String],
    warnings: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    explain: Option<Vec<TraceJson<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

/// A line about several tickets: `"ticket": null` and a `tickets` array.
#[derive(Serialize)]
struct MultiLine<'a> {
    line: Option<usize>,
    event: Option<&'a str>,
    ticket: Option<&'a str>,
    at: Option<String>,
    status: LineStatus,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    duplicate_items: &'a [String],
    tickets: Vec<RecordJson<'a>>,
}

/// The JSON line for an input line's outcome (no trailing newline, not yet scrubbed).
///
/// One ticket (or none): the record's keys at top level. Several tickets: a `tickets`
/// array; warnings about the line itself are then given with the first ticket. After
/// `status`, `duplicate_items` names the WhatsApp items applied before, only when there
/// are any (docs/events.md).
pub fn event_json(line: usize, o: &EventOutcome) -> String {
    event_json_with(line, o, false)
}

/// [`event_json`], with `"explain"` traces in every ticket record when `explain` is set
/// (after `warnings`, events.md `--explain`).
pub fn event_json_with(line: usize, o: &EventOutcome, explain: bool) -> String {
    let at = o.at.map(|t| t.to_string());
    let s = if o.tickets.len() > 1 {
        let mut tickets: Vec<RecordJson> = o
            .tickets
            .iter()
            .map(|t| RecordJson::new(t, explain))
            .collect();
        if !o.warnings.is_empty() {
            let mut first = o.warnings.clone();
            first.extend(o.tickets[0].warnings.iter().cloned());
            tickets[0].warnings = Cow::Owned(first);
        }
        serde_json::to_string(&MultiLine {
            line: Some(line),
            event: o.event.as_deref(),
            ticket: None,
            at,
            status: o.status,
            duplicate_items: &o.duplicate_items,
            tickets,
        })
    } else {
        let empty = TicketOutcome::default();
        let rec = o.tickets.first().unwrap_or(&empty);
        let ticket = o
            .tickets
            .first()
            .map(|t| t.ticket.as_str())
            .or(o.ticket_hint.as_deref());
        let mut warnings = o.warnings.clone();
        warnings.extend(rec.warnings.iter().cloned());
        serde_json::to_string(&SingleLine {
            line: Some(line),
            event: o.event.as_deref(),
            ticket,
            at,
            status: o.status,
            duplicate_items: &o.duplicate_items,
            redactions: rec.redactions,
            fired: &rec.fired,
            changes: rec.changes.iter().map(ChangeJson::from).collect(),
            messages: rec.messages.iter().map(MessageJson::from).collect(),
            notices: &rec.notices,
            warnings: &warnings,
            explain: traces(explain, &rec.explain),
            error: o.error.as_deref(),
        })
    };
    s.unwrap_or_else(|e| format!("{{\"line\":{line},\"error\":\"cannot serialize: {e}\"}}"))
}

/// The JSON line for an automation run (events.md: `"event":"automation-run"`).
pub fn run_json(run: &AutomationRun) -> String {
    run_json_with(run, false)
}

/// [`run_json`] with explain traces when `explain` is set.
pub fn run_json_with(run: &AutomationRun, explain: bool) -> String {
    serde_json::to_string(&MultiLine {
        line: None,
        event: Some("automation-run"),
        ticket: None,
        at: Some(run.at.to_string()),
        status: LineStatus::Ok,
        duplicate_items: &[],
        tickets: run
            .tickets
            .iter()
            .map(|t| RecordJson::new(t, explain))
            .collect(),
    })
    .unwrap_or_default()
}

/// Writes one output line: scrubbed of card numbers (last line of defence), then `\n`.
pub fn write_line<W: Write>(out: &mut W, line: &str) -> io::Result<()> {
    out.write_all(redact::scrub(line).as_bytes())?;
    out.write_all(b"\n")
}

/// Scrubs one value before it is laid out: in pretty text, neighbouring words could
/// join a card number into a longer run (R1) or precede it with `+` (R5).
fn sc(s: &str) -> Cow<'_, str> {
    redact::scrub(s)
}

fn minute(t: Timestamp) -> String {
    crate::guards::format_utc_minute(t)
}

/// Counts for the pretty summary.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    /// Input lines (non-blank).
    pub events: usize,
    /// Lines applied.
    pub ok: usize,
    /// Lines rejected.
    pub rejected: usize,
    /// Duplicate lines.
    pub duplicates: usize,
    /// Automation runs that updated a ticket.
    pub runs: usize,
    /// Tickets updated by those runs (counted per run).
    pub automation_updates: usize,
    /// Card numbers redacted.
    pub redactions: usize,
    /// Outbound items by delivery.
    pub delivered: usize,
    /// Outbound items blocked, by reason.
    pub blocked: BTreeMap<String, usize>,
    /// Outbound items failed, by reason.
    pub failed: BTreeMap<String, usize>,
    /// Skipped e-mails.
    pub skipped: usize,
    /// Recorded notes and webhooks.
    pub recorded: usize,
    /// Rule firings by rule id.
    pub fired: BTreeMap<String, usize>,
}

impl Summary {
    /// Counts an input line's outcome.
    pub fn add_event(&mut self, o: &EventOutcome) {
        self.events += 1;
        match o.status {
            LineStatus::Ok => self.ok += 1,
            LineStatus::Rejected => self.rejected += 1,
            LineStatus::Duplicate => self.duplicates += 1,
        }
        o.tickets.iter().for_each(|t| self.add_record(t));
    }

    /// Counts an automation run.
    pub fn add_run(&mut self, r: &AutomationRun) {
        self.runs += 1;
        self.automation_updates += r.tickets.len();
        r.tickets.iter().for_each(|t| self.add_record(t));
    }

    fn add_record(&mut self, t: &TicketOutcome) {
        self.redactions += t.redactions;
        for f in &t.fired {
            *self.fired.entry(f.clone()).or_default() += 1;
        }
        for m in &t.messages {
            let reason = m.reason.map_or_else(String::new, |r| r.code().to_string());
            match m.delivery {
                Delivery::Delivered => self.delivered += 1,
                Delivery::Blocked => *self.blocked.entry(reason).or_default() += 1,
                Delivery::Failed => *self.failed.entry(reason).or_default() += 1,
                Delivery::Skipped => self.skipped += 1,
                Delivery::Recorded => self.recorded += 1,
            }
        }
    }

    /// The closing summary in words.
    pub fn pretty(&self) -> String {
        let mut s = String::new();
        s.push_str("── Summary ──────────────────────────────────────────\n");
        s.push_str(&format!(
            "events      {} lines: {} applied, {} rejected, {} duplicate\n",
            self.events, self.ok, self.rejected, self.duplicates
        ));
        s.push_str(&format!(
            "automations {} hourly runs updated {} tickets\n",
            self.runs, self.automation_updates
        ));
        let blocked: usize = self.blocked.values().sum();
        let failed: usize = self.failed.values().sum();
        s.push_str(&format!(
            "messages    {} delivered, {} blocked, {} failed, {} skipped, {} recorded\n",
            self.delivered, blocked, failed, self.skipped, self.recorded
        ));
        for (r, n) in &self.blocked {
            s.push_str(&format!(
                "            blocked {n} × {} ({r})\n",
                reason_words(r)
            ));
        }
        for (r, n) in &self.failed {
            s.push_str(&format!(
                "            failed  {n} × {} ({r})\n",
                reason_words(r)
            ));
        }
        s.push_str(&format!(
            "redactions  {} card numbers masked\n",
            self.redactions
        ));
        if !self.fired.is_empty() {
            s.push_str("rules fired\n");
            for (r, n) in &self.fired {
                s.push_str(&format!("  {n:>4} × {r}\n"));
            }
        }
        s
    }
}

/// A reason code in words, for people.
pub fn reason_words(code: &str) -> &'static str {
    match code {
        "outside_24h_window" => "outside the WhatsApp 24-hour window",
        "templates_require_license" => "templates need the conversations license",
        "template_not_approved" => "template not in the approved registry",
        "automation_template_unsupported" => "automations cannot send templates",
        "not_opted_in" => "requester has not opted in",
        "template_not_supported_on_channel" => "templates only work on WhatsApp",
        "platform_error" => "WhatsApp reported an error",
        "no_public_comment" => "no public comment reached the requester",
        "reply_not_delivered" => "the reply it belongs to was not delivered",
        "no_assignee" => "the ticket has no assignee",
        _ => "see the reason code",
    }
}

fn explain_pretty(s: &mut String, t: &TicketOutcome, indent: &str) {
    if t.explain.is_empty() {
        return;
    }
    s.push_str(&format!("{indent}explain\n"));
    let mut pass = 0;
    for r in &t.explain {
        if r.pass != pass && r.pass > 0 {
            pass = r.pass;
            let why = if pass == 1 {
                "triggers, in file order"
            } else {
                "restart after a firing (S4)"
            };
            s.push_str(&format!("{indent}  pass {pass}: {why}\n"));
        }
        let mark = if r.matched { "✓" } else { "✗" };
        s.push_str(&format!("{indent}  {mark} {}\n", sc(&r.rule)));
        let has_any = r.conditions.iter().any(|c| c.any);
        for (block, any) in [("when all", false), ("when any (one must hold)", true)] {
            if has_any {
                if !r.conditions.iter().any(|c| c.any == any) {
                    continue;
                }
                s.push_str(&format!("{indent}      {block}\n"));
            }
            let pad = if has_any { "  " } else { "" };
            for c in r.conditions.iter().filter(|c| c.any == any) {
                let mark = if c.value { "✓" } else { "✗" };
                s.push_str(&format!(
                    "{indent}      {pad}{mark} {:<44} actual: {}\n",
                    sc(&c.text),
                    sc(&c.actual)
                ));
            }
        }
    }
}

fn record_pretty(s: &mut String, t: &TicketOutcome, indent: &str) {
    if !t.fired.is_empty() {
        s.push_str(&format!("{indent}fired    {}\n", sc(&t.fired.join(", "))));
    }
    if t.redactions > 0 {
        s.push_str(&format!(
            "{indent}redacted {} card number(s)\n",
            t.redactions
        ));
    }
    for c in &t.changes {
        match c {
            Change::Field { field, from, to } => {
                let v = |v: &Option<serde_json::Value>| match v {
                    None => "—".to_string(),
                    Some(serde_json::Value::String(s)) => sc(s).into_owned(),
                    Some(v) => sc(&v.to_string()).into_owned(),
                };
                s.push_str(&format!(
                    "{indent}change   {field}: {} → {}\n",
                    v(from),
                    v(to)
                ));
            }
            Change::Tags { added, removed } => {
                let mut parts: Vec<String> = added.iter().map(|t| format!("+{}", sc(t))).collect();
                parts.extend(removed.iter().map(|t| format!("-{}", sc(t))));
                s.push_str(&format!("{indent}change   tags {}\n", parts.join(" ")));
            }
        }
    }
    for m in &t.messages {
        let kind = match m.kind {
            MessageKind::Text => "message",
            MessageKind::Template => "template",
            MessageKind::Note => "note",
            MessageKind::Email => "email",
            MessageKind::Webhook => "webhook",
        };
        let verdict = match m.delivery {
            Delivery::Delivered => "delivered".to_string(),
            Delivery::Recorded => "recorded".to_string(),
            d => {
                let word = match d {
                    Delivery::Blocked => "BLOCKED",
                    Delivery::Failed => "FAILED",
                    _ => "skipped",
                };
                let r = m.reason.map_or("", DeliveryReason::code);
                let mut v = format!("{word}: {}", reason_words(r));
                if let Some(c) = m.window_closed_at {
                    v.push_str(&format!(" (closed {})", minute(c)));
                }
                if let Some(c) = m.error_code {
                    v.push_str(&format!(" (error {c})"));
                }
                v
            }
        };
        s.push_str(&format!(
            "{indent}{kind:<8} {} from {} — {verdict}\n",
            sc(&m.id),
            sc(&m.source)
        ));
    }
    for n in &t.notices {
        s.push_str(&format!("{indent}notice   {}\n", sc(n)));
    }
    for w in &t.warnings {
        s.push_str(&format!("{indent}warning  {}\n", sc(w)));
    }
    explain_pretty(s, t, indent);
}

/// The pretty block for an input line.
pub fn event_pretty(line: usize, o: &EventOutcome) -> String {
    let status = match o.status {
        LineStatus::Ok => "ok",
        LineStatus::Rejected => "REJECTED",
        LineStatus::Duplicate => "duplicate",
    };
    let ticket = match o.tickets.len() {
        0 => o
            .ticket_hint
            .as_deref()
            .map_or("—".into(), |t| sc(t).into_owned()),
        1 => sc(&o.tickets[0].ticket).into_owned(),
        n => format!("{n} tickets"),
    };
    let at = o.at.map(minute).unwrap_or_else(|| "—".into());
    let mut s = format!(
        "line {line:<4} {ticket:<14} {at}  {}  {status}\n",
        sc(o.event.as_deref().unwrap_or("—"))
    );
    if let Some(e) = &o.error {
        s.push_str(&format!("    error    {}\n", sc(e)));
    }
    for w in &o.warnings {
        s.push_str(&format!("    warning  {}\n", sc(w)));
    }
    if !o.duplicate_items.is_empty() {
        s.push_str(&format!(
            "    duplicate {} (applied before; not applied again)\n",
            sc(&o.duplicate_items.join(", "))
        ));
    }
    if o.tickets.len() > 1 {
        for t in &o.tickets {
            s.push_str(&format!("  {}\n", sc(&t.ticket)));
            record_pretty(&mut s, t, "    ");
        }
    } else if let Some(t) = o.tickets.first() {
        record_pretty(&mut s, t, "    ");
    }
    s
}

/// The pretty block for an automation run.
pub fn run_pretty(r: &AutomationRun) -> String {
    let mut s = format!("automation run {}\n", minute(r.at));
    for t in &r.tickets {
        s.push_str(&format!("  {}\n", sc(&t.ticket)));
        record_pretty(&mut s, t, "    ");
    }
    s
}
