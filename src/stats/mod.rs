//! Plausible's Stats API, versions 1 and 2: each version's request parsed
//! (`v1`, `v2`) into one `Query`, counted over raw events by `engine` with
//! Plausible's meaning of visits, goals and `visit:*` properties, and written
//! back in that version's shape.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};

use crate::{
    analytics::Reports,
    entities::{goal, site},
    error::{Classify, Failure, Kind},
    goals::Matcher,
};

mod channels;
mod engine;
mod fast;
mod matcher;
pub mod query;
mod sources;
pub mod v1;
pub mod v2;

pub use engine::{NONE, PackedDays, Sums, Table, metric, pack::pack_day};
pub use query::{Condition, Dimension, Filter, Interval, Metric, Op, Prop, Query};

#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    /// The request is wrong; the message is Plausible's where it has one.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Database(#[from] DbErr),
}

impl Classify for StatsError {
    fn classify(self) -> Failure {
        match self {
            StatsError::Invalid(_) => Failure::new(Kind::BadRequest, self),
            StatsError::Database(_) => Failure::new(Kind::Internal, self),
        }
    }
}

pub(crate) fn invalid<T>(message: impl Into<String>) -> Result<T, StatsError> {
    Err(StatsError::Invalid(message.into()))
}

/// A counted query: its groups, and what rates divide by.
#[derive(Clone, Default)]
pub struct Answer {
    pub table: Table,
    /// Per group without its goal, the visitors before goal filters (the
    /// denominator of conversion rates); empty unless a rate asks for it.
    pub base: Table,
    /// Positions of the query's dimensions that `base` keeps.
    pub base_dimensions: Vec<usize>,
    /// The range's visitors under the filters (for `percentage`).
    pub total_visitors: i64,
}

impl Answer {
    /// This answer and another part's of the same question, over separate
    /// UTC days, as one.
    pub fn merge(mut self, other: Answer) -> Answer {
        self.table.merge(other.table);
        self.base.merge(other.base);
        self.total_visitors += other.total_visitors;
        self
    }

    pub fn base_visitors(&self, key: &[String]) -> i64 {
        let key: Vec<String> = self
            .base_dimensions
            .iter()
            .map(|&i| key[i].clone())
            .collect();
        self.base.find(&key).map_or(0, |s| s.visitors)
    }

    pub fn value(&self, metric: Metric, key: &[String], sums: &Sums) -> f64 {
        engine::metric(metric, sums, self.base_visitors(key), self.total_visitors)
    }
}

/// Where a query is counted: raw events, or (when a `Reports` is at hand)
/// the rollups through the dashboard's engine (see `fast`) and the days
/// packed column by column (`engine::pack`) wherever they can answer.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub db: &'a DatabaseConnection,
    pub reports: Option<&'a Reports>,
}

impl<'a> Source<'a> {
    /// Raw events only: what the rollups must agree with.
    pub fn raw(db: &'a DatabaseConnection) -> Self {
        Source { db, reports: None }
    }

    pub fn with_rollups(db: &'a DatabaseConnection, reports: &'a Reports) -> Self {
        Source {
            db,
            reports: Some(reports),
        }
    }

    async fn count(
        &self,
        site: &site::Model,
        goals: &[Matcher],
        query: &Query,
    ) -> Result<Table, StatsError> {
        let mut tables = self
            .count_all(site, goals, std::slice::from_ref(query))
            .await?;
        Ok(tables.pop().unwrap_or_default())
    }

    /// Each query's table: from the rollups where they answer it, the rest
    /// counted together, each day read once for all of them.
    async fn count_all(
        &self,
        site: &site::Model,
        goals: &[Matcher],
        queries: &[Query],
    ) -> Result<Vec<Table>, StatsError> {
        let mut tables: Vec<Option<Table>> = Vec::with_capacity(queries.len());
        for query in queries {
            tables.push(match self.reports {
                Some(reports) => fast::answer(reports, site, query).await?,
                None => None,
            });
        }
        let mut countings = Vec::new();
        for (query, table) in queries.iter().zip(&tables) {
            if table.is_some() {
                continue;
            }
            countings.push(engine::Counting {
                site: site.id,
                query: query.clone(),
                filter: query
                    .filter
                    .as_ref()
                    .map(matcher::CompiledFilter::new)
                    .transpose()?,
                goals: goals.to_vec(),
                page_filtered: query
                    .filter
                    .as_ref()
                    .is_some_and(|f| f.mentions(&Prop::Page)),
                packed: self.reports.is_some(),
                funnel: false,
            });
        }
        let mut counted = engine::count_together(countings, self.db)
            .await?
            .into_iter();
        Ok(tables
            .into_iter()
            .map(|table| table.or_else(|| counted.next()).unwrap_or_default())
            .collect())
    }
}

/// Counts `query` over `site`'s events, and what its rates divide by.
pub async fn run(
    source: &Source<'_>,
    site: &site::Model,
    goals: &[goal::Model],
    query: &Query,
) -> Result<Answer, StatsError> {
    let matchers: Vec<Matcher> = goals.iter().map(Matcher::new).collect();
    let table = source.count(site, &matchers, query).await?;
    let (base_query, base_dimensions) = base_of(query);
    let base = match base_query {
        Some(base_query) => source.count(site, &matchers, &base_query).await?,
        None => Table::default(),
    };
    let total_visitors =
        if query.metrics.contains(&Metric::Percentage) && !query.dimensions.is_empty() {
            let total_query = Query {
                dimensions: Vec::new(),
                metrics: vec![Metric::Visitors],
                ..query.clone()
            };
            let total = source.count(site, &matchers, &total_query).await?;
            total.sums.first().map_or(0, |s| s.visitors)
        } else {
            table.sums.first().map_or(0, |s| s.visitors)
        };
    Ok(Answer {
        table,
        base,
        base_dimensions,
        total_visitors,
    })
}

