//! One request as one SQL query: the hard filters and the score of `matching.md`.

use rapport_core::matching::{Format, Request, Strength, Weights, Word};

use super::Arg;

/// A query being written: its text and its parameters, numbered as they are added.
#[derive(Default)]
struct Query {
    args: Vec<Arg>,
}

impl Query {
    fn f(&mut self, x: f64) -> String {
        self.args.push(Arg::F(x));
        format!("${}", self.args.len())
    }

    fn t(&mut self, x: &str) -> String {
        self.args.push(Arg::T(x.to_owned()));
        format!("${}", self.args.len())
    }

    fn i(&mut self, x: i64) -> String {
        self.args.push(Arg::I(x));
        format!("${}", self.args.len())
    }

    fn list(&mut self, xs: impl IntoIterator<Item = String>) -> String {
        xs.into_iter()
            .map(|x| self.t(&x))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn tag(&mut self, kind: &str, values: impl IntoIterator<Item = String>) -> String {
        let kind = self.t(kind);
        let values = self.list(values);
        format!(
            "EXISTS (SELECT 1 FROM bench_tags t WHERE t.listing_id = l.id AND t.kind = {kind} AND t.value IN ({values}))"
        )
    }

    /// `then` when `cond` holds, else 0.
    fn when(&mut self, cond: &str, then: f64) -> String {
        let (then, zero) = (self.f(then), self.f(0.0));
        format!("CASE WHEN {cond} THEN {then} ELSE {zero} END")
    }
}

/// Left-to-right sum, as the engine adds.
fn sum(terms: &[String]) -> String {
    terms
        .iter()
        .skip(1)
        .fold(terms[0].clone(), |acc, t| format!("({acc} + {t})"))
}

/// The rules of `matching.md` for one request as one SQL query; returns the text and its
/// parameters. Rows: `id`, `score`, `total` (how many passed the filters), best first.
pub(super) fn build(req: &Request, w: &Weights) -> (String, Vec<Arg>) {
    let mut q = Query::default();
    let in_person = req.accepts(Format::InPerson);
    let dist = match req.location {
        Some(p) if in_person => {
            let (lat, lon) = (q.f(p.lat), q.f(p.lon));
            format!(
                "CASE WHEN b.in_person = 1 AND b.located = 1 THEN haversine_km({lat}, {lon}, b.lat, b.lon) END"
            )
        }
        _ => "CAST(NULL AS DOUBLE PRECISION)".to_owned(),
    };
    let mut filters = vec![];
    let reach = req
        .max_distance_km
        .filter(|_| in_person && req.location.is_some());
    let mut ways = vec![];
    if let (Some(max), Some(p)) = (reach, req.location) {
        let band = max / (rapport_core::matching::EARTH_RADIUS_KM * std::f64::consts::PI / 180.0)
            * 1.001
            + 1e-6;
        let (lo, hi, m) = (q.f(p.lat - band), q.f(p.lat + band), q.f(max));
        ways.push(format!(
            "(l.in_person = 1 AND l.lat BETWEEN {lo} AND {hi} AND l.d <= {m})"
        ));
    }
    let remote: Vec<&str> = [
        (Format::Video, "l.video = 1"),
        (Format::Phone, "l.phone = 1"),
    ]
    .into_iter()
    .filter(|(f, _)| req.accepts(*f))
    .map(|(_, c)| c)
    .collect();
    if let (Some(j), false) = (&req.jurisdiction, remote.is_empty()) {
        let jur = q.tag("jur", [j.as_str().to_owned()]);
        ways.push(format!("(({}) AND {jur})", remote.join(" OR ")));
    }
    filters.push(if ways.is_empty() {
        "1 = 0".to_owned()
    } else {
        format!("({})", ways.join(" OR "))
    });
    filters.push(q.tag("lang", req.languages.iter().map(|l| l.as_str().to_owned())));
    filters.push(q.tag("pop", [req.population.as_str().to_owned()]));
    if req.budget.is_some() || req.insurance.is_some() {
        let mut pay = vec![];
        if let Some(b) = req.budget {
            let (cur, amt, amt2) = (
                q.t(b.currency.as_str()),
                q.i(b.amount.min(i64::MAX as u64) as i64),
                q.i(b.amount.min(i64::MAX as u64) as i64),
            );
            pay.push(format!("(l.currency = {cur} AND (l.fee <= {amt} OR (l.sliding >= 0 AND l.sliding <= {amt2})))"));
        }
        if let Some(i) = &req.insurance {
            pay.push(q.tag("ins", [i.clone()]));
        }
        filters.push(format!("({})", pay.join(" OR ")));
    }
    let id = &req.identity;
    let mut identity: Vec<(Strength, String)> = vec![];
    if let Some(p) = id.gender {
        identity.push((p.strength, format!("l.gender = {}", q.t(p.value.as_str()))));
    }
    if let Some(p) = id.lgbtq {
        identity.push((p.strength, format!("l.lgbtq = {}", q.i(i64::from(p.value)))));
    }
    if let Some(p) = id.ethnicity {
        identity.push((p.strength, q.tag("eth", [p.value.as_str().to_owned()])));
    }
    if let Some(p) = id.faith {
        identity.push((p.strength, format!("l.faith = {}", q.t(p.value.as_str()))));
    }
    filters.extend(
        identity
            .iter()
            .filter(|(s, _)| *s == Strength::Must)
            .map(|(_, c)| c.clone()),
    );
    if !req.slots.is_empty() {
        filters.push(q.tag("slot", req.slots.iter().map(|s| s.bit().to_string())));
    }

    let mut parts: Vec<(f64, String)> = vec![];
    if !req.concerns.is_empty() {
        let total: f64 = (0..req.concerns.len())
            .map(|i| [3.0, 2.0].get(i).copied().unwrap_or(1.0))
            .sum();
        let terms: Vec<String> = req
            .concerns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let listed = q.tag("concern", [c.as_str().to_owned()]);
                q.when(&listed, [3.0, 2.0].get(i).copied().unwrap_or(1.0))
            })
            .collect();
        parts.push((w.concerns, format!("({} / {})", sum(&terms), q.f(total))));
    }
    let wish = req.style.to_array();
    if wish.iter().any(|p| *p != 0.0) {
        let cols = ["l.s_dir", "l.s_int", "l.s_past", "l.s_chal"];
        let terms: Vec<String> = wish
            .iter()
            .zip(cols)
            .map(|(p, col)| {
                format!(
                    "{} * ({} - abs({} - {col}) / {})",
                    q.f(p.abs()),
                    q.f(1.0),
                    q.f(*p),
                    q.f(6.0)
                )
            })
            .collect();
        let den = wish.iter().fold(0.0, |d, p| d + p.abs());
        parts.push((w.style, format!("({} / {})", sum(&terms), q.f(den))));
    }
    if !req.modalities.is_empty() {
        let shared = q.tag("mod", req.modalities.iter().map(|m| m.as_str().to_owned()));
        parts.push((w.modality, q.when(&shared, 1.0)));
    }
    let prefer: Vec<String> = identity
        .iter()
        .filter(|(s, _)| *s == Strength::Prefer)
        .map(|(_, c)| c.clone())
        .collect();
    if !prefer.is_empty() {
        let met: Vec<String> = prefer.iter().map(|c| q.when(c, 1.0)).collect();
        parts.push((
            w.identity,
            format!("({} / {})", sum(&met), q.f(prefer.len() as f64)),
        ));
    }
    if let Some(max) = reach {
        let (m1, m2, m3, one1, one2, zero) =
            (q.f(max), q.f(max), q.f(max), q.f(1.0), q.f(1.0), q.f(0.0));
        let near = format!(
            "CASE WHEN l.d <= {m1} AND {one1} - l.d / {m2} > {zero} THEN {one2} - l.d / {m3} ELSE {} END",
            q.f(0.0)
        );
        parts.push((w.distance, near));
    }
    let effectiveness = if req.concerns.is_empty() {
        q.f(0.5)
    } else {
        let firsts = &req.concerns[..req.concerns.len().min(3)];
        let terms: Vec<String> = firsts
            .iter()
            .map(|c| {
                let concern = q.t(c.as_str());
                format!("COALESCE((SELECT e.value FROM bench_effectiveness e WHERE e.listing_id = l.id AND e.concern = {concern}), {})", q.f(0.5))
            })
            .collect();
        format!("({} / {})", sum(&terms), q.f(firsts.len() as f64))
    };
    parts.push((w.effectiveness, effectiveness));
    let den = parts.iter().fold(0.0, |d, (weight, _)| d + weight);
    let weighted: Vec<String> = parts
        .iter()
        .map(|(weight, s)| format!("{} * {s}", q.f(*weight)))
        .collect();
    let score = format!("{} * {} / {}", q.f(100.0), sum(&weighted), q.f(den));

    let mut base = vec!["b.accepting = 1".to_owned()];
    if !req.exclude.is_empty() {
        base.push(format!(
            "b.id NOT IN ({})",
            q.list(req.exclude.iter().cloned())
        ));
    }
    let top = q.i(req.top as i64);
    let sql = format!(
        "SELECT id, score, COUNT(*) OVER () AS total FROM (SELECT l.id, {score} AS score FROM (SELECT b.*, {dist} AS d FROM bench_listings b WHERE {}) l WHERE {}) s ORDER BY score DESC, id COLLATE \"C\" LIMIT {top}",
        base.join(" AND "),
        filters.join(" AND ")
    );
    (sql, q.args)
}
