//! The store conformance suite, on SQLite and PostgreSQL (see `store.rs`): the audit log, kept
//! append-only, and what a caseload view reads and records (one query for the list, one
//! statement per 500 views).

#[macro_use]
mod conformance;

use conformance::*;
use rapport_store::relationships::{self, Sharing};
use rapport_store::users::{self, Role};
use rapport_store::{Vault, audit, checkins, with_pool};
use serde_json::json;

on_both_databases!(
    the_audit_log_is_append_only,
    recording_many_views_at_once_writes_one_entry_per_view_even_past_one_statement,
    a_caseload_lists_the_shared_relationships_with_each_clients_name_and_data_version,
);

async fn the_audit_log_is_append_only(t: &TestDb) {
    let db = &t.db;
    let client = user(db, Role::Client).await;
    let therapist = user(db, Role::Therapist).await;
    audit::record(db, &therapist.id, &client.id, "view_trend", "rel-1")
        .await
        .unwrap();

    let update = with_pool!(db, pool => sqlx::query("UPDATE audit_log SET action = 'nothing_to_see'")
        .execute(pool)
        .await
        .map(|r| r.rows_affected()));
    let delete = with_pool!(db, pool => sqlx::query("DELETE FROM audit_log")
        .execute(pool)
        .await
        .map(|r| r.rows_affected()));
    let mut attempts = vec![("UPDATE", update), ("DELETE", delete)];
    if db.backend() == rapport_store::Backend::Postgres {
        let truncate = with_pool!(db, pool => sqlx::query("TRUNCATE audit_log")
            .execute(pool)
            .await
            .map(|r| r.rows_affected()));
        attempts.push(("TRUNCATE", truncate));
    }
    for (what, result) in attempts {
        let err = result.expect_err(&format!("{what} on audit_log must fail"));
        assert!(
            err.to_string().contains("append-only"),
            "{what} must be refused by the append-only trigger, got: {err}"
        );
    }

    let entries = audit::for_client(db, &client.id).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].action, "view_trend");
    assert_eq!(entries[0].actor_id, therapist.id);
    assert_eq!(entries[0].actor_name, "Someone");
    assert_eq!(entries[0].subject, "rel-1");
}

async fn recording_many_views_at_once_writes_one_entry_per_view_even_past_one_statement(
    t: &TestDb,
) {
    let db = &t.db;
    let therapist = user(db, Role::Therapist).await;
    let clients = [user(db, Role::Client).await, user(db, Role::Client).await];
    // 1,201 views: three statements of at most 500 rows, in one transaction.
    let subjects: Vec<String> = (0..1201).map(|i| format!("rel-{i}")).collect();
    let views: Vec<(&str, &str)> = subjects
        .iter()
        .enumerate()
        .map(|(i, s)| (clients[i % 2].id.as_str(), s.as_str()))
        .collect();
    audit::record_many(db, &therapist.id, "view_caseload", &views)
        .await
        .unwrap();
    audit::record_many(db, &therapist.id, "view_caseload", &[])
        .await
        .unwrap();

    let first = audit::for_client(db, &clients[0].id).await.unwrap();
    let second = audit::for_client(db, &clients[1].id).await.unwrap();
    assert_eq!((first.len(), second.len()), (601, 600));
    let mut seen: Vec<&str> = first
        .iter()
        .chain(&second)
        .map(|e| e.subject.as_str())
        .collect();
    seen.sort_unstable();
    let mut expected: Vec<&str> = subjects.iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(seen, expected, "every view once, under its own client");
    assert!(
        first
            .iter()
            .all(|e| e.action == "view_caseload" && e.actor_id == therapist.id)
    );
}

async fn a_caseload_lists_the_shared_relationships_with_each_clients_name_and_data_version(
    t: &TestDb,
) {
    let db = &t.db;
    let vault = Vault::generate();
    let therapist = user(db, Role::Therapist).await;
    let ana = users::create(db, "ana-caseload@example.org", "Ana", Role::Client, "h")
        .await
        .unwrap();
    let mut rels = Vec::new();
    for (name, sharing) in [
        ("Dr A", Sharing::Trend),
        ("Dr B", Sharing::Private),
        ("Dr C", Sharing::Answers),
    ] {
        let rel = relationships::create(db, &ana.id, name, Some(&therapist.id), None)
            .await
            .unwrap();
        relationships::answer(
            db,
            &therapist.id,
            &rel.id,
            relationships::Answer::Accepted,
            1,
        )
        .await
        .unwrap();
        relationships::set_sharing(db, &ana.id, &rel.id, sharing)
            .await
            .unwrap();
        rels.push(rel.id);
    }

    let listed = relationships::caseload(db, &therapist.id).await.unwrap();
    let plain = relationships::shared_with(db, &therapist.id).await.unwrap();
    let ids = |v: Vec<&str>| v.into_iter().map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(
        ids(listed.iter().map(|s| s.rel.id.as_str()).collect()),
        ids(plain.iter().map(|r| r.id.as_str()).collect()),
        "the same relationships as shared_with, in the same order"
    );
    assert_eq!(listed.len(), 2, "the private one is not listed");
    assert!(listed.iter().all(|s| s.client_name == "Ana"));
    let before = listed[0].data_version;
    assert!(listed.iter().all(|s| s.data_version == before));

    checkins::insert(db, &vault, &rels[0], 1, &json!({"session": 1}), None)
        .await
        .unwrap();
    let after = relationships::caseload(db, &therapist.id).await.unwrap();
    assert!(
        after.iter().all(|s| s.data_version > before),
        "a check-in moves the version the caseload reads"
    );
    assert!(
        relationships::caseload(db, &user(db, Role::Therapist).await.id)
            .await
            .unwrap()
            .is_empty(),
        "another therapist's caseload holds none of them"
    );
}
