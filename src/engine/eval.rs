//! Condition evaluation (S3, S6, S12–S14) over a ticket and the current update.
//!
//! Invariant: evaluation is pure (it reads the ticket, the update and the rule set and
//! changes nothing), and a trace's `matched` is `rule_matches` on the same input.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use jiff::Timestamp;

use crate::check::ir::{
    ChangeHow, Cmp, Cond, Field, Lit, Role, RuleIr, Since, Test, TextOp, Until,
};
use crate::check::value::{self, contains_word, ValueRef};
use crate::guards;
use crate::model::{FieldValue, Status, Ticket};

use super::outcome::{ConditionTrace, RuleTrace};
use super::ruleset::RuleSet;

/// The current update as conditions see it.
#[derive(Debug, Clone)]
pub(crate) struct Update {
    /// This update created the ticket (`ticket is created`).
    pub created: bool,
    /// `update.via`: channel name, `agent`, `macro`, `autoresponder`, `api`, `system`, `automation`.
    pub via: String,
    /// `current_user`.
    pub role: Role,
    /// This update's comment: (text, public).
    pub comment: Option<(String, bool)>,
    /// This update's message: (forwarded, has attachments).
    pub message: Option<(bool, bool)>,
    /// The time of the update (event `at`, or the automation run time).
    pub now: Timestamp,
    /// The ticket before this update (S6); `None` on create.
    pub baseline: Option<Ticket>,
    /// Record a [`RuleTrace`] for every rule considered (`run --explain`).
    pub explain: bool,
}

/// A field's value, borrowed from the ticket or the update.
#[derive(Debug, Clone, PartialEq)]
enum Val<'a> {
    Null,
    Rank(u8),
    Text(&'a str),
    Bool(bool),
    Num(f64),
    Set(&'a BTreeSet<String>),
}

fn opt_text(s: &Option<String>) -> Val<'_> {
    match s {
        Some(s) => Val::Text(s),
        None => Val::Null,
    }
}

fn field_value(v: Option<&FieldValue>) -> Val<'_> {
    match v {
        None => Val::Null,
        Some(FieldValue::Text(s)) => Val::Text(s),
        Some(FieldValue::Bool(b)) => Val::Bool(*b),
        Some(FieldValue::Int(i)) => Val::Num(*i as f64),
        Some(FieldValue::Float(x)) => Val::Num(*x),
    }
}

fn get<'a>(f: &Field, t: &'a Ticket, u: &'a Update) -> Val<'a> {
    match f {
        Field::Status => Val::Rank(t.status as u8),
        Field::Priority => t.priority.map_or(Val::Null, |p| Val::Rank(p as u8)),
        Field::Type => t.ticket_type.map_or(Val::Null, |p| Val::Rank(p as u8)),
        Field::Satisfaction => Val::Rank(t.satisfaction as u8),
        Field::Channel => Val::Text(t.channel.as_str()),
        Field::Subject => opt_text(&t.subject),
        Field::Tags => Val::Set(&t.tags),
        Field::Group => opt_text(&t.group),
        Field::Assignee => opt_text(&t.assignee),
        Field::Form => opt_text(&t.form),
        Field::Brand => opt_text(&t.brand),
        Field::Schedule => opt_text(&t.schedule),
        Field::Public => Val::Bool(t.has_public_comments()),
        Field::Organization => match &t.organization {
            Some(o) => o
                .name
                .as_deref()
                .or(o.id.as_deref())
                .map_or(Val::Null, Val::Text),
            None => Val::Null,
        },
        Field::OrganizationId => t
            .organization
            .as_ref()
            .and_then(|o| o.id.as_deref())
            .map_or(Val::Null, Val::Text),
        Field::RequesterId => opt_text(&t.requester.id),
        Field::RequesterName => opt_text(&t.requester.name),
        Field::RequesterEmail => opt_text(&t.requester.email),
        Field::RequesterPhone => opt_text(&t.requester.phone),
        Field::RequesterTags => Val::Set(&t.requester.tags),
        Field::RequesterOptedIn => Val::Bool(t.requester.opted_in),
        Field::Custom(n) => field_value(t.fields.get(n)),
        Field::RequesterField(n) => field_value(t.requester.fields.get(n)),
        Field::OrganizationField(n) => {
            field_value(t.organization.as_ref().and_then(|o| o.fields.get(n)))
        }
        Field::Comment => u.comment.as_ref().map_or(Val::Null, |(c, _)| Val::Text(c)),
        Field::UpdateVia => Val::Text(&u.via),
        Field::MessageForwarded => Val::Bool(u.message.is_some_and(|m| m.0)),
        Field::MessageHasAttachments => Val::Bool(u.message.is_some_and(|m| m.1)),
    }
}

