//! When a therapist is alerted, and in which words.
//!
//! Alerts are the early warning feedback-informed treatment is about (routine feedback helps
//! not-on-track clients most): a new rupture, a check-in reading of "speak up" or "reconsider",
//! an SRS below 36 or down by a point or more, a PHQ-9 item 9 above 0. Each alert's words carry
//! numbers and status titles only, never the client's free text, because they are also e-mailed.
//!
//! An `act_now` reading (the client reported professional misconduct) is deliberately *not* an
//! alert: telling the therapist concerned could put the client at risk, and the client is shown
//! how to report it instead.

use crate::alliance::{Assessment, Severity, Status, round1, status_title};
use serde::Serialize;

/// An SRS total below this is an alliance concern (PCOMS).
pub const SRS_CONCERN_BELOW: f64 = 36.0;

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A new drop of the alliance score against the client's usual.
    Rupture,
    /// The reading moved to "worth speaking up".
    SpeakUp,
    /// The reading moved to "time to reconsider".
    Reconsider,
    /// An SRS total below 36.
    SrsLow,
    /// An SRS total 1 point or more below the previous one.
    SrsDrop,
    /// PHQ-9 item 9 answered above 0.
    Crisis,
}

impl AlertKind {
    /// Every kind, in the order the alert list explains them.
    pub const ALL: [AlertKind; 6] = [
        AlertKind::Crisis,
        AlertKind::Rupture,
        AlertKind::Reconsider,
        AlertKind::SpeakUp,
        AlertKind::SrsLow,
        AlertKind::SrsDrop,
    ];

    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::Rupture => "rupture",
            AlertKind::SpeakUp => "speak_up",
            AlertKind::Reconsider => "reconsider",
            AlertKind::SrsLow => "srs_low",
            AlertKind::SrsDrop => "srs_drop",
            AlertKind::Crisis => "crisis",
        }
    }

    /// Parses a stored word.
    pub fn parse(word: &str) -> Option<AlertKind> {
        AlertKind::ALL.into_iter().find(|k| k.as_str() == word)
    }

    /// A short title for lists.
    pub fn title(self) -> &'static str {
        match self {
            AlertKind::Rupture => "Rupture: the alliance dipped",
            AlertKind::SpeakUp => "The client may want to speak up",
            AlertKind::Reconsider => "The client is reconsidering the fit",
            AlertKind::SrsLow => "SRS below 36",
            AlertKind::SrsDrop => "SRS dropped since last session",
            AlertKind::Crisis => "PHQ-9 item 9 above 0: check on safety",
        }
    }

    /// Whether the evidence is a measure (shared only with outcome sharing) rather than a
    /// check-in (shared with trend or answers).
    pub fn is_measure(self) -> bool {
        matches!(
            self,
            AlertKind::SrsLow | AlertKind::SrsDrop | AlertKind::Crisis
        )
    }
}

/// An alert to store: its kind, the check-in session it is about (if any) and its words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertDraft {
    /// What it is about.
    pub kind: AlertKind,
    /// The check-in session, for alliance alerts.
    pub session: Option<u32>,
    /// One sentence with numbers only, never the client's own words.
    pub detail: String,
}

/// The alerts a new check-in raises, comparing the reading before it with the reading after.
/// Only what is new counts: a rupture at a session that was not one before, a status that was
/// not already the status.
pub fn checkin_alerts(before: &Assessment, after: &Assessment) -> Vec<AlertDraft> {
    let mut out = Vec::new();
    for r in &after.ruptures {
        if before.ruptures.iter().any(|b| b.session == r.session) {
            continue;
        }
        let size = match r.severity {
            Severity::Minor => "a smaller",
            Severity::Major => "a larger",
        };
        out.push(AlertDraft {
            kind: AlertKind::Rupture,
            session: Some(r.session),
            detail: format!(
                "Session {}: the alliance score fell {:.1} points below this client's usual ({size} dip).",
                r.session,
                round1(r.drop)
            ),
        });
    }
    let last = after.alliance.last().map(|s| s.session);
    let moved_to = |status: Status| after.status == status && before.status != status;
    for (status, kind) in [
        (Status::Reconsider, AlertKind::Reconsider),
        (Status::SpeakUp, AlertKind::SpeakUp),
    ] {
        if moved_to(status) {
            out.push(AlertDraft {
                kind,
                session: last,
                detail: format!(
                    "After session {}, the client's reading moved to “{}”.",
                    last.unwrap_or_default(),
                    status_title(status)
                ),
            });
        }
    }
    out
}

