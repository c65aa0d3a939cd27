//! Reports as text: one line per case for people, JUnit XML for CI dashboards. Pure
//! `fn -> String`; every string passes through the card scanner ([`crate::redact::scrub`]).

use std::fmt;

use super::run::FileReport;

/// Totals over a set of file reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Cases whose expectations all held.
    pub passed: usize,
    /// Cases with at least one failure.
    pub failed: usize,
    /// Files that could not be used.
    pub file_errors: usize,
}

impl Summary {
    /// Counts cases and file errors.
    pub fn of(reports: &[FileReport]) -> Self {
        let mut s = Summary::default();
        for r in reports {
            if r.error.is_some() {
                s.file_errors += 1;
            }
            for c in &r.cases {
                if c.passed() {
                    s.passed += 1;
                } else {
                    s.failed += 1;
                }
            }
        }
        s
    }

    /// Passed + failed.
    pub fn total(&self) -> usize {
        self.passed + self.failed
    }
}

impl fmt::Display for Summary {
    /// `N passed, N failed` (the last line of `ticket-rules test`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} passed, {} failed", self.passed, self.failed)
    }
}

/// The human report of one file: `ok   PATH:LINE  NAME` or `FAIL PATH:LINE  NAME`, and
/// under a failure each unmet expectation indented by five spaces. A file error is not
/// included (see [`FileReport::error`]).
pub fn human(report: &FileReport) -> String {
    let mut out = String::new();
    for c in &report.cases {
        let tag = if c.passed() { "ok  " } else { "FAIL" };
        out.push_str(&format!("{tag} {}:{}  {}\n", report.path, c.line, c.name));
        for f in &c.failures {
            for line in f.lines() {
                out.push_str("     ");
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    crate::redact::scrub(&out).into_owned()
}

/// Escapes text for XML 1.0 content and attribute values: `& < > " '`, line breaks in
/// attributes as character references, and characters XML 1.0 cannot carry (control
/// characters other than tab and line breaks, U+FFFE, U+FFFF) as `\u{…}` text.
pub fn xml_escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' if attribute => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: `<testsuites>` with one `<testsuite>` per file (`name` = path) and one
/// `<testcase>` per case (`name`, `classname` = path, `file`, `line`); a failed case has
/// `<failure message="FIRST" type="assertion">ALL</failure>`; a file that could not be
/// used is a suite with one `<testcase name="(load)">` holding an `<error>`.
pub fn junit(reports: &[FileReport]) -> String {
    let s = Summary::of(reports);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"ticket-rules test\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n",
        s.total() + s.file_errors,
        s.failed,
        s.file_errors
    ));
    let a = |t: &str| xml_escape(t, true);
    for r in reports {
        let fs = Summary::of(std::slice::from_ref(r));
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n",
            a(&r.path),
            fs.total() + fs.file_errors,
            fs.failed,
            fs.file_errors
        ));
        if let Some(e) = &r.error {
            let first = e.message.lines().next().unwrap_or("");
            out.push_str(&format!(
                "    <testcase name=\"(load)\" classname=\"{}\" file=\"{}\"{}>\n",
                a(&r.path),
                a(&r.path),
                e.line.map(|l| format!(" line=\"{l}\"")).unwrap_or_default()
            ));
            out.push_str(&format!(
                "      <error message=\"{}\" type=\"usage\">{}</error>\n",
                a(first),
                xml_escape(&e.to_string(), false)
            ));
            out.push_str("    </testcase>\n");
        }
        for c in &r.cases {
            let open = format!(
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\"",
                a(&c.name),
                a(&r.path),
                a(&r.path),
                c.line
            );
            if c.passed() {
                out.push_str(&open);
                out.push_str("/>\n");
            } else {
                out.push_str(&open);
                out.push_str(">\n");
                let first = c.failures[0].lines().next().unwrap_or("");
                let body = c.failures.join("\n");
                out.push_str(&format!(
                    "      <failure message=\"{}\" type=\"assertion\">{}</failure>\n",
                    a(first),
                    xml_escape(&body, false)
                ));
                out.push_str("    </testcase>\n");
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    crate::redact::scrub(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::run::CaseReport;

    #[test]
    fn xml_escape_handles_markup_quotes_and_controls() {
        assert_eq!(
            xml_escape("a<b & \"c\" 'd'>", false),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
        );
        assert_eq!(xml_escape("x\ny\u{1}", false), "x\ny\\u{1}");
        assert_eq!(xml_escape("x\ny\tz", true), "x&#10;y&#9;z");
        assert_eq!(xml_escape("\u{ffff}", false), "\\u{ffff}");
        assert_eq!(xml_escape("한국어 ✓", true), "한국어 ✓");
    }

    #[test]
    fn r1_reports_never_print_a_card_number() {
        let r = FileReport {
            path: "t.test.yaml".into(),
            cases: vec![CaseReport {
                name: "card 4111 1111 1111 1111".into(),
                line: 3,
                failures: vec!["expected \"4111111111111111\"".into()],
            }],
            error: None,
        };
        for text in [human(&r), junit(std::slice::from_ref(&r))] {
            assert!(!text.contains("4111 1111 1111 1111"), "{text}");
            assert!(!text.contains("4111111111111111"), "{text}");
        }
    }

    #[test]
    fn summary_line_counts_cases() {
        let ok = CaseReport {
            name: "a".into(),
            line: 1,
            failures: vec![],
        };
        let bad = CaseReport {
            name: "b".into(),
            line: 2,
            failures: vec!["x".into()],
        };
        let r = FileReport {
            path: "p".into(),
            cases: vec![ok.clone(), bad, ok],
            error: None,
        };
        let s = Summary::of(&[r]);
        assert_eq!(s.to_string(), "2 passed, 1 failed");
        assert_eq!(s.total(), 3);
    }
}
