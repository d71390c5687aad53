//! What Plausible's trackers send beside a name and a page: revenue (`$`), the
//! interactive flag (`i`) and an engagement beacon's measures (`sd`, `e`).

use serde_json::Value;

use super::BeaconError;

/// The event name of Plausible's engagement beacons: not an event of its own but
/// the scroll depth and engaged time of the pageview before it.
pub const ENGAGEMENT: &str = "engagement";

/// Engaged time one beacon may report; a tab left open for days reports far
/// less, as only visible, focused time counts.
const MAX_ENGAGED_MS: i64 = 24 * 60 * 60 * 1000;

/// An amount with its ISO 4217 currency, the amount kept as the decimal text it
/// was sent as, so no float ever rounds money.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revenue {
    pub amount: String,
    pub currency: String,
}

/// An engagement beacon's measures: the deepest scroll so far, and the engaged
/// time since the last engagement beacon of the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Engagement {
    pub scroll_depth: i16,
    pub engaged_ms: i64,
}

/// `i: false` (or 0) marks an event that is not an interaction; anything else,
/// or nothing, is one.
pub(super) fn interactive(value: Option<&Value>) -> bool {
    !matches!(value, Some(Value::Bool(false)))
        && !matches!(value, Some(Value::Number(n)) if n.as_f64() == Some(0.0))
}

/// `{amount, currency}`, the amount a number or a decimal string.
pub(super) fn revenue(value: Option<Value>) -> Result<Option<Revenue>, BeaconError> {
    let object = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(object)) => object,
        Some(_) => return Err(BeaconError::Revenue),
    };
    let amount = match object.get("amount") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.trim().to_owned(),
        _ => return Err(BeaconError::Revenue),
    };
    let currency = match object.get("currency") {
        Some(Value::String(s)) => s.trim().to_ascii_uppercase(),
        _ => return Err(BeaconError::Revenue),
    };
    if !is_decimal(&amount)
        || currency.len() != 3
        || !currency.bytes().all(|b| b.is_ascii_uppercase())
    {
        return Err(BeaconError::Revenue);
    }
    Ok(Some(Revenue { amount, currency }))
}

/// An optional minus, up to 20 digits, and up to 10 decimals.
fn is_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && all_digits(fraction) && whole.len() <= 20 && fraction.len() <= 10
}

/// An engagement beacon's `sd` (required, a percent) and `e` (milliseconds,
/// zero when missing), each held to its range.
pub(super) fn engagement(sd: Option<&Value>, e: Option<&Value>) -> Result<Engagement, BeaconError> {
    let scroll = number(sd).ok_or(BeaconError::Engagement)?;
    let engaged = match e {
        None | Some(Value::Null) => 0.0,
        value => number(value).ok_or(BeaconError::Engagement)?,
    };
    Ok(Engagement {
        scroll_depth: scroll.clamp(0.0, 100.0).round() as i16,
        engaged_ms: (engaged.max(0.0) as i64).min(MAX_ENGAGED_MS),
    })
}

fn number(value: Option<&Value>) -> Option<f64> {
    let n = match value? {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    n.is_finite().then_some(n)
}
