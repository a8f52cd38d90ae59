//! What the feedback pages show, derived once so templates only print fields.

use rapport_core::feedback::PooledEndings;
use rapport_core::matching::Word;
use rapport_core::outcome::{Count, DomainResult, MIN_CASES};

use super::chart;
use super::outcomes::{OutcomeView, Series};
use rapport_core::zone::Zone;

/// One measurement in a chart's data table.
pub struct Point {
    /// 1-based position, as labelled on the chart.
    pub n: usize,
    /// Date.
    pub date: String,
    /// Total.
    pub total: String,
    /// Change from the first, signed.
    pub change: String,
    /// In the clinical range, in words (therapist pages).
    pub clinical: &'static str,
    /// The same in plain words (client pages): "Above the line", "Below the line", "No line".
    pub plain: &'static str,
}

/// One chart with its words and table.
pub struct Chart {
    /// Element id.
    pub id: String,
    /// The measure's title.
    pub title: String,
    /// The SVG.
    pub svg: String,
    /// Whether there are scores.
    pub has_points: bool,
    /// The cut-off in words (therapist pages).
    pub cutoff: String,
    /// The cut-off in plain words (client pages).
    pub plain_cutoff: String,
    /// The reliable-change amount in words.
    pub reliable: String,
    /// The data table.
    pub points: Vec<Point>,
}

fn number(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

fn chart_of(s: &Series, zone: &Zone) -> Chart {
    let first = s.points.first().map(|p| p.1);
    let points = s
        .points
        .iter()
        .enumerate()
        .map(|(i, (at, total))| {
            let clinical = match &s.cutoff {
                Some(c)
                    if (c.clinical_below && *total < c.value)
                        || (!c.clinical_below && *total >= c.value) =>
                {
                    "Yes"
                }
                Some(_) => "No",
                None => "No cut-off",
            };
            let change = first.map_or(0.0, |f| total - f);
            Point {
                n: i + 1,
                date: zone.date(*at),
                total: number(*total),
                change: if change > 0.0 {
                    format!("+{}", number(change))
                } else {
                    number(change)
                },
                clinical,
                plain: match clinical {
                    "Yes" => "Above the line",
                    "No" => "Below the line",
                    _ => "No line",
                },
            }
        })
        .collect();
    Chart {
        id: format!("chart-{}", s.instrument),
        title: s.title.clone(),
        svg: chart::svg(&format!("chart-{}", s.instrument), s),
        has_points: !s.points.is_empty(),
        cutoff: s.cutoff.as_ref().map_or_else(
            || "No published cut-off.".to_owned(),
            |c| format!("Clinical cut-off {}: {}", number(c.value), c.meaning),
        ),
        plain_cutoff: s.cutoff.as_ref().map_or_else(
            || "This questionnaire has no usual line for extra support.".to_owned(),
            |c| {
                format!(
                    "Scores {} {} are where this questionnaire suggests extra support can help.",
                    if c.clinical_below { "below" } else { "of" },
                    if c.clinical_below {
                        number(c.value)
                    } else {
                        format!("{} or more", number(c.value))
                    }
                )
            },
        ),
        reliable: s.reliable_change.map_or_else(
            || "No published reliable-change amount.".to_owned(),
            |rc| {
                format!(
                    "A change of {} points or more from the first score is reliable ({}).",
                    number(rc),
                    if s.lower_is_better {
                        "lower is better"
                    } else {
                        "higher is better"
                    }
                )
            },
        ),
        points,
    }
}

/// Every chart of an outcome view.
pub fn charts(v: &OutcomeView, zone: &Zone) -> Vec<Chart> {
    v.series.iter().map(|s| chart_of(s, zone)).collect()
}

/// A rate as `k of n (p%)`.
pub fn rate(c: Count) -> String {
    match c.rate() {
        Some(r) => format!("{} of {} ({:.0}%)", c.k, c.n, r * 100.0),
        None => "no cases yet".to_owned(),
    }
}

/// A shrunk rate as a percentage.
pub fn percent(r: f64) -> String {
    format!("{:.0}%", r * 100.0)
}

/// One domain's effectiveness line.
pub struct DomainLine {
    /// The concern's label, capitalised.
    pub concern: String,
    /// Cases.
    pub cases: usize,
    /// Average change in points (first − last), or a dash.
    pub mean_change: String,
    /// The rating, or why there is none.
    pub rating: String,
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// Effectiveness per domain in words.
pub fn domains(list: &[DomainResult]) -> Vec<DomainLine> {
    list.iter()
        .map(|d| DomainLine {
            concern: capitalised(d.domain.concern().label()),
            cases: d.cases,
            mean_change: d
                .mean_change
                .map_or_else(|| "–".to_owned(), |m| format!("{m:.1}")),
            rating: d.rating.map_or_else(
                || format!("Not rated yet ({MIN_CASES} cases needed)"),
                |r| r.label().to_owned(),
            ),
        })
        .collect()
}

/// Pooled ending reasons as `(label, count)`.
pub fn pooled(p: &PooledEndings) -> Vec<(&'static str, usize)> {
    p.counts.iter().map(|(r, n)| (r.label(), *n)).collect()
}

/// What an audit entry's action means, for the client's "who saw my data" list.
pub fn audit_words(action: &str) -> &'static str {
    match action {
        "view_answers" => "Your trend and answers",
        "view_trend" => "Your trend and status",
        "view_caseload" => "Your status in their caseload",
        "view_alerts" => "An alert raised by something you shared",
        "acknowledge_alert" => "Followed up an alert about you, with a note of what they did",
        "view_outcomes" => "Your measures over time",
        "refused_outcomes" => "Asked to see your measures: refused, because you keep them private",
        "view_pooled" => "Your ending reason, counted anonymously among at least five",
        "view_aggregate" => "Your measures, counted anonymously in outcome statistics",
        "export_aggregate" => {
            "Your measures, counted anonymously in a practice's statistics export"
        }
        _ => "Your data",
    }
}
