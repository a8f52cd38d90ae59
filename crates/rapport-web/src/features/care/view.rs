//! What the care pages show of an appointment, worked out once (times in the therapist's local
//! time, which actions apply now) so the templates stay plain.

use std::collections::HashMap;

use rapport_core::care::schedule::can_cancel;
use rapport_store::care::appointments::Appointment;

use super::mail::when;

/// One appointment as a page row.
#[derive(Clone, Debug)]
pub struct Row {
    /// Id.
    pub id: String,
    /// "Tue 3 Mar 2026, 18:00 (UTC+01:00)".
    pub when: String,
    /// "Session", "Intro consultation", "Closing session".
    pub kind: &'static str,
    /// The other person's name.
    pub with: String,
    /// Status in words.
    pub status: &'static str,
    /// The cancellation message, if any.
    pub message: Option<String>,
    /// Cancelled with less notice than the policy asks.
    pub late: bool,
    /// Whether it can still be cancelled.
    pub can_cancel: bool,
    /// Whether the therapist can mark it missed (started, still booked).
    pub can_mark_missed: bool,
    /// For offers: until when it is held.
    pub hold_until: Option<String>,
    /// The therapist's account id (for booking again).
    pub therapist_id: String,
}

/// Builds page rows; `offsets` maps therapist ids to their local-time offset.
pub fn rows(
    list: &[Appointment],
    offsets: &HashMap<String, i64>,
    as_therapist: bool,
    now: i64,
) -> Vec<Row> {
    list.iter()
        .map(|a| {
            let offset = offsets.get(&a.therapist_id).copied().unwrap_or(0);
            Row {
                id: a.id.clone(),
                when: when(a.starts_at, offset),
                kind: match a.kind.as_str() {
                    "consultation" => "Intro consultation",
                    "closing" => "Closing session",
                    _ => "Session",
                },
                with: if as_therapist {
                    a.client_name.clone()
                } else {
                    a.therapist_name.clone()
                },
                status: match a.status.as_str() {
                    "booked" if a.ends_at <= now => "Happened",
                    "booked" => "Booked",
                    "held" => "Held for you",
                    "cancelled" => "Cancelled",
                    "missed" => "Missed",
                    _ => "Passed on",
                },
                message: a.cancel_message.clone(),
                late: a.late_cancel,
                can_cancel: a.status == "booked" && can_cancel(now, a.starts_at),
                can_mark_missed: as_therapist && a.status == "booked" && a.starts_at <= now,
                hold_until: a
                    .hold_expires_at
                    .filter(|_| a.status == "held")
                    .map(|e| when(e, offset)),
                therapist_id: a.therapist_id.clone(),
            }
        })
        .collect()
}

/// Splits rows into (coming up, earlier), keeping order.
pub fn split(rows: Vec<Row>, list: &[Appointment], now: i64) -> (Vec<Row>, Vec<Row>) {
    let mut upcoming = Vec::new();
    let mut earlier = Vec::new();
    for (r, a) in rows.into_iter().zip(list) {
        if a.starts_at > now && (a.status == "booked") {
            upcoming.push(r);
        } else if a.status != "held" && a.status != "lapsed" {
            earlier.push(r);
        }
    }
    earlier.reverse();
    (upcoming, earlier)
}
