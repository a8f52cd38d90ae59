//! `rapport backup` / `rapport restore` through the real binary on SQLite files.

use std::process::Command;

fn rapport(args: &[&str], dir: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(args)
        .current_dir(dir)
        .env("RAPPORT_NEW_PASSWORD", "a long enough password")
        .output()
        .unwrap()
}

#[test]
fn a_backup_restores_into_a_fresh_folder_and_a_damaged_one_is_refused() {
    let dir = std::env::temp_dir().join(format!("rapport-cli-backup-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let made = rapport(
        &[
            "user",
            "create",
            "--email",
            "a@example.org",
            "--name",
            "Admin",
            "--role",
            "admin",
            "--data-dir",
            "one",
        ],
        &dir,
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let b = rapport(&["backup", "--out", "b.jsonl", "--data-dir", "one"], &dir);
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    let r = rapport(&["restore", "b.jsonl", "--data-dir", "two"], &dir);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let again = rapport(&["restore", "b.jsonl", "--data-dir", "two"], &dir);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));
    let text = std::fs::read_to_string(dir.join("b.jsonl"))
        .unwrap()
        .replace("a@example.org", "b@example.org");
    std::fs::write(dir.join("edited.jsonl"), text).unwrap();
    let bad = rapport(&["restore", "edited.jsonl", "--data-dir", "three"], &dir);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("checksum") && err.contains("nothing was changed"),
        "{err}"
    );
}

#[test]
fn keys_rotate_moves_stored_values_to_a_new_key() {
    let dir = std::env::temp_dir().join(format!("rapport-cli-rotate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let made = rapport(
        &[
            "user",
            "create",
            "--email",
            "k@example.org",
            "--name",
            "K",
            "--role",
            "client",
            "--data-dir",
            "d",
        ],
        &dir,
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let out = rapport(&["keys", "rotate", "--data-dir", "d"], &dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("is now current"), "{said}");
    let keys = std::fs::read_to_string(dir.join("d/rapport.key")).unwrap();
    assert_eq!(keys.lines().count(), 2, "the old key stays in the file");
}
