//! `rapport match --directory FILE --request FILE`: the matching engine offline, printing the
//! same JSON as `POST /api/v1/match`. Nothing is stored and nothing leaves the machine.

use clap::Args;
use rapport_core::matching::{Index, Weights, parse_request};
use rapport_web::features::matching::service::{FileFormat, read_directory};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Flags of `match`.
#[derive(Args, Debug)]
pub struct MatchArgs {
    /// A directory file: JSON Lines, or CSV for a `.csv` name.
    #[arg(long)]
    directory: PathBuf,
    /// A match request (JSON, as in the API; use - for standard input).
    #[arg(long)]
    request: PathBuf,
    /// Matching weights as for `serve --match-weights`, so the answer equals that deployment's.
    #[arg(long, env = "RAPPORT_MATCH_WEIGHTS", value_parser = super::config::parse_weights)]
    weights: Option<Weights>,
}

fn read(path: &Path) -> Result<String, String> {
    let text = if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(path)
    };
    text.map_err(|e| format!("{}: cannot read: {e}", path.display()))
}

/// Prints the results. A bad request prints one line per problem on stderr and exits with status
/// 1; bad directory rows are reported on stderr and left out, exactly as the server leaves out
/// rows it cannot match.
pub fn run(args: &MatchArgs) -> ExitCode {
    let request = read(&args.request).and_then(|text| {
        let value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format!("{}: json: is not valid JSON ({e})", args.request.display()))?;
        parse_request(&value).map_err(|invalid| {
            invalid
                .0
                .iter()
                .map(|p| format!("{}: {p}", args.request.display()))
                .collect::<Vec<_>>()
                .join("\n")
        })
    });
    let req = match request {
        Ok(r) => r,
        Err(problems) => {
            eprintln!("{problems}");
            return ExitCode::from(1);
        }
    };
    let text = match read(&args.directory) {
        Ok(t) => t,
        Err(problem) => {
            eprintln!("{problem}");
            return ExitCode::from(1);
        }
    };
    let (listings, errors) = read_directory(&text, FileFormat::of_path(&args.directory));
    for e in &errors {
        eprintln!(
            "{}: row {}: {}: {} (row left out)",
            args.directory.display(),
            e.row,
            e.field,
            e.reason
        );
    }
    let response = Index::build(listings).search_with(&req, &args.weights.unwrap_or_default());
    match serde_json::to_string_pretty(&response) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("rapport: {e}");
            ExitCode::from(2)
        }
    }
}
