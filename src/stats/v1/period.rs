//! v1's `period` and `date`: the local dates a request covers.

use chrono::{Datelike, Duration, Months, NaiveDate};

use super::Params;
use crate::{
    analytics::DateRange,
    stats::{StatsError, invalid},
};

const PERIODS_URL: &str = "https://plausible.io/docs/stats-api#time-periods";

/// The period's dates, from `period` and `date`, when the site's date is `today`.
pub(super) fn range(
    params: &Params,
    today: NaiveDate,
) -> Result<(DateRange, &'static str), StatsError> {
    let period = params.get("period").unwrap_or("30d");
    let date = || -> Result<NaiveDate, StatsError> {
        match params.get("date") {
            None => Ok(today),
            Some(text) => parse_date(text).map_err(|reason| {
                StatsError::Invalid(format!(
                    "Error parsing `date` parameter: {reason}. Please specify a valid date in ISO-8601 format."
                ))
            }),
        }
    };
    let month_of = |date: NaiveDate, back: u32| {
        let first = date.with_day(1).unwrap_or(date);
        let start = first.checked_sub_months(Months::new(back)).unwrap_or(first);
        let end = first
            .checked_add_months(Months::new(1))
            .map_or(first, |next| next - Duration::days(1));
        DateRange { start, end }
    };
    Ok(match period {
        "day" => {
            let d = date()?;
            (DateRange { start: d, end: d }, "day")
        }
        "7d" | "30d" => {
            let d = date()?;
            let n = if period == "7d" { 7 } else { 30 };
            let range = DateRange {
                start: d - Duration::days(n),
                end: d - Duration::days(1),
            };
            (range, if n == 7 { "7d" } else { "30d" })
        }
        "month" => (month_of(date()?, 0), "month"),
        "6mo" => (month_of(date()?, 5), "6mo"),
        "12mo" => (month_of(date()?, 11), "12mo"),
        "custom" => {
            let Some(text) = params.get("date") else {
                return invalid(format!(
                    "The `date` parameter is required when using a custom period. See {PERIODS_URL}"
                ));
            };
            let bad = || {
                StatsError::Invalid(format!(
                    "Invalid format for `date` parameter. When using a custom period, please include two ISO-8601 formatted dates joined by a comma. See {PERIODS_URL}"
                ))
            };
            let (a, b) = text.split_once(',').ok_or_else(bad)?;
            let start = parse_date(a.trim()).map_err(|_| bad())?;
            let end = parse_date(b.trim()).map_err(|_| bad())?;
            if end < start || (end - start).num_days() > 366 * 10 {
                return Err(bad());
            }
            (DateRange { start, end }, "custom")
        }
        other => {
            return invalid(format!(
                "Error parsing `period` parameter: invalid period `{other}`. Please find accepted values in our docs: {PERIODS_URL}"
            ));
        }
    })
}

/// A `YYYY-MM-DD` date, or Elixir's reason it is not one.
fn parse_date(text: &str) -> Result<NaiveDate, &'static str> {
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shaped {
        return Err("invalid_format");
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| "invalid_date")
}
