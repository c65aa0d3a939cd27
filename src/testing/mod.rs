//! Rule unit tests (`ticket-rules test`, docs/testing.md): `*.test.yaml` files beside the
//! rules, each with cases that give a starting ticket, events in the native event shape
//! (events.md), an optional clock advance, and expectations — which rules fire or must
//! not fire, the resulting ticket fields and tags, and per outbound message its delivery
//! and reason (W5–W12, S9, S20).
//!
//! The flow, all pure of command-line concerns:
//! 1. [`find_test_files`] lists the test files under some paths;
//! 2. [`load_test_file`] parses one ([`parse_test_file`]: one YAML parse gives the values
//!    and the line of every case and event; unknown keys are errors with their line), reads its rule files and account, and prepares every case:
//!    times resolved, events decoded with [`crate::io::decode_line`] exactly as `run`
//!    decodes JSON lines;
//! 3. [`run_prepared`] compiles the rules once per distinct account and runs each case in
//!    a fresh [`crate::Engine`], comparing outcomes and final state with the expectations
//!    ([`run_test_file`] does 2 and 3);
//! 4. [`render::human`] and [`render::junit`] turn the [`FileReport`]s into text;
//!    [`Summary`] gives the closing `N passed, N failed`.
//!
//! ```
//! use ticket_rules::testing::{parse_test_file, prepare, run_prepared};
//!
//! let dir = std::env::temp_dir().join("ticket-rules-doc-test");
//! std::fs::create_dir_all(&dir).unwrap();
//! std::fs::write(dir.join("tag.rules"), r#"
//! trigger "Tag new WhatsApp tickets" {
//!   when all {
//!     ticket is created
//!     channel is whatsapp
//!   }
//!   then { add tags whatsapp }
//! }"#).unwrap();
//! let yaml = r#"
//! cases:
//!   - name: tags new WhatsApp tickets
//!     events:
//!       - { type: message.received, ticket: T-1, channel: whatsapp, text: hello }
//!     expect:
//!       fired: ["trigger:Tag new WhatsApp tickets"]
//!       ticket: { status: new, tags_include: [whatsapp] }
//! "#;
//! let path = dir.join("tag.test.yaml");
//! let parsed = parse_test_file(yaml, "tag.test.yaml").unwrap();
//! let report = run_prepared(&prepare(&parsed, &path).unwrap());
//! assert!(report.cases[0].passed(), "{:?}", report.cases[0].failures);
//! assert_eq!(report.cases[0].line, 3);
//! ```

pub mod load;
pub mod model;
pub mod render;
pub mod run;
pub mod time;

pub use load::{
    find_test_files, is_test_file, load_test_file, parse_test_file, prepare, ParsedFile, Positions,
    PreparedCase, PreparedEvent, PreparedFile, TestFileError, DEFAULT_START, DEFAULT_STEP,
    START_EVENT_ID,
};
pub use model::{
    Case, EventSpec, Expect, ExpectedDelivery, ExpectedKind, ExpectedStatus, Located,
    MessageExpect, TestFile, TicketExpect,
};
pub use render::Summary;
pub use run::{run_prepared, run_test_file, CaseReport, FileReport, SYSTEM_RULE_IDS};
pub use time::{resolve_time, TimeError};
