//! Actions: `set` against the catalogue's settable fields, tag changes, messages, notes,
//! notifications (their texts and template sends are resolved in `templates`).

use super::{lower, suggest, Resolver};
use crate::check::ir::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::lang::{self, actions::Settable, values::Ranked};
use crate::model::{Priority, Satisfaction, Status, TicketType};
use crate::syntax::ast::{self, ActionKind, FieldRef, NotifyTarget, Spanned, ValueKind};

impl Resolver<'_> {
    /// Resolves one action.
    pub(super) fn action(&mut self, a: &ast::Action) -> Option<Act> {
        match &a.kind {
            ActionKind::Set { field, value } => self.set_action(field, value),
            ActionKind::AddTags(t) => {
                Some(Act::AddTags(t.iter().map(|s| lower(&s.node)).collect()))
            }
            ActionKind::RemoveTags(t) => {
                Some(Act::RemoveTags(t.iter().map(|s| lower(&s.node)).collect()))
            }
            ActionKind::SendMessage { text } => {
                let compiled = self.template_text(text);
                self.shorthand(text);
                Some(Act::SendMessage(compiled?))
            }
            ActionKind::SendTemplate {
                name,
                language,
                params,
            } => self.send_template(a.span, name, language, params),
            ActionKind::AddNote { text } => Some(Act::AddNote(self.template_text(text)?)),
            ActionKind::Notify {
                target,
                subject,
                body,
            } => {
                let to = match target {
                    NotifyTarget::Requester => Recipient::Requester,
                    NotifyTarget::Assignee => Recipient::Assignee,
                    NotifyTarget::Group(g) => Recipient::Group(g.node.clone()),
                    NotifyTarget::Webhook(w) => Recipient::Webhook(w.node.clone()),
                };
                let subject = match subject {
                    Some(s) => Some(self.template_text(s)?),
                    None => None,
                };
                Some(Act::Notify {
                    to,
                    subject,
                    body: self.template_text(body)?,
                })
            }
        }
    }

    /// `set FIELD V`: the field is looked up among the catalogue's `set` actions.
    fn set_action(&mut self, field: &Spanned<FieldRef>, value: &ast::Value) -> Option<Act> {
        let name = match &field.node {
            FieldRef::Custom(n) => {
                return self
                    .custom_value(value)
                    .map(|v| Act::SetCustom(n.clone(), v));
            }
            FieldRef::Named(n) => n.as_str(),
            FieldRef::RequesterField(_) | FieldRef::OrganizationField(_) => {
                self.err(Diagnostic::new(
                    Code::UnknownField,
                    field.span,
                    "requester and organization fields cannot be set by a rule",
                ));
                return None;
            }
        };
        let Some(target) = lang::actions::settable(name) else {
            self.err(suggest(
                Diagnostic::new(
                    Code::UnknownField,
                    field.span,
                    format!("`{name}` cannot be set by an action"),
                ),
                name,
                &lang::actions::settable_names(),
            ));
            return None;
        };
        let none = value
            .kind
            .as_text()
            .is_some_and(|t| t.eq_ignore_ascii_case("none"));
        match target {
            Settable::Status => self
                .enum_value(name, value, &Ranked::Status.names(), Status::parse)
                .map(Act::SetStatus),
            Settable::Priority if none => Some(Act::SetPriority(None)),
            Settable::Priority => self
                .enum_value(name, value, &Ranked::Priority.names(), Priority::parse)
                .map(|p| Act::SetPriority(Some(p))),
            Settable::Type if none => Some(Act::SetType(None)),
            Settable::Type => self
                .enum_value(name, value, &Ranked::TicketType.names(), TicketType::parse)
                .map(|t| Act::SetType(Some(t))),
            Settable::Satisfaction => self.set_satisfaction(value),
            Settable::Tags => self.tag_list(value).map(Act::SetTags),
            Settable::Text(which) => match (&value.kind, none) {
                (_, true) => Some(Act::SetText(which, None)),
                (ValueKind::Word(w) | ValueKind::Str(w), _) => {
                    Some(Act::SetText(which, Some(w.clone())))
                }
                (ValueKind::Number(n), _) => Some(Act::SetText(which, Some(n.to_string()))),
                _ => self.invalid_value(value.span, "expected a name"),
            },
            // `set field "NAME" V` is a `FieldRef::Custom`, resolved above.
            Settable::Custom => None,
        }
    }

    /// `set satisfaction offered`: the only satisfaction a rule can set.
    fn set_satisfaction(&mut self, value: &ast::Value) -> Option<Act> {
        let text = value.kind.as_text();
        if text.is_some_and(|t| t.eq_ignore_ascii_case("offered")) {
            return Some(Act::SetSatisfaction(Satisfaction::Offered));
        }
        let d = Diagnostic::new(
            Code::InvalidValue,
            value.span,
            "a rule can only `set satisfaction offered` (the host sends the survey)",
        );
        let d = match text.and_then(|t| lang::did_you_mean(t, ["offered"])) {
            Some(c) => d.with_help(format!("did you mean `{c}`?")),
            None => d.with_help("ratings (`good`, `bad`) come from the customer"),
        };
        self.err(d);
        None
    }
}
