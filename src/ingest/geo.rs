//! Countries (and, with a city database, regions and cities) from the
//! client's address without a CDN: an offline `.mmdb` database (DB-IP's
//! country database by default) held in memory and asked at ingest, then the
//! address is forgotten as before. No lookup leaves the machine. Both common
//! layouts are read: ip-location-db's flat `{"country_code": "DE", "state1":
//! "Berlin", "city": "Berlin"}` and MaxMind's nested `{"country": {"iso_code":
//! "DE"}, "subdivisions": [{"iso_code": "BE"}], "city": {"names": {"en":
//! "Berlin"}}}` (GeoLite2, DB-IP's MaxMind-style files).

use std::{
    collections::HashMap,
    net::IpAddr,
    path::{Path, PathBuf},
    sync::{Arc, Mutex, OnceLock},
};

use maxminddb::Reader;
use serde::Deserialize;

/// An opened GeoIP database.
pub struct Geo {
    reader: Reader<Vec<u8>>,
    /// The file's size: what holding it costs in memory.
    pub bytes: usize,
    /// Whether it places addresses below the country (its type names a
    /// city database): otherwise a proxy's country leaves nothing to ask.
    pub places: bool,
}

/// Where an address is, as far as the database knows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Place {
    /// ISO 3166-1 alpha-2, upper case.
    pub country: Option<String>,
    /// ISO 3166-2 (`DE-BE`) where the database has the code, else its name.
    pub region: Option<String>,
    /// The city's English name.
    pub city: Option<String>,
}

/// The longest region and city kept (the columns' sizes); a longer one is
/// no name a database would give, and is dropped.
pub const MAX_REGION: usize = 64;
pub const MAX_CITY: usize = 120;

#[derive(Deserialize)]
struct Record<'a> {
    #[serde(borrow, default)]
    country_code: Option<&'a str>,
    #[serde(borrow, default)]
    country: Option<Country<'a>>,
    #[serde(default)]
    subdivisions: Option<Vec<Named>>,
    #[serde(default)]
    state1: Option<String>,
    #[serde(default)]
    city: Option<City>,
}

#[derive(Deserialize)]
struct Country<'a> {
    #[serde(borrow, default)]
    iso_code: Option<&'a str>,
}

/// A flat database names the city; a MaxMind-style one nests its names.
#[derive(Deserialize)]
#[serde(untagged)]
enum City {
    Name(String),
    Record(Named),
}

#[derive(Default, Deserialize)]
struct Named {
    #[serde(default)]
    iso_code: Option<String>,
    #[serde(default)]
    names: Option<Names>,
}

#[derive(Default, Deserialize)]
struct Names {
    #[serde(default)]
    en: Option<String>,
}

impl Named {
    fn name(self) -> Option<String> {
        self.names.and_then(|n| n.en)
    }
}

/// A name as stored: trimmed, printable, and no longer than `max`.
fn kept(name: Option<String>, max: usize) -> Option<String> {
    let name = name?;
    let name = name.trim();
    (!name.is_empty() && name.len() <= max && !name.chars().any(char::is_control))
        .then(|| name.to_owned())
}

impl Geo {
    /// Reads the whole file into memory and checks it is a `.mmdb` database.
    pub fn open(path: &Path) -> Result<Geo, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Geo::from_bytes(bytes).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Result<Geo, String> {
        let size = bytes.len();
        let reader = Reader::from_source(bytes)
            .map_err(|e| format!("not a MaxMind (.mmdb) database: {e}"))?;
        let places = reader
            .metadata()
            .database_type
            .to_ascii_lowercase()
            .contains("city");
        Ok(Geo {
            reader,
            bytes: size,
            places,
        })
    }

    /// The ISO 3166-1 alpha-2 code of `ip`'s country, if the database knows it.
    pub fn country(&self, ip: IpAddr) -> Option<String> {
        self.place(ip).country
    }

    /// `ip`'s country, and its region and city when the database has them.
    /// Nothing is known of a place whose country is unknown.
    pub fn place(&self, ip: IpAddr) -> Place {
        // Clients on a dual-stack socket arrive as ::ffff:a.b.c.d, which the
        // databases file under a.b.c.d.
        let ip = ip.to_canonical();
        let Some(record) = self
            .reader
            .lookup(ip)
            .ok()
            .and_then(|found| found.decode::<Record>().ok().flatten())
        else {
            return Place::default();
        };
        let code = record
            .country_code
            .or_else(|| record.country.and_then(|c| c.iso_code))
            .filter(|code| code.len() == 2 && code.chars().all(|c| c.is_ascii_alphabetic()));
        let Some(country) = code.map(str::to_ascii_uppercase) else {
            return Place::default();
        };
        let region = match record.subdivisions.and_then(|s| s.into_iter().next()) {
            Some(Named {
                iso_code: Some(code),
                ..
            }) if !code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric()) => {
                Some(format!("{country}-{}", code.to_ascii_uppercase()))
            }
            Some(named) => named.name(),
            None => record.state1,
        };
        let city = match record.city {
            Some(City::Name(name)) => Some(name),
            Some(City::Record(named)) => named.name(),
            None => None,
        };
        Place {
            region: kept(region, MAX_REGION),
            city: kept(city, MAX_CITY),
            country: Some(country),
        }
    }
}

