//! Alerts on the therapist's pages: following an alert's link (a GET, which a mail scanner or a
//! link preview can make too) never marks it seen; the list's button (a POST) does.

mod common;
mod feedback_support;
mod matching_support;

use common::{backends, spawn_app_with};
use feedback_support::{check_in, checkin, relationship, share};
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
