//! The directory through the API on every database: imports report every bad row and keep the
//! good ones (JSON Lines and CSV, by administrators only), and every listing change (an import,
//! a therapist's or an administrator's edit, a write made elsewhere) is matched at once, without
//! a restart.

mod common;
mod matching_support;

use common::{backends, spawn_app_with};
use matching_support::{
    fields, find, ids, import, import_as, jsonl, listing, listings_stored, request,
};
use rapport_core::matching::{CSV_COLUMNS, parse_listing, to_csv};
use serde_json::{Value, json};

#[tokio::test]
async fn an_import_reports_every_bad_row_keeps_the_good_ones_and_updates_by_id() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let admin = app.admin().await;
        let body = format!(
            "{}\n{{not json\n{}\n{}\n\n{}\n",
            listing("t-a", json!({})),
            listing(
                "t-bad",
                json!({"concerns": ["sadness"], "fee": {"amount": -5, "currency": "GBP"}})
            ),
            listing("t-b", json!({})),
            listing("t-a", json!({"name": "Dr Twice"})),
        );
        let r = import_as(&app, &admin, &body, "application/jsonl").await;
        assert_eq!(r.status(), 200);
        let report: Value = r.json().await.unwrap();
        assert_eq!(
            (
                report["imported"].as_u64(),
                report["created"].as_u64(),
                report["refused"].as_u64()
            ),
            (Some(2), Some(2), Some(3)),
            "{b:?} {report}"
        );
        let errors: Vec<(u64, String)> = report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["row"].as_u64().unwrap(),
                    e["field"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        for expected in [
            (2, "json"),
            (3, "concerns[0]"),
            (3, "fee.amount"),
            (6, "id"),
        ] {
            assert!(
                errors.contains(&(expected.0, expected.1.to_owned())),
                "{b:?}: {expected:?} missing from {errors:?}"
            );
        }
        assert!(
            report["errors"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| !e["reason"].as_str().unwrap().is_empty())
        );
        assert_eq!(
            listings_stored(&app).await,
            2,
            "{b:?}: good rows kept, bad rows not written"
        );

        let again = import(
            &app,
            &admin,
            &[
                listing("t-a", json!({"name": "Dr Renamed"})),
                listing("t-c", json!({})),
            ],
        )
        .await;
        assert_eq!(
            (again["created"].as_u64(), again["updated"].as_u64()),
            (Some(1), Some(1)),
            "{again}"
        );
        let answer = find(&app, &request(json!({}))).await;
        assert_eq!(ids(&answer), ["t-a", "t-b", "t-c"]);
        assert_eq!(
            answer["results"][0]["name"], "Dr Renamed",
            "{b:?}: a re-import updates by id"
        );
    }
}

#[tokio::test]
async fn a_csv_import_reports_bad_rows_with_their_fields() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let admin = app.admin().await;
        let good = parse_listing(&listing("t-csv", json!({}))).unwrap();
        let csv = to_csv(&[good]);
        let mut cells: Vec<String> = csv
            .lines()
            .nth(1)
            .unwrap()
            .split(',')
            .map(str::to_owned)
            .collect();
        let at = |name: &str| CSV_COLUMNS.iter().position(|c| *c == name).unwrap();
        cells[at("id")] = "t-csv-bad".into();
        cells[at("fee_amount")] = "-1".into();
        cells[at("lat")] = "91".into();
        let body = format!("{csv}{}\n", cells.join(","));
        let report: Value = import_as(&app, &admin, &body, "text/csv")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(report["imported"], 1, "{b:?} {report}");
        let errors: Vec<(u64, &str)> = report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["row"].as_u64().unwrap(), e["field"].as_str().unwrap()))
            .collect();
        assert!(
            errors.contains(&(2, "fee.amount")) && errors.contains(&(2, "location.lat")),
            "{b:?}: {errors:?}"
        );
        assert_eq!(ids(&find(&app, &request(json!({}))).await), ["t-csv"]);
    }
}

#[tokio::test]
async fn a_newly_imported_therapist_is_matched_without_a_restart() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let admin = app.admin().await;
        import(&app, &admin, &[listing("t-a", json!({}))]).await;
        let req = request(json!({"concerns": ["grief"]}));
        assert_eq!(ids(&find(&app, &req).await), ["t-a"]);
        import(
            &app,
            &admin,
            &[listing("t-grief", json!({"concerns": ["grief"]}))],
        )
        .await;
        assert_eq!(ids(&find(&app, &req).await), ["t-grief", "t-a"], "{b:?}");
    }
}

