//! The words of every e-mail the care lifecycle sends. Short, warm, never blaming; subjects never
//! carry client free text (they are stored unsealed, for the admin's outbox page).

//!
//! Every time in a mail is in its reader's zone, the zone named ("Tue 3 Nov 2026, 18:00
//! (London)"): each function takes the recipient's [`Zone`].

use rapport_core::zone::Zone;
use rapport_store::care::appointments::Appointment;
use rapport_store::care::{Mail, OfferMade, SlotInfo};

fn mail(user_id: &str, kind: &str, subject: &str, body: String) -> Mail {
    Mail {
        user_id: user_id.to_owned(),
        kind: kind.to_owned(),
        subject: subject.to_owned(),
        body,
    }
}

/// To the therapist: a new booking.
pub fn booked(base: &str, a: &Appointment, zone: &Zone, count: usize) -> Mail {
    let repeats = if count > 1 {
        format!(" (weekly, {count} times)")
    } else {
        String::new()
    };
    mail(
        &a.therapist_id,
        "booking",
        "New booking",
        format!(
            "{} booked a {} on {}{repeats}.\n\nYour appointments: {base}/care/practice",
            a.client_name,
            kind_word(&a.kind),
            zone.label(a.starts_at)
        ),
    )
}

/// To the client: their booking, every time listed, with any clock-change note.
pub fn booking_confirmed(base: &str, a: &Appointment, zone: &Zone, starts: &[i64]) -> Mail {
    let times: Vec<String> = starts
        .iter()
        .map(|t| match zone.repeated_note(*t) {
            Some(note) => format!("- {}. {note}", zone.label(*t)),
            None => format!("- {}", zone.label(*t)),
        })
        .collect();
    mail(
        &a.client_id,
        "booking_confirmed",
        "Your booking is confirmed",
        format!(
            "Your {} with {} is booked:\n{}\n\nIf you can't make it, please cancel so the time can go to someone else: {base}/care",
            kind_word(&a.kind),
            a.therapist_name,
            times.join("\n")
        ),
    )
}

/// To the other side of a cancelled appointment.
pub fn cancelled(base: &str, a: &Appointment, zone: &Zone) -> Mail {
    let (to, by, link) = if a.cancelled_by.as_deref() == Some("therapist") {
        (&a.client_id, &a.therapist_name, "/care")
    } else {
        (&a.therapist_id, &a.client_name, "/care/practice")
    };
    let note = a
        .cancel_message
        .as_deref()
        .map(|m| format!("\n\nTheir message:\n{m}"))
        .unwrap_or_default();
    mail(
        to,
        "cancellation",
        "An appointment was cancelled",
        format!(
            "{by} cancelled the {} on {}.{note}\n\n{base}{link}",
            kind_word(&a.kind),
            zone.label(a.starts_at)
        ),
    )
}

/// To a waiting client: a slot is held for them.
pub fn offer(base: &str, o: &OfferMade, info: &SlotInfo) -> Mail {
    mail(
        &o.client_id,
        "waitlist_offer",
        "A time has opened up for you",
        format!(
            "A time with {} has opened up: {}.\n\nIt's held for you until {}. After that it goes to the next person waiting.\n\nAccept it or let it go: {base}/care",
            info.therapist_name,
            o.client_zone.label(o.starts_at),
            o.client_zone.label(o.hold_expires_at)
        ),
    )
}

/// To the client: the day before.
pub fn reminder(base: &str, a: &Appointment, zone: &Zone) -> Mail {
    mail(
        &a.client_id,
        "reminder",
        "Your appointment is coming up",
        format!(
            "A reminder: your {} with {} is on {}.\n\nIf you can't make it, please cancel so the time can go to someone else: {base}/care",
            kind_word(&a.kind),
            a.therapist_name,
            zone.label(a.starts_at)
        ),
    )
}

/// To the client: after a session, the one-minute check-in.
pub fn checkin(base: &str, a: &Appointment, relationship_id: Option<&str>) -> Mail {
    let link = match relationship_id {
        Some(id) => format!("{base}/relationships/{id}/checkin"),
        None => format!("{base}/relationships"),
    };
    mail(
        &a.client_id,
        "checkin_reminder",
        "How did it go?",
        format!(
            "How was your {} with {}? A one-minute private check-in helps you see whether the connection is forming. It stays private unless you choose to share it.\n\n{link}",
            kind_word(&a.kind),
            a.therapist_name
        ),
    )
}

/// To the client: a gentle nudge after a missed appointment.
pub fn missed(base: &str, a: &Appointment, zone: &Zone) -> Mail {
    mail(
        &a.client_id,
        "missed",
        "We missed you",
        format!(
            "It looks like you couldn't make your {} with {} on {}. That happens.\n\nWhen you can, please rebook or cancel the times you won't use, so they can help someone else. If you'd rather stop, you can end respectfully in a few clicks: {base}/care",
            kind_word(&a.kind),
            a.therapist_name,
            zone.label(a.starts_at)
        ),
    )
}

/// To the therapist: a client's ending message.
pub fn ending(base: &str, therapist_id: &str, message: &str) -> Mail {
    mail(
        therapist_id,
        "ending",
        "A message from a client",
        format!("{message}\n\n{base}/care/practice"),
    )
}

/// To the client: the therapist's referral suggestions.
pub fn referral_answered(
    base: &str,
    client_id: &str,
    therapist_name: &str,
    names: &[String],
    note: &str,
) -> Mail {
    let note = if note.is_empty() {
        String::new()
    } else {
        format!("\n\nTheir note:\n{note}")
    };
    mail(
        client_id,
        "referral",
        "Suggestions from your therapist",
        format!(
            "{therapist_name} suggested colleagues who might suit you: {}.{note}\n\nSee them next to your matches: {base}/care",
            names.join(", ")
        ),
    )
}

fn kind_word(kind: &str) -> &'static str {
    match kind {
        "consultation" => "intro consultation",
        "closing" => "closing session",
        _ => "session",
    }
}
