//! v2's `date_range`: a name (`7d`, `month`, `all`, …) resolved against the
//! site's today, or `[from, to]` as dates or as date-times with offsets.
//! As in Plausible today, `Nd` ends yesterday and `6mo` / `12mo` are whole
//! months before the current one.

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, TimeZone};
use chrono_tz::Tz;
use serde_json::Value;

use crate::{
    analytics::{
        DateRange,
        request::period::{day_start, local_date},
    },
    stats::{StatsError, invalid},
};

/// The range asked for: its local dates and its instants.
pub struct Resolved {
    pub range: DateRange,
    pub from: i64,
    pub to: i64,
}

pub fn resolve(
    value: &Value,
    tz: Tz,
    today: NaiveDate,
    first_day: NaiveDate,
) -> Result<Resolved, StatsError> {
    let whole = |start: NaiveDate, end: NaiveDate| Resolved {
        range: DateRange { start, end },
        from: day_start(tz, start),
        to: day_start(tz, end + Duration::days(1)),
    };
    let first_of_month = today.with_day(1).unwrap_or(today);
    let months_back = |n: u32| {
        let start = first_of_month
            .checked_sub_months(Months::new(n))
            .unwrap_or(first_of_month);
        whole(start, first_of_month - Duration::days(1))
    };
    match value {
        Value::String(name) => Ok(match name.as_str() {
            "day" => whole(today, today),
            "7d" | "28d" | "30d" | "91d" => {
                let n: i64 = name.trim_end_matches('d').parse().unwrap_or(7);
                whole(today - Duration::days(n), today - Duration::days(1))
            }
            "month" => {
                let end = first_of_month
                    .checked_add_months(Months::new(1))
                    .map_or(today, |next| next - Duration::days(1));
                whole(first_of_month, end)
            }
            "6mo" => months_back(6),
            "12mo" => months_back(12),
            "year" => {
                let start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
                let end = NaiveDate::from_ymd_opt(today.year(), 12, 31).unwrap_or(today);
                whole(start, end)
            }
            "all" => whole(first_day.min(today), today),
            _ => return invalid(format!("#/date_range: Invalid date range {value}")),
        }),
        Value::Array(pair) if pair.len() == 2 => {
            let bad = || {
                StatsError::Invalid(format!(
                    "Invalid date_range '{}'.",
                    super::filters::inspect(value)
                ))
            };
            let (Some(a), Some(b)) = (pair[0].as_str(), pair[1].as_str()) else {
                return Err(bad());
            };
            let dates = (
                NaiveDate::parse_from_str(a, "%Y-%m-%d"),
                NaiveDate::parse_from_str(b, "%Y-%m-%d"),
            );
            if let (Ok(start), Ok(end)) = dates {
                if end < start || (end - start).num_days() > 366 * 10 {
                    return Err(bad());
                }
                return Ok(whole(start, end));
            }
            let (Ok(from), Ok(to)) = (
                DateTime::parse_from_rfc3339(a),
                DateTime::parse_from_rfc3339(b),
            ) else {
                return Err(bad());
            };
            let (from, to) = (from.timestamp_millis(), to.timestamp_millis() + 1);
            if to <= from || to - from > 366 * 10 * 86_400_000 {
                return Err(bad());
            }
            let range = DateRange {
                start: local_date(tz, from),
                end: local_date(tz, to - 1),
            };
            Ok(Resolved { range, from, to })
        }
        _ => invalid(format!("#/date_range: Invalid date range {value}")),
    }
}

/// An instant as Plausible echoes it: local time with the zone's offset, `Z`
/// for UTC.
pub fn echo(tz: Tz, ms: i64) -> String {
    let Some(local) = tz.timestamp_millis_opt(ms).single() else {
        return String::new();
    };
    if matches!(tz, Tz::UTC | Tz::Etc__UTC) {
        local.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        local.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
    }
}
