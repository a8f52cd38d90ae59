//! A person signs up, logs out and logs back in through the real pages in headless Chromium,
//! on a 390 px wide screen; every page visited passes axe and keeps its "Get help now" link.

mod browser_support;
mod common;

use browser_support::Browser;

const NAME: &str = "Robin Ash";
const PASSWORD: &str = "a calm long passphrase";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_signs_up_logs_out_and_logs_back_in_through_the_pages() {
    let app = common::spawn_app().await;
    let mut b = Browser::start(&app.base, "account").await;
    let email = format!("robin-{}@example.org", uuid::Uuid::new_v4().simple());

    b.goto("/").await;
    b.check_page("home").await;
    assert!(
        b.exists("a[href='/login']").await,
        "a logged-out home page offers Log in"
    );

    b.tab().await;
    let first = b.focused().await;
    assert_eq!(
        first["href"], "#main",
        "the first Tab reaches the skip link, got {first}"
    );
    b.enter().await;
    b.tab().await;
    let next = b.focused().await;
    assert_eq!(
        next["landmark"], "main",
        "after the skip link, Tab goes on inside the main content, got {next}"
    );

    b.click_link("Sign up").await;
    b.wait_for_path("/signup").await;
    b.check_page("signup").await;
    b.fill("#display_name", NAME).await;
    b.fill("#email", &email).await;
    b.fill("#password", PASSWORD).await;
    let proposed = b
        .find("#time_zone")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(
        proposed, "America/New_York",
        "the sign-up page proposes the browser's time zone"
    );
    b.click("form[action='/signup'] button[type=submit]").await;

    b.wait_for_path("/").await;
    let nav = b.text("header nav").await;
    assert!(nav.contains(NAME), "the header names the new user: {nav}");
    assert!(nav.contains("Log out"), "the header offers Log out: {nav}");
    let main = b.text("main").await;
    assert!(
        main.contains(&format!("Welcome, {NAME}")) && !main.contains("Welcome back"),
        "the home page welcomes the new user (not 'welcome back'): {main}"
    );
    b.check_page("home-logged-in").await;
    b.goto("/account").await;
    assert!(
        b.text("main")
            .await
            .contains("New York time (America/New_York)"),
        "the account keeps the zone proposed at sign-up"
    );

    b.click("form[action='/logout'] button").await;
    b.wait_for_path("/").await;
    b.find("header nav a[href='/login']").await;
    let nav = b.text("header nav").await;
    assert!(
        !nav.contains(NAME) && nav.contains("Log in"),
        "after logging out the header offers Log in again: {nav}"
    );

    b.click_link("Log in").await;
    b.wait_for_path("/login").await;
    b.check_page("login").await;

    b.fill("#email", &email).await;
    b.fill("#password", "not the password at all").await;
    b.click("form[action='/login'] button[type=submit]").await;
    b.wait_for_path("/login").await;
    let errors = b.text("#errors").await;
    assert!(
        errors.contains("Please check the form"),
        "a wrong password shows the error summary: {errors}"
    );
    b.check_page("login-wrong-password").await;

    b.fill("#email", &email).await;
    b.fill("#password", PASSWORD).await;
    b.enter().await;
    b.wait_for_path("/").await;
    let nav = b.text("header nav").await;
    assert!(
        nav.contains(NAME) && nav.contains("Log out"),
        "logging in with the keyboard alone works: {nav}"
    );

    b.goto("/account").await;
    b.wait_for_path("/account").await;
    let main = b.text("main").await;
    assert!(
        main.contains(&email),
        "the account page shows the e-mail: {main}"
    );
    b.check_page("account").await;

    b.click_link("Get help now").await;
    b.wait_for_path("/help").await;
    b.check_page("help").await;

    b.goto("/no-such-page").await;
    b.check_page("not-found").await;

    b.close().await;
}

/// The harness itself: a page with a serious violation (an unlabelled field) must fail
/// `axe_check`, so a green browser suite means axe really looked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_check_fails_a_page_with_an_unlabelled_field() {
    let app = common::spawn_app().await;
    let b = Browser::start(&app.base, "harness").await;
    b.client
        .goto("data:text/html,<!doctype html><html lang=en><title>t</title><main><input type=text></main></html>")
        .await
        .unwrap();
    let client = b.client.clone();
    println!("axe_check is expected to fail below (an unlabelled input):");
    let outcome = tokio::spawn(async move { browser_support::axe_check(&client).await }).await;
    assert!(
        outcome.is_err_and(|e| e.is_panic()),
        "axe_check passed a page with an unlabelled input"
    );
    b.close().await;
}
