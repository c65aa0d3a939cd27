//! The HTTP routes of `serve` (docs/http-api.md). Handlers decode with
//! [`super::decode`], ask the engine thread, and answer JSON; every error is
//! `{"error": "what and where"}` with a 4xx or 5xx status, scrubbed of card numbers.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::value::RawValue;
use sha2::Sha256;

use super::decode::{self, RequestError};
use super::{load_rules, log, Command, Live, ServeError, Shared};
use crate::check::{check, Checked};
use crate::diagnostic::render;
use crate::engine::EventOutcome;
use crate::io::output::event_json;
use crate::redact::{redact, scrub, RedactOptions};

type St = State<Arc<Shared>>;

const JSON: &str = "application/json";

/// A JSON response with `status`.
fn json(status: StatusCode, body: String) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
    r
}

/// `{"error": message}` (scrubbed) with `status`; logged as a warning.
fn error(status: StatusCode, message: &str) -> Response {
    let message = scrub(message);
    log::warn(&format!("{} {}", status.as_u16(), message));
    let body = serde_json::json!({ "error": message }).to_string();
    json(status, body)
}

fn bad_request(e: RequestError) -> Response {
    error(StatusCode::BAD_REQUEST, &e.0)
}

fn unavailable(e: ServeError) -> Response {
    match e {
        ServeError::Db(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("{e}; nothing of this request was applied"),
        ),
        e => error(StatusCode::SERVICE_UNAVAILABLE, &e.to_string()),
    }
}

/// The body bytes, or 413 (over the limit) / 400 with a JSON error. (The error is the
/// response itself, which handlers return as is.)
#[allow(clippy::result_large_err)]
fn body_or_error(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<Bytes, Response> {
    body.map_err(|rej| {
        let status = rej.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            error(
                status,
                &format!("body: larger than the limit of {limit} bytes; send smaller batches"),
            )
        } else {
            error(
                status,
                &format!("body: cannot be read: {}", rej.body_text()),
            )
        }
    })
}

/// A JSON array of already-serialized objects.
fn array(lines: &[String]) -> String {
    let mut s = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum::<usize>() + 2);
    s.push('[');
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(l);
    }
    s.push(']');
    s
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let v = v.trim().to_ascii_lowercase();
            v.starts_with("application/json") || v.contains("+json")
        })
}

/// Compares two secrets in time that does not depend on where they differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(super) fn router(shared: Arc<Shared>) -> Router {
    let limit = shared.options.body_limit;
    let v1 = Router::new()
        .route("/v1/events", post(events))
        .route("/v1/tickets", get(ticket_list))
        .route("/v1/tickets/{*path}", get(ticket_or_audit))
        .route("/v1/audit", get(audit_log))
        .route("/v1/check", post(check_rules))
        .route("/v1/redact", post(redact_text))
        .route("/v1/rules/reload", post(reload))
        .route("/v1/clock", post(clock))
        .route_layer(middleware::from_fn_with_state(Arc::clone(&shared), auth));
    Router::new()
        .merge(v1)
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/webhooks/whatsapp", post(webhook).get(handshake))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(Arc::clone(&shared), observe))
        .with_state(shared)
}

/// The fixed route names of the metrics (bounded label values).
fn route_name(path: &str) -> &'static str {
    match path {
        "/v1/events" => "/v1/events",
        "/v1/tickets" => "/v1/tickets",
        "/v1/audit" => "/v1/audit",
        "/v1/check" => "/v1/check",
        "/v1/redact" => "/v1/redact",
        "/v1/rules/reload" => "/v1/rules/reload",
        "/v1/clock" => "/v1/clock",
        "/healthz" => "/healthz",
        "/metrics" => "/metrics",
        "/webhooks/whatsapp" => "/webhooks/whatsapp",
        p if p.starts_with("/v1/tickets/") => "/v1/tickets/{id}",
        _ => "other",
    }
}

/// The longest request target (path and query, in bytes) the sidecar reads; a longer one
/// is answered `414` with a JSON error before routing. (Requests that break HTTP/1.1
/// framing, or a target over the HTTP library's own 64 KiB parse limit, are answered by
/// that library with an empty-bodied 400, 414 or 431 before any route sees them.)
pub const MAX_URI_BYTES: usize = 8 * 1024;

async fn observe(State(shared): St, req: Request, next: Next) -> Response {
    let route = route_name(req.uri().path());
    let start = Instant::now();
    let target = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    let res = if target > MAX_URI_BYTES {
        error(
            StatusCode::URI_TOO_LONG,
            &format!("request target: {target} bytes, at most {MAX_URI_BYTES} are read"),
        )
    } else {
        next.run(req).await
    };
    shared
        .metrics
        .request(route, res.status().as_u16(), start.elapsed());
    res
}

