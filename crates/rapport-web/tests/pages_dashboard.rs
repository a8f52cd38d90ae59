//! A home for each role (issue 19, item 7), on SQLite and PostgreSQL: a new client is welcomed
//! with first steps, not "welcome back"; a client with a booking sees their next appointment
//! and a session waiting for its check-in; a therapist sees today's sessions and what waits for
//! them; an administrator lands on the practice admin; a visitor gets the landing page.

mod care_support;
mod common;

use care_support::*;

async fn home(app: &common::TestApp, user: &common::User) -> String {
    let r = user.get(app, "/").await;
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_lands_on_its_own_dashboard() {
    for b in common::backends() {
        let app = common::spawn_app_with(b, |_| {}).await;
        let client = app.signup("client").await;
        let first = home(&app, &client).await;
        assert!(first.contains("Welcome, Test client"), "{b:?}");
        assert!(
            !first.contains("Welcome back"),
            "{b:?}: a new person is welcomed"
        );
        assert!(first.contains("href=\"/match\""));

        let t = therapist_with_week(&app).await;
        let slot = free_after_days(&app, &client, &t.id, 1).await;
        assert_eq!(
            book(&app, &client, &t.id, &slot, "consultation", 1)
                .await
                .status(),
            201
        );
        let after = home(&app, &client).await;
        assert!(after.contains("Welcome back, Test client"), "{b:?}");
        assert!(
            after.contains("id=\"next-appointment\""),
            "{b:?}: the next appointment"
        );

        // The consultation took place yesterday: it waits for a check-in.
        rapport_store::with_pool!(&app.state.db, pool => sqlx::query("UPDATE appointments SET starts_at = starts_at - $1, ends_at = ends_at - $1 WHERE client_id = $2").bind(3 * 86_400_000_i64).bind(&client.id).execute(pool).await.map(|r| r.rows_affected())).unwrap();
        let due = home(&app, &client).await;
        assert!(due.contains("class=\"checkin-due\""), "{b:?}: {due}");

        let therapist_home = home(&app, &t).await;
        assert!(
            therapist_home.contains("No sessions today"),
            "{b:?}: the consultation three days ago is not today's"
        );
        assert!(therapist_home.contains("id=\"requests-open\""), "{b:?}");
        assert!(
            !therapist_home.contains("Get started"),
            "{b:?}: not the landing page"
        );

        let admin = app.admin().await;
        let r = admin.get(&app, "/").await;
        assert_eq!(r.status(), 303, "{b:?}");
        assert_eq!(r.headers()["location"], "/admin");

        let visitor = common::client().get(app.url("/")).send().await.unwrap();
        assert!(visitor.text().await.unwrap().contains("Get started"));
    }
}
