//! Matching through the pages in headless Chromium at 390 px: a client states preferences (one
//! refused answer first), reads why each therapist fits, shortlists two and asks them for an
//! intro consultation; a therapist edits their listing; an administrator imports rows. Every
//! page passes axe and keeps its "Get help now" link.

mod browser_support;
mod common;

use browser_support::Browser;
use fantoccini::key::Key;
use rapport_core::matching::generate;
use rapport_web::features::matching::service::write_directory;

async fn sign_up(b: &Browser, name: &str, therapist: bool) {
    let email = format!(
        "{}-{}@example.org",
        name.to_lowercase(),
        uuid::Uuid::new_v4().simple()
    );
    b.goto("/signup").await;
    b.fill("#display_name", name).await;
    b.fill("#email", &email).await;
    b.fill("#password", "a calm long passphrase").await;
    if therapist {
        b.click("input[name='role'][value='therapist']").await;
    }
    b.click("form[action='/signup'] button[type=submit]").await;
    b.wait_for_path("/").await;
}

async fn choose(b: &Browser, css: &str, value: &str) {
    b.find(css)
        .await
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("cannot choose {value} in {css}: {e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_goes_from_preferences_to_a_shortlist_and_a_consultation_request() {
    let app = common::spawn_app().await;
    write_directory(&app.state.db, &generate(300, 42))
        .await
        .unwrap();
    let mut b = Browser::start(&app.base, "matching").await;
    sign_up(&b, "Robin", false).await;

    b.click_link("Find a therapist").await;
    b.wait_for_path("/match").await;
    b.check_page("match-form").await;

    b.fill("#place", "Kendal").await;
    b.wait_for_text("#place-suggestions", "Kendal, England, United Kingdom")
        .await;
    b.press(Key::Down).await;
    b.press(Key::Enter).await;
    let picked = b
        .find("input[name='place_id']")
        .await
        .prop("value")
        .await
        .unwrap();
    assert!(
        picked.is_some_and(|id| !id.is_empty()),
        "a suggestion chosen with the keyboard fills the place id"
    );
    assert_eq!(
        b.path().await,
        "/match",
        "choosing a suggestion does not send the form"
    );
    b.fill("#place", "London").await;
    choose(&b, "#concerns-0", "anxiety").await;
    choose(&b, "select[name='style.directiveness']", "2").await;
    b.click("#location summary").await;
    b.fill("input[name='location.lat']", "91").await;
    b.fill("input[name='location.lon']", "0").await;
    b.click("form[action='/match'] button[type=submit]").await;
    b.find("#errors").await;
    let errors = b.text("#errors").await;
    assert!(
        errors.contains("location.lat"),
        "the server names the field: {errors}"
    );
    b.check_page("match-errors").await;

    b.fill("input[name='location.lat']", "").await;
    b.fill("input[name='location.lon']", "").await;
    b.click("form[action='/match'] button[type=submit]").await;
    b.wait_for_path("/match/results").await;
    let results = b.text("main").await;
    assert!(results.contains("Why this match"), "{results}");
    b.check_page("match-results").await;

    let first = b.text(".results li h2").await;
    b.click(".results form[action='/shortlist'] button").await;
    b.wait_for_path("/match/results").await;
    assert!(
        b.text(".notice")
            .await
            .contains(&format!("{first} is on your shortlist (1 of 3)"))
    );
    b.click(".results form[action='/shortlist'] button").await;
    b.wait_for_path("/match/results").await;
    // The page reloads onto the same path: wait for the new notice, not just the path.
    b.wait_for_text(".notice", "(2 of 3)").await;
    assert!(
        b.text(".notice").await.contains("(2 of 3)"),
        "the second therapist is shortlisted"
    );
    b.check_page("match-results-shortlisted").await;

    b.click_link("See your shortlist").await;
    b.wait_for_path("/shortlist").await;
    b.check_page("shortlist").await;
    for checkbox in b
        .client
        .find_all(fantoccini::Locator::Css("input[name='listing_ids']"))
        .await
        .unwrap()
    {
        checkbox.click().await.unwrap();
    }
    b.fill("#message", "Hello, could we talk one evening next week?")
        .await;
    b.click("form[action='/consultations'] button[type=submit]")
        .await;
    b.wait_for_path("/shortlist").await;
    b.wait_for_text(".notice", "sent to 2 therapists").await;
    let notice = b.text(".notice").await;
    assert!(notice.contains("sent to 2 therapists"), "{notice}");
    assert_eq!(b.text("main").await.matches("Intro requested").count(), 2);
    b.check_page("consultation-sent").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_therapist_edits_their_listing_and_an_administrator_imports_rows() {
    let app = common::spawn_app().await;
    let mut b = Browser::start(&app.base, "matching-admin").await;
    sign_up(&b, "Ada", true).await;
    b.click_link("My listing").await;
    b.wait_for_path("/profile").await;
    b.check_page("profile-new").await;
    b.fill("input[name='fee.amount']", "85").await;
    b.fill("#place", "London").await;
    b.click("input[name='formats'][value='in_person']").await;
    choose(&b, "select[name='style.challenge']", "1").await;
    b.click("form[action='/profile'] button[type=submit]").await;
    b.wait_for_path("/profile").await;
    assert!(b.text(".notice").await.starts_with("Saved."));
    b.check_page("profile-saved").await;
    b.click("form[action='/logout'] button").await;
    b.wait_for_path("/").await;

    let password = "correct horse battery";
    let hash = rapport_web::security::password::hash(password)
        .await
        .unwrap();
    rapport_store::users::create(
        &app.state.db,
        "admin@example.org",
        "Admin",
        rapport_store::users::Role::Admin,
        &hash,
    )
    .await
    .unwrap();
    b.goto("/login").await;
    b.fill("#email", "admin@example.org").await;
    b.fill("#password", password).await;
    b.click("form[action='/login'] button[type=submit]").await;
    b.wait_to_leave("/login").await;
    b.click_link("Directory").await;
    b.wait_for_path("/admin/directory").await;
    b.check_page("directory").await;
    let rows = generate(3, 7)
        .iter()
        .map(|l| serde_json::to_string(l).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    let file = std::env::temp_dir().join(format!("rapport-directory-{}.jsonl", std::process::id()));
    std::fs::write(&file, format!("{rows}\n{{\"id\": \"t-bad\"}}")).unwrap();
    b.choose_file("#file", &file).await;
    b.click("form[action='/admin/directory'] button[type=submit]")
        .await;
    b.wait_for_path("/admin/directory").await;
    let report = b.text("#report + p").await;
    assert!(
        report.contains("Imported 3 listings") && report.contains("1 row refused"),
        "{report}"
    );
    b.check_page("directory-report").await;
    b.close().await;
    let _ = std::fs::remove_file(&file);
}
