//! Privacy words match behaviour: the check-in's need field says who reads it under the
//! relationship's sharing choice (the therapist does under "answers"), on both databases.

mod common;
mod feedback_support;

use feedback_support::{relationship, share};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_need_field_says_who_reads_it_under_each_sharing_choice() {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |_| {}).await;
        let t = app.signup("therapist").await;
        let c = app.signup("client").await;
        let rel = relationship(&app, &c, &t).await;
        for (sharing, words) in [
            ("private", "optional; only you see it"),
            ("trend", "optional; only you see it"),
            ("answers", "sees it, because you share your answers"),
        ] {
            share(&app, &c, &rel, sharing, false).await;
            let html = c
                .get(&app, &format!("/relationships/{rel}/checkin"))
                .await
                .text()
                .await
                .unwrap();
            assert!(html.contains(words), "{backend:?} {sharing}: {words}");
            assert!(!html.contains("(optional, private)"));
        }
    }
}
