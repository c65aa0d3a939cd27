//! Reading and writing: JSONL events, WhatsApp webhook bodies, account.yaml, output lines.

pub mod account;
pub mod events;
mod json;
pub mod output;
pub mod rules;
pub mod whatsapp;
pub(crate) mod yaml;

pub use account::{load_account, parse_account, AccountError};
pub use events::{decode_line, is_blank_line, DecodeError};
pub use json::{parse_instant, TimeError};
pub use whatsapp::decode_webhook;
