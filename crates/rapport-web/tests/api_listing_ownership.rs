//! Listings belong to their therapist (or their practice's administrator): an administrator of
//! another practice cannot rewrite one, no administrator can give it effectiveness ratings, and a
//! directory import never touches it.

mod common;
mod matching_support;

use common::{TestApp, User, backends, spawn_app_with};
use matching_support::{import_as, jsonl, listing};
use serde_json::{Value, json};

async fn own_listing(app: &TestApp, therapist: &User) -> (String, Value) {
    let mut mine = listing("x", json!({"name": "Dr Own"}));
    mine.as_object_mut().unwrap().remove("id");
    let r = therapist.put(app, "/api/v1/me/listing", mine.clone()).await;
    assert_eq!(r.status(), 200);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (id, mine)
}

async fn stored_name(app: &TestApp, therapist: &User) -> Value {
    therapist
        .get(app, "/api/v1/me/listing")
        .await
        .json::<Value>()
        .await
        .unwrap()["name"]
        .clone()
}

async fn practice_of(app: &TestApp, members: &[&str]) {
    let p = rapport_store::practices::create(&app.state.db, "A practice")
        .await
        .unwrap();
    for m in members {
        assert!(
            rapport_store::practices::join(&app.state.db, &p.id, m)
                .await
                .unwrap()
        );
    }
}

#[tokio::test]
async fn an_administrator_outside_the_practice_cannot_rewrite_a_therapists_listing() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let therapist = app.signup("therapist").await;
        let (id, mut mine) = own_listing(&app, &therapist).await;
        let stranger = app.admin().await;
        let other = app.signup("therapist").await;
        practice_of(&app, &[&stranger.id, &other.id]).await;
        mine["name"] = json!("Dr Hijacked");
        let r = stranger
            .put(&app, &format!("/api/v1/listings/{id}"), mine.clone())
            .await;
        assert_eq!(r.status(), 403, "{b:?}");
        assert_eq!(stored_name(&app, &therapist).await, "Dr Own", "{b:?}");
        let loner = app.admin().await;
        let r = loner
            .put(&app, &format!("/api/v1/listings/{id}"), mine)
            .await;
        assert_eq!(r.status(), 403, "{b:?}: an admin of no practice");
    }
}

#[tokio::test]
async fn no_administrator_can_give_a_therapists_listing_effectiveness_ratings() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let therapist = app.signup("therapist").await;
        let (id, mut mine) = own_listing(&app, &therapist).await;
        let admin = app.admin().await;
        practice_of(&app, &[&therapist.id, &admin.id]).await;
        mine["effectiveness"] = json!({"anxiety": "effective"});
        mine["name"] = json!("Dr Own, edited");
        let r = admin
            .put(&app, &format!("/api/v1/listings/{id}"), mine)
            .await;
        assert_eq!(r.status(), 200, "{b:?}");
        let stored: Value = therapist
            .get(&app, "/api/v1/me/listing")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(stored["name"], "Dr Own, edited");
        assert!(
            stored["effectiveness"]
                .as_object()
                .is_none_or(|m| m.is_empty()),
            "{b:?}: {stored}"
        );
    }
}

#[tokio::test]
async fn a_directory_import_never_touches_a_listing_owned_by_an_account() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let therapist = app.signup("therapist").await;
        let (id, _) = own_listing(&app, &therapist).await;
        let admin = app.admin().await;
        let file = jsonl(&[
            listing("t-new", json!({})),
            listing(&id, json!({"name": "Dr Overwritten"})),
        ]);
        let r = import_as(&app, &admin, &file, "application/jsonl").await;
        assert_eq!(r.status(), 200, "{b:?}");
        let report: Value = r.json().await.unwrap();
        assert_eq!(report["imported"], 1, "{report}");
        assert_eq!(report["refused"], 1, "{report}");
        assert_eq!(report["errors"][0]["row"], 2);
        assert_eq!(report["errors"][0]["field"], "id");
        assert_eq!(stored_name(&app, &therapist).await, "Dr Own", "{b:?}");
        let owner = rapport_store::listings::by_id(&app.state.db, &id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(owner.user_id.as_deref(), Some(therapist.id.as_str()));
    }
}

#[tokio::test]
async fn any_administrator_still_keeps_directory_listings_up_to_date() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let admin = app.admin().await;
        let r = admin
            .put(
                &app,
                "/api/v1/listings/t-dir",
                listing("t-dir", json!({"name": "Dr Directory"})),
            )
            .await;
        assert_eq!(r.status(), 200, "{b:?}");
        let r = admin
            .put(
                &app,
                "/api/v1/listings/t-dir",
                listing("t-dir", json!({"name": "Dr Directory 2"})),
            )
            .await;
        assert_eq!(r.status(), 200, "{b:?}");
    }
}
