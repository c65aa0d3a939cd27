//! The compiled, immutable rule set: rules split by kind in evaluation order, the
//! account, and the business-hours calendars (S14).
//!
//! Invariant: a [`RuleSet`] never changes after `compile` (`Send + Sync`, shared by
//! `Arc`); the trigger index and the automation plans are derived from its rules.

use std::collections::HashMap;

use crate::check::{self, ir::RuleIr, Checked, RuleSource};
use crate::model::{Account, Ticket};
use crate::syntax::ast::RuleKind;

use super::calendar::Calendar;
use super::index::RuleIndex;
use super::schedule::{plan, Plan, StateKey};

/// The default rules compiled into the binary (`rules/default/`), as (name, text).
pub const DEFAULT_RULES: &[(&str, &str)] = &[(
    "rules/default/credit_cards.rules",
    include_str!("../../rules/default/credit_cards.rules"),
)];

/// How to compile.
#[derive(Debug, Clone, Copy)]
pub struct CompileOptions {
    /// Load [`DEFAULT_RULES`] first (W13). Also off when the account sets
    /// `social_messaging_card_redaction: false`. A source whose text equals a default
    /// rule file is not loaded twice.
    pub default_rules: bool,
}

impl Default for CompileOptions {
    fn default() -> Self {
        CompileOptions {
            default_rules: true,
        }
    }
}

/// Why a rule set could not be compiled.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// The rules have findings that make them meaningless
    /// ([`crate::Code::blocks_run`]); the [`Checked`] holds every finding.
    #[error("the rules have errors")]
    Rules(Box<Checked>),
    /// A schedule of the account could not be compiled.
    #[error("account: {0}")]
    Account(String),
}

/// A compiled rule set: immutable, `Send + Sync`, shared by reference.
#[derive(Debug)]
pub struct RuleSet {
    pub(crate) triggers: Vec<RuleIr>,
    pub(crate) trigger_index: RuleIndex,
    pub(crate) automation_plans: Vec<Plan>,
    /// The tags automations key on (schedule::StateKey::Tags).
    pub(crate) automation_key_tags: std::collections::HashSet<String>,
    pub(crate) automations: Vec<RuleIr>,
    pub(crate) redactions: Vec<RuleIr>,
    pub(crate) account: Account,
    calendars: HashMap<String, Calendar>,
    default_calendar: Calendar,
}

impl RuleSet {
    /// Parses, checks and compiles `sources` (in order) against `account`.
    ///
    /// Returns the rule set plus the check result (warnings and non-blocking errors, which
    /// `run` prints as warnings), or [`CompileError`].
    pub fn compile(
        sources: &[RuleSource],
        account: Account,
        options: CompileOptions,
    ) -> Result<(RuleSet, Checked), CompileError> {
        let mut all = Vec::new();
        if options.default_rules && account.social_messaging_card_redaction {
            for (name, text) in DEFAULT_RULES {
                if !sources.iter().any(|s| s.text == *text) {
                    all.push(RuleSource {
                        name: name.to_string(),
                        text: text.to_string(),
                    });
                }
            }
        }
        all.extend(sources.iter().cloned());
        let checked = check::check(&all, Some(&account));
        if checked.blocks_run() {
            return Err(CompileError::Rules(Box::new(checked)));
        }
        let mut calendars = HashMap::new();
        for def in &account.schedules {
            let cal =
                Calendar::from_schedule(def).map_err(|e| CompileError::Account(e.to_string()))?;
            calendars.insert(def.name.clone(), cal);
        }
        let default_calendar = match &account.default_schedule {
            Some(name) => calendars.get(name).cloned().ok_or_else(|| {
                CompileError::Account(format!(
                    "default_schedule `{name}` is not among the schedules"
                ))
            })?,
            None => {
                let tz = jiff::tz::TimeZone::get(&account.timezone).map_err(|e| {
                    CompileError::Account(format!("timezone `{}`: {e}", account.timezone))
                })?;
                Calendar::always_open(tz)
            }
        };
        let mut rs = RuleSet {
            triggers: Vec::new(),
            trigger_index: RuleIndex::default(),
            automation_plans: Vec::new(),
            automation_key_tags: Default::default(),
            automations: Vec::new(),
            redactions: Vec::new(),
            account,
            calendars,
            default_calendar,
        };
        for r in checked.rules.iter().cloned() {
            match r.kind {
                RuleKind::Trigger => rs.triggers.push(r),
                RuleKind::Automation => rs.automations.push(r),
                RuleKind::Redaction => rs.redactions.push(r),
            }
        }
        rs.trigger_index = RuleIndex::build(&rs.triggers);
        rs.automation_plans = rs.automations.iter().map(plan).collect();
        for p in &rs.automation_plans {
            if let Some(StateKey::Tags(tags)) = &p.key {
                rs.automation_key_tags.extend(tags.iter().cloned());
            }
        }
        Ok((rs, checked))
    }

    /// The account the rules were compiled against.
    pub fn account(&self) -> &Account {
        &self.account
    }

    /// Number of (triggers, automations, redaction rules).
    pub fn counts(&self) -> (usize, usize, usize) {
        (
            self.triggers.len(),
            self.automations.len(),
            self.redactions.len(),
        )
    }

    /// The ticket's business-hours calendar: its own schedule, else the account default (S14).
    pub fn calendar_for(&self, ticket: &Ticket) -> &Calendar {
        ticket
            .schedule
            .as_ref()
            .and_then(|s| self.calendars.get(s))
            .unwrap_or(&self.default_calendar)
    }
}
