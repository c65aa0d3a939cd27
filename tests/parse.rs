//! The rule-language parser against `dsl.md`: its examples parse and mean what they say,
//! broken files give every error in words (insta snapshots of the rendering), and no
//! input makes the parser panic or produce a span outside the source.

use proptest::prelude::*;
use ticket_rules::diagnostic::{render, Diagnostic, Severity, SourceFile};
use ticket_rules::syntax::ast::*;
use ticket_rules::syntax::parse;

const DSL_EXAMPLES: &str = include_str!("cases/dsl_examples.rules");

/// Parses text that must be valid; fails the test with the rendered diagnostics if not.
fn parse_ok(src: &str) -> RuleFile {
    let (file, diags) = parse(src);
    assert!(
        diags.is_empty(),
        "{}",
        render::human(&diags, &SourceFile::new("test.rules", src))
    );
    file
}

fn at(src: &str, span: Span) -> &str {
    &src[span.start..span.end]
}

/// The only condition of `when all { LINE }` in a trigger.
fn condition(line: &str) -> Condition {
    let src = format!("trigger \"t\" {{\n  when all {{\n    {line}\n  }}\n}}\n");
    let file = parse_ok(&src);
    let mut conditions = file.rules[0].all.clone().unwrap().conditions;
    assert_eq!(conditions.len(), 1);
    conditions.remove(0)
}

/// The only action of `then { LINE }` in a trigger.
fn action(line: &str) -> ActionKind {
    let src = format!("trigger \"t\" {{\n  then {{\n    {line}\n  }}\n}}\n");
    let file = parse_ok(&src);
    let mut actions = file.rules[0].then.clone().unwrap().actions;
    assert_eq!(actions.len(), 1);
    actions.remove(0).kind
}

fn words(values: &[Value]) -> Vec<&str> {
    values.iter().filter_map(|v| v.kind.as_text()).collect()
}

fn strings(items: &[Spanned<String>]) -> Vec<&str> {
    items.iter().map(|s| s.node.as_str()).collect()
}

// ------------------------------------------------------------------ dsl.md examples

#[test]
fn dsl_examples_parse_without_diagnostics() {
    let file = parse_ok(DSL_EXAMPLES);
    let heads: Vec<(RuleKind, &str)> = file
        .rules
        .iter()
        .map(|r| (r.kind, r.title.node.as_str()))
        .collect();
    assert_eq!(
        heads,
        vec![
            (RuleKind::Trigger, "Tag new WhatsApp tickets"),
            (RuleKind::Trigger, "Escalate refund requests"),
            (
                RuleKind::Trigger,
                "Ask for a screenshot when a message was forwarded"
            ),
            (
                RuleKind::Automation,
                "Nudge before the WhatsApp window closes"
            ),
            (RuleKind::Automation, "Close solved tickets after 4 days"),
            (
                RuleKind::Automation,
                "Escalate after 8 business hours without an agent"
            ),
            (
                RuleKind::Trigger,
                "Re-engage a customer with an approved template"
            ),
            (
                RuleKind::Redaction,
                "Credit card numbers on social messaging"
            ),
        ]
    );
    for r in &file.rules {
        assert!(at(DSL_EXAMPLES, r.span).starts_with(r.kind.keyword()));
        assert!(at(DSL_EXAMPLES, r.span).ends_with('}'));
        assert_eq!(
            at(DSL_EXAMPLES, r.title.span),
            format!("\"{}\"", r.title.node)
        );
    }
}

#[test]
fn dsl_first_rule_tags_whatsapp_tickets() {
    let file = parse_ok(DSL_EXAMPLES);
    let r = &file.rules[0];
    let all = r.all.as_ref().unwrap();
    assert_eq!(
        at(DSL_EXAMPLES, all.span).lines().next(),
        Some("when all {")
    );
    assert!(at(DSL_EXAMPLES, all.span).ends_with('}'));
    let c = &all.conditions[0];
    assert_eq!(at(DSL_EXAMPLES, c.span), "ticket is created");
    match &c.kind {
        ConditionKind::Field { field, op, value } => {
            assert_eq!(field.node, FieldRef::Named("ticket".into()));
            assert_eq!(op.node, Operator::Is);
            assert_eq!(
                value.as_ref().unwrap().kind,
                ValueKind::Word("created".into())
            );
        }
        other => panic!("{other:?}"),
    }
    let then = r.then.as_ref().unwrap();
    match &then.actions[0].kind {
        ActionKind::AddTags(tags) => assert_eq!(strings(tags), ["whatsapp", "messaging"]),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        at(DSL_EXAMPLES, then.actions[0].span),
        "add tags whatsapp, messaging"
    );
}

