//! The practice's aggregates as CSV: one line per therapist, counts and rates only (no client,
//! no free text). Cells that a spreadsheet would run as a formula are prefixed with `'`.

use rapport_core::matching::Word;
use rapport_core::outcome::Domain;

use super::service::Overview;

/// The header line's columns.
pub const COLUMNS: [&str; 17] = [
    "therapist",
    "courses",
    "finished",
    "improved",
    "improvement_rate",
    "improvement_rate_shrunk",
    "at_caseness",
    "recovered",
    "recovery_rate",
    "recovery_rate_shrunk",
    "deteriorated",
    "depression_cases",
    "depression_rating",
    "anxiety_cases",
    "anxiety_rating",
    "publishes_effectiveness",
    "waiting",
];

/// One cell, quoted when needed and defused when a spreadsheet would read it as a formula.
/// Spreadsheets in many European locales split on `;`, so a cell holding one is quoted too
/// (else `x;=cmd` would arrive as a second cell starting with `=`), and leading spaces do not
/// hide a formula.
pub fn cell(raw: &str) -> String {
    let defused = if raw
        .trim_start_matches([' ', '\u{a0}'])
        .starts_with(['=', '+', '-', '@', '\t', '\r'])
    {
        format!("'{raw}")
    } else {
        raw.to_owned()
    };
    if defused.contains([',', ';', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

fn rate(x: Option<f64>) -> String {
    x.map_or_else(String::new, |r| format!("{r:.4}"))
}

/// The whole file.
pub fn write(o: &Overview) -> String {
    let mut out = COLUMNS.join(",");
    out.push('\n');
    for t in &o.therapists {
        let domain = |d: Domain| t.domains.iter().find(|x| x.domain == d);
        let cases = |d| domain(d).map_or(0, |x| x.cases).to_string();
        let rating = |d| {
            domain(d)
                .and_then(|x| x.rating)
                .map_or("", |r| r.as_str())
                .to_owned()
        };
        let cells = [
            cell(&t.name),
            t.tally.courses.to_string(),
            t.tally.finished.to_string(),
            t.tally.improvement.k.to_string(),
            rate(t.tally.improvement.rate()),
            rate(t.improvement_shrunk),
            t.tally.recovery.n.to_string(),
            t.tally.recovery.k.to_string(),
            rate(t.tally.recovery.rate()),
            rate(t.recovery_shrunk),
            t.tally.deterioration.to_string(),
            cases(Domain::Depression),
            rating(Domain::Depression),
            cases(Domain::Anxiety),
            rating(Domain::Anxiety),
            t.publishes.to_string(),
            t.waiting.to_string(),
        ];
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell("Dr Ng"), "Dr Ng");
        assert_eq!(cell("Ng, Dr"), "\"Ng, Dr\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1"), "'-1");
    }

    #[test]
    fn cells_stay_whole_in_semicolon_locales_and_spaces_do_not_hide_a_formula() {
        assert_eq!(cell("Ng;=1+1"), "\"Ng;=1+1\"");
        assert_eq!(cell("  =1+1"), "'  =1+1");
    }
}
