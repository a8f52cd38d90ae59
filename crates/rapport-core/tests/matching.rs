//! The matching rules of `design/matching.md`, checked on small hand-built directories with
//! hand-computed numbers, and the engine held to the naive oracle on random directories.

use rapport_core::matching::{
    EndingReason, FitProfile, Index, Listing, MatchResponse, Request, Style, Weights, generate,
    generate_requests, haversine_km, naive, parse_csv, parse_jsonl, parse_listing, parse_request,
    to_csv, to_jsonl, vocabularies_json,
};
use serde_json::{Value, json};

fn therapist(id: &str, patch: Value) -> Value {
    let mut v = json!({
        "id": id, "name": format!("Therapist {id}"), "credentials": ["BACP"], "accepting": true,
        "formats": ["in_person", "video"],
        "location": {"lat": 51.5072, "lon": -0.1276, "city": "London"},
        "jurisdictions": ["GB"], "languages": ["en"], "populations": ["adults"],
        "concerns": [], "modalities": [],
        "identity": {"gender": null, "lgbtq": null, "ethnicity": [], "faith": null},
        "fee": {"amount": 5000, "currency": "GBP", "sliding_scale_min": null},
        "insurance": [], "slots": [],
        "style": {"directiveness": 0.0, "intensity": 0.0, "past": 0.0, "challenge": 0.0},
        "effectiveness": {}
    });
    merge(&mut v, patch);
    v
}

fn request(patch: Value) -> Value {
    let mut v = json!({
        "location": {"lat": 51.5072, "lon": -0.1276}, "max_distance_km": 10, "jurisdiction": "GB",
        "formats": ["video"], "languages": ["en"], "population": "adults"
    });
    merge(&mut v, patch);
    v
}

fn merge(v: &mut Value, patch: Value) {
    for (k, p) in patch.as_object().expect("patch is an object") {
        v[k] = p.clone();
    }
}

fn listings(values: &[Value]) -> Vec<Listing> {
    values
        .iter()
        .map(|v| parse_listing(v).unwrap_or_else(|e| panic!("{v}: {e}")))
        .collect()
}

fn assert_same(engine: &MatchResponse, oracle: &MatchResponse) {
    assert_eq!(
        engine.total_eligible, oracle.total_eligible,
        "total_eligible"
    );
    let ids = |r: &MatchResponse| r.results.iter().map(|m| m.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(engine), ids(oracle), "ids and order");
    for (a, b) in engine.results.iter().zip(&oracle.results) {
        assert!(
            (a.score - b.score).abs() <= 1e-9,
            "{}: {} vs {}",
            a.id,
            a.score,
            b.score
        );
        assert_eq!(a.distance_km, b.distance_km, "{}", a.id);
        assert_eq!((&a.reasons, &a.unmet), (&b.reasons, &b.unmet), "{}", a.id);
    }
}

/// Runs the request through the engine and the oracle, checks they agree, returns the answer.
fn run_with(values: &[Value], req: Value, w: &Weights) -> MatchResponse {
    let dir = listings(values);
    let req = parse_request(&req).unwrap_or_else(|e| panic!("{e}"));
    let engine = Index::build(dir.clone()).search_with(&req, w);
    assert_same(&engine, &naive::search(&dir, &req, w));
    engine
}

/// Makes `edits` changes to the directory and the index alike, a third each: removing a listing,
/// replacing one under its id (generated from `seed + k`), and adding one as `<prefix>-k`.
fn edit_alike(dir: &mut Vec<Listing>, index: &mut Index, edits: usize, seed: u64, prefix: &str) {
    for k in 0..edits {
        let at = (k * 7919) % dir.len();
        match k % 3 {
            0 => {
                let gone = dir.swap_remove(at);
                assert!(index.remove(&gone.id));
            }
            1 => {
                let mut fresh = generate(1, seed + k as u64).remove(0);
                fresh.id = dir[at].id.clone();
                dir[at] = fresh.clone();
                index.upsert(fresh);
            }
            _ => {
                let mut fresh = generate(1, seed + 11_000 + k as u64).remove(0);
                fresh.id = format!("{prefix}-{k:04}");
                dir.push(fresh.clone());
                index.upsert(fresh);
            }
        }
    }
}

fn run(values: &[Value], req: Value) -> MatchResponse {
    run_with(values, req, &Weights::default())
}

