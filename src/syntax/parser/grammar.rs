//! The pest parser generated from `grammar/rules.pest`. Its `Rule` enum and pairs stay
//! inside `syntax::parser`.

/// The generated parser; `Rule::file` parses a whole rule file.
#[derive(pest_derive::Parser)]
#[grammar = "grammar/rules.pest"]
pub(super) struct RulesParser;

/// The grammar's word lists (`rule_kind`, the operators, `field_ref`'s keywords) agree
/// with the language catalogue: everything the catalogue names parses as what it is.
#[cfg(test)]
mod tests {
    use crate::lang::fields::{Reads, FIELDS};
    use crate::lang::keywords::RULE_KINDS;
    use crate::lang::Operator;
    use crate::syntax::ast::{ConditionKind, FieldRef};
    use crate::syntax::parse;

    /// The first condition of `trigger "t" { when all { COND } }`.
    fn condition(cond: &str) -> ConditionKind {
        let (file, diags) = parse(&format!("trigger \"t\" {{\n  when all {{ {cond} }}\n}}\n"));
        assert!(diags.is_empty(), "`{cond}`: {diags:?}");
        let all = file.rules[0].all.as_ref().expect("a when all block");
        all.conditions[0].kind.clone()
    }

    #[test]
    fn every_rule_kind_keyword_starts_a_rule() {
        for k in RULE_KINDS {
            let (file, diags) = parse(&format!("{} \"t\" {{\n}}\n", k.keyword));
            assert!(
                diags.iter().all(|d| !d.message.contains("expected a rule")),
                "{}",
                k.keyword
            );
            assert_eq!(file.rules[0].kind, k.kind);
        }
    }

    #[test]
    fn every_operator_parses_as_itself() {
        for op in Operator::ALL {
            let value = match op {
                Operator::Changed
                | Operator::NotChanged
                | Operator::Present
                | Operator::NotPresent => "",
                _ => " x",
            };
            let written = format!("status {}{value}", op.as_str());
            match condition(&written) {
                ConditionKind::Field { op: o, .. } => assert_eq!(o.node, op, "{written}"),
                other => panic!("{written}: {other:?}"),
            }
        }
    }

    #[test]
    fn every_custom_field_keyword_is_a_keyword_of_the_grammar() {
        for f in FIELDS
            .iter()
            .filter(|f| matches!(f.reads, Reads::Custom(_)))
        {
            let kw = f.custom_keyword().expect("a keyword");
            match condition(&format!("{kw} \"x\" present")) {
                ConditionKind::Field { field, .. } => {
                    assert!(!matches!(field.node, FieldRef::Named(_)), "{kw}")
                }
                other => panic!("{kw}: {other:?}"),
            }
        }
    }
}