/// The value as the shared comparison functions see it (`check::value`); a tag set has
/// no single value.
fn single<'a>(v: &Val<'a>) -> Option<ValueRef<'a>> {
    Some(match v {
        Val::Null => ValueRef::Null,
        Val::Rank(r) => ValueRef::Rank(*r),
        Val::Text(s) => ValueRef::Text(s),
        Val::Bool(b) => ValueRef::Bool(*b),
        Val::Num(n) => ValueRef::Num(*n),
        Val::Set(_) => return None,
    })
}

fn val_eq_lit(v: &Val, l: &Lit) -> bool {
    single(v).is_some_and(|v| value::eq_lit(v, l))
}

fn val_cmp_lit(v: &Val, l: &Lit) -> Option<Ordering> {
    value::cmp_lit(single(v)?, l)
}

fn present(v: &Val) -> bool {
    match v {
        Val::Set(s) => !s.is_empty(),
        v => single(v).is_some_and(value::present),
    }
}

/// Whole hours from `from` to `to`, floored (S12): `floor((to - from) / 1h)`.
pub(crate) fn whole_hours(from: Timestamp, to: Timestamp) -> i64 {
    (to.as_second() - from.as_second()).div_euclid(3600)
}

/// Evaluates one condition (with its `not`).
pub(crate) fn eval_cond(c: &Cond, t: &Ticket, u: &Update, rs: &RuleSet) -> bool {
    eval_test(&c.test, t, u, rs) ^ c.negated
}

/// True when the rule's conditions hold: all of `all` and one of `any` if written (S3).
pub(crate) fn rule_matches(r: &RuleIr, t: &Ticket, u: &Update, rs: &RuleSet) -> bool {
    r.all.iter().all(|c| eval_cond(c, t, u, rs))
        && (r.any.is_empty() || r.any.iter().any(|c| eval_cond(c, t, u, rs)))
}

fn eval_test(test: &Test, t: &Ticket, u: &Update, rs: &RuleSet) -> bool {
    match test {
        Test::Cmp { field, cmp, lits } => {
            let v = get(field, t, u);
            match cmp {
                Cmp::Eq => lits.iter().any(|l| val_eq_lit(&v, l)),
                Cmp::Ne => !lits.iter().any(|l| val_eq_lit(&v, l)),
                c => lits
                    .first()
                    .and_then(|l| val_cmp_lit(&v, l))
                    .is_some_and(|o| c.holds(o)),
            }
        }
        Test::Text { field, op, needle } => {
            let hay = match get(field, t, u) {
                Val::Text(s) => Some(s.to_lowercase()),
                Val::Num(n) => Some(n.to_string()),
                _ => None,
            };
            match (op, hay) {
                (TextOp::Contains, Some(h)) => h.contains(needle.as_str()),
                (TextOp::NotContains, Some(h)) => !h.contains(needle.as_str()),
                (TextOp::ContainsWord, Some(h)) => contains_word(&h, needle),
                (TextOp::NotContains, None) => true,
                (_, None) => false,
            }
        }
        Test::Matches { field, re } => match get(field, t, u) {
            Val::Text(s) => re.is_match(s),
            _ => false,
        },
        Test::Tags {
            field,
            tags,
            include,
        } => match get(field, t, u) {
            Val::Set(set) => {
                let any = tags.iter().any(|x| set.contains(x));
                if *include {
                    any
                } else {
                    !any
                }
            }
            _ => !include,
        },
        Test::Changed { field, how } => {
            let now = get(field, t, u);
            let (changed, before) = match &u.baseline {
                Some(b) => {
                    let before = get(field, b, u);
                    (now != before, before)
                }
                // On create the baseline is an empty ticket (S6): every set field has
                // changed, status `new` included.
                None if u.created => (present(&now) || matches!(field, Field::Status), Val::Null),
                // An automation before it acts: its baseline is the ticket itself.
                None => (false, now.clone()),
            };
            match how {
                ChangeHow::Changed => changed,
                ChangeHow::NotChanged => !changed,
                ChangeHow::To(l) => changed && val_eq_lit(&now, l),
                ChangeHow::From(l) => changed && val_eq_lit(&before, l),
            }
        }
        Test::Present { field, present: p } => present(&get(field, t, u)) == *p,
        Test::TicketCreated(c) => u.created == *c,
        Test::CommentPublic(p) => u.comment.as_ref().is_some_and(|(_, public)| public == p),
        Test::CurrentUser(roles) => roles.contains(&u.role),
        Test::WindowOpen(open) => {
            matches!(
                guards::window(t.last_end_user_message_at, u.now),
                guards::Window::Open { .. }
            ) == *open
        }
        Test::WithinBusinessHours => rs.calendar_for(t).is_open(u.now),
        Test::HoursSince { cmp, hours, .. } | Test::HoursUntil { cmp, hours, .. } => {
            hours_of(test, t, u, rs).is_some_and(|h| cmp.holds(h.cmp(hours)))
        }
    }
}

