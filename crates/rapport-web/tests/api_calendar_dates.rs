//! Issue 13: every date the program accepts must be a day the calendar has. `2026-02-31` is
//! refused with a 422 naming the field, through the API and the page forms alike, on SQLite and
//! PostgreSQL, and nothing is saved.

mod care_support;
mod common;
mod matching_support;

use care_support::{appointments, book, therapist_with_week};
use common::{TestApp, User, backends, spawn_app_with};
use matching_support::post_form;
use serde_json::{Value, json};

/// Days that look like dates but do not exist.
const IMPOSSIBLE: [&str; 3] = ["2026-02-31", "2027-02-29", "2026-04-31"];

fn checkin_on(date: &str) -> Value {
    json!({"session": 1, "heard": 3, "open": 3, "attuned": 3, "trust": 3, "looking_forward": 3,
           "stirred": 1, "left_feeling": "better", "date": date})
}

async fn relationship(app: &TestApp, client: &User) -> String {
    let r = client
        .post(
            app,
            "/api/v1/relationships",
            json!({"therapist_name": "Dr Test"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn checkins_stored(app: &TestApp, client: &User, rel: &str) -> usize {
    let body: Value = client
        .get(app, &format!("/api/v1/relationships/{rel}"))
        .await
        .json()
        .await
        .unwrap();
    body["checkins"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn a_checkin_dated_a_day_that_does_not_exist_is_refused_by_the_api_and_not_saved() {
    for backend in backends() {
        let app = spawn_app_with(backend, |_| {}).await;
        let c = app.signup("client").await;
        let rel = relationship(&app, &c).await;
        for date in IMPOSSIBLE {
            let r = c
                .post(
                    &app,
                    &format!("/api/v1/relationships/{rel}/checkins"),
                    checkin_on(date),
                )
                .await;
            assert_eq!(r.status(), 422, "{backend:?} {date}");
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["errors"][0]["field"], "date", "{body}");
            assert!(
                body["errors"][0]["reason"]
                    .as_str()
                    .unwrap()
                    .contains("real calendar date"),
                "{body}"
            );
        }
        assert_eq!(checkins_stored(&app, &c, &rel).await, 0, "{backend:?}");
        let leap = c
            .post(
                &app,
                &format!("/api/v1/relationships/{rel}/checkins"),
                checkin_on("2028-02-29"),
            )
            .await;
        assert_eq!(leap.status(), 201, "{backend:?}: a leap day is a real day");
    }
}

#[tokio::test]
async fn a_checkin_form_dated_a_day_that_does_not_exist_is_shown_again_with_a_422() {
    for backend in backends() {
        let app = spawn_app_with(backend, |_| {}).await;
        let c = app.signup("client").await;
        let rel = relationship(&app, &c).await;
        let r = post_form(
            &app,
            &c,
            &format!("/relationships/{rel}/checkin"),
            &[
                ("session", "1"),
                ("heard", "3"),
                ("open", "3"),
                ("attuned", "3"),
                ("trust", "3"),
                ("looking_forward", "3"),
                ("stirred", "1"),
                ("left_feeling", "better"),
                ("date", "2026-02-31"),
            ],
        )
        .await;
        assert_eq!(r.status(), 422, "{backend:?}");
        assert!(r.text().await.unwrap().contains("real calendar date"));
        assert_eq!(checkins_stored(&app, &c, &rel).await, 0, "{backend:?}");
    }
}

#[tokio::test]
async fn a_booking_on_a_day_that_does_not_exist_is_refused_naming_starts_at_and_books_nothing() {
    for backend in backends() {
        let app = spawn_app_with(backend, |_| {}).await;
        let t = therapist_with_week(&app).await;
        let c = app.signup("client").await;
        for day in [
            "2030-02-31T10:00:00Z",
            "2030-02-29T10:00:00Z",
            "2030-04-31T10:00:00+01:00",
        ] {
            let r = book(&app, &c, &t.id, day, "consultation", 1).await;
            assert_eq!(r.status(), 422, "{backend:?} {day}");
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["errors"][0]["field"], "starts_at", "{body}");
            assert!(
                body["errors"][0]["reason"]
                    .as_str()
                    .unwrap()
                    .contains("real calendar date"),
                "{body}"
            );
        }
        let form = post_form(
            &app,
            &c,
            &format!("/care/therapists/{}", t.id),
            &[
                ("starts_at", "2030-02-31T10:00:00Z"),
                ("kind", "consultation"),
                ("weeks", "1"),
            ],
        )
        .await;
        assert_eq!(form.status(), 422, "{backend:?}");
        assert!(appointments(&app, &c).await.is_empty(), "{backend:?}");
    }
}
