//! The real-browser harness: headless Debian Chromium driven by chromedriver through fantoccini,
//! with axe-core injected into each page.
//!
//! Use it from a browser test file with `mod browser_support;` (next to `mod common;`):
//!
//! ```ignore
//! let app = common::spawn_app().await;
//! let mut b = browser_support::Browser::start(&app.base, "account").await;
//! b.goto("/").await;
//! b.check_page("home").await; // help link, no sideways scroll at 390 px, axe, screenshot
//! b.close().await;
//! ```
//!
//! Missing tools fail the test with the command that installs them: a browser test that skips
//! itself would let a broken page land unnoticed.
#![allow(dead_code)]

mod axe;
mod driver;
mod keyboard;

pub use axe::axe_check;
use axe::axe_source;
use driver::{Driver, capabilities, chromium_path};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The viewport width every page must work at (a small phone): mobile first.
pub const MOBILE_WIDTH: u32 = 390;
/// The viewport height used with [`MOBILE_WIDTH`].
pub const MOBILE_HEIGHT: u32 = 844;

/// How long a page may take to reach the expected address after a click or submit.
const NAVIGATION_TIMEOUT: Duration = Duration::from_secs(15);

const INSTALL_HINT: &str = "install the browser test tools with `bash .ci/run` (or by hand: \
     `apt-get install chromium chromium-driver` and `cd tests/browser && npm ci`)";

/// The repository root (two levels above this crate).
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where screenshots go (git-ignored): `screenshots/<suite>/NN-<name>.png` at the repo root.
pub fn screenshot_root() -> PathBuf {
    let root = repo_root();
    root.canonicalize().unwrap_or(root).join("screenshots")
}

/// A headless Chromium session against a running app, with page helpers.
pub struct Browser {
    /// The WebDriver client, for anything the helpers do not cover.
    pub client: Client,
    /// The app's base URL, e.g. `http://127.0.0.1:41234`.
    pub base: String,
    width: u32,
    suite: String,
    shots: usize,
    driver: Driver,
    /// Operate controls with the keyboard alone (see [`keyboard`]).
    keyboard_only: bool,
}

