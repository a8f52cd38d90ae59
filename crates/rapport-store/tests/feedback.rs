//! Per-client keys, account deletion, alerts and practices, on SQLite always and on PostgreSQL
//! when `RAPPORT_TEST_POSTGRES_URL` is set (in CI a missing URL fails instead of skipping).

use rapport_store::care::Mail;
use rapport_store::crypto::Place;
use rapport_store::relationships::{self, Relationship, Sharing};
use rapport_store::users::{self, Role, User};
use rapport_store::{
    DataKey, Db, StoreError, Vault, alerts, checkins, erase, messages, practices, user_keys,
    with_pool,
};
use serde_json::json;

async fn databases() -> Vec<(Db, Option<String>)> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = std::env::temp_dir().join(format!("rapport-fb-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut out = vec![(
        Db::open_sqlite_file(&dir.join("rapport.db")).await.unwrap(),
        None,
    )];
    match std::env::var("RAPPORT_TEST_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => {
            let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
            out.push((
                Db::connect_postgres_schema(&url, &schema).await.unwrap(),
                Some(schema),
            ));
        }
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true but RAPPORT_TEST_POSTGRES_URL is not set")
        }
        _ => {}
    }
    out
}

/// Closes a test database and drops its PostgreSQL schema.
async fn done(db: Db, schema: Option<String>) {
    db.close().await;
    if let (Some(schema), Ok(url)) = (schema, std::env::var("RAPPORT_TEST_POSTGRES_URL")) {
        let admin = sqlx::PgPool::connect(&url).await.unwrap();
        sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
    }
}

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

async fn shared(db: &Db, client: &User, therapist: &User, sharing: Sharing) -> Relationship {
    let rel = relationships::create(db, &client.id, "Dr Ng", Some(&therapist.id), None)
        .await
        .unwrap();
    relationships::answer(
        db,
        &therapist.id,
        &rel.id,
        relationships::Answer::Accepted,
        rapport_store::now_ms(),
    )
    .await
    .unwrap();
    relationships::set_sharing(db, &client.id, &rel.id, sharing)
        .await
        .unwrap();
    rel
}

async fn bytes(db: &Db, sql: &str, id: &str) -> Vec<u8> {
    with_pool!(db, pool => sqlx::query_scalar(sql).bind(id).fetch_one(pool).await).unwrap()
}

async fn count(db: &Db, sql: &str, id: &str) -> i64 {
    with_pool!(db, pool => sqlx::query_scalar(sql).bind(id).fetch_one(pool).await).unwrap()
}

fn place<'a>(table: &'a str, column: &'a str, row: &'a str) -> Place<'a> {
    Place { table, column, row }
}

#[tokio::test]
async fn a_deleted_clients_old_ciphertext_can_no_longer_be_opened() {
    for (db, schema) in databases().await {
        let vault = Vault::generate();
        let client = user(&db, Role::Client).await;
        let therapist = user(&db, Role::Therapist).await;
        let rel = shared(&db, &client, &therapist, Sharing::Answers).await;
        let c = checkins::insert(&db, &vault, &rel.id, 1, &json!({}), Some("my private need"))
            .await
            .unwrap();
        let m = messages::send(&db, &vault, &rel.id, &client.id, "speak_up", "my note")
            .await
            .unwrap();
        let old_need = bytes(&db, "SELECT need FROM checkins WHERE id = $1", &c.id).await;
        let old_body = bytes(&db, "SELECT body FROM messages WHERE id = $1", &m.id).await;
        assert!(
            DataKey::sealed_with_client_key(&old_need)
                && DataKey::sealed_with_client_key(&old_body)
        );
        let key = user_keys::get(&db, &vault, &client.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            key.open(place("checkins", "need", &c.id), &old_need)
                .unwrap(),
            "my private need",
            "{schema:?}: the copy opens while the account exists"
        );
        assert_eq!(
            key.open(place("messages", "body", &m.id), &old_body)
                .unwrap(),
            "my note"
        );

        let erased = erase::client(&db, &client.id, &[]).await.unwrap();
        assert!(erased.key_destroyed);

        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM user_keys WHERE user_id = $1",
                &client.id
            )
            .await,
            0,
            "the wrapped key is gone"
        );
        assert!(
            user_keys::get(&db, &vault, &client.id)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            matches!(
                vault.open(place("checkins", "need", &c.id), &old_need),
                Err(StoreError::Crypto)
            ),
            "the deployment key never opened it"
        );
        assert!(
            matches!(
                DataKey::generate(&client.id).open(place("checkins", "need", &c.id), &old_need),
                Err(StoreError::Crypto)
            ),
            "a new key for the same id does not either"
        );
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM checkins WHERE id = $1", &c.id).await,
            0
        );
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM messages WHERE id = $1", &m.id).await,
            0
        );
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM users WHERE id = $1", &client.id).await,
            0
        );
        assert!(matches!(
            erase::client(&db, &client.id, &[]).await,
            Err(StoreError::NotFound)
        ));
        assert!(
            matches!(
                erase::client(&db, &therapist.id, &[]).await,
                Err(StoreError::NotFound)
            ),
            "only clients are erased this way"
        );
        done(db, schema).await;
    }
}

