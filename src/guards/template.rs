//! The approved-template registry check (whatsapp.md W9).

use crate::model::{Account, ApprovedTemplate, TemplateMessage};

/// The registry entry that approves `msg`, if any (W9).
///
/// A template is approved when the account's registry has an entry with the same
/// `name` and `language` (both compared exactly, case-sensitively, as WhatsApp does) and
/// whose `params` equals the number of body parameters the message carries. Used at run
/// time by [`crate::guards::check_outbound`] and statically by `check`.
pub fn approved_template<'a>(
    account: &'a Account,
    msg: &TemplateMessage,
) -> Option<&'a ApprovedTemplate> {
    account.templates.iter().find(|t| {
        t.name == msg.name
            && t.language == msg.language
            && usize::try_from(t.params).is_ok_and(|n| n == msg.params.len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Account {
        Account {
            templates: vec![
                ApprovedTemplate {
                    name: "order_followup".into(),
                    language: "en_US".into(),
                    category: Some("utility".into()),
                    params: 1,
                },
                ApprovedTemplate {
                    name: "order_followup".into(),
                    language: "ko_KR".into(),
                    category: None,
                    params: 2,
                },
            ],
            ..Account::default()
        }
    }

    fn msg(name: &str, language: &str, n: usize) -> TemplateMessage {
        TemplateMessage {
            name: name.into(),
            language: language.into(),
            params: vec!["p".into(); n],
        }
    }

    #[test]
    fn w9_registry_matches_name_language_and_param_count() {
        let acc = account();
        assert_eq!(
            approved_template(&acc, &msg("order_followup", "en_US", 1)).map(|t| t.params),
            Some(1)
        );
        assert_eq!(
            approved_template(&acc, &msg("order_followup", "ko_KR", 2)).map(|t| t.params),
            Some(2)
        );
        assert!(approved_template(&acc, &msg("order_followup", "ko_KR", 1)).is_none());
        assert!(approved_template(&acc, &msg("order_followup", "en_us", 1)).is_none());
        assert!(approved_template(&acc, &msg("Order_followup", "en_US", 1)).is_none());
        assert!(approved_template(&acc, &msg("order_followup", "en_US", 0)).is_none());
        assert!(
            approved_template(&Account::default(), &msg("order_followup", "en_US", 1)).is_none()
        );
    }
}
