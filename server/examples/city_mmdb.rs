//! Writes a small city GeoIP database (MaxMind's layout, as GeoLite2-City
//! and DB-IP's city files are) for the browser tests: TEST-NET-2 addresses
//! placed in Berlin, Munich and Tallinn, so the dashboard's regions and
//! cities can be seen without shipping a real city database.
//!
//! `cargo run -p server --example city_mmdb -- <file>`

use mmdb_writer::{Value, Writer};

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: city_mmdb <file to write>");
    let place = |country: &str, region: &str, city: &str| {
        let names = Value::map([("en", Value::from(city))]);
        Value::map([
            ("country", Value::map([("iso_code", Value::from(country))])),
            (
                "subdivisions",
                Value::Array(vec![Value::map([("iso_code", Value::from(region))])]),
            ),
            ("city", Value::map([("names", names)])),
        ])
    };
    let mut writer = Writer::new("PagePulse-Test-City");
    for (net, record) in [
        ("198.51.100.0/26", place("DE", "BE", "Berlin")),
        ("198.51.100.64/26", place("DE", "BY", "Munich")),
        ("198.51.100.128/25", place("EE", "37", "Tallinn")),
    ] {
        let net: ipnet::IpNet = net.parse().expect("a network");
        writer.insert_value(net, record).expect("a record");
    }
    let bytes = writer.to_bytes().expect("the database");
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
}
