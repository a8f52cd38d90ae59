//! The session lookup on SQLite runs on the calling thread (`SyncReads`): it must answer exactly
//! what the pool would, at once after any write by this process or another, and a database it
//! cannot open must still be answered through the pool.

use rapport_store::users::{self, Role};
use rapport_store::{Db, Vault, checkins, relationships, sessions};
use serde_json::json;

mod support;

fn reads(db: &Db) -> Option<&rapport_store::SyncReads> {
    match db {
        Db::Sqlite(s) => s.reads.as_deref(),
        Db::Postgres(_) => None,
    }
}

#[tokio::test]
async fn lookups_on_the_calling_thread_see_every_committed_write_at_once() {
    let dir = std::env::temp_dir().join(format!("rapport-sync-{}", uuid::Uuid::new_v4().simple()));
    let server = support::fresh_in(false, "sync", &dir).await;
    // A second handle on the same file stands for a command run beside the server.
    let beside = Db::open_sqlite_file(&dir.join("rapport.db")).await.unwrap();
    let u = users::create(&server, "s@example.org", "S", Role::Client, "h")
        .await
        .unwrap();
    sessions::create(&server, "h1", &u.id, "csrf-1", 60_000)
        .await
        .unwrap();
    sessions::create(&server, "h2", &u.id, "csrf-2", 60_000)
        .await
        .unwrap();
    sessions::create(&server, "old", &u.id, "csrf-old", -1)
        .await
        .unwrap();

    let before = reads(&server)
        .expect("a file database reads on the thread")
        .served();
    let found = sessions::find(&server, "h1").await.unwrap().unwrap();
    assert_eq!(
        (
            found.user.id.as_str(),
            found.user.email.as_str(),
            found.user.role
        ),
        (u.id.as_str(), "s@example.org", Role::Client)
    );
    assert_eq!(found.csrf, "csrf-1");
    assert!(
        sessions::find(&server, "old").await.unwrap().is_none(),
        "expired"
    );
    assert!(sessions::find(&server, "nope").await.unwrap().is_none());
    assert_eq!(
        reads(&server).unwrap().served(),
        before + 3,
        "all three lookups were answered on the calling thread"
    );

    // A logout in this process ends the session at once.
    sessions::delete(&server, "h1").await.unwrap();
    assert!(sessions::find(&server, "h1").await.unwrap().is_none());

    // So does one made by another process on the same file.
    sessions::delete(&beside, "h2").await.unwrap();
    assert!(sessions::find(&server, "h2").await.unwrap().is_none());

    // And the data version read with the session moves with another process's check-in.
    sessions::create(&server, "h3", &u.id, "csrf-3", 60_000)
        .await
        .unwrap();
    let v0 = sessions::find(&server, "h3")
        .await
        .unwrap()
        .unwrap()
        .data_version;
    let rel = relationships::create(&beside, &u.id, "Dr B", None, None)
        .await
        .unwrap();
    checkins::insert(
        &beside,
        &Vault::generate(),
        &rel.id,
        1,
        &json!({"session": 1}),
        None,
    )
    .await
    .unwrap();
    let v1 = sessions::find(&server, "h3")
        .await
        .unwrap()
        .unwrap()
        .data_version;
    assert!(
        v1 > v0,
        "version {v0} must move after another process's writes, got {v1}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_in_memory_database_is_answered_by_the_pool() {
    let db = Db::connect("sqlite::memory:").await.unwrap();
    assert!(
        reads(&db).is_none(),
        "no other connection can open a private in-memory database"
    );
    let u = users::create(&db, "m@example.org", "M", Role::Client, "h")
        .await
        .unwrap();
    sessions::create(&db, "m1", &u.id, "csrf-m", 60_000)
        .await
        .unwrap();
    assert_eq!(
        sessions::find(&db, "m1").await.unwrap().unwrap().user.id,
        u.id
    );
}
