//! The words of syntax errors: what was expected, what was found (never a pest rule
//! name, never a long digit run), and a hint for the common slips. Keyword lists come
//! from the language catalogue.

use pest::error::{ErrorVariant, InputLocation};

use super::super::grammar::Rule;
use super::super::lexer::{TokKind, Token};
use super::walker::Item;
use super::{text, Context};
use crate::diagnostic::{Code, Diagnostic};
use crate::lang::{self, actions, fields, keywords, operators};
use crate::syntax::ast::Span;

/// `expected WHAT, found TOKEN` at token `t`.
fn expected(src: &str, t: &Token, what: &str, context: Context) -> Diagnostic {
    let found = describe_token(src, Some(t), context);
    Diagnostic::new(
        Code::Syntax,
        t.span,
        format!("expected {what}, found {found}"),
    )
}

/// Something at the top level that is not a rule.
pub(super) fn top_level_error(src: &str, t: &Token) -> Diagnostic {
    let d = expected(
        src,
        t,
        "a rule (`trigger`, `automation` or `redaction`)",
        Context::File,
    );
    if t.kind == TokKind::RBrace {
        return d.with_help("this `}` does not close anything; remove it");
    }
    let rule_keywords: Vec<&str> = keywords::rule_keywords().collect();
    let help = (t.kind == TokKind::Word)
        .then(|| keyword_help(text(src, t), &rule_keywords))
        .flatten();
    d.with_help(help.unwrap_or_else(|| {
        "a rule starts like `trigger \"Tag new WhatsApp tickets\" {`".to_string()
    }))
}

/// The help for a word where one of `keywords` was expected: `keywords are lowercase`
/// when it is one of them in other case, else a did-you-mean, if any is close.
fn keyword_help(word: &str, keywords: &[&str]) -> Option<String> {
    let lower = word.to_ascii_lowercase();
    if keywords.contains(&lower.as_str()) {
        return Some(format!("keywords are lowercase: write `{lower}`"));
    }
    lang::did_you_mean(word, keywords.iter().copied()).map(|s| format!("did you mean `{s}`?"))
}

/// Something inside a rule that is not `when all`, `when any`, `redact` or `then`.
pub(super) fn clause_error(src: &str, t: &Token) -> Diagnostic {
    let d = expected(
        src,
        t,
        "`when all`, `when any`, `redact` or `then`",
        Context::Rule,
    );
    if t.kind != TokKind::Word {
        return d;
    }
    d.with_help(
        keyword_help(text(src, t), &keywords::CLAUSE_KEYWORDS).unwrap_or_else(|| {
            "conditions go inside `when all { … }` or `when any { … }`, actions inside `then { … }`"
                .to_string()
        }),
    )
}

