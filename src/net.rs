//! Which address a request came from, believing proxies only where configured.

use std::net::IpAddr;

use ipnet::IpNet;

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
