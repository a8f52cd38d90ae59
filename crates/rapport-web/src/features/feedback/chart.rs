//! A measure's scores over a course as inline SVG, in the style of the alliance trend chart: no
//! JavaScript, a `<title>` and a `<desc>` for screen readers (the page adds a data table). The
//! clinical cut-off is a dashed line; the reliable-change threshold is the band around the first
//! score inside which a change is within measurement error.

use std::fmt::Write;

use super::outcomes::Series;

const W: f64 = 600.0;
const H: f64 = 240.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 30.0;

fn y_of(value: f64, max: f64) -> f64 {
    let max = if max > 0.0 { max } else { 1.0 };
    TOP + (max - value.clamp(0.0, max)) / max * (H - TOP - BOTTOM)
}

fn x_of(i: usize, n: usize) -> f64 {
    if n <= 1 {
        LEFT + (W - LEFT - RIGHT) / 2.0
    } else {
        LEFT + i as f64 * (W - LEFT - RIGHT) / (n - 1) as f64
    }
}

/// A sentence summarising the series, also used as the chart's `<desc>`.
pub fn summary(s: &Series) -> String {
    let mut out = match (s.points.first(), s.points.last()) {
        (Some(first), Some(last)) if s.points.len() > 1 => format!(
            "{} scores; from {} at the first to {} at the latest (out of {}).",
            s.points.len(),
            first.1,
            last.1,
            s.max
        ),
        (Some(only), _) => format!("One score so far: {} out of {}.", only.1, s.max),
        _ => "No scores yet.".to_owned(),
    };
    if let Some(c) = &s.cutoff {
        let side = if c.clinical_below {
            "below"
        } else {
            "at or above"
        };
        let _ = write!(
            out,
            " The dashed line is the clinical cut-off, {}: scores {side} it are in the clinical range.",
            c.value
        );
    }
    if let (Some(rc), false) = (s.reliable_change, s.points.is_empty()) {
        let _ = write!(
            out,
            " The shaded band is within {rc} points of the first score: a change inside it is not reliable."
        );
    }
    out
}

/// The chart of one series (`id` keeps ids unique on the page).
pub fn svg(id: &str, s: &Series) -> String {
    let n = s.points.len();
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg viewBox="0 0 {W} {H}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{} total per measurement</title><desc id="{id}-d">{}</desc>"#,
        s.title,
        summary(s)
    );
    if let (Some(rc), Some(first)) = (s.reliable_change, s.points.first()) {
        let top = y_of(first.1 + rc, s.max);
        let bottom = y_of(first.1 - rc, s.max);
        let _ = write!(
            out,
            r#"<rect class="rc-band" x="{LEFT}" y="{top:.1}" width="{:.1}" height="{:.1}"/>"#,
            W - LEFT - RIGHT,
            bottom - top
        );
    }
    for step in 0..=4 {
        let g = s.max * f64::from(step) / 4.0;
        let y = y_of(g, s.max);
        let _ = write!(
            out,
            r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}"/><text x="4" y="{:.1}">{}</text>"#,
            W - RIGHT,
            y + 4.0,
            g.round()
        );
    }
    if let Some(c) = &s.cutoff {
        let y = y_of(c.value, s.max);
        let _ = write!(
            out,
            r#"<line class="cutoff" x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}"/><text class="cutoff-label" x="{}" y="{:.1}" text-anchor="end">cut-off {}</text>"#,
            W - RIGHT,
            W - RIGHT,
            y - 4.0,
            c.value
        );
    }
    let points: Vec<(f64, f64)> = s
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| (x_of(i, n), y_of(p.1, s.max)))
        .collect();
    if points.len() > 1 {
        let path: Vec<String> = points
            .iter()
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect();
        let _ = write!(
            out,
            r#"<polyline class="line" points="{}"/>"#,
            path.join(" ")
        );
    }
    for (i, (x, y)) in points.iter().enumerate() {
        let _ = write!(
            out,
            r#"<circle class="dot" cx="{x:.1}" cy="{y:.1}" r="5"/><text x="{:.1}" y="{}">{}</text>"#,
            x - 4.0,
            H - 8.0,
            i + 1
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::feedback::outcomes::Cutoff;

    fn phq9(points: Vec<(i64, f64)>) -> Series {
        Series {
            instrument: "phq9".into(),
            title: "PHQ-9".into(),
            max: 27.0,
            cutoff: Some(Cutoff {
                value: 10.0,
                clinical_below: false,
                meaning: String::new(),
            }),
            reliable_change: Some(6.0),
            lower_is_better: true,
            points,
        }
    }

    #[test]
    fn the_chart_draws_the_cutoff_the_reliable_change_band_and_every_score() {
        let svg = svg("phq9", &phq9(vec![(0, 18.0), (1, 12.0), (2, 7.0)]));
        assert!(svg.contains(r#"<title id="phq9-t">PHQ-9 total per measurement</title>"#));
        assert!(svg.contains("class=\"cutoff\"") && svg.contains("cut-off 10"));
        assert!(svg.contains("class=\"rc-band\""));
        assert_eq!(svg.matches("class=\"dot\"").count(), 3);
        assert!(svg.contains("3 scores; from 18 at the first to 7 at the latest (out of 27)."));
    }

    #[test]
    fn an_empty_series_says_so_and_draws_no_band() {
        let svg = svg("x", &phq9(vec![]));
        assert!(svg.contains("No scores yet."));
        assert!(!svg.contains("rc-band"));
    }
}
