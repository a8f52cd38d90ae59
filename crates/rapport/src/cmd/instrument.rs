//! `rapport instrument`: the instrument registry from the command line, for clinicians and
//! researchers. Scoring is offline and stores nothing; `install-text` writes a site's licensed
//! item text to the database, where every server replica picks it up.
//!
//! Every subcommand calls the same core and registry functions as the web app, so a score here
//! is the score a client sees, in the same JSON shape the API returns.

use anyhow::Context;
use clap::{Args, Subcommand};
use rapport_core::fhir::{self, FhirDateTime};
use rapport_core::instrument::{Answers, Definition, Registry, score_answers};
use rapport_web::error::AppError;
use rapport_web::features::instruments::{registry, service};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::config::StorageArgs;

/// Instrument commands.
#[derive(Subcommand, Debug)]
pub enum InstrumentCommand {
    /// List every instrument: id, title, version, and text status (shipped, installed, or "text
    /// not installed").
    List(ListArgs),
    /// Print one instrument's definition as JSON (or as a FHIR R4 Questionnaire with --fhir).
    Show(ShowArgs),
    /// Score a file of answers {"item_id": value, …}: prints scores, bands and flags as JSON
    /// (or the FHIR R4 QuestionnaireResponse with --fhir). Nothing is stored.
    Score(ScoreArgs),
    /// Install this site's licensed item text for an instrument (a JSON object of item id to
    /// text, every item, nothing else); every server using the database offers it from then on.
    InstallText(InstallArgs),
}

/// Flags of `instrument list`.
#[derive(Args, Debug)]
pub struct ListArgs {
    #[command(flatten)]
    storage: StorageArgs,
}

/// Flags of `instrument show`.
#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The instrument's id (see `rapport instrument list`).
    id: String,
    /// Print the FHIR R4 Questionnaire instead of the definition.
    #[arg(long)]
    fhir: bool,
    #[command(flatten)]
    storage: StorageArgs,
}

/// Flags of `instrument score`.
#[derive(Args, Debug)]
pub struct ScoreArgs {
    /// The instrument's id (see `rapport instrument list`).
    id: String,
    /// The answers, {"item_id": value, …} (use - for standard input).
    answers: PathBuf,
    /// Print the FHIR R4 QuestionnaireResponse instead of the scores.
    #[arg(long)]
    fhir: bool,
    /// With --fhir: whom the answers are about, as a FHIR reference.
    #[arg(long, default_value = "Patient/anonymous")]
    subject: String,
    /// With --fhir: when the answers were given (2026-03-02 or 2026-03-02T18:30:00Z); now by
    /// default.
    #[arg(long)]
    authored: Option<String>,
    #[command(flatten)]
    storage: StorageArgs,
}

/// Flags of `instrument install-text`.
#[derive(Args, Debug)]
pub struct InstallArgs {
    /// The instrument's id (wai-sr, srs or ors).
    id: String,
    /// The licensed text: a JSON object of item id to item text.
    file: PathBuf,
    #[command(flatten)]
    storage: StorageArgs,
}

/// Runs an instrument command. Refused input prints one line per problem on stderr, nothing on
/// stdout, and exits with status 1; a database that cannot be reached exits with status 2.
pub fn run(cmd: InstrumentCommand) -> ExitCode {
    let outcome = crate::runtime().block_on(async {
        match cmd {
            InstrumentCommand::List(a) => list(&a).await,
            InstrumentCommand::Show(a) => show(&a).await,
            InstrumentCommand::Score(a) => score(&a).await,
            InstrumentCommand::InstallText(a) => install(&a).await,
        }
    });
    match outcome {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(problems)) => {
            for problem in problems {
                eprintln!("{problem}");
            }
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("rapport: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// A command's result: the outer error is a failure of the machinery (exit 2), the inner one a
/// refusal of the person's input, one line per problem (exit 1).
type Outcome = anyhow::Result<Result<(), Vec<String>>>;

/// The registry as the server would offer it: built-in definitions plus the text installed in
/// the database. With no database yet (no URL and no SQLite file), the built-in definitions
/// alone, and nothing is created on disk.
async fn load_registry(storage: &StorageArgs) -> anyhow::Result<Registry> {
    let sqlite_file = storage.data_dir.join("rapport.db");
    if storage.database_url.is_none() && !sqlite_file.exists() {
        return Ok(registry::builtin());
    }
    let db = storage.open()?;
    rapport_store::migrate::run(&db)
        .await
        .context("cannot reach or migrate the database")?;
    let loaded = registry::load(&db)
        .await
        .context("cannot read installed instrument text")?;
    db.close().await;
    for refused in &loaded.refused {
        eprintln!("rapport: warning: installed text not used: {refused}");
    }
    Ok(loaded.registry)
}

fn find<'a>(registry: &'a Registry, id: &str) -> Result<&'a Definition, Vec<String>> {
    registry.get(id).ok_or_else(|| {
        vec![format!(
            "{id}: no instrument has this id; `rapport instrument list` shows them"
        )]
    })
}

fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!(
        "{}",
        serde_json::to_string_pretty(value).context("cannot write JSON")?
    );
    Ok(())
}

