//! Actions (dsl.md, "Actions"): one row per form of action, with the field a `set`
//! action writes, and its row of the action table of `docs/language.md`.

use super::Doc;

/// Fields set to an optional text value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    /// Group.
    Group,
    /// Assignee.
    Assignee,
    /// Schedule.
    Schedule,
    /// Form.
    Form,
    /// Brand.
    Brand,
}

/// What a `set` action writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Settable {
    /// `set status V`.
    Status,
    /// `set priority V|none`.
    Priority,
    /// `set type V|none`.
    Type,
    /// `set group|assignee|schedule|form|brand V|none`.
    Text(TextField),
    /// `set satisfaction offered`.
    Satisfaction,
    /// `set tags a, b`.
    Tags,
    /// `set field "NAME" V`.
    Custom,
}

/// One form of action: a row of the action table.
pub(crate) struct ActionDef {
    /// As written in the docs, e.g. `set status V`, `add tags a, b`.
    pub written: &'static str,
    /// For a `set` action, what it writes.
    pub sets: Option<Settable>,
    /// Its row of the docs: what it does, an example action.
    #[cfg_attr(not(test), allow(dead_code))] // read by the docs tests (lang/docs.rs)
    pub doc: Doc,
}

impl ActionDef {
    /// The keyword the action starts with: `set`, `add`, `remove`, `send`, `notify`.
    pub fn keyword(&self) -> &'static str {
        self.written.split(' ').next().unwrap_or("")
    }

    /// The word after the keyword: the field of a `set`, the target of a `notify`.
    pub fn second_word(&self) -> &'static str {
        self.written.split(' ').nth(1).unwrap_or("")
    }
}

/// Every form of action, in the order of the docs.
pub(crate) const ACTIONS: &[ActionDef] = &[
    ActionDef {
        written: "set status V",
        sets: Some(Settable::Status),
        doc: Doc {
            text: "change the status",
            example: "set status pending",
        },
    },
    ActionDef {
        written: "set priority V",
        sets: Some(Settable::Priority),
        doc: Doc {
            text: "change the priority; `none` clears it",
            example: "set priority urgent",
        },
    },
    ActionDef {
        written: "set type V",
        sets: Some(Settable::Type),
        doc: Doc {
            text: "change the type; `none` clears it",
            example: "set type incident",
        },
    },
    ActionDef {
        written: "set group V",
        sets: Some(Settable::Text(TextField::Group)),
        doc: Doc {
            text: "change the group",
            example: "set group \"Billing\"",
        },
    },
    ActionDef {
        written: "set assignee V",
        sets: Some(Settable::Text(TextField::Assignee)),
        doc: Doc {
            text: "assign an agent; `none` unassigns",
            example: "set assignee \"Priya Shah\"",
        },
    },
    ActionDef {
        written: "set schedule V",
        sets: Some(Settable::Text(TextField::Schedule)),
        doc: Doc {
            text: "change the business-hours schedule",
            example: "set schedule \"Seoul desk\"",
        },
    },
    ActionDef {
        written: "set form V",
        sets: Some(Settable::Text(TextField::Form)),
        doc: Doc {
            text: "change the ticket form",
            example: "set form \"Order issue\"",
        },
    },
    ActionDef {
        written: "set brand V",
        sets: Some(Settable::Text(TextField::Brand)),
        doc: Doc {
            text: "change the brand",
            example: "set brand \"Acme Pay\"",
        },
    },
    ActionDef {
        written: "set satisfaction offered",
        sets: Some(Settable::Satisfaction),
        doc: Doc {
            text: "mark the satisfaction survey as offered (your survey tool sends it)",
            example: "set satisfaction offered",
        },
    },
    ActionDef {
        written: "set field \"NAME\" V",
        sets: Some(Settable::Custom),
        doc: Doc {
            text: "set a custom field: a number, `true`/`false`, or text",
            example: "set field \"needs_screenshot\" true",
        },
    },
    ActionDef {
        written: "add tags a, b",
        sets: None,
        doc: Doc {
            text: "add tags",
            example: "add tags vip, priority_support",
        },
    },
    ActionDef {
        written: "remove tags a, b",
        sets: None,
        doc: Doc {
            text: "remove tags",
            example: "remove tags reengage",
        },
    },
    ActionDef {
        written: "set tags a, b",
        sets: Some(Settable::Tags),
        doc: Doc {
            text: "replace all tags",
            example: "set tags spam",
        },
    },
    ActionDef {
        written: "send message \"text\"",
        sets: None,
        doc: Doc {
            text: "a public reply on the ticket's channel, guarded (W5–W12)",
            example: "send message \"Thanks {{requester.first_name}}, we are on it.\"",
        },
    },
    ActionDef {
        written: "send template \"NAME\" language \"CODE\" params [\"…\"]",
        sets: None,
        doc: Doc {
            text: "a WhatsApp template message, guarded (W7–W11); `params` may be left out when the template has none",
            example: "send template \"order_followup\" language \"en_US\" params [\"{{ticket.id}}\"]",
        },
    },
    ActionDef {
        written: "add note \"text\"",
        sets: None,
        doc: Doc {
            text: "an internal note, seen by agents only",
            example: "add note \"Customer mentioned a chargeback.\"",
        },
    },
    ActionDef {
        written: "notify requester subject \"…\" body \"…\"",
        sets: None,
        doc: Doc {
            text: "an email to the requester (S9)",
            example: "notify requester subject \"[{{ticket.id}}] Received\" body \"We will reply soon.\"",
        },
    },
    ActionDef {
        written: "notify assignee subject \"…\" body \"…\"",
        sets: None,
        doc: Doc {
            text: "an email to the assignee",
            example: "notify assignee subject \"{{ticket.id}} updated\" body \"The customer replied.\"",
        },
    },
    ActionDef {
        written: "notify group \"NAME\" subject \"…\" body \"…\"",
        sets: None,
        doc: Doc {
            text: "an email to a group",
            example: "notify group \"Team leads\" subject \"VIP ticket {{ticket.id}}\" body \"Please look.\"",
        },
    },
    ActionDef {
        written: "notify webhook \"NAME\" body \"…\"",
        sets: None,
        doc: Doc {
            text: "a call to a named webhook, recorded as an outbound request",
            example: "notify webhook \"pager\" body \"Urgent ticket {{ticket.id}}\"",
        },
    },
];

