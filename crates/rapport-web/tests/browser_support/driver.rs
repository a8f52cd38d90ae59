//! The chromedriver process and the Chromium it starts: finding both, a free port, waiting until
//! the driver answers, the capabilities of a headless mobile-sized session, and cleaning up the
//! session and the throwaway profile when a test ends (even by panicking).

use super::INSTALL_HINT;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(super) fn chromium_path() -> PathBuf {
    let path = std::env::var_os("RAPPORT_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if !path.is_file() {
        panic!(
            "browser test: Chromium not found at {} (set RAPPORT_CHROMIUM to use another binary); {INSTALL_HINT}",
            path.display()
        );
    }
    path
}

pub(super) fn chromedriver_path() -> PathBuf {
    if let Some(p) = std::env::var_os("RAPPORT_CHROMEDRIVER") {
        let p = PathBuf::from(p);
        if !p.is_file() {
            panic!(
                "browser test: RAPPORT_CHROMEDRIVER={} does not exist; {INSTALL_HINT}",
                p.display()
            );
        }
        return p;
    }
    let on_path = std::env::var_os("PATH")
        .map(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join("chromedriver"))
                .find(|p| p.is_file())
        })
        .unwrap_or_default();
    on_path
        .or_else(|| Some(PathBuf::from("/usr/bin/chromedriver")).filter(|p| p.is_file()))
        .unwrap_or_else(|| panic!("browser test: chromedriver not found on PATH; {INSTALL_HINT}"))
}

pub(super) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("browser test: no free local port for chromedriver")
}

/// A chromedriver child process and the throwaway Chromium profile; both go away on drop.
pub(super) struct Driver {
    pub(super) child: Child,
    pub(super) port: u16,
    pub(super) dir: PathBuf,
    pub(super) session: Option<String>,
}

impl Driver {
    pub(super) fn log_path(&self) -> PathBuf {
        self.dir.join("chromedriver.log")
    }

    pub(super) fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    pub(super) fn start() -> Driver {
        let exe = chromedriver_path();
        let port = free_port();
        let dir =
            std::env::temp_dir().join(format!("rapport-browser-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(dir.join("profile"))
            .expect("browser test: cannot create a temp dir");
        let log = std::fs::File::create(dir.join("chromedriver.log"))
            .expect("browser test: cannot create the chromedriver log");
        // Chromium runs in New York time, not the machine's (UTC on CI), so the pages' time-zone
        // proposal is seen to come from the browser.
        let child = Command::new(&exe)
            .arg(format!("--port={port}"))
            .env("TZ", "America/New_York")
            .stdin(Stdio::null())
            .stdout(
                log.try_clone()
                    .expect("browser test: cannot share the log file"),
            )
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "browser test: cannot run {} ({e}); {INSTALL_HINT}",
                    exe.display()
                )
            });
        let mut driver = Driver {
            child,
            port,
            dir,
            session: None,
        };
        driver.wait_until_ready();
        driver
    }

    fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "browser test: chromedriver exited at start-up ({status}); its log:\n{}\n{INSTALL_HINT}",
                    self.log_tail()
                );
            }
            if let Some(body) = http_request(self.port, "GET", "/status", Duration::from_secs(2))
                && body.contains("\"ready\":true")
            {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "browser test: chromedriver on port {} did not answer within 30 s; its log:\n{}",
                    self.port,
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Ending the session makes chromedriver quit Chromium; killing chromedriver alone would
        // leave the browser running when a test panics before `Browser::close`.
        if let Some(id) = self.session.take() {
            let _ = http_request(
                self.port,
                "DELETE",
                &format!("/session/{id}"),
                Duration::from_secs(10),
            );
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A minimal blocking HTTP/1.1 request to chromedriver, usable from `Drop` (no runtime needed).
/// Returns the whole response (status line, headers and body) or `None` if it cannot connect.
pub(super) fn http_request(
    port: u16,
    method: &str,
    path: &str,
    timeout: Duration,
) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(timeout)).ok()?;
    stream.set_write_timeout(Some(timeout)).ok()?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).ok()?;
    // chromedriver may keep the socket open after answering, so read up to Content-Length.
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        response.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&response);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.trim()
                        .eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())
                        .flatten()
                })
                .unwrap_or(0);
            if response.len() >= end + 4 + length {
                break;
            }
        }
    }
    Some(String::from_utf8_lossy(&response).into_owned())
}

/// The W3C capabilities for headless Debian Chromium.
pub(super) fn capabilities(
    chromium: &Path,
    profile: &Path,
    width: u32,
    height: u32,
) -> serde_json::Map<String, Value> {
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium.to_string_lossy(),
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
                format!("--user-data-dir={}", profile.display()),
                format!("--window-size={width},{height}"),
            ],
        },
    });
    match caps {
        Value::Object(map) => map,
        _ => unreachable!("capabilities are a JSON object"),
    }
}
