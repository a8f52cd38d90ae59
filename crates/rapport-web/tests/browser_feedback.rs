//! A therapist opens their caseload and an alert's evidence in headless Chromium at 390 px; the
//! client's measures, data and deletion pages and the practice page are checked too. Every page
//! passes axe, fits 390 px and has the help link.

mod browser_support;
mod common;
mod feedback_support;

use browser_support::Browser;
use feedback_support::*;

async fn log_in(b: &Browser, email: &str, password: &str) {
    b.goto("/login").await;
    b.fill("#email", email).await;
    b.fill("#password", password).await;
    b.click("form[action='/login'] button[type=submit]").await;
    b.wait_to_leave("/login").await;
}

async fn log_out(b: &Browser) {
    b.click("form[action='/logout'] button[type=submit]").await;
    b.wait_for_path("/").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_therapist_sees_the_caseload_and_follows_an_alert_to_its_evidence() {
    let app = common::spawn_app().await;
    let t = app.signup("therapist").await;
    let c = app.signup("client").await;
    let admin = app.admin().await;
    let p = practice(&app, &[admin.id.as_str(), t.id.as_str()]).await;
    let rel = relationship(&app, &c, &t).await;
    share(&app, &c, &rel, "answers", true).await;
    for s in 1..=3 {
        check_in(&app, &c, &rel, checkin(s, 3, &[], "better")).await;
    }
    check_in(&app, &c, &rel, checkin(4, 1, &["judged"], "bad")).await;
    answer(&app, &c, "phq9", phq9(16, 0)).await;
    answer(&app, &c, "gad7", gad7(12)).await;
    answer(&app, &c, "phq9", phq9(9, 0)).await;
    answer(&app, &c, "gad7", gad7(6)).await;

    let mut b = Browser::start(&app.base, "feedback").await;
    log_in(&b, &t.email, &t.password).await;
    b.click_link("Caseload").await;
    b.wait_for_path("/caseload").await;
    let card = b.text(&format!("#client-{rel}")).await;
    assert!(
        card.contains("Test client") && card.contains("Rupture alert"),
        "{card}"
    );
    assert!(
        card.contains("judged") && card.contains("PHQ-9 9 (first 16)"),
        "{card}"
    );
    assert!(b.exists(&format!("#client-{rel} svg.spark")).await);
    b.check_page("caseload").await;

    b.click_link("Alerts").await;
    b.wait_for_path("/alerts").await;
    let alerts = b.text("ul.alerts").await;
    assert!(
        alerts.contains("Rupture: the alliance dipped") && alerts.contains("Session 4"),
        "{alerts}"
    );
    b.check_page("alerts").await;
    b.click("ul.alerts li:first-child form.inline button").await;
    b.wait_for_path(&format!("/caseload/{rel}")).await;
    assert!(
        b.text("main")
            .await
            .contains("This client shares their trend, status and answers")
    );
    b.check_page("alert-evidence").await;

    b.goto(&format!("/caseload/{rel}/outcomes")).await;
    assert_eq!(b.text(".nhs-category").await, "Reliable recovery");
    assert!(
        b.exists("figure.outcome svg line.cutoff").await
            && b.exists("figure.outcome svg rect.rc-band").await
    );
    b.check_page("outcomes-therapist").await;
    b.goto("/feedback").await;
    b.check_page("feedback").await;
    log_out(&b).await;

    log_in(&b, &c.email, &c.password).await;
    b.goto(&format!("/relationships/{rel}")).await;
    b.check_page("relationship-with-measures-sharing").await;
    b.click_link("My measures over this time").await;
    b.wait_for_path(&format!("/relationships/{rel}/outcomes"))
        .await;
    assert!(b.text(".nhs-label").await.starts_with("So far"));
    b.check_page("outcomes-client").await;
    b.goto("/privacy").await;
    assert!(b.text("table").await.contains("Your measures over time"));
    b.check_page("who-saw-my-data").await;
    b.click_link("Download all your data, or delete your account")
        .await;
    b.wait_for_path("/account/data").await;
    b.check_page("my-data").await;
    b.click_link("Delete my account…").await;
    b.wait_for_path("/account/delete").await;
    b.check_page("delete-account").await;
    b.client
        .execute(
            "document.querySelector('form[action=\"/account/delete\"]').noValidate = true;",
            vec![],
        )
        .await
        .unwrap();
    b.fill("#password", &c.password).await;
    b.click("form[action='/account/delete'] button[type=submit]")
        .await;
    b.find("#errors").await;
    assert!(
        b.text("#errors").await.contains("confirm"),
        "deleting needs the box ticked"
    );
    b.check_page("delete-account-unconfirmed").await;
    log_out(&b).await;

    log_in(&b, &admin.email, &admin.password).await;
    b.click_link("Practice admin").await;
    b.wait_for_path(&format!("/admin/practices/{p}")).await;
    assert!(b.text("main").await.contains("Reliable improvement"));
    b.check_page("practice").await;
    b.close().await;
}
