//! The body of a beacon, checked: what `/api/v1/event` (our tracker) and
//! `/api/event` (Plausible's tracker and server-side integrations) accept. Every
//! way a body can be wrong is an error here, before anything is looked up or
//! stored, so a 400 never depends on the state of the database.

use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::page::{self, Page};

mod measures;

pub use measures::{ENGAGEMENT, Engagement, Revenue};

pub const MAX_NAME_CHARS: usize = 120;
pub const MAX_REFERRER_CHARS: usize = 2048;
pub const MAX_PROPS: usize = 30;
pub const MAX_PROP_KEY_CHARS: usize = 300;
pub const MAX_PROP_VALUE_CHARS: usize = 2000;
/// Distinct domains one Plausible beacon may name (its `domain` is a
/// comma-separated list, one site each): each becomes an
/// event, so an unbounded list would let one request write unboundedly.
pub const MAX_DOMAINS: usize = 10;

/// Which site a beacon is for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SiteKey {
    Id(Uuid),
    /// A normalised domain, as Plausible's tracker names sites.
    Domain(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Beacon {
    /// One site for our tracker; Plausible allows a comma-separated list.
    pub sites: Vec<SiteKey>,
    pub page: Page,
    pub referrer: Option<String>,
    pub width: Option<u32>,
    pub name: String,
    pub props: Vec<(String, String)>,
    /// False for an event sent as non-interactive (`i: false`).
    pub interactive: bool,
    pub revenue: Option<Revenue>,
    /// Set exactly when `name` is `engagement`.
    pub engagement: Option<Engagement>,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum BeaconError {
    #[error("the body must be a JSON object: {0}")]
    Malformed(String),
    #[error("\"{0}\" is required")]
    Missing(&'static str),
    #[error("\"{0}\" is longer than {1} characters")]
    TooLong(&'static str, usize),
    #[error("\"{0}\" must not contain control characters")]
    ControlCharacters(&'static str),
    #[error("\"p\" holds at most {MAX_PROPS} properties with string, number or boolean values")]
    Props,
    #[error("\"d\" is not a valid domain")]
    Domain,
    #[error("\"d\" names more than {MAX_DOMAINS} distinct domains")]
    TooManyDomains,
    #[error(
        "\"$\" must be {{\"amount\": a decimal number, \"currency\": a three-letter ISO code}}"
    )]
    Revenue,
    #[error(
        "an engagement event needs \"sd\" (scroll depth, percent) and \"e\" (engaged milliseconds) as numbers"
    )]
    Engagement,
    #[error(transparent)]
    Page(#[from] page::PageError),
}

/// The wire shape shared by both endpoints; Plausible's long names are aliases.
#[derive(Deserialize)]
struct Wire {
    s: Option<String>,
    #[serde(alias = "domain")]
    d: Option<String>,
    #[serde(alias = "url")]
    u: Option<String>,
    #[serde(alias = "referrer")]
    r: Option<String>,
    w: Option<Value>,
    #[serde(alias = "name")]
    n: Option<String>,
    #[serde(alias = "props")]
    p: Option<Value>,
    h: Option<Value>,
    i: Option<Value>,
    #[serde(rename = "$", alias = "revenue")]
    revenue: Option<Value>,
    sd: Option<Value>,
    e: Option<Value>,
}

/// `POST /api/v1/event`: `s` (site id) and `u` are required.
pub fn parse_native(body: &[u8]) -> Result<Beacon, BeaconError> {
    let wire = wire(body)?;
    let site = required("s", wire.s.as_deref())?;
    let site = match Uuid::parse_str(site) {
        Ok(id) => SiteKey::Id(id),
        // Not an id: perhaps a domain, and if not, a site nobody has.
        Err(_) => SiteKey::Domain(crate::sites::normalize_domain(site).unwrap_or_default()),
    };
    let page = page::parse(required("u", wire.u.as_deref())?)?;
    finish(wire, vec![site], page)
}

/// `POST /api/event`: Plausible's body. A missing domain is the URL's host; `p`
/// may be an object or a JSON-encoded object (Plausible's npm tracker).
pub fn parse_plausible(body: &[u8]) -> Result<Beacon, BeaconError> {
    let wire = wire(body)?;
    let mut page = page::parse(required("u", wire.u.as_deref())?)?;
    if truthy(wire.h.as_ref())
        && let Some(fragment) = wire.u.as_deref().and_then(fragment_of)
    {
        // Hash-based routing: `/#/pricing` is a page of its own.
        page.path = format!("{}#{fragment}", page.path);
        if page.path.chars().count() > page::MAX_PATH_CHARS {
            return Err(page::PageError::PathTooLong.into());
        }
    }
    let sites = match wire.d.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(list) => domains(list)?,
        None => vec![SiteKey::Domain(
            crate::sites::normalize_domain(&page.hostname).map_err(|_| BeaconError::Domain)?,
        )],
    };
    finish(wire, sites, page)
}

/// Plausible's comma-separated `d`, normalised and de-duplicated in order, so
/// `example.com, WWW.example.com` is one site. Empty items (a trailing comma)
/// are skipped; stopping at the first domain past the limit keeps the work
/// bounded by the limit, not by the list.
fn domains(list: &str) -> Result<Vec<SiteKey>, BeaconError> {
    let mut sites = Vec::new();
    for item in list.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        let site = crate::sites::normalize_domain(item)
            .map(SiteKey::Domain)
            .map_err(|_| BeaconError::Domain)?;
        if sites.contains(&site) {
            continue;
        }
        if sites.len() == MAX_DOMAINS {
            return Err(BeaconError::TooManyDomains);
        }
        sites.push(site);
    }
    if sites.is_empty() {
        return Err(BeaconError::Domain);
    }
    Ok(sites)
}

