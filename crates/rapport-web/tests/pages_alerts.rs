//! Alerts on the therapist's pages: following an alert's link (a GET, which a mail scanner or a
//! link preview can make too) never marks it seen; the list's button (a POST) does.

mod common;
mod feedback_support;
mod matching_support;

use common::{backends, spawn_app_with};
use feedback_support::{answer, audit_actions, check_in, checkin, phq9, relationship, share};
use matching_support::post_form;
use serde_json::Value;

#[tokio::test]
async fn following_an_alert_link_does_not_mark_it_seen_but_the_button_does() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let t = app.signup("therapist").await;
        let c = app.signup("client").await;
        let rel = relationship(&app, &c, &t).await;
        share(&app, &c, &rel, "trend", false).await;
        for s in 1..=4 {
            check_in(&app, &c, &rel, checkin(s, 4, &[], "better")).await;
        }
        check_in(&app, &c, &rel, checkin(5, 0, &[], "better")).await;
        let unseen = |list: &Value| {
            list.as_array()
                .unwrap()
                .iter()
                .filter(|a| a["seen_at"].is_null())
                .count()
        };
        let list: Value = t.get(&app, "/api/v1/alerts").await.json().await.unwrap();
        let id = list[0]["id"].as_str().expect("a rupture alert").to_owned();
        let before = unseen(&list);

        let r = t.get(&app, &format!("/alerts/{id}")).await;
        assert!(
            r.status().is_redirection() || r.status().is_success(),
            "{b:?}: the evidence opens: {}",
            r.status()
        );
        let list: Value = t.get(&app, "/api/v1/alerts").await.json().await.unwrap();
        assert_eq!(unseen(&list), before, "{b:?}: a GET marked the alert seen");

        let r = post_form(&app, &t, &format!("/alerts/{id}"), &[]).await;
        assert!(
            r.status().is_redirection() || r.status().is_success(),
            "{b:?}: {}",
            r.status()
        );
        let list: Value = t.get(&app, "/api/v1/alerts").await.json().await.unwrap();
        assert_eq!(unseen(&list), before - 1, "{b:?}");
    }
}

#[tokio::test]
async fn a_path_that_cannot_be_an_id_is_not_found_in_the_one_error_shape() {
    let app = spawn_app_with(common::Backend::Sqlite, |_| {}).await;
    let t = app.signup("therapist").await;
    let r = t.get(&app, &format!("/alerts/{}", "x".repeat(65))).await;
    assert_eq!(r.status(), 404);
    let r = post_form(&app, &t, "/api/v1/relationships/not%20an%20id/accept", &[]).await;
    assert_eq!(r.status(), 404);
    let body: Value = t
        .post(
            &app,
            "/api/v1/relationships/bad%20id/decline",
            serde_json::json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["error"], "not_found", "{body}");
}

#[tokio::test]
async fn a_safety_alert_comes_first_shows_the_answer_is_flagged_on_the_caseload_and_is_acknowledged_with_a_note()
 {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let t = app.signup("therapist").await;
        let c = app.signup("client").await;
        let rel = relationship(&app, &c, &t).await;
        share(&app, &c, &rel, "trend", true).await;
        answer(&app, &c, "phq9", phq9(14, 2)).await;
        for s in 1..=4 {
            check_in(&app, &c, &rel, checkin(s, 4, &[], "better")).await;
        }
        check_in(&app, &c, &rel, checkin(5, 0, &[], "better")).await;

        let list: Value = t.get(&app, "/api/v1/alerts").await.json().await.unwrap();
        let kinds: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds[0], "crisis",
            "{b:?}: the older safety alert comes first: {kinds:?}"
        );
        assert!(kinds.contains(&"rupture"), "{b:?}: {kinds:?}");
        let id = list[0]["id"].as_str().unwrap().to_owned();

        let page = t.get(&app, "/alerts").await.text().await.unwrap();
        let safety_at = page
            .find("alert-safety")
            .expect("a safety alert styled as one");
        assert!(
            page.find("Rupture: the alliance dipped").unwrap() > safety_at,
            "{b:?}: the safety alert is above the rupture"
        );
        assert!(
            page.contains("“More than half the days” (2 of 3)"),
            "{b:?}: the answer itself is shown"
        );
        let caseload = t.get(&app, "/caseload").await.text().await.unwrap();
        assert!(
            caseload.contains("class=\"safety-flag\""),
            "{b:?}: flagged on the caseload"
        );

        let path = format!("/alerts/{id}/acknowledge");
        let refused = post_form(&app, &t, &path, &[("note", "  ")]).await;
        assert_eq!(refused.status(), 422, "{b:?}");
        let refused = refused.text().await.unwrap();
        assert!(
            refused.contains(&format!("id=\"note-{id}-error\"")),
            "{b:?}: the error is beside the field"
        );
        assert!(
            !audit_actions(&app, &c)
                .await
                .contains(&"acknowledge_alert".to_owned())
        );

        let done = post_form(
            &app,
            &t,
            &path,
            &[("note", "Called her the same day; safety plan agreed.")],
        )
        .await;
        assert_eq!(done.status(), 303, "{b:?}");
        let page = t
            .get(&app, "/alerts?done=acknowledged")
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("Acknowledged"), "{b:?}");
        assert!(
            page.contains("Called her the same day; safety plan agreed."),
            "{b:?}"
        );
        let caseload = t.get(&app, "/caseload").await.text().await.unwrap();
        assert!(
            !caseload.contains("class=\"safety-flag\""),
            "{b:?}: the flag goes once followed up"
        );
        assert!(
            audit_actions(&app, &c)
                .await
                .contains(&"acknowledge_alert".to_owned()),
            "{b:?}: the client's record shows the follow-up"
        );

        let again = t
            .post(
                &app,
                &format!("/api/v1/alerts/{id}/acknowledge"),
                serde_json::json!({"note": "twice"}),
            )
            .await;
        assert_eq!(again.status(), 409, "{b:?}");
        let other = app.signup("therapist").await;
        let stranger = other
            .post(
                &app,
                &format!("/api/v1/alerts/{id}/acknowledge"),
                serde_json::json!({"note": "not mine"}),
            )
            .await;
        assert_eq!(stranger.status(), 404, "{b:?}");

        let stored: Vec<u8> = rapport_store::with_pool!(&app.state.db, pool => sqlx::query_scalar("SELECT ack_note FROM alerts WHERE id = $1").bind(&id).fetch_one(pool).await).unwrap();
        assert!(
            !String::from_utf8_lossy(&stored).contains("safety plan"),
            "{b:?}: the note is sealed at rest"
        );
    }
}
