//! ticket-rules: a rules engine for helpdesk triggers and automations, with built-in
//! WhatsApp guards and card-number redaction.

#![warn(missing_docs)]

pub mod check;
pub mod diagnostic;
pub mod engine;
pub mod guards;
pub mod io;
pub mod model;
pub mod redact;
pub mod syntax;
