//! Data-centre networks: a browser's user agent sent from a server is a
//! program dressed as a person (a headless scraper, a load test, a referrer
//! spammer), so its beacons are dropped. The ranges are a data file — one
//! CIDR range per line — built in (`data/datacenters.txt`) or read at
//! start-up from `DATACENTER_RANGES`, so a newer list needs no rebuild.

use std::{
    net::IpAddr,
    path::Path,
    sync::{Arc, LazyLock},
};

use ipnet::IpNet;

/// Sorted, merged ranges of each family, searched by bisection.
#[derive(Debug, Default)]
pub struct Networks {
    v4: Vec<(u32, u32)>,
    v6: Vec<(u128, u128)>,
}

impl Networks {
    /// The list shipped in the binary, parsed once per process.
    pub fn builtin() -> Arc<Networks> {
        static BUILTIN: LazyLock<Arc<Networks>> = LazyLock::new(|| {
            Arc::new(Networks::parse(include_str!("data/datacenters.txt")).unwrap_or_default())
        });
        BUILTIN.clone()
    }

    pub fn load(path: &Path) -> Result<Networks, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Networks::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// One CIDR range (or address) per line; `#` starts a comment line.
    pub fn parse(text: &str) -> Result<Networks, String> {
        let mut v4 = Vec::new();
        let mut v6 = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let net = line
                .parse::<IpNet>()
                .or_else(|_| line.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("line {}: `{line}` is not a CIDR range", number + 1))?;
            match net {
                IpNet::V4(net) => v4.push((u32::from(net.network()), u32::from(net.broadcast()))),
                IpNet::V6(net) => v6.push((u128::from(net.network()), u128::from(net.broadcast()))),
            }
        }
        Ok(Networks {
            v4: merged(v4),
            v6: merged(v6),
        })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match ip.to_canonical() {
            IpAddr::V4(ip) => within(&self.v4, u32::from(ip)),
            IpAddr::V6(ip) => within(&self.v6, u128::from(ip)),
        }
    }

    /// Ranges held, after merging.
    pub fn len(&self) -> usize {
        self.v4.len() + self.v6.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn merged<T: Ord + Copy + num_step::Step>(mut ranges: Vec<(T, T)>) -> Vec<(T, T)> {
    ranges.sort_unstable();
    let mut out: Vec<(T, T)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match out.last_mut() {
            Some(last) if start <= last.1.next() => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

fn within<T: Ord + Copy>(ranges: &[(T, T)], ip: T) -> bool {
    let after = ranges.partition_point(|&(start, _)| start <= ip);
    after > 0 && ranges[after - 1].1 >= ip
}

/// The successor of a range's end, saturating: adjacent ranges merge.
mod num_step {
    pub trait Step {
        fn next(self) -> Self;
    }

    impl Step for u32 {
        fn next(self) -> Self {
            self.saturating_add(1)
        }
    }

    impl Step for u128 {
        fn next(self) -> Self {
            self.saturating_add(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_of_both_families_are_found() {
        let nets =
            Networks::parse("# comment\n10.0.0.0/8\n11.0.0.0/8\n192.0.2.7\n2001:db8::/32\n\n")
                .unwrap();
        // 10/8 and 11/8 are adjacent: one range.
        assert_eq!(nets.len(), 3);
        for inside in [
            "10.1.2.3",
            "11.255.255.255",
            "192.0.2.7",
            "::ffff:10.0.0.1",
            "2001:db8::1",
        ] {
            assert!(nets.contains(inside.parse().unwrap()), "{inside}");
        }
        for outside in ["9.255.255.255", "12.0.0.0", "192.0.2.8", "2001:db9::1"] {
            assert!(!nets.contains(outside.parse().unwrap()), "{outside}");
        }
        assert!(
            Networks::parse("10.0.0.0/8\nnot a range\n")
                .unwrap_err()
                .contains("line 2")
        );
    }

    #[test]
    fn the_builtin_list_holds_cloud_ranges_and_not_homes() {
        let nets = Networks::builtin();
        assert!(nets.len() > 5_000);
        // DigitalOcean and AWS; a home-broadband and a documentation address.
        assert!(nets.contains("159.89.0.1".parse().unwrap()));
        assert!(nets.contains("3.5.140.2".parse().unwrap()));
        assert!(!nets.contains("81.2.69.142".parse().unwrap()));
        assert!(!nets.contains("203.0.113.9".parse().unwrap()));
    }
}
