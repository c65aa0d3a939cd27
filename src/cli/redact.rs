//! `ticket-rules redact`: masks card numbers in stdin, line by line, to stdout
//! (redaction.md R1–R9; events.md command table).
//!
//! Exit status: 0; 1 if a jsonl line was unreadable (or stdin could not be read);
//! 2 for usage errors, including options refused by R7.

use std::borrow::Cow;
use std::io::{self, BufRead, BufWriter, Write};

use serde::{Deserialize, Serialize};
use ticket_rules::redact::{redact, scrub, RedactOptions, DEFAULT_MASK};

use super::EXIT_USAGE;

/// Input and output format of `redact`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Each line is redacted as it stands; line ends are kept as in the input.
    Text,
    /// Each non-blank line is `{"text": "…"}`; each output line is
    /// `{"text":"…","redactions":N}`.
    Jsonl,
}

/// Arguments of `redact` (R7–R9 options; defaults as redaction.md).
#[derive(clap::Args, Debug)]
pub struct RedactArgs {
    /// Input and output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Digits kept in clear at the start of a card number (R7).
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub keep_first: usize,
    /// Digits kept in clear at the end of a card number (R7); keep-first + keep-last
    /// may be at most 10.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub keep_last: usize,
    /// The character each masked digit becomes: exactly one character, not a digit (R7).
    #[arg(long, value_name = "C", default_value_t = DEFAULT_MASK, value_parser = parse_mask)]
    pub mask: char,
    /// Only mask a separated number whose digit groups fit its issuer (R9).
    #[arg(long)]
    pub groupings: bool,
    /// Leave numbers touching ASCII letters alone, except after cc/card/visa/amex and
    /// before ex… (R8).
    #[arg(long)]
    pub word_boundaries: bool,
}

/// `--mask` must be exactly one character.
fn parse_mask(s: &str) -> Result<char, String> {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(format!(
            "the mask must be exactly one character, got {} characters",
            s.chars().count()
        )),
    }
}

/// Runs `redact`; returns the exit status (0; 1 a jsonl line was unreadable; 2 usage).
pub fn run(args: RedactArgs) -> i32 {
    let opts = match RedactOptions::new(
        args.keep_first,
        args.keep_last,
        args.mask,
        args.groupings,
        args.word_boundaries,
    ) {
        Ok(opts) => opts,
        Err(e) => {
            let _ = writeln!(io::stderr(), "error: {e}");
            return EXIT_USAGE;
        }
    };
    let stdin = io::stdin();
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(256 * 1024, stdout.lock());
    let result = redact_stream(
        args.format,
        &opts,
        io::BufReader::with_capacity(256 * 1024, stdin.lock()),
        &mut out,
    );
    let result = result.and_then(|status| match out.flush() {
        Ok(()) => Ok(status),
        Err(e) => Err(StreamError::Write(e)),
    });
    match result {
        Ok(status) => status,
        Err(StreamError::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => {
            // The reader went away (`| head`): stop quietly.
            0
        }
        Err(StreamError::Write(e)) => {
            let _ = writeln!(io::stderr(), "error: cannot write the output: {e}");
            1
        }
        Err(StreamError::Read(e)) => {
            let _ = writeln!(io::stderr(), "error: cannot read the input: {e}");
            1
        }
    }
}

/// Why streaming stopped early.
#[derive(Debug)]
enum StreamError {
    Read(io::Error),
    Write(io::Error),
}

/// A jsonl input line. Other keys are ignored.
#[derive(Deserialize)]
#[serde(expecting = "an object with a string \"text\" field")]
struct InLine<'a> {
    #[serde(borrow)]
    text: Cow<'a, str>,
}

/// A jsonl output line.
#[derive(Serialize)]
struct OutLine<'a> {
    text: Option<&'a str>,
    redactions: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

