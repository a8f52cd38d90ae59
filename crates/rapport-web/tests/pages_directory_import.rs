//! The administrator's directory import page: a chosen file (its name deciding its format) or
//! pasted rows, every refused row reported, the good rows kept; the form's token checked in
//! multipart bodies too; a file and pasted rows together, a non-text file or nothing at all
//! refused naming the field, with nothing imported.

mod common;
mod matching_support;

use common::{TestApp, User};
use matching_support::{jsonl, listing, page, post_form};
use rapport_core::matching::{parse_listing, to_csv};
use serde_json::json;

/// One part of a multipart form: name, file name (for a file part) and content.
type Part<'a> = (&'a str, Option<&'a str>, &'a [u8]);

/// Posts the import form as a browser does when it carries a file, written out by hand so the
/// test pins the wire format rather than a client library's.
async fn post_multipart(app: &TestApp, user: &User, parts: &[Part<'_>]) -> (u16, String) {
    const BOUNDARY: &str = "----rapport-test-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, file_name, content) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let disposition = match file_name {
            Some(f) => format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n"
            ),
            None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n"),
        };
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let r = user
        .client
        .post(app.url("/admin/directory"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// A CSV file of two good listings and one without an id (row 3).
fn csv_file() -> String {
    let good: Vec<_> = ["t-up-a", "t-up-b"]
        .iter()
        .map(|id| parse_listing(&listing(id, json!({}))).unwrap())
        .collect();
    let csv = to_csv(&good);
    let bad = csv.lines().nth(1).unwrap().replacen("t-up-a", "", 1);
    format!("{csv}{bad}\n")
}

#[tokio::test]
async fn an_administrator_imports_on_the_directory_page_and_sees_each_bad_row() {
    let app = common::spawn_app().await;
    let admin = app.admin().await;
    let (status, html) = page(&app, &admin, "/admin/directory").await;
    assert_eq!(status, 200);
    assert!(html.contains("holds 0 listings"));
    let text = format!(
        "{}{{broken\n",
        jsonl(&[
            listing("t-a", json!({})),
            listing("t-b", json!({"populations": ["aliens"]}))
        ])
    );
    let r = post_form(
        &app,
        &admin,
        "/admin/directory",
        &[("format", "jsonl"), ("text", &text)],
    )
    .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Imported 1 listing (1 new, 0 updated); 2 rows refused"),
        "{html}"
    );
    assert!(
        html.contains("<td>2</td><td>2</td><td><code>populations[0]</code></td>")
            && html.contains("<td>3</td><td>3</td><td><code>json</code></td>"),
        "{html}"
    );
    assert!(html.contains("holds 1 listing "));
    let r = post_form(
        &app,
        &admin,
        "/admin/directory",
        &[("format", "jsonl"), ("text", "")],
    )
    .await;
    assert_eq!(r.status(), 422);
    let client = app.signup("client").await;
    assert_eq!(page(&app, &client, "/admin/directory").await.0, 403);
    let therapist = app.signup("therapist").await;
    assert_eq!(page(&app, &therapist, "/match").await.0, 403);
}

#[tokio::test]
async fn a_chosen_file_is_imported_in_the_format_its_name_says() {
    let app = common::spawn_app().await;
    let admin = app.admin().await;
    let csv = csv_file();
    // The radio still says JSON Lines: the `.csv` name decides.
    let (status, html) = post_multipart(
        &app,
        &admin,
        &[
            ("csrf", None, admin.csrf.as_bytes()),
            ("file", Some("national-directory.csv"), csv.as_bytes()),
            ("format", None, b"jsonl"),
            ("text", None, b""),
        ],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("Imported 2 listings (2 new, 0 updated); 1 row refused"),
        "{html}"
    );
    assert!(
        html.contains("<td>3</td><td>4</td><td><code>id</code></td>"),
        "{html}"
    );
    assert!(html.contains("holds 2 listings"));

    // A JSON Lines file re-imports by id: one updated, one new.
    let rows = jsonl(&[listing("t-up-a", json!({})), listing("t-up-c", json!({}))]);
    let (status, html) = post_multipart(
        &app,
        &admin,
        &[
            ("csrf", None, admin.csrf.as_bytes()),
            ("file", Some("more.jsonl"), rows.as_bytes()),
            ("format", None, b"csv"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("Imported 2 listings (1 new, 1 updated); 0 rows refused"),
        "{html}"
    );
    assert!(html.contains("holds 3 listings"));
}

#[tokio::test]
async fn an_upload_without_the_forms_token_is_refused_and_imports_nothing() {
    let app = common::spawn_app().await;
    let admin = app.admin().await;
    let rows = jsonl(&[listing("t-forged", json!({}))]);
    for token in [None, Some("not-the-token")] {
        let mut parts: Vec<Part> = vec![("file", Some("d.jsonl"), rows.as_bytes())];
        if let Some(t) = token {
            parts.insert(0, ("csrf", None, t.as_bytes()));
        }
        let (status, _) = post_multipart(&app, &admin, &parts).await;
        assert_eq!(status, 403, "token {token:?}");
    }
    assert!(
        page(&app, &admin, "/admin/directory")
            .await
            .1
            .contains("holds 0 listings")
    );
}

#[tokio::test]
async fn a_file_with_pasted_rows_a_non_text_file_or_nothing_is_refused_naming_the_file() {
    let app = common::spawn_app().await;
    let admin = app.admin().await;
    let rows = jsonl(&[listing("t-one", json!({}))]);
    let cases: [(&[Part], &str); 3] = [
        (
            &[
                ("file", Some("d.jsonl"), rows.as_bytes()),
                ("text", None, rows.as_bytes()),
            ],
            "choose a file or paste rows, not both",
        ),
        (
            &[("file", Some("photo.jpg"), &[0xff, 0xd8, 0xff, 0xe0, 0x00])],
            "must be text (JSON Lines or CSV) saved as UTF-8",
        ),
        // What a browser sends when no file was chosen and the box is empty.
        (
            &[("file", Some(""), b""), ("text", None, b"  ")],
            "is empty",
        ),
    ];
    for (parts, reason) in cases {
        let mut with_token: Vec<Part> = vec![("csrf", None, admin.csrf.as_bytes())];
        with_token.extend_from_slice(parts);
        let (status, html) = post_multipart(&app, &admin, &with_token).await;
        assert_eq!(status, 422, "{reason}: {html}");
        assert!(
            html.contains("<a href=\"#file\">file</a>") && html.contains(reason),
            "{reason}: {html}"
        );
    }
    assert!(
        page(&app, &admin, "/admin/directory")
            .await
            .1
            .contains("holds 0 listings")
    );
}
