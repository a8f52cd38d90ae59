//! The store conformance suite: every behaviour the app relies on from the store, checked on
//! SQLite (a temporary file) always and on PostgreSQL (a schema of its own per test) when
//! `RAPPORT_TEST_POSTGRES_URL` is set. In CI (`CI=true`) a missing URL fails the PostgreSQL half
//! instead of skipping it, so "passes on both databases" cannot silently mean "passed on one".
//! This file: accounts, sessions, tokens, who sees which relationship, check-ins (the audit log
//! and the caseload's reads are in `audit_caseload.rs`).

#[macro_use]
mod conformance;

use conformance::*;
use rapport_store::relationships::{self, Sharing};
use rapport_store::users::{self, Role};
use rapport_store::{StoreError, Vault, checkins, sessions, tokens, with_pool};
use serde_json::json;

on_both_databases!(
    a_user_is_created_found_by_email_and_id_and_a_second_use_of_the_email_conflicts,
    the_database_itself_refuses_an_unknown_role,
    a_session_is_found_until_it_expires_and_ends_when_deleted,
    a_revoked_token_no_longer_finds_its_user_and_only_its_owner_can_revoke_it,
    a_client_only_ever_sees_their_own_relationships,
    a_therapist_only_sees_relationships_the_client_chose_to_share,
    a_shared_relationship_reaches_its_therapist_only_once_they_accept_it,
    a_declined_relationship_never_reaches_the_therapist_and_keeps_the_clients_rows,
    only_the_therapist_named_can_accept_or_decline_a_relationship,
    an_appointment_that_took_place_accepts_a_waiting_relationship_and_a_missed_one_does_not,
    a_second_checkin_for_the_same_session_conflicts_and_stores_nothing,
);

