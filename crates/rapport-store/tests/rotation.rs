//! Key rotation: after `rotate` and `reseal_all`, every value opens with the new key alone.

use rapport_store::relationships;
use rapport_store::users::{self, Role};
use rapport_store::{Db, Vault, checkins, messages, rotation, with_pool};
use serde_json::json;
use support::backends;

mod support;

async fn fresh(pg: bool, dir: &std::path::Path) -> Db {
    support::fresh_in(pg, "r", dir).await
}

#[tokio::test]
async fn after_rotation_everything_opens_with_the_new_key_alone() {
    for pg in backends() {
        let dir = std::env::temp_dir().join(format!(
            "rapport-rotation-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let key_file = dir.join("rapport.key");
        let mut vault = Vault::create(&key_file).unwrap();
        let db = fresh(pg, &dir).await;
        let c = users::create(&db, "c@example.org", "Client", Role::Client, "hash")
            .await
            .unwrap();
        let rel = relationships::create(&db, &c.id, "Dr R", None, None)
            .await
            .unwrap();
        checkins::insert(
            &db,
            &vault,
            &rel.id,
            1,
            &json!({"session": 1}),
            Some("words before rotation"),
        )
        .await
        .unwrap();
        messages::send(
            &db,
            &vault,
            &rel.id,
            &c.id,
            "speak_up",
            "a note before rotation",
        )
        .await
        .unwrap();

        let old_id = vault.current_key_id();
        let new_id = vault.rotate(&key_file).unwrap();
        assert_ne!(new_id, old_id);
        assert_eq!(
            checkins::list(&db, &vault, &rel.id).await.unwrap()[0]
                .need
                .as_deref(),
            Some("words before rotation"),
            "old values stay readable during rotation"
        );
        let done = rotation::reseal_all(&db, &vault).await.unwrap();
        assert!(
            done.total() >= 1,
            "the wrapped client key is sealed again: {done:?}"
        );
        let wrapped: Vec<Vec<u8>> = with_pool!(&db, pool => sqlx::query_scalar("SELECT wrapped FROM user_keys").fetch_all(pool).await).unwrap();
        assert!(wrapped.iter().all(|w| Vault::key_id_of(w) == Some(new_id)));
        assert_eq!(
            rotation::reseal_all(&db, &vault).await.unwrap().total(),
            0,
            "a second run has nothing left to do"
        );

        let newest = std::fs::read_to_string(&key_file)
            .unwrap()
            .lines()
            .last()
            .unwrap()
            .to_owned();
        let only_new = dir.join("only-new.key");
        std::fs::write(&only_new, format!("{newest}\n")).unwrap();
        let retired = Vault::load(&only_new).unwrap();
        assert_eq!(
            checkins::list(&db, &retired, &rel.id).await.unwrap()[0]
                .need
                .as_deref(),
            Some("words before rotation")
        );
        assert_eq!(
            messages::list(&db, &retired, &rel.id).await.unwrap()[0].body,
            "a note before rotation"
        );
    }
}
