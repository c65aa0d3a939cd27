//! Fuzz targets as ordinary tests (bolero): one test per entry point, calling only the
//! facade `ticket_rules::fuzz`.
//!
//! Under `cargo test` each test replays its committed inputs, `fuzz/__fuzz__/TARGET/crashes/`
//! then `fuzz/__fuzz__/TARGET/corpus/` (a panic fails the test and names the file), then
//! tries a bounded number of random inputs. `fuzz/run.sh TARGET SECONDS` builds the same
//! tests with coverage instrumentation and fuzzes them with AFL (see `fuzz/README.md`).

use bolero::check;
use ticket_rules::fuzz;

/// Random inputs tried after the committed ones under `cargo test` (kept small: CI).
const RANDOM_ITERATIONS: usize = 200;

#[test]
fn rules() {
    check!(name = "rules")
        .with_iterations(RANDOM_ITERATIONS)
        .for_each(fuzz::rules);
}

#[test]
fn event_line() {
    check!(name = "event_line")
        .with_iterations(RANDOM_ITERATIONS)
        .for_each(fuzz::event_line);
}

#[test]
fn account() {
    check!(name = "account")
        .with_iterations(RANDOM_ITERATIONS)
        .for_each(fuzz::account);
}

#[test]
fn test_file() {
    check!(name = "test_file")
        .with_iterations(RANDOM_ITERATIONS)
        .for_each(fuzz::test_file);
}

#[test]
fn redact() {
    check!(name = "redact")
        .with_iterations(RANDOM_ITERATIONS)
        .for_each(fuzz::redact);
}

#[test]
fn engine() {
    check!(name = "engine")
        .with_iterations(RANDOM_ITERATIONS)
        .for_each(fuzz::engine);
}

#[cfg(feature = "server")]
#[test]
fn server_request() {
    check!(name = "server_request")
        .with_iterations(RANDOM_ITERATIONS)
        .for_each(fuzz::server_request);
}

/// Every target of the facade has a committed corpus.
#[test]
fn every_target_has_a_corpus() {
    // This file's folder, from the root package (`fuzz/targets.rs`) or fuzz/Cargo.toml.
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file!());
    let root = here.parent().expect("a file has a folder").join("__fuzz__");
    for (name, _) in fuzz::TARGETS {
        let corpus = root.join(name).join("corpus");
        let seeds = std::fs::read_dir(&corpus)
            .map(|d| d.filter_map(Result::ok).count())
            .unwrap_or(0);
        assert!(seeds > 0, "no seeds in {}", corpus.display());
    }
}
