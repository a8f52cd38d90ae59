//! "Who saw my data" is paged: 100 entries at a time, newest first, with a way to the older
//! ones, so a long history never loads whole. The export still has every entry.

mod account_support;
mod common;

use account_support::error_fields;
use common::{backends, spawn_app_with};
use serde_json::Value;

#[tokio::test]
async fn who_saw_my_data_comes_a_hundred_at_a_time_with_a_link_to_older_entries() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let c = app.signup("client").await;
        let t = app.signup("therapist").await;
        let subjects: Vec<String> = (0..150).map(|i| format!("rel-{i:03}")).collect();
        let views: Vec<(&str, &str)> = subjects
            .iter()
            .map(|s| (c.id.as_str(), s.as_str()))
            .collect();
        rapport_store::audit::record_many(&app.state.db, &t.id, "view_caseload", &views)
            .await
            .unwrap();

        let first = c.get(&app, "/api/v1/me/audit").await;
        assert_eq!(first.status(), 200);
        let link = first.headers()["link"].to_str().unwrap().to_owned();
        assert_eq!(link, "</api/v1/me/audit?page=2>; rel=\"next\"", "{b:?}");
        let first: Value = first.json().await.unwrap();
        assert_eq!(first.as_array().unwrap().len(), 100);

        let second = c.get(&app, "/api/v1/me/audit?page=2").await;
        assert!(second.headers().get("link").is_none());
        let second: Value = second.json().await.unwrap();
        assert_eq!(second.as_array().unwrap().len(), 50, "{b:?}");

        for bad in ["0", "-1", "two"] {
            let r = c.get(&app, &format!("/api/v1/me/audit?page={bad}")).await;
            assert_eq!(r.status(), 422, "{bad}");
            assert!(error_fields(r).await.contains("page"));
        }
        let page = c.get(&app, "/privacy").await.text().await.unwrap();
        assert!(
            page.contains("/privacy?page=2"),
            "the page links to older entries"
        );
        let export: Value = c.get(&app, "/api/v1/me/export").await.json().await.unwrap();
        assert_eq!(
            export["who_saw_my_data"].as_array().unwrap().len(),
            150,
            "{b:?}"
        );
    }
}