/// A therapist's note of what they did about an alert ("Called her the same day; safety plan
/// agreed"), parsed once: 3 to 1,000 characters after trimming, no control characters but line
/// breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckNote(String);

impl AckNote {
    /// The longest note kept.
    pub const MAX_CHARS: usize = 1000;

    /// Parses a note, naming the field `note` when it cannot be one.
    pub fn parse(text: &str) -> Result<AckNote, crate::FieldError> {
        let t = text.trim();
        let n = t.chars().count();
        if n < 3 {
            return Err(crate::FieldError::new(
                "note",
                "write a few words on what you did, so the record says how it was handled",
            ));
        }
        if n > Self::MAX_CHARS {
            return Err(crate::FieldError::new(
                "note",
                format!("keep it to {} characters", Self::MAX_CHARS),
            ));
        }
        if t.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            return Err(crate::FieldError::new(
                "note",
                "remove the control characters",
            ));
        }
        Ok(AckNote(t.to_owned()))
    }

    /// The note.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// PHQ-9's answers, 0 to 3, in its own words (the same as `instruments/phq9.json`; a test
/// keeps them in step).
pub const PHQ9_FREQUENCY: [&str; 4] = [
    "Not at all",
    "Several days",
    "More than half the days",
    "Nearly every day",
];