/// The time `hours since` counts from (S13); `None` when the ticket has none, or for a
/// status anchor when the ticket is no longer in that status.
pub(crate) fn anchor(since: Since, t: &Ticket) -> Option<Timestamp> {
    match since {
        Since::Created => Some(t.created_at),
        Since::Updated => Some(t.updated_at),
        Since::RequesterUpdate => t.requester_updated_at,
        Since::AssigneeUpdate => t.assignee_updated_at,
        Since::Status(s) => (t.status == s).then_some(t.status_changed_at),
        Since::Assigned => t.assigned_at,
        Since::LastEndUserMessage => t.last_end_user_message_at,
    }
}

/// The whole hours a time condition compares (S12–S14); `None` when the ticket has no
/// such time (or is not in the status).
fn hours_of(test: &Test, t: &Ticket, u: &Update, rs: &RuleSet) -> Option<i64> {
    match test {
        Test::HoursSince {
            since, business, ..
        } => {
            let anchor = anchor(*since, t)?;
            Some(if *business {
                rs.calendar_for(t).business_hours_between(anchor, u.now)
            } else {
                whole_hours(anchor, u.now)
            })
        }
        Test::HoursUntil {
            until, business, ..
        } => {
            let d = match until {
                Until::Due => t.due_at,
                Until::SlaBreach => t.sla_breach_at,
            }?;
            Some(match (*business, d >= u.now) {
                (false, _) => whole_hours(u.now, d),
                (true, true) => rs.calendar_for(t).business_hours_between(u.now, d),
                (true, false) => -rs.calendar_for(t).business_hours_between(d, u.now),
            })
        }
        _ => None,
    }
}

/// True for a status that reopens on an end-user message (S1).
pub(crate) fn reopens(s: Status) -> bool {
    matches!(s, Status::Pending | Status::Hold | Status::Solved)
}

fn show(v: &Val) -> String {
    match v {
        Val::Null => "none".into(),
        Val::Rank(r) => format!("#{r}"),
        Val::Text(s) => format!("\"{s}\""),
        Val::Bool(b) => b.to_string(),
        Val::Num(n) => n.to_string(),
        Val::Set(s) if s.is_empty() => "[]".into(),
        Val::Set(s) => format!("[{}]", s.iter().cloned().collect::<Vec<_>>().join(", ")),
    }
}

fn rank_name(f: &Field, r: u8) -> Option<&'static str> {
    use crate::model::{Priority, Satisfaction, TicketType};
    let i = r as usize;
    match f {
        Field::Status => Status::ALL.get(i).map(|s| s.as_str()),
        Field::Priority => Priority::ALL.get(i).map(|s| s.as_str()),
        Field::Type => TicketType::ALL.get(i).map(|s| s.as_str()),
        Field::Satisfaction => Satisfaction::ALL.get(i).map(|s| s.as_str()),
        _ => None,
    }
}

