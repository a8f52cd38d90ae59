//! Publishing a week, booking, cancelling and marking a missed appointment: the operations the
//! pages and the API share. Times are checked by the core (`care::schedule`), the relationship's
//! stage by `care::stage`, how much of a calendar one client may hold by `care::caps` (counted in
//! the booking's own transaction), and a slot's uniqueness by the database.

use rapport_core::care::caps::{self, CapRefusal};
use rapport_core::care::clock;
use rapport_core::care::schedule;
use rapport_core::care::{Kind, Stage, Step};
use rapport_core::zone::{WallTime, Zone};
use rapport_core::{FieldError, Invalid};
use rapport_store::care::appointments::{self, Appointment, Booked, Cancellation, NewBooking};
use rapport_store::care::endings;
use rapport_store::care::schedule as stored;
use rapport_store::relationships::{self, Relationship};
use rapport_store::users::User;
use rapport_store::{StoreError, listings};

pub use super::week::{Therapist, free_slots, own_schedule, save_schedule, therapist, to_schedule};
use super::{mail, waitlist::CoreOfferer};
use crate::auth::{ClientScope, TherapistScope};
use crate::error::AppError;
use crate::state::AppState;

/// The longest cancellation message.
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// When a booking starts, as given: an instant, or a wall-clock time in the therapist's zone.
#[derive(Clone, Copy, Debug)]
pub enum StartsAt {
    /// RFC 3339 with an offset, or Unix ms.
    Instant(i64),
    /// `2026-03-29T01:00`, read in the therapist's zone when the therapist is known.
    Wall(WallTime),
}

/// A booking asked for, parsed.
#[derive(Clone, Debug)]
pub struct BookingRequest {
    /// The first start.
    pub starts_at: StartsAt,
    /// What kind of appointment.
    pub kind: Kind,
    /// 1 for a one-off; more for weekly.
    pub weeks: u32,
}

/// Parses the booking fields (`starts_at` as RFC 3339, Unix ms, or a wall-clock time in the
/// therapist's zone such as `2026-03-03T18:00`), naming each problem.
pub fn parse_booking(starts_at: &str, kind: &str, weeks: &str) -> Result<BookingRequest, AppError> {
    let mut errors = Vec::new();
    let start = clock::parse_rfc3339(starts_at)
        .or_else(|| starts_at.trim().parse::<i64>().ok())
        .map(StartsAt::Instant)
        .or_else(|| WallTime::parse(starts_at).map(StartsAt::Wall));
    if start.is_none() {
        let reason = if not_a_real_day(starts_at) {
            "must be a real calendar date and time, like 2026-03-03T18:00:00Z"
        } else {
            "please pick one of the listed times"
        };
        errors.push(FieldError::new("starts_at", reason));
    }
    let kind_parsed = Kind::parse(kind.trim());
    if kind_parsed.is_none() {
        errors.push(FieldError::new(
            "kind",
            "must be consultation, session or closing",
        ));
    }
    let weeks = if weeks.trim().is_empty() {
        Some(1)
    } else {
        weeks
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|w| (1..=schedule::MAX_WEEKS).contains(w))
    };
    if weeks.is_none() {
        errors.push(FieldError::new(
            "weeks",
            &format!("must be a number from 1 to {}", schedule::MAX_WEEKS),
        ));
    }
    match (start, kind_parsed, weeks) {
        (Some(starts_at), Some(kind), Some(weeks)) => Ok(BookingRequest {
            starts_at,
            kind,
            weeks,
        }),
        _ => Err(AppError::Invalid(errors)),
    }
}

/// The client's open (not ended) relationship with this therapist and its stage, newest first.
pub async fn open_relationship(
    state: &AppState,
    client_id: &str,
    therapist_id: &str,
) -> Result<Option<(Relationship, Stage)>, AppError> {
    let mut found = None;
    for rel in relationships::for_client(&state.db, client_id).await? {
        if rel.therapist_user_id.as_deref() != Some(therapist_id) {
            continue;
        }
        let stage = stage_of(state, &rel.id).await?;
        if stage.is_open() {
            found = Some((rel, stage));
        }
    }
    Ok(found)
}

/// A relationship's stage; one never set is active (it was recorded by a client in therapy).
pub async fn stage_of(state: &AppState, relationship_id: &str) -> Result<Stage, AppError> {
    Ok(endings::stage(&state.db, relationship_id)
        .await?
        .and_then(|s| Stage::parse(&s.stage))
        .unwrap_or(Stage::Active))
}

