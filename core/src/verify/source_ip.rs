//! The source IP of a request: the peer address, or what `X-Forwarded-For`
//! says when the peer is a trusted proxy.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

use super::allow_list::{canonical, CidrError};

/// The header a proxy appends the address it received a request from to.
pub const FORWARDED_FOR_HEADER: &str = "x-forwarded-for";

/// Networks whose hosts are trusted proxies. Empty by default: then
/// `X-Forwarded-For` is ignored and the peer address is the source.
///
/// What is believed: the peer address; and, while the address reached so
/// far is a trusted proxy, the `X-Forwarded-For` entry it appended (the
/// next one from the right). What is not: a header from an untrusted peer,
/// and every entry left of the first untrusted address. When the walk needs
/// an entry that is not an address (empty, not an IP, a port or bracket
/// that does not parse, a value that is not text), the source is unknown
/// ([`UnknownSourceIp`]): the request is never taken to come from the
/// proxy that forwarded it.
///
/// ```
/// use std::net::IpAddr;
/// use redis_cloud_auth::verify::TrustedProxies;
///
/// let proxies = TrustedProxies::new(vec!["10.0.0.0/8".parse()?]);
/// let peer: IpAddr = "10.0.0.2".parse()?;
/// assert_eq!(proxies.source_ip(peer, ["203.0.113.9, 10.0.0.7"])?, "203.0.113.9".parse::<IpAddr>()?);
/// let stranger: IpAddr = "198.51.100.1".parse()?;
/// assert_eq!(proxies.source_ip(stranger, ["203.0.113.9"])?, stranger);
/// let unknown = proxies.source_ip(peer, ["203.0.113.9, not-an-ip"]).unwrap_err();
/// assert_eq!((unknown.proxy, unknown.position), (peer, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    nets: Vec<IpNet>,
}

/// Why an `X-Forwarded-For` entry is not an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HopProblem {
    /// The entry is empty (or only spaces).
    Empty,
    /// The entry is not an IP address.
    NotAnAddress,
    /// The entry is an address with a port that does not parse.
    BadPort,
    /// The entry starts with `[` but is not `[IPv6]` or `[IPv6]:port`.
    BadBrackets,
}

impl std::fmt::Display for HopProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            HopProblem::Empty => "is empty",
            HopProblem::NotAnAddress => "is not an IP address",
            HopProblem::BadPort => "has a port that does not parse",
            HopProblem::BadBrackets => "is a bracketed address that does not parse",
        })
    }
}

/// The source IP cannot be determined: a trusted proxy forwarded an
/// `X-Forwarded-For` entry that is not an address, where the walk needed
/// the next address. Holds no part of the entry itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the source IP cannot be determined: X-Forwarded-For entry {position} from the right, \
     appended by trusted proxy {proxy}, {problem}"
)]
pub struct UnknownSourceIp {
    /// The trusted proxy the entry claims to have received the request from
    /// (the last address believed).
    pub proxy: IpAddr,
    /// The entry's position, counting from 1 at the right end.
    pub position: usize,
    /// What is wrong with the entry.
    pub problem: HopProblem,
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

