//! Realistic, reproducible history for demos and benchmarks (`pagepulse seed`).
//! Visits, not events, are the unit: each has a visitor, a source and UTM values
//! kept by all its events (as the ingest writer stores them), a Zipf-distributed
//! path per pageview, and roughly 30–60 % are bounces. The same `seed` always
//! writes the same events (times are relative to `now_ms`).

use rand::{Rng, SeedableRng, rngs::StdRng};
use sea_orm::{ActiveValue::Set, DatabaseConnection, DbErr, EntityTrait, TransactionTrait};
use uuid::Uuid;

use crate::{
    analytics::count::DAY_MS,
    entities::{event, site},
};

/// Rows per transaction.
const PER_TRANSACTION: usize = 50_000;

#[derive(Clone, Copy, Debug)]
pub struct SeedOptions {
    pub site: Uuid,
    /// Days of history, ending today.
    pub days: u32,
    pub events: u64,
    pub seed: u64,
    pub now_ms: i64,
}

const SOURCES: [(&str, u32); 8] = [
    ("", 40),
    ("google.com", 25),
    ("news.ycombinator.com", 8),
    ("duckduckgo.com", 6),
    ("reddit.com", 6),
    ("github.com", 5),
    ("t.co", 5),
    ("bing.com", 5),
];
const BROWSERS: [(&str, &str, u32); 5] = [
    ("Chrome", "131", 55),
    ("Safari", "18", 20),
    ("Firefox", "133", 12),
    ("Edge", "131", 10),
    ("Opera", "115", 3),
];
const SYSTEMS: [(&str, &str, u32); 5] = [
    ("Windows", "desktop", 35),
    ("macOS", "desktop", 20),
    ("Linux", "desktop", 5),
    ("iOS", "mobile", 25),
    ("Android", "mobile", 15),
];
const COUNTRIES: [(&str, u32); 9] = [
    ("US", 30),
    ("DE", 12),
    ("GB", 10),
    ("FR", 8),
    ("IN", 8),
    ("BR", 5),
    ("JP", 5),
    ("CA", 5),
    ("", 17),
];
/// (source, medium, campaign); most visits carry none.
const CAMPAIGNS: [(&str, &str, &str, u32); 5] = [
    ("", "", "", 80),
    ("newsletter", "email", "autumn-launch", 8),
    ("twitter", "social", "autumn-launch", 5),
    ("google", "cpc", "brand", 5),
    ("partner", "referral", "webinar", 2),
];

/// Writes the events and returns how many; `progress(written, total)` is called
/// after every transaction.
pub async fn seed(
    db: &DatabaseConnection,
    options: SeedOptions,
    mut progress: impl FnMut(u64, u64),
) -> Result<u64, DbErr> {
    if site::Entity::find_by_id(options.site)
        .one(db)
        .await?
        .is_none()
    {
        return Err(DbErr::RecordNotFound(format!(
            "no site with id {}",
            options.site
        )));
    }
    let mut rng = StdRng::seed_from_u64(options.seed);
    let paths = Zipf::new(200, 1.1);
    let days = i64::from(options.days.max(1));
    let today_start = options.now_ms - options.now_ms.rem_euclid(DAY_MS);
    let first_day = today_start - (days - 1) * DAY_MS;
    // About 2.4 events per visit; a visitor makes ~1.3 visits a day.
    let visitors_per_day = ((options.events as f64 / 2.4 / 1.3) / days as f64).max(1.0) as i64;
    let mut rows = Vec::with_capacity(PER_TRANSACTION);
    let mut written = 0u64;
    // Visit ids apart per seed, without overflowing for any seed.
    let mut visit_id = (options.seed as i64).wrapping_mul(1_000_000_000_000);
    // Day by day and in time order within a day, as live traffic is stored.
    for day in 0..days {
        let day_start = first_day + day * DAY_MS;
        let day_len = DAY_MS.min(options.now_ms - day_start);
        let budget = (options.events as i128 * i128::from(day + 1) / i128::from(days)
            - options.events as i128 * i128::from(day) / i128::from(days))
            as usize;
        if day_len <= 0 || budget == 0 {
            continue;
        }
        let mut today = Vec::with_capacity(budget + 16);
        while today.len() < budget {
            visit_id += 1;
            let visitor = day * 1_000_000_000 + rng.random_range(0..visitors_per_day);
            let start = day_start + daytime_ms(&mut rng) * day_len / DAY_MS;
            let visit = Visit {
                site: options.site,
                id: visit_id,
                visitor,
                source: pick(&mut rng, &SOURCES, |s| s.1),
                campaign: pick(&mut rng, &CAMPAIGNS, |c| c.3),
                seed: options.seed,
            };
            // A visitor id lives for one UTC day, and so does a visit.
            let until = options.now_ms.min(day_start + DAY_MS);
            visit.events(&mut rng, &paths, start, until, &mut today);
        }
        today.truncate(budget);
        today.sort_by_key(|(ts, _)| *ts);
        for (_, row) in today {
            rows.push(row);
            if rows.len() >= PER_TRANSACTION {
                written += flush(db, &mut rows).await?;
                progress(written, options.events);
            }
        }
    }
    written += flush(db, &mut rows).await?;
    progress(written, options.events);
    Ok(written)
}

struct Visit {
    site: Uuid,
    id: i64,
    visitor: i64,
    source: &'static (&'static str, u32),
    campaign: &'static (&'static str, &'static str, &'static str, u32),
    seed: u64,
}

