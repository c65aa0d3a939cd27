//! Diagnostic codes: one enum, one row per code (its printed name, severity, the spec it
//! enforces, whether it stops `run`). `docs/diagnostics.md` has a section per code, in
//! the order of [`Code::ALL`].

use std::fmt;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The rule set is rejected (`check` exits 3).
    Error,
    /// Reported; the rule set is still usable.
    Warning,
}

impl Severity {
    /// `error` or `warning`, as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Every finding `check` can report. A [`crate::diagnostic::Diagnostic`] is built from a
/// code and takes its severity from it; the code prints as its stable kebab-case name
/// ([`Code::name`], e.g. `unknown-field`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// `syntax`: the grammar rejects the text (dsl.md).
    Syntax,
    /// `unknown-field`: a field, anchor or deadline name that does not exist (dsl.md).
    UnknownField,
    /// `invalid-value`: a value the field cannot have (dsl.md).
    InvalidValue,
    /// `invalid-operator`: an operator the field does not take (dsl.md).
    InvalidOperator,
    /// `invalid-regex`: a `matches` pattern that does not compile or is too large (dsl.md).
    InvalidRegex,
    /// `unknown-placeholder`: a `{{placeholder}}` that does not exist (Placeholders).
    UnknownPlaceholder,
    /// `no-conditions`: a rule without conditions (S3).
    NoConditions,
    /// `duplicate-rule`: two rules of one kind with one title (S2).
    DuplicateRule,
    /// `time-condition-in-any`: `hours since|until` in a `when any` block (S13).
    TimeConditionInAny,
    /// `automation-not-nullified`: an automation that never switches itself off (S15).
    AutomationNotNullified,
    /// `automation-sends-template`: an automation sends a template (W10, W15).
    AutomationSendsTemplate,
    /// `unknown-template`: a template not in the account's registry (W9, W15).
    UnknownTemplate,
    /// `template-params`: a template send with the wrong number of parameters (W9, W15).
    TemplateParams,
    /// `templates-not-checked`: no account was given, so template sends were not checked (W9).
    TemplatesNotChecked,
    /// `malformed-template-shorthand`: text that starts a template shorthand badly (W15).
    MalformedTemplateShorthand,
    /// `send-always-outside-window`: a free-text message never delivered (W5).
    SendAlwaysOutsideWindow,
    /// `fires-on-every-update`: a trigger nothing limits to one update (S8).
    FiresOnEveryUpdate,
    /// `exact-hours-may-miss`: `hours since X is N` holds for one hour only (S12).
    ExactHoursMayMiss,
    /// `contradictory-conditions`: conditions that can never all hold (S3).
    ContradictoryConditions,
    /// `shadowed-by-earlier-trigger`: a trigger an earlier one always pre-empts (S4, S5).
    ShadowedByEarlierTrigger,
}

/// What `run` does with a finding of a code (events.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Run {
    /// The rule is meaningless: `run` refuses to replay.
    Blocks,
    /// `run` prints it as a warning and replays, so the guards can be seen acting.
    Warns,
}

/// One row of the code table.
struct Row {
    name: &'static str,
    severity: Severity,
    spec: &'static str,
    run: Run,
}

const fn row(name: &'static str, severity: Severity, spec: &'static str, run: Run) -> Row {
    Row {
        name,
        severity,
        spec,
        run,
    }
}

impl Code {
    /// Every code, in the order of `docs/diagnostics.md`.
    pub const ALL: [Code; 20] = [
        Code::Syntax,
        Code::UnknownField,
        Code::InvalidValue,
        Code::InvalidOperator,
        Code::InvalidRegex,
        Code::UnknownPlaceholder,
        Code::NoConditions,
        Code::DuplicateRule,
        Code::TimeConditionInAny,
        Code::AutomationNotNullified,
        Code::AutomationSendsTemplate,
        Code::UnknownTemplate,
        Code::TemplateParams,
        Code::TemplatesNotChecked,
        Code::MalformedTemplateShorthand,
        Code::SendAlwaysOutsideWindow,
        Code::FiresOnEveryUpdate,
        Code::ExactHoursMayMiss,
        Code::ContradictoryConditions,
        Code::ShadowedByEarlierTrigger,
    ];

