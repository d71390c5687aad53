//! Countries from the client's address without a CDN: an offline `.mmdb`
//! database (DB-IP's country database by default) held in memory and asked
//! at ingest, then the address is forgotten as before. No lookup leaves the
//! machine. Both common layouts are read: ip-location-db's flat
//! `{"country_code": "DE"}` and MaxMind's `{"country": {"iso_code": "DE"}}`.

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
}

#[derive(Deserialize)]
struct Record<'a> {
    #[serde(borrow, default)]
    country_code: Option<&'a str>,
    #[serde(borrow, default)]
    country: Option<Country<'a>>,
}

#[derive(Deserialize)]
struct Country<'a> {
    #[serde(borrow, default)]
    iso_code: Option<&'a str>,
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
        Ok(Geo {
            reader,
            bytes: size,
        })
    }

    /// The ISO 3166-1 alpha-2 code of `ip`'s country, if the database knows it.
    pub fn country(&self, ip: IpAddr) -> Option<String> {
        // Clients on a dual-stack socket arrive as ::ffff:a.b.c.d, which the
        // databases file under a.b.c.d.
        let ip = ip.to_canonical();
        let found = self.reader.lookup(ip).ok()?;
        let record: Record = found.decode().ok()??;
        let code = record
            .country_code
            .or_else(|| record.country.and_then(|c| c.iso_code))?;
        (code.len() == 2 && code.chars().all(|c| c.is_ascii_alphabetic()))
            .then(|| code.to_ascii_uppercase())
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
        let mut writer = Writer::new("Test-Country");
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
    fn a_file_that_is_no_database_is_refused() {
        assert!(Geo::from_bytes(b"not a database".to_vec()).is_err());
        assert!(Geo::open(Path::new("/nonexistent/geo.mmdb")).is_err());
    }
}
