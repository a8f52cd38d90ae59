//! `rapport directory generate` and `rapport directory import`: synthetic directories for demos
//! and benchmarks, and directory files into the database.
//!
//! Import reads files with the same core parser and writes with the same store call as the
//! admin page, so a file accepted here is accepted there, row for row. A running server picks the
//! new listings up within seconds (it polls for changes), without a restart.

use anyhow::Context;
use clap::{Args, Subcommand};
use rapport_core::matching::generate;
use rapport_web::features::matching::service::{
    FileFormat, ImportReport, importable, read_directory_numbered, write_directory,
};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use super::config::StorageArgs;

/// Directory commands.
#[derive(Subcommand, Debug)]
pub enum DirectoryCommand {
    /// Write N realistic synthetic listings as JSON Lines to standard output (the same seed
    /// always gives the same directory).
    Generate(GenerateArgs),
    /// Import a directory file (JSON Lines, or CSV for a `.csv` name) into the database: every bad
    /// row is reported with its row number, field and reason; good rows are written together and
    /// update existing listings by id. Exits with status 1 when any row was refused.
    Import(ImportArgs),
}

/// Flags of `directory generate`.
#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// How many listings.
    #[arg(long, default_value_t = 1000)]
    count: usize,
    /// Random seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

/// Flags of `directory import`.
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The directory file (use - for standard input).
    file: PathBuf,
    /// `jsonl` or `csv` (default: by the file name).
    #[arg(long)]
    format: Option<String>,
    #[command(flatten)]
    storage: StorageArgs,
}

/// Runs a directory command: status 0 when everything was done, 1 when rows were refused (the
/// good ones are still imported), 2 when the file or the database could not be used.
pub fn run(cmd: DirectoryCommand) -> ExitCode {
    let outcome = match cmd {
        DirectoryCommand::Generate(a) => generate_to_stdout(&a).map(|()| true),
        DirectoryCommand::Import(a) => crate::runtime().block_on(import(&a)),
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("rapport: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn generate_to_stdout(args: &GenerateArgs) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for listing in generate(args.count, args.seed) {
        serde_json::to_writer(&mut out, &listing)?;
        out.write_all(b"\n")?;
    }
    out.flush().context("cannot write to standard output")
}

async fn import(args: &ImportArgs) -> anyhow::Result<bool> {
    let format = match &args.format {
        Some(word) => FileFormat::parse(word).context("--format must be jsonl or csv")?,
        None => FileFormat::of_path(&args.file),
    };
    let text = if args.file.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(&args.file)
    }
    .with_context(|| format!("cannot read {}", args.file.display()))?;
    let (numbered, mut errors) = read_directory_numbered(&text, format);
    let db = args.storage.connect().await?;
    let good = importable(&db, numbered, &mut errors).await;
    let written = match good {
        Ok(good) => write_directory(&db, &good).await.map(|n| (good.len(), n)),
        Err(e) => Err(e),
    };
    db.close().await;
    let (imported, created) =
        written.map_err(|e| anyhow::anyhow!("cannot write the listings: {e}"))?;
    let report = ImportReport::new(imported, created, errors);
    let file = args.file.display();
    for e in &report.errors {
        eprintln!(
            "{file}: row {} (line {}): {}: {}",
            e.row, e.line, e.field, e.reason
        );
    }
    println!("{}", report.summary());
    Ok(report.refused == 0)
}
