//! Values: the literals a condition compares with, read by the field's value type, and
//! the values actions set (tags, custom fields, enum values).

use super::{flatten, lower, suggest, Resolver};
use crate::check::ir::Lit;
use crate::diagnostic::{Code, Diagnostic};
use crate::lang::values::ValueType;
use crate::model::FieldValue;
use crate::syntax::ast::{self, Operator, Spanned, ValueKind};

impl Resolver<'_> {
    /// The value after `op`; reports it missing.
    pub(super) fn need_value<'v>(
        &mut self,
        op: &Spanned<Operator>,
        value: Option<&'v ast::Value>,
    ) -> Option<&'v ast::Value> {
        if value.is_none() {
            self.err(Diagnostic::new(
                Code::InvalidValue,
                op.span,
                format!("a value is missing after `{}`", op.node.as_str()),
            ));
        }
        value
    }

    /// One literal of a field of type `ty`: an enum value by rank, `true`/`false`, a
    /// number of a custom field, `none`, or lowercased text.
    pub(super) fn lit(&mut self, ty: ValueType, v: &ast::Value) -> Option<Lit> {
        match (ty, &v.kind) {
            (_, ValueKind::Word(w)) if w.eq_ignore_ascii_case("none") && ty != ValueType::Bool => {
                Some(Lit::Null)
            }
            (ValueType::Ordered(r) | ValueType::Enum(r), k) => {
                let names = r.names();
                let Some(w) = k.as_text() else {
                    return self
                        .invalid_value(v.span, format!("expected one of: {}", names.join(", ")));
                };
                match names.iter().position(|n| n.eq_ignore_ascii_case(w)) {
                    Some(i) => Some(Lit::Rank(i as u8)),
                    None => {
                        self.err(suggest(
                            Diagnostic::new(
                                Code::InvalidValue,
                                v.span,
                                format!("`{w}` is not a valid value here"),
                            ),
                            w,
                            &names,
                        ));
                        None
                    }
                }
            }
            (ValueType::Bool, k) => match k.as_text().map(|s| s.to_ascii_lowercase()) {
                Some(s) if s == "true" => Some(Lit::Bool(true)),
                Some(s) if s == "false" => Some(Lit::Bool(false)),
                other => {
                    self.err(suggest(
                        Diagnostic::new(Code::InvalidValue, v.span, "expected `true` or `false`"),
                        other.as_deref().unwrap_or(""),
                        &["true", "false"],
                    ));
                    None
                }
            },
            (ValueType::Custom, ValueKind::Number(n)) => Some(Lit::Num(*n as f64)),
            (ValueType::Custom, ValueKind::Word(w)) if w == "true" || w == "false" => {
                Some(Lit::Bool(w == "true"))
            }
            (_, ValueKind::Word(w) | ValueKind::Str(w)) => Some(Lit::Text(lower(w))),
            (_, ValueKind::Number(n)) => Some(Lit::Text(n.to_string())),
            _ => self.invalid_value(v.span, "expected a word, text or number"),
        }
    }

    /// The tags of `v` (one, or a list), lowercased.
    pub(super) fn tag_list(&mut self, v: &ast::Value) -> Option<Vec<String>> {
        let mut tags = Vec::new();
        for item in flatten(v) {
            match item.kind.as_text() {
                Some(t) => tags.push(lower(t)),
                None => {
                    return self.invalid_value(item.span, "expected a tag");
                }
            }
        }
        Some(tags)
    }

    /// The value of `set field "NAME" V`: a number, `true`/`false`, or text as written.
    pub(super) fn custom_value(&mut self, value: &ast::Value) -> Option<FieldValue> {
        match &value.kind {
            ValueKind::Number(n) => Some(FieldValue::Int(*n)),
            ValueKind::Word(w) if w == "true" || w == "false" => {
                Some(FieldValue::Bool(w == "true"))
            }
            ValueKind::Word(w) | ValueKind::Str(w) => Some(FieldValue::Text(w.clone())),
            _ => self.invalid_value(value.span, "expected a word, text or number"),
        }
    }

    /// The enum value `set FIELD V` names: `parse`d from the value's text, else reported
    /// with the value `names` of the field.
    pub(super) fn enum_value<T>(
        &mut self,
        field: &str,
        value: &ast::Value,
        names: &[&str],
        parse: fn(&str) -> Option<T>,
    ) -> Option<T> {
        let text = value.kind.as_text();
        if let Some(v) = text.and_then(parse) {
            return Some(v);
        }
        self.err(suggest(
            Diagnostic::new(
                Code::InvalidValue,
                value.span,
                format!(
                    "`{}` is not a valid value for `{field}`",
                    text.unwrap_or("this value"),
                ),
            ),
            text.unwrap_or(""),
            names,
        ));
        None
    }
}
