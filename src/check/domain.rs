//! Can a set of conditions all hold at once? A per-field satisfiability check for the
//! `contradictory-conditions` lint (S3).
//!
//! Conditions are grouped by the value they constrain ([`Key`]); each group is solved on
//! its own, so a contradiction is only reported when the conditions on *one* field (or
//! one tag set, one time anchor) exclude each other. Every rule here follows from the
//! engine's evaluation (`engine/eval.rs`, mirrored in [`super::facts`]); when a condition
//! does not fit a solver exactly it is left out, which can only hide a contradiction,
//! never invent one.

use std::collections::BTreeSet;

use super::facts::{test_on_value, Known};
use super::ir::{ChangeHow, Cmp, Cond, Field, Lit, Role, Since, Test, TextOp, Until};
use crate::lang::fields;
use crate::lang::values::{Ranked, ValueType};
use crate::model::{Priority, Satisfaction, Status, TicketType};

/// A small closed domain, solved by trying every value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Finite {
    /// `status` (never unset).
    Status,
    /// `priority` (or unset).
    Priority,
    /// `type` (or unset).
    Type,
    /// `satisfaction` (never unset).
    Satisfaction,
    /// A boolean field.
    Bool(Field),
    /// `ticket is created|updated`.
    Created,
    /// `current_user`.
    CurrentUser,
    /// `window is open|closed`.
    Window,
    /// `comment is public|private` (no comment, public, private).
    CommentPublic,
}

impl Finite {
    fn size(&self) -> usize {
        match self {
            Finite::Status => Status::ALL.len(),
            Finite::Priority => Priority::ALL.len() + 1,
            Finite::Type => TicketType::ALL.len() + 1,
            Finite::Satisfaction => Satisfaction::ALL.len(),
            Finite::Bool(_) | Finite::Created | Finite::Window => 2,
            Finite::CurrentUser | Finite::CommentPublic => 3,
        }
    }

    /// The field value of candidate `i`, for the field domains.
    fn value(&self, i: usize) -> Known {
        match self {
            Finite::Priority if i == Priority::ALL.len() => Known::Null,
            Finite::Type if i == TicketType::ALL.len() => Known::Null,
            Finite::Bool(_) => Known::Bool(i == 1),
            _ => Known::Rank(i as u8),
        }
    }
}

