//! Condition fields (dsl.md, "Conditions"): one row per field with its name, what it
//! reads, its value type (which decides its operators and how values are read), how it
//! changes during a ticket's life ([`Changes`]), its spec id, and its row of the field table of
//! `docs/language.md`.
//!
//! Adding a plain field: a [`Field`] variant, a row in [`FIELDS`], and its evaluation arm
//! in `engine/eval.rs` (`get`); see ARCHITECTURE.md, "Adding a plain field".

use super::values::{Ranked, ValueType, CHANNELS, VIA};
use super::Doc;

/// A field a condition reads (or a `changed` operator compares with the baseline).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// Ordered status.
    Status,
    /// Ordered priority (or unset).
    Priority,
    /// Ticket type.
    Type,
    /// Creation channel.
    Channel,
    /// Subject.
    Subject,
    /// Ticket tags (a set).
    Tags,
    /// Group name.
    Group,
    /// Assignee.
    Assignee,
    /// Ticket form.
    Form,
    /// Brand.
    Brand,
    /// Schedule name.
    Schedule,
    /// Satisfaction state.
    Satisfaction,
    /// The ticket has public comments.
    Public,
    /// Organization name (or id).
    Organization,
    /// Organization id, as the host gives it (`organization.id` of events.md).
    OrganizationId,
    /// Requester id.
    RequesterId,
    /// Requester name.
    RequesterName,
    /// Requester email.
    RequesterEmail,
    /// Requester phone.
    RequesterPhone,
    /// Requester tags (a set).
    RequesterTags,
    /// Requester opted in (W11).
    RequesterOptedIn,
    /// Ticket custom field.
    Custom(String),
    /// Requester custom field.
    RequesterField(String),
    /// Organization custom field.
    OrganizationField(String),
    /// This update's comment text.
    Comment,
    /// The source of this update (`update.via`).
    UpdateVia,
    /// This update's message was forwarded (W14).
    MessageForwarded,
    /// This update's message has attachments (W14).
    MessageHasAttachments,
}

/// Who made the current update (`current_user`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The requester.
    EndUser,
    /// An agent (replies, macros, autoresponders, agent updates).
    Agent,
    /// The system, API, automations.
    System,
}

/// The roles as written after `current_user`, in order.
pub(crate) const ROLES: [(&str, Role); 3] = [
    ("end_user", Role::EndUser),
    ("agent", Role::Agent),
    ("system", Role::System),
];

/// A family of custom fields, written `KEYWORD "NAME"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CustomFamily {
    /// `field "NAME"`: the ticket's.
    Ticket,
    /// `requester.field "NAME"`.
    Requester,
    /// `organization.field "NAME"`.
    Organization,
}

impl CustomFamily {
    /// The field named `name` of this family.
    pub fn field(self, name: &str) -> Field {
        match self {
            CustomFamily::Ticket => Field::Custom(name.to_string()),
            CustomFamily::Requester => Field::RequesterField(name.to_string()),
            CustomFamily::Organization => Field::OrganizationField(name.to_string()),
        }
    }
}

/// What a condition on a catalogue field reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reads {
    /// A field of the ticket, its requester, its organization or the update.
    Field(Field),
    /// A custom field of a family (`field "NAME"`, …).
    Custom(CustomFamily),
    /// `ticket is created|updated`: whether this update created the ticket.
    TicketCreated,
    /// `current_user is …`: who made this update.
    CurrentUser,
    /// `window is open|closed`: the WhatsApp customer-service window (W2).
    Window,
}

/// How a field's value changes during a ticket's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Changes {
    /// Events (`ticket.updated` changes, replies) and actions set it, and the ticket
    /// before the update keeps its old value (S6): `changed`, `changed to|from` and
    /// `not changed` apply.
    Tracked,
    /// Comes with the ticket (its requester, organization, comments, the WhatsApp
    /// window); rules cannot ask whether it changed.
    Untracked,
    /// Describes the update being processed (its comment, message, source, author): a
    /// condition on it limits a trigger to some updates (S8).
    ThisUpdate,
}

/// One condition field: a row of the field table.
pub(crate) struct FieldDef {
    /// As written: `status`, `requester.email`; a custom family as `field "NAME"`.
    pub name: &'static str,
    /// What it reads.
    pub reads: Reads,
    /// Its value type.
    pub ty: ValueType,
    /// How its value changes: whether `changed …` applies, whether it describes the
    /// update.
    pub changes: Changes,
    /// Where the language defines it: `dsl.md`, `events.md` (a key of the ticket events),
    /// or a spec id (W…, S…).
    #[cfg_attr(not(test), allow(dead_code))] // read by the docs tests (lang/docs.rs)
    pub spec: &'static str,
    /// Its row of the field table: the "type" column and an example condition.
    #[cfg_attr(not(test), allow(dead_code))] // read by the docs tests (lang/docs.rs)
    pub doc: Doc,
}