#[test]
fn dsl_second_rule_has_when_all_and_when_any() {
    let file = parse_ok(DSL_EXAMPLES);
    let r = &file.rules[1];
    assert_eq!(r.all.as_ref().unwrap().conditions.len(), 3);
    let any = r.any.as_ref().expect("`when any` block");
    assert_eq!(any.conditions.len(), 2);
    match &any.conditions[0].kind {
        ConditionKind::Field { field, op, value } => {
            assert_eq!(field.node, FieldRef::Named("requester.tags".into()));
            assert_eq!(op.node, Operator::Includes);
            assert_eq!(value.as_ref().unwrap().kind, ValueKind::Word("vip".into()));
        }
        other => panic!("{other:?}"),
    }
    let actions = &r.then.as_ref().unwrap().actions;
    assert_eq!(actions.len(), 3);
    match &actions[1].kind {
        ActionKind::Set { field, value } => {
            assert_eq!(field.node, FieldRef::Named("group".into()));
            assert_eq!(value.kind, ValueKind::Str("Billing".into()));
        }
        other => panic!("{other:?}"),
    }
    match &actions[2].kind {
        ActionKind::SendMessage { text } => assert_eq!(
            text.node,
            "Thanks {{requester.first_name}}, a billing specialist will reply shortly."
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn dsl_nudge_counts_hours_since_the_last_end_user_message() {
    let file = parse_ok(DSL_EXAMPLES);
    let c = &file.rules[3].all.as_ref().unwrap().conditions[2];
    assert_eq!(
        at(DSL_EXAMPLES, c.span),
        "hours since last_end_user_message > 20"
    );
    match &c.kind {
        ConditionKind::HoursSince {
            what,
            op,
            hours,
            business,
        } => {
            assert_eq!(what.node, "last_end_user_message");
            assert_eq!(op.node, Operator::Gt);
            assert_eq!(hours.node, 20);
            assert_eq!(at(DSL_EXAMPLES, hours.span), "20");
            assert!(!business);
        }
        other => panic!("{other:?}"),
    }
    // `hours since requester_update > 8 business` in the sixth rule.
    match &file.rules[5].all.as_ref().unwrap().conditions[1].kind {
        ConditionKind::HoursSince {
            what,
            hours,
            business,
            ..
        } => {
            assert_eq!(what.node, "requester_update");
            assert_eq!(hours.node, 8);
            assert!(business);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn dsl_notify_group_and_send_template() {
    let file = parse_ok(DSL_EXAMPLES);
    match &file.rules[5].then.as_ref().unwrap().actions[2].kind {
        ActionKind::Notify {
            target,
            subject,
            body,
        } => {
            match target {
                NotifyTarget::Group(g) => assert_eq!(g.node, "Team leads"),
                other => panic!("{other:?}"),
            }
            assert_eq!(
                subject.as_ref().unwrap().node,
                "Ticket {{ticket.id}} waiting"
            );
            assert_eq!(body.node, "Open for 8 business hours.");
        }
        other => panic!("{other:?}"),
    }
    match &file.rules[6].then.as_ref().unwrap().actions[0].kind {
        ActionKind::SendTemplate {
            name,
            language,
            params,
        } => {
            assert_eq!(name.node, "order_followup");
            assert_eq!(language.node, "en_US");
            assert_eq!(strings(params), ["{{ticket.id}}"]);
            assert_eq!(at(DSL_EXAMPLES, params[0].span), "\"{{ticket.id}}\"");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn dsl_redaction_rule_keeps_6_and_4_and_masks_with_a_block() {
    let file = parse_ok(DSL_EXAMPLES);
    let r = &file.rules[7];
    let any = &r.any.as_ref().unwrap().conditions[0];
    match &any.kind {
        ConditionKind::Field { op, value, .. } => {
            assert_eq!(op.node, Operator::In);
            match &value.as_ref().unwrap().kind {
                ValueKind::List(items) => assert_eq!(
                    words(items),
                    [
                        "whatsapp",
                        "messenger",
                        "instagram",
                        "x",
                        "line",
                        "wechat",
                        "telegram",
                        "viber"
                    ]
                ),
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    }
    let clause = r.redact.as_ref().unwrap();
    assert_eq!(clause.target.node, "credit_cards");
    assert_eq!(clause.keep_first.as_ref().unwrap().node, 6);
    assert_eq!(clause.keep_last.as_ref().unwrap().node, 4);
    assert_eq!(clause.mask.as_ref().unwrap().node, "▇");
    assert!(!clause.groupings && !clause.word_boundaries);
    // The clause ends at its last token, not at the comment after it.
    assert_eq!(
        at(DSL_EXAMPLES, clause.span),
        "redact credit_cards keep first 6 last 4 with \"▇\""
    );
}

#[test]
fn dsl_comments_are_kept_in_order_including_trailing_ones() {
    let file = parse_ok(DSL_EXAMPLES);
    let texts: Vec<&str> = file.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            " rules/whatsapp.rules",
            " nullifies `tags excludes nudged`",
            " nullifies `status is solved`",
            " rules/default/credit_cards.rules — loaded by default",
            " options: groupings, word_boundaries",
        ]
    );
    // The trailing comment sits on the line of `add tags nudged`, after the action.
    let add = &file.rules[3].then.as_ref().unwrap().actions[1];
    let comment = &file.comments[1];
    assert_eq!(at(DSL_EXAMPLES, add.span), "add tags nudged");
    assert!(comment.span.start > add.span.end);
    assert!(!DSL_EXAMPLES[add.span.end..comment.span.start].contains('\n'));
    assert_eq!(
        at(DSL_EXAMPLES, comment.span),
        "# nullifies `tags excludes nudged`"
    );
}

// ----------------------------------------------------------------------- conditions

#[test]
fn condition_negation_and_custom_fields() {
    let c = condition("not comment contains \"refund\"");
    assert!(c.negated);
    assert!(matches!(
        c.kind,
        ConditionKind::Field {
            op: Spanned {
                node: Operator::Contains,
                ..
            },
            ..
        }
    ));

    match condition("field \"order_id\" present").kind {
        ConditionKind::Field { field, op, value } => {
            assert_eq!(field.node, FieldRef::Custom("order_id".into()));
            assert_eq!(op.node, Operator::Present);
            assert!(value.is_none());
        }
        other => panic!("{other:?}"),
    }
    match condition("requester.field \"tier\" is not gold").kind {
        ConditionKind::Field { field, op, .. } => {
            assert_eq!(field.node, FieldRef::RequesterField("tier".into()));
            assert_eq!(op.node, Operator::IsNot);
        }
        other => panic!("{other:?}"),
    }
    match condition("organization.field \"region\" not in [emea, \"north america\"]").kind {
        ConditionKind::Field { field, op, value } => {
            assert_eq!(field.node, FieldRef::OrganizationField("region".into()));
            assert_eq!(op.node, Operator::NotIn);
            match value.unwrap().kind {
                ValueKind::List(items) => assert_eq!(words(&items), ["emea", "north america"]),
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn condition_operators_longest_first() {
    let cases = [
        ("status is not open", Operator::IsNot),
        ("status is not_open", Operator::Is),
        ("status in [open, pending]", Operator::In),
        ("priority <= high", Operator::Le),
        ("priority >= high", Operator::Ge),
        ("priority < high", Operator::Lt),
        ("priority > high", Operator::Gt),
        ("tags excludes a, b", Operator::Excludes),
        ("comment not contains \"x\"", Operator::NotContains),
        ("comment contains word \"x\"", Operator::ContainsWord),
        ("subject matches /a/", Operator::Matches),
        ("status changed to open", Operator::ChangedTo),
        ("status changed from new", Operator::ChangedFrom),
        ("status changed", Operator::Changed),
        ("status not changed", Operator::NotChanged),
        ("assignee not present", Operator::NotPresent),
        ("issue is x", Operator::Is),
    ];
    for (line, want) in cases {
        match condition(line).kind {
            ConditionKind::Field { op, .. } => assert_eq!(op.node, want, "{line}"),
            other => panic!("{line}: {other:?}"),
        }
    }
}

#[test]
fn condition_values_lists_numbers_and_regexes() {
    match condition("tags includes a, \"b c\", 3").kind {
        ConditionKind::Field { value, .. } => {
            let v = value.unwrap();
            match &v.kind {
                ValueKind::List(items) => {
                    assert_eq!(items[1].kind, ValueKind::Str("b c".into()));
                    assert_eq!(items[2].kind, ValueKind::Number(3));
                }
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    }
    match condition("field \"score\" > -5").kind {
        ConditionKind::Field { value, .. } => {
            assert_eq!(value.unwrap().kind, ValueKind::Number(-5))
        }
        other => panic!("{other:?}"),
    }
    match condition(r"subject matches /(?i)a\/b\d+/").kind {
        ConditionKind::Field { value, .. } => {
            assert_eq!(value.unwrap().kind, ValueKind::Regex(r"(?i)a/b\d+".into()))
        }
        other => panic!("{other:?}"),
    }
    match condition(r#"comment contains "say \"hi\" \\ bye""#).kind {
        ConditionKind::Field { value, .. } => {
            assert_eq!(
                value.unwrap().kind,
                ValueKind::Str(r#"say "hi" \ bye"#.into())
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn condition_time_and_business_hours() {
    match condition("hours until due < 4").kind {
        ConditionKind::HoursUntil {
            what, op, hours, ..
        } => {
            assert_eq!(what.node, "due");
            assert_eq!(op.node, Operator::Lt);
            assert_eq!(hours.node, 4);
        }
        other => panic!("{other:?}"),
    }
    let c = condition("not within business_hours");
    assert!(c.negated);
    assert_eq!(c.kind, ConditionKind::WithinBusinessHours);
    // A field that happens to be called `hours` is still a field.
    assert!(matches!(
        condition("hours is 3").kind,
        ConditionKind::Field { .. }
    ));
}

#[test]
fn field_names_are_not_checked_by_the_parser() {
    match condition("stauts is open").kind {
        ConditionKind::Field { field, .. } => {
            assert_eq!(field.node, FieldRef::Named("stauts".into()))
        }
        other => panic!("{other:?}"),
    }
}

// -------------------------------------------------------------------------- actions

#[test]
fn actions_of_every_form() {
    match action("set field \"order_id\" 42") {
        ActionKind::Set { field, value } => {
            assert_eq!(field.node, FieldRef::Custom("order_id".into()));
            assert_eq!(value.kind, ValueKind::Number(42));
        }
        other => panic!("{other:?}"),
    }
    match action("set tags a, b") {
        ActionKind::Set { value, .. } => {
            assert!(matches!(value.kind, ValueKind::List(ref l) if l.len() == 2))
        }
        other => panic!("{other:?}"),
    }
    match action("remove tags [a, \"b c\"]") {
        ActionKind::RemoveTags(tags) => assert_eq!(strings(&tags), ["a", "b c"]),
        other => panic!("{other:?}"),
    }
    match action("add note \"Checked by a rule\"") {
        ActionKind::AddNote { text } => assert_eq!(text.node, "Checked by a rule"),
        other => panic!("{other:?}"),
    }
    match action("send template welcome language en") {
        ActionKind::SendTemplate { params, .. } => assert!(params.is_empty()),
        other => panic!("{other:?}"),
    }
    match action("notify requester subject \"Hi\" body \"Hello\"") {
        ActionKind::Notify {
            target: NotifyTarget::Requester,
            subject: Some(s),
            body,
        } => {
            assert_eq!(s.node, "Hi");
            assert_eq!(body.node, "Hello");
        }
        other => panic!("{other:?}"),
    }
    match action("notify assignee body \"x\"") {
        ActionKind::Notify {
            target: NotifyTarget::Assignee,
            subject: None,
            ..
        } => {}
        other => panic!("{other:?}"),
    }
    match action("notify webhook \"crm\" body \"{{ticket.id}}\"") {
        ActionKind::Notify {
            target: NotifyTarget::Webhook(w),
            ..
        } => assert_eq!(w.node, "crm"),
        other => panic!("{other:?}"),
    }
}

// ----------------------------------------------------------------- layout variants

#[test]
fn one_line_blocks_crlf_and_comments_anywhere() {
    let src = "# head\r\ntrigger \"a\" { # after brace\r\n  when all { ticket is created } # x\r\n\r\n  then { add tags vip }\r\n} # end\r\n";
    let file = parse_ok(src);
    assert_eq!(file.rules.len(), 1);
    assert_eq!(file.comments.len(), 4);
    assert_eq!(file.comments[1].text, " after brace");
    let r = &file.rules[0];
    assert_eq!(
        at(src, r.all.as_ref().unwrap().span),
        "when all { ticket is created }"
    );
    assert_eq!(
        at(src, r.then.as_ref().unwrap().span),
        "then { add tags vip }"
    );
}

#[test]
fn redact_clause_options_and_keep_last_alone() {
    let src =
        "redaction \"r\" {\n  redact credit_cards keep last 4 groupings, word_boundaries\n}\n";
    let file = parse_ok(src);
    let c = file.rules[0].redact.as_ref().unwrap();
    assert!(c.keep_first.is_none());
    assert_eq!(c.keep_last.as_ref().unwrap().node, 4);
    assert!(c.groupings && c.word_boundaries);
    let src = "redaction \"r\" {\n  redact credit_cards word_boundaries groupings\n}\n";
    let c = parse_ok(src).rules[0].redact.clone().unwrap();
    assert!(c.groupings && c.word_boundaries && c.mask.is_none());
}

#[test]
fn empty_and_comment_only_files_have_no_rules() {
    assert_eq!(parse_ok("").rules.len(), 0);
    let file = parse_ok("\n# only a comment\n\n");
    assert!(file.rules.is_empty());
    assert_eq!(file.comments.len(), 1);
}

// --------------------------------------------------------------------------- errors

fn errors(src: &str) -> Vec<Diagnostic> {
    let (_, diags) = parse(src);
    for d in &diags {
        assert_eq!(d.code, "syntax");
        assert_eq!(d.severity, Severity::Error);
    }
    diags
}

#[test]
fn every_error_of_a_file_is_reported_in_one_pass() {
    let src = include_str!("cases/syntax/two_errors_in_one_file.rules");
    let diags = errors(src);
    assert_eq!(diags.len(), 2, "{diags:#?}");
    assert_eq!(at(src, diags[0].span), "{");
    assert_eq!(at(src, diags[1].span), "tgs");
    // The rules around the bad lines are still returned.
    let (file, _) = parse(src);
    assert_eq!(file.rules.len(), 2);
    assert_eq!(file.rules[0].then.as_ref().unwrap().actions.len(), 1);
}

#[test]
fn recovery_reads_valid_rules_exactly_like_a_clean_parse() {
    let clean = parse_ok(DSL_EXAMPLES);
    // A stray word at the end forces the rule-by-rule path for the whole file.
    let src = format!("{DSL_EXAMPLES}\nstray\n");
    let (file, diags) = parse(&src);
    assert_eq!(diags.len(), 1);
    assert_eq!(file, clean);
    // A bad line inside the fourth rule forces the line-by-line path for that rule only.
    let bad = DSL_EXAMPLES.replacen(
        "    status is pending\n",
        "    status is pending\n    status ~ x\n",
        1,
    );
    let (file, diags) = parse(&bad);
    assert_eq!(diags.len(), 1);
    assert_eq!(&bad[diags[0].span.start..diags[0].span.end], "~");
    assert_eq!(file.rules.len(), clean.rules.len());
    assert_eq!(file.rules[..3], clean.rules[..3]);
    let shift = "    status ~ x\n".len();
    let r = &file.rules[3];
    let c = &clean.rules[3];
    assert_eq!(r.title, c.title);
    let (got, want) = (
        &r.all.as_ref().unwrap().conditions,
        &c.all.as_ref().unwrap().conditions,
    );
    assert_eq!(got.len(), want.len());
    assert_eq!(got[..2], want[..2]);
    assert_eq!(
        at(&bad, got[2].span),
        "hours since last_end_user_message > 20"
    );
    assert_eq!(got[2].span.start, want[2].span.start + shift);
    assert_eq!(r.span, Span::new(c.span.start, c.span.end + shift));
    assert_eq!(
        r.then.as_ref().unwrap().actions.len(),
        c.then.as_ref().unwrap().actions.len()
    );
}

#[test]
fn error_spans_point_at_the_offending_token() {
    let src = "trigger \"t\" {\n  then {\n    sett status open\n  }\n}\n";
    let diags = errors(src);
    assert_eq!(diags.len(), 1);
    assert_eq!(at(src, diags[0].span), "sett");
    assert_eq!(
        diags[0].message,
        "unknown action `sett`; expected one of: set, add, remove, send, notify"
    );
    assert_eq!(diags[0].help.as_deref(), Some("did you mean `set`?"));
}

#[test]
fn messages_never_name_grammar_rules() {
    let src = "trigger \"t\" {\n when all {\n a\n b is\n c equals d\n }\n then {\n add\n send template\n notify\n }\n}\n";
    for d in errors(src) {
        for internal in [
            "value_operator",
            "kw_",
            "EOI",
            "field_ref",
            "_entry",
            "lbrace",
        ] {
            assert!(!d.message.contains(internal), "{}", d.message);
        }
    }
}

#[test]
fn too_large_numbers_are_errors() {
    let src = "automation \"a\" {\n when all { hours since solved > 99999999999999999999 }\n}\n";
    let diags = errors(src);
    assert_eq!(diags.len(), 1);
    assert!(diags[0].message.contains("too large"));
}

// ------------------------------------------------------------------------ snapshots

fn rendered(name: &str, src: &str) -> String {
    let (_, diags) = parse(src);
    assert!(!diags.is_empty(), "{name} should have errors");
    render::human(
        &diags,
        &SourceFile::new(format!("tests/cases/syntax/{name}.rules"), src),
    )
}

macro_rules! snapshot_cases {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            let src = include_str!(concat!("cases/syntax/", stringify!($name), ".rules"));
            insta::assert_snapshot!(stringify!($name), rendered(stringify!($name), src));
        }
    )*};
}

snapshot_cases!(
    missing_brace,
    unknown_action,
    unterminated_string,
    bad_operator,
    two_errors_in_one_file,
    duplicate_when_all,
    garbage_at_top_level,
    misplaced_clauses,
    bad_values,
);

#[test]
fn json_rendering_of_two_errors() {
    let src = include_str!("cases/syntax/two_errors_in_one_file.rules");
    let (_, diags) = parse(src);
    let file = SourceFile::new("tests/cases/syntax/two_errors_in_one_file.rules", src);
    insta::assert_snapshot!(render::json_lines(&diags, &file));
}

// ------------------------------------------------------------------------- no panic

fn check_spans(src: &str) {
    let (file, diags) = parse(src);
    let ok = |s: Span| {
        s.start <= s.end
            && s.end <= src.len()
            && src.is_char_boundary(s.start)
            && src.is_char_boundary(s.end)
    };
    for d in &diags {
        assert!(ok(d.span), "diagnostic span {:?} in {src:?}", d.span);
        for l in &d.labels {
            assert!(ok(l.span), "label span {:?} in {src:?}", l.span);
        }
    }
    for r in &file.rules {
        assert!(ok(r.span) && ok(r.title.span), "rule span in {src:?}");
    }
    for c in &file.comments {
        assert!(ok(c.span) && src[c.span.start..].starts_with('#'));
    }
    // The renderers take any diagnostic of this file.
    let sf = SourceFile::new("p.rules", src);
    let _ = render::human(&diags, &sf);
    let _ = render::github(&diags, &sf);
}

/// A character that matters to the grammar, or any character.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "{",
            "}",
            "\"",
            "\\",
            "/",
            "#",
            "\n",
            "\r\n",
            ",",
            "[",
            "]",
            " ",
            "not ",
            "when all ",
            "then ",
            "is ",
            "▇",
            "-1",
            "trigger \"x\" {",
            "changed ",
            "\u{a0}",
        ])
        .prop_map(str::to_string),
        any::<char>().prop_map(|c| c.to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_text_never_panics(src in "\\PC*") {
        check_spans(&src);
    }

    #[test]
    fn mutated_examples_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0usize..3, piece()), 1..6)
    ) {
        let mut src = DSL_EXAMPLES.to_string();
        for (index, what, text) in edits {
            let mut at = index.index(src.len() + 1);
            while !src.is_char_boundary(at) {
                at -= 1;
            }
            match what {
                0 => src.insert_str(at, &text),
                1 => {
                    let end = src[at..].chars().next().map_or(at, |c| at + c.len_utf8());
                    src.replace_range(at..end, "");
                }
                _ => {
                    let end = src[at..].chars().next().map_or(at, |c| at + c.len_utf8());
                    src.replace_range(at..end, &text);
                }
            }
        }
        check_spans(&src);
    }
}
