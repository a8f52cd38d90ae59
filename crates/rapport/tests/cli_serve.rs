//! `rapport serve` as a process: bad configuration stops start-up with one clear line, an
//! unreachable database makes `/readyz` fail instead of crashing, and SIGTERM stops it cleanly.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn temp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("rapport-cli-serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn serve(dir: &std::path::Path, extra: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rapport"));
    c.arg("serve")
        .arg("--data-dir")
        .arg(dir.join("data"))
        .args(extra)
        .current_dir(dir);
    c
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn get(port: u16, path: &str) -> Option<u16> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    buf.split_whitespace().nth(1)?.parse().ok()
}

fn wait_listening(child: &mut Child) {
    let out = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(out).read_line(&mut line).unwrap();
    assert!(
        line.contains("Rapport is running"),
        "unexpected first line: {line}"
    );
}

#[test]
fn a_bad_database_url_stops_start_up_with_one_clear_line() {
    let dir = temp("badurl");
    let out = serve(&dir, &["--database-url", "mysql://nope"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("rapport:")).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains("database URL"), "{err}");
}

#[test]
fn an_unreadable_key_file_stops_start_up_naming_the_file() {
    let dir = temp("badkey");
    std::fs::write(dir.join("bad.key"), "this is not a key\n").unwrap();
    let out = serve(&dir, &["--key-file", "bad.key"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.key") && err.contains("line 1"), "{err}");
}

#[test]
fn an_unknown_option_is_refused_and_an_unknown_setting_is_warned_about() {
    let dir = temp("unknown");
    let out = serve(&dir, &["--no-such-option"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--no-such-option"));
    let port = free_port();
    let mut child = serve(&dir, &["--bind", &format!("127.0.0.1:{port}")])
        .env("RAPPORT_DATABSE_URL", "typo")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_listening(&mut child);
    send_signal(&child, "TERM");
    let out = child.wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown setting RAPPORT_DATABSE_URL"));
}

fn send_signal(child: &Child, signal: &str) {
    let ok = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(ok.success());
}

#[test]
fn an_unreachable_database_makes_readyz_fail_and_the_process_stays_up() {
    let dir = temp("unreachable");
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(
        dir.join("data/rapport.key"),
        format!("918273 {}\n", "5a".repeat(32)),
    )
    .unwrap();
    let dead = free_port();
    let port = free_port();
    let mut child = serve(
        &dir,
        &[
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &format!("postgres://postgres@127.0.0.1:{dead}/test"),
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    wait_listening(&mut child);
    assert_eq!(get(port, "/healthz"), Some(200));
    assert_eq!(get(port, "/readyz"), Some(503));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the process must keep running"
    );
    send_signal(&child, "TERM");
    assert!(child.wait().unwrap().success());
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let dir = temp("sigterm");
    let port = free_port();
    let mut child = serve(&dir, &["--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_listening(&mut child);
    let start = Instant::now();
    while get(port, "/readyz") != Some(200) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "never became ready"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    send_signal(&child, "TERM");
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}