async fn a_user_is_created_found_by_email_and_id_and_a_second_use_of_the_email_conflicts(
    t: &TestDb,
) {
    let db = &t.db;
    let ana = users::create(db, "ana@example.org", "Ana", Role::Client, "hash-1")
        .await
        .unwrap();

    let creds = users::credentials_by_email(db, "ana@example.org")
        .await
        .unwrap()
        .expect("the account is found by e-mail");
    assert_eq!(creds.user.id, ana.id);
    assert_eq!(creds.user.display_name, "Ana");
    assert_eq!(creds.user.role, Role::Client);
    assert_eq!(creds.password_hash, "hash-1");
    let by_id = users::by_id(db, &ana.id)
        .await
        .unwrap()
        .expect("found by id");
    assert_eq!(by_id.email, "ana@example.org");
    assert_eq!(by_id.created_at, ana.created_at);
    assert!(users::by_id(db, "no-such-id").await.unwrap().is_none());
    assert!(
        users::credentials_by_email(db, "nobody@example.org")
            .await
            .unwrap()
            .is_none()
    );

    let again = users::create(db, "ana@example.org", "Impostor", Role::Therapist, "hash-2").await;
    assert!(
        matches!(again, Err(StoreError::Conflict(_))),
        "a second account with the same e-mail must be a conflict, got {again:?}"
    );
    let creds = users::credentials_by_email(db, "ana@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        creds.user.display_name, "Ana",
        "the first account is untouched"
    );
    assert_eq!(creds.password_hash, "hash-1");
    assert_eq!(count(db, "SELECT COUNT(*) FROM users").await, 1);

    users::set_password(db, &ana.id, "hash-3").await.unwrap();
    let creds = users::credentials_by_id(db, &ana.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(creds.password_hash, "hash-3");
}

async fn the_database_itself_refuses_an_unknown_role(t: &TestDb) {
    let done = with_pool!(&t.db, pool => sqlx::query(
        "INSERT INTO users (id, email, display_name, role, password_hash, created_at) VALUES ('x', 'x@example.org', 'X', 'root', 'h', 0)",
    )
    .execute(pool)
    .await
    .map(|r| r.rows_affected()));
    assert!(done.is_err(), "role 'root' must be refused by the schema");
    assert_eq!(count(&t.db, "SELECT COUNT(*) FROM users").await, 0);
}

async fn a_session_is_found_until_it_expires_and_ends_when_deleted(t: &TestDb) {
    let db = &t.db;
    let u = user(db, Role::Client).await;
    sessions::create(db, "live-hash", &u.id, "csrf-live", 60_000)
        .await
        .unwrap();
    sessions::create(db, "expired-hash", &u.id, "csrf-expired", -1_000)
        .await
        .unwrap();
    sessions::create(db, "other-hash", &u.id, "csrf-other", 60_000)
        .await
        .unwrap();

    let live = sessions::find(db, "live-hash")
        .await
        .unwrap()
        .expect("a live session is found");
    assert_eq!(live.user.id, u.id);
    assert_eq!(live.csrf, "csrf-live");
    assert!(live.expires_at > rapport_store::now_ms());
    assert!(
        sessions::find(db, "expired-hash").await.unwrap().is_none(),
        "an expired session must not be found"
    );
    assert!(sessions::find(db, "unknown-hash").await.unwrap().is_none());

    assert_eq!(sessions::purge_expired(db).await.unwrap(), 1);
    assert_eq!(count(db, "SELECT COUNT(*) FROM sessions").await, 2);

    sessions::delete_others(db, &u.id, "live-hash")
        .await
        .unwrap();
    assert!(sessions::find(db, "other-hash").await.unwrap().is_none());
    assert!(sessions::find(db, "live-hash").await.unwrap().is_some());

    sessions::delete(db, "live-hash").await.unwrap();
    assert!(sessions::find(db, "live-hash").await.unwrap().is_none());
}

async fn a_revoked_token_no_longer_finds_its_user_and_only_its_owner_can_revoke_it(t: &TestDb) {
    let db = &t.db;
    let owner = user(db, Role::Client).await;
    let stranger = user(db, Role::Client).await;
    let info = tokens::create(db, &owner.id, "laptop", "token-hash", 90)
        .await
        .unwrap();

    let found = tokens::user_for(db, "token-hash").await.unwrap();
    assert_eq!(found.map(|u| u.id), Some(owner.id.clone()));
    let listed = tokens::list(db, &owner.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "laptop");
    assert!(listed[0].last_used_at.is_some(), "a use is recorded");
    assert!(listed[0].revoked_at.is_none());
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    tokens::user_for(db, "token-hash").await.unwrap();
    assert_eq!(
        tokens::list(db, &owner.id).await.unwrap()[0].last_used_at,
        listed[0].last_used_at,
        "a second use within a minute writes nothing"
    );
    assert!(tokens::list(db, &stranger.id).await.unwrap().is_empty());

    assert!(!tokens::revoke(db, &stranger.id, &info.id).await.unwrap());
    assert!(
        tokens::user_for(db, "token-hash").await.unwrap().is_some(),
        "someone else's revoke must not touch the token"
    );

    assert!(tokens::revoke(db, &owner.id, &info.id).await.unwrap());
    assert!(tokens::user_for(db, "token-hash").await.unwrap().is_none());
    assert!(
        !tokens::revoke(db, &owner.id, &info.id).await.unwrap(),
        "a token is revoked once"
    );
    let listed = tokens::list(db, &owner.id).await.unwrap();
    assert!(listed[0].revoked_at.is_some());
}

async fn a_client_only_ever_sees_their_own_relationships(t: &TestDb) {
    let db = &t.db;
    let (ana, rel) = relationship(db).await;
    let ben = user(db, Role::Client).await;

    let mine = relationships::for_client(db, &ana.id).await.unwrap();
    assert_eq!(mine.iter().map(|r| &r.id).collect::<Vec<_>>(), [&rel.id]);
    assert_eq!(mine[0].sharing, Sharing::Private, "private by default");
    assert!(
        relationships::get_for_client(db, &ana.id, &rel.id)
            .await
            .unwrap()
            .is_some()
    );

    assert!(
        relationships::for_client(db, &ben.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        relationships::get_for_client(db, &ben.id, &rel.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        !relationships::set_sharing(db, &ben.id, &rel.id, Sharing::Answers)
            .await
            .unwrap(),
        "another client cannot change what is shared"
    );
    let still = relationships::get_for_client(db, &ana.id, &rel.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still.sharing, Sharing::Private);
}

async fn a_therapist_only_sees_relationships_the_client_chose_to_share(t: &TestDb) {
    let db = &t.db;
    let client = user(db, Role::Client).await;
    let therapist = user(db, Role::Therapist).await;
    let other_therapist = user(db, Role::Therapist).await;
    let rel = relationships::create(db, &client.id, "Dr Lee", Some(&therapist.id), None)
        .await
        .unwrap();
    assert!(
        relationships::answer(
            db,
            &therapist.id,
            &rel.id,
            relationships::Answer::Accepted,
            1
        )
        .await
        .unwrap()
    );

    assert!(
        relationships::shared_with(db, &therapist.id)
            .await
            .unwrap()
            .is_empty(),
        "a private relationship is invisible to its therapist"
    );
    assert!(
        relationships::get_shared_with(db, &therapist.id, &rel.id)
            .await
            .unwrap()
            .is_none()
    );

    for sharing in [Sharing::Trend, Sharing::Answers] {
        assert!(
            relationships::set_sharing(db, &client.id, &rel.id, sharing)
                .await
                .unwrap()
        );
        let seen = relationships::shared_with(db, &therapist.id).await.unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].sharing, sharing);
        assert!(
            relationships::get_shared_with(db, &therapist.id, &rel.id)
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            relationships::get_shared_with(db, &other_therapist.id, &rel.id)
                .await
                .unwrap()
                .is_none(),
            "sharing is with one therapist only"
        );
        assert!(
            relationships::shared_with(db, &other_therapist.id)
                .await
                .unwrap()
                .is_empty()
        );
    }

    relationships::set_sharing(db, &client.id, &rel.id, Sharing::Private)
        .await
        .unwrap();
    assert!(
        relationships::get_shared_with(db, &therapist.id, &rel.id)
            .await
            .unwrap()
            .is_none(),
        "taking sharing back hides the relationship at once"
    );
}

async fn a_shared_relationship_reaches_its_therapist_only_once_they_accept_it(t: &TestDb) {
    let db = &t.db;
    let client = user(db, Role::Client).await;
    let therapist = user(db, Role::Therapist).await;
    let rel = relationships::create(db, &client.id, "Dr Lee", Some(&therapist.id), None)
        .await
        .unwrap();
    relationships::set_sharing(db, &client.id, &rel.id, Sharing::Answers)
        .await
        .unwrap();
    assert!(rel.accepted_at.is_none(), "a new relationship waits");
    assert!(
        relationships::shared_with(db, &therapist.id)
            .await
            .unwrap()
            .is_empty(),
        "shared but not accepted: not on the caseload"
    );
    assert!(
        relationships::get_shared_with(db, &therapist.id, &rel.id)
            .await
            .unwrap()
            .is_none()
    );
    let waiting = relationships::waiting_for(db, &therapist.id).await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].id, rel.id);

    assert!(
        relationships::answer(
            db,
            &therapist.id,
            &rel.id,
            relationships::Answer::Accepted,
            42
        )
        .await
        .unwrap()
    );
    assert_eq!(
        relationships::shared_with(db, &therapist.id)
            .await
            .unwrap()
            .len(),
        1,
        "accepted and shared: on the caseload"
    );
    assert!(
        relationships::waiting_for(db, &therapist.id)
            .await
            .unwrap()
            .is_empty()
    );
    let mine = relationships::get_for_client(db, &client.id, &rel.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(mine.accepted_at, Some(42));
    assert!(
        !relationships::answer(
            db,
            &therapist.id,
            &rel.id,
            relationships::Answer::Accepted,
            43
        )
        .await
        .unwrap(),
        "accepting twice changes nothing"
    );
}