impl Visit {
    /// Appends this visit's events (before `until`): a bounce (45 %) or 2–8
    /// pageviews 10 s to 4 min apart, most with their engagement, sometimes
    /// ending in a signup.
    fn events(
        &self,
        rng: &mut StdRng,
        paths: &Zipf,
        start: i64,
        until: i64,
        out: &mut Vec<(i64, event::ActiveModel)>,
    ) {
        let pageviews = if rng.random_bool(0.45) {
            1
        } else {
            rng.random_range(2..=8)
        };
        // Browser, system and country follow the visitor, not the visit.
        let mut who = StdRng::seed_from_u64(self.visitor as u64 ^ self.seed);
        let browser = pick(&mut who, &BROWSERS, |b| b.2);
        let system = pick(&mut who, &SYSTEMS, |s| s.2);
        let country = pick(&mut who, &COUNTRIES, |c| c.1);
        // As a city database would place them: a few regions and cities per
        // country, none for a visitor without a country.
        let place = (!country.0.is_empty()).then(|| {
            let n = self.visitor.rem_euclid(5);
            (
                format!("{}-{:02}", country.0, n % 3),
                format!("{} city {n}", country.0),
            )
        });
        let mut ts = start;
        for n in 0..pageviews {
            if ts >= until {
                break;
            }
            let path = if n == 0 && rng.random_bool(0.3) {
                "/".to_owned()
            } else {
                paths.path(rng)
            };
            let signup = n + 1 == pageviews && rng.random_bool(0.03);
            // Most pageviews report their engagement as they are left.
            let engaged = rng.random_bool(0.7).then(|| {
                (
                    rng.random_range(5..=100i16),
                    rng.random_range(1_000..180_000i64),
                )
            });
            let names: &[&str] = if signup {
                &["pageview", "Signup"]
            } else {
                &["pageview"]
            };
            for name in names {
                let row = event::ActiveModel {
                    site_id: Set(self.site),
                    ts: Set(ts),
                    name: Set((*name).to_owned()),
                    hostname: Set("example.com".into()),
                    path: Set(path.clone()),
                    referrer_source: Set(self.source.0.to_owned()),
                    utm_source: Set(self.campaign.0.to_owned()),
                    utm_medium: Set(self.campaign.1.to_owned()),
                    utm_campaign: Set(self.campaign.2.to_owned()),
                    utm_term: Set(String::new()),
                    utm_content: Set(String::new()),
                    browser: Set(browser.0.to_owned()),
                    browser_version: Set(browser.1.to_owned()),
                    os: Set(system.0.to_owned()),
                    device: Set(system.1.to_owned()),
                    country: Set((!country.0.is_empty()).then(|| country.0.to_owned())),
                    region: Set(place.as_ref().map(|p| p.0.clone())),
                    city: Set(place.as_ref().map(|p| p.1.clone())),
                    visitor_id: Set(self.visitor),
                    visit_id: Set(self.id),
                    props: Set((*name == "Signup").then(|| r#"{"plan":"pro"}"#.to_owned())),
                    scroll_depth: Set(engaged.filter(|_| *name == "pageview").map(|e| e.0)),
                    engaged_ms: Set(engaged.filter(|_| *name == "pageview").map(|e| e.1)),
                    ..Default::default()
                };
                out.push((ts, row));
            }
            ts += rng.random_range(10_000..240_000);
        }
    }
}

async fn flush(db: &DatabaseConnection, rows: &mut Vec<event::ActiveModel>) -> Result<u64, DbErr> {
    let count = rows.len() as u64;
    let txn = db.begin().await?;
    crate::chunked::insert(&txn, std::mem::take(rows)).await?;
    txn.commit().await?;
    Ok(count)
}

/// Time of day between 06:00 and 24:00, peaking mid-afternoon (the mean of two
/// uniform draws).
fn daytime_ms(rng: &mut StdRng) -> i64 {
    let (a, b): (f64, f64) = (rng.random(), rng.random());
    ((6.0 + 18.0 * (a + b) / 2.0) * 3_600_000.0) as i64
}

/// One of `items`, each as likely as its weight.
fn pick<'a, T>(rng: &mut StdRng, items: &'a [T], weight: impl Fn(&T) -> u32) -> &'a T {
    let mut n = rng.random_range(0..items.iter().map(&weight).sum::<u32>());
    for item in items {
        if n < weight(item) {
            return item;
        }
        n -= weight(item);
    }
    &items[items.len() - 1]
}

/// Page popularity: the k-th page is viewed in proportion to 1 / k^s.
struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(pages: usize, s: f64) -> Zipf {
        let mut total = 0.0;
        let cumulative = (1..=pages)
            .map(|k| {
                total += 1.0 / (k as f64).powf(s);
                total
            })
            .collect::<Vec<_>>();
        Zipf {
            cumulative: cumulative.iter().map(|c| c / total).collect(),
        }
    }

    fn path(&self, rng: &mut StdRng) -> String {
        let x: f64 = rng.random();
        match self.cumulative.partition_point(|&c| c < x) {
            0 => "/".to_owned(),
            1 => "/pricing".to_owned(),
            2 => "/docs".to_owned(),
            3 => "/about".to_owned(),
            k => format!("/blog/post-{k}"),
        }
    }
}
