//! The numbers counting adds up to: `Totals` before any division, the `Carry`
//! that neighbouring days share across the midnight between them, and a
//! breakdown's `TopValue`s.

/// Milliseconds in a UTC day; visitor ids rotate at its end.
pub(crate) const DAY_MS: i64 = 86_400_000;

/// A summary's counts before any division. Counts of neighbouring runs of days
/// add up, less what the runs share (`Carry`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    pub pageviews: i64,
    pub visitors: i64,
    pub visits: i64,
    pub bounces: i64,
    pub duration_ms: i64,
}

/// What a run of days shares with the run before it, across the local midnight
/// between them. Visitor ids rotate at UTC midnight and a visit never outlives
/// its visitor id, so only a local midnight inside a UTC day can be shared.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Carry {
    pub visitors: i64,
    pub visits: i64,
    /// Bounces the halves of crossing visits count that the whole visits do not.
    pub bounces: i64,
    /// The time between the halves of crossing visits, which neither half counts.
    pub duration_ms: i64,
}

impl Totals {
    pub fn add(&mut self, other: &Totals) {
        self.pageviews += other.pageviews;
        self.visitors += other.visitors;
        self.visits += other.visits;
        self.bounces += other.bounces;
        self.duration_ms += other.duration_ms;
    }

    /// Joins the run that follows, whose totals were added: what the two
    /// share across their midnight is counted once.
    pub fn join(&mut self, carry: &Carry) {
        self.visitors -= carry.visitors;
        self.visits -= carry.visits;
        self.bounces -= carry.bounces;
        self.duration_ms += carry.duration_ms;
    }
}

/// One value of a breakdown, as its top list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TopValue {
    pub value: String,
    pub pageviews: i64,
    pub visitors: i64,
}

/// Where the day starting at `midnight` meets the day before inside one UTC
/// day: that UTC day's part of the two days, or `None` when the local midnight
/// is a UTC midnight and nothing can be shared.
pub(crate) fn seam(midnight: i64, day_before: i64, day_after: i64) -> Option<(i64, i64)> {
    let utc_day = midnight - midnight.rem_euclid(DAY_MS);
    (utc_day != midnight).then(|| (utc_day.max(day_before), (utc_day + DAY_MS).min(day_after)))
}
