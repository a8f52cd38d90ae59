//! The whole client journey in headless Chromium at 390 px, axe clean on every page: sign up →
//! preferences → matches → shortlist → consultation request → booking with a therapist → three
//! check-ins → status and chart → speak-up note → ending → re-match. It runs twice: clicking, and
//! with the keyboard alone (every control reached with Tab and arrow keys, operated with Enter,
//! Space and typing).

mod browser_support;
mod care_support;
mod common;

use browser_support::Browser;
use care_support::{list_therapist, therapist_with_week};
use rapport_core::matching::generate;
use rapport_web::features::matching::service::write_directory;
use std::time::Duration;

async fn wait_for_prefix(b: &Browser, prefix: &str) -> String {
    for _ in 0..300 {
        let p = b.path().await;
        if p.starts_with(prefix) {
            return p;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("never reached {prefix}: at {}", b.path().await);
}

async fn check_in(
    b: &Browser,
    rel_path: &str,
    signs: [u8; 5],
    flags: &[&str],
    left: &str,
    need: Option<&str>,
) {
    b.click_link("Check in after a session").await;
    b.wait_for_path(&format!("{rel_path}/checkin")).await;
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
    b.wait_for_path(rel_path).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_goes_from_sign_up_to_a_respectful_ending_and_a_new_match() {
    journey(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_journey_works_with_the_keyboard_alone() {
    journey(true).await;
}

async fn journey(keyboard_only: bool) {
    let app = common::spawn_app().await;
    write_directory(&app.state.db, &generate(300, 42))
        .await
        .unwrap();
    let t = therapist_with_week(&app).await;
    list_therapist(&app, &t, "t-journey", "Dr Journey").await;
    let suite = if keyboard_only {
        "journey-keyboard"
    } else {
        "journey"
    };
    let mut b = Browser::start(&app.base, suite).await;
    b.set_keyboard_only(keyboard_only);

    b.goto("/").await;
    b.check_page("home").await;
    b.click_link("Sign up").await;
    b.wait_for_path("/signup").await;
    b.fill("#display_name", "Alex").await;
    b.fill(
        "#email",
        &format!("alex-{}@example.org", uuid::Uuid::new_v4().simple()),
    )
    .await;
    b.fill("#password", "a calm long passphrase").await;
    b.enter().await;
    b.wait_for_path("/").await;

    b.click_link("Find a therapist").await;
    b.wait_for_path("/match").await;
    b.check_page("preferences").await;
    b.fill("#place", "London").await;
    b.select("#concerns-0", "anxiety").await;
    b.select("select[name='style.directiveness']", "2").await;
    b.click("form[action='/match'] button[type=submit]").await;
    b.wait_for_path("/match/results").await;
    assert!(b.text("main").await.contains("Why this match"));
    b.check_page("matches").await;
    b.click(".results form[action='/shortlist'] button").await;
    b.wait_for_path("/match/results").await;
    // The page reloads onto the same path: wait for the notice the reload brings.
    b.wait_for_text(".notice", "on your shortlist").await;
    b.click_link("See your shortlist").await;
    b.wait_for_path("/shortlist").await;
    b.click("input[name='listing_ids']").await;
    b.fill("#message", "Hello, could we have a short intro call?")
        .await;
    b.click("form[action='/consultations'] button[type=submit]")
        .await;
    b.wait_for_path("/shortlist").await;
    b.wait_for_text(".notice", "was sent").await;
    assert!(
        b.text(".notice").await.contains("was sent"),
        "{}",
        b.text(".notice").await
    );
    b.check_page("consultation-requested").await;

    b.click_link("Appointments").await;
    b.wait_for_path("/care").await;
    b.click_link("Test therapist").await;
    let book_path = wait_for_prefix(&b, "/care/therapists/").await;
    b.check_page("book").await;
    b.click("input[name='starts_at']").await;
    b.click(&format!("form[action='{book_path}'] button[type=submit]"))
        .await;
    b.wait_for_path("/care").await;

    b.click_link("My therapy").await;
    b.wait_for_path("/relationships").await;
    b.click_link("Test therapist").await;
    let rel_path = wait_for_prefix(&b, "/relationships/0").await;
    check_in(&b, &rel_path, [3, 3, 2, 3, 3], &[], "stirred_ok", None).await;
    check_in(&b, &rel_path, [3, 2, 3, 3, 2], &[], "better", None).await;
    check_in(
        &b,
        &rel_path,
        [1, 1, 1, 2, 1],
        &["unheard"],
        "bad",
        Some("I'd like us to agree on goals"),
    )
    .await;
    assert_eq!(b.text("#status-title").await, "Worth speaking up");
    assert!(b.exists("figure.chart svg path.flag").await);
    b.check_page("status-and-chart").await;

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
    assert!(note.contains("agree on goals"), "{note}");
    b.check_page("speak-up-note").await;

    b.click_link("Appointments").await;
    b.wait_for_path("/care").await;
    b.click_link("I want to stop").await;
    let end_path = wait_for_prefix(&b, "/care/relationships/").await;
    b.click("input[name='reason'][value='wanted_more_structure']")
        .await;
    b.click("input[name='message'][value='different_approach']")
        .await;
    b.click(&format!("form[action='{end_path}'] button[type=submit]"))
        .await;
    b.find("#message-preview").await;
    b.check_page("ending-preview").await;
    b.click(&format!(
        "form[action='{end_path}/confirm'] button[type=submit]"
    ))
    .await;
    b.find("#ended").await;
    b.check_page("ended").await;

    b.click("a[href='/match']").await;
    b.wait_for_path("/match").await;
    let page = b.text("main").await.to_lowercase();
    assert!(
        page.contains("structure"),
        "re-matching starts from the fit profile: {page}"
    );
    let ended = b.text("main").await;
    assert!(
        ended.contains("Dr Journey") && !ended.contains("t-journey"),
        "the therapist the client ended with is named, not shown by id"
    );
    b.check_page("re-match").await;
    b.close().await;
}
