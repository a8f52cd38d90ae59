//! What each sharing choice reveals to the therapist, on every therapist-facing surface: the
//! caseload page and API, one client's page and API, the chart and the alerts. A misconduct
//! report and anything read from red flags never reach the therapist under "trend and status
//! only"; the professional-line answer never reaches them at all.

mod common;
mod feedback_support;

use common::{TestApp, User, backends, spawn_app_with};
use feedback_support::{check_in, checkin, relationship, share};
use serde_json::{Value, json};

/// Three calm check-ins, the last one also saying the therapist crossed a professional line.
async fn misconduct_reported(app: &TestApp, client: &User, rel: &str) {
    check_in(app, client, rel, checkin(1, 3, &[], "better")).await;
    check_in(app, client, rel, checkin(2, 3, &[], "better")).await;
    let mut last = checkin(3, 3, &["unsafe", "boundaries"], "bad");
    last["misconduct"] = json!(true);
    check_in(app, client, rel, last).await;
}

async fn text(app: &TestApp, user: &User, path: &str) -> String {
    let r = user.get(app, path).await;
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

#[tokio::test]
async fn trend_sharing_never_shows_a_misconduct_report_or_red_flags_to_the_therapist() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let t = app.signup("therapist").await;
        let c = app.signup("client").await;
        let rel = relationship(&app, &c, &t).await;
        share(&app, &c, &rel, "trend", false).await;
        misconduct_reported(&app, &c, &rel).await;

        let own: Value = c
            .get(&app, &format!("/api/v1/relationships/{rel}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(own["assessment"]["status"], "act_now", "{b:?}");

        let list = text(&app, &t, "/api/v1/caseload").await;
        let rows: Value = serde_json::from_str(&list).unwrap();
        assert_eq!(rows[0]["status"], "strong", "{b:?}: {list}");
        assert!(
            !list.contains("act_now") && !list.contains("misconduct"),
            "{list}"
        );

        let one = text(&app, &t, &format!("/api/v1/caseload/{rel}")).await;
        let v: Value = serde_json::from_str(&one).unwrap();
        assert_eq!(v["status"], "strong", "{one}");
        assert!(!one.contains("act_now") && !one.contains("unsafe"), "{one}");

        let page = text(&app, &t, "/caseload").await;
        assert!(
            !page.contains("You can stop now") && !page.contains("act_now"),
            "{page}"
        );
        let page = text(&app, &t, &format!("/caseload/{rel}")).await;
        assert!(!page.contains("You can stop now"), "{page}");
        assert!(
            !page.contains(r#"class="flag""#),
            "the chart marks a red-flag session"
        );

        let alerts = text(&app, &t, "/api/v1/alerts").await;
        assert!(
            !alerts.contains("speak_up") && !alerts.contains("reconsider"),
            "an alert read from red flags: {alerts}"
        );
    }
}

#[tokio::test]
async fn answers_sharing_shows_red_flags_but_never_the_professional_line_answer() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let t = app.signup("therapist").await;
        let c = app.signup("client").await;
        let rel = relationship(&app, &c, &t).await;
        share(&app, &c, &rel, "answers", false).await;
        misconduct_reported(&app, &c, &rel).await;

        let one = text(&app, &t, &format!("/api/v1/caseload/{rel}")).await;
        let v: Value = serde_json::from_str(&one).unwrap();
        assert_eq!(v["status"], "speak_up", "{b:?}: {one}");
        assert_eq!(v["checkins"][2]["flags"], json!(["boundaries", "unsafe"]));
        assert!(
            !one.contains("act_now") && !one.contains("misconduct"),
            "{one}"
        );

        let list = text(&app, &t, "/api/v1/caseload").await;
        assert!(!list.contains("act_now"), "{list}");
        assert!(
            list.contains("unsafe"),
            "red flags are shared under answers: {list}"
        );
        let page = text(&app, &t, &format!("/caseload/{rel}")).await;
        assert!(!page.contains("You can stop now") && !page.contains("professional line"));
    }
}

#[tokio::test]
async fn an_alert_stays_true_when_the_client_later_shares_less() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let t = app.signup("therapist").await;
        let c = app.signup("client").await;
        let rel = relationship(&app, &c, &t).await;
        share(&app, &c, &rel, "answers", false).await;
        check_in(&app, &c, &rel, checkin(1, 3, &[], "better")).await;
        check_in(&app, &c, &rel, checkin(2, 3, &["judged"], "bad")).await;
        share(&app, &c, &rel, "trend", false).await;
        let alerts = text(&app, &t, "/api/v1/alerts").await;
        assert!(
            !alerts.contains("speak_up"),
            "{b:?}: an alert resting on a red flag outlived answers sharing: {alerts}"
        );
    }
}

#[tokio::test]
async fn the_sharing_choices_say_what_each_reveals() {
    let app = spawn_app_with(common::Backend::Sqlite, |_| {}).await;
    let t = app.signup("therapist").await;
    let c = app.signup("client").await;
    let rel = relationship(&app, &c, &t).await;
    let page = text(&app, &c, &format!("/relationships/{rel}")).await;
    assert!(page.contains("Not your red flags"), "{page}");
    assert!(page.contains("professional line being crossed is never shown to them"));
}
