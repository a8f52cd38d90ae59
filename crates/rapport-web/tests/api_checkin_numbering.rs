//! Check-ins sent without a session number are numbered one after another, even when many
//! arrive at the same moment: none is refused for a number it did not choose.

mod common;

use common::{backends, spawn_app_with};
use serde_json::{Value, json};

#[tokio::test]
async fn twenty_parallel_checkins_without_a_session_number_are_all_stored_and_numbered_in_turn() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let c = app.signup("client").await;
        let rel: Value = c
            .post(
                &app,
                "/api/v1/relationships",
                json!({"therapist_name": "Dr Turn"}),
            )
            .await
            .json()
            .await
            .unwrap();
        let path = app.url(&format!(
            "/api/v1/relationships/{}/checkins",
            rel["id"].as_str().unwrap()
        ));
        let mut sent = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let (client, path, csrf) = (c.client.clone(), path.clone(), c.csrf.clone());
            sent.spawn(async move {
                client
                    .post(path)
                    .header("x-csrf-token", csrf)
                    .json(&json!({"heard": 3, "open": 3, "attuned": 3, "trust": 3, "looking_forward": 3,
                                  "stirred": 1, "left_feeling": "better"}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            });
        }
        let codes = sent.join_all().await;
        assert!(codes.iter().all(|c| *c == 201), "{b:?}: {codes:?}");
        let body: Value = c
            .get(
                &app,
                &format!("/api/v1/relationships/{}", rel["id"].as_str().unwrap()),
            )
            .await
            .json()
            .await
            .unwrap();
        let sessions: Vec<u64> = body["checkins"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["session"].as_u64().unwrap())
            .collect();
        assert_eq!(sessions, (1..=20).collect::<Vec<u64>>(), "{b:?}");
    }
}