impl Browser {
    /// Starts chromedriver and a fresh headless Chromium at 390×844 against `base`.
    /// `suite` names the screenshot folder (`screenshots/<suite>/`).
    pub async fn start(base: &str, suite: &str) -> Browser {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let chromium = chromium_path();
        axe_source();
        let mut driver = Driver::start();
        let caps = capabilities(
            &chromium,
            &driver.dir.join("profile"),
            MOBILE_WIDTH,
            MOBILE_HEIGHT,
        );
        let client = ClientBuilder::rustls()
            .unwrap_or_else(|e| {
                panic!("browser test: cannot set up the WebDriver client ({e}); on Debian: apt-get install ca-certificates")
            })
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "browser test: Chromium ({}) did not start: {e}\nchromedriver log:\n{}\n{INSTALL_HINT}",
                    chromium.display(),
                    driver.log_tail()
                )
            });
        driver.session = client.session_id().await.ok().flatten();
        let mut timeouts = client
            .get_timeouts()
            .await
            .expect("browser test: cannot read WebDriver timeouts");
        timeouts.set_script(Some(Duration::from_secs(60)));
        timeouts.set_page_load(Some(Duration::from_secs(30)));
        client
            .update_timeouts(timeouts)
            .await
            .expect("browser test: cannot set WebDriver timeouts");
        let mut browser = Browser {
            client,
            base: base.trim_end_matches('/').to_owned(),
            width: MOBILE_WIDTH,
            suite: suite.to_owned(),
            shots: 0,
            driver,
            keyboard_only: false,
        };
        browser.set_width(MOBILE_WIDTH).await;
        browser
    }

    /// Ends the browser session and stops chromedriver.
    pub async fn close(mut self) {
        if self.client.clone().close().await.is_ok() {
            self.driver.session = None;
        }
    }

    /// Makes the page viewport exactly `width` CSS pixels wide (the window frame, if any, is
    /// measured and added).
    pub async fn set_width(&mut self, width: u32) {
        self.resize_viewport(width, MOBILE_HEIGHT).await;
        self.width = width;
    }

    async fn resize_viewport(&self, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("browser test: cannot resize the window");
        let inner = self
            .client
            .execute("return [window.innerWidth, window.innerHeight];", vec![])
            .await
            .expect("browser test: cannot measure the viewport");
        let (iw, ih) = (
            inner[0].as_u64().unwrap_or(0) as u32,
            inner[1].as_u64().unwrap_or(0) as u32,
        );
        if iw != width || ih != height {
            let w = width + width.saturating_sub(iw);
            let h = height + height.saturating_sub(ih);
            self.client
                .set_window_size(w, h)
                .await
                .expect("browser test: cannot resize the window");
        }
        let got = self
            .client
            .execute("return window.innerWidth;", vec![])
            .await
            .expect("browser test: cannot measure the viewport");
        assert_eq!(
            got.as_u64(),
            Some(u64::from(width)),
            "browser test: could not make the viewport {width}px wide"
        );
    }

    /// The viewport width pages are checked at.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Opens `path` on the app (e.g. `/account`).
    pub async fn goto(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("browser test: cannot open {url}: {e}"));
    }

    /// The current page's path (e.g. `/login`).
    pub async fn path(&self) -> String {
        self.client
            .current_url()
            .await
            .expect("browser test: cannot read the current URL")
            .path()
            .to_owned()
    }

    /// Waits until the browser has left `path` and the next page has loaded (where a role's
    /// landing page differs: an administrator's login lands on their practice).
    pub async fn wait_to_leave(&self, path: &str) {
        self.wait_for_page(|now| now != path, &format!("to leave {path}"))
            .await;
    }

    /// Waits until the browser is on `path` (after a click or a form submit).
    pub async fn wait_for_path(&self, path: &str) {
        self.wait_for_page(|now| now == path, &format!("to reach {path}"))
            .await;
    }

    /// Waits until the current path satisfies `arrived` and the page has finished loading.
    async fn wait_for_page(&self, arrived: impl Fn(&str) -> bool, what: &str) {
        let deadline = Instant::now() + NAVIGATION_TIMEOUT;
        loop {
            let now = self.path().await;
            let ready = self
                .client
                .execute("return document.readyState;", vec![])
                .await
                .ok();
            if arrived(&now) && ready.as_ref().and_then(Value::as_str) == Some("complete") {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "browser test: expected {what}, still on {now}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The element matching `css`, waiting briefly for it to appear.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        match self
            .client
            .wait()
            .at_most(Duration::from_secs(5))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(e) => e,
            Err(e) => panic!(
                "browser test: no element matches `{css}` on {}: {e}",
                self.path().await
            ),
        }
    }

    /// Whether any element matches `css` right now.
    pub async fn exists(&self, css: &str) -> bool {
        !self
            .client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_default()
            .is_empty()
    }

    /// Types `text` into the field matching `css`, replacing what was there.
    pub async fn fill(&self, css: &str, text: &str) {
        if self.keyboard_only {
            return self.key_fill(css, text).await;
        }
        let field = self.find(css).await;
        field
            .clear()
            .await
            .unwrap_or_else(|e| panic!("browser test: cannot clear `{css}`: {e}"));
        field
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("browser test: cannot type into `{css}`: {e}"));
    }

    /// Chooses the file at `path` in the file input matching `css`, as a person does in the
    /// file dialog (WebDriver takes the path typed into the input).
    pub async fn choose_file(&self, css: &str, path: &std::path::Path) {
        let path = path.to_str().expect("a UTF-8 path");
        self.find(css)
            .await
            .send_keys(path)
            .await
            .unwrap_or_else(|e| panic!("browser test: cannot choose `{path}` in `{css}`: {e}"));
    }

    /// Clicks the element matching `css`.
    pub async fn click(&self, css: &str) {
        if self.keyboard_only {
            return self.key_activate(css).await;
        }
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("browser test: cannot click `{css}`: {e}"));
    }

    /// Clicks the link whose visible text is exactly `text`.
    pub async fn click_link(&self, text: &str) {
        if self.keyboard_only {
            return self.key_follow_link(text).await;
        }
        let link = match self.client.find(Locator::LinkText(text)).await {
            Ok(link) => link,
            Err(e) => panic!(
                "browser test: no link \"{text}\" on {}: {e}",
                self.path().await
            ),
        };
        link.click()
            .await
            .unwrap_or_else(|e| panic!("browser test: cannot click link \"{text}\": {e}"));
    }

    /// Chooses the option with `value` in the select matching `css`.
    pub async fn select(&self, css: &str, value: &str) {
        if self.keyboard_only {
            return self.key_select(css, value).await;
        }
        self.find(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("browser test: cannot choose {value} in `{css}`: {e}"));
    }

    /// The visible text of the element matching `css`.
    ///
    /// A page that is still reloading can replace the element between finding it and reading
    /// it ("stale element reference"); that is retried against the new page rather than failed.
    pub async fn text(&self, css: &str) -> String {
        let deadline = Instant::now() + NAVIGATION_TIMEOUT;
        loop {
            match self.find(css).await.text().await {
                Ok(text) => return text,
                Err(e) if Instant::now() < deadline && e.to_string().contains("stale") => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("browser test: cannot read the text of `{css}`: {e}"),
            }
        }
    }

    /// Waits until the element matching `css` contains `needle` (for pages that reload onto
    /// the same path after a form post, where the path alone says nothing).
    pub async fn wait_for_text(&self, css: &str, needle: &str) {
        let deadline = Instant::now() + NAVIGATION_TIMEOUT;
        loop {
            if self.exists(css).await && self.text(css).await.contains(needle) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "browser test: `{css}` on {} never showed \"{needle}\"",
                self.path().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Presses and releases one key (e.g. [`Key::Tab`], [`Key::Enter`]) on the focused element.
    pub async fn press(&self, key: Key) {
        let value: char = key.into();
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value })
            .then(KeyAction::Up { value });
        self.client
            .perform_actions(keys)
            .await
            .expect("browser test: keyboard action failed");
        self.client
            .release_actions()
            .await
            .expect("browser test: releasing keys failed");
    }

    /// Presses Tab.
    pub async fn tab(&self) {
        self.press(Key::Tab).await;
    }

    /// Presses Enter.
    pub async fn enter(&self) {
        self.press(Key::Enter).await;
    }

    /// The focused element's tag, id, visible text, href and enclosing landmark (`main`,
    /// `header`, `footer` or null), for keyboard tests.
    pub async fn focused(&self) -> Value {
        self.client
            .execute(
                "const e = document.activeElement; \
                 const l = e.closest('main, header, footer'); \
                 return { tag: e.tagName.toLowerCase(), id: e.id, text: (e.innerText || e.value || '').trim(), \
                          href: e.getAttribute('href'), landmark: l ? l.tagName.toLowerCase() : null };",
                vec![],
            )
            .await
            .expect("browser test: cannot read the focused element")
    }

    /// Asserts the page does not scroll sideways at the current width.
    pub async fn assert_no_horizontal_scroll(&self) {
        let sizes = self
            .client
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth];",
                vec![],
            )
            .await
            .expect("browser test: cannot measure the page");
        let scroll = sizes[0].as_u64().unwrap_or(u64::MAX);
        let inner = sizes[1].as_u64().unwrap_or(0);
        assert_eq!(
            inner,
            u64::from(self.width),
            "the viewport is not {}px wide",
            self.width
        );
        if scroll > u64::from(self.width) {
            let culprits = self
                .client
                .execute(
                    "const w = window.innerWidth; \
                     const past = e => e.getBoundingClientRect().right > w + 0.5; \
                     const spills = e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible'; \
                     return [...document.body.querySelectorAll('*')] \
                       .filter(e => (past(e) && ![...e.children].some(past)) || (spills(e) && e.children.length === 0)) \
                       .slice(0, 10) \
                       .map(e => e.outerHTML.slice(0, 160));",
                    vec![],
                )
                .await
                .unwrap_or_default();
            panic!(
                "{} scrolls sideways at {}px: content is {scroll}px wide; elements past the edge: {culprits:#}",
                self.path().await,
                self.width
            );
        }
    }

    /// Asserts the page has a "Get help now" link with a target, in the header.
    pub async fn assert_help_link(&self) {
        let links = self
            .client
            .find_all(Locator::LinkText("Get help now"))
            .await
            .expect("browser test: cannot search for links");
        assert!(
            !links.is_empty(),
            "{} has no \"Get help now\" link",
            self.path().await
        );
        let mut href = links[0]
            .attr("href")
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        // A page that is being replaced can hand back a stale element: look again before
        // deciding the link has no target.
        for _ in 0..20 {
            if !href.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            if let Ok(again) = self.client.find(Locator::LinkText("Get help now")).await {
                href = again.attr("href").await.ok().flatten().unwrap_or_default();
            }
        }
        assert!(!href.is_empty(), "\"Get help now\" has no target");
    }

    /// Runs axe on the current page (see [`axe_check`]).
    pub async fn axe(&self) {
        axe_check(&self.client).await;
    }

    /// Saves a full-page PNG as `screenshots/<suite>/NN-<name>.png` and returns its path.
    pub async fn screenshot(&mut self, name: &str) -> PathBuf {
        self.shots += 1;
        let dir = screenshot_root().join(&self.suite);
        std::fs::create_dir_all(&dir).expect("browser test: cannot create the screenshot folder");
        let path = dir.join(format!("{:02}-{name}.png", self.shots));
        let full = self
            .client
            .execute("return document.documentElement.scrollHeight;", vec![])
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(u64::from(MOBILE_HEIGHT)) as u32;
        let tall = full.clamp(MOBILE_HEIGHT, 4000);
        if tall != MOBILE_HEIGHT {
            self.resize_viewport(self.width, tall).await;
        }
        let png = self
            .client
            .screenshot()
            .await
            .expect("browser test: screenshot failed");
        if tall != MOBILE_HEIGHT {
            self.resize_viewport(self.width, MOBILE_HEIGHT).await;
        }
        std::fs::write(&path, png).expect("browser test: cannot save the screenshot");
        path
    }

    /// The checks every page must pass: a "Get help now" link, no sideways scrolling at the
    /// current width, no serious or critical axe violation; then a screenshot named `name`.
    pub async fn check_page(&mut self, name: &str) {
        self.assert_help_link().await;
        self.assert_no_horizontal_scroll().await;
        self.axe().await;
        let shot = self.screenshot(name).await;
        println!(
            "checked {} ({}px): {}",
            self.path().await,
            self.width,
            shot.display()
        );
    }
}