/// The value a condition looked at, in words, for explain traces.
fn actual(test: &Test, t: &Ticket, u: &Update, rs: &RuleSet) -> String {
    let field_val = |f: &Field| match get(f, t, u) {
        Val::Rank(r) => rank_name(f, r)
            .map(str::to_string)
            .unwrap_or_else(|| show(&Val::Rank(r))),
        v => show(&v),
    };
    match test {
        Test::Cmp { field, .. }
        | Test::Text { field, .. }
        | Test::Matches { field, .. }
        | Test::Tags { field, .. }
        | Test::Present { field, .. } => field_val(field),
        Test::Changed { field, .. } => {
            let before = match &u.baseline {
                Some(b) => match get(field, b, u) {
                    Val::Rank(r) => rank_name(field, r).map(str::to_string).unwrap_or_default(),
                    v => show(&v),
                },
                None => "none (created)".into(),
            };
            format!("{before} → {}", field_val(field))
        }
        Test::TicketCreated(_) => (if u.created { "created" } else { "updated" }).into(),
        Test::CommentPublic(_) => match &u.comment {
            Some((_, true)) => "public".into(),
            Some((_, false)) => "private".into(),
            None => "no comment".into(),
        },
        Test::CurrentUser(_) => match u.role {
            Role::EndUser => "end_user".into(),
            Role::Agent => "agent".into(),
            Role::System => "system".into(),
        },
        Test::WindowOpen(_) => match guards::window(t.last_end_user_message_at, u.now) {
            guards::Window::Open { closes_at } => format!("open until {closes_at}"),
            guards::Window::Closed { closed_at } => format!("closed at {closed_at}"),
            guards::Window::NeverOpened => "never opened".into(),
        },
        Test::WithinBusinessHours => (if rs.calendar_for(t).is_open(u.now) {
            "open"
        } else {
            "closed"
        })
        .into(),
        Test::HoursSince { .. } | Test::HoursUntil { .. } => match hours_of(test, t, u, rs) {
            Some(h) => format!("{h} hours"),
            None => "no such time on this ticket".into(),
        },
    }
}

/// The trace of one rule on this ticket and update: every condition evaluated.
pub(crate) fn trace(r: &RuleIr, t: &Ticket, u: &Update, rs: &RuleSet) -> RuleTrace {
    let all = r.all.iter().map(|c| (c, false));
    let any = r.any.iter().map(|c| (c, true));
    let conditions: Vec<ConditionTrace> = all
        .chain(any)
        .map(|(c, any)| ConditionTrace {
            text: c.text.clone(),
            value: eval_cond(c, t, u, rs),
            actual: actual(&c.test, t, u, rs),
            any,
        })
        .collect();
    RuleTrace {
        rule: r.id(),
        matched: rule_matches(r, t, u, rs),
        conditions,
        pass: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::RuleSource;
    use crate::engine::CompileOptions;
    use crate::model::{Account, Channel, Organization};

    #[test]
    fn s12_whole_hours_floor() {
        let solved: Timestamp = "2026-11-24T09:15:00Z".parse().unwrap();
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        assert_eq!(whole_hours(solved, at("2026-11-24T10:00:00Z")), 0);
        assert_eq!(whole_hours(solved, at("2026-11-24T11:00:00Z")), 1);
        assert_eq!(whole_hours(solved, at("2026-11-24T12:00:00Z")), 2);
        assert_eq!(whole_hours(at("2026-11-24T12:00:00Z"), solved), -3);
    }

    #[test]
    fn organization_id_reads_the_id_even_when_the_organization_has_a_name() {
        let now: Timestamp = "2026-11-24T09:00:00Z".parse().unwrap();
        let rule = "trigger \"Acme\" {\n  when all {\n    ticket is created\n    organization.id is \"360001\"\n  }\n  then {\n    add tags acme\n  }\n}\n";
        let sources = [RuleSource {
            name: "acme.rules".into(),
            text: rule.into(),
        }];
        let (rs, checked) =
            RuleSet::compile(&sources, Account::default(), CompileOptions::default()).unwrap();
        assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
        let u = Update {
            created: true,
            via: "email".into(),
            role: Role::EndUser,
            comment: None,
            message: None,
            now,
            baseline: None,
            explain: false,
        };
        let mut t = Ticket::new("T-1", Channel::Email, now);
        t.organization = Some(Organization {
            id: Some("360001".into()),
            name: Some("Acme Corp".into()),
            fields: Default::default(),
        });
        assert_eq!(get(&Field::OrganizationId, &t, &u), Val::Text("360001"));
        assert_eq!(get(&Field::Organization, &t, &u), Val::Text("Acme Corp"));
        assert!(rule_matches(&rs.triggers[0], &t, &u, &rs));
        t.organization = None;
        assert_eq!(get(&Field::OrganizationId, &t, &u), Val::Null);
        assert!(!rule_matches(&rs.triggers[0], &t, &u, &rs));
    }
}
