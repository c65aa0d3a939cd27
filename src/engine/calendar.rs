//! STUB (replaced by the guards branch) — signatures only.
#![allow(missing_docs, unused)]
use jiff::Timestamp;
use crate::model::ScheduleDef;
#[derive(Debug, Clone)]
pub struct Calendar;
#[derive(Debug, thiserror::Error)]
#[error("calendar")]
pub struct CalendarError;
impl Calendar {
    pub fn from_schedule(def: &ScheduleDef) -> Result<Calendar, CalendarError> { Ok(Calendar) }
    pub fn always_open(tz: jiff::tz::TimeZone) -> Calendar { Calendar }
    pub fn is_open(&self, t: Timestamp) -> bool { true }
    pub fn business_hours_between(&self, from: Timestamp, to: Timestamp) -> i64 { 0 }
}
