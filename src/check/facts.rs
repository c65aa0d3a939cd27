//! What `check` can know statically about conditions and actions, for the rule-set lints:
//! the value a field holds after a rule's actions ([`PostState`]), whether a condition
//! is then true or false ([`eval_after`]), and which fields a condition reads and an
//! action writes ([`Slot`], [`reads`], [`writes`]).
//!
//! The value semantics are the engine's own, from [`super::value`].

use std::cmp::Ordering;
use std::collections::BTreeSet;

use super::ir::{Act, ChangeHow, Cmp, Cond, Field, Lit, Since, Test, TextField, TextOp};
use super::value::{self, contains_word, ValueRef};
use crate::model::{FieldValue, Status};

/// A field value known statically: what an action set it to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Known {
    /// No value (`none`, a cleared field).
    Null,
    /// An ordered enum value (status, priority, type, satisfaction) by rank.
    Rank(u8),
    /// Text, as written (not lowercased).
    Text(String),
    /// A boolean.
    Bool(bool),
    /// A number.
    Num(f64),
}

impl Known {
    fn from_field_value(v: &FieldValue) -> Known {
        match v {
            FieldValue::Bool(b) => Known::Bool(*b),
            FieldValue::Int(i) => Known::Num(*i as f64),
            FieldValue::Float(x) => Known::Num(*x),
            FieldValue::Text(s) => Known::Text(s.clone()),
        }
    }

    fn from_opt_text(v: &Option<String>) -> Known {
        v.as_ref().map_or(Known::Null, |s| Known::Text(s.clone()))
    }
}

impl Known {
    fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Known::Null => ValueRef::Null,
            Known::Rank(r) => ValueRef::Rank(*r),
            Known::Text(s) => ValueRef::Text(s),
            Known::Bool(b) => ValueRef::Bool(*b),
            Known::Num(n) => ValueRef::Num(*n),
        }
    }
}

/// `is` between a value and one literal (the engine's equality, `check::value`).
pub(crate) fn eq_lit(v: &Known, l: &Lit) -> bool {
    value::eq_lit(v.as_ref(), l)
}

fn cmp_lit(v: &Known, l: &Lit) -> Option<Ordering> {
    value::cmp_lit(v.as_ref(), l)
}

fn present(v: &Known) -> bool {
    value::present(v.as_ref())
}

/// The truth of a test that reads only one field's current value, given that value
/// (without the condition's `not`). `None` when the value alone does not decide it
/// (`changed` compares with the baseline; `changed to V` is false when the value is not V).
pub(crate) fn test_on_value(test: &Test, v: &Known) -> Option<bool> {
    match test {
        Test::Cmp { cmp, lits, .. } => Some(match cmp {
            Cmp::Eq => lits.iter().any(|l| eq_lit(v, l)),
            Cmp::Ne => !lits.iter().any(|l| eq_lit(v, l)),
            c => lits
                .first()
                .and_then(|l| cmp_lit(v, l))
                .is_some_and(|o| c.holds(o)),
        }),
        Test::Text { op, needle, .. } => {
            let hay = match v {
                Known::Text(s) => Some(s.to_lowercase()),
                Known::Num(n) => Some(n.to_string()),
                _ => None,
            };
            Some(match (op, hay) {
                (TextOp::Contains, Some(h)) => h.contains(needle.as_str()),
                (TextOp::NotContains, Some(h)) => !h.contains(needle.as_str()),
                (TextOp::ContainsWord, Some(h)) => contains_word(&h, needle),
                (TextOp::NotContains, None) => true,
                (_, None) => false,
            })
        }
        Test::Matches { re, .. } => Some(match v {
            Known::Text(s) => re.is_match(s),
            _ => false,
        }),
        Test::Present { present: p, .. } => Some(present(v) == *p),
        Test::Changed {
            how: ChangeHow::To(l),
            ..
        } => (!eq_lit(v, l)).then_some(false),
        _ => None,
    }
}

