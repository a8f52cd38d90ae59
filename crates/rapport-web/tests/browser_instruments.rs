//! A client fills in the PHQ-9 through the pages in headless Chromium at 390 px: the list of
//! measures, the form (with a missing answer named by the server), and a result whose item 9
//! answer brings the crisis resources first; every page passes axe.

mod browser_support;
mod common;

use browser_support::Browser;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_fills_in_the_phq9_and_sees_the_result_with_crisis_resources_first() {
    let app = common::spawn_app().await;
    let mut b = Browser::start(&app.base, "instruments").await;
    let email = format!("sam-{}@example.org", uuid::Uuid::new_v4().simple());

    b.goto("/signup").await;
    b.fill("#display_name", "Sam").await;
    b.fill("#email", &email).await;
    b.fill("#password", "a calm long passphrase").await;
    b.click("form[action='/signup'] button[type=submit]").await;
    b.wait_for_path("/").await;

    b.click_link("Measures").await;
    b.wait_for_path("/measures").await;
    let list = b.text("main").await;
    assert!(
        list.contains("Patient Health Questionnaire (PHQ-9)"),
        "{list}"
    );
    assert!(
        !list.contains("WAI-SR"),
        "licensed measures without text are not offered"
    );
    b.check_page("measures").await;

    b.click_link("Patient Health Questionnaire (PHQ-9)").await;
    b.wait_for_path("/measures/phq9").await;
    b.check_page("phq9-form").await;
    for item in 1..=8 {
        b.click(&format!("input[name='q{item}'][value='1']")).await;
    }
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
        errors.contains("q9") && errors.contains("0 to 3"),
        "the server names the missing item and its range: {errors}"
    );
    b.check_page("phq9-errors").await;

    b.click("input[name='q9'][value='1']").await;
    b.click("form.checkin button[type=submit]").await;
    b.find("section.urgent").await;
    assert!(b.path().await.starts_with("/measures/results/"));
    let support = b.text("section.urgent").await;
    assert!(
        support.contains("116 123"),
        "the configured crisis lines: {support}"
    );
    let main = b.text("main").await;
    assert!(main.contains("9 out of 27"), "{main}");
    assert!(main.contains("“mild”"), "{main}");
    b.check_page("phq9-result-crisis").await;
    b.close().await;
}
