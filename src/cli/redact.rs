//! STUB — `ticket-rules redact`.

/// Arguments of `redact`.
#[derive(clap::Args)]
pub struct RedactArgs {}

/// Runs `redact`; returns the exit status.
pub fn run(_args: RedactArgs) -> i32 {
    unimplemented!("redact cli")
}
