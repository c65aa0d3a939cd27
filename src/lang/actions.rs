//! Actions (dsl.md, "Actions"): one row per form of action, with the field a `set`
//! action writes, and its row of the action table of `docs/language.md`.

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
    /// What it does.
    #[cfg_attr(not(test), allow(dead_code))] // read by the docs tests (lang/docs.rs)
    pub effect: &'static str,
    /// An example action (it checks without findings).
    #[cfg_attr(not(test), allow(dead_code))] // read by the docs tests (lang/docs.rs)
    pub example: &'static str,
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

const fn set(
    written: &'static str,
    sets: Settable,
    effect: &'static str,
    example: &'static str,
) -> ActionDef {
    ActionDef {
        written,
        sets: Some(sets),
        effect,
        example,
    }
}

const fn act(written: &'static str, effect: &'static str, example: &'static str) -> ActionDef {
    ActionDef {
        written,
        sets: None,
        effect,
        example,
    }
}

/// Every form of action, in the order of the docs.
pub(crate) const ACTIONS: &[ActionDef] = &[
    set("set status V", Settable::Status, "change the status", "set status pending"),
    set(
        "set priority V",
        Settable::Priority,
        "change the priority; `none` clears it",
        "set priority urgent",
    ),
    set(
        "set type V",
        Settable::Type,
        "change the type; `none` clears it",
        "set type incident",
    ),
    set(
        "set group V",
        Settable::Text(TextField::Group),
        "change the group",
        "set group \"Billing\"",
    ),
    set(
        "set assignee V",
        Settable::Text(TextField::Assignee),
        "assign an agent; `none` unassigns",
        "set assignee \"Priya Shah\"",
    ),
    set(
        "set schedule V",
        Settable::Text(TextField::Schedule),
        "change the business-hours schedule",
        "set schedule \"Seoul desk\"",
    ),
    set(
        "set form V",
        Settable::Text(TextField::Form),
        "change the ticket form",
        "set form \"Order issue\"",
    ),
    set(
        "set brand V",
        Settable::Text(TextField::Brand),
        "change the brand",
        "set brand \"Acme Pay\"",
    ),
    set(
        "set satisfaction offered",
        Settable::Satisfaction,
        "mark the satisfaction survey as offered (your survey tool sends it)",
        "set satisfaction offered",
    ),
    set(
        "set field \"NAME\" V",
        Settable::Custom,
        "set a custom field: a number, `true`/`false`, or text",
        "set field \"needs_screenshot\" true",
    ),
    act("add tags a, b", "add tags", "add tags vip, priority_support"),
    act("remove tags a, b", "remove tags", "remove tags reengage"),
    set("set tags a, b", Settable::Tags, "replace all tags", "set tags spam"),
    act(
        "send message \"text\"",
        "a public reply on the ticket's channel, guarded (W5–W12)",
        "send message \"Thanks {{requester.first_name}}, we are on it.\"",
    ),
    act(
        "send template \"NAME\" language \"CODE\" params [\"…\"]",
        "a WhatsApp template message, guarded (W7–W11); `params` may be left out when the template has none",
        "send template \"order_followup\" language \"en_US\" params [\"{{ticket.id}}\"]",
    ),
    act(
        "add note \"text\"",
        "an internal note, seen by agents only",
        "add note \"Customer mentioned a chargeback.\"",
    ),
    act(
        "notify requester subject \"…\" body \"…\"",
        "an email to the requester (S9)",
        "notify requester subject \"[{{ticket.id}}] Received\" body \"We will reply soon.\"",
    ),
    act(
        "notify assignee subject \"…\" body \"…\"",
        "an email to the assignee",
        "notify assignee subject \"{{ticket.id}} updated\" body \"The customer replied.\"",
    ),
    act(
        "notify group \"NAME\" subject \"…\" body \"…\"",
        "an email to a group",
        "notify group \"Team leads\" subject \"VIP ticket {{ticket.id}}\" body \"Please look.\"",
    ),
    act(
        "notify webhook \"NAME\" body \"…\"",
        "a call to a named webhook, recorded as an outbound request",
        "notify webhook \"pager\" body \"Urgent ticket {{ticket.id}}\"",
    ),
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
