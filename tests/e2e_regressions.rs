//! Regressions found by the end-to-end tests: a card in a media caption counted twice
//! (W13), card-shaped values in pretty output (events.md "no card number in clear"), and
//! satisfaction changes from `unoffered`.

mod common;

fn run(args: &[&str], stdin: &str) -> (Option<i32>, String, String) {
    let out = common::run_bin(args, stdin.as_bytes());
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// BUG 1 (W13, examples/README.md line 161): a card in a WhatsApp image caption is one
/// card number, so `redactions` is 1 — the engine counts it twice (the caption is both the
/// message text and the attachment's caption).
#[test]
fn w13_card_in_an_image_caption_counts_once() {
    let body = r#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"contacts":[{"profile":{"name":"Tom"},"wa_id":"15550100020"}],"messages":[{"from":"15550100020","id":"wamid.A","timestamp":"1795517130","type":"image","image":{"caption":"photo of my card 5555 5555 5555 4444","id":"9"}}]}}]}]}"#;
    let (code, out, err) = run(&["run", "--rules", "rules/examples"], &format!("{body}\n"));
    assert_eq!(code, Some(0), "{err}");
    let v: serde_json::Value =
        serde_json::from_str(out.lines().next().expect("a line")).expect("JSON");
    assert_eq!(v["redactions"], 1, "{out}");
}

/// BUG 1, as the example day shows it: the pretty summary of examples/README.md says
/// 11 redactions.
#[test]
fn w13_example_day_has_11_redactions() {
    let (code, out, _) = run(
        &[
            "run",
            "--account",
            "examples/account.yaml",
            "--events",
            "examples/day.jsonl",
            "--format",
            "pretty",
        ],
        "",
    );
    assert_eq!(code, Some(1));
    assert!(
        out.contains("redactions  11 card numbers masked"),
        "{}",
        out.lines().rev().take(40).collect::<Vec<_>>().join("\n")
    );
}

/// BUG 2 (events.md "No card number appears in clear anywhere"): in `--format pretty`,
/// a card-shaped ticket id is printed in clear — the scrubber sees it joined to the line
/// number before it and the date after it (`line 1    4111-1111-1111-1111 2026-11-24 09:00`),
/// a 32-digit run that is no card.
#[test]
fn pretty_output_masks_a_card_shaped_ticket_id() {
    let input = concat!(
        r#"{"type":"ticket.created","id":"c1","at":"2026-11-24T09:00:00Z","ticket":{"id":"4111-1111-1111-1111","channel":"email"}}"#,
        "\n",
        r#"{"type":"agent.reply","id":"r1","at":"2026-11-24T09:01:00Z","ticket":"5105105105105100","text":"hi"}"#,
        "\n"
    );
    let (_, out, _) = run(
        &["run", "--rules", "rules/examples", "--format", "pretty"],
        input,
    );
    assert!(!out.contains("4111-1111-1111-1111"), "{out}");
    assert!(!out.contains("5105105105105100"), "{out}");
}

/// BUG 2, second shape: tags are printed as `+TAG` / `-TAG`; a card directly after `+` is
/// taken for a phone number (R5) and left in clear.
#[test]
fn pretty_output_masks_a_card_shaped_tag() {
    let input = concat!(
        r#"{"type":"ticket.created","id":"c1","at":"2026-11-24T09:00:00Z","ticket":{"id":"T-1","channel":"email","tags":["4111111111111111"]}}"#,
        "\n",
        r#"{"type":"ticket.updated","id":"u1","at":"2026-11-24T09:05:00Z","ticket":"T-1","by":"agent","changes":{"add_tags":["5105105105105100"],"remove_tags":["4111111111111111"]}}"#,
        "\n"
    );
    let (_, out, _) = run(
        &["run", "--rules", "rules/examples", "--format", "pretty"],
        input,
    );
    assert!(!out.contains("4111111111111111"), "{out}");
    assert!(!out.contains("5105105105105100"), "{out}");
}

/// SUSPECTED 3 (events.md `changes`, S10): an update that offers the survey changes
/// satisfaction from `unoffered` (its value, events.md default) to `offered`; the engine
/// writes `"from":null`, as if the field had been unset.
#[test]
fn satisfaction_change_names_unoffered_as_its_from_value() {
    let input = concat!(
        r#"{"type":"ticket.created","id":"c1","at":"2026-11-24T09:00:00Z","ticket":{"id":"T-1","channel":"email"}}"#,
        "\n",
        r#"{"type":"ticket.updated","id":"u1","at":"2026-11-24T09:05:00Z","ticket":"T-1","by":"agent","changes":{"satisfaction":"offered"}}"#,
        "\n"
    );
    let (_, out, _) = run(&["run", "--rules", "rules/examples"], input);
    let line = out.lines().nth(1).expect("line 2");
    assert!(
        line.contains(r#"{"field":"satisfaction","from":"unoffered","to":"offered"}"#),
        "{line}"
    );
}