/// Several queries over the same range, filter and goals, each answered as
/// `run` answers it (the `percentage` metric aside), from one read of each
/// day for all of them.
pub async fn run_all(
    source: &Source<'_>,
    site: &site::Model,
    goals: &[goal::Model],
    queries: &[Query],
) -> Result<Vec<Answer>, StatsError> {
    let matchers: Vec<Matcher> = goals.iter().map(Matcher::new).collect();
    // Each query's own table, and for a conversion rate the base it
    // divides by: all of them counted together.
    let mut asked: Vec<Query> = Vec::new();
    let mut plans = Vec::new();
    for query in queries {
        let (base_query, base_dimensions) = base_of(query);
        let table_at = asked.len();
        asked.push(query.clone());
        let base_at = base_query.map(|base| {
            asked.push(base);
            asked.len() - 1
        });
        plans.push((table_at, base_at, base_dimensions));
    }
    let mut tables: Vec<Option<Table>> = source
        .count_all(site, &matchers, &asked)
        .await?
        .into_iter()
        .map(Some)
        .collect();
    Ok(plans
        .into_iter()
        .map(|(table_at, base_at, base_dimensions)| {
            let table = tables[table_at].take().unwrap_or_default();
            let base = base_at.and_then(|at| tables[at].take()).unwrap_or_default();
            let total_visitors = table.sums.first().map_or(0, |s| s.visitors);
            Answer {
                table,
                base,
                base_dimensions,
                total_visitors,
            }
        })
        .collect())
}

/// The query a conversion rate divides by (the same without its goal
/// dimension and goal filters), when one of `query`'s metrics is a rate,
/// and the positions of the dimensions it keeps.
fn base_of(query: &Query) -> (Option<Query>, Vec<usize>) {
    let rates = query
        .metrics
        .iter()
        .any(|m| matches!(m, Metric::ConversionRate | Metric::GroupConversionRate));
    let base_dimensions: Vec<usize> = query
        .dimensions
        .iter()
        .enumerate()
        .filter(|(_, d)| **d != Dimension::Prop(Prop::Goal))
        .map(|(i, _)| i)
        .collect();
    let base = rates.then(|| Query {
        dimensions: base_dimensions
            .iter()
            .map(|&i| query.dimensions[i].clone())
            .collect(),
        filter: query.filter.as_ref().and_then(Filter::without_goals),
        metrics: vec![Metric::Visitors],
        ..query.clone()
    });
    (base, base_dimensions)
}

/// Visitors who reached each step of a funnel (its `steps`, in order, within
/// one visit) over `query`'s range under its filter.
pub async fn funnel(
    source: &Source<'_>,
    site: &site::Model,
    steps: &[Matcher],
    query: &Query,
) -> Result<Vec<i64>, StatsError> {
    let counting = engine::Counting {
        site: site.id,
        query: Query {
            metrics: vec![Metric::Visitors],
            dimensions: Vec::new(),
            ..query.clone()
        },
        filter: query
            .filter
            .as_ref()
            .map(matcher::CompiledFilter::new)
            .transpose()?,
        goals: steps.to_vec(),
        page_filtered: false,
        packed: source.reports.is_some(),
        funnel: true,
    };
    let table = counting.count(source.db).await?;
    Ok((1..=steps.len())
        .map(|k| table.find(&[k.to_string()]).map_or(0, |s| s.visitors))
        .collect())
}

/// Plausible's current visitors: distinct visitors of the last five minutes.
pub async fn realtime_visitors<C: ConnectionTrait>(
    db: &C,
    site: &site::Model,
) -> Result<i64, DbErr> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr};
    let since = chrono::Utc::now().timestamp_millis() - 5 * 60 * 1000;
    let count: Option<i64> = crate::entities::event::Entity::find()
        .select_only()
        .column_as(Expr::cust("COUNT(DISTINCT visitor_id)"), "n")
        .filter(crate::entities::event::Column::SiteId.eq(site.id))
        .filter(crate::entities::event::Column::Ts.gte(since))
        .into_tuple()
        .one(db)
        .await?;
    Ok(count.unwrap_or(0))
}

/// The site's first local day with data (or its creation day): where v2's
/// `all` begins.
pub(crate) async fn first_day<C: ConnectionTrait>(
    db: &C,
    site: &site::Model,
) -> Result<chrono::NaiveDate, DbErr> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr};
    let tz: chrono_tz::Tz = site.timezone.parse().unwrap_or(chrono_tz::Tz::UTC);
    let first: Option<Option<i64>> = crate::entities::event::Entity::find()
        .select_only()
        .column_as(Expr::cust("MIN(ts)"), "first")
        .filter(crate::entities::event::Column::SiteId.eq(site.id))
        .into_tuple()
        .one(db)
        .await?;
    let created = site.created_at.timestamp_millis();
    let first = first.flatten().map_or(created, |ts| ts.min(created));
    Ok(crate::analytics::request::period::local_date(tz, first))
}

/// The custom property keys the site's events carry in `from..to` (Unix
/// ms), each with how many events carry it, in no order.
pub async fn prop_keys(
    source: &Source<'_>,
    site: &site::Model,
    from: i64,
    to: i64,
) -> Result<Vec<(String, u64)>, StatsError> {
    let keys = engine::prop_keys(source.db, site.id, (from, to), source.reports.is_some()).await?;
    Ok(keys.into_iter().collect())
}
