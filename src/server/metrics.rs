//! Counters and latency histograms for `GET /metrics`, in the Prometheus text format
//! (version 0.0.4). Label values are scrubbed of card numbers and escaped.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use crate::engine::{AutomationRun, Delivery, EventOutcome, LineStatus, TicketOutcome};

/// Upper bounds of the latency buckets, in seconds.
pub const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, secs: f64) {
        if self.counts.is_empty() {
            self.counts = vec![0; LATENCY_BUCKETS.len()];
        }
        for (i, b) in LATENCY_BUCKETS.iter().enumerate() {
            if secs <= *b {
                self.counts[i] += 1;
            }
        }
        self.sum += secs;
        self.count += 1;
    }
}

/// What one request or automation tick did, counted before it is added to [`Metrics`]
/// (added only once its transaction committed).
#[derive(Debug, Default, Clone)]
pub struct Tally {
    events: BTreeMap<&'static str, u64>,
    fired: BTreeMap<String, u64>,
    deliveries: BTreeMap<(&'static str, String), u64>,
    runs: u64,
}

impl Tally {
    /// Counts an event outcome computed by the engine.
    pub fn event(&mut self, o: &EventOutcome) {
        let status = match o.status {
            LineStatus::Ok => "ok",
            LineStatus::Rejected => "rejected",
            LineStatus::Duplicate => "duplicate",
        };
        *self.events.entry(status).or_default() += 1;
        o.tickets.iter().for_each(|t| self.record(t));
    }

    /// Counts an event answered from its stored outcome (an idempotent retry).
    pub fn replayed(&mut self) {
        *self.events.entry("replayed").or_default() += 1;
    }

    /// Counts an automation run.
    pub fn run(&mut self, r: &AutomationRun) {
        self.runs += 1;
        r.tickets.iter().for_each(|t| self.record(t));
    }

    fn record(&mut self, t: &TicketOutcome) {
        for f in &t.fired {
            *self.fired.entry(f.clone()).or_default() += 1;
        }
        for m in &t.messages {
            let d = match m.delivery {
                Delivery::Delivered => "delivered",
                Delivery::Blocked => "blocked",
                Delivery::Failed => "failed",
                Delivery::Skipped => "skipped",
                Delivery::Recorded => "recorded",
            };
            *self
                .deliveries
                .entry((
                    d,
                    m.reason.map_or_else(String::new, |r| r.code().to_string()),
                ))
                .or_default() += 1;
        }
    }
}

#[derive(Debug, Default)]
struct Inner {
    tally: Tally,
    requests: BTreeMap<(&'static str, u16), u64>,
    latency: BTreeMap<&'static str, Histogram>,
    tickets: usize,
}

/// The server's metrics. Cheap to update from any thread.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Metrics {
    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        let mut g = match self.inner.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        f(&mut g)
    }

    /// Adds a committed request's counts and the current number of tickets.
    pub fn add(&self, t: Tally, tickets: usize) {
        self.with(|m| {
            for (k, v) in t.events {
                *m.tally.events.entry(k).or_default() += v;
            }
            for (k, v) in t.fired {
                *m.tally.fired.entry(k).or_default() += v;
            }
            for (k, v) in t.deliveries {
                *m.tally.deliveries.entry(k).or_default() += v;
            }
            m.tally.runs += t.runs;
            m.tickets = tickets;
        })
    }

