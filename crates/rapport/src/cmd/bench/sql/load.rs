//! The benchmark tables and loading a directory into them.

use rapport_core::matching::{Format, Listing, Rating, Word};

use super::{Arg, Conn, execute};

const SCHEMA: &[&str] = &[
    "CREATE TABLE bench_listings (id TEXT PRIMARY KEY, name TEXT NOT NULL, accepting BIGINT NOT NULL, in_person BIGINT NOT NULL, video BIGINT NOT NULL, phone BIGINT NOT NULL, located BIGINT NOT NULL, lat DOUBLE PRECISION NOT NULL, lon DOUBLE PRECISION NOT NULL, currency TEXT NOT NULL, fee BIGINT NOT NULL, sliding BIGINT, gender TEXT, lgbtq BIGINT, faith TEXT, s_dir DOUBLE PRECISION NOT NULL, s_int DOUBLE PRECISION NOT NULL, s_past DOUBLE PRECISION NOT NULL, s_chal DOUBLE PRECISION NOT NULL)",
    "CREATE TABLE bench_tags (listing_id TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (listing_id, kind, value))",
    "CREATE TABLE bench_effectiveness (listing_id TEXT NOT NULL, concern TEXT NOT NULL, value DOUBLE PRECISION NOT NULL, PRIMARY KEY (listing_id, concern))",
];

/// Built after loading (faster than maintaining them row by row).
const INDEXES: &[&str] = &[
    "CREATE INDEX bench_listings_near ON bench_listings (accepting, in_person, lat)",
    "CREATE INDEX bench_tags_by_value ON bench_tags (kind, value, listing_id)",
];

/// PostgreSQL's `haversine_km`: the core's formula step by step (`to_radians` is a product with
/// π/180, `powi(2)` a product, `min` is `LEAST`), so it rounds exactly as the engine does.
pub const PG_HAVERSINE: &str = "CREATE FUNCTION haversine_km(lat1 float8, lon1 float8, lat2 float8, lon2 float8) RETURNS float8 LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE k float8 := pi() / 180.0::float8; p1 float8; p2 float8; s1 float8; s2 float8; h float8;
BEGIN
  p1 := lat1 * k;
  p2 := lat2 * k;
  s1 := sin((p2 - p1) / 2.0::float8);
  s2 := sin(((lon2 - lon1) * k) / 2.0::float8);
  h := s1 * s1 + cos(p1) * cos(p2) * (s2 * s2);
  RETURN 2.0::float8 * 6371.0088::float8 * asin(LEAST(sqrt(h), 1.0::float8));
END $$";

const LISTING_COLS: usize = 19;
/// Rows per multi-row insert: kept small because SQLite's cost per statement grows faster than
/// its number of parameters (500-row inserts loaded eight times slower than 25-row ones).
const LISTINGS_PER_INSERT: usize = 25;
const TAGS_PER_INSERT: usize = 100;

fn insert_sql(table: &str, cols: &str, width: usize, rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} ({cols}) VALUES ");
    for r in 0..rows {
        let marks: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
        sql.push_str(if r == 0 { "(" } else { ", (" });
        sql.push_str(&marks.join(", "));
        sql.push(')');
    }
    sql
}

/// One listing's scalar columns. Absent values are stored as values no request can equal
/// (`-1`, `""`), so every comparison stays a plain `=` or `<=` on both databases.
fn listing_args(l: &Listing) -> Vec<Arg> {
    let b = |x: bool| Arg::I(i64::from(x));
    let s = l.style.to_array();
    let loc = l.location.as_ref();
    vec![
        Arg::T(l.id.clone()),
        Arg::T(l.name.clone()),
        b(l.accepting),
        b(l.formats.contains(&Format::InPerson)),
        b(l.formats.contains(&Format::Video)),
        b(l.formats.contains(&Format::Phone)),
        b(loc.is_some()),
        Arg::F(loc.map_or(0.0, |p| p.lat)),
        Arg::F(loc.map_or(0.0, |p| p.lon)),
        Arg::T(l.fee.currency.as_str().to_owned()),
        Arg::I(l.fee.amount as i64),
        l.fee
            .sliding_scale_min
            .map_or(Arg::I(-1), |x| Arg::I(x as i64)),
        Arg::T(l.identity.gender.map_or("", |g| g.as_str()).to_owned()),
        Arg::I(l.identity.lgbtq.map_or(-1, i64::from)),
        Arg::T(l.identity.faith.map_or("", |f| f.as_str()).to_owned()),
        Arg::F(s[0]),
        Arg::F(s[1]),
        Arg::F(s[2]),
        Arg::F(s[3]),
    ]
}