/// The message for a condition, action or redact line that the grammar rejected.
pub(super) fn item_error(
    src: &str,
    kind: Item,
    line: &[Token],
    e: &pest::error::Error<Rule>,
) -> Diagnostic {
    let (start, end) = match (line.first(), line.last()) {
        (Some(f), Some(l)) => (f.span.start, l.span.end),
        _ => (0, 0),
    };
    let head = match kind {
        Item::Condition => line
            .iter()
            .position(|t| text(src, t) != "not" || t.kind != TokKind::Word)
            .and_then(|k| line.get(k))
            .or(line.first()),
        _ => line.first(),
    };
    let action_keywords = actions::action_keywords();
    if let Some(h) = head {
        let found = describe_token(src, Some(h), Context::Line);
        match kind {
            Item::Condition if h.kind != TokKind::Word => {
                return Diagnostic::new(
                    Code::Syntax,
                    h.span,
                    format!("expected a condition such as `status is open`, found {found}"),
                )
                .with_help("write one condition per line: FIELD OPERATOR VALUE");
            }
            Item::Action if h.kind != TokKind::Word => {
                return Diagnostic::new(
                    Code::Syntax,
                    h.span,
                    format!("expected an action such as `set status open`, found {found}"),
                );
            }
            Item::Action if !action_keywords.contains(&text(src, h)) => {
                let word = text(src, h);
                let d = Diagnostic::new(
                    Code::Syntax,
                    h.span,
                    format!(
                        "unknown action `{}`; expected one of: {}",
                        shorten(word),
                        action_keywords.join(", ")
                    ),
                );
                return match keyword_help(word, &action_keywords) {
                    Some(help) => d.with_help(help),
                    None => d,
                };
            }
            _ => {}
        }
    }
    let mut d = pest_error(src, line, start, end, e, Context::Line);
    // A few common slips deserve a hint.
    let pos = d.span.start;
    let found = line.iter().find(|t| t.span.end > pos);
    let previous = line.iter().rev().find(|t| t.span.end <= pos);
    let previous_text = previous.map_or("", |t| text(src, t));
    let found_text = found.map_or("", |t| text(src, t));
    if let ErrorVariant::ParsingError { positives, .. } = &e.variant {
        let wants = |r: Rule| positives.contains(&r);
        let found_word = found.is_some_and(|t| t.kind == TokKind::Word);
        if wants(Rule::string)
            && found_word
            && fields::FIELDS
                .iter()
                .any(|f| f.custom_keyword() == Some(previous_text))
        {
            let span = found.map_or(d.span, |t| t.span);
            return Diagnostic::new(
                Code::Syntax,
                span,
                format!(
                    "expected a quoted field name after `{previous_text}`, found `{}`",
                    shorten(found_text)
                ),
            )
            .with_help(format!(
                "write `{previous_text} \"{}\"`",
                shorten(found_text)
            ));
        }
        let keywords: Vec<&str> = positives
            .iter()
            .filter_map(|r| describe(*r, Context::Line))
            .filter_map(|w| w.strip_prefix('`').and_then(|w| w.strip_suffix('`')))
            .filter(|w| {
                w.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
            })
            .collect();
        if found_word && d.help.is_none() {
            if let Some(s) = lang::did_you_mean(found_text, keywords.iter().copied()) {
                d = d.with_help(format!("did you mean `{s}`?"));
            }
        }
        if wants(Rule::EOI)
            && found_text == "subject"
            && line.first().is_some_and(|t| text(src, t) == "notify")
        {
            d = d.with_help(
                "`subject` comes before `body`: `notify group \"NAME\" subject \"…\" body \"…\"`",
            );
        } else if (wants(Rule::value_operator) || wants(Rule::bare_operator)) && d.help.is_none() {
            d = d.with_help(format!("the operators are: {}", operators::all_written()));
        } else if wants(Rule::string) && found_word && d.help.is_none() {
            let w = found.map_or("", |t| text(src, t));
            d = d.with_help(format!("write it in double quotes: `\"{}\"`", shorten(w)));
        } else if wants(Rule::EOI)
            && previous.is_some_and(|t| matches!(text(src, t), "changed" | "present"))
        {
            d = d.with_help(
                "`changed` and `present` take no value; write `changed to VALUE` or `changed from VALUE`",
            );
        } else if wants(Rule::EOI) && d.help.is_none() {
            d = d.with_help("write one item per line; separate the values of a list with commas");
        }
    }
    d
}

/// A diagnostic from a pest error over `tokens` (which cover `src[start..end]`).
pub(super) fn pest_error(
    src: &str,
    tokens: &[Token],
    start: usize,
    end: usize,
    e: &pest::error::Error<Rule>,
    context: Context,
) -> Diagnostic {
    let pos = start
        + match e.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((p, _)) => p,
        };
    let pos = pos.min(end);
    let found_tok = tokens
        .iter()
        .find(|t| t.span.end > pos)
        .filter(|t| t.span.start < end.max(pos + 1));
    let (span, found) = match found_tok {
        Some(t) => (t.span, describe_token(src, Some(t), context)),
        None => (Span::new(pos, pos), describe_token(src, None, context)),
    };
    let message = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut wanted: Vec<&str> = Vec::new();
            for r in positives {
                if let Some(w) = describe(*r, context) {
                    if !wanted.contains(&w) {
                        wanted.push(w);
                    }
                }
            }
            if wanted.is_empty() {
                format!("unexpected {found}")
            } else {
                format!("expected {}, found {found}", join_or(&wanted))
            }
        }
        ErrorVariant::CustomError { message } => message.clone(),
    };
    Diagnostic::new(Code::Syntax, span, message)
}