#[tokio::test]
async fn listings_already_stored_are_matched_and_unreadable_rows_are_left_out() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let rows = vec![
            (
                "t-stored".to_owned(),
                None,
                listing("t-stored", json!({})).to_string(),
            ),
            (
                "t-junk".to_owned(),
                None,
                json!({"id": "t-junk", "name": "Not a listing"}).to_string(),
            ),
        ];
        rapport_store::listings::upsert_many(&app.state.db, &rows)
            .await
            .unwrap();
        assert_eq!(
            ids(&find(&app, &request(json!({}))).await),
            ["t-stored"],
            "{b:?}"
        );
    }
}

#[tokio::test]
async fn only_administrators_import() {
    let app = common::spawn_app().await;
    let body = jsonl(&[listing("t-a", json!({}))]);
    for role in ["client", "therapist"] {
        let user = app.signup(role).await;
        assert_eq!(
            import_as(&app, &user, &body, "application/jsonl")
                .await
                .status(),
            403,
            "{role}"
        );
    }
    let admin = app.admin().await;
    let r = import_as(&app, &admin, "   \n", "application/jsonl").await;
    assert_eq!(fields(r).await, ["file"]);
    let r = admin
        .client
        .post(app.url("/api/v1/directory/import?format=xml"))
        .header("x-csrf-token", &admin.csrf)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(fields(r).await, ["format"]);
    assert_eq!(listings_stored(&app).await, 0);
}

#[tokio::test]
async fn a_therapist_edits_only_their_own_listing_and_matching_follows_at_once() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let therapist = app.signup("therapist").await;
        assert_eq!(
            therapist.get(&app, "/api/v1/me/listing").await.status(),
            404
        );
        let mut mine = listing("ignored", json!({"name": "Dr Own", "concerns": ["ocd"]}));
        mine.as_object_mut().unwrap().remove("id");
        let r = therapist
            .put(&app, "/api/v1/me/listing", mine.clone())
            .await;
        assert_eq!(r.status(), 200, "{b:?}");
        let saved: Value = r.json().await.unwrap();
        let id = saved["id"].as_str().unwrap().to_owned();
        let stored: Value = therapist
            .get(&app, "/api/v1/me/listing")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(stored["id"], id.as_str());
        let wish = request(json!({"concerns": ["ocd"], "style": {"directiveness": 3}}));
        let before = find(&app, &wish).await;
        assert_eq!(ids(&before), std::slice::from_ref(&id));

        mine["name"] = json!("Dr Own Renamed");
        mine["style"] =
            json!({"directiveness": 3.0, "intensity": 0.0, "past": 0.0, "challenge": 0.0});
        assert_eq!(
            therapist
                .put(&app, "/api/v1/me/listing", mine.clone())
                .await
                .status(),
            200
        );
        let after = find(&app, &wish).await;
        assert_eq!(
            after["results"][0]["name"], "Dr Own Renamed",
            "{b:?}: the index follows the edit"
        );
        assert!(
            after["results"][0]["components"]["style"].as_f64().unwrap()
                > before["results"][0]["components"]["style"]
                    .as_f64()
                    .unwrap()
        );

        let bad = [
            (json!({"id": "t-someone-else"}), "id"),
            (
                json!({"effectiveness": {"ocd": "effective"}}),
                "effectiveness",
            ),
            (
                json!({"fee": {"amount": -1, "currency": "GBP"}}),
                "fee.amount",
            ),
            (
                json!({"style": {"directiveness": 4.0, "intensity": 0.0, "past": 0.0, "challenge": 0.0}}),
                "style.directiveness",
            ),
        ];
        for (patch, field) in bad {
            let mut body = mine.clone();
            for (k, v) in patch.as_object().unwrap() {
                body[k] = v.clone();
            }
            let got = fields(therapist.put(&app, "/api/v1/me/listing", body).await).await;
            assert!(got.contains(&field.to_owned()), "{b:?} {patch}: {got:?}");
        }
        let unchanged: Value = therapist
            .get(&app, "/api/v1/me/listing")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            unchanged["name"], "Dr Own Renamed",
            "refused edits change nothing"
        );

        let other = app.signup("therapist").await;
        let mut theirs = mine.clone();
        theirs["id"] = json!(id);
        assert_eq!(
            fields(other.put(&app, "/api/v1/me/listing", theirs).await).await,
            ["id"],
            "a therapist cannot write over another's listing"
        );
        assert_eq!(
            therapist
                .put(&app, &format!("/api/v1/listings/{id}"), mine.clone())
                .await
                .status(),
            403
        );
        let client = app.signup("client").await;
        assert_eq!(
            client
                .put(&app, "/api/v1/me/listing", mine.clone())
                .await
                .status(),
            403
        );
        assert_eq!(
            find(&app, &wish).await["results"][0]["name"],
            "Dr Own Renamed"
        );
    }
}