/// What a condition constrains.
#[derive(Debug, Clone, PartialEq)]
enum Key {
    /// A closed domain.
    Finite(Finite),
    /// A text value (or a custom field read as text).
    Text(Field),
    /// A tag set.
    Tags(Field),
    /// A number of whole hours: anchor or deadline, business hours or not.
    Hours(Hours),
    /// A custom field read as a number.
    Number(Field),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Hours {
    Since(Since, bool),
    Until(Until, bool),
}

/// The value type of a field, from the catalogue.
fn value_type(f: &Field) -> Option<ValueType> {
    fields::of(f).map(|d| d.ty)
}

/// The closed domain of a field whose value type is an enum or a boolean.
fn finite_field(f: &Field) -> Option<Finite> {
    Some(match value_type(f)? {
        ValueType::Ordered(r) | ValueType::Enum(r) => match r {
            Ranked::Status => Finite::Status,
            Ranked::Priority => Finite::Priority,
            Ranked::TicketType => Finite::Type,
            Ranked::Satisfaction => Finite::Satisfaction,
        },
        ValueType::Bool => Finite::Bool(f.clone()),
        _ => return None,
    })
}

fn is_custom(f: &Field) -> bool {
    value_type(f) == Some(ValueType::Custom)
}

fn keys(c: &Cond) -> Vec<Key> {
    match &c.test {
        Test::Cmp { field, lits, .. } => match finite_field(field) {
            Some(d) => vec![Key::Finite(d)],
            None if is_custom(field) && lits.iter().all(|l| matches!(l, Lit::Num(_))) => {
                vec![Key::Number(field.clone())]
            }
            None => vec![Key::Text(field.clone())],
        },
        Test::Present { field, .. } => match finite_field(field) {
            Some(d) => vec![Key::Finite(d)],
            None if value_type(field) == Some(ValueType::Tags) => {
                vec![Key::Tags(field.clone())]
            }
            None if is_custom(field) => {
                vec![Key::Text(field.clone()), Key::Number(field.clone())]
            }
            None => vec![Key::Text(field.clone())],
        },
        Test::Changed { field, .. } => match finite_field(field) {
            Some(d) => vec![Key::Finite(d)],
            None => vec![Key::Text(field.clone())],
        },
        Test::Text { field, .. } | Test::Matches { field, .. } => vec![Key::Text(field.clone())],
        Test::Tags { field, .. } => vec![Key::Tags(field.clone())],
        Test::HoursSince {
            since, business, ..
        } => {
            let mut k = vec![Key::Hours(Hours::Since(*since, *business))];
            if matches!(since, Since::Status(_)) {
                k.push(Key::Finite(Finite::Status));
            }
            k
        }
        Test::HoursUntil {
            until, business, ..
        } => vec![Key::Hours(Hours::Until(*until, *business))],
        Test::TicketCreated(_) => vec![Key::Finite(Finite::Created)],
        Test::CurrentUser(_) => vec![Key::Finite(Finite::CurrentUser)],
        Test::WindowOpen(_) => vec![Key::Finite(Finite::Window)],
        Test::CommentPublic(_) => vec![Key::Finite(Finite::CommentPublic)],
        Test::WithinBusinessHours => Vec::new(),
    }
}

/// Can `c` hold when the domain `d` has candidate value `i`? `true` when `i` alone does
/// not rule it out.
fn finite_can_hold(d: &Finite, i: usize, c: &Cond) -> bool {
    let holds = match (&c.test, d) {
        (Test::TicketCreated(created), _) => (i == 0) == *created,
        (Test::CurrentUser(roles), _) => {
            let role = [Role::EndUser, Role::Agent, Role::System][i];
            roles.contains(&role)
        }
        (Test::WindowOpen(open), _) => (i == 0) == *open,
        // 0: no comment in this update (both forms are false), 1: public, 2: private.
        (Test::CommentPublic(public), _) => i != 0 && (i == 1) == *public,
        (
            Test::HoursSince {
                since: Since::Status(s),
                ..
            },
            Finite::Status,
        ) => {
            // "Hours since status X" is only true while the ticket is in X (S13).
            if c.negated {
                return true;
            }
            i == *s as u8 as usize
        }
        (test, d) => match test_on_value(test, &d.value(i)) {
            Some(b) => b,
            None => return true,
        },
    };
    holds ^ c.negated
}

fn finite_sat(d: &Finite, conds: &[&Cond]) -> bool {
    (0..d.size()).any(|i| conds.iter().all(|c| finite_can_hold(d, i, c)))
}

/// A literal whose equality with a value pins that value down to one lowercased text:
/// not empty (`none` equals empty text), not a number or boolean (a custom field may hold
/// a number `3` that equals both `"3"` and `"3.0"`).
fn pinning(l: &Lit) -> Option<&str> {
    match l {
        Lit::Text(s)
            if !s.is_empty() && s.trim().parse::<f64>().is_err() && s != "true" && s != "false" =>
        {
            Some(s)
        }
        _ => None,
    }
}

fn text_sat(conds: &[&Cond]) -> bool {
    // The value is one of `candidates` (when some `is`/`in` pins it), none of `excluded`,
    // and contains / does not contain the needles.
    let mut candidates: Option<BTreeSet<&str>> = None;
    let mut excluded: BTreeSet<&str> = BTreeSet::new();
    let mut present = false;
    let mut absent = false;
    let mut needles: Vec<&str> = Vec::new();
    let mut not_needles: Vec<&str> = Vec::new();
    for c in conds {
        let n = c.negated;
        match &c.test {
            Test::Cmp { cmp, lits, .. } if matches!(cmp, Cmp::Eq | Cmp::Ne) => {
                let is_eq = (*cmp == Cmp::Eq) ^ n;
                let pins: Option<Vec<&str>> = lits.iter().map(pinning).collect();
                if is_eq {
                    if let Some(p) = pins {
                        present = true;
                        let set: BTreeSet<&str> = p.into_iter().collect();
                        candidates = Some(match candidates {
                            None => set,
                            Some(prev) => prev.intersection(&set).copied().collect(),
                        });
                    }
                } else {
                    excluded.extend(lits.iter().filter_map(pinning));
                }
            }
            Test::Changed {
                how: ChangeHow::To(l),
                ..
            } if !n => {
                if let Some(p) = pinning(l) {
                    present = true;
                    let set = BTreeSet::from([p]);
                    candidates = Some(match candidates {
                        None => set,
                        Some(prev) => prev.intersection(&set).copied().collect(),
                    });
                }
            }
            Test::Present { present: p, .. } => {
                if *p ^ n {
                    present = true;
                } else {
                    absent = true;
                }
            }
            Test::Text { op, needle, .. } => match (op, n) {
                (TextOp::Contains, false) | (TextOp::NotContains, true) => {
                    // `contains ""` also holds on an empty text.
                    present |= !needle.is_empty();
                    needles.push(needle);
                }
                (TextOp::ContainsWord, false) => present = true,
                (TextOp::Contains, true) | (TextOp::NotContains, false) => not_needles.push(needle),
                (TextOp::ContainsWord, true) => {}
            },
            _ => {}
        }
    }
    if present && absent {
        return false;
    }
    match candidates {
        None => true,
        Some(cands) => cands.iter().any(|v| {
            !excluded.contains(v)
                && (!v.is_ascii()
                    || (needles.iter().all(|x| v.contains(x))
                        && not_needles.iter().all(|x| !v.contains(x))))
        }),
    }
}

fn tags_sat(conds: &[&Cond]) -> bool {
    let mut includes: Vec<&[String]> = Vec::new();
    let mut excludes: BTreeSet<&str> = BTreeSet::new();
    let mut present = false;
    let mut absent = false;
    for c in conds {
        match &c.test {
            Test::Tags { tags, include, .. } => {
                if include ^ c.negated {
                    includes.push(tags);
                    present = true;
                } else {
                    excludes.extend(tags.iter().map(String::as_str));
                }
            }
            Test::Present { present: p, .. } => {
                if p ^ c.negated {
                    present = true;
                } else {
                    absent = true;
                }
            }
            _ => {}
        }
    }
    !(present && absent)
        && includes
            .iter()
            .all(|set| set.iter().any(|t| !excludes.contains(t.as_str())))
}

/// Whole hours `lo..=hi` for which `h cmp n` holds.
fn hours_range(cmp: Cmp, n: i64) -> Option<(i64, i64)> {
    Some(match cmp {
        Cmp::Eq => (n, n),
        Cmp::Lt => (i64::MIN, n.checked_sub(1)?),
        Cmp::Le => (i64::MIN, n),
        Cmp::Gt => (n.checked_add(1)?, i64::MAX),
        Cmp::Ge => (n, i64::MAX),
        Cmp::Ne => return None,
    })
}

fn negate(cmp: Cmp) -> Cmp {
    match cmp {
        Cmp::Eq => Cmp::Ne,
        Cmp::Ne => Cmp::Eq,
        Cmp::Lt => Cmp::Ge,
        Cmp::Le => Cmp::Gt,
        Cmp::Gt => Cmp::Le,
        Cmp::Ge => Cmp::Lt,
    }
}

fn hours_sat(conds: &[&Cond]) -> bool {
    // A condition without `not` needs the anchor; then `not` conditions are plain
    // comparisons too. Without an anchor every `not …` holds.
    let hours = |c: &Cond| match c.test {
        Test::HoursSince { cmp, hours, .. } | Test::HoursUntil { cmp, hours, .. } => {
            Some((cmp, hours))
        }
        _ => None,
    };
    if !conds.iter().any(|c| !c.negated && hours(c).is_some()) {
        return true;
    }
    let (mut lo, mut hi) = (i64::MIN, i64::MAX);
    let mut not_equal = Vec::new();
    for c in conds {
        let Some((cmp, n)) = hours(c) else { continue };
        let cmp = if c.negated { negate(cmp) } else { cmp };
        match hours_range(cmp, n) {
            Some((a, b)) => {
                lo = lo.max(a);
                hi = hi.min(b);
            }
            None if cmp == Cmp::Ne => not_equal.push(n),
            // `< i64::MIN` or `> i64::MAX`: never holds.
            None => return false,
        }
    }
    lo <= hi
        && (lo..=hi)
            .take(not_equal.len() + 1)
            .any(|h| !not_equal.contains(&h))
}

fn number_sat(conds: &[&Cond]) -> bool {
    // A numeric comparison without `not` needs a number; then `not` ones compare too.
    let num = |c: &Cond| match &c.test {
        Test::Cmp { cmp, lits, .. } if lits.iter().all(|l| matches!(l, Lit::Num(_))) => {
            let ns: Vec<f64> = lits
                .iter()
                .filter_map(|l| match l {
                    Lit::Num(n) => Some(*n),
                    _ => None,
                })
                .collect();
            Some((*cmp, ns))
        }
        _ => None,
    };
    let mut absent = false;
    let mut needs_number = false;
    for c in conds {
        match &c.test {
            Test::Present { present, .. } if !(present ^ c.negated) => absent = true,
            _ if !c.negated && num(c).is_some_and(|(cmp, _)| cmp != Cmp::Ne) => needs_number = true,
            _ => {}
        }
    }
    if absent && needs_number {
        return false;
    }
    if !needs_number {
        return true;
    }
    // Bounds (value, inclusive) and the allowed points of `is`/`in`.
    let mut lower: Option<(f64, bool)> = None;
    let mut upper: Option<(f64, bool)> = None;
    let mut points: Option<Vec<f64>> = None;
    let mut not_points: Vec<f64> = Vec::new();
    for c in conds {
        let Some((cmp, ns)) = num(c) else { continue };
        let cmp = if c.negated { negate(cmp) } else { cmp };
        let Some(&n) = ns.first() else {
            if cmp == Cmp::Eq {
                return false; // `in []` never holds
            }
            continue;
        };
        match cmp {
            Cmp::Eq => {
                points = Some(match points {
                    None => ns,
                    Some(p) => p.into_iter().filter(|x| ns.contains(x)).collect(),
                })
            }
            Cmp::Ne => not_points.extend(ns),
            Cmp::Gt | Cmp::Ge => {
                let b = (n, cmp == Cmp::Ge);
                lower = Some(match lower {
                    Some(l) if l.0 > b.0 || (l.0 == b.0 && !l.1) => l,
                    _ => b,
                });
            }
            Cmp::Lt | Cmp::Le => {
                let b = (n, cmp == Cmp::Le);
                upper = Some(match upper {
                    Some(u) if u.0 < b.0 || (u.0 == b.0 && !u.1) => u,
                    _ => b,
                });
            }
        }
    }
    let fits = |x: f64| {
        lower.is_none_or(|(l, inc)| x > l || (inc && x == l))
            && upper.is_none_or(|(u, inc)| x < u || (inc && x == u))
            && !not_points.contains(&x)
    };
    match points {
        Some(p) => p.into_iter().any(fits),
        None => match (lower, upper) {
            (Some((l, li)), Some((u, ui))) => l < u || (l == u && li && ui && fits(l)),
            _ => true,
        },
    }
}

fn sat(key: &Key, conds: &[&Cond]) -> bool {
    match key {
        Key::Finite(d) => finite_sat(d, conds),
        Key::Text(_) => text_sat(conds),
        Key::Tags(_) => tags_sat(conds),
        Key::Hours(_) => hours_sat(conds),
        Key::Number(_) => number_sat(conds),
    }
}

/// The conditions (indices into `conds`) that cannot all hold together, smallest first
/// found: one condition that can never hold, else two that exclude each other, else every
/// condition on the field. `None` when no field's conditions contradict each other.
pub(crate) fn contradiction(conds: &[&Cond]) -> Option<Vec<usize>> {
    let mut groups: Vec<(Key, Vec<usize>)> = Vec::new();
    for (i, c) in conds.iter().enumerate() {
        for k in keys(c) {
            match groups.iter_mut().find(|(g, _)| *g == k) {
                Some((_, v)) => v.push(i),
                None => groups.push((k, vec![i])),
            }
        }
    }
    for (key, idx) in &groups {
        let pick = |ids: &[usize]| -> Vec<&Cond> { ids.iter().map(|&i| conds[i]).collect() };
        if sat(key, &pick(idx)) {
            continue;
        }
        for &i in idx {
            if !sat(key, &pick(&[i])) {
                return Some(vec![i]);
            }
        }
        for (n, &i) in idx.iter().enumerate() {
            for &j in &idx[n + 1..] {
                if !sat(key, &pick(&[i, j])) {
                    return Some(vec![i, j]);
                }
            }
        }
        return Some(idx.clone());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::resolve::resolve_file;
    use crate::syntax;

    /// The `when all` conditions of a one-rule file.
    fn all(conds: &str) -> Vec<Cond> {
        let src =
            format!("trigger \"t\" {{\n when all {{\n{conds}\n }}\n then {{ add tags x }}\n}}\n");
        let (ast, diags) = syntax::parse(&src);
        assert!(diags.is_empty(), "{diags:?}");
        let r = resolve_file(0, &ast, &src, None);
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        r.rules[0].all.clone()
    }

    fn contradicts(conds: &str) -> Option<Vec<usize>> {
        let cs = all(conds);
        let refs: Vec<&Cond> = cs.iter().collect();
        contradiction(&refs)
    }

    #[test]
    fn s3_same_field_two_values() {
        for (conds, which) in [
            ("status is open\nstatus is solved", vec![0, 1]),
            ("channel is whatsapp\nchannel is email", vec![0, 1]),
            ("group is \"Billing\"\ngroup is not billing", vec![0, 1]),
            ("tags includes vip\ntags excludes vip", vec![0, 1]),
            ("priority < low", vec![0]),
            ("status > closed", vec![0]),
            ("priority > high\npriority < normal", vec![0, 1]),
            (
                "hours since solved > 10\nhours since solved < 5",
                vec![0, 1],
            ),
            ("hours since pending > 2\nstatus is open", vec![0, 1]),
            ("ticket is created\nticket is updated", vec![0, 1]),
            ("assignee not present\nassignee is \"Priya\"", vec![0, 1]),
            ("field \"n\" > 5\nfield \"n\" < 3", vec![0, 1]),
            ("subject is \"hello\"\nsubject contains \"bye\"", vec![0, 1]),
            ("status changed to solved\nstatus is open", vec![0, 1]),
            // With the anchor present (first condition), `not … > 5` means `<= 5`.
            (
                "hours since solved > 10\nhours since created > 1\nnot hours since solved > 5",
                vec![0, 2],
            ),
        ] {
            assert_eq!(contradicts(conds), Some(which), "{conds}");
        }
    }

    #[test]
    fn s3_satisfiable_combinations_are_not_contradictions() {
        for ok in [
            "status is open\nstatus is not solved",
            "status in [open, pending]\nstatus is not open",
            "priority not present\npriority is none",
            "tags includes a, b\ntags excludes a",
            "hours since solved > 10\nhours since solved < 12",
            "not hours since solved > 5\nnot hours since solved < 10",
            "field \"n\" is 3\nfield \"n\" is \"3\"",
            "field \"n\" is \"3\"\nfield \"n\" is \"3.0\"",
            "group is none\ngroup is \"\"",
            "comment contains \"a\"\nnot comment contains \"b\"",
            "status changed from open\nstatus is open",
            "current_user is end_user\ncurrent_user is not agent",
            "field \"n\" >= 5\nfield \"n\" <= 5",
            "hours since pending > 20\nhours since pending < 5 business",
        ] {
            assert_eq!(contradicts(ok), None, "{ok}");
        }
    }

    #[test]
    fn s13_two_status_time_anchors_exclude_each_other() {
        assert_eq!(
            contradicts("hours since pending > 2\nhours since solved > 2"),
            Some(vec![0, 1])
        );
    }
}
