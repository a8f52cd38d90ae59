//! Keyboard-only operation: with [`Browser::keyboard_only`] set, the page helpers reach every
//! control by pressing Tab (arrow keys inside a radio group or a select) and operate it with
//! Enter, Space or typed keys, the way a person without a mouse does. A control Tab cannot reach
//! fails the test with the path and the control.

use super::Browser;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::{Value, json};

/// Tab presses allowed to reach one control: more than any page of ours has focusable elements,
/// so running out means the control is not in the tab order.
const MAX_TABS: usize = 300;

/// What the focused element is, as far as keyboard operation goes.
const FOCUSED_KIND: &str = "const e = document.activeElement; \
    if (!e || e === document.body) return null; \
    return { tag: e.tagName.toLowerCase(), type: (e.getAttribute('type') || '').toLowerCase(), \
             name: e.getAttribute('name') || '', text: (e.innerText || '').trim() };";

impl Browser {
    /// Whether the helpers operate the page by keyboard alone.
    pub fn set_keyboard_only(&mut self, on: bool) {
        self.keyboard_only = on;
    }

    async fn focused_matches(&self, css: &str) -> bool {
        self.client
            .execute(
                "const e = document.activeElement; return !!e && e !== document.body && e.matches(arguments[0]);",
                vec![json!(css)],
            )
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }

    async fn focused_kind(&self) -> Value {
        self.client
            .execute(FOCUSED_KIND, vec![])
            .await
            .unwrap_or(Value::Null)
    }

    /// Presses Tab until the focused element matches `css`.
    pub async fn tab_to(&self, css: &str) {
        self.find(css).await;
        for _ in 0..MAX_TABS {
            if self.focused_matches(css).await {
                return;
            }
            self.press(Key::Tab).await;
        }
        panic!(
            "keyboard: `{css}` on {} cannot be reached with Tab",
            self.path().await
        );
    }

    /// Presses Tab until a link whose visible text is `text` has focus.
    async fn tab_to_link(&self, text: &str) {
        for _ in 0..MAX_TABS {
            let f = self.focused_kind().await;
            if f["tag"] == "a" && f["text"] == text {
                return;
            }
            self.press(Key::Tab).await;
        }
        panic!(
            "keyboard: the link \"{text}\" on {} cannot be reached with Tab",
            self.path().await
        );
    }

    /// Activates the control matching `css` from the keyboard: Enter on links and buttons, Space
    /// on checkboxes, arrow keys to a radio button (which checks it, as in every browser).
    pub(super) async fn key_activate(&self, css: &str) {
        let kind: Value = self
            .client
            .execute(
                "const e = document.querySelector(arguments[0]); \
                 return e ? { type: (e.getAttribute('type') || '').toLowerCase(), name: e.getAttribute('name') || '' } : null;",
                vec![json!(css)],
            )
            .await
            .unwrap_or(Value::Null);
        if kind["type"] == "radio" {
            let group = format!(
                "input[type='radio'][name='{}']",
                kind["name"].as_str().unwrap_or("")
            );
            self.tab_to(&group).await;
            for _ in 0..20 {
                if self.focused_matches(css).await {
                    self.press(Key::Space).await;
                    let checked = self.find(css).await.prop("checked").await.ok().flatten();
                    assert_eq!(
                        checked.as_deref(),
                        Some("true"),
                        "keyboard: `{css}` is not checked"
                    );
                    return;
                }
                self.press(Key::Down).await;
            }
            panic!(
                "keyboard: arrow keys never reach `{css}` on {}",
                self.path().await
            );
        }
        self.tab_to(css).await;
        let key = if kind["type"] == "checkbox" {
            Key::Space
        } else {
            Key::Enter
        };
        self.press(key).await;
    }

    /// Follows the link whose visible text is `text` from the keyboard.
    pub(super) async fn key_follow_link(&self, text: &str) {
        self.tab_to_link(text).await;
        self.press(Key::Enter).await;
    }

    /// Types `text` into the field matching `css` after reaching it with Tab, replacing what was
    /// there (select all, then type over it).
    pub(super) async fn key_fill(&self, css: &str, text: &str) {
        self.tab_to(css).await;
        let ctrl: char = Key::Control.into();
        let select_all = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: ctrl })
            .then(KeyAction::Down { value: 'a' })
            .then(KeyAction::Up { value: 'a' })
            .then(KeyAction::Up { value: ctrl });
        let mut typing = KeyActions::new("keyboard".into());
        for c in text.chars() {
            typing = typing
                .then(KeyAction::Down { value: c })
                .then(KeyAction::Up { value: c });
        }
        for actions in [select_all, typing] {
            self.client
                .perform_actions(actions)
                .await
                .expect("keyboard: typing failed");
        }
        self.client
            .release_actions()
            .await
            .expect("keyboard: releasing keys failed");
        let value = self
            .find(css)
            .await
            .prop("value")
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        assert_eq!(value, text, "keyboard: `{css}` did not take the typed text");
    }

    /// Chooses the option with `value` in the select matching `css` with the arrow keys.
    pub(super) async fn key_select(&self, css: &str, value: &str) {
        self.tab_to(css).await;
        let index = |script: &'static str| async move {
            self.client
                .execute(script, vec![json!(css), json!(value)])
                .await
                .ok()
                .and_then(|v| v.as_i64())
                .unwrap_or(-1)
        };
        let target = index(
            "return [...document.querySelector(arguments[0]).options].findIndex(o => o.value === arguments[1]);",
        )
        .await;
        assert!(target >= 0, "keyboard: `{css}` has no option {value}");
        for _ in 0..200 {
            let now = index("return document.querySelector(arguments[0]).selectedIndex;").await;
            if now == target {
                return;
            }
            self.press(if now < target { Key::Down } else { Key::Up })
                .await;
        }
        panic!("keyboard: the arrow keys never chose {value} in `{css}`");
    }
}
