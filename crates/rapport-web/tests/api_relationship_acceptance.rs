//! A relationship reaches its therapist only once they accept it: naming a listed therapist puts
//! nobody on their caseload, raises no alerts and counts in none of their figures until then;
//! declining keeps the client out for good and keeps every row of theirs; only the therapist
//! named can answer; the caseload page shows the request with working forms; the client is told
//! in plain words and can keep checking in; an appointment that took place counts as accepted.

mod common;
mod feedback_support;

use common::{Backend, TestApp, User, backends, spawn_app_with};
use feedback_support::*;
use rapport_store::care::outbox;
use rapport_web::features::care::worker;
use serde_json::{Value, json};

async fn app(b: Backend) -> TestApp {
    spawn_app_with(b, |_| {}).await
}

async fn list(app: &TestApp, u: &User, path: &str) -> Vec<Value> {
    let r = u.get(app, path).await;
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

async fn courses_counted(app: &TestApp, t: &User) -> Value {
    let body: Value = t.get(app, "/api/v1/feedback").await.json().await.unwrap();
    body["outcomes"]["tally"]["courses"].clone()
}

/// Shares answers and measures, then three good sessions and a dip (rupture and speak-up alerts
/// on an accepted relationship).
async fn share_and_dip(app: &TestApp, c: &User, rel: &str) {
    share(app, c, rel, "answers", true).await;
    for s in 1..=3 {
        check_in(app, c, rel, checkin(s, 3, &[], "better")).await;
    }
    check_in(app, c, rel, checkin(4, 1, &["judged"], "bad")).await;
}

#[tokio::test]
async fn a_client_who_attaches_to_a_listed_therapist_is_not_on_the_caseload_raises_no_alerts_and_counts_nowhere_until_accepted()
 {
    for b in backends() {
        let app = app(b).await;
        let t = app.signup("therapist").await;
        let c = app.signup("client").await;
        let rel = requested(&app, &c, &t).await;
        share_and_dip(&app, &c, &rel).await;
        let mut seeded = Vec::new();
        for _ in 0..15 {
            seeded.push(seed_requested_course(&app, &t.id, (18, 8), (12, 6)).await.1);
        }

        assert!(list(&app, &t, "/api/v1/caseload").await.is_empty(), "{b:?}");
        assert_eq!(
            t.get(&app, &format!("/api/v1/caseload/{rel}"))
                .await
                .status(),
            404
        );
        assert_eq!(
            t.get(&app, &format!("/api/v1/caseload/{rel}/outcomes"))
                .await
                .status(),
            404
        );
        assert!(list(&app, &t, "/api/v1/alerts").await.is_empty());
        let mail = outbox::for_user(&app.state.db, &app.state.vault, &t.id)
            .await
            .unwrap();
        assert!(
            mail.is_empty(),
            "{b:?}: no e-mail about someone not accepted"
        );
        assert_eq!(
            courses_counted(&app, &t).await,
            0,
            "{b:?}: 15 requests rate nothing"
        );
        let waiting = list(&app, &t, "/api/v1/caseload/requests").await;
        assert_eq!(waiting.len(), 16);
        let theirs = waiting
            .iter()
            .find(|w| w["relationship_id"] == rel.as_str())
            .expect("the client's request waits");
        assert_eq!(theirs["client_name"], "Test client");
        assert!(
            theirs.get("status").is_none(),
            "a request shows who, not how it goes"
        );

        accept(&app, &t, &rel).await;
        accept(&app, &t, &seeded[0]).await;
        let rows = list(&app, &t, "/api/v1/caseload").await;
        assert_eq!(rows.len(), 2, "{b:?}: the two accepted, both sharing");
        assert!(rows.iter().any(|r| r["relationship_id"] == rel.as_str()));
        assert_eq!(
            courses_counted(&app, &t).await,
            1,
            "{b:?}: the accepted course with measures counts; the 14 others still do not"
        );
        assert_eq!(list(&app, &t, "/api/v1/caseload/requests").await.len(), 14);
        check_in(&app, &c, &rel, checkin(5, 1, &["judged"], "bad")).await;
        assert!(
            !list(&app, &t, "/api/v1/alerts").await.is_empty(),
            "{b:?}: accepted, a dip raises alerts"
        );
    }
}

#[tokio::test]
async fn a_declined_request_keeps_the_client_out_and_keeps_all_their_own_data() {
    for b in backends() {
        let app = app(b).await;
        let t = app.signup("therapist").await;
        let c = app.signup("client").await;
        let rel = requested(&app, &c, &t).await;
        let r = t
            .post(
                &app,
                &format!("/api/v1/relationships/{rel}/decline"),
                json!({}),
            )
            .await;
        assert_eq!(r.status(), 200, "{b:?}");
        share_and_dip(&app, &c, &rel).await;

        assert!(list(&app, &t, "/api/v1/caseload").await.is_empty());
        assert!(list(&app, &t, "/api/v1/caseload/requests").await.is_empty());
        assert!(list(&app, &t, "/api/v1/alerts").await.is_empty());
        let mine: Value = c
            .get(&app, &format!("/api/v1/relationships/{rel}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(mine["checkins"].as_array().unwrap().len(), 4, "{b:?}");
        assert!(mine["relationship"]["declined_at"].is_i64());
        assert!(mine["relationship"]["accepted_at"].is_null());
        assert_eq!(
            t.post(
                &app,
                &format!("/api/v1/relationships/{rel}/decline"),
                json!({})
            )
            .await
            .status(),
            404,
            "declining twice finds nothing waiting"
        );
    }
}

#[tokio::test]
async fn another_therapist_cannot_accept_or_decline_someone_elses_request() {
    for b in backends() {
        let app = app(b).await;
        let t = app.signup("therapist").await;
        let other = app.signup("therapist").await;
        let c = app.signup("client").await;
        let rel = requested(&app, &c, &t).await;
        share(&app, &c, &rel, "answers", true).await;
        for action in ["accept", "decline"] {
            let path = format!("/api/v1/relationships/{rel}/{action}");
            assert_eq!(
                other.post(&app, &path, json!({})).await.status(),
                404,
                "{b:?}"
            );
            assert_eq!(c.post(&app, &path, json!({})).await.status(), 403);
        }
        assert!(
            list(&app, &other, "/api/v1/caseload/requests")
                .await
                .is_empty()
        );
        assert!(list(&app, &other, "/api/v1/caseload").await.is_empty());
        assert_eq!(list(&app, &t, "/api/v1/caseload/requests").await.len(), 1);
        assert!(list(&app, &t, "/api/v1/caseload").await.is_empty());
    }
}

#[tokio::test]
async fn the_caseload_page_shows_a_waiting_request_and_its_accept_form_puts_the_client_on_the_caseload()
 {
    for b in backends() {
        let app = app(b).await;
        let t = app.signup("therapist").await;
        let c = app.signup("client").await;
        let rel = requested(&app, &c, &t).await;
        share(&app, &c, &rel, "trend", false).await;

        let page = t.get(&app, "/caseload").await.text().await.unwrap();
        assert!(page.contains("Waiting for you"), "{b:?}: {page}");
        assert!(page.contains(&format!("id=\"request-{rel}\"")));
        assert!(!page.contains(&format!("id=\"client-{rel}\"")));
        let action = format!("action=\"/caseload/{rel}/accept\"");
        let form = page.split(&action).nth(1).expect("an accept form");
        let csrf = form
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("the form carries the CSRF field")
            .to_owned();
        assert!(page.contains(&format!("action=\"/caseload/{rel}/decline\"")));

        let r = t
            .client
            .post(app.url(&format!("/caseload/{rel}/accept")))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{b:?}");
        let page = t.get(&app, "/caseload").await.text().await.unwrap();
        assert!(
            page.contains(&format!("id=\"client-{rel}\"")),
            "{b:?}: {page}"
        );
        assert!(!page.contains("Waiting for you"));
        let r = t
            .client
            .post(app.url(&format!("/caseload/{rel}/decline")))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            404,
            "an accepted client is not declined from a stale form"
        );
    }
}

#[tokio::test]
async fn the_client_reads_that_their_therapist_has_not_confirmed_yet_and_can_still_check_in() {
    for b in backends() {
        let app = app(b).await;
        let t = app.signup("therapist").await;
        let c = app.signup("client").await;
        let rel = requested(&app, &c, &t).await;
        check_in(&app, &c, &rel, checkin(1, 3, &[], "better")).await;
        let page = c
            .get(&app, &format!("/relationships/{rel}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("hasn't confirmed yet"), "{b:?}: {page}");
        assert!(page.contains("keep checking in privately"));

        accept(&app, &t, &rel).await;
        let page = c
            .get(&app, &format!("/relationships/{rel}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            !page.contains("id=\"not-confirmed\""),
            "{b:?}: gone once accepted"
        );
    }
}

#[tokio::test]
async fn a_consultation_that_took_place_accepts_the_relationship_and_a_missed_one_does_not() {
    for b in backends() {
        let app = app(b).await;
        let t = app.signup("therapist").await;
        let met = app.signup("client").await;
        let no_show = app.signup("client").await;
        let mut rels = Vec::new();
        let mut appts = Vec::new();
        for (i, c) in [&met, &no_show].into_iter().enumerate() {
            let rel = requested(&app, c, &t).await;
            share(&app, c, &rel, "trend", false).await;
            let start = rapport_store::now_ms() - (i as i64 + 3) * 3_600_000;
            let id = rapport_store::new_id();
            rapport_store::with_pool!(&app.state.db, pool => sqlx::query("INSERT INTO appointments (id, therapist_id, client_id, kind, starts_at, ends_at, status, created_at) VALUES ($1, $2, $3, 'consultation', $4, $5, 'booked', $4)").bind(&id).bind(&t.id).bind(&c.id).bind(start).bind(start + 3_000_000).execute(pool).await.map(|r| r.rows_affected())).unwrap();
            rels.push(rel);
            appts.push(id);
        }
        let r = t
            .post(
                &app,
                &format!("/api/v1/care/appointments/{}/missed", appts[1]),
                json!({}),
            )
            .await;
        assert!(
            r.status().is_success(),
            "{b:?}: {}",
            r.text().await.unwrap()
        );

        let now = rapport_store::now_ms();
        assert_eq!(
            worker::tick(&app.state, now).await.unwrap().accepted,
            0,
            "{b:?}: a day to mark a no-show first"
        );
        let later = now + worker::MET_AFTER_MS;
        assert_eq!(
            worker::tick(&app.state, later).await.unwrap().accepted,
            1,
            "{b:?}"
        );
        let rows = list(&app, &t, "/api/v1/caseload").await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["relationship_id"], rels[0].as_str());
        let waiting = list(&app, &t, "/api/v1/caseload/requests").await;
        assert_eq!(waiting.len(), 1);
        assert_eq!(waiting[0]["relationship_id"], rels[1].as_str());
    }
}
