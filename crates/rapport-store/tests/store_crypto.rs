//! The store conformance suite, encryption at rest (on both databases, see `store.rs`): needs
//! sealed and bound to their row, key rotation, values sealed for one place only, the key file.

#[macro_use]
mod conformance;

use conformance::*;
use rapport_store::crypto::{KeyFileError, Place};
use rapport_store::{DataKey, StoreError, Vault, checkins, user_keys, with_pool};
use serde_json::json;
use std::path::Path;

on_both_databases!(
    a_need_is_encrypted_at_rest_and_decrypts_back,
    a_need_copied_into_another_row_fails_to_decrypt,
    old_needs_stay_readable_after_key_rotation_and_new_ones_use_the_new_key,
);

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
    let mut vault = Vault::create(&key_file).unwrap();
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

    let reloaded = Vault::load(&key_file).unwrap();
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
    let first = Vault::create(&path).unwrap();
    assert_eq!(mode_of(&path), 0o600);
    let place = Place {
        table: "t",
        column: "c",
        row: "r",
    };
    let sealed = first.seal(place, "kept");
    let again = Vault::load(&path).unwrap();
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
    match Vault::load(&path) {
        Err(KeyFileError::Format { line, .. }) => assert_eq!(line, 2),
        other => panic!("expected a format error on line 2, got {other:?}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