/// Books every occurrence or none. A taken slot is a 409 naming the time, as is holding more
/// open appointments with this therapist than the deployment's caps allow; a past or unlisted
/// time, a kind the relationship's stage does not allow, or a session before the client has met
/// the therapist (or been accepted) is a 422 naming the field.
pub async fn book(
    state: &AppState,
    client: &ClientScope,
    therapist_id: &str,
    req: &BookingRequest,
    now: i64,
) -> Result<Vec<Appointment>, AppError> {
    let t = therapist(state, therapist_id).await?;
    let refused = |r: schedule::Refusal| AppError::Invalid(vec![r.to_field()]);
    let first = match req.starts_at {
        StartsAt::Instant(ms) => ms,
        StartsAt::Wall(w) => t.schedule.wall_start(w).map_err(refused)?,
    };
    let starts = t
        .schedule
        .occurrences(now, first, req.weeks)
        .map_err(refused)?;
    let open = open_relationship(state, &client.user.id, &t.id).await?;
    let stage_now = open.as_ref().map_or(Stage::Consultation, |(_, s)| *s);
    let stage_after = stage_now
        .after(Step::Book(req.kind))
        .map_err(|e| AppError::field("kind", &e.to_string()))?;
    let booking = NewBooking {
        therapist_id: t.id.clone(),
        client_id: client.user.id.clone(),
        kind: req.kind.as_str().to_owned(),
        times: starts
            .iter()
            .map(|s| (*s, t.schedule.ends_at(*s)))
            .collect(),
    };
    let zone = &t.schedule.zone;
    let preview = Appointment {
        id: String::new(),
        therapist_id: t.id.clone(),
        client_id: client.user.id.clone(),
        therapist_name: t.name.clone(),
        client_name: client.user.display_name.clone(),
        kind: booking.kind.clone(),
        starts_at: starts[0],
        ends_at: t.schedule.ends_at(starts[0]),
        status: "booked".into(),
        series_id: None,
        waitlist_id: None,
        hold_expires_at: None,
        cancelled_by: None,
        cancelled_at: None,
        cancel_message: None,
        late_cancel: false,
        sequence: 0,
        created_at: now,
    };
    let base = state.config.base_url();
    let notices = [
        mail::booked(&base, &preview, zone, starts.len()),
        mail::booking_confirmed(&base, &preview, &client.user.time_zone, &starts),
    ];
    let caps = state.config.booking_caps;
    let admit = |st: &appointments::Standing| {
        let standing = caps::Standing {
            open: u32::try_from(st.open).unwrap_or(u32::MAX),
            started: st.started,
        };
        caps::admit(caps, req.kind, req.weeks, standing)
    };
    let ids = match appointments::book(&state.db, &state.vault, &booking, now, &notices, admit)
        .await
    {
        Ok(Booked::Done(ids)) => ids,
        Ok(Booked::Refused(refusal)) => return Err(cap_error(refusal, &t.name)),
        Err(StoreError::Conflict(_)) => {
            let taken = appointments::taken(&state.db, &t.id, now).await?;
            let first = starts
                .iter()
                .find(|s| taken.contains(s))
                .copied()
                .unwrap_or(starts[0]);
            return Err(AppError::Conflict(format!(
                "Sorry, {} has just been taken by someone else. Please pick another time, or join the waitlist.",
                client.user.time_zone.label(first)
            )));
        }
        Err(e) => return Err(e.into()),
    };
    match open {
        Some((rel, stage)) if stage != stage_after => {
            endings::set_stage(&state.db, &rel.id, stage_after.as_str(), now).await?
        }
        Some(_) => {}
        None => {
            let listing = listings::by_user(&state.db, &t.id).await?.map(|l| l.id);
            let rel = relationships::create(
                &state.db,
                &client.user.id,
                &t.name,
                Some(&t.id),
                listing.as_deref(),
            )
            .await?;
            endings::set_stage(&state.db, &rel.id, stage_after.as_str(), now).await?;
        }
    }
    let mut out = Vec::new();
    for id in ids {
        out.extend(appointments::get_for(&state.db, &state.vault, &id, &client.user.id).await?);
    }
    Ok(out)
}

/// A cap refusal as the client reads it: a session too early names the kind (422); a full
/// calendar share is a conflict with what they hold (409).
fn cap_error(refusal: CapRefusal, therapist: &str) -> AppError {
    match refusal {
        CapRefusal::SessionBeforeMeeting => AppError::field("kind", &refusal.message(therapist)),
        CapRefusal::Full { .. } => AppError::Conflict(refusal.message(therapist)),
    }
}

/// Checks a cancellation message: optional, plain text, at most [`MAX_MESSAGE_CHARS`].
pub fn parse_message(text: &str) -> Result<String, AppError> {
    let t = text.trim();
    if t.chars().count() > MAX_MESSAGE_CHARS
        || t.chars().any(|c| c.is_control() && c != '\n' && c != '\r')
    {
        return Err(AppError::Invalid(
            Invalid::one(
                "message",
                &format!("can be up to {MAX_MESSAGE_CHARS} characters of plain text"),
            )
            .0,
        ));
    }
    Ok(t.to_owned())
}

