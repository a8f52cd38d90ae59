//! `rapport user create`: accounts made from the command line (the only way to make an admin).

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use rapport_store::users::{self, Role};

use super::config::StorageArgs;

/// Account commands.
#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account. The password is read from RAPPORT_NEW_PASSWORD or standard input.
    Create(CreateArgs),
}

/// Flags of `user create`.
#[derive(Args, Debug)]
pub struct CreateArgs {
    /// E-mail address (the login name).
    #[arg(long)]
    email: String,
    /// Display name.
    #[arg(long)]
    name: String,
    /// client, therapist or admin.
    #[arg(long, default_value = "admin")]
    role: String,
    #[command(flatten)]
    storage: StorageArgs,
}

/// Runs an account command.
pub async fn run(cmd: UserCommand) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Create(a) => {
            let Some(role) = Role::parse(&a.role) else {
                bail!("--role must be client, therapist or admin")
            };
            let email = rapport_web::features::account::service::Email::parse("--email", &a.email)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let password = match std::env::var("RAPPORT_NEW_PASSWORD") {
                Ok(p) => p,
                Err(_) => std::io::read_to_string(std::io::stdin())
                    .context("cannot read the password from standard input")?,
            };
            let password = password.trim_end_matches(['\n', '\r']);
            rapport_web::security::password::check_rules("password", password)
                .map_err(|e| anyhow::anyhow!("{}", e.public_message()))?;
            let db = a.storage.connect().await?;
            let hash = rapport_web::security::password::hash(password)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let user = users::create(&db, email.as_str(), a.name.trim(), role, &hash)
                .await
                .context("cannot create the account")?;
            println!(
                "created {} account {} ({})",
                role.as_str(),
                user.email,
                user.id
            );
            Ok(())
        }
    }
}
