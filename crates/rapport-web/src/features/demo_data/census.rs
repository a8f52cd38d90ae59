//! What the demo practice holds, read back from the store: printed at start-up and asserted by
//! the demo's test, so "every status is there" is checked against what the pages will read, not
//! against what the seeding meant to write.

use std::collections::BTreeMap;

use rapport_store::care::{appointments, offers};
use rapport_store::{listings, outcomes, relationships, users};

use super::script::{CLIENTS, THERAPISTS, client_email};
use super::{DEMO_CLIENT, DEMO_PASSWORD};
use crate::auth::ClientScope;
use crate::error::AppError;
use crate::features::relationships::service;
use crate::state::AppState;

/// Counts of what the demo practice holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Census {
    /// Demo therapists with an account.
    pub therapists: usize,
    /// Demo clients with an account.
    pub clients: usize,
    /// Their relationships.
    pub relationships: usize,
    /// Their check-ins.
    pub checkins: usize,
    /// How many relationships read as each alliance status (`strong`, `act_now`, …).
    pub statuses: BTreeMap<&'static str, usize>,
    /// Ruptures, and how many of them were repaired.
    pub ruptures: (usize, usize),
    /// PHQ-9 and GAD-7 responses.
    pub measures: usize,
    /// Endings with a reason, across the demo therapists.
    pub endings: usize,
    /// Entries on the demo therapists' waitlists.
    pub waiting: usize,
    /// Appointments at the demo therapists.
    pub appointments: usize,
    /// Listings in the directory.
    pub listings: usize,
}

/// Reads the demo practice back from the store.
pub async fn census(state: &AppState) -> Result<Census, AppError> {
    let mut c = Census::default();
    for t in THERAPISTS {
        let Some(user) = users::credentials_by_email(&state.db, t.email).await? else {
            continue;
        };
        c.therapists += 1;
        let id = &user.user.id;
        c.endings += outcomes::endings_for_therapist(&state.db, id).await?.len();
        c.waiting += offers::waiting_for_therapist(&state.db, id).await?.len();
        c.appointments += appointments::for_therapist(&state.db, &state.vault, id)
            .await?
            .len();
    }
    let emails = std::iter::once(DEMO_CLIENT.0.to_owned()).chain((1..=CLIENTS).map(client_email));
    for email in emails {
        let Some(found) = users::credentials_by_email(&state.db, &email).await? else {
            continue;
        };
        c.clients += 1;
        let scope = ClientScope::trusted(found.user);
        c.measures += rapport_store::instruments::responses_for_client(&state.db, &scope.user.id)
            .await?
            .len();
        for rel in relationships::for_client(&state.db, &scope.user.id).await? {
            c.relationships += 1;
            let loaded = service::load_for_client(state, &scope, &rel.id).await?;
            c.checkins += loaded.checkins.len();
            if !loaded.checkins.is_empty() {
                *c.statuses
                    .entry(loaded.assessment.status.as_str())
                    .or_default() += 1;
            }
            c.ruptures.0 += loaded.assessment.ruptures.len();
            c.ruptures.1 += loaded
                .assessment
                .ruptures
                .iter()
                .filter(|r| r.repaired_at.is_some())
                .count();
        }
    }
    c.listings = listings::all(&state.db).await?.len();
    Ok(c)
}

impl Census {
    /// What the demo holds, the accounts and things to try, as printed at start-up.
    pub fn report(&self) -> String {
        let statuses: Vec<String> = self
            .statuses
            .iter()
            .map(|(s, n)| format!("{s} {n}"))
            .collect();
        let mut out = format!(
            "Demo practice: {} therapists, {} clients, {} relationships, {} check-ins \
             ({} ruptures, {} repaired), {} PHQ-9/GAD-7 measures, {} endings, {} waiting, \
             {} appointments, {} directory listings.\n  Alliance statuses: {}.\n",
            self.therapists,
            self.clients,
            self.relationships,
            self.checkins,
            self.ruptures.0,
            self.ruptures.1,
            self.measures,
            self.endings,
            self.waiting,
            self.appointments,
            self.listings,
            statuses.join(", "),
        );
        out.push_str(&format!(
            "Demo accounts (password for all: {DEMO_PASSWORD}):\n"
        ));
        out.push_str(&format!("  admin      {}\n", super::DEMO_ADMIN.0));
        for t in THERAPISTS {
            out.push_str(&format!(
                "  therapist  {} ({}, {})\n",
                t.email, t.city, t.zone
            ));
        }
        out.push_str(&format!("  client     {}\n", DEMO_CLIENT.0));
        out.push_str(&format!(
            "  client     {} … {} (each a different story)\n",
            client_email(1),
            client_email(CLIENTS)
        ));
        out.push_str(
            "Things to try:\n\
             \x20 - as therapist@demo.rapport: /caseload (every alliance status, alerts, ruptures), \
             /feedback (outcomes, pooled ending reasons), the waitlist and requests\n\
             \x20 - as client@demo.rapport: your relationship's reading and the drafted note; \
             /measures; /care to book or end; /match to search the directory\n\
             \x20 - as client08@demo.rapport (problems session after session) or client10 \
             (a professional line crossed): what Rapport says when it is not working\n\
             \x20 - as admin@demo.rapport: /admin (the practice, waitlists, outcomes, outbox)\n",
        );
        out
    }
}
