//! Rule-set lints over resolved rules: per-rule lints in a table ([`RULE_LINTS`]) that
//! share one [`RuleFacts`] per rule, and two lints that look across rules
//! ([`duplicate_rules`] over every parsed title, `shadowed-by-earlier-trigger`). A finding about a whole rule points
//! at its title, with labels on the parts involved (events.md).

use std::collections::HashMap;

use super::domain;
use super::facts::{self, eval_after, may_make_true, reads, writes, Mode, PostState, Slot};
use super::ir::{Act, ChangeHow, Cmp, Cond, Field, Lit, Piece, RuleIr, Since, Test};
use super::FileDiagnostic;
use crate::diagnostic::{Code, Diagnostic, SourceFile};
use crate::guards::{self, Shorthand};
use crate::syntax::ast::{RuleKind, Span};

/// What the per-rule lints need to know about a rule, computed once.
struct RuleFacts<'r> {
    /// Conditions that can never all hold, if any.
    contradiction: Option<Contradiction<'r>>,
    /// An action makes a condition false, or a condition holds only once (S15, S8).
    nullified: bool,
}

enum Contradiction<'r> {
    /// These `when all` conditions exclude each other (one alone: it can never hold).
    All(Vec<&'r Cond>),
    /// Each `when any` condition contradicts the `when all` block.
    Any,
}

impl<'r> RuleFacts<'r> {
    fn of(r: &'r RuleIr) -> Self {
        let all: Vec<&Cond> = r.all.iter().collect();
        let contradiction = match domain::contradiction(&all) {
            Some(idx) => Some(Contradiction::All(
                idx.into_iter().map(|i| all[i]).collect(),
            )),
            None if !r.any.is_empty()
                && r.any.iter().all(|c| {
                    let mut with = all.clone();
                    with.push(c);
                    domain::contradiction(&with).is_some()
                }) =>
            {
                Some(Contradiction::Any)
            }
            None => None,
        };
        RuleFacts {
            contradiction,
            nullified: facts::nullified(&r.all, &r.any, &r.actions),
        }
    }
}

/// A lint over one rule: its findings (all in the rule's file).
type RuleLint = fn(&RuleIr, &RuleFacts, &SourceFile) -> Vec<Diagnostic>;

/// The per-rule lints, run in this order on every resolved rule.
const RULE_LINTS: &[RuleLint] = &[
    no_conditions,
    exact_hours_may_miss,
    contradictory_conditions,
    automation_not_nullified,
    fires_on_every_update,
    send_always_outside_window,
];

/// Runs every lint over `rules` (in evaluation order); `files` are indexed by
/// [`RuleIr::file`].
pub(crate) fn lint(rules: &[RuleIr], files: &[SourceFile], out: &mut Vec<FileDiagnostic>) {
    let mut satisfiable = Vec::with_capacity(rules.len());
    for r in rules {
        let Some(file) = files.get(r.file) else {
            satisfiable.push(false);
            continue;
        };
        let facts = RuleFacts::of(r);
        for lint in RULE_LINTS {
            for d in lint(r, &facts, file) {
                out.push(FileDiagnostic {
                    file: r.file,
                    diagnostic: d,
                });
            }
        }
        satisfiable.push(facts.contradiction.is_none());
    }
    shadowed_by_earlier_trigger(rules, &satisfiable, files, out);
}

fn source(file: &SourceFile, span: Span) -> &str {
    file.text.get(span.start..span.end).unwrap_or("")
}

fn where_is(file: &SourceFile, span: Span) -> String {
    let (line, _) = file.line_col(span.start);
    format!("{}:{line}", file.name)
}

/// The conditions to label for a finding about the rule's conditions as a whole.
fn condition_labels(r: &RuleIr, d: Diagnostic, message: &str) -> Diagnostic {
    let conds = if r.all.is_empty() { &r.any } else { &r.all };
    conds
        .iter()
        .fold(d, |d, c| d.with_label(c.span, message.to_string()))
}