    /// The request's source IP, or why it cannot be determined.
    ///
    /// Starts at the peer; while the current address is a trusted proxy,
    /// steps one entry left in `X-Forwarded-For` (the values of every
    /// occurrence of the header, in order, joined). Stops at the first
    /// untrusted address, or at the left end (then the leftmost address is
    /// the source; with no header at all, the peer itself). An entry the
    /// walk needs that is not an address makes the source unknown: an
    /// error, never the proxy's address. Entries left of the first
    /// untrusted address are not read. A peer outside the trusted list is
    /// the source whatever the header says. IPv4-mapped IPv6 addresses come
    /// back as IPv4.
    pub fn source_ip<I>(&self, peer: IpAddr, forwarded_for: I) -> Result<IpAddr, UnknownSourceIp>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut current = canonical(peer);
        if self.nets.is_empty() || !self.trusts(current) {
            return Ok(current);
        }
        let values: Vec<I::Item> = forwarded_for.into_iter().collect();
        let hops = values.iter().rev().flat_map(|v| v.as_ref().rsplit(','));
        for (index, hop) in hops.enumerate() {
            if !self.trusts(current) {
                break;
            }
            match parse_hop(hop) {
                Ok(ip) => current = canonical(ip),
                Err(problem) => {
                    return Err(UnknownSourceIp {
                        proxy: current,
                        position: index + 1,
                        problem,
                    })
                }
            }
        }
        Ok(current)
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
fn parse_hop(hop: &str) -> Result<IpAddr, HopProblem> {
    let hop = hop.trim();
    if hop.is_empty() {
        return Err(HopProblem::Empty);
    }
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Ok(ip);
    }
    if let Some(rest) = hop.strip_prefix('[') {
        let (addr, after) = rest.split_once(']').ok_or(HopProblem::BadBrackets)?;
        let ip = addr
            .parse::<Ipv6Addr>()
            .map_err(|_| HopProblem::BadBrackets)?;
        if !after.is_empty() {
            let text = after.strip_prefix(':').ok_or(HopProblem::BadBrackets)?;
            port(text).ok_or(HopProblem::BadPort)?;
        }
        return Ok(IpAddr::V6(ip));
    }
    let (addr, after) = hop.rsplit_once(':').ok_or(HopProblem::NotAnAddress)?;
    let ip = addr
        .parse::<Ipv4Addr>()
        .map_err(|_| HopProblem::NotAnAddress)?;
    port(after).ok_or(HopProblem::BadPort)?;
    Ok(IpAddr::V4(ip))
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
            Ok(ip("10.0.0.1"))
        );
    }

    #[test]
    fn an_untrusted_peer_cannot_spoof() {
        let p = proxies(&["10.0.0.0/8"]);
        assert_eq!(
            p.source_ip(ip("198.51.100.7"), ["10.1.1.1"]),
            Ok(ip("198.51.100.7"))
        );
    }

    #[test]
    fn walks_right_to_left_past_trusted_hops() {
        let p = proxies(&["10.0.0.0/8", "192.168.0.0/16"]);
        assert_eq!(
            p.source_ip(ip("10.0.0.1"), ["1.1.1.1, 203.0.113.9, 192.168.1.1"]),
            Ok(ip("203.0.113.9"))
        );
        // Several header lines are one list, in order.
        assert_eq!(
            p.source_ip(ip("10.0.0.1"), ["1.1.1.1", "203.0.113.9", "10.9.9.9"]),
            Ok(ip("203.0.113.9"))
        );
        // Only trusted hops: the leftmost is the client.
        assert_eq!(
            p.source_ip(ip("10.0.0.1"), ["10.2.2.2, 10.3.3.3"]),
            Ok(ip("10.2.2.2"))
        );
        // No header: the proxy itself.
        assert_eq!(p.source_ip(ip("10.0.0.1"), [""; 0]), Ok(ip("10.0.0.1")));
    }

    #[test]
    fn an_entry_the_walk_needs_that_is_not_an_address_makes_the_source_unknown() {
        let p = proxies(&["10.0.0.0/8"]);
        let unknown = |values: &[&str], proxy: &str, position, problem| {
            assert_eq!(
                p.source_ip(ip("10.0.0.1"), values.iter().copied()),
                Err(UnknownSourceIp {
                    proxy: ip(proxy),
                    position,
                    problem
                }),
                "{values:?}"
            );
        };
        unknown(
            &["203.0.113.9, nonsense"],
            "10.0.0.1",
            1,
            HopProblem::NotAnAddress,
        );
        unknown(
            &["203.0.113.9, 10.0.0.5, "],
            "10.0.0.1",
            1,
            HopProblem::Empty,
        );
        unknown(&["not-an-ip"], "10.0.0.1", 1, HopProblem::NotAnAddress);
        unknown(&[""], "10.0.0.1", 1, HopProblem::Empty);
        unknown(
            &["8.8.8.8, 300.1.1.1"],
            "10.0.0.1",
            1,
            HopProblem::NotAnAddress,
        );
        // Deeper in the chain: the trusted hop that appended it is named.
        unknown(&["x, 10.0.0.5"], "10.0.0.5", 2, HopProblem::NotAnAddress);
        unknown(
            &["203.0.113.9:99999", "10.0.0.5"],
            "10.0.0.5",
            2,
            HopProblem::BadPort,
        );
        unknown(&["[2001:db8::1"], "10.0.0.1", 1, HopProblem::BadBrackets);
        unknown(&["[2001:db8::1]x"], "10.0.0.1", 1, HopProblem::BadBrackets);
        unknown(&["[2001:db8::1]:x"], "10.0.0.1", 1, HopProblem::BadPort);
        // Left of the first untrusted address nothing is read.
        assert_eq!(
            p.source_ip(ip("10.0.0.1"), ["garbage, , 203.0.113.9"]),
            Ok(ip("203.0.113.9"))
        );
        // The reason names neither the entry nor anything in it.
        let text = p
            .source_ip(ip("10.0.0.1"), ["secret-looking-text"])
            .unwrap_err()
            .to_string();
        assert!(!text.contains("secret"), "{text}");
        assert!(text.contains("entry 1 from the right"), "{text}");
        assert!(text.contains("10.0.0.1"), "{text}");
    }

    #[test]
    fn ports_ipv6_and_mapped_addresses() {
        let p = proxies(&["::ffff:10.0.0.0/104", "fd00::/8"]);
        assert_eq!(p.nets()[0].to_string(), "10.0.0.0/8");
        assert_eq!(
            p.source_ip(ip("::ffff:10.0.0.1"), ["203.0.113.9:4431"]),
            Ok(ip("203.0.113.9"))
        );
        assert_eq!(
            p.source_ip(ip("fd00::1"), ["[2001:db8::5]:443"]),
            Ok(ip("2001:db8::5"))
        );
        assert_eq!(
            p.source_ip(ip("fd00::1"), ["::ffff:198.51.100.2"]),
            Ok(ip("198.51.100.2"))
        );
    }
}
