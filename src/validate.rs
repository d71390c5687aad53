//! Input rules shared by accounts and sites. Each failure names the field, so forms
//! can show it next to the input and the API can say which value was wrong.

use crate::error::{Classify, Failure, Kind};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl Classify for FieldError {
    fn classify(self) -> Failure {
        let field = self.field;
        Failure::new(Kind::Invalid, self.message).on(field)
    }
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        FieldError {
            field,
            message: message.into(),
        }
    }
}

/// A display name: trimmed, 1–100 characters, no control characters.
pub fn name(field: &'static str, input: &str) -> Result<String, FieldError> {
    let trimmed = input.trim();
    let count = trimmed.chars().count();
    if count == 0 {
        return Err(FieldError::new(field, format!("{field} is required")));
    }
    if count > 100 {
        return Err(FieldError::new(
            field,
            format!("{field} must be at most 100 characters"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            format!("{field} must not contain control characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// Trimmed and lower-cased; one `@`, a plausible local part and a dotted domain.
pub fn email(input: &str) -> Result<String, FieldError> {
    let email = input.trim().to_lowercase();
    let invalid = || FieldError::new("email", "enter a valid email address");
    if email.is_empty() || email.len() > 254 {
        return Err(invalid());
    }
    let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    if !local_ok || hostname(domain).is_err() || !domain.contains('.') {
        return Err(invalid());
    }
    Ok(email)
}

/// 8–128 characters, counted as characters rather than bytes.
pub fn password(input: &str) -> Result<(), FieldError> {
    let count = input.chars().count();
    if count < 8 {
        return Err(FieldError::new(
            "password",
            "password must be at least 8 characters",
        ));
    }
    if count > 128 {
        return Err(FieldError::new(
            "password",
            "password must be at most 128 characters",
        ));
    }
    Ok(())
}

/// An ASCII host name: dot-separated labels of letters, digits and inner hyphens.
pub fn hostname(host: &str) -> Result<(), &'static str> {
    if host.is_empty() || host.len() > 253 {
        return Err("must be 1–253 characters");
    }
    for label in host.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return Err("must be a host name like example.com (letters, digits, hyphens)");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_or_refused() {
        assert_eq!(email("  Ada@Example.COM ").unwrap(), "ada@example.com");
        assert_eq!(
            email("first.last+tag@mail.example.org").unwrap(),
            "first.last+tag@mail.example.org"
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "ada@@example.com",
            "ada@exa_mple.com",
            ".ada@example.com",
            "ada..x@example.com",
            "ada@example.com\n",
        ] {
            if bad.ends_with('\n') {
                // Surrounding whitespace is trimmed, so this one is accepted.
                assert!(email(bad).is_ok());
                continue;
            }
            assert_eq!(email(bad).unwrap_err().field, "email", "{bad:?}");
        }
        assert!(email(&format!("{}@example.com", "a".repeat(65))).is_err());
    }

    #[test]
    fn passwords_are_8_to_128_characters() {
        assert!(password("1234567").is_err());
        assert!(password("12345678").is_ok());
        assert!(password(&"x".repeat(128)).is_ok());
        assert!(password(&"x".repeat(129)).is_err());
        // Eight characters of four bytes each: counted as eight.
        assert!(password("🔒🔒🔒🔒🔒🔒🔒🔒").is_ok());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("name", "  Ada  ").unwrap(), "Ada");
        assert_eq!(name("name", "   ").unwrap_err().message, "name is required");
        assert!(name("name", &"x".repeat(101)).is_err());
        assert!(name("name", "a\u{0}b").is_err());
        assert_eq!(name("name", "מרים").unwrap(), "מרים");
    }
}
