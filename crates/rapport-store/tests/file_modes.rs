//! The database, its write-ahead log and shared-memory files and backups are owner-only (0600 in
//! a 0700 folder) whatever the umask, and anything wider is reported rather than changed.

use rapport_store::files::{self, sqlite_paths, wider_than_private};
use rapport_store::users::{self, Role};
use rapport_store::{Db, SqliteSync, backup, migrate};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// The usual default umask, under which SQLite and `File::create` make files 0644.
fn usual_umask() {
    // SAFETY: umask only swaps the process's creation mask; every test here sets the same value.
    unsafe {
        libc::umask(0o022);
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{} is missing: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A data folder made the way `rapport` makes it before opening the database
/// (`create_dir_all`, so 0755 under the usual umask).
fn data_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rapport-modes-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Opens `path` the way `rapport serve` does (a `sqlite:` URL), migrates it and writes a row, so
/// that the write-ahead log and shared-memory files exist.
async fn open_and_write(path: &Path) -> Db {
    let db = Db::open_with(&format!("sqlite:{}", path.display()), SqliteSync::Normal).unwrap();
    migrate::run(&db).await.unwrap();
    let email = format!("{}@example.org", uuid::Uuid::new_v4().simple());
    users::create(&db, &email, "Client", Role::Client, "hash")
        .await
        .unwrap();
    db
}

#[tokio::test]
async fn a_new_database_and_its_wal_and_shm_files_are_0600_in_a_0700_folder_under_umask_022() {
    usual_umask();
    let dir = data_dir();
    let path = dir.join("rapport.db");
    let db = open_and_write(&path).await;
    let [folder, file, wal, shm] = sqlite_paths(&path).try_into().unwrap();
    assert_eq!(mode(&folder), 0o700, "data folder");
    assert_eq!(mode(&file), 0o600, "database file");
    assert_eq!(mode(&wal), 0o600, "write-ahead log");
    assert_eq!(mode(&shm), 0o600, "shared-memory index");
    db.close().await;
}

#[tokio::test]
async fn a_backup_file_is_0600_under_umask_022_even_over_a_wider_file_of_the_same_name() {
    usual_umask();
    let dir = data_dir();
    let db = open_and_write(&dir.join("rapport.db")).await;
    let out = dir.join("nightly.rapport-backup");
    std::fs::write(&out, "an older, world-readable copy").unwrap();
    chmod(&out, 0o644);
    let header = backup::write_file(&db, &out).await.unwrap();
    assert_eq!(mode(&out), 0o600);
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(backup::check(&text).unwrap().header().sha256, header.sha256);
    assert!(
        !out.with_extension("partial").exists(),
        "the partial file is renamed into place"
    );
    db.close().await;
}

#[tokio::test]
async fn a_folder_rapport_creates_is_0700_under_umask_022_parents_included() {
    usual_umask();
    let top = data_dir().join("new");
    let nested = top.join("data");
    files::create_private_dir(&nested).unwrap();
    assert_eq!(mode(&top), 0o700);
    assert_eq!(mode(&nested), 0o700);
}

#[tokio::test]
async fn an_existing_database_left_wider_is_not_changed_but_named_for_the_start_up_warning() {
    usual_umask();
    let dir = data_dir();
    let path = dir.join("rapport.db");
    open_and_write(&path).await.close().await;
    chmod(&dir, 0o755);
    chmod(&path, 0o644);
    let db = open_and_write(&path).await;
    assert_eq!(mode(&dir), 0o755, "an operator's choice is left alone");
    assert_eq!(mode(&path), 0o644);
    let named: Vec<PathBuf> = wider_than_private(&sqlite_paths(&path))
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert!(named.contains(&dir), "the folder is named: {named:?}");
    assert!(named.contains(&path), "the file is named: {named:?}");
    db.close().await;
}
