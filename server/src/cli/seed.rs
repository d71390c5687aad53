//! `pagepulse seed`: history for demos and benchmarks, with a progress bar.

use std::time::Instant;

use pagepulse_core::seed::{self, SeedOptions};

use super::SeedArgs;

pub async fn run(database_url: &str, args: SeedArgs) -> Result<(), String> {
    let db = pagepulse_core::db::connect(database_url)
        .await
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let options = SeedOptions {
        site: args.site,
        days: args.days,
        events: args.events,
        seed: args.seed,
        now_ms: chrono::Utc::now().timestamp_millis(),
    };
    let written = seed::seed(&db, options, |done, total| {
        super::progress::bar(done, total, "events", started.elapsed().as_secs_f64());
    })
    .await
    .map_err(|e| format!("seeding failed: {e}"))?;
    eprintln!();
    println!(
        "seeded {written} events over {} days in {:.1} s",
        args.days,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
