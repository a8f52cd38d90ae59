//! A client's data version (what lets a server reuse an assessed relationship without another
//! query) moves with every change to their relationships and check-ins, made by anyone, and with
//! nobody else's; batched check-in reads equal one-by-one reads.

use rapport_store::relationships::{self, Sharing};
use rapport_store::users::{self, Role};
use rapport_store::{Db, Vault, checkins, sessions, with_pool};
use serde_json::json;
use support::backends;

mod support;

async fn fresh(pg: bool) -> Db {
    support::fresh(pg, "v").await
}

/// The version as the session lookup reads it.
async fn version(db: &Db, session: &str) -> i64 {
    sessions::find(db, session)
        .await
        .unwrap()
        .unwrap()
        .data_version
}

#[tokio::test]
async fn every_change_to_a_clients_relationships_moves_their_version_and_nobody_elses() {
    for pg in backends() {
        let db = fresh(pg).await;
        let vault = Vault::generate();
        let a = users::create(&db, "a@example.org", "A", Role::Client, "h")
            .await
            .unwrap();
        let b = users::create(&db, "b@example.org", "B", Role::Client, "h")
            .await
            .unwrap();
        sessions::create(&db, "sa", &a.id, "csrf-a", 3_600_000)
            .await
            .unwrap();
        sessions::create(&db, "sb", &b.id, "csrf-b", 3_600_000)
            .await
            .unwrap();
        let (a0, b0) = (version(&db, "sa").await, version(&db, "sb").await);

        let rel = relationships::create(&db, &a.id, "Dr V", None, None)
            .await
            .unwrap();
        let a1 = version(&db, "sa").await;
        assert!(a1 > a0, "pg={pg}: a new relationship moves the version");

        checkins::insert(
            &db,
            &vault,
            &rel.id,
            1,
            &json!({"session": 1}),
            Some("words"),
        )
        .await
        .unwrap();
        let a2 = version(&db, "sa").await;
        assert!(a2 > a1, "pg={pg}: a check-in moves the version");

        relationships::set_sharing(&db, &a.id, &rel.id, Sharing::Trend)
            .await
            .unwrap();
        let a3 = version(&db, "sa").await;
        assert!(a3 > a2, "pg={pg}: sharing moves the version");

        // A write no code path of ours makes (another tool, a replica): the triggers still see it.
        with_pool!(&db, pool => sqlx::query("UPDATE checkins SET answers = $1 WHERE relationship_id = $2")
            .bind(json!({"session": 1, "edited": true}).to_string()).bind(&rel.id).execute(pool).await.map(|r| r.rows_affected())).unwrap();
        let a4 = version(&db, "sa").await;
        assert!(
            a4 > a3,
            "pg={pg}: any write to a check-in moves the version"
        );

        with_pool!(&db, pool => sqlx::query("DELETE FROM checkins WHERE relationship_id = $1")
            .bind(&rel.id).execute(pool).await.map(|r| r.rows_affected()))
        .unwrap();
        assert!(
            version(&db, "sa").await > a4,
            "pg={pg}: deleting a check-in moves the version"
        );

        assert_eq!(
            version(&db, "sb").await,
            b0,
            "pg={pg}: B's version never moved"
        );
        db.close().await;
    }
}

#[tokio::test]
async fn a_caseload_read_in_one_query_equals_reading_each_relationship() {
    for pg in backends() {
        let db = fresh(pg).await;
        let vault = Vault::generate();
        let mut rels = Vec::new();
        for i in 0..3 {
            let c = users::create(
                &db,
                &format!("c{i}@example.org"),
                &format!("C{i}"),
                Role::Client,
                "h",
            )
            .await
            .unwrap();
            for _ in 0..2 {
                let rel = relationships::create(&db, &c.id, "Dr B", None, None)
                    .await
                    .unwrap();
                for s in 1..=i + 1 {
                    let need = (s % 2 == 0).then(|| format!("need {i}-{s}"));
                    checkins::insert(
                        &db,
                        &vault,
                        &rel.id,
                        s as i64,
                        &json!({"session": s}),
                        need.as_deref(),
                    )
                    .await
                    .unwrap();
                }
                rels.push(rel.id);
            }
        }
        let empty = relationships::create(
            &db,
            &users::create(&db, "e@example.org", "E", Role::Client, "h")
                .await
                .unwrap()
                .id,
            "Dr E",
            None,
            None,
        )
        .await
        .unwrap();
        let mut ids: Vec<&str> = rels.iter().map(String::as_str).collect();
        ids.push(&empty.id);
        let many = checkins::list_many(&db, &vault, &ids).await.unwrap();
        assert!(
            !many.contains_key(&empty.id),
            "pg={pg}: no check-ins, no entry"
        );
        for id in &rels {
            let one = checkins::list(&db, &vault, id).await.unwrap();
            let batched = &many[id];
            assert_eq!(
                one.iter()
                    .map(|c| (c.session, c.need.clone(), c.answers.clone()))
                    .collect::<Vec<_>>(),
                batched
                    .iter()
                    .map(|c| (c.session, c.need.clone(), c.answers.clone()))
                    .collect::<Vec<_>>(),
                "pg={pg}"
            );
        }
        assert!(
            checkins::list_many(&db, &vault, &[])
                .await
                .unwrap()
                .is_empty()
        );
        db.close().await;
    }
}
