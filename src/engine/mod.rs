//! The engine: compiled rule set, trigger cycle, automations, replay clock.

pub mod calendar;
