//! A `Period` (what a request names: `7d`, `month`, a custom range) covers a
//! `DateRange` of the site's local days. A local day is not always 24 hours
//! long (DST), so its start is computed per day in the site's time zone and
//! handed to SQL as plain UTC milliseconds: a range's "day starts".

use chrono::{Datelike, Duration, Months, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;

use super::QueryError;

/// The longest custom range, in calendar years.
const MAX_YEARS: u32 = 3;

/// The `period` parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// The last 30 minutes (its range is today, for the figures kept by day).
    Realtime,
    Today,
    Yesterday,
    Days7,
    Days30,
    /// The current calendar month, every day of it (as in Plausible).
    Month,
    /// The current month and the eleven before it.
    Months12,
    Custom(DateRange),
}

/// Inclusive range of local dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateRange {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    pub fn parse(period: &str, start: Option<&str>, end: Option<&str>) -> Result<Self, QueryError> {
        Ok(match period {
            "realtime" => Period::Realtime,
            "today" => Period::Today,
            "yesterday" => Period::Yesterday,
            "7d" => Period::Days7,
            "30d" => Period::Days30,
            "month" => Period::Month,
            "12mo" => Period::Months12,
            "custom" => {
                let date = |name: &str, value: Option<&str>| {
                    let value = value.ok_or_else(|| {
                        QueryError(format!("period=custom needs `{name}` (YYYY-MM-DD)"))
                    })?;
                    NaiveDate::parse_from_str(value, "%Y-%m-%d")
                        .ok()
                        .filter(|_| value.len() == 10)
                        .ok_or_else(|| QueryError(format!("`{name}` must be a date as YYYY-MM-DD")))
                };
                let range = DateRange {
                    start: date("start", start)?,
                    end: date("end", end)?,
                };
                if range.end < range.start {
                    return Err(QueryError("`end` must not be before `start`".into()));
                }
                let limit = range.start.checked_add_months(Months::new(12 * MAX_YEARS));
                if limit.is_none_or(|limit| range.end >= limit) {
                    return Err(QueryError(format!(
                        "a custom range may span at most {MAX_YEARS} years"
                    )));
                }
                Period::Custom(range)
            }
            other => {
                return Err(QueryError(format!(
                    "unknown period `{}`: use realtime, today, yesterday, 7d, 30d, month, 12mo or custom",
                    other.chars().take(40).collect::<String>()
                )));
            }
        })
    }

    /// The dates this period covers when the site's local date is `today`.
    pub fn range(&self, today: NaiveDate) -> DateRange {
        let days_back = |n: i64| DateRange {
            start: today - Duration::days(n - 1),
            end: today,
        };
        let first_of_month = today.with_day(1).unwrap_or(today);
        let end_of_month = |first: NaiveDate| {
            first
                .checked_add_months(Months::new(1))
                .map_or(first, |next| next - Duration::days(1))
        };
        match self {
            Period::Realtime | Period::Today => days_back(1),
            Period::Yesterday => {
                let day = today - Duration::days(1);
                DateRange {
                    start: day,
                    end: day,
                }
            }
            Period::Days7 => days_back(7),
            Period::Days30 => days_back(30),
            Period::Month => DateRange {
                start: first_of_month,
                end: end_of_month(first_of_month),
            },
            Period::Months12 => DateRange {
                start: first_of_month
                    .checked_sub_months(Months::new(11))
                    .unwrap_or(first_of_month),
                end: end_of_month(first_of_month),
            },
            Period::Custom(range) => *range,
        }
    }
}

impl DateRange {
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    /// The range of equal length just before this one.
    pub fn previous(&self) -> DateRange {
        DateRange {
            start: self.start - Duration::days(self.days()),
            end: self.start - Duration::days(1),
        }
    }

    /// The range shifted back by whole weeks (at least its length), so each
    /// day faces the same day of the week.
    pub fn previous_weeks(&self) -> DateRange {
        let weeks = (self.days() + 6) / 7;
        self.shifted(Duration::days(7 * weeks))
    }

    /// The same dates a year before (28 February for a 29th); with
    /// `same_weekday`, 52 weeks before.
    pub fn year_before(&self, same_weekday: bool) -> DateRange {
        if same_weekday {
            return self.shifted(Duration::days(364));
        }
        let back = |date: NaiveDate| {
            date.checked_sub_months(Months::new(12))
                .unwrap_or(date - Duration::days(365))
        };
        DateRange {
            start: back(self.start),
            end: back(self.end),
        }
    }

    fn shifted(&self, by: Duration) -> DateRange {
        DateRange {
            start: self.start - by,
            end: self.end - by,
        }
    }

    pub fn dates(&self) -> impl Iterator<Item = NaiveDate> {
        self.start.iter_days().take(self.days() as usize)
    }

    /// The range's day starts: where each local day begins as UTC
    /// milliseconds, and last where the range ends (exclusive).
    pub fn day_starts(&self, tz: Tz) -> Vec<i64> {
        self.dates()
            .chain(std::iter::once(self.end + Duration::days(1)))
            .map(|date| day_start(tz, date))
            .collect()
    }
}

/// The first instant of `date` in `tz`. Where midnight itself is skipped by a DST
/// change (as in some zones), the day starts at the first local time that exists.
pub fn day_start(tz: Tz, date: NaiveDate) -> i64 {
    (0..=24 * 4)
        .map(|quarter| date.and_time(NaiveTime::MIN) + Duration::minutes(15 * quarter))
        .find_map(|local| tz.from_local_datetime(&local).earliest())
        .map_or_else(
            || date.and_time(NaiveTime::MIN).and_utc().timestamp_millis(),
            |t| t.timestamp_millis(),
        )
}

/// The site's local date at `now_ms`.
pub fn local_date(tz: Tz, now_ms: i64) -> NaiveDate {
    tz.timestamp_millis_opt(now_ms)
        .single()
        .map_or_else(|| chrono::Utc::now().date_naive(), |t| t.date_naive())
}

#[cfg(test)]
mod tests;
