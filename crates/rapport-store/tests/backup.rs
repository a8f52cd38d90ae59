//! Backup → restore round trips, equal on both databases (and across them), and refusals of
//! damaged files that change nothing.

use rapport_store::relationships::{self, Sharing};
use rapport_store::users::{self, Role};
use rapport_store::{Db, Vault, audit, backup, checkins, messages};
use serde_json::json;
use support::backends;

mod support;

async fn fresh(postgres: bool) -> Db {
    support::fresh(postgres, "b").await
}

async fn fill(db: &Db, vault: &Vault) {
    let c = users::create(db, "c@example.org", "Client", Role::Client, "hash")
        .await
        .unwrap();
    let t = users::create(db, "t@example.org", "Therapist", Role::Therapist, "hash")
        .await
        .unwrap();
    let rel = relationships::create(db, &c.id, "Dr T", Some(&t.id), None)
        .await
        .unwrap();
    relationships::set_sharing(db, &c.id, &rel.id, Sharing::Answers)
        .await
        .unwrap();
    for s in 1..=3 {
        checkins::insert(
            db,
            vault,
            &rel.id,
            s,
            &json!({"session": s, "heard": 3, "score": 62.5}),
            (s == 2).then_some("a private need"),
        )
        .await
        .unwrap();
    }
    messages::send(db, vault, &rel.id, &c.id, "speak_up", "a private note")
        .await
        .unwrap();
    audit::record(db, &t.id, &c.id, "view_trend", &rel.id)
        .await
        .unwrap();
}

/// The data lines of a dump, without `schema_versions` (each database records its own
/// migration times; a restore keeps the target's).
fn data_lines(text: &str) -> Vec<&str> {
    text.lines()
        .skip(1)
        .filter(|l| !l.contains("\"schema_versions\""))
        .collect()
}

async fn dump_text(db: &Db) -> String {
    let mut out = Vec::new();
    backup::dump(db, &mut out).await.unwrap();
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn a_backup_restores_into_an_equal_database_on_each_backend_and_across_them() {
    let vault = Vault::generate();
    for source_pg in backends() {
        let source = fresh(source_pg).await;
        fill(&source, &vault).await;
        let text = dump_text(&source).await;
        let checked = backup::check(&text).unwrap();
        for target_pg in backends() {
            let target = fresh(target_pg).await;
            backup::restore(&target, &checked).await.unwrap();
            backup::integrity_check(&target).await.unwrap();
            let sorted = |mut v: Vec<(String, i64)>| {
                v.sort();
                v
            };
            assert_eq!(
                sorted(backup::counts(&source).await.unwrap()),
                sorted(backup::counts(&target).await.unwrap()),
                "the same rows in every table (tables rebuilt by a migration sit elsewhere in SQLite's creation order)"
            );
            let again = dump_text(&target).await;
            assert_eq!(
                data_lines(&again),
                data_lines(&text),
                "source pg={source_pg} target pg={target_pg}: restored rows differ"
            );
            let c = users::credentials_by_email(&target, "c@example.org")
                .await
                .unwrap()
                .unwrap()
                .user;
            let rel = &relationships::for_client(&target, &c.id).await.unwrap()[0];
            let list = checkins::list(&target, &vault, &rel.id).await.unwrap();
            assert_eq!(
                list[1].need.as_deref(),
                Some("a private need"),
                "sealed values still open with the same key"
            );
            assert_eq!(
                messages::list(&target, &vault, &rel.id).await.unwrap()[0].body,
                "a private note"
            );
        }
    }
}

#[tokio::test]
async fn a_damaged_or_edited_backup_is_refused_before_anything_is_written() {
    let vault = Vault::generate();
    let source = fresh(false).await;
    fill(&source, &vault).await;
    let text = dump_text(&source).await;
    let edited = text.replacen("Dr T", "Dr X", 1);
    let err = backup::check(&edited)
        .err()
        .expect("an edited file must be refused");
    assert!(err.to_string().contains("checksum"), "{err}");
    let truncated = &text[..text.len() - 40];
    assert!(backup::check(truncated).is_err());
    assert!(backup::check("not a backup\n").is_err());
    assert!(backup::check("").is_err());
}

#[tokio::test]
async fn a_restore_into_a_database_with_data_changes_nothing() {
    let vault = Vault::generate();
    for pg in backends() {
        let source = fresh(pg).await;
        fill(&source, &vault).await;
        let checked = backup::check(&dump_text(&source).await).unwrap();
        let target = fresh(pg).await;
        users::create(
            &target,
            "someone@example.org",
            "Someone",
            Role::Client,
            "hash",
        )
        .await
        .unwrap();
        let before = backup::counts(&target).await.unwrap();
        let err = backup::restore(&target, &checked)
            .await
            .err()
            .expect("refused");
        assert!(err.to_string().contains("not empty"), "{err}");
        assert_eq!(backup::counts(&target).await.unwrap(), before);
    }
}
