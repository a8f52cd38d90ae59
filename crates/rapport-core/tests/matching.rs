//! The matching rules of `design/matching.md` (hard filters, score components, order), checked
//! on small hand-built directories with hand-computed numbers; every answer is also held to the
//! naive oracle.

mod matching_support;

use matching_support::*;

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
