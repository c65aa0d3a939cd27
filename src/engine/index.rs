//! The trigger index: which triggers can possibly match a ticket, so that an update
//! evaluates only those (issue #5). S4/S5 are unchanged: candidates are evaluated in file
//! order, and a restart re-queries the index with the changed ticket.
//!
//! Each trigger is filed under one *key*: a condition of its `when all` block (not
//! negated) that must hold for it to match, chosen from the most selective kind present:
//! `tags includes …` (filed under each tag), `ticket is created`, `channel is|in …`,
//! `status is|in …`. A trigger with none of these is always a candidate. Since a trigger
//! can match only when its key holds, the first matching candidate in file order is the
//! first matching trigger in file order.
//!
//! Invariant: a trigger that is not among a ticket's candidates cannot match it; the
//! candidates come ascending (file order) without repeats.

/// A fast seeded hasher: ticket ids and tags are hashed on every event.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

use crate::check::ir::{RuleIr, Test};
use crate::model::{Status, Ticket};

use super::schedule::{state_key, StateKey};

/// Buckets of rule positions (indexes into the rule list), each sorted ascending.
#[derive(Debug, Default, Clone)]
pub(crate) struct RuleIndex {
    by_tag: HashMap<String, Vec<u32>>,
    created: Vec<u32>,
    by_channel: HashMap<String, Vec<u32>>,
    by_status: [Vec<u32>; 6],
    always: Vec<u32>,
}

/// The key a rule is filed under: a required state condition, or `ticket is created`.
enum Key {
    State(StateKey),
    Created,
}

impl Key {
    /// Most selective first: tags, creation, channel, status.
    fn rank(&self) -> u8 {
        match self {
            Key::State(StateKey::Tags(_)) => 0,
            Key::Created => 1,
            Key::State(StateKey::Channels(_)) => 2,
            Key::State(StateKey::Statuses(_)) => 3,
        }
    }
}

fn key_of(test: &Test) -> Option<Key> {
    match test {
        Test::TicketCreated(true) => Some(Key::Created),
        t => state_key(t).map(Key::State),
    }
}

impl RuleIndex {
    /// Files every rule under its most selective key.
    pub fn build(rules: &[RuleIr]) -> Self {
        let mut ix = RuleIndex::default();
        for (i, r) in rules.iter().enumerate() {
            let i = i as u32;
            let key = r
                .all
                .iter()
                .filter(|c| !c.negated)
                .filter_map(|c| key_of(&c.test))
                .min_by_key(Key::rank);
            match key {
                Some(Key::State(StateKey::Tags(tags))) => {
                    for t in tags {
                        let b = ix.by_tag.entry(t).or_default();
                        if b.last() != Some(&i) {
                            b.push(i);
                        }
                    }
                }
                Some(Key::Created) => ix.created.push(i),
                Some(Key::State(StateKey::Channels(chs))) => {
                    for c in chs {
                        let b = ix.by_channel.entry(c).or_default();
                        if b.last() != Some(&i) {
                            b.push(i);
                        }
                    }
                }
                Some(Key::State(StateKey::Statuses(st))) => {
                    for s in st {
                        let b = &mut ix.by_status[s as usize];
                        if b.last() != Some(&i) {
                            b.push(i);
                        }
                    }
                }
                None => ix.always.push(i),
            }
        }
        ix
    }

    /// The positions of the rules that can match `ticket` (on a creating update when
    /// `created`), ascending, into `out` (cleared first).
    pub fn candidates(&self, ticket: &Ticket, created: bool, out: &mut Vec<u32>) {
        out.clear();
        out.extend_from_slice(&self.always);
        if created {
            out.extend_from_slice(&self.created);
        }
        if let Some(b) = self.by_channel.get(ticket.channel.as_str()) {
            out.extend_from_slice(b);
        }
        out.extend_from_slice(&self.by_status[status_rank(ticket.status)]);
        if !self.by_tag.is_empty() {
            for t in &ticket.tags {
                if let Some(b) = self.by_tag.get(t) {
                    out.extend_from_slice(b);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
    }
}

fn status_rank(s: Status) -> usize {
    s as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{check, RuleSource};
    use crate::model::Channel;

    fn rules(text: &str) -> Vec<RuleIr> {
        check(
            &[RuleSource {
                name: "t.rules".into(),
                text: text.into(),
            }],
            None,
        )
        .rules
    }

    #[test]
    fn files_each_trigger_under_its_most_selective_key() {
        let rs = rules(
            r#"trigger "by tag" {
  when all {
    channel is whatsapp
    tags includes vip, gold
  }
  then { add tags x }
}
trigger "by channel" {
  when all {
    status in [new, open]
    channel in [email, web]
  }
  then { add tags x }
}
trigger "by status" {
  when all { status is pending }
  then { add tags x }
}
trigger "negated tag is no key" {
  when all { not tags includes vip }
  then { add tags x }
}
trigger "created" {
  when all { ticket is created }
  then { add tags x }
}"#,
        );
        let ix = RuleIndex::build(&rs);
        let mut out = Vec::new();
        let mut t = Ticket::new("T", Channel::Email, "2026-11-24T09:00:00Z".parse().unwrap());
        ix.candidates(&t, false, &mut out);
        assert_eq!(out, vec![1, 3]);
        t.tags.insert("gold".into());
        t.status = Status::Pending;
        t.channel = Channel::Whatsapp;
        ix.candidates(&t, true, &mut out);
        assert_eq!(out, vec![0, 2, 3, 4]);
    }
}
