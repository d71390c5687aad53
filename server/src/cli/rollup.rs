//! `pagepulse rollup`: the rollup job by hand, with a progress bar; the same
//! run as the hourly job (and as safe beside it), recorded as `cli`.

use std::time::Instant;

use pagepulse_core::rollup::{self, RollupOptions};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct RollupArgs {
    pub site: Option<uuid::Uuid>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
}

impl RollupArgs {
    /// Parses the flags after `rollup`.
    pub fn parse(flags: &[String]) -> Result<Self, String> {
        let mut args = RollupArgs::default();
        for pair in flags.chunks(2) {
            let [flag, value] = pair else {
                return Err(format!("{} needs a value", pair[0]));
            };
            let date = || {
                chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
                    .map_err(|_| format!("{flag} must be a date as YYYY-MM-DD, not {value}"))
            };
            match flag.as_str() {
                "--site" => {
                    args.site = Some(
                        value
                            .parse()
                            .map_err(|_| format!("--site must be a site id, not {value}"))?,
                    );
                }
                "--date" => {
                    args.from = Some(date()?);
                    args.to = args.from;
                }
                "--from" => args.from = Some(date()?),
                "--to" => args.to = Some(date()?),
                other => return Err(format!("unknown option {other}")),
            }
        }
        if let (Some(from), Some(to)) = (args.from, args.to)
            && to < from
        {
            return Err("--to must not be before --from".into());
        }
        Ok(args)
    }
}

pub async fn run(
    database_url: &str,
    args: RollupArgs,
    retention_days: Option<u32>,
) -> Result<(), String> {
    let db = pagepulse_core::db::connect(database_url)
        .await
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let options = RollupOptions {
        site: args.site,
        from: args.from,
        to: args.to,
        retention_days,
    };
    let now = chrono::Utc::now().timestamp_millis();
    let report = rollup::run(&db, &options, "cli", now, |done, total| {
        super::progress::bar(done, total, "days", started.elapsed().as_secs_f64());
    })
    .await
    .map_err(|e| format!("rollup failed: {e}"))?;
    eprintln!();
    println!(
        "rolled up {} site-days and packed {} UTC days in {:.1} s; {} raw events pruned",
        report.days,
        report.days_packed,
        started.elapsed().as_secs_f64(),
        report.events_pruned
    );
    // Said on stderr and in the exit status, so a script notices.
    match report.first_failure {
        Some(first) => Err(format!(
            "{} site-days failed and stay pending (first: {first})",
            report.failed_days
        )),
        None => Ok(()),
    }
}
