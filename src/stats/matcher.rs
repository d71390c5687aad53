//! A filter tree compiled once per query: value lists to hash sets, patterns
//! to regular expressions, so judging an event costs a lookup per condition.

use regex::{Regex, RegexBuilder};
use rustc_hash::FxHashSet;

use super::{
    StatsError,
    engine::Seen,
    query::{Condition, Filter, Op, Prop},
};
use crate::glob::Glob;

/// Longest regular expression a filter may send, and its compiled size cap:
/// a client's pattern must not take the server's memory or time.
const MAX_PATTERN: usize = 1000;
const MAX_COMPILED: usize = 1 << 20;

pub(super) enum CompiledFilter {
    Test {
        prop: Prop,
        negated: bool,
        test: Test,
    },
    And(Vec<CompiledFilter>),
    Or(Vec<CompiledFilter>),
    Not(Box<CompiledFilter>),
}

pub(super) enum Test {
    /// Exact values; lower-cased when the match ignores case.
    Exact {
        values: FxHashSet<String>,
        fold: bool,
    },
    Contains {
        needles: Vec<String>,
        fold: bool,
    },
    Pattern(Vec<Regex>),
    Wildcard(Vec<Glob>),
}

impl CompiledFilter {
    pub fn new(filter: &Filter) -> Result<CompiledFilter, StatsError> {
        Ok(match filter {
            Filter::Test(condition) => compile(condition)?,
            Filter::And(all) => {
                CompiledFilter::And(all.iter().map(Self::new).collect::<Result<_, _>>()?)
            }
            Filter::Or(all) => {
                CompiledFilter::Or(all.iter().map(Self::new).collect::<Result<_, _>>()?)
            }
            Filter::Not(inner) => CompiledFilter::Not(Box::new(Self::new(inner)?)),
        })
    }

    pub fn reads_props(&self) -> bool {
        match self {
            CompiledFilter::Test { prop, .. } => matches!(prop, Prop::Custom(_)),
            CompiledFilter::And(all) | CompiledFilter::Or(all) => all.iter().any(Self::reads_props),
            CompiledFilter::Not(inner) => inner.reads_props(),
        }
    }

    /// The one property a lone test reads.
    pub fn single_prop(&self) -> Option<&Prop> {
        match self {
            CompiledFilter::Test { prop, .. } => Some(prop),
            _ => None,
        }
    }

    /// Whether the filter reads only its visit's values (`visit:*`), so it
    /// holds for every event of a visit or for none.
    fn per_visit(&self) -> bool {
        match self {
            CompiledFilter::Test { prop, .. } => !prop.is_event(),
            CompiledFilter::And(all) | CompiledFilter::Or(all) => all.iter().all(Self::per_visit),
            CompiledFilter::Not(inner) => inner.per_visit(),
        }
    }

    /// The filter as two lists that must all pass: what is judged once a
    /// visit, and what each event.
    pub fn split_by_visit(&self) -> (Vec<&CompiledFilter>, Vec<&CompiledFilter>) {
        match self {
            CompiledFilter::And(all) => all.iter().partition(|f| f.per_visit()),
            f if f.per_visit() => (vec![f], Vec::new()),
            f => (Vec::new(), vec![f]),
        }
    }

    pub fn passes(&self, seen: &Seen<'_>) -> bool {
        match self {
            CompiledFilter::Test {
                prop,
                negated,
                test,
            } => {
                let hit = match prop {
                    Prop::Goal => seen.goal_names().any(|name| test.hits(name)),
                    prop => {
                        let value = seen.value(prop).unwrap_or_default();
                        test.hits(value.as_ref())
                            || (value.is_empty()
                                && prop.placeholder().is_some_and(|p| test.hits(p)))
                    }
                };
                hit != *negated
            }
            CompiledFilter::And(all) => all.iter().all(|f| f.passes(seen)),
            CompiledFilter::Or(all) => all.iter().any(|f| f.passes(seen)),
            CompiledFilter::Not(inner) => !inner.passes(seen),
        }
    }
}

impl Test {
    fn hits(&self, value: &str) -> bool {
        match self {
            Test::Exact {
                values,
                fold: false,
            } => values.contains(value),
            Test::Exact { values, fold: true } => values.contains(&value.to_lowercase()),
            Test::Contains { needles, fold } => {
                let value = if *fold {
                    value.to_lowercase()
                } else {
                    value.to_owned()
                };
                needles.iter().any(|n| value.contains(n.as_str()))
            }
            Test::Pattern(patterns) => patterns.iter().any(|p| p.is_match(value)),
            Test::Wildcard(globs) => globs.iter().any(|g| g.matches(value)),
        }
    }
}

fn compile(condition: &Condition) -> Result<CompiledFilter, StatsError> {
    let fold = !condition.case_sensitive;
    let folded = |v: &String| if fold { v.to_lowercase() } else { v.clone() };
    let test = match condition.op {
        Op::Is | Op::IsNot => Test::Exact {
            values: condition.values.iter().map(folded).collect(),
            fold,
        },
        Op::Contains | Op::ContainsNot => Test::Contains {
            needles: condition.values.iter().map(folded).collect(),
            fold,
        },
        Op::Matches | Op::MatchesNot => Test::Pattern(
            condition
                .values
                .iter()
                .map(|pattern| {
                    if pattern.len() > MAX_PATTERN {
                        return Err(StatsError::Invalid(format!(
                            "Invalid filter: a pattern is longer than {MAX_PATTERN} characters"
                        )));
                    }
                    RegexBuilder::new(pattern)
                        .case_insensitive(fold)
                        .size_limit(MAX_COMPILED)
                        .build()
                        .map_err(|_| {
                            StatsError::Invalid(format!(
                                "Invalid filter: `{pattern}` is not a valid regular expression"
                            ))
                        })
                })
                .collect::<Result<_, _>>()?,
        ),
        Op::Wildcard | Op::WildcardNot => {
            Test::Wildcard(condition.values.iter().map(|v| Glob::new(v)).collect())
        }
    };
    Ok(CompiledFilter::Test {
        prop: condition.prop.clone(),
        negated: condition.op.negated(),
        test,
    })
}