/// The alerts a stored measure raises: `total` is its total score, `flags` the flags it raised
/// (`crisis` for PHQ-9 item 9, `srs_drop` for an SRS a point or more below the last), and
/// `item9` the PHQ-9 item 9 answer (0–3), which a safety alert states: the therapist sees it
/// only where the client shares their measures.
pub fn measure_alerts(
    instrument: &str,
    total: Option<f64>,
    flags: &[String],
    item9: Option<u8>,
) -> Vec<AlertDraft> {
    let has = |flag: &str| flags.iter().any(|f| f == flag);
    let mut out = Vec::new();
    let draft = |kind, detail: String| AlertDraft {
        kind,
        session: None,
        detail,
    };
    match instrument {
        "phq9" if has("crisis") => {
            let answer = item9
                .and_then(|v| PHQ9_FREQUENCY.get(usize::from(v)).map(|w| (v, w)))
                .map_or_else(
                    || "above 0".to_owned(),
                    |(v, w)| format!("“{w}” ({v} of 3)"),
                );
            out.push(draft(
                AlertKind::Crisis,
                format!("PHQ-9 item 9 (thoughts of being better off dead or of self-harm) was answered {answer}. The client was shown crisis resources; please check on their safety."),
            ));
        }
        "srs" => {
            let shown = total.map_or_else(|| "unknown".to_owned(), |t| format!("{t:.1}"));
            if total.is_some_and(|t| t < SRS_CONCERN_BELOW) {
                out.push(draft(
                    AlertKind::SrsLow,
                    format!("SRS total {shown} of 40 is below 36: an alliance concern to talk about with the client."),
                ));
            }
            if has("srs_drop") {
                out.push(draft(
                    AlertKind::SrsDrop,
                    format!("SRS total {shown} is 1 point or more below the previous session's."),
                ));
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alliance::{assess, parse_checkin};
    use serde_json::json;

    fn checkin(session: u32, sign: u8, flags: &[&str], left: &str) -> crate::alliance::CheckIn {
        parse_checkin(
            &json!({"session": session, "heard": sign, "open": sign, "attuned": sign, "trust": sign,
                    "looking_forward": sign, "stirred": 1, "left_feeling": left, "flags": flags}),
            "",
        )
        .unwrap()
    }

    #[test]
    fn a_new_rupture_and_a_move_to_speak_up_raise_alerts_once() {
        let steady: Vec<_> = (1..=3).map(|s| checkin(s, 3, &[], "better")).collect();
        let before = assess(&steady);
        let mut history = steady.clone();
        history.push(checkin(4, 1, &["judged"], "bad"));
        let after = assess(&history);
        let alerts = checkin_alerts(&before, &after);
        let kinds: Vec<AlertKind> = alerts.iter().map(|a| a.kind).collect();
        assert!(kinds.contains(&AlertKind::Rupture), "{alerts:?}");
        assert!(kinds.contains(&AlertKind::SpeakUp), "{alerts:?}");
        assert!(alerts.iter().all(|a| a.session == Some(4)));
        assert!(alerts[0].detail.contains("Session 4"));
        assert!(
            checkin_alerts(&after, &after).is_empty(),
            "nothing new, nothing raised"
        );
        assert!(checkin_alerts(&assess(&steady[..1]), &before).is_empty());
    }

    #[test]
    fn measures_raise_crisis_srs_low_and_srs_drop_and_nothing_else() {
        let crisis = measure_alerts("phq9", Some(12.0), &["crisis".into()], Some(2));
        assert_eq!(crisis[0].kind, AlertKind::Crisis);
        assert!(measure_alerts("phq9", Some(12.0), &[], Some(0)).is_empty());
        assert!(measure_alerts("gad7", Some(20.0), &["crisis".into()], None).is_empty());
        let low = measure_alerts("srs", Some(35.9), &["srs_drop".into()], None);
        assert_eq!(
            low.iter().map(|a| a.kind).collect::<Vec<_>>(),
            [AlertKind::SrsLow, AlertKind::SrsDrop]
        );
        assert!(measure_alerts("srs", Some(36.0), &[], None).is_empty());
        assert_eq!(AlertKind::parse("srs_low"), Some(AlertKind::SrsLow));
        assert!(AlertKind::Crisis.is_measure() && !AlertKind::Rupture.is_measure());
    }

    #[test]
    fn an_acknowledgement_note_needs_a_few_words_and_no_more_than_a_thousand_characters() {
        assert_eq!(AckNote::parse("  ok ").unwrap_err().field, "note");
        assert_eq!(
            AckNote::parse("Called her; safety plan agreed.\nFollow-up Friday.")
                .unwrap()
                .as_str(),
            "Called her; safety plan agreed.\nFollow-up Friday."
        );
        assert!(AckNote::parse(&"a".repeat(1001)).is_err());
        assert!(AckNote::parse("called\u{0}her").is_err());
    }

    #[test]
    fn a_safety_alert_states_the_item_9_answer_in_the_questionnaires_own_words() {
        let crisis = measure_alerts("phq9", Some(12.0), &["crisis".into()], Some(2));
        assert!(
            crisis[0]
                .detail
                .contains("“More than half the days” (2 of 3)"),
            "{}",
            crisis[0].detail
        );
        let unknown = measure_alerts("phq9", Some(12.0), &["crisis".into()], None);
        assert!(unknown[0].detail.contains("answered above 0"));
    }

    #[test]
    fn the_phq9_answer_words_match_the_instrument_definition() {
        let def: serde_json::Value =
            serde_json::from_str(include_str!("../../../../instruments/phq9.json")).unwrap();
        let options = def["responses"]["frequency"]["options"].as_array().unwrap();
        assert_eq!(options.len(), PHQ9_FREQUENCY.len());
        for o in options {
            let v = o["value"].as_u64().unwrap() as usize;
            assert_eq!(o["label"], PHQ9_FREQUENCY[v], "answer {v}");
        }
    }
}
