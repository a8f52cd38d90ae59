//! A client books, cancels and ends through the pages in headless Chromium at 390 px: the
//! cancellation policy is shown before booking, regular sessions follow once the therapist has
//! accepted them, nothing is sent before the ending is confirmed,
//! and re-matching is offered after. The therapist's practice page and the admin's outbox pass
//! axe too.

mod browser_support;
mod care_support;
mod common;

use browser_support::Browser;
use care_support::*;
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

/// Waits until the element `css` of the current page contains `needle` (a form that posts to
/// the page it is on keeps the same path, so the path alone cannot tell the new page).
async fn wait_for_text(b: &Browser, css: &str, needle: &str) {
    for _ in 0..300 {
        if let Ok(e) = b.client.find(fantoccini::Locator::Css(css)).await {
            if e.text().await.is_ok_and(|t| t.contains(needle)) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{css} never contained {needle:?}");
}

async fn login(b: &Browser, email: &str, password: &str) {
    b.goto("/login").await;
    b.fill("#email", email).await;
    b.fill("#password", password).await;
    b.click("form[action='/login'] button[type=submit]").await;
    b.wait_to_leave("/login").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_books_cancels_and_ends_well_through_the_pages() {
    let app = common::spawn_app().await;
    let t = therapist_with_week(&app).await;
    list_therapist(&app, &t, "t-browser", "Test therapist").await;
    practice_with(&app, "Test practice", &[&t]).await;
    let mut b = Browser::start(&app.base, "care").await;
    let email = format!("sam-{}@example.org", uuid::Uuid::new_v4().simple());

    b.goto("/signup").await;
    b.fill("#display_name", "Sam").await;
    b.fill("#email", &email).await;
    b.fill("#password", "a calm long passphrase").await;
    b.click("form[action='/signup'] button[type=submit]").await;
    b.wait_for_path("/").await;

    b.click_link("Appointments").await;
    b.wait_for_path("/care").await;
    b.check_page("appointments-empty").await;

    b.click_link("Test therapist").await;
    let book_path = wait_for_prefix(&b, "/care/therapists/").await;
    let policy = b.text("#policy + p").await;
    assert!(
        policy.contains("24 hours"),
        "the cancellation policy is shown before booking: {policy}"
    );
    b.check_page("book").await;
    b.click("input[name='starts_at']").await;
    b.click(&format!("form[action='{book_path}'] button[type=submit]"))
        .await;
    b.wait_for_path("/care").await;
    wait_for_text(&b, "main", "Booked.").await;
    b.check_page("appointments-booked").await;

    let rel: String = rapport_store::with_pool!(&app.state.db, pool => sqlx::query_scalar("SELECT id FROM relationships WHERE therapist_user_id = $1").bind(&t.id).fetch_one(pool).await).unwrap();
    accept(&app, &t, &rel).await;

    b.click_link("Book a time").await;
    b.wait_for_path(&book_path).await;
    b.find("#kind")
        .await
        .select_by_value("session")
        .await
        .unwrap();
    b.fill("#weeks", "2").await;
    b.click("input[name='starts_at']").await;
    b.click(&format!("form[action='{book_path}'] button[type=submit]"))
        .await;
    b.wait_for_path("/care").await;
    wait_for_text(&b, "main", "Booked.").await;
    let upcoming = b
        .client
        .find_all(fantoccini::Locator::Css("#upcoming ~ ul li[id^='appt-']"))
        .await
        .unwrap();
    assert_eq!(upcoming.len(), 3, "a consultation and two weekly sessions");

    b.click("li[id^='appt-'] summary").await;
    b.fill("li[id^='appt-'] textarea", "Sorry, I can't make this one.")
        .await;
    b.click("li[id^='appt-'] form button[type=submit]").await;
    wait_for_text(&b, "main", "Thank you for letting them know").await;
    b.check_page("appointments-cancelled").await;
    let mail = mail_for(&app, &t).await;
    assert!(
        mail.iter()
            .any(|(k, _, body)| k == "cancellation" && body.contains("can't make this one")),
        "{mail:?}"
    );

    b.click_link("I want to stop").await;
    let end_path = wait_for_prefix(&b, "/care/relationships/").await;
    let rel = end_path
        .trim_start_matches("/care/relationships/")
        .trim_end_matches("/end")
        .to_owned();
    b.check_page("end-choose").await;
    b.click(&format!("form[action='{end_path}'] button[type=submit]"))
        .await;
    b.find("#errors").await;
    let errors = b.text("#errors").await;
    assert!(
        errors.contains("reason") && errors.contains("message"),
        "each missing choice is named: {errors}"
    );
    b.check_page("end-errors").await;

    b.click("input[name='reason'][value='too_intense']").await;
    b.click("input[name='message'][value='referral']").await;
    b.fill("#addition", "Thank you for the start.").await;
    b.click(&format!("form[action='{end_path}'] button[type=submit]"))
        .await;
    b.find("#message-preview").await;
    let preview = b.text("#message-preview").await;
    assert!(
        preview.contains("refer me to a colleague") && preview.contains("Thank you for the start."),
        "{preview}"
    );
    assert!(
        !preview.contains("intense"),
        "the private reason is not in the message"
    );
    b.check_page("end-preview").await;
    assert!(
        rapport_store::messages::list(&app.state.db, &app.state.vault, &rel)
            .await
            .unwrap()
            .is_empty(),
        "nothing is sent on preview"
    );
    assert!(
        appointments(&app, &t)
            .await
            .iter()
            .filter(|a| a["status"] == "booked")
            .count()
            == 2,
        "nothing is cancelled on preview"
    );

    b.click(&format!(
        "form[action='{end_path}/confirm'] button[type=submit]"
    ))
    .await;
    b.find("#ended").await;
    assert!(b.exists("a[href='/match']").await, "re-matching is offered");
    b.check_page("end-done").await;
    assert_eq!(
        rapport_store::messages::list(&app.state.db, &app.state.vault, &rel)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        appointments(&app, &t)
            .await
            .iter()
            .all(|a| a["status"] != "booked"),
        "future appointments were cancelled"
    );

    b.goto(&book_path).await;
    b.click("input[name='scope'][value='practice'] ~ button[type=submit]")
        .await;
    b.wait_for_path("/care").await;
    wait_for_text(&b, "main", "Test practice (any of its therapists)").await;
    b.check_page("appointments-practice-waitlist").await;

    b.click("form[action='/logout'] button").await;
    b.wait_for_path("/").await;
    login(&b, &t.email, &t.password).await;
    b.click_link("Practice").await;
    b.wait_for_path("/care/practice").await;
    assert!(
        b.text("#endings ~ div")
            .await
            .contains("refer me to a colleague")
    );
    b.check_page("practice").await;

    b.click("form[action='/logout'] button").await;
    b.wait_for_path("/").await;
    let admin = app.admin().await;
    let practice = rapport_store::practices::of_user(&app.state.db, &t.id)
        .await
        .unwrap()
        .expect("the therapist's practice");
    assert!(
        rapport_store::practices::join(&app.state.db, &practice.id, &admin.id)
            .await
            .unwrap(),
        "the admin of the therapist's practice reads its outbox"
    );
    login(&b, &admin.email, &admin.password).await;
    b.goto("/admin/outbox").await;
    wait_for_text(&b, "table", "A message from a client").await;
    b.check_page("outbox").await;
    b.close().await;
}
