//! The relationship page is answered from memory only while nothing about the relationship has
//! changed: a check-in written behind the server's back (another replica, a command) shows at
//! once, and another client never gets a page kept for someone else.

mod common;

use common::{backends, spawn_app_with};
use serde_json::{Value, json};

fn checkin(session: u32, heard: u32) -> Value {
    json!({"session": session, "heard": heard, "open": 3, "attuned": 3, "trust": 3,
           "looking_forward": 3, "stirred": 1, "left_feeling": "better"})
}

/// The session numbers in the page's data table.
fn sessions_shown(page: &str) -> Vec<String> {
    let Some(body) = page.split("<tbody>").nth(1) else {
        return Vec::new();
    };
    body.split("</tbody>")
        .next()
        .unwrap_or("")
        .split("<tr><td>")
        .skip(1)
        .filter_map(|row| row.split("</td>").next().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_page_kept_in_memory_follows_every_write_and_stays_with_its_client() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let a = app.signup("client").await;
        let other = app.signup("client").await;
        let r = a
            .post(
                &app,
                "/api/v1/relationships",
                json!({"therapist_name": "Dr Memo"}),
            )
            .await;
        let rel: String = r.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let path = format!("/relationships/{rel}");
        assert_eq!(
            a.post(&app, &format!("/api/v1{path}/checkins"), checkin(1, 3))
                .await
                .status(),
            201
        );

        let first = a.get(&app, &path).await.text().await.unwrap();
        assert_eq!(sessions_shown(&first), ["1"], "{b:?}");
        assert_eq!(app.state.memo.len(), 1, "{b:?}: the reading is kept");
        let again = a.get(&app, &path).await.text().await.unwrap();
        assert_eq!(
            sessions_shown(&again),
            ["1"],
            "{b:?}: answered from memory, the same"
        );

        // Written straight to the database, as another replica or a command would.
        rapport_store::checkins::insert(
            &app.state.db,
            &app.state.vault,
            &rel,
            2,
            &checkin(2, 1),
            None,
        )
        .await
        .unwrap();
        let after = a.get(&app, &path).await.text().await.unwrap();
        assert_eq!(
            sessions_shown(&after),
            ["1", "2"],
            "{b:?}: the new check-in shows at once"
        );

        // Through the app: the answer to the write and the next page both show it.
        assert_eq!(
            a.post(&app, &format!("/api/v1{path}/checkins"), checkin(3, 2))
                .await
                .status(),
            201
        );
        let page = a.get(&app, &path).await.text().await.unwrap();
        assert_eq!(sessions_shown(&page), ["1", "2", "3"], "{b:?}");

        assert_eq!(
            other.get(&app, &path).await.status(),
            404,
            "{b:?}: never someone else's"
        );
    }
}
