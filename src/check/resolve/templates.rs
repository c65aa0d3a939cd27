//! Texts and templates: `{{placeholders}}` against the catalogue, `send template` and the
//! template shorthand inside a `send message` text (W15), both checked against the
//! account's approved registry when there is one (W9), and refused in automations (W10).

use super::Resolver;
use crate::check::ir::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::guards::{self, Shorthand};
use crate::lang::{self, placeholders};
use crate::syntax::ast::{RuleKind, Span, Spanned};

const SEND_FROM_A_TRIGGER: &str =
    "send the template from a trigger, e.g. one that reacts to a tag this automation adds";

/// Where the parts of a template send are written, for W9 findings.
struct TemplateSpans {
    name: Span,
    language: Span,
    params: Span,
}

impl Resolver<'_> {
    /// `send template "NAME" language "CODE" params […]` (the action at `span`).
    pub(super) fn send_template(
        &mut self,
        span: Span,
        name: &Spanned<String>,
        language: &Spanned<String>,
        params: &[Spanned<String>],
    ) -> Option<Act> {
        self.template_uses.push(name.span);
        if self.kind == RuleKind::Automation {
            self.err(
                Diagnostic::new(
                    Code::AutomationSendsTemplate,
                    span,
                    "automations cannot send template messages (W10)",
                )
                .with_help(SEND_FROM_A_TRIGGER),
            );
        }
        let params_span = match (params.first(), params.last()) {
            (Some(f), Some(l)) => Span::new(f.span.start, l.span.end),
            _ => span,
        };
        self.registry(
            &name.node,
            &language.node,
            params.len(),
            TemplateSpans {
                name: name.span,
                language: language.span,
                params: params_span,
            },
            "give one value per parameter in `params [\"…\"]`",
        );
        let mut ps = Vec::new();
        for p in params {
            ps.push(self.template_text(p)?);
        }
        Some(Act::SendTemplate {
            name: name.node.clone(),
            language: language.node.clone(),
            params: ps,
        })
    }

    /// W15: a `send message` text that holds template shorthand is a template send: W10
    /// for automations, W9 against the registry; a malformed one is reported.
    pub(super) fn shorthand(&mut self, text: &Spanned<String>) {
        let scan = guards::scan_shorthand(&text.node);
        let span = self.shorthand_span(text, matches!(scan.shorthand, Shorthand::WellFormed(_)));
        match scan.shorthand {
            Shorthand::None => {}
            Shorthand::Malformed { reason } => self.err(
                Diagnostic::new(
                    Code::MalformedTemplateShorthand,
                    span,
                    format!(
                        "this text starts a template shorthand that is not well formed: {reason} (W15)"
                    ),
                )
                .with_help(
                    "write `&((template=[[NAME]] language=[[CODE]] body_text=[[…]]))&`, or remove `&((` to send free text",
                ),
            ),
            Shorthand::WellFormed(t) => {
                self.template_uses.push(span);
                if self.kind == RuleKind::Automation {
                    self.err(
                        Diagnostic::new(
                            Code::AutomationSendsTemplate,
                            span,
                            "this text holds template shorthand, and automations cannot send templates (W10, W15)",
                        )
                        .with_help(SEND_FROM_A_TRIGGER),
                    );
                }
                let spans = TemplateSpans {
                    name: span,
                    language: span,
                    params: span,
                };
                self.registry(
                    &t.name,
                    &t.language,
                    t.params.len(),
                    spans,
                    "write one `body_text=[[…]]` per parameter",
                );
            }
        }
    }

    /// The span of the shorthand inside a string literal: from `&((` to `))&` when
    /// `closed`, else to the end of the string. The whole string if `&((` is not found
    /// verbatim in the source (escapes).
    fn shorthand_span(&self, text: &Spanned<String>, closed: bool) -> Span {
        let raw = self
            .source
            .get(text.span.start..text.span.end)
            .unwrap_or("");
        let Some(open) = raw.find("&((") else {
            return text.span;
        };
        let content_end = if raw.len() > 1 && raw.ends_with('"') {
            raw.len() - 1
        } else {
            raw.len()
        };
        let end = if closed {
            raw[open..]
                .find("))&")
                .map_or(content_end, |i| open + i + 3)
        } else {
            content_end
        };
        Span::new(text.span.start + open, text.span.start + end.max(open))
    }

    /// W9: the template `name` in `language` with `n` parameters must be in the account's
    /// approved registry (only checked with an account).
    fn registry(
        &mut self,
        name: &str,
        language: &str,
        n: usize,
        spans: TemplateSpans,
        params_help: &str,
    ) {
        let Some(account) = self.account else {
            return;
        };
        let same_name: Vec<_> = account
            .templates
            .iter()
            .filter(|t| t.name == name)
            .collect();
        let exact: Vec<_> = same_name
            .iter()
            .filter(|t| t.language == language)
            .collect();
        if exact.is_empty() && !same_name.is_empty() {
            let langs: Vec<String> = same_name
                .iter()
                .map(|t| format!("\"{}\"", t.language))
                .collect();
            self.err(
                Diagnostic::new(
                    Code::UnknownTemplate,
                    spans.language,
                    format!(
                        "template `{name}` is not approved in `{language}`, only in {} (W9)",
                        langs.join(", ")
                    ),
                )
                .with_help(format!("use language {}", langs.join(" or "))),
            );
        } else if exact.is_empty() {
            let d = Diagnostic::new(
                Code::UnknownTemplate,
                spans.name,
                format!("template `{name}` is not in the account's approved registry (W9)"),
            );
            let names: Vec<&str> = account.templates.iter().map(|t| t.name.as_str()).collect();
            let close = names
                .iter()
                .find(|c| c.eq_ignore_ascii_case(name))
                .copied()
                .or_else(|| lang::did_you_mean(name, names.iter().copied()));
            let d = match close {
                Some(c) => d.with_help(format!("did you mean `{c}`?")),
                None if names.is_empty() => {
                    d.with_help("the account's registry (`templates:` in account.yaml) is empty")
                }
                None => d.with_help(format!("approved templates: {}", names.join(", "))),
            };
            self.err(d);
        } else if !exact
            .iter()
            .any(|t| usize::try_from(t.params).is_ok_and(|p| p == n))
        {
            let want = exact[0].params;
            self.err(
                Diagnostic::new(
                    Code::TemplateParams,
                    spans.params,
                    format!(
                        "template `{name}` ({language}) takes {want} parameter{}, {n} given (W9)",
                        if want == 1 { "" } else { "s" }
                    ),
                )
                .with_help(params_help.to_string()),
            );
        }
    }

    /// Compiles a text with `{{placeholders}}`; unknown ones are `unknown-placeholder`.
    pub(super) fn template_text(&mut self, s: &Spanned<String>) -> Option<TextTemplate> {
        let (t, unknown) = compile_text(&s.node);
        if unknown.is_empty() {
            return Some(t);
        }
        let src = self.source.get(s.span.start..s.span.end).unwrap_or("");
        let known = placeholders::names();
        for name in unknown {
            let needle = format!("{{{{{name}}}}}");
            let span = src
                .find(&needle)
                .map(|i| Span::new(s.span.start + i, s.span.start + i + needle.len()))
                .unwrap_or(s.span);
            let d = Diagnostic::new(
                Code::UnknownPlaceholder,
                span,
                format!("unknown placeholder `{{{{{name}}}}}`"),
            );
            let d = match lang::did_you_mean(&name, known.iter().copied()) {
                Some(c) => d.with_help(format!("did you mean `{{{{{c}}}}}`?")),
                None => d.with_help(format!("known placeholders: {}", known.join(", "))),
            };
            self.err(d);
        }
        None
    }
}

/// Compiles a text into pieces; returns the names of unknown placeholders as well.
/// A `{{` without a closing `}}` is literal text.
pub fn compile_text(s: &str) -> (TextTemplate, Vec<String>) {
    let mut pieces = Vec::new();
    let mut unknown = Vec::new();
    let mut rest = s;
    let mut lit = String::new();
    while let Some(i) = rest.find("{{") {
        let Some(j) = rest[i + 2..].find("}}") else {
            break;
        };
        lit.push_str(&rest[..i]);
        let name = rest[i + 2..i + 2 + j].trim();
        match placeholders::placeholder(name) {
            Some(p) => {
                if !lit.is_empty() {
                    pieces.push(Piece::Lit(std::mem::take(&mut lit)));
                }
                pieces.push(Piece::Ph(p));
            }
            None => {
                unknown.push(name.to_string());
                lit.push_str(&rest[i..i + 4 + j]);
            }
        }
        rest = &rest[i + 4 + j..];
    }
    lit.push_str(rest);
    if !lit.is_empty() {
        pieces.push(Piece::Lit(lit));
    }
    (TextTemplate { pieces }, unknown)
}