async fn a_declined_relationship_never_reaches_the_therapist_and_keeps_the_clients_rows(
    t: &TestDb,
) {
    let db = &t.db;
    let vault = Vault::generate();
    let client = user(db, Role::Client).await;
    let therapist = user(db, Role::Therapist).await;
    let rel = relationships::create(db, &client.id, "Dr Lee", Some(&therapist.id), None)
        .await
        .unwrap();
    relationships::set_sharing(db, &client.id, &rel.id, Sharing::Trend)
        .await
        .unwrap();
    checkins::insert(db, &vault, &rel.id, 1, &json!({"session": 1}), None)
        .await
        .unwrap();
    assert!(
        relationships::answer(
            db,
            &therapist.id,
            &rel.id,
            relationships::Answer::Declined,
            7
        )
        .await
        .unwrap()
    );
    assert!(
        relationships::shared_with(db, &therapist.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        relationships::waiting_for(db, &therapist.id)
            .await
            .unwrap()
            .is_empty(),
        "a declined relationship no longer waits"
    );
    let mine = relationships::get_for_client(db, &client.id, &rel.id)
        .await
        .unwrap()
        .expect("the client keeps the relationship");
    assert_eq!(mine.declined_at, Some(7));
    assert_eq!(
        checkins::list(db, &vault, &rel.id).await.unwrap().len(),
        1,
        "and its check-ins"
    );
    assert!(
        !relationships::answer(
            db,
            &therapist.id,
            &rel.id,
            relationships::Answer::Declined,
            8
        )
        .await
        .unwrap()
    );
}

async fn only_the_therapist_named_can_accept_or_decline_a_relationship(t: &TestDb) {
    let db = &t.db;
    let client = user(db, Role::Client).await;
    let therapist = user(db, Role::Therapist).await;
    let other = user(db, Role::Therapist).await;
    let rel = relationships::create(db, &client.id, "Dr Lee", Some(&therapist.id), None)
        .await
        .unwrap();
    relationships::set_sharing(db, &client.id, &rel.id, Sharing::Trend)
        .await
        .unwrap();
    assert!(
        !relationships::answer(db, &other.id, &rel.id, relationships::Answer::Accepted, 1)
            .await
            .unwrap()
    );
    assert!(
        !relationships::answer(db, &other.id, &rel.id, relationships::Answer::Declined, 1)
            .await
            .unwrap()
    );
    assert!(
        !relationships::answer(db, &client.id, &rel.id, relationships::Answer::Accepted, 1)
            .await
            .unwrap()
    );
    assert!(
        relationships::waiting_for(db, &other.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        relationships::waiting_for(db, &therapist.id)
            .await
            .unwrap()
            .len(),
        1,
        "still waiting for the therapist named"
    );
}

async fn an_appointment_that_took_place_accepts_a_waiting_relationship_and_a_missed_one_does_not(
    t: &TestDb,
) {
    let db = &t.db;
    let therapist = user(db, Role::Therapist).await;
    let met = user(db, Role::Client).await;
    let no_show = user(db, Role::Client).await;
    let mut rels = Vec::new();
    for (c, status) in [(&met, "booked"), (&no_show, "missed")] {
        let rel = relationships::create(db, &c.id, "Dr Lee", Some(&therapist.id), None)
            .await
            .unwrap();
        with_pool!(db, pool => sqlx::query("INSERT INTO appointments (id, therapist_id, client_id, kind, starts_at, ends_at, status, created_at) VALUES ($1, $2, $3, 'consultation', 1000, 2000, $4, 0)").bind(rapport_store::new_id()).bind(&therapist.id).bind(&c.id).bind(status).execute(pool).await.map(|r| r.rows_affected())).unwrap();
        rels.push((c, rel));
    }
    assert_eq!(
        relationships::accept_met(db, 1999, 5000).await.unwrap(),
        0,
        "not before the appointment is over"
    );
    assert_eq!(relationships::accept_met(db, 2000, 5000).await.unwrap(), 1);
    let (c, rel) = &rels[0];
    let got = relationships::get_for_client(db, &c.id, &rel.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.accepted_at, Some(5000));
    let (c, rel) = &rels[1];
    let got = relationships::get_for_client(db, &c.id, &rel.id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        got.accepted_at.is_none(),
        "a missed appointment accepts no one"
    );
}

async fn a_second_checkin_for_the_same_session_conflicts_and_stores_nothing(t: &TestDb) {
    let db = &t.db;
    let vault = Vault::generate();
    let (_, rel) = relationship(db).await;
    let first = checkins::insert(db, &vault, &rel.id, 1, &json!({"heard": 3}), Some("first"))
        .await
        .unwrap();

    let second =
        checkins::insert(db, &vault, &rel.id, 1, &json!({"heard": 0}), Some("second")).await;
    assert!(
        matches!(second, Err(StoreError::Conflict(_))),
        "a repeated session number must be a conflict, got {second:?}"
    );

    let stored = checkins::list(db, &vault, &rel.id).await.unwrap();
    assert_eq!(stored.len(), 1, "the refused check-in stored nothing");
    assert_eq!(stored[0].id, first.id);
    assert_eq!(stored[0].answers, json!({"heard": 3}));
    assert_eq!(stored[0].need.as_deref(), Some("first"));

    checkins::insert(db, &vault, &rel.id, 2, &json!({"heard": 4}), None)
        .await
        .unwrap();
    let sessions: Vec<i64> = checkins::list(db, &vault, &rel.id)
        .await
        .unwrap()
        .iter()
        .map(|c| c.session)
        .collect();
    assert_eq!(sessions, [1, 2]);
}