fn ids(r: &MatchResponse) -> Vec<&str> {
    r.results.iter().map(|m| m.id.as_str()).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

mod filters {
    use super::*;

    #[test]
    fn a_therapist_who_is_not_accepting_is_never_returned() {
        let r = run(
            &[
                therapist("a", json!({"accepting": false})),
                therapist("b", json!({})),
            ],
            request(json!({})),
        );
        assert_eq!(ids(&r), ["b"]);
        assert_eq!(r.total_eligible, 1);
    }

    #[test]
    fn an_excluded_therapist_is_never_returned() {
        let r = run(
            &[therapist("a", json!({})), therapist("b", json!({}))],
            request(json!({"exclude": ["a"]})),
        );
        assert_eq!(ids(&r), ["b"]);
    }

    #[test]
    fn in_person_care_needs_the_therapist_within_the_clients_reach() {
        let near = therapist(
            "near",
            json!({"formats": ["in_person"], "location": {"lat": 51.5522, "lon": -0.1276, "city": "London"}}),
        );
        let far = therapist(
            "far",
            json!({"formats": ["in_person"], "location": {"lat": 51.6072, "lon": -0.1276, "city": "London"}}),
        );
        let r = run(&[near, far], request(json!({"formats": ["in_person"]})));
        assert_eq!(ids(&r), ["near"]);
        assert!((r.results[0].distance_km.unwrap() - 5.003778610509377).abs() < 1e-9);
    }

    #[test]
    fn remote_care_needs_the_clients_jurisdiction_among_the_therapists() {
        let ca = therapist(
            "ca",
            json!({"formats": ["video"], "jurisdictions": ["US-CA"], "location": null}),
        );
        let gb = therapist(
            "gb",
            json!({"formats": ["video"], "jurisdictions": ["IE", "GB"], "location": null}),
        );
        assert_eq!(ids(&run(&[ca, gb], request(json!({})))), ["gb"]);
    }

    #[test]
    fn a_format_only_one_side_offers_does_not_connect_them() {
        let phone = therapist("phone", json!({"formats": ["phone"], "location": null}));
        let both = therapist(
            "both",
            json!({"formats": ["phone", "video"], "location": null}),
        );
        assert_eq!(
            ids(&run(&[phone, both], request(json!({"formats": ["video"]})))),
            ["both"]
        );
    }

    #[test]
    fn at_least_one_language_must_be_shared() {
        let pl = therapist("pl", json!({"languages": ["pl"]}));
        let en_pl = therapist("en-pl", json!({"languages": ["en", "pl"]}));
        assert_eq!(
            ids(&run(&[pl.clone(), en_pl.clone()], request(json!({})))),
            ["en-pl"]
        );
        assert_eq!(
            ids(&run(
                &[pl, en_pl],
                request(json!({"languages": ["de", "pl"]}))
            )),
            ["en-pl", "pl"]
        );
    }

    #[test]
    fn the_therapist_must_serve_the_clients_population() {
        let kids = therapist("kids", json!({"populations": ["children"]}));
        let couples = therapist("couples", json!({"populations": ["adults", "couples"]}));
        assert_eq!(
            ids(&run(
                &[kids, couples],
                request(json!({"population": "couples"}))
            )),
            ["couples"]
        );
    }

    #[test]
    fn a_fee_over_budget_fits_only_through_a_sliding_scale_or_insurance_in_the_same_currency() {
        let dear = therapist(
            "dear",
            json!({"fee": {"amount": 9000, "currency": "GBP", "sliding_scale_min": null}}),
        );
        let sliding = therapist(
            "sliding",
            json!({"fee": {"amount": 9000, "currency": "GBP", "sliding_scale_min": 4000}}),
        );
        let insured = therapist(
            "insured",
            json!({"fee": {"amount": 9000, "currency": "GBP", "sliding_scale_min": null}, "insurance": ["bupa"]}),
        );
        let euro = therapist(
            "euro",
            json!({"fee": {"amount": 3000, "currency": "EUR", "sliding_scale_min": null}}),
        );
        let exact = therapist(
            "exact",
            json!({"fee": {"amount": 6000, "currency": "GBP", "sliding_scale_min": null}}),
        );
        let all = [dear, sliding, insured, euro, exact];
        let budget = json!({"amount": 6000, "currency": "GBP"});
        assert_eq!(
            ids(&run(&all, request(json!({"budget": budget})))),
            ["exact", "sliding"]
        );
        assert_eq!(
            ids(&run(
                &all,
                request(json!({"budget": budget, "insurance": "bupa"}))
            )),
            ["exact", "insured", "sliding"]
        );
        assert_eq!(
            ids(&run(&all, request(json!({"insurance": "bupa"})))),
            ["insured"]
        );
        assert_eq!(run(&all, request(json!({}))).total_eligible, 5);
    }

    #[test]
    fn a_must_identity_preference_filters_and_a_prefer_one_only_scores() {
        let woman = therapist(
            "woman",
            json!({"identity": {"gender": "woman", "lgbtq": true, "ethnicity": ["black", "white"], "faith": null}}),
        );
        let man = therapist(
            "man",
            json!({"identity": {"gender": "man", "lgbtq": null, "ethnicity": ["black"], "faith": "jewish"}}),
        );
        let silent = therapist("silent", json!({}));
        let all = [woman, man, silent];
        let must = |field: &str, value: Value| {
            request(json!({"identity": {field: {"value": value, "strength": "must"}}}))
        };
        assert_eq!(ids(&run(&all, must("gender", json!("woman")))), ["woman"]);
        assert_eq!(
            ids(&run(&all, must("ethnicity", json!("black")))),
            ["man", "woman"]
        );
        assert_eq!(ids(&run(&all, must("lgbtq", json!(true)))), ["woman"]);
        assert_eq!(ids(&run(&all, must("faith", json!("jewish")))), ["man"]);
        let prefer =
            request(json!({"identity": {"gender": {"value": "woman", "strength": "prefer"}}}));
        assert_eq!(ids(&run(&all, prefer)), ["woman", "man", "silent"]);
    }

    #[test]
    fn when_slots_are_given_one_must_be_shared() {
        let tue = therapist(
            "tue",
            json!({"slots": [{"day": "tue", "hour": 18}, {"day": "wed", "hour": 9}]}),
        );
        let mon = therapist("mon", json!({"slots": [{"day": "mon", "hour": 18}]}));
        let none = therapist("none", json!({}));
        let all = [tue, mon, none];
        assert_eq!(
            ids(&run(
                &all,
                request(json!({"slots": [{"day": "tue", "hour": 18}]}))
            )),
            ["tue"]
        );
        assert_eq!(run(&all, request(json!({}))).total_eligible, 3);
    }
}

mod score {
    use super::*;

    #[test]
    fn haversine_from_london_to_paris_is_about_343_and_a_half_km() {
        let d = haversine_km(51.5072, -0.1276, 48.8566, 2.3522);
        assert!((d - 343.53).abs() < 0.01, "{d}");
        assert_eq!(haversine_km(10.0, 20.0, 10.0, 20.0), 0.0);
    }

    #[test]
    fn concerns_weigh_three_two_one_then_one_each() {
        let t = therapist("a", json!({"concerns": ["anxiety", "sleep", "ocd"]}));
        let r = run(
            &[t],
            request(json!({"concerns": ["trauma", "anxiety", "grief", "sleep"]})),
        );
        let m = &r.results[0];
        assert!(close(m.components.concerns.unwrap(), 3.0 / 7.0));
        assert!(close(
            m.score,
            100.0 * (0.35 * 3.0 / 7.0 + 0.05 * 0.5) / 0.40
        ));
        assert_eq!(m.components.style, None);
        assert_eq!(m.components.distance, None);
    }

    #[test]
    fn style_closeness_weighs_each_dimension_by_how_much_the_client_cares() {
        let t = therapist(
            "a",
            json!({"style": {"directiveness": 1.0, "intensity": 3.0, "past": 2.0, "challenge": 0.0}}),
        );
        let wish = json!({"directiveness": 2.0, "intensity": 0.0, "past": -1.0, "challenge": 0.0});
        let m = &run(&[t], request(json!({"style": wish}))).results[0];
        let expected = (2.0 * (1.0 - 1.0 / 6.0) + 1.0 * (1.0 - 3.0 / 6.0)) / 3.0;
        assert!(close(m.components.style.unwrap(), expected));
        assert!(close(
            m.score,
            100.0 * (0.25 * expected + 0.05 * 0.5) / 0.30
        ));
    }

    #[test]
    fn a_zero_style_wish_does_not_apply() {
        let m = &run(
            &[therapist("a", json!({}))],
            request(json!({"style": {"directiveness": 0}})),
        )
        .results[0];
        assert_eq!(m.components.style, None);
        assert!(close(m.score, 50.0));
    }

    #[test]
    fn one_shared_modality_is_enough() {
        let both = therapist("both", json!({"modalities": ["emdr", "cbt"]}));
        let one = therapist("one", json!({"modalities": ["cbt"]}));
        let none = therapist("none", json!({"modalities": ["dbt"]}));
        let r = run(
            &[both, one, none],
            request(json!({"modalities": ["emdr", "cbt"]})),
        );
        let modality: Vec<_> = r
            .results
            .iter()
            .map(|m| m.components.modality.unwrap())
            .collect();
        assert_eq!(ids(&r), ["both", "one", "none"]);
        assert_eq!(modality, [1.0, 1.0, 0.0]);
        assert!(close(r.results[0].score, 100.0 * (0.15 + 0.025) / 0.20));
    }

    #[test]
    fn identity_scores_the_share_of_prefer_wishes_met() {
        let t = therapist(
            "a",
            json!({"identity": {"gender": "woman", "lgbtq": false, "ethnicity": [], "faith": "muslim"}}),
        );
        let prefs = json!({
            "gender": {"value": "woman", "strength": "prefer"},
            "faith": {"value": "jewish", "strength": "prefer"},
            "lgbtq": {"value": false, "strength": "must"}
        });
        let m = &run(&[t], request(json!({"identity": prefs}))).results[0];
        assert_eq!(m.components.identity, Some(0.5));
        assert!(close(m.score, 100.0 * (0.10 * 0.5 + 0.05 * 0.5) / 0.15));
        assert!(
            m.unmet
                .contains(&"Faith preference not met (Jewish)".to_string()),
            "{:?}",
            m.unmet
        );
    }

    #[test]
    fn distance_scores_nearness_within_reach_and_zero_beyond() {
        let near = therapist(
            "near",
            json!({"location": {"lat": 51.5522, "lon": -0.1276, "city": "London"}}),
        );
        let far = therapist(
            "far",
            json!({"location": {"lat": 51.7072, "lon": -0.1276, "city": "London"}}),
        );
        let video = therapist("video", json!({"formats": ["video"], "location": null}));
        let r = run(
            &[near, far, video],
            request(json!({"formats": ["in_person", "video"]})),
        );
        assert_eq!(ids(&r), ["near", "far", "video"]);
        let d = r.results[0].distance_km.unwrap();
        assert!(close(
            r.results[0].components.distance.unwrap(),
            1.0 - d / 10.0
        ));
        assert!((r.results[0].components.distance.unwrap() - 0.49962).abs() < 1e-4);
        assert_eq!(r.results[1].components.distance, Some(0.0));
        assert!(r.results[1].distance_km.unwrap() > 22.0);
        assert_eq!(r.results[2].components.distance, Some(0.0));
        assert_eq!(r.results[2].distance_km, None);
    }

    #[test]
    fn effectiveness_averages_the_first_three_concerns_with_unrated_as_half() {
        let t = therapist(
            "a",
            json!({
                "concerns": ["anxiety"],
                "effectiveness": {"anxiety": "effective", "trauma": "ineffective", "sleep": "effective"}
            }),
        );
        let r = run(
            std::slice::from_ref(&t),
            request(json!({"concerns": ["anxiety", "grief", "trauma", "sleep"]})),
        );
        assert!(close(
            r.results[0].components.effectiveness,
            (1.0 + 0.5 + 0.0) / 3.0
        ));
        let r = run(&[t], request(json!({})));
        assert!(close(r.results[0].components.effectiveness, 0.5));
        assert!(close(r.results[0].score, 50.0));
    }

    #[test]
    fn custom_weights_change_the_score_but_not_the_rules() {
        let t = therapist("a", json!({"concerns": ["anxiety"]}));
        let w = Weights {
            concerns: 1.0,
            effectiveness: 0.0,
            ..Weights::default()
        };
        let r = run_with(&[t], request(json!({"concerns": ["anxiety", "grief"]})), &w);
        assert!(close(r.results[0].score, 60.0));
    }
}

mod order {
    use super::*;

    #[test]
    fn results_are_ordered_by_score_then_by_id() {
        let all = [
            therapist("c", json!({"concerns": ["anxiety"]})),
            therapist("b", json!({})),
            therapist("a", json!({})),
            therapist("d", json!({"concerns": ["anxiety"]})),
        ];
        let r = run(&all, request(json!({"concerns": ["anxiety"]})));
        assert_eq!(ids(&r), ["c", "d", "a", "b"]);
    }

    #[test]
    fn top_bounds_the_results_but_total_eligible_counts_everyone() {
        let all: Vec<_> = (0..30)
            .map(|i| therapist(&format!("t{i:02}"), json!({})))
            .collect();
        let r = run(&all, request(json!({"top": 5})));
        assert_eq!(ids(&r), ["t00", "t01", "t02", "t03", "t04"]);
        assert_eq!(r.total_eligible, 30);
        assert_eq!(run(&all, request(json!({}))).results.len(), 20);
    }

    #[test]
    fn reasons_say_in_plain_words_what_fits() {
        let t = therapist(
            "a",
            json!({
                "concerns": ["anxiety", "trauma"], "modalities": ["emdr"],
                "slots": [{"day": "tue", "hour": 18}]
            }),
        );
        let req = request(json!({
            "concerns": ["trauma", "anxiety"], "modalities": ["emdr"], "slots": [{"day": "tue", "hour": 18}]
        }));
        let m = &run(&[t], req).results[0];
        assert_eq!(
            m.reasons,
            [
                "Works with trauma and anxiety",
                "Offers EMDR",
                "Tuesday 18:00 is free"
            ]
        );
        assert!(m.unmet.is_empty());
    }

    #[test]
    fn unmet_preferences_say_what_the_client_gives_up() {
        let far = therapist(
            "far",
            json!({"location": {"lat": 51.7072, "lon": -0.1276, "city": "London"}}),
        );
        let m = &run(
            &[far],
            request(json!({"formats": ["in_person", "video"], "concerns": ["grief"]})),
        )
        .results[0];
        assert_eq!(
            m.unmet,
            ["Does not list grief", "Not within 10 km: video only"]
        );
    }

    #[test]
    fn the_response_serialises_only_the_components_that_apply() {
        let r = run(
            &[therapist("a", json!({}))],
            request(json!({"concerns": ["anxiety"]})),
        );
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["total_eligible"], 1);
        let components = v["results"][0]["components"].as_object().unwrap();
        assert_eq!(
            components.keys().collect::<Vec<_>>(),
            ["concerns", "effectiveness"]
        );
    }
}

