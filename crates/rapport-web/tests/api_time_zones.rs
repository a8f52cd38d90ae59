//! Real time: a therapist's weekly hours are wall-clock times in their IANA zone and keep that
//! time across clock changes; every person reads times in their own zone, the zone named; bad
//! zones and the skipped spring hour are refused, naming the field, changing nothing. On SQLite
//! and PostgreSQL.

mod account_support;
mod care_support;
mod common;
mod matching_support;

use care_support::*;
use common::{TestApp, User};
use serde_json::{Value, json};

async fn set_zone(app: &TestApp, who: &User, zone: &str) -> reqwest::Response {
    who.put(app, "/api/v1/me/time-zone", json!({"time_zone": zone}))
        .await
}

/// A therapist in `zone` offering one hour a week (`day`, `hour` local).
async fn therapist_in(app: &TestApp, zone: &str, day: u8, hour: u8) -> User {
    let t = app.signup("therapist").await;
    let r = t
        .put(
            app,
            "/api/v1/care/availability",
            json!({"time_zone": zone, "notice_hours": 24, "session_minutes": 50, "slots": [{"day": day, "hour": hour}]}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    t
}

fn starts(list: &[Value]) -> Vec<String> {
    let mut v: Vec<String> = list
        .iter()
        .filter(|a| a["status"] == "booked")
        .map(|a| a["starts_at"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_london_tuesday_series_stays_at_six_in_london_for_a_new_york_client_across_both_clock_changes()
 {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |c| {
            c.booking_caps.consultations = 20;
            c.booking_caps.sessions = 20;
        })
        .await;
        let t = therapist_in(&app, "Europe/London", 1, 18).await;
        let client = app.signup("client").await;
        let r = set_zone(&app, &client, "america/new_york").await;
        assert_eq!(r.status(), 200);
        let me: Value = r.json().await.unwrap();
        assert_eq!(me["time_zone"], "America/New_York", "the canonical name");

        // Spring 2027: New York changes on 14 March, London on 28 March.
        let r = book(
            &app,
            &client,
            &t.id,
            "2027-03-02T18:00:00Z",
            "consultation",
            6,
        )
        .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        // Autumn 2027: London changes on 31 October, New York on 7 November.
        let r = book(
            &app,
            &client,
            &t.id,
            "2027-10-19T17:00:00Z",
            "consultation",
            6,
        )
        .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());

        let booked = starts(&appointments(&app, &client).await);
        assert_eq!(
            booked,
            [
                "2027-03-02T18:00:00Z",
                "2027-03-09T18:00:00Z",
                "2027-03-16T18:00:00Z",
                "2027-03-23T18:00:00Z",
                "2027-03-30T17:00:00Z",
                "2027-04-06T17:00:00Z",
                "2027-10-19T17:00:00Z",
                "2027-10-26T17:00:00Z",
                "2027-11-02T18:00:00Z",
                "2027-11-09T18:00:00Z",
                "2027-11-16T18:00:00Z",
                "2027-11-23T18:00:00Z",
            ],
            "every occurrence is 18:00 in London ({backend:?})"
        );

        // The client reads New York time, with London's clock beside it where they differ.
        let page = client.get(&app, "/care").await.text().await.unwrap();
        for (ny, london) in [
            ("Tue 2 Mar 2027, 13:00 (New York)", "Tue 2 Mar 2027, 18:00."),
            (
                "Tue 16 Mar 2027, 14:00 (New York)",
                "Tue 16 Mar 2027, 18:00.",
            ),
            (
                "Tue 30 Mar 2027, 13:00 (New York)",
                "Tue 30 Mar 2027, 18:00.",
            ),
            ("Tue 2 Nov 2027, 14:00 (New York)", "Tue 2 Nov 2027, 18:00."),
            ("Tue 9 Nov 2027, 13:00 (New York)", "Tue 9 Nov 2027, 18:00."),
        ] {
            assert!(page.contains(ny), "client page shows {ny}");
            assert!(
                page.contains(&format!("in London that is {london}")),
                "client page names London's clock for {ny}"
            );
        }
        // The therapist reads London time, with the client's clock beside it.
        let practice = t.get(&app, "/care/practice").await.text().await.unwrap();
        assert!(practice.contains("Tue 16 Mar 2027, 18:00 (London)"));
        assert!(practice.contains("in New York that is Tue 16 Mar 2027, 14:00."));
        assert!(practice.contains("Tue 2 Nov 2027, 18:00 (London)"));

        // E-mails speak each reader's clock.
        let to_client = mail_for(&app, &client).await;
        let confirmed: Vec<&String> = to_client
            .iter()
            .filter(|(k, _, _)| k == "booking_confirmed")
            .map(|(_, _, b)| b)
            .collect();
        assert_eq!(confirmed.len(), 2, "one confirmation per booking");
        assert!(
            confirmed[0].contains("Tue 16 Mar 2027, 14:00 (New York)")
                || confirmed[1].contains("Tue 16 Mar 2027, 14:00 (New York)")
        );
        let to_therapist = mail_for(&app, &t).await;
        assert!(
            to_therapist
                .iter()
                .any(|(k, _, b)| k == "booking" && b.contains("18:00 (London)")),
            "{to_therapist:?}"
        );

        // Calendar files carry the same instants in UTC and pass the validator.
        let list = appointments(&app, &client).await;
        let dir = app.dir.join("ics-zones");
        std::fs::create_dir_all(&dir).unwrap();
        let mut files = Vec::new();
        for a in &list {
            let at = a["starts_at"].as_str().unwrap();
            if at != "2027-03-30T17:00:00Z" && at != "2027-11-02T18:00:00Z" {
                continue;
            }
            let id = a["id"].as_str().unwrap();
            let ics = client
                .get(&app, &format!("/api/v1/care/appointments/{id}/ics"))
                .await
                .text()
                .await
                .unwrap();
            let stamp = at.replace(['-', ':'], "");
            assert!(ics.contains(&format!("DTSTART:{stamp}")), "{ics}");
            let p = dir.join(format!("{id}.ics"));
            std::fs::write(&p, ics).unwrap();
            files.push(p);
        }
        assert_eq!(files.len(), 2);
        validate_ics(&files);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_zones_are_refused_naming_the_field_and_nothing_changes() {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |_| {}).await;
        let client = app.signup("client").await;
        let r = set_zone(&app, &client, "Mars/Olympus_Mons").await;
        assert_eq!(r.status(), 422);
        assert_eq!(
            account_support::error_fields(r).await,
            account_support::fields(&["time_zone"])
        );
        let me: Value = client.get(&app, "/api/v1/me").await.json().await.unwrap();
        assert_eq!(me["time_zone"], "UTC");

        let t = therapist_in(&app, "Europe/Berlin", 1, 18).await;
        let r = t
            .put(
                &app,
                "/api/v1/care/availability",
                json!({"time_zone": "+01:00", "notice_hours": 24, "session_minutes": 50, "slots": [{"day": 2, "hour": 9}]}),
            )
            .await;
        assert_eq!(r.status(), 422);
        assert_eq!(
            account_support::error_fields(r).await,
            account_support::fields(&["time_zone"])
        );
        let week: Value = t
            .get(&app, &format!("/api/v1/care/therapists/{}", t.id))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(week["time_zone"], "Europe/Berlin", "the old week stands");
        assert_eq!(week["slots"][0]["day"], 1);

        let r = common::client()
            .post(app.url("/api/v1/accounts"))
            .json(&json!({"email": account_support::new_email("zone"), "password": account_support::PASSWORD, "display_name": "Kim", "time_zone": "Atlantis/Capital"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(
            account_support::error_fields(r).await,
            account_support::fields(&["time_zone"])
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_skipped_spring_hour_is_refused_with_the_reason_and_the_repeated_autumn_hour_is_the_earlier_one()
 {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |c| c.booking_caps.consultations = 5).await;
        let london = therapist_in(&app, "Europe/London", 6, 1).await;
        let client = app.signup("client").await;
        set_zone(&app, &client, "Europe/London").await;

        // 01:00 on Sunday 28 March 2027 does not exist in London.
        let r = book(
            &app,
            &client,
            &london.id,
            "2027-03-28T01:00",
            "consultation",
            1,
        )
        .await;
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["errors"][0]["field"], "starts_at");
        let reason = body["errors"][0]["reason"].as_str().unwrap();
        assert!(
            reason.contains("Sun 28 Mar 2027, 01:00") && reason.contains("clocks go forward"),
            "{reason}"
        );
        // A series that runs into it is refused whole.
        let r = book(
            &app,
            &client,
            &london.id,
            "2027-03-21T01:00:00Z",
            "consultation",
            2,
        )
        .await;
        assert_eq!(r.status(), 422);
        assert!(
            appointments(&app, &client).await.is_empty(),
            "nothing booked"
        );
        // The free times skip that Sunday.
        assert!(
            !free(&app, &client, &london.id)
                .await
                .iter()
                .any(|s| s.starts_with("2027-03-28")),
        );

        // 01:00 on Sunday 7 November 2027 happens twice in New York: the first is booked.
        let ny = therapist_in(&app, "America/New_York", 6, 1).await;
        let r = book(&app, &client, &ny.id, "2027-11-07T01:00", "consultation", 1).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let list: Vec<Value> = r.json().await.unwrap();
        assert_eq!(list[0]["starts_at"], "2027-11-07T05:00:00Z", "01:00 EDT");
        let r = book(
            &app,
            &client,
            &ny.id,
            "2027-11-07T06:00:00Z",
            "consultation",
            1,
        )
        .await;
        assert_eq!(r.status(), 422, "the second 01:00 is not an offered time");
        let page = ny.get(&app, "/care/practice").await.text().await.unwrap();
        assert!(
            page.contains("happens twice; this is the first one"),
            "stated on the page"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_hour_zone_offers_its_own_wall_clock_hours() {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |_| {}).await;
        let t = therapist_in(&app, "Asia/Kolkata", 1, 18).await;
        let client = app.signup("client").await;
        let free = free(&app, &client, &t.id).await;
        assert!(!free.is_empty());
        assert!(
            free.iter().all(|s| s.ends_with("T12:30:00Z")),
            "18:00 in Kolkata is 12:30 UTC: {free:?}"
        );
        let page = client
            .get(&app, &format!("/care/therapists/{}", t.id))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("12:30 (UTC), 18:00 for"),
            "the client's clock first, then the therapist's"
        );
        assert!(page.contains("in Kolkata"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_up_page_keeps_the_proposed_zone_and_the_account_page_changes_it() {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |_| {}).await;
        let form = common::client()
            .get(app.url("/signup"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(form.contains("data-zone-from-browser") && form.contains("/static/zone.js"));
        let js = common::client()
            .get(app.url("/static/zone.js"))
            .send()
            .await
            .unwrap();
        assert_eq!(js.status(), 200);
        assert!(
            js.text()
                .await
                .unwrap()
                .contains("resolvedOptions().timeZone")
        );

        let client = app.signup("client").await;
        let r = matching_support::post_form(
            &app,
            &client,
            "/account/time-zone",
            &[("time_zone", "Asia/Kolkata")],
        )
        .await;
        assert_eq!(r.status(), 200);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Times are now shown in Kolkata time")
        );
        let me: Value = client.get(&app, "/api/v1/me").await.json().await.unwrap();
        assert_eq!(me["time_zone"], "Asia/Kolkata");
        let r = matching_support::post_form(
            &app,
            &client,
            "/account/time-zone",
            &[("time_zone", "Kolkata")],
        )
        .await;
        assert_eq!(r.status(), 422);
        let me: Value = client.get(&app, "/api/v1/me").await.json().await.unwrap();
        assert_eq!(me["time_zone"], "Asia/Kolkata", "unchanged");
    }
}
