//! The alliance trend as inline SVG: no JavaScript, no external library, readable by screen
//! readers (a `<title>`, a `<desc>` summarising it, and a data table next to it on the page).

use rapport_core::alliance::{Assessment, CheckIn, is_problem};
use std::fmt::Write;

const W: f64 = 600.0;
const H: f64 = 240.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 30.0;

fn y_of(score: f64) -> f64 {
    TOP + (100.0 - score.clamp(0.0, 100.0)) / 100.0 * (H - TOP - BOTTOM)
}

fn x_of(i: usize, n: usize) -> f64 {
    if n <= 1 {
        LEFT + (W - LEFT - RIGHT) / 2.0
    } else {
        LEFT + i as f64 * (W - LEFT - RIGHT) / (n - 1) as f64
    }
}

/// The full chart for a client's relationship page (`id` keeps ids unique on the page).
pub fn trend_svg(id: &str, a: &Assessment, checkins: &[CheckIn]) -> String {
    let n = a.alliance.len();
    let mut s = String::new();
    let desc = summary(a);
    let _ = write!(
        s,
        r#"<svg viewBox="0 0 {W} {H}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">Alliance score per session</title><desc id="{id}-d">{desc}</desc>"#
    );
    for g in [0.0, 25.0, 50.0, 75.0, 100.0] {
        let y = y_of(g);
        let _ = write!(
            s,
            r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}"/><text x="4" y="{:.1}">{g}</text>"#,
            W - RIGHT,
            y + 4.0
        );
    }
    let points: Vec<(f64, f64)> = a
        .alliance
        .iter()
        .enumerate()
        .map(|(i, p)| (x_of(i, n), y_of(p.score)))
        .collect();
    if points.len() > 1 {
        let path: Vec<String> = points
            .iter()
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect();
        let _ = write!(s, r#"<polyline class="line" points="{}"/>"#, path.join(" "));
    }
    for (i, p) in a.alliance.iter().enumerate() {
        let (x, y) = points[i];
        let flagged = checkins
            .iter()
            .find(|c| c.session == p.session)
            .is_some_and(is_problem);
        if flagged {
            let _ = write!(
                s,
                r#"<path class="flag" d="M{x:.1},{:.1} L{:.1},{:.1} L{:.1},{:.1} Z"/>"#,
                y - 8.0,
                x - 7.0,
                y + 5.0,
                x + 7.0,
                y + 5.0
            );
        } else {
            let _ = write!(s, r#"<circle class="dot" cx="{x:.1}" cy="{y:.1}" r="5"/>"#);
        }
        if a.ruptures.iter().any(|r| r.session == p.session) {
            let _ = write!(
                s,
                r#"<circle class="rupture" cx="{x:.1}" cy="{y:.1}" r="11"/>"#
            );
        }
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{}">{}</text>"#,
            x - 4.0,
            H - 8.0,
            p.session
        );
    }
    s.push_str("</svg>");
    s
}

/// A small line for caseload rows.
pub fn sparkline(a: &Assessment) -> String {
    let n = a.alliance.len();
    let (w, h) = (120.0, 30.0);
    let pts: Vec<String> = a
        .alliance
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let x = if n <= 1 {
                w / 2.0
            } else {
                2.0 + i as f64 * (w - 4.0) / (n - 1) as f64
            };
            let y = 2.0 + (100.0 - p.score.clamp(0.0, 100.0)) / 100.0 * (h - 4.0);
            format!("{x:.1},{y:.1}")
        })
        .collect();
    format!(
        r#"<svg class="spark" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg"><polyline class="line" points="{}"/></svg>"#,
        summary(a),
        pts.join(" ")
    )
}

fn summary(a: &Assessment) -> String {
    match (a.alliance.first(), a.alliance.last()) {
        (Some(first), Some(last)) if a.alliance.len() > 1 => format!(
            "{} sessions; the score went from {:.0} in session {} to {:.0} in session {}; {} dip{} marked.",
            a.alliance.len(),
            first.score,
            first.session,
            last.score,
            last.session,
            a.ruptures.len(),
            if a.ruptures.len() == 1 { "" } else { "s" }
        ),
        (Some(only), _) => format!("One session so far, scored {:.0}.", only.score),
        _ => "No check-ins yet.".to_owned(),
    }
}
