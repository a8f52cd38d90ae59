//! The matching pages without JavaScript: plain form posts from preferences to results, the
//! shortlist and a consultation request; the therapist's listing form.
//! Every refused form is shown again with a 422 that names the field.

mod common;
mod matching_support;

use common::{TestApp, User, backends, spawn_app_with};
use matching_support::{import, listing, page, post_form};
use rapport_core::matching::EndingReason;
use serde_json::json;

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_owned()
}

const PREFERENCES: &[(&str, &str)] = &[
    ("concerns", "trauma"),
    ("concerns", ""),
    ("concerns", ""),
    ("formats", "in_person"),
    ("formats", "video"),
    ("place", "London"),
    ("max_distance_km", "10"),
    ("jurisdiction", ""),
    ("languages", "en"),
    ("population", "adults"),
    ("budget.amount", "90"),
    ("budget.currency", ""),
    ("identity.gender.value", "woman"),
    ("identity.gender.strength", "prefer"),
    ("hour_from", "8"),
    ("hour_to", "20"),
    ("style.directiveness", "2"),
    ("style.intensity", "0"),
    ("style.past", "0"),
    ("style.challenge", "0"),
];

#[tokio::test]
async fn a_client_goes_from_preferences_to_a_consultation_request_without_javascript() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let admin = app.admin().await;
        let directory: Vec<_> = ["t-a", "t-b", "t-c", "t-d", "t-ended"]
            .iter()
            .map(|id| {
                listing(
                    id,
                    json!({"concerns": ["trauma"], "identity": {"gender": "woman"}}),
                )
            })
            .collect();
        import(&app, &admin, &directory).await;
        let client = app.signup("client").await;
        apply_ending_for(&app, &client).await;

        let (status, html) = page(&app, &client, "/match").await;
        assert_eq!(status, 200);
        assert!(
            html.contains("Find a therapist who fits") && html.contains("someone more structured"),
            "the fit profile is shown"
        );
        assert_eq!(
            page(&app, &client, "/match/results").await.0,
            303,
            "no preferences yet: to the form first"
        );

        let r = post_form(
            &app,
            &client,
            "/match",
            &[
                ("location.lat", "91"),
                ("location.lon", "0"),
                ("formats", "in_person"),
                ("max_distance_km", "5"),
                ("languages", "en"),
                ("population", "adults"),
            ],
        )
        .await;
        assert_eq!(r.status(), 422);
        assert!(
            r.text().await.unwrap().contains("href=\"#location.lat\""),
            "{b:?}: the error names the field"
        );
        let r = post_form(
            &app,
            &client,
            "/match",
            &[
                ("concerns", "sadness"),
                ("formats", "video"),
                ("place", "London"),
                ("languages", "en"),
                ("population", "adults"),
            ],
        )
        .await;
        assert_eq!(r.status(), 422);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("`sadness` is not a known concern")
        );
        let r = post_form(
            &app,
            &client,
            "/match",
            &[
                ("budget.amount", "-5"),
                ("formats", "video"),
                ("place", "London"),
                ("languages", "en"),
                ("population", "adults"),
            ],
        )
        .await;
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("budget.amount</a>: must not be negative")
        );

        let r = post_form(&app, &client, "/match", PREFERENCES).await;
        assert_eq!(
            (r.status().as_u16(), location(&r)),
            (303, "/match/results".to_owned()),
            "{b:?}"
        );
        let (status, html) = page(&app, &client, "/match/results").await;
        assert_eq!(status, 200);
        assert!(
            html.contains("Dr t-a")
                && html.contains("Why this match")
                && html.contains("Works with trauma")
                && html.contains("£80 a session"),
            "{html}"
        );
        assert!(
            !html.contains("Dr t-ended"),
            "{b:?}: a therapist the client ended with is not suggested"
        );
        let (_, form) = page(&app, &client, "/match").await;
        assert!(
            form.contains("value=\"London, England, United Kingdom\"")
                && form.contains("value=\"90\""),
            "saved preferences fill the form again, the place by its name"
        );

        for id in ["t-a", "t-b", "t-c"] {
            let r = post_form(&app, &client, "/shortlist", &[("listing_id", id)]).await;
            assert_eq!(location(&r), format!("/match/results?added={id}"));
        }
        let (_, html) = page(&app, &client, "/match/results?added=t-c").await;
        assert!(
            html.contains("Dr t-c is on your shortlist (3 of 3)"),
            "{html}"
        );
        let r = post_form(&app, &client, "/shortlist", &[("listing_id", "t-d")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#listing_id\""));

        let r = post_form(&app, &client, "/consultations", &[("message", "Hello")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("href=\"#listing_ids\""));
        let r = post_form(
            &app,
            &client,
            "/consultations",
            &[
                ("listing_ids", "t-a"),
                ("listing_ids", "t-b"),
                ("message", "Hello, is Tuesday evening possible?"),
            ],
        )
        .await;
        assert_eq!(location(&r), "/shortlist?sent=2", "{b:?}");
        let (_, html) = page(&app, &client, "/shortlist?sent=2").await;
        assert!(
            html.contains("sent to 2 therapists") && html.matches("Intro requested").count() == 2,
            "{html}"
        );
        let r = post_form(&app, &client, "/shortlist/remove", &[("listing_id", "t-c")]).await;
        assert_eq!(location(&r), "/shortlist");
        assert!(!page(&app, &client, "/shortlist").await.1.contains("Dr t-c"));
    }
}

async fn apply_ending_for(app: &TestApp, client: &User) {
    rapport_web::features::matching::apply_ending(
        &app.state,
        &client.id,
        "t-ended",
        EndingReason::WantedMoreStructure,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn a_therapist_edits_their_listing_on_the_profile_page_and_clients_find_it_at_once() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let therapist = app.signup("therapist").await;
        let (status, html) = page(&app, &therapist, "/profile").await;
        assert_eq!(status, 200);
        assert!(
            html.contains("value=\"Test therapist\""),
            "a first listing starts from the account name"
        );
        let fields = [
            ("name", "Dr Profile"),
            ("credentials", "BACP, UKCP"),
            ("accepting", "yes"),
            ("formats", "in_person"),
            ("formats", "video"),
            ("place", "London"),
            ("location.lat", ""),
            ("location.lon", ""),
            ("jurisdictions", "GB"),
            ("languages", "en, pl"),
            ("populations", "adults"),
            ("concerns", "perinatal"),
            ("identity.gender", "woman"),
            ("identity.lgbtq", ""),
            ("identity.faith", ""),
            ("fee.amount", "-5"),
            ("fee.currency", "GBP"),
            ("fee.sliding_scale_min", ""),
            ("insurance", "bupa"),
            ("slots", "tue 18, wed 9:00"),
            ("style.directiveness", "2"),
            ("style.intensity", "-1"),
            ("style.past", "0"),
            ("style.challenge", "1"),
        ];
        let r = post_form(&app, &therapist, "/profile", &fields).await;
        assert_eq!(r.status(), 422, "{b:?}");
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("fee.amount</a>: must not be negative")
        );
        let good: Vec<(&str, &str)> = fields
            .iter()
            .map(|&(k, v)| {
                if k == "fee.amount" {
                    (k, "85.50")
                } else {
                    (k, v)
                }
            })
            .collect();
        let r = post_form(&app, &therapist, "/profile", &good).await;
        assert_eq!(r.status(), 303, "{b:?}: {}", r.text().await.unwrap());
        assert_eq!(location(&r), "/profile?saved=1");
        let (_, html) = page(&app, &therapist, "/profile?saved=1").await;
        assert!(
            html.contains("Saved.")
                && html.contains("value=\"85.50\"")
                && html.contains("value=\"tue 18, wed 9\""),
            "{html}"
        );
        let stored: serde_json::Value = therapist
            .get(&app, "/api/v1/me/listing")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(stored["fee"]["amount"], 8550);
        assert_eq!(stored["style"]["directiveness"], 2.0);
        let answer = matching_support::find(
            &app,
            &matching_support::request(json!({"concerns": ["perinatal"]})),
        )
        .await;
        assert_eq!(answer["results"][0]["name"], "Dr Profile", "{b:?}");
        let client = app.signup("client").await;
        assert_eq!(page(&app, &client, "/profile").await.0, 403);
    }
}
