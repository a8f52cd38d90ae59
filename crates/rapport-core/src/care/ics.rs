//! iCalendar (RFC 5545) text for appointments, written by hand: the format is small, and owning
//! the few rules that matter (CRLF line ends, folding at 75 octets without splitting a UTF-8
//! character, escaping, UTC date-times) keeps the output exact and the core free of I/O crates.

use super::clock::ics_utc;

/// Where an event stands, as calendar programs understand it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    /// Booked.
    Confirmed,
    /// Offered and held, not yet accepted.
    Tentative,
    /// Cancelled: calendars that already have the event remove or strike it.
    Cancelled,
}

impl EventStatus {
    fn as_str(self) -> &'static str {
        match self {
            EventStatus::Confirmed => "CONFIRMED",
            EventStatus::Tentative => "TENTATIVE",
            EventStatus::Cancelled => "CANCELLED",
        }
    }
}

/// One appointment as a calendar event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// A stable, globally unique id (the appointment id at the deployment's host name).
    pub uid: String,
    /// When this version of the event was written, Unix ms.
    pub stamp: i64,
    /// Start, Unix ms.
    pub start: i64,
    /// End, Unix ms.
    pub end: i64,
    /// The title.
    pub summary: String,
    /// Longer text, if any.
    pub description: Option<String>,
    /// Booked, held or cancelled.
    pub status: EventStatus,
    /// Bumped on each change (a cancellation is a newer version of the booking).
    pub sequence: u32,
}

/// A whole calendar (`VCALENDAR`) with `events`, ready to serve as `text/calendar`.
pub fn calendar(name: &str, events: &[Event]) -> String {
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Rapport//Care lifecycle//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        push(&mut out, line);
    }
    push(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    for e in events {
        push(&mut out, "BEGIN:VEVENT");
        push(&mut out, &format!("UID:{}", escape(&e.uid)));
        push(&mut out, &format!("DTSTAMP:{}", ics_utc(e.stamp)));
        push(&mut out, &format!("DTSTART:{}", ics_utc(e.start)));
        push(&mut out, &format!("DTEND:{}", ics_utc(e.end)));
        push(&mut out, &format!("SUMMARY:{}", escape(&e.summary)));
        if let Some(d) = &e.description {
            push(&mut out, &format!("DESCRIPTION:{}", escape(d)));
        }
        push(&mut out, &format!("STATUS:{}", e.status.as_str()));
        push(&mut out, &format!("SEQUENCE:{}", e.sequence));
        push(&mut out, "END:VEVENT");
    }
    push(&mut out, "END:VCALENDAR");
    out
}

/// Escapes a TEXT value (§3.3.11): backslash, semicolon, comma and line breaks.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded so no physical line exceeds 75 octets (§3.1): a break is a
/// CRLF followed by one space, placed only between UTF-8 characters.
fn push(out: &mut String, line: &str) {
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::care::clock::parse_rfc3339;

    fn event(summary: &str, status: EventStatus) -> Event {
        let start = parse_rfc3339("2026-03-03T18:00:00Z").unwrap();
        Event {
            uid: "abc@rapport".into(),
            stamp: start - 86_400_000,
            start,
            end: start + 50 * 60_000,
            summary: summary.into(),
            description: Some("Line one\nLine two; with, punctuation \\ done".into()),
            status,
            sequence: 1,
        }
    }

    #[test]
    fn a_calendar_has_the_required_properties_in_utc() {
        let text = calendar("Rapport", &[event("Session", EventStatus::Confirmed)]);
        for needed in [
            "BEGIN:VCALENDAR\r\n",
            "VERSION:2.0\r\n",
            "PRODID:",
            "UID:abc@rapport\r\n",
            "DTSTAMP:20260302T180000Z\r\n",
            "DTSTART:20260303T180000Z\r\n",
            "DTEND:20260303T185000Z\r\n",
            "SUMMARY:Session\r\n",
            "STATUS:CONFIRMED\r\n",
            "END:VCALENDAR\r\n",
        ] {
            assert!(text.contains(needed), "missing {needed:?} in {text}");
        }
        assert!(
            !text.replace("\r\n", "").contains('\n'),
            "every line ends in CRLF"
        );
        assert!(text.contains("DESCRIPTION:Line one\\nLine two\\; with\\, punctuation \\\\ done"));
    }

    #[test]
    fn cancelled_events_say_so() {
        let text = calendar("R", &[event("Session", EventStatus::Cancelled)]);
        assert!(text.contains("STATUS:CANCELLED\r\n"));
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let summary = "Séance avec la thérapeute — ".repeat(8);
        let text = calendar("R", &[event(&summary, EventStatus::Confirmed)]);
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        }
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{}", escape(&summary))));
    }
}
