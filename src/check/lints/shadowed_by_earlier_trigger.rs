//! `shadowed-by-earlier-trigger` (S4, S5). Trigger T2 never fires when an earlier trigger
//! T1 (a) matches whenever T2 matches — T1's `when all` conditions are among T2's, and
//! T1 has no `when any` or one of its `when any` conditions is in T2's `when all` — and
//! (b) T1's actions certainly make one of T2's `when all` conditions C false, and (c) no
//! action of any other trigger can make C true again. Proof: in any pass where T2 would
//! match, T1 is evaluated first on the same ticket and fires; after T1 fired in an update,
//! C stays false for the rest of that update.

use std::collections::HashMap;

use super::{source, where_is, Input, Lint, RuleFacts};
use crate::check::facts::{eval_after, may_make_true, reads, writes, Mode, PostState, Slot};
use crate::check::ir::{Act, Cond};
use crate::check::FileDiagnostic;
use crate::diagnostic::{Code, Diagnostic};
use crate::syntax::ast::RuleKind;

pub(super) struct ShadowedByEarlierTrigger;

impl Lint for ShadowedByEarlierTrigger {
    fn code(&self) -> Code {
        Code::ShadowedByEarlierTrigger
    }

    fn rule_set(&self, input: &Input<'_>, out: &mut Vec<FileDiagnostic>) {
        shadowed(input, out);
    }
}

/// A key per distinct condition: equal keys mean the same test, so the same truth value
/// on the same ticket and update.
fn condition_key(c: &Cond) -> String {
    format!("{}{:?}", c.negated, c.test)
}

fn shadowed(input: &Input<'_>, out: &mut Vec<FileDiagnostic>) {
    let (rules, files) = (input.rules, input.files);
    let triggers: Vec<usize> = (0..rules.len())
        .filter(|&i| rules[i].kind == RuleKind::Trigger)
        .collect();
    if triggers.len() < 2 {
        return;
    }
    // Condition keys, interned.
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut intern = |c: &Cond| {
        let n = ids.len() as u32;
        *ids.entry(condition_key(c)).or_insert(n)
    };
    let mut all_keys: Vec<Vec<u32>> = Vec::with_capacity(triggers.len());
    let mut any_keys: Vec<Vec<u32>> = Vec::with_capacity(triggers.len());
    for &i in &triggers {
        let mut a: Vec<u32> = rules[i].all.iter().map(&mut intern).collect();
        a.sort_unstable();
        a.dedup();
        all_keys.push(a);
        any_keys.push(rules[i].any.iter().map(&mut intern).collect());
    }
    // Each trigger is filed under its rarest `when all` key: a trigger whose keys are a
    // subset of T2's is then found through one of T2's keys.
    let mut freq: HashMap<u32, usize> = HashMap::new();
    for keys in &all_keys {
        for k in keys {
            *freq.entry(*k).or_default() += 1;
        }
    }
    let mut anchored: HashMap<u32, Vec<usize>> = HashMap::new();
    for (p, keys) in all_keys.iter().enumerate() {
        if let Some(k) = keys.iter().min_by_key(|k| (freq.get(k), **k)) {
            anchored.entry(*k).or_default().push(p);
        }
    }
    // Who writes what, for (c).
    let mut writers: HashMap<Slot, Vec<(usize, &Act)>> = HashMap::new();
    for (p, &i) in triggers.iter().enumerate() {
        for a in &rules[i].actions {
            if let Some(s) = writes(a) {
                writers.entry(s).or_default().push((p, a));
            }
        }
    }
    let mut posts: Vec<Option<PostState>> = vec![None; triggers.len()];
    for (p2, &i2) in triggers.iter().enumerate() {
        let t2 = &rules[i2];
        if !input.facts[i2].as_ref().is_some_and(RuleFacts::satisfiable) {
            continue;
        }
        let mut best: Option<(usize, &Cond)> = None;
        for k in &all_keys[p2] {
            for &p1 in anchored.get(k).map(Vec::as_slice).unwrap_or(&[]) {
                if p1 >= p2 || best.is_some_and(|(b, _)| b <= p1) {
                    break;
                }
                let subset = all_keys[p1]
                    .iter()
                    .all(|k| all_keys[p2].binary_search(k).is_ok());
                let any_ok = any_keys[p1].is_empty()
                    || any_keys[p1]
                        .iter()
                        .any(|k| all_keys[p2].binary_search(k).is_ok());
                if !subset || !any_ok {
                    continue;
                }
                let t1 = &rules[triggers[p1]];
                let post =
                    posts[p1].get_or_insert_with(|| PostState::of(&t1.actions, Mode::Certainly));
                let falsified = t2.all.iter().find(|c| {
                    eval_after(c, post) == Some(false)
                        && !reads(&c.test).iter().any(|slot| {
                            writers.get(slot).is_some_and(|ws| {
                                ws.iter()
                                    .any(|&(p, a)| p != p1 && p != p2 && may_make_true(a, c))
                            })
                        })
                });
                if let Some(c) = falsified {
                    best = Some((p1, c));
                }
            }
        }
        let Some((p1, c)) = best else { continue };
        let t1 = &rules[triggers[p1]];
        let Some(f1) = files.get(t1.file) else {
            continue;
        };
        let act = t1
            .actions
            .iter()
            .rposition(|a| writes(a).is_some_and(|s| reads(&c.test).contains(&s)))
            .and_then(|i| t1.action_spans.get(i));
        let mut d = Diagnostic::new(
            Code::ShadowedByEarlierTrigger,
            t2.title_span,
            format!(
                "this trigger never fires: the earlier trigger \"{}\" matches whenever it does and makes `{}` false (S4, S5)",
                t1.title, c.text
            ),
        )
        .with_label(c.span, format!("made false by \"{}\"", t1.title));
        if t1.file == t2.file {
            d = d.with_label(t1.title_span, "this trigger matches first");
            if let Some(a) = act {
                d = d.with_label(*a, format!("this makes `{}` false", c.text));
            }
            d = d.with_help(format!(
                "move this trigger above \"{}\", or give \"{}\" a condition that excludes these tickets",
                t1.title, t1.title
            ));
        } else {
            let action = act.map(|a| source(f1, *a)).unwrap_or("its actions");
            d = d.with_help(format!(
                "\"{}\" ({}) fires first and its `{}` makes the condition false; move this trigger to an earlier file, or give \"{}\" a condition that excludes these tickets",
                t1.title,
                where_is(f1, t1.title_span),
                action,
                t1.title
            ));
        }
        out.push(FileDiagnostic {
            file: t2.file,
            diagnostic: d,
        });
    }
}
