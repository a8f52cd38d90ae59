//! The store conformance suite: every behaviour the app relies on from the store, checked on
//! SQLite (a temporary file) always and on PostgreSQL (a schema of its own per test) when
//! `RAPPORT_TEST_POSTGRES_URL` is set. In CI (`CI=true`) a missing URL fails the PostgreSQL half
//! instead of skipping it, so "passes on both databases" cannot silently mean "passed on one".

use rapport_store::crypto::{KeyFileError, Place};
use rapport_store::relationships::{self, Sharing};
use rapport_store::users::{self, Role, User};
use rapport_store::{
    DataKey, Db, StoreError, Vault, audit, checkins, migrate, sessions, tokens, user_keys,
    with_pool,
};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The PostgreSQL URL to test against; `None` skips the PostgreSQL half outside CI.
fn postgres_url() -> Option<String> {
    match std::env::var("RAPPORT_TEST_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => panic!(
            "CI=true but RAPPORT_TEST_POSTGRES_URL is not set: the PostgreSQL half of the store suite would be skipped"
        ),
        _ => None,
    }
}

fn temp_dir() -> PathBuf {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = std::env::temp_dir().join(format!(
        "rapport-store-test-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One test's database, with what is needed to remove it afterwards.
struct TestDb {
    db: Db,
    dir: PathBuf,
    /// The PostgreSQL URL and this test's schema, on PostgreSQL.
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// A migrated SQLite file of its own.
    async fn sqlite() -> TestDb {
        let dir = temp_dir();
        let db = Db::open_sqlite_file(&dir.join("rapport.db")).await.unwrap();
        TestDb {
            db,
            dir,
            postgres: None,
        }
    }

    /// A migrated PostgreSQL schema of its own.
    async fn postgres(url: &str) -> TestDb {
        let dir = temp_dir();
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let db = Db::connect_postgres_schema(url, &schema).await.unwrap();
        TestDb {
            db,
            dir,
            postgres: Some((url.to_owned(), schema)),
        }
    }

    /// A second, empty database on the same backend with no migrations applied (removed together
    /// with this one).
    async fn unmigrated(&self) -> Db {
        match &self.postgres {
            None => {
                let url = format!("sqlite:{}", self.dir.join("unmigrated.db").display());
                Db::open(&url).unwrap()
            }
            Some((url, schema)) => {
                let schema = format!("{schema}_u");
                let admin = sqlx::PgPool::connect(url).await.unwrap();
                sqlx::query(&format!("CREATE SCHEMA \"{schema}\""))
                    .execute(&admin)
                    .await
                    .unwrap();
                admin.close().await;
                let opts = sqlx::postgres::PgConnectOptions::from_str(url)
                    .unwrap()
                    .options([("search_path", schema.as_str())]);
                Db::Postgres(
                    sqlx::postgres::PgPoolOptions::new()
                        .max_connections(4)
                        .connect_lazy_with(opts),
                )
            }
        }
    }

    /// Closes the database and removes its file or schema.
    async fn finish(self) {
        self.db.close().await;
        if let Some((url, schema)) = &self.postgres {
            let admin = sqlx::PgPool::connect(url).await.unwrap();
            for s in [schema.clone(), format!("{schema}_u")] {
                sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{s}\" CASCADE"))
                    .execute(&admin)
                    .await
                    .unwrap();
            }
            admin.close().await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Turns each `async fn case(t: &TestDb)` into a module with an `on_sqlite` and an `on_postgres`
/// test, so a failure names the backend it happened on.
macro_rules! on_both_databases {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            #[tokio::test]
            async fn on_sqlite() {
                let t = super::TestDb::sqlite().await;
                super::$case(&t).await;
                t.finish().await;
            }

            #[tokio::test]
            async fn on_postgres() {
                let Some(url) = super::postgres_url() else {
                    eprintln!("skipped: RAPPORT_TEST_POSTGRES_URL is not set");
                    return;
                };
                let t = super::TestDb::postgres(&url).await;
                super::$case(&t).await;
                t.finish().await;
            }
        }
    )*};
}

on_both_databases!(
    a_user_is_created_found_by_email_and_id_and_a_second_use_of_the_email_conflicts,
    the_database_itself_refuses_an_unknown_role,
    a_session_is_found_until_it_expires_and_ends_when_deleted,
    a_revoked_token_no_longer_finds_its_user_and_only_its_owner_can_revoke_it,
    a_client_only_ever_sees_their_own_relationships,
    a_therapist_only_sees_relationships_the_client_chose_to_share,
    a_second_checkin_for_the_same_session_conflicts_and_stores_nothing,
    a_need_is_encrypted_at_rest_and_decrypts_back,
    a_need_copied_into_another_row_fails_to_decrypt,
    old_needs_stay_readable_after_key_rotation_and_new_ones_use_the_new_key,
    the_audit_log_is_append_only,
    migrations_run_twice_change_nothing,
    migrations_started_together_apply_the_schema_once,
);

async fn user(db: &Db, role: Role) -> User {
    let email = format!(
        "{}-{}@example.org",
        role.as_str(),
        uuid::Uuid::new_v4().simple()
    );
    users::create(db, &email, "Someone", role, "$argon2id$not-a-real-hash")
        .await
        .unwrap()
}

async fn relationship(db: &Db) -> (User, relationships::Relationship) {
    let client = user(db, Role::Client).await;
    let rel = relationships::create(db, &client.id, "Dr Sam Okafor", None, None)
        .await
        .unwrap();
    (client, rel)
}

async fn raw_need(db: &Db, checkin_id: &str) -> Option<Vec<u8>> {
    with_pool!(db, pool => sqlx::query_scalar("SELECT need FROM checkins WHERE id = $1")
        .bind(checkin_id)
        .fetch_one(pool)
        .await)
    .unwrap()
}

async fn count(db: &Db, sql: &str) -> i64 {
    with_pool!(db, pool => sqlx::query_scalar(sql).fetch_one(pool).await).unwrap()
}

async fn versions(db: &Db) -> Vec<i64> {
    with_pool!(db, pool => sqlx::query_scalar("SELECT version FROM schema_versions ORDER BY version")
        .fetch_all(pool)
        .await)
    .unwrap()
}

async fn wrapped_key(db: &Db, client_id: &str) -> Vec<u8> {
    with_pool!(db, pool => sqlx::query_scalar("SELECT wrapped FROM user_keys WHERE user_id = $1")
        .bind(client_id)
        .fetch_one(pool)
        .await)
    .unwrap()
}

fn need_place(row: &str) -> Place<'_> {
    Place {
        table: "checkins",
        column: "need",
        row,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

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
    let info = tokens::create(db, &owner.id, "laptop", "token-hash")
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

async fn a_need_is_encrypted_at_rest_and_decrypts_back(t: &TestDb) {
    let db = &t.db;
    let vault = Vault::generate();
    let (_, rel) = relationship(db).await;
    let need = "I would like more practical homework between sessions";
    let with_need = checkins::insert(db, &vault, &rel.id, 1, &json!({}), Some(need))
        .await
        .unwrap();
    let without = checkins::insert(db, &vault, &rel.id, 2, &json!({}), None)
        .await
        .unwrap();

    let raw = raw_need(db, &with_need.id)
        .await
        .expect("the need is stored");
    assert!(
        !contains(&raw, need.as_bytes()),
        "the plaintext must not be stored"
    );
    assert!(!contains(&raw, b"homework"));
    assert!(
        DataKey::sealed_with_client_key(&raw),
        "sealed with the client's own data key, not the deployment's"
    );
    assert!(
        raw.len() >= 4 + 24 + 16 + need.len(),
        "key id, nonce and tag are stored"
    );
    assert!(raw_need(db, &without.id).await.is_none());

    let listed = checkins::list(db, &vault, &rel.id).await.unwrap();
    assert_eq!(listed[0].need.as_deref(), Some(need));
    assert_eq!(listed[1].need, None);

    let other_vault = Vault::generate();
    assert!(
        matches!(
            checkins::list(db, &other_vault, &rel.id).await,
            Err(StoreError::Crypto)
        ),
        "another deployment's key cannot read the need"
    );
}

async fn a_need_copied_into_another_row_fails_to_decrypt(t: &TestDb) {
    let db = &t.db;
    let vault = Vault::generate();
    let (_, rel) = relationship(db).await;
    let a = checkins::insert(db, &vault, &rel.id, 1, &json!({}), Some("need of row a"))
        .await
        .unwrap();
    let b = checkins::insert(db, &vault, &rel.id, 2, &json!({}), Some("need of row b"))
        .await
        .unwrap();
    let sealed_a = raw_need(db, &a.id).await.unwrap();
    let key = user_keys::get(db, &vault, &rel.client_id)
        .await
        .unwrap()
        .expect("the client's key was made with their first need");
    assert_eq!(
        key.open(need_place(&a.id), &sealed_a).unwrap(),
        "need of row a"
    );
    assert!(matches!(
        key.open(need_place(&b.id), &sealed_a),
        Err(StoreError::Crypto)
    ));

    with_pool!(db, pool => sqlx::query("UPDATE checkins SET need = $1 WHERE id = $2")
        .bind(&sealed_a)
        .bind(&b.id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    .unwrap();
    assert!(
        matches!(
            checkins::list(db, &vault, &rel.id).await,
            Err(StoreError::Crypto)
        ),
        "a ciphertext moved to another row must not decrypt there"
    );
}

async fn old_needs_stay_readable_after_key_rotation_and_new_ones_use_the_new_key(t: &TestDb) {
    let db = &t.db;
    let key_file = t.dir.join("keys").join("rapport.key");
    let mut vault = Vault::load_or_create(&key_file).unwrap();
    let (_, rel) = relationship(db).await;
    let old = checkins::insert(db, &vault, &rel.id, 1, &json!({}), Some("sealed before"))
        .await
        .unwrap();
    let old_key = vault.current_key_id();

    let new_key = vault.rotate(&key_file).unwrap();
    assert_ne!(new_key, old_key);
    assert_eq!(vault.current_key_id(), new_key);
    let new = checkins::insert(db, &vault, &rel.id, 2, &json!({}), Some("sealed after"))
        .await
        .unwrap();

    assert!(DataKey::sealed_with_client_key(
        &raw_need(db, &old.id).await.unwrap()
    ));
    assert!(DataKey::sealed_with_client_key(
        &raw_need(db, &new.id).await.unwrap()
    ));
    assert_eq!(
        Vault::key_id_of(&wrapped_key(db, &rel.client_id).await),
        Some(old_key),
        "the client's key stays wrapped by the deployment key it was made under"
    );
    let (_, later) = relationship(db).await;
    checkins::insert(db, &vault, &later.id, 1, &json!({}), Some("a new client"))
        .await
        .unwrap();
    assert_eq!(
        Vault::key_id_of(&wrapped_key(db, &later.client_id).await),
        Some(new_key),
        "a client key made after the rotation is wrapped by the new deployment key"
    );
    let needs = |list: Vec<checkins::StoredCheckIn>| -> Vec<Option<String>> {
        list.into_iter().map(|c| c.need).collect()
    };
    let expected = vec![
        Some("sealed before".to_owned()),
        Some("sealed after".to_owned()),
    ];
    assert_eq!(
        needs(checkins::list(db, &vault, &rel.id).await.unwrap()),
        expected
    );

    let reloaded = Vault::load_or_create(&key_file).unwrap();
    assert_eq!(
        reloaded.current_key_id(),
        new_key,
        "the file keeps both keys"
    );
    assert_eq!(
        needs(checkins::list(db, &reloaded, &rel.id).await.unwrap()),
        expected
    );
}

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

async fn migrations_run_twice_change_nothing(t: &TestDb) {
    let db = &t.db;
    let u = user(db, Role::Client).await;
    let before = versions(db).await;
    assert!(!before.is_empty());
    migrate::run(db).await.unwrap();
    migrate::run(db).await.unwrap();
    assert_eq!(versions(db).await, before, "nothing is applied twice");
    assert!(
        users::by_id(db, &u.id).await.unwrap().is_some(),
        "data survives"
    );
}

async fn migrations_started_together_apply_the_schema_once(t: &TestDb) {
    let db = t.unmigrated().await;
    let (a, b, c) = tokio::join!(migrate::run(&db), migrate::run(&db), migrate::run(&db));
    for (i, r) in [a, b, c].into_iter().enumerate() {
        assert!(
            r.is_ok(),
            "migration run {i} failed while others ran at the same time: {r:?}"
        );
    }
    let applied = versions(&db).await;
    assert_eq!(applied, versions(&t.db).await, "every migration, each once");
    let u = user(&db, Role::Client).await;
    assert!(users::by_id(&db, &u.id).await.unwrap().is_some());
    db.close().await;
}

#[test]
fn a_value_sealed_for_one_place_opens_only_there() {
    let vault = Vault::generate();
    let here = Place {
        table: "checkins",
        column: "need",
        row: "row-1",
    };
    let sealed = vault.seal(here, "private words");
    assert_eq!(vault.open(here, &sealed).unwrap(), "private words");
    for elsewhere in [
        Place {
            row: "row-2",
            ..here
        },
        Place {
            column: "answers",
            ..here
        },
        Place {
            table: "notes",
            ..here
        },
    ] {
        assert!(matches!(
            vault.open(elsewhere, &sealed),
            Err(StoreError::Crypto)
        ));
    }
    let mut tampered = sealed.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert!(vault.open(here, &tampered).is_err());
    let mut relabelled = sealed.clone();
    relabelled[..4].copy_from_slice(&2u32.to_be_bytes());
    assert!(
        vault.open(here, &relabelled).is_err(),
        "the key id is bound too"
    );
    assert!(vault.open(here, &sealed[..10]).is_err());
    assert_ne!(
        vault.seal(here, "private words"),
        sealed,
        "every value gets a fresh nonce"
    );
}

#[cfg(unix)]
fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn the_key_file_is_created_readable_by_its_owner_only_and_reloads_the_same_key() {
    let dir = temp_dir();
    let path = dir.join("nested").join("rapport.key");
    let first = Vault::load_or_create(&path).unwrap();
    assert_eq!(mode_of(&path), 0o600);
    let place = Place {
        table: "t",
        column: "c",
        row: "r",
    };
    let sealed = first.seal(place, "kept");
    let again = Vault::load_or_create(&path).unwrap();
    assert_eq!(again.open(place, &sealed).unwrap(), "kept");

    let mut rotated = again;
    rotated.rotate(&path).unwrap();
    assert_eq!(mode_of(&path), 0o600, "rotation keeps the file private");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_malformed_key_file_is_refused_naming_the_line() {
    let dir = temp_dir();
    let path = dir.join("rapport.key");
    std::fs::write(&path, format!("1 {}\n2 not-hex\n", "ab".repeat(32))).unwrap();
    match Vault::load_or_create(&path) {
        Err(KeyFileError::Format { line, .. }) => assert_eq!(line, 2),
        other => panic!("expected a format error on line 2, got {other:?}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Table → column → (type, nullable), with types spelled the same way for both databases.
type Shape = BTreeMap<String, BTreeMap<String, (String, bool)>>;

async fn sqlite_shape(db: &Db) -> (Shape, BTreeSet<String>) {
    let Db::Sqlite(s) = db else {
        panic!("not SQLite")
    };
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(&s.pool)
    .await
    .unwrap();
    let mut shape = Shape::new();
    for table in tables {
        let cols: Vec<(String, String, i64, i64)> =
            sqlx::query_as("SELECT name, type, \"notnull\", pk FROM pragma_table_info($1)")
                .bind(&table)
                .fetch_all(&s.pool)
                .await
                .unwrap();
        let cols = cols
            .into_iter()
            .map(|(name, ty, notnull, pk)| (name, (ty.to_uppercase(), notnull == 0 && pk == 0)))
            .collect();
        shape.insert(table, cols);
    }
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
    )
    .fetch_all(&s.pool)
    .await
    .unwrap();
    (shape, indexes.into_iter().collect())
}

async fn postgres_shape(db: &Db, schema: &str) -> (Shape, BTreeSet<String>) {
    let Db::Postgres(pool) = db else {
        panic!("not PostgreSQL")
    };
    let cols: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text FROM information_schema.columns WHERE table_schema = $1",
    )
    .bind(schema)
    .fetch_all(pool)
    .await
    .unwrap();
    let mut shape = Shape::new();
    for (table, column, ty, nullable) in cols {
        let ty = match ty.as_str() {
            "bytea" => "BLOB".to_owned(),
            other => other.to_uppercase(),
        };
        shape
            .entry(table)
            .or_default()
            .insert(column, (ty, nullable == "YES"));
    }
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT i.relname::text FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_namespace n ON n.oid = i.relnamespace WHERE n.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
    )
    .bind(schema)
    .fetch_all(pool)
    .await
    .unwrap();
    (shape, indexes.into_iter().collect())
}

#[tokio::test]
async fn the_sqlite_and_postgres_schemas_have_the_same_tables_columns_and_indexes() {
    let Some(url) = postgres_url() else {
        eprintln!("skipped: RAPPORT_TEST_POSTGRES_URL is not set");
        return;
    };
    let lite = TestDb::sqlite().await;
    let pg = TestDb::postgres(&url).await;
    let schema = pg.postgres.as_ref().unwrap().1.clone();
    let (lite_shape, lite_indexes) = sqlite_shape(&lite.db).await;
    let (pg_shape, pg_indexes) = postgres_shape(&pg.db, &schema).await;

    assert!(
        lite_shape.contains_key("users") && lite_shape.contains_key("audit_log"),
        "the SQLite schema was read: {lite_shape:?}"
    );
    assert_eq!(
        lite_shape.keys().collect::<Vec<_>>(),
        pg_shape.keys().collect::<Vec<_>>(),
        "the two migration folders create different tables"
    );
    for (table, lite_cols) in &lite_shape {
        assert_eq!(
            lite_cols, &pg_shape[table],
            "table {table}: columns (type, nullable) differ between SQLite (left) and PostgreSQL (right)"
        );
    }
    assert_eq!(
        lite_indexes, pg_indexes,
        "the two migration folders create different indexes"
    );
    lite.finish().await;
    pg.finish().await;
}