#[tokio::test]
async fn pooled_endings_and_courses_stay_pooled_without_a_link_to_the_client() {
    for (db, schema) in databases().await {
        let client = user(&db, Role::Client).await;
        let therapist = user(&db, Role::Therapist).await;
        let rel = shared(&db, &client, &therapist, Sharing::Trend).await;
        with_pool!(&db, pool => sqlx::query("INSERT INTO care_stages (relationship_id, stage, ended_by, ended_at, ending_reason, closing_requested, updated_at) VALUES ($1, 'ended', 'client', 1000, 'too_intense', 0, 1000)").bind(&rel.id).execute(pool).await.map(|r| r.rows_affected())).unwrap();
        let summary = r#"{"paired":[15,6,11,5],"phq9":[15,6],"gad7":[11,5],"finished":true}"#;
        let erased = erase::client(
            &db,
            &client.id,
            &[(therapist.id.clone(), summary.to_owned())],
        )
        .await
        .unwrap();
        assert_eq!((erased.pooled_endings, erased.pooled_courses), (1, 1));
        let reasons = rapport_store::outcomes::pooled_endings(&db, &therapist.id)
            .await
            .unwrap();
        assert_eq!(reasons, vec![("too_intense".to_owned(), 1000)]);
        let courses = rapport_store::outcomes::pooled_courses_of(&db, &therapist.id)
            .await
            .unwrap();
        assert_eq!(courses, vec![(therapist.id.clone(), summary.to_owned())]);
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM pooled_endings WHERE id = $1",
                &rel.id
            )
            .await,
            0,
            "the pooled row does not reuse the relationship's id"
        );
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM relationships WHERE client_id = $1",
                &client.id
            )
            .await,
            0
        );
        done(db, schema).await;
    }
}

#[tokio::test]
async fn text_sealed_before_per_client_keys_stays_readable_and_moves_to_the_clients_key() {
    for (db, schema) in databases().await {
        let vault = Vault::generate();
        let client = user(&db, Role::Client).await;
        let rel = relationships::create(&db, &client.id, "Dr Ng", None, None)
            .await
            .unwrap();
        let c = checkins::insert(&db, &vault, &rel.id, 1, &json!({}), None)
            .await
            .unwrap();
        let legacy = vault.seal(place("checkins", "need", &c.id), "sealed the old way");
        with_pool!(&db, pool => sqlx::query("UPDATE checkins SET need = $1 WHERE id = $2").bind(&legacy).bind(&c.id).execute(pool).await.map(|r| r.rows_affected())).unwrap();
        assert_eq!(
            checkins::list(&db, &vault, &rel.id).await.unwrap()[0]
                .need
                .as_deref(),
            Some("sealed the old way")
        );

        let m = messages::send(
            &db,
            &vault,
            &rel.id,
            &client.id,
            "speak_up",
            "said the old way",
        )
        .await
        .unwrap();
        let legacy = vault.seal(place("messages", "body", &m.id), "said the old way");
        with_pool!(&db, pool => sqlx::query("UPDATE messages SET body = $1 WHERE id = $2").bind(&legacy).bind(&m.id).execute(pool).await.map(|r| r.rows_affected())).unwrap();

        assert_eq!(user_keys::reseal_legacy(&db, &vault).await.unwrap(), 2);
        let now = bytes(&db, "SELECT need FROM checkins WHERE id = $1", &c.id).await;
        assert!(DataKey::sealed_with_client_key(&now));
        let now = bytes(&db, "SELECT body FROM messages WHERE id = $1", &m.id).await;
        assert!(DataKey::sealed_with_client_key(&now));
        assert_eq!(
            messages::list(&db, &vault, &rel.id).await.unwrap()[0].body,
            "said the old way"
        );
        assert_eq!(
            checkins::list(&db, &vault, &rel.id).await.unwrap()[0]
                .need
                .as_deref(),
            Some("sealed the old way")
        );
        assert_eq!(
            user_keys::reseal_legacy(&db, &vault).await.unwrap(),
            0,
            "done once"
        );
        done(db, schema).await;
    }
}

