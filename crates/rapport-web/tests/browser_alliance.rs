//! A client logs three check-ins through the pages in headless Chromium at 390 px and sees the
//! status, the reasons and the chart change; every page passes axe.

mod browser_support;
mod common;

use browser_support::Browser;

async fn answer(b: &Browser, signs: [u8; 5], flags: &[&str], left: &str, need: Option<&str>) {
    for (id, v) in ["heard", "open", "attuned", "trust", "looking_forward"]
        .iter()
        .zip(signs)
    {
        b.click(&format!("input[name='{id}'][value='{v}']")).await;
    }
    for f in flags {
        b.click(&format!("input[name='flags'][value='{f}']")).await;
    }
    b.click("input[name='stirred'][value='1']").await;
    b.click(&format!("input[name='left_feeling'][value='{left}']"))
        .await;
    if let Some(n) = need {
        b.fill("#need", n).await;
    }
    b.click("form.checkin button[type=submit]").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_logs_three_checkins_and_sees_the_reading_change() {
    let app = common::spawn_app().await;
    let mut b = Browser::start(&app.base, "alliance").await;
    let email = format!("kim-{}@example.org", uuid::Uuid::new_v4().simple());

    b.goto("/signup").await;
    b.fill("#display_name", "Kim").await;
    b.fill("#email", &email).await;
    b.fill("#password", "a calm long passphrase").await;
    b.click("form[action='/signup'] button[type=submit]").await;
    b.wait_for_path("/").await;

    b.click_link("My therapy").await;
    b.wait_for_path("/relationships").await;
    b.check_page("my-therapy-empty").await;
    b.fill("#therapist_name", "Dr Rivera").await;
    b.click("form[action='/relationships'] button[type=submit]")
        .await;
    let rel_path = loop {
        let p = b.path().await;
        if p.starts_with("/relationships/") {
            break p;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(b.text("main").await.contains("With Dr Rivera"));
    b.check_page("relationship-new").await;

    b.click_link("Check in after a session").await;
    b.wait_for_path(&format!("{rel_path}/checkin")).await;
    b.check_page("checkin-form").await;
    b.client
        .execute(
            "document.querySelector('form.checkin').noValidate = true;",
            vec![],
        )
        .await
        .unwrap();
    b.click("form.checkin button[type=submit]").await;
    b.find("#errors").await;
    let errors = b.text("#errors").await;
    assert!(
        errors.contains("heard") && errors.contains("left_feeling"),
        "the server names each missing answer: {errors}"
    );
    b.check_page("checkin-errors").await;

    answer(&b, [3, 3, 3, 3, 3], &[], "better", None).await;
    b.wait_for_path(&rel_path).await;
    assert_eq!(b.text("#status-title").await, "Too early to tell");
    assert!(b.exists("figure.chart svg circle.dot").await);

    b.click_link("Check in after a session").await;
    b.wait_for_path(&format!("{rel_path}/checkin")).await;
    answer(&b, [3, 3, 3, 3, 3], &[], "better", None).await;
    b.wait_for_path(&rel_path).await;

    b.click_link("Check in after a session").await;
    b.wait_for_path(&format!("{rel_path}/checkin")).await;
    answer(
        &b,
        [1, 2, 1, 3, 1],
        &["judged"],
        "bad",
        Some("Please don't rush me"),
    )
    .await;
    b.wait_for_path(&rel_path).await;
    let status = b.text("#status-title").await;
    assert_eq!(
        status, "Worth speaking up",
        "a judged session asks to speak up"
    );
    let reasons = b.text("ul.reasons").await;
    assert!(
        reasons.contains("I felt judged") && reasons.contains("session 3"),
        "reasons quote the answer: {reasons}"
    );
    assert!(
        b.exists("figure.chart svg path.flag").await,
        "the flagged session is marked on the chart"
    );
    let rows = b
        .client
        .find_all(fantoccini::Locator::Css("table tbody tr"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 3, "the data table has one row per session");
    b.check_page("relationship-speak-up").await;

    b.click_link("Prepare a note to bring up what you need")
        .await;
    b.wait_for_path(&format!("{rel_path}/note")).await;
    let note = b
        .find("#note")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        note.contains("Please don't rush me"),
        "the note is drafted from the need: {note}"
    );
    b.check_page("speak-up-note").await;

    b.goto("/privacy").await;
    b.check_page("who-saw-my-data").await;
    b.close().await;
}
