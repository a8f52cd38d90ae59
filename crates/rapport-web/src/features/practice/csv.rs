//! The practice's aggregates as CSV: one line per therapist, counts and rates only (no client,
//! no free text). Written with the `csv` crate; text cells that a spreadsheet would run as a
//! formula (OWASP CSV injection: starting with `=`, `+`, `-`, `@`, tab or CR, also after
//! spaces) are prefixed with `'`, and every text cell is quoted, so spreadsheets in locales that
//! split on `;` keep a cell holding one whole.

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

/// A text cell made safe for spreadsheets: prefixed with `'` when, after any leading spaces, it
/// starts with a character that makes a spreadsheet read a formula. Quoting is the writer's job.
pub fn defuse(raw: &str) -> String {
    if raw
        .trim_start_matches([' ', '\u{a0}'])
        .starts_with(['=', '+', '-', '@', '\t', '\r'])
    {
        format!("'{raw}")
    } else {
        raw.to_owned()
    }
}

fn rate(x: Option<f64>) -> String {
    x.map_or_else(String::new, |r| format!("{r:.4}"))
}

/// The whole file. Numbers are written bare and every other cell quoted (the `csv` crate's
/// non-numeric quoting), after [`defuse`].
pub fn write(o: &Overview) -> String {
    let mut w = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::NonNumeric)
        .from_writer(Vec::new());
    let mut rows: Vec<Vec<String>> = Vec::new();
    for t in &o.therapists {
        let domain = |d: Domain| t.domains.iter().find(|x| x.domain == d);
        let cases = |d| domain(d).map_or(0, |x| x.cases).to_string();
        let rating = |d| defuse(domain(d).and_then(|x| x.rating).map_or("", |r| r.as_str()));
        rows.push(vec![
            defuse(&t.name),
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
        ]);
    }
    for row in rows {
        if w.write_record(&row).is_err() {
            break;
        }
    }
    let body = w
        .into_inner()
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_default();
    format!("{}\n{body}", COLUMNS.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::practice::service::TherapistLine;

    fn overview(names: &[&str]) -> Overview {
        Overview {
            practice: Default::default(),
            improvement_prior: None,
            recovery_prior: None,
            therapists: names
                .iter()
                .map(|name| TherapistLine {
                    id: "t".into(),
                    name: (*name).into(),
                    tally: Default::default(),
                    improvement_shrunk: None,
                    recovery_shrunk: None,
                    domains: vec![],
                    publishes: false,
                    waiting: 0,
                    longest_wait_days: None,
                })
                .collect(),
        }
    }

    /// What a spreadsheet reads back (RFC 4180) as the first cell of each therapist's line.
    fn names_read_back(text: &str) -> Vec<String> {
        csv::Reader::from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap()[0].to_owned())
            .collect()
    }

    #[test]
    fn every_formula_start_is_defused_even_after_spaces() {
        for start in ["=", "+", "-", "@", "\t", "\r"] {
            assert_eq!(defuse(&format!("{start}1+1")), format!("'{start}1+1"));
        }
        assert_eq!(defuse("  =1+1"), "'  =1+1");
        assert_eq!(defuse("\u{a0}@SUM(A1)"), "'\u{a0}@SUM(A1)");
        assert_eq!(defuse("Dr Ng"), "Dr Ng");
        assert_eq!(defuse("O'Neil-Smith"), "O'Neil-Smith");
    }

    #[test]
    fn text_cells_are_quoted_so_commas_semicolons_quotes_and_formulas_stay_in_one_cell() {
        let text = write(&overview(&[
            "Dr Ng",
            "Ng, Dr",
            "Ng;=1+1",
            "say \"hi\"",
            "=HYPERLINK(\"x\")",
            "-1",
        ]));
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("therapist,courses,"));
        assert!(lines[1].starts_with("\"Dr Ng\",0,0,0,"), "{}", lines[1]);
        assert!(lines[3].starts_with("\"Ng;=1+1\","));
        assert!(lines[5].starts_with("\"'=HYPERLINK(\"\"x\"\")\","));
        assert_eq!(
            names_read_back(&text),
            [
                "Dr Ng",
                "Ng, Dr",
                "Ng;=1+1",
                "say \"hi\"",
                "'=HYPERLINK(\"x\")",
                "'-1"
            ]
        );
    }

    #[test]
    fn a_name_with_a_line_break_stays_in_one_record() {
        let text = write(&overview(&["two\nlines", "\rcarriage"]));
        assert_eq!(names_read_back(&text), ["two\nlines", "'\rcarriage"]);
    }
}