fn wire(body: &[u8]) -> Result<Wire, BeaconError> {
    // Anything but an object (an array, a string, null) fails to become a `Wire`.
    let wire: Wire =
        serde_json::from_slice(body).map_err(|e| BeaconError::Malformed(e.to_string()))?;
    for (field, text) in [
        ("s", &wire.s),
        ("d", &wire.d),
        ("u", &wire.u),
        ("r", &wire.r),
        ("n", &wire.n),
    ] {
        if text.as_deref().is_some_and(has_control) {
            return Err(BeaconError::ControlCharacters(field));
        }
    }
    Ok(wire)
}

fn finish(wire: Wire, sites: Vec<SiteKey>, page: Page) -> Result<Beacon, BeaconError> {
    let referrer = wire
        .r
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if referrer
        .as_deref()
        .is_some_and(|r| r.chars().count() > MAX_REFERRER_CHARS)
    {
        return Err(BeaconError::TooLong("r", MAX_REFERRER_CHARS));
    }
    let name = wire.n.as_deref().map(str::trim).unwrap_or_default();
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(BeaconError::TooLong("n", MAX_NAME_CHARS));
    }
    let engagement = (name == ENGAGEMENT)
        .then(|| measures::engagement(wire.sd.as_ref(), wire.e.as_ref()))
        .transpose()?;
    Ok(Beacon {
        sites,
        page,
        referrer,
        width: wire.w.as_ref().and_then(width),
        name: if name.is_empty() {
            "pageview".to_owned()
        } else {
            name.to_owned()
        },
        props: props(wire.p)?,
        interactive: measures::interactive(wire.i.as_ref()),
        revenue: measures::revenue(wire.revenue)?,
        engagement,
    })
}

fn required<'a>(field: &'static str, value: Option<&'a str>) -> Result<&'a str, BeaconError> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or(BeaconError::Missing(field))
}

fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

/// A width is informative only: anything but a plausible number is ignored.
fn width(value: &Value) -> Option<u32> {
    let number = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    (number.is_finite() && (1.0..=100_000.0).contains(&number)).then_some(number as u32)
}

fn truthy(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|n| n != 0.0),
        _ => false,
    }
}

fn fragment_of(url: &str) -> Option<String> {
    url::Url::parse(url.trim())
        .ok()?
        .fragment()
        .filter(|f| !f.is_empty())
        .map(|f| {
            percent_encoding::percent_decode_str(f)
                .decode_utf8_lossy()
                .chars()
                .filter(|c| !c.is_control())
                .collect()
        })
}

/// Custom properties: string pairs, numbers and booleans written as strings,
/// `null` values left out.
fn props(value: Option<Value>) -> Result<Vec<(String, String)>, BeaconError> {
    let object = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(map)) => map,
        Some(Value::String(text)) if text.trim().is_empty() => return Ok(Vec::new()),
        Some(Value::String(text)) => match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(map)) => map,
            Ok(Value::Null) => return Ok(Vec::new()),
            _ => return Err(BeaconError::Props),
        },
        Some(_) => return Err(BeaconError::Props),
    };
    if object.len() > MAX_PROPS {
        return Err(BeaconError::Props);
    }
    let mut pairs = Vec::with_capacity(object.len());
    for (key, value) in object {
        let value = match value {
            Value::Null => continue,
            Value::String(s) => s,
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            Value::Array(_) | Value::Object(_) => return Err(BeaconError::Props),
        };
        let key = key.trim().to_owned();
        if key.is_empty() {
            return Err(BeaconError::Props);
        }
        if has_control(&key) || has_control(&value) {
            return Err(BeaconError::ControlCharacters("p"));
        }
        if key.chars().count() > MAX_PROP_KEY_CHARS {
            return Err(BeaconError::TooLong("p", MAX_PROP_KEY_CHARS));
        }
        if value.chars().count() > MAX_PROP_VALUE_CHARS {
            return Err(BeaconError::TooLong("p", MAX_PROP_VALUE_CHARS));
        }
        pairs.push((key, value));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests;
