//! The crisis page works on a phone (issue 19, item 11): every number is a `tel:` link, every
//! site a link, for each country the demo directory covers; a deployment's own lines are linked
//! the same way; and the page needs nothing from another server.

mod common;

async fn help_page(app: &common::TestApp) -> String {
    let r = common::client().get(app.url("/help")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

#[tokio::test]
async fn every_number_on_the_help_page_can_be_tapped_to_call() {
    let app = common::spawn_app().await;
    let page = help_page(&app).await;
    for dial in [
        "112",
        "999",
        "911",
        "000",
        "116123",
        "988",
        "08001110111",
        "131114",
    ] {
        assert!(
            page.contains(&format!("href=\"tel:{dial}\"")),
            "tel:{dial} missing in {page}"
        );
    }
    assert!(page.contains("<a href=\"https://findahelpline.com\">findahelpline.com</a>"));
    assert!(page.contains(">116 123</a>"), "the number reads as written");
}

#[tokio::test]
async fn a_deployments_own_lines_are_linked_the_same_way_and_are_the_only_lines() {
    let app = common::spawn_app_with(common::Backend::Sqlite, |c| {
        c.crisis_lines = vec!["Aotearoa: Need to talk? Call or text 1737.".into()];
    })
    .await;
    let page = help_page(&app).await;
    assert!(page.contains("<a href=\"tel:1737\">1737</a>"), "{page}");
    assert!(!page.contains("Samaritans"));
}

#[tokio::test]
async fn the_help_page_loads_nothing_from_another_server() {
    let app = common::spawn_app().await;
    let page = help_page(&app).await;
    for attr in [
        "src=\"http",
        "src=\"//",
        "<link rel=\"stylesheet\" href=\"http",
    ] {
        assert!(
            !page.contains(attr),
            "external asset ({attr}) on the help page"
        );
    }
}
