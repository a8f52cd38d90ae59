//! What matching reads: listings and requests (every refusal naming its field), directory files
//! (JSON Lines and CSV, every bad row reported), and the fit profile that re-matching starts from.

mod matching_support;

use matching_support::*;

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
    fn csv_keeps_commas_quotes_and_line_breaks_inside_quoted_cells_and_names_each_bad_rows_line() {
        let dir = generate(3, 2);
        let mut good = dir[0].clone();
        good.name = "Kit \"K\" O'Brien, PhD".into();
        let csv = to_csv(&[good.clone(), dir[1].clone()]);
        let bad = csv.lines().nth(2).unwrap().replacen(&dir[1].id, "", 1);
        let text = format!("{csv}{bad}\r\nonly,two\r\n");
        let (kept, errors) = parse_csv(&text);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0].name, good.name, "the quoted cell is one cell");
        let found: Vec<_> = errors
            .iter()
            .map(|e| (e.row, e.line, e.field.as_str()))
            .collect();
        assert_eq!(
            found,
            [(3, 4, "id"), (4, 5, "row")],
            "rows 3 and 4 start on lines 4 and 5 (the header is line 1): {errors:?}"
        );
    }

    #[test]
    fn csv_from_a_spreadsheet_in_a_semicolon_locale_is_read_like_a_comma_file() {
        let dir = generate(4, 3);
        let commas = to_csv(&dir);
        let mut w = ::csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(Vec::new());
        for record in ::csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(commas.as_bytes())
            .records()
        {
            w.write_record(&record.unwrap()).unwrap();
        }
        let semicolons = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert!(
            semicolons
                .lines()
                .next()
                .unwrap()
                .starts_with("id;name;credentials;")
        );
        let (back, errors) = parse_csv(&semicolons);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(back, dir);
    }

    #[test]
    fn a_csv_header_problem_names_line_one() {
        let (_, errors) = parse_csv("\u{feff}id;name\n1;2\n");
        assert_eq!(
            (errors[0].row, errors[0].line, errors[0].field.as_str()),
            (0, 1, "header")
        );
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