async fn auth(State(shared): St, req: Request, next: Next) -> Response {
    if let Some(token) = &shared.options.token {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let ok = given.is_some_and(|g| same_secret(g.as_bytes(), token.as_bytes()));
        if !ok {
            let mut r = error(
                StatusCode::UNAUTHORIZED,
                "missing or wrong bearer token: send `Authorization: Bearer TOKEN` (the --token of serve)",
            );
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return r;
        }
    }
    next.run(req).await
}

async fn not_found(method: Method, uri: Uri) -> Response {
    error(
        StatusCode::NOT_FOUND,
        &format!("no route {method} {}", uri.path()),
    )
}

async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("{} does not take {method}", uri.path()),
    )
}

async fn events(State(shared): St, body: Result<Bytes, BytesRejection>) -> Response {
    let body = match body_or_error(body, shared.options.body_limit) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let events = match decode::decode_events(&body) {
        Ok(e) => e,
        Err(e) => return bad_request(e),
    };
    apply(&shared, events).await
}

async fn apply(shared: &Shared, events: Vec<crate::model::Event>) -> Response {
    match shared.ask(|tx| Command::Events(events, tx)).await {
        Ok(Ok(answer)) => {
            let mut r = json(StatusCode::OK, array(&answer.lines));
            r.headers_mut()
                .insert("x-replayed", HeaderValue::from(answer.replayed));
            r
        }
        Ok(Err(e)) | Err(e) => unavailable(e),
    }
}

async fn webhook(
    State(shared): St,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body_or_error(body, shared.options.body_limit) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let live = shared.live();
    let Some(secret) = live.account.whatsapp.app_secret.as_deref() else {
        return error(
            StatusCode::UNAUTHORIZED,
            "webhook signature cannot be verified: the account has no whatsapp.app_secret",
        );
    };
    let given = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().strip_prefix("sha256="))
        .and_then(|h| hex::decode(h).ok());
    let Some(given) = given else {
        return error(
            StatusCode::UNAUTHORIZED,
            "missing or malformed X-Hub-Signature-256 header (expected sha256=HEX)",
        );
    };
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return error(StatusCode::INTERNAL_SERVER_ERROR, "unusable app secret"),
    };
    mac.update(&body);
    if mac.verify_slice(&given).is_err() {
        return error(
            StatusCode::UNAUTHORIZED,
            "X-Hub-Signature-256 does not match the body (HMAC-SHA256 with whatsapp.app_secret)",
        );
    }
    match decode::decode_webhook_body(&body) {
        Err(e) => bad_request(e),
        Ok(Ok(event)) => apply(&shared, vec![event]).await,
        Ok(Err(reason)) => {
            // Signed but nothing usable (a reaction, an account update): answered 200 so
            // WhatsApp does not retry it; nothing is applied.
            let o = EventOutcome::rejected(None, None, None, reason);
            json(
                StatusCode::OK,
                array(&[scrub(&event_json(1, &o)).into_owned()]),
            )
        }
    }
}

async fn handshake(
    State(shared): St,
    q: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let Ok(Query(q)) = q else {
        return error(StatusCode::BAD_REQUEST, "query: cannot be decoded");
    };
    let live = shared.live();
    let mode = q.get("hub.mode").map(String::as_str);
    let token = q.get("hub.verify_token").map(String::as_str);
    let expected = live.account.whatsapp.verify_token.as_deref();
    let ok = mode == Some("subscribe")
        && matches!((token, expected), (Some(t), Some(e)) if same_secret(t.as_bytes(), e.as_bytes()));
    if !ok {
        return error(
            StatusCode::FORBIDDEN,
            "webhook verification refused: hub.mode must be `subscribe` and hub.verify_token the account's whatsapp.verify_token",
        );
    }
    let challenge = q.get("hub.challenge").cloned().unwrap_or_default();
    let mut r = Response::new(Body::from(challenge));
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    r
}

#[derive(serde::Deserialize)]
struct AtQuery {
    at: Option<String>,
}

async fn ticket_list(State(shared): St) -> Response {
    match shared.ask(Command::TicketIds).await {
        Ok(ids) => json(
            StatusCode::OK,
            scrub(&serde_json::json!({ "tickets": ids }).to_string()).into_owned(),
        ),
        Err(e) => unavailable(e),
    }
}

/// `/v1/tickets/{id}` and `/v1/tickets/{id}/audit`; ids may hold `/` (follow-ups
/// `T-1/2`), written as is or percent-encoded.
/// What a `/v1/tickets/…` path asks for: a ticket, or a ticket's audit.
#[derive(Debug, PartialEq)]
enum TicketPath {
    Ticket(String),
    Audit(String),
}

