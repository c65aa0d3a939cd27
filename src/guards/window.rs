//! The WhatsApp customer-service window (whatsapp.md W1–W4).

use jiff::{SignedDuration, Timestamp};

/// The window's length: 24 hours (W2).
pub const WINDOW_LENGTH: SignedDuration = SignedDuration::from_hours(24);

/// The state of the customer-service window at one instant (W1–W4). Times are UTC
/// instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Open: free text is delivered until `closes_at` (exclusive, W2).
    Open {
        /// Anchor + 24h.
        closes_at: Timestamp,
    },
    /// Closed since `closed_at` (= anchor + 24h).
    Closed {
        /// Anchor + 24h.
        closed_at: Timestamp,
    },
    /// The end user never wrote: there has never been a window (W4).
    NeverOpened,
}

impl Window {
    /// True for [`Window::Open`].
    pub fn is_open(self) -> bool {
        matches!(self, Window::Open { .. })
    }
}

/// The window at `now`, given the anchor (W1–W4).
///
/// `last_end_user_sent_at` is the **WhatsApp send time** of the latest end-user message
/// (W1: not the receive time, not the ticket's creation; W3: the latest one seen — the
/// caller keeps the maximum, so out-of-order delivery never moves it backwards). The
/// window is open while `now < anchor + 24h` (W2: exactly 24h is closed); an anchor in
/// the future relative to `now` (clock skew) counts as open. `None` → `NeverOpened`
/// (W4). An anchor so late that `anchor + 24h` is not representable saturates to
/// [`Timestamp::MAX`]. Pure; never panics.
pub fn window(last_end_user_sent_at: Option<Timestamp>, now: Timestamp) -> Window {
    let Some(anchor) = last_end_user_sent_at else {
        return Window::NeverOpened;
    };
    let closes = anchor.checked_add(WINDOW_LENGTH).unwrap_or(Timestamp::MAX);
    if now < closes {
        Window::Open { closes_at: closes }
    } else {
        Window::Closed { closed_at: closes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    #[test]
    fn w1_anchor_is_send_time_not_delivery_time() {
        // Sent at 09:00, delivered to the helpdesk at 11:30: the anchor is 09:00.
        let sent = ts("2026-11-24T09:00:00Z");
        let _delivered = ts("2026-11-24T11:30:00Z");
        assert_eq!(
            window(Some(sent), ts("2026-11-25T08:59:59Z")),
            Window::Open {
                closes_at: ts("2026-11-25T09:00:00Z")
            }
        );
        // At 10:00 next day the window is closed, although 24h after delivery
        // (11:30) has not passed yet.
        assert_eq!(
            window(Some(sent), ts("2026-11-25T10:00:00Z")),
            Window::Closed {
                closed_at: ts("2026-11-25T09:00:00Z")
            }
        );
    }

    #[test]
    fn w2_window_closed_at_exactly_24h() {
        let anchor = ts("2026-11-24T09:00:01Z");
        let at_24h = ts("2026-11-25T09:00:01Z");
        assert_eq!(
            window(Some(anchor), at_24h),
            Window::Closed { closed_at: at_24h }
        );
    }

    #[test]
    fn w2_window_open_at_24h_minus_one_second() {
        let anchor = ts("2026-11-24T09:00:01Z");
        assert_eq!(
            window(Some(anchor), ts("2026-11-25T09:00:00Z")),
            Window::Open {
                closes_at: ts("2026-11-25T09:00:01Z")
            }
        );
        // Subsecond precision: 1ns before the close is still open.
        assert!(window(Some(anchor), ts("2026-11-25T09:00:00.999999999Z")).is_open());
    }

    #[test]
    fn w2_anchor_in_the_future_is_open() {
        let anchor = ts("2026-11-24T09:00:00Z");
        assert!(window(Some(anchor), ts("2026-11-24T08:00:00Z")).is_open());
    }

    #[test]
    fn w2_extreme_anchor_saturates_without_panic() {
        assert_eq!(
            window(Some(Timestamp::MAX), Timestamp::MAX),
            Window::Closed {
                closed_at: Timestamp::MAX
            }
        );
        assert!(window(Some(Timestamp::MIN), Timestamp::MAX) != Window::NeverOpened);
    }

    #[test]
    fn w3_later_anchor_reopens_window() {
        let now = ts("2026-11-26T12:00:00Z");
        assert!(!window(Some(ts("2026-11-24T09:00:00Z")), now).is_open());
        assert!(window(Some(ts("2026-11-26T08:00:00Z")), now).is_open());
    }

    #[test]
    fn w4_no_end_user_message_means_no_window() {
        assert_eq!(
            window(None, ts("2026-11-24T09:00:00Z")),
            Window::NeverOpened
        );
    }

    fn arb_ts() -> impl Strategy<Value = Timestamp> {
        // 2020-01-01 .. 2030-01-01, whole seconds.
        (1_577_836_800i64..1_893_456_000i64)
            .prop_map(|s| Timestamp::from_second(s).expect("in range"))
    }

    proptest! {
        /// W3: a later anchor never closes a window an earlier anchor had open, and
        /// never makes it close earlier.
        #[test]
        fn w3_window_is_monotone_in_the_anchor(a in arb_ts(), b in arb_ts(), now in arb_ts()) {
            let (early, late) = if a <= b { (a, b) } else { (b, a) };
            let we = window(Some(early), now);
            let wl = window(Some(late), now);
            if we.is_open() {
                prop_assert!(wl.is_open());
            }
            let close = |w: Window| match w {
                Window::Open { closes_at } => closes_at,
                Window::Closed { closed_at } => closed_at,
                Window::NeverOpened => Timestamp::MIN,
            };
            prop_assert!(close(we) <= close(wl));
        }

        /// W2: open iff now < anchor + 24h; the close time is always anchor + 24h.
        #[test]
        fn w2_open_iff_before_anchor_plus_24h(anchor in arb_ts(), now in arb_ts()) {
            let w = window(Some(anchor), now);
            let closes = anchor + WINDOW_LENGTH;
            prop_assert_eq!(w.is_open(), now < closes);
            match w {
                Window::Open { closes_at } => prop_assert_eq!(closes_at, closes),
                Window::Closed { closed_at } => prop_assert_eq!(closed_at, closes),
                Window::NeverOpened => prop_assert!(false, "anchor was given"),
            }
        }
    }
}
