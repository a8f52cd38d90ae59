//! `rapport keys rotate`: a new encryption key, and every stored value moved to it.

use clap::Subcommand;
use rapport_store::rotation;

use super::config::StorageArgs;

/// Key commands.
#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Append a new key to the key file and seal every stored value again with it. Older keys stay
    /// in the file so nothing becomes unreadable; restart running servers afterwards so they load
    /// the new key.
    Rotate {
        #[command(flatten)]
        storage: StorageArgs,
    },
}

/// Runs a key command.
pub async fn run(cmd: KeysCommand) -> anyhow::Result<()> {
    match cmd {
        KeysCommand::Rotate { storage } => {
            let db = storage.connect().await?;
            let mut vault = storage.vault_for(&db).await?;
            let id = vault.rotate(&storage.key_path())?;
            let done = rotation::reseal_all(&db, &vault).await?;
            for (column, n) in &done.columns {
                println!("{column}: {n} sealed again");
            }
            println!(
                "key {id} is now current; {} values moved to it. Restart running servers to load it.",
                done.total()
            );
            Ok(())
        }
    }
}
