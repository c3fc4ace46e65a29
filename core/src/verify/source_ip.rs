//! The source IP of a request: the peer address, or what `X-Forwarded-For`
//! says when the peer is a trusted proxy.

use std::net::IpAddr;

use ipnet::IpNet;

use super::allow_list::{canonical, CidrError};

/// The header a proxy appends the address it received a request from to.
pub const FORWARDED_FOR_HEADER: &str = "x-forwarded-for";

/// Networks whose hosts are trusted proxies. Empty by default: then
/// `X-Forwarded-For` is ignored and the peer address is the source.
///
/// ```
/// use std::net::IpAddr;
/// use redis_cloud_auth::verify::TrustedProxies;
///
/// let proxies = TrustedProxies::new(vec!["10.0.0.0/8".parse()?]);
/// let peer: IpAddr = "10.0.0.2".parse()?;
/// assert_eq!(proxies.source_ip(peer, ["203.0.113.9, 10.0.0.7"]), "203.0.113.9".parse::<IpAddr>()?);
/// let stranger: IpAddr = "198.51.100.1".parse()?;
/// assert_eq!(proxies.source_ip(stranger, ["203.0.113.9"]), stranger);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    nets: Vec<IpNet>,
}

impl TrustedProxies {
    /// Trusts every host in `nets` (host bits are ignored).
    pub fn new(nets: Vec<IpNet>) -> Self {
        TrustedProxies {
            nets: nets.into_iter().map(|n| canonical_net(n.trunc())).collect(),
        }
    }

    /// Parses trusted proxies as every binding and `rcauth serve
    /// --trusted-proxy` take them: CIDRs (`10.0.0.0/8`, host bits allowed)
    /// or bare IP addresses (`192.0.2.7`), surrounding whitespace ignored.
    ///
    /// ```
    /// use redis_cloud_auth::verify::TrustedProxies;
    /// let nets = TrustedProxies::parse([" 10.0.0.0/8", "192.0.2.7", "::1"])?;
    /// assert_eq!(nets.len(), 3);
    /// assert_eq!(TrustedProxies::parse(["proxy.local"]).unwrap_err().code(), "invalid_cidr");
    /// # Ok::<(), redis_cloud_auth::verify::CidrError>(())
    /// ```
    pub fn parse<I, S>(entries: I) -> Result<Vec<IpNet>, CidrError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        entries
            .into_iter()
            .map(|entry| {
                let text = entry.as_ref().trim();
                text.parse::<IpNet>()
                    .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| CidrError::Invalid {
                        entry: entry.as_ref().to_string(),
                        reason: "not a CIDR such as 10.0.0.0/8 or an IP address".into(),
                    })
            })
            .collect()
    }

    /// The trusted networks.
    pub fn nets(&self) -> &[IpNet] {
        &self.nets
    }

    /// Whether `ip` is a trusted proxy.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.nets.iter().any(|n| n.contains(&ip))
    }

    /// The request's source IP.
    ///
    /// Starts at the peer; while the current address is a trusted proxy,
    /// steps one entry left in `X-Forwarded-For` (the values of every
    /// occurrence of the header, in order, joined). Stops at the first
    /// untrusted address, at the left end, or at an entry that is not an
    /// address (which is never believed). A peer outside the trusted list
    /// is the source whatever the header says. IPv4-mapped IPv6 addresses
    /// come back as IPv4.
    pub fn source_ip<'a, I>(&self, peer: IpAddr, forwarded_for: I) -> IpAddr
    where
        I: IntoIterator<Item = &'a str>,
    {
        let mut current = canonical(peer);
        if self.nets.is_empty() || !self.trusts(current) {
            return current;
        }
        let values: Vec<&str> = forwarded_for.into_iter().collect();
        for hop in values.iter().rev().flat_map(|v| v.rsplit(',')) {
            if !self.trusts(current) {
                break;
            }
            match parse_hop(hop) {
                Some(ip) => current = canonical(ip),
                None => break,
            }
        }
        current
    }
}

fn canonical_net(net: IpNet) -> IpNet {
    match net {
        IpNet::V6(v6) if v6.prefix_len() >= 96 => match v6.network().to_ipv4_mapped() {
            Some(v4) => IpNet::new(IpAddr::V4(v4), v6.prefix_len() - 96).unwrap_or(net),
            None => net,
        },
        other => other,
    }
}

/// One `X-Forwarded-For` entry: an address, optionally with a port
/// (`203.0.113.9:443`, `[2001:db8::1]:443`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = hop.strip_prefix('[') {
        let (addr, after) = rest.split_once(']')?;
        if !after.is_empty() {
            port(after.strip_prefix(':')?)?;
        }
        return addr.parse::<std::net::Ipv6Addr>().ok().map(IpAddr::V6);
    }
    let (addr, after) = hop.rsplit_once(':')?;
    port(after)?;
    addr.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

/// A port: 1 to 5 ASCII digits that fit in 16 bits (no sign, no spaces).
fn port(text: &str) -> Option<u16> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::new(list.iter().map(|s| s.parse().unwrap()).collect())
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_source() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.source_ip(ip("10.0.0.1"), ["203.0.113.9"]),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn an_untrusted_peer_cannot_spoof() {
        let p = proxies(&["10.0.0.0/8"]);
        assert_eq!(
            p.source_ip(ip("198.51.100.7"), ["10.1.1.1"]),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn walks_right_to_left_past_trusted_hops() {
        let p = proxies(&["10.0.0.0/8", "192.168.0.0/16"]);
        assert_eq!(
            p.source_ip(ip("10.0.0.1"), ["1.1.1.1, 203.0.113.9, 192.168.1.1"]),
            ip("203.0.113.9")
        );
        // Several header lines are one list, in order.
        assert_eq!(
            p.source_ip(ip("10.0.0.1"), ["1.1.1.1", "203.0.113.9", "10.9.9.9"]),
            ip("203.0.113.9")
        );
        // Only trusted hops: the leftmost is the client.
        assert_eq!(
            p.source_ip(ip("10.0.0.1"), ["10.2.2.2, 10.3.3.3"]),
            ip("10.2.2.2")
        );
        // No header: the proxy itself.
        assert_eq!(p.source_ip(ip("10.0.0.1"), []), ip("10.0.0.1"));
    }

    #[test]
    fn garbage_stops_the_walk() {
        let p = proxies(&["10.0.0.0/8"]);
        assert_eq!(
            p.source_ip(ip("10.0.0.1"), ["203.0.113.9, nonsense"]),
            ip("10.0.0.1")
        );
        assert_eq!(
            p.source_ip(ip("10.0.0.1"), ["203.0.113.9, 10.0.0.5, "]),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn ports_ipv6_and_mapped_addresses() {
        let p = proxies(&["::ffff:10.0.0.0/104", "fd00::/8"]);
        assert_eq!(p.nets()[0].to_string(), "10.0.0.0/8");
        assert_eq!(
            p.source_ip(ip("::ffff:10.0.0.1"), ["203.0.113.9:4431"]),
            ip("203.0.113.9")
        );
        assert_eq!(
            p.source_ip(ip("fd00::1"), ["[2001:db8::5]:443"]),
            ip("2001:db8::5")
        );
        assert_eq!(
            p.source_ip(ip("fd00::1"), ["::ffff:198.51.100.2"]),
            ip("198.51.100.2")
        );
    }
}