/// The keywords an action starts with, in order: `set`, `add`, `remove`, `send`, `notify`.
pub(crate) fn action_keywords() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for a in ACTIONS {
        if !out.contains(&a.keyword()) {
            out.push(a.keyword());
        }
    }
    out
}

/// The fields a `set FIELD V` action may name (custom fields are `set field "NAME" V`),
/// in order.
pub(crate) fn settable_names() -> Vec<&'static str> {
    ACTIONS
        .iter()
        .filter(|a| a.sets.is_some_and(|s| s != Settable::Custom))
        .map(ActionDef::second_word)
        .collect()
}

/// What `set NAME V` writes, for a settable field name.
pub(crate) fn settable(name: &str) -> Option<Settable> {
    ACTIONS
        .iter()
        .filter(|a| a.sets.is_some_and(|s| s != Settable::Custom))
        .find(|a| a.second_word() == name)
        .and_then(|a| a.sets)
}

/// Who `notify` can address: `requester`, `assignee`, `group`, `webhook`.
#[cfg(test)]
pub(crate) fn notify_targets() -> Vec<&'static str> {
    ACTIONS
        .iter()
        .filter(|a| a.keyword() == "notify")
        .map(ActionDef::second_word)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_settable_fields_and_targets() {
        assert_eq!(
            action_keywords(),
            ["set", "add", "remove", "send", "notify"]
        );
        assert_eq!(
            settable_names(),
            [
                "status",
                "priority",
                "type",
                "group",
                "assignee",
                "schedule",
                "form",
                "brand",
                "satisfaction",
                "tags"
            ]
        );
        assert_eq!(
            notify_targets(),
            ["requester", "assignee", "group", "webhook"]
        );
        assert_eq!(
            settable("assignee"),
            Some(Settable::Text(TextField::Assignee))
        );
        assert_eq!(settable("field"), None);
        assert_eq!(settable("requester.name"), None);
    }
}
