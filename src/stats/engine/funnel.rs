//! A funnel counted over a day's visits: within one visit, in time order,
//! each step is reached by an event that completes it after the step before
//! was reached; a visitor counts once for every step one of its visits
//! reached.

use rustc_hash::FxHashMap;

use super::{
    Counting, Day, Groups, Judge, Seen, Table, join,
    visit::{Lookups, visits},
};
use crate::stats::matcher::CompiledFilter;

impl Counting {
    /// Counts the funnel whose steps are `self.goals`, in order, into rows
    /// keyed by the step's number (from 1).
    pub(super) fn count_funnel_day(
        &self,
        day: &Day,
        lookups: &Lookups,
        table: &mut Table,
        index: &mut FxHashMap<Vec<String>, usize>,
    ) {
        let steps = self.goals.len();
        let mut groups = Groups::default();
        let step_groups: Vec<u32> = (0..steps as u32).map(|k| groups.find(&[k])).collect();
        let (gate, rest) = self
            .filter
            .as_ref()
            .map_or((Vec::new(), Vec::new()), CompiledFilter::split_by_visit);
        let mut gate: Vec<Judge<'_>> = gate.into_iter().map(Judge::new).collect();
        let mut rest: Vec<Judge<'_>> = rest.into_iter().map(Judge::new).collect();
        let visits = visits(day, |visit| {
            let opening = Seen {
                day,
                i: visit.first,
                visit,
                lookups,
                goals: &self.goals,
            };
            gate.iter_mut().all(|f| f.passes(&opening))
        });
        for v in visits.by_visitor(day) {
            let v = v as usize;
            let visit = &visits.list[v];
            let opening = Seen {
                day,
                i: visit.first,
                visit,
                lookups,
                goals: &self.goals,
            };
            let mut reached = 0;
            for i in visits.events(v) {
                if reached == steps {
                    break;
                }
                let seen = opening.at(i);
                if seen.goal_indices().contains(&reached)
                    && rest.iter_mut().all(|f| f.passes(&seen))
                {
                    reached += 1;
                }
            }
            for &g in &step_groups[..reached] {
                groups.count_visitor(g, day.visitor[visit.first]);
            }
        }
        for (k, sums) in groups.sums.into_iter().enumerate() {
            join(table, index, vec![(k + 1).to_string()], sums);
        }
    }
}
