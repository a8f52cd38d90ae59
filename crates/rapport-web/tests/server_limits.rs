//! Connection limits on a real server on loopback: silent, half-sent and stalled connections are
//! closed within the configured time, beyond the cap connections are refused at once, ordinary
//! requests still work, and shutdown still lets a request in flight finish. The limits are set to
//! a second or so here, so each test takes seconds, never minutes.

use common::{Backend, TestApp, fresh_db, spawn_app_with};
use rapport_store::Vault;
use rapport_web::{AppState, Config, ConnectionLimits};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod common;

/// Longer than any limit set here: a connection still open after this was never going to close.
const PATIENCE: Duration = Duration::from_secs(6);

const HEALTH: &[u8] = b"GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n";

/// A login announcing a 200-byte body, split in two: the head with the body's first 20 bytes,
/// and the rest (a test sends the first part only, or both with a pause between).
fn login_head_and_start() -> (Vec<u8>, Vec<u8>) {
    let shape =
        |password: &str| format!(r#"{{"email":"nobody@example.org","password":"{password}"}}"#);
    let body = shape(&"x".repeat(200 - shape("").len()));
    let head = "POST /api/v1/session HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 200\r\n\r\n";
    let (start, rest) = body.split_at(20);
    (
        format!("{head}{start}").into_bytes(),
        rest.as_bytes().to_vec(),
    )
}

async fn app(limits: ConnectionLimits) -> TestApp {
    spawn_app_with(Backend::Sqlite, |c| c.connections = limits).await
}

fn limits(header_read: u64, idle: u64, max_connections: usize) -> ConnectionLimits {
    ConnectionLimits {
        header_read: Duration::from_millis(header_read),
        idle: Duration::from_millis(idle),
        max_connections,
    }
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Reads until the server closes the connection (end of file or reset); what it sent, and how
/// long that took. Panics if it is still open after [`PATIENCE`].
async fn until_closed(stream: &mut TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(PATIENCE, stream.read(&mut buf)).await {
            Err(_) => panic!(
                "the server held the connection open for {PATIENCE:?}; it had sent {:?}",
                String::from_utf8_lossy(&got)
            ),
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
    (
        String::from_utf8_lossy(&got).into_owned(),
        started.elapsed(),
    )
}

/// Reads one whole response from a kept-alive connection: its head and `content-length` bytes.
async fn one_response(stream: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(PATIENCE, stream.read(&mut buf))
            .await
            .expect("no response in time")
            .unwrap();
        assert!(n > 0, "closed before a whole response: {got:?}");
        got.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&got).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(|v| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            if body.len() >= length {
                return text;
            }
        }
    }
}

#[tokio::test]
async fn a_client_that_connects_and_sends_nothing_is_disconnected_after_the_header_read_limit() {
    let app = app(limits(1000, 30_000, 64)).await;
    let mut silent = connect(&app).await;
    let (_, took) = until_closed(&mut silent).await;
    assert!(
        took >= Duration::from_millis(900),
        "closed too early: {took:?}"
    );
}

#[tokio::test]
async fn a_client_that_stops_halfway_through_its_headers_is_disconnected_after_the_header_read_limit()
 {
    let app = app(limits(1000, 30_000, 64)).await;
    let mut half = connect(&app).await;
    half.write_all(b"GET /healthz HTTP/1.1\r\nhost: loc")
        .await
        .unwrap();
    let (sent, _) = until_closed(&mut half).await;
    assert!(
        !sent.contains("200 OK"),
        "a half request was answered: {sent}"
    );
}

#[tokio::test]
async fn a_kept_alive_connection_serves_request_after_request_then_closes_once_quiet_for_the_header_read_limit()
 {
    let app = app(limits(1000, 30_000, 64)).await;
    let mut conn = connect(&app).await;
    for _ in 0..3 {
        conn.write_all(HEALTH).await.unwrap();
        let response = one_response(&mut conn).await;
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    }
    let (_, took) = until_closed(&mut conn).await;
    assert!(
        took >= Duration::from_millis(900),
        "closed too early: {took:?}"
    );
    let via_client = common::client()
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(via_client.status(), 200);
}

#[tokio::test]
async fn a_client_that_stops_halfway_through_its_body_is_disconnected_after_the_idle_limit() {
    let app = app(limits(30_000, 1000, 64)).await;
    let mut stalled = connect(&app).await;
    let (start, _) = login_head_and_start();
    stalled.write_all(&start).await.unwrap();
    let (_, took) = until_closed(&mut stalled).await;
    assert!(
        took >= Duration::from_millis(900),
        "closed too early: {took:?}"
    );
}

#[tokio::test]
async fn connections_beyond_the_cap_are_answered_503_at_once_and_served_again_once_others_close() {
    let app = app(limits(30_000, 30_000, 2)).await;
    let holders = [connect(&app).await, connect(&app).await];
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut beyond = connect(&app).await;
    let (sent, took) = until_closed(&mut beyond).await;
    assert!(sent.starts_with("HTTP/1.1 503"), "beyond the cap: {sent:?}");
    assert!(took < Duration::from_secs(1), "refused only after {took:?}");
    drop(holders);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let served = common::client()
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        served.status(),
        200,
        "a slot freed by a closed connection is used again"
    );
}

#[tokio::test]
async fn shutdown_lets_a_request_in_flight_finish_then_stops_serving() {
    let (db, dir) = fresh_db(Backend::Sqlite).await;
    let config = Config {
        data_dir: dir,
        auth_attempts_per_minute: 1000,
        ..Config::default()
    };
    let state = AppState::new(config, db, Vault::generate());
    state.set_ready();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(rapport_web::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let mut in_flight = TcpStream::connect(addr).await.unwrap();
    let (start, rest) = login_head_and_start();
    in_flight.write_all(&start).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    in_flight.write_all(&rest).await.unwrap();
    let (answer, _) = until_closed(&mut in_flight).await;
    assert!(
        answer.starts_with("HTTP/1.1 422"),
        "the request in flight: {answer:?}"
    );
    tokio::time::timeout(PATIENCE, server)
        .await
        .expect("serve returns once its connections are done")
        .unwrap()
        .unwrap();
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "nothing listens after shutdown"
    );
}
