//! How figures read: compact on the cards (662k, 3.3M) with the exact value
//! on hover, and with thousands separators in tables.

/// `1234` → `1.2k`, `123456` → `123k`, `3302515` → `3.3M`.
pub fn compact(n: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")];
    for (size, unit) in UNITS {
        if n >= size {
            let value = n as f64 / size as f64;
            let shown = if value < 100.0 {
                let tenths = (value * 10.0).floor() / 10.0;
                format!("{tenths:.1}").trim_end_matches(".0").to_owned()
            } else {
                format!("{:.0}", value.floor())
            };
            return format!("{shown}{unit}");
        }
    }
    n.to_string()
}

/// `3302515` → `3,302,515`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An amount of money to the cent: `1234.5` → `1,234.50`.
pub fn money(amount: f64) -> String {
    let cents = (amount.abs() * 100.0).round() as u64;
    let sign = if amount < 0.0 && cents > 0 { "−" } else { "" };
    format!("{sign}{}.{:02}", thousands(cents / 100), cents % 100)
}

/// A change in percent: `+12%`, `−3%`, or `0%` when it rounds to nothing.
pub fn change(percent: f64) -> String {
    let rounded = percent.round();
    if rounded == 0.0 {
        "0%".to_owned()
    } else if rounded > 0.0 {
        format!("+{rounded:.0}%")
    } else {
        format!("−{:.0}%", rounded.abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_compact_and_exact() {
        assert_eq!(compact(0), "0");
        assert_eq!(compact(999), "999");
        assert_eq!(compact(1_000), "1k");
        assert_eq!(compact(1_234), "1.2k");
        assert_eq!(compact(99_999), "99.9k");
        assert_eq!(compact(662_464), "662k");
        assert_eq!(compact(3_302_515), "3.3M");
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(3_302_515), "3,302,515");
        assert_eq!(money(1234.5), "1,234.50");
        assert_eq!(money(0.005), "0.01");
        assert_eq!(money(-2.0), "−2.00");
    }

    #[test]
    fn a_change_of_nothing_has_no_sign() {
        assert_eq!(change(0.2), "0%");
        assert_eq!(change(-0.4), "0%");
        assert_eq!(change(12.6), "+13%");
        assert_eq!(change(-3.0), "−3%");
    }
}
