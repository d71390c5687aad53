//! The `pagepulse` command line.

mod progress;
pub mod rollup;
pub mod seed;

use std::process::ExitCode;

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

#[derive(Debug, PartialEq, Eq)]
pub struct SeedArgs {
    pub site: uuid::Uuid,
    pub days: u32,
    pub events: u64,
    pub seed: u64,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct RollupArgs {
    pub site: Option<uuid::Uuid>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
}

fn parse_rollup(flags: &[String]) -> Result<RollupArgs, String> {
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

fn parse_seed(flags: &[String]) -> Result<SeedArgs, String> {
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

pub fn parse(args: &[String]) -> Result<Command, String> {
    match args.first().map(String::as_str) {
        None | Some("serve") if args.len() <= 1 => Ok(Command::Serve),
        Some("migrate") if args.len() == 1 => Ok(Command::Migrate),
        Some("health") if args.len() == 1 => Ok(Command::Health),
        Some("seed") => parse_seed(&args[1..]).map(Command::Seed),
        Some("rollup") => parse_rollup(&args[1..]).map(Command::Rollup),
        Some("help" | "--help" | "-h") => Ok(Command::Help),
        Some("--version" | "-V") => Ok(Command::Version),
        _ => Err(format!("unexpected arguments: {}", args.join(" "))),
    }
}

/// How many of its own tasks a busy runtime worker runs between looks at the
/// shared queue; Tokio tunes its default to about every 200 µs. The ingest
/// writer is woken through that queue whenever the database driver's thread
/// finishes one of its statements, so under load each of a commit's dozen
/// statements waited that long, and commits took twice their work. At 4,
/// `make bench-ingest` rose from 22,500–24,600 to 25,600–27,600 durable
/// events/s on two cores, `/js/p.js` within its run-to-run noise
/// (docs/benchmarks.md).
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
        return match probe_health(config.port) {
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
            Command::Migrate => pagepulse_core::db::patiently("migrations", || {
                pagepulse_core::db::connect(&config.database_url)
            })
            .await
            .map(|_| println!("database is up to date"))
            .map_err(serve::StartError::from),
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

/// The container health check: a plain HTTP/1.1 request to our own port, so the
/// runtime image needs no curl.
fn probe_health(port: u16) -> Result<(), String> {
    use std::io::{Read, Write};
    let timeout = std::time::Duration::from_secs(5);
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = std::net::TcpStream::connect_timeout(&addr, timeout)
        .map_err(|e| format!("cannot reach {addr}: {e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| e.to_string())?;
    match response.lines().next() {
        Some(status) if status.starts_with("HTTP/1.1 200") => Ok(()),
        Some(status) => Err(format!("health check failed: {status}")),
        None => Err("health check failed: empty response".to_owned()),
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
