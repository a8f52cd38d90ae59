//! The referral picker's query on both databases: bounded, filtered in any case, never the
//! therapist's own listing, and a `%` or `_` typed by a person matches only itself.

#[macro_use]
mod conformance;

use conformance::*;
use rapport_store::listings;

on_both_databases!(
    the_picker_reads_a_bounded_filtered_page_of_the_directory,
    wildcards_typed_into_the_filter_match_only_themselves,
);

async fn directory(t: &TestDb, names: &[&str]) {
    let rows: Vec<(String, Option<String>, String)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let id = format!("t-{i:03}");
            let data = serde_json::json!({"id": id, "name": n}).to_string();
            (id, None, data)
        })
        .collect();
    listings::upsert_many(&t.db, &rows).await.unwrap();
}

async fn the_picker_reads_a_bounded_filtered_page_of_the_directory(t: &TestDb) {
    let names: Vec<String> = (0..60).map(|i| format!("Dr Number {i}")).collect();
    let mut refs: Vec<&str> = names.iter().map(String::as_str).collect();
    refs.push("Dr Ada Lovelace");
    directory(t, &refs).await;
    assert_eq!(listings::pick(&t.db, "", "", 40).await.unwrap().len(), 40);
    let ada = listings::pick(&t.db, "", "LOVELACE", 40).await.unwrap();
    assert_eq!(ada.len(), 1);
    assert_eq!(ada[0].id, "t-060");
    assert!(
        listings::pick(&t.db, "t-060", "lovelace", 40)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn wildcards_typed_into_the_filter_match_only_themselves(t: &TestDb) {
    directory(t, &["Dr 100% Kind", "Dr Plain", "Dr Under_score"]).await;
    let pct = listings::pick(&t.db, "", "100%", 40).await.unwrap();
    assert_eq!(pct.len(), 1);
    assert!(listings::pick(&t.db, "", "%", 40).await.unwrap().len() == 1);
    assert_eq!(listings::pick(&t.db, "", "r_u", 40).await.unwrap().len(), 0);
    assert_eq!(listings::pick(&t.db, "", "r_s", 40).await.unwrap().len(), 1);
}