/// Cancels one of the viewer's own appointments (as client or therapist) before it starts; the
/// other side is told, and the slot goes to the waitlist. Anyone else's: 404, nothing changes.
pub async fn cancel(
    state: &AppState,
    viewer: &User,
    id: &str,
    message: &str,
    now: i64,
) -> Result<Appointment, AppError> {
    let message = parse_message(message)?;
    let a = appointments::get_for(&state.db, &state.vault, id, &viewer.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if a.status != "booked" {
        return Err(AppError::Conflict(
            "This appointment isn't booked any more, so there is nothing to cancel.".into(),
        ));
    }
    if !schedule::can_cancel(now, a.starts_at) {
        return Err(AppError::Conflict(
            "This appointment has already started, so it can't be cancelled here.".into(),
        ));
    }
    let late = match stored::get(&state.db, &a.therapist_id).await? {
        Some(s) => to_schedule(&s)?.notice(now, a.starts_at) == rapport_core::care::Notice::Late,
        None => false,
    };
    let zones = Sides::of(state, &a).await?;
    let role = if viewer.id == a.therapist_id {
        "therapist"
    } else {
        "client"
    };
    let base = state.config.base_url();
    let c = Cancellation {
        id,
        actor_id: &viewer.id,
        actor_role: role,
        message: &message,
        late,
    };
    let offerer = CoreOfferer::new(state, now);
    match appointments::cancel(&state.db, &state.vault, &c, now, &offerer, |after| {
        mail::cancelled(&base, after, zones.recipient_of_cancellation(after))
    })
    .await?
    {
        Some((after, _offer)) => Ok(after),
        None => Err(AppError::Conflict(
            "This appointment changed while you were cancelling it; please look again.".into(),
        )),
    }
}

/// The therapist records a missed appointment; the client gets a gentle nudge in the app and by
/// e-mail. Only the appointment's own therapist, only once it has started.
pub async fn mark_missed(
    state: &AppState,
    t: &TherapistScope,
    id: &str,
    now: i64,
) -> Result<(), AppError> {
    let a = appointments::get_for(&state.db, &state.vault, id, &t.user.id)
        .await?
        .filter(|a| a.therapist_id == t.user.id)
        .ok_or(AppError::NotFound)?;
    if a.starts_at > now {
        return Err(AppError::Conflict(
            "This appointment hasn't started yet.".into(),
        ));
    }
    let zones = Sides::of(state, &a).await?;
    let nudge = mail::missed(&state.config.base_url(), &a, &zones.client);
    if appointments::mark_missed(&state.db, &state.vault, id, &t.user.id, now, &nudge).await? {
        Ok(())
    } else {
        Err(AppError::Conflict(
            "This appointment isn't booked, so it can't be marked as missed.".into(),
        ))
    }
}

/// The time zones of an appointment's two people (each e-mail speaks its reader's clock).
pub struct Sides {
    /// The client's zone.
    pub client: Zone,
    /// The therapist's zone.
    pub therapist: Zone,
}

impl Sides {
    /// Reads both zones in one query (an account deleted meanwhile reads as UTC).
    pub async fn of(state: &AppState, a: &Appointment) -> Result<Sides, AppError> {
        let mut z =
            rapport_store::users::time_zones(&state.db, &[&a.client_id, &a.therapist_id]).await?;
        Ok(Sides {
            client: z.remove(&a.client_id).unwrap_or_default(),
            therapist: z.remove(&a.therapist_id).unwrap_or_default(),
        })
    }

    /// The zone of whoever is told of a cancellation: the side that did not cancel.
    pub fn recipient_of_cancellation(&self, a: &Appointment) -> &Zone {
        if a.cancelled_by.as_deref() == Some("therapist") {
            &self.client
        } else {
            &self.therapist
        }
    }
}

/// What a cancel form shows again when [`cancel`] refuses: the named fields, or a conflict (the
/// appointment already started or was cancelled) as a problem with the message. Anything else
/// is not a form problem and passes through.
pub fn cancel_form_errors(e: AppError) -> Result<Vec<FieldError>, AppError> {
    match e {
        AppError::Invalid(errors) => Ok(errors),
        AppError::Conflict(m) => Ok(vec![FieldError::new("message", &m)]),
        other => Err(other),
    }
}

/// Whether `text` starts with something shaped like a date that names a day the calendar does
/// not have (`2026-02-31T…`), so the refusal can say so rather than only "pick a listed time".
fn not_a_real_day(text: &str) -> bool {
    let text = text.trim();
    let date = text.get(..10).unwrap_or(text);
    let shaped = date.len() == 10 && date.as_bytes()[4] == b'-' && date.as_bytes()[7] == b'-';
    shaped && rapport_core::dates::CalendarDate::parse("starts_at", date).is_err()
}
