//! `rapport practice`: creating practices and putting therapists and administrators in them,
//! which only whoever runs the deployment may do (an administrator manages their own practice's
//! therapists in the app, but cannot make themselves an administrator of another).

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use rapport_store::{practices, users};

use super::config::StorageArgs;

/// Practice commands.
#[derive(Subcommand, Debug)]
pub enum PracticeCommand {
    /// Create a practice and print its id.
    Create(CreateArgs),
    /// List practices.
    List(ListArgs),
    /// Put a therapist or administrator account in a practice (one practice per account).
    AddMember(AddArgs),
}

/// Flags of `practice create`.
#[derive(Args, Debug)]
pub struct CreateArgs {
    /// The practice's name (unique).
    #[arg(long)]
    name: String,
    #[command(flatten)]
    storage: StorageArgs,
}

/// Flags of `practice list`.
#[derive(Args, Debug)]
pub struct ListArgs {
    #[command(flatten)]
    storage: StorageArgs,
}

/// Flags of `practice add-member`.
#[derive(Args, Debug)]
pub struct AddArgs {
    /// The practice's id (see `practice list`).
    #[arg(long)]
    practice: String,
    /// The account's e-mail address.
    #[arg(long)]
    email: String,
    #[command(flatten)]
    storage: StorageArgs,
}

/// Runs a practice command.
pub async fn run(cmd: PracticeCommand) -> anyhow::Result<()> {
    match cmd {
        PracticeCommand::Create(a) => {
            let name = a.name.trim();
            if name.is_empty() || name.chars().count() > 100 {
                bail!("--name must be 1 to 100 characters");
            }
            let db = a.storage.connect().await?;
            let p = practices::create(&db, name)
                .await
                .context("cannot create the practice")?;
            println!("created practice {} ({})", p.name, p.id);
        }
        PracticeCommand::List(a) => {
            let db = a.storage.connect().await?;
            for p in practices::all(&db).await? {
                println!("{}\t{}", p.id, p.name);
            }
        }
        PracticeCommand::AddMember(a) => {
            let db = a.storage.connect().await?;
            let Some(p) = practices::by_id(&db, &a.practice).await? else {
                bail!("no practice has the id {}", a.practice)
            };
            let email = a.email.trim().to_lowercase();
            let Some(user) = users::credentials_by_email(&db, &email)
                .await?
                .map(|c| c.user)
            else {
                bail!("no account uses {email}")
            };
            if !practices::join(&db, &p.id, &user.id)
                .await
                .context("cannot add the account")?
            {
                bail!(
                    "{email} is a client account; only therapists and administrators belong to a practice"
                );
            }
            println!(
                "{} ({}) is now in {}",
                user.email,
                user.role.as_str(),
                p.name
            );
        }
    }
    Ok(())
}