mod parsing {
    use super::*;

    fn listing_errors(patch: Value) -> Vec<(String, String)> {
        parse_listing(&therapist("a", patch))
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| (e.field, e.reason))
            .collect()
    }

    fn request_errors(patch: Value) -> Vec<String> {
        parse_request(&request(patch))
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_listing_round_trips_through_its_json() {
        let l = listings(&[therapist(
            "a",
            json!({"effectiveness": {"anxiety": "effective"}, "slots": [{"day": "sun", "hour": 0}]}),
        )]);
        let back: Listing = serde_json::from_value(serde_json::to_value(&l[0]).unwrap()).unwrap();
        assert_eq!(back, l[0]);
        assert!(
            serde_json::from_value::<Listing>(therapist(
                "a",
                json!({"fee": {"amount": -1, "currency": "GBP"}})
            ))
            .is_err()
        );
    }

    #[test]
    fn every_problem_of_a_listing_is_named_by_its_field() {
        let errors = listing_errors(json!({
            "concerns": ["anxiety", "worry"], "location": {"lat": 91, "lon": -181, "city": "X"},
            "fee": {"amount": -5, "currency": "gbp", "sliding_scale_min": null},
            "languages": ["EN"], "jurisdictions": ["U-CA"], "slots": [{"day": "tue", "hour": 24}],
            "style": {"directiveness": 4, "intensity": 0, "past": 0, "challenge": 0},
            "effectiveness": {"worry": "effective", "anxiety": "great"}, "name": " ", "colour": "blue"
        }));
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        for field in [
            "concerns[1]",
            "location.lat",
            "location.lon",
            "fee.amount",
            "fee.currency",
            "languages[0]",
            "jurisdictions[0]",
            "slots[0].hour",
            "style.directiveness",
            "effectiveness.worry",
            "effectiveness.anxiety",
            "name",
            "colour",
        ] {
            assert!(fields.contains(&field), "{field} missing from {errors:?}");
        }
        assert!(errors.contains(&(
            "concerns[1]".into(),
            "`worry` is not a known concern".into()
        )));
        assert!(errors.contains(&("fee.amount".into(), "must not be negative".into())));
    }

    #[test]
    fn a_listing_id_is_required_and_at_most_64_characters() {
        assert_eq!(listing_errors(json!({"id": "x".repeat(65)}))[0].0, "id");
        assert_eq!(listing_errors(json!({"id": ""}))[0].0, "id");
        assert!(parse_listing(&therapist(&"x".repeat(64), json!({}))).is_ok());
    }

    #[test]
    fn in_person_listings_need_a_location() {
        assert_eq!(listing_errors(json!({"location": null}))[0].0, "location");
        assert!(
            parse_listing(&therapist(
                "a",
                json!({"location": null, "formats": ["video"]})
            ))
            .is_ok()
        );
    }

    #[test]
    fn top_must_be_from_1_to_100_and_defaults_to_20() {
        assert_eq!(request_errors(json!({"top": 0})), ["top"]);
        assert_eq!(request_errors(json!({"top": 101})), ["top"]);
        assert_eq!(parse_request(&request(json!({}))).unwrap().top, 20);
        assert_eq!(
            parse_request(&request(json!({"top": 100}))).unwrap().top,
            100
        );
    }

    #[test]
    fn a_request_says_which_required_fields_are_missing() {
        let mut bare = json!({"formats": ["in_person", "phone"]});
        assert_eq!(
            parse_request(&bare)
                .unwrap_err()
                .0
                .iter()
                .map(|e| e.field.as_str())
                .collect::<Vec<_>>(),
            [
                "location",
                "max_distance_km",
                "jurisdiction",
                "languages",
                "population"
            ]
        );
        bare["formats"] = json!([]);
        assert!(
            parse_request(&bare)
                .unwrap_err()
                .0
                .iter()
                .any(|e| e.field == "formats")
        );
    }

    #[test]
    fn request_values_are_checked_field_by_field() {
        let errors = request_errors(json!({
            "max_distance_km": 0, "concerns": ["anxiety", "anxiety"], "population": "pets",
            "identity": {"gender": {"value": "woman", "strength": "maybe"}, "faith": {"value": "jedi", "strength": "must"}},
            "budget": {"amount": -1, "currency": "GBP"}, "location": {"lat": -91, "lon": 0}
        }));
        assert_eq!(
            errors,
            [
                "location.lat",
                "max_distance_km",
                "population",
                "concerns[1]",
                "budget.amount",
                "identity.gender.strength",
                "identity.faith.value"
            ]
        );
    }

    #[test]
    fn a_request_round_trips_through_its_json() {
        let req = parse_request(&request(json!({
            "identity": {"lgbtq": {"value": true, "strength": "prefer"}}, "exclude": ["t-1"],
            "slots": [{"day": "mon", "hour": 9}], "budget": {"amount": 100, "currency": "EUR"}
        })))
        .unwrap();
        let back: Request = serde_json::from_value(serde_json::to_value(&req).unwrap()).unwrap();
        assert_eq!(back, req);
    }

    #[test]
    fn vocabularies_are_published_with_labels() {
        let v = vocabularies_json();
        let ocd = v["concerns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["word"] == "ocd")
            .unwrap();
        assert_eq!(ocd["label"], "OCD");
        assert_eq!(v["concerns"].as_array().unwrap().len(), 30);
        assert_eq!(v["modalities"].as_array().unwrap().len(), 18);
        assert!(
            v["modalities"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w["label"] == "person-centred therapy")
        );
    }
}

mod import {
    use super::*;

    #[test]
    fn jsonl_keeps_good_rows_and_reports_bad_ones_by_line_and_field() {
        let good = therapist("a", json!({}));
        let bad = therapist("b", json!({"location": {"lat": 91, "lon": 0, "city": "X"}}));
        let text = format!(
            "{good}\n\n{bad}\nnot json\n{}\n{good}\n",
            therapist("c", json!({}))
        );
        let (kept, errors) = parse_jsonl(&text);
        assert_eq!(
            kept.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
            ["a", "c"]
        );
        let found: Vec<_> = errors.iter().map(|e| (e.row, e.field.as_str())).collect();
        assert_eq!(found, [(3, "location.lat"), (4, "json"), (6, "id")]);
        assert_eq!(errors[2].reason, "repeats the id of row 1");
    }

    #[test]
    fn csv_reads_quotes_escaped_quotes_and_crlf() {
        let header = rapport_core::matching::CSV_COLUMNS.join(",");
        let row = "t-1,\"Dr \"\"Sam\"\", Jones\",LCSW;PhD,true,in_person;video,51.5,-0.12,London,GB,en;pl,adults,\
                   anxiety;trauma,cbt,woman,,black,,9000,GBP,4000,bupa,tue 18;wed 9,1,-0.5,0,1.5,anxiety:effective";
        let bad = "t-2,Ann,,maybe,video,,,,GB,en,adults,,,,,,,-10,GBP,,,tue,0,0,0,0,";
        let text = format!("{header}\r\n{row}\r\n{bad}\r\n");
        let (kept, errors) = parse_csv(&text);
        assert_eq!(kept.len(), 1);
        let l = &kept[0];
        assert_eq!(l.name, "Dr \"Sam\", Jones");
        assert_eq!(l.credentials, ["LCSW", "PhD"]);
        assert_eq!(l.slots.len(), 2);
        assert_eq!(
            l.style,
            Style {
                directiveness: 1.0,
                intensity: -0.5,
                past: 0.0,
                challenge: 1.5
            }
        );
        assert_eq!(l.fee.sliding_scale_min, Some(4000));
        assert_eq!(l.identity.lgbtq, None);
        let found: Vec<_> = errors.iter().map(|e| (e.row, e.field.as_str())).collect();
        assert_eq!(
            found,
            [(2, "slots[0]"), (2, "accepting"), (2, "fee.amount")]
        );
    }

    #[test]
    fn csv_reports_rows_with_the_wrong_number_of_cells_and_missing_columns() {
        let header = rapport_core::matching::CSV_COLUMNS.join(",");
        let (kept, errors) = parse_csv(&format!("{header}\na,b\n"));
        assert!(kept.is_empty());
        assert_eq!((errors[0].row, errors[0].field.as_str()), (1, "row"));
        let (_, errors) = parse_csv("id,name\n1,2\n");
        assert_eq!((errors[0].row, errors[0].field.as_str()), (0, "header"));
    }

    #[test]
    fn a_directory_round_trips_through_csv_and_jsonl() {
        let mut dir = generate(200, 7);
        dir[3].name = "O'Brien, \"Kit\"".into();
        let (back, errors) = parse_csv(&to_csv(&dir));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(back, dir);
        let (back, errors) = parse_jsonl(&to_jsonl(&dir));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(back, dir);
    }

    #[test]
    fn duplicate_ids_in_a_csv_are_reported_on_the_later_row() {
        let dir = generate(3, 1);
        let csv = to_csv(&[dir[0].clone(), dir[1].clone(), dir[0].clone()]);
        let (kept, errors) = parse_csv(&csv);
        assert_eq!(kept.len(), 2);
        assert_eq!((errors[0].row, errors[0].field.as_str()), (3, "id"));
    }
}

mod refit {
    use super::*;

    #[test]
    fn each_ending_reason_moves_one_dimension_by_one_step() {
        let cases = [
            (EndingReason::WantedMoreStructure, [1.0, 0.0, 0.0, 0.0]),
            (EndingReason::WantedMoreLead, [-1.0, 0.0, 0.0, 0.0]),
            (EndingReason::TooIntense, [0.0, -1.0, 0.0, 0.0]),
            (EndingReason::TooDistant, [0.0, 1.0, 0.0, 0.0]),
            (EndingReason::TooFocusedOnPast, [0.0, 0.0, -1.0, 0.0]),
            (EndingReason::WantedMoreDepth, [0.0, 0.0, 1.0, 0.0]),
            (EndingReason::PushedTooHard, [0.0, 0.0, 0.0, -1.0]),
            (EndingReason::NotChallengedEnough, [0.0, 0.0, 0.0, 1.0]),
            (EndingReason::Other, [0.0, 0.0, 0.0, 0.0]),
        ];
        for (reason, moved) in cases {
            let mut p = FitProfile::default();
            p.apply_ending("t-1", reason);
            assert_eq!(p.style.to_array(), moved, "{reason:?}");
            assert!(p.exclude.contains("t-1"));
            assert_eq!(EndingReason::parse(reason.as_str()), Some(reason));
        }
    }

    #[test]
    fn the_style_wish_is_clamped_to_three() {
        let mut p = FitProfile::new(Style {
            directiveness: 2.5,
            ..Style::default()
        });
        p.apply_ending("t-1", EndingReason::WantedMoreStructure);
        p.apply_ending("t-2", EndingReason::WantedMoreStructure);
        assert_eq!(p.style.directiveness, 3.0);
        for _ in 0..8 {
            p.apply_ending("t-3", EndingReason::TooIntense);
        }
        assert_eq!(p.style.intensity, -3.0);
        assert_eq!(p.exclude.len(), 3);
    }

    #[test]
    fn the_profile_is_described_in_plain_words() {
        let mut p = FitProfile::default();
        p.apply_ending("t-1", EndingReason::WantedMoreStructure);
        assert_eq!(
            p.describe(),
            "We'll look for someone more structured. We won't suggest anyone you have already ended with."
        );
        p.apply_ending("t-2", EndingReason::TooIntense);
        assert!(
            p.describe()
                .starts_with("We'll look for someone more structured and gentler.")
        );
    }

    #[test]
    fn a_profile_steers_the_next_request_away_from_the_ended_therapist() {
        let dir = [
            therapist(
                "a",
                json!({"style": {"directiveness": -2.0, "intensity": 0, "past": 0, "challenge": 0}}),
            ),
            therapist(
                "b",
                json!({"style": {"directiveness": 2.0, "intensity": 0, "past": 0, "challenge": 0}}),
            ),
            therapist(
                "c",
                json!({"style": {"directiveness": 1.0, "intensity": 0, "past": 0, "challenge": 0}}),
            ),
        ];
        let mut req = parse_request(&request(json!({}))).unwrap();
        let mut p = FitProfile::default();
        p.apply_ending("b", EndingReason::WantedMoreStructure);
        p.apply_to(&mut req);
        let r = Index::build(listings(&dir)).search(&req);
        assert_eq!(ids(&r), ["c", "a"]);
    }
}

mod engine {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_generator_is_deterministic_and_its_listings_are_valid() {
        let a = generate(500, 42);
        assert_eq!(a, generate(500, 42));
        assert_ne!(a, generate(500, 43));
        for l in &a {
            assert_eq!(
                &parse_listing(&serde_json::to_value(l).unwrap()).unwrap(),
                l
            );
        }
        let accepting = a.iter().filter(|l| l.accepting).count();
        assert!((400..=490).contains(&accepting), "{accepting}");
        let reqs = generate_requests(50, 9, &a);
        assert_eq!(reqs, generate_requests(50, 9, &a));
        for r in &reqs {
            assert_eq!(
                &parse_request(&serde_json::to_value(r).unwrap()).unwrap(),
                r
            );
        }
        let index = Index::build(a);
        let found = reqs
            .iter()
            .filter(|r| index.search(r).total_eligible > 0)
            .count();
        assert!(found > 25, "{found} of 50 requests found someone");
    }

    #[test]
    fn upsert_replaces_and_remove_forgets_without_a_rebuild() {
        let mut index = Index::build(listings(&[
            therapist("a", json!({})),
            therapist("b", json!({})),
        ]));
        assert_eq!(index.len(), 2);
        index.upsert(parse_listing(&therapist("a", json!({"accepting": false}))).unwrap());
        assert_eq!(index.len(), 2);
        let req = parse_request(&request(json!({}))).unwrap();
        assert_eq!(ids(&index.search(&req)), ["b"]);
        assert!(index.remove("b"));
        assert!(!index.remove("b"));
        assert_eq!(index.search(&req).total_eligible, 0);
        index.upsert(parse_listing(&therapist("c", json!({}))).unwrap());
        assert_eq!(ids(&index.search(&req)), ["c"]);
        assert_eq!(index.len(), 2);
        assert!(index.approx_bytes_per_listing() > 0);
    }

    /// The bulk build keeps the last of listings sharing an id, in that listing's place among
    /// the others; edits afterwards go through the one-by-one path on the bulk-built index.
    #[test]
    fn a_build_with_repeated_ids_then_edits_agrees_with_the_oracle() {
        let mut given = generate(1500, 21);
        for k in 0..200usize {
            let mut again = generate(1, 500 + k as u64).remove(0);
            again.id = given[(k * 37) % 1500].id.clone();
            given.push(again);
        }
        let index = Index::build(given.clone());
        let mut dir: Vec<Listing> = Vec::new();
        for l in given {
            match dir.iter_mut().find(|d| d.id == l.id) {
                Some(d) => *d = l,
                None => dir.push(l),
            }
        }
        assert_eq!(index.len(), dir.len());
        let mut index = index;
        edit_alike(&mut dir, &mut index, 150, 9_000, "late");
        assert_eq!(index.len(), dir.len());
        for (n, mut req) in generate_requests(60, 5, &dir).into_iter().enumerate() {
            req.top = 1 + n % 7;
            if n % 2 == 0 {
                req.max_distance_km = Some(50.0);
            }
            assert_same(
                &index.search(&req),
                &naive::search(&dir, &req, &Weights::default()),
            );
        }
    }

    fn vary(req: &mut Request, knob: u8) {
        match knob % 6 {
            0 => req.top = 1 + usize::from(knob) % 4,
            1 => req.max_distance_km = Some(3000.0),
            2 => req.formats = vec![rapport_core::matching::Format::InPerson],
            3 => req.jurisdiction = None,
            _ => {}
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        #[test]
        fn the_index_returns_exactly_what_the_naive_rules_return(
            seed in any::<u64>(),
            count in 50usize..300,
            edits in proptest::collection::vec((any::<bool>(), any::<u16>(), any::<u64>()), 0..40),
            req_seed in any::<u64>(),
            knobs in proptest::collection::vec(any::<u8>(), 12),
            custom in any::<bool>(),
        ) {
            let mut dir = generate(count, seed);
            let mut index = Index::build(dir.clone());
            for (remove, pick, s) in edits {
                let at = usize::from(pick) % dir.len().max(1);
                if remove && !dir.is_empty() {
                    let gone = dir.swap_remove(at);
                    prop_assert!(index.remove(&gone.id));
                } else {
                    let mut fresh = generate(1, s).remove(0);
                    match dir.get(at) {
                        Some(old) if s % 2 == 0 => {
                            fresh.id = old.id.clone();
                            dir[at] = fresh.clone();
                        }
                        _ => {
                            fresh.id = format!("n-{s:020}");
                            if dir.iter().any(|l| l.id == fresh.id) { continue; }
                            dir.push(fresh.clone());
                        }
                    }
                    index.upsert(fresh);
                }
            }
            prop_assert_eq!(index.len(), dir.len());
            let w = if custom {
                Weights { concerns: 0.2, style: 0.4, modality: 0.05, identity: 0.2, distance: 0.3, effectiveness: 0.0 }
            } else {
                Weights::default()
            };
            for (mut req, knob) in generate_requests(12, req_seed, &dir).into_iter().zip(knobs) {
                vary(&mut req, knob);
                assert_same(&index.search_with(&req, &w), &naive::search(&dir, &req, &w));
            }
        }
    }

    /// The engine's shortcuts only start to matter past a few hundred listings: the top-k heap
    /// fills early, so most candidates are dropped on a score bound; in-person candidates in
    /// grid cells wholly within reach (50 km) are measured only when they may make the
    /// results; remote candidates are read only in their jurisdiction's band of slots, which
    /// edits after the build (new listings in freed slots) widen.
    #[test]
    fn shortcuts_agree_with_the_oracle_on_a_larger_edited_directory() {
        use rapport_core::matching::Format;
        let mut dir = generate(4000, 7);
        let mut index = Index::build(dir.clone());
        edit_alike(&mut dir, &mut index, 300, 0, "new");
        assert_eq!(index.len(), dir.len());
        let custom = Weights {
            concerns: 0.2,
            style: 0.4,
            modality: 0.05,
            identity: 0.2,
            distance: 0.3,
            effectiveness: 0.0,
        };
        for (n, mut req) in generate_requests(60, 11, &dir).into_iter().enumerate() {
            req.top = 1 + n % 5;
            if n % 3 == 0 {
                req.max_distance_km = Some(50.0);
                req.formats = vec![Format::InPerson, Format::Video];
            }
            if n % 4 == 0 {
                req.exclude.insert(dir[(n * 31) % dir.len()].id.clone());
            }
            for w in [Weights::default(), custom] {
                let engine = index.search_with(&req, &w);
                assert_same(&engine, &naive::search(&dir, &req, &w));
            }
        }
    }

    #[test]
    #[ignore = "timing only: MATCH_N=100000 cargo test --release --test matching -- --ignored --nocapture"]
    fn time_build_and_search() {
        let n: usize = std::env::var("MATCH_N")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(100_000);
        let dir = generate(n, 1);
        let q: usize = std::env::var("MATCH_Q")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2000);
        let reqs = generate_requests(q, 2, &dir);
        let start = std::time::Instant::now();
        let index = Index::build(dir);
        let build = start.elapsed();
        let mut times: Vec<_> = reqs
            .iter()
            .map(|r| {
                let t = std::time::Instant::now();
                std::hint::black_box(index.search(r));
                t.elapsed()
            })
            .collect();
        times.sort();
        println!(
            "n={n} build={build:?} p50={:?} p99={:?} bytes/listing={}",
            times[times.len() / 2],
            times[times.len() * 99 / 100],
            index.approx_bytes_per_listing()
        );
    }
}
