//! Real places on every database: the place search API, and the forms' "Where are you?" field
//! without JavaScript (one clear town is used, namesakes are offered with every other answer
//! kept, an unknown town is named beside the field); the codes the forms offer are the live
//! directory's, by name; fees are shown in their own currency.

mod common;
mod matching_support;

use common::{TestApp, User, backends, client, spawn_app_with};
use matching_support::{import, listing, page, post_form};
use serde_json::{Value, json};

/// A listing in Kendal (Cumbria), a town the synthetic generator has never heard of.
fn kendal_listing(id: &str) -> Value {
    listing(
        id,
        json!({"location": {"lat": 54.3281, "lon": -2.7463, "city": "Kendal"},
               "formats": ["in_person"], "concerns": ["trauma"]}),
    )
}

/// Everything a client answers besides where they are.
const ANSWERS: &[(&str, &str)] = &[
    ("concerns", "trauma"),
    ("formats", "in_person"),
    ("max_distance_km", "15"),
    ("languages", "en"),
    ("population", "adults"),
    ("hour_from", "8"),
    ("hour_to", "20"),
];

async fn send_place(app: &TestApp, client: &User, place: &[(&str, &str)]) -> reqwest::Response {
    let mut form: Vec<(&str, &str)> = ANSWERS.to_vec();
    form.extend_from_slice(place);
    post_form(app, client, "/match", &form).await
}

async fn places(app: &TestApp, query: &str) -> reqwest::Response {
    client()
        .get(app.url(&format!("/api/v1/places?{query}")))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_place_search_finds_towns_by_any_spelling_and_says_when_too_little_was_typed() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let r = places(&app, "q=zurich").await;
        assert_eq!(r.status(), 200, "{b:?}");
        let body: Value = r.json().await.unwrap();
        let first = &body["places"][0];
        assert_eq!(first["name"], "Zürich");
        assert_eq!(first["country"], "CH");
        assert_eq!(first["country_name"], "Switzerland");
        assert_eq!(first["time_zone"], "Europe/Zurich");
        assert!(first["id"].is_u64() && first["lat"].is_f64());

        let body: Value = places(&app, "q=Portland,%20Maine")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(body["places"][0]["label"], "Portland, Maine, United States");
        assert_eq!(body["places"].as_array().unwrap().len(), 1);

        let body: Value = places(&app, "q=kendal&limit=3").await.json().await.unwrap();
        let labels: Vec<&str> = body["places"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["label"].as_str().unwrap())
            .collect();
        assert_eq!(labels.len(), 3, "{labels:?}");
        assert_eq!(
            labels[0], "Kendal, England, United Kingdom",
            "the exact name first"
        );

        let body: Value = places(&app, "q=a").await.json().await.unwrap();
        assert_eq!(body["places"], json!([]));
        assert!(
            body["note"]
                .as_str()
                .unwrap()
                .contains("at least 2 letters")
        );

        let doc: Value = client()
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(doc["paths"]["/api/v1/places"]["get"].is_object());
        assert!(doc["components"]["schemas"]["PlacesFound"].is_object());
        assert!(doc["components"]["schemas"]["PlaceView"].is_object());

        let r = places(&app, "q=york&limit=0").await;
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["errors"][0]["field"], "limit", "{body}");
    }
}

#[tokio::test]
async fn one_clear_town_is_used_and_its_centre_feeds_the_match() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let admin = app.admin().await;
        import(&app, &admin, &[kendal_listing("t-kendal")]).await;
        let client = app.signup("client").await;
        let r = send_place(&app, &client, &[("place", "kendal"), ("place_id", "")]).await;
        assert_eq!(r.status(), 303, "{b:?}: {}", r.text().await.unwrap());
        let (_, html) = page(&app, &client, "/match/results").await;
        assert!(html.contains("Dr t-kendal"), "{b:?}: {html}");
        assert!(
            html.contains("km away"),
            "in person, so the distance is shown"
        );
        assert!(html.contains("£80 a session"), "the fee in pounds");
        let (_, form) = page(&app, &client, "/match").await;
        assert!(
            form.contains("value=\"Kendal, England, United Kingdom\""),
            "{b:?}: the saved point reads as the town again"
        );
    }
}

#[tokio::test]
async fn namesakes_are_offered_to_choose_from_with_every_other_answer_kept() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let client = app.signup("client").await;
        let r = send_place(&app, &client, &[("place", "Springfield"), ("place_id", "")]).await;
        assert_eq!(r.status(), 422, "{b:?}");
        let html = r.text().await.unwrap();
        assert!(html.contains("Which Springfield do you mean?"), "{html}");
        assert!(html.contains("Springfield, Illinois, United States"));
        assert!(
            html.contains("href=\"#place\""),
            "the summary names the field"
        );
        assert!(
            html.contains("value=\"15\"") && html.contains("value=\"trauma\" selected"),
            "the other answers are kept"
        );
        let id = option_value(&html, "Springfield, Illinois, United States");
        let r = send_place(
            &app,
            &client,
            &[("place", "Springfield"), ("place_id", &id)],
        )
        .await;
        assert_eq!(r.status(), 303, "{b:?}: choosing one is enough");
        let (_, form) = page(&app, &client, "/match").await;
        assert!(form.contains("value=\"Springfield, Illinois, United States\""));
    }
}

