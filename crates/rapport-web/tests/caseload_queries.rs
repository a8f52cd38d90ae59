//! A caseload view asks the database the same few questions whatever its size: no query per
//! client (names, check-ins, audit rows), and none for the check-ins of relationships whose
//! reading is still current.
//!
//! Queries are counted from sqlx's own statement events (target `sqlx::query`, one per
//! statement), attributed to the request whose span they ran in by the request id the test
//! sends. SQLite's connection threads carry the caller's span, so both databases are counted
//! alike. (On SQLite the session lookup runs outside sqlx, on the request's own thread, and is
//! not counted; on PostgreSQL it is.)

mod common;
mod feedback_support;

use common::{TestApp, User, backends, spawn_app_with};
use feedback_support::{check_in, checkin, relationship, share};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Mutex, Once, OnceLock};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber, span};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// Statements run per request id.
fn counts() -> &'static Mutex<HashMap<String, usize>> {
    static COUNTS: OnceLock<Mutex<HashMap<String, usize>>> = OnceLock::new();
    COUNTS.get_or_init(Mutex::default)
}

struct RequestId(String);

struct IdField(Option<String>);

impl Visit for IdField {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "request_id" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

/// Counts sqlx statements under the `request` span that carries their request id.
struct CountQueries;

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for CountQueries {
    fn on_new_span(&self, attrs: &span::Attributes<'_>, id: &span::Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != "request" {
            return;
        }
        let mut field = IdField(None);
        attrs.record(&mut field);
        if let (Some(rid), Some(span)) = (field.0, ctx.span(id)) {
            span.extensions_mut().insert(RequestId(rid));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        let Some(scope) = ctx.event_scope(event) else {
            return;
        };
        for span in scope {
            if let Some(RequestId(rid)) = span.extensions().get::<RequestId>() {
                *counts().lock().unwrap().entry(rid.clone()).or_default() += 1;
                return;
            }
        }
    }
}

fn count_queries() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let subscriber = tracing_subscriber::registry().with(CountQueries);
        tracing::subscriber::set_global_default(subscriber).expect("no other subscriber");
    });
}

/// `n` more clients sharing with the therapist (every other one their answers), with two
/// check-ins each.
async fn add_clients(app: &TestApp, therapist: &User, n: usize) {
    for i in 0..n {
        let client = app.signup("client").await;
        let rel = relationship(app, &client, therapist).await;
        let sharing = if i % 2 == 0 { "trend" } else { "answers" };
        share(app, &client, &rel, sharing, false).await;
        check_in(app, &client, &rel, checkin(1, 3, &[], "better")).await;
        check_in(app, &client, &rel, checkin(2, 2, &[], "better")).await;
    }
}

/// Views the caseload as `request_id`; returns its rows and the statements it ran.
async fn view(app: &TestApp, therapist: &User, request_id: &str) -> (usize, usize) {
    let r = therapist
        .client
        .get(app.url("/api/v1/caseload"))
        .header("x-request-id", request_id)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let rows = r.json::<Value>().await.unwrap().as_array().unwrap().len();
    let ran = counts()
        .lock()
        .unwrap()
        .get(request_id)
        .copied()
        .unwrap_or(0);
    (rows, ran)
}

#[tokio::test]
async fn a_caseload_view_makes_the_same_few_queries_however_many_clients_share() {
    count_queries();
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let therapist = app.signup("therapist").await;
        let tag = format!("{b:?}-{}", uuid::Uuid::new_v4().simple());

        add_clients(&app, &therapist, 2).await;
        let (rows, small) = view(&app, &therapist, &format!("small-{tag}")).await;
        assert_eq!(rows, 2, "{b:?}");

        add_clients(&app, &therapist, 10).await;
        let (rows, large) = view(&app, &therapist, &format!("large-{tag}")).await;
        assert_eq!(rows, 12, "{b:?}");
        let (rows, unchanged) = view(&app, &therapist, &format!("again-{tag}")).await;
        assert_eq!(rows, 12, "{b:?}");

        assert!(small > 0, "{b:?}: the counter sees the view's statements");
        // On SQLite the session lookup is usually answered without sqlx (`sync_reads`) and
        // goes through the pool, counted here, only when that read is busy for an instant: so
        // two views may differ by that one statement, never by one per client.
        assert!(
            large.abs_diff(small) <= 1,
            "{b:?}: 12 clients cost the same statements as 2 ({large} against {small})"
        );
        assert!(
            large <= 10,
            "{b:?}: a handful of statements per view, not one per client ({large})"
        );
        assert!(
            unchanged < large,
            "{b:?}: with nothing changed, no check-ins (nor their keys) are read at all"
        );
    }
}