/// A part of the ticket that rule actions can write and conditions can read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Slot {
    /// `status` (and the time it entered its status: `hours since open|pending|…`).
    Status,
    /// `priority`.
    Priority,
    /// `type`.
    Type,
    /// `satisfaction`.
    Satisfaction,
    /// `group`.
    Group,
    /// `assignee` (and `hours since assigned`).
    Assignee,
    /// `schedule` (and business-hours conditions, S14).
    Schedule,
    /// `form`.
    Form,
    /// `brand`.
    Brand,
    /// A ticket custom field.
    Custom(String),
    /// The ticket's tags.
    Tags,
    /// The ticket's comments (`public`: a sent message adds a public comment).
    Comments,
}

/// The slot a condition field lives in, if actions can write it.
pub(crate) fn field_slot(f: &Field) -> Option<Slot> {
    Some(match f {
        Field::Status => Slot::Status,
        Field::Priority => Slot::Priority,
        Field::Type => Slot::Type,
        Field::Satisfaction => Slot::Satisfaction,
        Field::Group => Slot::Group,
        Field::Assignee => Slot::Assignee,
        Field::Schedule => Slot::Schedule,
        Field::Form => Slot::Form,
        Field::Brand => Slot::Brand,
        Field::Custom(n) => Slot::Custom(n.clone()),
        Field::Tags => Slot::Tags,
        Field::Public => Slot::Comments,
        _ => return None,
    })
}

/// The slots whose value a test depends on (besides the update and the clock).
pub(crate) fn reads(test: &Test) -> Vec<Slot> {
    match test {
        Test::Cmp { field, .. }
        | Test::Text { field, .. }
        | Test::Matches { field, .. }
        | Test::Tags { field, .. }
        | Test::Changed { field, .. }
        | Test::Present { field, .. } => field_slot(field).into_iter().collect(),
        Test::HoursSince {
            since, business, ..
        } => {
            let mut v = match since {
                Since::Status(_) => vec![Slot::Status],
                Since::Assigned => vec![Slot::Assignee],
                _ => Vec::new(),
            };
            if *business {
                v.push(Slot::Schedule);
            }
            v
        }
        Test::HoursUntil { business, .. } => {
            if *business {
                vec![Slot::Schedule]
            } else {
                Vec::new()
            }
        }
        Test::WithinBusinessHours => vec![Slot::Schedule],
        Test::TicketCreated(_)
        | Test::CommentPublic(_)
        | Test::CurrentUser(_)
        | Test::WindowOpen(_) => Vec::new(),
    }
}

/// The slot an action writes, if any.
pub(crate) fn writes(act: &Act) -> Option<Slot> {
    Some(match act {
        Act::SetStatus(_) => Slot::Status,
        Act::SetPriority(_) => Slot::Priority,
        Act::SetType(_) => Slot::Type,
        Act::SetSatisfaction(_) => Slot::Satisfaction,
        Act::SetText(which, _) => text_slot(*which),
        Act::SetCustom(n, _) => Slot::Custom(n.clone()),
        Act::AddTags(_) | Act::RemoveTags(_) | Act::SetTags(_) => Slot::Tags,
        Act::SendMessage(_) | Act::SendTemplate { .. } => Slot::Comments,
        Act::AddNote(_) | Act::Notify { .. } => return None,
    })
}

fn text_slot(which: TextField) -> Slot {
    match which {
        TextField::Group => Slot::Group,
        TextField::Assignee => Slot::Assignee,
        TextField::Schedule => Slot::Schedule,
        TextField::Form => Slot::Form,
        TextField::Brand => Slot::Brand,
    }
}

/// How to read an action whose effect the engine may refuse at runtime (S1: `set status
/// new` on a ticket that left `new`, `set status solved` without an assignee, clearing the
/// assignee of a solved ticket — the refusals of `engine/update.rs`, `Work::act`) or whose
/// side effect depends on the ticket (`set assignee` restarts `hours since assigned` only
/// when the assignee changes). Every other action always takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Only what certainly happens: refusable actions leave their field unknown. For
    /// lints that claim a condition *is* false afterwards (shadowing).
    Certainly,
    /// Every action takes effect, side effects included. For lints that must not claim an
    /// action *fails* to make a condition false when it might (S8, S15).
    Possibly,
}

/// What is known about the tags after some actions.
#[derive(Debug, Clone, Default)]
struct TagState {
    /// The whole set, after a `set tags`.
    exact: Option<BTreeSet<String>>,
    /// Tags certainly present.
    has: BTreeSet<String>,
    /// Tags certainly absent.
    lacks: BTreeSet<String>,
}