/// The `value` of the radio button labelled `label`.
fn option_value(html: &str, label: &str) -> String {
    let at = html.find(&format!("> {label}</label>")).expect(label);
    let before = &html[..at];
    let start = before.rfind("value=\"").unwrap() + 7;
    before[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn an_unknown_town_is_named_beside_the_field_and_the_answers_are_kept() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let client = app.signup("client").await;
        let r = send_place(&app, &client, &[("place", "Xqzzyville")]).await;
        assert_eq!(r.status(), 422, "{b:?}");
        let html = r.text().await.unwrap();
        assert!(html.contains("href=\"#place\""), "{html}");
        assert!(
            html.contains("id=\"place-error\"") && html.contains("nearest bigger town"),
            "the field says what to try"
        );
        assert!(html.contains("value=\"Xqzzyville\"") && html.contains("value=\"15\""));

        let r = send_place(
            &app,
            &client,
            &[
                ("place", "Xqzzyville"),
                ("location.lat", "54.33"),
                ("location.lon", "-2.75"),
            ],
        )
        .await;
        assert_eq!(r.status(), 303, "{b:?}: exact coordinates are enough");
    }
}

/// A complete profile form for a therapist in Kendal, with `changes` replacing or adding fields.
fn profile_fields(changes: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut fields = vec![
        ("name", "Dr Lakes"),
        ("accepting", "yes"),
        ("formats", "in_person"),
        ("place", "Kendal"),
        ("jurisdictions", "GB"),
        ("languages", "en"),
        ("populations", "adults"),
        ("concerns", "trauma"),
        ("fee.amount", "70"),
        ("fee.currency", "GBP"),
        ("slots", "tue 18"),
    ];
    for (k, v) in changes {
        match fields.iter_mut().find(|(f, _)| f == k) {
            Some(f) => f.1 = v,
            None => fields.push((k, v)),
        }
    }
    fields
}

#[tokio::test]
async fn a_therapist_s_town_is_resolved_and_stored_with_its_centre() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let therapist = app.signup("therapist").await;
        let fields = profile_fields(&[]);
        let r = post_form(&app, &therapist, "/profile", &fields).await;
        assert_eq!(r.status(), 303, "{b:?}: {}", r.text().await.unwrap());
        let stored: Value = therapist
            .get(&app, "/api/v1/me/listing")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(stored["location"]["city"], "Kendal");
        assert!((stored["location"]["lat"].as_f64().unwrap() - 54.33).abs() < 0.05);
        let (_, html) = page(&app, &therapist, "/profile").await;
        assert!(html.contains("value=\"Kendal, England, United Kingdom\""));

        let unknown = profile_fields(&[("place", "Xqzzyville")]);
        let r = post_form(&app, &therapist, "/profile", &unknown).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("href=\"#place\"") && html.contains("value=\"Dr Lakes\""));
    }
}

#[tokio::test]
async fn a_therapist_may_type_countries_and_languages_by_name_and_sees_what_their_codes_read_as() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let therapist = app.signup("therapist").await;
        let fields = profile_fields(&[
            ("jurisdictions", "United Kingdom, us-ca"),
            ("languages", "Polish, en"),
            ("insurance", "blue_shield"),
        ]);
        let r = post_form(&app, &therapist, "/profile", &fields).await;
        assert_eq!(r.status(), 303, "{b:?}: {}", r.text().await.unwrap());
        let stored: Value = therapist
            .get(&app, "/api/v1/me/listing")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(stored["jurisdictions"], json!(["GB", "US-CA"]), "{b:?}");
        assert_eq!(stored["languages"], json!(["pl", "en"]));
        let (_, html) = page(&app, &therapist, "/profile").await;
        assert!(
            html.contains("Reads as: United Kingdom; California, United States"),
            "{html}"
        );
        assert!(html.contains("Reads as: Polish; English"));
        assert!(html.contains("Reads as: Blue Shield"));
    }
}

#[tokio::test]
async fn the_form_offers_the_directory_s_codes_by_name_and_fees_in_their_own_currency() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let admin = app.admin().await;
        let us = listing(
            "t-us",
            json!({"location": {"lat": 37.7749, "lon": -122.4194, "city": "San Francisco"},
                   "jurisdictions": ["US-CA"], "languages": ["en", "pl"],
                   "fee": {"amount": 12000, "currency": "USD"},
                   "insurance": ["blue_shield"], "concerns": ["trauma"]}),
        );
        import(&app, &admin, &[us]).await;
        let client = app.signup("client").await;
        let (_, html) = page(&app, &client, "/match").await;
        for name in [
            "California, United States",
            "Blue Shield",
            "Polish",
            "US Dollar (US$)",
        ] {
            assert!(html.contains(name), "{b:?}: {name} is offered");
        }
        assert!(
            !html.contains("Aetna") && !html.contains("Pound Sterling"),
            "nothing the directory does not carry"
        );

        import(
            &app,
            &admin,
            &[listing(
                "t-ie",
                json!({"jurisdictions": ["IE"], "insurance": ["vhi"],
                                     "fee": {"amount": 9000, "currency": "EUR"}}),
            )],
        )
        .await;
        let (_, html) = page(&app, &client, "/match").await;
        assert!(
            html.contains("Vhi Healthcare") && html.contains("Ireland"),
            "{b:?}: the offer follows the directory"
        );

        let r = post_form(
            &app,
            &client,
            "/match",
            &[
                ("place", "San Francisco"),
                ("formats", "video"),
                ("languages", "en"),
                ("population", "adults"),
            ],
        )
        .await;
        let status = r.status();
        let text = r.text().await.unwrap();
        let summary = text.split("class=\"errors\"").nth(1).unwrap_or_default();
        assert_eq!(status, 303, "{b:?}: {}", &summary[..summary.len().min(600)]);
        let (_, html) = page(&app, &client, "/match/results").await;
        assert!(html.contains("Dr t-us"), "{b:?}: {html}");
        assert!(html.contains("US$120 a session"), "{html}");
    }
}
