//! `rapport change`: the Jacobson–Truax reliable change calculation for any measure with a
//! published SD and reliability, for clinicians reading two scores and researchers checking a
//! threshold. Pure arithmetic from the core; nothing is read or stored.

use clap::{Args, ValueEnum};
use rapport_core::outcome::{Better, ChangeVerdict, RELIABLE_Z, ReliableChange};
use serde_json::json;
use std::process::ExitCode;

/// Flags of `change`.
#[derive(Args, Debug)]
pub struct ChangeArgs {
    /// Standard deviation of the measure in a reference sample (s₁); above 0.
    #[arg(long, allow_negative_numbers = true)]
    sd: f64,
    /// Reliability of the measure (test-retest, or internal consistency); between 0 and 1.
    #[arg(long, allow_negative_numbers = true)]
    reliability: f64,
    /// The earlier score (give --after too).
    #[arg(long, requires = "after", allow_negative_numbers = true)]
    before: Option<f64>,
    /// The later score (give --before too).
    #[arg(long, requires = "before", allow_negative_numbers = true)]
    after: Option<f64>,
    /// A fall is an improvement (symptom measures: PHQ-9, GAD-7).
    #[arg(long, conflicts_with = "higher_is_better")]
    lower_is_better: bool,
    /// A rise is an improvement (wellbeing and alliance measures: ORS, SRS, WAI-SR).
    #[arg(long)]
    higher_is_better: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// Prints SE, S_diff and the threshold in points, and with two scores the RC and its verdict.
/// An SD that is not above 0 or a reliability outside (0, 1) is refused with one line per
/// problem on stderr, nothing on stdout, and exit status 1.
pub fn run(args: &ChangeArgs) -> ExitCode {
    let rc = match ReliableChange::new(args.sd, args.reliability) {
        Ok(rc) => rc,
        Err(invalid) => {
            for problem in &invalid.0 {
                let given = match problem.field.as_str() {
                    "sd" => args.sd,
                    _ => args.reliability,
                };
                eprintln!("--{}: {} (got {given})", problem.field, problem.reason);
            }
            return ExitCode::from(1);
        }
    };
    let better = match (args.lower_is_better, args.higher_is_better) {
        (true, _) => Some(Better::Lower),
        (_, true) => Some(Better::Higher),
        _ => None,
    };
    let change = args.before.zip(args.after).map(|(before, after)| {
        (
            before,
            after,
            rc.rci(before, after),
            verdict(&rc, before, after, better),
        )
    });
    match args.format {
        Format::Text => {
            println!(
                "SE         {:.3}  standard error of measurement, SD × √(1 − r)",
                rc.se()
            );
            println!(
                "S_diff     {:.3}  standard error of a difference, √(2 × SE²)",
                rc.s_diff()
            );
            println!(
                "threshold  {:.2}   points: a change larger than {RELIABLE_Z} × S_diff is reliable",
                rc.threshold()
            );
            if let Some((before, after, index, verdict)) = change {
                println!(
                    "RC         {index:.2}  (after − before) / S_diff, from {before} to {after}"
                );
                println!("verdict    {verdict}");
            }
        }
        Format::Json => {
            let mut out = json!({
                "sd": rc.sd(),
                "reliability": rc.reliability(),
                "se": rc.se(),
                "s_diff": rc.s_diff(),
                "threshold": rc.threshold(),
            });
            if let (Some((before, after, index, verdict)), Some(obj)) =
                (change, out.as_object_mut())
            {
                obj.insert("before".into(), json!(before));
                obj.insert("after".into(), json!(after));
                obj.insert("rc".into(), json!(index));
                obj.insert("verdict".into(), json!(verdict));
            }
            match serde_json::to_string_pretty(&out) {
                Ok(s) => println!("{s}"),
                Err(e) => {
                    eprintln!("cannot write JSON: {e}");
                    return ExitCode::from(1);
                }
            }
        }
    }
    ExitCode::SUCCESS
}

/// The core's verdict in words; without a direction, the reliable change is named by its sign.
fn verdict(rc: &ReliableChange, before: f64, after: f64, better: Option<Better>) -> &'static str {
    match (
        rc.verdict(before, after, better.unwrap_or(Better::Higher)),
        better,
    ) {
        (ChangeVerdict::NoReliableChange, _) => "no reliable change",
        (ChangeVerdict::ReliableImprovement, Some(_)) => "reliable improvement",
        (ChangeVerdict::ReliableDeterioration, Some(_)) => "reliable deterioration",
        (ChangeVerdict::ReliableImprovement, None) => "reliable increase",
        (ChangeVerdict::ReliableDeterioration, None) => "reliable decrease",
    }
}