    /// The code table: one row per code.
    const fn row(self) -> Row {
        use Run::{Blocks, Warns};
        use Severity::{Error, Warning};
        match self {
            Code::Syntax => row("syntax", Error, "dsl.md", Blocks),
            Code::UnknownField => row("unknown-field", Error, "dsl.md", Blocks),
            Code::InvalidValue => row("invalid-value", Error, "dsl.md", Blocks),
            Code::InvalidOperator => row("invalid-operator", Error, "dsl.md", Blocks),
            Code::InvalidRegex => row("invalid-regex", Error, "dsl.md", Blocks),
            Code::UnknownPlaceholder => row("unknown-placeholder", Error, "Placeholders", Blocks),
            Code::NoConditions => row("no-conditions", Error, "S3", Warns),
            Code::DuplicateRule => row("duplicate-rule", Error, "S2", Blocks),
            Code::TimeConditionInAny => row("time-condition-in-any", Error, "S13", Warns),
            Code::AutomationNotNullified => row("automation-not-nullified", Error, "S15", Warns),
            Code::AutomationSendsTemplate => {
                row("automation-sends-template", Error, "W10, W15", Warns)
            }
            Code::UnknownTemplate => row("unknown-template", Error, "W9, W15", Warns),
            Code::TemplateParams => row("template-params", Error, "W9, W15", Warns),
            Code::TemplatesNotChecked => row("templates-not-checked", Warning, "W9", Warns),
            Code::MalformedTemplateShorthand => {
                row("malformed-template-shorthand", Error, "W15", Warns)
            }
            Code::SendAlwaysOutsideWindow => row("send-always-outside-window", Error, "W5", Warns),
            Code::FiresOnEveryUpdate => row("fires-on-every-update", Warning, "S8", Warns),
            Code::ExactHoursMayMiss => row("exact-hours-may-miss", Warning, "S12", Warns),
            Code::ContradictoryConditions => row("contradictory-conditions", Warning, "S3", Warns),
            Code::ShadowedByEarlierTrigger => {
                row("shadowed-by-earlier-trigger", Warning, "S4, S5", Warns)
            }
        }
    }

    /// The code as printed, e.g. `unknown-field`.
    pub const fn name(self) -> &'static str {
        self.row().name
    }

    /// Its severity (`check` exits 3 on any error).
    pub const fn severity(self) -> Severity {
        self.row().severity
    }

    /// The spec ids or sections it implements, e.g. `S15`, `W10, W15`, `dsl.md`.
    pub const fn spec(self) -> &'static str {
        self.row().spec
    }

    /// True when a finding of this code makes its rule meaningless: `run` refuses to
    /// replay (`syntax`, `unknown-field`, `invalid-value`, `invalid-operator`,
    /// `invalid-regex`, `unknown-placeholder`, `duplicate-rule`; events.md). Every other
    /// finding is only a warning for `run`.
    pub const fn blocks_run(self) -> bool {
        matches!(self.row().run, Run::Blocks)
    }

    /// The code printed as `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.name() == name)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// A code equals its printed name: `d.code == "syntax"`.
impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}

/// A printed name equals its code: `"syntax" == d.code`.
impl PartialEq<Code> for &str {
    fn eq(&self, other: &Code) -> bool {
        *self == other.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case_and_round_trip() {
        let mut seen = std::collections::BTreeSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.name()), "{} twice", c.name());
            assert!(c
                .name()
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch == '-'));
            assert_eq!(Code::from_name(c.name()), Some(c));
            assert_eq!(c.to_string(), c.name());
            assert!(c == c.name() && c.name() == c);
        }
        assert_eq!(Code::from_name("no-such-code"), None);
    }

    #[test]
    fn the_codes_that_stop_run_are_errors() {
        let blocking: Vec<&str> = Code::ALL
            .iter()
            .filter(|c| c.blocks_run())
            .map(|c| c.name())
            .collect();
        assert_eq!(
            blocking,
            [
                "syntax",
                "unknown-field",
                "invalid-value",
                "invalid-operator",
                "invalid-regex",
                "unknown-placeholder",
                "duplicate-rule"
            ]
        );
        for c in Code::ALL.iter().filter(|c| c.blocks_run()) {
            assert_eq!(c.severity(), Severity::Error, "{c}");
        }
    }
}