impl FieldDef {
    /// `changed …` operators apply (S6).
    pub fn changeable(&self) -> bool {
        self.changes == Changes::Tracked
    }

    /// The keyword of a custom family (`field`, `requester.field`, `organization.field`).
    pub fn custom_keyword(&self) -> Option<&'static str> {
        match self.reads {
            Reads::Custom(_) => self.name.split(' ').next(),
            _ => None,
        }
    }
}

/// Every condition field, in the order of the docs.
pub(crate) const FIELDS: &[FieldDef] = &[
    FieldDef {
        name: "status",
        reads: Reads::Field(Field::Status),
        ty: ValueType::Ordered(Ranked::Status),
        changes: Changes::Tracked,
        spec: "dsl.md",
        doc: Doc {
            text: "ordered: `new` < `open` < `pending` < `hold` < `solved` < `closed`",
            example: "status < solved",
        },
    },
    FieldDef {
        name: "priority",
        reads: Reads::Field(Field::Priority),
        ty: ValueType::Ordered(Ranked::Priority),
        changes: Changes::Tracked,
        spec: "dsl.md",
        doc: Doc {
            text: "ordered: `low` < `normal` < `high` < `urgent`, or unset",
            example: "priority >= high",
        },
    },
    FieldDef {
        name: "type",
        reads: Reads::Field(Field::Type),
        ty: ValueType::Enum(Ranked::TicketType),
        changes: Changes::Tracked,
        spec: "dsl.md",
        doc: Doc {
            text: "`question`, `incident`, `problem`, `task`, or unset",
            example: "type is incident",
        },
    },
    FieldDef {
        name: "channel",
        reads: Reads::Field(Field::Channel),
        ty: ValueType::Word { known: CHANNELS },
        changes: Changes::Tracked,
        spec: "dsl.md",
        doc: Doc {
            text: "the channel the ticket was created on: `whatsapp`, `email`, `web`, `api`, `messenger`, `instagram`, `x`, `line`, `wechat`, `telegram`, `viber`, `chat`, or another word",
            example: "channel in [whatsapp, messenger]",
        },
    },
    FieldDef {
        name: "subject",
        reads: Reads::Field(Field::Subject),
        ty: ValueType::Text,
        changes: Changes::Tracked,
        spec: "dsl.md",
        doc: Doc {
            text: "text",
            example: "subject contains \"invoice\"",
        },
    },
    FieldDef {
        name: "tags",
        reads: Reads::Field(Field::Tags),
        ty: ValueType::Tags,
        changes: Changes::Tracked,
        spec: "dsl.md",
        doc: Doc {
            text: "the ticket's tags (a set of lowercase words)",
            example: "tags includes vip, gold",
        },
    },
    FieldDef {
        name: "group",
        reads: Reads::Field(Field::Group),
        ty: ValueType::Text,
        changes: Changes::Tracked,
        spec: "dsl.md",
        doc: Doc {
            text: "text: the group's name",
            example: "group is \"Billing\"",
        },
    },
    FieldDef {
        name: "assignee",
        reads: Reads::Field(Field::Assignee),
        ty: ValueType::Text,
        changes: Changes::Tracked,
        spec: "dsl.md",
        doc: Doc {
            text: "text: the assigned agent",
            example: "assignee not present",
        },
    },
    FieldDef {
        name: "form",
        reads: Reads::Field(Field::Form),
        ty: ValueType::Text,
        changes: Changes::Tracked,
        spec: "dsl.md",
        doc: Doc {
            text: "text: the ticket form",
            example: "form is \"Order issue\"",
        },
    },
    FieldDef {
        name: "brand",
        reads: Reads::Field(Field::Brand),
        ty: ValueType::Text,
        changes: Changes::Tracked,
        spec: "dsl.md",
        doc: Doc {
            text: "text",
            example: "brand changed",
        },
    },
    FieldDef {
        name: "schedule",
        reads: Reads::Field(Field::Schedule),
        ty: ValueType::Text,
        changes: Changes::Tracked,
        spec: "S14",
        doc: Doc {
            text: "text: the business-hours schedule's name",
            example: "schedule is \"Seoul desk\"",
        },
    },
    FieldDef {
        name: "public",
        reads: Reads::Field(Field::Public),
        ty: ValueType::Bool,
        changes: Changes::Untracked,
        spec: "dsl.md",
        doc: Doc {
            text: "`true` when the ticket has at least one public comment",
            example: "public is false",
        },
    },
    FieldDef {
        name: "satisfaction",
        reads: Reads::Field(Field::Satisfaction),
        ty: ValueType::Enum(Ranked::Satisfaction),
        changes: Changes::Tracked,
        spec: "dsl.md",
        doc: Doc {
            text: "`unoffered`, `offered`, `good`, `bad`",
            example: "satisfaction changed to bad",
        },
    },
    FieldDef {
        name: "organization",
        reads: Reads::Field(Field::Organization),
        ty: ValueType::Text,
        changes: Changes::Untracked,
        spec: "dsl.md",
        doc: Doc {
            text: "text: the organization's name (its id if it has no name)",
            example: "organization is \"Acme Corp\"",
        },
    },
    FieldDef {
        name: "organization.id",
        reads: Reads::Field(Field::OrganizationId),
        ty: ValueType::Text,
        changes: Changes::Untracked,
        spec: "events.md",
        doc: Doc {
            text: "text: the organization's id, even when it has a name",
            example: "organization.id is \"360001\"",
        },
    },
    FieldDef {
        name: "requester.id",
        reads: Reads::Field(Field::RequesterId),
        ty: ValueType::Text,
        changes: Changes::Untracked,
        spec: "dsl.md",
        doc: Doc {
            text: "text",
            example: "requester.id is \"u-1042\"",
        },
    },
    FieldDef {
        name: "requester.name",
        reads: Reads::Field(Field::RequesterName),
        ty: ValueType::Text,
        changes: Changes::Untracked,
        spec: "dsl.md",
        doc: Doc {
            text: "text",
            example: "requester.name contains word \"test\"",
        },
    },
    FieldDef {
        name: "requester.email",
        reads: Reads::Field(Field::RequesterEmail),
        ty: ValueType::Text,
        changes: Changes::Untracked,
        spec: "dsl.md",
        doc: Doc {
            text: "text",
            example: "requester.email matches /@example\\.com$/",
        },
    },
    FieldDef {
        name: "requester.phone",
        reads: Reads::Field(Field::RequesterPhone),
        ty: ValueType::Text,
        changes: Changes::Untracked,
        spec: "dsl.md",
        doc: Doc {
            text: "text",
            example: "requester.phone matches /^\\+82/",
        },
    },
    FieldDef {
        name: "requester.tags",
        reads: Reads::Field(Field::RequesterTags),
        ty: ValueType::Tags,
        changes: Changes::Untracked,
        spec: "dsl.md",
        doc: Doc {
            text: "the requester's tags",
            example: "requester.tags includes vip",
        },
    },
    FieldDef {
        name: "requester.opted_in",
        reads: Reads::Field(Field::RequesterOptedIn),
        ty: ValueType::Bool,
        changes: Changes::Untracked,
        spec: "W11",
        doc: Doc {
            text: "`true` when the requester agreed to business-initiated messages (W11)",
            example: "requester.opted_in is true",
        },
    },
    FieldDef {
        name: "requester.field \"NAME\"",
        reads: Reads::Custom(CustomFamily::Requester),
        ty: ValueType::Custom,
        changes: Changes::Untracked,
        spec: "dsl.md",
        doc: Doc {
            text: "a custom field of the requester: text, number or `true`/`false`",
            example: "requester.field \"tier\" is gold",
        },
    },
    FieldDef {
        name: "organization.field \"NAME\"",
        reads: Reads::Custom(CustomFamily::Organization),
        ty: ValueType::Custom,
        changes: Changes::Untracked,
        spec: "dsl.md",
        doc: Doc {
            text: "a custom field of the organization",
            example: "organization.field \"plan\" in [enterprise, premium]",
        },
    },
    FieldDef {
        name: "field \"NAME\"",
        reads: Reads::Custom(CustomFamily::Ticket),
        ty: ValueType::Custom,
        changes: Changes::Tracked,
        spec: "dsl.md",
        doc: Doc {
            text: "a custom field of the ticket: text, number or `true`/`false`",
            example: "field \"order_total\" > 100",
        },
    },
    FieldDef {
        name: "comment",
        reads: Reads::Field(Field::Comment),
        ty: ValueType::Comment,
        changes: Changes::ThisUpdate,
        spec: "dsl.md",
        doc: Doc {
            text: "the text of **this update's** comment (none when the update has no comment); `is public` / `is private` test its visibility",
            example: "comment contains word \"refund\"",
        },
    },
    FieldDef {
        name: "message.forwarded",
        reads: Reads::Field(Field::MessageForwarded),
        ty: ValueType::Bool,
        changes: Changes::ThisUpdate,
        spec: "W14",
        doc: Doc {
            text: "this update's WhatsApp message was forwarded from another chat (W14)",
            example: "message.forwarded is true",
        },
    },
    FieldDef {
        name: "message.has_attachments",
        reads: Reads::Field(Field::MessageHasAttachments),
        ty: ValueType::Bool,
        changes: Changes::ThisUpdate,
        spec: "W14",
        doc: Doc {
            text: "this update's message carries photos or files (W14)",
            example: "message.has_attachments is true",
        },
    },
    FieldDef {
        name: "ticket",
        reads: Reads::TicketCreated,
        ty: ValueType::OneOf(&["created", "updated"]),
        changes: Changes::ThisUpdate,
        spec: "dsl.md",
        doc: Doc {
            text: "`created` on the update that creates the ticket, else `updated`",
            example: "ticket is created",
        },
    },
    FieldDef {
        name: "current_user",
        reads: Reads::CurrentUser,
        ty: ValueType::AnyOf(&["end_user", "agent", "system"]),
        changes: Changes::ThisUpdate,
        spec: "dsl.md",
        doc: Doc {
            text: "who made this update: `end_user`, `agent` or `system` (API, automations)",
            example: "current_user is end_user",
        },
    },
    FieldDef {
        name: "update.via",
        reads: Reads::Field(Field::UpdateVia),
        ty: ValueType::Word { known: VIA },
        changes: Changes::ThisUpdate,
        spec: "dsl.md",
        doc: Doc {
            text: "the source of this update: the channel for a customer message (`whatsapp`, `email`, …); `agent`, `macro` or `autoresponder` for replies; `api`, `system` or `agent` for field updates; `automation`",
            example: "update.via is api",
        },
    },
    FieldDef {
        name: "window",
        reads: Reads::Window,
        ty: ValueType::OneOf(&["open", "closed"]),
        changes: Changes::Untracked,
        spec: "W2",
        doc: Doc {
            text: "the WhatsApp customer-service window: `open` for 24 hours after the customer's last message, as WhatsApp timestamps it (W1–W3), else `closed`",
            example: "window is open",
        },
    },
];