impl TagState {
    fn add(&mut self, tags: &[String]) {
        for t in tags {
            match &mut self.exact {
                Some(e) => {
                    e.insert(t.clone());
                }
                None => {
                    self.lacks.remove(t);
                    self.has.insert(t.clone());
                }
            }
        }
    }

    fn remove(&mut self, tags: &[String]) {
        for t in tags {
            match &mut self.exact {
                Some(e) => {
                    e.remove(t);
                }
                None => {
                    self.has.remove(t);
                    self.lacks.insert(t.clone());
                }
            }
        }
    }

    fn set(&mut self, tags: &[String]) {
        self.exact = Some(tags.iter().cloned().collect());
        self.has.clear();
        self.lacks.clear();
    }

    /// `tags includes T` (at least one of T), if known.
    fn includes(&self, tags: &[String]) -> Option<bool> {
        if let Some(e) = &self.exact {
            return Some(tags.iter().any(|t| e.contains(t)));
        }
        if tags.iter().any(|t| self.has.contains(t)) {
            Some(true)
        } else if tags.iter().all(|t| self.lacks.contains(t)) {
            Some(false)
        } else {
            None
        }
    }

    /// `tags present`, if known.
    fn present(&self) -> Option<bool> {
        match &self.exact {
            Some(e) => Some(!e.is_empty()),
            None if !self.has.is_empty() => Some(true),
            None => None,
        }
    }
}

/// What is known about the ticket after a list of actions applied in order: the last
/// write of each slot wins; tags compose.
#[derive(Debug, Clone)]
pub(crate) struct PostState {
    mode: Mode,
    /// Written slots with their value (`None`: written, value unknown).
    scalars: Vec<(Slot, Option<Known>)>,
    tags: TagState,
}

impl PostState {
    /// The state after `actions`, read in `mode`.
    pub(crate) fn of(actions: &[Act], mode: Mode) -> PostState {
        let mut s = PostState {
            mode,
            scalars: Vec::new(),
            tags: TagState::default(),
        };
        for a in actions {
            s.apply(a);
        }
        s
    }

    fn put(&mut self, slot: Slot, v: Option<Known>) {
        match self.scalars.iter_mut().find(|(s, _)| *s == slot) {
            Some(e) => e.1 = v,
            None => self.scalars.push((slot, v)),
        }
    }

    fn known(&self, slot: &Slot) -> Option<&Known> {
        self.scalars
            .iter()
            .find(|(s, _)| s == slot)
            .and_then(|(_, v)| v.as_ref())
    }

    fn apply(&mut self, a: &Act) {
        let certain = self.mode == Mode::Certainly;
        match a {
            Act::SetStatus(s) => {
                let refusable = matches!(s, Status::New | Status::Solved);
                let v = (!(certain && refusable)).then_some(Known::Rank(*s as u8));
                self.put(Slot::Status, v);
            }
            Act::SetPriority(p) => self.put(
                Slot::Priority,
                Some(p.map_or(Known::Null, |p| Known::Rank(p as u8))),
            ),
            Act::SetType(t) => self.put(
                Slot::Type,
                Some(t.map_or(Known::Null, |t| Known::Rank(t as u8))),
            ),
            Act::SetSatisfaction(s) => self.put(Slot::Satisfaction, Some(Known::Rank(*s as u8))),
            Act::SetText(which, v) => {
                let refusable = *which == TextField::Assignee && v.is_none();
                let known = (!(certain && refusable)).then(|| Known::from_opt_text(v));
                self.put(text_slot(*which), known);
            }
            Act::SetCustom(n, v) => {
                self.put(Slot::Custom(n.clone()), Some(Known::from_field_value(v)))
            }
            Act::AddTags(t) => self.tags.add(t),
            Act::RemoveTags(t) => self.tags.remove(t),
            Act::SetTags(t) => self.tags.set(t),
            Act::SendMessage(_) | Act::SendTemplate { .. } => self.put(Slot::Comments, None),
            Act::AddNote(_) | Act::Notify { .. } => {}
        }
    }
}

