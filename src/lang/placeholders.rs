//! Placeholders (rules-semantics.md, "Placeholders"): the `{{…}}` names a text may hold,
//! with their rows of the placeholder table of `docs/language.md`.

use super::Doc;

/// The known placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placeholder {
    /// `{{ticket.id}}`
    TicketId,
    /// `{{ticket.subject}}`
    TicketSubject,
    /// `{{ticket.status}}`
    TicketStatus,
    /// `{{requester.name}}`
    RequesterName,
    /// `{{requester.first_name}}`
    RequesterFirstName,
    /// `{{assignee.name}}`
    AssigneeName,
    /// `{{ticket.fields.NAME}}`
    TicketField(String),
}

/// What a placeholder row stands for.
pub(crate) enum Stands {
    /// One placeholder.
    For(Placeholder),
    /// `ticket.fields.NAME`: the ticket's custom field `NAME`.
    TicketField,
}

/// One placeholder: a row of the placeholder table.
pub(crate) struct PlaceholderDef {
    /// Its name between the braces; a family ends in `.NAME`.
    pub name: &'static str,
    /// What it stands for.
    pub stands: Stands,
    /// Its row of the docs: what it is replaced by, an example action.
    #[cfg_attr(not(test), allow(dead_code))] // read by the docs tests (lang/docs.rs)
    pub doc: Doc,
}

/// Every placeholder, in the order of the docs.
pub(crate) const PLACEHOLDERS: &[PlaceholderDef] = &[
    PlaceholderDef {
        name: "ticket.id",
        stands: Stands::For(Placeholder::TicketId),
        doc: Doc {
            text: "the ticket's id",
            example: "add note \"Ticket {{ticket.id}}\"",
        },
    },
    PlaceholderDef {
        name: "ticket.subject",
        stands: Stands::For(Placeholder::TicketSubject),
        doc: Doc {
            text: "its subject",
            example: "add note \"Subject: {{ticket.subject}}\"",
        },
    },
    PlaceholderDef {
        name: "ticket.status",
        stands: Stands::For(Placeholder::TicketStatus),
        doc: Doc {
            text: "its status, e.g. `open`",
            example: "add note \"Status is now {{ticket.status}}\"",
        },
    },
    PlaceholderDef {
        name: "requester.name",
        stands: Stands::For(Placeholder::RequesterName),
        doc: Doc {
            text: "the requester's full name",
            example: "add note \"Opened by {{requester.name}}\"",
        },
    },
    PlaceholderDef {
        name: "requester.first_name",
        stands: Stands::For(Placeholder::RequesterFirstName),
        doc: Doc {
            text: "the first word of the requester's name",
            example: "send message \"Hi {{requester.first_name}}!\"",
        },
    },
    PlaceholderDef {
        name: "assignee.name",
        stands: Stands::For(Placeholder::AssigneeName),
        doc: Doc {
            text: "the assignee",
            example: "add note \"Assigned to {{assignee.name}}\"",
        },
    },
    PlaceholderDef {
        name: "ticket.fields.NAME",
        stands: Stands::TicketField,
        doc: Doc {
            text: "the custom field `NAME` (`{{ticket.fields.order_id}}`)",
            example: "send message \"Order {{ticket.fields.order_id}} was delivered.\"",
        },
    },
];

/// The placeholder named `name` (the text between the braces, trimmed), if any.
pub(crate) fn placeholder(name: &str) -> Option<Placeholder> {
    PLACEHOLDERS.iter().find_map(|p| match &p.stands {
        Stands::For(ph) if p.name == name => Some(ph.clone()),
        Stands::TicketField => p
            .name
            .strip_suffix("NAME")
            .and_then(|prefix| name.strip_prefix(prefix))
            .filter(|f| !f.is_empty())
            .map(|f| Placeholder::TicketField(f.to_string())),
        Stands::For(_) => None,
    })
}

/// The placeholder names, in order (for did-you-mean and "known placeholders").
pub(crate) fn names() -> Vec<&'static str> {
    PLACEHOLDERS.iter().map(|p| p.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve() {
        assert_eq!(placeholder("ticket.id"), Some(Placeholder::TicketId));
        assert_eq!(
            placeholder("ticket.fields.order_id"),
            Some(Placeholder::TicketField("order_id".into()))
        );
        assert_eq!(placeholder("ticket.fields."), None);
        assert_eq!(placeholder("ticket.idx"), None);
    }
}