fn mail(therapist: &str, n: usize) -> Mail {
    Mail {
        user_id: therapist.to_owned(),
        kind: "alert".into(),
        subject: "Alert".into(),
        body: format!("{n} alerts"),
    }
}

fn alert(kind: &str, measure: bool) -> alerts::NewAlert {
    alerts::NewAlert {
        kind: kind.into(),
        measure,
        session: Some(4),
        response_id: None,
        detail: "Session 4".into(),
    }
}

#[tokio::test]
async fn alerts_are_never_stored_for_a_private_relationship_and_measures_need_measure_sharing() {
    for (db, schema) in databases().await {
        let vault = Vault::generate();
        let client = user(&db, Role::Client).await;
        let therapist = user(&db, Role::Therapist).await;
        let rel = shared(&db, &client, &therapist, Sharing::Private).await;
        let outbox = "SELECT COUNT(*) FROM outbox WHERE user_id = $1";

        let stored = alerts::record(&db, &vault, &rel.id, &[alert("rupture", false)], mail)
            .await
            .unwrap();
        assert!(stored.is_empty());
        assert_eq!(
            count(&db, outbox, &therapist.id).await,
            0,
            "no e-mail either"
        );

        relationships::set_sharing(&db, &client.id, &rel.id, Sharing::Trend)
            .await
            .unwrap();
        let stored = alerts::record(
            &db,
            &vault,
            &rel.id,
            &[alert("rupture", false), alert("crisis", true)],
            mail,
        )
        .await
        .unwrap();
        assert_eq!(stored.len(), 1, "the measure alert needs measure sharing");
        assert_eq!(count(&db, outbox, &therapist.id).await, 1);

        relationships::set_share_outcomes(&db, &client.id, &rel.id, true)
            .await
            .unwrap();
        assert_eq!(
            alerts::record(&db, &vault, &rel.id, &[alert("crisis", true)], mail)
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            alerts::for_therapist(&db, &vault, &therapist.id)
                .await
                .unwrap()
                .len(),
            2
        );

        relationships::set_share_outcomes(&db, &client.id, &rel.id, false)
            .await
            .unwrap();
        assert_eq!(
            alerts::for_therapist(&db, &vault, &therapist.id)
                .await
                .unwrap()
                .len(),
            1,
            "taking measures back hides their alerts"
        );
        relationships::set_sharing(&db, &client.id, &rel.id, Sharing::Private)
            .await
            .unwrap();
        assert!(
            alerts::for_therapist(&db, &vault, &therapist.id)
                .await
                .unwrap()
                .is_empty(),
            "and going private hides all"
        );
        let stranger = user(&db, Role::Therapist).await;
        assert!(
            alerts::for_therapist(&db, &vault, &stranger.id)
                .await
                .unwrap()
                .is_empty()
        );
        done(db, schema).await;
    }
}

#[tokio::test]
async fn an_account_belongs_to_one_practice_and_clients_to_none() {
    for (db, schema) in databases().await {
        let a = practices::create(&db, &format!("A {}", uuid::Uuid::new_v4()))
            .await
            .unwrap();
        let b = practices::create(&db, &format!("B {}", uuid::Uuid::new_v4()))
            .await
            .unwrap();
        assert!(matches!(
            practices::create(&db, &a.name).await,
            Err(StoreError::Conflict(_))
        ));
        let t = user(&db, Role::Therapist).await;
        let admin = user(&db, Role::Admin).await;
        let client = user(&db, Role::Client).await;
        assert!(practices::join(&db, &a.id, &t.id).await.unwrap());
        assert!(practices::join(&db, &a.id, &admin.id).await.unwrap());
        assert!(matches!(
            practices::join(&db, &b.id, &t.id).await,
            Err(StoreError::Conflict(_))
        ));
        assert!(!practices::join(&db, &a.id, &client.id).await.unwrap());
        assert_eq!(
            practices::of_user(&db, &t.id).await.unwrap().unwrap().id,
            a.id
        );
        assert_eq!(practices::members(&db, &a.id).await.unwrap().len(), 2);
        assert!(practices::leave(&db, &a.id, &t.id).await.unwrap());
        assert!(practices::join(&db, &b.id, &t.id).await.unwrap());
        let s = practices::settings(&db, &t.id).await.unwrap();
        assert_eq!((s.overdue_days, s.publish_effectiveness), (10, false));
        practices::put_settings(
            &db,
            &t.id,
            practices::TherapistSettings {
                overdue_days: 400,
                publish_effectiveness: true,
            },
        )
        .await
        .expect_err("the database refuses 400 days");
        done(db, schema).await;
    }
}