/// The truth of `cond` (with its `not`) right after the actions of `post`, when the
/// actions decide it; `None` when it still depends on the ticket or the update.
pub(crate) fn eval_after(cond: &Cond, post: &PostState) -> Option<bool> {
    let t = match &cond.test {
        Test::Tags {
            field: Field::Tags,
            tags,
            include,
        } => post.tags.includes(tags).map(|inc| inc == *include)?,
        Test::Present {
            field: Field::Tags,
            present: p,
        } => post.tags.present().map(|pr| pr == *p)?,
        Test::Cmp { field, .. }
        | Test::Text { field, .. }
        | Test::Matches { field, .. }
        | Test::Present { field, .. }
        | Test::Changed { field, .. } => {
            let slot = field_slot(field)?;
            if matches!(slot, Slot::Tags | Slot::Comments) {
                return None;
            }
            test_on_value(&cond.test, post.known(&slot)?)?
        }
        Test::HoursSince {
            since: Since::Status(s),
            ..
        } => match post.known(&Slot::Status) {
            // "Hours since status X" is only true while the ticket is in X (S13).
            Some(Known::Rank(r)) if *r != *s as u8 => false,
            _ => return None,
        },
        Test::HoursSince {
            since: Since::Assigned,
            cmp,
            hours,
            business: false,
        } if post.mode == Mode::Possibly => match post.known(&Slot::Assignee) {
            // A new assignee restarts the count at 0.
            Some(Known::Text(a)) if !a.is_empty() => cmp.holds(0.cmp(hours)),
            _ => return None,
        },
        _ => return None,
    };
    Some(t ^ cond.negated)
}

/// True unless `act` certainly cannot turn `cond` from false to true: it writes nothing
/// the condition reads, or its result makes the condition false.
pub(crate) fn may_make_true(act: &Act, cond: &Cond) -> bool {
    let Some(slot) = writes(act) else {
        return false;
    };
    if !reads(&cond.test).contains(&slot) {
        return false;
    }
    match (&cond.test, act) {
        // Adding can only make `includes`/`present` true; removing only `excludes`/`not present`.
        (
            Test::Tags {
                field: Field::Tags,
                tags,
                include,
            },
            Act::AddTags(a) | Act::RemoveTags(a),
        ) => {
            let adds = matches!(act, Act::AddTags(_));
            (include ^ cond.negated) == adds && a.iter().any(|t| tags.contains(t))
        }
        (
            Test::Present {
                field: Field::Tags,
                present,
            },
            Act::AddTags(a) | Act::RemoveTags(a),
        ) => {
            let adds = matches!(act, Act::AddTags(_));
            (present ^ cond.negated) == adds && !a.is_empty()
        }
        _ => {
            let post = PostState::of(std::slice::from_ref(act), Mode::Possibly);
            eval_after(cond, &post) != Some(false)
        }
    }
}

/// A condition that can be true only once per ticket: `hours since X is N` in calendar
/// hours (S15; the business-hours form can hold for many runs while the office is closed).
pub(crate) fn true_only_once(c: &Cond) -> bool {
    !c.negated
        && matches!(
            c.test,
            Test::HoursSince {
                cmp: Cmp::Eq,
                business: false,
                ..
            }
        )
}

