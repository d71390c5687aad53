//! Which address a request came from, believing proxies only where configured.

use std::net::{IpAddr, Ipv6Addr};

use ipnet::IpNet;

/// A request's client, resolved once when the request arrives (the server's
/// outermost layer puts it in the request's extensions): every limiter, the
/// sign-in throttle and the beacon handler read this one answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr {
    pub ip: IpAddr,
    /// The socket peer is one of our proxies, so its other headers (a
    /// country, say) may be believed too.
    pub via_trusted_proxy: bool,
}

impl ClientAddr {
    /// Resolves the client of a request from its socket peer and every
    /// `X-Forwarded-For` line, in order.
    pub fn resolve<'a>(
        peer: IpAddr,
        forwarded_for: impl IntoIterator<Item = &'a str>,
        trusted: &[IpNet],
    ) -> ClientAddr {
        let peer = peer.to_canonical();
        let lines: Vec<&str> = forwarded_for.into_iter().collect();
        let joined = (!lines.is_empty()).then(|| lines.join(","));
        ClientAddr {
            ip: client_ip(peer, joined.as_deref(), trusted),
            via_trusted_proxy: is_trusted(peer, trusted),
        }
    }

    /// The key limiters count this client under (`limit_key`).
    pub fn limit_key(&self) -> IpAddr {
        limit_key(self.ip)
    }
}

/// IPv6 clients are counted by their /64: one subscriber usually holds a whole
/// /64, so counting single addresses would hand an attacker 2^64 allowances.
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(bits))
        }
        v4 => v4,
    }
}

/// The socket peer, unless the peer is a trusted proxy: then the rightmost
/// `X-Forwarded-For` hop that is not itself a trusted proxy. Hops further left
/// were written by the client and could be anything, so they are never believed.
pub fn client_ip(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| is_trusted(*ip, trusted);
    if !is_trusted(&peer) {
        return peer;
    }
    let Some(header) = forwarded_for else {
        return peer;
    };
    let mut nearest = peer;
    for hop in header.rsplit(',') {
        let Some(ip) = parse_hop(hop) else {
            break;
        };
        if !is_trusted(&ip) {
            return ip;
        }
        nearest = ip;
    }
    nearest
}

/// Whether `ip` is one of our own proxies, whose headers we believe.
pub fn is_trusted(ip: IpAddr, trusted: &[IpNet]) -> bool {
    trusted.iter().any(|net| net.contains(&ip))
}

/// `203.0.113.7`, `203.0.113.7:1234`, `2001:db8::1` or `[2001:db8::1]:443`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split_once(']')?.0.parse::<IpAddr>().ok();
    }
    let (host, port) = hop.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse::<IpAddr>().ok().map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn every_forwarded_for_line_counts_in_order() {
        let trusted = nets(&["127.0.0.0/8"]);
        // A client's own line first, the proxy's appended line last: the
        // rightmost untrusted hop across both lines is the client.
        let client = ClientAddr::resolve(
            ip("127.0.0.1"),
            ["6.6.6.6", "203.0.113.9, 127.0.0.5"],
            &trusted,
        );
        assert_eq!(client.ip, ip("203.0.113.9"));
        assert!(client.via_trusted_proxy);
        let direct = ClientAddr::resolve(ip("198.51.100.1"), ["1.2.3.4"], &trusted);
        assert_eq!(direct.ip, ip("198.51.100.1"));
        assert!(!direct.via_trusted_proxy);
        let none = ClientAddr::resolve(ip("127.0.0.1"), [], &trusted);
        assert_eq!(none.ip, ip("127.0.0.1"));
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        assert_eq!(
            limit_key(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            ip("2001:db8:1:2::")
        );
        assert_eq!(
            limit_key(ip("2001:db8:1:2::1")),
            limit_key(ip("2001:db8:1:2:ffff::9"))
        );
        assert_ne!(
            limit_key(ip("2001:db8:1:2::1")),
            limit_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(limit_key(ip("203.0.113.7")), ip("203.0.113.7"));
        assert_eq!(limit_key(ip("::ffff:203.0.113.7")), ip("203.0.113.7"));
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(
            client_ip(ip("198.51.100.4"), Some("1.2.3.4"), &trusted),
            ip("198.51.100.4")
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_untrusted_hop_wins() {
        let trusted = nets(&["10.0.0.0/8", "127.0.0.0/8"]);
        let peer = ip("10.0.0.2");
        assert_eq!(
            client_ip(peer, Some("203.0.113.9"), &trusted),
            ip("203.0.113.9")
        );
        // The client forged the leftmost entry; our proxies appended the rest.
        assert_eq!(
            client_ip(peer, Some("6.6.6.6, 203.0.113.9, 10.0.0.7"), &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_ip(peer, Some("[2001:db8::5]:443"), &trusted),
            ip("2001:db8::5")
        );
        assert_eq!(
            client_ip(peer, Some("203.0.113.9:5555"), &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(client_ip(peer, None, &trusted), peer);
        assert_eq!(client_ip(peer, Some("garbage"), &trusted), peer);
        assert_eq!(
            client_ip(peer, Some("10.0.0.9, 10.0.0.8"), &trusted),
            ip("10.0.0.9")
        );
    }
}
