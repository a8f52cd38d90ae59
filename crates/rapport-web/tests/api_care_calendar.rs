//! Calendars through the API: calendar files and the secret feed checked by the Python
//! `icalendar` package (which must itself refuse a broken calendar), and the feed revoked.

mod care_support;
mod common;

use care_support::*;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendar_files_and_the_secret_feed_pass_the_icalendar_validator_and_the_feed_can_be_revoked()
 {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |c| c.booking_caps.consultations = 2).await;
        let t = therapist_with_week(&app).await;
        let client = app.signup("client").await;
        let slot = free_after_days(&app, &client, &t.id, 2).await;
        let booked: Vec<Value> = book(&app, &client, &t.id, &slot, "consultation", 2)
            .await
            .json()
            .await
            .unwrap();
        let cancelled = booked[1]["id"].as_str().unwrap();
        client.post(&app, &format!("/api/v1/care/appointments/{cancelled}/cancel"), json!({"message": "Can't make this one; see you the week before, with thanks, Kim; \\ ok"})).await;

        let one = client
            .get(
                &app,
                &format!(
                    "/api/v1/care/appointments/{}/ics",
                    booked[0]["id"].as_str().unwrap()
                ),
            )
            .await;
        assert_eq!(
            one.headers()["content-type"],
            "text/calendar; charset=utf-8"
        );
        let page_file = client
            .get(
                &app,
                &format!(
                    "/care/appointments/{}/calendar.ics",
                    booked[0]["id"].as_str().unwrap()
                ),
            )
            .await;
        assert_eq!(page_file.status(), 200);
        let feed: Value = client
            .post(&app, "/api/v1/care/calendar", json!({}))
            .await
            .json()
            .await
            .unwrap();
        let url = feed["url"].as_str().unwrap();
        let path = &url[url.find("/calendar/").unwrap()..];
        let anonymous = common::client();
        let feed_text = anonymous
            .get(app.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let t_feed: Value = t
            .post(&app, "/api/v1/care/calendar", json!({}))
            .await
            .json()
            .await
            .unwrap();
        let t_url = t_feed["url"].as_str().unwrap();
        let t_text = anonymous
            .get(app.url(&t_url[t_url.find("/calendar/").unwrap()..]))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();

        let dir = app.dir.join("ics");
        std::fs::create_dir_all(&dir).unwrap();
        let files: Vec<std::path::PathBuf> = [
            ("one.ics", one.text().await.unwrap()),
            ("page.ics", page_file.text().await.unwrap()),
            ("feed.ics", feed_text),
            ("therapist.ics", t_text),
        ]
        .into_iter()
        .map(|(name, text)| {
            let p = dir.join(name);
            std::fs::write(&p, text).unwrap();
            p
        })
        .collect();
        let report = validate_ics(&files);
        assert!(report.contains("4 file(s) valid"), "{report}");
        assert_eq!(
            report.matches("CANCELLED").count(),
            2,
            "{backend:?}: the cancelled week shows as cancelled in both feeds: {report}"
        );
        assert!(report.matches("CONFIRMED").count() >= 4, "{report}");

        assert!(!app.state.db.ping().await.is_err());
        let stored_token_is_a_hash: i64 = rapport_store::with_pool!(&app.state.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM calendar_feeds WHERE token_hash = $1").bind(path.trim_start_matches("/calendar/").trim_end_matches(".ics")).fetch_one(pool).await).unwrap();
        assert_eq!(
            stored_token_is_a_hash, 0,
            "only a hash of the token is stored"
        );
        assert_eq!(
            client.delete(&app, "/api/v1/care/calendar").await.status(),
            204
        );
        assert_eq!(
            anonymous.get(app.url(path)).send().await.unwrap().status(),
            404,
            "a revoked feed is gone"
        );
        assert_eq!(
            anonymous
                .get(app.url("/calendar/not-a-token.ics"))
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
    }
}

#[test]
fn the_validator_rejects_a_calendar_without_required_properties() {
    let dir = std::env::temp_dir().join(format!("rapport-ics-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.ics");
    std::fs::write(&bad, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260303T180000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").unwrap();
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/ics/validate_ics.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(&bad)
        .output()
        .expect("python3");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("DTSTAMP missing") && err.contains("not a UTC date-time"),
        "{err}"
    );
}
