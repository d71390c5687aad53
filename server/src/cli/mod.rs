//! The `pagepulse` command line: parses the arguments, dispatches to the
//! subcommand (each in its own module, with its own arguments) and turns the
//! outcome into an exit code.

mod health;
mod migrate;
mod progress;
pub mod rollup;
pub mod seed;

use std::process::ExitCode;

use rollup::RollupArgs;
use seed::SeedArgs;

use crate::{
    config::{Config, LogFormat},
    serve,
};

pub const USAGE: &str = "\
usage: pagepulse [COMMAND]

commands:
  serve     run the server (the default)
  migrate   apply pending database migrations and exit
  health    ask the server on this machine's PORT for /health (exit 0 when ok)
  seed --site ID [--days 30] [--events 100000] [--seed 1]
            write realistic, reproducible history for a site (demos, benchmarks)
  rollup [--site ID] [--date D | --from D --to D]
            roll up closed days now (what the hourly job does); dates are
            YYYY-MM-DD in each site's time zone
  help      show this message

Configuration comes from the environment and .env; see .env.example.";

#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Serve,
    Migrate,
    Health,
    Seed(SeedArgs),
    Rollup(RollupArgs),
    Help,
    Version,
}

pub fn parse(args: &[String]) -> Result<Command, String> {
    match args.first().map(String::as_str) {
        None | Some("serve") if args.len() <= 1 => Ok(Command::Serve),
        Some("migrate") if args.len() == 1 => Ok(Command::Migrate),
        Some("health") if args.len() == 1 => Ok(Command::Health),
        Some("seed") => SeedArgs::parse(&args[1..]).map(Command::Seed),
        Some("rollup") => RollupArgs::parse(&args[1..]).map(Command::Rollup),
        Some("help" | "--help" | "-h") => Ok(Command::Help),
        Some("--version" | "-V") => Ok(Command::Version),
        _ => Err(format!("unexpected arguments: {}", args.join(" "))),
    }
}

/// How many of its own tasks a busy runtime worker runs between looks at the
/// shared queue; Tokio tunes its default to about every 200 µs. The ingest
/// writer is woken through that queue whenever the database driver's thread
/// finishes one of its statements, so under load each of a commit's
/// statements waited that long. Looking more often raises durable ingest
/// throughput without slowing `/js/p.js` (`make bench-ingest`; the figures
/// are in docs/benchmarks.md).
const GLOBAL_QUEUE_INTERVAL: u32 = 4;

/// Runs a command; every failure is a single line on stderr and exit code 1.
pub fn run(args: &[String]) -> ExitCode {
    let command = match parse(args) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("pagepulse: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match command {
        Command::Help => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Command::Version => {
            println!("pagepulse {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Command::Serve
        | Command::Migrate
        | Command::Health
        | Command::Seed(_)
        | Command::Rollup(_) => {}
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => return fail(&error),
    };
    if command == Command::Health {
        return match health::probe(config.port) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => fail(&error),
        };
    }
    init_tracing(config.debug, config.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .global_queue_interval(GLOBAL_QUEUE_INTERVAL)
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return fail(&error),
    };
    let outcome = runtime.block_on(async {
        match command {
            Command::Migrate => migrate::run(&config.database_url).await,
            Command::Seed(args) => seed::run(&config.database_url, args)
                .await
                .map_err(serve::StartError::Other),
            Command::Rollup(args) => {
                rollup::run(&config.database_url, args, config.raw_event_retention_days)
                    .await
                    .map_err(serve::StartError::Other)
            }
            _ => serve::serve(config).await,
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&error),
    }
}

fn fail(error: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("pagepulse: {error}");
    ExitCode::FAILURE
}

/// Colour codes only reach a terminal: in a file, a pipe or a log collector
/// they are noise around every field.
fn init_tracing(debug: bool, format: LogFormat) {
    use std::io::IsTerminal;
    let default = if debug { "debug" } else { "info,sqlx=warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stdout().is_terminal());
    let _ = match format {
        LogFormat::Text => logs.try_init(),
        LogFormat::Json => logs.json().try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_commands() {
        assert_eq!(parse(&args(&[])), Ok(Command::Serve));
        assert_eq!(parse(&args(&["serve"])), Ok(Command::Serve));
        assert_eq!(parse(&args(&["migrate"])), Ok(Command::Migrate));
        assert_eq!(parse(&args(&["--help"])), Ok(Command::Help));
        assert!(parse(&args(&["serve", "now"])).is_err());
        assert!(parse(&args(&["frobnicate"])).is_err());
        let site = "7b3b3984-a6bc-4e5c-816f-07e82fdba80e";
        assert_eq!(
            parse(&args(&[
                "seed",
                "--site",
                site,
                "--events",
                "10_000_000",
                "--days",
                "90"
            ])),
            Ok(Command::Seed(SeedArgs {
                site: site.parse().unwrap(),
                days: 90,
                events: 10_000_000,
                seed: 1
            }))
        );
        assert!(parse(&args(&["seed"])).unwrap_err().contains("--site"));
        assert!(
            parse(&args(&["seed", "--site", "x"]))
                .unwrap_err()
                .contains("site id")
        );
        assert!(
            parse(&args(&["seed", "--site", site, "--days"]))
                .unwrap_err()
                .contains("needs a value")
        );
        assert!(parse(&args(&["seed", "--site", site, "--days", "0"])).is_err());

        let date = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        assert_eq!(
            parse(&args(&["rollup"])),
            Ok(Command::Rollup(RollupArgs::default()))
        );
        assert_eq!(
            parse(&args(&["rollup", "--site", site, "--date", "2026-11-20"])),
            Ok(Command::Rollup(RollupArgs {
                site: site.parse().ok(),
                from: date("2026-11-20"),
                to: date("2026-11-20"),
            }))
        );
        assert_eq!(
            parse(&args(&[
                "rollup",
                "--from",
                "2026-11-01",
                "--to",
                "2026-11-20"
            ])),
            Ok(Command::Rollup(RollupArgs {
                site: None,
                from: date("2026-11-01"),
                to: date("2026-11-20"),
            }))
        );
        let error = |list: &[&str]| parse(&args(list)).unwrap_err();
        assert!(error(&["rollup", "--date", "20-11-2026"]).contains("YYYY-MM-DD"));
        assert!(
            error(&["rollup", "--from", "2026-11-20", "--to", "2026-11-01"]).contains("before")
        );
        assert!(error(&["rollup", "--site"]).contains("needs a value"));
    }
}
