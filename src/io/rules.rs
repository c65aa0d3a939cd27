//! Finding and reading rule files (events.md: `PATH` is a file or a directory; rule order
//! is argument order, then lexical path order within a directory).

use std::path::{Path, PathBuf};

use crate::check::RuleSource;

/// Why rule files could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// A path does not exist or cannot be read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A directory holds no `*.rules` file.
    #[error("{0}: no `.rules` files found")]
    Empty(String),
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), RulesError> {
    let io = |source| RulesError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "rules") {
            out.push(p);
        }
    }
    Ok(())
}

/// The `*.rules` files named by `paths`, in rule order: each argument in turn, a
/// directory expanded recursively in lexical path order. A file named twice is read once.
pub fn rule_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, RulesError> {
    let mut out: Vec<PathBuf> = Vec::new();
    for p in paths {
        let mut found = Vec::new();
        if p.is_dir() {
            collect(p, &mut found)?;
            if found.is_empty() {
                return Err(RulesError::Empty(p.display().to_string()));
            }
        } else {
            found.push(p.clone());
        }
        for f in found {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    Ok(out)
}

/// Reads the rule files named by `paths` (see [`rule_files`]) into sources.
pub fn load_rule_sources(paths: &[PathBuf]) -> Result<Vec<RuleSource>, RulesError> {
    rule_files(paths)?
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).map_err(|source| RulesError::Io {
                path: p.display().to_string(),
                source,
            })?;
            Ok(RuleSource {
                name: p.display().to_string(),
                text,
            })
        })
        .collect()
}