// ------------------------------------------------------------------------ across rules

/// A rule's title as parsed (every rule, whether it resolved or not).
pub(crate) struct Title {
    /// Index of its file.
    pub file: usize,
    /// Its kind.
    pub kind: RuleKind,
    /// The title.
    pub title: String,
    /// Where the title is written.
    pub span: Span,
}

/// `duplicate-rule` (S2: titles identify rules in `fired` lists): two rules of one kind
/// with one title, anywhere in the rule set; reported on the later one. Runs over every
/// parsed rule, so a duplicate is found even when one of the two has other errors.
pub(crate) fn duplicate_rules(
    titles: &[Title],
    files: &[SourceFile],
    out: &mut Vec<FileDiagnostic>,
) {
    let mut seen: HashMap<(RuleKind, &str), &Title> = HashMap::new();
    for t in titles {
        let Some(first) = seen.get(&(t.kind, t.title.as_str())) else {
            seen.insert((t.kind, t.title.as_str()), t);
            continue;
        };
        let d = Diagnostic::new(
            Code::DuplicateRule,
            t.span,
            format!(
                "a {} named \"{}\" is already defined",
                t.kind.keyword(),
                t.title
            ),
        );
        let d = if first.file == t.file {
            d.with_label(first.span, "first defined here").with_help(
                "give each rule of a kind its own title: titles identify rules in `fired` lists",
            )
        } else {
            let at = files
                .get(first.file)
                .map(|f| where_is(f, first.span))
                .unwrap_or_default();
            d.with_help(format!(
                "the first is in {at}; give each rule of a kind its own title: titles identify rules in `fired` lists"
            ))
        };
        out.push(FileDiagnostic {
            file: t.file,
            diagnostic: d,
        });
    }
}

/// A key per distinct condition: equal keys mean the same test, so the same truth value
/// on the same ticket and update.
fn condition_key(c: &Cond) -> String {
    format!("{}{:?}", c.negated, c.test)
}