fn tags(l: &Listing) -> Vec<[String; 3]> {
    let mut out = Vec::new();
    let mut add = |kind: &str, value: String| out.push([l.id.clone(), kind.to_owned(), value]);
    l.languages
        .iter()
        .for_each(|x| add("lang", x.as_str().to_owned()));
    l.jurisdictions
        .iter()
        .for_each(|x| add("jur", x.as_str().to_owned()));
    l.populations
        .iter()
        .for_each(|x| add("pop", x.as_str().to_owned()));
    l.concerns
        .iter()
        .for_each(|x| add("concern", x.as_str().to_owned()));
    l.modalities
        .iter()
        .for_each(|x| add("mod", x.as_str().to_owned()));
    l.identity
        .ethnicity
        .iter()
        .for_each(|x| add("eth", x.as_str().to_owned()));
    l.insurance.iter().for_each(|x| add("ins", x.clone()));
    l.slots
        .iter()
        .for_each(|s| add("slot", s.bit().to_string()));
    out
}

fn rating_value(r: Rating) -> f64 {
    match r {
        Rating::Effective => 1.0,
        Rating::Neutral => 0.5,
        Rating::Ineffective => 0.0,
    }
}

async fn insert_rows(
    conn: &mut Conn,
    table: &str,
    cols: &str,
    width: usize,
    per: usize,
    rows: Vec<Vec<Arg>>,
) -> anyhow::Result<()> {
    for chunk in rows.chunks(per) {
        let sql = insert_sql(table, cols, width, chunk.len());
        let args: Vec<Arg> = chunk.iter().flatten().cloned().collect();
        execute(conn, &sql, &args).await?;
    }
    Ok(())
}

/// Creates the tables, loads every listing in one transaction, then builds the indexes and
/// gathers planner statistics.
pub async fn load(conn: &mut Conn, listings: &[Listing]) -> anyhow::Result<()> {
    if let Conn::Postgres(_) = conn {
        execute(conn, PG_HAVERSINE, &[]).await?;
    }
    for ddl in SCHEMA {
        execute(conn, ddl, &[]).await?;
    }
    execute(conn, "BEGIN", &[]).await?;
    for batch in listings.chunks(20_000) {
        let rows: Vec<Vec<Arg>> = batch.iter().map(listing_args).collect();
        insert_rows(conn, "bench_listings", "id, name, accepting, in_person, video, phone, located, lat, lon, currency, fee, sliding, gender, lgbtq, faith, s_dir, s_int, s_past, s_chal", LISTING_COLS, LISTINGS_PER_INSERT, rows).await?;
        let rows: Vec<Vec<Arg>> = batch
            .iter()
            .flat_map(tags)
            .map(|t| t.into_iter().map(Arg::T).collect())
            .collect();
        insert_rows(
            conn,
            "bench_tags",
            "listing_id, kind, value",
            3,
            TAGS_PER_INSERT,
            rows,
        )
        .await?;
        let rows: Vec<Vec<Arg>> = batch
            .iter()
            .flat_map(|l| {
                l.effectiveness.iter().map(|(c, r)| {
                    vec![
                        Arg::T(l.id.clone()),
                        Arg::T(c.as_str().to_owned()),
                        Arg::F(rating_value(*r)),
                    ]
                })
            })
            .collect();
        insert_rows(
            conn,
            "bench_effectiveness",
            "listing_id, concern, value",
            3,
            TAGS_PER_INSERT,
            rows,
        )
        .await?;
    }
    execute(conn, "COMMIT", &[]).await?;
    for ddl in INDEXES {
        execute(conn, ddl, &[]).await?;
    }
    for table in ["bench_listings", "bench_tags", "bench_effectiveness"] {
        execute(conn, &format!("ANALYZE {table}"), &[]).await?;
    }
    Ok(())
}
