//! The waitlist: joining and leaving, offers of freed slots and answering them. The rule of who
//! is next is the core's (`care::waitlist::next_in_line`); [`CoreOfferer`] hands it to the store,
//! which applies it inside the transaction that frees the slot.

use rapport_core::FieldError;
use rapport_core::care::waitlist::{self, Days, Waiting};
use rapport_core::care::{Kind, Stage, Step};
use rapport_store::StoreError;
use rapport_store::care::appointments::{self, Appointment};
use rapport_store::care::offers::{self, Answer, Entry};
use rapport_store::care::{Freed, Mail, OfferMade, Offerer, SlotInfo, Waiter, endings};

use super::{booking, mail};
use crate::auth::ClientScope;
use crate::error::AppError;
use crate::state::AppState;

/// The core's waitlist rule, with the deployment's hold and the words of the offer e-mail.
pub struct CoreOfferer {
    now: i64,
    hold_hours: u32,
    base: String,
}

impl CoreOfferer {
    /// The rule as of `now`, with this deployment's settings.
    pub fn new(state: &AppState, now: i64) -> Self {
        CoreOfferer {
            now,
            hold_hours: state.config.waitlist_hold_hours,
            base: state.config.base_url(),
        }
    }
}

impl Offerer for CoreOfferer {
    fn pick<'a>(
        &self,
        freed: &Freed,
        info: &SlotInfo,
        queue: &'a [Waiter],
        already: &[String],
    ) -> Option<&'a Waiter> {
        // The days a person can make are days of the therapist's week.
        let weekday = info.therapist_zone.local(freed.starts_at).weekday;
        let waiting: Vec<Waiting> = queue
            .iter()
            .map(|w| Waiting {
                id: w.id.clone(),
                joined_at: w.created_at,
                days: Days::from_text(&w.days),
            })
            .collect();
        let next = waitlist::next_in_line(&waiting, weekday, already)?;
        queue.iter().find(|w| w.id == next.id)
    }

    fn hold_until(&self) -> i64 {
        waitlist::hold_until(self.now, self.hold_hours)
    }

    fn mail(&self, offer: &OfferMade, info: &SlotInfo) -> Mail {
        mail::offer(&self.base, offer, info)
    }
}

/// Puts the client on a therapist's waitlist, optionally only for some weekdays.
pub async fn join(
    state: &AppState,
    client: &ClientScope,
    therapist_id: &str,
    days: &[i64],
    now: i64,
) -> Result<String, AppError> {
    let t = booking::therapist(state, therapist_id).await?;
    let days = Days::from_numbers(days)?;
    match offers::join(&state.db, &t.id, &client.user.id, &days.to_text(), now).await {
        Ok(id) => Ok(id),
        Err(StoreError::Conflict(_)) => Err(AppError::Conflict(format!(
            "You're already on {}'s waitlist.",
            t.name
        ))),
        Err(e) => Err(e.into()),
    }
}

/// Puts the client on a practice's waitlist: a slot freed at any of its therapists can be offered
/// to them. A practice that does not exist is refused as a bad `practice_id`.
pub async fn join_practice(
    state: &AppState,
    client: &ClientScope,
    practice_id: &str,
    days: &[i64],
    now: i64,
) -> Result<String, AppError> {
    let p = rapport_store::practices::by_id(&state.db, practice_id)
        .await?
        .ok_or_else(|| AppError::field("practice_id", "there is no such practice"))?;
    let days = Days::from_numbers(days)?;
    match offers::join_practice(&state.db, &p.id, &client.user.id, &days.to_text(), now).await {
        Ok(id) => Ok(id),
        Err(StoreError::Conflict(_)) => Err(AppError::Conflict(format!(
            "You're already on {}'s waitlist.",
            p.name
        ))),
        Err(e) => Err(e.into()),
    }
}

