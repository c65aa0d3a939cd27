//! Reading and writing: JSONL events, WhatsApp webhook bodies, account.yaml, output lines.
pub mod output;
pub mod rules;
