//! Time conditions (S12–S14): the anchors of `hours since` and the deadlines of
//! `hours until`, with their rows of the tables of `docs/language.md`.

use super::Doc;
use crate::model::Status;

/// Anchors of `hours since` (S13).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// Creation.
    Created,
    /// Last update.
    Updated,
    /// Last requester update.
    RequesterUpdate,
    /// Last assignee update.
    AssigneeUpdate,
    /// Entered the status, true only while still in it.
    Status(Status),
    /// Last assignment.
    Assigned,
    /// The WhatsApp window anchor (W1).
    LastEndUserMessage,
}

/// Deadlines of `hours until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// `due_at`.
    Due,
    /// `sla_breach_at`.
    SlaBreach,
}

/// One anchor or deadline: the word after `hours since|until`, what it stands for, and
/// its row of the docs.
pub(crate) struct TimeWord<T> {
    /// As written, e.g. `last_end_user_message`.
    pub word: &'static str,
    /// What it resolves to.
    pub value: T,
    /// Its row of the docs: what hours are counted from (or to), an example condition.
    #[cfg_attr(not(test), allow(dead_code))] // read by the docs tests (lang/docs.rs)
    pub doc: Doc,
}

/// The anchors of `hours since`, in the order of the docs.
pub(crate) const SINCE: &[TimeWord<Since>] = &[
    TimeWord {
        word: "created",
        value: Since::Created,
        doc: Doc {
            text: "the ticket was created",
            example: "hours since created > 48",
        },
    },
    TimeWord {
        word: "updated",
        value: Since::Updated,
        doc: Doc {
            text: "its last update",
            example: "hours since updated > 72",
        },
    },
    TimeWord {
        word: "requester_update",
        value: Since::RequesterUpdate,
        doc: Doc {
            text: "the requester's last update",
            example: "hours since requester_update > 8 business",
        },
    },
    TimeWord {
        word: "assignee_update",
        value: Since::AssigneeUpdate,
        doc: Doc {
            text: "the assignee's last update",
            example: "hours since assignee_update >= 24",
        },
    },
    TimeWord {
        word: "open",
        value: Since::Status(Status::Open),
        doc: Doc {
            text: "it entered `open` — only while it is still open",
            example: "hours since open > 4",
        },
    },
    TimeWord {
        word: "pending",
        value: Since::Status(Status::Pending),
        doc: Doc {
            text: "it entered `pending` — only while still pending",
            example: "hours since pending > 48",
        },
    },
    TimeWord {
        word: "hold",
        value: Since::Status(Status::Hold),
        doc: Doc {
            text: "it entered `hold` — only while still on hold",
            example: "hours since hold > 24",
        },
    },
    TimeWord {
        word: "solved",
        value: Since::Status(Status::Solved),
        doc: Doc {
            text: "it entered `solved` — only while still solved",
            example: "hours since solved > 96",
        },
    },
    TimeWord {
        word: "assigned",
        value: Since::Assigned,
        doc: Doc {
            text: "it was last assigned",
            example: "hours since assigned > 2",
        },
    },
    TimeWord {
        word: "last_end_user_message",
        value: Since::LastEndUserMessage,
        doc: Doc {
            text:
                "the customer's last message, as WhatsApp timestamps it: the window's anchor (W1)",
            example: "hours since last_end_user_message > 20",
        },
    },
];

/// The deadlines of `hours until`, in the order of the docs.
pub(crate) const UNTIL: &[TimeWord<Until>] = &[
    TimeWord {
        word: "due",
        value: Until::Due,
        doc: Doc {
            text: "the ticket's due date (negative once it is past)",
            example: "hours until due < 4",
        },
    },
    TimeWord {
        word: "sla_breach",
        value: Until::SlaBreach,
        doc: Doc {
            text: "the SLA breach time",
            example: "hours until sla_breach <= 2",
        },
    },
];

/// The value written `word` in `table`.
pub(crate) fn lookup<T: Copy>(table: &[TimeWord<T>], word: &str) -> Option<T> {
    table.iter().find(|w| w.word == word).map(|w| w.value)
}

/// The words of `table`, in order.
pub(crate) fn words<T>(table: &[TimeWord<T>]) -> Vec<&'static str> {
    table.iter().map(|w| w.word).collect()
}