/// Redacts `input` to `output` line by line; returns the exit status (0, or 1 when a
/// jsonl line was unreadable). Bad UTF-8 becomes U+FFFD before scanning.
fn redact_stream<R: io::Read, W: Write>(
    format: Format,
    opts: &RedactOptions,
    mut input: io::BufReader<R>,
    output: &mut W,
) -> Result<i32, StreamError> {
    let mut buf = Vec::with_capacity(8 * 1024);
    let mut json = Vec::with_capacity(8 * 1024);
    let mut line_no = 0usize;
    let mut status = 0;
    loop {
        buf.clear();
        // Before a read that may wait, hand over what is done: in a live pipeline each
        // line comes out as soon as it went in; from a file, output stays batched.
        if input.buffer().is_empty() {
            output.flush().map_err(StreamError::Write)?;
        }
        match input.read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => return Err(StreamError::Read(e)),
        }
        line_no += 1;
        let line = String::from_utf8_lossy(&buf);
        match format {
            Format::Text => {
                // Line ends pass through untouched: a newline ends every candidate and
                // `\r` is a separator, so the scanner never changes them.
                let r = redact(&line, opts);
                output
                    .write_all(r.text.as_bytes())
                    .map_err(StreamError::Write)?;
            }
            Format::Jsonl => {
                let mut content: &str = &line;
                if line_no == 1 {
                    content = content.strip_prefix('\u{feff}').unwrap_or(content);
                }
                if content.trim().is_empty() {
                    continue;
                }
                json.clear();
                let content = content.trim_end_matches(['\r', '\n']);
                // serde would also take `["…"]` for a struct: only objects are lines.
                let parsed = if content.trim_start().starts_with('{') {
                    serde_json::from_str::<InLine>(content).map_err(|e| describe(line_no, &e))
                } else {
                    Err(format!(
                        "line {line_no}: expected an object with a string \"text\" field"
                    ))
                };
                match parsed {
                    Ok(InLine { text }) => {
                        let r = redact(&text, opts);
                        let out = OutLine {
                            text: Some(&*r.text),
                            redactions: r.count,
                            error: None,
                        };
                        write_json(&mut json, &out);
                    }
                    Err(message) => {
                        status = 1;
                        let message = scrub(&message);
                        let out = OutLine {
                            text: None,
                            redactions: 0,
                            error: Some(&*message),
                        };
                        write_json(&mut json, &out);
                    }
                }
                json.push(b'\n');
                output.write_all(&json).map_err(StreamError::Write)?;
            }
        }
    }
    Ok(status)
}

/// Serializes into a byte buffer (cannot fail for these plain structs).
fn write_json(buf: &mut Vec<u8>, value: &OutLine<'_>) {
    if serde_json::to_writer(&mut *buf, value).is_err() {
        buf.clear();
        buf.extend_from_slice(
            br#"{"text":null,"redactions":0,"error":"internal: unserializable line"}"#,
        );
    }
}

/// `line N: <what was wrong> at column C` (the JSON's own "line 1" is dropped: each
/// input line is parsed alone). The caller scrubs it: serde can quote the input.
fn describe(line_no: usize, e: &serde_json::Error) -> String {
    let full = e.to_string();
    let what = full
        .rfind(" at line ")
        .map_or(full.as_str(), |p| &full[..p]);
    let kind = match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            "not valid JSON: "
        }
        serde_json::error::Category::Data | serde_json::error::Category::Io => "",
    };
    if e.column() > 0 {
        format!("line {line_no}: {kind}{what} at column {}", e.column())
    } else {
        format!("line {line_no}: {kind}{what}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(format: Format, input: &[u8]) -> (i32, String) {
        let mut out = Vec::new();
        let status = redact_stream(
            format,
            &RedactOptions::default(),
            io::BufReader::new(input),
            &mut out,
        )
        .unwrap();
        (status, String::from_utf8(out).unwrap())
    }

    #[test]
    fn text_mode_keeps_line_ends() {
        let (status, out) = stream(
            Format::Text,
            b"a 4111111111111111\r\nb\n\nc 5555555555554444",
        );
        assert_eq!(status, 0);
        assert_eq!(out, "a 411111▇▇▇▇▇▇1111\r\nb\n\nc 555555▇▇▇▇▇▇4444");
    }

    #[test]
    fn jsonl_error_message_is_scrubbed() {
        let (status, out) = stream(Format::Jsonl, b"{\"text\": 4111111111111111}\n");
        assert_eq!(status, 1);
        assert!(!out.contains("4111111111111111"), "{out}");
        assert!(out.contains("411111▇▇▇▇▇▇1111"), "{out}");
        assert!(
            out.starts_with(r#"{"text":null,"redactions":0,"error":"line 1: invalid type"#),
            "{out}"
        );
    }

    #[test]
    fn jsonl_escaped_digits_are_decoded_before_scanning() {
        let (status, out) = stream(Format::Jsonl, br#"{"text":"\u0034111111111111111","id":7}"#);
        assert_eq!(status, 0);
        assert_eq!(out, "{\"text\":\"411111▇▇▇▇▇▇1111\",\"redactions\":1}\n");
    }

    #[test]
    fn mask_must_be_one_character() {
        assert_eq!(parse_mask("*"), Ok('*'));
        assert_eq!(parse_mask("▇"), Ok('▇'));
        assert!(parse_mask("").is_err());
        assert!(parse_mask("**").is_err());
    }
}
