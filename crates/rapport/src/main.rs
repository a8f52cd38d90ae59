//! The `rapport` command: the server, the demo, and the offline tools, all over the same core.

mod cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// mimalloc instead of the system allocator: a request allocates many small short-lived values
/// on whichever thread runs it (the runtime's workers, SQLite's connection threads), and glibc's
/// allocator spent a tenth of the server's time in `malloc`/`free` and their arena locks under
/// load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Rapport: find a therapist who fits, and know early whether it is working.
#[derive(Parser)]
#[command(name = "rapport", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web app and JSON API.
    Serve(cmd::serve::ServeArgs),
    /// Start the web app with realistic demo data (accounts are printed at start-up).
    Demo(cmd::serve::ServeArgs),
    /// Read a check-in history offline and print the alliance assessment.
    Assess(cmd::assess::AssessArgs),
    /// Manage accounts (create an administrator, for example).
    #[command(subcommand)]
    User(cmd::user::UserCommand),
    /// Practices: create one, list them, put a therapist or administrator in one.
    #[command(subcommand)]
    Practice(cmd::practice::PracticeCommand),
    /// Instruments: list, show (also as FHIR), score answers offline, install licensed text.
    #[command(subcommand)]
    Instrument(cmd::instrument::InstrumentCommand),
    /// Reliable change (Jacobson-Truax): SE, S_diff, the threshold, and RC with its verdict.
    Change(cmd::change::ChangeArgs),
    /// Write a consistent backup of the database (online; the key file is not included).
    Backup(cmd::backup::BackupArgs),
    /// Restore a backup into an empty database, after checking the whole file.
    Restore(cmd::backup::RestoreArgs),
    /// Encryption keys: rotate to a new key and move every stored value to it.
    #[command(subcommand)]
    Keys(cmd::keys::KeysCommand),
    /// Therapist directory files: generate synthetic listings, import a file into the database.
    #[command(subcommand)]
    Directory(cmd::directory::DirectoryCommand),
    /// Match one request against a directory file and print the results as JSON (as the API).
    Match(cmd::matching::MatchArgs),
    /// Benchmarks to run by hand: the matching engine against the same rules in SQL.
    #[command(subcommand)]
    Bench(cmd::bench::BenchCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Assess(args) => return cmd::assess::run(&args),
        Command::Instrument(c) => return cmd::instrument::run(c),
        Command::Change(args) => return cmd::change::run(&args),
        Command::Serve(args) => runtime().block_on(cmd::serve::run(args, false)),
        Command::Demo(args) => runtime().block_on(cmd::serve::run(args, true)),
        Command::User(c) => runtime().block_on(cmd::user::run(c)),
        Command::Practice(c) => runtime().block_on(cmd::practice::run(c)),
        Command::Backup(a) => runtime().block_on(cmd::backup::backup(a)),
        Command::Restore(a) => runtime().block_on(cmd::backup::restore(a)),
        Command::Keys(c) => runtime().block_on(cmd::keys::run(c)),
        Command::Directory(c) => return cmd::directory::run(c),
        Command::Match(args) => return cmd::matching::run(&args),
        Command::Bench(c) => runtime().block_on(cmd::bench::run(c)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rapport: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    let _ = rustls::crypto::ring::default_provider().install_default();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("cannot start the async runtime")
}
