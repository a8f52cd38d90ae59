//! The e-mail outbox is a practice's own, on SQLite and PostgreSQL: an administrator sees mail to
//! or about their practice's therapists (through the API and on the page), never another
//! practice's, and mail about a therapist outside any practice reaches no administrator.

mod care_support;
mod common;

use care_support::*;
use rapport_store::care::outbox;
use serde_json::Value;
use std::collections::BTreeSet;

async fn rename(app: &common::TestApp, user: &common::User, name: &str) {
    let sql = "UPDATE users SET display_name = $1 WHERE id = $2";
    rapport_store::with_pool!(&app.state.db, pool => sqlx::query(sql).bind(name).bind(&user.id).execute(pool).await.map(|_| ())).unwrap();
}

/// The client books an intro consultation and the therapist cancels it: mail to the therapist
/// (the booking) and to the client about them (the cancellation).
async fn book_and_cancel(app: &common::TestApp, client: &common::User, t: &common::User) {
    let slot = free_after_days(app, client, &t.id, 2).await;
    let booked: Vec<Value> = book(app, client, &t.id, &slot, "consultation", 1)
        .await
        .json()
        .await
        .unwrap();
    cancel(app, t, booked[0]["id"].as_str().unwrap()).await;
}

async fn ids_for(app: &common::TestApp, users: &[&common::User]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for u in users {
        for m in outbox::for_user(&app.state.db, &app.state.vault, &u.id)
            .await
            .unwrap()
        {
            out.insert(m.id);
        }
    }
    out
}

async fn listed(app: &common::TestApp, admin: &common::User) -> BTreeSet<String> {
    let resp = admin.get(app, "/api/v1/admin/outbox").await;
    assert_eq!(resp.status(), 200);
    let rows: Vec<Value> = resp.json().await.unwrap();
    rows.iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_of_practice_a_cannot_see_practice_bs_outbox_rows_in_the_api_or_on_the_page() {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |_| {}).await;
        let (ta, tb, loner) = (
            therapist_with_week(&app).await,
            therapist_with_week(&app).await,
            therapist_with_week(&app).await,
        );
        let (ca, cb, cl) = (
            app.signup("client").await,
            app.signup("client").await,
            app.signup("client").await,
        );
        for (u, name) in [
            (&ta, "Alma Aster"),
            (&tb, "Boris Birch"),
            (&loner, "Lena Lone"),
            (&ca, "Carla Acorn"),
            (&cb, "Cyril Beech"),
            (&cl, "Cleo Single"),
        ] {
            rename(&app, u, name).await;
        }
        let pa = practice_with(&app, "Practice A", &[&ta]).await;
        let pb = practice_with(&app, "Practice B", &[&tb]).await;
        let (admin_a, admin_b) = (app.admin().await, app.admin().await);
        assert!(
            rapport_store::practices::join(&app.state.db, &pa, &admin_a.id)
                .await
                .unwrap()
        );
        assert!(
            rapport_store::practices::join(&app.state.db, &pb, &admin_b.id)
                .await
                .unwrap()
        );
        book_and_cancel(&app, &ca, &ta).await;
        book_and_cancel(&app, &cb, &tb).await;
        book_and_cancel(&app, &cl, &loner).await;

        let a_rows = ids_for(&app, &[&ta, &ca]).await;
        let b_rows = ids_for(&app, &[&tb, &cb]).await;
        let lone_rows = ids_for(&app, &[&loner, &cl]).await;
        assert_eq!(
            a_rows.len(),
            3,
            "{backend:?}: booking to the therapist, its confirmation and the cancellation to the client"
        );
        assert_eq!(
            listed(&app, &admin_a).await,
            a_rows,
            "{backend:?}: A's admin sees A's mail, including to A's client"
        );
        assert_eq!(
            listed(&app, &admin_b).await,
            b_rows,
            "{backend:?}: B's admin sees B's mail only"
        );
        assert!(
            listed(&app, &admin_a).await.is_disjoint(&lone_rows),
            "mail about a therapist outside any practice reaches no admin"
        );

        let page = admin_a
            .get(&app, "/admin/outbox")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Alma Aster") && page.contains("Carla Acorn"),
            "{backend:?}: {page}"
        );
        for other in ["Boris Birch", "Cyril Beech", "Lena Lone", "Cleo Single"] {
            assert!(!page.contains(other), "{backend:?}: A's page names {other}");
        }

        let stray = app.admin().await;
        let resp = stray.get(&app, "/api/v1/admin/outbox").await;
        assert_eq!(
            resp.status(),
            403,
            "an admin outside any practice reads no mail"
        );
        let body: Value = resp.json().await.unwrap();
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("does not belong to a practice"),
            "{body}"
        );
        assert_eq!(stray.get(&app, "/admin/outbox").await.status(), 403);
    }
}