#[tokio::test]
async fn an_administrator_edits_a_listing_of_their_practice_and_the_account_link_stays() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let therapist = app.signup("therapist").await;
        let mut mine = listing("x", json!({}));
        mine.as_object_mut().unwrap().remove("id");
        let id = therapist
            .put(&app, "/api/v1/me/listing", mine.clone())
            .await
            .json::<Value>()
            .await
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let admin = app.admin().await;
        let practice = rapport_store::practices::create(&app.state.db, "The practice")
            .await
            .unwrap();
        for member in [&therapist.id, &admin.id] {
            assert!(
                rapport_store::practices::join(&app.state.db, &practice.id, member)
                    .await
                    .unwrap()
            );
        }
        mine["name"] = json!("Dr Edited By Admin");
        let r = admin
            .put(&app, &format!("/api/v1/listings/{id}"), mine.clone())
            .await;
        assert_eq!(r.status(), 200, "{b:?}");
        assert_eq!(
            find(&app, &request(json!({}))).await["results"][0]["name"],
            "Dr Edited By Admin"
        );
        let own: Value = therapist
            .get(&app, "/api/v1/me/listing")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            own["name"], "Dr Edited By Admin",
            "{b:?}: still the therapist's listing"
        );
        mine["id"] = json!("t-other");
        assert_eq!(
            fields(
                admin
                    .put(&app, &format!("/api/v1/listings/{id}"), mine)
                    .await
            )
            .await,
            ["id"]
        );
    }
}

#[tokio::test]
async fn listings_written_elsewhere_are_picked_up_by_a_refresh() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let admin = app.admin().await;
        import(&app, &admin, &[listing("t-a", json!({}))]).await;
        assert_eq!(ids(&find(&app, &request(json!({}))).await), ["t-a"]);
        let elsewhere = [
            ("t-b".to_owned(), listing("t-b", json!({}))),
            (
                "t-a".to_owned(),
                listing("t-a", json!({"name": "Dr Changed Elsewhere"})),
            ),
        ];
        let rows: Vec<(String, String)> = elsewhere
            .iter()
            .map(|(id, l)| (id.clone(), l.to_string()))
            .collect();
        rapport_store::listings::import(&app.state.db, &rows)
            .await
            .unwrap();
        let db = &app.state.db;
        assert_eq!(
            app.state.directory.refresh(db).await.unwrap(),
            2,
            "{b:?}: only the changed rows are read"
        );
        let answer = find(&app, &request(json!({}))).await;
        assert_eq!(ids(&answer), ["t-a", "t-b"]);
        assert_eq!(answer["results"][0]["name"], "Dr Changed Elsewhere");
        assert_eq!(
            app.state.directory.refresh(db).await.unwrap(),
            0,
            "{b:?}: nothing new, nothing read"
        );
    }
}

#[tokio::test]
async fn the_demo_directory_loads_once_and_links_the_demo_therapist() {
    let app = common::spawn_app().await;
    let therapist = app.signup("therapist").await;
    let user = rapport_store::users::by_id(&app.state.db, &therapist.id)
        .await
        .unwrap()
        .unwrap();
    for _ in 0..2 {
        rapport_web::features::matching::demo::seed(&app.state, &user, "London")
            .await
            .unwrap();
    }
    assert_eq!(
        listings_stored(&app).await,
        rapport_web::features::matching::demo::DEMO_LISTINGS
    );
    assert_eq!(
        app.state.directory.len(&app.state.db).await.unwrap(),
        rapport_web::features::matching::demo::DEMO_LISTINGS
    );
    let own: Value = therapist
        .get(&app, "/api/v1/me/listing")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(own["name"], "Test therapist");
    assert_eq!(own["location"]["city"], "London");
}
