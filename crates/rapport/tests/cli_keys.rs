//! The key file and its database stay together: a restore never makes a key, a server never
//! starts with a key file that cannot open what the database holds, and key ids are random.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

fn temp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("rapport-cli-keys-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn rapport(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rapport"));
    c.args(args)
        .current_dir(dir)
        .env_remove("RAPPORT_DATABASE_URL");
    c
}

fn run(dir: &Path, args: &[&str]) -> Output {
    rapport(dir, args).output().unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `rapport <cmd>` and waits until it says it is running (or stops); returns the line.
fn start(dir: &Path, args: &[&str]) -> (Child, String) {
    let mut child = rapport(dir, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while out.read_line(&mut line).unwrap() > 0 && !line.contains("Rapport is running") {
        line.clear();
    }
    (child, line)
}

fn stop(mut child: Child) {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let _ = child.wait();
}

/// A demo database (with encrypted notes and needs) backed up to `b.jsonl` in `dir`.
fn demo_backup(dir: &Path) {
    let port = free_port().to_string();
    let (child, line) = start(
        dir,
        &[
            "demo",
            "--data-dir",
            "one",
            "--bind",
            &format!("127.0.0.1:{port}"),
        ],
    );
    assert!(line.contains("Rapport is running"), "{line}");
    stop(child);
    let b = run(dir, &["backup", "--out", "b.jsonl", "--data-dir", "one"]);
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_restore_never_makes_a_key_and_a_server_without_the_key_refuses_to_start() {
    let dir = temp("restore");
    demo_backup(&dir);
    let r = run(&dir, &["restore", "b.jsonl", "--data-dir", "two"]);
    assert!(r.status.success(), "{}", stderr(&r));
    assert!(stderr(&r).contains("is missing"), "{}", stderr(&r));
    assert!(!dir.join("two/rapport.key").exists(), "restore made a key");

    let port = free_port().to_string();
    let bind = format!("127.0.0.1:{port}");
    let refused = run(&dir, &["serve", "--data-dir", "two", "--bind", &bind]);
    assert!(!refused.status.success());
    let err = stderr(&refused);
    assert!(err.contains("two/rapport.key is missing"), "{err}");
    assert!(err.contains("put back the key file"), "{err}");
    assert!(!dir.join("two/rapport.key").exists(), "serve made a key");

    std::fs::copy(dir.join("one/rapport.key"), dir.join("two/rapport.key")).unwrap();
    let (child, line) = start(&dir, &["serve", "--data-dir", "two", "--bind", &bind]);
    assert!(line.contains("Rapport is running"), "{line}");
    stop(child);
}

#[test]
fn a_key_file_that_cannot_open_the_database_stops_the_server() {
    let dir = temp("foreign");
    demo_backup(&dir);
    let r = run(&dir, &["restore", "b.jsonl", "--data-dir", "two"]);
    assert!(r.status.success(), "{}", stderr(&r));
    std::fs::write(
        dir.join("two/rapport.key"),
        format!("4242 {}\n", "7e".repeat(32)),
    )
    .unwrap();
    let port = free_port().to_string();
    let mut child = rapport(
        &dir,
        &[
            "serve",
            "--data-dir",
            "two",
            "--bind",
            &format!("127.0.0.1:{port}"),
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let status = child.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(
        !status.success(),
        "the server kept running with a foreign key"
    );
    assert!(err.contains("does not hold key"), "{err}");
}

#[test]
fn key_ids_are_random_so_two_deployments_never_share_one() {
    let dir = temp("ids");
    let ids: Vec<String> = ["a", "b"]
        .iter()
        .map(|d| {
            let made = run(&dir, &["keys", "rotate", "--data-dir", d]);
            assert!(made.status.success(), "{}", stderr(&made));
            let text = std::fs::read_to_string(dir.join(d).join("rapport.key")).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(lines.len(), 2);
            assert_ne!(lines[0].split(' ').next(), lines[1].split(' ').next());
            lines[0].split(' ').next().unwrap().to_owned()
        })
        .collect();
    assert_ne!(ids[0], ids[1]);
    assert!(ids.iter().all(|id| id != "1"), "{ids:?}");
}