    /// Counts a finished HTTP request on `route` (a fixed route name) with its status
    /// and duration.
    pub fn request(&self, route: &'static str, status: u16, took: Duration) {
        self.with(|m| {
            *m.requests.entry((route, status)).or_default() += 1;
            m.latency
                .entry(route)
                .or_default()
                .observe(took.as_secs_f64());
        })
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        self.with(|m| {
            let mut s = String::new();
            s.push_str("# HELP ticket_rules_events_total Events by outcome status (replayed: answered from the stored outcome).\n");
            s.push_str("# TYPE ticket_rules_events_total counter\n");
            for st in ["ok", "rejected", "duplicate", "replayed"] {
                let v = m.tally.events.get(st).copied().unwrap_or(0);
                let _ = writeln!(s, "ticket_rules_events_total{{status=\"{st}\"}} {v}");
            }
            s.push_str("# HELP ticket_rules_rules_fired_total Rule firings by rule id.\n");
            s.push_str("# TYPE ticket_rules_rules_fired_total counter\n");
            for (r, v) in &m.tally.fired {
                let _ = writeln!(s, "ticket_rules_rules_fired_total{{rule=\"{}\"}} {v}", label(r));
            }
            s.push_str("# HELP ticket_rules_deliveries_total Outbound items by delivery and reason.\n");
            s.push_str("# TYPE ticket_rules_deliveries_total counter\n");
            for ((d, r), v) in &m.tally.deliveries {
                let _ = writeln!(
                    s,
                    "ticket_rules_deliveries_total{{delivery=\"{d}\",reason=\"{}\"}} {v}",
                    label(r)
                );
            }
            s.push_str("# HELP ticket_rules_automation_runs_total Hourly automation runs that updated a ticket.\n");
            s.push_str("# TYPE ticket_rules_automation_runs_total counter\n");
            let _ = writeln!(s, "ticket_rules_automation_runs_total {}", m.tally.runs);
            s.push_str("# HELP ticket_rules_tickets Tickets in the store.\n");
            s.push_str("# TYPE ticket_rules_tickets gauge\n");
            let _ = writeln!(s, "ticket_rules_tickets {}", m.tickets);
            s.push_str("# HELP ticket_rules_http_requests_total HTTP requests by route and status code.\n");
            s.push_str("# TYPE ticket_rules_http_requests_total counter\n");
            for ((r, c), v) in &m.requests {
                let _ = writeln!(
                    s,
                    "ticket_rules_http_requests_total{{route=\"{r}\",code=\"{c}\"}} {v}"
                );
            }
            s.push_str("# HELP ticket_rules_http_request_duration_seconds Time from request to response, by route.\n");
            s.push_str("# TYPE ticket_rules_http_request_duration_seconds histogram\n");
            for (r, h) in &m.latency {
                for (i, b) in LATENCY_BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        s,
                        "ticket_rules_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"{b}\"}} {}",
                        h.counts.get(i).copied().unwrap_or(0)
                    );
                }
                let _ = writeln!(
                    s,
                    "ticket_rules_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    s,
                    "ticket_rules_http_request_duration_seconds_sum{{route=\"{r}\"}} {}",
                    h.sum
                );
                let _ = writeln!(
                    s,
                    "ticket_rules_http_request_duration_seconds_count{{route=\"{r}\"}} {}",
                    h.count
                );
            }
            s
        })
    }
}

/// A label value: scrubbed, with `\`, `"` and line breaks escaped.
fn label(v: &str) -> String {
    let v = crate::redact::scrub(v);
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_scrubbed() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        assert!(!label("x 4111 1111 1111 1111").contains("1111 1111 1111"));
    }

    #[test]
    fn histogram_buckets_are_cumulative() {
        let m = Metrics::default();
        m.request("events", 200, Duration::from_micros(300));
        m.request("events", 200, Duration::from_millis(3));
        let text = m.render();
        assert!(text.contains(
            "ticket_rules_http_request_duration_seconds_bucket{route=\"events\",le=\"0.0005\"} 1"
        ));
        assert!(text.contains(
            "ticket_rules_http_request_duration_seconds_bucket{route=\"events\",le=\"0.005\"} 2"
        ));
        assert!(
            text.contains("ticket_rules_http_request_duration_seconds_count{route=\"events\"} 2")
        );
        assert!(text.contains("ticket_rules_http_requests_total{route=\"events\",code=\"200\"} 2"));
    }
}