/// Reads the raw (still percent-encoded) path after `/v1/tickets/`: a last segment that
/// is literally `audit` asks for the audit of the id before it; every other `/` belongs
/// to the id (follow-up ids such as `T-1/2`). An id that itself ends in `/audit` is
/// reached with its slash encoded (`T-1%2Faudit`). Each part is percent-decoded and must
/// be UTF-8.
fn ticket_path(raw: &str) -> Result<TicketPath, RequestError> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .map(|c| c.into_owned())
            .map_err(|_| {
                RequestError("path: the ticket id is not UTF-8 once percent-decoded".into())
            })
    };
    match raw.strip_suffix("/audit") {
        Some(id) if !id.is_empty() => Ok(TicketPath::Audit(decode(id)?)),
        _ => Ok(TicketPath::Ticket(decode(raw)?)),
    }
}

async fn ticket_or_audit(
    State(shared): St,
    uri: Uri,
    q: Result<Query<AtQuery>, QueryRejection>,
) -> Response {
    let raw = uri.path().strip_prefix("/v1/tickets/").unwrap_or_default();
    let id = match ticket_path(raw) {
        Ok(TicketPath::Ticket(id)) => id,
        Ok(TicketPath::Audit(id)) => {
            return match shared.ask(|tx| Command::Audit(id.clone(), tx)).await {
                Ok(Ok(Some(entries))) => audit_json(Some(&id), &entries, None),
                Ok(Ok(None)) => error(StatusCode::NOT_FOUND, &format!("no ticket `{id}`")),
                Ok(Err(e)) => unavailable(ServeError::Db(e)),
                Err(e) => unavailable(e),
            };
        }
        Err(e) => return bad_request(e),
    };
    let Ok(Query(q)) = q else {
        return error(StatusCode::BAD_REQUEST, "query: cannot be decoded");
    };
    let at = match decode::decode_at_param(q.at.as_deref()) {
        Ok(a) => a,
        Err(e) => return bad_request(e),
    };
    let view = match shared.ask(|tx| Command::Ticket(id.clone(), at, tx)).await {
        Ok(v) => v,
        Err(e) => return unavailable(e),
    };
    match view {
        Some(v) => match serde_json::to_string(&v) {
            Ok(s) => json(StatusCode::OK, scrub(&s).into_owned()),
            Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        },
        None => error(StatusCode::NOT_FOUND, &format!("no ticket `{id}`")),
    }
}

#[derive(Serialize)]
struct AuditOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    ticket: Option<&'a str>,
    entries: Vec<EntryOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_after: Option<i64>,
}

#[derive(Serialize)]
struct EntryOut<'a> {
    seq: i64,
    outcome: &'a RawValue,
}

