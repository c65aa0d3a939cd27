//! What the end-to-end tests share: running the built binary with arguments and input.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// The `ticket-rules` binary built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_ticket-rules");
/// The repository root (the binary runs there, so relative paths name repo files).
pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Runs the binary in the repository root with `args`, writes `stdin` to it from another
/// thread (the child may exit before reading: a broken pipe is ignored), and returns
/// what it printed and its status.
pub fn run_bin<I, S>(args: I, stdin: &[u8]) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(ROOT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ticket-rules");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer thread");
    out
}