/// The field written as the bare name `name` (not a custom family), if any.
pub(crate) fn named(name: &str) -> Option<&'static FieldDef> {
    FIELDS
        .iter()
        .find(|f| f.name == name && !matches!(f.reads, Reads::Custom(_)))
}

/// The row of a custom family.
pub(crate) fn custom(family: CustomFamily) -> Option<&'static FieldDef> {
    FIELDS.iter().find(|f| f.reads == Reads::Custom(family))
}

/// The row of the field `f` reads (a custom field: its family's row).
pub(crate) fn of(f: &Field) -> Option<&'static FieldDef> {
    let reads = match f {
        Field::Custom(_) => Reads::Custom(CustomFamily::Ticket),
        Field::RequesterField(_) => Reads::Custom(CustomFamily::Requester),
        Field::OrganizationField(_) => Reads::Custom(CustomFamily::Organization),
        f => Reads::Field(f.clone()),
    };
    FIELDS.iter().find(|d| d.reads == reads)
}

/// The bare field names, in order (for did-you-mean and "expected one of").
pub(crate) fn names() -> Vec<&'static str> {
    FIELDS
        .iter()
        .filter(|f| !matches!(f.reads, Reads::Custom(_)))
        .map(|f| f.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_every_plain_field_has_one_row() {
        let mut seen = std::collections::BTreeSet::new();
        for f in FIELDS {
            assert!(seen.insert(f.name), "{} twice", f.name);
            assert!(!f.ty.operators(f.changeable()).is_empty(), "{}", f.name);
        }
        let rows = |field: &Field| {
            FIELDS
                .iter()
                .filter(|f| f.reads == Reads::Field(field.clone()))
                .count()
        };
        // A field without a row could never be written in a rule.
        for field in [
            Field::Status,
            Field::Comment,
            Field::UpdateVia,
            Field::RequesterOptedIn,
        ] {
            assert_eq!(rows(&field), 1, "{field:?}");
        }
    }

    #[test]
    fn spec_ids_are_a_spec_section_or_ids() {
        let id =
            regex::Regex::new(r"^(dsl\.md|events\.md|[WSR][0-9]+(, [WSR][0-9]+)*)$").expect("re");
        for f in FIELDS {
            assert!(id.is_match(f.spec), "{}: {}", f.name, f.spec);
        }
    }

    #[test]
    fn the_doc_of_an_enum_field_names_each_value() {
        for f in FIELDS {
            for v in f.ty.rank_names() {
                assert!(f.doc.text.contains(&format!("`{v}`")), "{}: {v}", f.name);
            }
            if let ValueType::Word { known } = f.ty {
                if f.name == "channel" {
                    for v in known {
                        assert!(f.doc.text.contains(&format!("`{v}`")), "{}: {v}", f.name);
                    }
                }
            }
        }
    }
}