fn audit_json(
    ticket: Option<&str>,
    entries: &[super::db::AuditEntry],
    next: Option<i64>,
) -> Response {
    // An entry that is not valid JSON (a damaged row) keeps its place and its `seq`:
    // its outcome becomes an object saying so.
    let raws: Vec<Box<RawValue>> = entries
        .iter()
        .map(|e| {
            RawValue::from_string(e.json.clone()).unwrap_or_else(|_| {
                let note = serde_json::json!({ "error": "stored outcome is not valid JSON" });
                RawValue::from_string(note.to_string()).unwrap_or_default()
            })
        })
        .collect();
    let out = AuditOut {
        ticket,
        entries: entries
            .iter()
            .zip(&raws)
            .map(|(e, r)| EntryOut {
                seq: e.seq,
                outcome: r,
            })
            .collect(),
        next_after: next,
    };
    match serde_json::to_string(&out) {
        Ok(s) => json(StatusCode::OK, scrub(&s).into_owned()),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

#[derive(serde::Deserialize)]
struct PageQuery {
    after: Option<i64>,
    limit: Option<i64>,
}

async fn audit_log(State(shared): St, q: Result<Query<PageQuery>, QueryRejection>) -> Response {
    let Ok(Query(q)) = q else {
        return error(
            StatusCode::BAD_REQUEST,
            "query: `after` and `limit` must be whole numbers",
        );
    };
    let after = q.after.unwrap_or(0);
    let limit = q.limit.unwrap_or(1000).clamp(1, 10_000);
    match shared.ask(|tx| Command::AuditPage(after, limit, tx)).await {
        Ok(Ok(entries)) => {
            let next = (entries.len() as i64 == limit)
                .then(|| entries.last().map(|e| e.seq))
                .flatten();
            audit_json(None, &entries, next)
        }
        Ok(Err(e)) => unavailable(ServeError::Db(e)),
        Err(e) => unavailable(e),
    }
}

/// The findings of a check as `check --format json` objects, in one JSON array.
fn diagnostics_array(checked: &Checked) -> String {
    let mut lines = Vec::new();
    for fd in &checked.diagnostics {
        let text = render::json_lines(
            std::slice::from_ref(&fd.diagnostic),
            &checked.files[fd.file],
        );
        lines.extend(text.lines().map(str::to_string));
    }
    scrub(&array(&lines)).into_owned()
}

async fn check_rules(
    State(shared): St,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body_or_error(body, shared.options.body_limit) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let sources = match decode::decode_check(&body, is_json(&headers)) {
        Ok(s) => s,
        Err(e) => return bad_request(e),
    };
    let account = shared.live().account.clone();
    let checked = tokio::task::spawn_blocking(move || check(&sources, Some(&account))).await;
    match checked {
        Ok(c) => json(StatusCode::OK, diagnostics_array(&c)),
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "the check failed"),
    }
}

async fn redact_text(State(shared): St, body: Result<Bytes, BytesRejection>) -> Response {
    let body = match body_or_error(body, shared.options.body_limit) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let text = match decode::decode_redact(&body) {
        Ok(t) => t,
        Err(e) => return bad_request(e),
    };
    let r = redact(&text, &RedactOptions::default());
    json(
        StatusCode::OK,
        serde_json::json!({ "text": r.text, "redactions": r.count }).to_string(),
    )
}

async fn reload(
    State(shared): St,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body_or_error(body, shared.options.body_limit) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let sources = match decode::decode_reload(&body, is_json(&headers)) {
        Ok(s) => s,
        Err(e) => return bad_request(e),
    };
    // One reload at a time, so two reloads cannot swap in the wrong order.
    let _guard = shared.reload_lock.lock().await;
    let options = shared.options.clone();
    let loaded = tokio::task::spawn_blocking(move || load_rules(&options, sources)).await;
    let (rules, checked, account) = match loaded {
        Ok(Ok(x)) => x,
        Ok(Err(ServeError::Rules(checked))) => {
            let body = format!(
                "{{\"error\":\"the rules have errors; the previous rule set stays in use\",\"diagnostics\":{}}}",
                diagnostics_array(&checked)
            );
            log::warn("rule reload refused: the rules have errors; the previous rule set stays");
            return json(StatusCode::UNPROCESSABLE_ENTITY, body);
        }
        Ok(Err(e)) => {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("{e}; the previous rule set stays in use"),
            )
        }
        Err(_) => return error(StatusCode::INTERNAL_SERVER_ERROR, "the reload failed"),
    };
    let (triggers, automations, redactions) = rules.counts();
    let rules = Arc::new(rules);
    if let Err(e) = shared.ask(|tx| Command::SetRules(rules, tx)).await {
        return unavailable(e);
    }
    shared.set_live(Live { account });
    log::info(&format!(
        "rules reloaded: {triggers} triggers, {automations} automations, {redactions} redaction rules"
    ));
    json(
        StatusCode::OK,
        format!(
            "{{\"reloaded\":true,\"triggers\":{triggers},\"automations\":{automations},\"redactions\":{redactions},\"diagnostics\":{}}}",
            diagnostics_array(&checked)
        ),
    )
}

async fn clock(State(shared): St, body: Result<Bytes, BytesRejection>) -> Response {
    let body = match body_or_error(body, shared.options.body_limit) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let at = match decode::decode_clock(&body) {
        Ok(a) => a,
        Err(e) => return bad_request(e),
    };
    match shared.ask(|tx| Command::Advance(at, tx)).await {
        Ok(Ok(lines)) => json(StatusCode::OK, array(&lines)),
        Ok(Err(e)) | Err(e) => unavailable(e),
    }
}

async fn healthz(State(shared): St) -> Response {
    match shared.ask(Command::Ping).await {
        Ok(Ok(())) => json(StatusCode::OK, "{\"status\":\"ok\"}".into()),
        Ok(Err(e)) => error(StatusCode::SERVICE_UNAVAILABLE, &e.to_string()),
        Err(e) => unavailable(e),
    }
}

async fn metrics(State(shared): St) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4"),
        )],
        shared.metrics.render(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"abcd"));
    }

    #[test]
    fn ticket_paths_split_on_a_raw_audit_segment_only() {
        let t = |s: &str| ticket_path(s).unwrap();
        assert_eq!(t("T-1"), TicketPath::Ticket("T-1".into()));
        assert_eq!(t("T-1/2"), TicketPath::Ticket("T-1/2".into()));
        assert_eq!(t("T-1/audit"), TicketPath::Audit("T-1".into()));
        assert_eq!(t("T-1%2Faudit"), TicketPath::Ticket("T-1/audit".into()));
        assert_eq!(
            t("T-1%2Faudit/audit"),
            TicketPath::Audit("T-1/audit".into())
        );
        assert_eq!(t("/audit"), TicketPath::Ticket("/audit".into()));
        assert!(ticket_path("%FF").is_err());
    }

    #[test]
    fn route_names_are_bounded() {
        assert_eq!(route_name("/v1/tickets/T-1/audit"), "/v1/tickets/{id}");
        assert_eq!(route_name("/random/4111111111111111"), "other");
    }
}