/// Takes the client off a waitlist; someone else's entry is a 404.
pub async fn leave(
    state: &AppState,
    client: &ClientScope,
    id: &str,
    now: i64,
) -> Result<(), AppError> {
    if offers::leave(&state.db, id, &client.user.id, now).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Lets lapsed holds move on to the next person (the worker does this too; doing it before
/// showing offers means nobody sees an offer that has already moved on).
pub async fn advance(state: &AppState, now: i64) -> Result<Vec<OfferMade>, AppError> {
    Ok(offers::advance(&state.db, &state.vault, now, &CoreOfferer::new(state, now)).await?)
}

/// The client's waitlist entries.
pub async fn entries(state: &AppState, client: &ClientScope) -> Result<Vec<Entry>, AppError> {
    Ok(offers::waiting_for_client(&state.db, &client.user.id).await?)
}

/// The client's open offers (held for them, not yet expired).
pub async fn open_offers(
    state: &AppState,
    client: &ClientScope,
    now: i64,
) -> Result<Vec<Appointment>, AppError> {
    advance(state, now).await?;
    Ok(
        appointments::for_client(&state.db, &state.vault, &client.user.id)
            .await?
            .into_iter()
            .filter(|a| {
                a.status == "held"
                    && a.hold_expires_at
                        .is_some_and(|e| waitlist::offer_open(now, e))
            })
            .collect(),
    )
}

/// Accepts an offer while it is held: it becomes a booking (an intro consultation for someone
/// who has not yet met this therapist nor been accepted by them, otherwise a session, as
/// `care::caps` has it). An expired offer is refused clearly.
pub async fn accept(
    state: &AppState,
    client: &ClientScope,
    id: &str,
    now: i64,
) -> Result<Appointment, AppError> {
    let a = appointments::get_for(&state.db, &state.vault, id, &client.user.id)
        .await?
        .filter(|a| a.client_id == client.user.id && a.waitlist_id.is_some())
        .ok_or(AppError::NotFound)?;
    let open = booking::open_relationship(state, &client.user.id, &a.therapist_id).await?;
    let started = appointments::standing(&state.db, &client.user.id, &a.therapist_id, now)
        .await?
        .started;
    let (kind, stage_after) = match open.as_ref().map(|(_, s)| *s) {
        None | Some(Stage::Consultation) => (Kind::Consultation, Stage::Consultation),
        Some(stage) if !started => (Kind::Consultation, stage),
        Some(stage) => (
            Kind::Session,
            stage
                .after(Step::Book(Kind::Session))
                .map_err(|e| AppError::field("kind", &e.to_string()))?,
        ),
    };
    let sides = super::booking::Sides::of(state, &a).await?;
    let mut booked = a.clone();
    booked.kind = kind.as_str().to_owned();
    let base = state.config.base_url();
    let notices = [
        mail::booked(&base, &booked, &sides.therapist, 1),
        mail::booking_confirmed(&base, &booked, &sides.client, &[booked.starts_at]),
    ];
    match offers::accept(
        &state.db,
        &state.vault,
        id,
        &client.user.id,
        kind.as_str(),
        now,
        &notices,
    )
    .await?
    {
        Answer::Done => {}
        Answer::NotFound => return Err(AppError::NotFound),
        Answer::AlreadyBooked => {
            return Err(AppError::Conflict(
                "You've already accepted this time; it's in your appointments.".into(),
            ));
        }
        Answer::Expired => {
            let until = a
                .hold_expires_at
                .map(|e| sides.client.label(e))
                .unwrap_or_default();
            return Err(AppError::Conflict(format!(
                "Sorry, this offer was held until {until} and has moved on to the next person waiting. You're still welcome to book any free time or stay on the waitlist."
            )));
        }
    }
    match open {
        Some((rel, stage)) if stage != stage_after => {
            endings::set_stage(&state.db, &rel.id, stage_after.as_str(), now).await?
        }
        Some(_) => {}
        None => {
            let listing = rapport_store::listings::by_user(&state.db, &a.therapist_id)
                .await?
                .map(|l| l.id);
            let rel = rapport_store::relationships::create(
                &state.db,
                &client.user.id,
                &a.therapist_name,
                Some(&a.therapist_id),
                listing.as_deref(),
            )
            .await?;
            endings::set_stage(&state.db, &rel.id, stage_after.as_str(), now).await?;
        }
    }
    appointments::get_for(&state.db, &state.vault, id, &client.user.id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Lets an offer go at once, so the next person hears sooner.
pub async fn decline(
    state: &AppState,
    client: &ClientScope,
    id: &str,
    now: i64,
) -> Result<(), AppError> {
    match offers::decline(
        &state.db,
        &state.vault,
        id,
        &client.user.id,
        now,
        &CoreOfferer::new(state, now),
    )
    .await?
    .0
    {
        Answer::Done => Ok(()),
        _ => Err(AppError::NotFound),
    }
}

/// Parses the weekday checkboxes or list (`0` = Monday).
pub fn parse_days(raw: &[String]) -> Result<Vec<i64>, AppError> {
    raw.iter()
        .filter(|d| !d.trim().is_empty())
        .map(|d| {
            d.trim().parse::<i64>().map_err(|_| {
                AppError::Invalid(vec![FieldError::new(
                    "days",
                    "must be day numbers from 0 (Monday) to 6 (Sunday)",
                )])
            })
        })
        .collect()
}
