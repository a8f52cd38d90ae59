//! `rapport backup` and `rapport restore`: logical backups that restore on either database.

use anyhow::{Context, bail};
use clap::Args;
use rapport_store::{backup, key_guard};
use std::io::Write;
use std::path::PathBuf;

use super::config::StorageArgs;

/// Flags of `backup`.
#[derive(Args, Debug)]
pub struct BackupArgs {
    /// Where to write the backup (standard output when left out).
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    storage: StorageArgs,
}

/// Flags of `restore`.
#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// A file written by `rapport backup`.
    file: PathBuf,
    #[command(flatten)]
    storage: StorageArgs,
}

/// Writes a consistent backup while the server keeps running; the key file is not included.
pub async fn backup(a: BackupArgs) -> anyhow::Result<()> {
    let db = a.storage.connect().await?;
    let header = match &a.out {
        Some(path) => backup::write_file(&db, path)
            .await
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            let h = backup::dump(&db, &mut out).await?;
            out.flush()?;
            h
        }
    };
    let rows: u64 = header.tables.iter().map(|t| t.rows).sum();
    eprintln!(
        "backup done: {} tables, {rows} rows, schema version {}, sha256 {}. Keep the key file ({}) safe too: encrypted values need it.",
        header.tables.len(),
        header.schema_version,
        header.sha256,
        a.storage.key_path().display()
    );
    Ok(())
}

/// Checks the whole file, then restores it into the configured (empty) database, all or nothing.
pub async fn restore(a: RestoreArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&a.file)
        .with_context(|| format!("cannot read {}", a.file.display()))?;
    let checked = match backup::check(&text) {
        Ok(c) => c,
        Err(e) => bail!("{}: {e}; nothing was changed", a.file.display()),
    };
    let db = a.storage.connect().await?;
    if let Err(e) = backup::restore(&db, &checked).await {
        bail!("{e}; nothing was changed");
    }
    backup::integrity_check(&db).await?;
    let rows: u64 = checked.header().tables.iter().map(|t| t.rows).sum();
    eprintln!(
        "restored {rows} rows from {}; integrity check passed",
        a.file.display()
    );
    let key_path = a.storage.key_path();
    match key_guard::open_vault(&db, &key_path).await {
        Ok(_) => eprintln!(
            "the key file {} opens the restored data",
            key_path.display()
        ),
        Err(e) => eprintln!("before starting Rapport: {e}"),
    }
    Ok(())
}
