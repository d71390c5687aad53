//! `pagepulse seed`: history for demos and benchmarks, with a progress bar.

use std::time::Instant;

use pagepulse_core::seed::{self, SeedOptions};

#[derive(Debug, PartialEq, Eq)]
pub struct SeedArgs {
    pub site: uuid::Uuid,
    pub days: u32,
    pub events: u64,
    pub seed: u64,
}

impl SeedArgs {
    /// Parses the flags after `seed`.
    pub fn parse(flags: &[String]) -> Result<Self, String> {
        let mut args = SeedArgs {
            site: uuid::Uuid::nil(),
            days: 30,
            events: 100_000,
            seed: 1,
        };
        let mut site = None;
        for pair in flags.chunks(2) {
            let [flag, value] = pair else {
                return Err(format!("{} needs a value", pair[0]));
            };
            let number = |what: &str| {
                value
                    .replace('_', "")
                    .parse::<u64>()
                    .map_err(|_| format!("{what} must be a whole number, not {value}"))
            };
            match flag.as_str() {
                "--site" => {
                    site = Some(
                        value
                            .parse()
                            .map_err(|_| format!("--site must be a site id, not {value}"))?,
                    );
                }
                "--days" => {
                    args.days = u32::try_from(number("--days")?)
                        .ok()
                        .filter(|d| (1..=3660).contains(d))
                        .ok_or("--days must be between 1 and 3660")?;
                }
                "--events" => args.events = number("--events")?,
                "--seed" => args.seed = number("--seed")?,
                other => return Err(format!("unknown option {other}")),
            }
        }
        args.site = site.ok_or("seed needs --site ID")?;
        Ok(args)
    }
}

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
