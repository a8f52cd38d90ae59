//! What the care pages show of an appointment, worked out once (times in the viewer's zone, the
//! other person's clock where it differs, which actions apply now) so the templates stay plain.

use std::collections::HashMap;

use rapport_core::care::schedule::can_cancel;
use rapport_store::care::appointments::Appointment;

use rapport_core::zone::{Zone, other_side_note};

/// One appointment as a page row.
#[derive(Clone, Debug)]
pub struct Row {
    /// Id.
    pub id: String,
    /// "Tue 3 Mar 2026, 18:00 (London)", in the viewer's zone.
    pub when: String,
    /// "For Sam in New York that is Tue 3 Mar 2026, 13:00.", when their clock differs.
    pub other_clock: Option<String>,
    /// The clock-change note when the time falls in an hour that happens twice.
    pub clock_note: Option<String>,
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

/// Builds page rows in the viewer's zone `mine`; `zones` holds the other people's zones by
/// account id (see [`zones_of`]).
pub fn rows(
    list: &[Appointment],
    mine: &Zone,
    zones: &HashMap<String, Zone>,
    as_therapist: bool,
    now: i64,
) -> Vec<Row> {
    let utc = Zone::utc();
    list.iter()
        .map(|a| {
            let (other_id, other_name) = if as_therapist {
                (&a.client_id, &a.client_name)
            } else {
                (&a.therapist_id, &a.therapist_name)
            };
            let theirs = zones.get(other_id).unwrap_or(&utc);
            Row {
                id: a.id.clone(),
                when: mine.label(a.starts_at),
                other_clock: other_side_note(a.starts_at, mine, theirs, other_name),
                clock_note: mine.repeated_note(a.starts_at),
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
                    .map(|e| mine.label(e)),
                therapist_id: a.therapist_id.clone(),
            }
        })
        .collect()
}

/// The zones of everyone on the other side of these appointments, in one query.
pub async fn zones_of(
    state: &crate::state::AppState,
    list: &[Appointment],
    as_therapist: bool,
) -> Result<HashMap<String, Zone>, crate::error::AppError> {
    let mut ids: Vec<&str> = list
        .iter()
        .map(|a| {
            if as_therapist {
                a.client_id.as_str()
            } else {
                a.therapist_id.as_str()
            }
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(rapport_store::users::time_zones(&state.db, &ids).await?)
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
