//! Demo data: accounts a newcomer can log in with, and a client's first check-ins, so the product
//! can be seen working in one command. Idempotent: a second start reuses what is there.

use rapport_store::users::{self, Role};
use rapport_web::AppState;

/// The demo accounts (e-mail, name, role); all share [`DEMO_PASSWORD`].
pub const ACCOUNTS: &[(&str, &str, Role)] = &[
    ("client@demo.rapport", "Sam (demo client)", Role::Client),
    (
        "therapist@demo.rapport",
        "Dr Ada Okafor (demo therapist)",
        Role::Therapist,
    ),
    ("admin@demo.rapport", "Practice admin (demo)", Role::Admin),
];

/// The demo password, printed at start-up.
pub const DEMO_PASSWORD: &str = "demo-password-1";

/// Fills the database with demo data and prints how to log in.
pub async fn seed(state: &AppState) -> anyhow::Result<()> {
    let hash = rapport_web::security::password::hash(DEMO_PASSWORD)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut ids = Vec::new();
    for (email, name, role) in ACCOUNTS {
        let user = match users::credentials_by_email(&state.db, email).await? {
            Some(c) => c.user,
            None => users::create(&state.db, email, name, *role, &hash).await?,
        };
        ids.push(user);
    }
    rapport_web::features::demo_data::seed(state, &ids[0], &ids[1])
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.public_message()))?;
    rapport_web::features::matching::demo::seed(state, &ids[1])
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.public_message()))?;
    rapport_web::features::practice::service::seed_demo(state, &ids[1].id, &ids[2].id)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.public_message()))?;
    println!("Demo accounts (password: {DEMO_PASSWORD}):");
    for (email, _, role) in ACCOUNTS {
        println!("  {:<10} {email}", role.as_str());
    }
    Ok(())
}
