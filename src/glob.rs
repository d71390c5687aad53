//! Plausible's path wildcards, used by page goals and by the Stats API's `*`
//! filters: `*` (and `**`, the older spelling of the same) matches any run of
//! characters, `/` included, as in Plausible today. Compiled once to a regular
//! expression, so matching a page is one linear scan.

use regex::Regex;

#[derive(Clone, Debug)]
pub struct Glob(Regex);

impl Glob {
    pub fn new(pattern: &str) -> Glob {
        let mut expression = String::from("^");
        let mut rest = pattern;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('*') {
                expression.push_str(".*");
                rest = after.trim_start_matches('*');
            } else {
                let literal = rest.find('*').map_or(rest, |at| &rest[..at]);
                expression.push_str(&regex::escape(literal));
                rest = &rest[literal.len()..];
            }
        }
        expression.push('$');
        // Escaped literals and two fixed pieces always compile.
        Glob(Regex::new(&expression).unwrap_or_else(|_| Regex::new("$^").expect("valid")))
    }

    pub fn has_wildcard(pattern: &str) -> bool {
        pattern.contains('*')
    }

    pub fn matches(&self, text: &str) -> bool {
        self.0.is_match(text)
    }
}

#[cfg(test)]
mod tests {
    use super::Glob;

    #[test]
    fn stars_match_any_run_of_characters() {
        let blog = Glob::new("/blog/*");
        assert!(blog.matches("/blog/post"));
        assert!(blog.matches("/blog/"));
        assert!(blog.matches("/blog/2024/post"));
        assert!(!blog.matches("/blogs/post"));
        let deep = Glob::new("/blog/**");
        assert!(deep.matches("/blog/2024/post"));
        assert!(Glob::new("/a.b+(c)").matches("/a.b+(c)"));
        assert!(!Glob::new("/a.b").matches("/axb"));
        assert!(Glob::new("**/pricing").matches("/en/pricing"));
        assert!(Glob::new("/docs*").matches("/docs-intro"));
    }
}