/// S15 (and S8 for triggers): an action makes one of the rule's conditions false — one
/// of `when all`, or every one of `when any` — or such a condition is true only once.
/// Read in [`Mode::Possibly`], so that a rule is never blamed when it might be nullified.
pub(crate) fn nullified(all: &[Cond], any: &[Cond], actions: &[Act]) -> bool {
    let post = PostState::of(actions, Mode::Possibly);
    let off = |c: &Cond| true_only_once(c) || eval_after(c, &post) == Some(false);
    all.iter().any(off) || (!any.is_empty() && any.iter().all(off))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::ir::Cond;
    use crate::model::Priority;
    use crate::syntax::ast::Span;

    fn cond(test: Test, negated: bool) -> Cond {
        Cond {
            negated,
            test,
            span: Span::default(),
            text: String::new(),
        }
    }

    /// `FIELD OP LIT`, not negated.
    fn cmp(field: Field, cmp: Cmp, lit: Lit) -> Cond {
        cond(
            Test::Cmp {
                field,
                cmp,
                lits: vec![lit],
            },
            false,
        )
    }

    fn tags(include: bool, t: &[&str]) -> Test {
        Test::Tags {
            field: Field::Tags,
            tags: t.iter().map(|s| s.to_string()).collect(),
            include,
        }
    }

    fn strs(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn s15_add_tag_nullifies_tags_excludes() {
        let c = cond(tags(false, &["nudged"]), false);
        assert!(nullified(
            std::slice::from_ref(&c),
            &[],
            &[Act::AddTags(strs(&["nudged"]))]
        ));
        // Adding another tag does not.
        assert!(!nullified(
            std::slice::from_ref(&c),
            &[],
            &[Act::AddTags(strs(&["other"]))]
        ));
        // A later `remove tags` undoes it.
        assert!(!nullified(
            &[c],
            &[],
            &[
                Act::AddTags(strs(&["nudged"])),
                Act::RemoveTags(strs(&["nudged"]))
            ]
        ));
    }

    #[test]
    fn s15_setting_priority_none_does_not_nullify_priority_is_none() {
        let c = cmp(Field::Priority, Cmp::Eq, Lit::Null);
        assert!(!nullified(
            std::slice::from_ref(&c),
            &[],
            &[Act::SetPriority(None)]
        ));
        assert!(nullified(
            &[c],
            &[],
            &[Act::SetPriority(Some(Priority::High))]
        ));
    }

    #[test]
    fn s15_when_any_needs_every_condition_nullified() {
        let a = cond(tags(false, &["x"]), false);
        let b = cmp(Field::Priority, Cmp::Lt, Lit::Rank(Priority::High as u8));
        let add_x = Act::AddTags(strs(&["x"]));
        assert!(!nullified(
            &[],
            &[a.clone(), b.clone()],
            std::slice::from_ref(&add_x)
        ));
        assert!(nullified(
            &[],
            &[a, b],
            &[add_x, Act::SetPriority(Some(Priority::High))]
        ));
    }

    #[test]
    fn s13_set_status_ends_hours_since_that_status() {
        let c = cond(
            Test::HoursSince {
                since: Since::Status(Status::Pending),
                cmp: Cmp::Gt,
                hours: 24,
                business: false,
            },
            false,
        );
        let post = PostState::of(&[Act::SetStatus(Status::Open)], Mode::Certainly);
        assert_eq!(eval_after(&c, &post), Some(false));
        let post = PostState::of(&[Act::SetStatus(Status::Pending)], Mode::Certainly);
        assert_eq!(eval_after(&c, &post), None);
    }

    #[test]
    fn s1_refusable_actions_are_unknown_when_certain() {
        let c = cmp(Field::Status, Cmp::Eq, Lit::Rank(Status::Open as u8));
        let solved = [Act::SetStatus(Status::Solved)];
        assert_eq!(
            eval_after(&c, &PostState::of(&solved, Mode::Certainly)),
            None
        );
        assert_eq!(
            eval_after(&c, &PostState::of(&solved, Mode::Possibly)),
            Some(false)
        );
    }

    #[test]
    fn text_values_compare_like_the_engine() {
        let c = cond(
            Test::Text {
                field: Field::Group,
                op: TextOp::Contains,
                needle: "bill".into(),
            },
            false,
        );
        let post = PostState::of(
            &[Act::SetText(TextField::Group, Some("Billing".into()))],
            Mode::Certainly,
        );
        assert_eq!(eval_after(&c, &post), Some(true));
        let none_is_empty = eq_lit(&Known::Text(String::new()), &Lit::Null);
        assert!(none_is_empty);
        assert!(eq_lit(&Known::Num(3.0), &Lit::Text("3".into())));
    }

    #[test]
    fn may_make_true_follows_the_direction_of_tag_actions() {
        let excl = cond(tags(false, &["x"]), false);
        assert!(may_make_true(&Act::RemoveTags(strs(&["x"])), &excl));
        assert!(!may_make_true(&Act::RemoveTags(strs(&["y"])), &excl));
        assert!(!may_make_true(&Act::AddTags(strs(&["x"])), &excl));
        assert!(may_make_true(&Act::SetTags(strs(&["y"])), &excl));
        assert!(!may_make_true(&Act::SetTags(strs(&["x"])), &excl));
        assert!(!may_make_true(&Act::SetPriority(None), &excl));
    }
}
