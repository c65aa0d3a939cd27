//! STUB (replaced by the guards branch) — signatures only.
#![allow(missing_docs, unused)]
use crate::model::{Account, Channel, TemplateMessage};
use jiff::Timestamp;
pub enum SendSource { Agent, Macro, Autoresponder, Trigger, Automation }
pub enum Outbound { Text(String), Template(TemplateMessage) }
pub fn classify_text(text: &str) -> Outbound { Outbound::Text(text.to_string()) }
pub enum Window { Open { closes_at: Timestamp }, Closed { closed_at: Timestamp }, NeverOpened }
pub fn window(a: Option<Timestamp>, now: Timestamp) -> Window { Window::NeverOpened }
pub struct GuardInput<'a> { pub channel: &'a Channel, pub now: Timestamp, pub window_anchor: Option<Timestamp>, pub opted_in: bool, pub account: &'a Account }
#[derive(Clone, Copy, Debug)]
pub enum BlockReason { OutsideWindow }
impl BlockReason { pub fn code(self) -> &'static str { "x" } }
pub enum Verdict { Delivered, Blocked { reason: BlockReason, window_closed_at: Option<Timestamp> } }
pub fn check_outbound(input: &GuardInput, source: SendSource, msg: &Outbound) -> Verdict { Verdict::Delivered }
pub fn notice(v: &Verdict, msg: &Outbound) -> Option<String> { None }
