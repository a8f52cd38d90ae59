//! Demo data: a whole practice a newcomer can log in to and learn from, in one command (see
//! `rapport_web::features::demo_data`). Idempotent: a second start reuses what is there.

use rapport_web::AppState;

/// Fills the database with the demo practice and prints what it holds, how long seeding took,
/// the accounts and a few things to try.
pub async fn seed(state: &AppState) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let census = rapport_web::features::demo_data::seed(state)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.public_message()))?;
    println!(
        "Demo data ready in {:.1} s.",
        started.elapsed().as_secs_f64()
    );
    print!("{}", census.report());
    Ok(())
}
