//! `ticket-rules fmt [--check] [PATH]…`: rewrite rule files in the canonical layout
//! (issue 3; exit statuses in events.md).
//!
//! Every file is processed even when an earlier one fails. Without `--check`, a file
//! whose formatted text differs is replaced atomically (a temporary file in the same
//! directory, then a rename) and its name is printed; an unchanged file is not touched.
//! With `--check`, nothing is written and the files that would change are printed.
//! A file with a syntax error is left untouched and its diagnostics go to stderr.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use ticket_rules::diagnostic::{render, SourceFile};
use ticket_rules::io::rules;
use ticket_rules::syntax::format;

use super::EXIT_USAGE;

/// Exit status when a file has a syntax error (events.md).
pub const EXIT_SYNTAX: i32 = 3;
/// Exit status of `--check` when a file would change (events.md).
pub const EXIT_WOULD_CHANGE: i32 = 5;

/// Arguments of `fmt`.
#[derive(clap::Args, Debug)]
pub struct FmtArgs {
    /// Change nothing: list the files that would change, and exit 5 if there are any.
    #[arg(long)]
    check: bool,
    /// Rule files or directories (every `*.rules` below them). Default: `rules/`.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
}

/// Runs `fmt`. Exit status: 0 when done (or, with `--check`, nothing would change);
/// 5 with `--check` when some file would change; 3 when some file has a syntax error;
/// 2 when a path cannot be found, read or written. When several apply, the first in the
/// order 2, 3, 5 wins.
pub fn run(args: FmtArgs) -> i32 {
    let paths = if args.paths.is_empty() {
        let default = PathBuf::from("rules");
        if !default.is_dir() {
            eprintln!("error: no PATH given and no rules/ folder here; pass a file or folder");
            return EXIT_USAGE;
        }
        vec![default]
    } else {
        args.paths
    };
    let mut io_error = false;
    let mut syntax_error = false;
    let mut changed = false;
    let mut files: Vec<PathBuf> = Vec::new();
    for p in &paths {
        match rules::rule_files(std::slice::from_ref(p)) {
            Ok(found) => {
                for f in found {
                    if !files.contains(&f) {
                        files.push(f);
                    }
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                io_error = true;
            }
        }
    }
    let stdout = std::io::stdout();
    for file in &files {
        let name = file.display().to_string();
        let text = match fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {name}: {e}");
                io_error = true;
                continue;
            }
        };
        match format(&text) {
            Err(diags) => {
                let rendered = render::human(&diags, &SourceFile::new(name.as_str(), text));
                eprint!("{}", ticket_rules::redact::scrub(&rendered));
                syntax_error = true;
            }
            Ok(formatted) if formatted == text => {}
            Ok(formatted) => {
                if !args.check {
                    if let Err(e) = write_atomically(file, &formatted) {
                        eprintln!("error: {name}: {e}");
                        io_error = true;
                        continue;
                    }
                }
                changed = true;
                let _ = writeln!(stdout.lock(), "{name}");
            }
        }
    }
    if io_error {
        EXIT_USAGE
    } else if syntax_error {
        EXIT_SYNTAX
    } else if args.check && changed {
        EXIT_WOULD_CHANGE
    } else {
        0
    }
}

/// Replaces `path` with `text`: writes a temporary file beside it (same directory, so the
/// rename cannot cross file systems), copies the original's permissions, then renames it
/// over the original. On failure the temporary file is removed and the original is intact.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "rules".to_string());
    let tmp = dir.join(format!(".{file_name}.fmt-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        drop(f);
        if let Ok(meta) = fs::metadata(path) {
            fs::set_permissions(&tmp, meta.permissions())?;
        }
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}
