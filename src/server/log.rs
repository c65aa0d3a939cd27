//! Logging for `serve`: one line per message on stderr, `TIME LEVEL message`, every line
//! passed through the card scanner first ([`crate::redact::scrub`]) — no card number in
//! clear in any log line, whatever a request held (events.md).

use std::io::Write;

/// The text of a log line: UTC time to the millisecond, the level, the scrubbed message
/// with line breaks folded to spaces (one message, one line).
pub fn format_line(level: &str, message: &str) -> String {
    let now = jiff::Timestamp::now()
        .round(jiff::Unit::Millisecond)
        .unwrap_or(jiff::Timestamp::now());
    let one_line: String = message
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    format!("{now} {level} {}", crate::redact::scrub(&one_line))
}

fn write(level: &str, message: &str) {
    let line = format_line(level, message);
    let stderr = std::io::stderr();
    let mut h = stderr.lock();
    let _ = writeln!(h, "{line}");
}

/// Logs an informational message (start, reload, automation ticks).
pub fn info(message: &str) {
    write("INFO", message);
}

/// Logs a refused request or a recoverable problem.
pub fn warn(message: &str) {
    write("WARN", message);
}

/// Logs a failure (a database error).
pub fn error(message: &str) {
    write("ERROR", message);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_never_hold_a_card_number() {
        let line = format_line("WARN", "bad event:\n card 4111 1111 1111 1111");
        assert!(!line.contains("1111 1111 1111"), "{line}");
        assert!(!line.contains('\n'));
        assert!(line.contains(" WARN bad event:  card 4111 11"), "{line}");
    }
}
