//! Conditions: `FIELD OPERATOR VALUE` against the catalogue's fields (the field's value
//! type decides its operators), the conditions about the update (`ticket`,
//! `current_user`, `window`, `comment is public`), and the time conditions (S12–S14).

use super::{flatten, lower, suggest, Resolver};
use crate::check::ir::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::lang::fields::{self, CustomFamily, FieldDef, Reads, ROLES};
use crate::lang::time::{self, TimeWord, SINCE, UNTIL};
use crate::lang::values::ValueType;
use crate::syntax::ast::{self, ConditionKind, FieldRef, Operator, Spanned, ValueKind};

impl Resolver<'_> {
    /// Resolves one condition; `in_any` when it stands in a `when any` block.
    pub(super) fn cond(&mut self, c: &ast::Condition, in_any: bool) -> Option<Cond> {
        let test = match &c.kind {
            ConditionKind::WithinBusinessHours => Some(Test::WithinBusinessHours),
            ConditionKind::HoursSince {
                what,
                op,
                hours,
                business,
            } => self
                .time_cond(c, in_any, what, op, SINCE, "time anchor", "hours since")
                .map(|(since, cmp)| Test::HoursSince {
                    since,
                    cmp,
                    hours: hours.node,
                    business: *business,
                }),
            ConditionKind::HoursUntil {
                what,
                op,
                hours,
                business,
            } => self
                .time_cond(c, in_any, what, op, UNTIL, "deadline", "hours until")
                .map(|(until, cmp)| Test::HoursUntil {
                    until,
                    cmp,
                    hours: hours.node,
                    business: *business,
                }),
            ConditionKind::Field { field, op, value } => self.field_cond(field, op, value.as_ref()),
        }?;
        Some(Cond {
            negated: c.negated,
            test,
            span: c.span,
            text: self.text(c.span),
        })
    }

    /// `hours since|until WORD OP N`: the word looked up in `table` (`noun` and `keyword`
    /// name it in messages) and the comparison. Time conditions belong in `when all` (S13).
    #[allow(clippy::too_many_arguments)]
    fn time_cond<T: Copy>(
        &mut self,
        c: &ast::Condition,
        in_any: bool,
        what: &Spanned<String>,
        op: &Spanned<Operator>,
        table: &[TimeWord<T>],
        noun: &str,
        keyword: &str,
    ) -> Option<(T, Cmp)> {
        if in_any {
            self.err(
                Diagnostic::new(
                    Code::TimeConditionInAny,
                    c.span,
                    "time conditions belong in `when all`, never in `when any` (S13)",
                )
                .with_help("move this condition into the `when all` block"),
            );
        }
        let word = what.node.as_str();
        let value = time::lookup(table, word);
        if value.is_none() {
            self.err(suggest(
                Diagnostic::new(
                    Code::UnknownField,
                    what.span,
                    format!("unknown {noun} `{word}` for `{keyword}`"),
                ),
                word,
                &time::words(table),
            ));
        }
        let cmp = self.time_cmp(op);
        Some((value?, cmp?))
    }

    fn time_cmp(&mut self, op: &Spanned<Operator>) -> Option<Cmp> {
        match op.node {
            Operator::Is => Some(Cmp::Eq),
            Operator::IsNot => Some(Cmp::Ne),
            Operator::Lt => Some(Cmp::Lt),
            Operator::Le => Some(Cmp::Le),
            Operator::Gt => Some(Cmp::Gt),
            Operator::Ge => Some(Cmp::Ge),
            other => {
                self.err(Diagnostic::new(
                    Code::InvalidOperator,
                    op.span,
                    format!(
                        "`{}` cannot compare hours; use `<`, `<=`, `>`, `>=`, `is` or `is not`",
                        other.as_str()
                    ),
                ));
                None
            }
        }
    }

    /// `FIELD OPERATOR [VALUE]`: the field is looked up in the catalogue.
    fn field_cond(
        &mut self,
        field: &Spanned<FieldRef>,
        op: &Spanned<Operator>,
        value: Option<&ast::Value>,
    ) -> Option<Test> {
        let (def, custom_name) = match &field.node {
            FieldRef::Named(name) => (fields::named(name), None),
            FieldRef::Custom(n) => (fields::custom(CustomFamily::Ticket), Some(n)),
            FieldRef::RequesterField(n) => (fields::custom(CustomFamily::Requester), Some(n)),
            FieldRef::OrganizationField(n) => (fields::custom(CustomFamily::Organization), Some(n)),
        };
        let Some(def) = def else {
            let name = match &field.node {
                FieldRef::Named(name) => name.as_str(),
                _ => "",
            };
            self.err(suggest(
                Diagnostic::new(
                    Code::UnknownField,
                    field.span,
                    format!("unknown field `{name}`"),
                ),
                name,
                &fields::names(),
            ));
            return None;
        };
        match (&def.reads, def.ty) {
            (Reads::TicketCreated, ValueType::OneOf(words)) => {
                let created = self.word_in(op, value, words)? == "created";
                Some(Test::TicketCreated(created ^ (op.node == Operator::IsNot)))
            }
            (Reads::Window, ValueType::OneOf(words)) => {
                let open = self.word_in(op, value, words)? == "open";
                Some(Test::WindowOpen(open ^ (op.node == Operator::IsNot)))
            }
            (Reads::CurrentUser, ValueType::AnyOf(words)) => {
                let roles: Vec<Role> = self
                    .words_in(op, value, words)?
                    .iter()
                    .filter_map(|w| ROLES.iter().find(|(name, _)| name == w))
                    .map(|(_, r)| *r)
                    .collect();
                // Negated: the roles not named, in the catalogue's order.
                let roles = if matches!(op.node, Operator::IsNot | Operator::NotIn) {
                    ROLES
                        .iter()
                        .map(|(_, r)| *r)
                        .filter(|r| !roles.contains(r))
                        .collect()
                } else {
                    roles
                };
                Some(Test::CurrentUser(roles))
            }
            (_, ValueType::Comment) if matches!(op.node, Operator::Is | Operator::IsNot) => {
                let public = self.word_in(op, value, &ValueType::Comment.words())? == "public";
                Some(Test::CommentPublic(public ^ (op.node == Operator::IsNot)))
            }
            (Reads::Field(f), _) => self.field_test(f.clone(), def, op, value),
            (Reads::Custom(family), _) => {
                let name = custom_name.map_or("", String::as_str);
                self.field_test(family.field(name), def, op, value)
            }
            // A catalogue row whose value type does not fit what it reads.
            _ => None,
        }
    }

    /// `is`/`is not` with one of `allowed` words; returns the lowercased word.
    fn word_in(
        &mut self,
        op: &Spanned<Operator>,
        value: Option<&ast::Value>,
        allowed: &[&str],
    ) -> Option<String> {
        if !matches!(op.node, Operator::Is | Operator::IsNot) {
            self.bad_op(op, "is, is not");
            return None;
        }
        let words = self.words_in(op, value, allowed)?;
        if words.len() != 1 {
            return self.invalid_value(
                value.map(|v| v.span).unwrap_or(op.span),
                "expected a single value",
            );
        }
        words.into_iter().next()
    }

    /// `is`/`is not`/`in`/`not in` with `allowed` words; returns them lowercased.
    fn words_in(
        &mut self,
        op: &Spanned<Operator>,
        value: Option<&ast::Value>,
        allowed: &[&str],
    ) -> Option<Vec<String>> {
        if !matches!(
            op.node,
            Operator::Is | Operator::IsNot | Operator::In | Operator::NotIn
        ) {
            self.bad_op(op, "is, is not, in, not in");
            return None;
        }
        let Some(value) = value else {
            return self.invalid_value(op.span, "a value is missing after the operator");
        };
        let mut out = Vec::new();
        for v in flatten(value) {
            match v.kind.as_text() {
                Some(w) if allowed.contains(&w.to_ascii_lowercase().as_str()) => {
                    out.push(w.to_ascii_lowercase())
                }
                Some(w) => {
                    self.err(suggest(
                        Diagnostic::new(
                            Code::InvalidValue,
                            v.span,
                            format!("`{w}` is not a valid value here"),
                        ),
                        w,
                        allowed,
                    ));
                    return None;
                }
                None => {
                    return self
                        .invalid_value(v.span, format!("expected one of: {}", allowed.join(", ")));
                }
            }
        }
        Some(out)
    }

    fn bad_op(&mut self, op: &Spanned<Operator>, allowed: &str) {
        self.err(
            Diagnostic::new(
                Code::InvalidOperator,
                op.span,
                format!(
                    "the operator `{}` does not apply to this field",
                    op.node.as_str()
                ),
            )
            .with_help(format!("use one of: {allowed}")),
        );
    }

    /// A test of field `f`, whose catalogue row `def` gives the operators it takes and
    /// how its values are read.
    fn field_test(
        &mut self,
        f: Field,
        def: &FieldDef,
        op: &Spanned<Operator>,
        value: Option<&ast::Value>,
    ) -> Option<Test> {
        use Operator::*;
        let ty = def.ty;
        if !ty.accepts(op.node, def.changeable()) {
            self.bad_op(op, &ty.operators_help(def.changeable()));
            return None;
        }
        match op.node {
            Present | NotPresent => Some(Test::Present {
                field: f,
                present: op.node == Present,
            }),
            Changed | NotChanged => Some(Test::Changed {
                field: f,
                how: if op.node == Changed {
                    ChangeHow::Changed
                } else {
                    ChangeHow::NotChanged
                },
            }),
            ChangedTo | ChangedFrom => {
                let v = self.need_value(op, value)?;
                let lit = self.lit(ty, v)?;
                Some(Test::Changed {
                    field: f,
                    how: if op.node == ChangedTo {
                        ChangeHow::To(lit)
                    } else {
                        ChangeHow::From(lit)
                    },
                })
            }
            Includes | Excludes => {
                let v = self.need_value(op, value)?;
                Some(Test::Tags {
                    field: f,
                    tags: self.tag_list(v)?,
                    include: op.node == Includes,
                })
            }
            Contains | NotContains | ContainsWord => {
                let v = self.need_value(op, value)?;
                let Some(t) = v.kind.as_text() else {
                    return self.invalid_value(v.span, "expected a quoted text");
                };
                let op = match op.node {
                    Contains => TextOp::Contains,
                    NotContains => TextOp::NotContains,
                    _ => TextOp::ContainsWord,
                };
                Some(Test::Text {
                    field: f,
                    op,
                    needle: lower(t),
                })
            }
            Matches => {
                let v = self.need_value(op, value)?;
                let (ValueKind::Regex(p) | ValueKind::Str(p)) = &v.kind else {
                    return self.invalid_value(v.span, "expected a regex literal `/…/`");
                };
                match Pattern::new(p) {
                    Ok(re) => Some(Test::Matches { field: f, re }),
                    Err(e) => {
                        let msg = match e {
                            PatternError::TooBig => format!(
                                "the regex is larger than the limit of {REGEX_SIZE_LIMIT} bytes when compiled"
                            ),
                            PatternError::Syntax(m) => format!("invalid regex: {m}"),
                        };
                        self.err(Diagnostic::new(Code::InvalidRegex, v.span, msg));
                        None
                    }
                }
            }
            Is | IsNot | In | NotIn | Lt | Le | Gt | Ge => {
                let v = self.need_value(op, value)?;
                let items = flatten(v);
                if matches!(op.node, Is | IsNot | Lt | Le | Gt | Ge) && items.len() != 1 {
                    self.err(
                        Diagnostic::new(Code::InvalidValue, v.span, "expected a single value")
                            .with_help("use `in [a, b]` to test several values"),
                    );
                    return None;
                }
                let mut lits = Vec::new();
                for item in items {
                    lits.push(self.lit(ty, item)?);
                }
                let cmp = match op.node {
                    Is | In => Cmp::Eq,
                    IsNot | NotIn => Cmp::Ne,
                    Lt => Cmp::Lt,
                    Le => Cmp::Le,
                    Gt => Cmp::Gt,
                    _ => Cmp::Ge,
                };
                if matches!(cmp, Cmp::Lt | Cmp::Le | Cmp::Gt | Cmp::Ge)
                    && ty == ValueType::Custom
                    && !matches!(lits[0], Lit::Num(_))
                {
                    return self.invalid_value(
                        v.span,
                        "`<`, `<=`, `>`, `>=` on a custom field need a number",
                    );
                }
                Some(Test::Cmp {
                    field: f,
                    cmp,
                    lits,
                })
            }
        }
    }
}
