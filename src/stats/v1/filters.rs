//! v1's filter string: `;` between clauses (AND), `==` or `!=` in each, `|`
//! between values (OR, `\|` a literal bar), `*` a wildcard. A clause that is
//! not `property==value` is dropped, as Plausible drops it.

use crate::{
    entities::goal,
    stats::{
        StatsError, invalid,
        query::{Condition, Filter, Op, Prop},
    },
};

const PROPERTIES_URL: &str = "https://plausible.io/docs/stats-api#properties";
const GOALS_URL: &str = "https://plausible.io/docs/stats-api#filtering-by-goals";

pub fn parse(text: &str, goals: &[goal::Model]) -> Result<Option<Filter>, StatsError> {
    let mut all = Vec::new();
    for clause in text.split(';') {
        let (negated, key, value) = if let Some((k, v)) = clause.split_once("==") {
            (false, k.trim(), v.trim())
        } else if let Some((k, v)) = clause.split_once("!=") {
            (true, k.trim(), v.trim())
        } else {
            continue;
        };
        if key.is_empty() || value.is_empty() {
            continue;
        }
        let Some(prop) = Prop::parse(key) else {
            return invalid(format!(
                "Invalid filter property '{key}'. Please provide a valid filter property: {PROPERTIES_URL}"
            ));
        };
        let values = split_values(value);
        if prop == Prop::Country && values.iter().any(|v| v.len() != 2) {
            continue;
        }
        if prop == Prop::Goal {
            for name in &values {
                if !goals.iter().any(|g| &g.display_name == name) {
                    return invalid(match name.strip_prefix("Visit ") {
                        Some(path) => format!(
                            "The pageview goal for the pathname `{path}` is not configured for this site. Find out how to configure goals here: {GOALS_URL}"
                        ),
                        None => format!(
                            "The goal `{name}` is not configured for this site. Find out how to configure goals here: {GOALS_URL}"
                        ),
                    });
                }
            }
            // Plausible has no "not" for goals: `!=` reads as `==`.
            all.push(Filter::Test(Condition {
                prop,
                op: Op::Is,
                values,
                case_sensitive: true,
            }));
            continue;
        }
        let wildcard = value.contains('*');
        let op = match (wildcard, negated) {
            (false, false) => Op::Is,
            (false, true) => Op::IsNot,
            (true, false) => Op::Wildcard,
            (true, true) => Op::WildcardNot,
        };
        // Plausible excludes one value at a time: `!=a|b` is the value "a|b".
        let values = if negated && !wildcard {
            vec![value.replace("\\|", "|")]
        } else {
            values
        };
        all.push(Filter::Test(Condition {
            prop,
            op,
            values,
            case_sensitive: true,
        }));
    }
    Ok(match all.len() {
        0 => None,
        1 => all.pop(),
        _ => Some(Filter::And(all)),
    })
}

/// Splits on `|` but not on `\|`.
fn split_values(value: &str) -> Vec<String> {
    let mut values = vec![String::new()];
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                chars.next();
                values.last_mut().expect("one value").push('|');
            }
            '|' => values.push(String::new()),
            c => values.last_mut().expect("one value").push(c),
        }
    }
    values.into_iter().map(|v| v.trim().to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conditions(text: &str) -> Vec<Condition> {
        parse(text, &[])
            .unwrap()
            .map(|f| f.conditions().into_iter().cloned().collect())
            .unwrap_or_default()
    }

    #[test]
    fn clauses_values_and_wildcards() {
        let parsed =
            conditions("event:page==/a|/b;visit:browser != Firefox ; visit:source==Google*");
        assert_eq!(parsed.len(), 3);
        assert_eq!(
            (parsed[0].op, parsed[0].values.clone()),
            (Op::Is, vec!["/a".to_owned(), "/b".to_owned()])
        );
        assert_eq!(
            (parsed[1].op, parsed[1].values.clone()),
            (Op::IsNot, vec!["Firefox".to_owned()])
        );
        assert_eq!(parsed[2].op, Op::Wildcard);
        assert_eq!(conditions(r"event:props:x==a\|b")[0].values, vec!["a|b"]);
        assert!(conditions("nonsense;visit:country==USA").is_empty());
        assert_eq!(
            conditions("visit:country==US|DE")[0].values,
            vec!["US", "DE"]
        );
    }

    #[test]
    fn unknown_properties_and_goals_are_errors() {
        let error = |text| parse(text, &[]).unwrap_err().to_string();
        assert!(error("visit:nope==1").starts_with("Invalid filter property 'visit:nope'"));
        assert!(error("event:goal==Signup").starts_with("The goal `Signup` is not configured"));
        assert!(
            error("event:goal==Visit /x").starts_with("The pageview goal for the pathname `/x`")
        );
    }
}