/// `shadowed-by-earlier-trigger` (S4, S5). Trigger T2 never fires when an earlier trigger
/// T1 (a) matches whenever T2 matches — T1's `when all` conditions are among T2's, and
/// T1 has no `when any` or one of its `when any` conditions is in T2's `when all` — and
/// (b) T1's actions certainly make one of T2's `when all` conditions C false, and (c) no
/// action of any other trigger can make C true again. Proof: in any pass where T2 would
/// match, T1 is evaluated first on the same ticket and fires; after T1 fired in an update,
/// C stays false for the rest of that update.
fn shadowed_by_earlier_trigger(
    rules: &[RuleIr],
    satisfiable: &[bool],
    files: &[SourceFile],
    out: &mut Vec<FileDiagnostic>,
) {
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
        if !satisfiable[i2] {
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

// ------------------------------------------------------------------------ per rule

/// `no-conditions` (S3): a rule with no conditions would match every ticket.
fn no_conditions(r: &RuleIr, _: &RuleFacts, _: &SourceFile) -> Vec<Diagnostic> {
    if !r.all.is_empty() || !r.any.is_empty() {
        return Vec::new();
    }
    vec![Diagnostic::new(
        Code::NoConditions,
        r.title_span,
        "this rule has no conditions (S3)",
    )
    .with_help("add a `when all { … }` block; a rule without conditions would match every ticket")]
}

/// `exact-hours-may-miss` (S12): `hours since X is N` holds for one whole hour only.
fn exact_hours_may_miss(r: &RuleIr, _: &RuleFacts, _: &SourceFile) -> Vec<Diagnostic> {
    r.all
        .iter()
        .filter(|c| {
            !c.negated
                && matches!(
                    c.test,
                    Test::HoursSince { cmp: Cmp::Eq, .. } | Test::HoursUntil { cmp: Cmp::Eq, .. }
                )
        })
        .map(|c| {
            Diagnostic::new(
                Code::ExactHoursMayMiss,
                c.span,
                format!(
                    "`{}` holds for one whole hour only: an automation sees it in exactly one hourly run, a trigger only on updates within that hour (S12)",
                    c.text
                ),
            )
            .with_help("use `>` (e.g. `hours since solved > 24`) together with a tag or a status change that makes the rule fire once")
        })
        .collect()
}

/// `contradictory-conditions` (S3): the conditions can never all hold, so the rule never
/// matches.
fn contradictory_conditions(r: &RuleIr, facts: &RuleFacts, _: &SourceFile) -> Vec<Diagnostic> {
    let d = match &facts.contradiction {
        None => return Vec::new(),
        Some(Contradiction::All(conds)) if conds.len() == 1 => Diagnostic::new(
            Code::ContradictoryConditions,
            r.title_span,
            format!(
                "this rule never matches: `{}` can never hold",
                conds[0].text
            ),
        )
        .with_label(conds[0].span, "never true"),
        Some(Contradiction::All(conds)) => {
            let texts: Vec<String> = conds.iter().map(|c| format!("`{}`", c.text)).collect();
            conds.iter().fold(
                Diagnostic::new(
                    Code::ContradictoryConditions,
                    r.title_span,
                    format!(
                        "this rule never matches: {} can never all hold",
                        texts.join(" and ")
                    ),
                ),
                |d, c| d.with_label(c.span, "conflicting condition"),
            )
        }
        Some(Contradiction::Any) => r.any.iter().fold(
            Diagnostic::new(
                Code::ContradictoryConditions,
                r.title_span,
                "this rule never matches: every `when any` condition contradicts the `when all` conditions",
            ),
            |d, c| d.with_label(c.span, "cannot hold together with `when all`"),
        ),
    };
    vec![d.with_help(
        "remove or fix the conflicting condition; `when all` needs every condition to hold at once",
    )]
}

/// `automation-not-nullified` (S15): without an action that makes a condition false (or a
/// condition true only once), the automation fires again every hour.
fn automation_not_nullified(r: &RuleIr, facts: &RuleFacts, _: &SourceFile) -> Vec<Diagnostic> {
    if r.kind != RuleKind::Automation || facts.nullified || r.all.is_empty() && r.any.is_empty() {
        return Vec::new();
    }
    let d = Diagnostic::new(
        Code::AutomationNotNullified,
        r.title_span,
        "no action of this automation makes one of its conditions false, so it would fire every hour (S15)",
    )
    .with_help("e.g. add `tags excludes nudged` to the conditions and `add tags nudged` to the actions");
    vec![condition_labels(r, d, "still true after the actions")]
}

/// A condition that limits a trigger to some updates (S8): `ticket is created`, a
/// `changed` operator, or a condition about this update only.
fn is_scope(c: &Cond) -> bool {
    match &c.test {
        Test::TicketCreated(created) => created ^ c.negated,
        Test::Changed { how, .. } => match how {
            ChangeHow::NotChanged => c.negated,
            _ => !c.negated,
        },
        Test::CommentPublic(_) | Test::CurrentUser(_) => true,
        Test::Cmp { field, .. }
        | Test::Text { field, .. }
        | Test::Matches { field, .. }
        | Test::Present { field, .. } => matches!(
            field,
            Field::Comment
                | Field::UpdateVia
                | Field::MessageForwarded
                | Field::MessageHasAttachments
        ),
        _ => false,
    }
}

/// `fires-on-every-update` (S8): a trigger with no scope and no nullifying action fires
/// again on every later update of a ticket that matches.
fn fires_on_every_update(r: &RuleIr, facts: &RuleFacts, _: &SourceFile) -> Vec<Diagnostic> {
    if r.kind != RuleKind::Trigger
        || (r.all.is_empty() && r.any.is_empty())
        || facts.contradiction.is_some()
        || facts.nullified
        || r.all.iter().any(is_scope)
        || (!r.any.is_empty() && r.any.iter().all(is_scope))
    {
        return Vec::new();
    }
    let d = Diagnostic::new(
        Code::FiresOnEveryUpdate,
        r.title_span,
        "this trigger fires again on every update of a matching ticket: nothing limits it to one update and no action makes a condition false (S8)",
    )
    .with_help("add `ticket is created`, a `changed` condition (e.g. `status changed to pending`), or a tag: `tags excludes done` with `add tags done`");
    vec![condition_labels(
        r,
        d,
        "holds on every update while the ticket stays so",
    )]
}

/// The condition that restricts the rule to WhatsApp tickets: `channel is whatsapp`.
fn whatsapp_only(c: &Cond) -> bool {
    let w = |l: &Lit| *l == Lit::Text("whatsapp".into());
    match &c.test {
        Test::Cmp {
            field: Field::Channel,
            cmp,
            lits,
        } => {
            let eq = (*cmp == Cmp::Eq) ^ c.negated;
            eq && !lits.is_empty() && lits.iter().all(w)
        }
        _ => false,
    }
}

/// A condition that holds only while the WhatsApp window is closed (W2, W4): `window is
/// closed`, or at least 24 whole hours since the last end-user message (`> 23`, `>= 24`,
/// `is 24`…, or `not hours since last_end_user_message < 24`, which also holds when the
/// customer never wrote: no window at all).
fn window_closed(c: &Cond) -> bool {
    match c.test {
        Test::WindowOpen(open) => !(open ^ c.negated),
        Test::HoursSince {
            since: Since::LastEndUserMessage,
            cmp,
            hours,
            business: false,
        } => {
            let cmp = if c.negated {
                match cmp {
                    Cmp::Lt => Cmp::Ge,
                    Cmp::Le => Cmp::Gt,
                    Cmp::Ne => Cmp::Eq,
                    _ => return false,
                }
            } else {
                cmp
            };
            match cmp {
                Cmp::Gt => hours >= 23,
                Cmp::Ge | Cmp::Eq => hours >= 24,
                _ => false,
            }
        }
        _ => false,
    }
}

/// `send-always-outside-window` (W5): a free-text `send message` on WhatsApp in a rule
/// whose own conditions guarantee the window is closed is never delivered.
fn send_always_outside_window(r: &RuleIr, _: &RuleFacts, _: &SourceFile) -> Vec<Diagnostic> {
    if r.kind == RuleKind::Redaction {
        return Vec::new();
    }
    let (Some(channel), Some(closed)) = (
        r.all.iter().find(|c| whatsapp_only(c)),
        r.all.iter().find(|c| window_closed(c)),
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (a, span) in r.actions.iter().zip(&r.action_spans) {
        let Act::SendMessage(t) = a else { continue };
        let text: String = t
            .pieces
            .iter()
            .map(|p| match p {
                Piece::Lit(s) => s.as_str(),
                Piece::Ph(_) => "x",
            })
            .collect();
        if matches!(guards::parse_shorthand(&text), Shorthand::WellFormed(_)) {
            continue;
        }
        out.push(
            Diagnostic::new(
                Code::SendAlwaysOutsideWindow,
                *span,
                format!(
                    "this free-text message is never delivered: `{}` means the WhatsApp window is closed whenever this {} runs (W5)",
                    closed.text,
                    r.kind.keyword()
                ),
            )
            .with_label(closed.span, "the window is closed when this holds")
            .with_label(channel.span, "only WhatsApp tickets")
            .with_help(match r.kind {
                RuleKind::Automation => "send it before the window closes (e.g. `hours since last_end_user_message > 20` with `window is open`), or tag the ticket and let a trigger send an approved template",
                _ => "send an approved template instead (`send template \"NAME\" language \"CODE\"`), or only send while `window is open`",
            }),
        );
    }
    out
}
