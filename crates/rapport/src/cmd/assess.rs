//! `rapport assess HISTORY.json`: the alliance engine offline, for privacy-minded people and
//! research. Nothing leaves the machine; nothing is stored.

use clap::{Args, ValueEnum};
use rapport_core::alliance;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `assess`.
#[derive(Args, Debug)]
pub struct AssessArgs {
    /// A check-in history: {"checkins": [ … ]} (use - for standard input).
    history: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Json,
    Text,
}

/// Prints the assessment; bad input prints one line per problem on stderr, nothing on stdout,
/// and exits with status 1.
pub fn run(args: &AssessArgs) -> ExitCode {
    let text = if args.history.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(&args.history)
    };
    let text = match text {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}: cannot read: {e}", args.history.display());
            return ExitCode::from(1);
        }
    };
    let checkins = match alliance::parse_history(&text) {
        Ok(c) => c,
        Err(invalid) => {
            for problem in &invalid.0 {
                eprintln!("{problem}");
            }
            return ExitCode::from(1);
        }
    };
    let assessment = alliance::assess(&checkins);
    match args.format {
        Format::Json => match serde_json::to_string_pretty(&assessment) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("cannot write the assessment: {e}");
                return ExitCode::from(1);
            }
        },
        Format::Text => print!("{}", alliance::render_text(&assessment, &checkins)),
    }
    ExitCode::SUCCESS
}