async fn list(args: &ListArgs) -> Outcome {
    let registry = load_registry(&args.storage).await?;
    let rows: Vec<[&str; 4]> = registry
        .list()
        .iter()
        .map(|d| {
            [
                d.id(),
                d.title(),
                d.version(),
                service::text_status_label(d.text_status()),
            ]
        })
        .collect();
    let header = ["id", "title", "version", "text"];
    let width = |col: usize| {
        rows.iter()
            .map(|r| r[col].chars().count())
            .chain([header[col].len()])
            .max()
            .unwrap_or(0)
    };
    let (w0, w1, w2) = (width(0), width(1), width(2));
    for row in std::iter::once(&header).chain(&rows) {
        println!("{:w0$}  {:w1$}  {:w2$}  {}", row[0], row[1], row[2], row[3]);
    }
    Ok(Ok(()))
}

async fn show(args: &ShowArgs) -> Outcome {
    let registry = load_registry(&args.storage).await?;
    let def = match find(&registry, &args.id) {
        Ok(def) => def,
        Err(problems) => return Ok(Err(problems)),
    };
    if args.fhir {
        print_json(&fhir::questionnaire(def))?;
    } else {
        print_json(&service::definition_json(def))?;
    }
    Ok(Ok(()))
}

fn read_input(path: &Path) -> Result<String, Vec<String>> {
    let text = if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(path)
    };
    text.map_err(|e| vec![format!("{}: cannot read: {e}", path.display())])
}

async fn score(args: &ScoreArgs) -> Outcome {
    let registry = load_registry(&args.storage).await?;
    Ok(score_with(&registry, args))
}

fn score_with(registry: &Registry, args: &ScoreArgs) -> Result<(), Vec<String>> {
    let def = find(registry, &args.id)?;
    let authored = match &args.authored {
        Some(text) => FhirDateTime::parse(text).map_err(|e| {
            e.0.iter()
                .map(|p| format!("--authored: {}", p.reason))
                .collect::<Vec<_>>()
        })?,
        None => rapport_web::features::instruments::fhir::date_time(rapport_store::now_ms())
            .map_err(|e| vec![format!("the system clock is out of range: {e}")])?,
    };
    let text = read_input(&args.answers)?;
    let file = args.answers.display();
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| vec![format!("{file}: is not JSON: {e}")])?;
    let serde_json::Value::Object(raw) = value else {
        return Err(vec![format!(
            "{file}: must be a JSON object of item id to answer, such as {{\"q1\": 2}}"
        )]);
    };
    let answers = Answers::parse(def, &raw).map_err(|invalid| {
        invalid
            .0
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    })?;
    let printed = if args.fhir {
        print_json(&fhir::questionnaire_response(
            def,
            &answers,
            &args.subject,
            &authored,
        ))
    } else {
        print_json(&service::scores_json(def, &score_answers(def, &answers)))
    };
    printed.map_err(|e| vec![format!("{e:#}")])
}

async fn install(args: &InstallArgs) -> Outcome {
    let contents = match read_input(&args.file) {
        Ok(text) => text,
        Err(problems) => return Ok(Err(problems)),
    };
    let db = args.storage.connect().await?;
    let installed = registry::install_text(&db, &args.id, &contents).await;
    db.close().await;
    match installed {
        Ok(def) => {
            println!(
                "installed licensed text for {} ({}): {} items; offered to clients from now on",
                def.title(),
                def.id(),
                def.items().len()
            );
            Ok(Ok(()))
        }
        Err(AppError::Invalid(problems)) => {
            let file = args.file.display();
            Ok(Err(problems
                .iter()
                .map(|p| format!("{file}: {p}"))
                .collect()))
        }
        Err(AppError::NotFound) => Ok(Err(vec![format!(
            "{}: no instrument has this id; `rapport instrument list` shows them",
            args.id
        )])),
        Err(AppError::Internal(detail)) => Err(anyhow::anyhow!(detail)),
        Err(other) => Err(anyhow::anyhow!(other.public_message())),
    }
}
