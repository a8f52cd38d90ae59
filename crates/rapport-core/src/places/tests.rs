use super::*;

fn labels(found: &[&Place]) -> Vec<String> {
    found.iter().map(|p| p.label()).collect()
}

fn query(text: &str) -> PlaceQuery {
    PlaceQuery::parse("place", text).unwrap()
}

#[test]
fn a_small_town_the_synthetic_generator_does_not_know_is_found() {
    let found = GAZETTEER.search("Kendal", 5);
    let kendal = found.first().expect("Kendal");
    assert_eq!(kendal.label(), "Kendal, England, United Kingdom");
    assert_eq!(kendal.country, "GB");
    assert_eq!(kendal.time_zone, "Europe/London");
    assert!((kendal.lat - 54.33).abs() < 0.05 && (kendal.lon + 2.75).abs() < 0.05);
}

#[test]
fn accents_and_case_do_not_matter() {
    assert_eq!(GAZETTEER.search("zurich", 1)[0].name, "Zürich");
    assert_eq!(GAZETTEER.search("SAO PAULO", 1)[0].name, "São Paulo");
    assert_eq!(GAZETTEER.search("münchen", 1)[0].name, "Munich");
}

#[test]
fn an_exact_name_ranks_above_a_longer_one_and_the_bigger_town_first() {
    let found = GAZETTEER.search("york", 3);
    assert_eq!(found[0].name, "York");
    assert!(found.iter().take_while(|p| p.name == "York").count() >= 1);
    let exact: Vec<u64> = GAZETTEER
        .search("springfield", 10)
        .iter()
        .filter(|p| p.name == "Springfield")
        .map(|p| p.population)
        .collect();
    assert!(exact.windows(2).all(|w| w[0] >= w[1]), "{exact:?}");
}

#[test]
fn a_prefix_finds_a_place_while_the_name_is_still_being_typed() {
    assert_eq!(GAZETTEER.search("manch", 1)[0].name, "Manchester");
}

#[test]
fn a_region_or_country_after_a_comma_narrows_the_search() {
    let maine = GAZETTEER.search("Portland, Maine", 5);
    assert_eq!(labels(&maine), ["Portland, Maine, United States"]);
    let us = GAZETTEER.search("Portland, US", 10);
    assert!(!us.is_empty() && us.iter().all(|p| p.country == "US"));
    let il = GAZETTEER.search("Springfield, IL", 5);
    assert_eq!(il[0].label(), "Springfield, Illinois, United States");
    let full = GAZETTEER.search("Springfield, Illinois, United States", 5);
    assert_eq!(full[0].id, il[0].id);
}

#[test]
fn an_empty_or_one_letter_query_finds_nothing_and_says_why() {
    assert!(GAZETTEER.search("", 5).is_empty());
    assert!(GAZETTEER.search(" a ", 5).is_empty());
    let refused = PlaceQuery::parse("place", "a").unwrap_err();
    assert_eq!(refused.field, "place");
    assert!(refused.reason.contains("at least 2 letters"));
}

#[test]
fn a_place_that_does_not_exist_finds_nothing() {
    assert!(GAZETTEER.search("Xqzzyville", 5).is_empty());
    assert_eq!(
        GAZETTEER.resolve(&query("Xqzzyville"), 5),
        Resolved::Nothing
    );
}

#[test]
fn a_unique_name_resolves_to_its_place() {
    let Resolved::One(p) = GAZETTEER.resolve(&query("Kendal"), 5) else {
        panic!("Kendal is one place");
    };
    assert_eq!(p.country, "GB");
}

#[test]
fn one_city_far_bigger_than_its_namesakes_is_the_clear_meaning() {
    let Resolved::One(p) = GAZETTEER.resolve(&query("London"), 5) else {
        panic!("London means London");
    };
    assert_eq!(p.country, "GB");
}

#[test]
fn namesakes_of_similar_size_are_offered_to_choose_from() {
    let Resolved::Several(choices) = GAZETTEER.resolve(&query("Springfield"), 5) else {
        panic!("Springfield is ambiguous");
    };
    assert_eq!(choices.len(), 5);
    assert!(choices.iter().all(|p| p.name == "Springfield"));
}

#[test]
fn a_place_is_found_by_its_id_and_by_its_exact_centre() {
    let kendal = GAZETTEER.search("Kendal", 1)[0];
    assert_eq!(GAZETTEER.by_id(kendal.id), Some(kendal));
    assert_eq!(GAZETTEER.at(kendal.lat, kendal.lon), Some(kendal));
    assert_eq!(GAZETTEER.at(0.123_45, 0.543_21), None);
}

#[test]
fn the_gazetteer_holds_the_whole_table_with_time_zones() {
    assert!(GAZETTEER.len() > 30_000);
    assert!(GAZETTEER.all().iter().all(|p| p.time_zone.contains('/')));
}

#[test]
fn a_city_ten_times_its_namesakes_is_clear_but_portland_is_not() {
    let Resolved::One(sf) = GAZETTEER.resolve(&query("San Francisco"), 5) else {
        panic!("San Francisco means California");
    };
    assert_eq!(sf.region_code.as_deref(), Some("US-CA"));
    assert!(matches!(
        GAZETTEER.resolve(&query("Portland"), 5),
        Resolved::Several(_)
    ));
}
