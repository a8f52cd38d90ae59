//! The matching tables on both databases (SQLite always, PostgreSQL when
//! `RAPPORT_TEST_POSTGRES_URL` is set): the database itself keeps a shortlist at three even when
//! additions race, consultation requests are all-or-nothing and their messages sealed with the
//! client's own key, and a therapist's save never takes over someone else's listing.

use rapport_store::matching::{self, Added};
use rapport_store::users::{self, Role};
use rapport_store::{Db, StoreError, Vault, listings, user_keys, with_pool};
use serde_json::json;

async fn databases() -> Vec<(Db, Option<(String, String)>)> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = std::env::temp_dir().join(format!(
        "rapport-matching-store-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let mut out = vec![(
        Db::open_sqlite_file(&dir.join("rapport.db")).await.unwrap(),
        None,
    )];
    match std::env::var("RAPPORT_TEST_POSTGRES_URL") {
        Ok(url) => {
            let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
            out.push((
                Db::connect_postgres_schema(&url, &schema).await.unwrap(),
                Some((url, schema)),
            ));
        }
        Err(_) => assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "CI must set RAPPORT_TEST_POSTGRES_URL"
        ),
    }
    out
}

async fn finish(db: Db, postgres: Option<(String, String)>) {
    if let (Db::Postgres(pool), Some((_, schema))) = (&db, &postgres) {
        sqlx::query(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
            .execute(pool)
            .await
            .unwrap();
    }
    db.close().await;
}

async fn client(db: &Db) -> String {
    let email = format!("c-{}@example.org", uuid::Uuid::new_v4().simple());
    users::create(db, &email, "Client", Role::Client, "x")
        .await
        .unwrap()
        .id
}

async fn listed(db: &Db, ids: &[&str]) {
    let rows: Vec<(String, Option<String>, String)> = ids
        .iter()
        .map(|id| {
            (
                id.to_string(),
                None,
                json!({"id": id, "name": format!("Dr {id}")}).to_string(),
            )
        })
        .collect();
    listings::upsert_many(db, &rows).await.unwrap();
}

async fn count(db: &Db, sql: &str) -> i64 {
    with_pool!(db, pool => sqlx::query_scalar(sql).fetch_one(pool).await).unwrap()
}

#[tokio::test]
async fn racing_additions_never_put_a_fourth_therapist_on_a_shortlist() {
    for (db, pg) in databases().await {
        let ids = ["t-1", "t-2", "t-3", "t-4", "t-5", "t-6"];
        listed(&db, &ids).await;
        let c = client(&db).await;
        let racers = ids.map(|id| {
            let (db, c) = (db.clone(), c.clone());
            tokio::spawn(async move { matching::add_to_shortlist(&db, &c, id).await })
        });
        for r in racers {
            match r.await.unwrap() {
                Ok(_) | Err(StoreError::Conflict(_)) => {}
                Err(e) => panic!("unexpected {e}"),
            }
        }
        for id in ids {
            let _ = matching::add_to_shortlist(&db, &c, id).await;
        }
        assert_eq!(count(&db, "SELECT COUNT(*) FROM shortlist").await, 3);
        let on: Vec<String> = matching::shortlist(&db, &c)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.listing_id)
            .collect();
        let outside = ids.iter().find(|id| !on.contains(&id.to_string())).unwrap();
        assert_eq!(
            matching::add_to_shortlist(&db, &c, outside).await.unwrap(),
            Added::Full
        );
        let direct = with_pool!(&db, pool => sqlx::query("INSERT INTO shortlist (client_id, listing_id, place, created_at) VALUES ($1, 't-6', 4, 0)").bind(&c).execute(pool).await.map(|r| r.rows_affected()));
        assert!(direct.is_err(), "the database refuses a fourth place");
        finish(db, pg).await;
    }
}

#[tokio::test]
async fn consultation_requests_are_all_or_nothing_and_their_messages_sealed_with_the_clients_key() {
    for (db, pg) in databases().await {
        let vault = Vault::generate();
        listed(&db, &["t-1", "t-2"]).await;
        let c = client(&db).await;
        let note = "Could we talk on Tuesday evening?";
        matching::request_consultations(&db, &vault, &c, &["t-1".into()], Some(note))
            .await
            .unwrap();
        let raw: Vec<u8> = with_pool!(&db, pool => sqlx::query_scalar("SELECT message FROM consultations").fetch_one(pool).await).unwrap();
        assert!(
            !raw.windows(note.len()).any(|w| w == note.as_bytes()),
            "the message is not stored in the clear"
        );
        assert_eq!(
            matching::consultations_sent(&db, &vault, &c).await.unwrap()[0]
                .message
                .as_deref(),
            Some(note)
        );

        let again =
            matching::request_consultations(&db, &vault, &c, &["t-2".into(), "t-1".into()], None)
                .await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM consultations").await,
            1,
            "nothing of a refused request is stored"
        );

        user_keys::destroy(&db, &c).await.unwrap();
        assert!(
            matches!(
                matching::consultations_sent(&db, &vault, &c).await,
                Err(StoreError::Crypto)
            ),
            "without the client's key the message is gone"
        );
        finish(db, pg).await;
    }
}

#[tokio::test]
async fn a_therapists_save_never_takes_over_another_listing() {
    for (db, pg) in databases().await {
        let t1 = users::create(&db, "t1@example.org", "T1", Role::Therapist, "x")
            .await
            .unwrap()
            .id;
        let t2 = users::create(&db, "t2@example.org", "T2", Role::Therapist, "x")
            .await
            .unwrap()
            .id;
        listed(&db, &["t-free"]).await;
        assert!(
            listings::upsert_own(&db, "t-mine", &t1, "{\"v\":1}")
                .await
                .unwrap()
        );
        assert!(
            listings::upsert_own(&db, "t-mine", &t1, "{\"v\":2}")
                .await
                .unwrap()
        );
        assert!(
            !listings::upsert_own(&db, "t-mine", &t2, "{\"v\":3}")
                .await
                .unwrap(),
            "someone else's listing"
        );
        assert!(
            !listings::upsert_own(&db, "t-free", &t2, "{\"v\":3}")
                .await
                .unwrap(),
            "an unlinked listing"
        );
        let mine = listings::by_id(&db, "t-mine").await.unwrap().unwrap();
        assert_eq!(
            (mine.user_id.as_deref(), mine.data.as_str()),
            (Some(t1.as_str()), "{\"v\":2}")
        );
        assert_eq!(
            listings::by_id(&db, "t-free")
                .await
                .unwrap()
                .unwrap()
                .user_id,
            None
        );
        let created = listings::import(
            &db,
            &[
                ("t-mine".into(), "{\"v\":4}".into()),
                ("t-new".into(), "{}".into()),
            ],
        )
        .await
        .unwrap();
        assert_eq!(created, 1);
        assert_eq!(
            listings::by_id(&db, "t-mine")
                .await
                .unwrap()
                .unwrap()
                .user_id
                .as_deref(),
            Some(t1.as_str()),
            "an import keeps the link"
        );
        let versions = listings::versions_since(&db, 0).await.unwrap();
        assert_eq!(versions.len(), 3);
        let rows = listings::rows_by_ids(&db, &["t-new".into(), "t-gone".into()])
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        finish(db, pg).await;
    }
}
