//! The background worker: lets lapsed waitlist holds move on, queues reminders (the day before,
//! and the check-in after each session), closes endings whose closing session is over, accepts
//! relationships whose client met the therapist (see [`MET_AFTER_MS`]), and delivers the outbox over SMTP when a server is configured.
//!
//! Delivery retries with exponential backoff (30 s, 1 min, 2 min … capped at an hour) and never
//! drops a message: only a server's permanent refusal marks it failed, and it stays on the
//! admin's outbox page. Leases (see `rapport_store::care::outbox`) keep two workers, in one
//! process or several, from sending one message twice.

use std::time::Duration;

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rapport_core::care::clock::{DAY_MS, HOUR_MS};
use rapport_store::care::{appointments, endings, outbox};
use rapport_store::{now_ms, relationships};

use super::{mail, waitlist};
use crate::error::AppError;
use crate::state::AppState;

/// How long after an appointment ends it counts as having taken place, so its waiting
/// relationship is accepted: the therapist's day to mark a no-show missed first (a missed or
/// cancelled appointment never accepts anyone).
pub const MET_AFTER_MS: i64 = DAY_MS;
/// How often the worker wakes.
pub const INTERVAL: Duration = Duration::from_secs(15);
/// How long a lease on an outbox row lasts: far longer than one send may take.
pub const LEASE_MS: i64 = 120_000;
/// How long one SMTP exchange may take before it counts as a failure.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// The wait before attempt `attempts + 1`: 30 s doubled per attempt, at most an hour.
pub fn backoff_ms(attempts: i64) -> i64 {
    let exp = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    (30_000_i64.saturating_mul(1_i64 << exp.min(17))).min(HOUR_MS)
}

/// Starts the worker for this server; it runs until the process ends.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mailer = match Mailer::from_config(&state) {
            Ok(m) => m,
            Err(e) => {
                tracing::error!(error = %e, "e-mail disabled: the SMTP settings are not usable");
                None
            }
        };
        loop {
            if state.is_ready() {
                let now = now_ms();
                if let Err(e) = tick(&state, now).await {
                    tracing::warn!(error = %e, "care worker tick failed; will retry");
                }
                if let Some(m) = &mailer {
                    if let Err(e) = m.deliver(&state, now).await {
                        tracing::warn!(error = %e, "outbox delivery failed; will retry");
                    }
                }
            }
            tokio::time::sleep(INTERVAL).await;
        }
    })
}

/// What one tick did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Tick {
    /// Offers passed on to the next person.
    pub offers: usize,
    /// Appointment reminders queued.
    pub reminders: usize,
    /// After-session check-in reminders queued.
    pub checkins: usize,
    /// Endings closed after their closing session.
    pub finished: u64,
    /// Waiting relationships accepted because the client met the therapist.
    pub accepted: u64,
}

/// One round of time-driven work as of `now` (tests pass a future `now` to move time on).
pub async fn tick(state: &AppState, now: i64) -> Result<Tick, AppError> {
    let base = state.config.base_url();
    let offers = waitlist::advance(state, now).await?.len();
    let reminders =
        appointments::queue_reminders(&state.db, &state.vault, now, now + DAY_MS, |a, zone| {
            vec![mail::reminder(&base, a, zone)]
        })
        .await?;
    let checkins =
        appointments::queue_followups(&state.db, &state.vault, now, now - 3 * DAY_MS, |a, _| {
            vec![mail::checkin(&base, a, None)]
        })
        .await?;
    let finished = endings::finish_after_closing(&state.db, now).await?;
    let accepted = relationships::accept_met(&state.db, now - MET_AFTER_MS, now).await?;
    Ok(Tick {
        offers,
        reminders,
        checkins,
        finished,
        accepted,
    })
}

/// An SMTP connection recipe and this worker's lease name.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    owner: String,
}

/// What one delivery round did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Accepted by the server and marked sent.
    pub sent: usize,
    /// Failed for now; queued again with backoff.
    pub retried: usize,
    /// Refused for good.
    pub failed: usize,
}

impl Mailer {
    /// A mailer for the configured server; `None` when no server is configured (mail stays in the
    /// outbox); an error when the URL or the From address is unusable.
    pub fn from_config(state: &AppState) -> Result<Option<Mailer>, String> {
        let Some(url) = &state.config.smtp_url else {
            return Ok(None);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("RAPPORT_SMTP_URL: {e}"))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        let from: Mailbox = state
            .config
            .mail_from
            .parse()
            .map_err(|e| format!("RAPPORT_MAIL_FROM: {e}"))?;
        Ok(Some(Mailer {
            transport,
            from,
            owner: format!("worker-{}", uuid::Uuid::new_v4().simple()),
        }))
    }

    /// Sends every due message once: lease, send, mark (or schedule a retry).
    pub async fn deliver(&self, state: &AppState, now: i64) -> Result<Delivery, AppError> {
        let mut done = Delivery::default();
        let batch = outbox::lease(&state.db, &state.vault, &self.owner, now, LEASE_MS, 20).await?;
        for m in batch {
            let built =
                m.to.parse::<Mailbox>()
                    .map_err(|e| e.to_string())
                    .and_then(|to| {
                        Message::builder()
                            .from(self.from.clone())
                            .to(to)
                            .subject(&m.subject)
                            .message_id(Some(format!("<{}@rapport>", m.id)))
                            .header(ContentType::TEXT_PLAIN)
                            .body(m.body.clone())
                            .map_err(|e| e.to_string())
                    });
            let message = match built {
                Ok(msg) => msg,
                Err(e) => {
                    outbox::mark_failed(
                        &state.db,
                        &m.id,
                        &self.owner,
                        &format!("cannot build the message: {e}"),
                    )
                    .await?;
                    done.failed += 1;
                    continue;
                }
            };
            match self.transport.send(message).await {
                Ok(_) => {
                    if outbox::mark_sent(&state.db, &m.id, &self.owner, now_ms()).await? {
                        done.sent += 1;
                    } else {
                        tracing::warn!(id = %m.id, "sent a message whose lease had lapsed");
                    }
                }
                Err(e) if e.is_permanent() => {
                    outbox::mark_failed(&state.db, &m.id, &self.owner, &e.to_string()).await?;
                    done.failed += 1;
                }
                Err(e) => {
                    let next = now_ms() + backoff_ms(m.attempts);
                    outbox::retry_later(&state.db, &m.id, &self.owner, next, &e.to_string())
                        .await?;
                    done.retried += 1;
                }
            }
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps_at_an_hour() {
        assert_eq!(backoff_ms(1), 30_000);
        assert_eq!(backoff_ms(2), 60_000);
        assert_eq!(backoff_ms(3), 120_000);
        assert_eq!(backoff_ms(8), HOUR_MS);
        assert_eq!(backoff_ms(500), HOUR_MS);
    }
}