/// "a", "a or b", "a, b or c".
fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// How a grammar rule is named in messages; `None` for rules never worth naming.
fn describe(r: Rule, context: Context) -> Option<&'static str> {
    Some(match r {
        Rule::EOI => match context {
            Context::File => "the end of the file",
            Context::Rule => "the end of the rule",
            Context::Line => "the end of the line",
        },
        Rule::rule | Rule::rule_kind => "a rule (`trigger`, `automation` or `redaction`)",
        Rule::title => "a quoted rule title",
        Rule::when_all => "`when all`",
        Rule::when_any => "`when any`",
        Rule::then_block => "`then`",
        Rule::redact_clause => "`redact`",
        Rule::condition | Rule::field_condition | Rule::negation => {
            "a condition such as `status is open`"
        }
        Rule::hours_since => "`hours since`",
        Rule::hours_until => "`hours until`",
        Rule::hours => "a whole number of hours",
        Rule::business => "`business`",
        Rule::within_business_hours => "`within business_hours`",
        Rule::field_ref | Rule::custom_field | Rule::requester_field | Rule::organization_field => {
            "a field such as `status` or `field \"NAME\"`"
        }
        Rule::value_operator | Rule::bare_operator => {
            "an operator such as `is`, `in`, `contains` or `changed`"
        }
        Rule::compare_operator => "a comparison (`is`, `is not`, `<`, `<=`, `>` or `>=`)",
        Rule::value => "a value (a word, a \"string\", a number, a [list] or a /regex/)",
        Rule::bracket_list => "a list such as `[a, b]`",
        Rule::bare_list => "a list such as `a, b`",
        Rule::string | Rule::string_inner => "a \"string\"",
        Rule::regex | Rule::regex_inner => "a /regex/",
        Rule::integer => "a whole number",
        Rule::word => "a word",
        Rule::name => "a name (a word or a \"string\")",
        Rule::action
        | Rule::set_action
        | Rule::add_tags
        | Rule::remove_tags
        | Rule::add_note
        | Rule::send_message
        | Rule::send_template
        | Rule::notify => "an action such as `set status open`",
        Rule::params => "`params`",
        Rule::notify_target => "`requester`, `assignee`, `group` or `webhook`",
        Rule::subject => "`subject`",
        Rule::body => "`body`",
        Rule::keep => "`keep`",
        Rule::keep_first => "`first`",
        Rule::keep_last => "`last`",
        Rule::mask => "`with`",
        Rule::redact_options | Rule::redact_option => {
            "an option (`groupings` or `word_boundaries`)"
        }
        Rule::kw_when => "`when`",
        Rule::kw_all => "`all`",
        Rule::kw_any => "`any`",
        Rule::kw_then => "`then`",
        Rule::kw_redact => "`redact`",
        Rule::kw_hours => "`hours`",
        Rule::kw_since => "`since`",
        Rule::kw_until => "`until`",
        Rule::kw_within => "`within`",
        Rule::kw_business_hours => "`business_hours`",
        Rule::kw_field => "`field`",
        Rule::kw_requester_field => "`requester.field`",
        Rule::kw_organization_field => "`organization.field`",
        Rule::kw_set => "`set`",
        Rule::kw_add => "`add`",
        Rule::kw_remove => "`remove`",
        Rule::kw_tags => "`tags`",
        Rule::kw_note => "`note`",
        Rule::kw_send => "`send`",
        Rule::kw_message => "`message`",
        Rule::kw_template => "`template`",
        Rule::kw_language => "`language`",
        Rule::kw_params => "`params`",
        Rule::kw_notify => "`notify`",
        Rule::kw_requester => "`requester`",
        Rule::kw_assignee => "`assignee`",
        Rule::kw_group => "`group`",
        Rule::kw_webhook => "`webhook`",
        Rule::kw_subject => "`subject`",
        Rule::kw_body => "`body`",
        Rule::kw_keep => "`keep`",
        Rule::kw_first => "`first`",
        Rule::kw_last => "`last`",
        Rule::kw_with => "`with`",
        Rule::lbrace => "`{`",
        Rule::rbrace => "`}`",
        Rule::lbracket => "`[`",
        Rule::rbracket => "`]`",
        Rule::comma => "`,`",
        // The file and the entry points, and silent helpers pest never reports.
        _ => return None,
    })
}

/// How a token is named in "found …".
pub(super) fn describe_token(src: &str, t: Option<&Token>, context: Context) -> String {
    let Some(t) = t else {
        return match context {
            Context::File => "the end of the file".to_string(),
            Context::Rule => "the end of the rule".to_string(),
            Context::Line => "the end of the line".to_string(),
        };
    };
    let s = text(src, t);
    match t.kind {
        TokKind::Newline => "the end of the line".to_string(),
        // Never echo what could be a card number.
        TokKind::Number if s.bytes().filter(u8::is_ascii_digit).count() >= 12 => {
            "a long number".to_string()
        }
        TokKind::Other => match s.chars().next() {
            Some('`') => "a backtick".to_string(),
            Some(c) if c.is_whitespace() || c.is_control() => {
                format!("an invisible character (U+{:04X})", c as u32)
            }
            _ => format!("`{s}`"),
        },
        _ => format!("`{}`", shorten(s)),
    }
}

/// At most 32 characters of `s` (cut at a character boundary, marked with `…`).
fn shorten(s: &str) -> String {
    if s.chars().count() <= 32 {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(31).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_joined_with_or() {
        assert_eq!(join_or(&["a"]), "a");
        assert_eq!(join_or(&["a", "b", "c"]), "a, b or c");
    }

    #[test]
    fn long_numbers_are_not_echoed() {
        let src = "4111111111111111";
        let lexed = super::super::super::lexer::lex(src);
        assert_eq!(
            describe_token(src, lexed.tokens.first(), Context::Line),
            "a long number"
        );
    }
}
