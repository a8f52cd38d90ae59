//! E-mail delivery against a real SMTP peer (Python's `aiosmtpd`, started by the test): messages
//! are delivered once, two workers never send one message twice, and a server that is down
//! leaves the message queued and retried with backoff until it is delivered, exactly once.

mod care_support;
mod common;

use care_support::*;
use rapport_store::care::{Mail, outbox};
use rapport_web::features::care::worker::Mailer;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// An `aiosmtpd` server printing every message it receives; stopped on drop.
struct SmtpPeer {
    child: Child,
    seen: Arc<Mutex<String>>,
}

impl SmtpPeer {
    fn start(port: u16) -> SmtpPeer {
        let mut child = Command::new("python3")
            .args([
                "-u",
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("could not start python3 for the SMTP peer (is Python 3 installed?): {e}")
            });
        let seen = Arc::new(Mutex::new(String::new()));
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let seen = seen.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    seen.lock().unwrap().push_str(&format!("{line}\n"));
                }
            });
        }
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "the SMTP peer exited ({status}); is aiosmtpd installed (pip install aiosmtpd)?\n{}",
                    seen.lock().unwrap()
                );
            }
            assert!(
                Instant::now() < deadline,
                "the SMTP peer did not start listening"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        SmtpPeer { child, seen }
    }

    /// Waits until the server has printed `needle` `times` times (or fails).
    fn wait_for(&self, needle: &str, times: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let text = self.seen.lock().unwrap().clone();
            if text.matches(needle).count() >= times {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "the SMTP peer never received {needle:?}:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for SmtpPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Every outbox row, whoever's, read directly: delivery is the deployment's, while an
/// administrator reads only their practice's rows (see `api_outbox_scope`).
async fn all_rows(app: &common::TestApp) -> Vec<outbox::OutboxEntry> {
    let sql = "SELECT o.id, u.display_name AS recipient, o.kind, o.subject, o.status, o.attempts, o.next_attempt_at, o.last_error, o.created_at, o.sent_at FROM outbox o JOIN users u ON u.id = o.user_id ORDER BY o.created_at DESC, o.id DESC";
    rapport_store::with_pool!(&app.state.db, pool => sqlx::query_as(sql).fetch_all(pool).await)
        .unwrap()
}

async fn queue(app: &common::TestApp, to: &common::User, subject: &str) -> String {
    let mail = Mail {
        user_id: to.id.clone(),
        kind: "test".into(),
        subject: subject.into(),
        body: format!("Body of {subject}"),
    };
    outbox::enqueue(&app.state.db, &app.state.vault, &mail)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_mail_reaches_a_real_smtp_server_once_even_with_two_workers() {
    for backend in common::backends() {
        let port = free_port();
        let peer = SmtpPeer::start(port);
        let app = common::spawn_app_with(backend, |c| {
            c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
            c.mail_from = "Rapport <rapport@example.org>".into();
        })
        .await;
        let t = therapist_with_week(&app).await;
        let client = app.signup("client").await;
        let slot = free_after_days(&app, &client, &t.id, 2).await;
        assert_eq!(
            book(&app, &client, &t.id, &slot, "consultation", 1)
                .await
                .status(),
            201
        );
        let mut ids = Vec::new();
        for i in 0..6 {
            ids.push(queue(&app, &client, &format!("Note {i}")).await);
        }
        let (one, two) = (
            Mailer::from_config(&app.state).unwrap().unwrap(),
            Mailer::from_config(&app.state).unwrap().unwrap(),
        );
        let now = rapport_store::now_ms();
        let (a, b) = tokio::join!(one.deliver(&app.state, now), two.deliver(&app.state, now));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(
            a.sent + b.sent,
            8,
            "{backend:?}: every message sent, none twice: {a:?} {b:?}"
        );
        let text = peer.wait_for("Message-ID:", 8);
        for id in &ids {
            assert_eq!(
                text.matches(&format!("<{id}@rapport>")).count(),
                1,
                "{backend:?}: {id} delivered exactly once:\n{text}"
            );
        }
        assert!(
            text.contains("Subject: New booking") && text.contains(&t.email),
            "the booking notice went to the therapist:\n{text}"
        );
        assert!(
            text.contains("Subject: Your booking is confirmed") && text.contains(&client.email),
            "the confirmation went to the client:\n{text}"
        );
        assert!(text.contains("From: Rapport <rapport@example.org>"));
        let again = one
            .deliver(&app.state, rapport_store::now_ms())
            .await
            .unwrap();
        assert_eq!(again.sent, 0, "nothing is sent twice");
        assert!(
            all_rows(&app)
                .await
                .iter()
                .all(|e| e.status == "sent" && e.sent_at.is_some())
        );
        drop(peer);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_smtp_server_is_down_mail_stays_queued_and_is_retried_then_delivered_exactly_once()
 {
    for backend in common::backends() {
        let port = free_port();
        let app = common::spawn_app_with(backend, |c| {
            c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))
        })
        .await;
        let client = app.signup("client").await;
        let id = queue(&app, &client, "Waiting for the server").await;
        let mailer = Mailer::from_config(&app.state).unwrap().unwrap();

        let now = rapport_store::now_ms();
        let first = mailer.deliver(&app.state, now).await.unwrap();
        assert_eq!(
            (first.sent, first.retried),
            (0, 1),
            "{backend:?}: the server is down"
        );
        let entry = all_rows(&app)
            .await
            .into_iter()
            .find(|e| e.id == id)
            .unwrap();
        assert_eq!((entry.status.as_str(), entry.attempts), ("queued", 1));
        assert!(
            entry.last_error.is_some(),
            "the error is kept for the admin"
        );
        assert!(
            entry.next_attempt_at >= now + 30_000,
            "retried after a backoff, not at once"
        );
        let too_soon = mailer
            .deliver(&app.state, rapport_store::now_ms())
            .await
            .unwrap();
        assert_eq!(
            (too_soon.sent, too_soon.retried),
            (0, 0),
            "not retried before the backoff"
        );

        let second = mailer
            .deliver(&app.state, entry.next_attempt_at + 1)
            .await
            .unwrap();
        assert_eq!(second.retried, 1, "still down: retried again");
        let entry = all_rows(&app)
            .await
            .into_iter()
            .find(|e| e.id == id)
            .unwrap();
        assert_eq!(entry.attempts, 2);

        let peer = SmtpPeer::start(port);
        let third = mailer
            .deliver(&app.state, entry.next_attempt_at + 1)
            .await
            .unwrap();
        assert_eq!(
            third.sent, 1,
            "{backend:?}: delivered once the server is up"
        );
        let text = peer.wait_for(&format!("<{id}@rapport>"), 1);
        let later = mailer
            .deliver(&app.state, entry.next_attempt_at + 3_600_000)
            .await
            .unwrap();
        assert_eq!(later.sent, 0);
        std::thread::sleep(Duration::from_millis(300));
        let text = format!("{text}{}", peer.seen.lock().unwrap());
        assert_eq!(
            peer.seen
                .lock()
                .unwrap()
                .matches(&format!("<{id}@rapport>"))
                .count(),
            1,
            "exactly once:\n{text}"
        );
        assert!(text.contains("Subject: Waiting for the server"));
        let entry = all_rows(&app)
            .await
            .into_iter()
            .find(|e| e.id == id)
            .unwrap();
        assert_eq!(entry.status, "sent");
    }
}