/// The database at `path`, opened once per process: every app built from
/// the same configuration (tests build many) shares one copy in memory.
pub fn shared(path: &Path) -> Result<Arc<Geo>, String> {
    static OPENED: OnceLock<Mutex<HashMap<PathBuf, Arc<Geo>>>> = OnceLock::new();
    let opened = OPENED.get_or_init(Mutex::default);
    if let Some(geo) = opened.lock().ok().and_then(|m| m.get(path).cloned()) {
        return Ok(geo);
    }
    let geo = Arc::new(Geo::open(path)?);
    if let Ok(mut map) = opened.lock() {
        map.insert(path.to_owned(), geo.clone());
    }
    Ok(geo)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mmdb_writer::{Value, Writer};

    fn database(entries: &[(&str, Value)]) -> Geo {
        typed("Test-Country", entries)
    }

    fn typed(kind: &str, entries: &[(&str, Value)]) -> Geo {
        let mut writer = Writer::new(kind);
        for (net, value) in entries {
            writer
                .insert_value(net.parse::<ipnet::IpNet>().unwrap(), value.clone())
                .unwrap();
        }
        Geo::from_bytes(writer.to_bytes().unwrap()).unwrap()
    }

    #[test]
    fn flat_and_maxmind_layouts_both_read() {
        let geo = database(&[
            (
                "81.2.69.0/24",
                Value::map([("country_code", Value::from("GB"))]),
            ),
            (
                "2a00:1450::/32",
                Value::map([("country_code", Value::from("pl"))]),
            ),
            (
                "1.1.1.0/24",
                Value::map([("country", Value::map([("iso_code", Value::from("AU"))]))]),
            ),
            (
                "192.0.2.0/24",
                Value::map([("country_code", Value::from("ZZZ"))]),
            ),
        ]);
        assert!(!geo.places, "a country database, by its type");
        let country = |ip: &str| geo.country(ip.parse().unwrap());
        assert_eq!(country("81.2.69.142").as_deref(), Some("GB"));
        assert_eq!(country("::ffff:81.2.69.142").as_deref(), Some("GB"));
        assert_eq!(country("2a00:1450::1").as_deref(), Some("PL"));
        assert_eq!(country("1.1.1.1").as_deref(), Some("AU"));
        // Unknown networks and malformed codes give no country.
        assert_eq!(country("8.8.8.8"), None);
        assert_eq!(country("192.0.2.1"), None);
    }

    #[test]
    fn city_databases_give_regions_and_cities_in_both_layouts() {
        let names = |en: &str| Value::map([("names", Value::map([("en", Value::from(en))]))]);
        let geo = typed(
            "Test-City",
            &[
                (
                    "81.2.69.0/24",
                    Value::map([
                        ("country", Value::map([("iso_code", Value::from("GB"))])),
                        (
                            "subdivisions",
                            Value::Array(vec![Value::map([
                                ("iso_code", Value::from("eng")),
                                ("names", Value::map([("en", Value::from("England"))])),
                            ])]),
                        ),
                        ("city", names("London")),
                    ]),
                ),
                (
                    "2.125.160.0/24",
                    Value::map([
                        ("country_code", Value::from("EE")),
                        ("state1", Value::from("Harju")),
                        ("city", Value::from(" Tallinn ")),
                    ]),
                ),
                (
                    "5.6.7.0/24",
                    Value::map([
                        ("country", Value::map([("iso_code", Value::from("DE"))])),
                        ("subdivisions", Value::Array(vec![names("Berlin")])),
                        ("city", Value::from("x".repeat(MAX_CITY + 1))),
                    ]),
                ),
                (
                    "9.9.9.0/24",
                    Value::map([
                        ("country_code", Value::from("?")),
                        ("city", Value::from("Nowhere")),
                    ]),
                ),
            ],
        );
        assert!(geo.places, "a city database, by its type");
        let place = |ip: &str| geo.place(ip.parse().unwrap());
        let london = place("81.2.69.142");
        assert_eq!(london.country.as_deref(), Some("GB"));
        assert_eq!(london.region.as_deref(), Some("GB-ENG"));
        assert_eq!(london.city.as_deref(), Some("London"));
        let tallinn = place("2.125.160.216");
        assert_eq!(
            (tallinn.region.as_deref(), tallinn.city.as_deref()),
            (Some("Harju"), Some("Tallinn"))
        );
        // A subdivision without a code goes by its name; an overlong city is dropped.
        let berlin = place("5.6.7.8");
        assert_eq!(berlin.region.as_deref(), Some("Berlin"));
        assert_eq!(berlin.city, None);
        // No country, no place.
        assert_eq!(place("9.9.9.9"), Place::default());
        assert_eq!(place("8.8.8.8"), Place::default());
    }

    #[test]
    fn a_file_that_is_no_database_is_refused() {
        assert!(Geo::from_bytes(b"not a database".to_vec()).is_err());
        assert!(Geo::open(Path::new("/nonexistent/geo.mmdb")).is_err());
    }
}
